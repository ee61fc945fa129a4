"""Property tests: whatever bytes a document holds, loading and checking yield findings, never an exception.

Documents start from the example log's valid files and are mutated line by
line, byte by byte and with YAML traps; the mutated log is loaded, every rule
runs (with the unmutated log as the base revision, so DL401-DL405 run too),
and each finding must be well-formed.
"""

from __future__ import annotations

import datetime as dt
import tomllib
import zoneinfo
from typing import Any

import yaml
from conftest import REPO
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markupsafe import Markup, escape

from declog.check.rules import run_rules
from declog.check.rules.context import Context
from declog.log.codes import CODES
from declog.log.config import Config, load_config, parse_config
from declog.log.diagnostics import Diagnostic
from declog.log.load import RawFile, build_log, parse_document, scan
from declog.log.yamlparse import parse_yaml
from declog.site import render

CONFIG, _ = load_config(REPO)
assert CONFIG is not None
FILES, _ = scan(REPO)
FILES = [f for f in FILES if f.data is not None]
BASE_LOG, _ = build_log(str(REPO), CONFIG, FILES)
DECISIONS = [f for f in FILES if f.path.startswith("content/decisions/")]

#: Values that trip YAML parsers, or the validator, when pasted into a document.
TRAPS = [
    "0012",
    "0019",
    "NO",
    "on",
    "~",
    "12:30",
    "1:30:00",
    "2026-13-01",
    "2026-02-30T10:00:00Z",
    "2026-01-01T10:00:00",
    "&a x",
    "*a",
    "&a [1, 2]",
    "<<: *a",
    "[",
    "{",
    "]",
    "!!python/object:os.system",
    "!custom x",
    "- x",
    "? x",
    "|",
    ">-",
    "'",
    '"',
    "\t",
    ": ",
    "%YAML 1.1",
    "---",
    "...",
    "@owner",
    ".nan",
    "-.inf",
    "1e999",
    "0x1F",
    "0o17",
    "1_000",
    "[[0001]]",
    "[x](0001-nope.md)",
    '"\\ud800"',
    "\u2028",
    "\x85",
    "\ufeff",
    "null",
    "{a: 1, a: 2}",
    "[superseded, accepted]",
    "accepted",
    "superseded",
    '"0001"',
    '"0099"',
    "silence",
    "meeting",
]

mutation = st.one_of(
    st.tuples(st.just("delete"), st.integers(0, 200)),
    st.tuples(st.just("duplicate"), st.integers(0, 200)),
    st.tuples(st.just("swap"), st.integers(0, 200), st.integers(0, 200)),
    st.tuples(st.just("insert"), st.integers(0, 200), st.sampled_from(TRAPS) | st.text(max_size=20)),
    st.tuples(st.just("value"), st.integers(0, 200), st.sampled_from(TRAPS)),
    st.tuples(st.just("indent"), st.integers(0, 200), st.sampled_from([" ", "  ", "\t", "- "])),
    st.tuples(st.just("byte"), st.integers(0, 100_000), st.integers(0, 255)),
    st.tuples(st.just("truncate"), st.integers(0, 100_000)),
)


def mutate(data: bytes, steps: list[tuple[Any, ...]]) -> bytes:
    for kind, *args in steps:
        if kind == "truncate":
            data = data[: args[0] % (len(data) + 1)]
            continue
        if kind == "byte":
            at = args[0] % (len(data) + 1)
            data = data[:at] + bytes([args[1]]) + data[at + 1 :]
            continue
        lines = data.decode("utf-8", "surrogateescape").split("\n")
        i = args[0] % len(lines)
        if kind == "delete":
            del lines[i]
        elif kind == "duplicate":
            lines.insert(i, lines[i])
        elif kind == "swap":
            j = args[1] % len(lines)
            lines[i], lines[j] = lines[j], lines[i]
        elif kind == "insert":
            lines.insert(i, args[1])
        elif kind == "value":
            key, sep, _ = lines[i].partition(": ")
            lines[i] = f"{key}{sep or ': '}{args[1]}"
        elif kind == "indent":
            lines[i] = args[1] + lines[i]
        data = "\n".join(lines).encode("utf-8", "surrogateescape")
    return data


