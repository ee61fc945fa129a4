"""Every page type as a partner sees it, at 390 px (a phone) and 1280 px, light and dark.

No page scrolls sideways, no date breaks across lines, axe finds nothing, and
the home page answers its three questions (what needs attention, what was
decided recently, how many in each status) within the first 800 px. The
theme's script is checked where it changes what a reader sees: the countdown,
the index's sorting and filtering, the timeline's folded filters.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import test_browser
from test_browser import AXE_TAGS, CHROMIUM, Watch

# the example site, served under a sub-path, and the browser: test_browser's fixtures
served, site, base_url, browser = (
    test_browser.served,
    test_browser.site,
    test_browser.base_url,
    test_browser.browser,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="/usr/bin/chromium is missing (apt-get install chromium)"
    ),
]

#: One page of every type (0013 has a raw URL in its text; 0008 a supersede chain and links).
PAGES = [
    "index.html",
    "decisions/index.html",
    "timeline/index.html",
    "timeline/partner/rota-sul/index.html",
    "timeline/field-systems/billing/index.html",  # a facet of the log's own fields
    "tags/index.html",
    "tags/gdpr/index.html",
    "partners/index.html",
    "partners/kanto-lab/index.html",
    "decisions/0013/index.html",
    "decisions/0008/index.html",
    "decisions/0020/index.html",  # the log's own fields: money, a list, a long contract URL
    "decisions/0028/index.html",
    "meetings/index.html",
    "meetings/2026-06-16-steering-q2/index.html",
    "health/index.html",
    "no/such/page/",
]

#: Text nodes holding a date (and a time) that the browser laid out on more than one line.
BROKEN_DATES = """() => {
  const bad = [];
  const lines = (range) => new Set(Array.from(range.getClientRects())
      .filter((r) => r.width > 0).map((r) => Math.round(r.top))).size;
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    for (const m of node.data.matchAll(/\\d{4}-\\d{2}-\\d{2}(?: \\d{2}:\\d{2})?/g)) {
      const range = document.createRange();
      range.setStart(node, m.index);
      range.setEnd(node, m.index + m[0].length);
      if (lines(range) > 1) bad.push(m[0] + " in <" + node.parentElement.tagName.toLowerCase() + ">");
    }
  }
  document.querySelectorAll("time").forEach((t) => {
    const range = document.createRange();
    range.selectNodeContents(t);
    if (lines(range) > 1) bad.push(t.textContent + " (a <time>)");
  });
  return bad;
}"""


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [390, 1280])
def test_every_page_fits_keeps_dates_whole_and_passes_axe(
    browser: Any, base_url: str, width: int, scheme: str
) -> None:
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    page = browser.new_page(viewport={"width": width, "height": 800}, color_scheme=scheme)
    problems = []
    for rel in PAGES:
        page.goto(base_url + rel)
        sizes = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        if sizes[0] > sizes[1]:
            problems.append(f"{rel}: scrolls sideways ({sizes[0]} px wide in {sizes[1]} px)")
        problems += [f"{rel}: date broken: {b}" for b in page.evaluate(BROKEN_DATES)]
        result = axe.run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}})
        if result.violations_count:
            problems.append(f"{rel}:\n{result.generate_report()}")
    page.close()
    assert problems == [], "\n".join(problems)


def test_home_answers_its_three_questions_above_the_fold(browser: Any, base_url: str) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.goto(base_url + "index.html")
    for what in ("section.needs-attention", "section.recent", "ul.counts"):
        box = page.locator(what).bounding_box()
        assert box is not None and box["y"] + box["height"] <= 800, (what, box)
    assert page.locator("section.needs-attention li.attention").count() == 4
    assert page.locator("section.recent li").count() == 10
    assert page.get_by_text("Wayline Consortium — Decision Log").count() == 1  # the title, once
    page.close()


def test_the_countdown_never_contradicts_the_page_once_its_deadline_passes(
    browser: Any, base_url: str
) -> None:
    page = browser.new_page()
    deadline = dt.datetime(2026, 11, 26, 15, 0, tzinfo=dt.UTC)  # 0028's; the site was built before it
    page.clock.install(time=deadline - dt.timedelta(seconds=30))
    page.goto(base_url + "index.html")
    item = page.locator("li.attention").filter(has=page.locator('a[href$="decisions/0028/index.html"]'))
    assert item.locator(".left").inner_text() == "0m left"
    assert "overdue" not in (item.get_attribute("class") or "")
    page.clock.run_for(120_000)  # the script recounts every minute: 90 s past the deadline
    # Whom the proposal waits on was true when the page was built; past the deadline silence may
    # count, which only the next build knows: the page says so instead of calling it overdue.
    assert item.locator(".left").inner_text() == "passed 1m ago, after this page was built"
    assert "overdue" not in (item.get_attribute("class") or "").split()
    # 0027's deadline had passed when the site was built: its time is overdue, in the overdue colour
    # (the item itself is not: silence made it ready to accept).
    late = page.locator("li.attention").filter(has=page.locator('a[href$="decisions/0027/index.html"]'))
    assert late.locator(".left").inner_text().endswith(" overdue")
    assert "overdue" in (late.locator(".left").get_attribute("class") or "").split()
    assert "is-ready" in (late.get_attribute("class") or "").split()
    color = late.locator(".left").evaluate("e => getComputedStyle(e).color")
    overdue = page.evaluate("getComputedStyle(document.documentElement).getPropertyValue('--overdue')")
    assert overdue.strip() and color != "rgb(27, 31, 36)"
    page.close()


def test_the_index_sorts_and_filters_with_javascript(browser: Any, base_url: str) -> None:
    page = browser.new_page()
    watch = Watch(page)
    page.goto(base_url + "decisions/index.html")
    rows = page.locator("#dl-index tbody tr")
    assert rows.count() == 33 and rows.first.locator("th").first.inner_text() == "0001"
    page.get_by_role("button", name="#").click()  # ascending is the order already given
    page.get_by_role("button", name="#").click()
    assert rows.first.locator("th").first.inner_text() == "0033"
    form = page.locator("form.table-filter")
    form.get_by_label("Status").select_option("proposed")
    assert page.locator("#dl-index tbody tr:visible").count() == 4
    form.get_by_label("Find").fill("API v1")
    assert page.locator("#dl-index tbody tr:visible").count() == 1
    assert "1 of 33 shown" in form.locator("output").inner_text()
    assert watch.problems == []
    page.close()


def test_the_index_is_complete_without_javascript(browser: Any, base_url: str) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(base_url + "decisions/index.html")
    assert page.locator("#dl-index tbody tr:visible").count() == 33
    assert page.locator("form.table-filter").is_hidden()
    context.close()


@pytest.mark.parametrize(("width", "folded"), [(390, True), (1280, False)])
def test_the_timeline_has_one_filter_folded_on_a_phone(
    browser: Any, base_url: str, width: int, folded: bool
) -> None:
    page = browser.new_page(viewport={"width": width, "height": 800})
    page.goto(base_url + "timeline/index.html")
    assert page.locator("details.filters").count() == 1
    assert page.locator("details.filters").evaluate("d => !d.open") == folded
    if folded:
        page.locator("details.filters > summary").click()
    nav = page.get_by_role("navigation", name="Filter the timeline")
    for facet in ("Status", "Mode", "Category", "Partner", "Tag"):
        assert nav.get_by_text(facet, exact=True).is_visible(), facet
    page.close()


#: Every cell of every table on the page whose text is not wholly inside the viewport (hidden, in
#: a box that scrolls sideways, or off-screen). A column heading may be hidden only where each cell
#: of the column shows it as its label (a stacked table: data-label, shown by ::before).
CLIPPED_CELLS = """() => {
  const bad = [];
  const width = window.innerWidth;
  document.querySelectorAll("table").forEach((table, t) => {
    if (table.closest("details:not([open])")) return;  // folded away by the reader's choice
    const headings = table.tHead ? Array.from(table.tHead.rows[0].cells).map((c) => c.textContent.trim()) : [];
    table.querySelectorAll("td, th").forEach((cell) => {
      const text = cell.textContent.trim();
      if (!text) return;
      if (cell.closest("thead")) {
        const hidden = !cell.getClientRects().length;
        const column = headings.indexOf(text);
        const labelled = Array.from(table.tBodies[0].rows).every((row) => {
          const c = row.cells[column];
          if (!c || c.tagName === "TH" || !c.textContent.trim()) return true;
          const shown = getComputedStyle(c, "::before").content;
          return c.dataset.label && shown !== "none" && shown.includes(c.dataset.label);
        });
        if (hidden && !labelled) bad.push("table " + t + ": the heading " + JSON.stringify(text) + " is hidden and its cells carry no label");
        if (hidden) return;
      }
      const range = document.createRange();
      range.selectNodeContents(cell);
      const rects = Array.from(range.getClientRects()).filter((r) => r.width > 0);
      const label = "table " + t + " (" + table.className + "): " + JSON.stringify(text.slice(0, 40));
      if (!rects.length || getComputedStyle(cell).visibility === "hidden") { bad.push(label + " is hidden"); return; }
      for (let box = cell.parentElement; box && box !== document.body; box = box.parentElement) {
        const style = getComputedStyle(box);
        if (style.overflowX !== "visible" && box.scrollWidth > box.clientWidth) {
          bad.push(label + " is in a box that scrolls sideways"); return;
        }
      }
      if (rects.some((r) => r.left < 0 || r.right > width + 0.5)) bad.push(label + " runs off-screen");
    });
  });
  return bad;
}"""


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_table_cell_is_readable_on_a_phone(browser: Any, base_url: str, scheme: str) -> None:
    """At 390 px the decision index, the approval matrix, the history and the health tables show
    every cell's text on the screen: no column hidden, cut off or behind a sideways scroll."""
    page = browser.new_page(viewport={"width": 390, "height": 800}, color_scheme=scheme)
    problems = []
    for rel, tables in [
        ("decisions/index.html", ["table.index"]),
        ("decisions/0027/index.html", ["table.matrix"]),  # silence to record, partners' own clocks
        ("decisions/0019/index.html", ["table.matrix"]),  # absent from the meeting, a long URL ref
        ("health/index.html", ["table.figures"]),
    ]:
        page.goto(base_url + rel)
        page.evaluate("document.querySelectorAll('details').forEach((d) => { d.open = true; })")
        for selector in tables:
            assert page.locator(selector).count(), f"{rel}: no {selector}"
        problems += [f"{rel}: {p}" for p in page.evaluate(CLIPPED_CELLS)]
    page.close()
    assert problems == [], "\n".join(problems)


