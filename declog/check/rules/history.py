"""Rules against the base revision (``declog check --base REF``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from declog.check import trust
from declog.check.rules.context import Context
from declog.log import vocab
from declog.log.codes import finding
from declog.log.diagnostics import Diagnostic, Pos
from declog.log.model import Decision, Log

#: Fields that may change when an accepted decision is superseded.
SUPERSEDE_FIELDS = frozenset({"status", "superseded_by"})


def _pairs(ctx: Context) -> Iterator[tuple[Decision, Decision]]:
    """(base, current) for every decision file present on both sides."""
    assert ctx.base is not None
    now = {d.path: d for d in ctx.log.decisions}
    for old in ctx.base.decisions:
        new = now.get(old.path)
        if new is not None:
            yield old, new


def touched(base: Log, now: Log) -> list[Decision]:
    """Decisions a change adds or edits, compared with the base revision."""
    before = {d.path: d for d in base.decisions}
    out = []
    for d in now.decisions:
        old = before.get(d.path)
        if old is None or old.data != d.data or old.body != d.body:
            out.append(d)
    return out


def dl401_transition(ctx: Context) -> Iterator[Diagnostic]:
    """Status changes follow the agreed lifecycle, checked against the base revision."""
    allowed = ctx.config.workflow.transitions
    for old, new in _pairs(ctx):
        if old.status != new.status and new.status not in allowed.get(old.status, ()):
            nexts = allowed.get(old.status, ())
            yield ctx.at(
                "DL401",
                new,
                "status",
                message=f"status cannot change from {old.status} to {new.status}",
                hint=f"from {old.status} the next status can be: {', '.join(nexts)}"
                if nexts
                else f"{old.status} is final",
            )


def _substance(d: Decision) -> dict[str, Any]:
    return {k: v for k, v in d.data.items() if k not in SUPERSEDE_FIELDS} | {"__body__": d.body.strip()}


def dl402_accepted_changed(ctx: Context) -> Iterator[Diagnostic]:
    """An accepted decision's substance never changes; it is superseded instead."""
    for old, new in _pairs(ctx):
        if old.status not in vocab.FROZEN_STATUSES:
            continue
        before, after = _substance(old), _substance(new)
        changed = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
        if old.status == vocab.SUPERSEDED and old.superseded_by != new.superseded_by:
            changed.append("superseded_by")
        if changed:
            fields = [("body" if k == "__body__" else k) for k in changed]
            first = next((k for k in changed if k in new.data), "")
            where = new.pos(first) if first else Pos(new.body_line, 1)
            yield finding(
                "DL402",
                new.path,
                where,
                f"{old.status} decision changed ({', '.join(fields)})",
                "accepted decisions are frozen: revert and supersede it with a new decision",
            )


def dl403_id_changed(ctx: Context) -> Iterator[Diagnostic]:
    """A decision keeps its id and file for life."""
    assert ctx.base is not None
    now_paths = {d.path for d in ctx.log.decisions}
    for old, new in _pairs(ctx):
        if old.id and new.id and old.id != new.id:
            yield ctx.at("DL403", new, "id", message=f"id changed from '{old.id}' to '{new.id}'")
    now_by_id: dict[str, list[Decision]] = {}
    for d in ctx.log.decisions:
        now_by_id.setdefault(d.id, []).append(d)
    for old in ctx.base.decisions:
        if old.path in now_paths or not old.id:
            continue
        for new in now_by_id.get(old.id, []):
            base_paths = {d.path for d in ctx.base.decisions}
            if new.path not in base_paths:
                yield ctx.at(
                    "DL403",
                    new,
                    "id",
                    message=f"decision {old.id} was renamed from {old.path}",
                    hint="keep the original file name",
                )


def dl404_deleted(ctx: Context) -> Iterator[Diagnostic]:
    """Decisions are never deleted; they are withdrawn or superseded."""
    assert ctx.base is not None
    now_paths = {d.path for d in ctx.log.decisions}
    now_ids = {d.id for d in ctx.log.decisions}
    for old in ctx.base.decisions:
        if old.path not in now_paths and (not old.id or old.id not in now_ids):
            yield finding(
                "DL404",
                old.path,
                Pos(1, 1),
                f"decision {old.id} ({old.title!r}) was deleted",
                _undelete(old),
            )


