"""Importing a roster: template, preview with every row's problems, confirm, and bad files."""
from __future__ import annotations

import gc
import io
import warnings
from datetime import date

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from app.children.importer import HEADERS
from app.children.models import AuditEntry, Child, Enrolment, Guardian, ImportBatch

GOOD = ["张小雨", "女", "2016-09-01", "三年级", "旧馆小学", "安徽阜阳", "张建国", "父亲", "13800001234",
        "织里纺织有限公司", "花生", "", "", "否", "否"]


def _xlsx(rows, headers=HEADERS) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    if headers:
        sheet.append(headers)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _csv(rows, encoding="utf-8-sig", headers=HEADERS) -> bytes:
    lines = [",".join(headers)] + [",".join(str(v) for v in row) for row in rows]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def _upload(client, site, data: bytes, filename: str, season=None):
    form = {"file": (io.BytesIO(data), filename)}
    if season is not None:
        form["season_id"] = str(season.id)
    return client.post(f"/sites/{site.id}/children/import", data=form, content_type="multipart/form-data")


def _children(db):
    return db.session.scalar(select(func.count()).select_from(Child))


def test_template_has_chinese_headers(coordinator):
    response = coordinator.get("/children/import-template.xlsx")
    sheet = load_workbook(io.BytesIO(response.data)).active
    # required columns carry an asterisk; the optional ones do not
    assert [c.value for c in sheet[1]][:6] == ["姓名*", "性别*", "出生日期*", "年级*", "学校", "籍贯"]
    assert "监护人电话*" in [c.value for c in sheet[1]]
    assert "纸质同意书签署日期" in [c.value for c in sheet[1]] and "备注" in [c.value for c in sheet[1]]


def test_import_with_errors_then_success(coordinator, db, make, world):
    make.child(world.site, "王五", birth_date=date(2015, 1, 2))
    rows = [
        GOOD,
        ["李四", "男", "2016-13-01", "三年级", "", "", "李父", "父亲", "13800000002", "", "", "", "", "否", "否"],
        ["赵六", "男", "2015-05-05", "十年级", "", "", "赵父", "父亲", "13800000003", "", "", "", "", "否", "否"],
        ["钱七", "女", "2015-05-05", "四年级", "", "", "钱母", "母亲", "", "", "", "", "", "否", "否"],
        ["王五", "男", "2015-01-02", "4", "", "", "王父", "父亲", "13800000005", "", "", "", "", "否", "否"],
        ["孙八", "男", "=DATE(2015,1,1)", "4", "", "", "孙父", "父亲", "13800000006", "", "", "", "", "否", "否"],
        ["周九", "女", date(2014, 2, 3), 5, "练市小学", "贵州毕节", "周母", "母亲", 13800000007, "电子厂", "", "", "",
         "是", "否"],
    ]
    response = _upload(coordinator, world.site, _xlsx(rows), "名单.xlsx", season=world.season)
    assert response.status_code == 303
    assert _children(db) == 1  # nothing saved yet
    preview = coordinator.get(response.location).get_data(as_text=True)
    for expected in ("Bad date", "Unknown grade", "phone is missing", "Likely duplicate", "formula"):
        assert expected in preview, expected
    assert "7 rows: 2 can be saved." in preview and "4 have problems" in preview
    assert "1 look like children already registered" in preview  # 王五: the coordinator chooses
    assert f"名单.xlsx</strong> → {world.season.name}" in preview  # the season, loaded with the batch

    batch_id = db.session.scalar(select(ImportBatch.id))
    response = coordinator.post(f"/imports/{batch_id}/confirm", data={})
    assert response.status_code == 303
    assert _children(db) == 3
    zhou = db.session.scalar(select(Child).where(Child.name == "周九"))
    assert zhou.high_risk and zhou.grade == 5 and zhou.guardians[0].phone == "13800000007"
    assert zhou.name_initials == "zj" and zhou.birth_date == date(2014, 2, 3)
    assert db.session.scalar(select(func.count()).select_from(Enrolment).where(Enrolment.status == "applied")) == 2
    assert db.session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "import")) == 2
    assert db.session.scalar(select(func.count()).select_from(ImportBatch)) == 0  # the preview is gone
    # confirming twice saves nothing more
    assert coordinator.post(f"/imports/{batch_id}/confirm", data={}).status_code == 404
    assert _children(db) == 3


