"""``declog build``'s on-disk cache: rebuild only the pages a change affects, across runs.

The cache holds what ``incremental.Incremental`` knows after a build: one
fingerprint per output file, which documents each file shows, the digest of
every record and of the log's shape, the size and time of each file it wrote,
and the git history keyed by HEAD. Its header names the cache format, the
declog and Python versions, the digest of every template and of declog.toml,
the log's root, the output folder and the search setting; a cache whose header
differs is stale and is ignored. So is one that cannot be read for any reason
(truncated, corrupt, written by something else, not owned by this user): the
build then starts from scratch and writes a fresh cache. It is written
atomically, so an interrupted build leaves the previous cache or none.
Beside it, one file per log keeps the documents as parsed (declog.site.doccache).

It is plain JSON, every value checked for its type when read, and it lives in
the user's cache folder (``cache_dir``), keyed by the log's root and the output
folder: never in the log's work tree, where a pull request could put one. A
cache folder that lies inside the work tree (``XDG_CACHE_HOME`` pointing into
it) is not used at all, so a file the repository holds is never read.
"""

from __future__ import annotations

import array
import contextlib
import datetime as dt
import gc
import hashlib
import json
import os
import sys
import time
from collections.abc import Callable, Mapping
from itertools import chain
from operator import itemgetter
from pathlib import Path
from typing import Any

from declog import __version__
from declog.check.checker import CheckResult
from declog.log.history import Commit
from declog.log.load import paused_gc
from declog.log.progress import Progress, silent
from declog.site import doccache, pages, search, urls
from declog.site.build import BuildResult, OutputError, build
from declog.site.doccache import read_private, write_private
from declog.site.incremental import Incremental, TooMuch
from declog.site.render import packaged_templates
from declog.site.writer import sweep, sweep_beside

__all__ = [
    "FORMAT",
    "cache_dir",
    "cache_file",
    "cached_build",
    "documents_file",
    "header",
    "read",
    "serve_dir",
    "work_tree",
    "write",
]

#: Bumped whenever what the cache holds changes; 3: JSON (1 and 2 were pickles in .declog-cache/).
FORMAT = 3
#: Caches not written for this long are deleted when a build writes its own.
KEEP_DAYS = 30
#: The array type code of 32-bit unsigned numbers ("I" on every common platform).
_U32 = next(code for code in "IL" if array.array(code).itemsize == 4)


def cache_dir() -> Path | None:
    """declog's folder in the user's cache: ``$XDG_CACHE_HOME/declog``, else the platform's usual place.

    ``~/.cache/declog`` on Linux, ``~/Library/Caches/declog`` on macOS,
    ``%LOCALAPPDATA%\\declog\\Cache`` on Windows; None when there is no home folder.
    """
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    if xdg and os.path.isabs(xdg):  # the XDG spec: a relative path is invalid, ignore it
        return Path(xdg) / "declog"
    local = os.environ.get("LOCALAPPDATA", "")
    if sys.platform == "win32" and local:
        return Path(local) / "declog" / "Cache"
    try:
        home = Path.home()
    except RuntimeError:
        return None
    if sys.platform == "darwin":
        return home / "Library" / "Caches" / "declog"
    return home / ".cache" / "declog"


def work_tree(root: Path) -> Path:
    """The git work tree holding the log (the nearest folder up with ``.git``), else the log's root."""
    root = root.resolve()
    for folder in (root, *root.parents):
        if (folder / ".git").exists():
            return folder
    return root


def _usable_dir(root: Path) -> Path | None:
    """``cache_dir()``, unless there is none or it lies in the log's work tree (never read)."""
    folder = cache_dir()
    if folder is None:
        return None
    resolved = folder.resolve()
    if any(resolved.is_relative_to(top) for top in {root.resolve(), work_tree(root)}):
        return None
    return folder


def _key(*paths: Path) -> str:
    text = "\0".join(str(p.resolve()) for p in paths)
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=10).hexdigest()


def cache_file(root: Path, out: Path) -> Path | None:
    """The cache of the log at ``root`` built into ``out``; None when there is no usable cache folder."""
    folder = _usable_dir(root)
    return folder / f"build-{_key(root, out)}.json" if folder is not None else None


