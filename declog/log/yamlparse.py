"""Frontmatter: split a document, parse its YAML with a position for every value.

PyYAML's C parser composes the node tree (fast, with line/column marks); values
are built from the nodes here, so that

* every key and value keeps its line and column;
* YAML 1.1 traps (``0012`` as octal, ``NO`` as false, ``12:30`` as base 60)
  become findings instead of silent data, and the text is kept as written;
* dates stay text (checked later by the schema), so ``2026-13-01`` cannot crash;
* duplicate keys, anchors/aliases and custom tags are refused;
* lists and mappings nest at most ``MAX_DEPTH`` deep, so no walk over a value recurses without bound.

python-frontmatter is not used: it loses line numbers, strips leading blank
lines (shifting every line after them) and raises bare errors on bad dates.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import yaml

from declog.log.codes import finding
from declog.log.diagnostics import Diagnostic, Pos
from declog.log.escape import terminal
from declog.log.yamlerrors import explain

Path = tuple[str | int, ...]

_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_MERGE = "tag:yaml.org,2002:merge"


class _Loader(yaml.CSafeLoader):
    """Resolves plain scalars like YAML 1.2: no yes/no/on/off booleans, no timestamps.

    The composer asks for every node's tag; PyYAML's own ``resolve`` also walks path resolvers,
    which no loader here has. Answering from one table keyed by the first character is the same
    answer at about a third of the cost (a tenth of ``check``'s time is spent composing).
    """

    def resolve(self, kind: type[yaml.Node], value: Any, implicit: tuple[bool, bool]) -> str:
        if kind is yaml.ScalarNode:
            if implicit[0]:
                for tag, rx in _IMPLICIT.get(value[:1], ()):
                    if rx.match(value):
                        return tag
            return _STR
        return _SEQ if kind is yaml.SequenceNode else _MAP

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        """No path resolvers: nothing to track on the way down."""

    def ascend_resolver(self) -> None:
        """No path resolvers: nothing to track on the way up."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag not in (_BOOL, _TIMESTAMP)]
    for first, resolvers in yaml.CSafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(_BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))
assert not _Loader.yaml_path_resolvers and None not in _Loader.yaml_implicit_resolvers
#: First character of a plain scalar ("" for an empty one) -> the (tag, pattern) pairs to try, in order.
_IMPLICIT: dict[str, tuple[tuple[str, re.Pattern[str]], ...]] = {
    first: tuple(resolvers) for first, resolvers in _Loader.yaml_implicit_resolvers.items()
}

_YAML11_BOOLS = frozenset(
    ["yes", "Yes", "YES", "no", "No", "NO", "on", "On", "ON", "off", "Off", "OFF", "y", "Y", "n", "N"]
)
_LEADING_ZERO = re.compile(r"^[-+]?0[0-9_]+$")

# --- control characters (DL014) ----------------------------------------------------------------

#: A control character in a value: C0 but tab and line feed, DEL, C1. Never text anyone means to
#: write; ESC rewrites terminals and most of them make XML (every Atom feed) ill-formed.
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
#: The same in a file's raw text, where a carriage return is a line ending.
_RAW_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_C0 = "NUL SOH STX ETX EOT ENQ ACK BEL BS HT LF VT FF CR SO SI DLE DC1 DC2 DC3 DC4 NAK SYN ETB CAN EM SUB"
_C0_NAMES = [*_C0.split(), "ESC", "FS", "GS", "RS", "US"]
_C1_NAMES = {0x7F: "DEL", 0x85: "NEL", 0x9B: "CSI", 0x9D: "OSC"}
#: How many lines of one file with raw control characters get a finding each.
_CONTROL_LINES_SHOWN = 20


def control_name(ch: str) -> str:
    """A control character as a reader can name it: 'U+001B (ESC)'."""
    code = ord(ch)
    name = _C0_NAMES[code] if code < 0x20 else _C1_NAMES.get(code, "")
    return f"U+{code:04X}" + (f" ({name})" if name else "")


#: A value quoted in a message or written to a terminal (``escape.terminal``, which says how).
visible = terminal


#: A double-quoted YAML escape: \\xXX, \\uXXXX, \\UXXXXXXXX or one character.
_ESCAPE = re.compile(r"\\(?:x([0-9A-Fa-f]{2})|u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.))", re.DOTALL)
_SIMPLE_ESCAPES = {"0": "\0", "a": "\a", "b": "\b", "v": "\v", "f": "\f", "r": "\r", "e": "\x1b", "N": "\x85"}


