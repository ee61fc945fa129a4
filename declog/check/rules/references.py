"""Reference rules: every partner, person, meeting and decision named exists."""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping

from declog.check.rules.context import Context
from declog.log import vocab
from declog.log.codes import finding
from declog.log.config import CONFIG_FILE
from declog.log.diagnostics import Diagnostic, Pos
from declog.log.fields import did_you_mean, field_name
from declog.log.model import Decision, Document, Log
from declog.log.standing import WIKI_REF, code_blocks_of, outside_code, reference_candidates


def dl201_unknown_partner(ctx: Context) -> Iterator[Diagnostic]:
    """Partners named in a document exist in content/partners."""
    known = ctx.log.partners
    for d in ctx.decisions:
        if "partners" in d.data:
            for i, pid in enumerate(d.partners):
                if pid not in known:
                    yield ctx.at(
                        "DL201",
                        d,
                        "partners",
                        i,
                        message=f"unknown partner '{pid}'",
                        hint=did_you_mean(pid, known) or f"add content/partners/{pid}.md",
                    )
        for a in d.approvals:
            if a.partner and a.partner not in known:
                yield ctx.at(
                    "DL201",
                    d,
                    "approvals",
                    a.index,
                    "partner",
                    message=f"approval names unknown partner '{a.partner}'",
                    hint=did_you_mean(a.partner, known),
                )
        for where, pid in declared_values(ctx, d, "partner"):
            if pid not in known:
                yield ctx.at(
                    "DL201",
                    d,
                    *where,
                    message=f"{field_name(where)} names unknown partner '{pid}'",
                    hint=did_you_mean(pid, known) or f"add content/partners/{pid}.md",
                )
    if not ctx.whole:
        return
    silence = ctx.config.workflow.silence
    for pid in silence.partners:
        if known and pid not in known:
            yield finding(
                "DL201",
                CONFIG_FILE,
                ctx.config.pos("workflow", "silence", "partners"),
                f"[workflow.silence] partners names unknown partner '{pid}'",
                did_you_mean(pid, known),
            )


def dl202_unknown_person(ctx: Context) -> Iterator[Diagnostic]:
    """People named in a document are members of some partner."""
    members = ctx.log.member_of

    def unknown(handle: str) -> bool:
        # A malformed handle was already reported (DL104); saying it is nobody's adds nothing.
        return bool(handle) and bool(vocab.HANDLE_RE.match(handle)) and handle not in members

    if not ctx.log.partners:
        return
    for d in ctx.decisions:
        if unknown(d.owner):
            yield ctx.at(
                "DL202",
                d,
                "owner",
                message=f"owner '{d.owner}' is not a member of any partner",
                hint=did_you_mean(d.owner, members),
            )
        for where, handle in declared_values(ctx, d, "member"):
            if unknown(handle):
                yield ctx.at(
                    "DL202",
                    d,
                    *where,
                    message=f"{field_name(where)} '{handle}' is not a member of any partner",
                    hint=did_you_mean(handle, members),
                )
        for a in d.approvals:
            if unknown(a.by):
                yield ctx.at(
                    "DL202",
                    d,
                    "approvals",
                    a.index,
                    "by",
                    message=f"approver '{a.by}' is not a member of any partner",
                    hint=did_you_mean(a.by, members),
                )
    for m in ctx.meetings:
        for i, handle in enumerate(m.attendees):
            if unknown(handle):
                yield ctx.at(
                    "DL202",
                    m,
                    "attendees",
                    i,
                    message=f"attendee '{handle}' is not a member of any partner",
                    hint=did_you_mean(handle, members),
                )
        if unknown(m.chair):
            yield ctx.at(
                "DL202",
                m,
                "chair",
                message=f"chair '{m.chair}' is not a member of any partner",
                hint=did_you_mean(m.chair, members),
            )


def declared_values(ctx: Context, d: Decision, kind: str) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """Where ``d`` names a partner or member (``kind``) in a field of the log's own, and the name.

    Only values as written (a default was checked with the declaration) and of the right form
    (one that is not was reported, DL104).
    """
    for name, spec in ctx.config.fields.items():
        if spec.item_type != kind or name not in d.fields or name not in d.data:
            continue
        typed, written = d.fields[name], d.data[name]
        if isinstance(typed, str):
            yield (name,), typed
        elif isinstance(written, list):
            yield from (((name, i), v) for i, v in enumerate(written) if isinstance(v, str) and v in typed)


