"""Bad input in every scheduling form: a message in place, 422, nothing written; ids of another
site's objects are refused (in a form) or not found (in a URL)."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.scheduling.models import Activity, Group, GroupMember, Schedule, SchedulingSettings, Session
from tests import factories
from tests.scheduling.helpers import scheduled_world


def _schedule(p):
    return {"activity_id": p.activity.id, "group_id": p.group.id, "room_id": p.room.id, "weekdays": ["0", "2"],
            "starts_at": "09:00", "ends_at": "10:30", "first_date": "2025-07-07", "last_date": "2025-07-18",
            "exception_dates": "", "lead_id": "", "volunteers_needed": "0"}


def _session(p):
    return {"activity_id": p.activity.id, "group_id": p.group.id, "room_id": p.room.id, "on_date": "2025-07-08",
            "starts_at": "09:00", "ends_at": "10:30", "lead_id": "", "volunteers_needed": "0"}


FORMS = {
    "schedule": (lambda p: f"/seasons/{p.season.id}/schedules", Schedule, _schedule, [
        ({"starts_at": "11:00", "ends_at": "10:00"}, "The end time must be after the start time."),
        ({"weekdays": []}, "Choose at least one weekday."),
        ({"weekdays": ["9"]}, "Choose one of the listed options."),
        ({"weekdays": ["5"], "last_date": "2025-07-11"}, "These weekdays and dates give no session at all."),
        ({"last_date": "2025-09-30"}, "is outside the season"),
        ({"first_date": "2025-07-20", "last_date": "2025-07-10"}, "The end date cannot be before the start date."),
        ({"room_id": "999999"}, "Choose one of the listed options."),
        ({"room_id": "abc"}, "Choose one of the listed options."),
        ({"room_id": "other_room"}, "Choose one of the listed options."),
        ({"group_id": ""}, "Choose one of the listed options."),
        ({"lead_id": "99"}, "Choose one of the listed options."),
        ({"exception_dates": "2025-07-08\n7月9日"}, "Not a date: 7月9日"),
        ({"volunteers_needed": "51"}, "Enter a whole number from 0 to 50."),
        ({"starts_at": "25:00"}, "Enter a time as HH:MM."),
    ]),
    "session": (lambda p: f"/seasons/{p.season.id}/sessions", Session, _session, [
        ({"starts_at": "10:30", "ends_at": "10:30"}, "The end time must be after the start time."),
        ({"on_date": "2025-10-01"}, "is outside the season"),
        ({"on_date": "9999-01-01"}, "Enter a date between 1900 and 2100."),
        ({"room_id": "other_room"}, "Choose one of the listed options."),
        ({"activity_id": "\x00"}, "Choose one of the listed options."),
        ({"volunteers_needed": "9" * 30}, "This number is too large."),
    ]),
    "activity": (lambda p: f"/seasons/{p.season.id}/activities", Activity,
                 lambda p: {"track": "health", "name": "营养午餐", "theme_week_id": "", "notes": ""}, [
        ({"track": "art"}, "Not a valid choice."),
        ({"name": "\x00"}, "This field is required."),
        ({"name": "三年级数学"}, "This name is already in use."),
        ({"name": "长" * 101}, "At most 100 characters."),
        ({"theme_week_id": "999999"}, "Choose one of the listed options."),
    ]),
    "group": (lambda p: f"/seasons/{p.season.id}/groups", Group,
              lambda p: {"name": "五年级", "grade": "5", "level": ""}, [
        ({"name": "三年级"}, "This name is already in use."),
        ({"grade": "12"}, "Choose one of the listed options."),
        ({"level": "长" * 41}, "At most 40 characters."),
    ]),
    "settings": (lambda p: f"/sites/{p.season.site_id}/scheduling-settings", SchedulingSettings,
                 lambda p: {"children_per_adult": "8", "max_group_size": "30"}, [
        ({"children_per_adult": "0"}, "Enter a whole number from 1 to 100."),
        ({"max_group_size": "x"}, "Enter a whole number."),
    ]),
}
CASES = [pytest.param(name, changes, message, id=f"{name}: {message} {sorted(changes)}")
         for name, (_url, _model, _good, cases) in FORMS.items() for changes, message in cases]


def _count(db, model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def other_room(world):
    return factories.room(world.other_site, "别处的教室")


@pytest.mark.parametrize("name,changes,message", CASES)
def test_bad_input_is_refused_in_place_and_writes_nothing(client, db, login, en, plan, other_room, name, changes, message):
    url, model, good, _cases = FORMS[name]
    login(client, plan.coordinator)
    en()
    changes = {k: (other_room.id if v == "other_room" else v) for k, v in changes.items()}
    before = _count(db, model)
    response = client.post(url(plan), data={**good(plan), **changes})
    assert response.status_code == 422, response.status_code
    assert message in response.get_data(as_text=True)
    assert _count(db, model) == before


@pytest.mark.parametrize("name", list(FORMS))
def test_the_good_values_of_each_form_save(client, db, login, plan, name):
    url, model, good, _cases = FORMS[name]
    login(client, plan.coordinator)
    before = _count(db, model)
    assert client.post(url(plan), data=good(plan)).status_code == 303
    assert _count(db, model) == before + 1


def test_members_of_another_season_or_junk_ids_are_refused(client, db, login, en, world, plan):
    login(client, plan.coordinator)
    en()
    stranger = factories.enrolment(factories.child(world.site, "别季孩子"), factories.season(world.site))
    before = _count(db, GroupMember)
    for ids in ([str(stranger.id)], ["x1"], ["99999999999"]):
        response = client.post(f"/groups/{plan.group.id}/members", data={"ids": ids}, follow_redirects=True)
        text = response.get_data(as_text=True)
        assert "Only children enrolled in this season" in text or "could not be read" in text
        assert _count(db, GroupMember) == before


def test_urls_naming_objects_of_another_site_are_not_found(app, client, db, login, world):
    ids = scheduled_world(db, world)
    other_room = factories.room(world.other_site, "别处的教室")
    login(client, world.users["coordinator"])
    assert client.get(f"/seasons/{world.season.id}/rooms/{other_room.id}/timetable.pdf").status_code == 404
    assert client.get("/sessions/99999999/edit").status_code in (404, 405)
    assert client.get("/sessions/99999999").status_code == 404
    other = app.test_client()
    login(other, world.users["other_coordinator"])
    for url in (f"/sessions/{ids['occurrence_id']}", f"/groups/{ids['group_id']}/members",
                f"/seasons/{world.season.id}/week"):
        assert other.get(url).status_code == 403, url


def test_a_week_url_with_junk_arguments_still_shows_a_week(client, login, world):
    login(client, world.users["coordinator"])
    response = client.get(f"/seasons/{world.season.id}/week?start=2025-99-01&by=%00&day=x&person=abc")
    assert response.status_code == 200
