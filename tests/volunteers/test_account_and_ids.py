"""Issue 8: a coordinator cannot take over an account that acts elsewhere (the invitation link resets the
whole account), and ID numbers are protected by a separate, versioned key with a short mask."""
from __future__ import annotations

import base64
import hashlib
import hmac
import stat

import pytest

from app.auth.models import Invitation, RoleGrant
from app.config import _id_hash_keys
from app.volunteers.models import VolunteerApplication, VolunteerProfile
from app.volunteers.services import id_number_hash, mask_id
from tests.factories import resident_id

OTHER_ROLES = "这个账号还有其他身份，只有管理员可以为它重设登录方式"


# --- A. resetting how an account signs in --------------------------------------------------------
def _grant(db, user, role, site):
    db.session.add(RoleGrant(user_id=user.id, role=role, site_id=None if role == "admin" else site.id))
    db.session.commit()


@pytest.mark.parametrize("role,where", [("coordinator", "other"), ("auditor", "same"), ("guardian", "same"),
                                        ("admin", None), ("volunteer", "other"), ("coordinator", "same")])
def test_a_coordinator_cannot_reset_an_account_with_other_roles(client, db, login, make, world, role, where):
    volunteer = make.user("volunteer", world.site, display_name="王浩然")
    profile = make.volunteer_profile(volunteer, world.site)
    _grant(db, volunteer, role, {"same": world.site, "other": world.other_site}.get(where))
    login(client, world.users["coordinator"])

    page = client.get(f"/volunteers/{profile.id}").get_data(as_text=True)
    assert OTHER_ROLES in page and f"/volunteers/{profile.id}/invitation" not in page

    response = client.post(f"/volunteers/{profile.id}/invitation", data={})
    assert response.status_code == 303
    assert OTHER_ROLES in client.get(response.location).get_data(as_text=True)
    assert db.session.query(Invitation).filter_by(user_id=volunteer.id).count() == 0


def test_an_administrator_may_reset_such_an_account(client, db, login, make, world):
    volunteer = make.user("volunteer", world.site)
    profile = make.volunteer_profile(volunteer, world.site)
    _grant(db, volunteer, "coordinator", world.other_site)
    login(client, world.users["admin"])
    page = client.get(f"/volunteers/{profile.id}").get_data(as_text=True)
    assert OTHER_ROLES not in page and f"/volunteers/{profile.id}/invitation" in page
    response = client.post(f"/volunteers/{profile.id}/invitation", data={})
    assert response.status_code == 200 and "/auth/invite/" in response.get_data(as_text=True)
    assert db.session.query(Invitation).filter_by(user_id=volunteer.id).count() == 1


def test_a_coordinator_still_resets_a_plain_volunteer_of_the_site(client, db, login, make, world):
    volunteer = make.user("volunteer", world.site)
    profile = make.volunteer_profile(volunteer, world.site)
    login(client, world.users["coordinator"])
    assert OTHER_ROLES not in client.get(f"/volunteers/{profile.id}").get_data(as_text=True)
    response = client.post(f"/volunteers/{profile.id}/invitation", data={})
    assert response.status_code == 200 and "/auth/invite/" in response.get_data(as_text=True)
    assert db.session.query(Invitation).filter_by(user_id=volunteer.id).count() == 1


# --- C. ID numbers -------------------------------------------------------------------------------
ID = resident_id("20030512", seq=417)


def _apply(client, site, number=ID):
    return client.post(f"/join/{site.id}", data={
        "real_name": "张喆", "phone": "13900001234", "id_type": "resident_id", "id_number": number, "agree": "y"})


def _key(text: str) -> str:
    return base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()


def test_the_mask_keeps_only_the_first_and_last_character():
    assert mask_id("resident_id", "33050320030512417X") == "3" + "*" * 16 + "X"
    assert mask_id("passport", "E12345678") == "E*******8"


