"""Regenerate the golden copy of the example site: ``python tests/regen_golden.py``.

Builds the example log (content/ and declog.toml) as tests/sitetools.py does
and replaces tests/golden/site/ with the result. Review the change with
``git diff --stat tests/golden`` and ``git diff tests/golden`` before committing.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from sitetools import GOLDEN, build_example


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        site, result = build_example(Path(tmp))
        if GOLDEN.exists():
            shutil.rmtree(GOLDEN)
        shutil.copytree(site, GOLDEN)
    files = sum(1 for p in GOLDEN.rglob("*") if p.is_file())
    print(f"tests/golden/site: {result.pages} pages, {files} files", file=sys.stderr)


if __name__ == "__main__":
    main()
