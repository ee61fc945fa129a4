"""Hostile values: findings with file, line and column, and output that stays well-formed.

A partner can put control characters into any text of a document (YAML writes
them as escapes in double quotes: ``"\\e"``, ``"\\x01"``, ``"\\0"``) and a URL
with quotes into declog.toml. Each is a finding (DL014, DL502). And should one
get through anyway (here: with DL014 turned off), every feed still parses as
XML, every calendar is RFC 5545 text, and nothing declog prints to a terminal
carries a control sequence.
"""

from __future__ import annotations

import csv
import io
import json
import re
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from conftest import CONFIG, REPO, LogMaker, doc, invoke
from sitetools import facet_counts

from declog.cli.base import site_url_option
from declog.site import feeds

DECISION = "content/decisions/0001-x.md"
#: Every control character a terminal or an XML parser cares about (C0, DEL, C1), as they are.
RAW_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def proposal(title: str, body: str = "We agree.\n", *, rationale: str = "Because.", extra: str = "") -> str:
    """A proposed decision of acme and globex; ``title`` is YAML as written (line 3, column 8).

    The fields take lines 2 to 11, ``extra`` (YAML lines) follows from line 12.
    """
    fields = [
        'id: "0001"',
        f"title: {title}",
        "status: proposed",
        "mode: async",
        "category: operational",
        "partners: [acme, globex]",
        "owner: alice",
        "proposed: 2026-01-05T09:00:00+01:00",
        "deadline: 2026-01-07T09:00:00+01:00",
        f"rationale: {rationale}",
    ]
    return "---\n" + "\n".join(fields) + "\n" + textwrap.dedent(extra) + "---\n" + body


def dl014(log: LogMaker) -> list[str]:
    return [line for line in log.check().lines if " DL014 " in line]


# --- control characters in documents: DL014 where the character is written ------------------------


@pytest.mark.parametrize(
    ("escape", "name"),
    [
        ("\\x01", "U+0001 (SOH)"),
        ("\\e", "U+001B (ESC)"),
        ("\\x1b[2J", "U+001B (ESC)"),
        ("\\0", "U+0000 (NUL)"),
        ("\\a", "U+0007 (BEL)"),
        ("\\b", "U+0008 (BS)"),
        ("\\r", "U+000D (CR)"),
        ("\\u007f", "U+007F (DEL)"),
        ("\\N", "U+0085 (NEL)"),
        ("\\x9b", "U+009B (CSI)"),
        ("\\U0000001b", "U+001B (ESC)"),
    ],
)
def test_an_escaped_control_character_in_a_title_is_an_error_at_the_escape(
    log: LogMaker, escape: str, name: str
) -> None:
    log.decision("0001-x", proposal(f'"Pay{escape} now"'))
    run = log.check()
    assert run.exit_code == 1
    assert run.lines == [
        f"{DECISION}:3:12: error DL014 title contains the control character {name}"
        " (remove the escape (such as \\e, \\x1b or \\u0000) from the quoted text)"
    ]
    assert "\x1b" not in run.stdout + run.stderr


def test_the_column_counts_characters_and_skips_escaped_backslashes(log: LogMaker) -> None:
    log.decision("0001-x", proposal('"Ünïcode \\\\e then \\e"'))
    assert dl014(log) == [
        f"{DECISION}:3:26: error DL014 title contains the control character U+001B (ESC) (remove the escape (such as \\e, \\x1b or \\u0000) from the quoted text)"
    ]


def test_a_control_character_on_a_continued_line_is_found_on_that_line(log: LogMaker) -> None:
    log.decision("0001-x", proposal('"A long title \\\n  that goes on\\a"'))
    assert dl014(log) == [
        f"{DECISION}:4:15: error DL014 title contains the control character U+0007 (BEL) (remove the escape (such as \\e, \\x1b or \\u0000) from the quoted text)"
    ]


