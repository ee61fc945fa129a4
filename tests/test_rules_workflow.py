"""Workflow rules (DL301-DL321): the process the partners agreed in declog.toml.

ACCEPTED (conftest) is a valid async decision; SYNC below is a valid decision
made in MEETING. Each test breaks one thing and asserts the finding's place.
Line map of ACCEPTED: status 4, mode 5, category 6, partners 7, owner 8,
proposed 9, deadline 10, decided 11, logged 12, approvals 13 (acme: 14-17,
globex: 18-21), rationale 22.
"""

from __future__ import annotations

from conftest import ACCEPTED, CONFIG, Found, LogMaker, doc

A = "content/decisions/0001-keep-decisions-in-git.md"
S = "content/decisions/0002-hire-a-product-manager.md"
MEETING_PATH = "content/meetings/2026-01-10-kickoff.md"

SYNC = doc(
    """
    id: "0002"
    title: Hire a product manager
    status: accepted
    mode: sync
    category: strategic
    partners: [acme, globex]
    owner: alice
    proposed: 2026-01-05T09:00:00+01:00
    decided: 2026-01-10T11:00:00+01:00
    logged: 2026-01-10T12:00:00+01:00
    meeting: 2026-01-10-kickoff
    approvals:
      - partner: acme
        by: bob
        via: meeting
      - partner: globex
        by: carol
        via: meeting
    rationale: Nobody owns the roadmap.
    """
)

MEETING = doc(
    """
    id: 2026-01-10-kickoff
    title: Kickoff
    date: 2026-01-10T10:00:00+01:00
    attendees: [alice, bob, carol]
    decisions: ["0002"]
    """
)


def _edit(text: str, *pairs: tuple[str, str]) -> str:
    for old, new in pairs:
        assert old in text, old
        text = text.replace(old, new, 1)
    return text


def _accepted(log: LogMaker, *pairs: tuple[str, str]) -> None:
    log.decision("0001-keep-decisions-in-git", _edit(ACCEPTED, *pairs))


def _sync(log: LogMaker, *pairs: tuple[str, str], meeting: str = MEETING) -> None:
    log.decision("0002-hire-a-product-manager", _edit(SYNC, *pairs))
    log.meeting("2026-01-10-kickoff", meeting)


def _where(found: list[Found]) -> list[tuple[str, int, int, str]]:
    return [(f.path, f.line, f.col, f.message) for f in found]


def test_the_baseline_documents_are_clean(log: LogMaker) -> None:
    _accepted(log)
    _sync(log)
    run = log.check("--strict")
    assert (run.exit_code, run.stdout) == (0, "")


# --- DL301 feedback window -------------------------------------------------------------


def test_deadline_shorter_than_the_feedback_window_is_dl301(log: LogMaker) -> None:
    _accepted(log, ("deadline: 2026-01-07T09:00", "deadline: 2026-01-06T09:00"))
    assert log.codes("DL301") == [
        Found(
            A,
            10,
            11,
            "DL301",
            "error",
            "deadline is 1d after proposed; the agreed feedback window is 2d",
            "set deadline to 2026-01-07T09:00:00+01:00 or later",
        )
    ]


def test_feedback_window_comes_from_declog_toml(log: LogMaker) -> None:
    log.config(CONFIG.replace('feedback_window = "48h"', 'feedback_window = "72h"'))
    _accepted(log)
    assert _where(log.codes("DL301")) == [
        (A, 10, 11, "deadline is 2d after proposed; the agreed feedback window is 3d")
    ]


def test_feedback_window_is_measured_across_time_zones(log: LogMaker) -> None:
    # 09:00 in Berlin to 03:00 in Toronto two days later is exactly 48 hours.
    _accepted(log, ("deadline: 2026-01-07T09:00:00+01:00", "deadline: 2026-01-07T03:00:00-05:00"))
    assert log.codes("DL301") == []
    _accepted(log, ("deadline: 2026-01-07T09:00:00+01:00", "deadline: 2026-01-07T02:59:00-05:00"))
    assert [f.line for f in log.codes("DL301")] == [10]


