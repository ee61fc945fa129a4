"""The example site's pages: the right decisions on the board, partner, timeline and
meeting pages, every link resolves, and the machine-readable twins are well formed."""

from __future__ import annotations

import json
import re
import shutil
import xml.etree.ElementTree as ET
from collections import deque
from pathlib import Path

import pytest
from conftest import ACCEPTED, ACME, GLOBEX, REPO, invoke, make_log
from sitetools import EXAMPLE_NOW, broken_links, build_example, copy_example, example_site, html_files, parse

from declog.site import feeds
from declog.site.build import build
from declog.site.markdown import Markdown, Targets

SITE_URL = "https://example.github.io/freight-log/"


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return example_site(tmp_path_factory)


def read(site: Path, rel: str) -> str:
    return (site / rel).read_text(encoding="utf-8")


def section(html: str, label: str) -> str:
    """The text of ``<section aria-labelledby="label">`` up to its matching end tag."""
    start = html.index(f'aria-labelledby="{label}"')
    depth, pos = 1, html.index(">", start)
    while depth:
        m = re.compile(r"<(/?)section\b").search(html, pos + 1)
        assert m, f"section {label} is not closed"
        depth += -1 if m.group(1) else 1
        pos = m.start()
    return html[start:pos]


def ids(fragment: str) -> list[str]:
    """Decision ids linked from ``fragment``, in order, each once."""
    found = re.findall(r'href="(?:\.\./)*decisions/(\d{4,})/index\.html"', fragment)
    return list(dict.fromkeys(found))


# --- the home page ----------------------------------------------------------------------


def test_board_has_a_column_per_status_with_the_right_decisions(site: Path) -> None:
    home = read(site, "index.html")
    assert ids(section(home, "dl-col-proposed")) == ["0028", "0030", "0029", "0027"]
    assert ids(section(home, "dl-col-draft")) == ["0032", "0031"]
    assert ids(section(home, "dl-col-rejected")) == ["0018", "0015", "0011"]
    assert ids(section(home, "dl-col-superseded")) == ["0016", "0008", "0007", "0004"]
    accepted = section(home, "dl-col-accepted")
    assert ids(accepted) == ["0033", "0026", "0024", "0023", "0022", "0020"]  # six, the newest
    assert 'href="timeline/status/accepted/index.html">12 more accepted</a>' in accepted


def test_home_counts_each_status_once(site: Path) -> None:
    """The counts row says how many; the board and the classified index do not say it again."""
    home = read(site, "index.html")
    assert home.count('<span class="n">18</span>') == 1
    assert '<span class="count">' not in section(home, "dl-board")
    table = home.split('<table class="classified">')[1].split("</table>")[0]
    assert ">All<" not in table and "<td>18</td>" not in table


def test_needs_attention_lists_every_open_proposal_with_whom_it_waits_on(site: Path) -> None:
    home = section(read(site, "index.html"), "dl-attention")
    block, reviews = home.split('<p class="reviews-due"')
    assert ids(block) == ["0027", "0028", "0029", "0030"]  # soonest deadline first
    assert ids(reviews) == ["0003", "0010"]  # then the reviews due (0001 and 0002 were confirmed by 0033)
    # Without the script, words that stay true once the build is old: the time left is the reader's.
    first = block[block.index("decisions/0027/") :].split("</li>")[0]
    assert '<strong class="left" data-deadline="2026-11-20T09:00:00-05:00">passed</strong>' in first
    item = block[block.index("decisions/0028/") :].split("</li>")[0]
    assert 'data-deadline="2026-11-26T10:00:00-05:00" data-open>open</strong>' in item
    # Waiting on Kanto and Rota Sul, by short name, the full name in the link's title.
    assert 'title="Kanto Mobility Research Lab">Kanto Lab</a>, ' in item
    assert ">Rota Sul</a>" in item


def test_a_partner_page_gives_the_deadline_in_the_partners_own_time(site: Path) -> None:
    block = section(read(site, "partners/kanto-lab/index.html"), "dl-awaiting")
    item = block[block.index("decisions/0028/") :].split("</li>")[0]
    assert (
        '<time datetime="2026-11-27T00:00:00+09:00">2026-11-27 00:00 JST</time> (Kanto Lab local time)'
        in item
    )


