"""Writes for sign-in, passwords and invitations. Services take the acting user (``by=``), flush,
and raise ``FormError`` for what the person must correct; the save path commits."""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import format_datetime
from flask_babel import gettext as _
from sqlalchemy import select

from app.auth import queries
from app.auth.models import Invitation, User
from app.core.db import lock
from app.core.errors import FormError
from app.core.timeutil import utcnow
from app.extensions import db


class InvitationError(Exception):
    pass


@dataclass
class SignIn:
    """What a sign-in attempt came to: the user, or the message to show (and nothing else)."""
    user: User | None = None
    problem: str | None = None
    notice: str | None = None  # told to the account holder once signed in


def _wrong() -> str:
    return _("Wrong phone number, user name or password.")


def sign_in(values: dict, *, now: datetime | None = None) -> SignIn:
    """Check a sign-in. Wrong passwords are counted per account in the database (every worker and
    machine sees the same count): after LOGIN_FAILURES_PER_ACCOUNT within LOGIN_FAILURE_WINDOW_MINUTES
    the account is locked for LOGIN_LOCK_MINUTES, and the message says how to get back in. The
    attempt's count is kept even though it fails (the view commits the result). One message for an
    unknown name, a wrong password and a disabled account (no account probing)."""
    now = now or utcnow()
    config = current_app.config
    user = queries.user_by_login(values["login"])
    if user is None:
        return SignIn(problem=_wrong())
    lock(db.session, User, user.id)  # concurrent wrong attempts are all counted
    db.session.refresh(user)
    if user.locked_until is not None and user.locked_until > now:
        return SignIn(problem=_locked_message(user.locked_until - now))
    if not user.active or not user.check_password(values["password"]):
        window = timedelta(minutes=config["LOGIN_FAILURE_WINDOW_MINUTES"])
        if user.failed_since is None or now - user.failed_since > window:
            user.failed_logins, user.failed_since = 0, now
        user.failed_logins += 1
        if user.failed_logins >= config["LOGIN_FAILURES_PER_ACCOUNT"]:
            user.locked_until = now + timedelta(minutes=config["LOGIN_LOCK_MINUTES"])
            user.failed_logins, user.failed_since = 0, None
            db.session.flush()
            return SignIn(problem=_locked_message(user.locked_until - now))
        db.session.flush()
        return SignIn(problem=_wrong())
    user.failed_logins, user.failed_since, user.locked_until = 0, None, None
    notice = _reset_notice(user)
    user.last_login_at = now
    db.session.flush()
    return SignIn(user=user, notice=notice)


def _reset_notice(user: User) -> str | None:
    """The account holder is told when someone else made a link that can set a new password for
    their account since they last signed in (a coordinator or an administrator resetting access)."""
    since = user.last_login_at or user.created_at
    link = db.session.scalar(
        select(Invitation).where(Invitation.user_id == user.id, Invitation.used_at.is_(None),
                                 Invitation.created_at > since, Invitation.created_by_id.is_not(None),
                                 Invitation.created_by_id != user.id)
        .order_by(Invitation.created_at.desc()).limit(1))
    if link is None:
        return None
    who = db.session.get(User, link.created_by_id)
    return _("On %(when)s, %(name)s made a link that can set a new password for your account. If you did not "
             "ask for it, tell the administrator; your password stays the same until the link is used.",
             when=format_datetime(link.created_at, "short"), name=who.display_name if who else "?")


def _locked_message(left: timedelta) -> str:
    minutes = max(1, -(-int(left.total_seconds()) // 60))
    return _("Too many wrong passwords: this account is locked for %(minutes)d more minutes. Wait and try "
             "again, or ask your social worker or the administrator for a new invitation link to set a new "
             "password.", minutes=minutes)


def end_sessions(user: User) -> int:
    """End every session of ``user`` (sign-out everywhere, password changed): sessions carry the
    version they were signed in with and the loader refuses an older one."""
    user.session_version = (user.session_version or 0) + 1
    db.session.flush()
    return user.session_version


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
    end_sessions(user)  # a session copied before the change no longer works


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
    invitation.user.failed_logins, invitation.user.locked_until = 0, None
    invitation.user.last_login_at = utcnow()
    end_sessions(invitation.user)
    return invitation.user
