"""The staffing endpoints × every role, with objects of one world (the core walk in
tests/core/test_permissions.py covers them once the scheduling ids are in its route values), and
their pages rendered without SQL from a template."""
from __future__ import annotations

from datetime import time, timedelta

import pytest

from tests.core.routes import ROLES_IN_ORDER
from tests.core.test_permissions import ALLOWED, EXPECTED_NEED
from tests.core.test_render_sql import RenderWatch
from tests.scheduling.staff_helpers import (NEXT_WEEK, NOW, TODAY, clock, on_session, session, settings,  # noqa: F401
                                            volunteer)

STAFF_ENDPOINTS = sorted(e for e in EXPECTED_NEED if e.startswith("scheduling.") and (
    "staff" in e or "shift" in e or e.startswith("scheduling.my_")))


def _values(db, make, world):
    me = volunteer(make, world, world.users["volunteer"], name="王浩然")
    s = session(db, world, needed=2)
    row = on_session(db, s, me)
    return {"occurrence_id": s.id, "staff_id": row.id, "season_id": world.season.id, "token": "not-a-token"}


def _rules(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint in STAFF_ENDPOINTS:
            for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
                yield rule.endpoint, rule.rule, method


def test_the_staff_endpoints_are_all_walked(app):
    assert {endpoint for endpoint, _r, _m in _rules(app)} == set(STAFF_ENDPOINTS)
    assert len(STAFF_ENDPOINTS) == 17


def test_staff_routes_by_role(app, db, make, login, world, clock):  # noqa: F811
    values = _values(db, make, world)
    for endpoint, rule, method in _rules(app):
        need = EXPECTED_NEED[endpoint]
        url = rule
        for name, value in values.items():
            url = url.replace(f"<int:{name}>", str(value)).replace(f"<{name}>", str(value))
        for role in ROLES_IN_ORDER:
            client = app.test_client()
            if role != "anonymous":
                login(client, world.users[role])
            data = {"csrf_token": client.csrf_token()} if method == "POST" else None
            status = client.open(url, method=method, data=data).status_code
            where = f"{role} {method} {url}"
            assert status < 500, where
            if role in ALLOWED[need]:
                assert status not in (401, 403), where
            elif role == "anonymous":
                assert status == 302, where
            else:
                assert status == 403, where


def test_staff_pages_run_no_sql_while_rendering(app, db, make, login, world, clock):  # noqa: F811
    settings(db, world.site, release_cutoff_hours=48)
    me = volunteer(make, world, world.users["volunteer"], name="王浩然")
    others = [volunteer(make, world) for _ in range(3)] + [volunteer(make, world, checked=False)]
    today = session(db, world, on=TODAY, start=time(9), end=time(11), needed=2, lead=world.users["coordinator"],
                    children=3)
    on_session(db, today, me, status="confirmed")
    yesterday = session(db, world, on=TODAY - timedelta(days=1), group_name="四年级")
    on_session(db, yesterday, others[0], status="confirmed", checked_in_at=NOW.replace(tzinfo=None))
    offered = session(db, world, on=TODAY + timedelta(days=1), group_name="五年级", activity_name="篮球")
    on_session(db, offered, others[1], status="swap_offered")
    open_ = session(db, world, needed=3, activity_name="书法")
    on_session(db, open_, others[2], status="rostered")
    from app.scheduling.models import Unavailability
    db.session.add(Unavailability(profile_id=me.id, on_date=NEXT_WEEK + timedelta(days=1), reason="考试"))
    db.session.commit()

    volunteer_client, coordinator = app.test_client(), app.test_client()
    login(volunteer_client, world.users["volunteer"])
    login(coordinator, world.users["coordinator"])
    with RenderWatch(app) as watch:
        for client, url in [(coordinator, f"/sessions/{today.id}/staff"), (coordinator, f"/sessions/{open_.id}/staff"),
                            (coordinator, f"/seasons/{world.season.id}/shifts?start={TODAY - timedelta(days=2)}"),
                            (volunteer_client, "/me/shifts")]:
            watch.where = url
            response = client.get(url)
            assert response.status_code == 200, url
        watch.where = "calendar link"
        assert volunteer_client.post("/me/shifts/calendar", data={}).status_code == 200
        watch.where = "bad roster"
        assert coordinator.post(f"/sessions/{today.id}/staff", data={"profile_id": others[3].id}).status_code == 422
    assert not watch.found, dict(watch.found)
