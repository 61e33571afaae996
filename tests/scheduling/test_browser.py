"""In the browser: the coordinator clicks a slot of the week grid, fills the small form, and the
session appears in the grid; a second one in the same room and time is refused in place."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_create_a_session_from_the_week_grid(page, browser_login, plan):
    browser_login(page, plan.coordinator)
    page.goto(f"/seasons/{plan.season.id}/week?start=2025-07-07")
    cell = page.locator(f"[data-testid=cell-{plan.room.id}-2025-07-08]")
    expect(cell.locator(".slot")).to_have_count(0)
    page.click(f"[data-testid=add-{plan.room.id}-2025-07-08]")
    form = page.locator("[data-testid=slot-form]")
    form.wait_for()
    form.locator("select[name=activity_id]").select_option(label="书法")
    form.locator("select[name=group_id]").select_option(label="三年级")
    form.locator("input[name=starts_at]").fill("14:00")
    form.locator("input[name=ends_at]").fill("15:30")
    form.locator("button.primary").click()
    expect(page.locator("[data-testid=slot-saved]")).to_be_visible()
    expect(cell.locator(".slot")).to_have_count(1)
    expect(cell).to_contain_text("书法")
    expect(cell).to_contain_text("14:00–15:30")

    # the same room at an overlapping time: refused in place, in words, the grid unchanged
    page.click(f"[data-testid=add-{plan.room.id}-2025-07-08]")
    form = page.locator("[data-testid=slot-form]")
    form.wait_for()
    form.locator("select[name=activity_id]").select_option(label="三年级数学")
    form.locator("select[name=group_id]").select_option(label="四年级")
    form.locator("input[name=starts_at]").fill("15:00")
    form.locator("input[name=ends_at]").fill("16:00")
    form.locator("button.primary").click()
    expect(form.locator(".error")).to_contain_text("一楼活动室")
    expect(cell.locator(".slot")).to_have_count(1)


def test_the_week_grid_pages_through_weeks_in_place(page, browser_login, plan, db):
    from tests.scheduling.helpers import schedule

    schedule(db, plan.season, plan.activity, plan.group, plan.room, plan.coordinator)  # two weeks
    browser_login(page, plan.coordinator)
    page.goto(f"/seasons/{plan.season.id}/week?start=2025-07-07")
    expect(page.locator("[data-testid=week] .slot")).to_have_count(5)
    page.click("[data-testid=next-week]")
    expect(page).to_have_url(re.compile(r"start=2025-07-14"))
    expect(page.locator(f"[data-testid=cell-{plan.room.id}-2025-07-18] .slot")).to_have_count(1)
    page.click("[data-testid=next-week]")
    expect(page.locator("[data-testid=week] .slot")).to_have_count(0)
