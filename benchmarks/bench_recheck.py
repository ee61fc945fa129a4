#!/usr/bin/env python3
"""Benchmark: what ``declog serve``'s checker spends on a status edit, one tree against another.

    python benchmarks/bench_recheck.py --corpus DIR [--against TREE] [--rounds 3] [--edits 5]

Copies the log DIR (benchmarks/gen_corpus.py makes one), checks it once with a
``Checker``, then, ``--edits`` times, turns a proposed decision into a withdrawn
one (with its reason) and times ``Checker.check([that file])``: the check
``declog serve`` runs after that save. With ``--against`` (a checkout of
another commit, e.g. ``git worktree add /tmp/base main``), its declog and this
one alternate in fresh processes, ``--rounds`` times each. Prints each round's
median and the median of the medians. Results are recorded by hand in
benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent

SIDE = r"""
import shutil, statistics, sys, time
import declog
assert declog.__file__.startswith(sys.argv[4]), declog.__file__
from pathlib import Path
from declog.check.checker import Checker
src, work, edits = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
shutil.copytree(src, work, ignore=shutil.ignore_patterns(".git"))
checker = Checker(work)
checker.check()
files = sorted((work / "content" / "decisions").glob("*.md"))
proposed = [f for f in files if "\nstatus: proposed\n" in f.read_text(encoding="utf-8")]
times = []
for f in proposed[:: max(1, len(proposed) // edits)][:edits]:
    text = f.read_text(encoding="utf-8")
    text = text.replace("\nstatus: proposed\n", "\nstatus: withdrawn\nreason: Dropped.\n", 1)
    f.write_text(text, encoding="utf-8")
    t = time.perf_counter()
    checker.check([f.relative_to(work).as_posix()])
    times.append(time.perf_counter() - t)
print(statistics.median(times))
"""


def run(tree: Path, corpus: Path, edits: int) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "PYTHONPATH": str(tree)}
        out = subprocess.run(
            [sys.executable, "-c", SIDE, str(corpus), str(Path(tmp) / "log"), str(edits), str(tree)],
            env=env,
            cwd=tmp,  # not this checkout: ``-c`` puts the working directory first on the path
            capture_output=True,
            text=True,
            check=True,
        )
    return float(out.stdout.split()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--against", type=Path, help="another checkout to compare with")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--edits", type=int, default=5)
    args = parser.parse_args()
    sides = {"this": HERE.parent}
    if args.against is not None:
        sides = {"against": args.against.resolve(), **sides}
    medians: dict[str, list[float]] = {name: [] for name in sides}
    for n in range(args.rounds):
        for name, tree in sides.items():
            medians[name].append(run(tree, args.corpus, args.edits))
            print(f"round {n + 1}, {name}: {medians[name][-1] * 1000:.0f} ms", flush=True)
    for name, got in medians.items():
        print(f"{name} ({sides[name]}): median of medians {statistics.median(got) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
