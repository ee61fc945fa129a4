"""Rebuild only the pages a change affects, with the bytes a full build would give.

The page list is ``pages.plan``'s, the same list ``declog build`` renders. Each
page gets a fingerprint of everything its bytes can depend on: the value of its
context (every field of every record reachable from it, so a decision's page
depends on the decisions it links to, a timeline page on the decisions it
lists), the source of its template and of the templates that one includes or
extends, and what every page sees (the site's settings, the partners, the
"as of" time, declog's version). A page whose fingerprint is unchanged is not
rendered again. A value the fingerprint does not understand gets a fresh random
fingerprint, so an unknown input means "render again", never "skip".
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import functools
import gc
import hashlib
import os
import time
import types
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePath
from typing import Any, TypeGuard

import jinja2
import jinja2.bccache
import jinja2.meta
from markupsafe import Markup

from declog import __version__, git, history, pages, search
from declog.build import _failed, _theme, _with_site_url, reference_time
from declog.check import CheckResult, load_and_check
from declog.diagnostics import Diagnostic
from declog.load import ParseMemo
from declog.markdown import Markdown, Targets
from declog.model import Document
from declog.render import TemplateProblem, Theme
from declog.views import Views
from declog.writer import InPlace, Staging, check_output
from declog.yamlparse import Parsed

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
    seconds: float = 0.0


# --- fingerprints ---------------------------------------------------------------------


class _Printer:
    """Digests of values, each record digested once per rebuild (records are shared by many pages)."""

    def __init__(self) -> None:
        self.memo: dict[int, tuple[object, bytes]] = {}
        self.fields: dict[type, tuple[str, ...]] = {}

    def __call__(self, obj: object) -> bytes:
        parts: list[bytes] = []
        self._feed(parts, obj)
        return hashlib.blake2b(b"".join(parts), digest_size=16).digest()

    def _feed(self, parts: list[bytes], obj: object) -> None:
        kind = type(obj)
        if isinstance(obj, str):  # Markup renders differently from str: the type counts
            tag = b"s" if kind is str else kind.__qualname__.encode()
            parts += (tag, b"%d:" % len(obj), obj.encode("utf-8", "surrogatepass"))
        elif obj is None or kind is bool or kind is int or kind is float:
            parts.append(b"%s%r;" % (kind.__name__.encode(), obj))
        elif isinstance(obj, bytes):
            parts += (b"b%d:" % len(obj), obj)
        elif isinstance(obj, enum.Enum | dt.date | dt.time | dt.timedelta | dt.tzinfo):
            parts.append(repr(obj).encode())
        else:
            parts.append(self._composite(obj))

    def _composite(self, obj: object) -> bytes:
        known = self.memo.get(id(obj))
        if known is not None:
            return known[1]
        parts: list[bytes] = [type(obj).__qualname__.encode()]
        if isinstance(obj, tuple | list):
            parts.append(b"%d[" % len(obj))
            for item in obj:
                self._feed(parts, item)
        elif isinstance(obj, Mapping):
            parts.append(b"%d{" % len(obj))
            for key, value in obj.items():  # in order: templates show mappings in order
                self._feed(parts, key)
                self._feed(parts, value)
        elif isinstance(obj, set | frozenset):
            parts += sorted(self(item) for item in obj)
        elif isinstance(obj, Parsed):
            parts.append(repr(obj.data).encode("utf-8", "surrogatepass"))  # positions serve findings only
        elif dataclasses.is_dataclass(obj) and not isinstance(obj, type):
            names = self.fields.get(type(obj))
            if names is None:
                names = self.fields[type(obj)] = tuple(f.name for f in dataclasses.fields(obj))
            for name in names:
                parts.append(name.encode())
                self._feed(parts, getattr(obj, name))
        elif isinstance(obj, Views):
            for part in (obj.log, obj.now, obj.history):
                self._feed(parts, part)
        elif isinstance(obj, functools.partial):
            parts.append(f"{obj.func.__module__}.{obj.func.__qualname__}".encode())
            cells = getattr(obj.func, "__closure__", None) or ()
            self._feed(parts, [cell.cell_contents for cell in cells])  # what a local function sees
            self._feed(parts, obj.args)
            self._feed(parts, obj.keywords)
        elif _reads_file(obj):
            parts.append(Path(str(obj.__self__)).read_bytes())  # a theme asset: its bytes
        else:
            parts.append(os.urandom(16))  # not understood: always render again
        d = hashlib.blake2b(b"".join(parts), digest_size=16).digest()
        self.memo[id(obj)] = (obj, d)  # keeps obj alive, so its id is not reused meanwhile
        return d


def _reads_file(obj: object) -> TypeGuard[types.MethodType]:
    return (
        isinstance(obj, types.MethodType)
        and isinstance(obj.__self__, PurePath)
        and obj.__name__ == "read_bytes"
    )


def fingerprint(obj: object) -> bytes:
    """A digest of ``obj``'s value (records, mappings, sequences, scalars); random when not understood."""
    return _Printer()(obj)


