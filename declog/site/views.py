"""What the pages show, computed from the checked log: pure projections, no I/O.

Templates receive these objects and only lay them out. Every list is sorted so
two builds of the same log give the same pages; "now" is passed in (the build
takes it from the log's last commit), never read from the clock here.
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import itertools
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from declog.insight.audit import STALE_AFTER, Audit, Window
from declog.insight.audit import audit as run_audit
from declog.log import vocab
from declog.log.history import Commit
from declog.log.model import Approval, Decision, Log, Meeting, Member, Partner
from declog.log.review import Due, due_reviews, open_reviews
from declog.log.review import moments as review_moments
from declog.log.standing import (
    LABELS,
    SILENCE,
    Links,
    Standing,
    agreement_of,
    links,
    logging_lag,
    referenced,
    standing,
    when,
)
from declog.log.timeparse import instant, zone
from declog.site import urls
from declog.site.deps import Dep, metas
from declog.site.fieldviews import FieldViews

_T = TypeVar("_T")

#: The lists that show the timeline's filter bar: the timeline, its filters and the tag pages.
FILTERED = (urls.TIMELINE_FOLDER, urls.TAGS_FOLDER)
#: Timeline facets with a pre-built page per value (tags have their own pages).
FACETS: tuple[str, ...] = ("status", "mode", "category", "partner")
#: How many recent decisions a board column or a partner section shows before "all N".
COLUMN_SIZE = 12
#: How many values of one facet the filter bar lists: the most used ones. A bar listing every tag on
#: every list page (each tag has pages of its own) grew the site with the square of the tags.
FILTER_SIZE = 40
#: How many decisions the home page lists under "Recently decided".
RECENT_SIZE = 10

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def newest_first(decisions: Iterable[Decision]) -> list[Decision]:
    return sorted(decisions, key=_newest_key, reverse=True)


def _newest_key(d: Decision) -> tuple[int, str]:
    return (instant(when(d)), d.id)


def updated(d: Decision, history: Mapping[str, tuple[Commit, ...]]) -> dt.datetime:
    """When a decision last changed: its newest commit, else its newest date."""
    commits = history.get(d.path)
    if commits:
        return commits[0].date
    dates = [t for t in (d.logged, d.decided, d.proposed, *(a.at for a in d.approvals)) if t]
    return max(dates, default=dt.datetime(1970, 1, 1, tzinfo=dt.UTC))


def latest(decisions: Iterable[Decision], history: Mapping[str, tuple[Commit, ...]]) -> list[Decision]:
    """The decisions, most recently changed first (``updated``, then the id)."""
    return sorted(decisions, key=lambda d: (instant(updated(d, history)), d.id), reverse=True)


def _resorted(
    before: Sequence[Decision],
    gone: Collection[object],
    new: Iterable[Decision],
    key: Callable[[Decision], tuple[int, str]],
) -> tuple[Decision, ...] | None:
    """``before`` (sorted by ``key``, largest first) without ``gone`` and with each of ``new`` in its
    place, found by bisection; None when one's key equals another's (a full sort decides the order)."""
    out = [d for d in before if d not in gone]
    if not all(_insort(out, d, key, descending=True) for d in new):
        return None
    return tuple(out)


def _insort(items: list[_T], item: _T, key: Callable[[_T], Any], *, descending: bool) -> bool:
    """Put ``item`` in its place in ``items`` (sorted by ``key``), found by bisection; False (and
    ``items`` as it was) when its key equals another's: their order is the full sort's to decide."""
    k = key(item)
    lo, hi = 0, len(items)
    while lo < hi:  # items[:lo] sort before it, items[hi:] after it
        mid = (lo + hi) // 2
        other = key(items[mid])
        if other == k:
            return False
        if (other > k) == descending:
            lo = mid + 1
        else:
            hi = mid
    items.insert(lo, item)
    return True


# --- the status board and what needs attention ---------------------------------------


@dataclass(frozen=True)
class Waiting:
    partner: Partner
    deadline: dt.datetime | None
    """The deadline in the partner's own time zone; None when the decision has none."""


@dataclass(frozen=True)
class Attention:
    """An open proposal that waits on partners (or is ready to accept), with or without a deadline.

    One without a deadline (a decision taken in a meeting a partner missed, an
    imported open row) waits until those partners approve: it is listed too.
    """

    decision: Decision
    deadline: dt.datetime | None
    left: dt.timedelta | None
    """Deadline minus now: negative once it has passed; None without a deadline."""
    waiting: tuple[Waiting, ...]
    """Partners whose approval is still missing."""
    silence_due: tuple[Partner, ...] = ()
    """Partners whose silence already counts as approval, not yet recorded."""
    ready: bool = False
    """Every approval the rules require is in (silence due included): it can be accepted."""

    @property
    def passed(self) -> bool:
        """Whether the deadline had passed when the pages were made."""
        return self.left is not None and self.left < dt.timedelta(0)

    @property
    def overdue(self) -> bool:
        return self.passed and not self.ready


@dataclass(frozen=True)
class Column:
    status: str
    count: int
    recent: tuple[Decision, ...]
    url: str
    """The page of every decision with this status (the filtered timeline)."""


