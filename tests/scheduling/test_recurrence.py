"""Recurring schedules make dated sessions: weekdays, exceptions, one per date even when extended,
edits of one session and of all following, cancellations."""
from datetime import date, time

from sqlalchemy import select

from app.scheduling import services
from app.scheduling.models import Schedule, Session
from tests.scheduling.helpers import MONDAY, schedule


def _sessions(db, **where):
    db.session.expire_all()
    return list(db.session.scalars(select(Session).filter_by(**where).order_by(Session.on_date, Session.starts_at)))


def test_weekdays_and_exceptions_make_the_dates(db, plan):
    made = schedule(db, plan.season, plan.activity, plan.group, plan.room, plan.coordinator,
                    weekdays=0b10101, last=date(2025, 7, 20), exceptions=[date(2025, 7, 9)])  # Mon, Wed, Fri
    days = [s.on_date for s in _sessions(db, schedule_id=made.id)]
    assert days == [date(2025, 7, 7), date(2025, 7, 11), date(2025, 7, 14), date(2025, 7, 16), date(2025, 7, 18)]
    assert all(s.starts_at == time(9) and s.ends_at == time(10, 30) for s in _sessions(db, schedule_id=made.id))


def test_recurrence_dates_are_plain_local_dates():
    # Asia/Shanghai has no daylight saving: every Monday of a year is seven days after the last
    days = services.recurrence_dates(date(2025, 1, 1), date(2025, 12, 31), 0b1)
    assert len(days) == 52 and all((b - a).days == 7 for a, b in zip(days, days[1:]))


def test_extending_adds_sessions_without_duplicates(db, plan, client, login):
    made = schedule(db, plan.season, plan.activity, plan.group, plan.room, plan.coordinator)
    assert len(_sessions(db, schedule_id=made.id)) == 10
    login(client, plan.coordinator)
    response = client.post(f"/schedules/{made.id}/edit", data={
        "first_date": "2025-07-07", "last_date": "2025-08-01", "exception_dates": ""})
    assert response.status_code == 303
    sessions = _sessions(db, schedule_id=made.id)
    assert len(sessions) == 20 and len({s.origin_date for s in sessions}) == 20
    # saving the same range again adds nothing
    client.post(f"/schedules/{made.id}/edit", data={
        "first_date": "2025-07-07", "last_date": "2025-08-01", "exception_dates": ""})
    assert len(_sessions(db, schedule_id=made.id)) == 20


def test_a_date_taken_out_cancels_its_session_and_putting_it_back_does_not_duplicate(db, plan, client, login):
    made = schedule(db, plan.season, plan.activity, plan.group, plan.room, plan.coordinator)
    login(client, plan.coordinator)
    client.post(f"/schedules/{made.id}/edit", data={
        "first_date": "2025-07-07", "last_date": "2025-07-18", "exception_dates": "2025-07-08"})
    cancelled = [s for s in _sessions(db, schedule_id=made.id) if s.cancelled]
    assert [s.on_date for s in cancelled] == [date(2025, 7, 8)]
    client.post(f"/schedules/{made.id}/edit", data={
        "first_date": "2025-07-07", "last_date": "2025-07-18", "exception_dates": ""})
    assert len(_sessions(db, schedule_id=made.id)) == 10


def test_editing_one_session_leaves_the_others(db, plan, client, login):
    made = schedule(db, plan.season, plan.activity, plan.group, plan.room, plan.coordinator)
    second = _sessions(db, schedule_id=made.id)[1]
    login(client, plan.coordinator)
    response = client.post(f"/sessions/{second.id}/edit", data={
        "activity_id": plan.activity.id, "group_id": plan.group.id, "room_id": plan.other_room.id,
        "on_date": "2025-07-12", "starts_at": "14:00", "ends_at": "15:00", "lead_id": "", "volunteers_needed": "2",
        "scope": "one"})
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    sessions = _sessions(db, schedule_id=made.id)
    moved = [s for s in sessions if s.id == second.id][0]
    assert (moved.on_date, moved.starts_at, moved.room_id, moved.origin_date) == (
        date(2025, 7, 12), time(14), plan.other_room.id, date(2025, 7, 8))
    assert all(s.starts_at == time(9) and s.room_id == plan.room.id for s in sessions if s.id != second.id)
    # extending the schedule later does not bring the moved date back as a second session
    client.post(f"/schedules/{made.id}/edit", data={
        "first_date": "2025-07-07", "last_date": "2025-07-25", "exception_dates": ""})
    assert len(_sessions(db, schedule_id=made.id)) == 15


def test_editing_this_and_following_splits_the_schedule(db, plan, client, login):
    made = schedule(db, plan.season, plan.activity, plan.group, plan.room, plan.coordinator)
    sixth = _sessions(db, schedule_id=made.id)[5]  # Monday 14 July
    login(client, plan.coordinator)
    response = client.post(f"/sessions/{sixth.id}/edit", data={
        "activity_id": plan.activity.id, "group_id": plan.group.id, "room_id": plan.room.id,
        "on_date": "2025-07-14", "starts_at": "10:00", "ends_at": "11:30", "lead_id": "", "volunteers_needed": "0",
        "scope": "following"})
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    sessions = _sessions(db, season_id=plan.season.id)
    assert [s.starts_at for s in sessions] == [time(9)] * 5 + [time(10)] * 5
    schedules = list(db.session.scalars(select(Schedule).order_by(Schedule.id)))
    assert [(s.first_date, s.last_date, s.starts_at) for s in schedules] == [
        (MONDAY, date(2025, 7, 13), time(9)), (date(2025, 7, 14), date(2025, 7, 18), time(10))]
    # extending the later part keeps the new time
    client.post(f"/schedules/{schedules[1].id}/edit", data={
        "first_date": "2025-07-14", "last_date": "2025-07-25", "exception_dates": ""})
    later = _sessions(db, schedule_id=schedules[1].id)
    assert len(later) == 10 and {s.starts_at for s in later} == {time(10)}


def test_cancel_one_and_cancel_following(db, plan, client, login):
    made = schedule(db, plan.season, plan.activity, plan.group, plan.room, plan.coordinator)
    sessions = _sessions(db, schedule_id=made.id)
    login(client, plan.coordinator)
    assert client.post(f"/sessions/{sessions[1].id}/cancel", data={"reason": "台风预警", "scope": "one"}).status_code == 303
    assert [s.cancelled for s in _sessions(db, schedule_id=made.id)] == [False, True] + [False] * 8
    assert client.post(f"/sessions/{sessions[7].id}/cancel", data={"reason": "提前结营", "scope": "following"}).status_code == 303
    after = _sessions(db, schedule_id=made.id)
    assert [s.cancelled for s in after] == [False, True] + [False] * 5 + [True] * 3
    assert after[-1].cancel_reason == "提前结营" and after[1].cancel_reason == "台风预警"
    db.session.expire_all()
    assert db.session.get(Schedule, made.id).last_date == date(2025, 7, 15)
