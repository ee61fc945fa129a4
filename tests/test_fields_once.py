"""The field list once: the JSON schema (declog.log.schema) is the single source of a document's fields.

The model's records are hand-written dataclasses (a docstring under each field),
the SQLite export's columns are hand-written SQL (with their types), query's
fields carry their help text, and decisions.json keeps the order its readers
know. Each is proven here to carry every field the schema has; a field added to
the schema and forgotten by one of them fails the test that names that consumer.
What a consumer leaves out on purpose is listed below, each with the reason.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import make_log

from declog.check.checker import load_and_check
from declog.insight import query
from declog.insight.export import export_sqlite
from declog.log import schema, vocab
from declog.log.fields import check_fields
from declog.log.load import RawFile, parse_document
from declog.log.model import Approval, Decision, Log, Meeting, Member, Partner, Source
from declog.log.yamlparse import Parsed
from declog.site import feeds
from declog.site.views import Views

NOW = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)

#: Kind -> its record, and the records of the objects inside it (by field).
MODELS: dict[str, tuple[type, dict[str, type]]] = {
    "decision": (Decision, {"approvals": Approval, "source": Source}),
    "partner": (Partner, {"members": Member}),
    "meeting": (Meeting, {}),
}

# --- what a consumer leaves out on purpose, and why ----------------------------------------------

#: Where an imported decision came from is the provenance of its file: `declog import` writes it and
#: the rules read it from the frontmatter (``Decision.imported``, ``Decision.data``). It is not a
#: fact about the decision that the site, query or the export show.
PROVENANCE = {("decision", "imported_from")}
#: Fields that are not attributes of the model's records.
NOT_IN_MODEL = PROVENANCE
#: Fields query does not compare. ``approvals`` are objects: query reads them through the fields
#: ``approved_by``, ``silence_due`` and ``waiting_on`` (where the decision stands, declog.log.standing).
NOT_QUERIED = PROVENANCE | {("decision", "approvals")}
#: Fields of decisions.json that the export writes under another name.
EXPORT_RENAMED = {
    # COMMIT is a keyword of SQL: the column would need quoting in every query.
    ("approvals", "commit"): "commit_sha",
}
#: Lists the export keeps in a table of another name than ``<kind>_<field>``.
EXPORT_TABLES = {
    ("decision", "approvals"): "approvals",
    ("partner", "members"): "members",
    # one table of links between decisions: supersedes, superseded_by and mentions in the body
    ("decision", "supersedes"): "links",
}
NOT_EXPORTED = PROVENANCE
NOT_IN_JSON = PROVENANCE


def fields(kind: str) -> list[str]:
    return list(schema.SCHEMAS[kind]["properties"])


def sub_fields(kind: str, name: str) -> list[str]:
    """The fields of the object(s) a field holds; [] for a plain value or a list of them."""
    prop = schema.SCHEMAS[kind]["properties"][name]
    item = prop.get("items", prop)
    for branch in item.get("oneOf", [item]):
        if branch.get("type") == "object":
            return list(branch["properties"])
    return []


def every_field() -> Iterator[tuple[str, str]]:
    for kind in MODELS:
        for name in fields(kind):
            yield kind, name


# --- a document with every field the schema has ----------------------------------------------


def example(prop: dict[str, Any], name: str, default: Any = None) -> Any:
    """A valid value for a schema property, other than the model's default."""
    if "oneOf" in prop:
        return example(next(b for b in prop["oneOf"] if b.get("type") == "object"), name)
    if "enum" in prop:
        return next(v for v in reversed(prop["enum"]) if v != default)
    kind = prop.get("type")
    if kind == "object":
        return {k: example(p, k) for k, p in prop["properties"].items()}
    if kind == "array":
        return [example(prop["items"], name)]
    if kind == "integer":
        return prop.get("minimum", 1)
    fmt = prop.get("format")
    if fmt == "date-time":
        return "2026-05-04T10:00:00+02:00"
    if fmt == "date":
        return "2026-05-04"
    if fmt == "uri":
        return "https://example.org/"
    if fmt == "timezone":
        return "Europe/Berlin"
    pattern = prop.get("pattern", "")
    if pattern == vocab.DECISION_ID_RE.pattern:
        return "0042"
    if pattern == vocab.HANDLE_RE.pattern:
        return "alice"
    if pattern == vocab.SLUG_RE.pattern:
        return "acme"
    if name == "commit":
        return "0123abc"
    return f"some {name}"


def full_document(kind: str) -> dict[str, Any]:
    model = MODELS[kind][0]
    defaults = {f.name: f.default for f in dataclasses.fields(model)}
    props = schema.SCHEMAS[kind]["properties"]
    return {name: example(prop, name, defaults.get(name)) for name, prop in props.items()}


PATHS = {
    "decision": "content/decisions/0042-every-field.md",
    "partner": "content/partners/acme.md",
    "meeting": "content/meetings/acme.md",
}


def document_text(kind: str) -> str:
    lines = [f"{key}: {json.dumps(value)}" for key, value in full_document(kind).items()]
    return "---\n" + "\n".join(lines) + "\n---\nThe body.\n"


