"""Many requests at once over real HTTP (SQLite and PostgreSQL): a double-sent hour entry, entries
that together break the rules of a day, a certificate button tapped many times."""
from __future__ import annotations

import re
from datetime import date

import pytest

from app.volunteers.models import Certificate, HourEntry
from tests.http import HttpClient, race

D = date(2025, 7, 8)


@pytest.fixture
def me(make, world):
    return make.volunteer_profile(world.users["volunteer"], world.site, real_name="王浩然")


def _form_token(html: str, testid: str) -> str:
    form = html[html.index(f'data-testid="{testid}"'):]
    form = form[:form.index("</form>")]
    return re.search(r'name="form_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="form_token"', form).group(1)


def _entry(start: str, end: str, activity: str = "三年级数学辅导", **extra) -> dict:
    return {"work_date": D.isoformat(), "starts_at": start, "ends_at": end, "activity": activity, **extra}


def test_one_hour_entry_sent_five_times_at_once_is_saved_once(live_server, db, world, me):
    client = HttpClient(live_server).login(world.users["volunteer"])
    token = _form_token(client.get(f"/volunteers/{me.id}").text, "log-hours-form")
    data = _entry("09:00", "11:30", form_token=token)
    results = race([lambda: client.post(f"/volunteers/{me.id}/hours", data) for _ in range(5)])
    # every tap ends on the volunteer's page: none of them shows an error to the volunteer
    assert [getattr(r, "status", r) for r in results] == [303] * 5
    assert {r.location for r in results} == {f"/volunteers/{me.id}"}
    db.session.expire_all()
    assert db.session.query(HourEntry).filter_by(profile_id=me.id).count() == 1


def test_five_overlapping_entries_sent_at_once_save_exactly_one(live_server, db, world, me):
    client = HttpClient(live_server).login(world.users["volunteer"])
    tokens = []
    for _ in range(5):  # five tabs, each with its own rendered form
        tokens.append(_form_token(client.get(f"/volunteers/{me.id}").text, "log-hours-form"))
    starts = ["09:00", "09:30", "10:00", "10:30", "08:30"]
    calls = [lambda s=s, t=t: client.post(f"/volunteers/{me.id}/hours", _entry(s, "11:00", form_token=t))
             for s, t in zip(starts, tokens)]
    results = race(calls)
    statuses = sorted(getattr(r, "status", r) for r in results)
    assert statuses == [303, 422, 422, 422, 422], statuses
    assert sum("与您当天" in r.text and "的记录时间重叠" in r.text for r in results if r.status == 422) == 4
    db.session.expire_all()
    assert db.session.query(HourEntry).filter_by(profile_id=me.id).count() == 1


def test_the_daily_maximum_holds_when_entries_arrive_together(app, live_server, db, world, me):
    maximum = app.config["VOLUNTEER_MAX_HOURS_PER_DAY"]
    app.config["VOLUNTEER_MAX_HOURS_PER_DAY"] = 7
    try:
        client = HttpClient(live_server).login(world.users["volunteer"])
        tokens = [_form_token(client.get(f"/volunteers/{me.id}").text, "log-hours-form") for _ in range(5)]
        slots = [("06:00", "09:00"), ("09:00", "12:00"), ("12:00", "15:00"), ("15:00", "18:00"), ("18:00", "21:00")]
        calls = [lambda s=s, t=t: client.post(f"/volunteers/{me.id}/hours", _entry(*s, form_token=t))
                 for s, t in zip(slots, tokens)]
        results = race(calls)
    finally:
        app.config["VOLUNTEER_MAX_HOURS_PER_DAY"] = maximum
    statuses = sorted(getattr(r, "status", r) for r in results)
    assert statuses == [303, 303, 422, 422, 422], statuses  # 3 h + 3 h fit in 7 h, a third would make 9 h
    db.session.expire_all()
    minutes = [m for (m,) in db.session.query(HourEntry.minutes).filter_by(profile_id=me.id)]
    assert len(minutes) == 2 and sum(minutes) <= 7 * 60


def test_corrections_sent_at_once_cannot_make_entries_overlap(live_server, db, make, world, me):
    """Five short entries corrected at the same moment into the same hour (five coordinators'
    tabs), while the volunteer logs that hour too: at most one of them may hold it."""
    entries = [make.hour_entry(me, D, f"0{6 + i}:00", f"0{6 + i}:30") for i in range(4)]
    coordinator = HttpClient(live_server).login(world.users["coordinator"])
    volunteer = HttpClient(live_server).login(world.users["volunteer"])
    tokens = [_form_token(coordinator.get(f"/hours/{e.id}/edit").text, "correct-form") for e in entries]
    hour_token = _form_token(volunteer.get(f"/volunteers/{me.id}").text, "log-hours-form")
    calls = [lambda e=e, t=t: coordinator.post(f"/hours/{e.id}/edit", _entry(
        "10:00", "11:00", status="pending", reason="签到表更正", form_token=t)) for e, t in zip(entries, tokens)]
    calls.append(lambda: volunteer.post(f"/volunteers/{me.id}/hours", _entry("10:00", "11:00", form_token=hour_token)))
    results = race(calls)
    assert sorted(getattr(r, "status", r) for r in results) == [303, 422, 422, 422, 422]
    db.session.expire_all()
    rows = sorted((e.starts_at, e.ends_at) for e in db.session.query(HourEntry).filter(
        HourEntry.profile_id == me.id, HourEntry.status != "rejected"))
    assert all(a[1] <= b[0] for a, b in zip(rows, rows[1:])), rows  # no two overlap
    assert len(rows) == (5 if results[-1].status == 303 else 4)  # a new entry only when it won the hour


def test_twenty_taps_on_issue_certificate_issue_one_and_numbers_stay_gap_free(live_server, db, make, world, me):
    make.hour_entry(me, D, "08:30", "11:30", status="approved", season=world.season)
    make.volunteer_settings(world.site)
    client = HttpClient(live_server).login(world.users["volunteer"])
    token = _form_token(client.get(f"/volunteers/{me.id}").text, "certificate-form")
    data = {"period_from": "2025-07-01", "period_to": "2025-07-31", "content": "", "form_token": token}
    results = race([lambda: client.post(f"/volunteers/{me.id}/certificates", data) for _ in range(20)])
    assert [getattr(r, "status", r) for r in results] == [303] * 20
    db.session.expire_all()
    assert [c.number[-6:] for c in db.session.query(Certificate)] == ["000001"]
    # the next certificate takes the next number: none was used up by the repeated taps
    token = _form_token(client.get(f"/volunteers/{me.id}").text, "certificate-form")
    assert client.post(f"/volunteers/{me.id}/certificates", {**data, "form_token": token}).status == 303
    db.session.expire_all()
    assert sorted(c.number[-6:] for c in db.session.query(Certificate)) == ["000001", "000002"]
