from __future__ import annotations

from sqlalchemy import Select, or_, select

from app.auth.models import User
from app.extensions import db
from app.sites.models import Site


def users(search: str = "") -> Select:
    query = select(User).order_by(User.display_name, User.id)
    search = search.strip()
    if search:
        like = f"%{search}%"
        query = query.where(or_(User.username.ilike(like), User.display_name.ilike(like),
                                User.phone.ilike(like)))
    return query


def active_sites() -> list[Site]:
    return list(db.session.scalars(select(Site).where(Site.archived_at.is_(None)).order_by(Site.name)))
