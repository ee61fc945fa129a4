"""Rules against the base revision (DL401-DL405), on real git repositories.

Every commit gets a fixed date, so nothing here depends on today's date.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import ACCEPTED, LogMaker, doc, isolated_git, make_log

pytestmark = pytest.mark.git

A = "content/decisions/0001-keep-decisions-in-git.md"

PROPOSED = doc(
    """
    id: "0031"
    title: {title}
    status: proposed
    owner: alice
    proposed: 2026-02-01T09:00:00Z
    deadline: 2026-02-04T09:00:00Z
    rationale: r
    """
)


class Repo(LogMaker):
    """A log that is also a git repository."""

    def git(self, *args: str) -> str:
        proc = subprocess.run(["git", *args], cwd=self.root, capture_output=True, text=True, check=False)
        assert proc.returncode == 0, proc.stderr
        return proc.stdout

    def commit(self, message: str) -> None:
        self.git("add", "-A")
        self.git("commit", "-q", "-m", message)


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Repo]:
    isolated_git(monkeypatch, tmp_path, when="2026-01-09T12:00:00+00:00")
    made = make_log(tmp_path / "repo")
    r = Repo(made.root)
    r.git("init", "-q", "-b", "main")
    r.decision("0001-keep-decisions-in-git", ACCEPTED)
    r.commit("base")
    monkeypatch.chdir(r.root)
    yield r


def _edit(text: str, old: str, new: str) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


def test_unchanged_log_against_its_base_is_clean(repo: Repo) -> None:
    run = repo.check("--base", "HEAD")
    assert (run.exit_code, run.stdout) == (0, "")


def test_accepted_back_to_proposed_is_dl401(repo: Repo) -> None:
    repo.decision("0001-keep-decisions-in-git", _edit(ACCEPTED, "status: accepted", "status: proposed"))
    repo.commit("reopen")
    run = repo.check("--base", "HEAD~1")
    assert run.exit_code == 1
    assert (
        f"{A}:4:9: error DL401 status cannot change from accepted to proposed (from accepted the next status can be: superseded)"
        in run.lines
    )
    [f] = repo.codes("DL401", "--base", "HEAD~1")
    assert f.hint == "from accepted the next status can be: superseded"


def test_transition_checked_in_the_work_tree_without_committing(repo: Repo) -> None:
    repo.decision("0002-x", doc('id: "0002"\ntitle: X\nstatus: draft\n'))
    repo.commit("draft")
    repo.decision(
        "0002-x", doc('id: "0002"\ntitle: X\nstatus: rejected\nreason: r\nowner: bob\nrationale: r\n')
    )
    [f] = repo.codes("DL401", "--base", "HEAD")
    assert (f.path, f.line, f.col, f.message, f.hint) == (
        "content/decisions/0002-x.md",
        4,
        9,
        "status cannot change from draft to rejected",
        "from draft the next status can be: proposed, withdrawn",
    )


def test_final_status_hint(repo: Repo) -> None:
    repo.decision("0002-x", doc('id: "0002"\ntitle: X\nstatus: withdrawn\nreason: r\n'))
    repo.commit("withdrawn")
    repo.decision("0002-x", doc('id: "0002"\ntitle: X\nstatus: draft\nreason: r\n'))
    [f] = repo.codes("DL401", "--base", "HEAD")
    assert (f.message, f.hint) == ("status cannot change from withdrawn to draft", "withdrawn is final")


def test_transitions_come_from_declog_toml(repo: Repo) -> None:
    repo.decision("0002-x", doc('id: "0002"\ntitle: X\nstatus: draft\n'))
    repo.commit("draft")
    withdrawn = doc('id: "0002"\ntitle: X\nstatus: withdrawn\nreason: r\n')
    repo.decision("0002-x", withdrawn)
    assert repo.codes("DL401", "--base", "HEAD") == []
    # the change's own declog.toml does not judge it: the base branch's does
    settings = (repo.root / "declog.toml").read_text()
    repo.config(settings + '\n[workflow.transitions]\ndraft = ["proposed"]\n')
    assert repo.codes("DL401", "--base", "HEAD") == []
    assert [f.message for f in repo.codes("DL407", "--base", "HEAD")] == [
        "governance change (the log's settings ([workflow])): every partner must approve this pull request"
    ]
    repo.decision("0002-x", doc('id: "0002"\ntitle: X\nstatus: draft\n'))
    repo.commit("agree the transitions")
    repo.decision("0002-x", withdrawn)
    assert [f.message for f in repo.codes("DL401", "--base", "HEAD")] == [
        "status cannot change from draft to withdrawn"
    ]


def test_accepted_body_changed_is_dl402_at_the_body(repo: Repo) -> None:
    repo.decision("0001-keep-decisions-in-git", ACCEPTED + "\nOne more thought.\n")
    run = repo.check("--base", "HEAD")
    assert run.exit_code == 1
    assert run.lines == [
        f"{A}:24:1: error DL402 accepted decision changed (body) (accepted decisions are frozen: revert and supersede it with a new decision)"
    ]


def test_accepted_field_changed_is_dl402_at_the_field(repo: Repo) -> None:
    repo.decision(
        "0001-keep-decisions-in-git",
        _edit(ACCEPTED, "title: Keep decisions in git", "title: Keep decisions in git and SVN"),
    )
    [f] = repo.codes("DL402", "--base", "HEAD")
    assert (f.path, f.line, f.col, f.message, f.hint) == (
        A,
        3,
        8,
        "accepted decision changed (title)",
        "accepted decisions are frozen: revert and supersede it with a new decision",
    )


def test_whitespace_at_the_end_of_the_body_is_not_a_change(repo: Repo) -> None:
    repo.decision("0001-keep-decisions-in-git", ACCEPTED + "\n\n")
    assert repo.codes("DL402", "--base", "HEAD") == []


def test_superseding_an_accepted_decision_is_allowed(repo: Repo) -> None:
    repo.decision(
        "0001-keep-decisions-in-git",
        _edit(
            _edit(ACCEPTED, "status: accepted", "status: superseded"),
            "rationale:",
            'superseded_by: "0002"\nrationale:',
        ),
    )
    successor = _edit(
        _edit(
            ACCEPTED.replace('"0001"', '"0002"'), "title: Keep decisions in git", "title: Also publish them"
        ),
        "rationale:",
        'supersedes: ["0001"]\nrationale:',
    )
    repo.decision("0002-also-publish-them", successor)
    repo.commit("supersede")
    run = repo.check("--base", "HEAD~1", "--strict")
    assert (run.exit_code, run.stdout) == (0, "")


def test_changing_a_superseded_decisions_successor_is_dl402(repo: Repo) -> None:
    repo.decision(
        "0001-keep-decisions-in-git",
        _edit(
            _edit(ACCEPTED, "status: accepted", "status: superseded"),
            "rationale:",
            'superseded_by: "0002"\nrationale:',
        ),
    )
    repo.commit("superseded")
    repo.decision(
        "0001-keep-decisions-in-git",
        _edit(
            _edit(ACCEPTED, "status: accepted", "status: superseded"),
            "rationale:",
            'superseded_by: "0003"\nrationale:',
        ),
    )
    [f] = repo.codes("DL402", "--base", "HEAD")
    assert (f.line, f.message) == (22, "superseded decision changed (superseded_by)")


def test_id_changed_in_place_is_dl403(repo: Repo) -> None:
    repo.decision("0001-keep-decisions-in-git", ACCEPTED.replace('id: "0001"', 'id: "0007"'))
    [f] = repo.codes("DL403", "--base", "HEAD")
    assert (f.path, f.line, f.col, f.message) == (A, 2, 5, "id changed from '0001' to '0007'")


def test_file_renamed_is_dl403(repo: Repo) -> None:
    repo.git("mv", A, "content/decisions/0001-keep-decisions-in-git-forever.md")
    repo.commit("rename")
    run = repo.check("--base", "HEAD~1")
    assert run.exit_code == 1
    assert run.lines == [
        "content/decisions/0001-keep-decisions-in-git-forever.md:2:5: error DL403 "
        f"decision 0001 was renamed from {A} (keep the original file name)"
    ]


def test_deleted_decision_is_dl404_at_its_old_path(repo: Repo) -> None:
    repo.git("rm", "-q", A)
    repo.commit("delete")
    run = repo.check("--base", "HEAD~1")
    assert run.exit_code == 1
    assert run.lines == [
        f"{A}:1:1: error DL404 decision 0001 ('Keep decisions in git') was deleted (restore the file; an accepted decision stays in the log: supersede it with a new decision)"
    ]


def test_deleted_without_committing(repo: Repo) -> None:
    (repo.root / A).unlink()
    [f] = repo.codes("DL404", "--base", "HEAD")
    assert (
        f.hint == "restore the file; an accepted decision stays in the log: supersede it with a new decision"
    )


def test_deleted_draft_hint_names_what_a_withdrawn_entry_lacks(repo: Repo) -> None:
    """Following the hint leads to no DL310: a withdrawn entry needs the rationale a draft may lack."""
    draft = "content/decisions/0031-draft.md"
    repo.write(draft, doc('id: "0031"\ntitle: Draft\nstatus: draft\nowner: alice\n'))
    repo.commit("draft")
    (repo.root / draft).unlink()
    [f] = repo.codes("DL404", "--base", "HEAD")
    assert f.hint == (
        "restore the file and set status: withdrawn with a reason; a withdrawn entry also needs rationale"
    )


def test_parallel_id_collision_is_dl405(repo: Repo) -> None:
    """Two branches from the same base each add 0031; main merges one; the other collides."""
    repo.git("checkout", "-q", "-b", "pricing")
    repo.decision("0031-pricing", PROPOSED.format(title="Pricing"))
    repo.commit("pricing")
    repo.git("checkout", "-q", "main")
    repo.git("checkout", "-q", "-b", "hosting")
    repo.decision("0031-hosting", PROPOSED.format(title="Hosting"))
    repo.commit("hosting")
    repo.git("checkout", "-q", "main")
    repo.git("merge", "-q", "--no-ff", "-m", "merge pricing", "pricing")
    repo.git("checkout", "-q", "hosting")

    run = repo.check("--base", "main")
    assert run.exit_code == 1
    assert run.lines == [
        "content/decisions/0031-hosting.md:2:5: error DL405 "
        "id '0031' is already used on the base branch by content/decisions/0031-pricing.md "
        "(renumber this decision to 0032: declog renumber 0031 --file content/decisions/0031-hosting.md)"
    ]
    [f] = repo.codes("DL405", "--base", "main")
    assert (
        f.hint
        == "renumber this decision to 0032: declog renumber 0031 --file content/decisions/0031-hosting.md"
    )


def test_parallel_id_collision_after_merging_main(repo: Repo) -> None:
    """As CI sees a pull request: main merged into the branch; both files present."""
    repo.git("checkout", "-q", "-b", "hosting")
    repo.decision("0031-hosting", PROPOSED.format(title="Hosting"))
    repo.commit("hosting")
    repo.git("checkout", "-q", "main")
    repo.decision("0031-pricing", PROPOSED.format(title="Pricing"))
    repo.commit("pricing")
    repo.git("checkout", "-q", "hosting")
    repo.git("merge", "-q", "-m", "merge main", "main")
    found = [(f.path, f.code) for f in repo.findings("--base", "main")]
    assert found == [
        ("content/decisions/0031-hosting.md", "DL405"),
        ("content/decisions/0031-pricing.md", "DL109"),
    ]


def test_main_moving_on_is_not_the_branchs_change(repo: Repo) -> None:
    """main accepted 0002 after the branch forked: the branch did not reopen it."""
    proposed = _edit(ACCEPTED.replace('"0001"', '"0002"'), "status: accepted", "status: proposed")
    repo.decision("0002-x", proposed)
    repo.commit("propose 0002")
    repo.git("checkout", "-q", "-b", "unrelated")
    repo.decision("0003-y", doc('id: "0003"\ntitle: Third\nstatus: draft\n'))
    repo.commit("draft 0003")
    repo.git("checkout", "-q", "main")
    repo.decision("0002-x", _edit(proposed, "status: proposed", "status: accepted"))
    repo.decision("0004-z", doc('id: "0004"\ntitle: Fourth\nstatus: draft\n'))
    repo.commit("accept 0002, draft 0004")
    repo.git("checkout", "-q", "unrelated")
    run = repo.check("--base", "main")
    # no DL401: only the note that 0002, as the branch has it, is ready to accept
    assert (run.exit_code, [line.split()[1:3] for line in run.lines]) == (0, [["note", "DL322"]])


def test_branch_that_really_reopens_a_decision_is_still_dl401(repo: Repo) -> None:
    repo.git("checkout", "-q", "-b", "reopen")
    repo.decision("0001-keep-decisions-in-git", _edit(ACCEPTED, "status: accepted", "status: proposed"))
    repo.commit("reopen")
    repo.git("checkout", "-q", "main")
    repo.decision("0004-z", doc('id: "0004"\ntitle: Fourth\nstatus: draft\n'))
    repo.commit("draft 0004")
    repo.git("checkout", "-q", "reopen")
    assert [(f.path, f.code) for f in repo.findings("--base", "main")] == [(A, "DL401")]


def test_unknown_base_ref_exits_2_with_a_clear_message(repo: Repo) -> None:
    run = repo.check("--base", "no-such-branch")
    assert run.exit_code == 2
    assert run.stdout == ""
    assert (
        run.stderr.strip()
        == "declog: error: cannot read base revision 'no-such-branch': unknown revision 'no-such-branch'"
    )


def test_base_outside_a_git_repository_exits_2(log: LogMaker) -> None:
    run = log.check("--base", "main")
    assert run.exit_code == 2
    assert run.stderr.startswith("declog: error: cannot read base revision 'main': ")


def test_log_in_a_subfolder_of_the_repository(tmp_path: Path, repo: Repo) -> None:
    sub = tmp_path / "mono"
    (sub / "docs").mkdir(parents=True)
    (repo.root).rename(sub / "docs" / "log")
    inner = Repo(sub / "docs" / "log")
    (inner.root / ".git").rename(sub / ".git")
    inner.git("add", "-A")
    inner.commit("move the log into docs/log")
    inner.decision("0001-keep-decisions-in-git", _edit(ACCEPTED, "status: accepted", "status: proposed"))
    run = inner.check("--base", "HEAD")
    assert run.lines == [
        f"{A}:4:9: error DL401 status cannot change from accepted to proposed (from accepted the next status can be: superseded)"
    ]
    github = inner.check("--base", "HEAD", "--format", "github")
    assert github.lines[0].startswith(f"::error file=docs/log/{A},line=4,col=9,title=DL401::")


def test_logged_defaults_to_the_commit_that_added_the_file(repo: Repo) -> None:
    # Decided 10:00 +01:00 on 8 January, committed 12:00 UTC on 9 January: 27 hours later.
    exception = _edit(
        _edit(ACCEPTED.replace('"0001"', '"0002"'), "logged: 2026-01-08T10:05:00+01:00\n", ""),
        "rationale:",
        "source: {kind: chat}\nrationale:",
    )
    repo.decision("0002-hotfix", exception)
    repo.commit("log the hotfix decision")
    found = repo.codes("DL306")
    assert [(f.path, f.message) for f in found] == [
        (
            "content/decisions/0002-hotfix.md",
            "exception logged 1d 3h after it was decided; the window is 1d",
        )
    ]


def test_summary_names_the_decisions_the_change_touches(repo: Repo) -> None:
    repo.decision("0031-new-idea", PROPOSED.format(title="New idea"))
    repo.commit("propose")
    run = repo.check("--base", "HEAD~1")
    assert run.exit_code == 0
    assert "(the change adds or edits 1 decision: 0031)" in run.stderr
    assert "adds or edits" not in repo.check().stderr  # without --base there is no change to name


def test_github_annotates_warnings_only_on_files_the_change_touched(repo: Repo) -> None:
    """A warning the pull request did not cause is listed, not annotated; an error anywhere still is."""
    old = "content/decisions/0002-old.md"
    repo.write(old, doc('id: "0002"\ntitle: Old\nstatus: draft\ncolour: red\n'))
    repo.commit("an old warning")
    new = "content/decisions/0003-new.md"
    repo.write(new, doc('id: "0003"\ntitle: New\nstatus: draft\nshade: blue\n'))
    repo.write(A, _edit(ACCEPTED, "status: accepted", "status: proposed"))
    repo.git("commit", "-q", "-am", "reopen")  # the error is committed, the new warning is not
    run = repo.check("--base", "HEAD~1", "--format", "github")
    annotations = [row for row in run.lines if row.startswith("::") and "group::" not in row]
    assert [row.split("::")[1] for row in annotations] == [
        f"error file={A},line=4,col=9,title=DL401",
        f"warning file={new},line=5,col=1,title=DL107",
        "notice title=declog",
    ]
    assert annotations[-1].endswith(
        "::1 warning on files this change did not touch (listed below, not annotated)"
    )
    assert f"{old}:5:1: warning DL107 unknown field 'colour'" in run.lines  # still in the list
    without_base = repo.check("--format", "github").lines  # the whole log is judged: every warning counts
    assert any(row.startswith(f"::warning file={old}") for row in without_base)