@dataclass(frozen=True)
class Board:
    attention: tuple[Attention, ...]
    columns: tuple[Column, ...]
    classified: tuple[tuple[str, tuple[int, ...]], ...]
    """Status -> count per category (vocab.CATEGORIES order): the classified index."""
    upcoming: tuple[Attention, ...]
    """Open proposals whose deadline is further away than the attention window (``attention`` holds
    those due sooner, then those without a deadline)."""
    ready: frozenset[str] = frozenset()
    """Ids of the proposals whose approvals are complete (declog.log.standing.Standing.ready)."""
    recent: tuple[Decision, ...] = ()
    """The ``RECENT_SIZE`` decisions decided last (accepted, rejected or superseded), newest first."""
    everyone: frozenset[str] = frozenset()
    """Ids of the decisions every partner of the log is party to (cards leave their partners out)."""
    reviews: tuple[Due, ...] = ()
    """Accepted decisions whose review is due within the lead time, or overdue (declog.log.review)."""

    @property
    def open(self) -> tuple[Attention, ...]:
        """Every open proposal that waits on someone: ``attention``, then ``upcoming``."""
        return self.attention + self.upcoming


def attention(d: Decision, log: Log, now: dt.datetime) -> Attention | None:
    """A proposal's place in what needs attention (``standing``): every open proposal with a deadline,
    and one without a deadline while it waits on a partner or is ready to accept."""
    if d.status != vocab.PROPOSED:
        return None
    st = standing(d, log, now)
    if d.deadline is None and not (st.waiting_on or st.ready):
        return None
    deadline = d.deadline
    waiting = tuple(
        Waiting(log.partners[p], deadline.astimezone(zone(log.partners[p].timezone)) if deadline else None)
        for p in st.waiting_on
        if p in log.partners
    )
    due = tuple(log.partners[p] for p in st.silence_due if p in log.partners)
    left = deadline - now if deadline is not None else None
    return Attention(d, deadline, left, waiting, due, st.ready)


_LAST = 1 << 62  # after any ``instant``

#: Time alone changes a page at a moment it compares with (``now >= deadline``) or just after it
#: (``now > deadline``): a second later, every comparison has turned.
_TICK = dt.timedelta(seconds=1)


def as_of(
    log: Log, now: dt.datetime, base: dt.datetime | None = None, turns: Turns | None = None
) -> dt.datetime:
    """The moment the site shows ``log`` as of, when it is built at ``now``.

    What a page shows changes with time alone only when ``now`` passes a
    feedback deadline (silence starts to count, a proposal is overdue), enters
    a deadline's attention window (``feedback_window`` before it), or passes
    the moment a draft goes stale (the audit). The pages are built as of the
    latest of those moments up to ``now``, or of ``base`` (HEAD's commit time;
    else the newest time the log records) when that is later: every page then
    says exactly what it would say at ``now``, and a rebuild between two such
    moments changes nothing, so a scheduled rebuild rewrites only what time
    changed. Never after ``now``. ``turns``: ``Turns.of(log)``, when known.
    """
    turns = turns if turns is not None else Turns.of(log)
    latest = base or _newest(log)
    at = bisect.bisect_right(turns.moments, now)
    if at:
        latest = max(latest, min(turns.moments[at - 1] + _TICK, now))
    return min(latest, now).astimezone(now.tzinfo)


@dataclass(frozen=True)
class Turns:
    """The moments ``as_of`` turns at, in order."""

    moments: tuple[dt.datetime, ...]

    @classmethod
    def of(cls, log: Log) -> Turns:
        return cls(tuple(sorted(_moments(log), key=instant)))


def next_change(log: Log, now: dt.datetime) -> dt.datetime | None:
    """The first moment after ``now`` at which time alone changes what the pages of ``log`` show
    (``as_of``), or None when no deadline or draft lies ahead."""
    ahead = min((t for t in _moments(log) if t + _TICK > now), default=None)
    if ahead is None:
        return None
    return ahead if ahead > now else ahead + _TICK


def _moments(log: Log) -> Iterator[dt.datetime]:
    """The moments ``as_of`` turns at: deadlines, the start of their attention window, stale drafts,
    and review dates (entering their lead time, each day counted down, and overdue)."""
    yield from review_moments(log)
    window = log.config.workflow.feedback_window
    for d in log.decisions:
        if d.deadline is not None:
            yield d.deadline - window
            yield d.deadline
        if d.status == vocab.DRAFT and (begun := d.proposed or d.logged) is not None:
            yield begun + STALE_AFTER


def _newest(log: Log) -> dt.datetime:
    times = [t for d in log.decisions for t in (when(d), d.logged) if t]
    times += [m.date for m in log.meetings.values() if m.date]
    return max(times, key=instant, default=dt.datetime(1970, 1, 1, tzinfo=dt.UTC))  # instants: fast


def open_proposals(log: Log, now: dt.datetime) -> list[Attention]:
    """Every open proposal that needs attention, soonest deadline first, those without one last."""
    open_items = [a for d in log.decisions if (a := attention(d, log, now)) is not None]
    open_items.sort(key=_soonest)
    return open_items


def _soonest(a: Attention) -> tuple[int, str]:
    return (instant(a.deadline, _LAST), a.decision.id)


