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


class DriverStatement:
    """A statement compiled once per dialect to the driver's own SQL (``driver_statement``): run with
    ``execute(connection, rows)``, where each row is a dict of the statement's parameters by name.

    For the few statements a page runs on every view whatever it shows, with many rows (the read
    trail's insert): SQLAlchemy's ``execute`` of a compiled statement processes every parameter of
    every row through its type (a datetime to text, a dict to JSON) and builds the row again, which
    costs more than the database's own work for a batch of 25. Here each parameter goes through the
    same type processing, but a value shared by the rows of a batch (the same datetime, the same
    details dict) is processed once; the statement runs through ``exec_driver_sql``, so the
    connection's events and the statement counters of the tests see it as before."""

    __slots__ = ("sql", "names", "processors", "defaults", "positional")

    def __init__(self, statement, dialect, column_keys=None):
        compiled = statement.compile(dialect=dialect, column_keys=column_keys)
        self.sql = compiled.string
        self.positional = compiled.positional
        self.defaults = {name: value for name, value in compiled.params.items() if value is not None}
        binds = compiled.binds
        self.names = list(compiled.positiontup) if compiled.positional else list(binds)
        self.processors = {}
        for name in self.names:
            processor = binds[name].type.dialect_impl(dialect).bind_processor(dialect)
            if processor is not None:
                self.processors[name] = processor

    def execute(self, connection, rows: list[dict]):
        done: dict[int, object] = {}  # id(value) -> processed, for values the rows share
        processors, defaults = self.processors, self.defaults
        out = []
        for row in rows:
            values = []
            for name in self.names:
                value = row[name] if name in row else defaults.get(name)
                processor = processors.get(name)
                if processor is not None and value is not None:
                    key = id(value)
                    processed = done.get(key, done)
                    if processed is done:
                        processed = done[key] = processor(value)
                    value = processed
                values.append(value)
            out.append(tuple(values) if self.positional else dict(zip(self.names, values)))
        return connection.exec_driver_sql(self.sql, out[0] if len(out) == 1 else out)


_DRIVER: dict = {}


def driver_statement(name: str, build, dialect, column_keys=None) -> DriverStatement:
    """The statement ``name`` (built by ``build()``) compiled for ``dialect`` once per process; with
    ``column_keys`` an INSERT names only those columns (the others take their defaults)."""
    key = (name, dialect.name)
    found = _DRIVER.get(key)
    if found is None:
        found = _DRIVER[key] = DriverStatement(build(), dialect, column_keys)
    return found


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
