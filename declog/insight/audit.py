"""The audit: how well the log is kept, figure by figure.

Pure: a checked ``Log``, the current time and a window in; an ``Audit`` value
out. Every figure carries its value, the number of decisions it was computed
from (``n``), the decisions it counts (``ids``) and one sentence saying how it
was computed, so the CLI, the JSON twin and the site's health page can all
show their working. docs/audit.md explains each figure.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from declog.log import review, vocab
from declog.log.fields import did_you_mean
from declog.log.model import Decision, Log
from declog.log.standing import APPROVED, PENDING, SILENCE, SILENCE_DUE, logging_lag, standing, when
from declog.log.timeparse import format_duration, zone

#: How many decisions an audit reviews by default: the most recent ones, by number.
DEFAULT_LAST = 20
#: A successor decided within this time of its predecessor counts as a quick reversal.
REVERSAL_WINDOW = dt.timedelta(days=90)
#: A draft untouched for longer than this is stale.
STALE_AFTER = dt.timedelta(days=30)
#: The percentile the logging-lag figures report besides the median.
PERCENTILE = 90


class AuditError(ValueError):
    """The window cannot be applied (e.g. an unknown partner)."""


@dataclass(frozen=True)
class Window:
    """Which decisions the audit looks at."""

    now: dt.datetime
    """The time the audit is "as of": deadlines before it have passed."""
    last: int | None = DEFAULT_LAST
    """The last N decisions by number; None for no limit."""
    since: dt.date | None = None
    """Only decisions dated on or after this day (decided, else proposed, else logged)."""
    partner: str | None = None
    """Only decisions this partner is party to."""

    def describe(self, n: int) -> str:
        parts = []
        if self.last is not None:
            parts.append(f"the last {self.last} decisions by number")
        else:
            parts.append("every decision")
        if self.since is not None:
            parts.append(f"dated {self.since.isoformat()} or later")
        if self.partner is not None:
            parts.append(f"that {self.partner} is party to")
        return f"{' '.join(parts)} ({n} found), as of {self.now.isoformat()}"


@dataclass(frozen=True)
class Figure:
    key: str
    """Stable machine name, e.g. ``lag.median``."""
    label: str
    value: int | dt.timedelta | None
    """A count, a duration, or None when nothing could be computed."""
    n: int
    """How many decisions the figure was computed from."""
    method: str
    """How it was computed, in one or two sentences."""
    ids: tuple[str, ...] = ()
    """The decisions a count counts (empty for durations)."""

    @property
    def display(self) -> str:
        if self.value is None:
            return "n/a"
        if isinstance(self.value, dt.timedelta):
            return format_duration(self.value)
        return str(self.value)


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    figures: tuple[Figure, ...]


#: Figures the log cannot know (it records approvals, not review verdicts): always n/a. The health
#: page explains them once instead of showing a row that can only say n/a.
UNKNOWABLE: frozenset[str] = frozenset({"disagreement.changes_requested"})

#: What each participation column counts (shown once above the table).
PARTICIPATION_METHODS: Mapping[str, str] = {
    "party": "decisions in the window the partner is party to",
    "approved": "of those, decisions where an approval by the partner counts under the workflow rules "
    "(by a member, not the owner unless self-approval is agreed), other than by silence",
    "silence": "decisions where the partner's silence until the deadline was counted as its approval "
    "(only where [workflow.silence] covers the partner and the category)",
    "pending": "proposed decisions still waiting for the partner's approval",
    "absent": "decisions made (accepted, rejected or superseded) in a meeting no member of the partner "
    "attended",
}


@dataclass(frozen=True)
class Participation:
    partner: str
    name: str
    party: tuple[str, ...]
    approved: tuple[str, ...]
    silence: tuple[str, ...]
    pending: tuple[str, ...]
    absent: tuple[str, ...]

    @property
    def n(self) -> int:
        return len(self.party)


@dataclass(frozen=True)
class MonthCount:
    month: str
    """``YYYY-MM`` in the site's time zone."""
    sync: int
    async_: int


@dataclass(frozen=True)
class Audit:
    window: Window
    decisions: tuple[Decision, ...]
    sections: tuple[Section, ...]
    participation: tuple[Participation, ...]
    lags: tuple[tuple[str, dt.timedelta], ...]
    """(decision id, logging lag) for every decided entry with both times."""
    resolution: Mapping[str, tuple[tuple[str, dt.timedelta], ...]] = field(default_factory=dict)
    """Mode -> (decision id, proposed -> decided) for every resolved decision with both times."""
    months: tuple[MonthCount, ...] = ()
    undated: int = 0
    """Decisions in the window with no date at all (left out of ``months``)."""
    timezone: str = "UTC"

    @property
    def description(self) -> str:
        return self.window.describe(len(self.decisions))

    def figure(self, key: str) -> Figure:
        for section in self.sections:
            for f in section.figures:
                if f.key == key:
                    return f
        raise KeyError(key)


