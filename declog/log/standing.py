"""Where a decision stands: the one place each derived fact about a decision is computed.

Every reader of the log (the check's rules, ``approvals``, the site's views
and templates, the feeds and calendars, decisions.json, ``query``, ``audit``
and ``export``) takes these facts from here; none works them out again.

Per partner party to a decision, one state (``PartnerState.state``):

- ``approved``: an approval on record that counts under the rules (the
  partner is party, the approver is a member of it, not the owner unless
  self-approval is agreed);
- ``silence``: an approval by silence on record that counts;
- ``silence-due``: nothing on record, but the partner's silence already counts
  (silence is agreed for it and the category, the deadline has passed, and the
  decision was proposed after the silence agreement was decided): the
  approval is in, only not yet written down ("approved by silence — record
  it");
- ``pending``: an open decision still waits on this partner;
- ``absent``: the decision was made in a meeting no member of the partner
  attended, and nothing counts for it;
- ``none``: a closed decision without a counting approval from this partner.

Two more states arise only where a pull request's reviews are read (``declog
approvals``): ``changes-requested`` (a member's latest review asks for
changes: a blocking concern) and ``stale`` (a member approved an older text).
``LABELS`` gives each state its words for readers ("approved by silence",
"changes requested"); every output that shows a state takes them from there.

Dates: ``when`` places a decision in time (decided, else proposed, else
logged). The **logging lag** is how long after the decision was made its entry
reached the log: ``logged - decided``, and zero when the entry was in the log
before it was decided (an async decision is accepted in place, so it never
waits to be written down). It is never negative.

References: a decision refers to another with ``[[NNNN]]`` or a Markdown link
to its file, outside code (fenced or indented code blocks and inline code
spans are never references). ``reference_candidates`` finds them and
``outside_code`` keeps those outside code: the one definition, which the
rules, the site's links and backlinks, decisions.json and the SQLite export
all use (``referenced``, or both steps where only a few matter).
"""

from __future__ import annotations

import datetime as dt
import functools
import operator
import re
import weakref
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from declog.log import vocab
from declog.log.model import Approval, Decision, Document, Log, Meeting

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

#: Per-partner states: the whole vocabulary, wherever a partner's state is shown.
APPROVED = "approved"
SILENCE = "silence"
SILENCE_DUE = "silence-due"
PENDING = "pending"
ABSENT = "absent"
NONE = "none"
#: These two arise only from pull-request reviews (``declog approvals``), never from the log alone.
CHANGES_REQUESTED = "changes-requested"
STALE = "stale"
STATES = (APPROVED, SILENCE, SILENCE_DUE, CHANGES_REQUESTED, PENDING, STALE, ABSENT, NONE)

#: Each state as a reader sees it: the site's approvals table, ``declog approvals``' report.
LABELS: Mapping[str, str] = {
    APPROVED: "approved",
    SILENCE: "approved by silence",
    SILENCE_DUE: "approved by silence — record it",
    CHANGES_REQUESTED: "changes requested",
    PENDING: "pending",
    STALE: "stale",
    ABSENT: "absent from the meeting",
    NONE: "did not approve",
}

#: States in which a partner's approval counts (recorded or, for ``silence-due``, owed to the record).
COUNTING = frozenset({APPROVED, SILENCE, SILENCE_DUE})

#: ``[[0042]]`` in a body: a reference to decision 0042.
WIKI_REF = re.compile(r"\[\[\s*([0-9]{4,})\s*\]\]")
#: A Markdown link target naming a decision file: ``](0042-slug.md)``, ``](../decisions/0042-x.md#h)``.
FILE_LINK = re.compile(
    r"\]\(\s*<?((?:\.\./decisions/|\./)?([0-9]{4,}-[a-z0-9-]+\.md))(?:#[^)\s>]*)?>?\s*(?:\"[^\"]*\")?\)"
)

#: A line indented as code after a blank line: the body may hold an indented code block. (A body
#: that starts indented is told by ``startswith``; the search starts with a literal line break, which
#: is many times faster than ``(?:^|\n)``, tried at every character.)
_INDENTED = re.compile(r"\n[ \t]*\n(?: {4}|\t)")
#: A run of backticks: code spans open and close with runs of the same length.
_BACKTICKS = re.compile(r"`+")


