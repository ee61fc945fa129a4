"""``declog build`` as a user runs it: exit codes, messages, what lands in the output folder."""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

import pytest
from conftest import invoke
from sitetools import EXAMPLE_NOW, copy_example, facet_counts

from declog.site import search
from declog.site.build import build
from declog.site.render import packaged_templates

DECISION_13 = (
    "content/decisions/0013-revoke-and-rotate-all-ingestion-keys-after-the-rota-sul-credential-leak.md"
)


@pytest.fixture(autouse=True)
def user_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """declog build's cache goes to the user's cache folder: a temporary one here (not beside the log)."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("user-cache")))


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return copy_example(tmp_path / "log")


def run_build(root: Path, *args: str) -> tuple[int, str, str]:
    result = invoke(["build", "--root", str(root), *args])
    return result.exit_code, result.stdout, result.stderr


def snapshot(site: Path) -> dict[str, tuple[int, int]]:
    return {
        p.relative_to(site).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns)
        for p in site.rglob("*")
        if p.is_file()
    }


def test_build_publishes_the_log_and_says_so(root: Path) -> None:
    code, _, err = run_build(root)
    assert code == 0, err
    assert re.search(r"^Built 10[67] pages in \d+\.\d\ds -> .*/site/$", err, re.M), err
    site = root / "site"
    for rel in (
        "index.html",
        "404.html",
        "decisions/0013/index.html",
        "timeline/index.html",
        "partners/kanto-lab/index.html",
        "partners/kanto-lab/deadlines.ics",
        "feed.xml",
        "decisions.json",
        "assets/style.css",
        "sitemap.xml",
    ):
        assert (site / rel).is_file(), rel


def test_errors_are_printed_and_the_previous_site_is_left_untouched(root: Path) -> None:
    out = root.parent / "public"
    assert run_build(root, "-o", str(out))[0] == 0
    before = snapshot(out)
    path = root / DECISION_13
    path.write_text(
        path.read_text(encoding="utf-8").replace("partners: [kessler,", "partners: [kesler,"),
        encoding="utf-8",
    )
    code, stdout, err = run_build(root, "-o", str(out))
    assert code == 1
    assert f"{DECISION_13}:7:" in stdout and "DL201 unknown partner 'kesler'" in stdout
    assert "the site was not built; the previous site is unchanged" in err
    assert snapshot(out) == before
    assert sorted(p.name for p in root.parent.iterdir()) == ["log", "public"]  # no staging folder left behind
    first = root.parent / "first"
    code, _, err = run_build(root, "-o", str(first))
    assert code == 1
    assert "the site was not built" in err and "previous site" not in err  # there was none
    assert not first.exists()


def test_a_rebuild_rewrites_only_the_files_that_changed(root: Path) -> None:
    site = root / "site"
    result = build(root, site, now=EXAMPLE_NOW, search_index=False)
    assert (
        result.built and result.changed == sum(1 for p in site.rglob("*") if p.is_file()) - 1
    )  # not the marker
    before = snapshot(site)
    path = root / DECISION_13
    path.write_text(path.read_text(encoding="utf-8").replace("## Context", "## Background"), encoding="utf-8")
    again = build(root, site, now=EXAMPLE_NOW, search_index=False)
    after = snapshot(site)
    changed = sorted(rel for rel in after if after[rel] != before.get(rel))
    assert "decisions/0013/index.html" in changed and "decisions/0013/decision.json" in changed
    assert "decisions.json" not in changed  # it has no bodies: a text edit leaves it alone
    assert "decisions/0001/index.html" not in changed and "timeline/index.html" not in changed
    assert again.changed == len([c for c in changed if c != ".declog-site"])


def test_a_status_change_rewrites_facets_js_not_every_filtered_list(root: Path) -> None:
    """The filter bar's counts live in facets.js: a list the decision is not on keeps its bytes."""
    site = root / "site"
    assert build(root, site, now=EXAMPLE_NOW, search_index=False).built
    before, counts = snapshot(site), facet_counts(site)["status"]
    path = next((root / "content/decisions").glob("0028-*.md"))
    text = path.read_text(encoding="utf-8").replace(
        "status: proposed", "status: withdrawn\nreason: Moved to v3."
    )
    path.write_text(text, encoding="utf-8")
    assert build(root, site, now=EXAMPLE_NOW, search_index=False).built
    after = snapshot(site)
    changed = {rel for rel in after if after[rel] != before.get(rel)}
    assert {
        "facets.js",
        "timeline/status/proposed/index.html",
        "timeline/status/withdrawn/index.html",
    } <= changed
    # lists with the filter bar that do not show 0028: their bytes are those of the first build
    assert not changed & {
        "timeline/status/accepted/index.html",
        "tags/gdpr/index.html",
        "timeline/mode/sync/index.html",
    }
    now = facet_counts(site)["status"]
    assert (now["proposed"], now["withdrawn"]) == (counts["proposed"] - 1, counts["withdrawn"] + 1)


