"""Writes for volunteers: applications, profiles, trainings, checks, hours, certificates.

Services flush, never commit; the view commits once. Broken rules raise FormError(field, message).
"""
from __future__ import annotations

import hashlib
import hmac
from datetime import date, time

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from app.admin.services import add_grant, create_user
from app.auth.models import User
from app.auth.services import create_invitation
from app.core.errors import FormError
from app.core.timeutil import local_now, local_today, utcnow
from app.extensions import db
from app.sites.models import Party, Season, Site
from app.volunteers.models import (BackgroundCheck, Certificate, CertificateCounter, HourCorrection, HourEntry,
                                   TrainingAttendance, TrainingKind, TrainingSession, VolunteerApplication,
                                   VolunteerProfile, VolunteerSettings, format_hours)

TEXT_FIELDS = ("real_name", "phone", "skills", "interests", "availability", "guardian_name", "guardian_phone")
IDENTITY_FIELDS = ("real_name", "phone", "birth_date", "skills", "interests", "availability",
                   "guardian_name", "guardian_phone", "guardian_consent")


# --- ID numbers: stored protected ------------------------------------------------------------------
def normalise_id(number: str) -> str:
    return "".join(number.split()).upper()


def id_number_hash(number: str) -> str:
    """A keyed hash (HMAC-SHA256 with a key derived from SECRET_KEY) of the normalised number.

    ID numbers have little entropy (region, birth date, a sequence), so a plain hash could be
    reversed by trying them all; the key makes that impossible without the server's secret. The
    hash lets us find duplicates; the number itself is never stored."""
    key = hmac.new(current_app.config["SECRET_KEY"].encode(), b"huhang/volunteer-id-number",
                   hashlib.sha256).digest()
    return hmac.new(key, normalise_id(number).encode(), hashlib.sha256).hexdigest()


def mask_id(id_type: str, number: str) -> str:
    """3301**********1234 for a resident ID; other documents keep only their last 4 characters."""
    number = normalise_id(number)
    if id_type == "resident_id" and len(number) == 18:
        return number[:4] + "*" * 10 + number[-4:]
    keep = 4 if len(number) > 6 else 1
    return "*" * max(4, len(number) - keep) + number[-keep:]


def birth_date_from_resident_id(number: str) -> date | None:
    number = normalise_id(number)
    try:
        return date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None


def _identity(values: dict) -> dict:
    out = {}
    for key in IDENTITY_FIELDS:
        if key not in values:
            continue
        value = values[key]
        if key in TEXT_FIELDS:
            value = (value or "").strip()
        elif key == "guardian_consent":
            value = bool(value)
        out[key] = value
    if values.get("id_number"):
        out["id_type"] = values["id_type"]
        out["id_number_hash"] = id_number_hash(values["id_number"])
        out["id_number_masked"] = mask_id(values["id_type"], values["id_number"])
        if values["id_type"] == "resident_id":
            out["birth_date"] = birth_date_from_resident_id(values["id_number"]) or out.get("birth_date")
    return out


def _check_minor(birth_date: date | None, values: dict) -> None:
    if birth_date is None:
        return
    today = local_today()
    age = today.year - birth_date.year - ((today.month, today.day) < (birth_date.month, birth_date.day))
    if age < 18 and not ((values.get("guardian_name") or "").strip() and values.get("guardian_phone")
                         and values.get("guardian_consent")):
        raise FormError("guardian_name", _("Volunteers under 18 need a guardian's name, phone and consent."))
    if age < 14:
        raise FormError("id_number", _("Volunteers must be at least 14 years old."))


# --- sign-up ---------------------------------------------------------------------------------------
def submit_application(site: Site, values: dict) -> VolunteerApplication:
    identity = _identity(values)
    _check_minor(identity.get("birth_date"), values)
    pending = db.session.scalar(select(func.count()).select_from(VolunteerApplication).where(
        VolunteerApplication.site_id == site.id, VolunteerApplication.status == "applied",
        VolunteerApplication.id_number_hash == identity["id_number_hash"]))
    registered = db.session.scalar(select(func.count()).select_from(VolunteerProfile).where(
        VolunteerProfile.site_id == site.id, VolunteerProfile.id_number_hash == identity["id_number_hash"]))
    if pending or registered:
        raise FormError("id_number", _("An application or a volunteer with this ID number already exists here."))
    application = VolunteerApplication(site_id=site.id, team=(values.get("team") or "").strip(),
                                       motivation=(values.get("motivation") or "").strip(), **identity)
    db.session.add(application)
    db.session.flush()
    return application


