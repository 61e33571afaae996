"""People in pinyin order (于, 何, 冯 -> 冯 feng, 何 he, 于 yu), in SQL and in Python.

Children carry stored pinyin columns (app/children/names.py). Volunteers and accounts have none, and
adding one needs a migration, so their lists are ordered by the database's own Chinese collation:
``by_pinyin(column)`` compiles to ``column COLLATE "zh-x-icu"`` on PostgreSQL (ICU's pinyin order;
when the server has no ICU, plain order) and ``column COLLATE pinyin`` on SQLite, a collation
registered on every SQLite connection that compares the same pinyin the children use
(``pinyin_key``). Paginated lists stay ordered across pages; ``pinyin_key`` sorts lists already
in memory.
"""
from __future__ import annotations

from functools import lru_cache

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement

ICU_COLLATION = "zh-x-icu"


@lru_cache(maxsize=20000)
def pinyin_key(name: str | None) -> tuple:
    """What people are ordered by: the name's syllables with their tones, one by one (李 li3 before
    梁 liang2, as a dictionary orders them; surnames read as surnames, app/children/names.py), then
    the name itself."""
    from pypinyin import Style, lazy_pinyin

    from app.children.names import SURNAME_READINGS

    name = "".join((name or "").split())
    syllables = lazy_pinyin(name, style=Style.TONE3, neutral_tone_with_five=True,
                            errors=lambda chars: list(chars.lower()))
    if name and name[0] in SURNAME_READINGS and syllables:
        syllables[0] = SURNAME_READINGS[name[0]]
    return (*[s.lower() for s in syllables], "", name)


def compare(a: str | None, b: str | None) -> int:
    """SQLite's ``pinyin`` collation."""
    ka, kb = pinyin_key(a), pinyin_key(b)
    return (ka > kb) - (ka < kb)


class by_pinyin(ColumnElement):
    """``ORDER BY by_pinyin(User.display_name)``: the column in pinyin order on either database."""
    inherit_cache = True

    def __init__(self, column):
        self.column = column
        self.type = column.type


@compiles(by_pinyin)
def _plain(element, compiler, **kw):
    return compiler.process(element.column, **kw)


@compiles(by_pinyin, "sqlite")
def _sqlite(element, compiler, **kw):
    return f"{compiler.process(element.column, **kw)} COLLATE pinyin"


@compiles(by_pinyin, "postgresql")
def _postgresql(element, compiler, **kw):
    column = compiler.process(element.column, **kw)
    return f'{column} COLLATE "{ICU_COLLATION}"' if _ICU.get("available", True) else column


_ICU: dict[str, bool] = {}


@event.listens_for(Engine, "connect")
def _register(dbapi_connection, connection_record):  # pragma: no cover - driver hook
    """SQLite: the ``pinyin`` collation on every connection. PostgreSQL, on the first connection:
    does the server have ICU's Chinese collation (else names keep the plain order)?"""
    module = type(dbapi_connection).__module__
    if module.startswith("sqlite3"):
        dbapi_connection.create_collation("pinyin", compare)
    elif module.startswith("psycopg") and "available" not in _ICU:
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("SELECT count(*) FROM pg_collation WHERE collname = 'zh-x-icu'")
            _ICU["available"] = bool(cursor.fetchone()[0])
        finally:
            cursor.close()
            dbapi_connection.rollback()
