"""Workflow rules: the process the partners agreed in declog.toml."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from declog.check.rules.context import Context
from declog.log import vocab
from declog.log.codes import finding
from declog.log.config import CONFIG_FILE
from declog.log.diagnostics import Diagnostic
from declog.log.model import Approval, Decision, Log
from declog.log.standing import counted_approvals, needed
from declog.log.timeparse import format_duration


def dl301_feedback_window(ctx: Context) -> Iterator[Diagnostic]:
    """An async decision's feedback deadline is at least the agreed window after it was proposed."""
    window = ctx.config.workflow.feedback_window
    for d in ctx.decisions:
        if d.mode == vocab.ASYNC and d.proposed and d.deadline and d.deadline - d.proposed < window:
            yield ctx.at(
                "DL301",
                d,
                "deadline",
                message=f"deadline is {format_duration(d.deadline - d.proposed)} after proposed; "
                f"the agreed feedback window is {format_duration(window)}",
                hint=f"set deadline to {(d.proposed + window).isoformat()} or later",
            )


def dl302_missing_approvals(ctx: Context) -> Iterator[Diagnostic]:
    """An accepted decision has the approvals the approval rule requires."""
    wf = ctx.config.workflow
    for d in ctx.decisions:
        if d.status not in vocab.FROZEN_STATUSES or not d.partners:
            continue
        have = counted_approvals(d, ctx.log)
        if wf.approval == vocab.APPROVE_QUORUM:
            need = needed(d, ctx.log)
            if len(have) < need:
                yield ctx.at(
                    "DL302",
                    d,
                    "status",
                    message=f"{d.status} with {len(have)} valid approval(s); the quorum is {need}",
                    hint="record the missing approvals or keep the decision proposed",
                )
            continue
        missing = [p for p in d.partners if p not in have]
        if missing:
            yield ctx.at(
                "DL302",
                d,
                "status",
                message=f"{d.status} without a valid approval from {', '.join(missing)}",
                hint='every partner party to the decision must approve (workflow.approval = "all")',
            )


def dl303_non_member_approval(ctx: Context) -> Iterator[Diagnostic]:
    """An approval is given by a member of the partner it is recorded for."""
    members = ctx.log.member_of
    for d in ctx.decisions:
        for a in d.approvals:
            theirs = members.get(a.by)
            if theirs and a.partner in ctx.log.partners and a.partner not in theirs:
                yield ctx.at(
                    "DL303",
                    d,
                    "approvals",
                    a.index,
                    "by",
                    message=f"'{a.by}' approved for {a.partner} but is a member of "
                    f"{', '.join(sorted(theirs))}",
                    hint="a partner cannot approve on another's behalf",
                )


def dl304_meeting_required(ctx: Context) -> Iterator[Diagnostic]:
    """Categories the rules reserve for meetings are decided synchronously."""
    required = ctx.config.workflow.meeting_required
    for d in ctx.decisions:
        if d.category in required and d.status in vocab.FROZEN_STATUSES and d.mode != vocab.SYNC:
            yield ctx.at(
                "DL304",
                d,
                "mode" if "mode" in d.data else "category",
                message=f"{d.category} decisions must be decided in a meeting, but this one is {d.mode}",
            )


def dl305_sync_without_meeting(ctx: Context) -> Iterator[Diagnostic]:
    """A sync decision names the meeting it was made in, and that meeting lists attendees."""
    for d in ctx.decisions:
        if d.mode != vocab.SYNC or d.status not in vocab.DECIDED_STATUSES:
            continue
        if not d.meeting:
            yield ctx.at(
                "DL305",
                d,
                "mode",
                message="sync decision does not name its meeting",
                hint="add `meeting: ID` for content/meetings/ID.md",
            )
        elif (m := ctx.log.meetings.get(d.meeting)) is not None and not m.attendees:
            yield ctx.at("DL305", d, "meeting", message=f"meeting '{d.meeting}' lists no attendees")


def dl306_exception_migrated(ctx: Context) -> Iterator[Diagnostic]:
    """A decision taken outside the log (`source`) is logged within the exception window."""
    window = ctx.config.workflow.exception_window
    for d in ctx.decisions:
        if d.source is None or d.decided is None:
            continue
        if d.logged is None:
            yield ctx.at(
                "DL306",
                d,
                "source",
                message="exception does not say when it was logged",
                hint="add `logged:` (or commit the file so git records it)",
            )
        elif d.logged - d.decided > window:
            yield ctx.at(
                "DL306",
                d,
                "logged" if "logged" in d.data else "source",
                message=f"exception logged {format_duration(d.logged - d.decided)} after it was "
                f"decided; the window is {format_duration(window)}",
            )


