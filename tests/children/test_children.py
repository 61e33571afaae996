"""Journeys of a coordinator through the children area: create, consent, enrol, waitlist,
search, guardians, export, erase, and the audit trail."""
from __future__ import annotations

import io
import json
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select, text

from app.children.models import (AuditEntry, Child, Consent, ConsentNotice, Enrolment, ErasureRecord,
                                 Guardian, PickupPerson)

NEW_CHILD = {"name": "张三", "sex": "m", "birth_date": "2016-03-01", "grade": "3", "school": "旧馆小学",
             "hometown": "安徽阜阳", "guardian_name": "张建国", "guardian_relation": "父亲",
             "guardian_phone": "138 0000 1111", "guardian_employer": "织里纺织有限公司", "allergies": "花生"}


def _count(db, model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _described(entry, locale: str) -> str:
    """The entry as the audit trail shows it to a reader of ``locale``."""
    from flask import current_app
    from flask_babel import force_locale

    from app.core.audit import describe_all

    with current_app.test_request_context(), force_locale(locale):
        return describe_all([entry])[entry.id]


# --- create and edit ------------------------------------------------------------------------------
def test_create_child_with_guardian_and_pinyin(coordinator, db, world):
    response = coordinator.post(f"/sites/{world.site.id}/children/new", data=NEW_CHILD)
    assert response.status_code == 303
    child = db.session.scalar(select(Child))
    assert (child.name, child.name_pinyin, child.name_initials) == ("张三", "zhangsan", "zs")
    assert child.guardians[0].phone == "13800001111" and child.guardians[0].employer == "织里纺织有限公司"
    assert response.location.endswith(f"/children/{child.id}")
    page = coordinator.get(response.location).get_data(as_text=True)
    assert "张三" in page and 'data-testid="child-alert"' in page and "花生" in page
    assert _count(db, AuditEntry, AuditEntry.action == "create", AuditEntry.child_id == child.id) == 1


@pytest.mark.parametrize("change,field_message", [
    ({"name": ""}, "This field is required"),
    ({"birth_date": "2016-13-45"}, "YYYY-MM-DD"),
    ({"birth_date": "2030-01-01"}, "future"),
    ({"birth_date": "1990-01-01"}, "school age"),
    ({"grade": "12"}, "grade from 1 to 9"),
    ({"grade": "abc"}, "grade from 1 to 9"),
    ({"sex": "x"}, "Not a valid choice"),
    ({"guardian_phone": ""}, "This field is required"),
    ({"guardian_phone": "call me"}, "phone number"),
    ({"name": "张" * 61}, "At most 60"),
])
def test_create_child_bad_input(coordinator, db, world, change, field_message):
    response = coordinator.post(f"/sites/{world.site.id}/children/new", data={**NEW_CHILD, **change})
    assert response.status_code == 422
    assert field_message in response.get_data(as_text=True)
    assert _count(db, Child) == 0 and _count(db, Guardian) == 0 and _count(db, AuditEntry) == 0


def test_invalid_form_over_htmx_returns_the_form_fragment(coordinator, world):
    response = coordinator.post(f"/sites/{world.site.id}/children/new", data={**NEW_CHILD, "name": ""},
                                headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "<html" not in html and 'id="child-form"' in html


def test_likely_duplicate_is_flagged_on_create(coordinator, db, make, world):
    make.child(world.site, "张三", birth_date=date(2016, 3, 1))
    response = coordinator.post(f"/sites/{world.site.id}/children/new", data=NEW_CHILD)
    assert response.status_code == 422
    assert "already registered" in response.get_data(as_text=True)
    assert _count(db, Child) == 1
    # same name and guardian phone, different birth date
    make.child(world.site, "李四", guardian_phone="13700000000")
    response = coordinator.post(f"/sites/{world.site.id}/children/new",
                                data={**NEW_CHILD, "name": "李四", "guardian_phone": "13700000000"})
    assert response.status_code == 422 and _count(db, Child) == 2
    # the coordinator confirms it is a different child
    response = coordinator.post(f"/sites/{world.site.id}/children/new", data={**NEW_CHILD, "not_duplicate": "y"})
    assert response.status_code == 303 and _count(db, Child) == 3


def test_edit_child_and_health_profile(coordinator, db, make, world):
    child = make.child(world.site, "王小明")
    data = {"name": "王晓明", "sex": "m", "birth_date": "2015-09-01", "grade": "4", "school": "练市小学",
            "hometown": "河南周口", "allergies": "", "conditions": "哮喘", "medicines": "沙丁胺醇",
            "high_risk": "y", "may_go_home_alone": "y"}
    assert coordinator.get(f"/children/{child.id}/edit").status_code == 200
    response = coordinator.post(f"/children/{child.id}/edit", data=data)
    assert response.status_code == 303
    db.session.refresh(child)
    assert child.name_pinyin == "wangxiaoming" and child.high_risk and child.may_go_home_alone
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "update"))
    assert entry.event == "child.changed" and "child.name" in entry.details["fields"]
    assert "王" not in json.dumps(entry.details, ensure_ascii=False) + entry.summary  # no personal data in the log
    assert "Full name" in _described(entry, "en") and "Allergies" not in _described(entry, "en")
    assert "姓名" in _described(entry, "zh_CN") and "用药" in _described(entry, "zh_CN")
    # opening the form showed the health details: that read is in the trail too
    assert _count(db, AuditEntry, AuditEntry.event == "health.viewed", AuditEntry.child_id == child.id) == 1
    response = coordinator.post(f"/children/{child.id}/edit", data={**data, "grade": ""})
    assert response.status_code == 422
    db.session.refresh(child)
    assert child.grade == 4


