"""On a 360 px phone (touch): every destination two taps away, the current place always named,
nothing off-screen, no word split, targets for a finger, compact lists, no CSP error on htmx swaps."""
from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import expect

from tests.browser.layout import check_page, overflow
from tests.conftest import _watch_console

pytestmark = pytest.mark.browser


def _on_screen(locator, width: int = 360) -> list[str]:
    """The items of ``locator`` that are not wholly visible on a screen ``width`` wide."""
    off = []
    for i in range(locator.count()):
        item = locator.nth(i)
        box = item.bounding_box()
        cut = item.evaluate("el => el.scrollWidth > el.clientWidth + 1")
        if box is None or box["x"] < 0 or box["x"] + box["width"] > width + 0.5 or cut:
            off.append(item.inner_text())
    return off


def test_the_phone_menu_reaches_every_destination_and_names_the_current_one(phone_page, world, browser_login):
    page = phone_page
    browser_login(page, world.users["admin"])
    for locale in ("zh", "en"):
        page.goto(f"/sites/{world.site.id}/children")
        expect(page.locator("nav.nav")).to_be_hidden()
        menu = page.get_by_test_id("nav-menu")
        expect(menu.locator("summary")).to_contain_text("儿童" if locale == "zh" else "Children")  # where I am
        menu.locator("summary").click()                                                             # tap 1
        links = menu.locator("a")
        expect(links).to_have_count(6)
        assert _on_screen(links) == [], "menu items off-screen or cut"
        labels = links.all_inner_texts()
        assert ("操作日志" if locale == "zh" else "Audit trail") in labels
        assert ("志愿者" if locale == "zh" else "Volunteers") in labels
        expect(menu.locator("a[aria-current]")).to_have_text("儿童" if locale == "zh" else "Children")
        menu.get_by_text("操作日志" if locale == "zh" else "Audit trail").click()                    # tap 2
        page.wait_for_url("**/audit")
        if locale == "zh":
            page.click("[data-testid=lang-switch]")
            expect(page.locator("html")).to_have_attribute("lang", "en")


def test_the_wide_bar_shows_every_destination_with_the_current_one(page, world, browser_login):
    browser_login(page, world.users["admin"])
    page.goto(f"/sites/{world.site.id}/volunteers")
    expect(page.get_by_test_id("nav-menu")).to_be_hidden()
    bar = page.locator("nav.nav a")
    expect(bar).to_have_count(6)
    assert _on_screen(bar, 1280) == []
    expect(page.locator("nav.nav a[aria-current]")).to_have_text("志愿者")


@pytest.mark.parametrize("role", ["coordinator", "admin"])
def test_every_site_tab_and_sub_tab_is_on_screen_and_the_current_one_marked(phone_page, world, browser_login, role):
    page = phone_page
    browser_login(page, world.users[role])
    site = world.site.id
    expected = {  # page -> (current site tab, current sub-tab)
        f"/sites/{site}/overview": ("概览", None),
        f"/sites/{site}/children": ("儿童", "全部儿童"),
        f"/sites/{site}/volunteers": ("志愿者", "志愿者"),
        f"/sites/{site}/hours/pending": ("志愿者", "待审核时长"),
        f"/sites/{site}/volunteer-settings": ("志愿者", "证明设置"),
        f"/sites/{site}/donations": ("资源", "捐赠"),
        f"/seasons/{world.season.id}/ledger": ("资源", "五社联动台账"),
    }
    for url, (tab, sub) in expected.items():
        page.goto(url)
        tabs = page.locator("[data-testid=site-tabs] a")
        assert tabs.count() == 9, url  # 概览 今日 期次 场地 参与方 儿童 志愿者 资源 膳食
        assert _on_screen(tabs) == [], url
        expect(page.locator("[data-testid=site-tabs] a[aria-current]")).to_have_text(tab)
        if sub:
            subs = page.locator("[data-testid=sub-tabs] a")
            assert subs.count() >= 2 and _on_screen(subs) == [], url
            expect(page.locator("[data-testid=sub-tabs] a[aria-current]")).to_have_text(sub)
        assert overflow(page) == [], url


