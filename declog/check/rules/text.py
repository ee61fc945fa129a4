"""Text rules: what no document may hold, wherever in it the text stands."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator
from itertools import chain

from declog.check.rules.context import Context
from declog.log import vocab
from declog.log.codes import finding
from declog.log.diagnostics import Diagnostic, Pos
from declog.log.standing import code_blocks, code_blocks_of
from declog.log.yamlparse import raw_controls

#: What every empty section has: a heading line followed, past blank lines, by a line that may be a
#: heading or by the end. A body without it has no empty section (one C-level scan that starts at
#: each line break, before the heading-by-heading walk).
_MAYBE_EMPTY = re.compile(r"\n {0,3}#{1,6}(?:[ \t][^\n]*)?(?:\n[^\S\n]*)*(?:\n {0,3}#|\Z)")
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
        for line, title in empty_sections(d.body, functools.partial(code_blocks_of, d)):
            yield finding(
                "DL321",
                d.path,
                Pos(d.body_line + line, 1),
                f"section '{title}' is empty",
                "write it, or remove the heading",
            )


def empty_sections(
    body: str, blocks_of: Callable[[], list[tuple[int, int]]] | None = None
) -> list[tuple[int, str]]:
    """(0-based line, title) of each heading with nothing under it before a heading of its level or
    above, or the end (headings inside code blocks are text, not headings).

    ``blocks_of``: gives ``code_blocks(body)`` (a caller that keeps them saves working them out again).
    """
    # Only lines that start like a heading (up to three spaces, then #) are looked at one by one, found
    # with str.find (memchr); whether a section holds text is one strip() of the text between two
    # headings; line numbers are counted only for the headings reported.
    if not _MAYBE_EMPTY.search("\n" + body):
        return []
    code: list[tuple[int, int]] | None = None
    headings: list[tuple[int, str, int, int]] = []  # (level, title, start, end of its line)
    hash_at = body.find("#")
    while hash_at >= 0:
        start = body.rfind("\n", 0, hash_at) + 1
        end = body.find("\n", hash_at)
        end = len(body) if end < 0 else end
        if hash_at - start <= 3 and body[start:hash_at] == " " * (hash_at - start):
            if code is None:
                code = code_blocks(body) if blocks_of is None else blocks_of()
            m = None if any(a <= start < b for a, b in code) else _HEADING.match(body[start:end])
            if m:
                title = (m.group(2) or "").strip()  # _HEADING leaves closing #s out
                headings.append((len(m.group(1)), title, start, end))
        hash_at = body.find("#", end + 1)
    out = []
    line, counted = 0, 0  # lines counted up to offset ``counted`` (reported headings come in order)
    for n, (level, title, start, _) in enumerate(headings):
        k = n
        while True:  # the text between heading k and the next one, while they are in this section
            following = headings[k + 1][2] if k + 1 < len(headings) else len(body)
            if body[headings[k][3] + 1 : following].strip():
                break
            if k + 1 == len(headings) or headings[k + 1][0] <= level:
                line += body.count("\n", counted, start)
                counted = start
                out.append((line, title or "#" * level))
                break
            k += 1
    return out
