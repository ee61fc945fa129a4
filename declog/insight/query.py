"""``declog query``: a small expression language over the decisions' fields.

    status = proposed and partner = globex and deadline < today + 2d

A tokenizer, a recursive-descent parser and an evaluator. The grammar,
loosest binding first (docs/query.md documents it for users)::

    expr       := and ("or" and)*
    and        := unary ("and" unary)*
    unary      := "not" unary | "(" expr ")" | comparison
    comparison := FIELD OP value
                | FIELD ["not"] "in" "(" value ("," value)* ")"
                | FIELD "is" ["not"] "empty"
    value      := term (("+" | "-") DURATION)*
    term       := WORD | STRING | DATE | DATETIME | "today" | "now"

Fields are checked while parsing, so a comparison that can never make sense
(``deadline = globex``, ``title < 3``) is an error at its column rather than
an empty result. Every error is a ``QueryError`` carrying the 1-based column.
Parentheses and ``not`` nest at most ``MAX_DEPTH`` deep; a list of terms joined
by ``and`` or ``or`` is one node, however long.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import io
import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from declog.insight.queryfields import ALIASES, FIELD_LIST, FIELDS, Field, Subject, declared_fields
from declog.log.customfields import FieldSpec, Money, read_value, to_json
from declog.log.escape import json_text, line, no_command, terminal
from declog.log.fields import did_you_mean
from declog.log.model import Decision, Log
from declog.log.timeparse import NaiveDatetime, parse_datetime, parse_duration
from declog.log.yamlparse import CONTROL, visible


class QueryError(ValueError):
    """An expression that cannot be parsed or makes no sense, with where it went wrong."""

    def __init__(self, message: str, column: int, length: int = 1, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.column = column
        """1-based column in the expression."""
        self.length = max(length, 1)
        self.hint = hint

    def show(self, expr: str) -> str:
        """``query:1:COL: message``, the expression, and a caret under the culprit."""
        caret = " " * (self.column - 1) + "^" * self.length
        hint = f"\n  hint: {self.hint}" if self.hint else ""
        return f"query:1:{self.column}: {self.message}\n  {expr}\n  {caret}{hint}"


KEYWORDS = frozenset({"and", "or", "not", "in", "is", "empty", "today", "now"})


# --- tokens ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Token:
    kind: str
    """op, (, ), ",", +, -, string, datetime, date, duration, word, end."""
    text: str
    column: int
    """1-based."""
    value: str = ""
    """The unquoted text of a string."""

    @property
    def word(self) -> str:
        return self.text.lower() if self.kind == "word" else ""


_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<datetime>\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})?)(?![\w-])
  | (?P<date>\d{4}-\d{2}-\d{2})(?![\w-])
  | (?P<duration>\d+(?:\.\d+)?[mhdw])(?![\w-])
  | (?P<word>[^\W][\w-]*(?:\.[\w-]+)*)
  | (?P<string>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')
  | (?P<op><=|>=|!=|==|=|<|>|~)
  | (?P<punct>[(),+-])
    """,
    re.VERBOSE,
)


def tokenize(expr: str) -> list[Token]:
    tokens: list[Token] = []
    pos = 0
    while pos < len(expr):
        m = _TOKEN.match(expr, pos)
        if m is None:
            if expr[pos] in "\"'":
                raise QueryError(
                    "unterminated string", pos + 1, len(expr) - pos, f"close it with {expr[pos]}"
                )
            raise QueryError(f"unexpected character '{expr[pos]}'", pos + 1)
        kind = m.lastgroup or ""
        text = m.group()
        if kind == "punct":
            kind = text
        if kind == "string":
            tokens.append(Token(kind, text, pos + 1, re.sub(r"\\(.)", r"\1", text[1:-1])))
        elif kind != "space":
            tokens.append(Token(kind, text, pos + 1))
        pos = m.end()
    tokens.append(Token("end", "", len(expr) + 1))
    return tokens


