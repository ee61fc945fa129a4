"""``declog export --sqlite FILE``: the whole database as SQLite, for tools that speak SQL.

The schema (docs/export.md documents every table and column) is one table per
kind of document plus one per list inside a document. Date-times are ISO 8601
text with their offset, exactly as written, which SQLite's date functions
understand (``julianday(decided)`` is in UTC). The file is written to a
temporary name beside the target and renamed over it, so a failed export
never leaves half a database behind.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import sqlite3
import tempfile
from collections.abc import Iterator
from pathlib import Path

from declog.log.customfields import Money
from declog.log.model import Decision, Log
from declog.log.standing import links, logging_lag, standing

#: Bumped whenever a table or column changes meaning (stored in PRAGMA user_version).
SCHEMA_VERSION = 3

SCHEMA = """\
CREATE TABLE decisions (
    id            TEXT PRIMARY KEY,
    number        INTEGER NOT NULL,
    path          TEXT NOT NULL,
    title         TEXT NOT NULL,
    status        TEXT NOT NULL,
    mode          TEXT NOT NULL,
    category      TEXT NOT NULL,
    owner         TEXT,
    proposed      TEXT,
    deadline      TEXT,
    decided       TEXT,
    logged        TEXT,
    meeting       TEXT,
    superseded_by TEXT,
    review_by     TEXT,
    rationale     TEXT,
    reason        TEXT,
    source_kind   TEXT,
    source_ref    TEXT,
    body          TEXT NOT NULL,
    ready         INTEGER NOT NULL,
    logging_lag   INTEGER
);
CREATE TABLE decision_partners (
    decision TEXT NOT NULL REFERENCES decisions(id),
    partner  TEXT NOT NULL,
    state    TEXT NOT NULL,
    PRIMARY KEY (decision, partner)
);
CREATE TABLE export (
    as_of TEXT NOT NULL
);
CREATE TABLE decision_reviews (
    decision TEXT NOT NULL REFERENCES decisions(id),
    reviews  TEXT NOT NULL,
    PRIMARY KEY (decision, reviews)
);
CREATE TABLE decision_tags (
    decision TEXT NOT NULL REFERENCES decisions(id),
    tag      TEXT NOT NULL,
    PRIMARY KEY (decision, tag)
);
CREATE TABLE approvals (
    decision   TEXT NOT NULL REFERENCES decisions(id),
    position   INTEGER NOT NULL,
    partner    TEXT NOT NULL,
    by         TEXT,
    via        TEXT NOT NULL,
    at         TEXT,
    ref        TEXT,
    commit_sha TEXT,
    counted    INTEGER NOT NULL,
    PRIMARY KEY (decision, position)
);
CREATE TABLE partners (
    id       TEXT PRIMARY KEY,
    path     TEXT NOT NULL,
    name     TEXT NOT NULL,
    timezone TEXT NOT NULL,
    url      TEXT,
    short    TEXT NOT NULL
);
CREATE TABLE members (
    partner TEXT NOT NULL REFERENCES partners(id),
    handle  TEXT NOT NULL,
    name    TEXT,
    role    TEXT,
    PRIMARY KEY (partner, handle)
);
CREATE TABLE meetings (
    id    TEXT PRIMARY KEY,
    path  TEXT NOT NULL,
    title TEXT NOT NULL,
    date  TEXT,
    chair TEXT,
    body  TEXT NOT NULL
);
CREATE TABLE meeting_attendees (
    meeting TEXT NOT NULL REFERENCES meetings(id),
    handle  TEXT NOT NULL,
    PRIMARY KEY (meeting, handle)
);
CREATE TABLE meeting_decisions (
    meeting  TEXT NOT NULL REFERENCES meetings(id),
    decision TEXT NOT NULL,
    PRIMARY KEY (meeting, decision)
);
CREATE TABLE links (
    source TEXT NOT NULL REFERENCES decisions(id),
    target TEXT NOT NULL,
    kind   TEXT NOT NULL CHECK (kind IN ('supersedes', 'superseded_by', 'mentions')),
    PRIMARY KEY (source, target, kind)
);
CREATE TABLE decision_fields (
    decision TEXT NOT NULL REFERENCES decisions(id),
    name     TEXT NOT NULL,
    position INTEGER,
    type     TEXT NOT NULL,
    text     TEXT NOT NULL,
    integer  INTEGER,
    real     REAL,
    date     TEXT,
    amount   TEXT,
    currency TEXT,
    UNIQUE (decision, name, position)
);
CREATE INDEX decisions_status ON decisions(status);
CREATE INDEX decision_fields_name ON decision_fields(name);
CREATE INDEX approvals_partner ON approvals(partner);
CREATE INDEX links_target ON links(target);
"""


class ExportError(Exception):
    """The SQLite file cannot be written."""


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


def _or_null(text: str) -> str | None:
    return text or None


def export_sqlite(log: Log, target: Path, now: dt.datetime) -> None:
    """Write the log to the SQLite database ``target``, replacing the file if it exists.

    ``now`` is the moment where decisions stand (``decision_partners.state``, ``decisions.ready``).
    """
    folder = target.parent if str(target.parent) else Path(".")
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise ExportError(f"cannot write to {folder}: {exc.strerror}") from None
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        with contextlib.closing(sqlite3.connect(tmp)) as db:
            db.executescript(SCHEMA)
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            with db:
                _fill(db, log, now)
        os.replace(tmp, target)
    except (OSError, sqlite3.Error) as exc:
        tmp.unlink(missing_ok=True)
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise ExportError(f"cannot write {target}: {reason}") from None


def _fill(db: sqlite3.Connection, log: Log, now: dt.datetime) -> None:
    decisions = list(log.by_id.values())  # a duplicated id (an error DL109) keeps its first file
    standings = {d.id: standing(d, log, now) for d in decisions}
    db.execute("INSERT INTO export VALUES (?)", (now.isoformat(),))
    db.executemany(
        "INSERT INTO decisions VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        [
            (
                d.id,
                d.number,
                d.path,
                d.title,
                d.status,
                d.mode,
                d.category,
                _or_null(d.owner),
                _iso(d.proposed),
                _iso(d.deadline),
                _iso(d.decided),
                _iso(d.logged),
                _or_null(d.meeting),
                _or_null(d.superseded_by),
                d.review_by.isoformat() if d.review_by else None,
                _or_null(d.rationale),
                _or_null(d.reason),
                d.source.kind if d.source else None,
                _or_null(d.source.ref) if d.source else None,
                d.body,
                int(standings[d.id].ready),
                _seconds(logging_lag(d)),
            )
            for d in decisions
        ],
    )
    db.executemany(
        "INSERT OR IGNORE INTO decision_partners VALUES (?,?,?)",
        [(d.id, p.partner, p.state) for d in decisions for p in standings[d.id].partners],
    )
    db.executemany(
        "INSERT OR IGNORE INTO decision_tags VALUES (?,?)", [(d.id, t) for d in decisions for t in d.tags]
    )
    db.executemany(
        "INSERT OR IGNORE INTO decision_reviews VALUES (?,?)",
        [(d.id, r) for d in decisions for r in d.reviews],
    )
    rows = []
    for d in decisions:
        counted = {id(a) for a in standings[d.id].counted.values()}
        rows += [
            (
                d.id,
                a.index,
                a.partner,
                _or_null(a.by),
                a.via,
                _iso(a.at),
                _or_null(a.ref),
                _or_null(a.commit),
                int(id(a) in counted),
            )
            for a in d.approvals
        ]
    db.executemany("INSERT INTO approvals VALUES (?,?,?,?,?,?,?,?,?)", rows)
    db.executemany(
        "INSERT INTO partners VALUES (?,?,?,?,?,?)",
        [(p.id, p.path, p.name, p.timezone, _or_null(p.url), p.short_name) for p in log.partners.values()],
    )
    db.executemany(
        "INSERT OR IGNORE INTO members VALUES (?,?,?,?)",
        [
            (p.id, m.handle, _or_null(m.name), _or_null(m.role))
            for p in log.partners.values()
            for m in p.members
        ],
    )
    db.executemany(
        "INSERT INTO meetings VALUES (?,?,?,?,?,?)",
        [(m.id, m.path, m.title, _iso(m.date), _or_null(m.chair), m.body) for m in log.meetings.values()],
    )
    db.executemany(
        "INSERT OR IGNORE INTO meeting_attendees VALUES (?,?)",
        [(m.id, h) for m in log.meetings.values() for h in m.attendees],
    )
    db.executemany(
        "INSERT OR IGNORE INTO meeting_decisions VALUES (?,?)",
        [(m.id, d) for m in log.meetings.values() for d in m.decisions],
    )
    db.executemany("INSERT OR IGNORE INTO links VALUES (?,?,?)", list(_links(log)))
    db.executemany(
        "INSERT INTO decision_fields VALUES (?,?,?,?,?,?,?,?,?,?)",
        [row for d in decisions for row in _field_rows(d, log)],
    )


#: The largest integer SQLite's INTEGER holds (8 bytes, signed).
_INT64 = 2**63 - 1
FieldRow = tuple[str, str, int | None, str, str, int | None, float | None, str | None, str | None, str | None]


def _field_rows(d: Decision, log: Log) -> Iterator[FieldRow]:
    """One row per value of the log's own fields in ``d`` (per item of a list, at its position)."""
    for name, value in d.fields.items():
        spec = log.config.fields.get(name)
        if spec is None:  # pragma: no cover -- Decision.fields holds declared fields only
            continue
        if spec.type == "list":
            for position, item in enumerate(value):
                yield (d.id, name, position, spec.items, *_typed(spec.items, item))
        else:
            yield (d.id, name, None, spec.type, *_typed(spec.type, value))


