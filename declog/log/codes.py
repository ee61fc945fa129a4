"""The catalogue of rule codes: stable ids, default severity, one-line rule, how to fix.

docs/rules.md is generated from this table (``python -m declog.check.ruledocs``), so the
written reference and the enforced rules cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass

from declog.log.about import DOCS_URL
from declog.log.diagnostics import Diagnostic, Pos, Severity

E = Severity.ERROR
W = Severity.WARNING


@dataclass(frozen=True)
class Code:
    code: str
    name: str
    severity: Severity
    rule: str
    """The rule in one line, as the reference page states it."""
    fix: str
    """How a user fixes a finding of this code."""
    imported: str = ""
    """For imported history (decisions with ``imported_from``): ``OFF`` when the rule asks for
    evidence of this log's own process, which a record older than the log cannot have; ``AS_WARNING``
    when it asks for something the source may not tell; empty when it applies as to any decision."""


#: ``Code.imported``: the rule does not apply to imported history.
OFF = "off"
#: ``Code.imported``: for imported history the finding is a warning.
AS_WARNING = "warning"


_TABLE: list[Code] = [
    # --- files and YAML ------------------------------------------------------------
    Code(
        "DL001",
        "unreadable-file",
        E,
        "A document is a readable UTF-8 text file of at most 1 MB inside the log.",
        "Save the file as UTF-8 text; split or shorten very large files; replace symlinks that leave the log with real files.",
    ),
    Code(
        "DL002",
        "no-frontmatter",
        E,
        "A document starts with YAML frontmatter between two `---` lines.",
        "Put `---` on the first line, the fields, then `---` on a line of its own before the Markdown body.",
    ),
    Code(
        "DL003",
        "yaml-syntax",
        E,
        "Frontmatter is valid YAML.",
        "Fix the YAML at the line shown; indent with spaces, never tabs; quote values that contain `: ` or start with a special character.",
    ),
    Code(
        "DL004",
        "frontmatter-not-mapping",
        E,
        "Frontmatter is a mapping of field names to values.",
        "Write `field: value` lines, not a list or a bare value.",
    ),
    Code(
        "DL005",
        "duplicate-key",
        E,
        "A field appears at most once in a mapping.",
        "Delete one of the two entries; YAML would otherwise silently keep the last one.",
    ),
    Code(
        "DL006",
        "yaml-alias",
        E,
        "Frontmatter uses no anchors or aliases (`&x`, `*x`).",
        "Write the value out in full; aliases are refused so a document cannot expand without bound.",
    ),
    Code(
        "DL007",
        "number-with-leading-zero",
        E,
        "A value with leading zeros is quoted so it stays text.",
        'Quote it: `id: "0012"`. Unquoted, YAML 1.1 reads 0012 as the octal number 10.',
    ),
    Code(
        "DL008",
        "ambiguous-boolean",
        E,
        "Booleans are written `true` or `false`; yes/no/on/off are not booleans here.",
        'Write `true` or `false`, or quote the text (`country: "NO"`).',
    ),
    Code(
        "DL009",
        "sexagesimal-number",
        E,
        "Values like `12:30` are quoted so they are not read as base-60 numbers.",
        'Quote the value (`"12:30"`) or write a full ISO 8601 date-time.',
    ),
    Code(
        "DL010",
        "byte-order-mark",
        W,
        "Documents do not start with a byte-order mark.",
        "Save the file as UTF-8 without BOM.",
    ),
    Code(
        "DL011",
        "crlf-line-endings",
        W,
        "Documents use LF line endings.",
        "Convert the file to LF (`git config core.autocrlf input`, or your editor's line-ending setting).",
    ),
    Code(
        "DL012",
        "outside-content",
        E,
        "Only documents under content/decisions, content/partners and content/meetings are checked.",
        "Name a file inside the log's content/ folder, or move the file there.",
    ),
    Code(
        "DL013",
        "stray-file",
        W,
        "The content folders hold only `.md` documents of their kind.",
        "Move the file elsewhere or give it the `.md` extension and frontmatter.",
    ),
    Code(
        "DL014",
        "control-character",
        E,
        "Text holds no control characters; tab and line breaks only where a field allows several lines.",
        "Delete the character (in quoted YAML, the escape such as `\\e`, `\\x1b` or `\\0`); a line break in a one-line field such as a title is a warning: write it on one line.",
    ),
    Code(
        "DL015",
        "number-too-long",
        E,
        "A number in frontmatter is at most 100 characters long.",
        "Shorten the number, or quote the value if it is text: nothing in a decision log needs a longer number.",
    ),
    Code(
        "DL016",
        "nesting-too-deep",
        E,
        "Lists and mappings in frontmatter, and arrays and tables in declog.toml, nest at most 64 levels deep.",
        "Write the value flatter: a decision needs three levels (approvals, an approval, its fields), a setting two or three.",
    ),
    Code(
        "DL018",
        "file-name-not-utf8",
        E,
        "A file name in the content folders is valid UTF-8; a file whose name is not is not read.",
        "Rename the file: `ID-slug.md` for a decision, `ID.md` for a partner or meeting, in lower-case letters, digits and dashes.",
    ),
    # --- schema --------------------------------------------------------------------
    Code(
        "DL101",
        "required-field",
        E,
        "Every required field of the document kind is present.",
        "Add the field; `declog schema --kind KIND` lists what is required.",
    ),
    Code(
        "DL102",
        "wrong-type",
        E,
        "Each field has the type the schema gives it (text, list, mapping, number, boolean).",
        "Write the value in the expected shape, e.g. a list as `[a, b]` or one `- item` per line.",
    ),
    Code(
        "DL103",
        "not-allowed-value",
        E,
        "Fields with a fixed vocabulary use one of its words.",
        "Use one of the allowed values listed in the message.",
    ),
    Code(
        "DL104",
        "bad-format",
        E,
        "Ids, handles, slugs, time zones and URLs have the documented format.",
        "Follow the format named in the message.",
    ),
    Code(
        "DL105",
        "invalid-date",
        E,
        "Dates and date-times exist and are written in ISO 8601.",
        "Write `2026-11-24` or `2026-11-24T14:30:00+01:00`, with a month from 01 to 12 and a real day.",
    ),
    Code(
        "DL106",
        "naive-datetime",
        E,
        "Date-times carry a time zone offset.",
        "Add the offset: `2026-11-24T14:30:00+01:00`, or `Z` for UTC.",
    ),
    Code(
        "DL107",
        "unknown-field",
        W,
        "Fields are ones the schema knows (catches typos).",
        "Fix the spelling (see the hint) or remove the field; `--strict` makes this an error.",
    ),
    Code(
        "DL108",
        "file-name-mismatch",
        E,
        "A document's file name agrees with its id.",
        "Rename the file to `ID-slug.md` for decisions, `ID.md` for partners and meetings, or fix the id.",
    ),
    Code(
        "DL109",
        "duplicate-id",
        E,
        "Ids are unique within each kind of document.",
        "Give the newer document the next free id: `declog renumber ID --file PATH` renames a decision and "
        "updates every reference to it.",
    ),
    Code(
        "DL110",
        "empty-value",
        E,
        "Text fields and lists that must say something are not empty.",
        "Fill in the value or remove the field.",
    ),
    Code(
        "DL111",
        "misspelt-field",
        E,
        "A field is not a misspelling of a known field (its value would be lost).",
        "Rename the field to the one suggested; as written, declog ignores its value.",
    ),
    # --- references ----------------------------------------------------------------
    Code(
        "DL201",
        "unknown-partner",
        E,
        "Partners named in a document exist in content/partners.",
        "Fix the partner id (see the hint) or add content/partners/ID.md.",
    ),
    Code(
        "DL202",
        "unknown-person",
        E,
        "People named in a document are members of some partner.",
        "Fix the handle or add the person to their partner's `members`.",
    ),
    Code(
        "DL203",
        "unknown-meeting",
        E,
        "Meetings named in a decision exist in content/meetings.",
        "Fix the meeting id or add content/meetings/ID.md.",
    ),
    Code(
        "DL204",
        "unknown-decision",
        E,
        "Decisions named in supersedes, superseded_by, reviews or a meeting exist.",
        "Fix the decision id.",
    ),
    Code(
        "DL205",
        "broken-decision-link",
        E,
        "`[[NNNN]]` references and links to decision files in a body resolve.",
        "Fix the id or file name in the link.",
    ),
    Code(
        "DL206",
        "placeholder-handle",
        E,
        "People are named by their handles, not the placeholder `your-github-handle` of `declog init`.",
        "Write the real GitHub handle (in the partner file, `owner`, approvals, attendees), then run `declog init --update` to rewrite CODEOWNERS.",
    ),
    Code(
        "DL207",
        "codeowners-out-of-sync",
        W,
        "CODEOWNERS gives every partner's members the log's content, settings, theme and CI.",
        "Run `declog init --update`: it regenerates declog's part of CODEOWNERS from content/partners/ and keeps your own lines.",
    ),
    # --- workflow ------------------------------------------------------------------
    Code(
        "DL301",
        "short-feedback-window",
        E,
        "An async decision's feedback deadline is at least the agreed window after it was proposed.",
        "Move `deadline` later, to at least `proposed` plus `workflow.feedback_window`.",
    ),
    Code(
        "DL302",
        "missing-approvals",
        E,
        "An accepted decision has the approvals the approval rule requires.",
        "Record each partner's approval under `approvals` (partner, by, at, via), or keep the status `proposed`.",
        imported=OFF,
    ),
    Code(
        "DL303",
        "approval-by-non-member",
        E,
        "An approval is given by a member of the partner it is recorded for.",
        "Record the approval under the approver's own partner (a partner cannot approve on another's behalf), and ask a member of the partner named for its own.",
    ),
    Code(
        "DL304",
        "meeting-required",
        E,
        "Categories the rules reserve for meetings are decided synchronously.",
        "Decide it in a meeting (`mode: sync` with `meeting`), or change the category if it was mislabelled.",
        imported=OFF,
    ),
    Code(
        "DL305",
        "sync-without-meeting",
        E,
        "A sync decision names the meeting it was made in, and that meeting lists attendees.",
        "Add `meeting: ID` and make sure content/meetings/ID.md lists its attendees.",
        imported=OFF,
    ),
    Code(
        "DL306",
        "exception-not-migrated",
        E,
        "A decision taken outside the log (`source`) is logged within the exception window.",
        "Log exceptions promptly; the window is `workflow.exception_window`.",
    ),
    Code(
        "DL307",
        "asymmetric-supersede",
        E,
        "`supersedes` and `superseded_by` name each other once the later decision is accepted.",
        "Add the missing side of the link: in the change that accepts the new decision, set `superseded_by` and `status: superseded` on the one it replaces.",
    ),
    Code(
        "DL308",
        "supersede-cycle",
        E,
        "Supersede links never form a cycle.",
        "Remove the link that points back to a later decision, on both sides: the `supersedes` entry in one, and `superseded_by` (with the `status: superseded` it brought) in the other.",
    ),
    Code(
        "DL309",
        "missing-reason",
        E,
        "Rejected and withdrawn decisions say why (`reason`).",
        "Add `reason: ...` with a sentence that explains the outcome.",
        imported=AS_WARNING,
    ),
    Code(
        "DL310",
        "incomplete-entry",
        W,
        "An entry records who owns it, why it was decided and when.",
        "Add `owner`, `rationale` and, once decided, `decided`.",
    ),
    Code(
        "DL311",
        "self-approval",
        E,
        "The owner does not approve their own proposal unless the rules allow it.",
        "Ask another member of the owner's partner to approve, or set `workflow.self_approval = true` if agreed.",
    ),
    Code(
        "DL312",
        "approval-outside-parties",
        E,
        "Approvals come from partners party to the decision, at most one counted per person.",
        "Add the partner to `partners`, or remove the approval.",
    ),
    Code(
        "DL313",
        "silence-not-agreed",
        E,
        "Silence counts as approval only where the rules allow it and after the deadline passed.",
        "Collect an explicit approval, or agree silence in declog.toml `[workflow.silence]`.",
    ),
    Code(
        "DL314",
        "meeting-approval-absent",
        E,
        "An approval given in a meeting is by someone who attended it.",
        "Fix the approver, or add them to the meeting's attendees if they were there.",
    ),
    Code(
        "DL315",
        "partner-without-members",
        E,
        "Every partner has at least one member who can approve.",
        "List the partner's members (their git-host handles).",
    ),
    Code(
        "DL316",
        "date-order",
        E,
        "Dates follow the lifecycle: proposed, then deadline and decided, then logged.",
        "Correct the date that is out of order.",
    ),
    Code(
        "DL317",
        "supersede-status",
        E,
        "A superseded decision names its successor and a decision with a successor is superseded.",
        "Set `status: superseded` together with `superseded_by`, and link back with `supersedes`.",
    ),
    Code(
        "DL318",
        "async-without-deadline",
        E,
        "An async decision past draft records when it was proposed and its feedback deadline.",
        "Add `proposed` and `deadline` (`declog new` computes the deadline).",
        imported=OFF,
    ),
    Code(
        "DL319",
        "superseded-by-unaccepted",
        E,
        "Only an accepted decision can supersede another.",
        "Accept the successor first, or drop the supersede link.",
    ),
    Code(
        "DL320",
        "decision-not-in-meeting",
        W,
        "A sync decision appears in its meeting's list of decisions.",
        "Add the decision id to the meeting's `decisions`.",
    ),
    Code(
        "DL321",
        "empty-section",
        W,
        "An accepted decision has no empty sections: every heading in its body has text under it.",
        'Write the section, or remove its heading (`[rules] DL321 = "off"` where empty sections are fine).',
    ),
    Code(
        "DL322",
        "ready-to-accept",
        Severity.NOTE,
        "A proposal whose required approvals are all in is ready to accept.",
        "Set `status: accepted` and `decided:` to the moment the note gives (when the last approval came in) and commit; record silence that counts first (`declog approvals --write` records it). Never a failure, not even with `--strict`.",
    ),
    Code(
        "DL323",
        "review-date",
        E,
        "A review date (`review_by`) is on a decision that can take effect, and not before it was decided.",
        "Remove `review_by` from a rejected or withdrawn decision; on an accepted one, set a day on or after `decided`.",
    ),
    Code(
        "DL324",
        "review-of-unaccepted",
        E,
        "A decision reviews (`reviews`) only other decisions that were accepted (or since superseded).",
        "List the ids of accepted decisions in `reviews`; a proposal is decided, not reviewed.",
    ),
    # --- against the base revision --------------------------------------------------
    Code(
        "DL401",
        "illegal-transition",
        E,
        "Status changes follow the agreed lifecycle, checked against the base revision.",
        "Move through the allowed statuses (see `workflow.transitions`).",
    ),
    Code(
        "DL402",
        "accepted-changed",
        E,
        "An accepted decision's substance never changes; it is superseded instead.",
        "Revert the change and write a new decision that supersedes this one.",
    ),
    Code(
        "DL403",
        "id-changed",
        E,
        "A decision keeps its id and file for life.",
        "Rename the file back; ids are never renumbered or reused.",
    ),
    Code(
        "DL404",
        "decision-deleted",
        E,
        "Decisions are never deleted; they are withdrawn or superseded.",
        "Restore the file and set `status: withdrawn` with a `reason`; a withdrawn entry also names its `owner` and `rationale` (DL310).",
    ),
    Code(
        "DL405",
        "id-collision",
        E,
        "A new decision does not take an id already used on the base branch.",
        "Renumber the new decision to the next free id: `declog renumber ID --file PATH` renames it and "
        "updates every reference to it.",
    ),
    Code(
        "DL406",
        "backdated-proposal",
        E,
        "A new proposal's `proposed` time is not earlier than the commit that made it visible.",
        "Set `proposed` to when the pull request opens and the deadline at least the feedback window later; silence counts only from when partners could see the proposal.",
        imported=OFF,
    ),
    Code(
        "DL408",
        "approval-voided",
        E,
        "A base-branch approval counts only while the decision keeps the text and outcome it approved.",
        "Remove the approvals recorded for the earlier text and ask the partners again (`declog approvals --write` records their reviews), or revert the change.",
    ),
    Code(
        "DL409",
        "window-shortened",
        E,
        "A change never moves a proposal's deadline earlier than the base branch gave the partners.",
        "Keep the deadline where the base branch has it, or later: a feedback window can be extended, never shortened.",
        imported=OFF,
    ),
    Code(
        "DL407",
        "governance-change",
        Severity.NOTE,
        "A change to declog.toml, a partner's members, the theme or the repository's CI is a governance change: every partner approves it.",
        "Ask a member of every partner to approve the pull request (a membership change needs its own partner's approval); `declog approvals` shows who has.",
    ),
    # --- configuration ---------------------------------------------------------------
    Code(
        "DL501",
        "config-unreadable",
        E,
        "declog.toml exists at the log root and is valid TOML.",
        "Create declog.toml (`declog init`), or fix the TOML syntax at the line shown.",
    ),
    Code(
        "DL502",
        "config-invalid",
        E,
        "declog.toml settings have the documented types and values.",
        f"See {DOCS_URL}/configuration.md for each setting.",
    ),
    Code(
        "DL503",
        "config-unknown-key",
        W,
        "declog.toml contains only known settings.",
        "Fix the spelling (see the hint) or remove the setting.",
    ),
    # --- the published site (declog build) --------------------------------------------
    Code(
        "DL601",
        "template-syntax",
        E,
        "Every template on the theme's search path (the log's templates/, then the default theme) compiles.",
        "Fix the Jinja syntax at the line shown, or delete the override to use the default theme's file.",
    ),
    Code(
        "DL602",
        "template-render",
        E,
        "Templates render every page: they use only the variables and filters the build provides.",
        "Compare the override with the default theme's file of the same name; undefined names are errors.",
    ),
    Code(
        "DL603",
        "search-index",
        W,
        "When Pagefind is installed, the site's search index builds.",
        "Reinstall it with `pip install 'pagefind[bin]'`, or uninstall pagefind to build without search.",
    ),
    Code(
        "DL604",
        "template-unsafe",
        E,
        "Templates stay inside Jinja's sandbox: no Python internals (names starting with `_`), no changing the view objects, no files from outside the log.",
        "Use only the view objects, filters and globals of the default theme (see its files); replace a symlink by the file itself.",
    ),
    # --- PR reviews as approvals (declog approvals) -------------------------------------
    Code(
        "DL701",
        "approval-without-review",
        E,
        "An approval recorded `via: pr-review` is backed by an approving review from that person on the pull request.",
        "Remove the approval, or ask that person to approve the pull request and run `declog approvals --write`.",
    ),
    Code(
        "DL702",
        "stale-review",
        E,
        "An approving review counts only if the decision file has not changed since the reviewed commit.",
        "Ask the reviewer to review the latest commit; an approval of an older version does not cover the change.",
    ),
    Code(
        "DL703",
        "dismissed-review",
        E,
        "A review that was dismissed, or followed by a request for changes, does not count as approval.",
        "Remove the approval, or ask the reviewer to approve the pull request again.",
    ),
    Code(
        "DL704",
        "review-for-other-partner",
        E,
        "A review counts only for the partners its author is a member of.",
        "Record the approval for the reviewer's own partner; a partner cannot approve on another's behalf.",
    ),
    Code(
        "DL705",
        "author-approval",
        E,
        "The pull request's author does not approve it for their own partner unless the rules allow self-approval.",
        "Ask a colleague from the same partner to review, or agree `self_approval = true` in declog.toml.",
    ),
]

CODES: dict[str, Code] = {c.code: c for c in _TABLE}


def finding(
    code: str,
    path: str,
    pos: Pos,
    message: str,
    hint: str = "",
    severity: Severity | None = None,
) -> Diagnostic:
    """Make a finding for a catalogued code, with the code's default severity."""
    entry = CODES[code]
    return Diagnostic(
        path=path,
        line=pos.line,
        col=pos.col,
        code=code,
        severity=severity or entry.severity,
        message=message,
        hint=hint,
    )