# --- DL302 approvals ---------------------------------------------------------------------


def test_accepted_without_every_partner_is_dl302(log: LogMaker) -> None:
    _accepted(log, ("  - partner: globex\n    by: carol\n", "  - partner: acme\n    by: alice\n"))
    assert _where(log.codes("DL302")) == [(A, 4, 9, "accepted without a valid approval from globex")]


def test_quorum_rule(log: LogMaker) -> None:
    log.config(CONFIG.replace('approval = "all"', 'approval = "quorum"\nquorum = 2'))
    _accepted(log, ("    by: carol", "    by: bob"))  # bob cannot approve for globex
    found = log.codes("DL302")
    assert _where(found) == [(A, 4, 9, "accepted with 1 valid approval(s); the quorum is 2")]
    log.config(CONFIG.replace('approval = "all"', 'approval = "quorum"\nquorum = 1'))
    assert log.codes("DL302") == []


# --- DL303 non-member approval ------------------------------------------------------------


def test_approval_by_a_member_of_another_partner_is_dl303(log: LogMaker) -> None:
    _accepted(log, ("    by: bob", "    by: dave"))
    assert log.codes("DL303") == [
        Found(
            A,
            15,
            9,
            "DL303",
            "error",
            "'dave' approved for acme but is a member of globex",
            "a partner cannot approve on another's behalf",
        )
    ]
    # ...and it does not count: acme has not approved.
    assert _where(log.codes("DL302")) == [(A, 4, 9, "accepted without a valid approval from acme")]


# --- DL304 / DL305 meetings ---------------------------------------------------------------


def test_strategic_decision_made_asynchronously_is_dl304(log: LogMaker) -> None:
    _accepted(log, ("category: operational", "category: strategic"))
    assert _where(log.codes("DL304")) == [
        (A, 5, 7, "strategic decisions must be decided in a meeting, but this one is async")
    ]


def test_dl304_points_at_category_when_mode_is_implicit(log: LogMaker) -> None:
    _accepted(log, ("category: operational", "category: strategic"), ("mode: async\n", ""))
    assert [(f.line, f.col) for f in log.codes("DL304")] == [(5, 11)]


def test_meeting_required_comes_from_declog_toml(log: LogMaker) -> None:
    log.config(CONFIG.replace('meeting_required = ["strategic"]', "meeting_required = []"))
    _accepted(log, ("category: operational", "category: strategic"))
    assert log.codes("DL304") == []


def test_sync_decision_without_meeting_is_dl305(log: LogMaker) -> None:
    _sync(
        log,
        ("meeting: 2026-01-10-kickoff\n", ""),
        ("via: meeting", "via: explicit"),
        ("via: meeting", "via: explicit"),
    )
    assert log.codes("DL305") == [
        Found(
            S,
            5,
            7,
            "DL305",
            "error",
            "sync decision does not name its meeting",
            "add `meeting: ID` for content/meetings/ID.md",
        )
    ]


def test_sync_decision_in_a_meeting_without_attendees_is_dl305(log: LogMaker) -> None:
    _sync(log, meeting=MEETING.replace("attendees: [alice, bob, carol]", "attendees: []"))
    assert _where(log.codes("DL305")) == [(S, 12, 10, "meeting '2026-01-10-kickoff' lists no attendees")]


# --- DL306 exceptions ---------------------------------------------------------------------


def test_exception_logged_after_the_window_is_dl306(log: LogMaker) -> None:
    _accepted(
        log,
        ("logged: 2026-01-08T10:05:00+01:00", "logged: 2026-01-09T16:00:00+01:00"),
        ("rationale:", "source: {kind: chat, ref: 'https://chat.example/m/1'}\nrationale:"),
    )
    assert _where(log.codes("DL306")) == [
        (A, 12, 9, "exception logged 1d 6h after it was decided; the window is 1d")
    ]


def test_exception_without_a_logged_time_is_dl306(log: LogMaker) -> None:
    # Outside git there is no commit date to fall back on.
    _accepted(
        log, ("logged: 2026-01-08T10:05:00+01:00\n", ""), ("rationale:", "source:\n  kind: call\nrationale:")
    )
    assert log.codes("DL306") == [
        Found(
            A,
            22,
            3,
            "DL306",
            "error",
            "exception does not say when it was logged",
            "add `logged:` (or commit the file so git records it)",
        )
    ]


