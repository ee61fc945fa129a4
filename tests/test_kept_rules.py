"""The rules' findings kept across processes (declog.check.warm): a warm build checks only what changed.

A checker started from a snapshot (written as JSON, as ``declog build``'s cache
keeps it) must give a cold check's findings, in the same order, after any edit;
it runs a rule again only where what the rule declares it reads changed, as
``declog serve`` does in one process. Kept findings that are not what declog
writes are refused with the rest of the snapshot.
"""

from __future__ import annotations

import copy
import json
import random
from pathlib import Path
from typing import Any

import pytest
from conftest import ACCEPTED, doc, make_log
from sitetools import copy_example
from test_check_incremental import EDITS, decisions, findings, records, rel, replace_line

from declog.check.checker import Checker, CheckResult, SnapshotError, load_and_check
from declog.check.rules import RULES


def restored(root: Path, snapshot: str) -> Checker:
    checker = Checker(root)
    checker.restore(json.loads(snapshot))
    return checker


def same_as_cold(root: Path, result: CheckResult) -> None:
    cold = load_and_check(root)
    assert findings(result) == findings(cold)
    assert records(result.log) == records(cold.log)


def several_rules(tmp_path: Path) -> tuple[Path, list[str]]:
    """The example log with findings of several rules, about several decisions."""
    root = copy_example(tmp_path / "log")
    files = decisions(root)
    replace_line(files[1], r"^owner: .*$", "owner: erin-nobody")  # DL202
    replace_line(files[2], r"^reviews: .*$", 'reviews: ["0077"]')  # DL204, its hint names accepted ones
    files[3].write_text(files[3].read_text(encoding="utf-8") + "\nSee [[9999]].\n", encoding="utf-8")  # DL205
    replace_line(files[4], r"^superseded_by: .*$", 'superseded_by: "0001"')  # DL307 and more
    return root, rel(root, *files)