#: Values from the example's own world, so that mutated fields often pass the schema and reach the rules.
WORLD = sorted(
    {d.id for d in BASE_LOG.decisions}
    | set(BASE_LOG.partners)
    | set(BASE_LOG.meetings)
    | set(BASE_LOG.member_of)
    | {"draft", "proposed", "accepted", "rejected", "withdrawn", "superseded", "sync", "async"}
    | {"strategic", "operational", "pr-review", "meeting", "explicit", "silence", "chat"}
    | {"2026-01-05T09:00:00+01:00", "2020-01-01T00:00:00Z", "2030-12-31T23:59:59-03:00", "Europe/Berlin"}
)
scalar = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=8)
    | st.sampled_from(WORLD)
    | st.sampled_from(WORLD).map(lambda v: [v])
)
yaml_value = st.recursive(
    scalar,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from(["partner", "by", "via", "at", "kind", "handle", "x"]), inner, max_size=3
        )
    ),
    max_leaves=6,
)
DECISION_PATHS: list[tuple[str | int, ...]] = [
    *[
        (k,)
        for k in ("id", "title", "status", "mode", "category", "partners", "owner", "proposed", "deadline")
    ],
    *[(k,) for k in ("decided", "logged", "meeting", "approvals", "supersedes", "superseded_by", "tags")],
    *[(k,) for k in ("rationale", "reason", "source")],
    ("approvals", 0),
    *[("approvals", 0, k) for k in ("partner", "by", "at", "via", "ref", "commit")],
    ("source", "kind"),
    ("supersedes", 0),
]
PARTNER_PATHS: list[tuple[str | int, ...]] = [
    *[(k,) for k in ("id", "name", "timezone", "members", "url")],
    ("members", 0),
    ("members", 0, "handle"),
]
MEETING_PATHS: list[tuple[str | int, ...]] = [
    *[(k,) for k in ("id", "title", "date", "attendees", "chair", "decisions")],
    ("attendees", 0),
    ("decisions", 0),
]


def _change(
    folder: str, paths: list[tuple[str | int, ...]]
) -> st.SearchStrategy[tuple[str, tuple[str | int, ...], Any]]:
    names = [f.path for f in FILES if f.path.startswith(f"content/{folder}/")]
    return st.tuples(st.sampled_from(names), st.sampled_from(paths), yaml_value)


change = (
    _change("decisions", DECISION_PATHS)
    | _change("partners", PARTNER_PATHS)
    | _change("meetings", MEETING_PATHS)
)


def set_field(data: bytes, path: tuple[str | int, ...], value: Any) -> bytes:
    """Set one field of the frontmatter to ``value`` and write the document back."""
    text = data.decode("utf-8")
    head, sep, rest = text[4:].partition("\n---\n")
    fm = yaml.safe_load(head)
    if not sep or not isinstance(fm, dict):
        return data
    target: Any = fm
    for part in path[:-1]:
        if isinstance(part, int):
            if not isinstance(target, list) or not target:
                return data
            target = target[part % len(target)]
        else:
            if not isinstance(target, dict) or part not in target:
                return data
            target = target[part]
    last = path[-1]
    if isinstance(last, int):
        if not isinstance(target, list) or not target:
            return data
        target[last % len(target)] = value
    elif isinstance(target, dict):
        target[last] = value
    dumped = yaml.safe_dump(fm, allow_unicode=True, sort_keys=False)
    return f"---\n{dumped}---\n{rest}".encode()


def assert_well_formed(found: list[Diagnostic], paths: set[str]) -> None:
    for d in found:
        assert d.code in CODES, d
        assert d.line >= 1 and d.col >= 1, d
        assert d.path in paths or d.path == "declog.toml", d
        assert d.message, d


SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(data=st.binary(max_size=2000), folder=st.sampled_from(["decisions", "partners", "meetings"]))
def test_random_bytes_never_raise(data: bytes, folder: str) -> None:
    path = f"content/{folder}/0001-x.md"
    record, found = parse_document(RawFile(path, data))
    assert_well_formed(found, {path})
    assert record is not None or found  # no record without a reason


@SETTINGS
@given(text=st.text(max_size=400), prefix=st.sampled_from(["", "---\n", '---\nid: "0001"\n']))
def test_random_text_after_a_fence_never_raises(text: str, prefix: str) -> None:
    path = "content/decisions/0001-x.md"
    data = (prefix + text + "\n---\nbody\n").encode("utf-8", "surrogatepass")
    _, found = parse_document(RawFile(path, data))
    assert_well_formed(found, {path})


@SETTINGS
@given(
    yaml=st.lists(
        st.sampled_from(TRAPS) | st.text(alphabet="abc:- \t[]{}&*!'\"#|>0123456789\n", max_size=12),
        max_size=12,
    ).map(" ".join)
)
def test_random_yaml_never_raises(yaml: str) -> None:
    parsed, found = parse_yaml(yaml, "f.md", 2)
    assert_well_formed(found, {"f.md"})
    if parsed is None:
        assert [d.code for d in found] == ["DL003"]