def _field_name(at: Path) -> str:
    """title, approvals[1].ref: a value's place as the findings name it."""
    out = ""
    for part in at:
        out += f"[{part + 1}]" if isinstance(part, int) else (f".{visible(part)}" if out else visible(part))
    return out or "frontmatter"


#: The UTF-8 bytes of text with no control character: tab, line ends, printable ASCII, non-ASCII.
_TEXT_BYTES = bytes([0x09, 0x0A, 0x0D, *range(0x20, 0x7F), *range(0x80, 0x100)])
#: A C1 control (U+0080 to U+009F) in UTF-8.
_C1_UTF8 = re.compile(b"\xc2[\x80-\x9f]")


def has_controls(text: str) -> bool:
    """Whether raw ``text`` holds a control character other than tab and line ends.

    A byte-level pass, a few times faster than a regular expression over
    characters: every document's body is looked at on every check.
    """
    data = text.encode("utf-8", "surrogatepass")
    if data.translate(None, _TEXT_BYTES):
        return True
    return not text.isascii() and _C1_UTF8.search(data) is not None


def raw_controls(text: str, path: str, first_line: int, where: str) -> list[Diagnostic]:
    """DL014 at the first control character on each line of ``text`` (line ``first_line`` of ``path``)."""
    out: list[Diagnostic] = []
    if not has_controls(text):
        return out
    line, line_start, last, more = 0, 0, -1, 0
    for m in _RAW_CONTROL.finditer(text):
        start = m.start()
        line += text.count("\n", line_start, start)
        line_start = text.rfind("\n", 0, start) + 1
        if line == last:
            continue
        last = line
        if len(out) == _CONTROL_LINES_SHOWN:
            more += 1
            continue
        out.append(
            finding(
                "DL014",
                path,
                Pos(first_line + line, start - line_start + 1),
                f"{where} contains the control character {control_name(m.group())}",
                "delete it: control characters are invisible, can rewrite a terminal and break feeds",
            )
        )
    if more:
        out[-1] = dataclasses.replace(
            out[-1], message=f"{out[-1].message} (and {more} more lines after this one)"
        )
    return out


#: The longest number frontmatter may hold (DL015): far below what Python converts to and from text.
MAX_NUMBER_CHARS = 100
#: How deep lists and mappings may nest (DL016): a decision needs three levels (approvals[1].by);
#: Python recurses into each level, and PyYAML's own limit (1,000) is beyond what it can.
MAX_DEPTH = 64


@dataclass
class Frontmatter:
    """The parts of a document, with the line each part starts on."""

    yaml_text: str
    yaml_line: int
    """1-based line of the first YAML line (2 for a document starting with ``---``)."""
    body: str
    body_line: int
    """1-based line the Markdown body starts on."""


class _Mark(Protocol):
    line: int
    column: int


@dataclass
class Parsed:
    """Frontmatter values with the position of every key and value.

    Positions are kept as the parser's 0-based marks and turned into 1-based
    ``Pos`` only when a finding asks, which keeps loading large logs fast; a
    record keeps them as numbers (``compact``), the marks let go.
    """

    data: Any
    values: Mapping[Path, Pos | _Mark] = field(default_factory=dict)
    keys: Mapping[Path, Pos | _Mark] = field(default_factory=dict)
    offset: int = 1
    """Line of the text's first line in its file (marks are relative to the text)."""
    positions: list[int] | None = None
    """Every position as numbers, once ``compact``: the 1-based line and column of each value and
    key, two numbers each, in the order a walk of ``data`` meets them (each value, then, in a
    mapping, each key before its value); ``0, 0`` where none is kept. ``values`` and ``keys`` are
    then made from them when a finding first asks."""

    def as_pos(self, where: Pos | _Mark) -> Pos:
        """A position as kept (the parser's 0-based mark, or a ``Pos``) as a 1-based ``Pos``."""
        if isinstance(where, Pos):
            return where
        return Pos(where.line + self.offset, where.column + 1)

    def pos(self, *path: str | int) -> Pos:
        """Where the value at ``path`` is; falls back to its key, then its parent."""
        p: Path = tuple(path)
        while p:
            if p in self.values:
                return self.as_pos(self.values[p])
            if p in self.keys:
                return self.as_pos(self.keys[p])
            p = p[:-1]
        return self.as_pos(self.values.get((), Pos(1, 1)))

    def key_pos(self, *path: str | int) -> Pos:
        p: Path = tuple(path)
        where = self.keys.get(p)
        return self.as_pos(where) if where is not None else self.pos(*p)


