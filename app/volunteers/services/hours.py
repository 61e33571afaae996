"""Writes for hours: a volunteer logs them, a coordinator reviews or corrects them.

Every write that checks the rules of a day (no overlap, at most VOLUNTEER_MAX_HOURS_PER_DAY) locks
the volunteer's profile row first, so two entries sent at the same moment are checked one after
the other and never both pass."""
from __future__ import annotations

from datetime import date, time

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select, update

from app.auth.models import User
from app.core.db import lock
from app.core.errors import FormError
from app.core.timeutil import local_now, utcnow
from app.extensions import db
from app.sites.queries import season_on
from app.volunteers.models import HourCorrection, HourEntry, VolunteerProfile, format_hours

CORRECTABLE = ("work_date", "starts_at", "ends_at", "activity", "status")
OWN_CHANGEABLE = ("work_date", "starts_at", "ends_at", "activity")


def _minutes(start: time, end: time) -> int:
    return (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)


def _check_hours(profile_id: int, day: date, start: time, end: time, exclude_id: int | None = None,
                 *, check_future: bool = True) -> int:
    """The rules an hour entry keeps; returns its minutes. Raises FormError naming the field.
    The caller holds the lock of the profile row."""
    now = local_now()
    if check_future and day > now.date():
        raise FormError("work_date", _("Hours cannot be logged for a future day."))
    if end <= start:
        raise FormError("ends_at", _("The end time must be after the start time."))
    if check_future and day == now.date() and end > now.time().replace(tzinfo=None):
        raise FormError("ends_at", _("The end time has not come yet; log hours once the service is over."))
    minutes = _minutes(start, end)
    others = db.session.execute(select(HourEntry.id, HourEntry.starts_at, HourEntry.ends_at, HourEntry.minutes)
                                .where(HourEntry.profile_id == profile_id, HourEntry.work_date == day,
                                       HourEntry.status.notin_(("rejected", "withdrawn")))).all()
    others = [row for row in others if row.id != exclude_id]
    for _id, other_start, other_end, _m in others:
        if start < other_end and other_start < end:
            raise FormError(("starts_at", "ends_at"), _("This overlaps your entry from %(start)s to %(end)s on that day.",
                                           start=other_start.strftime("%H:%M"), end=other_end.strftime("%H:%M")))
    maximum = int(current_app.config["VOLUNTEER_MAX_HOURS_PER_DAY"])
    total = minutes + sum(m for _i, _s, _e, m in others)
    if total > maximum * 60:
        raise FormError("ends_at", _("At most %(max)d hours can be logged for one day (this would make %(total)s).",
                                     max=maximum, total=format_hours(total)))
    return minutes


def log_hours(profile: VolunteerProfile, values: dict, by: User, *, source: str = "manual") -> HourEntry:
    lock(db.session, VolunteerProfile, profile.id)
    if profile.archived_at is not None:
        raise FormError("work_date", _("This volunteer's profile is archived."))
    day, start, end = values["work_date"], values["starts_at"], values["ends_at"]
    minutes = _check_hours(profile.id, day, start, end, check_future=source == "manual")
    season = season_on(profile.site_id, day)
    entry = HourEntry(profile_id=profile.id, site_id=profile.site_id, season_id=season.id if season else None,
                      work_date=day, starts_at=start, ends_at=end, minutes=minutes,
                      activity=values["activity"], source=source, status="pending", created_by_id=by.id)
    db.session.add(entry)
    db.session.flush()
    return entry


def review(site_id: int, entries: list[HourEntry], action: str, *, by: User, reason: str = "") -> int:
    """Approve or reject pending entries of a site (already checked to be of this site) in one
    statement; returns how many changed."""
    if action not in ("approve", "reject"):
        raise FormError("ids", _("Choose approve or reject."))
    if not entries:
        raise FormError("ids", _("Choose at least one entry."))
    if action == "reject" and not reason:
        raise FormError("reason", _("Say why the entries are rejected."))
    values = dict(status="approved" if action == "approve" else "rejected", reviewed_at=utcnow(),
                  reviewed_by_id=by.id, reject_reason=reason if action == "reject" else "")
    result = db.session.execute(
        update(HourEntry).where(HourEntry.site_id == site_id, HourEntry.status == "pending",
                                HourEntry.id.in_([e.id for e in entries])).values(**values)
        .execution_options(synchronize_session=False))
    db.session.flush()
    return result.rowcount