def test_guardians_and_pickups_inline(coordinator, db, make, world):
    child = make.child(world.site)
    response = coordinator.post(f"/children/{child.id}/guardians",
                                data={"name": "刘芳", "relation": "母亲", "phone": "13911112222", "employer": "电子厂"},
                                headers={"HX-Request": "true"})
    assert response.status_code == 200 and "刘芳" in response.get_data(as_text=True)
    response = coordinator.post(f"/children/{child.id}/pickups",
                                data={"name": "刘奶奶", "relation": "外婆", "phone": "bad"})
    assert response.status_code == 422 and "phone number" in response.get_data(as_text=True)
    assert _count(db, PickupPerson) == 0
    response = coordinator.post(f"/children/{child.id}/pickups",
                                data={"name": "刘奶奶", "relation": "外婆", "phone": "13911113333"})
    assert response.status_code == 303 and _count(db, PickupPerson) == 1
    page = coordinator.get(f"/children/{child.id}").get_data(as_text=True)
    assert "刘芳" in page and "刘奶奶" in page


# --- consent and enrolment ------------------------------------------------------------------------
def test_consent_is_needed_before_enrolment(coordinator, db, make, world):
    child = make.child(world.site)
    response = coordinator.post(f"/children/{child.id}/enrolments", data={"season_id": world.season.id,
                                                                         "action": "enrol"})
    assert response.status_code == 422
    assert _count(db, Enrolment) == 0
    page = response.get_data(as_text=True)
    assert "consent" in page.lower()

    page = coordinator.get(f"/children/{child.id}/consent").get_data(as_text=True)
    assert "个人信息保护法" in page and "保存期限" in page and "删除" in page and "投诉" in page
    response = coordinator.post(f"/children/{child.id}/consent",
                                data={"guardian_name": "家长", "guardian_relation": "母亲"})
    assert response.status_code == 422 and _count(db, Consent) == 0
    response = coordinator.post(f"/children/{child.id}/consent",
                                data={"guardian_name": "家长", "guardian_relation": "母亲", "agreed": "y"})
    assert response.status_code == 303
    consent = db.session.scalar(select(Consent))
    assert consent.notice.version == "2025-1" and consent.recorded_by_id == world.users["coordinator"].id
    assert _count(db, ConsentNotice) == 1

    response = coordinator.post(f"/children/{child.id}/enrolments", data={"season_id": world.season.id,
                                                                         "action": "enrol"})
    assert response.status_code == 303
    assert db.session.scalar(select(Enrolment.status)) == "enrolled"


