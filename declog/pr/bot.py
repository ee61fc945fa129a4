"""The asynchronous loop, run from GitHub Actions: the status comment, reminders, silence recorded.

``publish`` keeps one status comment on a pull request (found again by ``status.MARKER``, edited
in place) and sets the commit status ``declog/approvals`` on its head. ``remind`` goes over the
open pull requests, judges each one's head by the base branch's rules (``pullrequest.run``, as
``declog approvals`` does) and, at that moment:

- before a deadline, at each point of ``[workflow.reminders] before``, mentions the members of
  the partners still awaited, once per point;
- after it, where the base branch's rules count silence, commits the silence approvals to the
  pull request's branch (nothing else in the file changes), judges the new head and sets its
  statuses (a commit made with the workflow's token starts no workflow: GitHub's rule);
- after it, where silence does not count, posts one overdue notice and adds a label.

What was sent is remembered in the pull request's own comments, by hidden markers in comments
that a bot wrote (a person's comment cannot carry one for declog), so a re-run sends nothing
twice and no state is kept anywhere else. Everything read from a pull request is data: its head
is checked out only to be parsed, and its own rules, members and settings never steer this.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from declog.authoring.frontmatter_edit import EditError
from declog.check.checker import load_and_check
from declog.log import git, standing, vocab
from declog.log.config import Reminders
from declog.log.escape import md_text
from declog.log.model import Log
from declog.log.timeparse import format_duration, shown_in
from declog.pr import pullrequest, status
from declog.pr.approvals import NEEDS_APPROVAL, DecisionReport
from declog.pr.github import GitHub, GitHubError
from declog.pr.pullrequest import ApprovalsResult
from declog.pr.reviews import ReviewsError, as_object

#: Anything but these in a marker's fields is replaced: a marker is one HTML comment, always.
_MARKER_UNSAFE = re.compile(r"[^A-Za-z0-9._:+/-]")


class BotError(Exception):
    """A pull request cannot be handled (its head cannot be fetched, the API refused)."""


# --- the status comment -----------------------------------------------------------------------


def declogs(comment: Mapping[str, Any]) -> bool:
    """Whether a comment was written by a bot account: only those can carry declog's markers."""
    user = comment.get("user")
    return isinstance(user, dict) and user.get("type") == "Bot"


def find_comment(comments: Iterable[Mapping[str, Any]], marker: str) -> Mapping[str, Any] | None:
    """The first comment by a bot that starts with ``marker``."""
    for c in comments:
        body = c.get("body")
        if declogs(c) and isinstance(body, str) and body.startswith(marker):
            return c
    return None


def upsert_comment(gh: GitHub, number: int, body: str, comments: Sequence[Mapping[str, Any]]) -> str:
    """Create the status comment, or edit declog's one in place; 'created', 'edited' or 'unchanged'."""
    found = find_comment(comments, status.MARKER)
    if found is None:
        gh.create_comment(number, body)
        return "created"
    if found.get("body") == body:
        return "unchanged"
    comment_id = found.get("id")
    if not isinstance(comment_id, int):
        raise BotError("the status comment has no id in GitHub's answer")
    gh.edit_comment(comment_id, body)
    return "edited"


def publish(gh: GitHub, number: int, result: ApprovalsResult, head: str) -> list[str]:
    """The status comment and the commit status ``declog/approvals`` for ``head``; what was done."""
    body = status.render(result, head=head, file_url=_blob_url(gh, head))
    done = upsert_comment(gh, number, body, gh.comments(number))
    state = status.summary(result)
    if head:
        gh.set_status(head, state.state, status.CONTEXT, state.description, _pull_url(gh, number))
    return [
        f"#{number}: status comment {done}",
        f"#{number}: {status.CONTEXT} {state.state}: {state.description}",
    ]


def _web(gh: GitHub) -> str:
    """The web address of the repository (api.github.com -> github.com; Enterprise: /api/v3 off)."""
    api = gh.api_url.rstrip("/")
    if api == "https://api.github.com":
        return f"https://github.com/{gh.repo}"
    return f"{api.removesuffix('/api/v3')}/{gh.repo}"


def _pull_url(gh: GitHub, number: int) -> str:
    return f"{_web(gh)}/pull/{number}"


