"""The log's own fields (declog.toml ``[fields.NAME]``) as the pages show them: pure, no I/O.

A decision page shows every declared field that has a value; the index has a
column for each field declared with ``index = true``; the timeline can be
filtered by each field declared with ``facet = true``. Values are shown by
type: money as ``EUR 410,000``, dates as the site shows dates, a URL as a link
(http and https only), partners and members by name with a link to the
partner's page, a list as a list.

A facet of the timeline is named ``field-NAME`` (never a built-in facet's
name) and each of its values has a *key*: a name that can be a folder of the
site and a word of a ``data-`` attribute (the filter script's), the same from
build to build.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from markupsafe import Markup, escape

from declog.log import vocab
from declog.log.customfields import FieldSpec, Money
from declog.log.model import Decision, Partner
from declog.site import urls

#: What the facets of the log's own fields are called: ``field-systems``, never a built-in facet.
FACET_PREFIX = "field-"
#: How many values of one field a list item carries for the filter script (as for tags: macros.html).
ITEM_VALUES = 20
#: A value that can be a folder of the site and a word of a ``data-`` attribute as it is.
_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


def label(name: str) -> str:
    """A field's name as a heading: ``go_live`` -> "Go live"."""
    return name.replace("_", " ").strip().capitalize() or name


def facet_name(name: str) -> str:
    """The timeline facet of field ``name``: ``field-systems``."""
    return FACET_PREFIX + name


def money(value: Money) -> str:
    """``EUR 410,000``, ``USD -12.50``: the amount as written, its thousands grouped."""
    return f"{value.currency} {value.amount:,}"


@dataclass(frozen=True)
class Value:
    """One value of a field as a page shows it."""

    text: str
    """The words: "EUR 410,000", "2026-12-31", "yes", a partner's or member's name, the URL."""
    kind: str
    """The value's type (``FieldSpec.item_type``): the template lays it out by it."""
    raw: Any
    """The typed value: a date or date-time (for ``<time>``), a partner's id, a member's handle, ..."""
    page: str = ""
    """A page of the site it links to (a partner's), from the site root; "" for none."""
    href: str = ""
    """An http(s) address it links to (a ``url`` value); "" for none."""


@dataclass(frozen=True)
class Shown:
    """A declared field that a decision holds, as its page, the index and its Atom entry show it."""

    name: str
    label: str
    description: str
    many: bool
    """A list: shown as a list, even of one."""
    values: tuple[Value, ...]
    sort: str
    """What the index sorts the column by (numbers and dates in order, money by currency then amount)."""


@dataclass(frozen=True)
class Column:
    """A column of the index: a field declared with ``index = true``."""

    name: str
    label: str
    description: str


@dataclass(frozen=True)
class Facet:
    """A filter of the timeline: a field declared with ``facet = true``."""

    facet: str
    """``field-NAME``: the facet's name in the filter bar, in folders and in ``data-`` attributes."""
    name: str
    label: str
    spec: FieldSpec
    keys: Mapping[str, str]
    """For an enum: each declared value -> its key (its folder and filter word)."""

    def key(self, value: Any) -> str:
        """The key of one value of the field."""
        if isinstance(value, bool):
            return "yes" if value else "no"
        if self.spec.item_type == "enum":
            return self.keys.get(value, "")
        return str(value)  # a partner's id or a member's handle: checked to be a key already


def enum_keys(values: Iterable[str]) -> dict[str, str]:
    """Each enum value -> a key: the value itself when it can be one, else a slug of it made unique."""
    out: dict[str, str] = {}
    values = list(values)
    taken = {v for v in values if _KEY.match(v)}
    for v in values:
        if _KEY.match(v):
            out[v] = v
            continue
        stem = vocab.slugify(v) or "value"
        key, n = stem, 2
        while key in taken:
            key, n = f"{stem}-{n}", n + 1
        taken.add(key)
        out[v] = key
    return out


