"""Reads for the administrator's pages: accounts and the audit trail."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import selectinload

from app.auth.models import RoleGrant, User
from app.core.args import KEY_MAX, arg_choice, arg_date, arg_int, arg_text
from app.core.models import AUDIT_ACTIONS, AuditEntry
from app.core.pinyin import by_pinyin
from app.core.timeutil import LOCAL_TZ
from app.extensions import db
from app.sites.models import Site


def user_search() -> str:
    return arg_text("q", 64)


def users(search: str = "") -> Select:
    query = (select(User).options(selectinload(User.grants).selectinload(RoleGrant.site))
             .order_by(by_pinyin(User.display_name), User.id))
    if search:
        like = f"%{search}%"
        query = query.where(or_(User.username.ilike(like), User.display_name.ilike(like),
                                User.phone.ilike(like)))
    return query


def grants_of(user: User) -> list[RoleGrant]:
    """The user's roles with their sites, loaded now (the account page shows each role's site)."""
    return list(db.session.scalars(select(RoleGrant).options(selectinload(RoleGrant.site))
                                   .where(RoleGrant.user_id == user.id).order_by(RoleGrant.id)
                                   .execution_options(populate_existing=True)))


def active_sites() -> list[Site]:
    return list(db.session.scalars(select(Site).where(Site.archived_at.is_(None)).order_by(Site.name)))


# --- the audit trail ------------------------------------------------------------------------------
@dataclass
class AuditFilters:
    """The trail's filters from the query string; unreadable or out-of-range values are ignored."""
    user: str = ""
    child_id: int | None = None
    action: str = ""
    date_from: date | None = None
    date_to: date | None = None

    @classmethod
    def from_request(cls) -> AuditFilters:
        return cls(user=arg_text("user", 64), child_id=arg_int("child", None, minimum=1, maximum=KEY_MAX),
                   action=arg_choice("action", AUDIT_ACTIONS), date_from=arg_date("from"), date_to=arg_date("to"))

    def args(self) -> dict:
        out = {"user": self.user, "child": self.child_id, "action": self.action,
               "from": self.date_from.isoformat() if self.date_from else None,
               "to": self.date_to.isoformat() if self.date_to else None}
        return {k: v for k, v in out.items() if v}


def _utc_start(day: date) -> datetime:
    """The UTC instant at which the local (Asia/Shanghai) day begins, naive like stored times."""
    return datetime.combine(day, time.min, LOCAL_TZ).astimezone(timezone.utc).replace(tzinfo=None)


def audit_entries(filters: AuditFilters) -> Select:
    query = (select(AuditEntry).options(selectinload(AuditEntry.user))
             .order_by(AuditEntry.at.desc(), AuditEntry.id.desc()))
    if filters.user:
        query = query.where(AuditEntry.user_id.in_(select(User.id).where(or_(
            User.username == filters.user, User.display_name == filters.user))))
    if filters.child_id:
        query = query.where(AuditEntry.child_id == filters.child_id)
    if filters.action:
        query = query.where(AuditEntry.action == filters.action)
    if filters.date_from:
        query = query.where(AuditEntry.at >= _utc_start(filters.date_from))
    if filters.date_to:
        query = query.where(AuditEntry.at < _utc_start(filters.date_to + timedelta(days=1)))
    return query


def children_of(entries) -> dict:
    """{child id: child} for the entries of one page, in one query (erased children keep their row)."""
    from app.children.models import Child

    ids = {entry.child_id for entry in entries if entry.child_id}
    if not ids:
        return {}
    return {child.id: child for child in db.session.scalars(select(Child).where(Child.id.in_(ids)))}
