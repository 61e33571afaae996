"""With any hand and any eyes, in a real browser: a failed submit puts the focus on the first invalid
field (in view, on a phone); htmx results are said through the live region that was in the page from
the start; focus never falls to <body>; at 360 px Tab visits the top bar before the navigation; and a
keyboard alone (Tab, Shift+Tab, Enter, Space, typing) signs in, enrols a child with consent and logs
a volunteer's hours."""
from __future__ import annotations

import re
from datetime import date

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.browser.test_axe import axe_violations
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser

FOCUSED = """() => { const el = document.activeElement;
  return el ? {tag: el.tagName.toLowerCase(), name: el.getAttribute('name'), id: el.id,
               text: (el.innerText || '').trim().slice(0, 40), top: el.getBoundingClientRect().top,
               bottom: el.getBoundingClientRect().bottom} : null; }"""


def focused(page) -> dict:
    return page.evaluate(FOCUSED)


def tab_to(page, selector: str, *, back: bool = False, limit: int = 80) -> dict:
    """Press Tab (or Shift+Tab) until the focused element matches ``selector``."""
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if back else "Tab")
        if page.evaluate("sel => !!document.activeElement && document.activeElement.matches(sel)", selector):
            return focused(page)
    raise AssertionError(f"Tab never reached {selector}; last focus {focused(page)}")


def in_view(page, where: dict) -> bool:
    return 0 <= where["top"] and where["bottom"] <= page.viewport_size["height"]


def test_a_failed_sign_up_on_a_phone_focuses_the_first_error_in_view(phone_page, world):
    page = phone_page
    page.goto(f"/join/{world.site.id}")
    form = page.get_by_test_id("join-form")
    form.locator("input[name=real_name]").fill("张喆")
    form.locator("input[name=phone]").fill("1382222000")  # 10 digits
    form.locator("button").tap()
    expect(form.locator("input[name=phone]")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("input[name=phone]")).to_be_focused()
    where = focused(page)
    assert where["name"] == "phone" and in_view(page, where), where
    # what a screen reader reads with the field: its message
    described = page.locator("input[name=phone]").get_attribute("aria-describedby")
    expect(page.locator(f"#{described.split()[0]}")).to_contain_text("11")
    # the form in its error state meets WCAG 2.1 AA as well
    assert axe_violations(page) == []


def test_a_page_answered_after_a_failed_plain_submit_focuses_its_first_error(phone_page, browser_login, world):
    """Forms that post without htmx answer the page again (422): the focus goes to the first invalid
    field, not to the top of a long page."""
    page = phone_page
    browser_login(page, world.users["coordinator"])
    page.goto(f"/sites/{world.site.id}/donations")
    page.locator("summary", has_text="登记捐赠").tap()
    form = page.get_by_test_id("donation-form")
    form.locator("button").tap()
    page.wait_for_load_state()
    first = page.locator("[data-testid=donation-form] [aria-invalid=true]").first
    expect(first).to_be_focused()
    assert in_view(page, focused(page))


def test_htmx_results_are_said_in_the_live_region_and_focus_stays_in_the_page(phone_page, browser_login, make, world):
    profile = make.volunteer_profile(world.users["volunteer"], world.site)
    page = phone_page
    browser_login(page, world.users["volunteer"])
    page.goto(f"/volunteers/{profile.id}")
    live = page.get_by_test_id("live")
    assert live.get_attribute("aria-live") == "polite" and live.inner_text() == ""
    page.evaluate("document.getElementById('totals').dataset.mark = 'the first one'")

    form = page.get_by_test_id("log-hours-form")
    form.locator("input[name=work_date]").fill("2025-07-09")
    form.locator("input[name=starts_at]").fill("14:00")
    form.locator("input[name=ends_at]").fill("16:30")
    form.locator("input[name=activity]").fill("书法兴趣课助教")
    form.locator("button").tap()
    expect(page.get_by_test_id("pending-total")).to_have_text("2.5")
    expect(live).to_contain_text("2.5")  # the new totals are said
    # the totals region is the same element, refreshed inside: no new role=status node came in
    assert page.evaluate("document.getElementById('totals').dataset.mark") == "the first one"
    assert page.locator("main [role=status]").count() == 0
    assert focused(page)["tag"] != "body"

    # an overlap: focus on the start time, both times marked
    form = page.get_by_test_id("log-hours-form")
    form.locator("input[name=work_date]").fill("2025-07-09")
    form.locator("input[name=starts_at]").fill("15:00")
    form.locator("input[name=ends_at]").fill("17:00")
    form.locator("input[name=activity]").fill("重叠")
    form.locator("button").tap()
    expect(page.locator("input[name=starts_at]")).to_be_focused()
    expect(page.locator("input[name=ends_at]")).to_have_attribute("aria-invalid", "true")


def test_required_fields_are_named_without_the_star(page, browser_login, world):
    """The "*" beside a required field's label is not read as part of its name (it was CSS content,
    which a screen reader reads); `required` says it once."""
    browser_login(page, world.users["coordinator"])
    page.goto(f"/sites/{world.site.id}/children/new")
    fields = page.locator("#child-form input:not([type=hidden]), #child-form select, #child-form textarea")
    assert fields.count() > 10
    for i in range(fields.count()):
        expect(fields.nth(i)).not_to_have_accessible_name(re.compile(r"\*|^$"))
    expect(page.locator("select[name=sex]")).to_have_attribute("required", "")
    expect(page.locator(".field.required .req").first).to_be_visible()  # still shown to the eye


