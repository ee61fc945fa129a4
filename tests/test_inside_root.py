"""The log stays inside its root: symlinks out, loops, special files, huge numbers, hostile reviews files.

Each test runs the real command and asserts what a user (or a CI log) would
see: the file and code of the finding, the exit code, and that nothing of a
file outside the log ever appears in the output. The outside files hold a
secret in their first line, their field names, their values and their body.
"""

from __future__ import annotations

import json
import os
import socket
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import ACCEPTED, LogMaker, Run, doc, invoke, isolated_git, make_log, run_module

from declog.check.checker import Checker
from declog.log import git, kept
from declog.log.load import document_files
from declog.site.cache import cached_build

SECRET = "SECRET-7f3a9c"
D = "content/decisions"
FORMATS = ["concise", "json", "github", "sarif"]

#: Outside files as a hostile link would reach them: no frontmatter, frontmatter, a valid document.
OUTSIDE = {
    "plain.md": f"{SECRET} on the first line\nand more\n",
    "fields.md": doc(f"id: x\n{SECRET}: yes\ntitle: {SECRET}\n", f"{SECRET} in the body\n"),
    "0002-leak.md": ACCEPTED.replace('"0001"', '"0002"').replace("Keep decisions in git", SECRET),
}


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A folder beside the log, full of secrets."""
    folder = tmp_path / "outside"
    folder.mkdir()
    for name, text in OUTSIDE.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def output(run: Run) -> str:
    return run.stdout + run.stderr


def found(log: LogMaker, *args: str) -> tuple[int, list[tuple[str, str, str]]]:
    """Exit code and (path, code, message) of every finding, from ``check --format json``."""
    run = log.check("--format", "json", *args)
    assert SECRET not in output(run)
    return run.exit_code, [(d["path"], d["code"], d["message"]) for d in run.json()]


def replace_with_link(log: LogMaker, rel: str, target: Path | str) -> None:
    path = log.root / rel
    if path.is_dir() and not path.is_symlink():
        for child in path.iterdir():
            child.unlink()
        path.rmdir()
    path.symlink_to(target)


# --- symlinked folders ---------------------------------------------------------------


@pytest.mark.parametrize("fmt", [*FORMATS, "full"])
def test_a_meetings_folder_linked_out_of_the_log_is_refused_unread(
    log: LogMaker, outside: Path, fmt: str
) -> None:
    replace_with_link(log, "content/meetings", outside)
    run = log.check("--format", fmt)
    assert run.exit_code == 1
    assert SECRET not in output(run)
    assert "content/meetings" in run.stdout
    assert "DL001" in run.stdout
    assert "fields.md" not in run.stdout and "plain.md" not in run.stdout  # not even listed


def test_the_refusal_names_the_folder_and_where_it_leads(log: LogMaker, outside: Path) -> None:
    replace_with_link(log, "content/meetings", Path("..", "..", "outside"))
    assert found(log) == (
        1,
        [("content/meetings", "DL001", f"folder symlink points outside the log (to {outside}); refused")],
    )


def test_a_folder_inside_decisions_linked_to_etc_is_refused(log: LogMaker) -> None:
    (log.root / D / "sub").symlink_to("/etc")
    code, findings = found(log)
    assert code == 1
    assert findings == [(f"{D}/sub", "DL001", "symlink points outside the log (to /etc); refused")]


def test_content_itself_linked_elsewhere_is_refused(log: LogMaker, outside: Path) -> None:
    (outside / "decisions").mkdir()
    (outside / "decisions" / "0002-leak.md").write_text(OUTSIDE["0002-leak.md"], encoding="utf-8")
    content = log.root / "content"
    content.rename(log.root / "old-content")
    content.symlink_to(outside)
    code, findings = found(log)
    assert code == 1
    assert [(p, c) for p, c, _ in findings] == [("content", "DL001")]
    run = log.check()
    assert "checked 0 documents" in run.stderr


def test_a_folder_linked_inside_the_log_is_refused_too(log: LogMaker) -> None:
    """Files are judged by their content, never through a link: git would keep the link, not the files."""
    log.write("archive/meetings/.keep", "")
    replace_with_link(log, "content/meetings", Path("..", "archive", "meetings"))
    log.decision("0001-x", ACCEPTED)
    assert found(log) == (1, [("content/meetings", "DL001", "folder symlink to archive/meetings; refused")])


def test_a_dangling_folder_link_is_a_finding(log: LogMaker) -> None:
    replace_with_link(log, "content/meetings", "nowhere")
    assert found(log) == (1, [("content/meetings", "DL001", "folder symlink points to nothing; refused")])


# --- paths named on the command line ------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_named_file_behind_a_folder_link_names_the_link(log: LogMaker, outside: Path, fmt: str) -> None:
    replace_with_link(log, "content/meetings", outside)
    for named in ("content/meetings/plain.md", str(log.root / "content/meetings/fields.md")):
        run = log.check("--format", fmt, named)
        assert run.exit_code == 1, named
        assert SECRET not in output(run)
        assert "content/meetings" in run.stdout and "DL001" in run.stdout
        assert str(outside / "plain.md") not in run.stdout


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_named_file_link_is_refused_as_itself_not_as_its_target(
    log: LogMaker, outside: Path, fmt: str
) -> None:
    (log.root / D / "0002-leak.md").symlink_to(outside / "plain.md")
    run = log.check("--format", fmt, f"{D}/0002-leak.md")
    assert run.exit_code == 1
    assert SECRET not in output(run)
    assert f"{D}/0002-leak.md" in run.stdout and "DL001" in run.stdout
    assert "not a document of the log" not in run.stdout  # once it was resolved to its target: DL012


def test_named_link_json_finding(log: LogMaker, outside: Path) -> None:
    (log.root / D / "0002-leak.md").symlink_to(outside / "0002-leak.md")
    assert found(log, f"{D}/0002-leak.md") == (
        1,
        [
            (
                f"{D}/0002-leak.md",
                "DL001",
                f"symlink points outside the log (to {outside / '0002-leak.md'}); refused",
            )
        ],
    )


def test_a_path_through_a_link_to_the_log_is_inside_it(log: LogMaker, outside: Path, tmp_path: Path) -> None:
    alias = tmp_path / "alias"
    alias.symlink_to(log.root)
    (log.root / D / "0002-leak.md").symlink_to(outside / "plain.md")
    code, findings = found(log, str(alias / D / "0002-leak.md"))
    assert (code, [(p, c) for p, c, _ in findings]) == (1, [(f"{D}/0002-leak.md", "DL001")])


def test_full_format_never_shows_a_line_of_a_linked_outside_file(log: LogMaker, outside: Path) -> None:
    (log.root / D / "0002-leak.md").symlink_to(outside / "plain.md")
    run = log.check("--format", "full")
    assert f"{D}/0002-leak.md:1:1: error DL001" in run.stdout
    assert SECRET not in output(run)


def test_serve_rechecking_a_changed_file_refuses_what_it_became(log: LogMaker, outside: Path) -> None:
    """The Checker ``declog serve`` uses reads only the changed file again: it is refused there too."""
    log.decision("0001-x", ACCEPTED)
    checker = Checker(log.root)
    assert checker.check().findings == []
    rel = f"{D}/0001-x.md"
    (log.root / rel).unlink()
    (log.root / rel).symlink_to(outside / "0002-leak.md")
    found = checker.check(changed=[rel]).findings
    assert [(d.path, d.code) for d in found] == [(rel, "DL001")]
    assert SECRET not in repr(found)
    (log.root / rel).unlink()
    os.mkfifo(log.root / rel)
    found = checker.check(changed=[rel]).findings  # would wait forever on the FIFO
    assert [(d.path, d.code, d.message) for d in found] == [
        (rel, "DL001", "is a FIFO (named pipe), not a regular file; refused")
    ]


# --- loops and special files ----------------------------------------------------------------


def test_a_file_symlink_loop_is_a_finding(log: LogMaker) -> None:
    (log.root / D / "0001-a.md").symlink_to("0002-b.md")
    (log.root / D / "0002-b.md").symlink_to("0001-a.md")
    message = "file is a symlink loop (it leads back to itself); refused"
    assert found(log) == (1, [(f"{D}/0001-a.md", "DL001", message), (f"{D}/0002-b.md", "DL001", message)])
    run = log.check(f"{D}/0001-a.md")  # named: not resolved (that raised on a loop)
    assert run.exit_code == 1 and f"{D}/0001-a.md:1:1: error DL001" in run.stdout


def test_a_folder_linked_to_itself_is_a_finding(log: LogMaker) -> None:
    replace_with_link(log, "content/meetings", "meetings")
    assert found(log) == (
        1,
        [("content/meetings", "DL001", "folder is a symlink loop (it leads back to itself); refused")],
    )


@pytest.mark.parametrize(("target", "shown"), [(".", D), ("..", "content"), ("../..", ".")])
def test_a_folder_linked_to_its_parent_is_not_followed_down(log: LogMaker, target: str, shown: str) -> None:
    (log.root / D / "up").symlink_to(target)
    log.decision("0001-x", ACCEPTED)
    code, findings = found(log)
    assert (code, findings) == (1, [(f"{D}/up", "DL001", f"symlink to {shown}; refused")])


def test_decisions_linked_to_the_log_root_terminates(log: LogMaker) -> None:
    replace_with_link(log, D, ".")  # content/decisions -> content
    assert found(log) == (1, [(D, "DL001", "folder symlink to content; refused")])


def _fifo_log(tmp_path: Path, rel: str) -> Path:
    log = make_log(tmp_path / "log")
    os.mkfifo(log.root / rel)
    return log.root


@pytest.mark.parametrize("rel", [f"{D}/0001-x.md", "content/partners/acme2.md"])
def test_a_fifo_is_a_finding_and_never_waited_on(tmp_path: Path, rel: str) -> None:
    root = _fifo_log(tmp_path, rel)
    # A real process with a timeout: a regression hangs one test, not the suite.
    run = run_module(["check", "--format", "json"], cwd=root)
    assert run.exit_code == 1, run.stderr
    assert [(d["path"], d["code"], d["message"]) for d in json.loads(run.stdout)] == [
        (rel, "DL001", "is a FIFO (named pipe), not a regular file; refused")
    ]
    named = run_module(["check", rel], cwd=root)
    assert named.exit_code == 1 and f"{rel}:1:1: error DL001" in named.stdout


def test_a_socket_is_a_finding(log: LogMaker, tmp_path: Path) -> None:
    path = log.root / D / "0001-x.md"
    if len(str(path)) > 100:  # AF_UNIX paths are short
        pytest.skip("temporary folder too deep for a socket")
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(path))
        assert found(log) == (1, [(f"{D}/0001-x.md", "DL001", "file is a socket, not a document; refused")])


def test_a_device_is_a_finding(log: LogMaker) -> None:
    try:
        os.mknod(log.root / D / "0001-x.md", stat.S_IFCHR | 0o600, os.makedev(1, 5))  # /dev/zero's numbers
    except PermissionError:
        pytest.skip("making a device node needs root")
    assert found(log) == (1, [(f"{D}/0001-x.md", "DL001", "is a device, not a regular file; refused")])


def test_a_link_to_a_device_outside_is_refused(log: LogMaker) -> None:
    (log.root / D / "0001-x.md").symlink_to("/dev/zero")
    assert found(log) == (
        1,
        [(f"{D}/0001-x.md", "DL001", "symlink points outside the log (to /dev/zero); refused")],
    )


# --- numbers of thousands of digits -----------------------------------------------------------

LONG = {
    "decimal": "9" * 5000,
    "hexadecimal": "0x" + "f" * 5000,
    "leading zero": "0" + "9" * 5000,
    "negative": "-" + "1" * 5000,
    "float": "1" * 5000 + ".5",
}


@pytest.mark.parametrize("number", LONG.values(), ids=LONG.keys())
def test_a_huge_number_in_a_decision_is_dl015(log: LogMaker, number: str) -> None:
    log.decision("0001-x", ACCEPTED.replace("title: Keep decisions in git", f"title: {number}"))
    code, findings = found(log)
    assert code == 1
    assert findings == [
        (f"{D}/0001-x.md", "DL015", f"a number {len(number)} characters long; numbers are at most 100")
    ]
    run = log.check()
    assert f"{D}/0001-x.md:3:8: error DL015" in run.stdout


def test_huge_numbers_anywhere_in_any_document(log: LogMaker) -> None:
    hexa = "0x" + "f" * 5000
    log.decision(
        "0001-x",
        ACCEPTED.replace('id: "0001"', f"id: {hexa}").replace("[acme, globex]", f"[acme, {hexa}]"),
    )
    log.partner("acme", doc(f"id: acme\nname: A\nmembers: [alice, {hexa}]\n"))
    log.meeting(
        "2026-01-10-x", doc(f"id: 2026-01-10-x\ntitle: {hexa}\ndate: 2026-01-10\nattendees: [alice]\n")
    )
    code, findings = found(log)
    assert code == 1
    assert {(p, c) for p, c, _ in findings if c == "DL015"} == {
        (f"{D}/0001-x.md", "DL015"),
        ("content/partners/acme.md", "DL015"),
        ("content/meetings/2026-01-10-x.md", "DL015"),
    }


def test_a_hundred_digits_is_still_a_number(log: LogMaker) -> None:
    log.decision("0001-x", ACCEPTED.replace("title: Keep decisions in git", "title: " + "9" * 100))
    assert [c for _, c, _ in found(log)[1]] == ["DL102"]


@pytest.mark.parametrize(
    "setting",
    [
        "[site]\nper_page = " + "9" * 5000,
        "[site]\ntitle = 0x" + "f" * 5000,
        "[site]\nper_page = 0x" + "f" * 5000,
        '[workflow]\nfeedback_window = "99999999999d"',
    ],
    ids=["decimal", "hexadecimal text", "hexadecimal number", "duration"],
)
def test_a_huge_number_in_declog_toml_is_a_config_error(log: LogMaker, setting: str) -> None:
    log.config(f"{setting}\n")
    run = log.check()
    assert run.exit_code == 2
    assert "declog.toml:2:" in run.stdout


# --- reviews files ----------------------------------------------------------------------------


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[LogMaker]:
    """A log in a git repository on main, the working directory its root."""
    isolated_git(monkeypatch, tmp_path)
    log = make_log(tmp_path / "log")
    log.decision("0001-x", ACCEPTED)
    _git(log.root, "init", "-q", "-b", "main")
    _git(log.root, "add", "-A")
    _git(log.root, "commit", "-q", "-m", "start")
    monkeypatch.chdir(log.root)
    yield log


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)


REVIEW = [{"user": {"login": "bob"}, "state": "APPROVED", "commit_id": "", "submitted_at": ""}]

#: Reviews files declog does not read, and what it says about each (after the file's name).
BAD_REVIEWS: dict[str, tuple[bytes, str]] = {
    "deeply nested": (b"[" * 100_000 + b"]" * 100_000, "JSON nested too deeply to read"),
    "utf-16 with a byte-order mark": (json.dumps(REVIEW).encode("utf-16"), "is UTF-16 or UTF-32, not UTF-8"),
    "utf-16 without one": (json.dumps(REVIEW).encode("utf-16-le"), "is UTF-16 or UTF-32, not UTF-8"),
    "latin-1": (
        '[{"user": {"login": "bób"}, "state": "APPROVED"}]'.encode("latin-1"),
        "not UTF-8 (byte 0xf3",
    ),
    "a huge integer": (b'[{"id": ' + b"9" * 5000 + b', "state": "APPROVED"}]', "holds a number too long"),
    "over 10 MB": (b"[" + b'"x",' * 2_600_000 + b'"x"]', "over the 10 MB limit"),
    "not JSON": (b"[{", "not JSON"),
}


@pytest.mark.git
@pytest.mark.parametrize("data,said", BAD_REVIEWS.values(), ids=BAD_REVIEWS.keys())
def test_a_reviews_file_declog_will_not_read_is_a_usage_error(
    repo: LogMaker, tmp_path: Path, data: bytes, said: str
) -> None:
    path = tmp_path / "reviews.json"
    path.write_bytes(data)
    run = invoke(["approvals", "--reviews", str(path), "--base", "main"])
    assert run.exit_code == 2
    assert run.stderr.startswith(f"declog: error: {path}")
    assert said in run.stderr
    assert "Traceback" not in output(run)


@pytest.mark.git
def test_a_reviews_file_with_a_utf8_byte_order_mark_is_read(repo: LogMaker, tmp_path: Path) -> None:
    path = tmp_path / "reviews.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(REVIEW).encode())
    run = invoke(["approvals", "--reviews", str(path), "--base", "main"])
    assert run.exit_code == 0, output(run)
    assert "1 review(s)" in run.stdout


@pytest.mark.git
@pytest.mark.parametrize("data,said", BAD_REVIEWS.values(), ids=BAD_REVIEWS.keys())
def test_an_event_file_declog_will_not_read_is_a_usage_error(
    repo: LogMaker, tmp_path: Path, data: bytes, said: str
) -> None:
    path = tmp_path / "event.json"
    if said.startswith("is UTF-16"):
        data = json.dumps({"review": REVIEW}).encode(
            "utf-16" if data.startswith(b"\xff\xfe") else "utf-16-le"
        )
    elif data.startswith(b"["):
        data = data.replace(b"[", b'{"review": [', 1) + b"}"
    path.write_bytes(data)
    run = invoke(["approvals", "--event", str(path), "--base", "main"])
    assert run.exit_code == 2
    assert said in run.stderr


# --- the base revision ---------------------------------------------------------------------------


@pytest.mark.git
def test_links_in_the_base_tree_are_not_followed(repo: LogMaker, outside: Path) -> None:
    """A base branch that committed links out of the log: neither they nor their targets are read."""
    replace_with_link(repo, "content/meetings", outside)
    (repo.root / D / "0002-leak.md").symlink_to(outside / "0002-leak.md")
    _git(repo.root, "add", "-A")
    _git(repo.root, "commit", "-q", "-m", "links out")
    _git(repo.root, "checkout", "-q", "-b", "pr")
    (repo.root / "content" / "meetings").unlink()
    (repo.root / "content" / "meetings").mkdir()
    (repo.root / D / "0002-leak.md").unlink()
    base = {f.path: f for f in git.files_at(repo.root, "main")}
    for rel in ("content/meetings", f"{D}/0002-leak.md"):
        assert base[rel].data is None
        assert base[rel].problem is not None and base[rel].problem.code == "DL001"
    run = invoke(["check", "--base", "main", "--format", "json"])
    assert SECRET not in output(run)
    assert run.exit_code in (0, 1)
    assert all(d["code"] not in ("DL001", "DL002") for d in run.json())


# --- documents read ahead by worker processes ---------------------------------------------------


@pytest.mark.parametrize("link", ["a file", "a folder", "content"])
def test_documents_read_ahead_by_workers_never_come_from_outside(
    log: LogMaker, outside: Path, link: str, tmp_path: Path
) -> None:
    """``declog build`` parses the documents in worker processes first: they read what the check
    reads, never through a link, and the build refuses the link as the check does."""
    if link == "a file":
        (log.root / D / "0002-leak.md").symlink_to(outside / "0002-leak.md")
    elif link == "a folder":
        replace_with_link(log, "content/meetings", outside)
    else:
        (log.root / "content" / "decisions" / "0003-here.md").write_text(
            ACCEPTED.replace('"0001"', '"0003"'), encoding="utf-8"
        )
        replace_with_link(log, D, outside)
    files = document_files(log.root)
    parsed = kept.parse(log.root.resolve(), files, {})
    assert SECRET not in repr(parsed)
    assert all(rel.startswith("content/decisions/") or not symlink for rel, symlink in files)
    code, findings = found(log)
    assert code == 1 and any(c == "DL001" for _, c, _ in findings)
    result = cached_build(log.root, tmp_path / "site", search_index=False, jobs=2)
    assert not result.built
    assert {(d.path, d.code) for d in result.findings} >= {(p, c) for p, c, _ in findings if c == "DL001"}
    assert SECRET not in repr(result.findings)
