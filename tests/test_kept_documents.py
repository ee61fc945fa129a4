"""Parsed documents kept across processes (``Checker.snapshot`` and ``restore``, declog.site.doccache).

A checker started from a snapshot taken before random edits (fixed seeds) must
give exactly what parsing every file gives: every finding with its file, line
and column, every record with the same values, every field's position, and the
same site. Only the files whose bytes changed are parsed. A snapshot that is not
one declog wrote is refused as a whole, and a build then parses everything.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import random
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO, GitRepo, doc, isolated_git, make_log
from sitetools import copy_example
from test_check_incremental import EDITS, findings, records
from test_custom_fields_everywhere import write_log

import declog.log.load
from declog.check.checker import Checker, CheckResult, SnapshotError, load_and_check
from declog.log import kept as kept_module
from declog.log.load import document_files
from declog.log.model import Log
from declog.log.yamlparse import Frontmatter, compact, parse_yaml, split_frontmatter
from declog.site import doccache, pages
from declog.site.build import build
from declog.site.cache import cache_file, cached_build, documents_file

# --- what a reader can see of a load ---------------------------------------------------------------


def paths_in(value: Any, at: tuple[str | int, ...] = ()) -> Iterator[tuple[str | int, ...]]:
    yield at
    if isinstance(value, dict):
        for key, item in value.items():
            yield from paths_in(item, (*at, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from paths_in(item, (*at, i))


def positions(log: Log | None) -> dict[str, list[tuple[object, ...]]]:
    """Where every value and key of every document is, as a finding about it would say."""
    assert log is not None
    return {
        path: [(at, d.pos(*at), d.doc.key_pos(*at)) for at in paths_in(d.doc.data)]
        for path, d in log.by_path.items()
    }


def same_as_parsing(root: Path, result: CheckResult) -> None:
    fresh = load_and_check(root)
    assert findings(result) == findings(fresh)
    assert records(result.log) == records(fresh.log)
    assert positions(result.log) == positions(fresh.log)


def restored(root: Path, snapshot: str) -> Checker:
    """A checker in a new process, as it were: started from a snapshot written as JSON."""
    checker = Checker(root)
    checker.restore(json.loads(snapshot))
    return checker


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The files whose YAML is parsed from now on."""
    seen: list[str] = []
    real = declog.log.load.parse_yaml

    def counting(text: str, path: str, first_line: int = 1) -> Any:
        seen.append(path)
        return real(text, path, first_line)

    monkeypatch.setattr(declog.log.load, "parse_yaml", counting)
    return seen


# --- a restored checker is a fresh one -------------------------------------------------------------


#: Frontmatter lines that YAML makes hard: each kept value and position must come back the same.
TRICKY = [
    'title: "Emoji \U0001f600 and \\u00e9"',
    "number: 0012",
    "answer: no",
    "at: 12:30",
    "big: 1e400",
    "nothing: .nan",
    "hexed: 0x1F",
    "deep: [[[[1, [2, {a: b}]]]]]",
    'escaped: "bell \\a here"',
    "anchored: &a [1, 2]",
    "again: *a",
    "title: twice",
    'tags: ["x", 3, null, true, -0.0]',
    "approvals:\n  - partner: acme\n    by: nobody\n    via: meeting",
    '"0": text key that looks like a number',
]


def tricky(root: Path, rng: random.Random) -> list[str]:
    """A decision whose frontmatter holds what YAML makes hard: each kept value must come back the same."""
    f = root / "content" / "decisions" / f"09{rng.randrange(10, 99)}-tricky.md"
    lines = rng.sample(TRICKY, rng.randrange(2, 8))
    header = f'id: "09{f.name[2:4]}"\nstatus: {rng.choice(["draft", "proposed", "acepted"])}\n'
    crlf = rng.random() < 0.3
    text = doc(header + "\n".join(lines), "\nA body.\n")
    f.write_bytes(text.replace("\n", "\r\n").encode() if crlf else text.encode())
    return [f.relative_to(root).as_posix()]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_checker_started_from_a_snapshot_finds_what_parsing_finds(tmp_path: Path, seed: int) -> None:
    root = copy_example(tmp_path / "log")
    rng = random.Random(seed)
    running = Checker(root)
    running.check()
    for edit in [rng.choice([*EDITS, tricky, tricky]) for _ in range(16)]:
        snapshot = json.dumps(running.snapshot())  # what the last build kept, then the edit
        edit(root, rng)
        same_as_parsing(root, restored(root, snapshot).check())
        running.check()