def test_enrol_bad_season(coordinator, db, make, world):
    child = make.child(world.site)
    make.consent(child)
    other_season = make.season(world.other_site)
    for value in ("", "abc", str(other_season.id)):
        coordinator.post(f"/children/{child.id}/enrolments", data={"season_id": value})
    assert _count(db, Enrolment) == 0


def test_capacity_waitlist_and_promotion(coordinator, db, make, world):
    season = make.season(world.site, capacity=2)
    children = [make.child(world.site, name) for name in ("甲一", "乙二", "丙三", "丁四")]
    for child in children:
        make.consent(child)
        coordinator.post(f"/children/{child.id}/enrolments", data={"season_id": season.id, "action": "enrol"})
    statuses = dict(db.session.execute(select(Enrolment.child_id, Enrolment.status)).all())
    assert [statuses[c.id] for c in children] == ["enrolled", "enrolled", "waitlisted", "waitlisted"]

    page = coordinator.get(f"/seasons/{season.id}/children").get_data(as_text=True)
    assert "丙三" in page and 'data-testid="promote"' not in page  # full: nothing to give yet

    first = db.session.scalar(select(Enrolment).where(Enrolment.child_id == children[0].id))
    coordinator.post(f"/enrolments/{first.id}/withdraw", data={"back": "roster"})
    page = coordinator.get(f"/seasons/{season.id}/children").get_data(as_text=True)
    assert 'data-testid="promote"' in page and "丙三" in page
    assert page.index("丙三") < page.index("丁四")  # the waitlist in order of application
    response = coordinator.post(f"/seasons/{season.id}/promote", data={})
    assert response.status_code == 303
    statuses = dict(db.session.execute(select(Enrolment.child_id, Enrolment.status)).all())
    assert statuses[children[2].id] == "enrolled" and statuses[children[3].id] == "waitlisted"
    # no place left: promotion refused, nothing changes
    coordinator.post(f"/seasons/{season.id}/promote", data={})
    assert _count(db, Enrolment, Enrolment.status == "enrolled") == 2


def test_application_then_decision(coordinator, db, make, world):
    child = make.child(world.site)
    coordinator.post(f"/children/{child.id}/enrolments", data={"season_id": world.season.id, "action": "apply"})
    enrolment = db.session.scalar(select(Enrolment))
    assert enrolment.status == "applied"
    coordinator.post(f"/enrolments/{enrolment.id}/decide", data={})
    db.session.refresh(enrolment)
    assert enrolment.status == "applied"  # no consent yet
    make.consent(child)
    coordinator.post(f"/enrolments/{enrolment.id}/decide", data={"back": "roster"})
    db.session.refresh(enrolment)
    assert enrolment.status == "enrolled"


def test_a_child_is_enrolled_once_per_season_in_the_database(db, make, world):
    from sqlalchemy.exc import IntegrityError

    child = make.child(world.site)
    make.enrolment(child, world.season)
    with pytest.raises(IntegrityError):
        make.enrolment(child, world.season, status="applied")
    db.session.rollback()
    with pytest.raises(IntegrityError):
        make.enrolment(make.child(world.site), world.season, status="maybe")
    db.session.rollback()


