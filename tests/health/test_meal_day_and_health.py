"""A day's meals (served count, food samples, substitutions for allergies) and the health checks and
medicines given, which are appended and never edited."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from app.core.models import AuditEntry
from app.health import queries
from app.health.models import FoodSample, HealthCheck, MealCount, MealSubstitution, MedicineGiven
from tests.health.conftest import MONDAY


@pytest.fixture
def lunch(dish):
    dish("米饭", [("粳米（标一）", 130)], day=MONDAY)
    return dish("宫保鸡丁", [("鸡胸脯肉", 20), ("花生仁（生）", 6)], day=MONDAY)


def _day_url(world, day=MONDAY, what=""):
    return f"/seasons/{world.season.id}/meals{what}?day={day.isoformat()}"


def test_a_day_without_samples_shows_them_missing_until_recorded(client, db, login, world, lunch):
    login(client, world.users["coordinator"])
    page = client.get(_day_url(world)).get_data(as_text=True)
    assert 'data-testid="samples-missing"' in page and "宫保鸡丁" in page
    assert "125" in page and "48" in page and "未经核实" in page  # the rule, labelled unverified
    week = client.get(f"/seasons/{world.season.id}/menus?week={MONDAY.isoformat()}").get_data(as_text=True)
    assert "未留样" in week

    data = dict(recipe_id=lunch.id, weight_g="130", kept_at="11:40", fridge="留样冰箱1号", kept_by="沈阿姨")
    assert client.post(_day_url(world, what="/samples"), data=data).status_code == 303
    sample = db.session.query(FoodSample).one()
    assert sample.weight_g == 130 and sample.kept_at.hour == 3  # 11:40 in Shanghai is 03:40 UTC
    page = client.get(_day_url(world)).get_data(as_text=True)
    assert "留样冰箱1号" in page and "米饭" in page.split('data-testid="samples-missing"')[1]


def test_sample_bad_input_is_refused(client, db, login, world, lunch):
    login(client, world.users["coordinator"])
    good = dict(recipe_id=lunch.id, weight_g="130", kept_at="11:40", fridge="1号", kept_by="沈阿姨")
    for change in (dict(weight_g="-3"), dict(weight_g="abc"), dict(kept_at="25:99"), dict(fridge=""),
                   dict(recipe_id="999999")):
        response = client.post(_day_url(world, what="/samples"), data={**good, **change})
        assert response.status_code == 422, change
        assert 'class="error' in response.get_data(as_text=True)  # the message is shown in place
    # a dish not on that day's menu, and a day outside the season
    assert client.post(_day_url(world, MONDAY + timedelta(days=1), "/samples"), data=good).status_code == 422
    assert client.post(_day_url(world, date(2025, 9, 2), "/samples"), data=good).status_code == 422
    assert db.session.query(FoodSample).count() == 0


def test_meals_served_are_adjustable_and_substitutions_recorded(client, db, login, world, make, lunch):
    child = make.child(world.site, "张小花", allergies="花生")
    make.enrolment(child, world.season)
    login(client, world.users["coordinator"])
    page = client.get(_day_url(world)).get_data(as_text=True)
    assert "张小花" in page.split('data-testid="allergy-list"')[1]
    assert client.post(_day_url(world, what="/served"), data=dict(served="-1")).status_code == 422
    assert client.post(_day_url(world, what="/served"), data=dict(served="31")).status_code == 303
    assert client.post(_day_url(world, what="/served"), data=dict(served="30", note="一人早退")).status_code == 303
    count = db.session.query(MealCount).one()
    assert (count.served, count.note) == (30, "一人早退")

    bad = client.post(_day_url(world, what="/substitutions"), data=dict(child_id="0", recipe_id=lunch.id,
                                                                       instead="清炒鸡丁"))
    assert bad.status_code == 422
    ok = client.post(_day_url(world, what="/substitutions"), data=dict(child_id=child.id, recipe_id=lunch.id,
                                                                      instead="清炒鸡丁（无花生）"))
    assert ok.status_code == 303
    assert db.session.query(MealSubstitution).one().instead == "清炒鸡丁（无花生）"
    assert "清炒鸡丁（无花生）" in client.get(_day_url(world)).get_data(as_text=True)


def test_allergy_conflicts_and_expected_children_for_other_areas(app, db, world, make, lunch):
    allergic = make.child(world.site, "张小花", allergies="对花生、坚果过敏")
    make.enrolment(allergic, world.season)
    make.enrolment(make.child(world.site, "李明", allergies=""), world.season)
    make.enrolment(make.child(world.site, "等位", allergies="花生"), world.season, status="waitlisted")
    with app.test_request_context():
        assert [c.name for c in queries.expected_children(world.site, MONDAY)] == ["李明", "张小花"]
        found = queries.allergy_conflicts(world.site, MONDAY)
        assert [(c.child_name, c.dish, c.reason) for c in found] == [("张小花", "宫保鸡丁", "花生")]
        assert queries.allergy_conflicts(world.site, MONDAY + timedelta(days=1)) == []
        assert queries.expected_children(world.site, date(2025, 9, 30)) == []


# --- health checks and medicines: appended, never edited ----------------------------------------------
@pytest.fixture
def today_in_season(db, world):
    from app.core.timeutil import local_today

    today = local_today()
    world.season.start_date, world.season.end_date = today - timedelta(days=3), today + timedelta(days=30)
    db.session.commit()
    return today


def test_health_checks_are_appended_with_the_trail_and_bad_input_refused(client, db, login, world, make,
                                                                          today_in_season):
    child = make.child(world.site, "王小明")
    make.enrolment(child, world.season)
    login(client, world.users["coordinator"])
    url = f"/seasons/{world.season.id}/health/checks"
    for data in (dict(child_id=child.id, temperature="45"), dict(child_id=child.id, temperature="abc"),
                 dict(child_id="0", temperature="36.5"), dict(child_id="999999", temperature="36.5")):
        assert client.post(url, data=data).status_code == 422, data
    assert db.session.query(HealthCheck).count() == 0
    assert client.post(url, data=dict(child_id=child.id, temperature="37.8", unwell="y", note="咳嗽")).status_code == 303
    assert client.post(url, data=dict(child_id=child.id, temperature="36.9", note="复测")).status_code == 303
    assert [c.temperature for c in db.session.query(HealthCheck).order_by(HealthCheck.id)] == [37.8, 36.9]
    assert db.session.query(AuditEntry).filter_by(event="health.check_recorded", child_id=child.id).count() == 2
    page = client.get(f"/seasons/{world.season.id}/health").get_data(as_text=True)
    assert "37.8" in page and "发热" in page and "复测" in page
    check = db.session.query(HealthCheck).first()
    # no way to change a check: no edit or delete URL answers
    for path in (f"/health-checks/{check.id}/edit", f"/health-checks/{check.id}", f"/health-checks/{check.id}/delete",
                 f"/seasons/{world.season.id}/health/checks/{check.id}/edit"):
        assert client.post(path, data=dict(temperature="36.0")).status_code in (404, 405)
    assert client.get(f"/seasons/{world.season.id}/health/checks").status_code == 405
    assert db.session.get(HealthCheck, check.id).temperature == 37.8


def test_medicines_only_for_children_whose_profile_lists_one(client, db, login, world, make, today_in_season):
    with_medicine = make.child(world.site, "陈小雨", medicines="布地奈德吸入剂，哮喘发作时")
    without = make.child(world.site, "李明")
    for child in (with_medicine, without):
        make.enrolment(child, world.season)
    login(client, world.users["coordinator"])
    url = f"/seasons/{world.season.id}/health/medicines"
    good = dict(child_id=with_medicine.id, medicine="布地奈德吸入剂", dose="1 吸", given_at="00:01")
    refused = client.post(url, data={**good, "child_id": without.id})
    assert refused.status_code == 422
    assert client.post(url, data={**good, "dose": ""}).status_code == 422
    assert client.post(url, data={**good, "given_at": "9点"}).status_code == 422
    assert db.session.query(MedicineGiven).count() == 0
    assert client.post(url, data=good).status_code == 303
    given = db.session.query(MedicineGiven).one()
    assert given.given_by_id == world.users["coordinator"].id and given.dose == "1 吸"
    page = client.get(f"/seasons/{world.season.id}/health").get_data(as_text=True)
    assert "布地奈德吸入剂" in page and "1 吸" in page


def test_auditors_read_menus_but_not_health_checks(client, login, world):
    login(client, world.users["auditor"])
    assert client.get(f"/seasons/{world.season.id}/menus").status_code == 200
    assert client.get(f"/seasons/{world.season.id}/meals").status_code == 200
    assert client.get(f"/seasons/{world.season.id}/health").status_code == 403