def test_the_output_folder_must_be_a_site_declog_built(root: Path) -> None:
    out = root.parent / "docs"
    out.mkdir()
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    code, _, err = run_build(root, "-o", str(out))
    assert code == 2
    assert "is not empty and was not built by declog" in err
    assert (out / "notes.txt").read_text(encoding="utf-8") == "mine"
    code, _, err = run_build(root, "-o", str(root))
    assert code == 2 and "contains the log itself" in err


def test_site_url_sets_feed_links_and_the_sitemap(root: Path) -> None:
    assert run_build(root, "--site-url", "https://org.example/log")[0] == 0
    site = root / "site"
    sitemap = (site / "sitemap.xml").read_text(encoding="utf-8")
    assert "<loc>https://org.example/log/decisions/0013/index.html</loc>" in sitemap
    assert "404.html" not in sitemap
    feed = (site / "feed.xml").read_text(encoding="utf-8")
    assert '<link rel="self" href="https://org.example/log/feed.xml"/>' in feed
    assert "<id>https://org.example/log/decisions/0013/index.html</id>" in feed


def test_without_a_site_url_there_is_no_sitemap_and_feeds_stay_relative(root: Path) -> None:
    config = root / "declog.toml"
    config.write_text(config.read_text(encoding="utf-8").replace("url = ", "# url = "), encoding="utf-8")
    assert run_build(root)[0] == 0
    site = root / "site"
    assert not (site / "sitemap.xml").exists()
    feed = (site / "partners/kessler/feed.xml").read_text(encoding="utf-8")
    assert 'href="../../decisions/0013/index.html"' in feed
    assert "<id>urn:declog:" in feed


def test_strict_makes_warnings_fail_the_build(root: Path) -> None:
    path = root / DECISION_13
    path.write_text(path.read_text(encoding="utf-8").replace("tags:", "colour: red\ntags:"), encoding="utf-8")
    code, stdout, _ = run_build(root)
    assert code == 0 and "DL107" in stdout
    (root / "site").rename(root / "old")
    code, _, err = run_build(root, "--strict")
    assert code == 1 and not (root / "site").exists()
    assert "the site was not built" in err


def test_a_configuration_error_exits_2(root: Path) -> None:
    (root / "declog.toml").write_text("[site\n", encoding="utf-8")
    code, stdout, _ = run_build(root)
    assert code == 2 and "DL501" in stdout


def test_a_log_overrides_the_theme_file_by_file(root: Path) -> None:
    (root / "templates").mkdir()
    (root / "templates/partner.html").write_text(
        '{% extends "base.html" %}{% block title %}{{ view.partner.name }}{% endblock %}'
        "{% block main %}<h1>Our partner {{ view.partner.name }}</h1>{% endblock %}\n",
        encoding="utf-8",
    )
    (root / "templates/assets").mkdir()
    (root / "templates/assets/logo.svg").write_text("<svg/>", encoding="utf-8")
    assert run_build(root)[0] == 0
    site = root / "site"
    assert (
        "<h1>Our partner Kanto Mobility Research Lab</h1>"
        in (site / "partners/kanto-lab/index.html").read_text()
    )
    assert "Our partner" not in (site / "decisions/0013/index.html").read_text()
    assert (site / "assets/logo.svg").is_file() and (site / "assets/style.css").is_file()


