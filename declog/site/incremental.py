"""Rebuild only the files a change affects, with the bytes a full build would give.

The file list is ``pages.plan``'s, the list ``declog build`` renders, and each
file declares what it is made from (declog.site.deps). After a change:

- **Only bodies changed.** When every document keeps its meta (no frontmatter
  changed, no reference to another decision came or went) and so does what
  every page sees, the views of the last update still hold, and the files to
  render are those that show a changed body (known from the last update's
  declarations) and those whose template changed.
- **Anything else.** The views are made anew, every file's fingerprint is
  computed from its declared inputs and compared with the last one, and the
  files whose fingerprint changed are rendered.

Either way the files are rendered as ``declog build`` renders them
(``pages.Renderer``) and only files whose bytes changed are written.
"""

from __future__ import annotations

import datetime as dt
import gc
import os
import time
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
import jinja2.bccache

from declog.check.checker import Checker, CheckResult
from declog.log import clock, history
from declog.log.load import paused_gc
from declog.log.model import Decision, Document, Log
from declog.log.progress import CHECK, INDEX, RENDER, Progress, silent
from declog.site import deps, feeds, pages, search, urls
from declog.site.build import BuildResult, failed, theme_for, with_site_url
from declog.site.markdown import Markdown
from declog.site.pages import Abandoned
from declog.site.render import Theme
from declog.site.views import Turns, Views, as_of, next_change
from declog.site.writer import InPlace, Staging, check_output, same_bytes

__all__ = ["Abandoned", "Incremental", "TooMuch", "Update"]

#: What a rebuild did: the same record as a build's.
Update = BuildResult


class _CompiledTemplates(jinja2.BytecodeCache):
    """Compiled templates kept in memory between rebuilds; Jinja checks each one against its source."""

    def __init__(self) -> None:
        self.code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        data = self.code.get(bucket.key)
        if data is not None:
            bucket.bytecode_from_string(data)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.code[bucket.key] = bucket.bytecode_to_string()


#: A warm build renders in worker processes, which hand the files back, when the files to render
#: last held this many bytes: forking costs about what rendering a few megabytes does.
SHIP_FROM = 4 << 20


class TooMuch(Exception):
    """More files changed than an incremental build is worth: build from scratch instead."""


#: Output file -> (size, mtime in ns) as last written: a file that differs was touched by someone else.
Manifest = dict[str, tuple[int, int]]


@dataclass
class Known:
    """What the last successful update learnt about the output folder; declog.site.cache saves it as JSON."""

    key: bytes
    """What every page sees and every document's meta (``deps``): equal, only bodies can have changed."""
    templates: dict[str, bytes]
    """Template name -> digest (``deps.Templates``)."""
    prints: dict[str, bytes]
    """Output file -> fingerprint of its declared inputs."""
    shows: dict[str, tuple[str, ...]]
    """Document path -> the output files that show its body."""
    records: dict[str, bytes]
    """Document path -> digests of its meta and body (``deps.Digests.record``)."""
    manifest: Manifest
    history: tuple[str, Mapping[str, tuple[history.Commit, ...]]] | None


@dataclass
class _Kept:
    """What only this process keeps between updates: the last state rendered from, and its keys."""

    state: pages.SiteState
    """The views, the theme, the Markdown renderer (for the log's link targets) and the plan."""
    theme_key: bytes
    metas: bytes
    """The digest of every document's meta."""
    links: bytes
    """``deps.links_digest`` of the Markdown renderer's targets."""
    common: bytes
    """``deps.common`` of the update (what decisions.json's kept entries, ``feeds.Parts``, were made with)."""
    declared: dict[str, tuple[deps.Dep, ...]] = field(default_factory=dict)
    """Output file -> the inputs it declared (the fingerprints in ``Known.prints`` are theirs)."""
    aggregates: dict[deps.Dep, bytes] = field(default_factory=dict)
    """The digests of the log-wide inputs (``deps.AGGREGATES``)."""
    pages: int = 0
    """How many of the plan's files are HTML pages."""
    documents: Mapping[str, Document] = field(default_factory=dict)
    """The log's documents by path, as ``Known.records`` digests them (the views' log may be a later
    one: a plan that was abandoned rebased them)."""
    dependants: dict[deps.Dep, tuple[str, ...]] | None = None
    """Input -> the files that declare it, as ``declared`` says; made when first needed (``index``)."""

    def index(self) -> dict[deps.Dep, tuple[str, ...]]:
        """``dependants``, made from ``declared`` if it was not kept up to date."""
        if self.dependants is None:
            self.dependants = _index(self.declared, _every)
        return self.dependants

    @property
    def views(self) -> Views:
        return self.state.views

    @property
    def theme(self) -> Theme:
        return self.state.theme

    @property
    def markdown(self) -> Markdown:
        return self.state.markdown


