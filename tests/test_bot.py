"""The asynchronous loop against a fake GitHub: the status comment, reminders, silence, overdue.

A partnership's repository ("GitHub" is a bare repository behind tests/fake_github.py, whose
Git Data endpoints write into it) holds main and a proposal branch, pull request #1 by
akim-acme. ``declog approvals --comment`` runs in a checkout of the pull request's head, as the
approvals job does; ``declog remind`` in a checkout of main, as the scheduled workflow does.
Every moment is explicit (``--now``, ``SOURCE_DATE_EPOCH``), never today's.
"""

from __future__ import annotations

import base64
import datetime as dt
import random
import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from conftest import Run, doc, invoke, isolated_git
from fake_github import FakeGitHub

from declog.authoring.frontmatter_edit import scalar

pytestmark = pytest.mark.git

REPO = "acme/log"
DECISION = "content/decisions/0001-co-marketing-budget-split.md"
PROPOSED = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)
DEADLINE = dt.datetime(2026, 11, 4, 9, 0, tzinfo=dt.UTC)

PARTNERS = {
    "acme": ("Acme", "Europe/Berlin", ["akim-acme", "bob-acme"]),
    "northwind": ("Northwind", "America/Toronto", ["jsmith-northwind"]),
    "globex": ("Globex", "Asia/Tokyo", ["mlee-globex"]),
}

CONFIG = """\
[workflow]
feedback_window = "48h"
approval = "all"
self_approval = false
"""
SILENCE_FOR_GLOBEX = '\n[workflow.silence]\nallowed = true\npartners = ["globex"]\n'

PROPOSAL = doc(
    f"""
    id: "0001"
    title: Co-marketing budget split for H1
    status: proposed
    mode: async
    partners: [acme, northwind, globex]
    owner: akim-acme
    proposed: {PROPOSED:%Y-%m-%dT%H:%M:%SZ}
    deadline: {DEADLINE:%Y-%m-%dT%H:%M:%SZ}
    rationale: Shared campaigns cost less.
    """,
    """
    ## Decision

    Split the H1 co-marketing budget 35/35/30.
    """,
)


