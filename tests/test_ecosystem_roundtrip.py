"""The files declog writes stay readable by the ecosystem's usual tools (issue 12, item 12).

python-frontmatter (PyYAML underneath, YAML 1.1) must read every decision,
partner and meeting with the same keys and values as declog's own loader (YAML
1.2, core schema): the example log, and what `declog init`, `declog new` and
`declog approvals --write` write. One difference is expected and normalised:
YAML 1.1 turns a date-time into a ``datetime`` (a bare date into a ``date``),
where declog keeps the text and parses it itself. Such a value counts as the
same when declog's parse of its text is the same instant with the same UTC
offset (the same day, for a date). Everything else (ids such as "0007", titles
such as "No" or "2026-11-02", handles, lists, nested approvals) must be equal
as it is: that is where YAML 1.1 and 1.2 readers would disagree. The body is
compared without its surrounding blank lines, which python-frontmatter strips.
"""

from __future__ import annotations

import datetime as dt
import shutil
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import frontmatter
import pytest
from conftest import REPO, invoke
from test_approvals import DECISION, PrRepo, add_bob, repo  # noqa: F401 (repo: the fixture)

from declog.check.checker import load_and_check
from declog.log.model import Decision, Document, Log, Meeting, Partner
from declog.log.timeparse import parse_datetime


def same_value(theirs: Any, ours: Any, where: str) -> None:
    """python-frontmatter's ``theirs`` is what declog read as ``ours`` (date-times: see the module)."""
    if isinstance(theirs, dt.datetime):
        assert isinstance(ours, str), where
        mine = parse_datetime(ours)
        assert (theirs, theirs.utcoffset()) == (mine, mine.utcoffset()), where
    elif isinstance(theirs, dt.date):
        assert ours == theirs.isoformat(), where
    elif isinstance(theirs, Mapping):
        assert isinstance(ours, Mapping) and list(theirs) == list(ours), where
        for key in theirs:
            same_value(theirs[key], ours[key], f"{where}.{key}")
    elif isinstance(theirs, list):
        assert isinstance(ours, list) and len(theirs) == len(ours), where
        for i, (a, b) in enumerate(zip(theirs, ours, strict=True)):
            same_value(a, b, f"{where}[{i}]")
    else:
        assert (type(theirs), theirs) == (type(ours), ours), where


def same_as_declog(root: Path, record: Document) -> frontmatter.Post:
    """python-frontmatter reads ``record``'s file with the keys, values and body declog read."""
    post = frontmatter.load(root / record.path)
    assert list(post.metadata) == list(record.data), record.path
    same_value(post.metadata, record.data, record.path)
    assert post.content == record.body.strip("\n"), record.path
    # and the typed record agrees with what a script would take from python-frontmatter
    meta = post.metadata
    assert meta["id"] == record.id, record.path
    if isinstance(record, Decision):
        for name in ("title", "status", "owner", "rationale", "reason", "superseded_by"):
            if name in meta:
                assert meta[name] == getattr(record, name), name
        for name in ("partners", "tags", "supersedes"):
            if name in meta:
                assert tuple(meta[name]) == getattr(record, name), name
        for name in ("proposed", "deadline", "decided", "logged"):
            if name in meta:
                assert meta[name] == getattr(record, name), name
        assert [(a["partner"], a["by"], a.get("at")) for a in meta.get("approvals", [])] == [
            (a.partner, a.by, a.at) for a in record.approvals
        ]
    elif isinstance(record, Partner):
        handles = [m if isinstance(m, str) else m["handle"] for m in meta.get("members", [])]
        assert tuple(handles) == tuple(m.handle for m in record.members)
    elif isinstance(record, Meeting):
        assert meta.get("date") == record.date
        assert tuple(meta.get("attendees", ())) == record.attendees
        assert tuple(meta.get("decisions", ())) == record.decisions
    return post


def loaded(root: Path) -> Log:
    result = load_and_check(root)
    assert result.log is not None
    return result.log


def documents(log: Log) -> list[Document]:
    return [*log.decisions, *log.partners.values(), *log.meetings.values()]


@pytest.mark.example
def test_every_document_of_the_example_log_reads_the_same_with_python_frontmatter() -> None:
    log = loaded(REPO)
    kinds = {type(d).__name__ for d in documents(log)}
    assert kinds == {"Decision", "Partner", "Meeting"}
    for record in documents(log):
        same_as_declog(REPO, record)
    assert len(documents(log)) == len(list((REPO / "content").glob("*/*.md")))


#: Titles a YAML 1.1 reader would turn into something else if they were written unquoted.
TRICKY_TITLES = [
    "No",
    "on",
    "2026-11-02",
    "0017",
    "1e3",
    "12:30",
    "~",
    "null",
    "Pricing: phase 2",
    "#1 priority",
    "- a list?",
    "Ünïcödé, “quotes” and 'apostrophes'",
]


def test_what_init_and_new_write_reads_the_same(tmp_path: Path) -> None:
    root = tmp_path / "log"
    title = 'The "Acme" log \\ 2026'
    init = invoke(
        ["init", str(root), "--partner", "acme", "--name", "Acme: Ltd", "--member", "alice", "--title", title]
    )
    assert init.exit_code == 0, init.stderr
    # a name and a title that need quoting stay what they were (they once made invalid YAML and TOML)
    assert frontmatter.load(root / "content/partners/acme.md")["name"] == "Acme: Ltd"
    assert tomllib.loads((root / "declog.toml").read_text(encoding="utf-8"))["site"]["title"] == title
    for title in TRICKY_TITLES:
        run = invoke(["new", "--root", str(root), "--owner", "alice", "--", title])
        assert run.exit_code == 0, run.stderr
    log = loaded(root)
    written = documents(log)
    assert len(written) == 2 + len(TRICKY_TITLES)  # the partner, the first decision, the new ones
    for record in written:
        same_as_declog(root, record)
    titles = [frontmatter.load(root / d.path)["title"] for d in log.decisions]
    assert titles[1:] == TRICKY_TITLES


@pytest.mark.git
def test_what_approvals_write_records_reads_the_same(repo: PrRepo) -> None:  # noqa: F811
    head = repo.commit("propose")
    run = repo.approvals(
        "--reviews", str(repo.reviews("rest-reviews.json", head, add_bob)), "--pr", "17", "--write"
    )
    assert run.exit_code == 0, run.stdout
    assert f"wrote approvals to {DECISION}" in run.lines
    log = loaded(repo.root)
    [decision] = log.decisions
    post = same_as_declog(repo.root, decision)
    assert [(a["partner"], a["via"], a["ref"], a["commit"]) for a in post["approvals"]] == [
        ("acme", "pr-review", "#17", head),
        ("northwind", "pr-review", "#17", head),
        ("globex", "pr-review", "#17", head),
    ]
    assert post["approvals"][0]["at"] == dt.datetime(2026, 11, 4, 13, 0, tzinfo=dt.UTC)


def test_the_format_page_example_runs_as_shown(tmp_path: Path) -> None:
    """docs/format.md shows how to read the log with python-frontmatter; the example works on the example log."""
    text = (REPO / "docs/format.md").read_text(encoding="utf-8")
    section = text.split("## Reading the log from your own scripts", 1)[1]
    code = section.split("```python\n", 1)[1].split("```", 1)[0]
    shutil.copytree(REPO / "content", tmp_path / "content")
    printed: list[str] = []
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(tmp_path)
        exec(code, {"print": lambda *args: printed.append(" ".join(map(str, args)))})
    assert printed and all(line.startswith(("0", "1")) for line in printed)
    assert any("accepted" in line for line in printed)
