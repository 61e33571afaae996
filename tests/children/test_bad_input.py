"""What people paste into the children's forms: NUL bytes, control characters, text that is too
long, names that look like spreadsheet formulas. Each gets a clear message or is cleaned, nothing
half-written, and the exports still open with every value as typed (text, never a formula)."""
from __future__ import annotations

import io
import json

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from app.children.models import AuditEntry, Child, Consent, Enrolment, ErasureRecord, Guardian, ImportBatch

NEW_CHILD = {"name": "张三", "sex": "m", "birth_date": "2016-03-01", "grade": "3", "school": "旧馆小学",
             "hometown": "安徽阜阳", "guardian_name": "张建国", "guardian_relation": "父亲",
             "guardian_phone": "13800001111", "guardian_employer": "", "allergies": ""}


def _count(db, model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _new(coordinator, world, **change):
    return coordinator.post(f"/sites/{world.site.id}/children/new", data={**NEW_CHILD, **change})


def test_nul_bytes_and_control_characters_are_cleaned_not_stored(coordinator, db, world):
    response = _new(coordinator, world, name="张\x00三", school="旧馆\x00小学", allergies="花生\x0b\x1b牛奶\r\n鸡蛋",
                    guardian_name="张\x07建国")
    assert response.status_code == 303
    child = db.session.scalar(select(Child))
    assert child.name == "张 三" and child.school == "旧馆 小学"
    assert child.allergies == "花生牛奶\n鸡蛋" and child.guardians[0].name == "张 建国"


@pytest.mark.parametrize("field,limit", [("allergies", 1000), ("conditions", 1000), ("medicines", 1000),
                                         ("notes", 2000), ("school", 120), ("hometown", 120),
                                         ("guardian_name", 60), ("guardian_employer", 120)])
def test_over_long_text_is_refused_on_its_field(coordinator, db, world, field, limit):
    response = _new(coordinator, world, **{field: "长" * (limit + 1)})
    assert response.status_code == 422
    assert f"At most {limit}" in response.get_data(as_text=True)
    assert _count(db, Child) == 0 and _count(db, Guardian) == 0 and _count(db, AuditEntry) == 0


def test_edit_form_bad_input_changes_nothing(coordinator, db, make, world):
    child = make.child(world.site, "王小明", allergies="花生")
    data = {"name": "王小明", "sex": "m", "birth_date": "2016-05-01", "grade": "3", "allergies": "虾" * 1001}
    response = coordinator.post(f"/children/{child.id}/edit", data=data)
    assert response.status_code == 422 and "At most 1000" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Child, child.id).allergies == "花生"
    assert _count(db, AuditEntry, AuditEntry.action == "update") == 0


@pytest.mark.parametrize("change,message", [
    ({"guardian_name": ""}, "This field is required"),
    ({"guardian_name": "家" * 61}, "At most 60"),
    ({"guardian_relation": "关" * 21}, "At most 20"),
    ({"agreed": ""}, "only be recorded when the guardian agrees"),
])
def test_consent_bad_input(coordinator, db, make, world, change, message):
    child = make.child(world.site)
    data = {"guardian_name": "家长", "guardian_relation": "母亲", "agreed": "y", **change}
    response = coordinator.post(f"/children/{child.id}/consent", data={k: v for k, v in data.items() if v != ""})
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert _count(db, Consent) == 0 and _count(db, AuditEntry, AuditEntry.action == "consent") == 0


def test_consent_with_control_characters_is_cleaned(coordinator, db, make, world):
    child = make.child(world.site)
    response = coordinator.post(f"/children/{child.id}/consent",
                                data={"guardian_name": "刘\x00芳", "guardian_relation": "母亲\x1b", "agreed": "y"})
    assert response.status_code == 303
    consent = db.session.scalar(select(Consent))
    assert (consent.guardian_name, consent.guardian_relation) == ("刘 芳", "母亲")


