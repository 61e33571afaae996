"""Whole journeys on a 360 × 800 touch phone, each page checked as a person would see it: nothing
runs off the screen, no button or label splits a word, targets fit a finger, no console error (the
fixture). Screenshots of every step land in $HUHANG_SCREENSHOTS (default /tmp/huhang-screens)."""
from __future__ import annotations

from datetime import date

import pytest
from openpyxl import Workbook
from playwright.sync_api import expect

from app.children.importer import HEADERS
from tests.browser.layout import check_page

pytestmark = pytest.mark.browser


def test_coordinator_enrols_a_child_and_imports_a_roster(phone_page, make, world, browser_login, tmp_path):
    page = phone_page
    child = make.child(world.site, "王小明")
    browser_login(page, world.users["coordinator"])
    check_page(page, "journey-coordinator-1-home")
    # two taps from the menu to the site's children
    page.get_by_test_id("nav-menu").locator("summary").click()
    page.get_by_test_id("nav-menu").get_by_text("儿童").click()
    page.wait_for_url(f"**/sites/{world.site.id}/children")
    check_page(page, "journey-coordinator-2-children")
    page.locator("#children-section a", has_text="王小明").click()
    page.wait_for_url(f"**/children/{child.id}")
    check_page(page, "journey-coordinator-3-child")
    page.locator("[data-testid=consent-needed] a").click()
    check_page(page, "journey-coordinator-4-consent")
    page.fill("input[name=guardian_name]", "王妈妈")
    page.fill("input[name=guardian_relation]", "母亲")
    page.check("input[name=agreed]")
    page.click("#consent-form button.primary")
    page.wait_for_url(f"**/children/{child.id}")
    page.locator("[data-testid=enrolments] button[value=enrol]").click()
    expect(page.locator("[data-testid=enrolments]")).to_contain_text(world.season.name)
    check_page(page, "journey-coordinator-5-enrolled")

    workbook = Workbook()
    workbook.active.append(HEADERS)
    workbook.active.append(["张小雨", "女", "2016-09-01", "三年级", "旧馆镇中心学校", "", "张建国", "父亲", "13800001234",
                            "", "", "", "", "否", "否"])
    path = tmp_path / "名单.xlsx"
    workbook.save(path)
    page.locator("[data-testid=sub-tabs] a", has_text="导入").click()
    page.wait_for_url(f"**/sites/{world.site.id}/children/import")
    check_page(page, "journey-coordinator-6-import")
    page.set_input_files("input[type=file]", str(path))
    page.click("[data-testid=import-form] button.primary")
    page.get_by_test_id("import-confirm").wait_for()
    check_page(page, "journey-coordinator-7-preview")
    page.get_by_test_id("import-confirm").click()
    page.wait_for_url(f"**/seasons/{world.season.id}/children")
    expect(page.locator("#children-section")).to_contain_text("张小雨")
    check_page(page, "journey-coordinator-8-roster")


def test_volunteer_logs_hours_and_downloads_a_certificate(phone_page, make, world, browser_login):
    page = phone_page
    profile = make.volunteer_profile(world.users["volunteer"], world.site, real_name="张喆")
    make.hour_entry(profile, date(2025, 7, 8), "08:30", "11:30", status="approved", activity="三年级数学辅导",
                    season=world.season)
    make.volunteer_settings(world.site, issuer_name="南浔区旧馆街道社会工作服务站", person_in_charge="沈建华",
                            handler="李晓梅", contact="0572-3010002")
    browser_login(page, world.users["volunteer"])
    page.goto("/me/volunteer")
    page.wait_for_url(f"**/volunteers/{profile.id}")
    check_page(page, "journey-volunteer-1-home")
    form = page.get_by_test_id("log-hours-form")
    form.locator("input[name=work_date]").fill("2025-07-09")
    form.locator("input[name=starts_at]").fill("14:00")
    form.locator("input[name=ends_at]").fill("16:30")
    form.locator("input[name=activity]").fill("书法兴趣课助教")
    form.locator("button").click()
    page.get_by_test_id("hours-saved").wait_for()
    check_page(page, "journey-volunteer-2-logged")

    form = page.get_by_test_id("certificate-form")
    form.locator("input[name=period_from]").fill("2025-07-01")
    form.locator("input[name=period_to]").fill("2025-07-31")
    downloads = []
    page.on("download", lambda download: downloads.append(download))
    form.locator("button.primary").click()
    page.wait_for_load_state()
    if not downloads:  # a numbered record with its link (or, once it comes in one tap, the download itself)
        page.goto(f"/volunteers/{profile.id}")
        link = page.get_by_test_id("certificate-link").first
        response = page.request.get(link.get_attribute("href"))
        assert response.status == 200 and response.headers["content-type"] == "application/pdf"
        assert response.body().startswith(b"%PDF")
    check_page(page, "journey-volunteer-3-certificate")


def test_administrator_invites_someone(phone_page, make, world, browser_login):
    page = phone_page
    browser_login(page, world.users["admin"])
    page.get_by_test_id("nav-menu").locator("summary").click()
    page.get_by_test_id("nav-menu").get_by_text("账号").click()
    page.wait_for_url("**/admin/users")
    check_page(page, "journey-admin-1-users")
    page.locator("summary", has_text="新建账号").click()
    form = page.locator("#user-form")
    form.locator("input[name=username]").fill("chenmei")
    form.locator("input[name=display_name]").fill("陈梅")
    form.locator("input[name=phone]").fill("13900002222")
    form.locator("select[name=role]").select_option("coordinator")
    form.locator("select[name=site_id]").select_option(str(world.site.id))
    check_page(page, "journey-admin-2-new-account")
    form.locator("button.primary").click()
    page.wait_for_url("**/admin/users/*")
    check_page(page, "journey-admin-3-account")
    page.locator("#invitation button.primary").click()
    expect(page.get_by_test_id("invitation-link")).to_be_visible()
    check_page(page, "journey-admin-4-invitation")
