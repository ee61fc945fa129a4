"""The trust model as a property: hostile pull requests built from random edits.

A generator builds a base branch (three partners, silence agreed for alpha on
operational decisions, a meeting record, and decision 0002 in some state) and
a pull request by bob-b (a member of beta) of one to three commits, each a few
random edits: the decision's text, status, window and approvals; meeting
records and their lists; a partner's members; the settings; a link in place of
a file; a decision whose name git would quote. Any member, or a stranger, may
review any commit of it, approving or requesting changes.

Both required checks run as CI runs them (``declog check --base main`` and
``declog approvals --base main``). The property: when both pass, every partner
party to a decision the pull request touches, which is proposed or accepted at
its head, consented to that outcome with evidence the pull request could not
write, as this test works it out on its own from what it generated (never
from declog's judgement):

- a latest approving review by a base member of that partner (not the
  author, not the owner) on a commit where the decision had the same text and
  direction as at the head;
- an approval on the base branch for the same text and direction, still
  recorded;
- silence agreed on the base branch, a deadline passed, and a text the base
  branch already gave the partners with a window no shorter;
- a meeting whose record on the base branch (or one every partner present
  confirmed with a fresh review) lists the decision and that the approver
  attended.

And when it changes the settings, a partner's members or a meeting record,
those it concerns approved the head's version of them.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

import pytest
from conftest import invoke, isolated_git
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.git

NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)
BASE_TIME = NOW - dt.timedelta(days=10)
PR_TIME = NOW - dt.timedelta(hours=2)
WINDOW = dt.timedelta(hours=48)
MEMBERS = {"alpha": ("alice-a", "al-a"), "beta": ("bob-b", "bea-b"), "gamma": ("gus-g",)}
AUTHOR = "bob-b"
LOGINS = ("alice-a", "al-a", "bea-b", "bob-b", "gus-g", "mallory")
DECISION = "content/decisions/0002-share-the-staging-cluster.md"
SYNC = "content/meetings/sync.md"
NEW_MEETING = "content/meetings/huddle.md"
ODD = 'content/decisions/0003-a"b\\c\td\ne.md'


def iso(t: dt.datetime) -> str:
    return t.isoformat().replace("+00:00", "Z")


# --- the documents, as data this test renders and judges itself -----------------------------------


@dataclass(frozen=True)
class Approval:
    partner: str
    by: str
    via: str
    at: str = ""

    def yaml(self) -> str:
        parts = [f"partner: {self.partner}"]
        if self.by:
            parts.append(f"by: {self.by}")
        parts.append(f"via: {self.via}")
        if self.at:
            parts.append(f"at: {self.at}")
        return "  - {" + ", ".join(parts) + "}\n"


@dataclass(frozen=True)
class Decision:
    id: str = "0002"
    title: str = "Share the staging cluster"
    status: str = "proposed"
    mode: str = "async"
    meeting: str = ""
    partners: tuple[str, ...] = ("alpha", "beta", "gamma")
    proposed: dt.datetime = BASE_TIME
    deadline: dt.datetime = BASE_TIME + dt.timedelta(days=3)
    decided: dt.datetime | None = None
    approvals: tuple[Approval, ...] = ()
    body: str = "Run one shared staging cluster."

    def text(self) -> tuple[object, ...]:
        """What an approval is bound to: every field but the bookkeeping, and the body."""
        return (
            self.id,
            self.title,
            self.mode,
            self.meeting,
            self.partners,
            self.proposed,
            self.deadline,
            self.body,
        )

    def direction(self) -> str:
        return {"rejected": "reject", "withdrawn": "withdraw"}.get(self.status, "accept")

    def render(self) -> str:
        lines = [
            f'id: "{self.id}"',
            f"title: {self.title}",
            f"status: {self.status}",
            f"mode: {self.mode}",
            f"partners: [{', '.join(self.partners)}]",
            f"owner: {AUTHOR}",
            f"proposed: {iso(self.proposed)}",
            f"deadline: {iso(self.deadline)}",
            "rationale: One cluster costs half as much.",
        ]
        if self.meeting:
            lines.append(f"meeting: {self.meeting}")
        if self.decided is not None:
            lines.append(f"decided: {iso(self.decided)}")
        if self.status in ("rejected", "withdrawn"):
            lines.append("reason: Not now.")
        if self.approvals:
            lines.append("approvals:\n" + "".join(a.yaml() for a in self.approvals).rstrip("\n"))
        return "---\n" + "\n".join(lines) + f"\n---\n\n## Decision\n\n{self.body}\n"


@dataclass(frozen=True)
class Meeting:
    id: str
    date: dt.datetime
    attendees: tuple[str, ...]
    decisions: tuple[str, ...]

    def render(self) -> str:
        return (
            f"---\nid: {self.id}\ntitle: A meeting\ndate: {iso(self.date)}\n"
            f"attendees: [{', '.join(self.attendees)}]\n"
            f"decisions: [{', '.join(repr(d) for d in self.decisions)}]\n---\n"
        )


@dataclass(frozen=True)
class State:
    """Everything the test writes into one commit."""

    decision: Decision | None
    sync: Meeting
    huddle: Meeting | None = None
    members: dict[str, tuple[str, ...]] = field(default_factory=lambda: dict(MEMBERS))
    silence_for: tuple[str, ...] = ("alpha",)
    quorum: bool = False
    naming_rule_off: bool = False
    linked: bool = False
    odd: Decision | None = None

    def governance(self) -> tuple[object, ...]:
        """The files whose change every partner must approve, as this test sees them."""
        return (tuple(sorted(self.members.items())), self.silence_for, self.quorum, self.naming_rule_off)


AGREEMENT = """---
id: "0001"
title: Silence counts for alpha on operational decisions
status: accepted
mode: sync
category: strategic
partners: [alpha, beta, gamma]
owner: al-a
meeting: kickoff
decided: 2026-01-05T10:00:00Z
rationale: alpha's working day barely overlaps with the others'.
approvals:
  - {partner: alpha, by: alice-a, via: meeting}
  - {partner: beta, by: bea-b, via: meeting}
  - {partner: gamma, by: gus-g, via: meeting}
