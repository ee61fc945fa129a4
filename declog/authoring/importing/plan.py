"""From a source's records to decision files: mapped, linked, numbered, and compared with earlier imports.

Gathers everything before anything is written: each record either becomes a
new decision (the next merge-safe ids, in source order), or is one imported
before (``imported_from`` names the same format, file and row) and is compared
with it, or is skipped with the reason. Links between records become
``supersedes``/``superseded_by`` and links between the new files.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from declog.authoring.frontmatter_edit import scalar
from declog.authoring.importing.mapping import MapFile, Matcher, Status, normal, split_names, status_of
from declog.authoring.importing.records import Record, Skipped, Source, Where
from declog.authoring.importing.text import DateFormat, date_format, file_slug, parse_date, slug
from declog.authoring.scaffold import next_id
from declog.log import vocab
from declog.log.customfields import cell_value
from declog.log.load import CONTENT
from declog.log.model import Decision, Log
from declog.log.progress import PLAN, Progress, silent
from declog.log.standing import FILE_LINK, WIKI_REF
from declog.log.timeparse import zone
from declog.log.yamlparse import Frontmatter, parse_yaml, split_frontmatter

#: Fields compared with a decision imported before (partners and owner depend on the log, not the source).
COMPARED = ("title", "status", "category", "tags", "proposed", "decided", "supersedes", "superseded_by")
COMPARED_TEXT = ("rationale", "reason")


@dataclass(frozen=True)
class NewFile:
    where: Where
    path: str
    text: str
    status: str


@dataclass(frozen=True)
class Known:
    """A record imported before, and how the decision differs from it now (empty: not at all)."""

    where: Where
    path: str
    differences: tuple[str, ...]


@dataclass
class Plan:
    source: Source
    new: list[NewFile] = field(default_factory=list)
    known: list[Known] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    notes: list[tuple[Where, str]] = field(default_factory=list)
    statuses: dict[str, tuple[str, list[Where]]] = field(default_factory=dict)
    """Status word as written -> the status it became, and where."""
    partners: dict[str, list[Where]] = field(default_factory=dict)
    """Partner names that match no partner of the log -> where."""
    people: dict[str, list[Where]] = field(default_factory=dict)
    """People that are no partner's member -> where."""
    dates: str = ""

    @property
    def changed(self) -> list[Known]:
        return [k for k in self.known if k.differences]


@dataclass
class _Draft:
    """One record on its way to a decision."""

    record: Record
    status: Status
    values: dict[str, Any] = field(default_factory=dict)
    successor: int | None = None
    predecessors: list[int] = field(default_factory=list)
    existing: Decision | None = None
    id: str = ""
    path: str = ""


def plan(
    source: Source,
    log: Log,
    root: Path,
    *,
    mapping: MapFile,
    date_pattern: str = "",
    base_numbers: Iterable[int] = (),
    progress: Progress = silent,
) -> Plan:
    """What importing ``source`` into ``log`` does; SourceError when the dates cannot be read."""
    out = Plan(source, skipped=list(source.skipped), notes=list(source.remarks))
    dates = [(r.date, r.where) for r in source.records if r.date]
    dates += [(r.proposed, r.where) for r in source.records if r.proposed]
    how = date_format(dates, date_pattern)
    out.dates = how.described
    matcher = Matcher(log, mapping)
    tz = zone(log.config.site.timezone)
    drafts: list[_Draft] = []
    for record in source.records:
        status = _status(record, mapping, out)
        if status is not None:
            draft = _Draft(record, status)
            _fields(draft, how, tz, matcher, out)
            for name, cell in record.custom:  # the log's own fields, as --map names their columns
                draft.values[name] = cell_value(log.config.fields[name], cell)
            drafts.append(draft)
    _identify(drafts, log, source.format)
    _link(drafts, out)
    _number(drafts, log, root, base_numbers)
    names = {d.record.where.file.casefold(): d.path.rsplit("/", 1)[-1] for d in drafts if d.path}
    for at, d in enumerate(drafts, 1):
        progress(PLAN, at, len(drafts))
        _finish(d, drafts, names, source.format, out)
    return out


