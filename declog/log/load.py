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
import errno
import gc
import hashlib
import os
import stat
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from declog.log import vocab
from declog.log.codes import finding
from declog.log.config import Config
from declog.log.customfields import Fields, decision_fields
from declog.log.diagnostics import Diagnostic, Pos
from declog.log.fields import check_fields, describe
from declog.log.model import Approval, Decision, Document, Log, Meeting, Member, Partner, Source
from declog.log.timeparse import parse_date, parse_datetime
from declog.log.yamlparse import Frontmatter, Parsed, compact, parse_yaml, split_frontmatter

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


def scan(
    root: Path, memo: LoadMemo | None = None, changed: Collection[str] = ()
) -> tuple[list[RawFile], list[Diagnostic]]:
    """Read every document under root/content; report stray files.

    With ``memo``, a file whose size, modification time and inode are those the
    last scan saw, and that is not named in ``changed``, is not read again.
    """
    files: list[RawFile] = []
    found: list[Diagnostic] = []
    real_root = root.resolve()
    seen: dict[str, tuple[tuple[int, ...], RawFile]] = {}
    refused = _refused_folder(real_root, CONTENT)
    folders = () if refused else vocab.KIND_DIRS
    if refused:
        found.append(refused)
    for folder in folders:
        rel_base = f"{CONTENT}/{folder}"
        refused = _refused_folder(real_root, rel_base)
        if refused is not None:
            found.append(refused)
            continue
        try:
            entries = sorted(os.scandir(root / rel_base), key=lambda e: e.name)
        except (FileNotFoundError, NotADirectoryError):
            continue  # no such folder (a file of that name, say): nothing to read
        except OSError as exc:
            found.append(_os_problem(rel_base, exc, "folder"))
            continue
        for entry in entries:
            rel = f"{rel_base}/{entry.name}"
            if entry.name in IGNORED_NAMES or entry.name.startswith("."):
                continue
            if (misnamed := not_utf8(rel)) is not None:
                files.append(misnamed)
                continue
            symlink = entry.is_symlink()
            if symlink and (outside := _leaves(real_root, rel)) is not None:
                found.append(outside)
                continue
            if not entry.name.endswith(".md") or _is_dir(entry):
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
            if memo is None:
                files.append(read_file(real_root, rel, symlink))
                continue
            stamp = _stamp(entry)
            known = memo.stats.get(rel)
            raw = known[1] if known is not None and known[0] == stamp and rel not in changed else None
            if raw is None:
                raw = read_file(real_root, rel, symlink)
            if stamp and memo.keep_bytes:
                seen[rel] = (stamp, raw)
            files.append(raw)
    if memo is not None:
        memo.stats = seen
    return files, found


def document_files(root: Path) -> list[tuple[str, bool]]:
    """The documents ``scan`` reads, sorted, each with whether it is a symlink (``read_file``'s
    ``symlink``): for another process that reads them ahead of a load. None in a folder ``scan``
    refuses; ``scan`` reports what is wrong."""
    real_root = root.resolve()
    if _refused_folder(real_root, CONTENT) is not None:
        return []
    out: list[tuple[str, bool]] = []
    for folder in vocab.KIND_DIRS:
        rel_base = f"{CONTENT}/{folder}"
        if _refused_folder(real_root, rel_base) is not None:
            continue
        try:
            entries = os.scandir(root / rel_base)
        except OSError:
            continue
        with entries:
            for entry in entries:
                rel, name = f"{rel_base}/{entry.name}", entry.name
                if name.endswith(".md") and not name.startswith(".") and name not in IGNORED_NAMES:
                    out.append((rel, entry.is_symlink()))
    return sorted(f for f in out if not_utf8(f[0]) is None)  # a name that is not UTF-8 is not read


