"""Rebuild only the pages a change affects, with the bytes a full build would give.

The page list is ``pages.plan``'s, the list ``declog build`` renders. After a
change there are two ways to find the pages to render again:

- **Only text changed.** When every document keeps its shape (declog.check.shape:
  an edited body, title or rationale; no status, date, partner or link
  changed) and so does what every page sees (settings, partners, the "as of"
  time, git history, declog's version), the pages to render are the ones that
  show an edited document, known from the last full look, and the ones whose
  template changed. The view objects are kept from the last full look; the
  edited records are put in where a page shows them (``fingerprint.rebind``).
- **Anything else.** Every page's fingerprint (declog.site.fingerprint: the value of
  its context and template) is computed again and compared with the last one;
  the pages whose inputs changed are rendered, and which documents each page
  shows is learnt anew.

Either way only files whose bytes changed are written.
"""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
import time
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
import jinja2.bccache
from markupsafe import Markup

from declog import __version__
from declog.check.checker import Checker, CheckResult
from declog.log import clock, history
from declog.log.diagnostics import Diagnostic
from declog.log.model import Document, Log
from declog.log.progress import CHECK, INDEX, RENDER, Progress, silent
from declog.site import feeds, pages, search, urls
from declog.site.build import failed, theme_for, with_site_url
from declog.site.fingerprint import Printer, Rebinder, Templates, fingerprint
from declog.site.markdown import Markdown
from declog.site.render import TemplateProblem, Theme
from declog.site.views import PROJECTIONS, Views, as_of, next_change
from declog.site.writer import Data, InPlace, Staging, check_output, same_bytes

__all__ = ["Abandoned", "Incremental", "TooMuch", "Update", "fingerprint"]

#: Checked between pages: how often a rebuild looks whether a newer change overtook it.
_CHECK_EVERY = 64


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


class Abandoned(Exception):
    """A newer change arrived while this rebuild ran; nothing was written."""


class TooMuch(Exception):
    """More pages changed than an incremental build is worth: build from scratch instead."""


@dataclass
class Update:
    check: CheckResult
    findings: list[Diagnostic] = field(default_factory=list)
    built: bool = False
    """True when the output folder now shows this version of the log."""
    pages: int = 0
    rendered: int = 0
    """Pages and files rendered again (their inputs changed)."""
    changed: int = 0
    """Files written because their bytes changed."""
    removed: int = 0
    full: bool = False
    """Every page was rendered (first build, or the output was not ours)."""
    text_only: bool = False
    """Only documents' text or templates changed: the pages showing them were rendered, none fingerprinted."""
    seconds: float = 0.0


#: Output file -> (size, mtime in ns) as last written: a file that differs was touched by someone else.
Manifest = dict[str, tuple[int, int]]


@dataclass
class Known:
    """What the last successful rebuild learnt about the output folder; declog.site.cache saves it as JSON."""

    key: bytes
    """The log's shape and what every page sees (``Incremental._key``)."""
    templates: dict[str, bytes]
    """Template name -> digest (``fingerprint.Templates``)."""
    prints: dict[str, bytes]
    """Output file -> fingerprint of its inputs; b"" when rendered since without one."""
    shows: dict[str, tuple[str, ...]]
    """Document path -> the output files that show it."""
    records: dict[str, bytes]
    """Document path -> digest of the record the output files show."""
    manifest: Manifest
    history: tuple[str, Mapping[str, tuple[history.Commit, ...]]] | None


@dataclass
class _Plan:
    result: Update
    state: _State
    prints: dict[str, bytes]
    shows: dict[str, tuple[str, ...]] | None
    """Learnt anew (a full look), or None: the last one still holds."""
    todo: list[pages.Job]
    templates: dict[str, bytes]
    key: bytes = b""
    edited: Mapping[str, Document] = field(default_factory=dict)
    """Documents whose record differs from the one the output shows, by path."""
    kept: _Kept | None = None
    """What this process keeps once the rebuild succeeded."""


@dataclass
class _State(pages.SiteState):
    """The build's state. While fingerprinting, a body stands in as its digest (no Markdown rendered)."""

    rendered_bodies: dict[str, tuple[bytes, str]] = field(default_factory=dict)
    placeholders: bool = False
    used_body: bool = False

    def body(self, doc: Document) -> Markup:
        d = pages.digest(doc.body)
        if self.placeholders:
            self.used_body = True
            return Markup(f"\x00body {d.hex()}\x00")  # only fingerprinted, never written
        early = self.bodies.get(doc.path)
        html = early[1] if early is not None and early[0] == d else None
        if html is None:
            html = self.markdown.render(doc.body, pages.BODY_ROOT).html
        self.rendered_bodies[doc.path] = (d, html)
        return Markup(html)