# --- one record ----------------------------------------------------------------------------------


def _status(record: Record, mapping: MapFile, out: Plan) -> Status | None:
    word = record.status
    if not word:
        status: Status | None = Status(vocab.ACCEPTED)
        label = "(no status)"
    else:
        status = status_of(word, mapping.status)
        # "Superseded by 4", "Ersetzt durch Zeile 7": reported together, as the words before the reference
        label = f"{word[: -len(status.successor)].strip()} …" if status and status.successor else word
    if status is None:
        out.skipped.append(
            Skipped(
                record.where,
                f"status '{word}' is not mapped: map it in a --map file, "
                f'e.g. [status] "{word}" = "accepted"',
            )
        )
        return None
    became = status.status + (f" (tagged {status.tag})" if status.tag else "")
    out.statuses.setdefault(label, (became, []))[1].append(record.where)
    if record.superseded_by and status.status != vocab.SUPERSEDED and not status.successor:
        status = Status(vocab.SUPERSEDED, status.tag, record.superseded_by[0])
    return status


def _fields(draft: _Draft, how: DateFormat, tz: dt.tzinfo, matcher: Matcher, out: Plan) -> None:
    r, v = draft.record, draft.values
    v["title"] = r.title
    v["status"] = draft.status.status
    if normal(r.category) in vocab.CATEGORIES:
        v["category"] = normal(r.category)
    partners = _partners(r, matcher, out)
    if partners:
        v["partners"] = partners
    owners = _match(r.owners, matcher.person, out.people, r.where)
    if owners:
        v["owner"] = owners[0]
    tags = [slug(t) for item in r.tags for t in re.split(r"[,;\n]", item)]
    if r.category and "category" not in v:
        tags.append(slug(r.category))
    tags += [draft.status.tag] if draft.status.tag else []
    if tags := list(dict.fromkeys(t for t in tags if t)):
        v["tags"] = tags
    when = _date(r.date, how, tz, r.where, out)
    proposed = _date(r.proposed, how, tz, r.where, out)
    status = draft.status.status
    if status in vocab.DECIDED_STATUSES:
        if proposed and when and proposed > when:
            out.notes.append((r.where, "proposed after it was decided: the proposed date is left out"))
            proposed = None
        _put(v, "proposed", proposed)
        _put(v, "decided", when)
    elif status in vocab.OPEN_STATUSES:
        _put(v, "proposed", proposed or when)
    rationale = r.rationale.strip()
    if rationale:
        # Every decided entry says why (DL310: `rationale`); a rejected or withdrawn one says why it
        # ended so (DL309: `reason`). A source has one "why" for the outcome: it answers both.
        v["rationale"] = rationale
        if status in (vocab.REJECTED, vocab.WITHDRAWN):
            v["reason"] = rationale


def _put(values: dict[str, Any], key: str, when: dt.datetime | None) -> None:
    if when is not None:
        values[key] = when.isoformat()


def _date(raw: str, how: DateFormat, tz: dt.tzinfo, where: Where, out: Plan) -> dt.datetime | None:
    if not raw:
        return None
    value = parse_date(raw, how, tz)
    if value is None:
        how_read = (
            f"--date-format {how.pattern}" if how.pattern else "ISO, DD.MM.YYYY, DD/MM/YYYY, MM/DD/YYYY"
        )
        out.notes.append(
            (where, f"'{raw}' is not a date ({how_read}): imported without it (kept in the body)")
        )
    return value


def _partners(r: Record, matcher: Matcher, out: Plan) -> list[str]:
    """The partner ids a record names; a word for every partner ("all", "alle") names them all."""
    everyone = sorted(matcher.log.partners)
    found: list[str] = []

    def find(name: str) -> str | list[str] | None:
        hit = matcher.partner(name)
        if not matcher.every_partner(name):
            return hit
        if hit is not None:
            if not matcher.mapped_partner(name):
                out.notes.append(
                    (
                        r.where,
                        f"partners '{name}' may mean partner '{hit}' or every partner: taken as '{hit}'; "
                        "if the row means every partner, list the partners in the cell "
                        f'(or confirm this reading in --map: [partners] "{name}" = "{hit}")',
                    )
                )
            return hit
        if not everyone:
            none_yet = f"partners '{name}' means every partner; the log has none yet"
            out.notes.append((r.where, f"{none_yet}, so `partners` is left out (which means every partner)"))
            return []
        return everyone

    for item in r.partners:
        whole = find(item)
        for name in [item] if whole is not None else list(split_names(item)):
            hit = whole if whole is not None else find(name)
            if hit is None:
                out.partners.setdefault(name, []).append(r.where)
            else:
                found += [hit] if isinstance(hit, str) else hit
    return list(dict.fromkeys(found))


