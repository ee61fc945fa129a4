"""The pull request's status, for people: one comment on the pull request and one commit status.

Pure: an ``ApprovalsResult`` (the report ``declog approvals`` prints) goes in, Markdown and a
one-line summary come out. Per decision the comment shows each partner's state (approved by whom
and when, changes requested with a link to the review, pending, stale, approved by silence), the
deadline in each awaited partner's own time zone with the time left, and the next step.

Every value from the log or from GitHub goes through ``declog.log.escape``'s Markdown encoders:
a title, a handle or a review link can never open a tag, a table row, a heading or a mention.
Handles show as code (``bob``), never ``@bob``: the status comment is edited many times and pings
nobody; ``declog remind`` mentions the members it waits on, once per reminder.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from declog.check.checker import CheckResult
from declog.log import standing, vocab
from declog.log.escape import line, md_code, md_text, url_path
from declog.log.model import Log, Partner
from declog.log.timeparse import format_duration, shown_in
from declog.pr.approvals import DecisionReport, PartnerStatus
from declog.pr.pullrequest import ApprovalsResult, Step, steps

#: The first line of declog's status comment: how ``approvals --comment`` finds it again.
MARKER = "<!-- declog:status -->"
#: The commit statuses declog sets on the pull request's head: its approvals, and its check.
CONTEXT = "declog/approvals"
CHECK_CONTEXT = "declog/check"
#: GitHub shows at most this many characters of a commit status's description.
DESCRIPTION_MAX = 140

#: What a URL from GitHub may look like to be linked (anything else is shown as text).
_LINKABLE = re.compile(r"^https://[A-Za-z0-9.-]+(?::[0-9]+)?/[A-Za-z0-9._~/%+-]*(?:#[A-Za-z0-9._-]*)?$")

_MARKS = {
    standing.APPROVED: "✅",
    standing.SILENCE: "✅",
    standing.SILENCE_DUE: "✅",
    standing.CHANGES_REQUESTED: "❌",
    standing.STALE: "⚠️",
    standing.PENDING: "⏳",
}


@dataclass(frozen=True)
class Summary:
    """The commit status: ``state`` one of success, pending, failure; ``description`` one line."""

    state: str
    description: str


def summary(result: ApprovalsResult) -> Summary:
    """success: every approval is in and nothing is wrong; pending: partners are still awaited
    before their deadline; failure: anything else (changes requested, stale or forged approvals,
    findings, a deadline passed without the approvals, files that do not load)."""
    report = result.report
    if report is None:
        return Summary("failure", "the log does not load: see the check")
    now = result.now or dt.datetime.now(dt.UTC)
    if result.ok:
        ready = [s.decision.decision.id for s in steps(result) if s.ready]
        if ready:
            return Summary("success", _cut(f"every approval is in; ready to accept: {', '.join(ready)}"))
        if not report.decisions and report.governance is None:
            return Summary("success", "no decision in this pull request needs approval")
        return Summary("success", "every approval is in")
    errors = [f for f in report.findings if f.severity == "error"]
    waiting: list[str] = []
    problems: list[str] = []
    for dr in report.decisions:
        if dr.satisfied:
            continue
        d = dr.decision
        blocked = _blocking(dr)
        overdue = _overdue(dr, now)
        text = f"{d.id or d.path}: {dr.approved} of {dr.needed}"
        if blocked:
            problems.append(f"{text}, {blocked[0].label} by {blocked[0].partner}")
        elif overdue:
            problems.append(f"{text}, deadline passed")
        else:
            awaited = [s.partner for s in dr.partners if not s.counts]
            waiting.append(f"{text}, waiting on {', '.join(awaited)}")
    if report.unreadable:
        problems.append(f"{len(report.unreadable)} file(s) do not load")
    gov = report.governance
    if gov is not None and not gov.satisfied:
        waiting.append(f"governance: {sum(1 for s in gov.partners if s.counts)} of {len(gov.partners)}")
    if errors:
        problems.append(f"{len(errors)} finding(s) to fix")
    if problems or not waiting or result.check.config_failed:
        return Summary("failure", _cut("; ".join(problems + waiting) or "not approved"))
    return Summary("pending", _cut("; ".join(waiting)))


def check_summary(result: CheckResult, strict: bool = False) -> Summary:
    """The status ``declog check``'s verdict is set as (``check --status``, and after a silence commit)."""
    if result.log is None or result.config_failed:
        return Summary("failure", "the log does not load: run declog check")
    if result.failed(strict):
        counted = result.errors + (result.warnings if strict else 0)
        return Summary("failure", f"{counted} finding(s) to fix: run declog check")
    warned = f" ({result.warnings} warning(s))" if result.warnings else ""
    return Summary("success", f"the log's rules hold{warned}")


