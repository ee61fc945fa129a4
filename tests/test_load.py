"""Bad input becomes a clear finding from the real command, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import ACCEPTED, CONFIG, LogMaker, doc, make_log, run_module

from declog.log import vocab

D = "content/decisions"
DRAFT = doc('id: "0001"\ntitle: X\nstatus: draft\n')


def _only(log: LogMaker, *args: str) -> tuple[int, list[str]]:
    run = log.check(*args)
    return run.exit_code, run.lines


def test_empty_file(log: LogMaker) -> None:
    log.decision("0001-x", "")
    assert _only(log) == (
        1,
        [
            f"{D}/0001-x.md:1:1: error DL002 the file is empty (start the file with a `---` line, the fields, and a closing `---` line)"
        ],
    )


def test_whitespace_only_file(log: LogMaker) -> None:
    log.decision("0001-x", "\n  \n\n")
    assert _only(log) == (
        1,
        [
            f"{D}/0001-x.md:1:1: error DL002 the file is empty (start the file with a `---` line, the fields, and a closing `---` line)"
        ],
    )


def test_no_frontmatter(log: LogMaker) -> None:
    log.decision("0001-x", "# Use git\n\nWe decided.\n")
    assert _only(log) == (
        1,
        [
            f"{D}/0001-x.md:1:1: error DL002 the file does not start with frontmatter (first line is '# Use git') (put `---` on the first line, then the YAML fields, then `---`)"
        ],
    )


def test_unclosed_frontmatter(log: LogMaker) -> None:
    log.decision("0001-x", '---\nid: "0001"\ntitle: X\nstatus: draft\n\nBody.\n')
    assert _only(log) == (
        1,
        [
            f"{D}/0001-x.md:1:1: error DL002 the frontmatter opened on line 1 is never closed (add a line with `---` after the last field)"
        ],
    )


@pytest.mark.parametrize(
    ("frontmatter", "shape"),
    [
        ("- id: x\n- name: z\n", "a list"),
        ("just words\n", "the text 'just words'"),
        ("", "empty"),
        ("42\n", "the number 42"),
    ],
)
def test_frontmatter_that_is_not_a_mapping(log: LogMaker, frontmatter: str, shape: str) -> None:
    log.decision("0001-x", f"---\n{frontmatter}---\nBody\n")
    assert _only(log) == (
        1,
        [
            f"{D}/0001-x.md:2:1: error DL004 frontmatter is {shape}, not a mapping of fields (write one `field: value` per line)"
        ],
    )


def test_invalid_utf8_points_at_the_bad_byte(log: LogMaker) -> None:
    log.decision("0001-x", b'---\nid: "0001"\ntitle: caf\xe9\nstatus: draft\n---\n')
    run = log.check("--format", "json")
    assert run.exit_code == 1
    assert run.json() == [
        {
            "path": f"{D}/0001-x.md",
            "line": 3,
            "col": 11,
            "code": "DL001",
            "severity": "error",
            "message": "file is not valid UTF-8 (byte 0xe9 at offset 25)",
            "hint": "re-save the file with UTF-8 encoding",
        }
    ]


def test_byte_order_mark_is_a_warning_and_lines_stay_right(log: LogMaker) -> None:
    log.decision("0001-x", b'\xef\xbb\xbf---\nid: "0001"\ntitle: X\nstatus: drafted\n---\n')
    code, lines = _only(log)
    assert code == 1
    assert lines == [
        f"{D}/0001-x.md:1:1: warning DL010 file starts with a UTF-8 byte-order mark",
        f"{D}/0001-x.md:4:9: error DL103 status 'drafted' is not one of: "
        "proposed, draft, accepted, rejected, withdrawn, superseded (did you mean 'draft'?)",
    ]


def test_byte_order_mark_alone_passes_without_strict(log: LogMaker) -> None:
    log.decision("0001-x", b"\xef\xbb\xbf" + DRAFT.encode())
    assert _only(log) == (0, [f"{D}/0001-x.md:1:1: warning DL010 file starts with a UTF-8 byte-order mark"])
    assert log.check("--strict").exit_code == 1


def test_crlf_is_a_warning_and_lines_stay_right(log: LogMaker) -> None:
    log.decision("0001-x", '---\r\nid: "0001"\r\ntitle: X\r\nstatus: draft\r\ntags: Gov\r\n---\r\nBody\r\n')
    code, lines = _only(log)
    assert code == 1
    assert lines == [
        f"{D}/0001-x.md:1:1: warning DL011 file has CRLF (Windows) line endings",
        f"{D}/0001-x.md:5:7: error DL102 tags should be a list, not 'Gov' (write a list: [Gov])",
    ]


def test_crlf_reported_at_the_first_carriage_return(log: LogMaker) -> None:
    log.decision("0001-x", '---\nid: "0001"\ntitle: X\r\nstatus: draft\n---\n')
    assert _only(log) == (0, [f"{D}/0001-x.md:3:1: warning DL011 file has CRLF (Windows) line endings"])


def test_tab_indentation(log: LogMaker) -> None:
    log.decision("0001-x", '---\nid: "0001"\ntitle: X\nstatus: draft\ntags:\n\t- a\n---\n')
    code, lines = _only(log)
    assert code == 1
    assert lines == [
        f"{D}/0001-x.md:6:1: error DL003 invalid YAML: a tab is used for indentation; YAML indents with spaces "
        "only (replace the tab at the start of line 6 with spaces (two per level))"
    ]


def test_50_mb_file_is_refused_without_reading_it(log: LogMaker, monkeypatch: pytest.MonkeyPatch) -> None:
    big = log.root / D / "0002-big.md"
    with big.open("wb") as fh:
        fh.truncate(50_000_000)  # sparse: costs no disk
    log.decision("0001-keep-decisions-in-git", ACCEPTED)
    read_bytes = Path.read_bytes

    def guarded(self: Path) -> bytes:
        assert self.name != big.name, "the oversized file was read"
        return read_bytes(self)

    monkeypatch.setattr(Path, "read_bytes", guarded)
    assert _only(log) == (
        1,
        [
            f"{D}/0002-big.md:1:1: error DL001 file is 50.0 MB, over the 1 MB limit; refused (decision records are short; move attachments elsewhere and link to them)"
        ],
    )


def test_size_limit_boundary(log: LogMaker) -> None:
    head = DRAFT.encode()
    log.decision("0001-x", head + b"x" * (vocab.MAX_FILE_BYTES - len(head)))
    assert _only(log) == (0, [])
    log.decision("0001-x", head + b"x" * (vocab.MAX_FILE_BYTES - len(head) + 1))
    assert _only(log) == (
        1,
        [
            f"{D}/0001-x.md:1:1: error DL001 file is 1.0 MB, over the 1 MB limit; refused (decision records are short; move attachments elsewhere and link to them)"
        ],
    )


def test_binary_junk_with_nul_bytes(log: LogMaker) -> None:
    log.decision("0001-x", bytes(range(256)) * 8)
    assert _only(log) == (
        1,
        [f"{D}/0001-x.md:1:1: error DL001 file is binary (contains NUL bytes), not a text document"],
    )


def test_binary_junk_without_nul_bytes(log: LogMaker) -> None:
    log.decision("0001-x", b"\x89PNG\r\n\x1a\n" + bytes(range(1, 256)))
    code, lines = _only(log)
    assert code == 1
    assert lines == [
        f"{D}/0001-x.md:1:1: error DL001 file is not valid UTF-8 (byte 0x89 at offset 0) (re-save the file with UTF-8 encoding)"
    ]


def test_symlink_outside_the_log_is_refused(log: LogMaker, tmp_path: Path) -> None:
    secret = tmp_path / "secret.md"
    secret.write_text(DRAFT)
    (log.root / D / "0001-x.md").symlink_to(secret)
    assert _only(log) == (
        1,
        [
            f"{D}/0001-x.md:1:1: error DL001 symlink points outside the log (to {secret.resolve()}); refused "
            "(replace the link with the file itself; nothing outside the log's root is read)"
        ],
    )


LINK_FIX = (
    "(replace the link with the file itself: declog judges a file by its own content, never through a link)"
)


def test_symlink_inside_the_log_is_refused(log: LogMaker) -> None:
    """A document is judged by its own content: through a link, a change could edit one file and have another judged."""
    log.write("drafts/0001.md", DRAFT)
    (log.root / D / "0001-x.md").symlink_to(Path("..", "..", "drafts", "0001.md"))
    assert _only(log) == (
        1,
        [f"{D}/0001-x.md:1:1: error DL001 symlink to drafts/0001.md; refused {LINK_FIX}"],
    )


def test_dangling_symlink(log: LogMaker) -> None:
    (log.root / D / "0001-x.md").symlink_to(log.root / "nowhere.md")
    assert _only(log) == (1, [f"{D}/0001-x.md:1:1: error DL001 symlink to nowhere.md; refused {LINK_FIX}"])


def test_stray_file_and_folder_are_dl013_warnings(log: LogMaker) -> None:
    log.write(f"{D}/notes.txt", "x")
    (log.root / D / "0002-folder.md").mkdir()
    log.write(f"{D}/README.md", "# Not a decision\n")
    assert _only(log) == (
        0,
        [
            f"{D}/0002-folder.md:1:1: warning DL013 '0002-folder.md' is not a .md document and is ignored (documents are .md files; move other files out of content/)",
            f"{D}/notes.txt:1:1: warning DL013 'notes.txt' is not a .md document and is ignored (documents are .md files; move other files out of content/)",
        ],
    )


def test_file_outside_content_named_on_the_command_line(log: LogMaker) -> None:
    log.write("notes/0001-x.md", DRAFT)
    assert _only(log, "notes/0001-x.md") == (
        1,
        [
            "notes/0001-x.md:1:1: error DL012 not a document of the log (documents live in "
            "content/decisions, content/partners and content/meetings)"
        ],
    )


def test_file_outside_the_log_named_on_the_command_line(log: LogMaker, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere.md"
    outside.write_text(DRAFT)
    code, lines = _only(log, str(outside))
    assert code == 1
    assert lines == [
        f"{outside}:1:1: error DL012 not a document of the log (documents live in "
        "content/decisions, content/partners and content/meetings)"
    ]


def test_missing_path_named_on_the_command_line(log: LogMaker) -> None:
    assert _only(log, f"{D}/0404-missing.md") == (
        1,
        [f"{D}/0404-missing.md:1:1: error DL001 no such file or folder"],
    )


def test_missing_declog_toml_exits_2(log: LogMaker) -> None:
    (log.root / "declog.toml").unlink()
    run = log.check()
    assert run.exit_code == 2
    assert run.lines == []
    assert run.stderr == (
        f"declog: error: no declog.toml in {log.root}: this is not a decision log "
        "(create one with `declog init`, or pass --root DIR to name the log's folder)\n"
    )


def test_malformed_declog_toml_names_the_line(log: LogMaker) -> None:
    log.config('[site]\ntitle = "T"\n\n[workflow]\nfeedback_window = 48h\n')
    run = log.check()
    assert run.exit_code == 2
    assert run.lines == [
        "declog.toml:5:21: error DL501 invalid TOML: Expected newline or end of document after a statement"
    ]


def test_declog_toml_that_is_not_utf8(log: LogMaker) -> None:
    log.write("declog.toml", b'[site]\ntitle = "\xff"\n')
    run = log.check()
    assert run.exit_code == 2
    assert run.lines == ["declog.toml:1:1: error DL501 declog.toml is not UTF-8 text (invalid start byte)"]


def test_invalid_settings_are_dl502_at_their_lines(log: LogMaker) -> None:
    log.config(
        """\
        [site]
        title = "T"

        [workflow]
        feedback_window = "2 days"
        approval = "most"
        quorum = 0

        [rules]
        DL999 = "off"
        DL310 = "loud"
        """
    )
    run = log.check()
    assert run.exit_code == 2
    assert run.lines == [
        "declog.toml:5:1: error DL502 workflow.feedback_window '2 days' is not a duration such as 48h, 2d or 1w",
        "declog.toml:6:1: error DL502 workflow.approval 'most' is not one of: all, quorum",
        "declog.toml:7:1: error DL502 workflow.quorum must be at least 1, not 0",
        "declog.toml:10:1: error DL502 [rules] names an unknown rule code 'DL999' (`declog rules` lists the codes)",
        "declog.toml:11:1: error DL502 rules.DL310 'loud' is not one of: error, warning, off",
    ]


def test_quorum_without_number_is_dl502(log: LogMaker) -> None:
    log.config('[workflow]\napproval = "quorum"\n')
    run = log.check()
    assert run.exit_code == 2
    assert run.lines == [
        'declog.toml:2:1: error DL502 approval = "quorum" needs `quorum = N` (how many partners must approve)'
    ]


def test_unknown_setting_is_a_dl503_warning_and_the_log_is_checked(log: LogMaker) -> None:
    log.config(CONFIG + "notify = true\n")
    log.decision("0001-x", doc('id: "0001"\ntitle: X\nstatus: drafty\n'))
    run = log.check("--format", "json")
    assert run.exit_code == 1
    assert [(d["path"], d["line"], d["col"], d["code"], d["message"], d["hint"]) for d in run.json()] == [
        (
            f"{D}/0001-x.md",
            4,
            9,
            "DL103",
            "status 'drafty' is not one of: proposed, draft, accepted, rejected, withdrawn, superseded",
            "did you mean 'draft'?",
        ),
        (
            "declog.toml",
            10,
            1,
            "DL503",
            "unknown field 'workflow.notify'",
            "",
        ),
    ]


def test_a_misspelt_setting_is_an_error_because_its_value_would_be_lost(log: LogMaker) -> None:
    log.config(CONFIG + "self_aproval = true\n")
    run = log.check()
    assert run.exit_code == 2
    assert run.lines == [
        "declog.toml:10:1: error DL502 unknown field 'workflow.self_aproval': did you mean 'self_approval'? "
        "(as written, its value is ignored)"
    ]


def test_unknown_site_setting_is_a_warning_not_a_crash(log: LogMaker) -> None:
    log.config('[site]\ntitle = "T"\ncolour = "red"\n')
    run = log.check()
    assert run.exit_code == 0
    assert run.lines == ["declog.toml:3:1: warning DL503 unknown field 'site.colour'"]


def test_root_that_does_not_exist_is_a_usage_error(log: LogMaker) -> None:
    run = run_module(["check", "--root", str(log.root / "nope")], cwd=log.root)
    assert run.exit_code == 2
    assert "no such folder" in run.stderr


def test_root_is_found_from_a_subfolder(log: LogMaker) -> None:
    log.decision("0001-x", doc('id: "0001"\ntitle: X\nstatus: drafty\n'))
    run = run_module(["check"], cwd=log.root / D)
    assert run.exit_code == 1
    assert run.stdout.startswith(f"{D}/0001-x.md:4:9: error DL103 ")


def test_every_bad_input_at_once_from_a_real_process(tmp_path: Path) -> None:
    """The whole zoo in one log, through ``python -m declog``: findings, no traceback."""
    log = make_log(tmp_path / "log")
    log.decision("0001-keep-decisions-in-git", ACCEPTED)
    log.decision("0002-empty", "")
    log.decision("0003-nofm", "hello\n")
    log.decision("0004-unclosed", "---\nid: x\n")
    log.decision("0005-list", "---\n- a\n---\n")
    log.decision("0006-latin1", b"---\ntitle: \xe9\n---\n")
    log.decision("0007-binary", b"\x00\x01\x02" * 100)
    log.decision("0008-tabs", '---\nid: "0008"\n\tx: 1\n---\n')
    log.decision("0009-wrong-types", "---\nid: 9\ntitle: [a]\nstatus: {a: 1}\napprovals: 5\n---\n")
    log.partner("weird", "---\nid: weird\nname: W\ntimezone: UTC\nmembers: 5\n---\n")
    with (log.root / D / "0010-big.md").open("wb") as fh:
        fh.truncate(50_000_000)
    (log.root / D / "0011-link.md").symlink_to(tmp_path / "outside.md")
    (tmp_path / "outside.md").write_text(DRAFT)
    run = run_module(["check", "--root", str(log.root)], cwd=tmp_path)
    assert "Traceback" not in run.stderr
    assert run.exit_code == 1
    codes = [(line.split(":")[0].rsplit("/", 1)[-1], line.split()[2]) for line in run.lines]
    assert codes == [
        ("0002-empty.md", "DL002"),
        ("0003-nofm.md", "DL002"),
        ("0004-unclosed.md", "DL002"),
        ("0005-list.md", "DL004"),
        ("0006-latin1.md", "DL001"),
        ("0007-binary.md", "DL001"),
        ("0008-tabs.md", "DL003"),
        ("0009-wrong-types.md", "DL102"),  # id: 9
        ("0009-wrong-types.md", "DL102"),  # title: [a]
        ("0009-wrong-types.md", "DL102"),  # status: {a: 1} (once: not also "not one of")
        ("0009-wrong-types.md", "DL102"),  # approvals: 5
        ("0010-big.md", "DL001"),
        ("0011-link.md", "DL001"),
        ("weird.md", "DL102"),  # members: 5 (once: not also "no members")
    ]


# --- a document that does not parse is reported first and alone, not as a cascade ----------------

#: Three accepted decisions between acme and globex: each names acme, its members and its approval.
THREE = [ACCEPTED.replace('"0001"', f'"000{i}"') for i in (1, 2, 3)]


@pytest.mark.parametrize(
    ("broken", "first"),
    [
        (
            "---\nid: acme\nname: Acme\ntimezone: Europe/Berlin\nmembers: [@alice, bob]\n---\n",
            "content/partners/acme.md:5:11: error DL003 invalid YAML: a value cannot start with '@'",
        ),
        (
            b"---\nid: acme\nname: Acme \xe9\n---\n",
            "content/partners/acme.md:3:12: error DL001 file is not valid UTF-8",
        ),
        ("---\n- acme\n- alice\n---\n", "content/partners/acme.md:2:1: error DL004 frontmatter is a list"),
        (
            "id: acme\nmembers: [alice, bob]\n",
            "content/partners/acme.md:1:1: error DL002 the file does not start",
        ),
    ],
    ids=["yaml", "encoding", "not-a-mapping", "no-frontmatter"],
)
def test_a_partner_that_does_not_parse_is_reported_alone_first(
    log: LogMaker, broken: str | bytes, first: str
) -> None:
    for i, text in enumerate(THREE, 1):
        log.decision(f"000{i}-x", text)
    log.partner("acme", broken)
    log.decision("0004-typo", ACCEPTED.replace('"0001"', '"0004"').replace("[acme, globex]", "[acme, globx]"))
    code, lines = _only(log)
    assert code == 1
    # the parse error leads, saying what waits for it; the typo 'globx' (not caused by it) is still shown
    assert lines[0].startswith(first)
    assert lines[0].endswith(
        "20 findings in 4 other files naming partner 'acme' follow from this one and are not shown until it parses)"
    )
    assert lines[1:] == [
        "content/decisions/0004-typo.md:7:18: error DL201 unknown partner 'globx' (did you mean 'globex'?)",
        "content/decisions/0004-typo.md:18:14: error DL312 approval from 'globex', which is not party to this "
        "decision (add globex to partners, or remove the approval)",
    ]
    # naming only a decision still shows what it waits for
    assert _only(log, "content/decisions/0002-x.md")[1] == lines[:1]


def test_a_meeting_or_decision_that_does_not_parse_holds_back_what_follows_from_it(log: LogMaker) -> None:
    log.meeting("m1", "---\nid: m1\ntitle: Kickoff: phase 2\n---\n")
    log.decision("0001-x", doc('id: "0001"\ntitle: X\nstatus: draft\nmeeting: m1\nsupersedes: ["0002"]\n'))
    log.decision("0002-old", "---\nid: \"0002\"\ntitle: 'Old' one\n---\n")
    code, lines = _only(log)
    assert code == 1
    assert lines == [
        "content/decisions/0002-old.md:3:14: error DL003 invalid YAML: text follows the closing ' of a quoted value "
        "(a quoted value ends at its closing quote: write a ' inside single quotes as '' (title: 'It''s here') "
        'or use double quotes (title: "It\'s here"); '
        "1 finding in 1 other file naming decision '0002' follow from this one and are not shown until it parses)",
        "content/meetings/m1.md:3:15: error DL003 invalid YAML: a value contains ': ', which YAML reads as the "
        'start of another field (quote the value: title: "Kickoff: phase 2"; '
        "1 finding in 1 other file naming meeting 'm1' follow from this one and are not shown until it parses)",
    ]
