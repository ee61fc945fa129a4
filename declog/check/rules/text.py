"""Text rules: what no document may hold, wherever in it the text stands."""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import chain

from declog.check.rules.context import Context
from declog.log import vocab
from declog.log.codes import finding
from declog.log.diagnostics import Diagnostic, Pos
from declog.log.standing import code_blocks
from declog.log.yamlparse import raw_controls

#: An ATX heading: up to three spaces, one to six ``#``, then a space or the end of the line.
_HEADING = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?[ \t#]*$")


def dl014_control_characters(ctx: Context) -> Iterator[Diagnostic]:
    """Text holds no control characters; tab and line breaks only where a field allows several lines."""
    # The frontmatter's values are checked as they are parsed (declog.log.yamlparse); this is the body.
    others = (doc for doc in ctx.log.duplicates if ctx.is_subject(doc))
    for doc in chain(ctx.decisions, ctx.partners, ctx.meetings, others):
        yield from raw_controls(doc.body, doc.path, doc.body_line, "the body")


def dl321_empty_section(ctx: Context) -> Iterator[Diagnostic]:
    """An accepted decision has no empty sections: every heading in its body has text under it."""
    for d in ctx.decisions:
        if d.status not in vocab.FROZEN_STATUSES or "#" not in d.body:
            continue
        for line, title in empty_sections(d.body):
            yield finding(
                "DL321",
                d.path,
                Pos(d.body_line + line, 1),
                f"section '{title}' is empty",
                "write it, or remove the heading",
            )


def empty_sections(body: str) -> list[tuple[int, str]]:
    """(0-based line, title) of each heading with nothing under it before a heading of its level or
    above, or the end (headings inside code blocks are text, not headings)."""
    code = code_blocks(body)
    lines = body.split("\n")
    offsets = [0]
    for text in lines:
        offsets.append(offsets[-1] + len(text) + 1)
    headings: list[tuple[int, int, str]] = []  # (line, level, title)
    content: list[bool] = []  # per line: holds something other than a heading
    for i, text in enumerate(lines):
        in_code = any(a <= offsets[i] < b for a, b in code)
        m = None if in_code else _HEADING.match(text)
        if m:
            headings.append((i, len(m.group(1)), (m.group(2) or "").strip()))
        content.append(bool(text.strip()) and not m)
    out = []
    for n, (line, level, title) in enumerate(headings):
        end = next((h[0] for h in headings[n + 1 :] if h[1] <= level), len(lines))
        if not any(content[line + 1 : end]):
            out.append((line, title or "#" * level))
    return out
