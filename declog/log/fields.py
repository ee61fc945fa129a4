"""Validate parsed frontmatter against its JSON Schema; every error becomes a finding.

jsonschema reports every error with the path to the bad value; the path is
mapped back to a line and column through the positions the YAML parser kept,
and each schema keyword maps to a stable rule code with a message that quotes
the bad value and, where it helps, a "did you mean" hint.
"""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit

import fastjsonschema

from declog.log import suggest, vocab
from declog.log.codes import finding
from declog.log.diagnostics import Diagnostic, Pos, Severity
from declog.log.schema import ONE_LINE, SCHEMAS
from declog.log.timeparse import NaiveDatetime, known_timezones, parse_date, parse_datetime
from declog.log.yamlparse import Parsed, visible

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import ValidationError


def _is_datetime(value: object) -> bool:
    return not isinstance(value, str) or bool(parse_datetime(value))


def _is_date(value: object) -> bool:
    return not isinstance(value, str) or bool(parse_date(value))


def _is_timezone(value: object) -> bool:
    return not isinstance(value, str) or value in known_timezones()


#: What an http(s) URL is never written with: it would end an HTML attribute, a <script> string or
#: an XML value it is pasted into, or be read differently by browsers and servers.
_URL_UNSAFE = re.compile("[\\s\"'<>\\\\`\x00-\x1f\x7f-\x9f]")


def url_problem(value: str) -> str:
    """Why ``value`` is not an absolute http(s) URL declog can write anywhere; "" when it is one."""
    bad = _URL_UNSAFE.search(value)
    if bad is not None:
        char = bad.group()
        if not char.isprintable():
            kind = "control" if ord(char) < 0x20 or 0x7F <= ord(char) <= 0x9F else "white-space"
            return f"contains the {kind} character U+{ord(char):04X}"
        shown = "a space" if char == " " else f'"{char}"' if char == "'" else f"'{char}'"
        return f"contains {shown} (write it percent-encoded: {quote(char)})"
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 -- raises ValueError on a port that is not a number
    except ValueError as exc:
        return f"is not a valid URL ({exc})"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "is not an http(s) URL"
    return ""


def _is_uri(value: object) -> bool:
    return not isinstance(value, str) or not url_problem(value)


_FORMATS: dict[str, Callable[[object], bool]] = {
    "date-time": _is_datetime,
    "date": _is_date,
    "timezone": _is_timezone,
    "uri": _is_uri,
}


def _schema(kind: str, declared: tuple[str, ...]) -> dict[str, Any]:
    """The schema of ``kind``, with the log's declared fields allowed (``read_value`` checks their values)."""
    schema = SCHEMAS[kind]
    if not declared:
        return schema
    return {**schema, "properties": {**schema["properties"], **{key: {} for key in declared}}}


@functools.cache
def validator(kind: str, declared: tuple[str, ...] = ()) -> Draft202012Validator:
    """jsonschema's validator, which explains every error (imported only when one is found)."""
    from jsonschema import Draft202012Validator, FormatChecker

    checker = FormatChecker(formats=())
    for name, check in _FORMATS.items():
        checker.checks(name, raises=ValueError)(check)
    return Draft202012Validator(_schema(kind, declared), format_checker=checker)


def _passes(check: Callable[[object], bool]) -> Callable[[object], bool]:
    def ok(value: object) -> bool:
        try:
            return check(value)
        except ValueError:
            return False

    return ok


@functools.cache
def _fast_validator(kind: str, declared: tuple[str, ...] = ()) -> Callable[[Any], Any]:
    """A compiled validator for the common case of a valid document.

    jsonschema explains every error but costs ~0.5 ms a document; fastjsonschema
    compiles the same schema to Python and answers valid/invalid ~20x faster.
    The schemas use only keywords whose meaning is identical in draft 7, which
    fastjsonschema implements. Invalid documents go through jsonschema.
    """
    schema = {
        **_exception_free(_schema(kind, declared)),
        "$schema": "http://json-schema.org/draft-07/schema#",
    }
    formats = {name: _passes(fn) for name, fn in _FORMATS.items()}
    return fastjsonschema.compile(schema, formats=formats)


