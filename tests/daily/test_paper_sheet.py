"""The printable sign-in sheet (A4 PDF with names, guardian phones and alerts) and the quick entry of
the paper sheet afterwards: one form, one request, all rows or none."""
from __future__ import annotations

import io
from datetime import timedelta

from pypdf import PdfReader
from sqlalchemy import func, select

from app.core.timeutil import to_local
from app.daily.models import DayRecord, DayRecordChange


def _records(db):
    db.session.expire_all()
    return {r.child_id: r for r in db.session.scalars(select(DayRecord))}


def test_the_sheet_is_an_a4_pdf_with_names_phones_and_alerts(client, db, login, day_world):
    w = day_world
    login(client, w.coordinator)
    response = client.get(f"/sites/{w.site.id}/today/sheet.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(response.data))
    page = reader.pages[0]
    assert abs(float(page.mediabox.width) - 595.28) < 1 and abs(float(page.mediabox.height) - 841.89) < 1
    text = "".join(p.extract_text() for p in reader.pages)
    for child in w.children:
        assert child.name in text
    assert "13900000000" in text and "花生" in text and "签名" in text


def test_the_paper_sheet_is_saved_in_one_request(client, db, login, day_world):
    w = day_world
    first, second, third = w.children
    day = w.day - timedelta(days=1)
    login(client, w.coordinator)
    url = f"/sites/{w.site.id}/today/paper?day={day.isoformat()}"
    assert first.name in client.get(url).get_data(as_text=True)
    response = client.post(url, data={
        f"c{first.id}_arrival": "08:05", f"c{first.id}_departure": "17:30", f"c{first.id}_picked_up_by": f"g{first.guardians[0].id}",
        f"c{second.id}_arrival": "８:２０",  # full-width digits as typed on a phone
        f"c{third.id}_arrival": "", f"c{third.id}_departure": "", f"c{third.id}_picked_up_by": ""})
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    records = _records(db)
    assert set(records) == {first.id, second.id}
    assert to_local(records[first.id].arrived_at).strftime("%H:%M") == "08:05"
    assert to_local(records[first.id].departed_at).strftime("%H:%M") == "17:30"
    assert records[first.id].picked_up_by == first.guardians[0].name and records[first.id].day == day
    assert to_local(records[second.id].arrived_at).strftime("%H:%M") == "08:20"
    assert db.session.scalar(select(func.count()).select_from(DayRecordChange).where(DayRecordChange.kind == "paper")) == 2


def test_a_bad_row_saves_nothing_and_shows_its_error(client, db, login, day_world):
    w = day_world
    first, second, _third = w.children
    day = w.day - timedelta(days=1)
    login(client, w.coordinator)
    client.post("/auth/language", data={"locale": "en"})
    url = f"/sites/{w.site.id}/today/paper?day={day.isoformat()}"
    good = {f"c{first.id}_arrival": "08:05"}
    cases = [
        ({f"c{second.id}_arrival": "09:00", f"c{second.id}_departure": "08:00",
          f"c{second.id}_picked_up_by": f"g{second.guardians[0].id}"}, "departure cannot be before the arrival"),
        ({f"c{second.id}_departure": "17:00", f"c{second.id}_picked_up_by": f"g{second.guardians[0].id}"},
         "arrival time before the departure"),
        ({f"c{second.id}_arrival": "09:00", f"c{second.id}_departure": "17:00",
          f"c{second.id}_picked_up_by": f"p{w.pickups[first.id].id}"}, "Not a valid choice"),  # another child's person
        ({f"c{second.id}_arrival": "25:99"}, "Enter a time as HH:MM"),
        ({f"c{second.id}_arrival": "09:00", f"c{second.id}_departure": "17:00"}, "Choose who picked the child up"),
    ]
    for bad, message in cases:
        response = client.post(url, data={**good, **bad})
        html = response.get_data(as_text=True)
        assert response.status_code == 422, message
        assert message in html and "Nothing was saved" in html, message
        assert _records(db) == {}, message


def test_the_paper_sheet_refuses_a_day_in_the_future(client, db, login, day_world):
    w = day_world
    first = w.children[0]
    login(client, w.coordinator)
    client.post("/auth/language", data={"locale": "en"})
    url = f"/sites/{w.site.id}/today/paper?day={(w.day + timedelta(days=2)).isoformat()}"
    response = client.post(url, data={f"c{first.id}_arrival": "08:00"})
    assert response.status_code == 422 and "cannot be in the future" in response.get_data(as_text=True)
    assert _records(db) == {}