def test_exception_window_comes_from_declog_toml(log: LogMaker) -> None:
    log.config(CONFIG.replace('exception_window = "24h"', 'exception_window = "2d"'))
    _accepted(
        log,
        ("logged: 2026-01-08T10:05:00+01:00", "logged: 2026-01-09T16:00:00+01:00"),
        ("rationale:", "source: {kind: chat}\nrationale:"),
    )
    assert log.codes("DL306") == []


# --- DL307 / DL308 / DL317 / DL319 supersede links -------------------------------------------

SUPERSEDED = _edit(
    ACCEPTED,
    ("status: accepted", "status: superseded"),
    ("rationale:", 'superseded_by: "0003"\nrationale:'),
)
SUCCESSOR = _edit(
    ACCEPTED.replace('"0001"', '"0003"'),
    ("title: Keep decisions in git", "title: Keep decisions in git, with a site"),
    ("rationale:", 'supersedes: ["0001"]\nrationale:'),
)


def test_a_valid_supersede_pair_is_clean(log: LogMaker) -> None:
    log.decision("0001-keep-decisions-in-git", SUPERSEDED)
    log.decision("0003-with-a-site", SUCCESSOR)
    assert log.findings() == []


def test_one_sided_supersede_links_are_dl307(log: LogMaker) -> None:
    log.decision("0001-keep-decisions-in-git", SUPERSEDED)
    log.decision("0003-with-a-site", ACCEPTED.replace('"0001"', '"0003"'))
    assert log.codes("DL307") == [
        Found(
            A,
            22,
            16,
            "DL307",
            "error",
            "superseded_by '0003' but 0003 does not list 0001 in supersedes",
            'add supersedes: ["0001"] to content/decisions/0003-with-a-site.md',
        )
    ]
    log.decision("0001-keep-decisions-in-git", ACCEPTED)
    log.decision("0003-with-a-site", SUCCESSOR)
    assert _where(log.codes("DL307")) == [
        (
            "content/decisions/0003-with-a-site.md",
            22,
            14,
            "supersedes '0001' but 0001 does not name 0003 in superseded_by",
        )
    ]


def test_a_proposal_to_replace_an_accepted_decision_is_clean_until_it_is_accepted(log: LogMaker) -> None:
    """The back-link is written when the replacement is accepted: DL307's hint leads to no other finding."""
    log.decision("0001-keep-decisions-in-git", ACCEPTED)
    proposal = _edit(SUCCESSOR, ("status: accepted", "status: proposed"))
    log.decision("0003-with-a-site", proposal)
    assert log.codes("DL307") == [] and log.codes("DL319") == []
    log.decision("0003-with-a-site", SUCCESSOR)  # accepted: now 0001 must name it back
    [found] = log.codes("DL307")
    assert (
        found.hint
        == 'set superseded_by: "0003" and status: superseded in content/decisions/0001-keep-decisions-in-git.md'
    )
    log.decision("0001-keep-decisions-in-git", SUPERSEDED)  # the hint applied
    assert log.codes("DL307") == [] and log.codes("DL319") == [] and log.codes("DL317") == []


def test_supersede_cycle_is_dl308(log: LogMaker) -> None:
    one = _edit(SUPERSEDED, ('superseded_by: "0003"', 'superseded_by: "0003"\nsupersedes: ["0003"]'))
    three = _edit(
        SUCCESSOR,
        ("status: accepted", "status: superseded"),
        ("supersedes:", 'superseded_by: "0001"\nsupersedes:'),
    )
    log.decision("0001-keep-decisions-in-git", one)
    log.decision("0003-with-a-site", three)
    assert _where(log.codes("DL308")) == [(A, 22, 16, "supersede links form a cycle: 0001 -> 0003 -> 0001")]


