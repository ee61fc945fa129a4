"""`declog query`: the expression language on valid and invalid expressions.

The log is the hand-made one of test_audit.py (ten decisions, now = 2026-03-01).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest
from conftest import LogMaker, invoke
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_audit import NOW, write_log

from declog.check.checker import load_and_check
from declog.insight.query import QueryError, parse, tokenize
from declog.log.model import Log


@pytest.fixture(scope="module")
def hand_log(tmp_path_factory: pytest.TempPathFactory) -> Log:
    root = tmp_path_factory.mktemp("q") / "log"
    write_log(root)
    log = load_and_check(root).log
    assert log is not None
    return log


def ids(log: Log, expr: str, now: dt.datetime = NOW) -> list[str]:
    return [d.id for d in parse(expr, now=now, tz=dt.UTC).select(log)]


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ("status = proposed", ["0006", "0007"]),
        ("status == proposed and partner = globex", ["0006", "0007"]),
        ("status = accepted or status = rejected", ["0001", "0002", "0003", "0005"]),
        ("not status in (accepted, superseded, draft, proposed)", ["0003", "0010"]),
        ("status not in (draft, proposed, accepted)", ["0003", "0004", "0010"]),
        ("partner = initech", ["0002"]),
        ("partners != globex", ["0008", "0009"]),
        ("tag = pricing", ["0006"]),
        ("tags is not empty", ["0006"]),
        ("owner is empty", ["0007", "0008", "0009"]),
        ("mode = sync", ["0002"]),
        ("id >= 9", ["0009", "0010"]),
        ("id < 0003", ["0001", "0002"]),
        ("id in (1, 0010)", ["0001", "0010"]),
        ('title ~ "PRICING"', ["0006"]),
        ("title ~ pric", ["0006"]),
        # dates without a time compare the day in the site's zone (UTC here)
        ("decided = 2026-01-14", ["0003"]),
        ("decided >= 2026-02-01", ["0004", "0005"]),
        ("deadline < today", ["0001", "0003", "0004", "0005", "0006", "0010"]),
        ("deadline < today + 2d and status = proposed", ["0006", "0007"]),  # 03-02 < 03-03
        ("deadline < today + 1d and status = proposed", ["0006"]),  # 03-02 is not before 03-02
        ("deadline <= today + 1d and status = proposed", ["0006", "0007"]),
        ("deadline > now + 1d", ["0007"]),  # 03-02T09:00 > 03-02T00:00
        ("deadline > now + 1d + 12h", []),  # 03-02T09:00 is not after 03-02T12:00
        ("logged > 2026-02-18T08:00:00+00:00", ["0005", "0009"]),
        ("logged > 2026-02-18T08:00:00-02:00", ["0009"]),  # 10:00 UTC: 0005 was logged at 09:00
        ("decided < today - 40d", ["0001", "0003"]),  # before 01-20
        ("deadline is empty", ["0002", "0008", "0009"]),
        ("deadline != 2026-02-22", ["0001", "0003", "0004", "0005", "0007", "0010"]),  # missing never matches
        ("approved_by = globex and status = superseded", ["0004"]),  # by silence, counted
        ("waiting_on = globex", ["0007"]),  # 0006's deadline has passed and globex's silence counts
        ("silence_due = globex", ["0006"]),
        ("ready = yes", ["0006"]),  # acme approved; globex by silence, to record
        ("supersedes = 0004", ["0005"]),
        ("superseded_by = 0005", ["0004"]),
        ("meeting = 2026-01-20-steering", ["0002"]),
        ("(status = draft or status = withdrawn) and not partner = globex", ["0008", "0009"]),
        ("status = draft or status = withdrawn and partner = globex", ["0008", "0009", "0010"]),  # and first
        ("tag = 48h", []),  # a duration-looking word is text for a text field
    ],
)
def test_valid_expressions(hand_log: Log, expr: str, expected: list[str]) -> None:
    assert ids(hand_log, expr) == expected


@pytest.mark.parametrize(
    ("expr", "column", "length", "message"),
    [
        ("", 1, 1, "empty expression"),
        ("partnr = globex", 1, 6, "unknown field 'partnr'"),
        ("status = proposed and", 22, 1, "expected a field name, but the expression ends here"),
        ("status = (", 10, 1, "expected a value"),
        ("status proposed", 8, 8, "expected an operator after 'status'"),
        ("(status = draft", 16, 1, "expected ')', but the expression ends here"),
        ("status = draft)", 15, 1, "unexpected ')'"),
        ("status = draft mode = sync", 16, 4, "unexpected 'mode'"),
        ("deadline = globex", 12, 6, "deadline is a date; 'globex' is not a date"),
        ("deadline < today-2d", 12, 8, "deadline is a date; 'today-2d' is not a date"),
        ("deadline < 2d", 12, 2, "a duration alone is not a date; deadline needs a date"),
        ("deadline < 2026-02-30", 12, 10, "'2026-02-30' is not a real date"),
        ("deadline < 2026-02-03T10:00", 12, 16, "'2026-02-03T10:00' has no time zone offset"),
        ("title < 3", 7, 1, "'<' orders numbers, money, ids and dates only; title is text"),
        ("id > abc", 6, 3, "'abc' is not a decision number"),
        ("deadline ~ today", 10, 1, "'~' (contains) needs a text field"),
        ("deadline in (today)", 10, 2, "'in' needs a text field; deadline is a date"),
        ("status in proposed", 11, 8, "expected '(' after 'in'"),
        ("status in (draft proposed)", 18, 8, "expected ',' or ')'"),
        ("owner is nothing", 10, 7, "expected 'empty'"),
        ("status = 'draft", 10, 6, "unterminated string"),
        ("status = draft & mode = sync", 16, 1, "unexpected character '&'"),
        ("status = draft + 2d", 16, 1, "cannot add a duration to text 'draft'"),
        ("deadline < today + soon", 20, 4, "expected a duration after '+'"),
        ("title = today", 9, 5, "title is text; quote the value to compare it as text"),
    ],
)
def test_invalid_expressions_point_at_the_column(expr: str, column: int, length: int, message: str) -> None:
    with pytest.raises(QueryError) as info:
        parse(expr, now=NOW, tz=dt.UTC)
    assert (info.value.column, info.value.length, info.value.message) == (column, length, message)


def test_unknown_field_suggests_the_closest() -> None:
    with pytest.raises(QueryError) as info:
        parse("dedline < today", now=NOW, tz=dt.UTC)
    assert info.value.hint == "did you mean 'deadline'?"
    assert info.value.show("dedline < today").splitlines() == [
        "query:1:1: unknown field 'dedline'",
        "  dedline < today",
        "  ^^^^^^^",
        "  hint: did you mean 'deadline'?",
    ]


def test_today_is_the_day_in_the_sites_zone(hand_log: Log) -> None:
    # 2026-02-22T20:00 in Toronto is 2026-02-23T01:00 UTC: "today" is the 22nd there.
    late = dt.datetime(2026, 2, 23, 1, tzinfo=dt.UTC)
    toronto = parse("deadline = today", now=late, tz=_zone("America/Toronto"))
    assert [d.id for d in toronto.select(hand_log)] == ["0006"]  # deadline 02-22T09:00Z = 04:00 Toronto
    assert ids(hand_log, "deadline = today", now=late) == []


def _zone(name: str) -> dt.tzinfo:
    from zoneinfo import ZoneInfo

    return ZoneInfo(name)


def test_tokens_keep_hyphenated_words_and_dates_apart() -> None:
    kinds = [(t.kind, t.text) for t in tokenize("meeting = 2026-01-20-steering or decided < 2026-01-20 - 1w")]
    assert kinds == [
        ("word", "meeting"),
        ("op", "="),
        ("word", "2026-01-20-steering"),
        ("word", "or"),
        ("word", "decided"),
        ("op", "<"),
        ("date", "2026-01-20"),
        ("-", "-"),
        ("duration", "1w"),
        ("end", ""),
    ]


# --- the command ---------------------------------------------------------------------------------


@pytest.fixture
def maker(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> LogMaker:
    m = write_log(tmp_path / "log")
    monkeypatch.chdir(m.root)
    return m


def test_cli_table(maker: LogMaker) -> None:
    out = invoke(["query", "status = proposed and partner = globex", "--today", "2026-03-01"])
    assert out.exit_code == 0, out.stderr
    assert out.lines == [
        "id    status    mode   partners     deadline          decided  title",
        "0006  proposed  async  acme,globex  2026-02-22 09:00           F pricing",
        "0007  proposed  async  acme,globex  2026-03-02 09:00           G",
    ]
    decided = invoke(["query", "id = 1", "--today", "2026-03-01"])
    assert decided.lines[0].split() == ["id", "status", "mode", "partners", "deadline", "decided", "title"]
    assert "2026-01-0" in decided.lines[1].split("  async  ")[1]  # "when did we decide X?" is answered


@pytest.mark.parametrize(
    ("expr", "column", "message", "hint"),
    [
        ("status = acepted", 10, "no decision has status 'acepted'", "did you mean 'accepted'?"),
        ("status = aproved", 10, "no decision has status 'aproved'", "did you mean 'accepted'?"),
        ("status = approved", 10, "no decision has status 'approved'", "did you mean 'accepted'?"),
        ("status != propsed", 11, "no decision has status 'propsed'", "did you mean 'proposed'?"),
        ("mode in (sync, asnyc)", 16, "no decision has mode 'asnyc'", "did you mean 'async'?"),
        (
            "category = tactical",
            12,
            "no decision has category 'tactical'",
            "category is one of strategic, operational",
        ),
        ("source = mail", 10, "no decision has source 'mail'", "did you mean 'email'?"),
    ],
)
def test_values_no_decision_can_have_are_refused(expr: str, column: int, message: str, hint: str) -> None:
    with pytest.raises(QueryError) as caught:
        parse(expr, now=NOW, tz=dt.UTC)
    assert (caught.value.column, caught.value.message, caught.value.hint) == (column, message, hint)
    run = invoke(["query", expr])
    assert run.exit_code == 2 and run.stdout == ""
    assert f"declog: error: query:1:{column}: {message}" in run.stderr and f"hint: {hint}" in run.stderr
    assert parse("title ~ acepted", now=NOW, tz=dt.UTC)  # contains: any text may be searched for


@pytest.mark.parametrize(
    ("expr", "column", "bad", "hint"),
    [
        ("partner = globx", 11, "globx", "did you mean 'globex'?"),
        ("waiting_on in (acme, glbex)", 22, "glbex", "did you mean 'globex'?"),
        ("approved_by = umbrella", 15, "umbrella", "the partners are acme, globex, initech"),
        ("silence_due != acm", 16, "acm", "did you mean 'acme'?"),
    ],
)
def test_a_partner_the_log_does_not_have_is_refused(
    maker: LogMaker, expr: str, column: int, bad: str, hint: str
) -> None:
    run = invoke(["query", expr])
    assert run.exit_code == 2 and run.stdout == ""
    assert f"declog: error: query:1:{column}: '{bad}' is not a partner of this log" in run.stderr
    assert f"hint: {hint}" in run.stderr
    assert invoke(["query", "partner = globex", "--format", "ids"]).exit_code == 0
    assert invoke(["query", "title ~ globx", "--format", "ids"]).exit_code == 0  # contains: any text


def test_cli_ids_and_json(maker: LogMaker) -> None:
    assert invoke(
        ["query", "deadline < today + 2d and status = proposed", "--format", "ids", "--today", "2026-03-01"]
    ).lines == ["0006", "0007"]
    assert (
        invoke(
            [
                "query",
                "deadline < today + 2d and status = proposed",
                "--format",
                "ids",
                "--today",
                "2026-02-01",
            ]
        ).lines
        == []
    )
    [record] = invoke(["query", "tag = pricing", "--format", "json"]).json()
    assert (
        record["id"] == "0006" and record["tags"] == ["pricing"] and record["partners"] == ["acme", "globex"]
    )
    assert record["deadline"] == "2026-02-22T09:00:00+00:00"
    # today its deadline has long passed: globex's silence counts, not yet recorded
    assert record["approved_by"] == ["acme", "globex"] and record["waiting_on"] == []
    assert record["silence_due"] == ["globex"] and record["ready"] == "yes"


def test_cli_csv(maker: LogMaker) -> None:
    out = invoke(["query", "tag = pricing", "--format", "csv"]).stdout
    rows = list(csv.reader(io.StringIO(out)))
    assert rows == [
        ["id", "status", "mode", "category", "partners", "owner", "deadline", "decided", "title"],
        [
            "0006",
            "proposed",
            "async",
            "operational",
            "acme globex",
            "dave",
            "2026-02-22T09:00:00+00:00",
            "",
            "F pricing",
        ],
    ]


def test_cli_bad_expression_exits_2_with_a_caret(maker: LogMaker) -> None:
    out = invoke(["query", "status = proposed and partnr = globex"])
    assert out.exit_code == 2
    assert out.stdout == ""
    assert out.stderr.splitlines() == [
        "declog: error: query:1:23: unknown field 'partnr'",
        "  status = proposed and partnr = globex",
        "                        ^^^^^^",
        "  hint: did you mean 'partner'?",
    ]


# --- bounded work: long lists are flat, nesting has a limit ----------------------------------------


def test_a_list_of_thousands_of_or_terms_is_answered(hand_log: Log) -> None:
    many = " or ".join(f"id = {n}" for n in range(3, 5000))
    assert ids(hand_log, many) == ["0003", "0004", "0005", "0006", "0007", "0008", "0009", "0010"]
    assert ids(hand_log, " and ".join(["status = proposed"] * 5000)) == ["0006", "0007"]


def test_64_parentheses_and_nots_inside_one_another_are_read(hand_log: Log) -> None:
    assert ids(hand_log, "(" * 64 + "status = proposed" + ")" * 64) == ["0006", "0007"]
    assert ids(hand_log, "not " * 64 + "status = proposed") == ["0006", "0007"]


@pytest.mark.parametrize(
    ("expr", "column"),
    [("(" * 600 + "status = draft" + ")" * 600, 65), ("not " * 1000 + "status = draft", 257)],
    ids=["parentheses", "nots"],
)
def test_deeper_nesting_is_a_usage_error_at_the_65th(maker: LogMaker, expr: str, column: int) -> None:
    out = invoke(["query", expr])
    assert (out.exit_code, out.stdout) == (2, "")
    assert out.stderr.startswith(
        f"declog: error: query:1:{column}: more than 64 parentheses and 'not's inside one another\n"
    )
    assert "Traceback" not in out.stderr


# --- any input: a result or a QueryError, never a crash --------------------------------------------

_PIECES = [
    "status",
    "deadline",
    "partner",
    "id",
    "title",
    "and",
    "or",
    "not",
    "in",
    "is",
    "empty",
    "today",
    "now",
    "(",
    ")",
    ",",
    "=",
    "!=",
    "<",
    ">=",
    "~",
    "+",
    "-",
    "2d",
    "48h",
    "2026-12-01",
    "2026-12-01T09:00:00+01:00",
    "2026-12-01T09:00",
    '"x y"',
    "'q",
    "globex",
    "0001",
    "&",
    "",
]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.one_of(st.text(max_size=40), st.lists(st.sampled_from(_PIECES), max_size=12).map(" ".join)))
def test_any_expression_parses_or_fails_cleanly(hand_log: Log, expr: str) -> None:
    try:
        query = parse(expr, now=NOW, tz=dt.UTC)
    except QueryError as exc:
        assert 1 <= exc.column <= len(expr) + 1
        assert exc.show(expr).startswith(f"query:1:{exc.column}: ")
        return
    query.select(hand_log)
