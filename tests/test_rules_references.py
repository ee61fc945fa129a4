"""Reference rules (DL201-DL205): everything a document names exists."""

from __future__ import annotations

from conftest import ACCEPTED, CONFIG, Found, LogMaker, doc

A = "content/decisions/0001-keep-decisions-in-git.md"
M = "content/meetings/2026-01-10-kickoff.md"


def _edit(text: str, old: str, new: str) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


def test_unknown_partner_in_partners_is_dl201_with_did_you_mean(log: LogMaker) -> None:
    log.decision(
        "0001-keep-decisions-in-git",
        _edit(ACCEPTED, "partners: [acme, globex]", "partners: [acme, globx]"),
    )
    assert log.codes("DL201") == [
        Found(A, 7, 18, "DL201", "error", "unknown partner 'globx'", "did you mean 'globex'?")
    ]


def test_unknown_partner_without_a_close_match_suggests_adding_it(log: LogMaker) -> None:
    log.decision("0002-x", doc('id: "0002"\ntitle: X\nstatus: draft\npartners: [initech]\n'))
    [f] = log.codes("DL201")
    assert (f.line, f.col, f.hint) == (5, 12, "add content/partners/initech.md")


def test_unknown_partner_in_an_approval_is_dl201(log: LogMaker) -> None:
    log.decision("0001-keep-decisions-in-git", _edit(ACCEPTED, "  - partner: globex", "  - partner: globexx"))
    [f] = log.codes("DL201")
    assert (f.path, f.line, f.col, f.message, f.hint) == (
        A,
        18,
        14,
        "approval names unknown partner 'globexx'",
        "did you mean 'globex'?",
    )


def test_unknown_partner_in_silence_config_names_declog_toml(log: LogMaker) -> None:
    log.config(CONFIG + '\n[workflow.silence]\nallowed = true\npartners = ["globx"]\n')
    [f] = log.codes("DL201")
    assert (f.path, f.line, f.col, f.code, f.message, f.hint) == (
        "declog.toml",
        13,
        1,
        "DL201",
        "[workflow.silence] partners names unknown partner 'globx'",
        "did you mean 'globex'?",
    )


def test_owner_and_approver_must_be_members(log: LogMaker) -> None:
    text = _edit(ACCEPTED, "owner: alice", "owner: alicia")
    text = _edit(text, "    by: carol", "    by: carl")
    log.decision("0001-keep-decisions-in-git", text)
    assert [(f.line, f.col, f.message, f.hint) for f in log.codes("DL202")] == [
        (8, 8, "owner 'alicia' is not a member of any partner", "did you mean 'alice'?"),
        (19, 9, "approver 'carl' is not a member of any partner", "did you mean 'carol'?"),
    ]


def test_meeting_attendees_and_chair_must_be_members(log: LogMaker) -> None:
    log.meeting(
        "2026-01-10-kickoff",
        doc(
            """
            id: 2026-01-10-kickoff
            title: Kickoff
            date: 2026-01-10T10:00:00+01:00
            chair: zed
            attendees:
              - alice
              - mallory
            """
        ),
    )
    assert [(f.path, f.line, f.col, f.message) for f in log.codes("DL202")] == [
        (M, 5, 8, "chair 'zed' is not a member of any partner"),
        (M, 8, 5, "attendee 'mallory' is not a member of any partner"),
    ]


def test_unknown_meeting_is_dl203(log: LogMaker) -> None:
    log.decision("0002-x", doc('id: "0002"\ntitle: X\nstatus: draft\nmeeting: 2026-01-10-kickof\n'))
    assert log.codes("DL203") == [
        Found(
            "content/decisions/0002-x.md",
            5,
            10,
            "DL203",
            "error",
            "unknown meeting '2026-01-10-kickof'",
            "add content/meetings/2026-01-10-kickof.md",
        )
    ]


def test_unknown_decisions_are_dl204(log: LogMaker) -> None:
    log.decision(
        "0002-x",
        doc('id: "0002"\ntitle: X\nstatus: superseded\nsupersedes: ["0001"]\nsuperseded_by: "0099"\n'),
    )
    log.meeting(
        "m1",
        doc(
            'id: m1\ntitle: M\ndate: 2026-01-10T10:00:00Z\nattendees: [alice]\ndecisions: ["0002", "0042"]\n'
        ),
    )
    found = [(f.path, f.line, f.col, f.message) for f in log.codes("DL204")]
    assert found == [
        ("content/decisions/0002-x.md", 5, 14, "supersedes unknown decision '0001'"),
        ("content/decisions/0002-x.md", 6, 16, "superseded_by names unknown decision '0099'"),
        ("content/meetings/m1.md", 6, 21, "meeting lists unknown decision '0042'"),
    ]


def test_unknown_silence_agreement_is_dl204_on_declog_toml(log: LogMaker) -> None:
    log.config(CONFIG + '\n[workflow.silence]\nallowed = true\nagreement = "0042"\n')
    log.decision("0001-keep-decisions-in-git", ACCEPTED)
    [f] = log.codes("DL204")
    assert (f.path, f.line, f.col, f.message) == (
        "declog.toml",
        13,
        1,
        "[workflow.silence] agreement names unknown decision '0042'",
    )


def test_broken_links_in_the_body_are_dl205_at_their_column(log: LogMaker) -> None:
    body = (
        "\nSee [[0001]] and [[0042]].\n"
        "Also [the rule](0001-keep-decisions-in-git.md) and [old](../decisions/0001-keep-decisions.md#why).\n"
    )
    path = log.decision("0002-x", doc('id: "0002"\ntitle: X\nstatus: draft\n', body))
    log.decision("0001-keep-decisions-in-git", ACCEPTED)
    assert [(f.path, f.line, f.col, f.message, f.hint) for f in log.codes("DL205")] == [
        (path, 7, 18, "[[0042]] refers to no decision", ""),
        (
            path,
            8,
            58,
            "link to '../decisions/0001-keep-decisions.md' names no decision file",
            "did you mean '0001-keep-decisions-in-git.md'?",
        ),
    ]
