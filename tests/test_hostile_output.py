"""Hostile values through every output: GitHub's log, the job summaries, the terminal, JSON.

A pull request puts workflow commands (``::error::``, ``::stop-commands::``,
``##[error]``), percent escapes, Markdown (a heading, a table row, backticks and
pipes), HTML and terminal escapes into everything it controls: a partner id, a
login, a meeting id, a title, a file name, a reviewer's login. ``check`` and
``approvals`` run on it as CI runs them, in every format, and:

- the only lines GitHub's runner reads as commands are the ones declog means
  (one annotation per finding, the log group), and no line holds ``##[``;
- the job summaries have exactly declog's headings and one table row per
  finding or partner, with every cell in its column, and no HTML;
- nothing carries a raw control character, a bidi override or a line of a
  value's own; JSON still holds each value exactly.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import GitRepo, Run, doc, invoke, isolated_git

from declog.log import escape

pytestmark = pytest.mark.git

AT = "2026-11-02T09:00:00+00:00"
#: What the runner reads as a command: ``::`` starting a line (after spaces), ``##[`` anywhere.
COMMAND = re.compile(r"^\s*::|##\[")
#: Raw control characters (tab and line feed aside), bidi overrides and isolates, line separators.
UNSHOWN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
#: The commands declog means: an annotation per finding, the notice of hidden ones, the log group.
MEANT = re.compile(
    r"::(error|warning|notice) file=[^:,]*,line=\d+,col=\d+,title=DL\d{3}::[^\r\n]*"
    r"|::notice title=declog::\d+ more finding\(s\) are listed in the job summary .*"
    r"|::group::All findings|::endgroup::"
)

INJECT = "\n::stop-commands::tok\n::error file=x,line=1::forged\n##[error]legacy %0A::warning::pct"
TITLE = (
    "Share <script>alert(1)</script> `code` | ✅ | \x1b[2J\x1b]0;owned\x07 \u202eevil"
    + INJECT
    + "\n### ✅ 0099 approved\n| ✅ | forged row |"
)
PARTNER = "gamma" + INJECT
LOGIN = "alice-a" + INJECT + " | ✅ approved |"
MEETING = "2026-11-01-kickoff" + INJECT
REVIEWER = "mallory" + INJECT + " <b>x</b> | ✅ |"
NAME = "0002-a\n::error::file`|b\n## No problems found. :white_check_mark:.md"
DECISION = f"content/decisions/{NAME}"


def yaml_string(value: str) -> str:
    """``value`` as a double-quoted YAML scalar."""
    return json.dumps(value)


Repo = GitRepo


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Repo]:
    isolated_git(monkeypatch, tmp_path, name="Bob", email="bob@beta.example", when=AT)
    r = Repo(tmp_path / "log")
    r.write(
        "declog.toml", '[workflow]\nfeedback_window = "48h"\napproval = "all"\n\n[rules]\nDL108 = "off"\n'
    )
    r.write(
        "content/partners/alpha.md", doc("id: alpha\nname: Alpha\ntimezone: Asia/Tokyo\nmembers: [alice-a]\n")
    )
    r.write(
        "content/partners/beta.md", doc("id: beta\nname: Beta\ntimezone: Europe/Berlin\nmembers: [bob-b]\n")
    )
    r.git("init", "-q", "-b", "main")
    r.commit("the partnership")
    r.git("checkout", "-q", "-b", "bob/hostile")
    r.write(
        DECISION,
        doc(
            f"""
            id: "0002"
            title: {yaml_string(TITLE)}
            status: proposed
            mode: sync
            category: strategic
            partners: [alpha, beta, {yaml_string(PARTNER)}]
            owner: bob-b
            meeting: {yaml_string(MEETING)}
            proposed: 2026-11-02T09:00:00Z
            deadline: 2026-11-04T09:00:00Z
            rationale: Cheaper.
            approvals:
              - {{partner: alpha, by: {yaml_string(LOGIN)}, via: pr-review}}
              - {{partner: {yaml_string(PARTNER)}, by: bob-b, via: meeting}}
            """,
            "\n## Decision\n\nShare it.\n",
        ),
    )
    r.commit("Propose")
    reviews = {
        "number": 5,
        "author": {"login": "bob-b"},
        "reviews": [
            {
                "author": {"login": REVIEWER},
                "state": "APPROVED",
                "submittedAt": "2026-11-03T10:00:00Z",
                "commit": {"oid": r.git("rev-parse", "HEAD")},
            }
        ],
    }
    (tmp_path / "reviews.json").write_text(json.dumps(reviews), encoding="utf-8")
    monkeypatch.chdir(r.root)
    yield r


def approvals(repo: Repo, fmt: str, summary: Path | None = None) -> Run:
    env = {"GITHUB_STEP_SUMMARY": str(summary)} if summary else None
    reviews = str(repo.root.parent / "reviews.json")
    return invoke(["approvals", "--base", "main", "--reviews", reviews, "--format", fmt], env=env)


def check(fmt: str, summary: Path | None = None) -> Run:
    env = {"GITHUB_STEP_SUMMARY": str(summary)} if summary else None
    return invoke(["check", "--base", "main", "--format", fmt], env=env)


def assert_inert(run: Run, *, meant: int = 0) -> None:
    """No raw control character; exactly ``meant`` annotations and no other command in stdout or stderr."""
    for stream in (run.stdout, run.stderr):
        assert not UNSHOWN.search(stream), UNSHOWN.search(stream)
    commands = [line for line in (run.stdout + run.stderr).splitlines() if COMMAND.search(line)]
    stray = [line for line in commands if not MEANT.fullmatch(line)]
    assert stray == []
    annotations = [line for line in commands if re.match("::(error|warning|notice) file=", line)]
    assert len(annotations) == meant


def cells(row: str) -> list[str]:
    """A GFM table row's cells, split as GitHub splits them (``\\|`` and ``\\\\`` are escapes)."""
    out, cell, i = [], "", 0
    body = row.strip()[1:-1] if row.strip().endswith("|") else row.strip()[1:]
    while i < len(body):
        if body[i] == "\\" and i + 1 < len(body):
            cell += body[i : i + 2]
            i += 2
            continue
        if body[i] == "|":
            out.append(cell)
            cell = ""
        else:
            cell += body[i]
        i += 1
    return [*out, cell]


