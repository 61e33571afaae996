"""Writes of the scheduling area. Every write that checks a rule first locks the season (and the room
it books), so two coordinators saving at the same moment are served one after the other and the
second one sees the first one's sessions: one session is saved, the other is refused in words.
Services flush, never commit (the save path commits)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time, timedelta

from app.core.formats import format_date
from flask_babel import gettext as _
from sqlalchemy import func, or_, select

from app.children.models import Enrolment
from app.core.db import lock
from app.core.errors import FormError
from app.core.ids import parse_ids
from app.core.timeutil import utcnow
from app.extensions import db
from app.scheduling import queries
from app.scheduling.models import (ACTIVE_STAFF_STATUSES, Activity, Group, GroupMember, Schedule,
                                   SchedulingSettings, Session, SessionStaff)
from app.sites.models import Room, Season, ThemeWeek


# --- recurrence --------------------------------------------------------------------------------------
def recurrence_dates(first: date, last: date, weekdays: int, exceptions=()) -> list[date]:
    """Every date from ``first`` to ``last`` whose weekday is in the bitmask (bit 0 = Monday), minus
    the exceptions. Plain calendar dates: Asia/Shanghai has no daylight saving time."""
    skip = set(exceptions)
    out, day = [], first
    while day <= last:
        if weekdays & (1 << day.weekday()) and day not in skip:
            out.append(day)
        day += timedelta(days=1)
    return out


def _iso(days) -> list[str]:
    return [d.isoformat() for d in days]


def _dates(values) -> list[date]:
    return [date.fromisoformat(v) for v in values or ()]


# --- conflicts ---------------------------------------------------------------------------------------
@dataclass
class Slot:
    on_date: date
    starts_at: time
    ends_at: time


def _when(slot) -> str:
    return _("%(date)s %(start)s–%(end)s", date=format_date(slot.on_date, "medium"),
             start=slot.starts_at.strftime("%H:%M"), end=slot.ends_at.strftime("%H:%M"))


def _within_season(season: Season, days, field: str) -> None:
    outside = [d for d in days if d < season.start_date or d > season.end_date]
    if outside:
        raise FormError(field, _("%(date)s is outside the season (%(start)s – %(end)s).",
                                 date=format_date(outside[0], "medium"),
                                 start=format_date(season.start_date, "medium"),
                                 end=format_date(season.end_date, "medium")))


def _group_size(group: Group) -> int:
    return db.session.scalar(select(func.count()).select_from(GroupMember).where(GroupMember.group_id == group.id))


def _room_fits(room: Room, group: Group) -> None:
    if room.capacity is not None:
        size = _group_size(group)
        if size > room.capacity:
            raise FormError("room_id", _("%(room)s holds %(capacity)d children, but group %(group)s has %(size)d.",
                                         room=room.name, capacity=room.capacity, group=group.name, size=size))


def _staff_user_ids(session_ids) -> dict[int, set[int]]:
    out: dict[int, set[int]] = {}
    if not session_ids:
        return out
    for session_id, user_id in db.session.execute(
            select(SessionStaff.session_id, SessionStaff.user_id).where(
                SessionStaff.session_id.in_(session_ids), SessionStaff.status.in_(ACTIVE_STAFF_STATUSES))):
        out.setdefault(session_id, set()).add(user_id)
    return out


def check_conflicts(site_id: int, slots: list, *, room: Room, group: Group, people: dict[int, str],
                    exclude_ids=()) -> None:
    """Refuse, in words, the first slot that would put the room, the group or one of ``people``
    (user id → name: the lead and anyone on the session) in two places at once."""
    if not slots:
        return
    days = {s.on_date for s in slots}
    staffed = select(SessionStaff.session_id).where(SessionStaff.user_id.in_(list(people)),
                                                    SessionStaff.status.in_(ACTIVE_STAFF_STATUSES))
    query = (select(Session).where(
        Session.site_id == site_id, Session.on_date >= min(days), Session.on_date <= max(days),
        Session.cancelled.is_(False),
        or_(Session.room_id == room.id, Session.group_id == group.id,
            Session.lead_id.in_(list(people)), Session.id.in_(staffed)))
        .order_by(Session.on_date, Session.starts_at))
    if exclude_ids:
        query = query.where(Session.id.not_in(list(exclude_ids)))
    others = [s for s in db.session.scalars(query) if s.on_date in days]
    if not others:
        return
    staff = _staff_user_ids([s.id for s in others])
    by_day: dict[date, list[Session]] = {}
    for other in others:
        by_day.setdefault(other.on_date, []).append(other)
    for slot in sorted(slots, key=lambda s: (s.on_date, s.starts_at)):
        for other in by_day.get(slot.on_date, ()):
            if not (other.starts_at < slot.ends_at and slot.starts_at < other.ends_at):
                continue
            what = dict(when=_when(other), activity=other.activity.name, group=other.group.name,
                        room=other.room.name)
            if other.room_id == room.id:
                raise FormError("room_id", _("%(room)s is already booked on %(when)s (%(activity)s, %(group)s).",
                                             **what))
            if other.group_id == group.id:
                raise FormError("group_id", _("Group %(group)s already has a session on %(when)s (%(activity)s, "
                                              "%(room)s).", **what))
            busy = ({other.lead_id} | staff.get(other.id, set())) & set(people)
            if busy:
                raise FormError("lead_id", _("%(person)s is already on %(activity)s in %(room)s on %(when)s.",
                                             person=people[min(busy)], **what))


def _people(lead, session: Session | None = None) -> dict[int, str]:
    people = {lead.id: lead.display_name} if lead is not None else {}
    if session is not None:
        for row in db.session.scalars(select(SessionStaff).where(
                SessionStaff.session_id == session.id, SessionStaff.status.in_(ACTIVE_STAFF_STATUSES))):
            people[row.user_id] = row.user.display_name
    return people


def _lock_for(season: Season, *rooms: Room) -> None:
    """Season first, then rooms by id: every scheduling write takes its locks in this order (no
    deadlock), before reading what its rules depend on and before inserting rows that reference them."""
    lock(db.session, Season, season.id)
    for room_id in sorted({r.id for r in rooms}):
        lock(db.session, Room, room_id)


def _choices(season: Season, values: dict) -> tuple[Activity, Group, Room, object]:
    """The activity, group, room and lead the form chose (the form only offers the site's own)."""
    from app.auth.models import User

    activity, group = db.session.get(Activity, values["activity_id"]), db.session.get(Group, values["group_id"])
    room = db.session.get(Room, values["room_id"])
    lead = db.session.get(User, values["lead_id"]) if values.get("lead_id") else None
    if activity is None or activity.season_id != season.id:
        raise FormError("activity_id", _("Choose one of the listed options."))
    if group is None or group.season_id != season.id:
        raise FormError("group_id", _("Choose one of the listed options."))
    if room is None or room.site_id != season.site_id:
        raise FormError("room_id", _("Choose one of the listed options."))
    if values.get("lead_id") and (lead is None or lead.id not in {u.id for u in queries.leads_of(season.site_id)}):
        raise FormError("lead_id", _("Choose one of the listed options."))
    return activity, group, room, lead


# --- activities and groups (inline tables) -------------------------------------------------------------
def _unique_name(model, season_id: int, name: str, exclude_id: int | None = None) -> None:
    query = select(func.count()).select_from(model).where(model.season_id == season_id,
                                                          func.lower(model.name) == name.lower())
    if exclude_id is not None:
        query = query.where(model.id != exclude_id)
    if db.session.scalar(query):
        raise FormError("name", _("This name is already in use."))


def _theme_week(season: Season, theme_week_id) -> int | None:
    if not theme_week_id:
        return None
    week = db.session.get(ThemeWeek, theme_week_id)
    if week is None or week.season_id != season.id:
        raise FormError("theme_week_id", _("Choose one of the listed options."))
    return week.id


def create_activity(season: Season, values: dict) -> Activity:
    lock(db.session, Season, season.id)
    _unique_name(Activity, season.id, values["name"])
    activity = Activity(site_id=season.site_id, season_id=season.id, track=values["track"], name=values["name"],
                        theme_week_id=_theme_week(season, values.get("theme_week_id")), notes=values.get("notes") or "")
    db.session.add(activity)
    return activity


def update_activity(activity: Activity, values: dict) -> None:
    lock(db.session, Season, activity.season_id)
    _unique_name(Activity, activity.season_id, values["name"], exclude_id=activity.id)
    activity.track, activity.name = values["track"], values["name"]
    activity.theme_week_id = _theme_week(activity.season, values.get("theme_week_id"))
    activity.notes = values.get("notes") or ""


def toggle_archived(obj) -> None:
    obj.archived_at = None if obj.archived_at else utcnow()


def create_group(season: Season, values: dict) -> Group:
    lock(db.session, Season, season.id)
    _unique_name(Group, season.id, values["name"])
    group = Group(site_id=season.site_id, season_id=season.id, name=values["name"], grade=values.get("grade"),
                  level=values.get("level") or "")
    db.session.add(group)
    return group


def update_group(group: Group, values: dict) -> None:
    lock(db.session, Season, group.season_id)
    _unique_name(Group, group.season_id, values["name"], exclude_id=group.id)
    group.name, group.grade, group.level = values["name"], values.get("grade"), values.get("level") or ""


def settings_of(site_id: int) -> SchedulingSettings:
    return db.session.get(SchedulingSettings, site_id) or SchedulingSettings(site_id=site_id, children_per_adult=10,
                                                                            max_group_size=40,
                                                                            release_cutoff_hours=24)


def save_settings(site, values: dict, *, by) -> SchedulingSettings:
    settings = db.session.get(SchedulingSettings, site.id)
    if settings is None:
        settings = SchedulingSettings(site_id=site.id)
        db.session.add(settings)
    settings.children_per_adult, settings.max_group_size = values["children_per_adult"], values["max_group_size"]
    return settings


def _check_group_size(group: Group, size: int) -> None:
    limit = settings_of(group.site_id).max_group_size
    if size > limit:
        raise FormError("ids", _("A group has at most %(limit)d children (group %(group)s would have %(size)d).",
                                 limit=limit, group=group.name, size=size))


def set_members(group: Group, raw_ids, *, by) -> int:
    """Make the group's members exactly these enrolments (ids as ticked on the members page), all
    of children enrolled in the group's season; returns the count."""
    lock(db.session, Season, group.season_id)
    ids = parse_ids(raw_ids)
    enrolments = list(db.session.scalars(select(Enrolment).where(
        Enrolment.id.in_(ids), Enrolment.season_id == group.season_id, Enrolment.status == "enrolled"))) if ids else []
    if len(enrolments) != len(ids):
        raise FormError("ids", _("Only children enrolled in this season can join its groups."))
    _check_group_size(group, len(enrolments))
    wanted = {e.id for e in enrolments}
    current = {m.enrolment_id: m for m in db.session.scalars(select(GroupMember).where(GroupMember.group_id == group.id))}
    for enrolment_id, member in current.items():
        if enrolment_id not in wanted:
            db.session.delete(member)
    for enrolment_id in wanted - set(current):
        db.session.add(GroupMember(group_id=group.id, enrolment_id=enrolment_id))
    return len(wanted)


def assign_by_grade(season: Season, *, by) -> int:
    """Put every enrolled child of the season into the season's group of their grade (groups with a
    grade; a child already in a group of that grade stays); returns how many were added."""
    lock(db.session, Season, season.id)
    groups = {}
    for group in db.session.scalars(select(Group).where(Group.season_id == season.id, Group.grade.is_not(None),
                                                        Group.archived_at.is_(None)).order_by(Group.id)):
        groups.setdefault(group.grade, []).append(group)
    if not groups:
        raise FormError(None, _("Add groups with a grade first (e.g. a group for grade 3)."))
    from app.children.models import Child

    rows = db.session.execute(select(Enrolment.id, Child.grade).join(Child, Enrolment.child_id == Child.id).where(
        Enrolment.season_id == season.id, Enrolment.status == "enrolled", Child.grade.in_(list(groups)))).all()
    group_ids = [g.id for gs in groups.values() for g in gs]
    members = db.session.execute(select(GroupMember.group_id, GroupMember.enrolment_id).where(
        GroupMember.group_id.in_(group_ids))).all()
    placed = {(gid, eid) for gid, eid in members}
    sizes: dict[int, int] = {}
    for gid, _eid in members:
        sizes[gid] = sizes.get(gid, 0) + 1
    in_grade_group = {eid for gid, eid in members}
    added = 0
    for enrolment_id, grade in rows:
        if enrolment_id in in_grade_group:
            continue
        group = min(groups[grade], key=lambda g: sizes.get(g.id, 0))  # the smallest group of the grade
        if (group.id, enrolment_id) in placed:
            continue
        sizes[group.id] = sizes.get(group.id, 0) + 1
        _check_group_size(group, sizes[group.id])
        db.session.add(GroupMember(group_id=group.id, enrolment_id=enrolment_id))
        added += 1
    return added


# --- schedules and sessions --------------------------------------------------------------------------
def _generate(schedule: Schedule, season: Season, room: Room, group: Group, lead) -> list[Session]:
    """Add the sessions of the schedule's dates that have none yet (checked for conflicts first)."""
    have = set(db.session.scalars(select(Session.origin_date).where(Session.schedule_id == schedule.id)))
    days = [d for d in recurrence_dates(schedule.first_date, schedule.last_date, schedule.weekdays,
                                        _dates(schedule.exception_dates)) if d not in have]
    slots = [Slot(d, schedule.starts_at, schedule.ends_at) for d in days]
    check_conflicts(season.site_id, slots, room=room, group=group, people=_people(lead))
    made = [Session(site_id=season.site_id, season_id=season.id, schedule_id=schedule.id, origin_date=d,
                    activity_id=schedule.activity_id, group_id=schedule.group_id, room_id=schedule.room_id,
                    on_date=d, starts_at=schedule.starts_at, ends_at=schedule.ends_at,
                    volunteers_needed=schedule.volunteers_needed, lead_id=schedule.lead_id) for d in days]
    db.session.add_all(made)
    return made


def create_schedule(season: Season, values: dict, *, by) -> Schedule:
    """A recurring schedule and its dated sessions, refused whole when any date conflicts."""
    activity, group, room, lead = _choices(season, values)
    _lock_for(season, room)
    _within_season(season, [values["first_date"], values["last_date"]], "last_date")
    _room_fits(room, group)
    if not recurrence_dates(values["first_date"], values["last_date"], values["weekdays"], values["exception_dates"]):
        raise FormError("weekdays", _("These weekdays and dates give no session at all."))
    schedule = Schedule(site_id=season.site_id, season_id=season.id, activity_id=activity.id, group_id=group.id,
                        room_id=room.id, weekdays=values["weekdays"], starts_at=values["starts_at"],
                        ends_at=values["ends_at"], first_date=values["first_date"], last_date=values["last_date"],
                        exception_dates=_iso(values["exception_dates"]), volunteers_needed=values["volunteers_needed"],
                        lead_id=lead.id if lead else None, created_by_id=by.id)
    db.session.add(schedule)
    db.session.flush()
    _generate(schedule, season, room, group, lead)
    return schedule


def update_schedule_range(schedule: Schedule, values: dict, *, by) -> int:
    """Change the schedule's range and exceptions. Dates that join get their sessions (never a
    second one for a date that has one); dates that leave have their sessions cancelled (kept, so
    nobody's roster silently disappears). Returns the number of sessions added."""
    from app.auth.models import User

    season, room, group = schedule_season(schedule), schedule.room, schedule.group
    _lock_for(season, room)
    _within_season(season, [values["first_date"], values["last_date"]], "last_date")
    schedule.first_date, schedule.last_date = values["first_date"], values["last_date"]
    schedule.exception_dates = _iso(values["exception_dates"])
    keep = set(recurrence_dates(schedule.first_date, schedule.last_date, schedule.weekdays,
                                values["exception_dates"]))
    for session in db.session.scalars(select(Session).where(Session.schedule_id == schedule.id,
                                                            Session.cancelled.is_(False))):
        if session.origin_date not in keep:
            session.cancelled, session.cancel_reason = True, _("Removed from the schedule")
    lead = db.session.get(User, schedule.lead_id) if schedule.lead_id else None
    return len(_generate(schedule, season, room, group, lead))


def schedule_season(schedule: Schedule) -> Season:
    return db.session.get(Season, schedule.season_id)


def create_session(season: Season, values: dict, *, by) -> Session:
    """One session on its own (from a slot of the week grid)."""
    activity, group, room, lead = _choices(season, values)
    _lock_for(season, room)
    _within_season(season, [values["on_date"]], "on_date")
    _room_fits(room, group)
    check_conflicts(season.site_id, [Slot(values["on_date"], values["starts_at"], values["ends_at"])],
                    room=room, group=group, people=_people(lead))
    session = Session(site_id=season.site_id, season_id=season.id, activity_id=activity.id, group_id=group.id,
                      room_id=room.id, on_date=values["on_date"], starts_at=values["starts_at"],
                      ends_at=values["ends_at"], volunteers_needed=values["volunteers_needed"],
                      lead_id=lead.id if lead else None)
    db.session.add(session)
    return session


def _following(session: Session) -> list[Session]:
    return list(db.session.scalars(select(Session).where(
        Session.schedule_id == session.schedule_id, Session.origin_date >= session.origin_date)
        .order_by(Session.origin_date)))


def update_session(session: Session, values: dict, *, by) -> Session:
    """Change one session, or (scope "following") this one and every later one of its schedule:
    then the schedule is split here, so extending it later keeps the new time, room and lead."""
    season = db.session.get(Season, session.season_id)
    activity, group, room, lead = _choices(season, values)
    _lock_for(season, room, session.room)
    scope = values.get("scope") or "one"
    if scope == "following" and session.schedule_id is None:
        scope = "one"
    if scope == "following" and values["on_date"] != session.on_date:
        raise FormError("on_date", _("To move the date, change this session only."))
    targets = [session] if scope == "one" else [s for s in _following(session) if not s.cancelled]
    _within_season(season, [values["on_date"]], "on_date")
    _room_fits(room, group)
    slots = [Slot(values["on_date"] if s is session else s.on_date, values["starts_at"], values["ends_at"])
             for s in targets]
    people = _people(lead, session)
    check_conflicts(season.site_id, slots, room=room, group=group, people=people,
                    exclude_ids=[s.id for s in targets])
    fields = dict(activity_id=activity.id, group_id=group.id, room_id=room.id, starts_at=values["starts_at"],
                  ends_at=values["ends_at"], lead_id=lead.id if lead else None,
                  volunteers_needed=values["volunteers_needed"])
    if scope == "following":
        _split(session, fields)
    for target in targets:
        for key, value in fields.items():
            setattr(target, key, value)
    session.on_date = values["on_date"]
    return session


def _split(session: Session, fields: dict) -> None:
    """Give this and the following sessions a schedule of their own that carries the new values."""
    old = db.session.get(Schedule, session.schedule_id)
    if session.origin_date <= old.first_date:
        for key, value in fields.items():
            setattr(old, key, value)
        return
    new = Schedule(site_id=old.site_id, season_id=old.season_id, weekdays=old.weekdays,
                   first_date=session.origin_date, last_date=old.last_date,
                   exception_dates=[d for d in old.exception_dates if d >= session.origin_date.isoformat()],
                   created_by_id=old.created_by_id, **fields)
    db.session.add(new)
    db.session.flush()
    old.last_date = session.origin_date - timedelta(days=1)
    old.exception_dates = [d for d in old.exception_dates if d <= old.last_date.isoformat()]
    for later in _following(session):
        later.schedule_id = new.id


def cancel_session(session: Session, values: dict, *, by) -> int:
    """Cancel one session, or this and every later one of its schedule (the schedule then ends the
    day before, so extending it never brings them back). Returns how many were cancelled."""
    lock(db.session, Season, session.season_id)
    targets = [session]
    if values.get("scope") == "following" and session.schedule_id is not None:
        targets = [s for s in _following(session) if not s.cancelled]
        schedule = db.session.get(Schedule, session.schedule_id)
        if session.origin_date > schedule.first_date:
            schedule.last_date = session.origin_date - timedelta(days=1)
    elif session.cancelled:
        raise FormError("reason", _("This session is already cancelled."))
    for target in targets:
        target.cancelled, target.cancel_reason = True, values["reason"]
    return len(targets)
