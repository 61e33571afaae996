"""Reads of the programme's day. Each page's query loads everything it shows up front, so the number
of statements does not grow with the number of children.

For other areas:
- ``expected_children(site, day)``: the children expected at a site on a day, from enrolment and the
  groups' sessions of the day (health uses this very function);
- ``open_alert_count(user)``: unresolved alerts on the sites the user may see (the navigation badge);
- ``homework_outcomes(season)``: children who finished all their homework / children enrolled.
"""
from __future__ import annotations

from collections import namedtuple
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from typing import NamedTuple

from sqlalchemy import Date, bindparam, case, false, func, literal, or_, select, union_all
from sqlalchemy.orm import joinedload, selectinload

from app.children.models import Child, Enrolment
from app.children.queries import Alert, alerts_for
from app.core.db import prepared, run
from app.core.permissions import SITE_VIEW, visible_site_ids
from app.daily.labels import TimeTexts
from app.daily.models import (DailyAlert, DailySettings, DayRecord, DayRecordChange, HomeworkPlan,
                              HomeworkProgress, Incident, IncidentAddendum, IncidentChild, IncidentReport)
from app.extensions import db
from app.sites.models import Season, Site

WORKDAYS = (0, 1, 2, 3, 4)  # Monday to Friday

# The statements of the today page (every coordinator's home) are built once per process, on first use
# (the mappers are configured by then), with bound parameters: a request only binds its values, without
# SQLAlchemy's statement building, coercion and cache-key work (the bulk of a small query's cost).
SITE_ID, DAY = bindparam("site_id"), bindparam("day", type_=Date)


@cache
def _settings_statement():
    return select(DailySettings).where(DailySettings.site_id == SITE_ID)


# --- settings -------------------------------------------------------------------------------------
def settings_of(site_id: int) -> DailySettings:
    """The site's alert times; a site without its own row gets the defaults (not saved)."""
    found = db.session.scalar(_settings_statement(), {"site_id": site_id})
    if found is not None:
        return found
    from app.daily.models import DEFAULT_ARRIVE_BY, DEFAULT_PICKUP_BY

    return DailySettings(site_id=site_id, arrive_by=DEFAULT_ARRIVE_BY, pickup_by=DEFAULT_PICKUP_BY)


AlertTimes = namedtuple("AlertTimes", "arrive_by pickup_by")


def alert_times(site_id: int) -> AlertTimes:
    """The site's alert times as plain values (what the today page shows; ``settings_of`` for the rest)."""
    found = run(prepared("daily.alert_times", lambda: select(
        DailySettings.arrive_by, DailySettings.pickup_by).where(DailySettings.site_id == SITE_ID)),
        {"site_id": site_id}).first()
    if found is not None:
        return AlertTimes(*found)
    from app.daily.models import DEFAULT_ARRIVE_BY, DEFAULT_PICKUP_BY

    return AlertTimes(DEFAULT_ARRIVE_BY, DEFAULT_PICKUP_BY)


# --- who is expected ------------------------------------------------------------------------------
@cache
def _seasons_statement():
    return select(Season).where(Season.site_id == SITE_ID, Season.start_date <= DAY, Season.end_date >= DAY,
                                Season.archived_at.is_(None)).order_by(Season.start_date.desc())


def seasons_covering(site_id: int, day: date) -> list[Season]:
    return list(db.session.scalars(_seasons_statement(), {"site_id": site_id, "day": day}))


def season_ids_covering(site_id: int, day: date) -> list[int]:
    """The ids of ``seasons_covering`` (the today page only asks whether there is one): plain values."""
    return list(db.session.scalars(prepared("daily.season_ids_covering", lambda: _seasons_statement().with_only_columns(
        Season.id)), {"site_id": site_id, "day": day}))