def not_utf8(rel: str) -> RawFile | None:
    """A file refused for a name that is not UTF-8 (DL018); None for a name that is.

    Python keeps such a name's bytes as lone surrogates, so it can be opened, but no
    page, feed, JSON or SQLite export could carry it: the file is not read.
    """
    if rel.isascii():
        return None
    try:
        rel.encode("utf-8")
    except UnicodeEncodeError as exc:
        code = ord(rel[exc.start])
        bad = f"byte 0x{code - 0xDC00:02x}" if 0xDC80 <= code <= 0xDCFF else f"U+{code:04X}"
        return RawFile(
            rel, None, finding("DL018", rel, Pos(1, 1), f"file name is not valid UTF-8 ({bad}); not read")
        )
    return None


def _is_dir(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False  # a symlink loop, say: read_file says what it is


def _refused_folder(real_root: Path, rel: str) -> Diagnostic | None:
    """A finding when the folder ``rel`` leaves the log or cannot be entered; None to read it.

    A folder that does not exist, or a file where the folder would be, is no
    finding: there is simply nothing to read.
    """
    path = real_root / rel
    try:
        st = os.stat(path)
    except NotADirectoryError:
        return None  # content is a file: there is no such folder
    except FileNotFoundError:
        if not os.path.islink(path):
            return None
        return finding("DL001", rel, Pos(1, 1), "folder symlink points to nothing; refused")
    except OSError as exc:
        return _os_problem(rel, exc, "folder")
    if not stat.S_ISDIR(st.st_mode):
        return None
    return _leaves(real_root, rel, "folder")


def through_link(real_root: Path, rel: str) -> Path | None:
    """Where ``rel`` (under ``real_root``, a resolved folder; ``../`` allowed) really is, when a symlink
    is on its way (the file itself or a folder above it); None when there is none.

    A loop is left as it is (None): opening the file says what it is.
    """
    lexical = os.path.normpath(real_root / rel)
    target = os.path.realpath(lexical)
    return None if target == lexical else Path(target)


def _leaves(real_root: Path, rel: str, what: str = "file") -> Diagnostic | None:
    """DL001 when ``rel`` is reached through a symlink: the file itself, or a folder on its way.

    A document is judged by its own content, never through a link: a link
    inside the log would let a change edit one file and have another judged
    (or shown), and git keeps a link as a link. Where the link leaves the log,
    the finding says where it leads and nothing of what is there is read.
    """
    target = through_link(real_root, rel)
    if target is None:
        return None
    folder = "folder " if what == "folder" else ""
    if target == real_root or target.is_relative_to(real_root):
        return finding(
            "DL001",
            rel,
            Pos(1, 1),
            f"{folder}symlink to {target.relative_to(real_root).as_posix() or '.'}; refused",
            f"replace the link with the {what} itself: declog judges a file by its own content, "
            "never through a link",
        )
    return finding(
        "DL001",
        rel,
        Pos(1, 1),
        f"{folder}symlink points outside the log (to {target}); refused",
        f"replace the link with the {what} itself; nothing outside the log's root is read",
    )


def _os_problem(rel: str, exc: OSError, what: str = "file") -> Diagnostic:
    """DL001 for an error of the operating system, in words."""
    if exc.errno == errno.ELOOP:
        message = f"{what} is a symlink loop (it leads back to itself); refused"
        return finding("DL001", rel, Pos(1, 1), message, f"replace the link with the {what} itself")
    if exc.errno == errno.ENXIO:
        return finding("DL001", rel, Pos(1, 1), f"{what} is a socket, not a document; refused")
    if isinstance(exc, FileNotFoundError):
        return finding("DL001", rel, Pos(1, 1), "no such file")
    which = " the folder" if what == "folder" else ""
    return finding("DL001", rel, Pos(1, 1), f"cannot read{which}: {exc.strerror or type(exc).__name__}")


def _stamp(entry: os.DirEntry[str] | Path) -> tuple[int, ...]:
    """What changes when a file is written: size, modification and change times, inode."""
    try:
        st = entry.stat()
    except OSError:
        return ()
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)


#: How a file is opened: never waiting on a FIFO, never becoming a terminal's controlling process.
_OPEN_FLAGS = (
    os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)
)


