"""A child's week as a calendar feed (.ics) behind an unguessable, revocable link."""
from __future__ import annotations

import re
from datetime import datetime

from icalendar import Calendar
from sqlalchemy import select

from app.core.models import AuditEntry
from app.core.timeutil import LOCAL_TZ
from app.scheduling.models import CalendarToken, GroupMember, Session
from tests.scheduling.helpers import schedule

URL_RE = re.compile(r'data-testid="calendar-url">[^<]*?(/calendar/[A-Za-z0-9_-]+\.ics)</code>')


def _child(db, plan):
    return db.session.scalars(select(GroupMember).where(GroupMember.group_id == plan.group.id)).first().enrolment.child


def test_a_calendar_link_serves_the_childs_sessions_until_revoked(app, db, client, login, plan, monkeypatch):
    made = schedule(db, plan.season, plan.activity, plan.group, plan.room, plan.coordinator)
    first = db.session.scalars(select(Session).where(Session.schedule_id == made.id).order_by(Session.on_date)).first()
    first.cancelled, first.cancel_reason = True, "台风"
    db.session.commit()
    child = _child(db, plan)
    monkeypatch.setattr("app.scheduling.routes.local_today", lambda: plan.season.start_date)
    login(client, plan.coordinator)
    week = client.get(f"/children/{child.id}/week?start=2025-07-07").get_data(as_text=True)
    assert week.count("三年级数学") == 5
    page = client.post(f"/children/{child.id}/calendar-link", data={}).get_data(as_text=True)
    path = URL_RE.search(page).group(1)
    assert db.session.scalar(select(CalendarToken.token_hash)) != path.split("/")[-1][:-4]  # only the hash is kept

    anonymous = app.test_client()
    response = anonymous.get(path)
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    events = [c for c in Calendar.from_ical(response.data).walk("VEVENT")]
    assert len(events) == 10
    assert {str(e["summary"]) for e in events} == {"三年级数学"} and str(events[0]["location"]) == "一楼活动室"
    starts = sorted(e.decoded("dtstart") for e in events)
    assert starts[0] == datetime(2025, 7, 7, 9, 0, tzinfo=LOCAL_TZ)
    assert [str(e.get("status")) for e in events if e.decoded("dtstart").date() == first.on_date] == ["CANCELLED"]

    # a new link stops the old one; revoking stops every link
    second = URL_RE.search(client.post(f"/children/{child.id}/calendar-link", data={}).get_data(as_text=True)).group(1)
    assert anonymous.get(path).status_code == 404 and anonymous.get(second).status_code == 200
    assert client.post(f"/children/{child.id}/calendar-link/revoke", data={}).status_code == 303
    assert anonymous.get(second).status_code == 404
    events = {e.event for e in db.session.scalars(select(AuditEntry).where(AuditEntry.child_id == child.id))}
    assert {"week.viewed", "calendar.issued", "calendar.revoked"} <= events


def test_unknown_and_junk_tokens_are_not_found(client):
    for token in ("x", "a" * 43, "%00", "a" * 500):
        assert client.get(f"/calendar/{token}.ics").status_code == 404


def test_a_child_of_another_site_has_no_week_here(app, db, login, world, plan):
    from tests import factories

    stranger = factories.child(world.other_site, "别处孩子")
    client = app.test_client()
    login(client, plan.coordinator)
    assert client.get(f"/children/{stranger.id}/week").status_code == 403
    assert client.post(f"/children/{stranger.id}/calendar-link", data={"csrf_token": client.csrf_token()}
                       ).status_code == 403
