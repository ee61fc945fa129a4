"""Every rule's fix hint, applied: the finding goes away and no other finding takes its place.

For each rule whose hint is a mechanical fix, a case breaks a copy of the example
log (content/ and declog.toml) so that the rule fires, then does what the hint
says, and checks again: the log must be as clean as it was. A hint that leads
into another error (set `status: superseded`, then DL317 asks for something
else) fails here. Rules whose hints cannot be applied by a program are listed in
``NOT_MECHANICAL`` with the reason; every rule is in exactly one of the two lists.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import invoke, isolated_git
from sitetools import EXAMPLE_NOW, copy_example

from declog.log.codes import CODES

Step = Callable[[Path], None]

D30 = "content/decisions/0030-publish-a-quarterly-eta-accuracy-report-to-shippers.md"
D27 = "content/decisions/0027-require-two-factor-authentication-for-all-shipper-portal-accounts.md"
D26 = "content/decisions/0026-approve-a-2027-platform-budget-of-eur-410k.md"
D04 = "content/decisions/0004-split-platform-running-costs-equally-between-the-four-partners.md"
D19 = "content/decisions/0019-split-running-costs-by-ingestion-volume-with-a-15-percent-floor-per-partner.md"
D11 = "content/decisions/0011-sell-anonymised-lane-level-transit-data-to-third-parties.md"
D22 = "content/decisions/0022-raise-the-ingestion-rate-limit-to-200-requests-per-second-per-partner.md"
D32 = "content/decisions/0032-show-vessel-positions-from-a-commercial-ais-feed.md"
ROTA = "content/partners/rota-sul.md"
Q4 = "content/meetings/2026-11-10-steering-q4.md"

NORDHAFEN = """\
---
id: nordhafen
name: Nordhafen Shipping
timezone: Europe/Berlin
members: []
---
"""


def sub(rel: str, old: str, new: str) -> Step:
    """Replace the first ``old`` in file ``rel`` by ``new`` (``old`` must be there)."""

    def step(root: Path) -> None:
        path = root / rel
        text = path.read_bytes().decode("utf-8")
        assert old in text, (rel, old)
        path.write_bytes(text.replace(old, new, 1).encode("utf-8"))

    return step


def steps(*parts: Step) -> Step:
    def step(root: Path) -> None:
        for part in parts:
            part(root)

    return step


def transform(rel: str, change: Callable[[bytes], bytes]) -> Step:
    def step(root: Path) -> None:
        path = root / rel
        path.write_bytes(change(path.read_bytes()))

    return step


def move(rel: str, to: str) -> Step:
    def step(root: Path) -> None:
        (root / to).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).rename(root / to)

    return step


def write(rel: str, text: str) -> Step:
    def step(root: Path) -> None:
        (root / rel).write_text(text, encoding="utf-8")

    return step


def delete(rel: str) -> Step:
    def step(root: Path) -> None:
        (root / rel).unlink()

    return step


def restore(rel: str) -> Step:
    """``git restore REL``: the file as the base revision has it."""

    def step(root: Path) -> None:
        subprocess.run(["git", "restore", "--", rel], cwd=root, check=True)

    return step


def run(*args: str) -> Step:
    """Run ``declog ARGS ROOT``, as the hint tells the user to."""

    def step(root: Path) -> None:
        done = invoke([*args, str(root)])
        assert done.exit_code == 0, done.stderr

    return step


@dataclass(frozen=True)
class Case:
    code: str
    breaks: Step
    """Makes the rule fire on the clean example log."""
    fixes: Step
    """Does what the rule's hint says, nothing more."""
    base: bool = False
    """Checked with ``--base HEAD``: the clean log is committed before it is broken."""


DRAFT_0034 = """\
---
id: "{id}"
title: Publish the API changelog as a feed
status: draft
mode: async
category: operational
partners: [kessler, maplegrid]
owner: dcheng
rationale: Integrators asked for it.
---

## Decision

A feed of API changes.
"""