def test_superseded_without_successor_and_successor_without_status_are_dl317(log: LogMaker) -> None:
    log.decision("0001-keep-decisions-in-git", _edit(ACCEPTED, ("status: accepted", "status: superseded")))
    assert log.codes("DL317") == [
        Found(
            A,
            4,
            9,
            "DL317",
            "error",
            "superseded decision does not name its successor",
            'add superseded_by: "NNNN"',
        )
    ]
    log.decision("0001-keep-decisions-in-git", _edit(SUPERSEDED, ("status: superseded", "status: accepted")))
    log.decision("0003-with-a-site", SUCCESSOR)
    assert _where(log.codes("DL317")) == [(A, 22, 16, "has superseded_by '0003' but status is accepted")]


def test_superseded_by_an_unaccepted_decision_is_dl319(log: LogMaker) -> None:
    log.decision("0001-keep-decisions-in-git", SUPERSEDED)
    log.decision("0003-with-a-site", _edit(SUCCESSOR, ("status: accepted", "status: proposed")))
    assert _where(log.codes("DL319")) == [(A, 22, 16, "superseded by 0003, which is proposed, not accepted")]


# --- DL309 / DL310 / DL318 completeness ------------------------------------------------------


def test_rejected_without_reason_is_dl309(log: LogMaker) -> None:
    _accepted(log, ("status: accepted", "status: rejected"))
    assert _where(log.codes("DL309")) == [(A, 4, 9, "rejected decision without a reason")]
    _accepted(log, ("status: accepted", "status: rejected"), ("rationale:", "reason: Too slow.\nrationale:"))
    assert log.codes("DL309") == []


def test_withdrawn_without_reason_is_dl309(log: LogMaker) -> None:
    log.decision("0004-x", doc('id: "0004"\ntitle: X\nstatus: withdrawn\nowner: alice\nrationale: r\n'))
    assert _where(log.codes("DL309")) == [
        ("content/decisions/0004-x.md", 4, 9, "withdrawn decision without a reason")
    ]


def test_incomplete_entries_are_dl310_warnings(log: LogMaker) -> None:
    log.decision(
        "0004-x",
        doc(
            'id: "0004"\ntitle: X\nstatus: proposed\nproposed: 2026-01-05T09:00:00Z\ndeadline: 2026-01-08T09:00:00Z\n'
        ),
    )
    _accepted(log, ("decided: 2026-01-08T10:00:00+01:00\n", ""))
    run = log.check()
    assert run.exit_code == 0
    assert run.lines == [
        f"{A}:4:9: warning DL310 accepted decision without decided",
        "content/decisions/0004-x.md:4:9: warning DL310 proposed decision without owner, rationale",
    ]
    assert log.check("--strict").exit_code == 1


def test_draft_is_never_incomplete(log: LogMaker) -> None:
    log.decision("0004-x", doc('id: "0004"\ntitle: X\nstatus: draft\n'))
    assert log.findings() == []


def test_async_proposal_without_deadline_is_dl318(log: LogMaker) -> None:
    log.decision(
        "0004-x",
        doc(
            'id: "0004"\ntitle: X\nstatus: proposed\nowner: alice\nrationale: r\nproposed: 2026-01-05T09:00:00Z\n'
        ),
    )
    assert _where(log.codes("DL318")) == [
        ("content/decisions/0004-x.md", 4, 9, "async proposed decision without deadline")
    ]


# --- DL311 / DL312 / DL313 / DL314 approvals ---------------------------------------------------


def test_owner_approving_is_dl311(log: LogMaker) -> None:
    _accepted(log, ("    by: bob", "    by: alice"))
    assert _where(log.codes("DL311")) == [
        (A, 15, 9, "'alice' owns this decision and cannot approve it for acme")
    ]
    assert _where(log.codes("DL302")) == [(A, 4, 9, "accepted without a valid approval from acme")]


def test_self_approval_allowed_by_declog_toml(log: LogMaker) -> None:
    log.config(CONFIG.replace("self_approval = false", "self_approval = true"))
    _accepted(log, ("    by: bob", "    by: alice"))
    assert log.findings() == []


