"""Reads of the scheduling area: lists for the inline tables and forms, the week (by room, group or
person) in a fixed number of queries whatever the number of sessions, a child's week for the
family portal, and what the printed timetables show."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import NamedTuple

from sqlalchemy import Select, bindparam, func, literal, select
from sqlalchemy.orm import joinedload

from app.auth.models import RoleGrant, User
from app.children.models import Child, Enrolment
from app.core.db import prepared, run
from app.core.permissions import COORDINATOR
from app.extensions import db
from app.scheduling import staff_queries
from app.scheduling.models import (ACTIVE_STAFF_STATUSES, Activity, Group, GroupMember, Schedule,
                                   SchedulingSettings, Session, SessionStaff)
from app.scheduling.staff_queries import ratio_for
from app.sites.models import Room, Season, Site, ThemeWeek

DEFAULTS = dict(children_per_adult=10, max_group_size=40, release_cutoff_hours=24)


def week_start_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def default_week(season: Season, today: date) -> date:
    """The week to show first: this week during the season, else the season's first week."""
    day = today if season.start_date <= today <= season.end_date else season.start_date
    return week_start_of(day)


def season_with_site(season_id: int) -> Season:
    """The season with its site loaded: one statement built once (``session.get`` with a joined
    load, or a lazy ``season.site``, cost about twice as much)."""
    statement = prepared("scheduling.season_with_site", lambda: select(Season).options(joinedload(Season.site))
                         .where(Season.id == bindparam("season_id")))
    return db.session.execute(statement, {"season_id": season_id}).scalar_one()


def site_of(season: Season) -> Site:
    """``season.site``, as loaded already or read by a statement built once (a lazy load costs twice)."""
    site = season.__dict__.get("site")
    if site is None:
        statement = prepared("scheduling.site", lambda: select(Site).where(Site.id == bindparam("site_id")))
        site = db.session.execute(statement, {"site_id": season.site_id}).scalar_one()
    return site


# --- lists -------------------------------------------------------------------------------------------
def activities_of(season: Season, show_archived: bool = False) -> Select:
    query = select(Activity).options(joinedload(Activity.theme_week)).where(Activity.season_id == season.id)
    if not show_archived:
        query = query.where(Activity.archived_at.is_(None))
    return query.order_by(Activity.track, Activity.name)


def groups_of(season: Season, show_archived: bool = False) -> Select:
    query = select(Group).where(Group.season_id == season.id)
    if not show_archived:
        query = query.where(Group.archived_at.is_(None))
    return query.order_by(Group.grade.is_(None), Group.grade, Group.name)


def member_counts(season: Season) -> dict[int, int]:
    return dict(db.session.execute(select(GroupMember.group_id, func.count()).join(Group, GroupMember.group_id == Group.id)
                                   .where(Group.season_id == season.id).group_by(GroupMember.group_id)).all())


def theme_weeks_of(season_id: int) -> list[ThemeWeek]:
    return list(db.session.scalars(select(ThemeWeek).where(ThemeWeek.season_id == season_id)
                                   .order_by(ThemeWeek.starts_on)))


def leads_of(site_id: int) -> list[User]:
    """Who can lead a session: the site's coordinators (social workers)."""
    return list(db.session.scalars(select(User).join(RoleGrant, RoleGrant.user_id == User.id).where(
        RoleGrant.site_id == site_id, RoleGrant.role == COORDINATOR, User.active.is_(True))
        .order_by(User.display_name).distinct()))


def rooms_of(site_id: int) -> list[Room]:
    return list(db.session.scalars(select(Room).where(Room.site_id == site_id, Room.archived_at.is_(None))
                                   .order_by(Room.name)))


def _choice_statements():
    """The activities and groups of a season, the rooms of a site (not archived, in the lists'
    orders) as (id, name) rows; its leads come from ``staff_queries.leads_of``."""
    a, g, r = Activity.__table__, Group.__table__, Room.__table__
    return (select(a.c.id, a.c.name).where(a.c.season_id == bindparam("season_id"), a.c.archived_at.is_(None))
            .order_by(a.c.track, a.c.name),
            select(g.c.id, g.c.name).where(g.c.season_id == bindparam("season_id"), g.c.archived_at.is_(None))
            .order_by(g.c.grade.is_(None), g.c.grade, g.c.name),
            select(r.c.id, r.c.name).where(r.c.site_id == bindparam("site_id"), r.c.archived_at.is_(None))
            .order_by(r.c.name))


