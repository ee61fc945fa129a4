"""What every rule sees: the log, its configuration and optionally the base log."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TypeVar

from declog.log.codes import finding
from declog.log.config import Config
from declog.log.diagnostics import Diagnostic
from declog.log.model import Decision, Document, Log, Meeting, Partner

_D = TypeVar("_D", bound=Document)


@dataclass(frozen=True)
class OwnersFile:
    """The CODEOWNERS file GitHub uses, as found in the log's root (``declog.check.checker`` reads it)."""

    path: str
    """``.github/CODEOWNERS``, ``CODEOWNERS`` or ``docs/CODEOWNERS``."""
    text: str


@dataclass(frozen=True)
class Context:
    log: Log
    base: Log | None = None
    """The log at the base revision, when checking a change (``--base``).

    When the base branch moved on since the change forked from it, this is
    the log at the fork point: what the change itself started from.
    """
    base_tip: Log | None = None
    """The log at the tip of the base branch when it moved on since the fork point."""
    visible: Mapping[str, dt.datetime] = field(default_factory=dict)
    """With a base: path -> when the change first made that decision file visible (its branch's
    oldest commit touching it, or now when the change is not committed yet)."""
    subjects: frozenset[str] | None = None
    """Paths of the documents whose findings are wanted; None: every document and declog.toml.

    Rules iterate over ``decisions``, ``partners`` and ``meetings`` (the
    subjects) but look things up in the whole ``log``, so a restricted run
    gives exactly the findings a full run gives about those documents.
    """
    owners: OwnersFile | None = None
    """CODEOWNERS in the log's root, when there is one (rules/owners.py)."""

    @property
    def config(self) -> Config:
        return self.log.config

    @property
    def whole(self) -> bool:
        """Every document is a subject, and so is declog.toml (log-level findings)."""
        return self.subjects is None

    @functools.cached_property
    def decisions(self) -> tuple[Decision, ...]:
        """The decisions that are subjects, in log order."""
        if self.subjects is None:
            return self.log.decisions
        subjects = self.subjects
        return tuple(d for d in self.log.decisions if d.path in subjects)

    @functools.cached_property
    def partners(self) -> tuple[Partner, ...]:
        """The partners that are subjects, in the order of ``log.partners``."""
        return self._subjects(self.log.partners.values())

    @functools.cached_property
    def meetings(self) -> tuple[Meeting, ...]:
        """The meetings that are subjects, in the order of ``log.meetings``."""
        return self._subjects(self.log.meetings.values())

    def is_subject(self, doc: Document) -> bool:
        """Whether findings about ``doc`` are wanted."""
        return self.subjects is None or doc.path in self.subjects

    def _subjects(self, docs: Iterable[_D]) -> tuple[_D, ...]:
        if self.subjects is None:
            return tuple(docs)
        subjects = self.subjects
        return tuple(doc for doc in docs if doc.path in subjects)

    def at(self, code: str, doc: Document, *field: str | int, message: str, hint: str = "") -> Diagnostic:
        """A finding about ``field`` of ``doc`` (the document's first line when no field)."""
        return finding(code, doc.path, doc.pos(*field), message, hint)
