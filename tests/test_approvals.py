"""`declog approvals`: pull request reviews as partners' approvals, on real git repositories.

The reviews are GitHub's own shapes (tests/fixtures/github/, copied from the
shared fixtures): partners acme, northwind and globex, pull request #17 by
akim-acme. Their commit ids are replaced by the test repository's commits.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES, GitRepo, Run, doc, invoke, isolated_git

from declog.authoring.frontmatter_edit import scalar
from declog.check.checker import load_and_check
from declog.log.standing import standing as where

pytestmark = pytest.mark.git

GITHUB = FIXTURES / "github"
DECISION = "content/decisions/0001-co-marketing-budget-split.md"

PARTNERS = {
    "acme": ("Acme", "Europe/Berlin", ["akim-acme", "bob-acme"]),
    "northwind": ("Northwind", "America/Toronto", ["jsmith-northwind"]),
    "globex": ("Globex", "Asia/Tokyo", ["mlee-globex"]),
}

CONFIG = """\
[workflow]
feedback_window = "48h"
approval = "all"
self_approval = false
"""

PROPOSAL = doc(
    """
    id: "0001"
    title: Co-marketing budget split for H1
    status: proposed
    mode: async
    partners: [acme, northwind, globex]
    owner: akim-acme
    proposed: 2026-11-02T09:00:00Z
    deadline: 2026-11-04T09:00:00Z
    rationale: Shared campaigns cost less.
    """,
    """
    ## Decision

    Split the H1 co-marketing budget 35/35/30.
    """,
)


#: What ``declog check`` says of the proposal once every partner's approval is recorded: the
#: lines to change, ``decided`` when the last approval came in (globex's review).
READY = (
    f"{DECISION}:4:9: note DL322 0001 is ready to accept: the approvals the rules require are in; "
    "set `status: accepted` and `decided: 2026-11-04T11:47:09+00:00` (in this file, then commit)\n"
)


class PrRepo(GitRepo):
    """A log in a git repository with main and a proposal branch."""

    def read(self, rel: str = DECISION) -> str:
        return (self.root / rel).read_text(encoding="utf-8")

    def reviews(self, name: str, commit: str, edit: Any = None) -> Path:
        """A fixture with every commit id replaced by ``commit``; ``edit`` may change the data."""
        text = (GITHUB / name).read_text(encoding="utf-8")
        for sha in {"4f1c2b9e0d6a7c3e8b5f2a1d9c0e7b6a5f4d3c2b", "9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b"}:
            text = text.replace(sha, commit)
        text = text.replace(
            "content/decisions/2026-11-02-co-marketing-budget.md", DECISION
        )  # this tree's file
        data = json.loads(text)
        if edit is not None:
            data = edit(data) or data
        path = self.root.parent / f"reviews-{name}"
        path.write_text(json.dumps(data), encoding="utf-8")
        return path

    def approvals(self, *args: str) -> Run:
        return invoke(["approvals", "--root", str(self.root), "--base", "main", *args])


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[PrRepo]:
    isolated_git(monkeypatch, tmp_path, when="2026-11-02T09:00:00+00:00")
    r = PrRepo(tmp_path / "log")
    r.write("declog.toml", CONFIG)
    for pid, (name, tz, members) in PARTNERS.items():
        r.write(
            f"content/partners/{pid}.md",
            doc(f"id: {pid}\nname: {name}\ntimezone: {tz}\nmembers: [{', '.join(members)}]\n"),
        )
    r.git("init", "-q", "-b", "main")
    r.commit("partners")
    r.git("checkout", "-q", "-b", "propose/co-marketing")
    r.write(DECISION, PROPOSAL)
    monkeypatch.chdir(r.root)
    yield r


def add_bob(data: list[dict[str, Any]]) -> None:
    """bob-acme approves for acme (akim-acme opened the pull request and cannot)."""
    data.append({**data[2], "id": 1, "user": {"login": "bob-acme"}, "submitted_at": "2026-11-04T13:00:00Z"})


def partner_lines(run: Run) -> dict[str, str]:
    return {line.split()[0]: " ".join(line.split()[1:]) for line in run.lines if line.startswith("  ")}


def test_rest_reviews_show_each_partners_state(repo: PrRepo) -> None:
    head = repo.commit("propose")
    run = repo.approvals("--reviews", str(repo.reviews("rest-reviews.json", head)), "--pr", "17")
    assert run.exit_code == 1, run.stderr
    assert run.lines[0] == "pull request #17: 5 review(s), 1 decision(s) changed since main"
    assert run.lines[1] == (
        f"{DECISION}: 0001 'Co-marketing budget split for H1' (proposed): 2 of 3 needed: NOT APPROVED"
    )
    # jsmith-northwind's later approval replaces the request for changes; mlee-globex's comment
    # came before the approval; octo-intern belongs to no partner.
    assert partner_lines(run) == {
        "acme": "pending",
        "northwind": "approved by jsmith-northwind at 2026-11-04T09:05:31Z",
        "globex": "approved by mlee-globex at 2026-11-04T11:47:09Z",
    }
    assert "reviewers in no partner (their reviews do not count): octo-intern" in run.lines


def test_every_partner_approved_exits_0(repo: PrRepo) -> None:
    head = repo.commit("propose")
    run = repo.approvals("--reviews", str(repo.reviews("rest-reviews.json", head, add_bob)), "--pr", "17")
    assert run.exit_code == 0, run.stdout
    assert partner_lines(run)["acme"] == "approved by bob-acme at 2026-11-04T13:00:00Z"
    assert run.lines[1].endswith("3 of 3 needed: ok")


def test_gh_pr_view_output_gives_the_number_and_author(repo: PrRepo) -> None:
    head = repo.commit("propose")
    run = repo.approvals("--reviews", str(repo.reviews("gh-pr-view.json", head)), "--format", "json")
    data = run.json()
    assert run.exit_code == 1
    assert (data["pull_request"], data["author"], data["ok"]) == (17, "akim-acme", False)
    [decision] = data["decisions"]
    states = {p["partner"]: (p["state"], p["by"]) for p in decision["partners"]}
    assert states == {
        "acme": ("pending", None),
        "northwind": ("approved", "jsmith-northwind"),
        "globex": ("approved", "mlee-globex"),
    }
    assert data["non_members"] == ["octo-intern"]


def test_the_event_payload_spells_states_in_lower_case(repo: PrRepo) -> None:
    head = repo.commit("propose")
    run = repo.approvals("--event", str(repo.reviews("event-pull-request-review.json", head)))
    assert run.exit_code == 1
    assert partner_lines(run) == {
        "acme": "pending",
        "northwind": "pending",
        "globex": "approved by mlee-globex at 2026-11-04T11:47:09Z",
    }
    assert "note: an event payload holds only the latest review; other reviews were not seen" in run.lines


def test_a_request_for_changes_blocks_until_its_author_approves(repo: PrRepo) -> None:
    head = repo.commit("propose")

    def concern_only(data: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [r for r in data if r["id"] != 2114002957]

    run = repo.approvals("--reviews", str(repo.reviews("rest-reviews.json", head, concern_only)))
    assert partner_lines(run)["northwind"] == "changes requested by jsmith-northwind at 2026-11-03T15:40:02Z"
    assert run.exit_code == 1


def agree_silence_for_acme_then_propose(repo: PrRepo) -> str:
    """main agrees that acme's silence counts; the proposal is then committed on top. Its commit."""
    proposal = repo.read()
    (repo.root / DECISION).unlink()
    repo.git("checkout", "-q", "main")
    repo.write("declog.toml", CONFIG + '\n[workflow.silence]\nallowed = true\npartners = ["acme"]\n')
    repo.commit("agree silence for acme")
    repo.git("checkout", "-q", "propose/co-marketing")
    repo.git("rebase", "-q", "main")
    repo.write(DECISION, proposal)
    return repo.commit("propose")


