"""Text rules: what no document may hold, wherever in it the text stands."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import chain

from declog.diagnostics import Diagnostic
from declog.rules.context import Context
from declog.yamlparse import raw_controls


def dl014_control_characters(ctx: Context) -> Iterator[Diagnostic]:
    """Text holds no control characters; tab and line breaks only where a field allows several lines."""
    # The frontmatter's values are checked as they are parsed (declog.yamlparse); this is the body.
    others = (doc for doc in ctx.log.duplicates if ctx.is_subject(doc))
    for doc in chain(ctx.decisions, ctx.partners, ctx.meetings, others):
        yield from raw_controls(doc.body, doc.path, doc.body_line, "the body")
