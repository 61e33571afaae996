"""Writes for sign-up and profiles: applications, accepting them into accounts, profiles, checks."""
from __future__ import annotations

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from app.admin.services import create_user
from app.auth.models import User
from app.auth.services import create_invitation
from app.core.db import lock
from app.core.errors import FormError
from app.core.timeutil import local_today, utcnow
from app.extensions import db
from app.sites.models import Party, Site
from app.volunteers.models import BackgroundCheck, VolunteerApplication, VolunteerProfile
from app.volunteers.queries import has_other_roles
from app.volunteers.services.identity import IDENTITY_FIELDS, check_minor, id_number_hashes, identity_of


# --- sign-up ---------------------------------------------------------------------------------------
def submit_application(site: Site, values: dict) -> VolunteerApplication:
    identity = identity_of(values)
    check_minor(identity.get("birth_date"), values)
    hashes = id_number_hashes(values["id_number"])
    pending = db.session.scalar(select(func.count()).select_from(VolunteerApplication).where(
        VolunteerApplication.site_id == site.id, VolunteerApplication.status == "applied",
        VolunteerApplication.id_number_hash.in_(hashes)))
    registered = db.session.scalar(select(func.count()).select_from(VolunteerProfile).where(
        VolunteerProfile.site_id == site.id, VolunteerProfile.id_number_hash.in_(hashes)))
    if pending or registered:
        raise FormError("id_number", _("An application or a volunteer with this ID number already exists here."))
    application = VolunteerApplication(site_id=site.id, team=values.get("team") or "",
                                       motivation=values.get("motivation") or "", **identity)
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


def accept_application(application: VolunteerApplication, *, by: User) -> tuple[VolunteerProfile, str]:
    """Create the account, its volunteer role, the profile; returns the profile and an invitation token.
    Two coordinators accepting at once: the application row is locked first, the second one finds it
    decided."""
    lock(db.session, VolunteerApplication, application.id)
    db.session.refresh(application)
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


def decline_application(application: VolunteerApplication, values: dict, *, by: User) -> None:
    lock(db.session, VolunteerApplication, application.id)
    db.session.refresh(application)
    if application.status != "applied":
        raise FormError("reason", _("This application has already been decided."))
    application.status = "declined"
    application.decline_reason = values.get("reason") or ""
    application.decided_at = utcnow()
    application.decided_by_id = by.id
    db.session.flush()


def new_invitation(profile: VolunteerProfile, *, by: User) -> str:
    """A fresh sign-in link for the volunteer's account (earlier unused links stop working, and the
    link sets a new password for the whole account). A coordinator may do this only for an account
    that is nothing but a volunteer of their site; an account with any other role is reset by an
    administrator only, so a coordinator of one site can never take over an account that acts
    elsewhere. The account row is locked first: a role granted at the same moment is seen."""
    lock(db.session, User, profile.user_id)
    if not by.is_admin and has_other_roles(profile):
        raise FormError(None, _("This account has other roles as well; only an administrator can reset how it "
                                "signs in."))
    return create_invitation(profile.user, by, current_app.config["INVITATION_TTL_HOURS"])


# --- profiles --------------------------------------------------------------------------------------
def update_profile(profile: VolunteerProfile, values: dict, *, by: User) -> None:
    identity = identity_of(values)
    check_minor(identity.get("birth_date", profile.birth_date), values)
    if "id_number_hash" in identity and db.session.scalar(select(func.count()).select_from(VolunteerProfile).where(
            VolunteerProfile.site_id == profile.site_id, VolunteerProfile.id != profile.id,
            VolunteerProfile.id_number_hash.in_(id_number_hashes(values["id_number"])))):
        raise FormError("id_number", _("Another volunteer here has this ID number."))
    number = values.get("volunteer_number") or ""
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
    profile.insurance_policy = values.get("insurance_policy") or ""
    profile.insurance_from = values.get("insurance_from")
    profile.insurance_until = values.get("insurance_until")
    profile.user.display_name = profile.real_name
    db.session.flush()


def toggle_archived(profile: VolunteerProfile, *, by: User) -> None:
    lock(db.session, VolunteerProfile, profile.id)  # one after the other with issuing a certificate
    db.session.refresh(profile)
    profile.archived_at = None if profile.archived_at else utcnow()
    db.session.flush()


def record_check(profile: VolunteerProfile, values: dict, *, by: User) -> BackgroundCheck:
    if values["checked_on"] > local_today():
        raise FormError("checked_on", _("The date of the check cannot be in the future."))
    check = BackgroundCheck(profile_id=profile.id, checked_on=values["checked_on"],
                            checked_by=values["checked_by"], result=values["result"],
                            note=values.get("note") or "", recorded_by_id=by.id)
    db.session.add(check)
    db.session.flush()
    return check
