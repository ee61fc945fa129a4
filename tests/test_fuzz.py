"""Property tests through the real commands: whatever a file holds, declog answers with findings.

tests/test_properties.py feeds the parser and the rules directly; here the
same kinds of input go through what a user runs (``declog check`` and
``declog approvals`` via click's CliRunner): the file is written into a small
log, read from disk, checked. Whatever its bytes, the command exits 0, 1 or 2
without a traceback, and every finding names a file of the log.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from typing import Any

import pytest
import yaml
from conftest import ACCEPTED, CONFIG, LogMaker, Run, invoke, isolated_git, make_log
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_properties import TRAPS, WORLD, yaml_value

from declog.check.checker import Checker
from declog.log.codes import CODES
from declog.site.build import build

SETTINGS = settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

#: Where a fuzzed document goes: a decision beside a valid one, a partner beside two, a meeting.
TARGETS = ["content/decisions/0002-x.md", "content/partners/zed.md", "content/meetings/2026-01-10-x.md"]

#: Values of thousands of digits, and others no generator finds by chance.
HOSTILE = [
    "9" * 5000,
    "-" + "9" * 5000,
    "0x" + "f" * 5000,
    "0" + "9" * 5000,
    "0o" + "7" * 5000,
    "1" * 5000 + ".5",
    "1e99999",
    '"\\ud800"',
    "\x00",
    "\x1b[31m",
    "[" * 200 + "]" * 200,
    "{a: " * 100 + "}" * 100,
]


@pytest.fixture(scope="module")
def fuzz_log(tmp_path_factory: pytest.TempPathFactory) -> LogMaker:
    """A small valid log (two partners, one accepted decision) whose files the tests overwrite."""
    log = make_log(tmp_path_factory.mktemp("fuzz") / "log")
    log.decision("0001-x", ACCEPTED)
    return log


def check(log: LogMaker, rel: str, data: bytes) -> Run:
    """Write ``data`` to ``rel`` and run ``declog check --format json``; the file is removed after."""
    path = log.write(rel, data)
    try:
        return log.check("--format", "json")
    finally:
        if rel == "declog.toml":
            log.config(CONFIG)
        else:
            path.unlink()


def assert_findings(run: Run, files: set[str]) -> None:
    """Exit 0, 1 or 2, and each finding well formed, about a file of the log."""
    assert run.exit_code in (0, 1, 2), run.stderr
    found = run.json()
    if run.exit_code == 1:
        assert found
    for d in found:
        assert d["code"] in CODES, d
        assert d["line"] >= 1 and d["col"] >= 1, d
        assert d["path"] in files or d["path"] == "declog.toml", d
        assert d["message"], d


def log_files(log: LogMaker) -> set[str]:
    return {p.relative_to(log.root).as_posix() for p in (log.root / "content").rglob("*") if p.is_file()}


# --- documents ------------------------------------------------------------------------------


@SETTINGS
@given(data=st.binary(max_size=2000), rel=st.sampled_from(TARGETS))
def test_any_bytes_as_a_document(fuzz_log: LogMaker, data: bytes, rel: str) -> None:
    run = check(fuzz_log, rel, data)
    assert_findings(run, log_files(fuzz_log) | {rel})
    assert run.exit_code in (0, 1)


@SETTINGS
@given(
    text=st.text(max_size=400),
    prefix=st.sampled_from(["", "---\n", '---\nid: "0002"\n', "\ufeff---\n", "---\r\n"]),
    rel=st.sampled_from(TARGETS),
)
def test_any_text_as_a_document(fuzz_log: LogMaker, text: str, prefix: str, rel: str) -> None:
    data = (prefix + text + "\n---\nbody\n").encode("utf-8", "surrogatepass")
    run = check(fuzz_log, rel, data)
    assert_findings(run, log_files(fuzz_log) | {rel})
    assert run.exit_code in (0, 1)


FIELDS = {
    "content/decisions/0002-x.md": [
        "id",
        "title",
        "status",
        "mode",
        "category",
        "partners",
        "owner",
        "proposed",
        "deadline",
        "decided",
        "logged",
        "meeting",
        "approvals",
        "supersedes",
        "superseded_by",
        "tags",
        "rationale",
        "reason",
        "source",
    ],
    "content/partners/zed.md": ["id", "name", "timezone", "members", "url"],
    "content/meetings/2026-01-10-x.md": ["id", "title", "date", "attendees", "chair", "decisions"],
}


def _value_text(value: Any) -> str:
    """A value as YAML on one line (a flow collection or a scalar)."""
    return yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, width=10_000).strip()


raw_value = st.sampled_from(TRAPS + HOSTILE) | st.sampled_from(WORLD) | yaml_value.map(_value_text)


@SETTINGS
@given(
    rel=st.sampled_from(TARGETS),
    data=st.data(),
)
def test_frontmatter_built_from_fields_and_traps(fuzz_log: LogMaker, rel: str, data: st.DataObject) -> None:
    keys = st.sampled_from(FIELDS[rel]) | st.text(max_size=6)
    fields = data.draw(st.lists(st.tuples(keys, raw_value), max_size=10))
    lines = [f"{k}: {v}" if not k.startswith(("-", "?", "[", "{", "#")) else f'"{k}": {v}' for k, v in fields]
    document = "---\n" + "\n".join(lines) + "\n---\n\nBody.\n"
    run = check(fuzz_log, rel, document.encode("utf-8", "surrogatepass"))
    assert_findings(run, log_files(fuzz_log) | {rel})
    assert run.exit_code in (0, 1)


#: A valid document at each target, tied to the log's decision 0001 and partners.
VALID = {
    "content/decisions/0002-x.md": ACCEPTED.replace('id: "0001"', 'id: "0002"').replace(
        "rationale:", "supersedes: []\nrationale:"
    ),
    "content/partners/zed.md": "---\nid: zed\nname: Zed\ntimezone: UTC\nmembers: [zoe]\n---\n",
    "content/meetings/2026-01-10-x.md": (
        "---\nid: 2026-01-10-x\ntitle: Sync\ndate: 2026-01-10T10:00:00+01:00\n"
        'attendees: [alice, carol]\ndecisions: ["0001"]\n---\n'
    ),
}

#: Values that tie a fuzzed document to the valid decision 0001, to itself (a supersede cycle) and to
#: the partners, or name what is not there.
REFERENCES = [
    '"0001"',
    '["0001"]',
    '"0002"',
    '["0002", "0001"]',
    '["0009"]',
    "zed",
    "2026-01-10-x",
    "[acme, zed]",
]


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(rel=st.sampled_from(TARGETS), data=st.data())
def test_a_build_makes_views_of_any_loaded_log_and_publishes_only_one_that_passes(
    fuzz_log: LogMaker, rel: str, data: st.DataObject
) -> None:
    """A build with workers makes its views while the rules judge the log in a process of their
    own, so also of a log that fails its check: it ends, with the check's findings, and publishes
    the site only when the check passes. The document is a valid one with some of its one-line
    fields given other values (a reference that loops or points nowhere, a trap, any YAML)."""
    lines = VALID[rel].splitlines()
    single = [n for n, line in enumerate(lines) if re.match(r"[a-z_]+: \S", line)]
    for n in data.draw(st.lists(st.sampled_from(single), max_size=3, unique=True)):
        key = lines[n].split(":", 1)[0]
        lines[n] = f"{key}: {data.draw(raw_value | st.sampled_from(REFERENCES))}"
    path = fuzz_log.write(rel, "\n".join(lines).encode("utf-8", "surrogatepass") + b"\n\nSee [[0001]].\n")
    out = fuzz_log.root.parent / "site"
    try:
        checked = Checker(fuzz_log.root).check()
        result = build(fuzz_log.root, out, search_index=False, jobs=2, checker=Checker(fuzz_log.root))
    finally:
        path.unlink()
    assert result.findings[: len(checked.findings)] == checked.findings
    assert result.built == (not checked.failed() and len(result.findings) == len(checked.findings))
    assert out.is_dir() == result.built  # a failed build publishes nothing
    if result.built:
        shutil.rmtree(out)


def test_a_hostile_value_in_every_field_is_a_finding(fuzz_log: LogMaker) -> None:
    """Every field of every kind holds each value no generator reaches by chance."""
    for rel, names in FIELDS.items():
        for value in HOSTILE:
            for name in names:
                document = f"---\nid: x\n{name}: {value}\n---\n"
                run = check(fuzz_log, rel, document.encode("utf-8", "surrogatepass"))
                assert_findings(run, log_files(fuzz_log) | {rel})
                assert run.exit_code == 1, (rel, name, value[:20])


# --- declog.toml -----------------------------------------------------------------------------

TOML_LINES = [
    "[site]",
    "[workflow]",
    "[workflow.silence]",
    "[workflow.transitions]",
    "[rules]",
    "[[site]]",
    'title = "x"',
    "title = 1",
    "per_page = 0",
    "per_page = -1",
    "per_page = 1e999",
    "per_page = 0x7fffffffffffffffffff",
    'url = "https://example.org/"',
    'url = "javascript:alert(1)"',
    'timezone = "Mars/Base"',
    'language = ""',
    'feedback_window = "1h"',
    'feedback_window = "999999999999999999999h"',
    "feedback_window = 48",
    'approval = "quorum"',
    "quorum = 0",
    "quorum = 99999999999999999999",
    'allowed = "yes"',
    'partners = ["nobody", 1]',
    'categories = ["strategic"]',
    'agreement = "0001"',
    'draft = ["accepted", "nonsense"]',
    "accepted = []",
    'DL310 = "off"',
    'DL301 = {severity = "warning", since = "2026-02-30"}',
    'DL302 = {severity = "nope"}',
    "DL303 = 1",
    'DL999 = "error"',
    "meeting_required = 1",
    "self_approval = 1",
    "x = ",
    "= 1",
]


@SETTINGS
@given(data=st.binary(max_size=1000))
def test_any_bytes_as_declog_toml(fuzz_log: LogMaker, data: bytes) -> None:
    run = check(fuzz_log, "declog.toml", data)
    assert_findings(run, log_files(fuzz_log))


@SETTINGS
@given(
    lines=st.lists(
        st.sampled_from(TOML_LINES) | st.text(alphabet='[]="., abcxyz019_-\\{}#\t', max_size=15), max_size=10
    )
)
def test_settings_built_from_known_keys(fuzz_log: LogMaker, lines: list[str]) -> None:
    run = check(fuzz_log, "declog.toml", ("\n".join(lines) + "\n").encode())
    assert_findings(run, log_files(fuzz_log))
    if run.exit_code == 2:
        assert any(d["path"] == "declog.toml" for d in run.json())


# --- reviews files ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pr_log(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LogMaker]:
    """The fuzz log in a git repository: main, and a branch that proposes a decision."""
    log = make_log(tmp_path_factory.mktemp("fuzz-pr") / "log")
    log.decision("0001-x", ACCEPTED)

    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=log.root, check=True, capture_output=True)

    with pytest.MonkeyPatch.context() as monkeypatch:
        isolated_git(monkeypatch, log.root.parent)
        git("init", "-q", "-b", "main")
        git("add", "-A")
        git("commit", "-q", "-m", "start")
        git("checkout", "-q", "-b", "propose")
    log.decision(
        "0002-y", ACCEPTED.replace('"0001"', '"0002"').replace("status: accepted", "status: proposed")
    )
    yield log


def approvals(log: LogMaker, option: str, data: bytes) -> Run:
    path = log.root.parent / "reviews.json"
    path.write_bytes(data)
    return invoke(
        ["approvals", "--root", str(log.root), option, str(path), "--base", "main", "--format", "json"],
        env={"GITHUB_EVENT_PATH": "", "GITHUB_TOKEN": ""},
    )


def assert_answered(run: Run) -> None:
    """0 or 1 with a report, or 2 with one line that says what is wrong with the file."""
    assert run.exit_code in (0, 1, 2), run.stderr
    if run.exit_code == 2:
        assert run.stderr.startswith("declog: error: "), run.stderr
        assert "Traceback" not in run.stderr
    else:
        json.loads(run.stdout)


login = st.sampled_from(["alice", "bob", "carol", "dave", "Bob", "", "x" * 50]) | st.text(max_size=5)
when = st.sampled_from(["2026-01-06T10:00:00Z", "2026-13-01T00:00:00Z", "", "yesterday"]) | st.none()
json_scalar = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=6)
#: Mostly what GitHub sends, so that most examples get past reading and reach the assessment.
review = st.fixed_dictionaries(
    {
        "state": st.sampled_from(["APPROVED", "approved", "CHANGES_REQUESTED", "DISMISSED", "COMMENTED"]),
        "user": st.fixed_dictionaries({"login": login}),
    },
    optional={
        "commit_id": st.sampled_from(["", "0" * 40, "HEAD"]) | json_scalar,
        "submitted_at": when | json_scalar,
        "html_url": json_scalar,
    },
)
reviews_json = st.one_of(
    st.lists(review, max_size=4),
    st.fixed_dictionaries(
        {"reviews": st.lists(review, max_size=4)},
        optional={
            "number": st.integers() | json_scalar,
            "author": st.fixed_dictionaries({"login": login}) | json_scalar,
            "headRefOid": json_scalar,
            "files": st.lists(
                st.fixed_dictionaries({"path": st.sampled_from([*TARGETS, "../x", "/etc/passwd"])}),
                max_size=2,
            )
            | json_scalar,
            "commits": st.lists(st.fixed_dictionaries({"oid": json_scalar}), max_size=2) | json_scalar,
        },
    ),
    st.lists(
        st.dictionaries(st.sampled_from(["user", "state", "author", "commit"]), json_scalar), max_size=2
    ),
    st.recursive(json_scalar, lambda inner: st.lists(inner) | st.dictionaries(st.text(max_size=4), inner)),
)


@settings(SETTINGS, max_examples=60)
@given(data=st.binary(max_size=500))
def test_any_bytes_as_a_reviews_file(pr_log: LogMaker, data: bytes) -> None:
    assert_answered(approvals(pr_log, "--reviews", data))


@settings(SETTINGS, max_examples=60)
@given(value=reviews_json)
def test_reviews_built_from_githubs_shapes(pr_log: LogMaker, value: Any) -> None:
    assert_answered(approvals(pr_log, "--reviews", json.dumps(value).encode()))
