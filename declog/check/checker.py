"""The one load-and-check path that ``declog check`` and ``declog build`` share."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import os
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from declog import __version__
from declog.check import ready, trust, warm
from declog.check.rerun import Ruled, every_rule, inputs_of, rerun
from declog.check.rules import cascade, run_rules
from declog.check.rules.context import Context, OwnersFile
from declog.check.rules.history import touched
from declog.check.rules.owners import LOCATIONS as OWNERS_LOCATIONS
from declog.check.shape import Shapes
from declog.log import clock, git, kept
from declog.log.codes import finding
from declog.log.config import CONFIG_FILE, Config, config_from_bytes, load_config
from declog.log.customfields import Fields
from declog.log.diagnostics import Diagnostic, Pos, Severity
from declog.log.load import (
    CONTENT,
    Front,
    LoadMemo,
    build_log,
    kind_of,
    patch_log,
    paused_gc,
    read_file,
    scan,
    through_link,
)
from declog.log.model import Log

if TYPE_CHECKING:
    from concurrent.futures import Future, ProcessPoolExecutor


class BaseRevisionError(Exception):
    """``--base`` names a revision that cannot be read."""


class SnapshotError(ValueError):
    """What ``Checker.restore`` was given is not a snapshot this version of declog wrote."""


#: Bumped whenever what ``Checker.snapshot`` holds changes.
SNAPSHOT_FORMAT = 2


@dataclass
class CheckResult:
    log: Log | None
    """The loaded log; None when the configuration could not be read."""
    findings: list[Diagnostic] = field(default_factory=list)
    config_failed: bool = False
    """declog.toml is missing or invalid: nothing else was checked."""
    touched: list[str] = field(default_factory=list)
    """With ``--base``: ids of the decisions the change adds or edits."""
    shape: bytes = b""
    """From a ``Checker``: the digest of the log's shape and its configuration (declog.check.shape)."""

    @property
    def errors(self) -> int:
        return sum(1 for d in self.findings if d.severity is Severity.ERROR)

    @property
    def warnings(self) -> int:
        return sum(1 for d in self.findings if d.severity is Severity.WARNING)

    def failed(self, strict: bool = False) -> bool:
        return self.errors > 0 or (strict and self.warnings > 0)


def load_and_check(
    root: Path, *, paths: Sequence[str] = (), base: str | None = None, now: dt.datetime | None = None
) -> CheckResult:
    """Load the whole log, run every rule, and keep the findings about ``paths``.

    ``paths`` are relative to ``root`` (POSIX); empty means everything. With
    ``base`` (a git revision) the rules that compare against it run too. With
    ``now``, also the notes on where proposals stand at that moment (DL322,
    ``declog.check.ready``) for the decisions without errors.
    """
    with paused_gc():
        return _load_and_check(root, paths, base, now)


def _load_and_check(
    root: Path, paths: Sequence[str], base: str | None, now: dt.datetime | None
) -> CheckResult:
    config, found = load_config(root)
    if config is None:
        return CheckResult(None, _unique(found), config_failed=True)
    files, stray = scan(root)
    in_repo = git.is_repo(root)
    added = git.first_added(root) if in_repo else {}
    base_log = tip_log = None
    judged: BaseRead | None = None
    own = config
    if base is not None:
        try:
            base_files = git.files_at(root, base)
            judged = read_base(root, base, config, clock.current())
            fork_files = git.files_at(root, judged.fork) if judged.fork else None
        except git.GitError as exc:
            raise BaseRevisionError(f"cannot read base revision '{base}': {exc}") from None
        config = judged.config
        base_log, _ = build_log(str(root), config, base_files)
        if fork_files is not None:
            tip_log = base_log
            base_log, _ = build_log(str(root), config, fork_files)
    log, problems = build_log(str(root), config, files, added)
    visible = judged.visible if judged is not None else {}
    owners = read_owners(root)
    found += stray + problems + run_rules(Context(log, base_log, tip_log, visible=visible, owners=owners))
    if judged is not None:
        changes = judged.governance(base_log, log, own)
        found += [_governance(c) for c in changes]
        real_root = root.resolve()
        found += [_linked(c) for c in changes if through_link(real_root, c.path) is not None]
    folded = cascade.fold(apply_rule_settings(found, config, log), log)
    found = folded.found
    if now is not None:  # "ready" only where nothing is wrong with the decision
        broken = {d.path for d in found if d.severity is Severity.ERROR}
        notes = [n for n in ready.dl322_ready_to_accept(log, now) if n.path not in broken]
        found += apply_rule_settings(notes, config, log)
    if paths:
        found = _select(found, paths, folded.held) + _named_problems(paths, root)
    changed = [d.id for d in touched(base_log, log)] if base_log is not None else []
    return CheckResult(log, _unique(found, first=folded.held.keys()), touched=changed)


