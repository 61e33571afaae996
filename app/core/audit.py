"""The audit trail: who viewed or changed personal data, used by every area.

Writes (inside a service, flushed with its other changes, committed once by the save path)::

    audit.record("enrol", "enrolment.waitlisted", by=user, child=child, season=season.id)

Reads of personal data on a GET (a child's record, a guardian list, a roster with alerts) are noted
with ``audit.record_read(...)``; the notes of one request are written in one INSERT after the page
has been built (``flush_reads``, an ``after_request`` hook), so a GET view never commits and the
page costs one statement more, not one per child.

Entries carry an ``event`` code and ``details`` (ids and field names, never personal data); the
trail shows them in the reader's language with names looked up for the whole page at once
(``describe_all``). Areas register their events' texts with ``register_events`` and how to name
their ids with ``register_names``.
"""
from __future__ import annotations

from collections import defaultdict
from typing import Any, Callable, Iterable

from flask import g, has_request_context
from flask_babel import lazy_gettext as _l

from app.core.models import AuditEntry
from app.core.timeutil import utcnow
from app.extensions import db

EVENTS: dict[str, Any] = {}
NAMERS: dict[str, Callable[[set[int]], dict[int, str]]] = {}


def register_events(events: dict[str, Any]) -> None:
    """``{"enrolment.waitlisted": _l("Waitlisted for %(season)s")}``: placeholders name details."""
    EVENTS.update(events)


def register_names(kind: str, namer: Callable[[set[int]], dict[int, str]]) -> None:
    """How to turn ids of ``kind`` (a details key such as ``season``) into names, for many at once."""
    NAMERS[kind] = namer


def _user_id(by) -> int | None:
    if by is None or not getattr(by, "is_authenticated", False):
        return None
    return by.id


def record(action: str, event: str, *, by, child=None, site_id: int | None = None, **details) -> AuditEntry:
    """Add an entry to the session (the caller's transaction writes it)."""
    if event not in EVENTS:
        raise ValueError(f"unknown audit event {event!r}: register it with register_events")
    entry = AuditEntry(action=action, event=event, details=details or None,
                       child_id=child.id if child is not None else None,
                       site_id=child.site_id if child is not None else site_id,
                       user_id=_user_id(by), at=utcnow(), summary="")
    db.session.add(entry)
    return entry


def record_read(event: str, *, by, children: Iterable = (), site_id: int | None = None, action: str = "view",
                **details) -> None:
    """Note that ``by`` read (``action="view"``) or downloaded (``action="export"``) personal data of
    ``children`` (objects with ``id`` and ``site_id``) during this request; written in one statement
    after the response is built."""
    if event not in EVENTS:
        raise ValueError(f"unknown audit event {event!r}: register it with register_events")
    pending = g.setdefault("audit_reads", [])
    user_id = _user_id(by)
    now = utcnow()
    children = list(children)
    if not children:
        pending.append(dict(action=action, event=event, details=details or None, child_id=None,
                            site_id=site_id, user_id=user_id, at=now, summary=""))
    for child in children:
        pending.append(dict(action=action, event=event, details=details or None, child_id=child.id,
                            site_id=child.site_id, user_id=user_id, at=now, summary=""))


def flush_reads() -> None:
    """Write the reads noted during this request (one INSERT) and commit them."""
    if not has_request_context():
        return
    pending = g.pop("audit_reads", None)
    if not pending:
        return
    db.session.rollback()  # a GET changes nothing else: start from a clean transaction
    db.session.execute(AuditEntry.__table__.insert(), pending)
    db.session.commit()


# --- reading the trail ----------------------------------------------------------------------------
def describe_all(entries: list[AuditEntry]) -> dict[int, str]:
    """{entry id: text in the reader's language}, with ids in details replaced by names (one query
    per kind of id for the whole list)."""
    wanted: dict[str, set[int]] = defaultdict(set)
    for entry in entries:
        for key, value in (entry.details or {}).items():
            if key in NAMERS and isinstance(value, int):
                wanted[key].add(value)
    names = {kind: NAMERS[kind](ids) for kind, ids in wanted.items()}
    out = {}
    for entry in entries:
        template = EVENTS.get(entry.event)
        if template is None:
            out[entry.id] = entry.summary
            continue
        values = {}
        for key, value in (entry.details or {}).items():
            if key in names:
                values[key] = names[key].get(value, f"#{value}")
            elif isinstance(value, list):
                values[key] = "、".join(str(_field_label(v)) for v in value)
            else:
                values[key] = value
        try:
            out[entry.id] = str(template) % values
        except (KeyError, TypeError, ValueError):
            out[entry.id] = str(template)
    return out


FIELD_LABELS: dict[str, Any] = {}


def register_field_labels(labels: dict[str, Any]) -> None:
    """Names of fields (``allergies`` -> 过敏) for events that list changed fields."""
    FIELD_LABELS.update(labels)


def _field_label(name: str):
    return FIELD_LABELS.get(name, name)


register_events({
    "legacy": _l("Recorded"),
})
