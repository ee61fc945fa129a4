"""Jinja: the theme's search path, filters, relative links, and template errors as findings.

The log's own ``templates/`` folder comes first on the search path and the
packaged default theme second, so a log overrides the theme file by file.
Autoescape is on for HTML and XML and undefined names are errors. Every link a
template makes goes through ``url()``, which makes it relative to the page
("../../decisions/0042/index.html"), so the site works from file://, from a
sub-path and from a domain root alike.
"""

from __future__ import annotations

import datetime as dt
import traceback
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from declog.codes import finding
from declog.diagnostics import Diagnostic, Pos
from declog.model import Decision, Log
from declog.timeparse import format_duration, zone
from declog.views import when

#: Templates the build renders; a log may override any of them.
PAGES = (
    "index.html",
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
#: Stands for the way back to the site root while a page or a shared fragment renders;
#: each page replaces it with its own "../" prefix, so fragments can be reused on any page.
ROOT_MARK = "\x00root\x00"


def packaged_templates() -> Path:
    """The default theme: inside the installed package, or templates/ beside it in a checkout."""
    here = Path(__file__).resolve().parent
    inside = here / "templates"
    return inside if inside.is_dir() else here.parent / "templates"


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


class Theme:
    """The Jinja environment over the search path, with declog's filters."""

    def __init__(self, root: Path, log: Log, site: SiteInfo) -> None:
        self.root = root
        self.dirs = self.search_path()
        self.site = site
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader([str(d) for d in self.dirs]),
            autoescape=jinja2.select_autoescape(["html", "xml"]),
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            auto_reload=False,
        )
        partners = log.partners  # not the log: a theme kept between rebuilds must not keep old logs alive
        names = {m.handle: m.name for p in partners.values() for m in p.members if m.name}
        default_tz = zone(site.timezone)
        self.env.globals.update(
            site=site,
            url=_url,
            partner_name=lambda pid: p.name if (p := partners.get(pid)) else pid,
            person=lambda h: names.get(h, h),
            partners=partners,
            placed=when,
            item=self.item,
            attention=self.attention,
            facet_nav=self._facet_nav,
        )
        self._items: dict[tuple[Decision, str], Markup] = {}
        self._attentions: dict[tuple[int, str], tuple[Any, Markup]] = {}
        self._navs: dict[tuple[str, str], Markup] = {}
        self._nav_facets: object = None
        self._macros: Any = None
        self.env.filters.update(
            when=lambda v, tz=None: _when(v, zone(tz) if tz else default_tz),
            day=lambda v: v.astimezone(default_tz).strftime("%Y-%m-%d") if v else "",
            duration=format_duration,
            left=_left,
            iso=lambda v: v.isoformat() if v else "",
        )

    def search_path(self) -> list[Path]:
        """The template folders: the log's own ``templates/`` (when there is one), then the default theme."""
        return [d for d in (self.root / "templates", packaged_templates()) if d.is_dir()]

    def load_all(self) -> list[Diagnostic]:
        """Compile every template on the search path; syntax errors become DL601 findings."""
        found = []
        for name in sorted(set(self.env.list_templates(extensions=["html", "xml"])) | set(PAGES)):
            try:
                self.env.get_template(name)
            except jinja2.TemplateSyntaxError as exc:
                where = self._relative(exc.filename or name)
                found.append(finding("DL601", where, Pos(exc.lineno or 1, 1), exc.message or str(exc)))
            except jinja2.TemplateNotFound as exc:
                found.append(
                    finding(
                        "DL601",
                        f"templates/{name}",
                        Pos(1, 1),
                        f"template '{exc.name}' not found on the search path",
                    )
                )
        return found

    def render(self, name: str, path: str, **context: Any) -> str:
        """Render template ``name`` for the page at ``path`` (from the site root)."""
        root = "../" * path.count("/")
        if path == "404.html" and self.site.url:
            root = self.site.url  # served at any depth, so only absolute links work
        try:
            html = self.env.get_template(name).render(page_path=path, **context)
        except Exception as exc:
            frame = self._frame(exc)
            if frame is None:
                raise
            file, line = frame
            message = exc.message if isinstance(exc, jinja2.TemplateError) and exc.message else str(exc)
            raise TemplateProblem(
                finding(
                    "DL602",
                    self._relative(file),
                    Pos(line, 1),
                    f"{type(exc).__name__} while rendering {path}: {message}",
                )
            ) from None
        return html.replace(ROOT_MARK, root)

    def item(self, d: Decision, note: str = "") -> Markup:
        """A decision's list item, rendered once per record and note and reused on every list page."""
        cached = self._items.get((d, note))
        if cached is None:
            cached = self._items[d, note] = self._macro("decision_item", d, note)
        return cached

    def attention(self, a: Any, only: str = "") -> Markup:
        """An open proposal with its deadline and whom it waits on (``only``: that partner), rendered once."""
        cached = self._attentions.get((id(a), only))
        if cached is None:  # keeps a alive, so its id stays its own
            cached = self._attentions[id(a), only] = (a, self._macro("attention_item", a, only))
        return cached[1]

    def _facet_nav(self, facets: Any, current: tuple[str, str]) -> Markup:
        """The filter bar, rendered once per value of ``current`` for the same ``facets``."""
        if facets is not self._nav_facets:
            self._navs, self._nav_facets = {}, facets  # keeps facets alive, so its identity stays its own
        cached = self._navs.get(current)
        if cached is None:
            cached = self._navs[current] = self._macro("facet_nav", facets, current)
        return cached

    def _macro(self, name: str, *args: Any) -> Markup:
        if self._macros is None:
            self._macros = self.env.get_template("macros.html").module
        return Markup(getattr(self._macros, name)(*args))

    def keep(self, decisions: Collection[Decision]) -> None:
        """Forget the fragments of records other than ``decisions`` (a theme kept between rebuilds).

        Only once the fragments outnumber the decisions by far: a stale one is never used again.
        """
        if len(self._items) + len(self._attentions) < 4 * len(decisions) + 1000:
            return
        live = {id(d) for d in decisions}
        self._items = {k: v for k, v in self._items.items() if id(k[0]) in live}
        self._attentions = {k: v for k, v in self._attentions.items() if id(v[0].decision) in live}

    def assets(self) -> dict[str, Path]:
        """``assets/...`` path -> the file that provides it (the log's own first)."""
        out: dict[str, Path] = {}
        for d in self.dirs:
            for f in sorted((d / ASSETS).rglob("*")) if (d / ASSETS).is_dir() else ():
                if f.is_file():
                    out.setdefault(f.relative_to(d).as_posix(), f)
        return dict(sorted(out.items()))

    def _frame(self, exc: BaseException) -> tuple[str, int] | None:
        prefixes = tuple(str(d) for d in self.dirs)
        for frame in reversed(traceback.extract_tb(exc.__traceback__)):
            if frame.filename.startswith(prefixes):
                return frame.filename, frame.lineno or 1
        if isinstance(exc, jinja2.TemplateSyntaxError):
            return exc.filename or "templates", exc.lineno or 1
        return None

    def _relative(self, file: str) -> str:
        path = Path(file)
        try:
            return path.resolve().relative_to(self.root.resolve()).as_posix()
        except ValueError:
            return str(path)


def _url(target: str = "") -> str:
    """Link from the page being rendered to ``target`` (a path from the site root).

    The page's own "../" prefix is filled in when the page is done (ROOT_MARK),
    so this needs no context and fragments can be shared between pages.
    """
    return ROOT_MARK + (target or "index.html")


def _when(value: dt.datetime | None, tz: dt.tzinfo) -> Markup:
    if value is None:
        return Markup("")
    local = value.astimezone(tz)
    text = local.strftime("%Y-%m-%d %H:%M ") + (local.tzname() or "")
    return Markup('<time datetime="{}">{}</time>').format(value.isoformat(), text.strip())


def _left(delta: dt.timedelta) -> str:
    if delta < dt.timedelta(0):
        return f"{format_duration(-delta)} overdue"
    return f"{format_duration(delta)} left"
