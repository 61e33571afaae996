"""The fixed cost cuts keep behaviour: row URLs, rate limits, engine options."""
import re

from flask import url_for

from app.config import engine_options
from app.core.urls import url_maker


def test_url_maker_builds_what_url_for_builds(app):
    with app.test_request_context("/", base_url="http://x/prefix"):
        for endpoint, param in (("children.child_detail", "child_id"), ("volunteers.home", "profile_id"),
                                ("volunteers.correct", "hour_entry_id")):
            make = url_maker(endpoint, param)
            for value in (1, 42, 2147483647, "7"):
                assert make(value) == url_for(endpoint, **{param: value})
        make = url_maker("children.enrolment_withdraw", "enrolment_id")
        assert make(5) == url_for("children.enrolment_withdraw", enrolment_id=5)


def test_only_limited_endpoints_run_the_rate_limiter(app, client, login, world):
    login(client, world.users["admin"])
    assert "X-RateLimit-Limit" not in client.get("/home").headers
    limited = client.post("/auth/login", data={"login": "nobody", "password": "wrong-password"})
    assert "X-RateLimit-Limit" in limited.headers


def test_pre_ping_only_for_a_database_server():
    base = {"pool_pre_ping": True, "pool_recycle": 1800, "hide_parameters": True}
    assert engine_options("sqlite:///x.db", base) == {"hide_parameters": True}
    assert engine_options("postgresql+psycopg://h/db", base) == base
    assert engine_options("postgresql+psycopg://h/db", {})["pool_pre_ping"] is True


def test_a_page_that_logs_a_read_loads_the_user_once(client, login, make, world, count_queries):
    """The child record notes the read in the audit trail after the page is built; the response
    still says no-store for a signed-in person, and the user is read once (not again after the
    audit write's rollback); the record shows its enrolment's season and its consent."""
    child = make.child(world.site, "王小明")
    make.enrolment(child, world.season)
    make.consent(child)
    login(client, world.users["coordinator"])
    url = f"/children/{child.id}"  # outside the count: the test's own objects may reload
    with count_queries() as counter:
        response = client.get(url)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    html = response.get_data(as_text=True)
    assert "王小明" in html and world.season.name in html and "家长（母亲）" in html
    users = [s for s in counter.statements if re.search(r"\bFROM users\b", s)]
    assert len(users) == 1, users
