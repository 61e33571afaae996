"""A fully scheduled season on top of the district data (bench/district.py), for the benchmarks of
issues 10, 11 and 12: timetable, rostering, menus and the day at the site.

``build_season(district)`` (inside an app context, right after ``build_district()``) moves each
site's 2025 season to the eight weeks around today (so a volunteer's "my shifts", the today page
and the menus are about now, as on a working day), then for every site:

* six groups by grade (一年级 ... 初中; the 初中 group is above the largest group size of 40, so
  the week grid has sessions to flag), eight rooms, three social workers who lead;
* the recurring schedules of all three tracks made through ``services.create_schedule`` (the
  real generation path, conflict checks included): tutoring Mon–Fri, interest classes Mon/Wed/Fri
  and Tue/Thu, lunch Mon–Fri in turns in the canteen, a weekly health talk: 16 sessions per group
  and week, 768 per site, 9,216 in the district;
* the site's 20 volunteers made eligible (a clear background check) and rostered: two places on
  each tutoring session, one on each interest class, every fifth session with one place left open,
  one shift offered for a swap;

and for the first site only: the national food table (the health loader), the demo's school-lunch
recipes and eight weeks of menus (the demo's two weeks in turn), and today's arrivals (two thirds of
the expected children arrived, a few already gone home).
"""
from __future__ import annotations

import time as clock
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

GROUPS = [("一年级", (1,), 1), ("二年级", (2,), 2), ("三年级", (3,), 3), ("四年级", (4,), 4),
          ("五六年级", (5, 6), None), ("初中", (7, 8, 9), None)]
INTEREST = [("书法", "剪纸"), ("篮球", "绘画"), ("科学实验", "合唱"), ("篮球", "编程启蒙"), ("围棋", "舞蹈"),
            ("机器人", "篮球")]
MON_TO_FRI, MON_WED_FRI, TUE_THU = 0b11111, 0b10101, 0b01010
WEEKS = 8


@dataclass
class SeasonData:
    season_id: int
    site_id: int
    group_id: int            # 三年级 of the first site: its printed timetable
    session_id: int          # a tutoring session of this week (two volunteers, a lead)
    week_start: date         # Monday of this week
    today: date
    day: date                # the working day the today page and the session page show (today, or the
                             # Friday before on a weekend)
    volunteer_login: str     # a volunteer of the first site with shifts every weekday
    volunteer_user_id: int
    lead_user_id: int        # a social worker of the first site (the by-person view)
    sessions: int            # in the district
    sessions_site: int       # in the first site's season
    sessions_week: int       # in the first site's week grid
    staff_rows: int
    menu_dishes: int
    expected_today: int
    generate_seconds: float


