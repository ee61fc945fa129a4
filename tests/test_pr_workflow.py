"""The whole loop, end to end in a temporary git repository.

init -> new -> edit -> commit on a branch -> check --base -> approvals from
GitHub's review data -> --write -> check again -> accept -> build, and the
published decision page shows the approval matrix from the written approvals.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
from conftest import FIXTURES, invoke, isolated_git

pytestmark = pytest.mark.git

PARTNER = "---\nid: {pid}\nname: {name}\ntimezone: {tz}\nmembers: [{members}]\n---\n"


def git(root: Path, *args: str) -> str:
    proc = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip()


def test_from_an_empty_repository_to_a_published_approved_decision(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    isolated_git(
        monkeypatch, tmp_path, name="Anna Kim", email="anna@acme.example", when="2026-11-02T08:30:00+00:00"
    )
    root = tmp_path / "decisions"
    root.mkdir()
    monkeypatch.chdir(root)

    # 1. init, with the other partners added by hand and CODEOWNERS updated, committed on main
    run = invoke(
        ["init", "--partner", "acme", "--name", "Acme", "--member", "akim-acme", "--member", "bob-acme"]
    )
    assert run.exit_code == 0, run.stderr
    for pid, name, tz, members in [
        ("northwind", "Northwind", "America/Toronto", "jsmith-northwind"),
        ("globex", "Globex", "Asia/Tokyo", "mlee-globex"),
    ]:
        (root / f"content/partners/{pid}.md").write_text(
            PARTNER.format(pid=pid, name=name, tz=tz, members=members)
        )
    run = invoke(["init", "--update"])  # CODEOWNERS names the new partners' members too
    assert (run.exit_code, run.stdout) == (0, "wrote .github/CODEOWNERS\n"), run.stderr
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "Start the decision log")

    # 2. propose on a branch: new, then edit the draft
    git(root, "checkout", "-q", "-b", "propose/co-marketing")
    run = invoke(["new", "Co-marketing budget split for H1", "--owner", "akim-acme"])
    assert run.exit_code == 0, run.stderr
    path = run.stdout.strip()
    assert path == "content/decisions/0002-co-marketing-budget-split-for-h1.md"
    decision = root / path
    text = decision.read_text()
    text = re.sub(r"proposed: .*", "proposed: 2026-11-02T09:00:00Z", text)
    text = re.sub(r"deadline: .*", "deadline: 2026-11-04T09:00:00Z", text)
    text = text.replace(
        "---\n\n## Context",
        "rationale: Shared campaigns cost less.  # agreed in the kickoff\n---\n\n## Context",
    )
    text = text.replace("## Context\n\n", "## Context\n\nEach partner ran its own campaigns.\n")
    text = text.replace("## Decision\n\n", "## Decision\n\nSplit the H1 budget 35/35/30.\n")
    text = text.replace("## Consequences\n\n", "## Consequences\n\nOne campaign calendar.\n")
    decision.write_text(text)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "Propose: co-marketing budget split")
    head = git(root, "rev-parse", "HEAD")

    run = invoke(["check", "--base", "main"])
    assert (run.exit_code, run.stdout) == (0, ""), run.stdout

    # 3. the reviews, as GitHub lists them, on the proposal's commit; bob approves for acme
    reviews = json.loads((FIXTURES / "github" / "rest-reviews.json").read_text())
    for r in reviews:
        r["commit_id"] = head
    reviews.append(
        {**reviews[3], "id": 9, "user": {"login": "bob-acme"}, "submitted_at": "2026-11-04T13:00:00Z"}
    )
    reviews_file = tmp_path / "reviews.json"
    reviews_file.write_text(json.dumps(reviews))

    run = invoke(["approvals", "--reviews", str(reviews_file), "--pr", "17", "--base", "main", "--write"])
    assert run.exit_code == 0, run.stdout
    assert run.lines[-1] == f"wrote approvals to {path}"
    written = decision.read_text()
    assert "rationale: Shared campaigns cost less.  # agreed in the kickoff\n" in written
    assert written.count("via: pr-review") == 3
    git(root, "commit", "-q", "-am", "Record the approvals of #17")

    # the check notes that it is ready, and the lines to change (never failing)
    run = invoke(["check", "--base", "main", "--strict"])
    assert (run.exit_code, run.stdout) == (
        0,
        f"{path}:4:9: note DL322 0002 is ready to accept: the approvals the rules require are in; set "
        "`status: accepted` and `decided: 2026-11-04T13:00:00+00:00` (in this file, then commit)\n",
    )

    # 4. accept as the note says; the recorded approvals still stand against the reviews
    accepted = written.replace("status: proposed", "status: accepted").replace(
        "deadline: 2026-11-04T09:00:00Z", "deadline: 2026-11-04T09:00:00Z\ndecided: 2026-11-04T13:00:00+00:00"
    )
    decision.write_text(accepted)
    git(root, "commit", "-q", "-am", "Accept 0002")
    run = invoke(["check", "--base", "main"])
    assert (run.exit_code, run.stdout) == (0, ""), run.stdout
    run = invoke(["approvals", "--reviews", str(reviews_file), "--pr", "17", "--base", "main"])
    assert run.exit_code == 0, run.stdout
    assert not [line for line in run.lines if " DL7" in line]

    # 5. build: the decision's page shows who approved for each partner
    run = invoke(["build", "--output", str(tmp_path / "site")])
    assert run.exit_code == 0, run.stderr
    page = (tmp_path / "site/decisions/0002/index.html").read_text()
    matrix = page[page.index('id="dl-approvals"') : page.index("</table>", page.index('id="dl-approvals"'))]
    rows = re.findall(
        r'<tr class="state-(\w+)">\s*<th scope="row">.*?>([^<]+)</a></th>\s*'
        r'<td data-label="State"[^>]*>([^<]+)</td>\s*<td data-label="By">([^<]*)',
        matrix,
    )
    assert sorted(rows) == [
        ("approved", "Acme", "approved", "bob-acme"),
        ("approved", "Globex", "approved", "mlee-globex"),
        ("approved", "Northwind", "approved", "jsmith-northwind"),
    ]


def test_dismissing_stale_approvals_would_undo_the_accept_commit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """docs/getting-started.md: leave "Dismiss stale pull request approvals" off.

    The accept commit (approvals --write, status, decided) is a new push: with
    the setting on, GitHub dismisses every approval and the approvals check
    fails until each partner approves again. declog already treats an approval
    as stale when the decision's text or a governance file changes after the
    reviewed commit, so the setting adds a second round of reviews and no safety.
    """
    isolated_git(
        monkeypatch, tmp_path, name="Anna Kim", email="anna@acme.example", when="2026-11-02T08:30:00+00:00"
    )
    root = tmp_path / "log"
    root.mkdir()
    monkeypatch.chdir(root)
    assert (
        invoke(
            ["init", "--partner", "acme", "--name", "Acme", "--member", "akim-acme", "--member", "bob-acme"]
        ).exit_code
        == 0
    )
    (root / "content/partners/globex.md").write_text(
        PARTNER.format(pid="globex", name="Globex", tz="Asia/Tokyo", members="mlee-globex")
    )
    assert invoke(["init", "--update"]).exit_code == 0
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "Start")
    git(root, "checkout", "-q", "-b", "propose/x")
    path = invoke(["new", "Share the roadmap", "--owner", "akim-acme"]).stdout.strip()
    decision = root / path
    text = re.sub(r"proposed: .*", "proposed: 2026-11-02T09:00:00Z", decision.read_text())
    text = re.sub(r"deadline: .*", "deadline: 2026-11-04T09:00:00Z", text)
    decision.write_text(text.replace("---\n\n## Context", "rationale: Plans align.\n---\n\n## Context"))
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "Propose")
    proposal = git(root, "rev-parse", "HEAD")

    def review(
        login: str, commit: str, state: str = "APPROVED", at: str = "2026-11-04T10:00:00Z"
    ) -> dict[str, object]:
        return {
            "id": len(login) + len(state),
            "user": {"login": login},
            "state": state,
            "commit_id": commit,
            "submitted_at": at,
        }

    def approvals(*reviews: dict[str, object]) -> list[str]:
        (tmp_path / "reviews.json").write_text(json.dumps(list(reviews)))
        run = invoke(
            ["approvals", "--reviews", str(tmp_path / "reviews.json"), "--pr", "5", "--base", "main"]
        )
        return [str(run.exit_code), *run.lines]

    first_round = [review("bob-acme", proposal), review("mlee-globex", proposal)]
    assert approvals(*first_round)[0] == "0"
    (tmp_path / "reviews.json").write_text(json.dumps(first_round))
    assert (
        invoke(
            [
                "approvals",
                "--reviews",
                str(tmp_path / "reviews.json"),
                "--pr",
                "5",
                "--base",
                "main",
                "--write",
            ]
        ).exit_code
        == 0
    )
    text = decision.read_text().replace("status: proposed", "status: accepted")
    decision.write_text(text.replace("\napprovals:", "\ndecided: 2026-11-04T11:00:00Z\napprovals:"))
    git(root, "commit", "-q", "-am", "Accept")
    accept = git(root, "rev-parse", "HEAD")
    assert invoke(["check", "--base", "main"]).exit_code == 0

    # the setting off: the first round still approves the accepted text
    assert approvals(*first_round)[0] == "0"
    # the setting on: GitHub dismissed both approvals when the accept commit was pushed
    dismissed = [{**r, "state": "DISMISSED"} for r in first_round]
    out = approvals(*dismissed)
    assert out[0] == "1"
    assert sum(" DL703 " in line for line in out) == 2, out
    # ... until both partners approve again
    second_round = [review(r["user"]["login"], accept, at="2026-11-04T12:00:00Z") for r in first_round]  # type: ignore[index]
    assert approvals(*dismissed, *second_round)[0] == "0"