# --- values ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Value:
    kind: Literal["text", "day", "moment", "span"]
    text: str = ""
    day: dt.date | None = None
    moment: dt.datetime | None = None
    span: dt.timedelta | None = None
    column: int = 1
    length: int = 1
    literal: bool = False
    """Written as one token: ``text`` is what was written, usable as text (``tag = 48h``)."""

    def as_text(self) -> Value | None:
        """The value as text when a text field is compared with it, else None."""
        if self.kind == "text":
            return self
        if self.literal:
            return Value("text", text=self.text, column=self.column, length=self.length)
        return None


# --- the syntax tree ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Node:
    def test(self, d: Decision, s: Subject) -> bool:
        raise NotImplementedError


@dataclass(frozen=True)
class Or(Node):
    """``a or b or c``: one node however many terms, so a long list never recurses."""

    terms: tuple[Node, ...]

    def test(self, d: Decision, s: Subject) -> bool:
        return any(t.test(d, s) for t in self.terms)


@dataclass(frozen=True)
class And(Node):
    """``a and b and c``: one node however many terms."""

    terms: tuple[Node, ...]

    def test(self, d: Decision, s: Subject) -> bool:
        return all(t.test(d, s) for t in self.terms)


@dataclass(frozen=True)
class Not(Node):
    inner: Node

    def test(self, d: Decision, s: Subject) -> bool:
        return not self.inner.test(d, s)


@dataclass(frozen=True)
class IsEmpty(Node):
    field: Field
    negated: bool

    def test(self, d: Decision, s: Subject) -> bool:
        got = self.field.get(d, s)
        empty = got is None or got == "" or got == ()  # not 0 nor false: those are values
        return empty != self.negated


@dataclass(frozen=True)
class Compare(Node):
    field: Field
    op: str
    value: Value
    tz: dt.tzinfo
    want: Any = None
    """The value as the field's kind holds it: a ``Decimal`` for a number, ``Money``; else unused."""

    def test(self, d: Decision, s: Subject) -> bool:
        got = self.field.get(d, s)
        if self.field.many:
            if self.op == "!=":  # no item equals
                return not any(self.holds(item, "=") for item in got)
            return any(self.holds(item, self.op) for item in got)
        if got is None:
            return False  # no value: every comparison is false (use `is empty`)
        return self.holds(got, self.op)

    def holds(self, got: Any, op: str) -> bool:
        """Whether one value (a list's item, or the field's value) stands in ``op`` to the value."""
        v, kind = self.value, self.field.kind
        if kind == "time":
            if isinstance(got, dt.date) and not isinstance(got, dt.datetime):  # a day, as review_by
                if v.day is not None:
                    return _order(got, op, v.day)
                assert v.moment is not None
                return _order(dt.datetime.combine(got, dt.time(), self.tz), op, v.moment)
            if not isinstance(got, dt.datetime):
                return False
            if v.day is not None:
                return _order(got.astimezone(self.tz).date(), op, v.day)
            assert v.moment is not None
            return _order(got, op, v.moment)
        if kind == "number":
            return _order(_number(got), op, self.want)
        if kind == "money":
            assert isinstance(got, Money) and isinstance(self.want, Money)
            if got.currency != self.want.currency:
                return False  # amounts in two currencies are not comparable: no match, whatever op
            return _order(got.amount, op, self.want.amount)
        if kind == "bool":
            got = "true" if got else "false"
        assert isinstance(got, str)
        if kind == "id" and op != "~" and _decimal(got) and _decimal(v.text):
            return _order(_numeric(got), op, _numeric(v.text))
        return _text_match(got, op, v.text)


def _decimal(text: str) -> bool:
    return text.isascii() and text.isdigit()


def _numeric(digits: str) -> tuple[int, str]:
    """A key that orders decimal digit strings as numbers, however long (no int() of 5,000 digits)."""
    significant = digits.lstrip("0")
    return len(significant), significant


def _number(value: int | float | Decimal) -> Decimal:
    """A number as written: a float as its shortest repr (1.1, not 1.100000000000000088)."""
    if isinstance(value, Decimal):
        return value
    return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)


@dataclass(frozen=True)
class In(Node):
    """``field in (a, b)``: any of the equalities holds (on a list: any item equals one of them)."""

    options: tuple[Compare, ...]
    negated: bool

    def test(self, d: Decision, s: Subject) -> bool:
        return any(c.test(d, s) for c in self.options) != self.negated


