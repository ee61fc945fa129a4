"""declog.toml: site settings and the workflow rules the partners agreed.

Every problem becomes a finding against declog.toml with a line number; the
defaults below are what a log without the setting gets, and
docs/configuration.md documents each one.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import re
import stat
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from declog.log import customfields, vocab
from declog.log.codes import CODES, finding
from declog.log.customfields import FieldSpec, Required
from declog.log.diagnostics import Diagnostic, Pos
from declog.log.fields import check_fields, did_you_mean, field_name, url_problem
from declog.log.schema import DECISION
from declog.log.timeparse import DurationTooLong, parse_date, parse_duration
from declog.log.yamlparse import CONTROL, MAX_DEPTH, Parsed, control_name, visible

CONFIG_FILE = "declog.toml"


@dataclass(frozen=True)
class Site:
    title: str = "Decision log"
    description: str = ""
    url: str = ""
    """Public URL of the published site; feeds and the sitemap need it."""
    language: str = "en"
    timezone: str = "UTC"
    """Time zone dates are shown in when no partner's zone applies."""
    per_page: int = 50
    repository: str = ""
    """Web address of the log's repository; PR references, commits and source files link into it."""
    forge: str = ""
    """github, gitlab, gitea or forgejo; "" to tell from the repository's host."""
    branch: str = "main"
    """The default branch: source files link to their version on it."""


@dataclass(frozen=True)
class Silence:
    allowed: bool = False
    """Whether silence until the deadline counts as approval at all."""
    partners: tuple[str, ...] = ()
    """Partners whose silence counts; empty means every partner."""
    categories: tuple[str, ...] = ()
    """Categories where silence counts; empty means every category."""
    agreement: str = ""
    """Id of the accepted decision in which the partners agreed to this."""

    def covers(self, partner: str, category: str) -> bool:
        return (
            self.allowed
            and (not self.partners or partner in self.partners)
            and (not self.categories or category in self.categories)
        )


@dataclass(frozen=True)
class Reminders:
    """``[workflow.reminders]``: what ``declog remind`` does for open pull requests (docs/bot.md)."""

    before: tuple[dt.timedelta, ...] = (dt.timedelta(hours=24), dt.timedelta(hours=2))
    """How long before a deadline the awaited partners' members are mentioned, once per point."""
    record_silence: bool = True
    """After the deadline, commit the silence approvals the rules count to the pull request's branch."""
    overdue_label: str = "declog: overdue"
    """The label put on a pull request whose deadline passed without the approvals it needs ('' none)."""


@dataclass(frozen=True)
class Review:
    after: Mapping[str, dt.timedelta] = field(default_factory=dict)
    """Category -> how long after it was decided an accepted decision comes due for review."""
    lead: dt.timedelta = dt.timedelta(days=30)
    """How long before its review date a decision shows as due for review."""


@dataclass(frozen=True)
class Workflow:
    feedback_window: dt.timedelta = dt.timedelta(hours=48)
    approval: str = vocab.APPROVE_ALL
    quorum: int = 1
    self_approval: bool = False
    meeting_required: tuple[str, ...] = (vocab.STRATEGIC,)
    exception_window: dt.timedelta = dt.timedelta(hours=24)
    transitions: Mapping[str, tuple[str, ...]] = field(
        default_factory=lambda: dict(vocab.DEFAULT_TRANSITIONS)
    )
    silence: Silence = Silence()
    reminders: Reminders = Reminders()
    review: Review = Review()


@dataclass(frozen=True)
class RuleSetting:
    severity: str
    """error, warning or off."""
    since: dt.date | None = None
    """Decisions proposed before this date are not held to the rule."""


@dataclass(frozen=True)
class Config:
    site: Site = Site()
    workflow: Workflow = Workflow()
    rules: Mapping[str, RuleSetting] = field(default_factory=dict)
    fields: Mapping[str, FieldSpec] = field(default_factory=dict)
    """The partnership's own fields of a decision (``[fields.NAME]``), in the order declared."""
    path: str = CONFIG_FILE
    positions: Mapping[tuple[str | int, ...], Pos] = field(default_factory=dict, compare=False, repr=False)
    """Where each setting is written in declog.toml, for findings about it."""

    def pos(self, *key: str) -> Pos:
        """The line of setting ``key`` (or of its table) in declog.toml; 1:1 when not written."""
        p = tuple(key)
        while p:
            if p in self.positions:
                return self.positions[p]
            p = p[:-1]
        return Pos(1, 1)