def _match(items: tuple[str, ...], find: Any, unmatched: dict[str, list[Where]], where: Where) -> list[str]:
    """Ids or handles for the names in ``items`` (a whole cell first, then its parts)."""
    found: list[str] = []
    for item in items:
        whole = find(item)
        names = [item] if whole else list(split_names(item))
        for name in names:
            hit = whole or find(name)
            if hit:
                found.append(hit)
            else:
                unmatched.setdefault(name, []).append(where)
    return list(dict.fromkeys(found))


# --- the records together ------------------------------------------------------------------------


def _identify(drafts: list[_Draft], log: Log, fmt: str) -> None:
    """Each record imported before finds its decision: same file, row and title; else same title; else row.

    Rows move when a sheet is sorted or a row is inserted; titles change when
    someone edits one. Matching on both first, then on either, finds each
    record's decision in both cases, and never gives one decision to two records.
    """
    by_key: dict[tuple[str, int], Decision] = {}
    by_title: dict[tuple[str, str], Decision] = {}
    for d in log.decisions:
        origin = d.data.get("imported_from")
        if isinstance(origin, dict) and origin.get("format") == fmt and isinstance(origin.get("file"), str):
            row = origin.get("row")
            by_key.setdefault((origin["file"], row if isinstance(row, int) else 0), d)
            by_title.setdefault((origin["file"], d.title), d)
    taken: set[str] = set()
    for step in ("both", "title", "row"):
        for draft in drafts:
            w, title = draft.record.where, draft.record.title
            at_row = by_key.get((w.file, w.row))
            if step == "both":
                hit = at_row if at_row is not None and at_row.title == title else None
            else:
                hit = by_title.get((w.file, title)) if step == "title" else at_row
            if draft.existing is None and hit is not None and hit.path not in taken:
                taken.add(hit.path)
                draft.existing = hit


def _keys(drafts: list[_Draft]) -> dict[str, int]:
    out: dict[str, int] = {}
    for i, d in enumerate(drafts):
        for key in d.record.keys:
            out.setdefault(_ref_key(key), i)
    return out


def _ref_key(text: str) -> str:
    text = " ".join(text.casefold().split())
    m = re.match(r"^(?:adr[-\s]?|#|no\.?\s*|nr\.?\s*)?0*(\d+)$", text)
    return str(int(m.group(1))) if m and m.group(1) else text


_LINK = re.compile(r"\[[^\]]*\]\(\s*<?([^)\s>]+)>?[^)]*\)")


def _resolve(ref: str, keys: Mapping[str, int]) -> int | None:
    targets = [t.split("#")[0].rsplit("/", 1)[-1] for t in _LINK.findall(ref)] or [ref]
    for target in targets:
        key = _ref_key(target)
        if key in keys:
            return keys[key]
        if key.isdigit() and f"row {key}" in keys:
            return keys[f"row {key}"]
    return None


def _link(drafts: list[_Draft], out: Plan) -> None:
    """``superseded by`` and ``supersedes`` between records, only where the log's rules can hold them."""
    keys = _keys(drafts)
    for i, d in enumerate(drafts):
        if d.status.successor:
            j = _resolve(d.status.successor, keys)
            if j is None:
                out.notes.append(
                    (
                        d.record.where,
                        f"superseded by '{d.status.successor}', which is no record of the source",
                    )
                )
            else:
                _join(drafts, i, j, out)
        for ref in d.record.supersedes:
            k = _resolve(ref, keys)
            if k is None:
                out.notes.append((d.record.where, f"supersedes '{ref}', which is no record of the source"))
            elif drafts[k].successor != i:
                _join(drafts, k, i, out)
    for d in drafts:
        if d.successor is None and d.values["status"] == vocab.SUPERSEDED:
            d.values["status"] = vocab.ACCEPTED
            out.notes.append(
                (d.record.where, "superseded, but its successor is not known: imported as accepted")
            )