def _expected_enrolments(site_ids, day, *columns, workday: bool | None = None):
    """The enrolments expected on ``day`` at the sites ``site_ids`` (one SQL select, the one rule):
    enrolled in a season of the site covering the day, and either

    - the season has no session that day (no groups or timetable yet): every enrolled child, on
      the programme's weekdays; or
    - the child is in a group with a session that day that is not cancelled.

    ``day`` may be a bound parameter (``DAY``); then ``workday`` says whether it is a weekday.
    """
    from app.scheduling.models import GroupMember, Session

    any_session = (select(Session.id).where(Session.season_id == Enrolment.season_id, Session.on_date == day)
                   .exists())
    in_a_session = (select(GroupMember.id).join(Session, Session.group_id == GroupMember.group_id)
                    .where(GroupMember.enrolment_id == Enrolment.id, Session.on_date == day,
                           Session.cancelled.is_(False)).exists())
    if workday is None:
        workday = day.weekday() in WORKDAYS
    whole_season = ~any_session if workday else false()
    return (select(*(columns or (Enrolment.child_id, Season.site_id))).join(Season, Season.id == Enrolment.season_id)
            .where(Season.site_id.in_(list(site_ids)), Season.start_date <= day, Season.end_date >= day,
                   Season.archived_at.is_(None), Enrolment.status == "enrolled", or_(whole_season, in_a_session)))


def _expected_ids(site_id: int, day: date):
    return _expected_enrolments([site_id], day, Enrolment.child_id)


def expected_ids(site_id: int, day: date) -> set[int]:
    """Ids of the children expected at the site on ``day`` (the rule of ``expected_children``; one query).
    Erased children are the caller's to leave out."""
    return set(db.session.scalars(_expected_ids(site_id, day)))


def expected_children(site: Site, day: date) -> list[Child]:
    """The children expected at ``site`` on ``day`` (the rule: ``_expected_enrolments``), with
    guardians and pickup persons loaded. The one answer for every area: the today page, the alerts,
    the meals and the health checks (``app.health.queries.expected_children`` is this function)."""
    return list(db.session.scalars(
        select(Child).where(Child.site_id == site.id, Child.erased_at.is_(None),
                            Child.id.in_(_expected_ids(site.id, day)))
        .options(selectinload(Child.guardians), selectinload(Child.pickups))
        .order_by(Child.name_pinyin, Child.id)))


def expected_counts(site_ids, day: date) -> dict[int, tuple[int, int]]:
    """{site id: (children arrived, children expected)} on ``day`` for several sites, in one query."""
    ids = list(site_ids)
    if not ids:
        return {}
    expected = _expected_enrolments(ids, day).subquery()
    rows = db.session.execute(
        select(expected.c.site_id, func.count(func.distinct(expected.c.child_id)),
               func.count(func.distinct(DayRecord.child_id)))
        .select_from(expected).join(Child, Child.id == expected.c.child_id)
        .outerjoin(DayRecord, (DayRecord.child_id == expected.c.child_id) & (DayRecord.day == day)
                   & DayRecord.arrived_at.is_not(None))
        .where(Child.erased_at.is_(None)).group_by(expected.c.site_id)).all()
    found = {site_id: (int(arrived), int(total)) for site_id, total, arrived in rows}
    return {site_id: found.get(site_id, (0, 0)) for site_id in ids}


def is_expected(child: Child, day: date) -> bool:
    if child.erased_at is not None:
        return False
    return bool(db.session.scalar(select(func.count()).select_from(
        _expected_ids(child.site_id, day).where(Enrolment.child_id == child.id).subquery())))


# --- pickup choices -------------------------------------------------------------------------------
class Choice(NamedTuple):  # a tuple: the day table's options unpack it in their loop
    value: str        # "g12" (guardian), "p5" (pickup person), "alone"
    kind: str         # guardian, pickup, alone
    name: str
    relation: str = ""
    phone: str = ""
    person_id: int | None = None