@pytest.mark.parametrize("seed", [4, 5])
def test_generated_logs_with_their_own_fields_come_back_the_same(tmp_path: Path, seed: int) -> None:
    maker = write_log(tmp_path / "log", seed, 30)
    rng = random.Random(seed)
    running = Checker(maker.root)
    running.check()
    files = sorted((maker.root / "content" / "decisions").glob("*.md"))
    for f in rng.sample(files, 5):  # values of the log's own fields, swapped between decisions
        other = rng.choice(files).read_text(encoding="utf-8").split("\n---\n", 1)[0]
        head = f.read_text(encoding="utf-8").split("\n", 2)
        f.write_text("\n".join([head[0], head[1], *other.split("\n")[2:], "---", "Body."]) + "\n")
    snapshot = json.dumps(running.snapshot())
    same_as_parsing(maker.root, restored(maker.root, snapshot).check())


def test_only_the_files_whose_bytes_changed_are_parsed(tmp_path: Path, parses: list[str]) -> None:
    root = copy_example(tmp_path / "log")
    first = Checker(root)
    first.check()
    snapshot = json.dumps(first.snapshot())
    edited = sorted((root / "content" / "decisions").glob("*.md"))[3]
    edited.write_text(edited.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
    untouched = sorted((root / "content" / "decisions").glob("*.md"))[4]
    untouched.touch()  # a new time but the same bytes: not parsed
    parses.clear()
    same_as_parsing(root, restored(root, snapshot).check())
    assert parses[: parses.index(edited.relative_to(root).as_posix()) + 1] == [
        edited.relative_to(root).as_posix()
    ]


def test_a_snapshot_is_not_used_under_other_settings(tmp_path: Path, parses: list[str]) -> None:
    """What a decision may hold comes from declog.toml: with another one, every file is parsed."""
    root = copy_example(tmp_path / "log")
    first = Checker(root)
    first.check()
    snapshot = json.dumps(first.snapshot())
    config = root / "declog.toml"
    config.write_text(config.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    parses.clear()
    same_as_parsing(root, restored(root, snapshot).check())
    assert len(set(parses)) == len(list((root / "content").glob("*/*.md")))


def test_an_entry_for_other_bytes_changes_nothing(tmp_path: Path) -> None:
    """Entries are keyed by the digest of a file's bytes: one kept for other bytes is not used."""
    log = make_log(tmp_path / "log")
    log.decision("0001-a", doc('id: "0001"\ntitle: First\nstatus: draft\n'))
    first = Checker(log.root)
    first.check()
    snapshot = first.snapshot()
    log.decision("0001-a", doc('id: "0001"\ntitle: Edited\nstatus: proposed\n'))
    result = restored(log.root, json.dumps(snapshot)).check()
    assert result.log is not None and result.log.by_id["0001"].title == "Edited"
    same_as_parsing(log.root, result)


@pytest.mark.git
@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_what_git_and_other_files_give_a_document_is_never_taken_from_a_snapshot(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``logged`` from the commit that added the file, ``partners`` when left out: filled in by each load."""
    isolated_git(monkeypatch, tmp_path, when="2026-03-04T05:06:07+00:00")
    log = make_log(tmp_path / "log")
    log.decision("0001-a", doc('id: "0001"\ntitle: First\nstatus: draft\n'))
    first = Checker(log.root)
    before = first.check()
    assert before.log is not None and before.log.by_id["0001"].logged is None  # not in git yet
    snapshot = json.dumps(first.snapshot())
    repo = GitRepo(log.root)
    repo.git("init", "-q", "-b", "main")
    repo.commit("Log the first decision")
    log.partner("zeta", doc("id: zeta\nname: Zeta\nmembers: [zed]\n"))
    result = restored(log.root, snapshot).check()
    assert result.log is not None
    decision = result.log.by_id["0001"]
    assert decision.logged == dt.datetime(2026, 3, 4, 5, 6, 7, tzinfo=dt.UTC)
    assert "zeta" in decision.partners
    same_as_parsing(log.root, result)


# --- documents parsed ahead, in worker processes ----------------------------------------------------


#: Bodies that refer to other decisions, in code too (which does not count).
REFERRING = [
    "See [[0001]] and [the other one](0002-x.md).\n",
    "Not `[[0003]]`, but [[0004]].\n\n```\n[[0005]]\n```\n",
    "[a](../decisions/0006-y.md) [[ 0007 ]] [[0001]]\n",
]


def ahead_of(root: Path, checker: Checker) -> pages.Prefetch:
    """What ``declog build`` does before it checks: the worker processes parse the documents first."""
    settings = checker.settings_ahead()
    assert settings is not None
    early = pages.Prefetch(root, 2, parse=settings[1])
    checker.ahead(settings[0], early.parsed)
    return early


@pytest.mark.parametrize("seed", [6, 7])
def test_documents_parsed_by_worker_processes_give_what_parsing_here_gives(
    tmp_path: Path, seed: int, parses: list[str]
) -> None:
    """Hostile YAML, CRLF, the log's own fields: the findings, records and positions of a check
    that took every document from the workers are those of parsing them in this process."""
    maker = write_log(tmp_path / "log", seed, 30)
    rng = random.Random(seed)
    for _ in range(6):
        tricky(maker.root, rng)
    for n, body in enumerate(REFERRING):  # what a body refers to is found by the workers too
        header = f'id: "098{n}"\ntitle: Refers\nstatus: draft\n'
        (maker.root / "content" / "decisions" / f"098{n}-refers.md").write_text(
            doc(header, body), encoding="utf-8"
        )
    checker = Checker(maker.root)
    early = ahead_of(maker.root, checker)
    try:
        result = checker.check()
    finally:
        early.close()
    # Every record came from the workers (a forked worker's parses are its own); only the files that
    # make none (YAML that does not parse) are parsed here.
    assert result.log is not None and set(parses) <= result.log.unparsed
    assert len(result.log.by_path) > 30
    same_as_parsing(maker.root, result)
    # What the workers found in each file alone (own shape, references) is what the check finds:
    # a later build starts from the same snapshot either way.
    parsing = Checker(maker.root)
    parsing.check()
    assert json.dumps(checker.snapshot(), sort_keys=True) == json.dumps(parsing.snapshot(), sort_keys=True)


def test_a_file_saved_while_the_workers_parsed_it_is_parsed_again(tmp_path: Path, parses: list[str]) -> None:
    root = copy_example(tmp_path / "log")
    checker = Checker(root)
    settings = checker.settings_ahead()
    assert settings is not None
    parsed = kept_module.parse(root.resolve(), document_files(root), settings[1])
    edited = sorted((root / "content" / "decisions").glob("*.md"))[2]
    edited.write_text(
        edited.read_text(encoding="utf-8").replace("title:", "title: Edited", 1), encoding="utf-8"
    )
    checker.ahead(settings[0], lambda: parsed)
    parses.clear()
    result = checker.check()
    assert parses == [edited.relative_to(root).as_posix()]
    same_as_parsing(root, result)


def test_documents_parsed_under_another_declog_toml_are_not_used(tmp_path: Path, parses: list[str]) -> None:
    root = copy_example(tmp_path / "log")
    checker = Checker(root)
    early = ahead_of(root, checker)
    config = root / "declog.toml"
    config.write_text(config.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    try:
        result = checker.check()
    finally:
        early.close()
    assert len(set(parses)) == len(list((root / "content").glob("*/*.md")))
    same_as_parsing(root, result)


def test_a_checker_with_a_snapshot_asks_no_worker_to_parse(tmp_path: Path) -> None:
    root = copy_example(tmp_path / "log")
    first = Checker(root)
    first.check()
    assert first.settings_ahead() is not None
    assert restored(root, json.dumps(first.snapshot())).settings_ahead() is None


# --- a snapshot that is not one is refused ----------------------------------------------------------


@pytest.fixture
def snapshot(tmp_path: Path) -> dict[str, Any]:
    log = make_log(tmp_path / "log")
    log.decision("0001-a", doc('id: "0001"\ntitle: First\nstatus: draft\ntags: [a, b]\n'))
    checker = Checker(log.root)
    checker.check()
    data: dict[str, Any] = json.loads(json.dumps(checker.snapshot()))
    return data


def entry(data: dict[str, Any]) -> list[Any]:
    value: list[Any] = data["files"]["content/decisions/0001-a.md"][1]
    return value


def spoil(data: dict[str, Any], how: str) -> None:
    if how == "version":
        data["declog"] = "0.0.1"
    elif how == "a path that is not text":
        data["files"][7] = data["files"].pop("content/decisions/0001-a.md")
    elif how == "a path that is no document":
        data["files"]["declog.toml"] = data["files"].pop("content/decisions/0001-a.md")
    elif how == "a digest that is not hex":
        data["files"]["content/decisions/0001-a.md"][0] = "zz"
    elif how == "an object":
        entry(data)[0]["title"] = object()
    elif how == "a set":
        entry(data)[0]["tags"] = {"a", "b"}
    elif how == "bytes":
        entry(data)[0]["title"] = b"First"
    elif how == "a key that is not text":
        entry(data)[0][1] = "one"
    elif how == "a number no frontmatter holds":
        entry(data)[0]["title"] = 10**200
    elif how == "a lone surrogate":
        entry(data)[0]["title"] = "\ud800"
    elif how == "too deep":
        deep: list[Any] = []
        for _ in range(100):
            deep = [deep]
        entry(data)[0]["tags"] = deep
    elif how == "a missing position":
        entry(data)[2].pop()
    elif how == "a boolean position":
        entry(data)[2][0] = True
    elif how == "a negative position":
        entry(data)[2][0] = -1
    elif how == "a frontmatter that is a list":
        entry(data)[0] = ["id", "0001"]
    elif how == "a finding with another code":
        entry(data)[3] = [[1, 1, "XX999", "error", "made up", ""]]
    elif how == "a finding with another severity":
        entry(data)[3] = [[1, 1, "DL100", "fatal", "made up", ""]]
    elif how == "an entry of three values":
        entry(data).pop()
    else:
        raise AssertionError(how)


SPOILS = [
    "version",
    "a path that is not text",
    "a path that is no document",
    "a digest that is not hex",
    "an object",
    "a set",
    "bytes",
    "a key that is not text",
    "a number no frontmatter holds",
    "a lone surrogate",
    "too deep",
    "a missing position",
    "a boolean position",
    "a negative position",
    "a frontmatter that is a list",
    "a finding with another code",
    "a finding with another severity",
    "an entry of three values",
]


@pytest.mark.parametrize("how", SPOILS)
def test_a_spoiled_snapshot_is_refused_whole(snapshot: dict[str, Any], tmp_path: Path, how: str) -> None:
    data = copy.deepcopy(snapshot)
    spoil(data, how)
    checker = Checker(tmp_path / "log")
    with pytest.raises(SnapshotError):
        checker.restore(data)
    same_as_parsing(tmp_path / "log", checker.check())  # left as it was: it parses


@pytest.mark.parametrize(
    "data", [None, [], "snapshot", {"format": 1}, {"files": {}}, {"format": 1, "declog": 1, "files": 1, 2: 3}]
)
def test_what_is_no_snapshot_is_refused(tmp_path: Path, data: object) -> None:
    with pytest.raises(SnapshotError):
        Checker(tmp_path).restore(data)


# --- in the build cache ----------------------------------------------------------------------------


def tree(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def test_a_build_from_kept_documents_writes_the_site_parsing_writes(
    tmp_path: Path, parses: list[str]
) -> None:
    root = copy_example(tmp_path / "log")
    cached_build(root, tmp_path / "first", search_index=False, jobs=1)
    kept = documents_file(root)
    assert kept is not None and kept.is_file()
    edited = sorted((root / "content" / "decisions").glob("*.md"))[2]
    edited.write_text(edited.read_text(encoding="utf-8") + "\nAn edit.\n", encoding="utf-8")
    parses.clear()
    result = cached_build(root, tmp_path / "site", search_index=False, jobs=1)  # a full build: new output
    assert result.built
    assert set(parses) == {edited.relative_to(root).as_posix()}
    build(root, tmp_path / "fresh", search_index=False, jobs=1)
    assert tree(tmp_path / "site") == tree(tmp_path / "fresh")


@pytest.mark.parametrize(
    "damage",
    [
        lambda raw: raw[: len(raw) // 2],
        lambda raw: b"\x00" * 64,
        lambda raw: b"[" * 100_000,
        lambda raw: raw.replace(b'"format":1', b'"format":0', 1),
        lambda raw: raw.replace(b'"title":"', b'"title":7,"x":"', 1),
        lambda raw: json.dumps({"header": json.loads(raw)["header"], "documents": 1}).encode(),
    ],
    ids=["truncated", "binary", "nested", "old format", "a value of another type", "foreign"],
)
def test_a_damaged_file_of_kept_documents_means_parsing(
    tmp_path: Path, parses: list[str], damage: Any
) -> None:
    root = copy_example(tmp_path / "log")
    cached_build(root, tmp_path / "site", search_index=False, jobs=1)
    kept = documents_file(root)
    assert kept is not None
    kept.write_bytes(damage(kept.read_bytes()))
    page_cache = cache_file(root, tmp_path / "site")
    assert page_cache is not None
    page_cache.unlink()  # a full build, so every page is made from what was loaded
    parses.clear()
    result = cached_build(root, tmp_path / "site", search_index=False, jobs=1)
    assert result.built
    assert len(set(parses)) == len(list((root / "content").glob("*/*.md")))
    build(root, tmp_path / "fresh", search_index=False, jobs=1)
    assert tree(tmp_path / "site") == tree(tmp_path / "fresh")
    assert doccache.restore(kept, root, Checker(root)) is not None  # written afresh


def test_a_restarted_server_parses_only_the_file_saved_while_it_was_stopped(
    tmp_path: Path, parses: list[str]
) -> None:
    from declog.site.serve import Server

    root = copy_example(tmp_path / "log")
    out = tmp_path / "served"
    for restart in (False, True):
        if restart:
            edited = sorted((root / "content" / "decisions").glob("*.md"))[1]
            edited.write_text(edited.read_text(encoding="utf-8") + "\nSaved while stopped.\n")
            parses.clear()
        server = Server(root, out, address=("127.0.0.1", 0))
        try:
            assert server.start().kind == "built"
        finally:
            server.stop()
    assert set(parses) == {edited.relative_to(root).as_posix()}
    assert any("Saved while stopped." in page.read_text() for page in out.rglob("*.html"))


def test_the_kept_documents_are_written_again_once_enough_of_them_changed(
    tmp_path: Path, parses: list[str]
) -> None:
    """One edit in a hundred documents: parsing it again costs less than writing the file each time."""
    log = make_log(tmp_path / "log")
    for n in range(1, 101):
        log.decision(f"{n:04}-d", doc(f'id: "{n:04}"\ntitle: Decision {n}\nstatus: draft\n'))
    cached_build(log.root, tmp_path / "site", search_index=False, jobs=1)
    kept = documents_file(log.root)
    assert kept is not None
    written = kept.read_bytes()
    for edits in (1, 2, 3):
        log.decision(f"{edits:04}-d", doc(f'id: "{edits:04}"\ntitle: Edited\nstatus: draft\n'))
        parses.clear()
        assert cached_build(log.root, tmp_path / "site", search_index=False, jobs=1).built
        assert len(parses) == edits  # what the file does not hold is parsed, however many builds ago
        assert (kept.read_bytes() == written) == (edits < 3)  # 3 in 100 is more than one in 50


def test_positions_kept_as_numbers_are_where_the_parser_found_each_value_and_key() -> None:
    """A record keeps its positions as numbers (``compact``), not as the parser's marks: every value
    and key of the example log's documents and of random tricky frontmatter is where it was."""
    texts = [(p.as_posix(), p.read_text(encoding="utf-8")) for p in sorted(REPO.glob("content/*/*.md"))]
    for seed in range(200):
        rng = random.Random(seed)
        lines = rng.sample([*TRICKY, "way: " + "[" * 40 + "]" * 40, "dup: 1\ndup: 2"], rng.randrange(1, 9))
        texts.append((f"tricky-{seed}", doc("id: x\n" + "\n".join(lines))))
    compared = 0
    for path, text in texts:
        front = split_frontmatter(text, path)
        assert isinstance(front, Frontmatter)
        parsed, _ = parse_yaml(front.yaml_text, path, front.yaml_line)
        if parsed is None or not isinstance(parsed.data, dict):
            continue
        kept = compact(parsed)
        assert kept.positions is not None and kept.data is parsed.data
        where = [(at, parsed.pos(*at), parsed.key_pos(*at)) for at in paths_in(parsed.data)]
        assert [(at, kept.pos(*at), kept.key_pos(*at)) for at in paths_in(kept.data)] == where, path
        assert kept.values.keys() <= {at for at, _, _ in where}
        compared += 1
    assert compared > 150


def test_a_warm_build_that_turns_into_a_full_one_reads_the_files_again_and_parses_none_twice(
    tmp_path: Path, parses: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``declog build`` keeps no file's bytes after parsing it (``LoadMemo.keep_bytes``): when its
    warm build finds too much changed and builds in full, the second check reads every file again,
    parses none it parsed already and gives the site a fresh build gives."""
    root = copy_example(tmp_path / "log")
    cached_build(root, tmp_path / "site", search_index=False, jobs=1)
    edited = sorted((root / "content" / "decisions").glob("*.md"))[3]
    edited.write_text(edited.read_text(encoding="utf-8") + "\nAn edit.\n", encoding="utf-8")
    partner = sorted((root / "content" / "partners").glob("*.md"))[0]  # every page names the partners
    text = partner.read_text(encoding="utf-8")
    partner.write_text(re.sub(r"(?m)^name: .*$", "name: Renamed Partner", text, count=1), encoding="utf-8")
    parses.clear()
    reads: list[str] = []
    real_read = declog.log.load.read_file
    monkeypatch.setattr(
        declog.log.load, "read_file", lambda *a, **k: reads.append(a[1]) or real_read(*a, **k)
    )
    result = cached_build(root, tmp_path / "site", search_index=False, jobs=1)
    assert result.built and result.full
    assert sorted(parses) == sorted(p.relative_to(root).as_posix() for p in (edited, partner))
    unchanged = sorted((root / "content" / "decisions").glob("*.md"))[0].relative_to(root).as_posix()
    assert reads.count(unchanged) == 2  # the warm build's check, then the full build's
    build(root, tmp_path / "fresh", search_index=False, jobs=1)
    assert tree(tmp_path / "site") == tree(tmp_path / "fresh")
    assert "Renamed Partner" in (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
