"""Demo staffing for ``seed-demo``: volunteers rostered on the season's sessions (most confirmed, some
waiting to confirm), a few places left open, one shift offered for a swap, some unavailable dates,
and one volunteer who checked in yesterday and never checked out.

Call it after the season's sessions exist (the scheduling demo) and after ``seed_volunteers``:

    from app.scheduling.staff_demo import seed_staff
    seed_staff(site, season)

Rows are written directly, but under the same rules the services apply: only volunteers eligible
on the session's day, never on a date they marked unavailable, never in two places at once.
"""
from __future__ import annotations

import random
from contextlib import nullcontext
from datetime import datetime, time, timedelta, timezone

from flask import current_app, has_request_context
from sqlalchemy import select

from app.core.timeutil import LOCAL_TZ, local_today, utcnow
from app.extensions import db
from app.scheduling.models import ACTIVE_STAFF_STATUSES, Session, SessionStaff, Unavailability
from app.volunteers.eligibility import evaluate, facts_for
from app.volunteers.models import VolunteerProfile


def _words():
    """A request context for the rule's translated reasons when run from the command line."""
    return nullcontext() if has_request_context() else current_app.test_request_context()


def _utc(day, at: time) -> datetime:
    return datetime.combine(day, at, tzinfo=LOCAL_TZ).astimezone(timezone.utc).replace(tzinfo=None)


def seed_staff(site, season, *, seed: int = 10, needed: int = 0, open_every: int = 5) -> dict:
    """Fill the places of ``season``'s sessions with the site's eligible volunteers (on top of
    anyone already rostered) and return what was made:
    ``{"rostered": n, "open_places": n, "swap_offers": n, "unavailable": n}``.

    Sessions needing no volunteers are left alone, unless ``needed`` > 0 gives them that many
    places. Every ``open_every``-th session keeps one place open for sign-up. For a fresh database
    (call it once, after the sessions and the volunteers exist)."""
    rng = random.Random(seed)
    today = local_today()
    sessions = list(db.session.scalars(select(Session).where(
        Session.season_id == season.id, Session.cancelled.is_(False)).order_by(Session.on_date, Session.starts_at,
                                                                               Session.id)))
    profiles = list(db.session.scalars(select(VolunteerProfile).where(
        VolunteerProfile.site_id == site.id, VolunteerProfile.archived_at.is_(None)).order_by(VolunteerProfile.id)))
    if not sessions or not profiles:
        return dict(rostered=0, open_places=0, swap_offers=0, unavailable=0)
    facts = facts_for(profiles, None)

    busy: dict[tuple[int, object], list[tuple[time, time]]] = {}
    for s in sessions:
        if s.lead_id:
            busy.setdefault((s.lead_id, s.on_date), []).append((s.starts_at, s.ends_at))
    by_id = {s.id: s for s in sessions}
    held: dict[int, int] = {}
    existing = set()
    for row in db.session.scalars(select(SessionStaff).where(
            SessionStaff.session_id.in_(list(by_id)), SessionStaff.status.in_(ACTIVE_STAFF_STATUSES))):
        s = by_id[row.session_id]
        existing.add((row.session_id, row.user_id))
        busy.setdefault((row.user_id, s.on_date), []).append((s.starts_at, s.ends_at))
        if row.role == "volunteer":
            held[row.session_id] = held.get(row.session_id, 0) + 1

    # a few dates people cannot come (never a day they already hold a shift)
    unavailable: dict[tuple[int, object], str] = {}
    days = sorted({s.on_date for s in sessions})
    for profile, reason in zip(rng.sample(profiles, min(4, len(profiles) // 4)), ["期末补考", "家里有事", "返校", "体检"]):
        for day in rng.sample(days, min(2, len(days))):
            if (profile.user_id, day) not in busy:
                unavailable[(profile.id, day)] = reason
                db.session.add(Unavailability(profile_id=profile.id, on_date=day, reason=reason))
    eligible_cache: dict[tuple[int, object], bool] = {}

    def may_serve(profile, s) -> bool:
        key = (profile.id, s.on_date)
        if key not in eligible_cache:
            with _words():  # the rule writes its reasons in the reader's language
                eligible_cache[key] = evaluate(profile, s.on_date, facts[profile.id]).ok
        if not eligible_cache[key] or key in unavailable or (s.id, profile.user_id) in existing:
            return False
        return all(not (a < s.ends_at and s.starts_at < b) for a, b in busy.get((profile.user_id, s.on_date), ()))

    rostered = open_places = 0
    rows: list[SessionStaff] = []
    now = utcnow()
    for index, s in enumerate(sessions):
        if s.volunteers_needed == 0 and needed:
            s.volunteers_needed = needed
        if s.volunteers_needed == 0:
            continue
        places = s.volunteers_needed - held.get(s.id, 0) - (1 if index % open_every == open_every - 1 else 0)
        added = 0
        for profile in rng.sample(profiles, len(profiles)):
            if places <= 0:
                break
            if not may_serve(profile, s):
                continue
            confirmed = s.on_date < today or rng.random() < 0.8
            row = SessionStaff(session_id=s.id, user_id=profile.user_id, profile_id=profile.id, role="volunteer",
                               status="confirmed" if confirmed else "rostered", created_at=now,
                               status_changed_at=now, confirmed_at=now if confirmed else None)
            db.session.add(row)
            rows.append(row)
            existing.add((s.id, profile.user_id))
            busy.setdefault((profile.user_id, s.on_date), []).append((s.starts_at, s.ends_at))
            places -= 1
            added += 1
        rostered += added
        open_places += max(s.volunteers_needed - held.get(s.id, 0) - added, 0)
    db.session.flush()

    swap_offers = 0
    upcoming = [r for r in rows if r.status == "confirmed" and r.session_id in
                {s.id for s in sessions if s.on_date > today}]
    if upcoming:
        upcoming[0].status = "swap_offered"
        swap_offers = 1
    yesterday = [r for r in rows if r.status == "confirmed" and r.session_id in
                 {s.id for s in sessions if s.on_date == today - timedelta(days=1)}]
    if yesterday:
        session = next(s for s in sessions if s.id == yesterday[0].session_id)
        yesterday[0].checked_in_at = _utc(session.on_date, session.starts_at)
    db.session.flush()
    return dict(rostered=rostered, open_places=open_places, swap_offers=swap_offers, unavailable=len(unavailable))
