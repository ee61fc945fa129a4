"""Review rules: review dates sit on decisions that take effect, and reviews name accepted decisions."""

from __future__ import annotations

from collections.abc import Iterator

from declog.check.rules.context import Context
from declog.log import vocab
from declog.log.diagnostics import Diagnostic
from declog.log.fields import did_you_mean
from declog.log.timeparse import zone


def dl323_review_date(ctx: Context) -> Iterator[Diagnostic]:
    """A review date (`review_by`) is on a decision that can take effect, and not before it was decided."""
    tz = zone(ctx.config.site.timezone)
    for d in ctx.decisions:
        if d.review_by is None:
            continue
        if d.status in (vocab.REJECTED, vocab.WITHDRAWN):
            yield ctx.at(
                "DL323",
                d,
                "review_by",
                message=f"review_by {d.review_by.isoformat()} on a {d.status} decision, "
                "which never takes effect",
                hint="remove review_by",
            )
        elif d.decided is not None and d.review_by < (day := d.decided.astimezone(tz).date()):
            yield ctx.at(
                "DL323",
                d,
                "review_by",
                message=f"review_by {d.review_by.isoformat()} is before the decision was decided "
                f"({day.isoformat()})",
                hint=f"set review_by to {day.isoformat()} or later",
            )


def dl324_review_of_unaccepted(ctx: Context) -> Iterator[Diagnostic]:
    """A decision reviews (`reviews`) only other decisions that were accepted (or since superseded)."""
    ids = ctx.log.by_id
    for d in ctx.decisions:
        for i, ref in enumerate(d.reviews):
            reviewed = ids.get(ref)
            if reviewed is None:
                continue  # DL204 says it names nothing
            if ref == d.id:
                yield ctx.at("DL324", d, "reviews", i, message=f"decision {d.id} lists itself in reviews")
            elif reviewed.status not in vocab.FROZEN_STATUSES:
                accepted = [k for k, x in ids.items() if x.status in vocab.FROZEN_STATUSES and k != d.id]
                meant = did_you_mean(ref, accepted, synonyms=False)
                yield ctx.at(
                    "DL324",
                    d,
                    "reviews",
                    i,
                    message=f"reviews {ref}, which is {reviewed.status}, not accepted",
                    hint=meant or "only an accepted decision can be reviewed",
                )
