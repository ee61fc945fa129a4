"""The Checker (what ``declog serve`` checks with): the findings and the log of a fresh check, for less work.

Random edits (fixed seed) are made to a copy of the example log, some of them
mistakes; after each, a Checker told which files changed, and one told
nothing, must give exactly what ``load_and_check`` gives: every finding, and
every record with the same values.
"""

from __future__ import annotations

import random
import re
import shutil
from pathlib import Path

import pytest
from conftest import ACCEPTED, ACME, doc, make_log
from sitetools import copy_example

from declog.check.checker import Checker, CheckResult, load_and_check
from declog.log.model import Log


def findings(result: CheckResult) -> list[tuple[object, ...]]:
    return [(d.path, d.line, d.col, d.code, d.severity, d.message, d.hint) for d in result.findings]


def records(log: Log | None) -> dict[str, tuple[object, ...]]:
    """Every document by path, as the values a page or a rule can read."""
    assert log is not None
    out = {}
    for path, d in log.by_path.items():
        fields = {k: v for k, v in vars(d).items() if k != "doc"}
        out[path] = (type(d).__name__, repr(d.doc.data), repr(sorted(fields.items())))
    order = [d.path for d in log.decisions], list(log.partners), list(log.meetings), log.duplicates
    out["(order)"] = (repr(order[:3]), [d.path for d in order[3]])
    return out


def same_as_fresh(root: Path, result: CheckResult) -> None:
    fresh = load_and_check(root)
    assert findings(result) == findings(fresh)
    assert records(result.log) == records(fresh.log)


def decisions(root: Path) -> list[Path]:
    return sorted((root / "content" / "decisions").glob("*.md"))


def rel(root: Path, *paths: Path) -> list[str]:
    return [p.relative_to(root).as_posix() for p in paths]


def replace_line(f: Path, pattern: str, line: str) -> None:
    text = f.read_text(encoding="utf-8")
    new, n = re.subn(pattern, line, text, count=1, flags=re.M)
    f.write_text(new if n else text.replace("\n---\n", f"\n{line}\n---\n", 1), encoding="utf-8")


# --- edits: each returns the files it changed --------------------------------------------


def body(root: Path, rng: random.Random) -> list[str]:
    f = rng.choice(decisions(root))
    f.write_text(f.read_text(encoding="utf-8") + f"\nMore {rng.randrange(1000)}.\n", encoding="utf-8")
    return rel(root, f)


def title(root: Path, rng: random.Random) -> list[str]:
    f = rng.choice(decisions(root))
    replace_line(f, r"^title: .*$", f"title: Renamed {rng.randrange(1000)}")
    return rel(root, f)


def bad_status(root: Path, rng: random.Random) -> list[str]:
    f = rng.choice(decisions(root))
    replace_line(
        f, r"^status: .*$", f"status: {rng.choice(['aproved', 'rejected', 'withdrawn', 'accepted'])}"
    )
    return rel(root, f)


def broken_yaml(root: Path, rng: random.Random) -> list[str]:
    f = rng.choice(decisions(root))
    f.write_text(f.read_text(encoding="utf-8").replace("\n---\n", "\ntags: [unclosed\n---\n", 1))
    return rel(root, f)


def link(root: Path, rng: random.Random) -> list[str]:
    f = rng.choice(decisions(root))
    target = rng.choice(["[[0003]]", "[[9999]]", "[x](0004-nothing-here.md)"])
    f.write_text(f.read_text(encoding="utf-8") + f"\nSee {target}.\n", encoding="utf-8")
    return rel(root, f)


def supersede(root: Path, rng: random.Random) -> list[str]:
    f, other = rng.sample(decisions(root), 2)
    replace_line(f, r"^superseded_by: .*$", f'superseded_by: "{other.name[:4]}"')
    return rel(root, f)


def duplicate(root: Path, rng: random.Random) -> list[str]:
    f = rng.choice(decisions(root))
    copy = f.with_name(f"{f.stem}-copy.md")
    shutil.copy(f, copy)
    return rel(root, copy)


def delete(root: Path, rng: random.Random) -> list[str]:
    f = rng.choice(decisions(root))
    f.unlink()
    return rel(root, f)


def rename(root: Path, rng: random.Random) -> list[str]:
    f = rng.choice(decisions(root))
    target = f.with_name(f"{f.name[:4]}-renamed-{rng.randrange(1000)}.md")
    f.rename(target)
    return rel(root, f, target)


