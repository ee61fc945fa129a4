"""`declog approvals`: one pull request's reviews against the decisions it touches.

The orchestration in one place: read the reviews (a file, or the API inside
GitHub Actions), load and check the log, find the decisions the change adds or
edits (git, against the base branch), assess them (``declog.pr.approvals``) and,
with ``write``, record the approvals in the files. Gathers everything before
writing anything; each file is replaced atomically.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from declog.authoring.frontmatter_edit import KEEP, EditError, read_document, set_approvals
from declog.authoring.rewrite import replace_text
from declog.check.checker import CheckResult, load_and_check, read_base
from declog.check.output import concise
from declog.log import clock, git, standing, vocab
from declog.log.escape import json_text, line
from declog.log.load import RawFile, build_log, kind_of, parse_document
from declog.log.model import Decision, Log
from declog.log.timeparse import shown_in
from declog.pr.approvals import (
    NEEDS_APPROVAL,
    DecisionReport,
    Evidence,
    PartnerStatus,
    Report,
    approvals_to_write,
    assess,
)
from declog.pr.github import GitHub
from declog.pr.reviews import (
    PullRequest,
    Review,
    ReviewsError,
    parse_reviews,
    read_json_file,
    read_reviews_file,
)


class ApprovalsError(Exception):
    """The command cannot run: no reviews, an unknown base, a file that cannot be edited."""


def load_pull(
    *,
    reviews_file: Path | None = None,
    event_file: Path | None = None,
    number: int | None = None,
    env: Mapping[str, str] | None = None,
) -> PullRequest:
    """The pull request and its reviews from a file, the event, or the API.

    With a token (``GITHUB_TOKEN``) and a repository (``GITHUB_REPOSITORY`` or
    the event's), the complete review list is fetched from the API: an event
    payload carries only the review just submitted.
    """
    env = os.environ if env is None else env
    if reviews_file is not None:
        pull = read_reviews_file(reviews_file)
        return pull if number is None else _with_number(pull, number)
    event: dict[str, Any] = {}
    if event_file is not None:
        event = read_json_file(event_file)
        if not isinstance(event, dict):
            raise ReviewsError(f"{event_file}: not an event payload")
    pr = event.get("pull_request")
    number = number or (pr.get("number") if isinstance(pr, dict) else None) or event.get("number")
    repository = event.get("repository")
    repo = env.get("GITHUB_REPOSITORY") or (
        str(repository.get("full_name", "")) if isinstance(repository, dict) else ""
    )
    token = env.get("GITHUB_TOKEN", "")
    if token and repo and isinstance(number, int):
        return GitHub.from_env(env, repo=repo).pull_request(number)
    if event.get("review"):
        return parse_reviews(event, str(event_file))
    raise ReviewsError(
        "no reviews to read: pass --reviews FILE or --event FILE, or run in GitHub Actions "
        "with GITHUB_TOKEN, GITHUB_REPOSITORY and --pr N"
    )


def _with_number(pull: PullRequest, number: int) -> PullRequest:
    return dataclasses.replace(pull, number=number)


@dataclass
class ApprovalsResult:
    check: CheckResult
    report: Report | None = None
    written: list[str] = field(default_factory=list)
    base: str | None = None
    now: dt.datetime | None = None
    """The moment the approvals were judged at."""
    judge: Log | None = None
    """The log that judged: the base branch's (its partners, members and time zones), else the change's."""

    @property
    def ok(self) -> bool:
        return self.report is not None and self.report.ok and not self.check.config_failed


def run(
    root: Path,
    pull: PullRequest,
    *,
    base: str | None = None,
    now: dt.datetime | None = None,
    write: bool = False,
    force: bool = False,
) -> ApprovalsResult:
    """Assess the pull request's decisions; with ``write``, record the approvals.

    Unless ``force``, a reviews file that is not about this tree is refused (ApprovalsError):
    see ``foreign``.
    """
    check = load_and_check(root)
    if check.log is None:
        return ApprovalsResult(check)
    log = check.log
    in_repo = git.is_repo(root)
    base = base or (git.default_base(root) if in_repo else None)
    paths: set[str] = {p for p in pull.files if kind_of(p) == "decision"}
    when = now or clock.current()
    evidence = None
    changed: set[str] = set()
    if base is not None:
        try:
            evidence, changed = _evidence(root, log, base, when)
        except git.GitError as exc:
            raise ApprovalsError(f"cannot compare with base revision '{base}': {exc}") from None
        paths |= changed
        log = dataclasses.replace(log, config=evidence.judge.config)
    elif not paths:
        raise ApprovalsError(
            "cannot tell which decisions the pull request touches: pass --base REF (e.g. origin/main)"
        )

    def version_at(path: str, commit: str) -> Decision | None:
        data = git.file_at(root, commit, path) if in_repo else None
        if data is None:
            return None
        record, _ = parse_document(RawFile(path, data))
        return record if isinstance(record, Decision) else None

    if not force and (why := foreign(root, pull, changed, base if in_repo else None)):
        raise ApprovalsError(
            f"the reviews are not of this pull request: {why}; check --pr and --reviews "
            "(or pass --force to apply them anyway)"
        )
    unreadable = {p for p in paths if (root / p).is_file() or (root / p).is_symlink()}
    report = assess(
        log, pull, paths, now=when, version_at=version_at, evidence=evidence, unreadable=unreadable
    )
    judge = evidence.judge if evidence is not None else log
    result = ApprovalsResult(check, report, base=base, now=when, judge=judge)
    if write:
        result.written = _write(root, log, report)
    return result


def foreign(root: Path, pull: PullRequest, changed: set[str], base: str | None) -> str:
    """Why the reviews cannot be of the pull request checked out at ``root`` ('' when they can).

    A reviews file names the pull request's head commit and the commits its reviews were given
    on, and ``gh pr view --json files`` lists the files it changes. Applying one from another
    pull request or repository would approve what nobody reviewed here, so the head commit must
    be one this repository has, and every listed file must be in the tree or among the changes
    since ``base`` (a deleted file is one). Reviewed commits may be missing: a force-push
    replaces them, and such a review is stale, not foreign. ``base`` is None outside git.
    """
    if base is not None and pull.head_sha and not git.known_commits(root, [pull.head_sha]):
        return f"their head commit {pull.head_sha[:12]} is not in this repository (fetch it first?)"
    if not pull.files:
        return ""
    top = git.toplevel(root) if base is not None else None
    prefix = root.resolve().relative_to(top.resolve()).as_posix() if top is not None else ""
    strays = [f for f in pull.files if not _listed_here(root, top, prefix, f, changed)]
    if strays and base is not None:  # deleted by the change: not in the tree, but changed
        try:
            gone = set(git.changed_anywhere(root, base))
        except git.GitError:
            gone = set()
        strays = [f for f in strays if f not in gone]
    if not strays:
        return ""
    shown = ", ".join(strays[:3]) + (f" and {len(strays) - 3} more" if len(strays) > 3 else "")
    return f"they list {len(strays)} changed file(s) that are not in this tree: {shown}"


def _listed_here(root: Path, top: Path | None, prefix: str, path: str, changed: set[str]) -> bool:
    """Whether ``path`` (relative to the repository's top) is in this tree or among the changes."""
    if path in changed or (top is not None and (top / path).exists()):
        return True
    rel = path.removeprefix(prefix + "/") if prefix and prefix != "." else path
    return rel in changed or (root / rel).exists()


def _evidence(root: Path, log: Log, base: str, now: dt.datetime) -> tuple[Evidence, set[str]]:
    """The base branch as judge: its rules, members and meetings, and what the change touches."""
    judged = read_base(root, base, log.config, now)
    judge, _ = build_log(str(root), judged.config, git.files_at(root, judged.fork or base))
    changes = judged.governance(judge, log, log.config)
    top = git.toplevel(root)

    def governance_stale(review: Review) -> str:
        if not review.commit or top is None:
            return ""
        real_top = top.resolve()
        for c in changes:
            # the path itself, never where a link leads: a file is judged by its own content
            path = Path(os.path.normpath(root.resolve() / c.path))
            rel = path.relative_to(real_top).as_posix()
            if git.file_at(top, review.commit, rel) != _plain_bytes(real_top / rel):
                return f"reviewed commit {review.commit[:10]}; {c.path} changed since"
        return ""

    return (
        Evidence(
            judge=judge,
            base=judge,
            visible=judged.visible,
            governance=tuple(changes),
            governance_stale=governance_stale,
        ),
        set(judged.decisions),
    )


def _plain_bytes(path: Path, limit: int = 16 * 1024 * 1024) -> bytes | None:
    """A regular file's bytes, never through a symlink or from a FIFO; None otherwise (or too large)."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, flags)
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        with os.fdopen(os.dup(fd), "rb") as fh:
            data = fh.read(limit + 1)
    except OSError:
        return None
    finally:
        os.close(fd)
    return data if len(data) <= limit else None


def with_approvals(root: Path, dr: DecisionReport, pull: PullRequest) -> str | None:
    """The text of ``dr``'s file with the approvals the report proves recorded (``approvals_to_write``),
    every other byte as it is; None when there is nothing new to record. EditError when it cannot be
    edited (``--write``, and ``declog remind``'s silence commit)."""
    d = dr.decision
    entries = approvals_to_write(dr, pull)
    if all(KEEP in e for e in entries) and len(entries) == len(d.approvals):
        return None
    return set_approvals(read_document(root, d.path), entries, d.path)


def _write(root: Path, log: Log, report: Report) -> list[str]:
    staged: dict[str, str] = {}
    for dr in report.decisions:
        try:
            text = with_approvals(root, dr, report.pull)
        except EditError as exc:
            raise ApprovalsError(str(exc)) from None
        if text is not None:
            staged[dr.decision.path] = text
    for rel, text in staged.items():
        replace_text(root / rel, text)
    return sorted(staged)


# --- reports as text -------------------------------------------------------------------------


def _when(value: dt.datetime | None) -> str:
    return value.isoformat().replace("+00:00", "Z") if value else ""


def _state_text(s: PartnerStatus, unrecorded: bool = False) -> str:
    """A partner's state in the text report; ``unrecorded``: its silence counts but is not in the file."""
    text = s.label
    if s.by:
        text += f" by {s.by}"
    if s.at:
        text += f" at {_when(s.at)}"
    if s.via and s.via != vocab.VIA_PR_REVIEW and s.state == standing.APPROVED:
        text += f" (via {s.via})"
    if s.note:
        text += f" ({s.note})"
    if unrecorded:
        text += ", not recorded yet: `declog approvals --write` records it"
    return text


def unrecorded_silence(dr: DecisionReport, written: list[str]) -> set[str]:
    """Partners whose silence the report counts for ``dr`` and ``--write`` would record (not written yet)."""
    d = dr.decision
    if d.path in written or d.status not in NEEDS_APPROVAL:
        return set()
    recorded = {a.partner for a in d.approvals if a.via == vocab.VIA_SILENCE}
    return {s.partner for s in dr.partners if s.state == standing.SILENCE and s.partner not in recorded}


def _partner_json(s: PartnerStatus) -> dict[str, Any]:
    return {
        "partner": s.partner,
        "state": s.label,
        "by": s.by or None,
        "at": _when(s.at) or None,
        "via": s.via or None,
        "commit": s.review.commit if s.review else None,
        "note": s.note or None,
    }


def render_text(result: ApprovalsResult) -> str:
    report = result.report
    if report is None:
        return ""
    pull = report.pull
    head = f"pull request #{pull.number}" if pull.number else "pull request"
    lines = [
        f"{head}{f' by {pull.author}' if pull.author else ''}: "
        f"{len(pull.reviews)} review(s), {len(report.decisions)} decision(s)"
        + (f" changed since {result.base}" if result.base else "")
    ]
    for dr in report.decisions:
        d = dr.decision
        verdict = "ok" if dr.satisfied else "NOT APPROVED"
        need = f"{dr.approved} of {dr.needed} needed" if dr.needed else "no approval needed"
        lines.append(f"{d.path}: {d.id} {d.title!r} ({d.status}): {need}: {verdict}")
        unrecorded = unrecorded_silence(dr, result.written)
        for s in dr.partners:
            lines.append(f"  {s.partner:<16} {_state_text(s, s.partner in unrecorded)}")
    for path in report.unreadable:
        lines.append(f"{path}: does not load as a decision: NOT APPROVED (see `declog check {path}`)")
    gov = report.governance
    if gov is not None:
        verdict = "ok" if gov.satisfied else "NOT APPROVED"
        lines.append(f"governance changes: every partner must approve: {verdict}")
        for c in gov.changes:
            own = f" (needs {c.partner}'s own approval)" if c.partner else ""
            lines.append(f"  {c.path}: {c.what}{own}")
        for s in gov.partners:
            lines.append(f"  {s.partner:<16} {_state_text(s)}")
    if report.non_members:
        lines.append(f"reviewers in no partner (their reviews do not count): {', '.join(report.non_members)}")
    if result.base is None:
        lines.append(
            "note: no base branch: the change's own rules and members were used; "
            "pass --base REF so the base branch judges"
        )
    if not pull.complete:
        lines.append("note: an event payload holds only the latest review; other reviews were not seen")
    lines += [concise(f) for f in report.findings]
    lines += [f"wrote approvals to {p}" for p in result.written]
    return "".join(line(text) + "\n" for text in lines)  # a value never makes a line of its own


@dataclass(frozen=True)
class Step:
    """What is next for one proposal: accept it (``ready``), fix findings first, or wait on partners."""

    decision: DecisionReport
    ready: bool = False
    blocked: bool = False
    """Every approval is in, but the file has errors to fix first."""
    decided: dt.datetime | None = None
    """For a ready proposal: the ``decided`` to write, when the last approval came in."""
    missing: int = 0
    """How many more partners must approve."""


def steps(result: ApprovalsResult) -> list[Step]:
    """The next step for each proposal in the report (accepted and closed decisions have none)."""
    report = result.report
    if report is None:
        return []
    now = result.now or clock.current()
    broken = {f.path for f in report.findings if f.severity == "error"}
    out = []
    for dr in report.decisions:
        d = dr.decision
        if d.status != vocab.PROPOSED:
            continue  # accepted and the rest: the verdict says whether it stands
        if dr.satisfied and d.path in broken:
            out.append(Step(dr, blocked=True))
        elif dr.satisfied:
            moment = standing.decided_at(d, [s.at for s in dr.partners if s.counts], now)
            out.append(Step(dr, ready=True, decided=moment))
        else:
            out.append(Step(dr, missing=dr.needed - dr.approved))
    return out


def next_steps(result: ApprovalsResult) -> list[str]:
    """What to do next with each proposal once ``--write`` recorded its approvals (for the CLI to print).

    Ready (every approval the rules require is in, and no approval is forged or stale): the
    lines that accept it, ``decided`` when the last approval came in. Otherwise the partners
    still awaited, and until when.
    """
    report, log = result.report, result.check.log
    if report is None or log is None:
        return []
    now = result.now or clock.current()
    tz = log.config.site.timezone
    out = []
    for step in steps(result):
        d = step.decision.decision
        if step.blocked:
            out.append(f"{d.path}: not ready to accept until the findings above are fixed")
        elif step.ready and step.decided is not None:
            decided = step.decided.isoformat()
            out.append(
                f"{d.path}: ready to accept: set `status: accepted` and `decided: {decided}` "
                f"in {d.path} and commit"
            )
        else:
            out.append(f"{d.path}: {_awaited(step.decision.partners, step.missing, d.deadline, tz, now)}")
    gov = report.governance
    if gov is not None and not gov.satisfied:
        missing = sum(1 for s in gov.partners if not s.counts)
        out.append(f"governance changes: {_awaited(gov.partners, missing, None, tz, now)}")
    return out


def _awaited(
    partners: tuple[PartnerStatus, ...], missing: int, deadline: dt.datetime | None, tz: str, now: dt.datetime
) -> str:
    """``still awaited: globex, northwind (changes requested by x) (until ...)``."""
    names = []
    for s in partners:
        if s.counts:
            continue
        if s.state == standing.CHANGES_REQUESTED:
            names.append(f"{s.partner} (changes requested by {s.by}: only they can lift it)")
        elif s.state == standing.STALE:
            names.append(f"{s.partner} (its approval is of an earlier text: a member reviews again)")
        else:
            names.append(s.partner)
    waiting = ", ".join(names)
    text = f"still awaited: {waiting}" if missing >= len(names) else f"still awaited: {missing} of {waiting}"
    if deadline is not None:
        when = shown_in(deadline, tz)
        if now >= deadline:
            text += f" (the feedback deadline, {when}, has passed)"
        else:
            text += f" (until the feedback deadline, {when})"
    return text


def render_json(result: ApprovalsResult) -> str:
    report = result.report
    if report is None:
        return json.dumps({"version": 1, "ok": False, "decisions": []}) + "\n"
    data = {
        "version": 1,
        "ok": report.ok,
        "pull_request": report.pull.number,
        "author": report.pull.author,
        "base": result.base,
        "decisions": [
            {
                "path": dr.decision.path,
                "id": dr.decision.id,
                "title": dr.decision.title,
                "status": dr.decision.status,
                "needed": dr.needed,
                "approved": dr.approved,
                "satisfied": dr.satisfied,
                "partners": [_partner_json(s) for s in dr.partners],
            }
            for dr in report.decisions
        ],
        "governance": None
        if report.governance is None
        else {
            "satisfied": report.governance.satisfied,
            "changes": [
                {"path": c.path, "what": c.what, "partner": c.partner or None}
                for c in report.governance.changes
            ],
            "partners": [_partner_json(s) for s in report.governance.partners],
        },
        "unreadable": list(report.unreadable),
        "non_members": list(report.non_members),
        "findings": [
            {
                "path": f.path,
                "line": f.line,
                "col": f.col,
                "code": f.code,
                "severity": str(f.severity),
                "message": f.message,
            }
            for f in report.findings
        ],
        "written": result.written,
    }
    return json_text(json.dumps(data, indent=2) + "\n")
