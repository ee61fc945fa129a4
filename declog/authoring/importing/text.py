"""Text from a hostile source made safe for the log: encodings, control characters, dates.

The log refuses control characters (DL014) and every YAML reader must read a
value back as written, so text is cleaned as it is read: line breaks of every
kind become ``\\n``, and control characters (and the few code points YAML
cannot hold) are removed and counted, so the report can say where.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from declog.authoring.importing.records import SourceError, Where
from declog.log import vocab

#: Anything str.splitlines() breaks on (CR, VT, FF, FS-RS, NEL, LS, PS): one line break each.
_LINE_BREAKS = re.compile("\r\n|[\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
#: What is removed: C0 but tab and line feed, DEL, C1, surrogates, BOMs and the non-characters
#: YAML cannot hold. Never text anyone means to write.
_UNWANTED = re.compile("[\x00-\x08\x0e-\x1b\x1f\x7f-\x9f\ud800-\udfff\ufeff\ufffe\uffff]")


def clean(text: str) -> tuple[str, int]:
    """``text`` with LF line breaks and no control characters; how many characters were removed."""
    text = _LINE_BREAKS.sub("\n", text)
    text, removed = _UNWANTED.subn("", text)
    return text, removed


def one_line(text: str) -> str:
    """Text for a one-line field: every run of white space (line breaks too) one space."""
    return " ".join(text.split())


def slug(text: str) -> str:
    """A lower-case ASCII slug ('Übergabe' -> 'uebergabe'), empty when nothing is left."""
    text = text.replace("ß", "ss").replace("ä", "ae").replace("ö", "oe").replace("ü", "ue")
    text = text.replace("Ä", "Ae").replace("Ö", "Oe").replace("Ü", "Ue")
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:60].rstrip("-")


def file_slug(title: str) -> str:
    return slug(title) or vocab.slugify(title)


# --- reading files -----------------------------------------------------------------------------


def read_bytes(path: Path, shown: str, limit: int) -> bytes:
    """The file's bytes, refused beyond ``limit`` before they are read."""
    try:
        if not path.is_file():
            raise SourceError(f"{shown}: not a regular file")
        size = path.stat().st_size
        if size > limit:
            raise SourceError(f"{shown}: {size:,} bytes is more than the {limit:,} an import reads")
        with open(path, "rb") as fh:
            data = fh.read(limit + 1)
    except OSError as exc:
        raise SourceError(f"{shown}: cannot read it ({exc.strerror or exc})") from None
    if len(data) > limit:
        raise SourceError(f"{shown}: more than the {limit:,} bytes an import reads")
    return data


def decode(data: bytes, shown: str) -> tuple[str, str]:
    """Text and the encoding it was read in: UTF-8 (with or without BOM), UTF-16 with BOM, else cp1252.

    cp1252 is what Excel writes as "CSV" on Windows in Western Europe; bytes it
    does not define are read as Latin-1 (and then removed as control characters).
    """
    if data.startswith(b"PK\x03\x04"):
        raise SourceError(
            f"{shown}: this is a zip file (an Excel or LibreOffice workbook?), not text: "
            "save the sheet as CSV first"
        )
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "UTF-16"
        except UnicodeDecodeError as exc:
            raise SourceError(f"{shown}: not valid UTF-16 (at byte {exc.start})") from None
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8"), "UTF-8 with BOM"
        except UnicodeDecodeError as exc:
            at = exc.start + 3
            line = data[:at].count(b"\n") + 1
            raise SourceError(
                f"{shown}:{line}: starts with a UTF-8 byte-order mark but is not UTF-8 "
                f"(byte 0x{data[at]:02x}); save it again as UTF-8"
            ) from None
    head = data[:4096]
    if head.count(b"\x00") > len(head) // 10:  # a stray NUL is removed with the other control characters
        raise SourceError(f"{shown}: holds NUL bytes: not a text file (or UTF-16 without a byte-order mark)")
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "Windows-1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "Latin-1"


# --- dates -------------------------------------------------------------------------------------

_TIME = r"(?:[T ]+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?"
_ISO = re.compile(r"^(\d{4})[-/](\d{1,2})[-/](\d{1,2})" + _TIME + r"\s*(Z|[+-]\d{2}:?\d{2})?$")
_DOTTED = re.compile(r"^(\d{1,2})\.\s*(\d{1,2})\.\s*(\d{4})" + _TIME + "$")
_SLASHED = re.compile(r"^(\d{1,2})[/-](\d{1,2})[/-](\d{4})" + _TIME + "$")
_NAMED = ("%d %B %Y", "%d %b %Y", "%B %d, %Y", "%b %d, %Y", "%d. %B %Y", "%B %d %Y", "%b %d %Y")

DMY, MDY = "%d/%m/%Y", "%m/%d/%Y"


