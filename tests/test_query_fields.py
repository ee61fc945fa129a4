"""`declog query` on the log's own fields (declog.toml ``[fields.NAME]``), against answers worked out by hand.

Six drafts hold every kind of field; the moment is fixed (2026-03-01 12:00 UTC), never today.
"""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path

import pytest
from conftest import CONFIG, LogMaker, doc, invoke, make_log

from declog.check.checker import load_and_check
from declog.insight.query import QueryError, known_values, parse
from declog.log.model import Log

NOW = dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC)

FIELDS = """
[fields.budget]
type = "money"

[fields.costs]
type = "list"
items = { type = "money" }

[fields.systems]
type = "list"
items = { type = "enum", values = ["billing", "portal", "tracking"] }

[fields.regulator]
type = "enum"
values = ["bafin", "fca", "sec"]

[fields.renewal]
type = "date"

[fields.signed]
type = "datetime"

[fields.seats]
type = "integer"

[fields.share]
type = "number"

[fields.public]
type = "boolean"

[fields.sponsor]
type = "member"

[fields.lead]
type = "partner"
"""

DECISIONS = {
    "0001": """
        budget: EUR 410000
        systems: [billing, portal]
        regulator: bafin
        renewal: 2026-03-20
        signed: 2026-02-27T18:00:00-05:00
        seats: 12
        share: 0.25
        public: true
        sponsor: carol
        lead: globex
        """,
    "0002": """
        budget: {amount: 9999.99, currency: EUR}
        systems: [tracking]
        regulator: fca
        renewal: 2026-04-30
        signed: 2026-02-28T00:30:00+01:00
        seats: 0
        public: false
        sponsor: alice
        """,
    "0003": """
        budget: USD 50000
        systems: [portal]
        renewal: 2026-03-02
        share: 1.5
        lead: acme
        costs: [EUR 10, USD 20]
        """,
    "0004": """
        budget: EUR 10000
        regulator: bafin
        seats: 3
        """,
    "0005": "",
    "0006": """
        budget: JPY 2000000
        systems: [billing]
        public: false
        costs: [EUR 30]
        """,
}


def write_log(root: Path) -> LogMaker:
    maker = make_log(root)
    maker.config(CONFIG + FIELDS)
    for id_, fields in DECISIONS.items():
        front = f'id: "{id_}"\ntitle: Decision {id_}\nstatus: draft\n' + textwrap.dedent(fields)
        maker.decision(f"{id_}-x", doc(front))
    return maker


@pytest.fixture(scope="module")
def fields_log(tmp_path_factory: pytest.TempPathFactory) -> Log:
    result = load_and_check(write_log(tmp_path_factory.mktemp("q") / "log").root)
    assert result.log is not None
    assert result.errors == 0, [str(f) for f in result.findings]
    return result.log


def ids(log: Log, expr: str) -> list[str]:
    query = parse(expr, now=NOW, tz=dt.UTC, known=known_values(log), fields=log.config.fields)
    return [d.id for d in query.select(log)]


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        # money: within one currency, amounts exact
        ("budget.amount > 10000 and budget.currency = EUR", ["0001"]),
        ("budget.amount >= 10000 and budget.currency = EUR", ["0001", "0004"]),
        ("budget.amount > 10000", ["0001", "0003", "0006"]),  # the amount alone, whatever its currency
        ("budget > EUR 10000", ["0001"]),  # USD 50000 and JPY 2000000 are not comparable with euros
        ('budget > "EUR 9999.98"', ["0001", "0002", "0004"]),
        ("budget <= EUR 10000", ["0002", "0004"]),
        ("budget = EUR 10000.00", ["0004"]),
        ("budget != EUR 10000", ["0001", "0002"]),  # another currency, or none, matches nothing
        ("budget < USD 50000.01", ["0003"]),
        ("budget.currency in (USD, JPY)", ["0003", "0006"]),
        ("budget is empty", ["0005"]),
        ("budget.amount < -1", []),
        ("costs > USD 10", ["0003"]),  # an item in dollars above 10
        ("costs contains EUR 30", ["0006"]),
        ("costs.currency = USD", ["0003"]),
        # enums and lists
        ("regulator = bafin", ["0001", "0004"]),
        ("regulator in (fca, sec)", ["0002"]),
        ("regulator != bafin", ["0002"]),  # a missing value matches no comparison
        ("not regulator = bafin", ["0002", "0003", "0005", "0006"]),
        ("regulator is empty", ["0003", "0005", "0006"]),
        ("systems contains billing", ["0001", "0006"]),
        ("systems = portal", ["0001", "0003"]),  # on a list, = is contains
        ("systems contains portal and not systems contains billing", ["0003"]),
        ("systems not contains billing", ["0002", "0003", "0004", "0005"]),  # as tags != x
        ("systems in (tracking, portal)", ["0001", "0002", "0003"]),
        ("systems is empty", ["0004", "0005"]),
        # dates, relative to the given moment
        ("renewal < today + 30d", ["0001", "0003"]),  # before 03-31
        ("renewal <= today + 1d", ["0003"]),
        ("renewal > now", ["0001", "0002", "0003"]),
        ("renewal >= 2026-04-30 or renewal = 2026-03-02", ["0002", "0003"]),
        ("signed = 2026-02-27", ["0001", "0002"]),  # 23:00 and 23:30 UTC
        ("signed > 2026-02-27T23:15:00Z", ["0002"]),
        ("signed < now - 1d", ["0001", "0002"]),
        # numbers and booleans
        ("seats > 2", ["0001", "0004"]),
        ("seats = 0", ["0002"]),
        ("seats is not empty", ["0001", "0002", "0004"]),  # 0 is a value
        ("share >= 0.25", ["0001", "0003"]),
        ("share < 1", ["0001"]),
        ("seats in (3, 12)", ["0001", "0004"]),
        ("public = true", ["0001"]),
        ("public = false", ["0002", "0006"]),
        ("public is empty", ["0003", "0004", "0005"]),  # false is a value
        # members and partners
        ("sponsor = carol", ["0001"]),
        ("sponsor in (alice, carol)", ["0001", "0002"]),
        ("lead = acme or lead = globex", ["0001", "0003"]),
    ],
)
def test_custom_fields_against_hand_computed_answers(fields_log: Log, expr: str, expected: list[str]) -> None:
    assert ids(fields_log, expr) == expected


