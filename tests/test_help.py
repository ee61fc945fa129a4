"""What `declog --help` and every command's help show: whole summaries, aliases as aliases,
documentation by its published address, one vocabulary of output formats (issue 12, item 9)."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from conftest import ACCEPTED, REPO, LogMaker, doc, invoke

from declog.cli import cli
from declog.cli.base import OLD_FORMAT_NAMES, FormatChoice
from declog.log import about
from declog.log.codes import CODES


def commands(
    group: click.Group = cli, path: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], click.Command]]:
    """Every command and group under ``group``, by the words that run it (aliases not included)."""
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        assert command is not None
        yield (*path, name), command
        if isinstance(command, click.Group):
            yield from commands(command, (*path, name))


def help_text(*words: str, width: int = 80) -> str:
    result = CliRunner().invoke(cli, [*words, "--help"], terminal_width=width, prog_name="declog")
    assert result.exit_code == 0, result.output
    return result.output


def command_rows(text: str) -> dict[str, str]:
    """The "Commands:" section of a group's help: shown name -> summary (continuation lines joined)."""
    rows: dict[str, str] = {}
    section = text.split("\nCommands:\n", 1)[1].split("\n\n", 1)[0]
    last = ""
    for line in section.splitlines():
        m = re.match(r"^  (\S.*?)  +(\S.*)$", line)
        if m:
            last = m.group(1)
            rows[last] = m.group(2)
        else:
            rows[last] += " " + line.strip()
    return rows


GROUPS = [(), *(words for words, command in commands() if isinstance(command, click.Group))]


@pytest.mark.parametrize("words", GROUPS, ids=lambda w: " ".join(("declog", *w)))
def test_every_summary_is_whole_and_on_one_line(words: tuple[str, ...]) -> None:
    text = help_text(*words)
    rows = command_rows(text)
    assert rows
    for name, summary in rows.items():
        assert not summary.endswith("..."), f"{name}: {summary}"
        assert summary.endswith("."), f"{name}: the summary is not a whole sentence: {summary}"
        line = next(line for line in text.splitlines() if line.startswith(f"  {name} "))
        assert line.rstrip().endswith(summary), f"{name}: the summary wraps in 80 columns"


def test_a_narrow_terminal_wraps_a_summary_instead_of_cutting_it() -> None:
    rows = command_rows(help_text(width=50))
    assert not any(summary.endswith("...") for summary in rows.values())
    assert rows["import"] == "Import decisions from a spreadsheet or ADRs."


@pytest.mark.parametrize("words", [w for w, _ in commands()], ids=" ".join)
def test_a_summary_fits_the_width_click_gives_it(words: tuple[str, ...]) -> None:
    """Click cuts a command's first sentence at 45 characters where no width is known."""
    command = dict(commands())[words]
    assert not command.get_short_help_str().endswith("..."), command.get_short_help_str(1000)


def test_validate_is_shown_as_an_alias_of_check_and_runs_it(log: LogMaker) -> None:
    rows = command_rows(help_text())
    assert "check (validate)" in rows
    assert "validate" not in rows and "check" not in rows
    assert "`declog validate` is the same command." in " ".join(help_text("check").split())
    log.decision("0001-keep-decisions-in-git", ACCEPTED)
    log.decision("0002-x", doc('id: "0002"\ntitle: X\nstatus: maybe\n'))
    check, validate = log.check(), invoke(["validate", "--root", str(log.root)])
    assert (validate.exit_code, validate.stdout, validate.stderr) == (
        check.exit_code,
        check.stdout,
        check.stderr,
    )
    assert check.exit_code == 1 and "DL103" in check.stdout


def every_help() -> Iterator[tuple[str, str]]:
    yield "declog", help_text()
    for words, _ in commands():
        yield " ".join(("declog", *words)), help_text(*words)


