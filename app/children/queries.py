"""Reads for the children area. Each function loads what its page needs up front, so query counts
do not grow with the number of children.

For later areas: ``alerts_for(child_ids)`` loads the safety alerts (allergy, high risk) of a whole
list in one query; render each with ``child_alert`` from ``templates/children/_alert.html``::

    alerts = alerts_for([c.id for c in children])
    {% from "children/_alert.html" import child_alert %} ... {{ child_alert(alerts.get(child.id)) }}
"""
from __future__ import annotations

from collections import namedtuple
from dataclasses import dataclass
from functools import lru_cache
from datetime import date

from sqlalchemy import Select, and_, bindparam, func, or_, select
from sqlalchemy.exc import NoResultFound
from sqlalchemy.orm import contains_eager, joinedload, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from app.auth.models import User
from app.children.models import (AuditEntry, Child, Consent, Enrolment, ErasureRecord, Guardian,
                                 ImportBatch, PickupPerson)
from app.children.names import search_key
from app.core.args import arg_choice, arg_text
from app.core.permissions import COORDINATOR
from app.core.db import prepared
from app.core.pagination import PAGE_LIMIT, PAGE_OFFSET, paginate_built
from app.extensions import db
from app.sites.models import Season, Site




# --- alerts ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Alert:
    """What everyone caring for a child must see: allergies and the high-risk flag."""
    allergies: str = ""
    high_risk: bool = False
    conditions: str = ""

    def __bool__(self) -> bool:
        return bool(self.allergies or self.high_risk)


def alert_of(child: Child) -> Alert | None:
    alert = Alert(child.allergies.strip(), child.high_risk, child.conditions.strip())
    return alert if alert else None


def alerts_for(child_ids) -> dict[int, Alert]:
    """Alerts of the given children in one query: {child_id: Alert}, only children with an alert."""
    ids = list({int(i) for i in child_ids})
    if not ids:
        return {}
    rows = db.session.execute(prepared("children.alerts", lambda: (
        select(Child.id, Child.allergies, Child.high_risk, Child.conditions)
        .where(Child.id.in_(bindparam("ids", expanding=True)), or_(Child.allergies != "", Child.high_risk.is_(True))))),
        {"ids": ids})
    out = {}
    for child_id, allergies, high_risk, conditions in rows:
        alert = Alert((allergies or "").strip(), bool(high_risk), (conditions or "").strip())
        if alert:
            out[child_id] = alert
    return out


# --- lists and search -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Filters:
    q: str = ""
    grade: int | None = None
    status: str = ""
    school: str = ""
    allergy: bool = False
    consent: str = ""  # "missing": only children whose guardian has not consented yet

    @classmethod
    def from_request(cls) -> Filters:
        """The filters of this request's query string, read at the edge (app.core.args): anything
        unreadable (NUL bytes, huge numbers, unknown values) is treated as absent."""
        from app.children.models import ENROLMENT_STATUSES, GRADES

        grade = arg_choice("grade", {str(g) for g in GRADES})
        return cls(q=arg_text("q", 60), grade=int(grade) if grade else None,
                   status=arg_choice("status", ENROLMENT_STATUSES),
                   school=arg_text("school", 120), allergy=arg_choice("allergy", {"1"}) == "1",
                   consent=arg_choice("consent", {"missing"}))

    def args(self) -> dict:
        out = {"q": self.q, "grade": self.grade, "status": self.status, "school": self.school,
               "allergy": "1" if self.allergy else None, "consent": self.consent}
        return {k: v for k, v in out.items() if v}


def _search(query: Select, q: str) -> Select:
    q = q.strip()
    if not q:
        return query
    key = search_key(q)
    conditions = [Child.name.contains(q, autoescape=True)]
    if key and key.isascii():
        conditions += [Child.name_pinyin.startswith(key, autoescape=True),
                       Child.name_pinyin.contains(key, autoescape=True),
                       Child.name_initials.startswith(key, autoescape=True)]
    return query.where(or_(*conditions))