def _next_volunteer_number(site_id: int) -> str:
    count = db.session.scalar(select(func.count()).select_from(VolunteerProfile).where(
        VolunteerProfile.site_id == site_id)) or 0
    n = count + 1
    while True:
        number = f"HHV{site_id:03d}{n:05d}"
        if not db.session.scalar(select(func.count()).select_from(VolunteerProfile).where(
                VolunteerProfile.volunteer_number == number)):
            return number
        n += 1


def _username_for(phone: str) -> str:
    base = f"v{phone}"
    name, n = base, 1
    while db.session.scalar(select(func.count()).select_from(User).where(func.lower(User.username) == name)):
        n += 1
        name = f"{base}-{n}"
    return name


def _volunteer_party(site_id: int, team: str) -> Party | None:
    """The site's volunteer party named like the applicant's team, if there is one."""
    team = (team or "").strip()
    if not team:
        return None
    return db.session.scalar(select(Party).where(Party.site_id == site_id, Party.kind == "volunteer",
                                                 func.lower(Party.name) == team.lower()))


def create_profile(user: User, site_id: int, identity: dict, *, party_id: int | None = None,
                   volunteer_number: str | None = None) -> VolunteerProfile:
    profile = VolunteerProfile(user_id=user.id, site_id=site_id, party_id=party_id,
                               volunteer_number=volunteer_number or _next_volunteer_number(site_id), **identity)
    db.session.add(profile)
    db.session.flush()
    return profile


def accept_application(application: VolunteerApplication, by: User) -> tuple[VolunteerProfile, str]:
    """Create the account, its volunteer role, the profile; returns the profile and an invitation token."""
    if application.status != "applied":
        raise FormError("status", _("This application has already been decided."))
    phone = application.phone
    if db.session.scalar(select(func.count()).select_from(User).where(User.phone == phone)):
        phone = None  # the account keeps no phone for sign-in when another account uses it
    user = create_user({"username": _username_for(application.phone), "display_name": application.real_name,
                        "phone": phone, "role": "volunteer", "site_id": application.site_id})
    identity = {k: getattr(application, k) for k in (*IDENTITY_FIELDS, "id_type", "id_number_hash",
                                                      "id_number_masked")}
    party = _volunteer_party(application.site_id, application.team)
    profile = create_profile(user, application.site_id, identity, party_id=party.id if party else None)
    application.status = "accepted"
    application.decided_at = utcnow()
    application.decided_by_id = by.id
    application.profile_id = profile.id
    token = create_invitation(user, by, current_app.config["INVITATION_TTL_HOURS"])
    db.session.flush()
    return profile, token


def decline_application(application: VolunteerApplication, by: User, reason: str) -> None:
    if application.status != "applied":
        raise FormError("reason", _("This application has already been decided."))
    application.status = "declined"
    application.decline_reason = (reason or "").strip()
    application.decided_at = utcnow()
    application.decided_by_id = by.id
    db.session.flush()


# --- profiles --------------------------------------------------------------------------------------
def update_profile(profile: VolunteerProfile, values: dict) -> None:
    identity = _identity(values)
    _check_minor(identity.get("birth_date", profile.birth_date), values)
    if "id_number_hash" in identity and db.session.scalar(select(func.count()).select_from(VolunteerProfile).where(
            VolunteerProfile.site_id == profile.site_id, VolunteerProfile.id != profile.id,
            VolunteerProfile.id_number_hash == identity["id_number_hash"])):
        raise FormError("id_number", _("Another volunteer here has this ID number."))
    number = (values.get("volunteer_number") or "").strip()
    if number and number != profile.volunteer_number:
        if db.session.scalar(select(func.count()).select_from(VolunteerProfile).where(
                VolunteerProfile.volunteer_number == number)):
            raise FormError("volunteer_number", _("This volunteer number is already in use."))
        profile.volunteer_number = number
    if values.get("party_id") and not db.session.scalar(select(func.count()).select_from(Party).where(
            Party.id == values["party_id"], Party.site_id == profile.site_id)):
        raise FormError("party_id", _("Choose a party of this site."))
    for key, value in identity.items():
        setattr(profile, key, value)
    profile.party_id = values.get("party_id") or None
    profile.insurance_policy = (values.get("insurance_policy") or "").strip()
    profile.insurance_from = values.get("insurance_from")
    profile.insurance_until = values.get("insurance_until")
    profile.user.display_name = profile.real_name
    db.session.flush()


