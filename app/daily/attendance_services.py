"""Writes of a session's attendance roster. Every write locks the session's row first (PostgreSQL
``FOR UPDATE``; SQLite's write lock), then reads and upserts: one ``SessionAttendance`` row per session
and child (the latest mark wins) and one ``AttendanceChange`` per mark made (inserted only). Two
people marking the same roster at once are serialised on that lock: no mark is lost, nothing is
inserted twice, and "all present" pressed twice marks nobody a second time.

Refused, with a message and nothing written: a cancelled session, a session that has not started yet
(its day is after today in Asia/Shanghai), a child not on the session's roster, an unknown mark."""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import insert, select

from app.children.models import Child
from app.core.db import lock
from app.core.errors import FormError
from app.core.timeutil import local_today, utcnow
from app.daily import attendance_queries as queries
from app.daily.models import ATTENDANCE_MARKS, AttendanceChange, SessionAttendance
from app.extensions import db
from app.scheduling.models import Session


def _open(session: Session) -> None:
    """Lock the session and check its attendance may be taken."""
    lock(db.session, Session, session.id)
    db.session.refresh(session, ["cancelled", "on_date"])
    if session.cancelled:
        raise FormError(None, _("This session was cancelled: there is no attendance to take."))
    if session.on_date > local_today():
        raise FormError(None, _("This session has not taken place yet: attendance can be taken from its day on."))


def mark(session: Session, child: Child, values: dict, *, by) -> SessionAttendance:
    """Set one child's mark (the latest wins) and keep it in the history."""
    status = values.get("status") or ""
    if status not in ATTENDANCE_MARKS:
        raise FormError("status", _("Choose present, late, excused or absent."))
    _open(session)
    if child.id not in queries.member_ids(session):
        raise FormError(None, _("This child is not on this session's roster."))
    note = (values.get("note") or "")[:300] if status == "excused" else ""
    now = utcnow()
    row = db.session.scalar(select(SessionAttendance).where(
        SessionAttendance.session_id == session.id, SessionAttendance.child_id == child.id)
        .execution_options(populate_existing=True))
    if row is None:
        row = SessionAttendance(session_id=session.id, child_id=child.id)
        db.session.add(row)
    row.status, row.note, row.marked_by_id, row.marked_at = status, note, by.id, now
    db.session.add(AttendanceChange(session_id=session.id, child_id=child.id, status=status, note=note,
                                    by_id=by.id, at=now))
    db.session.flush()
    return row


def mark_all_present(session: Session, *, by) -> int:
    """Mark present every child of the roster not yet marked, in two INSERTs; returns how many."""
    _open(session)
    members = queries.member_ids(session)
    marked = set(db.session.scalars(select(SessionAttendance.child_id).where(
        SessionAttendance.session_id == session.id)))
    todo = sorted(members - marked)
    if not todo:
        return 0
    now = utcnow()
    db.session.execute(insert(SessionAttendance), [
        dict(session_id=session.id, child_id=child_id, status="present", note="", marked_by_id=by.id,
             marked_at=now) for child_id in todo])
    db.session.execute(insert(AttendanceChange), [
        dict(session_id=session.id, child_id=child_id, status="present", note="", by_id=by.id, at=now)
        for child_id in todo])
    return len(todo)