def children_of_site(site: Site, filters: Filters) -> Select:
    """The site's children (not erased), newest name order, filtered."""
    query = (select(Child).where(Child.site_id == site.id, Child.erased_at.is_(None))
             .order_by(Child.name_pinyin, Child.id))
    query = _search(query, filters.q)
    if filters.grade:
        query = query.where(Child.grade == filters.grade)
    if filters.school:
        query = query.where(Child.school == filters.school)
    if filters.allergy:
        query = query.where(or_(Child.allergies != "", Child.high_risk.is_(True)))
    if filters.consent == "missing":
        query = query.where(~select(Consent.id).where(Consent.child_id == Child.id).exists())
    if filters.status:
        query = query.where(Child.id.in_(select(Enrolment.child_id).where(Enrolment.status == filters.status)))
    return query


RosterChild = namedtuple("RosterChild", "id name erased_at grade school site_id")
RosterRow = namedtuple("RosterRow", "id status applied_at child_id child alert")


def roster_page(season: Season, filters: Filters):
    """A page of a season's enrolments with the columns of their children the roster shows (no ORM
    objects: a page of them costs a tenth of loading entities), their alerts included (no second
    query for them), and the total: ``RosterRow``s whose ``.child`` is a ``RosterChild`` and whose
    ``.alert`` is what ``alerts_for`` would say of the child. The statement is built once per filter
    (``app.core.pagination.paginate_built``; the season is a bound parameter)."""
    return paginate_built(_roster_page_statement(filters), {"season_id": season.id}, roster_row)


@lru_cache(maxsize=64)
def _roster_page_statement(filters: Filters) -> Select:
    return (_roster_query(filters).add_columns(func.count().over())
            .limit(bindparam(PAGE_LIMIT)).offset(bindparam(PAGE_OFFSET)))


def _roster_query(filters: Filters) -> Select:
    query = (select(Enrolment.id, Enrolment.status, Enrolment.applied_at, Enrolment.child_id, Child.name,
                    Child.erased_at, Child.grade, Child.school, Child.site_id, Child.allergies, Child.high_risk,
                    Child.conditions)
             .join(Child, Enrolment.child_id == Child.id)
             .where(Enrolment.season_id == bindparam("season_id")))
    query = _search(query, filters.q)
    if filters.grade:
        query = query.where(Child.grade == filters.grade)
    if filters.school:
        query = query.where(Child.school == filters.school)
    if filters.allergy:
        query = query.where(or_(Child.allergies != "", Child.high_risk.is_(True)))
    if filters.consent == "missing":
        query = query.where(Enrolment.status != "withdrawn",
                            ~select(Consent.id).where(Consent.child_id == Enrolment.child_id).exists())
    if filters.status:
        query = query.where(Enrolment.status == filters.status)
        order = [Enrolment.applied_at, Enrolment.id] if filters.status == "waitlisted" else [Child.name_pinyin]
    else:
        order = [Child.name_pinyin, Enrolment.id]
    return query.order_by(*order)


def roster_row(row) -> RosterRow:
    enrolment_id, status, applied_at, child_id, name, erased_at, grade, school, site_id = row[:9]
    return RosterRow(enrolment_id, status, applied_at, child_id,
                     RosterChild(child_id, name, erased_at, grade, school, site_id),
                     _alert(*row[9:12]) if len(row) > 9 else None)


def _alert(allergies, high_risk, conditions) -> Alert | None:
    """The alert of a child's columns, as ``alerts_for`` builds it; None when there is none."""
    if not (allergies or high_risk):  # the common case: nothing to build
        return None
    alert = Alert((allergies or "").strip(), bool(high_risk), (conditions or "").strip())
    return alert if alert else None


def schools_of(site_id: int) -> list[str]:
    return list(db.session.scalars(prepared("children.schools", lambda: (
        select(Child.school).where(Child.site_id == bindparam("site_id"), Child.school != "", Child.erased_at.is_(None))
        .group_by(Child.school).order_by(Child.school).limit(200))), {"site_id": site_id}))


