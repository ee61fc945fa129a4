"""The values people mistype, each checked by one function that says what is wrong and what was meant.

``declog check`` (declog.log.fields) and ``declog init`` ask the same
functions, so a value init accepts is one check accepts, and both suggest the
same correction: ``Sao Paulo`` -> ``America/Sao_Paulo``, ``EAT`` ->
``Africa/Nairobi``, ``@handle`` -> ``handle``, ``Ipê`` -> ``ipe``,
``8/12/2026`` -> ``2026-12-08`` or ``2026-08-12``.
"""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import re
import unicodedata
from typing import NamedTuple

from declog.log import vocab
from declog.log.timeparse import known_timezones


class Problem(NamedTuple):
    """What is wrong with a value (to follow its name and the value) and how to fix it."""

    problem: str
    hint: str


HANDLE_PROBLEM = "is not a valid handle (letters, digits and single dashes, without @)"
SLUG_PROBLEM = "should be lower-case letters, digits and dashes (e.g. 'acme' or 'data-retention')"
TIMEZONE_PROBLEM = "is not an IANA time zone"


def _ascii(text: str) -> str:
    """``text`` without accents: São -> Sao, Ipê -> Ipe."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


# --- partner ids and handles ---------------------------------------------------------------------


def slug_problem(value: str) -> Problem | None:
    """A partner or meeting id: lower-case words joined by dashes."""
    if vocab.SLUG_RE.match(value):
        return None
    meant = "-".join(re.findall(r"[a-z0-9]+", _ascii(value).lower()))
    return Problem(SLUG_PROBLEM, f"write '{meant}'" if meant and meant != value else "")


def handle_problem(value: str) -> Problem | None:
    """A person's git-host handle: letters, digits and single dashes, without ``@``."""
    if vocab.HANDLE_RE.match(value):
        return None
    meant = "-".join(re.findall(r"[A-Za-z0-9]+", _ascii(value)))[:39].strip("-")
    return Problem(HANDLE_PROBLEM, f"write '{meant}'" if meant and meant != value else "")


# --- time zones ----------------------------------------------------------------------------------

#: Abbreviations that name one zone (or one rule, for the summer names of zones IANA has).
#: Ambiguous ones (IST, CST, BST, GST) are left out: a guess there would be wrong for someone.
ABBREVIATIONS = {
    "EAT": "Africa/Nairobi",
    "WAT": "Africa/Lagos",
    "CAT": "Africa/Maputo",
    "SAST": "Africa/Johannesburg",
    "BRT": "America/Sao_Paulo",
    "ART": "America/Argentina/Buenos_Aires",
    "EDT": "America/New_York",
    "CDT": "America/Chicago",
    "MDT": "America/Denver",
    "PST": "America/Los_Angeles",
    "PDT": "America/Los_Angeles",
    "AKST": "America/Anchorage",
    "AKDT": "America/Anchorage",
    "NST": "America/St_Johns",
    "NDT": "America/St_Johns",
    "CEST": "CET",
    "EEST": "EET",
    "WEST": "WET",
    "MSK": "Europe/Moscow",
    "PKT": "Asia/Karachi",
    "ICT": "Asia/Bangkok",
    "WIB": "Asia/Jakarta",
    "SGT": "Asia/Singapore",
    "HKT": "Asia/Hong_Kong",
    "JST": "Asia/Tokyo",
    "KST": "Asia/Seoul",
    "AWST": "Australia/Perth",
    "ACST": "Australia/Adelaide",
    "AEST": "Australia/Sydney",
    "AEDT": "Australia/Sydney",
    "NZST": "Pacific/Auckland",
    "NZDT": "Pacific/Auckland",
}

#: A city zone for a whole-hour offset from UTC, to suggest instead of an ``Etc/GMT`` zone.
_CITY_AT = {
    -10: "Pacific/Honolulu",
    -8: "America/Los_Angeles",
    -7: "America/Denver",
    -6: "America/Chicago",
    -5: "America/New_York",
    -4: "America/Santiago",
    -3: "America/Sao_Paulo",
    0: "Europe/London",
    1: "Europe/Berlin",
    2: "Africa/Cairo",
    3: "Africa/Nairobi",
    4: "Asia/Dubai",
    5: "Asia/Karachi",
    7: "Asia/Bangkok",
    8: "Asia/Singapore",
    9: "Asia/Tokyo",
    10: "Australia/Sydney",
    12: "Pacific/Auckland",
}
_OFFSET = re.compile(r"^(?:GMT|UTC|UT)\s*([+-])\s*(\d{1,2})(?::?00)?$", re.IGNORECASE)