def test_after_a_swap_that_took_the_focus_away_it_goes_to_the_new_sections_heading(page, browser_login, make, world):
    child = make.child(world.site, "张三")
    browser_login(page, world.users["coordinator"])
    page.goto(f"/children/{child.id}")
    section = page.locator("#guardians-section")
    section.locator("summary").click()
    form = page.get_by_test_id("guardian-add-form")
    form.locator("input[name=name]").fill("李梅")
    form.locator("input[name=relation]").fill("母亲")
    form.locator("input[name=phone]").fill("13912345678")
    form.locator("button").press("Enter")
    expect(page.locator("#guardians-section").get_by_text("李梅")).to_be_visible()
    expect(page.locator("#guardians-section-title")).to_be_focused()  # not <body>
    expect(page.get_by_test_id("live")).to_have_text("已保存。")


def test_live_search_says_how_many_were_found(page, browser_login, make, world):
    for name in ("张三", "张思", "李四"):
        make.child(world.site, name)
    browser_login(page, world.users["coordinator"])
    page.goto(f"/sites/{world.site.id}/children")
    search = page.locator("#child-search")
    search.press_sequentially("李")
    expect(page.get_by_test_id("live")).to_have_text("共 1 条")
    expect(search).to_be_focused()


def test_at_360_px_tab_visits_the_top_bar_before_the_navigation(phone_page, browser_login, world):
    page = phone_page
    browser_login(page, world.users["coordinator"])
    page.goto("/home")
    order = []
    for _ in range(5):
        page.keyboard.press("Tab")
        order.append(page.evaluate("""() => { const el = document.activeElement;
            return el.closest('nav.nav, nav.nav-narrow') ? 'nav' : el.closest('.topbar-tools') ? 'tools'
                 : el.classList.contains('brand') ? 'brand' : el.classList.contains('skip') ? 'skip' : el.tagName; }"""))
    assert order == ["skip", "brand", "tools", "tools", "nav"], order
    # and the top bar is above the navigation on the screen
    tools = page.locator(".topbar-tools").bounding_box()
    nav = page.locator("nav.nav-narrow").bounding_box()  # the phone's navigation (the wide bar is hidden)
    assert tools["y"] + tools["height"] <= nav["y"] + 1


@pytest.fixture
def us_dates_page(request, browser, live_server):
    """A page in a Chromium whose date and time fields are laid out as in en-US (month/day/year,
    hh:mm AM/PM) whatever the machine's language, so that typing into them is the same everywhere;
    the pages themselves are in Chinese."""
    from tests.conftest import CHROMIUM, _no_console_errors, _watch_console

    us_browser = browser.browser_type.launch(executable_path=CHROMIUM, env={"LANG": "en_US.UTF-8"},
                                             args=["--no-sandbox", "--disable-gpu", "--lang=en-US"])
    context = us_browser.new_context(base_url=live_server, locale="zh-CN", viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.set_default_timeout(10000)
    errors = _watch_console(page)
    yield page
    context.close()
    us_browser.close()
    _no_console_errors(request, errors)


def test_a_keyboard_alone_signs_in_enrols_a_child_with_consent_and_logs_hours(us_dates_page, make, world, db):
    from app.children.models import Enrolment
    from app.volunteers.models import HourEntry

    page = us_dates_page
    child = make.child(world.site, "王小明")
    keys = page.keyboard

    def sign_in(user):
        page.goto("/auth/login")
        tab_to(page, "input[name=login]")
        keys.type(user.username)
        keys.press("Tab")
        keys.type(PASSWORD)
        keys.press("Enter")
        page.wait_for_url("**/home")

    # a coordinator: from the children list to the child, consent, then enrol
    sign_in(world.users["coordinator"])
    page.goto(f"/sites/{world.site.id}/children")
    tab_to(page, f"a[href='/children/{child.id}']")
    keys.press("Enter")
    page.wait_for_url(f"**/children/{child.id}")
    tab_to(page, f"a.primary[href='/children/{child.id}/consent']")
    keys.press("Enter")
    page.wait_for_url(f"**/children/{child.id}/consent")
    tab_to(page, "input[name=guardian_name]")
    keys.type("王大伟")
    keys.press("Tab")
    keys.type("父亲")
    keys.press("Tab")
    assert focused(page)["name"] == "agreed"
    keys.press("Space")
    tab_to(page, "#consent-form button")
    keys.press("Enter")
    page.wait_for_url(f"**/children/{child.id}")
    tab_to(page, "button[value=enrol]")
    keys.press("Enter")
    expect(page.locator("#alerts")).to_contain_text("王小明")
    assert db.session.scalar(select(Enrolment.status).where(Enrolment.child_id == child.id)) == "enrolled"

    # Shift+Tab goes back the same way
    tab_to(page, "a[href$='/edit']", back=True)

    # a volunteer logs hours
    page.context.clear_cookies()
    profile = make.volunteer_profile(world.users["volunteer"], world.site)
    sign_in(world.users["volunteer"])
    page.goto(f"/volunteers/{profile.id}")
    tab_to(page, "input[name=work_date]")
    keys.type("07092025")  # month, day, year (Tab may stop at the date field's picker first)
    tab_to(page, "input[name=starts_at]")
    keys.type("0900A")
    tab_to(page, "input[name=ends_at]")
    keys.type("1130A")
    tab_to(page, "input[name=activity]")
    keys.type("三年级数学辅导")
    keys.press("Enter")
    expect(page.get_by_test_id("hours-saved")).to_be_visible()
    expect(page.get_by_test_id("pending-total")).to_have_text("2.5")
    entry = db.session.scalar(select(HourEntry).where(HourEntry.profile_id == profile.id))
    assert (entry.work_date, entry.minutes) == (date(2025, 7, 9), 150)
    assert focused(page)["tag"] != "body"