def test_home_says_what_was_decided_recently_and_counts_each_status(site: Path) -> None:
    home = read(site, "index.html")
    recent = section(home, "dl-recent")
    assert ids(recent)[:3] == ["0033", "0026", "0024"] and len(ids(recent)) == 10
    assert '<time datetime="2026-11-10' in recent and "status-accepted" in recent
    counts = home.split('<ul class="counts"', 1)[1].split("</ul>")[0]
    assert 'status-accepted">accepted</span> <span class="n">18</span>' in counts
    assert home.count("Wayline Consortium — Decision Log</a>") == 1  # the title, once
    # cards leave out the partners when every partner is party to the decision
    accepted = section(home, "dl-col-accepted")
    assert "Kessler" not in accepted.split("decisions/0026/")[1].split("</li>")[0]


def test_the_classified_index_counts_status_by_category(site: Path) -> None:
    table = read(site, "index.html").split('<table class="classified">')[1].split("</table>")[0]
    rows = re.findall(r"<tr><th scope=\"row\">(?:<a [^>]*>)?(\w+)(?:</a>)?</th>((?:<td>\d+</td>)+)", table)
    counts = {status: [int(n) for n in re.findall(r"\d+", cells)] for status, cells in rows}
    assert sum(sum(c) for c in counts.values()) == 33
    assert counts["accepted"] == [11, 7]  # strategic, operational


# --- partner pages ------------------------------------------------------------------------


def test_partner_page_shows_what_awaits_it_and_what_was_decided_without_it(site: Path) -> None:
    page = read(site, "partners/kanto-lab/index.html")
    assert ids(section(page, "dl-awaiting")) == ["0028", "0029", "0030"]
    absent = section(page, "dl-absent")
    assert ids(absent) == ["0019", "0006"]
    assert "0019</span> Split running costs" in absent or "absent from the meeting" in absent
    assert "accepted by silence" in absent
    assert ids(section(page, "dl-proposals")) == ["0030", "0025", "0018", "0015", "0032"]  # undated last
    assert 'href="../../timeline/partner/kanto-lab/index.html">31 decisions on the timeline' in page
    members = section(page, "dl-members")
    assert "Hiroshi Tanaka (<code>hiro-tanaka</code>), Lab Director" in members
    assert (
        'href="../../partners/kanto-lab/deadlines.ics"' in page
        and 'href="../../partners/kanto-lab/feed.xml"' in page
    )


def test_a_partner_that_missed_nothing_says_so(site: Path) -> None:
    page = read(site, "partners/kessler/index.html")
    assert ids(section(page, "dl-absent")) == []
    assert "took part in every decision it is party to" in page


# --- the timeline -------------------------------------------------------------------------


def test_timeline_groups_by_month_and_filters_without_javascript(site: Path) -> None:
    page = read(site, "timeline/index.html")
    assert len(ids(page.split('<section class="month"', 1)[1])) == 33
    november = section(page, "dl-m-2026-11")
    assert '<h2 id="dl-m-2026-11">November 2026</h2>' in november
    assert "0026" in ids(november)
    assert ids(read(site, "timeline/status/proposed/index.html").split('<section class="month"', 1)[1]) == [
        "0028",
        "0030",
        "0029",
        "0027",
    ]
    rota = read(site, "timeline/partner/rota-sul/index.html")
    assert (
        "31 decisions" in rota and 'aria-current="page" title="Rota Sul Distribuição Ltda.">Rota Sul' in rota
    )
    sync = read(site, "timeline/mode/sync/index.html").split('<section class="month"', 1)[1]
    assert all('data-mode="sync"' in li for li in sync.split('<li class="item"')[1:])
    tag = read(site, "tags/gdpr/index.html")
    assert "<h1>Tag: gdpr</h1>" in tag


