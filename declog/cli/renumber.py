"""declog renumber: give a decision a new id when two branches took the same one."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from declog.check.checker import load_and_check
from declog.cli.base import EXIT_USAGE, cli, emit, error, resolve_root, root_option
from declog.log.escape import line


@cli.command(docs="workflow.md")
@click.argument("old_id", metavar="ID")
@click.argument("new_id", metavar="[NEW_ID]", required=False, default="")
@root_option
@click.option(
    "--file",
    "file",
    metavar="PATH",
    default="",
    help="The decision file to renumber, when ID names two (an id collision).",
)
@click.option("--dry-run", is_flag=True, help="Print what would change; write nothing.")
@click.option(
    "--base",
    metavar="REF",
    help="Base branch for the next free id. Default: origin/HEAD, origin/main or main.",
)
def renumber(old_id: str, new_id: str, root: Path | None, file: str, dry_run: bool, base: str | None) -> None:
    """Renumber a decision and its references.

    Renames the decision's file, sets its `id`, and rewrites what refers to it:
    other decisions' supersedes and superseded_by, meetings' decisions,
    [[ID]] references and links to its file in bodies, and the silence
    agreement in declog.toml. NEW_ID defaults to the next free id in the work
    tree and on the base branch. When two decisions share ID, --file says
    which one to renumber. Never overwrites a file.
    """
    from declog.authoring import renumber as renumbering
    from declog.authoring.scaffold import base_ids

    log_root = resolve_root(root)
    result = load_and_check(log_root)
    if result.log is None:
        emit(result.findings, "text", log_root, None, files=0)
        error("the log's declog.toml has errors; fix them before renumbering")
        sys.exit(EXIT_USAGE)
    try:
        planned = renumbering.plan(
            result.log,
            log_root,
            old_id,
            new_id,
            file=file,
            base_numbers=base_ids(log_root, base),
        )
        if not dry_run:
            renumbering.write(log_root, planned)
    except renumbering.RenumberError as exc:
        error(str(exc))
        sys.exit(EXIT_USAGE)
    verb = "would renumber" if dry_run else "renumbered"
    click.echo(line(f"{verb} {planned.old_id} to {planned.new_id}: {planned.source} -> {planned.target}"))
    for change in planned.changes:
        click.echo(line(f"  {change.path}"))
        for what in change.what:
            click.echo(line(f"    {what}"))
    for note in planned.unsure:
        click.echo(line(f"declog: note: {note}"), err=True)
    if not dry_run:
        click.echo("declog: next: run `declog check`, then commit the rename and the edits", err=True)
