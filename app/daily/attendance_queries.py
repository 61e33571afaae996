"""Reads of a session's attendance roster: the children of the session's group (enrolled, not erased)
in pinyin order with their current mark, their alerts and, on a health-track session (lunch), the
day's menu conflicts with their allergies; the roster's counts; the history of marks.

A fixed number of queries whatever the number of children (a test counts them).

Names: coordinators (SITE_MANAGE) see full names; a volunteer rostered on the session sees the given
name only (``first_name``), and no link to the child's record."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import joinedload

from app.auth.models import User
from app.children.models import Child, Enrolment
from app.children.queries import Alert, alert_of, alerts_for
from app.daily.models import ATTENDANCE_MARKS, AttendanceChange, SessionAttendance
from app.extensions import db
from app.scheduling.models import Activity, GroupMember, Session

# Two-character surnames (复姓): the given name starts after them.
COMPOUND_SURNAMES = ("欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "令狐", "长孙",
                     "宇文", "司徒", "夏侯", "轩辕", "端木", "独孤", "南宫", "西门", "百里", "呼延", "万俟")


def first_name(name: str) -> str:
    """The given name a volunteer calls the child by: 张小明 → 小明, 欧阳娜娜 → 娜娜, "Li Ming" → "Li";
    a one-character name stays whole."""
    name = (name or "").strip()
    if " " in name:
        return name.split()[0]
    for surname in COMPOUND_SURNAMES:
        if name.startswith(surname) and len(name) > len(surname):
            return name[len(surname):]
    return name[1:] if len(name) > 1 else name


@dataclass
class RosterRow:
    child: Child
    name: str                        # full name (coordinator) or given name (volunteer)
    mark: SessionAttendance | None
    alert: Alert | None
    conflicts: list = field(default_factory=list)   # health.nutrition.Conflict: dish and allergen


@cache
def _session_statement():
    return (select(Session).options(joinedload(Session.activity), joinedload(Session.group), joinedload(Session.room))
            .where(Session.id == bindparam("session_id")).execution_options(populate_existing=True))


def load_session(session_id: int) -> Session:
    """The session with its activity, group and room loaded (the page shows them). The statement is
    built once per process (only the id changes)."""
    return db.session.scalar(_session_statement(), {"session_id": session_id})


def _members(session: Session):
    return (select(Child).join(Enrolment, Enrolment.child_id == Child.id)
            .join(GroupMember, GroupMember.enrolment_id == Enrolment.id)
            .where(GroupMember.group_id == session.group_id, Enrolment.season_id == session.season_id,
                   Enrolment.status == "enrolled", Child.erased_at.is_(None), Child.site_id == session.site_id))


def member_ids(session: Session) -> set[int]:
    """Ids of the children on the session's roster (one query)."""
    return set(db.session.scalars(_members(session).with_only_columns(Child.id)))


def is_meal(session: Session) -> bool:
    """A health-track session (lunch, a health talk): the day's menu is checked against allergies."""
    activity = session.activity if "activity" in session.__dict__ else db.session.get(Activity, session.activity_id)
    return activity.track == "health"


def _conflicts(session: Session, children) -> dict[int, list]:
    """{child id: the day's menu conflicts} of the roster's ``children`` (objects with id, name and
    allergies) on a meal: those of the children expected that day (``allergy_conflicts`` checks the
    day's expected children). Only children with an allergy can meet the menu, so a roster without
    one asks nothing."""
    allergic = [c for c in children if (c.allergies or "").strip()]
    if not allergic or not is_meal(session):
        return {}
    from app.daily.queries import expected_ids
    from app.health.queries import allergy_conflicts
    from app.sites.models import Site

    expected = expected_ids(session.site_id, session.on_date)
    out: dict[int, list] = defaultdict(list)
    for conflict in allergy_conflicts(db.session.get(Site, session.site_id), session.on_date,
                                      [c for c in allergic if c.id in expected]):
        out[conflict.child_id].append(conflict)
    return dict(out)


