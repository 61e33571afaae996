"""The schema makes duplicates impossible, whatever the code above it does."""
from datetime import date, time

import pytest
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.scheduling.models import Activity, Group, Schedule, Session, SessionStaff


def _basics(world):
    activity = Activity(site_id=world.site.id, season_id=world.season.id, track="tutoring", name="三年级数学")
    group = Group(site_id=world.site.id, season_id=world.season.id, name="三年级", grade=3)
    db.session.add_all([activity, group])
    db.session.flush()
    schedule = Schedule(site_id=world.site.id, season_id=world.season.id, activity_id=activity.id,
                        group_id=group.id, room_id=world.room.id, weekdays=0b11111,
                        starts_at=time(9), ends_at=time(10, 30), first_date=date(2025, 7, 7),
                        last_date=date(2025, 8, 15), exception_dates=[])
    db.session.add(schedule)
    db.session.flush()
    return activity, group, schedule


def _session(world, activity, group, schedule, on):
    return Session(site_id=world.site.id, season_id=world.season.id, schedule_id=schedule.id, origin_date=on,
                   activity_id=activity.id, group_id=group.id, room_id=world.room.id, on_date=on,
                   starts_at=time(9), ends_at=time(10, 30))


def test_one_session_per_schedule_and_recurrence_date(app, world):
    activity, group, schedule = _basics(world)
    db.session.add(_session(world, activity, group, schedule, date(2025, 7, 7)))
    db.session.flush()
    db.session.add(_session(world, activity, group, schedule, date(2025, 7, 7)))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_one_place_per_person_and_session(app, world):
    activity, group, schedule = _basics(world)
    session = _session(world, activity, group, schedule, date(2025, 7, 7))
    db.session.add(session)
    db.session.flush()
    volunteer = world.users["volunteer"]
    db.session.add(SessionStaff(session_id=session.id, user_id=volunteer.id, role="volunteer"))
    db.session.flush()
    db.session.add(SessionStaff(session_id=session.id, user_id=volunteer.id, role="lead"))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


@pytest.mark.parametrize("change", [dict(track="art"), dict(weekdays=0), dict(ends_at=time(8)),
                                    dict(cancelled=True)])
def test_the_database_refuses_impossible_rows(app, world, change):
    activity, group, schedule = _basics(world)
    if "track" in change:
        activity.track = change["track"]
    elif "weekdays" in change:
        schedule.weekdays = 0
    else:
        session = _session(world, activity, group, schedule, date(2025, 7, 8))
        for key, value in change.items():
            setattr(session, key, value)
        db.session.add(session)
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