def iso(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def git(root: Path, *args: str) -> str:
    proc = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip()


@dataclass
class World:
    tmp: Path
    origin: Path
    """The bare repository GitHub holds."""
    work: Path
    """A partner's clone, on the proposal branch."""
    main: Path
    """The remind workflow's checkout of main."""
    gh: FakeGitHub
    head: str

    @property
    def env(self) -> dict[str, str]:
        return {"GITHUB_TOKEN": self.gh.token, "GITHUB_REPOSITORY": REPO, "GITHUB_API_URL": self.gh.url}

    def review(
        self, login: str, state: str = "APPROVED", at: dt.datetime | None = None, sha: str = ""
    ) -> None:
        reviews = self.gh.reviews.setdefault(1, [])
        reviews.append(
            {
                "id": 1000 + len(reviews),
                "user": {"login": login, "type": "User"},
                "state": state,
                "commit_id": sha or self.head,
                "submitted_at": iso(at or PROPOSED + dt.timedelta(hours=3)),
                "html_url": f"https://github.com/{REPO}/pull/1#pullrequestreview-{1000 + len(reviews)}",
            }
        )

    def approvals(self, *args: str, now: dt.datetime) -> Run:
        env = {**self.env, "SOURCE_DATE_EPOCH": str(int(now.timestamp()))}
        return invoke(
            ["approvals", "--root", str(self.work), "--base", "origin/main", "--pr", "1", *args], env=env
        )

    def remind(self, now: dt.datetime, *args: str) -> Run:
        git(self.main, "fetch", "-q", "origin")
        return invoke(["remind", "--root", str(self.main), "--now", iso(now), *args], env=self.env)

    def bot_comments(self) -> list[str]:
        return [c["body"] for c in self.gh.comments.get(1, []) if c["user"]["type"] == "Bot"]

    def branch_head(self) -> str:
        return git(self.origin, "rev-parse", "refs/heads/propose/1")


def make_world(tmp: Path, monkeypatch: pytest.MonkeyPatch, config: str = CONFIG) -> Iterator[World]:
    tmp.mkdir(parents=True, exist_ok=True)
    isolated_git(monkeypatch, tmp, when=iso(PROPOSED))
    origin = tmp / "origin.git"
    git(tmp, "init", "-q", "--bare", "-b", "main", str(origin))
    work = tmp / "work"
    work.mkdir()
    git(work, "init", "-q", "-b", "main")
    (work / "declog.toml").write_text(config)
    for pid, (name, tz, members) in PARTNERS.items():
        path = work / f"content/partners/{pid}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(doc(f"id: {pid}\nname: {name}\ntimezone: {tz}\nmembers: [{', '.join(members)}]\n"))
    git(work, "add", "-A")
    git(work, "commit", "-q", "-m", "partners")
    git(work, "remote", "add", "origin", str(origin))
    git(work, "push", "-q", "origin", "main")
    git(work, "checkout", "-q", "-b", "propose/1")
    (work / DECISION).parent.mkdir(parents=True, exist_ok=True)
    (work / DECISION).write_text(PROPOSAL)
    git(work, "add", "-A")
    git(work, "commit", "-q", "-m", "propose")
    git(work, "push", "-q", "origin", "propose/1")
    git(work, "fetch", "-q", "origin")
    head = git(work, "rev-parse", "HEAD")
    git(origin, "update-ref", "refs/pull/1/head", head)
    main = tmp / "main"
    git(tmp, "clone", "-q", str(origin), str(main))
    with FakeGitHub(REPO, git=origin) as gh:
        gh.add_pull(1, author="akim-acme", head_sha=head, head_ref="propose/1", created_at=iso(PROPOSED))
        yield World(tmp, origin, work, main, gh, head)


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    yield from make_world(tmp_path, monkeypatch)


@pytest.fixture
def silent(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    """Main agreed that globex's silence counts."""
    yield from make_world(tmp_path, monkeypatch, CONFIG + SILENCE_FOR_GLOBEX)


# --- the status comment ------------------------------------------------------------------------


def test_the_status_comment_is_posted_once_then_edited_in_place(world: World) -> None:
    world.review("bob-acme")
    world.review("jsmith-northwind", "CHANGES_REQUESTED")
    run = world.approvals("--comment", now=DEADLINE - dt.timedelta(hours=5))
    assert run.exit_code == 1, run.stderr
    [body] = world.bot_comments()
    assert body.startswith("<!-- declog:status -->\n")
    rows = {line.split(" | ")[0].lstrip("| "): line for line in body.splitlines() if line.startswith("| ")}
    assert "approved by `bob-acme`, 2026-11-02 12:00 UTC" in rows["Acme"]
    assert "changes requested by `jsmith-northwind`" in rows["Northwind"]
    assert f"[review](https://github.com/{REPO}/pull/1#pullrequestreview-1001)" in rows["Northwind"]
    # the deadline in each awaited partner's own time: Tokyo is 9 hours ahead, Toronto 5 behind
    assert "pending" in rows["Globex"] and "2026-11-04 18:00 Asia/Tokyo" in rows["Globex"]
    assert "2026-11-04 04:00 America/Toronto" in rows["Northwind"]
    assert "2026-11-04" not in rows["Acme"].split(" | ")[2]  # acme approved: no deadline to show
    assert "5h left" in body
    assert "**Next:** waiting on Northwind, Globex (changes requested: only the member who asked" in body
    status = world.gh.status_of(world.head, "declog/approvals")
    assert status is not None and status["state"] == "failure"
    assert status["description"] == "0001: 1 of 3, changes requested by northwind"

    world.gh.reviews[1][1]["state"] = "APPROVED"
    world.review("mlee-globex", at=PROPOSED + dt.timedelta(hours=20))
    run = world.approvals("--comment", now=DEADLINE - dt.timedelta(hours=4))
    assert run.exit_code == 0, run.stdout + run.stderr
    [body] = world.bot_comments()  # the same comment, edited: never a second one
    assert "status comment edited" in run.stderr
    assert [r.method for r in world.gh.requests if "/comments" in r.path and r.method != "GET"] == [
        "POST",
        "PATCH",
    ]
    assert (
        "**Next:** ready to accept: set `status: accepted` and `decided: 2026-11-03T05:00:00+00:00`" in body
    )
    status = world.gh.status_of(world.head, "declog/approvals")
    assert status is not None and status["state"] == "success"
    assert status["description"] == "every approval is in; ready to accept: 0001"

    run = world.approvals("--comment", now=DEADLINE - dt.timedelta(hours=4))
    assert "status comment unchanged" in run.stderr


def test_waiting_before_the_deadline_is_pending(world: World) -> None:
    world.review("bob-acme")
    run = world.approvals("--comment", now=DEADLINE - dt.timedelta(hours=30))
    assert run.exit_code == 1
    status = world.gh.status_of(world.head, "declog/approvals")
    assert status is not None and status["state"] == "pending"
    assert status["description"] == "0001: 1 of 3, waiting on northwind, globex"
    [body] = world.bot_comments()
    assert "@" not in body  # handles as code: the edited comment pings nobody


def test_a_persons_comment_with_the_marker_is_never_edited(world: World) -> None:
    world.gh.comments[1] = [
        {
            "id": 5,
            "user": {"login": "mallory", "type": "User"},
            "body": "<!-- declog:status -->\nall approved!",
        }
    ]
    world.approvals("--comment", now=PROPOSED + dt.timedelta(hours=5))
    assert world.gh.comments[1][0]["body"] == "<!-- declog:status -->\nall approved!"
    assert len(world.bot_comments()) == 1


def test_hostile_values_stay_text_in_the_comment(world: World) -> None:
    title = "Budget <img src=x onerror=alert(1)> | @everyone\n## injected"
    text = (
        (world.work / DECISION)
        .read_text()
        .replace("title: Co-marketing budget split for H1", f"title: {scalar(title)}")
    )
    (world.work / DECISION).write_text(text)
    git(world.work, "commit", "-qam", "hostile title")
    world.approvals("--comment", now=PROPOSED + dt.timedelta(hours=5))
    [body] = world.bot_comments()
    assert "<img" not in body and "&lt;img src=x onerror=alert(1)&gt;" in body
    assert "\n## injected" not in body and "\\| @everyone" in body


def test_without_write_permission_the_check_still_runs_and_says_why(world: World) -> None:
    world.gh.permissions = {"pull-requests:read"}
    summary = world.tmp / "summary.md"
    env_run = invoke(
        ["approvals", "--root", str(world.work), "--base", "origin/main", "--pr", "1", "--comment"],
        env={
            **world.env,
            "GITHUB_STEP_SUMMARY": str(summary),
            "SOURCE_DATE_EPOCH": str(int(PROPOSED.timestamp())),
        },
    )
    assert env_run.exit_code == 1  # the verdict, not a usage error
    assert "declog: warning: no status comment:" in env_run.stderr
    assert "pull-requests: write" in env_run.stderr
    assert "declog could not comment on the pull request" in summary.read_text()
    assert world.bot_comments() == []


# --- reminders -----------------------------------------------------------------------------------


def test_reminders_go_out_once_per_point_to_the_members_awaited(world: World) -> None:
    world.review("bob-acme")
    assert world.remind(DEADLINE - dt.timedelta(hours=30)).exit_code == 0
    assert world.bot_comments() == []  # before the first point

    run = world.remind(DEADLINE - dt.timedelta(hours=23))
    assert run.exit_code == 0, run.stderr
    [first] = world.bot_comments()
    assert "<!-- declog:reminder 0001 2026-11-04T09:00:00Z 1d -->" in first
    assert "@jsmith-northwind @mlee-globex" in first
    assert "@akim-acme" not in first and "@bob-acme" not in first  # the author; acme approved
    assert "Globex: 2026-11-04 18:00 Asia/Tokyo" in first and "23h left" in first

    for _ in range(2):  # hourly runs in between send nothing more
        world.remind(DEADLINE - dt.timedelta(hours=10))
    assert len(world.bot_comments()) == 1

    world.remind(DEADLINE - dt.timedelta(hours=1, minutes=30))
    assert len(world.bot_comments()) == 2
    assert "<!-- declog:reminder 0001 2026-11-04T09:00:00Z 2h -->" in world.bot_comments()[1]
    world.remind(DEADLINE - dt.timedelta(minutes=10))
    assert len(world.bot_comments()) == 2


def test_a_late_first_run_sends_one_reminder_for_every_point_passed(world: World) -> None:
    world.remind(DEADLINE - dt.timedelta(hours=1))
    [only] = world.bot_comments()
    assert "1d -->" in only and "2h -->" in only
    world.remind(DEADLINE - dt.timedelta(minutes=30))
    assert len(world.bot_comments()) == 1


def test_a_persons_marker_does_not_silence_a_reminder(world: World) -> None:
    world.gh.comments[1] = [
        {
            "id": 9,
            "user": {"login": "akim-acme", "type": "User"},
            "body": "<!-- declog:reminder 0001 2026-11-04T09:00:00Z 1d -->",
        }
    ]
    world.remind(DEADLINE - dt.timedelta(hours=20))
    assert len(world.bot_comments()) == 1


def test_the_reminder_points_are_the_base_branchs(world: World) -> None:
    # the pull request asks for no reminders; main's defaults still apply
    (world.work / "declog.toml").write_text(CONFIG + "\n[workflow.reminders]\nbefore = []\n")
    git(world.work, "commit", "-qam", "no reminders please")
    world.gh.pulls[1]["head"]["sha"] = git(world.work, "rev-parse", "HEAD")
    git(world.work, "push", "-q", "origin", "propose/1")
    world.remind(DEADLINE - dt.timedelta(hours=20))
    assert len(world.bot_comments()) == 1


def test_main_can_turn_reminders_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for w in make_world(tmp_path, monkeypatch, CONFIG + "\n[workflow.reminders]\nbefore = []\n"):
        run = w.remind(DEADLINE - dt.timedelta(hours=1))
        assert run.exit_code == 0 and w.bot_comments() == []
        assert "#1: nothing due" in run.stderr


def test_drafts_and_dry_runs_send_nothing(world: World) -> None:
    run = world.remind(DEADLINE - dt.timedelta(hours=1), "--dry-run")
    assert run.exit_code == 0, run.stderr
    assert f"would POST /repos/{REPO}/issues/1/comments" in run.stdout
    assert "@jsmith-northwind" in run.stdout
    assert world.gh.writes() == []
    world.gh.pulls[1]["draft"] = True
    run = world.remind(DEADLINE - dt.timedelta(hours=1))
    assert "#1: a draft" in run.stderr and world.bot_comments() == []


# --- the deadline --------------------------------------------------------------------------------


def test_silence_is_committed_after_the_deadline_and_the_checks_turn_green(silent: World) -> None:
    w = silent
    w.review("bob-acme")
    w.review("jsmith-northwind")
    before = w.remind(DEADLINE - dt.timedelta(minutes=5))
    assert "recorded silence" not in before.stderr and w.branch_head() == w.head  # not before

    run = w.remind(DEADLINE + dt.timedelta(hours=1))
    assert run.exit_code == 0, run.stderr
    new = w.branch_head()
    assert new != w.head and git(w.origin, "rev-parse", f"{new}^") == w.head
    diff = git(w.origin, "diff", "--unified=0", w.head, new)
    changed = [ln for ln in diff.splitlines() if ln[:1] in "+-" and not ln.startswith(("+++", "---"))]
    assert changed[0] == "-approvals: []" or all(not ln.startswith("-") for ln in changed), (
        diff
    )  # only approvals lines are added
    added = "\n".join(changed)
    assert "via: silence" in added and "partner: globex" in added and "at: 2026-11-04T09:00:00Z" in added
    assert git(w.origin, "diff", "--name-only", w.head, new) == DECISION
    # the commit starts no workflow: remind judged it and set what the required checks need
    for context in ("declog/check", "declog/approvals"):
        status = w.gh.status_of(new, context)
        assert status is not None and status["state"] == "success", (context, status)
    [body] = [b for b in w.bot_comments() if b.startswith("<!-- declog:status -->")]
    assert "approved by silence" in body and "ready to accept" in body

    # and a partner's own run of the checks on the new head agrees
    git(w.work, "pull", "-q", "origin", "propose/1")
    assert git(w.work, "rev-parse", "HEAD") == new
    later = {"SOURCE_DATE_EPOCH": str(int((DEADLINE + dt.timedelta(hours=2)).timestamp()))}
    check = invoke(["check", "--root", str(w.work), "--base", "origin/main"], env=later)
    assert check.exit_code == 0, check.stdout + check.stderr
    assert w.approvals(now=DEADLINE + dt.timedelta(hours=2)).exit_code == 0

    again = w.remind(DEADLINE + dt.timedelta(hours=2))
    assert again.exit_code == 0 and w.branch_head() == new  # nothing recorded twice


def test_no_silence_where_the_base_does_not_count_it_but_one_overdue_notice(world: World) -> None:
    world.review("bob-acme")
    world.review("jsmith-northwind")
    for hours in (1, 2, 3):
        run = world.remind(DEADLINE + dt.timedelta(hours=hours))
        assert run.exit_code == 0, run.stderr
    assert world.branch_head() == world.head
    overdue = [b for b in world.bot_comments() if "declog:overdue" in b]
    assert len(overdue) == 1
    assert "passed with 2 of 3 approvals; awaited: Globex" in overdue[0]
    assert world.gh.labels[1] == ["declog: overdue"]


def test_silence_the_pull_request_grants_itself_is_not_recorded(world: World) -> None:
    """The pull request turns silence on for everyone: the base branch's rules judge, so no."""
    world.review("bob-acme")
    world.review("jsmith-northwind")
    (world.work / "declog.toml").write_text(CONFIG + "\n[workflow.silence]\nallowed = true\n")
    git(world.work, "commit", "-qam", "silence counts")
    git(world.work, "push", "-q", "origin", "propose/1")
    head = git(world.work, "rev-parse", "HEAD")
    world.gh.pulls[1]["head"]["sha"] = head
    world.remind(DEADLINE + dt.timedelta(hours=1))
    assert world.branch_head() == head
    assert any("declog:overdue" in b for b in world.bot_comments())


def test_a_fork_is_not_written_to_and_says_so(silent: World) -> None:
    silent.gh.pulls[1]["head"]["repo"] = {"full_name": "mallory/log"}
    run = silent.remind(DEADLINE + dt.timedelta(hours=1))
    assert silent.branch_head() == silent.head
    assert "the branch is in a fork" in run.stderr


def test_a_branch_that_moved_is_not_overwritten(silent: World) -> None:
    """GitHub's list is a moment old: a push since then wins, and nothing is lost."""
    (silent.work / "notes.md").write_text("pushed meanwhile\n")
    git(silent.work, "add", "notes.md")
    git(silent.work, "commit", "-qm", "meanwhile")
    git(silent.work, "push", "-q", "origin", "propose/1")
    moved = git(silent.work, "rev-parse", "HEAD")
    run = silent.remind(DEADLINE + dt.timedelta(hours=1))  # the fake still names the old head
    assert run.exit_code == 1
    assert silent.branch_head() == moved
    assert "moved" in run.stderr


def test_remind_names_what_is_missing(tmp_path: Path) -> None:
    (tmp_path / "declog.toml").write_text(CONFIG)
    run = invoke(["remind", "--root", str(tmp_path)], env={"GITHUB_TOKEN": "", "GITHUB_REPOSITORY": ""})
    assert run.exit_code == 2 and "GITHUB_TOKEN" in run.stderr
    bad = invoke(["remind", "--root", str(tmp_path), "--now", "tomorrow"], env={"GITHUB_TOKEN": "x"})
    assert bad.exit_code == 2 and "--now" in bad.stderr


# --- the property: the bot writes only what the base branch's rules prove -----------------------

HOSTILE_EDITS = [
    ("silence for all", lambda t: t, CONFIG + "\n[workflow.silence]\nallowed = true\n"),
    (
        "earlier deadline",
        lambda t: t.replace("deadline: 2026-11-04T09:00:00Z", "deadline: 2026-11-02T10:00:00Z"),
        None,
    ),
    ("self member", lambda t: t, None),
    (
        "claimed approval",
        lambda t: t.replace(
            "rationale:",
            "approvals:\n  - {partner: northwind, by: jsmith-northwind, at: 2026-11-03T09:00:00Z, via: pr-review}\nrationale:",
        ),
        None,
    ),
    ("body edit", lambda t: t + "\nAnd one more thing.\n", None),
]


def test_the_silence_commit_changes_only_approvals_and_only_as_the_base_rules_say(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Over generated pull requests, some hostile: every commit remind makes is one the base proves."""
    outcomes = []
    for seed in range(20):
        rnd = random.Random(seed)
        base_silence = rnd.choice([CONFIG, CONFIG + SILENCE_FOR_GLOBEX])
        for w in make_world(tmp_path / str(seed), monkeypatch, base_silence):
            edits = rnd.sample(HOSTILE_EDITS, rnd.randint(0, 3))
            for name, edit, config in edits:
                (w.work / DECISION).write_text(edit((w.work / DECISION).read_text()))
                if config is not None:
                    (w.work / "declog.toml").write_text(config)
                if name == "self member":
                    path = w.work / "content/partners/globex.md"
                    path.write_text(path.read_text().replace("[mlee-globex]", "[mlee-globex, akim-acme]"))
                git(w.work, "commit", "-qam", name)
            head = git(w.work, "rev-parse", "HEAD")
            git(w.work, "push", "-q", "origin", "propose/1")
            w.gh.pulls[1]["head"]["sha"] = head
            reviewers = rnd.sample(["bob-acme", "jsmith-northwind"], rnd.randint(0, 2))
            reviewers += ["mlee-globex"] if rnd.random() < 0.3 else []
            for login in reviewers:
                w.review(login, sha=head)
            w.remind(DEADLINE + dt.timedelta(hours=rnd.choice([-3, 2, 30])))
            new = w.branch_head()
            outcomes.append(new != head)
            if new == head:
                continue
            # a commit: main counts globex's silence, globex did not review, and only approvals changed
            assert base_silence.endswith(SILENCE_FOR_GLOBEX) and "mlee-globex" not in reviewers, seed
            assert git(w.origin, "diff", "--name-only", head, new) == DECISION
            before = git(w.origin, "show", f"{head}:{DECISION}")
            after = git(w.origin, "show", f"{new}:{DECISION}")
            strip = re.compile(r"^approvals:.*?(?=^[a-z_]+:|^---)", re.S | re.M)
            assert strip.sub("", before) == strip.sub("", after), (seed, before, after)
            assert "via: silence" in after and "partner: globex" in after
    assert 3 <= sum(outcomes) <= len(outcomes) - 3, outcomes  # both kinds of pull request were made


def test_remind_keeps_the_status_comment_current_as_the_deadline_passes(world: World) -> None:
    world.review("bob-acme")
    world.approvals("--comment", now=DEADLINE - dt.timedelta(hours=30))
    status = world.gh.status_of(world.head, "declog/approvals")
    assert status is not None and status["state"] == "pending"
    summary = world.tmp / "summary.md"
    run = invoke(
        ["remind", "--root", str(world.main), "--now", iso(DEADLINE + dt.timedelta(hours=1))],
        env={**world.env, "GITHUB_STEP_SUMMARY": str(summary)},
    )
    assert run.exit_code == 0, run.stderr
    status = world.gh.status_of(world.head, "declog/approvals")
    assert status is not None and status["state"] == "failure"
    assert status["description"] == "0001: 1 of 3, deadline passed"
    [body] = [b for b in world.bot_comments() if b.startswith("<!-- declog:status -->")]
    assert "deadline 2026-11-04 09:00 UTC (passed)" in body and "the deadline has passed" in body
    text = summary.read_text()
    assert text.startswith("## declog remind\n\n") and "- #1: overdue notice for 0001\n" in text


def test_a_moved_deadline_starts_the_reminder_points_anew(world: World) -> None:
    world.remind(DEADLINE - dt.timedelta(hours=20))
    assert len(world.bot_comments()) == 1
    later = DEADLINE + dt.timedelta(days=2)
    text = (
        (world.work / DECISION).read_text().replace(f"deadline: {iso(DEADLINE)}", f"deadline: {iso(later)}")
    )
    (world.work / DECISION).write_text(text)
    git(world.work, "commit", "-qam", "more time")
    git(world.work, "push", "-q", "origin", "propose/1")
    world.gh.pulls[1]["head"]["sha"] = git(world.work, "rev-parse", "HEAD")
    world.remind(later - dt.timedelta(hours=20))
    [_, again] = world.bot_comments()
    assert f"<!-- declog:reminder 0001 {iso(later)} 1d -->" in again


def test_main_can_turn_off_recording_silence_and_the_label(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    off = CONFIG + SILENCE_FOR_GLOBEX + '\n[workflow.reminders]\nrecord_silence = false\noverdue_label = ""\n'
    for w in make_world(tmp_path, monkeypatch, off):
        w.review("bob-acme")
        run = w.remind(DEADLINE + dt.timedelta(hours=1))
        assert run.exit_code == 0, run.stderr
        assert w.branch_head() == w.head  # nothing committed; the log says what would record it
        assert "silence counts for globex; recording it is off" in run.stderr
        assert "declog approvals --write" in run.stderr
        # northwind is still awaited: one overdue notice, and no label
        assert len([b for b in w.bot_comments() if "declog:overdue" in b]) == 1
        assert w.gh.labels[1] == []


def test_the_token_reaches_git_only_in_the_fetchs_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """git.fetch authenticates as actions/checkout does, without writing the token anywhere."""
    from declog.log import git as gitmod

    calls: list[tuple[tuple[str, ...], dict[str, str]]] = []

    def fake_run(root: Path, *args: str, stdin: bytes | None = None, env: Any = None) -> bytes:
        calls.append((args, dict(env or {})))
        return b"https://github.com/acme/log.git\n" if args[:2] == ("remote", "get-url") else b""

    monkeypatch.setattr(gitmod, "run", fake_run)
    gitmod.fetch(Path("."), "+refs/heads/main:refs/remotes/origin/main", token="ghs_secret")
    (_, none), (args, env) = calls
    assert none == {} and "ghs_secret" not in " ".join(args)
    assert env["GIT_CONFIG_KEY_0"] == "http.https://github.com/.extraheader"
    assert (
        env["GIT_CONFIG_VALUE_0"]
        == "AUTHORIZATION: basic " + base64.b64encode(b"x-access-token:ghs_secret").decode()
    )
