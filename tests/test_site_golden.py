"""The example site against its golden copy: every file's path, and representative pages byte for byte.

tests/golden/site-files.txt lists every file of the example site; tests/golden/site/
keeps the pages in sitetools.GOLDEN_PAGES as they were built. When a change to the
theme, the views or the example log changes the site on purpose, regenerate both
with ONE command and review it in the diff:

    python tests/regen_golden.py
    git diff --stat tests/golden
"""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest
from sitetools import GOLDEN, GOLDEN_FILES, GOLDEN_PAGES, build_example, example_site, site_files

REGEN = "python tests/regen_golden.py"


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return example_site(tmp_path_factory)


def files(root: Path) -> dict[str, Path]:
    return {p.relative_to(root).as_posix(): p for p in sorted(root.rglob("*")) if p.is_file()}


def test_the_example_site_has_the_golden_set_of_files(site: Path) -> None:
    listed = GOLDEN_FILES.read_text(encoding="utf-8").splitlines()
    built = site_files(site)
    assert built == listed, (
        f"pages added: {sorted(set(built) - set(listed))}, gone: {sorted(set(listed) - set(built))}; "
        f"run `{REGEN}` if intended"
    )


def test_the_golden_copy_holds_exactly_the_representative_pages() -> None:
    assert sorted(files(GOLDEN)) == sorted(GOLDEN_PAGES), f"run `{REGEN}`"


@pytest.mark.parametrize("rel", GOLDEN_PAGES)
def test_a_representative_page_matches_the_golden_copy(site: Path, rel: str) -> None:
    new, old = (site / rel).read_bytes(), (GOLDEN / rel).read_bytes()
    if new != old:
        diff = difflib.unified_diff(
            old.decode("utf-8", "replace").splitlines(),
            new.decode("utf-8", "replace").splitlines(),
            f"golden/{rel}",
            f"built/{rel}",
            lineterm="",
            n=1,
        )
        shown = "\n".join(list(diff)[:40])
        pytest.fail(f"{rel} differs from the golden copy (run `{REGEN}` if intended):\n{shown}")


def test_two_builds_are_byte_identical_serial_or_parallel(tmp_path: Path, site: Path) -> None:
    serial, _ = build_example(tmp_path / "serial", jobs=1)
    parallel, _ = build_example(tmp_path / "parallel", jobs=2)
    a, b, c = files(serial), files(parallel), files(site)
    assert sorted(a) == sorted(b) == sorted(c)
    changed = [
        rel
        for rel in a
        if a[rel].read_bytes() != b[rel].read_bytes() or a[rel].read_bytes() != c[rel].read_bytes()
    ]
    assert changed == []


def test_pages_carry_no_build_time(site: Path) -> None:
    home = (site / "index.html").read_text(encoding="utf-8")
    # Built at EXAMPLE_NOW (09:00 on 25 November), the site is as of the last moment time changed it:
    # midnight UTC on the 25th, when 0010's review (due 9 December) counted down to 14 days.
    assert 'As of <time datetime="2026-11-25T00:00:01+00:00">' in home