def dl307_supersede_symmetric(ctx: Context) -> Iterator[Diagnostic]:
    """`supersedes` and `superseded_by` name each other once the later decision is accepted."""
    ids = ctx.log.by_id
    for d in ctx.decisions:
        later = ids.get(d.superseded_by)
        if later is not None and d.id not in later.supersedes:
            yield ctx.at(
                "DL307",
                d,
                "superseded_by",
                message=f"superseded_by '{later.id}' but {later.id} does not list {d.id} in supersedes",
                hint=f'add supersedes: ["{d.id}"] to {later.path}',
            )
        if d.status not in vocab.FROZEN_STATUSES:
            continue  # a proposal names what it would replace; the earlier one is linked back on acceptance
        for i, ref in enumerate(d.supersedes):
            earlier = ids.get(ref)
            if earlier is not None and earlier.superseded_by != d.id:
                yield ctx.at(
                    "DL307",
                    d,
                    "supersedes",
                    i,
                    message=f"supersedes '{ref}' but {ref} does not name {d.id} in superseded_by",
                    hint=f'set superseded_by: "{d.id}" and status: superseded in {earlier.path}',
                )


def dl308_supersede_cycle(ctx: Context) -> Iterator[Diagnostic]:
    """Supersede links never form a cycle."""
    ids = ctx.log.by_id
    order: _CycleOrder | None = None
    for start in ctx.decisions:
        if not start.superseded_by:
            continue  # no walk leaves it
        path = _supersede_walk(start, ids)
        if path is None:
            continue
        order = order or _CycleOrder(ctx.log)
        if order.reported_on(start, path):
            yield ctx.at(
                "DL308",
                start,
                "superseded_by",
                message=f"supersede links form a cycle: {' -> '.join([*path, start.id])}",
            )


def _supersede_walk(start: Decision, ids: Mapping[str, Decision]) -> list[str] | None:
    """The ids from ``start`` along superseded_by when the walk comes back to start's id, else None."""
    path: list[str] = []
    current: Decision | None = start
    while current is not None and current.id not in path:
        path.append(current.id)
        current = ids.get(current.superseded_by) if current.superseded_by else None
    return path if current is not None and current.id == start.id else None


class _CycleOrder:
    """Which decision a cycle is reported on: the first in log order, whichever decisions are checked.

    A cycle is reported once, on the first decision in log order whose walk
    comes back to it. For a decision that ``by_id`` resolves its id to, that
    is: no decision earlier in the log has an id on the cycle (the earliest
    decision with an id is the one ``by_id`` holds). A decision whose id an
    earlier one already took can still walk back to that id through another
    decision's links; whether its "cycle" was already reported depends on the
    walks before it, so for those rare logs the whole log is walked in order.
    """

    def __init__(self, log: Log) -> None:
        self.log = log
        self.position = {d: i for i, d in enumerate(log.decisions)}
        self._walked: set[Decision] | None = None

    def reported_on(self, start: Decision, path: list[str]) -> bool:
        """Whether the cycle ``path`` found from ``start`` is reported on ``start``."""
        ids = self.log.by_id
        if ids.get(start.id) is start:
            here = self.position[start]
            return all(self.position[ids[i]] >= here for i in path)
        if self._walked is None:
            self._walked = self._walk_in_order()
        return start in self._walked

    def _walk_in_order(self) -> set[Decision]:
        ids = self.log.by_id
        reported: set[str] = set()
        out: set[Decision] = set()
        for start in self.log.decisions:
            path = _supersede_walk(start, ids)
            if path is not None and start.id not in reported:
                reported.update(path)
                out.add(start)
        return out


def dl309_reason(ctx: Context) -> Iterator[Diagnostic]:
    """Rejected and withdrawn decisions say why (`reason`)."""
    for d in ctx.decisions:
        if d.status in (vocab.REJECTED, vocab.WITHDRAWN) and not d.reason:
            yield ctx.at(
                "DL309",
                d,
                "status",
                message=f"{d.status} decision without a reason",
                hint="add `reason:` with a sentence others can read later",
            )


def dl310_incomplete(ctx: Context) -> Iterator[Diagnostic]:
    """An entry records who owns it, why it was decided and when."""
    for d in ctx.decisions:
        if d.status == vocab.DRAFT:
            continue
        missing = [
            f for f, v in (("owner", d.owner), ("rationale", d.rationale)) if not v and f not in d.data
        ]
        if d.status in vocab.DECIDED_STATUSES and "decided" not in d.data:
            missing.append("decided")
        if missing:
            yield ctx.at("DL310", d, "status", message=f"{d.status} decision without {', '.join(missing)}")