def _folded(name: str) -> str:
    """A zone or city name as compared: no accents, lower case, ``_`` for spaces and dashes."""
    return re.sub(r"[\s\-_]+", "_", _ascii(name).strip().lower())


@functools.cache
def _by_folded() -> dict[str, str]:
    """Folded full name, then folded city part -> zone (a city's canonical ``Area/City`` first)."""
    out: dict[str, str] = {}
    zones = sorted(known_timezones(), key=lambda z: ("/" not in z, z.startswith(("US/", "Etc/")), z))
    for z in zones:
        out.setdefault(_folded(z), z)
    for z in zones:
        if "/" in z:
            out.setdefault(_folded(z.rsplit("/", 1)[-1]), z)
    return out


def timezone_problem(value: str) -> Problem | None:
    """An IANA time zone name such as Europe/Berlin."""
    if value in known_timezones():
        return None
    return Problem(TIMEZONE_PROBLEM, timezone_hint(value))


def timezone_hint(value: str) -> str:
    """What a time zone that is not an IANA name was likely meant to be."""
    text = value.strip()
    if (zone := ABBREVIATIONS.get(text.upper())) is not None:
        return f"'{text}' is an abbreviation, not a zone: write '{zone}'"
    if (m := _OFFSET.match(text)) is not None:
        hours = int(m.group(2)) * (-1 if m.group(1) == "-" else 1)
        etc = f"Etc/GMT{'-' if hours > 0 else '+'}{abs(hours)}" if hours else "UTC"
        city = _CITY_AT.get(hours)
        advice = f"; better, the zone of a city there, such as '{city}'" if city else ""
        if not hours:
            return "write 'UTC'"
        return (
            f"for UTC{m.group(1)}{abs(hours)} IANA writes '{etc}' (its sign is inverted){advice}, "
            "which also follows daylight saving time"
        )
    if (zone := _by_folded().get(_folded(text))) is not None:
        return f"write '{zone}'"
    folded = _by_folded()
    close = difflib.get_close_matches(_folded(text), list(folded), n=1, cutoff=0.75)
    if close:
        return f"did you mean '{folded[close[0]]}'?"
    return "e.g. Europe/Berlin, America/New_York"


# --- dates ---------------------------------------------------------------------------------------

_DATE_LIKE = re.compile(
    r"^\s*(?P<a>\d{1,4})(?P<sep>[./-])(?P<b>\d{1,2})(?P=sep)(?P<c>\d{1,4})"
    r"(?:[T\s]+(?P<h>\d{1,2}):(?P<m>\d{2})(?::(?P<s>\d{2}))?)?\s*(?P<z>Z|[+-]\d{2}:?\d{2})?\s*$"
)


def date_hint(value: str, *, with_time: bool) -> str:
    """The ISO 8601 form of a date (or date-time, ``with_time``) written another way; '' when unclear."""
    m = _DATE_LIKE.match(value)
    if m is None:
        return ""
    a, b, c = m.group("a"), m.group("b"), m.group("c")
    if len(a) == 4:
        readings = [(int(a), int(b), int(c))]
    elif len(c) == 4 and m.group("sep") == ".":
        readings = [(int(c), int(b), int(a))]  # 08.12.2026: day.month.year wherever dots are used
    elif len(c) == 4:
        readings = [(int(c), int(b), int(a)), (int(c), int(a), int(b))]
    else:
        return ""
    dates = list(dict.fromkeys(d for y, mo, day in readings if (d := _date(y, mo, day)) is not None))
    if not dates:
        return ""
    forms = [_iso(d, m, with_time) for d in dates]
    note = ""
    if with_time and not m.group("z"):
        note = "; +00:00 is UTC, write your own offset"
    if with_time and not m.group("h"):
        note = f"; a date-time needs a time{note or ' (and an offset)'}"
    if len(forms) == 2:
        return (
            f"'{value}' is ambiguous: write {forms[0]} ({dates[0]:%-d %B}) "
            f"or {forms[1]} ({dates[1]:%-d %B}), year-month-day{note}"
        )
    return f"write {forms[0]} (ISO 8601, year-month-day{note})"


def _date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _iso(day: dt.date, m: re.Match[str], with_time: bool) -> str:
    if not with_time:
        return day.isoformat()
    hour, minute, second = int(m.group("h") or 9), int(m.group("m") or 0), int(m.group("s") or 0)
    if hour > 23 or minute > 59 or second > 59:
        hour, minute, second = 9, 0, 0
    zone = m.group("z") or "+00:00"
    if zone != "Z" and ":" not in zone:
        zone = f"{zone[:3]}:{zone[3:]}"
    return f"{day.isoformat()}T{hour:02}:{minute:02}:{second:02}{zone}"