def pickup_choices(child: Child) -> list[Choice]:
    """Who may take the child home: guardians, authorised pickup persons, and "alone" only where the
    guardian consented to it (``child.may_go_home_alone``). Needs guardians and pickups loaded."""
    out = [Choice(f"g{g.id}", "guardian", g.name, g.relation, g.phone, g.id) for g in child.guardians]
    out += [Choice(f"p{p.id}", "pickup", p.name, p.relation, p.phone, p.id) for p in child.pickups]
    if child.may_go_home_alone:
        out.append(Choice("alone", "alone", ""))
    return out


def child_with_people(child_id: int) -> Child:
    return db.session.scalars(select(Child).where(Child.id == child_id).options(
        selectinload(Child.guardians), selectinload(Child.pickups))
        .execution_options(populate_existing=True)).one()


# --- the day's page -------------------------------------------------------------------------------
@dataclass(slots=True)
class Row:
    child: Child
    record: DayRecord | None
    alert: Alert | None
    choices: list[Choice] = field(default_factory=list)
    state: str = field(init=False)  # expected, excused, arrived, departed: worked out once (the row, the counts)

    def __post_init__(self) -> None:
        r = self.record
        if r is None or (r.arrived_at is None and not r.excuse):
            self.state = "expected"
        elif r.arrived_at is None:
            self.state = "excused"
        else:
            self.state = "departed" if r.departed_at is not None else "arrived"


def records_of(site_id: int, day: date, child_ids) -> dict[int, DayRecord]:
    ids = list(child_ids)
    if not ids:
        return {}
    return {r.child_id: r for r in db.session.scalars(
        select(DayRecord).where(DayRecord.day == day, DayRecord.child_id.in_(ids)))}


def day_rows(site: Site, day: date) -> list[Row]:
    children = expected_children(site, day)
    ids = [c.id for c in children]
    records = records_of(site.id, day, ids)
    alerts = alerts_for(ids)
    return [Row(c, records.get(c.id), alerts.get(c.id), pickup_choices(c)) for c in children]


# The today page's rows: one flat named tuple per child with what its row shows (``daily/_day_row.html``
# unpacks it in its loop): the child's id and name, its state, its safety alert, its arrival and departure
# as HH:MM ("" for none), its day record's other fields (None without a record) and the pickup choices (a
# list for a child waiting to go home, else empty).
DayRow = namedtuple("DayRow", "id name state alert arrived departed excuse departure_kind picked_up_by "
                              "exception_reason choices")
_NO_CHOICES = ()


def _day_row(texts, id, name, allergies, high_risk, conditions, arrived_at, departed_at, excuse, departure_kind,
             picked_up_by, exception_reason) -> DayRow:
    """A child's row from its columns (``texts``: a ``labels.TimeTexts``, the times as HH:MM): the
    page's rows and the one row answered after a tap are made here, so they cannot differ."""
    if arrived_at is not None:
        state = "arrived" if departed_at is None else "departed"
    else:
        state = "excused" if excuse else "expected"
    # alert_of's rule (no alert without allergies or the high-risk flag)
    alert = Alert(allergies.strip(), high_risk, conditions.strip()) if allergies.strip() or high_risk else None
    return DayRow(id, name, state, alert, texts[arrived_at], texts[departed_at], excuse, departure_kind, picked_up_by,
                  exception_reason, [] if state == "arrived" else _NO_CHOICES)


# The columns a row is made of: the child's (the row, the alert and the allergy check) and its day
# record's (one outer join; None without a record).
_PAGE_COLUMNS = (Child.id, Child.name, Child.allergies, Child.high_risk, Child.conditions,
                 DayRecord.arrived_at, DayRecord.departed_at, DayRecord.excuse, DayRecord.departure_kind,
                 DayRecord.picked_up_by, DayRecord.exception_reason, Child.may_go_home_alone)


