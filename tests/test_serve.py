"""``declog serve`` as a user runs it: a real server process on a loopback port, edited underneath.

Every test starts ``python -m declog serve`` on a free 127.0.0.1 port, changes
files the way an editor would, and polls the served pages (bounded retries)
until they show the change; the server is stopped with SIGINT, as Ctrl-C does.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import html
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
from conftest import ACCEPTED, invoke, make_log
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


def start(root: Path, *args: str, clock: bool = False) -> subprocess.Popen[str]:
    """``declog serve`` at a fixed moment, or at the clock's with ``clock``."""
    env = {**os.environ, "PYTHONWARNINGS": "error", "SOURCE_DATE_EPOCH": "1795000000"}
    if clock:
        del env["SOURCE_DATE_EPOCH"]
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
def serving(root: Path, *args: str, clock: bool = False) -> Iterator[Served]:
    port = free_port()
    proc = start(root, "-a", f"127.0.0.1:{port}", *args, clock=clock)
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

        added = root / "content/decisions/0034-an-added-decision.md"
        text = (root / DECISION).read_text(encoding="utf-8")
        added.write_text(text.replace('id: "0005"', 'id: "0034"').replace("Shipment keys, revised", "Added"))
        s.until("decisions/0034/index.html", has("Added"), "served the added decision")

        added.rename(root / "content/decisions/0034-renamed-on-disk.md")
        s.edit(
            "content/decisions/0034-renamed-on-disk.md", lambda t: t.replace("title: Added", "title: Moved")
        )
        s.until("decisions/0034/index.html", has("Moved"), "followed the rename")

        (root / "content/decisions/0034-renamed-on-disk.md").unlink()
        s.until("decisions/0034/index.html", lambda code, _: code == 404, "dropped the deleted decision")
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
        assert re.search(r"content/decisions/0005-[^:]+\.md:\d+:\d+: error DL\d{3} ", overlay), overlay
        assert 'id="declog-overlay"' in s.get("partners/index.html")[1]  # on every page

        s.edit(DECISION, lambda t: t.replace("mode: [async", "mode: async"))
        s.until("decisions/0005/index.html", lambda c, p: c == 200 and "declog-overlay" not in p, "recovered")

        s.edit(DECISION, lambda t: t.replace("owner: beatriz-lima", "owner: <b>nobody</b>"))
        page = s.until("index.html", has('id="declog-overlay"'), "showed the overlay for an unknown owner")
        assert "&lt;b&gt;nobody&lt;/b&gt;" in page and "<b>nobody</b>" not in page  # escaped
        # every problem check prints (its DL322 notes are news of proposals ready, not problems)
        terminal = [row for row in invoke(["check", "--root", str(root)]).lines if " note DL322 " not in row]
        assert terminal and all(html.escape(row) in page for row in terminal)  # hint and all
        s.edit(DECISION, lambda t: t.replace("owner: <b>nobody</b>", "owner: beatriz-lima"))
        s.until("index.html", lambda c, p: c == 200 and "declog-overlay" not in p, "recovered")

        template = root / "templates" / "meeting.html"
        template.parent.mkdir()
        template.write_text(
            "{% extends 'base.html' %}{% block main %}{{ view.nothing_here }}{% endblock %}\n"
        )
        page = s.until("meetings/index.html", has('id="declog-overlay"'), "showed the template error")
        assert "templates/meeting.html:1:1: error DL602" in page
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


# --- whom it answers, and for how long --------------------------------------------------------------


