"""Pull request reviews as partners' approvals: who approved what, and can it be trusted.

Pure: the log, the pull request's reviews and a way to ask whether a file
changed since a commit go in; a per-decision, per-partner report and the
trust findings (DL7xx) come out. The CLI prints it; ``--write`` records it
through ``declog.authoring.frontmatter_edit``.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field

from declog.authoring.frontmatter_edit import KEEP as KEEP_ENTRY
from declog.check import trust
from declog.check.trust import Change, handles
from declog.log import standing, vocab
from declog.log.codes import finding
from declog.log.diagnostics import Diagnostic
from declog.log.model import Approval, Decision, Log, Meeting
from declog.log.standing import needed as required
from declog.log.standing import silence_counts
from declog.pr.reviews import APPROVED, CHANGES_REQUESTED, DISMISSED, PullRequest, Review, latest_by_reviewer

#: Statuses in which a decision is seeking or claims its partners' approval.
NEEDS_APPROVAL = frozenset({vocab.PROPOSED, vocab.ACCEPTED})

#: (path, commit) -> the decision as it was at that commit; None when the file or commit is unknown.
VersionAt = Callable[[str, str], Decision | None]


@dataclass(frozen=True)
class PartnerStatus:
    """One partner's state in the report, in the domain's vocabulary (``declog.log.standing``).

    The report judges from the pull request's evidence, not from what the file records:
    ``approved`` is a fresh review or a recorded approval evidence backs, ``silence`` a
    partner whose silence counts (judged from the base branch and from when the proposal
    became visible, recorded or not: ``--write`` records it), ``changes-requested`` and
    ``stale`` come from reviews, and ``pending`` is everything else.
    """

    partner: str
    state: str
    """One of ``standing.APPROVED``, ``SILENCE``, ``CHANGES_REQUESTED``, ``STALE``, ``PENDING``."""
    by: str = ""
    at: dt.datetime | None = None
    via: str = ""
    review: Review | None = None
    note: str = ""

    @property
    def counts(self) -> bool:
        return self.state in standing.COUNTING

    @property
    def label(self) -> str:
        """The state as the report prints it (``standing.LABELS``)."""
        return standing.LABELS[self.state]


@dataclass(frozen=True)
class DecisionReport:
    decision: Decision
    partners: tuple[PartnerStatus, ...]
    needed: int
    """How many partners must approve (0 when the status needs no approval)."""

    @property
    def approved(self) -> int:
        return sum(1 for p in self.partners if p.counts)

    @property
    def satisfied(self) -> bool:
        return self.approved >= self.needed


@dataclass(frozen=True)
class Report:
    pull: PullRequest
    decisions: tuple[DecisionReport, ...]
    findings: tuple[Diagnostic, ...]
    non_members: tuple[str, ...]
    """Reviewers who belong to no partner: their reviews count for nothing."""
    governance: GovernanceReport | None = None
    """The governance changes the pull request makes, and every partner's verdict on them."""
    unreadable: tuple[str, ...] = ()
    """Decision files the pull request touches that do not load: nothing in them can be approved."""

    @property
    def ok(self) -> bool:
        return (
            not self.unreadable
            and all(d.satisfied for d in self.decisions)
            and (self.governance is None or self.governance.satisfied)
            and not any(f.severity == "error" for f in self.findings)
        )


@dataclass(frozen=True)
class GovernanceReport:
    """Who approved the governance changes a pull request makes (every partner must)."""

    changes: tuple[Change, ...]
    partners: tuple[PartnerStatus, ...]

    @property
    def satisfied(self) -> bool:
        return all(p.counts for p in self.partners)


@dataclass(frozen=True)
class Evidence:
    """What judges a pull request: the base branch, and what GitHub says of the pull request.

    ``judge`` is the log at the base revision, loaded with the base's
    declog.toml: its workflow rules, its partners' members and its meetings
    decide, never the pull request's own files. Without a base the change's
    own log stands in (and the report says so).
    """

    judge: Log
    base: Log | None = None
    """The log at the base revision; None without one."""
    visible: Mapping[str, dt.datetime] = field(default_factory=dict)
    """Path -> when the change first made that decision visible (branch commit, or now)."""
    governance: tuple[Change, ...] = ()
    governance_stale: Callable[[Review], str] = lambda r: ""
    """Why a review does not cover the governance changes as they stand ('' when it does)."""

    @functools.cached_property
    def members(self) -> Mapping[str, frozenset[str]]:
        """Partner id -> its members' logins, case-folded (GitHub logins ignore case)."""
        return {pid: handles(p) for pid, p in self.judge.partners.items()}

    @functools.cached_property
    def member_of(self) -> Mapping[str, frozenset[str]]:
        """Case-folded login -> the partners it is a member of, on the base."""
        return trust.member_of(self.judge)