def _rows(session: Session, children: list[Child], full_names: bool) -> list[RosterRow]:
    ids = [c.id for c in children]
    marks = {}
    if ids:
        marks = {m.child_id: m for m in db.session.scalars(select(SessionAttendance).where(
            SessionAttendance.session_id == session.id, SessionAttendance.child_id.in_(ids)))}
    alerts = alerts_for(ids)
    conflicts = _conflicts(session, children)
    return [RosterRow(c, c.name if full_names else first_name(c.name), marks.get(c.id), alerts.get(c.id),
                      conflicts.get(c.id, [])) for c in children]


def counts(session: Session, total: int) -> dict[str, int]:
    """Marks of the roster by status, and how many children are still unmarked (one query)."""
    rows = db.session.execute(select(SessionAttendance.status, func.count()).where(
        SessionAttendance.session_id == session.id,
        SessionAttendance.child_id.in_(_members(session).with_only_columns(Child.id)))
        .group_by(SessionAttendance.status)).all()
    out = {mark: 0 for mark in ATTENDANCE_MARKS}
    out.update({status: n for status, n in rows})
    out["unmarked"] = max(total - sum(out[m] for m in ATTENDANCE_MARKS), 0)
    out["total"] = total
    return out


# The roster page's columns: the child's (name, alert, allergies) and its mark's, in one outer join.
_ROSTER_COLUMNS = (Child.id, Child.name, Child.allergies, Child.high_risk, Child.conditions,
                   SessionAttendance.id.label("mark_id"), SessionAttendance.status, SessionAttendance.note,
                   SessionAttendance.marked_at)


@cache
def _roster_statement():
    """The roster's children (``_members``) with their marks, as read-only rows; built once per process."""
    return (select(*_ROSTER_COLUMNS).join(Enrolment, Enrolment.child_id == Child.id)
            .join(GroupMember, GroupMember.enrolment_id == Enrolment.id)
            .outerjoin(SessionAttendance, (SessionAttendance.session_id == bindparam("session_id"))
                       & (SessionAttendance.child_id == Child.id))
            .where(GroupMember.group_id == bindparam("group_id"), Enrolment.season_id == bindparam("season_id"),
                   Enrolment.status == "enrolled", Child.erased_at.is_(None), Child.site_id == bindparam("site_id"))
            .order_by(Child.name_pinyin, Child.id))


def _roster_rows(session: Session, full_names: bool) -> list[RosterRow]:
    """The roster's rows in one query (plus the menu check on a meal): each row's ``child`` and ``mark``
    are one read-only result row (``mark`` is None when the child has no mark yet)."""
    found = db.session.execute(_roster_statement(), {
        "session_id": session.id, "group_id": session.group_id, "season_id": session.season_id,
        "site_id": session.site_id}).all()
    conflicts = _conflicts(session, found)
    return [RosterRow(r, r.name if full_names else first_name(r.name), r if r.mark_id is not None else None,
                      alert_of(r), conflicts.get(r.id, [])) for r in found]


def roster(session: Session, *, full_names: bool) -> dict:
    """Everything the roster page shows."""
    rows = _roster_rows(session, full_names)
    tally = {mark: 0 for mark in ATTENDANCE_MARKS}
    for row in rows:
        if row.mark is not None:
            tally[row.mark.status] += 1
    tally["unmarked"] = sum(1 for row in rows if row.mark is None)
    tally["total"] = len(rows)
    return dict(rows=rows, counts=tally, meal=is_meal(session))


def roster_row(session: Session, child: Child, *, full_names: bool) -> RosterRow:
    """One child's row after a tap (its mark read again, as committed by whoever wrote last)."""
    return _rows(session, [db.session.get(Child, child.id)], full_names)[0]


@dataclass
class HistoryRow:
    change: AttendanceChange
    name: str
    by: str


def history(session: Session, *, full_names: bool) -> list[HistoryRow]:
    """Every mark made on the session's roster, newest first, with the child's name and who marked."""
    rows = db.session.execute(
        select(AttendanceChange, Child.name, User.display_name)
        .join(Child, Child.id == AttendanceChange.child_id)
        .outerjoin(User, User.id == AttendanceChange.by_id)
        .where(AttendanceChange.session_id == session.id, Child.erased_at.is_(None))
        .order_by(AttendanceChange.at.desc(), AttendanceChange.id.desc())).all()
    return [HistoryRow(change, name if full_names else first_name(name), by or "—") for change, name, by in rows]
