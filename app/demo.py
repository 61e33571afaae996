"""Demo data: the 旧馆街道 programme's 2025 summer, one account per role. Later areas extend it."""
from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from app.admin.services import add_grant, create_user
from app.auth.models import User
from app.extensions import db
from app.sites.models import Party, Room, Season, Site, ThemeWeek

DEMO_PASSWORD = "huhang2025"

ACCOUNTS = [
    # username, display name, phone, role, on the demo site?
    ("admin", "区级管理员", "13800000001", "admin"),
    ("shegong", "李晓梅", "13800000002", "coordinator"),
    ("zhiyuan", "王浩然", "13800000003", "volunteer"),
    ("jiazhang", "张建国", "13800000004", "guardian"),
    ("duda", "陈玥", "13800000005", "auditor"),
]


def has_data() -> bool:
    return bool(db.session.scalar(select(func.count()).select_from(User)))


def demo_accounts() -> list[tuple[str, str, str]]:
    return [(u, r, n) for u, n, _p, r in ACCOUNTS]


def seed() -> Site:
    site = Site(name="旧馆街道", district="湖州市南浔区", address="南浔区旧馆街道社区服务中心")
    db.session.add(site)
    neighbour = Site(name="练市镇", district="湖州市南浔区", address="练市镇新时代文明实践站")
    db.session.add(neighbour)
    db.session.flush()

    season = Season(site=site, name="2025年暑期", theme="青春护航·旧在身边",
                    start_date=date(2025, 7, 7), end_date=date(2025, 8, 29), capacity=90)
    db.session.add(season)
    db.session.add(Season(site=site, name="2024年暑期", theme="青春护航·旧在身边",
                          start_date=date(2024, 7, 8), end_date=date(2024, 8, 30), capacity=80,
                          archived_at=None))
    db.session.add(Season(site=neighbour, name="2025年暑期", start_date=date(2025, 7, 14),
                          end_date=date(2025, 8, 22), capacity=60))
    weeks = ["安全自护周", "传统文化周", "科学探索周", "艺术创意周", "运动健康周", "劳动实践周",
             "阅读分享周", "成长汇报周"]
    for i, title in enumerate(weeks):
        start = date.fromordinal(season.start_date.toordinal() + 7 * i)
        db.session.add(ThemeWeek(season=season, title=title, starts_on=start,
                                 ends_on=date.fromordinal(start.toordinal() + 4)))
    for name, floor, capacity, notes in [
        ("一楼活动室", 1, 40, "兴趣课、集体活动"), ("二楼学习室A", 2, 30, "学业辅导"),
        ("二楼学习室B", 2, 30, "学业辅导"), ("多功能厅", 1, 80, "讲座、演出、疏散演练集合点"),
        ("社区食堂", 1, 60, "营养午餐")]:
        db.session.add(Room(site=site, name=name, floor=floor, capacity=capacity, notes=notes))
    for kind, name, contact, phone in [
        ("community", "旧馆社区居民委员会", "沈主任", "05723010001"),
        ("social_org", "善巧社会工作服务中心", "周晓", "05723010002"),
        ("social_worker", "旧馆街道社工站", "李晓梅", "13800000002"),
        ("volunteer", "湖州师范学院青年志愿者服务队", "王浩然", "13800000003"),
        ("charity", "南浔区慈善总会", "吴会长", "05723010005"),
        ("charity", "旧馆镇织里纺织有限公司", "钱经理", "05723010006"),
    ]:
        db.session.add(Party(site=site, kind=kind, name=name, contact_name=contact, phone=phone))
    db.session.flush()

    for username, display_name, phone, role in ACCOUNTS:
        user = create_user({"username": username, "display_name": display_name, "phone": phone,
                            "role": role, "site_id": None if role == "admin" else site.id})
        user.set_password(DEMO_PASSWORD)
        if role == "coordinator":
            add_grant(user, "coordinator", neighbour.id)
    db.session.flush()

    from app.volunteers.demo import seed_volunteers

    seed_volunteers(site, season)

    from app.children.demo import seed_children

    seed_children(site, season)

    from app.daily.demo import seed_daily

    seed_daily(site, season)
    from app.health.demo import seed_health

    seed_health(site, season, db.session.scalar(select(User).where(User.username == "shegong")))
    from app.scheduling.demo import seed_schedule

    seed_schedule(site, season)
    from app.scheduling.staff_demo import seed_staff

    seed_staff(site, season)
    from app.daily.attendance_demo import seed_attendance  # after the sessions and their staff exist

    seed_attendance(site, season)
    _link_demo_guardian(site, season)
    return site


def _link_demo_guardian(site: Site, season: Season) -> None:
    """jiazhang is the father of the demo's peanut-allergic child (accounts and children are linked
    by the guardian's phone number), and that child's allergy alert of the peanut day is open."""
    from datetime import datetime, time

    from app.children.models import Child, Enrolment
    from app.core.timeutil import LOCAL_TZ
    from app.daily.services import generate_alerts

    child = db.session.scalar(select(Child).join(Enrolment, Enrolment.child_id == Child.id).where(
        Enrolment.season_id == season.id, Enrolment.status == "enrolled", Child.allergies.like("%花生%"))
        .order_by(Child.id).limit(1))
    if child is None:
        return
    phone = next(p for u, _n, p, _r in ACCOUNTS if u == "jiazhang")
    child.guardians[0].phone = phone
    db.session.flush()
    peanut_day = date(2025, 7, 9)  # 宫保鸡丁 on the first Wednesday (app/health/demo.py)
    generate_alerts(site, datetime.combine(peanut_day, time(8, 0), tzinfo=LOCAL_TZ))
    db.session.flush()