def _join(drafts: list[_Draft], old: int, new: int, out: Plan) -> None:
    a, b = drafts[old], drafts[new]
    where = a.record.where
    why = ""
    if old == new:
        why = "it names itself as its successor"
    elif a.successor is not None and a.successor != new:
        why = f"it is already superseded by {drafts[a.successor].record.where.short}"
    elif b.values["status"] not in vocab.FROZEN_STATUSES:
        why = f"{b.record.where.short} is {b.values['status']}, and only an accepted decision supersedes one"
    elif a.values["status"] not in vocab.FROZEN_STATUSES:
        why = f"it is {a.values['status']}, and only an accepted decision can be superseded"
    elif _reaches(drafts, new, old):
        why = "the links would form a cycle"
    if why:
        out.notes.append((where, f"not linked as superseded by {b.record.where.short}: {why}"))
        return
    a.successor = new
    b.predecessors.append(old)
    a.values["status"] = vocab.SUPERSEDED


def _reaches(drafts: list[_Draft], start: int, goal: int) -> bool:
    seen: set[int] = set()
    at: int | None = start
    while at is not None and at not in seen:
        if at == goal:
            return True
        seen.add(at)
        at = drafts[at].successor
    return False


def _number(drafts: list[_Draft], log: Log, root: Path, base_numbers: Iterable[int]) -> None:
    """Records imported before keep their decision; new ones take the next merge-safe ids in order."""
    first = next_id(log, root, base_numbers)
    number, width = int(first), len(first)
    for d in drafts:
        if d.existing is not None:
            d.id, d.path = d.existing.id, d.existing.path
        else:
            d.id = str(number).zfill(width)
            d.path = f"{CONTENT}/decisions/{d.id}-{file_slug(d.record.title)}.md"
            number += 1


# --- writing out ---------------------------------------------------------------------------------


def _finish(
    d: _Draft,
    drafts: list[_Draft],
    names: Mapping[str, str],
    fmt: str,
    out: Plan,
) -> None:
    v = d.values
    new = d.existing is None
    links = [drafts[p] for p in d.predecessors] + ([drafts[d.successor]] if d.successor is not None else [])
    mixed = [x for x in links if (x.existing is None) != new]
    if mixed and new:
        for x in mixed:
            out.notes.append(
                (
                    d.record.where,
                    f"its link with {x.record.where.short} ({x.path}, imported before) is not written: "
                    "add supersedes/superseded_by to both by hand",
                )
            )
        d.predecessors = [p for p in d.predecessors if drafts[p].existing is None]
        if d.successor is not None and drafts[d.successor].existing is not None:
            d.successor = None
            v["status"] = vocab.ACCEPTED
    if d.predecessors:
        v["supersedes"] = [drafts[p].id for p in d.predecessors]
    if d.successor is not None:
        v["superseded_by"] = drafts[d.successor].id
    body, dropped = rewrite_links(d.record.body, names)
    for target in dropped:
        out.notes.append((d.record.where, f"a link to '{target}' names no record imported: kept as text"))
    if not new:
        assert d.existing is not None
        out.known.append(Known(d.record.where, d.path, _differences(d.existing, v, body)))
        return
    ordered = {"id": d.id, **{k: v[k] for k in _ORDER if k in v}}
    ordered.update((name, v[name]) for name, _ in d.record.custom if name in v)
    ordered["imported_from"] = _origin(fmt, d.record.where)
    text = render(ordered, body)
    problem = _reads_back(text, d.path, ordered)
    if problem:
        out.skipped.append(Skipped(d.record.where, problem))
    elif len(text.encode("utf-8")) > vocab.MAX_FILE_BYTES:
        too_big = f"as a decision it would be larger than {vocab.MAX_FILE_BYTES:,} bytes"
        out.skipped.append(Skipped(d.record.where, too_big))
    else:
        out.new.append(NewFile(d.record.where, d.path, text, v["status"]))


