"""Hostile pull requests: no change can decide for another partner.

Every test builds a real git repository: main holds the partnership (alpha
and beta, the base's declog.toml), and a branch by bob-b (a member of beta)
proposes a decision for both partners. The two required checks are run as CI
runs them (``declog check --base main`` and ``declog approvals --base main``
with the pull request's reviews as ``gh pr view --json`` gives them). Each
attack must leave at least one of them failing with a finding or a verdict
that says why; the genuine case beside it, where every partner really
approved, must pass.
"""

from __future__ import annotations

import datetime as dt
import json
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import GitRepo, Run, doc, invoke, isolated_git

pytestmark = pytest.mark.git

DECISION = "content/decisions/0002-share-the-staging-cluster.md"
PROPOSED_AT = "2026-11-02T09:00:00+00:00"
CONFIG = """\
[workflow]
feedback_window = "48h"
approval = "all"
self_approval = false

[workflow.silence]
allowed = true
partners = ["alpha"]
categories = ["operational"]
agreement = "0001"
"""
AGREEMENT = doc(
    """
    id: "0001"
    title: Silence counts as approval for alpha on operational decisions
    status: accepted
    mode: sync
    category: strategic
    partners: [alpha, beta]
    owner: al-a
    meeting: 2026-10-01-kickoff
    decided: 2026-10-01T10:00:00Z
    rationale: alpha's working day barely overlaps with beta's.
    approvals:
      - {partner: alpha, by: alice-a, via: meeting}
      - {partner: beta, by: bea-b, via: meeting}
    """,
    "\n## Decision\n\nSilence after the deadline counts for alpha.\n",
)
KICKOFF = doc(
    """
    id: 2026-10-01-kickoff
    title: Kickoff
    date: 2026-10-01T09:00:00Z
    attendees: [alice-a, bea-b]
    decisions: ["0001"]
    """
)


def proposal(*, extra: str = "", status: str = "proposed", proposed: str = "2026-11-02T09:00:00Z") -> str:
    deadline = proposed.replace("-11-02T", "-11-04T") if "-11-02T" in proposed else "2026-11-04T09:00:00Z"
    front = f"""\
        id: "0002"
        title: Share the staging cluster
        status: {status}
        mode: async
        partners: [alpha, beta]
        owner: bob-b
        proposed: {proposed}
        deadline: {deadline}
        rationale: One cluster costs half as much.
"""
    return doc(
        front + textwrap.indent(extra, " " * 8),
        "\n## Decision\n\nRun one shared staging cluster.\n",
    )


class Repo(GitRepo):
    ALLOW_EMPTY = True

    def reviews(self, *reviews: tuple[str, str], commit: str = "", opened: str = "") -> Path:
        """``gh pr view 5 --json number,author,reviews,createdAt`` for bob-b's pull request."""
        commit = commit or self.git("rev-parse", "HEAD")
        data = {
            "number": 5,
            "author": {"login": "bob-b"},
            "reviews": [
                {
                    "author": {"login": login},
                    "state": state,
                    "submittedAt": f"2026-11-03T{10 + i:02d}:00:00Z",
                    "commit": {"oid": commit},
                }
                for i, (login, state) in enumerate(reviews)
            ],
        }
        if opened:
            data["createdAt"] = opened
        path = self.root.parent / "reviews.json"
        path.write_text(json.dumps(data), encoding="utf-8")
        return path

    def approvals(self, reviews: Path, *args: str) -> Run:
        return invoke(
            ["approvals", "--root", str(self.root), "--base", "main", "--reviews", str(reviews), *args]
        )

    def check(self) -> Run:
        return invoke(["check", "--root", str(self.root), "--base", "main"])


#: What the report adds to silence that counts and is not in the file yet.
TO_RECORD = ", not recorded yet: `declog approvals --write` records it"


def partner_lines(run: Run) -> dict[str, str]:
    """Each partner's state on the decisions (the governance section, which follows them, left out)."""
    lines = run.lines
    end = next((i for i, line in enumerate(lines) if line.startswith("governance changes")), len(lines))
    return {line.split()[0]: " ".join(line.split()[1:]) for line in lines[:end] if line.startswith("  ")}


