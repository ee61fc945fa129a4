"""Decision bodies to HTML: markdown-it-py, safe for text other partners wrote.

Raw HTML in a document is escaped, never passed through (a partner's pull
request must not put script into a page other partners open), and links or
images whose scheme is not http, https or mailto lose their target.
``[[0042]]`` and links to decision files (the same patterns ``declog check``
validates, DL205) become relative links to the decision's page.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import markdown_it
import mdit_py_plugins
from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from mdit_py_plugins.anchors.index import slugify
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.tasklists import tasklists_plugin

from declog.log.standing import FILE_LINK, WIKI_REF
from declog.site import markdown_fast, urls

#: Schemes a link may keep; anything else (javascript:, vbscript:, data:, file:) is dropped.
SAFE_SCHEMES = frozenset({"http", "https", "mailto"})
_SCHEME = re.compile(r"^\s*([a-zA-Z][a-zA-Z0-9+.\-]*):")
#: ``](../partners/ID.md)`` or ``](../meetings/ID.md)``: links to the other kinds of document.
_DOC_LINK = re.compile(r"^(?:\.\./)?(partners|meetings)/([a-z0-9]+(?:-[a-z0-9]+)*)\.md(#.*)?$")


@dataclass(frozen=True)
class Targets:
    """What links in a body can point to: every decision, partner and meeting."""

    files: Mapping[str, str] = field(default_factory=dict)
    """Decision file name (``0042-slug.md``) -> decision id."""
    ids: frozenset[str] = frozenset()
    partners: frozenset[str] = frozenset()
    meetings: frozenset[str] = frozenset()

    @classmethod
    def of(
        cls,
        decisions: Iterable[tuple[str, str]],
        partners: Collection[str] = (),
        meetings: Collection[str] = (),
    ) -> Targets:
        """From ``(file name, id)`` pairs and the partner and meeting ids."""
        files = dict(decisions)
        return cls(files, frozenset(files.values()), frozenset(partners), frozenset(meetings))


@dataclass(frozen=True)
class Rendered:
    html: str
    refs: tuple[str, ...]
    """Ids of the decisions the body links to, in order of first mention."""


class Markdown:
    """A configured renderer; build one per process and reuse it.

    markdown-it-py is the reference engine. With the ``fast`` extra installed (markdown-it-pyrs),
    bodies that ``markdown_fast.suits`` lets through are rendered by it instead, to the same bytes;
    ``accelerate=False`` keeps every body on markdown-it-py.
    """

    def __init__(self, targets: Targets, *, accelerate: bool = True) -> None:
        self.targets = targets
        self.fast = markdown_fast.engine if accelerate else None
        md = MarkdownIt("commonmark", {"html": False, "typographer": False})
        md.enable("table")
        md.use(footnote_plugin)
        md.use(tasklists_plugin, label=True)
        md.core.ruler.push("anchor", _anchors)
        md.inline.ruler.before("link", "decision_ref", self._decision_ref)
        md.core.ruler.push("declog_links", self._rewrite_links)
        self.md = md

    @property
    def engine_id(self) -> str:
        """The engines that may render a body, with their versions, for cache keys that digest "the
        Markdown engine": ``markdown-it-py 4.0.0, mdit-py-plugins 0.5.0``, plus
        ``, markdown-it-pyrs 0.4.0`` when the accelerator is in use. The output is meant to be the
        same bytes either way; naming the accelerator keeps a cache from outliving a change of it.
        """
        names = f"markdown-it-py {markdown_it.__version__}, mdit-py-plugins {mdit_py_plugins.__version__}"
        return names + (f", markdown-it-pyrs {markdown_fast.version}" if self.fast is not None else "")

    def render(self, text: str, root: str) -> Rendered:
        """Render ``text``; ``root`` is the prefix from the page to the site root ("../../" or a URL)."""
        env: dict[str, Any] = {"root": root, "refs": {}}
        if self.fast is not None and markdown_fast.suits(text):
            html = self._render_fast(text, env)
        else:
            html = self.md.render(text, env)
        return Rendered(html, tuple(env["refs"]))

    def _render_fast(self, text: str, env: dict[str, Any]) -> str:
        """markdown-it-pyrs, then what this class's markdown-it-py rules do, on its HTML."""
        refs: dict[str, None] = env["refs"]
        links: dict[str, Any] = {"root": env["root"], "refs": {}}  # file links count after [[NNNN]]
        unique = UniqueSlugs()

        def ref(ident: str) -> str | None:
            if ident not in self.targets.ids:
                return None
            refs[ident] = None
            return str(env["root"]) + urls.decision(ident)

        assert self.fast is not None
        html = markdown_fast.finish(
            self.fast.render(text),
            link=lambda href: self._target(href, links),
            image_ok=_safe,
            ref=ref,
            slug=lambda title: unique(slugify(title)),
        )
        refs.update(links["refs"])
        return html

    # --- [[0042]] -------------------------------------------------------------------

    def _decision_ref(self, state: StateInline, silent: bool) -> bool:
        if not state.src.startswith("[[", state.pos):
            return False
        m = WIKI_REF.match(state.src, state.pos)
        if m is None:
            return False
        ref = m.group(1)
        if not silent:
            if ref in self.targets.ids:
                state.env["refs"][ref] = None
                token = state.push("link_open", "a", 1)
                token.attrs = {"href": state.env["root"] + urls.decision(ref), "class": "ref"}
                token.meta["declog"] = True
                state.push("text", "", 0).content = ref
                state.push("link_close", "a", -1)
            else:
                state.push("text", "", 0).content = m.group(0)
        state.pos = m.end()
        return True

    # --- links to decision files; unsafe schemes -----------------------------------

    def _rewrite_links(self, state: Any) -> None:
        for block in state.tokens:
            if block.children:
                self._rewrite_children(block.children, state.env)

    def _rewrite_children(self, tokens: Sequence[Token], env: dict[str, Any]) -> None:
        for token in tokens:
            if token.type == "link_open" and not token.meta.get("declog"):
                href = str(token.attrGet("href") or "")
                new = self._target(href, env)
                if new is None:
                    token.attrs.pop("href", None)
                else:
                    token.attrSet("href", new)
            elif token.type == "image":
                src = str(token.attrGet("src") or "")
                if not _safe(src):
                    token.attrSet("src", "")

    def _target(self, href: str, env: dict[str, Any]) -> str | None:
        if not _safe(href):
            return None
        root = str(env["root"])
        m = FILE_LINK.fullmatch(f"]({href})")
        if m is not None:
            ref = self.targets.files.get(m.group(2))
            if ref is None:
                return href
            env["refs"][ref] = None
            fragment = href.partition("#")[2]
            return root + urls.decision(ref) + (f"#{fragment}" if fragment else "")
        m = _DOC_LINK.match(href)
        if m is not None:
            kind, ident, fragment = m.group(1), m.group(2), m.group(3) or ""
            known = self.targets.partners if kind == "partners" else self.targets.meetings
            if ident in known:
                page = urls.partner(ident) if kind == "partners" else urls.meeting(ident)
                return root + page + fragment
        return href