@pytest.mark.parametrize(
    ("expr", "column", "message", "hint"),
    [
        ("budgte > EUR 5", 1, "unknown field 'budgte'", "did you mean 'budget'?"),
        ("budget.amont > 5", 1, "unknown field 'budget.amont'", "did you mean 'budget.amount'?"),
        (
            "regulator.amount > 5",
            1,
            "unknown field 'regulator.amount'",
            "only money fields have parts (.amount, .currency); regulator is compared as it is",
        ),
        ("regulator = bafn", 13, "no decision has regulator 'bafn'", "did you mean 'bafin'?"),
        ("budget.currency = EURO", 19, "no decision has budget.currency 'EURO'", "did you mean 'EUR'?"),
        (
            "budget > EUR",
            10,
            "budget is money; 'EUR' is not an amount with its currency",
            "e.g. budget > EUR 10000, or budget.currency = EUR",
        ),
        (
            'budget > "€ 5"',
            10,
            "budget is money; '€ 5' is not an amount with its currency",
            "write EUR 5",
        ),
        (
            "seats > many",
            9,
            "seats is a number; 'many' is not a number",
            "e.g. seats > 10000 or seats <= -2.5",
        ),
        ("seats > today", 9, "seats is a number; a date is not", ""),
        ("regulator < bafin", 11, "'<' orders numbers, money, ids and dates only; regulator is text", ""),
        ("public > false", 8, "'>' orders numbers, money, ids and dates only; public is true or false", ""),
        ("public = yes", 10, "no decision has public 'yes'", "public is one of true, false"),
        ("budget ~ EUR", 8, "'~' (contains) needs a text field", ""),
        (
            "regulator contains bafin",
            11,
            "'contains' needs a list; regulator holds one value",
            "write `regulator ~ ...` for text that contains a word",
        ),
        (
            "sponsor = zed",
            11,
            "'zed' is not a member of any partner",
            "the members are alice, bob, carol, dave",
        ),
        ("sponsor = carl", 11, "'carl' is not a member of any partner", "did you mean 'carol'?"),
        ("lead = initech", 8, "'initech' is not a partner of this log", "the partners are acme, globex"),
    ],
)
def test_mistakes_with_custom_fields_are_errors_at_their_column(
    fields_log: Log, expr: str, column: int, message: str, hint: str
) -> None:
    with pytest.raises(QueryError) as info:
        ids(fields_log, expr)
    assert (info.value.column, info.value.message, info.value.hint) == (column, message, hint)


def test_without_the_declarations_a_custom_field_is_unknown(fields_log: Log) -> None:
    with pytest.raises(QueryError) as info:
        parse("regulator = bafin", now=NOW, tz=dt.UTC)
    assert info.value.message == "unknown field 'regulator'"


def test_cli_json_carries_the_fields_as_decisions_json_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    maker = write_log(tmp_path / "log")
    monkeypatch.chdir(maker.root)
    out = invoke(["query", "budget.currency = EUR", "--format", "json", "--today", "2026-03-01"])
    assert out.exit_code == 0, out.stderr
    by_id = {r["id"]: r["fields"] for r in out.json()}
    assert by_id == {
        "0001": {
            "budget": {"amount": 410000, "currency": "EUR"},
            "systems": ["billing", "portal"],
            "regulator": "bafin",
            "renewal": "2026-03-20",
            "signed": "2026-02-27T18:00:00-05:00",
            "seats": 12,
            "share": 0.25,
            "public": True,
            "sponsor": "carol",
            "lead": "globex",
        },
        "0002": {
            "budget": {"amount": 9999.99, "currency": "EUR"},
            "systems": ["tracking"],
            "regulator": "fca",
            "renewal": "2026-04-30",
            "signed": "2026-02-28T00:30:00+01:00",
            "seats": 0,
            "public": False,
            "sponsor": "alice",
        },
        "0004": {"budget": {"amount": 10000, "currency": "EUR"}, "regulator": "bafin", "seats": 3},
    }


def test_cli_unknown_field_suggests_a_declared_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    maker = write_log(tmp_path / "log")
    monkeypatch.chdir(maker.root)
    out = invoke(["query", "sytems contains billing"])
    assert out.exit_code == 2
    assert out.stderr.splitlines() == [
        "declog: error: query:1:1: unknown field 'sytems'",
        "  sytems contains billing",
        "  ^^^^^^",
        "  hint: did you mean 'systems'?",
    ]
    listed = invoke(["query", "= x"])
    assert (
        "fields: id, title," in listed.stderr
        and "reviews, budget, costs, systems, regulator" in listed.stderr
    )