def documents_file(root: Path) -> Path | None:
    """Where the log's documents are kept as parsed (declog.site.doccache); None without a cache folder."""
    folder = _usable_dir(root)
    return folder / f"build-documents-{_key(root)}.json" if folder is not None else None


def serve_dir(root: Path) -> Path:
    """Where ``declog serve`` builds the log at ``root`` by default: the user's cache, outside the log.

    Falls back to ``.declog-cache/site`` in the log's root (listed in the
    .gitignore ``declog init`` writes) when there is no usable cache folder.
    """
    folder = _usable_dir(root)
    if folder is None:
        return root / ".declog-cache" / "site"
    return folder / f"site-{_key(root)}"


def header(root: Path, out: Path, *, site_url: str | None, search: bool) -> dict[str, Any]:
    """What must be the same for a cache to be trusted."""
    templates = hashlib.blake2b(digest_size=16)
    for folder, inside in ((root / "templates", root.resolve()), (packaged_templates(), None)):
        for f in sorted(folder.rglob("*")) if folder.is_dir() else ():
            templates.update(f"{folder}:{f.relative_to(folder).as_posix()}\0".encode())
            try:  # a link leaving the log is refused by the build (DL604): not read here either
                if f.is_file() and (inside is None or f.resolve().is_relative_to(inside)):
                    templates.update(f.read_bytes())
            except OSError as exc:
                templates.update(f"unreadable: {exc.errno}".encode())
    config = root / "declog.toml"
    settings = config.read_bytes() if config.is_file() else b""
    return {
        "format": FORMAT,
        "declog": __version__,
        "python": list(sys.version_info[:2]),
        "templates": templates.hexdigest(),
        "config": hashlib.blake2b(settings, digest_size=16).hexdigest(),
        "root": str(root.resolve()),
        "out": str(out.resolve()),
        "site_url": site_url,
        "search": search,
    }


# --- the state as JSON ---------------------------------------------------------------------


class _Malformed(Exception):
    """The cache's state is not what ``encode`` writes."""


def encode(state: Mapping[str, Any]) -> dict[str, Any]:
    """``Incremental.snapshot()`` as JSON values.

    Bytes are hex; every output file's name is written once, in ``pages``
    (the files with a fingerprint first, in order), and the other fields name
    files by their number there: ``shows`` gives how many files each document
    is shown on, and ``on`` those files' numbers, document after document, as
    32-bit big-endian numbers in hex (a quarter of a million of them on a large
    log: one string is much quicker to read than as many JSON numbers). Each
    commit is written once however many documents it touched.
    """
    prints: Mapping[str, bytes] = state["prints"]
    pages = list(prints)
    number = {page: n for n, page in enumerate(pages)}

    def numbered(page: str) -> int:
        n = number.get(page)
        if n is None:
            n = number[page] = len(pages)
            pages.append(page)
        return n

    shown = state["shows"]
    try:
        on = array.array(_U32, map(number.__getitem__, chain.from_iterable(shown.values())))
    except KeyError:  # a document shown on a file without a fingerprint (not seen, but allowed)
        on = array.array(_U32, map(numbered, chain.from_iterable(shown.values())))
    if sys.byteorder == "little":
        on.byteswap()
    manifest = [v for page, (size, mtime) in state["manifest"].items() for v in (numbered(page), size, mtime)]
    history: Any = None
    if state["history"] is not None:
        head, files = state["history"]
        index: dict[int, int] = {}  # commits are shared between files: each is written once
        commits: list[list[str]] = []
        paths: dict[str, list[int]] = {}
        for path, found in files.items():
            numbers = paths[path] = []
            for c in found:
                n = index.get(id(c))
                if n is None:
                    n = index[id(c)] = len(commits)
                    commits.append([c.sha, c.author, c.date.isoformat(), c.subject])
                numbers.append(n)
        history = {"head": head, "commits": commits, "files": paths}
    return {
        "key": state["key"].hex(),
        "templates": {k: v.hex() for k, v in state["templates"].items()},
        "pages": pages,
        "prints": [v.hex() for v in prints.values()],
        "shows": {doc: len(pages_) for doc, pages_ in shown.items()},
        "on": on.tobytes().hex(),
        "records": {k: v.hex() for k, v in state["records"].items()},
        "manifest": manifest,
        "history": history,
    }