---

## Decision

Silence after the deadline counts for alpha.
"""
KICKOFF = Meeting(
    "kickoff", dt.datetime(2026, 1, 5, 9, tzinfo=dt.UTC), ("alice-a", "bea-b", "gus-g"), ("0001",)
)


def write_state(root: Path, s: State) -> None:
    silence = ", ".join(f'"{p}"' for p in s.silence_for)
    config = (
        '[workflow]\nfeedback_window = "48h"\n'
        + ('approval = "quorum"\nquorum = 1\n' if s.quorum else 'approval = "all"\n')
        + "self_approval = false\n\n[workflow.silence]\nallowed = true\n"
        + f'partners = [{silence}]\ncategories = ["operational"]\nagreement = "0001"\n'
        + ('\n[rules]\nDL108 = "off"\n' if s.naming_rule_off else "")
    )
    files = {
        "declog.toml": config,
        "content/decisions/0001-silence-counts-for-alpha.md": AGREEMENT,
        "content/meetings/kickoff.md": KICKOFF.render(),
        SYNC: s.sync.render(),
    }
    for pid, members in s.members.items():
        files[f"content/partners/{pid}.md"] = (
            f"---\nid: {pid}\nname: {pid.title()}\ntimezone: Europe/Berlin\nmembers: [{', '.join(members)}]\n---\n"
        )
    if s.huddle is not None:
        files[NEW_MEETING] = s.huddle.render()
    if s.odd is not None:
        files[ODD] = s.odd.render()
    for rel in [*files, DECISION, NEW_MEETING, ODD, "notes/0002.md"]:
        path = root / rel
        if path.is_symlink() or path.exists():
            path.unlink()
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    if s.decision is not None:
        (root / "content/decisions").mkdir(parents=True, exist_ok=True)
        if s.linked:
            (root / "notes").mkdir(exist_ok=True)
            (root / "notes/0002.md").write_text(s.decision.render(), encoding="utf-8")
            (root / DECISION).symlink_to("../../notes/0002.md")
        else:
            (root / DECISION).write_text(s.decision.render(), encoding="utf-8")


# --- strategies ------------------------------------------------------------------------------------

POOL = (
    Approval("alpha", "alice-a", "explicit"),
    Approval("alpha", "alice-a", "meeting"),
    Approval("alpha", "al-a", "pr-review"),
    Approval("alpha", "", "silence"),
    Approval("beta", "bea-b", "pr-review"),
    Approval("beta", "bob-b", "explicit"),
    Approval("gamma", "gus-g", "meeting"),
    Approval("gamma", "gus-g", "explicit"),
    Approval("beta", "bob-b", "meeting"),
)


def _approvals(draw: st.DrawFn, d: Decision) -> tuple[Approval, ...]:
    chosen = draw(st.lists(st.sampled_from(POOL), max_size=4, unique_by=lambda a: a.partner))
    out = []
    for a in chosen:
        at = ""
        if a.via == "silence":
            at = iso(d.deadline)
        elif a.via == "meeting":
            at = draw(st.sampled_from(["", iso(BASE_TIME + dt.timedelta(minutes=30)), iso(NOW)]))
        out.append(replace(a, at=at))
    return tuple(out)


@st.composite
def decision_edit(draw: st.DrawFn, d: Decision, approvals: bool = True) -> Decision:
    """One commit's version of the decision: any of its text, status, window and approvals changed."""
    if draw(st.booleans()):
        d = replace(d, title=draw(st.sampled_from([d.title, "Share every cluster"])))
    if draw(st.booleans()):
        d = replace(d, body=draw(st.sampled_from([d.body, "Run production on it too."])))
    if draw(st.booleans()):
        shift = draw(st.sampled_from([-9, -3, -1, 0, 2, 12]))
        d = replace(d, deadline=d.deadline + dt.timedelta(days=shift))
    if draw(st.booleans()):
        d = replace(
            d, proposed=draw(st.sampled_from([d.proposed, PR_TIME, BASE_TIME - dt.timedelta(days=30)]))
        )
    if draw(st.booleans()):
        mode, meeting = draw(
            st.sampled_from([("async", ""), ("sync", "sync"), ("sync", "kickoff"), ("sync", "huddle")])
        )
        d = replace(d, mode=mode, meeting=meeting)
    status = draw(st.sampled_from(["proposed", "accepted", "rejected", "withdrawn", d.status]))
    decided = None
    if status in ("accepted", "rejected"):
        decided = draw(
            st.sampled_from([d.deadline + dt.timedelta(hours=1), PR_TIME, d.proposed + dt.timedelta(hours=1)])
        )
    d = replace(d, status=status, decided=decided)
    if approvals and draw(st.booleans()):
        d = replace(d, approvals=_approvals(draw, d))
    return d


