"""Load the document database: find files, read them safely, build the model.

Reading never raises for anything a user can put in the tree: unreadable,
binary, oversized or mis-encoded files, symlinks leaving the log, documents
without frontmatter and bad YAML all become findings, and the rest of the log
still loads so that cross-references can be checked.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import gc
import hashlib
import os
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from declog import vocab
from declog.codes import finding
from declog.config import Config
from declog.diagnostics import Diagnostic, Pos
from declog.fields import check_fields, describe
from declog.model import Approval, Decision, Document, Log, Meeting, Member, Partner, Source
from declog.timeparse import parse_datetime
from declog.yamlparse import Frontmatter, Parsed, parse_yaml, split_frontmatter

CONTENT = "content"
#: Files in the content folders that are not documents and are skipped silently.
IGNORED_NAMES = frozenset({"README.md", "readme.md", ".gitkeep", ".keep", ".DS_Store"})


@dataclass(frozen=True)
class RawFile:
    """A file's bytes as read from the work tree or from a git revision."""

    path: str
    """Relative to the log root, POSIX separators."""
    data: bytes | None
    """The bytes; None when the file could not be read (see ``problem``)."""
    problem: Diagnostic | None = None


def find_root(start: Path) -> Path | None:
    """The nearest folder at or above ``start`` holding declog.toml."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / "declog.toml").is_file():
            return folder
    return None


def kind_of(path: str) -> str | None:
    """'decision', 'partner' or 'meeting' for a document path, else None."""
    parts = path.split("/")
    if len(parts) == 3 and parts[0] == CONTENT and parts[2].endswith(".md"):
        return vocab.KIND_DIRS.get(parts[1])
    return None


def scan(root: Path) -> tuple[list[RawFile], list[Diagnostic]]:
    """Read every document under root/content; report stray files."""
    files: list[RawFile] = []
    found: list[Diagnostic] = []
    real_root = root.resolve()
    for folder in vocab.KIND_DIRS:
        base = root / CONTENT / folder
        if not base.is_dir():
            continue
        for entry in sorted(os.scandir(base), key=lambda e: e.name):
            rel = f"{CONTENT}/{folder}/{entry.name}"
            if entry.name in IGNORED_NAMES or entry.name.startswith("."):
                continue
            if not entry.name.endswith(".md") or entry.is_dir():
                found.append(
                    finding(
                        "DL013",
                        rel,
                        Pos(1, 1),
                        f"'{entry.name}' is not a .md document and is ignored",
                        "documents are .md files; move other files out of content/",
                    )
                )
                continue
            files.append(read_file(real_root, rel, entry.is_symlink()))
    return files, found


def read_file(real_root: Path, rel: str, symlink: bool | None = None) -> RawFile:
    """Read one document; ``symlink`` saves a system call when the caller knows."""
    path = real_root / rel

    def refused(message: str, hint: str = "") -> RawFile:
        return RawFile(rel, None, finding("DL001", rel, Pos(1, 1), message, hint))

    try:
        if path.is_symlink() if symlink is None else symlink:
            target = path.resolve()
            if not target.is_relative_to(real_root):
                return refused(
                    f"symlink points outside the log (to {target}); refused",
                    "replace the link with the file itself",
                )
        with open(path, "rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            data = fh.read() if size <= vocab.MAX_FILE_BYTES else None
        if data is None:
            return refused(
                f"file is {size / 1e6:.1f} MB, over the {_limit()} limit; refused",
                "decision records are short; move attachments elsewhere and link to them",
            )
        return RawFile(rel, data)
    except FileNotFoundError:
        return refused("no such file")
    except IsADirectoryError:
        return refused("is a folder, not a document")
    except OSError as exc:
        return refused(f"cannot read: {exc.strerror}")


def _limit() -> str:
    return f"{vocab.MAX_FILE_BYTES / 1e6:g} MB"


def decode(raw: RawFile) -> tuple[str | None, list[Diagnostic]]:
    """Bytes to text: refuse binary and invalid UTF-8, warn on BOM and CRLF."""
    if raw.data is None:
        return None, [raw.problem] if raw.problem else []
    data, path, found = raw.data, raw.path, []
    if len(data) > vocab.MAX_FILE_BYTES:
        return None, [
            finding(
                "DL001",
                path,
                Pos(1, 1),
                f"file is {len(data) / 1e6:.1f} MB, over the {_limit()} limit; refused",
            )
        ]
    if data.startswith(b"\xef\xbb\xbf"):
        found.append(finding("DL010", path, Pos(1, 1), "file starts with a UTF-8 byte-order mark"))
        data = data[3:]
    if b"\x00" in data[:8192]:
        return None, [
            finding("DL001", path, Pos(1, 1), "file is binary (contains NUL bytes), not a text document")
        ]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        return None, [
            finding(
                "DL001",
                path,
                Pos(line, col),
                f"file is not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start})",
                "re-save the file with UTF-8 encoding",
            )
        ]
    if "\r" in text:
        first = text.find("\r")
        found.append(
            finding(
                "DL011",
                path,
                Pos(text.count("\n", 0, first) + 1, 1),
                "file has CRLF (Windows) line endings",
            )
        )
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text, found


def parse_document(raw: RawFile) -> tuple[Document | None, list[Diagnostic]]:
    """One file to one record (or None), with every finding about it."""
    kind = kind_of(raw.path)
    text, found = decode(raw)
    if text is None or kind is None:
        return None, found
    front = split_frontmatter(text, raw.path)
    if isinstance(front, Diagnostic):
        return None, [*found, front]
    parsed, problems = parse_yaml(front.yaml_text, raw.path, front.yaml_line)
    found += problems
    if parsed is None:
        return None, found
    if not isinstance(parsed.data, dict):
        data = parsed.data
        shape = describe(data)
        if isinstance(data, str):
            shape = f"the text {shape}"
        elif isinstance(data, int | float) and not isinstance(data, bool):
            shape = f"the number {shape}"
        found.append(
            finding(
                "DL004",
                raw.path,
                Pos(front.yaml_line, 1),
                f"frontmatter is {shape}, not a mapping of fields",
                "write one `field: value` per line",
            )
        )
        return None, found
    found += check_fields(parsed, kind, raw.path)
    return _BUILDERS[kind](raw.path, parsed, front), found


# --- building records leniently: a wrong-typed field was reported; use a default -----


def _s(data: Mapping[str, Any], key: str) -> str:
    v = data.get(key)
    return v if isinstance(v, str) else ""


def _strs(data: Mapping[str, Any], key: str) -> tuple[str, ...]:
    v = data.get(key)
    return tuple(x for x in v if isinstance(x, str)) if isinstance(v, list) else ()


def _list(data: Mapping[str, Any], key: str) -> list[Any]:
    v = data.get(key)
    return v if isinstance(v, list) else []


def _dt(value: Any) -> dt.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return parse_datetime(value)
    except ValueError:
        return None


def _common(path: str, parsed: Parsed, front: Frontmatter) -> dict[str, Any]:
    return {"path": path, "doc": parsed, "body": front.body, "body_line": front.body_line}


def _decision(path: str, parsed: Parsed, front: Frontmatter) -> Decision:
    d = parsed.data
    name = path.rsplit("/", 1)[-1]
    m = vocab.DECISION_FILE_RE.match(name)
    approvals = []
    for i, a in enumerate(_list(d, "approvals")):
        if isinstance(a, dict):
            approvals.append(
                Approval(
                    partner=_s(a, "partner"),
                    by=_s(a, "by"),
                    via=_s(a, "via"),
                    at=_dt(a.get("at")),
                    ref=_s(a, "ref"),
                    commit=_s(a, "commit"),
                    index=i,
                )
            )
    src = d.get("source")
    status = _s(d, "status")
    mode = _s(d, "mode")
    category = _s(d, "category")
    return Decision(
        **_common(path, parsed, front),
        id=_s(d, "id"),
        slug=m.group("slug") if m else name.removesuffix(".md"),
        title=_s(d, "title"),
        status=status if status in vocab.STATUSES else vocab.DRAFT,
        mode=mode if mode in vocab.MODES else vocab.ASYNC,
        category=category if category in vocab.CATEGORIES else vocab.OPERATIONAL,
        partners=_strs(d, "partners"),
        owner=_s(d, "owner"),
        proposed=_dt(d.get("proposed")),
        deadline=_dt(d.get("deadline")),
        decided=_dt(d.get("decided")),
        logged=_dt(d.get("logged")),
        meeting=_s(d, "meeting"),
        approvals=tuple(approvals),
        supersedes=_strs(d, "supersedes"),
        superseded_by=_s(d, "superseded_by"),
        tags=_strs(d, "tags"),
        rationale=_s(d, "rationale"),
        reason=_s(d, "reason"),
        source=Source(_s(src, "kind"), _s(src, "ref")) if isinstance(src, dict) else None,
    )


def _partner(path: str, parsed: Parsed, front: Frontmatter) -> Partner:
    d = parsed.data
    members = []
    for m in _list(d, "members"):
        if isinstance(m, str):
            members.append(Member(m))
        elif isinstance(m, dict) and isinstance(m.get("handle"), str):
            members.append(Member(m["handle"], _s(m, "name"), _s(m, "role")))
    return Partner(
        **_common(path, parsed, front),
        id=_s(d, "id"),
        name=_s(d, "name") or _s(d, "id"),
        timezone=_s(d, "timezone") or "UTC",
        members=tuple(members),
        url=_s(d, "url"),
    )


def _meeting(path: str, parsed: Parsed, front: Frontmatter) -> Meeting:
    d = parsed.data
    return Meeting(
        **_common(path, parsed, front),
        id=_s(d, "id"),
        title=_s(d, "title"),
        date=_dt(d.get("date")),
        attendees=_strs(d, "attendees"),
        chair=_s(d, "chair"),
        decisions=_strs(d, "decisions"),
    )


_BUILDERS = {"decision": _decision, "partner": _partner, "meeting": _meeting}


ParseResult = tuple[Document | None, list[Diagnostic]]
#: Parsed documents by (path, digest of the bytes), kept between loads by a long-running caller (serve).
ParseMemo = dict[tuple[str, bytes], ParseResult]


def build_log(
    root: str,
    config: Config,
    files: Iterable[RawFile],
    added: Mapping[str, dt.datetime] | None = None,
    memo: ParseMemo | None = None,
) -> tuple[Log, list[Diagnostic]]:
    """Parse every file and assemble the log; ``added`` gives git's first-commit times.

    With ``memo``, a file whose bytes are unchanged since the last load reuses
    its parsed record (records are immutable); the memo is left holding only
    the files of this load.
    """
    with paused_gc():
        return _build_log(root, config, files, added, memo)


def _parse_all(
    files: Iterable[RawFile], memo: ParseMemo | None
) -> Iterator[tuple[Document | None, list[Diagnostic]]]:
    if memo is None:
        yield from map(parse_document, files)
        return
    seen: ParseMemo = {}
    for raw in files:
        key = (raw.path, hashlib.blake2b(raw.data, digest_size=16).digest()) if raw.data is not None else None
        parsed = memo.get(key) if key is not None else None
        if parsed is None:
            parsed = parse_document(raw)
        if key is not None:
            seen[key] = parsed
        yield parsed
    memo.clear()
    memo.update(seen)


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while documents are loaded and checked.

    Documents are trees with no reference cycles for the collector to find, and
    its passes over hundreds of thousands of live values cost a third of a
    large load. Reference counting still frees everything as usual.

    When collection resumes, what was built is moved out of the collector's
    view (``gc.freeze``): otherwise its first pass would walk the whole log at
    once. Acyclic objects leave the frozen set when they are freed, so nothing
    is kept alive by this; ``gc.unfreeze()`` hands them back.
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.freeze()
            gc.enable()


def _build_log(
    root: str,
    config: Config,
    files: Iterable[RawFile],
    added: Mapping[str, dt.datetime] | None,
    memo: ParseMemo | None,
) -> tuple[Log, list[Diagnostic]]:
    decisions: list[Decision] = []
    partners: dict[str, Partner] = {}
    meetings: dict[str, Meeting] = {}
    duplicates: list[Document] = []
    found: list[Diagnostic] = []
    for record, problems in _parse_all(files, memo):
        found += problems
        if isinstance(record, Decision):
            decisions.append(_with_defaults(record, added))
        elif isinstance(record, Partner | Meeting):
            index: dict[str, Any] = partners if isinstance(record, Partner) else meetings
            if record.id in index:
                duplicates.append(record)
            else:
                index[record.id] = record
    all_partners = tuple(sorted(partners))
    decisions = [d if "partners" in d.data else _replace(d, partners=all_partners) for d in decisions]
    decisions.sort(key=lambda d: (d.id, d.path))
    return Log(
        root=root,
        config=config,
        decisions=tuple(decisions),
        partners=partners,
        meetings=meetings,
        duplicates=tuple(duplicates),
    ), found


def _with_defaults(d: Decision, added: Mapping[str, dt.datetime] | None) -> Decision:
    if d.logged is None and added and d.path in added:
        return _replace(d, logged=added[d.path])
    return d


def _replace(d: Decision, **changes: Any) -> Decision:
    return dataclasses.replace(d, **changes)


def iter_paths(root: Path, named: Iterable[str]) -> Iterator[str]:
    """Relative POSIX paths for paths named on the command line."""
    real_root = root.resolve()
    for name in named:
        p = Path(name)
        p = (p if p.is_absolute() else Path.cwd() / p).resolve()
        try:
            yield p.relative_to(real_root).as_posix()
        except ValueError:
            yield str(p)
