"""``declog serve``: the site over HTTP, rebuilt as its sources change, with live reload.

Three threads besides the caller's: the HTTP server (standard library), a
watcher (watchfiles) that turns saved files into a wanted generation number,
and a builder that brings the site up to that generation with
``incremental.Incremental``. A rebuild overtaken by a newer change is
abandoned before it writes anything. A rebuild that fails (bad YAML, an
unknown partner, a broken template) leaves the last good site in place and
every page shows the findings in an overlay until a later rebuild succeeds.

The reload script and the overlay are added to HTML responses as they are
served; the files in the output folder are exactly what ``declog build`` writes.
A request for a missing page is answered with the site's own 404.html (status
404); a request whose path cannot name a file (a NUL or other control
character, bad percent-encoding, an over-long path or name) is answered 400.
No request makes the server print a traceback.

Only requests for this server are answered: a ``Host`` that is a loopback name
or address, the address it listens on (any address when that is 0.0.0.0 or
::) or a name allowed by the caller. Anything else is answered 421, so a web
page whose name an attacker points at 127.0.0.1 (DNS rebinding) cannot read
the preview. The reload stream also refuses another page's ``Origin``. Each
request must arrive within ``REQUEST_SECONDS``, a response must be taken within
``IDLE_SECONDS``, and connections and reload streams are counted, so a slow or
greedy client cannot hold the server's threads.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import gc
import html
import http.server
import io
import ipaddress
import re
import sys
import threading
import time
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import watchfiles

from declog.check.output import concise
from declog.log.diagnostics import Diagnostic
from declog.log.escape import terminal
from declog.log.progress import Progress, silent
from declog.site import urls
from declog.site.cache import cache_dir, cached_build
from declog.site.incremental import Abandoned, Incremental, Update
from declog.site.writer import OutputError

__all__ = ["EVENTS", "Event", "ServeError", "Server", "SourceFilter"]

#: The server-sent events endpoint the reload script listens to.
EVENTS = "/__declog/events"
#: Seconds between keep-alive comments on an idle event stream.
KEEPALIVE = 15.0
#: Seconds without a change before the server does its chores (preparing, collecting garbage).
IDLE = 2.0
_BODY_END = re.compile(rb"</body\s*>", re.IGNORECASE)
#: Editor temporary files that are not sources (swap, backup and lock files).
_TEMP = re.compile(r"(^\.#|^#.*#$|~$|\.sw[a-p]$|\.swp?x$|\.tmp$|\.bak$|^4913$|\.declog-tmp$)")
#: The longest request path (decoded) and path segment served; anything longer is answered 400.
MAX_PATH = 2048
MAX_SEGMENT = 255
#: Seconds a client has to send a request's line and headers, from the moment it connects.
REQUEST_SECONDS = 10.0
#: Seconds a client may leave the server waiting while it sends a response (a client that stops reading).
IDLE_SECONDS = 30.0
#: Connections answered at once (each holds a thread); more are closed as they arrive.
MAX_CONNECTIONS = 64
#: Open pages listening for reloads at once (each holds a connection); more are answered 503.
MAX_STREAMS = 32


class ServeError(Exception):
    """The server cannot start (the address is in use or cannot be bound)."""


@dataclass(frozen=True)
class Event:
    """What the server reports to its caller (the CLI prints it)."""

    kind: str
    """"built", "failed" (findings shown in the overlay) or "error" (an unexpected exception)."""
    update: Update | None = None
    changes: tuple[str, ...] = ()
    """Files whose change started this rebuild, relative to the root."""
    message: str = ""


@dataclass
class _Status:
    version: int = 0
    """Bumped after every finished rebuild, good or failed; open pages reload when it changes."""
    findings: list[Diagnostic] = field(default_factory=list)
    failed: bool = False
    message: str = ""


#: How long the watcher waits for a change before it reports an empty batch (and so, at first, that it runs).
_READY_MS = 200


class SourceFilter(watchfiles.DefaultFilter):
    """Sources only: content/, templates/ and declog.toml; not the output, the cache or editor temp files."""

    def __init__(self, root: Path, ignore: tuple[Path, ...]) -> None:
        super().__init__()
        self.root = root.resolve()
        self.ignore = tuple(p.resolve() for p in ignore)

    def __call__(self, change: watchfiles.Change, path: str) -> bool:
        if not super().__call__(change, path):
            return False
        p = Path(path)
        if _TEMP.search(p.name) or any(p.is_relative_to(i) for i in self.ignore):
            return False
        try:
            rel = p.relative_to(self.root)
        except ValueError:
            return False
        return rel.parts[:1] in (("content",), ("templates",)) or rel.as_posix() == "declog.toml"


class Server:
    """Serve ``out`` at ``address`` and keep it built from the log at ``root``."""

    def __init__(
        self,
        root: Path,
        out: Path,
        *,
        address: tuple[str, int] = ("127.0.0.1", 8000),
        livereload: bool = True,
        site_url: str | None = None,
        strict: bool = False,
        report: Callable[[Event], None] = lambda event: None,
        debounce_ms: int = 10,
        allowed_hosts: Collection[str] = (),
    ) -> None:
        """``allowed_hosts``: names besides loopback ones that requests may give as their ``Host``.
        ``debounce_ms``: a batch of saved files ends once none came for this long (the watcher looks
        this often: a save shows after one to two of these, plus the rebuild)."""
        self.root, self.out = root, out
        self.hosts = Hosts(address[0], allowed_hosts)
        self.streams = threading.BoundedSemaphore(MAX_STREAMS)
        self.livereload = livereload
        self.report = report
        self.debounce_ms = debounce_ms
        self.site = Incremental(root, out, site_url=site_url, strict=strict)
        self.status = _Status()
        self.changed = threading.Condition()
        self.wanted = 0
        """Generation the sources are at: bumped by the watcher on every batch of changes."""
        self.pending: set[str] = set()
        self.stopping = threading.Event()
        self.threads: list[threading.Thread] = []
        self.watching = threading.Event()  # set once the watcher sees every change from then on
        try:
            self.httpd = _HTTPServer(address, _handler(self), self._request_failed)
        except OSError as exc:
            host, port = address
            if exc.errno == errno.EADDRINUSE:
                raise ServeError(
                    f"address {host}:{port} is already in use; stop the other server or pass "
                    f"another one, e.g. -a {host}:{port + 1} (or port 0 for any free port)"
                ) from None
            raise ServeError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        shown = f"[{host!s}]" if ":" in str(host) else str(host)
        return f"http://{shown}:{port}/"

    def start(self, progress: Progress = silent) -> Event:
        """Build once, then answer requests, watch the sources and rebuild, each in a thread of its own.

        The first build runs before any thread exists (not even the watcher's,
        which is native), so it can fork worker processes safely; a source
        saved while it ran is found by its modification time and rebuilt.
        ``progress`` hears how the first build goes. Returns the first build's event.
        """
        began = time.time_ns() - 1_000_000_000  # file times can be coarser than the clock
        first = self._first_build(progress)
        # Warmed in the build thread while the first pages are served: the first save is then as
        # quick as the next ones, and the first page need not wait for it.
        first_chores = [self.site.warm] if first.kind == "built" else []
        for target, name in (
            (self.httpd.serve_forever, "declog-http"),
            (self._watch, "declog-watch"),
            (functools.partial(self._build_loop, first_chores), "declog-build"),
        ):
            thread = threading.Thread(target=target, name=name, daemon=True)
            thread.start()
            self.threads.append(thread)
        # What was saved during the first build: looked for once the watcher runs, so nothing is missed.
        self.watching.wait(timeout=10)
        if late := self._saved_since(began):
            self.notify(late)
        return first

    def _ignored(self) -> tuple[Path, ...]:
        """What the server writes (the output, the build cache), never a source even inside the log."""
        cache = cache_dir()
        return (self.out, self.root / ".declog-cache", *([cache] if cache is not None else []))

    def _saved_since(self, ns: int) -> set[str]:
        """Sources (and folders, which change when a file is added or removed) modified after ``ns``."""
        accept = SourceFilter(self.root, self._ignored())
        found = set()
        for top in (self.root / "content", self.root / "templates", self.root / "declog.toml"):
            paths = [top, *top.rglob("*")] if top.is_dir() else [top]
            for path in paths:
                try:
                    late = path.stat().st_mtime_ns >= ns
                except OSError:
                    continue
                if late and (path.is_dir() or accept(watchfiles.Change.modified, str(path))):
                    found.add(_relative(path, self.root))
        return found

    def _first_build(self, progress: Progress) -> Event:
        """Like ``declog build`` (its cache, its worker processes: no Python thread runs yet)."""
        site = self.site
        try:
            result = cached_build(
                self.root,
                self.out,
                site_url=site.site_url,
                strict=site.strict,
                search_index=False,
                site=site,
                progress=progress,
            )
        except Exception as exc:
            message = f"{type(exc).__name__}: {exc}" if not isinstance(exc, OutputError) else str(exc)
            return self._finish(Event("error", message=message), [], message)
        update = result
        if not result.built:
            problems = [d for d in result.findings if d.severity == "error" or site.strict]
            return self._finish(Event("failed", update), problems, "")
        return self._finish(Event("built", update), [], "")

    def stop(self) -> None:
        """Stop every thread and close the socket; open event streams end."""
        self.stopping.set()
        with self.changed:
            self.changed.notify_all()
        if self.threads:
            self.httpd.shutdown()
        self.httpd.server_close()
        for thread in self.threads:
            thread.join(timeout=5)
        self.threads = []

    # --- watching and rebuilding ------------------------------------------------------

    def _watch(self) -> None:
        """Turn batches of saved files into wanted generations until the server stops.

        watchfiles starts its watcher when the loop first asks for changes; its first
        empty batch (after ``_READY_MS`` without any) says the watcher runs.
        """
        changes = watchfiles.watch(
            self.root,
            watch_filter=SourceFilter(self.root, self._ignored()),
            debounce=1600,
            step=self.debounce_ms,
            stop_event=self.stopping,
            rust_timeout=_READY_MS,
            yield_on_timeout=True,
            raise_interrupt=False,
            ignore_permission_denied=True,
        )
        try:
            for batch in changes:
                self.watching.set()
                names = {_relative(Path(path), self.root) for _, path in batch}
                if names:
                    self.notify(names)
        finally:
            self.watching.set()  # never leave start() waiting, even if the watcher failed

    def notify(self, names: set[str]) -> None:
        """Sources changed: a newer generation is wanted (and any rebuild in progress is abandoned)."""
        with self.changed:
            self.wanted += 1
            self.pending |= names
            self.changed.notify_all()

    def _build_loop(self, first: Sequence[Callable[[], None]] = ()) -> None:
        """Rebuild on each change; ``first``: chores to do at once (before any rebuild)."""
        for chore in first:
            self._chore(chore)
        done = 0
        chores: list[Callable[[], None]] = [_tidy]  # done once nothing changed for IDLE seconds
        while not self.stopping.is_set():
            with self.changed:
                while self.wanted == done and not self.stopping.is_set():
                    due = self.site.next_change()  # a deadline passing changes pages with no save
                    if chores and (due is None or due > IDLE):
                        if not self.changed.wait(timeout=IDLE):
                            break
                    elif due is not None:
                        if not self.changed.wait(timeout=due + 0.05):
                            self.wanted += 1  # rebuild as of the new moment (no file changed)
                    else:
                        self.changed.wait()
                if self.stopping.is_set():
                    return
                generation, names = self.wanted, tuple(sorted(self.pending))
            if generation == done:
                self._chore(chores.pop(0))
                continue
            event = self._rebuild(generation, names)
            # What the rebuild kept stays out of the collector's view: a full collection over a
            # large log takes most of a second. It runs once the server has been idle for a while.
            gc.collect(1)
            gc.freeze()
            chores = [self.site.warm, _tidy]
            if event.kind == "abandoned":
                continue
            done = generation
            with self.changed:
                if self.wanted == generation:
                    self.pending.clear()
            try:
                self.report(event)
            except Exception as exc:  # the caller's problem must not stop the rebuilds
                self._finish(event, [], f"while reporting a rebuild: {type(exc).__name__}: {exc}")
            del event

    def _chore(self, chore: Callable[[], None]) -> None:
        try:
            chore()
        except Exception as exc:  # a bug must not stop the server: show it, keep serving
            self._finish(Event("error", message=f"{type(exc).__name__}: {exc}"), [], str(exc))
        finally:
            gc.freeze()

    def _rebuild(self, generation: int, names: tuple[str, ...]) -> Event:
        def overtaken() -> bool:
            return self.wanted != generation or self.stopping.is_set()

        try:
            update = self.site.update(overtaken, changed=names)
        except Abandoned:
            return Event("abandoned", changes=names)
        except OutputError as exc:
            return self._finish(Event("error", changes=names, message=str(exc)), [], str(exc))
        except Exception as exc:  # a bug must not stop the server: show it and keep the last good site
            message = f"{type(exc).__name__}: {exc}"
            return self._finish(Event("error", changes=names, message=message), [], message)
        if not update.built:
            problems = [d for d in update.findings if d.severity == "error" or self.site.strict]
            return self._finish(Event("failed", update, names), problems, "")
        return self._finish(Event("built", update, names), [], "")

    def _request_failed(self, exc: BaseException) -> None:
        """A request raised (a bug, not a bad request): reported, never printed as a traceback."""
        message = f"while answering a request: {type(exc).__name__}: {exc}"
        with contextlib.suppress(Exception):  # the caller's problem must not reach the HTTP thread
            self.report(Event("error", message=message))

    def _finish(self, event: Event, findings: list[Diagnostic], message: str) -> Event:
        with self.changed:
            self.status = _Status(self.status.version + 1, findings, bool(findings or message), message)
            self.changed.notify_all()
        return event

    # --- what the handler shows -------------------------------------------------------

    def decorate(self, page: bytes) -> bytes:
        """An HTML page as served: the overlay while the log is broken, the reload script."""
        status = self.status
        extra = overlay(status.findings, status.message) if status.failed else ""
        if self.livereload:
            extra += reload_script(status.version)
        if not extra:
            return page
        data = extra.encode("utf-8")
        ends = list(_BODY_END.finditer(page))
        if not ends:
            return page + data
        at = ends[-1].start()
        return page[:at] + data + page[at:]

    def wait_version(self, seen: int, timeout: float) -> int:
        """The status version, once it differs from ``seen`` or after ``timeout`` seconds."""
        with self.changed:
            self.changed.wait_for(
                lambda: self.status.version != seen or self.stopping.is_set(), timeout=timeout
            )
            return self.status.version


def _tidy() -> None:
    """A full garbage collection, the cycles the rebuilds left included, then the survivors out of view."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()


