"""The CI `declog init` writes, run step by step as GitHub Actions would run it.

A partnership's repository ("GitHub" is a local git repository) gets the files
`declog init` writes, a second partner, and two pull requests: a good proposal
that both partners approved, and a bad one (a misspelled status, one partner's
approval, and a workflow of its own that would pass anything). Each job of the
workflows on main runs in tests/actions_emulator.py: its `run:` steps in order
with bash and the variables Actions sets, declog's action from action.yml with
this working tree as its checkout, the pull request's reviews from a fake API.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from actions_emulator import (
    JobRun,
    Runner,
    copy_working_tree,
    load_workflow,
    make_python_shim,
    provide_build_backend,
)
from conftest import invoke
from fake_github import FakeGitHub

from declog import __version__
from declog.authoring import scaffold
from declog.site import search

pytestmark = pytest.mark.git

REPOSITORY = "acme-globex/decisions"
GOOD, BAD = 7, 8
ENV = {
    "GIT_AUTHOR_NAME": "Anna Kim",
    "GIT_AUTHOR_EMAIL": "anna@acme.example",
    "GIT_COMMITTER_NAME": "Anna Kim",
    "GIT_COMMITTER_EMAIL": "anna@acme.example",
    "GIT_CONFIG_NOSYSTEM": "1",
    "PATH": "/usr/local/bin:/usr/bin:/bin",
}


def git(root: Path, *args: str) -> str:
    proc = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, env=ENV, check=False)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip()


@dataclass
class Repository:
    origin: Path
    runner: Runner
    main: str
    heads: dict[int, str]
    gh_calls: Path
    gh: FakeGitHub

    def workflow(self, name: str, ref: str = "main") -> dict[str, Any]:
        """A workflow as it is on ``ref``: pull_request_target and workflow_run run main's."""
        return load_workflow(git(self.origin, "show", f"{ref}:.github/workflows/{name}"))

    def pull_request_job(self, job: str, number: int) -> JobRun:
        head = self.heads[number]
        event = {
            "action": "opened",
            "number": number,
            "pull_request": {
                "number": number,
                "head": {"sha": head, "ref": f"propose/{number}"},
                "base": {"sha": self.main, "ref": "main"},
                "user": {"login": "akim-acme"},
            },
            "repository": {"full_name": REPOSITORY},
        }
        return self.runner.run_job(
            self.workflow("declog.yml"),
            job,
            event_name="pull_request_target",
            event=event,
            sha=self.main,  # pull_request_target: the base branch's last commit
            ref="refs/heads/main",
            head_ref=f"propose/{number}",
            base_ref="main",
        )


PARTNER = "---\nid: globex\nname: Globex\ntimezone: Asia/Tokyo\nmembers: [mlee-globex]\n---\n"


def _propose(origin: Path, number: int, build: Any) -> str:
    git(origin, "checkout", "-q", "-b", f"propose/{number}", "main")
    build()
    git(origin, "add", "-A")
    git(origin, "commit", "-q", "-m", f"Proposal #{number}")
    head = git(origin, "rev-parse", "HEAD")
    git(origin, "checkout", "-q", "main")
    return head


