"""About declog itself: its name on the package index and where it is published.

The addresses are read from the installed package's metadata ([project.urls] in
pyproject.toml), with the constants here as the fallback for a source tree
that was never installed; a test keeps the two in step. Help texts and messages
name documentation pages by ``docs_url``: an installed declog has no docs/ folder.
"""

from __future__ import annotations

import functools

#: This project's name on the package index (``declog`` there is an unrelated project).
DISTRIBUTION = "declog-partnership"
#: The project's repository: [project.urls] Repository in pyproject.toml.
PROJECT_URL = "https://github.com/declog-partnership/declog"
#: The documentation's folder as published: [project.urls] Documentation in pyproject.toml.
DOCS_URL = "https://github.com/declog-partnership/declog/tree/main/docs"


@functools.cache
def _project_urls() -> dict[str, str]:
    """[project.urls] of the installed package, labels in lower case; empty when it is not installed."""
    import importlib.metadata

    try:
        entries = importlib.metadata.metadata(DISTRIBUTION).get_all("Project-URL") or []
    except importlib.metadata.PackageNotFoundError:
        return {}
    urls = {}
    for entry in entries:
        label, _, url = str(entry).partition(",")
        urls[label.strip().lower()] = url.strip()
    return urls


def project_url() -> str:
    """This package's repository: its Repository project URL when installed, else PROJECT_URL."""
    return _project_urls().get("repository") or PROJECT_URL


def docs_url(page: str = "") -> str:
    """The published address of a documentation page (``docs_url("query.md")``), or of them all."""
    base = (_project_urls().get("documentation") or DOCS_URL).rstrip("/")
    return f"{base}/{page}" if page else base