def governance_lines(run: Run) -> dict[str, str]:
    """Each partner's state on the governance changes."""
    lines = run.lines
    start = next((i for i, line in enumerate(lines) if line.startswith("governance changes")), len(lines))
    return {
        line.split()[0]: " ".join(line.split()[1:])
        for line in lines[start:]
        if line.startswith("  ") and not line.startswith("  content/") and ":" not in line.split()[0]
    }


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Repo]:
    isolated_git(monkeypatch, tmp_path, name="Bob", email="bob@beta.example", when=PROPOSED_AT)
    r = Repo(tmp_path / "log")
    r.write("declog.toml", CONFIG)
    r.write(
        "content/partners/alpha.md",
        doc("id: alpha\nname: Alpha\ntimezone: Asia/Tokyo\nmembers: [alice-a, al-a]\n"),
    )
    r.write(
        "content/partners/beta.md",
        doc("id: beta\nname: Beta\ntimezone: Europe/Berlin\nmembers: [bob-b, bea-b]\n"),
    )
    r.write("content/decisions/0001-silence-counts-for-alpha.md", AGREEMENT)
    r.write("content/meetings/2026-10-01-kickoff.md", KICKOFF)
    r.write("templates/.keep", "")
    r.git("init", "-q", "-b", "main")
    r.commit("the partnership")
    r.git("checkout", "-q", "-b", "bob/staging")
    monkeypatch.chdir(r.root)
    yield r


def test_the_genuine_proposal_passes_both_checks(repo: Repo) -> None:
    repo.write(DECISION, proposal())
    repo.commit("Propose a shared staging cluster")
    check = repo.check()
    assert (check.exit_code, check.stdout) == (0, ""), check.stdout
    run = repo.approvals(repo.reviews(("alice-a", "APPROVED"), ("bea-b", "APPROVED")))
    assert run.exit_code == 0, run.stdout
    assert partner_lines(run) == {
        "alpha": "approved by alice-a at 2026-11-03T10:00:00Z",
        "beta": "approved by bea-b at 2026-11-03T11:00:00Z",
    }


def test_the_authors_own_review_never_approves_for_their_partner(repo: Repo) -> None:
    repo.write(DECISION, proposal())
    repo.commit("Propose")
    run = repo.approvals(repo.reviews(("alice-a", "APPROVED"), ("bob-b", "APPROVED")))
    assert run.exit_code == 1
    assert partner_lines(run)["beta"] == (
        "pending (the review by bob-b does not count for beta: bob-b owns the decision; "
        "another member of beta must approve)"
    )


def test_a_partner_whose_only_member_owns_the_decision_is_told_how_it_can_approve(repo: Repo) -> None:
    repo.write(
        "content/partners/alpha.md",
        doc("id: alpha\nname: Alpha\ntimezone: Asia/Tokyo\nmembers: [alice-a]\n"),
    )
    repo.commit("alpha is alice alone")
    repo.git("checkout", "-q", "main")
    repo.git("merge", "-q", "bob/staging")
    repo.git("checkout", "-q", "bob/staging")
    repo.write(DECISION, proposal(extra="category: strategic\n").replace("owner: bob-b", "owner: alice-a"))
    repo.commit("Propose, owned by alice-a")
    run = repo.approvals(repo.reviews(("alice-a", "APPROVED"), ("bea-b", "APPROVED")))
    assert run.exit_code == 1
    assert partner_lines(run)["alpha"] == (
        "pending (the review by alice-a does not count for alpha: alice-a owns the decision; "
        "alpha has no other member, so add one or agree `self_approval = true`)"
    )


def test_logins_compare_case_insensitively_as_githubs_do(repo: Repo) -> None:
    repo.git("checkout", "-q", "main")
    repo.write(
        "content/partners/alpha.md",
        doc("id: alpha\nname: Alpha\ntimezone: Asia/Tokyo\nmembers: [Alice-A, al-a]\n"),
    )
    repo.commit("Alice's handle as she types it")
    repo.git("checkout", "-q", "-B", "bob/staging", "main")
    approvals = "approvals:\n  - {partner: alpha, by: Alice-A, via: pr-review}\n"
    repo.write(DECISION, proposal(extra=approvals))
    repo.commit("Propose")
    run = repo.approvals(repo.reviews(("alice-a", "APPROVED"), ("bea-b", "APPROVED")))
    assert run.exit_code == 0, run.stdout
    assert partner_lines(run)["alpha"].startswith("approved by alice-a")


# --- approvals written into the file ---------------------------------------------------------


def test_an_explicit_approval_the_change_writes_does_not_count_until_confirmed(repo: Repo) -> None:
    explicit = "approvals:\n  - {partner: beta, by: bea-b, via: explicit, at: 2026-11-02T10:00:00Z}\n"
    repo.write(DECISION, proposal(extra=explicit))
    repo.commit("Propose, with bea's approval from an email")
    run = repo.approvals(repo.reviews(("alice-a", "APPROVED")))
    assert run.exit_code == 1, run.stdout
    assert partner_lines(run)["beta"] == (
        "pending (the explicit approval by bea-b recorded in this change counts once a member of "
        "beta confirms it with a review)"
    )
    confirmed = repo.approvals(repo.reviews(("alice-a", "APPROVED"), ("bea-b", "APPROVED")))
    assert confirmed.exit_code == 0, confirmed.stdout


