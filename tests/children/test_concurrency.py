"""Many requests at once, over real HTTP (``tests/http.py``), on SQLite and PostgreSQL (the suite
runs on both): the same import confirmed at once is saved once; twenty-odd "Enrol" clicks for the
last place enrol exactly one child, without a deadlock or an error page."""
from __future__ import annotations

import io
import re
import secrets

from openpyxl import Workbook
from sqlalchemy import func, select

from app.children.importer import HEADERS
from app.children.models import AuditEntry, Child, Enrolment, ImportBatch
from tests.http import HttpClient, race

ROWS = [[f"孩子{i}", "男", "2016-09-01", "三年级", "", "", "家长", "父亲", f"1380000{i:04d}", "", "", "", "", "否", "否"]
        for i in range(6)]
FLASH_RE = re.compile(r'<p class="alert alert-[a-z]+">(.*?)</p>', re.S)


def _count(db, model, *where) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _roster_file() -> bytes:
    book = Workbook()
    book.active.append(HEADERS)
    for row in ROWS:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _upload(app, login, user, site, season, data: bytes) -> int:
    test_client = app.test_client()
    login(test_client, user)
    response = test_client.post(f"/sites/{site.id}/children/import", content_type="multipart/form-data",
                                data={"file": (io.BytesIO(data), "名单.xlsx"), "season_id": str(season.id)})
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    return int(response.location.rstrip("/").rsplit("/", 1)[1])


def _flashes(client: HttpClient, location: str) -> str:
    page = client.get(location.replace(client.base, "")).text
    return " ".join(m.strip() for m in FLASH_RE.findall(page))


def test_the_same_import_confirmed_at_once_is_saved_once(app, db, live_server, login, world):
    user = world.users["coordinator"]
    batch_id = _upload(app, login, user, world.site, world.season, _roster_file())
    # five tabs (or a double tap and a retry) send the confirmation at the same moment
    clients = [HttpClient(live_server).login(user) for _ in range(5)]
    for client in clients:
        client.post("/auth/language", {"locale": "en"})
    results = race([lambda c=c: c.post(f"/imports/{batch_id}/confirm") for c in clients])
    statuses = [getattr(r, "status", r) for r in results]
    assert all(s in (303, 404) for s in statuses), statuses  # 404: the preview was already gone
    assert _count(db, Child) == len(ROWS)
    assert _count(db, Enrolment, Enrolment.season_id == world.season.id) == len(ROWS)
    assert _count(db, AuditEntry, AuditEntry.event == "child.imported") == len(ROWS)
    assert _count(db, ImportBatch) == 0
    messages = [_flashes(c, r.location) for c, r in zip(clients, results) if r.status == 303]
    assert sum("6 children saved" in m for m in messages) == 1, messages
    # every other confirmation that got through says so, and saved nothing
    assert all("already been saved" in m for m in messages if "6 children saved" not in m), messages
    assert any("already been saved" in m for m in messages), statuses  # the race reached the save, not only 404s


def test_many_enrol_clicks_for_the_last_place_enrol_exactly_one(db, live_server, make, world):
    season = make.season(world.site, capacity=3)
    for i in range(2):
        make.enrolment(make.child(world.site, f"已录取{i}"), season, status="enrolled")
    children = []
    for i in range(22):
        child = make.child(world.site, f"报名{i}")
        make.consent(child)
        children.append(child)
    clients = [HttpClient(live_server).login(world.users["coordinator"]) for _ in range(2)]

    def click(index, child):
        client = clients[index % len(clients)]
        return client.post(f"/children/{child.id}/enrolments",
                           {"season_id": str(season.id), "action": "enrol",
                            "form_token": secrets.token_urlsafe(16)})  # each child's own rendered form

    results = race([lambda i=i, c=c: click(i, c) for i, c in enumerate(children)])
    statuses = [getattr(r, "status", r) for r in results]
    assert statuses == [303] * len(children), statuses  # no error page, no deadlock
    assert _count(db, Enrolment, Enrolment.season_id == season.id, Enrolment.status == "enrolled") == 3
    assert _count(db, Enrolment, Enrolment.season_id == season.id, Enrolment.status == "waitlisted") == 21