def test_silence_counts_only_where_agreed_and_after_the_deadline(repo: PrRepo) -> None:
    head = agree_silence_for_acme_then_propose(repo)
    run = repo.approvals("--reviews", str(repo.reviews("rest-reviews.json", head)))
    assert partner_lines(run)["acme"] == (
        "approved by silence at 2026-11-04T09:00:00Z, not recorded yet: `declog approvals --write` records it"
    )
    assert run.exit_code == 0


def test_write_records_the_approvals_and_keeps_every_other_byte(repo: PrRepo) -> None:
    commented = PROPOSAL.replace("owner: akim-acme\n", "owner: akim-acme  # Anna Kim\n# when:\n")
    repo.write(DECISION, commented)
    head = repo.commit("propose")
    reviews = str(repo.reviews("rest-reviews.json", head, add_bob))
    run = repo.approvals("--reviews", reviews, "--pr", "17", "--write")
    assert run.exit_code == 0, run.stdout
    assert f"wrote approvals to {DECISION}" in run.lines
    after = repo.read()
    front_end = commented.index("---\n", 4)
    assert after.startswith(commented[:front_end])
    assert after.endswith(commented[front_end:])
    assert after[front_end : after.index("---\n", 4)] == "".join(
        f"  - partner: {p}\n    by: {by}\n    at: {at}\n    via: pr-review\n"
        f'    ref: "#17"\n    commit: "{head}"\n'
        for p, by, at in [
            ("acme", "bob-acme", "2026-11-04T13:00:00Z"),
            ("northwind", "jsmith-northwind", "2026-11-04T09:05:31Z"),
            ("globex", "mlee-globex", "2026-11-04T11:47:09Z"),
        ]
    ).join(["approvals:\n", ""])
    # Recording approvals does not make the reviews stale, and a second run writes nothing.
    repo.commit("record approvals")
    again = repo.approvals("--reviews", reviews, "--pr", "17", "--write")
    assert again.exit_code == 0, again.stdout
    assert not any(line.startswith("wrote") for line in again.lines)
    assert repo.read() == after
    check = invoke(["check", "--root", str(repo.root), "--base", "main"])
    assert check.exit_code == 0, check.stdout


