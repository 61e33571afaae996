"""Writes of the staffing half of scheduling: rostering, open shifts, giving up and swapping,
confirming, check-in and check-out (which logs the hours), unavailable dates, calendar tokens.

Locks, always in this order so two writers never wait on each other in a circle: the session row
first (every rule that counts a session's places reads after it), then the volunteer's profile (the
"two places at once" rule and the hour rules of the volunteers area lock it too), then the lead's
user row. SQLite takes its single write lock instead (``app.core.db.lock``).
"""
from __future__ import annotations

import secrets
from datetime import datetime, timedelta, timezone

from flask_babel import gettext as _
from sqlalchemy import select

from app.auth.models import User
from app.core.db import lock
from app.core.errors import FormError
from app.core.timeutil import local_now, to_local, utcnow
from app.extensions import db
from app.scheduling import staff_queries as q
from app.scheduling.models import ACTIVE_STAFF_STATUSES, CalendarToken, Session, SessionStaff, Unavailability
from app.volunteers.eligibility import eligibility
from app.volunteers.models import VolunteerProfile
from app.volunteers.services import log_hours


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(timezone.utc).replace(tzinfo=None)


def _lock_session(session: Session) -> None:
    lock(db.session, Session, session.id)
    db.session.refresh(session)


def _active_volunteers(session: Session) -> int:
    return len(list(db.session.scalars(select(SessionStaff.id).where(
        SessionStaff.session_id == session.id, SessionStaff.role == "volunteer",
        SessionStaff.status.in_(ACTIVE_STAFF_STATUSES)))))


def _row_of(session: Session, user_id: int) -> SessionStaff | None:
    return db.session.scalar(select(SessionStaff).where(SessionStaff.session_id == session.id,
                                                        SessionStaff.user_id == user_id))


def _open_for_changes(session: Session, field: str, *, started_ok: bool = False) -> None:
    if session.cancelled:
        raise FormError(field, _("This session is cancelled."))
    now = local_now()
    if started_ok:
        if q.ends_at(session) <= now:
            raise FormError(field, _("This session is over."))
    elif q.starts_at(session) <= now:
        raise FormError(field, _("This session has already started."))


def _may_serve(session: Session, profile: VolunteerProfile, field: str, *, you: bool) -> None:
    """The volunteer may serve on the session: eligible on its day (the volunteers area's rule),
    not unavailable that day, not on another session at the same time. Refused with every reason.
    The caller holds the session's lock; this takes the profile's."""
    lock(db.session, VolunteerProfile, profile.id)
    db.session.refresh(profile)
    if profile.site_id != session.site_id:
        raise FormError(field, _("Not a volunteer of this site."))
    reasons = list(eligibility(profile, session.on_date).reasons)
    reasons += q.unavailable_on([profile.id], session.on_date).values()
    reasons += q.busy_elsewhere([profile.user_id], session).values()
    if reasons:
        if you:
            raise FormError(field, _("You cannot take this shift: %(reasons)s", reasons=" ".join(reasons)))
        raise FormError(field, _("%(name)s cannot be rostered: %(reasons)s", name=profile.real_name,
                                 reasons=" ".join(reasons)))


def _place(session: Session, profile: VolunteerProfile, existing: SessionStaff | None, *, status: str,
           by: User) -> SessionStaff:
    """Give the volunteer a place: their released row again, or a new row."""
    now = utcnow()
    row = existing or SessionStaff(session_id=session.id, user_id=profile.user_id)
    row.profile_id, row.role, row.status = profile.id, "volunteer", status
    row.created_by_id = row.created_by_id or by.id
    row.status_changed_at = now
    row.confirmed_at = now if status == "confirmed" else None
    row.checked_in_at = row.checked_out_at = row.hour_entry_id = None
    if existing is None:
        db.session.add(row)
    db.session.flush()
    return row


# --- coordinators ------------------------------------------------------------------------------------------
def roster(session: Session, values: dict, *, by: User) -> SessionStaff:
    """A coordinator rosters a volunteer of the site (they still confirm it themselves). Rostering
    someone already on the session changes nothing (a double tap saves one place)."""
    _lock_session(session)
    _open_for_changes(session, "profile_id", started_ok=True)
    profile = db.session.get(VolunteerProfile, values.get("profile_id") or 0)
    if profile is None or profile.site_id != session.site_id or profile.archived_at is not None:
        raise FormError("profile_id", _("Choose one of the listed volunteers."))
    existing = _row_of(session, profile.user_id)
    if existing is not None and existing.status in ACTIVE_STAFF_STATUSES:
        return existing
    _may_serve(session, profile, "profile_id", you=False)
    return _place(session, profile, existing, status="rostered", by=by)


def set_lead(session: Session, values: dict, *, by: User) -> Session:
    """A coordinator names the session's lead (a coordinator of the site), or none."""
    _lock_session(session)
    _open_for_changes(session, "lead_id", started_ok=True)
    lead_id = values.get("lead_id") or None
    if lead_id is not None:
        if lead_id not in {u.id for u in q.leads_of(session.site_id)}:
            raise FormError("lead_id", _("Choose one of the listed people."))
        lock(db.session, User, lead_id)
        busy = q.busy_elsewhere([lead_id], session)
        if busy:
            raise FormError("lead_id", busy[lead_id])
    session.lead_id = lead_id
    db.session.flush()
    return session