def _blob_url(gh: GitHub, head: str) -> str:
    return f"{_web(gh)}/blob/{head}/" if git.COMMIT_ID.fullmatch(head or "") else ""


# --- reminders, silence and overdue notices: what is due at a moment --------------------------


@dataclass(frozen=True)
class Reminder:
    decision: DecisionReport
    points: tuple[str, ...]
    """Every point reached and not yet sent (e.g. ``24h``, ``2h``): one comment covers them."""
    handles: tuple[str, ...]
    """Members of the awaited partners, the pull request's author left out."""


@dataclass
class Plan:
    """What is due for one pull request at one moment."""

    reminders: list[Reminder] = field(default_factory=list)
    silence: dict[str, str] = field(default_factory=dict)
    """Decision path (under the log's root) -> its text with the silence approvals recorded."""
    overdue: list[DecisionReport] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.reminders or self.silence or self.overdue)


def _marker(kind: str, *parts: str) -> str:
    fields = " ".join(_MARKER_UNSAFE.sub("_", p) for p in parts)
    return f"<!-- declog:{kind} {fields} -->"


def _deadline_key(d: dt.datetime) -> str:
    return d.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _point_name(delta: dt.timedelta) -> str:
    return format_duration(delta).replace(" ", "")


def plan(
    result: ApprovalsResult,
    comments: Sequence[Mapping[str, Any]],
    settings: Reminders,
    now: dt.datetime,
    *,
    root: Path,
    author: str = "",
) -> Plan:
    """What is due for the pull request judged in ``result`` at ``now``; pure but for reading files.

    ``settings`` and every partner's members come from the base branch (``result.judge``).
    """
    out = Plan()
    report, judge = result.report, result.judge
    if report is None or judge is None:
        return out
    sent = "\n".join(str(c.get("body", "")) for c in comments if declogs(c))
    for dr in report.decisions:
        d = dr.decision
        if d.status not in NEEDS_APPROVAL or d.deadline is None:
            continue
        key = _deadline_key(d.deadline)
        if now < d.deadline:
            if dr.satisfied:
                continue
            points = tuple(
                _point_name(b)
                for b in settings.before
                if now >= d.deadline - b and _marker("reminder", d.id, key, _point_name(b)) not in sent
            )
            if points:
                out.reminders.append(Reminder(dr, points, _handles(dr, judge, author)))
            continue
        unrecorded = pullrequest.unrecorded_silence(dr, [])
        if unrecorded and settings.record_silence:
            try:
                text = pullrequest.with_approvals(root, dr, report.pull)
                if text is not None:
                    out.silence[d.path] = text
            except EditError as exc:
                out.notes.append(f"{d.path}: cannot record the silence approvals: {exc}")
        elif unrecorded:
            out.notes.append(
                f"{d.path}: silence counts for {', '.join(sorted(unrecorded))}; recording it is off "
                "([workflow.reminders] record_silence = false): `declog approvals --write` records it"
            )
        if not dr.satisfied and _marker("overdue", d.id, key) not in sent:
            out.overdue.append(dr)
    return out


def _handles(dr: DecisionReport, judge: Log, author: str) -> tuple[str, ...]:
    out: list[str] = []
    for s in dr.partners:
        if s.counts:
            continue
        p = judge.partners.get(s.partner)
        for m in p.members if p is not None else ():
            if m.handle.casefold() != author.casefold() and m.handle not in out:
                out.append(m.handle)
    return tuple(out)


def _mention(handle: str) -> str:
    return f"@{handle}" if vocab.HANDLE_RE.match(handle) else status.handle(handle)