# --- search and lists -----------------------------------------------------------------------------
@pytest.mark.parametrize("query", ["张", "zhang", "zhangsan", "zs", "ZS", "san", "zhang san"])
def test_search_by_name_pinyin_and_initials(coordinator, make, world, query):
    make.child(world.site, "张三")
    make.child(world.site, "李玥")
    html = coordinator.get(f"/sites/{world.site.id}/children", query_string={"q": query},
                           headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "张三" in html and "李玥" not in html and "<html" not in html


def test_filters(coordinator, make, world):
    make.child(world.site, "张三", grade=3, school="旧馆小学", allergies="牛奶")
    make.child(world.site, "李四", grade=5, school="练市小学")
    url = f"/sites/{world.site.id}/children"
    assert "李四" not in coordinator.get(url, query_string={"grade": 3}).get_data(as_text=True)
    assert "张三" not in coordinator.get(url, query_string={"school": "练市小学"}).get_data(as_text=True)
    html = coordinator.get(url, query_string={"allergy": "1"}).get_data(as_text=True)
    assert "张三" in html and "李四" not in html
    html = coordinator.get(url, query_string={"grade": "x", "status": "nonsense", "page": "-3"}).get_data(as_text=True)
    assert "张三" in html and "李四" in html


def test_roster_filters_by_status_and_search(coordinator, make, world):
    a, b = make.child(world.site, "张三"), make.child(world.site, "李四")
    make.enrolment(a, world.season, status="enrolled")
    make.enrolment(b, world.season, status="waitlisted")
    url = f"/seasons/{world.season.id}/children"
    html = coordinator.get(url, query_string={"status": "waitlisted"}, headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "李四" in html and "张三" not in html
    html = coordinator.get(url, query_string={"q": "zs"}, headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "张三" in html and "李四" not in html


def _fill(make, site, season, n):
    for i in range(n):
        child = make.child(site, f"测试{i}", allergies="花生" if i % 3 == 0 else "", high_risk=i % 7 == 0)
        make.enrolment(child, season, status="enrolled" if i % 2 else "waitlisted")


@pytest.mark.parametrize("url", ["/seasons/{season}/children", "/sites/{site}/children"])
def test_query_count_does_not_grow_with_children(app, coordinator, count_queries, make, world, url):
    url = url.format(season=world.season.id, site=world.site.id)
    _fill(make, world.site, world.season, 5)
    coordinator.get(url)
    with count_queries() as few:
        assert coordinator.get(url).status_code == 200
    _fill(make, world.site, world.season, 45)
    with count_queries() as many:
        html = coordinator.get(url).get_data(as_text=True)
    assert html.count('data-testid="child-alert"') >= 5
    assert few.count == many.count, (few.statements, many.statements)


def test_child_page_query_count_is_fixed(coordinator, count_queries, db, make, world):
    child = make.child(world.site)
    make.consent(child, world.users["coordinator"])
    make.enrolment(child, world.season)
    db.session.add(PickupPerson(child_id=child.id, name="接送", relation="亲戚", phone="13900000000"))
    db.session.commit()
    url = f"/children/{child.id}"  # outside the count: the test's own objects may reload
    coordinator.get(url)
    with count_queries() as one:
        coordinator.get(url)
    for i in range(4):
        db.session.add(PickupPerson(child_id=child.id, name=f"接送{i}", relation="亲戚", phone="13900000000"))
        db.session.add(Guardian(child_id=child.id, name=f"家长{i}", relation="亲戚", phone="13900000000"))
        make.enrolment(child, make.season(world.site))
        make.consent(child, world.users["admin"])
    with count_queries() as more:
        coordinator.get(url)
    assert one.count == more.count <= 20, more.statements


def test_alerts_for_loads_a_list_in_one_query(app, count_queries, make, world):
    from app.children.queries import alerts_for

    a = make.child(world.site, allergies="花生")
    b = make.child(world.site, high_risk=True)
    c = make.child(world.site)
    ids = [a.id, b.id, c.id]
    with count_queries() as q:
        alerts = alerts_for(ids)
    assert q.count == 1
    assert alerts[a.id].allergies == "花生" and alerts[b.id].high_risk and c.id not in alerts
    with count_queries() as q:
        assert alerts_for([]) == {}
    assert q.count == 0


def test_alert_macro_renders(app):
    from flask import render_template_string

    from app.children.queries import Alert

    with app.test_request_context():
        html = render_template_string('{% from "children/_alert.html" import child_alert %}{{ child_alert(a) }}|'
                                      '{{ child_alert(None) }}', a=Alert("花生", True))
    assert "花生" in html and html.endswith("|")


# --- exports --------------------------------------------------------------------------------------
def test_roster_export_xlsx(coordinator, db, make, world):
    child = make.child(world.site, "张三", allergies="=HYPERLINK(\"x\")", conditions="哮喘", medicines="沙丁胺醇")
    make.enrolment(child, world.season)
    response = coordinator.get(f"/seasons/{world.season.id}/children.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][1] in ("Full name", "姓名") and rows[1][1] == "张三"
    row = dict(zip(rows[0], rows[1]))
    assert row["Allergies"] == "=HYPERLINK(\"x\")"  # as typed ...
    assert all(cell.data_type != "f" for cell in sheet[2])  # ... and never a formula
    assert row["Health conditions"] == "哮喘" and row["Medicines"] == "沙丁胺醇"
    assert _count(db, AuditEntry, AuditEntry.action == "export") == 1
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "export"))
    assert (entry.child_id, entry.event, entry.details) == (child.id, "roster.exported", {"season": world.season.id})


def test_guardian_export_of_everything_held(coordinator, db, make, world):
    child = make.child(world.site, "张三", allergies="花生")
    make.consent(child, world.users["coordinator"])
    make.enrolment(child, world.season)
    coordinator.get(f"/children/{child.id}")
    response = coordinator.get(f"/children/{child.id}/export.json")
    data = json.loads(response.data)
    text_ = json.dumps(data, ensure_ascii=False)
    assert "张三" in text_ and "花生" in text_ and "2025-1" in text_ and world.season.name in text_
    response = coordinator.get(f"/children/{child.id}/export.xlsx")
    workbook = load_workbook(io.BytesIO(response.data))
    assert len(workbook.sheetnames) == 6
    assert _count(db, AuditEntry, AuditEntry.action == "export", AuditEntry.child_id == child.id) == 2


# --- erasure --------------------------------------------------------------------------------------
def test_erasure_keeps_anonymised_counts(coordinator, db, make, world):
    child = make.child(world.site, "张三", allergies="花生", school="旧馆小学", sex="m", grade=4)
    make.consent(child)
    make.enrolment(child, world.season)
    db.session.add(PickupPerson(child_id=child.id, name="李四", relation="舅舅", phone="13900000000"))
    db.session.commit()
    assert coordinator.get(f"/children/{child.id}/erase").status_code == 200
    response = coordinator.post(f"/children/{child.id}/erase", data={"reason": "监护人书面申请"})
    assert response.status_code == 422 and _count(db, ErasureRecord) == 0  # not confirmed
    response = coordinator.post(f"/children/{child.id}/erase", data={"confirm": "y", "reason": ""})
    assert response.status_code == 422 and _count(db, ErasureRecord) == 0
    response = coordinator.post(f"/children/{child.id}/erase", data={"reason": "监护人书面申请", "confirm": "y"})
    assert response.status_code == 303
    db.session.expire_all()
    child = db.session.get(Child, child.id)
    assert child.name == "已删除" and child.birth_date is None and child.school == "" and child.allergies == ""
    assert (child.sex, child.grade) == ("m", 4)
    assert _count(db, Guardian) == 0 and _count(db, PickupPerson) == 0 and _count(db, Consent) == 0
    assert db.session.scalar(select(Enrolment.status)) == "withdrawn"  # the row stays for the counts
    record = db.session.scalar(select(ErasureRecord))
    assert record.erased_by_id == world.users["coordinator"].id
    assert _count(db, AuditEntry, AuditEntry.action == "erase") == 1
    # nothing personal is left anywhere in the audit summaries
    assert not db.session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.summary.contains("张")))
    # gone from lists and search; cannot be edited
    assert "已删除" not in coordinator.get(f"/sites/{world.site.id}/children").get_data(as_text=True)
    coordinator.post(f"/children/{child.id}/edit", data={**NEW_CHILD})
    assert db.session.get(Child, child.id).name == "已删除"
    assert coordinator.get(f"/children/{child.id}").status_code == 200


