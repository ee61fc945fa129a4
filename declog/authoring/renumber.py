"""`declog renumber`: give a decision a new id, and every reference to it with it.

Two pull requests can take the same merge-safe id (DL109, DL405). Renumbering
the newer decision renames its file (``NNNN-slug.md``, the slug kept), sets its
``id``, and rewrites what refers to it: ``supersedes``, ``superseded_by`` and ``reviews`` of
other decisions, meetings' ``decisions``, ``[[NNNN]]`` references and links to
its file in any body, and ``[workflow.silence] agreement`` in declog.toml.
Fields are edited in place (``frontmatter_edit.replace_values``): comments,
order and quoting stay as they were.

While the old id names two files, a reference by id may mean either. It follows
the renumbered decision when the decision is the one that links to the
referring document (a supersede pair, its meeting) or the reference is in its
own body; a link to its file always follows; a reference that could mean either
is left as it is and reported, for a person to decide.

Everything is planned and checked before anything is written, and no existing
file is ever overwritten.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from declog.authoring.frontmatter_edit import EditError, FieldPath, read_document, replace_values
from declog.authoring.rewrite import replace_text
from declog.authoring.scaffold import next_id
from declog.log import load, vocab
from declog.log.config import CONFIG_FILE
from declog.log.diagnostics import Diagnostic
from declog.log.model import Decision, Document, Log, Meeting
from declog.log.standing import FILE_LINK, WIKI_REF, reference_matches
from declog.log.yamlparse import split_frontmatter, visible


class RenumberError(Exception):
    """The decision cannot be renumbered as asked (the message says why and what to do)."""


@dataclass(frozen=True)
class Change:
    """One file the renumbering writes."""

    path: str
    """The file written, relative to the log root (the new name of a renamed file)."""
    text: str
    """Its new content."""
    what: tuple[str, ...]
    """What changes in it, one ``line N: ...`` each, for people."""
    renamed_from: str = ""
    """For the renumbered decision: its file before."""


@dataclass(frozen=True)
class Plan:
    old_id: str
    new_id: str
    source: str
    """The renumbered decision's file."""
    target: str
    """Its new file."""
    changes: tuple[Change, ...]
    unsure: tuple[str, ...] = ()
    """References left alone because they may mean another decision with the old id."""


def plan(
    log: Log,
    root: Path,
    old_id: str,
    new_id: str = "",
    *,
    file: str = "",
    base_numbers: Iterable[int] = (),
) -> Plan:
    """What renumbering decision ``old_id`` (the one in ``file``, when several have it) writes."""
    base_numbers = list(base_numbers)
    moved, others = _choose(log, root, old_id, file)
    new_id = new_id or next_id(log, root, base_numbers)
    _check_free(log, root, old_id, new_id, base_numbers)
    name = moved.path.rsplit("/", 1)[-1]
    m = vocab.DECISION_FILE_RE.match(name)
    slug = m.group("slug") if m else (vocab.slugify(moved.title) or "decision")
    target = f"{moved.path.rsplit('/', 1)[0]}/{new_id}-{slug}.md"
    if os.path.lexists(root / target):
        raise RenumberError(f"{target} exists; declog never overwrites a file")
    refs = _References(moved, others, old_id, new_id)
    changes = []
    for doc in _documents(log):
        if doc in others or not refs.concerns(doc):
            continue  # the other decision with the old id keeps it, and what it says
        text = _read(root, doc.path)
        try:
            new_text, what = refs.rewrite(doc, text)
        except EditError as exc:
            raise RenumberError(str(exc)) from None
        if doc is moved:
            changes.append(
                Change(target, new_text, (f"renamed from {doc.path}", *what), renamed_from=doc.path)
            )
        elif new_text != text:
            changes.append(Change(doc.path, new_text, tuple(what)))
    config = _config_change(log, root, old_id, new_id, refs)
    if config is not None:
        changes.append(config)
    return Plan(old_id, new_id, moved.path, target, tuple(changes), tuple(refs.unsure))


def _choose(log: Log, root: Path, old_id: str, file: str) -> tuple[Decision, tuple[Decision, ...]]:
    """(the decision to renumber, the other decisions with its id)."""
    named = [d for d in log.decisions if d.id == old_id]
    if not named:
        hint = "" if vocab.DECISION_ID_RE.match(old_id) else " (a decision id is four or more digits)"
        raise RenumberError(f"no decision has the id '{visible(old_id)}'{hint}")
    if file:
        chosen = [d for d in named if _same_file(root, d.path, file)]
        if not chosen:
            listed = ", ".join(d.path for d in named)
            raise RenumberError(
                f"--file {visible(file)} is not a decision with the id {old_id} (those are: {listed})"
            )
        moved = chosen[0]
    elif len(named) > 1:
        listed = ", ".join(d.path for d in named)
        raise RenumberError(
            f"the id {old_id} is used by {len(named)} decisions ({listed}); say which to renumber "
            f"with --file PATH (the one that is new on your branch)"
        )
    else:
        moved = named[0]
    return moved, tuple(d for d in named if d is not moved)


