"""A partnership's own typed fields: declared under ``[fields.NAME]`` in declog.toml, held by decisions.

A declaration is a ``FieldSpec``; ``read_value`` turns what a decision's
frontmatter holds into the typed value (``Money``, ``datetime.date``, a tuple
for a list, ...) or the problems with it, each at its place in the value and
with a fix. Whether a partner or member named exists is a reference rule
(declog.check.rules.references); everything else about a value is here, so
``declog check`` and the checks of a declaration's ``default`` say the same.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, NamedTuple

from declog.log import suggest, vocab
from declog.log.currencies import CURRENCIES, SIGNS
from declog.log.fields import describe, did_you_mean, url_problem
from declog.log.timeparse import NaiveDatetime, parse_date, parse_datetime

#: Every type a field can be declared with.
TYPES = (
    "string",
    "text",
    "integer",
    "number",
    "boolean",
    "date",
    "datetime",
    "url",
    "money",
    "enum",
    "partner",
    "member",
    "list",
)
#: Types the timeline can filter by (``facet = true``), alone or as a list's items.
FACET_TYPES = frozenset({"enum", "partner", "member", "boolean"})
#: Names a declared field may not take besides the schema's fields: the fields and words of
#: ``declog query`` (declog.insight.queryfields, declog.insight.query.KEYWORDS; a test keeps the
#: two in step), where a field of that name could not be asked for.
RESERVED = frozenset(
    {"review_by", "reviews", "partner", "tag", "path", "ready", "approved_by", "waiting_on", "silence_due"}
    | {"and", "or", "not", "in", "is", "empty", "today", "now", "contains"}
)


@dataclass(frozen=True)
class Money:
    """An amount in a currency, as ``EUR 410000`` or ``{amount: 410000, currency: EUR}`` write it."""

    amount: Decimal
    """The amount, exactly as written (no binary fractions)."""
    currency: str
    """An active ISO 4217 code (declog.log.currencies)."""

    def __str__(self) -> str:
        return f"{self.currency} {self.amount}"


@dataclass(frozen=True)
class Required:
    """When a decision must hold the field: always, in some categories, or from a status on."""

    always: bool = False
    categories: tuple[str, ...] = ()
    """Required in decisions of these categories."""
    since: str = ""
    """``required = { from = STATUS }``: the status as declared."""
    statuses: frozenset[str] = frozenset()
    """The statuses reached from ``since`` along the workflow's transitions, ``since`` included."""

    def of(self, category: str, status: str) -> bool:
        """Whether a decision of this category and status must hold the field."""
        return self.always or category in self.categories or status in self.statuses

    @property
    def ever(self) -> bool:
        return self.always or bool(self.categories) or bool(self.since)


@dataclass(frozen=True)
class FieldSpec:
    """One ``[fields.NAME]`` declaration."""

    name: str
    type: str
    """One of ``TYPES``."""
    items: str = ""
    """For a list: its items' type (any of ``TYPES`` but list)."""
    values: tuple[str, ...] = ()
    """For an enum, or a list of enum: the allowed values."""
    required: Required = Required()
    description: str = ""
    default: Any = None
    """The typed default (as ``read_value`` gives it) used when a decision omits the field; None: none."""
    index: bool = False
    """Shown as a column of the site's index."""
    facet: bool = False
    """Offered as a filter of the timeline."""

    @property
    def item_type(self) -> str:
        """The type of each value: the items' type for a list, else the field's."""
        return self.items if self.type == "list" else self.type


#: Declared fields by name, as ``Config.fields`` holds them.
Fields = Mapping[str, FieldSpec]


class Problem(NamedTuple):
    """What is wrong with (part of) a value: where in it, the rule code, the message and a fix."""

    at: tuple[str | int, ...]
    code: str
    message: str
    hint: str = ""


@dataclass
class _Reading:
    spec: FieldSpec
    problems: list[Problem] = field(default_factory=list)

    def bad(self, at: tuple[str | int, ...], code: str, message: str, hint: str = "") -> None:
        self.problems.append(Problem(at, code, message, hint))