def form_choices(season: Season) -> dict:
    """What the schedule and session forms offer: the season's activities and groups, the site's
    rooms and leads, as rows of ``id`` and ``name`` (``display_name`` for a lead); four queries."""
    activities, groups, rooms = prepared("scheduling.choices", _choice_statements)
    return dict(activities=run(activities, {"season_id": season.id}).all(),
                groups=run(groups, {"season_id": season.id}).all(),
                rooms=run(rooms, {"site_id": season.site_id}).all(),
                leads=staff_queries.leads_of(season.site_id))


def settings_for(site_id: int) -> dict:
    row = db.session.get(SchedulingSettings, site_id)
    if row is None:
        return dict(DEFAULTS)
    return dict(children_per_adult=row.children_per_adult, max_group_size=row.max_group_size,
                release_cutoff_hours=row.release_cutoff_hours)


def group_page(group: Group) -> dict:
    """The group's members and the season's enrolled children who could join (two queries)."""
    rows = db.session.execute(
        select(Enrolment, Child, GroupMember.id).join(Child, Enrolment.child_id == Child.id)
        .outerjoin(GroupMember, (GroupMember.enrolment_id == Enrolment.id) & (GroupMember.group_id == group.id))
        .where(Enrolment.season_id == group.season_id, Enrolment.status == "enrolled")
        .order_by(Child.grade, Child.name_pinyin, Child.name)).all()
    members = [(e, c) for e, c, m in rows if m is not None]
    others = [(e, c) for e, c, m in rows if m is None]
    return dict(group=group, members=members, others=others, settings=settings_for(group.site_id))


# --- the week ----------------------------------------------------------------------------------------
@dataclass
class Row:
    key: int                  # room, group or user id
    label: str
    printable: bool = False   # a room or a group: its printed timetable is one click away
    cells: dict = field(default_factory=dict)  # date -> list[Slot]


class Slot(NamedTuple):
    """A session as the week grid shows it (a plain row, no ORM object): its activity, group, room
    and lead by name, its volunteers holding a place and the ratio verdict of ``staff_queries``."""
    id: int
    on_date: date
    time: str                 # "09:00–10:30"
    track: str
    activity: str
    group: str
    room: str
    lead: str | None          # the lead's name; None: no lead
    cancelled: bool
    needed: int               # volunteers needed
    staff: int                # volunteers holding a place
    below: bool               # below the site's ratio or above its largest group


@dataclass
class SessionInfo:
    """A session as the week shows it: the session, its group's size, the volunteers holding a place
    (rostered, confirmed, offered for a swap) and whether its staffing is within the site's threshold
    (``staff_queries.ratio_for``: the ratio and the largest group, as the staffing page judges it)."""
    session: Session
    children: int = 0
    staff: int = 0
    ratio_ok: bool = True

    @property
    def adults(self) -> int:
        return self.staff + (1 if self.session.lead_id else 0)

    @property
    def below_ratio(self) -> bool:
        return not self.ratio_ok


def _sessions_between(where, first: date, last: date) -> list[Session]:
    return list(db.session.scalars(
        select(Session).options(joinedload(Session.activity), joinedload(Session.group), joinedload(Session.room),
                                joinedload(Session.lead))
        .where(*where, Session.on_date >= first, Session.on_date <= last)
        .order_by(Session.on_date, Session.starts_at, Session.id)))


def _infos(sessions: list[Session]) -> list[SessionInfo]:
    """Each session with its group's size, its staff and its ratio (``ratio_for``: four queries,
    whatever the count)."""
    ratio = ratio_for([s.id for s in sessions])
    out = []
    for s in sessions:
        adults, children, ok = ratio[s.id]
        out.append(SessionInfo(s, children, adults - (1 if s.lead_id else 0), ok))
    return out


_week_statement: list = []


