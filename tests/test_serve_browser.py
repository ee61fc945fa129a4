"""``declog serve`` in a real browser: an open page reloads by itself after a save.

Debian's chromium driven by Playwright, as in test_browser.py (never run
``playwright install``).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sitetools import copy_example
from test_serve import DECISION, TITLE, serving

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="/usr/bin/chromium is missing (apt-get install chromium)"
    ),
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]
        )
        yield browser
        browser.close()


def test_an_open_page_reloads_after_an_edit_and_shows_the_overlay_while_broken(
    browser: Any, tmp_path: Path
) -> None:
    root = copy_example(tmp_path / "log")
    with serving(root) as s:
        page = browser.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(s.url + "decisions/0005/index.html")
        assert TITLE in page.title()
        page.evaluate("() => { window.declogTestMarker = 1; }")  # a reload forgets it

        s.edit(DECISION, lambda t: t.replace(f"title: {TITLE}", "title: Reloaded by itself"))
        page.wait_for_function("() => document.title.includes('Reloaded by itself')", timeout=60_000)
        assert page.evaluate("() => window.declogTestMarker") is None

        s.edit(DECISION, lambda t: t.replace("mode: async", "mode: [async"))
        page.wait_for_selector("#declog-overlay", timeout=60_000)
        assert "Reloaded by itself" in page.title()  # the last good page under the overlay

        s.edit(DECISION, lambda t: t.replace("mode: [async", "mode: async"))
        page.wait_for_selector("#declog-overlay", state="detached", timeout=60_000)
        page.close()
        assert errors == []