@cache
def _page_rows_statement(workday: bool):
    expected = _expected_enrolments([SITE_ID], DAY, Enrolment.child_id, workday=workday)
    return (select(*_PAGE_COLUMNS).outerjoin(DayRecord, (DayRecord.child_id == Child.id) & (DayRecord.day == DAY))
            .where(Child.site_id == SITE_ID, Child.erased_at.is_(None), Child.id.in_(expected))
            .order_by(Child.name_pinyin, Child.id))


AllergicChild = namedtuple("AllergicChild", "id name allergies")  # what the allergy check reads


def page_rows(site: Site, day: date) -> tuple[list[DayRow], list[AllergicChild], set[int]]:
    """The today page's rows (the same children, order, records and alerts as ``day_rows``) in one
    Core statement, no ORM instances; with the children with an allergy (only they can meet the menu)
    and the ids of those who may go home alone (``with_choices``). No pickup choices yet:
    ``with_choices`` adds them."""
    rows, allergic, alone = [], [], set()
    texts = TimeTexts()  # each distinct time worked out once
    for *columns, may_go_home_alone in run(_page_rows_statement(day.weekday() in WORKDAYS),
                                           {"site_id": site.id, "day": day}).all():  # one fetchall
        row = _day_row(texts, *columns)
        rows.append(row)
        if columns[2].strip():
            allergic.append(AllergicChild(row.id, row.name, columns[2]))
        if may_go_home_alone:
            alone.add(row.id)
    return rows, allergic, alone


def row_of(child: Child, day: date) -> DayRow:
    """One child's row (after a tap), as the page shows it: the child with its people, the record."""
    child = child_with_people(child.id)
    record = db.session.scalar(select(DayRecord).where(DayRecord.child_id == child.id, DayRecord.day == day)
                               .execution_options(populate_existing=True))
    r = record
    fields = ((r.arrived_at, r.departed_at, r.excuse, r.departure_kind, r.picked_up_by, r.exception_reason)
              if r is not None else (None,) * 6)
    row = _day_row(TimeTexts(), child.id, child.name, child.allergies, child.high_risk, child.conditions, *fields)
    return row._replace(choices=pickup_choices(child))


@cache
def _choices_statement():
    """The guardians (kind 0) then the pickup persons (kind 1) of the children ``child_ids``, each by id."""
    from app.children.models import Guardian, PickupPerson

    ids = bindparam("child_ids", expanding=True)
    people = union_all(
        select(literal(0).label("kind"), Guardian.child_id, Guardian.id, Guardian.name, Guardian.relation,
               Guardian.phone).where(Guardian.child_id.in_(ids)),
        select(literal(1).label("kind"), PickupPerson.child_id, PickupPerson.id, PickupPerson.name,
               PickupPerson.relation, PickupPerson.phone).where(PickupPerson.child_id.in_(ids))).subquery()
    return select(people).order_by(people.c.kind, people.c.id)


def with_choices(rows: list[DayRow], alone: set[int]) -> None:
    """Fill in the pickup choices (``pickup_choices``) of the rows that offer them: the children
    arrived and not gone home (``alone``: the ids of those who may go home alone). One query, none
    when no row needs them."""
    waiting = {row.id: row.choices for row in rows if row.state == "arrived"}
    if not waiting:
        return
    people = run(_choices_statement(), {"child_ids": list(waiting)}).all()
    for kind, child_id, person_id, name, relation, phone in people:
        waiting[child_id].append(Choice(f"g{person_id}", "guardian", name, relation, phone, person_id) if kind == 0
                                 else Choice(f"p{person_id}", "pickup", name, relation, phone, person_id))
    for child_id, choices in waiting.items():
        if child_id in alone:
            choices.append(Choice("alone", "alone", ""))


def counts_of(rows: list[Row]) -> dict[str, int]:
    counts = {"expected": len(rows), "arrived": 0, "departed": 0, "missing": 0, "excused": 0}
    for row in rows:
        state = row.state
        if state in ("arrived", "departed"):
            counts["arrived"] += 1
        if state == "departed":
            counts["departed"] += 1
        if state == "expected":
            counts["missing"] += 1
        if state == "excused":
            counts["excused"] += 1
    return counts