def test_accepting_straight_away_with_written_approvals_is_not_approved(repo: Repo) -> None:
    written = (
        "decided: 2026-11-02T09:30:00Z\napprovals:\n"
        "  - {partner: alpha, by: alice-a, via: explicit}\n"
        "  - {partner: beta, by: bea-b, via: explicit}\n"
    )
    repo.write(DECISION, proposal(status="accepted", extra="category: strategic\n" + written))
    repo.commit("Accepted, honest")
    run = repo.approvals(repo.reviews())
    assert run.exit_code == 1
    assert "(accepted): 0 of 2 needed: NOT APPROVED" in run.stdout


def test_a_forged_pr_review_approval_is_dl701(repo: Repo) -> None:
    forged = "category: strategic\napprovals:\n  - {partner: alpha, by: alice-a, via: pr-review, ref: '#5'}\n"
    repo.write(DECISION, proposal(extra=forged))
    repo.commit("Propose")
    run = repo.approvals(repo.reviews(("bea-b", "APPROVED")))
    assert run.exit_code == 1
    assert (
        f"{DECISION}:13:26: error DL701 no review by 'alice-a' on pull request #5 supports this approval"
        in (run.lines)
    )


# --- the change rewrites the rules that judge it ----------------------------------------------


def test_adding_your_own_reviewer_to_another_partner_does_not_make_them_its_member(repo: Repo) -> None:
    repo.write(
        "content/partners/alpha.md",
        doc("id: alpha\nname: Alpha\ntimezone: Asia/Tokyo\nmembers: [alice-a, al-a, bea-b]\n"),
    )
    repo.write(DECISION, proposal())
    repo.commit("Propose")
    check = repo.check()
    assert (
        "content/partners/alpha.md:1:1: note DL407 governance change (the members of alpha): every partner, alpha included, must approve this pull request"
        " (it takes effect once merged; until then the base branch's rules judge this change)"
        in (check.lines)
    )
    run = repo.approvals(repo.reviews(("bea-b", "APPROVED")))
    assert run.exit_code == 1
    assert governance_lines(run)["alpha"] == "pending"
    assert "governance changes: every partner must approve: NOT APPROVED" in run.lines


def test_a_membership_change_with_every_partners_approval_passes(repo: Repo) -> None:
    repo.write(
        "content/partners/alpha.md",
        doc("id: alpha\nname: Alpha\ntimezone: Asia/Tokyo\nmembers: [alice-a, al-a, ayo-a]\n"),
    )
    repo.commit("alpha welcomes ayo-a")
    run = repo.approvals(repo.reviews(("bea-b", "APPROVED")))
    assert run.exit_code == 1
    assert "  content/partners/alpha.md: the members of alpha (needs alpha's own approval)" in run.lines
    run = repo.approvals(repo.reviews(("bea-b", "APPROVED"), ("alice-a", "APPROVED")))
    assert run.exit_code == 0, run.stdout
    assert "governance changes: every partner must approve: ok" in run.lines


def test_lowering_the_approval_rule_in_the_same_change_does_not_apply_to_it(repo: Repo) -> None:
    repo.write("declog.toml", CONFIG.replace('approval = "all"', 'approval = "quorum"\nquorum = 1'))
    repo.write(DECISION, proposal(extra="category: strategic\n"))
    repo.commit("Propose, and a quorum of one")
    run = repo.approvals(repo.reviews(("bea-b", "APPROVED")))
    assert run.exit_code == 1
    assert "1 of 2 needed: NOT APPROVED" in run.stdout
    assert "  declog.toml: the log's settings ([workflow])" in run.lines


def test_turning_silence_on_for_another_partner_in_the_same_change_does_not_count(repo: Repo) -> None:
    repo.write("declog.toml", CONFIG.replace('partners = ["alpha"]', 'partners = ["alpha", "beta"]'))
    repo.write(DECISION, proposal())
    repo.commit("Propose")
    run = repo.approvals(repo.reviews(("alice-a", "APPROVED")))
    assert run.exit_code == 1
    assert partner_lines(run)["beta"] == "pending"