def test_write_refuses_a_crlf_file_rather_than_rewrite_its_line_endings(repo: PrRepo) -> None:
    """--write edits in place, as every editor of declog does (frontmatter_edit.read_document):
    a file with CRLF line endings is refused, never rewritten to LF behind the user's back."""
    crlf = PROPOSAL.replace("\n", "\r\n").encode()
    (repo.root / DECISION).write_bytes(crlf)
    head = repo.commit("propose")
    reviews = str(repo.reviews("rest-reviews.json", head, add_bob))
    run = repo.approvals("--reviews", reviews, "--pr", "17", "--write")
    assert run.exit_code == 2
    assert f"{DECISION}: has CRLF line endings; convert it to LF first (DL011)" in run.stderr
    assert (repo.root / DECISION).read_bytes() == crlf


def test_write_says_the_decision_is_ready_and_the_lines_that_accept_it(repo: PrRepo) -> None:
    head = repo.commit("propose")
    reviews = str(repo.reviews("rest-reviews.json", head, add_bob))
    run = repo.approvals("--reviews", reviews, "--pr", "17", "--write")
    assert run.exit_code == 0, run.stdout
    # decided: when the last approval came in (bob-acme's review)
    assert run.stderr == (
        f"declog: next: {DECISION}: ready to accept: set `status: accepted` and "
        f"`decided: 2026-11-04T13:00:00+00:00` in {DECISION} and commit\n"
    )
    # doing just that makes an accepted decision that passes every check
    text = repo.read().replace("status: proposed\n", "status: accepted\n")
    repo.write(DECISION, text.replace("rationale:", "decided: 2026-11-04T13:00:00+00:00\nrationale:"))
    repo.commit("accept")
    check = invoke(["check", "--root", str(repo.root), "--base", "main", "--strict"])
    assert (check.exit_code, check.stdout) == (0, "")
    assert repo.approvals("--reviews", reviews, "--pr", "17").exit_code == 0
    # without --write nothing is recorded, and no next step is said
    assert repo.approvals("--reviews", reviews, "--pr", "17").stderr == ""


def test_write_says_who_is_still_awaited_and_until_when(
    repo: PrRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    head = repo.commit("propose")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(dt.datetime(2026, 11, 3, 12, tzinfo=dt.UTC).timestamp())))
    reviews = str(repo.reviews("rest-reviews.json", head))
    run = repo.approvals("--reviews", reviews, "--pr", "17", "--write")
    assert run.exit_code == 1, run.stdout
    assert run.stderr == (
        f"declog: next: {DECISION}: still awaited: acme (until the feedback deadline, 2026-11-04 09:00 UTC)\n"
    )
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(dt.datetime(2026, 11, 5, tzinfo=dt.UTC).timestamp())))
    later = repo.approvals("--reviews", reviews, "--pr", "17", "--write")
    assert later.stderr == (
        f"declog: next: {DECISION}: still awaited: acme (the feedback deadline, 2026-11-04 09:00 UTC, has passed)\n"
    )