def test_donations_and_the_ledger_are_the_sites_resources(phone_page, world, browser_login):
    page = phone_page
    browser_login(page, world.users["coordinator"])
    page.goto(f"/sites/{world.site.id}/volunteers")
    subs = page.locator("[data-testid=sub-tabs]")
    expect(subs).not_to_contain_text("捐赠")
    expect(subs).not_to_contain_text("台账")
    page.locator("[data-testid=site-tabs] a", has_text="资源").click()
    page.wait_for_url(f"**/sites/{world.site.id}/donations")
    page.locator("[data-testid=sub-tabs] a", has_text="五社联动台账").click()
    page.wait_for_url(f"**/seasons/{world.season.id}/ledger")
    expect(page.locator("[data-testid=sub-tabs] a[aria-current=page]")).to_have_text("五社联动台账")


def test_coordinator_pages_keep_words_whole_and_targets_big(phone_page, make, world, browser_login):
    page = phone_page
    child = make.child(world.site, "王小明")
    make.consent(child)
    make.enrolment(make.child(world.site, "李小红"), world.season)
    profile = make.volunteer_profile(make.user("volunteer", world.site), world.site, real_name="韩立新", party_id=world.party.id)
    make.hour_entry(profile, date(2025, 7, 8), season=world.season)
    browser_login(page, world.users["coordinator"])
    for name, url in (("child", f"/children/{child.id}"), ("children", f"/sites/{world.site.id}/children"),
                      ("new-child", f"/sites/{world.site.id}/children/new"),
                      ("queue", f"/sites/{world.site.id}/hours/pending"),
                      ("applications", f"/sites/{world.site.id}/applications"),
                      ("seasons", f"/sites/{world.site.id}/seasons")):
        page.goto(url)
        check_page(page, f"coordinator-{name}")


def test_twenty_five_children_fit_in_compact_rows(phone_page, make, world, browser_login):
    page = phone_page
    for i in range(25):
        child = make.child(world.site, f"张{'一二三四五六七八九十'[i % 10]}{i}", school="南浔区新世纪外来务工子弟学校")
        if i % 2:
            make.consent(child)
    browser_login(page, world.users["coordinator"])
    page.goto(f"/sites/{world.site.id}/children")
    expect(page.locator("#children-section tbody tr")).to_have_count(25)
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < 3200, f"25 children take {height}px on a phone"
    row = page.locator("#children-section tbody tr").first.bounding_box()
    assert row["height"] < 100, row
    check_page(page, "coordinator-children-25")


def test_the_hours_queue_has_sticky_bulk_actions_and_select_all(phone_page, db, make, world, browser_login):
    from app.volunteers.models import HourEntry

    page = phone_page
    profile = make.volunteer_profile(make.user("volunteer", world.site), world.site, real_name="林诗涵",
                                     party_id=world.party.id)
    for day in range(1, 21):
        make.hour_entry(profile, date(2025, 7, day), activity="放学接送秩序维护", season=world.season)
    browser_login(page, world.users["coordinator"])
    page.goto(f"/sites/{world.site.id}/hours/pending")
    check_page(page, "coordinator-queue-20-top")
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < 3000, f"20 entries take {height}px on a phone"
    bar = page.get_by_test_id("bulk-bar")
    first_row = page.locator("[data-testid^=pending-]").first.bounding_box()
    assert bar.bounding_box()["y"] < first_row["y"]  # the actions come before the list
    page.mouse.wheel(0, 2000)
    page.locator("[data-testid^=pending-]").last.scroll_into_view_if_needed()
    box = bar.bounding_box()
    assert 0 <= box["y"] and box["y"] + box["height"] <= 800, "the bulk actions scrolled away"
    check_page(page, "coordinator-queue-20")
    page.get_by_test_id("select-all").check()
    expect(page.locator("input[name=ids]:checked")).to_have_count(20)
    page.locator("input[name=ids]").first.uncheck()
    assert page.get_by_test_id("select-all").evaluate("el => el.indeterminate") is True
    page.get_by_test_id("select-all").check()
    page.get_by_test_id("approve-selected").click()
    expect(page.get_by_test_id("queue-count")).to_have_text("0")
    db.session.expire_all()
    assert db.session.query(HourEntry).filter_by(status="approved").count() == 20