def toggle_archived(profile: VolunteerProfile) -> None:
    profile.archived_at = None if profile.archived_at else utcnow()
    db.session.flush()


# --- trainings and checks --------------------------------------------------------------------------
def _assign(obj, values: dict) -> None:
    for key, value in values.items():
        setattr(obj, key, value.strip() if isinstance(value, str) else value)


def _unique_kind(site_id: int, name: str, exclude_id: int | None = None) -> None:
    query = select(func.count()).select_from(TrainingKind).where(
        TrainingKind.site_id == site_id, func.lower(TrainingKind.name) == name.strip().lower())
    if exclude_id is not None:
        query = query.where(TrainingKind.id != exclude_id)
    if db.session.scalar(query):
        raise FormError("name", _("This name is already in use."))


def create_training_kind(site: Site, values: dict) -> TrainingKind:
    _unique_kind(site.id, values["name"])
    kind = TrainingKind(site_id=site.id)
    _assign(kind, values)
    db.session.add(kind)
    return kind


def update_training_kind(kind: TrainingKind, values: dict) -> None:
    _unique_kind(kind.site_id, values["name"], exclude_id=kind.id)
    _assign(kind, values)


def toggle_kind_archived(kind: TrainingKind) -> None:
    kind.archived_at = None if kind.archived_at else utcnow()


def record_training(site: Site, values: dict, by: User) -> TrainingSession:
    kind = db.session.get(TrainingKind, values["kind_id"])
    if kind is None or kind.site_id != site.id:
        raise FormError("kind_id", _("Choose a training of this site."))
    if values["held_on"] > local_today():
        raise FormError("held_on", _("A training can be recorded only once it has taken place."))
    ids = set(values.get("attendee_ids") or [])
    if not ids:
        raise FormError("attendee_ids", _("Choose at least one volunteer who attended."))
    valid = set(db.session.scalars(select(VolunteerProfile.id).where(
        VolunteerProfile.site_id == site.id, VolunteerProfile.id.in_(ids))))
    if valid != ids:
        raise FormError("attendee_ids", _("Choose volunteers of this site."))
    session = TrainingSession(site_id=site.id, kind_id=kind.id, held_on=values["held_on"],
                              trainer=(values.get("trainer") or "").strip(), notes=(values.get("notes") or "").strip(),
                              recorded_by_id=by.id)
    session.attendances = [TrainingAttendance(profile_id=pid) for pid in sorted(ids)]
    db.session.add(session)
    db.session.flush()
    return session


def record_check(profile: VolunteerProfile, values: dict, by: User) -> BackgroundCheck:
    if values["checked_on"] > local_today():
        raise FormError("checked_on", _("The date of the check cannot be in the future."))
    check = BackgroundCheck(profile_id=profile.id, checked_on=values["checked_on"],
                            checked_by=values["checked_by"].strip(), result=values["result"],
                            note=(values.get("note") or "").strip(), recorded_by_id=by.id)
    db.session.add(check)
    db.session.flush()
    return check


def save_settings(site: Site, values: dict) -> VolunteerSettings:
    settings = db.session.get(VolunteerSettings, site.id) or VolunteerSettings(site_id=site.id)
    _assign(settings, {k: values[k] for k in ("issuer_name", "person_in_charge", "handler", "contact")})
    db.session.add(settings)
    db.session.flush()
    return settings


# --- hours -----------------------------------------------------------------------------------------
def _minutes(start: time, end: time) -> int:
    return (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)


