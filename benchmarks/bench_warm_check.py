#!/usr/bin/env python3
"""Benchmark: the check of a warm ``declog build`` in a fresh process, as the build does it.

    python benchmarks/bench_warm_check.py prime LOG     # check LOG once and keep the cache
    python benchmarks/bench_warm_check.py time LOG [--edit none|body|status]

``prime`` runs ``Checker.check()`` and writes the kept documents
(declog.site.doccache) into the user's cache folder (point it elsewhere with
``XDG_CACHE_HOME``), as a successful ``declog build`` leaves them. ``time``,
meant for a fresh process each time, makes one edit (nothing; a line added to
one decision's body; one proposed decision withdrawn with a ``reason:``),
then times ``doccache.restore`` and ``Checker.check()``, prints
``restore_ms check_ms findings``, and undoes the edit without writing the
cache. LOG is a committed log (``gen_corpus.py``'s): the check reads its
history. Run two trees' copies interleaved (A B A B) and compare the medians of
the per-round ratios.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from declog.check.checker import Checker
from declog.site import doccache
from declog.site.cache import documents_file


def _edited(root: Path, edit: str) -> tuple[Path, str] | None:
    files = sorted((root / "content" / "decisions").glob("*.md"))
    if edit == "none":
        return None
    if edit == "body":
        doc = files[len(files) // 2]
        text = doc.read_text(encoding="utf-8")
        doc.write_text(text + "\nOne more line of the benchmark.\n", encoding="utf-8")
        return doc, text
    for doc in files[len(files) // 3 :]:
        text = doc.read_text(encoding="utf-8")
        if "\nstatus: proposed\n" in text:
            new = text.replace("\nstatus: proposed\n", "\nstatus: withdrawn\nreason: Dropped.\n")
            doc.write_text(new, encoding="utf-8")
            return doc, text
    raise SystemExit("no proposed decision to withdraw")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("what", choices=["prime", "time"])
    parser.add_argument("log", type=Path)
    parser.add_argument("--edit", choices=["none", "body", "status"], default="none")
    args = parser.parse_args()
    root: Path = args.log
    path = documents_file(root)
    assert path is not None
    checker = Checker(root)
    if args.what == "prime":
        path.unlink(missing_ok=True)
        result = checker.check()
        doccache.save(path, root, checker)
        print(f"primed {path} ({path.stat().st_size // 1000} kB), {len(result.findings)} findings")
        return
    undo = _edited(root, args.edit)
    try:
        t0 = time.perf_counter()
        restored = doccache.restore(path, root, checker)
        t1 = time.perf_counter()
        result = checker.check()
        t2 = time.perf_counter()
    finally:
        if undo is not None:
            undo[0].write_text(undo[1], encoding="utf-8")
    assert restored is not None, "nothing restored"
    print(f"{(t1 - t0) * 1000:.0f} {(t2 - t1) * 1000:.0f} {len(result.findings)}")


if __name__ == "__main__":
    main()
