"""Dates, date-times, durations and time zones as declog reads them."""

from __future__ import annotations

import datetime as dt
import functools
import re
import zoneinfo

_DURATION = re.compile(r"^\s*([0-9]+(?:\.[0-9]+)?)\s*(m|h|d|w)\s*$")
_UNITS = {"m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
_ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?$")


class NaiveDatetime(ValueError):
    """A date-time without a time zone offset."""


def parse_datetime(text: str) -> dt.datetime:
    """Parse an ISO 8601 date-time that must carry an offset.

    Raises ``NaiveDatetime`` when the offset is missing and ``ValueError`` when
    the text is not a real date-time (``2026-13-01T10:00Z``).
    """
    if not _ISO_DATETIME.match(text):
        raise ValueError(f"'{text}' is not an ISO 8601 date-time")
    value = dt.datetime.fromisoformat(text)
    if value.tzinfo is None:
        raise NaiveDatetime(f"'{text}' has no time zone offset")
    return value


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_MICROSECOND = dt.timedelta(microseconds=1)


def instant(moment: dt.datetime | None, missing: int = -(1 << 62)) -> int:
    """Microseconds since 1970 (``missing`` for None): a sort key as exact as the date-time.

    Integers compare quickly; date-times with different offsets each ask their
    time zone for it on every comparison (sorting 30,000 decisions by date:
    0.24 s, by ``instant``: 0.05 s).
    """
    return missing if moment is None else (moment - _EPOCH) // _MICROSECOND


def parse_date(text: str) -> dt.date:
    if not re.match(r"^\d{4}-\d{2}-\d{2}$", text):
        raise ValueError(f"'{text}' is not an ISO 8601 date (YYYY-MM-DD)")
    return dt.date.fromisoformat(text)


class DurationTooLong(ValueError):
    """A well-formed duration longer than a timedelta holds."""


def parse_duration(text: str) -> dt.timedelta:
    m = _DURATION.match(text)
    if not m:
        raise ValueError(f"'{text}' is not a duration such as 48h, 2d, 1w or 90m")
    try:
        return dt.timedelta(seconds=float(m.group(1)) * _UNITS[m.group(2)])
    except OverflowError:  # more days than a timedelta holds (about 2.7 million years)
        raise DurationTooLong(f"'{text}' is longer than any duration declog can count") from None


def format_duration(delta: dt.timedelta) -> str:
    """48h, 2d 3h, 45m: the largest two units, for messages and pages."""
    seconds = int(abs(delta.total_seconds()))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    parts = [f"{days}d"] if days else []
    if hours:
        parts.append(f"{hours}h")
    if minutes and not days:
        parts.append(f"{minutes}m")
    text = " ".join(parts[:2]) or "0m"
    return f"-{text}" if delta.total_seconds() < 0 else text


@functools.cache
def known_timezones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def zone(name: str) -> dt.tzinfo:
    """The tzinfo for an IANA name; UTC when the name is unknown (already reported)."""
    if name in known_timezones():
        return zoneinfo.ZoneInfo(name)
    return dt.UTC


def shown_in(moment: dt.datetime, name: str) -> str:
    """``2026-11-04 10:00 Europe/Berlin``: a moment as a person reads it, in the zone ``name``."""
    return f"{moment.astimezone(zone(name)):%Y-%m-%d %H:%M} {name}"
