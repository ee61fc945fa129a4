#!/usr/bin/env python3
"""declog serve on N generated decisions: from saving one decision to its pages rewritten.

    python benchmarks/bench_serve.py [--n 10000] [--edits 7] [--shape-edits 3] [--builds 5]

Generates the corpus with benchmarks/gen_corpus.py (declog and hugo layouts),
commits the log to git, starts ``declog serve`` on a free loopback port and
waits for its first build. Then, ``--edits`` times, appends a sentence to one
decision's body and measures the wall time from the write to the server's
"rebuilt" event on /__declog/events (sent once the changed pages are written),
checking that the page shows the sentence. ``--shape-edits`` times more, it
changes a decision's tags instead (a change of the log's shape: every page is
fingerprinted again; reported apart). With ``hugo`` on PATH the body edits go
to ``hugo server`` too and Hugo's own "Total in N ms" is recorded.

Then ``declog build --no-search`` runs cold, and ``--builds`` times after one
changed file (warm cache), alternating with ``hugo``'s full build of the same
corpus.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

from bench_build import HERE, git_commit, tree_rss


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_up(url: str, proc: subprocess.Popen[bytes], limit: float) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit("the server exited during its first build")
        try:
            with urllib.request.urlopen(url, timeout=5) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    sys.exit(f"{url} did not come up in {limit:.0f}s")


def next_data(stream: object) -> str:
    while True:
        line = stream.readline().decode()  # type: ignore[attr-defined]
        if not line:
            sys.exit("event stream closed")
        if line.startswith("data: "):
            return line[6:].strip()


def retag(f: Path, n: int) -> None:
    """Give the decision in ``f`` one more tag (its shape changes)."""
    text = f.read_text(encoding="utf-8")
    f.write_text(re.sub(r"^tags: \[", f"tags: [bench-{n}, ", text, count=1, flags=re.M), encoding="utf-8")


def bench_declog(log: Path, edits: int, shape_edits: int = 0) -> tuple[list[float], list[float], float, int]:
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    started = time.perf_counter()
    errors = open(log.parent / "serve.log", "w+b")  # noqa: SIM115 (read back after the server stops)
    proc = subprocess.Popen(
        [sys.executable, "-m", "declog", "serve", "--root", str(log), "-a", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=errors,
    )
    peak = 0
    try:
        wait_up(url, proc, 1800)
        first = time.perf_counter() - started
        files = sorted((log / "content" / "decisions").glob("*.md"))
        times: list[float] = []
        shaped: list[float] = []
        with urllib.request.urlopen(url + "__declog/events", timeout=600) as events:
            next_data(events)
            for n in range(shape_edits):
                f = files[(n * 7919 + 13) % len(files)]
                t0 = time.perf_counter()
                retag(f, n)
                next_data(events)
                shaped.append(time.perf_counter() - t0)
                time.sleep(1.0)
            for n in range(edits):
                f = files[(n * 997) % len(files)]
                decision = f.name[:4].lstrip("0") or "0"
                text = f.read_text(encoding="utf-8") + f"\nBenchmark sentence {n}.\n"
                t0 = time.perf_counter()
                f.write_text(text, encoding="utf-8")
                next_data(events)
                times.append(time.perf_counter() - t0)
                page_id = f.name.split("-", 1)[0]
                with urllib.request.urlopen(f"{url}decisions/{page_id}/index.html", timeout=30) as r:
                    assert f"Benchmark sentence {n}." in r.read().decode(), (decision, n)
                peak = max(peak, tree_rss(proc.pid))
                time.sleep(1.0)
    finally:
        proc.terminate()
        proc.wait(timeout=120)
        errors.seek(0)
        err = errors.read()
        errors.close()
        if len(times) < edits:
            print(err.decode(errors="replace")[-3000:])
    lines = [ln for ln in err.decode(errors="replace").splitlines() if "rendered" in ln]
    print("\n".join(lines[-(edits + shape_edits) :]))
    return times, shaped, first, peak


def bench_hugo(hugo: str, src: Path, edits: int) -> list[float]:
    port = free_port()
    proc = subprocess.Popen(
        [
            hugo,
            "server",
            "--source",
            str(src),
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--disableFastRender",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    out: list[str] = []
    reader = threading.Thread(
        target=lambda: out.extend(ln.decode(errors="replace") for ln in proc.stdout), daemon=True
    )  # type: ignore[union-attr]
    reader.start()
    try:
        wait_up(f"http://127.0.0.1:{port}/", proc, 1800)  # type: ignore[arg-type]
        files = sorted((src / "content" / "decisions").glob("*.md"))
        totals = []
        for n in range(edits):
            f = files[(n * 997) % len(files)]
            seen = sum("Total in" in ln for ln in out)
            f.write_text(f.read_text(encoding="utf-8") + f"\nBenchmark sentence {n}.\n", encoding="utf-8")
            deadline = time.monotonic() + 600
            while sum("Total in" in ln for ln in out) <= seen and time.monotonic() < deadline:
                time.sleep(0.05)
            found = [ln for ln in out if "Total in" in ln]
            totals.append(float(re.search(r"Total in (\d+) ms", found[-1]).group(1)) / 1000)  # type: ignore[union-attr]
            time.sleep(1.0)
    finally:
        proc.terminate()
        proc.wait(timeout=60)
    return totals


def timed(cmd: list[str]) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True)
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=10_000)
    ap.add_argument("--edits", type=int, default=7)
    ap.add_argument("--shape-edits", type=int, default=3)
    ap.add_argument("--builds", type=int, default=5)
    ap.add_argument("--skip-build", action="store_true", help="only the serve measurements")
    args = ap.parse_args()
    hugo = shutil.which("hugo")
    with tempfile.TemporaryDirectory(prefix="declog-bench-serve-") as tmp:
        base = Path(tmp)
        log, hugo_src = base / "log", base / "hugo"
        gen = [sys.executable, str(HERE / "gen_corpus.py")]
        subprocess.run([*gen, str(log), str(args.n)], check=True, capture_output=True)
        git_commit(log)
        times, shaped, first, peak = bench_declog(log, args.edits, args.shape_edits)
        print(f"declog serve: first build {first:.1f}s, peak RSS {peak / 2**20:.0f} MB")
        print("declog serve, save -> pages written: " + ", ".join(f"{t * 1000:.0f}" for t in times) + " ms")
        print(f"  median {statistics.median(times) * 1000:.0f} ms, best {min(times) * 1000:.0f} ms")
        if shaped:
            print("  after a change of shape (tags): " + ", ".join(f"{t * 1000:.0f}" for t in shaped) + " ms")
        if hugo:
            subprocess.run(
                [*gen, str(hugo_src), str(args.n), "--layout", "hugo"], check=True, capture_output=True
            )
            totals = bench_hugo(hugo, hugo_src, args.edits)
            print(
                "hugo server rebuild (its own 'Total in'): "
                + ", ".join(f"{t * 1000:.0f}" for t in totals)
                + " ms"
            )
            print(f"  median {statistics.median(totals) * 1000:.0f} ms")
        if args.skip_build:
            return
        declog = [sys.executable, "-m", "declog", "build", "--root", str(log), "--no-search", "-q"]
        cold = timed([*declog, "--no-cache"])
        timed(declog)  # fills the cache
        warm: list[float] = []
        full: list[float] = []
        files = sorted((log / "content" / "decisions").glob("*.md"))
        for n in range(args.builds):
            f = files[(n * 101 + 5) % len(files)]
            f.write_text(f.read_text(encoding="utf-8") + f"\nOne changed file {n}.\n", encoding="utf-8")
            warm.append(timed(declog))
            if hugo:
                out = base / "hugo-out"
                full.append(timed([hugo, "--source", str(hugo_src), "--destination", str(out), "--quiet"]))
        print(f"declog build: full {cold:.2f}s; warm cache + one changed file: " + _runs(warm))
        if full:
            print("hugo full build: " + _runs(full))
            print(f"  declog warm / hugo full: {statistics.median(warm) / statistics.median(full):.2f}")


def _runs(values: list[float]) -> str:
    return ", ".join(f"{v:.2f}" for v in values) + f" s (median {statistics.median(values):.2f} s)"


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    main()