def test_nested_values_and_field_names_are_checked_too(log: LogMaker) -> None:
    extra = """\
    approvals:
      - partner: globex
        by: carol
        at: 2026-01-06T10:00:00+01:00
        via: explicit
        ref: "mail \\x07"
    source:
      kind: email
      ref: "thread\\e"
    "colour\\e[31m": red
    """
    log.decision("0001-x", proposal("Fine", extra=extra))
    assert dl014(log) == [
        f"{DECISION}:17:16: error DL014 approvals[1].ref contains the control character U+0007 (BEL) (remove the escape (such as \\e, \\x1b or \\u0000) from the quoted text)",
        f"{DECISION}:20:15: error DL014 source.ref contains the control character U+001B (ESC) (remove the escape (such as \\e, \\x1b or \\u0000) from the quoted text)",
        f"{DECISION}:21:8: error DL014 the field name 'colour\\x1b[31m' contains the control character U+001B (ESC) (remove the escape (such as \\e, \\x1b or \\u0000) from the quoted text)",
    ]
    # The unknown field is reported with the name escaped, never with the raw ESC.
    [unknown] = [line for line in log.check().lines if " DL107 " in line]
    assert unknown == f"{DECISION}:21:1: warning DL107 unknown field 'colour\\x1b[31m'"


def test_partners_and_meetings_are_checked_too(log: LogMaker) -> None:
    log.partner(
        "acme",
        doc(
            """
            id: acme
            name: "Acme\\e]0;pwned\\a"
            timezone: Europe/Berlin
            members:
              - handle: alice
                name: "Alice\\0"
              - bob
            """
        ),
    )
    log.meeting(
        "m1",
        doc('id: m1\ntitle: "Weekly \\x01"\ndate: 2026-01-05T10:00:00Z\nattendees: [alice]\n'),
    )
    assert dl014(log) == [
        "content/meetings/m1.md:3:16: error DL014 title contains the control character U+0001 (SOH) (remove the escape (such as \\e, \\x1b or \\u0000) from the quoted text)",
        "content/partners/acme.md:3:12: error DL014 name contains the control character U+001B (ESC) (remove the escape (such as \\e, \\x1b or \\u0000) from the quoted text)",
        "content/partners/acme.md:7:17: error DL014 members[1].name contains the control character U+0000 (NUL) (remove the escape (such as \\e, \\x1b or \\u0000) from the quoted text)",
    ]


def test_a_raw_control_character_is_dl014_at_its_place_not_a_yaml_error(log: LogMaker) -> None:
    log.decision("0001-x", proposal("Pay\x1b[2J now", rationale="Because\x7f."))
    run = log.check()
    assert run.exit_code == 1
    assert run.lines == [
        f"{DECISION}:3:11: error DL014 the frontmatter contains the control character U+001B (ESC) (delete it: control characters are invisible, can rewrite a terminal and break feeds)",
        f"{DECISION}:11:19: error DL014 the frontmatter contains the control character U+007F (DEL) (delete it: control characters are invisible, can rewrite a terminal and break feeds)",
    ]


def test_raw_control_characters_in_broken_yaml_leave_the_syntax_error_first(log: LogMaker) -> None:
    log.decision("0001-x", proposal("Pay\x1b now", extra="tags: [a\n"))
    [line] = log.check().lines
    assert " error DL003 invalid YAML" in line


def test_a_control_character_in_the_body_is_dl014_at_its_line_and_column(log: LogMaker) -> None:
    log.decision("0001-x", proposal("Fine", body="We agree.\n\nReally \x1b[8mhidden\x1b[0m.\n\x07\n"))
    assert dl014(log) == [
        f"{DECISION}:15:8: error DL014 the body contains the control character U+001B (ESC) (delete it: control characters are invisible, can rewrite a terminal and break feeds)",
        f"{DECISION}:16:1: error DL014 the body contains the control character U+0007 (BEL) (delete it: control characters are invisible, can rewrite a terminal and break feeds)",
    ]


