"""Writes for trainings: the kinds a site defines (an inline table) and the sessions held."""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func, select

from app.auth.models import User
from app.core.errors import FormError
from app.core.timeutil import local_today, utcnow
from app.extensions import db
from app.sites.models import Site
from app.volunteers.models import TrainingAttendance, TrainingKind, TrainingSession, VolunteerProfile

KIND_FIELDS = ("name", "validity_months", "required")


def _unique_kind(site_id: int, name: str, exclude_id: int | None = None) -> None:
    query = select(func.count()).select_from(TrainingKind).where(
        TrainingKind.site_id == site_id, func.lower(TrainingKind.name) == name.lower())
    if exclude_id is not None:
        query = query.where(TrainingKind.id != exclude_id)
    if db.session.scalar(query):
        raise FormError("name", _("This name is already in use."))


def create_training_kind(site: Site, values: dict) -> TrainingKind:
    _unique_kind(site.id, values["name"])
    kind = TrainingKind(site_id=site.id, **{k: values[k] for k in KIND_FIELDS})
    db.session.add(kind)
    return kind


def update_training_kind(kind: TrainingKind, values: dict) -> None:
    _unique_kind(kind.site_id, values["name"], exclude_id=kind.id)
    for key in KIND_FIELDS:
        setattr(kind, key, values[key])


def toggle_kind_archived(kind: TrainingKind) -> None:
    kind.archived_at = None if kind.archived_at else utcnow()


def record_training(site: Site, values: dict, *, by: User) -> TrainingSession:
    kind = db.session.get(TrainingKind, values["kind_id"])
    if kind is None or kind.site_id != site.id:
        raise FormError("kind_id", _("Choose a training of this site."))
    if values["held_on"] > local_today():
        raise FormError("held_on", _("A training can be recorded only once it has taken place."))
    ids = set(values.get("attendee_ids") or [])
    if not ids:
        raise FormError("attendee_ids", _("Choose at least one volunteer who attended."))
    valid = set(db.session.scalars(select(VolunteerProfile.id).where(
        VolunteerProfile.site_id == site.id, VolunteerProfile.id.in_(ids))))
    if valid != ids:
        raise FormError("attendee_ids", _("Choose volunteers of this site."))
    session = TrainingSession(site_id=site.id, kind_id=kind.id, held_on=values["held_on"],
                              trainer=values.get("trainer") or "", notes=values.get("notes") or "",
                              recorded_by_id=by.id)
    session.attendances = [TrainingAttendance(profile_id=pid) for pid in sorted(ids)]
    db.session.add(session)
    db.session.flush()
    return session