# --- audit trail ----------------------------------------------------------------------------------
# (the audit-trail page itself is tested in tests/admin/test_audit.py)


def test_audit_entries_cannot_be_changed(db, make, world):
    from sqlalchemy.exc import DBAPIError

    from app.core import audit

    child = make.child(world.site)
    entry = audit.record("view", "child.viewed", by=world.users["admin"], child=child)
    db.session.commit()
    with pytest.raises(DBAPIError):
        db.session.execute(text("UPDATE audit_entries SET event = 'legacy' WHERE id = :id"), {"id": entry.id})
        db.session.flush()
    db.session.rollback()
    assert db.session.get(AuditEntry, entry.id).event == "child.viewed"


# --- access ---------------------------------------------------------------------------------------
def test_other_sites_coordinator_volunteer_and_guardian_are_refused(app, db, login, make, world):
    child = make.child(world.site, "张三")
    make.consent(child)
    enrolment = make.enrolment(child, world.season, status="applied")
    urls = [f"/sites/{world.site.id}/children", f"/sites/{world.site.id}/children/new",
            f"/sites/{world.site.id}/children/import", f"/seasons/{world.season.id}/children",
            f"/seasons/{world.season.id}/children.xlsx", f"/children/{child.id}", f"/children/{child.id}/edit",
            f"/children/{child.id}/consent", f"/children/{child.id}/erase", f"/children/{child.id}/export.json",
            f"/children/{child.id}/export.xlsx", f"/children/{child.id}/guardians", f"/children/{child.id}/pickups",
            f"/guardians/{child.guardians[0].id}/edit"]
    posts = [f"/enrolments/{enrolment.id}/decide", f"/enrolments/{enrolment.id}/withdraw",
             f"/seasons/{world.season.id}/promote", f"/children/{child.id}/enrolments",
             f"/children/{child.id}/erase"]
    for role in ("other_coordinator", "volunteer", "guardian", "auditor"):
        client = app.test_client()
        login(client, world.users[role])
        for url in urls:
            assert client.get(url).status_code in (403, 404), (role, url)
        for url in posts:
            assert client.post(url, data={"reason": "x", "confirm": "y", "season_id": world.season.id}).status_code \
                in (403, 404), (role, url)
    db.session.expire_all()
    assert db.session.get(Child, child.id).name == "张三"
    assert db.session.get(Enrolment, enrolment.id).status == "applied"
    assert not db.session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "view"))


