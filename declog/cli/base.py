"""The command line: a thin adapter that owns printing and exit codes.

Exit codes: 0 clean (warnings allowed unless --strict), 1 problems found,
2 usage or configuration error. The code is computed from the findings, never
from what was printed, so -q cannot change it.

Every ``--format`` speaks one vocabulary: ``text`` for people (each command's
default), ``json`` for programs, and where a command has them ``full`` (text
with the source lines), ``markdown``, ``csv``, ``ids``, ``github`` (annotations
and a job summary) and ``sarif``. The names used before, ``concise`` (check's
and build's text) and ``table`` (query's), are still accepted.
"""

from __future__ import annotations

import functools
import gc
import os
import sys
from collections.abc import Callable, Collection, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

import click

from declog import __version__
from declog.check import output
from declog.check.checker import CheckResult
from declog.log import fields, git, load
from declog.log.about import docs_url
from declog.log.config import CONFIG_FILE
from declog.log.diagnostics import Diagnostic, plural
from declog.log.escape import line
from declog.log.load import find_root
from declog.log.yamlparse import visible

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2

#: Names formats had before they were one vocabulary across commands: accepted, not listed.
OLD_FORMAT_NAMES: Mapping[str, str] = {"concise": "text", "table": "text"}
#: The longest first sentence of a command's help that ``declog --help`` shows whole; longer ones are cut.
SUMMARY_MAX = 100
#: How ``check`` and ``build`` print findings.
FINDING_FORMATS = ("text", "full", "json", "github", "sarif")


class FormatChoice(click.Choice):  # type: ignore[type-arg]  # generic from click 8.2 on; declog takes 8.1
    """A ``--format`` choice that also takes the old names of its formats (``OLD_FORMAT_NAMES``).

    Help, completion and error messages list the current names only; an old
    name is converted to the current one, so commands never see it.
    """

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        if isinstance(value, str) and OLD_FORMAT_NAMES.get(value) in self.choices:
            value = OLD_FORMAT_NAMES[value]
        return str(super().convert(value, param, ctx))


FC = TypeVar("FC", bound=Callable[..., Any])


def format_option(formats: Sequence[str], what: str, **extra: Any) -> Callable[[FC], FC]:
    """``--format``: one of ``formats`` (``text`` first, the default); ``what`` is the help text."""
    return click.option(
        "--format",
        "fmt",
        type=FormatChoice(formats),
        default=formats[0],
        show_default=True,
        help=what,
        **extra,
    )


class Command(click.Command):
    """A command whose help ends with the published address of its documentation page (``docs=``).

    The address is looked up only when help is shown: reading the package's
    metadata at every start would slow every command down.
    """

    def __init__(self, *args: Any, docs: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.docs = docs

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        super().format_epilog(ctx, formatter)
        if self.docs:
            write_docs_line(formatter, docs_url(self.docs))


class Group(click.Group):
    """declog's commands, where an alias is shown beside its command ("check (validate)"), not as one."""

    command_class = Command

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.aliases: dict[str, str] = {}

    def add_alias(self, alias: str, name: str) -> None:
        """``declog ALIAS`` runs ``declog NAME``."""
        assert name in self.commands and alias not in self.commands, (alias, name)
        self.aliases[alias] = name

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return super().get_command(ctx, self.aliases.get(cmd_name, cmd_name))

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        name = args[0] if args else ""
        if name and not name.startswith("-") and self.get_command(ctx, name) is None:
            ctx.fail(
                f"no such command '{name}'{did_you_mean(name, [*self.list_commands(ctx), *self.aliases])}"
            )
        return super().resolve_command(ctx, args)

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **kwargs: Any,
    ) -> Any:
        """Run declog; click's own errors are printed as declog's are (``declog: error: ...``), exit 2.

        Click prints its usage errors as "Usage: ... Error: ..."; here every error, click's and
        declog's, has one shape: the error line, then where to find help.
        """
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, False, **kwargs)
        try:
            rv = super().main(args, prog_name, complete_var, False, **kwargs)
        except click.UsageError as exc:
            if type(exc).__name__ == "NoArgsIsHelpError":  # click 8.2+: plain `declog` shows the help
                exc.show()
            else:
                usage_error(exc)
            sys.exit(exc.exit_code)
        except click.ClickException as exc:
            error(exc.format_message())
            sys.exit(exc.exit_code)
        except click.Abort:
            click.echo("Aborted!", err=True)
            sys.exit(1)
        # Without standalone mode click returns an ``Exit``'s code (``--help``, ``--version``).
        sys.exit(rv if isinstance(rv, int) else EXIT_OK)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = []
        for name in self.list_commands(ctx):
            command = self.get_command(ctx, name)
            if command is None or command.hidden:
                continue
            aliases = [alias for alias, target in self.aliases.items() if target == name]
            rows.append((f"{name} ({', '.join(aliases)})" if aliases else name, command))
        if rows:
            # A summary is its command's first sentence, whole: on a narrow terminal it wraps
            # rather than being cut off with "...". Each fits on its line in 80 columns (a test checks).
            summaries = [(shown, command.get_short_help_str(SUMMARY_MAX)) for shown, command in rows]
            with formatter.section("Commands"):
                formatter.write_dl(summaries)

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        super().format_epilog(ctx, formatter)
        write_docs_line(formatter, docs_url())


