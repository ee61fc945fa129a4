"""The command line: a thin adapter that owns printing and exit codes.

Exit codes: 0 clean (warnings allowed unless --strict), 1 problems found,
2 usage or configuration error. The code is computed from the findings, never
from what was printed, so -q cannot change it.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

import click

from declog import __version__, git, output
from declog.check import BaseRevisionError, CheckResult, load_and_check
from declog.codes import CODES
from declog.diagnostics import Diagnostic, plural
from declog.load import find_root, iter_paths
from declog.model import Log
from declog.ruledocs import rule_text
from declog.schema import KINDS, SCHEMAS

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2

root_option = click.option(
    "--root",
    type=click.Path(file_okay=False, path_type=Path),
    help="The log's root folder (holding declog.toml). Default: the nearest one above the current folder.",
)


format_option = click.option(
    "--format",
    "fmt",
    type=click.Choice(output.FORMATS),
    default="concise",
    envvar="DECLOG_OUTPUT_FORMAT",
    show_default=True,
    show_envvar=True,
    help="How findings are printed.",
)


def resolve_root(root: Path | None) -> Path:
    if root is not None:
        if not root.is_dir():
            raise click.UsageError(f"--root {root}: no such folder")
        return root.resolve()
    return find_root(Path.cwd()) or Path.cwd().resolve()


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, "-V", "--version", prog_name="declog")
def cli() -> None:
    """Keep a partnership's decisions in git: check them, publish them."""


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@root_option
@click.option(
    "--base",
    metavar="REF",
    help="Also check the change against this git revision (e.g. origin/main).",
)
@click.option("--strict", is_flag=True, help="Warnings fail the check too.")
@format_option
@click.option(
    "-o",
    "--output-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the findings to this file instead of standard output.",
)
@click.option("-q", "--quiet", is_flag=True, help="Do not print the summary line.")
def check(
    paths: tuple[Path, ...],
    root: Path | None,
    base: str | None,
    strict: bool,
    fmt: str,
    output_file: Path | None,
    quiet: bool,
) -> None:
    """Validate the log: schema, references, workflow rules.

    The whole log is loaded so cross-references are checked; findings are
    reported for PATHS (files or folders) when given, else for everything.
    """
    log_root = resolve_root(root)
    named = list(iter_paths(log_root, [str(p) for p in paths]))
    try:
        result = load_and_check(log_root, paths=named, base=base)
    except BaseRevisionError as exc:
        click.echo(f"declog: error: {exc}", err=True)
        sys.exit(EXIT_USAGE)
    emit(result.findings, fmt, log_root, output_file, files=_count(result))
    if not quiet:
        click.echo(_summary_line(result), err=True)
    if result.config_failed:
        sys.exit(EXIT_USAGE)
    sys.exit(EXIT_PROBLEMS if result.failed(strict) else EXIT_OK)


cli.add_command(check, name="validate")


def _count(result: CheckResult) -> int:
    log = result.log
    return 0 if log is None else len(log.decisions) + len(log.partners) + len(log.meetings)


def _summary_line(result: CheckResult) -> str:
    if result.config_failed:
        return "declog: the configuration has errors; nothing else was checked"
    found = f"{plural(result.errors, 'error')}, {plural(result.warnings, 'warning')}"
    change = ""
    if result.touched:
        shown = ", ".join(result.touched[:10]) + (", ..." if len(result.touched) > 10 else "")
        change = f" (the change adds or edits {plural(len(result.touched), 'decision')}: {shown})"
    return f"declog: checked {plural(_count(result), 'document')}{change}: {found}"


def emit(found: list[Diagnostic], fmt: str, root: Path, output_file: Path | None, files: int) -> None:
    """Print findings in ``fmt`` to stdout or ``output_file``."""
    prefix = git.repo_prefix(root) if fmt in ("github", "sarif") else ""
    if fmt == "full":
        text = output.render_full(found, functools.partial(_source_lines, root))
    elif fmt == "json":
        text = output.render_json(found)
    elif fmt == "github":
        text = output.render_github(found, prefix)
        _append_step_summary(found, files, prefix)
    elif fmt == "sarif":
        text = output.render_sarif(found, prefix)
    else:
        text = output.render_concise(found)
    if output_file is not None:
        output_file.write_text(text, encoding="utf-8")
    elif text:
        click.echo(text, nl=False)


@functools.lru_cache(maxsize=64)
def _source_lines(root: Path, path: str) -> Sequence[str]:
    try:
        return (root / path).read_bytes().decode("utf-8", "replace").splitlines()
    except OSError:
        return ()


