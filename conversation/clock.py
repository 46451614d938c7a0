"""UTC time for stored timestamps, whatever the database hands back.

SQLite returns naive datetimes (its ``CURRENT_TIMESTAMP`` is UTC), PostgreSQL aware ones; the
console compares and subtracts them, so everything goes through :func:`as_utc` first.
"""

from __future__ import annotations

import datetime as dt


def utcnow() -> dt.datetime:
    """The current time, timezone-aware in UTC."""
    return dt.datetime.now(dt.UTC)


def as_utc(value: dt.datetime) -> dt.datetime:
    """``value`` as an aware UTC datetime (naive values are UTC by convention)."""
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)
