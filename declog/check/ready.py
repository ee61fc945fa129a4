"""Notes on where proposals stand at a moment: which are ready to accept (DL322).

Not one of the rules (``declog.check.rules``): a rule's findings follow from the
files alone and are kept between runs while the files stay the same, whereas a
proposal becomes ready when a deadline passes and silence starts to count. Only
``declog check`` asks for these notes, at its one moment (``declog.log.clock``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from declog.log.codes import finding
from declog.log.diagnostics import Diagnostic
from declog.log.model import Log
from declog.log.standing import standing


def dl322_ready_to_accept(log: Log, now: dt.datetime) -> Iterator[Diagnostic]:
    """A proposal whose required approvals are all in is ready to accept."""
    for d in log.decisions:
        st = standing(d, log, now)
        if not st.ready:
            continue
        lines = f"`status: accepted` and `decided: {st.decided_at(now).isoformat()}`"
        due = st.silence_due
        if due:
            who = due[0] if len(due) == 1 else f"{', '.join(due[:-1])} and {due[-1]}"
            message = (
                f"{d.id} is ready to accept once the silence of {who} is recorded "
                f"(`declog approvals --write` records it); then set {lines}"
            )
        else:
            message = f"{d.id} is ready to accept: the approvals the rules require are in; set {lines}"
        yield finding("DL322", d.path, d.pos("status"), message, "in this file, then commit")