def read_value(spec: FieldSpec, value: Any, at: tuple[str | int, ...] = ()) -> tuple[Any, list[Problem]]:
    """``value`` (as YAML or TOML gave it) as the field's typed value, and every problem with it.

    The value is None when nothing usable was written; a list keeps its good items. ``at`` is the
    value's path in the document (its name first), for the problems' places and messages.
    """
    reading = _Reading(spec)
    at = at or (spec.name,)
    if value is None or value == "" or value == []:
        reading.bad(at, "DL110", f"{_name(at)} is empty", _example(spec))
        return None, reading.problems
    if spec.type != "list":
        return _one(reading, spec.type, value, at), reading.problems
    if not isinstance(value, list):
        hint = f"write a list: [{value}]" if isinstance(value, str) and "\n" not in value else _example(spec)
        reading.bad(at, "DL102", f"{_name(at)} should be a list, not {describe(value)}", hint)
        return None, reading.problems
    items: list[Any] = []
    for i, item in enumerate(value):
        typed = _one(reading, spec.items, item, (*at, i))
        if typed is None:
            continue
        if typed in items:
            reading.bad((*at, i), "DL110", f"{_name(at)} lists {describe(item)} more than once", "delete it")
            continue
        items.append(typed)
    return tuple(items), reading.problems


def _name(at: tuple[str | int, ...]) -> str:
    out = ""
    for part in at:
        out += f"[{part + 1}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


def _one(r: _Reading, kind: str, value: Any, at: tuple[str | int, ...]) -> Any:
    name = _name(at)
    if value is None or value == "":
        r.bad(at, "DL110", f"{name} is empty", "fill in the value or remove the field")
        return None
    reader = _READERS[kind]
    return reader(r, value, at, name)


def _wrong(
    r: _Reading, at: tuple[str | int, ...], name: str, wanted: str, value: Any, hint: str = ""
) -> None:
    r.bad(at, "DL102", f"{name} should be {wanted}, not {describe(value)}", hint)


def _string(r: _Reading, value: Any, at: tuple[str | int, ...], name: str) -> Any:
    if not isinstance(value, str):
        hint = f'quote it: "{value}"' if isinstance(value, int | float | bool) else ""
        _wrong(r, at, name, "text", value, hint)
        return None
    if "\n" in value.rstrip("\n"):
        one = " ".join(value.split())
        r.bad(
            at,
            "DL104",
            f"{name} is one line of text but has a line break: {describe(value)}",
            f"write '{one}'",
        )
        return None
    return value.rstrip("\n")


def _text(r: _Reading, value: Any, at: tuple[str | int, ...], name: str) -> Any:
    if not isinstance(value, str):
        hint = f'quote it: "{value}"' if isinstance(value, int | float | bool) else ""
        _wrong(r, at, name, "text", value, hint)
        return None
    return value


def _integer(r: _Reading, value: Any, at: tuple[str | int, ...], name: str) -> Any:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    written = str(value).strip().replace("_", "").replace(",", "") if isinstance(value, str | float) else ""
    hint = ""
    if re.fullmatch(r"[+-]?[0-9]+(?:\.0+)?", written):
        hint = f"write {int(Decimal(written))}"
    _wrong(r, at, name, "a whole number", value, hint)
    return None


def _number(r: _Reading, value: Any, at: tuple[str | int, ...], name: str) -> Any:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, float) and math.isfinite(value):
        return value
    written = value.strip().replace("_", "").replace(",", "") if isinstance(value, str) else ""
    number = _decimal(written)
    hint = f"write {written}" if number is not None else ""
    _wrong(r, at, name, "a number", value, hint)
    return None


def _boolean(r: _Reading, value: Any, at: tuple[str | int, ...], name: str) -> Any:
    if isinstance(value, bool):
        return value
    meant = {"yes": "true", "y": "true", "on": "true", "no": "false", "n": "false", "off": "false"}
    said = meant.get(str(value).strip().lower(), str(value).strip().lower())
    hint = f"write {said}" if said in ("true", "false") else "write true or false"
    _wrong(r, at, name, "true or false", value, hint)
    return None


def _date(r: _Reading, value: Any, at: tuple[str | int, ...], name: str) -> Any:
    if not isinstance(value, str):
        _wrong(r, at, name, "a date (YYYY-MM-DD)", value)
        return None
    try:
        return parse_date(value)
    except ValueError:
        hint = suggest.date_hint(value, with_time=False) or "write YYYY-MM-DD"
        r.bad(at, "DL105", f"{name} {describe(value)} is not a valid date", hint)
        return None