def read_file(real_root: Path, rel: str, symlink: bool | None = None) -> RawFile:
    """Read one document; ``symlink`` saves system calls when the caller knows.

    ``symlink=False`` promises that neither the file nor a folder on its path
    is a symlink (``scan`` checked the folders); otherwise its real path is
    checked to stay inside ``real_root``. Only regular files are read: a FIFO,
    socket or device is refused without waiting on it.
    """
    if symlink is not False and (outside := _leaves(real_root, rel)) is not None:
        return RawFile(rel, None, outside)
    try:
        fd = os.open(os.path.join(real_root, rel), _OPEN_FLAGS)  # a Path per file costs more than the read
    except IsADirectoryError:
        return _refused(rel, "is a folder, not a document")
    except OSError as exc:
        return RawFile(rel, None, _os_problem(rel, exc))
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            return _refused(rel, "is a folder, not a document")
        if not stat.S_ISREG(st.st_mode):
            return _refused(rel, f"is {_file_kind(st.st_mode)}, not a regular file; refused")
        if st.st_size > vocab.MAX_FILE_BYTES:
            return _too_large(rel, st.st_size)
        data = _read_at_most(fd, st.st_size, vocab.MAX_FILE_BYTES)
    except OSError as exc:
        return RawFile(rel, None, _os_problem(rel, exc))
    finally:
        os.close(fd)
    if len(data) > vocab.MAX_FILE_BYTES:
        return _too_large(rel, len(data))  # it grew while being read
    return RawFile(rel, data)


def _read_at_most(fd: int, size: int, limit: int) -> bytes:
    """The file's bytes, or the first ``limit + 1`` of them; ``size`` is what fstat said."""
    chunks: list[bytes] = []
    total, want = 0, size + 1  # one read: a regular file gives fewer bytes than asked only at its end
    while total <= limit and (chunk := os.read(fd, asked := min(want, limit + 1 - total))):
        chunks.append(chunk)
        total += len(chunk)
        if len(chunk) < asked:
            break
        want = 1 << 16
    return b"".join(chunks)


def _refused(rel: str, message: str, hint: str = "") -> RawFile:
    return RawFile(rel, None, finding("DL001", rel, Pos(1, 1), message, hint))


def _too_large(rel: str, size: int) -> RawFile:
    return _refused(
        rel,
        f"file is {size / 1e6:.1f} MB, over the {_limit()} limit; refused",
        "decision records are short; move attachments elsewhere and link to them",
    )


def _file_kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "a special file"


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


@dataclass(frozen=True)
class Front:
    """A document's frontmatter as parsed, and the findings about it (its YAML, its fields).

    What parsing a file gives that depends on nothing but its bytes and
    declog.toml's ``[fields]``: the part of a load that is kept across processes
    (``Checker.snapshot``, declog.log.kept). The record is made from it again.
    """

    parsed: Parsed
    """The frontmatter: a mapping of fields, with the position of every key and value."""
    found: tuple[Diagnostic, ...]
    """What ``parse_yaml`` and ``check_fields`` found."""


def parse_document(raw: RawFile, fields: Fields | None = None) -> tuple[Document | None, list[Diagnostic]]:
    """One file to one record (or None), with every finding about it.

    ``fields`` are the log's own fields (``Config.fields``): a decision may hold them, and
    holds their typed values (``Decision.fields``).
    """
    return _parse(raw, fields)[0]


def front_of(raw: RawFile, fields: Fields | None) -> tuple[bytes, Front] | None:
    """The digest of ``raw``'s bytes and the ``Front`` a load parses from them (None when it makes no
    record): what another process can parse ahead of a load, which uses it for the same bytes
    (``LoadMemo.restored``)."""
    kind = kind_of(raw.path)
    text = decode(raw)[0]
    if raw.data is None or text is None or kind is None:
        return None
    split = split_frontmatter(text, raw.path)
    front = _front(raw.path, kind, split, fields) if not isinstance(split, Diagnostic) else None
    return (hashlib.blake2b(raw.data, digest_size=16).digest(), front) if isinstance(front, Front) else None