def _week_sessions():
    """The week's sessions as plain rows, each with what the grid shows and what its ratio needs:
    activity, group, room and lead by name, the volunteers holding a place and the group's size
    (``staff_queries``' correlated counts) and its site's settings (NULL: the defaults). One
    statement, built once (on first use) so only its parameters change per request."""
    if not _week_statement:
        s, a, g, r, u, st = (model.__table__ for model in (Session, Activity, Group, Room, User, SchedulingSettings))
        _week_statement.append(
            select(s.c.id, s.c.on_date, s.c.starts_at, s.c.ends_at, s.c.cancelled, s.c.volunteers_needed,
                   s.c.lead_id, s.c.group_id, s.c.room_id, a.c.track, a.c.name.label("activity"),
                   g.c.name.label("group_name"), r.c.name.label("room_name"), u.c.display_name.label("lead_name"),
                   staff_queries.volunteers_holding_places(s.c.id).label("volunteers"),
                   staff_queries.group_size(s.c.group_id).label("children"),
                   st.c.children_per_adult, st.c.max_group_size, st.c.release_cutoff_hours)
            .select_from(s.join(a, s.c.activity_id == a.c.id).join(g, s.c.group_id == g.c.id)
                         .join(r, s.c.room_id == r.c.id).outerjoin(u, s.c.lead_id == u.c.id)
                         .outerjoin(st, st.c.site_id == s.c.site_id))
            .where(s.c.season_id == bindparam("season_id"), s.c.on_date >= bindparam("first"),
                   s.c.on_date <= bindparam("last"))
            .order_by(s.c.on_date, s.c.starts_at, s.c.id))
    return _week_statement[0]


_week_people_statement: list = []


def _week_people():
    """Who holds a place on the week's sessions: (session id, user id, name); one statement."""
    if not _week_people_statement:
        s, st, u = Session.__table__, SessionStaff.__table__, User.__table__
        _week_people_statement.append(
            select(st.c.session_id, st.c.user_id, u.c.display_name)
            .select_from(st.join(s, st.c.session_id == s.c.id).join(u, st.c.user_id == u.c.id))
            .where(s.c.season_id == bindparam("season_id"), s.c.on_date >= bindparam("first"),
                   s.c.on_date <= bindparam("last"),
                   st.c.status.in_([literal(status) for status in ACTIVE_STAFF_STATUSES]))
            .order_by(st.c.id))
    return _week_people_statement[0]


_named_statement: dict = {}


def _named(by: str):
    """The site's rooms (not archived, by name) or the season's groups (not archived, in
    ``groups_of``' order) as (id, name) rows."""
    if by not in _named_statement:
        if by == "room":
            r = Room.__table__
            query = (select(r.c.id, r.c.name).where(r.c.site_id == bindparam("site_id"), r.c.archived_at.is_(None))
                     .order_by(r.c.name))
        else:
            g = Group.__table__
            query = (select(g.c.id, g.c.name).where(g.c.season_id == bindparam("season_id"), g.c.archived_at.is_(None))
                     .order_by(g.c.grade.is_(None), g.c.grade, g.c.name))
        _named_statement[by] = query
    return _named_statement[by]


