"""What every rule sees: the log, its configuration and optionally the base log."""

from __future__ import annotations

from dataclasses import dataclass

from declog.codes import finding
from declog.config import Config
from declog.diagnostics import Diagnostic
from declog.model import Document, Log


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

    @property
    def config(self) -> Config:
        return self.log.config

    def at(self, code: str, doc: Document, *field: str | int, message: str, hint: str = "") -> Diagnostic:
        """A finding about ``field`` of ``doc`` (the document's first line when no field)."""
        return finding(code, doc.path, doc.pos(*field), message, hint)