def _datetime(r: _Reading, value: Any, at: tuple[str | int, ...], name: str) -> Any:
    if not isinstance(value, str):
        _wrong(r, at, name, "a date-time", value)
        return None
    try:
        return parse_datetime(value)
    except NaiveDatetime:
        hint = f"write it with an offset, e.g. '{value}+00:00' for UTC"
        r.bad(at, "DL106", f"{name} {describe(value)} has no time zone offset", hint)
    except ValueError:
        hint = (
            suggest.date_hint(value, with_time=True)
            or "write YYYY-MM-DDTHH:MM:SS+HH:MM with a real month and day"
        )
        r.bad(at, "DL105", f"{name} {describe(value)} is not a valid date-time", hint)
    return None


def _url(r: _Reading, value: Any, at: tuple[str | int, ...], name: str) -> Any:
    if not isinstance(value, str):
        _wrong(r, at, name, "an http(s) URL", value)
        return None
    problem = url_problem(value)
    if problem:
        hint = f"write 'https://{value}'" if problem == "is not an http(s) URL" and "://" not in value else ""
        r.bad(at, "DL104", f"{name} {describe(value)} {problem}", hint)
        return None
    return value


def _enum(r: _Reading, value: Any, at: tuple[str | int, ...], name: str) -> Any:
    allowed = r.spec.values
    if isinstance(value, str) and value in allowed:
        return value
    if not isinstance(value, str) and str(value) in allowed:
        _wrong(r, at, name, "text", value, f'quote it: "{value}"')
        return None
    shown = describe(value)
    hint = did_you_mean(str(value), allowed) if isinstance(value, str | int | float) else ""
    r.bad(at, "DL103", f"{name} {shown} is not one of: {', '.join(allowed)}", hint)
    return None


def _partner(r: _Reading, value: Any, at: tuple[str | int, ...], name: str) -> Any:
    if not isinstance(value, str):
        _wrong(r, at, name, "a partner id", value)
        return None
    problem = suggest.slug_problem(value)
    if problem is not None:
        r.bad(at, "DL104", f"{name} {describe(value)} {problem.problem}", problem.hint)
        return None
    return value


def _member(r: _Reading, value: Any, at: tuple[str | int, ...], name: str) -> Any:
    if not isinstance(value, str):
        _wrong(r, at, name, "a member's handle", value)
        return None
    problem = suggest.handle_problem(value)
    if problem is not None:
        r.bad(at, "DL104", f"{name} {describe(value)} {problem.problem}", problem.hint)
        return None
    return value


# --- money ---------------------------------------------------------------------------------------

MONEY_FORMAT = "an amount with its currency, e.g. EUR 410000 or {amount: 410000, currency: EUR}"
#: What a money value is written as: the ISO code, one space, the amount (``EUR 410000``, ``USD -12.50``).
_MONEY = re.compile(r"^([A-Z]{3}) (-?[0-9]+(?:\.[0-9]+)?)$")
#: Characters people type for a digit: O for 0, l and I for 1.
_DIGIT_LOOKALIKES = str.maketrans({"O": "0", "o": "0", "l": "1", "I": "1"})


def _decimal(text: str) -> Decimal | None:
    if not re.fullmatch(r"-?[0-9]+(?:\.[0-9]+)?", text):
        return None
    try:
        return Decimal(text)
    except InvalidOperation:  # pragma: no cover -- the pattern admits only numbers
        return None


def _money(r: _Reading, value: Any, at: tuple[str | int, ...], name: str) -> Any:
    if isinstance(value, dict):
        return _money_mapping(r, value, at, name)
    if not isinstance(value, str):
        hint = f"write EUR {value}, with the amount's currency" if isinstance(value, int | float) else ""
        _wrong(r, at, name, MONEY_FORMAT, value, hint)
        return None
    m = _MONEY.match(value)
    if m is not None:
        return _money_of(r, m.group(1), Decimal(m.group(2)), at, name, value)
    problem, meant = _money_problem(value)
    hint = f"write {meant}" if meant else f"write {MONEY_FORMAT}"
    r.bad(at, "DL104", f"{name} {describe(value)} {problem}", hint)
    return None


