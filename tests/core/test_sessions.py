"""The session cookie is verified once per process (app/core/sessions.py); a kept cookie still ends
when the session's lifetime is over, a changed cookie is refused, and flashed messages show once."""
from __future__ import annotations

import time
from datetime import timedelta


def _session_cookie(client) -> str:
    return client.get_cookie("session").value


def test_a_kept_cookie_still_expires_with_the_sessions_lifetime(app, client, login, world, monkeypatch):
    app.permanent_session_lifetime = timedelta(hours=1)
    login(client, world.users["coordinator"])
    assert client.get("/home").status_code == 200
    assert client.get("/home").status_code == 200  # the second view finds the cookie kept

    later = time.time() + 3601  # one second past the lifetime (itsdangerous reads the same clock)
    monkeypatch.setattr(time, "time", lambda: later)
    response = client.get("/home")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_a_changed_cookie_is_refused_after_the_real_one_was_kept(app, client, login, world):
    login(client, world.users["coordinator"])
    assert client.get("/home").status_code == 200
    real = _session_cookie(client)
    # a character inside the signature: the last one of base64 carries padding bits, which a
    # decoder ignores, so changing it may leave the signature as it was
    i = len(real) - 10
    client.set_cookie("session", real[:i] + ("A" if real[i] != "A" else "B") + real[i + 1:])
    assert client.get("/home").status_code == 302  # a cookie that was never verified is checked
    client.set_cookie("session", real)
    assert client.get("/home").status_code == 200


def test_a_new_secret_key_ends_sessions_kept_under_the_old_one(app, client, login, world):
    login(client, world.users["coordinator"])
    assert client.get("/home").status_code == 200
    app.secret_key = "another-secret-key-for-this-test"
    assert client.get("/home").status_code == 302


def test_flashed_messages_show_once_when_the_cookie_is_kept(app, client, login, world):
    login(client, world.users["coordinator"])
    client.get("/home")
    response = client.post("/auth/language", data={"locale": "en", "next": "/home"})
    assert response.status_code == 303
    client.post("/auth/logout", data={})  # flashes "You have signed out." into the session
    first = client.get("/auth/login").get_data(as_text=True)
    assert "You have signed out." in first
    assert "You have signed out." not in client.get("/auth/login").get_data(as_text=True)


def test_a_session_holding_a_list_is_never_shared_between_requests(app):
    """Flask changes flashed messages in place: a second request with the same cookie (a double tap)
    must not see what the first one added."""
    interface = app.session_interface
    cookie = interface.get_signing_serializer(app).dumps({"_flashes": [["info", "一"]], "_user_id": "1"})
    headers = {"Cookie": f"session={cookie}"}
    with app.test_request_context("/", headers=headers) as ctx:
        first = interface.open_session(app, ctx.request)
        first["_flashes"].append(["info", "二"])
    with app.test_request_context("/", headers=headers) as ctx:
        again = interface.open_session(app, ctx.request)
    assert again["_flashes"] == [["info", "一"]] and again["_user_id"] == "1"
