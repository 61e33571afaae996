"""Objects and a fixed clock for the staffing tests (tests/scheduling/test_staff_*.py)."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

import pytest

from app.core.timeutil import LOCAL_TZ
from app.scheduling.models import Activity, Group, GroupMember, SchedulingSettings, Session, SessionStaff
from tests import factories

# Wednesday 9 July 2025, 08:30 in Shanghai: inside the factories' season (2025-07-07 .. 2025-08-29)
NOW = datetime(2025, 7, 9, 8, 30, tzinfo=LOCAL_TZ)
TODAY = NOW.date()
TOMORROW = TODAY + timedelta(days=1)
NEXT_WEEK = TODAY + timedelta(days=7)


@pytest.fixture
def clock(monkeypatch):
    """Freeze the staffing modules' "now" at NOW (the app runs in this process, live servers too)."""
    from app.scheduling import routes_staff, staff_queries, staff_services

    def set_now(moment: datetime):
        monkeypatch.setattr(staff_services, "local_now", lambda: moment)
        monkeypatch.setattr(staff_queries, "local_now", lambda: moment)
        monkeypatch.setattr(staff_services, "utcnow",
                            lambda: moment.astimezone(timezone.utc).replace(tzinfo=None))
        monkeypatch.setattr(routes_staff, "local_today", lambda: moment.date())

    set_now(NOW)
    return set_now


def activity(db, season, name="三年级数学", track="tutoring") -> Activity:
    obj = db.session.query(Activity).filter_by(season_id=season.id, name=name).first()
    if obj is None:
        obj = Activity(site_id=season.site_id, season_id=season.id, track=track, name=name)
        db.session.add(obj)
        db.session.commit()
    return obj


def group(db, season, name="三年级", children=0, grade=3) -> Group:
    obj = db.session.query(Group).filter_by(season_id=season.id, name=name).first()
    if obj is None:
        obj = Group(site_id=season.site_id, season_id=season.id, name=name, grade=grade)
        db.session.add(obj)
        db.session.commit()
        for n in range(children):
            child = factories.child(season.site, f"{name}组员{n}", grade=grade)
            enrolment = factories.enrolment(child, season)
            db.session.add(GroupMember(group_id=obj.id, enrolment_id=enrolment.id))
        db.session.commit()
    return obj


def session(db, world, *, on: date = NEXT_WEEK, start=time(9), end=time(10, 30), needed=3, children=0,
            activity_name="三年级数学", group_name="三年级", lead=None, season=None, room=None, site=None,
            cancelled=False) -> Session:
    season = season or world.season
    act = activity(db, season, activity_name)
    grp = group(db, season, group_name, children=children)
    obj = Session(site_id=season.site_id, season_id=season.id, activity_id=act.id, group_id=grp.id,
                  room_id=(room or world.room).id, on_date=on, starts_at=start, ends_at=end, volunteers_needed=needed,
                  lead_id=lead.id if lead else None, cancelled=cancelled, cancel_reason="下雨" if cancelled else "")
    db.session.add(obj)
    db.session.commit()
    return obj


def volunteer(make, world, user=None, *, name=None, site=None, checked=True):
    """A volunteer profile that is eligible (a clear background check, no required training kinds
    unless the test adds one)."""
    site = site or world.site
    user = user or make.user("volunteer", site)
    profile = make.volunteer_profile(user, site, **({"real_name": name} if name else {}))
    if checked:
        make.background_check(profile, date(2025, 6, 1))
    return profile


def on_session(db, session_, profile, status="rostered", **kw) -> SessionStaff:
    row = SessionStaff(session_id=session_.id, user_id=profile.user_id, profile_id=profile.id, role="volunteer",
                       status=status, **kw)
    db.session.add(row)
    db.session.commit()
    return row


def settings(db, site, **kw) -> SchedulingSettings:
    row = db.session.get(SchedulingSettings, site.id) or SchedulingSettings(site_id=site.id)
    for key, value in kw.items():
        setattr(row, key, value)
    db.session.add(row)
    db.session.commit()
    return row


def flashes(client, path="/me/shifts") -> str:
    return client.get(path).get_data(as_text=True)
