"""Reads of the staffing half of scheduling: who is on a session and who could be (with the reasons
someone cannot), adult-to-child ratios, open shifts and swap offers, a volunteer's own shifts,
the coordinator's lists (uncovered, unconfirmed, never checked out) and calendar feeds.

Every list runs a fixed number of queries whatever its length; templates receive plain rows.
A person "holds a place" on a session while their row's status is in ``ACTIVE_STAFF_STATUSES``
(rostered, confirmed, or offered for a swap that nobody has taken yet). The lead of a session is
``Session.lead_id`` (a coordinator of the site), as in the week grid.
"""
from __future__ import annotations

import hashlib
from functools import cache
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import and_, bindparam, func, literal, literal_column, select
from sqlalchemy.orm import joinedload

from app.auth.models import RoleGrant, User
from app.core.db import run
from app.core.permissions import COORDINATOR
from app.core.timeutil import LOCAL_TZ, local_now
from app.extensions import db
from app.scheduling.models import (ACTIVE_STAFF_STATUSES, DEFAULT_CHILDREN_PER_ADULT, DEFAULT_MAX_GROUP_SIZE,
                                   DEFAULT_RELEASE_CUTOFF_HOURS, Activity, CalendarToken, Group, GroupMember,
                                   SchedulingSettings, Session, SessionStaff, Unavailability)
from app.sites.models import Room, Site
from app.volunteers.eligibility import evaluate, facts_for
from app.volunteers.models import IdentityMixin, VolunteerProfile

CHECK_IN_OPENS_MINUTES = 60   # a volunteer may check in from an hour before the shift
LOOK_AHEAD_DAYS = 28          # the phone lists shifts of the next four weeks
FEED_PAST_DAYS = 30           # a calendar feed keeps a month of past shifts

# The statements the roster and the phone page run on every visit are built once (``@cache``), their
# values bound by name at each run: building a select and its cache key cost more than running
# it, and a statement object keeps its cache key.


# --- settings and times ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Settings:
    children_per_adult: int = DEFAULT_CHILDREN_PER_ADULT
    max_group_size: int = DEFAULT_MAX_GROUP_SIZE
    release_cutoff_hours: int = DEFAULT_RELEASE_CUTOFF_HOURS


def _settings_from(row) -> Settings:
    """A site's settings from a row of their columns (all None: the site has no row: the defaults)."""
    if row is None or row.children_per_adult is None:
        return Settings()
    return Settings(row.children_per_adult, row.max_group_size, row.release_cutoff_hours)


def settings_of(site_id: int) -> Settings:
    """The site's ratio and cut-off (the defaults for a site without a row)."""
    return _settings_from(run(_settings_statement(), dict(site_id=site_id)).first())


@cache
def _settings_statement():
    return select(SchedulingSettings.children_per_adult, SchedulingSettings.max_group_size,
                  SchedulingSettings.release_cutoff_hours).where(SchedulingSettings.site_id == bindparam("site_id"))


def starts_at(session: Session) -> datetime:
    """When the session starts (aware, Asia/Shanghai)."""
    return datetime.combine(session.on_date, session.starts_at, tzinfo=LOCAL_TZ)


def ends_at(session: Session) -> datetime:
    return datetime.combine(session.on_date, session.ends_at, tzinfo=LOCAL_TZ)


def cutoff_of(session: Session, settings: Settings) -> datetime:
    """Until when a volunteer may give the shift up and simply reopen it."""
    return starts_at(session) - timedelta(hours=settings.release_cutoff_hours)


def hhmm(session: Session) -> str:
    return f"{session.starts_at.strftime('%H:%M')}–{session.ends_at.strftime('%H:%M')}"


def token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


# --- ratio ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Ratio:
    adults: int
    children: int
    ok: bool
    children_per_adult: int
    max_group_size: int

    def __iter__(self):  # (adults, children, ok), as ratio_for promises
        return iter((self.adults, self.children, self.ok))


def _ratio(adults: int, children: int, cancelled: bool, settings: Settings) -> Ratio:
    ok = cancelled or (children <= adults * settings.children_per_adult and children <= settings.max_group_size)
    return Ratio(adults, children, ok, settings.children_per_adult, settings.max_group_size)


