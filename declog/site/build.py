"""``declog build``: the checked log as a static site, in one short pipeline.

check (its rules in a process of their own while the views are made) -> views
-> pages (in worker processes) -> feeds and twins -> search index -> swap into
the output folder. Nothing is written to the output folder
unless every step succeeded, and the same log gives the same bytes: pages
carry no build time, only the time of the log's last commit ("as of").
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import gc
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from declog.check.checker import Checker, CheckResult, load_and_check
from declog.log import clock, history
from declog.log.diagnostics import Diagnostic
from declog.log.model import Log
from declog.log.progress import CHECK, INDEX, RENDER, Progress, silent
from declog.site import pages, search
from declog.site.markdown import Markdown
from declog.site.pages import SiteState
from declog.site.render import SiteInfo, Theme
from declog.site.views import Views, as_of
from declog.site.writer import OutputError, Staging, check_output

__all__ = ["BuildResult", "OutputError", "build", "failed", "theme_for", "with_site_url"]


@dataclass
class BuildResult:
    """What a build, a warm build (declog.site.cache) or a rebuild of ``declog serve`` did."""

    check: CheckResult
    findings: list[Diagnostic] = field(default_factory=list)
    """The check's findings plus the build's own (templates, search)."""
    built: bool = False
    """True when the output folder now holds the new site."""
    pages: int = 0
    rendered: int = 0
    """Files rendered (every file, unless a warm cache spared some)."""
    changed: int = 0
    """Files whose bytes differ from the previous build."""
    seconds: float = 0.0
    bodies: dict[str, tuple[bytes, str]] = field(default_factory=dict)
    """Markdown bodies the build rendered early, by path: (digest of the text, HTML)."""
    removed: int = 0
    """Files of the previous build that the new one no longer has (a rebuild's)."""
    full: bool = False
    """Every file was rendered (a rebuild with nothing to go by, or a build)."""
    bodies_only: bool = False
    """A rebuild after a change of bodies alone: the views were kept (declog.site.incremental)."""
    state: SiteState | None = None
    """What a build rendered from (its views, its theme): a caller that rebuilds later starts from it."""
    written: dict[str, tuple[int, int]] = field(default_factory=dict)
    """The size and time (ns) of each file a build wrote."""


def build(
    root: Path,
    out: Path,
    *,
    site_url: str | None = None,
    strict: bool = False,
    now: dt.datetime | None = None,
    search_index: bool | None = None,
    jobs: int | None = None,
    checker: Checker | None = None,
    progress: Progress = silent,
    meanwhile: Callable[[CheckResult, pages.SiteState], None] | None = None,
) -> BuildResult:
    """Check the log at ``root`` and, if it passes, publish it into ``out``.

    ``now`` is the moment of the build (default: ``clock.current()``); the pages are as of
    ``views.as_of`` it;
    ``search_index`` None means "when Pagefind is installed"; ``jobs`` is the
    number of worker processes (default: one per core); ``checker`` loads and
    checks the log instead of ``load_and_check`` (a caller that rebuilds later);
    ``progress`` hears of each stage and of the files rendered; ``meanwhile(checked, state)`` runs
    in this process while the worker processes render (a caller's bookkeeping, e.g. the cache's).
    """
    started = time.perf_counter()
    progress(CHECK, 0, 0)
    check_output(out, root)
    workers = pages.processes(jobs)
    # Markdown bodies render while the log is checked; its documents are parsed there first
    ahead = checker.settings_ahead() if checker is not None and workers > 1 else None
    early = pages.Prefetch(root, workers, parse=ahead[1] if ahead else None)
    if ahead is not None and checker is not None:
        checker.ahead(ahead[0], early.parsed)
    staging: Staging | None = None
    try:
        # While the rules run (in a process of their own on a first check), the views are made: on a
        # log that may fail its check, so whatever they raise waits for the verdict.
        early_views: list[_Prepared | BaseException] = []
        how = (site_url, now, search_index, strict)

        def prepare(log: Log) -> None:
            try:
                early_views.append(_prepare(root, log, *how))
            except Exception as exc:
                early_views.append(exc)

        if checker is not None:
            checked = checker.check(meanwhile=prepare if workers > 1 else None)
        else:
            checked = load_and_check(root)
        result = BuildResult(checked, list(checked.findings))
        if checked.log is None or checked.failed(strict):
            return result
        gc.freeze()  # the log lives to the end: spare the collector rescanning it
        prepared = early_views[0] if early_views else _prepare(root, checked.log, *how)
        if isinstance(prepared, BaseException):
            raise prepared
        views, theme, binary = prepared.views, prepared.theme, prepared.binary
        log = views.log
        result.findings += prepared.findings
        if failed(result.findings, strict):
            return result
        gc.freeze()  # the views too: the plan's many small objects would set off a pass over them
        staging = Staging(out)
        state = pages.SiteState(theme, views, staging, Markdown(pages.log_targets(log)))
        state.jobs = pages.plan(state)
        state.bodies = early.collect(pages.log_targets(log))
        progress(RENDER, 0, len(state.jobs))
        renderer = pages.Renderer(state, workers)
        try:
            if meanwhile is not None:
                meanwhile(checked, state)
        finally:
            outcome = renderer.wait(progress)
        result.findings += pages.unique(outcome.problems)
        if binary is not None and not outcome.problems:
            progress(INDEX, 0, 0)
            result.findings += search.index(staging.dir, binary)
        if failed(result.findings, strict):
            staging.abort()
            return result
        staging.commit()
    except BaseException:
        if staging is not None:
            staging.abort()
        raise
    finally:
        early.close()
        gc.unfreeze()
    result.built, result.pages, result.changed = True, outcome.pages, outcome.changed
    result.rendered, result.full = len(state.jobs), True
    result.bodies, result.state, result.written = state.bodies, state, outcome.written
    result.seconds = time.perf_counter() - started
    return result


@dataclasses.dataclass
class _Prepared:
    """What a build renders from, made from the checked log: its views (warmed unless the theme's
    findings stop the build), its theme, Pagefind, and the findings about those."""

    views: Views
    theme: Theme
    binary: Path | None
    findings: list[Diagnostic]


def _prepare(
    root: Path,
    log: Log,
    site_url: str | None,
    now: dt.datetime | None,
    search_index: bool | None,
    strict: bool,
) -> _Prepared:
    log = with_site_url(log, site_url)
    moment = as_of(log, now or clock.current(), history.head_time(root))
    views = Views(log, moment, history.file_history(root))
    binary = search.executable() if search_index is not False else None
    found = [search.missing()] if search_index and binary is None else []
    theme = theme_for(root, views, search=binary is not None)
    found += theme.load_all()
    if not failed(found, strict):
        views.warm()
    return _Prepared(views, theme, binary, found)


def theme_for(root: Path, views: Views, *, search: bool) -> Theme:
    """The theme for the pages of ``views``' log, as of its time."""
    site = views.log.config.site
    info = SiteInfo(site.title, site.description, site.language, site.url, site.timezone, views.now, search)
    return Theme(root, views.log, info)


def failed(found: list[Diagnostic], strict: bool) -> bool:
    """Whether ``found`` stops a build: an error, or a warning under ``--strict``."""
    return any(d.severity == "error" or (strict and d.severity == "warning") for d in found)


def with_site_url(log: Log, url: str | None) -> Log:
    """``log`` with its site URL replaced by ``url`` (``--site-url``), ending in "/"."""
    site = log.config.site
    url = url if url is not None else site.url
    if url and not url.endswith("/"):
        url += "/"
    if url == site.url:
        return log
    config = dataclasses.replace(log.config, site=dataclasses.replace(site, url=url))
    return dataclasses.replace(log, config=config)
