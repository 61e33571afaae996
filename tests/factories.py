"""Small factories for tests: each creates, commits and returns one object."""
from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date

from app.auth.models import RoleGrant, User
from app.extensions import db
from app.sites.models import Party, Room, Season, Site

PASSWORD = "correct horse 42"
_seq = itertools.count(1)


def _n() -> int:
    return next(_seq)


def site(name: str | None = None, **kw) -> Site:
    obj = Site(name=name or f"测试服务点{_n()}", district=kw.pop("district", "南浔区"), **kw)
    db.session.add(obj)
    db.session.commit()
    return obj


def season(site: Site, name: str | None = None, **kw) -> Season:
    obj = Season(site_id=site.id, name=name or f"{2020 + _n()}年暑期",
                 start_date=kw.pop("start_date", date(2025, 7, 7)),
                 end_date=kw.pop("end_date", date(2025, 8, 29)), capacity=kw.pop("capacity", 80), **kw)
    db.session.add(obj)
    db.session.commit()
    return obj


def room(site: Site, name: str | None = None, **kw) -> Room:
    obj = Room(site_id=site.id, name=name or f"活动室{_n()}", **kw)
    db.session.add(obj)
    db.session.commit()
    return obj


def party(site: Site, kind: str = "community", name: str | None = None, **kw) -> Party:
    obj = Party(site_id=site.id, kind=kind, name=name or f"参与方{_n()}", **kw)
    db.session.add(obj)
    db.session.commit()
    return obj


def user(role: str | None = None, site: Site | None = None, *, username: str | None = None,
         display_name: str | None = None, password: str | None = PASSWORD, **kw) -> User:
    n = _n()
    obj = User(username=username or f"user{n}", display_name=display_name or f"用户{n}", **kw)
    if password:
        obj.set_password(password)
    db.session.add(obj)
    if role:
        db.session.add(RoleGrant(user=obj, role=role, site_id=None if role == "admin" else site.id))
    db.session.commit()
    return obj


@dataclass
class World:
    site: Site
    other_site: Site
    season: Season
    room: Room
    party: Party
    users: dict  # role name -> User; "other_coordinator" holds on other_site


def world() -> World:
    main, other = site("旧馆街道"), site("练市镇")
    users = {role: user(role, main, username=role) for role in
             ("admin", "coordinator", "volunteer", "guardian", "auditor")}
    users["other_coordinator"] = user("coordinator", other, username="other_coordinator")
    return World(site=main, other_site=other, season=season(main, "2025年暑期"), room=room(main, "一楼活动室"),
                 party=party(main, "community", "旧馆社区居委会"), users=users)
