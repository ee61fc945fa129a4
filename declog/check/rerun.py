"""Which rules run again after a change, and over which documents: what each rule declares it reads.

Every rule in declog.check.rules.RULES is registered with what its findings
about a document read. A *per-document* rule reads that document, the
configuration and the log-wide inputs it names (partners, meetings, the
decisions' ids and files, CODEOWNERS); a rule *across documents* (or one that
declares nothing) reads other decisions as well. ``Checker`` keeps every
rule's findings between runs (``Ruled``) and, after a change, ``rerun``:

- runs a per-document rule over the documents that changed, or over every
  document when the configuration or an input it reads changed;
- runs a rule across documents over every document when the shape of any
  document changed (declog.check.shape), else over the documents that changed.

Kept are the findings about the other documents, and those about declog.toml
and CODEOWNERS (only a run over the whole log gives them, from inputs that
did not change). tests/test_check_incremental.py compares the result with a
fresh check over random edits: a rule that reads more than it declares gives
stale findings there.
"""

from __future__ import annotations

import hashlib
import operator
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from declog.check.rules import (
    AGREEMENT,
    DECISION_IDS,
    MEETINGS,
    OWNERS,
    PARTNERS,
    RULES,
    Registered,
    as_history,
)
from declog.check.rules.context import Context, OwnersFile
from declog.check.shape import Shapes
from declog.log.diagnostics import Diagnostic
from declog.log.model import Log, Meeting, Partner
from declog.log.standing import agreement_of

__all__ = ["CONFIG", "Ruled", "every_rule", "inputs_of", "rerun"]

#: The configuration, which every rule reads (and the loader reads every record with).
CONFIG = "config"

_ID, _PATH = operator.attrgetter("id"), operator.attrgetter("path")


@dataclass(frozen=True)
class Ruled:
    """Every rule's findings in one run, before ``[rules]`` applies, and what they were read from."""

    shape: bytes
    """The log's shape digest (``Shapes.log``) the findings were made from."""
    inputs: Mapping[str, bytes]
    """``inputs_of`` the log the findings were made from."""
    found: tuple[tuple[Diagnostic, ...], ...]
    """Each rule's findings, in the order of ``RULES``."""
    ran: Mapping[str, frozenset[str] | None]
    """Rule code -> the documents the rule ran for in this run (None: the whole log)."""

    def all(self) -> list[Diagnostic]:
        return [d for found in self.found for d in found]


def inputs_of(log: Log, shapes: Shapes, *, config: bytes, owners: bytes) -> dict[str, bytes]:
    """The digest of the configuration and of each log-wide input a rule can read (``rules.INPUTS``)."""
    partners = [*log.partners.values(), *(d for d in log.duplicates if isinstance(d, Partner))]
    meetings = [*log.meetings.values(), *(d for d in log.duplicates if isinstance(d, Meeting))]
    # The log's order follows from ids and paths; repr keeps each id apart whatever it holds.
    a = agreement_of(log)
    ids = repr((tuple(map(_ID, log.decisions)), tuple(map(_PATH, log.decisions))))
    return {
        CONFIG: config,
        PARTNERS: _digest(*(shapes.shape(p) for p in partners)),
        MEETINGS: _digest(*(shapes.shape(m) for m in meetings)),
        DECISION_IDS: _digest(ids.encode("utf-8", "surrogatepass")),
        OWNERS: owners,
        AGREEMENT: _digest(repr((a.path, a.status, a.decided)).encode()) if a is not None else b"",
    }


def rerun(
    log: Log,
    last: Ruled | None,
    *,
    shape: bytes,
    inputs: Mapping[str, bytes],
    changed: Collection[str],
    owners: OwnersFile | None,
    every: Sequence[tuple[Diagnostic, ...]] | None = None,
) -> Ruled:
    """Every rule's findings over ``log``, computed again only where ``last``'s may differ.

    ``changed``: the paths of the documents that are new, edited or gone since
    ``last``. Without ``last`` (a first run) every rule runs over the whole log,
    unless ``every`` already holds what that gives (``every_rule``, run elsewhere).
    """
    if last is None:
        found_all = tuple(every) if every is not None else every_rule(log, owners)
        return Ruled(shape, inputs, found_all, dict.fromkeys((rule.code for rule in RULES), None))
    whole = Context(log, owners=owners)
    subjects = frozenset(p for p in changed if p in log.by_path)
    some = Context(log, subjects=subjects)
    found: list[tuple[Diagnostic, ...]] = []
    ran: dict[str, frozenset[str] | None] = {}
    for i, rule in enumerate(RULES):
        if _stale(rule, last, shape, inputs):
            found.append(tuple(as_history(list(rule.check(whole)), whole)))
            ran[rule.code] = None
            continue
        kept = last.found[i]
        if changed:
            kept = tuple(d for d in kept if d.path not in changed)
        if subjects:
            kept += tuple(as_history(list(rule.check(some)), some))
        found.append(kept)
        ran[rule.code] = subjects
    return Ruled(shape, inputs, tuple(found), ran)


def every_rule(log: Log, owners: OwnersFile | None) -> tuple[tuple[Diagnostic, ...], ...]:
    """Every rule's findings over the whole log, in the order of ``RULES``: a first run's."""
    whole = Context(log, owners=owners)
    return tuple(tuple(as_history(list(rule.check(whole)), whole)) for rule in RULES)


def _stale(rule: Registered, last: Ruled, shape: bytes, inputs: Mapping[str, bytes]) -> bool:
    """Whether ``rule``'s findings about a document that did not change may have changed."""
    if rule.reads is None:
        return last.shape != shape
    return any(last.inputs.get(name) != inputs.get(name) for name in (CONFIG, *rule.reads))


def _digest(*parts: bytes) -> bytes:
    h = hashlib.blake2b(digest_size=16)
    for part in parts:
        h.update(b"%d:" % len(part))
        h.update(part)
    return h.digest()