def test_approval_from_a_partner_not_party_is_dl312(log: LogMaker) -> None:
    _accepted(log, ("partners: [acme, globex]", "partners: [acme]"))
    assert log.codes("DL312") == [
        Found(
            A,
            18,
            14,
            "DL312",
            "error",
            "approval from 'globex', which is not party to this decision",
            "add globex to partners, or remove the approval",
        )
    ]


def test_one_person_or_partner_counts_once_dl312(log: LogMaker) -> None:
    _accepted(log, ("  - partner: globex\n    by: carol", "  - partner: acme\n    by: bob"))
    assert _where(log.codes("DL312")) == [
        (A, 18, 14, "second approval for 'acme' (first is approval 1); record one approval per partner"),
        (A, 19, 9, "'bob' already approved (approval 1); one person's approval counts once"),
    ]


SILENCE = (
    CONFIG + '\n[workflow.silence]\nallowed = true\npartners = ["globex"]\ncategories = ["operational"]\n'
)
SILENT_GLOBEX = (
    (
        "    by: carol\n    at: 2026-01-06T11:00:00+01:00\n    via: pr-review",
        "    by: carol\n    at: 2026-01-07T09:00:00+01:00\n    via: silence",
    ),
)


def test_silence_where_not_agreed_is_dl313(log: LogMaker) -> None:
    _accepted(log, *SILENT_GLOBEX)
    assert log.codes("DL313") == [
        Found(
            A,
            21,
            10,
            "DL313",
            "error",
            "silence is not agreed as approval for globex on operational decisions",
            "see [workflow.silence] in declog.toml",
        )
    ]


def test_agreed_silence_after_the_deadline_counts(log: LogMaker) -> None:
    log.config(SILENCE)
    _accepted(log, *SILENT_GLOBEX)
    assert log.findings() == []


def test_silence_for_another_category_or_partner_is_dl313(log: LogMaker) -> None:
    log.config(SILENCE.replace('partners = ["globex"]', 'partners = ["acme"]'))
    _accepted(log, *SILENT_GLOBEX)
    assert [f.message for f in log.codes("DL313")] == [
        "silence is not agreed as approval for globex on operational decisions"
    ]


def test_silence_before_the_deadline_is_dl313(log: LogMaker) -> None:
    log.config(SILENCE)
    _accepted(
        log,
        *SILENT_GLOBEX,
        (
            "at: 2026-01-07T09:00:00+01:00\n    via: silence",
            "at: 2026-01-06T09:00:00+01:00\n    via: silence",
        ),
    )
    assert _where(log.codes("DL313")) == [
        (A, 21, 10, "silence counted before the deadline (2026-01-07T09:00:00+01:00) passed")
    ]
    assert _where(log.codes("DL302")) == [(A, 4, 9, "accepted without a valid approval from globex")]


def test_silence_without_a_deadline_is_dl313(log: LogMaker) -> None:
    log.config(SILENCE)
    _accepted(log, *SILENT_GLOBEX, ("deadline: 2026-01-07T09:00:00+01:00\n", ""))
    assert [(f.line, f.message) for f in log.codes("DL313")] == [
        (20, "silence counts only after a feedback deadline, and this decision has none")
    ]


#: Silence as ``declog approvals --write`` records it: no person, at the deadline.
SILENT_GLOBEX_UNSIGNED = (
    (
        "    by: carol\n    at: 2026-01-06T11:00:00+01:00\n    via: pr-review",
        "    at: 2026-01-07T09:00:00+01:00\n    via: silence",
    ),
)


def test_silence_needs_no_approver_and_counts_where_agreed(log: LogMaker) -> None:
    log.config(SILENCE)
    _accepted(log, *SILENT_GLOBEX_UNSIGNED)
    run = log.check("--strict")
    assert (run.exit_code, run.stdout) == (0, "")


def test_silence_without_an_approver_is_judged_by_the_silence_rules(log: LogMaker) -> None:
    _accepted(log, *SILENT_GLOBEX_UNSIGNED)  # silence not agreed: it does not count
    assert _where(log.findings()) == [
        (A, 4, 9, "accepted without a valid approval from globex"),
        (A, 20, 10, "silence is not agreed as approval for globex on operational decisions"),
    ]