def ratios(session_ids) -> dict[int, Ratio]:
    """Each session's adults (its lead and the volunteers holding a place) against its children
    (its group's members), judged by the site's threshold: at most ``children_per_adult`` children
    per adult and at most ``max_group_size`` children. A cancelled session is never below ratio.
    One query whatever the number of sessions."""
    ids = sorted({int(i) for i in session_ids})
    if not ids:
        return {}
    out = {}
    for r in run(_ratios_statement(), dict(session_ids=ids)):
        out[r.id] = ratio_of(r.lead_id, r.volunteers, r.children, r.cancelled, _settings_from(r))
    return out


@cache
def _ratios_statement():
    return (select(Session.id, Session.lead_id, Session.cancelled,
                   volunteers_holding_places(Session.id).label("volunteers"),
                   group_size(Session.group_id).label("children"), SchedulingSettings.children_per_adult,
                   SchedulingSettings.max_group_size, SchedulingSettings.release_cutoff_hours)
            .outerjoin(SchedulingSettings, SchedulingSettings.site_id == Session.site_id)
            .where(Session.id.in_(bindparam("session_ids", expanding=True))))


def ratio_for(session_ids) -> dict[int, tuple[int, int, bool]]:
    """For the week grid: ``{session id: (adults, children, ok)}`` in one query; ``ok`` is False
    for a session below the site's ratio or above its largest group."""
    return {sid: tuple(ratio) for sid, ratio in ratios(session_ids).items()}


# --- who is busy, unavailable, or not eligible -----------------------------------------------------------
@cache
def _busy_statement():
    # Every session has a site: "site_id IN (every site)" changes nothing but lets the database
    # find the day's sessions through the (site, day) index instead of reading all sessions, and
    # "user_id + 0" keeps it from probing the (session, person) index once per asked person.
    return (select(Session.id, Session.starts_at, Session.ends_at, Session.lead_id, Activity.name.label("activity"),
                   SessionStaff.id.label("staff_id"), SessionStaff.user_id)
            .select_from(Session).join(Activity, Activity.id == Session.activity_id)
            .outerjoin(SessionStaff, and_(SessionStaff.session_id == Session.id,
                                          (SessionStaff.user_id + literal_column("0")).in_(bindparam("user_ids", expanding=True)),
                                          SessionStaff.status.in_(ACTIVE_STAFF_STATUSES)))
            .where(Session.site_id.in_(select(Site.id)), Session.on_date == bindparam("day"),
                   Session.cancelled.is_(False), Session.starts_at < bindparam("session_end"),
                   Session.ends_at > bindparam("session_start"), Session.id != bindparam("session_id"))
            .order_by(Session.starts_at, Session.id))


def busy_elsewhere(user_ids, session: Session) -> dict[int, str]:
    """Of ``user_ids``, those already on another session at an overlapping time that day (leading it
    or holding a place), each with the reason in words: "Already on 书法 at 09:00–10:30." One
    query (the overlapping sessions, each with the asked people holding a place on it). Sessions of
    every site count: a person cannot be in two places at once anywhere. Leading a session counts
    first (the earliest such session), then places in the order they were made."""
    user_ids = set(user_ids)
    if not user_ids:
        return {}
    rows = run(_busy_statement(), dict(
        user_ids=list(user_ids), day=session.on_date, session_start=session.starts_at,
        session_end=session.ends_at, session_id=session.id)).all()
    found: dict[int, object] = {}
    for row in rows:  # one row per (session, person on it); the sessions in order
        if row.lead_id in user_ids:
            found.setdefault(row.lead_id, row)
    for row in sorted((r for r in rows if r.staff_id is not None), key=lambda r: r.staff_id):
        found.setdefault(row.user_id, row)
    return {user_id: _("Already on %(activity)s at %(time)s.", activity=other.activity, time=hhmm(other))
            for user_id, other in found.items()}


def unavailable_on(profile_ids, day: date) -> dict[int, str]:
    """Of ``profile_ids``, those who marked ``day`` as a day they cannot come, with the reason."""
    profile_ids = list(set(profile_ids))
    if not profile_ids:
        return {}
    rows = db.session.execute(select(Unavailability.profile_id, Unavailability.reason).where(
        Unavailability.profile_id.in_(profile_ids), Unavailability.on_date == day)).all()
    return {pid: unavailable_reason(reason) for pid, reason in rows}


def unavailable_reason(reason: str) -> str:
    if reason:
        return _("Unavailable that day: %(reason)s", reason=reason)
    return _("Unavailable that day.")


