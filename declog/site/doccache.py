"""The build cache's second file: the log's documents as parsed, so a warm build parses only what changed.

Beside what ``declog.site.cache`` keeps about the output, ``declog build``
keeps ``Checker.snapshot()``: for each document, the digest of its bytes and
its frontmatter as parsed, with every position and what its YAML and fields
gave (declog.log.kept). A later build reads every file, as always, and parses
only those whose digest it does not hold. The file's header names its format,
the declog and Python versions and the log's root; the snapshot names
declog.toml's digest. Anything else, or a file that cannot be read, is not
used: the documents are parsed.

Like the rest of the cache it is plain JSON, every value checked for its type
as it is read, written atomically into the user's cache folder, and never read
from the log's work tree (``cache.documents_file`` says where it is).
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
import sys
import tempfile
from pathlib import Path
from typing import Any

from declog import __version__
from declog.check.checker import Checker
from declog.log.load import paused_gc

__all__ = ["FORMAT", "Stamp", "header", "restore", "save"]

#: Bumped whenever what the file holds changes.
FORMAT = 1

#: The file is written again once more than one document in this many differs from it: parsing that
#: few again costs a later build less than writing the file (13 MB at 10,000 decisions) costs each one.
REWRITE_SHARE = 50

#: What a snapshot held: declog.toml's digest with the digests of what the rules read, and each file's
#: path and digest (hex).
Stamp = tuple[str, dict[str, str]]


def header(root: Path) -> dict[str, Any]:
    """What must be the same for the documents to be used."""
    return {
        "format": FORMAT,
        "declog": __version__,
        "python": list(sys.version_info[:2]),
        "root": str(root.resolve()),
    }


def restore(path: Path, root: Path, checker: Checker) -> Stamp | None:
    """Start ``checker`` from the documents kept at ``path``; None when there are none it can use.

    Returns what they held, for ``save`` to tell whether anything changed.
    """
    raw = read_private(path)
    if raw is None:
        return None
    try:
        with paused_gc():
            found = json.loads(raw)
            if type(found) is not dict or found.keys() != {"header", "documents"}:
                return None
            if found["header"] != header(root):
                return None
            checker.restore(found["documents"])
            return _stamp(found["documents"])
    except Exception:  # not JSON, nested too deep, not a snapshot: any failure means do not use it
        return None


def save(path: Path, root: Path, checker: Checker, was: Stamp | None = None) -> None:
    """Keep what ``checker`` parsed at ``path``, unless it is close enough to what ``was`` read (``restore``).

    Close enough: the same declog.toml, and at most one document in
    ``REWRITE_SHARE`` added, changed or removed. A cache folder that cannot be
    written means no cache, never a failed build.
    """
    with paused_gc():  # a collection set off meanwhile would walk the whole log
        documents = checker.snapshot()
    if was is not None and not _differs(_stamp(documents), was):
        return
    with contextlib.suppress(OSError, ValueError):
        with paused_gc():
            data = json.dumps(
                {"header": header(root), "documents": documents},
                separators=(",", ":"),
                ensure_ascii=False,
                check_circular=False,
            ).encode("utf-8")
        write_private(path, data)


def _differs(now: Stamp, was: Stamp) -> bool:
    """Whether ``now`` is far enough from ``was`` (what the file holds) to write the file again."""
    if now[0] != was[0]:
        return True
    files, kept = now[1], was[1]
    changed = sum(1 for name, digest in files.items() if kept.get(name) != digest)
    changed += sum(1 for name in kept if name not in files)
    return changed * REWRITE_SHARE > len(files)


def _stamp(documents: dict[str, Any]) -> Stamp:
    # The inputs the rules' kept findings were read from go with the settings: once one changed for
    # good (CODEOWNERS, a partner), every later build would run those rules over the whole log again.
    ruled = documents["ruled"]
    inputs = ",".join(f"{k}={v}" for k, v in sorted(ruled["inputs"].items())) if ruled is not None else ""
    return f"{documents['settings']};{inputs}", {name: row[0] for name, row in documents["files"].items()}


def read_private(path: Path) -> bytes | None:
    """The file's bytes when it is a regular file of this user's (not followed through a link); else None."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0))
    except OSError:
        return None
    try:
        with os.fdopen(fd, "rb") as fh:
            st = os.fstat(fh.fileno())
            if not stat.S_ISREG(st.st_mode) or (hasattr(os, "getuid") and st.st_uid != os.getuid()):
                return None
            return fh.read()
    except OSError:
        return None


def write_private(path: Path, data: bytes) -> None:
    """Replace the file atomically, in a folder only this user can read."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