def positions_of(parsed: Parsed) -> list[int]:
    """``parsed``'s positions as numbers, in walk order (``Parsed.positions``)."""
    if parsed.positions is not None:
        return parsed.positions
    positions: list[int] = []
    _number(parsed.data, (), parsed.values, parsed.keys, parsed.offset, positions)
    return positions


def _number(
    value: Any,
    at: Path,
    values: Mapping[Path, Pos | _Mark],
    keys: Mapping[Path, Pos | _Mark],
    offset: int,
    out: list[int],
) -> None:
    """Put the positions of ``value`` at ``at`` and of everything in it on ``out`` (``positions_of``).

    A function of its own, not a closure: a closure that calls itself is a reference cycle, and
    would keep every mark it saw until the collector runs (it is paused while a log loads)."""
    _place(values.get(at), offset, out)
    if type(value) is dict:
        for key, item in value.items():
            sub = (*at, key)
            _place(keys.get(sub), offset, out)
            _number(item, sub, values, keys, offset, out)
    elif type(value) is list:
        for i, item in enumerate(value):
            _number(item, (*at, i), values, keys, offset, out)


def _place(where: Pos | _Mark | None, offset: int, out: list[int]) -> None:
    if where is None:
        out += (0, 0)
    elif isinstance(where, Pos):
        out += where
    else:  # the parser's 0-based mark, as Parsed.as_pos reads it
        out += (where.line + offset, where.column + 1)


def compact(parsed: Parsed) -> Parsed:
    """``parsed`` with its positions kept as numbers (``Parsed.positions``) and the parser's marks
    let go: about a tenth of the memory the marks and their maps took (8.8 KB for a generated
    decision; a log keeps every document's), and what a later process keeps of it
    (declog.log.kept) already made."""
    if parsed.positions is not None:
        return parsed
    return from_positions(parsed.data, positions_of(parsed), parsed.offset)


def from_positions(data: Any, positions: list[int], offset: int) -> Parsed:
    """The ``Parsed`` whose ``positions`` are ``positions`` (as many as a walk of ``data`` takes)."""
    table = _Table(data, positions)
    return Parsed(data, _Positions(table, 0), _Positions(table, 1), offset, positions)


class _Table:
    """Numbered positions, turned into the two mappings ``Parsed`` keeps when first asked."""

    def __init__(self, data: Any, positions: list[int]) -> None:
        self._source: tuple[Any, list[int]] | None = (data, positions)
        self._maps: tuple[dict[Path, Pos], dict[Path, Pos]] = ({}, {})

    def maps(self) -> tuple[dict[Path, Pos], dict[Path, Pos]]:
        if self._source is not None:
            data, positions = self._source
            _unnumber(data, (), iter(positions), *self._maps)  # as many as the walk takes
            self._source = None
        return self._maps


def _unnumber(
    value: Any, at: Path, numbers: Iterator[int], values: dict[Path, Pos], keys: dict[Path, Pos]
) -> None:
    """Put the positions of ``value`` at ``at`` and of everything in it into ``values`` and ``keys``,
    taken from ``numbers`` in walk order (``positions_of``'s inverse; no closure: see ``_number``)."""
    line, col = next(numbers), next(numbers)
    if line:
        values[at] = Pos(line, col)
    if type(value) is dict:
        for key, item in value.items():
            sub = (*at, key)
            line, col = next(numbers), next(numbers)
            if line:
                keys[sub] = Pos(line, col)
            _unnumber(item, sub, numbers, values, keys)
    elif type(value) is list:
        for i, item in enumerate(value):
            _unnumber(item, (*at, i), numbers, values, keys)


class _Positions(Mapping[Path, Pos]):
    """The positions of values (``which`` 0) or keys (1) of a ``_Table``, read when first asked."""

    def __init__(self, table: _Table, which: int) -> None:
        self._table, self._which = table, which

    def _map(self) -> dict[Path, Pos]:
        return self._table.maps()[self._which]

    def __getitem__(self, at: Path) -> Pos:
        return self._map()[at]

    def __contains__(self, at: object) -> bool:
        return at in self._map()

    def __iter__(self) -> Iterator[Path]:
        return iter(self._map())

    def __len__(self) -> int:
        return len(self._map())


