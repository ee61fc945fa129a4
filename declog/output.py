"""Findings as text for people, editors, CI and code scanning.

Formats: concise (one line each, what editors and problem matchers parse),
full (adds the source line, a caret and the hint), json (a list of findings),
github (workflow-command annotations plus a job summary), sarif (2.1.0).
Functions here return strings; the CLI decides where they go.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

from declog import __version__
from declog.codes import CODES
from declog.diagnostics import Diagnostic, Severity, plural

FORMATS = ("concise", "full", "json", "github", "sarif")
#: GitHub shows at most 10 error and 10 warning annotations per step.
GITHUB_ANNOTATION_CAP = 10
#: GitHub rejects a step summary over 1 MiB.
SUMMARY_CAP = 1024 * 1024 - 4096

SourceLines = Callable[[str], Sequence[str]]


def concise(d: Diagnostic) -> str:
    return f"{d.path}:{d.line}:{d.col}: {d.severity} {d.code} {d.message}"


def render_concise(found: Sequence[Diagnostic]) -> str:
    return "".join(concise(d) + "\n" for d in found)


def render_full(found: Sequence[Diagnostic], source: SourceLines) -> str:
    out: list[str] = []
    for d in found:
        out.append(concise(d))
        lines = source(d.path)
        if 0 < d.line <= len(lines):
            text = lines[d.line - 1].replace("\t", " ")
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
    return "\n".join(out) + ("\n" if out else "")


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
    return json.dumps([as_dict(d) for d in found], indent=2, ensure_ascii=False) + "\n"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render_github(found: Sequence[Diagnostic], prefix: str = "") -> str:
    """Workflow commands: the first 10 errors and 10 warnings as annotations, all in a log group."""
    out: list[str] = []
    shown = {Severity.ERROR: 0, Severity.WARNING: 0}
    for d in found:
        if shown[d.severity] >= GITHUB_ANNOTATION_CAP:
            continue
        shown[d.severity] += 1
        props = ",".join(
            f"{k}={_escape_property(str(v))}"
            for k, v in (
                ("file", prefix + d.path),
                ("line", d.line),
                ("col", d.col),
                ("title", d.code),
            )
        )
        message = d.message + (f" ({d.hint})" if d.hint else "")
        out.append(f"::{d.severity} {props}::{_escape_data(message)}")
    hidden = len(found) - sum(shown.values())
    if hidden:
        out.append(
            f"::notice title=declog::{hidden} more finding(s) are listed in the job summary "
            "(GitHub shows 10 annotations of each kind per step)"
        )
    if found:
        out.append("::group::All findings")
        out.extend(_escape_data(concise(d)) for d in found)
        out.append("::endgroup::")
    return "".join(line + "\n" for line in out)


def render_summary(found: Sequence[Diagnostic], *, files: int, prefix: str = "", blob_url: str = "") -> str:
    """The job summary: totals and a table of every finding, in GitHub Markdown."""
    errors = sum(1 for d in found if d.severity is Severity.ERROR)
    warnings = len(found) - errors
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
        icon = ":x:" if d.severity is Severity.ERROR else ":warning:"
        where = f"`{prefix}{d.path}`"
        if blob_url:
            where = f"[`{prefix}{d.path}`]({blob_url}/{prefix}{d.path}#L{d.line})"
        message = (d.message + (f" — {d.hint}" if d.hint else "")).replace("|", "\\|").replace("\n", " ")
        row = f"| {icon} | {where} | {d.line} | {d.code} | {message} |"
        if size + len(row) > SUMMARY_CAP:
            rows.append(f"\n_{len(found) - i} more finding(s) not shown: the summary is limited to 1 MiB._")
            break
        rows.append(row)
        size += len(row) + 1
    return "\n".join([*head, *rows, ""])


def render_sarif(found: Sequence[Diagnostic], prefix: str = "") -> str:
    codes = sorted({d.code for d in found} | set(CODES))
    index = {c: i for i, c in enumerate(codes)}
    rules = [
        {
            "id": c,
            "name": CODES[c].name,
            "shortDescription": {"text": CODES[c].rule},
            "fullDescription": {"text": f"{CODES[c].rule} Fix: {CODES[c].fix}"},
            "defaultConfiguration": {"level": "error" if CODES[c].severity is Severity.ERROR else "warning"},
        }
        for c in codes
        if c in CODES
    ]
    results = [
        {
            "ruleId": d.code,
            "ruleIndex": index[d.code],
            "level": "error" if d.severity is Severity.ERROR else "warning",
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
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