def test_long_lists_are_paginated(tmp_path: Path) -> None:
    root = copy_example(tmp_path / "log")
    config = root / "declog.toml"
    config.write_text(
        config.read_text(encoding="utf-8").replace('timezone = "UTC"', 'timezone = "UTC"\nper_page = 5')
    )
    site = tmp_path / "site"
    assert build(root, site, search_index=False).built
    pages = [site / "timeline/index.html", *(site / f"timeline/{n}/index.html" for n in range(2, 8))]
    assert not (site / "timeline/8/index.html").exists()
    seen = []
    for p in pages:
        found = ids(
            p.read_text(encoding="utf-8").split('<section class="month"', 1)[1].split('<nav class="pager"')[0]
        )
        assert 1 <= len(found) <= 5
        seen += found
    assert sorted(seen) == [f"{n:04d}" for n in range(1, 34)]
    second = pages[1].read_text(encoding="utf-8")
    assert '<a href="../../timeline/index.html" rel="prev">Newer</a>' in second
    assert '<a href="../../timeline/3/index.html" rel="next">Older</a>' in second
    assert broken_links(site, SITE_URL) == []


# --- decision and meeting pages -----------------------------------------------------------


def test_decision_page_shows_metadata_matrix_chain_and_links(site: Path) -> None:
    page = read(site, "decisions/0008/index.html")
    assert "<h1>Retain raw GPS position pings for 24 months</h1>" in page
    assert ids(section(page, "dl-chain")) == ["0016", "0023"]
    assert '<strong aria-current="true"><span class="id">0008</span>' in section(page, "dl-chain")
    assert ids(section(page, "dl-links").split("Decisions this one links to")[0]) == ["0011", "0016", "0023"]
    assert "Superseded by" in page
    details = section(page, "dl-details")
    for label in ("Status", "Mode", "Category", "Owner", "Proposed", "Decided", "Logged", "Logging lag"):
        assert f"<dt>{label}</dt>" in details


def test_approval_matrix_has_a_row_per_partner(site: Path) -> None:
    matrix = section(read(site, "decisions/0019/index.html"), "dl-approvals")
    assert matrix.count("<tr class=") == 4
    kanto = matrix[matrix.index("Kanto Mobility Research Lab</a></th>") :].split("</tr>")[0]
    assert 'approved<small class="hint">absent from the meeting</small>' in kanto  # afterwards, by e-mail
    pending = section(read(site, "decisions/0028/index.html"), "dl-approvals")
    assert pending.count('class="state-pending"') == 2
    silence = section(read(site, "decisions/0006/index.html"), "dl-approvals")
    assert "approved by silence" in silence


def test_approval_times_are_in_the_sites_zone_with_the_partners_own_as_a_detail(site: Path) -> None:
    """One zone down the When column (the site's, UTC here); the partner's clock in small text."""
    matrix = section(read(site, "decisions/0027/index.html"), "dl-approvals")
    assert '<th scope="col">When (UTC)</th>' in matrix
    kanto = matrix[matrix.index("Kanto Mobility Research Lab</a></th>") :].split("</tr>")[0]
    when = kanto.split('data-label="When">')[1].split("</td>")[0]
    assert when.startswith('<time datetime="2026-11-18T10:30:00+09:00">2026-11-18 01:30 UTC</time>')
    assert '<small class="local">Kanto Lab local time: <time' in when and "10:30 JST</time>" in when


def test_silence_due_is_secondary_and_says_how_to_record_it(site: Path) -> None:
    """Rota Sul's silence counts on 0027 but is not recorded: it reads as less than a real approval."""
    matrix = section(read(site, "decisions/0027/index.html"), "dl-approvals")
    rota = matrix[matrix.index('<tr class="state-silence-due">') :].split("</tr>")[0]
    assert "approved by silence" in rota and "— record it" not in rota
    assert '<small class="hint">not yet recorded: <code>declog approvals --write</code></small>' in rota
    css = (site / "assets/style.css").read_text(encoding="utf-8")
    assert ".state-approved .state { color: var(--accepted); font-weight: 600; }" in css
    assert (
        ".state-silence .state, .state-silence-due .state { color: var(--muted); font-style: italic; }" in css
    )