@pytest.mark.parametrize(
    ("path", "what"),
    [
        (".github/workflows/declog.yml", "the repository's CI and settings"),
        ("CODEOWNERS", "code owners"),
        ("templates/404.html", "the site's theme"),
    ],
)
def test_ci_code_owners_and_theme_are_governance(repo: Repo, path: str, what: str) -> None:
    repo.write(path, "jobs: {approvals: {runs-on: ubuntu-latest, steps: [{run: exit 0}]}}\n")
    repo.commit("Nothing to see")
    check = repo.check()
    assert check.exit_code == 0
    # A CODEOWNERS that gives the log no owners is also out of step with the partners (a warning).
    unowned = "CODEOWNERS:1:1: warning DL207 no line gives content, declog.toml, templates, .github owners: every partner's members should own them (run `declog init --update` to regenerate declog's part of the file (your own lines are kept))"
    assert check.lines == [
        *([unowned] if path == "CODEOWNERS" else []),
        f"{path}:1:1: note DL407 governance change ({what}): every partner must approve this pull request"
        " (it takes effect once merged; until then the base branch's rules judge this change)",
    ]
    run = repo.approvals(repo.reviews(("bea-b", "APPROVED")))
    assert run.exit_code == 1
    assert governance_lines(run)["alpha"] == "pending"
    assert repo.approvals(repo.reviews(("bea-b", "APPROVED"), ("al-a", "APPROVED"))).exit_code == 0


def test_a_review_of_an_older_commit_does_not_cover_a_later_governance_edit(repo: Repo) -> None:
    repo.write("templates/404.html", "<p>Not found</p>\n")
    first = repo.commit("A friendlier 404")
    repo.write("templates/404.html", "<p>Not found</p><script>steal()</script>\n")
    repo.commit("One more tweak")
    run = repo.approvals(repo.reviews(("bea-b", "APPROVED"), ("alice-a", "APPROVED"), commit=first))
    assert run.exit_code == 1
    assert governance_lines(run)["alpha"].endswith(
        f"(reviewed commit {first[:10]}; templates/404.html changed since)"
    )


# --- back-dating ----------------------------------------------------------------------------------


def test_a_backdated_proposal_is_dl406_and_its_silence_does_not_count(repo: Repo) -> None:
    repo.write(DECISION, proposal(proposed="2026-08-02T09:00:00Z"))
    repo.commit("Propose (dated three months ago)")
    check = repo.check()
    assert check.exit_code == 1
    assert check.lines == [
        f"{DECISION}:8:11: error DL406 proposed 2026-08-02T09:00:00+00:00 is earlier than this change "
        "made it visible (2026-11-02T09:00+00:00) (set `proposed` (and `deadline`) from when the pull "
        "request opens: the feedback window runs from when partners can see the proposal)"
    ]
    # the partner whose silence counts has been silent since it became visible, but the
    # pull request was opened only yesterday: the window runs from then
    yesterday = (dt.datetime.now(dt.UTC) - dt.timedelta(days=1)).isoformat()
    run = repo.approvals(repo.reviews(("bea-b", "APPROVED"), opened=yesterday))
    assert run.exit_code == 1
    assert partner_lines(run)["alpha"] == "pending"


def test_silence_counts_once_the_window_passed_since_it_became_visible(repo: Repo) -> None:
    repo.write(DECISION, proposal())
    repo.commit("Propose")
    run = repo.approvals(repo.reviews(("bea-b", "APPROVED"), opened="2026-11-02T09:05:00Z"))
    assert run.exit_code == 0, run.stdout
    assert partner_lines(run)["alpha"] == f"approved by silence at 2026-11-04T09:00:00Z{TO_RECORD}"


def test_write_records_silence_only_once_the_window_ran_since_it_became_visible(repo: Repo) -> None:
    repo.write(DECISION, proposal())
    repo.commit("Propose")
    an_hour_ago = (dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)).isoformat()
    early = repo.approvals(repo.reviews(("bea-b", "APPROVED"), opened=an_hour_ago), "--write")
    assert early.exit_code == 1
    assert partner_lines(early)["alpha"] == "pending"
    assert "silence" not in (repo.root / DECISION).read_text(encoding="utf-8")
    repo.commit("Record beta's approval")
    run = repo.approvals(repo.reviews(("bea-b", "APPROVED"), opened="2026-11-02T09:05:00Z"), "--write")
    assert run.exit_code == 0, run.stdout
    assert "  - partner: alpha\n    at: 2026-11-04T09:00:00Z\n    via: silence\n" in (
        repo.root / DECISION
    ).read_text(encoding="utf-8")
    check = repo.check()
    # recorded, the proposal is ready to accept: a note, never a failure
    assert (check.exit_code, [line.split()[1:3] for line in check.lines]) == (0, [["note", "DL322"]])