@dataclass
class _Plan:
    result: Update
    state: pages.SiteState
    prints: dict[str, bytes]
    shows: dict[str, tuple[str, ...]] | None
    """Learnt anew, or None: the last one still holds."""
    todo: list[pages.Job]
    templates: dict[str, bytes]
    key: bytes = b""
    records: dict[str, bytes] = field(default_factory=dict)
    """Document path -> digests of its meta and body."""
    kept: _Kept | None = None
    declared: dict[str, tuple[deps.Dep, ...]] = field(default_factory=dict)
    dependants: dict[deps.Dep, tuple[str, ...]] | None = None
    """``_Kept.dependants`` for ``declared``, when it was kept up to date."""


class Incremental:
    """A site kept up to date across rebuilds; each ``update`` renders only what changed.

    ``known`` is what the output folder shows (``snapshot`` and ``restore``
    carry it between processes, declog.site.cache); this process also keeps the
    checker's memory, the views, the theme and its rendered fragments, the
    rendered Markdown bodies (while the link targets stay the same),
    decisions.json's entries and the git history (while HEAD stays the same).
    """

    def __init__(
        self,
        root: Path,
        out: Path,
        *,
        site_url: str | None = None,
        strict: bool = False,
        now: dt.datetime | None = None,
        search: bool = False,
        once: bool = False,
    ) -> None:
        """``once``: the site is built once (``declog build``), so the checker need not keep the
        files' bytes for later loads (``LoadMemo.keep_bytes``)."""
        self.root, self.out = root, out
        self.site_url, self.strict, self.now, self.search = site_url, strict, now, search
        self.checker = Checker(root, keep_bytes=not once)
        self.known: Known | None = None
        self.kept: _Kept | None = None
        self.bodies: dict[str, tuple[bytes, str]] = {}
        self.parts = feeds.Parts()
        self.templates = deps.Templates()
        self.digests = deps.Digests(self.checker.shapes)
        self.compiled = _CompiledTemplates()
        self._history: tuple[str, Mapping[str, tuple[history.Commit, ...]]] | None = None
        self._head_time: tuple[str | None, dt.datetime | None] | None = None
        self._turns: tuple[tuple[bytes, str], Turns] | None = None
        """The moments the pages' time turns at, for the metas and settings they were found in."""

    # --- between processes ---------------------------------------------------------------

    def snapshot(self) -> dict[str, Any]:
        """What a later process needs to rebuild incrementally: ``Known``'s fields (no Markdown
        bodies: they are large), which declog.site.cache writes as JSON."""
        assert self.known is not None
        return dict(vars(self.known))

    def restore(self, data: Mapping[str, Any]) -> None:
        """Take a ``snapshot`` as declog.site.cache read it back (``decode`` checks every value's type)."""
        self.known, self.kept = Known(**data), None
        self._history = self.known.history

    def forget(self) -> None:
        """Drop what is known about the output: the next update renders everything."""
        self.known = self.kept = None
        self.bodies = {}
        self.parts.clear()

    # --- rebuilding ------------------------------------------------------------------------

    def update(
        self, cancelled: Callable[[], bool] = lambda: False, changed: Collection[str] | None = None
    ) -> Update:
        """Check the log and, if it passes, bring the output folder up to date, file by file.

        ``changed``, when given, names every file (relative to the root) that
        changed since the last update, e.g. as a watcher saw them
        (``Checker.check``); without it every file is looked at.
        Raises ``Abandoned`` (before writing anything) when ``cancelled()``
        turns true, and ``OutputError`` when the output folder cannot be used.
        """
        try:
            plan = self._plan(changed=changed, trust_output=True)
            if not isinstance(plan, _Plan):
                return plan
            if cancelled():
                raise Abandoned
            if plan.result.full:
                written = self._write(plan, Staging(self.out), 1, cancelled=cancelled)
            else:
                written = self._write(plan, InPlace(self.out), 1, cancelled=cancelled)
            return self._done(plan, written)
        finally:
            # Loading freezes what it built (load.paused_gc), as build does; a process that
            # rebuilds again and again must hand it back, or each rebuild's cycles stay for good.
            gc.unfreeze()

    def next_change(self) -> float | None:
        """Seconds until time alone changes what the pages show (a deadline passes, say), when the
        pages follow the clock; None when nothing lies ahead, the moment is fixed or nothing is built."""
        if self.now is not None or self.kept is None or clock.source_date_epoch() is not None:
            return None
        now = clock.current()
        moment = next_change(self.kept.views.log, now)
        return None if moment is None else max(0.0, (moment - now).total_seconds())

    def rebuild(
        self, *, binary: Path | None, most: float = 0.5, jobs: int | None = None, progress: Progress = silent
    ) -> Update:
        """``declog build`` with a warm cache: render what changed, keep the rest.

        Files the previous build wrote and someone changed since are rendered
        again. Without a search index the files are replaced in place, one by
        one, once every changed page has rendered; with one, the new site is
        staged (unchanged files linked) and indexed before it is swapped in.
        Raises ``TooMuch`` when more than ``most`` of the files must be
        rendered (a full build is faster), before writing anything.
        ``jobs``: worker processes, as for ``declog build``.
        ``progress`` hears of each stage and of the files done.
        """
        try:
            progress(CHECK, 0, 0)
            plan = self._plan(trust_output=False)
            if not isinstance(plan, _Plan):
                return plan
            if plan.result.full or len(plan.todo) > most * len(plan.state.jobs):
                raise TooMuch
            few = len(plan.todo) < pages.PARALLEL_FROM
            if binary is None and few:
                # the workers hand back what they render (an in-place writer's renames are its own),
                # worth forking for when the files last held megabytes (decisions.json, the index)
                workers = pages.processes(jobs) if self._weight(plan.todo) >= SHIP_FROM else 1
                written = self._write(plan, InPlace(self.out), workers, progress=progress)
            else:  # forked workers write into a staged site
                workers = pages.processes(jobs) if not few else 1
                written = self._write(plan, Staging(self.out), workers, progress=progress, binary=binary)
            return self._done(plan, written)
        finally:
            gc.unfreeze()

    def prime(
        self,
        checked: CheckResult,
        bodies: Mapping[str, tuple[bytes, str]] | None = None,
        built: pages.SiteState | None = None,
    ) -> Callable[[Mapping[str, tuple[int, int]]], None]:
        """Learn the fingerprints of the site ``declog build`` renders from ``checked``'s log.

        ``bodies`` are the Markdown bodies that build rendered (``BuildResult.bodies``); ``built``
        what it renders from (``BuildResult.state``): its views and theme serve again when they
        are as of the same moment. The fingerprints are worked out now, while the build's workers
        may still be rendering (``build``'s ``meanwhile``); the function returned, called once the
        site is in place, notes each file's size and time (as the build's writers noted them,
        ``BuildResult.written``, else as found) and makes all of it known.
        """
        plan = self._plan(trust_output=True, checked=checked, full_look=True, built=built)

        def done(written: Mapping[str, tuple[int, int]]) -> None:
            try:
                if isinstance(plan, _Plan):
                    self.bodies.update(bodies or {})
                    plan.todo = []
                    self._done(plan, 0, written=written)
            finally:
                gc.unfreeze()

        return done

    def warm(self) -> None:
        """Prepare what the first rebuild after ``prime`` would otherwise make (a server's idle moment):
        the plan, when a warm build found nothing to render and made none; which files declare each
        input; decisions.json's entries,
        the index's rows, and the list items and deadlines the theme reuses from page to page."""
        if self.kept is None and self.known is not None:  # a warm build rendered nothing: plan it now
            try:
                plan = self._plan(trust_output=True, full_look=True)
                if isinstance(plan, _Plan) and not plan.todo:
                    self._done(plan, 0)
            finally:
                gc.unfreeze()
        kept = self.kept
        if kept is None:
            return
        kept.index()
        views = kept.views
        feeds.database_parts(views, self.parts)
        kept.theme.index_rows(views.index)
        for d in views.log.decisions:
            kept.theme.item(d)
        for a in (*views.board.attention, *views.board.upcoming):
            kept.theme.attention(a)
        for pid, pv in views.partners.items():
            for a in pv.awaiting:
                kept.theme.attention(a, pid)

    # --- what to render ----------------------------------------------------------------------

    def _plan(self, **how: Any) -> _Plan | Update:
        """What to render (``_planned``), worked out with the collector paused: the views and the
        declarations are trees, and its passes over them cost a tenth of a status edit at 10,000
        decisions. What was made is frozen afterwards (``load.paused_gc``); ``update`` hands it back."""
        with paused_gc():
            return self._planned(**how)

    def _planned(
        self,
        *,
        trust_output: bool,
        changed: Collection[str] | None = None,
        checked: CheckResult | None = None,
        full_look: bool = False,
        built: pages.SiteState | None = None,
    ) -> _Plan | Update:
        started = time.perf_counter()
        check_output(self.out, self.root)
        if checked is None:
            checked = self.checker.check(changed)
        result = Update(checked, list(checked.findings))
        result.seconds = started
        if checked.log is None or checked.failed(self.strict):
            return result
        log = with_site_url(checked.log, self.site_url)
        hist = self._file_history()
        digests, kept = self.digests, self.kept
        records, redone = self._records(log)
        metas = deps.all_metas(records.values())
        if kept is not None and (kept.metas == metas or _same_names(kept.views.log, log)):
            targets, links = kept.markdown.targets, kept.links  # the same documents, by the same names
        else:
            targets = pages.log_targets(log)
            links = deps.links_digest(targets)
        config = repr(log.config)
        if self._turns is None or self._turns[0] != (metas, config):
            self._turns = ((metas, config), Turns.of(log))
        now = as_of(log, self.now or clock.current(), self._head(self.root), self._turns[1])
        head = self._history[0] if self._history is not None else ""
        common = deps.common(log, digests, now, self.site_url, self.search, head)
        key = deps.digest(common, metas)
        known = self.known
        # the same metas and what every page sees: only bodies changed (known from the last update,
        # in this process or, through the cache, in an earlier one)
        bodies_only = (
            not full_look and known is not None and known.key == key and (self.out / urls.HOME).is_file()
        )
        if built is not None and _same_site(built, log, now, self.search):
            views = built.views  # what the build just made, from the same log as of the same moment
        elif bodies_only and kept is not None:
            views = kept.views
        else:  # how decisions link to each other is kept when it did not change
            views = kept.views.follow(log, now, hist) if kept is not None else Views(log, now, hist)
            built = None
        theme, theme_key, templates = self._theme(views, built.theme if built is not None else None)
        if kept is None or kept.theme is not theme:
            # templates with the sources of the last site compiled then (so its prints hold)
            result.findings += theme.load_all(compiled=known is not None and templates == known.templates)
        if failed(result.findings, self.strict):
            return result
        if bodies_only and kept is None and self._as_known(records, templates, theme, trust_output):
            # a new process, and the site is the one the cache describes: nothing to plan or render
            # (a server plans it while it warms up)
            result.built = result.bodies_only = True
            result.pages = sum(rel.endswith(".html") for rel in known.prints) if known is not None else 0
            result.seconds = time.perf_counter() - started
            return result
        if bodies_only and kept is not None and theme is kept.theme:
            # nothing but bodies changed: the views, the plan and its jobs hold; pages read bodies by path
            state = kept.state
            state.views.rebase(log)
            state.bodies = self.bodies
        elif built is not None and theme is built.theme and built.markdown.targets == targets:
            # what the build renders (its writer is replaced when an update writes: ``_write``)
            state, self.bodies, self.parts = built, built.bodies, built.parts
        else:
            if bodies_only and kept is not None:
                views = views.carry(log)
            markdown = kept.markdown if kept is not None and kept.markdown.targets == targets else None
            if markdown is None:
                markdown, self.bodies = Markdown(targets), {}
            if kept is None or kept.common != common:
                self.parts.clear()
            state = pages.SiteState(theme, views, InPlace(self.out), markdown, self.bodies, parts=self.parts)
            state.jobs = pages.plan(state)
        inputs = deps.Inputs(log, digests, common, targets, links, everything=metas)
        inputs.use(state.views.facets, state.views.filters)
        edited = None
        if bodies_only:
            assert known is not None
            was = known.records
            edited = {path for path in redone if was.get(path) != records[path]}
        # the inputs whose digests changed since the last update, when that is known
        changed_inputs: set[deps.Dep] | None = None
        if edited is not None and kept is not None:  # the same metas: the same log-wide inputs and links
            aggregates = kept.aggregates
            changed_inputs = {("body", path) for path in edited}
        else:
            aggregates = {dep: inputs(dep) for dep in deps.AGGREGATES}
            if known is not None and kept is not None and kept.common == common and kept.links == links:
                changed_inputs = _changed(known.records, records, redone)
                changed_inputs.update(
                    dep for dep, value in aggregates.items() if kept.aggregates.get(dep) != value
                )
        result.bodies_only = edited is not None
        if kept is not None and state is kept.state:
            html = kept.pages
        else:
            html = sum(job.path.endswith(".html") for job in state.jobs)
        new_kept = _Kept(
            state, theme_key, metas, links, common, aggregates=aggregates, pages=html, documents=log.by_path
        )
        plan = self._choose(result, state, inputs, templates, edited, trust_output, changed_inputs)
        plan.key, plan.records, plan.kept = key, records, new_kept
        if edited is None:
            new_kept.declared, new_kept.dependants = plan.declared, plan.dependants
        elif kept is not None:
            new_kept.declared, new_kept.dependants = kept.declared, kept.dependants
        result.pages = new_kept.pages
        result.rendered = len(plan.todo)
        return plan

    def _records(self, log: Log) -> tuple[dict[str, bytes], Collection[str]]:
        """Document path -> ``Digests.record``, in path order, and the paths whose record may differ
        from ``known``'s: those of the documents the last update's log did not hold as they are."""
        known, kept, by_path = self.known, self.kept, log.by_path
        last = kept.documents if kept is not None else None
        if (
            known is None
            or last is None
            or last.keys() != by_path.keys()
            or known.records.keys() != by_path.keys()
        ):
            records = {path: self.digests.record(by_path[path]) for path in sorted(by_path)}
            return records, records.keys() | (known.records.keys() if known is not None else set())
        records = dict(known.records)  # the same paths, in path order
        redone = [path for path, doc in by_path.items() if doc is not last[path]]
        for path in redone:
            records[path] = self.digests.record(by_path[path])
        return records, redone

    def _as_known(
        self, records: Mapping[str, bytes], templates: Mapping[str, bytes], theme: Theme, trust_output: bool
    ) -> bool:
        """Whether the output is the site ``known`` describes, as a rebuild would make it now: the same
        documents (metas and bodies) and templates, the theme's assets there, no file touched since."""
        known = self.known
        if known is None or records != known.records or templates != known.templates:
            return False
        assets = theme.assets()
        if assets.keys() != {rel for rel in known.prints if rel.startswith(urls.ASSETS_FOLDER)}:
            return False
        if not all(_copied(source, self.out / rel) for rel, source in assets.items()):
            return False
        return trust_output or all(_intact(self.out, rel, known.manifest) for rel in known.prints)

    def _choose(
        self,
        result: Update,
        state: pages.SiteState,
        inputs: deps.Inputs,
        templates: dict[str, bytes],
        edited: set[str] | None,
        trust_output: bool,
        changed: set[deps.Dep] | None = None,
    ) -> _Plan:
        """The files to render: each file whose fingerprint changed, or, when only the bodies at
        ``edited`` changed, each file that declares one of them or whose template changed (the
        others keep their fingerprints); and any file someone else touched (unless ``trust_output``).

        ``changed``: the inputs whose digests changed since the last update (what every page sees
        did not), when known: a file that declares the same inputs as then, none of them changed,
        keeps its fingerprint without computing it.
        """
        known, kept, jobs = self.known, self.kept, state.jobs
        old, manifest, then = (known.prints, known.manifest, known.templates) if known else ({}, {}, {})
        stale = {n for n in templates.keys() | then.keys() if templates.get(n) != then.get(n)}
        full = known is None or not (self.out / urls.HOME).is_file()
        # files that read a file outside the log (a theme asset) or whose template changed
        special = {job.path for job in jobs if job.source is not None or job.template in stale}
        if known is not None and edited is not None:  # the other files declare no edited body
            affected = special.union(*[known.shows.get(path, ()) for path in edited])
            declared = {
                job.path: job.deps()
                for job in jobs
                if job.deps is not None and (job.path in affected or job.path not in old)
            }
        else:
            declared = {job.path: job.deps() for job in jobs if job.deps is not None}
        # the files to fingerprint: those that declare other inputs than last time (all of them when
        # what changed since is not known) or one that changed (``_Kept.dependants``), new files and
        # the special ones
        last = kept.declared if kept is not None and changed is not None else {}
        redeclared = [
            path for path, now in declared.items() if (before := last.get(path)) is not now and before != now
        ]
        redo = {*redeclared, *(declared.keys() - old.keys()), *(special & declared.keys())}
        if last and changed:
            assert kept is not None
            index = kept.index()
            for dep in changed:
                redo.update(path for path in index.get(dep, ()) if path in declared)
        prints: dict[str, bytes] = {}
        todo: list[pages.Job] = []
        for job in jobs:
            path = job.path
            if job.deps is None:
                prints[path] = os.urandom(16)  # undeclared: rendered every time
            elif path in redo:
                prints[path] = inputs.fingerprint(path, templates.get(job.template, b""), declared[path])
            else:
                prints[path] = old[path]  # the same inputs, none changed
            if full or old.get(path) != prints[path]:
                todo.append(job)
            elif not (trust_output or _intact(self.out, path, manifest)):
                todo.append(job)  # someone else touched it
        result.full = full
        # which files show each body (``Known.shows``): learnt from every declaration, or the last
        # update's with the files whose declarations changed since moved
        patch = bool(last) and known is not None and edited is None
        if patch:
            assert known is not None
            redeclared += [path for path in last if path not in declared]
            shown = _moved(known.shows, redeclared, last, declared, _body)
        else:
            shown = _index(declared, _body)
        plan = _Plan(result, state, prints, shown if edited is None else None, todo, templates)
        plan.declared = declared
        if patch and kept is not None and kept.dependants is not None:
            plan.dependants = _moved(kept.dependants, redeclared, last, declared, _every)
        return plan

    # --- what every page sees ------------------------------------------------------------------

    def _theme(self, views: Views, built: Theme | None = None) -> tuple[Theme, bytes, dict[str, bytes]]:
        """The kept theme (and its rendered fragments) while partners, settings, time and templates
        stay the same, else ``built`` (the theme a build just rendered ``views`` with) or a new one;
        with its key and the digests of its templates."""
        log = views.log
        partners = [self.digests.meta(p) for p in log.partners.values()]
        key = deps.digest(*partners, repr((log.config, views.now, self.search)))
        kept = self.kept
        if kept is not None and kept.theme_key == key and self.known is not None:
            theme = kept.theme
            if theme.dirs == theme.search_path():
                digests = self.templates.digests(theme)
                if digests == self.known.templates:
                    return theme, key, digests
        theme = built if built is not None else theme_for(self.root, views, search=self.search)
        theme.env.bytecode_cache = self.compiled
        return theme, key, self.templates.digests(theme)

    def _weight(self, jobs: Iterable[pages.Job]) -> int:
        """How many bytes the files of ``jobs`` held when last written (0 for those not known)."""
        manifest = self.known.manifest if self.known is not None else {}
        return sum(manifest.get(job.path, (0, 0))[0] for job in jobs)

    def _head(self, root: Path) -> dt.datetime | None:
        """HEAD's commit time, asked of git again only when HEAD moves."""
        head = self.checker.head
        if self._head_time is None or self._head_time[0] != head or not head:
            self._head_time = (head, history.head_time(root))
        return self._head_time[1]

    def _file_history(self) -> Mapping[str, tuple[history.Commit, ...]]:
        sha = self.checker.head or ""
        if self._history is None or self._history[0] != sha or not sha:
            self._history = (sha, history.file_history(self.root))
        return self._history[1]

    # --- writing -------------------------------------------------------------------------------

    def _write(
        self,
        plan: _Plan,
        writer: Staging,
        workers: int,
        *,
        cancelled: Callable[[], bool] = lambda: False,
        progress: Progress = silent,
        binary: Path | None = None,
    ) -> int | None:
        """Render the files to do with ``writer`` (a new site staged, or the live one changed in place);
        the number of files whose bytes changed, or None when a template failed (nothing written)."""
        state = plan.state
        state.staging = writer
        try:
            if isinstance(writer, Staging) and not isinstance(writer, InPlace) and not plan.result.full:
                todo = {job.path for job in plan.todo}
                for job in state.jobs:  # a staged rebuild: the unchanged files linked from the last site
                    if job.path not in todo and not writer.keep(job.path):
                        plan.todo.append(job)
            progress(RENDER, 0, len(plan.todo))
            ship = isinstance(writer, InPlace)
            outcome = pages.Renderer(state, workers, plan.todo, ship=ship).wait(progress, cancelled)
            if outcome.problems:
                plan.result.findings += pages.unique(outcome.problems)
                writer.abort()
                return None
            if binary is not None:
                progress(INDEX, 0, 0)
                plan.result.findings += search.index(writer.dir, binary)
                if failed(plan.result.findings, self.strict):
                    writer.abort()
                    return None
            if cancelled():
                raise Abandoned
            writer.commit()
        except BaseException:
            writer.abort()
            raise
        gone = sorted(set(self.known.prints if self.known else ()) - plan.prints.keys())
        if isinstance(writer, InPlace):
            for path in gone:
                writer.remove(path)
        plan.result.removed = len(gone)
        return outcome.changed

    def _done(
        self,
        plan: _Plan,
        changed: int | None,
        *,
        written: Mapping[str, tuple[int, int]] | None = None,
    ) -> Update:
        """Make what ``plan`` rendered known. ``written``, given after a build: every file is new,
        with the sizes and times its writers noted (the others are looked at)."""
        result = plan.result
        if changed is None:
            result.seconds = 0.0
            return result
        result.changed = changed
        known, log = self.known, plan.state.views.log
        shows = plan.shows if plan.shows is not None or known is None else known.shows
        if written is not None or known is None or result.full:
            noted = written or {}
            manifest = {rel: noted.get(rel) or _stat(os.path.join(self.out, rel)) for rel in plan.prints}
        else:
            manifest = dict(known.manifest)
            for job in plan.todo:
                manifest[job.path] = _stat(self.out / job.path)
            if len(manifest) != len(plan.prints):  # files came or went
                manifest = {rel: manifest.get(rel, (-1, -1)) for rel in plan.prints}
        self.known = Known(
            plan.key, plan.templates, plan.prints, shows or {}, plan.records, manifest, self._history
        )
        self.kept = plan.kept
        if len(self.bodies) > len(log.by_path):
            self.bodies = {k: v for k, v in self.bodies.items() if k in log.by_path}
        self.digests.keep(log.by_path.values())
        plan.state.theme.keep(log.decisions)
        result.built = True
        result.seconds = time.perf_counter() - result.seconds
        return result