def _order(a: object, op: str, b: object) -> bool:
    ops: dict[str, Callable[[object, object], bool]] = {
        "=": lambda x, y: x == y,
        "==": lambda x, y: x == y,
        "!=": lambda x, y: x != y,
        "<": lambda x, y: x < y,  # type: ignore[operator]
        "<=": lambda x, y: x <= y,  # type: ignore[operator]
        ">": lambda x, y: x > y,  # type: ignore[operator]
        ">=": lambda x, y: x >= y,  # type: ignore[operator]
    }
    return ops[op](a, b)


def _text_match(got: str, op: str, want: str) -> bool:
    if op == "~":
        return want.casefold() in got.casefold()
    return (got == want) if op in ("=", "==") else (got != want)


# --- the parser --------------------------------------------------------------------------------

#: How many parentheses and ``not`` may stand inside one another; ``and`` and ``or`` lists are flat.
MAX_DEPTH = 64


@dataclass(frozen=True)
class Query:
    expr: str
    root: Node
    now: dt.datetime
    """The moment the query is asked at: what ``today`` and ``now`` mean, and where decisions stand."""

    def matches(self, d: Decision, log: Log) -> bool:
        return self.root.test(d, Subject(log, self.now))

    def select(self, log: Log) -> list[Decision]:
        """The matching decisions, in id order."""
        s = Subject(log, self.now)
        return [d for d in log.decisions if self.root.test(d, s)]


def known_values(log: Log) -> dict[str, tuple[str, ...]]:
    """For ``parse``'s ``known``: the partner ids and the members' handles of ``log``."""
    handles = {m.handle for p in log.partners.values() for m in p.members}
    return {"partner": tuple(sorted(log.partners)), "member": tuple(sorted(handles))}


def parse(
    expr: str,
    *,
    now: dt.datetime,
    tz: dt.tzinfo,
    known: Mapping[str, Sequence[str]] | None = None,
    fields: Mapping[str, FieldSpec] | None = None,
) -> Query:
    """Parse ``expr``; ``now`` and ``tz`` give ``today`` and ``now`` and the zone of bare dates.

    ``known`` gives the partner ids (``"partner"``) and members' handles (``"member"``) of the log
    (``known_values``): a value of a field that names partners or members and is not among them
    is refused, as for fields with a fixed list of values. ``fields`` are the log's own fields
    (``Config.fields``), which the expression may use besides the built-in ones.
    """
    if not expr.strip():
        raise QueryError("empty expression", 1, hint='e.g. "status = proposed"')
    every = {**FIELDS, **declared_fields(fields or {})}
    return Query(expr, _Parser(tokenize(expr), now, tz, known or {}, every).parse(), now)


