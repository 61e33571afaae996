"""Small factories for tests: each creates, commits and returns one object."""
from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date

from app.auth.models import RoleGrant, User
from app.extensions import db
from app.sites.models import Party, Room, Season, Site

PASSWORD = "correct horse 42"
_seq = itertools.count(1)


def _n() -> int:
    return next(_seq)


def site(name: str | None = None, **kw) -> Site:
    obj = Site(name=name or f"测试服务点{_n()}", district=kw.pop("district", "南浔区"), **kw)
    db.session.add(obj)
    db.session.commit()
    return obj


def season(site: Site, name: str | None = None, **kw) -> Season:
    obj = Season(site_id=site.id, name=name or f"{2020 + _n()}年暑期",
                 start_date=kw.pop("start_date", date(2025, 7, 7)),
                 end_date=kw.pop("end_date", date(2025, 8, 29)), capacity=kw.pop("capacity", 80), **kw)
    db.session.add(obj)
    db.session.commit()
    return obj


def room(site: Site, name: str | None = None, **kw) -> Room:
    obj = Room(site_id=site.id, name=name or f"活动室{_n()}", **kw)
    db.session.add(obj)
    db.session.commit()
    return obj


def party(site: Site, kind: str = "community", name: str | None = None, **kw) -> Party:
    obj = Party(site_id=site.id, kind=kind, name=name or f"参与方{_n()}", **kw)
    db.session.add(obj)
    db.session.commit()
    return obj


def user(role: str | None = None, site: Site | None = None, *, username: str | None = None,
         display_name: str | None = None, password: str | None = PASSWORD, **kw) -> User:
    n = _n()
    obj = User(username=username or f"user{n}", display_name=display_name or f"用户{n}", **kw)
    if password:
        obj.set_password(password)
    db.session.add(obj)
    if role:
        db.session.add(RoleGrant(user=obj, role=role, site_id=None if role == "admin" else site.id))
    db.session.commit()
    return obj


@dataclass
class World:
    site: Site
    other_site: Site
    season: Season
    room: Room
    party: Party
    users: dict  # role name -> User; "other_coordinator" holds on other_site


def world() -> World:
    main, other = site("旧馆街道"), site("练市镇")
    users = {role: user(role, main, username=role) for role in
             ("admin", "coordinator", "volunteer", "guardian", "auditor")}
    users["other_coordinator"] = user("coordinator", other, username="other_coordinator")
    return World(site=main, other_site=other, season=season(main, "2025年暑期"), room=room(main, "一楼活动室"),
                 party=party(main, "community", "旧馆社区居委会"), users=users)


# --- volunteers and resources (issue 4) ----------------------------------------------------------
def resident_id(birth: str = "20000101", region: str = "330503", seq: int | None = None) -> str:
    """A resident ID number with a valid check digit (GB 11643)."""
    body = f"{region}{birth}{(seq if seq is not None else _n()) % 1000:03d}"
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, weights)) % 11]


def volunteer_profile(user: User | None = None, site: Site | None = None, **kw):
    from app.volunteers.models import VolunteerProfile
    from app.volunteers.services import id_number_hash, mask_id

    user = user or globals()["user"]("volunteer", site)
    number = kw.pop("id_number", None) or resident_id()
    obj = VolunteerProfile(
        user_id=user.id, site_id=site.id, real_name=kw.pop("real_name", user.display_name),
        phone=kw.pop("phone", f"139{_n():08d}"), id_type="resident_id", id_number_hash=id_number_hash(number),
        id_number_masked=mask_id("resident_id", number), volunteer_number=kw.pop("volunteer_number", f"HHV-T{_n()}"),
        **kw)
    db.session.add(obj)
    db.session.commit()
    return obj


def training_kind(site: Site, name: str | None = None, *, validity_months: int = 12, required: bool = True):
    from app.volunteers.models import TrainingKind

    obj = TrainingKind(site_id=site.id, name=name or f"培训{_n()}", validity_months=validity_months,
                       required=required)
    db.session.add(obj)
    db.session.commit()
    return obj


def training(kind, held_on: date, profiles: list, trainer: str = "消防大队"):
    from app.volunteers.models import TrainingAttendance, TrainingSession

    obj = TrainingSession(site_id=kind.site_id, kind_id=kind.id, held_on=held_on, trainer=trainer)
    obj.attendances = [TrainingAttendance(profile_id=p.id) for p in profiles]
    db.session.add(obj)
    db.session.commit()
    return obj