def test_erase_reason_too_long_erases_nothing(coordinator, db, make, world):
    child = make.child(world.site, "张三")
    response = coordinator.post(f"/children/{child.id}/erase", data={"reason": "因" * 301, "confirm": "y"})
    assert response.status_code == 422 and "At most 300" in response.get_data(as_text=True)
    assert _count(db, ErasureRecord) == 0
    db.session.expire_all()
    assert db.session.get(Child, child.id).name == "张三"


@pytest.mark.parametrize("value", ["", "abc", "１２x", "99999999999999999999999", "-1"])
def test_enrol_with_an_unreadable_season_is_refused_with_a_message(coordinator, db, make, world, value):
    child = make.child(world.site)
    make.consent(child)
    response = coordinator.post(f"/children/{child.id}/enrolments", data={"season_id": value, "action": "enrol"})
    assert response.status_code == 422  # the child's page again, the message on the season
    page = response.get_data(as_text=True)
    assert 'aria-describedby="enrol-season_id-error"' in page and _count(db, Enrolment) == 0


def test_enrol_in_another_sites_season_is_refused(coordinator, db, make, world):
    child = make.child(world.site)
    make.consent(child)
    other = make.season(world.other_site)
    response = coordinator.post(f"/children/{child.id}/enrolments", data={"season_id": other.id, "action": "enrol"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "Choose a season of this site" in page and _count(db, Enrolment) == 0


def test_import_into_another_sites_season_is_refused(coordinator, db, make, world):
    from tests.children.test_import import GOOD, _upload, _xlsx

    response = _upload(coordinator, world.site, _xlsx([GOOD]), "a.xlsx", season=make.season(world.other_site))
    assert response.status_code == 422 and "Choose a season of this site" in response.get_data(as_text=True)
    assert _count(db, ImportBatch) == 0


# --- exports open, and keep what was typed --------------------------------------------------------
FORMULAS = ["=1+1", "+8613800001111", "-2+3", "@SUM(A1:A2)", "=HYPERLINK(\"http://x\",\"点我\")"]


def test_control_characters_in_allergies_then_the_season_export_opens(coordinator, db, make, world):
    child = make.child(world.site, "李四")
    make.enrolment(child, world.season)
    data = {"name": "李四", "sex": "f", "birth_date": "2016-05-01", "grade": "3",
            "allergies": "花生\x00\x0b\x1b\x7f牛奶", "conditions": "哮喘\x0c", "medicines": "沙丁胺醇\x1f"}
    assert coordinator.post(f"/children/{child.id}/edit", data=data).status_code == 303
    response = coordinator.get(f"/seasons/{world.season.id}/children.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    row = dict(zip(rows[0], rows[1]))
    assert (row["Allergies"], row["Health conditions"], row["Medicines"]) == ("花生牛奶", "哮喘", "沙丁胺醇")


@pytest.mark.parametrize("name", FORMULAS)
def test_formula_looking_names_are_exported_as_text(coordinator, db, make, world, name):
    response = coordinator.post(f"/sites/{world.site.id}/children/new",
                                data={**NEW_CHILD, "name": name, "allergies": name, "school": name})
    assert response.status_code == 303, response.get_data(as_text=True)[:300]
    child = db.session.scalar(select(Child))
    assert child.name == name  # stored as typed
    make.enrolment(child, world.season)

    sheet = load_workbook(io.BytesIO(coordinator.get(f"/seasons/{world.season.id}/children.xlsx").data)).active
    headers = [c.value for c in sheet[1]]
    for column in ("Full name", "School", "Allergies"):
        cell = sheet.cell(2, headers.index(column) + 1)
        assert cell.data_type == "s" and cell.value == name, (column, cell.data_type, cell.value)

    book = load_workbook(io.BytesIO(coordinator.get(f"/children/{child.id}/export.xlsx").data))
    record = book.worksheets[0]
    cells = {row[0].value: row[1] for row in record.iter_rows(min_row=2)}
    assert cells["Full name"].data_type == "s" and cells["Full name"].value == name
    assert cells["Allergies"].data_type == "s" and cells["Allergies"].value == name
    data = json.loads(coordinator.get(f"/children/{child.id}/export.json").data)
    assert {"Field": "Full name", "Value": name} in data["Child"]
