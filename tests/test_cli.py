"""The command line: exit codes, -q, the validate alias, PATHS, schema, the example log."""

from __future__ import annotations

import datetime as dt
import json
import tomllib
from pathlib import Path
from typing import Any

import pytest
from conftest import ACCEPTED, REPO, LogMaker, doc, invoke, run_module
from jsonschema import Draft202012Validator

from declog.log.schema import KINDS
from declog.log.yamlparse import parse_yaml, split_frontmatter

WARNING_ONLY = doc('id: "0002"\ntitle: X\nstatus: draft\ncolour: red\n')
ERROR = doc('id: "0003"\ntitle: X\nstatus: drafty\n')


# --- the example log --------------------------------------------------------------------


#: tests/sitetools.py's EXAMPLE_NOW (0027's deadline has passed, 0028's is a day away), for SOURCE_DATE_EPOCH.
EXAMPLE_EPOCH = str(int(dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.UTC).timestamp()))


@pytest.mark.example
def test_EXAMPLE_LOG_IS_CLEAN() -> None:
    """`declog check` at the repository root: the checked-in example log has no errors or warnings.

    Its one note, as of the example's moment: 0027 is ready to accept once rota-sul's silence is recorded.
    """
    run = run_module(["check"], cwd=REPO, env={"SOURCE_DATE_EPOCH": EXAMPLE_EPOCH})
    assert run.stdout == (
        "content/decisions/0027-require-two-factor-authentication-for-all-shipper-portal-accounts.md:4:9: "
        "note DL322 0027 is ready to accept once the silence of rota-sul is recorded (`declog approvals "
        "--write` records it); then set `status: accepted` and `decided: 2026-11-20T09:00:00-05:00` "
        "(in this file, then commit)\n"
    )
    assert run.exit_code == 0, run.stderr
    assert run.stderr.startswith("declog: checked ")
    assert run.stderr.endswith(": 0 errors, 0 warnings\n")


@pytest.mark.example
def test_example_log_is_clean_under_strict_and_every_format() -> None:
    for fmt in ("concise", "full", "json", "sarif"):
        run = invoke(["check", "--root", str(REPO), "--strict", "--format", fmt])
        assert run.exit_code == 0, run.stdout


# --- exit codes -------------------------------------------------------------------------


def test_clean_log_exits_0(log: LogMaker) -> None:
    log.decision("0001-keep-decisions-in-git", ACCEPTED)
    run = log.check()
    assert (run.exit_code, run.stdout) == (0, "")
    assert run.stderr == "declog: checked 3 documents: 0 errors, 0 warnings\n"


def test_warnings_exit_0_unless_strict(log: LogMaker) -> None:
    log.decision("0002-x", WARNING_ONLY)
    assert log.check().exit_code == 0
    strict = log.check("--strict")
    assert strict.exit_code == 1
    assert strict.lines == ["content/decisions/0002-x.md:5:1: warning DL107 unknown field 'colour'"]


def test_errors_exit_1(log: LogMaker) -> None:
    log.decision("0003-x", ERROR)
    run = log.check()
    assert run.exit_code == 1
    assert run.stderr == "declog: checked 3 documents: 1 error, 0 warnings\n"


def test_config_error_exits_2(log: LogMaker) -> None:
    log.config("[workflow]\napproval = 3\n")
    run = log.check()
    assert run.exit_code == 2
    assert run.lines == [
        'declog.toml:2:1: error DL502 workflow.approval should be text, not 3 (quote it: "3")',
    ]


@pytest.mark.parametrize(
    ("setup", "args", "code"),
    [
        ("clean", (), 0),
        ("warning", (), 0),
        ("warning", ("--strict",), 1),
        ("error", (), 1),
        ("config", (), 2),
        ("clean", ("--base", "no-such-ref"), 2),
    ],
)
def test_quiet_never_changes_the_exit_code(
    log: LogMaker, setup: str, args: tuple[str, ...], code: int
) -> None:
    if setup == "warning":
        log.decision("0002-x", WARNING_ONLY)
    elif setup == "error":
        log.decision("0003-x", ERROR)
    elif setup == "config":
        log.config("[workflow]\napproval = 3\n")
    loud = log.check(*args)
    quiet = log.check("-q", *args)
    assert loud.exit_code == quiet.exit_code == code
    assert quiet.stdout == loud.stdout
    assert "declog: checked" not in quiet.stderr
    assert "nothing else was checked" not in quiet.stderr