@functools.cache
def _blocks() -> MarkdownIt:
    """CommonMark's block structure alone (no inline rules): where the code blocks are. Made on first
    use: importing markdown-it costs more than checking a log without code."""
    from markdown_it import MarkdownIt

    return MarkdownIt("zero").enable(MarkdownIt("commonmark").get_all_rules()["block"]).disable("inline")


def counted_approvals(d: Decision, log: Log) -> dict[str, Approval]:
    """Partner id -> the approval on record that counts for it under the rules.

    An approval counts when its partner is party to the decision, its author is
    a member of that partner and not the owner (unless self-approval is
    agreed), and, for silence, when silence is agreed for that partner and
    category and the deadline had passed. Silence needs no author: one
    recorded without ``by`` is judged by those rules alone; one that names a
    ``by`` is judged as any other approval as well.
    """
    wf = log.config.workflow
    out: dict[str, Approval] = {}
    for a in d.approvals:
        if a.partner not in d.partners or a.partner in out:
            continue
        if a.by or a.via != vocab.VIA_SILENCE:  # silence names no one; a named approver is judged
            if a.partner not in log.member_of.get(a.by, ()):
                continue
            if a.by == d.owner and not wf.self_approval:
                continue
        if a.via == vocab.VIA_SILENCE and not _recorded_silence_ok(d, a, log):
            continue
        out[a.partner] = a
    return out


def _recorded_silence_ok(d: Decision, a: Approval, log: Log) -> bool:
    silence = log.config.workflow.silence
    if not silence.covers(a.partner, d.category):
        return False
    if d.deadline is None or (a.at is not None and a.at < d.deadline):
        return False
    return not (d.decided is not None and d.decided < d.deadline)


def agreement_of(log: Log) -> Decision | None:
    """The decision that made the silence agreement (``[workflow.silence] agreement``), if it exists."""
    agreed = log.config.workflow.silence.agreement
    return log.by_id.get(agreed) if agreed else None


def silence_counts(d: Decision, partner: str, log: Log, now: dt.datetime) -> bool:
    """Whether ``partner``'s silence on ``d`` counts as its approval at ``now``.

    Silence must be agreed for the partner and the decision's category; the
    deadline must have passed, and the decision must not have been decided
    before it (as for silence on record, ``counted_approvals``); when the
    agreement names the decision that made it, that decision must be accepted
    and ``d`` proposed after it was decided.
    ``log`` is the log whose settings and agreement judge (the base branch's,
    for a pull request).
    """
    silence = log.config.workflow.silence
    if not silence.covers(partner, d.category) or d.deadline is None or now < d.deadline:
        return False
    if d.decided is not None and d.decided < d.deadline:
        return False  # decided inside the window: no one's silence was waited for
    if not silence.agreement:
        return True
    agreement = agreement_of(log)
    if agreement is None or agreement.status not in vocab.FROZEN_STATUSES:
        return False
    return not (agreement.decided and d.proposed and d.proposed < agreement.decided)


def needed(d: Decision, log: Log) -> int:
    """How many partners' approvals the rules require for ``d`` to be accepted."""
    wf = log.config.workflow
    if not d.partners:
        return 0
    if wf.approval == vocab.APPROVE_QUORUM:
        return min(wf.quorum, len(d.partners))
    return len(d.partners)


def attending(meeting: Meeting, log: Log) -> frozenset[str]:
    """Partners with at least one member among the meeting's attendees."""
    return frozenset(p for h in meeting.attendees for p in log.member_of.get(h, ()))


@dataclass(frozen=True)
class PartnerState:
    partner: str
    state: str
    """One of ``STATES``."""
    approval: Approval | None = None
    """The approval that counts; else the one on record that does not; else None."""
    absent: bool = False
    """The decision names a meeting that no member of the partner attended."""

    @property
    def counts(self) -> bool:
        return self.state in COUNTING

    @property
    def label(self) -> str:
        """The state as a reader sees it (``LABELS``)."""
        return LABELS[self.state]

    @property
    def counted(self) -> bool:
        """Whether ``approval`` (when there is one) is the one that counts."""
        return self.approval is None or self.state in (APPROVED, SILENCE)


