"""Rewrite a decision's ``approvals:`` block and leave every other byte as it was.

The edit is textual, guided by the positions ``declog.log.yamlparse`` records:
the lines of the ``approvals`` block are replaced, approvals that stay are
copied line for line (comments included), and everything else in the file,
other fields, comments, key order and the body, is untouched. A YAML
round-trip library (ruamel.yaml) could do this too, but would re-emit the
whole frontmatter and bring a dependency for one small edit. The result is
parsed again and compared with what was asked, so a wrong edit is an error,
never a silently broken file.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from declog.log import load
from declog.log.diagnostics import Diagnostic
from declog.log.yamlparse import Frontmatter, Parsed, parse_yaml, split_frontmatter

KEY = "approvals"
#: An entry ``{"__keep__": "N"}`` keeps approval N of the file exactly as written.
KEEP = "__keep__"
#: Order the fields of a new approval are written in.
FIELD_ORDER = ("partner", "by", "at", "via", "ref", "commit")

_PLAIN = re.compile(r"^[A-Za-z][A-Za-z0-9-]*$")
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})$")
_NOT_PLAIN = frozenset(
    {"y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "on", "On", "ON", "off", "Off", "OFF"}
    | {"true", "True", "TRUE", "false", "False", "FALSE", "null", "Null", "NULL"}
)


class EditError(Exception):
    """The file cannot be edited safely (no frontmatter, invalid YAML, CRLF line endings)."""


def scalar(value: str) -> str:
    """A YAML scalar that every YAML version reads back as this same text."""
    if (_PLAIN.match(value) and value not in _NOT_PLAIN) or _DATETIME.match(value):
        return value
    return json.dumps(value, ensure_ascii=False)


def render_item(entry: Mapping[str, str], indent: str) -> list[str]:
    keys = [k for k in FIELD_ORDER if k in entry] + [k for k in entry if k not in FIELD_ORDER]
    lines = []
    for i, k in enumerate(keys):
        lead = f"{indent}- " if i == 0 else f"{indent}  "
        lines.append(f"{lead}{k}: {scalar(entry[k])}\n")
    return lines


def read_document(root: Path, rel: str) -> str:
    """The text of the document ``rel`` under ``root``, to edit in place: read as the loader reads
    it (a regular file inside the root, never through a symlink), as it is (no line ending
    translated, so ``_open`` sees a CRLF file and refuses it). EditError otherwise."""
    if (root / rel).is_symlink():
        raise EditError(f"{rel} is a symlink; declog edits only regular files")
    raw = load.read_file(root.resolve(), rel)
    if raw.data is None:
        raise EditError(f"{rel}: {raw.problem.message if raw.problem else 'cannot be read'}")
    try:
        return raw.data.decode("utf-8")
    except UnicodeDecodeError:
        raise EditError(f"{rel} is not UTF-8 text") from None


def _open(text: str, path: str) -> tuple[str, str, Frontmatter, Parsed]:
    """A document to edit: its byte-order mark (or ""), the text after it, and its parsed frontmatter.
    Refuses CRLF line endings, which an edit in place would mix with LF."""
    bom = "\ufeff" if text.startswith("\ufeff") else ""
    body = text[len(bom) :]
    if "\r" in body:
        raise EditError(f"{path}: has CRLF line endings; convert it to LF first (DL011)")
    front, parsed = _parse(body, path)
    return bom, body, front, parsed


def _parse(text: str, path: str) -> tuple[Frontmatter, Parsed]:
    front = split_frontmatter(text, path)
    if isinstance(front, Diagnostic):
        raise EditError(f"{path}: {front.message}")
    parsed, problems = parse_yaml(front.yaml_text, path, front.yaml_line)
    errors = [p for p in problems if p.severity == "error"]
    if parsed is None or errors or not isinstance(parsed.data, dict):
        why = errors[0].message if errors else "frontmatter is not a mapping"
        raise EditError(f"{path}: cannot edit: {why}")
    return front, parsed


def set_approvals(text: str, entries: Sequence[Mapping[str, str]], path: str = "decision") -> str:
    """``text`` with its ``approvals`` replaced by ``entries``; other bytes unchanged."""
    bom, body, front, parsed = _open(text, path)
    lines = body.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n") and len(lines) < front.body_line - 1:
        lines[-1] += "\n"
    closing = front.body_line - 2  # 0-based index of the closing `---`
    old: list[Any] = parsed.data.get(KEY) if isinstance(parsed.data.get(KEY), list) else []
    if KEY in parsed.data:
        start = parsed.key_pos(KEY).line - 1
        later = [
            parsed.key_pos(k).line - 1 for k in parsed.data if parsed.key_pos(k).line - 1 > start and k != KEY
        ]
        end = min(later) if later else closing
        new_block, tail = _rebuild(lines, start, end, parsed, old, entries)
        lines[start:end] = new_block + tail
    else:
        lines[closing:closing] = _fresh_block(entries, "  ", old=[], copies=[])
    result = bom + "".join(lines)
    _verify(result, path, entries, old)
    return result


def _rebuild(
    lines: list[str],
    start: int,
    end: int,
    parsed: Parsed,
    old: list[Any],
    entries: Sequence[Mapping[str, str]],
) -> tuple[list[str], list[str]]:
    """(the new block, comment lines after it that belong to the next field)."""
    block_end = end
    while block_end > start + 1 and (
        not lines[block_end - 1].strip() or lines[block_end - 1].startswith("#")
    ):
        block_end -= 1
    tail = lines[block_end:end]
    item_lines = [parsed.pos(KEY, i).line - 1 for i in range(len(old))]
    block_style = all(line > start for line in item_lines) and item_lines == sorted(set(item_lines))
    if not block_style:
        return _fresh_block(entries, "  ", old, copies=[]), tail
    copies = [
        lines[first : item_lines[i + 1] if i + 1 < len(item_lines) else block_end]
        for i, first in enumerate(item_lines)
    ]
    indent = re.match(r"^(\s*)", lines[item_lines[0]]).group(1) if item_lines else "  "  # type: ignore[union-attr]
    header = lines[start : item_lines[0]] if item_lines else [f"{KEY}:\n"]
    if not entries:
        return [f"{KEY}: []\n"], tail
    out = list(header) if item_lines else [f"{KEY}:\n"]
    for entry in entries:
        out += copies[int(entry[KEEP])] if KEEP in entry else render_item(entry, indent)
    return out, tail


def _fresh_block(
    entries: Sequence[Mapping[str, str]], indent: str, old: list[Any], copies: list[list[str]]
) -> list[str]:
    if not entries:
        return [f"{KEY}: []\n"]
    out = [f"{KEY}:\n"]
    for entry in entries:
        if KEEP in entry:
            kept = old[int(entry[KEEP])]
            item = {k: str(v) for k, v in kept.items()} if isinstance(kept, dict) else {}
            out += render_item(item, indent)
        else:
            out += render_item(entry, indent)
    return out


def _verify(result: str, path: str, entries: Sequence[Mapping[str, str]], old: list[Any]) -> None:
    _, parsed = _parse(result.removeprefix("\ufeff"), path)
    want = [old[int(e[KEEP])] if KEEP in e else dict(e) for e in entries]
    if parsed.data.get(KEY, []) != want:
        raise EditError(f"{path}: the edited approvals do not read back as written; the file was left alone")


#: Where a field's value is, as a path of keys and list positions: ``("supersedes", 0)``.
FieldPath = tuple[str | int, ...]

_AFTER_PLAIN = re.compile(r"[ \t]*(?:$|[,\]}#\n])")


def replace_values(text: str, changes: Mapping[FieldPath, tuple[str, str]], path: str = "document") -> str:
    """``text`` with the value at each field path changed from ``old`` to ``new``; other bytes unchanged.

    Each value must be a scalar written as ``old`` (plain, single- or double-quoted); the new one
    is written in the same style. Used to renumber a decision: ids are digits, which every style
    writes as they are.
    """
    bom, body, _, parsed = _open(text, path)
    lines = body.splitlines(keepends=True)
    want = json.loads(json.dumps(parsed.data, default=str))
    # Right to left along each line, so an edit never moves a value still to be edited.
    for field_path, (old, new) in sorted(
        changes.items(), key=lambda c: (parsed.pos(*c[0]).line, -parsed.pos(*c[0]).col)
    ):
        if _get(parsed.data, field_path) != old:
            raise EditError(f"{path}: {_shown(field_path)} is not '{old}'; the file was left alone")
        at = parsed.pos(*field_path)
        line = lines[at.line - 1]
        start = at.col - 1
        written = _written(line, start, old)
        if written is None:
            raise EditError(f"{path}:{at.line}: cannot rewrite {_shown(field_path)} in place")
        quote = written[0] if written[0] in "\"'" else ""
        lines[at.line - 1] = line[:start] + f"{quote}{new}{quote}" + line[start + len(written) :]
        _put(want, field_path, new)
    result = bom + "".join(lines)
    _, again = _parse(result.removeprefix("\ufeff"), path)
    if json.loads(json.dumps(again.data, default=str)) != want:
        raise EditError(f"{path}: the edited fields do not read back as written; the file was left alone")
    return result


def _written(line: str, start: int, old: str) -> str | None:
    """The scalar ``old`` as written at ``start`` of ``line`` (with its quotes), if it is there."""
    for quote in ('"', "'"):
        if line.startswith(f"{quote}{old}{quote}", start):
            return f"{quote}{old}{quote}"
    if line.startswith(old, start) and _AFTER_PLAIN.match(line, start + len(old)):
        return old
    return None


def _get(data: Any, field_path: FieldPath) -> Any:
    for step in field_path:
        in_list = isinstance(step, int) and isinstance(data, list) and 0 <= step < len(data)
        if in_list or (isinstance(step, str) and isinstance(data, dict) and step in data):
            data = data[step]
        else:
            return None
    return data


def _put(data: Any, field_path: FieldPath, value: str) -> None:
    for step in field_path[:-1]:
        data = data[step]
    data[field_path[-1]] = value


def _shown(field_path: FieldPath) -> str:
    return "".join(f"[{s}]" if isinstance(s, int) else f".{s}" for s in field_path).lstrip(".")