_FIELDS = {"key", "templates", "pages", "prints", "shows", "on", "records", "manifest", "history"}


def decode(data: object) -> dict[str, Any]:
    """The snapshot ``encode`` gave ``data``; ``_Malformed`` when any value has another type."""
    if type(data) is not dict or data.keys() != _FIELDS:
        raise _Malformed
    pages = data["pages"]
    if type(pages) is not list or not all(type(p) is str for p in pages):
        raise _Malformed
    hexes = data["prints"]
    if type(hexes) is not list or len(hexes) > len(pages):
        raise _Malformed
    return {
        "key": _hex(data["key"]),
        "templates": _hexes(data["templates"]),
        "prints": {page: _hex(h) for page, h in zip(pages, hexes, strict=False)},
        "shows": _shows(data["shows"], data["on"], pages),
        "records": _hexes(data["records"]),
        "manifest": _manifest(data["manifest"], pages),
        "history": _history(data["history"]),
    }


def _hex(value: object) -> bytes:
    if type(value) is not str:
        raise _Malformed
    data = bytes.fromhex(value)  # ValueError for anything but hex digits (and spaces, refused next)
    if len(data) * 2 != len(value):
        raise _Malformed
    return data


def _hexes(value: object) -> dict[str, bytes]:
    if type(value) is not dict:
        raise _Malformed
    return {k: _hex(v) for k, v in value.items()}  # JSON keys are always strings


def _shows(counts: object, on: object, pages: list[str]) -> dict[str, tuple[str, ...]]:
    if type(counts) is not dict or not all(type(n) is int and n >= 0 for n in counts.values()):
        raise _Malformed
    numbers = array.array(_U32)
    numbers.frombytes(_hex(on))  # ValueError unless a whole number of 4-byte numbers
    if sys.byteorder == "little":
        numbers.byteswap()
    if sum(counts.values()) != len(numbers) or (numbers and max(numbers) >= len(pages)):
        raise _Malformed
    out: dict[str, tuple[str, ...]] = {}
    at = 0
    for doc, n in counts.items():
        if n == 1:
            out[doc] = (pages[numbers[at]],)
        else:
            out[doc] = itemgetter(*numbers[at : at + n])(pages) if n else ()
        at += n
    return out


def _manifest(value: object, pages: list[str]) -> dict[str, tuple[int, int]]:
    """``[page, size, mtime, page, size, mtime, ...]`` (sizes and times may be -1: a missing file)."""
    if type(value) is not list or len(value) % 3 or not all(type(n) is int for n in value):
        raise _Malformed
    numbers = value[0::3]
    if numbers and (min(numbers) < 0 or max(numbers) >= len(pages)):
        raise _Malformed
    return {pages[n]: (size, mtime) for n, size, mtime in zip(numbers, value[1::3], value[2::3], strict=True)}


def _history(value: object) -> tuple[str, dict[str, tuple[Commit, ...]]] | None:
    if value is None:
        return None
    if type(value) is not dict or value.keys() != {"head", "commits", "files"}:
        raise _Malformed
    head, table, files = value["head"], value["commits"], value["files"]
    if type(head) is not str or type(table) is not list or type(files) is not dict:
        raise _Malformed
    commits = []
    for row in table:
        if type(row) is not list or len(row) != 4 or not all(type(v) is str for v in row):
            raise _Malformed
        commits.append(Commit(row[0], row[1], dt.datetime.fromisoformat(row[2]), row[3]))
    out: dict[str, tuple[Commit, ...]] = {}
    for path, numbers in files.items():
        if type(numbers) is not list or not all(type(n) is int and 0 <= n < len(commits) for n in numbers):
            raise _Malformed
        out[path] = tuple(commits[n] for n in numbers)
    return head, out


# --- reading and writing -----------------------------------------------------------------------


def read(path: Path, expected: dict[str, Any]) -> dict[str, Any] | None:
    """The cached state, or None when it is missing, unreadable, malformed, stale or not this user's."""
    data = read_private(path)
    if data is None:
        return None
    try:
        with paused_gc():
            found = json.loads(data)
            if type(found) is not dict or found.get("header") != expected:
                return None
            return decode(found.get("state"))
    except Exception:  # any failure to read means: do not trust it
        return None


