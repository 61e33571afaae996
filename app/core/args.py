"""Reading what arrives in URLs, once, at the edge: path integers that fit the database, and
query-string values (numbers, dates, text) that are bounded or ignored, never a 500.

- ``int`` path segments (``/children/<int:child_id>``) above 2**31 - 1 (the largest key of an
  ``integer`` column on PostgreSQL) are a 404 (``BoundedInt``, installed as the app's ``int`` converter).
- ``arg_int("page", 1, minimum=1, maximum=10_000)``, ``arg_date("from")``, ``arg_text("q", 60)``
  read ``request.args``: an unreadable or out-of-range value is treated as absent.
"""
from __future__ import annotations

from datetime import date

from flask import request
from werkzeug.routing import IntegerConverter

from app.core.forms import MAX_DATE, MIN_DATE, ascii_digits, clean_line

KEY_MAX = 2**31 - 1  # primary keys are INTEGER columns (PostgreSQL: 32 bits)


class BoundedInt(IntegerConverter):
    """Werkzeug's ``int`` converter limited to what a database key can hold (else 404): a larger id
    would make PostgreSQL refuse the query ("integer out of range") and answer 500."""

    def __init__(self, map, fixed_digits=0, min=None, max=None, signed=False):  # noqa: A002
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=KEY_MAX if max is None else max,
                         signed=signed)


def _raw(name: str) -> str:
    return clean_line(ascii_digits(request.args.get(name, "")))


def arg_int(name: str, default: int | None = None, *, minimum: int = 0, maximum: int = 2**31 - 1) -> int | None:
    value = _raw(name)
    if not value or len(value) > 19 or not value.lstrip("-").isdigit():
        return default
    number = int(value)
    return number if minimum <= number <= maximum else default


def arg_date(name: str) -> date | None:
    value = _raw(name)
    try:
        day = date.fromisoformat(value) if value else None
    except ValueError:
        return None
    return day if day is None or MIN_DATE <= day <= MAX_DATE else None


def arg_text(name: str, max_length: int = 100) -> str:
    return clean_line(request.args.get(name, ""))[:max_length]


def arg_choice(name: str, choices, default=""):
    value = _raw(name)
    return value if value in choices else default
