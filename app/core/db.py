"""Declarative base, naming convention and shared column mixins."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from app.core.timeutil import utcnow

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):  # pragma: no cover - driver hook
    """SQLite: WAL journal, foreign keys enforced, wait instead of failing when locked."""
    module = type(dbapi_connection).__module__
    if not module.startswith("sqlite3"):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


# --- writes that must hold under concurrency -------------------------------------------------------
def begin_write(session) -> None:
    """Start this request's write transaction now, so that every read after it sees the latest
    committed data and no other writer can slip in between a check and the insert it guards.

    SQLite has one writer: ``BEGIN IMMEDIATE`` takes its write lock (others wait up to busy_timeout),
    which serialises the rule check with the write. PostgreSQL needs nothing here: rules lock the
    rows they depend on with ``lock``."""
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        return
    raw = connection.connection.dbapi_connection
    if not raw.in_transaction:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def lock(session, model, ident) -> None:
    """Lock one row until the transaction ends, before reading what a rule depends on or inserting
    rows that reference it (taking the lock first also avoids the deadlock of two inserts holding a
    key-share lock on the same parent row). PostgreSQL: ``SELECT ... FOR UPDATE``. SQLite: the
    database's write lock (``begin_write``)."""
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        begin_write(session)
        return
    from sqlalchemy import select

    session.execute(select(model.id).where(model.id == ident).with_for_update())


from app.core import pinyin as _pinyin  # noqa: E402,F401  (registers the pinyin collation on connect)


_PREPARED: dict = {}


def prepared(name: str, build):
    """The statement ``name``, built by ``build()`` once per process (on first use, when the mappers
    are configured) with bound parameters: a request passes only its values, and SQLAlchemy neither
    rebuilds the statement nor works out its cache key again (most of a small query's cost). Names
    are global: prefix them with the area (``"children.alerts"``)."""
    statement = _PREPARED.get(name)
    if statement is None:
        statement = _PREPARED[name] = build()
    return statement


def run(statement, params=None):
    """Run a statement built once (``prepared``, ``@cache``) that selects columns, not entities, on
    the session's connection (its transaction, what it flushed): the ORM's execute path would cost
    as much again as running the statement (~30 µs), for rows it would hand back unchanged. Pending
    changes are flushed first, as the session's autoflush would. Not for statements that load
    entities (they need the ORM's path)."""
    from app.extensions import db

    session = db.session()
    if session.autoflush:
        session.flush()  # nothing to do (and next to no cost) when nothing changed
    return session.connection().execute(statement, params)