class FieldViews:
    """The declared fields of one log as its pages show them.

    Made from the settings and the partners only (what every page sees), so a theme that keeps
    it between rebuilds keeps no decision alive.
    """

    def __init__(
        self, specs: Mapping[str, FieldSpec], partners: Mapping[str, Partner], tz: dt.tzinfo
    ) -> None:
        self.specs = dict(specs)
        self.tz = tz
        self._partner_names = {pid: p.name for pid, p in partners.items()}
        self._names = {m.handle: m.name for p in partners.values() for m in p.members if m.name}
        member_of: dict[str, str] = {}
        for pid in sorted(partners):
            for m in partners[pid].members:
                member_of.setdefault(m.handle, pid)
        self._member_of = member_of
        self.columns = tuple(
            Column(name, label(name), spec.description) for name, spec in self.specs.items() if spec.index
        )
        self.facets = tuple(
            Facet(
                facet_name(name),
                name,
                label(name),
                spec,
                enum_keys(spec.values) if spec.item_type == "enum" else {},
            )
            for name, spec in self.specs.items()
            if spec.facet
        )
        self.by_facet = {f.facet: f for f in self.facets}

    # --- a decision's values ---------------------------------------------------------------------

    def shown(self, d: Decision) -> tuple[Shown, ...]:
        """Every declared field ``d`` holds a value of, in the order declared."""
        return tuple(s for name in self.specs if (s := self.field(d, name)) is not None)

    def cells(self, d: Decision) -> tuple[Shown | None, ...]:
        """The index's cells of ``d``: one per column, None where it holds no value."""
        return tuple(self.field(d, c.name) for c in self.columns)

    def field(self, d: Decision, name: str) -> Shown | None:
        spec = self.specs.get(name)
        value = d.fields.get(name)
        if spec is None or value is None:
            return None
        many = spec.type == "list"
        items = value if many and isinstance(value, tuple | list) else (value,)
        return Shown(
            name,
            label(name),
            spec.description,
            many,
            tuple(self.value(spec.item_type, v) for v in items),
            sort_key(items[0]) if items else "",
        )

    def value(self, kind: str, v: Any) -> Value:
        """One typed value as a page shows it."""
        if isinstance(v, Money):
            return Value(money(v), kind, v)
        if isinstance(v, bool):
            return Value("yes" if v else "no", kind, v)
        if isinstance(v, dt.datetime):
            local = v.astimezone(self.tz)
            return Value(f"{local:%Y-%m-%d %H:%M} {local.tzname() or ''}".strip(), kind, v)
        if isinstance(v, dt.date):
            return Value(v.isoformat(), kind, v)
        text = str(v)
        if kind == "url":
            return Value(text, kind, v, href=text if _web(text) else "")
        if kind == "partner":
            known = text in self._partner_names
            return Value(
                self._partner_names.get(text, text), kind, v, page=urls.partner(text) if known else ""
            )
        if kind == "member":
            pid = self._member_of.get(text)
            return Value(self._names.get(text, text), kind, v, page=urls.partner(pid) if pid else "")
        return Value(text, kind, v)

    def data(self, d: Decision) -> dict[str, str]:
        """``d``'s values of each facet it holds as ``data-`` attributes for the filter script:
        ``field-systems`` -> "portal api" (at most ``ITEM_VALUES`` each: ``cut``)."""
        out: dict[str, str] = {}
        for f in self.facets:
            keys = list(dict.fromkeys(self.keys(f, d)))
            if keys:
                out[f.facet] = " ".join(keys[:ITEM_VALUES])
        return out

    def cut(self, d: Decision) -> list[str]:
        """The facets of which ``d`` holds more values than its list item carries (``data``): the
        filter script keeps the item in view when filtering by them, as for tags."""
        return [f.facet for f in self.facets if len(dict.fromkeys(self.keys(f, d))) > ITEM_VALUES]

    def keys(self, f: Facet, d: Decision) -> list[str]:
        """The keys of ``d``'s values of facet ``f``, in the order written."""
        value = d.fields.get(f.name)
        if value is None:
            return []
        items = value if isinstance(value, tuple | list) else (value,)
        return [k for v in items if (k := f.key(v))]

    # --- the timeline's facets --------------------------------------------------------------------

    def counts(self, decisions: Iterable[Decision]) -> dict[str, list[tuple[str, str, int]]]:
        """Each facet -> (key, label, how many decisions) of every value some decision holds, in the
        order declared (enum), false before true, or by name (partners, members)."""
        counted: dict[str, Counter[str]] = {f.facet: Counter() for f in self.facets}
        labels: dict[str, dict[str, str]] = {f.facet: {} for f in self.facets}
        for d in decisions:
            for f in self.facets:
                value = d.fields.get(f.name)
                if value is None:
                    continue
                for v in dict.fromkeys(value if isinstance(value, tuple | list) else (value,)):
                    key = f.key(v)
                    if key:
                        counted[f.facet][key] += 1
                        labels[f.facet][key] = self.value(f.spec.item_type, v).text
        out: dict[str, list[tuple[str, str, int]]] = {}
        for f in self.facets:
            keys = list(counted[f.facet])
            if f.spec.item_type == "enum":
                order = list(f.keys.values())
                keys.sort(key=order.index)
            elif f.spec.item_type == "boolean":
                keys.sort(key=("no", "yes").index)
            else:
                keys.sort()
            out[f.facet] = [(k, labels[f.facet][k], counted[f.facet][k]) for k in keys]
        return out

    def members(self, d: Decision) -> list[tuple[str, str]]:
        """(facet, key) of every facet value ``d`` holds: the filtered timelines it stands on."""
        return [(f.facet, k) for f in self.facets for k in dict.fromkeys(self.keys(f, d))]

    # --- the Atom entry -----------------------------------------------------------------------

    def html(self, d: Decision) -> str:
        """``d``'s fields as an HTML definition list for its Atom entry ("" when it holds none); links
        are relative to the decision's page (the entry's ``xml:base``)."""
        shown = self.shown(d)
        if not shown:
            return ""
        here = urls.decision(d.id)
        rows = []
        for s in shown:
            values = [_value_html(v, here) for v in s.values]
            inner = (
                Markup("<ul>{}</ul>").format(Markup("").join(Markup("<li>{}</li>").format(v) for v in values))
                if s.many
                else values[0]
            )
            rows.append(Markup("<dt>{}</dt><dd>{}</dd>").format(s.label, inner))
        return str(Markup('<dl class="fields">{}</dl>\n').format(Markup("").join(rows)))


def _web(text: str) -> bool:
    return text.lower().startswith(("https://", "http://"))


def _value_html(v: Value, here: str) -> Markup:
    if v.href:
        return Markup('<a href="{}">{}</a>').format(v.href, v.text)
    if v.page:
        return Markup('<a href="{}">{}</a>').format(urls.relative(here, v.page), v.text)
    return Markup(escape(v.text))


def sort_key(value: Any) -> str:
    """A text that sorts as ``value`` does: numbers in order of size (within a currency for money),
    dates and date-times in time order, the rest by its words."""
    if isinstance(value, Money):
        return f"{value.currency} {_number_key(value.amount)}"
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int | float | Decimal):
        return _number_key(Decimal(str(value)))
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).lower()


def _number_key(n: Decimal) -> str:
    """A fixed-width text of ``n`` that sorts as numbers do (for |n| below 10^18)."""
    bound = Decimal(10) ** 18
    shifted = min(max(n, -bound + 1), bound - 1) + bound
    return f"{shifted:040.6f}"