#: declog.toml is read only up to this size: settings are a few kilobytes.
MAX_CONFIG_BYTES = 1024 * 1024
#: Integers longer than this many digits are refused (Python will not even print one of 4,300).
MAX_DIGITS = 100


def load_config(root: Path) -> tuple[Config | None, list[Diagnostic]]:
    """Read ``root/declog.toml``; ``None`` when it is missing or unusable.

    Only a regular file is read: a symlink (wherever it leads), a FIFO or a
    device is refused without reading it.
    """
    path = root / CONFIG_FILE
    try:
        real = path.resolve(strict=True)
    except FileNotFoundError:
        return None, [
            finding(
                "DL501",
                CONFIG_FILE,
                Pos(1, 1),
                f"no {CONFIG_FILE} in {root}",
                "run `declog init` to create one, or pass --root DIR",
            )
        ]
    except (OSError, RuntimeError):  # a symlink loop
        return None, [_unreadable("is a symlink loop; refused")]
    if not real.is_relative_to(root.resolve()):
        return None, [_unreadable("is a symlink that leaves the log; refused")]
    if real != root.resolve() / CONFIG_FILE:
        # the settings are judged by their own content, never through a link (docs/security.md)
        return None, [
            _unreadable(f"is a symlink (to {real.relative_to(root.resolve()).as_posix()}); refused")
        ]
    try:
        fd = os.open(real, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except OSError as exc:
        return None, [_unreadable(f"cannot be read: {exc.strerror}")]
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            return None, [_unreadable("is not a regular file; refused")]
        with os.fdopen(os.dup(fd), "rb") as fh:
            raw = fh.read(MAX_CONFIG_BYTES + 1)
    except OSError as exc:
        return None, [_unreadable(f"cannot be read: {exc.strerror}")]
    finally:
        os.close(fd)
    if len(raw) > MAX_CONFIG_BYTES:
        return None, [_unreadable(f"is larger than {MAX_CONFIG_BYTES // 1024} KB; refused")]
    return config_from_bytes(raw)


def _unreadable(why: str) -> Diagnostic:
    return finding("DL501", CONFIG_FILE, Pos(1, 1), f"{CONFIG_FILE} {why}")


def config_from_bytes(raw: bytes) -> tuple[Config | None, list[Diagnostic]]:
    """Parse the bytes of a declog.toml (e.g. as it was at a base revision)."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return None, [
            finding("DL501", CONFIG_FILE, Pos(1, 1), f"{CONFIG_FILE} is not UTF-8 text ({exc.reason})")
        ]
    deep = toml_too_deep(text)
    if deep is not None:  # tomllib recurses into every level: refused before it reads the text
        return None, [
            finding(
                "DL016",
                CONFIG_FILE,
                deep,
                f"arrays, tables and dotted keys nested more than {MAX_DEPTH} deep",
                "no setting needs more than three levels: write it flatter",
            )
        ]
    try:
        data = tomllib.loads(text)
    except RecursionError:  # should the scan ever miss a level: still a finding, not a traceback
        return None, [finding("DL016", CONFIG_FILE, Pos(1, 1), f"values nested more than {MAX_DEPTH} deep")]
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
        pos = Pos(int(m.group(1)), int(m.group(2))) if m else Pos(1, 1)
        message = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
        return None, [finding("DL501", CONFIG_FILE, pos, f"invalid TOML: {message}")]
    except ValueError:  # an integer beyond Python's limit of 4,300 digits
        long = re.search("[0-9_]{" + str(MAX_DIGITS) + ",}", text)
        start = long.start() if long else 0
        line = text.count("\n", 0, start) + 1
        pos = Pos(line, start - text.rfind("\n", 0, start))
        return None, [
            finding("DL501", CONFIG_FILE, pos, f"invalid TOML: a number longer than {MAX_DIGITS} digits")
        ]
    return parse_config(data, text)


#: What the nesting scan of TOML text looks at: strings and comments (skipped whole), then the
#: characters that open, close or deepen a value. Every string pattern matches once it starts (an
#: unterminated string ends at its line's end, or the text's), so the scan never backtracks.
_TOML_SCAN = re.compile(
    r"""(?P<skip>\"\"\"(?:[^"\\]|\\[\s\S]?|"(?!""))*(?:\"\"\""?"?|\Z)"""
    r"""|'''[\s\S]*?(?:''''?'?|\Z)"""
    r"""|"(?:[^"\\\n]|\\.?)*"?"""
    r"""|'[^'\n]*'?"""
    r"""|\#[^\n]*)"""
    r"""|(?P<mark>[\[\]{}.=,\n])"""
)


