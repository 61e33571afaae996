from __future__ import annotations

import hashlib

from sqlalchemy import bindparam, func, or_, select
from sqlalchemy.orm import joinedload

from app.auth.models import Invitation, User
from app.core.db import prepared
from app.extensions import db


def user_for_session(user_id: int, *, open_alerts: bool = False) -> tuple[User | None, int | None]:
    """The signed-in user of every request: the user and their role grants in one SELECT (a LEFT
    JOIN on role_grants), without the grants' sites (the rules need site ids only). With
    ``open_alerts`` (a coordinator's page), the same SELECT counts the open alerts of the sites they
    coordinate (the navigation's badge); else the count is None. The statements are built once (on
    first use, when the mappers are configured), so only the parameter changes."""
    if open_alerts:
        from app.daily.queries import open_alerts_managed_by

        statement = prepared("auth.session_user_alerts", lambda: select(User, open_alerts_managed_by(User.id))
                             .options(joinedload(User.grants)).where(User.id == bindparam("user_id")))
        row = db.session.execute(statement, {"user_id": user_id}).unique().first()
        return (row[0], row[1]) if row is not None else (None, None)
    statement = prepared("auth.session_user", lambda: select(User).options(joinedload(User.grants))
                         .where(User.id == bindparam("user_id")))
    return db.session.execute(statement, {"user_id": user_id}).unique().scalar_one_or_none(), None


def user_by_login(login: str) -> User | None:
    """By user name (any case) or phone number (spaces and dashes ignored); the form has trimmed it."""
    digits = login.replace(" ", "").replace("-", "")
    return db.session.scalar(select(User).where(
        or_(func.lower(User.username) == login.lower(), User.phone == digits)))


def invitation_by_token(token: str) -> Invitation | None:
    digest = hashlib.sha256(token.encode()).hexdigest()
    return db.session.scalar(select(Invitation).where(Invitation.token_hash == digest))
