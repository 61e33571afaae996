"""The demo staffing keeps the rules: eligible volunteers only, never on an unavailable date,
never two places at once, never more than a session needs, some places left open."""
from __future__ import annotations

from datetime import time, timedelta

from app.scheduling.models import ACTIVE_STAFF_STATUSES, Session, SessionStaff, Unavailability
from app.scheduling.staff_demo import seed_staff
from app.scheduling.staff_queries import reasons_against
from tests.scheduling.staff_helpers import session, volunteer


def test_seed_staff_keeps_the_rules(db, make, world):
    first = world.season.start_date
    for day in range(10):
        on = first + timedelta(days=day)
        session(db, world, on=on, start=time(9), end=time(10, 30), needed=2)
        session(db, world, on=on, start=time(10), end=time(11), needed=0, activity_name="书法", group_name="四年级")
    profiles = [volunteer(make, world) for _ in range(6)] + [volunteer(make, world, checked=False)]
    made = seed_staff(world.site, world.season, seed=3)
    db.session.commit()
    assert made["rostered"] > 10 and made["open_places"] >= 1 and made["unavailable"] > 0
    sessions = db.session.query(Session).all()
    by_id = {s.id: s for s in sessions}
    rows = db.session.query(SessionStaff).filter(SessionStaff.status.in_(ACTIVE_STAFF_STATUSES)).all()
    assert len(rows) == made["rostered"]
    assert profiles[-1].user_id not in {r.user_id for r in rows}  # no background check: never rostered
    for s in sessions:
        mine = [r for r in rows if r.session_id == s.id]
        assert len(mine) <= s.volunteers_needed
    off = {(u.profile_id, u.on_date) for u in db.session.query(Unavailability)}
    for row in rows:
        s = by_id[row.session_id]
        assert (row.profile_id, s.on_date) not in off
        others = [by_id[r.session_id] for r in rows if r.user_id == row.user_id and r.id != row.id]
        assert not [o for o in others if o.on_date == s.on_date and o.starts_at < s.ends_at and s.starts_at < o.ends_at]
    # and the roster page's own rule agrees (nothing but "already on this session" against anyone placed)
    s = sessions[0]
    placed = [p for p in profiles if p.user_id in {r.user_id for r in rows if r.session_id == s.id}]
    assert all(not reasons for reasons in reasons_against(placed, s).values())


def test_seed_staff_adds_to_a_roster_already_there(db, make, world):
    from tests.scheduling.staff_helpers import on_session

    s = session(db, world, on=world.season.start_date, needed=2)
    other = session(db, world, on=world.season.start_date, needed=0, start=time(10), end=time(11), group_name="四年级")
    profiles = [volunteer(make, world) for _ in range(3)]
    on_session(db, s, profiles[0], status="confirmed")
    made = seed_staff(world.site, world.season, seed=1, open_every=1000)
    db.session.commit()
    assert made["rostered"] == 1 and made["open_places"] == 0
    rows = db.session.query(SessionStaff).filter_by(session_id=s.id).all()
    assert len(rows) == 2 and len({r.user_id for r in rows}) == 2
    assert db.session.query(SessionStaff).filter_by(session_id=other.id).count() == 0