def _append_step_summary(found: list[Diagnostic], files: int, prefix: str) -> None:
    target = os.environ.get("GITHUB_STEP_SUMMARY")
    if not target:
        return
    server = os.environ.get("GITHUB_SERVER_URL", "https://github.com")
    repo, sha = os.environ.get("GITHUB_REPOSITORY"), os.environ.get("GITHUB_SHA")
    blob = f"{server}/{repo}/blob/{sha}" if repo and sha else ""
    try:
        with open(target, "a", encoding="utf-8") as fh:
            fh.write(output.render_summary(found, files=files, prefix=prefix, blob_url=blob))
    except OSError as exc:
        click.echo(f"declog: warning: cannot write the job summary to {target}: {exc.strerror}", err=True)


@cli.command()
@click.option(
    "--kind",
    type=click.Choice(KINDS),
    default="decision",
    show_default=True,
    help="Which document's schema to print.",
)
def schema(kind: str) -> None:
    """Print the JSON Schema (2020-12) for a kind of document, for editors."""
    click.echo(json.dumps(SCHEMAS[kind], indent=2))


@cli.command()
@click.argument("code", required=False)
def rules(code: str | None) -> None:
    """Explain rule CODE (e.g. DL302), or list every rule."""
    if code is None:
        for c in CODES.values():
            click.echo(f"{c.code}  {c.severity:<7}  {c.name:<26}  {c.rule}")
        return
    entry = CODES.get(code.upper())
    if entry is None:
        raise click.BadParameter(f"unknown rule code '{code}' (`declog rules` lists them)", param_hint="CODE")
    click.echo(rule_text(entry), nl=False)


@cli.command()
@root_option
@click.option(
    "-o",
    "--output",
    "output_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder to write the site to (replaced as a whole). Default: site/ in the log's root.",
)
@click.option("--site-url", metavar="URL", help="Public URL of the site; overrides [site] url.")
@click.option("--strict", is_flag=True, help="Warnings fail the build too.")
@click.option(
    "--search/--no-search",
    default=None,
    help="Build the Pagefind search index. Default: when pagefind is installed ('declog[search]').",
)
@format_option
@click.option("-q", "--quiet", is_flag=True, help="Do not print the summary line.")
@click.option(
    "--cache/--no-cache",
    default=True,
    show_default=True,
    help="Render only what changed since the last build (cache in .declog-cache/).",
)
def build(
    root: Path | None,
    output_dir: Path | None,
    site_url: str | None,
    strict: bool,
    search: bool | None,
    fmt: str,
    quiet: bool,
    cache: bool,
) -> None:
    """Check the log and publish it as a static site.

    Runs the same checks as `declog check`; on errors the previous site is left
    untouched. Otherwise the site is built in a temporary folder and swapped in.
    """
    from declog.build import OutputError
    from declog.build import build as build_site

    log_root = resolve_root(root)
    out = output_dir if output_dir is not None else log_root / "site"
    try:
        from declog.cache import cached_build

        run = cached_build if cache else build_site
        result = run(log_root, out, site_url=site_url, strict=strict, search_index=search)
    except OutputError as exc:
        click.echo(f"declog: error: {exc}", err=True)
        sys.exit(EXIT_USAGE)
    emit(result.findings, fmt, log_root, None, files=_count(result.check))
    if not quiet:
        click.echo(_summary_line(result.check), err=True)
        if result.built:
            pages = plural(result.pages, "page")
            click.echo(f"Built {pages} in {result.seconds:.2f}s -> {_shown(out)}/", err=True)
        else:
            click.echo("declog: the site was not built; the previous site is unchanged", err=True)
    if result.check.config_failed:
        sys.exit(EXIT_USAGE)
    sys.exit(EXIT_OK if result.built else EXIT_PROBLEMS)


def _shown(path: Path) -> str:
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return str(path)


def main(argv: Sequence[str] | None = None) -> None:
    cli.main(args=list(argv) if argv is not None else None, prog_name="declog")


# --- pull requests as the workflow: init, new, approvals -------------------------------------