def test_duplicates_within_the_file(coordinator, db, world):
    response = _upload(coordinator, world.site, _xlsx([GOOD, GOOD]), "a.xlsx")
    preview = coordinator.get(response.location).get_data(as_text=True)
    assert "Likely duplicate of row 2" in preview


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gbk", "gb18030", "utf-16"])
def test_csv_in_every_encoding_excel_writes(coordinator, db, world, encoding):
    data = _csv([GOOD], encoding=encoding)
    if encoding == "utf-16":
        data = data.decode("utf-16").replace(",", "\t").encode("utf-16")
    response = _upload(coordinator, world.site, data, "名单.csv")
    assert response.status_code == 303, response.get_data(as_text=True)
    preview = coordinator.get(response.location).get_data(as_text=True)
    assert "张小雨" in preview and "1 rows: 1 can be saved" in preview


@pytest.mark.parametrize("data,filename,message", [
    (b"", "a.csv", "The file is empty"),
    (b"not a zip at all", "a.xlsx", "could not be read as an Excel workbook"),
    (b"PK\x03\x04broken", "a.xlsx", "could not be read as an Excel workbook"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "a.xls", ".xls"),
    (b"\x89PNG\r\n\x1a\n\0\0\0", "photo.png", "Upload an Excel (.xlsx) or CSV file"),
    (b"\x89PNG\r\n\x1a\n\0\0\0", "photo.csv", "not a text (CSV) file"),
    ("姓名,性别\n张三,男\n".encode(), "a.csv", "Missing: 出生日期"),
    (",".join(HEADERS).encode("utf-8"), "a.csv", "no rows of children"),
])
def test_bad_files_are_refused_with_a_clear_message(coordinator, db, world, data, filename, message):
    response = _upload(coordinator, world.site, data, filename)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert _children(db) == 0 and db.session.scalar(select(func.count()).select_from(ImportBatch)) == 0


def test_empty_sheet(coordinator, db, world):
    response = _upload(coordinator, world.site, _xlsx([], headers=None), "empty.xlsx")
    assert response.status_code == 422 and "The file is empty" in response.get_data(as_text=True)


def test_no_file_chosen(coordinator, world):
    response = coordinator.post(f"/sites/{world.site.id}/children/import", data={},
                                content_type="multipart/form-data")
    assert response.status_code == 422 and "Choose a file" in response.get_data(as_text=True)


def test_ten_thousand_rows_are_refused_and_nothing_saved(coordinator, db, world):
    rows = [[f"孩子{i}", "男", "2016-01-01", "3", "", "", "家长", "父亲", f"138{i:08d}", "", "", "", "", "否", "否"]
            for i in range(10000)]
    for data, filename in ((_xlsx(rows), "big.xlsx"), (_csv(rows), "big.csv")):
        response = _upload(coordinator, world.site, data, filename)
        assert response.status_code == 422
        assert "more than 5,000 rows" in response.get_data(as_text=True)
    # werkzeug's test client spools a large request body to a temporary file it never closes;
    # collect it here rather than letting its ResourceWarning surface in a later test
    del response
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        gc.collect()
    assert _children(db) == 0


def test_other_sites_coordinator_cannot_see_or_confirm_a_preview(app, coordinator, db, login, world):
    response = _upload(coordinator, world.site, _xlsx([GOOD]), "a.xlsx")
    batch_url = response.location
    other = app.test_client()
    login(other, world.users["other_coordinator"])
    assert other.get(batch_url).status_code == 403
    assert other.post(batch_url + "/confirm", data={}).status_code == 403
    assert _children(db) == 0


def test_cancel_and_expired_preview(coordinator, db, world):
    from datetime import timedelta

    response = _upload(coordinator, world.site, _xlsx([GOOD]), "a.xlsx")
    batch = db.session.scalar(select(ImportBatch))
    batch.expires_at -= timedelta(days=2)
    db.session.commit()
    assert "expired" in coordinator.get(response.location).get_data(as_text=True)
    coordinator.post(f"/imports/{batch.id}/confirm", data={})
    assert _children(db) == 0
    coordinator.post(f"/imports/{batch.id}/cancel", data={})
    assert db.session.scalar(select(func.count()).select_from(ImportBatch)) == 0


def test_grade_and_date_spellings():
    from app.children.importer import _parse_date, parse_grade

    assert [parse_grade(v) for v in ("3", 3, 3.0, "三年级", "小学三年级", "初一", "初三", "九年级", "7年级")] == \
        [3, 3, 3, 3, 3, 7, 9, 9, 7]
    assert [parse_grade(v) for v in ("十年级", "0", "", None, "高一")] == [None] * 5
    assert {_parse_date(v) for v in ("2016-09-01", "2016/9/1", "2016.9.1", "20160901", "2016年9月1日")} == \
        {date(2016, 9, 1)}
    assert _parse_date("01/09/2016") is None and _parse_date("2016-02-30") is None