@SETTINGS
@given(
    picks=st.lists(
        st.tuples(st.integers(0, len(DECISIONS) - 1), st.lists(mutation, min_size=1, max_size=4)),
        min_size=1,
        max_size=3,
    )
)
def test_mutated_example_decisions_yield_findings_not_exceptions(
    picks: list[tuple[int, list[tuple[Any, ...]]]],
) -> None:
    files = {f.path: f for f in FILES}
    for index, steps in picks:
        original = DECISIONS[index]
        assert original.data is not None
        files[original.path] = RawFile(original.path, mutate(original.data, steps))
    log, found = build_log(str(REPO), CONFIG, files.values())
    found += run_rules(Context(log, BASE_LOG))
    assert_well_formed(found, set(files))


@SETTINGS
@given(
    kind=st.sampled_from(["partners", "meetings"]),
    steps=st.lists(mutation, min_size=1, max_size=4),
    index=st.integers(0, 100),
)
def test_mutated_partners_and_meetings_yield_findings_not_exceptions(
    kind: str, steps: list[tuple[Any, ...]], index: int
) -> None:
    candidates = [f for f in FILES if f.path.startswith(f"content/{kind}/")]
    original = candidates[index % len(candidates)]
    assert original.data is not None
    files = {f.path: f for f in FILES}
    files[original.path] = RawFile(original.path, mutate(original.data, steps))
    log, found = build_log(str(REPO), CONFIG, files.values())
    found += run_rules(Context(log, BASE_LOG))
    assert_well_formed(found, set(files))


@SETTINGS
@given(
    lines=st.lists(
        st.sampled_from(
            [
                "[workflow]",
                "[workflow.silence]",
                "[workflow.transitions]",
                "[rules]",
                "[site]",
                'feedback_window = "1h"',
                "feedback_window = 48",
                'approval = "quorum"',
                "quorum = 0",
                "quorum = 3",
                'allowed = "yes"',
                'partners = ["nobody"]',
                'agreement = "0099"',
                'agreement = "0003"',
                'draft = ["accepted", "nonsense"]',
                "accepted = []",
                'DL310 = "off"',
                'DL301 = {severity = "warning", since = "2026-02-30"}',
                'DL999 = "error"',
                'title = ""',
                'timezone = "Mars/Base"',
                "per_page = 1",
                "x = ",
                "[[site]]",
            ]
        ),
        max_size=8,
    )
)
def test_random_configurations_never_raise(lines: list[str]) -> None:
    text = "\n".join(lines) + "\n"
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return
    config, found = parse_config(data, text)
    assert_well_formed(found, set())
    if config is not None:
        assert isinstance(config, Config)
        log, more = build_log(str(REPO), config, FILES)
        assert_well_formed(more + run_rules(Context(log, BASE_LOG)), {f.path for f in FILES})


def test_the_mutations_start_from_a_clean_example() -> None:
    assert len(DECISIONS) >= 10
    log, found = build_log(str(REPO), CONFIG, FILES)
    assert found + run_rules(Context(log, BASE_LOG)) == []
    assert len(log.decisions) == len(DECISIONS)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(changes=st.lists(change, min_size=1, max_size=4))
def test_fields_of_any_type_yield_findings_not_exceptions(
    changes: list[tuple[str, tuple[str | int, ...], Any]],
) -> None:
    files = {f.path: f for f in FILES}
    for name, path, value in changes:
        original = files[name]
        assert original.data is not None
        files[name] = RawFile(name, set_field(original.data, path, value))
    log, found = build_log(str(REPO), CONFIG, files.values())
    found += run_rules(Context(log, BASE_LOG))
    assert_well_formed(found, set(files))


ZONES = [
    "UTC",
    "Europe/Berlin",
    "America/St_Johns",
    "Asia/Kathmandu",
    "Pacific/Chatham",
    "Australia/Lord_Howe",
]


@settings(max_examples=400, deadline=None)
@given(
    st.datetimes(
        min_value=dt.datetime(1, 1, 2), max_value=dt.datetime(9999, 12, 30), timezones=st.timezones()
    ),
    st.sampled_from(ZONES),
)
def test_a_moment_reads_as_strftime_writes_it(value: dt.datetime, zone: str) -> None:
    """Pages show a moment in the site's zone as "2026-01-15 10:00 CET" (``when``) or its date
    (``day``), inside a ``<time>`` that keeps the moment as written; made without strftime, it must
    read exactly as strftime writes it."""
    tz = zoneinfo.ZoneInfo(zone)
    local = value.astimezone(tz)
    iso = escape(value.isoformat())
    clock = f"{local:%Y-%m-%d %H:%M} {local.tzname() or ''}".strip()
    assert render._when(value, tz) == Markup(f'<time datetime="{iso}">{escape(clock)}</time>')
    assert render._day(value, tz) == Markup(f'<time datetime="{iso}">{local:%Y-%m-%d}</time>')
