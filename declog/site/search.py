"""Full-text search through Pagefind, when it is installed (``pip install 'pagefind[bin]'``).

Pagefind indexes the built pages (decision pages mark their body, status and
partners with ``data-pagefind-*`` attributes) and ships the search UI. Without
it the site has no search page and everything else works the same.

Pagefind also reads settings from ``pagefind.json``, ``.yml``, ``.yaml`` or
``.toml`` in its working directory and from ``PAGEFIND_*`` variables: a log
that holds such a file, or a shell started in the log, could send the index
elsewhere, write a log file anywhere or make Pagefind serve instead of index.
So it runs in an empty temporary folder, with its environment stripped of
those variables and every setting that matters on its command line.
"""

from __future__ import annotations

import importlib
import os
import subprocess
import tempfile
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
    # absolute: Pagefind runs from another folder than the one a relative path was found from
    return Path(found).absolute() if found else None


#: Pagefind's settings besides where: its defaults, said out loud.
SETTINGS = ("--glob", "**/*.{html}", "--keep-index-url", "--silent")


def command(site: Path, binary: Path) -> list[str]:
    """The Pagefind command line that indexes ``site`` into ``site/pagefind/``.

    ``--output-path`` (absolute) rather than ``--output-subdir``: it is the one of the two
    Pagefind obeys when both are set.
    """
    site = site.absolute()
    return [str(binary.absolute()), "--site", str(site), "--output-path", str(site / "pagefind"), *SETTINGS]


def environment() -> dict[str, str]:
    """declog's environment without the ``PAGEFIND_*`` variables Pagefind would read as settings."""
    return {k: v for k, v in os.environ.items() if not k.upper().startswith("PAGEFIND_")}


def index(site: Path, binary: Path) -> list[Diagnostic]:
    """Index ``site`` in place (writes ``site/pagefind/``); a failure is a warning.

    Pagefind runs in an empty temporary folder (where it finds no configuration file),
    reads nothing from standard input and no ``PAGEFIND_*`` variable.
    """
    try:
        with tempfile.TemporaryDirectory(prefix="declog-pagefind-") as cwd:
            proc = subprocess.run(
                command(site, binary),
                cwd=cwd,
                env=environment(),
                stdin=subprocess.DEVNULL,
                capture_output=True,
                text=True,
                timeout=600,
                check=False,
            )
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
