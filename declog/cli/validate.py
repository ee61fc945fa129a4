"""declog check (alias validate), declog schema, declog rules."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import click

from declog.check.checker import BaseRevisionError, CheckResult, load_and_check
from declog.check.ruledocs import reference, rule_plain, rule_text
from declog.cli.base import (
    EXIT_OK,
    EXIT_PROBLEMS,
    EXIT_USAGE,
    cli,
    count_documents,
    emit,
    error,
    findings_format_option,
    format_option,
    resolve_root,
    root_option,
    summary_line,
)
from declog.log import clock, git
from declog.log.codes import CODES, Code
from declog.log.config import load_config
from declog.log.customfields import decision_schema
from declog.log.escape import line
from declog.log.load import find_root, iter_paths
from declog.log.schema import KINDS, SCHEMAS


@cli.command(docs="rules.md")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@root_option
@click.option(
    "--base",
    metavar="REF",
    help="Also check the change against this git revision (e.g. origin/main).",
)
@click.option("--strict", is_flag=True, help="Warnings fail the check too.")
@findings_format_option
@click.option(
    "-o",
    "--output-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the findings to this file instead of standard output.",
)
@click.option("-q", "--quiet", is_flag=True, help="Do not print the summary line.")
@click.option(
    "--status",
    "status_sha",
    metavar="SHA",
    help="Also set the commit status declog/check on commit SHA (GitHub Actions: GITHUB_TOKEN with "
    "statuses: write, and GITHUB_REPOSITORY).",
)
def check(
    paths: tuple[Path, ...],
    root: Path | None,
    base: str | None,
    strict: bool,
    fmt: str,
    output_file: Path | None,
    quiet: bool,
    status_sha: str | None,
) -> None:
    """Check the log against its rules.

    Every document's fields, the references between documents and the workflow
    rules. The whole log is loaded so cross-references are checked; findings
    are reported for PATHS (files or folders) when given, else for everything.
    `declog validate` is the same command.
    """
    log_root = resolve_root(root)
    named = list(iter_paths(log_root, [str(p) for p in paths]))
    try:
        result = load_and_check(log_root, paths=named, base=base, now=clock.current())
    except BaseRevisionError as exc:
        error(str(exc))
        sys.exit(EXIT_USAGE)
    touched = None
    if base is not None and fmt == "github":
        # Only what the pull request changed gets warning annotations: the rest is not its doing.
        try:
            touched = set(git.changed_files(log_root, base, under="."))
        except git.GitError as exc:
            error(f"cannot read base revision '{base}': {exc}")
            sys.exit(EXIT_USAGE)
    emit(result.findings, fmt, log_root, output_file, files=count_documents(result), touched=touched)
    if not quiet:
        click.echo(summary_line(result), err=True)
    if status_sha is not None:
        _set_status(status_sha, result, strict)
    if result.config_failed:
        sys.exit(EXIT_USAGE)
    sys.exit(EXIT_PROBLEMS if result.failed(strict) else EXIT_OK)


def _set_status(sha: str, result: CheckResult, strict: bool) -> None:
    """``check --status``: the verdict as the commit status declog/check (a warning when GitHub refuses)."""
    from declog.pr.github import GitHub, GitHubError
    from declog.pr.status import CHECK_CONTEXT, check_summary

    if not git.COMMIT_ID.fullmatch(sha):
        error(f"--status needs a full commit sha (40 hexadecimal digits), not '{line(sha)}'")
        sys.exit(EXIT_USAGE)
    verdict = check_summary(result, strict)
    try:
        GitHub.from_env().set_status(sha, verdict.state, CHECK_CONTEXT, verdict.description)
    except GitHubError as exc:
        click.echo(f"declog: warning: commit status not set: {line(str(exc))}", err=True)


cli.add_alias("validate", "check")


@cli.command(docs="editors.md")
@click.option(
    "--kind",
    type=click.Choice(KINDS),
    default="decision",
    show_default=True,
    help="Which document's schema to print.",
)
@root_option
def schema(kind: str, root: Path | None) -> None:
    """Print the JSON Schema of a kind of document.

    JSON Schema 2020-12, for editors that check YAML as it is typed. Inside a
    log, a decision's schema has the log's own fields (declog.toml [fields]).
    """
    printed = SCHEMAS[kind]
    found = resolve_root(root) if root is not None else find_root(Path.cwd())
    if kind == "decision" and found is not None:
        config, problems = load_config(found)
        if config is None:
            shown = "; ".join(f"{p.path}:{p.line}: {p.message}" for p in problems[:1])
            click.echo(f"declog: warning: the log's own fields are left out: {shown}", err=True)
        else:
            printed = decision_schema(printed, config.fields)
    click.echo(json.dumps(printed, indent=2))


@cli.command(docs="rules.md")
@click.argument("code", required=False)
@format_option(
    ("text", "json", "markdown"),
    "How rules are printed: text (for a terminal), json, or markdown (as in the rules reference).",
)
def rules(code: str | None, fmt: str) -> None:
    """List every rule, or explain the rule CODE.

    CODE is a finding's code, such as DL302.
    """
    entries = list(CODES.values())
    if code is not None:
        entry = CODES.get(code.upper())
        if entry is None:
            raise click.BadParameter(
                f"unknown rule code '{code}' (`declog rules` lists them)", param_hint="CODE"
            )
        entries = [entry]
    if fmt == "json":
        rows = [_rule_json(c) for c in entries]
        click.echo(json.dumps(rows[0] if code is not None else rows, indent=2, ensure_ascii=False))
    elif fmt == "markdown":
        click.echo(rule_text(entries[0]) if code is not None else reference(), nl=False)
    elif code is None:
        for c in entries:
            click.echo(f"{c.code}  {c.severity:<7}  {c.name:<26}  {c.rule}")
    else:
        click.echo(rule_plain(entries[0], width=min(shutil.get_terminal_size().columns, 100)), nl=False)


def _rule_json(c: Code) -> dict[str, str]:
    return {
        "code": c.code,
        "name": c.name,
        "severity": str(c.severity),
        "rule": c.rule,
        "fix": c.fix,
        "imported": c.imported,
    }