def template_digests(theme: Theme) -> dict[str, bytes]:
    """Template name -> digest of its source and of every template it includes, imports or extends.

    The shared macros (``macros.html``, used by the ``item`` and ``facet_nav``
    helpers) count for every template; a template naming others by a variable
    depends on all of them.
    """
    env, loader = theme.env, theme.env.loader
    assert loader is not None
    names = sorted(env.list_templates())
    source: dict[str, bytes] = {}
    refs: dict[str, set[str]] = {}
    for name in names:
        try:
            text = loader.get_source(env, name)[0]
            found = jinja2.meta.find_referenced_templates(env.parse(text))
            refs[name] = {"macros.html", *(r if r is not None else "*" for r in found)}
        except (jinja2.TemplateError, OSError, UnicodeDecodeError):
            text, refs[name] = "", {"*"}
        source[name] = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()
    everything = hashlib.blake2b(b"".join(source[n] + n.encode() for n in names), digest_size=16).digest()
    out: dict[str, bytes] = {}
    for name in names:
        seen, todo = set(), [name]
        while todo:
            current = todo.pop()
            if current in seen:
                continue
            seen.add(current)
            todo += refs.get(current, ())
        if "*" in seen:
            out[name] = everything
        else:
            parts = b"".join(n.encode() + source.get(n, b"missing") for n in sorted(seen))
            out[name] = hashlib.blake2b(parts, digest_size=16).digest()
    return out


def head(root: Path) -> str:
    """The HEAD commit's sha ("" outside git): the git-derived data is keyed by it."""
    try:
        return git._git(root, "rev-parse", "--verify", "-q", "HEAD").decode().strip()
    except git.GitError:
        return ""


# --- the incremental site -------------------------------------------------------------


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


class TooMuch(Exception):
    """More pages changed than an incremental build is worth: build from scratch instead."""


@dataclass
class _Plan:
    result: Update
    state: _State
    prints: dict[str, bytes]
    todo: list[pages.Job]
    targets: Targets


#: Output file -> (size, mtime in ns) as last written: a file that differs was touched by someone else.
Manifest = dict[str, tuple[int, int]]