def dl311_self_approval(ctx: Context) -> Iterator[Diagnostic]:
    """The owner does not approve their own proposal unless the rules allow it."""
    if ctx.config.workflow.self_approval:
        return
    for d in ctx.decisions:
        for a in d.approvals:
            if d.owner and a.by == d.owner:
                yield ctx.at(
                    "DL311",
                    d,
                    "approvals",
                    a.index,
                    "by",
                    message=f"'{a.by}' owns this decision and cannot approve it for {a.partner}",
                )


def dl312_approval_outside_parties(ctx: Context) -> Iterator[Diagnostic]:
    """Approvals come from partners party to the decision, at most one counted per person."""
    for d in ctx.decisions:
        seen: dict[str, int] = {}
        partners_seen: dict[str, int] = {}
        for a in d.approvals:
            if a.partner and a.partner in ctx.log.partners and a.partner not in d.partners:
                yield ctx.at(
                    "DL312",
                    d,
                    "approvals",
                    a.index,
                    "partner",
                    message=f"approval from '{a.partner}', which is not party to this decision",
                    hint=f"add {a.partner} to partners, or remove the approval",
                )
            if a.by and a.by in seen:
                yield ctx.at(
                    "DL312",
                    d,
                    "approvals",
                    a.index,
                    "by",
                    message=f"'{a.by}' already approved (approval {seen[a.by] + 1}); "
                    "one person's approval counts once",
                )
            if a.partner and a.partner in partners_seen:
                yield ctx.at(
                    "DL312",
                    d,
                    "approvals",
                    a.index,
                    "partner",
                    message=f"second approval for '{a.partner}' (first is approval "
                    f"{partners_seen[a.partner] + 1}); record one approval per partner",
                )
            seen.setdefault(a.by, a.index)
            partners_seen.setdefault(a.partner, a.index)


def dl313_silence(ctx: Context) -> Iterator[Diagnostic]:
    """Silence counts as approval only where the rules allow it and after the deadline passed."""
    silence = ctx.config.workflow.silence
    agreement = ctx.log.by_id.get(silence.agreement) if silence.agreement else None
    if ctx.whole and agreement is not None and agreement.status not in vocab.FROZEN_STATUSES:
        yield finding(
            "DL313",
            CONFIG_FILE,
            ctx.config.pos("workflow", "silence", "agreement"),
            f"[workflow.silence] agreement '{agreement.id}' is {agreement.status}, not accepted",
        )
    for d in ctx.decisions:
        for a in d.approvals:
            if a.via != vocab.VIA_SILENCE:
                continue
            if not silence.covers(a.partner, d.category):
                yield ctx.at(
                    "DL313",
                    d,
                    "approvals",
                    a.index,
                    "via",
                    message=f"silence is not agreed as approval for {a.partner} on {d.category} decisions",
                    hint="see [workflow.silence] in declog.toml",
                )
            elif d.deadline is None:
                yield ctx.at(
                    "DL313",
                    d,
                    "approvals",
                    a.index,
                    "via",
                    message="silence counts only after a feedback deadline, and this decision has none",
                )
            elif (a.at is not None and a.at < d.deadline) or (
                d.decided is not None and d.decided < d.deadline
            ):
                yield ctx.at(
                    "DL313",
                    d,
                    "approvals",
                    a.index,
                    "via",
                    message=f"silence counted before the deadline ({d.deadline.isoformat()}) passed",
                )
            elif (
                agreement is not None and agreement.decided and d.proposed and d.proposed < agreement.decided
            ):
                yield ctx.at(
                    "DL313",
                    d,
                    "approvals",
                    a.index,
                    "via",
                    message=f"proposed before the silence agreement ({agreement.id}) was decided",
                )


def dl314_meeting_approval_absent(ctx: Context) -> Iterator[Diagnostic]:
    """An approval given in a meeting is by someone who attended it."""
    for d in ctx.decisions:
        meeting = ctx.log.meetings.get(d.meeting) if d.meeting else None
        for a in d.approvals:
            if a.via != vocab.VIA_MEETING:
                continue
            if not d.meeting:
                yield ctx.at(
                    "DL314",
                    d,
                    "approvals",
                    a.index,
                    "via",
                    message="approval via meeting, but the decision names no meeting",
                )
            elif meeting is not None and a.by not in meeting.attendees:
                yield ctx.at(
                    "DL314",
                    d,
                    "approvals",
                    a.index,
                    "by",
                    message=f"'{a.by}' approved in meeting '{d.meeting}' but did not attend it",
                )