def test_validate_is_an_alias_of_check(log: LogMaker) -> None:
    log.decision("0003-x", ERROR)
    check = invoke(["check", "--root", str(log.root), "--format", "json"])
    validate = invoke(["validate", "--root", str(log.root), "--format", "json"])
    assert (validate.exit_code, validate.stdout) == (check.exit_code, check.stdout)
    assert validate.exit_code == 1
    assert "validate" in invoke(["--help"]).stdout


def test_version(log: LogMaker) -> None:
    run = invoke(["--version"])
    assert run.exit_code == 0
    assert run.stdout.startswith("declog, version ")


# --- PATHS ------------------------------------------------------------------------------


@pytest.fixture
def two_wrong(log: LogMaker) -> LogMaker:
    """0001 is fine, 0002 claims to be superseded by it, 0003 is broken; a partner has a bad zone."""
    log.decision("0001-keep-decisions-in-git", ACCEPTED)
    log.decision("0002-x", doc('id: "0002"\ntitle: X\nstatus: draft\nsuperseded_by: "0001"\n'))
    log.decision("0003-x", ERROR)
    log.partner("initech", doc("id: initech\nname: I\ntimezone: Mars/Olympus\nmembers: [erin]\n"))
    return log


def test_paths_restrict_the_report_but_references_use_the_whole_log(two_wrong: LogMaker) -> None:
    run = two_wrong.check("content/decisions/0002-x.md")
    assert run.exit_code == 1
    # 0001 exists (so no DL204), but it does not name 0002 back: DL307, on 0002 only.
    assert run.lines == [
        "content/decisions/0002-x.md:5:16: error DL307 superseded_by '0001' but 0001 does not list 0002 in supersedes (add supersedes: [\"0002\"] to content/decisions/0001-keep-decisions-in-git.md)",
        "content/decisions/0002-x.md:5:16: error DL317 has superseded_by '0001' but status is draft (set status: superseded)",
    ]


def test_a_clean_path_exits_0_even_if_others_have_errors(two_wrong: LogMaker) -> None:
    run = two_wrong.check("content/decisions/0001-keep-decisions-in-git.md")
    assert (run.exit_code, run.stdout) == (0, "")


def test_a_folder_as_path(two_wrong: LogMaker) -> None:
    run = two_wrong.check("content/partners")
    assert run.exit_code == 1
    assert [line.split(": ")[0] for line in run.lines] == ["content/partners/initech.md:4:11"]


def test_several_paths(two_wrong: LogMaker) -> None:
    run = two_wrong.check("content/partners/", "content/decisions/0003-x.md")
    assert [line.split(" ")[2] for line in run.lines] == ["DL103", "DL104"]


