"""Signing in and out, passwords, invitations, rate limits, redirects."""
from __future__ import annotations

from datetime import timedelta

from app.auth.models import Invitation, User
from app.auth.services import create_invitation
from app.core.timeutil import utcnow


def test_sign_in_with_user_name_or_phone_and_sign_out(client, make):
    user = make.user("volunteer", make.site(), username="wanghr", phone="13900001111")
    for login in ("wanghr", "WangHR", "139 0000 1111"):
        response = client.post("/auth/login", data={"login": login, "password": make.PASSWORD})
        assert response.status_code == 303 and response.location.endswith("/home")
        assert user.display_name in client.get("/home").get_data(as_text=True)
        client.post("/auth/logout", data={})
        assert client.get("/home").status_code == 302


def test_wrong_password_is_refused_with_a_message(client, make):
    make.user("volunteer", make.site(), username="li")
    response = client.post("/auth/login", data={"login": "li", "password": "wrong"})
    assert response.status_code == 422
    assert "手机号、用户名或密码不正确" in response.get_data(as_text=True)
    assert client.get("/home").status_code == 302


def test_empty_login_form_says_what_is_missing(client):
    response = client.post("/auth/login", data={"login": "", "password": ""})
    assert response.status_code == 422
    assert response.get_data(as_text=True).count("此项为必填项") == 2


def test_disabled_account_cannot_sign_in(client, make):
    make.user("volunteer", make.site(), username="gone", active=False)
    assert client.post("/auth/login", data={"login": "gone", "password": make.PASSWORD}).status_code == 422


def test_redirect_after_login_only_to_local_paths(client, make):
    make.user("admin", username="boss")
    for evil in ("https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:alert(1)"):
        response = client.post("/auth/login", data={"login": "boss", "password": make.PASSWORD, "next": evil})
        assert response.location.endswith("/home"), evil
        client.post("/auth/logout", data={})
    response = client.post("/auth/login", data={"login": "boss", "password": make.PASSWORD, "next": "/admin/users"})
    assert response.location.endswith("/admin/users")


def test_anonymous_is_sent_to_login_and_back(client, make):
    make.user("admin", username="boss")
    response = client.get("/admin/users")
    assert response.status_code == 302 and "/auth/login?next=/admin/users" in response.location
    htmx = client.get("/admin/users", headers={"HX-Request": "true"})
    assert htmx.status_code == 401 and "/auth/login" in htmx.headers["HX-Redirect"]


def test_change_password(client, make, login):
    user = make.user("coordinator", make.site(), username="lxm")
    login(client, user)
    bad = client.post("/auth/password", data={"current": "nope", "password": "newsecret1", "confirm": "newsecret1"})
    assert bad.status_code == 422 and "当前密码不正确" in bad.get_data(as_text=True)
    short = client.post("/auth/password", data={"current": make.PASSWORD, "password": "short", "confirm": "short"})
    assert short.status_code == 422 and "8 到 128" in short.get_data(as_text=True)
    differ = client.post("/auth/password", data={"current": make.PASSWORD, "password": "newsecret1", "confirm": "newsecret2"})
    assert differ.status_code == 422 and "两次输入的密码不一致" in differ.get_data(as_text=True)
    assert user.check_password(make.PASSWORD)
    ok = client.post("/auth/password", data={"current": make.PASSWORD, "password": "newsecret1", "confirm": "newsecret1"})
    assert ok.status_code == 303
    assert user.check_password("newsecret1")


def _invite(db, user):
    token = create_invitation(user, None, 72)
    db.session.commit()
    return token


def test_invitation_sets_a_password_once(client, db, make):
    user = make.user("guardian", make.site(), username="zhang", password=None)
    token = _invite(db, user)
    page = client.get(f"/auth/invite/{token}")
    assert page.status_code == 200 and user.display_name in page.get_data(as_text=True)
    response = client.post(f"/auth/invite/{token}", data={"password": "mychild2025", "confirm": "mychild2025"})
    assert response.status_code == 303
    assert db.session.get(User, user.id).check_password("mychild2025")
    client.post("/auth/logout", data={})
    reused = client.post(f"/auth/invite/{token}", data={"password": "another2025", "confirm": "another2025"})
    assert reused.status_code == 410 and "已被使用" in reused.get_data(as_text=True)
    assert db.session.get(User, user.id).check_password("mychild2025")


def test_expired_or_unknown_invitation_is_refused(client, db, make):
    user = make.user("guardian", make.site(), password=None)
    token = _invite(db, user)
    invitation = db.session.query(Invitation).one()
    invitation.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    response = client.post(f"/auth/invite/{token}", data={"password": "mychild2025", "confirm": "mychild2025"})
    assert response.status_code == 410 and "已过期" in response.get_data(as_text=True)
    assert db.session.get(User, user.id).password_hash is None
    assert client.get("/auth/invite/made-up-token").status_code == 410


def test_new_invitation_replaces_the_old_one(client, db, make):
    user = make.user("guardian", make.site(), password=None)
    old, new = _invite(db, user), _invite(db, user)
    assert client.get(f"/auth/invite/{old}").status_code == 410
    assert client.get(f"/auth/invite/{new}").status_code == 200


def test_invitation_form_bad_input_writes_nothing(client, db, make):
    user = make.user("guardian", make.site(), password=None)
    token = _invite(db, user)
    response = client.post(f"/auth/invite/{token}", data={"password": "short", "confirm": "short"})
    assert response.status_code == 422
    assert db.session.get(User, user.id).password_hash is None
    assert db.session.query(Invitation).one().used_at is None


def test_session_cookie_is_httponly_and_samesite(client, make):
    make.user("admin", username="boss")
    response = client.post("/auth/login", data={"login": "boss", "password": make.PASSWORD})
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_passwords_are_hashed(make):
    user = make.user("admin")
    assert make.PASSWORD not in user.password_hash and user.password_hash.startswith(("pbkdf2", "scrypt"))


def test_login_limits_hold_across_app_servers_through_redis(database_uri, make, app):
    """Several gunicorn workers or machines share one Redis: failures on one count on the other."""
    import uuid

    from app import create_app
    from app.config import TestConfig

    make.user("volunteer", make.site(), username="target")
    settings = dict(RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379/0", RATELIMIT_KEY_PREFIX=uuid.uuid4().hex,
                    LOGIN_RATE_LIMIT="4 per minute")
    servers = [create_app(TestConfig(database_uri, **settings)) for _ in range(2)]
    statuses = []
    for i in range(5):
        server = servers[i % 2]
        server.test_client_class = type(app.test_client())
        statuses.append(server.test_client().post("/auth/login", data={"login": "target", "password": "x"}).status_code)
    for server in servers:
        with server.app_context():
            server.extensions["sqlalchemy"].engine.dispose()
    assert statuses == [422, 422, 422, 422, 429]
    import redis

    keys = redis.Redis(host="127.0.0.1", port=6379).keys(f"*{settings['RATELIMIT_KEY_PREFIX']}*")
    assert keys, "the counters must live in Redis, not in a worker's memory"
