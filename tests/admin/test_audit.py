"""The audit trail page (administrators only): filters from the query string that never fail,
entries described in the reader's language with names, the child named and linked."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.core import audit
from app.core.models import AuditEntry
from app.core.timeutil import utcnow
from app.extensions import db as _db

audit.register_events({"test.season_changed": _l("Changed the enrolment for %(season)s")})


@pytest.fixture
def admin(app, login, world):
    client = app.test_client()
    login(client, world.users["admin"])
    return client


def rows(html: str) -> list[str]:
    return re.findall(r'<tr data-testid="audit-\d+">(.*?)</tr>', html, re.S)


def text_of(fragment: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", fragment)).strip()


def test_views_are_logged_and_the_administrator_reads_and_filters_them(app, db, login, make, world, admin):
    child = make.child(world.site, "张三")
    other = make.child(world.site, "李四")
    coordinator = app.test_client()
    login(coordinator, world.users["coordinator"])
    coordinator.get(f"/children/{child.id}")
    coordinator.get(f"/children/{child.id}")
    coordinator.get(f"/children/{other.id}")
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "view")).all()
    assert len(entries) == 3 and {e.user_id for e in entries} == {world.users["coordinator"].id}

    html = admin.get("/audit", query_string={"child": child.id, "action": "view",
                                             "user": "coordinator"}).get_data(as_text=True)
    found = rows(html)
    assert len(found) == 2
    for row in found:
        assert "张三" in row and "李四" not in row
        assert f'href="/children/{child.id}"' in row  # the child's record, for the administrator
        assert "查看了儿童档案" in text_of(row) or "Viewed the child's record" in text_of(row)
    assert rows(admin.get("/audit", query_string={"user": "nobody"}).get_data(as_text=True)) == []
    assert rows(admin.get("/audit", query_string={"from": "2000-01-01", "to": "2000-01-02"}).get_data(as_text=True)) == []
    today = (utcnow() + timedelta(hours=8)).date().isoformat()
    assert len(rows(admin.get("/audit", query_string={"from": today, "to": today}).get_data(as_text=True))) == 3
    assert coordinator.get("/audit").status_code == 403


@pytest.mark.parametrize("query", [
    {"to": "9999-12-31"}, {"from": "0001-01-01"}, {"from": "garbage"}, {"child": "1" * 30}, {"child": "-1"},
    {"child": "１２"}, {"page": "1e25"}, {"page": "x"}, {"page": "9" * 30}, {"action": "\x00"}, {"user": "\x00" * 500},
    {"user": "张" * 5000},
])
def test_odd_filters_are_ignored_never_a_500(db, make, world, admin, query):
    make.child(world.site, "张三")
    _db.session.add(AuditEntry(action="view", event="child.viewed", user_id=world.users["admin"].id,
                               site_id=world.site.id, at=utcnow(), summary=""))
    _db.session.commit()
    response = admin.get("/audit", query_string=query)
    assert response.status_code == 200


def test_out_of_range_filters_show_everything_rather_than_fail(db, world, admin):
    _db.session.add(AuditEntry(action="view", event="child.viewed", user_id=world.users["admin"].id,
                               site_id=world.site.id, at=utcnow(), summary=""))
    _db.session.commit()
    assert len(rows(admin.get("/audit?to=9999-12-31").get_data(as_text=True))) == 1
    assert len(rows(admin.get("/audit?child=" + "1" * 30).get_data(as_text=True))) == 1
    assert len(rows(admin.get("/audit?page=1e25").get_data(as_text=True))) == 1


def test_details_are_in_the_readers_language_with_names(db, login, make, world, admin):
    child = make.child(world.site, "王五")
    _db.session.add_all([
        AuditEntry(action="enrol", event="test.season_changed", details={"season": world.season.id},
                   child_id=child.id, site_id=world.site.id, user_id=world.users["coordinator"].id, at=utcnow(),
                   summary=""),
        AuditEntry(action="update", event="", summary="changed: allergies", child_id=child.id,
                   site_id=world.site.id, at=utcnow()),
    ])
    _db.session.commit()
    admin.post("/auth/language", data={"locale": "en"})
    html = admin.get("/audit").get_data(as_text=True)
    details = [text_of(row.split('data-label="Details">', 1)[1]) for row in rows(html)]
    assert any(f"Changed the enrolment for {world.season.name}" in d for d in details), details
    assert not any(f"#{world.season.id}" in d for d in details)
    assert any("Changed: Allergies" in d for d in details)  # entries written before events, read as events


@pytest.mark.parametrize("summary, chinese", [
    ("record", "查看了儿童档案"),
    ("created by import 7", "通过导入名单登记了儿童"),
    ("waitlisted in season {season}", "列入候补：{name}"),
    ("applied to season {season}", "报名：{name}"),
    ("withdrawn from season {season}", "退出：{name}"),
    ("changed: allergies, school", "修改了：过敏、学校"),
    ("consent to notice v1 recorded", "v1"),
])
def test_entries_written_before_events_read_in_chinese_with_names(db, make, world, admin, summary, chinese):
    child = make.child(world.site, "赵六")
    _db.session.add(AuditEntry(action="enrol", event="", summary=summary.format(season=world.season.id),
                               child_id=child.id, site_id=world.site.id, at=utcnow()))
    _db.session.commit()
    html = admin.get("/audit").get_data(as_text=True)
    (row,) = rows(html)
    detail = text_of(row.split('data-label="详情">', 1)[1])
    assert chinese.format(name=world.season.name) in detail, detail
    assert not re.search(r"[a-z]{3,}", detail), detail  # no English word left
    assert "赵六" in text_of(row) and f"#{child.id}" not in text_of(row)


def test_the_trail_is_in_the_administrators_navigation_only(app, login, world):
    for role, shown in (("admin", True), ("coordinator", False), ("auditor", False)):
        client = app.test_client()
        login(client, world.users[role])
        nav = re.search(r'<nav class="nav"[^>]*>(.*?)</nav>', client.get("/home").get_data(as_text=True), re.S).group(1)
        assert ('href="/audit"' in nav) is shown, role