def _money_problem(value: str) -> tuple[str, str]:
    """Why ``value`` is not ``CUR AMOUNT``, and what it meant when that can be told."""
    parts = value.replace(",", "").replace("_", "").split()
    words = [p for p in parts if not _decimal(p.translate(_DIGIT_LOOKALIKES))]
    amounts = [p for p in parts if _decimal(p.translate(_DIGIT_LOOKALIKES))]
    if len(parts) == 1:  # a sign glued to its amount: €410000, 410000€
        glued = re.fullmatch(r"(\D+?)\s*([0-9][0-9.]*)|([0-9][0-9.]*)\s*(\D+)", parts[0]) if parts else None
        if glued is not None:
            sign = glued.group(1) or glued.group(4)
            amount = glued.group(2) or glued.group(3)
            words, amounts = [sign], [amount]
    if len(words) != 1 or len(amounts) != 1:
        return f"is not {MONEY_FORMAT}", ""
    word, amount = words[0], amounts[0]
    code = SIGNS.get(word, word.upper())
    number = amount.translate(_DIGIT_LOOKALIKES)
    meant = f"{code} {number}" if code in CURRENCIES else ""
    if number != amount:
        return f"has an amount that is not a number ('{amount}')", meant
    if word in SIGNS:
        return f"has a currency sign, not an ISO 4217 code ('{word}')", meant
    if code not in CURRENCIES:
        return f"names no ISO 4217 currency ('{word}')", ""
    if word != code:
        return f"has its currency code in lower case ('{word}')", meant
    if parts.index(word) > parts.index(amount) if word in parts and amount in parts else False:
        return "has the currency after the amount", meant
    return f"is not {MONEY_FORMAT}", meant


def _money_mapping(r: _Reading, value: dict[str, Any], at: tuple[str | int, ...], name: str) -> Any:
    ok = True
    for key in value:
        if key not in ("amount", "currency"):
            hint = did_you_mean(str(key), ("amount", "currency"), synonyms=False) or "delete it"
            r.bad((*at, key), "DL104", f"{name} has an unknown key {describe(key)}", hint)
            ok = False
    if "amount" not in value or "currency" not in value:
        missing = "amount" if "amount" not in value else "currency"
        r.bad(at, "DL104", f"{name} has no {missing}", f"write {MONEY_FORMAT}")
        return None
    amount, currency = value["amount"], value["currency"]
    number: Decimal | None = None
    if isinstance(amount, int) and not isinstance(amount, bool):
        number = Decimal(amount)
    elif isinstance(amount, float) and math.isfinite(amount):
        number = Decimal(repr(amount))
    elif isinstance(amount, str):
        number = _decimal(amount.strip())
    if number is None:
        fixed = _decimal(str(amount).translate(_DIGIT_LOOKALIKES)) if isinstance(amount, str) else None
        hint = f"write {fixed}" if fixed is not None else "write a number, e.g. 410000"
        r.bad((*at, "amount"), "DL104", f"{name}.amount {describe(amount)} is not a number", hint)
        ok = False
    if not isinstance(currency, str):
        _wrong(r, (*at, "currency"), f"{name}.currency", "an ISO 4217 code such as EUR", currency)
        return None
    if number is None or not ok:
        return None
    return _money_of(r, currency, number, (*at, "currency"), name, currency)


def _money_of(
    r: _Reading, code: str, amount: Decimal, at: tuple[str | int, ...], name: str, written: str
) -> Money | None:
    if code in CURRENCIES:
        return Money(amount, code)
    meant = SIGNS.get(code, code.upper())
    hint = ""
    if meant in CURRENCIES:
        hint = f"write {meant}" if written == code else f"write {meant} {amount}"
    else:
        close = did_you_mean(code, sorted(CURRENCIES), synonyms=False)
        if close:
            hint = close
    r.bad(at, "DL104", f"{name} {describe(written)} names no ISO 4217 currency ('{code}')", hint)
    return None