def board(
    log: Log,
    now: dt.datetime,
    *,
    ordered: Sequence[Decision] | None = None,
    open_items: Sequence[Attention] | None = None,
    reviews: Sequence[Due] | None = None,
) -> Board:
    """The home page: what needs attention first, then a column per status.

    ``ordered`` (the decisions newest first), ``open_items`` (``open_proposals``) and ``reviews``
    (``declog.log.review.due_reviews``) when already known.
    """
    window = log.config.workflow.feedback_window
    open_items = open_items if open_items is not None else open_proposals(log, now)
    urgent = tuple(a for a in open_items if a.left is not None and a.left <= window)
    urgent += tuple(a for a in open_items if a.left is None)  # waiting with no end: always
    later = tuple(a for a in open_items if a.left is not None and a.left > window)
    by_status: dict[str, list[Decision]] = {s: [] for s in vocab.STATUSES}
    ordered = ordered if ordered is not None else newest_first(log.decisions)
    for d in ordered:
        by_status[d.status].append(d)
    columns = tuple(
        Column(s, len(ds), tuple(ds[:COLUMN_SIZE]), urls.facet("status", s)) for s, ds in by_status.items()
    )
    counts = Counter((d.status, d.category) for d in log.decisions)
    classified = tuple((s, tuple(counts[s, c] for c in vocab.CATEGORIES)) for s in vocab.STATUSES)
    ready = frozenset(a.decision.id for a in open_items if a.ready)
    ready |= {d.id for d in by_status[vocab.PROPOSED] if d.deadline is None and standing(d, log, now).ready}
    # the newest decided ones: when a decided decision sits in time is its decision's date
    decided = tuple(itertools.islice((d for d in ordered if d.status in vocab.DECIDED_STATUSES), RECENT_SIZE))
    every, n = frozenset(log.partners), len(log.partners)
    everyone = frozenset(d.id for d in log.decisions if len(d.partners) >= n and every.issubset(d.partners))
    due = tuple(reviews if reviews is not None else due_reviews(log, now))
    return Board(urgent, columns, classified, later, ready, decided, everyone, due)


# --- the timeline and other paginated lists ---------------------------------------------


@dataclass(frozen=True)
class MonthGroup:
    key: str
    """``2026-11``, or ``undated``."""
    label: str
    items: tuple[Decision, ...]


@dataclass(frozen=True)
class ListPage:
    path: str
    heading: str
    intro: str
    items: tuple[Decision, ...]
    """The decisions on this page, newest first."""
    number: int
    pages: tuple[str, ...]
    """Path of every page of this list, first to last."""
    total: int
    facet: tuple[str, str] = ("", "")
    """(facet, value) for filtered timelines, for the filter bar."""
    notes: Mapping[str, str] = field(default_factory=dict)
    """Decision id -> a remark shown next to it (e.g. why the partner was absent)."""
    tz: dt.tzinfo = field(default=dt.UTC, repr=False, compare=False)
    """The site's time zone, which the months are in."""

    @functools.cached_property
    def declared(self) -> tuple[Dep, ...]:
        """What the page shows besides what every page sees, as declog.site.deps declares it: its
        heading, place among its list's pages and notes (a value), the filter bar on a filtered
        timeline, each decision's meta. Made once per page: a page kept between rebuilds keeps it."""
        shown = self.items
        notes = [self.notes.get(d.id, "") for d in shown] if self.notes else [""] * len(shown)
        # the pages of its list: the first one's path and how many (the others' paths follow from them)
        pages = (self.pages[0], len(self.pages))
        about = repr((self.heading, self.intro, self.number, pages, self.total, self.facet, notes))
        bar: tuple[Dep, ...] = (("filters",),) if self.path.startswith(FILTERED) else ()
        return (("value", about), *bar, *metas(shown))

    @functools.cached_property
    def months(self) -> tuple[MonthGroup, ...]:
        """The decisions grouped by month, made when the page is first rendered (most never are)."""
        return by_month(self.items, self.tz)

    @property
    def url(self) -> str:
        """This page of the list (``path``)."""
        return self.path

    @property
    def prev(self) -> str:
        return self.pages[self.number - 2] if self.number > 1 else ""

    @property
    def next(self) -> str:
        return self.pages[self.number] if self.number < len(self.pages) else ""


def month_key(d: Decision, tz: dt.tzinfo) -> str:
    t = when(d)
    return _month(t, tz) if t else "undated"


@functools.lru_cache(maxsize=1 << 16)
def _month(t: dt.datetime, tz: dt.tzinfo) -> str:
    """``2026-11``: the month of ``t`` in ``tz`` (a date-time's hash is kept with it: asked again for the
    same records from rebuild to rebuild, this is a lookup)."""
    return f"{t.astimezone(tz):%Y-%m}"


def by_month(decisions: Sequence[Decision], tz: dt.tzinfo) -> tuple[MonthGroup, ...]:
    """Group decisions (already newest first) by month in the site's time zone."""
    groups: dict[str, list[Decision]] = {}
    for d in decisions:
        groups.setdefault(month_key(d, tz), []).append(d)
    out = []
    for key, items in groups.items():
        label = "No date" if key == "undated" else f"{MONTHS[int(key[5:]) - 1]} {key[:4]}"
        out.append(MonthGroup(key, label, tuple(items)))
    return tuple(out)