CASES = [
    # --- files and YAML
    Case(
        "DL001",
        transform(D30, lambda b: b.replace(b"ETA", b"ETA\xe9", 1)),
        transform(D30, lambda b: b.decode("latin-1").encode("utf-8")),
    ),
    Case("DL002", sub(D30, "---\n", ""), transform(D30, lambda b: b"---\n" + b)),
    Case(
        "DL003",
        sub(D30, "  Shippers trust", "\tShippers trust"),
        sub(D30, "\tShippers trust", "  Shippers trust"),
    ),
    Case(
        "DL005",
        sub(D30, "status: proposed\n", "status: proposed\ntitle: ETA report\n"),
        sub(D30, "title: ETA report\n", ""),
    ),
    Case(
        "DL006",
        sub(D30, "owner: yuki-mori", "owner: &o yuki-mori"),
        sub(D30, "owner: &o yuki-mori", "owner: yuki-mori"),
    ),
    Case("DL007", sub(D30, 'id: "0030"', "id: 0030"), sub(D30, "id: 0030", 'id: "0030"')),
    Case("DL008", sub(ROTA, "short: Rota Sul", "short: NO"), sub(ROTA, "short: NO", 'short: "NO"')),
    Case("DL009", sub(ROTA, "short: Rota Sul", "short: 12:30"), sub(ROTA, "short: 12:30", 'short: "12:30"')),
    Case(
        "DL010",
        transform(D30, lambda b: b"\xef\xbb\xbf" + b),
        transform(D30, lambda b: b.removeprefix(b"\xef\xbb\xbf")),
    ),
    Case(
        "DL011",
        transform(D30, lambda b: b.replace(b"\n", b"\r\n")),
        transform(D30, lambda b: b.replace(b"\r\n", b"\n")),
    ),
    Case(
        "DL013",
        write("content/decisions/notes.txt", "to do\n"),
        move("content/decisions/notes.txt", "notes.txt"),
    ),
    Case("DL014", sub(D30, "title: Publish", "title: \x07Publish"), sub(D30, "\x07", "")),
    Case(
        "DL015",
        sub(D30, "title: Publish a quarterly ETA accuracy report to shippers", "title: " + "1" * 120),
        sub(D30, "1" * 120, '"' + "1" * 120 + '"'),
    ),
    # --- fields
    Case(
        "DL101",
        sub(D30, "title: Publish a quarterly ETA accuracy report to shippers\n", ""),
        sub(D30, "status: proposed", "title: Publish a quarterly ETA accuracy report\nstatus: proposed"),
    ),
    Case(
        "DL102",
        sub(D30, "tags: [eta-model, reporting]", "tags: eta-model"),
        sub(D30, "tags: eta-model", "tags: [eta-model]"),
    ),
    Case("DL103", sub(D30, "mode: async", "mode: asynch"), sub(D30, "mode: asynch", "mode: async")),
    Case(
        "DL104",
        sub(D30, "owner: yuki-mori", "owner: '@yuki-mori'"),
        sub(D30, "owner: '@yuki-mori'", "owner: yuki-mori"),
    ),
    Case(
        "DL105",
        sub(D30, "deadline: 2026-12-04", "deadline: 2026-12-34"),
        sub(D30, "deadline: 2026-12-34", "deadline: 2026-12-04"),
    ),
    Case(
        "DL106",
        sub(D30, "deadline: 2026-12-04T18:00:00+09:00", "deadline: 2026-12-04T18:00:00"),
        sub(D30, "deadline: 2026-12-04T18:00:00", "deadline: 2026-12-04T18:00:00+09:00"),
    ),
    Case(
        "DL107",
        sub(D30, "status: proposed", "status: proposed\ncolour: blue"),
        sub(D30, "colour: blue\n", ""),
    ),
    Case("DL108", sub(D30, 'id: "0030"', 'id: "0034"'), move(D30, "content/decisions/0034-eta-report.md")),
    Case(
        "DL109",
        write("content/decisions/0032-feed.md", DRAFT_0034.format(id="0032")),
        steps(
            delete("content/decisions/0032-feed.md"),
            write("content/decisions/0034-feed.md", DRAFT_0034.format(id="0034")),
        ),
    ),
    Case(
        "DL110",
        sub(D32, "partners: [maplegrid, kanto-lab, rota-sul]", "partners: []"),
        sub(D32, "partners: []", "partners: [maplegrid, kanto-lab, rota-sul]"),
    ),
    Case(
        "DL111",
        sub(D30, "tags: [eta-model", "tag: [eta-model"),
        sub(D30, "tag: [eta-model", "tags: [eta-model"),
    ),
    # --- references
    Case("DL201", sub(D30, "kanto-lab, rota-sul]", "kanto-lab, rota-su]"), sub(D30, "rota-su]", "rota-sul]")),
    Case(
        "DL202",
        sub(D30, "owner: yuki-mori", "owner: yuki-mor"),
        sub(D30, "owner: yuki-mor", "owner: yuki-mori"),
    ),
    Case(
        "DL203",
        sub(D26, "meeting: 2026-11-10-steering-q4", "meeting: 2026-11-11-steering-q4"),
        sub(D26, "meeting: 2026-11-11-steering-q4", "meeting: 2026-11-10-steering-q4"),
    ),
    Case("DL204", sub(Q4, '"0026", "0033"]', '"0062", "0033"]'), sub(Q4, '["0062", ', '["0026", ')),
    Case("DL205", sub(D30, "[[0015]]", "[[0051]]"), sub(D30, "[[0051]]", "[[0015]]")),
    Case(
        "DL323",
        sub(D26, "review_by: 2027-06-30", "review_by: 2026-11-01"),
        sub(D26, "review_by: 2026-11-01", "review_by: 2026-11-10"),
    ),
    Case(
        "DL206",
        sub(ROTA, "handle: beatriz-lima", "handle: your-github-handle"),
        steps(sub(ROTA, "handle: your-github-handle", "handle: beatriz-lima"), run("init", "--update")),
    ),
    Case(
        "DL207",
        steps(run("init", "--update"), sub(ROTA, "members:\n", "members:\n  - joana-reis\n")),
        run("init", "--update"),
    ),
    # --- workflow
    Case(
        "DL301",
        sub(D30, "deadline: 2026-12-04T18:00:00+09:00", "deadline: 2026-11-24T18:00:00+09:00"),
        sub(D30, "deadline: 2026-11-24T18:00:00+09:00", "deadline: 2026-11-25T18:00:00+09:00"),
    ),
    Case(
        "DL302",
        sub(D27, "status: proposed", "status: accepted"),
        sub(D27, "status: accepted", "status: proposed"),
    ),
    Case(
        "DL304",
        sub(D22, "category: operational", "category: strategic"),
        sub(D22, "category: strategic", "category: operational"),
    ),
    Case(
        "DL305",
        sub(D26, "meeting: 2026-11-10-steering-q4\n", ""),
        sub(D26, "logged:", "meeting: 2026-11-10-steering-q4\nlogged:"),
    ),
    Case(
        "DL307",
        steps(sub(D04, 'status: superseded\nsuperseded_by: "0019"', "status: accepted")),
        sub(D04, "status: accepted", 'status: superseded\nsuperseded_by: "0019"'),
    ),
    Case(
        "DL308",
        steps(
            sub(D04, 'superseded_by: "0019"', 'superseded_by: "0019"\nsupersedes: ["0019"]'),
            sub(D19, "status: accepted", 'status: superseded\nsuperseded_by: "0004"'),
        ),
        steps(
            sub(D04, 'supersedes: ["0019"]\n', ""),
            sub(D19, 'status: superseded\nsuperseded_by: "0004"', "status: accepted"),
        ),
    ),
    Case("DL309", sub(D11, "reason: >-", "rejection: >-"), sub(D11, "rejection: >-", "reason: >-")),
    Case("DL310", sub(D30, "owner: yuki-mori\n", ""), sub(D30, "proposed:", "owner: yuki-mori\nproposed:")),
    Case(
        "DL311",
        sub(D27, "partner: maplegrid\n    by: dcheng", "partner: maplegrid\n    by: elena-novak"),
        sub(D27, "by: elena-novak", "by: dcheng"),
    ),
    Case(
        "DL312",
        sub(
            D32,
            "partners: [",
            "approvals:\n  - partner: kessler\n    by: anja-kessler\n    at: 2026-11-20T10:00:00Z\n    via: explicit\npartners: [",
        ),
        sub(
            D32,
            "approvals:\n  - partner: kessler\n    by: anja-kessler\n    at: 2026-11-20T10:00:00Z\n    via: explicit\n",
            "",
        ),
    ),
    Case(
        "DL314",
        sub(Q4, "  - marcos-oliveira\n", ""),
        sub(Q4, "  - caio-santos\n", "  - caio-santos\n  - marcos-oliveira\n"),
    ),
    Case(
        "DL315",
        write("content/partners/nordhafen.md", NORDHAFEN),
        sub("content/partners/nordhafen.md", "members: []", "members: [jens-olsen]"),
    ),
    Case(
        "DL316",
        sub(D26, "decided: 2026-11-10T15:05:00+01:00", "decided: 2026-10-10T15:05:00+01:00"),
        sub(D26, "decided: 2026-10-10T15:05:00+01:00", "decided: 2026-11-10T15:05:00+01:00"),
    ),
    Case(
        "DL317",
        sub(D04, 'superseded_by: "0019"\n', ""),
        sub(D04, "status: superseded", 'status: superseded\nsuperseded_by: "0019"'),
    ),
    Case(
        "DL318",
        sub(D30, "deadline: 2026-12-04T18:00:00+09:00\n", ""),
        sub(
            D30,
            "proposed: 2026-11-23T18:00:00+09:00",
            "proposed: 2026-11-23T18:00:00+09:00\ndeadline: 2026-11-25T18:00:00+09:00",
        ),
    ),
    Case(
        "DL320",
        sub(Q4, 'decisions: ["0026", "0033"]', "decisions: []"),
        sub(Q4, "decisions: []", 'decisions: ["0026", "0033"]'),
    ),
    Case(
        "DL321",
        sub(D26, "## Context\n", "## Open questions\n\n## Context\n"),
        sub(D26, "## Open questions\n\n", ""),
    ),
    # --- against the base revision
    Case(
        "DL401",
        sub(D11, "status: rejected", "status: withdrawn"),
        sub(D11, "status: withdrawn", "status: rejected"),
        base=True,
    ),
    Case("DL402", sub(D26, "EUR 410k\n", "EUR 450k\n"), sub(D26, "EUR 450k\n", "EUR 410k\n"), base=True),
    Case(
        "DL403",
        move(D30, "content/decisions/0030-eta-report.md"),
        move("content/decisions/0030-eta-report.md", D30),
        base=True,
    ),
    Case(
        "DL404",
        delete(D32),
        steps(
            restore(D32),
            sub(
                D32,
                "status: draft",
                "status: withdrawn\nreason: Nobody needs vessel positions yet.\nrationale: Ships were out of scope.",
            ),
        ),
        base=True,
    ),
    Case(
        "DL409",
        sub(D30, "deadline: 2026-12-04", "deadline: 2026-12-03"),
        sub(D30, "deadline: 2026-12-03", "deadline: 2026-12-04"),
        base=True,
    ),
    # --- configuration
    Case(
        "DL503",
        sub("declog.toml", 'language = "en"', 'language = "en"\ncolour = "blue"'),
        sub("declog.toml", 'colour = "blue"\n', ""),
    ),
]

