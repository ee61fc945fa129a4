"""``declog import``: bring decisions kept elsewhere (a spreadsheet, an ADR folder) into the log.

Read the source as it is (``csvsource``, ``adr``), plan what it becomes
(``plan``: statuses, dates, people, partners, links, the next merge-safe ids,
and what was imported before), then write only new files, each created
exclusively: nothing already in the log is ever overwritten. Every imported
decision records its origin in ``imported_from``; that makes a second import
of the same source add nothing, and marks the decision as history, which the
rules for new proposals leave alone (``Code.imported``, docs/import.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from declog.authoring.importing import adr, csvsource
from declog.authoring.importing.mapping import MapFile, read_map
from declog.authoring.importing.plan import Plan, plan
from declog.authoring.importing.records import SourceError
from declog.authoring.importing.report import render_report
from declog.authoring.importing.text import check_pattern, clean, one_line
from declog.authoring.scaffold import NewDecision, ScaffoldError, base_ids, write_new
from declog.log.load import CONTENT
from declog.log.model import Log
from declog.log.progress import WRITE, Progress, silent

__all__ = ["Result", "SourceError", "prepare", "render_report", "write"]


@dataclass
class Result:
    plan: Plan
    dry_run: bool = False
    written: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    """(path, why) for files that could not be created."""

    @property
    def complete(self) -> bool:
        """Everything in the source is in the log as the source has it now."""
        return not (self.plan.skipped or self.plan.changed or self.failed)


def prepare(
    fmt: str,
    source: Path,
    log: Log,
    root: Path,
    *,
    map_file: Path | None = None,
    date_format: str = "",
    base: str | None = None,
    progress: Progress = silent,
) -> Plan:
    """What importing ``source`` would do; SourceError for anything the user must fix first.

    ``progress`` hears of the records read and planned.
    """
    name = _check_source(fmt, source, root)
    if date_format:
        try:
            check_pattern(date_format)
        except ValueError as exc:
            raise SourceError(f"--date-format {exc}") from None
    mapping = MapFile()
    if map_file is not None:
        if not map_file.is_file():
            raise SourceError(f"--map {map_file}: no such file")
        mapping = read_map(map_file, str(map_file), log)
    if fmt == "csv":
        found = csvsource.read(source, name, mapping, progress)
    else:
        found = adr.read(fmt, source, name, progress)
        if mapping.columns:
            found.notes.append(f"{mapping.line('columns')}: [columns] is for csv; ignored")
    return plan(
        found,
        log,
        root,
        mapping=mapping,
        date_pattern=date_format,
        base_numbers=base_ids(root, base),
        progress=progress,
    )


def _check_source(fmt: str, source: Path, root: Path) -> str:
    """The source's name as the log records it; SourceError when it cannot be the source."""
    if not source.exists():
        raise SourceError(f"{source}: no such file or folder")
    content = (root / CONTENT).resolve()
    real = source.resolve()
    if real == content or real.is_relative_to(content):
        raise SourceError(
            f"{source}: inside the log's own {CONTENT}/ folder; import from where the records are kept"
        )
    if real == root.resolve():
        raise SourceError(
            f"{source}: the log's own root; name the folder that holds the records (e.g. doc/adr)"
        )
    if not source.is_file() and not source.is_dir():
        raise SourceError(f"{source}: not a regular file or folder")
    if fmt == "csv" and not source.is_file():
        raise SourceError(f"{source}: a csv import reads one file, not a folder")
    if fmt != "csv" and source.is_file() and source.suffix.lower() != ".md":
        raise SourceError(f"{source}: {fmt} records are .md files; name one, or the folder that holds them")
    return one_line(clean(source.name or real.name)[0]) or "source"


def write(root: Path, planned: Plan, *, dry_run: bool = False, progress: Progress = silent) -> Result:
    """Create each new decision file (never over an existing one); with ``dry_run`` nothing.

    ``progress`` hears of the files written.
    """
    result = Result(planned, dry_run=dry_run)
    if dry_run:
        return result
    for at, new in enumerate(planned.new, 1):
        progress(WRITE, at, len(planned.new))
        try:
            write_new(root, NewDecision(new.path, new.text))
        except ScaffoldError as exc:
            result.failed.append((new.path, str(exc)))
        except OSError as exc:
            result.failed.append((new.path, exc.strerror or str(exc)))
        else:
            result.written.append(new.path)
    return result