def _review(login: str, sha: str, at: dt.datetime, state: str = "APPROVED") -> dict[str, Any]:
    return {
        "id": abs(hash((login, sha))) % 10**9,
        "user": {"login": login},
        "state": state,
        "commit_id": sha,
        "submitted_at": at.strftime("%Y-%m-%dT%H:%M:%SZ"),
    }


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Repository]:
    tmp = tmp_path_factory.mktemp("generated-ci")
    origin = tmp / "origin"
    run = invoke(
        [
            *("init", str(origin), "--partner", "acme", "--name", "Acme", "--member", "akim-acme"),
            *("--member", "bob-acme", "--timezone", "Europe/Berlin"),
        ]
    )
    assert run.exit_code == 0, run.stderr
    (origin / "content/partners/globex.md").write_text(PARTNER)
    assert invoke(["init", str(origin), "--update"]).exit_code == 0  # CODEOWNERS names globex too
    git(origin, "init", "-q", "-b", "main")
    git(origin, "add", "-A")
    git(origin, "commit", "-q", "-m", "Start the decision log")
    main = git(origin, "rev-parse", "HEAD")

    def good() -> None:
        made = invoke(["new", "Share the Q1 roadmap", "--root", str(origin), "--owner", "akim-acme"])
        assert made.exit_code == 0, made.stderr
        path = origin / made.stdout.strip()
        text = path.read_text().replace(
            "---\n\n## Context", "rationale: Both partners plan on it.\n---\n\n## Context"
        )
        path.write_text(text.replace("## Decision\n\n", "## Decision\n\nWe share the Q1 roadmap.\n"))

    def bad() -> None:
        made = invoke(["new", "Skip the review", "--root", str(origin), "--owner", "akim-acme"])
        path = origin / made.stdout.strip()
        path.write_text(path.read_text().replace("status: proposed", "status: aproved"))
        # A pull request may rewrite the checks; pull_request_target runs main's anyway.
        (origin / ".github/workflows/declog.yml").write_text(
            "name: Decision log checks\non: pull_request_target\njobs:\n"
            "  check: {runs-on: ubuntu-latest, steps: [{run: 'exit 0'}]}\n"
            "  approvals: {runs-on: ubuntu-latest, steps: [{run: 'exit 0'}]}\n"
        )

    heads = {GOOD: _propose(origin, GOOD, good), BAD: _propose(origin, BAD, bad)}
    now = dt.datetime.now(dt.UTC)
    approvals = {
        GOOD: [_review("bob-acme", heads[GOOD], now), _review("mlee-globex", heads[GOOD], now)],
        BAD: [_review("mlee-globex", heads[BAD], now)],
    }
    opened = (now - dt.timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%SZ")

    tools = tmp / "tools"
    tools.mkdir()
    gh_calls = tmp / "gh-calls.jsonl"
    fake_gh = tools / "gh"
    fake_gh.write_text(
        f"#!{sys.executable}\n"
        "import json, sys\n"
        f"open({str(gh_calls)!r}, 'a').write(json.dumps(sys.argv[1:]) + '\\n')\n"
        f"if sys.argv[1:3] == ['run', 'list'] and {heads[GOOD]!r} in sys.argv: print(4242)\n"
    )
    fake_gh.chmod(0o755)
    backend = provide_build_backend(tmp / "backend")
    runner = Runner(
        origin=origin,
        repository=REPOSITORY,
        action=scaffold.default_action(),
        action_path=copy_working_tree(tmp / "actions" / "declog"),
        python=make_python_shim(tmp / "setup-python", backend),
        tmp=tmp / "runner",
        extra_path=[str(tools)],
    )
    with FakeGitHub(REPOSITORY, token=runner.token, git=origin / ".git") as gh:
        for number, reviews in approvals.items():
            gh.add_pull(
                number,
                author="akim-acme",
                head_sha=heads[number],
                head_ref=f"propose/{number}",
                created_at=opened,
            )
            gh.reviews[number] = reviews
        runner.api_url = gh.url
        yield Repository(origin, runner, main, heads, gh_calls, gh)


def _installed(job: JobRun) -> None:
    """declog's action installed its own declog, the version the workflow pins, and said where.

    Nothing went on PATH: later steps run the absolute path the action's output names.
    """
    where = job.outputs["declog"]["declog"]
    assert where.endswith("/temp/declog-venv/bin/declog") and Path(where).is_absolute(), where
    assert job.which("declog") is None and not any("declog" in folder for folder in job.path), job.path
    install = next(s for s in job.steps if s.name.startswith("Install declog"))
    assert f"declog, version {__version__}" in install.stdout


def test_the_checks_pass_a_good_pull_request(repo: Repository) -> None:
    check = repo.pull_request_job("check", GOOD)
    assert check.ok, check.log
    _installed(check)
    assert "declog: checked 4 documents" in check.step("declog check").stderr
    approvals = repo.pull_request_job("approvals", GOOD)
    assert approvals.ok, approvals.log
    out = approvals.step("declog approvals").stdout
    assert "pull request #7 by akim-acme: 2 review(s)" in out
    assert re.search(r"acme +approved by bob-acme", out), out
    assert re.search(r"globex +approved by mlee-globex", out), out
    assert "0002" in approvals.summary  # the job summary names the decision
    # each job set its commit status on the head, and the approvals job keeps the status comment
    for context in ("declog/check", "declog/approvals"):
        status = repo.gh.status_of(repo.heads[GOOD], context)
        assert status is not None and status["state"] == "success", (context, status)
    [comment] = repo.gh.comments[GOOD]
    assert comment["body"].startswith("<!-- declog:status -->") and "ready to accept" in comment["body"]


def test_the_checks_fail_a_bad_pull_request_whatever_it_does_to_the_workflow(repo: Repository) -> None:
    own = repo.workflow("declog.yml", ref=f"propose/{BAD}")
    assert own["jobs"]["check"]["steps"] == [{"run": "exit 0"}]  # what the PR would like to run
    check = repo.pull_request_job("check", BAD)
    assert not check.ok
    _installed(check)
    step = check.step("declog check")
    assert step.returncode == 1, check.log
    assert re.search(
        r"^::error file=content/decisions/0002-skip-the-review\.md,line=4,col=9,.*DL103", step.stdout, re.M
    ), step.stdout
    approvals = repo.pull_request_job("approvals", BAD)
    step = approvals.step("declog approvals")
    assert step.returncode == 1, approvals.log
    assert "acme" in step.stdout and "pending" in step.stdout, step.stdout
    checked = repo.gh.status_of(repo.heads[BAD], "declog/check")
    assert checked is not None and checked["state"] == "failure", checked
    approved = repo.gh.status_of(repo.heads[BAD], "declog/approvals")  # awaits the partners' say
    assert approved is not None and approved["state"] == "pending", approved
    assert approved["description"] == "governance: 1 of 2"


def test_the_reminder_workflow_judges_every_open_pull_request_from_main(repo: Repository) -> None:
    """It runs main's file on a schedule, checks main out and fetches each head only as data."""
    remind = repo.workflow("declog-remind.yml")
    written = len(repo.gh.writes())
    job = repo.runner.run_job(
        remind, "remind", event_name="schedule", event={}, sha=repo.main, ref="refs/heads/main"
    )
    assert job.ok, job.log
    _installed(job)
    said = job.step("declog remind").stderr
    # the proposals were just opened: their deadlines are two days away, so nothing is due yet
    assert f"declog: #{GOOD}: nothing due" in said and f"declog: #{BAD}: nothing due" in said, said
    # no reminder, notice, label or commit: only the status comments kept current
    assert {(r.method, r.path.rsplit("/", 2)[-2]) for r in repo.gh.writes()[written:]} <= {
        ("PATCH", "comments"),
        ("POST", "statuses"),
    }
    assert f"- #{GOOD}: nothing due" in job.summary
    reads = {r.path for r in repo.gh.requests if r.method == "GET"}
    assert f"/repos/{REPOSITORY}/pulls/{GOOD}/reviews?per_page=100" in reads


def test_a_review_wakes_the_rejudge_which_reruns_the_reviewed_commits_checks(repo: Repository) -> None:
    review = repo.workflow("declog-review.yml")
    event = {
        "review": {"state": "approved"},
        "pull_request": {"number": GOOD, "head": {"sha": repo.heads[GOOD]}},
    }
    job = repo.runner.run_job(
        review,
        "noted",
        event_name="pull_request_review",
        event=event,
        sha=repo.heads[GOOD],
        ref="refs/pull/7/merge",
    )
    assert job.ok, job.log
    assert job.steps[0].stdout == "review on pull request #7; declog-rejudge.yml re-runs the checks\n"

    rejudge = repo.workflow("declog-rejudge.yml")
    assert rejudge["on"]["workflow_run"]["workflows"] == [review["name"]]
    event = {"workflow_run": {"name": review["name"], "head_sha": repo.heads[GOOD], "conclusion": "success"}}
    job = repo.runner.run_job(
        rejudge, "rerun", event_name="workflow_run", event=event, sha=repo.main, ref="refs/heads/main"
    )
    assert job.ok, job.log
    calls = [json.loads(line) for line in repo.gh_calls.read_text().splitlines()]
    listed = ["--workflow", "declog.yml", "--event", "pull_request_target", "--commit", repo.heads[GOOD]]
    assert calls == [
        [
            "run",
            "list",
            "--repo",
            REPOSITORY,
            *listed,
            "--limit",
            "1",
            "--json",
            "databaseId",
            "--jq",
            ".[0].databaseId // empty",
        ],
        ["run", "rerun", "4242", "--repo", REPOSITORY],
    ]


def test_the_pages_workflow_publishes_a_searchable_site_of_main(repo: Repository) -> None:
    git(repo.origin, "merge", "-q", "--no-ff", "-m", "Merge #7", f"propose/{GOOD}")
    head = git(repo.origin, "rev-parse", "HEAD")
    pages = repo.workflow("pages.yml")
    push = {"ref": "refs/heads/main", "after": head, "repository": {"full_name": REPOSITORY}}
    build = repo.runner.run_job(
        pages, "build", event_name="push", event=push, sha=head, ref="refs/heads/main"
    )
    assert build.ok, build.log
    _installed(build)
    site = build.artifact
    assert site == build.workspace / "_site"
    assert (site / "index.html").is_file() and (site / "decisions/0002/index.html").is_file()
    assert "https://acme-globex.github.io/decisions/" in (site / "sitemap.xml").read_text()
    if search.executable() is not None:
        assert (site / "pagefind" / "pagefind.js").is_file(), build.log
        assert (site / "search" / "index.html").is_file()
    else:
        assert "DL603" in build.step("declog build").stdout
    deploy = repo.runner.run_job(
        pages, "deploy", event_name="push", event=push, sha=head, ref="refs/heads/main"
    )
    assert deploy.ok, deploy.log


def planted(markers: Path) -> dict[str, str]:
    """Files a pull request could add at the root: each creates ``markers/NAME`` if anything runs or reads it."""

    def python(name: str) -> str:
        return f"import pathlib\npathlib.Path({str(markers / name)!r}).write_text('ran')\n"

    return {
        "venv.py": python("venv.py"),  # python3 -m venv, from the checkout
        "pip/__init__.py": "",
        "pip/__main__.py": python("pip"),  # python -m pip, from the checkout
        "sitecustomize.py": python("sitecustomize.py"),
        "usercustomize.py": python("usercustomize.py"),
        "declog/__init__.py": python("declog"),  # python -m declog, from the checkout
        "declog/__main__.py": python("declog"),
        "setup.py": python("setup.py"),  # pip install . of the checkout
        "pip.conf": f"[global]\nlog = {markers / 'pip.conf'}\n",
        "pagefind.yml": f"output_path: {markers / 'pagefind-index'}\nlogfile: {markers / 'pagefind.log'}\n",
    }


def test_nothing_a_pull_request_plants_at_the_root_runs_or_steers_the_pages_build(
    repo: Repository, tmp_path: Path
) -> None:
    """The Pages build of what a merge would bring: the tools run from outside the checkout."""
    markers = tmp_path / "markers"
    markers.mkdir()

    def plant() -> None:
        for name, text in planted(markers).items():
            (repo.origin / name).parent.mkdir(parents=True, exist_ok=True)
            (repo.origin / name).write_text(text)

    head = _propose(repo.origin, 99, plant)
    pages = repo.workflow("pages.yml")
    push = {"ref": "refs/heads/main", "after": head, "repository": {"full_name": REPOSITORY}}
    build = repo.runner.run_job(
        pages, "build", event_name="push", event=push, sha=head, ref="refs/heads/main"
    )
    assert (build.workspace / "venv.py").is_file() and (build.workspace / "pagefind.yml").is_file()
    assert build.ok, build.log
    _installed(build)
    assert sorted(p.name for p in markers.iterdir()) == []
    site = build.artifact
    assert site is not None and (site / "decisions/0001/index.html").is_file()
    if search.executable() is not None:
        assert (site / "pagefind" / "pagefind.js").is_file(), build.log