def _same_site(built: pages.SiteState, log: Log, now: dt.datetime, search: bool) -> bool:
    """Whether a build's views and theme are those of ``log`` as of ``now`` (with a search index or not)."""
    views = built.views
    return (
        views.now == now
        and views.log.decisions is log.decisions
        and views.log.partners is log.partners
        and views.log.meetings is log.meetings
        and views.log.config == log.config
        and built.theme.site.search == search
    )


def _same_names(before: Log, after: Log) -> bool:
    """Whether two versions of a log hold the same documents (paths) under the same ids: what a
    body can link to (``pages.log_targets``) is the same."""
    was, now = before.by_path, after.by_path
    return (
        was.keys() == now.keys()
        and before.partners.keys() == after.partners.keys()
        and before.meetings.keys() == after.meetings.keys()
        and all(
            not isinstance(doc, Decision) or doc.id == was[path].id  # type: ignore[attr-defined]
            for path, doc in now.items()
            if doc is not was[path]
        )
    )


def _changed(before: Mapping[str, bytes], after: Mapping[str, bytes], paths: Iterable[str]) -> set[deps.Dep]:
    """The documents' inputs whose digests differ between two ``Known.records`` (at ``paths``, the
    only ones that can): meta, then body."""
    out: set[deps.Dep] = set()
    for path in paths:
        was, now = before.get(path, b""), after.get(path, b"")
        if was != now:
            if deps.meta_of(was) != deps.meta_of(now):
                out.add(("doc", path))
            if deps.body_of(was) != deps.body_of(now):
                out.add(("body", path))
    return out