def toml_too_deep(text: str, limit: int = MAX_DEPTH) -> Pos | None:
    """Where TOML ``text`` first nests a value more than ``limit`` deep, or None.

    Depth is the length of a value's path: a ``[table.header]`` and a
    ``dotted.key`` count a level per part, an array or inline table one more.
    One pass of a regular expression, without parsing: tomllib, which recurses
    into each level, reads the text only once it is known to be shallow.
    """
    table = 0  # path length of the current [table] (an [[array of tables]] counts one more)
    stack: list[tuple[str, int]] = []  # each open "[" or "{" with the depth of the value it makes
    mode = "line"  # line (a key or a header may start), header, key, value or done (till the line ends)
    base, parts, depth, array = 0, 1, 0, False
    for m in _TOML_SCAN.finditer(text):
        mark = m.group("mark")
        if mark is None:
            continue
        reached = 0
        if mark == "\n":
            if not stack:
                mode, base, parts = "line", table, 1
        elif mode == "header":
            if mark == "[":
                array = True
            elif mark == ".":
                parts += 1
            elif mark == "]":
                mode, table = "done", parts + array
                reached = table + 1  # where its keys are
        elif mark in "]}":
            if stack:
                mode, depth = "value", stack.pop()[1]
        elif mode in ("line", "key"):
            if mark == "[" and mode == "line":
                mode, parts, array = "header", 1, False
            elif mark == ".":
                parts += 1
            elif mark == "=":
                mode, depth = "value", base + parts
                reached = depth
        elif mode == "value":
            if mark == "[":
                stack.append((mark, depth))
                depth = reached = depth + 1
            elif mark == "{":
                stack.append((mark, depth))
                mode, base, parts = "key", depth, 1
                reached = depth + 1
            elif mark == "," and stack:
                kind, held = stack[-1]
                if kind == "{":
                    mode, base, parts = "key", held, 1
                else:
                    depth = held + 1
        if reached > limit:
            at = m.start()
            return Pos(text.count("\n", 0, at) + 1, at - text.rfind("\n", 0, at))
    return None


def parse_config(data: dict[str, Any], text: str = "") -> tuple[Config | None, list[Diagnostic]]:
    positions = _toml_positions(text, data)
    parsed = Parsed(data=data, values=positions)
    huge = _huge_numbers(data, parsed, ())
    if huge:  # the schema's messages would quote them, and Python cannot
        return None, huge
    found = _controls(data, parsed, ()) + check_fields(parsed, "config", CONFIG_FILE, config=True)
    found += _semantic(data, parsed)
    if any(d.severity == "error" for d in found):
        return None, found
    return dataclasses.replace(_build(data), positions=positions), found


def _controls(value: object, parsed: Parsed, at: tuple[str | int, ...]) -> list[Diagnostic]:
    """DL502 for each setting (name or text) holding a control character (TOML writes them as \\u001b)."""
    out: list[Diagnostic] = []
    if isinstance(value, dict):
        for key, sub in value.items():
            if CONTROL.search(key):
                out.append(_control_finding(f"the setting name '{visible(key)}'", key, parsed.pos(*at)))
            out += _controls(sub, parsed, (*at, key))
    elif isinstance(value, list):
        for i, sub in enumerate(value):
            out += _controls(sub, parsed, (*at, i))
    elif isinstance(value, str) and CONTROL.search(value):
        out.append(_control_finding(field_name(at), value, parsed.pos(*at)))
    return out


def _huge_numbers(value: object, parsed: Parsed, at: tuple[str | int, ...]) -> list[Diagnostic]:
    """DL502 for each integer longer than ``MAX_DIGITS`` digits (``0xfff...`` included)."""
    if isinstance(value, dict):
        return [d for key, sub in value.items() for d in _huge_numbers(sub, parsed, (*at, key))]
    if isinstance(value, list):
        return [d for i, sub in enumerate(value) for d in _huge_numbers(sub, parsed, (*at, i))]
    if isinstance(value, int) and value.bit_length() > MAX_DIGITS * 10 // 3:
        return [
            finding(
                "DL502",
                CONFIG_FILE,
                parsed.pos(*at),
                f"{field_name(at)} is a number longer than {MAX_DIGITS} digits",
                "no setting needs a number that large",
            )
        ]
    return []