@cli.command()
@click.argument("directory", required=False, type=click.Path(file_okay=False, path_type=Path), default=".")
@click.option(
    "--partner", "partner_id", default="our-partner", show_default=True, help="Id of the first partner."
)
@click.option("--name", "partner_name", default="Our Partner", show_default=True, help="Its name.")
@click.option(
    "--member",
    "members",
    multiple=True,
    metavar="HANDLE",
    help="GitHub handle of a member (repeat for more). Default: github.user or $GITHUB_ACTOR.",
)
@click.option("--timezone", default="UTC", show_default=True, help="The partner's IANA time zone.")
@click.option("--title", default="Decision log", show_default=True, help="The site's title.")
@click.option("--force", is_flag=True, help="Overwrite files that exist and differ.")
def init(
    directory: Path,
    partner_id: str,
    partner_name: str,
    members: tuple[str, ...],
    timezone: str,
    title: str,
    force: bool,
) -> None:
    """Create a new decision log in DIRECTORY (default: here).

    Writes declog.toml, a first partner and decision, GitHub workflows (check every
    pull request; publish to GitHub Pages), a pull request template, CODEOWNERS and
    a pre-commit configuration. Existing files are never overwritten without --force;
    running it again is safe.
    """
    import datetime as dt

    from declog import scaffold

    handles = list(members) or [scaffold.default_owner() or "your-github-handle"]
    try:
        files = scaffold.init_files(
            partner=partner_id,
            name=partner_name,
            members=handles,
            timezone=timezone,
            title=title,
            now=dt.datetime.now(dt.UTC),
        )
        result = scaffold.init(directory, files, force=force)
    except scaffold.ScaffoldError as exc:
        click.echo(f"declog: error: {exc}", err=True)
        sys.exit(EXIT_USAGE)
    for rel in result.written:
        click.echo(f"created {(directory / rel).as_posix()}")
    if result.unchanged:
        click.echo(f"declog: {plural(len(result.unchanged), 'file')} already up to date", err=True)


@cli.command()
@click.argument("title")
@root_option
@click.option(
    "--partner", "partners", multiple=True, metavar="ID", help="A partner party to it (repeat). Default: all."
)
@click.option(
    "--mode", type=click.Choice(["sync", "async"]), help="Default: sync for categories decided in meetings."
)
@click.option(
    "--category", type=click.Choice(["operational", "strategic"]), default="operational", show_default=True
)
@click.option("--meeting", metavar="ID", help="The meeting it was decided in (sync).")
@click.option(
    "--owner", metavar="HANDLE", help="Who is accountable for it. Default: github.user or $GITHUB_ACTOR."
)
@click.option(
    "--base",
    metavar="REF",
    help="Base branch for the next free id. Default: origin/HEAD, origin/main or main.",
)
def new(
    title: str,
    root: Path | None,
    partners: tuple[str, ...],
    mode: str | None,
    category: str,
    meeting: str | None,
    owner: str | None,
    base: str | None,
) -> None:
    """Write a new decision file titled TITLE and print its path.

    Its id is one more than the highest in the work tree and on the base branch.
    Never overwrites a file.
    """
    import datetime as dt

    from declog import scaffold

    log_root = resolve_root(root)
    result = load_and_check(log_root)
    if result.log is None:
        emit(result.findings, "concise", log_root, None, files=0)
        sys.exit(EXIT_USAGE)
    try:
        made = scaffold.new_decision(
            result.log,
            log_root,
            title,
            partners=partners,
            mode=mode,
            category=category,
            meeting=meeting or "",
            owner=owner if owner is not None else scaffold.default_owner(),
            now=dt.datetime.now(dt.UTC),
            base_numbers=scaffold.base_ids(log_root, base),
        )
        path = scaffold.write_new(log_root, made)
    except scaffold.ScaffoldError as exc:
        click.echo(f"declog: error: {exc}", err=True)
        sys.exit(EXIT_USAGE)
    click.echo(_shown(path))
    for note in made.notes:
        click.echo(f"declog: next: {note}", err=True)


