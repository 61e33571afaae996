"""Sign-in and sessions as an attacker would try them: wrong passwords are counted per account (in
the database, so every worker counts together) and per address, a locked account says how to get
back in, other people are not locked out with it, and a session ends everywhere on sign-out and on
a password change. Pages of a signed-in person are never cached."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app import create_app
from app.auth.models import User
from app.config import TestConfig
from app.core.timeutil import utcnow
from tests.http import HttpClient, race


def _try(client, login: str, password: str = "wrong-password", **headers):
    return client.post("/auth/login", data={"login": login, "password": password}, headers=headers)


def test_ten_wrong_passwords_lock_the_account_and_say_how_to_get_back_in(app, client, db, make):
    user = make.user("volunteer", make.site(), username="target")
    statuses = [_try(client, "target").status_code for _ in range(9)]
    assert statuses == [422] * 9
    tenth = _try(client, "target")
    assert tenth.status_code == 422 and "账号已被锁定" in tenth.get_data(as_text=True)
    assert "邀请链接" in tenth.get_data(as_text=True)  # the way back in
    # locked: even the right password is refused for now
    right = _try(client, "target", make.PASSWORD)
    assert right.status_code == 422 and "账号已被锁定" in right.get_data(as_text=True)
    # another person at the same address is not locked out
    make.user("coordinator", make.site(), username="colleague")
    assert _try(app.test_client(), "colleague", make.PASSWORD).status_code == 303
    # after the lock, the right password works and the count starts again
    db.session.get(User, user.id).locked_until = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert _try(client, "target", make.PASSWORD).status_code == 303
    assert db.session.get(User, user.id).failed_logins == 0


def test_every_worker_counts_the_same_wrong_passwords(app, database_uri, db, make):
    make.user("volunteer", make.site(), username="target")
    workers = [create_app(TestConfig(database_uri)) for _ in range(2)]  # separate in-memory limiters
    clients = []
    for worker in workers:
        worker.test_client_class = app.test_client_class
        clients.append(worker.test_client())
    statuses = [_try(clients[i % 2], "target").status_code for i in range(10)]
    assert statuses == [422] * 10
    assert "账号已被锁定" in _try(clients[0], "target", "x" * 8).get_data(as_text=True)
    for worker in workers:
        with worker.app_context():
            from app.extensions import db as worker_db
            worker_db.engine.dispose()


def test_wrong_passwords_sent_at_once_are_all_counted(live_server, db, make):
    make.user("volunteer", make.site(), username="target")
    clients = [HttpClient(live_server) for _ in range(12)]
    for c in clients:
        c.page_tokens("/auth/login")
    results = race([lambda c=c: c.post("/auth/login", {"login": "target", "password": "wrong-password"})
                    for c in clients])
    assert all(r.status == 422 for r in results), [getattr(r, "status", r) for r in results]
    db.session.expire_all()
    user = db.session.scalar(select(User).where(User.username == "target"))
    assert user.locked_until is not None and user.locked_until > utcnow()


def test_many_wrong_passwords_from_one_address_are_limited(app, client, make):
    app.config["LOGIN_RATE_LIMIT"] = "5 per minute"
    for i in range(5):
        make.user("volunteer", make.site(), username=f"user{i}")
        assert _try(client, f"user{i}").status_code == 422
    limited = _try(client, "user0")
    assert limited.status_code == 429 and "尝试次数过多" in limited.get_data(as_text=True)


def test_opening_the_sign_in_page_is_never_limited_signing_in_is(app, client, make):
    """The limit counts attempts to sign in (POST), not views of the page: a phone that reloads the
    page many times can still sign in, and once the attempts are used up the page still opens."""
    app.config["LOGIN_RATE_LIMIT"] = "3 per minute"
    make.user("volunteer", make.site(), username="reloader")
    for _ in range(8):
        assert client.get("/auth/login").status_code == 200
    for _ in range(3):
        assert _try(client, "reloader").status_code == 422
    assert _try(client, "reloader").status_code == 429
    assert client.get("/auth/login").status_code == 200


def test_a_forwarded_address_is_trusted_only_from_the_configured_proxy(database_uri, make):
    make.user("volunteer", make.site(), username="alice")
    make.user("volunteer", make.site(), username="bob")
    for proxies, bob_status in ((0, 429), (1, 303)):
        app = create_app(TestConfig(database_uri, TRUSTED_PROXIES=proxies, LOGIN_RATE_LIMIT="3 per minute"))
        from tests.conftest import CsrfClient

        app.test_client_class = CsrfClient
        with app.app_context():
            attacker, bob = app.test_client(), app.test_client()
            for _ in range(3):
                _try(attacker, "alice", **{"X-Forwarded-For": "203.0.113.7"})
            # without a trusted proxy both are "127.0.0.1" and share the limit; behind one they are two people
            assert _try(bob, "bob", make.PASSWORD, **{"X-Forwarded-For": "198.51.100.2"}).status_code == bob_status
            from app.extensions import db as app_db
            app_db.session.remove()
            app_db.engine.dispose()


def _cookie(client) -> str:
    return client.get_cookie("session").value


def test_a_copied_session_ends_at_sign_out(app, client, make, login):
    user = make.user("coordinator", make.site(), username="lxm")
    login(client, user)
    stolen = app.test_client()
    stolen.set_cookie("session", _cookie(client))
    assert stolen.get("/home").status_code == 200
    assert client.post("/auth/logout", data={}).status_code == 303
    assert stolen.get("/home").status_code == 302  # back to the sign-in page


def test_a_password_change_ends_every_other_session(app, client, make, login):
    user = make.user("coordinator", make.site(), username="lxm")
    login(client, user)
    other_device = app.test_client()
    login(other_device, user)
    response = client.post("/auth/password", data={"current": make.PASSWORD, "password": "newsecret1",
                                                   "confirm": "newsecret1"})
    assert response.status_code == 303
    assert client.get("/home").status_code == 200           # this session continues
    assert other_device.get("/home").status_code == 302     # the other one has ended


def test_signed_in_pages_and_exports_are_not_stored(client, make, login, world):
    login(client, world.users["coordinator"])
    child = make.child(world.site, "张三")
    for url in (f"/children/{child.id}", f"/seasons/{world.season.id}/children.xlsx",
                f"/children/{child.id}/export.json", "/home"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.headers["Cache-Control"] == "no-store", url
    assert "no-store" not in client.application.test_client().get("/auth/login").headers.get("Cache-Control", "")


def test_the_account_holder_is_told_when_someone_made_a_reset_link(app, client, db, make, login):
    site = make.site()
    admin = make.user("admin", username="boss", display_name="区管理员")
    holder = make.user("volunteer", site, username="holder")
    login(client, holder)  # signed in before: the link below comes after
    client.post("/auth/logout", data={})
    boss = app.test_client()
    login(boss, admin)
    assert boss.post(f"/admin/users/{holder.id}/invitation", data={}).status_code in (200, 303)
    response = client.post("/auth/login", data={"login": "holder", "password": make.PASSWORD},
                           follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "区管理员" in page and "设置新密码的链接" in page
    client.post("/auth/logout", data={})
    again = client.post("/auth/login", data={"login": "holder", "password": make.PASSWORD}, follow_redirects=True)
    assert "设置新密码的链接" not in again.get_data(as_text=True)  # told once