def _blocking(dr: DecisionReport) -> list[PartnerStatus]:
    """The partners whose review blocks the decision: changes requested, or an approval gone stale."""
    return [s for s in dr.partners if s.state in (standing.CHANGES_REQUESTED, standing.STALE)]


def _overdue(dr: DecisionReport, now: dt.datetime) -> bool:
    return dr.decision.deadline is not None and now >= dr.decision.deadline


def _cut(text: str) -> str:
    text = line(text)
    return text if len(text) <= DESCRIPTION_MAX else text[: DESCRIPTION_MAX - 1] + "…"


def render(result: ApprovalsResult, *, head: str = "", file_url: str = "", comment: bool = True) -> str:
    """The status comment's Markdown, ``MARKER`` first; with ``comment`` false, the job summary's.

    ``head``: the commit judged (its first 12 characters are shown); ``file_url``: a URL prefix
    to which a decision's path is appended to link it (the blob view at the head), or ''.
    """
    report = result.report
    now = result.now or dt.datetime.now(dt.UTC)
    judge = result.judge or result.check.log
    out = [MARKER + "\n"] if comment else []
    state = summary(result)
    mark = {"success": "✅", "pending": "⏳"}.get(state.state, "❌")
    out.append(f"### {mark} Decision log: {md_text(state.description)}\n")
    if report is None or judge is None:
        out.append("\nThe log does not load at this commit: the `check` job says why.\n")
        return "".join(out)
    by_step = {s.decision.decision.path: s for s in steps(result)}
    for dr in report.decisions:
        out.append(_decision(dr, by_step.get(dr.decision.path), judge, now, file_url))
    out.extend(f"\n#### ❌ {md_code(path)} does not load as a decision\n" for path in report.unreadable)
    gov = report.governance
    if gov is not None:
        mark = "✅" if gov.satisfied else "⏳"
        out.append(f"\n#### {mark} Governance changes: every partner approves\n\n")
        out.extend(f"- {md_code(c.path)}: {md_text(c.what)}\n" for c in gov.changes)
        out.append("\n| Partner | State |\n|---|---|\n")
        out.extend(f"| {_partner(judge, s.partner)} | {_state(s)} |\n" for s in gov.partners)
    if report.non_members:
        shown = ", ".join(handle(n) for n in report.non_members)
        out.append(f"\nReviews by people in no partner do not count: {shown}.\n")
    errors = [f for f in report.findings if f.severity == "error"]
    if errors:
        out.append("\n**To fix:**\n\n")
        out.extend(
            f"- {md_code(f.path)} line {f.line}: {md_code(f.code)} {md_text(f.message)}\n" for f in errors
        )
    judged = f"{now.astimezone(dt.UTC):%Y-%m-%d %H:%M} UTC"
    commit = f" on {md_code(head[:12])}" if head else ""
    rules = f" by the rules of {md_code(result.base)}" if result.base else ""
    edited = " declog edits this comment in place as reviews arrive." if comment else ""
    out.append(f"\n<sub>Judged at {judged}{commit}{rules}.{edited}</sub>\n")
    return "".join(out)


