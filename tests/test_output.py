"""Output formats: what people, editors, GitHub and code scanning read."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import ACCEPTED, CONFIG, LogMaker, doc

from declog.check import output
from declog.log.codes import CODES
from declog.log.diagnostics import Diagnostic, Severity

D = "content/decisions/0002-x.md"


@pytest.fixture
def two(log: LogMaker) -> LogMaker:
    """A log with one error (DL103 at 4:9) and one warning (DL107 at 5:1)."""
    log.decision("0001-keep-decisions-in-git", ACCEPTED)
    log.decision("0002-x", doc('id: "0002"\ntitle: X\nstatus: aproved\nthe_tags: [a]\n'))
    return log


def _diag(i: int, severity: Severity = Severity.ERROR, message: str = "bad", path: str = D) -> Diagnostic:
    return Diagnostic(path, i, 1, "DL103", severity, message, "")


def test_concise_is_one_line_per_finding(two: LogMaker) -> None:
    run = two.check()
    assert run.exit_code == 1
    assert run.stdout == (
        f"{D}:4:9: error DL103 status 'aproved' is not one of: proposed, draft, accepted, rejected, "
        "withdrawn, superseded (did you mean 'accepted'?)\n"
        f"{D}:5:1: warning DL107 unknown field 'the_tags' (did you mean 'tags'?)\n"
    )
    assert run.stderr == "declog: checked 4 documents: 1 error, 1 warning\n"


def test_full_shows_source_line_caret_hint_and_rule(two: LogMaker) -> None:
    run = two.check("--format", "full")
    assert run.exit_code == 1
    assert run.stdout == (
        f"{D}:4:9: error DL103 status 'aproved' is not one of: proposed, draft, accepted, rejected, "
        "withdrawn, superseded\n"
        "   |\n"
        " 4 | status: aproved\n"
        "   |         ^\n"
        "  = hint: did you mean 'accepted'?\n"
        f"  = rule: {CODES['DL103'].rule} (not-allowed-value)\n"
        "\n"
        f"{D}:5:1: warning DL107 unknown field 'the_tags'\n"
        "   |\n"
        " 5 | the_tags: [a]\n"
        "   | ^\n"
        "  = hint: did you mean 'tags'?\n"
        f"  = rule: {CODES['DL107'].rule} (unknown-field)\n"
        "\n"
    )


def test_full_caret_under_a_wide_line_number(log: LogMaker) -> None:
    fm = 'id: "0002"\ntitle: X\nstatus: draft\n' + "".join(f"# {i}\n" for i in range(8)) + "mode: asink\n"
    log.decision("0002-x", doc(fm))
    lines = log.check("--format", "full").lines
    assert lines[1:4] == ["    |", " 13 | mode: asink", "    |       ^"]


def test_full_shows_declog_toml_lines_too(log: LogMaker) -> None:
    log.config("[site]\ntitle = 'T'\ncolour = 'red'\n")
    run = log.check("--format", "full")
    assert run.lines[:4] == [
        "declog.toml:3:1: warning DL503 unknown field 'site.colour'",
        "   |",
        " 3 | colour = 'red'",
        "   | ^",
    ]


def test_json_is_a_list_of_findings(two: LogMaker) -> None:
    run = two.check("--format", "json")
    assert run.exit_code == 1
    assert json.loads(run.stdout) == [
        {
            "path": D,
            "line": 4,
            "col": 9,
            "code": "DL103",
            "severity": "error",
            "message": "status 'aproved' is not one of: proposed, draft, accepted, rejected, withdrawn, superseded",
            "hint": "did you mean 'accepted'?",
        },
        {
            "path": D,
            "line": 5,
            "col": 1,
            "code": "DL107",
            "severity": "warning",
            "message": "unknown field 'the_tags'",
            "hint": "did you mean 'tags'?",
        },
    ]


def test_json_of_a_clean_log_is_an_empty_list(log: LogMaker) -> None:
    run = log.check("--format", "json")
    assert (run.exit_code, json.loads(run.stdout)) == (0, [])


def test_output_file_gets_the_findings_and_stdout_stays_empty(two: LogMaker, tmp_path: Path) -> None:
    target = tmp_path / "findings.json"
    run = two.check("--format", "json", "-o", str(target))
    assert (run.exit_code, run.stdout) == (1, "")
    assert [d["code"] for d in json.loads(target.read_text())] == ["DL103", "DL107"]


def test_format_from_the_environment(two: LogMaker) -> None:
    run = two.check(env={"DECLOG_OUTPUT_FORMAT": "json"})
    assert [d["code"] for d in json.loads(run.stdout)] == ["DL103", "DL107"]


def test_github_annotations(two: LogMaker, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    run = two.check("--format", "github")
    assert run.exit_code == 1
    assert run.lines == [
        f"::error file={D},line=4,col=9,title=DL103::status 'aproved' is not one of: proposed, draft, "
        "accepted, rejected, withdrawn, superseded (did you mean 'accepted'?)",
        f"::warning file={D},line=5,col=1,title=DL107::unknown field 'the_tags' (did you mean 'tags'?)",
        "::group::All findings",
        f"{D}:4:9: error DL103 status 'aproved' is not one of: proposed, draft, accepted, rejected, "
        "withdrawn, superseded (did you mean 'accepted'?)",
        f"{D}:5:1: warning DL107 unknown field 'the_tags' (did you mean 'tags'?)",
        "::endgroup::",
    ]


def test_github_escapes_data_and_properties() -> None:
    d = Diagnostic("content/decisions/a:b,c%.md", 3, 7, "DL103", Severity.ERROR, "100% sure\nreally\r", "")
    [line, *_] = output.render_github([d]).splitlines()
    assert line == (
        "::error file=content/decisions/a%3Ab%2Cc%25.md,line=3,col=7,title=DL103::100%25 sure%0Areally%0D"
    )


def test_github_escaping_of_a_real_finding(log: LogMaker) -> None:
    log.decision("0002-x", doc('id: "0002"\ntitle: X\nstatus: "100%,\\nyes: no"\n'))
    run = log.check("--format", "github")
    assert run.lines[0] == (
        f"::error file={D},line=4,col=9,title=DL103::status '100%25,%0Ayes: no' is not one of: "
        "proposed, draft, accepted, rejected, withdrawn, superseded"
    )


def test_github_shows_at_most_10_annotations_of_each_kind_and_a_notice() -> None:
    found = [_diag(i) for i in range(1, 13)] + [_diag(i, Severity.WARNING) for i in range(13, 26)]
    lines = output.render_github(found).splitlines()
    annotations = [line for line in lines if line.startswith(("::error ", "::warning "))]
    assert [a.split(" ", 1)[0] for a in annotations] == ["::error"] * 10 + ["::warning"] * 10
    assert annotations[0].startswith(f"::error file={D},line=1,")
    assert annotations[10].startswith(f"::warning file={D},line=13,")
    assert (
        "::notice title=declog::5 more finding(s) are listed in the job summary "
        "(GitHub shows 10 annotations of each kind per step)"
    ) in lines
    # Every finding is still in the log group.
    assert lines[lines.index("::group::All findings") + 1 : lines.index("::endgroup::")] == [
        output.concise(d) for d in found
    ]


def test_github_summary_is_appended_to_the_step_summary(
    two: LogMaker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    summary = tmp_path / "summary.md"
    summary.write_text("## Earlier step\n\n")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    monkeypatch.setenv("GITHUB_REPOSITORY", "acme/log")
    monkeypatch.setenv("GITHUB_SHA", "abc123")
    monkeypatch.setenv("GITHUB_SERVER_URL", "https://github.example")
    run = two.check("--format", "github")
    assert run.exit_code == 1
    blob = "https://github.example/acme/log/blob/abc123"
    assert summary.read_text() == (
        "## Earlier step\n\n"
        "## declog check\n"
        "\n"
        "4 documents checked: **1 error**, 1 warning.\n"
        "\n"
        "| | File | Line | Rule | Message |\n"
        "|---|---|---|---|---|\n"
        f"| :x: | [`{D}`]({blob}/{D}#L4) | 4 | DL103 | status 'aproved' is not one of: proposed, draft, "
        "accepted, rejected, withdrawn, superseded — did you mean 'accepted'? |\n"
        f"| :warning: | [`{D}`]({blob}/{D}#L5) | 5 | DL107 | unknown field 'the_tags' — did you mean 'tags'? |\n"
    )


def test_github_summary_of_a_clean_log(
    log: LogMaker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    run = log.check("--format", "github")
    assert (run.exit_code, run.stdout) == (0, "")
    assert "2 documents checked: **0 errors**, 0 warnings." in summary.read_text()
    assert "No problems found." in summary.read_text()


def test_summary_escapes_pipes_in_messages() -> None:
    text = output.render_summary([_diag(1, message="a | b\nc")], files=1)
    assert f"| :x: | `{D}` | 1 | DL103 | a \\| b c |" in text.splitlines()


def test_unwritable_step_summary_is_a_warning_not_a_crash(
    two: LogMaker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(tmp_path / "no" / "such" / "dir" / "summary.md"))
    run = two.check("--format", "github")
    assert run.exit_code == 1
    assert "declog: warning: cannot write the job summary to" in run.stderr


def test_sarif_structure(two: LogMaker) -> None:
    run = two.check("--format", "sarif")
    assert run.exit_code == 1
    sarif = json.loads(run.stdout)
    assert sarif["version"] == "2.1.0"
    assert sarif["$schema"].endswith("sarif-2.1.0.json")
    [the_run] = sarif["runs"]
    driver = the_run["tool"]["driver"]
    assert driver["name"] == "declog"
    rules = driver["rules"]
    assert [r["id"] for r in rules] == sorted(CODES)
    for rule in rules:
        assert rule["shortDescription"]["text"] == CODES[rule["id"]].rule
        assert rule["defaultConfiguration"]["level"] in ("error", "warning", "note")
    results = the_run["results"]
    assert [(r["ruleId"], r["level"]) for r in results] == [("DL103", "error"), ("DL107", "warning")]
    for r in results:
        assert rules[r["ruleIndex"]]["id"] == r["ruleId"]
        assert r["message"]["text"]
    [location] = results[0]["locations"]
    physical = location["physicalLocation"]
    assert physical["artifactLocation"]["uri"] == D
    assert physical["region"] == {"startLine": 4, "startColumn": 9}
    assert results[1]["message"]["text"] == "unknown field 'the_tags' (did you mean 'tags'?)"


def test_sarif_of_a_clean_log_has_no_results(log: LogMaker) -> None:
    run = log.check("--format", "sarif")
    assert run.exit_code == 0
    assert json.loads(run.stdout)["runs"][0]["results"] == []


def test_unknown_format_is_a_usage_error(log: LogMaker) -> None:
    run = log.check("--format", "xml")
    assert run.exit_code == 2
    assert "Invalid value for '--format'" in run.stderr


# --- notes: a proposal ready to accept (DL322) ------------------------------------------------

#: ACCEPTED as a proposal whose approvals are all in (bob for acme, carol for globex).
READY = ACCEPTED.replace("status: accepted", "status: proposed").replace(
    "decided: 2026-01-08T10:00:00+01:00\n", ""
)
A = "content/decisions/0001-keep-decisions-in-git.md"
#: The lines to write, ``decided`` when the last approval came in (carol's).
NOTE = (
    "note DL322 0001 is ready to accept: the approvals the rules require are in; set `status: accepted` "
    "and `decided: 2026-01-06T11:00:00+01:00` (in this file, then commit)"
)


def test_a_proposal_ready_to_accept_is_a_note_that_never_fails(
    log: LogMaker, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    log.decision("0001-keep-decisions-in-git", READY)
    run = log.check("--strict")
    assert (run.exit_code, run.stdout) == (0, f"{A}:4:9: {NOTE}\n")
    assert run.stderr == "declog: checked 3 documents: 0 errors, 0 warnings\n"
    github = log.check("--strict", "--format", "github")
    assert github.exit_code == 0
    assert github.lines[0] == (
        f"::notice file={A},line=4,col=9,title=DL322::{NOTE.removeprefix('note DL322 ')}"
    )
    sarif = json.loads(log.check("--format", "sarif").stdout)
    assert [(r["ruleId"], r["level"]) for r in sarif["runs"][0]["results"]] == [("DL322", "note")]
    # accepted as the note says, nothing is left to say
    accepted = READY.replace("status: proposed", "status: accepted").replace(
        "rationale:", "decided: 2026-01-06T11:00:00+01:00\nrationale:"
    )
    log.decision("0001-keep-decisions-in-git", accepted)
    assert (log.check("--strict").exit_code, log.check("--strict").stdout) == (0, "")


def test_no_ready_note_for_a_proposal_with_errors_or_where_the_rule_is_off(log: LogMaker) -> None:
    log.decision("0001-keep-decisions-in-git", READY.replace("partners:", "tags: [Not A Tag]\npartners:"))
    assert [f.code for f in log.findings()] == ["DL104"]  # what to fix comes first
    log.decision("0001-keep-decisions-in-git", READY)
    log.config(CONFIG + '\n[rules]\nDL322 = "off"\n')
    assert log.check().stdout == ""
