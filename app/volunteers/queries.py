"""Reads for volunteers: each loads what its page needs up front, in a fixed number of queries."""
from __future__ import annotations

from collections import namedtuple
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import Select, and_, bindparam, case, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from app.core.formats import format_duration
from app.core.permissions import STAFF, VOLUNTEER, where_visible
from app.core.pinyin import by_pinyin, pinyin_key
from app.core.db import prepared, run
from app.core.pagination import PAGE_LIMIT, PAGE_OFFSET, paginate_built
from app.extensions import db
from app.sites.models import Party, Season, Site
from app.sites.queries import current_season
from app.volunteers.eligibility import check_expires_on, eligibility_many, evaluate, facts_for
from app.auth.models import RoleGrant, User
from app.volunteers.models import (BackgroundCheck, Certificate, HourCorrection, HourEntry, TrainingAttendance, TrainingKind,
                                   TrainingSession, VolunteerApplication, VolunteerProfile, VolunteerSettings)

# How a profile in a URL is loaded (@requires): with its account (joined), without that account's
# grants (``User.grants`` is eager elsewhere): no page of a profile shows them, and
# ``has_other_roles`` asks the database instead.
PROFILE_LOAD = (joinedload(VolunteerProfile.user).lazyload(User.grants),)




def soon_days() -> int:
    return int(current_app.config["VOLUNTEER_DUE_SOON_DAYS"])


def profile_for_user(user) -> VolunteerProfile | None:
    return db.session.scalar(select(VolunteerProfile).where(VolunteerProfile.user_id == user.id))


def profiles_of(site: Site, show_archived: bool = False, search: str = "") -> Select:
    query = (select(VolunteerProfile).options(selectinload(VolunteerProfile.party))
             .where(VolunteerProfile.site_id == site.id)
             .order_by(by_pinyin(VolunteerProfile.real_name), VolunteerProfile.id))
    if not show_archived:
        query = query.where(VolunteerProfile.archived_at.is_(None))
    if search:
        like = f"%{search}%"
        query = query.where(VolunteerProfile.real_name.ilike(like) | VolunteerProfile.phone.ilike(like)
                            | VolunteerProfile.volunteer_number.ilike(like))
    return query


def active_profiles(site: Site) -> list[VolunteerProfile]:
    return list(db.session.scalars(select(VolunteerProfile).where(
        VolunteerProfile.site_id == site.id, VolunteerProfile.archived_at.is_(None))
        .order_by(by_pinyin(VolunteerProfile.real_name), VolunteerProfile.id)))


def volunteer_parties(site_id: int) -> list[Party]:
    return list(db.session.scalars(select(Party).where(
        Party.site_id == site_id, Party.archived_at.is_(None)).order_by(Party.kind, Party.name)))


def list_rows(profiles: list[VolunteerProfile], today: date) -> list[dict]:
    """Each volunteer with today's eligibility (three queries for the whole page)."""
    verdicts = eligibility_many(profiles, today)
    return [dict(profile=p, eligibility=verdicts[p.id]) for p in profiles]


@dataclass
class DueItem:
    profile: VolunteerProfile
    what: str
    expires_on: date | None
    state: str


def due_soon(site: Site, today: date) -> list[DueItem]:
    """Trainings, background checks and insurance that lapse within the warning window or already have."""
    from flask_babel import gettext as _

    profiles = active_profiles(site)
    facts = facts_for(profiles)
    horizon = today + timedelta(days=soon_days())
    items: list[DueItem] = []
    for profile in profiles:
        f = facts[profile.id]
        for q in f.qualifications:
            if q.kind.required and (q.expires_on is None or q.expires_on <= horizon):
                items.append(DueItem(profile, q.kind.name, q.expires_on, q.state(today, soon_days())))
        check_end = check_expires_on(f.latest_check) if f.latest_check else None
        if check_end is None or check_end <= horizon:
            state = "missing" if check_end is None else ("expired" if check_end <= today else "due_soon")
            items.append(DueItem(profile, _("Background check"), check_end, state))
        if profile.insurance_until and profile.insurance_until <= horizon:
            items.append(DueItem(profile, _("Accident insurance"), profile.insurance_until,
                                 "expired" if profile.insurance_until < today else "due_soon"))
    order = {"expired": 0, "missing": 1, "due_soon": 2, "valid": 3}
    items.sort(key=lambda i: (order[i.state], i.expires_on or date.min, pinyin_key(i.profile.real_name)))
    return items


def profile_page(profile: VolunteerProfile, today: date) -> dict:
    """The volunteer page's trainings, checks and today's verdict: the facts loaded once (checks
    read once, for the list and for the rule)."""
    checks = list(db.session.scalars(prepared("volunteers.checks", lambda: (
        select(BackgroundCheck).where(BackgroundCheck.profile_id == bindparam("profile_id"))
        .order_by(BackgroundCheck.checked_on.desc(), BackgroundCheck.id.desc()))), {"profile_id": profile.id}))
    facts = facts_for([profile], today, checks=checks)[profile.id]
    return dict(qualifications=facts.qualifications, checks=checks, eligibility=evaluate(profile, today, facts),
                check_expires_on=check_expires_on(facts.latest_check) if facts.latest_check else None,
                soon_days=soon_days())