def test_every_approval_but_silence_names_its_approver(log: LogMaker) -> None:
    log.config(SILENCE)
    _accepted(
        log, ("    by: carol\n    at: 2026-01-06T11:00:00+01:00\n", "    at: 2026-01-06T11:00:00+01:00\n")
    )
    assert _where(log.codes("DL101")) == [(A, 18, 5, "missing required field 'by' in approvals[2]")]


def test_silence_without_an_approver_is_named_by_its_partner_in_findings(log: LogMaker) -> None:
    log.config(SILENCE)
    _accepted(
        log,
        *SILENT_GLOBEX_UNSIGNED,
        ("decided: 2026-01-08T10:00", "decided: 2026-01-07T09:00"),
        (
            "    at: 2026-01-07T09:00:00+01:00\n    via: silence",
            "    at: 2026-01-07T10:00:00+01:00\n    via: silence",
        ),
    )
    assert _where(log.codes("DL316")) == [
        (A, 19, 9, "globex's approval by silence is dated after the decision (2026-01-07T09:00:00+01:00)")
    ]


def test_silence_agreement_must_be_accepted_and_predate_the_proposal(log: LogMaker) -> None:
    log.config(SILENCE + 'agreement = "0003"\n')
    _accepted(log, *SILENT_GLOBEX)
    agreement = doc(
        'id: "0003"\ntitle: Silence\nstatus: proposed\nmode: sync\nowner: bob\nrationale: r\n'
        "proposed: 2026-01-09T09:00:00Z\n"
    )
    log.decision("0003-silence", agreement)
    assert [(f.path, f.line, f.col, f.message) for f in log.codes("DL313")] == [
        ("declog.toml", 15, 1, "[workflow.silence] agreement '0003' is proposed, not accepted"),
    ]
    log.decision(
        "0003-silence",
        _edit(
            ACCEPTED.replace('"0001"', '"0003"'),
            ("decided: 2026-01-08T10:00", "decided: 2026-01-04T10:00"),
            ("proposed: 2026-01-05", "proposed: 2026-01-01"),
        ),
    )
    assert log.codes("DL313") == []
    log.decision(
        "0003-silence",
        _edit(
            ACCEPTED.replace('"0001"', '"0003"'), ("decided: 2026-01-08T10:00", "decided: 2026-01-05T10:00")
        ),
    )
    assert _where(log.codes("DL313")) == [
        (A, 21, 10, "proposed before the silence agreement (0003) was decided")
    ]


def test_meeting_approval_by_someone_absent_is_dl314(log: LogMaker) -> None:
    _sync(log, meeting=MEETING.replace("attendees: [alice, bob, carol]", "attendees: [alice, bob]"))
    assert _where(log.codes("DL314")) == [
        (S, 18, 9, "'carol' approved in meeting '2026-01-10-kickoff' but did not attend it")
    ]


def test_meeting_approval_without_a_meeting_is_dl314(log: LogMaker) -> None:
    _accepted(log, ("    via: pr-review", "    via: meeting"))
    assert _where(log.codes("DL314")) == [
        (A, 17, 10, "approval via meeting, but the decision names no meeting")
    ]


# --- DL315 / DL316 / DL320 ----------------------------------------------------------------------


def test_partner_without_members_is_dl315(log: LogMaker) -> None:
    log.partner("initech", doc("id: initech\nname: Initech\ntimezone: UTC\nmembers: []\n"))
    assert log.codes("DL315") == [
        Found(
            "content/partners/initech.md",
            5,
            10,
            "DL315",
            "error",
            "partner 'initech' has no members, so it can never approve",
            "",
        )
    ]


