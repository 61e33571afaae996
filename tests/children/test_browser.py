"""In the browser: live search narrows the list as the coordinator types pinyin; the import
preview shows each row's problems."""
from __future__ import annotations

import io
import re

import pytest
from playwright.sync_api import expect
from openpyxl import Workbook

from app.children.importer import HEADERS

pytestmark = pytest.mark.browser


def test_live_search_by_pinyin(page, browser_login, make, world):
    for name in ("张三", "周杰", "李玥", "王堃"):
        make.child(world.site, name)
    browser_login(page, world.users["coordinator"])
    page.goto(f"/sites/{world.site.id}/children")
    rows = page.locator("#children-section tbody tr")
    assert rows.count() == 4
    search = page.locator("#child-search")
    section = page.locator("#children-section")
    search.press_sequentially("zh", delay=50)
    expect(rows).to_have_count(2)  # zhangsan, zhoujie
    search.press_sequentially("angs", delay=50)
    expect(rows).to_have_count(1)
    expect(section).to_contain_text("张三")
    search.fill("")
    expect(rows).to_have_count(4)
    search.press_sequentially("zs", delay=50)  # initials
    expect(page).to_have_url(re.compile(r"q=zs"))
    expect(rows).to_have_count(1)
    expect(section).to_contain_text("张三")
    expect(section).not_to_contain_text("李玥")
    page.reload()
    expect(page.locator("#children-section tbody tr")).to_have_count(1)
    assert page.console_errors == []


def test_import_preview_shows_row_errors(page, browser_login, world, tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADERS)
    sheet.append(["张小雨", "女", "2016-09-01", "三年级", "", "", "张建国", "父亲", "13800001234", "", "", "", "", "否", "否"])
    sheet.append(["李四", "男", "2016-13-01", "十年级", "", "", "李父", "父亲", "", "", "", "", "", "否", "否"])
    path = tmp_path / "名单.xlsx"
    workbook.save(path)
    browser_login(page, world.users["coordinator"])
    page.goto(f"/sites/{world.site.id}/children/import")
    page.set_input_files("input[type=file]", str(path))
    page.click("[data-testid=import-form] button.primary")
    problems = page.locator("[data-testid=import-problems]")
    problems.wait_for()
    text = problems.inner_text()
    assert "李四" in text and text.count("\n") >= 3
    assert page.locator("[data-testid=import-problems] li.error").count() == 3  # date, grade, phone
    page.click("[data-testid=import-confirm]")
    # the import had a season (the current one, chosen by default): the coordinator lands on its roster
    page.wait_for_url(f"**/seasons/{world.season.id}/children")
    assert "张小雨" in page.locator("#children-section").inner_text()


def test_on_a_phone_consent_then_enrol_without_a_dead_end(phone_page, browser_login, make, world):
    """360 px: a child without consent shows the way to consent; after it, the enrol form."""
    page = phone_page
    child = make.child(world.site, "王小明")
    browser_login(page, world.users["coordinator"])
    page.goto(f"/children/{child.id}")
    enrolments = page.locator("[data-testid=enrolments]")
    expect(enrolments.locator("button[value=enrol]")).to_have_count(0)
    link = page.locator("[data-testid=consent-needed] a")
    expect(link).to_be_visible()
    link.click()
    page.fill("input[name=guardian_name]", "王妈妈")
    page.fill("input[name=guardian_relation]", "母亲")
    page.check("input[name=agreed]")
    page.click("#consent-form button.primary")
    page.wait_for_url(f"**/children/{child.id}")
    expect(page.locator("[data-testid=consent-needed]")).to_have_count(0)
    enrol = enrolments.locator("button[value=enrol]")
    expect(enrol).to_be_visible()
    assert enrol.bounding_box()["x"] + enrol.bounding_box()["width"] <= 360
    enrol.click()
    expect(enrolments).to_contain_text(world.season.name)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_on_a_phone_a_likely_duplicate_is_merged_from_the_preview(phone_page, browser_login, db, make, world,
                                                                  tmp_path):
    from datetime import date

    from app.children.models import Child

    page = phone_page
    wang = make.child(world.site, "王五", birth_date=date(2015, 1, 2), school="")
    workbook = Workbook()
    workbook.active.append(["旧馆街道2025年暑期班报名表"])
    workbook.active.append(["儿童姓名", "性别", "出生年月", "年级", "就读学校", "监护人", "联系方式", "身份证号"])
    workbook.active.append(["王五", "男", "2015.1.2", "小四", "练市小学", "王父", "13900000005", "330503201501020011"])
    path = tmp_path / "报名表.xlsx"
    workbook.save(path)
    browser_login(page, world.users["coordinator"])
    page.goto(f"/sites/{world.site.id}/children/import")
    page.set_input_files("input[type=file]", str(path))
    page.click("[data-testid=import-form] button.primary")
    page.locator("[data-testid=import-flagged]").wait_for()
    expect(page.locator("[data-testid=import-ignored]")).to_contain_text("身份证号")
    page.select_option("[data-testid=choice-3]", "merge")
    page.click("[data-testid=import-confirm]")
    page.wait_for_url(f"**/seasons/{world.season.id}/children")
    db.session.expire_all()
    assert db.session.get(Child, wang.id).school == "练市小学"
    assert len(db.session.scalars(db.select(Child)).all()) == 1
