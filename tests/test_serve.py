"""``declog serve`` as a user runs it: a real server process on a loopback port, edited underneath.

Every test starts ``python -m declog serve`` on a free 127.0.0.1 port, changes
files the way an editor would, and polls the served pages (bounded retries)
until they show the change; the server is stopped with SIGINT, as Ctrl-C does.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sitetools import copy_example

from declog.site.cache import serve_dir
from declog.site.render import packaged_templates

DECISION = "content/decisions/0005-use-iso-6346-container-numbers-and-un-locode-as-shipment-keys.md"
TITLE = "Use ISO 6346 container numbers and UN/LOCODE as shipment keys"
WAIT = 60.0  # seconds a change may take to show (slow, shared CI machines)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Served:
    proc: subprocess.Popen[str]
    url: str
    root: Path

    def get(self, path: str = "") -> tuple[int, str]:
        try:
            with urllib.request.urlopen(self.url + path, timeout=10) as response:
                return response.status, response.read().decode("utf-8")
        except urllib.error.HTTPError as exc:
            with exc:
                return exc.code, exc.read().decode("utf-8", "replace")

    def until(self, path: str, ok: Callable[[int, str], bool], what: str) -> str:
        deadline = time.monotonic() + WAIT
        while True:
            code, page = self.get(path)
            if ok(code, page):
                return page
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"{path}: never {what}; last answer {code}: {page[-600:]}")
            time.sleep(0.1)

    def edit(self, rel: str, change: Callable[[str], str]) -> None:
        path = self.root / rel
        path.write_text(change(path.read_text(encoding="utf-8")), encoding="utf-8")


def start(root: Path, *args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONWARNINGS": "error", "SOURCE_DATE_EPOCH": "1795000000"}
    return subprocess.Popen(
        [sys.executable, "-m", "declog", "serve", "--root", str(root), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def stop(proc: subprocess.Popen[str]) -> tuple[int, str]:
    """Ctrl-C the server; its exit code and what it printed."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
    try:
        _, err = proc.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        _, err = proc.communicate()
        raise AssertionError(f"the server did not stop on SIGINT:\n{err}") from None
    return proc.returncode, err


@contextlib.contextmanager
def serving(root: Path, *args: str) -> Iterator[Served]:
    port = free_port()
    proc = start(root, "-a", f"127.0.0.1:{port}", *args)
    served = Served(proc, f"http://127.0.0.1:{port}/", root)
    try:
        deadline = time.monotonic() + WAIT
        while True:
            with contextlib.suppress(OSError):
                if served.get("")[0] == 200:
                    break
            if proc.poll() is not None or time.monotonic() > deadline:
                code, err = stop(proc)
                raise AssertionError(f"the server did not come up (exit {code}):\n{err}")
            time.sleep(0.1)
        yield served
    finally:
        code, err = stop(proc)
    assert code == 0, err
    assert "Stopped." in err
    assert "Traceback" not in err, err


@pytest.fixture(autouse=True)
def user_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The server builds into the user's cache folder (inherited by the server process): a temporary one."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    return tmp_path / "user-cache" / "declog"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return copy_example(tmp_path / "log")


def has(text: str) -> Callable[[int, str], bool]:
    return lambda code, page: code == 200 and text in page


def test_edits_additions_renames_and_deletions_show_up(root: Path) -> None:
    with serving(root) as s:
        page = s.until("decisions/0005/index.html", has(TITLE), "served")
        assert "/__declog/events" in page  # the reload script, only while serving
        on_disk = (serve_dir(root) / "decisions" / "0005" / "index.html").read_text()
        assert "__declog" not in on_disk
        assert serve_dir(root).is_relative_to(root.parent / "user-cache")  # nothing written in the log
        assert not (root / ".declog-cache").exists()

        s.edit(DECISION, lambda t: t.replace(f"title: {TITLE}", "title: Shipment keys, revised"))
        s.until("decisions/0005/index.html", has("Shipment keys, revised"), "showed the new title")
        s.until("timeline/index.html", has("Shipment keys, revised"), "listed the new title")

        added = root / "content/decisions/0033-an-added-decision.md"
        text = (root / DECISION).read_text(encoding="utf-8")
        added.write_text(text.replace('id: "0005"', 'id: "0033"').replace("Shipment keys, revised", "Added"))
        s.until("decisions/0033/index.html", has("Added"), "served the added decision")

        added.rename(root / "content/decisions/0033-renamed-on-disk.md")
        s.edit(
            "content/decisions/0033-renamed-on-disk.md", lambda t: t.replace("title: Added", "title: Moved")
        )
        s.until("decisions/0033/index.html", has("Moved"), "followed the rename")

        (root / "content/decisions/0033-renamed-on-disk.md").unlink()
        s.until("decisions/0033/index.html", lambda code, _: code == 404, "dropped the deleted decision")
        s.until("timeline/index.html", lambda code, page: code == 200 and "Moved" not in page, "unlisted it")

        template = root / "templates" / "decision.html"
        template.parent.mkdir()
        shutil.copy(packaged_templates() / "decision.html", template)
        head, _, tail = template.read_text(encoding="utf-8").rpartition("{% endblock %}")
        template.write_text(
            f"{head}<p>From the log's own template</p>{{% endblock %}}{tail}", encoding="utf-8"
        )
        s.until("decisions/0005/index.html", has("From the log's own template"), "used the new template")
        assert "own template" not in s.get("meetings/index.html")[1]

        template.unlink()
        s.until("decisions/0005/index.html", lambda c, p: c == 200 and "own template" not in p, "forgot it")