def test_dates_out_of_order_are_dl316(log: LogMaker) -> None:
    _accepted(
        log,
        ("deadline: 2026-01-07T09:00", "deadline: 2026-01-05T08:00"),
        ("decided: 2026-01-08T10:00", "decided: 2026-01-04T10:00"),
        ("logged: 2026-01-08T10:05", "logged: 2026-01-04T09:00"),
        ("at: 2026-01-06T10:00", "at: 2026-01-04T08:59"),
        ("at: 2026-01-06T11:00", "at: 2026-01-04T09:00"),
    )
    assert _where(log.codes("DL316")) == [
        (A, 10, 11, "deadline is not after proposed"),
        (A, 11, 10, "decided is before proposed"),
        (A, 12, 9, "logged is before decided"),
        (A, 16, 9, "approval by 'bob' is dated before the decision was proposed"),
        (A, 20, 9, "approval by 'carol' is dated before the decision was proposed"),
    ]


def test_approval_after_the_decision_is_dl316(log: LogMaker) -> None:
    _accepted(log, ("at: 2026-01-06T11:00", "at: 2026-01-08T11:00"))
    [f] = log.codes("DL316")
    assert (f.path, f.line, f.col, f.message) == (
        A,
        20,
        9,
        "approval by 'carol' is dated after the decision (2026-01-08T10:00:00+01:00)",
    )


def test_sync_decision_before_its_meeting_is_dl316(log: LogMaker) -> None:
    _sync(log, ("decided: 2026-01-10T11:00", "decided: 2026-01-10T09:30"))
    assert _where(log.codes("DL316")) == [
        (S, 10, 10, "decided before its meeting '2026-01-10-kickoff' began")
    ]


def test_sync_decision_missing_from_its_meeting_is_a_dl320_warning(log: LogMaker) -> None:
    _sync(log, meeting=MEETING.replace('decisions: ["0002"]', "decisions: []"))
    run = log.check()
    assert run.exit_code == 0
    assert run.lines == [
        f"{S}:12:10: warning DL320 meeting '2026-01-10-kickoff' does not list decision 0002 (add \"0002\" to decisions in content/meetings/2026-01-10-kickoff.md)",
    ]


# --- [rules] in declog.toml ---------------------------------------------------------------------


def test_rules_table_changes_severity_and_turns_rules_off(log: LogMaker) -> None:
    _accepted(
        log,
        ("deadline: 2026-01-07T09:00", "deadline: 2026-01-06T09:00"),
        ("rationale: Everyone can read git.\n", ""),
    )
    log.config(CONFIG + '\n[rules]\nDL301 = "warning"\nDL310 = "off"\n')
    run = log.check()
    assert run.exit_code == 0
    assert run.lines == [
        f"{A}:10:11: warning DL301 deadline is 1d after proposed; the agreed feedback window is 2d (set deadline to 2026-01-07T09:00:00+01:00 or later)"
    ]


def test_rules_since_spares_older_decisions(log: LogMaker) -> None:
    _accepted(log, ("deadline: 2026-01-07T09:00", "deadline: 2026-01-06T09:00"))
    log.config(CONFIG + '\n[rules]\nDL301 = {severity = "error", since = "2026-02-01"}\n')
    assert log.check().exit_code == 0
    log.config(CONFIG + '\n[rules]\nDL301 = {severity = "error", since = "2026-01-01"}\n')
    assert [f.line for f in log.codes("DL301")] == [10]


# --- DL321 empty sections ------------------------------------------------------------------


def test_an_empty_section_of_an_accepted_decision_is_dl321(log: LogMaker) -> None:
    body = "\n## Context\n\nWhy.\n\n## Decision\n\n### Details\n\nWhat.\n\n## Consequences\n\n## Notes\n\n```\n# a comment, not a heading\n```\n"
    log.decision("0001-keep-decisions-in-git", ACCEPTED + body)
    body_line = ACCEPTED.count("\n") + 1  # the line after the closing ---
    assert _where(log.codes("DL321")) == [(A, body_line + 11, 1, "section 'Consequences' is empty")]
    log.config(CONFIG + '\n[rules]\nDL321 = "off"\n')
    assert log.codes("DL321") == []


def test_empty_sections_of_a_proposal_are_not_dl321(log: LogMaker) -> None:
    proposal = _edit(ACCEPTED, ("status: accepted", "status: proposed"))
    log.decision("0001-keep-decisions-in-git", proposal + "\n## Context\n\n## Decision\n")
    assert log.codes("DL321") == []
