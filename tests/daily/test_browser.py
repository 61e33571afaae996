"""On a phone (360 px): mark arrivals with one tap each, a departure by choosing the guardian; each
is saved at once and confirmed in place; after a reload everything is still right."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_arrivals_and_a_departure_on_a_phone(phone_page, browser_login, day_world):
    page, w = phone_page, day_world
    first, second, third = w.children
    browser_login(page, w.coordinator)
    page.goto(f"/sites/{w.site.id}/today")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360 + 1  # no sideways scrolling
    row = lambda child: page.locator(f"#day-row-{child.id}")  # noqa: E731
    row(first).get_by_test_id("arrive").tap()
    expect(row(first).get_by_test_id("arrived")).to_be_visible()
    expect(page.locator("#alerts")).to_contain_text(first.name)  # announced in the live region
    row(second).get_by_test_id("arrive").tap()
    expect(row(second).get_by_test_id("arrived")).to_be_visible()
    row(first).get_by_test_id("picked-up-by").select_option(f"g{first.guardians[0].id}")
    row(first).get_by_test_id("depart").tap()
    expect(row(first).get_by_test_id("departed")).to_contain_text(first.guardians[0].name)
    page.reload()
    expect(row(first).get_by_test_id("departed")).to_be_visible()
    expect(row(second).get_by_test_id("arrived")).to_be_visible()
    expect(row(second).get_by_test_id("depart")).to_be_visible()
    expect(row(third).get_by_test_id("arrive")).to_be_visible()
    expect(page.get_by_test_id("count-arrived")).to_have_text("2 / 3")
