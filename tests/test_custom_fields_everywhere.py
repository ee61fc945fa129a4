"""The log's own fields read back the same from everywhere they go.

A seeded generator writes a log whose declog.toml declares a field of every type (money in both
spellings, lists of several types, a default), and decisions that hold random values of them. For
every decision, the values read back from

* decisions.json (``declog build --no-search``),
* the SQLite export (``declog export --sqlite``, table ``decision_fields``),
* ``declog query --format json``,
* python-frontmatter (the raw YAML, with the declared default filled in),

normalised to one form (money as an exact ``Decimal`` and its currency, numbers as ``Decimal``,
dates and date-times as ISO 8601 text), are the same.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import sqlite3
from decimal import Decimal
from pathlib import Path
from typing import Any

import frontmatter
import pytest
from conftest import CONFIG, LogMaker, invoke, make_log

FIELDS = """
[fields.site]
type = "string"

[fields.notes]
type = "text"

[fields.seats]
type = "integer"

[fields.share]
type = "number"

[fields.public]
type = "boolean"
default = false

[fields.renewal]
type = "date"

[fields.signed]
type = "datetime"

[fields.contract]
type = "url"

[fields.budget]
type = "money"

[fields.regulator]
type = "enum"
values = ["bafin", "fca", "sec", "finma-ch"]

[fields.lead]
type = "partner"

[fields.sponsor]
type = "member"

[fields.systems]
type = "list"
items = { type = "enum", values = ["billing", "portal", "tracking", "crm"] }

[fields.costs]
type = "list"
items = { type = "money" }

[fields.milestones]
type = "list"
items = { type = "date" }

[fields.quotas]
type = "list"
items = { type = "integer" }

