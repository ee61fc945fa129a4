"""``declog build``: the checked log as a static site, in one short pipeline.

check -> views -> pages (in worker processes) -> feeds and twins -> search
index -> swap into the output folder. Nothing is written to the output folder
unless every step succeeded, and the same log gives the same bytes: pages
carry no build time, only the time of the log's last commit ("as of").
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from declog import feeds, history, pages, search
from declog.check import CheckResult, load_and_check
from declog.diagnostics import Diagnostic
from declog.markdown import Markdown
from declog.model import Decision, Log
from declog.render import SiteInfo, Theme
from declog.views import Views, when
from declog.writer import OutputError, Staging, check_output

__all__ = ["BuildResult", "OutputError", "build", "reference_time"]


@dataclass
class BuildResult:
    check: CheckResult
    findings: list[Diagnostic] = field(default_factory=list)
    """The check's findings plus the build's own (templates, search)."""
    built: bool = False
    """True when the output folder now holds the new site."""
    pages: int = 0
    changed: int = 0
    """Files whose bytes differ from the previous build."""
    seconds: float = 0.0


def build(
    root: Path,
    out: Path,
    *,
    site_url: str | None = None,
    strict: bool = False,
    now: dt.datetime | None = None,
    search_index: bool | None = None,
    jobs: int | None = None,
) -> BuildResult:
    """Check the log at ``root`` and, if it passes, publish it into ``out``.

    ``now`` is the time pages are "as of" (default: ``reference_time``);
    ``search_index`` None means "when Pagefind is installed"; ``jobs`` is the
    number of worker processes (default: one per core).
    """
    started = time.perf_counter()
    check_output(out, root)
    workers = pages.processes(jobs)
    early = pages.Prefetch(root, workers)  # Markdown bodies render while the log is checked
    try:
        checked = load_and_check(root)
        result = BuildResult(checked, list(checked.findings))
        if checked.log is None or checked.failed(strict):
            return result
        log = _with_site_url(checked.log, site_url)
        bodies = early.collect(pages.log_targets(log))
    finally:
        early.close()

    views = Views(log, now or reference_time(root, log), history.file_history(root))
    binary = search.executable() if search_index is not False else None
    site = log.config.site
    theme = Theme(
        root,
        log,
        SiteInfo(
            site.title,
            site.description,
            site.language,
            site.url,
            site.timezone,
            views.now,
            search=binary is not None,
        ),
    )
    result.findings += theme.load_all()
    if _failed(result.findings, strict):
        return result

    staging = Staging(out)
    try:
        state = pages.SiteState(theme, views, staging, Markdown(pages.log_targets(log)), bodies)
        views.warm()
        state.jobs = pages.plan(state)
        renderer = pages.Renderer(state, workers)
        _twins(state)  # in this process, while the workers render pages
        outcome = renderer.wait()
        result.findings += pages.unique(outcome.problems)
        if binary is not None and not outcome.problems:
            result.findings += search.index(staging.dir, binary)
        if _failed(result.findings, strict):
            staging.abort()
            return result
        staging.commit()
    except BaseException:
        staging.abort()
        raise
    result.built, result.pages, result.changed = True, outcome.pages, outcome.changed
    result.seconds = time.perf_counter() - started
    return result


def _failed(found: list[Diagnostic], strict: bool) -> bool:
    return any(d.severity == "error" or (strict and d.severity == "warning") for d in found)


def reference_time(root: Path, log: Log) -> dt.datetime:
    """What "now" means for the pages: SOURCE_DATE_EPOCH, else HEAD's commit time,
    else the newest time recorded in the log. Never the clock, so builds repeat."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC)
    head = history.head_time(root)
    if head is not None:
        return head
    times = [t for d in log.decisions for t in (when(d), d.logged) if t]
    times += [m.date for m in log.meetings.values() if m.date]
    return max(times, default=dt.datetime(1970, 1, 1, tzinfo=dt.UTC))


def _with_site_url(log: Log, url: str | None) -> Log:
    site = log.config.site
    url = url if url is not None else site.url
    if url and not url.endswith("/"):
        url += "/"
    if url == site.url:
        return log
    config = dataclasses.replace(log.config, site=dataclasses.replace(site, url=url))
    return dataclasses.replace(log, config=config)


def _twins(state: pages.SiteState) -> None:
    """decisions.json, the Atom feeds, the calendars, the sitemap and the theme's assets."""
    views, theme, staging = state.views, state.theme, state.staging
    log, url = views.log, views.log.config.site.url
    cache: dict[tuple[str, str], str] = {}

    def body(d: Decision, base: str) -> str:
        key = (d.path, base)
        if key not in cache:
            cache[key] = state.markdown.render(d.body, base).html
        return cache[key]

    staging.write("decisions.json", feeds.database(views))
    site_feed = feeds.feed(
        views=views,
        title=log.config.site.title,
        self_path="feed.xml",
        alternate_path="index.html",
        decisions=log.decisions,
        base=url,
        body_html=body,
    )
    staging.write("feed.xml", theme.render("feed.xml", "feed.xml", feed=site_feed).encode())
    host = urlsplit(url).hostname or "declog.invalid"
    for pid, pv in views.partners.items():
        if not pages.safe_segment(pid):
            continue
        folder = f"partners/{pid}/"
        base = url or "../../"
        party = [d for d in log.decisions if pid in d.partners]
        f = feeds.feed(
            views=views,
            title=f"{log.config.site.title}: {pv.partner.name}",
            self_path=folder + "feed.xml",
            alternate_path=folder + "index.html",
            decisions=party,
            base=base,
            body_html=body,
        )
        staging.write(folder + "feed.xml", theme.render("feed.xml", folder + "feed.xml", feed=f).encode())
        ics = feeds.calendar(
            views=views,
            name=f"Feedback deadlines for {pv.partner.name}",
            items=pv.awaiting,
            base=url,
            uid_host=host,
        )
        staging.write(folder + "deadlines.ics", ics)
    if url:
        locations = [url + p for p in pages.html_paths(state.jobs)]
        staging.write("sitemap.xml", theme.render("sitemap.xml", "sitemap.xml", locations=locations).encode())
    for rel, source in theme.assets().items():
        staging.write(rel, source.read_bytes())
