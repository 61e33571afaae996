"""Writes for sign-in, passwords and invitations. Services take the acting user (``by=``), flush,
and raise ``FormError`` for what the person must correct; the save path commits."""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask_babel import gettext as _

from app.auth import queries
from app.auth.models import Invitation, User
from app.core.db import lock
from app.core.errors import FormError
from app.core.timeutil import utcnow
from app.extensions import db


class InvitationError(Exception):
    pass


def sign_in(values: dict) -> User:
    """The account named by the login form, when the password matches; notes the time of sign-in.
    One message for an unknown name, a wrong password and a disabled account (no account probing)."""
    user = queries.user_by_login(values["login"])
    if user is None or not user.active or not user.check_password(values["password"]):
        raise FormError("password", _("Wrong phone number, user name or password."))
    record_login(user)
    return user


def record_login(user: User) -> None:
    user.last_login_at = utcnow()
    db.session.flush()


def change_password(user: User, values: dict, *, by: User) -> None:
    """``by`` changes their own password (``user`` is ``by``): the current one must match."""
    if user.id != by.id:
        raise FormError(None, _("You can only change your own password."))
    if not user.check_password(values["current"]):
        raise FormError("current", _("The current password is wrong."))
    user.set_password(values["password"])
    db.session.flush()


def set_locale(user: User, locale: str, *, by: User | None = None) -> None:
    user.locale = locale
    db.session.flush()


def create_invitation(user: User, by: User | None, ttl_hours: int) -> str:
    """A new one-time link for ``user``; earlier unused links stop working. Returns the token."""
    now = utcnow()
    for old in db.session.query(Invitation).filter_by(user_id=user.id, used_at=None):
        old.expires_at = min(old.expires_at, now)
    token = secrets.token_urlsafe(32)
    db.session.add(Invitation(
        user_id=user.id, token_hash=hashlib.sha256(token.encode()).hexdigest(),
        created_at=now, expires_at=now + timedelta(hours=ttl_hours),
        created_by_id=by.id if by else None))
    db.session.flush()
    return token


def invite(user: User, *, by: User, ttl_hours: int) -> str:
    """The administrator's "new invitation link" for an enabled account; returns the token."""
    lock(db.session, User, user.id)
    db.session.refresh(user, ["active"])
    if not user.active:
        raise FormError(None, _("Enable the account before inviting."))
    return create_invitation(user, by, ttl_hours)


def check_invitation(invitation: Invitation | None) -> Invitation:
    if invitation is None:
        raise InvitationError(_("This invitation link is not valid."))
    if invitation.used_at is not None:
        raise InvitationError(_("This invitation link has already been used."))
    if invitation.expires_at <= utcnow():
        raise InvitationError(_("This invitation link has expired. Ask the administrator for a new one."))
    if not invitation.user.active:
        raise InvitationError(_("This account is disabled."))
    return invitation


def accept_invitation(invitation: Invitation, values: dict) -> User:
    """Set the password through a one-time link; checked again under a lock, so two submits of the
    same link (two tabs, a double tap) use it once."""
    lock(db.session, Invitation, invitation.id)
    db.session.refresh(invitation)
    try:
        check_invitation(invitation)
    except InvitationError as error:
        raise FormError(None, str(error)) from None
    invitation.used_at = utcnow()
    invitation.user.set_password(values["password"])
    db.session.flush()
    return invitation.user