def season_on(site_id: int, day: date) -> Season | None:
    return db.session.scalar(select(Season).where(
        Season.site_id == site_id, Season.start_date <= day, Season.end_date >= day,
        Season.archived_at.is_(None)).order_by(Season.start_date.desc()).limit(1))


def _check_hours(profile_id: int, day: date, start: time, end: time, exclude_id: int | None = None,
                 *, check_future: bool = True) -> int:
    """The rules an hour entry keeps; returns its minutes. Raises FormError naming the field."""
    now = local_now()
    if check_future and day > now.date():
        raise FormError("work_date", _("Hours cannot be logged for a future day."))
    if end <= start:
        raise FormError("ends_at", _("The end time must be after the start time."))
    if check_future and day == now.date() and end > now.time().replace(tzinfo=None):
        raise FormError("ends_at", _("The end time has not come yet; log hours once the service is over."))
    minutes = _minutes(start, end)
    others = db.session.execute(select(HourEntry.id, HourEntry.starts_at, HourEntry.ends_at, HourEntry.minutes)
                                .where(HourEntry.profile_id == profile_id, HourEntry.work_date == day,
                                       HourEntry.status != "rejected")).all()
    for other_id, other_start, other_end, _m in others:
        if other_id != exclude_id and start < other_end and other_start < end:
            raise FormError("starts_at", _("This overlaps your entry from %(start)s to %(end)s on that day.",
                                           start=other_start.strftime("%H:%M"), end=other_end.strftime("%H:%M")))
    maximum = int(current_app.config["VOLUNTEER_MAX_HOURS_PER_DAY"])
    total = minutes + sum(m for other_id, _s, _e, m in others if other_id != exclude_id)
    if total > maximum * 60:
        raise FormError("ends_at", _("At most %(max)d hours can be logged for one day (this would make %(total)s).",
                                     max=maximum, total=format_hours(total)))
    return minutes


def log_hours(profile: VolunteerProfile, values: dict, by: User, *, source: str = "manual") -> HourEntry:
    if profile.archived_at is not None:
        raise FormError("work_date", _("This volunteer's profile is archived."))
    day, start, end = values["work_date"], values["starts_at"], values["ends_at"]
    minutes = _check_hours(profile.id, day, start, end, check_future=source == "manual")
    season = season_on(profile.site_id, day)
    entry = HourEntry(profile_id=profile.id, site_id=profile.site_id, season_id=season.id if season else None,
                      work_date=day, starts_at=start, ends_at=end, minutes=minutes,
                      activity=values["activity"].strip(), source=source, status="pending", created_by_id=by.id)
    db.session.add(entry)
    db.session.flush()
    return entry


def review(site_id: int, ids: list[int], action: str, by: User, reason: str = "") -> int:
    """Approve or reject pending entries of a site in one statement; returns how many changed."""
    ids = sorted({int(i) for i in ids})
    if not ids:
        raise FormError("ids", _("Choose at least one entry."))
    if action == "reject" and not (reason or "").strip():
        raise FormError("reason", _("Say why the entries are rejected."))
    if action not in ("approve", "reject"):
        raise FormError("ids", _("Choose approve or reject."))
    values = dict(status="approved" if action == "approve" else "rejected", reviewed_at=utcnow(),
                  reviewed_by_id=by.id, reject_reason=(reason or "").strip() if action == "reject" else "")
    result = db.session.execute(
        update(HourEntry).where(HourEntry.site_id == site_id, HourEntry.status == "pending",
                                HourEntry.id.in_(ids)).values(**values)
        .execution_options(synchronize_session=False))
    db.session.flush()
    return result.rowcount


CORRECTABLE = ("work_date", "starts_at", "ends_at", "activity", "status")


def _plain(value):
    return value.isoformat(timespec="minutes") if isinstance(value, time) else (
        value.isoformat() if isinstance(value, date) else value)


