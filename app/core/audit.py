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

import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

from flask import g, has_request_context
from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, event, select, update
from sqlalchemy.orm import Session

from app.core.db import begin_write, driver_statement
from app.core.models import AuditChainHead, AuditEntry
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
    """Write the reads noted during this request (one INSERT) and commit them.

    Cheap because it is the same few statements every time: they are compiled once per database
    (``driver_statement``: a value the rows share, such as the time and the details, is converted
    once per batch, not once per child) and run on the session's connection, and the request's
    read transaction is carried on instead of being rolled back and opened again (which returned
    the connection to the pool, took it back and expired every loaded object) whenever it holds
    nothing but reads. If the
    request left a change behind (an object in the session, or on SQLite a write on the connection;
    PostgreSQL cannot tell, so there it is always), it is rolled back first, as before: this commit
    writes the audit rows and nothing else."""
    if not has_request_context():
        return
    pending = g.pop("audit_reads", None)
    if not pending:
        return
    session = db.session
    connection = session.connection()
    if session.new or session.dirty or session.deleted or not _only_reads(connection):
        session.rollback()  # a GET changes nothing else: start from a clean transaction
        connection = session.connection()
    begin_write(session)  # SQLite: hold the write lock from reading the head to the commit
    dialect = connection.dialect
    position, last = driver_statement("audit.head", _head_statement, dialect).execute(connection, [{}]).one()
    position, last = chain_reads(pending, position, last)  # before the insert: three statements in all
    driver_statement("audit.insert", AuditEntry.__table__.insert, dialect, _READ_COLUMNS).execute(connection, pending)
    driver_statement("audit.move_head", _move_head_statement, dialect).execute(
        connection, [{"new_seq": position, "new_hash": last}])
    session.commit()


# what a noted read sets (``record_read`` and ``chain_reads``); the id comes from the database
_READ_COLUMNS = ["at", "user_id", "site_id", "child_id", "action", "event", "details", "summary", "seq", "prev_hash",
                 "hash"]


def _only_reads(connection) -> bool:
    """True when the connection's transaction holds no write (SQLite: the driver opens a transaction
    only for a write; PostgreSQL's transaction opens with the first read, so it cannot tell)."""
    if connection.dialect.name != "sqlite":
        return False
    return not connection.connection.dbapi_connection.in_transaction


def _head_statement():
    head = AuditChainHead.__table__
    return select(head.c.seq, head.c.hash).where(head.c.id == 1).with_for_update()


def _move_head_statement():
    head = AuditChainHead.__table__
    return update(head).where(head.c.id == 1).values(seq=bindparam("new_seq"), hash=bindparam("new_hash"))


# --- the chain: a gap or a change shows -------------------------------------------------------------
# Entries are inserted as services flush (inside their savepoints, so a rolled-back change leaves no
# entry); when the transaction commits, its entries are chained: the head row is locked (chains never
# fork, and the head lock is the last lock a transaction takes), each entry gets the next position,
# the previous entry's hash and its own hash. The database refuses UPDATE of a chained entry and any
# DELETE; ``flask audit verify`` recomputes the chain.
_CHAINED = ("at", "user_id", "site_id", "child_id", "action", "event", "details", "summary")


_ENCODER = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def entry_hash(prev_hash: str, row) -> str:
    """The hash of one entry given the previous entry's hash (its position is fixed by that link)."""
    values = [prev_hash] + [row[name] for name in _CHAINED]
    values[1] = row["at"].isoformat(timespec="microseconds") if row["at"] is not None else None
    payload = _ENCODER.encode(values)  # what json.dumps with these options does, without a new encoder each time
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _json_id(value) -> str:
    """What the encoder writes for an id (an int or None), without going through it."""
    if value is None:
        return "null"
    if type(value) is int:
        return str(value)
    return _ENCODER.encode(value)


def _json_word(value: str) -> str:
    """What the encoder writes for a hash (hex letters and digits), without going through it."""
    if value.isascii() and value.isalnum():
        return '"' + value + '"'
    return _ENCODER.encode(value)


def chain_reads(pending: list[dict], position: int, last: str) -> tuple[int, str]:
    """Give each noted read its position, the previous hash and its own hash, exactly as
    ``entry_hash`` would one by one; returns the new head. The reads one ``record_read`` noted
    share everything but child and site, so the JSON of that part is written once per batch, not
    once per child (a roster's page hashes 25 entries)."""
    encode = _ENCODER.encode
    shared: dict = {}
    for values in pending:
        position += 1
        key = (id(values["details"]), values["at"], values["user_id"], values["action"], values["event"],
               values["summary"])
        parts = shared.get(key)
        if parts is None:
            at = values["at"]
            parts = shared[key] = (
                "," + encode(at.isoformat(timespec="microseconds") if at is not None else None) + ","
                + encode(values["user_id"]) + ",",
                "," + encode(values["action"]) + "," + encode(values["event"]) + "," + encode(values["details"])
                + "," + encode(values["summary"]) + "]")
        payload = ("[" + _json_word(last) + parts[0] + _json_id(values["site_id"]) + "," + _json_id(values["child_id"])
                   + parts[1])
        digest = hashlib.sha256(payload.encode("utf-8")).hexdigest()
        values.update(seq=position, prev_hash=last, hash=digest)
        last = digest
    return position, last