_ORDER = (
    "title",
    "status",
    "category",
    "partners",
    "owner",
    "tags",
    "proposed",
    "decided",
    "supersedes",
    "superseded_by",
    "rationale",
    "reason",
)


def _origin(fmt: str, where: Where) -> dict[str, Any]:
    return {"format": fmt, "file": where.file, **({"row": where.row} if where.row else {})}


def render(values: Mapping[str, Any], body: str) -> str:
    """A decision file: every value written so that any YAML reader (1.1 or 1.2) reads it back as is."""
    lines = ["---"]
    for key, value in values.items():
        if isinstance(value, dict):
            lines.append(f"{key}:")
            lines += [f"  {k}: {x if isinstance(x, int) else scalar(x)}" for k, x in value.items()]
        elif isinstance(value, list):
            lines.append(f"{key}: [{', '.join(scalar(x) for x in value)}]")
        elif isinstance(value, bool | int | float):
            lines.append(f"{key}: {str(value).lower() if isinstance(value, bool) else value}")
        else:
            lines.append(f"{key}: {scalar(value)}")
    lines.append("---")
    return "\n".join(lines) + "\n\n" + body.strip("\n") + "\n"


def _reads_back(text: str, path: str, values: Mapping[str, Any]) -> str:
    """Empty when declog reads ``text`` back as ``values``; else why not (a bug, never the user's)."""
    front = split_frontmatter(text, path)
    if isinstance(front, Frontmatter):
        parsed, problems = parse_yaml(front.yaml_text, path, front.yaml_line)
        if parsed is not None and not problems and parsed.data == dict(values):
            return ""
    return "declog could not write it so that it reads back the same (please report this as a bug)"


def rewrite_links(body: str, names: Mapping[str, str]) -> tuple[str, list[str]]:
    """Links to the source's files pointed at their decisions; links and ``[[N]]`` naming none made text.

    ``names``: source file name (case-folded) -> the decision file it became.
    A link the log would take for one to a decision (``0007-x.md``) or a
    ``[[0007]]`` reference means the source's record 7, not the log's: left
    as it was, it would point at the wrong decision, or at none (DL205).
    """
    known = set(names.values())
    dropped: list[str] = []

    def retarget(m: re.Match[str]) -> str:
        target = m.group(2)
        path, hash_, anchor = target.partition("#")
        name = path.rsplit("/", 1)[-1]
        if "://" in path or not name:
            return m.group(0)
        new = names.get(name.casefold())
        return f"{m.group(1)}{new}{hash_}{anchor}{m.group(3)}" if new else m.group(0)

    def unlink(m: re.Match[str]) -> str:
        if m.group(2) in known:
            return m.group(0)
        dropped.append(m.group(2))
        return "]\\(" + m.group(0)[2:]

    body = _MD_LINK.sub(retarget, body)
    body = FILE_LINK.sub(unlink, body)
    body = WIKI_REF.sub(lambda m: "[\\[" + m.group(0)[2:], body)
    return body, dropped


_MD_LINK = re.compile(r"(\[[^\]\n]*\]\(\s*<?)([^)\s>]+)(>?(?:\s+\"[^\"\n]*\")?\s*\))")


def _differences(d: Decision, values: Mapping[str, Any], body: str) -> tuple[str, ...]:
    out = []
    for key in COMPARED + COMPARED_TEXT:
        old, new = d.data.get(key), values.get(key)
        if key == "rationale" and old is None and new == d.data.get("reason"):
            continue  # imported when the why of a rejected row went to `reason` only
        if old != new:
            out.append(key if key in COMPARED_TEXT else f"{key}: {_short(old)} -> {_short(new)}")
    if d.body.strip() != body.strip():
        out.append("body")
    return tuple(out)


def _short(value: Any) -> str:
    if value is None:
        return "(none)"
    text = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
    return text if len(text) <= 40 else text[:39] + "…"