def _reasons(profile, session: Session, facts, unavailable: str | None, busy: str | None) -> list[str]:
    """Why ``profile`` may not serve on ``session``, in the order the roster shows them: not of the
    site, the eligibility rule's reasons on the session's day, unavailable that day, already on
    another session then."""
    reasons = list(evaluate(profile, session.on_date, facts).reasons)
    if profile.site_id != session.site_id:
        reasons.insert(0, _("Not a volunteer of this site."))
    if unavailable is not None:
        reasons.append(unavailable)
    if busy is not None:
        reasons.append(busy)
    return reasons


def reasons_against(profiles: list[VolunteerProfile], session: Session, *, facts_day: date | None = None
                    ) -> dict[int, list[str]]:
    """Why each volunteer may not serve on ``session``: the eligibility rule's reasons on the
    session's day, then "unavailable that day", then "already on ... at ...". Empty: may serve.
    Five queries whatever the number of volunteers."""
    if not profiles:
        return {}
    facts = facts_for(profiles, facts_day or session.on_date)
    unavailable = unavailable_on([p.id for p in profiles], session.on_date)
    busy = busy_elsewhere([p.user_id for p in profiles], session)
    return {p.id: _reasons(p, session, facts[p.id], unavailable.get(p.id), busy.get(p.user_id)) for p in profiles}


# --- the coordinator's roster page ---------------------------------------------------------------------
@dataclass
class StaffRow:
    staff: SessionStaff
    name: str
    status: str
    confirmed: bool
    checked_in_at: datetime | None
    checked_out_at: datetime | None
    hour_entry_id: int | None


def _volunteer_columns():
    return (VolunteerProfile.id, VolunteerProfile.user_id, VolunteerProfile.site_id, VolunteerProfile.real_name,
            VolunteerProfile.archived_at, VolunteerProfile.birth_date, VolunteerProfile.guardian_consent)


class Volunteer:
    """What the roster shows of a volunteer and what the eligibility rule reads (``evaluate`` and
    ``facts_for`` take it for a profile): plain columns, not an ORM profile with its account and
    the account's roles."""
    __slots__ = ("id", "user_id", "site_id", "real_name", "archived_at", "birth_date", "guardian_consent")
    is_minor = IdentityMixin.is_minor

    def __init__(self, id, user_id, site_id, real_name, archived_at, birth_date, guardian_consent):  # noqa: A002
        self.id, self.user_id, self.site_id, self.real_name = id, user_id, site_id, real_name
        self.archived_at, self.birth_date, self.guardian_consent = archived_at, birth_date, guardian_consent


@dataclass
class Candidate:
    profile: VolunteerProfile | Volunteer
    reasons: list[str]
    holds_place: bool = False

    @property
    def ok(self) -> bool:
        return not self.reasons and not self.holds_place


@dataclass
class LeadChoice:
    user_id: int
    name: str
    busy: str = ""


def leads_of(site_id: int):
    """Who can lead a session: the site's active coordinators (social workers), as rows of
    ``id`` and ``display_name``."""
    return run(_leads_statement(), dict(site_id=site_id)).all()


@cache
def _leads_statement():
    return (select(User.id, User.display_name).join(RoleGrant, RoleGrant.user_id == User.id).where(
        RoleGrant.site_id == bindparam("site_id"), RoleGrant.role == COORDINATOR, User.active.is_(True))
        .order_by(User.display_name).distinct())


