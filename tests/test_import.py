"""`declog import`: spreadsheets and ADR folders into the log, as a user runs it.

The samples follow each format's public documentation (adr-tools' own first
record, MADR 2/3/4's templates, log4brains' bullets) and the spreadsheets
people really keep: Excel's Windows-1252 with semicolons and German dates, a
byte-order mark, quoted line breaks, formula-looking cells.
"""

from __future__ import annotations

import datetime as dt
import os
import textwrap
from pathlib import Path
from typing import Any

import frontmatter
import pytest
from conftest import ACCEPTED, GLOBEX, LogMaker, Run, invoke

from declog.authoring import importing
from declog.check.checker import load_and_check
from declog.check.rules import as_history
from declog.check.rules.context import Context
from declog.log.codes import finding
from declog.log.diagnostics import Pos, Severity
from declog.log.model import Log

CONFIG = """\
[site]
title = "Imported log"
timezone = "Europe/Berlin"

[workflow]
feedback_window = "48h"
approval = "all"
meeting_required = ["strategic"]
"""

ACME_NAMED = """\
---
id: acme
name: Acme Spedition GmbH
timezone: Europe/Berlin
members:
  - handle: alice
    name: Alice Archer
  - bob
  - bob-builder
---
"""


@pytest.fixture
def log(tmp_path: Path) -> LogMaker:
    """A small log: two partners (acme, globex) and one decision (0001), so imports start at 0002."""
    maker = LogMaker(tmp_path / "log")
    maker.write("declog.toml", CONFIG)
    maker.partner("acme", ACME_NAMED)
    maker.partner("globex", GLOBEX)
    maker.decision("0001-keep-decisions-in-git", ACCEPTED)
    return maker


def run_import(log: LogMaker, *args: str | Path) -> Run:
    return invoke(["import", *map(str, args), "--root", str(log.root)])


def decisions(log: LogMaker) -> dict[str, Any]:
    """Decision file name -> (frontmatter, body), as declog reads it; python-frontmatter must agree."""
    result = load_and_check(log.root)
    assert result.log is not None
    out = {}
    for d in result.log.decisions:
        post = frontmatter.load(log.root / d.path)
        assert _as_text(post.metadata) == dict(d.data), d.path
        assert post.content.strip() == d.body.strip(), d.path
        out[d.path.rsplit("/", 1)[-1]] = (dict(d.data), d.body)
    return out