def test_no_help_text_or_docstring_mentions_the_article() -> None:
    for name, text in every_help():
        assert "article" not in text.lower(), name
    for path in sorted((REPO / "declog").rglob("*.py")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            assert "article" not in line.lower(), f"{path.relative_to(REPO)}:{number}: {line.strip()}"


def test_help_names_documentation_by_its_published_address_not_a_docs_folder() -> None:
    base = about.docs_url()
    pages = []
    for name, text in every_help():
        for m in re.finditer(r"Documentation: (\S+)\n", text):
            assert m.group(1).startswith(base), (name, m.group(1))
            pages.append(m.group(1).removeprefix(base).lstrip("/"))
        rest = re.sub(re.escape(base) + r"\S*", "", text)
        assert "docs/" not in rest and ".md" not in rest, name
    assert pages[0] == ""  # declog --help names the documentation's index
    for page in pages[1:]:
        assert (REPO / "docs" / page.partition("#")[0]).is_file(), page
    # every command names its page, except the alias (it is check)
    assert len(pages) == 1 + len(list(commands()))


def test_no_rule_points_at_a_docs_folder() -> None:
    """`declog rules CODE` prints a rule and its fix; a page it names is named by its published address."""
    for code in CODES:
        text = re.sub(re.escape(about.DOCS_URL) + r"\S*", "", invoke(["rules", code]).stdout)
        assert "docs/" not in text, code
    assert f"{about.docs_url('configuration.md')} for each setting" in " ".join(
        invoke(["rules", "DL502"]).stdout.split()
    )


def test_a_rule_reads_as_plain_text_in_a_terminal() -> None:
    """No Markdown marks, links as text and address, lines wrapped but never inside an address."""
    run = invoke(["rules", "dl302"], env={"COLUMNS": "60"})
    assert run.exit_code == 0
    text = run.stdout
    assert text.startswith("DL302 missing-approvals\n\nAn accepted decision has the approvals")
    assert "**" not in text and "###" not in text and "](" not in text
    assert "Default severity: error\n" in text
    assert (
        f"import.md\n    ({about.docs_url('import.md')})" in text
        or f"import.md ({about.docs_url('import.md')})" in text
    )
    assert all(len(row) <= 60 or about.docs_url() in row for row in text.splitlines())
    assert "Fix: Record each partner's approval under" in text  # code spans keep their backticks
    assert "`approvals`" in text


def test_a_rule_in_markdown_is_the_reference_entry() -> None:
    run = invoke(["rules", "DL302", "--format", "markdown"])
    assert run.stdout.startswith("### DL302 missing-approvals\n")
    assert "- Default severity: **error**" in run.stdout
    assert invoke(["rules", "--format", "markdown"]).stdout == (REPO / "docs" / "rules.md").read_text(
        encoding="utf-8"
    )
    assert (
        invoke(["rules", "DL302", "--format", "json"])
        .json()["fix"]
        .startswith("Record each partner's approval")
    )


def test_the_documentation_address_comes_from_the_package_metadata(monkeypatch: pytest.MonkeyPatch) -> None:
    urls = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["urls"]
    assert urls["Documentation"] == about.DOCS_URL == about.docs_url()
    assert about.docs_url("serve.md") == f"{urls['Documentation']}/serve.md"
    # An installed copy says where its documentation is; declog follows it.
    monkeypatch.setattr(about, "_project_urls", lambda: {"documentation": "https://docs.example.org/declog/"})
    assert about.docs_url("serve.md") == "https://docs.example.org/declog/serve.md"
    assert "Documentation: https://docs.example.org/declog/query.md\n" in help_text("query")


# --- one vocabulary of output formats --------------------------------------------------------


def format_options() -> Iterator[tuple[str, click.Option]]:
    for words, command in commands():
        for param in command.params:
            if isinstance(param, click.Option) and "--format" in param.opts:
                yield " ".join(words), param


def test_every_format_option_speaks_the_same_vocabulary() -> None:
    found = dict(format_options())
    assert set(found) == {"approvals", "audit", "build", "check", "query", "rules"}
    for name, option in found.items():
        assert isinstance(option.type, FormatChoice), name
        choices = list(option.type.choices)
        assert option.default == choices[0] == "text", name
        assert "json" in choices, name
        assert set(choices) <= {"text", "full", "json", "markdown", "csv", "ids", "github", "sarif"}, name
        # the old names are accepted as what they were, but not listed
        for old, new in OLD_FORMAT_NAMES.items():
            assert old not in choices
            assert option.type.convert(old, option, None) == new
        shown = re.search(r"--format \[([^\]]+)\]", help_text(name).replace("\n", " "))
        assert shown is not None and shown.group(1).split("|") == choices, name


def test_an_unknown_format_lists_only_the_current_names() -> None:
    run = invoke(["query", "--root", str(REPO), "status = accepted", "--format", "tabel"])
    assert run.exit_code == 2
    assert "'tabel' is not one of 'text', 'json', 'csv', 'ids'" in run.stderr


@pytest.mark.example
def test_query_and_audit_take_the_old_names_and_the_new(tmp_path: Path) -> None:
    query = ["query", "--root", str(REPO), "status = accepted", "--today", "2026-12-01"]
    text, table = invoke([*query, "--format", "text"]), invoke([*query, "--format", "table"])
    assert text.exit_code == table.exit_code == 0
    assert text.stdout == table.stdout == invoke(query).stdout
    assert text.lines[0].split() == ["id", "status", "mode", "partners", "deadline", "decided", "title"]
    audit = ["audit", "--root", str(REPO), "--today", "2026-12-01"]
    assert invoke([*audit, "--format", "text"]).stdout == invoke(audit).stdout
    assert invoke([*audit, "--format", "concise"]).stdout == invoke(audit).stdout


def test_check_and_build_take_the_old_names_and_the_new(log: LogMaker, tmp_path: Path) -> None:
    log.decision("0001-keep-decisions-in-git", ACCEPTED)
    log.decision("0002-x", doc('id: "0002"\ntitle: X\nstatus: maybe\n'))
    text, concise = log.check("--format", "text"), log.check("--format", "concise")
    assert text.exit_code == concise.exit_code == 1
    assert text.stdout == concise.stdout == log.check().stdout
    assert text.lines[0].startswith("content/decisions/0002-x.md:4:9: error DL103 status 'maybe'")
    assert log.check(env={"DECLOG_OUTPUT_FORMAT": "concise"}).stdout == text.stdout
    build = ["build", "--root", str(log.root), "--no-search", "--no-cache", "-o", str(tmp_path / "site")]
    for fmt in ("text", "concise"):
        run = invoke([*build, "--format", fmt])
        assert run.exit_code == 1 and run.stdout == text.stdout, fmt
