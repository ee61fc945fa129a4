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
from conftest import doc, make_log
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
    f.write_text(f.read_text(encoding="utf-8").replace("attendees: [", "attendees: [nobody-here, ", 1))
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


EDITS = [body, title, bad_status, broken_yaml, link, supersede, duplicate, delete, rename]
EDITS += [partner, meeting, config, stray, template]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_edits_give_what_a_fresh_check_gives(tmp_path: Path, seed: int) -> None:
    root = copy_example(tmp_path / "log")
    rng = random.Random(seed)
    told, looking = Checker(root), Checker(root)
    same_as_fresh(root, told.check())
    same_as_fresh(root, looking.check())
    sequence = [rng.choice(EDITS[:9]) for _ in range(20)] + EDITS  # mostly decisions, then everything
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