def _same_file(root: Path, rel: str, given: str) -> bool:
    """Whether ``given`` (from the root, from the current folder, or a file name) is ``rel``."""
    if given.replace(os.sep, "/") in (rel, rel.rsplit("/", 1)[-1]):
        return True
    try:
        return Path(given).resolve() == (root / rel).resolve()
    except (OSError, ValueError):  # ValueError: a NUL in the path
        return False


def _check_free(log: Log, root: Path, old_id: str, new_id: str, base_numbers: Sequence[int]) -> None:
    if not vocab.DECISION_ID_RE.match(new_id):
        raise RenumberError(f"'{visible(new_id)}' is not a decision id (four or more digits, such as 0043)")
    if new_id == old_id:
        raise RenumberError(f"the decision already has the id {old_id}")
    number = int(new_id)
    for d in log.decisions:
        if d.number == number:
            raise RenumberError(
                f"the id {new_id} is taken by {d.path}; leave NEW_ID out to take the next free id"
            )
    folder = root / load.CONTENT / "decisions"
    for p in sorted(folder.glob("*.md")) if folder.is_dir() else []:
        m = vocab.DECISION_FILE_RE.match(p.name)
        if m and int(m.group("id")) == number:
            raise RenumberError(
                f"the id {new_id} is taken by {load.CONTENT}/decisions/{p.name}; "
                "leave NEW_ID out to take the next free id"
            )
    if number in base_numbers:
        raise RenumberError(
            f"the id {new_id} is taken on the base branch; leave NEW_ID out to take the next free id"
        )


def _documents(log: Log) -> Iterator[Document]:
    yield from log.decisions
    yield from log.partners.values()
    yield from log.meetings.values()
    yield from log.duplicates


def _read(root: Path, rel: str) -> str:
    try:
        return read_document(root, rel)
    except EditError as exc:
        raise RenumberError(str(exc)) from None


class _References:
    """Which references to the old id mean the renumbered decision, and their rewriting."""

    def __init__(self, moved: Decision, others: Sequence[Decision], old_id: str, new_id: str) -> None:
        self.moved, self.others = moved, others
        self.old_id, self.new_id = old_id, new_id
        self.old_name = moved.path.rsplit("/", 1)[-1]
        name_match = vocab.DECISION_FILE_RE.match(self.old_name)
        self.new_name = f"{new_id}-{name_match.group('slug')}.md" if name_match else ""
        self.unsure: list[str] = []

    def concerns(self, doc: Document) -> bool:
        """Whether ``doc`` may hold a reference to the old id (to read only the files that may)."""
        return doc is self.moved or any(self._fields(doc)) or self.old_id in doc.body

    def means_moved(self, doc: Document, where: str) -> bool:
        """Whether a reference by id in ``doc`` means the renumbered decision; records it if unsure."""
        if doc is self.moved or not self.others:
            return True
        mine = _links_to(self.moved, doc)
        theirs = any(_links_to(o, doc) for o in self.others)
        if mine != theirs:
            return mine
        also = ", ".join(o.path for o in self.others)
        self.unsure.append(
            f"{where}: '{self.old_id}' may mean {self.moved.path} or {also}: left as it is "
            f"(change it to {self.new_id} if it means {self.moved.path})"
        )
        return False

    def rewrite(self, doc: Document, text: str) -> tuple[str, list[str]]:
        """``doc``'s text with its references to the renumbered decision changed; what changed."""
        fields: dict[FieldPath, tuple[str, str]] = {}
        what: list[str] = []
        for field_path in self._fields(doc):
            where = f"{doc.path}:{doc.pos(*field_path).line}"
            if doc is self.moved or self.means_moved(doc, where):
                fields[field_path] = (self.old_id, self.new_id)
                what.append(f"line {doc.pos(*field_path).line}: {_field_name(field_path)} {self.new_id}")
        if fields:
            text = replace_values(text, fields, doc.path)
        body_text, body_what = self._body(doc, text)
        return body_text, what + body_what

    def _fields(self, doc: Document) -> Iterator[FieldPath]:
        if doc is self.moved:
            yield ("id",)
        if isinstance(doc, Decision):
            for i, ref in enumerate(doc.supersedes):
                if ref == self.old_id:
                    yield ("supersedes", i)
            if doc.superseded_by == self.old_id:
                yield ("superseded_by",)
            for i, ref in enumerate(doc.reviews):
                if ref == self.old_id:
                    yield ("reviews", i)
        elif isinstance(doc, Meeting):
            for i, ref in enumerate(doc.decisions):
                if ref == self.old_id:
                    yield ("decisions", i)

    def _body(self, doc: Document, text: str) -> tuple[str, list[str]]:
        """The body's ``[[old]]`` references and links to the old file, rewritten (outside code)."""
        front = split_frontmatter(text.removeprefix("\ufeff"), doc.path)
        if isinstance(front, Diagnostic) or not text.endswith(front.body):
            return text, []
        body = front.body
        start = len(text) - len(body)
        body_line = front.body_line
        edits: list[tuple[int, int, str]] = []
        what: list[str] = []
        for m in reference_matches(body):
            line = body_line + body.count("\n", 0, m.start())
            if m.re is WIKI_REF and m.group(1) == self.old_id:
                if self.means_moved(doc, f"{doc.path}:{line}"):
                    edits.append((m.start(1), m.end(1), self.new_id))
                    what.append(f"line {line}: [[{self.new_id}]]")
            elif m.re is FILE_LINK and m.group(2) == self.old_name and self.new_name:
                edits.append((m.end(2) - len(self.old_name), m.end(2), self.new_name))
                what.append(f"line {line}: link to {self.new_name}")
        for a, b, new in sorted(edits, reverse=True):
            body = body[:a] + new + body[b:]
        return text[:start] + body, what