def _parse(
    raw: RawFile, fields: Fields | None, front: Front | None = None
) -> tuple[tuple[Document | None, list[Diagnostic]], Front | None]:
    """``parse_document``, and the ``Front`` the record was made from (None when there is no record).

    With ``front`` (what parsing the same bytes with the same ``fields`` gave), the
    YAML is not parsed again: the record is made from it.
    """
    kind = kind_of(raw.path)
    text, found = decode(raw)
    if text is None or kind is None:
        return (None, found), None
    split = split_frontmatter(text, raw.path)
    if isinstance(split, Diagnostic):
        return (None, [*found, split]), None
    if front is None:
        made = _front(raw.path, kind, split, fields)
        if not isinstance(made, Front):
            return (None, [*found, *made]), None
        front = made
    found += front.found
    if kind != "decision":
        return (_BUILDERS[kind](raw.path, front.parsed, split), found), front
    # The typed values go into the record as it is made: a dataclasses.replace of each record
    # cost more than reading the values (about 15 us a decision, 3% of check at 10,000).
    return (_decision(raw.path, front.parsed, split, fields or {}, found), found), front


def _front(path: str, kind: str, split: Frontmatter, fields: Fields | None) -> Front | list[Diagnostic]:
    """The frontmatter parsed and its fields checked; the findings alone when it makes no record."""
    parsed, problems = parse_yaml(split.yaml_text, path, split.yaml_line)
    if parsed is None:
        return problems
    if not isinstance(parsed.data, dict):
        return [*problems, _not_a_mapping(path, parsed.data, split)]
    declared = tuple(fields or ()) if kind == "decision" else ()
    problems += check_fields(parsed, kind, path, declared=declared)
    return Front(compact(parsed), tuple(problems))  # positions as numbers: every record keeps them


def _not_a_mapping(path: str, data: Any, front: Frontmatter) -> Diagnostic:
    shape = describe(data)
    if isinstance(data, str):
        shape = f"the text {shape}"
    elif isinstance(data, int | float) and not isinstance(data, bool):
        shape = f"the number {shape}"
    return finding(
        "DL004",
        path,
        Pos(front.yaml_line, 1),
        f"frontmatter is {shape}, not a mapping of fields",
        "write one `field: value` per line",
    )


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


def _date(value: Any) -> dt.date | None:
    if not isinstance(value, str):
        return None
    try:
        return parse_date(value)
    except ValueError:
        return None


def _common(path: str, parsed: Parsed, front: Frontmatter) -> dict[str, Any]:
    return {"path": path, "doc": parsed, "body": front.body, "body_line": front.body_line}