def test_references_in_bodies_link_to_decision_pages(site: Path) -> None:
    page = read(site, "decisions/0013/index.html")
    assert '(<a href="../../decisions/0006/index.html" class="ref">0006</a>)' in page
    assert "[[0006]]" not in page


def test_meeting_page_lists_attendees_absent_partners_and_decisions(site: Path) -> None:
    page = read(site, "meetings/2026-03-10-steering-q1/index.html")
    attendees = section(page, "dl-attendees")
    assert "Absent partners" in attendees and "Rota Sul" in attendees.split("Absent partners")[1]
    assert ids(section(page, "dl-confirmed")) == ["0014", "0015"]


def test_the_404_page_works_at_any_depth(site: Path) -> None:
    page = read(site, "404.html")
    assert f'href="{SITE_URL}assets/style.css"' in page
    assert f'href="{SITE_URL}timeline/index.html"' in page


# --- links --------------------------------------------------------------------------------


def test_every_internal_link_resolves_to_a_file(site: Path) -> None:
    assert broken_links(site, SITE_URL) == []


def test_every_page_is_reachable_from_the_home_page(site: Path) -> None:
    seen, todo = {site / "index.html"}, deque([site / "index.html"])
    while todo:
        page = todo.popleft()
        for _, link in parse(page).links:
            path = link.split("#")[0]
            if not path.endswith(".html") or "://" in path:
                continue
            target = (page.parent / path).resolve()
            if target not in seen and target.is_file():
                seen.add(target)
                todo.append(target)
    unreached = sorted(p.relative_to(site).as_posix() for p in html_files(site) if p.resolve() not in seen)
    assert unreached == ["404.html"]


def test_pages_load_no_script_but_the_theme_s(site: Path) -> None:
    for path in html_files(site):
        page = parse(path)
        assert page.scripts == [], path
        root = SITE_URL if path.name == "404.html" else "../" * (len(path.relative_to(site).parts) - 1)
        scripts = [root + "assets/site.js"]
        if 'class="filters"' in path.read_text(encoding="utf-8"):
            scripts.append(root + "facets.js")  # the filter bar's counts
        assert [src for tag, src in page.links if tag == "script"] == scripts, path


# --- machine-readable twins ---------------------------------------------------------------


def test_decisions_json_is_the_whole_database(site: Path) -> None:
    data = json.loads(read(site, "decisions.json"))
    assert data["version"] == 2 and data["as_of"] == "2026-11-25T00:00:01+00:00"
    assert len(data["decisions"]) == 33 and len(data["partners"]) == 4 and len(data["meetings"]) == 7
    d28 = next(d for d in data["decisions"] if d["id"] == "0028")
    assert d28["waiting_on"] == ["kanto-lab", "rota-sul"]
    assert d28["page"] == "decisions/0028/index.html" and (site / d28["page"]).is_file()
    d8 = next(d for d in data["decisions"] if d["id"] == "0008")
    assert d8["linked_from"] == ["0011", "0016", "0023"] and d8["superseded_by"] == "0016"
    meeting = next(m for m in data["meetings"] if m["id"] == "2026-06-16-steering-q2")
    assert meeting["absent_partners"] == ["kanto-lab"]


def test_each_decision_s_body_is_in_its_own_json_file(site: Path) -> None:
    """decisions.json stays small: the bodies are in decisions/NNNN/decision.json, named by ``json``."""
    data = json.loads(read(site, "decisions.json"))
    assert all("body" not in d for d in data["decisions"])
    for entry in data["decisions"]:
        assert entry["json"] == f"decisions/{entry['id']}/decision.json"
        whole = json.loads(read(site, entry["json"]))
        assert whole == {**entry, "body": whole["body"]}  # the same entry, and the body
        source = (REPO / entry["source_file"]).read_text(encoding="utf-8")
        assert whole["body"] and source.endswith(whole["body"])
    d28 = json.loads(read(site, "decisions/0028/decision.json"))
    assert d28["body"].startswith("\n## Context\n\nUnder [[0009]] a major API version")
    assert len(read(site, "decisions.json")) < sum(len(read(site, d["json"])) for d in data["decisions"])


