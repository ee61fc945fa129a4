"""The import report: what was imported, what was not and why, and what the user should do next."""

from __future__ import annotations

import shlex
from collections.abc import Iterable
from typing import TYPE_CHECKING

from declog.authoring.frontmatter_edit import scalar
from declog.authoring.importing.records import Where
from declog.authoring.importing.text import slug
from declog.log.diagnostics import plural
from declog.log.load import CONTENT

if TYPE_CHECKING:
    from declog.authoring.importing import Result

#: How many places a list of places names before "and N more".
_PLACES = 8


def places(wheres: Iterable[Where]) -> str:
    """'rows 3, 4, 9' or '0003-x.md, 0007-y.md', at most a few."""
    seen = list(dict.fromkeys(w.short for w in wheres))
    rows = all(s.startswith("row ") for s in seen)
    shown = [s.removeprefix("row ") for s in seen] if rows and len(seen) > 1 else seen
    text = ", ".join(shown[:_PLACES]) + (f" and {len(seen) - _PLACES} more" if len(seen) > _PLACES else "")
    return f"rows {text}" if rows and len(seen) > 1 else text


def render_report(result: Result, partner_ids: Iterable[str] = ()) -> str:
    """The report as plain text (the CLI escapes it for the terminal)."""
    p = result.plan
    src = p.source
    out = [f"declog import {src.format} {src.name}"]
    out += [f"  {note}" for note in src.notes]
    if src.unmapped:
        fields = "; ".join(f"{name} ({places(w)})" for name, w in src.unmapped.items())
        out.append(f"  not mapped to a field, kept in the body: {fields}")
    if p.dates:
        out.append(f"  {p.dates}")
    if p.statuses:
        words = ", ".join(f"{_word(w)} -> {became} ({places(ws)})" for w, (became, ws) in p.statuses.items())
        out.append(f"  statuses: {words}")
    out.append("")
    if result.dry_run:
        out.append(f"would import {plural(len(p.new), 'decision')} (dry run: nothing was written)")
    else:
        out.append(f"imported {plural(len(result.written), 'decision')}")
    width = max((len(n.path) for n in p.new), default=0)
    out += [
        f"  {n.path:<{width}}  {n.status:<10} <- {n.where.short}"
        for n in p.new
        if n.path not in _failed(result)
    ]
    unchanged = [k for k in p.known if not k.differences]
    if unchanged:
        out.append(f"already imported and unchanged: {plural(len(unchanged), 'record')}")
    if p.changed:
        out.append(
            f"changed in the source since they were imported: {plural(len(p.changed), 'record')} "
            "(nothing was overwritten; edit the decision if the change should count)"
        )
        out += [f"  {k.path} <- {k.where.short}: {'; '.join(k.differences)}" for k in p.changed]
    for path, why in result.failed:
        out.append(f"  not written: {path}: {why}")
    if p.skipped:
        out.append(f"skipped {plural(len(p.skipped), 'record')}:")
        out += [f"  {s.where}: {s.reason}" for s in p.skipped]
    if p.notes:
        out.append("notes:")
        out += [f"  {w}: {note}" for w, note in p.notes]
    if p.partners:
        out.append(
            "partners not in the log (records naming them were imported without them); "
            "to add one, fill in its members and run:"
        )
        taken = set(partner_ids)
        for name, wheres in p.partners.items():
            pid = _free(slug(name) or "partner", taken)
            lines = [
                "---",
                f"id: {pid}",
                f"name: {scalar(name)}",
                "timezone: UTC",
                "members: [github-handle]",
                "---",
            ]
            command = (
                f"printf '%s\\n' {' '.join(shlex.quote(x) for x in lines)} > {CONTENT}/partners/{pid}.md"
            )
            out.append(f'  "{name}" ({places(wheres)}): {command}')
    if p.people:
        names = "; ".join(f'"{n}" ({places(w)})' for n, w in p.people.items())
        out.append(f"people who are no partner's member (not written as owner; the body keeps them): {names}")
        out.append('  add them to a partner\'s members, or map them in --map: [people] "Name" = "handle"')
    return "\n".join(out) + "\n"


def _word(word: str) -> str:
    return word if word.startswith("(") else f'"{word}"'


def _failed(result: Result) -> set[str]:
    return {path for path, _ in result.failed}


def _free(pid: str, taken: set[str]) -> str:
    out, n = pid, 2
    while out in taken:
        out, n = f"{pid}-{n}", n + 1
    taken.add(out)
    return out
