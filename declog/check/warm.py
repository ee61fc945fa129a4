"""What a check leaves for the next process (``Checker.snapshot``): so a warm build checks only what changed.

Beside each document as parsed (declog.log.kept), a snapshot keeps, as JSON data:

- per document, what its file alone gives the check: the decisions its body
  refers to (``standing.referenced``) and its ``shape.own_shape``, so no body is
  read again for them; and the digest of its whole shape as the last run saw it
  (git's ``logged`` and the default partners included: only their digest, to tell
  that they changed; the values themselves are filled in by each load);
- the rules' last findings (``rerun.Ruled``): each rule's findings, the log's
  shape and the digests of the log-wide inputs they were made from.

A later process treats the kept findings as ``declog serve`` treats the last
run's: ``rerun`` runs a rule again where what it declares it reads changed,
and over the documents whose bytes or shape changed. Every value is checked as
it is read; anything else raises ``kept.Malformed``, and the caller then runs
every rule.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from declog.check.rerun import CONFIG, Ruled
from declog.check.rules import INPUTS, RULES
from declog.check.shape import Shapes
from declog.log import kept
from declog.log.diagnostics import Diagnostic
from declog.log.load import Front, LoadMemo
from declog.log.model import Decision, Document, Log
from declog.log.standing import known_references, referenced

__all__ = ["Kept", "decode_ruled", "encode_ruled", "extras"]

_INPUT_NAMES = frozenset((CONFIG, *INPUTS))


@dataclass(frozen=True)
class Own:
    """What a document's file alone gave the last run, and the shape it had there."""

    digest: bytes
    """The digest of the file's bytes."""
    own: bytes
    """``shape.own_shape``; empty when not kept."""
    refs: tuple[str, ...] | None
    """``standing.referenced`` (decisions only)."""
    shape: bytes
    """The document's shape in the last run's log; empty when it made no record there."""


@dataclass(frozen=True)
class Kept:
    """A snapshot as ``Checker.restore`` read it, for the next full run."""

    settings: bytes
    """declog.toml's digest: under other settings none of it is used."""
    fronts: dict[str, tuple[bytes, Front]]
    """Path -> the digest of a file's bytes and its ``Front`` (``LoadMemo.restored``)."""
    owns: dict[str, Own]
    ruled: Ruled | None
    """The rules' findings in the last run (None: not kept)."""

    def seed(self, log: Log, memo: LoadMemo, shapes: Shapes) -> None:
        """Give the records made from kept bytes their kept references and own shapes."""
        parsed = memo.parsed
        for path, doc in log.by_path.items():
            own = self.owns.get(path)
            if own is None or not own.own or (got := parsed.get(path)) is None or got[1] != own.digest:
                continue
            if isinstance(doc, Decision):
                if own.refs is None:
                    continue
                known_references(doc, own.refs)
            shapes.known(doc, own.own)

    def changed(self, log: Log, memo: LoadMemo, shapes: Shapes) -> frozenset[str]:
        """The documents whose bytes or shape differ from the last run's, and those new or gone since."""
        parsed, owns = memo.parsed, self.owns
        out = set()
        for path, doc in log.by_path.items():
            own = owns.get(path)
            got = parsed.get(path)
            if own is None or got is None or got[1] != own.digest or shapes.shape(doc) != own.shape:
                out.add(path)
        out.update(p for p, own in owns.items() if own.shape and p not in log.by_path)
        return frozenset(out)


def extras(doc: Document | None, shapes: Shapes) -> list[Any]:
    """``[own shape, references, shape]`` of a document for the snapshot (empty values without one)."""
    if doc is None:
        return ["", None, ""]
    refs = list(referenced(doc)) if isinstance(doc, Decision) else None
    return [shapes.own(doc).hex(), refs, shapes.shape(doc).hex()]


def read_extras(row: list[Any], digest: bytes, hexed: Any) -> Own:
    """``extras`` as ``encode`` wrote them; ``kept.Malformed`` otherwise."""
    own, refs, shape = row
    if refs is not None:
        if type(refs) is not list or not all(type(r) is str for r in refs):
            raise kept.Malformed("references are not a list of text")
        for r in refs:
            kept.check_text(r)
        refs = tuple(refs)
    return Own(digest, hexed(own), refs, hexed(shape))


def encode_ruled(ruled: Ruled) -> dict[str, Any]:
    """``ruled`` as JSON values."""
    return {
        "shape": ruled.shape.hex(),
        "inputs": {name: value.hex() for name, value in ruled.inputs.items()},
        "found": [[kept.finding_row(d) for d in found] for found in ruled.found],
    }


def decode_ruled(value: object, hexed: Any) -> Ruled:
    """The ``Ruled`` ``encode_ruled`` gave ``value``; ``kept.Malformed`` for anything else.

    ``hexed`` reads a digest (raising for anything that is not one).
    """
    if type(value) is not dict or value.keys() != {"shape", "inputs", "found"}:
        raise kept.Malformed("not the rules' findings")
    inputs, found = value["inputs"], value["found"]
    if type(inputs) is not dict or inputs.keys() != _INPUT_NAMES:
        raise kept.Malformed("not the inputs the rules read")
    if type(found) is not list or len(found) != len(RULES):
        raise kept.Malformed("not one list of findings per rule")
    rules: list[tuple[Diagnostic, ...]] = []
    for rows in found:
        if type(rows) is not list:
            raise kept.Malformed("a rule's findings are not a list")
        rules.append(tuple(kept.finding_of(row) for row in rows))
    read: Mapping[str, bytes] = {name: hexed(digest) for name, digest in inputs.items()}
    return Ruled(hexed(value["shape"]), read, tuple(rules), {})