@cache
def _roster_statements():
    """The session's names (activity, group, room, lead) with the site's settings (None without a
    row) and the group's size; the people on it; the site's volunteers with their unavailability."""
    children = select(func.count()).where(GroupMember.group_id == Session.group_id).scalar_subquery()
    head = (select(Activity.name.label("activity_name"), Group.name.label("group_name"), Room.name.label("room_name"),
                   User.display_name.label("lead_name"), SchedulingSettings.children_per_adult,
                   SchedulingSettings.max_group_size, SchedulingSettings.release_cutoff_hours,
                   children.label("children"))
            .select_from(Session).join(Activity, Activity.id == Session.activity_id)
            .join(Group, Group.id == Session.group_id).join(Room, Room.id == Session.room_id)
            .outerjoin(User, User.id == Session.lead_id)
            .outerjoin(SchedulingSettings, SchedulingSettings.site_id == Session.site_id)
            .where(Session.id == bindparam("session_id")))
    staff = (select(SessionStaff.id, SessionStaff.user_id, SessionStaff.role, SessionStaff.status,
                    SessionStaff.checked_in_at, SessionStaff.checked_out_at,
                    func.coalesce(VolunteerProfile.real_name, User.display_name).label("name"))
             .select_from(SessionStaff).join(User, User.id == SessionStaff.user_id)
             .outerjoin(VolunteerProfile, VolunteerProfile.id == SessionStaff.profile_id)
             .where(SessionStaff.session_id == bindparam("session_id")).order_by(SessionStaff.id))
    volunteers = (select(*_volunteer_columns(), Unavailability.id.label("unavailable_id"), Unavailability.reason)
                  .outerjoin(Unavailability, and_(Unavailability.profile_id == VolunteerProfile.id,
                                                  Unavailability.on_date == bindparam("day")))
                  .where(VolunteerProfile.site_id == bindparam("site_id"), VolunteerProfile.archived_at.is_(None))
                  .order_by(VolunteerProfile.real_name))
    return head, staff, volunteers


def roster_page(session: Session) -> dict:
    """Everything the roster page shows, in eight queries whatever the number of volunteers: the
    session's names with the site's settings and the group's size; the people on it; the site's
    volunteers with their unavailability that day; the rule's facts (three); who is busy elsewhere
    (volunteers and leads at once); the leads. The ratio is counted from these (as ``ratios``)."""
    head_statement, staff_statement, volunteers_statement = _roster_statements()
    head = run(head_statement, dict(session_id=session.id)).one()
    settings = _settings_from(head)
    staff = run(staff_statement, dict(session_id=session.id)).all()
    holding = {s.user_id for s in staff if s.status in ACTIVE_STAFF_STATUSES}
    profiles, unavailable = [], {}
    for row in run(volunteers_statement, dict(day=session.on_date, site_id=session.site_id)):
        profiles.append(Volunteer(*row[:7]))
        if row.unavailable_id is not None:
            unavailable[row.id] = unavailable_reason(row.reason)
    facts = facts_for(profiles, session.on_date)
    leads = leads_of(session.site_id)
    busy = busy_elsewhere([p.user_id for p in profiles] + [u.id for u in leads], session)
    candidates = [Candidate(p, _reasons(p, session, facts[p.id], unavailable.get(p.id), busy.get(p.user_id)),
                            p.user_id in holding) for p in profiles]
    candidates.sort(key=lambda c: (c.holds_place, bool(c.reasons), c.profile.real_name))
    volunteers = sum(1 for s in staff if s.role == "volunteer" and s.status in ACTIVE_STAFF_STATUSES)
    ratio = _ratio((1 if session.lead_id else 0) + volunteers, head.children, session.cancelled, settings)
    return dict(session=session, head=head, settings=settings, staff=staff, candidates=candidates, ratio=ratio,
                leads=[LeadChoice(u.id, u.display_name, busy.get(u.id, "")) for u in leads],
                open_places=max(session.volunteers_needed - volunteers, 0), volunteers=volunteers,
                cutoff=cutoff_of(session, settings))


# --- a volunteer's phone ---------------------------------------------------------------------------------
@dataclass
class Shift:
    """A session as a volunteer's list shows it: ``session`` is a row of the session's columns and
    names (``id``, ``on_date``, ``starts_at``, ``ends_at``, ``cancelled``, ``volunteers_needed``,
    ``activity_name``, ``track``, ``group_name``, ``room_name``); ``staff`` the same row with the
    person's place (``staff_id``, ``status``, ``checked_in_at``, ``checked_out_at``)."""
    session: object
    staff: object | None = None
    time: str = ""                        # "09:00–10:30"
    places: int = 0                       # open places left (open shifts)
    reasons: list[str] = field(default_factory=list)
    can_give_up: bool = False
    after_cutoff: bool = False
    can_check_in: bool = False
    can_check_out: bool = False


def _sessions_with(query):
    return query.options(joinedload(Session.activity), joinedload(Session.group), joinedload(Session.room))


def _shift_columns():
    return (Session.id, Session.on_date, Session.starts_at, Session.ends_at, Session.cancelled,
            Session.volunteers_needed, Activity.name.label("activity_name"), Activity.track,
            Group.name.label("group_name"), Room.name.label("room_name"))