def test_the_hostile_values_are_findings(repo: Repo) -> None:
    found = {(f["code"], f["path"]) for f in check("json").json()}
    assert {("DL014", DECISION), ("DL201", DECISION), ("DL203", DECISION)} <= found


@pytest.mark.parametrize("fmt", ["text", "full", "json", "github", "sarif"])
def test_check_prints_no_command_of_a_value(repo: Repo, fmt: str) -> None:
    findings = check("json").json()
    run = check(fmt)
    assert run.exit_code == 1
    assert_inert(run, meant=len(findings) if fmt == "github" else 0)
    if fmt == "json":
        assert run.json() == findings
        assert {f["path"] for f in findings} == {DECISION}  # the name exactly, newline and all
    if fmt == "sarif":
        [result_run] = run.json()["runs"]
        assert {
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in result_run["results"]
        } == {DECISION}


def test_check_summary_has_one_row_per_finding_and_no_forged_heading(repo: Repo, tmp_path: Path) -> None:
    findings = check("json").json()
    summary = tmp_path / "summary.md"
    check("github", summary)
    text = summary.read_text(encoding="utf-8")
    lines = text.splitlines()
    assert [line for line in lines if line.startswith("#")] == ["## declog check"]
    assert "No problems found" not in "\n".join(line for line in lines if not line.startswith("|"))
    rows = [line for line in lines if line.startswith("|")][2:]  # under the header and its rule
    assert len(rows) == len(findings)
    assert all(len(cells(row)) == 5 for row in rows), rows
    assert "<script" not in text and "<b>" not in text
    assert not UNSHOWN.search(text)
    code_span = escape.md_code(DECISION, cell=True)
    assert all(cells(row)[1].strip() == code_span for row in rows)


@pytest.mark.parametrize("fmt", ["text", "json", "github"])
def test_approvals_prints_no_command_of_a_value(repo: Repo, fmt: str) -> None:
    report = approvals(repo, "json").json()
    run = approvals(repo, fmt)
    assert run.exit_code == 1
    assert_inert(run, meant=len(report["findings"]) if fmt == "github" else 0)
    if fmt == "json":
        [decision] = run.json()["decisions"]
        assert (decision["path"], decision["title"]) == (DECISION, TITLE)
        assert [p["partner"] for p in decision["partners"]] == ["alpha", "beta", PARTNER]
        assert run.json()["non_members"] == [REVIEWER]
    if fmt == "text":
        assert run.lines[0].startswith("pull request #5 by bob-b: 1 review(s), 1 decision(s)")
        partner_lines = [line for line in run.lines if line.startswith("  ")]
        assert [line.split()[0] for line in partner_lines[:2]] == ["alpha", "beta"]
        assert partner_lines[2].startswith("  " + escape.line(PARTNER) + " ")


