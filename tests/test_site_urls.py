"""URLs once: declog.site.urls owns the site's paths; views carry them; templates never build one.

A page's address is spelled in one module. The theme gets paths from the
views (``view.url``, ``col.url``) and from the ``pages`` global, and makes
them relative with ``url()``; it never glues a path together, and no other
module of declog writes a path of the site.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import jinja2
import pytest
from conftest import ACCEPTED, REPO, LogMaker
from sitetools import EXAMPLE_NOW, copy_example, example_site, parse

from declog.check.checker import load_and_check
from declog.site import urls
from declog.site.build import build
from declog.site.render import PAGES
from declog.site.views import Views

THEME = REPO / "templates"
#: A string that names a place in the site: a folder and a name, or a page or file of it.
PATH_LIKE = re.compile(r"[\w.-]/|/[\w.-]|\.(?:html|xml|ics|json|css|js|svg)$")
#: A page of the site, or a file in a folder of it (a theme's asset is named by its file name alone).
PAGE_LIKE = re.compile(r"[\w.-]/|/[\w.-]|\.(?:html|xml|ics|json)$")
#: Template names given to extends, import, from and include: templates, not places in the site.
_TEMPLATE_TAGS = {"extends", "import", "from", "include"}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return example_site(tmp_path_factory)


def theme_files() -> list[Path]:
    return sorted([*THEME.glob("*.html"), *THEME.glob("*.xml")])


def tokens(source: str) -> list[tuple[int, str, str]]:
    """The tokens inside the template's tags and expressions (not its text), without white space."""
    env = jinja2.Environment()
    return [
        (line, kind, value[1:-1] if kind == "string" else value)  # a string as written: without its quotes
        for line, kind, value in env.lex(source)
        if kind not in ("data", "whitespace")
    ]


def concatenations(source: str) -> Iterator[str]:
    """Every place a path is glued together: ``'decisions/' ~ x``, ``x ~ '/index.html'``,
    ``x + "/"``, ``'%s/index.html'|format(x)``."""
    toks = tokens(source)
    for i, (line, kind, value) in enumerate(toks):
        if kind != "string" or not (PATH_LIKE.search(value) or value == "/" or "%s" in value):
            continue
        before = toks[i - 1][2] if i else ""
        after = toks[i + 1][2] if i + 1 < len(toks) else ""
        then = toks[i + 2][2] if i + 2 < len(toks) else ""
        if before in ("~", "+") or after in ("~", "+") or (after == "|" and then == "format"):
            yield f"line {line}: {before} {value!r} {after}".strip()


def literal_paths(source: str) -> Iterator[str]:
    """String literals in expressions that name a place in the site (``url('timeline/index.html')``)."""
    toks = tokens(source)
    for i, (line, kind, value) in enumerate(toks):
        if kind != "string" or not PAGE_LIKE.search(value):
            continue
        tag = next((v for _, k, v in reversed(toks[:i]) if k == "name"), "")
        if tag in _TEMPLATE_TAGS or (i and toks[i - 1][2] in _TEMPLATE_TAGS):
            continue
        yield f"line {line}: {value!r}"


def test_the_concatenation_scan_finds_what_it_looks_for() -> None:
    """The scans below can fail: each way of gluing a path is caught."""
    bad = [
        "{{ url('decisions/' ~ d.id ~ '/index.html') }}",
        '{{ url(col.url ~ "index.html") }}',
        '{{ url(d.id ~ "/") }}',
        '{{ url(base + "/index.html") }}',
        "{{ url('partners/%s/index.html'|format(p.id)) }}",
    ]
    for text in bad:
        assert list(concatenations(text)), text
    assert list(literal_paths("{{ url('timeline/index.html') }}"))
    good = "{% extends \"base.html\" %}{% from 'macros.html' import x %}{{ url(pages.tag(t)) }} {{ a ~ b }}"
    assert list(concatenations(good)) == list(literal_paths(good)) == []


@pytest.mark.parametrize("template", theme_files(), ids=lambda p: p.name)
def test_templates_never_concatenate_paths(template: Path) -> None:
    found = list(concatenations(template.read_text(encoding="utf-8")))
    assert found == [], f"{template.name} builds a path; take it from a view or from `pages`: {found}"


