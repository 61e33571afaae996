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