def read_owners(root: Path) -> OwnersFile | None:
    """The CODEOWNERS file GitHub would use, when the log's root has one (read as documents are)."""
    real_root = root.resolve()
    for rel in OWNERS_LOCATIONS:
        if os.path.lexists(root / rel):
            raw = read_file(real_root, rel)
            # One that cannot be read (a symlink out of the log, say) is not checked.
            return OwnersFile(rel, raw.data.decode("utf-8", "replace")) if raw.data is not None else None
    return None


@dataclass(frozen=True)
class BaseRead:
    """A change as the base branch judges it, read from git once (``read_base``)."""

    fork: str | None
    """Where HEAD forked from the base, when the base moved on since; None: the base itself."""
    settings: Config | None
    """declog.toml where the change started (None when it had none or it was unusable)."""
    config: Config
    """The change's own settings with the base's ``[workflow]``, ``[rules]`` and ``[fields]``: what
    judges it."""
    decisions: tuple[str, ...]
    """Decision files the change adds, edits or deletes (relative to the log's root)."""
    anywhere: tuple[str, ...]
    """Every file the change touches, relative to the repository's top."""
    prefix: str
    """The log root's folder inside the repository."""
    visible: Mapping[str, dt.datetime]
    """Decision path -> when the change first made it visible (its branch's oldest commit, or now)."""

    def governance(self, base: Log | None, now: Log, own: Config) -> list[trust.Change]:
        """The governance changes among the touched files (``own``: the change's declog.toml)."""
        return trust.changes(self.anywhere, self.prefix, base, now, settings=(self.settings, own))


def read_base(root: Path, base: str, config: Config, now: dt.datetime) -> BaseRead:
    """What judges the change HEAD (and the work tree) makes to ``base``; GitError when unreadable."""
    fork = git.fork_point(root, base)
    settings = config_at(root, fork or base)
    judge = config
    if settings is not None:
        judge = dataclasses.replace(
            config, workflow=settings.workflow, rules=settings.rules, fields=settings.fields
        )
    decisions = git.changed_files(root, base)
    touches = git.branch_touches(root, base)
    return BaseRead(
        fork=fork,
        settings=settings,
        config=judge,
        decisions=tuple(decisions),
        anywhere=tuple(git.changed_anywhere(root, base)),
        prefix=git.repo_prefix(root),
        visible={p: touches.get(p, now) for p in decisions},
    )


def config_at(root: Path, ref: str) -> Config | None:
    """declog.toml as it was at ``ref``; None when it had none or it was unusable.

    The base judges a change: its workflow rules and rule settings apply to
    the change, and a change to them takes effect only once merged.
    """
    raw = git.file_at(root, ref, CONFIG_FILE)
    return config_from_bytes(raw)[0] if raw is not None else None


def _governance(change: trust.Change) -> Diagnostic:
    if change.approvers is not None:  # a meeting record: those present confirm it
        who = f"{_and(sorted(change.approvers))}, present at it,"
        hint = "a meeting record is evidence for the decisions it lists; those present confirm it"
    else:
        who = f"every partner, {change.partner} included," if change.partner else "every partner"
        hint = "it takes effect once merged; until then the base branch's rules judge this change"
    message = f"governance change ({change.what}): {who} must approve this pull request"
    return finding("DL407", change.path, Pos(1, 1), message, hint)


def _linked(change: trust.Change) -> Diagnostic:
    return finding(
        "DL001",
        change.path,
        Pos(1, 1),
        "is a symlink (or in a linked folder); refused: a file that judges pull requests is judged by "
        "its own content, never through a link",
        "replace the link with the file itself",
    )