def status_counts(season: Season) -> dict[str, int]:
    rows = db.session.execute(prepared("children.status_counts", lambda: (
        select(Enrolment.status, func.count()).where(Enrolment.season_id == bindparam("season_id"))
        .group_by(Enrolment.status))), {"season_id": season.id})
    counts = {"applied": 0, "enrolled": 0, "waitlisted": 0, "withdrawn": 0}
    counts.update({status: n for status, n in rows})
    return counts


def enrolled_count(season_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(Enrolment).where(
        Enrolment.season_id == season_id, Enrolment.status == "enrolled")) or 0


def waitlist_rows(season: Season, limit: int = 5) -> list[RosterRow]:
    """The first children waiting, in order of application, as ``RosterRow``s (for the roster page;
    ``waitlist`` gives the enrolments themselves)."""
    return [roster_row(row) for row in db.session.execute(prepared("children.waitlist_rows", lambda: (
        select(Enrolment.id, Enrolment.status, Enrolment.applied_at, Enrolment.child_id, Child.name,
               Child.erased_at, Child.grade, Child.school, Child.site_id)
        .join(Child, Enrolment.child_id == Child.id)
        .where(Enrolment.season_id == bindparam("season_id"), Enrolment.status == "waitlisted")
        .order_by(Enrolment.applied_at, Enrolment.id).limit(bindparam("limit")))),
        {"season_id": season.id, "limit": limit})]


def waitlist(season: Season, limit: int = 5) -> list[Enrolment]:
    """The first children waiting, in order of application."""
    return list(db.session.scalars(
        select(Enrolment).join(Enrolment.child).options(contains_eager(Enrolment.child))
        .where(Enrolment.season_id == season.id, Enrolment.status == "waitlisted")
        .order_by(Enrolment.applied_at, Enrolment.id).limit(limit)))


def consented_ids(child_ids) -> set[int]:
    ids = list(child_ids)
    if not ids:
        return set()
    return set(db.session.scalars(prepared("children.consented", lambda: (
        select(Consent.child_id).where(Consent.child_id.in_(bindparam("ids", expanding=True))).distinct())),
        {"ids": ids}))


# --- one child ------------------------------------------------------------------------------------
def child_record(child_id: int) -> Child:
    """A child with everything its page shows, loaded at once: the child (from the identity map when
    the view's loader has it), its guardians, pickup persons, consents (with their notice and who
    recorded them) and enrolments (with their season), four SELECTs. Each collection is read with
    its relationship's own order and set as loaded (no `selectinload` chains, no second read of the
    child)."""
    child = db.session.get(Child, child_id)
    if child is None:
        raise NoResultFound(f"no child {child_id}")
    for name, query in prepared("children.child_record", lambda: (
            ("guardians", select(Guardian).where(Guardian.child_id == bindparam("child_id")).order_by(Guardian.id)),
            ("pickups", select(PickupPerson).where(PickupPerson.child_id == bindparam("child_id"))
             .order_by(PickupPerson.id)),
            ("consents", select(Consent).where(Consent.child_id == bindparam("child_id"))
             # who recorded it: the name only, so not their grants (read if ever asked for)
             .options(selectinload(Consent.recorded_by).lazyload(User.grants)).order_by(Consent.consented_at)),
            ("enrolments", select(Enrolment).where(Enrolment.child_id == bindparam("child_id"))
             .options(joinedload(Enrolment.season)).order_by(Enrolment.applied_at)))):
        rows = list(db.session.scalars(query, {"child_id": child_id}).unique())
        set_committed_value(child, name, rows)
        for row in rows:  # the way back to the child, as the relationship would have set it
            set_committed_value(row, "child", child)
    return child


def guardians_of(child: Child) -> Select:
    return select(Guardian).where(Guardian.child_id == child.id).order_by(Guardian.id)


def pickups_of(child: Child) -> Select:
    return select(PickupPerson).where(PickupPerson.child_id == child.id).order_by(PickupPerson.id)


def has_consent(child: Child) -> bool:
    return bool(db.session.scalar(select(func.count()).select_from(Consent).where(Consent.child_id == child.id)))