def today(site: Site, day: date) -> dict:
    """Everything the today page shows (the site's /today and a coordinator's /home): the expected
    children with their records and alerts, the counts, the unresolved alerts, the day's allergy
    conflicts with the menu, the settings. A fixed number of queries: the pickup choices are asked for
    only when a child waits to go home today, the menu only when an expected child has an allergy, the
    seasons covering the day only when no child is expected (a child is expected only in such a season:
    the page then says which is missing, the season or the children)."""
    from app.core.timeutil import local_today
    from app.health.queries import allergy_conflicts

    rows, allergic, alone = page_rows(site, day)
    is_today = day == local_today()
    if is_today:  # the departure forms (taps work for today only)
        with_choices(rows, alone)
    return dict(site=site, day=day, rows=rows, counts=counts_of(rows),
                seasons=None if rows else season_ids_covering(site.id, day),  # only asked when no child is expected
                is_today=is_today, alerts=unresolved_alerts(site.id), settings=alert_times(site.id),
                conflicts=allergy_conflicts(site, day, allergic) if allergic else [],
                prev_day=date.fromordinal(day.toordinal() - 1), next_day=date.fromordinal(day.toordinal() + 1))


# --- alerts ---------------------------------------------------------------------------------------
# The unresolved alerts as the alert list shows them (``daily/_alert_item.html``: the alert's fields, the
# child's name, the owner's name), read as plain values: every today page and /home asks for them.
OpenAlert = namedtuple("OpenAlert", "id site_id child_id day kind state detail owner_id created_at child owner")
AlertChild = namedtuple("AlertChild", "id name")
AlertOwner = namedtuple("AlertOwner", "id display_name")


@cache
def _unresolved_statement(limit: int):
    from app.auth.models import User

    a = DailyAlert
    return (select(a.id, a.site_id, a.child_id, a.day, a.kind, a.state, a.detail, a.owner_id, a.created_at,
                   Child.name, User.display_name)
            .select_from(a).outerjoin(Child, Child.id == a.child_id).outerjoin(User, User.id == a.owner_id)
            .where(a.site_id == SITE_ID, a.state != "resolved")
            .order_by(a.day.desc(), a.created_at.desc(), a.id.desc()).limit(limit))


def unresolved_alerts(site_id: int, limit: int = 200) -> list[OpenAlert]:
    """The site's alerts not yet resolved, whatever their day: nothing disappears without resolution."""
    return [OpenAlert(*row[:9], AlertChild(row[2], row[9]), AlertOwner(row[7], row[10]) if row[7] is not None else None)
            for row in run(_unresolved_statement(limit), {"site_id": site_id}).all()]


def resolved_alerts(site_id: int, limit: int = 50) -> list[DailyAlert]:
    return list(db.session.scalars(
        select(DailyAlert).where(DailyAlert.site_id == site_id, DailyAlert.state == "resolved")
        .options(joinedload(DailyAlert.child), joinedload(DailyAlert.owner), joinedload(DailyAlert.resolved_by))
        .order_by(DailyAlert.resolved_at.desc(), DailyAlert.id.desc()).limit(limit)))


def alert_with_people(alert_id: int) -> DailyAlert:
    return db.session.scalars(select(DailyAlert).where(DailyAlert.id == alert_id).options(
        joinedload(DailyAlert.child), joinedload(DailyAlert.owner), joinedload(DailyAlert.resolved_by))
        .execution_options(populate_existing=True)).one()