def reminder_text(reminders: Sequence[Reminder], judge: Log, now: dt.datetime) -> str:
    """One comment for every reminder due on a pull request, its markers first."""
    markers = [
        _marker("reminder", r.decision.decision.id, _deadline_key(r.decision.decision.deadline), p)
        for r in reminders
        if r.decision.decision.deadline is not None
        for p in r.points
    ]
    out = ["\n".join(markers), "\n**Reminder: approvals awaited before the deadline**\n"]
    for r in reminders:
        d = r.decision.decision
        assert d.deadline is not None
        awaited = [s for s in r.decision.partners if not s.counts]
        local = "; ".join(
            f"{md_text(_name(judge, s.partner))}: {md_text(shown_in(d.deadline, _zone(judge, s.partner)))}"
            for s in awaited
        )
        who = " ".join(_mention(h) for h in r.handles) or "the members of " + ", ".join(
            md_text(_name(judge, s.partner)) for s in awaited
        )
        out.append(
            f"\n- **{md_text(d.id)} {md_text(d.title)}**: {format_duration(d.deadline - now)} left "
            f"(deadline {local}). Waiting on {who}: review the pull request (approve, or request changes)."
        )
        if _silence_counts_for_some(r.decision, judge, now):
            out.append(" Where the partners agreed that silence counts, silence until the deadline approves.")
    return "\n".join(out[:2]) + "".join(out[2:]) + "\n"


def _silence_counts_for_some(dr: DecisionReport, judge: Log, now: dt.datetime) -> bool:
    d = dr.decision
    after = d.deadline or now
    return any(
        not s.counts and standing.silence_counts(d, s.partner, judge, after + dt.timedelta(seconds=1))
        for s in dr.partners
    )


def overdue_text(overdue: Sequence[DecisionReport], judge: Log) -> str:
    markers = [
        _marker("overdue", dr.decision.id, _deadline_key(dr.decision.deadline))
        for dr in overdue
        if dr.decision.deadline is not None
    ]
    out = ["\n".join(markers), "\n**Deadline passed without every approval**\n"]
    for dr in overdue:
        d = dr.decision
        assert d.deadline is not None
        awaited = ", ".join(md_text(_name(judge, s.partner)) for s in dr.partners if not s.counts)
        out.append(
            f"\n- **{md_text(d.id)} {md_text(d.title)}**: the deadline, "
            f"{md_text(shown_in(d.deadline, judge.config.site.timezone))}, passed with "
            f"{dr.approved} of {dr.needed} approvals; awaited: {awaited}. Silence does not count "
            "here: the awaited partners still review it, or the owner moves the deadline (a new "
            "review round) or withdraws it."
        )
    return "\n".join(out[:2]) + "".join(out[2:]) + "\n"


def _name(judge: Log, pid: str) -> str:
    p = judge.partners.get(pid)
    return p.short_name if p is not None else pid


def _zone(judge: Log, pid: str) -> str:
    p = judge.partners.get(pid)
    return p.timezone if p is not None else "UTC"


# --- running it over the open pull requests ---------------------------------------------------


@dataclass
class Outcome:
    """What ``remind`` did (or, dry, would do) for one pull request."""

    number: int
    done: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    failed: str = ""


def remind(
    root: Path,
    gh: GitHub,
    settings: Reminders,
    now: dt.datetime,
    *,
    numbers: Sequence[int] = (),
    token: str = "",
    dry_run: bool = False,
    say: Callable[[str], None] = lambda text: None,
) -> list[Outcome]:
    """Every open pull request (or ``numbers``), judged at ``now`` by the base branch at ``root``."""
    pulls = [gh.pull(n) for n in numbers] if numbers else gh.open_pulls()
    outcomes = []
    for pr in pulls:
        number = pr.get("number")
        if not isinstance(number, int):
            continue
        outcome = Outcome(number)
        outcomes.append(outcome)
        if pr.get("state", "open") != "open":
            outcome.notes.append(f"#{number}: closed; nothing to do")
        elif pr.get("draft"):
            outcome.notes.append(f"#{number}: a draft; no reminders until it is ready for review")
        else:
            try:
                _one(root, gh, settings, now, pr, outcome, token=token, dry_run=dry_run)
            except (BotError, GitHubError, ReviewsError, pullrequest.ApprovalsError, git.GitError) as exc:
                outcome.failed = f"#{number}: {exc}"
        for text in outcome.done + outcome.notes + ([outcome.failed] if outcome.failed else []):
            say(text)
    return outcomes


