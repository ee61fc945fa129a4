"""`declog audit`: every figure checked against values computed by hand.

The log below has ten decisions with round dates (all UTC, "now" is
2026-03-01T00:00Z); the arithmetic behind each expected value is in the
comment next to it.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from pathlib import Path

import pytest
from conftest import LogMaker, doc, invoke, isolated_git, make_log

from declog.check.checker import load_and_check
from declog.insight.audit import Audit, Window, audit, median, percentile

NOW = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
H = dt.timedelta(hours=1)
D = dt.timedelta(days=1)

SILENCE = """\
[workflow.silence]
allowed = true
partners = ["globex"]
categories = ["operational"]
agreement = "0001"
"""

INITECH = doc(
    """
    id: initech
    name: Initech
    timezone: UTC
    members: [erin]
    """
)

MEETING = doc(
    """
    id: 2026-01-20-steering
    title: Steering
    date: 2026-01-20T10:00:00Z
    attendees: [alice, carol]
    decisions: ["0002"]
    """
)

AG = "partners: [acme, globex]"


def _decision(fields: str) -> str:
    return doc(fields, "Body.\n")


DECISIONS = {
    # lag: logged as it was decided -> 0; async resolution 01-05T09 -> 01-08T21 = 3d 12h
    "0001-a": f"""
        id: "0001"
        title: A
        status: accepted
        {AG}
        owner: alice
        proposed: 2026-01-05T09:00:00Z
        deadline: 2026-01-07T09:00:00Z
        decided: 2026-01-08T21:00:00Z
        logged: 2026-01-08T21:00:00Z
        rationale: Because.
        approvals:
          - {{partner: acme, by: bob, at: 2026-01-06T09:00:00Z, via: pr-review}}
          - {{partner: globex, by: carol, at: 2026-01-06T09:00:00Z, via: pr-review}}
        """,
    # sync, initech absent from the meeting; lag 01-20T11 -> 01-22T11 = 48h (over 24h);
    # sync resolution 01-10T10 -> 01-20T11 = 10d 1h
    "0002-b": """
        id: "0002"
        title: B
        status: accepted
        mode: sync
        partners: [acme, globex, initech]
        owner: alice
        meeting: 2026-01-20-steering
        proposed: 2026-01-10T10:00:00Z
        decided: 2026-01-20T11:00:00Z
        logged: 2026-01-22T11:00:00Z
        rationale: Because.
        approvals:
          - {partner: acme, by: bob, at: 2026-01-20T10:30:00Z, via: explicit}
          - {partner: globex, by: carol, at: 2026-01-20T10:30:00Z, via: meeting}
          - {partner: initech, by: erin, at: 2026-01-20T10:30:00Z, via: explicit}
        """,
    # rejected, no rationale; lag 01-14T21 -> 01-15T03 = 6h; resolution 01-12T09 -> 01-14T21 = 2d 12h
    "0003-c": f"""
        id: "0003"
        title: C
        status: rejected
        {AG}
        owner: carol
        proposed: 2026-01-12T09:00:00Z
        deadline: 2026-01-14T09:00:00Z
        decided: 2026-01-14T21:00:00Z
        logged: 2026-01-15T03:00:00Z
        reason: Too expensive.
        """,
    # superseded by 0005 eleven days later; globex approved by silence at the deadline;
    # lag 1h; resolution 02-01T09 -> 02-04T09 = 3d
    "0004-d": f"""
        id: "0004"
        title: D
        status: superseded
        {AG}
        owner: bob
        proposed: 2026-02-01T09:00:00Z
        deadline: 2026-02-03T09:00:00Z
        decided: 2026-02-04T09:00:00Z
        logged: 2026-02-04T10:00:00Z
        superseded_by: "0005"
        rationale: Because.
        approvals:
          - {{partner: acme, by: alice, at: 2026-02-02T09:00:00Z, via: pr-review}}
          - {{partner: globex, by: dave, at: 2026-02-03T09:00:00Z, via: silence}}
        """,
    # lag 02-15T09 -> 02-18T09 = 3d (over 24h); resolution 02-10T09 -> 02-15T09 = 5d
    "0005-e": f"""
        id: "0005"
        title: E
        status: accepted
        {AG}
        owner: alice
        proposed: 2026-02-10T09:00:00Z
        deadline: 2026-02-12T09:00:00Z
        decided: 2026-02-15T09:00:00Z
        logged: 2026-02-18T09:00:00Z
        supersedes: ["0004"]
        rationale: Because.
        approvals:
          - {{partner: acme, by: bob, at: 2026-02-11T09:00:00Z, via: pr-review}}
          - {{partner: globex, by: carol, at: 2026-02-11T09:00:00Z, via: pr-review}}
        """,
    # proposed, deadline 02-22 < now 03-01: overdue; acme approved, globex pending
    "0006-f": f"""
        id: "0006"
        title: F pricing
        status: proposed
        {AG}
        owner: dave
        tags: [pricing]
        proposed: 2026-02-20T09:00:00Z
        deadline: 2026-02-22T09:00:00Z
        rationale: Because.
        approvals:
          - {{partner: acme, by: bob, at: 2026-02-21T09:00:00Z, via: pr-review}}
        """,
    # proposed, no owner, deadline after now: both partners pending
    "0007-g": f"""
        id: "0007"
        title: G
        status: proposed
        {AG}
        proposed: 2026-02-27T09:00:00Z
        deadline: 2026-03-02T09:00:00Z
        rationale: Because.
        """,
    # a draft logged 01-10, more than 30 days before 03-01: stale
    "0008-h": """
        id: "0008"
        title: H
        status: draft
        partners: [acme]
        logged: 2026-01-10T09:00:00Z
        """,
    # a draft logged 02-20: not stale
    "0009-i": """
        id: "0009"
        title: I
        status: draft
        partners: [acme]
        logged: 2026-02-20T09:00:00Z
        """,
    "0010-j": f"""
        id: "0010"
        title: J
        status: withdrawn
        {AG}
        owner: bob
        proposed: 2026-02-05T09:00:00Z
        deadline: 2026-02-07T09:00:00Z
        reason: Overtaken by events.
        rationale: Because.
        """,
}


def write_log(root: Path) -> LogMaker:
    maker = make_log(root)
    maker.config((root / "declog.toml").read_text() + "\n" + SILENCE)
    maker.partner("initech", INITECH)
    maker.meeting("2026-01-20-steering", MEETING)
    for name, fields in DECISIONS.items():
        maker.decision(name, _decision(fields))
    return maker


@pytest.fixture
def maker(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> LogMaker:
    m = write_log(tmp_path / "log")
    monkeypatch.chdir(m.root)
    return m


def run(root: Path, **window: object) -> Audit:
    result = load_and_check(root)
    assert result.log is not None
    return audit(result.log, Window(now=NOW, **window))  # type: ignore[arg-type]


def test_the_hand_made_log_is_clean(maker: LogMaker) -> None:
    """The figures below are about a log the validator accepts (warnings allowed)."""
    run_ = maker.check("--format", "json")
    errors = [f for f in run_.json() if f["severity"] == "error"]
    assert errors == []


def test_overview(maker: LogMaker) -> None:
    a = run(maker.root)
    assert [d.id for d in a.decisions] == [f"{i:04d}" for i in range(1, 11)]
    assert a.figure("logged.total").value == 10
    assert a.figure("logged.decided").ids == ("0001", "0002", "0003", "0004", "0005")
    assert a.figure("logged.open").ids == ("0006", "0007", "0008", "0009")
    assert a.figure("logged.sync").ids == ("0002",)
    assert a.figure("logged.async").value == 9  # every other decision; drafts default to async
    assert a.figure("logged.exceptions").value == 0


def test_logging_lag(maker: LogMaker) -> None:
    a = run(maker.root)
    # lags: 0001 0, 0002 48h, 0003 6h, 0004 1h, 0005 72h
    assert dict(a.lags) == {"0001": 0 * H, "0002": 48 * H, "0003": 6 * H, "0004": 1 * H, "0005": 72 * H}
    median_ = a.figure("lag.median")
    assert (median_.value, median_.n) == (6 * H, 5)  # sorted 0, 1h, 6h, 48h, 72h: the third
    assert median_.display == "6h"
    assert a.figure("lag.p90").value == 72 * H  # nearest rank ceil(0.9 * 5) = 5: the fifth
    over = a.figure("lag.over_window")
    assert (over.value, over.n, over.ids) == (2, 5, ("0002", "0005"))  # 48h and 72h > 24h
    assert "24h" in over.method.replace("1d", "24h")


def test_time_to_resolution(maker: LogMaker) -> None:
    a = run(maker.root)
    # async: 0001 3d12h, 0003 2d12h, 0004 3d, 0005 5d -> sorted 2d12h, 3d, 3d12h, 5d;
    # median (3d + 3d12h) / 2 = 3d 6h
    async_ = a.figure("resolution.async")
    assert (async_.value, async_.n) == (3 * D + 6 * H, 4)
    assert async_.display == "3d 6h"
    sync = a.figure("resolution.sync")
    assert (sync.value, sync.n) == (10 * D + 1 * H, 1)  # 0002: 01-10T10 -> 01-20T11
    overdue = a.figure("resolution.overdue")
    assert (overdue.ids, overdue.n) == (("0006",), 2)  # deadline 02-22 < 03-01; 0007's is 03-02
    stale = a.figure("resolution.stale_drafts")
    assert (stale.ids, stale.n) == (("0008",), 2)  # logged 01-10 < 03-01 - 30d = 01-30


def test_disagreement(maker: LogMaker) -> None:
    a = run(maker.root)
    changes = a.figure("disagreement.changes_requested")
    assert (changes.value, changes.display) == (None, "n/a")
    assert "not available" in changes.method
    reversed_ = a.figure("disagreement.reversed")
    assert (reversed_.ids, reversed_.n) == (("0004",), 5)  # 0005 decided 02-15, 11 days after 02-04
    closed = 6  # 0001-0005 and 0010
    assert (a.figure("disagreement.rejected").ids, a.figure("disagreement.rejected").n) == (("0003",), closed)
    assert a.figure("disagreement.withdrawn").ids == ("0010",)


def test_completeness(maker: LogMaker) -> None:
    a = run(maker.root)
    assert (a.figure("completeness.rationale").ids, a.figure("completeness.rationale").n) == (("0003",), 8)
    assert a.figure("completeness.owner").ids == ("0007",)


def test_participation(maker: LogMaker) -> None:
    a = run(maker.root)
    rows = {p.partner: p for p in a.participation}
    acme, globex, initech = rows["acme"], rows["globex"], rows["initech"]
    assert acme.n == 10
    assert acme.approved == ("0001", "0002", "0004", "0005", "0006")
    assert (acme.silence, acme.pending, acme.absent) == ((), ("0007",), ())
    assert globex.n == 8  # not the two acme-only drafts
    assert globex.approved == ("0001", "0002", "0005")
    assert globex.silence == ("0004", "0006")  # silence at the deadline, agreed for globex, operational
    assert globex.pending == ("0007",)  # 0006's deadline has passed: globex's silence counts (to record)
    assert (initech.n, initech.approved, initech.absent) == (1, ("0002",), ("0002",))  # no member attended


def test_months(maker: LogMaker) -> None:
    a = run(maker.root)
    # January: 0002 sync; 0001, 0003, 0008 async. February: 0004-0007, 0009, 0010 async.
    assert [(m.month, m.sync, m.async_) for m in a.months] == [("2026-01", 1, 3), ("2026-02", 0, 6)]


def test_windows(maker: LogMaker) -> None:
    assert [d.id for d in run(maker.root, last=3).decisions] == ["0008", "0009", "0010"]
    since = run(maker.root, last=None, since=dt.date(2026, 2, 1))
    # dated (decided, else proposed, else logged) 02-01 or later; 0008 was logged 01-10
    assert [d.id for d in since.decisions] == ["0004", "0005", "0006", "0007", "0009", "0010"]
    only = run(maker.root, partner="initech")
    assert [d.id for d in only.decisions] == ["0002"]
    assert [p.partner for p in only.participation] == ["initech"]


def test_statistics_helpers() -> None:
    assert median([]) is None and percentile([], 90) is None
    assert median([1 * H, 3 * H]) == 2 * H
    # nearest rank: 10 values, ceil(0.9 * 10) = 9: the ninth
    assert percentile([i * H for i in range(1, 11)], 90) == 9 * H
    assert percentile([5 * H], 90) == 5 * H


# --- the command ---------------------------------------------------------------------------------


def test_cli_text_says_how_and_from_how_many(maker: LogMaker) -> None:
    out = invoke(["audit", "--today", "2026-03-01"])
    assert out.exit_code == 0, out.stderr
    assert (
        "Audit of the last 20 decisions by number (10 found), as of 2026-03-01T00:00:00+00:00" in out.stdout
    )
    assert "  Median logging lag                                 6h   n=5" in out.lines
    assert "      decisions: 0002, 0005" in out.lines
    assert "  globex                       8         3         2         1         0" in out.lines


def test_cli_json(maker: LogMaker) -> None:
    data = invoke(["audit", "--today", "2026-03-01", "--format", "json", "--last", "0"]).json()
    assert data["window"]["last"] is None and len(data["window"]["decisions"]) == 10
    figures = {f["key"]: f for s in data["sections"] for f in s["figures"]}
    assert figures["lag.p90"] | {"method": ""} == {
        "key": "lag.p90",
        "label": "90th percentile logging lag",
        "value": 259200.0,  # 72h in seconds
        "unit": "seconds",
        "display": "3d",
        "n": 5,
        "method": "",
        "ids": [],
    }
    initech = data["participation"]["partners"][2]
    assert (initech["partner"], initech["absent"]) == ("initech", {"count": 1, "ids": ["0002"]})


def test_cli_markdown(maker: LogMaker) -> None:
    out = invoke(["audit", "--today", "2026-03-01", "--format", "markdown", "--since", "2026-02-01"]).stdout
    assert out.startswith("# Decision log audit\n")
    assert "| Proposals past their deadline, still open | 1 | 2 |" in out
    assert "| Initech (`initech`) | 0 | 0 | 0 | 0 | 0 |" in out


def test_cli_errors(maker: LogMaker) -> None:
    out = invoke(["audit", "--partner", "nobody"])
    assert out.exit_code == 2
    assert "unknown partner 'nobody' (partners: acme, globex, initech)" in out.stderr
    typo = invoke(["audit", "--partner", "globx"])
    assert typo.exit_code == 2
    assert "unknown partner 'globx'; did you mean 'globex'? (partners: acme, globex, initech)" in typo.stderr
    assert invoke(["audit", "--since", "March"]).exit_code == 2
    assert "--today" in invoke(["audit", "--today", "2026-13-01"]).stderr


@pytest.mark.git
def test_logged_defaults_to_the_commit_that_added_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without `logged`, the commit that added the file says when; a proposal committed before
    the decision (the async way) has no lag."""
    m = make_log(tmp_path / "log")
    isolated_git(monkeypatch, tmp_path, name="T", email="t@example.org")
    subprocess.run(["git", "init", "-q"], cwd=m.root, check=True)
    # 0003 was decided 01-14T21:00 and committed 01-13T00:00, while it was proposed: lag 0.
    # 0001 was decided 01-08T21:00 and committed 01-10T21:00: lag 2d.
    for name, when in (("0003-c", "2026-01-13T00:00:00+00:00"), ("0001-a", "2026-01-10T21:00:00+00:00")):
        fields = "\n".join(line for line in DECISIONS[name].splitlines() if "logged:" not in line)
        m.decision(name, _decision(fields))
        dated = {**os.environ, "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when}
        subprocess.run(["git", "add", "."], cwd=m.root, env=dated, check=True)
        subprocess.run(["git", "commit", "-q", "-m", name], cwd=m.root, env=dated, check=True)
    a = run(m.root)
    assert dict(a.lags) == {"0001": 2 * D, "0003": 0 * D}
    assert a.figure("lag.over_window").ids == ("0001",)
