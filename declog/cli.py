"""The command line: a thin adapter that owns printing and exit codes.

Exit codes: 0 clean (warnings allowed unless --strict), 1 problems found,
2 usage or configuration error. The code is computed from the findings, never
from what was printed, so -q cannot change it.
"""

from __future__ import annotations

import functools
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

import click

from declog import __version__, git, output
from declog.build import OutputError
from declog.build import build as build_site
from declog.check import BaseRevisionError, CheckResult, load_and_check
from declog.codes import CODES
from declog.diagnostics import Diagnostic, plural
from declog.load import find_root, iter_paths
from declog.ruledocs import rule_text
from declog.schema import KINDS, SCHEMAS

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2

root_option = click.option(
    "--root",
    type=click.Path(file_okay=False, path_type=Path),
    help="The log's root folder (holding declog.toml). Default: the nearest one above the current folder.",
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
@click.option(
    "--format",
    "fmt",
    type=click.Choice(output.FORMATS),
    default="concise",
    envvar="DECLOG_OUTPUT_FORMAT",
    show_default=True,
    show_envvar=True,
    help="How findings are printed.",
)
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
    return f"declog: checked {plural(_count(result), 'document')}: {found}"


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
    "--format",
    "fmt",
    type=click.Choice(output.FORMATS),
    default="concise",
    envvar="DECLOG_OUTPUT_FORMAT",
    show_default=True,
    show_envvar=True,
    help="How findings are printed.",
)
@click.option("-q", "--quiet", is_flag=True, help="Do not print the summary line.")
def build(
    root: Path | None, output_dir: Path | None, site_url: str | None, strict: bool, fmt: str, quiet: bool
) -> None:
    """Check the log and publish it as a static site.

    Runs the same checks as `declog check`; on errors the previous site is left
    untouched. Otherwise the site is built in a temporary folder and swapped in.
    """
    log_root = resolve_root(root)
    out = output_dir if output_dir is not None else log_root / "site"
    try:
        result = build_site(log_root, out, site_url=site_url, strict=strict)
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
