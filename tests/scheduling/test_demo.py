"""The demo season is scheduled: all three tracks for every group in each of its eight weeks, leads
on every session, volunteers rostered with some places left open, and no room, group or person
in two places at once."""
from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select

from app.scheduling.models import Activity, Group, Session, SessionStaff


def test_the_demo_season_is_scheduled(app, db):
    from app.demo import seed

    site = seed()
    db.session.commit()
    season = next(s for s in site.seasons if s.name == "2025年暑期")
    sessions = list(db.session.scalars(select(Session).where(Session.season_id == season.id)))
    tracks = {a.id: a.track for a in db.session.scalars(select(Activity).where(Activity.season_id == season.id))}
    groups = list(db.session.scalars(select(Group).where(Group.season_id == season.id)))
    assert len(groups) == 4
    weeks = defaultdict(set)
    for s in sessions:
        weeks[(s.group_id, s.on_date.isocalendar()[1])].add(tracks[s.activity_id])
    assert len({week for _g, week in weeks}) == 8
    assert all(weeks[(g.id, w)] == {"tutoring", "interest", "health"} for g in groups for _g, w in weeks)
    assert all(s.lead_id for s in sessions)
    staff = list(db.session.scalars(select(SessionStaff)))
    assert staff and sum(s.volunteers_needed for s in sessions) > len(staff)  # some places open
    for key in ("room_id", "group_id", "lead_id"):
        by = defaultdict(list)
        for s in sessions:
            by[(getattr(s, key), s.on_date)].append(s)
        for day in by.values():
            day.sort(key=lambda s: s.starts_at)
            assert all(a.ends_at <= b.starts_at for a, b in zip(day, day[1:])), key