_FENCE = re.compile(r"^---[ \t]*$")
#: The line that closes frontmatter: `---` (or YAML's `...`), searched from the end of line 1.
_CLOSING = re.compile(r"\n(?:---|\.\.\.)[ \t]*(?=\n|$)")


def split_frontmatter(text: str, path: str) -> Frontmatter | Diagnostic:
    """Cut a document into YAML and body, or say why it has no frontmatter."""
    if not text.strip():
        return finding(
            "DL002",
            path,
            Pos(1, 1),
            "the file is empty",
            "start the file with a `---` line, the fields, and a closing `---` line",
        )
    first_end = text.find("\n")
    first = text if first_end < 0 else text[:first_end]
    if not _FENCE.match(first):
        return finding(
            "DL002",
            path,
            Pos(1, 1),
            f"the file does not start with frontmatter (first line is {first[:40]!r})",
            "put `---` on the first line, then the YAML fields, then `---`",
        )
    close = _CLOSING.search(text, first_end) if first_end >= 0 else None
    if close is not None:
        yaml_text = text[first_end + 1 : close.start() + 1]
        body_start = close.end() + 1
        return Frontmatter(
            yaml_text=yaml_text[:-1] if yaml_text.endswith("\n") else yaml_text,
            yaml_line=2,
            body=text[body_start:] if body_start <= len(text) else "",
            body_line=text.count("\n", 0, close.start() + 1) + 2,
        )
    return finding(
        "DL002",
        path,
        Pos(1, 1),
        "the frontmatter opened on line 1 is never closed",
        "add a line with `---` after the last field",
    )


def parse_yaml(text: str, path: str, first_line: int = 1) -> tuple[Parsed | None, list[Diagnostic]]:
    """Parse YAML text starting at ``first_line`` of ``path``; never raises."""
    controls: list[Diagnostic] = []
    if has_controls(text):
        # YAML refuses them (or reads NEL as a line break): each is a finding where it stands, and the
        # rest is read with U+FFFD in its place. Same length, so every position still holds; should
        # the YAML be broken as well, its syntax error comes first.
        controls = raw_controls(text, path, first_line, "the frontmatter")
        text = _RAW_CONTROL.sub("\ufffd", text)
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        if "maximum nesting depth" in (exc.problem or ""):  # libyaml's own limit, far beyond ours
            mark = exc.problem_mark or exc.context_mark
            at = Pos(first_line + mark.line, mark.column + 1) if mark else Pos(first_line, 1)
            return None, [_too_deep(path, at)]
        return None, [_syntax_finding(exc, text, path, first_line)]
    except yaml.YAMLError as exc:
        return None, [finding("DL003", path, Pos(first_line, 1), f"invalid YAML: {exc}")]
    finally:
        loader.dispose()
    # Only a double-quoted escape ("\e", "\x01") can put a control character into a value.
    builder = _Builder(path, first_line, aliases="&" in text, escapes=text if "\\" in text else None)
    if node is None:
        return Parsed(data=None, values={(): Pos(first_line, 1)}), controls
    builder.findings += controls
    data = builder.build(node, ())
    if "&" in text or "*" in text:
        builder.findings += _anchor_findings(text, path, first_line)
    return Parsed(data=data, values=builder.values, keys=builder.keys, offset=first_line), builder.findings


def _anchor_findings(text: str, path: str, first_line: int) -> list[Diagnostic]:
    """DL006 where each anchor and alias is written.

    The composed tree cannot say: an alias *is* its anchored node, so only the
    event stream knows where the ``*alias`` stands.
    """
    out: list[Diagnostic] = []
    for event in yaml.parse(text, Loader=_Loader):
        if isinstance(event, yaml.AliasEvent):
            what = f"alias '*{event.anchor}'"
        elif isinstance(event, yaml.NodeEvent) and event.anchor:
            what = f"anchor '&{event.anchor}'"
        else:
            continue
        mark = event.start_mark
        out.append(
            finding(
                "DL006",
                path,
                Pos(first_line + mark.line, mark.column + 1) if mark else Pos(first_line, 1),
                f"{what}: anchors and aliases are not allowed in frontmatter",
                "write the value out in full instead of `&anchor` / `*alias`",
            )
        )
    return out