@cli.command()
@root_option
@click.option("--pr", "number", type=int, metavar="N", help="The pull request's number.")
@click.option(
    "--reviews",
    "reviews_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Reviews as JSON: the REST review list or `gh pr view --json number,author,reviews,files`.",
)
@click.option(
    "--event",
    "event_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="A pull_request_review event payload. Default in Actions: $GITHUB_EVENT_PATH.",
)
@click.option("--base", metavar="REF", help="Base branch. Default: origin/HEAD, origin/main or main.")
@click.option("--write", is_flag=True, help="Record the approvals in the decision files.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "github"]),
    default="text",
    show_default=True,
    help="github: text plus annotations and a job summary.",
)
def approvals(
    root: Path | None,
    number: int | None,
    reviews_file: Path | None,
    event_file: Path | None,
    base: str | None,
    write: bool,
    fmt: str,
) -> None:
    """Partners' approvals of the decisions a pull request adds or changes, from its reviews.

    Exit 0 when every decision meets the approval rule and no approval is forged or
    stale, 1 otherwise (use it as a required status check), 2 on usage errors.
    """
    from declog import pullrequest
    from declog.reviews import ReviewsError

    log_root = resolve_root(root)
    if reviews_file is None and event_file is None and os.environ.get("GITHUB_EVENT_PATH"):
        event_file = Path(os.environ["GITHUB_EVENT_PATH"])
    try:
        pull = pullrequest.load_pull(reviews_file=reviews_file, event_file=event_file, number=number)
        result = pullrequest.run(log_root, pull, base=base, write=write)
    except (ReviewsError, pullrequest.ApprovalsError) as exc:
        click.echo(f"declog: error: {exc}", err=True)
        sys.exit(EXIT_USAGE)
    if result.report is None:
        emit(result.check.findings, "concise", log_root, None, files=0)
        sys.exit(EXIT_USAGE)
    if fmt == "json":
        click.echo(pullrequest.render_json(result), nl=False)
    else:
        click.echo(pullrequest.render_text(result), nl=False)
    if fmt == "github":
        prefix = git.repo_prefix(log_root)
        click.echo(output.render_github(list(result.report.findings), prefix), nl=False)
        target = os.environ.get("GITHUB_STEP_SUMMARY")
        try:
            if target:
                with open(target, "a", encoding="utf-8") as fh:
                    fh.write(pullrequest.render_markdown(result))
        except OSError as exc:
            click.echo(f"declog: warning: cannot write the job summary to {target}: {exc.strerror}", err=True)
    sys.exit(EXIT_OK if result.ok else EXIT_PROBLEMS)


# --- audit, query, export: the log as a database ------------------------------------------------

today_option = click.option(
    "--today",
    metavar="DATE",
    help="Take this as the current date (YYYY-MM-DD, the start of that day in the site's time zone) "
    "or time (ISO 8601 with an offset). Default: now.",
)


def _now_for(today: str | None, site_timezone: str) -> dt.datetime:
    from declog.timeparse import parse_date, parse_datetime, zone

    if today is None:
        return dt.datetime.now(dt.UTC).replace(microsecond=0)
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
        emit(result.findings, "concise", log_root, None, files=0)
        click.echo(_summary_line(result), err=True)
        sys.exit(EXIT_USAGE)
    if result.errors:
        click.echo(
            f"declog: warning: the log has {plural(result.errors, 'error')} (`declog check` lists them); "
            "results may be incomplete",
            err=True,
        )
    return log_root, result.log


@cli.command()
@root_option
@click.option("--since", metavar="DATE", help="Only decisions dated on or after DATE (YYYY-MM-DD).")
@click.option(
    "--last",
    type=click.IntRange(min=0),
    metavar="N",
    help="Only the last N decisions by number; 0 for all. Default: 20, or all with --since.",
)
@click.option("--partner", metavar="ID", help="Only decisions this partner is party to.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(("text", "json", "markdown")),
    default="text",
    show_default=True,
    help="How the audit is printed.",
)
@today_option
def audit(
    root: Path | None, since: str | None, last: int | None, partner: str | None, fmt: str, today: str | None
) -> None:
    """Audit how the log is kept: logging lag, time to resolution, participation, disagreement.

    The article's step 1: review the last 20 decisions. Every figure says how it
    was computed and from how many decisions (docs/audit.md).
    """
    from declog import report
    from declog.audit import DEFAULT_LAST, AuditError, Window
    from declog.audit import audit as run_audit
    from declog.timeparse import parse_date

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


@cli.command()
@click.argument("expr", metavar="EXPR")
@root_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(("table", "json", "csv", "ids")),
    default="table",
    show_default=True,
    help="How the matching decisions are printed.",
)
@today_option
def query(expr: str, root: Path | None, fmt: str, today: str | None) -> None:
    """Print the decisions that match EXPR, e.g. "status = proposed and deadline < today + 2d".

    Fields, operators and date arithmetic are described in docs/query.md.
    Exit 0 (matches or not), 2 when EXPR is not a valid expression.
    """
    from declog import query as q
    from declog.timeparse import zone

    _, log = _checked_log(root)
    tz = zone(log.config.site.timezone)
    try:
        parsed = q.parse(expr, now=_now_for(today, log.config.site.timezone), tz=tz)
    except q.QueryError as exc:
        click.echo(f"declog: error: {exc.show(expr)}", err=True)
        sys.exit(EXIT_USAGE)
    click.echo(q.render(parsed.select(log), log, fmt, tz), nl=False)