def test_atom_feeds_parse_and_keep_stable_ids(site: Path) -> None:
    ns = {"a": "http://www.w3.org/2005/Atom"}
    root = ET.fromstring((site / "feed.xml").read_bytes())
    entries = root.findall("a:entry", ns)
    assert len(entries) == 33
    assert {e.findtext("a:id", namespaces=ns) for e in entries} == {
        f"{SITE_URL}decisions/{n:04d}/index.html" for n in range(1, 34)
    }
    content = entries[0].find("a:content", ns)
    assert content is not None and content.get("type") == "html"
    assert content.get("{http://www.w3.org/XML/1998/namespace}base", "").startswith(SITE_URL + "decisions/")
    partner = ET.fromstring((site / "partners/kanto-lab/feed.xml").read_bytes())
    assert len(partner.findall("a:entry", ns)) == 31


def test_partner_calendar_has_its_open_deadlines(site: Path) -> None:
    raw = (site / "partners/kanto-lab/deadlines.ics").read_bytes()
    assert raw.endswith(b"\r\n") and b"\n" not in raw.replace(b"\r\n", b"")
    lines = raw.decode("utf-8").split("\r\n")
    assert all(len(line.encode("utf-8")) <= 75 for line in lines)
    unfolded = raw.decode("utf-8").replace("\r\n ", "")
    uids = re.findall(r"^UID:([^\r\n]*)", unfolded, re.M)
    assert uids == [
        f"decision-{n}-deadline-wayline-consortium-decision-log@example.github.io"
        for n in ("0028", "0029", "0030")
    ] + [  # then each open review date, soonest first (0001 and 0002 were confirmed by 0033)
        f"decision-{n}-review-wayline-consortium-decision-log@example.github.io"
        for n in ("0003", "0010", "0014", "0017", "0019", "0026", "0023", "0024", "0001", "0002")
    ]
    assert "DTSTART:20261126T150000Z" in unfolded
    assert f"URL:{SITE_URL}decisions/0028/index.html" in unfolded
    assert (site / "partners/kessler/deadlines.ics").read_bytes().count(b"BEGIN:VEVENT") == 2 + 10
    # a name ending in a full stop ends the sentence once: "Ltda.", never "Ltda.."
    rota = (site / "partners/rota-sul/deadlines.ics").read_bytes().decode("utf-8").replace("\r\n ", "")
    assert (
        "DESCRIPTION:Waiting on: Kanto Mobility Research Lab\\, Rota Sul Distribuição Ltda. Status: proposed."
        in rota
    )


def test_icalendar_text_is_escaped_and_folded_on_character_boundaries() -> None:
    assert feeds.ics_text("a,b;c\\d\ne") == "a\\,b\\;c\\\\d\\ne"
    line = "SUMMARY:" + "São Paulo ✓ " * 12
    folded = feeds.fold(line)
    parts = folded.split("\r\n")
    assert all(len(p.encode("utf-8")) <= 75 for p in parts)
    assert all(p.startswith(" ") for p in parts[1:])
    assert "".join(p[1:] if i else p for i, p in enumerate(parts)) == line


# --- Markdown -----------------------------------------------------------------------------


def test_markdown_resolves_references_the_way_check_does() -> None:
    md = Markdown(Targets.of([("0042-use-git.md", "0042")], ["acme"], ["2026-01-kickoff"]))
    html = md.render(
        "See [[0042]], [[ 0042 ]], [[0099]], [the log](0042-use-git.md#why), [up](../decisions/0042-use-git.md),"
        " [acme](../partners/acme.md), `[[0042]]` and [ext](https://example.org/x).",
        "../../",
    ).html
    assert html.count('href="../../decisions/0042/index.html"') == 3
    assert 'href="../../decisions/0042/index.html#why"' in html
    assert "[[0099]]" in html and 'href="../../partners/acme/index.html"' in html
    assert "<code>[[0042]]</code>" in html and 'href="https://example.org/x"' in html


def test_markdown_supports_tables_footnotes_task_lists_and_heading_ids() -> None:
    html = (
        Markdown(Targets())
        .render(
            "## Why it matters\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n- [x] done\n\nNote[^1]\n\n[^1]: the note\n",
            "",
        )
        .html
    )
    assert '<h2 id="why-it-matters">' in html and "<table>" in html
    assert 'type="checkbox"' in html and 'class="footnote-ref"' in html