def _undelete(old: Decision) -> str:
    """How to undo a deletion, by the status the decision had: a hint that leads to no other finding."""
    status = old.status
    if status in vocab.FROZEN_STATUSES:
        return "restore the file; an accepted decision stays in the log: supersede it with a new decision"
    if status in (vocab.REJECTED, vocab.WITHDRAWN):
        return f"restore the file; a {status} decision stays in the log as a record"
    # A withdrawn entry is past draft: DL310 asks it for what a draft may still lack.
    missing = [f for f, v in (("owner", old.owner), ("rationale", old.rationale)) if not v]
    also = f"; a withdrawn entry also needs {' and '.join(missing)}" if missing else ""
    return f"restore the file and set status: withdrawn with a reason{also}"


def dl405_id_collision(ctx: Context) -> Iterator[Diagnostic]:
    """A new decision does not take an id already used on the base branch."""
    assert ctx.base is not None
    tip = ctx.base_tip or ctx.base
    tip_by_id = {d.id: d for d in tip.decisions if d.id}
    base_paths = {d.path for d in ctx.base.decisions}
    taken = [d.number for d in tip.decisions] + [d.number for d in ctx.log.decisions]
    now_paths = {d.path for d in ctx.log.decisions}
    for new in ctx.log.decisions:
        old = tip_by_id.get(new.id)
        if new.path in base_paths or old is None or old.path == new.path:
            continue  # not new, or no other file with this id
        if old.path in base_paths and old.path not in now_paths:
            continue  # the change renamed it (DL403)
        yield ctx.at(
            "DL405",
            new,
            "id",
            message=f"id '{new.id}' is already used on the base branch by {old.path}",
            hint=f"renumber this decision to {str(max(taken) + 1).zfill(len(new.id))}: "
            f"declog renumber {new.id} --file {new.path}",
        )


#: How much earlier than the commit that made a proposal visible its ``proposed`` time may be:
#: time to write it up and open the pull request.
BACKDATING_TOLERANCE = dt.timedelta(hours=2)


def dl406_backdated(ctx: Context) -> Iterator[Diagnostic]:
    """A new proposal's `proposed` time is not earlier than the commit that made it visible."""
    assert ctx.base is not None
    before = {d.path: d for d in ctx.base.decisions}
    for d in ctx.decisions:
        seen = ctx.visible.get(d.path)
        if seen is None or d.proposed is None or d.mode != vocab.ASYNC or d.status != vocab.PROPOSED:
            continue
        old = before.get(d.path)
        if old is not None and (old.status in vocab.FROZEN_STATUSES or old.proposed == d.proposed):
            continue  # proposed before this change: its visibility was judged then
        if d.proposed < seen - BACKDATING_TOLERANCE:
            yield ctx.at(
                "DL406",
                d,
                "proposed",
                message=f"proposed {d.proposed.isoformat()} is earlier than this change made it visible "
                f"({seen.isoformat(timespec='minutes')})",
                hint="set `proposed` (and `deadline`) from when the pull request opens: "
                "the feedback window runs from when partners can see the proposal",
            )


def dl408_approval_voided(ctx: Context) -> Iterator[Diagnostic]:
    """A base-branch approval counts only while the decision keeps the text and outcome it approved."""
    for old, new in _pairs(ctx):
        if not old.approvals or old.status in vocab.FROZEN_STATUSES:
            continue  # an accepted decision's text is DL402's
        why = trust.voided(old, new)
        if not why:
            continue
        recorded = {trust.approval_key(a) for a in old.approvals}
        for a in new.approvals:
            if trust.approval_key(a) in recorded:
                who = f" by '{a.by}'" if a.by else ""
                yield ctx.at(
                    "DL408",
                    new,
                    "approvals",
                    a.index,
                    message=f"{a.partner}'s approval{who} via {a.via} was given on the base branch; {why}",
                )


def dl409_window_shortened(ctx: Context) -> Iterator[Diagnostic]:
    """A change never moves a proposal's deadline earlier than the base branch gave the partners."""
    for old, new in _pairs(ctx):
        if trust.shortened(old, new):
            assert old.deadline is not None
            yield ctx.at(
                "DL409",
                new,
                "deadline",
                message=f"deadline moved earlier than on the base branch ({old.deadline.isoformat()})",
            )