def _decision(
    path: str, parsed: Parsed, front: Frontmatter, fields: Fields, found: list[Diagnostic]
) -> Decision:
    """The decision, with the typed values of the log's own ``fields``; their problems go to ``found``."""
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
    status = status if status in vocab.STATUSES else vocab.DRAFT
    category = category if category in vocab.CATEGORIES else vocab.OPERATIONAL
    values: dict[str, Any] = {}
    if fields:
        values, wrong = decision_fields(fields, d, category, status)
        for p in wrong:
            where = parsed.pos(*p.at) if p.at else Pos(1, 1)
            found.append(finding(p.code, path, where, p.message, p.hint))
    return Decision(
        **_common(path, parsed, front),
        id=_s(d, "id"),
        slug=m.group("slug") if m else name.removesuffix(".md"),
        title=_s(d, "title"),
        status=status,
        mode=mode if mode in vocab.MODES else vocab.ASYNC,
        category=category,
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
        review_by=_date(d.get("review_by")),
        reviews=_strs(d, "reviews"),
        rationale=_s(d, "rationale"),
        reason=_s(d, "reason"),
        source=Source(_s(src, "kind"), _s(src, "ref")) if isinstance(src, dict) else None,
        fields=values,
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
        short=_s(d, "short"),
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


_BUILDERS: dict[str, Callable[[str, Parsed, Frontmatter], Document]] = {
    "partner": _partner,
    "meeting": _meeting,
}


ParseResult = tuple[Document | None, list[Diagnostic]]


@dataclass
class LoadMemo:
    """What the last load read and built, kept by a caller that loads the same log again and again.

    A file whose bytes did not change is not parsed again, and its record is
    the very object the last load returned (records are immutable), so what
    was computed from it can be kept too (declog.check.shape).
    """

    stats: dict[str, tuple[tuple[int, ...], RawFile]] = field(default_factory=dict)
    """Path -> (size, times, inode) and the file as last read."""
    parsed: dict[str, tuple[RawFile | None, bytes, ParseResult, Front | None]] = field(default_factory=dict)
    """Path -> the file (None unless ``keep_bytes``), the digest of its bytes, what parsing it gave,
    and the ``Front`` of its record."""
    keep_bytes: bool = True
    """Whether the files' bytes are kept for the next load (``stats``), which then reads only the files
    whose size, times or inode changed. False for a caller that loads once (``declog build``): each
    file's bytes go once it is parsed, which spares a large log's build tens of megabytes that its
    worker processes would share; a later load reads every file again (and still parses only those
    whose digest changed)."""
    problems: dict[str, list[Diagnostic]] = field(default_factory=dict)
    """Path -> the findings parsing it gave, for the files that have some."""
    records: dict[str, tuple[Document, Any, Decision]] = field(default_factory=dict)
    """Path -> a parsed decision, the defaults filled in, the decision with them."""
    fields: Fields | None = None
    """The declared fields the records were parsed with: when they change, every file is parsed again."""
    restored: dict[str, tuple[bytes, Front]] = field(default_factory=dict)
    """Path -> the digest of a file's bytes and its ``Front``, as an earlier process parsed them
    (``Checker.restore``): used by the next load for the files whose bytes have that digest, then
    dropped. Only for the same ``fields``: whoever fills it sees to that."""


def build_log(
    root: str,
    config: Config,
    files: Iterable[RawFile],
    added: Mapping[str, dt.datetime] | None = None,
    memo: LoadMemo | None = None,
) -> tuple[Log, list[Diagnostic]]:
    """Parse every file and assemble the log; ``added`` gives git's first-commit times.

    With ``memo``, a file whose bytes are unchanged since the last load reuses
    its record; the memo is left holding only the files of this load.
    """
    with paused_gc():
        return _build_log(root, config, files, added, memo)


def _parse_all(
    files: Iterable[RawFile], memo: LoadMemo | None, fields: Fields
) -> Iterator[tuple[str, ParseResult]]:
    if memo is None:
        for raw in files:
            yield raw.path, parse_document(raw, fields)
        return
    if memo.fields != fields:  # what a decision may hold changed: nothing parsed before still stands
        memo.parsed, memo.records, memo.fields = {}, {}, fields
    known, memo.parsed, memo.problems = memo.parsed, {}, {}
    for raw in files:
        yield raw.path, _parse_kept(raw, memo, known.get(raw.path))
    memo.restored = {}  # what this load did not use is of no use later


def _parse_kept(
    raw: RawFile, memo: LoadMemo, known: tuple[RawFile | None, bytes, ParseResult, Front | None] | None
) -> ParseResult:
    """``raw`` parsed, or what parsing the same bytes gave last time; kept in ``memo``."""
    if known is not None and known[0] is raw:
        result = known[2]
    else:
        digest = hashlib.blake2b(raw.data, digest_size=16).digest() if raw.data is not None else b""
        if known is not None and digest and known[1] == digest:
            result, front = known[2], known[3]
        else:
            restored = memo.restored.pop(raw.path, None)
            kept = restored[1] if restored is not None and digest and restored[0] == digest else None
            result, front = _parse(raw, memo.fields, kept)
        known = (raw if memo.keep_bytes else None, digest, result, front)
    memo.parsed[raw.path] = known
    if result[1]:
        memo.problems[raw.path] = result[1]
    else:
        memo.problems.pop(raw.path, None)
    return result


def patch_log(
    log: Log, memo: LoadMemo, root: Path, changed: Iterable[str], added: Mapping[str, dt.datetime] | None
) -> tuple[Log, list[Diagnostic], dict[str, Decision | None]] | None:
    """``log`` with the decision files named in ``changed`` read again: edited, added or deleted.

    ``memo`` must hold what built ``log``. Returns the new log, every file's
    findings (as ``build_log``'s) and, by path, what replaced each changed
    document (None: it is gone). None when more than decision files changed
    (a partner, a meeting, a file that is not a document): the caller then
    loads the whole log.
    """
    real_root = root.resolve()
    all_partners = tuple(sorted(log.partners))
    replaced: dict[str, Decision | None] = {}
    for rel in changed:
        name = rel.rsplit("/", 1)[-1]
        if not rel.startswith(f"{CONTENT}/") or name in IGNORED_NAMES or name.startswith("."):
            continue  # not documents (templates, say): scan skips them too
        path = real_root / rel
        if kind_of(rel) != "decision" or path.is_dir():
            return None
        if not path.exists() and not path.is_symlink():
            memo.stats.pop(rel, None)
            memo.parsed.pop(rel, None)
            memo.problems.pop(rel, None)
            memo.records.pop(rel, None)
            replaced[rel] = None
            continue
        raw = read_file(real_root, rel)
        if memo.keep_bytes:
            memo.stats[rel] = (_stamp(path), raw)
        record = _parse_kept(raw, memo, memo.parsed.get(rel))[0]
        if isinstance(record, Decision):
            replaced[rel] = _finish(record, added, all_partners, memo.records)
        else:
            memo.records.pop(rel, None)
            replaced[rel] = None
    before = log.by_path
    by_path = dict(before)
    for rel, new in replaced.items():
        if new is None:
            by_path.pop(rel, None)
        else:
            by_path[rel] = new
    swaps = [(old, new) for rel, new in replaced.items() if isinstance(old := before.get(rel), Decision)]
    same_order = len(swaps) == len(replaced) and all(
        new is not None and old.id == new.id for old, new in swaps
    )
    if same_order:
        ordered = list(log.decisions)
        for old, new in swaps:
            assert new is not None
            ordered[ordered.index(old)] = new
    else:
        ordered = sorted(
            (d for d in by_path.values() if isinstance(d, Decision)), key=lambda d: (d.id, d.path)
        )
    unparsed = (log.unparsed - replaced.keys()) | {
        rel for rel, new in replaced.items() if new is None and rel in memo.parsed
    }
    patched = Log(
        log.root, log.config, tuple(ordered), log.partners, log.meetings, log.duplicates, frozenset(unparsed)
    )
    patched.__dict__["by_path"] = by_path  # the indexes of the log it patches, patched (cached properties)
    if "member_of" in log.__dict__:
        patched.__dict__["member_of"] = log.member_of
    if same_order and "by_id" in log.__dict__:
        by_id = dict(log.by_id)
        for rel, new in replaced.items():
            if new is not None and by_id.get(new.id) is before[rel]:
                by_id[new.id] = new
        patched.__dict__["by_id"] = by_id
    found = [f for problems in memo.problems.values() for f in problems]
    return patched, found, replaced


def _finish(
    record: Decision,
    added: Mapping[str, dt.datetime] | None,
    all_partners: tuple[str, ...],
    known: dict[str, tuple[Document, Any, Decision]],
) -> Decision:
    """A parsed decision with the loader's defaults (the same record as last time, when it can be)."""
    logged = added.get(record.path) if added and record.logged is None else None
    party = all_partners if "partners" not in record.data else None
    defaults = (logged, party)
    last = known.get(record.path)
    if last is not None and last[0] is record and last[1] == defaults:
        return last[2]
    decision = _with_defaults(record, logged, party)
    known[record.path] = (record, defaults, decision)
    return decision


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while documents are loaded and checked (or read back as
    JSON from the build cache).

    Documents, like JSON values, are trees with no reference cycles for the
    collector to find, and its passes over hundreds of thousands of live values
    cost a third of a large load. Reference counting still frees everything as usual.

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
    memo: LoadMemo | None,
) -> tuple[Log, list[Diagnostic]]:
    parsed: list[Decision] = []
    partners: dict[str, Partner] = {}
    meetings: dict[str, Meeting] = {}
    duplicates: list[Document] = []
    found: list[Diagnostic] = []
    unparsed: set[str] = set()
    for path, (record, problems) in _parse_all(files, memo, config.fields):
        found += problems
        if record is None and kind_of(path) is not None:
            unparsed.add(path)
        elif isinstance(record, Decision):
            parsed.append(record)
        elif isinstance(record, Partner | Meeting):
            index: dict[str, Any] = partners if isinstance(record, Partner) else meetings
            if record.id in index:
                duplicates.append(record)
            else:
                index[record.id] = record
    all_partners = tuple(sorted(partners))
    known: dict[str, tuple[Document, Any, Decision]] = memo.records if memo is not None else {}
    kept: dict[str, tuple[Document, Any, Decision]] = {}
    decisions = []
    for record in parsed:
        decision = _finish(record, added, all_partners, known)
        kept[record.path] = known[record.path]
        decisions.append(decision)
    if memo is not None:
        memo.records = kept
    decisions.sort(key=lambda d: (d.id, d.path))
    return Log(
        root=root,
        config=config,
        decisions=tuple(decisions),
        partners=partners,
        meetings=meetings,
        duplicates=tuple(duplicates),
        unparsed=frozenset(unparsed),
    ), found