def test_tab_and_line_breaks_are_fine_where_a_field_allows_lines(log: LogMaker) -> None:
    log.decision(
        "0001-x",
        proposal(
            '"Fine\\ttoo"', rationale='"First line,\\n\\tthen an indented one."', body="A\ttable\tbody.\n"
        ),
    )
    run = log.check()
    assert (run.exit_code, run.stdout) == (0, "")


def test_a_folded_title_keeps_its_one_line(log: LogMaker) -> None:
    log.decision("0001-x", proposal(">\n  A long title\n  folded on two lines"))
    assert log.check().exit_code == 0
    assert dl014(log) == []


def test_a_line_break_in_a_one_line_field_is_a_warning(log: LogMaker) -> None:
    log.decision("0001-x", proposal('"Title\\nDTSTART:19700101T000000Z"'))
    run = log.check()
    assert run.exit_code == 0  # every output escapes a line break; --strict refuses it
    assert run.lines == [
        f"{DECISION}:3:8: warning DL014 title is one line of text but has a line break: "
        "'Title\\x0aDTSTART:19700101T000000Z' "
        "(write it on one line (`>-` folds a long one); longer text belongs in the body)"
    ]
    assert log.check("--strict").exit_code == 1


def test_findings_in_every_format_carry_no_control_character(log: LogMaker) -> None:
    log.decision("0001-x", proposal("Fine", body="x\x1b]8;;https://evil.example\x07y\n", extra='"k\\e": 1\n'))
    for fmt in ("concise", "full", "json", "github", "sarif"):
        run = log.check("--format", fmt)
        assert run.exit_code == 1
        assert not RAW_CONTROL.search(run.stdout), fmt
        assert "DL014" in run.stdout, fmt


def test_the_example_log_stays_clean() -> None:
    run = invoke(["check", "--root", str(REPO), "--strict"])
    assert run.exit_code == 0
    assert [line for line in run.stdout.splitlines() if ": note DL322 " not in line] == []  # ready proposals


# --- declog.toml ----------------------------------------------------------------------------------


def test_a_control_character_in_a_setting_is_dl502(log: LogMaker) -> None:
    log.config(CONFIG.replace('title = "Test log"', 'title = "Test\\u001b[2J log"'))
    run = log.check()
    assert run.exit_code == 2
    assert run.lines == [
        "declog.toml:2:1: error DL502 site.title contains the control character U+001B (ESC) (delete the escape (such as \\u001b) from the string; settings are plain text)"
    ]


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ('https://x.org/\\"><script>alert(1)</script>', "contains '\"' (write it percent-encoded: %22)"),
        ("https://x.org/it's", 'contains "\'" (write it percent-encoded: %27)'),
        ("https://x.org/a b/", "contains a space (write it percent-encoded: %20)"),
        ("https://x.org/<b>/", "contains '<' (write it percent-encoded: %3C)"),
        ("https://x.org\\\\evil.example/", "contains '\\' (write it percent-encoded: %5C)"),
        ("https://x.org/\\u0007", "contains the control character U+0007"),
        ("javascript:alert(1)", "is not an http(s) URL"),
        ("ftp://x.org/", "is not an http(s) URL"),
        ("//x.org/", "is not an http(s) URL"),
        ("https://x.org:port/", "is not a valid URL"),
    ],
)
def test_site_url_must_be_a_plain_http_url(log: LogMaker, url: str, problem: str) -> None:
    log.config(CONFIG.replace('title = "Test log"\n', f'title = "Test log"\nurl = "{url}"\n'))
    run = log.check()
    assert run.exit_code == 2
    [line] = [line for line in run.lines if " site.url '" in line]
    assert line.startswith("declog.toml:3:1: error DL502 site.url '")
    assert problem in line


