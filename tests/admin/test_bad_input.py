"""Pasted junk in the account forms (NUL bytes, too long, out of range): 422 with a message,
nothing written; a double-sent creating form saves once. Run on SQLite and PostgreSQL."""
from __future__ import annotations

import pytest

from app.auth.models import Invitation, RoleGrant, User

HX = {"HX-Request": "true"}
HUGE = "9" * 30


@pytest.fixture
def admin(app, login, world):
    client = app.test_client()
    login(client, world.users["admin"])
    client.post("/auth/language", data={"locale": "en"})
    return client


USER_CASES = [
    ({"username": "\x00\x00"}, "This field is required."),
    ({"username": "a\x00b"}, "Use letters, digits, dot, dash or underscore."),
    ({"username": "u" * 65}, "Between 3 and 64 characters."),
    ({"display_name": "\x00"}, "This field is required."),
    ({"display_name": "名" * 81}, "At most 80 characters."),
    ({"phone": "1" * 21}, "At most 20 characters."),
    ({"phone": "139\x00\x00"}, "A mobile number has 11 digits"),
    ({"site_id": HUGE}, "Choose a site from the list."),
    ({"site_id": "\x00"}, "Choose the site where this role holds."),
    ({"role": "\x00"}, "Not a valid choice."),
]


@pytest.mark.parametrize("changes,message", USER_CASES, ids=[m + " " + str(sorted(c)) for c, m in USER_CASES])
def test_bad_account_input_is_refused_and_writes_nothing(db, world, admin, changes, message):
    before = db.session.query(User).count()
    data = {"username": "chenmei", "display_name": "陈梅", "phone": "", "role": "volunteer",
            "site_id": str(world.site.id), **changes}
    for headers in ({}, HX):
        response = admin.post("/admin/users", data=data, headers=headers)
        assert response.status_code == 422
        assert message in response.get_data(as_text=True)
    assert db.session.query(User).count() == before


GRANT_CASES = [
    ({"role": "\x00"}, "Not a valid choice."),
    ({"role": "r" * 5000}, "Not a valid choice."),
    ({"site_id": HUGE}, "Choose a site from the list."),
    ({"site_id": "-1"}, "Choose a site from the list."),
]


@pytest.mark.parametrize("changes,message", GRANT_CASES, ids=[m + " " + str(sorted(c)) for c, m in GRANT_CASES])
def test_bad_grant_input_is_refused_and_writes_nothing(db, world, admin, changes, message):
    target = world.users["volunteer"]
    before = db.session.query(RoleGrant).count()
    response = admin.post(f"/admin/users/{target.id}/grants", headers=HX,
                          data={"role": "auditor", "site_id": str(world.other_site.id), **changes})
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert db.session.query(RoleGrant).count() == before


def test_an_invitation_form_without_its_token_makes_no_link(db, world, admin):
    target = world.users["volunteer"]
    response = admin.post(f"/admin/users/{target.id}/invitation", data={"form_token": "\x00"})
    assert response.status_code == 422 and "This form is out of date" in response.get_data(as_text=True)
    assert db.session.query(Invitation).count() == 0


def test_creating_forms_sent_twice_save_once(db, world, admin):
    """A double tap on "create account", "add role" and "new invitation link" saves once; the
    second answer goes where the first went."""
    data = {"username": "chenmei", "display_name": "陈梅", "phone": "", "role": "volunteer",
            "site_id": str(world.site.id), "form_token": "one-rendered-form"}
    first, second = admin.post("/admin/users", data=data), admin.post("/admin/users", data=data)
    assert first.status_code == second.status_code == 303 and first.location == second.location
    assert db.session.query(User).filter_by(username="chenmei").count() == 1
    user = db.session.query(User).filter_by(username="chenmei").one()

    grant = {"role": "auditor", "site_id": str(world.other_site.id), "form_token": "one-grant-form"}
    assert admin.post(f"/admin/users/{user.id}/grants", data=grant).status_code == 303
    assert admin.post(f"/admin/users/{user.id}/grants", data=grant).status_code == 303
    assert db.session.query(RoleGrant).filter_by(user_id=user.id).count() == 2  # volunteer + auditor

    invite = {"form_token": "one-invitation-form"}
    shown = admin.post(f"/admin/users/{user.id}/invitation", data=invite)
    assert shown.status_code == 200 and "/auth/invite/" in shown.get_data(as_text=True)
    again = admin.post(f"/admin/users/{user.id}/invitation", data=invite)
    assert again.status_code == 303
    page = admin.get(again.location)
    assert page.status_code == 200 and "/auth/invite/" not in page.get_data(as_text=True)
    assert db.session.query(Invitation).filter_by(user_id=user.id).count() == 1


def test_a_disabled_account_gets_no_link_and_is_told_why(db, world, admin):
    target = world.users["volunteer"]
    admin.post(f"/admin/users/{target.id}/active", data={})
    response = admin.post(f"/admin/users/{target.id}/invitation", data={}, headers=HX)
    assert response.status_code == 422 and "Enable the account before inviting." in response.get_data(as_text=True)
    assert db.session.query(Invitation).count() == 0