# --- an invented meeting ---------------------------------------------------------------------------


def sync_decision(meeting: str) -> str:
    return doc(
        f"""
        id: "0002"
        title: Share the staging cluster
        status: accepted
        mode: sync
        partners: [alpha, beta]
        owner: bob-b
        meeting: {meeting}
        decided: 2026-11-02T09:00:00Z
        rationale: One cluster costs half as much.
        approvals:
          - {{partner: alpha, by: alice-a, via: meeting}}
          - {{partner: beta, by: bea-b, via: meeting}}
        """,
        "\n## Decision\n\nRun one shared staging cluster.\n",
    )


def test_a_meeting_the_change_invents_is_no_evidence(repo: Repo) -> None:
    repo.write(
        "content/meetings/2026-11-02-sync.md",
        doc(
            "id: 2026-11-02-sync\ntitle: Sync\ndate: 2026-11-02T08:00:00Z\n"
            'attendees: [alice-a, bea-b]\ndecisions: ["0002"]\n'
        ),
    )
    repo.write(DECISION, sync_decision("2026-11-02-sync"))
    repo.commit("We met, honest")
    run = repo.approvals(repo.reviews(("bea-b", "APPROVED")))
    assert run.exit_code == 1
    assert partner_lines(run)["alpha"] == (
        "pending (meeting 2026-11-02-sync is added or changed by this change; it is evidence once every partner "
        "present approves this pull request (not yet: alpha))"
    )
    # alpha's approval of the pull request confirms the meeting record, and so the decision
    assert repo.approvals(repo.reviews(("bea-b", "APPROVED"), ("al-a", "APPROVED"))).exit_code == 0


def test_a_meeting_on_the_base_branch_is_evidence_for_who_attended_it(repo: Repo) -> None:
    minutes_on_main(repo)
    repo.write(DECISION, sync_decision("2026-11-02-sync"))
    repo.commit("Record what we decided")
    run = repo.approvals(repo.reviews())
    assert run.exit_code == 0, run.stdout
    assert partner_lines(run)["alpha"] == "approved by alice-a (via meeting)"


def minutes_on_main(repo: Repo, decisions: str = '["0002"]') -> None:
    """The record of a sync on 2 November, merged into main before the decision is written up."""
    repo.git("checkout", "-q", "main")
    repo.write(
        "content/meetings/2026-11-02-sync.md",
        doc(
            "id: 2026-11-02-sync\ntitle: Sync\ndate: 2026-11-02T08:00:00Z\n"
            f"attendees: [alice-a, bea-b]\ndecisions: {decisions}\n"
        ),
    )
    repo.commit("The minutes of the sync")
    repo.git("checkout", "-q", "-B", "bob/staging", "main")


def test_a_meeting_on_the_base_does_not_vouch_for_someone_who_was_not_there(repo: Repo) -> None:
    minutes_on_main(repo)
    repo.write(DECISION, sync_decision("2026-11-02-sync").replace("by: alice-a", "by: al-a"))
    repo.commit("Record it")
    run = repo.approvals(repo.reviews())
    assert run.exit_code == 1
    assert partner_lines(run)["alpha"] == (
        "pending (al-a did not attend meeting 2026-11-02-sync as recorded on the base branch)"
    )


def test_a_meeting_on_the_base_vouches_only_for_the_decisions_its_record_lists(repo: Repo) -> None:
    """Class 2: the kickoff was attended by both partners, but it took decision 0001, not this one."""
    repo.write(DECISION, sync_decision("2026-10-01-kickoff"))
    repo.commit("Record it as taken at the kickoff")
    run = repo.approvals(repo.reviews())
    assert run.exit_code == 1
    assert partner_lines(run) == {
        partner: "pending (meeting 2026-10-01-kickoff as recorded on the base branch does not list decision 0002)"
        for partner in ("alpha", "beta")
    }


def test_adding_a_decision_to_a_past_meetings_list_is_the_present_partners_to_confirm(repo: Repo) -> None:
    """Class 2: the change writes 0002 into the kickoff's list; the base record still judges."""
    kickoff = repo.root / "content/meetings/2026-10-01-kickoff.md"
    kickoff.write_text(
        KICKOFF.replace('decisions: ["0001"]', 'decisions: ["0001", "0002"]'), encoding="utf-8"
    )
    repo.write(DECISION, sync_decision("2026-10-01-kickoff"))
    repo.commit("Record it as taken at the kickoff")
    check = repo.check()
    assert (
        "content/meetings/2026-10-01-kickoff.md:1:1: note DL407 governance change (the record of meeting "
        "'2026-10-01-kickoff'): alpha and beta, present at it, must approve this pull request"
        " (a meeting record is evidence for the decisions it lists; those present confirm it)"
    ) in check.lines
    run = repo.approvals(repo.reviews(("bea-b", "APPROVED")))
    assert run.exit_code == 1
    assert governance_lines(run) == {"alpha": "pending", "beta": "approved by bea-b at 2026-11-03T10:00:00Z"}
    assert partner_lines(run)["alpha"].startswith("pending (meeting 2026-10-01-kickoff is added or changed")
    # once both partners present confirm the record, it is evidence for what it now lists
    both = repo.approvals(repo.reviews(("bea-b", "APPROVED"), ("al-a", "APPROVED")))
    assert both.exit_code == 0, both.stdout