def test_children_index_sends_a_coordinator_to_their_site(coordinator, world):
    response = coordinator.get("/children")
    assert response.status_code == 302 and response.location.endswith(f"/sites/{world.site.id}/children")


def test_missing_child_is_404(coordinator):
    assert coordinator.get("/children/999999").status_code == 404


# --- reads of personal data leave a trace; a GET never writes anything else ------------------------
def _events(db, event, child_id=None):
    where = [AuditEntry.event == event] + ([AuditEntry.child_id == child_id] if child_id else [])
    return db.session.scalars(select(AuditEntry).where(*where)).all()


def test_guardian_phones_health_and_roster_reads_are_in_the_trail(coordinator, db, make, world):
    child = make.child(world.site, "张三", allergies="花生")
    other = make.child(world.site, "李四")
    make.enrolment(child, world.season)
    make.enrolment(other, world.season, status="waitlisted")
    guardian = child.guardians[0]
    for url in (f"/children/{child.id}/guardians", f"/guardians/{guardian.id}", f"/guardians/{guardian.id}/edit"):
        assert coordinator.get(url).status_code == 200, url
    entries = _events(db, "guardians.viewed", child.id)
    assert len(entries) == 3 and {e.action for e in entries} == {"view"}
    assert entries[0].user_id == world.users["coordinator"].id

    coordinator.get(f"/children/{child.id}/edit")
    assert len(_events(db, "health.viewed", child.id)) == 1

    html = coordinator.get(f"/seasons/{world.season.id}/children").get_data(as_text=True)
    assert "花生" in html
    roster_reads = _events(db, "roster.viewed")
    assert {e.child_id for e in roster_reads} == {child.id, other.id}
    assert all(e.details == {"season": world.season.id} for e in roster_reads)
    assert _described(roster_reads[0], "zh_CN") == f"查看了带过敏提示的花名册：{world.season.name}"
    # a refused read leaves nothing
    assert not _events(db, "guardians.viewed", other.id)


