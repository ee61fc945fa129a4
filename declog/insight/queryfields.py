"""The fields ``declog query`` knows: the built-in ones and the log's own (declog.toml ``[fields.NAME]``).

A ``Field`` says what kind of value it holds (which decides the operators and values it takes),
whether it holds a list, and how to read it from a decision. The log's own fields hold the typed
values ``Decision.fields`` has (declog.log.customfields); a money field ``budget`` is also
``budget.amount`` (a number) and ``budget.currency`` (an ISO 4217 code).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from declog.log import vocab
from declog.log.currencies import CURRENCIES
from declog.log.customfields import FieldSpec, Money
from declog.log.model import Decision, Log
from declog.log.review import next_review
from declog.log.standing import Standing, standing

#: What a field holds: text, a decision id (ordered as a number), a date or date-time, a number,
#: an amount of money, or true/false.
Kind = Literal["text", "id", "time", "number", "money", "bool"]


@dataclass(frozen=True)
class Field:
    name: str
    kind: Kind
    get: Callable[[Decision, Subject], Any]
    """The value: text ('' when absent, for the built-in ones), a date, a number, ``Money``, a bool;
    None when a field of the log's own is absent; a tuple of these for a list (() when absent)."""
    doc: str
    values: tuple[str, ...] = ()
    """The values the field can have, when they are a fixed list: any other is a mistake."""
    many: bool = False
    """A list: a comparison holds when any item matches (``!=``: when none equals)."""
    known: Literal["", "partner", "member"] = ""
    """Its values name the log's partners or members: a value the log lacks is a mistake."""


class Subject:
    """The log a query reads at its moment (``Query.now``), with where each decision stands."""

    def __init__(self, log: Log, now: dt.datetime) -> None:
        self.log, self.now = log, now

    def standing(self, d: Decision) -> Standing:
        return standing(d, self.log, self.now)


#: The built-in fields, in the order ``--format json`` writes them.
FIELD_LIST = (
    Field("id", "id", lambda d, _s: d.id, "the decision's number; compared as a number (`id >= 20`)"),
    Field("title", "text", lambda d, _s: d.title, "the one-line title"),
    Field(
        "status",
        "text",
        lambda d, _s: d.status,
        "draft, proposed, accepted, rejected, withdrawn, superseded",
        vocab.STATUSES,
    ),
    Field("mode", "text", lambda d, _s: d.mode, "sync or async", vocab.MODES),
    Field("category", "text", lambda d, _s: d.category, "strategic or operational", vocab.CATEGORIES),
    Field("owner", "text", lambda d, _s: d.owner, "handle of the person accountable"),
    Field("meeting", "text", lambda d, _s: d.meeting, "id of the meeting it was made in"),
    Field("superseded_by", "text", lambda d, _s: d.superseded_by, "id of the decision that replaced it"),
    Field("rationale", "text", lambda d, _s: d.rationale, "why, in a sentence or two"),
    Field("reason", "text", lambda d, _s: d.reason, "why it was rejected or withdrawn"),
    Field(
        "source",
        "text",
        lambda d, _s: d.source.kind if d.source else "",
        "chat, email, call or other",
        vocab.SOURCE_KINDS,
    ),
    Field("path", "text", lambda d, _s: d.path, "the file, e.g. content/decisions/0031-x.md"),
    Field(
        "partner",
        "text",
        lambda d, _s: d.partners,
        "the partners party to it (alias: partners)",
        many=True,
        known="partner",
    ),
    Field("tag", "text", lambda d, _s: d.tags, "its tags (alias: tags)", many=True),
    Field("supersedes", "text", lambda d, _s: d.supersedes, "ids of the decisions it replaces", many=True),
    Field(
        "approved_by",
        "text",
        lambda d, s: s.standing(d).approved_by,
        "partners whose approval counts under the workflow rules (silence that is due included)",
        many=True,
        known="partner",
    ),
    Field(
        "silence_due",
        "text",
        lambda d, s: s.standing(d).silence_due,
        "partners whose silence counts as approval but is not recorded yet",
        many=True,
        known="partner",
    ),
    Field(
        "waiting_on",
        "text",
        lambda d, s: s.standing(d).waiting_on,
        "partners an open decision still waits on",
        many=True,
        known="partner",
    ),
    Field(
        "ready",
        "text",
        lambda d, s: "yes" if s.standing(d).ready else "no",
        "yes for a proposal whose approvals are complete, so it can be accepted; else no",
    ),
    Field("proposed", "time", lambda d, _s: d.proposed, "when it was proposed"),
    Field("deadline", "time", lambda d, _s: d.deadline, "the feedback deadline"),
    Field("decided", "time", lambda d, _s: d.decided, "when it was accepted or rejected"),
    Field("logged", "time", lambda d, _s: d.logged, "when it was logged (default: the commit that added it)"),
    Field(
        "review_by",
        "time",
        lambda d, s: next_review(d, s.log, s.now),
        "the day its open review is due: review_by, else decided plus [workflow.review] after, moved on "
        "by each review (empty when superseded or never due)",
    ),
    Field("reviews", "text", lambda d, _s: d.reviews, "ids of the decisions it reviews", many=True),
)
FIELDS: dict[str, Field] = {f.name: f for f in FIELD_LIST}
ALIASES = {"partners": "partner", "tags": "tag"}


#: What each type of ``[fields.NAME]`` is to the query language.
_KINDS: dict[str, Kind] = {
    "string": "text",
    "text": "text",
    "url": "text",
    "enum": "text",
    "partner": "text",
    "member": "text",
    "integer": "number",
    "number": "number",
    "boolean": "bool",
    "date": "time",
    "datetime": "time",
    "money": "money",
}
BOOLEANS = ("true", "false")


def declared_fields(specs: Mapping[str, FieldSpec]) -> dict[str, Field]:
    """The query fields of the log's own fields: each by its name, and a money field's parts."""
    out: dict[str, Field] = {}
    for name, spec in specs.items():
        kind, many = _KINDS[spec.item_type], spec.type == "list"
        what = f"a list of {spec.items}" if many else spec.type
        doc = spec.description or f"{what} (declog.toml [fields.{name}])"
        values = spec.values if spec.item_type == "enum" else BOOLEANS if kind == "bool" else ()
        known: Literal["", "partner", "member"] = (
            spec.item_type if spec.item_type in ("partner", "member") else ""  # type: ignore[assignment]
        )
        out[name] = Field(name, kind, _getter(name, many), doc, values, many, known)
        if kind == "money":
            out[f"{name}.amount"] = Field(
                f"{name}.amount", "number", _part(name, "amount", many), f"the amount of {name}", many=many
            )
            out[f"{name}.currency"] = Field(
                f"{name}.currency",
                "text",
                _part(name, "currency", many),
                f"the ISO 4217 currency of {name}",
                tuple(sorted(CURRENCIES)),
                many,
            )
    return out


def _getter(name: str, many: bool) -> Callable[[Decision, Subject], Any]:
    absent = () if many else None
    return lambda d, _s: d.fields.get(name, absent)


def _part(name: str, part: str, many: bool) -> Callable[[Decision, Subject], Any]:
    def get(d: Decision, _s: Subject) -> Any:
        value = d.fields.get(name)
        if many:
            return tuple(getattr(m, part) for m in value or ())
        return getattr(value, part) if isinstance(value, Money) else None

    return get