@st.composite
def hostile_edit(draw: st.DrawFn, state: State, approvals: bool = True) -> State:
    """One random edit a hostile pull request could make."""
    edit = draw(st.sampled_from(["decision"] * 8 + ["sync", "huddle", "members", "settings", "link", "odd"]))
    if edit == "decision":
        start = state.decision or Decision(proposed=PR_TIME, deadline=PR_TIME + WINDOW)
        return replace(state, decision=draw(decision_edit(start, approvals)))
    if edit == "sync":
        return replace(
            state,
            sync=replace(
                state.sync,
                decisions=draw(st.sampled_from([("0002",), (), ("0002", "0003")])),
                attendees=draw(st.sampled_from([("alice-a", "gus-g"), ("alice-a", "gus-g", "al-a")])),
            ),
        )
    if edit == "huddle":
        return replace(state, huddle=Meeting("huddle", PR_TIME, ("alice-a", "bea-b", "gus-g"), ("0002",)))
    if edit == "members":
        return replace(state, members={**state.members, "alpha": ("alice-a", "al-a", "bob-b")})
    if edit == "settings":
        return replace(
            state,
            silence_for=draw(st.sampled_from([("alpha",), ("alpha", "beta", "gamma")])),
            quorum=draw(st.booleans()),
        )
    if edit == "link":
        return replace(state, linked=True)
    odd = Decision(id="0003", status="accepted", decided=PR_TIME, proposed=PR_TIME, deadline=PR_TIME + WINDOW)
    return replace(state, odd=replace(odd, approvals=_approvals(draw, odd)))