def has_other_roles(profile: VolunteerProfile) -> bool:
    """Does the profile's account hold any role beyond "volunteer on the profile's site" (coordinator,
    auditor or guardian anywhere, administrator, or volunteer on another site)? One EXISTS-like
    statement on the account's grants (a profile in a URL comes without them, ``PROFILE_LOAD``). A
    volunteer grant without a site counts as SQL's ``NOT (role = volunteer AND site_id = ?)``
    counts it: not at all."""
    statement = prepared("volunteers.other_roles", lambda: (
        select(RoleGrant.id).where(RoleGrant.user_id == bindparam("user_id"),
                                   or_(RoleGrant.role != VOLUNTEER,
                                       and_(RoleGrant.site_id.is_not(None), RoleGrant.site_id != bindparam("site_id"))))
        .limit(1)))
    return run(statement, {"user_id": profile.user_id, "site_id": profile.site_id}).first() is not None


def certificate_period(profile: VolunteerProfile, today: date) -> tuple[date, date]:
    """The period a new certificate form proposes: the current season up to today, else this year."""
    season = current_season(profile.site_id, today)
    if season is not None and season.start_date <= today:
        return season.start_date, min(season.end_date, today)
    return today.replace(month=1, day=1), today


def totals(profile: VolunteerProfile) -> dict:
    """Approved and pending minutes per season and overall, in one query."""
    rows = db.session.execute(prepared("volunteers.totals", lambda: (
        select(HourEntry.season_id, Season.name, Season.start_date,
               func.sum(case((HourEntry.status == "approved", HourEntry.minutes), else_=0)),
               func.sum(case((HourEntry.status == "pending", HourEntry.minutes), else_=0)))
        .outerjoin(Season, HourEntry.season_id == Season.id)
        .where(HourEntry.profile_id == bindparam("profile_id"))
        .group_by(HourEntry.season_id, Season.name, Season.start_date))), {"profile_id": profile.id}).all()
    seasons = sorted(({"name": name, "start": start, "approved": int(a or 0), "pending": int(p or 0)}
                      for _sid, name, start, a, p in rows), key=lambda r: r["start"] or date.min, reverse=True)
    return dict(seasons=seasons, approved=sum(r["approved"] for r in seasons),
                pending=sum(r["pending"] for r in seasons))


def history_page(profile: VolunteerProfile, per_page: int):
    """A page of a volunteer's hour entries, newest first, with their corrections, and how many there
    are: the page and its total in one statement, built once (``paginate_built``)."""
    return paginate_built(prepared("volunteers.history_page", lambda: (
        select(HourEntry, func.count().over()).options(selectinload(HourEntry.corrections))
        .where(HourEntry.profile_id == bindparam("profile_id"))
        .order_by(HourEntry.work_date.desc(), HourEntry.starts_at.desc())
        .limit(bindparam(PAGE_LIMIT)).offset(bindparam(PAGE_OFFSET)))),
        {"profile_id": profile.id}, _first, per_page=per_page)


def _first(row) -> HourEntry:
    return row[0]