@pytest.mark.parametrize(
    "url", ["https://example.org/log/", "http://localhost:8000/", "https://x.org/a%20b?q=1"]
)
def test_ordinary_site_urls_pass(log: LogMaker, url: str) -> None:
    log.config(CONFIG.replace('title = "Test log"\n', f'title = "Test log"\nurl = "{url}"\n'))
    assert log.check().exit_code == 0


def test_site_url_option_refuses_what_the_setting_refuses() -> None:
    """The option ``declog build`` declares (declog.cli.base.site_url_option): a usage error, exit 2."""

    @click.command()
    @site_url_option
    def show(site_url: str | None) -> None:
        click.echo(site_url)

    runner = CliRunner()
    bad = runner.invoke(show, ["--site-url", 'https://x.org/"><script>alert(1)</script>'])
    assert bad.exit_code == 2
    assert "Invalid value for '--site-url'" in bad.output
    assert "contains '\"'" in bad.output
    assert runner.invoke(show, ["--site-url", "https://x.org/log/"]).output == "https://x.org/log/\n"


def test_build_site_url_with_a_quote_is_a_usage_error(log: LogMaker, tmp_path: Path) -> None:
    site = tmp_path / "site"
    hostile = 'https://x.org/"><script>alert(1)</script>'
    run = invoke(
        [
            "build",
            "--root",
            str(log.root),
            "-o",
            str(site),
            "--no-cache",
            "--no-search",
            "--site-url",
            hostile,
        ]
    )
    assert run.exit_code == 2
    assert not site.exists()


def test_the_site_url_is_escaped_in_the_links_of_the_404_page(log: LogMaker, tmp_path: Path) -> None:
    """404.html links absolutely (it is served at any depth): the URL lands in attributes, escaped."""
    site = tmp_path / "site"
    url = "https://x.org/log/?a=1&b=2/"
    run = invoke(["build", "--root", str(log.root), "-o", str(site), "--no-search", "--site-url", url])
    assert run.exit_code == 0, run.stdout + run.stderr
    page = (site / "404.html").read_text(encoding="utf-8")
    assert 'href="https://x.org/log/?a=1&amp;b=2/' in page
    assert "?a=1&b=2" not in page


# --- defence in depth: well-formed feeds and calendars even with DL014 turned off -----------------

HOSTILE_TITLE = "Pay\\x01 now\\e[2J, \\0 all; \\\\ of it\\a \\x9b"
SHOWN_TITLE = "Pay\ufffd now\ufffd[2J, \ufffd all; \\ of it\ufffd \ufffd"


@pytest.fixture
def hostile_site(log: LogMaker, tmp_path: Path) -> Path:
    """A site built from documents full of control characters, the rule that stops them turned off."""
    site_url = 'title = "Test log"\nurl = "https://example.org/log/"\n'
    log.config(CONFIG.replace('title = "Test log"\n', site_url) + '\n[rules]\nDL014 = "off"\n')
    log.partner(
        "acme", doc('id: acme\nname: "Acme\\e]0;x\\a"\ntimezone: Europe/Berlin\nmembers: [alice, bob]\n')
    )
    log.decision("0001-x", proposal(f'"{HOSTILE_TITLE}"', body="Body \x1b[31mred\x1b[0m and \x0c.\n"))
    out = tmp_path / "site"
    run = invoke(["build", "--root", str(log.root), "-o", str(out), "--no-cache", "--no-search"])
    assert run.exit_code == 0, run.stdout + run.stderr
    return out