def build_season(district) -> SeasonData:
    from sqlalchemy import func, insert, select, update

    from app.auth.models import RoleGrant, User
    from app.children.models import Child, Enrolment
    from app.core.timeutil import local_today
    from app.extensions import db
    from app.scheduling import services
    from app.scheduling.models import Activity, Group, GroupMember, Session, SessionStaff
    from app.sites.models import Room, Season
    from app.volunteers.models import BackgroundCheck, VolunteerProfile

    today = local_today()
    monday = today - timedelta(days=today.weekday())
    first = monday - timedelta(days=7 * (WEEKS // 2))
    last = first + timedelta(days=7 * (WEEKS - 1) + 4)
    seasons = list(db.session.scalars(select(Season).where(Season.name == "2025年暑期").order_by(Season.site_id)))
    db.session.execute(update(Season).where(Season.id.in_([s.id for s in seasons]))
                       .values(start_date=first, end_date=last))
    db.session.expire_all()
    now = datetime.utcnow()

    # social workers (leads): three per site, one password hash for all
    password_hash = db.session.scalar(select(User.password_hash).where(User.username == district.coordinator_login))
    db.session.execute(insert(User), [dict(username=f"sg{s.site_id:02d}{k}", display_name=f"社工{s.site_id:02d}{'甲乙丙'[k]}",
                                           password_hash=password_hash, active=True, created_at=now, updated_at=now)
                                      for s in seasons for k in range(3)])
    social = {}
    for user_id, username in db.session.execute(select(User.id, User.username).where(User.username.like("sg%"))):
        social.setdefault(int(username[2:4]), []).append(user_id)
    db.session.execute(insert(RoleGrant), [dict(user_id=u, role="coordinator", site_id=site_id)
                                           for site_id, users in social.items() for u in users])

    # every volunteer eligible: a clear background check a month ago
    profiles = db.session.execute(select(VolunteerProfile.id, VolunteerProfile.user_id, VolunteerProfile.site_id)
                                  .order_by(VolunteerProfile.id)).all()
    db.session.execute(insert(BackgroundCheck), [dict(profile_id=p.id, checked_on=today - timedelta(days=30),
                                                      checked_by="旧馆派出所", result="clear", note="", created_at=now)
                                                 for p in profiles])
    db.session.commit()

    coordinator = db.session.scalar(select(User).where(User.username == district.coordinator_login))
    started = clock.perf_counter()
    for season in seasons:
        site_id = season.site_id
        rooms = [Room(site_id=site_id, name=f"学习室{i + 1}", capacity=60) for i in range(len(GROUPS))]
        canteen, hall = Room(site_id=site_id, name="社区食堂", capacity=200), Room(site_id=site_id, name="多功能厅",
                                                                              capacity=200)
        db.session.add_all([*rooms, canteen, hall])
        rows = db.session.execute(select(Enrolment.id, Child.grade).join(Child, Enrolment.child_id == Child.id).where(
            Enrolment.season_id == season.id, Enrolment.status == "enrolled")).all()
        groups = []
        for name, grades, grade in GROUPS:
            group = Group(site_id=site_id, season_id=season.id, name=name, grade=grade, level="")
            db.session.add(group)
            groups.append((group, grades))
        db.session.flush()
        db.session.execute(insert(GroupMember), [dict(group_id=g.id, enrolment_id=eid, added_at=now)
                                                 for g, grades in groups for eid, grade in rows if grade in grades])
        activities = {}

        def activity(track, name):
            if name not in activities:
                activities[name] = Activity(site_id=site_id, season_id=season.id, track=track, name=name, notes="")
                db.session.add(activities[name])
                db.session.flush()
            return activities[name]

        leads = social[site_id]

        def plan(act, group, room, weekdays, start, end, lead, needed=0):
            services.create_schedule(season, dict(
                activity_id=act.id, group_id=group.id, room_id=room.id, weekdays=weekdays, starts_at=start,
                ends_at=end, first_date=first, last_date=last, exception_dates=[], lead_id=lead,
                volunteers_needed=needed), by=coordinator)

        lunch, talk = activity("health", "营养午餐"), activity("health", "健康讲座")
        for i, (group, _grades) in enumerate(groups):
            lead = leads[i % 3]
            # two groups share each lead's morning: tutoring 8:00 or 9:30, interest 11:00 or 14:30
            tutoring_at = (time(8), time(9, 20)) if i < 3 else (time(9, 30), time(10, 50))
            interest_at = (time(11), time(11, 50)) if i < 3 else (time(14, 30), time(15, 20))
            plan(activity("tutoring", f"{group.name}作业辅导"), group, rooms[i], MON_TO_FRI, *tutoring_at, lead, 2)
            a, b = INTEREST[i]
            plan(activity("interest", f"{a}（{group.name}）"), group, rooms[i], MON_WED_FRI, *interest_at, lead, 1)
            plan(activity("interest", f"{b}（{group.name}）"), group, rooms[i], TUE_THU, *interest_at, lead, 1)
            start = 12 * 60 + 20 * i
            plan(lunch, group, canteen, MON_TO_FRI, time(start // 60, start % 60),
                 time((start + 20) // 60, (start + 20) % 60), None)
            plan(talk, group, hall, 1 << (i % 5), time(16) if i < 5 else time(17), time(16, 50) if i < 5 else time(17, 50),
                 leads[(i + 1) % 3])
        db.session.commit()
    generate_seconds = clock.perf_counter() - started

    # rostering: the site's volunteers on tutoring (2 places) and interest (1 place) sessions
    by_site: dict[int, list] = {}
    for p in profiles:
        by_site.setdefault(p.site_id, []).append(p)
    staff = []
    sessions = db.session.execute(select(Session.id, Session.site_id, Session.on_date, Session.starts_at,
                                         Session.volunteers_needed).where(Session.volunteers_needed > 0)
                                  .order_by(Session.site_id, Session.on_date, Session.starts_at, Session.id)).all()
    turn: dict[tuple, int] = {}
    for index, s in enumerate(sessions):
        team = by_site[s.site_id]
        places = s.volunteers_needed - (1 if index % 5 == 4 else 0)
        for _ in range(places):
            # each time slot of a day takes the next volunteers in turn: nobody in two places at once
            k = turn.get((s.site_id, s.on_date, s.starts_at), 0)
            turn[(s.site_id, s.on_date, s.starts_at)] = k + 1
            person = team[(k + s.on_date.toordinal() + (0 if s.starts_at < time(10) else 7)) % len(team)]
            confirmed = s.on_date < today or index % 4 != 0
            staff.append(dict(session_id=s.id, user_id=person.user_id, profile_id=person.id, role="volunteer",
                              status="confirmed" if confirmed else "rostered", created_at=now,
                              status_changed_at=now, confirmed_at=now if confirmed else None))
    db.session.execute(insert(SessionStaff), staff)
    offer = db.session.scalar(select(SessionStaff).join(Session, SessionStaff.session_id == Session.id).where(
        Session.site_id == seasons[0].site_id, Session.on_date > today + timedelta(days=2)).limit(1))
    offer.status = "swap_offered"
    db.session.commit()

    site_id, season = seasons[0].site_id, seasons[0]
    dishes = _menus(season, first, last, today)
    day = today - timedelta(days=max(today.weekday() - 4, 0))
    expected = _arrivals(season, day)
    db.session.commit()

    # the volunteer with most shifts this week on the first site; a tutoring session of this week
    volunteer_user_id = db.session.scalar(
        select(SessionStaff.user_id).join(Session, SessionStaff.session_id == Session.id)
        .where(Session.site_id == site_id, Session.on_date >= monday, Session.on_date < monday + timedelta(days=7))
        .group_by(SessionStaff.user_id).order_by(func.count().desc(), SessionStaff.user_id).limit(1))
    group = db.session.scalar(select(Group).where(Group.season_id == season.id, Group.name == "三年级"))
    session_id = db.session.scalar(
        select(Session.id).join(Activity, Session.activity_id == Activity.id)
        .where(Session.group_id == group.id, Activity.track == "tutoring", Session.on_date >= monday)
        .order_by(Session.on_date).limit(1))

    def count(*where):
        return db.session.scalar(select(func.count()).select_from(Session).where(*where))

    return SeasonData(
        season_id=season.id, site_id=site_id, group_id=group.id, session_id=session_id, week_start=monday,
        today=today, day=day, volunteer_login=db.session.get(User, volunteer_user_id).username,
        volunteer_user_id=volunteer_user_id, lead_user_id=social[site_id][0],
        sessions=count(), sessions_site=count(Session.season_id == season.id),
        sessions_week=count(Session.season_id == season.id, Session.on_date >= monday,
                            Session.on_date < monday + timedelta(days=7)),
        staff_rows=len(staff), menu_dishes=dishes, expected_today=expected, generate_seconds=generate_seconds)


def _menus(season, first: date, last: date, today: date) -> int:
    """The demo's recipes and its two weeks of menus in turn over the eight weeks (one day of
    each second week fails the check; 宫保鸡丁 meets the district's peanut-allergic children)."""
    from sqlalchemy import insert, select

    from app.extensions import db
    from app.health.demo import RECIPES, WEEKS as MENU_WEEKS
    from app.health.models import Food, MenuDish, Recipe, RecipeItem
    from app.health.services import load_foods

    load_foods()
    foods = {f.name_zh: f for f in db.session.scalars(select(Food).where(Food.site_id.is_(None)))}
    recipes = {}
    for name, items in RECIPES.items():
        recipe = Recipe(site_id=season.site_id, name=name, reference_group="9-11")
        recipe.items = [RecipeItem(food_id=foods[food].id, grams=grams) for food, grams in items]
        db.session.add(recipe)
        recipes[name] = recipe
    db.session.flush()
    now = datetime.utcnow()
    rows = []
    for w in range(WEEKS):
        for d, (lunch, snack) in enumerate(MENU_WEEKS[w % 2]):
            day = first + timedelta(days=7 * w + d)
            for meal, names in (("lunch", lunch), ("snack", snack)):
                rows += [dict(site_id=season.site_id, season_id=season.id, day=day, meal=meal,
                              recipe_id=recipes[name].id, created_at=now) for name in names]
    db.session.execute(insert(MenuDish), rows)
    return len(rows)


def _arrivals(season, today: date) -> int:
    """A day at the first site: two thirds of the enrolled children arrived, every tenth already
    picked up by a guardian. Returns how many children are expected that day."""
    from sqlalchemy import insert, select

    from app.children.models import Enrolment, Guardian
    from app.daily.models import DayRecord
    from app.extensions import db

    rows = db.session.execute(select(Enrolment.child_id, Guardian.id).join(
        Guardian, Guardian.child_id == Enrolment.child_id).where(
        Enrolment.season_id == season.id, Enrolment.status == "enrolled").order_by(Enrolment.child_id)).all()
    morning = datetime.combine(today, time(0, 30))   # 08:30 in Shanghai, naive UTC
    records = []
    for i, (child_id, guardian_id) in enumerate(rows):
        if i % 3 == 2:
            continue
        gone = i % 10 == 0
        records.append(dict(site_id=season.site_id, child_id=child_id, day=today, arrived_at=morning,
                            departed_at=morning + timedelta(hours=3) if gone else None,
                            departure_kind="guardian" if gone else None, guardian_id=guardian_id if gone else None,
                            picked_up_by="家长" if gone else "", exception_reason="", excuse="",
                            updated_at=morning))
    db.session.execute(insert(DayRecord), records)
    return len({child_id for child_id, _g in rows})