def paginate(
    base: str,
    heading: str,
    decisions: Sequence[Decision],
    *,
    per_page: int,
    tz: dt.tzinfo,
    intro: str = "",
    facet: tuple[str, str] = ("", ""),
    notes: Mapping[str, str] | None = None,
    presorted: bool = False,
) -> list[ListPage]:
    """A list of decisions, newest first (``presorted``: already), cut into pages of ``per_page``."""
    ordered = list(decisions) if presorted else newest_first(decisions)
    per_page = max(per_page, 1)
    count = max(1, -(-len(ordered) // per_page))
    paths = tuple(urls.list_page(base, n) for n in range(1, count + 1))
    return [
        ListPage(
            path=paths[n - 1],
            heading=heading,
            intro=intro,
            items=tuple(ordered[(n - 1) * per_page : n * per_page]),
            number=n,
            pages=paths,
            total=len(ordered),
            facet=facet,
            notes=notes or {},
            tz=tz,
        )
        for n in range(1, count + 1)
    ]


@dataclass(frozen=True)
class FacetValue:
    value: str
    label: str
    count: int
    url: str


def facet_values(
    log: Log,
    fields: FieldViews | None = None,
    members: Mapping[tuple[str, str], Sequence[Decision]] | None = None,
) -> dict[str, tuple[FacetValue, ...]]:
    """Every facet's values that occur in the log, with counts and the filtered page; then the log's
    own fields declared with ``facet = true`` (``fields``), each as ``field-NAME``.

    ``members``: ``facet_members(log)``, when known (the counts are their lengths)."""
    counts: dict[str, Counter[str]] = {f: Counter() for f in (*FACETS, "tag")}
    if members is not None:
        for (facet, value), ds in members.items():
            if facet in counts:
                counts[facet][value] = len(ds)
    else:
        for d in log.decisions:
            counts["status"][d.status] += 1
            counts["mode"][d.mode] += 1
            counts["category"][d.category] += 1
            counts["partner"].update(set(d.partners))
            counts["tag"].update(set(d.tags))
    order: dict[str, Sequence[str]] = {
        "status": vocab.STATUSES,
        "mode": vocab.MODES,
        "category": vocab.CATEGORIES,
        "partner": sorted(counts["partner"]),
        "tag": sorted(counts["tag"]),
    }
    out = {
        f: tuple(
            FacetValue(v, log.partner_name(v) if f == "partner" else v, counts[f][v], urls.facet(f, v))
            for v in order[f]
            if counts[f][v]
        )
        for f in order
    }
    if fields is not None:
        for f, values in fields.counts(log.decisions).items():
            out[f] = tuple(FacetValue(k, text, n, urls.facet(f, k)) for k, text, n in values)
    return out


#: The types of the log's own facets whose values the partners' page lists (members by partner).
_PEOPLE = ("partner", "member")
#: The page that lists every value of a facet the filter bar may cut short.
_EVERY_VALUE = {"tag": urls.TAGS, "partner": urls.PARTNERS}


@dataclass(frozen=True)
class FilterBar:
    """What the filter bar of the timeline's lists shows: at most ``FILTER_SIZE`` values a facet."""

    facets: dict[str, tuple[FacetValue, ...]]
    """Each facet's values: every one, or the most used, in the usual order."""
    more: dict[str, str]
    """Each facet cut short -> the page that lists all its values (tags/, partners/)."""


def filter_bar(
    facets: Mapping[str, tuple[FacetValue, ...]],
    size: int = FILTER_SIZE,
    every: Mapping[str, str] | None = None,
) -> FilterBar:
    """``facets`` with each tag and partner list cut to its ``size`` most used values (ties: in order).

    ``every``: more facets that are cut short the same way -> the page that lists all their values
    (a field of partners or members: the partners' page).
    """
    pages = {**_EVERY_VALUE, **(every or {})}
    shown: dict[str, tuple[FacetValue, ...]] = {}
    more: dict[str, str] = {}
    for f, values in facets.items():
        if len(values) > size and f in pages:
            most = sorted(range(len(values)), key=lambda i: -values[i].count)[:size]
            more[f] = pages[f]
            values = tuple(values[i] for i in sorted(most))
        shown[f] = values
    return FilterBar(shown, more)


def facet_members(
    log: Log, ordered: Sequence[Decision] | None = None, fields: FieldViews | None = None
) -> dict[tuple[str, str], list[Decision]]:
    """(facet, value) -> the decisions in it, for every facet including tags and the facets of the
    log's own fields (``fields``: (``field-NAME``, key)).

    In the order of ``ordered`` (the log's decisions in some order), else the log's.
    """
    out: dict[tuple[str, str], list[Decision]] = {}
    for d in ordered if ordered is not None else log.decisions:
        for key in facet_keys(d, fields):
            out.setdefault(key, []).append(d)
    return out


def facet_keys(d: Decision, fields: FieldViews | None = None) -> list[tuple[str, str]]:
    """The (facet, value) pairs ``d`` stands under (``facet_members``)."""
    keys = [("status", d.status), ("mode", d.mode), ("category", d.category)]
    keys += [("partner", p) for p in dict.fromkeys(d.partners)]
    keys += [("tag", t) for t in dict.fromkeys(d.tags)]
    if fields is not None:
        keys += fields.members(d)
    return keys


def _refiled(
    members: Mapping[tuple[str, str], list[Decision]],
    gone: Iterable[Decision],
    new: Iterable[Decision],
    fields: FieldViews,
) -> dict[tuple[str, str], list[Decision]] | None:
    """``facet_members`` (each list newest first) without ``gone`` and with each of ``new`` in its
    place; None when one's place is not clear (its date and id equal another's). Lists are copied
    before they change: ``members`` stays as it was."""
    out = dict(members)
    copied: set[tuple[str, str]] = set()

    def writable(key: tuple[str, str]) -> list[Decision]:
        if key not in copied:
            out[key] = list(out.get(key, ()))
            copied.add(key)
        return out[key]

    for d in gone:
        for key in facet_keys(d, fields):
            if key in out:
                kept = writable(key)
                if d not in kept:
                    return None
                kept.remove(d)
                if not kept:
                    del out[key]
                    copied.discard(key)
    for d in new:
        for key in facet_keys(d, fields):
            if not _insort(writable(key), d, _newest_key, descending=True):
                return None
    return out


# --- partners --------------------------------------------------------------------------


@dataclass(frozen=True)
class Absence:
    decision: Decision
    how: str
    """``meeting`` (no member attended) or ``silence`` (accepted by silence)."""


@dataclass(frozen=True)
class PartnerView:
    partner: Partner
    awaiting: tuple[Attention, ...]
    absent: tuple[Absence, ...]
    proposals: tuple[Decision, ...]
    party: int
    """How many decisions the partner is party to."""
    reviews: tuple[Due, ...] = ()
    """Decisions owned by the partner's members whose review is due soon or overdue."""

    @property
    def url(self) -> str:
        """The partner's page (``partner.url`` is the partner's own website)."""
        return urls.partner(self.partner.id)

    @property
    def feed_url(self) -> str:
        return urls.partner_feed(self.partner.id)

    @property
    def calendar_url(self) -> str:
        return urls.partner_calendar(self.partner.id)

    @property
    def absent_url(self) -> str:
        """Every decision made in the partner's absence (written when there are more than a page shows)."""
        return urls.partner_list(self.partner.id, "absent")

    @property
    def proposals_url(self) -> str:
        """Every proposal by the partner's members (written when there are more than a page shows)."""
        return urls.partner_list(self.partner.id, "proposals")

    @property
    def timeline_url(self) -> str:
        """The timeline of the decisions the partner is party to."""
        return urls.facet("partner", self.partner.id)


def partner_views(
    log: Log,
    now: dt.datetime,
    *,
    ordered: Sequence[Decision] | None = None,
    open_items: Sequence[Attention] | None = None,
    reviews: Sequence[Due] | None = None,
    members: Mapping[tuple[str, str], Sequence[Decision]] | None = None,
) -> dict[str, PartnerView]:
    """Every partner's view, from one pass over the decisions (newest first).

    ``ordered``, ``open_items`` (``open_proposals``), ``reviews`` (``due_reviews``) and ``members``
    (``facet_members``: how many decisions each partner is party to) when already known.
    """
    ids = sorted(log.partners)
    awaiting: dict[str, list[Attention]] = {pid: [] for pid in ids}
    absent: dict[str, list[Absence]] = {pid: [] for pid in ids}
    proposals: dict[str, list[Decision]] = {pid: [] for pid in ids}
    party: Counter[str] = Counter()
    for a in open_items if open_items is not None else open_proposals(log, now):
        for pid in dict.fromkeys(w.partner.id for w in a.waiting):
            awaiting[pid].append(a)
    owned: dict[str, list[Due]] = {pid: [] for pid in ids}
    for r in reviews if reviews is not None else due_reviews(log, now):
        for pid in sorted(log.member_of.get(r.decision.owner, ())):
            owned[pid].append(r)
    if members is not None:
        party.update({pid: len(members.get(("partner", pid), ())) for pid in ids})
    decided = vocab.DECIDED_STATUSES
    for d in ordered if ordered is not None else newest_first(log.decisions):
        if members is None:
            party.update(pid for pid in dict.fromkeys(d.partners) if pid in awaiting)
        if d.owner:
            for pid in log.member_of.get(d.owner, ()):
                proposals[pid].append(d)
        if d.status not in decided:
            continue
        for state in standing(d, log, now).partners:  # one per party, in its order
            if state.partner not in absent:
                continue
            if state.absent:
                absent[state.partner].append(Absence(d, "meeting"))
            elif state.state == SILENCE:
                absent[state.partner].append(Absence(d, "silence"))
    return {
        pid: PartnerView(
            partner=log.partners[pid],
            awaiting=tuple(awaiting[pid]),
            absent=tuple(absent[pid]),
            proposals=tuple(proposals[pid]),
            party=party[pid],
            reviews=tuple(owned[pid]),
        )
        for pid in ids
    }


# --- decisions -------------------------------------------------------------------------


@dataclass(frozen=True)
class MatrixRow:
    partner: str
    name: str
    state: str
    """One of declog.log.standing.STATES."""
    approval: Approval | None = None
    counted: bool = True
    absent: bool = False
    """No member of the partner attended the decision's meeting."""
    ref_url: str = ""
    """Where the approval's ``ref`` leads: the ref itself when it is an http(s) URL, the pull request
    on the forge for ``#54`` when ``[site] repository`` is set, else ""."""

    @property
    def label(self) -> str:
        """The state as a reader sees it (declog.log.standing.LABELS)."""
        return LABELS[self.state]


@dataclass(frozen=True)
class DecisionView:
    decision: Decision
    owner: Member | None
    owner_partner: Partner | None
    meeting: Meeting | None
    matrix: tuple[MatrixRow, ...]
    supersedes: tuple[Decision, ...]
    superseded_by: Decision | None
    chain: tuple[Decision, ...]
    """Every decision linked to this one by supersede links, oldest first."""
    links_out: tuple[Decision, ...]
    backlinks: tuple[Decision, ...]
    history: tuple[Commit, ...]
    lag: dt.timedelta | None
    """How long after it was decided the entry reached the log (declog.log.standing.logging_lag)."""
    standing: Standing
    repository: urls.Repository | None = None
    """The log's repository (``[site] repository``), or None: nothing links into it."""

    @property
    def waiting(self) -> tuple[str, ...]:
        return self.standing.waiting_on

    @property
    def url(self) -> str:
        """The decision's page."""
        return urls.decision(self.decision.id)

    @property
    def source_url(self) -> str:
        """The decision's file on the repository's default branch, or ""."""
        return self.repository.file(self.decision.path) if self.repository else ""

    def commit_url(self, sha: str) -> str:
        """A commit of the decision's history on the forge, or ""."""
        return self.repository.commit(sha) if self.repository else ""


def chain(d: Decision, log: Log) -> tuple[Decision, ...]:
    """The supersede chain through ``d``, oldest first (a single decision when there is none)."""
    seen: dict[str, Decision] = {}
    todo = [d]
    while todo:
        current = todo.pop()
        if current.id in seen:
            continue
        seen[current.id] = current
        nxt = [log.by_id.get(i) for i in (*current.supersedes, current.superseded_by) if i]
        todo += [n for n in nxt if n is not None]
    return tuple(sorted(seen.values(), key=lambda x: (instant(when(x)), x.id)))


def matrix(st: Standing, log: Log) -> tuple[MatrixRow, ...]:
    """One row per partner party to the decision: who approved, when and how, or why not."""
    repository = urls.repository(log.config.site)
    return tuple(
        MatrixRow(
            p.partner,
            log.partner_name(p.partner),
            p.state,
            p.approval,
            p.counted,
            p.absent,
            ref_url(p.approval, repository) if p.approval else "",
        )
        for p in st.partners
    )


def ref_url(a: Approval, repository: urls.Repository | None) -> str:
    """Where an approval's ``ref`` leads, or "" (``MatrixRow.ref_url``)."""
    if a.ref.startswith(("http://", "https://")):
        return a.ref
    if repository is not None and a.via == vocab.VIA_PR_REVIEW:
        return repository.reference(a.ref)
    return ""


def decision_view(
    d: Decision, log: Log, link_map: Links, history: Mapping[str, tuple[Commit, ...]], now: dt.datetime
) -> DecisionView:
    owner_partners = sorted(log.member_of.get(d.owner, ())) if d.owner else []
    owner_partner = log.partners.get(owner_partners[0]) if owner_partners else None
    owner = next((m for m in owner_partner.members if m.handle == d.owner), None) if owner_partner else None
    ids = log.by_id
    st = standing(d, log, now)
    return DecisionView(
        decision=d,
        owner=owner,
        owner_partner=owner_partner,
        meeting=log.meetings.get(d.meeting) if d.meeting else None,
        matrix=matrix(st, log),
        supersedes=tuple(ids[i] for i in d.supersedes if i in ids),
        superseded_by=ids.get(d.superseded_by) if d.superseded_by else None,
        chain=chain(d, log),
        links_out=tuple(ids[i] for i in link_map.out.get(d.id, ())),
        backlinks=tuple(ids[i] for i in link_map.into.get(d.id, ())),
        history=history.get(d.path, ()),
        lag=logging_lag(d),
        standing=st,
        repository=urls.repository(log.config.site),
    )


# --- meetings --------------------------------------------------------------------------


@dataclass(frozen=True)
class MeetingView:
    meeting: Meeting
    attendees: tuple[tuple[Partner, tuple[Member, ...]], ...]
    """Partners present and which of their members attended."""
    absent: tuple[Partner, ...]
    decisions: tuple[Decision, ...]

    @property
    def url(self) -> str:
        """The meeting's page."""
        return urls.meeting(self.meeting.id)

    @property
    def taken(self) -> tuple[Decision, ...]:
        """The decisions it names that were decided (accepted, rejected, superseded since)."""
        return tuple(d for d in self.decisions if d.status in vocab.DECIDED_STATUSES)

    @property
    def pending(self) -> tuple[Decision, ...]:
        """The decisions it names that are still open or were withdrawn: proposed there, not decided."""
        return tuple(d for d in self.decisions if d.status not in vocab.DECIDED_STATUSES)


def meeting_view(m: Meeting, log: Log, named_by: Mapping[str, Sequence[str]] | None = None) -> MeetingView:
    """``named_by``: meeting id -> ids of the decisions naming it (computed when not given)."""
    present: dict[str, list[Member]] = {}
    for handle in m.attendees:
        for pid in sorted(log.member_of.get(handle, ())):
            member = next((x for x in log.partners[pid].members if x.handle == handle), Member(handle))
            present.setdefault(pid, []).append(member)
    naming = named_by[m.id] if named_by is not None and m.id in named_by else ()
    if named_by is None:
        naming = [d.id for d in log.decisions if d.meeting == m.id]
    ids = [*m.decisions, *naming]
    return MeetingView(
        meeting=m,
        attendees=tuple((log.partners[p], tuple(ms)) for p, ms in sorted(present.items())),
        absent=tuple(p for pid, p in sorted(log.partners.items()) if pid not in present),
        decisions=tuple(log.by_id[i] for i in dict.fromkeys(ids) if i in log.by_id),
    )


def meetings_newest_first(log: Log) -> list[Meeting]:
    epoch = dt.datetime.min.replace(tzinfo=dt.UTC)
    return sorted(log.meetings.values(), key=lambda m: (m.date or epoch, m.id), reverse=True)


# --- a cache the page renderers share ------------------------------------------------


#: The projections ``Views`` computes once and ``Views.carry`` keeps.
PROJECTIONS = (
    "links",
    "related",
    "ordered",
    "latest",
    "open_proposals",
    "open_reviews",
    "reviews",
    "index",
    "board",
    "fields",
    "facets",
    "filters",
    "facet_members",
    "partners",
    "named_by",
    "all_lists",
    "audit",
)


#: ``Views.follow`` patches the projections of at most so many changed records, else makes them anew.
FOLLOW_MOST = 64
#: The projections that read only how the log's decisions link to each other (``graph_key``):
#: ``Views.follow`` keeps them for a later version of the log whose decisions link the same way.
GRAPH = ("links", "related")


def graph_key(doc: object) -> tuple[object, ...] | None:
    """What the ``GRAPH`` projections read of a document: a decision's id, its supersede links and
    the references in its body; nothing of any other document."""
    if not isinstance(doc, Decision):
        return None
    return (doc.id, doc.supersedes, doc.superseded_by, referenced(doc))


class Views:
    """Every projection of one log, computed on first use and kept.

    The projections read the shape of documents, never their text (see
    declog.check.shape): a view that shows a document's text keeps the document.
    """

    def __init__(self, log: Log, now: dt.datetime, history: Mapping[str, tuple[Commit, ...]]) -> None:
        self.log = log
        self.now = now
        self.history = history
        self.tz = zone(log.config.site.timezone)
        self._cuts: dict[str, tuple[tuple[object, ...], list[ListPage]]] = {}
        """Each paginated list's folder -> what its pages were cut from, and the pages (``all_lists``)."""
        self._cut_before: Mapping[str, tuple[tuple[object, ...], list[ListPage]]] = {}
        """``_cuts`` of the views these follow (``follow``): a list cut from the same is kept as it was."""

    @functools.cached_property
    def links(self) -> Links:
        return links(self.log)

    @functools.cached_property
    def related(self) -> dict[str, tuple[Dep, ...]]:
        """Decision id -> ``related_of`` the decision, for those asked about so far."""
        return {}

    def related_of(self, d: Decision) -> tuple[Dep, ...]:
        """What the page of ``d`` (a decision of the log) and its JSON file declare (declog.site.deps):
        its body and the meta of every decision they show (itself, its supersede chain, the decisions
        it links to and those linking to it), in path order: equal for every version of the log
        linked the same way, so ``follow`` keeps what was worked out. Worked out when asked: a warm
        build after a body edit asks about the few pages that show that body."""
        known = self.related
        found = known.get(d.id)
        if found is None:
            log, links, ids = self.log, self.links, self.log.by_id
            shown = {d.path: d}
            if d.supersedes or d.superseded_by:
                shown.update((x.path, x) for x in chain(d, log))
            shown.update((ids[i].path, ids[i]) for i in (*links.out.get(d.id, ()), *links.into.get(d.id, ())))
            found = known[d.id] = (("body", d.path), *metas(shown[path] for path in sorted(shown)))
        return found

    @functools.cached_property
    def ordered(self) -> tuple[Decision, ...]:
        """The log's decisions, newest first: the order of every list."""
        return tuple(newest_first(self.log.decisions))

    @functools.cached_property
    def latest(self) -> tuple[Decision, ...]:
        """The log's decisions, most recently changed first (``updated``): the feeds' order."""
        return tuple(latest(self.log.decisions, self.history))

    def _latest_key(self, d: Decision) -> tuple[int, str]:
        return (instant(updated(d, self.history)), d.id)

    @functools.cached_property
    def open_proposals(self) -> list[Attention]:
        return open_proposals(self.log, self.now)

    @functools.cached_property
    def open_reviews(self) -> list[Due]:
        """Every open review date, however far ahead (the partners' calendars)."""
        return open_reviews(self.log, self.now)

    @functools.cached_property
    def reviews(self) -> list[Due]:
        """Decisions due for review as of the pages' time (declog.log.review.due_reviews)."""
        return due_reviews(self.log, self.now, self.open_reviews)

    @functools.cached_property
    def index(self) -> tuple[Decision, ...]:
        """The log's decisions by number: the rows of the compact index (decisions/index.html)."""
        return tuple(sorted(self.log.decisions, key=lambda d: (len(d.id), d.id)))

    @functools.cached_property
    def board(self) -> Board:
        return board(
            self.log, self.now, ordered=self.ordered, open_items=self.open_proposals, reviews=self.reviews
        )

    @functools.cached_property
    def fields(self) -> FieldViews:
        """The log's own fields as the pages show them (declog.site.fieldviews)."""
        return FieldViews(self.log.config.fields, self.log.partners, self.tz)

    @functools.cached_property
    def facets(self) -> dict[str, tuple[FacetValue, ...]]:
        return facet_values(self.log, self.fields, self.facet_members)

    @functools.cached_property
    def filters(self) -> FilterBar:
        people = {
            f.facet: urls.PARTNERS for f in self.fields.facets if f.spec.item_type in ("partner", "member")
        }
        return filter_bar(self.facets, every=people)

    @functools.cached_property
    def facet_members(self) -> dict[tuple[str, str], list[Decision]]:
        return facet_members(self.log, self.ordered, self.fields)

    @functools.cached_property
    def partners(self) -> dict[str, PartnerView]:
        return partner_views(
            self.log,
            self.now,
            ordered=self.ordered,
            open_items=self.open_proposals,
            reviews=self.reviews,
            members=self.facet_members,
        )

    def warm(self) -> None:
        """Compute the shared projections now: forked workers inherit them instead of each redoing them."""
        for name in (
            "links",
            "board",
            "facets",
            "filters",
            "facet_members",
            "partners",
            "named_by",
            "all_lists",
        ):
            getattr(self, name)

    def decision(self, d: Decision) -> DecisionView:
        return decision_view(d, self.log, self.links, self.history, self.now)

    def standing(self, d: Decision) -> Standing:
        """Where ``d`` stands as of the pages' time (declog.log.standing)."""
        return standing(d, self.log, self.now)

    @functools.cached_property
    def audit(self) -> Audit:
        """``declog audit`` with its default window, as of the pages' time (the health page)."""
        return run_audit(self.log, Window(now=self.now))

    @functools.cached_property
    def named_by(self) -> dict[str, list[str]]:
        """Meeting id -> ids of the decisions that name it."""
        out: dict[str, list[str]] = {}
        for d in self.log.decisions:
            if d.meeting:
                out.setdefault(d.meeting, []).append(d.id)
        return out

    def meeting(self, m: Meeting) -> MeetingView:
        return meeting_view(m, self.log, self.named_by)

    def rebase(self, log: Log) -> None:
        """Make these views ``log``'s: a later version of their log in which only bodies changed.

        Every projection stays as it is (see ``carry``).
        """
        self.log = log

    def follow(self, log: Log, now: dt.datetime, history: Mapping[str, tuple[Commit, ...]]) -> Views:
        """Views of ``log`` as of ``now``: a later version of this one's log. When it holds the same
        documents (by path) and only a few records changed, the projections of how decisions link
        to each other (``GRAPH``) are kept if they still link the same way (``graph_key``), and the
        decisions' orders (``ordered``, and ``latest`` with the same history) are kept with the
        changed decisions moved to their places; everything else is made anew."""
        out = Views(log, now, history)
        was, new = self.log.by_path, log.by_path
        if was.keys() != new.keys():
            return out
        changed = [doc for path, doc in new.items() if doc is not was[path]]
        if len(changed) > FOLLOW_MOST:
            return out
        if all(graph_key(was[doc.path]) == graph_key(doc) for doc in changed):
            out.__dict__.update({k: v for k, v in self.__dict__.items() if k in GRAPH})
        gone = {was[doc.path] for doc in changed}
        moved = [doc for doc in changed if isinstance(doc, Decision)]
        same_fields = log.config == self.log.config and log.partners is self.log.partners
        if "facet_members" in self.__dict__ and same_fields:  # the same facets: refile what moved
            olds = [d for d in gone if isinstance(d, Decision)]
            members = _refiled(self.facet_members, olds, moved, self.fields)
            if members is not None:
                out.__dict__.update(fields=self.fields, facet_members=members)
        if same_fields:  # the same settings: a list cut from the same decisions keeps its pages
            out._cut_before = self._cuts
        same_standing = (  # where an unchanged decision stands is the same (standing._context)
            now == self.now
            and same_fields
            and log.meetings is self.log.meetings
            and agreement_of(log) is agreement_of(self.log)
        )
        if "open_proposals" in self.__dict__ and same_standing:
            waiting = [a for a in self.open_proposals if a.decision not in gone]
            found = [a for d in moved if (a := attention(d, log, now)) is not None]
            if all(_insort(waiting, a, _soonest, descending=False) for a in found):
                out.__dict__["open_proposals"] = waiting
        orders = [("ordered", _newest_key)]
        if history is self.history:
            orders.append(("latest", out._latest_key))
        for name, key in orders:
            if name in self.__dict__:
                kept = _resorted(self.__dict__[name], gone, moved, key)
                if kept is not None:
                    out.__dict__[name] = kept
        return out

    def carry(self, log: Log) -> Views:
        """These views for ``log``: a later version of this one's log in which only bodies changed.

        The projections computed so far are kept as they are: they hold the
        earlier records, equal to the later ones but for their bodies, which
        pages look up by path (declog.site.pages.SiteState.body).
        """
        out = Views(log, self.now, self.history)
        out.__dict__.update({k: v for k, v in self.__dict__.items() if k in PROJECTIONS})
        out._cuts = self._cuts
        return out

    def lists(self) -> list[ListPage]:
        """Every paginated list: the timeline, its filters, tag pages, partner sub-lists."""
        return self.all_lists

    @functools.cached_property
    def all_lists(self) -> list[ListPage]:
        per_page, tz, log = self.log.config.site.per_page, self.tz, self.log

        before, self._cuts = self._cut_before, {}

        def cut(base: str, heading: str, ds: Sequence[Decision], **more: Any) -> list[ListPage]:
            made_from = (heading, ds, more)
            last = before.get(base)
            if last is not None and last[0] == made_from:  # the same decisions (records), in order
                pages = last[1]
            else:
                pages = paginate(base, heading, ds, per_page=per_page, tz=tz, presorted=True, **more)
                if last is not None:  # a page equal to the last one's is that one (with what it made)
                    was = last[1] + pages[len(last[1]) :]
                    pages = [old if old == new else new for old, new in zip(was, pages, strict=False)]
            self._cuts[base] = (made_from, pages)
            return pages

        pages = cut(
            urls.TIMELINE_FOLDER, "Timeline", self.ordered, intro="Every decision over time, newest first."
        )
        labels = {(f, v.value): v.label for f, values in self.facets.items() for v in values}
        for (facet, value), ds in sorted(self.facet_members.items()):
            label = log.partner_name(value) if facet == "partner" else labels.get((facet, value), value)
            custom = self.fields.by_facet.get(facet)
            name = custom.label.lower() if custom is not None else facet
            heading = f"Tag: {value}" if facet == "tag" else f"Timeline: {name} {label}"
            pages += cut(urls.facet_folder(facet, value), heading, ds, facet=(facet, value))
        for pid, pv in self.partners.items():
            name = pv.partner.name
            notes = {a.decision.id: _absence_note(a, log) for a in pv.absent}
            absent = [a.decision for a in pv.absent]
            if len(absent) > COLUMN_SIZE:  # the partner page shows the first ones and links here
                folder = urls.partner_list_folder(pid, "absent")
                pages += cut(folder, f"Decided in {name}'s absence", absent, notes=notes)
            if len(pv.proposals) > COLUMN_SIZE:
                folder = urls.partner_list_folder(pid, "proposals")
                pages += cut(folder, f"Proposals by {name}", pv.proposals)
        return pages


def _absence_note(a: Absence, log: Log) -> str:
    if a.how == "silence":
        return "accepted by silence"
    m = log.meetings.get(a.decision.meeting)
    return f"absent from {m.title or m.id}" if m else "absent from the meeting"
