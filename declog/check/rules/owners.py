"""Who owns and reviews: real handles, and CODEOWNERS in step with the partners' members.

GitHub asks a code owner to review a pull request that touches a path the file
gives owners ("Require review from Code Owners"). ``declog init`` writes a part
of the file between two marker lines, generated from ``content/partners/``:
every member of every partner owns the log's content, its settings, its theme
and its CI. ``declog init --update`` regenerates that part and keeps every other
line. The rule reads the file as GitHub does: of the lines whose pattern matches
a path, the last one decides its owners.

Pure: the file's text comes in through the ``Context`` (``declog.check.checker`` reads it,
inside the log's root only). ``declog.authoring.scaffold`` writes declog's part with ``update``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from declog.check.rules.context import Context, OwnersFile
from declog.log.codes import finding
from declog.log.config import CONFIG_FILE
from declog.log.diagnostics import Diagnostic, Pos
from declog.log.load import CONTENT
from declog.log.model import Document, Log

#: Where GitHub looks for the file, in its order: the first one found is the one it uses.
LOCATIONS = (".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS")

#: The patterns declog's part gives to every partner's members, and a path each must own.
MANAGED: Mapping[str, tuple[str, ...]] = {
    f"/{CONTENT}/": (
        f"{CONTENT}/decisions/0001-x.md",
        f"{CONTENT}/partners/x.md",
        f"{CONTENT}/meetings/x.md",
    ),
    f"/{CONFIG_FILE}": (CONFIG_FILE,),
    "/templates/": ("templates/base.html",),
    "/.github/": (".github/workflows/declog.yml", ".github/CODEOWNERS"),
}

_BEGIN_MARK = "# --- declog's part"
BEGIN = f"{_BEGIN_MARK}: generated from content/partners/ by `declog init --update` (edits here are replaced)"
END = "# --- end of declog's part"

HEADER = """\
# Code owners: GitHub asks one of them to review each pull request that touches
# their paths (with "Require review from Code Owners"); declog's approvals check
# is what requires every partner. GitHub uses the last line that matches a path.
# Lines outside declog's part are yours: `declog init --update` keeps them.
"""

#: The handle ``declog init`` writes when it knows none; a finding wherever it stands.
PLACEHOLDER = "your-github-handle"


@dataclass(frozen=True)
class Line:
    """One rule of the file: a pattern and its owners."""

    number: int
    pattern: str
    owners: tuple[tuple[str, int], ...]
    """Each owner (``@handle``, ``@org/team`` or an e-mail) with its 1-based column."""

    def handles(self) -> frozenset[str]:
        """The users it names, as GitHub compares logins: case-insensitively."""
        return frozenset(o[1:].casefold() for o, _ in self.owners if o.startswith("@") and "/" not in o)


class MarkerError(ValueError):
    """declog's part has a start marker without its end (or the other way round)."""


def parse(text: str) -> list[Line]:
    """The rules of a CODEOWNERS file, skipping blank lines and comments."""
    out = []
    for number, raw in enumerate(text.splitlines(), 1):
        tokens = [(m.group(0), m.start() + 1) for m in re.finditer(r"\S+", raw)]
        if not tokens or tokens[0][0].startswith("#"):
            continue
        owners = []
        for token, col in tokens[1:]:
            if token.startswith("#"):
                break
            owners.append((token, col))
        out.append(Line(number, tokens[0][0], tuple(owners)))
    return out


def _regex(pattern: str) -> re.Pattern[str]:
    """A CODEOWNERS pattern (gitignore's rules) as a regular expression over repository paths."""
    anchored = pattern.startswith("/") or "/" in pattern.strip("/")
    body = pattern.strip("/")
    out = []
    i = 0
    while i < len(body):
        if body.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif body.startswith("**", i):
            out.append(".*")
            i += 2
        elif body[i] == "*":
            out.append("[^/]*")
            i += 1
        elif body[i] == "?":
            out.append("[^/]")
            i += 1
        else:
            out.append(re.escape(body[i]))
            i += 1
    # A pattern naming a folder owns everything in it; one ending in / names only folders.
    tail = "/.*" if pattern.endswith("/") else "(?:/.*)?"
    return re.compile(("" if anchored else "(?:.*/)?") + "".join(out) + tail)


def owner_of(lines: Sequence[Line], path: str) -> Line | None:
    """The line that decides ``path``'s owners: the last one that matches it."""
    for line in reversed(lines):
        if _regex(line.pattern).fullmatch(path):
            return line
    return None


def members(log: Log) -> list[tuple[str, str]]:
    """(handle, partner id) of every member, partners by id, each handle once."""
    seen: set[str] = set()
    out = []
    for pid in sorted(log.partners):
        for m in log.partners[pid].members:
            if m.handle and m.handle.casefold() not in seen:
                seen.add(m.handle.casefold())
                out.append((m.handle, pid))
    return out


def block(handles: Sequence[str]) -> str:
    """declog's part: the managed patterns, each owned by every handle, between the markers."""
    owners = " ".join(f"@{h}" for h in handles)
    lines = [BEGIN, *(f"{pattern} {owners}".rstrip() for pattern in MANAGED), END]
    return "\n".join(lines) + "\n"