@st.composite
def after_honest_approval(draw: st.DrawFn) -> tuple[State, list[State], list[tuple[str, str, int]]]:
    """Every partner approves a genuine proposal; then the author makes hostile edits the reviews never saw."""
    base, _, _ = draw(scenarios())
    base = replace(base, decision=None)
    honest = Decision(
        proposed=PR_TIME,
        deadline=PR_TIME + WINDOW,
        status="accepted",
        decided=PR_TIME + dt.timedelta(minutes=40),
        approvals=(
            Approval("alpha", "al-a", "pr-review"),
            Approval("beta", "bea-b", "pr-review"),
            Approval("gamma", "gus-g", "pr-review"),
        ),
    )
    if draw(st.booleans()):
        honest = replace(honest, status="proposed", decided=None, approvals=())
    commits = [replace(base, decision=honest)]
    state = commits[0]
    for _ in range(draw(st.integers(1, 2))):
        state = draw(hostile_edit(state, approvals=draw(st.booleans())))
        commits.append(state)
    reviews = [(login, "APPROVED", 0) for login in ("al-a", "bea-b", "gus-g")]
    reviews += draw(st.lists(st.tuples(st.sampled_from(LOGINS), st.just("APPROVED"), st.just(0)), max_size=2))
    return base, commits, reviews


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[State, list[State], list[tuple[str, str, int]]]:
    base_kind = draw(st.sampled_from(["none", "proposed", "proposed-approved", "accepted"]))
    deadline = draw(st.sampled_from([BASE_TIME + dt.timedelta(days=3), NOW + dt.timedelta(days=4)]))
    sync_lists = draw(st.sampled_from([("0002",), ()]))
    sync = Meeting("sync", BASE_TIME, ("alice-a", "gus-g"), sync_lists)
    base_decision: Decision | None = None
    if base_kind != "none":
        base_decision = Decision(deadline=deadline)
        if base_kind == "proposed-approved":
            base_decision = replace(base_decision, approvals=_approvals(draw, base_decision))
        elif base_kind == "accepted":
            base_decision = replace(
                base_decision,
                status="accepted",
                decided=deadline + dt.timedelta(hours=1),
                approvals=(
                    Approval("alpha", "alice-a", "explicit"),
                    Approval("beta", "bea-b", "explicit"),
                    Approval("gamma", "gus-g", "explicit"),
                ),
            )
    base = State(base_decision, sync, naming_rule_off=draw(st.booleans()))
    commits: list[State] = []
    state = base
    for _ in range(draw(st.integers(1, 3))):
        for _ in range(draw(st.integers(1, 3))):
            state = draw(hostile_edit(state))
        commits.append(state)
    reviews = draw(
        st.lists(
            st.tuples(
                st.sampled_from(LOGINS),
                st.sampled_from(["APPROVED", "APPROVED", "CHANGES_REQUESTED"]),
                st.integers(0, len(commits) - 1),
            ),
            min_size=1,
            max_size=6,
        )
    )
    return base, commits, reviews


# --- the oracle: consent backed by evidence the pull request could not write ----------------------


def is_member(login: str, partner: str) -> bool:
    return login in MEMBERS.get(partner, ())


def latest_reviews(reviews: list[tuple[str, str, int]]) -> dict[str, tuple[str, int]]:
    """Login -> its last review's (state, commit index): the order submitted is the list's."""
    return {login: (state, i) for login, state, i in reviews}


