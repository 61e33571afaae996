"""District-size data for the benchmarks: 12 sites, ~5,000 children, 240 volunteers, ~8,000 hour
entries, donations from the five kinds of party. Built in one process with bulk INSERTs (seconds).

``build_district()`` (inside an app context, on an empty migrated database) returns a ``District``
with what the benchmarks open: the coordinator of the first site, a season there with its roster,
one child, one volunteer, and the passwords.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

SITES = 12
SEASONS_PER_SITE = 3  # 2023, 2024, 2025 summers
CHILDREN_PER_SEASON = 139  # 12 × 3 × 139 = 5,004 children, each enrolled once
VOLUNTEERS_PER_SITE = 20
HOURS_PER_VOLUNTEER = 34  # 240 × 34 = 8,160 hour entries; one in eight still pending
DONATIONS_PER_SITE = 40
PASSWORD = "bench-password-1"


@dataclass
class District:
    coordinator_login: str
    admin_login: str
    password: str
    site_id: int
    season_id: int
    child_id: int
    profile_id: int
    children: int
    hour_entries: int
    sites: int


def build_district() -> District:
    from decimal import Decimal

    from sqlalchemy import func, insert, select

    from app.auth.models import RoleGrant, User
    from app.children.models import Child, Enrolment, Guardian
    from app.children.names import name_pinyin
    from app.extensions import db
    from app.resources.models import Donation
    from app.sites.models import PARTY_KINDS, Party, Season, Site
    from app.volunteers.models import HourEntry, VolunteerProfile
    from app.volunteers.services import id_number_hash, mask_id

    rng = random.Random(7)
    now = datetime(2025, 6, 1, 9, 0)
    surnames = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
    given = ["浩然", "子轩", "欣怡", "梓涵", "雨桐", "俊杰", "诗琪", "一鸣", "思远", "可馨", "玥", "堃"]

    admin = User(username="bench-admin", display_name="基准管理员")
    coordinator = User(username="bench", display_name="基准社工")
    admin.set_password(PASSWORD)
    coordinator.set_password(PASSWORD)
    db.session.add_all([admin, coordinator])
    sites = [Site(name=f"服务点{i + 1:02d}", district="南浔区") for i in range(SITES)]
    db.session.add_all(sites)
    db.session.flush()
    db.session.add_all([RoleGrant(user_id=admin.id, role="admin", site_id=None),
                        RoleGrant(user_id=coordinator.id, role="coordinator", site_id=sites[0].id)])
    seasons = [Season(site_id=site.id, name=f"{year}年暑期", start_date=date(year, 7, 7),
                      end_date=date(year, 8, 29), capacity=150)
               for site in sites for year in range(2025 - SEASONS_PER_SITE + 1, 2026)]
    parties = [Party(site_id=site.id, kind=kind, name=f"{site.name}{kind}") for site in sites for kind in PARTY_KINDS]
    db.session.add_all(seasons + parties)
    db.session.flush()

    children, guardians, enrolments = [], [], []
    child_id = 0
    for season in seasons:
        for i in range(CHILDREN_PER_SEASON):
            child_id += 1
            name = rng.choice(surnames) + rng.choice(given)
            pinyin, initials = name_pinyin(name)
            children.append(dict(id=child_id, site_id=season.site_id, name=name, name_pinyin=pinyin,
                                 name_initials=initials, sex=rng.choice("mf"), birth_date=date(2015, 1, 1),
                                 grade=rng.randint(1, 9), school=rng.choice(["旧馆小学", "练市小学", "实验中学"]),
                                 hometown="安徽阜阳", allergies="花生" if rng.random() < 0.08 else "",
                                 conditions="", medicines="", notes="", high_risk=rng.random() < 0.01,
                                 may_go_home_alone=False, created_at=now, updated_at=now))
            guardians.append(dict(child_id=child_id, name="家长", relation="父亲", phone=f"138{child_id:08d}",
                                  employer="纺织厂"))
            enrolments.append(dict(child_id=child_id, season_id=season.id,
                                   status="enrolled" if i < 125 else "waitlisted",
                                   applied_at=now + timedelta(minutes=i)))
    db.session.execute(insert(Child), children)
    db.session.execute(insert(Guardian), guardians)
    db.session.execute(insert(Enrolment), enrolments)

    # volunteers: users (one password hash for all), their grants and profiles
    password_hash = coordinator.password_hash
    n = 0
    volunteer_users = []
    for site in sites:
        for _ in range(VOLUNTEERS_PER_SITE):
            n += 1
            volunteer_users.append(dict(username=f"vol{n:04d}", display_name=f"志愿者{n}",
                                        password_hash=password_hash, active=True, created_at=now, updated_at=now))
    db.session.execute(insert(User), volunteer_users)
    ids = dict(db.session.execute(select(User.username, User.id).where(User.username.like("vol%"))).all())
    grants, profiles = [], []
    n = 0
    for site in sites:
        for _ in range(VOLUNTEERS_PER_SITE):
            n += 1
            user_id = ids[f"vol{n:04d}"]
            number = f"33050319990101{n:04d}"
            grants.append(dict(user_id=user_id, role="volunteer", site_id=site.id))
            profiles.append(dict(user_id=user_id, site_id=site.id, real_name=rng.choice(surnames) + rng.choice(given),
                                 phone=f"139{n:08d}", id_type="resident_id", id_number_hash=id_number_hash(number),
                                 id_number_masked=mask_id("resident_id", number), volunteer_number=f"HHV-B{n:05d}",
                                 created_at=now, updated_at=now))
    db.session.execute(insert(RoleGrant), grants)
    db.session.execute(insert(VolunteerProfile), profiles)
    profile_rows = db.session.execute(select(VolunteerProfile.id, VolunteerProfile.site_id)
                                      .order_by(VolunteerProfile.id)).all()
    season_of_site = {s.site_id: s for s in seasons if s.start_date.year == 2025}
    hours = []
    for profile_id, site_id in profile_rows:
        season = season_of_site[site_id]
        for k in range(HOURS_PER_VOLUNTEER):
            start = 8 + k % 6
            hours.append(dict(profile_id=profile_id, site_id=site_id, season_id=season.id,
                              work_date=season.start_date + timedelta(days=k), starts_at=time(start),
                              ends_at=time(start + 2), minutes=120, activity=rng.choice(["三年级数学辅导", "午餐看护", "书法课助教"]),
                              source="manual", status="pending" if k % 8 == 0 else "approved",
                              reject_reason="", created_at=now))
    db.session.execute(insert(HourEntry), hours)
    donations = []
    party_ids = {}
    for party in parties:
        party_ids.setdefault(party.site_id, []).append(party.id)
    for site in sites:
        season = season_of_site[site.id]
        for k in range(DONATIONS_PER_SITE):
            donations.append(dict(site_id=site.id, season_id=season.id, party_id=party_ids[site.id][k % len(PARTY_KINDS)],
                                  kind="cash", value_yuan=Decimal(100 + k), received_on=season.start_date + timedelta(days=k % 50),
                                  item="", unit="", purpose="", created_at=now))
    db.session.execute(insert(Donation), donations)
    db.session.commit()

    first = sites[0]
    season = season_of_site[first.id]
    child = db.session.scalar(select(Enrolment.child_id).where(Enrolment.season_id == season.id).limit(1))
    profile = next(pid for pid, site_id in profile_rows if site_id == first.id)
    return District(coordinator_login="bench", admin_login="bench-admin", password=PASSWORD, site_id=first.id,
                    season_id=season.id, child_id=child, profile_id=profile,
                    children=db.session.scalar(select(func.count()).select_from(Child)),
                    hour_entries=db.session.scalar(select(func.count()).select_from(HourEntry)), sites=len(sites))