def remove(staff: SessionStaff, *, by: User) -> SessionStaff:
    """A coordinator takes a volunteer off a session (the place reopens)."""
    session = db.session.get(Session, staff.session_id)
    _lock_session(session)
    db.session.refresh(staff)
    if staff.status not in ACTIVE_STAFF_STATUSES:
        raise FormError("staff", _("This person is no longer on the session."))
    if staff.checked_in_at is not None:
        raise FormError("staff", _("This person has checked in already."))
    staff.status, staff.status_changed_at = "released", utcnow()
    return staff


# --- volunteers: open shifts, giving up, swaps, confirming ------------------------------------------------------
def profile_of(user: User, site_id: int, field: str = "session") -> VolunteerProfile:
    profile = db.session.scalar(select(VolunteerProfile).where(VolunteerProfile.user_id == user.id))
    if profile is None or profile.site_id != site_id:
        raise FormError(field, _("Your volunteer profile is not at this site."))
    return profile


def sign_up(session: Session, *, by: User) -> SessionStaff:
    """An eligible volunteer takes an open place: first come, first served, never more than the
    session needs (the count is read under the session's lock). Signing up again for a shift
    already held changes nothing."""
    _lock_session(session)
    profile = profile_of(by, session.site_id)
    existing = _row_of(session, by.id)
    if existing is not None and existing.status in ACTIVE_STAFF_STATUSES:
        return existing
    _open_for_changes(session, "session")
    if _active_volunteers(session) >= session.volunteers_needed:
        raise FormError("session", _("This shift is full: every place has been taken."))
    _may_serve(session, profile, "session", you=True)
    return _place(session, profile, existing, status="confirmed", by=by)


def give_up(staff: SessionStaff, *, by: User) -> str:
    """The volunteer gives up a shift: before the cut-off the place simply reopens (released);
    after it, the shift is offered for a swap and stays theirs until someone takes it. Returns the
    new status."""
    session = db.session.get(Session, staff.session_id)
    _lock_session(session)
    db.session.refresh(staff)
    if staff.status not in ACTIVE_STAFF_STATUSES:
        raise FormError("staff", _("This shift is no longer yours."))
    if staff.status == "swap_offered":
        raise FormError("staff", _("This shift is already offered for a swap."))
    if staff.checked_in_at is not None:
        raise FormError("staff", _("You have checked in already."))
    _open_for_changes(session, "staff")
    now = local_now()
    cutoff = q.cutoff_of(session, q.settings_of(session.site_id))
    staff.status = "released" if now < cutoff else "swap_offered"
    staff.status_changed_at = utcnow()
    return staff.status


def take_swap(offer: SessionStaff, *, by: User) -> SessionStaff:
    """Another eligible volunteer takes a shift offered for a swap: first come, and never two (the
    offer is read again under the session's lock). The one who offered it is released."""
    session = db.session.get(Session, offer.session_id)
    _lock_session(session)
    db.session.refresh(offer)
    profile = profile_of(by, session.site_id, "staff")
    if offer.user_id == by.id:
        raise FormError("staff", _("This is your own shift."))
    if offer.status != "swap_offered":
        raise FormError("staff", _("Someone else has taken this shift already."))
    _open_for_changes(session, "staff")
    existing = _row_of(session, by.id)
    if existing is not None and existing.status in ACTIVE_STAFF_STATUSES:
        raise FormError("staff", _("You are already on this session."))
    _may_serve(session, profile, "staff", you=True)
    offer.status, offer.status_changed_at = "released", utcnow()
    db.session.flush()
    return _place(session, profile, existing, status="confirmed", by=by)


def confirm(staff: SessionStaff, *, by: User) -> SessionStaff:
    """The volunteer confirms a rostered shift (or keeps one they had offered for a swap)."""
    session = db.session.get(Session, staff.session_id)
    _lock_session(session)
    db.session.refresh(staff)
    if staff.status not in ACTIVE_STAFF_STATUSES:
        raise FormError("staff", _("This shift is no longer yours."))
    if session.cancelled:
        raise FormError("staff", _("This session is cancelled."))
    if staff.status != "confirmed":
        staff.status, staff.status_changed_at = "confirmed", utcnow()
        staff.confirmed_at = staff.confirmed_at or utcnow()
    return staff


# --- check-in and check-out --------------------------------------------------------------------------------
def _is_self(staff: SessionStaff, by: User) -> bool:
    return staff.user_id == by.id