#: Rules whose hint a program cannot follow: it asks for a judgement, a person or an outside system.
NOT_MECHANICAL = {
    "DL004": "the frontmatter has to be rewritten as fields: what they are is the author's to say",
    "DL012": "about a path named on the command line, not a document: name another file",
    "DL016": "writing a value flatter means choosing a new shape for it",
    "DL018": "renaming needs a name the author chooses (and a file system that holds the bad one)",
    "DL303": "the approval has to come from someone else: a member of the partner named",
    "DL306": "time cannot be rewound: the exception was logged late",
    "DL313": "an explicit approval has to be collected, or the partners have to agree silence (a decision)",
    "DL319": "accepting the successor needs its partners' approvals",
    "DL324": "which accepted decision a review confirms is the partners' judgement, not the closest id",
    "DL405": "renumbering needs both branches: tests/test_base.py covers it",
    "DL406": "the dates of a pull request come from the git host",
    "DL407": "the approvals come from people on the git host",
    "DL408": "the partners have to approve again, on the git host",
    "DL501": "creating or repairing declog.toml: what goes in it is the partners' to say",
    "DL502": "the hint points at the documentation of each setting",
    "DL601": "templates are checked by `declog build`, not by `declog check`",
    "DL602": "comparing a template with the default theme's is a person's job",
    "DL603": "installing Pagefind is outside the log",
    "DL604": "templates are checked by `declog build`, not by `declog check`",
    "DL701": "reviews come from the git host",
    "DL702": "reviews come from the git host",
    "DL703": "reviews come from the git host",
    "DL704": "reviews come from the git host",
    "DL705": "reviews come from the git host",
    "DL322": "a note, not a problem: its advice (status and decided) is applied and checked --strict in "
    "test_approvals, where approvals --write gives the same lines",
}