class _Parser:
    def __init__(
        self,
        tokens: Sequence[Token],
        now: dt.datetime,
        tz: dt.tzinfo,
        known: Mapping[str, Sequence[str]],
        fields: Mapping[str, Field],
    ) -> None:
        self.tokens = tokens
        self.i = 0
        self.now = now
        self.tz = tz
        self.in_log = known
        self.fields = fields
        self.depth = 0
        """How many parentheses and ``not`` the parser is inside."""

    @property
    def tok(self) -> Token:
        return self.tokens[self.i]

    def advance(self) -> Token:
        tok = self.tokens[self.i]
        self.i = min(self.i + 1, len(self.tokens) - 1)
        return tok

    def error(self, message: str, tok: Token | None = None, hint: str = "") -> QueryError:
        tok = tok or self.tok
        if tok.kind == "end":
            return QueryError(f"{message}, but the expression ends here", tok.column, 1, hint)
        return QueryError(message, tok.column, len(tok.text), hint)

    def parse(self) -> Node:
        node = self.or_()
        if self.tok.kind != "end":
            what = "')'" if self.tok.kind == ")" else f"'{self.tok.text}'"
            raise self.error(f"unexpected {what}", hint="join conditions with `and` or `or`")
        return node

    def or_(self) -> Node:
        terms = [self.and_()]
        while self.tok.word == "or":
            self.advance()
            terms.append(self.and_())
        return terms[0] if len(terms) == 1 else Or(tuple(terms))

    def and_(self) -> Node:
        terms = [self.unary()]
        while self.tok.word == "and":
            self.advance()
            terms.append(self.unary())
        return terms[0] if len(terms) == 1 else And(tuple(terms))

    def unary(self) -> Node:
        if self.tok.word == "not" or self.tok.kind == "(":
            if self.depth == MAX_DEPTH:  # each level is a few frames of recursion, here and in test()
                raise self.error(
                    f"more than {MAX_DEPTH} parentheses and 'not's inside one another",
                    hint="write the expression flatter: `a or b or c` needs no parentheses",
                )
            self.depth += 1
            node = self.nested()
            self.depth -= 1
            return node
        return self.comparison()

    def nested(self) -> Node:
        """``not X`` or ``( X )``."""
        if self.tok.word == "not":
            self.advance()
            return Not(self.unary())
        opening = self.advance()
        node = self.or_()
        if self.tok.kind != ")":
            raise self.error("expected ')'", hint=f"to close the '(' at column {opening.column}")
        self.advance()
        return node

    def field(self) -> Field:
        tok = self.tok
        names = [n for n in self.fields if "." not in n]
        # A field of the log's own may be called like a keyword (`empty`): where a field stands, it is one.
        if tok.kind != "word" or (tok.word in KEYWORDS and tok.text not in self.fields):
            raise self.error("expected a field name", hint=f"fields: {', '.join(names)}")
        self.advance()
        name = ALIASES.get(tok.text, tok.text)
        if name not in self.fields:
            raise QueryError(f"unknown field '{tok.text}'", tok.column, len(tok.text), self.unknown(tok.text))
        return self.fields[name]

    def unknown(self, name: str) -> str:
        """The hint for an unknown field: the closest name, or what a money field's parts are."""
        base, dot, part = name.partition(".")
        if dot and base in self.fields:
            if self.fields[base].kind != "money":
                return f"only money fields have parts (.amount, .currency); {base} is compared as it is"
            close = difflib.get_close_matches(part, ["amount", "currency"], n=1)
            return f"did you mean '{base}.{close[0]}'?" if close else f"{base} has .amount and .currency"
        close = difflib.get_close_matches(name, [*self.fields, *ALIASES], n=1)
        names = [n for n in self.fields if "." not in n]
        return f"did you mean '{close[0]}'?" if close else f"fields: {', '.join(names)}"

    def comparison(self) -> Node:
        field = self.field()
        tok = self.tok
        if tok.word == "contains" or (tok.word == "not" and self.tokens[self.i + 1].word == "contains"):
            return self.contains(field)
        if tok.word == "is":
            self.advance()
            negated = self.tok.word == "not"
            if negated:
                self.advance()
            if self.tok.word != "empty":
                raise self.error("expected 'empty'", hint=f"write `{field.name} is empty` or `is not empty`")
            self.advance()
            return IsEmpty(field, negated)
        if tok.word in ("in", "not"):
            return self.membership(field)
        if tok.kind != "op":
            raise self.error(
                f"expected an operator after '{field.name}'",
                hint="one of = != < <= > >= ~ in, not in, is empty",
            )
        self.advance()
        value = self.value()
        if field.kind != "time":
            value = self.money_words(field, value.as_text() or value)
        want = self.check(field, tok, value)
        if tok.text != "~" and value.kind == "text":
            self.known(field, value.text, value.column, value.length)
        return Compare(field, "=" if tok.text == "==" else tok.text, value, self.tz, want)

    def contains(self, field: Field) -> Node:
        """``systems contains billing``: an item equals the value (``not contains``: none does)."""
        negated = self.tok.word == "not"
        if negated:
            self.advance()
        tok = self.advance()
        if not field.many:
            hint = f"write `{field.name} ~ ...` for text that contains a word" if field.kind == "text" else ""
            raise QueryError(
                f"'contains' needs a list; {field.name} holds one value",
                tok.column,
                len(tok.text),
                hint or f"write `{field.name} = ...`",
            )
        op = Token("op", "!=" if negated else "=", tok.column)
        return self.equal(field, op)

    def equal(self, field: Field, op: Token) -> Compare:
        """``field OP value`` for an equality ``op`` whose value follows."""
        value = self.value()
        if field.kind != "time":
            value = self.money_words(field, value.as_text() or value)
        want = self.check(field, op, value)
        if value.kind == "text":
            self.known(field, value.text, value.column, value.length)
        return Compare(field, op.text, value, self.tz, want)

    def money_words(self, field: Field, value: Value) -> Value:
        """``budget > EUR 10000``: a currency and an amount, written as two words, are one value."""
        nxt = self.tok
        if field.kind != "money" or value.kind != "text" or nxt.kind != "word" or not _AMOUNT.match(nxt.text):
            return value
        self.advance()
        length = nxt.column + len(nxt.text) - value.column
        return Value("text", text=f"{value.text} {nxt.text}", column=value.column, length=length)

    def membership(self, field: Field) -> Node:
        negated = self.tok.word == "not"
        if negated:
            self.advance()
            if self.tok.word != "in":
                raise self.error("expected 'in' after 'not'")
        in_tok = self.advance()
        if field.kind == "time":
            raise QueryError(f"'in' needs a text field; {field.name} is a date", in_tok.column, 2)
        if self.tok.kind != "(":
            raise self.error("expected '(' after 'in'", hint=f"e.g. {field.name} in (a, b)")
        self.advance()
        equal = Token("op", "=", in_tok.column)
        options = [self.equal(field, equal)]
        while self.tok.kind == ",":
            self.advance()
            options.append(self.equal(field, equal))
        if self.tok.kind != ")":
            raise self.error("expected ',' or ')'")
        self.advance()
        return In(tuple(options), negated)

    def known(self, field: Field, text: str, column: int, length: int) -> None:
        """Refuse a value a field can never have: ``status = acepted``, a partner the log lacks."""
        if field.values and text not in field.values:
            if len(field.values) > 12:  # the currencies: too many to list
                hint = did_you_mean(text, field.values, synonyms=False) or f"{field.name} is an ISO 4217 code"
            else:
                hint = did_you_mean(text, field.values) or f"{field.name} is one of {', '.join(field.values)}"
            raise QueryError(f"no decision has {field.name} '{text}'", column, length, hint)
        in_log = self.in_log.get(field.known) if field.known else None
        if in_log is not None and text not in in_log:
            what = f"{field.known}s"
            hint = did_you_mean(text, in_log) or (
                f"the {what} are {', '.join(in_log)}" if in_log else f"the log has no {what}"
            )
            of = "a partner of this log" if field.known == "partner" else "a member of any partner"
            raise QueryError(f"'{text}' is not {of}", column, length, hint)

    def value(self) -> Value:
        value = self.term()
        while self.tok.kind in ("+", "-"):
            op = self.advance()
            if self.tok.kind != "duration":
                raise self.error(f"expected a duration after '{op.text}'", hint="e.g. 2d, 48h, 1w, 30m")
            tok = self.advance()
            try:
                span = parse_duration(tok.text)
            except ValueError as exc:
                raise self.error(str(exc), tok) from None
            try:
                value = self.shift(value, span if op.text == "+" else -span, op)
            except OverflowError:
                raise self.error(f"{tok.text} goes beyond the dates declog can count", tok) from None
        return value

    def shift(self, value: Value, span: dt.timedelta, op: Token) -> Value:
        if value.kind == "day" and value.day is not None:
            if span % dt.timedelta(days=1) == dt.timedelta(0):
                return Value("day", day=value.day + span, column=value.column)
            start = dt.datetime.combine(value.day, dt.time(), self.tz)
            return Value("moment", moment=start + span, column=value.column)
        if value.kind == "moment" and value.moment is not None:
            return Value("moment", moment=value.moment + span, column=value.column)
        raise QueryError(
            f"cannot add a duration to {_describe(value)}",
            op.column,
            1,
            "only dates, today and now take + and -",
        )

    def term(self) -> Value:
        tok = self.tok
        col, length = tok.column, len(tok.text)
        at: dict[str, Any] = {"column": col, "length": length, "literal": True}
        if tok.kind == "string":
            self.advance()
            return Value("text", text=tok.value, column=col, length=length)
        if tok.kind == "date":
            self.advance()
            try:
                return Value("day", text=tok.text, day=dt.date.fromisoformat(tok.text), **at)
            except ValueError:
                raise QueryError(f"'{tok.text}' is not a real date", col, length) from None
        if tok.kind == "datetime":
            self.advance()
            try:
                return Value("moment", text=tok.text, moment=parse_datetime(tok.text), **at)
            except NaiveDatetime:
                raise QueryError(
                    f"'{tok.text}' has no time zone offset", col, length, "add one, e.g. +01:00 or Z"
                ) from None
            except ValueError:
                raise QueryError(f"'{tok.text}' is not a real date-time", col, length) from None
        if tok.kind == "duration":
            self.advance()
            return Value("span", text=tok.text, span=parse_duration(tok.text), **at)
        if tok.word == "today":
            self.advance()
            return Value("day", day=self.now.astimezone(self.tz).date(), column=col, length=length)
        if tok.word == "now":
            self.advance()
            return Value("moment", moment=self.now, column=col, length=length)
        if tok.kind == "word" and tok.word not in KEYWORDS:
            self.advance()
            return Value("text", text=tok.text, column=col, length=length)
        nxt = self.tokens[self.i + 1] if tok.kind == "-" else tok
        if nxt is not tok and nxt.kind == "word" and nxt.column == col + 1 and _AMOUNT.match(nxt.text):
            self.advance()  # a negative number: -12.5
            self.advance()
            return Value("text", text=f"-{nxt.text}", column=col, length=length + len(nxt.text), literal=True)
        raise self.error("expected a value", hint='a word, a "quoted text", a date, today or now')

    def check(self, field: Field, op: Token, value: Value) -> Any:
        """Refuse comparisons that can never make sense, at the value's column; the typed value
        a number or money field compares with (``Compare.want``)."""
        if value.kind == "span":
            raise QueryError(
                f"a duration alone is not a date; {field.name} needs a date",
                value.column,
                value.length,
                f"e.g. {field.name} < today + {value.text}",
            )
        if field.kind == "time":
            if value.kind == "text":
                hint = "write spaces around + and -" if re.search(r"\w[+-]\d", value.text) else ""
                raise QueryError(
                    f"{field.name} is a date; '{value.text}' is not a date",
                    value.column,
                    value.length,
                    hint or "e.g. 2026-12-01, today, today + 2d, now - 48h",
                )
            if op.text == "~":
                raise QueryError("'~' (contains) needs a text field", op.column, 1)
            return None
        if value.kind != "text":
            what = {"number": "a number", "money": "money", "bool": "true or false"}.get(field.kind)
            message = f"{field.name} is text; quote the value to compare it as text"
            if what:
                message = f"{field.name} is {what}; {_describe(value)} is not"
            raise QueryError(message, value.column, value.length)
        if op.text == "~" and field.kind in ("number", "money", "bool"):
            raise QueryError("'~' (contains) needs a text field", op.column, 1)
        if field.kind == "number":
            if not _AMOUNT.match(value.text):
                raise QueryError(
                    f"{field.name} is a number; '{value.text}' is not a number",
                    value.column,
                    value.length,
                    f"e.g. {field.name} > 10000 or {field.name} <= -2.5",
                )
            return Decimal(value.text)
        if field.kind == "money":
            return self.money(field, value)
        if op.text in ("<", "<=", ">", ">="):
            if field.kind != "id":
                raise QueryError(
                    f"'{op.text}' orders numbers, money, ids and dates only; {field.name} is "
                    + ("true or false" if field.kind == "bool" else "text"),
                    op.column,
                    len(op.text),
                )
            if not _decimal(value.text):
                raise QueryError(f"'{value.text}' is not a decision number", value.column, value.length)
        return None

    def money(self, field: Field, value: Value) -> Money:
        """The amount with its currency a money field is compared with (``EUR 10000``)."""
        typed, problems = read_value(FieldSpec(field.name, "money"), value.text)
        if isinstance(typed, Money):
            return typed
        if re.fullmatch(r"[A-Za-z]{3}", value.text):
            code = value.text.upper()
            hint = f"e.g. {field.name} > {code} 10000, or {field.name}.currency = {code}"
        else:
            hint = problems[0].hint if problems and problems[0].hint else f"e.g. {field.name} > EUR 10000"
        message = f"{field.name} is money; '{value.text}' is not an amount with its currency"
        raise QueryError(message, value.column, value.length, hint)


