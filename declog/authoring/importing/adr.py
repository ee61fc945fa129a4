"""adr-tools, MADR (2, 3 and 4) and log4brains: a folder of Markdown decision records.

All three write one record per file with a ``# Title`` line; they differ in
where the metadata stands, and one reader takes it from wherever it is:

* adr-tools: ``# 1. Title``, a ``Date: 2016-02-12`` line, a ``## Status``
  section ("Accepted", "Superseded by [3. X](0003-x.md)", "Supercedes [...]",
  "Amends [...]");
* MADR 3 and 4: YAML frontmatter (``status``, ``date``, ``deciders`` or
  ``decision-makers``); MADR 2: ``* Status: accepted`` bullets under the title;
* log4brains: ``- Status:``, ``- Date:``, ``- Deciders:``, ``- Tags:`` bullets,
  files named ``20200101-some-title.md``.

The text after the title is kept as the body, as written.
"""

from __future__ import annotations

import itertools
import re
from pathlib import Path
from typing import Any

from declog.authoring.importing.records import Record, Skipped, Source, SourceError, Where
from declog.authoring.importing.text import clean, decode, one_line, read_bytes
from declog.log import vocab
from declog.log.progress import READ, Progress, silent
from declog.log.yamlparse import Frontmatter, parse_yaml, split_frontmatter

#: Files in an ADR folder that are not records.
_NOT_RECORDS = re.compile(r"^(?:readme|index|template|adr-template|.*[-_]template)\.md$", re.I)
_TITLE = re.compile(r"^#\s+(.+?)\s*#*\s*$")
_NUMBERED = re.compile(r"^(?:ADR[-\s]?)?(\d+)[.:]\s+(.+)$", re.I)
_META_KEYS = ("status", "date", "deciders", "decision-makers", "decision makers", "tags", "deciders/owners")
_META = re.compile(
    r"^\s*(?:[-*+]\s+)?(?:\*\*)?(" + "|".join(re.escape(k) for k in _META_KEYS) + r")(?:\*\*)?\s*:\s*"
    r"(?:\*\*)?\s*(.*?)\s*$",
    re.I,
)
_RELATION = re.compile(r"^\s*(supercedes|supersedes|superseded by|superceded by)\b\s*:?\s*(.*)$", re.I)
_LINK_TARGET = re.compile(r"\[[^\]]*\]\(\s*<?([^)\s>]+)>?[^)]*\)")
_DATED_FILE = re.compile(r"^(\d{4})(\d{2})(\d{2})-")
_NUMBER_FILE = re.compile(r"^(\d+)-")


def read(fmt: str, path: Path, shown: str, progress: Progress = silent) -> Source:
    """Every record file in the folder ``path`` (or the one file ``path``), in file-name order."""
    source = Source(fmt, shown)
    if path.is_dir():
        try:
            files = sorted(p for p in path.iterdir() if p.name.lower().endswith(".md"))
        except OSError as exc:
            raise SourceError(f"{shown}: cannot list the folder ({exc.strerror or exc})") from None
        if not files:
            raise SourceError(f"{shown}: no .md files in this folder")
        folder = path.resolve()
    else:
        files, folder = [path], path.resolve().parent
    ignored = []
    for at, p in enumerate(files, 1):
        progress(READ, at, len(files))
        where = Where(one_line(clean(p.name)[0]))
        if _NOT_RECORDS.match(p.name) and len(files) > 1:
            ignored.append(where.file)
            continue
        if p.is_symlink() and not p.resolve().is_relative_to(folder):
            source.skipped.append(Skipped(where, "a symbolic link out of the folder: not read"))
            continue
        try:
            text, encoding = decode(read_bytes(p, where.file, vocab.MAX_FILE_BYTES), where.file)
        except SourceError as exc:
            source.skipped.append(Skipped(where, str(exc).removeprefix(f"{where.file}: ")))
            continue
        if encoding not in ("UTF-8", "UTF-8 with BOM"):
            source.remarks.append((where, f"read as {encoding}"))
        parsed = parse(text, where.file, source)
        if isinstance(parsed, Skipped):
            source.skipped.append(parsed)
        else:
            source.records.append(parsed)
    if ignored:
        source.notes.append(f"ignored (a README, index or template, not a record): {', '.join(ignored)}")
    return source