def assess(
    log: Log,
    pull: PullRequest,
    paths: Iterable[str],
    *,
    now: dt.datetime,
    version_at: VersionAt,
    evidence: Evidence | None = None,
    unreadable: Collection[str] = (),
) -> Report:
    """The approval report for the decisions at ``paths`` (the ones the pull request touches).

    ``unreadable`` names decision files that exist but did not load (their
    findings are ``declog check``'s): a change to one is never approved.
    """
    ev = evidence or Evidence(judge=log)
    latest = latest_by_reviewer(pull.reviews)
    by_path = {d.path: d for d in log.decisions}
    base_by_path = {d.path: d for d in ev.base.decisions} if ev.base is not None else {}
    gov = _governance_report(ev, pull, latest) if ev.governance else None
    reports: list[DecisionReport] = []
    found: list[Diagnostic] = []
    for path in sorted(set(paths)):
        d = by_path.get(path)
        if d is None:
            continue
        old = base_by_path.get(path)
        reports.append(_decision_report(d, log, pull, latest, now, version_at, ev, old, gov))
        found += trust_findings(d, ev, pull, latest, version_at, old)
    non_members = tuple(sorted(u for u in latest if u.casefold() not in ev.member_of))
    unread = tuple(sorted(p for p in set(paths) - set(by_path) if p in unreadable))
    return Report(pull, tuple(reports), tuple(found), non_members, gov, unread)


def _excluded(reviewer: str, d: Decision | None, ev: Evidence, pull: PullRequest) -> bool:
    """The proposer's own review does not count for their partner (``trust.own_approval``)."""
    owner = d.owner if d is not None else ""
    self_ok = ev.judge.config.workflow.self_approval
    return trust.own_approval(reviewer, author=pull.author, owner=owner, self_approval=self_ok)


def _reviews_for(
    partner: str, ev: Evidence, d: Decision | None, pull: PullRequest, latest: Mapping[str, Review]
) -> list[Review]:
    members = ev.members.get(partner, frozenset())
    return [r for u, r in latest.items() if u.casefold() in members and not _excluded(u, d, ev, pull)]


def _own_review_note(
    d: Decision, partner: str, ev: Evidence, pull: PullRequest, latest: Mapping[str, Review]
) -> str:
    """Why a member's approving review does not count for ``partner``: it is their own (rule 0)."""
    members = ev.members.get(partner, frozenset())
    own = [
        u
        for u, r in latest.items()
        if r.state == APPROVED and u.casefold() in members and _excluded(u, d, ev, pull)
    ]
    if not own:
        return ""
    who = own[0]
    role = "owns the decision" if who.casefold() == d.owner.casefold() else "opened the pull request"
    others = members - {u.casefold() for u in own}
    rest = (
        f"another member of {partner} must approve"
        if others
        else f"{partner} has no other member, so add one or agree `self_approval = true`"
    )
    return f"the review by {who} does not count for {partner}: {who} {role}; {rest}"


def _governance_report(ev: Evidence, pull: PullRequest, latest: Mapping[str, Review]) -> GovernanceReport:
    """Every partner a governance change concerns (rule 4: all of them, or those present at a meeting)."""
    statuses = []
    everyone = any(c.approvers is None for c in ev.governance)
    concerned = set().union(*(c.approvers or () for c in ev.governance))
    for p in ev.judge.partners:
        if not everyone and p not in concerned:
            continue
        mine = _reviews_for(p, ev, None, pull, latest)
        concern = [r for r in mine if r.state == CHANGES_REQUESTED]
        approvals = [r for r in mine if r.state == APPROVED]
        fresh = [r for r in approvals if not ev.governance_stale(r)]
        if concern:
            r = concern[0]
            statuses.append(PartnerStatus(p, standing.CHANGES_REQUESTED, r.user, r.submitted_at, review=r))
        elif fresh:
            r = fresh[-1]
            statuses.append(
                PartnerStatus(p, standing.APPROVED, r.user, r.submitted_at, vocab.VIA_PR_REVIEW, r)
            )
        elif approvals:
            r = approvals[-1]
            note = ev.governance_stale(r)
            statuses.append(PartnerStatus(p, standing.STALE, r.user, r.submitted_at, review=r, note=note))
        else:
            statuses.append(PartnerStatus(p, standing.PENDING))
    return GovernanceReport(ev.governance, tuple(statuses))


