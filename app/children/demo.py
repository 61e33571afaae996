"""Demo children for `flask seed-demo`: a full 2025 summer at 旧馆街道 with a short waitlist."""
from __future__ import annotations

import random
from datetime import date, datetime, timedelta

from sqlalchemy import select

from app.auth.models import User
from app.children.models import Child, Consent, Enrolment, Guardian, PickupPerson
from app.children.names import name_pinyin
from app.children.services import current_notice
from app.extensions import db

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程魏苏吕丁任沈姚卢"
GIVEN_BOY = ["浩然", "子轩", "宇航", "俊杰", "梓豪", "明轩", "一鸣", "家乐", "天佑", "博文", "思远", "嘉诚", "泽宇",
             "子墨", "晨阳", "宏伟", "堃", "喆", "志强", "文博"]
GIVEN_GIRL = ["欣怡", "梓涵", "雨桐", "诗琪", "可馨", "思彤", "佳怡", "语嫣", "若曦", "雨萱", "玥", "梦琪", "紫涵",
              "心怡", "晓雪", "婉清", "静怡", "子琪", "依诺", "婷婷"]
HOMETOWNS = ["安徽阜阳", "安徽六安", "安徽亳州", "河南周口", "河南信阳", "河南商丘", "贵州毕节", "贵州遵义", "四川广安",
             "四川南充", "江西上饶", "江西赣州", "湖北黄冈", "云南昭通"]
EMPLOYERS = ["旧馆镇织里纺织有限公司", "南浔木业有限公司", "湖州电机有限公司", "旧馆电梯配件厂", "南浔童装加工厂",
             "旧馆物流园", "湖州地板有限公司", "个体（菜场摊位）", "南浔建筑工地", "旧馆镇食品厂"]
SCHOOLS_PRIMARY = ["旧馆小学", "旧馆镇中心学校", "南浔区新世纪外来务工子弟学校"]
SCHOOLS_MIDDLE = ["旧馆初级中学", "南浔区实验中学"]
ALLERGIES = ["花生", "牛奶", "虾蟹海鲜", "鸡蛋", "芒果"]


def seed_children(site, season, *, enrolled: int | None = None, waitlisted: int = 4, applied: int = 3) -> list[Child]:
    """Fill the season to capacity, put a few children on the waitlist and a few applications
    (without consent yet) on the list. Idempotent enough for a fresh demo database."""
    rng = random.Random(2025)
    enrolled = season.capacity if enrolled is None else enrolled
    coordinator = db.session.scalar(select(User).where(User.username == "shegong"))
    notice = current_notice()
    start = datetime(2025, 5, 20, 1, 0)
    children = []
    total = enrolled + waitlisted + applied
    used_phones = set()
    for i in range(total):
        sex = "m" if rng.random() < 0.52 else "f"
        name = rng.choice(SURNAMES) + rng.choice(GIVEN_BOY if sex == "m" else GIVEN_GIRL)
        grade = rng.choices(range(1, 10), weights=[14, 14, 13, 13, 12, 11, 9, 8, 6])[0]
        born = date(2025 - 6 - grade, 1, 1) + timedelta(days=rng.randrange(243, 243 + 365))
        allergy = rng.choice(ALLERGIES) if rng.random() < 0.08 else ""
        child = Child(site_id=site.id, name=name, sex=sex, birth_date=born, grade=grade,
                      school=rng.choice(SCHOOLS_MIDDLE if grade >= 7 else SCHOOLS_PRIMARY),
                      hometown=rng.choice(HOMETOWNS), allergies=allergy,
                      may_go_home_alone=grade >= 6 and rng.random() < 0.4)
        if i == 7:
            child.high_risk = True
            child.conditions = "癫痫（近一年无发作）"
            child.medicines = "丙戊酸钠缓释片，早晚各一片（家长在家给药）"
        child.name_pinyin, child.name_initials = name_pinyin(name)
        surname = name[0]
        phone = f"1{rng.choice('3589')}{rng.randrange(10**8, 10**9)}"
        while phone in used_phones:
            phone = f"1{rng.choice('3589')}{rng.randrange(10**8, 10**9)}"
        used_phones.add(phone)
        father = surname + rng.choice(["建国", "国强", "志刚", "海军", "卫东", "永平"])
        mother = rng.choice(SURNAMES) + rng.choice(["秀英", "桂兰", "丽娟", "春梅", "小红", "玉芳"])
        child.guardians.append(Guardian(name=father, relation="父亲", phone=phone, employer=rng.choice(EMPLOYERS)))
        if rng.random() < 0.6:
            child.guardians.append(Guardian(name=mother, relation="母亲", phone=f"13{rng.randrange(10**8, 10**9)}",
                                            employer=rng.choice(EMPLOYERS)))
        if rng.random() < 0.5:
            relation = rng.choice(["奶奶", "爷爷", "外婆", "舅舅"])
            person = (surname if relation in ("奶奶", "爷爷") else rng.choice(SURNAMES)) + rng.choice(["桂芝", "德明", "凤英", "建华"])
            child.pickups.append(PickupPerson(name=person, relation=relation, phone=f"15{rng.randrange(10**8, 10**9)}"))
        applied_at = start + timedelta(minutes=37 * i)
        status = "enrolled" if i < enrolled else "waitlisted" if i < enrolled + waitlisted else "applied"
        if status != "applied":
            child.consents.append(Consent(notice_id=notice.id, guardian_name=father, guardian_relation="父亲",
                                          consented_at=applied_at, recorded_by_id=coordinator.id if coordinator else None))
        child.enrolments.append(Enrolment(season_id=season.id, status=status, applied_at=applied_at,
                                          decided_at=applied_at + timedelta(days=1) if status != "applied" else None))
        db.session.add(child)
        children.append(child)
    db.session.flush()
    return children