def update(text: str | None, handles: Sequence[str]) -> str:
    """``text`` with declog's part regenerated (appended when it has none); every other line kept."""
    new = block(handles)
    if text is None:
        return HEADER + new
    lines = text.splitlines(keepends=True)
    starts = [i for i, line in enumerate(lines) if line.startswith(_BEGIN_MARK)]
    ends = [i for i, line in enumerate(lines) if line.startswith(END)]
    if not starts and not ends:
        sep = "" if not text or text.endswith("\n\n") else ("\n" if text.endswith("\n") else "\n\n")
        return text + sep + new
    if len(starts) != 1 or len(ends) != 1 or ends[0] < starts[0]:
        where = ", ".join(str(i + 1) for i in sorted(starts + ends))
        raise MarkerError(
            f"declog's part is not one start line followed by one end line (marker lines: {where});"
            " fix the markers by hand, or delete them and the lines between them"
        )
    return "".join(lines[: starts[0]]) + new + "".join(lines[ends[0] + 1 :])


def sync_findings(owners: OwnersFile, log: Log) -> Iterator[Diagnostic]:
    """Findings where the file does not give every partner's members the paths declog manages."""
    lines = parse(owners.text)
    needed = members(log)
    if not needed:
        return
    uncovered: list[str] = []
    lacking: dict[int, tuple[Line, list[tuple[str, str]]]] = {}
    for pattern, paths in MANAGED.items():
        for path in paths:
            line = owner_of(lines, path)
            if line is None:
                if pattern not in uncovered:
                    uncovered.append(pattern)
                continue
            have = line.handles()
            missing = [(h, p) for h, p in needed if h.casefold() not in have]
            if missing and line.number not in lacking:
                lacking[line.number] = (line, missing)
    hint = "run `declog init --update` to regenerate declog's part of the file (your own lines are kept)"
    if uncovered:
        yield finding(
            "DL207",
            owners.path,
            Pos(1, 1),
            f"no line gives {', '.join(p.strip('/') for p in uncovered)} owners: "
            "every partner's members should own them",
            hint,
        )
    # Lines that lack the same members are one finding, at the first of them.
    groups: dict[tuple[tuple[str, str], ...], list[Line]] = {}
    for _, (line, missing) in sorted(lacking.items()):
        groups.setdefault(tuple(missing), []).append(line)
    for absent, group in groups.items():
        shown = ", ".join(f"@{h} ({p})" for h, p in absent[:8]) + (", ..." if len(absent) > 8 else "")
        what = " ".join(f"'{line.pattern}'" for line in group) + (" is" if len(group) == 1 else " are")
        yield finding(
            "DL207",
            owners.path,
            Pos(group[0].number, 1),
            f"{what} owned without every partner's members: missing {shown}",
            hint + "; GitHub uses the last line that matches a path",
        )


def placeholder_findings(owners: OwnersFile) -> Iterator[Diagnostic]:
    """The placeholder handle named as an owner: one finding, at its first line."""
    found = [
        (line, col)
        for line in parse(owners.text)
        for o, col in line.owners
        if o[1:].casefold() == PLACEHOLDER
    ]
    if found:
        (first, col), more = found[0], len({line.number for line, _ in found}) - 1
        yield finding(
            "DL206",
            owners.path,
            Pos(first.number, col),
            f"'@{PLACEHOLDER}' is the placeholder `declog init` writes, not a person"
            + (f" (on {more} more line{'s' if more > 1 else ''} too)" if more else ""),
            "run `declog init --update` once the partner files name real members",
        )


# --- the rules ---------------------------------------------------------------------------------


def dl206_placeholder_handle(ctx: Context) -> Iterator[Diagnostic]:
    """People are named by their handles, not the placeholder `your-github-handle` of `declog init`."""
    for p in ctx.partners:
        items = p.data.get("members")
        for i, item in enumerate(items if isinstance(items, list) else []):
            yield from _placeholder(ctx, p, _handle(item), "member", "members", i)
    for d in ctx.decisions:
        yield from _placeholder(ctx, d, d.owner, "owner", "owner")
        for a in d.approvals:
            yield from _placeholder(ctx, d, a.by, "approver", "approvals", a.index, "by")
    for m in ctx.meetings:
        for i, handle in enumerate(m.attendees):
            yield from _placeholder(ctx, m, handle, "attendee", "attendees", i)
    if ctx.whole and ctx.owners is not None:
        yield from placeholder_findings(ctx.owners)


def dl207_codeowners_sync(ctx: Context) -> Iterator[Diagnostic]:
    """CODEOWNERS gives every partner's members the log's content, settings, theme and CI."""
    if ctx.whole and ctx.owners is not None:
        yield from sync_findings(ctx.owners, ctx.log)


def _handle(item: Any) -> str:
    if isinstance(item, dict):
        item = item.get("handle")
    return item if isinstance(item, str) else ""


def _placeholder(
    ctx: Context, doc: Document, handle: str, what: str, *field: str | int
) -> Iterator[Diagnostic]:
    if handle.casefold() == PLACEHOLDER:
        yield ctx.at(
            "DL206",
            doc,
            *field,
            message=f"{what} '{handle}' is the placeholder `declog init` writes, not a person",
            hint="write the GitHub handle of a real person (and run `declog init --update` for CODEOWNERS)",
        )
