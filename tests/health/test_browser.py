"""In the browser: the coordinator opens "Add a dish" (the form comes then), adds a dish to the
week's menu with htmx, sees the day's check change, an invalid day answered in place, and removes
the dish again in place."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.health.conftest import MONDAY

pytestmark = pytest.mark.browser


def test_add_and_remove_a_dish_on_the_week_grid(page, browser_login, world, make, dish):
    dish("米饭", [("粳米（标一）", 135)], day=MONDAY)
    dish("宫保鸡丁", [("鸡胸脯肉", 20), ("花生仁（生）", 6), ("黄瓜（鲜）[胡瓜]", 30)])
    make.enrolment(make.child(world.site, "张小花", allergies="花生"), world.season)
    browser_login(page, world.users["coordinator"])
    page.goto(f"/seasons/{world.season.id}/menus?week={MONDAY.isoformat()}")
    monday = page.locator(f"[data-testid=day-{MONDAY.isoformat()}]")
    expect(monday).to_contain_text("米饭")
    expect(page.locator("[data-testid=menu-form]")).to_have_count(0)  # fetched when "Add a dish" opens
    page.click("[data-testid=menu-week] summary.button")
    form = page.locator("[data-testid=menu-form]")
    form.locator("input[name=day]").fill("2025-09-30")  # outside the season: answered in place
    form.locator("select[name=recipe_id]").select_option(label="宫保鸡丁")
    form.locator("button.primary").click()
    expect(page.locator("[data-testid=menu-form] .error")).to_contain_text("不在本期")
    form = page.locator("[data-testid=menu-form]")
    form.locator("input[name=day]").fill(MONDAY.isoformat())
    form.locator("button.primary").click()
    expect(monday).to_contain_text("宫保鸡丁")
    expect(page.locator("[data-testid=allergy-list]")).to_contain_text("张小花")
    with page.expect_response(lambda r: "/remove" in r.url) as removed:
        monday.locator("button[aria-label='移除宫保鸡丁']").click()
    assert removed.value.request.headers.get("hx-request") == "true"  # in place, not a new page
    expect(monday).not_to_contain_text("宫保鸡丁")
    expect(page.locator("[data-testid=allergy-list]")).to_have_count(0)
    assert page.console_errors == []
