"""The one load-and-check path that ``declog check`` and ``declog build`` share."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from declog import git
from declog.codes import finding
from declog.config import Config, load_config
from declog.diagnostics import Diagnostic, Pos, Severity
from declog.load import CONTENT, ParseMemo, build_log, kind_of, paused_gc, scan
from declog.model import Log
from declog.rules import run_rules
from declog.rules.context import Context
from declog.rules.history import touched


class BaseRevisionError(Exception):
    """``--base`` names a revision that cannot be read."""


@dataclass
class CheckResult:
    log: Log | None
    """The loaded log; None when the configuration could not be read."""
    findings: list[Diagnostic] = field(default_factory=list)
    config_failed: bool = False
    """declog.toml is missing or invalid: nothing else was checked."""
    touched: list[str] = field(default_factory=list)
    """With ``--base``: ids of the decisions the change adds or edits."""

    @property
    def errors(self) -> int:
        return sum(1 for d in self.findings if d.severity is Severity.ERROR)

    @property
    def warnings(self) -> int:
        return sum(1 for d in self.findings if d.severity is Severity.WARNING)

    def failed(self, strict: bool = False) -> bool:
        return self.errors > 0 or (strict and self.warnings > 0)


def load_and_check(
    root: Path, *, paths: Sequence[str] = (), base: str | None = None, memo: ParseMemo | None = None
) -> CheckResult:
    """Load the whole log, run every rule, and keep the findings about ``paths``.

    ``paths`` are relative to ``root`` (POSIX); empty means everything. With
    ``base`` (a git revision) the rules that compare against it run too.
    ``memo`` lets a long-running caller reuse documents whose bytes did not change.
    """
    with paused_gc():
        return _load_and_check(root, paths, base, memo)


def _load_and_check(
    root: Path, paths: Sequence[str], base: str | None, memo: ParseMemo | None
) -> CheckResult:
    config, found = load_config(root)
    if config is None:
        return CheckResult(None, _unique(found), config_failed=True)
    files, stray = scan(root)
    in_repo = git.is_repo(root)
    added = git.first_added(root) if in_repo else {}
    log, problems = build_log(str(root), config, files, added, memo)
    base_log = tip_log = None
    if base is not None:
        try:
            base_files = git.files_at(root, base)
            fork = git.fork_point(root, base)
            fork_files = git.files_at(root, fork) if fork else None
        except git.GitError as exc:
            raise BaseRevisionError(f"cannot read base revision '{base}': {exc}") from None
        base_log, _ = build_log(str(root), config, base_files)
        if fork_files is not None:
            tip_log = base_log
            base_log, _ = build_log(str(root), config, fork_files)
    found += stray + problems + run_rules(Context(log, base_log, tip_log))
    found = apply_rule_settings(found, config, log)
    if paths:
        found = _select(found, paths, root) + _named_problems(paths, root)
    changed = [d.id for d in touched(base_log, log)] if base_log is not None else []
    return CheckResult(log, _unique(found), touched=changed)


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


def _select(found: list[Diagnostic], paths: Sequence[str], root: Path) -> list[Diagnostic]:
    wanted = [p.rstrip("/") for p in paths]
    return [
        d for d in found if any(d.path == p or d.path.startswith(p + "/") or p in ("", ".") for p in wanted)
    ]


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


def _unique(found: list[Diagnostic]) -> list[Diagnostic]:
    return sorted(set(found), key=lambda d: d.sort_key)
