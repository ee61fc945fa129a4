"""YAML syntax errors in declog's own words, with the likely fix.

PyYAML names the parser's state ("found character that cannot start any token
(while scanning for the next token)"); a user wants the mistake they made and
the line as it should be. ``explain`` maps the parser's problem and context,
and the text at the mark, to that; anything it does not recognise keeps
PyYAML's wording.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import yaml

#: Characters YAML reserves: a plain (unquoted) value cannot start with them.
_RESERVED = {
    "@": "'@' is reserved in YAML",
    "`": "'`' (a backquote) is reserved in YAML",
    "%": "'%' starts a YAML directive",
}
#: Where an unquoted item in a list like ``[a, b]`` or a value ends.
_FLOW_END = re.compile(r"[,\]}]|\s+#|$")
_BLOCK_END = re.compile(r"\s+#|$")


@dataclass(frozen=True)
class Explained:
    message: str
    hint: str
    line: int
    """0-based line in the YAML text the finding points at."""
    column: int
    """0-based column."""


def explain(exc: yaml.MarkedYAMLError, text: str, first_line: int = 1) -> Explained:
    """What went wrong in ``text`` (line ``first_line`` of its file) and how to fix it."""
    mark = exc.problem_mark or exc.context_mark
    line, column = (mark.line, mark.column) if mark else (0, 0)
    problem, context = exc.problem or "", exc.context or ""
    lines = text.split("\n")
    bad = lines[line] if line < len(lines) else ""
    here = bad[column : column + 1]
    ln = first_line + line
    opened = first_line + exc.context_mark.line if exc.context_mark else 0

    def out(message: str, hint: str) -> Explained:
        return Explained(f"invalid YAML: {message}", hint, line, column)

    indent = bad[: len(bad) - len(bad.lstrip(" \t"))]
    if "\t" in indent or "tab" in problem or here == "\t":
        return out(
            "a tab is used for indentation; YAML indents with spaces only",
            f"replace the tab at the start of line {ln} with spaces (two per level)",
        )
    if "cannot start any token" in problem and here in _RESERVED:
        fixed = _quoted(bad, column)
        hint = f"quote the value: {fixed.strip()}"
        if here == "@":
            hint += f", or write the handle without '@': {_without_at(bad, column).strip()}"
        return out(f"a value cannot start with {here!r} unless it is quoted ({_RESERVED[here]})", hint)
    if "cannot start any token" in problem and here:
        return out(
            f"a value cannot start with {here!r} unless it is quoted",
            f"quote the value: {_quoted(bad, column).strip()}",
        )
    if "mapping values are not allowed" in problem:
        key = re.match(r"\s*(?:-\s+)?([^:#\s][^:]*?):\s", bad)
        if key and bad.find(": ", key.end() - 2) < column and not indent:
            value = bad[key.end() :].strip()
            return out(
                "a value contains ': ', which YAML reads as the start of another field",
                f'quote the value: {key.group(1)}: "{_escape(value)}"',
            )
        return out(
            "this line is indented as if it belonged to the line above, "
            "which is a value, not a list or mapping",
            f"line up '{bad.strip()}' with the field above it, or quote a value that contains ': '",
        )
    if ("expected key" in problem or "expected '-' indicator" in problem) and "block" in context:
        start = len(indent)
        if column > start and bad[start:column].rstrip()[-1:] in ("'", '"'):
            quote = bad[start:column].rstrip()[-1]
            return out(
                f"text follows the closing {quote} of a quoted value",
                "a quoted value ends at its closing quote: write a ' inside single quotes as '' "
                "(title: 'It''s here') or use double quotes (title: \"It's here\")",
            )
        where = f" (the {'list' if 'collection' in context else 'fields'} starting on line {opened})"
        return out(
            f"line {ln} is not lined up with the lines above it{where if opened else ''}",
            "indent the items of one list, or the fields of one mapping, by the same number of spaces",
        )
    if "end of stream" in problem and "quoted scalar" in context:
        return out(
            f"a quote opened on line {opened} is never closed",
            "close the quote on the same line, or write the value without quotes",
        )
    if "flow sequence" in context or "flow mapping" in context:
        closer = "]" if "sequence" in context else "}"
        what = "list" if closer == "]" else "mapping"
        return out(
            f"the {what} opened on line {opened} is not closed with '{closer}'",
            f"close it with '{closer}' on the same line; quote items that contain ',', '[' or ']'",
        )
    if "could not find expected ':'" in problem and exc.context_mark is not None:
        line, column = exc.context_mark.line, exc.context_mark.column
        written = lines[line].strip() if line < len(lines) else ""
        return out(
            f"'{written[:40]}' is not a field: a field is written `name: value`",
            f"add the colon and the value ({written[:40]}: ...), or join it to the line above "
            "if it continues that value",
        )
    message = problem or "invalid YAML"
    if context:
        message += f" ({context})"
    return out(message, "")


def _token_end(line: str, start: int) -> int:
    flow = line.rfind("[", 0, start) > line.rfind("]", 0, start) or line.rfind("{", 0, start) > line.rfind(
        "}", 0, start
    )
    m = (_FLOW_END if flow else _BLOCK_END).search(line, start)
    return m.start() if m else len(line)


def _quoted(line: str, start: int) -> str:
    """``line`` with the value starting at ``start`` in quotes."""
    end = _token_end(line, start)
    value = line[start:end].rstrip()
    quote = "'" if "'" not in value else '"'
    return f"{line[:start]}{quote}{value}{quote}{line[start + len(value) :]}"


def _without_at(line: str, start: int) -> str:
    """``line`` with the '@' of every handle in the value starting at ``start`` dropped."""
    return line[:start] + re.sub(r"(?<![\w.])@(?=[A-Za-z0-9])", "", line[start:])


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"')