@dataclass
class _Kept:
    """What only this process keeps between rebuilds: the views of the last full look, and so on."""

    views: Views
    """The views of the last full look; their records are those of the last rebuild."""
    rebinder: Rebinder
    theme: Theme
    theme_key: bytes
    markdown: Markdown
    """Renders bodies for the link targets of the log (kept while they stay the same)."""
    json_key: bytes


class Incremental:
    """A site kept up to date across rebuilds; each ``update`` renders only what changed.

    ``known`` is what the output folder shows (``snapshot`` and ``restore``
    carry it between processes, declog.site.cache); this process also keeps the
    checker's memory, the views of the last full look, the theme and its
    rendered list items, the rendered Markdown bodies (while the link targets
    stay the same), decisions.json's entries and the git history (while HEAD
    stays the same).
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
    ) -> None:
        self.root, self.out = root, out
        self.site_url, self.strict, self.now, self.search = site_url, strict, now, search
        self.checker = Checker(root)
        self.known: Known | None = None
        self.kept: _Kept | None = None
        self.bodies: dict[str, tuple[bytes, str]] = {}
        self.parts = feeds.Parts()
        self.templates = Templates()
        self.lasting: dict[int, tuple[object, bytes]] = {}
        """Digests of the parts of records and of commits, kept between full looks (``Printer``)."""
        self.compiled = _CompiledTemplates()
        self._history: tuple[str, Mapping[str, tuple[history.Commit, ...]]] | None = None
        self._head_time: tuple[str | None, dt.datetime | None] | None = None

    # --- between processes ---------------------------------------------------------------

    def snapshot(self) -> dict[str, Any]:
        """What a later process needs to rebuild incrementally (no Markdown bodies: they are large)."""
        known = self.known
        assert known is not None
        return {
            "key": known.key,
            "templates": known.templates,
            "prints": known.prints,
            "shows": known.shows,
            "records": known.records,
            "manifest": known.manifest,
            "history": known.history,
        }

    def restore(self, data: Mapping[str, Any]) -> None:
        """Take a ``snapshot``; TypeError when it is not one."""
        try:
            known = Known(**data)
        except TypeError:
            raise TypeError("not a snapshot") from None
        for name, kind in (
            ("key", bytes),
            ("templates", dict),
            ("prints", dict),
            ("shows", dict),
            ("records", dict),
            ("manifest", dict),
        ):
            if not isinstance(getattr(known, name), kind):
                raise TypeError("not a snapshot")
        hist = known.history
        if hist is not None and not (isinstance(hist, tuple) and isinstance(hist[1], Mapping)):
            raise TypeError("not a snapshot")
        self.known, self.kept, self._history = known, None, hist

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
            plan = self._plan(cancelled, changed=changed, trust_output=True)
            if not isinstance(plan, _Plan):
                return plan
            if plan.result.full:
                written = self._write_all(plan, cancelled)
            else:
                written = self._write_some(plan, cancelled)
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

    def rebuild(self, *, binary: Path | None, most: float = 0.5, progress: Progress = silent) -> Update:
        """``declog build`` with a warm cache: render what changed, keep the rest.

        Files the previous build wrote and someone changed since are rendered
        again. Without a search index the files are replaced in place, one by
        one, once every changed page has rendered; with one, the new site is
        staged (unchanged files linked) and indexed before it is swapped in.
        Raises ``TooMuch`` when more than ``most`` of the files must be
        rendered (a full build is faster), before writing anything.
        ``progress`` hears of each stage and of the files done.
        """
        try:
            progress(CHECK, 0, 0)
            plan = self._plan(lambda: False, trust_output=False)
            if not isinstance(plan, _Plan):
                return plan
            if plan.result.full or len(plan.todo) > most * len(plan.state.jobs):
                raise TooMuch
            if binary is None:
                written = self._write_some(plan, lambda: False, progress)
            else:
                written = self._write_staged(plan, binary, progress)
            return self._done(plan, written)
        finally:
            gc.unfreeze()

    def prime(self, checked: CheckResult, bodies: Mapping[str, tuple[bytes, str]] | None = None) -> None:
        """Learn the fingerprints of a site ``declog build`` just wrote from ``checked``'s log.

        ``bodies`` are the Markdown bodies that build rendered (``BuildResult.bodies``).
        """
        try:
            plan = self._plan(lambda: False, trust_output=True, checked=checked, full_look=True)
            if isinstance(plan, _Plan):
                self.bodies.update(bodies or {})
                self._done(plan, 0, stat_all=True)
        finally:
            gc.unfreeze()

    def warm(self) -> None:
        """Prepare what the first rebuild after ``prime`` would otherwise make (a server's idle moment).

        Which documents each kept view holds, decisions.json's entries, and
        the list items and deadlines the theme reuses from page to page.
        """
        kept = self.kept
        if kept is None:
            return
        views = kept.views
        for name in PROJECTIONS:
            kept.rebinder.holds(getattr(views, name))
        feeds.database_parts(views, self.parts)
        for d in views.log.decisions:
            kept.theme.item(d)
        for a in (*views.board.attention, *views.board.upcoming):
            kept.theme.attention(a)
        for pid, pv in views.partners.items():
            for a in pv.awaiting:
                kept.theme.attention(a, pid)

    # --- what to render ----------------------------------------------------------------------

    def _plan(
        self,
        cancelled: Callable[[], bool],
        *,
        trust_output: bool,
        changed: Collection[str] | None = None,
        checked: CheckResult | None = None,
        full_look: bool = False,
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
        now = as_of(log, self.now or clock.current(), self._head(self.root))
        key = self._key(checked, log, now)
        known, kept = self.known, self.kept
        text_only = (
            not full_look and known is not None and known.key == key and (self.out / urls.HOME).is_file()
        )
        if text_only and kept is not None:
            before = kept.views.log.by_path
            edited = {p: d for p, d in log.by_path.items() if before.get(p) is not d}
            rebinder, markdown = kept.rebinder, kept.markdown
            views = kept.views.carry(log, lambda value: rebinder(value, edited))
        else:
            shapes, records = self.checker.shapes, known.records if known is not None else {}
            edited = {p: d for p, d in log.by_path.items() if records.get(p) != shapes.record(d)}
            rebinder, markdown = Rebinder(), Markdown(pages.log_targets(log))
            views = Views(log, now, hist)
        theme, theme_key, templates = self._theme(views)
        result.findings += theme.load_all() if kept is None or kept.theme is not theme else []
        if failed(result.findings, self.strict):
            return result
        if kept is None or kept.markdown.targets != markdown.targets:
            self.bodies = {}
        json_key = self._json_key(log)
        if kept is None or kept.json_key != json_key:
            self.parts.clear()
        state = _State(theme, views, InPlace(self.out), markdown, bodies=self.bodies, parts=self.parts)
        if text_only:
            assert known is not None
            state.jobs = pages.plan(state)
            plan = self._text_only(result, state, known, edited, templates, trust_output)
        else:
            state.placeholders = True
            state.jobs = pages.plan(state)
            plan = self._full_look(result, state, templates, cancelled, trust_output)
            state.placeholders = False
        plan.key, plan.edited = key, edited
        plan.kept = _Kept(views, rebinder, theme, theme_key, markdown, json_key)
        result.pages = sum(job.path.endswith(".html") for job in state.jobs)
        result.rendered = len(plan.todo)
        return plan

    def _text_only(
        self,
        result: Update,
        state: _State,
        known: Known,
        edited: Mapping[str, Document],
        templates: dict[str, bytes],
        trust_output: bool,
    ) -> _Plan:
        """Only documents' text changed: the pages showing an edited one, and those of changed templates."""
        affected = {page for path in edited for page in known.shows.get(path, ())}
        names = templates.keys() | known.templates.keys()
        retemplated = {name for name in names if templates.get(name) != known.templates.get(name)}
        prints = dict(known.prints)
        todo = []
        for job in state.jobs:
            if (
                job.path in affected
                or job.template in retemplated
                or job.path not in known.prints
                or not (trust_output or _intact(self.out, job.path, known.manifest))
                or (job.source is not None and not _copied(job.source, self.out / job.path))
            ):
                todo.append(job)
                prints[job.path] = b""  # rendered without a fingerprint: the next full look renders it again
        if len(prints) != len(state.jobs):  # the same shape gives the same pages, but be sure
            planned = {job.path for job in state.jobs}
            prints = {path: print_ for path, print_ in prints.items() if path in planned}
        result.text_only = True
        return _Plan(result, state, prints, None, todo, templates)

    def _full_look(
        self,
        result: Update,
        state: _State,
        templates: dict[str, bytes],
        cancelled: Callable[[], bool],
        trust_output: bool,
    ) -> _Plan:
        """Fingerprint every page; render those whose fingerprint changed. Learns what each page shows."""
        known = self.known
        log = state.views.log
        if len(self.lasting) > 8 * len(log.by_path) + 10_000:
            self.lasting = {}  # the parts of records long replaced
        printer = Printer(self.checker.shapes, self.lasting)
        common = printer((__version__, state.theme.site, log.config, log.partners))
        links = printer(state.markdown.targets)  # what a Markdown body's HTML depends on besides its text
        full = known is None or not (self.out / urls.HOME).is_file()
        old, manifest = (known.prints, known.manifest) if known is not None else ({}, {})
        prints: dict[str, bytes] = {}
        shows: dict[str, list[str]] = {}
        todo: list[pages.Job] = []
        for n, job in enumerate(state.jobs):
            if n % _CHECK_EVERY == 0 and cancelled():
                raise Abandoned
            state.used_body = False
            printer.shows = []
            if job.produce is not None:
                inputs = printer(job.produce)
            else:
                inputs = templates.get(job.template, b"") + printer(job.context())
            if state.used_body:
                inputs += links
            prints[job.path] = printer((common, job.path, job.template, inputs))
            for path in set(printer.shows):
                shows.setdefault(path, []).append(job.path)
            if (
                full
                or old.get(job.path) != prints[job.path]
                or not (trust_output or _intact(self.out, job.path, manifest))
            ):
                todo.append(job)
        result.full = full
        return _Plan(result, state, prints, {k: tuple(v) for k, v in shows.items()}, todo, templates)

    # --- what every page sees ------------------------------------------------------------------

    def _key(self, checked: CheckResult, log: Log, now: dt.datetime) -> bytes:
        """The log's shape and settings, the time, git's history and this build's options."""
        shape = checked.shape or self.checker.shapes.log(log, self.checker.settings)
        head = self._history[0] if self._history is not None else ""
        options = repr((__version__, now, self.site_url, self.search, head)).encode()
        return hashlib.blake2b(shape + options, digest_size=16).digest()

    def _theme(self, views: Views) -> tuple[Theme, bytes, dict[str, bytes]]:
        """The kept theme (and its rendered list items) while partners, settings, time and templates
        stay the same, else a new one; with its key and the digests of its templates."""
        options = repr((self.checker.settings, views.now, self.search)).encode()
        key = hashlib.blake2b(self._partners(views.log) + options, digest_size=16).digest()
        kept = self.kept
        if kept is not None and kept.theme_key == key and self.known is not None:
            theme = kept.theme
            if theme.dirs == theme.search_path():
                digests = self.templates.digests(theme)
                if digests == self.known.templates:
                    return theme, key, digests
        theme = theme_for(self.root, views, search=self.search)
        theme.env.bytecode_cache = self.compiled
        return theme, key, self.templates.digests(theme)

    def _json_key(self, log: Log) -> bytes:
        """What every decisions.json entry depends on besides its decision: settings, partners."""
        return hashlib.blake2b(self._partners(log) + self.checker.settings, digest_size=16).digest()

    def _partners(self, log: Log) -> bytes:
        """The records of the partners, which every page sees (theme) and every entry counts with."""
        return b"".join(self.checker.shapes.record(p) for p in log.partners.values())

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

    def _done(self, plan: _Plan, changed: int | None, *, stat_all: bool = False) -> Update:
        result = plan.result
        if changed is None:
            result.seconds = 0.0
            return result
        result.changed = changed
        known, log = self.known, plan.state.views.log
        shows = plan.shows if plan.shows is not None or known is None else known.shows
        records = dict(known.records) if known is not None else {}
        records.update((path, self.checker.shapes.record(d)) for path, d in plan.edited.items())
        if len(records) != len(log.by_path):  # documents were removed
            records = {path: digest for path, digest in records.items() if path in log.by_path}
        if stat_all or known is None or result.full:
            manifest = {rel: _stat(self.out / rel) for rel in plan.prints}
        else:
            manifest = dict(known.manifest)
            for job in plan.todo:
                manifest[job.path] = _stat(self.out / job.path)
            if len(manifest) != len(plan.prints):  # pages came or went
                manifest = {rel: manifest.get(rel, (-1, -1)) for rel in plan.prints}
        self.known = Known(
            plan.key, plan.templates, plan.prints, shows or {}, records, manifest, self._history
        )
        self.kept = plan.kept
        self.bodies.update(plan.state.rendered_bodies)
        if len(self.bodies) > len(log.by_path):
            self.bodies = {k: v for k, v in self.bodies.items() if k in log.by_path}
        plan.state.theme.keep(log.decisions)
        result.built = True
        result.seconds = time.perf_counter() - result.seconds
        return result

    def _render(self, plan: _Plan, job: pages.Job) -> Data:
        if job.produce is not None:
            return job.produce()
        return plan.state.theme.render(job.template, job.path, **job.context()).encode("utf-8")

    def _stage(self, plan: _Plan, staging: Staging, job: pages.Job) -> bool | None:
        """Render ``job`` into ``staging``: whether its bytes changed, or None on a template error.

        On a template error the finding is recorded and the staging aborted.
        """
        try:
            data = self._render(plan, job)
        except TemplateProblem as exc:
            plan.result.findings.append(exc.diagnostic)
            staging.abort()
            return None
        return staging.write(job.path, data)

    def _write_all(self, plan: _Plan, cancelled: Callable[[], bool]) -> int | None:
        """Render everything into a staging folder and swap it in, as ``declog build`` does."""
        staging = Staging(self.out)
        changed = 0
        try:
            for n, job in enumerate(plan.todo):
                if n % _CHECK_EVERY == 0 and cancelled():
                    raise Abandoned
                wrote = self._stage(plan, staging, job)
                if wrote is None:
                    return None
                changed += wrote
            if cancelled():
                raise Abandoned
            staging.commit()
        except BaseException:
            staging.abort()
            raise
        return changed

    def _write_some(
        self, plan: _Plan, cancelled: Callable[[], bool], progress: Progress = silent
    ) -> int | None:
        """Render the affected pages and replace the files that changed (none on a template error)."""
        writer = InPlace(self.out)
        problems: list[Diagnostic] = []
        changed = 0
        try:
            for n, job in enumerate(plan.todo):
                if n % _CHECK_EVERY == 0:
                    if cancelled():
                        raise Abandoned
                    progress(RENDER, n, len(plan.todo))
                try:
                    data = self._render(plan, job)
                except TemplateProblem as exc:
                    problems.append(exc.diagnostic)  # render on: every broken template is reported
                    continue
                if not problems:
                    changed += writer.write(job.path, data)
            if problems:
                plan.result.findings += pages.unique(problems)
                writer.abort()
                return None
            if cancelled():
                raise Abandoned
            writer.commit()
        except BaseException:
            writer.abort()
            raise
        for gone in sorted(set(self.known.prints if self.known else ()) - plan.prints.keys()):
            writer.remove(gone)
            plan.result.removed += 1
        return changed

    def _write_staged(self, plan: _Plan, binary: Path, progress: Progress = silent) -> int | None:
        """Unchanged files linked from the previous site, the rest rendered; search index; swap."""
        todo = {job.path for job in plan.todo}
        staging = Staging(self.out)
        changed = 0
        try:
            for n, job in enumerate(plan.state.jobs):
                if n % _CHECK_EVERY == 0:
                    progress(RENDER, n, len(plan.state.jobs))
                if job.path not in todo and staging.keep(job.path):
                    continue
                wrote = self._stage(plan, staging, job)
                if wrote is None:
                    return None
                changed += wrote
            progress(INDEX, 0, 0)
            plan.result.findings += search.index(staging.dir, binary)
            if failed(plan.result.findings, self.strict):
                staging.abort()
                return None
            staging.commit()
        except BaseException:
            staging.abort()
            raise
        plan.result.removed = len(set(self.known.prints if self.known else ()) - plan.prints.keys())
        return changed


def _stat(path: Path) -> tuple[int, int]:
    try:
        st = path.stat()
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
    return known is not None and known[0] >= 0 and _stat(out / rel) == tuple(known)
