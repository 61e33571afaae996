"""Demo data of the programme's day for `flask seed-demo`: the last four weeks of the 2025 summer at
旧馆街道 (arrivals, pickups by the authorised persons, a few late or absent children with their alerts
followed to an end, two still open), the season's homework progress, and a few incidents."""
from __future__ import annotations

import random
from datetime import date, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.auth.models import User
from app.children.models import Child, Enrolment
from app.daily.models import (DailyAlert, DailySettings, DayRecord, DayRecordChange, HomeworkPlan,
                              HomeworkProgress, Incident, IncidentAddendum, IncidentChild, IncidentReport)
from app.daily.queries import pickup_choices
from app.daily.services import local_to_utc
from app.extensions import db

SUBJECTS = [("数学", "暑假作业·数学"), ("语文", "暑假作业·语文")]
REMARKS = ["", "", "", "分数应用题有困难", "字迹工整", "阅读理解需要加强", "计算粗心，已订正", "主动提问"]


def _weekdays(start: date, end: date):
    day = start
    while day <= end:
        if day.weekday() < 5:
            yield day
        day += timedelta(days=1)


def _clock(rng, start_minutes: int, spread: int) -> time:
    minutes = start_minutes + rng.randrange(spread)
    return time(minutes // 60, minutes % 60)


def seed_daily(site, season) -> None:
    rng = random.Random(11)
    coordinator = db.session.scalar(select(User).where(User.username == "shegong"))
    by = coordinator.id if coordinator else None
    db.session.add(DailySettings(site_id=site.id, arrive_by=time(9, 30), pickup_by=time(18, 0)))
    children = list(db.session.scalars(
        select(Child).join(Enrolment, Enrolment.child_id == Child.id)
        .where(Enrolment.season_id == season.id, Enrolment.status == "enrolled")
        .options(selectinload(Child.guardians), selectinload(Child.pickups)).order_by(Child.id)))
    last = season.end_date
    days = list(_weekdays(last - timedelta(days=25), last))
    alerts = []
    for day in days:
        for child in children:
            roll = rng.random()
            record = DayRecord(site_id=site.id, child_id=child.id, day=day, picked_up_by="", exception_reason="",
                               excuse="", updated_by_id=by)
            changes = []
            if roll < 0.03:
                record.excuse = rng.choice(["发烧请假", "随父母回老家", "牙科复诊"])
                changes.append(DayRecordChange(kind="excuse", note=record.excuse, by_id=by))
            elif roll < 0.045:
                alerts.append(DailyAlert(site_id=site.id, child_id=child.id, day=day, kind="not_arrived", state="resolved",
                                         detail="09:30", owner_id=by, resolved_by_id=by,
                                         acknowledged_at=local_to_utc(day, time(9, 40)),
                                         resolved_at=local_to_utc(day, time(9, 55)),
                                         resolution_note="已电话联系父亲：孩子今天在家，忘记请假"))
            else:
                late = roll < 0.06
                record.arrived_at = local_to_utc(day, _clock(rng, 9 * 60 + 35, 40) if late else _clock(rng, 7 * 60 + 45, 95))
                changes.append(DayRecordChange(kind="arrival", arrived_at=record.arrived_at, by_id=by))
                if late:
                    alerts.append(DailyAlert(site_id=site.id, child_id=child.id, day=day, kind="not_arrived",
                                             state="resolved", detail="09:30", owner_id=by, resolved_by_id=by,
                                             acknowledged_at=local_to_utc(day, time(9, 35)),
                                             resolved_at=record.arrived_at, resolution_note="孩子迟到，已到达"))
                choice = rng.choice(pickup_choices(child))
                overdue = rng.random() < 0.01
                record.departed_at = local_to_utc(day, _clock(rng, 18 * 60 + 10, 30) if overdue
                                                  else _clock(rng, 16 * 60 + 30, 80))
                record.departure_kind = choice.kind
                record.guardian_id = choice.person_id if choice.kind == "guardian" else None
                record.pickup_person_id = choice.person_id if choice.kind == "pickup" else None
                record.picked_up_by = choice.name
                changes.append(DayRecordChange(kind="departure", arrived_at=record.arrived_at,
                                               departed_at=record.departed_at, picked_up_by=choice.name, by_id=by))
                if overdue:
                    alerts.append(DailyAlert(site_id=site.id, child_id=child.id, day=day, kind="not_picked_up",
                                             state="resolved", detail="18:00", owner_id=by, resolved_by_id=by,
                                             acknowledged_at=local_to_utc(day, time(18, 2)),
                                             resolved_at=record.departed_at,
                                             resolution_note="家长加班，电话确认后由家长接走"))
            record.updated_at = record.departed_at or record.arrived_at or local_to_utc(day, time(8, 0))
            for change in changes:
                change.at = change.departed_at or change.arrived_at or record.updated_at
            record.changes = changes
            db.session.add(record)
    # the season's last day: two alerts still being followed
    absent, stranger = children[3], children[5]
    alerts.append(DailyAlert(site_id=site.id, child_id=absent.id, day=last, kind="not_arrived", state="open",
                             detail="09:30", owner_id=by, created_at=local_to_utc(last, time(9, 30)), resolution_note=""))
    alerts.append(DailyAlert(site_id=site.id, child_id=stranger.id, day=last, kind="pickup_exception",
                             state="acknowledged", detail="邻居赵阿姨: 母亲电话委托，已核对身份证", owner_id=by,
                             acknowledged_at=local_to_utc(last, time(17, 20)),
                             created_at=local_to_utc(last, time(17, 15)), resolution_note=""))
    db.session.add_all(alerts)
    db.session.flush()

    # homework: two workbooks per child, progress on Mondays, Wednesdays and Fridays
    plans = []
    for child in children:
        for subject, workbook in SUBJECTS:
            plan = HomeworkPlan(child_id=child.id, season_id=season.id, subject=subject, workbook=workbook,
                                units=30, set_by_id=by)
            plans.append(plan)
    db.session.add_all(plans)
    db.session.flush()
    tutoring_days = [d for d in _weekdays(season.start_date, last) if d.weekday() in (0, 2, 4)]
    entries = []
    for plan in plans:
        diligent = rng.random() < 0.8
        left = plan.units
        for day in tutoring_days:
            if left <= 0:
                break
            units = min(left, rng.choice([1, 2, 2, 3, 3]) if diligent else rng.choice([0, 1, 1, 2]))
            if units <= 0:
                continue
            entries.append(HomeworkProgress(plan_id=plan.id, day=day, units_done=units, remarks=rng.choice(REMARKS),
                                            recorded_by_id=by))
            left -= units
    db.session.add_all(entries)

    # incidents (never edited; corrections as addenda)
    def incident(kind, day, at, place, what, done, involved=(), others="", informed=None):
        item = Incident(site_id=site.id, kind=kind, occurred_at=local_to_utc(day, at), place=place,
                        others_involved=others, what_happened=what, action_taken=done, recorded_by_id=by,
                        guardian_informed_at=local_to_utc(day, informed) if informed else None,
                        created_at=local_to_utc(day, at) + timedelta(minutes=30))
        db.session.add(item)
        db.session.flush()
        db.session.add_all([IncidentChild(incident_id=item.id, child_id=c.id) for c in involved])
        return item

    knee = incident("injury", last - timedelta(days=17), time(10, 20), "一楼活动室", "跳绳时摔倒，右膝擦伤。",
                    "用碘伏消毒并贴创可贴，观察半小时无异常。", [children[1]], informed=time(10, 40))
    db.session.add(IncidentAddendum(incident_id=knee.id, text="更正：擦伤在左膝，不是右膝。", author_id=by,
                                    created_at=knee.created_at + timedelta(hours=2)))
    incident("conflict", last - timedelta(days=10), time(15, 5), "二楼学习室A", "两名孩子因借橡皮发生争执并推搡。",
             "分开谈话，双方互相道歉；告知双方家长。", [children[2], children[4]], informed=time(17, 0))
    incident("hazard", last - timedelta(days=8), time(8, 10), "社区食堂门口", "雨后门口地面湿滑，无警示牌。",
             "放置防滑垫和警示牌，报物业维修排水。", others="物业保洁员")
    harm = incident("suspected_harm", last - timedelta(days=4), time(14, 30), "二楼学习室B",
                    "辅导时发现孩子手臂有多处淤青，孩子说是在家被打的。", "社工单独陪伴孩子，记录孩子原话，未向孩子追问细节。",
                    [children[6]])
    db.session.add(IncidentReport(incident_id=harm.id, reported_to="旧馆派出所（社区民警）",
                                  reported_at=harm.occurred_at + timedelta(minutes=40), note="民警已登记，次日家访",
                                  recorded_by_id=by, created_at=harm.occurred_at + timedelta(minutes=50)))
    db.session.flush()