def partner(root: Path, rng: random.Random) -> list[str]:
    f = rng.choice(sorted((root / "content" / "partners").glob("*.md")))
    f.write_text(
        re.sub(r"^  - handle: .*\n(?:    .*\n)*", "", f.read_text(encoding="utf-8"), count=1, flags=re.M)
    )
    return rel(root, f)


def meeting(root: Path, rng: random.Random) -> list[str]:
    f = rng.choice(sorted((root / "content" / "meetings").glob("*.md")))
    text = f.read_text(encoding="utf-8")
    f.write_text(
        re.sub(r"(?m)^attendees:( \[|\n)", r"attendees:\1  - nobody-here\n", text, count=1).replace(
            "[  - nobody-here\n", "[nobody-here, "
        )
    )
    return rel(root, f)


def config(root: Path, rng: random.Random) -> list[str]:
    f = root / "declog.toml"
    f.write_text(
        re.sub(
            r"^feedback_window = .*$",
            f'feedback_window = "{rng.randrange(24, 200)}h"',
            f.read_text(),
            flags=re.M,
        )
    )
    return ["declog.toml"]


def stray(root: Path, rng: random.Random) -> list[str]:
    f = root / "content" / "decisions" / rng.choice(["notes.txt", ".draft.md", "README.md"])
    f.write_text("not a decision\n")
    return rel(root, f)


def template(root: Path, rng: random.Random) -> list[str]:
    f = root / "templates" / "extra.html"
    f.parent.mkdir(exist_ok=True)
    f.write_text(f"{rng.randrange(1000)}\n")
    return rel(root, f)


# Shape edits: what other decisions' findings can read (each rule declares what it reads).

STATUSES = ["draft", "proposed", "accepted", "rejected", "withdrawn", "superseded"]
HANDLES = ["anja-kessler", "dcheng", "hiro-tanaka", "marcos-oliveira", "new-member", "nobody-here"]
IDS = ["0001", "0003", "0004", "0016", "0020", "0033", "0077", "9999"]


def date(rng: random.Random) -> str:
    return rng.choice(
        ["2025-09-01T10:00:00+02:00", "2026-05-12T09:00:00Z", "2027-01-01T00:00:00Z", "2026-13-01"]
    )


def status(root: Path, rng: random.Random) -> list[str]:
    f = rng.choice(decisions(root))
    replace_line(f, r"^status: .*$", f"status: {rng.choice(STATUSES)}")
    return rel(root, f)


def dates(root: Path, rng: random.Random) -> list[str]:
    f = rng.choice(decisions(root))
    name = rng.choice(["proposed", "decided", "deadline", "logged"])
    replace_line(f, rf"^{name}: .*$", f"{name}: {date(rng)}")
    return rel(root, f)


def tags(root: Path, rng: random.Random) -> list[str]:
    f = rng.choice(decisions(root))
    replace_line(f, r"^tags: .*$", f"tags: [{', '.join(rng.sample(['a', 'b', 'silence', 'Bad Tag'], 2))}]")
    return rel(root, f)


def parties(root: Path, rng: random.Random) -> list[str]:
    f = rng.choice(decisions(root))
    chosen = rng.sample(["kessler", "maplegrid", "kanto-lab", "rota-sul", "nobody"], rng.randrange(1, 4))
    replace_line(f, r"^partners: .*$", f"partners: [{', '.join(chosen)}]")
    return rel(root, f)


def supersedes(root: Path, rng: random.Random) -> list[str]:
    f = rng.choice(decisions(root))
    replace_line(f, r"^supersedes: .*$", f'supersedes: ["{rng.choice(IDS)}"]')
    return rel(root, f)


def reviews(root: Path, rng: random.Random) -> list[str]:
    f = rng.choice(decisions(root))
    replace_line(f, r"^reviews: .*$", f'reviews: ["{rng.choice(IDS)}"]')
    return rel(root, f)


def renumber(root: Path, rng: random.Random) -> list[str]:
    f = rng.choice(decisions(root))
    replace_line(f, r"^id: .*$", f'id: "{rng.choice(IDS)}"')
    return rel(root, f)


def approver(root: Path, rng: random.Random) -> list[str]:
    f = rng.choice(decisions(root))
    text = f.read_text(encoding="utf-8")
    f.write_text(
        re.sub(r"(?m)^    by: .*$", f"    by: {rng.choice(HANDLES)}", text, count=1), encoding="utf-8"
    )
    return rel(root, f)