def test_a_log_s_macros_shape_the_index_rows_and_every_page_s_header(root: Path) -> None:
    """The index's rows and the header are macros.html's, rendered once and shared by every page."""
    (root / "templates").mkdir()
    macros = (packaged_templates() / "macros.html").read_text(encoding="utf-8")
    macros = macros.replace('<th scope="row" class="num">', '<th scope="row" class="num ours">')
    macros = macros.replace('<header class="site-header">', '<header class="site-header ours">')
    (root / "templates/macros.html").write_text(macros, encoding="utf-8")
    assert run_build(root)[0] == 0
    site = root / "site"
    assert (site / "decisions/index.html").read_text().count('<th scope="row" class="num ours">') == 33
    for rel in ("index.html", "decisions/0013/index.html", "timeline/status/accepted/index.html"):
        assert '<header class="site-header ours">' in (site / rel).read_text(), rel
    status = (site / "timeline/status/accepted/index.html").read_text()  # the links start from the page
    assert '<li><a href="../../../timeline/index.html" aria-current="page">Timeline</a></li>' in status
    assert '<li><a href="../../../decisions/index.html">Decisions</a></li>' in status


def test_a_log_s_macros_from_before_the_shared_parts_still_build_every_page(root: Path) -> None:
    """A log's macros.html without index_row or the layout's parts: those come from the default theme."""
    (root / "templates").mkdir()
    macros = (packaged_templates() / "macros.html").read_text(encoding="utf-8")
    macros = re.sub(
        r"\{% macro (index_row|site_head|site_header|site_footer)\(.*?endmacro %\}", "", macros, flags=re.S
    )
    assert "macro index_row" not in macros and "macro site_header" not in macros
    macros = macros.replace('<span class="badge status-', '<span class="badge ours status-')
    (root / "templates/macros.html").write_text(macros, encoding="utf-8")
    code, stdout, err = run_build(root)
    assert code == 0, stdout + err
    site = root / "site"
    index = (site / "decisions/index.html").read_text()
    assert index.count('<tr class="item"') == 33
    assert '<li><a href="../decisions/index.html" aria-current="page">Decisions</a></li>' in index
    timeline = (site / "timeline/index.html").read_text()
    assert '<span class="badge ours status-accepted">' in timeline  # the log's own macros, where it has them
    assert '<footer class="site-footer">\n<p>As of <time' in timeline


def test_a_template_syntax_error_is_a_finding_with_file_and_line(root: Path) -> None:
    (root / "templates").mkdir()
    (root / "templates/decision.html").write_text(
        '{% extends "base.html" %}\n{% block main %}\n{% if %}\n{% endblock %}\n', encoding="utf-8"
    )
    code, stdout, err = run_build(root)
    assert code == 1
    assert stdout.startswith("templates/decision.html:3:1: error DL601 ")
    assert "Traceback" not in err


def test_a_template_error_while_rendering_names_the_template_line(root: Path) -> None:
    (root / "templates").mkdir()
    (root / "templates/meeting.html").write_text(
        '{% extends "base.html" %}{% block title %}x{% endblock %}{% block main %}\n'
        "<p>{{ view.meeting.title }}</p>\n<p>{{ view.meeting.room }}</p>\n{% endblock %}\n",
        encoding="utf-8",
    )
    code, stdout, err = run_build(root)
    assert code == 1
    assert "templates/meeting.html:3:1: error DL602 UndefinedError while rendering meetings/" in stdout
    assert "has no attribute 'room'" in stdout
    assert not (root / "site").exists() and "Traceback" not in err


def test_source_date_epoch_sets_the_as_of_time(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(dt.datetime(2026, 11, 20, tzinfo=dt.UTC).timestamp())))
    assert run_build(root)[0] == 0
    home = (root / "site/index.html").read_text(encoding="utf-8")
    assert '<time datetime="2026-11-20T00:00:00+00:00">' in home


@pytest.mark.skipif(
    search.executable() is None, reason="pagefind is not installed (pip install -e '.[search]')"
)
def test_with_pagefind_installed_the_site_has_search(root: Path) -> None:
    site = root / "site"
    result = build(root, site, now=EXAMPLE_NOW)
    assert result.built, result.findings
    assert (site / "pagefind/pagefind-ui.js").is_file()
    page = (site / "search/index.html").read_text(encoding="utf-8")
    assert "pagefind/pagefind-ui.js" in page
    assert 'href="../search/index.html"' in (site / "decisions/0013/index.html").read_text().replace(
        "../../", "../"
    )
    assert os.listdir(site / "pagefind")
