"""Two people marking the same child at once (a volunteer's phone, the coordinator's desk), over real
HTTP on SQLite and PostgreSQL: one record per child and day, no mark lost from the history, the
latest mark wins, never an error page."""
from __future__ import annotations

from sqlalchemy import func, select

from app.daily.models import DailyAlert, DayRecord, DayRecordChange
from tests.http import HttpClient, race


def _count(db, model, *where):
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_two_people_tapping_the_same_arrival_at_once_lose_no_mark(db, live_server, make, day_world):
    w = day_world
    second = make.user("coordinator", w.site, username="desk")
    clients = [HttpClient(live_server).login(w.coordinator), HttpClient(live_server).login(second)]
    children = w.children
    calls = []
    for child in children:  # each child tapped by both at the same moment, twice over
        for client in clients + clients:
            calls.append(lambda c=client, ch=child: c.post(f"/sites/{w.site.id}/today/{ch.id}/arrive",
                                                           {"day": w.day.isoformat()}, htmx=True))
    results = race(calls)
    statuses = [getattr(r, "status", r) for r in results]
    assert statuses == [200] * len(calls), statuses
    assert _count(db, DayRecord) == len(children)
    for child in children:
        record = db.session.scalar(select(DayRecord).where(DayRecord.child_id == child.id))
        changes = list(db.session.scalars(select(DayRecordChange).where(DayRecordChange.record_id == record.id)
                                          .order_by(DayRecordChange.id)))
        assert len(changes) == 4
        assert {c.by_id for c in changes} == {w.coordinator.id, second.id}
        assert record.arrived_at == changes[-1].arrived_at  # the latest mark wins


def test_an_arrival_and_departures_at_once_keep_one_consistent_record(db, live_server, make, day_world):
    w = day_world
    child = w.children[0]
    second = make.user("coordinator", w.site, username="phone")
    first_client, second_client = HttpClient(live_server).login(w.coordinator), HttpClient(live_server).login(second)
    assert first_client.post(f"/sites/{w.site.id}/today/{child.id}/arrive", {"day": w.day.isoformat()},
                             htmx=True).status == 200
    guardian, pickup = f"g{child.guardians[0].id}", f"p{w.pickups[child.id].id}"
    results = race([
        lambda: first_client.post(f"/sites/{w.site.id}/today/{child.id}/depart",
                                  {"day": w.day.isoformat(), "picked_up_by": guardian}, htmx=True),
        lambda: second_client.post(f"/sites/{w.site.id}/today/{child.id}/depart",
                                   {"day": w.day.isoformat(), "picked_up_by": pickup}, htmx=True),
        lambda: second_client.post(f"/sites/{w.site.id}/today/{w.children[1].id}/arrive",
                                   {"day": w.day.isoformat()}, htmx=True),
    ])
    statuses = [getattr(r, "status", r) for r in results]
    assert statuses == [200, 200, 200], statuses
    db.session.expire_all()
    record = db.session.scalar(select(DayRecord).where(DayRecord.child_id == child.id))
    last = db.session.scalar(select(DayRecordChange).where(DayRecordChange.record_id == record.id)
                             .order_by(DayRecordChange.id.desc()).limit(1))
    assert record.picked_up_by == last.picked_up_by and record.departed_at == last.departed_at
    assert _count(db, DayRecordChange, DayRecordChange.record_id == record.id, DayRecordChange.kind == "departure") == 2
    # alerts raised by the writes are never raised twice
    rows = db.session.execute(select(DailyAlert.child_id, DailyAlert.kind, func.count())
                              .group_by(DailyAlert.child_id, DailyAlert.kind)).all()
    assert all(n == 1 for _c, _k, n in rows)
