"""What every page shares: security headers, CSRF, errors in both languages, htmx conventions."""
from __future__ import annotations

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
