"""The audit trail cannot be thinned out: the database refuses UPDATE and DELETE of an entry, and
every entry is chained by hash, so `flask audit verify` reports a missing or changed entry."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DatabaseError

from app.core import audit
from app.core.models import AuditChainHead, AuditEntry
from tests.http import HttpClient, race


def _verify(app):
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    return result.exit_code, result.output


def _views(client, children):
    for child in children:
        assert client.get(f"/children/{child.id}").status_code == 200


def _without_triggers(db, statement: str) -> None:
    """Tamper with the trail as someone with raw database access would."""
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("SET LOCAL session_replication_role = replica"))
        db.session.execute(text(statement))
    else:
        triggers = db.session.execute(text(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_entries'")).all()
        for name, _ in triggers:
            db.session.execute(text(f'DROP TRIGGER "{name}"'))
        db.session.execute(text(statement))
        for _, sql in triggers:
            db.session.execute(text(sql))
    db.session.commit()


@pytest.fixture
def trail(app, client, db, login, make, world):
    login(client, world.users["coordinator"])
    children = [make.child(world.site, f"孩子{i}") for i in range(4)]
    _views(client, children)
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == 4
    return children


def test_every_entry_is_chained_and_verifies(app, db, trail):
    entries = db.session.scalars(select(AuditEntry).order_by(AuditEntry.seq)).all()
    assert [e.seq for e in entries] == [1, 2, 3, 4]
    assert all(e.hash and len(e.hash) == 64 for e in entries)
    assert [e.prev_hash for e in entries[1:]] == [e.hash for e in entries[:-1]]
    assert db.session.get(AuditChainHead, 1).hash == entries[-1].hash
    code, output = _verify(app)
    assert code == 0 and "4 entries" in output


def test_the_database_refuses_update_and_delete(db, trail):
    entry_id = db.session.scalar(select(AuditEntry.id).limit(1))
    for statement in (f"UPDATE audit_entries SET summary = 'x' WHERE id = {entry_id}",
                      f"DELETE FROM audit_entries WHERE id = {entry_id}"):
        with pytest.raises(DatabaseError):
            db.session.execute(text(statement))
            db.session.flush()
        db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == 4
    if db.engine.dialect.name == "postgresql":
        with pytest.raises(DatabaseError):
            db.session.execute(text("TRUNCATE audit_entries CASCADE"))
        db.session.rollback()


def test_a_deleted_entry_in_the_middle_shows(app, db, trail):
    _without_triggers(db, "DELETE FROM audit_entries WHERE seq = 2")
    code, output = _verify(app)
    assert code == 1 and "missing" in output


def test_a_deleted_last_entry_shows(app, db, trail):
    _without_triggers(db, "DELETE FROM audit_entries WHERE seq = 4")
    code, output = _verify(app)
    assert code == 1 and "end" in output


def test_a_changed_entry_shows(app, db, trail):
    _without_triggers(db, "UPDATE audit_entries SET user_id = NULL WHERE seq = 3")
    code, output = _verify(app)
    assert code == 1 and "changed" in output


def test_an_entry_written_around_the_application_shows(app, db, trail, world):
    db.session.execute(AuditEntry.__table__.insert().values(action="view", event="child.viewed", summary="",
                                                           at=trail[0].created_at, site_id=world.site.id))
    db.session.commit()
    code, output = _verify(app)
    assert code == 1 and "not chained" in output


def test_an_entry_of_a_rolled_back_change_is_not_kept(app, db, world, make):
    child = make.child(world.site)
    with app.test_request_context():
        try:
            with db.session.begin_nested():
                audit.record("view", "child.viewed", by=None, child=child)
                db.session.flush()
                raise RuntimeError("the change fails")
        except RuntimeError:
            pass
        audit.record("view", "child.viewed", by=None, child=child)
        db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == 1
    assert _verify(app)[0] == 0


def test_many_readers_at_once_keep_one_unbroken_chain(app, db, live_server, make, world):
    children = [make.child(world.site, f"并发{i}") for i in range(3)]
    clients = [HttpClient(live_server).login(world.users[role]) for role in ("coordinator", "admin")]
    calls = [lambda c=c, child=child: c.get(f"/children/{child.id}").status for c in clients for child in children]
    results = race(calls * 2)
    assert results == [200] * len(results)
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == len(results)
    code, output = _verify(app)
    assert code == 0, output


@pytest.mark.parametrize("flushed", [False, True])
def test_writing_the_reads_commits_nothing_else_the_request_left(app, db, world, make, flushed):
    """flush_reads keeps the request's read transaction when it holds only reads; a change left in
    the session, or already written on the connection, is rolled back, not committed with the trail."""
    child = make.child(world.site, "原名")
    with app.test_request_context():
        db.session.get(type(child), child.id).name = "改名"
        if flushed:
            db.session.flush()
        audit.record_read("child.viewed", by=None, children=[child])
        audit.flush_reads()
    db.session.expire_all()
    assert db.session.get(type(child), child.id).name == "原名"
    assert db.session.scalars(select(AuditEntry.child_id)).all() == [child.id]
    assert _verify(app)[0] == 0


def test_reads_written_after_a_page_of_reads_are_committed_and_chained(app, db, world, make):
    children = [make.child(world.site, f"读{i}") for i in range(3)]
    with app.test_request_context():
        db.session.scalars(select(AuditEntry)).all()  # the page's own reads
        audit.record_read("roster.viewed", by=None, children=children, season=1)
        audit.flush_reads()
    db.session.rollback()
    rows = db.session.execute(select(AuditEntry.child_id, AuditEntry.seq, AuditEntry.details)
                              .order_by(AuditEntry.seq)).all()
    assert rows == [(c.id, i + 1, {"season": 1}) for i, c in enumerate(children)]
    assert _verify(app)[0] == 0


def test_reads_chained_in_a_batch_hash_as_entry_by_entry():
    from datetime import datetime

    at = datetime(2026, 5, 1, 8, 30, 15, 123)
    details = {"season": 3, "z": ["名字", 'a"b'], "a": None}
    rows = [dict(action="view", event="roster.viewed", details=details, child_id=child, site_id=site,
                 user_id=user, at=when, summary=summary)
            for child, site, user, when, summary in [(1, 2, 3, at, ""), (None, 2, 3, at, ""), (7, None, None, at, ""),
                                                     (8, 2, 3, datetime(2026, 5, 1, 8, 30), "旧的 <b>"),
                                                     (9, 2, 3, None, "")]]
    rows.append(dict(rows[0], details=None))
    expected, last = [], "f" * 64
    for row in rows:
        last = audit.entry_hash(last, row)
        expected.append(last)
    position, head = audit.chain_reads([dict(r) for r in rows], 10, "f" * 64)
    chained = [dict(r) for r in rows]
    audit.chain_reads(chained, 10, "f" * 64)
    assert [r["hash"] for r in chained] == expected and head == expected[-1] and position == 10 + len(rows)
    assert [r["seq"] for r in chained] == list(range(11, 11 + len(rows)))
    assert [r["prev_hash"] for r in chained] == ["f" * 64] + expected[:-1]
