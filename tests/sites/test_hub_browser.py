"""On a 360 px phone, in Chinese: a coordinator goes from home to the current season's page and on to
the children without consent; nothing in the page is wider than the screen (issue 9)."""
from __future__ import annotations

from datetime import date

import pytest

WIDER_THAN_SCREEN = """() => [...document.querySelectorAll('main *')]
  .filter(e => !e.closest('nav.tabs, .table-wrap') && e.getBoundingClientRect().right > window.innerWidth + 1)
  .map(e => e.tagName + '.' + e.className + ': ' + (e.textContent || '').trim().slice(0, 30))"""


@pytest.mark.browser
def test_a_coordinator_reaches_the_children_without_consent_from_home(phone_page, browser_login, make, world):
    long_season = make.season(world.site, "2026年暑期青春护航·旧在身边托管服务", start_date=date(2026, 7, 6),
                              end_date=date(2026, 8, 28), capacity=120)
    for i in range(3):
        child = make.child(world.site, f"孩子{i}")
        make.enrolment(child, long_season, "enrolled")
        if i:
            make.consent(child)
    page = phone_page
    browser_login(page, world.users["coordinator"])
    assert page.evaluate(WIDER_THAN_SCREEN) == []
    page.get_by_test_id(f"season-{long_season.id}").click()
    page.wait_for_url(f"**/seasons/{long_season.id}/overview")
    assert page.evaluate(WIDER_THAN_SCREEN) == []
    page.get_by_test_id("count-consent").click()
    page.wait_for_url("**/children?consent=missing")
    assert page.get_by_text("孩子0").count() >= 1 and page.get_by_text("孩子1").count() == 0
