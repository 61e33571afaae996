"""Accounts and roles. Services flush; the view commits."""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func, select

from app.auth.models import RoleGrant, User
from app.core.errors import FormError
from app.core.permissions import ADMIN
from app.extensions import db


def create_user(values: dict) -> User:
    username = values["username"].strip()
    if db.session.scalar(select(func.count()).select_from(User).where(
            func.lower(User.username) == username.lower())):
        raise FormError("username", _("This user name is already taken."))
    phone = values.get("phone") or None
    if phone and db.session.scalar(select(func.count()).select_from(User).where(User.phone == phone)):
        raise FormError("phone", _("Another account already uses this phone number."))
    user = User(username=username, display_name=values["display_name"].strip(), phone=phone)
    db.session.add(user)
    db.session.flush()
    add_grant(user, values["role"], values.get("site_id"))
    return user


def add_grant(user: User, role: str, site_id: int | None) -> RoleGrant:
    site_id = None if role == ADMIN else site_id
    if any(g.role == role and g.site_id == site_id for g in user.grants):
        raise FormError("role", _("The account already holds this role here."))
    grant = RoleGrant(user=user, role=role, site_id=site_id)
    db.session.add(grant)
    db.session.flush()
    return grant


def _admin_count() -> int:
    return db.session.scalar(select(func.count(func.distinct(RoleGrant.user_id))).join(User).where(
        RoleGrant.role == ADMIN, User.active.is_(True)))


def remove_grant(grant: RoleGrant) -> None:
    if grant.role == ADMIN and _admin_count() <= 1:
        raise FormError("role", _("The last administrator cannot lose that role."))
    grant.user.grants.remove(grant)
    db.session.flush()


def toggle_active(user: User, acting: User) -> None:
    if user.id == acting.id:
        raise FormError("active", _("You cannot disable your own account."))
    if user.active and user.is_admin and _admin_count() <= 1:
        raise FormError("active", _("The last administrator cannot be disabled."))
    user.active = not user.active
    db.session.flush()
