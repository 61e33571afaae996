"""Arrivals and departures on the today page: one tap saved and confirmed in place, departures only
with a person on the child's list, exceptions only with a reason (and an alert), bad input refused."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from app.daily.models import DailyAlert, DayRecord, DayRecordChange

HX = {"HX-Request": "true"}


def _count(db, model, *where):
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _record(db, child, day):
    db.session.expire_all()
    return db.session.scalar(select(DayRecord).where(DayRecord.child_id == child.id, DayRecord.day == day))


def _arrive(client, w, child, day=None, htmx=True):
    return client.post(f"/sites/{w.site.id}/today/{child.id}/arrive", data={"day": (day or w.day).isoformat()},
                       headers=HX if htmx else {})


def _depart(client, w, child, who, day=None):
    return client.post(f"/sites/{w.site.id}/today/{child.id}/depart",
                       data={"day": (day or w.day).isoformat(), "picked_up_by": who}, headers=HX)


def test_the_today_page_lists_the_enrolled_children_expected_today(client, db, make, login, day_world):
    w = day_world
    make.enrolment(make.child(w.site, "还在申请"), w.season, status="applied")
    make.enrolment(make.child(w.site, "已退出"), w.season, status="withdrawn")
    ended = make.season(w.site, "去年", start_date=date(2024, 7, 1), end_date=date(2024, 8, 30))
    make.enrolment(make.child(w.site, "去年的孩子"), ended)
    login(client, w.coordinator)
    html = client.get(f"/sites/{w.site.id}/today").get_data(as_text=True)
    for child in w.children:
        assert child.name in html
    assert "还在申请" not in html and "已退出" not in html and "去年的孩子" not in html
    assert "0 / 3" in html
    assert "花生" in html  # the allergy alert on the row


def test_one_tap_marks_the_arrival_and_answers_the_row_with_a_notice(client, db, login, day_world):
    w = day_world
    child = w.children[0]
    login(client, w.coordinator)
    response = _arrive(client, w, child)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'id="day-row-{child.id}"' in html and 'data-testid="arrived"' in html
    assert 'hx-swap-oob="true"' in html and child.name in html  # announced in the page's live region
    record = _record(db, child, w.day)
    assert record.arrived_at is not None
    assert _count(db, DayRecordChange, DayRecordChange.record_id == record.id) == 1
    # a second tap: still one record, the latest time wins, both kept in the history
    _arrive(client, w, child)
    assert _count(db, DayRecord, DayRecord.child_id == child.id) == 1
    assert _count(db, DayRecordChange, DayRecordChange.record_id == record.id) == 2


def test_departure_with_a_guardian_or_an_authorised_pickup_person(client, db, login, day_world):
    w = day_world
    first, second = w.children[0], w.children[1]
    login(client, w.coordinator)
    _arrive(client, w, first)
    _arrive(client, w, second)
    response = _depart(client, w, first, f"g{first.guardians[0].id}")
    assert response.status_code == 200 and 'data-testid="departed"' in response.get_data(as_text=True)
    record = _record(db, first, w.day)
    assert record.departure_kind == "guardian" and record.picked_up_by == first.guardians[0].name
    assert record.guardian_id == first.guardians[0].id
    _depart(client, w, second, f"p{w.pickups[second.id].id}")
    record = _record(db, second, w.day)
    assert record.departure_kind == "pickup" and record.picked_up_by == "接送人1"


def test_a_pickup_person_of_another_child_is_refused(client, db, login, day_world):
    w = day_world
    child, other = w.children[0], w.children[1]
    login(client, w.coordinator)
    _arrive(client, w, child)
    client.post("/auth/language", data={"locale": "en"})
    for forged in (f"p{w.pickups[other.id].id}", f"g{other.guardians[0].id}", "p999999", "nobody"):
        response = _depart(client, w, child, forged)
        assert response.status_code == 422, forged
        assert "authorised list" in response.get_data(as_text=True)
        assert _record(db, child, w.day).departed_at is None


def test_going_home_alone_only_where_the_guardian_consented(client, db, login, day_world):
    w = day_world
    without, with_consent = w.children[0], w.children[2]
    login(client, w.coordinator)
    _arrive(client, w, without)
    _arrive(client, w, with_consent)
    assert _depart(client, w, without, "alone").status_code == 422
    assert _record(db, without, w.day).departed_at is None
    assert _depart(client, w, with_consent, "alone").status_code == 200
    assert _record(db, with_consent, w.day).departure_kind == "alone"


def test_departure_before_arrival_is_refused(client, db, login, day_world):
    w = day_world
    child = w.children[0]
    login(client, w.coordinator)
    client.post("/auth/language", data={"locale": "en"})
    response = _depart(client, w, child, f"g{child.guardians[0].id}")
    assert response.status_code == 422
    assert "has not arrived" in response.get_data(as_text=True)
    record = _record(db, child, w.day)
    assert record is None or record.departed_at is None


def test_the_coordinators_exception_needs_a_reason_and_raises_an_alert(client, db, login, day_world):
    w = day_world
    child = w.children[0]
    login(client, w.coordinator)
    _arrive(client, w, child)
    url = f"/sites/{w.site.id}/today/{child.id}/exception"
    response = client.post(url, data={"day": w.day.isoformat(), "name": "邻居赵阿姨", "reason": ""}, headers=HX)
    assert response.status_code == 422
    assert _count(db, DailyAlert) == 0 and _record(db, child, w.day).departed_at is None
    response = client.post(url, data={"day": w.day.isoformat(), "name": "邻居赵阿姨", "reason": "母亲电话委托"},
                           headers=HX)
    assert response.status_code == 200
    record = _record(db, child, w.day)
    assert record.departure_kind == "exception" and record.picked_up_by == "邻居赵阿姨"
    alert = db.session.scalar(select(DailyAlert).where(DailyAlert.child_id == child.id))
    assert alert.kind == "pickup_exception" and alert.state == "open" and alert.owner_id == w.coordinator.id
    assert "邻居赵阿姨" in client.get(f"/sites/{w.site.id}/today").get_data(as_text=True)


def test_a_day_outside_the_season_is_refused(client, db, make, login, day_world):
    w = day_world
    child = w.children[0]
    login(client, w.coordinator)
    client.post("/auth/language", data={"locale": "en"})
    # a tap for another day: refused (taps record the time now)
    response = _arrive(client, w, child, day=w.day + timedelta(days=60))
    assert response.status_code == 422
    # a child whose season does not cover today
    later = make.season(w.site, "明年", start_date=w.day + timedelta(days=100), end_date=w.day + timedelta(days=140))
    outside = make.child(w.site, "明年的孩子")
    make.enrolment(outside, later)
    response = _arrive(client, w, outside)
    assert response.status_code == 422 and "not expected" in response.get_data(as_text=True)
    assert _count(db, DayRecord) == 0
    html = client.get(f"/sites/{w.site.id}/today?day={(w.day + timedelta(days=60)).isoformat()}").get_data(as_text=True)
    assert "No season of this site covers" in html


def test_a_plain_form_post_redirects_back_with_the_notice(client, db, login, day_world):
    w = day_world
    login(client, w.coordinator)
    response = _arrive(client, w, w.children[1], htmx=False)
    assert response.status_code == 303 and response.location.endswith(f"/sites/{w.site.id}/today")
    assert w.children[1].name in client.get(response.location).get_data(as_text=True)


def test_expected_only_on_weekdays(db, make, world):
    from app.daily.queries import expected_children

    season = make.season(world.site, "周", start_date=date(2025, 7, 7), end_date=date(2025, 8, 29))
    make.enrolment(make.child(world.site, "周一来"), season)
    assert [c.name for c in expected_children(world.site, date(2025, 7, 11))] == ["周一来"]  # a Friday
    assert expected_children(world.site, date(2025, 7, 12)) == []  # a Saturday
    assert expected_children(world.site, date(2025, 9, 1)) == []   # after the season


def _options(html, child):
    """The departure choices offered on ``child``'s row: [(value, label)]."""
    import re

    row = html.split(f'id="day-row-{child.id}"', 1)[1].split("</tr>", 1)[0]
    select_ = row.split('name="picked_up_by"', 1)[1].split("</select>", 1)[0] if 'name="picked_up_by"' in row else ""
    return re.findall(r'<option value="([^"]*)">([^<]*)</option>', select_)


