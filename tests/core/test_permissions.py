"""Every endpoint × every role: the access rule each view declares is the one enforced.

The expectations below are written independently of app/core/permissions.py: a new route without
a declared need, or with a need this table does not know, fails here.
"""
from __future__ import annotations

import pytest

from app import create_app
from app.config import TestConfig
from app.sites.models import ThemeWeek

ROLES_IN_ORDER = ["anonymous", "volunteer", "guardian", "auditor", "other_coordinator", "coordinator", "admin"]
EVERYONE = set(ROLES_IN_ORDER)
ALLOWED = {
    "public": EVERYONE,
    "signed_in": EVERYONE - {"anonymous"},
    "administer": {"admin"},
    "staff": {"admin", "coordinator", "auditor", "other_coordinator"},
    "site.view": {"admin", "coordinator", "auditor"},
    "site.manage": {"admin", "coordinator"},
    # the volunteer's own objects: the "volunteer" user owns those filled into the URLs below
    "volunteer.own": {"admin", "coordinator", "volunteer"},
    "volunteer.self": {"volunteer"},
    "coordinate": {"admin", "coordinator", "other_coordinator"},
}


def _endpoints():
    app = create_app(TestConfig("sqlite://"))
    rules = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            rules.append(pytest.param(rule.endpoint, rule.rule, method, id=f"{method} {rule.rule}"))
    return rules


def test_every_view_declares_a_known_need(app):
    for endpoint, view in app.view_functions.items():
        if endpoint == "static":
            continue
        need = getattr(view, "access_need", None)
        assert need in ALLOWED, f"{endpoint} declares no known access need (found {need!r})"


def _volunteer_values(make, world) -> dict:
    """Volunteer and resource objects on the world's site, owned by its "volunteer" user."""
    from datetime import date

    profile = make.volunteer_profile(world.users["volunteer"], world.site)
    entry = make.hour_entry(profile, date(2025, 7, 8), season=world.season)
    make.hour_entry(profile, date(2025, 7, 9), status="approved", season=world.season)
    make.volunteer_settings(world.site)
    certificate = make.certificate(profile, date(2025, 7, 7), date(2025, 7, 31))
    return {"profile_id": profile.id, "hour_entry_id": entry.id, "certificate_id": certificate.id,
            "number": certificate.number, "application_id": make.application(world.site).id,
            "training_kind_id": make.training_kind(world.site).id,
            "donation_id": make.donation(world.site, world.party).id}


def _children_values(make, world) -> dict:
    """A child of the world's site with consent, an application, guardian, pickup and an import."""
    from app.children.models import ImportBatch, PickupPerson
    from app.core.timeutil import utcnow
    from app.extensions import db
    from datetime import timedelta

    child = make.child(world.site, "张三", allergies="花生")
    make.consent(child)
    enrolment = make.enrolment(child, world.season, status="applied")
    pickup = PickupPerson(child_id=child.id, name="李四", relation="舅舅", phone="13900000000")
    batch = ImportBatch(site_id=world.site.id, payload={"rows": [], "total": 0, "valid": 0},
                        created_at=utcnow(), expires_at=utcnow() + timedelta(hours=1))
    db.session.add_all([pickup, batch])
    db.session.commit()
    return {"child_id": child.id, "guardian_id": child.guardians[0].id, "pickup_id": pickup.id,
            "enrolment_id": enrolment.id, "import_batch_id": batch.id}


@pytest.mark.parametrize("endpoint,rule,method", _endpoints())
def test_route_by_role(app, db, make, login, world, endpoint, rule, method):
    target = make.user("volunteer", world.site, username="target")
    week = ThemeWeek(season_id=world.season.id, title="安全周", starts_on=world.season.start_date,
                     ends_on=world.season.start_date)
    db.session.add(week)
    db.session.commit()
    values = {"site_id": world.site.id, "season_id": world.season.id, "room_id": world.room.id,
              "party_id": world.party.id, "theme_week_id": week.id, "user_id": target.id,
              "grant_id": target.grants[0].id, "token": "not-a-token"}
    values.update(_volunteer_values(make, world))
    values.update(_children_values(make, world))
    url = rule
    for name, value in values.items():
        url = url.replace(f"<int:{name}>", str(value)).replace(f"<{name}>", str(value))
    assert "<" not in url, f"test does not know how to fill {url}"
    need = app.view_functions[endpoint].access_need

    for role in ROLES_IN_ORDER:
        client = app.test_client()
        if role != "anonymous":
            login(client, world.users[role])
        data = {"csrf_token": client.csrf_token()} if method == "POST" else None
        response = client.open(url, method=method, data=data)
        status = response.status_code
        assert status < 500, f"{role} {method} {url} -> {status}"
        if role in ALLOWED[need]:
            assert status not in (401, 403), f"{role} should reach {method} {url}, got {status}"
            if need != "public":
                assert "/auth/login?next=" not in (response.location or ""), f"{role} sent to sign in for {url}"
        elif role == "anonymous":
            assert status == 302 and "/auth/login" in response.location, f"anonymous {url} -> {status}"
        else:
            assert status == 403, f"{role} should be refused {method} {url}, got {status}"


def test_object_of_another_site_is_refused(app, make, login, world):
    """A coordinator of another site gets 403 on this site's objects, through every loader."""
    client = app.test_client()
    login(client, world.users["other_coordinator"])
    for url in (f"/sites/{world.site.id}/overview", f"/sites/{world.site.id}/seasons",
                f"/seasons/{world.season.id}/edit", f"/rooms/{world.room.id}/edit",
                f"/parties/{world.party.id}/edit"):
        assert client.get(url).status_code == 403, url
    assert client.get("/seasons/999999/edit").status_code == 404
