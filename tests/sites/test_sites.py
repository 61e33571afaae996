"""Sites, seasons, theme weeks, rooms and parties: inline tables that add, edit and archive."""
from __future__ import annotations

from datetime import date

import pytest

from app.sites.models import Party, Room, Season, Site, ThemeWeek

HX = {"HX-Request": "true"}


def test_coordinator_adds_a_season_with_a_plain_form(client, db, login, world):
    login(client, world.users["coordinator"])
    response = client.post(f"/sites/{world.site.id}/seasons", data={
        "name": "2026年暑期", "theme": "青春护航", "start_date": "2026-07-06", "end_date": "2026-08-28",
        "capacity": "100"})
    assert response.status_code == 303
    season = db.session.query(Season).filter_by(name="2026年暑期").one()
    assert (season.start_date, season.end_date, season.capacity) == (date(2026, 7, 6), date(2026, 8, 28), 100)
    assert "2026年暑期" in client.get(f"/sites/{world.site.id}/seasons").get_data(as_text=True)


def test_htmx_add_returns_the_section_with_the_new_row(client, db, login, world):
    login(client, world.users["coordinator"])
    response = client.post(f"/sites/{world.site.id}/seasons", headers=HX, data={
        "name": "2026年暑期", "start_date": "2026-07-06", "end_date": "2026-08-28", "capacity": "100"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in html
    assert 'id="seasons-section"' in html and "2026年暑期" in html and "已保存" in html
    assert response.headers["HX-Trigger"] == "season-changed"


@pytest.mark.parametrize("data,message", [
    ({"name": "", "start_date": "2026-07-06", "end_date": "2026-08-28", "capacity": "10"}, "此项为必填项"),
    ({"name": "坏日期", "start_date": "2026-13-45", "end_date": "2026-08-28", "capacity": "10"}, "YYYY-MM-DD"),
    ({"name": "倒序", "start_date": "2026-08-28", "end_date": "2026-07-06", "capacity": "10"}, "结束日期不能早于开始日期"),
    ({"name": "零名额", "start_date": "2026-07-06", "end_date": "2026-08-28", "capacity": "0"}, "1 到 10000"),
    ({"name": "文字名额", "start_date": "2026-07-06", "end_date": "2026-08-28", "capacity": "很多"}, "请填写整数"),
    ({"name": "2025年暑期", "start_date": "2026-07-06", "end_date": "2026-08-28", "capacity": "10"}, "该名称已被使用"),
    ({"name": "长" * 101, "start_date": "2026-07-06", "end_date": "2026-08-28", "capacity": "10"}, "最多 100 个字符"),
])
def test_bad_season_input_shows_the_message_in_place_and_saves_nothing(client, db, login, world, data, message):
    login(client, world.users["coordinator"])
    before = db.session.query(Season).count()
    for headers in ({}, HX):
        response = client.post(f"/sites/{world.site.id}/seasons", data=data, headers=headers)
        assert response.status_code == 422
        assert message in response.get_data(as_text=True)
    assert db.session.query(Season).count() == before


def test_edit_in_place_then_cancel_and_save(client, db, login, world):
    login(client, world.users["coordinator"])
    url = f"/rooms/{world.room.id}/edit"
    form_row = client.get(url, headers=HX).get_data(as_text=True)
    assert form_row.lstrip().startswith("<tr") and 'value="一楼活动室"' in form_row
    assert "一楼活动室" in client.get(f"/rooms/{world.room.id}", headers=HX).get_data(as_text=True)
    saved = client.post(url, headers=HX, data={"name": "一楼大活动室", "floor": "1", "capacity": "45", "notes": ""})
    assert saved.status_code == 200 and "一楼大活动室" in saved.get_data(as_text=True)
    assert db.session.get(Room, world.room.id).capacity == 45
    # the same edit works as a plain page
    assert "<html" in client.get(url).get_data(as_text=True)
    plain = client.post(url, data={"name": "一楼活动室", "floor": "1", "capacity": "40", "notes": ""})
    assert plain.status_code == 303


def test_bad_edit_keeps_the_old_values(client, db, login, world):
    login(client, world.users["coordinator"])
    make_room = Room(site_id=world.site.id, name="二楼学习室")
    db.session.add(make_room)
    db.session.commit()
    response = client.post(f"/rooms/{world.room.id}/edit", headers=HX,
                           data={"name": "二楼学习室", "floor": "一楼", "capacity": "-3"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "请填写整数" in html
    assert db.session.get(Room, world.room.id).name == "一楼活动室"
    response = client.post(f"/rooms/{world.room.id}/edit", headers=HX, data={"name": "二楼学习室"})
    assert response.status_code == 422 and "该名称已被使用" in response.get_data(as_text=True)
    assert db.session.get(Room, world.room.id).name == "一楼活动室"


def test_archive_hides_and_restore_brings_back(client, db, login, world):
    login(client, world.users["coordinator"])
    client.post(f"/parties/{world.party.id}/archive", data={})
    assert db.session.get(Party, world.party.id).archived_at is not None
    assert "旧馆社区居委会" not in client.get(f"/sites/{world.site.id}/parties").get_data(as_text=True)
    shown = client.get(f"/sites/{world.site.id}/parties?archived=1").get_data(as_text=True)
    assert "旧馆社区居委会" in shown and "已归档" in shown
    client.post(f"/parties/{world.party.id}/archive", data={})
    assert db.session.get(Party, world.party.id).archived_at is None


def test_party_kinds_are_the_five_of_the_model(client, db, login, world):
    login(client, world.users["coordinator"])
    page = client.get(f"/sites/{world.site.id}/parties").get_data(as_text=True)
    for label in ("社区", "社会组织", "社会工作者", "社区志愿者", "社会慈善资源"):
        assert label in page
    bad = client.post(f"/sites/{world.site.id}/parties", data={"kind": "government", "name": "某局"})
    assert bad.status_code == 422 and db.session.query(Party).filter_by(name="某局").count() == 0
    phone = client.post(f"/sites/{world.site.id}/parties", data={"kind": "charity", "name": "爱心企业", "phone": "call me"})
    assert phone.status_code == 422 and "只能由数字组成" in phone.get_data(as_text=True)
    ok = client.post(f"/sites/{world.site.id}/parties", data={"kind": "charity", "name": "爱心企业", "phone": "0572-3010001"})
    assert ok.status_code == 303
    assert db.session.query(Party).filter_by(name="爱心企业").one().phone == "05723010001"


def test_theme_weeks_stay_inside_the_season_and_do_not_overlap(client, db, login, world):
    login(client, world.users["coordinator"])
    url = f"/seasons/{world.season.id}/theme-weeks"
    ok = client.post(url, data={"title": "安全自护周", "starts_on": "2025-07-07", "ends_on": "2025-07-11"})
    assert ok.status_code == 303
    outside = client.post(url, data={"title": "提前周", "starts_on": "2025-06-30", "ends_on": "2025-07-04"})
    assert outside.status_code == 422 and "必须在本期日期之内" in outside.get_data(as_text=True)
    overlap = client.post(url, data={"title": "重叠周", "starts_on": "2025-07-10", "ends_on": "2025-07-14"})
    assert overlap.status_code == 422 and "安全自护周" in overlap.get_data(as_text=True)
    assert db.session.query(ThemeWeek).count() == 1
    # a season cannot shrink away from its theme weeks
    shrink = client.post(f"/seasons/{world.season.id}/edit", data={
        "name": "2025年暑期", "start_date": "2025-07-14", "end_date": "2025-08-29", "capacity": "80"})
    assert shrink.status_code == 422 and db.session.get(Season, world.season.id).start_date == date(2025, 7, 7)
    week = db.session.query(ThemeWeek).one()
    removed = client.post(f"/theme-weeks/{week.id}/archive", headers=HX, data={})
    assert removed.status_code == 200 and db.session.query(ThemeWeek).count() == 0


def test_only_admin_creates_sites_and_coordinators_see_their_own(client, db, login, world):
    login(client, world.users["coordinator"])
    page = client.get("/sites").get_data(as_text=True)
    assert "旧馆街道" in page and "练市镇" not in page
    assert client.post("/sites", data={"name": "新服务点"}).status_code == 403
    client.post("/auth/logout", data={})
    login(client, world.users["admin"])
    assert client.post("/sites", data={"name": "新服务点", "district": "南浔区"}).status_code == 303
    assert db.session.query(Site).filter_by(name="新服务点").count() == 1
    assert "练市镇" in client.get("/sites").get_data(as_text=True)


def test_auditor_reads_but_cannot_change(client, login, world):
    login(client, world.users["auditor"])
    page = client.get(f"/sites/{world.site.id}/seasons").get_data(as_text=True)
    assert "2025年暑期" in page and 'data-testid="season-add-form"' not in page and "编辑" not in page
    assert client.post(f"/seasons/{world.season.id}/edit", data={"name": "x"}).status_code == 403


def test_lists_paginate_with_a_constant_number_of_queries(app, client, db, login, world, count_queries):
    login(client, world.users["coordinator"])
    url = f"/sites/{world.site.id}/rooms"
    client.get(url)
    with count_queries() as few:
        client.get(url)
    db.session.add_all([Room(site_id=world.site.id, name=f"房间{i:03d}", floor=i % 3) for i in range(60)])
    db.session.commit()
    with count_queries() as many:
        page = client.get(url).get_data(as_text=True)
    assert many.count == few.count
    assert "第 1 页，共 3 页" in page
    assert "房间059" in client.get(url + "?page=3").get_data(as_text=True)