def _plain(value):
    return value.isoformat(timespec="minutes") if isinstance(value, time) else (
        value.isoformat() if isinstance(value, date) else value)


def correct_entry(entry: HourEntry, values: dict, *, by: User) -> HourCorrection:
    """A coordinator's correction: the entry changes, the original values stay in a correction row.
    The corrected entry keeps the rules of its day (overlap, daily maximum) like a new one."""
    lock(db.session, VolunteerProfile, entry.profile_id)
    db.session.refresh(entry)
    reason = values.get("reason") or ""
    if not reason:
        raise FormError("reason", _("Say why the entry is corrected."))
    new = {k: values[k] for k in CORRECTABLE if k in values}
    correction = _change(entry, new, reason=reason, by=by, field="reason")
    if new.get("status") == "rejected" and not entry.reject_reason:
        entry.reject_reason = reason
    if "status" in correction.new_values:
        entry.reviewed_at, entry.reviewed_by_id = utcnow(), by.id
    db.session.add(correction)
    db.session.flush()
    return correction


def _change(entry: HourEntry, new: dict, *, reason: str, by: User, field: str) -> HourCorrection:
    """Change ``entry`` to the ``new`` values under the rules of its day (overlap, daily maximum),
    keeping the old values in a correction row; nothing changed is refused on ``field``."""
    changed = {k: v for k, v in new.items() if getattr(entry, k) != v}
    if not changed:
        raise FormError(field, _("Nothing was changed."))
    minutes = _check_hours(entry.profile_id, new.get("work_date", entry.work_date),
                           new.get("starts_at", entry.starts_at), new.get("ends_at", entry.ends_at),
                           exclude_id=entry.id, check_future=entry.source == "manual")
    correction = HourCorrection(entry=entry, changed_by_id=by.id, reason=reason,
                                old_values={k: _plain(getattr(entry, k)) for k in changed},
                                new_values={k: _plain(v) for k, v in changed.items()})
    for key, value in changed.items():
        setattr(entry, key, value)
    entry.minutes = minutes
    if "work_date" in changed:
        season = season_on(entry.site_id, entry.work_date)
        entry.season_id = season.id if season else None
    return correction


def _own_pending(entry: HourEntry) -> None:
    """Lock the volunteer's profile, reload the entry: only a pending entry of a profile that is not
    archived may still be changed or withdrawn (a review at the same moment is seen)."""
    lock(db.session, VolunteerProfile, entry.profile_id)
    db.session.refresh(entry)
    db.session.refresh(entry.profile)
    if entry.status != "pending":
        raise FormError("activity", _("This entry has been reviewed already; approved or rejected entries "
                                      "cannot be changed. Ask a coordinator if something is wrong."))
    if entry.profile.archived_at is not None:
        raise FormError("activity", _("This volunteer's profile is archived."))


def change_own_entry(entry: HourEntry, values: dict, *, by: User) -> HourCorrection:
    """The volunteer changes their own pending entry; the old values stay as a correction row."""
    _own_pending(entry)
    correction = _change(entry, {k: values[k] for k in OWN_CHANGEABLE if k in values},
                         reason=values.get("reason") or "", by=by, field="activity")
    db.session.add(correction)
    db.session.flush()
    return correction


def withdraw_entry(entry: HourEntry, *, by: User) -> HourCorrection:
    """The volunteer withdraws their own pending entry: it stays, marked withdrawn, with a record of
    the withdrawal; it no longer counts and no longer blocks its time of day."""
    _own_pending(entry)
    correction = HourCorrection(entry=entry, changed_by_id=by.id, reason="",
                                old_values={"status": entry.status}, new_values={"status": "withdrawn"})
    entry.status = "withdrawn"
    db.session.add(correction)
    db.session.flush()
    return correction
