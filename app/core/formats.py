"""The ``date`` and ``datetime`` template filters: what Flask-Babel's ``format_date(d, fmt)`` and
``format_datetime(d, fmt)`` return, with the locale's patterns looked up and parsed once per
(locale, format) instead of on every call (a table shows a date in every row; each Flask-Babel call
resolved the locale and time zone, read the locale's date, time and date-time formats and parsed
the patterns). Output is byte-for-byte Flask-Babel's (tests/core/test_formats.py)."""
from __future__ import annotations

from datetime import datetime as _datetime

from babel import dates
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


def format_date(value, fmt: str = "medium") -> str:
    """``flask_babel.format_date(value, fmt)`` (a datetime: its date in the user's time zone, naive
    ones being UTC), "" for none."""
    if not value:
        return ""
    locale = get_locale()
    if isinstance(value, _datetime):
        value = dates._ensure_datetime_tzinfo(value, get_timezone()).date()
    return _date_pattern(locale, fmt).apply(value, locale)


def format_datetime(value, fmt: str = "short") -> str:
    """``flask_babel.format_datetime(value, fmt)``: naive values are UTC, shown in the user's time
    zone; "" for none."""
    if not value:
        return ""
    locale = get_locale()
    value = dates._ensure_datetime_tzinfo(dates._get_datetime(value), get_timezone())
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
