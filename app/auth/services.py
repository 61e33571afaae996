"""Writes for sign-in, passwords and invitations. Services flush; the view commits."""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from app.auth.models import Invitation, User
from app.core.timeutil import utcnow
from app.extensions import db


class InvitationError(Exception):
    pass


def record_login(user: User) -> None:
    user.last_login_at = utcnow()
    db.session.flush()


def change_password(user: User, new_password: str) -> None:
    user.set_password(new_password)
    db.session.flush()


def set_locale(user: User, locale: str) -> None:
    user.locale = locale
    db.session.flush()


def create_invitation(user: User, created_by: User | None, ttl_hours: int) -> str:
    """A new one-time link for ``user``; earlier unused links stop working. Returns the token."""
    now = utcnow()
    for old in db.session.query(Invitation).filter_by(user_id=user.id, used_at=None):
        old.expires_at = min(old.expires_at, now)
    token = secrets.token_urlsafe(32)
    db.session.add(Invitation(
        user_id=user.id, token_hash=hashlib.sha256(token.encode()).hexdigest(),
        created_at=now, expires_at=now + timedelta(hours=ttl_hours),
        created_by_id=created_by.id if created_by else None))
    db.session.flush()
    return token


def check_invitation(invitation: Invitation | None) -> Invitation:
    from flask_babel import gettext as _

    if invitation is None:
        raise InvitationError(_("This invitation link is not valid."))
    if invitation.used_at is not None:
        raise InvitationError(_("This invitation link has already been used."))
    if invitation.expires_at <= utcnow():
        raise InvitationError(_("This invitation link has expired. Ask the administrator for a new one."))
    if not invitation.user.active:
        raise InvitationError(_("This account is disabled."))
    return invitation


def accept_invitation(invitation: Invitation, password: str) -> User:
    check_invitation(invitation)
    invitation.used_at = utcnow()
    invitation.user.set_password(password)
    db.session.flush()
    return invitation.user
