"""The health page: the audit of `declog audit` as a page with charts, linked from every page.

The page's bytes are covered by the golden copy of the example site
(tests/golden/site/health/index.html; `python tests/regen_golden.py`); these
tests say what a reader relies on.
"""

from __future__ import annotations

import html
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from conftest import invoke
from sitetools import EXAMPLE_NOW, copy_example, example_site

from declog.insight import audit


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return example_site(tmp_path_factory)


@pytest.fixture(scope="session")
def page(site: Path) -> str:
    return (site / "health" / "index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("path", "href"),
    [
        ("index.html", "health/index.html"),
        ("timeline/index.html", "../health/index.html"),
        ("decisions/0001/index.html", "../../health/index.html"),
    ],
)
def test_every_page_links_to_it(site: Path, path: str, href: str) -> None:
    nav = (
        (site / path).read_text(encoding="utf-8").split('<nav aria-label="Site">', 1)[1].split("</nav>", 1)[0]
    )
    assert f'<a href="{href}">Health</a>' in nav


def test_it_marks_itself_current(page: str) -> None:
    assert '<a href="../health/index.html" aria-current="page">Health</a>' in page


def test_the_figures_are_those_of_declog_audit(page: str, tmp_path: Path) -> None:
    """Same log, same "now", same numbers: the page and the command cannot drift apart."""
    root = copy_example(tmp_path / "log")  # outside git, like the example site
    data = invoke(
        ["audit", "--root", str(root), "--today", EXAMPLE_NOW.isoformat(), "--format", "json"]
    ).json()
    window = data["window"]
    assert window["description"].startswith("the last 20 decisions by number (20 found)")
    # the same window in words, the time as a reader reads it (no raw ISO in the text)
    assert "An audit of the last 20 decisions by number (20 in all), as of <time " in page
    # as of the moment the site is (views.as_of): nothing time changes happened after it
    assert ">2026-11-25 00:00 UTC</time>: how long" in page
    assert 'before <time datetime="2026-11-25T00:00:01+00:00">2026-11-25 00:00 UTC</time>, among' in page
    assert not re.search(r">[^<]*\d{4}-\d{2}-\d{2}T\d{2}:", page)  # no raw ISO time in the text
    figures = [f for s in data["sections"] for f in s["figures"]]
    assert len(figures) == 24  # five sections: logging, resolution, participation, disagreement, reviews
    for f in figures:
        if f["key"] in audit.UNKNOWABLE:  # a row that could only say n/a: explained once instead
            assert f'<th scope="row">{html.escape(f["label"])}</th>' not in page
            assert f"<strong>{html.escape(f['label'].lower())}</strong> ({html.escape(f['method'])})" in page
            continue
        # the method in words, its dates as a reader reads them (a <time>, never raw ISO)
        method = html.escape(re.split(r"\d{4}-\d{2}-\d{2}", f["method"])[0])
        row = (
            f'<tr><th scope="row">{html.escape(f["label"])}</th>'
            f'<td class="num" data-label="Value">{html.escape(f["display"])}</td>'
            f'<td class="num" data-label="n">{f["n"]}</td><td data-label="How it is computed">{method}'
        )
        assert row in page, f["key"]
    for p in data["participation"]["partners"]:
        cells = "".join(
            f'<td class="num" data-label="{c}">{p[c]["count"]}</td>' for c in data["participation"]["methods"]
        )
        assert re.search(rf"{re.escape(html.escape(p['name']))}</a></th>{re.escape(cells)}</tr>", page), p[
            "partner"
        ]


def test_counted_decisions_link_to_their_pages(site: Path, page: str) -> None:
    # 0027 is the proposal past its deadline on 2026-11-25
    overdue = page.split("Proposals past their deadline, still open", 1)[1].split("</tr>", 1)[0]
    assert 'Decisions: <a href="../decisions/0027/index.html">0027</a>' in overdue
    assert (site / "decisions" / "0027" / "index.html").is_file()


def test_four_accessible_charts_each_with_its_numbers(page: str) -> None:
    svgs = re.findall(r"<svg .*?</svg>", page, re.S)
    assert len(svgs) == 4
    for svg in svgs:
        root = ET.fromstring(svg)
        assert root.get("role") == "img"
        for ref in (root.get("aria-labelledby") or "").split():
            assert f'id="{ref}"' in svg
    assert page.count("<summary>The numbers</summary>") == 4
    assert page.count('<figure class="chart"') == 4
    assert "<script" not in page.split("</head>", 1)[1]  # the charts need no JavaScript


def test_ids_on_the_page_are_unique(page: str) -> None:
    ids = re.findall(r'\sid="([^"]+)"', page)
    assert len(ids) == len(set(ids))


def test_the_audit_has_a_json_twin(site: Path, page: str) -> None:
    data = json.loads((site / "health" / "audit.json").read_text(encoding="utf-8"))
    assert data["window"]["now"] == "2026-11-25T00:00:01+00:00"  # the site's moment (views.as_of)
    assert data["window"]["last"] == 20
    assert '<a href="../health/audit.json">audit.json</a>' in page