def _with_names(query):
    return (query.join(Activity, Activity.id == Session.activity_id).join(Group, Group.id == Session.group_id)
            .join(Room, Room.id == Session.room_id))


def _staff_columns():
    return (SessionStaff.id.label("staff_id"), SessionStaff.status, SessionStaff.checked_in_at,
            SessionStaff.checked_out_at)


@cache
def _phone_statements():
    """The volunteer of an account; the places a volunteer holds from a day on; the site's sessions
    between two days with a place nobody holds (and how many are held); the site's swap offers of
    other volunteers between two days; the dates a volunteer marked unavailable from a day on."""
    volunteer = select(*_volunteer_columns()).where(VolunteerProfile.user_id == bindparam("user_id"))
    places = (_with_names(select(*_shift_columns(), *_staff_columns()).select_from(SessionStaff)
                          .join(Session, SessionStaff.session_id == Session.id))
              .where(SessionStaff.user_id == bindparam("user_id"), SessionStaff.status.in_(ACTIVE_STAFF_STATUSES),
                     Session.on_date >= bindparam("since"))
              .order_by(Session.on_date, Session.starts_at, Session.id))
    holding = (select(func.count()).where(
        SessionStaff.session_id == Session.id, SessionStaff.role == "volunteer",
        SessionStaff.status.in_(ACTIVE_STAFF_STATUSES)).correlate(Session).scalar_subquery())
    open_sessions = (_with_names(select(*_shift_columns(), holding.label("holding")).select_from(Session))
                     .where(Session.site_id == bindparam("site_id"), Session.cancelled.is_(False),
                            Session.on_date >= bindparam("since"), Session.on_date <= bindparam("until"),
                            Session.volunteers_needed > holding)
                     .order_by(Session.on_date, Session.starts_at))
    offers = (_with_names(select(*_shift_columns(), *_staff_columns()).select_from(SessionStaff)
                          .join(Session, SessionStaff.session_id == Session.id))
              .where(Session.site_id == bindparam("site_id"), SessionStaff.status == "swap_offered",
                     SessionStaff.user_id != bindparam("user_id"), Session.cancelled.is_(False),
                     Session.on_date >= bindparam("since"), Session.on_date <= bindparam("until"))
              .order_by(Session.on_date, Session.starts_at, SessionStaff.id))
    unavailable = (select(Unavailability.on_date, Unavailability.reason)
                   .where(Unavailability.profile_id == bindparam("profile_id"),
                          Unavailability.on_date >= bindparam("since"))
                   .order_by(Unavailability.on_date))
    return volunteer, places, open_sessions, offers, unavailable


def volunteer_of(user_id: int) -> Volunteer | None:
    """The volunteer profile of an account, as the columns the phone page and the rule read."""
    row = run(_phone_statements()[0], dict(user_id=user_id)).first()
    return Volunteer(*row) if row is not None else None


def _my_reasons(profile, sessions, today: date, held, unavailable) -> dict[int, list[str]]:
    """Why ``profile`` may not take each of ``sessions`` (three queries, the rule's facts): the
    rule's reasons on each session's day (facts known today, the rule applied once a day), the
    dates marked unavailable (``unavailable``, from today on) and the sessions at the same time
    that the volunteer already holds (among ``held``: their places from yesterday on)."""
    if not sessions:
        return {}
    facts = facts_for([profile], today)[profile.id]
    days = {s.on_date for s in sessions}
    marked = {u.on_date: u.reason for u in unavailable}
    mine: dict[date, list] = {}
    for row in held:
        if not row.cancelled and row.on_date in days:
            mine.setdefault(row.on_date, []).append(row)
    by_day: dict[date, list[str]] = {}
    out = {}
    for session in sessions:
        day = session.on_date
        rule = by_day.get(day)
        if rule is None:
            rule = by_day[day] = evaluate(profile, day, facts).reasons
        reasons = list(rule)
        if day in marked:
            reasons.append(unavailable_reason(marked[day]))
        for other in mine.get(day, ()):
            if other.id != session.id and other.starts_at < session.ends_at and session.starts_at < other.ends_at:
                reasons.append(_("Already on %(activity)s at %(time)s.", activity=other.activity_name,
                                 time=hhmm(other)))
                break
        out[session.id] = reasons
    return out