class Incremental:
    """A site kept up to date across rebuilds; each ``update`` renders only what changed.

    Keeps, between rebuilds, one fingerprint per output file, the rendered
    Markdown bodies (reused while the link targets stay the same) and the git
    history (reused while HEAD stays the same); never the log itself.
    ``snapshot`` and ``restore`` carry that knowledge between processes
    (``declog.cache``).
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
        self.prints: dict[str, bytes] | None = None
        self.manifest: Manifest | None = None
        self.bodies: dict[str, tuple[bytes, str]] = {}
        self.targets: Targets | None = None
        self.history: tuple[str, Mapping[str, tuple[history.Commit, ...]]] | None = None
        self.compiled = _CompiledTemplates()
        self.parsed: ParseMemo = {}
        """Documents parsed by the last load: a save re-parses only the files it changed."""

    def snapshot(self) -> dict[str, Any]:
        """What a later process needs to rebuild incrementally (no Markdown bodies: they are large)."""
        return {"prints": self.prints, "manifest": self.manifest, "history": self.history}

    def restore(self, data: Mapping[str, Any]) -> None:
        prints, manifest, hist = data["prints"], data["manifest"], data["history"]
        if not isinstance(prints, dict) or not isinstance(manifest, dict):
            raise TypeError("not a snapshot")
        if hist is not None and not (isinstance(hist, tuple) and isinstance(hist[1], Mapping)):
            raise TypeError("not a snapshot")
        self.prints, self.manifest, self.history = prints, manifest, hist

    def forget(self) -> None:
        """Drop what is known about the output: the next update renders everything."""
        self.prints = self.manifest = self.targets = self.history = None
        self.bodies = {}

    def update(self, cancelled: Callable[[], bool] = lambda: False) -> Update:
        """Check the log and, if it passes, bring the output folder up to date, file by file.

        Raises ``Abandoned`` (before writing anything) when ``cancelled()`` turns
        true, and ``OutputError`` when the output folder cannot be used.
        """
        try:
            plan = self._plan(cancelled, trust_output=True)
            if not isinstance(plan, _Plan):
                return plan
            if plan.result.full:
                changed = self._write_all(plan, cancelled)
            else:
                changed = self._write_some(plan, cancelled)
            return self._done(plan, changed)
        finally:
            # Loading freezes what it built (load.paused_gc), as build does; a process that
            # rebuilds again and again must hand it back, or each rebuild's cycles stay for good.
            gc.unfreeze()

    def rebuild(self, *, binary: Path | None, most: float = 0.5) -> Update:
        """``declog build`` with a warm cache: render what changed into a staging folder, link the rest.

        Files the previous build wrote and someone changed since are rendered
        again. Raises ``TooMuch`` when more than ``most`` of the files must be
        rendered (a full build is faster), before writing anything.
        """
        try:
            plan = self._plan(lambda: False, trust_output=False)
            if not isinstance(plan, _Plan):
                return plan
            if plan.result.full or len(plan.todo) > most * len(plan.state.jobs):
                raise TooMuch
            changed = self._write_staged(plan, binary)
            return self._done(plan, changed)
        finally:
            gc.unfreeze()

    def prime(self, checked: CheckResult) -> None:
        """Learn the fingerprints of a site ``declog build`` just wrote from ``checked``'s log."""
        try:
            plan = self._plan(lambda: False, trust_output=True, checked=checked)
            if isinstance(plan, _Plan):
                self._done(plan, 0)
        finally:
            gc.unfreeze()

    def _plan(
        self, cancelled: Callable[[], bool], *, trust_output: bool, checked: CheckResult | None = None
    ) -> _Plan | Update:
        started = time.perf_counter()
        check_output(self.out, self.root)
        if checked is None:
            checked = load_and_check(self.root, memo=self.parsed)
        result = Update(checked, list(checked.findings))
        result.seconds = started
        if checked.log is None or checked.failed(self.strict):
            return result
        log = _with_site_url(checked.log, self.site_url)
        views = Views(log, self.now or reference_time(self.root, log), self._history())
        theme = _theme(self.root, views, search=self.search)
        theme.env.bytecode_cache = self.compiled
        result.findings += theme.load_all()
        if _failed(result.findings, self.strict):
            return result
        targets = pages.log_targets(log)
        state = _State(theme, views, InPlace(self.out), Markdown(targets), placeholders=True)
        if targets == self.targets:
            state.bodies = self.bodies
        state.jobs = pages.plan(state)
        printer, templates = _Printer(), template_digests(theme)
        common = printer((__version__, theme.site, log.config, log.partners))
        links = printer(targets)  # what a Markdown body's HTML depends on besides its text
        full = self.prints is None or not (self.out / "index.html").is_file()
        old, manifest = self.prints or {}, self.manifest or {}
        prints: dict[str, bytes] = {}
        todo: list[pages.Job] = []
        for n, job in enumerate(state.jobs):
            if n % _CHECK_EVERY == 0 and cancelled():
                raise Abandoned
            state.used_body = False
            if job.produce is not None:
                inputs = printer(job.produce)
            else:
                inputs = templates.get(job.template, b"") + printer(job.context())
            if state.used_body:
                inputs += links
            prints[job.path] = printer((common, job.path, job.template, inputs))
            if (
                full
                or old.get(job.path) != prints[job.path]
                or not (trust_output or _intact(self.out, job.path, manifest))
            ):
                todo.append(job)
        state.placeholders = False
        result.pages = sum(job.path.endswith(".html") for job in state.jobs)
        result.rendered, result.full = len(todo), full
        return _Plan(result, state, prints, todo, targets)

    def _done(self, plan: _Plan, changed: int | None) -> Update:
        result = plan.result
        if changed is None:
            result.seconds = 0.0
            return result
        result.changed = changed
        self.prints, self.targets = plan.prints, plan.targets
        self.bodies = plan.state.rendered_bodies or self.bodies
        self.manifest = {rel: _stat(self.out / rel) for rel in plan.prints}
        result.built = True
        result.seconds = time.perf_counter() - result.seconds
        return result

    def _render(self, state: _State, job: pages.Job) -> bytes:
        if job.produce is not None:
            return job.produce()
        return state.theme.render(job.template, job.path, **job.context()).encode("utf-8")

    def _stage(self, plan: _Plan, staging: Staging, job: pages.Job) -> bool | None:
        """Render ``job`` into ``staging``: whether its bytes changed, or None on a template error.

        On a template error the finding is recorded and the staging aborted.
        """
        try:
            data = self._render(plan.state, job)
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

    def _write_some(self, plan: _Plan, cancelled: Callable[[], bool]) -> int | None:
        """Render the affected pages in memory first, then write them (nothing on a template error)."""
        rendered: list[tuple[str, bytes]] = []
        problems = []
        for n, job in enumerate(plan.todo):
            if n % _CHECK_EVERY == 0 and cancelled():
                raise Abandoned
            try:
                rendered.append((job.path, self._render(plan.state, job)))
            except TemplateProblem as exc:
                problems.append(exc.diagnostic)
        if problems:
            plan.result.findings += pages.unique(problems)
            return None
        if cancelled():
            raise Abandoned
        writer = InPlace(self.out)
        changed = sum(writer.write(path, data) for path, data in rendered)
        for gone in sorted(set(self.prints or ()) - plan.prints.keys()):
            writer.remove(gone)
            plan.result.removed += 1
        return changed

    def _write_staged(self, plan: _Plan, binary: Path | None) -> int | None:
        """Unchanged files linked from the previous site, the rest rendered; search index; swap."""
        todo = {job.path for job in plan.todo}
        staging = Staging(self.out)
        changed = 0
        try:
            for job in plan.state.jobs:
                if job.path not in todo and staging.keep(job.path):
                    continue
                wrote = self._stage(plan, staging, job)
                if wrote is None:
                    return None
                changed += wrote
            if binary is not None:
                plan.result.findings += search.index(staging.dir, binary)
                if _failed(plan.result.findings, self.strict):
                    staging.abort()
                    return None
            staging.commit()
        except BaseException:
            staging.abort()
            raise
        plan.result.removed = len(set(self.prints or ()) - plan.prints.keys())
        return changed

    def _history(self) -> Mapping[str, tuple[history.Commit, ...]]:
        sha = head(self.root)
        if self.history is None or self.history[0] != sha or not sha:
            self.history = (sha, history.file_history(self.root))
        return self.history[1]


def _stat(path: Path) -> tuple[int, int]:
    try:
        st = path.stat()
    except OSError:
        return (-1, -1)
    return (st.st_size, st.st_mtime_ns)


def _intact(out: Path, rel: str, manifest: Manifest) -> bool:
    known = manifest.get(rel)
    return known is not None and known[0] >= 0 and _stat(out / rel) == tuple(known)