def parse(text: str, name: str, source: Source) -> Record | Skipped:
    """One record file as a record (or why it is none)."""
    text, removed = clean(text)
    if removed:
        source.remarks.append((Where(name), f"{removed} control character{'s' * (removed != 1)} removed"))
    meta: dict[str, Any] = {}
    offset = 0
    extra: list[str] = []
    if text.startswith("---\n"):
        front = split_frontmatter(text, name)
        if not isinstance(front, Frontmatter):
            return Skipped(Where(name), front.message)
        parsed, problems = parse_yaml(front.yaml_text, name, front.yaml_line)
        if parsed is None or not isinstance(parsed.data, dict) or problems:
            why = problems[0].message if problems else "it is not a mapping of fields"
            return Skipped(Where(name, problems[0].line if problems else 2), f"its YAML frontmatter: {why}")
        meta = {str(k).casefold(): v for k, v in parsed.data.items()}
        text, offset = front.body, front.body_line - 1
        # the frontmatter's fields open the body, the way MADR 2 lists them under the title
        extra = [f"- {key.capitalize()}: {_text(value)}" for key, value in meta.items() if key != "title"]
    lines = text.split("\n")
    at = next((i for i, line in enumerate(lines) if _TITLE.match(line)), None)
    if at is None and not meta.get("title"):
        return Skipped(Where(name, offset + 1), "no '# Title' line: not a decision record")
    where = Where(name, offset + (at + 1 if at is not None else 1))
    title_line = _TITLE.match(lines[at]) if at is not None else None
    heading = title_line.group(1) if title_line else _text(meta["title"])
    rest = lines[at + 1 :] if at is not None else lines
    title, number = heading, ""
    m = _NUMBERED.match(heading)
    if m:
        number, title = m.group(1), m.group(2)
    m = _NUMBER_FILE.match(name)
    if not number and m and not _DATED_FILE.match(name):
        number = m.group(1)
    if not one_line(title):
        return Skipped(where, "the title line is empty")
    _bullets(rest, meta)
    status_lines = _section(rest, "status")
    status = _text(meta.get("status", ""))
    supersedes: list[str] = []
    for line in status_lines:
        rel = _RELATION.match(line)
        if rel and rel.group(1).casefold().startswith("supe") and "by" in rel.group(1).casefold():
            status = line.strip()
        elif rel:
            supersedes += _targets(rel.group(2))
        elif not status and line.strip() and not line.lstrip().startswith(("[", "!", "<")):
            status = line.strip()
    date = _text(meta.get("date", "")) or _date_line(rest)
    dated = _DATED_FILE.match(name)
    if not date and dated:
        date = f"{dated.group(1)}-{dated.group(2)}-{dated.group(3)}"
    deciders = meta.get("deciders", meta.get("decision-makers", meta.get("decision makers", "")))
    text_after = "\n".join(rest).strip("\n")
    body = "\n".join([*extra, ""] if extra else []) + ("\n" if extra else "") + text_after + "\n"
    keys = [name, title] + ([str(int(number))] if number else [])
    return Record(
        where=where,
        title=one_line(title),
        status=one_line(status),
        date=one_line(date),
        owners=_items(deciders),
        tags=_items(meta.get("tags", "")),
        rationale=_chosen(rest),
        body=body,
        keys=tuple(keys),
        supersedes=tuple(supersedes),
    )


def _text(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(_text(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_text(v)}" for k, v in value.items())
    return "" if value is None else str(value)


def _items(value: Any) -> tuple[str, ...]:
    if isinstance(value, list):
        return tuple(t for t in (one_line(_text(v)) for v in value) if t)
    text = one_line(_text(value))
    return (text,) if text else ()


def _bullets(lines: list[str], meta: dict[str, Any]) -> None:
    """``* Status: accepted``-style lines between the title and the first section (MADR 2, log4brains)."""
    for line in lines:
        if line.startswith("## "):
            return
        m = _META.match(line)
        if m:
            meta.setdefault(m.group(1).casefold(), m.group(2))


def _section(lines: list[str], name: str) -> list[str]:
    """The lines of the ``## Name`` section."""
    out: list[str] = []
    inside = False
    for line in lines:
        if line.startswith("## "):
            if inside:
                break
            inside = line[3:].strip().casefold() == name
            continue
        if inside:
            out.append(line)
    return out


def _date_line(lines: list[str]) -> str:
    """adr-tools: the ``Date: 2016-02-12`` line under the title."""
    for line in lines:
        if line.startswith("## "):
            break
        m = re.match(r"^\s*Date\s*:\s*(.+?)\s*$", line, re.I)
        if m:
            return m.group(1)
    return ""


def _targets(text: str) -> list[str]:
    """The records a relation line names: its link targets, else the text itself."""
    targets = _LINK_TARGET.findall(text)
    return targets or ([text.strip()] if text.strip() else [])


def _chosen(lines: list[str]) -> str:
    """MADR's ``Chosen option: "X", because Y`` paragraph (and the list it may end in), as the rationale."""
    start = next((i for i, line in enumerate(lines) if re.match(r"^\s*Chosen option\s*:", line, re.I)), None)
    if start is None:
        return ""
    para: list[str] = []
    for line in lines[start:]:
        if not line.strip() or line.lstrip().startswith("#"):
            break
        para.append(line.strip())
    if para[-1].endswith(("because", ":")):
        after = lines[start + len(para) :]
        items = []
        for line in itertools.dropwhile(lambda x: not x.strip(), after):
            bullet = re.match(r"^\s*[-*+]\s+(.*)$", line)
            if not bullet:
                break
            items.append(bullet.group(1).strip())
        para += items
    return one_line(" ".join(para))