def _control_finding(what: str, text: str, pos: Pos) -> Diagnostic:
    found = CONTROL.search(text)
    assert found is not None
    return finding(
        "DL502",
        CONFIG_FILE,
        pos,
        f"{what} contains the control character {control_name(found.group())}",
        "delete the escape (such as \\u001b) from the string; settings are plain text",
    )


#: A branch name a link can carry: git's usual characters, no "..", no empty part.
_BRANCH = re.compile(r"^(?!.*\.\.)[A-Za-z0-9._-]+(?:/[A-Za-z0-9._-]+)*$")


def _repository(site: dict[str, Any], parsed: Parsed) -> list[Diagnostic]:
    """``[site] repository``: a forge declog knows the addresses of, naming a repository; a branch name."""
    out: list[Diagnostic] = []
    repo, forge, branch = site.get("repository"), site.get("forge"), site.get("branch")
    if isinstance(repo, str) and not url_problem(repo):  # a bad URL: the schema says so
        parts = urlsplit(repo)
        pos = parsed.pos("site", "repository")
        shown = visible(repo)
        if parts.query or parts.fragment:
            out.append(
                finding(
                    "DL502",
                    CONFIG_FILE,
                    pos,
                    f"site.repository '{shown}' has a ?query or #fragment",
                    "write the repository's web address: https://HOST/OWNER/REPO",
                )
            )
        elif not parts.path.strip("/"):
            out.append(
                finding(
                    "DL502",
                    CONFIG_FILE,
                    pos,
                    f"site.repository '{shown}' names no repository",
                    "write the repository's web address: https://HOST/OWNER/REPO",
                )
            )
        host = (parts.hostname or "").removeprefix("www.")
        if not isinstance(forge, str) and host not in vocab.FORGE_HOSTS:
            out.append(
                finding(
                    "DL502",
                    CONFIG_FILE,
                    pos,
                    f"site.repository: declog cannot tell which forge {visible(host)} runs",
                    f"add forge = one of {', '.join(repr(f) for f in vocab.FORGES)} under [site]",
                )
            )
    if isinstance(branch, str) and branch and not CONTROL.search(branch) and not _BRANCH.match(branch):
        out.append(
            finding(
                "DL502",
                CONFIG_FILE,
                parsed.pos("site", "branch"),
                f"site.branch '{visible(branch)}' is not a branch name a link can carry",
                "letters, digits, '.', '_', '-' and '/' between parts, e.g. main or release/2026",
            )
        )
    return out


_WINDOWS = ("feedback_window", "exception_window")


def _semantic(data: dict[str, Any], parsed: Parsed) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    site = data.get("site")
    if isinstance(site, dict):
        out += _repository(site, parsed)
    wf = data.get("workflow", {})
    review = wf.get("review") if isinstance(wf, dict) else None
    review = review if isinstance(review, dict) else {}
    after = review.get("after")
    durations: list[tuple[tuple[str | int, ...], object]] = [
        (("workflow", key), wf.get(key) if isinstance(wf, dict) else None) for key in _WINDOWS
    ]
    durations.append((("workflow", "review", "lead"), review.get("lead")))
    durations += [
        (("workflow", "review", "after", c), v) for c, v in (after if isinstance(after, dict) else {}).items()
    ]
    reminders = wf.get("reminders") if isinstance(wf, dict) else None
    before = reminders.get("before") if isinstance(reminders, dict) else None
    if isinstance(before, list):
        durations += [(("workflow", "reminders", "before", i), b) for i, b in enumerate(before)]
    for at, value in durations:
        try:
            if isinstance(value, str):
                parse_duration(value)
        except DurationTooLong as exc:
            out.append(finding("DL502", CONFIG_FILE, parsed.pos(*at), f"{field_name(at)}: {exc}"))
        except ValueError:
            pass  # not a duration at all: the schema says so
    if wf.get("approval") == vocab.APPROVE_QUORUM and "quorum" not in wf:
        out.append(
            finding(
                "DL502",
                CONFIG_FILE,
                parsed.pos("workflow", "approval"),
                'approval = "quorum" needs `quorum = N` (how many partners must approve)',
            )
        )
    declared = data.get("fields")
    if isinstance(declared, dict):
        for name, spec in declared.items():
            if isinstance(spec, dict):
                out += _declaration(name, spec, parsed)
    for code in data.get("rules", {}) if isinstance(data.get("rules"), dict) else ():
        if isinstance(code, str) and code not in CODES:
            out.append(
                finding(
                    "DL502",
                    CONFIG_FILE,
                    parsed.pos("rules", code),
                    f"[rules] names an unknown rule code '{code}'",
                    "`declog rules` lists the codes",
                )
            )
    return out