def week(season: Season, week_start: date, by: str = "room", days: int = 7, person_id: int | None = None) -> dict:
    """The week (or one day) of a season as rows (rooms, groups or people) × days, each cell the
    sessions in it (``Slot``). Two statements whatever the number of sessions: the sessions with
    their names, ratio inputs and the site's settings; then the rooms, the groups or the people."""
    dates = [week_start + timedelta(days=i) for i in range(days)]
    dates_of = {"season_id": season.id, "first": dates[0], "last": dates[-1]}
    found = run(_week_sessions(), dates_of).all()
    values = DEFAULTS
    judged_by = {}  # the site's (children per adult, largest group, cut-off) -> staff_queries.Settings
    times = {}      # (starts, ends) -> "09:00–10:30"
    slots = []      # in the order of found
    owners = []     # each slot's room, group or lead: (id, name), the id None for no lead
    # plain tuples, unpacked (a Row's attribute look-up costs ten times its index)
    for (sid, on_date, starts, ends, cancelled, needed, lead_id, group_id, room_id, track, activity, group_name,
         room_name, lead_name, volunteers, children, *limits) in found:
        limits = tuple(limits)
        settings = judged_by.get(limits)
        if settings is None:
            settings = judged_by[limits] = (staff_queries.Settings(*limits) if limits[0] is not None
                                            else staff_queries.Settings())
            if limits[0] is not None:
                values = dict(zip(("children_per_adult", "max_group_size", "release_cutoff_hours"), limits))
        time_ = times.get((starts, ends))
        if time_ is None:
            time_ = times[(starts, ends)] = f"{starts.strftime('%H:%M')}–{ends.strftime('%H:%M')}"
        ok = staff_queries.ratio_of(lead_id, volunteers, children, cancelled, settings).ok
        slots.append(Slot(sid, on_date, time_, track, activity, group_name, room_name,
                          lead_name if lead_id else None, cancelled, needed, volunteers, not ok))
        owners.append((room_id, room_name) if by == "room" else (group_id, group_name) if by == "group"
                      else (lead_id, lead_name))
    if by == "person":
        people = {}  # user id -> name: the leads (in the sessions' order), then who holds a place
        keys: dict[int, set[int]] = {}  # session id -> its people
        for slot, (lead_id, lead_name) in zip(slots, owners):
            if lead_id:
                people[lead_id] = lead_name
                keys[slot.id] = {lead_id}
        if found:
            for session_id, user_id, name in run(_week_people(), dates_of):
                people[user_id] = name
                keys.setdefault(session_id, set()).add(user_id)
        if person_id is not None:
            people = {pid: name for pid, name in people.items() if pid == person_id}
        rows = [Row(pid, name) for pid, name in sorted(people.items(), key=lambda p: p[1])]
        by_key = {row.key: row for row in rows}
        for row in rows:
            row.cells = {d: [] for d in dates}
        for slot in slots:
            for key in sorted(keys.get(slot.id, ())):
                if key in by_key:
                    by_key[key].cells[slot.on_date].append(slot)
    else:
        # the site's rooms (or the season's groups), then any other one a session of the week is in
        params = {"site_id": season.site_id} if by == "room" else {"season_id": season.id}
        rows = [Row(key, name, True) for key, name in run(_named(by), params)]
        by_key = {row.key: row for row in rows}
        others = {key: name for key, name in owners if key not in by_key}
        for key, name in sorted(others.items(), key=lambda item: item[1]):
            rows.append(Row(key, name, True))
        for row in rows:
            row.cells = {d: [] for d in dates}
            by_key[row.key] = row
        for slot, (key, _name) in zip(slots, owners):
            by_key[key].cells[slot.on_date].append(slot)
    return dict(season=season, dates=dates, rows=rows, by=by, week_start=week_start, settings=values,
                below_ratio=sum(1 for slot in slots if slot.below),
                count=sum(1 for slot in slots if not slot.cancelled),
                previous=week_start - timedelta(days=7), next=week_start + timedelta(days=7))


def child_week(child: Child, week_start: date) -> list[Session]:
    """The sessions of a child's week, from the groups the child is in (for the family portal):
    sorted by date and time, cancelled ones included (``cancelled``, ``cancel_reason``), each with
    its activity, group and room loaded."""
    return child_sessions_between(child.id, week_start, week_start + timedelta(days=6))


def child_sessions_between(child_id: int, first: date, last: date) -> list[Session]:
    groups = (select(GroupMember.group_id).join(Enrolment, GroupMember.enrolment_id == Enrolment.id)
              .where(Enrolment.child_id == child_id, Enrolment.status == "enrolled"))
    return _sessions_between([Session.group_id.in_(groups)], first, last)


def child_calendar_links(child: Child) -> int:
    """How many calendar links of the child still work (0 or 1)."""
    from app.scheduling.models import CalendarToken

    return db.session.scalar(select(func.count()).select_from(CalendarToken).where(
        CalendarToken.child_id == child.id, CalendarToken.revoked_at.is_(None))) or 0


