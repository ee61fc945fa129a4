"""declog build and declog serve: the published site."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from declog.check.checker import CheckResult
from declog.cli.base import (
    EXIT_OK,
    EXIT_PROBLEMS,
    EXIT_USAGE,
    cli,
    count_documents,
    emit,
    findings_format_option,
    resolve_root,
    root_option,
    shown_path,
    site_url_option,
    summary_line,
)
from declog.cli.progress import Bar
from declog.log.config import load_config
from declog.log.diagnostics import plural
from declog.log.escape import line


@cli.command(docs="site.md")
@root_option
@click.option(
    "-o",
    "--output",
    "output_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder to write the site to (replaced as a whole). Default: site/ in the log's root.",
)
@site_url_option
@click.option("--strict", is_flag=True, help="Warnings fail the build too.")
@click.option(
    "--search/--no-search",
    default=None,
    help="Build the Pagefind search index. Default: when pagefind is installed ('pagefind[bin]').",
)
@findings_format_option
@click.option("-q", "--quiet", is_flag=True, help="Do not print the summary line or the progress bar.")
@click.option(
    "--cache/--no-cache",
    default=True,
    show_default=True,
    help="Render only what changed since the last build (cached in the user's cache, e.g. ~/.cache/declog).",
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
    """Check the log and build the static site.

    Runs the same checks as `declog check`; on errors the previous site is left
    untouched. Otherwise the site is built in a temporary folder and swapped in.
    On a terminal, a build that takes more than a second shows its progress.
    """
    from declog.site.build import OutputError
    from declog.site.build import build as build_site

    log_root = resolve_root(root)
    out = output_dir if output_dir is not None else log_root / "site"
    had_site = out.is_dir()
    try:
        from declog.site.cache import cached_build

        run = cached_build if cache else build_site
        with Bar(quiet=quiet) as bar:
            result = run(log_root, out, site_url=site_url, strict=strict, search_index=search, progress=bar)
    except OutputError as exc:
        click.echo(f"declog: error: {exc}", err=True)
        sys.exit(EXIT_USAGE)
    emit(result.findings, fmt, log_root, None, files=count_documents(result.check))
    if not quiet:
        click.echo(summary_line(result.check), err=True)
        if result.built:
            pages = plural(result.pages, "page")
            click.echo(f"Built {pages} in {result.seconds:.2f}s -> {shown_path(out)}/", err=True)
        else:
            kept = "; the previous site is unchanged" if had_site else ""
            click.echo(f"declog: the site was not built{kept}", err=True)
    if result.check.config_failed:
        sys.exit(EXIT_USAGE)
    sys.exit(EXIT_OK if result.built else EXIT_PROBLEMS)


# --- live preview ----------------------------------------------------------------------------


def _address(text: str) -> tuple[str, int]:
    """Parse HOST:PORT: "127.0.0.1:8000", "[::1]:8000", ":8000" (loopback) or "8000"."""
    host, sep, port = text.rpartition(":")
    if not sep:
        host, port = "", text
    host = host.strip("[]") or "127.0.0.1"
    if not (port.isascii() and port.isdigit()) or len(port) > 5 or int(port) > 65535:
        raise click.BadParameter(f"'{text}' is not HOST:PORT", param_hint="-a/--address")
    return host, int(port)


@cli.command(docs="serve.md")
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
    help="Folder to build into. Default: one in the user's cache (e.g. ~/.cache/declog), outside the log.",
)
@click.option("--open", "open_browser", is_flag=True, help="Open the site in a web browser.")
@click.option("--no-livereload", is_flag=True, help="Do not reload open pages after a rebuild.")
@click.option("--strict", is_flag=True, help="Warnings count as errors too.")
@click.option(
    "--allow-host",
    "allowed_hosts",
    multiple=True,
    metavar="NAME",
    help="Also answer requests for this host name (e.g. the machine's name on your network); "
    "repeatable. Requests for localhost and for the address it listens on are always answered.",
)
def serve(
    root: Path | None,
    address: str,
    output_dir: Path | None,
    open_browser: bool,
    no_livereload: bool,
    strict: bool,
    allowed_hosts: tuple[str, ...],
) -> None:
    """Preview the site, rebuilt as you edit.

    Serves the site, rebuilds what a saved change affects and reloads open
    pages. Watches content/, templates/ and declog.toml. A change that breaks
    the log keeps the last good site and shows the findings over every page
    until it is fixed. Stop with Ctrl-C.
    """
    from declog.site import serve as live
    from declog.site.cache import serve_dir

    log_root = resolve_root(root)
    config, problems = load_config(log_root)
    if config is None:  # not a log: there is no site to serve, not even a last good one
        emit(problems, "text", log_root, None, files=0)
        click.echo(summary_line(CheckResult(None, problems, config_failed=True)), err=True)
        sys.exit(EXIT_USAGE)
    out = output_dir if output_dir is not None else serve_dir(log_root)

    def report(event: live.Event) -> None:
        changed = ", ".join(event.changes[:3]) + (" …" if len(event.changes) > 3 else "")
        prefix = line(f"{changed}: ") if changed else ""  # file names: shown inert
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
            emit(event.update.findings, "text", log_root, None, files=count_documents(event.update.check))
            click.echo(f"{prefix}not rebuilt: the last good site stays served", err=True)
        else:
            click.echo(f"{prefix}declog: error: {line(event.message)}", err=True)

    try:
        server = live.Server(
            log_root,
            out,
            address=_address(address),
            livereload=not no_livereload,
            strict=strict,
            report=report,
            allowed_hosts=allowed_hosts,
        )
    except live.ServeError as exc:
        click.echo(f"declog: error: {exc}", err=True)
        sys.exit(EXIT_USAGE)
    import signal

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    try:
        with Bar() as bar:
            first = server.start(progress=bar)
        report(first)
        # SIGTERM (a process manager) and SIGINT (even when a background shell ignored it) stop
        # cleanly; set once the first build's worker processes are gone, so they keep the defaults.
        signal.signal(signal.SIGTERM, interrupt)
        signal.signal(signal.SIGINT, interrupt)
        click.echo(f"Serving {shown_path(out)}/ at {server.url} (Ctrl-C to stop)", err=True)
        if open_browser:
            import webbrowser

            webbrowser.open(server.url)
        live.wait_for_stop(server)
    except KeyboardInterrupt:
        click.echo("Stopped.", err=True)
    finally:
        server.stop()