@event.listens_for(Session, "after_flush")
def _remember_new_entries(session, flush_context) -> None:
    new = [obj.id for obj in session.new if isinstance(obj, AuditEntry)]
    if new:
        session.info.setdefault("audit_new_ids", set()).update(new)


@event.listens_for(Session, "after_rollback")
def _forget_new_entries(session) -> None:
    if not session.in_transaction():
        session.info.pop("audit_new_ids", None)


@event.listens_for(Session, "before_commit")
def _chain_new_entries(session) -> None:
    session.flush()  # the commit's own flush comes after this hook: flush now to see every new entry
    ids = session.info.pop("audit_new_ids", None)
    if not ids:
        return
    table, head = AuditEntry.__table__, AuditChainHead.__table__
    position, last = session.execute(select(head.c.seq, head.c.hash).where(head.c.id == 1).with_for_update()).one()
    rows = session.execute(select(table).where(table.c.id.in_(ids), table.c.hash.is_(None))
                           .order_by(table.c.id)).mappings().all()
    if not rows:
        return
    params = []
    for row in rows:
        position += 1
        digest = entry_hash(last, row)
        params.append({"_id": row["id"], "seq": position, "prev_hash": last, "hash": digest})
        last = digest
    session.execute(update(table).where(table.c.id == bindparam("_id"))
                    .values(seq=bindparam("seq"), prev_hash=bindparam("prev_hash"), hash=bindparam("hash")),
                    params, execution_options={"synchronize_session": False})
    session.execute(update(head).where(head.c.id == 1).values(seq=position, hash=last))


@dataclass
class ChainReport:
    checked: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_chain(batch: int = 5000) -> ChainReport:
    """Recompute the whole chain: every entry chained, positions without gaps, each hash right and
    linked to the one before, the last one matching the head."""
    table, head = AuditEntry.__table__, AuditChainHead.__table__
    report = ChainReport()
    unchained = db.session.scalar(select(db.func.count()).select_from(table).where(table.c.hash.is_(None)))
    if unchained:
        report.problems.append(f"{unchained} entries are not chained (written outside the application?)")
    expected_seq, last = 1, ""
    after = 0
    while True:
        rows = db.session.execute(select(table).where(table.c.seq > after).order_by(table.c.seq)
                                  .limit(batch)).mappings().all()
        if not rows:
            break
        for row in rows:
            report.checked += 1
            if row["seq"] != expected_seq:
                report.problems.append(f"entries {expected_seq}..{row['seq'] - 1} are missing (deleted?)")
            if row["prev_hash"] != last:
                report.problems.append(f"entry {row['seq']} (id {row['id']}) does not follow the one before")
            if entry_hash(row["prev_hash"] or "", row) != row["hash"]:
                report.problems.append(f"entry {row['seq']} (id {row['id']}) was changed after it was written")
            expected_seq, last, after = row["seq"] + 1, row["hash"], row["seq"]
    head_seq, head_hash = db.session.execute(select(head.c.seq, head.c.hash).where(head.c.id == 1)).one()
    if head_seq != expected_seq - 1 or head_hash != last:
        report.problems.append(f"the chain ends at entry {expected_seq - 1} but its head says {head_seq}: "
                               "entries at the end are missing")
    return report


# --- reading the trail ----------------------------------------------------------------------------
def _event_of(entry: AuditEntry) -> tuple[str | None, dict]:
    """The entry's event and details; entries written before events (an English ``summary``
    such as "waitlisted in season 1") are read through the registered legacy patterns."""
    if entry.event in EVENTS and entry.event != "legacy":
        return entry.event, entry.details or {}
    summary = (entry.summary or "").strip()
    for pattern, event, details in LEGACY:
        match = pattern.fullmatch(summary)
        if match:
            return event, details(match)
    return ("legacy", {}) if entry.event == "legacy" else (None, {})


def describe_all(entries: list[AuditEntry]) -> dict[int, str]:
    """{entry id: text in the reader's language}, with ids in details replaced by names (one query
    per kind of id for the whole list)."""
    from flask_babel import gettext

    read = {entry.id: _event_of(entry) for entry in entries}
    wanted: dict[str, set[int]] = defaultdict(set)
    for _event, details in read.values():
        for key, value in details.items():
            if key in NAMERS and isinstance(value, int):
                wanted[key].add(value)
    names = {kind: NAMERS[kind](ids) for kind, ids in wanted.items()}
    out = {}
    for entry in entries:
        event, details = read[entry.id]
        template = EVENTS.get(event) if event else None
        if template is None:
            out[entry.id] = entry.summary
            continue
        values = {}
        for key, value in details.items():
            if key in names:
                values[key] = names[key].get(value) or gettext("(removed)")
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
LEGACY: list[tuple[Any, str, Callable]] = []


def register_legacy(pattern: str, event: str, details: Callable = lambda match: {}) -> None:
    """How to read an entry written before events: its English ``summary`` matching ``pattern``
    (a regular expression matched whole) is shown as ``event`` with ``details(match)``."""
    import re

    LEGACY.append((re.compile(pattern), event, details))


def register_field_labels(labels: dict[str, Any]) -> None:
    """Names of fields (``allergies`` -> 过敏) for events that list changed fields."""
    FIELD_LABELS.update(labels)


def _field_label(name: str):
    return FIELD_LABELS.get(name, name)


register_events({
    "legacy": _l("Recorded"),
})
