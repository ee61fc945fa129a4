"""The log's own fields on the site: the decision page, the index's columns, the timeline's facets
(pre-built pages and the filter script's attributes) and the Atom entry.

Each test builds a small log whose declog.toml declares a field of every type, with values that
would break a page if they were not escaped, and reads the pages a reader would open.
"""

from __future__ import annotations

import datetime as dt
import html
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from conftest import ACCEPTED, CONFIG, LogMaker, doc
from sitetools import facet_counts

from declog.site.build import build

NOW = dt.datetime(2026, 2, 1, 12, 0, tzinfo=dt.UTC)

FIELDS = """
[fields.budget]
type = "money"
index = true
description = 'What it costs & "when" <b>'

[fields.systems]
type = "list"
items = { type = "enum", values = ["billing", "portal", "EU <region>"] }
facet = true

[fields.contract]
type = "url"

[fields.lead]
type = "partner"
facet = true

[fields.reviewer]
type = "member"

[fields.urgent]
type = "boolean"
facet = true

[fields.go_live]
type = "date"
index = true

[fields.signed]
type = "datetime"

[fields.note]
type = "text"
"""

#: 0001 with a value of every declared field.
FULL = ACCEPTED.replace(
    "rationale: Everyone can read git.\n",
    "rationale: Everyone can read git.\n"
    "budget: EUR 410000\n"
    'systems: [billing, "EU <region>"]\n'
    "contract: https://contracts.example/7?a=1&b=2\n"
    "lead: globex\n"
    "reviewer: carol\n"
    "urgent: true\n"
    "go_live: 2026-12-31\n"
    "signed: 2026-01-08T10:00:00+01:00\n"
    "note: |\n  first line <script>alert(1)</script>\n  second line\n",
)

#: 0002, a draft holding two fields only.
DRAFT = doc(
    """
    id: "0002"
    title: Bill by the kilometre
    status: draft
    mode: async
    category: operational
    partners: [acme, globex]
    owner: alice
    proposed: 2026-01-20T09:00:00+01:00
    budget: USD 1234.5
    systems: [portal]
    urgent: false
    """
)


@pytest.fixture
def site(log: LogMaker, tmp_path: Path) -> Path:
    log.config(
        CONFIG.replace('title = "Test log"\n', 'title = "Test log"\nurl = "https://log.example/"\n') + FIELDS
    )
    log.decision("0001-keep-decisions-in-git", FULL)
    log.decision("0002-bill-by-the-kilometre", DRAFT)
    out = tmp_path / "site"
    result = build(log.root, out, now=NOW, search_index=False, jobs=1)
    assert result.built, [f"{d.path}:{d.line}: {d.code} {d.message}" for d in result.findings]
    return out


def page(site: Path, rel: str) -> str:
    return (site / rel).read_text(encoding="utf-8")


def test_the_decision_page_shows_every_field_by_its_type(site: Path) -> None:
    text = page(site, "decisions/0001/index.html")
    assert '<dt>Budget<small class="hint">What it costs &amp; &#34;when&#34; &lt;b&gt;</small></dt>' in text
    assert '<span class="nowrap">EUR 410,000</span>' in text
    assert "<li>billing</li><li>EU &lt;region&gt;</li>" in text
    url = "https://contracts.example/7?a=1&amp;b=2"
    assert f'<a class="url" href="{url}">{url}</a>' in text
    assert '<dt>Lead</dt><dd class="field"><a href="../../partners/globex/index.html">Globex Inc</a>' in text
    assert '<dt>Reviewer</dt><dd class="field"><a href="../../partners/globex/index.html">Carol C</a>' in text
    assert '<dt>Urgent</dt><dd class="field">yes</dd>' in text
    assert '<dt>Go live</dt><dd class="field"><time datetime="2026-12-31">2026-12-31</time></dd>' in text
    assert '<time datetime="2026-01-08T10:00:00+01:00">2026-01-08 09:00 UTC</time>' in text
    assert "first line &lt;script&gt;alert(1)&lt;/script&gt;\nsecond line" in text
    assert "<script>alert" not in text and "<b>" not in text


def test_a_field_without_a_value_is_not_shown(site: Path) -> None:
    text = page(site, "decisions/0002/index.html")
    assert '<span class="nowrap">USD 1,234.5</span>' in text
    assert "<dt>Urgent</dt>" in text  # false is a value
    assert "<dt>Contract</dt>" not in text and "<dt>Lead</dt>" not in text and "<dt>Go live</dt>" not in text


