"""A session's roster for the attendance tests: a past session (Monday 7 July 2025, in the factories'
season) of a group, the world's "volunteer" rostered on it."""
from __future__ import annotations

from datetime import date, time

from app.scheduling.models import Activity, Group, GroupMember, Session, SessionStaff
from tests import factories

DAY = date(2025, 7, 7)


def add_member(db, world, group, name, *, status="enrolled", **kw):
    child = factories.child(world.site, name, **kw)
    enrolment = factories.enrolment(child, world.season, status=status)
    db.session.add(GroupMember(group_id=group.id, enrolment_id=enrolment.id))
    db.session.commit()
    return child


def roster_session(db, world, *, children=0, names=(), track="tutoring", on=DAY, cancelled=False,
                   group_name="三年级", activity_name="三年级数学", rostered=True) -> Session:
    season = world.season
    act = db.session.query(Activity).filter_by(season_id=season.id, name=activity_name).first()
    if act is None:
        act = Activity(site_id=season.site_id, season_id=season.id, track=track, name=activity_name)
        db.session.add(act)
    grp = db.session.query(Group).filter_by(season_id=season.id, name=group_name).first()
    if grp is None:
        grp = Group(site_id=season.site_id, season_id=season.id, name=group_name, grade=3)
        db.session.add(grp)
    db.session.commit()
    for name in names:
        add_member(db, world, grp, name)
    for n in range(children):
        add_member(db, world, grp, f"孩{n:02d}{group_name}")
    obj = Session(site_id=season.site_id, season_id=season.id, activity_id=act.id, group_id=grp.id,
                  room_id=world.room.id, on_date=on, starts_at=time(9), ends_at=time(10, 30),
                  cancelled=cancelled, cancel_reason="下雨" if cancelled else "")
    db.session.add(obj)
    db.session.commit()
    if rostered:
        db.session.add(SessionStaff(session_id=obj.id, user_id=world.users["volunteer"].id, role="volunteer",
                                    status="confirmed"))
        db.session.commit()
    return obj
