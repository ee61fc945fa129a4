"""What declog ships to GitHub Actions passes the linters its users run, and no tool runs from the checkout.

- zizmor (offline, no configuration) finds nothing in action.yml and the workflows
  `declog init` writes; the only findings it is told to ignore are the two privileged
  triggers and declog's own release tag, each with its reason on the line;
- actionlint (with shellcheck on the ``run:`` scripts) finds nothing in the workflows as
  written, nor with declog's action replaced by a local copy of action.yml, so every
  ``with:`` and ``steps.*.outputs`` they use is one the action declares;
- shellcheck finds nothing in the action's scripts, run as the runner runs them;
- every third-party action is pinned by a commit sha with its version beside it;
- every script that runs Python, pip, Pagefind, git or declog first leaves the checkout
  for ``$RUNNER_TEMP``, runs Python isolated and pip ``--isolated``, and none writes
  ``GITHUB_PATH`` or ``GITHUB_ENV`` (a value there would steer every later step).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from test_scaffold import init

from declog.authoring import scaffold

REPO = Path(__file__).resolve().parent.parent
ACTION = REPO / "action.yml"
A_COMMIT = "0123456789abcdef0123456789abcdef01234567"


def tool(name: str) -> str:
    """``name`` from this interpreter's environment (the `test` extra installs it), else from PATH."""
    beside = Path(sys.executable).parent / name
    found = str(beside) if beside.is_file() else shutil.which(name)
    assert found, f"{name} is not installed: pip install -e '.[test]'"
    return found


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True)