@dataclass(frozen=True)
class DateFormat:
    """How the source writes dates: a ``--date-format`` pattern, or the slash order found in it."""

    pattern: str = ""
    slashes: str = ""
    """DMY or MDY for DD/MM/YYYY or MM/DD/YYYY, when the source writes dates that way."""

    @property
    def described(self) -> str:
        if self.pattern:
            return f"dates read as {self.pattern} (--date-format)"
        if self.slashes:
            return "dates read as " + ("DD/MM/YYYY" if self.slashes == DMY else "MM/DD/YYYY")
        return ""


def check_pattern(pattern: str) -> str:
    """A usable ``--date-format``, or ValueError saying why not."""
    sample = dt.datetime(1999, 12, 31, 23, 58)
    try:
        back = dt.datetime.strptime(sample.strftime(pattern), pattern)
    except ValueError as exc:
        raise ValueError(f"'{pattern}' is not a strftime pattern ({exc})") from None
    if back.date() != sample.date():
        raise ValueError(
            f"'{pattern}' does not give day, month and year: write it with %d, %m (or %b, %B) and %Y, "
            "e.g. %d.%m.%Y"
        )
    return pattern


def date_format(dates: list[tuple[str, Where]], pattern: str = "") -> DateFormat:
    """How to read the source's dates; SourceError when DD/MM and MM/DD cannot be told apart."""
    if pattern:
        return DateFormat(pattern=pattern)
    day_first: list[tuple[str, Where]] = []
    month_first: list[tuple[str, Where]] = []
    unclear: list[tuple[str, Where]] = []
    for raw, where in dates:
        m = _SLASHED.match(raw.strip())
        if not m:
            continue
        a, b = int(m.group(1)), int(m.group(2))
        if a > 12 >= b:
            day_first.append((raw, where))
        elif b > 12 >= a:
            month_first.append((raw, where))
        elif a != b:
            unclear.append((raw, where))
    if day_first and month_first:
        (d, dw), (m_, mw) = day_first[0], month_first[0]
        raise SourceError(
            f"{dw}: dates are written both ways: '{d}' is DD/MM/YYYY but {mw} has '{m_}' (MM/DD/YYYY); "
            "pass --date-format with the pattern of most of them, e.g. --date-format '%d/%m/%Y'"
        )
    if day_first or month_first:
        return DateFormat(slashes=DMY if day_first else MDY)
    if unclear:
        places = ", ".join(w.short if w.row else str(w) for _, w in unclear[:10])
        more = f" and {len(unclear) - 10} more" if len(unclear) > 10 else ""
        raw, where = unclear[0]
        raise SourceError(
            f"{where}: ambiguous dates: '{raw}' could be DD/MM/YYYY or MM/DD/YYYY, and no date in the "
            f"source tells which (ambiguous: {places}{more}); pass --date-format '%d/%m/%Y' or "
            "--date-format '%m/%d/%Y'"
        )
    return DateFormat()


def parse_date(raw: str, how: DateFormat, tz: dt.tzinfo) -> dt.datetime | None:
    """A date-time with an offset (midnight in ``tz`` for a bare date), or None when ``raw`` is no date."""
    text = raw.strip()
    if not text:
        return None
    try:
        return _parse(text, how, tz)
    except (ValueError, OverflowError):
        return None


def _parse(text: str, how: DateFormat, tz: dt.tzinfo) -> dt.datetime | None:
    if how.pattern:
        try:
            return _local(dt.datetime.strptime(text, how.pattern), tz)
        except ValueError:
            pass
    m = _ISO.match(text)
    if m:
        value = _local(_build(m.group(1), m.group(2), m.group(3), m, 4), tz)
        if m.group(7):
            offset = m.group(7).replace("Z", "+00:00")
            offset = offset if ":" in offset else f"{offset[:3]}:{offset[3:]}"
            value = value.replace(tzinfo=dt.datetime.fromisoformat(f"2000-01-01T00:00{offset}").tzinfo)
        return value
    m = _DOTTED.match(text)
    if m:
        return _local(_build(m.group(3), m.group(2), m.group(1), m, 4), tz)
    m = _SLASHED.match(text)
    if m and how.slashes:
        day, month = (m.group(1), m.group(2)) if how.slashes == DMY else (m.group(2), m.group(1))
        return _local(_build(m.group(3), month, day, m, 4), tz)
    if m and m.group(1) == m.group(2):  # 05/05/2021 reads the same both ways
        return _local(_build(m.group(3), m.group(2), m.group(1), m, 4), tz)
    for fmt in _NAMED:
        try:
            return _local(dt.datetime.strptime(text, fmt), tz)
        except ValueError:
            continue
    return None


def _build(year: str, month: str, day: str, m: re.Match[str], first_time: int) -> dt.datetime:
    hour, minute, second = (m.group(first_time + i) for i in range(3))
    return dt.datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0))


def _local(value: dt.datetime, tz: dt.tzinfo) -> dt.datetime:
    if not 1900 <= value.year <= 2999:
        raise ValueError("not a year a decision was made in")
    return value if value.tzinfo is not None else value.replace(tzinfo=tz)


def iso(value: dt.datetime) -> str:
    return value.isoformat()