def test_every_feed_parses_as_xml(hostile_site: Path) -> None:
    feeds_found = sorted(hostile_site.rglob("*.xml"))
    assert {p.relative_to(hostile_site).as_posix() for p in feeds_found} >= {
        "feed.xml",
        "partners/acme/feed.xml",
        "partners/globex/feed.xml",
        "sitemap.xml",
    }
    atom = "{http://www.w3.org/2005/Atom}"
    for path in feeds_found:
        root = ET.fromstring(path.read_bytes())  # raises on a control character
        if path.name == "feed.xml":
            titles = [e.findtext(f"{atom}title") for e in root.iter(f"{atom}entry")]
            assert titles == [f"0001 {SHOWN_TITLE} (proposed)"], path
    partner_feed = ET.fromstring((hostile_site / "partners/acme/feed.xml").read_bytes())
    assert partner_feed.findtext(f"{atom}title") == "Test log: Acme\ufffd]0;x\ufffd"


def test_decisions_json_holds_the_text_escaped(hostile_site: Path) -> None:
    raw = (hostile_site / "decisions.json").read_text(encoding="utf-8")
    [decision] = json.loads(raw)["decisions"]
    assert decision["title"] == "Pay\x01 now\x1b[2J, \x00 all; \\ of it\x07 \x9b"
    assert "\x1b" not in raw and "\x00" not in raw
    whole = (hostile_site / decision["json"]).read_text(encoding="utf-8")
    assert json.loads(whole)["body"] == "Body \x1b[31mred\x1b[0m and \x0c.\n"
    assert "\x1b" not in whole and "\x0c" not in whole


def ics_lines(data: bytes) -> list[str]:
    """The content lines of an iCalendar file, checked for RFC 5545's line rules and unfolded."""
    text = data.decode("utf-8")
    assert text.endswith("\r\n")
    physical = text[:-2].split("\r\n")
    for line in physical:
        assert "\r" not in line and "\n" not in line
        assert len(line.encode("utf-8")) <= 75, line
        assert not RAW_CONTROL.search(line), line
    unfolded = text[:-2].replace("\r\n ", "").split("\r\n")
    for line in unfolded:
        assert re.match(r"^[A-Z][A-Z0-9-]*[:;]", line), line
    return unfolded


def unescape_text(value: str) -> str:
    """An RFC 5545 TEXT value, after asserting that every ``\\ ; ,`` in it is escaped."""
    assert re.fullmatch(r"(?:[^\\;,]|\\[\\;,nN])*", value), value
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m.group(1) in "nN" else m.group(1), value)


def test_every_calendar_is_rfc_5545_text(hostile_site: Path) -> None:
    calendars = sorted(hostile_site.rglob("*.ics"))
    assert calendars
    summaries = []
    for path in calendars:
        lines = ics_lines(path.read_bytes())
        assert lines[0] == "BEGIN:VCALENDAR" and lines[-1] == "END:VCALENDAR"
        assert lines.count("BEGIN:VEVENT") == lines.count("END:VEVENT")
        for line in lines:
            name, _, value = line.partition(":")
            if name in ("SUMMARY", "DESCRIPTION", "X-WR-CALNAME"):
                text = unescape_text(value)
                if name == "SUMMARY":
                    summaries.append(text)
    assert f"Feedback deadline: 0001 {SHOWN_TITLE}" in summaries


def test_the_calendar_writer_escapes_and_folds_text_itself() -> None:
    assert feeds.ics_text("a\x1bb,c;d\\e\r\nf\x00") == "a\ufffdb\\,c\\;d\\\\e\\nf\ufffd"
    assert feeds.ics_text("tab\tstays") == "tab\tstays"
    line = "SUMMARY:" + feeds.ics_text("é" * 100 + "\x07")
    for chunk in feeds.fold(line).split("\r\n"):
        assert len(chunk.encode("utf-8")) <= 75


def test_the_feed_writer_replaces_what_xml_cannot_carry() -> None:
    text = feeds.xml_text("a\x00b\x1b\x7f\x85\ufffe\ud800 c\td\ne")
    assert text == "a\ufffdb\ufffd\ufffd\ufffd\ufffd\ufffd c\td\ne"
    ET.fromstring(f"<t>{text}</t>")  # well-formed


# --- declog query -----------------------------------------------------------------------------------