def _links_to(decision: Decision, doc: Document) -> bool:
    """Whether ``decision`` names ``doc`` (a supersede pair, the meeting it was made in)."""
    if isinstance(doc, Decision):
        return bool(doc.id) and (
            doc.id in decision.supersedes or doc.id == decision.superseded_by or doc.id in decision.reviews
        )
    if isinstance(doc, Meeting):
        return bool(doc.id) and doc.id == decision.meeting
    return False


def _field_name(field_path: FieldPath) -> str:
    return "".join(f"[{s}]" if isinstance(s, int) else f".{s}" for s in field_path).lstrip(".") + ":"


_AGREEMENT_LINE = re.compile(r"^(\s*agreement\s*=\s*)([\"'])([0-9]+)\2")


def _config_change(log: Log, root: Path, old_id: str, new_id: str, refs: _References) -> Change | None:
    """declog.toml with ``[workflow.silence] agreement`` renumbered, when it names the decision."""
    if log.config.workflow.silence.agreement != old_id:
        return None
    line = log.config.pos("workflow", "silence", "agreement").line
    where = f"{CONFIG_FILE}:{line}"
    if refs.others:
        refs.unsure.append(
            f"{where}: [workflow.silence] agreement '{old_id}' may mean {refs.moved.path} or "
            f"{', '.join(o.path for o in refs.others)}: left as it is"
        )
        return None
    text = _read(root, CONFIG_FILE)
    lines = text.splitlines(keepends=True)
    m = _AGREEMENT_LINE.match(lines[line - 1]) if 0 < line <= len(lines) else None
    if m is None or m.group(3) != old_id:
        refs.unsure.append(
            f"{where}: [workflow.silence] agreement names {old_id}: change it to {new_id} by hand"
        )
        return None
    lines[line - 1] = lines[line - 1][: m.start(3)] + new_id + lines[line - 1][m.end(3) :]
    new_text = "".join(lines)
    try:
        agreement = tomllib.loads(new_text).get("workflow", {}).get("silence", {}).get("agreement")
    except tomllib.TOMLDecodeError:
        agreement = None
    if agreement != new_id:
        raise RenumberError(
            f"{where}: the edited agreement does not read back as {new_id}; nothing was written"
        )
    return Change(CONFIG_FILE, new_text, (f'line {line}: [workflow.silence] agreement = "{new_id}"',))


def write(root: Path, planned: Plan) -> None:
    """Write the plan: the renumbered decision as a new file (never over one), then the rest, then
    remove its old file."""
    renamed = [c for c in planned.changes if c.renamed_from]
    rest = [c for c in planned.changes if not c.renamed_from]
    for change in renamed:
        try:
            with open(root / change.path, "x", encoding="utf-8", newline="") as fh:
                fh.write(change.text)
        except FileExistsError:
            raise RenumberError(f"{change.path} exists; declog never overwrites a file") from None
    for change in rest:
        replace_text(root / change.path, change.text)
    for change in renamed:
        (root / change.renamed_from).unlink()