def test_the_history_table_stacks_on_a_phone(browser: Any, base_url: str) -> None:
    """The example's pages have no git history, so the history table is made here as the theme makes it."""
    page = browser.new_page(viewport={"width": 390, "height": 800})
    page.goto(base_url + "decisions/0027/index.html")
    page.evaluate(
        """() => document.querySelector("main").insertAdjacentHTML("beforeend",
        '<table class="history stack"><thead><tr><th scope="col">Date</th><th scope="col">Author</th>' +
        '<th scope="col">Change</th><th scope="col">Commit</th></tr></thead><tbody><tr>' +
        '<td data-label="Date"><time>2026-11-17 15:10 UTC</time></td><td data-label="Author">Maria-Fernanda Oliveira-Santos</td>' +
        '<td data-label="Change">Record the approvals of Kessler, Maplegrid and Kanto Lab from pull request 52</td>' +
        '<td data-label="Commit"><code>3d18002</code></td></tr></tbody></table>')"""
    )
    assert page.evaluate(CLIPPED_CELLS) == []
    page.close()


@pytest.mark.parametrize("width", [390, 1280])
def test_the_index_shows_a_custom_field_column_that_sorts_and_filters(
    browser: Any, base_url: str, width: int
) -> None:
    page = browser.new_page(viewport={"width": width, "height": 800})
    watch = Watch(page)
    page.goto(base_url + "decisions/index.html")
    row = page.locator("#dl-index tbody tr").filter(has=page.locator('a[href$="decisions/0026/index.html"]'))
    cell = row.locator('td[data-label="Budget"]')
    assert cell.inner_text() == "EUR 410,000" and cell.is_visible()
    if width < 640:  # a card: the cell names its column itself
        label = cell.evaluate("c => getComputedStyle(c, '::before').content")
        assert label == '"Budget"'
    else:
        assert page.get_by_role("columnheader", name="Budget").is_visible()
        page.get_by_role("button", name="Budget").click()  # ascending: by currency, then by amount
        budgets = [t.strip() for t in page.locator('#dl-index td[data-label="Budget"]').all_inner_texts()]
        spent = [b for b in budgets if b]
        assert spent == [
            "EUR 4,800", "EUR 18,000", "EUR 31,000", "EUR 38,000", "EUR 112,000", "EUR 120,000",
            "EUR 410,000", "USD 60,000",
        ]  # fmt: skip
    form = page.locator("form.table-filter")
    form.get_by_label("Systems").select_option("billing")
    rows = page.locator("#dl-index tbody tr:visible")
    shown = [rows.nth(i).locator("th.num").inner_text() for i in range(rows.count())]
    assert sorted(shown) == ["0004", "0019", "0026"]
    assert "3 of 33 shown" in form.locator("output").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert watch.problems == []
    page.close()