def query(log: LogMaker, fmt: str) -> str:
    run = invoke(["query", "status = proposed", "--root", str(log.root), "--format", fmt])
    assert run.exit_code == 0, run.stderr
    return run.stdout


def test_query_output_never_carries_a_control_sequence(log: LogMaker) -> None:
    log.decision("0001-x", proposal('"Pay\\e]0;owned\\a now\\e[2J\\x9b31m \\r\\nfake row"'))
    for fmt in ("table", "json", "csv", "ids"):
        out = query(log, fmt)
        assert not RAW_CONTROL.search(out), fmt
    table = query(log, "table").splitlines()
    assert len(table) == 2  # the header and one row: a line break cannot forge another
    assert table[1].endswith("Pay\\x1b]0;owned\\x07 now\\x1b[2J\\x9b31m \\x0d\\x0afake row")
    [record] = json.loads(query(log, "json"))
    assert record["title"] == "Pay\x1b]0;owned\x07 now\x1b[2J\x9b31m \r\nfake row"


@pytest.mark.parametrize(
    ("title", "cell"),
    [
        ('"=HYPERLINK(\\"http://evil.example\\",\\"x\\")"', '\'=HYPERLINK("http://evil.example","x")'),
        ("\"+1+cmd|' /C calc'!A0\"", "'+1+cmd|' /C calc'!A0"),
        ('"-2+3"', "'-2+3"),
        ('"@SUM(1+1)"', "'@SUM(1+1)"),
        ('"\\t=1+1"', "'\t=1+1"),
        ('"\\r=1+1"', "'\\x0d=1+1"),
        ('"Plain = fine"', "Plain = fine"),
    ],
)
def test_query_csv_neutralises_formulas(log: LogMaker, title: str, cell: str) -> None:
    log.decision("0001-x", proposal(title))
    header, row = list(csv.reader(io.StringIO(query(log, "csv"))))
    assert row[header.index("title")] == cell
    assert row[header.index("id")] == "0001"


def test_audit_output_never_carries_a_control_sequence(log: LogMaker) -> None:
    log.partner(
        "acme", doc('id: acme\nname: "Acme\\e[2J\\x9b"\ntimezone: Europe/Berlin\nmembers: [alice, bob]\n')
    )
    log.decision("0001-x", proposal('"Pay\\e]0;owned\\a now"'))
    for fmt in ("text", "markdown", "json"):
        run = invoke(["audit", "--root", str(log.root), "--format", fmt, "--today", "2026-02-01"])
        assert run.exit_code == 0, run.stderr
        assert not RAW_CONTROL.search(run.stdout), fmt
    markdown = invoke(["audit", "--root", str(log.root), "--format", "markdown", "--today", "2026-02-01"])
    assert "Acme\\x1b[2J\\x9b" in markdown.stdout


def test_facets_js_holds_every_value_as_data(log: LogMaker, tmp_path: Path) -> None:
    """The filter bar's counts are a script the pages load: a value cannot end it or run in it."""
    log.config(CONFIG + '\n[rules]\nDL104 = "off"\n')  # tags of any text
    tags = ["</script><script>alert(1)</script>", "__proto__", "x\u2028y", 'a"b\\']
    log.decision("0001-x", proposal("Tagged", extra=f"tags: {json.dumps(tags)}\n"))
    out = tmp_path / "site"
    run = invoke(["build", "--root", str(log.root), "-o", str(out), "--no-cache", "--no-search"])
    assert run.exit_code == 0, run.stdout + run.stderr
    raw = (out / "facets.js").read_bytes()
    assert raw.isascii() and b"<" not in raw and raw.count(b"\n") == 1
    assert facet_counts(out)["tag"] == dict.fromkeys(tags, 1)
    bar = (out / "timeline/index.html").read_text(encoding="utf-8")
    assert '<li data-value="&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;">' in bar
