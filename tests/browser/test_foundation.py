"""In a real browser (Debian's Chromium via Playwright): htmx forms, CSRF, language, phone layout."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from app.sites.models import Season

pytestmark = pytest.mark.browser


def test_coordinator_adds_a_season_without_a_page_reload(page, db, world, browser_login):
    browser_login(page, world.users["coordinator"])
    page.goto(f"/sites/{world.site.id}/seasons")
    page.evaluate("window.__same_page = true")
    csrf_headers = []
    page.on("request", lambda r: csrf_headers.append(r.headers.get("x-csrftoken")) if r.method == "POST" else None)

    page.click("summary:has-text('新增')")
    form = page.locator("[data-testid=season-add-form]")
    form.locator("input[name=name]").fill("2026年暑期")
    form.locator("input[name=theme]").fill("青春护航·旧在身边")
    form.locator("input[name=start_date]").fill("2026-07-06")
    form.locator("input[name=end_date]").fill("2026-08-28")
    form.locator("input[name=capacity]").fill("100")
    form.locator("button.primary").click()

    expect(page.locator("#seasons-rows")).to_contain_text("2026年暑期")
    assert page.evaluate("window.__same_page") is True  # no reload happened
    assert csrf_headers and all(csrf_headers), "the htmx POST must carry the CSRF header"
    assert db.session.query(Season).filter_by(name="2026年暑期").count() == 1
    assert page.console_errors == []


def test_invalid_htmx_form_shows_errors_in_place(page, db, world, browser_login):
    browser_login(page, world.users["coordinator"])
    page.goto(f"/sites/{world.site.id}/seasons")
    page.evaluate("window.__same_page = true")
    page.click("summary:has-text('新增')")
    form = page.locator("[data-testid=season-add-form]")
    form.locator("input[name=name]").fill("倒着的期次")
    form.locator("input[name=start_date]").fill("2026-08-28")
    form.locator("input[name=end_date]").fill("2026-07-06")
    form.locator("input[name=capacity]").fill("100")
    form.locator("button.primary").click()

    expect(page.locator("#seasons-section .error")).to_contain_text("结束日期不能早于开始日期")
    assert page.evaluate("window.__same_page") is True
    expect(page.locator("[data-testid=season-add-form] input[name=name]")).to_have_value("倒着的期次")
    assert db.session.query(Season).filter_by(name="倒着的期次").count() == 0


def test_edit_a_room_in_place(page, db, world, browser_login):
    browser_login(page, world.users["coordinator"])
    page.goto(f"/sites/{world.site.id}/rooms")
    row = page.locator(f"#room-{world.room.id}")
    row.locator("a:has-text('编辑')").click()
    editing = page.locator(f"tr.editing#room-{world.room.id}")
    editing.locator("input[name=name]").fill("一楼大活动室")
    editing.locator("button.primary").click()
    # wait until htmx has swapped the saved row in: the editing row is gone, the new name shows
    expect(page.locator("tr.editing")).to_have_count(0)
    expect(page.locator(f"#room-{world.room.id}")).to_contain_text("一楼大活动室")


def test_switch_language_to_english_and_back(page, world, browser_login):
    browser_login(page, world.users["coordinator"])
    expect(page.locator("nav.nav a").nth(0)).to_have_text("首页")
    expect(page.locator("nav.nav a").nth(1)).to_have_text("服务点")
    page.click("[data-testid=lang-switch]")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("nav.nav")).to_contain_text("Sites")
    expect(page.locator("h1").first).to_contain_text("The day at")  # a coordinator's home is the day
    page.goto(f"/sites/{world.site.id}/parties")
    expect(page.locator("h1").first).to_have_text(re.compile(r"^\s*Parties"))
    page.click("[data-testid=lang-switch]")
    expect(page.locator("h1").first).to_contain_text("参与方")


def test_phone_layout_has_no_horizontal_scroll(phone_page, world, browser_login):
    browser_login(phone_page, world.users["coordinator"])
    for url in ("/home", f"/sites/{world.site.id}/seasons", f"/sites/{world.site.id}/parties"):
        phone_page.goto(url)
        width = phone_page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, f"{url} is {width}px wide on a 360px phone"