def test_htmx_swaps_on_several_pages_raise_no_console_error(phone_page, make, world, browser_login):
    """Live search, an inline edit, a review and an invitation all swap HTML in; any inline style
    (htmx's indicator style, a style attribute) would be a CSP error and fail the test (the fixture)."""
    page = phone_page
    for name in ("张三", "李玥"):
        make.child(world.site, name)
    profile = make.volunteer_profile(make.user("volunteer", world.site), world.site, real_name="王浩然")
    entry = make.hour_entry(profile, date(2025, 7, 8), season=world.season)
    browser_login(page, world.users["admin"])
    page.goto(f"/sites/{world.site.id}/children")
    page.fill("input[type=search]", "zhang")
    expect(page.locator("#children-section tbody tr")).to_have_count(1)
    page.goto(f"/sites/{world.site.id}/rooms")
    page.locator(f"#room-{world.room.id} a", has_text="编辑").click()
    expect(page.locator("tr.editing")).to_have_count(1)
    page.goto(f"/sites/{world.site.id}/hours/pending")
    page.locator(f"[data-testid=pending-{entry.id}] button[name=approve_one]").click()
    expect(page.get_by_test_id("queue-count")).to_have_text("0")
    page.goto("/admin/users")
    page.fill("input[type=search]", "coordinator")
    expect(page.locator("#users-section")).to_contain_text("coordinator")
    page.goto(f"/admin/users/{world.users['volunteer'].id}")
    page.locator("#invitation button.primary").click()
    expect(page.get_by_test_id("invitation-link")).to_be_visible()
    assert page.console_errors == []


def test_an_inline_style_is_a_console_error_the_fixtures_catch(browser, live_server):
    context = browser.new_context(base_url=live_server)
    try:
        page = context.new_page()
        errors = _watch_console(page)
        page.goto("/auth/login")
        with page.expect_console_message(lambda msg: "Content Security Policy" in msg.text):
            # what htmx does when its indicator styles are on: a <style> element in the head
            page.evaluate("""() => document.head.insertAdjacentHTML('beforeend', '<style>.x{opacity:0}</style>')""")
        assert any("style" in error for error in errors), errors
    finally:
        context.close()


def test_without_javascript_the_menu_still_opens_and_select_all_stays_hidden(browser, live_server, make, world):
    from tests import factories

    profile = make.volunteer_profile(make.user("volunteer", world.site), world.site, real_name="王浩然")
    make.hour_entry(profile, date(2025, 7, 8), season=world.season)
    context = browser.new_context(base_url=live_server, locale="zh-CN", viewport={"width": 360, "height": 800},
                                  is_mobile=True, has_touch=True, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto("/auth/login")
        page.fill("input[name=login]", world.users["coordinator"].username)
        page.fill("input[name=password]", factories.PASSWORD)
        page.click("form button.primary")
        page.wait_for_url("**/home")
        page.goto(f"/sites/{world.site.id}/hours/pending")
        menu = page.get_by_test_id("nav-menu")
        menu.locator("summary").click()
        expect(menu.locator("a", has_text="服务点")).to_be_visible()
        expect(page.get_by_test_id("select-all")).to_be_hidden()      # it would do nothing without the script
        expect(page.get_by_test_id("approve-page")).to_be_visible()   # this does the same without it
    finally:
        context.close()


def test_enter_in_the_reason_rejects_the_chosen_entries_never_approves(phone_page, db, make, world, browser_login):
    from app.volunteers.models import HourEntry

    page = phone_page
    profile = make.volunteer_profile(make.user("volunteer", world.site), world.site, real_name="王浩然")
    first = make.hour_entry(profile, date(2025, 7, 8), season=world.season)
    make.hour_entry(profile, date(2025, 7, 9), season=world.season)
    browser_login(page, world.users["coordinator"])
    page.goto(f"/sites/{world.site.id}/hours/pending")
    page.locator(f"#pick-{first.id}").check()
    page.locator(".bulk-reject summary").click()
    page.fill("#reason", "当天未到岗")
    page.press("#reason", "Enter")
    expect(page.get_by_test_id("queue-count")).to_have_text("1")
    db.session.expire_all()
    assert db.session.get(HourEntry, first.id).status == "rejected"
    assert db.session.query(HourEntry).filter_by(status="approved").count() == 0


def test_a_volunteer_sees_their_few_destinations_on_the_bar_itself(phone_page, make, world, browser_login):
    page = phone_page
    profile = make.volunteer_profile(world.users["volunteer"], world.site, real_name="王浩然")
    browser_login(page, world.users["volunteer"])
    page.goto("/me/volunteer")
    page.wait_for_url(f"**/volunteers/{profile.id}")
    expect(page.get_by_test_id("nav-menu")).to_have_count(0)
    row = page.get_by_test_id("nav-row").locator("a")
    expect(row).to_have_text(["首页", "我的志愿服务", "我的班次"])
    assert _on_screen(row) == []
    expect(page.get_by_test_id("nav-row").locator("a[aria-current]")).to_have_text("我的志愿服务")
    check_page(page, "volunteer-home")
