"""Issue 9: enrolment and import without dead ends, as a social worker meets them.

- the child page shows the consent state and a way to record consent instead of an "Enrol" button
  that refuses after the click; the enrol form comes back once consent is recorded;
- rosters as schools, community offices and WPS users really write them are read (synonyms of
  headers and values, a title row above the header), every column left out is named;
- a paper consent form's signing date is recorded with the import, so the child can be enrolled;
- a likely duplicate can be imported anyway or merged into the registered child;
- a 10-digit "phone" is refused everywhere with the reason;
- the roster export holds what a coordinator needs on paper and prints on A4 landscape.
"""
from __future__ import annotations

import html
import io
import re
from datetime import date, datetime, timedelta

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from app.children import importer
from app.children.importer import HEADERS
from app.children.models import Child, Consent, Enrolment, Guardian, ImportBatch
from app.children.notice import CURRENT_VERSION
from app.core.timeutil import local_today


def _xlsx(rows) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _upload(client, site, data: bytes, filename: str, season=None):
    form = {"file": (io.BytesIO(data), filename), "season_id": str(season.id) if season else ""}
    return client.post(f"/sites/{site.id}/children/import", data=form, content_type="multipart/form-data")


def _preview(client, response) -> str:
    assert response.status_code == 303, response.get_data(as_text=True)[-3000:]
    return client.get(response.location).get_data(as_text=True)


def _batch_id(db) -> int:
    return db.session.scalar(select(ImportBatch.id).order_by(ImportBatch.id.desc()))