def reload_script(version: int) -> str:
    """Reloads the page when a rebuild finishes after the version it was served at."""
    return (
        f'<script data-declog-reload="{version}">(() => {{'
        f'const v = "{version}"; const es = new EventSource("{EVENTS}?v=" + v);'
        "es.onmessage = (e) => { if (e.data !== v) { es.close(); location.reload(); } };"
        "addEventListener('pagehide', () => es.close());"
        "})();</script>\n"
    )


def overlay(findings: list[Diagnostic], message: str) -> str:
    """The findings of a failed rebuild over the last good page, escaped.

    Each finding reads as the terminal and ``declog check`` print it, with its hint.
    """
    lines = [concise(d) for d in findings]
    if message:
        lines.append(message)
    items = "".join(f"<li>{html.escape(terminal(line))}</li>" for line in lines)  # a name's bytes: \xff
    return (
        # opaque, so the page below never shows through; long paths wrap on a phone
        '<div id="declog-overlay" role="alert" style="position:fixed;inset:0;z-index:2147483647;'
        "overflow:auto;background:#141414;color:#f2f2f2;font:15px/1.5 ui-monospace,monospace;"
        'padding:clamp(1rem,4vw,2rem);overflow-wrap:anywhere;box-sizing:border-box;max-width:none">'
        '<p style="color:#ff9e94;font-weight:bold;font-size:1.2em;margin:0 0 1em">'
        "declog: the log has errors; "
        "this is the last good version of the site. It reloads once they are fixed.</p>"
        f'<ul style="padding-left:1.2em;margin:0">{items}</ul></div>\n'
    )