def _and(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


@dataclass(frozen=True)
class _Run:
    """What a ``Checker`` run found, kept for the next one (findings before ``[rules]`` is applied)."""

    log: Log
    shape: bytes
    total: int
    """``Shapes.total`` of its documents."""
    stray: list[Diagnostic]
    settings: list[Diagnostic]
    """Findings about declog.toml."""
    ruled: Ruled


class Checker:
    """``load_and_check`` over the same log again and again, redoing only what changed.

    Kept between runs: the files as read (one whose size, times and inode are
    unchanged is not read again, unless ``check`` is told it changed), their
    records (the same objects while a file's bytes stay the same), what git
    says (while HEAD stays the same), and each rule's findings. A rule runs
    again over the documents that changed, and over every document only when
    what it declares it reads changed (declog.check.rerun). ``snapshot`` and
    ``restore`` carry the parsed documents to another process (``declog
    build``'s cache).
    """

    def __init__(self, root: Path, *, keep_bytes: bool = True) -> None:
        """``keep_bytes``: keep the files' bytes for the next check (``LoadMemo.keep_bytes``)."""
        self.root = root
        self.memo = LoadMemo(keep_bytes=keep_bytes)
        self.shapes = Shapes()
        self.settings = b""
        """Digest of declog.toml as the last run read it."""
        self.head: str | None = None
        """HEAD's sha as the last run saw it (``git.head``)."""
        self._added: tuple[str | None, Mapping[str, dt.datetime]] | None = None
        self.owners: OwnersFile | None = None
        """CODEOWNERS as the last full run read it."""
        self._last: _Run | None = None
        self.reran: Mapping[str, frozenset[str] | None] = {}
        """Rule code -> the documents the last run ran the rule for (None: the whole log)."""
        self._restored: warm.Kept | None = None
        """From ``restore``: declog.toml's digest, the parsed files and the rules' findings, for the next
        full run."""
        self._encoded: dict[str, tuple[Front, list[Any]]] = {}
        """Path -> a ``Front`` and its JSON values (declog.log.kept), so ``snapshot`` encodes each once."""
        self._ahead: tuple[bytes, Callable[[], Iterable[tuple[str, bytes, list[Any]]]]] | None = None
        """From ``ahead``: declog.toml's digest and the files parsed meanwhile under it."""

    def settings_ahead(self) -> tuple[bytes, Fields] | None:
        """declog.toml's digest and ``[fields]``, for parsing the files in other processes ahead of the
        next run (``ahead``); None when that run starts from a snapshot (``restore``) or declog.toml
        does not load. Both come from one reading of the file."""
        raw = read_file(self.root.resolve(), CONFIG_FILE) if self._restored is None else None
        if raw is None or raw.data is None:
            return None
        config = config_from_bytes(raw.data)[0]
        return (_hash(raw.data), config.fields) if config is not None else None

    def ahead(self, settings: bytes, parsed: Callable[[], Iterable[tuple[str, bytes, list[Any]]]]) -> None:
        """Files being parsed in processes this one forked, under declog.toml's digest ``settings``
        (``settings_ahead``).

        The next full run, once it has read the files, takes what ``parsed()``
        gives (``kept.parse``'s path, digest of the bytes and encoded ``Front``;
        it may wait for them) as it takes a snapshot's: for the files whose
        bytes have that digest, and only while declog.toml still has that
        digest. What parsing gives depends on nothing else, so the records and
        findings are the ones parsing the files here gives.
        """
        self._ahead = (settings, parsed)

    def _fronts_ahead(self, parsed: Iterable[tuple[str, bytes, list[Any]]]) -> dict[str, tuple[bytes, Front]]:
        fronts = {}
        for path, digest, value in parsed:
            front = kept.decode(value, path, check=False)  # from a forked worker, never from a file
            fronts[path] = (digest, front)
            self._encoded[path] = (front, value)  # for ``snapshot``
        return fronts

    def snapshot(self) -> dict[str, Any]:
        """The documents as the last run parsed them, as JSON data, for ``restore`` in a later process.

        For each file that made a record: the digest of its bytes, its
        ``Front`` (its frontmatter with every position, what its YAML and fields
        gave; declog.log.kept) and what the check read of it alone (the
        decisions its body refers to, its own shape; declog.check.warm). Nothing
        that depends on other files or on git (``logged`` from history, the
        partners a decision leaves out): those are filled in by each load; only
        the digest of each document's shape, to tell that they changed. Then the
        rules' last findings and what they were read from. declog.toml's digest
        goes with it: under other settings none of it is used.
        """
        files: dict[str, list[Any]] = {}
        encoded: dict[str, tuple[Front, list[Any]]] = {}
        last = self._last
        by_path = last.log.by_path if last is not None else {}
        for path, (_, digest, _, front) in self.memo.parsed.items():
            if front is None or not digest:
                continue
            known = self._encoded.get(path)
            if known is None or known[0] is not front:
                known = (front, kept.encode(front))
            encoded[path] = known
            files[path] = [digest.hex(), known[1], *warm.extras(by_path.get(path), self.shapes)]
        self._encoded = encoded
        return {
            "format": SNAPSHOT_FORMAT,
            "declog": __version__,
            "settings": self.settings.hex(),
            "files": files,
            "ruled": warm.encode_ruled(last.ruled) if last is not None else None,
        }

    def restore(self, data: object) -> None:
        """Start from a ``snapshot``: the next run parses only the files whose bytes it does not hold.

        Entries are used for the files whose bytes have the digest they were
        kept under, and only while declog.toml is the same, so the findings,
        records and pages are the very ones parsing the files gives. The rules'
        findings are used as a rerun uses the last run's (declog.check.rerun).
        Every value is checked as it is read: ``SnapshotError`` says what is
        wrong when ``data`` is not a snapshot this declog wrote, and the
        checker is left as it was.
        """
        if type(data) is not dict or data.keys() != {"format", "declog", "settings", "files", "ruled"}:
            raise SnapshotError("not a snapshot of parsed documents")
        if data["format"] != SNAPSHOT_FORMAT or data["declog"] != __version__:
            raise SnapshotError("a snapshot written by another version of declog")
        settings, files = _digest(data["settings"]), data["files"]
        if type(files) is not dict:
            raise SnapshotError("its files are not a mapping")
        restored: dict[str, tuple[bytes, Front]] = {}
        owns: dict[str, warm.Own] = {}
        encoded: dict[str, tuple[Front, list[Any]]] = {}
        for path, row in files.items():
            if type(path) is not str or kind_of(path) is None or type(row) is not list or len(row) != 5:
                raise SnapshotError(f"not a document's entry: {path!r}")
            try:
                front = kept.decode(row[1], path)
                digest = _digest(row[0])
                owns[path] = warm.read_extras(row[2:], digest, _digest)
            except kept.Malformed as exc:
                raise SnapshotError(f"{path}: {exc}") from None
            restored[path] = (digest, front)
            encoded[path] = (front, row[1])
        try:
            ruled = warm.decode_ruled(data["ruled"], _digest) if data["ruled"] is not None else None
        except kept.Malformed as exc:
            raise SnapshotError(f"the rules' findings: {exc}") from None
        self._restored = warm.Kept(settings, restored, owns, ruled)
        self._encoded = encoded

    def check(
        self, changed: Collection[str] | None = None, *, meanwhile: Callable[[Log], None] | None = None
    ) -> CheckResult:
        """Load and check the log.

        ``changed``, when given, names every file (relative to the root) that
        changed since the last run, e.g. as a watcher saw them: when they are
        all decision files, only they are read again. Otherwise every file is
        looked at (and read again when its size or times differ).

        ``meanwhile(log)`` is called once the log is loaded, before the rules
        have judged it (so on a log that may fail its check; it must not
        raise). When every rule has to run (a first run), they run in a
        process forked for them meanwhile.
        """
        with paused_gc():
            try:
                return self._check(changed, meanwhile)
            except BaseException:
                self._last = None  # half-done: the next run starts from the files alone
                raise

    def _check(self, changed: Collection[str] | None, meanwhile: Callable[[Log], None] | None) -> CheckResult:
        last = self._last
        head = git.head(self.root)
        patched = None
        elsewhere: _Elsewhere | None = None
        patchable = changed is not None and not {CONFIG_FILE, *OWNERS_LOCATIONS} & set(changed)
        if patchable and last is not None and head == self.head:
            patched = patch_log(last.log, self.memo, self.root, changed or (), self._first_added(head))
        if patched is not None:
            assert last is not None
            log, problems, replaced = patched
            stray, settings = last.stray, last.settings
            gone = [doc for path in replaced if (doc := last.log.by_path.get(path)) is not None]
            total = self.shapes.patch(last.total, gone, [doc for doc in replaced.values() if doc is not None])
            changed_docs = frozenset(replaced)
            ruled_before: Ruled | None = last.ruled
        else:
            config, found = load_config(self.root)
            if config is None:
                self._last = None
                return CheckResult(None, _unique(found), config_failed=True)
            self.settings = _digest_of(self.root / CONFIG_FILE)
            restored, self._restored = self._restored, None
            ahead, self._ahead = self._ahead, None
            self.owners = read_owners(self.root)
            files, stray = scan(self.root, self.memo, changed or ())
            if restored is None and ahead is not None and ahead[0] == self.settings:
                restored = warm.Kept(self.settings, self._fronts_ahead(ahead[1]()), {}, None)
            if restored is not None and restored.settings != self.settings:
                restored = None  # parsed with other [fields], checked under other rules: none of it stands
            if restored is not None:
                self.memo.restored = restored.fronts
            log, problems = build_log(str(self.root), config, files, self._first_added(head), self.memo)
            if restored is not None:
                restored.seed(log, self.memo, self.shapes)
            settings = found
            if last is None and restored is not None and restored.ruled is not None:
                ruled_before = restored.ruled
                changed_docs = restored.changed(log, self.memo, self.shapes)
            else:
                ruled_before = last.ruled if last is not None else None
                before = last.log.by_path if last is not None else {}
                changed_docs = frozenset(p for p, doc in log.by_path.items() if before.get(p) is not doc)
                changed_docs |= before.keys() - log.by_path.keys()
            if meanwhile is not None and ruled_before is None:  # every rule runs: elsewhere, meanwhile
                elsewhere = _Elsewhere.start(log, self.owners)
            total = self.shapes.total(log.by_path.values())
        self.head = head
        try:
            # CODEOWNERS counts as a setting here: a change to it re-runs the rules over the whole log.
            owners = _hash(self.owners.text.encode()) if self.owners is not None else b""
            shape = self.shapes.log(log, self.settings + owners, total=total)
            inputs = inputs_of(log, self.shapes, config=self.settings, owners=owners)
            if meanwhile is not None:
                meanwhile(log)
            ruled = rerun(
                log,
                ruled_before,
                shape=shape,
                inputs=inputs,
                changed=changed_docs,
                owners=self.owners,
                every=elsewhere.found() if elsewhere is not None else None,
            )
        finally:
            if elsewhere is not None:
                elsewhere.close()
        self.reran = ruled.ran
        self._last = _Run(log, shape, total, stray, settings, ruled)
        if patched is None:
            self.shapes.keep(log.by_path.values())
        else:
            self.shapes.forget(gone)
        found = [*settings, *stray, *problems, *ruled.all()]
        folded = cascade.fold(apply_rule_settings(found, log.config, log), log)
        return CheckResult(log, _unique(folded.found, first=folded.held.keys()), shape=shape)

    def _first_added(self, head: str | None) -> Mapping[str, dt.datetime]:
        """git's first-commit time of every decision file, read again only when HEAD moves."""
        if self._added is None or self._added[0] != head or not head:
            self._added = (head, git.first_added(self.root) if head is not None else {})
        return self._added[1]


_Found = tuple[tuple[Diagnostic, ...], ...]

#: The log that the process ``_Elsewhere.start`` forks checks: set only while it forks.
_to_rule: tuple[Log, OwnersFile | None] | None = None


def _every_rule_forked() -> _Found:
    assert _to_rule is not None
    return every_rule(*_to_rule)


class _Elsewhere:
    """Every rule run over a log in a process forked from this one, which inherits the log instead of
    being sent it (``start``; None where processes cannot be forked)."""

    def __init__(
        self, log: Log, owners: OwnersFile | None, executor: ProcessPoolExecutor, future: Future[_Found]
    ) -> None:
        self.log, self.owners, self.executor, self.future = log, owners, executor, future

    @classmethod
    def start(cls, log: Log, owners: OwnersFile | None) -> _Elsewhere | None:
        global _to_rule
        import multiprocessing  # here: ``declog check`` alone never forks
        from concurrent.futures import ProcessPoolExecutor

        if "fork" not in multiprocessing.get_all_start_methods():
            return None
        executor = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork"))
        _to_rule = (log, owners)
        try:
            return cls(log, owners, executor, executor.submit(_every_rule_forked))  # forks now: its own copy
        except Exception:
            executor.shutdown(wait=True, cancel_futures=True)
            return None
        finally:
            _to_rule = None

    def found(self) -> _Found:
        """The findings, waited for. Should the process fail in any way (killed, a rule that raises),
        the rules run here instead, where a rule's error is raised as usual."""
        try:
            return self.future.result()
        except Exception:
            return every_rule(self.log, self.owners)
        finally:
            self.close()

    def close(self) -> None:
        self.executor.shutdown(wait=True, cancel_futures=True)


def _digest(value: object) -> bytes:
    """A digest as a snapshot writes it (hex); ``SnapshotError`` for anything else."""
    if type(value) is not str or len(value) > 128:
        raise SnapshotError("a digest is not hex")
    try:
        digest = bytes.fromhex(value)
    except ValueError:
        digest = b""
    if len(digest) * 2 != len(value):  # fromhex takes spaces too
        raise SnapshotError("a digest is not hex")
    return digest


def _digest_of(path: Path) -> bytes:
    raw = read_file(path.parent.resolve(), path.name)  # a regular file inside the root, or nothing
    return _hash(raw.data) if raw.data is not None else b""


def _hash(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=16).digest()


def apply_rule_settings(found: list[Diagnostic], config: Config, log: Log) -> list[Diagnostic]:
    """Apply ``[rules]`` from declog.toml: change severities, turn rules off, honour ``since``."""
    if not config.rules:
        return found
    by_path = {d.path: d for d in log.decisions}
    out = []
    for d in found:
        setting = config.rules.get(d.code)
        if setting is None:
            out.append(d)
            continue
        if setting.severity == "off":
            continue
        decision = by_path.get(d.path)
        when = decision and (decision.proposed or decision.decided or decision.logged)
        if setting.since and when and when.date() < setting.since:
            continue
        out.append(dataclasses.replace(d, severity=Severity(setting.severity)))
    return out


def _select(
    found: list[Diagnostic], paths: Sequence[str], held: Mapping[str, list[Diagnostic]]
) -> list[Diagnostic]:
    """The findings about ``paths``, and about the unparsed files that findings about them wait for."""
    wanted = [p.rstrip("/") for p in paths]

    def named(path: str) -> bool:
        return any(path == p or path.startswith(p + "/") or p in ("", ".") for p in wanted)

    causes = {cause for cause, behind in held.items() if any(named(d.path) for d in behind)}
    return [d for d in found if named(d.path) or d.path in causes]


def _named_problems(paths: Sequence[str], root: Path) -> list[Diagnostic]:
    out = []
    for p in paths:
        target = root / p
        if not target.exists() and not target.is_symlink():
            out.append(finding("DL001", p, Pos(1, 1), "no such file or folder"))
        elif target.is_file() and p != "declog.toml" and kind_of(p) is None:
            out.append(
                finding(
                    "DL012",
                    p,
                    Pos(1, 1),
                    f"not a document of the log (documents live in {CONTENT}/decisions, "
                    f"{CONTENT}/partners and {CONTENT}/meetings)",
                )
            )
    return out


def _unique(found: list[Diagnostic], first: Collection[str] = ()) -> list[Diagnostic]:
    """Each finding once, in order; the files in ``first`` (documents others wait for) lead."""
    return sorted(set(found), key=lambda d: (d.path not in first, d.sort_key))