def raw(port: int, request: bytes, *, until: bytes = b"", timeout: float = WAIT) -> bytes:
    """Send ``request`` as written (any Host, any Origin) and read the answer until it ends (or ``until``)."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as conn:
        conn.sendall(request)
        data = b""
        with contextlib.suppress(ConnectionResetError):
            while chunk := conn.recv(65536):
                data += chunk
                if until and until in data:
                    break
    return data


def get(port: int, host: str | None, path: str = "/index.html", *more: str) -> bytes:
    lines = [f"GET {path} HTTP/1.1", *([f"Host: {host}"] if host is not None else []), *more]
    return raw(port, ("\r\n".join([*lines, "Connection: close"]) + "\r\n\r\n").encode(), until=b"data:")


def status(answer: bytes) -> int:
    return int(answer.split(b" ", 2)[1])


def test_only_requests_for_this_server_are_answered(root: Path) -> None:
    with serving(root, "--allow-host", "preview.example") as s:
        port = int(s.url.rsplit(":", 1)[1].strip("/"))
        for host in ("localhost", f"127.0.0.1:{port}", f"[::1]:{port}", "preview.example", "Localhost:1"):
            answer = get(port, host)
            assert status(answer) == 200 and b"</html>" in answer, host
        assert status(get(port, None).replace(b"HTTP/1.1", b"HTTP/1.0")) == 200  # no Host: not a browser
        # DNS rebinding: a page at attacker.example whose name now points at 127.0.0.1
        for host in ("attacker.example", f"attacker.example:{port}", "127.0.0.1.attacker.example", "[::1"):
            answer = get(port, host)
            head, _, body = answer.partition(b"\r\n\r\n")
            assert status(answer) == 421, host
            assert b"Content-Type: text/plain" in head and b"<html" not in body
            assert body.startswith(b"declog serve does not answer for '")
        assert status(get(port, "localhost", "/index.html", "Host: attacker.example")) == 400

        events = "/__declog/events"
        assert status(get(port, f"127.0.0.1:{port}", events, "Origin: http://attacker.example")) == 403
        assert status(get(port, f"localhost:{port}", events, f"Origin: http://127.0.0.1:{port}")) == 403
        answer = get(port, f"localhost:{port}", events, f"Origin: http://localhost:{port}")
        assert status(answer) == 200 and b"data: " in answer
        assert status(get(port, f"127.0.0.1:{port}", events)) == 200  # a same-origin page sends no Origin


@pytest.fixture
def small(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[int]:
    """A server in this process with small limits, on a free port; yields the port."""
    from declog.site import serve

    for name, value in {
        "REQUEST_SECONDS": 1.0,
        "IDLE_SECONDS": 1.0,
        "KEEPALIVE": 0.2,
        "MAX_STREAMS": 2,
        "MAX_CONNECTIONS": 4,
    }.items():
        monkeypatch.setattr(serve, name, value)
    log = make_log(tmp_path / "log")
    log.decision("0001-x", ACCEPTED)
    server = serve.Server(log.root, tmp_path / "out", address=("127.0.0.1", 0))
    try:
        assert server.start().kind == "built"
        yield int(server.httpd.server_address[1])
    finally:
        server.stop()


def test_a_client_that_sends_its_request_byte_by_byte_is_dropped(small: int) -> None:
    with socket.create_connection(("127.0.0.1", small), timeout=WAIT) as conn:
        conn.sendall(b"GET /index.html HTTP/1.1\r\n")
        dropped = False
        for _ in range(200):  # a header byte every 0.05 s, each well within the socket's timeout
            try:
                conn.sendall(b"X")
            except OSError:
                dropped = True
                break
            time.sleep(0.05)
        assert dropped  # after REQUEST_SECONDS (1 s here) of dripping, not the whole 10 s


def test_connections_and_reload_streams_are_counted(small: int) -> None:
    idle = [socket.create_connection(("127.0.0.1", small), timeout=WAIT) for _ in range(4)]
    try:
        with socket.create_connection(("127.0.0.1", small), timeout=WAIT) as fifth:
            assert fifth.recv(100) == b""  # closed at once: four are open
    finally:
        for conn in idle:
            conn.close()
    page = b"GET /index.html HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
    deadline = time.monotonic() + WAIT
    while b" 200 " not in raw(small, page)[:20]:  # the server lets the idle ones go
        assert time.monotonic() < deadline
        time.sleep(0.05)
    ask = b"GET /__declog/events HTTP/1.1\r\nHost: localhost\r\n\r\n"
    streams = [socket.create_connection(("127.0.0.1", small), timeout=WAIT) for _ in range(2)]
    try:
        for conn in streams:
            conn.sendall(ask)
            data = b""
            while b"data: " not in data:
                data += conn.recv(1000) or pytest.fail(f"the stream ended: {data!r}")
        deadline = time.monotonic() + WAIT
        answer = raw(small, ask, until=b"data:")
        while status(answer) != 503 and time.monotonic() < deadline:  # the idle ones may still be open
            answer = raw(small, ask, until=b"data:")
        assert status(answer) == 503
        assert answer.endswith(b"more than 2 pages are listening for reloads\n")
    finally:
        for conn in streams:
            conn.close()
    deadline = time.monotonic() + WAIT
    while status(answer := raw(small, ask, until=b"data:")) != 200:  # a closed page frees its stream
        assert time.monotonic() < deadline, answer
        time.sleep(0.1)


def test_serve_outside_a_log_exits_2_as_check_does(tmp_path: Path) -> None:
    """No declog.toml: nothing to serve, and no "last good version" to show; the message check gives."""
    check = invoke(["check", "--root", str(tmp_path)])
    serve = invoke(["serve", "--root", str(tmp_path), "-a", "127.0.0.1:0", "-o", str(tmp_path / "site")])
    assert (serve.exit_code, serve.stdout, serve.stderr) == (2, check.stdout, check.stderr)
    assert check.exit_code == 2 and "declog: error: no declog.toml in" in check.stderr
    assert not (tmp_path / "site").exists()


def test_serve_with_a_declog_toml_that_does_not_parse_exits_2_as_check_does(tmp_path: Path) -> None:
    (tmp_path / "declog.toml").write_text("[site\n", encoding="utf-8")
    check = invoke(["check", "--root", str(tmp_path)])
    serve = invoke(["serve", "--root", str(tmp_path), "-a", "127.0.0.1:0", "-o", str(tmp_path / "site")])
    assert (serve.exit_code, serve.stdout, serve.stderr) == (2, check.stdout, check.stderr)
    assert "DL501" in check.stdout
    assert not (tmp_path / "site").exists()


def test_the_preview_follows_the_clock_past_a_deadline_with_no_file_saved(root: Path) -> None:
    """A deadline passing changes what the pages say (silence counts): serve rebuilds on its own."""
    doc = next((root / "content/decisions").glob("0028-*.md"))
    soon = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(seconds=12)
    text = re.sub(r"(?m)^deadline: .*$", f"deadline: {soon.isoformat()}", doc.read_text(encoding="utf-8"))
    doc.write_text(text, encoding="utf-8")
    with serving(root, clock=True) as served:
        page = served.until("decisions/0028/index.html", has("0028"), "showed 0028")
        if dt.datetime.now(dt.UTC) < soon:  # (a very slow first build may already be past it)
            assert "data-open>open</span>" in page and "state-silence-due" not in page
        page = served.until(
            "decisions/0028/index.html",
            lambda code, page: code == 200 and "state-silence-due" in page and "Ready to accept" in page,
            "counted Kanto Lab's and Rota Sul's silence once the deadline passed",
        )
        assert dt.datetime.now(dt.UTC) >= soon