#: Headings that get an ``id`` to link to: ## to ####.
_ANCHORED = frozenset({"h2", "h3", "h4"})


class UniqueSlugs:
    """Slugs made unique as mdit_py_plugins' anchors plugin does: ``x``, then ``x-1``, ``x-2``, ...

    In linear time: the plugin looks for a free number from 1 again for every
    heading, so 30,000 equal headings took a minute. Here each slug remembers
    the next number to try (every number below it is taken, and stays taken).
    """

    def __init__(self, taken: Iterable[str] = ()) -> None:
        self.taken = set(taken)
        self._next: dict[str, int] = {}

    def __call__(self, base: str) -> str:
        n = self._next.get(base, 0)
        slug = f"{base}-{n}" if n else base
        while slug in self.taken:
            n += 1
            slug = f"{base}-{n}"
        self._next[base] = n + 1
        self.taken.add(slug)
        return slug


def _anchors(state: StateCore) -> None:
    """An ``id`` on each heading from ## to #### without one, from its text (``UniqueSlugs``)."""
    tokens = state.tokens
    unique = UniqueSlugs(str(i) for t in tokens if t.type == "heading_open" and (i := t.attrGet("id")))
    for at, token in enumerate(tokens):
        if token.type != "heading_open" or token.tag not in _ANCHORED or token.attrGet("id"):
            continue
        children = tokens[at + 1].children or []
        title = "".join(c.content for c in children if c.type in ("text", "code_inline"))
        token.attrSet("id", unique(slugify(title)))


def _safe(url: str) -> bool:
    m = _SCHEME.match(url)
    return m is None or m.group(1).lower() in SAFE_SCHEMES