#: A number as the query language writes it: digits, a sign, a decimal point (no exponent, no NaN).
_AMOUNT = re.compile(r"-?[0-9]+(?:\.[0-9]+)?$")


def _describe(value: Value) -> str:
    return {"text": f"text '{value.text}'", "span": "a duration"}.get(value.kind, "a date")


# --- rows for the command line -----------------------------------------------------------------

FORMATS = ("table", "json", "csv", "ids")
#: The columns of ``--format csv``.
COLUMNS = ("id", "status", "mode", "category", "partners", "owner", "deadline", "decided", "title")


def record(d: Decision, s: Subject) -> dict[str, object]:
    """A decision as plain data for JSON: every built-in field the language knows, dates as ISO
    text, and ``fields``: the log's own fields as decisions.json writes them."""
    out: dict[str, object] = {}
    for f in FIELD_LIST:
        got = f.get(d, s)
        if isinstance(got, dt.date):
            out[f.name] = got.isoformat()
        elif isinstance(got, tuple):
            out[f.name + ("s" if f.name in ("partner", "tag") else "")] = list(got)
        else:
            out[f.name] = got
    out["fields"] = {name: to_json(value) for name, value in d.fields.items()}
    return out


def row(d: Decision) -> tuple[str, ...]:
    """The table/CSV columns (``COLUMNS``) of a decision, as text."""

    def t(value: dt.datetime | None) -> str:
        return value.isoformat() if value else ""

    return (
        d.id,
        d.status,
        d.mode,
        d.category,
        " ".join(d.partners),
        d.owner,
        t(d.deadline),
        t(d.decided),
        d.title,
    )