def test_a_broken_log_keeps_the_last_good_site_under_an_overlay(root: Path) -> None:
    with serving(root) as s:
        s.until("decisions/0005/index.html", has(TITLE), "served")

        s.edit(DECISION, lambda t: t.replace("mode: async", "mode: [async"))
        page = s.until("decisions/0005/index.html", has('id="declog-overlay"'), "showed the overlay")
        assert TITLE in page  # the last good page, under the overlay
        overlay = page[page.index('id="declog-overlay"') :]
        assert re.search(r"content/decisions/0005-[^:]+\.md:\d+:\d+: DL\d{3} ", overlay), overlay
        assert 'id="declog-overlay"' in s.get("partners/index.html")[1]  # on every page

        s.edit(DECISION, lambda t: t.replace("mode: [async", "mode: async"))
        s.until("decisions/0005/index.html", lambda c, p: c == 200 and "declog-overlay" not in p, "recovered")

        s.edit(DECISION, lambda t: t.replace("owner: beatriz-lima", "owner: <b>nobody</b>"))
        page = s.until("index.html", has('id="declog-overlay"'), "showed the overlay for an unknown owner")
        assert "&lt;b&gt;nobody&lt;/b&gt;" in page and "<b>nobody</b>" not in page  # escaped
        s.edit(DECISION, lambda t: t.replace("owner: <b>nobody</b>", "owner: beatriz-lima"))
        s.until("index.html", lambda c, p: c == 200 and "declog-overlay" not in p, "recovered")

        template = root / "templates" / "meeting.html"
        template.parent.mkdir()
        template.write_text(
            "{% extends 'base.html' %}{% block main %}{{ view.nothing_here }}{% endblock %}\n"
        )
        page = s.until("meetings/index.html", has('id="declog-overlay"'), "showed the template error")
        assert "templates/meeting.html:1:1: DL602" in page
        template.unlink()
        s.until("meetings/index.html", lambda c, p: c == 200 and "declog-overlay" not in p, "recovered")


def test_open_pages_are_told_to_reload_after_each_rebuild(root: Path) -> None:
    with serving(root) as s:
        s.until("decisions/0005/index.html", has(TITLE), "served")
        with urllib.request.urlopen(s.url + "__declog/events", timeout=WAIT) as events:
            assert events.headers["Content-Type"] == "text/event-stream"
            first = _next_data(events)
            s.edit(DECISION, lambda t: t + "\nOne more line.\n")
            assert int(_next_data(events)) > int(first)


def _next_data(stream: object) -> str:
    while True:
        line = stream.readline().decode()  # type: ignore[attr-defined]
        if not line:
            raise AssertionError("the event stream ended")
        if line.startswith("data: "):
            return line[6:].strip()


def test_no_livereload_serves_the_pages_as_built(root: Path) -> None:
    with serving(root, "--no-livereload") as s:
        page = s.until("decisions/0005/index.html", has(TITLE), "served")
        assert "__declog" not in page


def test_a_port_in_use_is_a_clear_error(root: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        proc = start(root, "-a", f"127.0.0.1:{port}")
        _, err = proc.communicate(timeout=60)
    assert proc.returncode == 2
    assert f"declog: error: address 127.0.0.1:{port} is already in use" in err
    assert "Traceback" not in err


def test_a_bad_address_is_a_usage_error(root: Path) -> None:
    proc = start(root, "-a", "localhost:http")
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 2
    assert "is not HOST:PORT" in err


def test_the_overlay_is_opaque_and_wraps_on_a_phone() -> None:
    from declog.site.serve import overlay

    box = overlay([], "content/decisions/" + "a-very-long-file-name-" * 6 + ".md: <b>broken</b>")
    style = box.split('style="', 1)[1].split('"', 1)[0]
    assert "background:#141414" in style and "rgba" not in style  # the page never shows through
    assert "overflow-wrap:anywhere" in style and "overflow:auto" in style
    assert "&lt;b&gt;broken&lt;/b&gt;" in box