@pytest.mark.parametrize("template", theme_files(), ids=lambda p: p.name)
def test_templates_name_no_page_by_a_literal_path(template: Path) -> None:
    found = list(literal_paths(template.read_text(encoding="utf-8")))
    assert found == [], f"{template.name} spells a path of the site; ask `pages` for it: {found}"


def _site_paths_in(path: Path) -> Iterator[str]:
    """String constants of a module that spell a path of the site (docstrings aside)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    docstrings |= {  # the docstring under an attribute or a field
        id(node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
    }
    site_path = re.compile(
        r"^(?:decisions|partners|meetings|timeline|tags|health|search|assets|pagefind)/"
        r"|/index\.html|feed\.xml$|deadlines\.ics$|^decisions\.json$|^sitemap\.xml$|^audit\.json$|^404\.html$"
    )
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in docstrings
            and site_path.search(node.value)
            and node.value not in PAGES  # a template's name, not a page's path
        ):
            yield f"{path.name}:{node.lineno}: {node.value!r}"


def test_the_module_scan_finds_a_path_spelled_in_python(tmp_path: Path) -> None:
    module = tmp_path / "probe.py"
    module.write_text(
        'def f(i):\n    """decisions/0042/index.html, in a docstring: words."""\n'
        '    return f"decisions/{i}/index.html", "partners/" + i\n'
    )
    assert list(_site_paths_in(module)) == [
        "probe.py:3: 'decisions/'",
        "probe.py:3: '/index.html'",
        "probe.py:3: 'partners/'",
    ]


def test_every_module_asks_urls_for_the_site_s_paths() -> None:
    found = [
        hit
        for module in sorted((REPO / "declog").rglob("*.py"))
        if module.name != "urls.py"
        for hit in _site_paths_in(module)
    ]
    assert found == [], "spell paths of the site in declog/site/urls.py only:\n" + "\n".join(found)


def test_views_carry_the_urls_of_pages_that_exist(site: Path, tmp_path: Path) -> None:
    """Every URL a view carries is a file of the built example site."""
    log = load_and_check(copy_example(tmp_path / "log")).log
    assert log is not None
    views = Views(log, EXAMPLE_NOW, {})
    carried = [views.decision(d).url for d in log.decisions]
    carried += [v.url for v in (views.meeting(m) for m in log.meetings.values())]
    for pv in views.partners.values():
        carried += [pv.url, pv.feed_url, pv.calendar_url, pv.timeline_url]
    carried += [col.url for col in views.board.columns if col.count]
    carried += [v.url for values in views.facets.values() for v in values]
    carried += [page.url for page in views.lists()]
    missing = [url for url in carried if not (site / url).is_file()]
    assert carried and missing == []


def test_page_links_are_relative_to_the_page() -> None:
    assert urls.relative(urls.HOME, urls.decision("0042")) == "decisions/0042/index.html"
    assert urls.relative(urls.decision("0001"), urls.decision("0042")) == "../../decisions/0042/index.html"
    assert urls.relative(urls.list_page("timeline/", 3), urls.HOME) == "../../index.html"
    assert (
        urls.relative(urls.partner_feed("acme"), urls.decision("0042")) == "../../decisions/0042/index.html"
    )
    assert urls.BODY_ROOT == urls.root(urls.partner("acme")) == urls.root(urls.meeting("m")) == "../../"


def test_a_log_s_own_template_may_still_name_paths_as_the_documented_url_path(log: LogMaker) -> None:
    """``url('path')`` with a path from the site root is the documented contract: it keeps working,
    beside the new ``pages`` global and the views' ``url``."""
    log.decision("0001-keep-decisions-in-git", ACCEPTED)
    log.write(
        "templates/404.html",
        '{% extends "base.html" %}{% block main %}'
        "<a id=old href=\"{{ url('timeline/index.html') }}\">timeline</a>"
        "<a id=new href=\"{{ url(pages.decision('0001')) }}\">0001</a>"
        "{% endblock %}",
    )
    out = log.root.parent / "site"
    result = build(log.root, out, now=EXAMPLE_NOW, search_index=False)
    assert result.built, [f"{d.path}:{d.line}: {d.code} {d.message}" for d in result.findings]
    links = [href for tag, href in parse(out / "404.html").links if tag == "a"]
    assert "timeline/index.html" in links
    assert "decisions/0001/index.html" in links
