"""Review dates as a process: review_by and reviews validate, and due reviews show everywhere at a moment."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from conftest import ACCEPTED, CONFIG, Found, LogMaker, doc, invoke

from declog.check.checker import load_and_check
from declog.insight.audit import Window, audit
from declog.insight.query import parse
from declog.log.model import Log
from declog.site import views
from declog.site.feeds import calendar

A = "content/decisions/0001-keep-decisions-in-git.md"
REVIEW_CONFIG = CONFIG + '\n[workflow.review]\nafter = { operational = "365d" }\n'
#: 0001 (ACCEPTED) was decided 2026-01-08: with after = 365d its review is due 2027-01-08.
DUE = dt.date(2027, 1, 8)


def _edit(text: str, old: str, new: str) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


def _review(did: str, reviews: str, decided: str, extra: str = "") -> str:
    """An accepted sync-free async decision by acme and globex that reviews ``reviews``."""
    text = _edit(ACCEPTED, 'id: "0001"', f'id: "{did}"')
    text = _edit(text, "title: Keep decisions in git", f"title: Review {did}\nreviews: {reviews}{extra}")
    text = _edit(text, "decided: 2026-01-08T10:00:00+01:00", f"decided: {decided}")
    return _edit(text, "logged: 2026-01-08T10:05:00+01:00\n", "")


def _loaded(root: Path) -> Log:
    result = load_and_check(root)
    assert result.log is not None
    return result.log


def at(day: dt.date, hour: int = 12) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=dt.UTC)


# --- the fields validate with line and column ---------------------------------------------------


def test_review_by_before_decided_is_dl323_at_its_line(log: LogMaker) -> None:
    log.decision(
        "0001-keep-decisions-in-git", _edit(ACCEPTED, "rationale:", "review_by: 2025-12-31\nrationale:")
    )
    assert log.codes("DL323") == [
        Found(
            A,
            22,
            12,
            "DL323",
            "error",
            "review_by 2025-12-31 is before the decision was decided (2026-01-08)",
            "set review_by to 2026-01-08 or later",
        )
    ]


def test_review_by_on_a_rejected_decision_is_dl323(log: LogMaker) -> None:
    text = _edit(ACCEPTED, "status: accepted", "status: rejected")
    log.decision(
        "0001-keep-decisions-in-git",
        _edit(text, "rationale:", "reason: No.\nreview_by: 2027-01-01\nrationale:"),
    )
    [f] = log.codes("DL323")
    assert (f.line, f.col, f.message) == (
        23,
        12,
        "review_by 2027-01-01 on a rejected decision, which never takes effect",
    )


def test_review_by_that_is_not_a_date_is_dl105(log: LogMaker) -> None:
    log.decision(
        "0001-keep-decisions-in-git", _edit(ACCEPTED, "rationale:", "review_by: 2027-02-30\nrationale:")
    )
    [f] = log.codes("DL105")
    assert (f.line, f.col, f.message) == (22, 12, "review_by '2027-02-30' is not a valid date")


def test_reviews_of_an_unknown_decision_is_dl204_with_did_you_mean(log: LogMaker) -> None:
    log.decision("0001-keep-decisions-in-git", ACCEPTED)
    log.decision("0002-review", _review("0002", '["0011"]', "2026-06-01T10:00:00+02:00"))
    assert log.codes("DL204") == [
        Found(
            "content/decisions/0002-review.md",
            4,
            11,
            "DL204",
            "error",
            "reviews unknown decision '0011'",
            "did you mean '0001'?",
        )
    ]


def test_reviews_of_a_proposal_is_dl324(log: LogMaker) -> None:
    log.decision("0001-keep-decisions-in-git", ACCEPTED)
    log.decision("0003-open", doc('id: "0003"\ntitle: Open\nstatus: draft\n'))
    log.decision("0002-review", _review("0002", '["0001", "0003"]', "2026-06-01T10:00:00+02:00"))
    assert log.codes("DL324") == [
        Found(
            "content/decisions/0002-review.md",
            4,
            19,
            "DL324",
            "error",
            "reviews 0003, which is draft, not accepted",
            "did you mean '0001'?",
        )
    ]
    assert log.codes("DL204") == []


def test_review_fields_on_a_valid_log_are_clean(log: LogMaker) -> None:
    log.config(REVIEW_CONFIG)
    log.decision(
        "0001-keep-decisions-in-git", _edit(ACCEPTED, "rationale:", "review_by: 2026-09-01\nrationale:")
    )
    log.decision("0002-review", _review("0002", '["0001"]', "2026-08-20T10:00:00+02:00"))
    run = log.check()
    assert run.exit_code == 0, run.stdout


def test_a_review_after_that_is_not_a_duration_names_its_line(log: LogMaker) -> None:
    log.config(CONFIG + '\n[workflow.review]\nafter = { strategic = "a year" }\n')
    run = log.check()
    assert run.exit_code == 2
    assert "declog.toml:12:" in run.stdout
    assert (
        "DL502 workflow.review.after.strategic 'a year' is not a duration such as 48h, 2d or 1w" in run.stdout
    )


# --- the due list, the calendar, query and audit at a moment -------------------------------------


def _reviewed_log(log: LogMaker) -> Log:
    """0001 decided 2026-01-08 (due 2027-01-08); 0004 too, confirmed on time by 0002 (next due from
    0002's review_by 2028-01-01); 0005 confirmed late by 0003."""
    log.config(REVIEW_CONFIG)
    log.decision("0001-keep-decisions-in-git", ACCEPTED)
    log.decision(
        "0004-b", _edit(_edit(ACCEPTED, 'id: "0001"', 'id: "0004"'), "title: Keep", "title: Also keep")
    )
    log.decision(
        "0005-c", _edit(_edit(ACCEPTED, 'id: "0001"', 'id: "0005"'), "title: Keep", "title: Still keep")
    )
    log.decision(
        "0002-review", _review("0002", '["0004"]', "2026-12-20T10:00:00+01:00", "\nreview_by: 2028-01-01")
    )
    log.decision("0003-late", _review("0003", '["0005"]', "2027-02-07T10:00:00+01:00"))
    return _loaded(log.root)


def test_due_list_at_a_moment(log: LogMaker) -> None:
    lg = _reviewed_log(log)
    before = views.Views(lg, at(DUE - dt.timedelta(days=40)), {})
    assert before.board.reviews == ()
    soon = views.Views(lg, at(DUE - dt.timedelta(days=12)), {})
    assert [(r.decision.id, r.due, r.text) for r in soon.board.reviews] == [
        ("0001", DUE, "review due in 12 days"),
        ("0005", DUE, "review due in 12 days"),
    ]
    late = views.Views(lg, at(DUE + dt.timedelta(days=3)), {})
    assert [(r.decision.id, r.text, r.overdue) for r in late.board.reviews] == [
        ("0001", "review overdue", True),
        ("0005", "review overdue", True),
    ]
    # 0003 confirmed 0005 on 2027-02-07: its next review is a year on, not listed now
    after = views.Views(lg, at(dt.date(2027, 2, 8)), {})
    assert [r.decision.id for r in after.board.reviews] == ["0001"]
    # the owner (alice) is acme's: acme's page lists it, globex's does not
    assert [r.decision.id for r in after.partners["acme"].reviews] == ["0001"]
    assert after.partners["globex"].reviews == ()


def test_partner_calendar_has_an_all_day_event_on_the_review_date(log: LogMaker) -> None:
    lg = _reviewed_log(log)
    v = views.Views(lg, at(dt.date(2026, 12, 21)), {})
    ics = calendar(
        site_key="k",
        name="x",
        items=(),
        base="https://example.org/",
        uid_host="example.org",
        reviews=[r for r in v.open_reviews if "acme" in r.decision.partners],
    ).decode()
    assert (
        "UID:decision-0001-review-k@example.org\r\nDTSTAMP:20260108T090000Z\r\nDTSTART;VALUE=DATE:20270108\r\n"
        in ics
    )
    assert "SUMMARY:Review due: 0001 Keep decisions in git\r\n" in ics
    assert "DTSTART;VALUE=DATE:20280101\r\n" in ics  # 0004, moved on by 0002's review_by
    assert "UID:decision-0002-review" not in ics  # a review carries no review date of its own


def test_query_review_by_before_today_plus_30d(log: LogMaker) -> None:
    lg = _reviewed_log(log)
    now = at(DUE - dt.timedelta(days=12))
    q = parse("review_by < today + 30d", now=now, tz=dt.UTC)
    assert [d.id for d in q.select(lg)] == ["0001", "0005"]
    q = parse("review_by < today + 30d", now=at(dt.date(2027, 2, 8)), tz=dt.UTC)
    assert [d.id for d in q.select(lg)] == ["0001"]
    q = parse("review_by = 2028-01-01", now=now, tz=dt.UTC)
    assert [d.id for d in q.select(lg)] == ["0004"]


def test_audit_counts_reviews_on_time_late_and_overdue(log: LogMaker) -> None:
    lg = _reviewed_log(log)
    result = audit(lg, Window(now=at(dt.date(2027, 3, 1)), last=None))
    [section] = [s for s in result.sections if s.key == "review"]
    figures = {f.key: (f.value, f.ids) for f in section.figures}
    assert figures["review.due"] == (3, ("0004", "0005", "0001"))
    assert figures["review.on_time"] == (1, ("0004",))
    assert figures["review.late"] == (1, ("0005",))
    assert figures["review.overdue"] == (1, ("0001",))
    # 0005: 30 days late (2027-01-08 to 2027-02-07); 0001: 52 days overdue on 2027-03-01
    assert figures["review.lateness_median"][0] == dt.timedelta(days=41)
    # as of a moment before 0003 was decided, 0005 was still overdue
    earlier = audit(lg, Window(now=at(dt.date(2027, 2, 1)), last=None))
    [section] = [s for s in earlier.sections if s.key == "review"]
    assert {f.key: f.value for f in section.figures}["review.overdue"] == 2


def test_the_review_date_is_a_moment_the_site_turns_at(log: LogMaker) -> None:
    lg = _reviewed_log(log)
    lead = midnight = dt.datetime.combine(DUE, dt.time(), tzinfo=dt.UTC)
    lead = midnight - dt.timedelta(days=30)
    # built an hour after the lead time began, with no commit since: the pages are as of then
    assert views.as_of(lg, lead + dt.timedelta(hours=1)) >= lead
    assert views.next_change(lg, lead - dt.timedelta(hours=1)) == lead
    # the day it becomes overdue is a moment too
    overdue = midnight + dt.timedelta(days=1)
    assert views.next_change(lg, overdue - dt.timedelta(hours=1)) == overdue
    shown = views.Views(lg, views.as_of(lg, overdue + dt.timedelta(hours=1)), {})
    assert [r.text for r in shown.board.reviews] == ["review overdue", "review overdue"]


def test_the_site_shows_the_due_review_on_the_home_and_owner_partner_page(log: LogMaker) -> None:
    log.config(REVIEW_CONFIG)
    log.decision("0001-keep-decisions-in-git", ACCEPTED)
    moment = at(DUE - dt.timedelta(days=5))
    env = {"SOURCE_DATE_EPOCH": str(int(moment.timestamp()))}
    run = invoke(["build", "--root", str(log.root), "--no-search"], env=env)
    assert run.exit_code == 0, run.stderr
    site = log.root / "site"
    home = (site / "index.html").read_text(encoding="utf-8")
    assert "<strong>Due for review:</strong>" in home
    assert (
        'title="Keep decisions in git: review by 2027-01-08"><span class="id">0001</span> due in 5 days</a>'
        in home
    )
    acme = (site / "partners" / "acme" / "index.html").read_text(encoding="utf-8")
    assert "review due in 5 days" in acme
    globex = (site / "partners" / "globex" / "index.html").read_text(encoding="utf-8")
    assert "Due for review" not in globex
    ics = (site / "partners" / "globex" / "deadlines.ics").read_bytes().decode()
    assert "DTSTART;VALUE=DATE:20270108" in ics  # party to it: in its calendar
