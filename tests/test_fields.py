"""Schema findings (DL101-DL110): the field, its line and column, the bad value, a hint."""

from __future__ import annotations

import pytest
from conftest import ACCEPTED, Found, LogMaker, doc

D = "content/decisions/0001-x.md"


def _draft(extra: str = "") -> str:
    return doc('id: "0001"\ntitle: X\nstatus: draft\n' + extra)


def test_missing_required_fields_are_dl101_at_line_1(log: LogMaker) -> None:
    log.decision("0001-x", doc("title: X\n"))
    found = log.codes("DL101")
    assert [(f.path, f.line, f.col, f.message) for f in found] == [
        (D, 1, 1, "missing required field 'id'"),
        (D, 1, 1, "missing required field 'status'"),
    ]
    assert all(f.severity == "error" for f in found)


def test_missing_field_inside_an_approval_points_at_the_approval(log: LogMaker) -> None:
    log.decision("0001-x", _draft("approvals:\n  - partner: acme\n    via: explicit\n"))
    assert [(f.line, f.col, f.message) for f in log.codes("DL101")] == [
        (6, 5, "missing required field 'by' in approvals[1]")
    ]


def test_wrong_type_is_dl102_with_a_hint(log: LogMaker) -> None:
    log.decision("0001-x", _draft("tags: governance\n"))
    assert log.codes("DL102") == [
        Found(
            D, 5, 7, "DL102", "error", "tags should be a list, not 'governance'", "write a list: [governance]"
        )
    ]


def test_number_where_text_is_expected_suggests_quoting(log: LogMaker) -> None:
    log.decision("0001-x", doc('id: "0001"\ntitle: 42\nstatus: draft\n'))
    [f] = log.codes("DL102")
    assert (f.line, f.col, f.message, f.hint) == (3, 8, "title should be text, not 42", 'quote it: "42"')


def test_unknown_status_is_dl103_with_did_you_mean(log: LogMaker) -> None:
    log.decision("0001-x", doc('id: "0001"\ntitle: X\nstatus: approved\n'))
    [f] = log.codes("DL103")
    assert (f.path, f.line, f.col) == (D, 4, 9)
    assert (
        f.message
        == "status 'approved' is not one of: proposed, draft, accepted, rejected, withdrawn, superseded"
    )
    assert f.hint == "did you mean 'accepted'?"


def test_misspelt_mode_is_dl103_with_close_match(log: LogMaker) -> None:
    log.decision("0001-x", _draft("mode: asynch\n"))
    [f] = log.codes("DL103")
    assert (f.line, f.col, f.message, f.hint) == (
        5,
        7,
        "mode 'asynch' is not one of: sync, async",
        "did you mean 'async'?",
    )


def test_enum_inside_a_list_names_the_item(log: LogMaker) -> None:
    log.decision(
        "0001-x",
        _draft("approvals:\n  - partner: acme\n    by: bob\n    via: email\n"),
    )
    [f] = log.codes("DL103")
    assert (f.line, f.col) == (8, 10)
    assert f.message.startswith(
        "approvals[1].via 'email' is not one of: pr-review, meeting, explicit, silence"
    )


def test_bad_formats_are_dl104(log: LogMaker) -> None:
    log.decision("1-x", doc('id: "1"\ntitle: X\nstatus: draft\nowner: "@alice"\ntags: [Gov]\n'))
    found = [(f.line, f.col, f.message) for f in log.codes("DL104")]
    assert found == [
        (2, 5, "id '1' is not a decision id (four or more digits, quoted: \"0042\")"),
        (5, 8, "owner '@alice' is not a valid handle (letters, digits and single dashes, without @)"),
        (
            6,
            8,
            "tags[1] 'Gov' should be lower-case letters, digits and dashes (e.g. 'acme' or 'data-retention')",
        ),
    ]


def test_unknown_time_zone_is_dl104_with_suggestion(log: LogMaker) -> None:
    log.partner("initech", doc("id: initech\nname: Initech\ntimezone: Europe/Berln\nmembers: [erin]\n"))
    [f] = log.codes("DL104")
    assert (f.path, f.line, f.col) == ("content/partners/initech.md", 4, 11)
    assert f.message == "timezone 'Europe/Berln' is not an IANA time zone"
    assert f.hint == "did you mean 'Europe/Berlin'?"


def test_partner_url_must_be_http(log: LogMaker) -> None:
    log.partner(
        "initech",
        doc("id: initech\nname: Initech\ntimezone: UTC\nmembers: [erin]\nurl: ftp://initech.example\n"),
    )
    [f] = log.codes("DL104")
    assert (f.line, f.col, f.message) == (6, 6, "url 'ftp://initech.example' is not an http(s) URL")


def test_a_misspelt_field_is_a_dl111_error_with_the_field_it_means(log: LogMaker) -> None:
    log.decision("0001-x", ACCEPTED.replace("rationale:", "rationle:").replace("logged:", "Loged:"))
    run = log.check()
    assert run.exit_code == 1  # the rationale and the tags would be lost
    assert log.codes("DL111") == [
        Found(
            D,
            12,
            1,
            "DL111",
            "error",
            "unknown field 'Loged': did you mean 'logged'?",
            "as written, its value is ignored",
        ),
        Found(
            D,
            22,
            1,
            "DL111",
            "error",
            "unknown field 'rationle': did you mean 'rationale'?",
            "as written, its value is ignored",
        ),
    ]


