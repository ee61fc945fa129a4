"""A document's shape and its text: what a change can affect beyond the document itself.

The rules and the site's views look across documents: a decision's status
moves it between lists, its partners decide whose pages show it, its
``supersedes`` reaches another decision's page. That part of a document is its
*shape*: the path, the frontmatter (with ``title``, ``rationale`` and
``reason`` reduced to whether they are there), the values the loader filled
in (``logged`` from git, ``partners`` when omitted), and the decisions its
body refers to. The rest is its *text*: those three fields and the body.

The contract the incremental checker and site rely on, kept by declog.check.rules
and declog.site.views: a document's text is read only

- by the rules, for findings about that same document;
- by the views, inside a view object that keeps the document itself (so a
  page that shows the text is known to depend on the document).

So when an edit leaves the shape of every document the same, the findings
about other documents and every page that does not show the edited document
stay as they are. tests/test_incremental.py checks this over random edits.
Partners are shown on every page, so a partner's shape is the whole partner;
a meeting's shape is all of it but its body.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from declog.log.model import Decision, Document, Log, Meeting
from declog.log.standing import referenced

__all__ = ["TEXT_FIELDS", "Shapes"]

#: Frontmatter fields of a decision that are text: shown, never computed from (only whether they are set).
TEXT_FIELDS = frozenset({"title", "rationale", "reason"})

_MODULUS = 1 << 128


def _digest(*parts: str) -> bytes:
    h = hashlib.blake2b(digest_size=16)
    for part in parts:
        data = part.encode("utf-8", "surrogatepass")
        h.update(b"%d:" % len(data))
        h.update(data)
    return h.digest()


def own_shape(doc: Document) -> bytes:
    """The digest of the part of a document's shape its file alone gives (its path and bytes, under
    the same declog.toml): all of it but the values the loader filled in. A later process keeps it
    with the parsed document (``Checker.snapshot``) instead of reading the body again."""
    kind = type(doc).__name__
    if isinstance(doc, Decision):
        data = {k: (bool(v) if k in TEXT_FIELDS and isinstance(v, str) else v) for k, v in doc.data.items()}
        return _digest(kind, doc.path, repr(data), repr(referenced(doc)))
    if isinstance(doc, Meeting):
        return _digest(kind, doc.path, repr(doc.doc.data))
    return record_of(doc)


def shape_of(doc: Document, own: bytes | None = None) -> bytes:
    """The digest of a document's shape (see the module's docstring); ``own`` is its ``own_shape``."""
    if own is None:
        own = own_shape(doc)
    if isinstance(doc, Decision):
        h = hashlib.blake2b(own, digest_size=16)
        h.update(repr((doc.logged, doc.partners)).encode("utf-8", "surrogatepass"))
        return h.digest()
    return own


def meta_of(doc: Document, own: bytes) -> bytes:
    """The digest of a document's meta: all of it but its body (the frontmatter, the values the loader
    filled in, the decisions its body refers to). ``own`` is its ``own_shape``, which holds all of that
    for a decision but the text of its text fields, and for a meeting all of it."""
    if isinstance(doc, Decision):
        data = doc.data
        texts = [data.get(k) for k in sorted(TEXT_FIELDS)]
        h = hashlib.blake2b(own, digest_size=16)
        h.update(repr((texts, doc.logged, doc.partners)).encode("utf-8", "surrogatepass"))
        return h.digest()
    if isinstance(doc, Meeting):
        return own
    return _digest(type(doc).__name__, doc.path, repr(doc.doc.data))


def record_of(doc: Document) -> bytes:
    """The digest of a whole record: everything a page showing it can show.

    A record is made from its file's path and text, plus, for a decision, the
    values the loader filled in; positions are left out (only findings use them).
    """
    derived = (doc.logged, doc.partners) if isinstance(doc, Decision) else ()
    return _digest(type(doc).__name__, doc.path, repr(doc.doc.data), doc.body, repr(derived))


@dataclass(slots=True)
class _Digests:
    doc: Document
    """Kept alive while it is in the memo: its id stays its own."""
    own: bytes
    shape: bytes
    meta: bytes | None = None
    body: bytes | None = None


class Shapes:
    """A document's digests, each computed once per record and kept while the record lives: its shape,
    and for the site (declog.site.deps) its meta and its body.

    Records of unchanged files are reused from load to load, so a long-running
    caller digests only what a change made new. ``keep`` drops the others.
    ``known`` takes a record's ``own_shape`` from elsewhere (a kept snapshot).
    """

    def __init__(self) -> None:
        self._memo: dict[int, _Digests] = {}

    def _entry(self, doc: Document, own: bytes | None = None) -> _Digests:
        known = self._memo.get(id(doc))
        if known is None:
            if own is None:
                own = own_shape(doc)
            known = self._memo[id(doc)] = _Digests(doc, own, shape_of(doc, own))
        return known

    def known(self, doc: Document, own: bytes) -> None:
        """Take ``own`` as ``own_shape(doc)``: what an earlier process found for the same bytes."""
        self._entry(doc, own)

    def own(self, doc: Document) -> bytes:
        """``own_shape(doc)``."""
        return self._entry(doc).own

    def shape(self, doc: Document) -> bytes:
        return self._entry(doc).shape

    def meta(self, doc: Document) -> bytes:
        """The digest of everything a page can show of ``doc`` but its body (``meta_of``)."""
        entry = self._entry(doc)
        if entry.meta is None:
            entry.meta = meta_of(doc, entry.own)
        return entry.meta

    def body(self, doc: Document) -> bytes:
        entry = self._entry(doc)
        if entry.body is None:
            entry.body = _digest(doc.body)
        return entry.body

    def total(self, docs: Iterable[Document]) -> int:
        """The sum of the documents' shape digests: a digest of them as a set, kept up to date by a patch."""
        return sum(int.from_bytes(self.shape(doc)) for doc in docs) % _MODULUS

    def patch(self, total: int, gone: Iterable[Document], new: Iterable[Document]) -> int:
        """``total`` with the documents ``gone`` taken out and ``new`` put in."""
        total -= sum(int.from_bytes(self.shape(doc)) for doc in gone)
        total += sum(int.from_bytes(self.shape(doc)) for doc in new)
        return total % _MODULUS

    def log(self, log: Log, *extra: bytes, total: int | None = None) -> bytes:
        """The digest of the log's shape and ``extra``; ``total`` is ``self.total(log.by_path.values())``.

        The documents as a set are enough: the log's order (decisions by id
        and path, partners and meetings by file name) follows from them.
        """
        if total is None:
            total = self.total(log.by_path.values())
        h = hashlib.blake2b(digest_size=16)
        for part in extra:
            h.update(b"%d:" % len(part))
            h.update(part)
        counts = (len(log.decisions), len(log.partners), len(log.meetings), len(log.duplicates))
        h.update(repr(counts).encode())
        h.update(total.to_bytes(16))
        return h.digest()

    def forget(self, docs: Iterable[Document]) -> None:
        """Forget ``docs`` (records a change replaced)."""
        for doc in docs:
            self._memo.pop(id(doc), None)

    def keep(self, docs: Iterable[Document]) -> None:
        """Forget every record but ``docs``."""
        wanted = {id(d) for d in docs}
        for key in [k for k in self._memo if k not in wanted]:
            del self._memo[key]
