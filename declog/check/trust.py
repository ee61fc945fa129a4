"""The trust rules: what an approval is bound to, and what a pull request may change.

Partners need not trust each other's pull requests. docs/security.md states
the rules ("What an approval is bound to"); this module is them, one function
a rule and in the same order, so a reader can audit the one against the other.
``declog check --base`` and ``declog approvals`` both call it; neither judges
consent, windows, meetings or governance anywhere else. Pure: decisions,
meetings, settings and changed paths go in, verdicts in words come out.

0. ``own_approval``: a partner approves through its base members, never through
   the pull request's author or the decision's owner (unless agreed).
1. ``voided``: an approval counts only for the exact outcome it approved: the
   decision's text (every field but the workflow's bookkeeping, and the body)
   and its direction (accept this text; or reject it; or withdraw it).
2. ``silence_from``: a feedback window open on the base branch is never
   shortened; a change of the text (``proposed`` and ``deadline`` included)
   restarts it from when the change became visible.
3. ``meeting_vouches``: a meeting is evidence only for the decisions its record
   lists, for those who attended, at the meeting's time.
4. ``changes``: what a pull request changes of the rules and evidence that judge
   pull requests (settings, members, meeting records, theme, CI) needs the
   approval of every partner it concerns (``Change.approvers``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from declog.log import vocab
from declog.log.config import CONFIG_FILE, Config, Workflow
from declog.log.load import CONTENT
from declog.log.model import Approval, Decision, Log, Meeting, Partner

# --- 0. who approves for a partner --------------------------------------------------------------


def own_approval(login: str, *, author: str, owner: str, self_approval: bool) -> bool:
    """Whether ``login`` approves their own change: the pull request's author or the decision's owner.

    Neither approves for their own partner unless the base branch agrees ``self_approval``;
    logins compare case-insensitively, as GitHub's do. (Membership is the base branch's:
    ``member_of``.)
    """
    if self_approval:
        return False
    return login.casefold() in {author.casefold(), owner.casefold()} - {""}


# --- 1. what a partner approves --------------------------------------------------------------

#: The fields the workflow itself writes: recording approvals, accepting (``status``, ``decided``),
#: and superseding (``superseded_by``). Changing them keeps an approval alive, and only in the
#: direction it consented to (``outcome``); changing any other field or the body voids it.
BOOKKEEPING = frozenset({"approvals", "status", "decided", "superseded_by"})

#: What an approval consents to, by the status of the text it approved.
ACCEPT = "accept"
REJECT = "reject"
WITHDRAW = "withdraw"
_OUTCOME = {vocab.REJECTED: REJECT, vocab.WITHDRAWN: WITHDRAW}


def outcome(status: str) -> str:
    """The direction an approval of a decision in ``status`` consents to.

    A draft, a proposal, an accepted or superseded decision: accepting its
    text. A rejection: rejecting it. A withdrawal: withdrawing it.
    """
    return _OUTCOME.get(status, ACCEPT)


def text(d: Decision) -> dict[str, object]:
    """What a partner approves besides the direction: every field but the bookkeeping, and the body."""
    return {k: v for k, v in d.data.items() if k not in BOOKKEEPING} | {"__body__": d.body.strip()}


def approval_key(a: Approval) -> tuple[str, str, str, str]:
    """An approval as the same one on the base branch and in a change: who, for whom, how, where."""
    return (a.partner, a.by, a.via, a.ref)


def changed_fields(before: Decision, after: Decision) -> list[str]:
    """The fields of the text that differ (``body`` for the body), in a stable order."""
    a, b = text(before), text(after)
    keys = sorted(k for k in a.keys() | b.keys() if a.get(k) != b.get(k))
    return ["body" if k == "__body__" else k for k in keys]


def voided(approved: Decision, now: Decision) -> str:
    """Why an approval given to ``approved`` does not count for ``now`` ('' while it does).

    Rule 1. Whatever its ``via`` and wherever it was recorded, an approval
    counts only while the text is the one approved and the outcome is the one
    it consented to.
    """
    if outcome(approved.status) != outcome(now.status):
        return (
            f"it was given to the decision {approved.status}: consent to {_verb(approved.status)} it, "
            f"not to {_verb(now.status)} it"
        )
    changed = changed_fields(approved, now)
    if changed:
        return f"{', '.join(changed)} changed since"
    return ""


def _verb(status: str) -> str:
    return {ACCEPT: "accepting", REJECT: "rejecting", WITHDRAW: "withdrawing"}[outcome(status)]


# --- 2. the feedback window --------------------------------------------------------------------


def silence_from(
    d: Decision,
    old: Decision | None,
    workflow: Workflow,
    visible: Iterable[dt.datetime | None],
) -> dt.datetime | None:
    """The moment from which partners' silence on ``d`` can count (None: no deadline, no silence).

    Rule 2. A proposal whose text is the base branch's keeps the window it had
    there. Any other (new, or changed: ``proposed`` and ``deadline`` are text)
    waits the window again from when the change became visible (``visible``:
    its branch's first commit touching it and the pull request's opening; the
    latest counts), at least the agreed window and at least as long as its own
    ``deadline - proposed``; and never ends before a deadline the base branch
    already gave the partners.
    """
    if d.deadline is None:
        return None
    proposed_on_base = old if old is not None and old.status == vocab.PROPOSED else None
    if proposed_on_base is not None and not changed_fields(proposed_on_base, d):
        return d.deadline
    ends = [d.deadline]
    if proposed_on_base is not None and proposed_on_base.deadline is not None:
        ends.append(proposed_on_base.deadline)
    seen = [t for t in visible if t is not None]
    if seen:
        length = workflow.feedback_window
        if d.proposed is not None:
            length = max(length, d.deadline - d.proposed)
        ends.append(max(seen) + length)
    return max(ends)


def shortened(old: Decision, new: Decision) -> bool:
    """Whether a change moves the deadline of a proposal open on the base branch earlier (rule 2)."""
    return (
        old.status == vocab.PROPOSED
        and old.deadline is not None
        and new.deadline is not None
        and new.deadline < old.deadline
    )


# --- 3. meetings -----------------------------------------------------------------------------

#: How long after a meeting's start an approval given in it may be dated.
MEETING_DAY = dt.timedelta(hours=24)


def meeting_vouches(d: Decision, a: Approval, record: Meeting | None, where: str) -> str:
    """Why the meeting ``record`` is no evidence for approval ``a`` of ``d`` ('' when it is).

    Rule 3. A meeting vouches for a decision only when its record lists it,
    for an approver who attended, dated (when dated) within the meeting's day.
    ``where`` says which record judges ("on the base branch"); the caller picks
    the record (the base's, or one the pull request adds or changes once every
    partner present approved it: rule 4).
    """
    if not d.meeting:
        return "approved via meeting, but the decision names no meeting"
    if record is None:
        return f"meeting {d.meeting} is not recorded {where}"
    if d.id not in record.decisions:
        return f"meeting {d.meeting} as recorded {where} does not list decision {d.id}"
    if a.by.casefold() not in {h.casefold() for h in record.attendees}:
        return f"{a.by} did not attend meeting {d.meeting} as recorded {where}"
    if a.at is not None and record.date is not None and not record.date <= a.at < record.date + MEETING_DAY:
        when = record.date.isoformat()
        return f"the approval is dated {a.at.isoformat()}, not during meeting {d.meeting} ({when})"
    return ""


def member_of(log: Log) -> Mapping[str, frozenset[str]]:
    """Case-folded login -> the partners it is a member of (GitHub logins ignore case)."""
    acc: dict[str, set[str]] = {}
    for p in log.partners.values():
        for login in handles(p):
            acc.setdefault(login, set()).add(p.id)
    return {k: frozenset(v) for k, v in acc.items()}


def present(meeting: Meeting, member_of: Mapping[str, frozenset[str]]) -> frozenset[str]:
    """Partners with a member among the meeting's attendees (``member_of``: case-folded login -> partners)."""
    return frozenset(p for h in meeting.attendees for p in member_of.get(h.casefold(), ()))


