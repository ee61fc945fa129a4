"""Read the log's git history: files at a base revision, and when each file was added.

Each function runs a fixed, small number of git processes however large the
log is (``ls-tree`` + one ``cat-file --batch``; one ``log``), never one per file.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from collections.abc import Iterable
from pathlib import Path

from declog.log.codes import finding
from declog.log.diagnostics import Pos
from declog.log.load import CONTENT, RawFile

#: git, never using a bare repository it only discovered: a log's folder could hold one as committed
#: files (HEAD, objects/, refs/, a config naming programs to run). Ignored before git 2.38.
GIT = ("git", "-c", "safe.bareRepository=explicit")


class GitError(Exception):
    """git is missing, the folder is not a repository, or a revision is unknown."""


def run(root: Path, *args: str, stdin: bytes | None = None) -> bytes:
    """``git -C root ARGS``'s output; GitError with git's last line of complaint when it fails."""
    if shutil.which("git") is None:
        raise GitError("git is not installed")
    proc = subprocess.run([*GIT, "-C", str(root), *args], input=stdin, capture_output=True, check=False)
    if proc.returncode != 0:
        message = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitError(message[-1] if message else f"git {args[0]} failed")
    return proc.stdout


def head(root: Path) -> str | None:
    """HEAD's commit sha; "" in a repository with no commit yet; None outside one (or without git).

    One process, so a caller that asks on every rebuild can key what it read from git by it.
    """
    if shutil.which("git") is None:
        return None
    cmd = [*GIT, "-C", str(root), "rev-parse", "--is-inside-work-tree", "--verify", "-q", "HEAD"]
    proc = subprocess.run(cmd, capture_output=True, check=False)
    lines = proc.stdout.decode("ascii", "replace").split()
    if not lines or lines[0] != "true":
        return None
    return lines[1] if proc.returncode == 0 and len(lines) > 1 else ""


def is_repo(root: Path) -> bool:
    try:
        return run(root, "rev-parse", "--is-inside-work-tree").strip() == b"true"
    except GitError:
        return False


#: git's mode for a symbolic link.
_SYMLINK = "120000"
_LINK_AT_REF = "is a symlink at {}; symlinks are not followed"


def files_at(root: Path, ref: str) -> list[RawFile]:
    """Every file under content/ as it was at ``ref``; a symlink is a file that could not be read."""
    try:
        run(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    except GitError:
        raise GitError(f"unknown revision '{ref}'") from None
    listing = run(root, "ls-tree", "-r", "-z", ref, "--", CONTENT)
    entries: list[tuple[str, str]] = []
    files: list[RawFile] = []
    for item in listing.split(b"\0"):
        if not item:
            continue
        meta, _, raw_name = item.partition(b"\t")
        mode, kind, oid = meta.decode().split()
        name = raw_name.decode("utf-8", "surrogateescape")
        if mode == _SYMLINK:
            # The blob is the link's target, never followed: not a document either.
            files.append(RawFile(name, None, finding("DL001", name, Pos(1, 1), _LINK_AT_REF.format(ref))))
        elif kind == "blob":
            entries.append((oid, name))
    if not entries:
        return files
    batch = "".join(f"{oid}\n" for oid, _ in entries).encode()
    out = run(root, "cat-file", "--batch", stdin=batch)
    pos = 0
    for _oid, name in entries:
        header_end = out.index(b"\n", pos)
        size = int(out[pos:header_end].split()[2])
        start = header_end + 1
        files.append(RawFile(name, out[start : start + size]))
        pos = start + size + 1
    return files


def fork_point(root: Path, ref: str) -> str | None:
    """The commit HEAD forked from ``ref`` at, when ``ref`` has moved on since; else None.

    Comparing a branch with the tip of a base branch that moved on would blame
    the branch for everything merged there meanwhile; its own change is what
    it did since the fork point.
    """
    try:
        base = run(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}").decode().strip()
        fork = run(root, "merge-base", base, "HEAD").decode().strip()
    except GitError:
        return None  # no HEAD yet, unrelated histories or a shallow clone: compare with ref itself
    return fork if fork and fork != base else None


def first_added(root: Path) -> dict[str, dt.datetime]:
    """Path -> author date of the commit that first added it, for content/decisions."""
    return _oldest_per_path(
        root,
        "log",
        "--relative",
        "--diff-filter=A",
        "--format=%x00%aI",
        "--name-only",
        "--no-renames",
        "--",
        f"{CONTENT}/decisions",
    )


def _oldest_per_path(root: Path, *log_args: str) -> dict[str, dt.datetime]:
    """Path -> the time of the oldest commit naming it in ``git log *log_args`` ({} when git fails).

    The format puts a NUL and the commit's times (the latest of them counts)
    before each commit's file names; git lists the newest commit first.
    """
    try:
        out = run(root, *log_args)
    except GitError:
        return {}
    seen: dict[str, dt.datetime] = {}
    when: dt.datetime | None = None
    for line in out.decode("utf-8", "surrogateescape").splitlines():
        if line.startswith("\0"):
            try:
                when = max(dt.datetime.fromisoformat(t) for t in line[1:].split())
            except ValueError:
                when = None
        elif line and when is not None:
            seen[line] = when  # newest first: the last one seen is the oldest
    return seen


def repo_prefix(root: Path) -> str:
    """The log root's folder inside its repository ('' at the top, 'log/' below it)."""
    try:
        return run(root, "rev-parse", "--show-prefix").decode().strip()
    except GitError:
        return ""