def test_the_trail_reads_in_the_readers_language(coordinator, db, make, world):
    season = make.season(world.site, "2025年暑期班", capacity=1)
    make.enrolment(make.child(world.site), season, status="enrolled")
    child = make.child(world.site, "王五")
    make.consent(child)
    coordinator.post(f"/children/{child.id}/enrolments", data={"season_id": season.id, "action": "enrol"})
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.event == "enrolment.waitlisted"))
    assert entry.details == {"season": season.id} and entry.child_id == child.id
    assert _described(entry, "zh_CN") == "列入候补：2025年暑期班"
    assert _described(entry, "en") == "Waitlisted for 2025年暑期班"


def test_gets_never_commit(app, coordinator, db, make, world):
    """Opening any page of the area writes nothing but the notes of what was read."""
    from sqlalchemy import event

    child = make.child(world.site)
    make.enrolment(child, world.season)
    writes = []

    def count(session, flush_context):
        writes.extend(type(o).__name__ for o in [*session.new, *session.dirty, *session.deleted])

    event.listen(db.session.registry().__class__, "after_flush", count)
    try:
        for url in (f"/children/{child.id}/consent", f"/children/{child.id}/edit", f"/children/{child.id}",
                    f"/seasons/{world.season.id}/children", f"/seasons/{world.season.id}/children.xlsx",
                    f"/children/{child.id}/export.json", f"/children/{child.id}/erase",
                    f"/sites/{world.site.id}/children/import", f"/sites/{world.site.id}/children/new"):
            assert coordinator.get(url).status_code == 200, url
    finally:
        event.remove(db.session.registry().__class__, "after_flush", count)
    assert writes == []  # no object written; the notes of reads are one INSERT after the response
    assert _count(db, ConsentNotice) == 0  # the consent page shows the notice without storing it
    assert {e.event for e in db.session.scalars(select(AuditEntry))} == {
        "health.viewed", "child.viewed", "roster.viewed", "roster.exported", "child.exported"}


def test_consent_page_shows_the_notice_and_stores_it_with_the_first_consent(coordinator, db, make, world):
    from app.children.notice import CURRENT_VERSION, NOTICES

    child = make.child(world.site)
    page = coordinator.get(f"/children/{child.id}/consent").get_data(as_text=True)
    assert "告知书" in page and CURRENT_VERSION in page and _count(db, ConsentNotice) == 0
    coordinator.post(f"/children/{child.id}/consent", data={"guardian_name": "家长", "guardian_relation": "母亲",
                                                           "agreed": "y"})
    notice = db.session.scalar(select(ConsentNotice))
    assert notice.text == NOTICES[CURRENT_VERSION][1]
    assert db.session.scalar(select(Consent)).notice_id == notice.id


def test_the_same_child_form_sent_twice_creates_one_child(coordinator, db, world):
    data = {**NEW_CHILD, "form_token": "one-rendered-form"}
    first = coordinator.post(f"/sites/{world.site.id}/children/new", data=data)
    second = coordinator.post(f"/sites/{world.site.id}/children/new", data=data)
    assert first.status_code == second.status_code == 303 and second.location == first.location
    assert _count(db, Child) == 1


def test_enrolment_select_defaults_to_the_current_season(coordinator, make, world):
    from datetime import timedelta

    from app.core.timeutil import local_today

    today = local_today()
    running = make.season(world.site, "进行中", start_date=today - timedelta(days=5), end_date=today + timedelta(days=5))
    later = make.season(world.site, "以后", start_date=today + timedelta(days=100), end_date=today + timedelta(days=150))
    child = make.child(world.site)
    html = coordinator.get(f"/children/{child.id}").get_data(as_text=True)
    assert f'<option selected value="{running.id}">' in html
    assert html.index(f'value="{later.id}"') < html.index(f'value="{running.id}"')  # newest first, yet not chosen
    html = coordinator.get(f"/sites/{world.site.id}/children/import").get_data(as_text=True)
    assert f'<option selected value="{running.id}">' in html
