"""Full-text search through Pagefind, when it is installed (``pip install 'pagefind[bin]'``).

Pagefind indexes the built pages (decision pages mark their body, status and
partners with ``data-pagefind-*`` attributes) and ships the search UI. Without
it the site has no search page and everything else works the same.
"""

from __future__ import annotations

import importlib
import subprocess
from pathlib import Path

from declog.log.codes import finding
from declog.log.diagnostics import Diagnostic, Pos


def executable() -> Path | None:
    """The Pagefind binary the ``pagefind`` package would run, or None."""
    try:
        service = importlib.import_module("pagefind.service")
    except ImportError:
        return None
    found = service.get_executable()
    return Path(found) if found else None


def index(site: Path, binary: Path) -> list[Diagnostic]:
    """Index ``site`` in place (writes ``site/pagefind/``); a failure is a warning."""
    cmd = [str(binary), "--site", str(site), "--keep-index-url", "--silent"]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return [finding("DL603", "declog.toml", Pos(1, 1), f"search index not built: {exc}")]
    if proc.returncode != 0:
        lines = (proc.stderr or proc.stdout).strip().splitlines()
        reason = lines[-1] if lines else f"pagefind exited with {proc.returncode}"
        return [finding("DL603", "declog.toml", Pos(1, 1), f"search index not built: {reason}")]
    return []


def missing() -> Diagnostic:
    """``--search`` was asked for but Pagefind is not installed."""
    return finding(
        "DL603",
        "declog.toml",
        Pos(1, 1),
        "search index not built: pagefind is not installed",
        "pip install 'pagefind[bin]' (the `search` extra of declog)",
    )
