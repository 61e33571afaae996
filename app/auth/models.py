from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from app.auth.identity import GrantsMixin
from app.core.db import TimestampMixin
from app.core.permissions import ROLES
from app.extensions import db

_ROLE_LIST = ", ".join(f"'{r}'" for r in ROLES)


class User(GrantsMixin, UserMixin, TimestampMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    phone: Mapped[str | None] = mapped_column(String(20), unique=True)
    display_name: Mapped[str] = mapped_column(String(80))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    locale: Mapped[str | None] = mapped_column(String(8))
    active: Mapped[bool] = mapped_column(default=True)
    last_login_at: Mapped[datetime | None]
    # Sign-in protection (app.auth.services.sign_in): wrong passwords counted per account in the
    # database (shared by every worker and machine), a short lock after too many; the session
    # version ends every session of the account on sign-out and on a password change.
    failed_logins: Mapped[int] = mapped_column(default=0, server_default="0")
    failed_since: Mapped[datetime | None]
    locked_until: Mapped[datetime | None]
    session_version: Mapped[int] = mapped_column(default=1, server_default="1")

    grants: Mapped[list[RoleGrant]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin",
        order_by="RoleGrant.id")

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.active

    def account(self) -> User:
        """Itself (a ``SignedInUser``, what ``current_user`` is on most requests, answers with its
        ORM record): code that changes the signed-in account asks ``current_user.account()``."""
        return self

    def set_password(self, password: str) -> None:
        from flask import current_app

        method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt") if current_app else "scrypt"
        self.password_hash = generate_password_hash(password, method=method)

    def check_password(self, password: str) -> bool:
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)


class RoleGrant(db.Model):
    """A role a user holds: administrator for the district, every other role on one site."""
    __tablename__ = "role_grants"
    __table_args__ = (
        UniqueConstraint("user_id", "role", "site_id"),
        CheckConstraint(f"role IN ({_ROLE_LIST})", name="role_known"),
        CheckConstraint("(role = 'admin' AND site_id IS NULL) OR (role <> 'admin' AND site_id IS NOT NULL)",
                        name="site_matches_role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    site_id: Mapped[int | None] = mapped_column(ForeignKey("sites.id"), index=True)

    user: Mapped[User] = relationship(back_populates="grants")
    # Only the administration pages show a grant's site, and they load the active sites (for the grant
    # form) before rendering, so the lazy load is answered from the identity map. Not joined: the
    # rules need site ids only, and the signed-in user is loaded on every request.
    site: Mapped["Site | None"] = relationship()  # noqa: F821


class Invitation(db.Model):
    """A one-time, expiring link with which a person sets their own password."""
    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    user: Mapped[User] = relationship(foreign_keys=[user_id])
