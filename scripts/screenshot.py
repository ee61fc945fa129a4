"""Screenshots of the example site: ``.venv/bin/python scripts/screenshot.py``.

Builds the example log (declog.toml and content/ at the top of the repository)
into a temporary folder, as of the fixed time the tests use, and photographs
its home page at 1280x800 in light mode into docs/home.png, the picture in
README.md under its two commands (with the Search link when Pagefind is installed:
``pip install -e '.[search]'``). Uses Debian's /usr/bin/chromium through Playwright,
as tests/test_browser.py does (never ``playwright install``).

``--page PATH`` (repeatable), ``--width``, ``--height``, ``--scheme light|dark``,
``--full``, ``--js`` and ``--out FOLDER`` photograph other pages for a look at the theme:
each lands in FOLDER as PATH with "/" turned into "_", plus width and scheme.
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import sys
import tempfile
from pathlib import Path

from declog.site import search
from declog.site.build import build

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
#: The example's pages are "as of" this time (tests/sitetools.py, EXAMPLE_NOW), so the picture is stable.
AS_OF = dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.UTC)


def build_example(dest: Path) -> Path:
    root = dest / "log"
    root.mkdir(parents=True)
    shutil.copy2(REPO / "declog.toml", root / "declog.toml")
    shutil.copytree(REPO / "content", root / "content")
    site = dest / "site"
    # with the search index when Pagefind is installed: the picture shows the Search link
    result = build(root, site, now=AS_OF, search_index=search.executable() is not None, jobs=1)
    if not result.built:
        sys.exit("the example log does not build: run declog check")
    return site


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--page", action="append", help="page of the site (default: index.html)")
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=800)
    parser.add_argument("--scheme", choices=("light", "dark"), default="light")
    parser.add_argument("--full", action="store_true", help="the whole page, not the first screen")
    parser.add_argument("--js", action="store_true", help="run the theme's script (it counts from today)")
    parser.add_argument("--out", type=Path, help="folder for the pictures (default: docs/home.png)")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        site = build_example(Path(tmp))
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]
        )
        # without JavaScript by default: the script recounts the time left from today's clock
        page = browser.new_page(
            viewport={"width": args.width, "height": args.height},
            color_scheme=args.scheme,
            java_script_enabled=args.js,
        )
        for rel in args.page or ["index.html"]:
            page.goto((site / rel).as_uri())
            if args.out is None:
                target = REPO / "docs" / "home.png"
            else:
                args.out.mkdir(parents=True, exist_ok=True)
                name = rel.replace("/index.html", "").replace("/", "_").replace(".html", "") or "home"
                target = args.out / f"{name}-{args.width}-{args.scheme}.png"
            page.screenshot(path=str(target), full_page=args.full)
            print(target)
        browser.close()


if __name__ == "__main__":
    main()
