"""Demo data for volunteers and resources: ~30 volunteers with trainings, checks, a season of hours,
two certificates, some applications and donations with their use."""
from __future__ import annotations

import random
from datetime import date, time, timedelta
from decimal import Decimal

from sqlalchemy import select

from app.admin.services import create_user
from app.auth.models import User
from app.core.errors import FormError
from app.core.timeutil import local_today
from app.extensions import db
from app.resources.models import Allocation, Donation
from app.sites.models import Party, Season, Site
from app.volunteers import services
from app.volunteers.models import (BackgroundCheck, HourEntry, TrainingAttendance, TrainingKind, TrainingSession,
                                   VolunteerApplication, VolunteerProfile, VolunteerSettings)

NAMES = ["王浩然", "李玥", "张喆", "刘思远", "陈佳怡", "杨子涵", "赵堃", "黄雨桐", "周杰", "吴欣然", "徐明轩",
         "孙嘉怡", "胡一鸣", "朱晓彤", "高子墨", "林诗涵", "何俊杰", "郭美琪", "马骁", "罗婉清", "梁博文", "宋雅婷",
         "郑宇航", "谢梦瑶", "韩立新", "唐秀英", "冯国强", "于建华", "董桂兰", "萧志明"]
SKILLS = ["小学数学", "小学语文", "英语", "初中物理", "科学实验", "阅读陪伴", ""]
INTERESTS = ["书法", "绘画", "足球", "手工", "合唱", "剪纸", "围棋", "舞蹈", ""]
ACTIVITIES = ["三年级数学辅导", "四年级语文作业辅导", "英语绘本阅读", "书法兴趣课助教", "足球训练看护",
              "午餐分餐与看护", "科学小实验", "手工课助教", "安全自护周演练协助", "放学接送秩序维护"]


def _resident_id(rng: random.Random, birth: date) -> str:
    body = f"330503{birth:%Y%m%d}{rng.randint(100, 999)}"
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, weights)) % 11]


def _identity(rng: random.Random, name: str, phone: str, birth: date, **extra) -> dict:
    number = _resident_id(rng, birth)
    return dict(real_name=name, phone=phone, id_type="resident_id", id_number_hash=services.id_number_hash(number),
                id_number_masked=services.mask_id("resident_id", number), birth_date=birth,
                skills=rng.choice(SKILLS), interests=rng.choice(INTERESTS),
                availability=rng.choice(["工作日上午", "工作日全天", "周二、周四下午", "7月全月", "8月上旬"]), **extra)


