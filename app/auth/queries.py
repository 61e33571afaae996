from __future__ import annotations

import hashlib

from sqlalchemy import func, or_, select

from app.auth.models import Invitation, User
from app.extensions import db


def user_for_session(user_id: int) -> User | None:
    return db.session.get(User, user_id)


def user_by_login(login: str) -> User | None:
    """By user name (any case) or phone number (spaces and dashes ignored); the form has trimmed it."""
    digits = login.replace(" ", "").replace("-", "")
    return db.session.scalar(select(User).where(
        or_(func.lower(User.username) == login.lower(), User.phone == digits)))


def invitation_by_token(token: str) -> Invitation | None:
    digest = hashlib.sha256(token.encode()).hexdigest()
    return db.session.scalar(select(Invitation).where(Invitation.token_hash == digest))
