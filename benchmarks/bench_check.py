#!/usr/bin/env python3
"""Benchmark: `declog check` on a large log versus a bare read + YAML parse.

    python benchmarks/bench_check.py [--n 10000] [--runs 5] [--corpus DIR]

Generates a corpus with benchmarks/gen_corpus.py (unless --corpus names one),
then alternates, in fresh processes, (a) a bare pipeline that reads every
document, splits off the frontmatter and parses it with PyYAML's C loader and
(b) declog's whole load-and-check (parse with positions, schema, every rule).
Prints the median wall time of each, their ratio (target: at most 1.5) and the
peak memory of declog. Results are recorded by hand in benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent

BARE = r"""
import os, resource, sys, time, yaml
root = sys.argv[1]
t = time.perf_counter()
n = 0
for folder in ("decisions", "partners", "meetings"):
    base = os.path.join(root, "content", folder)
    for name in sorted(os.listdir(base)) if os.path.isdir(base) else []:
        with open(os.path.join(base, name), "rb") as fh:
            text = fh.read().decode("utf-8")
        _, fm, body = text.split("---\n", 2)
        yaml.load(fm, Loader=yaml.CSafeLoader)
        n += 1
print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, n)
"""

DECLOG = r"""
import resource, sys, time
from pathlib import Path
from declog.check.checker import load_and_check
t = time.perf_counter()
result = load_and_check(Path(sys.argv[1]))
elapsed = time.perf_counter() - t
assert result.log is not None
n = len(result.log.decisions) + len(result.log.partners) + len(result.log.meetings)
if result.errors:
    sys.exit(f"the corpus has {result.errors} errors: {result.findings[:3]}")
print(elapsed, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, n)
"""


def measure(code: str, corpus: Path) -> tuple[float, int, int]:
    cmd = [sys.executable, "-c", code, str(corpus)]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True)
    seconds, rss_kb, files = out.stdout.split()
    return float(seconds), int(rss_kb), int(files)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=10_000, help="decisions to generate")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--corpus", type=Path, help="use this log instead of generating one")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="declog-bench-") as tmp:
        corpus = args.corpus
        if corpus is None:
            corpus = Path(tmp) / "log"
            generate = [sys.executable, str(HERE / "gen_corpus.py"), str(corpus), str(args.n)]
            subprocess.run(generate, check=True)
        bare, full, rss = [], [], []
        files = 0
        for _ in range(args.runs):
            seconds, _rss, files = measure(BARE, corpus)
            bare.append(seconds)
            seconds, peak, _files = measure(DECLOG, corpus)
            full.append(seconds)
            rss.append(peak)
    b, d = statistics.median(bare), statistics.median(full)
    print(f"documents: {files}, runs: {args.runs}")
    print(f"bare read + YAML parse: median {b:.2f}s (min {min(bare):.2f}, max {max(bare):.2f})")
    print(f"declog load + check:    median {d:.2f}s (min {min(full):.2f}, max {max(full):.2f})")
    print(f"ratio: {d / b:.2f} (target <= 1.50)")
    print(f"declog peak memory: {max(rss) / 1024:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
