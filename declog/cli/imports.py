"""declog import: decisions kept elsewhere (a spreadsheet, an ADR folder) into the log."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from declog.check.checker import load_and_check
from declog.cli.base import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, cli, emit, resolve_root, root_option
from declog.cli.progress import Bar
from declog.log import vocab
from declog.log.diagnostics import Severity, plural
from declog.log.escape import lines
from declog.log.progress import CHECK
from declog.log.yamlparse import visible


@cli.command("import", docs="import.md")
@click.argument("fmt", metavar="FORMAT", type=click.Choice(vocab.IMPORT_FORMATS))
@click.argument("source", type=click.Path(path_type=Path))
@root_option
@click.option("--dry-run", is_flag=True, help="Print what the import would do; write nothing.")
@click.option(
    "--map",
    "map_file",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE",
    help="TOML file: [columns] field = header, [status] word = status, [partners] name = id, "
    "[people] name = handle.",
)
@click.option(
    "--date-format",
    metavar="PATTERN",
    default="",
    help="How the source writes dates, as a strftime pattern such as %d.%m.%Y (needed when "
    "DD/MM/YYYY and MM/DD/YYYY cannot be told apart).",
)
@click.option(
    "--base",
    metavar="REF",
    help="Base branch for the next free ids. Default: origin/HEAD, origin/main or main.",
)
def import_(
    fmt: str,
    source: Path,
    root: Path | None,
    dry_run: bool,
    map_file: Path | None,
    date_format: str,
    base: str | None,
) -> None:
    """Import decisions from a spreadsheet or ADRs.

    Brings the decisions of SOURCE, kept in FORMAT, into the log. FORMAT is
    csv (a spreadsheet saved as CSV), adr-tools, madr or log4brains (SOURCE:
    the folder of records, or one record). Each record becomes a decision with
    the next merge-safe id, its text as the body and its origin in
    `imported_from`, so importing the same source again adds nothing. Nothing
    is ever overwritten. On a terminal, a long import shows its progress. Exit
    0 when every record is in the log, 1 when some were skipped or changed
    since an earlier import, 2 when the source cannot be read.
    """
    from declog.authoring import importing

    log_root = resolve_root(root)
    with Bar() as bar:
        checked = load_and_check(log_root)
        if checked.log is None:
            bar.close()
            emit(checked.findings, "text", log_root, None, files=0)
            click.echo("declog: error: the log's declog.toml has errors; fix them before importing", err=True)
            sys.exit(EXIT_USAGE)
        try:
            planned = importing.prepare(
                fmt,
                source,
                checked.log,
                log_root,
                map_file=map_file,
                date_format=date_format,
                base=base,
                progress=bar,
            )
        except importing.SourceError as exc:
            bar.close()
            click.echo(f"declog: error: {visible(str(exc))}", err=True)
            sys.exit(EXIT_USAGE)
        result = importing.write(log_root, planned, dry_run=dry_run, progress=bar)
        if result.written:
            bar(CHECK, 0, 0)
            written = set(result.written)
            found = [d for d in load_and_check(log_root).findings if d.path in written]
    click.echo(lines(importing.render_report(result, checked.log.partners)), nl=False)
    if result.written:
        errors = sum(1 for d in found if d.severity is Severity.ERROR)
        warnings = sum(1 for d in found if d.severity is Severity.WARNING)
        counts = f"{plural(errors, 'error')}, {plural(warnings, 'warning')}"
        more = " (run `declog check` to see them)" if errors or warnings else ""
        click.echo(f"declog check of the imported decisions: {counts}{more}")
    sys.exit(EXIT_OK if result.complete else EXIT_PROBLEMS)
