"""The command line: a thin adapter that owns printing and exit codes.

Exit codes: 0 clean (warnings allowed unless --strict), 1 problems found,
2 usage or configuration error. The code is computed from the findings, never
from what was printed, so -q cannot change it.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Sequence
from pathlib import Path

import click

from declog import __version__
from declog.check import output
from declog.check.checker import CheckResult
from declog.log import git, load
from declog.log.diagnostics import Diagnostic, plural
from declog.log.load import find_root
from declog.log.yamlparse import visible

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


def _site_url(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """``--site-url``: an absolute http(s) URL that can be written into any page, feed or calendar."""
    from declog.log.fields import url_problem

    if value is not None and (problem := url_problem(value)):
        raise click.BadParameter(f"'{visible(value)}' {problem}")
    return value


site_url_option = click.option(
    "--site-url",
    metavar="URL",
    callback=_site_url,
    help="Public URL of the site (http or https); overrides [site] url.",
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


def count_documents(result: CheckResult) -> int:
    log = result.log
    return 0 if log is None else len(log.decisions) + len(log.partners) + len(log.meetings)


def summary_line(result: CheckResult) -> str:
    if result.config_failed:
        return "declog: the configuration has errors; nothing else was checked"
    found = f"{plural(result.errors, 'error')}, {plural(result.warnings, 'warning')}"
    change = ""
    if result.touched:
        shown = ", ".join(map(visible, result.touched[:10])) + (", ..." if len(result.touched) > 10 else "")
        change = f" (the change adds or edits {plural(len(result.touched), 'decision')}: {shown})"
    return f"declog: checked {plural(count_documents(result), 'document')}{change}: {found}"


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
    """The lines of a file a finding is about, read as the loader reads documents (inside the root only)."""
    raw = load.read_file(root.resolve(), path)
    return raw.data.decode("utf-8", "replace").splitlines() if raw.data is not None else ()


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


def shown_path(path: Path) -> str:
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return str(path)


def main(argv: Sequence[str] | None = None) -> None:
    cli.main(args=list(argv) if argv is not None else None, prog_name="declog")