#: Where a change is compared with when no base is named, in order of preference.
DEFAULT_BASES = ("origin/HEAD", "origin/main", "main")


def default_base(root: Path) -> str | None:
    """The first of ``DEFAULT_BASES`` that exists in the repository, or None."""
    for ref in DEFAULT_BASES:
        try:
            run(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
        except GitError:
            continue
        return ref
    return None


def _fork_or_base(root: Path, base: str) -> str:
    """Where HEAD forked from ``base`` (``base`` itself without a common history); GitError if unknown."""
    try:
        run(root, "rev-parse", "--verify", "--quiet", f"{base}^{{commit}}")
    except GitError:
        raise GitError(f"unknown revision '{base}'") from None
    try:
        return run(root, "merge-base", base, "HEAD").decode().strip()
    except GitError:
        return base


def changed_files(root: Path, base: str, under: str = f"{CONTENT}/decisions") -> list[str]:
    """Files under ``under`` that differ between where HEAD forked from ``base`` and the work tree.

    Includes uncommitted and untracked files, so a proposal can be checked before
    it is committed. Paths are relative to ``root``.
    """
    since = _fork_or_base(root, base)
    plain = ("-c", "core.quotePath=false")
    diff = run(root, *plain, "diff", "--relative", "--name-only", since, "--", under)
    untracked = run(root, *plain, "ls-files", "--others", "--exclude-standard", "--", under)
    names = diff.decode("utf-8", "surrogateescape").splitlines()
    names += untracked.decode("utf-8", "surrogateescape").splitlines()
    return sorted(set(n for n in names if n))


def file_at(root: Path, ref: str, path: str) -> bytes | None:
    """The bytes of ``path`` (relative to ``root``) at ``ref``; None when either is unknown."""
    try:
        return run(root, "cat-file", "blob", f"{ref}:./{path}")
    except GitError:
        return None


def known_commits(root: Path, shas: Iterable[str]) -> set[str]:
    """Which of ``shas`` name commits this repository has (one ``git cat-file --batch-check``)."""
    asked = [s for s in dict.fromkeys(shas) if s and all(c in "0123456789abcdefABCDEF" for c in s)]
    if not asked or shutil.which("git") is None:
        return set()
    out = run(root, "cat-file", "--batch-check", stdin="".join(f"{s}^{{commit}}\n" for s in asked).encode())
    answers = out.decode("utf-8", "replace").splitlines()
    return {s for s, line in zip(asked, answers, strict=False) if not line.endswith("missing")}


def toplevel(root: Path) -> Path | None:
    """The work tree's top folder (where .github/ and CODEOWNERS live), or None outside a repository."""
    try:
        top = run(root, "rev-parse", "--show-toplevel").decode("utf-8", "surrogateescape").strip()
    except GitError:
        return None
    return Path(top) if top else None


def changed_anywhere(root: Path, base: str) -> list[str]:
    """Every file of the repository that differs between the fork point from ``base`` and the work tree.

    Paths are relative to the repository's top folder (not to ``root``), so
    changes to .github/ and CODEOWNERS above a log kept in a sub-folder are seen.
    Untracked files count: a change can be judged before it is committed.
    """
    since = _fork_or_base(root, base)
    plain = ("-c", "core.quotePath=false")
    diff = run(root, *plain, "diff", "--name-only", "-z", since, "--", ":/")
    untracked = run(root, *plain, "ls-files", "-z", "--full-name", "--others", "--exclude-standard", ":/")
    names = diff.split(b"\0") + untracked.split(b"\0")
    return sorted({n.decode("utf-8", "surrogateescape") for n in names if n})


def branch_touches(root: Path, base: str, under: str = f"{CONTENT}/decisions") -> dict[str, dt.datetime]:
    """Path (relative to ``root``) -> when the branch's oldest commit touching it was made.

    Only commits since HEAD forked from ``base`` are looked at: the moment a
    change first made the file visible on the branch. Of the author and the
    commit time the later is kept: whoever makes a commit can set either.
    """
    try:
        since = run(root, "merge-base", base, "HEAD").decode().strip()
    except GitError:
        return {}
    return _oldest_per_path(
        root,
        "-c",
        "core.quotePath=false",
        "log",
        "--relative",
        "--no-renames",
        "--format=%x00%aI %cI",
        "--name-only",
        f"{since}..HEAD",
        "--",
        under,
    )