def consented(
    partner: str,
    final: Decision,
    old: Decision | None,
    base: State,
    commits: list[State],
    head: State,
    latest: dict[str, tuple[str, int]],
    pick: str,
) -> bool:
    """Whether ``partner``'s consent to ``final`` is backed by evidence the pull request could not write."""
    for login, (state, i) in latest.items():
        seen = getattr(commits[i], pick)
        if (
            state == "APPROVED"
            and is_member(login, partner)
            and login != AUTHOR
            and seen is not None
            and not commits[i].linked
            and seen.text() == final.text()
            and seen.direction() == final.direction()
        ):
            return True
    if old is not None and old.text() == final.text() and old.direction() == final.direction():
        for a in old.approvals:
            silence_ok = a.via != "silence" or (partner in base.silence_for and old.deadline <= NOW)
            if a.partner == partner and a.via != "pr-review" and a in final.approvals and silence_ok:
                return True
    silence_ok = (
        partner in base.silence_for
        and final.deadline <= NOW
        and (final.decided is None or final.decided >= final.deadline)
        and old is not None
        and old.status == "proposed"
        and old.text() == final.text()
    )
    if silence_ok:
        return True
    for a in final.approvals:
        if a.partner != partner or a.via != "meeting" or not is_member(a.by, partner) or a.by == AUTHOR:
            continue
        if final.meeting == "sync":
            records = (
                [base.sync]
                if head.sync == base.sync
                else [head.sync]
                if confirmed(head.sync, SYNC, commits, head, latest)
                else []
            )
        elif final.meeting == "huddle":
            records = (
                [head.huddle]
                if head.huddle is not None and confirmed(head.huddle, NEW_MEETING, commits, head, latest)
                else []
            )
        else:
            records = [KICKOFF]
        for m in records:
            if final.id in m.decisions and a.by in m.attendees:
                return True
    return False


def confirmed(
    m: Meeting, path: str, commits: list[State], head: State, latest: dict[str, tuple[str, int]]
) -> bool:
    """A meeting record the pull request adds or changes: every partner present approved it as it is at the head."""
    present = {p for p, members in MEMBERS.items() for h in m.attendees if h in members}
    pick = "sync" if path == SYNC else "huddle"
    for p in present:
        if not any(
            state == "APPROVED"
            and is_member(login, p)
            and login != AUTHOR
            and getattr(commits[i], pick) == getattr(head, pick)
            for login, (state, i) in latest.items()
        ):
            return False
    return True


def governance_approved(commits: list[State], head: State, latest: dict[str, tuple[str, int]]) -> bool:
    for p in MEMBERS:
        if not any(
            state == "APPROVED"
            and is_member(login, p)
            and login != AUTHOR
            and commits[i].governance() == head.governance()
            for login, (state, i) in latest.items()
        ):
            return False
    return True


# --- running both checks as CI does -----------------------------------------------------------------


class Repo:
    def __init__(self, root: Path) -> None:
        self.root = root

    def git(self, *args: str, when: dt.datetime = NOW) -> str:
        env = {
            **os.environ,
            "GIT_AUTHOR_DATE": when.isoformat(),
            "GIT_COMMITTER_DATE": when.isoformat(),
        }
        proc = subprocess.run(
            ["git", *args], cwd=self.root, capture_output=True, text=True, env=env, check=False
        )
        assert proc.returncode == 0, proc.stderr
        return proc.stdout.strip()

    def commit(self, state: State, when: dt.datetime) -> str:
        write_state(self.root, state)
        self.git("add", "-A")
        self.git("commit", "-q", "--allow-empty", "-m", "change", when=when)
        return self.git("rev-parse", "HEAD")


