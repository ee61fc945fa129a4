"""Findings as text for people, editors, CI and code scanning.

Formats: concise (one line each with its hint, what editors and problem matchers parse),
full (adds the source line, a caret, the hint and the rule), json (a list of findings),
github (workflow-command annotations plus a job summary), sarif (2.1.0).
Functions here return strings; the CLI decides where they go.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Collection, Sequence
from typing import Any

from declog import __version__
from declog.log.codes import CODES
from declog.log.diagnostics import Diagnostic, Severity, plural
from declog.log.escape import (
    command_data,
    command_property,
    json_text,
    line,
    md_code,
    md_text,
    terminal,
    url_path,
)

FORMATS = ("concise", "full", "json", "github", "sarif")
#: GitHub shows at most 10 error and 10 warning annotations per step.
GITHUB_ANNOTATION_CAP = 10
#: GitHub rejects a step summary over 1 MiB.
SUMMARY_CAP = 1024 * 1024 - 4096

SourceLines = Callable[[str], Sequence[str]]


#: Every control character; in a source line shown under a finding, each becomes U+FFFD (one column).
_CONTROL = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f]")


def _inert(text: str) -> str:
    """``text`` with every control character but tab and line ends as an escape (``\\x1b``)."""
    return terminal(text, keep_lines=True)


def concise(d: Diagnostic, *, hint: bool = True) -> str:
    """One line, the hint in parentheses at its end (as GitHub annotations show it).

    A control character in the path, message or hint shows as an escape
    (``\\x1b``): messages quote the user's values, so they must neither drive the
    terminal nor start a line of their own that reads like another finding, nor
    make a CI log read a workflow command (``escape.line``).
    """
    tail = f" ({d.hint})" if hint and d.hint else ""
    return line(f"{d.path}:{d.line}:{d.col}: {d.severity} {d.code} {d.message}{tail}")


def _json(value: object) -> str:
    return json_text(json.dumps(value, indent=2, ensure_ascii=False) + "\n")


def render_concise(found: Sequence[Diagnostic]) -> str:
    return "".join(concise(d) + "\n" for d in found)


def render_full(found: Sequence[Diagnostic], source: SourceLines) -> str:
    out: list[str] = []
    for d in found:
        out.append(concise(d, hint=False))
        lines = source(d.path)
        if 0 < d.line <= len(lines):
            text = _CONTROL.sub("\ufffd", lines[d.line - 1].replace("\t", " "))
            gutter = " " * len(str(d.line))
            out.append(f" {gutter} |")
            out.append(f" {d.line} | {text}")
            out.append(f" {gutter} | {' ' * (d.col - 1)}^")
        if d.hint:
            out.append(f"  = hint: {d.hint}")
        rule = CODES.get(d.code)
        if rule:
            out.append(f"  = rule: {rule.rule} ({rule.name})")
        out.append("")
    return "\n".join(map(line, out)) + ("\n" if out else "")


def as_dict(d: Diagnostic) -> dict[str, Any]:
    return {
        "path": d.path,
        "line": d.line,
        "col": d.col,
        "code": d.code,
        "severity": str(d.severity),
        "message": d.message,
        "hint": d.hint,
    }


def render_json(found: Sequence[Diagnostic]) -> str:
    return _json([as_dict(d) for d in found])


def render_github(
    found: Sequence[Diagnostic], prefix: str = "", touched: Collection[str] | None = None
) -> str:
    """Workflow commands: the first 10 errors and 10 warnings as annotations, all in a log group.

    With ``touched`` (the files a pull request changed), warnings and notes on other files are
    not annotated: the pull request did not cause them and cannot be blamed for them. Errors
    are annotated wherever they are, since they block the merge.
    """
    out: list[str] = []
    shown = {Severity.ERROR: 0, Severity.WARNING: 0, Severity.NOTE: 0}
    elsewhere = [
        d for d in found if touched is not None and d.severity is not Severity.ERROR and d.path not in touched
    ]
    not_annotated = {id(d) for d in elsewhere}
    for d in found:
        if shown[d.severity] >= GITHUB_ANNOTATION_CAP or id(d) in not_annotated:
            continue
        shown[d.severity] += 1
        props = ",".join(
            f"{k}={command_property(str(v))}"
            for k, v in (
                ("file", _inert(prefix + d.path)),
                ("line", d.line),
                ("col", d.col),
                ("title", d.code),
            )
        )
        message = _inert(d.message + (f" ({d.hint})" if d.hint else ""))
        kind = "notice" if d.severity is Severity.NOTE else d.severity
        out.append(f"::{kind} {props}::{command_data(message)}")
    if elsewhere:
        counted = "warning" if all(d.severity is Severity.WARNING for d in elsewhere) else "finding"
        out.append(
            f"::notice title=declog::{plural(len(elsewhere), counted)} on files this change did not touch "
            "(listed below, not annotated)"
        )
    hidden = len(found) - sum(shown.values()) - len(elsewhere)
    if hidden:
        out.append(
            f"::notice title=declog::{hidden} more finding(s) are listed in the job summary "
            "(GitHub shows 10 annotations of each kind per step)"
        )
    if found:
        out.append("::group::All findings")
        out.extend(concise(d) for d in found)  # plain lines, which GitHub shows as they are
        out.append("::endgroup::")
    return "".join(f"{x}\n" for x in out)


def render_summary(found: Sequence[Diagnostic], *, files: int, prefix: str = "", blob_url: str = "") -> str:
    """The job summary: totals and a table of every finding, in GitHub Markdown."""
    errors = sum(1 for d in found if d.severity is Severity.ERROR)
    warnings = sum(1 for d in found if d.severity is Severity.WARNING)
    head = [
        "## declog check",
        "",
        f"{plural(files, 'document')} checked: **{plural(errors, 'error')}**, {plural(warnings, 'warning')}.",
        "",
    ]
    if not found:
        return "\n".join([*head, "No problems found. :white_check_mark:", ""])
    rows = ["| | File | Line | Rule | Message |", "|---|---|---|---|---|"]
    size = sum(len(x) + 1 for x in head + rows)
    for i, d in enumerate(found):
        icon = _ICONS[d.severity]
        where = md_code(prefix + d.path, cell=True)
        if blob_url:
            where = f"[{where}]({blob_url}/{url_path(prefix + d.path)}#L{d.line})"
        message = md_text(d.message + (f" — {d.hint}" if d.hint else ""))
        row = f"| {icon} | {where} | {d.line} | {d.code} | {message} |"
        if size + len(row) > SUMMARY_CAP:
            rows.append(f"\n_{len(found) - i} more finding(s) not shown: the summary is limited to 1 MiB._")
            break
        rows.append(row)
        size += len(row) + 1
    return "\n".join([*head, *rows, ""])


_ICONS = {Severity.ERROR: ":x:", Severity.WARNING: ":warning:", Severity.NOTE: ":information_source:"}
_LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.NOTE: "note"}


def render_sarif(found: Sequence[Diagnostic], prefix: str = "") -> str:
    codes = sorted({d.code for d in found} | set(CODES))
    index = {c: i for i, c in enumerate(codes)}
    rules = [
        {
            "id": c,
            "name": CODES[c].name,
            "shortDescription": {"text": CODES[c].rule},
            "fullDescription": {"text": f"{CODES[c].rule} Fix: {CODES[c].fix}"},
            "defaultConfiguration": {"level": _LEVELS[CODES[c].severity]},
        }
        for c in codes
        if c in CODES
    ]
    results = [
        {
            "ruleId": d.code,
            "ruleIndex": index[d.code],
            "level": _LEVELS[d.severity],
            "message": {"text": d.message + (f" ({d.hint})" if d.hint else "")},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": prefix + d.path, "uriBaseId": "%SRCROOT%"},
                        "region": {"startLine": d.line, "startColumn": d.col},
                    }
                }
            ],
        }
        for d in found
    ]
    doc = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": {"name": "declog", "version": __version__, "rules": rules}},
                "results": results,
            }
        ],
    }
    return _json(doc)
