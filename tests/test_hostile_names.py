"""File names git would quote, and one that is not UTF-8, through every command.

A real repository: main holds the partnership, with the naming rule (DL108)
turned off in its declog.toml, so nothing but how declog reads git stands
between a hostile file name and a merge. A branch adds one proposal per hostile
name, each claiming an approval for alpha that no review supports. git prints
such names quoted (``"content/decisions/0002-a\\"b.md"``) unless asked for a
NUL-separated list; ``approvals --base`` must see and judge every one of them,
and no command may crash on any of them.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
import unicodedata
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import GitRepo, Run, doc, invoke, isolated_git

from declog.log import git, history

pytestmark = pytest.mark.git

CONFIG = """\
[workflow]
feedback_window = "48h"
approval = "all"
self_approval = false
"""
RELAXED = CONFIG + '\n[rules]\nDL108 = "off"\n'
ALPHA = doc("id: alpha\nname: Alpha\ntimezone: Asia/Tokyo\nmembers: [alice-a, al-a]\n")
BETA = doc("id: beta\nname: Beta\ntimezone: Europe/Berlin\nmembers: [bob-b, bea-b]\n")
AT = "2026-11-02T09:00:00+00:00"

#: Decision number -> its file name: each one git quotes, or that is a trap of its own.
HOSTILE = {
    "0002": '0002-a"quote.md',
    "0003": "0003-back\\slash.md",
    "0004": "0004-a\ttab.md",
    "0005": "0005-a\nnewline.md",
    "0006": "0006-a\rreturn.md",
    "0007": "0007-tick`|pipe.md",
    "0008": "0008-::error file=x::forged.md",
    "0009": "-0009-leading-dash.md",
    "0010": "0010-\x1b[31mred.md",
    "0011": "0011-##[error]legacy.md",
    "0012": "0012-%0A::stop-commands::tok.md",
    "0013": unicodedata.normalize("NFC", "0013-café.md"),
    "0014": unicodedata.normalize("NFD", "0014-café.md"),
    "0015": "0015-" + "x" * 240 + ".md",
}
#: The names git prints quoted without -z (and core.quotePath=false): control characters, quote, backslash.
QUOTED = [n for n in HOSTILE.values() if any(c in n for c in '"\\\t\n\r\x1b')]
NOT_UTF8 = os.fsdecode(b"0016-caf\xe9.md")  # Latin-1, as an old tool might write it


def proposal(number: str) -> str:
    """bob-b's proposal for alpha and beta, with an approval for alpha that no review supports."""
    return doc(
        f"""
        id: "{number}"
        title: Share the staging cluster
        status: proposed
        mode: async
        category: strategic
        partners: [alpha, beta]
        owner: bob-b
        proposed: 2026-11-02T09:00:00Z
        deadline: 2026-11-04T09:00:00Z
        rationale: One cluster costs half as much.
        approvals:
          - {{partner: alpha, by: alice-a, via: pr-review, ref: "#5"}}
        """,
        "\n## Decision\n\nRun one shared staging cluster.\n",
    )


class Repo(GitRepo):
    ALLOW_EMPTY = True

    def reviews(self) -> Path:
        """``gh pr view 5 --json number,author,reviews``: bea-b approves for beta; alice-a never reviewed."""
        data = {
            "number": 5,
            "author": {"login": "bob-b"},
            "reviews": [
                {
                    "author": {"login": "bea-b"},
                    "state": "APPROVED",
                    "submittedAt": "2026-11-03T10:00:00Z",
                    "commit": {"oid": self.git("rev-parse", "HEAD")},
                }
            ],
        }
        path = self.root.parent / "reviews.json"
        path.write_text(json.dumps(data), encoding="utf-8")
        return path


def base_repo(root: Path, config: str) -> Repo:
    """main with the partnership and ``config``; HEAD on bob-b's branch, nothing changed yet."""
    repo = Repo(root)
    repo.write("declog.toml", config)
    repo.write("content/partners/alpha.md", ALPHA)
    repo.write("content/partners/beta.md", BETA)
    repo.write("content/meetings/.keep", "")
    repo.git("init", "-q", "-b", "main")
    repo.commit("the partnership")
    repo.git("checkout", "-q", "-b", "bob/staging")
    return repo