def background_check(profile, checked_on: date, result: str = "clear"):
    from app.volunteers.models import BackgroundCheck

    obj = BackgroundCheck(profile_id=profile.id, checked_on=checked_on, checked_by="旧馆派出所", result=result)
    db.session.add(obj)
    db.session.commit()
    return obj


def hour_entry(profile, work_date: date, start: str = "09:00", end: str = "11:00", *, status: str = "pending",
               activity: str = "三年级数学辅导", season=None, source: str = "manual"):
    from datetime import datetime

    from app.volunteers.models import HourEntry

    s, e = (datetime.strptime(t, "%H:%M").time() for t in (start, end))
    obj = HourEntry(profile_id=profile.id, site_id=profile.site_id, season_id=season.id if season else None,
                    work_date=work_date, starts_at=s, ends_at=e, minutes=(e.hour * 60 + e.minute) - (s.hour * 60 + s.minute),
                    activity=activity, status=status, source=source,
                    reject_reason="不符合" if status == "rejected" else "")
    db.session.add(obj)
    db.session.commit()
    return obj


def volunteer_settings(site: Site, **kw):
    from app.volunteers.models import VolunteerSettings

    obj = VolunteerSettings(site_id=site.id, issuer_name=kw.pop("issuer_name", "旧馆街道社工站"),
                            person_in_charge=kw.pop("person_in_charge", "沈建华"), handler=kw.pop("handler", "李晓梅"),
                            contact=kw.pop("contact", "0572-3010002"))
    db.session.add(obj)
    db.session.commit()
    return obj


def certificate(profile, period_from: date, period_to: date, by: User | None = None):
    from app.volunteers.services import issue_certificate

    obj = issue_certificate(profile, {"period_from": period_from, "period_to": period_to, "content": ""},
                            by or profile.user)
    db.session.commit()
    return obj


def application(site: Site, **kw):
    from app.volunteers.models import VolunteerApplication
    from app.volunteers.services import id_number_hash, mask_id

    number = kw.pop("id_number", None) or resident_id()
    obj = VolunteerApplication(site_id=site.id, real_name=kw.pop("real_name", f"申请人{_n()}"),
                               phone=kw.pop("phone", f"137{_n():08d}"), id_type="resident_id",
                               id_number_hash=id_number_hash(number), id_number_masked=mask_id("resident_id", number),
                               **kw)
    db.session.add(obj)
    db.session.commit()
    return obj


def donation(site: Site, party: Party, value="1000.00", *, kind: str = "cash", received_on: date | None = None,
             season=None, **kw):
    from decimal import Decimal

    from app.resources.models import Donation

    obj = Donation(site_id=site.id, party_id=party.id, kind=kind, value_yuan=Decimal(value),
                   received_on=received_on or date(2025, 7, 10), season_id=season.id if season else None, **kw)
    db.session.add(obj)
    db.session.commit()
    return obj


# --- children (issue 3) ------------------------------------------------------------------------
def child(site: Site, name: str | None = None, *, guardian_phone: str | None = None, **kw):
    from app.children.models import Child, Guardian
    from app.children.names import name_pinyin

    obj = Child(site_id=site.id, name=name or f"孩子{_n()}", sex=kw.pop("sex", "f"),
                birth_date=kw.pop("birth_date", date(2016, 5, 1)), grade=kw.pop("grade", 3), **kw)
    obj.name_pinyin, obj.name_initials = name_pinyin(obj.name)
    obj.guardians.append(Guardian(name="家长", relation="母亲", phone=guardian_phone or f"139{_n():08d}",
                                  employer=""))
    db.session.add(obj)
    db.session.commit()
    return obj


def consent(child, recorded_by=None):
    from app.children.models import Consent
    from app.children.services import current_notice

    obj = Consent(child_id=child.id, notice_id=current_notice().id, guardian_name="家长", guardian_relation="母亲",
                  recorded_by_id=recorded_by.id if recorded_by else None)
    db.session.add(obj)
    db.session.commit()
    return obj


def enrolment(child, season: Season, status: str = "enrolled", **kw):
    from app.children.models import Enrolment

    obj = Enrolment(child_id=child.id, season_id=season.id, status=status, **kw)
    db.session.add(obj)
    db.session.commit()
    return obj


# --- attendance on sessions (issue 11) -----------------------------------------------------------
def attendance(occurrence, child, status: str = "present", *, by=None, note: str = ""):
    """A child's latest mark on a session's roster (a ``SessionAttendance`` row, no history)."""
    from app.daily.models import SessionAttendance

    obj = SessionAttendance(session_id=occurrence.id, child_id=child.id, status=status, note=note,
                            marked_by_id=by.id if by else None)
    db.session.add(obj)
    db.session.commit()
    return obj
