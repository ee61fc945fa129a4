"""The example site in a real browser: Debian's chromium driven by Playwright.

Pages load over http under a sub-path (like GitHub Pages' /org/log/) and from
file://, navigation and filters work with and without JavaScript, nothing
logs a console error, axe-core finds no WCAG 2 A/AA violation in light or
dark mode, and pages print. Never run ``playwright install``: the browser is
the system's /usr/bin/chromium (scripts/test installs it).
"""

from __future__ import annotations

import contextlib
import http.server
import threading
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from sitetools import EXAMPLE_NOW, copy_example

from declog.site import search
from declog.site.build import build

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="/usr/bin/chromium is missing (apt-get install chromium)"
    ),
]
PREFIX = "/org/log/"
PAGES = [
    "index.html",
    "decisions/index.html",
    "timeline/index.html",
    "timeline/status/proposed/index.html",
    "partners/index.html",
    "partners/kanto-lab/index.html",
    "decisions/0013/index.html",
    "decisions/0019/index.html",
    "meetings/index.html",
    "meetings/2026-06-16-steering-q2/index.html",
    "tags/index.html",
    "tags/gdpr/index.html",
    "health/index.html",
    "no/such/page/",
]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


class Handler(http.server.SimpleHTTPRequestHandler):
    """Serves the site below PREFIX only and answers a missing page with 404.html, like GitHub Pages."""

    def translate_path(self, path: str) -> str:
        if not path.startswith(PREFIX):
            return str(Path(self.directory) / "__missing__")
        return super().translate_path("/" + path[len(PREFIX) :])

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        page = Path(self.directory) / "404.html"
        if code != 404 or not page.is_file():
            super().send_error(code, message, explain)
            return
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextlib.contextmanager
def serve(folder: Path) -> Iterator[str]:
    """Serve ``folder`` on a free loopback port below PREFIX; yields the site's URL."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), partial(Handler, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}{PREFIX}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    """The example site built for, and served at, a local URL with a sub-path."""
    base = tmp_path_factory.mktemp("browser")
    root, site = copy_example(base / "log"), base / "site"
    with serve(site) as url:
        result = build(root, site, now=EXAMPLE_NOW, search_index=False, site_url=url, jobs=1)
        assert result.built
        yield site, url


@pytest.fixture(scope="module")
def site(served: tuple[Path, str]) -> Path:
    return served[0]


@pytest.fixture(scope="module")
def base_url(served: tuple[Path, str]) -> str:
    return served[1]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]
        )
        yield browser
        browser.close()


class Watch:
    """Console errors, page errors and failed requests of one page (the deliberate 404 aside)."""

    def _failed(self, request: Any) -> None:
        if "ERR_ABORTED" not in (request.failure or ""):  # navigating away cancels e.g. the favicon
            self.problems.append(f"request failed: {request.url} ({request.failure})")

    def _console(self, message: Any) -> None:
        if message.type == "error" and "/no/such/" not in message.location.get("url", ""):
            self.problems.append(f"console: {message.text} at {message.location}")

    def __init__(self, page: Any) -> None:
        self.problems: list[str] = []
        self.page = page
        page.on("console", self._console)
        page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        page.on("requestfailed", self._failed)
        page.on(
            "response",
            lambda r: (
                r.status >= 400
                and "/no/such/" not in r.url
                and self.problems.append(f"HTTP {r.status}: {r.url}")
            ),
        )


def test_pages_load_over_http_under_a_sub_path_without_errors(browser: Any, base_url: str) -> None:
    page = browser.new_page()
    watch = Watch(page)
    for rel in PAGES:
        page.goto(base_url + rel)
        assert page.locator("h1").first.is_visible(), rel
        assert page.evaluate("getComputedStyle(document.body).maxWidth") != "none", f"{rel}: CSS not applied"
    assert watch.problems == []
    page.close()


def test_navigation_works_from_file_urls(browser: Any, site: Path) -> None:
    page = browser.new_page()
    watch = Watch(page)
    page.goto((site / "index.html").as_uri())
    page.get_by_role("navigation", name="Site").get_by_role("link", name="Timeline").click()
    assert page.url.endswith("/timeline/index.html")
    page.get_by_role("link", name="0013 Revoke and rotate all ingestion keys").first.click()
    assert page.url.endswith("/decisions/0013/index.html")
    assert page.locator("h1").inner_text().startswith("Revoke and rotate")
    page.get_by_role("link", name="0006").first.click()
    assert page.url.endswith("/decisions/0006/index.html")
    page.get_by_role("link", name="Kanto Mobility Research Lab").first.click()
    assert page.url.endswith("/partners/kanto-lab/index.html")
    page.wait_for_load_state("load")  # a click waits for the navigation, not for the stylesheet
    assert page.evaluate("getComputedStyle(document.body).maxWidth") != "none"
    assert watch.problems == []
    page.close()


def test_filters_work_without_javascript(browser: Any, base_url: str) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(base_url + "timeline/index.html")
    assert page.locator("form.js-filter").is_hidden()
    page.locator("details.filters > summary").click()  # one control, folded until opened
    page.get_by_role("navigation", name="Filter the timeline").get_by_role("link", name="proposed").click()
    assert page.url.endswith("/timeline/status/proposed/index.html")
    assert page.locator("li.item").count() == 4
    context.close()


@pytest.mark.parametrize("scheme", ["http", "file"])
def test_the_filter_bar_counts_each_value_with_javascript_and_none_without(
    browser: Any, base_url: str, site: Path, scheme: str
) -> None:
    """The counts come from facets.js (a script, so file:// loads it too); without JavaScript the
    bar shows its links and no number at all, never a stale one."""
    rel = "tags/gdpr/index.html"
    url = base_url + rel if scheme == "http" else (site / rel).as_uri()
    for script in (True, False):
        context = browser.new_context(java_script_enabled=script)
        page = context.new_page()
        watch = Watch(page)
        page.goto(url)
        page.locator("details.filters").evaluate("d => { d.open = true; }")
        bar = page.get_by_role("navigation", name="Filter the timeline")
        items = [
            bar.get_by_role("link", name=name, exact=True).locator("xpath=..")
            for name in ("proposed", "Rota Sul")
        ]
        shown = [item.inner_text() for item in items]
        assert shown == (["proposed 4", "Rota Sul 31"] if script else ["proposed", "Rota Sul"])
        assert script or bar.locator(".count").count() == 0
        assert watch.problems == []
        context.close()


def test_javascript_narrows_a_timeline_page_by_several_facets(browser: Any, base_url: str) -> None:
    page = browser.new_page()
    watch = Watch(page)
    page.goto(base_url + "timeline/index.html")
    form = page.locator("form.js-filter")
    assert form.is_visible()
    form.get_by_label("Status").select_option("accepted")
    assert page.locator("li.item:visible").count() == 18
    form.get_by_label("Partner").select_option("rota-sul")
    visible = page.locator("li.item:visible")
    assert 0 < visible.count() < 18
    assert all(
        "rota-sul" in (visible.nth(i).get_attribute("data-partner") or "") for i in range(visible.count())
    )
    assert "shown" in form.locator("output").inner_text()
    assert watch.problems == []
    page.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_accessibility_violations(browser: Any, base_url: str, scheme: str) -> None:
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    page = browser.new_page(color_scheme=scheme)
    failures = []
    for rel in PAGES:
        page.goto(base_url + rel)
        result = axe.run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}})
        if result.violations_count:
            failures.append(f"{rel}:\n{result.generate_report()}")
    page.close()
    assert failures == [], "\n".join(failures)


def test_dark_mode_follows_the_system_setting(browser: Any, base_url: str) -> None:
    def background(scheme: str) -> int:
        page = browser.new_page(color_scheme=scheme)
        page.goto(base_url + "decisions/0013/index.html")
        rgb = page.evaluate("getComputedStyle(document.body).backgroundColor")
        page.close()
        return sum(int(x) for x in rgb[rgb.index("(") + 1 : rgb.index(")")].split(",")[:3])

    assert background("light") > 600 and background("dark") < 150


def test_pages_print_without_navigation(browser: Any, base_url: str) -> None:
    page = browser.new_page()
    page.goto(base_url + "decisions/0013/index.html")
    page.emulate_media(media="print")
    assert page.locator("nav[aria-label=Site]").is_hidden()
    assert page.locator("h1").is_visible()
    pdf = page.pdf()
    assert pdf.startswith(b"%PDF") and len(pdf) > 10_000
    page.close()


@pytest.mark.skipif(
    search.executable() is None, reason="pagefind is not installed (pip install -e '.[search]')"
)
def test_search_finds_decisions_and_filters_by_status(browser: Any, tmp_path: Path) -> None:
    root = copy_example(tmp_path / "log")
    out = tmp_path / "site"
    assert build(root, out, now=EXAMPLE_NOW).built
    with serve(out) as url:
        page = browser.new_page()
        watch = Watch(page)
        page.goto(url + "search/index.html")
        page.get_by_role("textbox").fill("ingestion keys")
        page.locator(".pagefind-ui__result-link").first.wait_for(timeout=10_000)
        links = page.locator(".pagefind-ui__result-link")
        hrefs = [links.nth(i).get_attribute("href") or "" for i in range(links.count())]
        assert any(h.endswith("/decisions/0013/index.html") for h in hrefs), hrefs
        assert page.get_by_text("status", exact=False).first.is_visible()
        # a result reads as the site's lists do: its number, then its title; status and date apart
        first = page.locator(".pagefind-ui__result").filter(
            has=page.locator('a[href$="/decisions/0013/index.html"]')
        )
        assert first.locator(".pagefind-ui__result-link").inner_text().startswith("0013 Revoke and rotate")
        tags = sorted(first.locator(".pagefind-ui__result-tag").all_inner_texts())
        assert tags == ["Date: 2026-02-07", "Status: accepted"], tags
        font = first.locator(".pagefind-ui__result-link").evaluate("e => getComputedStyle(e).fontFamily")
        assert font == page.evaluate("getComputedStyle(document.body).fontFamily")
        assert watch.problems == []
        page.close()


def test_the_timeline_filters_by_a_custom_field_without_javascript(browser: Any, base_url: str) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(base_url + "timeline/index.html")
    page.locator("details.filters > summary").click()
    nav = page.get_by_role("navigation", name="Filter the timeline")
    systems = nav.locator(".facet").filter(has=page.get_by_text("Systems", exact=True))
    systems.get_by_role("link", name="billing").click()
    assert page.url.endswith("/timeline/field-systems/billing/index.html")
    assert page.locator("h1").inner_text() == "Timeline: systems billing"
    ids = page.locator("li.item .id").all_inner_texts()
    assert ids == ["0026", "0019", "0004"]
    context.close()


@pytest.mark.parametrize("width", [390, 1280])
def test_javascript_narrows_the_timeline_by_a_custom_field_with_the_others(
    browser: Any, base_url: str, width: int
) -> None:
    page = browser.new_page(viewport={"width": width, "height": 800})
    watch = Watch(page)
    page.goto(base_url + "timeline/index.html")
    if width < 768:  # folded on a phone: one tap opens the filters
        page.locator("details.filters > summary").click()
    form = page.locator("form.js-filter")
    form.get_by_label("Systems").select_option("portal")
    visible = page.locator("li.item:visible")
    assert visible.locator(".id").all_inner_texts() == [
        "0030", "0027", "0024", "0021", "0020", "0017", "0012", "0010", "0007",
    ]  # fmt: skip
    assert "9 of 33 shown" in form.locator("output").inner_text()
    form.get_by_label("Status").select_option("accepted")  # and the built-in facets still apply
    assert visible.locator(".id").all_inner_texts() == ["0024", "0020", "0017", "0012", "0010"]
    form.get_by_label("Systems").select_option("")
    assert visible.count() == 18
    assert watch.problems == []
    page.close()