@pytest.fixture(autouse=True)
def _git_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    isolated_git(monkeypatch, tmp_path, name="Bob", email="bob@beta.example", when=AT)


@pytest.fixture
def hostile(tmp_path: Path) -> Iterator[Repo]:
    """bob-b's branch adds a forged proposal under every hostile name, and one not UTF-8, committed."""
    repo = base_repo(tmp_path / "log", RELAXED)
    for number, name in HOSTILE.items():
        repo.write(f"content/decisions/{name}", proposal(number))
    repo.write(f"content/decisions/{NOT_UTF8}", proposal("0016"))
    repo.commit("Propose a shared staging cluster, many times over")
    yield repo


def approvals_json(repo: Repo, *args: str) -> dict[str, object]:
    run = invoke(
        ["approvals", "--root", str(repo.root), "--base", "main", "--reviews", str(repo.reviews()), *args]
    )
    assert run.exit_code == 1, run.stdout + run.stderr
    data: dict[str, object] = json.loads(run.stdout)
    return data


def test_approvals_judges_every_decision_whose_name_git_would_quote(hostile: Repo) -> None:
    assert len(QUOTED) >= 6  # the names the bug hid: quote, backslash, tab, newline, CR, ESC
    report = approvals_json(hostile, "--format", "json")
    judged = {d["path"] for d in report["decisions"]}  # type: ignore[attr-defined]
    assert judged == {f"content/decisions/{n}" for n in HOSTILE.values()}
    forged = {f["path"] for f in report["findings"] if f["code"] == "DL701"}  # type: ignore[attr-defined]
    assert forged == judged  # every forged approval is refused
    assert report["unreadable"] == [f"content/decisions/{NOT_UTF8}"]  # refused, never approved
    assert report["ok"] is False


def test_a_file_name_that_is_not_utf8_is_dl018_and_not_read(hostile: Repo) -> None:
    run = invoke(["check", "--root", str(hostile.root), "--format", "json"])
    assert run.exit_code == 1
    [finding] = [f for f in run.json() if f["code"] == "DL018"]
    assert finding == {
        "path": f"content/decisions/{NOT_UTF8}",
        "line": 1,
        "col": 1,
        "code": "DL018",
        "severity": "error",
        "message": "file name is not valid UTF-8 (byte 0xe9); not read",
        "hint": "",
    }
    text = invoke(["check", "--root", str(hostile.root)])
    assert "content/decisions/0016-caf\\xe9.md:1:1: error DL018 file name is not valid UTF-8" in text.stdout
    # the same at a revision, where the base is read from git
    [at_head] = [f for f in git.files_at(hostile.root, "HEAD") if f.path.endswith(NOT_UTF8)]
    assert at_head.data is None and at_head.problem is not None and at_head.problem.code == "DL018"


def test_the_naming_rule_alone_already_flags_most_of_them(tmp_path: Path) -> None:
    """With DL108 on (the default), every hostile name but the long, well-formed one is an error."""
    repo = base_repo(tmp_path / "log", CONFIG)
    for number, name in HOSTILE.items():
        repo.write(f"content/decisions/{name}", proposal(number))
    repo.commit("Propose")
    run = invoke(["check", "--root", str(repo.root), "--format", "json"])
    flagged = {f["path"] for f in run.json() if f["code"] == "DL108"}
    assert flagged == {f"content/decisions/{n}" for n in HOSTILE.values() if not n.startswith("0015-")}


def test_git_history_keys_every_name_as_the_file_system_spells_it(hostile: Repo) -> None:
    names = {f"content/decisions/{n}" for n in [*HOSTILE.values(), NOT_UTF8]}
    assert set(git.first_added(hostile.root)) == names
    assert set(git.branch_touches(hostile.root, "main")) == names
    assert set(git.changed_files(hostile.root, "main")) == names
    assert {p for p in history.file_history(hostile.root) if "/decisions/" in p} == names
    on_disk = {f"content/decisions/{n}" for n in os.listdir(hostile.root / "content" / "decisions")}
    assert on_disk == names