@dataclass
class QueuePage:
    items: list
    total: int
    per_page: int
    _durations: dict = field(default_factory=dict, repr=False)

    @property
    def pages(self) -> int:
        return -(-self.total // self.per_page)

    def duration(self, minutes) -> str:
        """``|duration`` of ``minutes`` ("2.5 小时"), worked out once per distinct number of minutes
        on the page (when the page is shown: it is in the reader's language)."""
        text = self._durations.get(minutes)
        if text is None:
            text = self._durations[minutes] = format_duration(minutes)
        return text

    def lines(self, home_url, correct_url) -> list:
        """The rows as the table shows them (``QueueLine``): each with its duration and the URLs of
        the volunteer's page and of the correction (``url_maker`` functions of their ids), worked
        out here, where a call costs a tenth of one in the template."""
        duration = self.duration
        return [QueueLine(*row, duration(row.minutes), home_url(row.profile_id), correct_url(row.id))
                for row in self.items]


QueueRow = namedtuple("QueueRow", "id profile_id work_date starts_at ends_at minutes activity source real_name "
                                   "party_name day starts ends")
QueueLine = namedtuple("QueueLine", QueueRow._fields + ("duration", "home_url", "correct_url"))


def pending_queue(site: Site, per_page: int = 100) -> QueuePage:
    """The oldest pending entries of a site with the columns the queue shows (no objects), and how
    many are waiting, in one statement (``count(*) OVER ()``). Each row also carries its day (ISO)
    and times (HH:MM) as text, and the page its rows' durations (``page.duration(minutes)``), so the
    table's template formats nothing per row."""
    result = db.session.execute(prepared("volunteers.pending_queue", lambda: (
        select(HourEntry.id, HourEntry.profile_id, HourEntry.work_date, HourEntry.starts_at, HourEntry.ends_at,
               HourEntry.minutes, HourEntry.activity, HourEntry.source, VolunteerProfile.real_name,
               Party.name.label("party_name"), func.count().over())
        .join(VolunteerProfile, HourEntry.profile_id == VolunteerProfile.id)
        .outerjoin(Party, VolunteerProfile.party_id == Party.id)
        .where(HourEntry.site_id == bindparam("site_id"), HourEntry.status == "pending")
        .order_by(HourEntry.work_date, HourEntry.starts_at, HourEntry.id).limit(bindparam("limit")))),
        {"site_id": site.id, "limit": per_page})
    rows = []
    total = 0
    for row in result:
        total = row[-1]
        rows.append(QueueRow(*row[:-1], row[2].isoformat(), row[3].strftime("%H:%M"), row[4].strftime("%H:%M")))
    return QueuePage(rows, total, per_page)


def entry_with_history(entry: HourEntry) -> HourEntry:
    return db.session.scalar(select(HourEntry).options(
        joinedload(HourEntry.profile),
        selectinload(HourEntry.corrections).joinedload(HourCorrection.changed_by))
        .where(HourEntry.id == entry.id))


def applications_of(site: Site, status: str = "applied") -> list[VolunteerApplication]:
    return list(db.session.scalars(select(VolunteerApplication).where(
        VolunteerApplication.site_id == site.id, VolunteerApplication.status == status)
        .order_by(VolunteerApplication.created_at.desc()).limit(200)))


def training_kinds_of(site: Site, show_archived: bool = False) -> Select:
    query = select(TrainingKind).where(TrainingKind.site_id == site.id).order_by(TrainingKind.name)
    if not show_archived:
        query = query.where(TrainingKind.archived_at.is_(None))
    return query


def active_kinds(site: Site) -> list[TrainingKind]:
    return list(db.session.scalars(training_kinds_of(site)))


def training_sessions_of(site: Site) -> Select:
    return (select(TrainingSession).options(joinedload(TrainingSession.kind))
            .where(TrainingSession.site_id == site.id)
            .order_by(TrainingSession.held_on.desc(), TrainingSession.id.desc()))


def attendee_counts(sessions: list[TrainingSession]) -> dict[int, int]:
    ids = [s.id for s in sessions] or [-1]
    return dict(db.session.execute(select(TrainingAttendance.session_id, func.count()).where(
        TrainingAttendance.session_id.in_(ids)).group_by(TrainingAttendance.session_id)).all())


def settings_of(site_id: int) -> VolunteerSettings | None:
    return db.session.get(VolunteerSettings, site_id)


def site_with_settings(site_id: int) -> tuple[Site, VolunteerSettings | None]:
    """The site and its certificate settings in one statement (a volunteer's page shows both; the
    site is then in the identity map, so ``profile.site`` reads nothing more)."""
    site, settings = db.session.execute(prepared("volunteers.site_with_settings", lambda: (
        select(Site, VolunteerSettings).outerjoin(VolunteerSettings, VolunteerSettings.site_id == Site.id)
        .where(Site.id == bindparam("site_id")))), {"site_id": site_id}).one()
    return site, settings


def certificates_of_site(site: Site) -> Select:
    # the holder's profile comes along: the page asks who may open each certificate (its owner)
    return (select(Certificate).options(joinedload(Certificate.profile)).where(Certificate.site_id == site.id)
            .order_by(Certificate.issued_at.desc(), Certificate.id.desc()))


def certificates_of(profile: VolunteerProfile) -> list[Certificate]:
    return list(db.session.scalars(prepared("volunteers.certificates_of", lambda: (
        select(Certificate).where(Certificate.profile_id == bindparam("profile_id"))
        .order_by(Certificate.issued_at.desc(), Certificate.id.desc()))), {"profile_id": profile.id}))


def certificate_by_number(number: str) -> Certificate | None:
    """The certificate with its holder's profile and the certificate that replaced it (for /verify)."""
    return db.session.scalar(select(Certificate).options(joinedload(Certificate.profile),
                                                         joinedload(Certificate.superseded_by))
                             .where(Certificate.number == number.strip().upper()))


def staff_hub(user) -> list[dict]:
    """The sites a staff member may see, with pending hours and applications, in four queries."""
    sites = list(db.session.scalars(select(Site).where(Site.archived_at.is_(None), where_visible(Site.id, user, STAFF))
                                    .order_by(Site.name).limit(100)))
    ids = [s.id for s in sites] or [-1]
    pending = dict(db.session.execute(select(HourEntry.site_id, func.count()).where(
        HourEntry.site_id.in_(ids), HourEntry.status == "pending").group_by(HourEntry.site_id)).all())
    applied = dict(db.session.execute(select(VolunteerApplication.site_id, func.count()).where(
        VolunteerApplication.site_id.in_(ids), VolunteerApplication.status == "applied")
        .group_by(VolunteerApplication.site_id)).all())
    volunteers = dict(db.session.execute(select(VolunteerProfile.site_id, func.count()).where(
        VolunteerProfile.site_id.in_(ids), VolunteerProfile.archived_at.is_(None))
        .group_by(VolunteerProfile.site_id)).all())
    return [dict(site=s, pending=pending.get(s.id, 0), applied=applied.get(s.id, 0),
                 volunteers=volunteers.get(s.id, 0)) for s in sites]