def test_write_names_a_blocking_concern_among_those_awaited(repo: PrRepo) -> None:
    head = repo.commit("propose")

    def concern(data: list[dict[str, Any]]) -> None:
        add_bob(data)
        data.append({**data[1], "id": 2, "submitted_at": "2026-11-04T14:00:00Z"})  # northwind again

    run = repo.approvals("--reviews", str(repo.reviews("rest-reviews.json", head, concern)), "--write")
    assert run.exit_code == 1, run.stdout
    [step] = run.stderr.splitlines()
    assert step.startswith(
        f"declog: next: {DECISION}: still awaited: northwind (changes requested by jsmith-northwind: "
        "only they can lift it)"
    ), step


def test_approvals_and_where_the_decision_stands_tell_one_story(repo: PrRepo) -> None:
    """What approvals reads from the reviews and what the decision file then says agree (one truth).

    Before the approvals are recorded, the file alone shows acme's silence as due (counted, not yet
    recorded) and the reviewed partners as awaited; once ``approvals --write`` records the reviews
    and acme's silence, the partners the file counts are exactly those approvals counted, nothing is
    left to record, and the log passes its check.
    """
    head = agree_silence_for_acme_then_propose(repo)
    reviews = str(repo.reviews("rest-reviews.json", head))

    def standing() -> dict[str, Any]:
        [record] = invoke(["query", "id = 1", "--root", str(repo.root), "--format", "json"]).json()
        return {k: record[k] for k in ("approved_by", "silence_due", "waiting_on", "ready")}

    verdict = repo.approvals("--reviews", reviews)
    assert verdict.exit_code == 0, verdict.stdout
    counted = sorted(p for p, line in partner_lines(verdict).items() if line.startswith("approved"))
    by_silence = sorted(p for p, line in partner_lines(verdict).items() if "by silence" in line)
    assert (counted, by_silence) == (["acme", "globex", "northwind"], ["acme"])
    assert standing() == {
        "approved_by": ["acme"],
        "silence_due": ["acme"],
        "waiting_on": ["northwind", "globex"],
        "ready": "no",
    }
    assert repo.approvals("--reviews", reviews, "--write").exit_code == 0
    after = standing()
    assert sorted(after["approved_by"]) == counted
    # --write records the reviews and acme's silence: nothing is left due to record
    assert after == {**after, "silence_due": [], "waiting_on": [], "ready": "yes"}
    log = load_and_check(repo.root).log
    assert log is not None
    states = {p.partner: p.state for p in where(log.by_id["0001"], log, dt.datetime.now(dt.UTC)).partners}
    assert states == {"acme": "silence", "northwind": "approved", "globex": "approved"}
    check = invoke(["check", "--root", str(repo.root), "--base", "main"])
    assert (check.exit_code, check.stdout) == (0, READY)  # a note: it never fails the check


