"""What every reader hands the importer: records as the source wrote them, and what it skipped.

Readers (``csvsource``, ``adr``) only read: they keep the source's own words
(a status "Approved", a date "23.04.2021", a partner "Kessler") and where each
record stands. Mapping those words onto the log happens in ``plan``, the same
way for every format.
"""

from __future__ import annotations

from dataclasses import dataclass, field


class SourceError(Exception):
    """The import cannot go on (exit 2): the message names the file and line, and what to do."""


@dataclass(frozen=True)
class Where:
    """Where a record stands in the source."""

    file: str
    """The source file's name, as ``imported_from.file`` records it."""
    line: int = 1
    """1-based line the record starts on."""
    row: int = 0
    """csv: the spreadsheet row (the header is row 1); 0 for other formats."""

    def __str__(self) -> str:
        row = f" (row {self.row})" if self.row and self.row != self.line else ""
        return f"{self.file}:{self.line}{row}"

    @property
    def short(self) -> str:
        """How a list of places names this one: ``row 4`` or the file's name."""
        return f"row {self.row}" if self.row else self.file


@dataclass(frozen=True)
class Record:
    """One decision as the source wrote it (text already free of control characters)."""

    where: Where
    title: str
    status: str = ""
    """The status as written ("Approved", "Superseded by [3. X](0003-x.md)"); empty when none."""
    date: str = ""
    """When it was decided (or, for an open record, proposed), as written."""
    proposed: str = ""
    """When it was proposed, when the source says so separately."""
    owners: tuple[str, ...] = ()
    """People accountable or deciding, as written (names or handles)."""
    partners: tuple[str, ...] = ()
    """Partners party to it, as written (ids, names, short names)."""
    tags: tuple[str, ...] = ()
    category: str = ""
    rationale: str = ""
    body: str = ""
    """The original text, as the decision's Markdown body."""
    keys: tuple[str, ...] = ()
    """What other records of the source may call this one: its number, file name, id column, title."""
    superseded_by: tuple[str, ...] = ()
    """References to the record that replaced it, as written."""
    supersedes: tuple[str, ...] = ()
    """References to the records it replaced, as written."""
    custom: tuple[tuple[str, str], ...] = ()
    """Cells for the log's own fields (``--map`` ``[columns]``): the field's name, the cell as written."""


@dataclass(frozen=True)
class Skipped:
    where: Where
    reason: str


@dataclass
class Source:
    """Everything a reader found in the source."""

    format: str
    name: str
    """The source as the report names it (a file or folder name)."""
    records: list[Record] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    """What the reader decided about the whole source (encoding, delimiter, columns)."""
    remarks: list[tuple[Where, str]] = field(default_factory=list)
    """What the reader changed or could not read in one record (control characters removed)."""
    unmapped: dict[str, list[Where]] = field(default_factory=dict)
    """Source fields nothing maps to (kept in the body) -> where they hold a value."""
