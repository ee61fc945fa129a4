"""declog audit, declog query, declog export: the log as a database."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click

from declog.check.checker import load_and_check
from declog.cli.base import (
    EXIT_USAGE,
    cli,
    emit,
    format_option,
    resolve_root,
    root_option,
    shown_path,
    summary_line,
)
from declog.log import clock
from declog.log.diagnostics import plural
from declog.log.model import Log

# --- audit, query, export: the log as a database ------------------------------------------------

today_option = click.option(
    "--today",
    metavar="DATE",
    help="Take this as the current date (YYYY-MM-DD, the start of that day in the site's time zone) "
    "or time (ISO 8601 with an offset). Default: now.",
)


def _now_for(today: str | None, site_timezone: str) -> dt.datetime:
    from declog.log.timeparse import parse_date, parse_datetime, zone

    if today is None:
        return clock.current()
    try:
        if "T" in today or " " in today:
            return parse_datetime(today)
        return dt.datetime.combine(parse_date(today), dt.time(), zone(site_timezone))
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--today") from None


def _checked_log(root: Path | None) -> tuple[Path, Log]:
    """The log, loaded and checked once; errors are noted on stderr, a broken config exits 2."""
    log_root = resolve_root(root)
    result = load_and_check(log_root)
    if result.log is None:
        emit(result.findings, "text", log_root, None, files=0)
        click.echo(summary_line(result), err=True)
        sys.exit(EXIT_USAGE)
    if result.errors:
        click.echo(
            f"declog: warning: the log has {plural(result.errors, 'error')} (`declog check` lists them); "
            "results may be incomplete",
            err=True,
        )
    return log_root, result.log


@cli.command(docs="audit.md")
@root_option
@click.option("--since", metavar="DATE", help="Only decisions dated on or after DATE (YYYY-MM-DD).")
@click.option(
    "--last",
    type=click.IntRange(min=0),
    metavar="N",
    help="Only the last N decisions by number; 0 for all. Default: 20, or all with --since.",
)
@click.option("--partner", metavar="ID", help="Only decisions this partner is party to.")
@format_option(("text", "json", "markdown"), "How the audit is printed.")
@today_option
def audit(
    root: Path | None, since: str | None, last: int | None, partner: str | None, fmt: str, today: str | None
) -> None:
    """Audit how well the log is kept.

    Logging lag, time to resolution, participation and disagreement, over the
    last 20 decisions unless told otherwise. Every figure says how it was
    computed and from how many decisions.
    """
    from declog.insight import report
    from declog.insight.audit import DEFAULT_LAST, AuditError, Window
    from declog.insight.audit import audit as run_audit
    from declog.log.timeparse import parse_date

    _, log = _checked_log(root)
    try:
        since_date = parse_date(since) if since is not None else None
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--since") from None
    if last is None:
        last = DEFAULT_LAST if since_date is None else 0
    window = Window(
        now=_now_for(today, log.config.site.timezone),
        last=last or None,
        since=since_date,
        partner=partner,
    )
    try:
        result = run_audit(log, window)
    except AuditError as exc:
        raise click.BadParameter(str(exc), param_hint="--partner") from None
    click.echo(report.render(result, fmt), nl=False)


@cli.command(docs="query.md")
@click.argument("expr", metavar="EXPR")
@root_option
@format_option(
    ("text", "json", "csv", "ids"),
    "How the matching decisions are printed: text is a table, ids one id per line.",
)
@today_option
def query(expr: str, root: Path | None, fmt: str, today: str | None) -> None:
    """Print the decisions that match EXPR.

    For example: declog query "status = proposed and deadline < today + 2d".
    The documentation describes the fields, operators and date arithmetic.
    Exit 0 (matches or not), 2 when EXPR is not a valid expression.
    """
    from declog.insight import query as q
    from declog.log.timeparse import zone

    _, log = _checked_log(root)
    tz = zone(log.config.site.timezone)
    try:
        now = _now_for(today, log.config.site.timezone)
        parsed = q.parse(expr, now=now, tz=tz, known=q.known_values(log), fields=log.config.fields)
    except q.QueryError as exc:
        click.echo(f"declog: error: {exc.show(expr)}", err=True)
        sys.exit(EXIT_USAGE)
    shape = "table" if fmt == "text" else fmt  # the library names its text by its shape
    click.echo(q.render(parsed.select(log), log, shape, tz, now), nl=False)


@cli.command(docs="export.md")
@root_option
@click.option(
    "--sqlite",
    "target",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the database to this SQLite file (replaced if it exists).",
)
@today_option
def export(root: Path | None, target: Path, today: str | None) -> None:
    """Export the whole log to a SQLite database.

    Decisions (with the log's own fields), partners, meetings, approvals and links; the
    documentation describes every table and column.
    """
    from declog.insight.export import ExportError, export_sqlite

    _, log = _checked_log(root)
    try:
        export_sqlite(log, target, _now_for(today, log.config.site.timezone))
    except ExportError as exc:
        click.echo(f"declog: error: {exc}", err=True)
        sys.exit(EXIT_USAGE)
    counts = (
        f"{plural(len(log.by_id), 'decision')}, {plural(len(log.partners), 'partner')}, "
        f"{plural(len(log.meetings), 'meeting')}"
    )
    click.echo(f"Exported {counts} -> {shown_path(target)}", err=True)