def correct_entry(entry: HourEntry, values: dict, by: User) -> HourCorrection | None:
    """A coordinator's correction: the entry changes, the original values stay in a correction row."""
    reason = (values.get("reason") or "").strip()
    if not reason:
        raise FormError("reason", _("Say why the entry is corrected."))
    new = {k: (values[k].strip() if isinstance(values[k], str) else values[k]) for k in CORRECTABLE if k in values}
    if new.get("status") == "rejected" and not entry.reject_reason:
        entry.reject_reason = reason
    changed = {k: v for k, v in new.items() if getattr(entry, k) != v}
    if not changed:
        raise FormError("reason", _("Nothing was changed."))
    minutes = _check_hours(entry.profile_id, new.get("work_date", entry.work_date), new.get("starts_at", entry.starts_at),
                           new.get("ends_at", entry.ends_at), exclude_id=entry.id,
                           check_future=entry.source == "manual")
    correction = HourCorrection(entry=entry, changed_by_id=by.id, reason=reason,
                                old_values={k: _plain(getattr(entry, k)) for k in changed},
                                new_values={k: _plain(v) for k, v in changed.items()})
    for key, value in changed.items():
        setattr(entry, key, value)
    entry.minutes = minutes
    if "work_date" in changed:
        season = season_on(entry.site_id, entry.work_date)
        entry.season_id = season.id if season else None
    if "status" in changed:
        entry.reviewed_at, entry.reviewed_by_id = utcnow(), by.id
    db.session.add(correction)
    db.session.flush()
    return correction


# --- certificates ----------------------------------------------------------------------------------
def _next_certificate_number(year: int) -> str:
    """HH-<year>-<6 digits>, from a per-year counter that only goes up (numbers are never reused)."""
    result = db.session.execute(update(CertificateCounter).where(CertificateCounter.year == year)
                                .values(last_number=CertificateCounter.last_number + 1)
                                .execution_options(synchronize_session=False))
    if result.rowcount == 0:
        try:
            with db.session.begin_nested():
                db.session.add(CertificateCounter(year=year, last_number=1))
        except IntegrityError:  # another request created the year's counter first
            return _next_certificate_number(year)
    number = db.session.scalar(select(CertificateCounter.last_number).where(CertificateCounter.year == year))
    return f"HH-{year}-{number:06d}"


def certificate_facts(profile: VolunteerProfile, period_from: date, period_to: date) -> tuple[int, str]:
    """Approved minutes in the period and a summary of what was done."""
    rows = db.session.execute(
        select(HourEntry.activity, func.sum(HourEntry.minutes))
        .where(HourEntry.profile_id == profile.id, HourEntry.status == "approved",
               HourEntry.work_date >= period_from, HourEntry.work_date <= period_to)
        .group_by(HourEntry.activity).order_by(func.sum(HourEntry.minutes).desc())).all()
    minutes = sum(m for _a, m in rows)
    summary = "、".join(a for a, _m in rows[:6])
    return minutes, summary


def issue_certificate(profile: VolunteerProfile, values: dict, by: User) -> Certificate:
    settings = db.session.get(VolunteerSettings, profile.site_id)
    if settings is None:
        raise FormError("period_from", _("The site has not set who issues certificates yet; ask the coordinator."))
    period_from, period_to = values["period_from"], values["period_to"]
    if period_to < period_from:
        raise FormError("period_to", _("The end date cannot be before the start date."))
    if period_to > local_today():
        raise FormError("period_to", _("The period cannot end in the future."))
    minutes, summary = certificate_facts(profile, period_from, period_to)
    if not minutes:
        raise FormError("period_from", _("There are no approved hours in this period."))
    content = (values.get("content") or "").strip() or summary
    today = local_today()
    certificate = Certificate(
        number=_next_certificate_number(today.year), profile_id=profile.id, site_id=profile.site_id,
        holder_name=profile.real_name, id_type=profile.id_type, id_number_masked=profile.id_number_masked,
        volunteer_number=profile.volunteer_number, period_from=period_from, period_to=period_to,
        minutes=minutes, content=content[:2000], issuer_name=settings.issuer_name,
        person_in_charge=settings.person_in_charge, handler=settings.handler, contact=settings.contact,
        issued_on=today, issued_by_id=by.id)
    db.session.add(certificate)
    db.session.flush()
    return certificate


def void_certificate(certificate: Certificate) -> None:
    if certificate.voided_at is not None:
        raise FormError("number", _("This certificate is already void."))
    certificate.voided_at = utcnow()
    db.session.flush()
