"""Two coordinators save a session into the same room and slot at the same moment, over real HTTP,
on SQLite and PostgreSQL (the suite runs on both): one session is saved, the other is refused in
words; no error page, no deadlock. The same for two recurring schedules over the same weeks."""
from __future__ import annotations

import re
import secrets

from sqlalchemy import func, select

from app.scheduling.models import Session
from tests import factories
from tests.http import HttpClient, race

ERROR_RE = re.compile(r'class="error[^"]*"[^>]*>(?:<p>)?(.*?)</p>', re.S)


def _count(db) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(Session).where(Session.cancelled.is_(False)))


def _coordinators(live_server, world, n=2):
    users = [world.users["coordinator"]] + [factories.user("coordinator", world.site) for _ in range(n - 1)]
    clients = [HttpClient(live_server).login(u) for u in users]
    for client in clients:
        client.post("/auth/language", {"locale": "en"})
    return clients


def test_two_coordinators_book_the_same_room_and_slot_at_once(db, live_server, plan, world):
    clients = _coordinators(live_server, world)
    forms = [
        {"activity_id": plan.activity.id, "group_id": plan.group.id},
        {"activity_id": plan.other_activity.id, "group_id": plan.other_group.id},
    ]

    def book(client, form):
        return client.post(f"/seasons/{plan.season.id}/sessions", {
            **form, "room_id": plan.other_room.id, "on_date": "2025-07-08", "starts_at": "09:00",
            "ends_at": "10:30", "lead_id": "", "volunteers_needed": "0", "form_token": secrets.token_urlsafe(16)})

    results = race([lambda c=c, f=f: book(c, f) for c, f in zip(clients, forms)])
    statuses = sorted(getattr(r, "status", r) for r in results)
    assert statuses == [303, 422], statuses
    refused = next(r for r in results if r.status == 422)
    assert any("二楼教室 is already booked on" in m for m in ERROR_RE.findall(refused.text)), refused.text[-2000:]
    assert _count(db) == 1


def test_two_recurring_schedules_over_the_same_weeks_at_once(db, live_server, plan, world):
    clients = _coordinators(live_server, world, n=4)

    def plan_schedule(index, client):
        return client.post(f"/seasons/{plan.season.id}/schedules", {
            "activity_id": plan.activity.id if index % 2 else plan.other_activity.id,
            "group_id": plan.group.id if index % 2 else plan.other_group.id, "room_id": plan.other_room.id,
            "weekdays": ["0", "1", "2", "3", "4"], "starts_at": "09:00", "ends_at": "10:30",
            "first_date": "2025-07-07", "last_date": "2025-08-01", "exception_dates": "", "lead_id": "",
            "volunteers_needed": "0", "form_token": secrets.token_urlsafe(16)})

    results = race([lambda i=i, c=c: plan_schedule(i, c) for i, c in enumerate(clients)])
    statuses = sorted(getattr(r, "status", r) for r in results)
    assert statuses == [303, 422, 422, 422], statuses
    assert _count(db) == 20  # one schedule's four weeks, never two sessions in the room at once
