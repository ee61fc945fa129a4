"""The source's words onto the log's: statuses, partners, people, and the ``--map`` file.

Every mapping the importer makes is one it can report: a status word and the
status it became, a partner name and the id it matched, or that nothing matched.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from declog.authoring.importing.records import SourceError
from declog.authoring.importing.text import clean, decode, one_line, read_bytes
from declog.log import vocab
from declog.log.config import toml_too_deep
from declog.log.model import Log
from declog.log.yamlparse import MAX_DEPTH

#: Fields a spreadsheet column can fill, and the header spellings each is known by.
COLUMNS: Mapping[str, tuple[str, ...]] = {
    "title": (
        *("title", "decision", "subject", "topic", "summary", "what"),
        *("entscheidung", "beschluss", "titel"),
    ),
    "date": (
        *("date", "decided", "decided on", "decision date", "date decided", "decided at", "when"),
        *("datum", "entschieden", "entschieden am", "beschlossen am", "beschlussdatum"),
    ),
    "proposed": (
        "proposed",
        "proposed on",
        "date proposed",
        "raised",
        "raised on",
        "opened",
        "vorgeschlagen",
    ),
    "status": ("status", "state", "outcome", "stand", "zustand"),
    "owner": (
        *("owner", "owners", "decided by", "decider", "deciders", "decision makers", "decision maker"),
        *("responsible", "who", "lead", "author", "verantwortlich", "entscheider", "zuständig"),
    ),
    "partners": (
        *("partners", "partner", "parties", "organisations", "organizations", "companies"),
        *("beteiligte", "parteien"),
    ),
    "rationale": ("rationale", "why", "reason", "reasoning", "justification", "begründung", "grund"),
    "notes": (
        *("notes", "note", "details", "description", "comments", "comment", "context", "remarks"),
        *("bemerkungen", "anmerkungen", "beschreibung", "notizen", "kommentar"),
    ),
    "tags": ("tags", "tag", "labels", "label", "keywords", "schlagworte", "stichworte"),
    "category": ("category", "type", "kind", "kategorie", "art"),
    "id": ("id", "no", "nr", "#", "number", "ref", "key", "nummer"),
    "superseded_by": ("superseded by", "replaced by", "ersetzt durch"),
}

#: Status words as spreadsheets and ADR tools write them (case-insensitive) -> status.
STATUS_WORDS: Mapping[str, str] = {
    **dict.fromkeys(
        (
            *("accepted", "approved", "agreed", "done", "decided", "adopted", "yes", "final", "implemented"),
            *("angenommen", "beschlossen", "entschieden", "genehmigt", "erledigt", "zugestimmt"),
        ),
        vocab.ACCEPTED,
    ),
    **dict.fromkeys(
        (
            *("proposed", "open", "in discussion", "under discussion", "discussing", "pending", "in review"),
            *("under review", "in progress", "offen", "in diskussion", "vorgeschlagen", "in prüfung"),
        ),
        vocab.PROPOSED,
    ),
    **dict.fromkeys(("draft", "idea", "entwurf", "idee"), vocab.DRAFT),
    **dict.fromkeys(("rejected", "declined", "no", "denied", "abgelehnt"), vocab.REJECTED),
    **dict.fromkeys(
        ("withdrawn", "cancelled", "canceled", "dropped", "abandoned", "zurückgezogen", "verworfen"),
        vocab.WITHDRAWN,
    ),
    **dict.fromkeys(("superseded", "replaced", "obsolete", "ersetzt"), vocab.SUPERSEDED),
}
#: Words kept as a tag on an accepted decision: the log has no such status.
TAGGED_WORDS: Mapping[str, str] = {"deprecated": "deprecated", "veraltet": "deprecated"}

_SUPERSEDED_BY = re.compile(
    r"^(?:superseded|superceded|replaced|ersetzt)(?:\s+(?:by|durch))?\s*:?\s*(?P<ref>.+)$", re.I | re.S
)
#: A status written with decoration: "✅ Done", "Approved.", "[Accepted]".
_EDGES = re.compile(r"^[^\w]+|[^\w]+$")


def normal(word: str) -> str:
    return " ".join(_EDGES.sub("", word).casefold().split())


#: Letters that carry their mark without a combining character, as the plain letters people type instead.
_UNMARKED = str.maketrans({"ø": "o", "æ": "ae", "œ": "oe", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ı": "i"})


def name_key(name: str) -> str:
    """A name as the source's names, the partners' names and the members' handles are compared.

    Case, accents and spacing do not count: "João Silva", "joao silva" and the
    handle ``joao-silva`` (dashes read as spaces by the callers) are one key.
    """
    decomposed = unicodedata.normalize("NFKD", normal(name))
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", plain).translate(_UNMARKED)


#: A partners cell meaning every partner of the log: in English, German, Portuguese, Spanish, French.
ALL_PARTNERS = frozenset(
    name_key(w)
    for w in (
        *("all", "all partners", "everyone", "everybody", "every partner", "each partner"),
        *("alle", "alle partner", "alle partnerinnen", "alle beteiligten", "jeder", "gesamt"),
        *("todos", "todas", "todos os parceiros", "todos los socios", "todos los partners"),
        *("tous", "toutes", "tout le monde", "tous les partenaires"),
    )
)


def header_key(header: str) -> str:
    """A column header as the synonyms are written: 'Decided by:' -> 'decided by'."""
    text = header.casefold().replace("_", " ").replace("-", " ")
    text = re.sub(r"\(s\)|[:*]", "", text)
    return " ".join(text.split())


@dataclass(frozen=True)
class Status:
    status: str
    tag: str = ""
    successor: str = ""
    """For "Superseded by X": X, as written."""


@dataclass(frozen=True)
class MapFile:
    """``--map FILE``: what the defaults get wrong for this source."""

    columns: Mapping[str, str] = field(default_factory=dict)
    """Field -> the column header that holds it."""
    status: Mapping[str, str] = field(default_factory=dict)
    """Status word (normalised) -> status."""
    partners: Mapping[str, str] = field(default_factory=dict)
    """Name (``name_key``) -> partner id."""
    people: Mapping[str, str] = field(default_factory=dict)
    """Name (``name_key``) -> handle."""
    path: str = ""
    lines: Mapping[tuple[str, str], int] = field(default_factory=dict)
    """(table, key) -> line in the file, for messages."""

    def line(self, table: str, key: str = "") -> str:
        return f"{self.path}:{self.lines.get((table, key), self.lines.get((table, ''), 1))}"


_TABLES = ("columns", "status", "partners", "people")


def read_map(path: Path, shown: str, log: Log) -> MapFile:
    """Read and check a ``--map`` file; SourceError naming the file and line of the first problem."""
    text, _ = decode(read_bytes(path, shown, 1_000_000), shown)
    text, _ = clean(text)
    deep = toml_too_deep(text)
    if deep is not None:  # tomllib would recurse into every level
        why = f"values nested more than {MAX_DEPTH} deep; a map has two levels"
        raise SourceError(f"{shown}:{deep.line}: {why}")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"\(at line (\d+), column \d+\)", str(exc))
        where = f"{shown}:{m.group(1)}" if m else shown
        why = re.sub(r" ?\(at line.*", "", str(exc))
        raise SourceError(f"{where}: not valid TOML: {why}") from None
    lines = _lines(text)
    out = MapFile(path=shown, lines=lines)
    for table, value in data.items():
        if table not in _TABLES or not isinstance(value, dict):
            raise SourceError(
                f"{out.line(table)}: unknown table [{table}]; a map has the tables {', '.join(_TABLES)}"
            )
        for key, target in value.items():
            if not isinstance(target, str) or not target.strip():
                raise SourceError(f"{out.line(table, key)}: [{table}] {key} must be a word in quotes")
    columns = data.get("columns", {})
    for key in columns:
        if key not in COLUMNS and key not in log.config.fields:
            raise SourceError(
                f"{out.line('columns', key)}: [columns] {key}: not a field an import fills "
                f"(one of: {', '.join([*COLUMNS, *log.config.fields])})"
            )
    status = {normal(k): v.strip().casefold() for k, v in data.get("status", {}).items()}
    for key, target in data.get("status", {}).items():
        if target.strip().casefold() not in vocab.STATUSES:
            raise SourceError(
                f'{out.line("status", key)}: [status] "{key}" = "{target}": not a status '
                f"(one of: {', '.join(vocab.STATUSES)})"
            )
    for key, target in data.get("partners", {}).items():
        if target not in log.partners:
            known = ", ".join(sorted(log.partners)) or "none yet"
            raise SourceError(
                f'{out.line("partners", key)}: [partners] "{key}" = "{target}": no partner \'{target}\' in '
                f"the log (partners: {known})"
            )
    for key, target in data.get("people", {}).items():
        if target not in log.member_of:
            raise SourceError(
                f'{out.line("people", key)}: [people] "{key}" = "{target}": \'{target}\' is no member of '
                "any partner (content/partners/)"
            )
    return MapFile(
        columns={k: v.strip() for k, v in columns.items()},
        status=status,
        partners={name_key(k): v for k, v in data.get("partners", {}).items()},
        people={name_key(k): v for k, v in data.get("people", {}).items()},
        path=shown,
        lines=lines,
    )


def _lines(text: str) -> dict[tuple[str, str], int]:
    """(table, key) -> line, best effort (TOML keeps no positions)."""
    out: dict[tuple[str, str], int] = {}
    table = ""
    for number, line in enumerate(text.splitlines(), start=1):
        m = re.match(r"^\s*\[\s*([^\]]+?)\s*\]", line)
        if m:
            table = m.group(1).strip().strip('"')
            out.setdefault((table, ""), number)
            continue
        m = re.match(r"^\s*(\"[^\"]*\"|'[^']*'|[A-Za-z0-9_-]+)\s*=", line)
        if m:
            out.setdefault((table, m.group(1).strip("\"'")), number)
    return out


def status_of(word: str, overrides: Mapping[str, str]) -> Status | None:
    """The status a source's status text maps to; None when nothing maps it."""
    key = normal(word)
    if key in overrides:
        return Status(overrides[key])
    if key in STATUS_WORDS:
        return Status(STATUS_WORDS[key])
    if key in TAGGED_WORDS:
        return Status(vocab.ACCEPTED, tag=TAGGED_WORDS[key])
    m = _SUPERSEDED_BY.match(word.strip())
    if m:
        return Status(vocab.SUPERSEDED, successor=m.group("ref").strip())
    return None


