"""Alerts followed to an end: generated when due (never by a GET), owned, acknowledged, resolved only
with a note, counted for the navigation badge."""
from __future__ import annotations

from datetime import datetime, time

from sqlalchemy import func, select

from app.core.timeutil import LOCAL_TZ
from app.daily.models import DailyAlert, DailySettings

HX = {"HX-Request": "true"}


def _at(day, hour, minute=0):
    return datetime.combine(day, time(hour, minute), tzinfo=LOCAL_TZ)


def _alerts(db, **where):
    db.session.expire_all()
    query = select(DailyAlert).order_by(DailyAlert.id)
    for key, value in where.items():
        query = query.where(getattr(DailyAlert, key) == value)
    return list(db.session.scalars(query))


def _generate(db, site, now):
    from app.daily.services import generate_alerts

    created = generate_alerts(site, now)
    db.session.commit()
    return created


def test_not_arrived_and_not_picked_up_alerts_are_raised_when_due(client, db, login, day_world):
    w = day_world
    absent, arrived, excused = w.children
    login(client, w.coordinator)
    client.post(f"/sites/{w.site.id}/today/{arrived.id}/arrive", data={"day": w.day.isoformat()}, headers=HX)
    client.post(f"/sites/{w.site.id}/today/{excused.id}/excuse", data={"day": w.day.isoformat(), "reason": "发烧请假"},
                headers=HX)
    assert _generate(db, w.site, _at(w.day, 9, 0)) == []            # before 09:30: nothing due
    _generate(db, w.site, _at(w.day, 9, 45))
    alerts = _alerts(db)
    assert [(a.child_id, a.kind) for a in alerts] == [(absent.id, "not_arrived")]
    assert alerts[0].owner_id == w.coordinator.id and alerts[0].state == "open"
    _generate(db, w.site, _at(w.day, 10, 0))                       # again: nothing twice
    assert len(_alerts(db)) == 1
    _generate(db, w.site, _at(w.day, 18, 5))
    assert [(a.child_id, a.kind) for a in _alerts(db, kind="not_picked_up")] == [(arrived.id, "not_picked_up")]


def test_the_sites_own_times_decide(db, day_world):
    w = day_world
    db.session.add(DailySettings(site_id=w.site.id, arrive_by=time(8, 0), pickup_by=time(17, 0)))
    db.session.commit()
    _generate(db, w.site, _at(w.day, 8, 15))
    assert len(_alerts(db, kind="not_arrived")) == 3


def test_a_get_never_raises_alerts(client, db, login, day_world):
    w = day_world
    login(client, w.coordinator)
    client.get(f"/sites/{w.site.id}/today")
    assert _alerts(db) == []


def test_the_cli_raises_the_alerts_due(app, db, day_world, monkeypatch):
    from app.daily import services

    w = day_world
    monkeypatch.setattr(services, "utcnow", lambda: _at(w.day, 10).astimezone(__import__("datetime").timezone.utc)
                        .replace(tzinfo=None))
    result = app.test_cli_runner().invoke(args=["daily", "alerts"])
    assert result.exit_code == 0, result.output
    assert "Raised 3 alerts" in result.output
    assert len(_alerts(db, kind="not_arrived")) == 3


def test_acknowledged_owned_and_resolved_only_with_a_note(client, db, make, login, day_world):
    w = day_world
    _generate(db, w.site, _at(w.day, 9, 45))
    alert = _alerts(db)[0]
    second = make.user("coordinator", w.site, username="second")
    login(client, second)
    client.post("/auth/language", data={"locale": "en"})
    assert client.post(f"/alerts/{alert.id}/acknowledge", data={}).status_code == 303
    alert = _alerts(db, id=alert.id)[0]
    assert alert.state == "acknowledged" and alert.owner_id == second.id
    # resolving needs a note: refused in place, still unresolved
    response = client.post(f"/alerts/{alert.id}/resolve", data={"note": "  "})
    assert response.status_code == 422 and "This field is required" in response.get_data(as_text=True)
    assert _alerts(db, id=alert.id)[0].state == "acknowledged"
    response = client.post(f"/alerts/{alert.id}/resolve", data={"note": "已电话联系母亲，孩子今天在家"})
    assert response.status_code == 303
    alert = _alerts(db, id=alert.id)[0]
    assert alert.state == "resolved" and alert.resolved_by_id == second.id
    assert alert.resolution_note == "已电话联系母亲，孩子今天在家"
    # it stays in the list of resolved alerts, with its note
    assert "已电话联系母亲" in client.get(f"/sites/{w.site.id}/alerts").get_data(as_text=True)
    # a resolved alert cannot be resolved again
    assert client.post(f"/alerts/{alert.id}/resolve", data={"note": "再次"}).status_code == 422


