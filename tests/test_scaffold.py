"""`declog init` and `declog new`: a log repository from nothing, a decision file with a merge-safe id."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from conftest import CONFIG, REPO, LogMaker, doc, invoke, isolated_git

from declog import __version__
from declog.authoring import scaffold
from declog.log import about

NOW = dt.datetime(2026, 11, 24, 9, 30, 12, tzinfo=dt.UTC)

INIT = [
    ".github/CODEOWNERS",
    ".github/pull_request_template.md",
    ".github/workflows/declog-rejudge.yml",
    ".github/workflows/declog-remind.yml",
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
    assert (tmp_path / "log/.github/CODEOWNERS").read_text().splitlines()[-5:] == [
        "/content/ @alice @bob",
        "/declog.toml @alice @bob",
        "/templates/ @alice @bob",
        "/.github/ @alice @bob",
        "# --- end of declog's part",
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
        "(use --force to overwrite them; in an existing log, --update brings CODEOWNERS and the CI files "
        "up to date without overwriting yours)\n"
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
        "declog: error: --partner 'Acme Ltd' should be lower-case letters, digits and dashes "
        "(e.g. 'acme' or 'data-retention') (write 'acme-ltd')\n",
    )
    run = invoke(["init", str(tmp_path), "--member", "-bad-"])
    assert (run.exit_code, run.stderr) == (
        2,
        "declog: error: --member '-bad-' is not a valid handle (letters, digits and single dashes, without @) "
        "(write 'bad')\n",
    )


@pytest.mark.parametrize(
    ("option", "value", "said"),
    [
        (
            "--timezone",
            "Sao Paulo",
            "--timezone 'Sao Paulo' is not an IANA time zone (write 'America/Sao_Paulo')",
        ),
        (
            "--partner",
            "Ipê",
            "--partner 'Ipê' should be lower-case letters, digits and dashes (e.g. 'acme' or 'data-retention') "
            "(write 'ipe')",
        ),
        (
            "--member",
            "@handle",
            "--member '@handle' is not a valid handle (letters, digits and single dashes, without @) "
            "(write 'handle')",
        ),
    ],
)
def test_init_validates_as_check_does_and_writes_nothing(
    tmp_path: Path, option: str, value: str, said: str
) -> None:
    args = {"--partner": "acme", "--member": "alice", "--timezone": "UTC", option: value}
    target = tmp_path / "log"
    run = invoke(["init", str(target), *(x for pair in args.items() for x in pair)])
    assert (run.exit_code, run.stdout, run.stderr) == (2, "", f"declog: error: {said}\n")
    assert not target.exists()
    # and check says the same of the value written by hand
    fixed = init(target, "--timezone", "America/Sao_Paulo")
    assert fixed
    partner = target / "content" / "partners" / "acme.md"
    line, written = {
        "--timezone": ("timezone: America/Sao_Paulo", f"timezone: {value}"),
        "--partner": ("id: acme", f"id: {value}"),
        "--member": ("  - alice", f"  - '{value}'"),
    }[option]
    partner.write_text(partner.read_text().replace(line, written))
    run = invoke(["check", "--root", str(target), "--format", "json"])
    [hint] = [f["hint"] for f in run.json() if f["code"] == "DL104"]
    assert hint == said.rsplit(" (", 1)[1].rstrip(")")


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
        "declog-remind.yml",
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
    # least privilege: read the head; set the job's own status; the approvals job also reads the
    # reviews and keeps the status comment (docs/bot.md)
    assert checks["jobs"]["check"]["permissions"] == {"contents": "read", "statuses": "write"}
    assert checks["jobs"]["approvals"]["permissions"] == {
        "contents": "read",
        "pull-requests": "write",
        "statuses": "write",
    }
    for name, job in checks["jobs"].items():
        [checkout] = [s for s in job["steps"] if s.get("uses", "").startswith("actions/checkout@")]
        assert checkout["with"]["ref"] == "${{ github.event.pull_request.head.sha }}"
        assert checkout["with"]["path"] == "pr"
        assert checkout["with"]["persist-credentials"] is False
        commands = [s["run"] for s in job["steps"] if "run" in s]
        # declog comes from its own action at the pinned ref, never from the checkout or a package
        # index, and is the only thing run on pr/: by the absolute path the action names, from
        # outside the checkout
        [install] = [s for s in job["steps"] if s.get("with", {}).get("command") == "install"]
        assert install["uses"] == scaffold.default_action() == f"declog-partnership/declog@v{__version__}"
        for c in commands:
            assert "pr/" not in c and "./" not in c, c
            assert "pip install" not in c or "pr" not in c.split("pip install", 1)[1].split(), c
        [run] = [s for s in job["steps"] if "run" in s]
        assert run["env"]["DECLOG"] == f"${{{{ steps.{install['id']}.outputs.declog }}}}"
        assert run["run"].startswith('cd "$RUNNER_TEMP"\n')
        assert f'"$DECLOG" {name} --root "$GITHUB_WORKSPACE/pr" ' in run["run"] and "--base" in run["run"]
    remind = yaml.safe_load((flows / "declog-remind.yml").read_text())
    assert set(remind[True]) == {"schedule", "workflow_dispatch", "pull_request_target"}
    assert remind["permissions"] == {}
    [job] = remind["jobs"].values()
    assert job["permissions"] == {"contents": "write", "pull-requests": "write", "statuses": "write"}
    [checkout] = [s for s in job["steps"] if s.get("uses", "").startswith("actions/checkout@")]
    assert "ref" not in checkout["with"]  # the base branch: its rules, members and settings steer
    assert checkout["with"]["persist-credentials"] is False
    [run] = [s for s in job["steps"] if "run" in s]
    assert run["run"] == 'cd "$RUNNER_TEMP"\n"$DECLOG" remind --root "$GITHUB_WORKSPACE/log"\n'
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
    assert "## Rationale" not in text  # the why is the `rationale:` field; the page shows it once
    assert "declog: next: add `rationale:`" in err
    findings = log.findings()
    assert [(f.code, f.message) for f in findings] == [("DL310", "proposed decision without rationale")]


#: 2026-11-02T08:00:00Z, for SOURCE_DATE_EPOCH: the moment ``new`` proposes at.
PROPOSED_AT = {"SOURCE_DATE_EPOCH": str(int(dt.datetime(2026, 11, 2, 8, 0, tzinfo=dt.UTC).timestamp()))}


def test_new_says_what_to_do_next_on_stderr_and_only_the_path_on_stdout(log: LogMaker) -> None:
    """The next steps for this decision: its file, a pull request, who approves by when, `approvals`."""
    log.config(CONFIG.replace('title = "Test log"', 'title = "Test log"\ntimezone = "Asia/Tokyo"'))
    args = ["new", "--root", str(log.root), "Pricing", "--owner", "bob"]
    run = invoke(args, env=PROPOSED_AT)
    assert (run.exit_code, run.stdout) == (0, "content/decisions/0001-pricing.md\n")
    # proposed 09:00 in Berlin (bob's partner), the 48h deadline shown in the site's zone
    assert (
        "deadline: 2026-11-04T09:00:00+01:00" in (log.root / "content/decisions/0001-pricing.md").read_text()
    )
    assert run.stderr.splitlines() == [
        "declog: next: add `rationale:` (why, in a sentence or two) and fill in the sections of the body "
        "in content/decisions/0001-pricing.md",
        "declog: next: commit it on a branch of its own and open a pull request",
        "declog: next: acme and globex must approve it by the feedback deadline, 2026-11-04 17:00 Asia/Tokyo: "
        "a member of each reviews the pull request and chooses Approve (not the owner)",
        "declog: next: `declog approvals` shows where it stands (the pull request's `approvals` check runs "
        "it on every review)",
    ]
    quiet = invoke([*args, "--quiet"], env=PROPOSED_AT)
    assert (quiet.exit_code, quiet.stdout, quiet.stderr) == (0, "content/decisions/0002-pricing.md\n", "")


def test_new_with_a_quorum_says_how_many_partners_must_approve(log: LogMaker) -> None:
    log.config(CONFIG.replace('approval = "all"', 'approval = "quorum"\nquorum = 1'))
    run = invoke(["new", "--root", str(log.root), "Pricing", "--owner", "bob"], env=PROPOSED_AT)
    assert run.exit_code == 0, run.stderr
    assert (
        "declog: next: 1 of acme and globex must approve it by the feedback deadline, 2026-11-04 08:00 UTC: "
        "a member of each reviews the pull request and chooses Approve (not the owner)\n"
    ) in run.stderr


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
    assert (
        "declog: next: decided in meeting '2026-11-20-steering' with every partner present: "
        "its approvals are recorded\n"
    ) in err
    assert "must approve" not in err
    # accepted, with its sections still to write
    assert {f.code for f in log.findings()} == {"DL310", "DL320", "DL321"}


def test_new_sync_decision_with_a_partner_absent_stays_proposed(log: LogMaker) -> None:
    log.meeting("2026-11-20-steering", MEETING.replace(", carol", ""))
    code, path, err = new(log, "Adopt the Q1 budget", "--meeting", "2026-11-20-steering", "--owner", "alice")
    assert code == 0, err
    front = (log.root / path).read_text()
    assert "status: proposed" in front and "decided:" not in front
    assert "no attendee of meeting '2026-11-20-steering' can approve for globex" in err
    assert (
        "declog: next: decided in a meeting: the partners absent must approve: globex: a member of each "
        "reviews the pull request and chooses Approve (not the owner)\n"
    ) in err
    assert "deadline" not in err


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


# --- where the generated CI gets declog (issue 12, item 1) -------------------------------------


def test_the_default_action_is_the_projects_repository_at_the_version_tag() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["name"] == about.DISTRIBUTION != "declog"  # on PyPI, `declog` is another project
    assert project["urls"]["Repository"] == about.PROJECT_URL == about.project_url()
    owner_repo = about.PROJECT_URL.removeprefix("https://github.com/")
    assert scaffold.default_action() == f"{owner_repo}@v{__version__}"


def test_init_pins_the_action_and_the_pre_commit_hook_to_the_ref_given(tmp_path: Path) -> None:
    init(tmp_path, "--action", "acme-corp/declog-fork@3f1c2e9")
    flows = tmp_path / ".github/workflows"
    uses = [
        step["uses"]
        for name in ("declog.yml", "pages.yml")
        for job in yaml.safe_load((flows / name).read_text())["jobs"].values()
        for step in job["steps"]
        if "uses" in step and not step["uses"].startswith("actions/")
    ]
    assert uses == ["acme-corp/declog-fork@3f1c2e9"] * 3
    hooks = yaml.safe_load((tmp_path / ".pre-commit-config.yaml").read_text())
    assert hooks["repos"] == [
        {
            "repo": "https://github.com/acme-corp/declog-fork",
            "rev": "3f1c2e9",
            "hooks": [{"id": "declog-check"}],
        }
    ]


def test_no_generated_file_names_a_package_index_release_of_declog(tmp_path: Path) -> None:
    init(tmp_path)
    generated = [p for p in tmp_path.rglob("*") if p.is_file()] + [REPO / "action.yml"]
    for path in generated:
        text = path.read_text()
        assert not re.search(r"declog\s*(\[[a-z,]+\])?\s*(==|>=|~=|<)", text), path
        assert not re.search(r"pip install[^\n]*\bdeclog\b(?!-venv)", text), path
        assert "additional_dependencies" not in text, path


def test_the_project_publishes_the_pre_commit_hook_the_config_names(tmp_path: Path) -> None:
    init(tmp_path)
    [repo] = yaml.safe_load((tmp_path / ".pre-commit-config.yaml").read_text())["repos"]
    published = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    [hook] = [h for h in published if h["id"] == repo["hooks"][0]["id"]]
    assert (hook["entry"], hook["language"]) == ("declog check", "python")
    assert re.match(hook["files"], "content/decisions/0001-adopt-this-log.md")
    assert re.match(hook["files"], "declog.toml")


def test_init_refuses_an_action_that_is_not_owner_repo_at_ref(tmp_path: Path) -> None:
    for bad in ("declog", "acme/declog", "acme/declog@", "acme/declog@v1 ; rm -rf /", "a/b@../x", "./action"):
        run = invoke(["init", str(tmp_path / "log"), "--member", "alice", "--action", bad])
        assert run.exit_code == 2, bad
        assert run.stderr.startswith(f"declog: error: --action '{bad}' is not OWNER/REPO@REF"), run.stderr
    assert not (tmp_path / "log").exists()


# --- init leaves no traps (issue 12, item 4) --------------------------------------------------


@pytest.mark.git
def test_the_gitignore_covers_everything_declog_writes(tmp_path: Path) -> None:
    root = tmp_path / "log"
    init(root)
    assert invoke(["build", "--root", str(root), "--no-search"]).exit_code == 0
    assert invoke(["build", "--root", str(root), "--no-search", "-o", str(root / "_site")]).exit_code == 0
    for made in (".site.a1b2c3d4.tmp", ".site.x9.old", "._site.q1.tmp", ".declog-cache/site"):
        (root / made).mkdir(parents=True)
        (root / made / "index.html").write_text("x")
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    status = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=all"],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    untracked = sorted(line[3:] for line in status.splitlines())
    assert [p for p in untracked if not p.startswith(tuple(INIT))] == []


def test_init_without_a_member_says_so_and_check_names_every_placeholder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    isolated_git(monkeypatch, tmp_path)
    monkeypatch.chdir(tmp_path)
    run = invoke(["init", "log", "--partner", "acme", "--name", "Acme Ltd"])
    assert run.exit_code == 0
    assert (
        "declog: warning: no --member given and no GitHub handle known (git config github.user): "
        "the partner's member is the placeholder 'your-github-handle'\n"
    ) in run.stderr
    assert (
        "  1. replace 'your-github-handle' with real GitHub handles in content/partners/acme.md" in run.stderr
    )
    run = invoke(["check", "--root", "log"])
    assert run.exit_code == 1
    assert run.lines == [
        ".github/CODEOWNERS:6:11: error DL206 '@your-github-handle' is the placeholder `declog init` writes, not a person (on 3 more lines too) (run `declog init --update` once the partner files name real members)",
        "content/decisions/0001-adopt-this-log.md:8:8: error DL206 owner 'your-github-handle' is the placeholder `declog init` writes, not a person (write the GitHub handle of a real person (and run `declog init --update` for CODEOWNERS))",
        "content/partners/acme.md:7:5: error DL206 member 'your-github-handle' is the placeholder `declog init` writes, not a person (write the GitHub handle of a real person (and run `declog init --update` for CODEOWNERS))",
    ]


def test_a_placeholder_by_hand_is_a_finding_too(log: LogMaker) -> None:
    log.meeting(
        "2026-11-20-steering",
        MEETING.replace("[alice, bob, carol]", "[alice, Your-GitHub-Handle]").replace("decisions: []", ""),
    )
    assert [(f.path, f.line, f.col, f.code) for f in log.codes("DL206")] == [
        ("content/meetings/2026-11-20-steering.md", 5, 20, "DL206")
    ]


def test_init_ends_with_the_next_steps_and_the_exact_checks_to_require(tmp_path: Path) -> None:
    run = invoke(["init", str(tmp_path / "log"), "--member", "alice"])
    steps = run.stderr.splitlines()
    assert steps[0] == "next steps:"
    jobs = yaml.safe_load((tmp_path / "log/.github/workflows/declog.yml").read_text())["jobs"]
    assert list(jobs) == ["check", "approvals"] == scaffold.required_checks()
    assert any('the status checks "check" and "approvals" (from GitHub Actions)' in s for s in steps)
    assert any(
        f"cd {tmp_path.as_posix()}/log && git init -b main && git add . && git reset -q content/decisions"
        in s
        for s in steps
    )
    assert any('Settings > Pages > Source: "GitHub Actions"' in s for s in steps)
    assert any(
        "add a file in content/partners/ for each further partner and list them all in the first decision's `partners`, then run `declog init --update`"
        in s
        for s in steps
    )
    assert (
        steps[-2]
        == f"the workflows install declog with the action {scaffold.default_action()} (--action OWNER/REPO@REF: another)"
    )


def test_the_pages_workflow_installs_search_and_rebuilds_hourly(tmp_path: Path) -> None:
    init(tmp_path)
    pages = yaml.safe_load((tmp_path / ".github/workflows/pages.yml").read_text())
    assert pages[True]["schedule"] == [{"cron": "17 * * * *"}]
    assert pages[True]["push"] == {"branches": ["main"]}
    steps = pages["jobs"]["build"]["steps"]
    [install] = [s for s in steps if s.get("with", {}).get("command") == "install"]
    assert install["with"]["search"] == "true"
    [build] = [s["run"] for s in steps if '"$DECLOG" build ' in s.get("run", "")]
    assert "--search" in build.split()
    action = yaml.safe_load((REPO / "action.yml").read_text())
    install_script = action["runs"]["steps"][0]["run"]
    assert 'spec="${ACTION_PATH}[search]"' in install_script  # the `search` extra: Pagefind
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert any(dep.startswith("pagefind[bin]") for dep in project["optional-dependencies"]["search"])


CODEOWNERS_BY_HAND = """\
# ours: the legal team owns the agreements
/agreements/ @acme/legal
"""


def test_codeowners_out_of_step_with_the_partners_is_a_finding_and_update_fixes_it(tmp_path: Path) -> None:
    root = tmp_path / "log"
    init(root, "--member", "bob")
    owners_file = root / ".github/CODEOWNERS"
    owners_file.write_text(CODEOWNERS_BY_HAND + owners_file.read_text())
    (root / "content/partners/globex.md").write_text(
        "---\nid: globex\nname: Globex\ntimezone: UTC\nmembers: [carol, {handle: Dave, name: D}]\n---\n"
    )
    run = invoke(["check", "--root", str(root)])
    assert run.exit_code == 0  # a warning
    assert run.lines == [
        ".github/CODEOWNERS:8:1: warning DL207 '/content/' '/declog.toml' '/templates/' '/.github/' are owned without every partner's members: missing @carol (globex), @Dave (globex) (run `declog init --update` to regenerate declog's part of the file (your own lines are kept); GitHub uses the last line that matches a path)"
    ]
    assert invoke(["check", "--root", str(root), "--strict"]).exit_code == 1

    run = invoke(["init", str(root), "--update"])
    assert (run.exit_code, run.stdout) == (0, f"wrote {root.as_posix()}/.github/CODEOWNERS\n"), run.stderr
    text = owners_file.read_text()
    assert text.startswith(CODEOWNERS_BY_HAND)
    assert "/content/ @alice @bob @carol @Dave\n" in text
    assert invoke(["check", "--root", str(root)]).lines == []
    again = invoke(["init", str(root), "--update"])
    assert (again.exit_code, again.stdout) == (0, "")
    assert again.stderr == "declog: CODEOWNERS and the CI files are up to date\n"


def test_codeowners_lines_after_declogs_part_decide_as_on_github(log: LogMaker) -> None:
    log.write(
        "CODEOWNERS",
        "/content/ @alice @bob @carol @dave\n*.md @alice  # ours\n/declog.toml @ALICE @Bob @Carol @Dave\n",
    )
    found = log.codes("DL207")
    assert [(f.path, f.line, f.message) for f in found] == [
        ("CODEOWNERS", 1, "no line gives templates, .github owners: every partner's members should own them"),
        (
            "CODEOWNERS",
            2,
            "'*.md' is owned without every partner's members: missing @bob (acme), @carol (globex), @dave (globex)",
        ),
    ]
    log.write(".github/CODEOWNERS", "* @alice @bob @carol @dave\n")  # GitHub reads this one first
    assert log.codes("DL207") == []


def test_update_adds_declogs_part_to_a_codeowners_without_one_and_keeps_every_line(tmp_path: Path) -> None:
    root = tmp_path / "log"
    init(root)
    (root / ".github/CODEOWNERS").unlink()
    (root / "docs").mkdir()
    (root / "docs/CODEOWNERS").write_text(CODEOWNERS_BY_HAND)
    (root / ".github/workflows/pages.yml").write_text("# ours\n")
    (root / ".github/workflows/declog-review.yml").unlink()
    run = invoke(["init", str(root), "--update"])
    assert run.exit_code == 0
    assert sorted(run.lines) == [
        f"wrote {root.as_posix()}/.github/workflows/declog-review.yml",
        f"wrote {root.as_posix()}/docs/CODEOWNERS",
    ]
    assert (
        run.stderr
        == "declog: kept .github/workflows/pages.yml: it differs from what this declog would write\n"
    )
    assert (root / ".github/workflows/pages.yml").read_text() == "# ours\n"
    text = (root / "docs/CODEOWNERS").read_text()
    assert text.startswith(CODEOWNERS_BY_HAND + "\n# --- declog's part")
    assert text.endswith("/.github/ @alice\n# --- end of declog's part\n")


def test_update_refuses_what_it_cannot_do_safely(tmp_path: Path) -> None:
    run = invoke(["init", str(tmp_path), "--update"])
    assert (run.exit_code, run.stderr) == (
        2,
        f"declog: error: no declog.toml in {tmp_path.as_posix()}: --update works on an existing log (run `declog init` first)\n",
    )
    init(tmp_path)
    owners_file = tmp_path / ".github/CODEOWNERS"
    broken = owners_file.read_text().replace("# --- end of declog's part\n", "")
    owners_file.write_text(broken)
    run = invoke(["init", str(tmp_path), "--update"])
    assert run.exit_code == 2
    assert run.stderr == (
        "declog: error: .github/CODEOWNERS: declog's part is not one start line followed by one end line "
        "(marker lines: 5); fix the markers by hand, or delete them and the lines between them\n"
    )
    assert owners_file.read_text() == broken
    owners_file.write_bytes(b"/docs/ @caf\xe9\n")
    run = invoke(["init", str(tmp_path), "--update"])
    assert (run.exit_code, run.stderr) == (
        2,
        "declog: error: .github/CODEOWNERS is not UTF-8 text; declog does not rewrite it\n",
    )
    run = invoke(["init", str(tmp_path), "--update", "--force"])
    assert run.exit_code == 2
    assert "--update never overwrites your files; leave out --force" in run.stderr


def test_the_editors_page_shows_what_init_writes(tmp_path: Path) -> None:
    init(tmp_path)
    page = (REPO / "docs/editors.md").read_text()
    blocks = re.findall(r"```yaml\n(.*?)```", page, re.S)
    config = yaml.safe_load((tmp_path / ".pre-commit-config.yaml").read_text())
    assert yaml.safe_load(blocks[0]) == config
    checks = (tmp_path / ".github/workflows/declog.yml").read_text()
    for uses in re.findall(r"uses: (\S+)", blocks[1]):
        assert re.search(rf"uses: {re.escape(uses)}( #.*)?\n", checks), uses
    pinned = r"actions/checkout@[0-9a-f]{40} # v[\d.]+"
    docs = page + (REPO / "docs/workflow.md").read_text()
    assert set(re.findall(pinned, docs)) == set(re.findall(pinned, checks)) != set()