def test_paths_relative_to_the_working_directory(
    two_wrong: LogMaker, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(two_wrong.root / "content" / "decisions")
    run = invoke(["check", "0003-x.md"])
    assert run.exit_code == 1
    assert [line.split(": ")[0] for line in run.lines] == ["content/decisions/0003-x.md:4:9"]


def test_path_to_declog_toml_reports_config_warnings_only(log: LogMaker) -> None:
    log.config("[site]\ntitle = 'T'\ncolour = 'red'\n")
    log.decision("0003-x", ERROR)
    run = log.check("declog.toml")
    assert run.exit_code == 0
    assert run.lines == ["declog.toml:3:1: warning DL503 unknown field 'site.colour'"]


# --- declog schema ----------------------------------------------------------------------


def _frontmatter(path: Path) -> Any:
    front = split_frontmatter(path.read_text(encoding="utf-8"), path.name)
    parsed, _ = parse_yaml(front.yaml_text, path.name, front.yaml_line)  # type: ignore[union-attr]
    assert parsed is not None
    return parsed.data


@pytest.mark.parametrize("kind", KINDS)
def test_schema_is_valid_json_schema_2020_12(kind: str) -> None:
    run = invoke(["schema", "--kind", kind])
    assert run.exit_code == 0
    schema = json.loads(run.stdout)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(schema)


@pytest.mark.example
@pytest.mark.parametrize("kind", ["decision", "partner", "meeting"])
def test_example_documents_validate_against_the_printed_schema(kind: str) -> None:
    schema = json.loads(invoke(["schema", "--kind", kind]).stdout)
    validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    files = sorted((REPO / "content" / f"{kind}s").glob("*.md"))
    assert files
    for path in files:
        errors = [e.message for e in validator.iter_errors(_frontmatter(path))]
        assert errors == [], path.name


@pytest.mark.example
def test_example_config_validates_against_the_printed_schema() -> None:
    schema = json.loads(invoke(["schema", "--kind", "config"]).stdout)
    config = tomllib.loads((REPO / "declog.toml").read_text(encoding="utf-8"))
    assert list(Draft202012Validator(schema).iter_errors(config)) == []


def test_schema_rejects_what_check_rejects() -> None:
    schema = json.loads(invoke(["schema"]).stdout)  # decision by default
    validator = Draft202012Validator(schema)
    assert not validator.is_valid({"id": 12, "title": "X", "status": "draft"})
    assert not validator.is_valid({"id": "0012", "title": "X", "status": "approved"})
    assert not validator.is_valid({"id": "0012", "title": "X", "status": "draft", "tagz": []})
    assert validator.is_valid({"id": "0012", "title": "X", "status": "draft"})


def test_schema_unknown_kind_is_a_usage_error() -> None:
    run = invoke(["schema", "--kind", "memo"])
    assert run.exit_code == 2
    assert "Invalid value for '--kind'" in run.stderr


@pytest.mark.parametrize("command", ["check", "build", "serve", "audit"])
def test_outside_a_log_every_command_says_so_once_and_exits_2(tmp_path: Path, command: str) -> None:
    (tmp_path / "content").mkdir()  # a content folder alone does not make a log
    run = run_module([command], cwd=tmp_path)
    assert run.exit_code == 2
    assert run.stdout == ""
    assert run.stderr == (
        f"declog: error: no declog.toml in {tmp_path} or any folder above it: this is not a decision log "
        "(create one with `declog init`, or pass --root DIR to name the log's folder)\n"
    )
    assert not (tmp_path / "_site").exists()


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ["chek"],
            [
                "declog: error: no such command 'chek' (did you mean 'check'?)",
                "Try 'declog --help' for help.",
            ],
        ),
        (
            ["valdate"],
            [
                "declog: error: no such command 'valdate' (did you mean 'validate'?)",
                "Try 'declog --help' for help.",
            ],
        ),
        (
            ["check", "--frmat", "json"],
            [
                "declog: error: no such option '--frmat' (did you mean '--format'?)",
                "Try 'declog check --help' for help.",
            ],
        ),
        (["--bogus"], ["declog: error: no such option '--bogus'", "Try 'declog --help' for help."]),
        (
            ["schema", "--kind", "memo"],
            [
                "declog: error: Invalid value for '--kind': 'memo' is not one of 'decision', 'partner', 'meeting', 'config'.",
                "Try 'declog schema --help' for help.",
            ],
        ),
    ],
)
def test_command_line_mistakes_have_declogs_error_shape(args: list[str], expected: list[str]) -> None:
    """Click's own usage errors look like declog's: one error line, where help is, exit 2."""
    run = run_module(args, cwd=REPO)
    assert (run.exit_code, run.stdout, run.stderr.splitlines()) == (2, "", expected)


def test_a_mistyped_option_value_cannot_write_to_the_terminal() -> None:
    run = invoke(["check", "--fo\x1b]0;x\x07rmat"])
    assert run.exit_code == 2
    assert "\x1b" not in run.stderr and run.stderr.startswith("declog: error: no such option")