# --- partners and people -----------------------------------------------------------------------

_LEGAL = re.compile(r"\b(gmbh|ag|inc|ltd|llc|plc|s\.?a\.?|corp|co|kg|bv|oy|ab|sas|srl)\.?$", re.I)


def _names(log: Log) -> dict[str, set[str]]:
    """Name (``name_key``) -> partner ids it can mean: id, name, name without legal form, first word."""
    out: dict[str, set[str]] = {}
    for pid, p in log.partners.items():
        name = name_key(p.name)
        bare = name_key(_LEGAL.sub("", p.name))
        for key in {pid, pid.replace("-", " "), name, bare, name.split(" ")[0] if name else ""}:
            if key:
                out.setdefault(key, set()).add(pid)
    return out


@dataclass
class Matcher:
    """Partner and people names as written in the source, matched to the log's ids and handles."""

    log: Log
    map: MapFile

    def __post_init__(self) -> None:
        self._partners = _names(self.log)
        self._people: dict[str, set[str]] = {}
        for p in self.log.partners.values():
            for m in p.members:
                for key in (m.handle, m.handle.replace("-", " "), m.name):
                    if key:
                        self._people.setdefault(name_key(key), set()).add(m.handle)

    def partner(self, name: str) -> str | None:
        key = name_key(name)
        if key in self.map.partners:
            return self.map.partners[key]
        ids = self._partners.get(key, set())
        return next(iter(ids)) if len(ids) == 1 else None

    def mapped_partner(self, name: str) -> bool:
        """Whether the ``--map`` file says which partner ``name`` is."""
        return name_key(name) in self.map.partners

    def every_partner(self, name: str) -> bool:
        """Whether ``name`` is a word for every partner ("all", "alle", "todos", ...)."""
        return name_key(name) in ALL_PARTNERS

    def person(self, name: str) -> str | None:
        key = name_key(name.lstrip("@"))
        if key in self.map.people:
            return self.map.people[key]
        handles = self._people.get(key, set())
        return next(iter(handles)) if len(handles) == 1 else None


def split_names(cell: str) -> tuple[str, ...]:
    """'Kessler, Maplegrid and Kanto' -> the three names."""
    parts = re.split(r"\s*[,;|\n]\s*|\s+(?:/|&|\+|and|und)\s+", cell)
    return tuple(p for p in (one_line(x) for x in parts) if p)