def check_in(staff: SessionStaff, *, by: User) -> SessionStaff:
    """Check in to a held shift on its day, from an hour before it starts (a coordinator may also
    record it for an earlier day: then the session's start counts). A second check-in changes nothing."""
    session = db.session.get(Session, staff.session_id)
    _lock_session(session)
    db.session.refresh(staff)
    if staff.checked_in_at is not None:
        return staff
    if staff.status not in ACTIVE_STAFF_STATUSES:
        raise FormError("staff", _("This shift is no longer yours."))
    if session.cancelled:
        raise FormError("staff", _("This session is cancelled."))
    now = local_now()
    today = now.date()
    if session.on_date > today or (session.on_date == today and
                                   now < q.starts_at(session) - timedelta(minutes=q.CHECK_IN_OPENS_MINUTES)):
        raise FormError("staff", _("Check-in opens an hour before the shift starts."))
    if session.on_date < today:
        if _is_self(staff, by):
            raise FormError("staff", _("This shift was on an earlier day: ask the coordinator to record it."))
        staff.checked_in_at = _utc(q.starts_at(session))
    else:
        staff.checked_in_at = utcnow()
    if staff.status != "confirmed":  # turning up keeps the shift (a swap offer is withdrawn)
        staff.status, staff.status_changed_at = "confirmed", utcnow()
        staff.confirmed_at = staff.confirmed_at or utcnow()
    return staff


def _activity_text(session: Session) -> str:
    return f"{session.activity.name} · {session.group.name}"[:200]


def check_out(staff: SessionStaff, *, by: User):
    """Check out: the checked time becomes an hour entry (source 'shift'), pending in the approval
    queue, through the volunteers area's own rules (overlap, daily maximum). On a later day the
    session's end counts. A second check-out changes nothing and makes no second entry."""
    session = db.session.get(Session, staff.session_id)
    _lock_session(session)
    db.session.refresh(staff)
    if staff.checked_out_at is not None:
        return staff
    if staff.checked_in_at is None:
        raise FormError("staff", _("Check in first."))
    profile = (db.session.get(VolunteerProfile, staff.profile_id) if staff.profile_id else
               db.session.scalar(select(VolunteerProfile).where(VolunteerProfile.user_id == staff.user_id)))
    if profile is None:
        raise FormError("staff", _("This person has no volunteer profile, so no hours can be logged."))
    now = local_now()
    out = now if now.date() == session.on_date else q.ends_at(session)
    start = to_local(staff.checked_in_at)
    if start.date() != session.on_date:
        start = q.starts_at(session)
    start_time, end_time = start.time().replace(second=0, microsecond=0, tzinfo=None), \
        out.time().replace(second=0, microsecond=0, tzinfo=None)
    if end_time <= start_time:
        raise FormError("staff", _("Checked out less than a minute after checking in: no time to log yet."))
    entry = log_hours(profile, dict(work_date=session.on_date, starts_at=start_time, ends_at=end_time,
                                    activity=_activity_text(session)),
                      by, source="shift")
    staff.checked_out_at = _utc(out)
    staff.hour_entry_id = entry.id
    return staff


# --- unavailable dates ---------------------------------------------------------------------------------
def mark_unavailable(profile: VolunteerProfile, values: dict, *, by: User) -> Unavailability:
    lock(db.session, VolunteerProfile, profile.id)
    day = values["on_date"]
    if day < local_now().date():
        raise FormError("on_date", _("Choose today or a later date."))
    if db.session.scalar(select(Unavailability.id).where(Unavailability.profile_id == profile.id,
                                                         Unavailability.on_date == day)):
        raise FormError("on_date", _("You have marked this date already."))
    held = db.session.scalars(select(Session).join(SessionStaff, SessionStaff.session_id == Session.id).where(
        SessionStaff.user_id == profile.user_id, SessionStaff.status.in_(("rostered", "confirmed")),
        Session.on_date == day, Session.cancelled.is_(False)).order_by(Session.starts_at)).first()
    if held is not None:
        raise FormError("on_date", _("You are on %(activity)s at %(time)s that day: give up that shift first.",
                                     activity=held.activity.name, time=q.hhmm(held)))
    row = Unavailability(profile_id=profile.id, on_date=day, reason=values.get("reason") or "")
    db.session.add(row)
    db.session.flush()
    return row


def unmark_unavailable(profile: VolunteerProfile, values: dict, *, by: User) -> None:
    lock(db.session, VolunteerProfile, profile.id)
    row = db.session.scalar(select(Unavailability).where(Unavailability.profile_id == profile.id,
                                                         Unavailability.on_date == values["on_date"]))
    if row is None:
        raise FormError("on_date", _("This date is not marked."))
    db.session.delete(row)
    db.session.flush()


# --- calendar tokens --------------------------------------------------------------------------------------
def create_calendar_token(site_id: int, *, user: User, by: User) -> str:
    """A new unguessable token for a volunteer's shift feed; their earlier tokens stop working.
    Only the hash is stored: the raw token is returned once."""
    revoke_calendar_tokens(user=user, by=by)
    raw = secrets.token_urlsafe(32)
    db.session.add(CalendarToken(site_id=site_id, user_id=user.id, token_hash=q.token_hash(raw), created_by_id=by.id))
    db.session.flush()
    return raw


def revoke_calendar_tokens(*, user: User, by: User) -> int:
    rows = list(db.session.scalars(select(CalendarToken).where(CalendarToken.user_id == user.id,
                                                               CalendarToken.revoked_at.is_(None))))
    for row in rows:
        row.revoked_at = utcnow()
    db.session.flush()
    return len(rows)
