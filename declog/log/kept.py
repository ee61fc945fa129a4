"""Parsed documents as JSON data, so that a later process need not parse the same bytes again.

One file's ``Front`` (its frontmatter as parsed and what parsing and checking
its fields found) becomes ``[data, offset, positions, findings]``:

- ``data``: the frontmatter's values as they are (YAML gives nothing JSON
  cannot hold: mappings with text keys, lists, text, numbers, booleans, null);
- ``offset``: the line its YAML starts on;
- ``positions``: the 1-based line and column of every value and key, two
  numbers each, in the order a walk of ``data`` meets them (each value, then,
  in a mapping, each key before its value); ``0, 0`` where the parser kept none
  (an alias it refused, a value nested too deep);
- ``findings``: ``[line, col, code, severity, message, hint]`` each; the path
  is the file's own, never read from the data.

``decode`` checks every value's type as it reads and raises ``Malformed`` for
anything ``encode`` does not write, so a corrupt or hand-made entry can only be
refused, never make a load fail later. It turns the positions into the
mappings ``Parsed`` keeps only when a finding first asks for one: most
documents have no finding, and that walk was most of the cost of reading.

Nothing here says which file an entry is for, or whether its bytes are still
the same: the caller keys entries by the digest of the file's bytes
(``Checker.snapshot``).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from declog.log.codes import CODES
from declog.log.customfields import Fields
from declog.log.diagnostics import Diagnostic, Severity
from declog.log.load import Front, front_of, read_file
from declog.log.yamlparse import MAX_DEPTH, MAX_NUMBER_CHARS, from_positions, positions_of

__all__ = ["Malformed", "check_text", "decode", "encode", "finding_of", "finding_row", "parse"]

_SCALARS = (str, int, float, bool, type(None))
#: The longest number a frontmatter value can be: MAX_NUMBER_CHARS hexadecimal digits.
_MAX_INT_BITS = 4 * MAX_NUMBER_CHARS


class Malformed(ValueError):
    """A value that is not what ``encode`` writes."""


def encode(front: Front) -> list[Any]:
    """``front`` as JSON values (the frontmatter's own values and its numbered positions are shared,
    not copied)."""
    parsed = front.parsed
    found = [[d.line, d.col, d.code, d.severity.value, d.message, d.hint] for d in front.found]
    return [parsed.data, parsed.offset, positions_of(parsed), found]


def parse(
    real_root: Path, files: Iterable[tuple[str, bool]], fields: Fields | None
) -> list[tuple[str, bytes, list[Any]]]:
    """Each file (path and whether it is a symlink: ``load.document_files``) read and parsed as a
    load would (``load.front_of``): its path, the digest of its bytes and its ``Front`` encoded.
    What a worker process parses ahead of a check and hands back (declog.site.pages.Prefetch);
    files that make no record are left out."""
    out = []
    for rel, symlink in files:
        got = front_of(read_file(real_root, rel, symlink), fields)
        if got is not None:
            out.append((rel, got[0], encode(got[1])))
    return out


def decode(value: object, path: str, *, check: bool = True) -> Front:
    """The ``Front`` that ``encode`` gave ``value``, its findings about ``path``; ``Malformed`` otherwise.

    Every value is checked here; the positions are looked up only when a
    finding asks for one (most documents have none), and cannot fail then.
    ``check=False`` only for what ``parse`` gave in a process this one forked
    (never for what was read from a file): it is then taken as it is.
    """
    if not check:
        own: list[Any] = value  # type: ignore[assignment]
        findings = (Diagnostic(path, row[0], row[1], row[2], Severity(row[3]), *row[4:]) for row in own[3])
        return Front(from_positions(own[0], own[2], own[1]), tuple(findings))
    if type(value) is not list or len(value) != 4:
        raise Malformed("an entry is not a list of four values")
    data, offset, positions, found = value
    if type(data) is not dict:
        raise Malformed("frontmatter is not a mapping")
    if type(offset) is not int or offset < 1:
        raise Malformed("the first line is not a line number")
    if type(found) is not list:
        raise Malformed("findings are not a list")
    if type(positions) is not list or len(positions) != 2 * _count(data, 0):
        raise Malformed("not one position for each value and key")
    if not all(type(n) is int and n >= 0 for n in positions):
        raise Malformed("a position is not a line and a column")
    return Front(from_positions(data, positions, offset), tuple(_finding(row, path) for row in found))


def _count(value: dict[Any, Any] | list[Any], depth: int) -> int:
    """How many values and keys ``value`` holds, itself included; ``Malformed`` for anything JSON is not."""
    if depth > MAX_DEPTH:  # the parser keeps nothing deeper: neither does a kept entry
        raise Malformed("values nested too deep")
    n = 1
    items: Iterable[Any]
    if type(value) is dict:
        for key in value:
            if type(key) is not str:
                raise Malformed("a field name is not text")
            if not key.isascii():
                check_text(key)
        n += len(value)
        items = value.values()
    else:
        items = value
    for item in items:
        kind = type(item)
        if kind is dict or kind is list:
            n += _count(item, depth + 1)
        elif kind is str:
            n += 1
            if not item.isascii():
                check_text(item)
        elif kind is int:
            n += 1
            if item.bit_length() > _MAX_INT_BITS:
                raise Malformed("a number longer than frontmatter may hold")
        elif kind in _SCALARS:
            n += 1
        else:
            raise Malformed(f"a value of type {kind.__name__}")
    return n


def _finding(row: object, path: str) -> Diagnostic:
    if type(row) is not list or len(row) != 6:
        raise Malformed("a finding is not a list of six values")
    line, col, code, severity, message, hint = row
    if type(line) is not int or type(col) is not int or line < 1 or col < 1:
        raise Malformed("a finding's position is not a line and a column")
    return _diagnostic(path, line, col, code, severity, message, hint)


def finding_row(d: Diagnostic) -> list[Any]:
    """A finding, its file's path included, as JSON values (``finding_of`` reads it back)."""
    return [d.path, d.line, d.col, d.code, d.severity.value, d.message, d.hint]


def finding_of(row: object) -> Diagnostic:
    """The finding ``finding_row`` gave ``row``; ``Malformed`` for anything else."""
    if type(row) is not list or len(row) != 7:
        raise Malformed("a finding is not a list of seven values")
    path, line, col, code, severity, message, hint = row
    if type(path) is not str or type(line) is not int or type(col) is not int or line < 0 or col < 0:
        raise Malformed("a finding's file and position are not a path, a line and a column")
    check_text(path)
    return _diagnostic(path, line, col, code, severity, message, hint)


def _diagnostic(
    path: str, line: int, col: int, code: object, severity: object, message: object, hint: object
) -> Diagnostic:
    """The finding of a kept row whose file and position are checked; ``Malformed`` if the rest is not one."""
    if type(code) is not str or code not in CODES:
        raise Malformed("a finding's code is not one of declog's")
    if type(severity) is not str or severity not in _SEVERITIES:
        raise Malformed("a finding's severity is not one of declog's")
    if type(message) is not str or type(hint) is not str:
        raise Malformed("a finding's message is not text")
    check_text(message)
    check_text(hint)
    return Diagnostic(path, line, col, code, Severity(severity), message, hint)


def check_text(value: str) -> None:
    """Refuse text no file can hold (a lone surrogate, which JSON can write): no page could show it."""
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise Malformed("text that is not valid Unicode") from None


_SEVERITIES = frozenset(s.value for s in Severity)
