"""The validator's rules: one small function per rule code, in an explicit order.

Each rule takes the ``Context`` (the loaded log, the configuration and, with
``--base``, the log as it was on the base revision) and yields findings. Its
one-line docstring is the rule; docs/rules.md is generated from codes.py.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator

from declog.check.rules import history, identity, owners, references, review, text, workflow
from declog.check.rules.context import Context
from declog.log.codes import AS_WARNING, CODES, OFF
from declog.log.diagnostics import Diagnostic, Severity

Rule = Callable[[Context], Iterator[Diagnostic]]

#: Rules over the log as it stands, in the order their findings read best.
RULES: tuple[Rule, ...] = (
    text.dl014_control_characters,
    identity.dl108_file_name,
    identity.dl109_duplicate_id,
    references.dl201_unknown_partner,
    references.dl202_unknown_person,
    references.dl203_unknown_meeting,
    references.dl204_unknown_decision,
    references.dl205_broken_link,
    owners.dl206_placeholder_handle,
    owners.dl207_codeowners_sync,
    workflow.dl301_feedback_window,
    workflow.dl302_missing_approvals,
    workflow.dl303_non_member_approval,
    workflow.dl304_meeting_required,
    workflow.dl305_sync_without_meeting,
    workflow.dl306_exception_migrated,
    workflow.dl307_supersede_symmetric,
    workflow.dl308_supersede_cycle,
    workflow.dl309_reason,
    workflow.dl310_incomplete,
    workflow.dl311_self_approval,
    workflow.dl312_approval_outside_parties,
    workflow.dl313_silence,
    workflow.dl314_meeting_approval_absent,
    workflow.dl315_partner_without_members,
    workflow.dl316_date_order,
    workflow.dl317_supersede_status,
    workflow.dl318_async_deadline,
    workflow.dl319_superseded_by_unaccepted,
    workflow.dl320_decision_in_meeting,
    text.dl321_empty_section,
    review.dl323_review_date,
    review.dl324_review_of_unaccepted,
)

#: Rules comparing the log with the base revision (``declog check --base REF``).
BASE_RULES: tuple[Rule, ...] = (
    history.dl401_transition,
    history.dl402_accepted_changed,
    history.dl403_id_changed,
    history.dl404_deleted,
    history.dl405_id_collision,
    history.dl406_backdated,
    history.dl408_approval_voided,
    history.dl409_window_shortened,
)


def run_rules(ctx: Context) -> list[Diagnostic]:
    """Every rule's findings over ``ctx``.

    With ``ctx.subjects`` these are exactly the findings a full run gives about
    those documents. BASE_RULES run only over the whole log (``ctx.whole``):
    a restricted run with ``ctx.base`` leaves them out.
    """
    out: list[Diagnostic] = []
    for rule in RULES:
        out.extend(rule(ctx))
    if ctx.base is not None and ctx.whole:
        for rule in BASE_RULES:
            out.extend(rule(ctx))
    return as_history(out, ctx)


def as_history(found: list[Diagnostic], ctx: Context) -> list[Diagnostic]:
    """``found`` with imported history held to the rules as ``Code.imported`` says.

    A record imported from an older log (``imported_from``) was decided before
    this log's process existed: it cannot show approvals, deadlines or meetings
    recorded here. Whoever adds it is still judged: ``declog approvals`` asks
    every partner's review of a pull request that adds an accepted decision,
    imported or not, and an accepted decision cannot gain ``imported_from`` later (DL402).
    """
    imported = {d.path for d in ctx.decisions if d.imported}
    if not imported:
        return found
    out = []
    for d in found:
        treat = CODES[d.code].imported if d.path in imported else ""
        if treat == OFF:
            continue
        if treat == AS_WARNING and d.severity is Severity.ERROR:
            d = dataclasses.replace(d, severity=Severity.WARNING)
        out.append(d)
    return out
