"""``declog build``'s on-disk cache: rebuild only the pages a change affects, across runs.

The cache (``.declog-cache/build-*.pickle`` in the log's root) holds what
``incremental.Incremental`` knows after a build: one fingerprint per output
file, which documents each file shows, the digest of every record and of the
log's shape, the size and time of each file it wrote, and the git history
keyed by HEAD. Its header names the cache format, the declog and Python versions, the
digest of every template and of declog.toml, the output folder and the search
setting; a cache whose header differs is stale and is ignored. So is one that
cannot be read for any reason (truncated, corrupt, written by something else):
the build then starts from scratch and writes a fresh cache. It is written
atomically, so an interrupted build leaves the previous cache or none.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from declog import __version__, search
from declog.build import BuildResult, OutputError, build
from declog.incremental import Incremental, TooMuch
from declog.render import packaged_templates
from declog.writer import sweep

__all__ = ["CACHE", "cache_file", "cached_build", "header", "read", "write"]

#: The cache folder in the log's root (listed in the .gitignore ``declog init`` writes).
CACHE = ".declog-cache"
FORMAT = 2


def cache_file(root: Path, out: Path) -> Path:
    """One cache per output folder."""
    key = hashlib.blake2b(str(out.resolve()).encode(), digest_size=6).hexdigest()
    return root / CACHE / f"build-{key}.pickle"


def header(root: Path, out: Path, *, site_url: str | None, search: bool) -> dict[str, Any]:
    """What must be the same for a cache to be trusted."""
    templates = hashlib.blake2b(digest_size=16)
    for folder in (root / "templates", packaged_templates()):
        for f in sorted(folder.rglob("*")) if folder.is_dir() else ():
            if f.is_file():
                templates.update(f"{folder}:{f.relative_to(folder).as_posix()}\0".encode())
                templates.update(f.read_bytes())
    config = root / "declog.toml"
    settings = config.read_bytes() if config.is_file() else b""
    return {
        "format": FORMAT,
        "declog": __version__,
        "python": list(sys.version_info[:2]),
        "templates": templates.hexdigest(),
        "config": hashlib.blake2b(settings, digest_size=16).hexdigest(),
        "out": str(out.resolve()),
        "site_url": site_url,
        "search": search,
    }


def read(path: Path, expected: dict[str, Any]) -> dict[str, Any] | None:
    """The cached state, or None when it is missing, unreadable or stale."""
    try:
        with open(path, "rb") as fh:
            found = pickle.load(fh)
        if not isinstance(found, dict) or found.get("header") != expected:
            return None
        state = found["state"]
        return state if isinstance(state, dict) else None
    except Exception:  # any failure to read means: do not trust it
        return None


def write(path: Path, head: dict[str, Any], state: dict[str, Any]) -> None:
    """Replace the cache atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            pickle.dump({"header": head, "state": state}, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def cached_build(
    root: Path,
    out: Path,
    *,
    site_url: str | None = None,
    strict: bool = False,
    search_index: bool | None = None,
    jobs: int | None = None,
    site: Incremental | None = None,
) -> BuildResult:
    """``build``, rendering only what changed since the build that wrote the cache.

    Falls back to a full build when the cache is missing or stale, when the
    output folder is gone, or when most pages changed anyway; every successful
    build leaves a fresh cache. ``site`` (``declog serve``'s) is left knowing
    the built site, ready for its next update.
    """
    started = time.perf_counter()
    binary = search.executable() if search_index is not False else None
    path = cache_file(root, out)
    head = header(root, out, site_url=site_url, search=binary is not None)
    if site is None:
        site = Incremental(root, out, site_url=site_url, strict=strict, search=binary is not None)
    state = read(path, head) if (out / "index.html").is_file() else None
    if state is not None:
        try:
            sweep(out)  # what an interrupted declog serve or build left half written
            site.restore(state)
            update = site.rebuild(binary=binary)
        except (TooMuch, OutputError):
            pass
        except Exception:  # a cache that reads but does not make sense: build from scratch
            site.forget()
        else:
            result = BuildResult(
                update.check, update.findings, update.built, update.pages, update.rendered, update.changed
            )
            if search_index and binary is None:
                result.findings.append(search.missing())
            if update.built:
                write(path, head, site.snapshot())
            result.seconds = time.perf_counter() - started
            return result
    path.unlink(missing_ok=True)  # a stale cache must not outlive the site it described
    result = build(
        root,
        out,
        site_url=site_url,
        strict=strict,
        search_index=search_index,
        jobs=jobs,
        checker=site.checker,
    )
    if result.built:
        site.prime(result.check, bodies=result.bodies)
        write(path, head, site.snapshot())
        result.seconds = time.perf_counter() - started
    return result
