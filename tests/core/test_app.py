"""What every page shares: security headers, CSRF, errors in both languages, htmx conventions."""
from __future__ import annotations

import re

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from app.extensions import db as _db


def test_security_headers_on_every_page(client):
    response = client.get("/auth/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Permissions-Policy"] == "camera=(), microphone=(), geolocation=()"
    assert "Strict-Transport-Security" not in response.headers  # plain HTTP in development
    assert response.headers.get("Cache-Control") != "no-store"  # nobody signed in


def test_a_views_own_header_is_kept_and_a_signed_in_response_is_never_stored(database_uri, login, world):
    from flask import make_response

    from app import create_app
    from app.config import TestConfig
    from tests.conftest import CsrfClient

    app = create_app(TestConfig(database_uri, SESSION_COOKIE_SECURE=True))

    @app.route("/test-own-headers")
    def own_headers():
        response = make_response("x")
        response.headers["X-Frame-Options"] = "SAMEORIGIN"
        response.headers["ETag"] = '"v1"'
        response.headers["Last-Modified"] = "Wed, 21 Oct 2015 07:28:00 GMT"
        response.headers["Expires"] = "Wed, 21 Oct 2035 07:28:00 GMT"
        return response

    app.test_client_class = CsrfClient
    client = app.test_client()
    try:
        anonymous = client.get("/test-own-headers", base_url="https://localhost")
        login(client, world.users["coordinator"])
        signed_in = client.get("/test-own-headers", base_url="https://localhost")
    finally:
        with app.app_context():
            app.extensions["sqlalchemy"].engine.dispose()  # this app's own pool, before it is dropped
    assert anonymous.headers.getlist("X-Frame-Options") == ["SAMEORIGIN"]  # the view's own, not a second
    assert anonymous.headers["ETag"] == '"v1"' and anonymous.headers["Expires"]
    assert anonymous.headers["Strict-Transport-Security"] == "max-age=31536000"
    assert signed_in.headers["Cache-Control"] == "no-store"
    assert not {"ETag", "Last-Modified", "Expires"} & set(signed_in.headers.keys())
    assert signed_in.headers["Content-Security-Policy"].startswith("default-src 'self'")


def test_pages_have_no_inline_script_and_no_external_assets(client, login, world):
    login(client, world.users["admin"])
    for url in ("/home", "/sites", f"/sites/{world.site.id}/seasons", "/admin/users"):
        html = client.get(url).get_data(as_text=True)
        assert "<script>" not in html and "<script " not in html.replace('<script src="/static/', "")
        assert "http://" not in html.replace("http://localhost", "") and "https://" not in html


def test_htmx_is_served_by_the_app(client):
    with client.get("/static/vendor/htmx.min.js") as response:
        assert response.status_code == 200 and b"htmx" in response.data[:2000]


def test_post_without_csrf_token_is_refused_and_changes_nothing(client, db, login, world):
    from app.sites.models import Room

    login(client, world.users["coordinator"])
    before = db.session.query(Room).count()
    response = client.post(f"/sites/{world.site.id}/rooms", data={"name": "偷偷加的房间"}, no_csrf=True)
    assert response.status_code == 400
    assert db.session.query(Room).count() == before


def test_htmx_post_with_csrf_header_is_accepted(client, db, login, world):
    from app.sites.models import Room

    login(client, world.users["coordinator"])
    token = client.csrf_token()
    response = client.post(f"/sites/{world.site.id}/rooms", data={"name": "三楼阅览室", "csrf_token": ""},
                           headers={"HX-Request": "true", "X-CSRFToken": token})
    assert response.status_code == 200
    assert db.session.query(Room).filter_by(name="三楼阅览室").count() == 1


def test_error_pages_in_both_languages(client, login, world):
    response = client.get("/no-such-page")
    assert response.status_code == 404 and "页面不存在" in response.get_data(as_text=True)
    client.post("/auth/language", data={"locale": "en"})
    response = client.get("/no-such-page")
    assert response.status_code == 404 and "This page does not exist" in response.get_data(as_text=True)
    login(client, world.users["volunteer"])
    response = client.get(f"/sites/{world.site.id}/seasons")
    assert response.status_code == 403 and "Not allowed" in response.get_data(as_text=True)


def test_server_error_page_rolls_back(app, client):
    @app.route("/boom")
    def boom():  # a route added only inside this test
        raise RuntimeError("boom")

    boom.access_need = "public"
    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = client.get("/boom")
    assert response.status_code == 500
    assert "出错" in response.get_data(as_text=True)


def test_responses_that_differ_by_htmx_say_so(client, login, world):
    login(client, world.users["coordinator"])
    full = client.get(f"/sites/{world.site.id}/rooms")
    fragment = client.get(f"/sites/{world.site.id}/rooms", headers={"HX-Request": "true"})
    assert "HX-Request" in full.headers["Vary"] and "HX-Request" in fragment.headers["Vary"]
    assert "<html" in full.get_data(as_text=True) and "<html" not in fragment.get_data(as_text=True)


def test_migrations_match_the_models(app):
    """The committed migrations build exactly the schema the models describe."""
    with _db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), _db.metadata)
    assert diff == []