# --- 4. governance: what judges pull requests ------------------------------------------------

#: Files at the repository's top that decide what runs on a pull request and who must review it.
REPOSITORY_FILES = ("CODEOWNERS", ".github/CODEOWNERS", "docs/CODEOWNERS")
REPOSITORY_FOLDERS = (".github/", ".gitea/", ".forgejo/")
THEME = "templates/"
PARTNERS = f"{CONTENT}/partners/"
MEETINGS = f"{CONTENT}/meetings/"
#: What a meeting record vouches with (rule 3): changing any of them changes the evidence.
MEETING_EVIDENCE = ("id", "date", "attendees", "decisions")


@dataclass(frozen=True)
class Change:
    """One governance change."""

    path: str
    """The changed file, relative to the log's root (``../`` for files above it)."""
    what: str
    """What it changes, in words (``"the members of kessler"``)."""
    partner: str = ""
    """For a membership change: the partner whose own approval it needs."""
    approvers: frozenset[str] | None = None
    """The partners whose approval it needs; None: every partner (the rules, members, theme, CI).

    A meeting record is evidence for those who attended it: adding, changing or
    removing one needs the approval of every partner present at it, before or after."""


def handles(p: Partner) -> frozenset[str]:
    """A partner's members as GitHub compares logins: case-insensitively."""
    return frozenset(m.handle.casefold() for m in p.members)