def dl203_unknown_meeting(ctx: Context) -> Iterator[Diagnostic]:
    """Meetings named in a decision exist in content/meetings."""
    for d in ctx.decisions:
        if d.meeting and d.meeting not in ctx.log.meetings:
            yield ctx.at(
                "DL203",
                d,
                "meeting",
                message=f"unknown meeting '{d.meeting}'",
                hint=did_you_mean(d.meeting, ctx.log.meetings) or f"add content/meetings/{d.meeting}.md",
            )


def dl204_unknown_decision(ctx: Context) -> Iterator[Diagnostic]:
    """Decisions named in supersedes, superseded_by, reviews or a meeting exist."""
    ids = ctx.log.by_id
    for d in ctx.decisions:
        if not (d.supersedes or d.reviews or d.superseded_by):
            continue  # most decisions name none
        for i, ref in enumerate(d.supersedes):
            if ref not in ids:
                yield ctx.at("DL204", d, "supersedes", i, message=f"supersedes unknown decision '{ref}'")
        for i, ref in enumerate(d.reviews):
            if ref not in ids:
                accepted = [k for k, x in ids.items() if x.status in vocab.FROZEN_STATUSES]
                yield ctx.at(
                    "DL204",
                    d,
                    "reviews",
                    i,
                    message=f"reviews unknown decision '{ref}'",
                    hint=did_you_mean(ref, accepted, synonyms=False),
                )
        if d.superseded_by and d.superseded_by not in ids:
            yield ctx.at(
                "DL204",
                d,
                "superseded_by",
                message=f"superseded_by names unknown decision '{d.superseded_by}'",
            )
    for m in ctx.meetings:
        for i, ref in enumerate(m.decisions):
            if ref not in ids:
                yield ctx.at("DL204", m, "decisions", i, message=f"meeting lists unknown decision '{ref}'")
    agreement = ctx.config.workflow.silence.agreement
    if ctx.whole and agreement and ctx.log.decisions and agreement not in ids:
        yield finding(
            "DL204",
            CONFIG_FILE,
            ctx.config.pos("workflow", "silence", "agreement"),
            f"[workflow.silence] agreement names unknown decision '{agreement}'",
        )


def dl205_broken_link(ctx: Context) -> Iterator[Diagnostic]:
    """`[[NNNN]]` references and links to decision files in a body resolve."""
    ids = ctx.log.by_id
    files = _FileNames(ctx.log, listed=ctx.whole)
    documents: list[Document] = [*ctx.decisions, *ctx.partners, *ctx.meetings]
    for doc in documents:
        yield from _body_links(doc, ids, files)


class _FileNames:
    """The file names of the log's decisions, listed only when a link is not to the file its number names.

    A link to ``0042-slug.md`` is most often to the file of decision 0042, which
    ``by_id`` finds at once: a few documents of a big log are checked without
    listing every file name. Checking every document, ``listed`` lists them first.
    """

    def __init__(self, log: Log, *, listed: bool = False) -> None:
        self.log = log
        self._all: set[str] | None = None
        if listed:
            self._all = self.all

    def __contains__(self, name: str) -> bool:
        if self._all is not None:
            return name in self._all
        d = self.log.by_id.get(name.split("-", 1)[0])
        if d is not None and d.path.rsplit("/", 1)[-1] == name:
            return True
        return name in self.all

    @property
    def all(self) -> set[str]:
        if self._all is None:
            self._all = {d.path.rsplit("/", 1)[-1] for d in self.log.decisions}
        return self._all


def _body_links(d: Document, ids: Mapping[str, Decision], files: _FileNames) -> Iterator[Diagnostic]:
    # Most references resolve: only those that do not are worth telling from code (the same test
    # ``referenced`` applies to all of them).
    unresolved = [
        m
        for m in reference_candidates(d.body)
        if (m.group(1) not in ids if m.re is WIKI_REF else m.group(2) not in files)
    ]
    for m in outside_code(d.body, unresolved, functools.partial(code_blocks_of, d)):
        if m.re is WIKI_REF:
            yield finding("DL205", d.path, _where(d, m.start()), f"[[{m.group(1)}]] refers to no decision")
        else:
            yield finding(
                "DL205",
                d.path,
                _where(d, m.start(1)),
                f"link to '{m.group(1)}' names no decision file",
                _close_file(m.group(2), files.all),
            )


def _where(d: Document, offset: int) -> Pos:
    line_start = d.body.rfind("\n", 0, offset) + 1
    return Pos(d.body_line + d.body.count("\n", 0, offset), offset - line_start + 1)


def _close_file(name: str, files: set[str]) -> str:
    number = name.split("-", 1)[0]
    same = sorted(f for f in files if f.startswith(number + "-"))
    return f"did you mean '{same[0]}'?" if same else ""
