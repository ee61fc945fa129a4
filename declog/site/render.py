"""Jinja: the theme's search path, filters, relative links, and template errors as findings.

The log's own ``templates/`` folder comes first on the search path and the
packaged default theme second, so a log overrides the theme file by file.
Autoescape is on for HTML and XML and undefined names are errors. Every link a
template makes goes through ``url()``, which makes it relative to the page
("../../decisions/0042/index.html"), so the site works from file://, from a
sub-path and from a domain root alike.

A log's templates come from its pull requests, so they are untrusted: as soon
as the log's ``templates/`` holds anything Jinja could load (anything but plain
asset files), every template renders in Jinja's immutable sandbox (no attribute
starting with an underscore, no changing the view objects, bounded ranges and
powers), and the theme's files are read only when their real path stays inside
the log (a symlink to a file elsewhere is refused). What the sandbox refuses is
a DL604 finding with the template's file and line; nothing of it runs. The
packaged theme alone, which is declog's own code, renders outside the sandbox:
checking every attribute a page reads made a large site's build 10% slower.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import re
import traceback
import types
from collections.abc import Callable, Collection, Iterable, Mapping, MutableMapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
import jinja2.bccache
import jinja2.sandbox
from jinja2.exceptions import SecurityError
from markupsafe import Markup, escape

from declog.log.codes import finding
from declog.log.diagnostics import Diagnostic, Pos
from declog.log.load import through_link
from declog.log.model import Decision, Log
from declog.log.names import ends_sentence
from declog.log.standing import when
from declog.log.timeparse import format_duration, zone
from declog.site import urls
from declog.site.fieldviews import FieldViews

#: Templates the build renders; a log may override any of them.
PAGES = (
    "index.html",
    "decisions.html",
    "decision.html",
    "partner.html",
    "partners.html",
    "timeline.html",
    "meeting.html",
    "meetings.html",
    "tags.html",
    "health.html",
    "search.html",
    "404.html",
    "feed.xml",
    "sitemap.xml",
)
ASSETS = "assets"
#: The timeline's built-in facets as the filter bar names them (the log's own fields add theirs).
FACET_NAMES = {"status": "Status", "mode": "Mode", "category": "Category", "partner": "Partner", "tag": "Tag"}
#: Stands for the way back to the site root while a page or a shared fragment renders;
#: each page replaces it with its own "../" prefix, so fragments can be reused on any page.
ROOT_MARK = "\x00root\x00"


def packaged_templates() -> Path:
    """The default theme: inside the installed package, or templates/ beside it in a checkout."""
    package = Path(__file__).resolve().parent.parent
    inside = package / "templates"
    return inside if inside.is_dir() else package.parent / "templates"


@dataclass(frozen=True)
class SiteInfo:
    """What every page knows about the site."""

    title: str
    description: str
    language: str
    url: str
    """Absolute base URL ending in "/", or "" when none is configured."""
    timezone: str
    now: dt.datetime
    """The time the pages are "as of": the log's last commit, not the clock."""
    search: bool


class TemplateProblem(Exception):
    """A template failed; ``diagnostic`` says which file and line."""

    def __init__(self, diagnostic: Diagnostic) -> None:
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic


#: The largest power (in bits) and the longest repeated sequence a template may compute (``**``, ``*``).
MAX_BITS = 1 << 16
MAX_REPEAT = 1 << 20


class _FlatGlobals(jinja2.Environment):
    """Each template's globals in one dict: the environment's, then the template's own.

    Jinja makes a ``ChainMap`` of the two, and copies it into a new dict on every
    render, key by key through the chain (20 microseconds a page, a quarter of a
    second at 10,000 decisions). The theme sets its globals before it loads any
    template, as Jinja asks, so a copy made at loading time holds the same."""

    def make_globals(self, d: MutableMapping[str, Any] | None) -> MutableMapping[str, Any]:
        return {**self.globals, **(d or {})}


class Environment(_FlatGlobals):
    """Jinja's environment, with each template's globals in one dict."""