def _session_page_statements():
    """One session's names (activity with its track, group, room, lead), its schedule's range (NULL:
    none), its ratio inputs (``staff_queries``' correlated counts) and its site's settings (NULL: the
    defaults); then the people on it by name and status, in the order they were put on."""
    s, a, g, r, u, sc, st = (model.__table__ for model in (Session, Activity, Group, Room, User, Schedule,
                                                              SchedulingSettings))
    head = (select(a.c.name.label("activity"), a.c.track, g.c.name.label("group_name"),
                   r.c.name.label("room_name"), u.c.display_name.label("lead_name"),
                   sc.c.first_date, sc.c.last_date,
                   staff_queries.volunteers_holding_places(s.c.id).label("volunteers"),
                   staff_queries.group_size(s.c.group_id).label("children"),
                   st.c.children_per_adult, st.c.max_group_size, st.c.release_cutoff_hours)
            .select_from(s.join(a, s.c.activity_id == a.c.id).join(g, s.c.group_id == g.c.id)
                         .join(r, s.c.room_id == r.c.id).outerjoin(u, s.c.lead_id == u.c.id)
                         .outerjoin(sc, s.c.schedule_id == sc.c.id)
                         .outerjoin(st, st.c.site_id == s.c.site_id))
            .where(s.c.id == bindparam("session_id")))
    ss = SessionStaff.__table__
    staff = (select(u.c.display_name.label("name"), ss.c.status)
             .select_from(ss.join(u, ss.c.user_id == u.c.id))
             .where(ss.c.session_id == bindparam("session_id")).order_by(ss.c.id))
    return head, staff


def session_page(session: Session) -> dict:
    """What the session's page shows (two statements): ``head`` (its names, ``lead_name`` None
    without a lead), ``info`` (children, adults, below ratio), ``staff`` (rows of ``name`` and
    ``status``), ``schedule`` (a row of ``first_date`` and ``last_date``; None: not recurring) and
    the site's ``settings``."""
    head_statement, staff_statement = prepared("scheduling.session_page", _session_page_statements)
    head = run(head_statement, {"session_id": session.id}).one()
    limits = (head.children_per_adult, head.max_group_size, head.release_cutoff_hours)
    if limits[0] is None:
        judged_by, settings = staff_queries.Settings(), dict(DEFAULTS)
    else:
        judged_by = staff_queries.Settings(*limits)
        settings = dict(zip(("children_per_adult", "max_group_size", "release_cutoff_hours"), limits))
    ok = staff_queries.ratio_of(session.lead_id, head.volunteers, head.children, session.cancelled, judged_by).ok
    staff = run(staff_statement, {"session_id": session.id}).all()
    return dict(head=head, info=SessionInfo(session, head.children, head.volunteers, ok), staff=staff,
                schedule=head if session.schedule_id else None, settings=settings)


def schedules_of(season: Season) -> list[Schedule]:
    return list(db.session.scalars(
        select(Schedule).options(joinedload(Schedule.activity), joinedload(Schedule.group), joinedload(Schedule.room),
                                 joinedload(Schedule.lead))
        .where(Schedule.season_id == season.id).order_by(Schedule.first_date, Schedule.starts_at, Schedule.id)))


def sessions_led(season: Season) -> dict:
    """For the five-party ledger: the season's sessions held (not cancelled) and those with a
    social worker leading them (one query)."""
    held, led = db.session.execute(select(func.count(Session.id), func.count(Session.lead_id)).where(
        Session.season_id == season.id, Session.cancelled.is_(False))).one()
    return dict(sessions_held=held or 0, sessions_led=led or 0)


def timetable(season: Season, week_start: date, *, group: Group | None = None, room: Room | None = None) -> dict:
    """A printed week: the days, and each day's sessions of one group or one room."""
    dates = [week_start + timedelta(days=i) for i in range(7)]
    where = [Session.season_id == season.id, Session.cancelled.is_(False)]
    where.append(Session.group_id == group.id if group is not None else Session.room_id == room.id)
    sessions = _sessions_between(where, dates[0], dates[-1])
    if not any(s.on_date.weekday() >= 5 for s in sessions):
        dates = dates[:5]
    times = sorted({(s.starts_at, s.ends_at) for s in sessions})
    grid = {(s.on_date, s.starts_at, s.ends_at): [] for s in sessions}
    for s in sessions:
        grid[(s.on_date, s.starts_at, s.ends_at)].append(s)
    return dict(season=season, dates=dates, times=times, grid=grid, group=group, room=room, week_start=week_start)
