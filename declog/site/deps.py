"""What each output file is made from, declared, and the digests that say whether it changed.

Every job of the page plan (declog.site.pages) states its inputs as a tuple of
*dependencies*, each a small tuple naming one input:

- ``("doc", path)``: a document's *meta*: everything but its Markdown body (its
  frontmatter, the values the loader filled in, the decisions its body refers
  to). A list that shows a decision's title, status and date depends on this.
- ``("body", path)``: a document's body, as HTML: its text, and whether each
  document it could link to exists (``[[0042]]`` and links to files become links
  only to documents that do: ``Digests.mentions``).
- ``("all",)``: every document's meta (the home page's counts, the health page).
- ``("facets",)`` and ``("filters",)``: the facet values with their counts, and
  the timeline's filter bar (declog.site.views.FilterBar) as its HTML shows it:
  the values, their labels, links and order, not their counts (facets.js has those).
- ``("file", path)``: the bytes of a file outside the log (a theme asset).
- ``("value", text)``: anything else the page shows, spelled out by the job
  (a list page's heading, its place among the pages, its notes).

Besides its own dependencies every file depends on what every page sees
(``common``: the versions of declog and of the Markdown engines, the site's
settings and "as of" time, the configuration, the partners, the meetings'
frontmatter, the silence agreement's decision, git's HEAD) and on its
template with everything it includes.

A file's *fingerprint* digests all of that; a change renders exactly the files
whose fingerprint changed. A document's meta and body digests are computed
once per record (records of unchanged files are reused between loads), so a
fingerprint costs a few dictionary lookups. Nothing here looks inside the
objects a page is rendered from: a page that shows something it does not
declare is a bug in its declaration (CONTRIBUTING.md, "How a rebuild knows
what changed"), which tests/test_incremental.py looks for by comparing
incremental output with full builds over random edits.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import jinja2
import jinja2.meta

from declog import __version__
from declog.check.shape import Shapes
from declog.log.model import Decision, Document, Log
from declog.log.standing import agreement_of
from declog.site.markdown import Markdown, Targets
from declog.site.render import Theme

__all__ = ["Dep", "Digests", "Inputs", "Templates", "digest"]

#: One declared input: ``(kind, name)`` or ``(kind,)`` (see the module's docstring).
Dep = tuple[str, ...]
#: The inputs that stand for the whole log.
AGGREGATES: tuple[Dep, ...] = (("all",), ("facets",), ("filters",))


def digest(*parts: str | bytes) -> bytes:
    """A digest of ``parts`` as a sequence (each part's length goes in first)."""
    h = hashlib.blake2b(digest_size=SIZE)
    for part in parts:
        data = part if isinstance(part, bytes) else part.encode("utf-8", "surrogatepass")
        h.update(b"%d:" % len(data))
        h.update(data)
    return h.digest()


#: What a body could link to, read leniently from its text (a superset of what Markdown resolves,
#: declog.site.markdown): ``[[0042]]``, decision file names, ``partners/ID.md`` and ``meetings/ID.md``.
_WIKI = re.compile(r"\[\[\s*([0-9]{4,})\s*\]\]")
#: A name just before a ".md" (searched for in the 300 characters before it: a file name that can
#: exist has at most 255, so no name that could ever resolve is missed).
_FILE = re.compile(r"[0-9]{4,}-[a-z0-9-]+\Z")
#: ``partners/NAME.md`` and ``meetings/NAME.md``: NAME is the run of name characters before ".md".
_FOLDERS = tuple(f"{kind}/" for kind in ("partners", "meetings"))  # each 9 characters long
_NAME_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789-"
_BEFORE = 300
#: Text that can spell a link target other than literally: entities, escapes, percent-encoding.
_SPELLED = re.compile(r"&[#A-Za-z0-9]+;|\\|%[0-9A-Fa-f]{2}")


@dataclass(frozen=True)
class Mentions:
    """The documents a body could link to; ``spelled``: it may name others in a way not read here."""

    ids: tuple[str, ...]
    files: tuple[str, ...]
    others: tuple[tuple[str, str], ...]
    spelled: bool

    @classmethod
    def of(cls, text: str) -> Mentions:
        files: set[str] = set()
        others: set[tuple[str, str]] = set()
        at = text.find(".md")
        while at >= 0:
            start = max(0, at - _BEFORE)
            # every name found lies in the run of name characters just before the ".md": read backwards
            run = start + len(text[start:at].rstrip(_NAME_CHARS))
            if (m := _FILE.search(text, run, at)) is not None:
                files.add(m.group() + ".md")
            if run < at and run - 9 >= start and text.startswith(_FOLDERS, run - 9):
                others.add((text[run - 9 : run - 1], text[run:at]))
            at = text.find(".md", at + 3)
        spelled = ("&" in text or "\\" in text or "%" in text) and _SPELLED.search(text) is not None
        ids = _WIKI.findall(text) if "[[" in text else ()
        return cls(tuple(sorted(set(ids))), tuple(sorted(files)), tuple(sorted(others)), spelled)

    def resolved(self, targets: Targets, everything: bytes) -> str | bytes:
        """Which of them exist in ``targets`` (``everything``, their digest, when ``spelled``)."""
        if self.spelled:
            return everything
        return repr(
            (
                [i in targets.ids for i in self.ids],
                [targets.files.get(f) for f in self.files],
                [i in (targets.partners if k == "partners" else targets.meetings) for k, i in self.others],
            )
        )


class Digests:
    """A document's meta and body digests (kept with its shape, ``Shapes``, while the record lives) and
    what its body could link to."""

    def __init__(self, shapes: Shapes | None = None) -> None:
        self.shapes = shapes if shapes is not None else Shapes()
        """The checker's, when it has one: the digests of a record are made once for both."""
        self._mentions: dict[bytes, Mentions] = {}

    def meta(self, doc: Document) -> bytes:
        return self.shapes.meta(doc)

    def body(self, doc: Document) -> bytes:
        return self.shapes.body(doc)

    def mentions(self, doc: Document) -> Mentions:
        """What ``doc``'s body could link to (read once per text)."""
        body = self.body(doc)
        found = self._mentions.get(body)
        if found is None:
            found = self._mentions[body] = Mentions.of(doc.body)
        return found

    def record(self, doc: Document) -> bytes:
        """Meta and body together: what ``Known.records`` keeps per document (``meta_of``)."""
        return self.shapes.meta(doc) + self.shapes.body(doc)

    def keep(self, docs: Iterable[Document]) -> None:
        """Forget what the bodies of all but ``docs`` could link to (once the forgotten outnumber them)."""
        docs = list(docs)
        if len(self._mentions) > 2 * len(docs) + 1000:
            bodies = {self.body(d) for d in docs}
            self._mentions = {k: v for k, v in self._mentions.items() if k in bodies}


#: How long a digest is: a record (``Digests.record``) is the meta's, then the body's.
SIZE = 16


def all_metas(records: Iterable[bytes]) -> bytes:
    """The digest of every document's meta, from their records (``Digests.record``) in path order."""
    return digest(b"".join([record[:SIZE] for record in records]))  # digests of equal length


def meta_of(record: bytes) -> bytes:
    """The meta's digest in a ``Digests.record``."""
    return record[:SIZE]


def body_of(record: bytes) -> bytes:
    """The body's digest in a ``Digests.record``."""
    return record[SIZE:]


class Inputs:
    """The digest of each dependency for one version of the log, computed on first use."""

    def __init__(
        self,
        log: Log,
        digests: Digests,
        common: bytes,
        targets: Targets,
        links: bytes = b"",
        everything: bytes = b"",
    ) -> None:
        self.log = log
        self.digests = digests
        self.common = common
        """What every page sees (``common``)."""
        self.targets = targets
        """What a body's links can lead to: the log's decisions, partners and meetings."""
        self.links = links or links_digest(targets)
        """``links_digest(targets)``."""
        self.everything = everything
        """``all_metas`` of the log's records (``("all",)``), when known."""
        self._made: dict[Dep, bytes] = {}
        self._facets: Mapping[str, Sequence[object]] | None = None
        self._filters: object = None

    def use(self, facets: Mapping[str, Sequence[object]], filters: object) -> None:
        """The views' facets and filter bar (``("facets",)``, ``("filters",)``)."""
        self._facets, self._filters = facets, filters

    def __call__(self, dep: Dep) -> bytes:
        """The digest of ``dep``'s name and value."""
        made = self._made.get(dep)
        if made is None:
            made = self._made[dep] = digest("\0".join(dep), self._make(dep))
        return made

    def _make(self, dep: Dep) -> bytes:
        kind = dep[0]
        if kind == "value":
            return digest(dep[1])
        if kind in ("doc", "body"):
            doc = self.log.by_path.get(dep[1])
            if doc is None:
                return digest("missing")
            if kind == "doc":
                return self.digests.meta(doc)
            return digest(
                self.digests.body(doc), self.digests.mentions(doc).resolved(self.targets, self.links)
            )
        if kind == "all":
            by_path = self.log.by_path
            return self.everything or all_metas(self.digests.record(by_path[p]) for p in sorted(by_path))
        if kind == "facets":
            return digest(_facets_text(self._facets or {}))
        if kind == "filters":
            bar = self._filters
            facets = getattr(bar, "facets", {})
            # as the bar shows them: links, labels and order, not the counts (those are in facets.js)
            return digest(_facets_text(facets, counts=False), repr(sorted(getattr(bar, "more", {}).items())))
        if kind == "file":
            try:
                return digest(Path(dep[1]).read_bytes())
            except OSError as exc:
                return digest(f"unreadable: {exc.errno}")
        raise ValueError(f"unknown dependency {dep!r}")

    def fingerprint(self, path: str, template: bytes, deps: Iterable[Dep]) -> bytes:
        """The fingerprint of the file at ``path``: what every page sees, its template, its inputs."""
        h = hashlib.blake2b(self.common, digest_size=SIZE)
        h.update(b"%d:" % len(template) + template)
        h.update(path.encode("utf-8", "surrogatepass") + b"\0")
        h.update(b"".join([self(dep) for dep in deps]))  # digests of equal length
        return h.digest()


def metas(decisions: Iterable[Decision]) -> tuple[Dep, ...]:
    """The ``("doc", path)`` inputs of ``decisions``, made in one pass (a plan declares a million)."""
    return tuple(zip(itertools.repeat("doc"), [d.path for d in decisions]))


def links_digest(targets: Targets) -> bytes:
    """The digest of every document a body can link to."""
    return digest(repr((sorted(targets.files.items()), sorted(targets.partners), sorted(targets.meetings))))


def _facets_text(facets: Mapping[str, Sequence[object]], *, counts: bool = True) -> str:
    """Every facet value as the pages show it (declog.site.views.FacetValue), with its count or not."""
    return repr(
        [
            (name, [(v.value, v.label, v.count if counts else 0, v.url) for v in values])  # type: ignore[attr-defined]
            for name, values in facets.items()
        ]
    )


@functools.cache
def versions() -> str:
    """The versions of declog and of the Markdown engines that may render a body."""
    return Markdown(Targets()).engine_id + f", declog {__version__}"


def common(log: Log, digests: Digests, *settings: object) -> bytes:
    """What every page sees: ``versions()``, ``settings`` (the site's, the build's options, the
    "as of" time, git's HEAD), the configuration, the partners, the meetings' frontmatter and the
    silence agreement's decision (where every decision stands depends on it)."""
    agreement = agreement_of(log)  # the decision every standing with silence reads
    about = (agreement.path, agreement.status, agreement.decided) if agreement is not None else None
    parts = [versions(), repr(settings), repr(log.config), repr(about)]
    parts += [digests.meta(p).hex() for p in log.partners.values()]
    parts += [digests.meta(m).hex() for m in log.meetings.values()]
    return digest(*parts)


class Templates:
    """Template name -> digest of its source and of every template it includes, imports or extends.

    The shared macros (``macros.html``, used by the ``item`` and ``facet_nav``
    helpers) count for every template; a template naming others by a variable
    depends on all of them. Sources are parsed again only when their bytes change.
    """

    def __init__(self) -> None:
        self._parsed: dict[tuple[str, bytes], set[str]] = {}

    def digests(self, theme: Theme) -> dict[str, bytes]:
        env, loader = theme.env, theme.env.loader
        assert loader is not None
        names = sorted(env.list_templates())
        source: dict[str, bytes] = {}
        refs: dict[str, set[str]] = {}
        parsed: dict[tuple[str, bytes], set[str]] = {}
        for name in names:
            try:
                text = loader.get_source(env, name)[0]
            except (jinja2.TemplateError, OSError, UnicodeDecodeError):
                text = ""
            source[name] = digest(text)
            key = (name, source[name])
            found = self._parsed.get(key)
            if found is None:
                try:
                    named = jinja2.meta.find_referenced_templates(env.parse(text))
                    found = {"macros.html", *(r if r is not None else "*" for r in named)}
                except jinja2.TemplateError:
                    found = {"*"}
            parsed[key] = refs[name] = found
        self._parsed = parsed
        everything = digest(b"".join(source[n] + n.encode() for n in names))
        out: dict[str, bytes] = {}
        for name in names:
            seen, todo = set(), [name]
            while todo:
                current = todo.pop()
                if current in seen:
                    continue
                seen.add(current)
                todo += refs.get(current, ())
            if "*" in seen:
                out[name] = everything
            else:
                out[name] = digest(b"".join(n.encode() + source.get(n, b"missing") for n in sorted(seen)))
        return out