def select(log: Log, window: Window) -> list[Decision]:
    """The decisions in the window, in id order."""
    if window.partner is not None and window.partner not in log.partners:
        known = ", ".join(sorted(log.partners)) or "none"
        hint = did_you_mean(window.partner, log.partners, synonyms=False)
        raise AuditError(
            f"unknown partner '{window.partner}'{f'; {hint}' if hint else ''} (partners: {known})"
        )
    tz = zone(log.config.site.timezone)
    chosen = sorted(log.decisions, key=lambda d: (d.number, d.id, d.path))
    if window.partner is not None:
        chosen = [d for d in chosen if window.partner in d.partners]
    if window.since is not None:
        since = window.since
        chosen = [d for d in chosen if (w := when(d)) is not None and w.astimezone(tz).date() >= since]
    if window.last is not None:
        chosen = chosen[-window.last :] if window.last > 0 else []
    return chosen


def audit(log: Log, window: Window) -> Audit:
    """Compute every figure over the decisions in ``window``."""
    ds = select(log, window)
    lags = _lags(ds)
    resolution = {
        mode: tuple(
            (d.id, d.decided - d.proposed)
            for d in ds
            if d.mode == mode and d.status in vocab.DECIDED_STATUSES and d.proposed and d.decided
        )
        for mode in (vocab.ASYNC, vocab.SYNC)
    }
    partners = [window.partner] if window.partner is not None else sorted(log.partners)
    months, undated = _months(ds, log)
    return Audit(
        window=window,
        decisions=tuple(ds),
        sections=(
            _overview(ds, window),
            _lag_section(ds, lags, log),
            _resolution_section(ds, resolution, window.now),
            _disagreement_section(ds, log),
            _completeness_section(ds),
            _review_section(ds, log, window.now),
        ),
        participation=tuple(_participation(pid, ds, log, window.now) for pid in partners),
        lags=lags,
        resolution=resolution,
        months=months,
        undated=undated,
        timezone=log.config.site.timezone,
    )


# --- the sections ------------------------------------------------------------------------------


def _count(
    key: str, label: str, pool: Sequence[Decision], pred: Callable[[Decision], bool], method: str
) -> Figure:
    ids = tuple(d.id for d in pool if pred(d))
    return Figure(key, label, len(ids), len(pool), method, ids)


def _overview(ds: Sequence[Decision], window: Window) -> Section:
    return Section(
        "logged",
        "Decisions logged",
        (
            Figure("logged.total", "Decisions in the window", len(ds), len(ds), window.describe(len(ds))),
            _count(
                "logged.decided",
                "Decided",
                ds,
                lambda d: d.status in vocab.DECIDED_STATUSES,
                "status accepted, rejected or superseded",
            ),
            _count(
                "logged.open",
                "Still open",
                ds,
                lambda d: d.status in vocab.OPEN_STATUSES,
                "status draft or proposed",
            ),
            _count("logged.async", "Made asynchronously", ds, lambda d: d.mode == vocab.ASYNC, "mode async"),
            _count("logged.sync", "Made in a meeting", ds, lambda d: d.mode == vocab.SYNC, "mode sync"),
            _count(
                "logged.exceptions",
                "Exceptions (taken outside the log)",
                ds,
                lambda d: d.source is not None,
                "entries with a source: first taken in a chat, e-mail or call, then migrated into the log",
            ),
        ),
    )


def _lags(ds: Sequence[Decision]) -> tuple[tuple[str, dt.timedelta], ...]:
    return tuple(
        (d.id, lag) for d in ds if d.status in vocab.DECIDED_STATUSES and (lag := logging_lag(d)) is not None
    )


def _lag_section(ds: Sequence[Decision], lags: Sequence[tuple[str, dt.timedelta]], log: Log) -> Section:
    values = [lag for _, lag in lags]
    decided = sum(1 for d in ds if d.status in vocab.DECIDED_STATUSES)
    base = (
        f"logged − decided over the {len(values)} decided entries with both times (logged defaults to "
        "the commit that first added the file); an entry written before the decision, as an async "
        "proposal is, counts as 0"
    )
    if decided > len(values):
        base += f"; {decided - len(values)} decided entries without a decided or logged time are left out"
    migration = log.config.workflow.exception_window
    over = tuple(i for i, lag in lags if lag > migration)
    return Section(
        "lag",
        "Logging lag (decided → logged)",
        (
            Figure("lag.median", "Median logging lag", median(values), len(values), f"median of {base}"),
            Figure(
                "lag.p90",
                f"{PERCENTILE}th percentile logging lag",
                percentile(values, PERCENTILE),
                len(values),
                f"nearest-rank {PERCENTILE}th percentile of {base}",
            ),
            Figure(
                "lag.over_window",
                "Logged later than the migration window",
                len(over),
                len(values),
                f"entries logged more than {format_duration(migration)} (workflow.exception_window) "
                f"after they were decided, among the {len(values)} with both times",
                over,
            ),
        ),
    )