def _one(
    root: Path,
    gh: GitHub,
    settings: Reminders,
    now: dt.datetime,
    pr: Mapping[str, Any],
    outcome: Outcome,
    *,
    token: str,
    dry_run: bool,
) -> None:
    number = outcome.number
    head, target = as_object(pr.get("head")), as_object(pr.get("base"))
    sha, branch, base_ref = str(head.get("sha", "")), str(head.get("ref", "")), str(target.get("ref", ""))
    if not git.COMMIT_ID.fullmatch(sha) or not base_ref:
        raise BotError("GitHub's answer names no head commit or base branch")
    same_repo = as_object(head.get("repo")).get("full_name") == gh.repo
    pull = gh.pull_request(number)
    comments = gh.comments(number)
    prefix, base = git.repo_prefix(root), f"origin/{base_ref}"
    with _checked_out(
        root, prefix, sha, f"+refs/heads/{base_ref}:refs/remotes/{base}", sha, token=token
    ) as tree:
        result = pullrequest.run(tree, pull, base=base, now=now)
        plan_ = plan(result, comments, settings, now, root=tree, author=pull.author)
    judge = result.judge
    outcome.notes += [f"#{number}: {n}" for n in plan_.notes]
    if judge is None:
        outcome.notes.append(f"#{number}: the log does not load at its head; nothing done")
        return
    if plan_.empty:
        outcome.notes.append(f"#{number}: nothing due")
    if plan_.reminders:
        gh.create_comment(number, reminder_text(plan_.reminders, judge, now))
        points = ", ".join(f"{r.decision.decision.id} ({'/'.join(r.points)})" for r in plan_.reminders)
        outcome.done.append(f"#{number}: reminded {points}")
    new_head = ""
    if plan_.silence:
        if not same_repo:
            outcome.notes.append(
                f"#{number}: silence approvals are due but the branch is in a fork, which the "
                "workflow's token cannot write to: run `declog approvals --write` on the branch and push"
            )
        else:
            files = {prefix + path: text.encode("utf-8") for path, text in plan_.silence.items()}
            ids = ", ".join(_id_of(result, p) for p in plan_.silence)
            message = (
                f"Record approval by silence for {ids}\n\n"
                "The deadline passed, and the base branch's rules count silence (declog remind).\n"
            )
            new_head = gh.commit_files(branch, sha, files, message)
            outcome.done.append(
                f"#{number}: recorded silence approvals for {ids} in {', '.join(sorted(files))}"
            )
    if plan_.overdue:
        gh.create_comment(number, overdue_text(plan_.overdue, judge))
        if settings.overdue_label:
            gh.add_labels(number, [settings.overdue_label])
        ids = ", ".join(dr.decision.id for dr in plan_.overdue)
        outcome.done.append(f"#{number}: overdue notice for {ids}")
    if new_head and not dry_run:
        with _checked_out(
            root, prefix, new_head, f"+refs/heads/{branch}:refs/declog/pull/{number}", token=token
        ) as tree:
            _rejudge(tree, gh, number, base, new_head, now, outcome)
    elif find_comment(comments, status.MARKER) is not None:
        # the status comment is in use: keep it (and the status) current as the clock moves,
        # e.g. from "pending" to "deadline passed"
        outcome.done += publish(gh, number, result, sha)


def _id_of(result: ApprovalsResult, path: str) -> str:
    report = result.report
    for dr in report.decisions if report else ():
        if dr.decision.path == path:
            return dr.decision.id or path
    return path


@contextlib.contextmanager
def _checked_out(root: Path, prefix: str, commit: str, *refspecs: str, token: str) -> Iterator[Path]:
    """Fetch ``refspecs``, check ``commit`` out as data (``git.checkout``); the log's root in it."""
    git.fetch(root, *refspecs, token=token)
    with git.checkout(root, commit) as tree:
        yield tree / prefix if prefix else tree


def _rejudge(
    log_root: Path, gh: GitHub, number: int, base: str, head: str, now: dt.datetime, outcome: Outcome
) -> None:
    """After the silence commit, checked out at ``log_root``: judge it as the required checks
    would, and say so (statuses and the status comment)."""
    verdict = status.check_summary(load_and_check(log_root, base=base))
    gh.set_status(head, verdict.state, status.CHECK_CONTEXT, verdict.description, _pull_url(gh, number))
    result = pullrequest.run(log_root, gh.pull_request(number), base=base, now=now)
    outcome.done += publish(gh, number, result, head)