def write(path: Path, head: dict[str, Any], state: Mapping[str, Any]) -> None:
    """Replace the cache atomically (a folder only this user can read); forget long unused caches."""
    with paused_gc():
        data = json.dumps(
            {"header": head, "state": encode(state)}, separators=(",", ":"), check_circular=False
        ).encode("utf-8", "surrogatepass")
    write_private(path, data)
    prune(path.parent)


def prune(folder: Path, *, days: float = KEEP_DAYS) -> int:
    """Delete the caches not written for ``days``, and what interrupted writes left an hour ago."""
    removed = 0
    now = time.time()
    for f in folder.glob("*build-*"):
        name = f.name
        if name.startswith("build-") and name.endswith(".json"):
            limit = now - days * 86400
        elif name.startswith(".build-") and name.endswith(".tmp"):
            limit = now - 3600
        else:
            continue
        try:
            if f.lstat().st_mtime < limit and f.is_file():
                f.unlink()
                removed += 1
        except OSError:
            continue
    return removed


def _save(path: Path | None, head: dict[str, Any], state: Mapping[str, Any]) -> None:
    """``write``, unless there is no cache folder; a cache folder that cannot be written means no cache."""
    if path is not None:
        with contextlib.suppress(OSError):
            write(path, head, state)


def _forget(path: Path | None) -> None:
    if path is not None:
        with contextlib.suppress(OSError):
            path.unlink(missing_ok=True)


def cached_build(
    root: Path,
    out: Path,
    *,
    site_url: str | None = None,
    strict: bool = False,
    search_index: bool | None = None,
    jobs: int | None = None,
    site: Incremental | None = None,
    progress: Progress = silent,
) -> BuildResult:
    """``build``, rendering only what changed since the build that wrote the cache.

    Falls back to a full build when the cache is missing or stale, when the
    output folder is gone, or when most pages changed anyway; every successful
    build leaves a fresh cache (when the user has a cache folder). ``site``
    (``declog serve``'s) is left knowing the built site, ready for its next update.
    ``progress`` hears of each stage and of the files rendered.
    """
    started = time.perf_counter()
    binary = search.executable() if search_index is not False else None
    path = cache_file(root, out)
    head = header(root, out, site_url=site_url, search=binary is not None)
    if site is None:
        site = Incremental(root, out, site_url=site_url, strict=strict, search=binary is not None, once=True)
    documents = documents_file(root)
    parsed = doccache.restore(documents, root, site.checker) if documents is not None else None
    state = read(path, head) if path is not None and (out / urls.HOME).is_file() else None
    if state is not None:
        try:
            sweep(out)  # what an interrupted declog serve or build left half written
            sweep_beside(out)
            site.restore(state)
            result = site.rebuild(binary=binary, jobs=jobs, progress=progress)
        except (TooMuch, OutputError):
            pass
        except Exception:  # a cache that reads but does not make sense: build from scratch
            site.forget()
        else:
            if search_index and binary is None:
                result.findings.append(search.missing())
            if result.built:
                _save(path, head, site.snapshot())
                if documents is not None:
                    doccache.save(documents, root, site.checker, parsed)
            result.seconds = time.perf_counter() - started
            return result
    _forget(path)  # a stale cache must not outlive the site it described
    primed: list[Callable[[Mapping[str, tuple[int, int]]], None]] = []

    def meanwhile(checked: CheckResult, state: pages.SiteState) -> None:
        """While the workers render: keep the parsed documents and learn the fingerprints."""
        if documents is not None:
            doccache.save(documents, root, site.checker, parsed)
        primed.append(site.prime(checked, bodies=state.bodies, built=state))

    result = build(
        root,
        out,
        site_url=site_url,
        strict=strict,
        search_index=search_index,
        jobs=jobs,
        checker=site.checker,
        progress=progress,
        meanwhile=meanwhile,
    )
    if result.built:
        gc.freeze()  # what the build made lives on: no full collection over it while priming
        primed[0](result.written)  # the site is in place (meanwhile ran before the render)
        result.state = None  # the site keeps what it needs of it
        _save(path, head, site.snapshot())
        result.seconds = time.perf_counter() - started
    return result