@cli.command()
@root_option
@click.option(
    "--sqlite",
    "target",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the database to this SQLite file (replaced if it exists).",
)
def export(root: Path | None, target: Path) -> None:
    """Export the whole database (decisions, partners, meetings, approvals, links) to SQLite.

    The schema is documented in docs/export.md.
    """
    from declog.export import ExportError, export_sqlite

    _, log = _checked_log(root)
    try:
        export_sqlite(log, target)
    except ExportError as exc:
        click.echo(f"declog: error: {exc}", err=True)
        sys.exit(EXIT_USAGE)
    counts = (
        f"{plural(len(log.by_id), 'decision')}, {plural(len(log.partners), 'partner')}, "
        f"{plural(len(log.meetings), 'meeting')}"
    )
    click.echo(f"Exported {counts} -> {_shown(target)}", err=True)


# --- live preview ----------------------------------------------------------------------------


def _address(text: str) -> tuple[str, int]:
    """Parse HOST:PORT: "127.0.0.1:8000", "[::1]:8000", ":8000" (loopback) or "8000"."""
    host, sep, port = text.rpartition(":")
    if not sep:
        host, port = "", text
    host = host.strip("[]") or "127.0.0.1"
    if not port.isdigit() or int(port) > 65535:
        raise click.BadParameter(f"'{text}' is not HOST:PORT", param_hint="-a/--address")
    return host, int(port)


@cli.command()
@root_option
@click.option(
    "-a",
    "--address",
    default="127.0.0.1:8000",
    show_default=True,
    metavar="HOST:PORT",
    help="Where to listen. Loopback unless you name another address; port 0 picks a free one.",
)
@click.option(
    "-o",
    "--output",
    "output_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder to build into. Default: .declog-cache/site in the log's root.",
)
@click.option("--open", "open_browser", is_flag=True, help="Open the site in a web browser.")
@click.option("--no-livereload", is_flag=True, help="Do not reload open pages after a rebuild.")
@click.option("--strict", is_flag=True, help="Warnings count as errors too.")
def serve(
    root: Path | None,
    address: str,
    output_dir: Path | None,
    open_browser: bool,
    no_livereload: bool,
    strict: bool,
) -> None:
    """Serve the site, rebuild what a saved change affects, and reload open pages.

    Watches content/, templates/ and declog.toml. A change that breaks the log
    keeps the last good site and shows the findings over every page until it
    is fixed. Stop with Ctrl-C.
    """
    from declog import serve as live

    log_root = resolve_root(root)
    out = output_dir if output_dir is not None else log_root / ".declog-cache" / "site"

    def report(event: live.Event) -> None:
        changed = ", ".join(event.changes[:3]) + (" …" if len(event.changes) > 3 else "")
        prefix = f"{changed}: " if changed else ""
        if event.kind == "built" and event.update is not None:
            u = event.update
            warnings = [d for d in u.findings if d.severity == "warning"]
            click.echo(
                f"{prefix}rendered {plural(u.rendered, 'file')}: {u.changed} changed, {u.removed} removed "
                f"({plural(u.pages, 'page')} in all) in {u.seconds:.2f}s"
                + (f" ({plural(len(warnings), 'warning')})" if warnings else ""),
                err=True,
            )
        elif event.kind == "failed" and event.update is not None:
            emit(event.update.findings, "concise", log_root, None, files=_count(event.update.check))
            click.echo(f"{prefix}not rebuilt: the last good site stays served", err=True)
        else:
            click.echo(f"{prefix}declog: error: {event.message}", err=True)

    try:
        server = live.Server(
            log_root,
            out,
            address=_address(address),
            livereload=not no_livereload,
            strict=strict,
            report=report,
        )
    except live.ServeError as exc:
        click.echo(f"declog: error: {exc}", err=True)
        sys.exit(EXIT_USAGE)
    import signal

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    try:
        report(server.start())
        # SIGTERM (a process manager) and SIGINT (even when a background shell ignored it) stop
        # cleanly; set once the first build's worker processes are gone, so they keep the defaults.
        signal.signal(signal.SIGTERM, interrupt)
        signal.signal(signal.SIGINT, interrupt)
        click.echo(f"Serving {_shown(out)}/ at {server.url} (Ctrl-C to stop)", err=True)
        if open_browser:
            import webbrowser

            webbrowser.open(server.url)
        live.wait_for_stop(server)
    except KeyboardInterrupt:
        click.echo("Stopped.", err=True)
    finally:
        server.stop()
