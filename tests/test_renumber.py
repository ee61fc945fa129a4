"""declog renumber (issue 21, item 4): an id collision fixed in one step, references following."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import ACME, LogMaker, Run, doc, invoke

D = "content/decisions"
BOARD = "2026-02-03-board"

#: What the log held before the two branches forked: decision 0001, accepted.
FIRST = doc(
    """
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
      - {partner: acme, by: bob, at: 2026-01-06T10:00:00+01:00, via: pr-review}
      - {partner: globex, by: carol, at: 2026-01-06T11:00:00+01:00, via: pr-review}
    rationale: Everyone can read git.
    """,
    "\nWe keep decisions as Markdown files.\n",
)

#: Branch one's decision 0002: a proposal that refers to 0001 only.
CHAT = doc(
    """
    id: "0002"   # taken on branch one
    title: Adopt a chat tool
    status: proposed
    mode: async
    category: operational
    partners: [acme, globex]
    owner: bob
    proposed: 2026-02-01T09:00:00+01:00
    deadline: 2026-02-03T09:00:00+01:00
    rationale: Mail is slow.
    """,
    "\n## Context\n\nSee [[0001]].\n\n## Decision\n\nChat.\n\n## Consequences\n\nFaster.\n",
)

#: Branch two's decision 0002: decided in a meeting, supersedes 0001, refers to itself.
BUDGET = doc(
    """
    id: '0002'
    title: Adopt the budget
    status: proposed
    mode: sync
    category: operational
    partners: [acme, globex]
    owner: alice
    meeting: 2026-02-03-board
    supersedes: ["0001"]   # the budget replaces it
    rationale: The board agreed.
    """,
    "\n## Context\n\nThis is [[0002]]; the [decision](0002-adopt-the-budget.md#context) itself.\n"
    "\n## Decision\n\nBudget.\n\n## Consequences\n\nMoney. `[[0002]]` in code stays.\n",
)

MEETING = doc(
    """
    id: 2026-02-03-board
    title: Board
    date: 2026-02-03T10:00:00+01:00
    attendees: [alice, bob, carol]
    decisions:
      - "0002"  # the budget
    """
)


def two_branches(log: LogMaker) -> None:
    """The merged tree of two branches that both took 0002 (the files written as git would merge them)."""
    log.decision("0001-keep-decisions-in-git", FIRST)
    log.decision("0002-adopt-a-chat-tool", CHAT)
    log.decision("0002-adopt-the-budget", BUDGET)
    log.meeting(BOARD, MEETING)
    log.partner(
        "acme", ACME.rstrip() + "\n\nOur budget: [the decision](../decisions/0002-adopt-the-budget.md).\n"
    )


def renumber(log: LogMaker, *args: str) -> Run:
    return invoke(["renumber", "--root", str(log.root), *args])


def files(log: LogMaker) -> dict[str, str]:
    return {
        p.relative_to(log.root).as_posix(): p.read_text(encoding="utf-8")
        for p in sorted((log.root / "content").rglob("*.md"))
    }


def test_a_collision_is_fixed_in_one_step_and_the_references_follow(log: LogMaker) -> None:
    two_branches(log)
    [dup] = log.codes("DL109")
    assert (dup.path, dup.message) == (
        f"{D}/0002-adopt-the-budget.md",
        f"decision id '0002' is also used by {D}/0002-adopt-a-chat-tool.md",
    )
    assert dup.hint == (
        "renumber the one that is new on your branch to the next free id (0003): declog renumber 0002 "
        f"--file {D}/0002-adopt-the-budget.md (or --file {D}/0002-adopt-a-chat-tool.md)"
    )
    before = files(log)

    run = renumber(log, "0002", "--file", f"{D}/0002-adopt-the-budget.md")

    assert (run.exit_code, run.stderr) == (
        0,
        "declog: next: run `declog check`, then commit the rename and the edits\n",
    )
    assert (
        run.lines[0]
        == f"renumbered 0002 to 0003: {D}/0002-adopt-the-budget.md -> {D}/0003-adopt-the-budget.md"
    )
    after = files(log)
    assert f"{D}/0002-adopt-the-budget.md" not in after
    budget = after[f"{D}/0003-adopt-the-budget.md"]
    # only the id and the references to itself changed: the comment, the quoting and the order stay
    assert budget == BUDGET.replace("id: '0002'", "id: '0003'").replace("[[0002]];", "[[0003]];").replace(
        "](0002-adopt-the-budget.md#context)", "](0003-adopt-the-budget.md#context)"
    )
    assert "`[[0002]]` in code stays" in budget
    assert after[f"content/meetings/{BOARD}.md"] == MEETING.replace('- "0002"', '- "0003"')
    assert "](../decisions/0003-adopt-the-budget.md)" in after["content/partners/acme.md"]
    # the other decision with the id, and the decision the budget supersedes, are untouched
    assert after[f"{D}/0002-adopt-a-chat-tool.md"] == before[f"{D}/0002-adopt-a-chat-tool.md"] == CHAT
    assert after[f"{D}/0001-keep-decisions-in-git.md"] == FIRST
    assert log.check().exit_code == 0, log.check().stdout


def test_a_back_link_follows_the_decision_that_makes_the_pair(log: LogMaker) -> None:
    """0001 is superseded by the budget: its `superseded_by` follows the budget, not the chat tool."""
    two_branches(log)
    superseded = FIRST.replace("status: accepted", "status: superseded").replace(
        "rationale:", 'superseded_by: "0002"\nrationale:'
    )
    log.decision("0001-keep-decisions-in-git", superseded)
    assert renumber(log, "0002", "--file", "0002-adopt-the-budget.md").exit_code == 0
    assert files(log)[f"{D}/0001-keep-decisions-in-git.md"] == superseded.replace('"0002"', '"0003"')


def test_a_reference_that_may_mean_either_is_left_and_reported(log: LogMaker) -> None:
    two_branches(log)
    log.partner("acme", ACME.rstrip() + "\n\nSee [[0002]].\n")
    run = renumber(log, "0002", "--file", f"{D}/0002-adopt-the-budget.md")
    assert run.exit_code == 0
    assert (
        f"declog: note: content/partners/acme.md:8: '0002' may mean {D}/0002-adopt-the-budget.md or "
        f"{D}/0002-adopt-a-chat-tool.md: left as it is (change it to 0003 if it means "
        f"{D}/0002-adopt-the-budget.md)"
    ) in run.stderr.splitlines()
    assert files(log)["content/partners/acme.md"].endswith("See [[0002]].\n")


def test_dry_run_prints_the_changes_and_writes_nothing(log: LogMaker) -> None:
    two_branches(log)
    before = files(log)
    run = renumber(log, "0002", "--file", f"{D}/0002-adopt-the-budget.md", "--dry-run")
    assert run.exit_code == 0
    assert run.lines == [
        f"would renumber 0002 to 0003: {D}/0002-adopt-the-budget.md -> {D}/0003-adopt-the-budget.md",
        f"  {D}/0003-adopt-the-budget.md",
        f"    renamed from {D}/0002-adopt-the-budget.md",
        "    line 2: id: 0003",
        "    line 16: [[0003]]",
        "    line 16: link to 0003-adopt-the-budget.md",
        "  content/partners/acme.md",
        "    line 8: link to 0003-adopt-the-budget.md",
        f"  content/meetings/{BOARD}.md",
        "    line 7: decisions[0]: 0003",
    ]
    assert files(log) == before


def test_a_unique_id_takes_the_new_id_given(log: LogMaker) -> None:
    log.decision("0001-keep-decisions-in-git", FIRST)
    log.decision("0002-adopt-the-budget", BUDGET)
    log.meeting(BOARD, MEETING)
    run = renumber(log, "0002", "0010")
    assert run.exit_code == 0, run.stderr
    after = files(log)
    assert "id: '0010'" in after[f"{D}/0010-adopt-the-budget.md"]
    assert '- "0010"' in after[f"content/meetings/{BOARD}.md"]
    assert log.codes("DL204") == [] and log.codes("DL205") == []


def test_the_silence_agreement_follows(log: LogMaker) -> None:
    log.decision("0001-keep-decisions-in-git", FIRST)
    log.write(
        "declog.toml", (log.root / "declog.toml").read_text() + '\n[workflow.silence]\nagreement = "0001"\n'
    )
    assert renumber(log, "0001").exit_code == 0
    assert 'agreement = "0002"' in (log.root / "declog.toml").read_text()
    assert log.codes("DL204") == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["0042"], "no decision has the id '0042'"),
        (["banana"], "no decision has the id 'banana' (a decision id is four or more digits)"),
        (
            ["0002"],
            f"the id 0002 is used by 2 decisions ({D}/0002-adopt-a-chat-tool.md, {D}/0002-adopt-the-budget.md); "
            "say which to renumber with --file PATH (the one that is new on your branch)",
        ),
        (
            ["0002", "0001", "--file", f"{D}/0002-adopt-the-budget.md"],
            f"the id 0001 is taken by {D}/0001-keep-decisions-in-git.md; leave NEW_ID out to take the next free id",
        ),
        (
            ["0002", "12", "--file", f"{D}/0002-adopt-the-budget.md"],
            "'12' is not a decision id (four or more digits, such as 0043)",
        ),
        (
            ["0002", "--file", "\x1b[2J0002\x00.md"],
            f"--file \\x1b[2J0002\\x00.md is not a decision with the id 0002 "
            f"(those are: {D}/0002-adopt-a-chat-tool.md, {D}/0002-adopt-the-budget.md)",
        ),
        (
            ["0002", "--file", f"{D}/0001-keep-decisions-in-git.md"],
            f"--file {D}/0001-keep-decisions-in-git.md is not a decision with the id 0002 "
            f"(those are: {D}/0002-adopt-a-chat-tool.md, {D}/0002-adopt-the-budget.md)",
        ),
    ],
)
def test_refusals_are_usage_errors_and_change_nothing(log: LogMaker, args: list[str], message: str) -> None:
    two_branches(log)
    before = files(log)
    run = renumber(log, *args)
    assert (run.exit_code, run.stdout, run.stderr) == (2, "", f"declog: error: {message}\n")
    assert files(log) == before


def test_a_file_in_the_way_of_the_new_name_is_never_overwritten(log: LogMaker) -> None:
    two_branches(log)
    stray = log.write(f"{D}/0003-adopt-the-budget.md.orig", "mine")
    (log.root / f"{D}/0003-adopt-the-budget.md").mkdir()
    run = renumber(log, "0002", "0003", "--file", f"{D}/0002-adopt-the-budget.md")
    assert run.exit_code == 2
    assert "0003" in run.stderr and run.stderr.startswith("declog: error: ")
    assert stray.read_text() == "mine" and (log.root / f"{D}/0002-adopt-the-budget.md").exists()


def test_a_new_id_taken_on_the_base_branch_is_refused(log: LogMaker, tmp_path: Path) -> None:
    from declog.authoring import renumber as renumbering
    from declog.check.checker import load_and_check

    two_branches(log)
    checked = load_and_check(log.root)
    assert checked.log is not None
    with pytest.raises(renumbering.RenumberError, match="the id 0007 is taken on the base branch"):
        renumbering.plan(
            checked.log, log.root, "0002", "0007", file="0002-adopt-the-budget.md", base_numbers=[7]
        )
    made = renumbering.plan(checked.log, log.root, "0002", file="0002-adopt-the-budget.md", base_numbers=[7])
    assert made.new_id == "0008"
