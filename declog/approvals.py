"""Pull request reviews as partners' approvals: who approved what, and can it be trusted.

Pure: the log, the pull request's reviews and a way to ask whether a file
changed since a commit go in; a per-decision, per-partner report and the
trust findings (DL7xx) come out. The CLI prints it; ``--write`` records it
through ``declog.frontmatter_edit``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from declog import vocab
from declog.codes import finding
from declog.diagnostics import Diagnostic
from declog.frontmatter_edit import KEEP as KEEP_ENTRY
from declog.model import Approval, Decision, Log
from declog.reviews import APPROVED, CHANGES_REQUESTED, DISMISSED, PullRequest, Review, latest_by_reviewer
from declog.rules.workflow import counted_approvals

#: Per-partner states in the report.
APPROVED_STATE = "approved"
CHANGES_STATE = "changes requested"
PENDING_STATE = "pending"
SILENCE_STATE = "approved by silence"
STALE_STATE = "stale"

#: Statuses in which a decision is seeking or claims its partners' approval.
NEEDS_APPROVAL = frozenset({vocab.PROPOSED, vocab.ACCEPTED})

#: (path, commit) -> the decision as it was at that commit; None when the file or commit is unknown.
VersionAt = Callable[[str, str], Decision | None]

#: Fields whose change does not make a review stale: recording the approvals
#: themselves, and accepting the decision once they are in.
BOOKKEEPING_FIELDS = frozenset({"approvals", "status", "decided"})


@dataclass(frozen=True)
class PartnerStatus:
    partner: str
    state: str
    by: str = ""
    at: dt.datetime | None = None
    via: str = ""
    review: Review | None = None
    note: str = ""

    @property
    def counts(self) -> bool:
        return self.state in (APPROVED_STATE, SILENCE_STATE)


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

    @property
    def ok(self) -> bool:
        return all(d.satisfied for d in self.decisions) and not any(
            f.severity == "error" for f in self.findings
        )


def assess(
    log: Log,
    pull: PullRequest,
    paths: Iterable[str],
    *,
    now: dt.datetime,
    version_at: VersionAt,
    base: Log | None = None,
) -> Report:
    """The approval report for the decisions at ``paths`` (the ones the pull request touches)."""
    latest = latest_by_reviewer(pull.reviews)
    by_path = {d.path: d for d in log.decisions}
    base_by_path = {d.path: d for d in base.decisions} if base is not None else {}
    reports: list[DecisionReport] = []
    found: list[Diagnostic] = []
    for path in sorted(set(paths)):
        d = by_path.get(path)
        if d is None:
            continue
        reports.append(_decision_report(d, log, pull, latest, now, version_at))
        found += trust_findings(d, log, pull, latest, version_at, base_by_path.get(path))
    non_members = tuple(sorted(u for u in latest if u not in log.member_of))
    return Report(pull, tuple(reports), tuple(found), non_members)


def _excluded(reviewer: str, d: Decision, log: Log, pull: PullRequest) -> bool:
    """The proposer's own review does not count for their partner unless self-approval is agreed."""
    return not log.config.workflow.self_approval and reviewer in {d.owner, pull.author} - {""}


def _decision_report(
    d: Decision,
    log: Log,
    pull: PullRequest,
    latest: Mapping[str, Review],
    now: dt.datetime,
    version_at: VersionAt,
) -> DecisionReport:
    wf = log.config.workflow
    recorded = counted_approvals(d, log)
    statuses = []
    for p in d.partners:
        members = log.partners[p].handles if p in log.partners else frozenset()
        mine = [r for u, r in latest.items() if u in members and not _excluded(u, d, log, pull)]
        concern = [r for r in mine if r.state == CHANGES_REQUESTED]
        approvals = sorted(
            (r for r in mine if r.state == APPROVED),
            key=lambda r: r.submitted_at or now,
            reverse=True,
        )
        fresh = [r for r in approvals if not _stale(d, r, version_at)]
        other = recorded.get(p)
        if concern:
            r = concern[0]
            statuses.append(PartnerStatus(p, CHANGES_STATE, r.user, r.submitted_at, review=r))
        elif fresh:
            r = fresh[0]
            statuses.append(PartnerStatus(p, APPROVED_STATE, r.user, r.submitted_at, vocab.VIA_PR_REVIEW, r))
        elif other is not None and other.via not in (vocab.VIA_PR_REVIEW, vocab.VIA_SILENCE):
            statuses.append(PartnerStatus(p, APPROVED_STATE, other.by, other.at, other.via))
        elif approvals:
            r = approvals[0]
            note = stale_reason(d, r, version_at)
            statuses.append(PartnerStatus(p, STALE_STATE, r.user, r.submitted_at, review=r, note=note))
        elif _silence(d, p, log, now):
            statuses.append(PartnerStatus(p, SILENCE_STATE, at=d.deadline, via=vocab.VIA_SILENCE))
        else:
            statuses.append(PartnerStatus(p, PENDING_STATE))
    needed = 0
    if d.status in NEEDS_APPROVAL and d.partners:
        needed = min(wf.quorum, len(d.partners)) if wf.approval == vocab.APPROVE_QUORUM else len(d.partners)
    return DecisionReport(d, tuple(statuses), needed)