def test_a_meeting_approval_dated_outside_the_meeting_is_no_evidence(repo: Repo) -> None:
    minutes_on_main(repo)
    later = sync_decision("2026-11-02-sync").replace(
        "{partner: alpha, by: alice-a, via: meeting}",
        "{partner: alpha, by: alice-a, via: meeting, at: 2026-11-20T10:00:00Z}",
    )
    repo.write(DECISION, later.replace("decided: 2026-11-02T09:00:00Z", "decided: 2026-11-20T10:00:00Z"))
    repo.commit("Record it")
    run = repo.approvals(repo.reviews())
    assert run.exit_code == 1
    assert partner_lines(run)["alpha"] == (
        "pending (the approval is dated 2026-11-20T10:00:00+00:00, not during meeting 2026-11-02-sync "
        "(2026-11-02T08:00:00+00:00))"
    )


def test_a_review_without_a_time_never_outranks_a_later_one(repo: Repo) -> None:
    repo.write(DECISION, proposal(extra="category: strategic\n"))
    head = repo.commit("Propose")
    data = {
        "number": 5,
        "author": {"login": "bob-b"},
        "reviews": [
            {
                "author": {"login": "bea-b"},
                "state": "APPROVED",
                "submittedAt": "2026-11-03T09:00:00Z",
                "commit": {"oid": head},
            },
            {
                "author": {"login": "alice-a"},
                "state": "CHANGES_REQUESTED",
                "submittedAt": "2026-11-03T10:00:00Z",
                "commit": {"oid": head},
            },
            # listed last, but with no time: it cannot lift the concern raised above
            {"author": {"login": "alice-a"}, "state": "APPROVED", "commit": {"oid": head}},
        ],
    }
    reviews = repo.root.parent / "reviews.json"
    reviews.write_text(json.dumps(data), encoding="utf-8")
    run = repo.approvals(reviews)
    assert run.exit_code == 1
    assert partner_lines(run)["alpha"] == "changes requested by alice-a at 2026-11-03T10:00:00Z"


