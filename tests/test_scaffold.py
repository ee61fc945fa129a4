"""`declog init` and `declog new`: a log repository from nothing, a decision file with a merge-safe id."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from conftest import REPO, LogMaker, doc, invoke

from declog import __version__, scaffold

NOW = dt.datetime(2026, 11, 24, 9, 30, 12, tzinfo=dt.UTC)

INIT = [
    ".github/CODEOWNERS",
    ".github/pull_request_template.md",
    ".github/workflows/declog-rejudge.yml",
    ".github/workflows/declog-review.yml",
    ".github/workflows/declog.yml",
    ".github/workflows/pages.yml",
    ".gitignore",
    ".pre-commit-config.yaml",
    "content/decisions/0001-adopt-this-log.md",
    "content/meetings/.gitkeep",
    "content/partners/acme.md",
    "declog.toml",
]


def init(target: Path, *extra: str) -> list[str]:
    run = invoke(
        ["init", str(target), "--partner", "acme", "--name", "Acme Ltd", "--member", "alice", *extra]
    )
    assert run.exit_code == 0, run.stderr
    return [line.removeprefix(f"created {target.as_posix()}/") for line in run.lines]


def test_init_writes_a_log_that_checks_clean(tmp_path: Path) -> None:
    assert init(tmp_path / "log", "--member", "bob") == INIT
    run = invoke(["check", "--root", str(tmp_path / "log")])
    assert (run.exit_code, run.stdout) == (0, "")
    assert (tmp_path / "log/.github/CODEOWNERS").read_text().splitlines()[-4:] == [
        "/content/ @alice @bob",
        "/declog.toml @alice @bob",
        "/templates/ @alice @bob",
        "/.github/ @alice @bob",
    ]
    partner = (tmp_path / "log/content/partners/acme.md").read_text()
    assert "members:\n  - alice\n  - bob\n" in partner


def test_init_refuses_to_overwrite_and_lists_the_files(tmp_path: Path) -> None:
    target = tmp_path / "log"
    target.mkdir()
    (target / "declog.toml").write_text("# ours\n")
    run = invoke(["init", str(target), "--member", "alice"])
    assert run.exit_code == 2
    assert run.stderr == (
        "declog: error: these files exist and differ from what init would write: declog.toml "
        "(use --force to overwrite them)\n"
    )
    assert sorted(p.name for p in target.iterdir()) == ["declog.toml"]
    assert init(target, "--force") == INIT
    assert "[workflow]" in (target / "declog.toml").read_text()


def test_running_init_again_is_safe(tmp_path: Path) -> None:
    files = scaffold.init_files(partner="acme", name="Acme", members=["alice"], now=NOW)
    assert scaffold.init(tmp_path, files).written == INIT
    again = scaffold.init(tmp_path, files)
    assert (again.written, again.unchanged) == ([], INIT)


def test_init_refuses_bad_ids_and_handles(tmp_path: Path) -> None:
    run = invoke(["init", str(tmp_path), "--partner", "Acme Ltd", "--member", "alice"])
    assert (run.exit_code, run.stderr) == (
        2,
        "declog: error: partner id 'Acme Ltd' must be lower-case words joined by dashes\n",
    )
    run = invoke(["init", str(tmp_path), "--member", "-bad-"])
    assert (run.exit_code, run.stderr) == (2, "declog: error: not a GitHub handle: -bad-\n")


def check_jsonschema(schema: str, *files: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", schema, *map(str, files)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def test_the_workflows_are_valid_github_workflows(tmp_path: Path) -> None:
    init(tmp_path)
    workflows = sorted((tmp_path / ".github/workflows").glob("*.yml"))
    assert [p.name for p in workflows] == [
        "declog-rejudge.yml",
        "declog-review.yml",
        "declog.yml",
        "pages.yml",
    ]
    proc = check_jsonschema("vendor.github-workflows", *workflows)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_the_checks_run_the_base_branchs_definition_and_only_read_the_pull_request(tmp_path: Path) -> None:
    """A pull request cannot rewrite its judge: see docs/security.md."""
    init(tmp_path)
    flows = tmp_path / ".github/workflows"
    checks = yaml.safe_load((flows / "declog.yml").read_text())
    # `on:` is read by YAML 1.1 as True
    assert list(checks[True]) == ["pull_request_target"]
    assert checks["permissions"] == {}
    for name, job in checks["jobs"].items():
        assert set(job["permissions"]) <= {"contents", "pull-requests"}, name
        assert set(job["permissions"].values()) == {"read"}, name
        [checkout] = [s for s in job["steps"] if s.get("uses", "").startswith("actions/checkout@")]
        assert checkout["with"]["ref"] == "${{ github.event.pull_request.head.sha }}"
        assert checkout["with"]["path"] == "pr"
        assert checkout["with"]["persist-credentials"] is False
        commands = [s["run"] for s in job["steps"] if "run" in s]
        # declog comes from the pinned release, never from the checkout, and is the only thing run on pr/
        assert any(f'"declog=={__version__}"' in c for c in commands)
        for c in commands:
            assert "pr/" not in c and "./" not in c, c
            assert "pip install" not in c or "pr" not in c.split("pip install", 1)[1].split(), c
        assert any(c.startswith(f"declog {name} --root pr ") and "--base" in c for c in commands)
    review = yaml.safe_load((flows / "declog-review.yml").read_text())
    assert review["permissions"] == {}
    assert all("uses" not in s for job in review["jobs"].values() for s in job["steps"])
    rejudge = yaml.safe_load((flows / "declog-rejudge.yml").read_text())
    assert list(rejudge[True]) == ["workflow_run"]
    assert rejudge[True]["workflow_run"]["workflows"] == [review["name"]]
    assert all("checkout" not in s.get("uses", "") for job in rejudge["jobs"].values() for s in job["steps"])


def test_the_composite_action_is_a_valid_action() -> None:
    proc = check_jsonschema("vendor.github-actions", REPO / "action.yml")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_the_schema_check_catches_a_broken_workflow(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yml"
    bad.write_text("on: push\njobs:\n  x:\n    steps: []\n")
    assert check_jsonschema("vendor.github-workflows", bad).returncode == 1


# --- declog new -------------------------------------------------------------------------------


def new(log: LogMaker, *args: str) -> tuple[int, str, str]:
    run = invoke(["new", "--root", str(log.root), *args])
    return run.exit_code, run.stdout.strip(), run.stderr


def test_new_writes_a_proposal_with_the_deadline_from_the_window(log: LogMaker) -> None:
    code, path, err = new(log, "Pricing: phase 2", "--partner", "acme", "--owner", "bob")
    assert (code, path) == (0, "content/decisions/0001-pricing-phase-2.md")
    text = (log.root / path).read_text()
    front = text.split("---\n")[1]
    lines = front.splitlines()
    assert lines[:8] == [
        'id: "0001"',
        'title: "Pricing: phase 2"',
        "status: proposed",
        "mode: async",
        "category: operational",
        "partners: [acme]",
        "owner: bob",
        lines[7],
    ]
    proposed = dt.datetime.fromisoformat(lines[7].removeprefix("proposed: "))
    deadline = dt.datetime.fromisoformat(lines[8].removeprefix("deadline: "))
    assert deadline - proposed == dt.timedelta(hours=48)
    assert proposed.utcoffset() in (dt.timedelta(hours=1), dt.timedelta(hours=2))  # acme is in Berlin
    assert "## Context" in text and "## Consequences" in text
    assert "declog: next: add `rationale:`" in err
    findings = log.findings()
    assert [(f.code, f.message) for f in findings] == [("DL310", "proposed decision without rationale")]


def test_new_takes_the_next_id_and_never_overwrites(log: LogMaker) -> None:
    log.decision("0007-old", doc('id: "0007"\ntitle: Old\nstatus: draft\n'))
    assert new(log, "Next one", "--owner", "bob")[1] == "content/decisions/0008-next-one.md"
    assert new(log, "Next one", "--owner", "bob")[1] == "content/decisions/0009-next-one.md"
    made = scaffold.NewDecision("content/decisions/0007-old.md", "x")
    with pytest.raises(scaffold.ScaffoldError, match="exists"):
        scaffold.write_new(log.root, made)


def test_new_refuses_an_unknown_partner(log: LogMaker) -> None:
    code, _, err = new(log, "X", "--partner", "initech")
    assert (code, err) == (2, "declog: error: unknown partner(s) initech (known: acme, globex)\n")


MEETING = doc(
    """
    id: 2026-11-20-steering
    title: Steering
    date: 2026-11-20T15:00:00+01:00
    attendees: [alice, bob, carol]
    decisions: []
    """
)


def test_new_sync_decision_from_a_meeting(log: LogMaker) -> None:
    log.meeting("2026-11-20-steering", MEETING)
    code, path, err = new(log, "Adopt the Q1 budget", "--meeting", "2026-11-20-steering", "--owner", "alice")
    assert code == 0, err
    front = (log.root / path).read_text().split("---\n")[1]
    assert front.splitlines()[2:] == [
        "status: accepted",
        "mode: sync",
        "category: operational",
        "partners: [acme, globex]",
        "owner: alice",
        "meeting: 2026-11-20-steering",
        "decided: 2026-11-20T15:00:00+01:00",
        "approvals:",
        "  - partner: acme",
        "    by: bob",
        "    at: 2026-11-20T15:00:00+01:00",
        "    via: meeting",
        "  - partner: globex",
        "    by: carol",
        "    at: 2026-11-20T15:00:00+01:00",
        "    via: meeting",
    ]
    assert 'declog: next: add "0001" to `decisions` in content/meetings/2026-11-20-steering.md' in err
    assert {f.code for f in log.findings()} == {"DL310", "DL320"}


def test_new_sync_decision_with_a_partner_absent_stays_proposed(log: LogMaker) -> None:
    log.meeting("2026-11-20-steering", MEETING.replace(", carol", ""))
    code, path, err = new(log, "Adopt the Q1 budget", "--meeting", "2026-11-20-steering", "--owner", "alice")
    assert code == 0, err
    front = (log.root / path).read_text()
    assert "status: proposed" in front and "decided:" not in front
    assert "no attendee of meeting '2026-11-20-steering' can approve for globex" in err


@pytest.fixture
def forked(log: LogMaker) -> Iterator[LogMaker]:
    """A branch forked from main; main has since merged decision 0005."""

    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=log.root, check=True, capture_output=True)

    git("init", "-q", "-b", "main")
    git("-c", "user.name=T", "-c", "user.email=t@example.org", "add", "-A")
    git("-c", "user.name=T", "-c", "user.email=t@example.org", "commit", "-q", "-m", "start")
    git("checkout", "-q", "-b", "propose")
    git("checkout", "-q", "main")
    log.decision("0005-merged-meanwhile", doc('id: "0005"\ntitle: M\nstatus: draft\n'))
    git("add", "-A")
    git("-c", "user.name=T", "-c", "user.email=t@example.org", "commit", "-q", "-m", "0005")
    git("checkout", "-q", "propose")
    yield log


@pytest.mark.git
def test_new_ids_are_merge_safe_against_the_base_branch(forked: LogMaker) -> None:
    assert not (forked.root / "content/decisions/0005-merged-meanwhile.md").exists()
    assert new(forked, "Mine", "--owner", "bob")[1] == "content/decisions/0006-mine.md"
    assert new(forked, "Other", "--owner", "bob", "--base", "propose")[1] == "content/decisions/0007-other.md"