def _stale(d: Decision, r: Review, version_at: VersionAt) -> bool:
    return bool(stale_reason(d, r, version_at))


def stale_reason(d: Decision, r: Review, version_at: VersionAt) -> str:
    """Why a review no longer covers the decision as it stands ('' when it does).

    A review is stale when the decision's substance (``substance``) changed
    since the reviewed commit. A commit this repository does not have (a
    shallow clone, a force-push) or that lacks the file cannot vouch for the
    current text either.
    """
    if not r.commit:
        return ""  # the source does not say which commit; nothing to compare
    old = version_at(d.path, r.commit)
    if old is None:
        return f"reviewed commit {r.commit[:10]} is not in this repository or lacks the file"
    if substance(old) != substance(d):
        return f"reviewed commit {r.commit[:10]}; the decision changed since"
    return ""


def substance(d: Decision) -> dict[str, object]:
    """What a reviewer approves: every field but the bookkeeping ones, and the body."""
    fields = {k: v for k, v in d.data.items() if k not in BOOKKEEPING_FIELDS}
    return {**fields, "__body__": d.body.strip()}


def _silence(d: Decision, partner: str, log: Log, now: dt.datetime) -> bool:
    silence = log.config.workflow.silence
    if not silence.covers(partner, d.category) or d.deadline is None or now < d.deadline:
        return False
    agreement = log.by_id.get(silence.agreement) if silence.agreement else None
    if silence.agreement and (agreement is None or agreement.status not in vocab.FROZEN_STATUSES):
        return False
    return not (agreement is not None and agreement.decided and d.proposed and d.proposed < agreement.decided)


def trust_findings(
    d: Decision,
    log: Log,
    pull: PullRequest,
    latest: Mapping[str, Review],
    version_at: VersionAt,
    base: Decision | None = None,
) -> list[Diagnostic]:
    """DL701-DL705 for the ``via: pr-review`` approvals this pull request adds to ``d``.

    Approvals already on the base branch were checked by the pull request
    that added them; without a base every pr-review approval is checked.
    """
    known = {_key(a) for a in base.approvals} if base is not None else set()
    out: list[Diagnostic] = []
    where = f"pull request #{pull.number}" if pull.number else "the pull request"
    for a in d.approvals:
        if a.via != vocab.VIA_PR_REVIEW or _key(a) in known:
            continue
        pos = d.approval_pos(a, "by")
        r = latest.get(a.by)
        theirs = log.member_of.get(a.by, frozenset())
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
                    f"'{a.by}' approved {where} but is {member}, not of {a.partner}",
                )
            )
        elif a.by == pull.author and not log.config.workflow.self_approval:
            out.append(
                finding(
                    "DL705", d.path, pos, f"'{a.by}' opened {where} and cannot approve it for {a.partner}"
                )
            )
        elif why := stale_reason(d, r, version_at):
            out.append(finding("DL702", d.path, pos, f"the approval by '{a.by}' is stale: {why}"))
    return out


def _key(a: Approval) -> tuple[str, str, str, str]:
    return (a.partner, a.by, a.via, a.ref)


def approvals_to_write(report: DecisionReport, pull: PullRequest) -> list[dict[str, str]]:
    """The approvals the decision's frontmatter should hold after ``--write``.

    Recorded approvals stay as they are, except a partner's ``pr-review``
    approval from this pull request, which is replaced by the current one;
    a partner approved by a fresh review and not yet recorded is added.
    """
    d = report.decision
    ref = f"#{pull.number}" if pull.number else ""
    fresh = {s.partner: s for s in report.partners if s.state == APPROVED_STATE and s.review is not None}
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
    for p, status in fresh.items():
        if p not in written:
            out.append(_entry(status, ref))
    return out


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
