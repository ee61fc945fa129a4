"""The one "now" every command works at.

``declog build``, ``serve``, ``query``, ``audit``, ``approvals`` and ``export``
all take the current moment from here, so that run at the same moment they
tell the same story. ``SOURCE_DATE_EPOCH`` (seconds since 1970, the
reproducible-builds convention) fixes that moment for every one of them.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping

#: The largest ``SOURCE_DATE_EPOCH`` taken (an 11-digit number of seconds is year 5138).
_MAX_DIGITS = 11


def source_date_epoch(env: Mapping[str, str] | None = None) -> dt.datetime | None:
    """``SOURCE_DATE_EPOCH`` as a UTC time, or None when unset or not a plain number of seconds."""
    text = (os.environ if env is None else env).get("SOURCE_DATE_EPOCH", "").strip()
    if not (text.isascii() and text.isdigit() and len(text) <= _MAX_DIGITS):
        return None
    return dt.datetime.fromtimestamp(int(text), dt.UTC)


def current(env: Mapping[str, str] | None = None) -> dt.datetime:
    """Now, to the second, in UTC: ``SOURCE_DATE_EPOCH`` when set, else the clock."""
    fixed = source_date_epoch(env)
    return fixed if fixed is not None else dt.datetime.now(dt.UTC).replace(microsecond=0)
