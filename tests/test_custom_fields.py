"""The partnership's own fields (declog.toml ``[fields.NAME]``): declared, checked, loaded, carried.

Each test runs the real ``declog check`` (or reads the log as ``check`` loads it) over a small log
whose declog.toml declares the fields, and asserts what a user sees: the finding's place, message
and hint, and that doing what the hint says leaves the log clean.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import CONFIG, LogMaker, doc, invoke, isolated_git

from declog.check.checker import load_and_check
from declog.log.customfields import Money

D = "content/decisions/0002-x.md"


def declare(log: LogMaker, fields: str) -> None:
    log.config(CONFIG + "\n" + fields)


def draft(**fields: str) -> str:
    """A clean draft with ``fields`` written as ``name: value`` lines (frontmatter lines 4 on)."""
    lines = "".join(f"{name}: {value}\n" for name, value in fields.items())
    return doc('id: "0002"\ntitle: X\nstatus: draft\n' + lines)


def loaded(log: LogMaker) -> dict[str, object]:
    result = load_and_check(log.root)
    assert result.log is not None, [str(f) for f in result.findings]
    errors = [f"{f.path}:{f.line}:{f.col} {f.code} {f.message}" for f in result.findings]
    assert result.errors == 0, errors
    [d] = [d for d in result.log.decisions if d.path == D]
    return dict(d.fields)


# --- values that load ----------------------------------------------------------------------------

VALID = [
    ("string", "", "Hamburg hub", "Hamburg hub"),
    ("text", "", "|\n  line one\n  line two", "line one\nline two"),
    ("integer", "", "12", 12),
    ("number", "", "1.5", 1.5),
    ("boolean", "", "true", True),
    ("date", "", "2026-12-31", dt.date(2026, 12, 31)),
    (
        "datetime",
        "",
        "2026-12-31T17:00:00+01:00",
        dt.datetime(2026, 12, 31, 17, tzinfo=dt.timezone(dt.timedelta(hours=1))),
    ),
    ("url", "", "https://example.org/contract/7", "https://example.org/contract/7"),
    ("money", "", "EUR 410000", Money(Decimal(410000), "EUR")),
    ("money", "", "{amount: 410000.50, currency: USD}", Money(Decimal("410000.5"), "USD")),
    ("money", "", "USD -12.50", Money(Decimal("-12.50"), "USD")),
    ("enum", 'values = ["bafin", "fca"]', "bafin", "bafin"),
    ("partner", "", "globex", "globex"),
    ("member", "", "carol", "carol"),
    (
        "list",
        'items = { type = "enum", values = ["billing", "portal"] }',
        "[portal, billing]",
        ("portal", "billing"),
    ),
    (
        "list",
        'items = { type = "money" }',
        "[EUR 1, GBP 2]",
        (Money(Decimal(1), "EUR"), Money(Decimal(2), "GBP")),
    ),
    ("list", 'items = { type = "date" }', "[2026-01-02]", (dt.date(2026, 1, 2),)),
]


@pytest.mark.parametrize(
    ("kind", "extra", "written", "value"), VALID, ids=[f"{v[0]}-{i}" for i, v in enumerate(VALID)]
)
def test_a_valid_value_loads_as_its_type(
    log: LogMaker, kind: str, extra: str, written: str, value: object
) -> None:
    declare(log, f'[fields.f]\ntype = "{kind}"\n{extra}\n')
    log.decision("0002-x", draft(f=written))
    assert loaded(log) == {"f": value}


def test_a_default_fills_an_absent_field_and_nothing_else(log: LogMaker) -> None:
    declare(
        log,
        '[fields.budget]\ntype = "money"\ndefault = "EUR 0"\n\n'
        '[fields.due]\ntype = "date"\ndefault = 2027-01-01\n\n[fields.note]\ntype = "string"\n',
    )
    log.decision("0002-x", draft(budget="GBP 5"))
    assert loaded(log) == {"budget": Money(Decimal(5), "GBP"), "due": dt.date(2027, 1, 1)}


# --- values that do not, each with a fix that works ----------------------------------------------

#: kind, declaration extra, value as written, (code, message, hint), the value the hint says to write.
INVALID = [
    ("integer", "", '"12"', ("DL102", "f should be a whole number, not '12'", "write 12"), "12"),
    ("number", "", "1,5x", ("DL102", "f should be a number, not '1,5x'", ""), "1.5"),
    ("boolean", "", '"True"', ("DL102", "f should be true or false, not 'True'", "write true"), "true"),
    ("string", "", "12", ("DL102", "f should be text, not 12", 'quote it: "12"'), '"12"'),
    ("date", "", "2026-02-30", ("DL105", "f '2026-02-30' is not a valid date", None), None),
    (
        "date",
        "",
        "31/12/2026",
        ("DL105", "f '31/12/2026' is not a valid date", "write 2026-12-31 (ISO 8601, year-month-day)"),
        "2026-12-31",
    ),
    (
        "datetime",
        "",
        "2026-12-31T17:00:00",
        ("DL106", "f '2026-12-31T17:00:00' has no time zone offset", None),
        "2026-12-31T17:00:00+00:00",
    ),
    (
        "url",
        "",
        "example.org/c",
        ("DL104", "f 'example.org/c' is not an http(s) URL", "write 'https://example.org/c'"),
        "https://example.org/c",
    ),
    (
        "money",
        "",
        "EUR 41O000",
        ("DL104", "f 'EUR 41O000' has an amount that is not a number ('41O000')", "write EUR 410000"),
        "EUR 410000",
    ),
    (
        "money",
        "",
        "€ 410000",
        ("DL104", "f '€ 410000' has a currency sign, not an ISO 4217 code ('€')", "write EUR 410000"),
        "EUR 410000",
    ),
    (
        "money",
        "",
        "410000 EUR",
        ("DL104", "f '410000 EUR' has the currency after the amount", "write EUR 410000"),
        "EUR 410000",
    ),
    (
        "money",
        "",
        "EUX 410000",
        ("DL104", "f 'EUX 410000' names no ISO 4217 currency ('EUX')", "did you mean 'EUR'?"),
        "EUR 410000",
    ),
    (
        "money",
        "",
        "eur 410000",
        ("DL104", "f 'eur 410000' has its currency code in lower case ('eur')", "write EUR 410000"),
        "EUR 410000",
    ),
    (
        "money",
        "",
        "{amount: 410000}",
        (
            "DL104",
            "f has no currency",
            "write an amount with its currency, e.g. EUR 410000 or {amount: 410000, currency: EUR}",
        ),
        "EUR 410000",
    ),
    (
        "money",
        "",
        "{amount: x, currency: EUR}",
        ("DL104", "f.amount 'x' is not a number", "write a number, e.g. 410000"),
        "{amount: 410000, currency: EUR}",
    ),
    (
        "enum",
        'values = ["bafin", "fca"]',
        "bafn",
        ("DL103", "f 'bafn' is not one of: bafin, fca", "did you mean 'bafin'?"),
        "bafin",
    ),
    (
        "partner",
        "",
        "globx",
        ("DL201", "f names unknown partner 'globx'", "did you mean 'globex'?"),
        "globex",
    ),
    (
        "partner",
        "",
        "Globex Inc",
        (
            "DL104",
            "f 'Globex Inc' should be lower-case letters, digits and dashes (e.g. 'acme' or 'data-retention')",
            "write 'globex-inc'",
        ),
        "globex",
    ),
    (
        "member",
        "",
        "carl",
        ("DL202", "f 'carl' is not a member of any partner", "did you mean 'carol'?"),
        "carol",
    ),
    (
        "member",
        "",
        "'@carol'",
        (
            "DL104",
            "f '@carol' is not a valid handle (letters, digits and single dashes, without @)",
            "write 'carol'",
        ),
        "carol",
    ),
    (
        "list",
        'items = { type = "enum", values = ["billing", "portal"] }',
        "billing",
        ("DL102", "f should be a list, not 'billing'", "write a list: [billing]"),
        "[billing]",
    ),
    (
        "list",
        'items = { type = "partner" }',
        "[acme, globx]",
        ("DL201", "f[2] names unknown partner 'globx'", "did you mean 'globex'?"),
        "[acme, globex]",
    ),
    (
        "string",
        "",
        "''",
        ("DL110", "f is empty", "fill in the value (e.g. some text) or remove the field"),
        "Hamburg",
    ),
]


@pytest.mark.parametrize(
    ("kind", "extra", "written", "said", "fixed"), INVALID, ids=[f"{v[0]}-{v[2]}" for v in INVALID]
)
def test_an_invalid_value_is_an_error_at_its_place_with_a_fix(
    log: LogMaker, kind: str, extra: str, written: str, said: tuple[str, str, str | None], fixed: str | None
) -> None:
    declare(log, f'[fields.f]\ntype = "{kind}"\n{extra}\n')
    log.decision("0002-x", draft(f=written))
    found = [f for f in log.findings() if f.path == D]
    assert len(found) == 1, found
    [f] = found
    code, message, hint = said
    # the value's column (4, after `f: `), or its part's: the amount, the second item
    column = {"{amount: x, currency: EUR}": 13, "[acme, globx]": 11}.get(written, 4)
    assert (f.line, f.col, f.code, f.severity, f.message) == (5, column, code, "error", message)
    if hint is not None:
        assert f.hint == hint
    if fixed is None:
        return
    log.decision("0002-x", draft(f=fixed))
    assert [f for f in log.findings() if f.path == D] == []


def test_a_bad_amount_in_a_mapping_is_at_the_amount(log: LogMaker) -> None:
    declare(log, '[fields.budget]\ntype = "money"\n')
    log.decision("0002-x", draft(budget="\n  amount: 41O000\n  currency: EUR"))
    [f] = log.findings()
    assert (f.line, f.col, f.message, f.hint) == (
        6,
        11,
        "budget.amount '41O000' is not a number",
        "write 410000",
    )


def test_a_typo_of_a_declared_field_gets_the_same_did_you_mean_as_a_built_in(log: LogMaker) -> None:
    declare(log, '[fields.systems]\ntype = "list"\nitems = { type = "string" }\n')
    log.decision("0002-x", draft(sytems="[billing]", tagz="[a]"))
    found = [(f.line, f.col, f.code, f.message) for f in log.findings()]
    assert found == [
        (5, 1, "DL111", "unknown field 'sytems': did you mean 'systems'?"),
        (6, 1, "DL111", "unknown field 'tagz': did you mean 'tags'?"),
    ]


def test_an_undeclared_field_is_still_unknown(log: LogMaker) -> None:
    declare(log, '[fields.systems]\ntype = "string"\n')
    log.decision("0002-x", draft(budget="EUR 1"))
    assert [(f.code, f.message) for f in log.findings()] == [("DL107", "unknown field 'budget'")]


# --- required --------------------------------------------------------------------------------------


def test_required_in_a_category(log: LogMaker) -> None:
    declare(log, '[fields.budget]\ntype = "money"\nrequired = { categories = ["strategic"] }\n')
    log.decision("0002-x", draft(category="operational"))
    assert log.findings() == []
    log.decision("0002-x", draft(category="strategic"))
    [f] = log.findings()
    assert (f.path, f.line, f.col, f.code, f.message, f.hint) == (
        D,
        1,
        1,
        "DL101",
        "missing required field 'budget' (required in strategic decisions)",
        "add `budget:` with a money, e.g. EUR 410000",
    )
    log.decision("0002-x", draft(category="strategic", budget="EUR 410000"))
    assert log.findings() == []


def test_required_from_a_status_on_follows_the_workflow(log: LogMaker) -> None:
    declare(log, '[fields.review_date]\ntype = "date"\nrequired = { from = "proposed" }\n')
    log.decision("0002-x", draft())
    assert log.findings() == []
    log.decision("0002-x", draft().replace("status: draft", "status: withdrawn\nreason: r"))
    [f] = log.codes("DL101")  # withdrawn comes after proposed; draft, a step back, before it
    assert (f.line, f.code, f.message) == (
        1,
        "DL101",
        "missing required field 'review_date' (required from proposed on)",
    )


def test_required_always_and_empty_is_not_filled(log: LogMaker) -> None:
    declare(log, '[fields.regulator]\ntype = "enum"\nvalues = ["bafin", "fca"]\nrequired = true\n')
    log.decision("0002-x", draft(regulator="  # required: bafin or fca"))
    [f] = [f for f in log.findings() if f.path == D]
    assert (f.line, f.col, f.code, f.message) == (5, 11, "DL110", "regulator is empty")
    assert f.hint == "fill in the value (e.g. bafin): it is required"


# --- declarations ----------------------------------------------------------------------------------

DECLARATIONS = [
    (
        '[fields.budget]\ntype = "mony"\n',
        2,
        "[fields.budget] type: unknown type 'mony'",
        "did you mean 'money'?",
    ),
    ('[fields.regulator]\ntype = "enum"\n', 2, "[fields.regulator] is an enum without values", None),
    (
        '[fields.budget]\ntype = "money"\nfacet = true\n',
        3,
        "[fields.budget] is a money, which cannot be a filter (facet)",
        None,
    ),
    (
        '[fields.budget]\ntype = "money"\ndefault = "410000 EUR"\n',
        3,
        "[fields.budget] default '410000 EUR' has the currency after the amount",
        "write EUR 410000",
    ),
    (
        '[fields.status]\ntype = "string"\n',
        1,
        "[fields.status] shadows the built-in decision field 'status'",
        None,
    ),
    (
        '[fields.review_by]\ntype = "date"\n',
        1,
        "[fields.review_by] shadows the built-in decision field 'review_by'",
        None,
    ),
    (
        '[fields.ready]\ntype = "boolean"\n',
        1,
        "[fields.ready] would be hidden in `declog query`, where 'ready' already means something",
        None,
    ),
    (
        '[fields.systems]\ntype = "list"\nitems = { type = "list" }\n',
        3,
        "[fields.systems]: a list's items cannot be lists",
        None,
    ),
    ('[fields.systems]\ntype = "list"\n', 2, "[fields.systems] is a list but says not of what", None),
]


@pytest.mark.parametrize(("text", "line", "message", "hint"), DECLARATIONS, ids=[d[2] for d in DECLARATIONS])
def test_a_bad_declaration_is_a_finding_at_its_line(
    log: LogMaker, text: str, line: int, message: str, hint: str | None
) -> None:
    declare(log, text)
    first = CONFIG.count("\n") + 2  # the [fields.NAME] header's line
    run = log.check("--format", "json")
    assert run.exit_code == 2, run.stderr  # bad settings: nothing else is checked
    found = [f for f in run.json() if f["path"] == "declog.toml"]
    assert [(f["line"], f["code"], f["message"]) for f in found] == [(first + line - 1, "DL502", message)]
    if hint is not None:
        assert found[0]["hint"] == hint


# --- a governance change ---------------------------------------------------------------------------


@pytest.mark.git
def test_changing_a_declaration_is_a_governance_change_judged_by_the_base(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    isolated_git(monkeypatch, tmp_path, when="2026-01-09T12:00:00+00:00")
    log = LogMaker(tmp_path / "repo")
    from conftest import make_log

    log = make_log(tmp_path / "repo")
    declare(log, '[fields.budget]\ntype = "money"\n')
    log.decision("0002-x", draft())

    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=log.root, check=True, capture_output=True)

    git("init", "-q", "-b", "main")
    git("add", "-A")
    git("commit", "-q", "-m", "base")
    monkeypatch.chdir(log.root)
    declare(log, '[fields.budget]\ntype = "money"\nrequired = true\n')
    found = log.findings("--base", "HEAD")
    assert [(f.path, f.code, f.message) for f in found] == [
        (
            "declog.toml",
            "DL407",
            "governance change (the log's settings ([fields])): every partner must approve this pull request",
        )
    ]  # and the base's declaration judges the change: the budget is not yet required
    assert [(f.code, f.message) for f in log.findings()] == [("DL101", "missing required field 'budget'")]


# --- new, import, decisions.json, schema -----------------------------------------------------------


def test_new_writes_required_fields_as_placeholders_that_fail_check(log: LogMaker) -> None:
    declare(
        log,
        '[fields.budget]\ntype = "money"\nrequired = { categories = ["strategic"] }\ndescription = "What it costs."\n\n'
        '[fields.regulator]\ntype = "enum"\nvalues = ["bafin", "fca"]\nrequired = true\n\n'
        '[fields.contract]\ntype = "url"\nrequired = { from = "accepted" }\n',
    )
    run = invoke(
        ["new", "Buy new servers", "--category", "strategic", "--owner", "alice", "--root", str(log.root)]
    )
    assert run.exit_code == 0, run.stdout + run.stderr
    path = log.root / "content/decisions/0001-buy-new-servers.md"
    lines = path.read_text().splitlines()
    assert [line for line in lines if line.startswith(("budget", "regulator", "contract"))] == [
        "budget:  # required: What it costs. (e.g. EUR 410000)",
        "regulator:  # required: e.g. bafin",
    ]  # a proposal: the contract is required from accepted on
    line = lines.index("regulator:  # required: e.g. bafin") + 1
    found = [(f.line, f.code, f.message, f.hint) for f in log.findings() if f.severity == "error"]
    assert found == [
        (line - 1, "DL110", "budget is empty", "fill in the value (e.g. EUR 410000): it is required"),
        (line, "DL110", "regulator is empty", "fill in the value (e.g. bafin): it is required"),
    ]
    text = path.read_text()
    text = text.replace("budget:  #", "budget: EUR 410000  #").replace("regulator:  #", "regulator: fca  #")
    path.write_text(text)
    assert [f for f in log.findings() if f.severity == "error"] == []
    operational = invoke(["new", "Rename a queue", "--owner", "alice", "--root", str(log.root)])
    assert operational.exit_code == 0
    text = (log.root / "content/decisions/0002-rename-a-queue.md").read_text()
    assert "regulator:  # required" in text
    assert "budget:" not in text


def test_import_maps_a_column_into_a_custom_field(log: LogMaker, tmp_path: Path) -> None:
    declare(
        log,
        '[fields.budget]\ntype = "money"\n\n[fields.headcount]\ntype = "integer"\n\n'
        '[fields.systems]\ntype = "list"\nitems = { type = "enum", values = ["billing", "portal"] }\n',
    )
    sheet = tmp_path / "s.csv"
    sheet.write_text('Title,Cost,People,Touches\nShip on Fridays,EUR 410000,"1,200","billing; portal"\n')
    mapping = tmp_path / "map.toml"
    mapping.write_text('[columns]\nbudget = "Cost"\nheadcount = "People"\nsystems = "Touches"\n')
    run = invoke(["import", "csv", str(sheet), "--map", str(mapping), "--root", str(log.root)])
    assert run.exit_code == 0, run.stdout + run.stderr
    text = (log.root / "content/decisions/0001-ship-on-fridays.md").read_text()
    assert 'budget: "EUR 410000"\nheadcount: 1200\nsystems: [billing, portal]\n' in text
    result = load_and_check(log.root)
    assert result.log is not None and result.errors == 0
    [d] = result.log.decisions
    assert dict(d.fields) == {
        "budget": Money(Decimal(410000), "EUR"),
        "headcount": 1200,
        "systems": ("billing", "portal"),
    }


def test_import_map_names_the_declared_fields_when_a_column_fills_none(log: LogMaker, tmp_path: Path) -> None:
    declare(log, '[fields.budget]\ntype = "money"\n')
    sheet = tmp_path / "s.csv"
    sheet.write_text("Title,Cost\nx,EUR 1\n")
    mapping = tmp_path / "map.toml"
    mapping.write_text('[columns]\nbudgte = "Cost"\n')
    run = invoke(["import", "csv", str(sheet), "--map", str(mapping), "--root", str(log.root)])
    assert run.exit_code == 2
    assert "[columns] budgte: not a field an import fills" in run.stderr
    assert run.stderr.rstrip().endswith("superseded_by, budget)")


def test_decisions_json_carries_the_typed_values(log: LogMaker, tmp_path: Path) -> None:
    declare(
        log,
        '[fields.budget]\ntype = "money"\n\n[fields.due]\ntype = "date"\n\n'
        '[fields.systems]\ntype = "list"\nitems = { type = "string" }\n\n'
        '[fields.open]\ntype = "boolean"\ndefault = false\n',
    )
    log.decision(
        "0002-x", draft(budget="{amount: 410000.50, currency: EUR}", due="2027-01-31", systems="[billing]")
    )
    site = tmp_path / "site"
    built = invoke(["build", "--root", str(log.root), "--output", str(site)])
    assert built.exit_code == 0, built.stdout + built.stderr
    [record] = json.loads((site / "decisions.json").read_text())["decisions"]
    assert record["fields"] == {
        "budget": {"amount": 410000.5, "currency": "EUR"},
        "due": "2027-01-31",
        "systems": ["billing"],
        "open": False,
    }


def test_schema_tells_editors_the_declared_fields(log: LogMaker) -> None:
    declare(
        log,
        '[fields.regulator]\ntype = "enum"\nvalues = ["bafin", "fca"]\ndescription = "Who oversees it."\n'
        'required = { categories = ["strategic"] }\n',
    )
    run = invoke(["schema", "--root", str(log.root)])
    assert run.exit_code == 0, run.stderr
    schema = json.loads(run.stdout)
    assert schema["properties"]["regulator"] == {
        "type": "string",
        "enum": ["bafin", "fca"],
        "description": "Who oversees it.",
    }
    assert {
        "if": {"required": ["category"], "properties": {"category": {"enum": ["strategic"]}}},
        "then": {"required": ["regulator"]},
    } in schema["allOf"]
    from jsonschema import Draft202012Validator

    validator = Draft202012Validator(schema)
    assert not validator.is_valid({"id": "0001", "title": "X", "status": "draft", "category": "strategic"})
    assert validator.is_valid(
        {"id": "0001", "title": "X", "status": "draft", "category": "strategic", "regulator": "fca"}
    )


def test_no_field_can_take_a_name_query_already_gives_a_meaning() -> None:
    """Every field, alias and word of `declog query` is refused as a field's name (config.BUILTIN_FIELDS)."""
    from declog.insight.query import KEYWORDS
    from declog.insight.queryfields import ALIASES, FIELDS
    from declog.log.config import BUILTIN_FIELDS

    assert set(FIELDS) | set(ALIASES) | KEYWORDS | {"contains"} <= BUILTIN_FIELDS