_READERS = {
    "string": _string,
    "text": _text,
    "integer": _integer,
    "number": _number,
    "boolean": _boolean,
    "date": _date,
    "datetime": _datetime,
    "url": _url,
    "money": _money,
    "enum": _enum,
    "partner": _partner,
    "member": _member,
}

#: An example value of each type, for hints and the placeholders ``declog new`` writes.
EXAMPLES = {
    "string": "some text",
    "text": "some text",
    "integer": "12",
    "number": "1.5",
    "boolean": "true",
    "date": "2026-12-31",
    "datetime": "2026-12-31T17:00:00+01:00",
    "url": "https://example.org/",
    "money": "EUR 410000",
    "enum": "",
    "partner": "a partner's id",
    "member": "a member's handle",
}


def example(spec: FieldSpec) -> str:
    """How a value of ``spec`` is written, in words for a comment or a hint."""
    one = spec.values[0] if spec.item_type == "enum" and spec.values else EXAMPLES[spec.item_type]
    return f"[{one}]" if spec.type == "list" else one


def _kind(spec: FieldSpec) -> str:
    kind = "a date-time" if spec.item_type == "datetime" else f"a {spec.item_type}"
    if spec.item_type == "enum":
        kind = f"one of {', '.join(spec.values)}"
    return f"a list of {spec.items}" if spec.type == "list" and spec.items != "enum" else kind


def _example(spec: FieldSpec) -> str:
    return f"fill in the value (e.g. {example(spec)}) or remove the field"


# --- a spreadsheet's cell --------------------------------------------------------------------------

_TRUE = frozenset({"true", "yes", "y", "x", "1", "ja", "wahr"})
_FALSE = frozenset({"false", "no", "n", "0", "nein", "falsch"})


def cell_value(spec: FieldSpec, cell: str) -> Any:
    """What ``declog import`` writes for a cell of a column mapped to ``spec``: a number or a
    boolean where the cell reads as one, a list split at commas, semicolons and line breaks, else
    the text (``check`` then says what is wrong with it)."""
    text = cell.strip()
    if spec.type == "list":
        return [one for part in re.split(r"[,;\n]", text) if (one := part.strip())]
    if spec.type == "text":
        return text
    text = " ".join(text.split())
    if spec.type == "integer" and re.fullmatch(r"-?[0-9]+", text.replace(",", "").replace("_", "")):
        return int(text.replace(",", "").replace("_", ""))
    if spec.type == "number" and (number := _decimal(text.replace(",", ""))) is not None:
        return int(number) if number == number.to_integral_value() and "." not in text else float(number)
    if spec.type == "boolean" and text.lower() in _TRUE | _FALSE:
        return text.lower() in _TRUE
    return text


# --- what a decision holds -----------------------------------------------------------------------


def decision_fields(
    declared: Fields, data: Mapping[str, Any], category: str, status: str
) -> tuple[dict[str, Any], list[Problem]]:
    """The typed values of the declared fields in ``data`` (defaults filled in), and the problems.

    A required field that is missing is a DL101 problem at the frontmatter (``at`` is empty).
    """
    values: dict[str, Any] = {}
    problems: list[Problem] = []
    for name, spec in declared.items():
        if name not in data:
            if spec.required.of(category, status):
                problems.append(
                    Problem(
                        (),
                        "DL101",
                        f"missing required field '{name}'{_why(spec, category)}",
                        f"add `{name}:` with {_kind(spec)}, e.g. {example(spec)}",
                    )
                )
            elif spec.default is not None:
                values[name] = spec.default
            continue
        typed, found = read_value(spec, data[name])
        if typed is None and spec.required.of(category, status):  # removing it is no fix
            found = [
                p._replace(hint=f"fill in the value (e.g. {example(spec)}): it is required")
                if p.code == "DL110" and p.at == (name,)
                else p
                for p in found
            ]
        problems += found
        if typed is not None:
            values[name] = typed
    return values, problems


def _why(spec: FieldSpec, category: str) -> str:
    req = spec.required
    if req.always:
        return ""
    if category in req.categories:
        return f" (required in {category} decisions)"
    return f" (required from {req.since} on)"


