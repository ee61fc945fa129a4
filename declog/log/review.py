"""Review dates as a process: when an accepted decision comes due for review, and what answered it.

An accepted decision's first review date is its ``review_by``, else the day it
was decided plus ``[workflow.review] after`` for its category (none when its
category has no ``after``). It is answered by a later accepted decision that
lists it in ``reviews`` (a confirmation: the next review date is that review's
``review_by``, else the review's decided day plus the same ``after``) or by the
accepted decision that supersedes it (no further review). A decision that
reviews others carries no review date of its own: its ``review_by`` is when
those come due again, so one review is never listed twice.

Dates are calendar days in the site's time zone (``[site] timezone``): a review
is due on its day and overdue from the next day on. Pure: no I/O, no clock.
"""

from __future__ import annotations

import datetime as dt
import weakref
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from declog.log import vocab
from declog.log.model import Decision, Log
from declog.log.timeparse import zone


@dataclass(frozen=True)
class Cycle:
    """One time a decision came (or comes) due for review, and what answered it."""

    decision: Decision
    due: dt.date
    """The day the review is due (overdue from the next day on)."""
    answer: Decision | None = None
    """The accepted decision that reviewed or superseded it; None while the review is open."""
    superseded: bool = False
    """The answer superseded the decision (no review follows)."""

    @property
    def answered(self) -> dt.datetime | None:
        return self.answer.decided if self.answer is not None else None

    def late(self, tz: dt.tzinfo) -> dt.timedelta | None:
        """How many days after its due day the review was answered (zero or less: on time)."""
        if self.answered is None:
            return None
        return dt.timedelta(days=(self.answered.astimezone(tz).date() - self.due).days)


def _day(moment: dt.datetime, tz: dt.tzinfo) -> dt.date:
    return moment.astimezone(tz).date()


def midnight(day: dt.date, tz: dt.tzinfo) -> dt.datetime:
    """The moment ``day`` begins in ``tz``."""
    return dt.datetime.combine(day, dt.time(), tzinfo=tz)


_FIRST = dt.datetime.min.replace(tzinfo=dt.UTC)


def lead_start(due: dt.date, tz: dt.tzinfo, lead: dt.timedelta) -> dt.datetime:
    """The moment a review due on ``due`` starts to show as due (``lead`` before its day)."""
    try:
        return midnight(due, tz) - lead
    except OverflowError:
        return _FIRST


#: How many days before its due day a review counts the days down ("review due in 12 days").
COUNTDOWN = 31

_INDEX: weakref.WeakKeyDictionary[Log, Mapping[str, tuple[Decision, ...]]] = weakref.WeakKeyDictionary()


def _reviewers(log: Log) -> Mapping[str, tuple[Decision, ...]]:
    """Decision id -> the accepted decisions that review it, in the order they were decided."""
    known = _INDEX.get(log)
    if known is None:
        known = _INDEX[log] = _index(log)
    return known


def _index(log: Log) -> Mapping[str, tuple[Decision, ...]]:
    acc: dict[str, list[Decision]] = {}
    for r in log.decisions:
        if r.status in vocab.FROZEN_STATUSES and r.decided is not None:
            for ref in dict.fromkeys(r.reviews):
                if ref != r.id:
                    acc.setdefault(ref, []).append(r)
    epoch = dt.datetime.min.replace(tzinfo=dt.UTC)
    return {k: tuple(sorted(v, key=lambda r: (r.decided or epoch, r.number, r.id))) for k, v in acc.items()}


def _after(d: Decision, start: Decision, log: Log, tz: dt.tzinfo) -> dt.date | None:
    """The review date ``start`` sets for ``d``: its ``review_by``, else its decided day plus the
    ``after`` of d's category."""
    if start.review_by is not None:
        return start.review_by
    after = log.config.workflow.review.after.get(d.category)
    if after is None or start.decided is None:
        return None
    try:
        return _day(start.decided + after, tz)
    except OverflowError:  # after the last day a calendar holds: never due
        return None


