"""Findings that only follow from a document that could not be parsed are held back behind it.

One YAML mistake in ``content/partners/acme.md`` leaves the log without the
partner ``acme``: every decision naming it would then be reported for an
unknown partner, approvers who are nobody's members and missing approvals,
with the real cause last. Those findings say nothing the parse error does not;
they are left out, counted in the parse error's hint, and the files that could
not be parsed are listed first.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field, replace

from declog.log import vocab
from declog.log.diagnostics import Diagnostic, Pos, Severity, plural
from declog.log.model import Decision, Document, Log, Meeting
from declog.log.standing import FILE_LINK, WIKI_REF

#: Codes of the findings about a document that names a partner whose file did not parse.
_PARTNER = frozenset({"DL201", "DL302", "DL303", "DL311", "DL312", "DL313"})
#: Codes of the findings that can follow from any partner's members being unknown.
_ANY_PARTNER = frozenset({"DL202", "DL207"})
#: Codes of the findings about a decision whose meeting's file did not parse.
_MEETING = frozenset({"DL203", "DL305", "DL314", "DL320"})
#: Codes of the findings about a document that names a decision whose file did not parse.
_DECISION = frozenset({"DL204", "DL205", "DL307", "DL317", "DL319"})
#: Codes that point at the very value naming the missing document: held back only there.
_AT_THE_NAME = frozenset({"DL201", "DL203", "DL204"})


@dataclass
class Folded:
    """The findings left to show, and what was held back behind each unparsed file."""

    found: list[Diagnostic]
    held: dict[str, list[Diagnostic]] = field(default_factory=dict)
    """Unparsed file's path -> the findings held back because of it."""


def unparsed_id(path: str) -> str:
    """The id a document file would have, read from its name (``content/partners/acme.md`` -> ``acme``)."""
    name = path.rsplit("/", 1)[-1].removesuffix(".md")
    m = vocab.DECISION_FILE_RE.match(path.rsplit("/", 1)[-1])
    return m.group("id") if m and path.startswith("content/decisions/") else name


def fold(found: Iterable[Diagnostic], log: Log) -> Folded:
    """``found`` without the findings that only follow from a document that could not be parsed."""
    found = list(found)
    if not log.unparsed:
        return Folded(found)
    broken = {path: (_kind(path), unparsed_id(path)) for path in sorted(log.unparsed)}
    any_partner = next((p for p, (kind, _) in broken.items() if kind == "partner"), None)
    out = Folded([])
    for d in found:
        cause = None
        if d.path not in broken:
            doc = log.by_path.get(d.path)
            cause = _cause(d, doc, broken) if doc is not None else None
            if cause is None and d.code in _ANY_PARTNER:
                cause = any_partner
        if cause is None:
            out.found.append(d)
        else:
            out.held.setdefault(cause, []).append(d)
    if out.held:
        out.found = _with_notes(out.found, out.held, broken)
    return out


def _kind(path: str) -> str:
    parts = path.split("/")
    return vocab.KIND_DIRS.get(parts[1], "") if len(parts) == 3 else ""


def _cause(d: Diagnostic, doc: Document, broken: dict[str, tuple[str, str]]) -> str | None:
    """The unparsed file that finding ``d`` about ``doc`` only follows from, if any."""
    for path, (kind, ident) in broken.items():
        codes = _PARTNER if kind == "partner" else _MEETING if kind == "meeting" else _DECISION
        if d.code not in codes:
            continue
        spots = _names(doc, kind, ident)
        if not spots:
            continue
        if Pos(d.line, d.col) in spots if d.code in _AT_THE_NAME else _says(d.message, ident):
            return path
    return None


def _says(message: str, ident: str) -> bool:
    """Whether ``message`` names ``ident`` (the other findings name the partner, meeting or decision)."""
    return re.search(rf"(?<![\w-]){re.escape(ident)}(?![\w-])", message) is not None


def _names(doc: Document, kind: str, ident: str) -> Collection[Pos]:
    """Where ``doc`` names the document ``ident`` of ``kind`` (empty: it does not)."""
    out: list[Pos] = []
    if isinstance(doc, Decision):
        if kind == "partner":
            out += [doc.pos("partners", i) for i, p in enumerate(doc.partners) if p == ident]
            out += [doc.pos("approvals", a.index, "partner") for a in doc.approvals if a.partner == ident]
        elif kind == "meeting" and doc.meeting == ident:
            out.append(doc.pos("meeting"))
        elif kind == "decision":
            out += [doc.pos("supersedes", i) for i, s in enumerate(doc.supersedes) if s == ident]
            if doc.superseded_by == ident:
                out.append(doc.pos("superseded_by"))
            if _names_in_body(doc.body, ident):
                out.append(Pos(0, 0))  # a link in the body
    elif isinstance(doc, Meeting) and kind == "decision":
        out += [doc.pos("decisions", i) for i, s in enumerate(doc.decisions) if s == ident]
    return out


def _with_notes(
    found: list[Diagnostic], held: dict[str, list[Diagnostic]], broken: dict[str, tuple[str, str]]
) -> list[Diagnostic]:
    """``found`` with the first error about each unparsed file saying what waits for it."""
    noted: set[str] = set()
    out = []
    for d in sorted(found, key=lambda d: d.sort_key):
        behind = held.get(d.path)
        if behind and d.path not in noted and d.severity is Severity.ERROR:
            noted.add(d.path)
            kind, ident = broken[d.path]
            docs = len({x.path for x in behind})
            note = (
                f"{plural(len(behind), 'finding')} in {plural(docs, 'other file')} naming {kind} '{ident}' "
                "follow from this one and are not shown until it parses"
            )
            d = replace(d, hint=f"{d.hint}; {note}" if d.hint else note)
        out.append(d)
    return out


def _names_in_body(body: str, ident: str) -> bool:
    """Whether ``body`` refers to decision ``ident``, as the reference rules read it."""
    return any(m.group(1) == ident for m in WIKI_REF.finditer(body)) or any(
        m.group(2).split("-", 1)[0] == ident for m in FILE_LINK.finditer(body)
    )
