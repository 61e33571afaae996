from __future__ import annotations

import hashlib

from sqlalchemy import bindparam, func, or_, select
from sqlalchemy.orm import joinedload

from app.auth.models import Invitation, User
from app.core.db import prepared
from app.extensions import db


def user_for_session(user_id: int) -> User | None:
    """The signed-in user of every request: the user and their role grants in one SELECT (a LEFT
    JOIN on role_grants), without the grants' sites (the rules need site ids only). The statement is
    built once (on first use, when the mappers are configured), so only its parameter changes."""
    statement = prepared("auth.session_user", lambda: select(User).options(joinedload(User.grants))
                         .where(User.id == bindparam("user_id")))
    return db.session.execute(statement, {"user_id": user_id}).unique().scalar_one_or_none()


def user_by_login(login: str) -> User | None:
    """By user name (any case) or phone number (spaces and dashes ignored); the form has trimmed it."""
    digits = login.replace(" ", "").replace("-", "")
    return db.session.scalar(select(User).where(
        or_(func.lower(User.username) == login.lower(), User.phone == digits)))


def invitation_by_token(token: str) -> Invitation | None:
    digest = hashlib.sha256(token.encode()).hexdigest()
    return db.session.scalar(select(Invitation).where(Invitation.token_hash == digest))
