"""Fixtures: the app on a migrated database (SQLite, or PostgreSQL when DATABASE_URL is set),
isolated per test; a client that carries CSRF tokens; sign-in helpers; a SQL query counter; and
a live server with headless Chromium for browser tests."""
from __future__ import annotations

import os
import re
import secrets
import threading
from contextlib import contextmanager

import pytest
from flask.testing import FlaskClient
from sqlalchemy import create_engine, event, text

from app import create_app
from app.config import TestConfig, database_url
from app.extensions import db as _db
from tests import factories

CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


def _database_uri(tmp_path_factory) -> str:
    if os.environ.get("DATABASE_URL"):
        return database_url("")
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


def _drop_everything(uri: str) -> None:
    engine = create_engine(uri)
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session")
def database_uri(tmp_path_factory):
    """One database for the run, built by the committed migrations (not create_all)."""
    uri = _database_uri(tmp_path_factory)
    _drop_everything(uri)
    app = create_app(TestConfig(uri))
    with app.app_context():
        from flask_migrate import upgrade

        upgrade(revision="heads")
        _db.engine.dispose()
    return uri


def _empty_all_tables() -> None:
    """Empty every table for the next test. The audit trail refuses DELETE and TRUNCATE by trigger:
    the triggers are switched off for this cleanup only (PostgreSQL: replica role; SQLite: dropped
    and created again), and the chain's head row is put back."""
    from app.core.models import AuditChainHead

    tables = [t for t in reversed(_db.metadata.sorted_tables)]
    if _db.engine.dialect.name == "postgresql":
        names = ", ".join(f'"{t.name}"' for t in tables)
        _db.session.execute(text("SET LOCAL session_replication_role = replica"))
        _db.session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        triggers = _db.session.execute(text(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_entries'")).all()
        for name, _ in triggers:
            _db.session.execute(text(f'DROP TRIGGER "{name}"'))
        for table in tables:
            _db.session.execute(table.delete())
        for _, sql in triggers:
            _db.session.execute(text(sql))
    _db.session.execute(AuditChainHead.__table__.insert().values(id=1, seq=0, hash=""))
    _db.session.commit()


class CsrfClient(FlaskClient):
    """A test client that adds the session's CSRF token to form posts, as a browser would."""

    def open(self, *args, **kwargs):
        # Each request gets its own app context (fresh `g`, its own db session), as in production,
        # even though the test itself holds one open; the test's session then sees the changes.
        with self.application.app_context():
            response = super().open(*args, **kwargs)
        _db.session.expire_all()
        return response

    def csrf_token(self) -> str:
        response = self.get("/auth/login", follow_redirects=True)
        match = CSRF_RE.search(response.get_data(as_text=True))
        assert match, "no CSRF token on the page"
        return match.group(1) or match.group(2)

    def post(self, *args, **kwargs):
        """Like a browser posting a form it has just rendered: with the session's CSRF token and a
        fresh form token (a second post of the same form passes ``form_token`` itself)."""
        data = kwargs.get("data")
        if isinstance(data, dict) and "csrf_token" not in data and not kwargs.pop("no_csrf", False):
            kwargs["data"] = data = {**data, "csrf_token": self.csrf_token()}
        else:
            kwargs.pop("no_csrf", None)
        if isinstance(data, dict) and "form_token" not in data:
            kwargs["data"] = {**data, "form_token": secrets.token_urlsafe(16)}
        return super().post(*args, **kwargs)


@pytest.fixture
def app(database_uri):
    app = create_app(TestConfig(database_uri))
    app.test_client_class = CsrfClient
    with app.app_context():
        yield app
        _db.session.rollback()
        _empty_all_tables()
        _db.session.remove()
        _db.engine.dispose()


@pytest.fixture
def db(app):
    return _db


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def make(db):
    """Factories: ``make.site()``, ``make.user('coordinator', site)``, ..."""
    return factories


def sign_in(client, user, password: str = factories.PASSWORD):
    response = client.post("/auth/login", data={"login": user.username, "password": password})
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    return response


@pytest.fixture
def login():
    """``login(client, user)`` signs the client in as ``user``."""
    return sign_in


@pytest.fixture
def world(make):
    """One site with a season, room and party, one account per role there, and a coordinator of
    another site."""
    return make.world()


class QueryCounter:
    def __init__(self):
        self.statements: list[str] = []

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def count_queries(app):
    """``with count_queries() as q: ...; q.count`` is the number of SQL statements run."""

    @contextmanager
    def counting():
        counter = QueryCounter()

        def before(conn, cursor, statement, parameters, context, executemany):
            if not statement.lstrip().upper().startswith(("PRAGMA", "SAVEPOINT", "RELEASE", "BEGIN")):
                counter.statements.append(statement)

        engine = _db.engine
        event.listen(engine, "before_cursor_execute", before)
        try:
            yield counter
        finally:
            event.remove(engine, "before_cursor_execute", before)

    return counting


# --- browser tests -------------------------------------------------------------------------------
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


@pytest.fixture
def live_server(app):
    """The app served over HTTP on a free local port, on the test's database."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    server.daemon_threads, server.block_on_close = False, True  # server_close() waits for requests
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()  # no request still holds a database connection when the engine is disposed
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright. A missing browser is a failure, never a skip."""
    assert os.path.exists(CHROMIUM), (
        f"Chromium not found at {CHROMIUM}: run `sudo apt-get install -y chromium` (make test does this)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"])
        yield browser
        browser.close()


# A refused form answers 422 by design (htmx swaps the form with its messages in place); Chromium
# still logs every 4xx fetch as a console error. Any other status (a missing asset, a 500) counts.
_EXPECTED_STATUS = "the server responded with a status of 422"


def _watch_console(page) -> list[str]:
    """Console errors (CSP violations included: Chromium reports them there) and uncaught page errors."""
    errors: list[str] = []

    def on_console(msg):
        if msg.type == "error" and _EXPECTED_STATUS not in msg.text:
            errors.append(f"console: {msg.text} ({msg.location.get('url', '')})")

    page.on("console", on_console)
    page.on("pageerror", lambda error: errors.append(f"uncaught: {error}"))
    page.console_errors = errors
    return errors


def _no_console_errors(request, errors: list[str]) -> None:
    """Fail the test (at teardown) on any console error, unless the test failed already."""
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.passed:
        assert errors == [], "console errors in the browser:\n" + "\n".join(errors)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


@pytest.fixture
def page(request, browser, live_server):
    context = browser.new_context(base_url=live_server, locale="zh-CN", viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.set_default_timeout(10000)
    errors = _watch_console(page)
    yield page
    context.close()
    _no_console_errors(request, errors)


@pytest.fixture
def phone_page(request, browser, live_server):
    context = browser.new_context(base_url=live_server, locale="zh-CN", viewport={"width": 360, "height": 800},
                                  is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(10000)
    errors = _watch_console(page)
    yield page
    context.close()
    _no_console_errors(request, errors)


def browser_sign_in(page, user, password: str = factories.PASSWORD):
    page.goto("/auth/login")
    page.fill("input[name=login]", user.username)
    page.fill("input[name=password]", password)
    page.click("form button.primary")
    page.wait_for_url("**/home")


@pytest.fixture
def browser_login():
    return browser_sign_in
