"""Many volunteers at once over real HTTP (SQLite and PostgreSQL): fifty sign-ups for a shift with
three places give exactly three; two volunteers taking the same swap offer give one."""
from __future__ import annotations

from sqlalchemy import func, select

from app.scheduling.models import SessionStaff
from tests.http import HttpClient, race
from tests.scheduling.staff_helpers import TOMORROW, clock, on_session, session, settings, volunteer  # noqa: F401


def _active(db, s) -> list[SessionStaff]:
    db.session.expire_all()
    return list(db.session.scalars(select(SessionStaff).where(
        SessionStaff.session_id == s.id, SessionStaff.status.in_(("rostered", "confirmed", "swap_offered")))))


def test_fifty_volunteers_signing_up_at_once_for_three_places_get_exactly_three(db, make, world, live_server, clock):  # noqa: F811
    s = session(db, world, needed=3)
    profiles = [volunteer(make, world) for _ in range(50)]
    clients = [HttpClient(live_server).login(p.user) for p in profiles]
    results = race([lambda c=c: c.post(f"/sessions/{s.id}/sign-up") for c in clients])
    statuses = [getattr(r, "status", repr(r)) for r in results]
    assert statuses == [303] * 50, statuses  # every tap answers, none with an error page
    rows = _active(db, s)
    assert len(rows) == 3
    assert {r.status for r in rows} == {"confirmed"}
    assert db.session.scalar(select(func.count()).select_from(SessionStaff).where(
        SessionStaff.session_id == s.id)) == 3
    # the others are told the shift is full
    winners = {r.user_id for r in rows}
    loser = next(c for c, p in zip(clients, profiles) if p.user_id not in winners)
    assert "这个班次已满" in loser.get("/me/shifts").text


def test_two_volunteers_taking_the_same_swap_offer_give_one(db, make, world, live_server, clock):  # noqa: F811
    settings(db, world.site, release_cutoff_hours=48)
    s = session(db, world, on=TOMORROW, needed=1)
    offer = on_session(db, s, volunteer(make, world), status="swap_offered")
    takers = [volunteer(make, world) for _ in range(2)]
    clients = [HttpClient(live_server).login(p.user) for p in takers]
    results = race([lambda c=c: c.post(f"/staff/{offer.id}/take") for c in clients])
    assert [getattr(r, "status", repr(r)) for r in results] == [303, 303]
    rows = _active(db, s)
    assert len(rows) == 1 and rows[0].user_id in {p.user_id for p in takers} and rows[0].status == "confirmed"
    db.session.expire_all()
    assert db.session.get(SessionStaff, offer.id).status == "released"
    messages = [c.get("/me/shifts").text for c in clients]
    assert sum("这个班次现在由您负责" in m for m in messages) == 1
    assert sum("这个班次已被别人接走" in m for m in messages) == 1