class Hosts:
    """Which ``Host`` headers name this server (DNS rebinding: a name can be pointed at 127.0.0.1).

    ``localhost`` or a loopback address; the address the server listens on,
    or any address when it listens on all of them (a numeric address cannot
    be rebound); the name it was told to listen on; the names in ``allowed``.
    Any port.
    """

    def __init__(self, bound: str, allowed: Collection[str] = ()) -> None:
        self.names = frozenset(n.lower().rstrip(".") for n in (*allowed, bound) if n)
        try:
            address = ipaddress.ip_address(bound)
        except ValueError:
            address = None
        self.any_address = address is not None and address.is_unspecified
        self.address = address

    def __contains__(self, header: object) -> bool:
        if not isinstance(header, str):
            return False
        host, port = _split_host(header.strip().lower())
        if host is None or not (port == "" or (port.isascii() and port.isdigit() and len(port) <= 5)):
            return False
        host = host.rstrip(".")
        if host == "localhost" or host in self.names:
            return True
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            return False
        return address.is_loopback or self.any_address or address == self.address


def _split_host(header: str) -> tuple[str | None, str]:
    """``name:port``, ``1.2.3.4:port`` or ``[::1]:port`` -> (host, port); (None, "") when malformed."""
    if header.startswith("["):
        host, bracket, port = header[1:].partition("]")
        if not bracket or (port and not port.startswith(":")):
            return None, ""
        return host, port[1:]
    host, colon, port = header.partition(":")
    if not host or ":" in port or (colon and not port):
        return None, ""
    return host, port