[fields.reviewers]
type = "list"
items = { type = "member" }
"""

#: Each field's type, and for a list its items' type.
TYPES = {
    "site": "string",
    "notes": "text",
    "seats": "integer",
    "share": "number",
    "public": "boolean",
    "renewal": "date",
    "signed": "datetime",
    "contract": "url",
    "budget": "money",
    "regulator": "enum",
    "lead": "partner",
    "sponsor": "member",
    "systems": "enum",
    "costs": "money",
    "milestones": "date",
    "quotas": "integer",
    "reviewers": "member",
}
LISTS = {"systems", "costs", "milestones", "quotas", "reviewers"}
DEFAULTS = {"public": False}
ENUMS = {
    "regulator": ["bafin", "fca", "sec", "finma-ch"],
    "systems": ["billing", "portal", "tracking", "crm"],
}

WORDS = [
    "Hamburg",
    "hub",
    "Zürich",
    "naïve",
    "ÅLAND",
    "東京",
    "42",
    "true",
    "no",
    "#7",
    "a: b",
    "'q'",
    '"dq"',
    "x-1",
]
CURRENCIES = ["EUR", "USD", "JPY", "GBP", "CHF", "BHD"]
OFFSETS = ["+00:00", "-05:00", "+05:30", "+14:00", "-09:30"]


def amount(rng: random.Random) -> str:
    """An amount as a document writes it: up to a trillion, 0 to 3 decimals (kept as written), a sign."""
    whole = rng.choice([0, 1, 7, 999, 10000, rng.randrange(10**12)])
    decimals = rng.choice(["", "", f".{rng.randrange(100):02d}", f".{rng.randrange(10)}", ".500"])
    return f"{'-' if rng.random() < 0.15 else ''}{whole}{decimals}"


def money(rng: random.Random) -> str:
    """A money value in one of its two spellings (the mapping's amount a number or quoted)."""
    code, value = rng.choice(CURRENCIES), amount(rng)
    spelling = rng.randrange(3)
    if spelling == 0:
        return f"{code} {value}"
    return f"{{amount: {value if spelling == 1 else json.dumps(value)}, currency: {code}}}"


def day(rng: random.Random) -> dt.date:
    return dt.date(1990, 1, 1) + dt.timedelta(days=rng.randrange(365 * 100))


def value(rng: random.Random, kind: str, name: str = "") -> str:
    """A YAML value of ``kind`` (text always double-quoted, so no YAML 1.1 reading can retype it)."""
    if kind == "string":
        return json.dumps(" ".join(rng.sample(WORDS, rng.randint(1, 4))), ensure_ascii=False)
    if kind == "text":
        lines = [" ".join(rng.sample(WORDS, rng.randint(1, 3))) for _ in range(rng.randint(1, 3))]
        return json.dumps("\n".join(lines) + rng.choice(["", "\n"]), ensure_ascii=False)
    if kind == "integer":
        return str(rng.choice([0, -1, rng.randrange(-(10**15), 10**15), 2**62]))
    if kind == "number":
        return rng.choice(
            [str(rng.randrange(-1000, 1000)), f"{rng.randrange(-(10**6), 10**6)}.{rng.randrange(1000)}"]
        )
    if kind == "boolean":
        return rng.choice(["true", "false"])
    if kind == "date":
        return day(rng).isoformat()
    if kind == "datetime":
        at = dt.datetime.combine(day(rng), dt.time(rng.randrange(24), rng.randrange(60), rng.randrange(60)))
        return at.isoformat() + rng.choice(OFFSETS)
    if kind == "url":
        return f"https://example.org/contracts/{rng.randrange(1000)}?q=a%20b#s{rng.randrange(9)}"
    if kind == "money":
        return money(rng)
    if kind == "enum":
        return rng.choice(ENUMS[name])
    if kind == "partner":
        return rng.choice(["acme", "globex"])
    assert kind == "member"
    return rng.choice(["alice", "bob", "carol", "dave"])


def items(rng: random.Random, kind: str, name: str) -> str:
    """A list of distinct values of ``kind`` (distinct as declog tells them apart: EUR 1 is EUR 1.0)."""
    out: dict[Any, str] = {}
    for _ in range(rng.randint(1, 4)):
        written = value(rng, kind, name)
        out.setdefault(plain(kind, frontmatter_value(written)), written)
    return "[" + ", ".join(out.values()) + "]"


def frontmatter_value(written: str) -> Any:
    import yaml

    return yaml.safe_load(f"v: {written}")["v"]


def write_log(root: Path, seed: int, n: int) -> LogMaker:
    rng = random.Random(seed)
    maker = make_log(root)
    maker.config(CONFIG + FIELDS)
    for num in range(1, n + 1):
        lines = [f'id: "{num:04d}"', f"title: Decision {num}", "status: draft"]
        for name, kind in TYPES.items():
            if num > 1 and rng.random() < 0.25:  # the first decision holds every field
                continue
            lines.append(f"{name}: {items(rng, kind, name) if name in LISTS else value(rng, kind, name)}")
        maker.decision(f"{num:04d}-x", "---\n" + "\n".join(lines) + "\n---\n\nBody.\n")
    return maker


# --- one form for every reading ------------------------------------------------------------------


def plain(kind: str, v: Any) -> Any:
    """A value of ``kind`` in the one form the readings are compared in."""
    if kind == "money":
        if isinstance(v, str):
            code, number = v.split(" ")
            return (Decimal(number), code)
        number = v["amount"]
        return (Decimal(repr(number) if isinstance(number, float) else str(number)), v["currency"])
    if kind == "number":
        return Decimal(repr(v) if isinstance(v, float) else str(v))
    if kind in ("date", "datetime"):
        return v.isoformat() if isinstance(v, dt.date) else v
    if kind == "text":
        return v
    return v


def normalised(fields: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for name, v in fields.items():
        kind = TYPES[name]
        out[name] = [plain(kind, item) for item in v] if name in LISTS else plain(kind, v)
    return out


def from_frontmatter(root: Path) -> dict[str, dict[str, Any]]:
    out = {}
    for path in sorted((root / "content" / "decisions").glob("*.md")):
        meta = frontmatter.load(path).metadata
        fields = {**DEFAULTS, **{k: v for k, v in meta.items() if k in TYPES}}
        out[meta["id"]] = normalised(fields)
    return out


def from_sqlite(db: Path) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    with sqlite3.connect(db) as con:
        ids = [r[0] for r in con.execute("SELECT id FROM decisions")]
        rows = con.execute(
            "SELECT decision, name, position, type, text, integer, real, date, amount, currency"
            " FROM decision_fields ORDER BY decision, name, position"
        ).fetchall()
    con.close()
    for did in ids:
        out[did] = {}
    for did, name, position, kind, text, integer, real, date, amount_, currency in rows:
        assert kind == TYPES[name]
        if kind == "money":
            got: Any = (Decimal(amount_), currency)
        elif kind == "integer":
            got = integer if integer is not None else int(text)
        elif kind == "number":
            got = Decimal(repr(real))
        elif kind == "boolean":
            got = bool(integer)
        elif kind in ("date", "datetime"):
            got = date
        else:
            got = text
        if position is None:
            out[did][name] = got
        else:
            assert position == len(out[did].setdefault(name, []))
            out[did][name].append(got)
    return out


@pytest.mark.parametrize("seed", [1, 2])
def test_every_reading_of_every_field_is_the_same(tmp_path: Path, seed: int) -> None:
    maker = write_log(tmp_path / "log", seed, n=30)
    root = str(maker.root)
    checked = invoke(["check", "--root", root])
    assert checked.exit_code == 0, checked.stdout + checked.stderr

    raw = from_frontmatter(maker.root)
    assert set(raw["0001"]) == set(TYPES)  # every type is exercised

    site = tmp_path / "site"
    moment = {"SOURCE_DATE_EPOCH": str(int(dt.datetime(2026, 3, 1, tzinfo=dt.UTC).timestamp()))}
    built = invoke(["build", "--root", root, "--output", str(site), "--no-search"], env=moment)
    assert built.exit_code == 0, built.stdout + built.stderr
    site_json = {
        r["id"]: normalised(r["fields"])
        for r in json.loads((site / "decisions.json").read_text())["decisions"]
    }

    db = tmp_path / "log.db"
    exported = invoke(["export", "--root", root, "--sqlite", str(db), "--today", "2026-03-01"])
    assert exported.exit_code == 0, exported.stderr

    queried = invoke(["query", "--root", root, "id >= 1", "--format", "json", "--today", "2026-03-01"])
    assert queried.exit_code == 0, queried.stderr
    query_json = {r["id"]: normalised(r["fields"]) for r in queried.json()}

    assert site_json == raw
    assert from_sqlite(db) == raw
    assert query_json == raw