def test_accepting_a_proposal_from_the_base_keeps_its_silence(
    repo: Repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The window of a proposal already on the base ran there: accepting it later does not restart it."""
    repo.git("checkout", "-q", "main")
    repo.write(DECISION, proposal())
    repo.commit("Propose a shared staging cluster")
    repo.git("checkout", "-q", "-B", "bob/accept", "main")
    an_hour_ago = (dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)).isoformat()
    monkeypatch.setenv("GIT_AUTHOR_DATE", an_hour_ago)
    monkeypatch.setenv("GIT_COMMITTER_DATE", an_hour_ago)
    accepted = proposal(status="accepted", extra="decided: 2026-11-04T10:00:00Z\n")
    repo.write(DECISION, accepted)
    repo.commit("Accept: alpha was silent, beta approved")
    run = repo.approvals(repo.reviews(("bea-b", "APPROVED")))
    assert run.exit_code == 0, run.stdout
    assert partner_lines(run)["alpha"] == f"approved by silence at 2026-11-04T09:00:00Z{TO_RECORD}"


# --- an approval is bound to the outcome it approved (class 1) -------------------------------------


def on_main(repo: Repo, text: str, branch: str = "bob/change") -> None:
    """``text`` as decision 0002 on main, and a fresh branch from there."""
    repo.git("checkout", "-q", "main")
    repo.write(DECISION, text)
    repo.commit("Decision 0002 as main has it")
    repo.git("checkout", "-q", "-B", branch, "main")


def recent(monkeypatch: pytest.MonkeyPatch, ago: dt.timedelta = dt.timedelta(hours=1)) -> None:
    """Commits from now on are made ``ago`` before the real clock."""
    when = (dt.datetime.now(dt.UTC) - ago).isoformat()
    monkeypatch.setenv("GIT_AUTHOR_DATE", when)
    monkeypatch.setenv("GIT_COMMITTER_DATE", when)


REWRITTEN = "\n## Decision\n\nRun one shared staging cluster, and production on it too.\n"


def rewrite(text: str) -> str:
    """The decision accepted, with its title and body rewritten."""
    body = text.index("\n## Decision")
    front = text[:body].replace("title: Share the staging cluster", "title: Share every cluster")
    front = front.replace("status: proposed", "status: accepted\ndecided: 2026-11-05T09:00:00Z")
    return front + REWRITTEN


@pytest.mark.parametrize(
    "recorded",
    [
        "{partner: alpha, by: alice-a, via: explicit, at: 2026-11-03T10:00:00Z}",
        "{partner: alpha, by: alice-a, via: meeting, at: 2026-11-02T08:30:00Z}",
    ],
)
def test_an_approval_on_the_base_does_not_carry_to_a_rewritten_text(
    repo: Repo, monkeypatch: pytest.MonkeyPatch, recorded: str
) -> None:
    extra = f"category: strategic\nmode: sync\nmeeting: 2026-11-02-sync\napprovals:\n  - {recorded}\n"
    minutes_on_main(repo)
    on_main(repo, proposal(extra=extra).replace("mode: async\n", ""))
    repo.write(DECISION, rewrite(repo.root.joinpath(DECISION).read_text(encoding="utf-8")))
    repo.commit("Accept it (with a few edits)")
    check = repo.check()
    assert check.exit_code == 1
    assert any(
        "error DL408 alpha's approval by 'alice-a' via" in line
        and "was given on the base branch; body, title changed since" in line
        for line in check.lines
    ), check.stdout
    run = repo.approvals(repo.reviews(("bea-b", "APPROVED")))
    assert run.exit_code == 1, run.stdout
    assert partner_lines(run)["alpha"].startswith("pending (the ")
    assert partner_lines(run)["alpha"].endswith(
        "approval by alice-a on the base branch no longer counts: body, title changed since)"
    )


def test_recorded_silence_on_the_base_does_not_carry_to_a_rewritten_text(
    repo: Repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    silence = "approvals:\n  - {partner: alpha, at: 2026-11-04T09:00:00Z, via: silence}\n"
    on_main(repo, proposal(extra=silence))
    recent(monkeypatch)
    repo.write(DECISION, rewrite(repo.root.joinpath(DECISION).read_text(encoding="utf-8")))
    repo.commit("Accept it (with a few edits)")
    assert "DL408" in repo.check().stdout
    run = repo.approvals(repo.reviews(("bea-b", "APPROVED")))
    assert run.exit_code == 1, run.stdout
    # the new text has been visible for an hour: alpha's silence on it has not run its window
    assert partner_lines(run)["alpha"] == "pending"


def test_the_same_text_accepted_keeps_the_approvals_the_base_recorded(
    repo: Repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    explicit = "approvals:\n  - {partner: alpha, by: alice-a, via: explicit, at: 2026-11-03T10:00:00Z}\n"
    on_main(repo, proposal(extra=explicit))
    recent(monkeypatch)
    text = repo.root.joinpath(DECISION).read_text(encoding="utf-8")
    accepted = text.replace("status: proposed", "status: accepted\ndecided: 2026-11-05T09:00:00Z")
    accepted = accepted.replace(
        "at: 2026-11-03T10:00:00Z}\n",
        "at: 2026-11-03T10:00:00Z}\n  - {partner: beta, by: bea-b, via: pr-review, ref: '#5'}\n",
    )
    repo.write(DECISION, accepted)
    repo.commit("Accept it")
    check = repo.check()
    assert (check.exit_code, check.stdout) == (0, "")
    run = repo.approvals(repo.reviews(("bea-b", "APPROVED")))
    assert run.exit_code == 0, run.stdout
    assert partner_lines(run)["alpha"] == "approved by alice-a at 2026-11-03T10:00:00Z (via explicit)"


def test_a_pull_request_cannot_shorten_the_window_the_base_gave(
    repo: Repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    proposed, deadline = (now - dt.timedelta(days=3)).isoformat(), (now + dt.timedelta(days=4)).isoformat()
    text = proposal().replace("2026-11-02T09:00:00Z", proposed).replace("2026-11-04T09:00:00Z", deadline)
    on_main(repo, text)
    recent(monkeypatch)
    earlier = (now - dt.timedelta(hours=1)).isoformat()
    repo.write(DECISION, text.replace(deadline, earlier))
    repo.commit("The deadline was yesterday, really")
    check = repo.check()
    assert check.exit_code == 1
    assert any(
        f"error DL409 deadline moved earlier than on the base branch ({deadline})" in line
        for line in check.lines
    ), check.stdout
    run = repo.approvals(repo.reviews(("bea-b", "APPROVED")))
    assert run.exit_code == 1, run.stdout
    assert partner_lines(run)["alpha"] == "pending"


def test_approving_a_rejection_is_not_consent_to_accept(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    on_main(repo, proposal(extra="category: strategic\n"))
    recent(monkeypatch, dt.timedelta(hours=2))
    text = repo.root.joinpath(DECISION).read_text(encoding="utf-8")
    rejected = text.replace(
        "status: proposed", "status: rejected\ndecided: 2026-11-05T09:00:00Z\nreason: Too risky."
    )
    repo.write(DECISION, rejected)
    reviewed = repo.commit("Reject it")
    recent(monkeypatch)
    repo.write(DECISION, rejected.replace("status: rejected", "status: accepted"))
    repo.commit("Accept it after all")
    run = repo.approvals(repo.reviews(("alice-a", "APPROVED"), ("bea-b", "APPROVED"), commit=reviewed))
    assert run.exit_code == 1, run.stdout
    assert partner_lines(run)["alpha"] == (
        f"stale by alice-a at 2026-11-03T10:00:00Z (reviewed commit {reviewed[:10]}; it was given to the "
        "decision rejected: consent to rejecting it, not to accepting it)"
    )


# --- a file is judged by what it says, never through a link (class 3) ------------------------------


@pytest.mark.parametrize(
    ("path", "target"),
    [
        ("content/partners/beta.md", "beta-copy.md"),
        ("declog.toml", "content/settings-copy.toml"),
        ("templates/404.html", "harmless.html"),
        ("CODEOWNERS", "docs-owners.txt"),
    ],
)
def test_a_governance_file_replaced_by_a_link_after_review_is_refused(
    repo: Repo, path: str, target: str
) -> None:
    """The link's target was in the reviewed commit; the link itself comes after every partner reviewed."""
    link = repo.root / path
    original = link.read_text(encoding="utf-8") if link.exists() else "* @alice-a @bea-b\n"
    repo.write(path, original)
    repo.write(str(Path(path).parent / target), original.replace("bea-b", "bob-b"))
    reviewed = repo.commit("A harmless copy")
    link.unlink()
    link.symlink_to(target)
    repo.commit("Point at the copy")
    check = repo.check()
    assert check.exit_code != 0, check.stdout
    assert any(
        path in line and "symlink" in line for line in check.stdout.splitlines() + check.stderr.splitlines()
    )
    run = repo.approvals(repo.reviews(("alice-a", "APPROVED"), ("bea-b", "APPROVED"), commit=reviewed))
    assert run.exit_code != 0, run.stdout


def test_a_decision_that_is_a_link_is_refused_and_never_judged_through_it(repo: Repo) -> None:
    repo.write("notes/staging.md", proposal())
    (repo.root / "content/decisions").mkdir(parents=True, exist_ok=True)
    (repo.root / DECISION).symlink_to("../../notes/staging.md")
    repo.commit("Propose, kept in notes/")
    check = repo.check()
    assert check.exit_code == 1
    assert f"{DECISION}:1:1: error DL001 symlink to notes/staging.md; refused" in check.stdout
    run = repo.approvals(repo.reviews(("alice-a", "APPROVED"), ("bea-b", "APPROVED")))
    assert run.exit_code == 1, run.stdout
    assert f"{DECISION}: does not load as a decision: NOT APPROVED" in run.stdout


def test_superseding_an_accepted_decision_keeps_its_approvals_and_passes(repo: Repo) -> None:
    """docs/workflow.md, "Replacing or correcting an accepted decision": the accepting change links both."""
    replacement = proposal(
        status="accepted",
        extra=(
            'supersedes: ["0001"]\ndecided: 2026-11-03T12:00:00Z\napprovals:\n'
            "  - {partner: alpha, by: alice-a, via: pr-review, ref: '#5'}\n"
            "  - {partner: beta, by: bea-b, via: pr-review, ref: '#5'}\n"
        ),
    )
    repo.write(DECISION, replacement)
    old = "content/decisions/0001-silence-counts-for-alpha.md"
    repo.write(old, AGREEMENT.replace("status: accepted", 'status: superseded\nsuperseded_by: "0002"'))
    repo.commit("Replace 0001")
    check = repo.check()
    assert (check.exit_code, check.stdout) == (0, ""), check.stdout
    run = repo.approvals(repo.reviews(("alice-a", "APPROVED"), ("bea-b", "APPROVED")))
    assert run.exit_code == 0, run.stdout