@dataclass(frozen=True)
class Standing:
    """A decision's approvals and readiness at one moment."""

    decision: Decision
    partners: tuple[PartnerState, ...]
    needed: int
    """How many partners must approve (all of them, or the quorum)."""

    def of(self, partner: str) -> PartnerState | None:
        return next((p for p in self.partners if p.partner == partner), None)

    @property
    def counted(self) -> Mapping[str, Approval]:
        """Partner id -> the approval on record that counts."""
        return {p.partner: p.approval for p in self.partners if p.state in (APPROVED, SILENCE) and p.approval}

    @property
    def approved_by(self) -> tuple[str, ...]:
        """Partners whose approval counts, on record or by silence that is due."""
        return tuple(p.partner for p in self.partners if p.counts)

    @property
    def silence_due(self) -> tuple[str, ...]:
        """Partners whose silence counts but is not on record yet."""
        return tuple(p.partner for p in self.partners if p.state == SILENCE_DUE)

    @property
    def waiting_on(self) -> tuple[str, ...]:
        """Partners an open decision still waits on."""
        return tuple(p.partner for p in self.partners if p.state == PENDING)

    @property
    def until(self) -> dt.datetime | None:
        """Until when it waits: the deadline of an open decision that waits on someone."""
        return self.decision.deadline if self.waiting_on else None

    @property
    def ready(self) -> bool:
        """A proposal whose approvals are complete (silence due included): it can be accepted."""
        d = self.decision
        return d.status == vocab.PROPOSED and bool(d.partners) and len(self.approved_by) >= self.needed

    def decided_at(self, now: dt.datetime) -> dt.datetime:
        """For a ``ready`` proposal: the moment to write as ``decided`` on accepting it (``decided_at``)."""
        silence = any(p.state in (SILENCE, SILENCE_DUE) for p in self.partners)
        return decided_at(self.decision, [self.decision.deadline] if silence else [], now)


def decided_at(d: Decision, approved: Iterable[dt.datetime | None], now: dt.datetime) -> dt.datetime:
    """When a proposal whose approvals are complete was decided: when the last approval came in.

    The latest of the approvals on record and ``approved`` (those about to be recorded; silence
    counts from the deadline), never before it was proposed: a ``decided`` earlier than any of
    them is a finding (DL316, DL313). ``now`` when no time is known.
    """
    times = [t for t in (d.proposed, *(a.at for a in d.approvals), *approved) if t is not None]
    return max(times, default=now)


#: The last standing worked out per decision, with what it was worked out from besides the decision
#: (``_context``) and the moment: the board, the partner pages, the feeds and the decision's own page
#: all ask for the same one, and a later version of the log that changed other decisions does too.
_STANDING: weakref.WeakKeyDictionary[Decision, tuple[tuple[object, ...], dt.datetime, Standing]] = (
    weakref.WeakKeyDictionary()
)


def _context(log: Log) -> tuple[object, ...]:
    """What a decision's standing reads besides the decision: the settings, the partners and their
    members, the meetings (attendance) and the silence agreement's decision. A log patched from
    another (declog.log.load.patch_log) shares those objects while they are unchanged."""
    return (log.config, log.partners, log.meetings, agreement_of(log))


def standing(d: Decision, log: Log, now: dt.datetime) -> Standing:
    """Where ``d`` stands at ``now``: one state per partner party to it, in ``d.partners`` order."""
    known = _STANDING.get(d)
    context = _context(log)
    if known is not None and known[1] == now and all(map(operator.is_, known[0], context)):
        return known[2]
    found = _standing(d, log, now)
    _STANDING[d] = (context, now, found)
    return found