def _moved(
    index: Mapping[Any, tuple[str, ...]],
    files: Collection[str],
    before: Mapping[str, tuple[deps.Dep, ...]],
    after: Mapping[str, tuple[deps.Dep, ...]],
    key: Callable[[deps.Dep], Any],
) -> dict[Any, tuple[str, ...]]:
    """``index`` (``key(input)`` -> the files that declare that input, as ``before`` declares them;
    ``key`` None: not indexed) with the declarations of ``files`` as ``after`` has them (a file in
    neither: gone)."""
    out = dict(index)
    for file in files:
        was, now = before.get(file, ()), after.get(file, ())
        if was == now:
            continue
        still = set(was) & set(now)  # a file keeps its place among the dependants of what it still declares
        for dep in was:
            k = key(dep) if dep not in still else None
            if k is not None and file in out.get(k, ()):
                rest = tuple(f for f in out[k] if f != file)
                if rest:
                    out[k] = rest
                else:
                    del out[k]
        for dep in now:
            k = key(dep) if dep not in still else None
            if k is not None and file not in out.get(k, ()):
                out[k] = (*out.get(k, ()), file)
    return out


def _index(
    declared: Mapping[str, tuple[deps.Dep, ...]], key: Callable[[deps.Dep], Any]
) -> dict[Any, tuple[str, ...]]:
    """``key(input)`` -> the files that declare that input (``key`` None: not indexed), in file order."""
    out: dict[Any, list[str]] = {}
    for file, inputs in declared.items():
        for dep in inputs:
            k = key(dep)
            if k is not None:
                files = out.get(k)
                if files is None:
                    out[k] = [file]
                elif files[-1] != file:
                    files.append(file)
    return {k: tuple(files) for k, files in out.items()}


def _body(dep: deps.Dep) -> str | None:
    """``Known.shows``' key: the document whose body a file shows."""
    return dep[1] if dep[0] == "body" else None


def _every(dep: deps.Dep) -> deps.Dep:
    """``_Kept.dependants``' key: the input itself."""
    return dep


def _stat(path: str | Path) -> tuple[int, int]:
    try:
        st = os.stat(path)
    except OSError:
        return (-1, -1)
    return (st.st_size, st.st_mtime_ns)


def _copied(source: Path, target: Path) -> bool:
    """Whether ``target`` holds the bytes of ``source`` (a theme asset)."""
    try:
        return same_bytes(target, source.read_bytes())
    except OSError:
        return False


def _intact(out: Path, rel: str, manifest: Manifest) -> bool:
    known = manifest.get(rel)
    return known is not None and known[0] >= 0 and _stat(os.path.join(out, rel)) == tuple(known)
