"""The day's world: a season around today, enrolled children with guardians and pickup persons.

The taps record "now", so they work on today's date only; today may be a Saturday when the suite
runs, so the day's rule "expected on weekdays" is widened to every day here (its own test checks it
on fixed dates)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import pytest

from app.children.models import PickupPerson
from app.core.timeutil import LOCAL_TZ, local_today


@dataclass
class Day:
    site: object
    season: object
    children: list
    pickups: dict          # child id -> PickupPerson
    coordinator: object
    day: date


@pytest.fixture
def everyday(monkeypatch):
    from app.daily import queries

    monkeypatch.setattr(queries, "WORKDAYS", tuple(range(7)))


@pytest.fixture
def morning(monkeypatch):
    """Eight in the morning of today, Asia/Shanghai: the taps record "now", and a write raises the
    alerts that are due by then, so the tests run the same day whenever the suite runs (at 08:00
    nothing is due yet: children are expected by 09:30, picked up by 18:00)."""
    from app.core import timeutil

    at = datetime.combine(timeutil.system_clock().astimezone(LOCAL_TZ).date(), time(8, 0), tzinfo=LOCAL_TZ)
    monkeypatch.setattr(timeutil, "clock", lambda: at)
    return at


@pytest.fixture
def day_world(db, make, world, everyday, morning) -> Day:
    today = local_today()
    season = make.season(world.site, "本季", start_date=today - timedelta(days=20), end_date=today + timedelta(days=20))
    children, pickups = [], {}
    for i, name in enumerate(["张小明", "李玥", "王喆"]):
        child = make.child(world.site, name, guardian_phone=f"1390000{i:04d}",
                           allergies="花生" if i == 0 else "", may_go_home_alone=(i == 2))
        make.enrolment(child, season)
        person = PickupPerson(child_id=child.id, name=f"接送人{i}", relation="奶奶", phone=f"1370000{i:04d}")
        db.session.add(person)
        db.session.commit()
        children.append(child)
        pickups[child.id] = person
    return Day(world.site, season, children, pickups, world.users["coordinator"], today)
