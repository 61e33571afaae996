"""Check-in and check-out of a shift: the checked time becomes one pending hour entry (source
'shift') through the volunteers area's rules; repeats change nothing; the coordinator can do it
for a volunteer; the list of those who never checked out."""
from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest

from app.core.timeutil import LOCAL_TZ
from app.scheduling.models import SessionStaff
from app.volunteers.models import HourEntry
from tests.scheduling.staff_helpers import NOW, TODAY, clock, on_session, session, volunteer  # noqa: F401


@pytest.fixture
def me(make, world):
    return volunteer(make, world, world.users["volunteer"], name="王浩然")


@pytest.fixture
def phone(client, login, world, me, clock):  # noqa: F811
    login(client, world.users["volunteer"])
    return client


def _row(db, row_id) -> SessionStaff:
    db.session.expire_all()
    return db.session.get(SessionStaff, row_id)


def _entries(db, profile):
    db.session.expire_all()
    return db.session.query(HourEntry).filter_by(profile_id=profile.id).all()


def test_check_in_and_out_makes_exactly_one_pending_shift_entry(db, world, me, phone, clock):  # noqa: F811
    s = session(db, world, on=TODAY, start=time(9), end=time(11, 30))
    row = on_session(db, s, me, status="rostered")
    page = phone.get("/me/shifts").get_data(as_text=True)
    assert 'data-testid="check-in"' in page  # 08:30: check-in is open from 08:00
    assert phone.post(f"/staff/{row.id}/check-in", data={}).status_code == 303
    checked = _row(db, row.id)
    assert checked.checked_in_at is not None and checked.status == "confirmed"
    assert phone.post(f"/staff/{row.id}/check-in", data={}).status_code == 303  # a second tap: nothing changes
    assert _row(db, row.id).checked_in_at == checked.checked_in_at
    clock(NOW.replace(hour=11, minute=40))
    assert 'data-testid="check-out"' in phone.get("/me/shifts").get_data(as_text=True)
    for _ in range(3):  # a double (triple) tap
        assert phone.post(f"/staff/{row.id}/check-out", data={}).status_code == 303
    [entry] = _entries(db, me)
    assert (entry.source, entry.status, entry.work_date) == ("shift", "pending", TODAY)
    assert (entry.starts_at, entry.ends_at, entry.minutes) == (time(8, 30), time(11, 40), 190)
    assert entry.activity == "三年级数学 · 三年级"
    assert _row(db, row.id).hour_entry_id == entry.id
    # it waits in the coordinator's approval queue
    from app.volunteers.queries import pending_queue
    assert [e.id for e in pending_queue(world.site).items] == [entry.id]


def test_check_in_opens_an_hour_before_and_only_on_the_day(db, world, me, phone):
    later = session(db, world, on=TODAY, start=time(10), end=time(11))
    row = on_session(db, later, me)
    assert 'data-testid="check-in"' not in phone.get("/me/shifts").get_data(as_text=True)
    phone.post(f"/staff/{row.id}/check-in", data={})
    assert "班次开始前一小时才能签到" in phone.get("/me/shifts").get_data(as_text=True)
    assert _row(db, row.id).checked_in_at is None
    tomorrow = session(db, world, on=TODAY + timedelta(days=1), group_name="四年级")
    row2 = on_session(db, tomorrow, me)
    phone.post(f"/staff/{row2.id}/check-in", data={})
    assert _row(db, row2.id).checked_in_at is None


def test_check_out_before_check_in_and_on_a_cancelled_session(db, world, me, phone):
    s = session(db, world, on=TODAY, start=time(9), end=time(10))
    row = on_session(db, s, me)
    phone.post(f"/staff/{row.id}/check-out", data={})
    assert "请先签到" in phone.get("/me/shifts").get_data(as_text=True)
    assert _row(db, row.id).checked_out_at is None and _entries(db, me) == []
    gone = session(db, world, on=TODAY, start=time(9), end=time(10), cancelled=True, group_name="四年级")
    row2 = on_session(db, gone, me)
    phone.post(f"/staff/{row2.id}/check-in", data={})
    assert _row(db, row2.id).checked_in_at is None