def _decision(dr: DecisionReport, step: Step | None, judge: Log, now: dt.datetime, file_url: str) -> str:
    d = dr.decision
    mark = "✅" if dr.satisfied else "❌" if _blocking(dr) or _overdue(dr, now) else "⏳"
    name = f"{md_text(d.id)} {md_text(d.title)}".strip()
    if file_url and _LINKABLE.match(file_url + "x"):
        name = f"[{name}]({file_url}{url_path(d.path)})"
    need = f"{dr.approved} of {dr.needed} approvals" if dr.needed else "no approval needed"
    out = [f"\n#### {mark} {name}\n\n{md_text(d.status)} · {md_text(d.category)} · {need}"]
    if d.deadline is not None:
        left = d.deadline - now
        when = shown_in(d.deadline, judge.config.site.timezone)
        out.append(
            f" · deadline {md_text(when)}"
            + (f" ({format_duration(left)} left)" if left.total_seconds() > 0 else " (passed)")
        )
    out.append("\n\n| Partner | State | Deadline in their time |\n|---|---|---|\n")
    for s in dr.partners:
        local = ""
        if d.deadline is not None and not s.counts:
            p = judge.partners.get(s.partner)
            local = md_text(shown_in(d.deadline, p.timezone if p else "UTC"))
        out.append(f"| {_partner(judge, s.partner)} | {_state(s)} | {local} |\n")
    next_step = _next(step, dr, judge, now)
    if next_step:
        out.append(f"\n**Next:** {next_step}\n")
    return "".join(out)


def _next(step: Step | None, dr: DecisionReport, judge: Log, now: dt.datetime) -> str:
    d = dr.decision
    if step is None:
        return "" if dr.satisfied else "not approved as it stands: see the partners above"
    if step.blocked:
        return "every approval is in; fix the findings below, then accept it."
    if step.ready and step.decided is not None:
        return (
            f"ready to accept: set `status: accepted` and `decided: {step.decided.isoformat()}` in "
            f"{md_code(d.path)} and commit."
        )
    awaited = [s for s in dr.partners if not s.counts]
    names = ", ".join(_partner(judge, s.partner) for s in awaited)
    some = f"{step.missing} of " if step.missing < len(awaited) else ""
    text = f"waiting on {some}{names}"
    if any(s.state == standing.CHANGES_REQUESTED for s in awaited):
        text += " (changes requested: only the member who asked can lift it by approving)"
    if d.deadline is not None:
        if now >= d.deadline:
            text += "; the deadline has passed"
        else:
            text += f", until {md_text(shown_in(d.deadline, judge.config.site.timezone))}"
    return text + "."


def handle(login: str) -> str:
    """A handle as code when it is a GitHub login; anything else as escaped text that mentions nobody."""
    if vocab.HANDLE_RE.match(login):  # a GitHub login: the only handles shown as code
        return md_code(login)
    return md_text(login).replace("@", "&#64;")


def _partner(judge: Log, pid: str) -> str:
    p: Partner | None = judge.partners.get(pid)
    return md_text(p.short_name) if p is not None else md_code(pid, cell=True)


def _state(s: PartnerStatus) -> str:
    text = f"{_MARKS.get(s.state, '')} {md_text(s.label)}".strip()
    if s.by:
        text += f" by {handle(s.by)}"
    if s.at:
        text += f", {s.at.astimezone(dt.UTC):%Y-%m-%d %H:%M} UTC"
    if s.via and s.via not in (vocab.VIA_PR_REVIEW, vocab.VIA_SILENCE) and s.state == standing.APPROVED:
        text += f" (via {md_text(s.via)})"
    if s.review is not None and s.review.url and _LINKABLE.match(s.review.url):
        text += f" ([review]({s.review.url}))"
    if s.note:
        text += f": {md_text(s.note)}"
    return text