def test_open_alerts_show_on_the_today_page_and_are_counted_per_user(client, db, login, day_world, world):
    from app.daily.queries import open_alert_count

    w = day_world
    _generate(db, w.site, _at(w.day, 9, 45))
    login(client, w.coordinator)
    html = client.get(f"/sites/{w.site.id}/today").get_data(as_text=True)
    assert 'data-testid="open-alerts"' in html and html.count('data-testid="alert-item"') == 3
    assert open_alert_count(w.coordinator) == 3
    assert open_alert_count(world.users["auditor"]) == 3
    assert open_alert_count(world.users["other_coordinator"]) == 0
    assert open_alert_count(world.users["volunteer"]) == 0
    alert = _alerts(db)[0]
    client.post(f"/alerts/{alert.id}/acknowledge", data={})
    assert open_alert_count(w.coordinator) == 3   # acknowledged is not resolved
    client.post(f"/alerts/{alert.id}/resolve", data={"note": "找到了"})
    assert open_alert_count(w.coordinator) == 2


def test_an_auditor_reads_alerts_but_cannot_resolve_them(client, db, login, day_world, world):
    w = day_world
    _generate(db, w.site, _at(w.day, 9, 45))
    alert = _alerts(db)[0]
    login(client, world.users["auditor"])
    assert client.get(f"/sites/{w.site.id}/alerts").status_code == 200
    assert client.post(f"/alerts/{alert.id}/resolve", data={"note": "x"}).status_code == 403
    assert _alerts(db, id=alert.id)[0].state == "open"


def test_resolved_needs_a_note_in_the_database_too(db, day_world):
    import pytest
    from sqlalchemy.exc import IntegrityError

    w = day_world
    _generate(db, w.site, _at(w.day, 9, 45))
    alert = _alerts(db)[0]
    alert.state = "resolved"
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(DailyAlert).where(DailyAlert.state == "resolved")) == 0


def test_an_arrival_tap_raises_the_alerts_already_due(client, db, login, day_world):
    w = day_world
    db.session.add(DailySettings(site_id=w.site.id, arrive_by=time(0, 0), pickup_by=time(23, 59)))
    db.session.commit()
    login(client, w.coordinator)
    client.post(f"/sites/{w.site.id}/today/{w.children[0].id}/arrive", data={"day": w.day.isoformat()}, headers=HX)
    assert sorted(a.child_id for a in _alerts(db, kind="not_arrived")) == sorted(c.id for c in w.children[1:])


def test_the_open_alerts_show_the_childs_name_and_the_owners_name(client, db, make, login, day_world):
    """The unresolved alerts are read as plain values (the alert, the child's name, the owner's name):
    the today page and the alerts page show the child and who owns each alert, "nobody yet" when
    nobody does, and both names stay text."""
    import re

    w = day_world
    _generate(db, w.site, _at(w.day, 9, 45))
    owned, unowned, _third = _alerts(db, kind="not_arrived")
    owner = make.user("coordinator", w.site, username="owner", display_name="Lee <b>One</b>")
    owned.owner_id, unowned.owner_id = owner.id, None
    db.session.commit()
    names = {child.id: child.name for child in w.children}
    login(client, w.coordinator)
    client.post("/auth/language", data={"locale": "en"})
    for path in (f"/sites/{w.site.id}/today", f"/sites/{w.site.id}/alerts"):
        body = client.get(path).get_data(as_text=True)
        items = dict(re.findall(r'<li class="alert-item[^"]*" id="alert-(\d+)"(.*?)</li>', body, re.S))
        assert f"<strong>{names[owned.child_id]}</strong>" in items[str(owned.id)], path
        assert "Owner: Lee &lt;b&gt;One&lt;/b&gt;" in items[str(owned.id)], path
        assert f"<strong>{names[unowned.child_id]}</strong>" in items[str(unowned.id)], path
        assert "Owner: nobody yet" in items[str(unowned.id)], path