def test_approvals_summary_has_only_its_headings_and_rows(repo: Repo, tmp_path: Path) -> None:
    summary = tmp_path / "summary.md"
    approvals(repo, "github", summary)
    text = summary.read_text(encoding="utf-8")
    lines = text.splitlines()
    headings = [line for line in lines if line.startswith("#")]
    assert headings[0] == "## Approvals for pull request #5"
    assert len(headings) == 3 and headings[1].startswith("### ❌ Decision log: ")
    assert headings[2].startswith("#### ❌ 0002 Share &lt;script&gt;")
    rows = [line for line in lines if line.startswith("|")]
    assert rows[:2] == ["| Partner | State | Deadline in their time |", "|---|---|---|"]
    assert len(rows) == 2 + 3  # alpha, beta and the hostile partner
    assert all(len(cells(row)) == 3 for row in rows), rows
    assert not all("✅" in cells(row)[1] for row in rows[2:])
    assert "<script" not in text and "<b>" not in text and "<img" not in text
    assert not UNSHOWN.search(text)
    non_members = [line for line in lines if line.startswith("Reviews by people in no partner")]
    assert len(non_members) == 1
    # the status comment is the same report: a hostile value stays text there too (test_bot.py)


def test_audit_and_query_print_no_command_of_a_value(repo: Repo) -> None:
    for args in (
        ["audit", "--today", "2026-11-05"],
        ["audit", "--today", "2026-11-05", "--format", "markdown"],
        ["audit", "--today", "2026-11-05", "--format", "json"],
        ["query", "status = proposed", "--today", "2026-11-05"],
        ["query", "status = proposed", "--today", "2026-11-05", "--format", "ids"],
        ["query", "status = proposed", "--today", "2026-11-05", "--format", "csv"],
        ["query", "status = proposed", "--today", "2026-11-05", "--format", "json"],
    ):
        run = invoke(args)
        assert run.exit_code == 0, (args, run.stderr)
        assert_inert(run)
    [record] = invoke(["query", "status = proposed", "--today", "2026-11-05", "--format", "json"]).json()
    assert record["title"] == TITLE


def test_each_encoder_leaves_ordinary_text_alone() -> None:
    plain = "content/decisions/0002-share-the-cluster.md: 100% sure, (did you mean 'accepted'?) — café"
    assert escape.terminal(plain) == escape.line(plain) == plain
    assert escape.md_text(plain) == plain
    assert escape.md_code(plain) == f"`{plain}`"
    assert escape.json_text(json.dumps(plain, ensure_ascii=False)) == json.dumps(plain, ensure_ascii=False)
    assert escape.url_path("content/decisions/0002-share.md") == "content/decisions/0002-share.md"


def test_each_encoder_on_what_it_must_escape() -> None:
    assert escape.terminal("a\x1b[2Jb\r\n\u202e\udcff") == "a\\x1b[2Jb\\x0d\\x0a\\u202e\\xff"
    assert escape.line("  ::error::x") == "  \\x3a:error::x"
    assert escape.line("see ##[error]x") == "see ##\\x5berror]x"
    assert escape.command_data("100%\r\n") == "100%25%0D%0A"
    assert escape.command_property("a:b,c%") == "a%3Ab%2Cc%25"
    assert escape.md_text("a | b\\|c\n### x <b>&") == "a \\| b\\\\\\|c ### x &lt;b&gt;&amp;"
    assert escape.md_code("a``b") == "```a``b```"
    assert escape.md_code("`x") == "`` `x ``"
    assert escape.md_code("a|b", cell=True) == "`a\\|b`"
    assert json.loads(escape.json_text(json.dumps("##[x\x85\udcff"))) == "##[x\x85\udcff"
    assert "##[" not in escape.json_text(json.dumps("##[x", ensure_ascii=False))
    assert escape.url_path("a b)\udcff.md") == "a%20b%29%FF.md"