def test_a_commit_without_files_and_an_empty_branch_read_cleanly(tmp_path: Path) -> None:
    repo = base_repo(tmp_path / "log", RELAXED)
    repo.commit("nothing")
    assert git.branch_touches(repo.root, "main") == {}
    assert git.changed_files(repo.root, "main") == []
    repo.write(f"content/decisions/{HOSTILE['0005']}", proposal("0005"))
    repo.commit("one")
    repo.commit("nothing again")
    assert list(git.branch_touches(repo.root, "main")) == [f"content/decisions/{HOSTILE['0005']}"]


# --- every command, as a process whose output is strict UTF-8 -----------------------------------------


def run(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> Run:
    """``python -m declog ARGS`` writing strict UTF-8, as in a UTF-8 locale: a surrogate cannot slip out."""
    proc = subprocess.run(
        [sys.executable, "-m", "declog", *args],
        cwd=cwd,
        capture_output=True,
        env={**os.environ, "PYTHONIOENCODING": "utf-8:strict", **(env or {})},
        timeout=180,
        check=False,
    )
    # Both streams must be UTF-8: decoding strictly is part of the test.
    return Run(proc.returncode, proc.stdout.decode("utf-8"), proc.stderr.decode("utf-8"))


COMMANDS = [
    ["check"],
    ["check", "--format", "full"],
    ["check", "--format", "json"],
    ["check", "--format", "github"],
    ["check", "--format", "sarif"],
    ["check", "--base", "main", "--format", "github"],
    ["audit", "--today", "2026-11-05"],
    ["audit", "--today", "2026-11-05", "--format", "json"],
    ["audit", "--today", "2026-11-05", "--format", "markdown"],
    ["query", "status = proposed", "--today", "2026-11-05"],
    ["query", "status = proposed", "--today", "2026-11-05", "--format", "json"],
    ["query", "status = proposed", "--today", "2026-11-05", "--format", "csv"],
    ["query", "status = proposed", "--today", "2026-11-05", "--format", "ids"],
]


def test_no_command_crashes_on_any_of_them(hostile: Repo, tmp_path: Path) -> None:
    summary = tmp_path / "summary.md"
    env = {"GITHUB_STEP_SUMMARY": str(summary)}
    reviews = str(hostile.reviews())
    commands = [
        *COMMANDS,
        *(
            ["approvals", "--base", "main", "--reviews", reviews, "--format", f]
            for f in ("text", "json", "github")
        ),
        ["export", "--sqlite", str(tmp_path / "log.sqlite")],
        ["build", "-o", str(tmp_path / "site")],
    ]
    for args in commands:
        result = run(args, hostile.root, env)
        assert result.exit_code in (0, 1, 2), (args, result.stderr)
        assert "Traceback" not in result.stderr, (args, result.stderr)
    summary.read_text(encoding="utf-8")  # UTF-8 through and through
    with sqlite3.connect(tmp_path / "log.sqlite") as db:
        paths = {p for (p,) in db.execute("SELECT path FROM decisions")}
    assert paths == {f"content/decisions/{n}" for n in HOSTILE.values()}
    # The file DL018 refuses is an error, so no site was built; without it, every page is.
    (hostile.root / "content" / "decisions" / NOT_UTF8).unlink()
    result = run(["build", "-o", str(tmp_path / "site")], hostile.root)
    assert result.exit_code == 0, result.stdout + result.stderr
    pages = {p.parent.name for p in (tmp_path / "site").glob("decisions/*/index.html")}
    assert set(HOSTILE) <= pages


def test_serve_answers_after_its_first_build(hostile: Repo, tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8:strict", "XDG_CACHE_HOME": str(tmp_path / "cache")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "declog", "serve", "--root", str(hostile.root), "-a", "127.0.0.1:0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    try:
        url = ""
        deadline = time.monotonic() + 120
        assert proc.stderr is not None
        while not url and time.monotonic() < deadline:
            line = proc.stderr.readline().decode("utf-8")
            if " at http://" in line:
                url = line.split(" at ", 1)[1].split()[0]
            assert line or proc.poll() is None, "serve stopped before it served"
        assert url, "serve never said where it serves"
        try:
            with urllib.request.urlopen(url, timeout=30) as response:
                code, page = response.status, response.read().decode("utf-8")
        except urllib.error.HTTPError as exc:
            with exc:
                code, page = exc.code, exc.read().decode("utf-8")
        assert code in (200, 503)  # 503: no good site yet, the findings over an empty page
        assert "0016-caf\\xe9.md" in page  # the overlay names the file, its byte shown
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=30)
    assert "Traceback" not in err.decode("utf-8") and "while answering a request" not in err.decode("utf-8")


# --- nothing in the checkout steers a git call -------------------------------------------------------------------


def test_gitattributes_in_the_change_cannot_hide_an_edit_from_approvals(tmp_path: Path) -> None:
    """ident makes git read ``$Id: anything$`` in a work-tree file as ``$Id$``: a forged approval inside it."""
    repo = base_repo(tmp_path / "log", RELAXED)
    front = (
        '{{id: "0002", title: Share, status: proposed, mode: async, category: strategic, '
        "partners: [alpha, beta], owner: bob-b, proposed: 2026-11-02T09:00:00Z, "
        'deadline: 2026-11-04T09:00:00Z, rationale: "{rationale}"}}'
    )
    path = repo.write(
        "content/decisions/0002-share.md", f"---\n{front.format(rationale='$Id$')}\n---\n\nShare.\n"
    )
    repo.commit("Propose 0002")
    repo.git("checkout", "-q", "main")
    repo.git("merge", "-q", "--ff-only", "bob/staging")
    repo.git("checkout", "-q", "-b", "bob/forge")
    forged = front.format(
        rationale='$Id: ", approvals: [{partner: alpha, by: alice-a, via: pr-review}], reason: "$'
    )
    repo.write("content/decisions/0002-share.md", f"---\n{forged}\n---\n\nShare.\n")
    repo.commit("Approve 0002 for alpha")
    repo.write(".gitattributes", "*.md ident\n")
    repo.git("add", ".gitattributes")  # the decision itself stays as committed
    repo.git("commit", "-q", "-m", "attributes")
    os.utime(path, (1, 1))  # as a fresh checkout's racy files are, git must read this one again
    report = approvals_json(repo, "--format", "json")
    assert [d["path"] for d in report["decisions"]] == ["content/decisions/0002-share.md"]  # type: ignore[index]
    assert [f["code"] for f in report["findings"]] == ["DL701"]  # type: ignore[index]


def test_settings_cannot_change_what_declog_reads_or_run_a_program(tmp_path: Path) -> None:
    repo = base_repo(tmp_path / "log", RELAXED)
    repo.write(f"content/decisions/{HOSTILE['0002']}", proposal("0002"))
    repo.commit("Propose")
    marker = tmp_path / "fsmonitor-ran"
    hook = repo.write("fsmonitor.sh", f"#!/bin/sh\ntouch '{marker}'\nexit 1\n")
    hook.chmod(0o755)
    for key, value in {
        "core.fsmonitor": str(hook),  # a program git would start on every look at the work tree
        "core.quotePath": "true",
        "diff.relative": "true",
        "diff.renames": "copies",
        "color.ui": "always",
        "diff.external": "false",
    }.items():
        repo.git("config", key, value)
    repo.git("commit", "-q", "-m", "settings", "--allow-empty")
    marker.unlink(missing_ok=True)  # the test's own git commands start it
    report = approvals_json(repo, "--format", "json")
    assert [d["path"] for d in report["decisions"]] == [f"content/decisions/{HOSTILE['0002']}"]  # type: ignore[index]
    assert git.changed_anywhere(repo.root, "main") == [f"content/decisions/{HOSTILE['0002']}", "fsmonitor.sh"]
    assert not marker.exists()