def _resolution_section(
    ds: Sequence[Decision], resolution: Mapping[str, Sequence[tuple[str, dt.timedelta]]], now: dt.datetime
) -> Section:
    figures = []
    for mode in (vocab.ASYNC, vocab.SYNC):
        values = [v for _, v in resolution[mode]]
        resolved = sum(1 for d in ds if d.mode == mode and d.status in vocab.DECIDED_STATUSES)
        method = (
            f"median of decided − proposed over the {len(values)} {mode} decisions that were accepted, "
            "rejected or superseded and record both times"
        )
        if resolved > len(values):
            method += f"; {resolved - len(values)} without a proposed time are left out"
        figures.append(
            Figure(
                f"resolution.{mode}",
                f"Median time to resolution, {mode}",
                median(values),
                len(values),
                method,
            )
        )
    proposed = [d for d in ds if d.status == vocab.PROPOSED]
    figures.append(
        _count(
            "resolution.overdue",
            "Proposals past their deadline, still open",
            proposed,
            lambda d: d.deadline is not None and d.deadline < now,
            f"proposed decisions whose feedback deadline is before {now.isoformat()}, "
            f"among the {len(proposed)} still proposed",
        )
    )
    drafts = [d for d in ds if d.status == vocab.DRAFT]
    cutoff = now - STALE_AFTER
    figures.append(
        _count(
            "resolution.stale_drafts",
            "Stale drafts",
            drafts,
            lambda d: (t := d.proposed or d.logged) is not None and t < cutoff,
            f"drafts first logged (or proposed) more than {STALE_AFTER.days} days before "
            f"{now.isoformat()}, among the {len(drafts)} drafts",
        )
    )
    return Section("resolution", "Time to resolution", tuple(figures))


def _disagreement_section(ds: Sequence[Decision], log: Log) -> Section:
    decided = [d for d in ds if d.decided is not None and d.status in vocab.DECIDED_STATUSES]

    def reversed_soon(d: Decision) -> bool:
        successor = log.by_id.get(d.superseded_by) if d.superseded_by else None
        return (
            successor is not None
            and successor.decided is not None
            and d.decided is not None
            and successor.decided - d.decided <= REVERSAL_WINDOW
        )

    closed = [d for d in ds if d.status not in vocab.OPEN_STATUSES]
    return Section(
        "disagreement",
        "Disagreement signals",
        (
            Figure(
                "disagreement.changes_requested",
                "Changes requested in reviews",
                None,
                0,
                "not available: the log records approvals but not review verdicts; "
                "changes requested in pull-request reviews are not read by the audit",
            ),
            _count(
                "disagreement.reversed",
                f"Superseded within {REVERSAL_WINDOW.days} days",
                decided,
                reversed_soon,
                f"decided entries whose successor (superseded_by) was decided within {REVERSAL_WINDOW.days} "
                f"days of them, among the {len(decided)} decided entries with a decided time",
            ),
            _count(
                "disagreement.rejected",
                "Rejected proposals",
                closed,
                lambda d: d.status == vocab.REJECTED,
                f"status rejected, among the {len(closed)} decisions no longer draft or proposed",
            ),
            _count(
                "disagreement.withdrawn",
                "Withdrawn proposals",
                closed,
                lambda d: d.status == vocab.WITHDRAWN,
                f"status withdrawn, among the {len(closed)} decisions no longer draft or proposed",
            ),
        ),
    )


def _completeness_section(ds: Sequence[Decision]) -> Section:
    past_draft = [d for d in ds if d.status != vocab.DRAFT]
    among = f"among the {len(past_draft)} entries past draft (the validator warns, DL310, but allows it)"
    return Section(
        "completeness",
        "Completeness",
        (
            _count(
                "completeness.rationale",
                "Missing rationale",
                past_draft,
                lambda d: not d.rationale,
                f"no rationale, {among}",
            ),
            _count(
                "completeness.owner",
                "Missing owner",
                past_draft,
                lambda d: not d.owner,
                f"no owner, {among}",
            ),
        ),
    )


