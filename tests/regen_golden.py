"""Regenerate the golden copy of the example site: ``python tests/regen_golden.py``.

Builds the example log (content/ and declog.toml) as tests/sitetools.py does,
writes the list of every file of the site to tests/golden/site-files.txt and
replaces tests/golden/site/ with the representative pages (sitetools.GOLDEN_PAGES).
Review the change with ``git diff --stat tests/golden`` and ``git diff tests/golden``
before committing.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from sitetools import GOLDEN, GOLDEN_FILES, GOLDEN_PAGES, build_example, site_files


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        site, result = build_example(Path(tmp))
        listing = site_files(site)
        missing = [rel for rel in GOLDEN_PAGES if rel not in listing]
        if missing:
            sys.exit(f"the example site has no {', '.join(missing)}: update sitetools.GOLDEN_PAGES")
        if GOLDEN.exists():
            shutil.rmtree(GOLDEN)
        for rel in GOLDEN_PAGES:
            (GOLDEN / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(site / rel, GOLDEN / rel)
        GOLDEN_FILES.write_text("".join(f"{rel}\n" for rel in listing), encoding="utf-8")
    print(
        f"tests/golden: {result.pages} pages, {len(listing)} files listed, {len(GOLDEN_PAGES)} kept",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