def test_a_warm_check_finds_what_a_cold_one_finds_after_each_kind_of_edit(tmp_path: Path) -> None:
    root, files = several_rules(tmp_path)
    cold = load_and_check(root)
    assert len({d.code for d in cold.findings}) >= 4
    first = Checker(root)
    assert findings(first.check()) == findings(cold)
    snapshot = json.dumps(first.snapshot())

    unchanged = restored(root, snapshot)
    same_as_cold(root, unchanged.check())
    assert all(ran == frozenset() for ran in unchanged.reran.values())  # no rule ran: all were kept

    body = root / files[5]
    body.write_text(body.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
    edited = restored(root, snapshot)
    same_as_cold(root, edited.check())
    assert all(ran == {files[5]} for ran in edited.reran.values())  # its shape is the same

    replace_line(root / files[6], r"^status: .*$", "status: withdrawn\nreason: Dropped.")
    withdrawn = restored(root, snapshot)
    result = withdrawn.check()
    same_as_cold(root, result)
    assert withdrawn.reran["DL309"] == {files[5], files[6]}  # per document: the two edited ones
    assert withdrawn.reran["DL319"] is None  # across documents: the shape changed
    assert [d.code for d in result.findings] == [d.code for d in load_and_check(root).findings]


@pytest.mark.parametrize("seed", [6, 7, 8])
def test_random_edits_then_a_warm_check_give_a_cold_checks_findings(tmp_path: Path, seed: int) -> None:
    """Each check starts from the snapshot of the one before, several edits back, as builds do."""
    root, _ = several_rules(tmp_path)
    rng = random.Random(seed)
    checker = Checker(root)
    checker.check()
    for _ in range(8):
        snapshot = json.dumps(checker.snapshot())
        for edit in rng.sample(EDITS, rng.randrange(1, 4)):
            edit(root, rng)
        checker = restored(root, snapshot)
        same_as_cold(root, checker.check())


def test_a_changed_codeowners_file_reruns_the_rules_that_read_it(tmp_path: Path) -> None:
    root = copy_example(tmp_path / "log")
    owners = root / "CODEOWNERS"
    owners.write_text("* @nobody\n", encoding="utf-8")
    first = Checker(root)
    before = first.check()
    snapshot = json.dumps(first.snapshot())
    owners.write_text("/content/ @somebody-else\n", encoding="utf-8")
    checker = restored(root, snapshot)
    after = checker.check()
    same_as_cold(root, after)
    assert findings(after) != findings(before)
    assert checker.reran["DL207"] is None and checker.reran["DL309"] == frozenset()


def test_kept_findings_are_not_used_under_other_settings(tmp_path: Path) -> None:
    log = make_log(tmp_path / "log")
    log.decision("0001-a", ACCEPTED.replace("by: bob", "by: dave"))  # dave is no member of acme
    first = Checker(log.root)
    assert {d.code for d in first.check().findings} >= {"DL303"}
    snapshot = json.dumps(first.snapshot())
    config = log.root / "declog.toml"
    config.write_text(config.read_text(encoding="utf-8") + '\n[rules]\nDL303 = "off"\n', encoding="utf-8")
    checker = restored(log.root, snapshot)
    same_as_cold(log.root, checker.check())
    assert all(ran is None for ran in checker.reran.values())


@pytest.fixture
def snapshot(tmp_path: Path) -> dict[str, Any]:
    log = make_log(tmp_path / "log")
    log.decision("0001-a", doc('id: "0001"\ntitle: First\nstatus: draft\nowner: erin\n'))
    checker = Checker(log.root)
    assert checker.check().findings
    data: dict[str, Any] = json.loads(json.dumps(checker.snapshot()))
    return data


def a_finding(data: dict[str, Any]) -> list[Any]:
    row: list[Any] = next(rows for rows in data["ruled"]["found"] if rows)[0]
    return row


def spoil(data: dict[str, Any], how: str) -> None:
    entry = data["files"]["content/decisions/0001-a.md"]
    if how == "a rule left out":
        data["ruled"]["found"].pop()
    elif how == "an input left out":
        data["ruled"]["inputs"].pop("partners")
    elif how == "a shape that is not hex":
        data["ruled"]["shape"] = "not hex"
    elif how == "a finding's path that is not text":
        a_finding(data)[0] = 7
    elif how == "a finding's line that is text":
        a_finding(data)[1] = "5"
    elif how == "a finding's column that is true":
        a_finding(data)[2] = True
    elif how == "a finding with another code":
        a_finding(data)[3] = "XX999"
    elif how == "a finding with another severity":
        a_finding(data)[4] = "fatal"
    elif how == "a message with a lone surrogate":
        a_finding(data)[5] = "\ud800"
    elif how == "a finding of six values":
        a_finding(data).pop()
    elif how == "references that are not text":
        entry[3] = [1]
    elif how == "an own shape that is not hex":
        entry[2] = "zz"
    elif how == "a row of four values":
        entry.pop()
    else:
        raise AssertionError(how)


SPOILS = [
    "a rule left out",
    "an input left out",
    "a shape that is not hex",
    "a finding's path that is not text",
    "a finding's line that is text",
    "a finding's column that is true",
    "a finding with another code",
    "a finding with another severity",
    "a message with a lone surrogate",
    "a finding of six values",
    "references that are not text",
    "an own shape that is not hex",
    "a row of four values",
]


@pytest.mark.parametrize("how", SPOILS)
def test_spoiled_kept_findings_refuse_the_snapshot(
    snapshot: dict[str, Any], tmp_path: Path, how: str
) -> None:
    data = copy.deepcopy(snapshot)
    spoil(data, how)
    checker = Checker(tmp_path / "log")
    with pytest.raises(SnapshotError):
        checker.restore(data)
    same_as_cold(tmp_path / "log", checker.check())
    assert all(ran is None for ran in checker.reran.values())  # every rule ran


def test_kept_findings_come_back_exactly(snapshot: dict[str, Any], tmp_path: Path) -> None:
    """Path, line, column, code, severity, message and hint: what a warm check prints is a cold one's."""
    first = Checker(tmp_path / "log")
    kept = findings(first.check())
    checker = Checker(tmp_path / "log")
    checker.restore(copy.deepcopy(snapshot))
    assert findings(checker.check()) == kept
    assert len(snapshot["ruled"]["found"]) == len(RULES)
