"""The validator's rules: one small function per rule code, in an explicit order.

Each rule takes the ``Context`` (the loaded log, the configuration and, with
``--base``, the log as it was on the base revision) and yields findings. Its
one-line docstring is the rule; docs/rules.md is generated from codes.py.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from declog.check.rules import history, identity, owners, references, review, text, workflow
from declog.check.rules.context import Context
from declog.log.codes import AS_WARNING, CODES, OFF
from declog.log.diagnostics import Diagnostic, Severity
from declog.log.model import Decision

Rule = Callable[[Context], Iterator[Diagnostic]]

#: The log-wide inputs a rule's findings about one document can read besides that document. Every
#: rule also reads the configuration (declog.toml), as the loader does for every record.
PARTNERS = "partners"
"""Every partner file: ids, names, time zones, members (so who is a member of whom)."""
MEETINGS = "meetings"
"""Every meeting's frontmatter: ids, dates, attendees, the decisions it lists."""
DECISION_IDS = "decision ids"
"""Every decision's id and file path (so which ids and file names exist, and the log's order)."""
OWNERS = "owners"
"""The CODEOWNERS file."""
AGREEMENT = "silence agreement"
"""The decision ``[workflow.silence] agreement`` names: its file, its status, when it was decided."""
INPUTS = (PARTNERS, MEETINGS, DECISION_IDS, OWNERS, AGREEMENT)


@dataclass(frozen=True)
class Registered:
    """A rule as registered: its function, and what its findings read (declog.check.rerun uses it)."""

    check: Rule
    reads: frozenset[str] | None = None
    """*Per document*: the ``INPUTS`` its findings about a document read besides that document and
    the configuration; after a change it runs again over the documents that changed, and over every
    document only when one of these changed. None, *across documents*: its findings about a document
    read other decisions (their status, links, dates); it runs again over every document whenever
    a document's shape changes (declog.check.shape). Undeclared is None: safe, and slower."""

    @property
    def code(self) -> str:
        return self.check.__name__[:5].upper()


def per_document(rule: Rule, *reads: str) -> Registered:
    """``rule``, declared to read only the document it reports on, the configuration and ``reads``."""
    unknown = set(reads) - set(INPUTS)
    if unknown:
        raise ValueError(f"{rule.__name__} reads unknown inputs: {sorted(unknown)}")
    return Registered(rule, frozenset(reads))


def across_documents(rule: Rule) -> Registered:
    """``rule``, declared to read other decisions: it runs over every document after a shape change."""
    return Registered(rule)


#: Rules over the log as it stands, in the order their findings read best, each declaring what it reads.
RULES: tuple[Registered, ...] = (
    per_document(text.dl014_control_characters),
    per_document(identity.dl108_file_name),
    per_document(identity.dl109_duplicate_id, DECISION_IDS, PARTNERS, MEETINGS),
    per_document(references.dl201_unknown_partner, PARTNERS),
    per_document(references.dl202_unknown_person, PARTNERS),
    per_document(references.dl203_unknown_meeting, MEETINGS),
    across_documents(references.dl204_unknown_decision),  # its hint names the accepted decisions
    per_document(references.dl205_broken_link, DECISION_IDS),
    per_document(owners.dl206_placeholder_handle, OWNERS),
    per_document(owners.dl207_codeowners_sync, OWNERS, PARTNERS),
    per_document(workflow.dl301_feedback_window),
    per_document(workflow.dl302_missing_approvals, PARTNERS),
    per_document(workflow.dl303_non_member_approval, PARTNERS),
    per_document(workflow.dl304_meeting_required),
    per_document(workflow.dl305_sync_without_meeting, MEETINGS),
    per_document(workflow.dl306_exception_migrated),
    across_documents(workflow.dl307_supersede_symmetric),
    across_documents(workflow.dl308_supersede_cycle),
    per_document(workflow.dl309_reason),
    per_document(workflow.dl310_incomplete),
    per_document(workflow.dl311_self_approval),
    per_document(workflow.dl312_approval_outside_parties, PARTNERS),
    per_document(workflow.dl313_silence, AGREEMENT),
    per_document(workflow.dl314_meeting_approval_absent, MEETINGS),
    per_document(workflow.dl315_partner_without_members),
    per_document(workflow.dl316_date_order, MEETINGS),
    per_document(workflow.dl317_supersede_status),
    per_document(workflow.dl318_async_deadline),
    across_documents(workflow.dl319_superseded_by_unaccepted),
    per_document(workflow.dl320_decision_in_meeting, MEETINGS),
    per_document(text.dl321_empty_section),
    per_document(review.dl323_review_date),
    across_documents(review.dl324_review_of_unaccepted),
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
    for registered in RULES:
        out.extend(registered.check(ctx))
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
    by_path = ctx.log.by_path
    out = []
    for d in found:
        # Looked up finding by finding: a run over a few documents of a large log stays quick.
        doc = by_path.get(d.path)
        imported = isinstance(doc, Decision) and doc.imported and ctx.is_subject(doc)
        treat = CODES[d.code].imported if imported else ""
        if treat == OFF:
            continue
        if treat == AS_WARNING and d.severity is Severity.ERROR:
            d = dataclasses.replace(d, severity=Severity.WARNING)
        out.append(d)
    return out