def test_build_example_helper_gives_the_same_site(tmp_path: Path, site: Path) -> None:
    again, result = build_example(tmp_path)
    assert result.pages == sum(1 for _ in html_files(site))
    assert (again / "index.html").read_bytes() == (site / "index.html").read_bytes()


# --- the compact index --------------------------------------------------------------------


def test_the_index_has_one_row_per_decision_by_number(site: Path) -> None:
    page = read(site, "decisions/index.html")
    body = page.split("<tbody>", 1)[1].split("</tbody>")[0]
    rows = body.split('<tr class="item"')[1:]
    assert len(rows) == 33
    assert ids(body) == [f"{n:04d}" for n in range(1, 34)]
    row = next(r for r in rows if "decisions/0028/" in r)
    assert "status-proposed" in row
    assert '<td data-label="Category">operational</td>' in row and '<td data-label="Mode">async</td>' in row
    assert '<time datetime="2026-11-' in row  # proposed
    # partners by short name; "all partners" when every partner is party
    assert ">Kanto Lab</span>" in row or "all partners" in row
    assert '<form class="js-filter table-filter" hidden' in page  # complete without JavaScript
    assert 'href="decisions/index.html"' in read(site, "index.html")


def test_the_index_spliced_from_its_rows_is_the_index_rendered_whole(tmp_path: Path, site: Path) -> None:
    """The default theme's index is written from its rows as they are (Theme.render_data); a log
    with its own copy of the same templates renders it whole: the bytes are the same."""
    from declog.site.render import packaged_templates

    root = copy_example(tmp_path / "log")
    (root / "templates").mkdir()
    for name in ("decisions.html", "base.html"):
        shutil.copy(packaged_templates() / name, root / "templates" / name)
    result = build(root, tmp_path / "site", now=EXAMPLE_NOW, search_index=False)
    assert result.built, result.findings
    for rel in ("decisions/index.html", "index.html", "decisions/0028/index.html"):
        assert (tmp_path / "site" / rel).read_bytes() == (site / rel).read_bytes(), rel


def test_the_home_page_is_light_and_self_contained(site: Path) -> None:
    home = read(site, "index.html")
    weight = sum(
        len((site / rel).read_bytes()) for rel in ("index.html", "assets/style.css", "assets/site.js")
    )
    assert weight < 60_000, weight
    loaded = re.findall(r'<(?:link|script)\b[^>]*\b(?:href|src)="([^"]+)"', home)
    assert loaded and not [u for u in loaded if u.startswith(("http:", "https:", "//"))]
    assert "@import" not in read(site, "assets/style.css") and "url(http" not in read(
        site, "assets/style.css"
    )


def test_a_meeting_page_keeps_what_it_proposed_apart_from_what_it_decided(tmp_path: Path) -> None:
    """A decision taken in a meeting one partner missed stays proposed: it was not confirmed there."""
    root = copy_example(tmp_path / "log")
    meeting = "2026-03-10-steering-q1"  # Rota Sul was absent
    run = invoke(
        ["new", "Share the on-call rota", "--root", str(root), "--meeting", meeting, "--owner", "priya-raman"]
    )
    assert run.exit_code == 0, run.stdout + run.stderr
    new = next(p for p in (root / "content/decisions").iterdir() if "share-the-on-call-rota" in p.name)
    number = new.name[:4]
    assert "status: proposed" in new.read_text(encoding="utf-8")
    result = build(root, tmp_path / "site", now=EXAMPLE_NOW, search_index=False)
    assert result.built, [f"{d.path}:{d.line}: {d.code} {d.message}" for d in result.findings]
    page = read(tmp_path / "site", f"meetings/{meeting}/index.html")
    assert ids(section(page, "dl-confirmed")) == ["0014", "0015"]
    assert ids(section(page, "dl-proposed")) == [number]