def test_an_unknown_field_that_is_no_misspelling_is_a_dl107_warning(log: LogMaker) -> None:
    log.decision("0001-x", ACCEPTED.replace("rationale:", "the_rationale:"))
    run = log.check()
    assert run.exit_code == 0  # warnings only
    assert run.lines == [
        f"{D}:4:9: warning DL310 accepted decision without rationale",
        f"{D}:22:1: warning DL107 unknown field 'the_rationale' (did you mean 'rationale'?)",
    ]


def test_empty_values_are_dl110(log: LogMaker) -> None:
    log.decision("0001-x", doc('id: "0001"\ntitle: ""\nstatus: draft\npartners: []\n'))
    assert [(f.line, f.col, f.message) for f in log.codes("DL110")] == [
        (3, 8, "title is empty"),
        (5, 11, "partners is empty"),
    ]


def test_a_list_with_a_repeated_value_is_dl110(log: LogMaker) -> None:
    log.decision("0001-x", _draft("tags: [a, b, a]\n"))
    [f] = log.codes("DL110")
    assert (f.line, f.col, f.message) == (5, 7, "tags lists 'a' more than once")


def test_member_in_wrong_shape_is_reported_on_the_member(log: LogMaker) -> None:
    log.partner(
        "initech",
        doc("id: initech\nname: Initech\ntimezone: UTC\nmembers:\n  - name: Erin\n  - erin!\n"),
    )
    found = [(f.line, f.col, f.code, f.message) for f in log.findings() if f.path.endswith("initech.md")]
    assert found == [
        (6, 5, "DL101", "missing required field 'handle' in members[1]"),
        (
            7,
            5,
            "DL104",
            "members[2] 'erin!' is not a valid handle (letters, digits and single dashes, without @)",
        ),
    ]


def test_the_quick_validator_agrees_with_the_full_one_on_who_approved() -> None:
    """The compiled validator reads "every approval but silence names its member" as jsonschema does."""
    import itertools

    import fastjsonschema

    from declog.log.fields import _fast_validator, validator

    base = {"id": "0001", "title": "X", "status": "draft"}
    for by, via in itertools.product([None, "ann", 7], [None, "silence", "explicit", "pr-review", "smoke"]):
        approval = {
            "partner": "acme",
            **({"by": by} if by is not None else {}),
            **({"via": via} if via else {}),
        }
        data = {**base, "approvals": [approval]}
        full = not list(validator("decision").iter_errors(data))
        try:
            _fast_validator("decision")(data)
            quick = True
        except fastjsonschema.JsonSchemaException:
            quick = False
        assert quick == full, approval
    assert full is False  # the last case, via: smoke, is refused by both


@pytest.mark.parametrize(
    ("written", "hint"),
    [
        ("EAT", "'EAT' is an abbreviation, not a zone: write 'Africa/Nairobi'"),
        ("BRT", "'BRT' is an abbreviation, not a zone: write 'America/Sao_Paulo'"),
        (
            "GMT+3",
            "for UTC+3 IANA writes 'Etc/GMT-3' (its sign is inverted); better, the zone of a city there, "
            "such as 'Africa/Nairobi', which also follows daylight saving time",
        ),
        ("Sao Paulo", "write 'America/Sao_Paulo'"),
        ("sao_paulo", "write 'America/Sao_Paulo'"),
        ("São Paulo", "write 'America/Sao_Paulo'"),
        ("europe/berlin", "write 'Europe/Berlin'"),
    ],
)
def test_a_time_zone_suggests_the_iana_name_meant(log: LogMaker, written: str, hint: str) -> None:
    log.partner("initech", doc(f"id: initech\nname: Initech\ntimezone: {written}\nmembers: [erin]\n"))
    [f] = log.codes("DL104")
    assert (f.line, f.message, f.hint) == (4, f"timezone '{written}' is not an IANA time zone", hint)


def test_a_valid_abbreviation_zone_is_accepted(log: LogMaker) -> None:
    log.partner("initech", doc("id: initech\nname: Initech\ntimezone: CET\nmembers: [erin]\n"))
    assert log.codes("DL104") == []


@pytest.mark.parametrize(
    ("written", "hint"),
    [
        (
            "08.12.2026",
            "write 2026-12-08T09:00:00+00:00 (ISO 8601, year-month-day; a date-time needs a time; "
            "+00:00 is UTC, write your own offset)",
        ),
        (
            "8/12/2026",
            "'8/12/2026' is ambiguous: write 2026-12-08T09:00:00+00:00 (8 December) or "
            "2026-08-12T09:00:00+00:00 (12 August), year-month-day; a date-time needs a time; "
            "+00:00 is UTC, write your own offset",
        ),
        (
            "2026-12-8",
            "write 2026-12-08T09:00:00+00:00 (ISO 8601, year-month-day; a date-time needs a time; "
            "+00:00 is UTC, write your own offset)",
        ),
        (
            "2026-12-08 9:00",
            "write 2026-12-08T09:00:00+00:00 (ISO 8601, year-month-day; +00:00 is UTC, write your own offset)",
        ),
        ("31/12/2026 14:30+0200", "write 2026-12-31T14:30:00+02:00 (ISO 8601, year-month-day)"),
    ],
)
def test_a_date_written_another_way_suggests_the_iso_form(log: LogMaker, written: str, hint: str) -> None:
    log.decision("0001-x", doc(f'id: "0001"\ntitle: X\nstatus: draft\nproposed: "{written}"\n'))
    [f] = log.codes("DL105")
    assert (f.line, f.message, f.hint) == (5, f"proposed '{written}' is not a valid date-time", hint)
