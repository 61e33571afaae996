"""Issue 9: a volunteer changes or withdraws their own pending entry; the old values stay visible;
reviewed entries stay locked."""
from __future__ import annotations

from datetime import date, time

import pytest

from app.volunteers.models import HourCorrection, HourEntry

D = date(2025, 7, 8)


@pytest.fixture
def me(make, world):
    return make.volunteer_profile(world.users["volunteer"], world.site, real_name="王浩然")


def _change(client, entry, **values):
    data = {"work_date": D.isoformat(), "starts_at": "09:00", "ends_at": "11:00", "activity": "三年级数学辅导"}
    data.update(values)
    return client.post(f"/hours/{entry.id}/change", data=data)


def test_a_volunteer_changes_a_pending_entry_and_the_old_values_stay_visible(client, db, login, make, world, me):
    entry = make.hour_entry(me, D, "09:00", "11:00", activity="三年级数学辅导")
    login(client, world.users["volunteer"])
    page = client.get(f"/volunteers/{me.id}").get_data(as_text=True)
    assert f"/hours/{entry.id}/change" in page and f"/hours/{entry.id}/withdraw" in page
    assert client.get(f"/hours/{entry.id}/change").status_code == 200

    response = _change(client, entry, ends_at="10:30", activity="四年级英语辅导", reason="记错了结束时间")
    assert response.status_code == 303
    db.session.refresh(entry)
    assert (entry.ends_at, entry.minutes, entry.activity, entry.status) == (time(10, 30), 90, "四年级英语辅导", "pending")
    correction = db.session.query(HourCorrection).one()
    assert correction.old_values == {"ends_at": "11:00", "activity": "三年级数学辅导"}
    assert correction.changed_by_id == world.users["volunteer"].id
    page = client.get(f"/volunteers/{me.id}").get_data(as_text=True)
    assert "三年级数学辅导" in page and "11:00" in page and "记错了结束时间" in page  # the history shows the old values


def test_a_volunteer_withdraws_a_pending_entry(client, db, login, make, world, me):
    entry = make.hour_entry(me, D, "09:00", "11:00")
    login(client, world.users["volunteer"])
    response = client.post(f"/hours/{entry.id}/withdraw", data={})
    assert response.status_code == 303
    db.session.refresh(entry)
    assert entry.status == "withdrawn"
    correction = db.session.query(HourCorrection).one()
    assert (correction.old_values, correction.new_values) == ({"status": "pending"}, {"status": "withdrawn"})
    page = client.get(response.location).get_data(as_text=True)
    assert "已撤回" in page and f"/hours/{entry.id}/change" not in page
    # a withdrawn entry no longer holds its time: the same hours can be logged again
    again = client.post(f"/volunteers/{me.id}/hours", data={
        "work_date": D.isoformat(), "starts_at": "09:00", "ends_at": "11:00", "activity": "三年级数学辅导"})
    assert again.status_code == 303
    assert db.session.query(HourEntry).filter_by(profile_id=me.id).count() == 2


@pytest.mark.parametrize("status", ["approved", "rejected"])
def test_reviewed_entries_stay_locked(client, db, login, make, world, me, status):
    entry = make.hour_entry(me, D, "09:00", "11:00", status=status)
    login(client, world.users["volunteer"])
    assert f"/hours/{entry.id}/change" not in client.get(f"/volunteers/{me.id}").get_data(as_text=True)
    response = _change(client, entry, ends_at="10:00")
    assert response.status_code == 422 and "已审核的记录不能修改" in response.get_data(as_text=True)
    response = client.post(f"/hours/{entry.id}/withdraw", data={})
    assert response.status_code == 303
    assert "已审核的记录不能修改" in client.get(response.location).get_data(as_text=True)
    db.session.refresh(entry)
    assert (entry.status, entry.ends_at) == (status, time(11, 0))
    assert db.session.query(HourCorrection).count() == 0


@pytest.mark.parametrize("values,message", [
    ({"ends_at": "08:00"}, "结束时间必须晚于开始时间"),
    ({"activity": ""}, "必填"),
    ({}, "没有任何修改"),
])
def test_bad_changes_save_nothing(client, db, login, make, world, me, values, message):
    entry = make.hour_entry(me, D, "09:00", "11:00")
    login(client, world.users["volunteer"])
    response = _change(client, entry, **values)
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    db.session.refresh(entry)
    assert entry.ends_at == time(11, 0) and db.session.query(HourCorrection).count() == 0


def test_another_volunteer_cannot_touch_my_entry(app, db, login, make, world, me):
    entry = make.hour_entry(me, D, "09:00", "11:00")
    stranger = make.user("volunteer", world.site)
    make.volunteer_profile(stranger, world.site)
    client = app.test_client()
    login(client, stranger)
    assert _change(client, entry, ends_at="10:00").status_code == 403
    assert client.post(f"/hours/{entry.id}/withdraw", data={}).status_code == 403
    db.session.refresh(entry)
    assert entry.status == "pending"