def test_a_proposal_without_a_deadline_is_in_what_awaits_the_partner_it_waits_on(tmp_path: Path) -> None:
    """Taken in a meeting Rota Sul missed: no deadline, but it waits on Rota Sul until it approves."""
    root = copy_example(tmp_path / "log")
    meeting = "2026-03-10-steering-q1"
    run = invoke(
        ["new", "Share the on-call rota", "--root", str(root), "--meeting", meeting, "--owner", "priya-raman"]
    )
    assert run.exit_code == 0, run.stdout + run.stderr
    new = next(p for p in (root / "content/decisions").iterdir() if "share-the-on-call-rota" in p.name)
    number = new.name[:4]
    assert "deadline" not in new.read_text(encoding="utf-8")
    site = tmp_path / "site"
    result = build(root, site, now=EXAMPLE_NOW, search_index=False)
    assert result.built, [f"{d.path}:{d.line}: {d.code} {d.message}" for d in result.findings]
    home = section(read(site, "index.html"), "dl-attention")
    assert number in ids(home)
    item = home[home.index(f"decisions/{number}/") :]
    item = re.sub(r"<[^>]+>", "", item[: item.index("</li>")])
    assert "No feedback deadline: taken in a meeting" in item and "Waiting on Rota Sul" in item
    assert number in ids(section(read(site, "partners/rota-sul/index.html"), "dl-awaiting"))
    assert number not in ids(section(read(site, "partners/kessler/index.html"), "dl-awaiting"))
    calendar = (site / "partners/rota-sul/deadlines.ics").read_text(encoding="utf-8")
    assert f"decision-{number}-" not in calendar  # no date to put in a calendar
    # the callout ends with Rota Sul's name, which ends with its own full stop
    page = read(site, f"decisions/{number}/index.html")
    assert (
        'Waiting on <a href="../../partners/rota-sul/index.html">Rota Sul Distribuição Ltda.</a></p>' in page
    )
    assert "Ltda.</a>." not in page and "Ltda.." not in page


def test_a_sentence_ending_with_a_name_gets_one_full_stop(tmp_path: Path) -> None:
    """Partner pages whose sentences end with a name that ends with a full stop: one stop, not two."""
    log = make_log(tmp_path / "log")
    log.partner("acme", ACME.replace("name: Acme Ltd", "name: Acme Ltda."))
    log.partner("globex", GLOBEX.replace("name: Globex Inc", "name: Globex S.A."))
    log.decision("0001-keep-decisions-in-git", ACCEPTED)
    site = tmp_path / "site"
    result = build(log.root, site, now=EXAMPLE_NOW, search_index=False)
    assert result.built, [f"{d.path}:{d.line}: {d.code} {d.message}" for d in result.findings]
    assert '<p class="empty">Nothing is waiting for Acme Ltda.</p>' in read(site, "partners/acme/index.html")
    globex = read(site, "partners/globex/index.html")
    assert '<p class="empty">No decision is owned by a member of Globex S.A.</p>' in globex
    assert not [p for p in html_files(site) if ".." in re.sub(r'"[^"]*"', "", p.read_text(encoding="utf-8"))]


def test_a_new_log_shows_first_steps_and_names_its_partner(tmp_path: Path) -> None:
    """`declog init`'s log: one proposal, nothing decided. One first-steps note, no empty board."""
    root = tmp_path / "log"
    run = invoke(
        [
            "init",
            str(root),
            "--partner",
            "nordlys",
            "--name",
            "Nordlys Energi Sjøkraft Holding ASA",
            "--member",
            "anna-n",
        ]
    )
    assert run.exit_code == 0, run.stdout + run.stderr
    site = tmp_path / "site"
    result = build(root, site, now=EXAMPLE_NOW, search_index=False)
    assert result.built, [f"{d.path}:{d.line}: {d.code} {d.message}" for d in result.findings]
    home = read(site, "index.html")
    assert "First steps" in home and "None." not in home and 'id="dl-board"' not in home
    assert "<code>declog approvals</code>" in section(home, "dl-recent")
    assert 'title="Nordlys Energi Sjøkraft Holding ASA">Nordlys Energi Sjøkraft</a>' in section(
        home, "dl-attention"
    )