#: What makes a spreadsheet read a cell as a formula (OWASP's CSV injection rule).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(text: str) -> str:
    """A cell a spreadsheet shows as text: a leading ``= + - @``, tab or CR gets a ``'`` before it.

    Control characters other than tab and line feed are written as escapes (``\\x1b``) too,
    so a CSV printed to a terminal cannot drive it, nor a CI log read a workflow command in it.
    """
    if text.startswith(_FORMULA_START):
        text = "'" + text
    if not text.isprintable():  # a carriage return too; then bidi overrides and bytes that are not UTF-8
        text = terminal(CONTROL.sub(lambda m: visible(m.group()), text), keep_lines=True)
    return "\n".join(map(no_command, text.split("\n"))) if ":" in text or "#" in text else text


def render(decisions: Sequence[Decision], log: Log, fmt: str, tz: dt.tzinfo, now: dt.datetime) -> str:
    """The matches as ``table``, ``json``, ``csv`` or ``ids`` text.

    No format writes a control character as it is: a value cannot drive the
    terminal the output lands on (the table and ids show ``\\x1b``, JSON ``\\u001b``).
    """
    if fmt == "ids":
        return "".join(f"{line(d.id)}\n" for d in decisions)
    if fmt == "json":
        return json_text(
            json.dumps([record(d, Subject(log, now)) for d in decisions], indent=2, ensure_ascii=False) + "\n"
        )
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(COLUMNS)
        writer.writerows([csv_cell(cell) for cell in row(d)] for d in decisions)
        return buf.getvalue()
    headers = ("id", "status", "mode", "partners", "deadline", "decided", "title")
    rows = [
        tuple(
            visible(cell)
            for cell in (
                d.id,
                d.status,
                d.mode,
                ",".join(d.partners),
                d.deadline.astimezone(tz).strftime("%Y-%m-%d %H:%M") if d.deadline else "",
                d.decided.astimezone(tz).strftime("%Y-%m-%d %H:%M") if d.decided else "",
                d.title,
            )
        )
        for d in decisions
    ]
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(headers[:-1])]

    def joined(cells: Sequence[str]) -> str:
        return "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=False)) + "  " + cells[-1]

    return "".join(line(joined(r).rstrip()) + "\n" for r in [headers, *rows])
