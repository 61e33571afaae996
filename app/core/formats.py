"""The ``date`` and ``datetime`` template filters: what Flask-Babel's ``format_date(d, fmt)`` and
``format_datetime(d, fmt)`` return, with the locale's patterns looked up and parsed once per
(locale, format) instead of on every call (a table shows a date in every row; each Flask-Babel call
resolved the locale and time zone, read the locale's date, time and date-time formats and parsed
the patterns), and each value's text kept per (locale, time zone, format). Output is byte-for-byte
Flask-Babel's (tests/core/test_formats.py)."""
from __future__ import annotations

from datetime import datetime as _datetime

from babel import dates
from flask import g
from flask_babel import get_locale, get_timezone

_NAMED = ("full", "long", "medium", "short")
_date_patterns: dict = {}
_datetime_patterns: dict = {}


def _date_pattern(locale, fmt: str):
    key = (locale, fmt)
    pattern = _date_patterns.get(key)
    if pattern is None:
        pattern = _date_patterns[key] = dates.parse_pattern(
            dates.get_date_format(fmt, locale=locale) if fmt in _NAMED else fmt)
    return pattern


def _locale_and_zone():
    """The request's locale and time zone as Flask-Babel keeps them (``g._flask_babel``, which
    ``force_locale`` also sets), asking Flask-Babel only when it has not chosen them yet."""
    kept = g.get("_flask_babel") if g else None
    if kept is not None:
        locale, zone = getattr(kept, "babel_locale", None), getattr(kept, "babel_tzinfo", None)
        if locale is not None and zone is not None:
            return locale, zone
    return get_locale(), get_timezone()


# What each (locale, zone, format, value) looked like: a table shows the same few dates and times on
# every view, and working one out costs ~17 µs (time zone, three patterns) against ~1 µs to look it
# up. Kept per worker, emptied whenever it reaches _KEEP entries (the output of a key never changes).
_KEEP = 50_000
_dates: dict = {}
_datetimes: dict = {}


def format_date(value, fmt: str = "medium") -> str:
    """``flask_babel.format_date(value, fmt)`` (a datetime: its date in the user's time zone, naive
    ones being UTC), "" for none."""
    if not value:
        return ""
    locale, zone = _locale_and_zone()
    key = (locale, zone, fmt, value)
    text = _dates.get(key)
    if text is None:
        day = dates._ensure_datetime_tzinfo(value, zone).date() if isinstance(value, _datetime) else value
        text = _date_pattern(locale, fmt).apply(day, locale)
        if len(_dates) >= _KEEP:
            _dates.clear()
        _dates[key] = text
    return text


def format_datetime(value, fmt: str = "short") -> str:
    """``flask_babel.format_datetime(value, fmt)``: naive values are UTC, shown in the user's time
    zone; "" for none."""
    if not value:
        return ""
    locale, zone = _locale_and_zone()
    key = (locale, zone, fmt, value)
    text = _datetimes.get(key)
    if text is None:
        text = _format_datetime(value, fmt, locale, zone)
        if len(_datetimes) >= _KEEP:
            _datetimes.clear()
        _datetimes[key] = text
    return text


def _format_datetime(value, fmt: str, locale, zone) -> str:
    value = dates._ensure_datetime_tzinfo(dates._get_datetime(value), zone)
    if fmt not in _NAMED:
        return dates.parse_pattern(fmt).apply(value, locale)
    key = (locale, fmt)
    parts = _datetime_patterns.get(key)
    if parts is None:
        parts = _datetime_patterns[key] = (
            dates.get_datetime_format(fmt, locale=locale).replace("'", ""),
            dates.parse_pattern(dates.get_time_format(fmt, locale=locale)),
            _date_pattern(locale, fmt))
    template, time_pattern, date_pattern = parts
    time = time_pattern.apply(dates._get_time(value, None), locale, reference_date=value.date())
    return template.replace("{0}", time).replace("{1}", date_pattern.apply(value.date(), locale))


# --- quantities that read right in both languages ----------------------------------------------------
def format_duration(minutes) -> str:
    """Minutes as hours with their unit, in the reader's language: 90 -> "1.5 小时" / "1.5 h"
    (at most two decimals, no trailing zeros)."""
    from flask_babel import gettext

    value = f"{(minutes or 0) / 60:.2f}".rstrip("0").rstrip(".")
    return gettext("%(hours)s h", hours=value)


def format_quantity(value) -> str:
    """A counted quantity without trailing zeros: Decimal("300.00") -> "300", 2.50 -> "2.5",
    1234567 -> "1,234,567"; "" for none."""
    if value is None or value == "":
        return ""
    from decimal import Decimal

    number = Decimal(str(value))
    text = f"{number:,.2f}".rstrip("0").rstrip(".")
    return text
