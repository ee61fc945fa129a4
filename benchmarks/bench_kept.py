#!/usr/bin/env python3
"""Benchmark: ``Checker.check()`` from scratch versus started from the kept documents.

    python benchmarks/bench_kept.py LOG [--rounds 3]

LOG is a log folder (``gen_corpus.py``'s, committed to git: the check reads the
history). Each round appends a line to one decision, then, in this process,
checks the log with a new ``Checker`` (every file parsed) and with a new one
started from the snapshot taken before the edit, written and read as JSON (one
file parsed), as ``declog build`` does (declog.site.doccache). Prints the CPU
time of each, and of reading the snapshot, per round and as medians. The edit
is left in LOG: undo it with ``git checkout -- content``.
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import time
from pathlib import Path

from declog.check.checker import Checker


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("log", type=Path)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    root: Path = args.log
    files = sorted((root / "content" / "decisions").glob("*.md"))
    edited = files[len(files) // 2]
    first = Checker(root)
    first.check()
    kept = json.dumps(first.snapshot()).encode()
    del first
    fresh, restored, reading = [], [], []
    for n in range(args.rounds):
        text = edited.read_text(encoding="utf-8")
        edited.write_text(text + f"\nEdit {n} of the benchmark.\n", encoding="utf-8")
        gc.collect()
        checker = Checker(root)
        t = time.process_time()
        checker.check()
        fresh.append(time.process_time() - t)
        del checker
        gc.collect()
        checker = Checker(root)
        t = time.process_time()
        checker.restore(json.loads(kept))
        t1 = time.process_time()
        checker.check()
        restored.append(time.process_time() - t1)
        reading.append(t1 - t)
        del checker
        print(
            f"round {n + 1}: fresh {fresh[-1]:.2f} s; from kept documents {restored[-1]:.2f} s "
            f"(+ reading them {reading[-1]:.2f} s)",
            flush=True,
        )
    ratios = [(r + k) / f for f, r, k in zip(fresh, restored, reading, strict=True)]
    print(
        f"medians (CPU): fresh {statistics.median(fresh):.2f} s; from kept documents "
        f"{statistics.median(restored):.2f} s + {statistics.median(reading):.2f} s reading them; "
        f"ratio with reading {statistics.median(ratios):.2f}"
    )


if __name__ == "__main__":
    main()