def from_on(transitions: Mapping[str, tuple[str, ...]], since: str) -> frozenset[str]:
    """``since`` and the statuses after it: those the workflow's transitions lead to from it that
    are no nearer to the lifecycle's start (draft) than it is.

    A step back (proposed to draft) leads to an earlier status, which does not count: with the
    default lifecycle, from proposed on is proposed, accepted, rejected, withdrawn and superseded.
    """
    step = _steps(transitions, vocab.DRAFT)
    after = _steps(transitions, since)
    far = len(transitions) + 1  # a status the start never leads to is after every status
    return frozenset(s for s in after if step.get(s, far) >= step.get(since, far))


def _steps(transitions: Mapping[str, tuple[str, ...]], start: str) -> dict[str, int]:
    """Each status the transitions lead to from ``start``, with the fewest steps it takes."""
    steps = {start: 0}
    todo = [start]
    for here in todo:  # breadth first: todo grows while it is walked
        for nxt in transitions.get(here, ()):
            if nxt not in steps:
                steps[nxt] = steps[here] + 1
                todo.append(nxt)
    return steps


# --- the JSON Schema editors get ----------------------------------------------------------------

_SCHEMA_OF: dict[str, dict[str, Any]] = {
    "string": {"type": "string", "minLength": 1},
    "text": {"type": "string", "minLength": 1},
    "integer": {"type": "integer"},
    "number": {"type": "number"},
    "boolean": {"type": "boolean"},
    "date": {"type": "string", "format": "date"},
    "datetime": {"type": "string", "format": "date-time"},
    "url": {"type": "string", "format": "uri"},
    "money": {
        "oneOf": [
            {"type": "string", "pattern": _MONEY.pattern},
            {
                "type": "object",
                "required": ["amount", "currency"],
                "additionalProperties": False,
                "properties": {
                    "amount": {"type": ["number", "string"]},
                    "currency": {"type": "string", "enum": sorted(CURRENCIES)},
                },
            },
        ]
    },
    "partner": {"type": "string", "pattern": vocab.SLUG_RE.pattern},
    "member": {"type": "string", "pattern": vocab.HANDLE_RE.pattern},
}


def value_schema(spec: FieldSpec) -> dict[str, Any]:
    """The JSON Schema of a value of ``spec`` (what ``declog schema`` tells editors)."""

    def one(kind: str) -> dict[str, Any]:
        if kind == "enum":
            return {"type": "string", "enum": list(spec.values)}
        return dict(_SCHEMA_OF[kind])

    out = (
        one(spec.type)
        if spec.type != "list"
        else {"type": "array", "items": one(spec.items), "uniqueItems": True, "minItems": 1}
    )
    out["description"] = (
        spec.description or f"A {spec.type} field of this log (declog.toml [fields.{spec.name}])."
    )
    if spec.default is not None:
        out["default"] = to_json(spec.default)
    return out


def decision_schema(base: dict[str, Any], declared: Fields) -> dict[str, Any]:
    """``base`` (the built-in decision schema) with the declared fields among its properties."""
    if not declared:
        return base
    properties = {**base["properties"], **{name: value_schema(spec) for name, spec in declared.items()}}
    out = {**base, "properties": properties}
    always = [name for name, spec in declared.items() if spec.required.always]
    if always:
        out["required"] = [*base.get("required", ()), *always]
    conditions = []
    for name, spec in declared.items():
        req = spec.required
        if req.categories:
            conditions.append(
                {
                    "if": {
                        "required": ["category"],
                        "properties": {"category": {"enum": list(req.categories)}},
                    },
                    "then": {"required": [name]},
                }
            )
        if req.statuses:
            conditions.append(
                {
                    "if": {"required": ["status"], "properties": {"status": {"enum": sorted(req.statuses)}}},
                    "then": {"required": [name]},
                }
            )
    if conditions:
        out["allOf"] = [*base.get("allOf", ()), *conditions]
    return out


def to_json(value: Any) -> Any:
    """A typed value as JSON writes it: money as {amount, currency}, dates in ISO 8601, lists as lists."""
    if isinstance(value, Money):
        amount = value.amount
        number: int | float = (
            int(amount) if amount == amount.to_integral_value() and "." not in str(amount) else float(amount)
        )
        return {"amount": number, "currency": value.currency}
    if isinstance(value, dt.date):  # a datetime too
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [to_json(v) for v in value]
    return value