def my_shifts(profile, now: datetime | None = None) -> dict:
    """The volunteer's phone page: upcoming shifts (with what can be done to each), open shifts of
    the next four weeks to sign up for, swap offers to take, unavailable dates, the calendar link.
    Nine queries whatever the number of shifts; the sessions are rows of columns and names.
    ``profile``: a ``VolunteerProfile`` or a ``Volunteer``."""
    now = now or local_now()
    today = now.date()
    until = today + timedelta(days=LOOK_AHEAD_DAYS)
    settings = settings_of(profile.site_id)
    _volunteer, places, open_statement, offers_statement, unavailable_statement = _phone_statements()
    # every place the volunteer holds from yesterday on (a shift checked into yesterday and never
    # checked out is still theirs to check out)
    rows = run(places, dict(user_id=profile.user_id, since=today - timedelta(days=1))).all()
    upcoming = []
    for row in rows:
        checked_in = row.checked_in_at is not None
        if row.cancelled or (ends_at(row) < now and (not checked_in or row.checked_out_at is not None)):
            continue
        upcoming.append(Shift(
            row, row, hhmm(row),
            can_give_up=not checked_in and now < starts_at(row) and row.status != "swap_offered",
            after_cutoff=now >= cutoff_of(row, settings),
            can_check_in=not checked_in and row.on_date == today
            and now >= starts_at(row) - timedelta(minutes=CHECK_IN_OPENS_MINUTES),
            can_check_out=checked_in and row.checked_out_at is None))
    held = {s.session.id for s in upcoming}

    # the site's sessions of the next four weeks with a place nobody holds, and places offered
    window = dict(site_id=profile.site_id, since=today, until=until)
    open_sessions = [s for s in run(open_statement, window)
                     if starts_at(s) > now and s.id not in held]
    offers = [o for o in run(offers_statement, dict(window, user_id=profile.user_id))
              if starts_at(o) > now and o.id not in held]
    unavailable = run(unavailable_statement, dict(profile_id=profile.id, since=today)).all()
    reasons = _my_reasons(profile, open_sessions + offers, today, rows, unavailable)
    return dict(profile=profile, settings=settings, now=now, today=today, upcoming=upcoming,
                open_shifts=[Shift(s, time=hhmm(s), places=s.volunteers_needed - s.holding, reasons=reasons[s.id])
                             for s in open_sessions],
                swap_offers=[Shift(o, o, hhmm(o), reasons=reasons[o.id]) for o in offers],
                unavailable=unavailable, calendar=active_token(profile.user_id))


def sessions_by_id(ids) -> dict[int, Session]:
    """The sessions of ``ids`` (one query; none without ids), e.g. for asking who may open them."""
    ids = set(ids)
    if not ids:
        return {}
    return {s.id: s for s in db.session.scalars(select(Session).where(Session.id.in_(ids)))}


def active_token(user_id: int):
    """The account's live calendar link (the latest made), as a row of its ``id`` and ``created_at``;
    None without one."""
    return run(_token_statement(), dict(user_id=user_id)).first()


@cache
def _token_statement():
    return (select(CalendarToken.id, CalendarToken.created_at)
            .where(CalendarToken.user_id == bindparam("user_id"), CalendarToken.revoked_at.is_(None))
            .order_by(CalendarToken.id.desc()).limit(1))


# --- the coordinator's lists ---------------------------------------------------------------------------
@dataclass
class Uncovered:
    session: Session
    needed: int
    covered: int      # volunteers rostered or confirmed
    offered: int      # places offered for a swap that nobody has taken yet

    @property
    def missing(self) -> int:
        return max(self.needed - self.covered, 0)


def uncovered_shifts(season, start: date, end: date) -> list[Uncovered]:
    """Sessions of ``season`` from ``start`` to ``end`` (not cancelled) that need more volunteers
    than are rostered or confirmed: places never filled, given up, or offered for a swap that nobody
    has taken. Two queries."""
    sessions = list(db.session.scalars(_sessions_with(select(Session)).where(
        Session.season_id == season.id, Session.cancelled.is_(False), Session.on_date >= start,
        Session.on_date <= end, Session.volunteers_needed > 0).order_by(Session.on_date, Session.starts_at)))
    if not sessions:
        return []
    counts: dict[int, dict[str, int]] = {}
    for session_id, status, n in db.session.execute(
            select(SessionStaff.session_id, SessionStaff.status, func.count()).where(
                SessionStaff.session_id.in_([s.id for s in sessions]), SessionStaff.role == "volunteer",
                SessionStaff.status.in_(ACTIVE_STAFF_STATUSES))
            .group_by(SessionStaff.session_id, SessionStaff.status)):
        counts.setdefault(session_id, {})[status] = n
    out = []
    for session in sessions:
        c = counts.get(session.id, {})
        covered = c.get("rostered", 0) + c.get("confirmed", 0)
        if covered < session.volunteers_needed:
            out.append(Uncovered(session, session.volunteers_needed, covered, c.get("swap_offered", 0)))
    return out


