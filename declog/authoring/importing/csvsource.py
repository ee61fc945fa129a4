"""csv: a spreadsheet exported as CSV, the way Excel, LibreOffice and Google Sheets write it.

Any of ``,`` ``;`` tab ``|`` as the delimiter (the one that splits the rows most
evenly), UTF-8 with or without a byte-order mark, UTF-16 with one, or
Windows-1252; quoted cells may hold line breaks. Columns are found by their
header (``COLUMNS`` lists the spellings) or named in ``--map``; every cell of a
row is kept in the decision's body, so nothing the sheet said is lost.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
from collections.abc import Iterator
from pathlib import Path

from declog.authoring.importing.mapping import COLUMNS, MapFile, header_key
from declog.authoring.importing.records import Record, Skipped, Source, SourceError, Where
from declog.authoring.importing.text import clean, decode, one_line, read_bytes
from declog.log.progress import READ, Progress, silent

#: A spreadsheet larger than this is refused before it is read.
MAX_BYTES = 50_000_000
DELIMITERS = (",", ";", "\t", "|")
_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "bar"}


def read(path: Path, shown: str, mapping: MapFile, progress: Progress = silent) -> Source:
    """Every row of the sheet below its header as a record."""
    text, encoding = decode(read_bytes(path, shown, MAX_BYTES), shown)
    if not text.strip():
        raise SourceError(f"{shown}: the file is empty")
    sep = re.match(r"sep=(.)\r?\n", text)  # Excel's hint line: "sep=;"
    delimiter = sep.group(1) if sep else sniff(text)
    rows = list(_rows(text, delimiter, shown))
    if sep:
        rows[0] = (1, [])  # the hint is not the header
    header_at = next((i for i, (_, cells) in enumerate(rows) if any(c.strip() for c in cells)), None)
    if header_at is None:
        raise SourceError(f"{shown}: the file holds no cells")
    header_line, header_cells = rows[header_at]
    headers = [one_line(clean(h)[0]) or f"column {i + 1}" for i, h in enumerate(header_cells)]
    fields = _columns(headers, mapping, shown, header_line)
    source = Source("csv", shown)
    data_rows = len(rows) - header_at - 1
    separated = _NAMES.get(delimiter, repr(delimiter))
    rows_text = f"{data_rows} row{'s' * (data_rows != 1)}"
    source.notes.append(f"{shown}: {encoding}, {separated}-separated, {rows_text} below the header")
    mapped = [f"{headers[i]} -> {name}" for i, name in sorted(fields.items())]
    source.notes.append("columns: " + ", ".join(mapped))
    empty = 0
    for index, (line, cells) in enumerate(rows[header_at + 1 :], start=header_at + 2):
        progress(READ, index - header_at - 1, data_rows)
        if not any(c.strip() for c in cells):
            empty += 1
            continue
        _row(source, Where(shown, line, index), headers, fields, cells)
    if empty:
        source.notes.append(f"{empty} empty row{'s' * (empty != 1)} ignored")
    return source


def sniff(text: str) -> str:
    """The delimiter that splits the first rows into the same number of cells, the most of them."""
    sample = text[:65536]
    best, best_score = ",", (0, 0)
    for d in DELIMITERS:
        try:
            reader = csv.reader(io.StringIO(sample, newline=""), delimiter=d)
            rows = [r for r in itertools.islice(reader, 50) if any(c.strip() for c in r)]
        except csv.Error:
            continue
        if not rows or len(rows[0]) < 2:
            continue
        width = len(rows[0])
        body = rows[1:-1] if len(sample) < len(text) else rows[1:]  # a cut sample cuts its last row
        score = (sum(1 for r in body if len(r) == width) + 1, width)
        if score > best_score:
            best, best_score = d, score
    return best


def _rows(text: str, delimiter: str, shown: str) -> Iterator[tuple[int, list[str]]]:
    """(line the row starts on, cells) for every row, blank ones included (they count as rows)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    start = 1
    try:
        for cells in reader:
            yield start, cells
            start = reader.line_num + 1
    except csv.Error as exc:
        raise SourceError(f"{shown}:{start}: cannot read this row ({exc})") from None


