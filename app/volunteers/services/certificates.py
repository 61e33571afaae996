"""Writes for certificates: the site's issuer settings, issuing (numbered without gaps), voiding,
and keeping the rendered PDF of an issued certificate."""
from __future__ import annotations

from datetime import date

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from app.auth.models import User
from app.core.db import lock
from app.core.errors import FormError
from app.core.permissions import SITE_MANAGE, VOLUNTEER, can
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


def check_public_base_url() -> None:
    """Outside development, certificates print PUBLIC_BASE_URL in their link and QR code: without it
    issuing is refused (a link to whatever host the request came in on would not verify)."""
    if current_app.config.get("HUHANG_ENV", "development") != "development" and \
            not current_app.config.get("PUBLIC_BASE_URL"):
        raise FormError("period_from", _("Certificates cannot be issued yet: the server's public address "
                                         "(PUBLIC_BASE_URL) is not set. Ask the administrator."))


def _may_request(profile: VolunteerProfile, by: User) -> bool:
    """Staff of the profile's site, or the volunteer themself while they hold a volunteer role there."""
    if can(SITE_MANAGE, profile.site_id, user=by):
        return True
    return by.id == profile.user_id and VOLUNTEER in by.roles_on(profile.site_id)


def issue_certificate(profile: VolunteerProfile, values: dict, by: User) -> Certificate:
    """A certificate of the approved hours of a period. Only the period comes from the requester: the
    minutes and the content are summarised from the approved entries (never typed in). A certificate
    of the same volunteer for an overlapping period that is still valid is superseded by the new one;
    the profile row is locked first, so two issued at once are numbered one after the other and the
    second supersedes the first."""
    lock(db.session, VolunteerProfile, profile.id)
    db.session.refresh(profile)
    if profile.archived_at is not None:
        raise FormError("period_from", _("This volunteer's profile is archived: no certificate can be issued."))
    if not _may_request(profile, by):
        raise FormError("period_from", _("Only an active volunteer of this site can request a certificate."))
    check_public_base_url()
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
    today = local_today()
    certificate = Certificate(
        number=_next_certificate_number(today.year), profile_id=profile.id, site_id=profile.site_id,
        holder_name=profile.real_name, id_type=profile.id_type, id_number_masked=profile.id_number_masked,
        volunteer_number=profile.volunteer_number, period_from=period_from, period_to=period_to,
        minutes=minutes, content=summary[:2000], issuer_name=settings.issuer_name,
        person_in_charge=settings.person_in_charge, handler=settings.handler, contact=settings.contact,
        issued_on=today, issued_by_id=by.id, holder_checked=True)
    db.session.add(certificate)
    db.session.flush()
    db.session.execute(
        update(Certificate).where(Certificate.profile_id == profile.id, Certificate.id != certificate.id,
                                  Certificate.voided_at.is_(None), Certificate.superseded_by_id.is_(None),
                                  Certificate.period_from <= period_to, Certificate.period_to >= period_from)
        .values(superseded_by_id=certificate.id).execution_options(synchronize_session=False))
    db.session.flush()
    return certificate


def void_certificate(certificate: Certificate, *, by: User | None = None) -> None:
    if certificate.voided_at is not None:
        raise FormError("number", _("This certificate is already void."))
    certificate.voided_at = utcnow()
    db.session.flush()
