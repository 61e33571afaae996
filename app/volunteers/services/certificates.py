"""Writes for certificates: the site's issuer settings, issuing (numbered without gaps), voiding,
and keeping the rendered PDF of an issued certificate."""
from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from app.auth.models import User
from app.core.errors import FormError
from app.core.timeutil import local_today, utcnow
from app.extensions import db
from app.sites.models import Site
from app.volunteers.models import Certificate, CertificateCounter, HourEntry, VolunteerProfile, VolunteerSettings

SETTINGS_FIELDS = ("issuer_name", "person_in_charge", "handler", "contact")


def save_settings(site: Site, values: dict, *, by: User) -> VolunteerSettings:
    settings = db.session.get(VolunteerSettings, site.id) or VolunteerSettings(site_id=site.id)
    for key in SETTINGS_FIELDS:
        setattr(settings, key, values[key])
    db.session.add(settings)
    db.session.flush()
    return settings


def _next_certificate_number(year: int) -> str:
    """HH-<year>-<6 digits>, from a per-year counter that only goes up (numbers are never reused).
    The UPDATE locks the year's row until the request commits, so numbers are issued one by one."""
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
    content = values.get("content") or summary
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


def void_certificate(certificate: Certificate, *, by: User | None = None) -> None:
    if certificate.voided_at is not None:
        raise FormError("number", _("This certificate is already void."))
    certificate.voided_at = utcnow()
    db.session.flush()