def agreement(root: Path, rng: random.Random) -> list[str]:
    """The silence agreement (0003) that other decisions' silent approvals rest on."""
    f = decisions(root)[2]
    if rng.random() < 0.5:
        replace_line(f, r"^status: .*$", f"status: {rng.choice(STATUSES)}")
    else:
        replace_line(f, r"^decided: .*$", f"decided: {date(rng)}")
    return rel(root, f)


def new_member(root: Path, rng: random.Random) -> list[str]:
    f = rng.choice(sorted((root / "content" / "partners").glob("*.md")))
    text = f.read_text(encoding="utf-8")
    f.write_text(
        text.replace("members:\n", f"members:\n  - handle: {rng.choice(HANDLES)}\n", 1), encoding="utf-8"
    )
    return rel(root, f)


def meeting_shape(root: Path, rng: random.Random) -> list[str]:
    f = rng.choice(sorted((root / "content" / "meetings").glob("*.md")))
    if rng.random() < 0.5:
        replace_line(f, r"^date: .*$", f"date: {date(rng)}")
    if rng.random() < 0.3:  # nobody attended
        f.write_text(
            re.sub(r"(?m)^attendees:.*\n(?:  - .*\n)*", "attendees: []\n", f.read_text(encoding="utf-8"))
        )
    listed = re.findall(
        r"[0-9]{4}", (re.findall(r"(?m)^decisions: .*$", f.read_text(encoding="utf-8")) or [""])[0]
    )
    listed = [*rng.sample(listed, max(0, len(listed) - 1)), rng.choice(IDS)]  # one left out, one added
    replace_line(f, r"^decisions: .*$", f"decisions: [{', '.join(f'{i!r}' for i in listed)}]")
    return rel(root, f)


def settings(root: Path, rng: random.Random) -> list[str]:
    f = root / "declog.toml"
    text = f.read_text(encoding="utf-8")
    choice = rng.randrange(3)
    if choice == 0:
        text = re.sub(r"^agreement = .*$", f'agreement = "{rng.choice(IDS)}"', text, flags=re.M)
    elif choice == 1:
        text = re.sub(
            r"^self_approval = .*$", f"self_approval = {rng.choice(['true', 'false'])}", text, flags=re.M
        )
    else:
        text = re.sub(r'^timezone = "UTC"$', 'timezone = "Asia/Tokyo"', text, flags=re.M)
    f.write_text(text, encoding="utf-8")
    return ["declog.toml"]


EDITS = [body, title, bad_status, broken_yaml, link, supersede, duplicate, delete, rename]
EDITS += [status, dates, tags, parties, supersedes, reviews, renumber, approver, agreement]
DECISION_EDITS = len(EDITS)
EDITS += [partner, new_member, meeting, meeting_shape, config, settings, stray, template]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_edits_give_what_a_fresh_check_gives(tmp_path: Path, seed: int) -> None:
    root = copy_example(tmp_path / "log")
    rng = random.Random(seed)
    told, looking = Checker(root), Checker(root)
    same_as_fresh(root, told.check())
    same_as_fresh(root, looking.check())
    # Mostly decisions, then everything.
    sequence = [rng.choice(EDITS[:DECISION_EDITS]) for _ in range(30)] + EDITS
    rng.shuffle(sequence)
    for edit in sequence:
        changed = edit(root, rng)
        same_as_fresh(root, told.check(changed))
        same_as_fresh(root, looking.check())


def test_a_told_checker_reads_and_parses_only_the_changed_file(tmp_path: Path) -> None:
    """Unchanged files keep their records, the very objects; the changed one is read again."""
    log = make_log(tmp_path / "log")
    log.decision("0001-a", doc('id: "0001"\ntitle: First\nstatus: draft\n'))
    log.decision("0002-b", doc('id: "0002"\ntitle: Second\nstatus: draft\n'))
    checker = Checker(log.root)
    first = checker.check()
    assert first.log is not None
    log.decision("0002-b", doc('id: "0002"\ntitle: Second, edited\nstatus: draft\n'))
    second = checker.check(["content/decisions/0002-b.md"])
    assert second.log is not None
    assert second.log.by_id["0001"] is first.log.by_id["0001"]
    assert second.log.by_id["0002"].title == "Second, edited"
    assert second.shape == first.shape  # only text changed
    log.decision("0002-b", doc('id: "0002"\ntitle: Second, edited\nstatus: proposed\n'))
    third = checker.check(["content/decisions/0002-b.md"])
    assert third.shape != second.shape
    assert {f.code for f in third.findings} >= {"DL318"}  # an async proposal without dates