@pytest.fixture(params=["a release tag", "a commit"])
def log(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    """A log as `declog init` writes it: declog's action at its release tag, or at a commit."""
    root = tmp_path / "log"
    if request.param == "a commit":
        init(root, "--action", f"declog-partnership/declog@{A_COMMIT}")
    else:
        init(root)
    return root


def workflows(root: Path) -> list[Path]:
    found = sorted((root / ".github/workflows").glob("*.yml"))
    assert len(found) == 5, found
    return found


def zizmor(*paths: Path, no_ignores: bool = False) -> list[dict[str, Any]]:
    """zizmor's findings (JSON), offline and with no configuration file from anywhere."""
    args = [tool("zizmor"), "--offline", "--no-config", "--format", "json", "--no-progress"]
    proc = subprocess.run(
        [*args, *(["--no-ignores"] if no_ignores else []), *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    findings: list[dict[str, Any]] = json.loads(proc.stdout or "null")
    assert (proc.returncode == 0) == (findings == []), proc.stderr  # exit 0 exactly when it found nothing
    return findings


def where(finding: dict[str, Any]) -> tuple[str, str, int]:
    """A zizmor finding as (rule, file name, line)."""
    [primary] = [loc for loc in finding["locations"] if loc["symbolic"]["kind"] == "Primary"]
    path = primary["symbolic"]["key"]["Local"]["verbatim_path"]
    line = primary["concrete"]["location"]["start_point"]["row"] + 1
    return finding["ident"], Path(path).name, line


def test_zizmor_finds_nothing_in_the_action_and_the_workflows_init_writes(log: Path) -> None:
    found = zizmor(ACTION, *workflows(log))
    assert [where(f) for f in found] == []


def test_zizmor_ignores_only_the_privileged_triggers_and_declogs_release_tag(tmp_path: Path) -> None:
    """What the inline ``# zizmor: ignore[...]`` comments silence, each with its reason beside it."""
    init(tmp_path)
    flows = workflows(tmp_path)
    ignored = sorted(where(f) for f in zizmor(ACTION, *flows, no_ignores=True))
    lines = {p.name: p.read_text().splitlines() for p in flows}
    tag = scaffold.default_action()
    expected = sorted(
        [("dangerous-triggers", name) for name in ("declog-rejudge.yml", "declog-remind.yml", "declog.yml")]
        + [("unpinned-uses", name) for name in ("declog-remind.yml", "declog.yml", "declog.yml", "pages.yml")]
    )
    assert sorted((rule, name) for rule, name, _ in ignored) == expected
    for rule, name, line in ignored:
        text = lines[name][line - 1]
        assert f"# zizmor: ignore[{rule}] " in text, text  # and a reason after it
        if rule == "dangerous-triggers":
            assert text.strip().split(":")[0] in ("pull_request_target", "workflow_run"), text
            assert "Privileged on purpose" in "\n".join(lines[name][: line - 1]), name
        else:
            assert f"uses: {tag} # zizmor: ignore[unpinned-uses] a release tag" in text, text


def actionlint(root: Path, *files: Path) -> list[dict[str, Any]]:
    """actionlint's errors (JSON) for ``files`` of the repository at ``root``, shellcheck on scripts."""
    proc = subprocess.run(
        [
            tool("actionlint"),
            "-no-color",
            "-format",
            "{{json .}}",
            "-shellcheck",
            tool("shellcheck"),
            *map(str, files),
        ],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    errors: list[dict[str, Any]] = json.loads(proc.stdout or "null") or []
    assert (proc.returncode == 0) == (errors == []), proc.stdout + proc.stderr
    return errors


@pytest.mark.git
def test_actionlint_finds_nothing_in_the_workflows_nor_in_their_use_of_the_action(log: Path) -> None:
    git(log, "init", "-q")  # actionlint reads a local action from the repository it is in
    assert actionlint(log, *workflows(log)) == []
    # declog's action as a local copy of action.yml: actionlint checks the inputs the
    # workflows give it and the outputs they read against what action.yml declares
    local = log / ".github/actions/declog"
    local.mkdir(parents=True)
    shutil.copy2(ACTION, local / "action.yml")
    for path in workflows(log):
        text = path.read_text()
        swapped = re.sub(r"uses: declog-partnership/declog@\S+.*", "uses: ./.github/actions/declog", text)
        path.write_text(swapped)
    assert actionlint(log, *workflows(log)) == []
    # and it would see a mistake: an output the action does not have
    pages = log / ".github/workflows/pages.yml"
    pages.write_text(pages.read_text().replace("outputs.declog }}", "outputs.path }}"))
    [error] = actionlint(log, pages)
    assert error["kind"] == "expression" and '"path" is not defined' in error["message"], error


def action_steps() -> list[dict[str, Any]]:
    steps: list[dict[str, Any]] = yaml.safe_load(ACTION.read_text())["runs"]["steps"]
    return steps


def test_shellcheck_finds_nothing_in_the_actions_scripts(tmp_path: Path) -> None:
    for n, step in enumerate(action_steps()):
        assert step["shell"] == "bash"
        script = tmp_path / f"step-{n}.sh"
        # `shell: bash` runs `bash --noprofile --norc -eo pipefail {0}`
        script.write_text("set -eo pipefail\n" + step["run"])
        proc = subprocess.run(
            [tool("shellcheck"), "--shell=bash", "--format=gcc", str(script)],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert (proc.returncode, proc.stdout) == (0, ""), f"{step['name']}:\n{proc.stdout}"


# --- pinning --------------------------------------------------------------------------------------

_USES = re.compile(r"^\s*(?:-\s+)?uses:\s*(?P<ref>\S+)(?P<rest>.*)$", re.M)


def test_every_third_party_action_is_pinned_by_commit_with_its_version_beside_it(log: Path) -> None:
    pins: dict[str, set[tuple[str, str]]] = {}
    declog = scaffold.parse_action(scaffold.default_action())
    for path in [ACTION, *workflows(log)]:
        text = path.read_text()
        data = yaml.safe_load(text)
        jobs = data.get("jobs", {"action": {"steps": data.get("runs", {}).get("steps", [])}})
        parsed = sorted(s["uses"] for job in jobs.values() for s in job["steps"] if "uses" in s)
        assert sorted(m["ref"] for m in _USES.finditer(text)) == parsed, path  # every uses: line seen
        for m in _USES.finditer(text):
            name, _, ref = m["ref"].partition("@")
            if name == f"{declog.owner}/{declog.repo}":
                continue  # declog's own action: see the zizmor test
            assert re.fullmatch(r"[0-9a-f]{40}", ref), f"{path.name}: {m[0].strip()}"
            comment = re.fullmatch(r" # (v\d+(?:\.\d+)*)", m["rest"])
            assert comment, f"{path.name}: {m[0].strip()} (a `# vX.Y.Z` comment after the sha)"
            pins.setdefault(name, set()).add((ref, comment[1]))
    assert sorted(pins) == [
        "actions/checkout",
        "actions/configure-pages",
        "actions/deploy-pages",
        "actions/setup-python",
        "actions/upload-pages-artifact",
    ]
    assert {name: len(refs) for name, refs in pins.items()} == dict.fromkeys(pins, 1)  # one pin each


def test_declogs_action_at_a_commit_is_written_without_an_ignore(tmp_path: Path) -> None:
    init(tmp_path, "--action", f"acme-corp/declog-fork@{A_COMMIT}")
    text = (tmp_path / ".github/workflows/declog.yml").read_text()
    assert f"uses: acme-corp/declog-fork@{A_COMMIT} # a commit of declog (declog init --action)\n" in text
    assert "ignore[unpinned-uses]" not in text


# --- no tool runs from the checkout -------------------------------------------------------------

#: A line that runs Python, pip, venv, Pagefind, git or declog.
_TOOL = re.compile(r'(^|[\s;&|(])(python3?|"\$venv/bin/python"|pip3?|pagefind|git|declog|"\$DECLOG")\s')


def scripts(root: Path) -> list[tuple[str, str]]:
    """(where, script) of every ``run:`` in action.yml and the workflows under ``root``."""
    found = [(f"action.yml: {s['name']}", s["run"]) for s in action_steps()]
    for path in workflows(root):
        for job_id, job in yaml.safe_load(path.read_text())["jobs"].items():
            for step in job["steps"]:
                if "run" in step:
                    found.append((f"{path.name} {job_id}: {step.get('name', '')}", step["run"]))
    return found


def test_every_tool_runs_from_outside_the_checkout_isolated_and_nothing_steers_later_steps(
    tmp_path: Path,
) -> None:
    init(tmp_path)
    ran = []
    for name, script in scripts(tmp_path):
        assert "GITHUB_PATH" not in script and "GITHUB_ENV" not in script, name
        lines = [line.strip() for line in script.splitlines()]
        tools = [n for n, line in enumerate(lines) if _TOOL.search(line) and not line.startswith("#")]
        if not tools:
            continue
        ran.append(name)
        assert 'cd "$RUNNER_TEMP"' in lines, name
        assert lines.index('cd "$RUNNER_TEMP"') < tools[0], name
        for line in (lines[n] for n in tools):
            assert not re.search(r"\bpython3?\s+-m\b", line), f"{name}: {line} (python -I)"
            if " pip install" in line:
                assert "-I -m pip install --isolated --no-input " in line, f"{name}: {line}"
            assert not re.search(r"(^|[\s;&|(])declog\s", line), f'{name}: {line} ("$DECLOG", not PATH)'
    assert sorted(ran) == [
        "action.yml: Install declog from this action's checkout into a virtual environment",
        "action.yml: Run declog",
        "declog-remind.yml remind: declog remind",
        "declog.yml approvals: declog approvals",
        "declog.yml check: declog check",
        "pages.yml build: declog build",
    ]