def _standing(d: Decision, log: Log, now: dt.datetime) -> Standing:
    counted = counted_approvals(d, log)
    meeting = log.meetings.get(d.meeting) if d.meeting else None
    present = attending(meeting, log) if meeting is not None else None
    is_open = d.status in vocab.OPEN_STATUSES
    rows = []
    for p in dict.fromkeys(d.partners):
        absent = present is not None and p not in present
        a = counted.get(p)
        if a is not None:
            rows.append(PartnerState(p, SILENCE if a.via == vocab.VIA_SILENCE else APPROVED, a, absent))
            continue
        recorded = next((x for x in d.approvals if x.partner == p), None)
        if d.status == vocab.PROPOSED and silence_counts(d, p, log, now):
            state = SILENCE_DUE
        elif absent and not is_open:
            state = ABSENT
        elif is_open:
            state = PENDING
        else:
            state = NONE
        rows.append(PartnerState(p, state, recorded, absent))
    return Standing(d, tuple(rows), needed(d, log))


# --- time ------------------------------------------------------------------------------


def when(d: Decision) -> dt.datetime | None:
    """Where a decision sits in time: decided, else proposed, else logged."""
    return d.decided or d.proposed or d.logged


def logging_lag(d: Decision) -> dt.timedelta | None:
    """How long after it was decided the decision reached the log; never negative (see above)."""
    if d.logged is None or d.decided is None:
        return None
    return max(d.logged - d.decided, dt.timedelta(0))


# --- references ------------------------------------------------------------------------


def code_blocks(body: str, ticks: bool = True) -> list[tuple[int, int]]:
    """Character ranges of ``body``'s fenced and indented code blocks, as CommonMark finds them.

    ``ticks``: whether ``body`` holds a backtick at all (a caller that knows saves a scan).
    """
    # One-character tests first: they run at memchr speed, a longer needle costs a slower scan.
    fenced = (ticks and "```" in body) or ("~" in body and "~~~" in body)
    first = body.startswith(("    ", "\t"))
    maybe = "\n    " in body or ("\t" in body and "\n\t" in body)
    indented = first or (maybe and _INDENTED.search("\n" + body) is not None)
    if not fenced and not indented:
        return []
    starts = [0]
    for line in body.split("\n"):
        starts.append(starts[-1] + len(line) + 1)
    return [
        (starts[t.map[0]], starts[min(t.map[1], len(starts) - 1)])
        for t in _blocks().parse(body)
        if t.type in ("code_block", "fence") and t.map
    ]


def _paragraph(body: str, offset: int) -> tuple[int, int]:
    """The paragraph (between blank lines) that holds ``offset``, as a character range."""
    start = body.rfind("\n\n", 0, offset) + 1
    end = body.find("\n\n", offset)
    return start, len(body) if end < 0 else end


def _code_spans(body: str, start: int, end: int) -> list[tuple[int, int]]:
    """The inline code spans of the paragraph ``body[start:end]`` (character ranges, in order)."""
    if body.find("`", start, end) < 0:
        return []
    runs = [(m.start(), m.end()) for m in _BACKTICKS.finditer(body, start, end)]
    following: list[int] = [-1] * len(runs)  # index of the next run of the same length
    last: dict[int, int] = {}
    for i in range(len(runs) - 1, -1, -1):
        size = runs[i][1] - runs[i][0]
        following[i] = last.get(size, -1)
        last[size] = i
    spans = []
    i = 0
    while i < len(runs):
        j = following[i]
        if j < 0:
            i += 1
            continue
        spans.append((runs[i][0], runs[j][1]))
        i = j + 1
    return spans


_BLOCKS_OF: weakref.WeakKeyDictionary[Document, list[tuple[int, int]]] = weakref.WeakKeyDictionary()


def code_blocks_of(doc: Document) -> list[tuple[int, int]]:
    """``code_blocks(doc.body)``, once per record (its references and its sections both need it)."""
    found = _BLOCKS_OF.get(doc)
    if found is None:
        found = _BLOCKS_OF[doc] = code_blocks(doc.body)
    return found