class Sandbox(_FlatGlobals, jinja2.sandbox.ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox: an unsafe attribute is an error where it is named, and ``**`` and
    ``*`` are bounded (no template can hang the build on a huge number or string, not even while it
    compiles: intercepted operators are never folded)."""

    intercepted_binops = frozenset(["**", "*"])

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self._safe: dict[tuple[type, str], bool] = {}

    def getattr(self, obj: Any, attribute: str) -> Any:
        """Jinja's sandboxed ``getattr`` with its checks in one call (templates read attributes a lot)."""
        try:
            value = getattr(obj, attribute)
        except AttributeError:
            return super().getattr(obj, attribute)  # an item, or undefined
        if type(value) in _METHODS:
            fmt = self.wrap_str_format(value)  # ``str.format`` reaching into attributes: sandboxed too
            if fmt is not None:
                return fmt
        safe = self._safe.get((type(obj), attribute))
        if safe is None:
            safe = self.is_safe_attribute(obj, attribute, value)
        return value if safe else self.unsafe_undefined(obj, attribute)

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        """Jinja's answer, remembered per type and name: it depends on nothing else (isinstance checks
        and the name), and asking it on every attribute a page reads doubled the time to render."""
        key = (type(obj), attr)
        safe = self._safe.get(key)
        if safe is None:
            safe = super().is_safe_attribute(obj, attr, value)
            if len(self._safe) < 10_000:  # names a template makes up (``x[name]``) are not all kept
                self._safe[key] = safe
        return safe

    @property
    def bytecode_cache(self) -> jinja2.BytecodeCache | None:
        return self._bytecode_cache

    @bytecode_cache.setter
    def bytecode_cache(self, cache: jinja2.BytecodeCache | None) -> None:
        self._bytecode_cache = _Sandboxed(cache) if cache is not None else None

    def unsafe_undefined(self, obj: Any, attribute: str) -> jinja2.Undefined:
        """Fail at once, not with an undefined value that an ``attr`` or a test would pass on."""
        raise SecurityError(f"access to attribute {attribute!r} of {type(obj).__name__!r} object is unsafe")

    def call_binop(self, context: jinja2.runtime.Context, operator: str, left: Any, right: Any) -> Any:
        if (
            operator == "**"
            and _ints(left, right)
            and right > 0
            and max(left.bit_length(), 1) * right > MAX_BITS
        ):
            raise SecurityError(f"the power has more than {MAX_BITS} bits")
        if operator == "*":
            for times, seq in ((left, right), (right, left)):
                repeated = isinstance(seq, str | bytes | list | tuple) and isinstance(times, int)
                if repeated and times * len(seq) > MAX_REPEAT:
                    raise SecurityError(
                        f"repeating a sequence of {len(seq)} items {times} times makes more than {MAX_REPEAT}"
                    )
        return super().call_binop(context, operator, left, right)


#: The types of bound methods: the ones ``wrap_str_format`` looks at.
_METHODS = frozenset([types.MethodType, types.BuiltinMethodType])


class _Sandboxed(jinja2.BytecodeCache):
    """Another cache's store under keys of their own, so code compiled for the sandbox (which routes
    every call and operator through it) and code compiled outside it never stand in for each other."""

    def __init__(self, store: jinja2.BytecodeCache) -> None:
        self.store = store

    def get_cache_key(self, name: str, filename: str | None = None) -> str:
        return "sandbox:" + self.store.get_cache_key(name, filename)

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.store.load_bytecode(bucket)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.store.dump_bytecode(bucket)

    def clear(self) -> None:
        self.store.clear()


def _ints(*values: Any) -> bool:
    return all(isinstance(v, int) for v in values)


class ThemeLoader(jinja2.FileSystemLoader):
    """The search path's templates; a file is read only if its real path stays inside its boundary.

    ``boundaries`` pairs each folder of the search path with the folder its
    files must really be in (the log's root for the log's templates), so a
    symlink in a pull request cannot publish a file from elsewhere on the machine.
    """

    def __init__(self, dirs: Sequence[Path], boundaries: Sequence[Path]) -> None:
        super().__init__([str(d) for d in dirs])
        self.boundaries = [b.resolve() for b in boundaries]

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        pieces = jinja2.loaders.split_template_path(template)
        for folder, boundary in zip(self.searchpath, self.boundaries, strict=True):
            filename = os.path.join(folder, *pieces)
            if os.path.isfile(filename):
                if not _plain(folder, filename, boundary):
                    raise Escape(filename)
                break
        return super().get_source(environment, template)


def _plain(folder: str, filename: str, boundary: Path) -> bool:
    """Whether a theme file may be read: its real path stays inside ``boundary`` and, in the log's own
    ``templates/`` (whose boundary is the log's root, not the folder itself), no link is on its way,
    the folder included: a file is judged by its own content, never through a link (docs/security.md)."""
    real = Path(os.path.realpath(filename))
    if not real.is_relative_to(boundary):
        return False
    if Path(folder).resolve() == boundary:
        return True  # the packaged theme: declog's own files
    in_log = os.path.join(Path(folder).name, os.path.relpath(filename, folder))  # templates/...
    return through_link(boundary, in_log) is None


class Escape(SecurityError):
    """A theme file that is a link (or, in the default theme, leads out of its folder): it is not read."""

    def __init__(self, filename: str) -> None:
        super().__init__("this file is a symlink; a theme file is read as itself, never through a link")
        self.filename = filename


class Theme:
    """The Jinja environment over the search path, with declog's filters."""

    def __init__(self, root: Path, log: Log, site: SiteInfo) -> None:
        self.root = root
        self.dirs = self.search_path()
        self.site = site
        self.sandboxed = self.untrusted()
        self.env = (Sandbox if self.sandboxed else Environment)(
            loader=ThemeLoader(self.dirs, [self.boundary(d) for d in self.dirs]),
            autoescape=jinja2.select_autoescape(["html", "xml"]),
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            auto_reload=False,
        )
        partners = log.partners  # not the log: a theme kept between rebuilds must not keep old logs alive
        names = {m.handle: m.name for p in partners.values() for m in p.members if m.name}
        everyone = frozenset(partners)
        default_tz = zone(site.timezone)
        self.env.globals.update(
            site=site,
            url=_url,
            pages=_PAGES,
            partner_name=lambda pid: p.name if (p := partners.get(pid)) else pid,
            short_name=lambda pid: p.short_name if (p := partners.get(pid)) else pid,
            every_partner=lambda d: everyone <= set(d.partners if isinstance(d, Decision) else d),  # or ids
            person=lambda h: names.get(h, h),
            partners=partners,
            placed=when,
            item=self.item,
            items=self.items,
            # each row's links completed for the page, so its 10,000 rows need no pass of their own
            index_rows=jinja2.pass_context(lambda ctx, ds: self.index_rows(ds, ctx.get("page_path", ""))),
            site_head=functools.partial(self._part, "site_head"),
            site_header=lambda path: self._part("site_header", _section(path)),
            site_footer=functools.partial(self._part, "site_footer"),
            # the macros a page repeats most, rendered once per argument (a page's own
            # ``{% from "macros.html" import ... %}`` takes the macro itself instead)
            badge=functools.partial(self._part, "badge"),
            decision_link=functools.partial(self._part, "decision_link"),
            partner_link=functools.partial(self._part, "partner_link"),
            party_line=lambda ids: self._part("party_of", tuple(ids)),
            attention=self.attention,
            review=self.review,
            facet_nav=self._facet_nav,
            fields=(fields := FieldViews(log.config.fields, partners, default_tz)),
            facet_names={**FACET_NAMES, **{f.facet: f.label for f in fields.facets}},
        )
        self._items: dict[tuple[Decision, str], Markup] = {}
        self._rows: dict[tuple[Decision, str], bytes] = {}
        self._spliced: list[list[bytes]] | None = None
        """While ``render_data`` renders a page of the default theme: the index rows it asked for."""
        self._nonce = os.urandom(8).hex()
        self._splice: dict[str, bool] = {}
        self._parts: dict[tuple[Any, ...], Markup] = {}
        self._attentions: dict[tuple[Any, str], Markup] = {}
        self._navs: dict[tuple[str, str], Markup] = {}
        self._nav_facets: object = None
        self._macros: Any = None
        self._packaged: Any = None
        self.env.filters.update(
            when=lambda v, tz=None: _when(v, zone(tz) if tz else default_tz),
            day=lambda v: _day(v, default_tz),
            dates=lambda text: _dates(text, default_tz),
            duration=format_duration,
            left=_left,
            iso=lambda v: v.isoformat() if v else "",
            end_sentence=_end_sentence,
        )

    def search_path(self) -> list[Path]:
        """The template folders: the log's own ``templates/`` (when there is one), then the default theme."""
        return [d for d in (self.root / "templates", packaged_templates()) if d.is_dir()]

    def untrusted(self) -> bool:
        """Whether the log's ``templates/`` holds anything Jinja could load: anything but asset files
        (regular files under ``assets/`` other than .html and .xml, which are copied, never compiled)."""
        folder = self.root / "templates"
        if folder not in self.dirs:
            return False
        for path in folder.rglob("*"):
            if path.relative_to(folder).parts[0].lower() != ASSETS or path.is_symlink():
                return True
            if path.suffix.lower() in (".html", ".htm", ".xml") or not (path.is_file() or path.is_dir()):
                return True
        return False

    def boundary(self, folder: Path) -> Path:
        """Where the files of ``folder`` must really be: the log's root for its own, else the folder."""
        return self.root if folder == self.root / "templates" else folder

    def _inside(self, folder: Path, path: Path) -> bool:
        return _plain(str(folder), str(path), self.boundary(folder).resolve())

    def load_all(self, *, compiled: bool = False) -> list[Diagnostic]:
        """Compile every template on the search path; syntax errors become DL601 findings.

        ``compiled``: the templates' sources are those of a site built before, which compiled:
        only the assets are looked at (each template is compiled when a page first needs it)."""
        found = []
        names = (
            [] if compiled else sorted(set(self.env.list_templates(extensions=["html", "xml"])) | set(PAGES))
        )
        for name in names:
            try:
                self.env.get_template(name)
            except jinja2.TemplateSyntaxError as exc:
                where = self._relative(exc.filename or name)
                found.append(finding("DL601", where, Pos(exc.lineno or 1, 1), exc.message or str(exc)))
            except Escape as exc:
                found.append(finding("DL604", self._relative(exc.filename), Pos(1, 1), str(exc)))
            except UnicodeDecodeError as exc:
                where = self._source(name)
                found.append(
                    finding("DL601", where, Pos(1, 1), f"not UTF-8 text (byte {exc.start}): {exc.reason}")
                )
            except OSError as exc:
                found.append(
                    finding("DL601", self._source(name), Pos(1, 1), f"cannot be read: {exc.strerror or exc}")
                )
            except jinja2.TemplateNotFound as exc:
                found.append(
                    finding(
                        "DL601",
                        f"templates/{name}",
                        Pos(1, 1),
                        f"template '{exc.name}' not found on the search path",
                    )
                )
        for folder in self.dirs:
            files = sorted((folder / ASSETS).rglob("*")) if (folder / ASSETS).is_dir() else []
            for f in files:
                if f.is_file() and not self._inside(folder, f):
                    found.append(finding("DL604", self._relative(str(f)), Pos(1, 1), str(Escape(str(f)))))
        return found

    def root_of(self, path: str) -> str:
        """What the page at ``path`` completes its links with (``ROOT_MARK``): the way to the site root."""
        if path == urls.NOT_FOUND and self.site.url:
            # served at any depth, so only absolute links work; escaped for the attributes it lands in
            return str(Markup.escape(self.site.url))
        return urls.root(path)

    def render_data(self, name: str, path: str, **context: Any) -> bytes | list[bytes]:
        """``render(...)`` as UTF-8, in parts when the page holds the compact index: its rows, each
        encoded once per record, are spliced into the page as they are instead of being joined,
        escaped, completed and encoded with it (9 MB at 10,000 decisions). Only for the default
        theme's pages (a theme's own template could transform what index_rows gives), and the
        page is rendered plainly again if the rows do not come out exactly where they were asked."""
        if not self._splicing(name):
            return self.render(name, path, **context).encode("utf-8")
        self._spliced = []
        try:
            html = self.render(name, path, **context)
            spliced = self._spliced
        finally:
            self._spliced = None
        if not spliced:
            return html.encode("utf-8")
        parts: list[bytes] = []
        rest = html
        for n, rows in enumerate(spliced):
            before, mark, rest = rest.partition(self._mark(n))
            if not mark or self._mark(n) in rest:
                return self.render(name, path, **context).encode("utf-8")
            parts.append(before.encode("utf-8"))
            parts += rows
        parts.append(rest.encode("utf-8"))
        return parts

    def _mark(self, n: int) -> str:
        """Where ``render_data`` splices the ``n``-th index rows of a page (no document holds a NUL)."""
        return f"\x00rows{n}:{self._nonce}\x00"

    def _splicing(self, name: str) -> bool:
        """Whether ``name`` and the page around it are the default theme's own templates."""
        known = self._splice.get(name)
        if known is None:
            packaged = packaged_templates()
            known = self._splice[name] = all(self._provider(n) == packaged for n in (name, "base.html"))
        return known

    def _provider(self, name: str) -> Path | None:
        """The folder of the search path that provides template ``name``, if one does."""
        return next((d for d in self.dirs if (d / name).exists()), None)

    def render(self, name: str, path: str, **context: Any) -> str:
        """Render template ``name`` for the page at ``path`` (from the site root)."""
        root = self.root_of(path)
        try:
            html = self.env.get_template(name).render(page_path=path, **context)
        except Escape as exc:  # a template named by include, import or extends
            where = self._relative(exc.filename)
            raise TemplateProblem(finding("DL604", where, Pos(1, 1), str(exc))) from None
        except Exception as exc:
            frame = self._frame(exc)
            if frame is None:
                raise
            file, line = frame
            message = exc.message if isinstance(exc, jinja2.TemplateError) and exc.message else str(exc)
            if isinstance(exc, SecurityError):
                code, message = "DL604", f"the sandbox refused it while rendering {path}: {message}"
            else:
                code, message = "DL602", f"{type(exc).__name__} while rendering {path}: {message}"
            raise TemplateProblem(finding(code, self._relative(file), Pos(line, 1), message)) from None
        return html.replace(ROOT_MARK, root)

    def item(self, d: Decision, note: str = "") -> Markup:
        """A decision's list item, rendered once per record and note and reused on every list page."""
        cached = self._items.get((d, note))
        if cached is None:
            cached = self._items[d, note] = self._macro("decision_item", d, note)
        return cached

    def items(self, decisions: Iterable[Decision], notes: Mapping[str, str] | None = None) -> Markup:
        """The list items of ``decisions`` one after the other (``item``), each with its note in
        ``notes`` (decision id -> note): a list page's loop in one call."""
        item = self.item
        if not notes:  # each item is Markup already: joined as text, not escaped one by one
            return Markup("".join([item(d) for d in decisions]))
        return Markup("".join([item(d, notes.get(d.id, "")) for d in decisions]))

    def attention(self, a: Any, only: str = "") -> Markup:
        """An open proposal with its deadline and whom it waits on (``only``: that partner), rendered once."""
        cached = self._attentions.get((a, only))
        if cached is None:  # by value: equal for a decision whose record and deadline did not change
            cached = self._attentions[a, only] = self._macro("attention_item", a, only)
        return cached

    def index_rows(self, decisions: Sequence[Decision], path: str = urls.DECISIONS) -> Markup:
        """The rows of the compact index for the page at ``path`` (decisions/index.html), each
        rendered once per record, its links completed for that page (``root_of``)."""
        root, known = self.root_of(path), self._rows
        rows = [known.get((d, root)) or self._row(d, root) for d in decisions]
        if self._spliced is not None:  # render_data splices the rows in as they are
            self._spliced.append(rows)
            return Markup(self._mark(len(self._spliced) - 1))
        return Markup(b"".join(rows).decode("utf-8"))  # rows are markup: no escaping pass over them

    def _row(self, d: Decision, root: str) -> bytes:
        """``d``'s row of the compact index, its links completed with ``root``, as UTF-8."""
        row = self._rows[d, root] = self._macro("index_row", d).replace(ROOT_MARK, root).encode("utf-8")
        return row

    def _part(self, name: str, *args: Any) -> Markup:
        """A part of a page that does not depend on the page (macro ``name``), rendered once per
        argument: many pages repeat it, with links that each page completes (ROOT_MARK). The
        arguments are text or records (a decision, by identity: records never change)."""
        key = (name, *args)
        cached = self._parts.get(key)
        if cached is None:
            cached = self._parts[key] = self._macro(name, *args)
        return cached

    def review(self, r: Any) -> Markup:
        """A decision due for review (declog.log.review.Due), with its review date and whether it is overdue.

        A theme whose macros.html predates ``review_item`` gets the same item without its styling.
        """
        if self._macros is None:
            self._macros = self.env.get_template("macros.html").module
        if hasattr(self._macros, "review_item"):
            return self._macro("review_item", r)
        return Markup("<li>{} {}: {}</li>").format(r.decision.id, r.decision.title, r.text)

    def _facet_nav(self, facets: Any, current: tuple[str, str], more: Any = None) -> Markup:
        """The filter bar, rendered once per value of ``current`` for the same ``facets`` (and ``more``,
        the facets cut short: views.FilterBar)."""
        if facets is not self._nav_facets:
            self._navs, self._nav_facets = {}, facets  # keeps facets alive, so its identity stays its own
        cached = self._navs.get(current)
        if cached is None:
            cached = self._navs[current] = self._macro("facet_nav", facets, current, more or {})
        return cached

    def _macro(self, name: str, *args: Any) -> Markup:
        return Markup(getattr(self._module(name), name)(*args))

    def _module(self, name: str) -> Any:
        """The macros that define ``name``: macros.html on the search path or, when it is a log's own
        that predates macro ``name``, the default theme's (which the log then shows as it is)."""
        if self._macros is None:
            self._macros = self.env.get_template("macros.html").module
        if hasattr(self._macros, name):
            return self._macros
        if self._packaged is None:
            packaged = packaged_templates()
            env = self.env.overlay(loader=ThemeLoader([packaged], [packaged]))
            self._packaged = env.get_template("macros.html").module
        return self._packaged

    def keep(self, decisions: Collection[Decision]) -> None:
        """Forget the fragments of records other than ``decisions`` (a theme kept between rebuilds).

        Only once the fragments outnumber the decisions by far: a stale one is never used again.
        """
        kept = len(self._items) + len(self._attentions) + len(self._rows) + len(self._parts)
        if kept < 4 * len(decisions) + 1000:
            return
        live = {id(d) for d in decisions}
        self._items = {k: v for k, v in self._items.items() if id(k[0]) in live}
        self._parts = {
            k: v for k, v in self._parts.items() if all(id(a) in live for a in k if isinstance(a, Decision))
        }
        self._rows = {k: v for k, v in self._rows.items() if id(k[0]) in live}
        self._attentions = {k: v for k, v in self._attentions.items() if id(k[0].decision) in live}

    def assets(self) -> dict[str, Path]:
        """``assets/...`` path -> the file that provides it (the log's own first)."""
        out: dict[str, Path] = {}
        for d in self.dirs:
            for f in sorted((d / ASSETS).rglob("*")) if (d / ASSETS).is_dir() else ():
                if f.is_file() and self._inside(d, f):  # a link leaving the log: DL604 (load_all)
                    out.setdefault(urls.asset(f.relative_to(d / ASSETS).as_posix()), f)
        return dict(sorted(out.items()))

    def _frame(self, exc: BaseException) -> tuple[str, int] | None:
        prefixes = tuple(str(d) for d in self.dirs)
        for frame in reversed(traceback.extract_tb(exc.__traceback__)):
            if frame.filename.startswith(prefixes):
                return frame.filename, frame.lineno or 1
        if isinstance(exc, jinja2.TemplateSyntaxError):
            return exc.filename or "templates", exc.lineno or 1
        return None

    def _source(self, name: str) -> str:
        """The file that provides template ``name``, relative to the log's root when it is the log's."""
        folder = self._provider(name)
        return self._relative(str(folder / name)) if folder is not None else f"templates/{name}"

    def _relative(self, file: str) -> str:
        path = Path(os.path.normpath(os.path.abspath(file)))
        root = Path(os.path.abspath(self.root))
        try:  # nothing resolved: a link, or a file in a linked folder, is named by its own path
            return path.relative_to(root).as_posix()
        except ValueError:
            pass
        try:
            return (path.parent.resolve() / path.name).relative_to(self.root.resolve()).as_posix()
        except ValueError:
            return str(path)


def _section(path: str) -> str:
    """Where the page at ``path`` is, as the site's header marks it: the page itself for the home page
    and the compact index, else its first folder ("timeline" for every list of the timeline)."""
    return path if path in (urls.HOME, urls.DECISIONS) else path.split("/", 1)[0]


def _url(target: str = "") -> str:
    """Link from the page being rendered to ``target`` (a path from the site root, as the views
    and ``pages`` give it; the home page when empty).

    The page's own "../" prefix (declog.site.urls.root) is filled in when the
    page is done (ROOT_MARK), so this needs no context and fragments can be
    shared between pages.
    """
    return ROOT_MARK + (target or urls.HOME)


#: The template global ``pages``: the path of every page, from declog.site.urls.
_PAGES = urls.Pages()


def _when(value: dt.datetime | None, tz: dt.tzinfo) -> Markup:
    """``value`` as a ``<time>`` in ``tz``: "2026-01-15 10:00 CET"."""
    if value is None:
        return Markup("")
    return _time(value, tz, clock=True)


def _day(value: dt.datetime | None, tz: dt.tzinfo) -> Markup:
    """``value``'s date in ``tz`` as a ``<time>``: "2026-01-15"."""
    if value is None:
        return Markup("")
    return _time(value, tz, clock=False)


def _time(value: dt.datetime, tz: dt.tzinfo, *, clock: bool) -> Markup:
    """A ``<time>`` element; ``clock``: the time and zone too. A large log has about as many moments
    as it shows (three in four are shown once per process), so each is formatted where it is shown,
    without strftime: a cache of them cost more than it saved."""
    local = value.astimezone(tz)
    if local.year < 1000:  # strftime's own %Y, which some platforms do not pad
        text = f"{local:%Y-%m-%d %H:%M} {local.tzname() or ''}".strip() if clock else f"{local:%Y-%m-%d}"
        text = escape(text)
    elif clock:
        text = f"{local.year}-{local.month:02}-{local.day:02} {local.hour:02}:{local.minute:02}"
        if name := local.tzname():
            text = f"{text} {escape(name)}"
    else:
        text = f"{local.year}-{local.month:02}-{local.day:02}"
    return Markup(f'<time datetime="{value.isoformat()}">{text}</time>')  # ISO 8601: nothing to escape


#: An ISO 8601 date, with its time and offset when it has them, inside running text.
_ISO_IN_TEXT = re.compile(r"\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2}))?")


def _dates(text: str, tz: dt.tzinfo) -> Markup:
    """``text`` escaped, each ISO date in it as a reader writes it, never broken across lines."""
    out, last = [], 0
    for m in _ISO_IN_TEXT.finditer(text):
        out.append(Markup.escape(text[last : m.start()]))
        try:
            value = dt.datetime.fromisoformat(m.group(0).replace("Z", "+00:00"))
        except ValueError:
            value = None
        if value is not None and value.tzinfo is not None:
            out.append(_when(value, tz))
        else:
            out.append(Markup('<span class="nowrap">{}</span>').format(m.group(0)))
        last = m.end()
    out.append(Markup.escape(text[last:]))
    return Markup("").join(out)


def _end_sentence(value: object) -> Markup:
    """The filter ``end_sentence``: ``value`` (text or markup, such as a partner's link) closed with a
    full stop unless its text already ends with one: "Waiting on Rota Sul Ltda." (declog.log.names)."""
    text = value if isinstance(value, Markup) else Markup.escape(str(value))
    text = Markup(text.rstrip())
    return text if ends_sentence(text.striptags()) else text + Markup(".")


def _left(delta: dt.timedelta) -> str:
    """A deadline's state in words that stay true after the build: "passed" or "open".

    ``delta`` is the deadline minus the moment the pages are as of. The time
    left is the reader's to count (site.js, from their clock); the page's own
    text never goes stale.
    """
    return "passed" if delta < dt.timedelta(0) else "open"