Typed = tuple[str, int | None, float | None, str | None, str | None, str | None]


def _typed(kind: str, value: object) -> Typed:
    """``text, integer, real, date, amount, currency`` of one value of type ``kind``: its text, and
    the typed column the type has (a boolean is 0 or 1; money's amount is the exact decimal, TEXT)."""
    if isinstance(value, Money):
        return str(value), None, None, None, str(value.amount), value.currency
    if isinstance(value, bool):
        return ("true" if value else "false"), int(value), None, None, None, None
    if isinstance(value, int | float):
        text = repr(value)
        if kind == "integer" and isinstance(value, int):  # beyond 8 bytes: only the text holds it
            return text, value if -_INT64 - 1 <= value <= _INT64 else None, None, None, None, None
        try:
            return text, None, float(value), None, None, None
        except OverflowError:  # a whole number too large for a REAL
            return text, None, None, None, None, None
    if isinstance(value, dt.date):
        return value.isoformat(), None, None, value.isoformat(), None, None
    return str(value), None, None, None, None, None


def _seconds(span: dt.timedelta | None) -> int | None:
    return int(span.total_seconds()) if span is not None else None


def _links(log: Log) -> Iterator[tuple[str, str, str]]:
    refers = links(log)
    for d in log.by_id.values():
        for target in d.supersedes:
            yield d.id, target, "supersedes"
        if d.superseded_by:
            yield d.id, d.superseded_by, "superseded_by"
        for target in refers.out.get(d.id, ()):
            yield d.id, target, "mentions"