def _decision_report(
    d: Decision,
    log: Log,
    pull: PullRequest,
    latest: Mapping[str, Review],
    now: dt.datetime,
    version_at: VersionAt,
    ev: Evidence,
    old: Decision | None,
    gov: GovernanceReport | None,
) -> DecisionReport:
    fresh_by: dict[str, Review] = {}
    mine_by: dict[str, list[Review]] = {}
    for p in d.partners:
        mine = _reviews_for(p, ev, d, pull, latest)
        mine_by[p] = mine
        approvals = sorted(
            (r for r in mine if r.state == APPROVED),
            key=lambda r: r.submitted_at or now,
            reverse=True,
        )
        fresh = [r for r in approvals if not _stale(d, r, version_at)]
        if fresh and not any(r.state == CHANGES_REQUESTED for r in mine):
            fresh_by[p] = fresh[0]
    statuses = []
    for p in d.partners:
        mine = mine_by[p]
        concern = [r for r in mine if r.state == CHANGES_REQUESTED]
        approvals = sorted(
            (r for r in mine if r.state == APPROVED),
            key=lambda r: r.submitted_at or now,
            reverse=True,
        )
        recorded, why_not = _recorded(d, p, log, ev, old, gov)
        if concern:
            r = concern[0]
            statuses.append(PartnerStatus(p, standing.CHANGES_REQUESTED, r.user, r.submitted_at, review=r))
        elif p in fresh_by:
            r = fresh_by[p]
            statuses.append(
                PartnerStatus(p, standing.APPROVED, r.user, r.submitted_at, vocab.VIA_PR_REVIEW, r)
            )
        elif recorded is not None:
            statuses.append(PartnerStatus(p, standing.APPROVED, recorded.by, recorded.at, recorded.via))
        elif approvals:
            r = approvals[0]
            note = stale_reason(d, r, version_at)
            statuses.append(PartnerStatus(p, standing.STALE, r.user, r.submitted_at, review=r, note=note))
        elif _silence(d, p, ev, pull, now, old):
            # silence counts from the deadline on: the moment DL313 accepts for a recorded one
            statuses.append(PartnerStatus(p, standing.SILENCE, at=d.deadline, via=vocab.VIA_SILENCE))
        else:
            if p not in ev.judge.partners:
                why_not = why_not or f"{p} is not a partner on the base branch yet"
            why_not = why_not or _own_review_note(d, p, ev, pull, latest)
            statuses.append(PartnerStatus(p, standing.PENDING, note=why_not))
    needed = required(d, ev.judge) if d.status in NEEDS_APPROVAL else 0
    return DecisionReport(d, tuple(statuses), needed)


