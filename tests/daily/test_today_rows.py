"""The today page's rows are drawn from texts worked out once per page (the times, the alerts, the tap
forms): each helper gives every row its own value, and a row answered after a tap is the row of the page."""
from __future__ import annotations

import re
from datetime import datetime

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
    from app.daily.models import DayRecord
    from app.core.timeutil import utcnow
    from datetime import timedelta

    w = day_world
    first, second, third = w.children
    db.session.get(Child, second.id).allergies = "牛奶"
    db.session.get(Child, third.id).high_risk = True
    now = utcnow()
    for child, minutes in ((first, 0), (second, 7)):
        db.session.add(DayRecord(site_id=w.site.id, child_id=child.id, day=w.day, arrived_at=now - timedelta(minutes=minutes)))
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