def test_every_rule_is_applied_or_exempt() -> None:
    applied = [case.code for case in CASES]
    assert len(applied) == len(set(applied)), "a rule has two cases"
    assert not set(applied) & set(NOT_MECHANICAL), "a rule is both applied and exempt"
    assert set(applied) | set(NOT_MECHANICAL) == set(CODES), "a new rule needs a case here or an exemption"


def _findings(root: Path, base: bool) -> list[str]:
    """Every finding at the example's moment, but DL322's notes (a proposal ready to accept is news,
    not a problem: the example has one)."""
    args = ["check", "--root", str(root), "--format", "json", *(["--base", "HEAD"] if base else [])]
    done = invoke(args, env={"SOURCE_DATE_EPOCH": str(int(EXAMPLE_NOW.timestamp()))})
    assert done.exit_code in (0, 1), done.stderr
    return [
        f"{d['path']}:{d['line']} {d['code']} {d['message']}" for d in done.json() if d["code"] != "DL322"
    ]


@pytest.mark.parametrize("case", CASES, ids=[case.code for case in CASES])
def test_the_hint_fixes_the_finding(case: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = copy_example(tmp_path / "log")
    if case.base:
        isolated_git(monkeypatch, tmp_path, when="2026-11-24T12:00:00+00:00")
        for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "base"]):
            subprocess.run(["git", *args], cwd=root, check=True)
    clean = _findings(root, case.base)
    assert clean == []
    case.breaks(root)
    broken = _findings(root, case.base)
    assert any(f" {case.code} " in f for f in broken), broken
    case.fixes(root)
    assert _findings(root, case.base) == clean