def test_the_index_has_a_column_per_indexed_field(site: Path) -> None:
    text = page(site, "decisions/index.html")
    head = text[text.index("<thead>") : text.index("</thead>")]
    assert head.endswith(
        '<th scope="col" title="What it costs &amp; &#34;when&#34; &lt;b&gt;">Budget</th>'
        '<th scope="col">Go live</th></tr>'
    )
    row = text[text.index("0001/index.html") : text.index("0002/index.html")]
    assert '<span class="nowrap">EUR 410,000</span></td>' in row
    assert '<time datetime="2026-12-31">2026-12-31</time></td>' in row
    draft = text[text.index("0002/index.html") :]
    assert '<td data-label="Go live"></td>' in draft  # no value: an empty cell, hidden on a phone
    # the script sorts the column by data-value: by currency, then by amount
    keys = [html.unescape(k.split('"')[0]) for k in text.split('data-label="Budget" data-value="')[1:]]
    assert [k.split()[0] for k in keys] == ["EUR", "USD"]


def test_the_timeline_can_be_filtered_by_each_facet_field_without_javascript(site: Path) -> None:
    text = page(site, "timeline/index.html")
    assert (
        "<summary>Filter by status, mode, category, partner, tag, systems, lead or urgent</summary>" in text
    )
    nav = text[text.index('<nav class="facets"') : text.index("</nav>", text.index('<nav class="facets"'))]
    assert '<span class="facet-name">Systems</span>' in nav
    assert (
        '<li data-value="billing"><a href="../timeline/field-systems/billing/index.html">billing</a></li>'
        in nav
    )
    assert facet_counts(site)["field-systems"]["billing"] == 1  # shown by the script, not in the page
    # a value that cannot be a folder's name gets a key of its own; its label is escaped
    assert '<a href="../timeline/field-systems/eu-region/index.html">EU &lt;region&gt;</a>' in nav
    assert '<a href="../timeline/field-lead/globex/index.html">Globex Inc</a>' in nav
    assert '<a href="../timeline/field-urgent/no/index.html">no</a>' in nav
    assert nav.index("field-urgent/no/") < nav.index("field-urgent/yes/")
    portal = page(site, "timeline/field-systems/portal/index.html")
    assert "<h1>Timeline: systems portal</h1>" in portal
    assert "<summary>Filter: systems portal</summary>" in portal
    assert "Bill by the kilometre" in portal and "Keep decisions in git" not in portal
    region = page(site, "timeline/field-systems/eu-region/index.html")
    assert "<h1>Timeline: systems EU &lt;region&gt;</h1>" in region
    assert "Keep decisions in git" in region and "Bill by the kilometre" not in region


def test_list_items_and_index_rows_carry_their_facet_values_for_the_filter_script(site: Path) -> None:
    timeline = page(site, "timeline/index.html")
    assert (
        'data-field-systems="billing eu-region" data-field-lead="globex" data-field-urgent="yes"' in timeline
    )
    assert (
        '<select name="field-systems"><option value="">any</option><option value="billing">billing</option>'
        in (timeline)
    )
    index = page(site, "decisions/index.html")
    assert 'data-field-systems="portal" data-field-urgent="no">' in index
    assert '<option value="eu-region">EU &lt;region&gt;</option>' in index


def test_the_atom_entry_carries_the_fields(site: Path) -> None:
    feed = ET.fromstring((site / "feed.xml").read_bytes())
    ns = {"a": "http://www.w3.org/2005/Atom"}
    entries = {e.findtext("a:title", namespaces=ns): e for e in feed.findall("a:entry", ns)}
    entry = entries["0001 Keep decisions in git (accepted)"]
    content = entry.findtext("a:content", namespaces=ns) or ""
    assert content.startswith('<dl class="fields"><dt>Budget</dt><dd>EUR 410,000</dd>')
    assert "<dd><ul><li>billing</li><li>EU &lt;region&gt;</li></ul></dd>" in content
    assert '<a href="https://contracts.example/7?a=1&amp;b=2">' in content
    # relative to the decision's page, which the entry's xml:base names
    assert '<dt>Lead</dt><dd><a href="../../partners/globex/index.html">Globex Inc</a></dd>' in content
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content and "<script>" not in content
    assert "We keep decisions as Markdown files." in content


def test_a_logs_own_sandboxed_template_gets_the_fields(log: LogMaker, tmp_path: Path) -> None:
    log.config(CONFIG + FIELDS)
    log.decision("0001-keep-decisions-in-git", FULL)
    log.write(
        "templates/decision.html",
        "{% for f in fields.shown(view.decision) %}[{{ f.label }}: "
        "{% for v in f.values %}{{ v.text }}{% if not loop.last %}, {% endif %}{% endfor %}]{% endfor %}"
        "|{{ view.decision.fields.budget.amount }} {{ view.decision.fields.budget.currency }}",
    )
    out = tmp_path / "site"
    result = build(log.root, out, now=NOW, search_index=False, jobs=1)
    assert result.built, [f"{d.path}:{d.line}: {d.code} {d.message}" for d in result.findings]
    text = page(out, "decisions/0001/index.html")
    assert text.startswith("[Budget: EUR 410,000][Systems: billing, EU &lt;region&gt;][Contract: https://")
    assert "[Lead: Globex Inc][Reviewer: Carol C][Urgent: yes][Go live: 2026-12-31]" in text
    assert text.endswith("|410000 EUR")
