"""On a 360 px phone: a volunteer finds an open shift, signs up, and sees it among their shifts."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from app.scheduling.models import SessionStaff
from tests.scheduling.staff_helpers import clock, session, volunteer  # noqa: F401


@pytest.mark.browser
def test_a_volunteer_signs_up_for_an_open_shift_on_a_phone(phone_page, browser_login, db, make, world, clock):  # noqa: F811
    me = volunteer(make, world, world.users["volunteer"], name="王浩然")
    s = session(db, world, needed=2, activity_name="书法")
    page = phone_page
    browser_login(page, world.users["volunteer"])
    page.goto("/me/shifts")
    shift = page.get_by_test_id("open-shift").filter(has_text="书法")
    expect(shift).to_contain_text("还有 2 个名额")
    # nothing spills sideways on a narrow screen
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    shift.get_by_test_id("sign-up").click()
    page.wait_for_url("**/me/shifts")
    expect(page.locator(".alert-success")).to_contain_text("报名成功")
    expect(page.get_by_test_id("my-shift").filter(has_text="书法")).to_have_count(1)
    expect(page.get_by_test_id("open-shift")).to_have_count(0)
    db.session.expire_all()
    [row] = db.session.query(SessionStaff).filter_by(session_id=s.id).all()
    assert (row.user_id, row.status) == (me.user_id, "confirmed")
