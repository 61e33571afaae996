"""The signed-in user of every request: read from the database each time (a change to the account or
its grants shows on the next request), kept per process as a read-only picture of what was read."""
from __future__ import annotations

import pytest

from app.auth.identity import SignedInUser
from app.auth.models import RoleGrant, User
from app.auth.queries import user_for_session


def test_a_change_to_the_account_or_its_grants_shows_on_the_next_request(client, db, login, world):
    coordinator = world.users["coordinator"]
    login(client, coordinator)
    site_page = f"/sites/{world.site.id}"
    assert client.get(site_page).status_code == 200
    assert coordinator.display_name in client.get("/home").get_data(as_text=True)

    db.session.get(User, coordinator.id).display_name = "改名的协调员"
    db.session.commit()
    assert "改名的协调员" in client.get("/home").get_data(as_text=True)

    grant = db.session.query(RoleGrant).filter_by(user_id=coordinator.id, site_id=world.site.id).one()
    db.session.delete(grant)
    db.session.commit()
    assert client.get(site_page).status_code in (403, 404)  # the grant is gone on the very next request

    db.session.add(RoleGrant(user_id=coordinator.id, role="coordinator", site_id=world.site.id))
    db.session.commit()
    assert client.get(site_page).status_code == 200

    db.session.get(User, coordinator.id).active = False
    db.session.commit()
    assert client.get("/home").status_code == 302  # a disabled account is signed out at once


def test_the_same_row_gives_the_same_kept_picture_and_a_changed_one_a_new_one(app, db, world):
    volunteer = world.users["volunteer"]
    first, _ = user_for_session(volunteer.id)
    again, _ = user_for_session(volunteer.id)
    assert isinstance(first, SignedInUser) and again is first
    assert first.roles_on(world.site.id) == {"volunteer"} and not first.is_admin

    db.session.add(RoleGrant(user_id=volunteer.id, role="auditor", site_id=world.other_site.id))
    db.session.commit()
    changed, _ = user_for_session(volunteer.id)
    assert changed is not first
    assert changed.roles_on(world.other_site.id) == {"auditor"} and first.roles_on(world.other_site.id) == set()
    assert user_for_session(999_999) == (None, None)


def test_the_kept_picture_cannot_be_changed_and_answers_the_rest_from_the_account(app, db, world):
    user, _ = user_for_session(world.users["coordinator"].id)
    with pytest.raises(AttributeError):
        user.display_name = "别人"
    with pytest.raises(AttributeError):
        user.session_version = 99
    assert user.display_name == world.users["coordinator"].display_name
    account = user.account()
    assert isinstance(account, User) and account.id == user.id
    assert user.created_at == account.created_at  # not carried by the picture: read from the account
    assert account.account() is account
