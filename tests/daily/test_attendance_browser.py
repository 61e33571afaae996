"""On a phone (360 px), a volunteer rostered on the session takes a 40-child roster: "all present",
then a tap on each of the two absences — three taps, three requests after opening the page — and
after a reload every mark is still right."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.layout import check_page
from tests.daily.attendance_helpers import roster_session

pytestmark = pytest.mark.browser


def test_a_forty_child_roster_in_three_taps_on_a_phone(db, world, phone_page, browser_login):
    from app.daily.attendance_queries import member_ids

    page = phone_page
    s = roster_session(db, world, children=40)
    children = sorted(member_ids(s))
    browser_login(page, world.users["volunteer"])
    page.goto(f"/sessions/{s.id}/attendance")
    expect(page.get_by_test_id("att-row")).to_have_count(40)
    check_page(page, "attendance-roster")
    posts = []
    page.on("request", lambda request: posts.append(request.url) if request.method == "POST" else None)

    page.get_by_test_id("all-present").tap()
    expect(page.get_by_test_id("att-notice")).to_be_visible()
    expect(page.locator('[data-testid="mark-present"][aria-pressed="true"]')).to_have_count(40)
    row = lambda child_id: page.locator(f"#att-{child_id}")  # noqa: E731
    row(children[3]).get_by_test_id("mark-absent").tap()
    expect(row(children[3]).get_by_test_id("mark-absent")).to_have_attribute("aria-pressed", "true")
    expect(row(children[3]).get_by_test_id("att-saved")).to_be_visible()
    expect(page.get_by_test_id("live")).not_to_be_empty()  # said through the live region
    row(children[17]).get_by_test_id("mark-late").tap()
    expect(row(children[17]).get_by_test_id("mark-late")).to_have_attribute("aria-pressed", "true")
    assert len(posts) == 3, posts  # all present + two taps
    check_page(page, "attendance-roster-marked")

    page.reload()
    expect(page.locator('[data-testid="mark-present"][aria-pressed="true"]')).to_have_count(38)
    expect(row(children[3]).get_by_test_id("mark-absent")).to_have_attribute("aria-pressed", "true")
    expect(row(children[17]).get_by_test_id("mark-late")).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_test_id("att-counts")).to_contain_text("0")
