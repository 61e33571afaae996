"""Incidents: written once, never edited or deleted (no route, a direct POST refused, the service and
the mapper refuse), addenda with author and time, suspected harm reminds of the duty to report and
records the report."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.core.timeutil import to_local, utcnow
from app.daily.models import Incident, IncidentAddendum, IncidentChild, IncidentNotEditable, IncidentReport


def _count(db, model):
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def _form(**over):
    when = to_local(utcnow() - timedelta(hours=1))
    data = {"kind": "injury", "occurred_on": when.date().isoformat(), "occurred_time": when.strftime("%H:%M"),
            "place": "一楼活动室", "what_happened": "跑步时摔倒，膝盖擦伤", "action_taken": "消毒包扎",
            "informed_on": when.date().isoformat(), "informed_time": when.strftime("%H:%M"), "others_involved": ""}
    data.update(over)
    return data


def _record(client, w, **over):
    response = client.post(f"/sites/{w.site.id}/incidents/new",
                           data={**_form(**over), "child_ids": [str(w.children[0].id)]})
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    return int(response.location.rstrip("/").rsplit("/", 1)[1])


def test_an_incident_is_recorded_with_who_where_what(client, db, login, day_world):
    w = day_world
    login(client, w.coordinator)
    incident_id = _record(client, w)
    incident = db.session.get(Incident, incident_id)
    assert incident.kind == "injury" and incident.recorded_by_id == w.coordinator.id
    assert incident.guardian_informed_at is not None
    assert _count(db, IncidentChild) == 1
    html = client.get(f"/incidents/{incident_id}").get_data(as_text=True)
    assert "跑步时摔倒" in html and w.children[0].name in html
    assert w.children[0].name in client.get(f"/sites/{w.site.id}/incidents").get_data(as_text=True)


def test_an_incident_cannot_be_edited_or_deleted(app, client, db, login, day_world):
    from app.core.errors import FormError
    from app.daily import services

    w = day_world
    login(client, w.coordinator)
    incident_id = _record(client, w)
    assert not [r for r in app.url_map.iter_rules() if r.endpoint.startswith("daily.incident")
                and ({"PUT", "PATCH", "DELETE"} & r.methods or "edit" in r.rule or "delete" in r.rule)]
    for url in (f"/incidents/{incident_id}/edit", f"/incidents/{incident_id}/delete"):
        assert client.post(url, data={"what_happened": "改过的"}).status_code == 404
    assert client.post(f"/incidents/{incident_id}", data={"what_happened": "改过的"}).status_code == 405
    incident = db.session.get(Incident, incident_id)
    with app.test_request_context(), pytest.raises(FormError):
        services.edit_incident(incident, {"what_happened": "改过的"}, by=w.coordinator)
    incident.what_happened = "改过的"
    with pytest.raises(IncidentNotEditable):
        db.session.flush()
    db.session.rollback()
    db.session.delete(db.session.get(Incident, incident_id))
    with pytest.raises(IncidentNotEditable):
        db.session.flush()
    db.session.rollback()
    db.session.expire_all()
    assert db.session.get(Incident, incident_id).what_happened == "跑步时摔倒，膝盖擦伤"


def test_addenda_are_added_with_author_and_time(client, db, login, day_world):
    w = day_world
    login(client, w.coordinator)
    incident_id = _record(client, w)
    response = client.post(f"/incidents/{incident_id}/addenda", data={"text": "更正：是左膝，不是右膝"})
    assert response.status_code == 303
    addendum = db.session.scalar(select(IncidentAddendum))
    assert addendum.author_id == w.coordinator.id and addendum.created_at is not None
    html = client.get(f"/incidents/{incident_id}").get_data(as_text=True)
    assert "更正：是左膝" in html and "跑步时摔倒" in html
    # an empty addendum is refused in place
    assert client.post(f"/incidents/{incident_id}/addenda", data={"text": " "}).status_code == 422
    assert _count(db, IncidentAddendum) == 1


def test_suspected_harm_reminds_of_the_duty_and_records_the_report(client, db, login, day_world):
    w = day_world
    login(client, w.coordinator)
    assert 'data-testid="duty-to-report"' in client.get(f"/sites/{w.site.id}/incidents/new").get_data(as_text=True)
    incident_id = _record(client, w, kind="suspected_harm", what_happened="孩子手臂有多处淤青，说是家里打的")
    html = client.get(f"/incidents/{incident_id}").get_data(as_text=True)
    assert "第十一条" in html or "article 11" in html
    assert "尚未报告" in html or "Not yet reported" in html
    now = to_local(utcnow())
    response = client.post(f"/incidents/{incident_id}/reports", data={
        "reported_to": "旧馆派出所", "reported_on": now.date().isoformat(), "reported_time": now.strftime("%H:%M")})
    assert response.status_code == 303
    report = db.session.scalar(select(IncidentReport))
    assert report.reported_to == "旧馆派出所" and report.recorded_by_id == w.coordinator.id
    assert "旧馆派出所" in client.get(f"/incidents/{incident_id}").get_data(as_text=True)


def test_bad_incident_input_is_refused_with_a_message(client, db, make, login, day_world, world):
    w = day_world
    login(client, w.coordinator)
    client.post("/auth/language", data={"locale": "en"})
    url = f"/sites/{w.site.id}/incidents/new"
    future = to_local(utcnow() + timedelta(days=2))
    stranger = make.child(world.other_site, "别处的孩子")
    cases = [
        ({**_form(place=""), "child_ids": [str(w.children[0].id)]}, "This field is required"),
        ({**_form(occurred_on=future.date().isoformat()), "child_ids": [str(w.children[0].id)]}, "future"),
        ({**_form(), "child_ids": [str(stranger.id)]}, "children of this site"),
        (_form(), "Say who was involved"),
        ({**_form(informed_time=""), "child_ids": [str(w.children[0].id)]}, "both the date and the time"),
    ]
    for data, message in cases:
        response = client.post(url, data=data)
        assert response.status_code == 422, message
        assert message in response.get_data(as_text=True), message
    assert _count(db, Incident) == 0
    # a report for an incident that is not suspected harm
    incident_id = _record(client, w)
    now = to_local(utcnow())
    response = client.post(f"/incidents/{incident_id}/reports", data={
        "reported_to": "派出所", "reported_on": now.date().isoformat(), "reported_time": now.strftime("%H:%M")})
    assert response.status_code == 422 and _count(db, IncidentReport) == 0
