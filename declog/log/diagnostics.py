"""Findings: what every stage reports instead of raising or printing.

A finding names a file, a 1-based line and column, a stable rule code, a
severity and a message; an optional hint says how to fix it. Stages collect
findings in a list; only the CLI prints them, and the exit code is computed
from the list, never from logging.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import NamedTuple


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"
    """Worth knowing, never a failure (not even with ``--strict``)."""


class Pos(NamedTuple):
    """A place in a file: 1-based line and column."""

    line: int = 1
    col: int = 1


@dataclass(frozen=True)
class Diagnostic:
    path: str
    """File the finding is about, relative to the log root, with POSIX separators."""
    line: int
    """1-based line in that file (frontmatter starts at line 2)."""
    col: int
    """1-based column."""
    code: str
    """Stable rule code such as ``DL103``; documented in docs/rules.md."""
    severity: Severity
    message: str
    """What is wrong, quoting the bad value."""
    hint: str = ""
    """How to fix it, or a 'did you mean' suggestion; may be empty."""

    @property
    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.path, self.line, self.col, self.code, self.message)


def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"
