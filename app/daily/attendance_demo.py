"""Demo attendance for `flask seed-demo`: every session of the demo season up to today (or the season's
end) has its roster marked — mostly present, a few late, excused or absent, agreeing with the day's
arrivals where the daily demo has them (an excused day is excused, a child who never came is absent,
a late arrival is late for the morning session) — with one history row per mark and a few corrected
marks. Deterministic (seeded), and bulk inserts: a few statements for the whole season."""
from __future__ import annotations

import random
from collections import defaultdict
from datetime import time, timedelta

from sqlalchemy import insert, select

from app.auth.models import User
from app.children.models import Child, Enrolment
from app.core.timeutil import local_today
from app.daily.models import AttendanceChange, DayRecord, SessionAttendance
from app.daily.services import local_to_utc
from app.extensions import db
from app.scheduling.models import GroupMember, Session, SessionStaff

EXCUSES = ["发烧请假", "随父母回老家", "牙科复诊", "家里有事"]


def seed_attendance(site, season) -> int:
    """Mark the rosters of the season's sessions held so far; returns the number of marks."""
    rng = random.Random(1111)
    last = min(season.end_date, local_today())
    coordinator = db.session.scalar(select(User.id).where(User.username == "shegong"))
    sessions = list(db.session.scalars(select(Session).where(
        Session.season_id == season.id, Session.cancelled.is_(False), Session.on_date <= last)
        .order_by(Session.on_date, Session.starts_at, Session.id)))
    if not sessions:
        return 0
    members: dict[int, list[int]] = defaultdict(list)
    for group_id, child_id in db.session.execute(
            select(GroupMember.group_id, Child.id).join(Enrolment, Enrolment.id == GroupMember.enrolment_id)
            .join(Child, Child.id == Enrolment.child_id)
            .where(Enrolment.season_id == season.id, Enrolment.status == "enrolled", Child.erased_at.is_(None))
            .order_by(Child.id)):
        members[group_id].append(child_id)
    days = {(r.child_id, r.day): r for r in db.session.scalars(select(DayRecord).where(
        DayRecord.site_id == site.id, DayRecord.day >= season.start_date, DayRecord.day <= last))}
    # the volunteer holding a place on a session marks it; otherwise its lead, else the coordinator
    markers = {sid: uid for sid, uid in db.session.execute(select(SessionStaff.session_id, SessionStaff.user_id).where(
        SessionStaff.status.in_(("rostered", "confirmed"))).order_by(SessionStaff.id))}

    marks, changes = [], []
    for session in sessions:
        by = markers.get(session.id) or session.lead_id or coordinator
        start = local_to_utc(session.on_date, session.starts_at)
        for child_id in members.get(session.group_id, []):
            status, note = _mark(rng, days.get((child_id, session.on_date)), session)
            at = start + timedelta(minutes=rng.randrange(2, 15))
            if rng.random() < 0.03 and status != "present":  # first marked present, then corrected
                changes.append(dict(session_id=session.id, child_id=child_id, status="present", note="", by_id=by,
                                    at=at - timedelta(minutes=1)))
            marks.append(dict(session_id=session.id, child_id=child_id, status=status, note=note, marked_by_id=by,
                              marked_at=at))
            changes.append(dict(session_id=session.id, child_id=child_id, status=status, note=note, by_id=by, at=at))
    if marks:
        db.session.execute(insert(SessionAttendance), marks)
        db.session.execute(insert(AttendanceChange), changes)
    db.session.flush()
    return len(marks)


def _mark(rng, record, session) -> tuple[str, str]:
    if record is not None:
        if record.excuse:
            return "excused", record.excuse
        if record.arrived_at is None:
            return "absent", ""
        if record.arrived_at > local_to_utc(session.on_date, session.starts_at) and session.starts_at < time(10):
            return "late", ""
        return "present", ""
    roll = rng.random()
    if roll < 0.03:
        return "excused", rng.choice(EXCUSES)
    if roll < 0.05:
        return "absent", ""
    if roll < 0.09:
        return "late", ""
    return "present", ""