def test_write_records_silence_that_counts_at_the_deadline_without_a_person(repo: PrRepo) -> None:
    commented = PROPOSAL.replace("owner: akim-acme\n", "owner: akim-acme  # Anna Kim\n")
    agree_silence_for_acme_then_propose(repo)
    repo.write(DECISION, commented)
    head = repo.commit("propose, with a comment")
    reviews = str(repo.reviews("rest-reviews.json", head))
    run = repo.approvals("--reviews", reviews, "--pr", "17", "--write")
    assert run.exit_code == 0, run.stdout
    assert partner_lines(run)["acme"] == "approved by silence at 2026-11-04T09:00:00Z"
    after = repo.read()
    front_end = commented.index("---\n", 4)
    assert (
        after
        == commented[:front_end]
        + (
            "approvals:\n"
            "  - partner: acme\n    at: 2026-11-04T09:00:00Z\n    via: silence\n"
            f'  - partner: northwind\n    by: jsmith-northwind\n    at: 2026-11-04T09:05:31Z\n    via: pr-review\n    ref: "#17"\n    commit: {scalar(head)}\n'
            f'  - partner: globex\n    by: mlee-globex\n    at: 2026-11-04T11:47:09Z\n    via: pr-review\n    ref: "#17"\n    commit: {scalar(head)}\n'
        )
        + commented[front_end:]
    )
    check = invoke(["check", "--root", str(repo.root), "--base", "main", "--strict"])
    assert (check.exit_code, check.stdout) == (0, READY)  # a note: it never fails the check
    # recorded, the silence is judged as before and nothing more is written
    repo.commit("record approvals")
    again = repo.approvals("--reviews", reviews, "--pr", "17", "--write")
    assert again.exit_code == 0, again.stdout
    assert partner_lines(again)["acme"] == "approved by silence at 2026-11-04T09:00:00Z"
    assert not any(line.startswith("wrote") for line in again.lines)
    assert repo.read() == after


def test_write_keeps_a_recorded_silence_that_names_a_person(repo: PrRepo) -> None:
    agree_silence_for_acme_then_propose(repo)
    signed = PROPOSAL.replace(
        "rationale:",
        "approvals:\n  - {partner: acme, by: bob-acme, at: 2026-11-04T09:00:00Z, via: silence}\nrationale:",
    )
    repo.write(DECISION, signed)
    head = repo.commit("propose, acme's silence recorded by bob")
    run = repo.approvals("--reviews", str(repo.reviews("rest-reviews.json", head)), "--pr", "17", "--write")
    assert run.exit_code == 0, run.stdout
    after = repo.read()
    assert after.count("via: silence") == 1
    assert "  - {partner: acme, by: bob-acme, at: 2026-11-04T09:00:00Z, via: silence}\n" in after
    check = invoke(["check", "--root", str(repo.root), "--base", "main", "--strict"])
    assert (check.exit_code, check.stdout) == (0, READY)  # a note: it never fails the check


def test_write_does_not_record_silence_where_it_is_not_agreed(repo: PrRepo) -> None:
    head = repo.commit("propose")
    run = repo.approvals("--reviews", str(repo.reviews("rest-reviews.json", head)), "--pr", "17", "--write")
    assert run.exit_code == 1
    assert partner_lines(run)["acme"] == "pending"
    after = repo.read()
    assert "partner: acme" not in after and "silence" not in after
    assert "partner: northwind" in after and "partner: globex" in after


def test_write_does_not_record_silence_before_the_deadline(repo: PrRepo) -> None:
    agree_silence_for_acme_then_propose(repo)
    repo.write(DECISION, PROPOSAL.replace("deadline: 2026-11-04T09:00:00Z", "deadline: 2099-11-04T09:00:00Z"))
    head = repo.commit("a long feedback window")
    run = repo.approvals("--reviews", str(repo.reviews("rest-reviews.json", head)), "--pr", "17", "--write")
    assert run.exit_code == 1
    assert partner_lines(run)["acme"] == "pending"
    assert "silence" not in repo.read()


def test_a_silence_recorded_without_a_person_shows_on_the_site_and_in_the_export(
    repo: PrRepo, tmp_path: Path
) -> None:
    head = agree_silence_for_acme_then_propose(repo)
    assert repo.approvals("--reviews", str(repo.reviews("rest-reviews.json", head)), "--write").exit_code == 0
    site = tmp_path / "site"
    built = invoke(["build", "--root", str(repo.root), "--output", str(site)])
    assert built.exit_code == 0, built.stdout + built.stderr
    page = (site / "decisions/0001/index.html").read_text(encoding="utf-8")
    acme = page[page.index('<tr class="state-silence">') :].split("</tr>")[0]
    assert acme.split("</th>\n")[1] == (
        '<td data-label="State" class="state">approved by silence</td>\n'
        '<td data-label="By"></td>\n'  # no one to name: the row says how
        '<td data-label="When"><time datetime="2026-11-04T09:00:00+00:00">2026-11-04 09:00 UTC</time>'
        '<small class="local">Acme local time: <time datetime="2026-11-04T09:00:00+00:00">'
        "2026-11-04 10:00 CET</time></small></td>\n"
        '<td data-label="How">silence</td>\n'
    )
    [record] = [
        d for d in json.loads((site / "decisions.json").read_text())["decisions"] if d["id"] == "0001"
    ]
    assert record["standing"]["acme"] == "silence"
    assert [(a["partner"], a["by"], a["via"], a["counted"]) for a in record["approvals"]] == [
        ("acme", None, "silence", True),
        ("northwind", "jsmith-northwind", "pr-review", True),
        ("globex", "mlee-globex", "pr-review", True),
    ]
    db = tmp_path / "log.sqlite"
    assert invoke(["export", "--root", str(repo.root), "--sqlite", str(db)]).exit_code == 0
    with contextlib.closing(sqlite3.connect(db)) as con:
        rows = con.execute(
            "SELECT partner, by, via, at, counted FROM approvals WHERE via = 'silence'"
        ).fetchall()
    assert rows == [("acme", None, "silence", "2026-11-04T09:00:00+00:00", 1)]


