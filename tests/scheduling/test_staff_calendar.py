"""A volunteer's calendar feed (.ics) behind an unguessable token: only its hash is stored, a new token stops
the old one, a revoked or unknown token answers 404; times in Asia/Shanghai."""
from __future__ import annotations

import re
from datetime import time

import pytest
from icalendar import Calendar

from app.scheduling.models import CalendarToken
from tests.scheduling.staff_helpers import clock, on_session, session, volunteer  # noqa: F401



@pytest.fixture
def me(make, world):
    return volunteer(make, world, world.users["volunteer"], name="王浩然")


@pytest.fixture
def phone(client, login, world, me, clock):  # noqa: F811
    login(client, world.users["volunteer"])
    return client


def _feed_path(page: str) -> str:
    url = re.search(r'value="(http[^"]+\.ics)"', page).group(1)
    return url[url.index("/calendar/shifts/"):]


def test_a_volunteer_makes_a_feed_of_their_shifts(app, db, world, me, phone, client):
    s = session(db, world, activity_name="书法", start=time(9), end=time(10, 30))
    on_session(db, s, me, status="confirmed")
    released = session(db, world, activity_name="篮球", group_name="四年级", start=time(14), end=time(15))
    on_session(db, released, me, status="released")
    response = phone.post("/me/shifts/calendar", data={})
    assert response.status_code == 200
    path = _feed_path(response.get_data(as_text=True))
    raw = path.removeprefix("/calendar/shifts/").removesuffix(".ics")
    # only the hash is stored
    [token] = db.session.query(CalendarToken).all()
    assert token.user_id == me.user_id and raw not in token.token_hash and len(token.token_hash) == 64
    anonymous = app.test_client()
    feed = anonymous.get(path)
    assert feed.status_code == 200 and feed.mimetype == "text/calendar"
    body = feed.get_data(as_text=True)
    assert "DTSTART;TZID=Asia/Shanghai:20250716T090000" in body
    assert "DTEND;TZID=Asia/Shanghai:20250716T103000" in body
    assert "BEGIN:VTIMEZONE" in body
    assert re.search(r"DTSTAMP:\d{8}T\d{6}Z", body)  # a stamp in UTC, as RFC 5545 asks
    events = Calendar.from_ical(feed.get_data()).walk("VEVENT")
    assert [str(e["SUMMARY"]) for e in events] == ["书法 · 三年级"]
    assert str(events[0]["LOCATION"]) == world.room.name
    # the page says a link exists (without showing it again)
    page = phone.get("/me/shifts").get_data(as_text=True)
    assert "日历链接已于" in page and raw not in page


def test_a_new_token_stops_the_old_one_and_a_revoked_token_is_404(app, db, world, me, phone):
    first = _feed_path(phone.post("/me/shifts/calendar", data={}).get_data(as_text=True))
    second = _feed_path(phone.post("/me/shifts/calendar", data={}).get_data(as_text=True))
    anonymous = app.test_client()
    assert anonymous.get(first).status_code == 404
    assert anonymous.get(second).status_code == 200
    assert phone.post("/me/shifts/calendar/revoke", data={}).status_code == 303
    assert anonymous.get(second).status_code == 404
    assert "日历链接已停用" in phone.get("/me/shifts").get_data(as_text=True)


@pytest.mark.parametrize("token", ["nope", "x" * 500, "%00", "..%2F"])
def test_unknown_tokens_are_404(client, token):
    assert client.get(f"/calendar/shifts/{token}.ics").status_code == 404