def reference_candidates(body: str) -> list[re.Match[str]]:
    """Every match of ``WIKI_REF`` or ``FILE_LINK`` in ``body``, in order, code included.

    Not yet references: ``outside_code`` keeps those that are. A caller interested in a few of them
    (the check, in those that resolve to nothing) picks first and filters only those.
    """
    if "[[" not in body and ".md" not in body:
        return []
    wiki = list(WIKI_REF.finditer(body)) if "[[" in body else []
    files = list(FILE_LINK.finditer(body)) if "](" in body else []
    if wiki and files:
        return sorted(wiki + files, key=_start)
    return wiki or files


def outside_code(
    body: str, found: list[re.Match[str]], blocks_of: Callable[[], list[tuple[int, int]]] | None = None
) -> list[re.Match[str]]:
    """The matches of ``found`` (in order, from ``body``) that stand outside code blocks and code spans.

    ``blocks_of``: gives ``code_blocks(body)`` (a caller that keeps them saves working them out again).
    """
    if not found:
        return found
    ticks = "`" in body
    blocks = code_blocks(body, ticks) if blocks_of is None else blocks_of()
    if not blocks and not ticks:
        return found
    kept = []
    spans: dict[int, list[tuple[int, int]]] = {}  # paragraph start -> its code spans, found once
    for m in found:
        at = m.start()
        if blocks and any(a <= at < b for a, b in blocks):
            continue
        if ticks:
            start, end = _paragraph(body, at)
            inline = spans.get(start)
            if inline is None:
                inline = spans[start] = _code_spans(body, start, end)
            if any(a < at < b for a, b in inline):
                continue
        kept.append(m)
    return kept


def reference_matches(
    body: str, blocks_of: Callable[[], list[tuple[int, int]]] | None = None
) -> list[re.Match[str]]:
    """Every reference in ``body`` outside code, as matches of ``WIKI_REF`` or ``FILE_LINK`` (in order).

    ``blocks_of``: gives ``code_blocks(body)`` (a caller that keeps them saves working them out again).
    """
    return outside_code(body, reference_candidates(body), blocks_of)


def _start(m: re.Match[str]) -> int:
    return m.start()


_NAMES: weakref.WeakKeyDictionary[Document, tuple[str, ...]] = weakref.WeakKeyDictionary()


def referenced(doc: Document) -> tuple[str, ...]:
    """``references_in(doc.body)``, once per record (the shape, the links and the export need it)."""
    found = _NAMES.get(doc)
    if found is None:
        matches = reference_matches(doc.body, functools.partial(code_blocks_of, doc))
        found = _NAMES[doc] = tuple(_name(m) for m in matches)
    return found


def known_references(doc: Document, names: tuple[str, ...]) -> None:
    """Take ``names`` as ``referenced(doc)``: what an earlier process found in the same bytes (a
    decision's body is its file's own; ``Checker.restore`` keeps them), so no body is read again."""
    if doc not in _NAMES:
        _NAMES[doc] = names


def references_in(body: str) -> list[str]:
    """Decision ids (``[[0002]]``) and decision file names (``0002-x.md``) ``body`` refers to."""
    return [_name(m) for m in reference_matches(body)]


def _name(m: re.Match[str]) -> str:
    return m.group(1) if m.re is WIKI_REF else m.group(2)


@dataclass(frozen=True)
class Links:
    """Who refers to whom: decision id -> the decisions it refers to, and the ones referring to it."""

    out: Mapping[str, tuple[str, ...]]
    into: Mapping[str, tuple[str, ...]]


def links(log: Log) -> Links:
    """Every reference between the log's decisions (to decisions that exist, not to itself)."""
    files = {d.path.rsplit("/", 1)[-1]: d.id for d in log.decisions}
    out: dict[str, tuple[str, ...]] = {}
    into: dict[str, list[str]] = {}
    for d in log.decisions:
        targets = []
        for ref in referenced(d):
            target = files.get(ref, ref)
            if target in log.by_id and target != d.id:
                targets.append(target)
        out[d.id] = tuple(dict.fromkeys(targets))
        for t in out[d.id]:
            into.setdefault(t, []).append(d.id)
    return Links(out, {k: tuple(sorted(set(v))) for k, v in into.items()})