def changes(
    changed: Iterable[str],
    prefix: str,
    base: Log | None,
    now: Log,
    *,
    settings: tuple[Config | None, Config] | None = None,
) -> list[Change]:
    """The governance changes among ``changed`` (paths relative to the repository's top).

    ``prefix`` is the log root's folder inside the repository ("" at the top,
    "log/" below it); ``base`` is the log at the fork point (None when the
    base has no usable log: then every change of settings or partners counts).
    ``settings`` is declog.toml at the base (None when it has none) and in the
    change, to say which of its tables changed.
    """
    out: list[Change] = []
    depth = prefix.count("/")
    for top in sorted(set(changed)):
        rel = top[len(prefix) :] if top.startswith(prefix) else "../" * depth + top
        if top in REPOSITORY_FILES or top.startswith(REPOSITORY_FOLDERS):
            what = "code owners" if top.endswith("CODEOWNERS") else "the repository's CI and settings"
            out.append(Change(rel, what))
        elif not top.startswith(prefix):
            continue
        elif rel == CONFIG_FILE:
            out.append(Change(rel, _config_change(settings)))
        elif rel.startswith(THEME):
            out.append(Change(rel, "the site's theme"))
        elif rel.startswith(PARTNERS) and rel.endswith(".md"):
            out += _partner_change(rel, base, now)
        elif rel.startswith(MEETINGS) and rel.endswith(".md"):
            out += _meeting_change(rel, base, now)
    return out


def _config_change(settings: tuple[Config | None, Config] | None) -> str:
    old, new = settings or (None, None)
    if old is None or new is None:
        return "the log's settings"
    parts = [
        name
        for name, a, b in (
            ("[workflow]", old.workflow, new.workflow),
            ("[rules]", old.rules, new.rules),
            ("[fields]", old.fields, new.fields),
            ("[site]", old.site, new.site),
        )
        if a != b
    ]
    return f"the log's settings ({', '.join(parts) or 'comments'})"


def _by_path(log: Log | None) -> dict[str, Partner]:
    if log is None:
        return {}
    out = {p.path: p for p in log.partners.values()}
    out.update((d.path, d) for d in log.duplicates if isinstance(d, Partner))
    return out


def _partner_change(rel: str, base: Log | None, now: Log) -> list[Change]:
    old, new = _by_path(base).get(rel), _by_path(now).get(rel)
    if old is None and new is None:
        return [Change(rel, "a partner file")]
    if old is None:
        assert new is not None
        return [Change(rel, f"a new partner '{new.id}'")]
    if new is None:
        return [Change(rel, f"partner '{old.id}' removed", old.id)]
    if old.id != new.id:
        return [Change(rel, f"partner '{old.id}' renamed to '{new.id}'", old.id)]
    if handles(old) != handles(new):
        return [Change(rel, f"the members of {old.id}", old.id)]
    return []


def _meetings_by_path(log: Log | None) -> dict[str, Meeting]:
    if log is None:
        return {}
    out = {m.path: m for m in log.meetings.values()}
    out.update((d.path, d) for d in log.duplicates if isinstance(d, Meeting))
    return out


def _meeting_change(rel: str, base: Log | None, now: Log) -> list[Change]:
    """Rule 4 for a meeting record: the partners present at it, before or after, confirm it."""
    old, new = _meetings_by_path(base).get(rel), _meetings_by_path(now).get(rel)
    if old is None and new is None:
        return [
            Change(rel, "a meeting file that does not load")
        ]  # every partner: nobody can tell who was there
    if (
        old is not None
        and new is not None
        and all(getattr(old, f) == getattr(new, f) for f in MEETING_EVIDENCE)
    ):
        return []  # its title or notes changed, not what it vouches for
    logins = member_of(base or now)
    who = frozenset().union(*(present(m, logins) for m in (old, new) if m is not None))
    if not who:
        return []  # no partner was there: it vouches for no one
    if old is None:
        assert new is not None
        return [Change(rel, f"a new meeting record '{new.id}'", approvers=who)]
    if new is None:
        return [Change(rel, f"meeting record '{old.id}' removed", approvers=who)]
    return [Change(rel, f"the record of meeting '{old.id}'", approvers=who)]
