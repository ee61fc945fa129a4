"""declog init, declog new, declog approvals: pull requests as the workflow."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from declog.check import output
from declog.check.checker import load_and_check
from declog.cli.base import (
    EXIT_OK,
    EXIT_PROBLEMS,
    EXIT_USAGE,
    append_job_summary,
    cli,
    emit,
    error,
    format_option,
    resolve_root,
    root_option,
    shown_path,
)
from declog.log import clock, git
from declog.log.diagnostics import plural
from declog.log.escape import json_text, line, md_text

if TYPE_CHECKING:
    from declog.pr.pullrequest import ApprovalsResult
    from declog.pr.reviews import PullRequest

# --- pull requests as the workflow: init, new, approvals -------------------------------------


@cli.command(docs="getting-started.md")
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
@click.option(
    "--action",
    metavar="OWNER/REPO@REF",
    help="The declog action the workflows use; it installs declog from that repository at REF. "
    "Default: this declog's repository at its version's tag.",
)
@click.option(
    "--update",
    is_flag=True,
    help="In an existing log: regenerate declog's part of CODEOWNERS from the partners and add "
    "missing workflow files. Nothing else is overwritten.",
)
def init(
    directory: Path,
    partner_id: str,
    partner_name: str,
    members: tuple[str, ...],
    timezone: str,
    title: str,
    force: bool,
    action: str | None,
    update: bool,
) -> None:
    """Start a decision log, or --update one.

    Creates a new log in DIRECTORY (default: here): declog.toml, a first
    partner and decision, GitHub workflows (check every pull request; publish
    to GitHub Pages), a pull request template, CODEOWNERS and a pre-commit
    configuration. Existing files are never overwritten without --force;
    running it again is safe. With --update, brings an existing log's
    CODEOWNERS in step with its partners.
    """

    from declog.authoring import scaffold

    if update:
        if force:
            raise click.UsageError("--update never overwrites your files; leave out --force")
        _init_update(directory, action)
        return
    default = scaffold.default_owner()
    handles = list(members) or [default or scaffold.PLACEHOLDER]
    try:
        uses = action or scaffold.default_action()
        files = scaffold.init_files(
            partner=partner_id,
            name=partner_name,
            members=handles,
            timezone=timezone,
            title=title,
            now=clock.current(),
            action=uses,
        )
        result = scaffold.init(directory, files, force=force)
    except scaffold.ScaffoldError as exc:
        error(str(exc))
        sys.exit(EXIT_USAGE)
    for rel in result.written:
        click.echo(f"created {(directory / rel).as_posix()}")
    if result.unchanged:
        click.echo(f"declog: {plural(len(result.unchanged), 'file')} already up to date", err=True)
    placeholder = not members and not default
    if placeholder:
        click.echo(
            f"declog: warning: no --member given and no GitHub handle known (git config github.user): "
            f"the partner's member is the placeholder '{scaffold.PLACEHOLDER}'",
            err=True,
        )
    steps = scaffold.next_steps(
        directory.as_posix(), action=uses, placeholder=placeholder, partner=partner_id
    )
    click.echo("\n".join(steps), err=True)


def _init_update(directory: Path, action: str | None) -> None:
    """``declog init --update``: CODEOWNERS in step with the partners, missing CI files added."""
    from declog.authoring import scaffold
    from declog.log.config import CONFIG_FILE

    root = directory.resolve()
    if not (root / CONFIG_FILE).is_file():
        click.echo(
            f"declog: error: no {CONFIG_FILE} in {directory.as_posix()}: --update works on an existing log "
            "(run `declog init` first)",
            err=True,
        )
        sys.exit(EXIT_USAGE)
    checked = load_and_check(root)
    if checked.log is None:
        emit(checked.findings, "text", root, None, files=0)
        sys.exit(EXIT_USAGE)
    try:
        result = scaffold.update(root, checked.log, action=action)
    except scaffold.ScaffoldError as exc:
        click.echo(f"declog: error: {exc}", err=True)
        sys.exit(EXIT_USAGE)
    for rel in result.written:
        click.echo(f"wrote {(directory / rel).as_posix()}")
    for rel in result.kept:
        click.echo(f"declog: kept {rel}: it differs from what this declog would write", err=True)
    if not result.written:
        click.echo("declog: CODEOWNERS and the CI files are up to date", err=True)


@cli.command(docs="workflow.md")
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
@click.option("-q", "--quiet", is_flag=True, help="Print only the path, not what to do next.")
def new(
    title: str,
    root: Path | None,
    partners: tuple[str, ...],
    mode: str | None,
    category: str,
    meeting: str | None,
    owner: str | None,
    base: str | None,
    quiet: bool,
) -> None:
    """Write a new decision and print its path.

    The decision is titled TITLE; its id is one more than the highest in the
    work tree and on the base branch. Never overwrites a file. The path goes
    to standard output; what to do next (write the body, open a pull request,
    who must approve it and by when) to standard error, unless --quiet.
    """

    from declog.authoring import scaffold

    log_root = resolve_root(root)
    result = load_and_check(log_root)
    if result.log is None:
        emit(result.findings, "text", log_root, None, files=0)
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
            now=clock.current(),
            base_numbers=scaffold.base_ids(log_root, base),
        )
        path = scaffold.write_new(log_root, made)
    except scaffold.ScaffoldError as exc:
        click.echo(f"declog: error: {exc}", err=True)
        sys.exit(EXIT_USAGE)
    click.echo(shown_path(path))
    if not quiet:
        for note in made.notes:
            click.echo(f"declog: next: {line(note)}", err=True)


@cli.command(docs="workflow.md")
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
@click.option(
    "--write",
    is_flag=True,
    help="Record the approvals in the decision files (the reviews, and silence that counts), then say "
    "what is next for each proposal: the lines that accept it, or who is still awaited.",
)
@click.option(
    "--force",
    is_flag=True,
    help="Apply reviews that do not look like this pull request's (files or commits not here).",
)
@click.option(
    "--comment",
    is_flag=True,
    help="Keep one status comment on the pull request (edited in place) and set the commit status "
    "declog/approvals on its head. GitHub Actions: needs GITHUB_TOKEN with pull-requests: write and "
    "statuses: write.",
)
@format_option(
    ("text", "json", "github"),
    "How the approvals are printed; github: text plus annotations and a job summary.",
)
def approvals(
    root: Path | None,
    number: int | None,
    reviews_file: Path | None,
    event_file: Path | None,
    base: str | None,
    write: bool,
    force: bool,
    comment: bool,
    fmt: str,
) -> None:
    """Judge a pull request's approvals by partner.

    Which partners approved each decision the pull request adds or changes,
    from its reviews (a review by a member approves for their partner). Exit 0
    when every decision meets the approval rule and no approval is forged or
    stale, 1 otherwise (use it as a required status check), 2 on usage errors.
    """
    from declog.pr import pullrequest
    from declog.pr.reviews import ReviewsError

    log_root = resolve_root(root)
    if reviews_file is None and event_file is None and os.environ.get("GITHUB_EVENT_PATH"):
        event_file = Path(os.environ["GITHUB_EVENT_PATH"])
    try:
        pull = pullrequest.load_pull(reviews_file=reviews_file, event_file=event_file, number=number)
        result = pullrequest.run(log_root, pull, base=base, write=write, force=force)
    except (ReviewsError, pullrequest.ApprovalsError) as exc:
        error(str(exc))
        sys.exit(EXIT_USAGE)
    if result.report is None:
        emit(result.check.findings, "text", log_root, None, files=0)
        sys.exit(EXIT_USAGE)
    if fmt == "json":
        click.echo(pullrequest.render_json(result), nl=False)
    else:
        click.echo(pullrequest.render_text(result), nl=False)
    if write:
        for step in pullrequest.next_steps(result):
            click.echo(f"declog: next: {line(step)}", err=True)
    from declog.pr import status

    note = _comment(pull, result) if comment else ""
    if fmt == "github":
        prefix = git.repo_prefix(log_root)
        click.echo(output.render_github(list(result.report.findings), prefix), nl=False)
    if (fmt == "github" or comment) and os.environ.get("GITHUB_STEP_SUMMARY"):
        which = f"pull request #{pull.number}" if pull.number else "the pull request"
        report = status.render(result, head=pull.head_sha, comment=False)
        append_job_summary(f"## Approvals for {which}\n\n{report}{note}")
    sys.exit(EXIT_OK if result.ok else EXIT_PROBLEMS)


def _comment(pull: PullRequest, result: ApprovalsResult) -> str:
    """``approvals --comment``: publish the status; on failure a warning and a note for the job summary."""
    from declog.pr import bot
    from declog.pr.github import GitHub, GitHubError

    if pull.number is None:
        error("--comment needs the pull request's number: pass --pr N")
        sys.exit(EXIT_USAGE)
    try:
        gh = GitHub.from_env(repo=pull.repository or None)
        for done in bot.publish(gh, pull.number, result, pull.head_sha):
            click.echo(f"declog: {line(done)}", err=True)
    except (GitHubError, bot.BotError) as exc:
        click.echo(f"declog: warning: no status comment: {line(str(exc))}", err=True)
        return (
            "\n> [!NOTE]\n> declog could not comment on the pull request or set its status: "
            f"{md_text(str(exc))}\n> The report above is the same. docs/bot.md says which "
            "permissions the workflow needs; a pull request from a fork gets a read-only token "
            "under `pull_request` (use `pull_request_target`, as `declog init` writes it).\n"
        )
    return ""


@cli.command(docs="bot.md")
@root_option
@click.option(
    "--now",
    "moment",
    metavar="TIME",
    help="Judge at this moment (ISO 8601, e.g. 2026-11-26T15:00:00Z). Default: the clock.",
)
@click.option(
    "--pr", "numbers", type=int, multiple=True, metavar="N", help="Only this pull request (repeat)."
)
@click.option("--dry-run", is_flag=True, help="Print every change it would make on GitHub, and make none.")
def remind(root: Path | None, moment: str | None, numbers: tuple[int, ...], dry_run: bool) -> None:
    """Remind awaited partners and record silence.

    For every open pull request with proposed decisions, judged by the base
    branch at ROOT (the default branch's checkout): before each deadline, at
    the points of [workflow.reminders] before, it mentions the members of the
    partners still awaited, once per point; after the deadline it commits the
    silence approvals the rules count to the pull request's branch and sets the
    new head's statuses, or, where silence does not count, posts one overdue
    notice and adds a label. Nothing is sent twice: what was sent is marked in
    the pull request's own comments. Needs GITHUB_TOKEN and GITHUB_REPOSITORY.
    Exit 0 when every pull request was handled, 1 when one could
    not be, 2 on usage errors.
    """
    from declog.log.timeparse import parse_datetime
    from declog.pr import bot
    from declog.pr.github import GitHub, GitHubError

    log_root = resolve_root(root)
    now = clock.current()
    if moment is not None:
        try:
            now = parse_datetime(moment)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--now") from None
    checked = load_and_check(log_root)
    if checked.log is None:
        emit(checked.findings, "text", log_root, None, files=0)
        sys.exit(EXIT_USAGE)

    def planned(method: str, path: str, body: object) -> None:
        click.echo(f"would {method} {path}")
        if body is not None:
            click.echo(json_text(json.dumps(body, indent=2, ensure_ascii=False)))

    try:
        gh = GitHub.from_env(dry_run=planned if dry_run else None)
        outcomes = bot.remind(
            log_root,
            gh,
            checked.log.config.workflow.reminders,
            now,
            numbers=numbers,
            token=os.environ.get("GITHUB_TOKEN", ""),
            dry_run=dry_run,
            say=lambda text: click.echo(f"declog: {line(text)}", err=True),
        )
    except GitHubError as exc:
        error(str(exc))
        sys.exit(EXIT_USAGE)
    failed = [o for o in outcomes if o.failed]
    if not outcomes:
        click.echo("declog: no open pull request", err=True)
    lines = [t for o in outcomes for t in (*o.done, *o.notes, *([o.failed] if o.failed else []))]
    title = "## declog remind" + (" (dry run: nothing was sent)" if dry_run else "")
    append_job_summary(
        f"{title}\n\n" + "".join(f"- {md_text(t)}\n" for t in lines or ["no open pull request"])
    )
    sys.exit(EXIT_PROBLEMS if failed else EXIT_OK)