def _recorded(
    d: Decision,
    partner: str,
    log: Log,
    ev: Evidence,
    old: Decision | None,
    gov: GovernanceReport | None,
) -> tuple[Approval | None, str]:
    """The approval recorded for ``partner`` that evidence the change cannot write backs; else why not.

    An approval already on the base branch counts while the decision keeps the
    text and outcome it was given to (``trust.voided``). Of those this change
    adds, ``pr-review`` ones are backed by reviews (see ``trust_findings``);
    ``meeting`` ones by the meeting's record (``trust.meeting_vouches``): the
    base branch's, or one this change adds or edits once every partner present
    approved it; ``explicit`` ones (an email, a chat) only once the partner
    confirms with a review; ``silence`` is judged anew (``_silence``).
    """
    on_base = {trust.approval_key(a) for a in old.approvals} if old is not None else set()
    members = ev.members.get(partner, frozenset())
    self_ok = ev.judge.config.workflow.self_approval
    why = ""
    for a in d.approvals:
        if a.partner != partner or a.via in (vocab.VIA_PR_REVIEW, vocab.VIA_SILENCE):
            continue
        if a.by.casefold() not in members:
            why = why or f"{a.by} is not a member of {partner} on the base branch"
            continue
        if trust.own_approval(a.by, author="", owner=d.owner, self_approval=self_ok):
            continue
        if trust.approval_key(a) in on_base and old is not None:
            voided = trust.voided(old, d)
            if not voided:
                return a, ""
            why = why or f"the {a.via} approval by {a.by} on the base branch no longer counts: {voided}"
            continue
        if a.via == vocab.VIA_MEETING:
            record, where, pending = _meeting_record(d, log, ev, gov)
            reason = pending or trust.meeting_vouches(d, a, record, where)
            if not reason:
                return a, ""
            why = why or reason
        elif a.via == vocab.VIA_EXPLICIT:
            why = why or (
                f"the {a.via} approval by {a.by} recorded in this change counts once a member of "
                f"{partner} confirms it with a review"
            )
    return None, why


def _meeting_record(
    d: Decision, log: Log, ev: Evidence, gov: GovernanceReport | None
) -> tuple[Meeting | None, str, str]:
    """The record of ``d``'s meeting that judges (rule 3), where it is, and why it cannot judge yet.

    A record this change adds or edits (a governance change, rule 4) is evidence
    once every partner present at it approved the change; until then, none is.
    """
    added = log.meetings.get(d.meeting) if d.meeting else None
    change = next((c for c in ev.governance if added is not None and c.path == added.path), None)
    if change is None or change.approvers is None:
        return ev.judge.meetings.get(d.meeting) if d.meeting else None, "on the base branch", ""
    counted = {s.partner for s in gov.partners if s.counts} if gov is not None else set()
    missing = sorted(change.approvers - counted)
    if missing:
        return (
            None,
            "",
            (
                f"meeting {d.meeting} is added or changed by this change; it is evidence once every "
                f"partner present approves this pull request (not yet: {', '.join(missing)})"
            ),
        )
    return added, "in this change", ""


def _stale(d: Decision, r: Review, version_at: VersionAt) -> bool:
    return bool(stale_reason(d, r, version_at))


def stale_reason(d: Decision, r: Review, version_at: VersionAt) -> str:
    """Why a review no longer covers the decision as it stands ('' when it does).

    A review approves the decision as it was at the reviewed commit: its text
    and outcome (``trust.voided``). A commit this repository does not have (a
    shallow clone, a force-push) or that lacks the file cannot vouch for the
    current text either.
    """
    if not r.commit:
        return ""  # the source does not say which commit; nothing to compare
    old = version_at(d.path, r.commit)
    if old is None:
        return f"reviewed commit {r.commit[:10]} is not in this repository or lacks the file"
    if why := trust.voided(old, d):
        return f"reviewed commit {r.commit[:10]}; {why}"
    return ""


def _silence(
    d: Decision, partner: str, ev: Evidence, pull: PullRequest, now: dt.datetime, old: Decision | None
) -> bool:
    if not silence_counts(d, partner, ev.judge, now):
        return False
    wf = ev.judge.config.workflow
    start = trust.silence_from(d, old, wf, (ev.visible.get(d.path), pull.opened))
    return start is not None and now >= start


