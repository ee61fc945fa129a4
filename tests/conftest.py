"""Shared test helpers.

Validator tests build small logs in ``tmp_path`` with ``LogMaker`` (the ``log``
fixture) and run the real ``declog check`` through click's CliRunner, so what
they assert is what a user would see: exit code, ``path:line:col: severity
CODE message`` lines, JSON findings.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from declog.cli import cli


@pytest.fixture(autouse=True, scope="session")
def _user_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Builds keep their cache in the user's cache folder: a temporary one, never the tester's own."""
    saved = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("user-cache"))
    yield
    if saved is None:
        os.environ.pop("XDG_CACHE_HOME", None)
    else:
        os.environ["XDG_CACHE_HOME"] = saved


REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"

CONFIG = """\
[site]
title = "Test log"

[workflow]
feedback_window = "48h"
approval = "all"
self_approval = false
meeting_required = ["strategic"]
exception_window = "24h"
"""

ACME = """\
---
id: acme
name: Acme Ltd
timezone: Europe/Berlin
members: [alice, bob]
---
"""

GLOBEX = """\
---
id: globex
name: Globex Inc
timezone: America/Toronto
members:
  - handle: carol
    name: Carol C
  - dave
---
"""

#: A valid accepted async decision between acme and globex (owner alice).
ACCEPTED = """\
---
id: "0001"
title: Keep decisions in git
status: accepted
mode: async
category: operational
partners: [acme, globex]
owner: alice
proposed: 2026-01-05T09:00:00+01:00
deadline: 2026-01-07T09:00:00+01:00
decided: 2026-01-08T10:00:00+01:00
logged: 2026-01-08T10:05:00+01:00
approvals:
  - partner: acme
    by: bob
    at: 2026-01-06T10:00:00+01:00
    via: pr-review
  - partner: globex
    by: carol
    at: 2026-01-06T11:00:00+01:00
    via: pr-review
rationale: Everyone can read git.
---

We keep decisions as Markdown files.
"""


def doc(frontmatter: str, body: str = "") -> str:
    """A document: ``---``, the (dedented) frontmatter, ``---``, the body.

    Frontmatter line N is file line N + 1.
    """
    fm = textwrap.dedent(frontmatter).strip("\n") + "\n"
    return f"---\n{fm}---\n{textwrap.dedent(body)}"


@dataclass
class Run:
    """What a user sees after running the command."""

    exit_code: int
    stdout: str
    stderr: str

    @property
    def lines(self) -> list[str]:
        return self.stdout.splitlines()

    def json(self) -> Any:
        return json.loads(self.stdout)


@dataclass(frozen=True)
class Found:
    """One finding as a tuple that reads well in an assertion."""

    path: str
    line: int
    col: int
    code: str
    severity: str
    message: str
    hint: str


def invoke(args: Sequence[str], env: dict[str, str] | None = None) -> Run:
    """Run ``declog ARGS`` in-process; any exception other than exiting is a test failure."""
    result = CliRunner().invoke(cli, list(args), env=env, catch_exceptions=True)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return Run(result.exit_code, result.stdout, result.stderr)


def run_module(args: Sequence[str], cwd: Path, env: dict[str, str] | None = None) -> Run:
    """Run ``python -m declog ARGS`` as a real process."""
    proc = subprocess.run(
        [sys.executable, "-m", "declog", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=120,
        check=False,
    )
    return Run(proc.returncode, proc.stdout, proc.stderr)


class GitRepo:
    """A folder that is a git repository, as the pull-request tests drive it."""

    #: Whether ``commit`` makes a commit even when nothing changed.
    ALLOW_EMPTY = False

    def __init__(self, root: Path) -> None:
        self.root = root

    def git(self, *args: str) -> str:
        proc = subprocess.run(["git", *args], cwd=self.root, capture_output=True, text=True, check=False)
        assert proc.returncode == 0, proc.stderr
        return proc.stdout.strip()

    def write(self, rel: str, data: str | bytes) -> Path:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data.encode() if isinstance(data, str) else data)
        return path

    def commit(self, message: str) -> str:
        """Commit everything; the new commit's sha."""
        self.git("add", "-A")
        self.git("commit", "-q", *(["--allow-empty"] if self.ALLOW_EMPTY else []), "-m", message)
        return self.git("rev-parse", "HEAD")