def test_the_pickup_choices_come_with_one_query_once_a_child_has_arrived(client, db, make, login, day_world,
                                                                          count_queries):
    w = day_world
    alone_ok = w.children[2]
    extra = make.child(w.site, "多人")
    from app.children.models import Guardian, PickupPerson

    db.session.add_all([Guardian(child_id=extra.id, name="父亲", relation="父亲", phone="13911112222"),
                        PickupPerson(child_id=extra.id, name="舅舅", relation="舅舅", phone="13711112222")])
    make.enrolment(extra, w.season)
    db.session.commit()
    login(client, w.coordinator)
    url = f"/sites/{w.site.id}/today"
    client.get(url)
    with count_queries() as nobody:
        html = client.get(url).get_data(as_text=True)
    assert all(_options(html, c) == [] for c in [*w.children, extra])  # nobody to send home yet
    _arrive(client, w, w.children[0])
    with count_queries() as one:
        client.get(url)
    for child in (alone_ok, extra):
        _arrive(client, w, child)
    with count_queries() as three:
        html = client.get(url).get_data(as_text=True)
    people = lambda counted: sum("FROM guardians" in s for s in counted.statements)  # noqa: E731
    assert (people(nobody), people(one), people(three)) == (0, 1, 1)  # one query, whatever the arrivals
    assert one.count == three.count, (one.count, three.count)
    guardians = [g.id for g in sorted(extra.guardians, key=lambda g: g.id)]
    pickups = sorted(p.id for p in db.session.scalars(select(PickupPerson).where(PickupPerson.child_id == extra.id)))
    assert _options(html, extra) == [("", "由谁接走…"), *[(f"g{i}", f"{n} ({r})") for i, n, r in zip(
        guardians, ["家长", "父亲"], ["母亲", "父亲"])], *[(f"p{i}", f"{n} ({r})") for i, n, r in zip(
        pickups, ["舅舅"], ["舅舅"])]]
    assert _options(html, alone_ok) == [("", "由谁接走…"), (f"g{alone_ok.guardians[0].id}", "家长 (母亲)"),
                                        (f"p{w.pickups[alone_ok.id].id}", "接送人2 (奶奶)"), ("alone", "自行回家")]
    assert _options(html, w.children[1]) == []  # not arrived


