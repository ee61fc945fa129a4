"""`declog export --sqlite`: the database written to SQLite and queried back with SQL."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import LogMaker, invoke
from test_audit import write_log
from test_query_fields import write_log as write_fields_log

from declog.insight.export import SCHEMA_VERSION


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[sqlite3.Connection]:
    m: LogMaker = write_log(tmp_path / "log")
    m.decision(
        "0011-k",
        m.root.joinpath("content/decisions/0010-j.md").read_text().replace('"0010"', '"0011"')
        + "See [[0005]] and [the old one](0004-d.md).\n",
    )
    monkeypatch.chdir(m.root)
    (m.root / "out").mkdir()
    out = invoke(["export", "--sqlite", "out/log.db"])
    assert out.exit_code == 0, out.stderr
    assert out.stderr == "Exported 11 decisions, 3 partners, 1 meeting -> out/log.db\n"
    with contextlib.closing(sqlite3.connect(m.root / "out/log.db")) as conn:
        yield conn


def rows(db: sqlite3.Connection, sql: str) -> list[tuple[object, ...]]:
    return db.execute(sql).fetchall()


def test_tables_and_version(db: sqlite3.Connection) -> None:
    tables = [r[0] for r in rows(db, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
    assert tables == [
        "approvals",
        "decision_fields",
        "decision_partners",
        "decision_reviews",
        "decision_tags",
        "decisions",
        "export",
        "links",
        "meeting_attendees",
        "meeting_decisions",
        "meetings",
        "members",
        "partners",
    ]
    assert rows(db, "PRAGMA user_version") == [(SCHEMA_VERSION,)]


def test_decisions_round_trip(db: sqlite3.Connection) -> None:
    assert rows(db, "SELECT status, count(*) FROM decisions GROUP BY status ORDER BY status") == [
        ("accepted", 3),
        ("draft", 2),
        ("proposed", 2),
        ("rejected", 1),
        ("superseded", 1),
        ("withdrawn", 2),
    ]
    assert rows(db, "SELECT id, number, path, owner, deadline, meeting FROM decisions WHERE id = '0002'") == [
        ("0002", 2, "content/decisions/0002-b.md", "alice", None, "2026-01-20-steering")
    ]
    assert rows(db, "SELECT owner, rationale FROM decisions WHERE id = '0007'") == [(None, "Because.")]


def test_dates_work_with_sqlite_date_functions(db: sqlite3.Connection) -> None:
    # the logging lag in hours, as test_audit.py computes it: 0002 48h, 0003 6h, 0004 1h, 0005 72h
    lag = "round((julianday(logged) - julianday(decided)) * 24, 3)"
    got = rows(db, f"SELECT id, {lag} FROM decisions WHERE decided IS NOT NULL ORDER BY id")
    assert got == [("0001", 0.0), ("0002", 48.0), ("0003", 6.0), ("0004", 1.0), ("0005", 72.0)]


def test_partners_members_and_party(db: sqlite3.Connection) -> None:
    assert rows(db, "SELECT id, name, timezone FROM partners ORDER BY id") == [
        ("acme", "Acme Ltd", "Europe/Berlin"),
        ("globex", "Globex Inc", "America/Toronto"),
        ("initech", "Initech", "UTC"),
    ]
    assert rows(db, "SELECT partner, handle, name FROM members WHERE partner = 'globex' ORDER BY handle") == [
        ("globex", "carol", "Carol C"),
        ("globex", "dave", None),
    ]
    assert rows(db, "SELECT partner, count(*) FROM decision_partners GROUP BY partner ORDER BY partner") == [
        ("acme", 11),
        ("globex", 9),
        ("initech", 1),
    ]
    assert rows(db, "SELECT decision FROM decision_tags WHERE tag = 'pricing'") == [("0006",)]


def test_approvals_say_whether_they_count(db: sqlite3.Connection) -> None:
    assert rows(
        db, "SELECT position, partner, by, via, at, counted FROM approvals WHERE decision = '0004'"
    ) == [
        (0, "acme", "alice", "pr-review", "2026-02-02T09:00:00+00:00", 1),
        (1, "globex", "dave", "silence", "2026-02-03T09:00:00+00:00", 1),
    ]
    # who still has to approve what: proposed decisions without a counted approval from a party
    waiting = """
        SELECT d.id, p.partner FROM decisions d JOIN decision_partners p ON p.decision = d.id
        WHERE d.status = 'proposed' AND NOT EXISTS (
            SELECT 1 FROM approvals a WHERE a.decision = d.id AND a.partner = p.partner AND a.counted)
        ORDER BY d.id, p.partner"""
    assert rows(db, waiting) == [("0006", "globex"), ("0007", "acme"), ("0007", "globex")]


def test_meetings(db: sqlite3.Connection) -> None:
    assert rows(db, "SELECT id, title, date FROM meetings") == [
        ("2026-01-20-steering", "Steering", "2026-01-20T10:00:00+00:00")
    ]
    assert rows(db, "SELECT handle FROM meeting_attendees ORDER BY handle") == [("alice",), ("carol",)]
    assert rows(db, "SELECT decision FROM meeting_decisions") == [("0002",)]


def test_links(db: sqlite3.Connection) -> None:
    assert rows(db, "SELECT source, target, kind FROM links ORDER BY source, target, kind") == [
        ("0004", "0005", "superseded_by"),
        ("0005", "0004", "supersedes"),
        ("0011", "0004", "mentions"),
        ("0011", "0005", "mentions"),
    ]


def test_export_replaces_the_file_and_reports_unwritable_targets(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    m = write_log(tmp_path / "log")
    monkeypatch.chdir(m.root)
    (m.root / "log.db").write_text("not a database")
    assert invoke(["export", "--sqlite", "log.db"]).exit_code == 0
    with contextlib.closing(sqlite3.connect(m.root / "log.db")) as conn:
        assert rows(conn, "SELECT count(*) FROM decisions") == [(10,)]
    out = invoke(["export", "--sqlite", "missing/log.db"])
    assert out.exit_code == 2
    assert out.stderr.startswith("declog: error: cannot write to missing")
    assert sorted(p.name for p in m.root.iterdir()) == [
        "content",
        "declog.toml",
        "log.db",
    ]  # no temp file left


def test_custom_fields_sum_by_currency_exactly(tmp_path: Path) -> None:
    """docs/export.md's example: amounts exact (TEXT), the currency apart, list items a row each."""
    m = write_fields_log(
        tmp_path / "log"
    )  # budgets EUR 410000, EUR 9999.99, USD 50000, EUR 10000, JPY 2000000
    out = invoke(
        ["export", "--root", str(m.root), "--sqlite", str(tmp_path / "log.db"), "--today", "2026-03-01"]
    )
    assert out.exit_code == 0, out.stderr
    with contextlib.closing(sqlite3.connect(tmp_path / "log.db")) as conn:
        budgets = rows(
            conn,
            "SELECT currency, count(*), SUM(amount) FROM decision_fields WHERE name = 'budget' "
            "GROUP BY currency ORDER BY currency",
        )
        assert budgets == [("EUR", 3, 429999.99), ("JPY", 1, 2000000.0), ("USD", 1, 50000.0)]
        assert rows(
            conn, "SELECT amount FROM decision_fields WHERE decision = '0002' AND name = 'budget'"
        ) == [("9999.99",)]
        assert rows(
            conn,
            "SELECT decision, position, text FROM decision_fields WHERE name = 'systems' ORDER BY decision, position",
        ) == [
            ("0001", 0, "billing"),
            ("0001", 1, "portal"),
            ("0002", 0, "tracking"),
            ("0003", 0, "portal"),
            ("0006", 0, "billing"),
        ]
        typed = rows(
            conn,
            "SELECT name, position, type, text, integer, real, date FROM decision_fields "
            "WHERE decision = '0001' AND name IN ('seats', 'share', 'public', 'renewal', 'signed') ORDER BY name",
        )
        assert typed == [
            ("public", None, "boolean", "true", 1, None, None),
            ("renewal", None, "date", "2026-03-20", None, None, "2026-03-20"),
            ("seats", None, "integer", "12", 12, None, None),
            ("share", None, "number", "0.25", None, 0.25, None),
            (
                "signed",
                None,
                "datetime",
                "2026-02-27T18:00:00-05:00",
                None,
                None,
                "2026-02-27T18:00:00-05:00",
            ),
        ]
