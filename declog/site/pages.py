"""Every page of the site, rendered in worker processes when the machine has several cores.

The plan (which page, which template, which view) is made once in the main
process. Workers are forked from it, so they share the loaded log, the views
and the compiled templates without copying them, and each writes its pages
into the staging folder. Markdown bodies can be rendered early, while the log
is still being checked (``Prefetch``); a body that changed in between is
simply rendered again.
"""

from __future__ import annotations

import functools
import gc
import hashlib
import itertools
import json
import multiprocessing
import os
import re
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import urlsplit

from markupsafe import Markup

from declog.insight import audit, charts, report
from declog.log import kept, vocab
from declog.log.customfields import Fields
from declog.log.diagnostics import Diagnostic
from declog.log.load import CONTENT, document_files, paused_gc, read_file
from declog.log.model import Decision, Document, Log, Meeting
from declog.log.progress import RENDER, Progress, silent
from declog.log.review import Due
from declog.log.yamlparse import split_frontmatter
from declog.site import feeds, urls
from declog.site.deps import Dep, metas
from declog.site.markdown import Markdown, Targets
from declog.site.render import TemplateProblem, Theme
from declog.site.views import (
    COLUMN_SIZE,
    FILTERED,
    FilterBar,
    ListPage,
    Views,
    meetings_newest_first,
)
from declog.site.writer import Data, Staging

#: Markdown bodies are shown on pages two folders deep (decisions/0042/index.html).
BODY_ROOT = urls.BODY_ROOT
_SEGMENT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


def safe_segment(name: str) -> bool:
    """Whether ``name`` can be a folder name in the site (ids are checked, but rules can be turned off)."""
    return _SEGMENT.match(name) is not None


def processes(jobs: int | None) -> int:
    """How many worker processes to use; 1 means render in this process.

    Workers are forked, so without an explicit ``jobs`` a process that runs
    other threads (a server calling the build) renders in-process: forking
    while another thread holds a lock can hang the child.
    """
    if "fork" not in multiprocessing.get_all_start_methods():
        return 1
    if jobs is None and threading.active_count() > 1:
        return 1
    return max(1, jobs if jobs is not None else (os.cpu_count() or 1))