#: A decision's built-in fields, which a declared field may not shadow.
BUILTIN_FIELDS = frozenset(DECISION["properties"]) | customfields.RESERVED


def _declaration(name: str, spec: dict[str, Any], parsed: Parsed) -> list[Diagnostic]:
    """DL502 for each thing wrong with the declaration ``[fields.NAME]`` the schema cannot tell."""
    out: list[Diagnostic] = []

    def bad(key: str, message: str, hint: str = "") -> None:
        out.append(finding("DL502", CONFIG_FILE, parsed.pos("fields", name, key), message, hint))

    where = f"[fields.{visible(name)}]"
    if name in BUILTIN_FIELDS:
        what = (
            f"shadows the built-in decision field '{name}'"
            if name in DECISION["properties"] or name in ("review_by", "reviews")
            else f"would be hidden in `declog query`, where '{name}' already means something"
        )
        out.append(
            finding(
                "DL502",
                CONFIG_FILE,
                parsed.pos("fields", name),
                f"{where} {what}",
                f"give the field another name, e.g. '{name}_note'",
            )
        )
    kind, items = spec.get("type"), spec.get("items")
    item_kind = items.get("type") if isinstance(items, dict) else None
    for key, value, allowed in (("type", kind, customfields.TYPES), ("items", item_kind, customfields.TYPES)):
        if isinstance(value, str) and value not in allowed:
            hint = did_you_mean(value, allowed, synonyms=False) or f"one of: {', '.join(allowed)}"
            bad(key, f"{where} {key}: unknown type '{visible(value)}'", hint)
    if not isinstance(kind, str) or kind not in customfields.TYPES:
        return out
    if kind == "list":
        if not isinstance(items, dict):
            bad("type", f"{where} is a list but says not of what", 'add items = { type = "..." }')
            return out
        if item_kind == "list":
            bad("items", f"{where}: a list's items cannot be lists", "declare the items as another type")
        if item_kind not in customfields.TYPES or item_kind == "list":
            return out
    elif items is not None:
        bad(
            "items",
            f"{where}: items is only for a list",
            f'write type = "list" and items = {{ type = "{kind}" }}',
        )
    holder = items if kind == "list" and isinstance(items, dict) else spec
    effective = item_kind if kind == "list" else kind
    if effective == "enum" and "values" not in holder:
        key = "items" if kind == "list" else "type"
        bad(key, f"{where} is an enum without values", 'add values = ["...", "..."]: the values it allows')
    if effective != "enum" and "values" in holder:
        bad("items" if holder is items else "values", f"{where}: values is only for an enum", "delete it")
    if spec.get("facet") is True and effective not in customfields.FACET_TYPES:
        what = f"a list of {effective}" if kind == "list" else f"a {kind}"
        bad(
            "facet",
            f"{where} is {what}, which cannot be a filter (facet)",
            "facets are for enum, partner, member and boolean fields (and lists of them): delete facet",
        )
    if "default" in spec and not out:
        _, problems = customfields.read_value(_spec(name, spec), _toml_value(spec["default"]))
        if problems:
            p = problems[0]
            problem = p.message.removeprefix(name).lstrip(" :")
            bad("default", f"{where} default {problem}", p.hint)
    return out


def _toml_value(value: Any) -> Any:
    """A TOML value as YAML would give it: TOML's own dates and times as the text they are written as."""
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, list):
        return [_toml_value(v) for v in value]
    return value