#: Keywords whose value maps names (which may be any word, "if" included) to schemas.
_NAMED = frozenset({"properties", "patternProperties", "definitions", "$defs"})


def _exception_free(schema: Any) -> Any:
    """``schema`` with each ``if``/``else`` (no ``then``) written as ``anyOf: [else, if]``.

    The two say the same (the ``if`` holds, or else the ``else`` must), but fastjsonschema
    tries an ``if`` by raising and catching an exception whenever it fails, which for
    "every approval but silence names its member" was every approval of the log. Written
    this way, the common case passes its first branch and raises nothing.
    """
    if isinstance(schema, list):
        return [_exception_free(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    out = {
        k: {name: _exception_free(v) for name, v in sub.items()}
        if k in _NAMED and isinstance(sub, dict)
        else _exception_free(sub)
        for k, sub in schema.items()
    }
    if "if" in out and "else" in out and "then" not in out:
        either = {"anyOf": [out.pop("else"), out.pop("if")]}
        out["allOf"] = [*out.get("allOf", []), either]
    return out


_TYPE_NAMES = {
    "string": "text",
    "array": "a list",
    "object": "a mapping",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "null": "empty",
}


def describe(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "empty"
    if isinstance(value, str):
        shown = visible(value, keep_lines=True)  # messages quote values: never a terminal's escape
        return f"'{shown}'" if len(shown) <= 60 else f"'{shown[:57]}...'"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return f"{value!r}"


def field_name(path: Iterable[str | int]) -> str:
    out = ""
    for part in path:
        out += f"[{part + 1}]" if isinstance(part, int) else (f".{visible(part)}" if out else visible(part))
    return out or "frontmatter"


#: Words people write for a status that declog spells differently.
_SYNONYMS = {
    "approved": "accepted",
    "agreed": "accepted",
    "done": "accepted",
    "adopted": "accepted",
    "declined": "rejected",
    "refused": "rejected",
    "open": "proposed",
    "pending": "proposed",
    "review": "proposed",
    "cancelled": "withdrawn",
    "canceled": "withdrawn",
    "replaced": "superseded",
    "obsolete": "superseded",
    "synchronous": "sync",
    "asynchronous": "async",
}


def did_you_mean(word: str, choices: Iterable[str], *, synonyms: bool = True) -> str:
    """``did you mean 'X'?`` for the choice closest to what ``word`` meant, or ''.

    What was meant counts: a synonym ("approved" for accepted) and a misspelt synonym
    ("aproved") point at their word, ranked with the choices by similarity. Field
    names have no synonyms (``synonyms=False``): "on" is not "open", so not "proposed".
    """
    choices = list(choices)
    lowered = word.lower()
    known = _SYNONYMS if synonyms else {}
    synonym = known.get(lowered)
    if synonym in choices:
        return f"did you mean '{synonym}'?"
    candidates = [(c, c) for c in choices] + [(s, m) for s, m in known.items() if m in choices]
    best, score = "", 0.0
    for spelled, meant in candidates:
        ratio = difflib.SequenceMatcher(None, lowered, spelled.lower()).ratio()
        if ratio > score:
            best, score = meant, ratio
    return f"did you mean '{best}'?" if score >= 0.6 else ""


def misspelling_of(word: str, known: Iterable[str]) -> str:
    """The known name ``word`` is a misspelling of, or ''.

    A misspelling is at most one edit away (two for names longer than five
    letters), counting a swap of neighbours, a change of case or of ``-`` and
    ``_`` as one edit: ``tag`` for ``tags``, ``Title``, ``superseded-by``.
    """
    written = word.lower().replace("-", "_")
    limit = 1 if len(word) <= 5 else 2
    best, distance = "", limit + 1
    for name in known:
        if name == word:
            continue
        d = max(1, _edits(written, name.lower().replace("-", "_"), limit))  # Title vs title: one edit
        if d < distance:
            best, distance = name, d
    return best


def _edits(a: str, b: str, limit: int) -> int:
    """Optimal-string-alignment distance between ``a`` and ``b``, or ``limit + 1`` once it is larger."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    before: list[int] = []
    row = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            current[j] = min(row[j] + 1, current[j - 1] + 1, row[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], before[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        before, row = row, current
    return row[-1]


def check_fields(
    parsed: Parsed, kind: str, path: str, config: bool = False, declared: tuple[str, ...] = ()
) -> list[Diagnostic]:
    """Every schema error in ``parsed.data`` as a finding at the value's position.

    ``declared`` names the log's own fields (declog.toml ``[fields]``): known, so neither
    unknown nor a misspelling of another, and each a field a misspelling can be of.
    """
    try:
        _fast_validator(kind, declared)(parsed.data)
        return []
    except fastjsonschema.JsonSchemaException:
        pass
    errors = list(validator(kind, declared).iter_errors(parsed.data))
    # A value of the wrong type is one mistake: say so once, not also "not one of" or "bad format".
    wrong_type = {tuple(e.absolute_path) for e in errors if e.validator == "type"}
    out: list[Diagnostic] = []
    for error in errors:
        if error.validator != "type" and tuple(error.absolute_path) in wrong_type:
            continue
        out.extend(_findings(error, parsed, path, config))
    return out


def _code(code: str, config: bool) -> str:
    if not config:
        return code
    return "DL503" if code == "DL107" else "DL502"


def _findings(err: ValidationError, parsed: Parsed, path: str, config: bool) -> list[Diagnostic]:
    at = tuple(err.absolute_path)
    name = field_name(at)
    keyword = err.validator
    value: Any = err.instance
    expected: Any = err.validator_value
    schema: dict[str, Any] = err.schema if isinstance(err.schema, dict) else {}
    pos = parsed.pos(*at)

    def make(code: str, message: str, hint: str = "", where: Pos | None = None) -> Diagnostic:
        return finding(_code(code, config), path, where or pos, message, hint)

    if keyword == "required":
        missing = [k for k in expected if k not in value]
        where = parsed.key_pos(*at) if at else Pos(1, 1)
        inside = f" in {name}" if at else ""
        return [make("DL101", f"missing required field '{k}'{inside}", where=where) for k in missing]
    if keyword == "additionalProperties":
        known = list(schema.get("properties", {}))
        out: list[Diagnostic] = []
        for k in value:
            if k in known:
                continue
            where = parsed.key_pos(*at, k)
            unknown = f"unknown field '{field_name((*at, k))}'"
            meant = misspelling_of(str(k), known)
            if meant:
                out.append(
                    make(
                        "DL111",
                        f"{unknown}: did you mean '{meant}'?",
                        "as written, its value is ignored",
                        where=where,
                    )
                )
            else:
                out.append(make("DL107", unknown, did_you_mean(k, known, synonyms=False), where))
        return out
    if keyword == "type":
        wanted = " or ".join(
            _TYPE_NAMES.get(t, t) for t in ([expected] if isinstance(expected, str) else expected)
        )
        return [
            make(
                "DL102",
                f"{name} should be {wanted}, not {describe(value)}",
                _type_hint(expected, value),
            )
        ]
    if keyword == "enum":
        allowed = [str(v) for v in expected]
        return [
            make(
                "DL103",
                f"{name} {describe(value)} is not one of: {', '.join(allowed)}",
                did_you_mean(str(value), allowed),
            )
        ]
    if keyword == "format":
        return [_format_finding(expected, name, value, make)]
    if keyword == "pattern" and expected == ONE_LINE:
        # A warning, not an error: unlike a control character, every output escapes a line break.
        message = f"{name} is one line of text but has a line break: {describe(value)}"
        hint = "write it on one line (`>-` folds a long one); longer text belongs in the body"
        return [finding(_code("DL014", config), path, pos, message, hint, Severity.WARNING)]
    if keyword == "pattern":
        said = _pattern_problem(name, schema, value)
        return [make("DL104", f"{name} {describe(value)} {said.problem}", said.hint)]
    if keyword in ("minLength", "minItems"):
        return [make("DL110", f"{name} is empty")]
    if keyword == "uniqueItems":
        texts = [str(v) for v in value]
        dupes = [v for i, v in enumerate(texts) if v in texts[:i]]
        return [make("DL110", f"{name} lists {describe(dupes[0]) if dupes else 'a value'} more than once")]
    if keyword == "oneOf":
        return _one_of(err, parsed, path, config)
    if keyword == "propertyNames":
        return [make("DL104", f"{name} has an unknown key {describe(value)}")]
    if keyword == "minimum":
        return [make("DL104", f"{name} must be at least {expected}, not {describe(value)}")]
    return [make("DL102", f"{name}: {err.message}")]


def _one_of(err: ValidationError, parsed: Parsed, path: str, config: bool) -> list[Diagnostic]:
    # Report the branch whose type matches the value (a handle string, or a mapping).
    value = err.instance
    branches: Any = err.validator_value
    schema: dict[str, Any] = err.schema if isinstance(err.schema, dict) else {}
    for index, branch in enumerate(branches):
        kind = branch.get("type")
        matches = (kind == "string" and isinstance(value, str)) or (
            kind == "object" and isinstance(value, dict)
        )
        if matches or (kind is None and "enum" in branch and isinstance(value, str)):
            sub = [e for e in err.context or () if e.relative_schema_path[0] == index]
            out: list[Diagnostic] = []
            for e in sub:
                out.extend(_findings(e, parsed, path, config))
            if out:
                return out
    name = field_name(tuple(err.absolute_path))
    pos = parsed.pos(*err.absolute_path)
    return [
        finding(
            _code("DL102", config),
            path,
            pos,
            f"{name} {describe(value)} has the wrong shape",
            schema.get("description", ""),
        )
    ]


def _format_finding(fmt: str, name: str, value: Any, make: Callable[..., Diagnostic]) -> Diagnostic:
    if fmt == "date-time":
        try:
            parse_datetime(value)
        except NaiveDatetime:
            return make(
                "DL106",
                f"{name} {describe(value)} has no time zone offset",
                f"write it with an offset, e.g. '{value}+00:00' for UTC",
            )
        except ValueError:
            pass
        return make(
            "DL105",
            f"{name} {describe(value)} is not a valid date-time",
            suggest.date_hint(str(value), with_time=True)
            or "write YYYY-MM-DDTHH:MM:SS+HH:MM with a real month and day",
        )
    if fmt == "date":
        hint = suggest.date_hint(str(value), with_time=False) or "write YYYY-MM-DD"
        return make("DL105", f"{name} {describe(value)} is not a valid date", hint)
    if fmt == "timezone":
        return make(
            "DL104",
            f"{name} {describe(value)} {suggest.TIMEZONE_PROBLEM}",
            suggest.timezone_hint(str(value)),
        )
    if fmt == "uri":
        problem = url_problem(value) if isinstance(value, str) else "is not an http(s) URL"
        return make("DL104", f"{name} {describe(value)} {problem}")
    return make("DL104", f"{name} {describe(value)} is not a valid {fmt}")


def _pattern_problem(name: str, schema: dict[str, Any], value: Any) -> suggest.Problem:
    pattern = schema.get("pattern", "")
    if pattern == vocab.DECISION_ID_RE.pattern:
        return suggest.Problem('is not a decision id (four or more digits, quoted: "0042")', "")
    if pattern == vocab.HANDLE_RE.pattern:
        return suggest.handle_problem(str(value)) or suggest.Problem(suggest.HANDLE_PROBLEM, "")
    if pattern == vocab.SLUG_RE.pattern:
        return suggest.slug_problem(str(value)) or suggest.Problem(suggest.SLUG_PROBLEM, "")
    if "(?:m|h|d|w)" in pattern:
        return suggest.Problem("is not a duration such as 48h, 2d or 1w", "")
    return suggest.Problem(f"does not match the expected format {pattern}", "")


def _type_hint(expected: Any, value: Any) -> str:
    if expected == "array" and isinstance(value, str):
        return f"write a list: [{value}]"
    if expected == "string" and isinstance(value, (int, float)) and not isinstance(value, bool):
        return f'quote it: "{value}"'
    return ""