def test_a_file_it_was_not_told_about_is_missed_only_by_a_told_check(tmp_path: Path) -> None:
    """Told means "these and no others changed": a check told nothing looks at every file."""
    log = make_log(tmp_path / "log")
    log.decision("0001-a", doc('id: "0001"\ntitle: First\nstatus: draft\n'))
    checker = Checker(log.root)
    checker.check()
    log.decision("0001-a", doc('id: "0001"\ntitle: Edited behind its back\nstatus: draft\n'))
    result = checker.check()
    assert result.log is not None and result.log.by_id["0001"].title == "Edited behind its back"


def test_a_status_edit_reruns_per_document_rules_on_that_document_only(tmp_path: Path) -> None:
    """A rule that reads only the document it reports on runs again only there; one across documents
    runs over the whole log (the findings are a fresh check's either way)."""
    log = make_log(tmp_path / "log")
    first = log.decision("0001-a", doc('id: "0001"\ntitle: First\nstatus: draft\nowner: erin\n'))
    second = log.decision("0002-b", doc('id: "0002"\ntitle: Second\nstatus: draft\n'))
    checker = Checker(log.root)
    before = checker.check()
    assert [(f.path, f.line, f.code) for f in before.findings] == [(first, 5, "DL202")]  # erin is nobody
    log.decision("0002-b", doc('id: "0002"\ntitle: Second\nstatus: withdrawn\nowner: bob\nrationale: Why.\n'))
    after = checker.check([second])
    assert [(f.path, f.line, f.code) for f in after.findings] == [(first, 5, "DL202"), (second, 4, "DL309")]
    assert checker.reran["DL309"] == {second}
    assert checker.reran["DL202"] == {second}  # the finding about 0001 is kept, not found again
    assert checker.reran["DL319"] is None  # across documents: a status is what it reads
    same_as_fresh(log.root, after)


def test_a_new_member_reruns_the_rules_that_read_partners_everywhere(tmp_path: Path) -> None:
    log = make_log(tmp_path / "log")
    first = log.decision("0001-a", doc('id: "0001"\ntitle: First\nstatus: draft\nowner: erin\n'))
    # dave (globex) approved for acme: not one of acme's members.
    second = log.decision("0002-b", ACCEPTED.replace('"0001"', '"0002"').replace("by: bob", "by: dave"))
    checker = Checker(log.root)
    found = [(f.path, f.line, f.code) for f in checker.check().findings]
    assert found == [(first, 5, "DL202"), (second, 4, "DL302"), (second, 15, "DL303")]
    acme = log.partner("acme", ACME.replace("[alice, bob]", "[alice, bob, erin, dave]"))
    after = checker.check([acme])
    assert after.findings == []  # the findings about 0001 and 0002, which did not change, are gone
    assert checker.reran["DL202"] is None
    assert checker.reran["DL309"] == {acme}  # reads no partner but the one it reports on
    same_as_fresh(log.root, after)


def test_a_hint_that_names_other_decisions_follows_their_status(tmp_path: Path) -> None:
    """An unknown id's suggestions are the accepted decisions: a status edit elsewhere changes them."""
    root = copy_example(tmp_path / "log")
    checker = Checker(root)
    checker.check()
    files = decisions(root)
    replace_line(files[3], r"^reviews: .*$", 'reviews: ["0077"]')
    hints = []
    for f, line in [(files[3], ""), (files[6], "status: proposed"), (files[6], "status: superseded")]:
        if line:
            replace_line(f, r"^status: .*$", line)
        result = checker.check(rel(root, f))
        same_as_fresh(root, result)
        hints += [d.hint for d in result.findings if d.code == "DL204" and d.path == rel(root, files[3])[0]]
    assert hints == ["did you mean '0007'?", "did you mean '0017'?", "did you mean '0007'?"]


def test_a_changed_codeowners_file_is_read_again(tmp_path: Path) -> None:
    """CODEOWNERS is read by the rules like a setting: told it changed, the checker reads it again."""
    root = copy_example(tmp_path / "log")
    owners = root / "CODEOWNERS"
    owners.write_text("* @nobody\n", encoding="utf-8")
    checker = Checker(root)
    first = checker.check()
    assert any(d.code == "DL207" and d.path == "CODEOWNERS" for d in first.findings)
    owners.write_text("/content/ @somebody-else\n", encoding="utf-8")
    again = checker.check(["CODEOWNERS"])
    assert findings(again) == findings(load_and_check(root))
    assert findings(again) != findings(first)