def test_the_hash_uses_its_own_versioned_key_not_the_secret_key(app):
    first = id_number_hash(ID)
    app.config["SECRET_KEY"] = "a-rotated-secret"
    assert id_number_hash(ID) == first
    version, digest = first.split(":")
    key = base64.b64decode(app.config["ID_HASH_KEYS"].split(":", 1)[1])
    assert version == "1" and digest == hmac.new(key, ID.encode(), hashlib.sha256).hexdigest()


def test_rotating_the_secret_key_keeps_duplicates_found(app, client, db, world):
    assert _apply(client, world.site).status_code == 303
    app.config["SECRET_KEY"] = "a-rotated-secret"
    response = _apply(client, world.site)
    assert response.status_code == 422 and "已有使用该证件号码的报名或志愿者" in response.get_data(as_text=True)
    assert db.session.query(VolunteerApplication).count() == 1


def test_a_new_key_version_still_finds_earlier_volunteers(app, client, db, make, world):
    app.config["ID_HASH_KEYS"] = f"1:{_key('old')}"
    make.volunteer_profile(make.user("volunteer", world.site), world.site, id_number=ID)
    app.config["ID_HASH_KEYS"] = f"2:{_key('new')},1:{_key('old')}"  # rotation: the new key in front

    response = _apply(client, world.site)
    assert response.status_code == 422 and "已有使用该证件号码的报名或志愿者" in response.get_data(as_text=True)
    assert db.session.query(VolunteerApplication).count() == 0

    other = resident_id("20010101", seq=18)
    assert _apply(client, world.site, other).status_code == 303
    assert db.session.query(VolunteerApplication).one().id_number_hash.startswith("2:")


def test_rows_from_before_versioned_keys_are_still_found(app, client, db, make, world):
    """Rows migrated as version "0" (derived from SECRET_KEY) are found while SECRET_KEY is unchanged."""
    secret = app.config["SECRET_KEY"].encode()
    key = hmac.new(secret, b"huhang/volunteer-id-number", hashlib.sha256).digest()
    legacy = "0:" + hmac.new(key, ID.encode(), hashlib.sha256).hexdigest()
    profile = make.volunteer_profile(make.user("volunteer", world.site), world.site)
    profile.id_number_hash = legacy
    db.session.commit()
    assert _apply(client, world.site).status_code == 422
    assert db.session.query(VolunteerApplication).count() == 0


def test_the_instance_key_is_generated_once_and_owner_only(tmp_path, monkeypatch):
    monkeypatch.delenv("ID_HASH_KEYS", raising=False)
    first = _id_hash_keys(tmp_path)
    assert first == _id_hash_keys(tmp_path) and first.startswith("1:")
    assert len(base64.b64decode(first[2:])) == 32
    assert stat.S_IMODE((tmp_path / "id_hash_keys").stat().st_mode) == 0o600
    monkeypatch.setenv("ID_HASH_KEYS", "3:abc=,2:def=")
    assert _id_hash_keys(tmp_path) == "3:abc=,2:def="


def test_editing_a_profile_finds_a_duplicate_under_an_older_key(app, client, db, login, make, world):
    app.config["ID_HASH_KEYS"] = f"1:{_key('old')}"
    make.volunteer_profile(make.user("volunteer", world.site), world.site, id_number=ID)
    other = make.volunteer_profile(make.user("volunteer", world.site), world.site, real_name="李娜")
    app.config["ID_HASH_KEYS"] = f"2:{_key('new')},1:{_key('old')}"
    login(client, world.users["coordinator"])
    response = client.post(f"/volunteers/{other.id}/edit", data={
        "real_name": "李娜", "phone": "13900001111", "id_type": "resident_id", "id_number": ID})
    assert response.status_code == 422
    db.session.expire_all()
    assert db.session.get(VolunteerProfile, other.id).id_number_hash.startswith("1:")


def test_a_malformed_id_key_stops_the_app_at_start_up(database_uri):
    import pytest

    from app import create_app
    from app.config import TestConfig

    for keys in ("1:not base64!!", "nonsense", ""):
        with pytest.raises(RuntimeError, match="ID_HASH_KEYS"):
            create_app(TestConfig(database_uri, ID_HASH_KEYS=keys))
