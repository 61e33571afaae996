"""Scheduling objects for tests (also used by the route walk in tests/core/routes.py)."""
from __future__ import annotations

from datetime import date, time

from app.scheduling import services
from app.scheduling.models import Activity, Group, GroupMember, SessionStaff, Session
from tests import factories

MONDAY = date(2025, 7, 7)  # the first day of the factories' season (2025-07-07 .. 2025-08-29)
WEEKDAYS = 0b11111


def activity(db, season, name="三年级数学", track="tutoring"):
    obj = Activity(site_id=season.site_id, season_id=season.id, track=track, name=name)
    db.session.add(obj)
    db.session.commit()
    return obj


def group(db, season, name="三年级", grade=3, children=0):
    obj = Group(site_id=season.site_id, season_id=season.id, name=name, grade=grade)
    db.session.add(obj)
    db.session.commit()
    for n in range(children):
        child = factories.child(season.site, f"组员{name}{n}", grade=grade)
        enrolment = factories.enrolment(child, season)
        db.session.add(GroupMember(group_id=obj.id, enrolment_id=enrolment.id))
    db.session.commit()
    return obj


def schedule(db, season, activity_, group_, room, by, *, first=MONDAY, last=date(2025, 7, 18), weekdays=WEEKDAYS,
             start=time(9), end=time(10, 30), exceptions=(), lead=None, volunteers_needed=0):
    made = services.create_schedule(season, dict(
        activity_id=activity_.id, group_id=group_.id, room_id=room.id, weekdays=weekdays, starts_at=start,
        ends_at=end, first_date=first, last_date=last, exception_dates=list(exceptions),
        lead_id=lead.id if lead else None, volunteers_needed=volunteers_needed), by=by)
    db.session.commit()
    return made


def scheduled_world(db, world) -> dict:
    """An activity, a group with one child, a schedule for two weeks and a volunteer on its first
    session: the URL ids of the scheduling area."""
    season = world.season
    act, grp = activity(db, season), group(db, season, children=1)
    sched = schedule(db, season, act, grp, world.room, world.users["coordinator"], lead=world.users["coordinator"])
    first = db.session.query(Session).filter_by(schedule_id=sched.id).order_by(Session.on_date).first()
    staff = SessionStaff(session_id=first.id, user_id=world.users["volunteer"].id, role="volunteer")
    db.session.add(staff)
    db.session.commit()
    return {"activity_id": act.id, "group_id": grp.id, "schedule_id": sched.id, "occurrence_id": first.id,
            "staff_id": staff.id}
