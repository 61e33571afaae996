"""On a phone: log hours and watch the pending total change without a reload."""
from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import expect


@pytest.mark.browser
def test_log_hours_on_a_phone_updates_the_pending_total(phone_page, browser_login, make, world):
    profile = make.volunteer_profile(world.users["volunteer"], world.site, real_name="王浩然")
    make.hour_entry(profile, date(2025, 7, 8), "09:00", "10:00", season=world.season)
    page = phone_page
    browser_login(page, world.users["volunteer"])
    page.goto("/me/volunteer")
    page.wait_for_url(f"**/volunteers/{profile.id}")
    pending = page.get_by_test_id("pending-total")
    assert pending.inner_text() == "1"
    page.evaluate("window.__marker = 'same page'")

    form = page.get_by_test_id("log-hours-form")
    form.locator("input[name=work_date]").fill("2025-07-09")
    form.locator("input[name=starts_at]").fill("14:00")
    form.locator("input[name=ends_at]").fill("16:30")
    form.locator("input[name=activity]").fill("书法兴趣课助教")
    form.locator("button").click()
    page.get_by_test_id("hours-saved").wait_for()
    # a locator assertion polls without evaluating strings (the CSP forbids eval)
    expect(page.get_by_test_id("pending-total")).to_have_text("3.5")
    assert page.evaluate("window.__marker") == "same page"  # no reload
    expect(page.locator("#history").get_by_text("书法兴趣课助教")).to_have_count(1)  # refreshed by its own request

    # an invalid entry shows its message in place, and the total does not move
    form = page.get_by_test_id("log-hours-form")
    form.locator("input[name=work_date]").fill("2025-07-09")
    form.locator("input[name=starts_at]").fill("15:00")
    form.locator("input[name=ends_at]").fill("15:30")
    form.locator("input[name=activity]").fill("重叠")
    form.locator("button").click()
    page.locator("#log-hours .error").first.wait_for()
    assert "14:00" in page.locator("#log-hours .error").first.inner_text()
    assert page.get_by_test_id("pending-total").inner_text() == "3.5"
    assert page.evaluate("window.__marker") == "same page"