# --- trust: approvals claimed in frontmatter are checked against the reviews ----------------


def claim(partner: str, by: str, extra: str = "") -> str:
    return PROPOSAL.replace(
        "rationale:",
        f'approvals:\n  - partner: {partner}\n    by: {by}\n    via: pr-review\n    ref: "#17"\n{extra}rationale:',
    )


def findings(run: Run) -> list[str]:
    return [line for line in run.lines if " DL7" in line]


def test_forged_approval_without_a_review(repo: PrRepo) -> None:
    repo.write(DECISION, claim("acme", "bob-acme"))
    head = repo.commit("propose")
    run = repo.approvals("--reviews", str(repo.reviews("rest-reviews.json", head)), "--pr", "17")
    assert findings(run) == [
        f"{DECISION}:12:9: error DL701 no review by 'bob-acme' on pull request #17 supports this approval"
    ]
    assert run.exit_code == 1


def test_a_commented_review_is_not_an_approval(repo: PrRepo) -> None:
    repo.write(DECISION, claim("globex", "mlee-globex"))
    head = repo.commit("propose")

    def comment_only(data: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [r for r in data if r["id"] != 2114100388]

    run = repo.approvals(
        "--reviews", str(repo.reviews("rest-reviews.json", head, comment_only)), "--pr", "17"
    )
    assert findings(run) == [
        f"{DECISION}:12:9: error DL701 the review by 'mlee-globex' on pull request #17 is commented, "
        "not an approval"
    ]


def test_dismissed_review(repo: PrRepo) -> None:
    repo.write(DECISION, claim("globex", "mlee-globex"))
    head = repo.commit("propose")

    def dismiss(data: list[dict[str, Any]]) -> None:
        data[3]["state"] = "DISMISSED"

    run = repo.approvals("--reviews", str(repo.reviews("rest-reviews.json", head, dismiss)), "--pr", "17")
    assert findings(run) == [
        f"{DECISION}:12:9: error DL703 the review by 'mlee-globex' on pull request #17 was dismissed"
    ]
    assert partner_lines(run)["globex"] == "pending"
    assert run.exit_code == 1


def test_approving_on_another_partners_behalf(repo: PrRepo) -> None:
    repo.write(DECISION, claim("northwind", "mlee-globex"))
    head = repo.commit("propose")
    run = repo.approvals("--reviews", str(repo.reviews("rest-reviews.json", head)), "--pr", "17")
    assert findings(run) == [
        f"{DECISION}:12:9: error DL704 'mlee-globex' approved pull request #17 but is a member of globex on the base branch, "
        "not of northwind"
    ]


def test_non_member_approval(repo: PrRepo) -> None:
    repo.write(DECISION, claim("acme", "octo-intern"))
    head = repo.commit("propose")
    run = repo.approvals("--reviews", str(repo.reviews("rest-reviews.json", head)), "--pr", "17")
    assert findings(run) == [
        f"{DECISION}:12:9: error DL704 'octo-intern' approved pull request #17 but is a member of no partner "
        "on the base branch, not of acme"
    ]
    assert partner_lines(run)["acme"] == "pending"


def test_the_author_cannot_approve_for_their_own_partner(repo: PrRepo) -> None:
    repo.write(DECISION, claim("acme", "akim-acme").replace("owner: akim-acme", "owner: bob-acme"))
    head = repo.commit("propose")
    gh = repo.reviews(
        "gh-pr-view.json",
        head,
        lambda d: d["reviews"].append({**d["reviews"][2], "author": {"login": "akim-acme"}}),
    )
    run = repo.approvals("--reviews", str(gh))
    assert findings(run) == [
        f"{DECISION}:12:9: error DL705 'akim-acme' opened pull request #17 and cannot approve it for acme"
    ]
    assert partner_lines(run)["acme"] == (
        "pending (the review by akim-acme does not count for acme: akim-acme opened the pull request; "
        "another member of acme must approve)"
    )


def test_stale_review_of_an_older_commit(repo: PrRepo) -> None:
    repo.write(DECISION, claim("globex", "mlee-globex"))
    reviewed = repo.commit("propose")
    repo.write(DECISION, repo.read().replace("35/35/30", "40/30/30"))
    repo.commit("change the split")
    run = repo.approvals("--reviews", str(repo.reviews("rest-reviews.json", reviewed)), "--pr", "17")
    assert findings(run) == [
        f"{DECISION}:12:9: error DL702 the approval by 'mlee-globex' is stale: reviewed commit "
        f"{reviewed[:10]}; body changed since"
    ]
    assert partner_lines(run)["globex"] == (
        f"stale by mlee-globex at 2026-11-04T11:47:09Z (reviewed commit {reviewed[:10]}; body changed since)"
    )


def test_a_review_of_a_commit_this_clone_lacks_is_stale(repo: PrRepo) -> None:
    repo.commit("propose")
    run = repo.approvals("--reviews", str(GITHUB / "rest-reviews.json"), "--pr", "17")
    assert partner_lines(run)["globex"].startswith("stale by mlee-globex")
    assert "reviewed commit 9a8b7c6d5e is not in this repository or lacks the file" in run.stdout
    assert run.exit_code == 1


def test_approvals_already_on_the_base_branch_are_not_rechecked(repo: PrRepo) -> None:
    repo.write(DECISION, claim("acme", "bob-acme"))
    repo.commit("propose")
    repo.git("checkout", "-q", "main")
    repo.git("merge", "-q", "--ff-only", "propose/co-marketing")
    repo.git("checkout", "-q", "-b", "accept")
    repo.write(DECISION, repo.read().replace("rationale:", "tags: [marketing]\nrationale:"))
    head = repo.commit("tag it")
    run = repo.approvals("--reviews", str(repo.reviews("rest-reviews.json", head)), "--pr", "18")
    assert findings(run) == []


def test_github_format_annotates_and_writes_the_job_summary(repo: PrRepo, tmp_path: Path) -> None:
    repo.write(DECISION, claim("acme", "bob-acme"))
    head = repo.commit("propose")
    summary = tmp_path / "summary.md"
    reviews = str(repo.reviews("rest-reviews.json", head))
    run = invoke(
        ["approvals", "--base", "main", "--reviews", reviews, "--pr", "17", "--format", "github"],
        env={"GITHUB_STEP_SUMMARY": str(summary)},
    )
    assert run.exit_code == 1
    assert any(line.startswith(f"::error file={DECISION},line=12,col=9") for line in run.lines), run.stdout
    text = summary.read_text()
    # the job summary is the status comment's report (docs/bot.md), without its marker
    assert text.startswith("## Approvals for pull request #17\n\n### ❌ Decision log: 0001: 2 of 3")
    assert "\n#### ❌ 0001 Co-marketing budget split for H1\n" in text and "declog:status" not in text
    assert "| Northwind | ✅ approved by `jsmith-northwind`, 2026-11-04 09:05 UTC" in text
    assert "Reviews by people in no partner do not count: `octo-intern`." in text


# --- usage ------------------------------------------------------------------------------------


def test_no_reviews_is_a_usage_error(repo: PrRepo) -> None:
    repo.commit("propose")
    run = repo.approvals()
    assert run.exit_code == 2
    assert "no reviews to read: pass --reviews FILE or --event FILE" in run.stderr


def test_a_bad_reviews_file_is_a_usage_error(repo: PrRepo, tmp_path: Path) -> None:
    repo.commit("propose")
    bad = tmp_path / "bad.json"
    bad.write_text('{"reviews": [{"state": "LGTM"}]}')
    run = repo.approvals("--reviews", str(bad))
    assert run.exit_code == 2
    assert "unknown review state 'LGTM'" in run.stderr


def test_an_unknown_base_is_a_usage_error(repo: PrRepo) -> None:
    head = repo.commit("propose")
    run = invoke(["approvals", "--base", "nope", "--reviews", str(repo.reviews("rest-reviews.json", head))])
    assert run.exit_code == 2
    assert "cannot compare with base revision 'nope'" in run.stderr


def test_check_base_fails_a_change_that_proposes_and_accepts_without_approvals(repo: PrRepo) -> None:
    accepted = PROPOSAL.replace("status: proposed", "status: accepted").replace(
        "rationale:", "decided: 2026-11-05T09:00:00Z\nrationale:"
    )
    repo.write(DECISION, accepted)
    repo.commit("propose and accept")
    run = invoke(["check", "--root", str(repo.root), "--base", "main"])
    assert run.exit_code == 1
    assert (
        f"{DECISION}:4:9: error DL302 accepted without a valid approval from acme, northwind, globex"
        ' (every partner party to the decision must approve (workflow.approval = "all"))' in run.lines
    )


# --- a reviews file of another pull request ------------------------------------------------


def test_reviews_of_another_pull_request_are_refused(repo: PrRepo) -> None:
    head = repo.commit("propose")
    other = repo.reviews(
        "gh-pr-view.json", head, lambda d: d["files"].append({"path": "content/decisions/0042-elsewhere.md"})
    )
    run = repo.approvals("--reviews", str(other))
    assert run.exit_code == 2 and run.stdout == ""
    assert run.stderr == (
        "declog: error: the reviews are not of this pull request: they list 1 changed file(s) that are "
        "not in this tree: content/decisions/0042-elsewhere.md; check --pr and --reviews "
        "(or pass --force to apply them anyway)\n"
    )
    forced = repo.approvals("--reviews", str(other), "--force")
    assert forced.exit_code == 1 and "acme" in forced.stdout  # assessed as asked


def test_reviews_whose_head_commit_this_repository_lacks_are_refused(repo: PrRepo) -> None:
    repo.commit("propose")
    stranger = repo.reviews(
        "gh-pr-view.json",
        "0123456789abcdef0123456789abcdef01234567",
        lambda d: d.update(headRefOid="0123456789abcdef0123456789abcdef01234567"),
    )
    run = repo.approvals("--reviews", str(stranger))
    assert run.exit_code == 2
    assert "their head commit 0123456789ab is not in this repository (fetch it first?)" in run.stderr


def test_a_file_the_pull_request_deletes_is_not_a_stray(repo: PrRepo) -> None:
    repo.write("content/notes.md", "scratch\n")
    repo.git("add", "-A")
    repo.git("commit", "-q", "-m", "notes")
    repo.git("checkout", "-q", "main")
    repo.git("merge", "-q", "--ff-only", "propose/co-marketing")
    repo.git("checkout", "-q", "-b", "tidy")
    (repo.root / "content" / "notes.md").unlink()
    head = repo.commit("tidy")
    listed = repo.reviews("gh-pr-view.json", head, lambda d: d["files"].append({"path": "content/notes.md"}))
    assert "not of this pull request" not in repo.approvals("--reviews", str(listed)).stderr


def test_silence_does_not_count_for_a_decision_accepted_before_its_deadline(repo: PrRepo) -> None:
    """Accepted inside its feedback window, no one's silence was waited for: acme has not approved.
    The report says so, as the decision's page does."""
    agree_silence_for_acme_then_propose(repo)
    early = PROPOSAL.replace("status: proposed", "status: accepted").replace(
        "deadline: 2026-11-04T09:00:00Z", "deadline: 2026-11-04T09:00:00Z\ndecided: 2026-11-03T17:00:00Z"
    )
    repo.write(DECISION, early)
    head = repo.commit("accept before the deadline")
    run = repo.approvals("--reviews", str(repo.reviews("rest-reviews.json", head)), "--write")
    assert run.exit_code == 1
    assert partner_lines(run)["acme"] == "pending"
    assert "silence" not in repo.read()
