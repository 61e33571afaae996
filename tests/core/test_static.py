"""Static files: versioned URLs from the page, a year-long immutable cache for them, gzip."""
from __future__ import annotations

import gzip
import os
import re
from pathlib import Path

import pytest

STATIC = Path(__file__).resolve().parents[2] / "app" / "static"
YEAR = "public, max-age=31536000, immutable"


def _linked(client) -> dict[str, str]:
    """filename -> URL as the page links it."""
    html = client.get("/auth/login").get_data(as_text=True)
    return {path: url for url, path in
            ((m.group(0).strip('"'), m.group(1)) for m in re.finditer(r'"/static/([^"?]+)(?:\?[^"]*)?"', html))}


def test_every_file_the_page_links_carries_its_version_and_may_be_cached_for_a_year(client):
    linked = _linked(client)
    assert {"css/app.css", "vendor/htmx.min.js", "js/app.js", "img/icon.svg"} <= set(linked)
    for filename, url in linked.items():
        assert re.search(r"\?v=[0-9a-f]{12}$", url), url
        with client.get(url) as response:
            assert response.status_code == 200
            assert response.headers["Cache-Control"] == YEAR
            assert response.data == (STATIC / filename).read_bytes()


def test_a_changed_file_gets_a_new_url(app, client, tmp_path):
    from app.core.static import Versions

    (tmp_path / "a.css").write_text("body { color: red }")
    versions = Versions(tmp_path, watch=True)
    first = versions("a.css")
    (tmp_path / "a.css").write_text("body { color: blue }")
    os.utime(tmp_path / "a.css", (1, 1))  # a different mtime, as an edit would leave
    assert versions("a.css") != first
    assert versions("missing.css") is None


def test_unversioned_or_outdated_urls_are_not_cached_for_long(client):
    for url in ("/static/css/app.css", "/static/css/app.css?v=000000000000"):
        with client.get(url) as response:
            assert response.status_code == 200
            assert "immutable" not in response.headers["Cache-Control"]
            assert response.headers["Cache-Control"] == "max-age=60, public"


@pytest.mark.parametrize("filename", ["vendor/htmx.min.js", "css/app.css"])
def test_gzip_for_clients_that_accept_it(client, filename):
    url = _linked(client)[filename]
    original = (STATIC / filename).read_bytes()
    with client.get(url, headers={"Accept-Encoding": "gzip, deflate, br"}) as response:
        assert response.headers.get("Content-Encoding") == "gzip"
        assert "Accept-Encoding" in response.headers["Vary"]
        assert response.headers["Cache-Control"] == YEAR
        assert gzip.decompress(response.data) == original
        assert len(response.data) < len(original) / 2
    with client.get(url) as plain:
        assert "Content-Encoding" not in plain.headers and plain.data == original


def test_static_files_are_answered_before_flask(app, client, count_queries):
    """No session, no database, no security headers of the page: WhiteNoise answers."""
    url = _linked(client)["css/app.css"]
    with count_queries() as queries, client.get(url) as response:
        assert response.status_code == 200
        assert "Set-Cookie" not in response.headers
        assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert queries.count == 0
    assert client.get("/static/no-such-file.css").status_code == 404


def test_behind_a_trusted_proxy_the_client_address_comes_from_it(database_uri):
    from flask import request

    from app import create_app
    from app.config import TestConfig

    for proxies, expected in ((0, "10.0.0.1"), (1, "203.0.113.7")):
        app = create_app(TestConfig(database_uri, TRUSTED_PROXIES=proxies))
        app.add_url_rule("/test/addr", "addr", lambda: f"{request.remote_addr} {request.scheme}")
        response = app.test_client().get("/test/addr", environ_base={"REMOTE_ADDR": "10.0.0.1"}, headers={
            "X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https"})
        assert response.get_data(as_text=True) == f"{expected} {'https' if proxies else 'http'}"