def _spec(
    name: str, d: dict[str, Any], transitions: Mapping[str, tuple[str, ...]] | None = None
) -> FieldSpec:
    """A declaration the checks passed, as a ``FieldSpec`` (its default not yet read)."""
    items: dict[str, Any] = d["items"] if isinstance(d.get("items"), dict) else {}
    values = d.get("values", items.get("values", ()))
    req = d.get("required", False)
    if isinstance(req, dict):
        since = req.get("from", "")
        statuses = (
            customfields.from_on(transitions or vocab.DEFAULT_TRANSITIONS, since) if since else frozenset()
        )
        required = Required(categories=tuple(req.get("categories", ())), since=since, statuses=statuses)
    else:
        required = Required(always=req is True)
    return FieldSpec(
        name=name,
        type=d["type"],
        items=items.get("type", ""),
        values=tuple(values),
        required=required,
        description=d.get("description", ""),
        index=d.get("index", False),
        facet=d.get("facet", False),
    )


def _field_specs(data: dict[str, Any], transitions: Mapping[str, tuple[str, ...]]) -> dict[str, FieldSpec]:
    out = {}
    for name, d in data.get("fields", {}).items():
        spec = _spec(name, d, transitions)
        if "default" in d:
            spec = dataclasses.replace(
                spec, default=customfields.read_value(spec, _toml_value(d["default"]))[0]
            )
        out[name] = spec
    return out


def _build(data: dict[str, Any]) -> Config:
    site_d = data.get("site", {})
    wf = data.get("workflow", {})
    silence_d = wf.get("silence", {})
    remind_d = wf.get("reminders", {})
    review_d = wf.get("review", {})
    workflow = Workflow(
        feedback_window=parse_duration(wf.get("feedback_window", "48h")),
        approval=wf.get("approval", vocab.APPROVE_ALL),
        quorum=wf.get("quorum", 1),
        self_approval=wf.get("self_approval", False),
        meeting_required=tuple(wf.get("meeting_required", (vocab.STRATEGIC,))),
        exception_window=parse_duration(wf.get("exception_window", "24h")),
        transitions={
            **{s: () for s in vocab.STATUSES},
            **{k: tuple(v) for k, v in wf["transitions"].items()},
        }
        if "transitions" in wf
        else dict(vocab.DEFAULT_TRANSITIONS),
        silence=Silence(
            allowed=silence_d.get("allowed", False),
            partners=tuple(silence_d.get("partners", ())),
            categories=tuple(silence_d.get("categories", ())),
            agreement=silence_d.get("agreement", ""),
        ),
        reminders=Reminders(
            before=tuple(
                sorted({parse_duration(b) for b in remind_d.get("before", ("24h", "2h"))}, reverse=True)
            ),
            record_silence=remind_d.get("record_silence", True),
            overdue_label=remind_d.get("overdue_label", Reminders.overdue_label),
        ),
        review=Review(
            after={c: parse_duration(v) for c, v in review_d.get("after", {}).items()},
            lead=parse_duration(review_d.get("lead", "30d")),
        ),
    )
    rules = {}
    for code, setting in data.get("rules", {}).items():
        if isinstance(setting, str):
            rules[code] = RuleSetting(setting)
        else:
            since = setting.get("since")
            rules[code] = RuleSetting(setting["severity"], parse_date(since) if since else None)
    known = {f.name for f in dataclasses.fields(Site)}
    site = Site(**{k: v for k, v in site_d.items() if k in known})  # unknown keys were reported (DL503)
    fields = _field_specs(data, workflow.transitions)
    return Config(site=site, workflow=workflow, rules=rules, fields=fields)


def _toml_positions(text: str, data: dict[str, Any]) -> dict[tuple[str | int, ...], Pos]:
    """Best-effort line of each `key = value` under its [table] header (TOML keeps none)."""
    positions: dict[tuple[str | int, ...], Pos] = {}
    table: tuple[str, ...] = ()
    header = re.compile(r"^\s*\[\s*([A-Za-z0-9_.\- ]+?)\s*\]\s*(?:#.*)?$")
    assign = re.compile(r"^\s*([A-Za-z0-9_\-]+|\"[^\"]+\")\s*=")
    for number, line in enumerate(text.splitlines(), start=1):
        m = header.match(line)
        if m:
            table = tuple(part.strip() for part in m.group(1).split("."))
            positions.setdefault(table, Pos(number, 1))
            continue
        m = assign.match(line)
        if m:
            key = m.group(1).strip('"')
            positions.setdefault((*table, key), Pos(number, line.index(m.group(1)) + 1))
    return positions