def _relative(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)


class _HTTPServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(
        self, address: tuple[str, int], handler: Any, failed: Callable[[BaseException], None]
    ) -> None:
        self.connections = threading.BoundedSemaphore(MAX_CONNECTIONS)
        super().__init__(address, handler)
        self.failed = failed

    def process_request(self, request: Any, client_address: Any) -> None:
        """A thread per connection, up to ``MAX_CONNECTIONS`` at once; beyond that it is closed at once."""
        if not self.connections.acquire(blocking=False):
            self.shutdown_request(request)
            return
        try:
            super().process_request(request, client_address)
        except BaseException:
            self.connections.release()  # no thread was started to release it
            raise

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self.connections.release()

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Instead of printing a traceback: a client that went away is no news, anything else is reported."""
        exc = sys.exc_info()[1]
        if exc is not None and not isinstance(exc, ConnectionError | TimeoutError):
            self.failed(exc)


def request_path(raw: str) -> str | None:
    """The decoded path of a request target, or None when it cannot name a file of the site.

    None for invalid percent-encoding (``%zz``, bytes that are not UTF-8), a
    NUL or other control character, a backslash, or a path or segment longer
    than a file system allows.
    """
    path = raw.split("?", 1)[0].split("#", 1)[0]
    if not path.startswith("/") or len(path) > 3 * MAX_PATH:
        return None
    if re.search(r"%(?![0-9A-Fa-f]{2})", path):
        return None
    try:
        text = unquote(path, errors="strict")
    except UnicodeDecodeError:
        return None
    if len(text) > MAX_PATH or any(len(part) > MAX_SEGMENT for part in text.split("/")):
        return None
    if any(ord(c) < 32 or c in "\x7f\\" for c in text):
        return None
    return text


def _handler(server: Server) -> Any:
    class Handler(http.server.SimpleHTTPRequestHandler):
        timeout = IDLE_SECONDS  # set on the socket: how long any one read or write may wait
        deadline = 0.0
        """When the request's line and headers must have arrived (``time.monotonic``)."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, directory=str(server.out), **kwargs)

        def log_message(self, format: str, *args: Any) -> None:
            pass  # library code does not print; the CLI reports rebuilds

        def setup(self) -> None:
            super().setup()
            self.rfile.close()  # the socket's own reader, replaced by one that keeps the deadline
            self.rfile = io.BufferedReader(_Paced(self))

        def handle_one_request(self) -> None:
            # A read past the deadline raises TimeoutError, which the base class answers by
            # dropping the connection: a client sending a byte now and then cannot keep it.
            self.deadline = time.monotonic() + REQUEST_SECONDS
            super().handle_one_request()

        def end_headers(self) -> None:
            self.send_header("Cache-Control", "no-store")
            super().end_headers()

        def parse_request(self) -> bool:
            if not super().parse_request():
                return False
            hosts = self.headers.get_all("Host") or []
            if len(hosts) > 1:
                self._plain(400, "a request names one host")
                return False
            if hosts and hosts[0] not in server.hosts:
                self._plain(421, f"declog serve does not answer for {_visible_host(hosts[0])} (--allow-host)")
                return False
            if request_path(self.path) is None:
                self.send_error(400, "Bad request path")
                return False
            return True

        def _plain(self, code: int, message: str) -> None:
            """A short text answer, and the connection closed."""
            data = f"{message}\n".encode()
            self.close_connection = True
            self.send_response(code)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Connection", "close")
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)

        def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
            if code == 414:  # the request line is over 64 kB: answered as any other bad path
                self._drain()
                code, message = 400, "Request line too long"
            page = server.out / urls.NOT_FOUND
            if code == 404 and self.command in ("GET", "HEAD") and page.is_file():
                self._html(_based(page.read_bytes()), 404)
                return
            super().send_error(code, message, explain)

        def _drain(self) -> None:
            """Read the rest of an over-long request line, so the client hears the answer."""
            self.close_connection = True
            with contextlib.suppress(OSError, ValueError):
                for _ in range(64):
                    if self.rfile.readline(1 << 16).endswith(b"\n"):
                        break

        def do_GET(self) -> None:
            path = request_path(self.path) or "/"
            if path == EVENTS:
                self._events()
                return
            target = Path(self.translate_path(self.path))
            if target.is_dir() and path.endswith("/"):
                target = target / urls.INDEX
            if target.suffix == ".html" and target.is_file():
                self._html(target.read_bytes(), 200)
            elif target.suffix in (".html", "") and not target.exists() and server.status.failed:
                self._html(b"<!doctype html><title>declog</title><body></body>", 503)
            else:
                super().do_GET()

        def _html(self, page: bytes, code: int) -> None:
            data = server.decorate(page)
            self.send_response(code)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)

        def _events(self) -> None:
            origin, host = self.headers.get("Origin"), self.headers.get("Host")
            if origin is not None and (host is None or origin.lower() != f"http://{host}".lower()):
                self._plain(403, "the reload stream is for this server's own pages")
                return
            if not server.streams.acquire(blocking=False):
                self._plain(503, f"more than {MAX_STREAMS} pages are listening for reloads")
                return
            try:
                self._stream()
            finally:
                server.streams.release()
            self.close_connection = True

        def _stream(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Connection", "keep-alive")
            self.end_headers()
            version = server.status.version
            try:
                self.wfile.write(b"retry: 500\ndata: %d\n\n" % version)
                self.wfile.flush()
                while not server.stopping.is_set():
                    now = server.wait_version(version, KEEPALIVE)
                    if now != version:
                        version = now
                        self.wfile.write(b"data: %d\n\n" % version)
                    else:
                        self.wfile.write(b": keep-alive\n\n")
                    self.wfile.flush()
            except OSError:  # the page went away, or stopped reading (IDLE_SECONDS)
                pass

    return Handler


def _visible_host(header: str) -> str:
    """A ``Host`` header as a message may quote it: printable, at most 100 characters."""
    shown = "".join(c if c.isprintable() else "?" for c in header[:100])
    return f"'{shown}'" + ("..." if len(header) > 100 else "")


class _Paced(io.RawIOBase):
    """A request's bytes, each read allowed only the time left until its handler's deadline."""

    def __init__(self, handler: Any) -> None:
        super().__init__()
        self.handler = handler

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        connection = self.handler.connection
        left = self.handler.deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("the request did not arrive in time")
        connection.settimeout(min(left, IDLE_SECONDS))
        try:
            return int(connection.recv_into(buffer))
        finally:
            connection.settimeout(IDLE_SECONDS)


def _based(page: bytes) -> bytes:
    """The site's 404 page, served at any depth: its links (relative to the site root) resolve from there."""
    if re.search(rb"<base\s", page, re.IGNORECASE):
        return page
    head = re.search(rb"<head[^>]*>", page, re.IGNORECASE)
    at = head.end() if head else 0
    return page[:at] + b'<base href="/">' + page[at:]


def wait_for_stop(server: Server, interval: float = 0.5) -> None:
    """Block the calling thread until ``server.stop()`` (Ctrl-C raises KeyboardInterrupt here)."""
    while not server.stopping.is_set():
        time.sleep(interval)