@pytest.mark.parametrize("kind", MODELS)
def test_the_full_document_is_valid(kind: str) -> None:
    """The documents below hold every field, and nothing the schema refuses."""
    assert check_fields(Parsed(full_document(kind), {}), kind, PATHS[kind]) == []


@pytest.fixture(scope="module")
def full_log(tmp_path_factory: pytest.TempPathFactory) -> Log:
    """A log of one partner, one meeting and one decision, each with every field."""
    maker = make_log(tmp_path_factory.mktemp("full") / "log", partners=False)
    for kind, path in PATHS.items():
        maker.write(path, document_text(kind))
    log = load_and_check(maker.root).log
    assert log is not None and len(log.decisions) == 1
    return log


# --- the consumers ----------------------------------------------------------------------------


@pytest.mark.parametrize(("kind", "name"), list(every_field()))
def test_every_schema_field_is_an_attribute_of_the_model(kind: str, name: str) -> None:
    if (kind, name) in NOT_IN_MODEL:
        return
    model, inner = MODELS[kind]
    assert name in {f.name for f in dataclasses.fields(model)}, f"add {name} to {model.__name__} (model.py)"
    for sub in sub_fields(kind, name):
        record = inner[name]
        assert sub in {f.name for f in dataclasses.fields(record)}, f"add {sub} to {record.__name__}"


@pytest.mark.parametrize("kind", MODELS)
def test_the_loader_fills_every_field_of_the_model(kind: str) -> None:
    record, found = parse_document(RawFile(PATHS[kind], document_text(kind).encode()))
    assert found == []
    model = MODELS[kind][0]
    assert isinstance(record, model)
    defaults = {f.name: f.default for f in dataclasses.fields(model)}
    for name in fields(kind):
        if (kind, name) in NOT_IN_MODEL:
            continue
        value = getattr(record, name)
        assert value != defaults[name], f"load.py leaves {kind} field {name} at its default"
        for sub in sub_fields(kind, name):
            inside = value[0] if isinstance(value, tuple) else value
            assert getattr(inside, sub), f"load.py leaves {name}.{sub} of a {kind} empty"


@pytest.mark.parametrize(("kind", "name"), list(every_field()))
def test_every_schema_field_is_exported(kind: str, name: str, full_log: Log, tmp_path: Path) -> None:
    if (kind, name) in NOT_EXPORTED:
        return
    target = tmp_path / "log.sqlite"
    export_sqlite(full_log, target, NOW)
    with contextlib.closing(sqlite3.connect(target)) as db:
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}

        def columns(table: str) -> set[str]:
            return {row[1] for row in db.execute(f"PRAGMA table_info({table})")}

        main = {"decision": "decisions", "partner": "partners", "meeting": "meetings"}[kind]
        prop = schema.SCHEMAS[kind]["properties"][name]
        subs = sub_fields(kind, name)
        if prop.get("type") == "array":
            table = EXPORT_TABLES.get((kind, name), f"{kind}_{name}")
            assert table in tables, f"export.py keeps {kind} field {name} nowhere (no table {table})"
            wanted = {EXPORT_RENAMED.get((name, sub), sub) for sub in subs}
            assert wanted <= columns(table), f"table {table} lacks {sorted(wanted - columns(table))}"
        elif subs:
            wanted = {f"{name}_{sub}" for sub in subs}
            assert wanted <= columns(main), f"table {main} lacks {sorted(wanted - columns(main))}"
        else:
            assert name in columns(main), f"export.py: table {main} has no column {name}"


@pytest.mark.parametrize("name", fields("decision"))
def test_every_decision_field_is_a_query_field(name: str) -> None:
    if ("decision", name) in NOT_QUERIED:
        return
    assert name in query.FIELDS or name in query.ALIASES, f"query.py has no field {name}"


@pytest.mark.parametrize(("kind", "name"), list(every_field()))
def test_every_schema_field_is_in_decisions_json(kind: str, name: str, full_log: Log) -> None:
    if (kind, name) in NOT_IN_JSON:
        return
    database = json.loads(b"".join(feeds.database_parts(Views(full_log, NOW, {}))))
    [entry] = database[kind + "s"]
    assert name in entry, f"decisions.json: a {kind} has no key {name} (feeds.py)"
    value = entry[name]
    for sub in sub_fields(kind, name):
        inside = value[0] if isinstance(value, list) else value
        assert sub in inside, f"decisions.json: {kind} {name} has no key {sub} (feeds.py)"


def test_a_field_added_to_the_schema_fails_these_tests(monkeypatch: pytest.MonkeyPatch) -> None:
    """The tests above follow the schema: a new field is a new case, which no consumer knows yet."""
    props = {**schema.DECISION["properties"], "budget": {"type": "string"}}
    monkeypatch.setitem(schema.DECISION, "properties", props)
    assert ("decision", "budget") in set(every_field())
    with pytest.raises(AssertionError, match="add budget to Decision"):
        test_every_schema_field_is_an_attribute_of_the_model("decision", "budget")
    with pytest.raises(AssertionError, match=r"query\.py has no field budget"):
        test_every_decision_field_is_a_query_field("budget")