def open_alerts_managed_by(user_id_column):
    """The same count as ``open_alert_count(user, SITE_MANAGE)`` for a user who is no administrator,
    as a column correlated to ``user_id_column``: the signed-in user's statement carries it for a
    coordinator, so the badge costs no statement of its own (app/__init__.py, load_user)."""
    from app.auth.models import RoleGrant
    from app.core.permissions import SITE_MANAGE, SITE_NEED_ROLES

    # the roles as plain comparisons: an IN list is an "expanding" parameter, which SQLAlchemy
    # rewrites into the SQL on every execution of a statement otherwise compiled once
    managed = select(RoleGrant.site_id).where(RoleGrant.user_id == user_id_column,
                                              or_(*(RoleGrant.role == role
                                                    for role in sorted(SITE_NEED_ROLES[SITE_MANAGE]))))
    managed = managed.correlate_except(RoleGrant)  # two levels down: the user is the outer statement's
    return (select(func.count()).select_from(DailyAlert.__table__)
            .where(DailyAlert.state != "resolved", DailyAlert.site_id.in_(managed.scalar_subquery()))
            .scalar_subquery())


def open_alert_count(user, need: str = SITE_VIEW) -> int:
    """Alerts not yet resolved on the sites where ``user`` holds ``need`` (the navigation badge asks
    for the sites they coordinate; it counts on every page of a coordinator, so its statement is
    built once)."""
    if not getattr(user, "is_authenticated", False):
        return 0
    sites = visible_site_ids(user, need)
    if sites is not None and not sites:
        return 0
    # asked on every page a coordinator opens: the statement is built once and runs through Core
    # (one indexed count, no ORM entity), so only its parameters change between requests
    every = prepared("daily.open_alerts", lambda: select(func.count()).select_from(DailyAlert.__table__)
                     .where(DailyAlert.state != "resolved"))
    if sites is None:
        return run(every).scalar() or 0
    of_sites = prepared("daily.open_alerts_of_sites", lambda: every.where(
        DailyAlert.site_id.in_(bindparam("sites", expanding=True))))
    return run(of_sites, {"sites": sorted(sites)}).scalar() or 0


def history_of(site_id: int, day: date, limit: int = 100) -> list[DayRecordChange]:
    return list(db.session.scalars(
        select(DayRecordChange).join(DayRecord, DayRecord.id == DayRecordChange.record_id)
        .where(DayRecord.site_id == site_id, DayRecord.day == day)
        .order_by(DayRecordChange.id.desc()).limit(limit)))


# --- incidents ------------------------------------------------------------------------------------
def incidents_of(site: Site):
    return (select(Incident).where(Incident.site_id == site.id)
            .options(selectinload(Incident.children).joinedload(IncidentChild.child),
                     selectinload(Incident.reports))
            .order_by(Incident.occurred_at.desc(), Incident.id.desc()))


def incident_record(incident_id: int) -> Incident:
    return db.session.scalars(select(Incident).where(Incident.id == incident_id).options(
        selectinload(Incident.children).joinedload(IncidentChild.child),
        selectinload(Incident.addenda).joinedload(IncidentAddendum.author),
        selectinload(Incident.reports).joinedload(IncidentReport.recorded_by),
        joinedload(Incident.recorded_by)).execution_options(populate_existing=True)).one()


def site_children(site_id: int) -> list[Child]:
    """The site's children (not erased), for choosing who was involved."""
    return list(db.session.scalars(select(Child).where(Child.site_id == site_id, Child.erased_at.is_(None))
                                   .order_by(Child.name_pinyin, Child.id)))


# --- homework -------------------------------------------------------------------------------------
def enrolled_in(season: Season) -> list[Child]:
    return list(db.session.scalars(
        select(Child).join(Enrolment, Enrolment.child_id == Child.id)
        .where(Enrolment.season_id == season.id, Enrolment.status == "enrolled", Child.erased_at.is_(None))
        .order_by(Child.name_pinyin, Child.id)))


def _done_by_plan(plan_ids) -> dict[int, int]:
    ids = list(plan_ids)
    if not ids:
        return {}
    return dict(db.session.execute(select(HomeworkProgress.plan_id, func.sum(HomeworkProgress.units_done))
                                   .where(HomeworkProgress.plan_id.in_(ids)).group_by(HomeworkProgress.plan_id)).all())