def _review_section(ds: Sequence[Decision], log: Log, now: dt.datetime) -> Section:
    """How the reviews that came due by ``now`` went: on time, late (by how much), still overdue."""
    tz = zone(log.config.site.timezone)
    today = now.astimezone(tz).date()
    on_time: list[str] = []
    late: list[tuple[str, dt.timedelta]] = []
    overdue: list[tuple[str, dt.timedelta]] = []
    for d in ds:
        for c in review.cycles(d, log, now):
            answered = c.answered
            if answered is None:  # open at now
                if c.due < today:
                    overdue.append((d.id, dt.timedelta(days=(today - c.due).days)))
                break
            lateness = dt.timedelta(days=(answered.astimezone(tz).date() - c.due).days)
            if lateness > dt.timedelta(0):
                late.append((d.id, lateness))
            else:
                on_time.append(d.id)
    came = len(on_time) + len(late) + len(overdue)
    after = ", ".join(
        f"{c} {format_duration(t)}" for c, t in sorted(log.config.workflow.review.after.items())
    )
    rule = f"review_by, else decided plus [workflow.review] after ({after or 'not set'})"
    return Section(
        "review",
        "Reviews",
        (
            Figure(
                "review.due",
                "Reviews that came due or were done",
                came,
                came,
                f"review dates ({rule}) on or before {today.isoformat()}, or answered by then, of accepted "
                "decisions in the window; a decision counts once per review",
                tuple(dict.fromkeys([*on_time, *(i for i, _ in late), *(i for i, _ in overdue)])),
            ),
            Figure(
                "review.on_time",
                "Reviewed on time",
                len(on_time),
                came,
                "reviews answered (by a decision listing it in reviews, or one superseding it) "
                "on or before their day",
                tuple(dict.fromkeys(on_time)),
            ),
            Figure(
                "review.late",
                "Reviewed late",
                len(late),
                came,
                "reviews answered after their day",
                tuple(dict.fromkeys(i for i, _ in late)),
            ),
            Figure(
                "review.overdue",
                "Overdue, not reviewed",
                len(overdue),
                came,
                f"reviews whose day is before {today.isoformat()} and not answered by {now.isoformat()}",
                tuple(dict.fromkeys(i for i, _ in overdue)),
            ),
            Figure(
                "review.lateness_median",
                "Median lateness of late and overdue reviews",
                median([t for _, t in [*late, *overdue]]),
                len(late) + len(overdue),
                "days from the day a review was due to its answer (late) or to today (overdue)",
            ),
        ),
    )


def _participation(pid: str, ds: Sequence[Decision], log: Log, now: dt.datetime) -> Participation:
    party = [d for d in ds if pid in d.partners]
    approved: list[str] = []
    silence: list[str] = []
    pending: list[str] = []
    absent: list[str] = []
    for d in party:
        state = standing(d, log, now).of(pid)
        if state is None:
            continue
        if state.state == APPROVED:
            approved.append(d.id)
        elif state.state in (SILENCE, SILENCE_DUE):
            silence.append(d.id)
        elif state.state == PENDING and d.status == vocab.PROPOSED:
            pending.append(d.id)
        if d.status in vocab.DECIDED_STATUSES and state.absent:
            absent.append(d.id)
    return Participation(
        partner=pid,
        name=log.partner_name(pid),
        party=tuple(d.id for d in party),
        approved=tuple(approved),
        silence=tuple(silence),
        pending=tuple(pending),
        absent=tuple(absent),
    )


def _months(ds: Iterable[Decision], log: Log) -> tuple[tuple[MonthCount, ...], int]:
    tz = zone(log.config.site.timezone)
    counts: dict[str, list[int]] = {}
    undated = 0
    for d in ds:
        w = when(d)
        if w is None:
            undated += 1
            continue
        bucket = counts.setdefault(w.astimezone(tz).strftime("%Y-%m"), [0, 0])
        bucket[0 if d.mode == vocab.SYNC else 1] += 1
    if not counts:
        return (), undated
    first, last = min(counts), max(counts)
    out = []
    year, month = int(first[:4]), int(first[5:])
    while f"{year:04d}-{month:02d}" <= last:  # every month in between, empty ones too
        key = f"{year:04d}-{month:02d}"
        sync, async_ = counts.get(key, [0, 0])
        out.append(MonthCount(key, sync, async_))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return tuple(out), undated


# --- statistics ------------------------------------------------------------------------------


def median(values: Sequence[dt.timedelta]) -> dt.timedelta | None:
    """The middle value; the mean of the two middle values when there is an even number."""
    if not values:
        return None
    ordered = sorted(values)
    mid = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[mid]
    return (ordered[mid - 1] + ordered[mid]) / 2


def percentile(values: Sequence[dt.timedelta], p: int) -> dt.timedelta | None:
    """Nearest rank: the smallest value at least ``p`` percent of the values do not exceed."""
    if not values:
        return None
    ordered = sorted(values)
    rank = -(-p * len(ordered) // 100)  # ceil(p/100 * n) in integers
    return ordered[max(rank, 1) - 1]
