"""The today page's rows are drawn from texts worked out once per page (the times, the alerts, the tap
forms): each helper gives every row its own value, and a row answered after a tap is the row of the page."""
from __future__ import annotations

import re
from datetime import datetime, timedelta

from app.daily import labels


def test_time_texts_are_worked_out_once_per_distinct_time_and_are_each_times_own(monkeypatch):
    asked = []
    real = labels.time_text
    monkeypatch.setattr(labels, "time_text", lambda value: asked.append(value) or real(value))
    texts = labels.TimeTexts()
    eight, nine = datetime(2025, 7, 1, 0, 30), datetime(2025, 7, 1, 1, 5)  # stored as UTC
    assert [texts[eight], texts[nine], texts[eight], texts[None], texts[nine], texts[None]] == [
        "08:30", "09:05", "08:30", "", "09:05", ""]
    assert asked == [eight, nine, None]  # each value once
    assert labels.TimeTexts()[nine] == "09:05"  # a new page starts afresh


def test_drawn_once_draws_each_distinct_value_once_and_gives_each_its_own_drawing():
    drawn = []
    marks = labels.DrawnOnce(lambda value: drawn.append(value) or f"<{value}>")
    assert [marks["花生"], marks["牛奶"], marks["花生"], marks["牛奶"]] == ["<花生>", "<牛奶>", "<花生>", "<牛奶>"]
    assert drawn == ["花生", "牛奶"]


def test_rows_with_different_alerts_and_times_each_show_their_own(client, db, make, login, day_world):
    """Two children with different allergies (and one high-risk) and different arrival times: each row
    shows its own alert and time, though each distinct alert and time is drawn once per page."""
    from app.children.models import Child
    from app.core.timeutil import utcnow
    from app.daily.models import DayRecord

    w = day_world
    first, second, third = w.children
    db.session.get(Child, second.id).allergies = "牛奶"
    db.session.get(Child, third.id).high_risk = True
    now = utcnow()
    for child, minutes in ((first, 0), (second, 7)):
        db.session.add(DayRecord(site_id=w.site.id, child_id=child.id, day=w.day,
                                 arrived_at=now - timedelta(minutes=minutes)))
    db.session.commit()
    login(client, w.coordinator)
    html = client.get(f"/sites/{w.site.id}/today").get_data(as_text=True)
    rows = {child.id: _row(html, child.id) for child in w.children}
    assert "花生" in rows[first.id] and "牛奶" not in rows[first.id]
    assert "牛奶" in rows[second.id] and "花生" not in rows[second.id]
    assert "child-alert" in rows[third.id] and "花生" not in rows[third.id] and "牛奶" not in rows[third.id]
    assert "08:00" in rows[first.id] and "07:53" in rows[second.id]  # the morning fixture's clock: 08:00
    assert "07:53" not in rows[first.id] and "08:00" not in rows[second.id]


def _row(html: str, child_id: int) -> str:
    found = re.search(rf'<tr id="day-row-{child_id}".*?</tr>', html, re.S)
    assert found, child_id
    return found.group(0)


def test_per_id_puts_each_rows_own_integer_id_in_every_place_of_the_piece():
    piece = labels.per_id(f'<form action="/sites/1/today/{labels.ID_SLOT}/arrive"><select id="who-{labels.ID_SLOT}">')
    assert piece(7) == '<form action="/sites/1/today/7/arrive"><select id="who-7">'
    assert piece(12) == '<form action="/sites/1/today/12/arrive"><select id="who-12">'
    assert labels.ID_SLOT not in piece(7)
    for not_an_id in ("7<b>", '7" onclick="x', None):
        try:
            piece(not_an_id)
        except (TypeError, ValueError):
            continue
        raise AssertionError(f"per_id took {not_an_id!r}")


def test_slot_url_is_the_url_with_the_slot_for_the_id(app):
    from flask import url_for

    from app.core.urls import slot_url

    with app.test_request_context():
        built = slot_url("daily.arrive", "child_id", labels.ID_SLOT, site_id=2147483647)  # the first stand-in taken
        assert built.replace(labels.ID_SLOT, "5") == url_for("daily.arrive", site_id=2147483647, child_id=5)


def _masked(html: str) -> str:
    return re.sub(r'name="csrf_token" value="[^"]*"', 'name="csrf_token" value="X"', html)


def test_tap_forms_carry_each_rows_own_id_and_a_row_after_a_tap_is_the_row_of_the_page(client, db, login, day_world):
    w = day_world
    first, second, third = w.children
    login(client, w.coordinator)
    client.post(f"/sites/{w.site.id}/today/{first.id}/arrive", data={"day": w.day.isoformat()})
    html = client.get(f"/sites/{w.site.id}/today").get_data(as_text=True)
    assert labels.ID_SLOT not in html
    # the first waits to go home (departure form), the two others to arrive (arrival and excuse forms)
    row = _row(html, first.id)
    assert f'action="/sites/{w.site.id}/today/{first.id}/depart"' in row
    assert f'for="who-{first.id}"' in row and f'<select id="who-{first.id}"' in row
    assert f'action="/sites/{w.site.id}/today/{first.id}/exception"' in row
    for child in (second, third):
        row = _row(html, child.id)
        assert f'action="/sites/{w.site.id}/today/{child.id}/arrive"' in row
        assert f'hx-post="/sites/{w.site.id}/today/{child.id}/excuse"' in row
        other = first.id if child is second else second.id
        assert f"/today/{other}/" not in row
    # a tap answers the row alone: the same row as the page draws (the arrival, then the excuse)
    for child, tap, data in ((second, "arrive", {}), (third, "excuse", {"reason": "看病 <去医院>"})):
        answer = client.post(f"/sites/{w.site.id}/today/{child.id}/{tap}", data={"day": w.day.isoformat(), **data},
                             headers={"HX-Request": "true"}).get_data(as_text=True)
        page = client.get(f"/sites/{w.site.id}/today").get_data(as_text=True)
        assert _masked(_row(answer, child.id)) == _masked(_row(page, child.id))
    assert "看病 &lt;去医院&gt;" in _row(page, third.id)
    # and the departure form of a waiting child, with its own pickup choices
    answer = client.post(f"/sites/{w.site.id}/today/{third.id}/arrive", data={"day": w.day.isoformat()},
                         headers={"HX-Request": "true"}).get_data(as_text=True)
    page = client.get(f"/sites/{w.site.id}/today").get_data(as_text=True)
    assert _masked(_row(answer, third.id)) == _masked(_row(page, third.id))
    assert w.pickups[third.id].name in _row(page, third.id) and w.pickups[second.id].name not in _row(page, third.id)
