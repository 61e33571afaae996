"""Two people marking the same roster at once (a volunteer's phone, the coordinator's desk), over real
HTTP on SQLite and PostgreSQL: one row per child, every mark kept in the history, the latest mark
wins, "all present" pressed twice at once marks each child once, never an error page."""
from __future__ import annotations

from sqlalchemy import func, select

from app.daily.models import AttendanceChange, SessionAttendance
from tests.daily.attendance_helpers import roster_session
from tests.http import HttpClient, race


def _count(db, model, *where):
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _children(db, s):
    from app.daily.attendance_queries import member_ids

    return sorted(member_ids(s))


def test_a_volunteer_and_the_coordinator_marking_at_once_lose_no_mark(db, live_server, world):
    s = roster_session(db, world, children=4)
    children = _children(db, s)
    phone = HttpClient(live_server).login(world.users["volunteer"])
    desk = HttpClient(live_server).login(world.users["coordinator"])
    calls = []
    for child in children:  # each child marked by both at the same moment, twice over, differently
        for client, status in ((phone, "late"), (desk, "absent"), (phone, "present"), (desk, "excused")):
            calls.append(lambda c=client, ch=child, st=status: c.post(f"/sessions/{s.id}/attendance/{ch}",
                                                                      {"status": st}, htmx=True))
    results = race(calls)
    statuses = [getattr(r, "status", r) for r in results]
    assert statuses == [200] * len(calls), statuses
    assert _count(db, SessionAttendance, SessionAttendance.session_id == s.id) == len(children)
    for child in children:
        changes = list(db.session.scalars(select(AttendanceChange).where(
            AttendanceChange.session_id == s.id, AttendanceChange.child_id == child).order_by(AttendanceChange.id)))
        assert len(changes) == 4
        assert {c.by_id for c in changes} == {world.users["volunteer"].id, world.users["coordinator"].id}
        row = db.session.scalar(select(SessionAttendance).where(SessionAttendance.child_id == child))
        assert (row.status, row.marked_by_id) == (changes[-1].status, changes[-1].by_id)  # the latest wins


def test_all_present_pressed_twice_at_once_and_a_tap_meanwhile_mark_each_child_once(db, live_server, world):
    s = roster_session(db, world, children=12)
    children = _children(db, s)
    phone = HttpClient(live_server).login(world.users["volunteer"])
    desk = HttpClient(live_server).login(world.users["coordinator"])
    results = race([
        lambda: phone.post(f"/sessions/{s.id}/attendance/all-present", {}, htmx=True),
        lambda: desk.post(f"/sessions/{s.id}/attendance/all-present", {}, htmx=True),
        lambda: desk.post(f"/sessions/{s.id}/attendance/all-present", {}),
        lambda: phone.post(f"/sessions/{s.id}/attendance/{children[0]}", {"status": "absent"}, htmx=True),
    ])
    statuses = [getattr(r, "status", r) for r in results]
    assert statuses == [200, 200, 303, 200], statuses
    assert _count(db, SessionAttendance, SessionAttendance.session_id == s.id) == len(children)
    rows = db.session.execute(select(AttendanceChange.child_id, AttendanceChange.status, func.count())
                              .where(AttendanceChange.session_id == s.id)
                              .group_by(AttendanceChange.child_id, AttendanceChange.status)).all()
    assert all(n == 1 for _c, _s, n in rows), rows  # nobody marked present twice
    assert _count(db, AttendanceChange, AttendanceChange.status == "present") in (len(children), len(children) - 1)
    first = db.session.scalar(select(SessionAttendance).where(SessionAttendance.child_id == children[0]))
    last = db.session.scalar(select(AttendanceChange).where(AttendanceChange.child_id == children[0])
                             .order_by(AttendanceChange.id.desc()).limit(1))
    assert first.status == last.status