def test_the_today_page_costs_the_same_queries_with_more_children(client, db, make, login, day_world, count_queries):
    w = day_world
    login(client, w.coordinator)
    _arrive(client, w, w.children[0])
    url = f"/sites/{w.site.id}/today"
    client.get(url)
    with count_queries() as few:
        client.get(url)
    for i in range(12):
        child = make.child(w.site, f"多{i}", allergies="牛奶" if i % 2 else "")
        make.enrolment(child, w.season)
        _arrive(client, w, child)
    with count_queries() as many:
        assert client.get(url).status_code == 200
    assert many.count == few.count, (few.count, many.count)


def test_a_name_with_markup_stays_text_on_the_day_table_and_in_the_row_a_tap_returns(client, db, make, login,
                                                                                      day_world):
    w = day_world
    hostile = make.child(w.site, '<script>alert(1)</script>"x', allergies="<b>花生</b>")
    make.enrolment(hostile, w.season)
    login(client, w.coordinator)
    page = client.get(f"/sites/{w.site.id}/today").get_data(as_text=True)
    answer = _arrive(client, w, hostile).get_data(as_text=True)
    for html in (page, answer):
        assert "<script>alert(1)</script>" not in html and "<b>花生</b>" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_the_day_says_whether_the_children_or_the_season_are_missing(client, db, login, day_world):
    """Children expected: neither message. A season covers the day but no child is expected: "no
    child". (The seasons are asked for only then; no season at all is covered above.)"""
    from app.children.models import Enrolment

    w = day_world
    login(client, w.coordinator)
    client.post("/auth/language", data={"locale": "en"})
    url = f"/sites/{w.site.id}/today"
    html = client.get(url).get_data(as_text=True)
    assert 'data-testid="day-row"' in html
    assert "No season of this site covers" not in html and "No child is expected" not in html
    for enrolment in db.session.scalars(select(Enrolment).where(Enrolment.season_id == w.season.id)):
        enrolment.status = "withdrawn"
    db.session.commit()
    html = client.get(url).get_data(as_text=True)
    assert 'data-testid="day-row"' not in html
    assert "No child is expected on" in html and "No season of this site covers" not in html