def _with_defaults(d: Decision, logged: dt.datetime | None, partners: tuple[str, ...] | None) -> Decision:
    changes: dict[str, Any] = {}
    if logged is not None:
        changes["logged"] = logged
    if partners is not None:
        changes["partners"] = partners
    return dataclasses.replace(d, **changes) if changes else d


def iter_paths(root: Path, named: Iterable[str]) -> Iterator[str]:
    """Relative POSIX paths for paths named on the command line.

    Symlinks in a named path inside the log are not followed to find the
    file: the path is taken as written (``..`` collapsed), so a link that
    leads out of the log is named as itself and refused when read; when a
    folder on the path is such a link, that folder is the path yielded. A path
    outside the log is yielded as it is.
    """
    real_root = root.resolve()
    for name in named:
        p = Path(os.path.abspath(Path.cwd() / name))
        rel = _relative(p, real_root)
        if rel is None:
            yield str(p)
        else:
            yield _first_link_out(real_root, rel)


def _relative(path: Path, real_root: Path) -> str | None:
    """``path`` relative to the log's root, or None; symlinks followed only up to the root.

    A path through a link to the log (``/srv/log`` to ``/data/log``) is inside
    it; what follows the root is kept as written.
    """
    if path == real_root or path.is_relative_to(real_root):
        return path.relative_to(real_root).as_posix()
    parts = path.parts
    for i in range(1, len(parts) + 1):
        try:
            head = Path(*parts[:i]).resolve()
        except (OSError, RuntimeError):
            return None  # a symlink loop
        if head == real_root:
            return Path(*parts[i:]).as_posix() if i < len(parts) else "."
        if head.is_relative_to(real_root):
            return head.relative_to(real_root).joinpath(*parts[i:]).as_posix()
    return None


def _first_link_out(real_root: Path, rel: str) -> str:
    """``rel``, or its shortest leading part that is a symlink leaving the log."""
    if rel == ".":
        return rel
    parts = rel.split("/")
    for i in range(1, len(parts) + 1):
        head = "/".join(parts[:i])
        if os.path.islink(real_root / head) and _leaves(real_root, head) is not None:
            return head
    return rel
