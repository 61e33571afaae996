"""Demo timetable: the 2025 summer season scheduled in all three tracks for every group for its
eight weeks (tutoring mornings, interest classes, lunch, a weekly health talk, a theme-week
workshop), with social workers leading and eligible volunteers rostered; some places stay open."""
from __future__ import annotations

from datetime import time

from sqlalchemy import select

from app.admin.services import create_user
from app.auth.models import User
from app.children.models import Child, Enrolment
from app.extensions import db
from app.scheduling import services
from app.scheduling.models import Activity, Group, GroupMember, Session, SessionStaff
from app.sites.models import Room, ThemeWeek

GROUPS = [  # name, grades, level
    ("低年级组", (1, 2), "一至二年级"), ("中年级组", (3, 4), "三至四年级"),
    ("高年级组", (5, 6), "五至六年级"), ("初中组", (7, 8, 9), "七至九年级"),
]
TUTORING_ROOMS = ["二楼学习室A", "二楼学习室B", "一楼活动室", "多功能厅"]
INTEREST = [("书法", "剪纸"), ("篮球", "绘画"), ("科学实验", "合唱"), ("篮球", "编程启蒙")]
SOCIAL_WORKERS = [("sg_zhou", "周晓", "13800000012"), ("sg_sun", "孙丽", "13800000013"),
                  ("sg_wu", "吴敏", "13800000014")]
MON_TO_FRI, MON_WED_FRI, TUE_THU = 0b11111, 0b10101, 0b01010


def seed_schedule(site, season) -> int:
    """Schedule the season; returns the number of sessions made."""
    coordinator = db.session.scalar(select(User).where(User.username == "shegong"))
    leads = [coordinator]
    for username, name, phone in SOCIAL_WORKERS:
        user = create_user({"username": username, "display_name": name, "phone": phone, "role": "coordinator",
                            "site_id": site.id})
        user.set_password("huhang2025")
        leads.append(user)
    db.session.flush()
    rooms = {r.name: r for r in db.session.scalars(select(Room).where(Room.site_id == site.id))}
    weeks = {w.title: w for w in db.session.scalars(select(ThemeWeek).where(ThemeWeek.season_id == season.id))}

    def activity(track, name, week=None):
        found = db.session.scalar(select(Activity).where(Activity.season_id == season.id, Activity.name == name))
        if found is None:
            found = Activity(site_id=site.id, season_id=season.id, track=track, name=name,
                             theme_week_id=weeks[week].id if week in weeks else None)
            db.session.add(found)
            db.session.flush()
        return found

    rows = db.session.execute(select(Enrolment.id, Child.grade).join(Child, Enrolment.child_id == Child.id).where(
        Enrolment.season_id == season.id, Enrolment.status == "enrolled")).all()
    groups = []
    for name, grades, level in GROUPS:
        group = Group(site_id=site.id, season_id=season.id, name=name, level=level)
        db.session.add(group)
        db.session.flush()
        db.session.add_all(GroupMember(group_id=group.id, enrolment_id=eid) for eid, grade in rows if grade in grades)
        groups.append(group)
    db.session.flush()

    def plan(act, group, room, weekdays, start, end, lead=None, needed=0, first=None, last=None):
        services.create_schedule(season, dict(
            activity_id=act.id, group_id=group.id, room_id=rooms[room].id, weekdays=weekdays, starts_at=start,
            ends_at=end, first_date=first or season.start_date, last_date=last or season.end_date,
            exception_dates=[], lead_id=lead.id if lead else None, volunteers_needed=needed), by=coordinator)

    lunch = activity("health", "营养午餐")
    talk = activity("health", "健康讲座")
    for i, group in enumerate(groups):
        plan(activity("tutoring", f"{group.level}作业辅导"), group, TUTORING_ROOMS[i], MON_TO_FRI,
             time(9), time(10, 30), lead=leads[i], needed=2)
        first, second = INTEREST[i]
        plan(activity("interest", first), group, TUTORING_ROOMS[i], MON_WED_FRI, time(10, 45), time(12), lead=leads[i],
             needed=1)
        plan(activity("interest", second), group, TUTORING_ROOMS[i], TUE_THU, time(10, 45), time(12), lead=leads[i],
             needed=1)
        start = 12 * 60 + 25 * i  # lunch in turns in the canteen
        plan(lunch, group, "社区食堂", MON_TO_FRI, time(start // 60, start % 60), time((start + 25) // 60, (start + 25) % 60),
             lead=leads[i])
        plan(talk, group, "多功能厅", 1 << i, time(14), time(15), lead=leads[(i + 1) % 4])
    week = weeks.get("传统文化周")
    if week is not None:  # a theme-week workshop: 非遗剪纸 for the middle grades
        plan(activity("interest", "非遗剪纸工作坊", "传统文化周"), groups[1], "一楼活动室", TUE_THU,
             time(15, 15), time(16, 30), lead=leads[0], needed=2, first=week.starts_on, last=week.ends_on)
    db.session.flush()
    _roster(site, season)
    return db.session.query(Session).filter(Session.season_id == season.id).count()


def _roster(site, season) -> None:
    """Eligible volunteers on the morning tutoring sessions: each volunteer with one group, one place
    per session (the second place of some sessions stays open)."""
    from app.volunteers.eligibility import eligibility_many
    from app.volunteers.models import VolunteerProfile

    profiles = list(db.session.scalars(select(VolunteerProfile).where(VolunteerProfile.site_id == site.id,
                                                                      VolunteerProfile.archived_at.is_(None))
                                       .order_by(VolunteerProfile.id)))
    from flask import current_app, has_request_context

    from app.core.timeutil import local_today

    # the demo's trainings, checks and insurance are dated from today (the volunteers demo)
    day = local_today()

    if has_request_context():
        verdicts = eligibility_many(profiles, day)
    else:  # the reasons are worded in the reader's language: a request context gives one
        with current_app.test_request_context():
            verdicts = eligibility_many(profiles, day)
    eligible = [p for p in profiles if verdicts[p.id].ok]
    if not eligible:
        return
    sessions = list(db.session.scalars(select(Session).join(Activity, Session.activity_id == Activity.id).where(
        Session.season_id == season.id, Activity.track == "tutoring").order_by(Session.on_date, Session.group_id)))
    group_ids = sorted({s.group_id for s in sessions})
    for session in sessions:
        index = group_ids.index(session.group_id)
        team = eligible[index::len(group_ids)]
        if not team:
            continue
        person = team[session.on_date.toordinal() % len(team)]
        status = "confirmed" if session.on_date.day % 3 else "rostered"
        db.session.add(SessionStaff(session_id=session.id, user_id=person.user_id, profile_id=person.id,
                                    role="volunteer", status=status, created_by_id=None))
    db.session.flush()


