"""Helpers for the site tests: build the example log, read pages, check every link.

The example log (content/ and declog.toml at the top of the repository) is
built once per test session into a temporary folder, outside git (so pages
have no history section) and "as of" EXAMPLE_NOW, so its pages do not change
with the clock or with new commits.
"""

from __future__ import annotations

import datetime as dt
import html.parser
import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from conftest import REPO

from declog.site.build import BuildResult, build

#: "Now" for the example's pages: 0027's deadline has passed, 0028's is a day away.
EXAMPLE_NOW = dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.UTC)
GOLDEN = REPO / "tests" / "golden" / "site"
#: Every file of the example site, one path a line: the golden copy of the site's shape.
GOLDEN_FILES = REPO / "tests" / "golden" / "site-files.txt"
#: The pages kept byte for byte: one of each kind that says something the page-content
#: tests do not pin down word for word (the rest of the site is covered by those tests,
#: the list of files above and the serial-vs-parallel and incremental-vs-full identity tests).
GOLDEN_PAGES = (
    "index.html",
    "404.html",
    "decisions/index.html",  # the compact index: one row per decision
    "decisions/0027/index.html",  # proposed, deadline passed, silence counting
    "decisions/0028/index.html",  # proposed, deadline a day away
    "decisions/0026/index.html",  # accepted in a meeting
    "decisions/0004/index.html",  # superseded
    "partners/kessler/index.html",
    "partners/kessler/feed.xml",
    "partners/kessler/deadlines.ics",
    "meetings/2026-11-10-steering-q4/index.html",
    "timeline/index.html",
    "health/index.html",
    "decisions.json",
    "decisions/0028/decision.json",  # an entry of decisions.json with its body
    "facets.js",  # the filter bar's counts
    "feed.xml",
    "sitemap.xml",
)


_built: dict[str, Path] = {}


def facet_counts(site: Path) -> dict[str, dict[str, int]]:
    """What facets.js says: facet -> value -> how many decisions (the counts of the filter bar)."""
    text = (site / "facets.js").read_text(encoding="ascii")
    assert text.startswith("window.declogFacets = ") and text.endswith(";\n"), text[:80]
    data = json.loads(text.removeprefix("window.declogFacets = ").removesuffix(";\n"))
    return {facet: dict(pairs) for facet, pairs in data.items()}


def example_site(tmp_path_factory: object) -> Path:
    """The example site, built once per session (call from a session fixture)."""
    if "site" not in _built:
        base = tmp_path_factory.mktemp("example")  # type: ignore[attr-defined]
        _built["site"], _ = build_example(base)
    return _built["site"]


def site_files(site: Path) -> list[str]:
    """Every file of a built site, as sorted paths relative to it."""
    return sorted(p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file())


def copy_example(dest: Path) -> Path:
    """A copy of the example log (declog.toml and content/) at ``dest``."""
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copy2(REPO / "declog.toml", dest / "declog.toml")
    shutil.copytree(REPO / "content", dest / "content")
    return dest


def build_example(
    dest: Path, *, jobs: int | None = None, site_url: str | None = None
) -> tuple[Path, BuildResult]:
    """Copy the example log under ``dest`` and build it to ``dest/site`` without search."""
    root = copy_example(dest / "log")
    out = dest / "site"
    result = build(root, out, now=EXAMPLE_NOW, search_index=False, jobs=jobs, site_url=site_url)
    assert result.built, [f"{d.path}:{d.line}: {d.code} {d.message}" for d in result.findings]
    return out, result


class _Links(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str]] = []
        self.ids: set[str] = set()
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "src") and value is not None:
                self.links.append((tag, value))
            if name == "id" and value:
                self.ids.add(value)
        self._in_script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.scripts.append(data)


@dataclass
class Page:
    path: Path
    links: list[tuple[str, str]] = field(default_factory=list)
    ids: set[str] = field(default_factory=set)
    scripts: list[str] = field(default_factory=list)


def parse(path: Path) -> Page:
    parser = _Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return Page(path, parser.links, parser.ids, parser.scripts)


def html_files(site: Path) -> Iterator[Path]:
    return (p for p in sorted(site.rglob("*.html")) if "pagefind" not in p.parts)


def broken_links(site: Path, site_url: str = "") -> list[str]:
    """Every internal href/src that does not lead to a file (or to an id on that page)."""
    pages = {p: parse(p) for p in html_files(site)}
    problems = []
    for path, page in pages.items():
        for tag, link in page.links:
            if site_url and link.startswith(site_url):
                target_text, base = link[len(site_url) :], site
            else:
                target_text, base = link, path.parent
            parts = urlsplit(target_text)
            if parts.scheme or parts.netloc:
                continue  # external (http, https, mailto)
            rel = path.relative_to(site)
            if target_text.startswith("/"):
                problems.append(f"{rel}: root-relative link {link!r} breaks under a sub-path and file://")
                continue
            target = (base / unquote(parts.path)).resolve() if parts.path else path
            if parts.path and not Path(parts.path).suffix:
                problems.append(f"{rel}: link {link!r} does not name a file (breaks from file://)")
                continue
            if not target.is_file():
                problems.append(f"{rel}: {tag} {link!r} -> missing {target}")
                continue
            if parts.fragment and target.suffix == ".html":
                ids = pages[target].ids if target in pages else parse(target).ids
                if unquote(parts.fragment) not in ids:
                    problems.append(f"{rel}: {link!r} names no element id on that page")
    return problems
