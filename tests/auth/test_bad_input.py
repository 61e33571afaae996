"""Pasted junk in the sign-in, password and invitation forms and the language switch: 422 with a
message (or ignored), nothing written. Run on SQLite and PostgreSQL."""
from __future__ import annotations

import pytest

from app.auth.models import Invitation, User
from app.auth.services import create_invitation

LOGIN_CASES = [
    ({"login": "\x00\x00"}, "This field is required."),
    ({"login": "l" * 65}, "At most 64 characters."),
    ({"password": "\x00"}, "This field is required."),
    ({"password": "p" * 129}, "At most 128 characters."),
    ({"login": "wanghr\x00' OR 1=1 --"}, "Wrong phone number, user name or password."),
]


@pytest.mark.parametrize("changes,message", LOGIN_CASES, ids=[m + " " + str(sorted(c)) for c, m in LOGIN_CASES])
def test_bad_sign_in_input_is_refused_and_writes_nothing(client, db, make, changes, message):
    user = make.user("volunteer", make.site(), username="wanghr")
    client.post("/auth/language", data={"locale": "en"})
    response = client.post("/auth/login", data={"login": "wanghr", "password": make.PASSWORD, **changes})
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, user.id).last_login_at is None
    assert client.get("/home").status_code == 302


def test_signing_in_notes_the_time(client, db, make):
    user = make.user("volunteer", make.site(), username="wanghr")
    assert client.post("/auth/login", data={"login": " wanghr ", "password": make.PASSWORD}).status_code == 303
    db.session.expire_all()
    assert db.session.get(User, user.id).last_login_at is not None


PASSWORD_CASES = [
    ({"current": "\x00"}, "This field is required."),
    ({"current": "c" * 129}, "At most 128 characters."),
    ({"password": "\x00" * 12, "confirm": "\x00" * 12}, "This field is required."),
    ({"password": "n" * 129, "confirm": "n" * 129}, "Between 8 and 128 characters."),
    ({"current": "wrong-one"}, "The current password is wrong."),
]


@pytest.mark.parametrize("changes,message", PASSWORD_CASES, ids=[m + " " + str(sorted(c)) for c, m in PASSWORD_CASES])
def test_bad_password_change_is_refused_and_writes_nothing(client, db, login, make, changes, message):
    user = make.user("coordinator", make.site(), username="lxm")
    login(client, user)
    client.post("/auth/language", data={"locale": "en"})
    data = {"current": make.PASSWORD, "password": "newsecret1", "confirm": "newsecret1", **changes}
    response = client.post("/auth/password", data=data)
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, user.id).check_password(make.PASSWORD)


INVITATION_CASES = [
    ({"password": "\x00" * 10, "confirm": "\x00" * 10}, "This field is required."),
    ({"password": "n" * 129, "confirm": "n" * 129}, "Between 8 and 128 characters."),
    ({"confirm": "different1"}, "The two passwords differ."),
]


@pytest.mark.parametrize("changes,message", INVITATION_CASES,
                         ids=[m + " " + str(sorted(c)) for c, m in INVITATION_CASES])
def test_bad_invitation_input_is_refused_and_writes_nothing(client, db, make, changes, message):
    user = make.user("guardian", make.site(), password=None)
    token = create_invitation(user, None, 72)
    db.session.commit()
    client.post("/auth/language", data={"locale": "en"})
    data = {"password": "mychild2025", "confirm": "mychild2025", **changes}
    response = client.post(f"/auth/invite/{token}", data=data)
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, user.id).password_hash is None
    assert db.session.query(Invitation).one().used_at is None


@pytest.mark.parametrize("locale", ["\x00", "zh\x00", "x" * 5000, "de"])
def test_an_unknown_language_is_ignored(client, db, login, make, locale):
    user = make.user("volunteer", make.site(), username="wanghr")
    login(client, user)
    response = client.post("/auth/language", data={"locale": locale})
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(User, user.id).locale is None


def test_the_language_is_kept_on_the_account(client, db, login, make):
    user = make.user("volunteer", make.site(), username="wanghr")
    login(client, user)
    assert client.post("/auth/language", data={"locale": "en"}).status_code == 303
    db.session.expire_all()
    assert db.session.get(User, user.id).locale == "en"


def test_one_invitation_link_sent_from_two_tabs_at_once_is_used_once(live_server, db, make):
    """Real concurrent requests: one tab sets the password, the other is refused (under the lock when
    both passed the first check)."""
    from app.core.timeutil import utcnow
    from tests.http import HttpClient, race

    user = make.user("guardian", make.site(), password=None)
    token = create_invitation(user, None, 72)
    db.session.commit()
    url = f"/auth/invite/{token}"
    tabs = [HttpClient(live_server), HttpClient(live_server)]
    for tab in tabs:
        tab.page_tokens(url)
    results = race([lambda tab=tab, pw=pw: tab.post(url, {"password": pw, "confirm": pw})
                    for tab, pw in zip(tabs, ("firstpass1", "secondpass2"))])
    statuses = sorted(r.status for r in results)
    # the loser is refused under the lock (422 on the form) or, if the winner committed first, at the door (410)
    assert statuses in ([303, 410], [303, 422]), [getattr(r, "status", r) for r in results]
    loser = next(r for r in results if r.status != 303)
    assert "已被使用" in loser.text
    db.session.expire_all()
    invitation = db.session.query(Invitation).one()
    assert invitation.used_at is not None and invitation.used_at <= utcnow()
    winner = ("firstpass1", "secondpass2")[[r.status for r in results].index(303)]
    assert db.session.get(User, user.id).check_password(winner)
