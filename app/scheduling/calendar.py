"""Calendar feeds (.ics, made with the icalendar library) behind an unguessable per-person token:
only the token's SHA-256 is stored; issuing a new link revokes the old one; a revoked or unknown
token answers 404. Times are Asia/Shanghai wall-clock times (TZID), so calendars show them as
the timetable does."""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from icalendar import Calendar, Event
from sqlalchemy import select, update

from app.core import audit
from app.core.timeutil import LOCAL_TZ, utcnow
from app.extensions import db
from app.scheduling.models import CalendarToken, Session

FEED_DAYS_BACK, FEED_DAYS_AHEAD = 14, 120


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def issue_for_child(child, *, by) -> str:
    """A new calendar link for the child's week (the old ones stop working); returns the token,
    shown once."""
    revoke_for_child(child, by=by, record=False)
    token = secrets.token_urlsafe(32)
    db.session.add(CalendarToken(site_id=child.site_id, child_id=child.id, token_hash=token_hash(token),
                                 created_by_id=by.id))
    audit.record("create", "calendar.issued", by=by, child=child)
    return token


def revoke_for_child(child, *, by, record: bool = True) -> int:
    result = db.session.execute(update(CalendarToken).where(
        CalendarToken.child_id == child.id, CalendarToken.revoked_at.is_(None)).values(revoked_at=utcnow()))
    if record:
        audit.record("update", "calendar.revoked", by=by, child=child)
    return result.rowcount or 0


def active_token(token: str) -> CalendarToken | None:
    if not token or len(token) > 100:
        return None
    return db.session.scalar(select(CalendarToken).where(CalendarToken.token_hash == token_hash(token),
                                                         CalendarToken.revoked_at.is_(None)))


def child_sessions(child_id: int, today) -> list[Session]:
    from app.scheduling.queries import child_sessions_between

    return child_sessions_between(child_id, today - timedelta(days=FEED_DAYS_BACK),
                                  today + timedelta(days=FEED_DAYS_AHEAD))


def ics(name: str, sessions: list[Session]) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//Huhang//schedule//ZH")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", "Asia/Shanghai")
    for session in sessions:
        event = Event()
        event.add("uid", f"session-{session.id}@huhang")
        event.add("summary", session.activity.name)
        event.add("location", session.room.name)
        event.add("description", session.group.name)
        event.add("dtstart", datetime.combine(session.on_date, session.starts_at, tzinfo=LOCAL_TZ))
        event.add("dtend", datetime.combine(session.on_date, session.ends_at, tzinfo=LOCAL_TZ))
        event.add("dtstamp", session.updated_at.replace(tzinfo=None) if session.updated_at else utcnow())
        if session.cancelled:
            event.add("status", "CANCELLED")
        calendar.add_component(event)
    return calendar.to_ical()
