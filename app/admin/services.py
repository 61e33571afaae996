"""Accounts and roles. Services take the acting user (``by=``), lock what their rule reads, flush;
the save path (``app.core.views.save``) commits."""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func, select

from app.auth.models import RoleGrant, User
from app.core.db import begin_write, lock
from app.core.errors import FormError
from app.core.permissions import ADMIN
from app.extensions import db


def create_user(values: dict, *, by: User | None = None) -> User:
    """A new account with its first role. ``values`` come from a form (already cleaned) or from the
    command line; ``by`` is the administrator (None from the command line and the demo)."""
    username = values["username"]
    begin_write(db.session)  # SQLite: the write lock before the uniqueness checks
    if db.session.scalar(select(func.count()).select_from(User).where(
            func.lower(User.username) == username.lower())):
        raise FormError("username", _("This user name is already taken."))
    phone = values.get("phone") or None
    if phone and db.session.scalar(select(func.count()).select_from(User).where(User.phone == phone)):
        raise FormError("phone", _("Another account already uses this phone number."))
    user = User(username=username, display_name=values["display_name"], phone=phone)
    db.session.add(user)
    db.session.flush()
    add_grant(user, values["role"], values.get("site_id"), by=by)
    return user


def add_grant(user: User, role: str, site_id: int | None, *, by: User | None = None) -> RoleGrant:
    lock(db.session, User, user.id)
    site_id = None if role == ADMIN else site_id
    db.session.refresh(user, ["grants"])
    if any(g.role == role and g.site_id == site_id for g in user.grants):
        raise FormError("role", _("The account already holds this role here."))
    grant = RoleGrant(user=user, role=role, site_id=site_id)
    db.session.add(grant)
    db.session.flush()
    return grant


def _lock_administrators() -> None:
    """Hold every administrator's grant (PostgreSQL) or the write lock (SQLite) while counting them,
    so two administrators cannot remove each other at the same moment."""
    connection = db.session.connection()
    if connection.dialect.name == "sqlite":
        begin_write(db.session)
        return
    db.session.execute(select(RoleGrant.id).where(RoleGrant.role == ADMIN).with_for_update())


def _admin_count() -> int:
    return db.session.scalar(select(func.count(func.distinct(RoleGrant.user_id))).join(User).where(
        RoleGrant.role == ADMIN, User.active.is_(True)))


def remove_grant(grant: RoleGrant, *, by: User) -> None:
    _lock_administrators()
    if grant.role == ADMIN and grant.user.active and _admin_count() <= 1:
        raise FormError("role", _("The last administrator cannot lose that role."))
    grant.user.grants.remove(grant)
    db.session.flush()


def toggle_active(user: User, *, by: User) -> None:
    if user.id == by.id:
        raise FormError("active", _("You cannot disable your own account."))
    _lock_administrators()
    if user.active and user.is_admin and _admin_count() <= 1:
        raise FormError("active", _("The last administrator cannot be disabled."))
    user.active = not user.active
    db.session.flush()