def _as_text(value: Any) -> Any:
    """YAML 1.1 (python-frontmatter) reads date-times as datetimes; declog keeps the text."""
    if isinstance(value, dict):
        return {k: _as_text(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_as_text(v) for v in value]
    return value.isoformat() if isinstance(value, dt.datetime) else value


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def checked_clean(log: LogMaker) -> Run:
    """`declog check` on the log: no errors (warnings allowed for what a source cannot tell)."""
    run = invoke(["check", "--root", str(log.root)])
    assert run.exit_code == 0, run.stdout
    assert " error " not in run.stdout
    return run


# --- csv: the messy spreadsheet ----------------------------------------------------------------

#: Excel on a German Windows: Windows-1252, semicolons, DD.MM.YYYY, CRLF, a quoted line break.
MESSY = [
    "Nr;Datum;Beschluss;Status;Verantwortlich;Partner;Begründung;Notizen;Budget",
    '1;03.02.2021;Übergabe nur mit Scan: "Lieferschein";Beschlossen;Alice Archer;Acme, Globex;Weniger Verluste;"Zeile eins\r\nZeile zwei";500 €',
    "2;15.03.2021;Use MySQL;Superseded by 4;carol;Globex;;;",
    "3;;Only a title;;;;;;",
    '4;01.06.2021;"=HYPERLINK(""http://evil.example"";""click"")";Done;Hans Müller;Initech;Because;+cmd @SUM(A1);',
    "5;02.07.2021;Parked idea;Parked;;;;;",
    "6;09.08.2021;Open question;In Diskussion;bob-builder;acme;;\x1b[31mred\x07;",
    "",
]


def write_messy(path: Path) -> Path:
    path.write_bytes("\r\n".join(MESSY).encode("cp1252"))
    return path


def test_a_messy_spreadsheet_becomes_decisions_that_pass_the_check(log: LogMaker, tmp_path: Path) -> None:
    sheet = write_messy(tmp_path / "Entscheidungen.csv")
    run = run_import(log, "csv", sheet)
    assert run.exit_code == 1, run.stderr  # one row skipped: its status is not mapped
    assert run.lines[:5] == [
        "declog import csv Entscheidungen.csv",
        "  Entscheidungen.csv: Windows-1252, semicolon-separated, 6 rows below the header",
        "  columns: Nr -> id, Datum -> date, Beschluss -> title, Status -> status, Verantwortlich -> owner, "
        "Partner -> partners, Begründung -> rationale, Notizen -> notes",
        "  not mapped to a field, kept in the body: Budget (row 2)",
        '  statuses: "Beschlossen" -> accepted (row 2), "Superseded by …" -> superseded (row 3), '
        '(no status) -> accepted (row 4), "Done" -> accepted (row 5), "In Diskussion" -> proposed (row 7)',
    ]
    assert "imported 5 decisions" in run.lines
    assert "  content/decisions/0002-uebergabe-nur-mit-scan-lieferschein.md  accepted   <- row 2" in run.lines
    assert run.lines[run.lines.index("skipped 1 record:") + 1] == (
        "  Entscheidungen.csv:7 (row 6): status 'Parked' is not mapped: map it in a --map file, "
        'e.g. [status] "Parked" = "accepted"'
    )
    assert "  Entscheidungen.csv:8 (row 7): 2 control characters removed" in run.lines
    assert any(line.startswith('  "Initech" (row 5): printf ') for line in run.lines)
    assert "content/partners/initech.md" in run.stdout
    assert '"Hans Müller" (row 5)' in run.stdout
    assert (
        run.lines[-1]
        == "declog check of the imported decisions: 0 errors, 4 warnings (run `declog check` to see them)"
    )

    got = decisions(log)
    assert sorted(got) == [
        "0001-keep-decisions-in-git.md",
        "0002-uebergabe-nur-mit-scan-lieferschein.md",
        "0003-use-mysql.md",
        "0004-only-a-title.md",
        "0005-hyperlink-http-evil-example-click.md",
        "0006-open-question.md",
    ]
    data, body = got["0002-uebergabe-nur-mit-scan-lieferschein.md"]
    assert data == {
        "id": "0002",
        "title": 'Übergabe nur mit Scan: "Lieferschein"',
        "status": "accepted",
        "partners": ["acme", "globex"],
        "owner": "alice",
        "decided": "2021-02-03T00:00:00+01:00",
        "rationale": "Weniger Verluste",
        "imported_from": {"format": "csv", "file": "Entscheidungen.csv", "row": 2},
    }
    assert body == textwrap.dedent(
        """
        Zeile eins
        Zeile zwei

        ## Imported from Entscheidungen.csv

        - **Nr:** 1
        - **Datum:** 03.02.2021
        - **Beschluss:** Übergabe nur mit Scan: "Lieferschein"
        - **Status:** Beschlossen
        - **Verantwortlich:** Alice Archer
        - **Partner:** Acme, Globex
        - **Begründung:** Weniger Verluste
        - **Budget:** 500 €
        """
    )
    mysql, _ = got["0003-use-mysql.md"]
    formula, formula_body = got["0005-hyperlink-http-evil-example-click.md"]
    assert (mysql["status"], mysql["superseded_by"], mysql["owner"]) == ("superseded", "0005", "carol")
    assert formula["title"] == '=HYPERLINK("http://evil.example";"click")'  # text, never a formula
    assert (formula["supersedes"], formula["decided"]) == (["0003"], "2021-06-01T00:00:00+02:00")
    assert "owner" not in formula and "partners" not in formula  # Hans Müller, Initech: not in the log
    assert formula_body.startswith("\n+cmd @SUM(A1)\n")
    assert got["0004-only-a-title.md"][0] == {
        "id": "0004",
        "title": "Only a title",
        "status": "accepted",
        "imported_from": {"format": "csv", "file": "Entscheidungen.csv", "row": 4},
    }
    question, question_body = got["0006-open-question.md"]
    assert (question["status"], question["proposed"], question["owner"]) == (
        "proposed",
        "2021-08-09T00:00:00+02:00",
        "bob-builder",
    )
    assert "\x1b" not in question_body and "[31mred" in question_body

    check = checked_clean(log)
    assert check.stdout.count("warning DL310") == 4

    again = run_import(log, "csv", sheet)
    assert "imported 0 decisions" in again.lines
    assert "already imported and unchanged: 5 records" in again.lines
    assert len(decisions(log)) == 6


def test_a_status_mapped_later_imports_only_that_row(log: LogMaker, tmp_path: Path) -> None:
    sheet = write_messy(tmp_path / "Entscheidungen.csv")
    assert run_import(log, "csv", sheet).exit_code == 1
    mapping = tmp_path / "map.toml"
    mapping.write_text('[status]\n"Parked" = "draft"\n\n[partners]\n"Initech" = "globex"\n')
    run = run_import(log, "csv", sheet, "--map", mapping)
    assert run.exit_code == 0, run.stdout
    assert "  content/decisions/0007-parked-idea.md  draft      <- row 6" in run.lines
    assert "already imported and unchanged: 5 records" in run.lines
    assert decisions(log)["0007-parked-idea.md"][0]["status"] == "draft"


def test_a_changed_row_is_reported_not_duplicated(log: LogMaker, tmp_path: Path) -> None:
    sheet = tmp_path / "log.csv"
    sheet.write_text("Title,Date,Status\nUse Postgres,2024-01-05,Accepted\nUse Redis,2024-02-01,Open\n")
    assert run_import(log, "csv", sheet).exit_code == 0
    sheet.write_text("Title,Date,Status\nUse Postgres,2024-01-05,Accepted\nUse Redis,2024-02-03,Approved\n")
    before = tree(log.root)
    run = run_import(log, "csv", sheet)
    assert run.exit_code == 1
    assert run.lines[-3:] == [
        "already imported and unchanged: 1 record",
        "changed in the source since they were imported: 1 record (nothing was overwritten; edit the "
        "decision if the change should count)",
        "  content/decisions/0003-use-redis.md <- row 3: status: proposed -> accepted; proposed: "
        "2024-02-01T00:00:00+01:00 -> (none); decided: (none) -> 2024-02-03T00:00:00+01:00; body",
    ]
    assert tree(log.root) == before


def test_a_row_inserted_above_others_is_the_only_one_added(log: LogMaker, tmp_path: Path) -> None:
    sheet = tmp_path / "log.csv"
    sheet.write_text("Title,Date\nUse Postgres,2024-01-05\nUse Redis,2024-02-01\n")
    assert run_import(log, "csv", sheet).exit_code == 0
    sheet.write_text("Title,Date\nUse Kafka,2024-03-01\nUse Postgres,2024-01-05\nUse Redis,2024-02-01\n")
    run = run_import(log, "csv", sheet)
    assert run.exit_code == 0, run.stdout
    assert run.lines[5:8] == [
        "imported 1 decision",
        "  content/decisions/0004-use-kafka.md  accepted   <- row 2",
        "already imported and unchanged: 2 records",
    ]


def test_a_byte_order_mark_and_iso_dates(log: LogMaker, tmp_path: Path) -> None:
    sheet = tmp_path / "sheet.csv"
    sheet.write_bytes(
        b'\xef\xbb\xbfTitle,Decided,Owner,Tags\nAdopt TLS 1.3,2024-03-01T14:30:00-05:00,Carol C,"Security, TLS"\n'
    )
    run = run_import(log, "csv", sheet)
    assert run.exit_code == 0, run.stdout
    assert "  sheet.csv: UTF-8 with BOM, comma-separated, 1 row below the header" in run.lines
    data, _ = decisions(log)["0002-adopt-tls-1-3.md"]
    assert (data["decided"], data["owner"], data["tags"]) == (
        "2024-03-01T14:30:00-05:00",
        "carol",
        ["security", "tls"],
    )


def test_excels_sep_line_and_a_plural_header(log: LogMaker, tmp_path: Path) -> None:
    sheet = tmp_path / "s.csv"
    sheet.write_text("sep=|\nDecisions|When\nShip on Fridays, not Mondays|2024-05-03\n")
    run = run_import(log, "csv", sheet)
    assert run.exit_code == 0, run.stdout
    assert run.lines[1:3] == [
        "  s.csv: UTF-8, bar-separated, 1 row below the header",
        "  columns: Decisions -> title, When -> date",
    ]
    assert decisions(log)["0002-ship-on-fridays-not-mondays.md"][0]["title"] == "Ship on Fridays, not Mondays"


def test_slash_dates_are_read_the_way_one_unambiguous_date_shows(log: LogMaker, tmp_path: Path) -> None:
    sheet = tmp_path / "sheet.csv"
    sheet.write_text("Decision\tDate\nA\t03/04/2021\nB\t23/04/2021\n")
    run = run_import(log, "csv", sheet)
    assert "  dates read as DD/MM/YYYY" in run.lines
    assert "  sheet.csv: UTF-8, tab-separated, 2 rows below the header" in run.lines
    assert decisions(log)["0002-a.md"][0]["decided"] == "2021-04-03T00:00:00+02:00"


def test_ambiguous_dates_need_a_date_format(log: LogMaker, tmp_path: Path) -> None:
    sheet = tmp_path / "sheet.csv"
    sheet.write_text("Decision,Date\nA,03/04/2021\nB,05/06/2021\nC,07/07/2021\n")
    before = tree(log.root)
    run = run_import(log, "csv", sheet)
    assert (run.exit_code, run.stdout) == (2, "")
    assert run.stderr == (
        "declog: error: sheet.csv:2: ambiguous dates: '03/04/2021' could be DD/MM/YYYY or MM/DD/YYYY, "
        "and no date in the source tells which (ambiguous: row 2, row 3); pass --date-format '%d/%m/%Y' or "
        "--date-format '%m/%d/%Y'\n"
    )
    assert tree(log.root) == before
    run = run_import(log, "csv", sheet, "--date-format", "%m/%d/%Y")
    assert run.exit_code == 0
    assert "  dates read as %m/%d/%Y (--date-format)" in run.lines
    assert decisions(log)["0002-a.md"][0]["decided"] == "2021-03-04T00:00:00+01:00"


def test_dry_run_writes_nothing_and_says_what_it_would_do(log: LogMaker, tmp_path: Path) -> None:
    sheet = write_messy(tmp_path / "Entscheidungen.csv")
    before = tree(log.root)
    run = run_import(log, "csv", sheet, "--dry-run")
    assert run.exit_code == 1
    assert "would import 5 decisions (dry run: nothing was written)" in run.lines
    assert "  content/decisions/0006-open-question.md" in run.stdout
    assert "declog check" not in run.stdout
    assert tree(log.root) == before


@pytest.mark.parametrize(
    "title",
    [
        "no",
        "NULL",
        "~",
        "0012",
        "12:30",
        "1e3",
        "- a dash",
        "* a star",
        "&anchor *alias",
        "!tag value",
        "%YAML 1.1",
        "@SUM(A1)",
        "+cmd|' /C calc'!A0",
        "key: value # comment",
        "'single' and \"double\" quotes",
        "[a, b] {c: d}",
        "? question",
        "| block > folded",
        "back\\slash \\n not a line break",
        "---",
        "emoji 🎉 and ünïcödé",
    ],
)
def test_titles_yaml_would_misread_are_written_as_text(log: LogMaker, tmp_path: Path, title: str) -> None:
    sheet = tmp_path / "t.csv"
    sheet.write_text('Title,Status\n"' + title.replace('"', '""') + '",accepted\n', encoding="utf-8")
    assert run_import(log, "csv", sheet).exit_code == 0
    (data, _), *_ = [v for k, v in decisions(log).items() if k.startswith("0002-")]
    assert data["title"] == title
    checked_clean(log)


def test_control_characters_and_odd_line_breaks_never_reach_the_log(log: LogMaker, tmp_path: Path) -> None:
    sheet = tmp_path / "t.csv"
    sheet.write_text(
        'Title,Notes\n"bell\x07 and\u2028line\tsep\x85arator","esc\x1b[2J\x00 nul\u2029para\x9b"\n',
        encoding="utf-8",
    )
    run = run_import(log, "csv", sheet)
    assert run.exit_code == 0, run.stdout
    # BEL, ESC, NUL and CSI are removed; NEL, LS and PS are line breaks
    assert "  t.csv:2: 4 control characters removed" in run.lines
    data, body = decisions(log)["0002-bell-and-line-sep-arator.md"]
    assert data["title"] == "bell and line sep arator"
    assert body.startswith("\nesc[2J nul\npara\n")
    checked_clean(log)


def test_a_map_file_names_columns_people_and_partners(log: LogMaker, tmp_path: Path) -> None:
    sheet = tmp_path / "s.csv"
    sheet.write_text("Was,Wann,Wer,Mit\nShip on Fridays,2024-05-03,The Boss,Big Customer\n")
    mapping = tmp_path / "map.toml"
    mapping.write_text(
        textwrap.dedent(
            """\
            [columns]
            title = "Was"
            date = "Wann"
            owner = "Wer"
            partners = "Mit"

            [people]
            "The Boss" = "dave"

            [partners]
            "Big Customer" = "globex"
            """
        )
    )
    run = run_import(log, "csv", sheet, "--map", mapping)
    assert run.exit_code == 0, run.stdout
    data, _ = decisions(log)["0002-ship-on-fridays.md"]
    assert (data["owner"], data["partners"], data["decided"]) == (
        "dave",
        ["globex"],
        "2024-05-03T00:00:00+02:00",
    )


OK_SHEET = {"x.csv": "Title\nok\n"}


@pytest.mark.parametrize(
    ("files", "source", "args", "message"),
    [
        ({}, "missing.csv", [], "{t}/missing.csv: no such file or folder"),
        ({"e.csv": "\r\n \n"}, "e.csv", [], "e.csv: the file is empty"),
        (
            {"b.xlsx": b"PK\x03\x04rest"},
            "b.xlsx",
            [],
            "b.xlsx: this is a zip file (an Excel or LibreOffice workbook?), not text: save the sheet as CSV first",
        ),
        (
            {"u16.csv": "T\x00i\x00t\x00l\x00e\x00"},
            "u16.csv",
            [],
            "u16.csv: holds NUL bytes: not a text file (or UTF-16 without a byte-order mark)",
        ),
        ({}, "", [], "{t}: a csv import reads one file, not a folder"),
        ({"pipe.csv": None}, "pipe.csv", [], "{t}/pipe.csv: not a regular file or folder"),
        (
            {"x.csv": b"\xef\xbb\xbfTitle\nok\n\xff\xfe bad\n"},
            "x.csv",
            [],
            "x.csv:3: starts with a UTF-8 byte-order mark but is not UTF-8 (byte 0xff); save it again as UTF-8",
        ),
        (
            {"x.csv": "When,Who\n2024-01-01,me\n"},
            "x.csv",
            [],
            "x.csv:1: no column holds the decision's title (a header such as title, decision, subject, topic; "
            'the header is: When, Who); name it in a --map file: [columns] title = "Your header"',
        ),
        (
            {"x.csv": "Title\nok\n" + '"' + "x" * 200_000 + '"\n'},
            "x.csv",
            [],
            "x.csv:3: cannot read this row (field larger than field limit (131072))",
        ),
        (
            OK_SHEET,
            "x.csv",
            ["--date-format", "%d.%m."],
            "--date-format '%d.%m.' does not give day, month and year: write it with %d, %m (or %b, %B) and %Y, "
            "e.g. %d.%m.%Y",
        ),
        (
            {**OK_SHEET, "m.toml": "[status\n"},
            "x.csv",
            ["--map", "{t}/m.toml"],
            "{t}/m.toml:1: not valid TOML: Expected ']' at the end of a table declaration",
        ),
        (
            {**OK_SHEET, "m.toml": '[status]\n"Done" = "accepted"\n"Parked" = "parked"\n'},
            "x.csv",
            ["--map", "{t}/m.toml"],
            '{t}/m.toml:3: [status] "Parked" = "parked": not a status (one of: proposed, draft, accepted, '
            "rejected, withdrawn, superseded)",
        ),
        (
            {**OK_SHEET, "m.toml": "[colums]\n"},
            "x.csv",
            ["--map", "{t}/m.toml"],
            "{t}/m.toml:1: unknown table [colums]; a map has the tables columns, status, partners, people",
        ),
        (
            {**OK_SHEET, "m.toml": '[columns]\ndate = "Datum"\n'},
            "x.csv",
            ["--map", "{t}/m.toml"],
            '{t}/m.toml:2: [columns] date = "Datum": x.csv has no such column (its columns: Title)',
        ),
        (
            {**OK_SHEET, "m.toml": '[partners]\n"Big Co" = "bigco"\n'},
            "x.csv",
            ["--map", "{t}/m.toml"],
            '{t}/m.toml:2: [partners] "Big Co" = "bigco": no partner \'bigco\' in the log (partners: acme, globex)',
        ),
        (
            {**OK_SHEET, "m.toml": "[columns]\ntitle = " + "[" * 1000 + "]" * 1000 + "\n"},
            "x.csv",
            ["--map", "{t}/m.toml"],
            "{t}/m.toml:2: values nested more than 64 deep; a map has two levels",
        ),
        (OK_SHEET, "x.csv", ["--map", "{t}/none.toml"], "--map {t}/none.toml: no such file"),
    ],
)
def test_user_mistakes_are_one_clear_line_and_write_nothing(
    log: LogMaker,
    tmp_path: Path,
    files: dict[str, str | bytes | None],
    source: str,
    args: list[str],
    message: str,
) -> None:
    folder = tmp_path / "src"
    folder.mkdir()
    for name, content in files.items():
        if content is None:
            os.mkfifo(folder / name)
        elif isinstance(content, bytes):
            (folder / name).write_bytes(content)
        else:
            (folder / name).write_text(content)
    before = tree(log.root)
    run = run_import(log, "csv", folder / source, *[a.format(t=folder) for a in args])
    assert (run.exit_code, run.stdout) == (2, "")
    assert run.stderr == f"declog: error: {message.format(t=folder)}\n"
    assert tree(log.root) == before


def test_the_source_cannot_be_the_log_itself(log: LogMaker) -> None:
    run = run_import(log, "madr", log.root / "content" / "decisions")
    assert (run.exit_code, run.stderr) == (
        2,
        f"declog: error: {log.root}/content/decisions: inside the log's own content/ folder; "
        "import from where the records are kept\n",
    )


def test_a_huge_source_is_refused_before_it_is_read(
    log: LogMaker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(importing.csvsource, "MAX_BYTES", 1000)
    sheet = tmp_path / "big.csv"
    sheet.write_text("Title\n" + "a row\n" * 500)
    run = run_import(log, "csv", sheet)
    assert (run.exit_code, run.stderr) == (
        2,
        "declog: error: big.csv: 3,006 bytes is more than the 1,000 an import reads\n",
    )


# --- adr-tools ---------------------------------------------------------------------------------

ADR_TOOLS = {
    "0001-record-architecture-decisions.md": """\
        # 1. Record architecture decisions

        Date: 2016-02-12

        ## Status

        Accepted

        ## Context

        We need to record the architectural decisions made on this project.

        ## Decision

        We will use Architecture Decision Records, as described by Michael Nygard in this article: http://thinkrelevance.com/blog/2011/11/15/documenting-architecture-decisions

        ## Consequences

        See Michael Nygard's article, linked above. For a lightweight ADR toolset, see Nat Pryce's [adr-tools](https://github.com/npryce/adr-tools).
        """,
    "0002-use-mysql.md": """\
        # 2. Use MySQL

        Date: 2016-03-01

        ## Status

        Superseded by [3. Use PostgreSQL](0003-use-postgresql.md)

        ## Context

        We need a database.
        """,
    "0003-use-postgresql.md": """\
        # 3. Use PostgreSQL

        Date: 2016-04-20

        ## Status

        Accepted

        Supercedes [2. Use MySQL](0002-use-mysql.md)

        ## Context

        MySQL lacks transactional DDL. Record 9 was lost: [9. Use Oracle](0009-use-oracle.md), see [[0009]].
        """,
    "0004-log-in-json.md": """\
        # 4. Log in JSON

        Date: 2016-05-02

        ## Status

        Accepted

        Amends [1. Record architecture decisions](0001-record-architecture-decisions.md)

        ## Decision

        Write JSON lines.
        """,
}


def write_folder(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(textwrap.dedent(text), encoding="utf-8")
    return folder


def test_adr_tools_records_keep_their_links(log: LogMaker, tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "doc" / "adr", ADR_TOOLS)
    run = run_import(log, "adr-tools", folder)
    assert run.exit_code == 0, run.stdout
    assert run.lines == [
        "declog import adr-tools adr",
        '  statuses: "Accepted" -> accepted (0001-record-architecture-decisions.md, 0003-use-postgresql.md, '
        '0004-log-in-json.md), "Superseded by …" -> superseded (0002-use-mysql.md)',
        "",
        "imported 4 decisions",
        "  content/decisions/0002-record-architecture-decisions.md  accepted   <- 0001-record-architecture-decisions.md",
        "  content/decisions/0003-use-mysql.md                      superseded <- 0002-use-mysql.md",
        "  content/decisions/0004-use-postgresql.md                 accepted   <- 0003-use-postgresql.md",
        "  content/decisions/0005-log-in-json.md                    accepted   <- 0004-log-in-json.md",
        "notes:",
        "  0003-use-postgresql.md:1: a link to '0009-use-oracle.md' names no record imported: kept as text",
        "declog check of the imported decisions: 0 errors, 4 warnings (run `declog check` to see them)",
    ]
    got = decisions(log)
    mysql, mysql_body = got["0003-use-mysql.md"]
    postgres, postgres_body = got["0004-use-postgresql.md"]
    assert mysql == {
        "id": "0003",
        "title": "Use MySQL",
        "status": "superseded",
        "decided": "2016-03-01T00:00:00+01:00",
        "superseded_by": "0004",
        "imported_from": {"format": "adr-tools", "file": "0002-use-mysql.md"},
    }
    assert mysql_body == textwrap.dedent(
        """
        Date: 2016-03-01

        ## Status

        Superseded by [3. Use PostgreSQL](0004-use-postgresql.md)

        ## Context

        We need a database.
        """
    )
    assert postgres["supersedes"] == ["0003"]
    assert "Supercedes [2. Use MySQL](0003-use-mysql.md)" in postgres_body
    # the source's record 9 is not the log's: shown as text, never a link to another decision
    assert "[9. Use Oracle]\\(0009-use-oracle.md), see [\\[0009]]." in postgres_body
    assert (
        "Amends [1. Record architecture decisions](0002-record-architecture-decisions.md)"
        in (got["0005-log-in-json.md"][1])
    )
    check = checked_clean(log)
    assert "DL302" not in check.stdout and "DL205" not in check.stdout

    again = run_import(log, "adr-tools", folder)
    assert (again.exit_code, "already imported and unchanged: 4 records" in again.lines) == (0, True)
    assert len(decisions(log)) == 5


# --- MADR 2, 3 and 4 ---------------------------------------------------------------------------

MADR = {
    "0000-use-markdown-architectural-decision-records.md": """\
        # Use Markdown Architectural Decision Records

        * Status: accepted
        * Deciders: Alice Archer, Oliver Kopp
        * Date: 2017-12-01

        Technical Story: [description | ticket/issue URL]

        ## Context and Problem Statement

        We want to record architectural decisions made in this project.

        ## Decision Outcome

        Chosen option: "MADR 2.1.2", because

        * Implicit assumptions should be made explicit.
        * The MADR format is lean.
        """,
    "0001-use-plain-junit5.md": """\
        ---
        status: accepted
        date: 2022-03-21
        deciders: [Carol C, dave]
        consulted: The testing guild
        ---
        # Use plain JUnit5 for advanced test assertions

        ## Context and Problem Statement

        How to write readable test assertions?

        ## Decision Outcome

        Chosen option: "Plain JUnit5", because it is a standard framework.
        """,
    "0002-use-hamcrest.md": """\
        ---
        status: "superseded by ADR-0003"
        date: 2023-01-10
        decision-makers: alice
        ---
        # Use Hamcrest matchers

        ## Decision Outcome

        Chosen option: "Hamcrest", because it reads well.
        """,
    "0003-use-assertj.md": """\
        ---
        status: accepted
        date: 2023-05-02
        decision-makers:
          - carol
        ---
        # Use AssertJ

        ## Decision Outcome

        Chosen option: "AssertJ", because of its fluent API.
        """,
    "0004-use-spock.md": """\
        ---
        status: rejected
        date: 2023-06-01
        ---
        # Use Spock

        Groovy is not welcome here.
        """,
    "adr-template.md": """\
        ---
        status: "{proposed | rejected | accepted | deprecated | … | superseded by ADR-0123}"
        ---
        # {short title of solved problem and solution}
        """,
    "README.md": "# Decisions\n",
}


def test_madr_2_3_and_4_with_the_chosen_option_as_rationale(log: LogMaker, tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "docs" / "decisions", MADR)
    run = run_import(log, "madr", folder)
    assert run.exit_code == 0, run.stdout
    assert run.lines[1] == "  ignored (a README, index or template, not a record): README.md, adr-template.md"
    assert '"Oliver Kopp" (0000-use-markdown-architectural-decision-records.md)' in run.stdout
    got = decisions(log)
    madr2, madr2_body = got["0002-use-markdown-architectural-decision-records.md"]
    assert madr2 == {
        "id": "0002",
        "title": "Use Markdown Architectural Decision Records",
        "status": "accepted",
        "owner": "alice",
        "decided": "2017-12-01T00:00:00+01:00",
        "rationale": 'Chosen option: "MADR 2.1.2", because Implicit assumptions should be made explicit. '
        "The MADR format is lean.",
        "imported_from": {"format": "madr", "file": "0000-use-markdown-architectural-decision-records.md"},
    }
    assert madr2_body.startswith("\n* Status: accepted\n* Deciders: Alice Archer, Oliver Kopp\n")
    junit, junit_body = got["0003-use-plain-junit5-for-advanced-test-assertions.md"]
    assert (junit["owner"], junit["decided"]) == ("carol", "2022-03-21T00:00:00+01:00")
    assert junit["rationale"] == 'Chosen option: "Plain JUnit5", because it is a standard framework.'
    assert junit_body.startswith(
        "\n- Status: accepted\n- Date: 2022-03-21\n- Deciders: Carol C, dave\n- Consulted: The testing guild\n\n"
        "## Context and Problem Statement\n"
    )
    hamcrest, _ = got["0004-use-hamcrest-matchers.md"]
    assert (hamcrest["status"], hamcrest["superseded_by"], hamcrest["owner"]) == (
        "superseded",
        "0005",
        "alice",
    )
    assert got["0005-use-assertj.md"][0]["supersedes"] == ["0004"]
    spock, _ = got["0006-use-spock.md"]
    assert (spock["status"], spock["decided"]) == ("rejected", "2023-06-01T00:00:00+02:00")
    check = checked_clean(log)
    assert (
        "content/decisions/0006-use-spock.md:4:9: warning DL309 rejected decision without a reason"
        in check.stdout
    )


# --- log4brains --------------------------------------------------------------------------------

LOG4BRAINS = {
    "20200101-use-log4brains-to-manage-the-adrs.md": """\
        # Use Log4brains to manage the ADRs

        - Status: accepted
        - Date: 2020-01-01
        - Deciders: Alice Archer, Bob Builder
        - Tags: doc, Process

        ## Context and Problem Statement

        We want to record architectural decisions made in this project.

        ## Decision Outcome

        Chosen option: "Log4brains", because it is easy to use.
        """,
    "20200315-use-rest.md": """\
        # Use REST for the public API

        - Status: superseded by [20210204-use-graphql](20210204-use-graphql.md)
        - Deciders: Carol C
        - Tags: api

        ## Context and Problem Statement

        Partners call us.
        """,
    "20210204-use-graphql.md": """\
        # Use GraphQL for the public API

        - Status: accepted
        - Date: 2021-02-04
        - Tags: api

        See [the REST decision](20200315-use-rest.md#context-and-problem-statement).
        """,
    "20210301-drop-ie11.md": """\
        # Drop IE11

        - Status: deprecated
        - Date: 2021-03-01
        """,
    "20210401-try-htmx.md": """\
        # Try htmx

        - Status: draft
        """,
    "index.md": "# Architecture knowledge base\n",
    "template.md": "# [short title]\n\n- Status: [draft | proposed | accepted]\n",
}


def test_log4brains_bullets_and_dated_file_names(log: LogMaker, tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "docs" / "adr", LOG4BRAINS)
    run = run_import(log, "log4brains", folder)
    assert run.exit_code == 0, run.stdout
    assert '"deprecated" -> accepted (tagged deprecated) (20210301-drop-ie11.md)' in run.lines[2]
    got = decisions(log)
    first, _ = got["0002-use-log4brains-to-manage-the-adrs.md"]
    assert (first["owner"], first["tags"], first["decided"]) == (
        "alice",
        ["doc", "process"],
        "2020-01-01T00:00:00+01:00",
    )
    rest, rest_body = got["0003-use-rest-for-the-public-api.md"]
    assert rest == {
        "id": "0003",
        "title": "Use REST for the public API",
        "status": "superseded",
        "owner": "carol",
        "tags": ["api"],
        "decided": "2020-03-15T00:00:00+01:00",  # from the file's name
        "superseded_by": "0004",
        "imported_from": {"format": "log4brains", "file": "20200315-use-rest.md"},
    }
    assert (
        "- Status: superseded by [20210204-use-graphql](0004-use-graphql-for-the-public-api.md)" in rest_body
    )
    assert (
        "[the REST decision](0003-use-rest-for-the-public-api.md#context-and-problem-statement)"
        in (got["0004-use-graphql-for-the-public-api.md"][1])
    )
    assert got["0005-drop-ie11.md"][0]["tags"] == ["deprecated"]
    assert got["0006-try-htmx.md"][0]["status"] == "draft"
    check = checked_clean(log)
    assert "DL205" not in check.stdout


def test_a_symlink_out_of_the_folder_is_not_read(log: LogMaker, tmp_path: Path) -> None:
    secret = tmp_path / "secret.md"
    secret.write_text("# Secret\n\nDo not read.\n")
    folder = write_folder(tmp_path / "adr", {"0001-ok.md": "# 1. Ok\n\nDate: 2020-01-01\n"})
    (folder / "0002-link.md").symlink_to(secret)
    run = run_import(log, "adr-tools", folder)
    assert run.exit_code == 1
    assert "  0002-link.md:1: a symbolic link out of the folder: not read" in run.lines
    assert "Do not read" not in "".join(b.decode() for b in tree(log.root).values())


# --- imported history and the rules ------------------------------------------------------------


def test_imported_history_is_not_held_to_the_rules_for_new_proposals(log: LogMaker) -> None:
    old = """\
        ---
        id: "0002"
        title: Use MySQL
        status: accepted
        category: strategic
        decided: 2016-03-01T00:00:00+01:00
        imported_from:
          format: adr-tools
          file: 0002-use-mysql.md
        ---
        """
    rel = log.decision("0002-use-mysql", textwrap.dedent(old))
    checked_clean(log)
    # the same record without its origin is a decision made here: every rule applies
    log.decision(
        "0002-use-mysql",
        textwrap.dedent(old).replace("imported_from:\n  format: adr-tools\n  file: 0002-use-mysql.md\n", ""),
    )
    run = invoke(["check", "--root", str(log.root)])
    assert run.exit_code == 1
    assert {line.split(" ")[2] for line in run.lines if line.startswith(rel)} >= {"DL302", "DL304", "DL318"}


def test_imported_history_rule_by_rule() -> None:
    from declog.log.config import Config
    from declog.log.model import Decision
    from declog.log.yamlparse import Parsed

    imported = Decision(
        path="content/decisions/0002-x.md",
        doc=Parsed(data={"imported_from": {"format": "csv", "file": "x.csv"}}),
        body="",
        body_line=1,
        id="0002",
    )
    ctx = Context(Log("", Config(), decisions=(imported,)))
    found = [
        finding(code, imported.path, Pos(), "x") for code in ("DL302", "DL309", "DL310", "DL406", "DL201")
    ]
    assert [(d.code, d.severity) for d in as_history(found, ctx)] == [
        ("DL309", Severity.WARNING),
        ("DL310", Severity.WARNING),
        ("DL201", Severity.ERROR),
    ]


def test_a_file_that_appears_before_the_write_is_never_overwritten(log: LogMaker, tmp_path: Path) -> None:
    sheet = tmp_path / "s.csv"
    sheet.write_text("Title\nFirst\nSecond\n")
    result = load_and_check(log.root)
    assert result.log is not None
    planned = importing.prepare("csv", sheet, result.log, log.root)
    theirs = log.write(planned.new[0].path, "someone else's work\n")
    written = importing.write(log.root, planned)
    assert written.written == [planned.new[1].path]
    assert written.failed == [(planned.new[0].path, f"{planned.new[0].path} exists")]
    assert theirs.read_text() == "someone else's work\n"
    assert not written.complete


# --- names, the why of a rejected row, "all partners" (issue 21) -------------------------------

ACME_PEOPLE = ACME_NAMED.replace(
    "  - bob-builder\n", "  - bob-builder\n  - joao-silva\n  - handle: zoe\n    name: Zoë Ørsted\n"
)


def test_names_match_members_whatever_their_accents_and_case(log: LogMaker, tmp_path: Path) -> None:
    log.partner("acme", ACME_PEOPLE)
    sheet = tmp_path / "s.csv"
    sheet.write_text(
        "Title,Date,Owner,Partners\n"
        "Ship on Fridays,2024-05-03,João Silva,ACME SPEDITION\n"
        "Ship on Mondays,2024-05-06,ZOE ORSTED,acme\n"
        "Ship on Sundays,2024-05-05,alice archer,Globex Inc\n",
        encoding="utf-8",
    )
    mapping = tmp_path / "map.toml"
    mapping.write_text('[people]\n"José" = "bob"\n', encoding="utf-8")
    run = run_import(log, "csv", sheet, "--map", mapping)
    assert run.exit_code == 0, run.stdout
    assert "no partner's member" not in run.stdout and "partners not in the log" not in run.stdout
    got = decisions(log)
    assert (got["0002-ship-on-fridays.md"][0]["owner"], got["0002-ship-on-fridays.md"][0]["partners"]) == (
        "joao-silva",
        ["acme"],
    )
    assert got["0003-ship-on-mondays.md"][0]["owner"] == "zoe"
    assert got["0004-ship-on-sundays.md"][0]["owner"] == "alice"
    # the map's names are compared the same way
    night = tmp_path / "night.csv"
    night.write_text("Title,Owner\nShip at night,JOSE\n", encoding="utf-8")
    assert run_import(log, "csv", night, "--map", mapping).exit_code == 0
    assert decisions(log)["0005-ship-at-night.md"][0]["owner"] == "bob"


def test_an_imported_rejected_decision_checks_clean(log: LogMaker, tmp_path: Path) -> None:
    sheet = tmp_path / "s.csv"
    sheet.write_text(
        "Title,Date,Status,Owner,Partners,Why\n"
        "Use MongoDB,2024-05-03,rejected,alice,acme,No transactions.\n"
        "Use Redis,2024-05-04,withdrawn,carol,globex,Not needed after all.\n"
    )
    run = run_import(log, "csv", sheet)
    assert run.exit_code == 0, run.stdout
    assert run.lines[-1] == "declog check of the imported decisions: 0 errors, 0 warnings"
    got = decisions(log)
    mongo, redis = got["0002-use-mongodb.md"][0], got["0003-use-redis.md"][0]
    assert (mongo["rationale"], mongo["reason"]) == ("No transactions.", "No transactions.")
    assert (redis["rationale"], redis["reason"]) == ("Not needed after all.", "Not needed after all.")
    assert "DL309" not in checked_clean(log).stdout and "DL310" not in checked_clean(log).stdout
    again = run_import(log, "csv", sheet)
    assert "already imported and unchanged: 2 records" in again.lines
    # imported before, when the why of a rejected row went to `reason` only: not a change in the source
    mongo_file = log.root / "content/decisions/0002-use-mongodb.md"
    mongo_file.write_text(mongo_file.read_text().replace("rationale: No transactions.\n", ""))
    assert "already imported and unchanged: 2 records" in run_import(log, "csv", sheet).lines


@pytest.mark.parametrize("word", ["alle", "All", "everyone", "Alle Partner", "todos", "tous"])
def test_a_word_for_every_partner_names_them_all(log: LogMaker, tmp_path: Path, word: str) -> None:
    sheet = tmp_path / "s.csv"
    sheet.write_text(
        f"Title,Date,Owner,Partners\nShip on Fridays,2024-05-03,alice,{word}\n", encoding="utf-8"
    )
    run = run_import(log, "csv", sheet)
    assert run.exit_code == 0, run.stdout
    assert "partners not in the log" not in run.stdout and "printf" not in run.stdout
    assert decisions(log)["0002-ship-on-fridays.md"][0]["partners"] == ["acme", "globex"]


def test_a_word_for_every_partner_that_is_also_a_partners_name_is_reported(
    log: LogMaker, tmp_path: Path
) -> None:
    log.partner("alle", "---\nid: alle\nname: Alle AG\ntimezone: UTC\nmembers: [erin]\n---\n")
    sheet = tmp_path / "s.csv"
    sheet.write_text("Title,Date,Owner,Partners\nShip on Fridays,2024-05-03,alice,Alle\n", encoding="utf-8")
    run = run_import(log, "csv", sheet)
    assert (
        "  s.csv:2: partners 'Alle' may mean partner 'alle' or every partner: taken as 'alle'; if the row "
        "means every partner, list the partners in the cell (or confirm this reading in --map: [partners] "
        '"Alle" = "alle")'
    ) in run.lines
    assert decisions(log)["0002-ship-on-fridays.md"][0]["partners"] == ["alle"]


def test_a_word_for_every_partner_in_a_log_without_partners(tmp_path: Path) -> None:
    log = LogMaker(tmp_path / "log")
    log.write("declog.toml", CONFIG)
    sheet = tmp_path / "s.csv"
    sheet.write_text("Title,Date,Partners\nShip on Fridays,2024-05-03,alle\n", encoding="utf-8")
    run = run_import(log, "csv", sheet)
    assert "printf" not in run.stdout and "partners not in the log" not in run.stdout
    assert (
        "  s.csv:2: partners 'alle' means every partner; the log has none yet, so `partners` is left out "
        "(which means every partner)"
    ) in run.lines
    assert "partners" not in decisions(log)["0001-ship-on-fridays.md"][0]