def units_done(plan_id: int) -> int:
    return int(db.session.scalar(select(func.coalesce(func.sum(HomeworkProgress.units_done), 0))
                                 .where(HomeworkProgress.plan_id == plan_id)) or 0)


@dataclass
class PlanState:
    plan: HomeworkPlan
    done: int

    @property
    def percent(self) -> int:
        return min(100, round(100 * self.done / self.plan.units)) if self.plan.units else 0

    @property
    def finished(self) -> bool:
        return self.done >= self.plan.units


@dataclass
class ChildHomework:
    child: Child
    plans: list[PlanState]

    @property
    def units(self) -> int:
        return sum(p.plan.units for p in self.plans)

    @property
    def done(self) -> int:
        return sum(min(p.done, p.plan.units) for p in self.plans)

    @property
    def percent(self) -> int | None:
        return round(100 * self.done / self.units) if self.units else None

    @property
    def finished(self) -> bool:
        return bool(self.plans) and all(p.finished for p in self.plans)


def season_homework(season: Season) -> list[ChildHomework]:
    """Every enrolled child of the season with its plans and units done (three queries)."""
    children = enrolled_in(season)
    plans = list(db.session.scalars(select(HomeworkPlan).where(HomeworkPlan.season_id == season.id)
                                    .order_by(HomeworkPlan.subject, HomeworkPlan.id)))
    done = _done_by_plan(p.id for p in plans)
    by_child: dict[int, list[PlanState]] = {}
    for plan in plans:
        by_child.setdefault(plan.child_id, []).append(PlanState(plan, int(done.get(plan.id, 0))))
    return [ChildHomework(c, by_child.get(c.id, [])) for c in children]


def child_homework(child: Child, season: Season) -> tuple[ChildHomework, list[HomeworkPlan]]:
    plans = list(db.session.scalars(
        select(HomeworkPlan).where(HomeworkPlan.child_id == child.id, HomeworkPlan.season_id == season.id)
        .options(selectinload(HomeworkPlan.entries).joinedload(HomeworkProgress.recorded_by))
        .order_by(HomeworkPlan.subject, HomeworkPlan.id).execution_options(populate_existing=True)))
    states = [PlanState(p, sum(e.units_done for e in p.entries)) for p in plans]
    return ChildHomework(child, states), plans


def plan_record(plan_id: int) -> HomeworkPlan:
    return db.session.scalars(select(HomeworkPlan).where(HomeworkPlan.id == plan_id).options(
        joinedload(HomeworkPlan.child), joinedload(HomeworkPlan.season))).one()


def homework_outcomes(season: Season) -> dict[str, int]:
    """The outcomes panel's homework piece: children who finished every plan / children enrolled."""
    enrolled = select(Enrolment.child_id).where(Enrolment.season_id == season.id, Enrolment.status == "enrolled")
    done = (select(HomeworkProgress.plan_id, func.sum(HomeworkProgress.units_done).label("done"))
            .group_by(HomeworkProgress.plan_id).subquery())
    per_child = (select(HomeworkPlan.child_id,
                        func.min(case((func.coalesce(done.c.done, 0) >= HomeworkPlan.units, 1), else_=0)).label("all_done"))
                 .outerjoin(done, done.c.plan_id == HomeworkPlan.id)
                 .where(HomeworkPlan.season_id == season.id, HomeworkPlan.child_id.in_(enrolled))
                 .group_by(HomeworkPlan.child_id).subquery())
    finished = db.session.scalar(select(func.count()).select_from(per_child).where(per_child.c.all_done == 1)) or 0
    total = db.session.scalar(select(func.count()).select_from(enrolled.subquery())) or 0
    return {"finished": int(finished), "enrolled": int(total)}
