"""Identity rules: file names agree with ids, ids are unique."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import chain

from declog.check.rules.context import Context
from declog.log import vocab
from declog.log.diagnostics import Diagnostic
from declog.log.model import Document, Partner


def dl108_file_name(ctx: Context) -> Iterator[Diagnostic]:
    """A document's file name agrees with its id."""
    for d in ctx.decisions:
        name = d.path.rsplit("/", 1)[-1]
        m = vocab.DECISION_FILE_RE.match(name)
        if not d.id or not vocab.DECISION_ID_RE.match(d.id):
            continue
        if m is None:
            yield ctx.at(
                "DL108",
                d,
                "id",
                message=f"decision file name '{name}' is not ID-slug.md",
                hint=f"rename it to {d.id}-{vocab.slugify(d.title)}.md",
            )
        elif m.group("id") != d.id:
            yield ctx.at(
                "DL108",
                d,
                "id",
                message=f"id '{d.id}' does not match the file name '{name}'",
                hint=f'rename the file to {d.id}-{m.group("slug")}.md or set id: "{m.group("id")}"',
            )
    others: chain[Document] = chain(ctx.partners, ctx.meetings)
    for doc in others:
        stem = doc.path.rsplit("/", 1)[-1].removesuffix(".md")
        doc_id = getattr(doc, "id", "")
        if doc_id and doc_id != stem:
            yield ctx.at(
                "DL108",
                doc,
                "id",
                message=f"id '{doc_id}' does not match the file name '{stem}.md'",
                hint=f"rename the file to {doc_id}.md or set id: {stem}",
            )


def dl109_duplicate_id(ctx: Context) -> Iterator[Diagnostic]:
    """Ids are unique within each kind of document."""
    ids = ctx.log.by_id
    for d in ctx.decisions:
        # by_id keeps the first decision in log order with each id: every other one is the duplicate.
        first = ids.get(d.id) if d.id else None
        if first is not None and first is not d:
            yield ctx.at(
                "DL109",
                d,
                "id",
                message=f"decision id '{d.id}' is also used by {first.path}",
                # Which of the two is new on the branch is --base's to say (DL405): both are named.
                hint=f"renumber the one that is new on your branch to the next free id ({_next_id(ctx)}): "
                f"declog renumber {d.id} --file {d.path} (or --file {first.path})",
            )
    for doc in ctx.log.duplicates:
        if not ctx.is_subject(doc):
            continue
        kind = "partner" if isinstance(doc, Partner) else "meeting"
        index = ctx.log.partners if isinstance(doc, Partner) else ctx.log.meetings
        doc_id = getattr(doc, "id", "")
        yield ctx.at("DL109", doc, "id", message=f"{kind} id '{doc_id}' is also used by {index[doc_id].path}")


def _next_id(ctx: Context) -> str:
    numbers = [d.number for d in ctx.log.decisions]
    width = max((len(d.id) for d in ctx.log.decisions), default=4)
    return str(max(numbers, default=0) + 1).zfill(width)