class LogMaker:
    """A decision log under construction in a temporary folder."""

    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)

    def write(self, rel: str, content: str | bytes) -> Path:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_bytes(content.encode("utf-8"))
        return path

    def config(self, text: str) -> Path:
        return self.write("declog.toml", textwrap.dedent(text))

    def decision(self, name: str, content: str | bytes) -> str:
        """Write content/decisions/NAME (``.md`` added when missing); returns the relative path."""
        rel = f"content/decisions/{name if name.endswith('.md') else name + '.md'}"
        self.write(rel, content)
        return rel

    def partner(self, pid: str, content: str | bytes) -> str:
        rel = f"content/partners/{pid}.md"
        self.write(rel, content)
        return rel

    def meeting(self, mid: str, content: str | bytes) -> str:
        rel = f"content/meetings/{mid}.md"
        self.write(rel, content)
        return rel

    def check(self, *args: str, env: dict[str, str] | None = None) -> Run:
        """``declog check --root ROOT ARGS``."""
        return invoke(["check", "--root", str(self.root), *args], env=env)

    def findings(self, *args: str) -> list[Found]:
        """Every finding, from ``declog check --format json``."""
        run = self.check("--format", "json", *args)
        assert run.exit_code in (0, 1), run.stderr
        return [Found(**d) for d in run.json()]

    def codes(self, code: str, *args: str) -> list[Found]:
        """The findings with rule ``code``."""
        return [f for f in self.findings(*args) if f.code == code]


def make_log(root: Path, *, partners: bool = True) -> LogMaker:
    """A log with declog.toml and two partners (acme: alice, bob; globex: carol, dave)."""
    log = LogMaker(root)
    log.config(CONFIG)
    for folder in ("decisions", "partners", "meetings"):
        (root / "content" / folder).mkdir(parents=True, exist_ok=True)
    if partners:
        log.partner("acme", ACME)
        log.partner("globex", GLOBEX)
    return log


@pytest.fixture
def log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[LogMaker]:
    """A fresh log with config and two partners; the working directory is its root."""
    maker = make_log(tmp_path / "log")
    monkeypatch.chdir(maker.root)
    yield maker


def isolated_git(
    monkeypatch: pytest.MonkeyPatch,
    config_dir: Path,
    *,
    name: str = "Test",
    email: str = "test@example.org",
    when: str | None = None,
) -> None:
    """Make git reproducible and isolated for one test.

    Commits get a fixed author and committer (and date, with ``when``), so hashes and
    history are the same on every run; the global config is ``config_dir/gitconfig``
    and the system one is off, so no user or system git config can steer a test; and
    no GitHub Actions variables leak in to make declog read an event, call the API or
    write a step summary.
    """
    for var, value in {
        "GIT_AUTHOR_NAME": name,
        "GIT_AUTHOR_EMAIL": email,
        "GIT_COMMITTER_NAME": name,
        "GIT_COMMITTER_EMAIL": email,
        "GIT_CONFIG_GLOBAL": str(config_dir / "gitconfig"),
        "GIT_CONFIG_NOSYSTEM": "1",
    }.items():
        monkeypatch.setenv(var, value)
    if when is not None:
        monkeypatch.setenv("GIT_AUTHOR_DATE", when)
        monkeypatch.setenv("GIT_COMMITTER_DATE", when)
    for var in ("GITHUB_EVENT_PATH", "GITHUB_TOKEN", "GITHUB_ACTOR", "GITHUB_STEP_SUMMARY"):
        monkeypatch.delenv(var, raising=False)


def concise_lines(found: Sequence[Found]) -> list[str]:
    return [f"{f.path}:{f.line}:{f.col}: {f.severity} {f.code} {f.message}" for f in found]