def test_the_hour_rules_still_apply_at_check_out(make, db, world, me, phone, clock):  # noqa: F811
    make.hour_entry(me, TODAY, "08:00", "09:00")  # logged by hand already
    s = session(db, world, on=TODAY, start=time(8, 30), end=time(10))
    row = on_session(db, s, me)
    phone.post(f"/staff/{row.id}/check-in", data={})
    clock(NOW.replace(hour=10))
    phone.post(f"/staff/{row.id}/check-out", data={})
    page = phone.get("/me/shifts").get_data(as_text=True)
    assert "的记录时间重叠" in page
    assert _row(db, row.id).checked_out_at is None and len(_entries(db, me)) == 1


def test_the_coordinator_checks_in_and_out_for_a_volunteer_and_sees_who_never_checked_out(
        app, db, world, me, login, clock):  # noqa: F811
    s = session(db, world, on=TODAY, start=time(9), end=time(11))
    row = on_session(db, s, me, status="confirmed")
    coordinator = app.test_client()
    login(coordinator, world.users["coordinator"])
    clock(NOW.replace(hour=9, minute=5))
    assert coordinator.post(f"/staff/{row.id}/check-in", data={}).status_code == 303
    # the next day the coordinator sees that nobody checked out, and checks out at the session's end
    clock(NOW + timedelta(days=1))
    page = coordinator.get(f"/seasons/{world.season.id}/shifts").get_data(as_text=True)
    assert 'data-testid="not-checked-out-row"' in page and "王浩然" in page
    response = coordinator.post(f"/staff/{row.id}/check-out", data={})
    assert response.status_code == 303 and response.location.endswith(f"/sessions/{s.id}/staff")
    [entry] = _entries(db, me)
    assert (entry.starts_at, entry.ends_at, entry.source, entry.status) == (time(9, 5), time(11), "shift", "pending")
    page = coordinator.get(f"/seasons/{world.season.id}/shifts").get_data(as_text=True)
    assert 'data-testid="not-checked-out-row"' not in page


def test_a_volunteer_cannot_check_in_to_an_earlier_day(db, world, me, phone):
    s = session(db, world, on=TODAY - timedelta(days=1))
    row = on_session(db, s, me, status="confirmed")
    phone.post(f"/staff/{row.id}/check-in", data={})
    assert _row(db, row.id).checked_in_at is None


def test_a_released_shift_cannot_be_checked_into(db, world, me, phone):
    s = session(db, world, on=TODAY)
    row = on_session(db, s, me, status="released")
    phone.post(f"/staff/{row.id}/check-in", data={})
    assert "这个班次已不归您负责" in phone.get("/me/shifts").get_data(as_text=True)
    assert _row(db, row.id).checked_in_at is None


def test_the_phone_shows_each_shifts_own_actions_and_the_check_in_time(db, world, me, phone):
    """Every button posts to its own place: two shifts on one page never share an action's URL."""
    now_on = session(db, world, on=TODAY, start=time(9), end=time(11, 30))
    mine_now = on_session(db, now_on, me, status="rostered")
    later = session(db, world, on=TODAY + timedelta(days=3), group_name="四年级")
    offered = on_session(db, later, me, status="swap_offered")
    page = phone.get("/me/shifts").get_data(as_text=True)
    assert f'action="/staff/{mine_now.id}/confirm" class="inline">' in page
    assert f'action="/staff/{mine_now.id}/check-in"' in page
    assert f'action="/staff/{offered.id}/confirm" class="inline"><input type="hidden" name="csrf_token"' in page
    assert page.count('data-testid="keep">我还是能来</button>') == 1   # the offered one only
    assert page.count('data-testid="confirm">') == 1                    # the rostered one only
    assert f'action="/staff/{offered.id}/check-in"' not in page         # not its day
    phone.post(f"/staff/{mine_now.id}/check-in", data={})
    page = phone.get("/me/shifts").get_data(as_text=True)
    assert "08:30 签到" in page                                         # checked in at 08:30, Beijing time
    assert f'action="/staff/{mine_now.id}/check-out"' in page and f'action="/staff/{mine_now.id}/check-in"' not in page
