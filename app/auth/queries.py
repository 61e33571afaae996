from __future__ import annotations

import hashlib

from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload

from app.auth.models import Invitation, RoleGrant, User
from app.extensions import db


_session_user_options: list = []


def user_for_session(user_id: int) -> User | None:
    """The signed-in user of every request: the user and their role grants in one SELECT (a LEFT
    JOIN on role_grants), without the grants' sites (the rules need site ids only)."""
    if not _session_user_options:  # built on first use: the mappers are configured by then
        _session_user_options.append(joinedload(User.grants).lazyload(RoleGrant.site))
    return db.session.get(User, user_id, options=_session_user_options)


def user_by_login(login: str) -> User | None:
    login = login.strip()
    digits = login.replace(" ", "").replace("-", "")
    return db.session.scalar(select(User).where(
        or_(func.lower(User.username) == login.lower(), User.phone == digits)))


def invitation_by_token(token: str) -> Invitation | None:
    digest = hashlib.sha256(token.encode()).hexdigest()
    return db.session.scalar(select(Invitation).where(Invitation.token_hash == digest))
