"""Every kind of conflict is refused with a message in words and nothing saved: a room
double-booked, a group in two sessions at once, a lead or a volunteer in two places at once, a date
outside the season, a room too small for the group."""
from datetime import date, time

import pytest
from sqlalchemy import func, select

from app.extensions import db as _db
from app.scheduling.models import Session, SessionStaff
from tests import factories
from tests.scheduling.helpers import schedule


def _count() -> int:
    _db.session.expire_all()
    return _db.session.scalar(select(func.count()).select_from(Session))


def _session_form(plan, **changes):
    values = {"activity_id": plan.other_activity.id, "group_id": plan.other_group.id, "room_id": plan.other_room.id,
              "on_date": "2025-07-08", "starts_at": "10:00", "ends_at": "11:00", "lead_id": "",
              "volunteers_needed": "0"}
    values.update({k: (v.id if hasattr(v, "id") else v) for k, v in changes.items()})
    return values


@pytest.fixture
def booked(db, plan, client, login, en):
    """Mon–Fri 9:00–10:30 in the world's room for the grade 3 group, led by the coordinator."""
    made = schedule(db, plan.season, plan.activity, plan.group, plan.room, plan.coordinator, lead=plan.coordinator)
    login(client, plan.coordinator)
    en()
    return made


@pytest.mark.parametrize("changes,message", [
    (dict(room_id="room"), "一楼活动室 is already booked on"),
    (dict(group_id="group"), "Group 三年级 already has a session on"),
    (dict(lead_id="coordinator"), "is already on 三年级数学 in 一楼活动室 on"),
    (dict(on_date="2025-09-01"), "is outside the season"),
    (dict(on_date="2025-07-06"), "is outside the season"),
], ids=["room", "group", "lead", "after the season", "before the season"])
def test_a_conflicting_session_is_refused_in_words(client, plan, booked, changes, message):
    values = {k: getattr(plan, v) if k != "on_date" else v for k, v in changes.items()}
    before = _count()
    response = client.post(f"/seasons/{plan.season.id}/sessions", data=_session_form(plan, **values))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert _count() == before


def test_a_volunteer_in_two_places_at_once_is_refused(db, client, plan, booked):
    volunteer = factories.user("volunteer", plan.season.site, display_name="王志愿")
    first = db.session.scalars(select(Session).where(Session.schedule_id == booked.id).order_by(Session.on_date)).first()
    db.session.add(SessionStaff(session_id=first.id, user_id=volunteer.id, role="volunteer"))
    db.session.commit()
    response = client.post(f"/seasons/{plan.season.id}/sessions", data=_session_form(
        plan, on_date="2025-07-07", starts_at="14:00", ends_at="15:00"))
    assert response.status_code == 303
    afternoon = db.session.scalars(select(Session).where(Session.starts_at == time(14))).one()
    db.session.add(SessionStaff(session_id=afternoon.id, user_id=volunteer.id, role="volunteer"))
    db.session.commit()
    # moving the afternoon session onto the morning puts the volunteer in two places
    response = client.post(f"/sessions/{afternoon.id}/edit", data=_session_form(
        plan, on_date="2025-07-07", starts_at="10:00", ends_at="11:00"))
    assert response.status_code == 422
    assert "王志愿 is already on 三年级数学" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Session, afternoon.id).starts_at == time(14)


def test_a_room_smaller_than_the_group_is_refused(client, plan, booked):
    small = factories.room(plan.season.site, "小会议室", capacity=2)
    response = client.post(f"/seasons/{plan.season.id}/sessions", data=_session_form(
        plan, room_id=small, group_id=plan.group, on_date="2025-07-19"))
    assert response.status_code == 422
    assert "小会议室 holds 2 children, but group 三年级 has 3." in response.get_data(as_text=True)


def test_a_schedule_refuses_all_its_dates_when_one_conflicts(client, plan, booked):
    before = _count()
    response = client.post(f"/seasons/{plan.season.id}/schedules", data={
        "activity_id": plan.other_activity.id, "group_id": plan.other_group.id, "room_id": plan.room.id,
        "weekdays": ["5", "4"], "starts_at": "10:00", "ends_at": "11:00", "first_date": "2025-07-07",
        "last_date": "2025-07-31", "exception_dates": "", "lead_id": "", "volunteers_needed": "0"})
    assert response.status_code == 422
    assert "一楼活动室 is already booked on" in response.get_data(as_text=True)
    assert _count() == before


def test_back_to_back_sessions_and_cancelled_ones_do_not_conflict(db, client, plan, booked):
    response = client.post(f"/seasons/{plan.season.id}/sessions", data=_session_form(
        plan, room_id=plan.room, starts_at="10:30", ends_at="11:30"))
    assert response.status_code == 303  # starts when the other ends
    tuesday = db.session.scalars(select(Session).where(Session.on_date == date(2025, 7, 9),
                                                       Session.schedule_id == booked.id)).one()
    client.post(f"/sessions/{tuesday.id}/cancel", data={"reason": "停电", "scope": "one"})
    response = client.post(f"/seasons/{plan.season.id}/sessions", data=_session_form(
        plan, room_id=plan.room, on_date="2025-07-09", starts_at="09:00", ends_at="10:00"))
    assert response.status_code == 303