def _columns(headers: list[str], mapping: MapFile, shown: str, line: int) -> dict[int, str]:
    """Column index -> the field it fills: ``--map [columns]`` first, then the known spellings."""
    keys = [header_key(h) for h in headers]
    out: dict[int, str] = {}
    for name, header in mapping.columns.items():
        if header_key(header) not in keys:
            raise SourceError(
                f'{mapping.line("columns", name)}: [columns] {name} = "{header}": {shown} has no such '
                f"column (its columns: {', '.join(headers)})"
            )
        out[keys.index(header_key(header))] = name
    for i, key in enumerate(keys):
        if i in out:
            continue
        names = (key, key[:-1]) if key.endswith("s") else (key,)  # "Decisions" is the title column too
        name = next(
            (
                f
                for n in names
                for f, spellings in COLUMNS.items()
                if n in spellings and f not in out.values()
            ),
            "",
        )
        if name:
            out[i] = name
    if "title" not in out.values():
        raise SourceError(
            f"{shown}:{line}: no column holds the decision's title (a header such as "
            f"{', '.join(COLUMNS['title'][:4])}; the header is: {', '.join(headers)}); "
            'name it in a --map file: [columns] title = "Your header"'
        )
    return out


def _row(source: Source, where: Where, headers: list[str], fields: dict[int, str], cells: list[str]) -> None:
    values: dict[str, str] = {}
    shown: list[tuple[str, str]] = []
    removed = 0
    for i, raw in enumerate(cells):
        text, n = clean(raw)
        removed += n
        text = text.strip()
        if not text:
            continue
        header = headers[i] if i < len(headers) else f"column {i + 1}"
        if fields.get(i) != "notes":  # the notes open the body; the list holds every other cell
            shown.append((header, text))
        if i in fields:
            values[fields[i]] = text
        else:
            source.unmapped.setdefault(header, []).append(where)
    if removed:
        source.remarks.append((where, f"{removed} control character{'s' * (removed != 1)} removed"))
    title = one_line(values.get("title", ""))
    if not title:
        source.skipped.append(Skipped(where, "no title: the title column is empty"))
        return
    keys = [f"row {where.row}", title]
    if values.get("id"):
        keys.append(one_line(values["id"]))
    source.records.append(
        Record(
            where=where,
            title=title,
            status=one_line(values.get("status", "")),
            date=one_line(values.get("date", "")),
            proposed=one_line(values.get("proposed", "")),
            owners=_items(values.get("owner")),
            partners=_items(values.get("partners")),
            tags=_items(values.get("tags")),
            category=one_line(values.get("category", "")),
            rationale=values.get("rationale", ""),
            body=_body(values.get("notes", ""), where, shown),
            keys=tuple(keys),
            superseded_by=_items(values.get("superseded_by")),
            custom=tuple((name, text) for name, text in values.items() if name not in COLUMNS),
        )
    )


def _items(cell: str | None) -> tuple[str, ...]:
    return (cell,) if cell else ()


def _body(notes: str, where: Where, cells: list[tuple[str, str]]) -> str:
    """The notes, then every cell of the row under its header: the record as the sheet had it."""
    lines = [notes, ""] if notes else []
    lines += [f"## Imported from {_escape(where.file)}", ""]  # no row: a row moves when the sheet is sorted
    for header, value in cells:
        first, *rest = value.split("\n")
        lines.append(f"- **{_escape(header)}:** {first}")
        lines += [f"  {line}" if line else "" for line in rest]
    return "\n".join(lines) + "\n"


def _escape(text: str) -> str:
    """Text that Markdown shows as written (headers and file names are labels, not markup)."""
    return "".join(f"\\{c}" if c in "\\`*_[]<>#|" else c for c in text)