def _staff_with_session(*where, order=None):
    return list(db.session.scalars(
        select(SessionStaff).options(joinedload(SessionStaff.user), joinedload(SessionStaff.profile),
                                     joinedload(SessionStaff.session).joinedload(Session.activity),
                                     joinedload(SessionStaff.session).joinedload(Session.group),
                                     joinedload(SessionStaff.session).joinedload(Session.room))
        .join(Session, SessionStaff.session_id == Session.id).where(*where)
        .order_by(Session.on_date, Session.starts_at, SessionStaff.id)))


def unconfirmed(season, start: date, end: date) -> list[SessionStaff]:
    """Volunteers rostered on the season's sessions from ``start`` to ``end`` who have not confirmed."""
    return _staff_with_session(Session.season_id == season.id, Session.cancelled.is_(False),
                               Session.on_date >= start, Session.on_date <= end,
                               SessionStaff.status == "rostered", SessionStaff.role == "volunteer")


def not_checked_out(site_id: int, day: date) -> list[SessionStaff]:
    """Who checked in on ``day`` (a session of the site) and never checked out."""
    return _staff_with_session(Session.site_id == site_id, Session.on_date == day,
                               SessionStaff.checked_in_at.is_not(None), SessionStaff.checked_out_at.is_(None))


def shifts_overview(season, start: date, end: date, today: date) -> dict:
    return dict(season=season, start=start, end=end, uncovered=uncovered_shifts(season, start, end),
                unconfirmed=unconfirmed(season, start, end), yesterday=today - timedelta(days=1),
                not_checked_out=not_checked_out(season.site_id, today - timedelta(days=1)))


# --- calendar feeds --------------------------------------------------------------------------------------
def token_from(raw: str) -> CalendarToken | None:
    """The live token for a raw token from a URL (None when unknown or revoked)."""
    if not raw or len(raw) > 100:
        return None
    return db.session.scalar(select(CalendarToken).where(CalendarToken.token_hash == token_hash(raw),
                                                         CalendarToken.revoked_at.is_(None)))


def volunteer_feed(user_id: int, today: date) -> list[SessionStaff]:
    """The shifts a volunteer holds, from a month ago on (not cancelled)."""
    return _staff_with_session(SessionStaff.user_id == user_id, SessionStaff.status.in_(ACTIVE_STAFF_STATUSES),
                               Session.on_date >= today - timedelta(days=FEED_PAST_DAYS))


# --- ratio inputs as columns of another read (the week grid) ---------------------------------------------
def volunteers_holding_places(session_id):
    """How many volunteers hold a place on the session ``session_id`` (a column of the enclosing
    SELECT): a correlated scalar subquery, what ``ratios`` counts besides the lead, so a read that
    fetches its sessions itself (the week grid) needs no second statement for their ratios."""
    staff = SessionStaff.__table__
    # the statuses as plain parameters (an expanding IN is rewritten at every execution)
    return (select(func.count()).select_from(staff)
            .where(staff.c.session_id == session_id, staff.c.role == "volunteer",
                   staff.c.status.in_([literal(status) for status in ACTIVE_STAFF_STATUSES]))
            .scalar_subquery())


def group_size(group_id):
    """The number of children in the group ``group_id`` (a column of the enclosing SELECT): a
    correlated scalar subquery, the children ``ratios`` counts."""
    members = GroupMember.__table__
    return select(func.count()).select_from(members).where(members.c.group_id == group_id).scalar_subquery()


def ratio_of(lead_id: int | None, volunteers: int, children: int, cancelled: bool, settings: Settings) -> Ratio:
    """The verdict for one session from its lead, the volunteers holding a place, its group's size
    and its site's settings (``ratios`` and the week grid both judge through it)."""
    return _ratio((1 if lead_id else 0) + volunteers, children, cancelled, settings)