def seed_volunteers(site: Site, season: Season) -> None:
    rng = random.Random(4)
    today = local_today()
    teams = list(db.session.scalars(select(Party).where(Party.site_id == site.id, Party.kind == "volunteer")))
    retirees = Party(site=site, kind="volunteer", name="旧馆社区银龄志愿队", contact_name="唐秀英", phone="05723010007")
    db.session.add(retirees)
    db.session.flush()
    teams.append(retirees)

    db.session.add(VolunteerSettings(site_id=site.id, issuer_name="南浔区旧馆街道社会工作服务站",
                                     person_in_charge="沈建华", handler="李晓梅", contact="0572-3010002"))
    kinds = [TrainingKind(site_id=site.id, name=n, validity_months=m, required=r) for n, m, r in [
        ("儿童保护与防性侵", 24, True), ("消防安全与疏散", 12, True), ("急救与AED", 24, False), ("食品卫生", 12, False)]]
    db.session.add_all(kinds)

    profiles: list[VolunteerProfile] = []
    demo_user = db.session.scalar(select(User).where(User.username == "zhiyuan"))
    for i, name in enumerate(NAMES):
        retiree = i >= 24
        birth = date(rng.randint(1955, 1965), rng.randint(1, 12), rng.randint(1, 28)) if retiree else \
            date(rng.randint(2001, 2006), rng.randint(1, 12), rng.randint(1, 28))
        if i == 0 and demo_user is not None:
            user = demo_user
            phone = user.phone or "13800000003"
        else:
            phone = f"1390572{i:04d}"
            user = create_user({"username": f"v{phone}", "display_name": name, "phone": phone,
                                "role": "volunteer", "site_id": site.id})
        guardian = {}
        if i == 5:  # a 17-year-old high-school volunteer with a guardian's consent
            birth = date(today.year - 17, 3, 14)
            guardian = dict(guardian_name="杨建军", guardian_phone="13905720999", guardian_consent=True)
        profile = VolunteerProfile(
            user_id=user.id, site_id=site.id, party_id=(retirees if retiree else teams[0]).id,
            volunteer_number=f"HHV{site.id:03d}{i + 1:05d}", insurance_policy=f"PICC-2025-{1000 + i}",
            insurance_from=season.start_date - timedelta(days=7), insurance_until=today + timedelta(days=rng.choice([20, 90, 200])),
            **_identity(rng, name, phone, birth, **guardian))
        db.session.add(profile)
        profiles.append(profile)
    db.session.flush()

    # trainings: most attended recently; a few missed one, one lapsed
    for kind, offset in zip(kinds, (40, 80, 120, 60)):
        session = TrainingSession(site_id=site.id, kind_id=kind.id, held_on=today - timedelta(days=offset),
                                  trainer={"消防安全与疏散": "南浔区消防救援大队"}.get(kind.name, "善巧社工中心"))
        attendees = [p for j, p in enumerate(profiles) if not (kind.required and j in (7, 13))]
        session.attendances = [TrainingAttendance(profile_id=p.id) for p in attendees]
        db.session.add(session)
    old_fire = TrainingSession(site_id=site.id, kind_id=kinds[1].id, held_on=today - timedelta(days=400),
                               trainer="南浔区消防救援大队", attendances=[TrainingAttendance(profile_id=profiles[13].id)])
    db.session.add(old_fire)

    # background checks: yearly; one missing, one lapsed, some due soon
    for j, profile in enumerate(profiles):
        if j == 21:
            continue
        age = 380 if j == 17 else (350 if j in (3, 9) else rng.randint(30, 300))
        db.session.add(BackgroundCheck(profile_id=profile.id, checked_on=today - timedelta(days=age),
                                       checked_by="旧馆派出所（入职查询）", result="clear"))

    # a season of hours: mostly approved, some pending, a few rejected
    day = season.start_date
    entries = []
    while day <= season.end_date:
        if day.weekday() < 5:
            for profile in rng.sample(profiles, 6):
                start = rng.choice([time(8, 30), time(9, 0), time(13, 30), time(14, 0)])
                length = rng.choice([90, 120, 150, 180])
                end_minutes = start.hour * 60 + start.minute + length
                status = "approved" if day < season.end_date - timedelta(days=10) else "pending"
                if rng.random() < 0.03:
                    status = "rejected"
                entries.append(HourEntry(
                    profile_id=profile.id, site_id=site.id, season_id=season.id, work_date=day, starts_at=start,
                    ends_at=time(end_minutes // 60, end_minutes % 60), minutes=length, activity=rng.choice(ACTIVITIES),
                    source="manual", status=status, created_by_id=profile.user_id,
                    reject_reason="当天签到表无记录" if status == "rejected" else ""))
        day += timedelta(days=1)
    db.session.add_all(entries)
    db.session.flush()
    coordinator = db.session.scalar(select(User).where(User.username == "shegong"))
    for profile in profiles[:2]:
        try:
            services.issue_certificate(profile, {"period_from": season.start_date,
                                                 "period_to": min(season.end_date, today), "content": ""},
                                       by=coordinator or profile.user)
        except FormError:  # the season has not started yet: no approved hours to certify
            pass

    # applications waiting for a decision
    for k, (name, team) in enumerate([("沈嘉懿", "湖州学院青年志愿者协会"), ("钱昊天", ""), ("蒋思琪", "湖州师范学院青年志愿者服务队")]):
        db.session.add(VolunteerApplication(site_id=site.id, team=team, motivation="想为社区的孩子们做点事。",
                                            **_identity(rng, name, f"1370572{k:04d}", date(2004, k + 1, 9))))

    # donations and their use
    charities = list(db.session.scalars(select(Party).where(Party.site_id == site.id, Party.kind == "charity")))
    community = db.session.scalar(select(Party).where(Party.site_id == site.id, Party.kind == "community"))
    donations = [
        Donation(site_id=site.id, season_id=season.id, party_id=charities[0].id, kind="cash", value_yuan=Decimal("20000"),
                 received_on=season.start_date - timedelta(days=5), purpose="营养午餐与学习用品"),
        Donation(site_id=site.id, season_id=season.id, party_id=charities[-1].id, kind="in_kind", item="T恤衫",
                 quantity=Decimal("120"), unit="件", value_yuan=Decimal("3600"), received_on=season.start_date,
                 purpose="营员服装"),
        Donation(site_id=site.id, season_id=season.id, party_id=community.id, kind="in_kind", item="图书",
                 quantity=Decimal("300"), unit="册", value_yuan=Decimal("4500"), received_on=season.start_date + timedelta(days=10),
                 purpose="阅读角"),
    ]
    db.session.add_all(donations)
    db.session.flush()
    for used_for, value, offset, note in [("meals", "9800", 20, "7月午餐加餐"), ("materials", "3200", 3, "练习本、文具"),
                                          ("prizes", "1500", 50, "结营表彰奖品")]:
        db.session.add(Allocation(donation_id=donations[0].id, used_for=used_for, value_yuan=Decimal(value),
                                  used_on=season.start_date + timedelta(days=offset), note=note))
    db.session.add(Allocation(donation_id=donations[1].id, used_for="other", value_yuan=Decimal("3600"),
                              used_on=season.start_date + timedelta(days=1), note="开营发放"))
    db.session.flush()