def did_you_mean(name: str, choices: Sequence[str]) -> str:
    """`` (did you mean 'X'?)`` for the command or option closest to a mistyped ``name``, or nothing
    (declog.log.fields.did_you_mean, which every did-you-mean of declog's uses)."""
    guess = fields.did_you_mean(name, choices, synonyms=False)
    return f" ({guess})" if guess else ""


def usage_error(exc: click.UsageError) -> None:
    """A command-line mistake: ``declog: error: MESSAGE``, then the line that says where help is."""
    if isinstance(exc, click.NoSuchOption):
        message = (
            f"no such option '{exc.option_name}'{did_you_mean(exc.option_name, exc.possibilities or ())}"
        )
    else:
        message = exc.format_message()
    error(message)
    ctx = exc.ctx
    if ctx is not None:
        command = ctx.command_path.replace(ctx.find_root().info_name or "declog", "declog", 1)
        option = (
            "--help" if "--help" in ctx.help_option_names else next(iter(ctx.help_option_names), "--help")
        )
        click.echo(f"Try '{line(command)} {option}' for help.", err=True)


def write_docs_line(formatter: click.HelpFormatter, url: str) -> None:
    """The line "Documentation: URL" ending a help text, never wrapped (a broken URL cannot be clicked)."""
    formatter.write_paragraph()
    formatter.write(f"{'':>{formatter.current_indent}}Documentation: {url}\n")


root_option = click.option(
    "--root",
    type=click.Path(file_okay=False, path_type=Path),
    help="The log's root folder (holding declog.toml). Default: the nearest one above the current folder.",
)


findings_format_option = format_option(
    FINDING_FORMATS,
    "How findings are printed: text (one line each), full (with the source lines), json, "
    "github (annotations and a job summary) or sarif.",
    envvar="DECLOG_OUTPUT_FORMAT",
    show_envvar=True,
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
    """The log's root: ``--root``, else the nearest folder at or above the working one with declog.toml.

    Outside a log (no declog.toml there) this is one usage error, exit 2: every
    command that takes ``--root`` reads a log.
    """
    if root is not None:
        if not root.is_dir():
            raise click.UsageError(f"--root {root}: no such folder")
        found, where = root.resolve(), f"in {root}"
    else:
        found = find_root(Path.cwd()) or Path.cwd().resolve()
        where = f"in {Path.cwd()} or any folder above it"
    if not os.path.lexists(found / CONFIG_FILE):
        error(
            f"no {CONFIG_FILE} {where}: this is not a decision log "
            "(create one with `declog init`, or pass --root DIR to name the log's folder)"
        )
        sys.exit(EXIT_USAGE)
    return found


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
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
    return line(f"declog: checked {plural(count_documents(result), 'document')}{change}: {found}")


def error(message: str) -> None:
    """``declog: error: MESSAGE`` on stderr, as one inert line: it may quote a file's values."""
    click.echo(f"declog: error: {line(message)}", err=True)


def emit(
    found: list[Diagnostic],
    fmt: str,
    root: Path,
    output_file: Path | None,
    files: int,
    touched: Collection[str] | None = None,
) -> None:
    """Print findings in ``fmt`` (one of FINDING_FORMATS) to stdout or ``output_file``.

    ``touched``: the files a change made (with ``--base``); ``github`` annotates warnings on those only.
    """
    prefix = git.repo_prefix(root) if fmt in ("github", "sarif") else ""
    if fmt == "full":
        text = output.render_full(found, functools.partial(_source_lines, root))
    elif fmt == "json":
        text = output.render_json(found)
    elif fmt == "github":
        text = output.render_github(found, prefix, touched)
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
    if not os.environ.get("GITHUB_STEP_SUMMARY"):
        return
    server = os.environ.get("GITHUB_SERVER_URL", "https://github.com")
    repo, sha = os.environ.get("GITHUB_REPOSITORY"), os.environ.get("GITHUB_SHA")
    blob = f"{server}/{repo}/blob/{sha}" if repo and sha else ""
    append_job_summary(output.render_summary(found, files=files, prefix=prefix, blob_url=blob))


def append_job_summary(text: str) -> None:
    """Add ``text`` (Markdown) to the GitHub Actions job summary, when there is one; a warning if
    it cannot be written."""
    target = os.environ.get("GITHUB_STEP_SUMMARY")
    if not target:
        return
    try:
        with open(target, "a", encoding="utf-8") as fh:
            fh.write(text)
    except OSError as exc:
        click.echo(f"declog: warning: cannot write the job summary to {target}: {exc.strerror}", err=True)


def shown_path(path: Path) -> str:
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return str(path)


def main(argv: Sequence[str] | None = None) -> None:
    """The ``declog`` program: run one command, then end the process."""
    try:
        cli.main(args=list(argv) if argv is not None else None, prog_name="declog")
    finally:
        # The process ends here: what the command built (a whole log, its views, its pages' state)
        # is not walked by the collector once more on the way out (1.2 s after a build of 10,000
        # decisions). Only here, where the process ends: a caller that goes on collects as usual.
        gc.freeze()