@pytest.fixture(autouse=True)
def _git_env(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    home = tmp_path_factory.mktemp("gitconfig")
    isolated_git(monkeypatch, home, name="Bob", email="bob@beta.example")
    yield


def run_checks(
    base: State, commits: list[State], reviews: list[tuple[str, str, int]]
) -> tuple[int, int, str]:
    with tempfile.TemporaryDirectory() as tmp:
        repo = Repo(Path(tmp) / "log")
        repo.root.mkdir()
        repo.git("init", "-q", "-b", "main")
        repo.commit(base, BASE_TIME)
        repo.git("checkout", "-q", "-b", "bob/change")
        shas = [repo.commit(state, PR_TIME + dt.timedelta(minutes=i)) for i, state in enumerate(commits)]
        data = {
            "number": 5,
            "author": {"login": AUTHOR},
            "createdAt": iso(PR_TIME),
            "reviews": [
                {
                    "author": {"login": login},
                    "state": state,
                    "submittedAt": iso(PR_TIME + dt.timedelta(minutes=30 + n)),
                    "commit": {"oid": shas[i]},
                }
                for n, (login, state, i) in enumerate(reviews)
            ],
        }
        reviews_file = Path(tmp) / "reviews.json"
        reviews_file.write_text(json.dumps(data), encoding="utf-8")
        root = str(repo.root)
        check = invoke(["check", "--root", root, "--base", "main"])
        approvals = invoke(["approvals", "--root", root, "--base", "main", "--reviews", str(reviews_file)])
        return check.exit_code, approvals.exit_code, check.stdout + approvals.stdout


def violations(base: State, commits: list[State], reviews: list[tuple[str, str, int]]) -> list[str]:
    """What passing both checks would let through without evidence (empty: nothing)."""
    head = commits[-1]
    latest = latest_reviews(reviews)
    out = []
    for pick, old in (("decision", base.decision), ("odd", base.odd)):
        final = getattr(head, pick)
        if final is None or final == old or final.status not in ("proposed", "accepted"):
            continue
        for partner in final.partners:
            if not consented(partner, final, old, base, commits, head, latest, pick):
                out.append(f"{final.id}: {partner}'s consent to {final.status} is not backed")
    if head.governance() != base.governance() and not governance_approved(commits, head, latest):
        out.append("a governance change without every partner's approval of it")
    for pick, path in (("sync", SYNC), ("huddle", NEW_MEETING)):
        m = getattr(head, pick)
        if m is not None and m != getattr(base, pick) and not confirmed(m, path, commits, head, latest):
            out.append(f"{path} changed without the approval of the partners present")
    return out


@settings(
    max_examples=int(os.environ.get("DECLOG_TRUST_EXAMPLES", "150")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(st.one_of(scenarios(), after_honest_approval(), after_honest_approval()))
def test_both_checks_pass_only_with_every_partners_backed_consent(
    scenario: tuple[State, list[State], list[tuple[str, str, int]]],
) -> None:
    base, commits, reviews = scenario
    check, approvals, output = run_checks(base, commits, reviews)
    event(f"check {check}, approvals {approvals}")
    if check == 0 and approvals == 0:
        assert violations(base, commits, reviews) == [], output


def test_the_honest_pull_request_passes_both_checks() -> None:
    """The property is not met by refusing everything: a genuinely approved proposal passes."""
    base = State(None, Meeting("sync", BASE_TIME, ("alice-a", "gus-g"), ()))
    head = replace(base, decision=Decision(proposed=PR_TIME, deadline=PR_TIME + WINDOW))
    reviews = [("alice-a", "APPROVED", 0), ("bea-b", "APPROVED", 0), ("gus-g", "APPROVED", 0)]
    assert run_checks(base, [head], reviews)[:2] == (0, 0)
    assert violations(base, [head], reviews) == []


def test_accepting_the_base_proposal_with_its_recorded_consent_passes() -> None:
    proposal = Decision(
        approvals=(Approval("alpha", "alice-a", "explicit"), Approval("gamma", "gus-g", "explicit"))
    )
    base = State(proposal, Meeting("sync", BASE_TIME, ("alice-a", "gus-g"), ()))
    accepted = replace(
        proposal,
        status="accepted",
        decided=PR_TIME,
        approvals=(*proposal.approvals, Approval("beta", "bea-b", "pr-review")),
    )
    head = replace(base, decision=accepted)
    reviews = [("bea-b", "APPROVED", 0)]
    check, approvals, output = run_checks(base, [head], reviews)
    assert (check, approvals) == (0, 0), output
    assert violations(base, [head], reviews) == []


def test_a_decision_whose_name_git_quotes_is_judged_all_the_same() -> None:
    """A base that turns the naming rule off leaves only approvals between such a file and a merge."""
    base = State(None, Meeting("sync", BASE_TIME, ("alice-a", "gus-g"), ()), naming_rule_off=True)
    odd = Decision(id="0003", status="accepted", decided=PR_TIME, proposed=PR_TIME, deadline=PR_TIME + WINDOW)
    forged = (Approval("alpha", "alice-a", "explicit"), Approval("beta", "bea-b", "explicit"))
    forged += (Approval("gamma", "gus-g", "explicit"),)
    head = replace(base, odd=replace(odd, approvals=forged))
    check, approvals, output = run_checks(base, [head], [])
    assert violations(base, [head], []) != []
    assert (check, approvals) != (0, 0), output