def dl315_partner_without_members(ctx: Context) -> Iterator[Diagnostic]:
    """Every partner has at least one member who can approve."""
    for p in ctx.partners:
        if not p.members and isinstance(p.data.get("members"), list):
            yield ctx.at(
                "DL315",
                p,
                "members",
                message=f"partner '{p.id}' has no members, so it can never approve",
            )


def dl316_date_order(ctx: Context) -> Iterator[Diagnostic]:
    """Dates follow the lifecycle: proposed, then deadline and decided, then logged."""
    for d in ctx.decisions:
        if d.proposed and d.deadline and d.deadline <= d.proposed:
            yield ctx.at("DL316", d, "deadline", message="deadline is not after proposed")
        if d.proposed and d.decided and d.decided < d.proposed:
            yield ctx.at("DL316", d, "decided", message="decided is before proposed")
        if d.decided and d.logged and "logged" in d.data and d.logged < d.decided:
            yield ctx.at("DL316", d, "logged", message="logged is before decided")
        meeting = ctx.log.meetings.get(d.meeting) if d.mode == vocab.SYNC and d.meeting else None
        if meeting is not None and meeting.date and d.decided and d.decided < meeting.date:
            yield ctx.at("DL316", d, "decided", message=f"decided before its meeting '{meeting.id}' began")
        for a in d.approvals:
            if a.at and d.decided and a.at > d.decided and d.status in vocab.DECIDED_STATUSES:
                yield ctx.at(
                    "DL316",
                    d,
                    "approvals",
                    a.index,
                    "at",
                    message=f"{_approval(a)} is dated after the decision ({d.decided.isoformat()})",
                    hint="`decided` is when the last approval that was needed came in",
                )
            if a.at and d.proposed and a.at < d.proposed:
                yield ctx.at(
                    "DL316",
                    d,
                    "approvals",
                    a.index,
                    "at",
                    message=f"{_approval(a)} is dated before the decision was proposed",
                )


def _approval(a: Approval) -> str:
    """An approval as a message names it: by its approver; silence, which names no one, by its partner."""
    return f"approval by '{a.by}'" if a.by else f"{a.partner}'s approval by {a.via}"


def dl317_supersede_status(ctx: Context) -> Iterator[Diagnostic]:
    """A superseded decision names its successor and a decision with a successor is superseded."""
    for d in ctx.decisions:
        if d.status == vocab.SUPERSEDED and not d.superseded_by:
            yield ctx.at(
                "DL317",
                d,
                "status",
                message="superseded decision does not name its successor",
                hint='add superseded_by: "NNNN"',
            )
        elif d.superseded_by and d.status != vocab.SUPERSEDED:
            yield ctx.at(
                "DL317",
                d,
                "superseded_by",
                message=f"has superseded_by '{d.superseded_by}' but status is {d.status}",
                hint="set status: superseded",
            )


def dl318_async_deadline(ctx: Context) -> Iterator[Diagnostic]:
    """An async decision past draft records when it was proposed and its feedback deadline."""
    for d in ctx.decisions:
        if d.mode != vocab.ASYNC or d.status in (vocab.DRAFT, vocab.WITHDRAWN):
            continue
        missing = [
            f
            for f, v in (("proposed", d.proposed), ("deadline", d.deadline))
            if v is None and f not in d.data
        ]
        if missing:
            yield ctx.at(
                "DL318",
                d,
                "status",
                message=f"async {d.status} decision without {' and '.join(missing)}",
            )


def dl319_superseded_by_unaccepted(ctx: Context) -> Iterator[Diagnostic]:
    """Only an accepted decision can supersede another."""
    ids = ctx.log.by_id
    for d in ctx.decisions:
        later = ids.get(d.superseded_by) if d.superseded_by else None
        if later is not None and later.status not in vocab.FROZEN_STATUSES:
            yield ctx.at(
                "DL319",
                d,
                "superseded_by",
                message=f"superseded by {later.id}, which is {later.status}, not accepted",
            )


def dl320_decision_in_meeting(ctx: Context) -> Iterator[Diagnostic]:
    """A sync decision appears in its meeting's list of decisions."""
    for d in ctx.decisions:
        meeting = ctx.log.meetings.get(d.meeting) if d.meeting else None
        if meeting is not None and d.id not in meeting.decisions:
            yield ctx.at(
                "DL320",
                d,
                "meeting",
                message=f"meeting '{meeting.id}' does not list decision {d.id}",
                hint=f'add "{d.id}" to decisions in {meeting.path}',
            )
