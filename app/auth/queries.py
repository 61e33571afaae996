from __future__ import annotations

import hashlib

from sqlalchemy import bindparam, func, or_, select

from app.auth.identity import COLUMNS, Grant, SignedInUser, signed_in_user
from app.auth.models import Invitation, RoleGrant, User
from app.core.db import prepared, run
from app.extensions import db


def user_for_session(user_id: int, *, open_alerts: bool = False) -> tuple[SignedInUser | None, int | None]:
    """The signed-in user of every request (``app.auth.identity``): the account's columns and its
    role grants in one SELECT (a LEFT JOIN on role_grants, through Core: no ORM object is built),
    as the ``SignedInUser`` kept for exactly these values. With ``open_alerts`` (a coordinator's
    page), the same SELECT counts the open alerts of the sites they coordinate (the navigation's
    badge); else the count is None. The statements are built once (on first use, when the mappers
    are configured), so only the parameter changes."""
    rows = run(prepared("auth.session_user_alerts" if open_alerts else "auth.session_user",
                        lambda: _session_statement(open_alerts)), {"user_id": user_id}).all()
    if not rows:
        return None, None
    first = rows[0]
    values = tuple(first[:len(COLUMNS)])
    grants = tuple(Grant(row[len(COLUMNS)], row[len(COLUMNS) + 1]) for row in rows
                   if row[len(COLUMNS)] is not None)
    return signed_in_user(values, grants), (first[-1] if open_alerts else None)


def _session_statement(open_alerts: bool):
    users, grants = User.__table__, RoleGrant.__table__
    columns = [users.c[name] for name in COLUMNS] + [grants.c.role, grants.c.site_id]
    if open_alerts:
        from app.daily.queries import open_alerts_managed_by

        columns.append(open_alerts_managed_by(users.c.id))
    return (select(*columns).select_from(users.outerjoin(grants, grants.c.user_id == users.c.id))
            .where(users.c.id == bindparam("user_id")).order_by(grants.c.id))


def user_by_login(login: str) -> User | None:
    """By user name (any case) or phone number (spaces and dashes ignored); the form has trimmed it."""
    digits = login.replace(" ", "").replace("-", "")
    return db.session.scalar(select(User).where(
        or_(func.lower(User.username) == login.lower(), User.phone == digits)))


def invitation_by_token(token: str) -> Invitation | None:
    digest = hashlib.sha256(token.encode()).hexdigest()
    return db.session.scalar(select(Invitation).where(Invitation.token_hash == digest))