def digest(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()


# --- early Markdown -------------------------------------------------------------------


def tree_targets(root: Path, files: Iterable[tuple[str, bool]] | None = None) -> Targets:
    """Link targets from the documents under content/ (what the log will hold once checked): ``files``
    as ``load.document_files(root)`` lists them (read when not given)."""
    names: dict[str, list[str]] = {kind: [] for kind in vocab.KIND_DIRS}
    for rel, _ in document_files(root) if files is None else files:
        kind, _, name = rel.removeprefix(f"{CONTENT}/").partition("/")
        names[kind].append(name)
    decisions = [(n, m.group("id")) for n in names["decisions"] if (m := vocab.DECISION_FILE_RE.match(n))]
    return Targets.of(decisions, [n[:-3] for n in names["partners"]], [n[:-3] for n in names["meetings"]])


def log_targets(log: Log) -> Targets:
    return Targets.of(((d.path.rsplit("/", 1)[-1], d.id) for d in log.decisions), log.partners, log.meetings)


class Forked:
    """Worker processes forked from this one, started by the first ``submit``.

    They inherit what the module globals hold at that moment. ``close`` never
    kills a worker mid-task: ``multiprocessing.Pool.terminate`` can, while the
    worker holds the lock of the pipe its result goes through, and then waits
    for that lock forever (CPython issues 73945, 78178, 96995; a build hung in
    CI that way). Tasks not yet started are cancelled, those running finish,
    and a worker that dies (say, killed for memory) fails its tasks with
    ``BrokenProcessPool`` instead of leaving them waiting.
    """

    def __init__(self, workers: int) -> None:
        self.executor = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"))

    def close(self) -> None:
        self.executor.shutdown(wait=True, cancel_futures=True)


_prefetch: tuple[Path, Markdown, Fields | None] | None = None


def _parse_chunk(files: Sequence[tuple[str, bool]]) -> list[tuple[str, bytes, list[Any]]]:
    assert _prefetch is not None
    root, _, fields = _prefetch
    with paused_gc():
        return kept.parse(root.resolve(), files, fields)


def _prefetch_chunk(files: Sequence[tuple[str, bool]]) -> list[tuple[str, bytes, str]]:
    assert _prefetch is not None
    root, md, _ = _prefetch
    out = []
    real_root = root.resolve()
    for rel, symlink in files:
        raw = read_file(real_root, rel, symlink)  # as the loader reads it: a regular file inside the root
        try:
            text = raw.data.removeprefix(b"\xef\xbb\xbf").decode("utf-8") if raw.data is not None else None
        except UnicodeDecodeError:
            continue
        if text is None:
            continue
        front = split_frontmatter(text.replace("\r\n", "\n").replace("\r", "\n"), rel)
        if isinstance(front, Diagnostic):
            continue
        out.append((rel, digest(front.body), md.render(front.body, BODY_ROOT).html))
    return out


class Prefetch:
    """Markdown bodies rendered by worker processes while the main process checks the log; first,
    given declog.toml's ``[fields]`` (``parse``), the documents parsed for the check (``fronts``)."""

    def __init__(self, root: Path, workers: int, parse: Fields | None = None) -> None:
        global _prefetch
        paths = document_files(root)
        self.targets = tree_targets(root, paths)
        self.workers: Forked | None = None
        self.chunks: list[Future[list[tuple[str, bytes, str]]]] = []
        self.parsing: list[Future[list[tuple[str, bytes, list[Any]]]]] = []
        if workers < 2:
            return
        size = max(16, len(paths) // (workers * 8) + 1)
        self.workers = Forked(workers)
        _prefetch = (root, Markdown(self.targets), parse)
        try:
            if parse is not None:  # first: the check waits for them, and runs while the bodies render
                self.parsing = [
                    self.workers.executor.submit(_parse_chunk, paths[i : i + size])
                    for i in range(0, len(paths), size)
                ]
            self.chunks = [
                self.workers.executor.submit(_prefetch_chunk, paths[i : i + size])
                for i in range(0, len(paths), size)
            ]
        finally:
            _prefetch = None

    def parsed(self) -> list[tuple[str, bytes, list[Any]]]:
        """The documents as the workers parsed them (``kept.parse``), waiting for them; empty when
        none were asked for or a worker died."""
        try:
            return [row for f in self.parsing for row in f.result()]
        except BrokenProcessPool:
            return []  # the check parses them

    def collect(self, targets: Targets) -> dict[str, tuple[bytes, str]]:
        """Path -> (body digest, HTML); empty if the link targets changed meanwhile or a worker died."""
        if self.workers is None:
            return {}
        try:
            chunks = [f.result() for f in self.chunks]
        except BrokenProcessPool:
            return {}  # the bodies are rendered again where they are needed
        finally:
            self.close()
        if targets != self.targets:
            return {}
        return {rel: (d, html) for chunk in chunks for rel, d, html in chunk}

    def close(self) -> None:
        if self.workers is not None:
            self.workers.close()
            self.workers = None


# --- the plan -------------------------------------------------------------------------


class Job(NamedTuple):
    """One output file (a named tuple: a plan of a large log has tens of thousands)."""

    path: str
    template: str
    """Template to render, or "" when ``produce`` makes the bytes itself."""
    context: Callable[[], dict[str, Any]] = dict
    produce: Callable[[], Data] | None = None
    source: Path | None = None
    """For a theme asset: the file copied (``produce`` reads it)."""
    deps: Callable[[], tuple[Dep, ...]] | None = None
    """What the file shows besides what every page sees and its template (declog.site.deps);
    None: not declared, so it is rendered again on every change."""
    group: str = ""
    """Jobs of one group next to each other render in the same worker: they share what they are made
    from (decisions.json and the decisions' JSON files: each decision's entry, made once)."""


@dataclass
class SiteState:
    """What rendering needs; workers inherit it when they are forked."""

    theme: Theme
    views: Views
    staging: Staging
    markdown: Markdown
    bodies: dict[str, tuple[bytes, str]] = field(default_factory=dict)
    """Markdown bodies rendered so far, by path: (digest of the text, HTML)."""
    jobs: list[Job] = field(default_factory=list)
    parts: feeds.Parts = field(default_factory=feeds.Parts)
    """Pieces of decisions.json and the calendars: made once for this build (decisions.json's entries
    serve the decisions' JSON files too), or kept from an earlier one (a long-running caller's)."""

    def body(self, doc: Document) -> Markup:
        """The body of the log's document at ``doc``'s path, as HTML.

        By path: views kept from an earlier version of the log (declog.site.incremental)
        hold earlier records of documents whose body alone changed since.
        """
        doc = self.views.log.by_path.get(doc.path, doc)
        early = self.bodies.get(doc.path)
        text = digest(doc.body)
        if early is not None and early[0] == text:
            return Markup(early[1])
        html = self.markdown.render(doc.body, BODY_ROOT).html
        self.bodies[doc.path] = (text, html)  # kept for the next rebuild (declog.site.incremental)
        return Markup(html)


def plan(state: SiteState) -> list[Job]:
    """Every HTML page: path, template, a function giving its context and one declaring its inputs."""
    views, log = state.views, state.views.log
    ctx = functools.partial

    def home() -> dict[str, Any]:
        return {
            "board": views.board,
            "window": log.config.workflow.feedback_window,
            "categories": vocab.CATEGORIES,
        }

    def decision(d: Decision) -> dict[str, Any]:
        return {"view": views.decision(d), "body": state.body(d)}

    def decision_deps(d: Decision) -> tuple[Dep, ...]:
        return views.related_of(d)

    def listing(page: ListPage) -> dict[str, Any]:
        if not page.path.startswith(FILTERED):
            return {"page": page, "facets": {}, "facet_more": {}}
        return {"page": page, "facets": views.filters.facets, "facet_more": views.filters.more}

    def listing_deps(page: ListPage) -> tuple[Dep, ...]:
        return page.declared

    def partner(pid: str) -> dict[str, Any]:
        return {"view": views.partners[pid], "body": state.body(log.partners[pid]), "limit": COLUMN_SIZE}

    def partner_deps(pid: str) -> tuple[Dep, ...]:
        view, body = views.partners[pid], ("body", log.partners[pid].path)
        if view.reviews:  # a review's date reads other decisions (its successor, its reviews)
            return (("all",), body)
        shown = [a.decision for a in view.awaiting] + [a.decision for a in view.absent[:COLUMN_SIZE]]
        counts = ("value", repr((len(view.absent), len(view.proposals), view.party)))
        return (counts, body, *metas([*shown, *view.proposals[:COLUMN_SIZE]]))

    def meeting(m: Meeting) -> dict[str, Any]:
        return {"view": views.meeting(m), "body": state.body(m)}

    @functools.cache
    def named(m: Meeting) -> list[Decision]:
        """The decisions ``views.meeting(m)`` shows."""
        ids = log.by_id
        return [ids[i] for i in dict.fromkeys([*m.decisions, *views.named_by.get(m.id, ())]) if i in ids]

    def meeting_deps(m: Meeting) -> tuple[Dep, ...]:
        return (("body", m.path), *metas(named(m)))

    def meetings_deps() -> tuple[Dep, ...]:
        return (("value", repr([len(named(m)) for m in meetings])),)  # and the meetings: every page's

    everything: Callable[[], tuple[Dep, ...]] = lambda: (("all",),)  # noqa: E731
    meetings = meetings_newest_first(log)
    jobs = twins(state, decision_deps)  # first: decisions.json and the JSON files, one worker's longest run
    jobs.append(Job(urls.HOME, "index.html", home, deps=everything))
    jobs.append(
        Job(
            urls.DECISIONS,
            "decisions.html",
            lambda: {"decisions": views.index, "facets": views.facets},
            deps=lambda: (("all",), ("facets",)),
        )
    )
    jobs += [
        Job(urls.decision(d.id), "decision.html", ctx(decision, d), deps=ctx(decision_deps, d))
        for d in log.decisions
        if safe_segment(d.id)
    ]
    jobs += [
        Job(page.path, "timeline.html", ctx(listing, page), deps=ctx(listing_deps, page))
        for page in views.lists()
    ]
    jobs.append(
        Job(urls.PARTNERS, "partners.html", lambda: {"views": list(views.partners.values())}, deps=everything)
    )
    jobs += [
        Job(
            urls.partner(pid),
            "partner.html",
            ctx(partner, pid),
            deps=ctx(partner_deps, pid),
        )
        for pid in partner_ids(log)
    ]
    jobs.append(
        Job(
            urls.MEETINGS,
            "meetings.html",
            lambda: {"meetings": [views.meeting(m) for m in meetings]},
            deps=meetings_deps,
        )
    )
    jobs += [
        Job(urls.meeting(m.id), "meeting.html", ctx(meeting, m), deps=ctx(meeting_deps, m))
        for m in meetings
        if safe_segment(m.id)
    ]
    jobs.append(
        Job(urls.TAGS, "tags.html", lambda: {"tags": views.facets["tag"]}, deps=lambda: (("facets",),))
    )
    jobs.append(Job(urls.HEALTH, "health.html", ctx(health, views.audit), deps=everything))
    jobs.append(Job(urls.AUDIT_JSON, "", produce=ctx(health_json, views.audit), deps=everything))
    if state.theme.site.search:
        jobs.append(Job(urls.SEARCH, "search.html", deps=tuple))
    jobs.append(Job(urls.NOT_FOUND, "404.html", deps=tuple))
    if (job := sitemap(state, jobs)) is not None:
        jobs.append(job)
    return jobs


def health(result: audit.Audit) -> dict[str, Any]:
    """The audit of ``declog audit`` (its default window, as of the pages' time) with its charts."""
    return {
        "audit": result,
        # the SVG is escaped by declog.insight.charts
        "charts": [(c, Markup(c.svg)) for c in charts.health_charts(result)],
        "methods": audit.PARTICIPATION_METHODS,
        "unknowable": audit.UNKNOWABLE,
    }


def health_json(result: audit.Audit) -> bytes:
    """The health page's audit as JSON, in the shape of ``declog audit --format json``."""
    return report.render(result, "json").encode("utf-8")


def facet_counts(bar: FilterBar) -> bytes:
    """facets.js: how many decisions each value of the filter bar has (facet -> [value, count] pairs).

    The list pages carry no count, so a status change rewrites this one file
    instead of every list; templates/assets/site.js shows the numbers. A
    script, not JSON: a page opened from file:// may load it, never fetch it.
    """
    counts = {facet: [[v.value, v.count] for v in values] for facet, values in bar.facets.items()}
    data = json.dumps(counts, ensure_ascii=True, separators=(",", ":")).replace("<", "\\u003c")
    return f"window.declogFacets = {data};\n".encode("ascii")


def partner_ids(log: Log) -> list[str]:
    """The partners with pages and files of their own, in the order of ``Views.partners``."""
    return [pid for pid in sorted(log.partners) if safe_segment(pid)]


def twins(state: SiteState, decision_deps: Callable[[Decision], tuple[Dep, ...]]) -> list[Job]:
    """decisions.json and a JSON file per decision, Atom feeds, calendars, the filter bar's counts and
    the theme's assets. ``decision_deps``: a decision page's inputs (its JSON file shows no more)."""
    views, log = state.views, state.views.log
    url, title = log.config.site.url, log.config.site.title
    host = urlsplit(url).hostname or "declog.invalid"

    def site_feed() -> dict[str, Any]:
        return {
            "feed": feeds.feed(
                views=views,
                title=title,
                self_path=urls.FEED,
                alternate_path=urls.HOME,
                decisions=views.latest,
                base=url,
                body_html=state.body,
                latest_first=True,
            )
        }

    def partner_feed(pid: str) -> dict[str, Any]:
        party = (d for d in views.latest if pid in d.partners)
        return {
            "feed": feeds.feed(
                views=views,
                title=f"{title}: {log.partners[pid].name}",
                self_path=urls.partner_feed(pid),
                alternate_path=urls.partner(pid),
                decisions=party,
                base=url or urls.root(urls.partner_feed(pid)),
                body_html=state.body,
                latest_first=True,
            )
        }

    def entries(decisions: Iterable[Decision]) -> tuple[Dep, ...]:
        chosen = itertools.islice(decisions, feeds.FEED_SIZE)
        return tuple(dep for d in chosen for dep in (("doc", d.path), ("body", d.path)))

    def reviews(pid: str) -> list[Due]:
        return [r for r in views.open_reviews if pid in r.decision.partners]

    def calendar(pid: str) -> bytes:
        return feeds.calendar(
            site_key=feeds.site_key(title),
            name=f"Feedback deadlines and reviews for {log.partners[pid].name}",
            items=views.partners[pid].awaiting,
            reviews=reviews(pid),
            base=url,
            uid_host=host,
            cache=state.parts,
        )

    def calendar_deps(pid: str) -> tuple[Dep, ...]:
        awaiting = metas(a.decision for a in views.partners[pid].awaiting)
        if reviews(pid):  # a review's date reads other decisions (its successor, its reviews)
            return (("all",), *awaiting)
        return awaiting

    def party_feed_deps(pid: str) -> tuple[Dep, ...]:
        return entries(d for d in views.latest if pid in d.partners)

    ctx = functools.partial
    jobs = [
        Job(
            urls.DECISIONS_JSON,
            "",
            produce=ctx(feeds.database_parts, views, state.parts),
            deps=lambda: (("all",),),  # no bodies: those are in each decision's file
            group="entries",
        ),
    ]
    jobs += [
        Job(
            urls.decision_json(d.id),
            "",
            produce=ctx(feeds.decision_file, feeds.EntryInputs(views, d), state.parts),
            deps=ctx(decision_deps, d),  # its page's: its meta, body and links
            group="entries",
        )
        for d in log.decisions
        if safe_segment(d.id)
    ]
    facets = ctx(facet_counts, views.filters)
    jobs.append(Job(urls.FACETS_JS, "", produce=facets, deps=lambda: (("facets",),)))
    jobs.append(Job(urls.FEED, "feed.xml", site_feed, deps=lambda: entries(views.latest)))
    for pid in partner_ids(log):  # the partners' views are made when a job first needs them
        path = urls.partner_feed(pid)
        jobs.append(Job(path, "feed.xml", ctx(partner_feed, pid), deps=ctx(party_feed_deps, pid)))
        path = urls.partner_calendar(pid)
        jobs.append(Job(path, "", produce=ctx(calendar, pid), deps=ctx(calendar_deps, pid)))
    assets = state.theme.assets().items()
    jobs += [
        Job(
            rel, "", produce=source.read_bytes, source=source, deps=ctx(lambda s: (("file", str(s)),), source)
        )
        for rel, source in assets
    ]
    return jobs


def sitemap(state: SiteState, jobs: Sequence[Job]) -> Job | None:
    url = state.views.log.config.site.url
    if not url:
        return None
    locations = [
        urls.join(url, j.path) for j in jobs if j.path.endswith(".html") and j.path != urls.NOT_FOUND
    ]
    return Job(
        urls.SITEMAP,
        "sitemap.xml",
        lambda: {"locations": locations},
        deps=lambda: (("value", "\n".join(locations)),),
    )


# --- rendering ------------------------------------------------------------------------


@dataclass
class Outcome:
    pages: int = 0
    changed: int = 0
    problems: list[Diagnostic] = field(default_factory=list)
    written: dict[str, tuple[int, int]] = field(default_factory=dict)
    """The size and time of each new file (``Staging.written``)."""
    files: list[tuple[str, Data]] = field(default_factory=list)
    """Files rendered by a worker that hands them back for this process to write (``Renderer``'s
    ``ship``)."""

    def add(self, other: Outcome) -> None:
        self.pages += other.pages
        self.changed += other.changed
        self.problems += other.problems
        self.written.update(other.written)


class Abandoned(Exception):
    """A newer change arrived while a rebuild rendered (``Renderer.wait``'s ``cancelled``)."""


def render_range(
    state: SiteState, jobs: Sequence[Job], start: int, stop: int, *, write: bool = True
) -> Outcome:
    """Render ``jobs[start:stop]``, write them with ``state.staging`` (or, without ``write``, hand them
    back in ``Outcome.files``); stop at the first template problem."""
    out = Outcome()
    for job in jobs[start:stop]:
        try:
            if job.produce is not None:
                data = job.produce()
            else:
                data = state.theme.render_data(job.template, job.path, **job.context())
        except TemplateProblem as exc:
            out.problems.append(exc.diagnostic)
            break
        out.pages += job.path.endswith(".html")
        if write:
            out.changed += state.staging.write(job.path, data)
        else:
            out.files.append((job.path, data))
    if write:
        out.written = state.staging.drain()
    return out


def _written(state: SiteState, out: Outcome) -> Outcome:
    """``out`` with the files a worker handed back written here, by ``state.staging``."""
    for path, data in out.files:
        out.changed += state.staging.write(path, data)
    out.files = []
    out.written = state.staging.drain()
    return out


_state: tuple[SiteState, Sequence[Job], bool] | None = None
#: Fewer jobs than this render in this process: forking costs more than it saves.
PARALLEL_FROM = 200


def _chunks(jobs: Sequence[Job], size: int, *, workers: int = 0) -> list[tuple[int, int]]:
    """``jobs`` cut into runs of ``size``. For ``workers``: each run grown to the end of a group it
    cuts, and the last runs a quarter as long, so that the workers finish about together."""
    n, start, out = len(jobs), 0, []
    while start < n:
        step = size if not workers or n - start > 2 * workers * size else max(1, size // 4)
        stop = min(start + step, n)
        while workers and stop < n and jobs[stop].group and jobs[stop].group == jobs[stop - 1].group:
            stop += 1
        out.append((start, stop))
        start = stop
    return out


def _render_chunk(bounds: tuple[int, int]) -> Outcome:
    assert _state is not None
    state, jobs, ship = _state
    return render_range(state, jobs, *bounds, write=not ship)


class Renderer:
    """Render ``jobs`` (default: every planned job), in forked workers when ``workers`` > 1, and write
    each file with ``state.staging`` (a new site being staged, or the live one changed in place).

    The one way files are rendered and written: by ``declog build``, a warm build and ``declog serve``.

    With ``ship``, the workers render a few large files (a warm build's decisions.json and index,
    say) one job at a time and hand them back: this process writes them, so ``state.staging`` may
    be the live site changed in place (``InPlace``), whose writes are this process's own.
    """

    def __init__(
        self, state: SiteState, workers: int, jobs: Sequence[Job] | None = None, *, ship: bool = False
    ) -> None:
        global _state
        self.state = state
        self.jobs = jobs if jobs is not None else state.jobs
        self.workers: Forked | None = None
        self.ship = ship
        n = len(self.jobs)
        size = 64  # in one process, progress (and a newer change) is looked at every so many jobs
        self.pending: list[Future[Outcome]] = []
        parallel = workers >= 2 and (n >= PARALLEL_FROM or (ship and n > 1))
        if parallel:
            size = 1 if ship else max(25, n // (workers * 16) + 1)
        self.chunks = _chunks(self.jobs, size, workers=workers if parallel else 0)
        if parallel:
            state.views.warm()  # the projections the jobs share, made once here, not in each worker
            # What the workers inherit is never freed before they end: frozen, their collector does
            # not walk it (and so does not copy every page of it on its first pass).
            gc.freeze()
            self.workers = Forked(workers)
            _state = (state, self.jobs, ship)
            try:
                self.pending = [self.workers.executor.submit(_render_chunk, c) for c in self.chunks]
            finally:
                _state = None

    def wait(self, progress: Progress = silent, cancelled: Callable[[], bool] = lambda: False) -> Outcome:
        """Every job's outcome; ``progress`` hears of the jobs done, chunk by chunk. Raises
        ``Abandoned`` when ``cancelled()`` turns true between two chunks rendered in this process."""
        total = Outcome()
        n = len(self.jobs)
        if self.workers is None:
            for start, stop in self.chunks:
                if cancelled():
                    raise Abandoned
                total.add(render_range(self.state, self.jobs, start, stop))
                progress(RENDER, stop, n)
                if total.problems:
                    break
            return total
        try:
            for (start, stop), part in zip(self.chunks, self._parts(), strict=True):
                if part is None:
                    part = render_range(self.state, self.jobs, start, stop)
                elif self.ship:
                    part = _written(self.state, part)
                total.add(part)
                progress(RENDER, stop, n)  # in order: every chunk before this one is done too
                if total.problems and self.ship:
                    break  # as in one process: nothing after a template problem is written
        finally:
            self.workers.close()
        return total

    def _parts(self) -> Iterator[Outcome | None]:
        """Each chunk's outcome from the workers, in order; None for those a dead worker left."""
        for done in self.pending:
            try:
                yield done.result()
            except BrokenProcessPool:
                yield None  # rendered here instead


def unique(found: Sequence[Diagnostic]) -> list[Diagnostic]:
    return sorted(set(found), key=lambda d: d.sort_key)