def test_sqlite_runs_with_wal_and_foreign_keys(app):
    if _db.engine.dialect.name != "sqlite":
        return  # PostgreSQL enforces foreign keys itself; nothing to configure
    with _db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000


def test_secret_key_is_generated_once_into_instance(tmp_path, monkeypatch):
    from app.config import Config

    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setattr(Config, "INSTANCE_DIR", tmp_path)
    first, second = Config().SECRET_KEY, Config().SECRET_KEY
    assert first == second and len(first) >= 32
    assert (tmp_path / "secret_key").read_text().strip() == first
    monkeypatch.setenv("SECRET_KEY", "from-the-environment")
    assert Config().SECRET_KEY == "from-the-environment"


# --- what every signed-in page costs (issue 7) ------------------------------------------------------
def _empty_signed_in_page(app):
    """A bare signed-in page (base.html, nothing of its own): what every page pays."""
    from flask import render_template
    from flask_login import login_required

    template = app.jinja_env.from_string('{% extends "base.html" %}{% block content %}{% endblock %}')
    app.add_url_rule("/test/empty", "test_empty", login_required(lambda: render_template(template)))


def test_signed_in_page_loads_the_user_and_roles_in_one_query(app, client, login, world, count_queries):
    _empty_signed_in_page(app)
    login(client, world.users["coordinator"])
    client.get("/test/empty")
    with count_queries() as queries:
        html = client.get("/test/empty").get_data(as_text=True)
    # the user with their roles and the open alerts beside a coordinator's 首页 (the badge), in one
    assert queries.count == 1, queries.statements
    assert "JOIN sites" not in queries.statements[0].replace("\n", " ")
    assert "FROM users" in queries.statements[0] and "daily_alerts" in queries.statements[0]
    # the navigation is the coordinator's (from the roles loaded in that one query), in Chinese
    assert ">儿童</a>" in html and ">志愿者</a>" in html
    assert "/admin/users" not in html


def test_a_removed_role_counts_on_the_next_request(app, client, db, login, world):
    from app.auth.models import RoleGrant

    coordinator = world.users["coordinator"]
    login(client, coordinator)
    assert client.get(f"/sites/{world.site.id}/seasons").status_code == 200
    db.session.query(RoleGrant).filter_by(user_id=coordinator.id).delete()
    db.session.commit()
    assert client.get(f"/sites/{world.site.id}/seasons").status_code == 403


def test_the_page_chrome_carries_one_csrf_token_for_its_forms_and_htmx(client, login, world):
    login(client, world.users["coordinator"])
    html = client.get("/home").get_data(as_text=True)
    header = re.search(r'"X-CSRFToken": "([^"]+)"', html).group(1)
    chrome = html[:html.index('<main id="main"')]
    assert re.findall(r'name="csrf_token" value="([^"]+)"', chrome) == [header, header]
    response = client.post("/auth/logout", data={"csrf_token": header})
    assert response.status_code in (302, 303)


_TOKEN = re.compile(r"[A-Za-z0-9_\-.]{20,}")  # CSRF and form tokens differ between renders


def test_fast_translations_render_exactly_what_flask_babel_renders(app, client, login, world, monkeypatch):
    """Templates call ``_()`` through callables that bind the catalogue once per request; pages come
    out byte for byte as with Flask-Babel's own callables, in both languages."""
    from flask_babel import get_translations
    from jinja2.ext import _gettext_alias, _make_new_gettext, _make_new_ngettext

    def pages() -> list[str]:
        out = []
        for url in ("/auth/login", "/home", f"/sites/{world.site.id}/seasons", "/admin/users", "/no-such-page"):
            out.append(_TOKEN.sub("TOKEN", client.get(url).get_data(as_text=True)))
        return out

    login(client, world.users["admin"])
    fast = {}
    for locale in ("zh_CN", "en"):
        client.post("/auth/language", data={"locale": locale})
        fast[locale] = pages()
    assert "儿童" in fast["zh_CN"][1] and "Children" in fast["en"][1]

    globals_ = app.jinja_env.globals  # Flask-Babel's own: a catalogue lookup per string
    monkeypatch.setitem(globals_, "gettext", _make_new_gettext(lambda s: get_translations().ugettext(s)))
    monkeypatch.setitem(globals_, "ngettext", _make_new_ngettext(
        lambda s, p, n: get_translations().ungettext(s, p, n)))
    monkeypatch.setitem(globals_, "_", _gettext_alias)
    for locale in ("zh_CN", "en"):
        client.post("/auth/language", data={"locale": locale})
        assert pages() == fast[locale]


def test_a_language_forced_inside_a_request_is_used(app):
    from flask import render_template_string
    from flask_babel import force_locale, gettext, refresh

    with app.test_request_context(headers={"Accept-Language": "zh-CN"}):
        assert gettext("Children") == "儿童"
        assert render_template_string("{{ _('Children') }}") == "儿童"
        with force_locale("en"):
            assert gettext("Children") == "Children"
            assert render_template_string("{{ _('Children') }}") == "Children"
        assert gettext("Children") == "儿童"
        from flask import session

        session["locale"] = "en"
        refresh()
        assert render_template_string("{{ ngettext('%(num)d child', '%(num)d children', 2) }}") == "2 children"
        assert gettext("Children") == "Children"
