"""The document database as frozen records: decisions, partners, meetings, the log.

Records are built by ``declog.log.load`` and never do I/O. Each keeps the parsed
frontmatter (``doc``) so that any finding about a field can name its line.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from declog.log import vocab
from declog.log.config import Config
from declog.log.diagnostics import Pos
from declog.log.names import short_name_of
from declog.log.yamlparse import Parsed


@dataclass(frozen=True, eq=False)
class Document:
    path: str
    """Path relative to the log root, POSIX separators."""
    doc: Parsed
    """Frontmatter values with their positions."""
    body: str
    """The Markdown body after the frontmatter."""
    body_line: int
    """1-based line the body starts on."""

    def pos(self, *field_path: str | int) -> Pos:
        return self.doc.pos(*field_path)

    @property
    def data(self) -> Mapping[str, Any]:
        return self.doc.data if isinstance(self.doc.data, dict) else {}


@dataclass(frozen=True)
class Member:
    handle: str
    name: str = ""
    role: str = ""


@dataclass(frozen=True, eq=False)
class Partner(Document):
    id: str = ""
    name: str = ""
    short: str = ""
    """A short name for dense places, as written; ``short_name`` is the one to show."""
    timezone: str = "UTC"
    members: tuple[Member, ...] = ()
    url: str = ""

    @functools.cached_property
    def short_name(self) -> str:
        """The name shown where space is tight: ``short``, else the name when it is short enough,
        else its first words up to 24 characters, else the id (declog.log.names.short_name_of)."""
        return self.short or short_name_of(self.name) or self.id

    @property
    def handles(self) -> frozenset[str]:
        return frozenset(m.handle for m in self.members)


@dataclass(frozen=True, eq=False)
class Meeting(Document):
    id: str = ""
    title: str = ""
    date: dt.datetime | None = None
    attendees: tuple[str, ...] = ()
    chair: str = ""
    decisions: tuple[str, ...] = ()


@dataclass(frozen=True)
class Approval:
    partner: str
    by: str
    via: str
    at: dt.datetime | None = None
    ref: str = ""
    commit: str = ""
    index: int = 0
    """Position in the decision's approvals list (0-based), for finding its line."""


@dataclass(frozen=True)
class Source:
    kind: str
    ref: str = ""


@dataclass(frozen=True, eq=False)
class Decision(Document):
    id: str = ""
    slug: str = ""
    title: str = ""
    status: str = vocab.DRAFT
    mode: str = vocab.ASYNC
    category: str = vocab.OPERATIONAL
    partners: tuple[str, ...] = ()
    """Partners party to the decision (every partner when the field is omitted)."""
    owner: str = ""
    proposed: dt.datetime | None = None
    deadline: dt.datetime | None = None
    decided: dt.datetime | None = None
    logged: dt.datetime | None = None
    """When the entry was logged: the field, else the commit that added the file."""
    meeting: str = ""
    approvals: tuple[Approval, ...] = ()
    supersedes: tuple[str, ...] = ()
    superseded_by: str = ""
    tags: tuple[str, ...] = ()
    review_by: dt.date | None = None
    """When the partners look at the decision again, as written (declog.log.review computes the default)."""
    reviews: tuple[str, ...] = ()
    """Ids of the earlier decisions this one reviews (confirms, once accepted)."""
    rationale: str = ""
    reason: str = ""
    source: Source | None = None
    fields: Mapping[str, Any] = field(default_factory=dict)
    """The typed values of the log's own fields (declog.toml ``[fields]``), by name, defaults filled
    in; a field without a usable value is absent. Types: ``str`` (string, text, url, enum, partner,
    member), ``int``, ``int | float`` (number), ``bool``, ``datetime.date``, ``datetime.datetime``,
    ``declog.log.customfields.Money``, and a ``tuple`` of these for a list."""

    @property
    def imported(self) -> bool:
        """Imported history (``imported_from``, written by ``declog import``), not a proposal made here."""
        return "imported_from" in self.data

    @property
    def number(self) -> int:
        # ASCII digits only ("²" is a digit to str.isdigit), and no more than an id ever needs
        return int(self.id) if self.id.isascii() and self.id.isdigit() and len(self.id) <= 18 else 0

    def approval_pos(self, approval: Approval, key: str = "") -> Pos:
        return self.pos("approvals", approval.index, *([key] if key else []))


@dataclass(frozen=True, eq=False)
class Log:
    """The whole database: every document, indexed, plus the configuration."""

    root: str
    config: Config
    decisions: tuple[Decision, ...] = ()
    partners: Mapping[str, Partner] = field(default_factory=dict)
    meetings: Mapping[str, Meeting] = field(default_factory=dict)
    duplicates: tuple[Document, ...] = ()
    """Partner and meeting documents whose id an earlier file already took."""
    unparsed: frozenset[str] = frozenset()
    """Paths of the documents that could not be read or parsed (their findings say why)."""

    @functools.cached_property
    def by_id(self) -> Mapping[str, Decision]:
        """Decision id -> decision (the first one, when an id is duplicated)."""
        out: dict[str, Decision] = {}
        for d in self.decisions:
            if d.id:  # a missing or mistyped id (already reported) names nothing
                out.setdefault(d.id, d)
        return out

    @functools.cached_property
    def by_path(self) -> Mapping[str, Document]:
        """Path -> every document: decisions, partners, meetings and the duplicates."""
        out: dict[str, Document] = {d.path: d for d in self.decisions}
        for docs in (self.partners.values(), self.meetings.values(), self.duplicates):
            out.update((doc.path, doc) for doc in docs)
        return out

    @functools.cached_property
    def member_of(self) -> Mapping[str, frozenset[str]]:
        """Handle -> ids of the partners that list the handle as a member."""
        acc: dict[str, set[str]] = {}
        for p in self.partners.values():
            for m in p.members:
                acc.setdefault(m.handle, set()).add(p.id)
        return {h: frozenset(ps) for h, ps in acc.items()}

    def partner_name(self, pid: str) -> str:
        p = self.partners.get(pid)
        return p.name if p else pid
