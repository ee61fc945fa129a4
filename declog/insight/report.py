"""The audit as text, Markdown and JSON: strings and plain data, never printing."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from declog.insight.audit import PARTICIPATION_METHODS, Audit, Figure
from declog.log import escape

FORMATS = ("text", "json", "markdown")
_COLUMNS = tuple(PARTICIPATION_METHODS)


def render(audit: Audit, fmt: str) -> str:
    """The audit in ``fmt``, safe to print: no value drives a terminal or makes a CI log read a command."""
    if fmt == "json":
        return escape.json_text(json.dumps(to_data(audit), indent=2, ensure_ascii=False) + "\n")
    if fmt == "markdown":
        return escape.lines(render_markdown(audit))
    return escape.lines(render_text(audit))


def _value(f: Figure) -> int | float | None:
    if isinstance(f.value, dt.timedelta):
        return f.value.total_seconds()
    return f.value


def figure_data(f: Figure) -> dict[str, Any]:
    return {
        "key": f.key,
        "label": f.label,
        "value": _value(f),
        "unit": "seconds" if isinstance(f.value, dt.timedelta) else "decisions",
        "display": f.display,
        "n": f.n,
        "method": f.method,
        "ids": list(f.ids),
    }


def to_data(audit: Audit) -> dict[str, Any]:
    """The audit as JSON-ready data (documented in docs/audit.md)."""
    w = audit.window
    return {
        "window": {
            "description": audit.description,
            "now": w.now.isoformat(),
            "last": w.last,
            "since": w.since.isoformat() if w.since else None,
            "partner": w.partner,
            "decisions": [d.id for d in audit.decisions],
        },
        "sections": [
            {"key": s.key, "title": s.title, "figures": [figure_data(f) for f in s.figures]}
            for s in audit.sections
        ],
        "participation": {
            "methods": dict(PARTICIPATION_METHODS),
            "partners": [
                {
                    "partner": p.partner,
                    "name": p.name,
                    "n": p.n,
                    **{c: {"count": len(getattr(p, c)), "ids": list(getattr(p, c))} for c in _COLUMNS},
                }
                for p in audit.participation
            ],
        },
    }


def render_text(audit: Audit) -> str:
    lines = [f"Audit of {audit.description}", ""]
    for s in audit.sections:
        lines.append(s.title)
        for f in s.figures:
            lines.append(f"  {f.label:<44} {f.display:>8}   n={f.n}")
            lines.append(f"      {f.method}")
            if f.ids:
                lines.append(f"      decisions: {', '.join(f.ids)}")
        lines.append("")
    lines.append("Participation per partner")
    lines.append(f"  {'partner':<20}" + "".join(f"{c:>10}" for c in _COLUMNS))
    for p in audit.participation:
        lines.append(f"  {p.partner:<20}" + "".join(f"{len(getattr(p, c)):>10}" for c in _COLUMNS))
    for c, method in PARTICIPATION_METHODS.items():
        lines.append(f"      {c}: {method}")
    return "\n".join(lines) + "\n"


_cell = escape.md_text


def render_markdown(audit: Audit) -> str:
    lines = ["# Decision log audit", "", f"Audit of {_cell(audit.description)}.", ""]
    for s in audit.sections:
        lines += [f"## {s.title}", "", "| Figure | Value | n | How it is computed |", "|---|--:|--:|---|"]
        for f in s.figures:
            how = f.method + (f". Decisions: {', '.join(f.ids)}." if f.ids else "")
            lines.append(f"| {_cell(f.label)} | {f.display} | {f.n} | {_cell(how)} |")
        lines.append("")
    lines += [
        "## Participation per partner",
        "",
        "| Partner | " + " | ".join(_COLUMNS) + " |",
        "|---|" + "--:|" * len(_COLUMNS),
    ]
    for p in audit.participation:
        counts = " | ".join(str(len(getattr(p, c))) for c in _COLUMNS)
        lines.append(f"| {_cell(p.name)} ({escape.md_code(p.partner, cell=True)}) | {counts} |")
    lines.append("")
    lines += [f"- **{c}**: {_cell(m)}" for c, m in PARTICIPATION_METHODS.items()]
    return "\n".join(lines) + "\n"
