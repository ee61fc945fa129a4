"""Identity rules: file names agree with ids (DL108), ids are unique (DL109)."""

from __future__ import annotations

from conftest import ACCEPTED, ACME, Found, LogMaker, doc

D = "content/decisions"


def test_decision_id_differs_from_file_name(log: LogMaker) -> None:
    log.decision("0002-keep-decisions-in-git", ACCEPTED)
    assert log.codes("DL108") == [
        Found(
            f"{D}/0002-keep-decisions-in-git.md",
            2,
            5,
            "DL108",
            "error",
            "id '0001' does not match the file name '0002-keep-decisions-in-git.md'",
            'rename the file to 0001-keep-decisions-in-git.md or set id: "0002"',
        )
    ]


def test_decision_file_name_is_not_id_slug(log: LogMaker) -> None:
    log.decision("Keep_Decisions", ACCEPTED)
    [f] = log.codes("DL108")
    assert (f.path, f.line, f.col) == (f"{D}/Keep_Decisions.md", 2, 5)
    assert f.message == "decision file name 'Keep_Decisions.md' is not ID-slug.md"
    assert f.hint == "rename it to 0001-keep-decisions-in-git.md"


def test_partner_and_meeting_ids_match_their_file_names(log: LogMaker) -> None:
    log.partner("initech", doc("id: initec\nname: Initech\ntimezone: UTC\nmembers: [erin]\n"))
    log.meeting(
        "2026-01-10-kickoff",
        doc("id: 2026-01-10-kick-off\ntitle: K\ndate: 2026-01-10T10:00:00Z\nattendees: [alice]\n"),
    )
    found = [(f.path, f.line, f.col, f.code, f.message, f.hint) for f in log.findings()]
    assert found == [
        (
            "content/meetings/2026-01-10-kickoff.md",
            2,
            5,
            "DL108",
            "id '2026-01-10-kick-off' does not match the file name '2026-01-10-kickoff.md'",
            "rename the file to 2026-01-10-kick-off.md or set id: 2026-01-10-kickoff",
        ),
        (
            "content/partners/initech.md",
            2,
            5,
            "DL108",
            "id 'initec' does not match the file name 'initech.md'",
            "rename the file to initec.md or set id: initech",
        ),
    ]


def test_duplicate_partner_id(log: LogMaker) -> None:
    log.partner("acme-ltd", ACME)  # a copy of acme.md under another name
    found = [(f.path, f.line, f.code, f.message) for f in log.findings()]
    assert found == [
        ("content/partners/acme-ltd.md", 2, "DL108", "id 'acme' does not match the file name 'acme-ltd.md'"),
        (
            "content/partners/acme.md",
            2,
            "DL109",
            "partner id 'acme' is also used by content/partners/acme-ltd.md",
        ),
    ]


def test_duplicate_decision_id_is_reported_on_the_second_file(log: LogMaker) -> None:
    log.decision("0001-keep-decisions-in-git", ACCEPTED)
    log.decision("0001-another", doc('id: "0001"\ntitle: Another\nstatus: draft\n'))
    assert log.codes("DL109") == [
        Found(
            f"{D}/0001-keep-decisions-in-git.md",
            2,
            5,
            "DL109",
            "error",
            f"decision id '0001' is also used by {D}/0001-another.md",
            "renumber the one that is new on your branch to the next free id (0002): "
            f"declog renumber 0001 --file {D}/0001-keep-decisions-in-git.md (or --file {D}/0001-another.md)",
        )
    ]


def test_duplicate_meeting_id(log: LogMaker) -> None:
    meeting = doc("id: m1\ntitle: M\ndate: 2026-01-10T10:00:00Z\nattendees: [alice]\n")
    log.meeting("m1", meeting)
    log.meeting("m2", meeting)
    found = [(f.path, f.line, f.code, f.message) for f in log.findings()]
    assert found == [
        ("content/meetings/m2.md", 2, "DL109", "meeting id 'm1' is also used by content/meetings/m1.md"),
    ]