def _count(db, model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


# --- 1. the child page: consent first, then the enrol form ----------------------------------------
def test_child_without_consent_is_offered_consent_not_a_refusing_enrol_button(coordinator, db, make, world):
    child = make.child(world.site, "王小明")
    make.enrolment(child, world.season, status="applied")
    other = make.season(world.site, "2026年寒假", start_date=local_today() + timedelta(days=40),
                        end_date=local_today() + timedelta(days=60))
    page = coordinator.get(f"/children/{child.id}").get_data(as_text=True)
    assert "Enrol (or waitlist when full)" not in page
    assert f'action="/enrolments/{child.enrolments[0].id}/decide"' not in page
    assert 'data-testid="consent-needed"' in page
    assert f'href="/children/{child.id}/consent"' in page
    assert "Record the application (enrol after consent)" in page

    # the roster offers the same way to consent instead of its Enrol button
    roster = coordinator.get(f"/seasons/{world.season.id}/children").get_data(as_text=True)
    assert "Record consent to enrol" in roster and "/decide" not in roster

    # the guardian consents: the child page now offers the enrol form, and enrolling works
    response = coordinator.post(f"/children/{child.id}/consent",
                                data={"guardian_name": "家长", "guardian_relation": "母亲", "agreed": "y"})
    assert response.status_code == 303 and response.location.endswith(f"/children/{child.id}")
    page = coordinator.get(f"/children/{child.id}").get_data(as_text=True)
    assert 'data-testid="consent-needed"' not in page and "/decide" in page
    assert "Enrol (or waitlist when full)" in page
    response = coordinator.post(f"/children/{child.id}/enrolments", data={"season_id": other.id, "action": "enrol"})
    assert response.status_code == 303
    assert db.session.scalar(select(Enrolment.status).where(Enrolment.season_id == other.id)) == "enrolled"


def test_the_enrol_form_defaults_to_the_current_season(coordinator, make, world):
    today = local_today()
    make.season(world.site, "过去的班", start_date=today - timedelta(days=300), end_date=today - timedelta(days=250))
    current = make.season(world.site, "正在进行的班", start_date=today - timedelta(days=3),
                          end_date=today + timedelta(days=30))
    make.season(world.site, "以后的班", start_date=today + timedelta(days=100), end_date=today + timedelta(days=130))
    child = make.child(world.site)
    page = coordinator.get(f"/children/{child.id}").get_data(as_text=True)
    assert re.search(rf'<option selected value="{current.id}">|<option value="{current.id}" selected', page), page
    page = coordinator.get(f"/sites/{world.site.id}/children/import").get_data(as_text=True)
    assert re.search(rf'<option selected value="{current.id}">|<option value="{current.id}" selected', page)


# --- 2. template, paper consent, duplicates, landing ----------------------------------------------
ROW = ["张小雨", "女", "2016-09-01", "三年级", "旧馆小学", "安徽阜阳", "张建国", "父亲", "13800001234",
       "织里纺织有限公司", "花生", "", "", "否", "否"]


def test_headers_are_read_with_or_without_the_asterisk(coordinator, db, world):
    assert "姓名*" in HEADERS and "学校" in HEADERS
    plain = [h.rstrip("*") for h in HEADERS]
    for index, headers in enumerate((HEADERS, plain)):
        row = list(ROW)
        row[0] = f"孩子{index}"
        preview = _preview(coordinator, _upload(coordinator, world.site, _xlsx([headers, row]), "a.xlsx"))
        assert "1 rows: 1 can be saved." in preview
        assert "have problems" not in preview  # nothing wrong: no "0 have problems"
        assert "import-ignored" not in preview  # every column is read


def test_paper_consent_from_the_import_lets_the_child_be_enrolled_at_once(coordinator, db, world):
    rows = [HEADERS, ROW + ["奶奶带", "2025-06-01"], ["李四", "男", "2015-05-05", "4", "", "", "李父", "父亲",
                                                      "13800000002", "", "", "", "", "否", "否", "", ""]]
    preview = _preview(coordinator, _upload(coordinator, world.site, _xlsx(rows), "a.xlsx", world.season))
    assert "Paper consent form, signed on 2025-06-01" in preview
    response = coordinator.post(f"/imports/{_batch_id(db)}/confirm", data={})
    # the import had a season: the coordinator lands on its roster
    assert response.status_code == 303 and response.location.endswith(f"/seasons/{world.season.id}/children")

    child = db.session.scalar(select(Child).where(Child.name == "张小雨"))
    consent = db.session.scalar(select(Consent).where(Consent.child_id == child.id))
    assert consent.source == "paper" and consent.signed_on == date(2025, 6, 1)
    assert consent.notice.version == CURRENT_VERSION
    assert consent.recorded_by_id == world.users["coordinator"].id
    assert consent.guardian_name == "张建国" and consent.guardian_relation == "父亲"
    assert child.notes == "奶奶带"  # the remark is kept
    li = db.session.scalar(select(Child).where(Child.name == "李四"))
    assert _count(db, Consent, Consent.child_id == li.id) == 0

    page = coordinator.get(f"/children/{child.id}").get_data(as_text=True)
    assert "Paper consent form, signed on Jun 1, 2025" in page
    roster = coordinator.get(f"/seasons/{world.season.id}/children").get_data(as_text=True)
    enrolment = db.session.scalar(select(Enrolment).where(Enrolment.child_id == child.id))
    assert f"/enrolments/{enrolment.id}/decide" in roster  # enrol at once ...
    assert coordinator.post(f"/enrolments/{enrolment.id}/decide", data={"back": "roster"}).status_code == 303
    db.session.refresh(enrolment)
    assert enrolment.status == "enrolled"
    # ... while the child without a paper form is offered the consent page
    assert f'href="/children/{li.id}/consent"' in roster

    # in Chinese the page says 纸质同意书，签署于 …
    coordinator.post("/auth/language", data={"locale": "zh_CN"})
    assert "纸质同意书，签署于 2025年6月1日" in coordinator.get(f"/children/{child.id}").get_data(as_text=True)


@pytest.mark.parametrize("value,message", [
    ("2099-01-01", "cannot be signed on 2099-01-01"),
    ("去年夏天", "Bad paper consent date"),
])
def test_a_bad_paper_consent_date_is_a_row_problem(coordinator, db, world, value, message):
    preview = _preview(coordinator, _upload(coordinator, world.site, _xlsx([HEADERS, ROW + ["", value]]), "a.xlsx"))
    assert message in preview and "1 have problems" in preview


def test_without_a_season_the_import_lands_on_the_child_list(coordinator, db, world):
    _preview(coordinator, _upload(coordinator, world.site, _xlsx([HEADERS, ROW]), "a.xlsx"))
    response = coordinator.post(f"/imports/{_batch_id(db)}/confirm", data={})
    assert response.location.endswith(f"/sites/{world.site.id}/children")


def test_a_likely_duplicate_is_merged_or_imported_anyway_as_chosen(coordinator, db, make, world):
    wang = make.child(world.site, "王五", birth_date=date(2015, 1, 2), grade=4, school="")
    rows = [HEADERS,
            ["王五", "男", "2015-01-02", "5", "练市小学", "", "王父", "父亲", "13900000005", "", "芒果", "", "", "否",
             "否", "", "2025-06-03"],
            ["张小雨", "女", "2016-09-01", "三年级", "", "", "张建国", "父亲", "13800001234", "", "", "", "", "否", "否"],
            ["张小雨", "女", "2016-09-01", "三年级", "", "", "张建国", "父亲", "13800001234", "", "", "", "", "否", "否"]]
    preview = _preview(coordinator, _upload(coordinator, world.site, _xlsx(rows), "a.xlsx", world.season))
    assert 'name="row-2"' in preview and 'value="merge"' in preview and 'name="row-4"' in preview
    batch_id = _batch_id(db)

    # the choice is validated: merging is only offered where a child is registered; unknown rows refused
    for bad in ({"row-4": "merge"}, {"row-2": "delete"}, {"row-3": "import"}, {"row-99": "import"}):
        response = coordinator.post(f"/imports/{batch_id}/confirm", data=bad, follow_redirects=True)
        assert response.status_code == 200
        assert "row" in _text(response.get_data(as_text=True))
        assert _count(db, Child) == 1 and _count(db, ImportBatch) == 1
    response = coordinator.post(f"/imports/{batch_id}/confirm", data={"row-4": "merge"}, follow_redirects=True)
    assert "Choose what to do with row 4" in response.get_data(as_text=True)

    response = coordinator.post(f"/imports/{batch_id}/confirm", data={"row-2": "merge", "row-4": "import"})
    assert response.status_code == 303
    message = _text(coordinator.get(response.location).get_data(as_text=True))
    assert "2 children saved" in message and "1 rows were merged" in message
    assert "王五: the record was kept where the file differs (Grade)" in message
    db.session.expire_all()
    wang = db.session.get(Child, wang.id)
    assert _count(db, Child, Child.name == "王五") == 1
    assert wang.school == "练市小学" and wang.allergies == "芒果"  # empty fields filled
    assert wang.grade == 4  # never overwritten silently
    assert sorted(g.phone for g in wang.guardians) == sorted([wang.guardians[0].phone, "13900000005"])
    assert [c.source for c in wang.consents] == ["paper"]
    assert _count(db, Enrolment, Enrolment.child_id == wang.id, Enrolment.season_id == world.season.id) == 1
    assert _count(db, Child, Child.name == "张小雨") == 2  # row 4 imported anyway


def test_merging_twice_does_not_add_the_same_guardian_twice(coordinator, db, make, world):
    wang = make.child(world.site, "王五", birth_date=date(2015, 1, 2), guardian_phone="13900000005")
    rows = [HEADERS, ["王五", "男", "2015-01-02", "4", "", "", "王父", "父亲", "13900000005", "", "", "", "", "否", "否"]]
    _preview(coordinator, _upload(coordinator, world.site, _xlsx(rows), "a.xlsx"))
    assert coordinator.post(f"/imports/{_batch_id(db)}/confirm", data={"row-2": "merge"}).status_code == 303
    assert _count(db, Guardian, Guardian.child_id == wang.id) == 1 and _count(db, Child) == 1


# --- 3. rosters in realistic styles ----------------------------------------------------------------
def test_a_schools_export_with_junior_grades(coordinator, db, world):
    rows = [["学生姓名", "性别", "出生日期", "年级", "就读学校", "家长姓名", "手机号码", "与学生关系"],
            ["陈一", "男", datetime(2012, 3, 4), "初1", "织里中学", "陈父", "138-0000-0001", "爸爸"],
            ["陈二", "女", datetime(2011, 5, 6), "初2", "织里中学", "陈母", "13800000002", "妈妈"],
            ["陈三", "男", datetime(2010, 7, 8), "初中三年级", "织里中学", "陈奶奶", "13800000003", "祖母"]]
    preview = _preview(coordinator, _upload(coordinator, world.site, _xlsx(rows), "学校导出.xlsx"))
    assert "3 rows: 3 can be saved." in preview
    coordinator.post(f"/imports/{_batch_id(db)}/confirm", data={})
    found = {c.name: (c.grade, c.guardians[0].relation) for c in db.session.scalars(select(Child))}
    assert found == {"陈一": (7, "父亲"), "陈二": (8, "母亲"), "陈三": (9, "奶奶")}


def test_a_community_offices_sheet_with_a_title_row_remarks_and_excel_dates(coordinator, db, world):
    excel_number = (date(2016, 9, 1) - date(1899, 12, 30)).days  # what an unformatted Excel date cell holds
    rows = [["旧馆街道2025年暑期班报名表"],
            ["序号", "儿童姓名", "性别", "出生年月", "年级", "监护人", "与儿童关系", "联系方式", "身份证号", "备注"],
            [1, "周小", "女", "2016.9.1", "小三", "周母", "母亲", "0572-1234567", "330503201609010021", "晕车"],
            [2, "吴大", "男", excel_number, "3", "吴爷爷", "外公", "13800000012", "", ""],
            [3, "郑中", "男", "2015年3月2日", "四年级", "郑父", "叔叔", "13800000013", "", "周二请假"]]
    preview = _preview(coordinator, _upload(coordinator, world.site, _xlsx(rows), "报名表.xlsx"))
    assert "3 rows: 3 can be saved." in preview
    ignored = _text(preview)
    assert "These columns were not imported: 序号（row numbers are not needed）、身份证号（ID numbers are not imported）" \
        in ignored
    coordinator.post(f"/imports/{_batch_id(db)}/confirm", data={})
    children = {c.name: c for c in db.session.scalars(select(Child))}
    assert children["周小"].birth_date == date(2016, 9, 1) and children["周小"].notes == "晕车"
    assert children["周小"].guardians[0].phone == "05721234567"
    assert children["吴大"].birth_date == date(2016, 9, 1) and children["吴大"].guardians[0].relation == "外公"
    assert children["郑中"].guardians[0].relation == "叔叔" and children["郑中"].notes == "周二请假"
    assert "330503" not in str([c.notes for c in children.values()])


def test_a_gbk_csv_from_wps_names_the_columns_it_does_not_import(coordinator, db, world):
    lines = ["姓名,性别,生日,年级,监护人,关系,电话号码,兴趣爱好,,可独自回家",
             "孙悟,男,2016/9/1,小学三年级,孙父,父,13800000021,画画,,是",
             "钱多,女,20150302,G4,钱母,妈,13800000022,,自己写的,否"]
    data = ("\r\n".join(lines) + "\r\n").encode("gbk")
    preview = _preview(coordinator, _upload(coordinator, world.site, data, "名单.csv"))
    assert "2 rows: 2 can be saved." in preview
    text = _text(preview)
    assert "兴趣爱好（unknown column）" in text and "column I（it has no column name）" in text


def test_a_year_and_month_only_is_a_clear_row_problem(coordinator, db, world):
    rows = [HEADERS, ["张小雨", "女", "2016.9", "三年级", "", "", "张建国", "父亲", "13800001234"]]
    preview = _preview(coordinator, _upload(coordinator, world.site, _xlsx(rows), "a.xlsx"))
    assert "has no day: write the whole date" in preview


@pytest.mark.parametrize("value,grade", [
    ("初1", 7), ("初2", 8), ("初3", 9), ("初一", 7), ("初二", 8), ("初三", 9), ("七年级", 7), ("7年级", 7),
    ("小一", 1), ("小六", 6), ("一年级", 1), ("三年级", 3), ("3", 3), ("三", 3), ("小学三年级", 3), ("G3", 3),
    ("g9", 9), (3.0, 3), ("初中一年级", 7), ("九年级", 9), ("十年级", None), ("小七", None), ("初四", None),
    ("高一", None), ("", None),
])
def test_grades_as_rosters_write_them(app, value, grade):
    assert importer.parse_grade(value) == grade


@pytest.mark.parametrize("value,day", [
    ("2016-09-01", date(2016, 9, 1)), ("2016/9/1", date(2016, 9, 1)), ("2016.9.1", date(2016, 9, 1)),
    ("2016年9月1日", date(2016, 9, 1)), ("20160901", date(2016, 9, 1)), (42614, date(2016, 9, 1)),
    ("42614", date(2016, 9, 1)), (datetime(2016, 9, 1), date(2016, 9, 1)), ("2016-09-01 00:00:00", date(2016, 9, 1)),
    ("2016-13-01", None), ("昨天", None),
])
def test_dates_as_rosters_write_them(app, value, day):
    assert importer._parse_date(value) == day


def test_sexes_relations_and_yes_no(app):
    assert [importer._parse_sex(v) for v in ("男", "男孩", "M", "女", "女生", "female", "?")] == \
        ["m", "m", "m", "f", "f", "f", None]
    assert [importer._parse_relation(v) for v in ("爸爸", "父", "妈妈", "祖父", "祖母", "外祖父", "外祖母", "其它", "姑姑")] \
        == ["父亲", "父亲", "母亲", "爷爷", "奶奶", "外公", "外婆", "其他", "姑姑"]
    assert [importer._parse_yes_no(v) for v in ("是", "√", "有", "否", "无", "", "不是", "也许")] == \
        [True, True, True, False, False, False, False, None]


# --- 4. phone numbers: a 10-digit number is refused everywhere, with the reason --------------------
TEN = "1382222000"
REASON = "has 11 digits and starts with 13 to 19 (this one has 10 digits)"


def test_a_ten_digit_phone_is_refused_in_every_form_with_the_reason(coordinator, db, make, world):
    new = {"name": "张三", "sex": "m", "birth_date": "2016-03-01", "grade": "3", "guardian_name": "张建国",
           "guardian_relation": "父亲", "guardian_phone": TEN}
    response = coordinator.post(f"/sites/{world.site.id}/children/new", data=new)
    assert response.status_code == 422 and REASON in response.get_data(as_text=True)
    assert _count(db, Child) == 0
    child = make.child(world.site)
    for table in ("guardians", "pickups"):
        response = coordinator.post(f"/children/{child.id}/{table}",
                                    data={"name": "李四", "relation": "舅舅", "phone": TEN})
        assert response.status_code == 422 and REASON in response.get_data(as_text=True), table
    assert _count(db, Guardian) == 1


def test_a_ten_digit_phone_is_a_row_problem_in_the_import_with_the_reason(coordinator, db, world):
    row = list(ROW)
    row[8] = TEN
    preview = _preview(coordinator, _upload(coordinator, world.site, _xlsx([HEADERS, row]), "a.xlsx"))
    assert f"The guardian's phone “{TEN}” is not a phone number: A mobile number {REASON}" in html.unescape(preview)
    assert "1 have problems" in preview


# --- 5. the roster on paper ------------------------------------------------------------------------
def test_the_roster_export_is_ready_for_paper(coordinator, db, make, world):
    child = make.child(world.site, "赵小", allergies="花生", conditions="哮喘", medicines="沙丁胺醇喷雾",
                       notes="周三由舅舅接")
    make.consent(child)
    make.enrolment(child, world.season)
    response = coordinator.get(f"/seasons/{world.season.id}/children.xlsx")
    sheet = load_workbook(io.BytesIO(response.data)).active
    headers = [c.value for c in sheet[1]]
    for column in ("Full name", "Guardians", "Pickup persons", "Allergies", "Health conditions", "Medicines",
                   "High risk", "May go home alone", "Consent", "Notes"):
        assert column in headers, column
    row = dict(zip(headers, [c.value for c in sheet[2]]))
    assert row["Health conditions"] == "哮喘" and row["Medicines"] == "沙丁胺醇喷雾"
    assert row["Notes"] == "周三由舅舅接" and row["Consent"].startswith("Consented on")
    assert "家长（母亲）" in row["Guardians"]
    assert sheet.freeze_panes == "A2"
    assert sheet.print_title_rows == "$1:$1"
    assert sheet.page_setup.orientation == "landscape" and str(sheet.page_setup.paperSize) == "9"  # A4
    guardians = sheet.column_dimensions[sheet.cell(1, headers.index("Guardians") + 1).column_letter].width
    number = sheet.column_dimensions["A"].width
    assert guardians > number and guardians >= len(row["Guardians"])  # sized to content


# --- a paper form in hand, recorded on the consent page ---------------------------------------------
def test_a_paper_consent_form_can_be_recorded_on_the_consent_page(coordinator, db, make, world):
    child = make.child(world.site)
    url = f"/children/{child.id}/consent"
    data = {"guardian_name": "家长", "guardian_relation": "母亲", "agreed": "y"}
    response = coordinator.post(url, data={**data, "signed_on": (local_today() + timedelta(days=1)).isoformat()})
    assert response.status_code == 422 and "between 2000 and today" in response.get_data(as_text=True)
    response = coordinator.post(url, data={**data, "signed_on": "昨天"})
    assert response.status_code == 422 and _count(db, Consent) == 0
    response = coordinator.post(url, data={**data, "signed_on": "2025-06-01"})
    assert response.status_code == 303
    consent = db.session.scalar(select(Consent))
    assert (consent.source, consent.signed_on) == ("paper", date(2025, 6, 1))
    assert "Paper consent form, signed on Jun 1, 2025" in coordinator.get(f"/children/{child.id}").get_data(as_text=True)
    coordinator.post(url, data=data)  # agreed on the page: online, no signing day
    assert [(c.source, c.signed_on) for c in db.session.scalars(select(Consent).order_by(Consent.id))] == \
        [("paper", date(2025, 6, 1)), ("online", None)]