def cycles(d: Decision, log: Log, now: dt.datetime | None = None) -> tuple[Cycle, ...]:
    """Every review of ``d`` and the open one, oldest first; empty when ``d`` is never due.

    With ``now``, as of that moment: a review or successor decided later has not happened yet.
    """
    if d.status not in vocab.FROZEN_STATUSES or d.reviews:
        return ()
    if d.review_by is None and (d.decided is None or d.category not in log.config.workflow.review.after):
        return ()  # never due: what most decisions of most logs are, answered before any other work
    tz = zone(log.config.site.timezone)
    due = _after(d, d, log, tz)
    if due is None:
        return ()
    successor = log.by_id.get(d.superseded_by) if d.superseded_by else None
    ends = successor.decided if successor is not None and successor.status in vocab.FROZEN_STATUSES else None
    if ends is not None and now is not None and ends > now:
        successor = ends = None
    out: list[Cycle] = []
    for r in _reviewers(log).get(d.id, ()):
        assert r.decided is not None
        if now is not None and r.decided > now:
            break
        if (d.decided is not None and r.decided < d.decided) or (ends is not None and r.decided >= ends):
            continue  # not a review of this decision as it stood
        out.append(Cycle(d, due, r))
        nxt = _after(d, r, log, tz)
        if nxt is None:
            return tuple(out)
        due = nxt
    if successor is not None and ends is not None:
        out.append(Cycle(d, due, successor, superseded=True))
    elif d.status != vocab.SUPERSEDED or (d.superseded_by and now is not None):
        out.append(Cycle(d, due))
    return tuple(out)


def next_review(d: Decision, log: Log, now: dt.datetime | None = None) -> dt.date | None:
    """The day ``d``'s open review is due (as of ``now``), or None (never due, superseded, or no
    further review)."""
    found = cycles(d, log, now)
    return found[-1].due if found and found[-1].answer is None else None


@dataclass(frozen=True)
class Due:
    """An accepted decision whose review is due soon or overdue, as of a moment."""

    decision: Decision
    due: dt.date
    days: int
    """Days from the moment's day to the due day: 0 on the day, negative once overdue."""
    last: Decision | None = None
    """The review that confirmed it last, if any."""

    @property
    def overdue(self) -> bool:
        return self.days < 0

    @property
    def text(self) -> str:
        """How the site and the calendar say it: "review due in 12 days", "review overdue"."""
        if self.days < 0:
            return "review overdue"
        if self.days == 0:
            return "review due today"
        if self.days > COUNTDOWN:
            return f"review due on {self.due.isoformat()}"
        return f"review due in {self.days} day{'s' if self.days != 1 else ''}"


def _reviewed(log: Log) -> tuple[Decision, ...]:
    """The decisions that can come due for review: every one when ``[workflow.review] after`` names
    a category, else only those with their own ``review_by`` (most logs: none, found at once)."""
    if log.config.workflow.review.after:
        return log.decisions
    return tuple(d for d in log.decisions if d.review_by is not None)


def open_reviews(log: Log, now: dt.datetime) -> list[Due]:
    """Every decision with an open review date, however far ahead, soonest first."""
    today = _day(now, zone(log.config.site.timezone))
    out = []
    for d in _reviewed(log):
        found = cycles(d, log, now)
        if found and found[-1].answer is None:
            last = found[-2].answer if len(found) > 1 else None
            out.append(Due(d, found[-1].due, (found[-1].due - today).days, last))
    out.sort(key=lambda x: (x.due, x.decision.number, x.decision.id))
    return out


def due_reviews(log: Log, now: dt.datetime, known: list[Due] | None = None) -> list[Due]:
    """The decisions whose review is due within ``[workflow.review] lead`` of ``now``, or overdue,
    soonest first.

    ``known``: ``open_reviews(log, now)`` when already computed.
    """
    tz = zone(log.config.site.timezone)
    lead = log.config.workflow.review.lead
    return [
        r
        for r in (known if known is not None else open_reviews(log, now))
        if now >= lead_start(r.due, tz, lead)
    ]


def moments(log: Log) -> Iterator[dt.datetime]:
    """The moments ``due_reviews`` changes at: a review entering its lead time, the days it counts
    down, and the day it is overdue."""
    tz = zone(log.config.site.timezone)
    lead = log.config.workflow.review.lead
    dues = {c.due for d in _reviewed(log) for c in cycles(d, log)}
    for due in sorted(dues):
        start = lead_start(due, tz, lead)
        if start > _FIRST:
            yield start
        for back in range(COUNTDOWN, -2, -1):  # "due in N days" counts down to "overdue"
            try:
                day = midnight(due - dt.timedelta(days=back), tz)
            except OverflowError:  # the first or last days a calendar holds
                continue
            if day > start:
                yield day