def _too_deep(path: str, pos: Pos) -> Diagnostic:
    return finding(
        "DL016",
        path,
        pos,
        f"lists and mappings nested more than {MAX_DEPTH} deep",
        "frontmatter needs a few levels at most: write the value flatter",
    )


def _syntax_finding(exc: yaml.MarkedYAMLError, text: str, path: str, first_line: int) -> Diagnostic:
    said = explain(exc, text, first_line)
    return finding("DL003", path, Pos(first_line + said.line, said.column + 1), said.message, said.hint)


class _Builder:
    """Builds plain Python values from a node tree, recording positions and traps."""

    def __init__(self, path: str, first_line: int, aliases: bool = True, escapes: str | None = None) -> None:
        self.path = path
        self._text = escapes
        """The YAML text when it has an escape (a backslash); else no value can hold a control character."""
        self.offset = first_line
        self.values: dict[Path, Pos | _Mark] = {}
        self.keys: dict[Path, Pos | _Mark] = {}
        self.findings: list[Diagnostic] = []
        # Only text with an anchor (&) can share nodes; tracking them is skipped otherwise.
        self._seen: set[int] | None = set() if aliases else None
        self._too_deep = False

    def _pos(self, node: yaml.Node, mark: Pos | _Mark | None = None) -> Pos:
        """The 1-based position of ``node`` (or of an earlier ``mark``) in the file."""
        where = mark if mark is not None else node.start_mark
        if isinstance(where, Pos):
            return where
        return Pos(where.line + self.offset, where.column + 1)

    def build(self, node: yaml.Node, at: Path) -> Any:
        if len(at) > MAX_DEPTH:  # one finding, where the first value too deep starts
            if not self._too_deep:
                self._too_deep = True
                self.findings.append(_too_deep(self.path, self._pos(node)))
            return None
        if self._seen is not None:
            if id(node) in self._seen:
                return None  # an alias: reported where it is written (_anchor_findings)
            self._seen.add(id(node))
        self.values[at] = node.start_mark
        if type(node) is yaml.ScalarNode:
            if self._text is not None and node.style == '"':
                self._controls(node, at)
            return self._scalar(node)
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, at)
        if isinstance(node, yaml.SequenceNode):
            if node.tag != _SEQ:
                return self._bad_tag(node, self._pos(node))
            return [self.build(item, (*at, i)) for i, item in enumerate(node.value)]
        assert isinstance(node, yaml.ScalarNode)
        return self._scalar(node)

    def _controls(self, node: yaml.ScalarNode, at: Path, key: bool = False) -> None:
        """DL014 where an escape in a double-quoted scalar writes a control character."""
        found = CONTROL.search(node.value)
        if found is None:
            return
        name = _field_name(at)
        what = f"the field name '{visible(str(at[-1]))}'" if key else name
        self.findings.append(
            finding(
                "DL014",
                self.path,
                self._escape_pos(node),
                f"{what} contains the control character {control_name(found.group())}",
                "remove the escape (such as \\e, \\x1b or \\u0000) from the quoted text",
            )
        )

    def _escape_pos(self, node: yaml.ScalarNode) -> Pos:
        """Where the first escape that writes a control character stands (else where ``node`` starts)."""
        assert self._text is not None
        start, end = node.start_mark, node.end_mark
        raw = self._text[start.index : end.index]
        for m in _ESCAPE.finditer(raw):
            digits = m.group(1) or m.group(2) or m.group(3)
            ch = chr(int(digits, 16)) if digits else _SIMPLE_ESCAPES.get(m.group(4), "")
            if ch and CONTROL.match(ch):
                i = m.start()
                line_start = raw.rfind("\n", 0, i)
                col = start.column + i if line_start < 0 else i - line_start - 1
                return Pos(self.offset + start.line + raw.count("\n", 0, i), col + 1)
        return self._pos(node)

    def _mapping(self, node: yaml.MappingNode, at: Path) -> Any:
        if node.tag != _MAP:
            return self._bad_tag(node, self._pos(node))
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if type(key_node) is not yaml.ScalarNode or key_node.tag == _MERGE:
                self._bad_key(key_node)
                continue
            key: str = key_node.value
            sub = (*at, key)
            if self._text is not None and key_node.style == '"':
                self._controls(key_node, sub, key=True)
            if key in out:
                first = self._pos(key_node, self.keys[sub])
                self.findings.append(
                    finding(
                        "DL005",
                        self.path,
                        self._pos(key_node),
                        f"duplicate key '{key}' (first set on line {first.line})",
                        "YAML would silently keep only the last value; delete one of them",
                    )
                )
                continue
            self.keys[sub] = key_node.start_mark
            out[key] = self.build(value_node, sub)
        return out

    def _bad_key(self, key_node: yaml.Node) -> None:
        if isinstance(key_node, yaml.ScalarNode):
            message, code = "merge keys (`<<`) are not allowed in frontmatter", "DL006"
        else:
            message, code = "a key must be plain text, not a list or mapping", "DL003"
        self.findings.append(finding(code, self.path, self._pos(key_node), message))

    def _bad_tag(self, node: yaml.Node, pos: Pos) -> Any:
        self.findings.append(
            finding(
                "DL003",
                self.path,
                pos,
                f"YAML tag {node.tag!r} is not supported in frontmatter",
                "remove the `!tag`; plain values are enough",
            )
        )
        return None

    def _scalar(self, node: yaml.ScalarNode) -> Any:
        tag, value, plain = node.tag, node.value, not node.style
        if tag == _STR and not (plain and value and (value[0] in "0+-" or value in _YAML11_BOOLS)):
            return value  # the common case: text that no YAML version reads otherwise
        pos = self._pos(node)
        if tag == _STR:
            if plain and _LEADING_ZERO.match(value):
                return self._int(value, pos)  # 0019: text in YAML 1.1, the number 19 in YAML 1.2
            if plain and value in _YAML11_BOOLS:
                self.findings.append(
                    finding(
                        "DL008",
                        self.path,
                        pos,
                        f"'{value}' is a boolean in YAML 1.1 and text in YAML 1.2; tools disagree on it",
                        f'write true or false, or quote the text: "{value}"',
                    )
                )
            return value
        if tag == _NULL:
            return None
        if tag == _BOOL:
            return value.lower() == "true"
        if tag == _INT:
            return self._int(value, pos)
        if tag == _FLOAT:
            return self._float(value, pos)
        return self._bad_tag(node, pos)

    def _int(self, value: str, pos: Pos) -> Any:
        if ":" in value:
            return self._sexagesimal(value, pos)
        if len(value) > MAX_NUMBER_CHARS:
            return self._too_long(value, pos)
        if _LEADING_ZERO.match(value):
            digits = value.replace("_", "")
            if set(digits) <= set("+-01234567"):
                read = f"YAML 1.1 reads it as the number {int(digits, 8)}"
            else:
                read = f"YAML 1.2 reads it as the number {int(digits)}"
            self.findings.append(
                finding(
                    "DL007",
                    self.path,
                    pos,
                    f"'{value}' has a leading zero and {read}",
                    f'quote it to keep the text: "{value}"',
                )
            )
            return value
        text = value.replace("_", "")
        try:
            return int(text, 0)
        except ValueError:
            return value

    def _float(self, value: str, pos: Pos) -> Any:
        if ":" in value:
            return self._sexagesimal(value, pos)
        if len(value) > MAX_NUMBER_CHARS:
            return self._too_long(value, pos)
        text = value.replace("_", "").lower()
        if text.endswith((".inf", ".nan")):
            return math.nan if text.endswith("nan") else float(text.replace(".inf", "inf"))
        try:
            return float(text)
        except ValueError:
            return value

    def _too_long(self, value: str, pos: Pos) -> str:
        """A number too long to be one: kept as the text written (Python would refuse to convert it)."""
        self.findings.append(
            finding(
                "DL015",
                self.path,
                pos,
                f"a number {len(value)} characters long; numbers are at most {MAX_NUMBER_CHARS}",
                "shorten it, or quote it if it is text",
            )
        )
        return value

    def _sexagesimal(self, value: str, pos: Pos) -> str:
        self.findings.append(
            finding(
                "DL009",
                self.path,
                pos,
                f"'{value}' is read as a base-60 number by YAML 1.1",
                f'quote it: "{value}", or write a full date-time such as 2026-11-24T{value}:00+00:00',
            )
        )
        return value