def trust_findings(
    d: Decision,
    ev: Evidence,
    pull: PullRequest,
    latest: Mapping[str, Review],
    version_at: VersionAt,
    base: Decision | None = None,
) -> list[Diagnostic]:
    """DL701-DL705 for the ``via: pr-review`` approvals this pull request adds to ``d``.

    Approvals already on the base branch were checked by the pull request
    that added them; without a base every pr-review approval is checked.
    Membership is the base branch's, logins compare case-insensitively.
    """
    known = {trust.approval_key(a) for a in base.approvals} if base is not None else set()
    by_login = {u.casefold(): r for u, r in latest.items()}
    out: list[Diagnostic] = []
    where = f"pull request #{pull.number}" if pull.number else "the pull request"
    for a in d.approvals:
        if a.via != vocab.VIA_PR_REVIEW or trust.approval_key(a) in known:
            continue
        pos = d.approval_pos(a, "by")
        r = by_login.get(a.by.casefold())
        theirs = ev.member_of.get(a.by.casefold(), frozenset())
        if r is None:
            out.append(
                finding("DL701", d.path, pos, f"no review by '{a.by}' on {where} supports this approval")
            )
        elif r.state == DISMISSED:
            out.append(finding("DL703", d.path, pos, f"the review by '{a.by}' on {where} was dismissed"))
        elif r.state == CHANGES_REQUESTED:
            out.append(
                finding("DL703", d.path, pos, f"'{a.by}' requested changes on {where} after approving")
            )
        elif r.state != APPROVED:
            state = r.state.lower().replace("_", " ")
            out.append(
                finding(
                    "DL701", d.path, pos, f"the review by '{a.by}' on {where} is {state}, not an approval"
                )
            )
        elif a.partner not in theirs:
            member = f"a member of {', '.join(sorted(theirs))}" if theirs else "a member of no partner"
            out.append(
                finding(
                    "DL704",
                    d.path,
                    pos,
                    f"'{a.by}' approved {where} but is {member} on the base branch, not of {a.partner}",
                )
            )
        elif a.by.casefold() == pull.author.casefold() and not ev.judge.config.workflow.self_approval:
            out.append(
                finding(
                    "DL705", d.path, pos, f"'{a.by}' opened {where} and cannot approve it for {a.partner}"
                )
            )
        elif why := stale_reason(d, r, version_at):
            out.append(finding("DL702", d.path, pos, f"the approval by '{a.by}' is stale: {why}"))
    return out


def approvals_to_write(report: DecisionReport, pull: PullRequest) -> list[dict[str, str]]:
    """The approvals the decision's frontmatter should hold after ``--write``.

    Recorded approvals stay as they are, except a partner's ``pr-review``
    approval from this pull request, which is replaced by the current one.
    A partner with nothing recorded is added when a fresh review approved
    for it, or when its silence counts (``via: silence``, no ``by``, ``at``
    the deadline, from which silence counts), for a proposed or accepted
    decision not decided before its deadline (DL313).
    """
    d = report.decision
    ref = f"#{pull.number}" if pull.number else ""
    fresh = {s.partner: s for s in report.partners if s.state == standing.APPROVED and s.review is not None}
    out: list[dict[str, str]] = []
    written: set[str] = set()
    for a in d.approvals:
        status = fresh.get(a.partner)
        if status is not None and a.via == vocab.VIA_PR_REVIEW and (not a.ref or a.ref == ref):
            r = status.review
            if r is not None and a.by == r.user and a.commit == r.commit and a.ref == ref:
                out.append({KEEP_ENTRY: str(a.index)})  # already recorded as it stands
                written.add(a.partner)
            elif a.partner not in written:
                out.append(_entry(status, ref))
                written.add(a.partner)
            continue
        out.append({KEEP_ENTRY: str(a.index)})
        written.add(a.partner)
    for status in report.partners:
        if status.partner in written:
            continue
        if status.partner in fresh:
            out.append(_entry(status, ref))
        elif status.state == standing.SILENCE and d.status in NEEDS_APPROVAL:
            # the report's silence already holds what DL313 asks (standing.silence_counts): the
            # deadline has passed and the decision was not decided before it
            out.append(_silence_entry(d, status.partner))
        else:
            continue
        written.add(status.partner)
    return out


def _silence_entry(d: Decision, partner: str) -> dict[str, str]:
    """Silence on record: no person; ``at`` the deadline, as the decision writes it."""
    written = d.data.get("deadline")
    at = written if isinstance(written, str) else d.deadline.isoformat() if d.deadline else ""
    return {"partner": partner, "at": at, "via": vocab.VIA_SILENCE}


def _entry(status: PartnerStatus, ref: str) -> dict[str, str]:
    r = status.review
    assert r is not None
    entry = {"partner": status.partner, "by": r.user}
    if r.submitted_text or r.submitted_at:
        entry["at"] = r.submitted_text or (r.submitted_at.isoformat() if r.submitted_at else "")
    entry["via"] = vocab.VIA_PR_REVIEW
    if ref:
        entry["ref"] = ref
    if r.commit:
        entry["commit"] = r.commit
    return entry
