"""The fixed cost cuts keep behaviour: row URLs, rate limits, engine options."""
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