def seasons_of_site(site_id: int, *, with_site: bool = False) -> list[Season]:
    """The site's seasons (not archived), newest first; ``with_site``: the site joined in, for a page
    that shows it and has not loaded it yet (``child.site`` is then answered from the identity map
    instead of its own SELECT; a site without seasons is read by that SELECT as before)."""
    def build():
        query = select(Season).where(Season.site_id == bindparam("site_id"), Season.archived_at.is_(None))
        if with_site:
            query = query.options(joinedload(Season.site))
        return query.order_by(Season.start_date.desc())

    return list(db.session.scalars(prepared(f"children.seasons_of_site:{with_site}", build), {"site_id": site_id}))


def likely_duplicates(site_id: int, name: str, birth_date: date | None, phones: list[str],
                      exclude_id: int | None = None) -> list[Child]:
    """Children of the site with the same name and birth date, or the same name and a guardian phone."""
    same = [and_(Child.name == name, Child.birth_date == birth_date)] if birth_date else []
    phones = [p for p in phones if p]
    if phones:
        same.append(and_(Child.name == name, Child.id.in_(
            select(Guardian.child_id).where(Guardian.phone.in_(phones)))))
    if not same:
        return []
    query = select(Child).where(Child.site_id == site_id, Child.erased_at.is_(None), or_(*same))
    if exclude_id:
        query = query.where(Child.id != exclude_id)
    return list(db.session.scalars(query.limit(5)))


def duplicate_keys(site_id: int) -> tuple[dict, dict]:
    """For imports: {(name, birth_date): child_id} and {(name, phone): child_id} of the site's children,
    in two queries."""
    by_birth = {(n, b): i for i, n, b in db.session.execute(
        select(Child.id, Child.name, Child.birth_date).where(Child.site_id == site_id, Child.erased_at.is_(None))
        .order_by(Child.id.desc()))}
    by_phone = {(n, p): i for i, n, p in db.session.execute(
        select(Child.id, Child.name, Guardian.phone).join(Guardian, Guardian.child_id == Child.id)
        .where(Child.site_id == site_id, Child.erased_at.is_(None)).order_by(Child.id.desc()))}
    return by_birth, by_phone


def open_seasons(child: Child, seasons: list[Season] | None = None) -> list[Season]:
    """Seasons of the child's site (``seasons``, when already loaded) the child is not (actively) on
    the list of."""
    taken = {e.season_id for e in child.enrolments if e.status != "withdrawn"}
    return [s for s in (seasons if seasons is not None else seasons_of_site(child.site_id)) if s.id not in taken]


def import_batch(batch_id: int) -> ImportBatch:
    """A previewed import with its season and site loaded (the preview page reads both)."""
    return db.session.scalars(
        select(ImportBatch).where(ImportBatch.id == batch_id)
        .options(joinedload(ImportBatch.season), joinedload(ImportBatch.site))
        .execution_options(populate_existing=True)).one()


def roster_for_export(season: Season) -> list[Enrolment]:
    return list(db.session.scalars(
        select(Enrolment).join(Enrolment.child).options(
            contains_eager(Enrolment.child).selectinload(Child.guardians),
            contains_eager(Enrolment.child).selectinload(Child.pickups),
            contains_eager(Enrolment.child).selectinload(Child.consents))
        .where(Enrolment.season_id == season.id).order_by(Enrolment.status, Child.name_pinyin)))


def audit_of_child(child_id: int, limit: int = 500) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).options(selectinload(AuditEntry.user))
                                   .where(AuditEntry.child_id == child_id)
                                   .order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit)))


def erasure_of(child_id: int) -> ErasureRecord | None:
    return db.session.scalar(select(ErasureRecord).where(ErasureRecord.child_id == child_id))


# --- sites a user manages -------------------------------------------------------------------------
def managed_sites(user) -> list[Site]:
    query = select(Site).where(Site.archived_at.is_(None)).order_by(Site.name)
    if not user.is_admin:
        query = query.where(Site.id.in_(user.site_ids({COORDINATOR}) or {-1}))
    return list(db.session.scalars(query))
