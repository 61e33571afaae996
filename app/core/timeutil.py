"""Time: stored in UTC (naive UTC datetimes in the database), shown in Asia/Shanghai."""
from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Asia/Shanghai")


def system_clock() -> datetime:
    """Now, aware, in UTC: where every reading of the time in the app comes from."""
    return datetime.now(timezone.utc)


# The one source of "now". Tests set it (``monkeypatch.setattr(timeutil, "clock", ...)``) to run a
# day at a fixed hour, so nothing they assert depends on when the suite happens to run.
clock = system_clock


def utcnow() -> datetime:
    """Naive UTC now, the form every timestamp column stores."""
    return clock().astimezone(timezone.utc).replace(tzinfo=None)


def to_local(value: datetime) -> datetime:
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(LOCAL_TZ)


def local_now() -> datetime:
    """Now in Asia/Shanghai (aware)."""
    return clock().astimezone(LOCAL_TZ)


def local_today() -> date:
    return local_now().date()
