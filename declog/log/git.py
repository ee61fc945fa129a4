"""Read the log's git history: files at a base revision, and when each file was added.

Each function runs a fixed, small number of git processes however large the
log is (``ls-tree`` + one ``cat-file --batch``; one ``log``), never one per file.

Every file name comes from a NUL-separated list (``-z``), so git never quotes
one: a name with a quote, a backslash, a tab or a newline is seen as it is, and
bytes that are not UTF-8 are kept as lone surrogates (as ``os.scandir`` keeps
them). Every call runs with ``SAFE``: nothing in the checkout or the user's
settings changes what declog reads or runs a program.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from urllib.parse import urlsplit

from declog.log.codes import finding
from declog.log.diagnostics import Pos
from declog.log.load import CONTENT, RawFile, not_utf8

#: A full (SHA-1) commit id as git and GitHub write it.
COMMIT_ID = re.compile(r"[0-9a-f]{40}")


class GitError(Exception):
    """git is missing, the folder is not a repository, or a revision is unknown."""


#: Before every git command. Never a bare repository git only discovered: a log's folder could
#: hold one as committed files (HEAD, objects/, refs/, a config naming programs to run; ignored
#: before git 2.38). The repository's and the user's settings stay (``safe.directory`` among
#: them), but none may change what declog parses or start a program: names unquoted, paths
#: never relative unless asked, no signature lines, no fsmonitor daemon or hook, no object
#: replaced by ``refs/replace``, and a read never rewrites the index.
SAFE = (
    *("-c", "safe.bareRepository=explicit"),
    "--no-optional-locks",
    "--no-replace-objects",
    *("-c", "core.quotePath=false"),
    *("-c", "core.fsmonitor="),
    *("-c", "diff.relative=false"),
    *("-c", "log.showSignature=false"),
)
#: For ``diff`` and ``log``: no external diff program, no textconv filter (both chosen by
#: attributes, which a change can set in .gitattributes), no colour, every rename a deletion
#: and an addition (both paths are listed).
DIFF = ("--no-ext-diff", "--no-textconv", "--no-color", "--no-renames")


def _command(root: Path, args: Iterable[str]) -> list[str]:
    return ["git", *SAFE, "-C", str(root), *args]


def run(root: Path, *args: str, stdin: bytes | None = None, env: Mapping[str, str] | None = None) -> bytes:
    """``git -C root ARGS``'s output; GitError with git's last line of complaint when it fails.

    ``env``: variables added to the environment of this one process (a credential for a fetch).
    """
    if shutil.which("git") is None:
        raise GitError("git is not installed")
    environ = {**os.environ, **env} if env else None
    proc = subprocess.run(_command(root, args), input=stdin, capture_output=True, check=False, env=environ)
    if proc.returncode != 0:
        message = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitError(message[-1] if message else f"git {args[0]} failed")
    return proc.stdout


def decoded(raw: bytes) -> str:
    """A file name git printed, as Python names files: bytes that are not UTF-8 kept as surrogates."""
    return raw.decode("utf-8", "surrogateescape")


def names(root: Path, *args: str) -> list[str]:
    """The file names ``git ARGS`` lists; ARGS must ask for a NUL-separated list (``-z``)."""
    return [decoded(n) for n in run(root, *args).split(b"\0") if n]


def log_names(root: Path, *args: str) -> Iterator[tuple[str, list[str]]]:
    """(header, file names) of each commit ``git log -z --name-only --format=%x00HEADER ARGS`` lists.

    With ``-z``, git writes each commit as a NUL, its header and a NUL, then, when
    it names files, a newline and each name followed by a NUL. A name holds any
    byte but NUL, so the empty field before a header is what starts a commit. A
    header holds no NUL either: git ends a commit's text at one.
    """
    fields = run(root, "log", "-z", "--name-only", *DIFF, *args).split(b"\0")
    i = 0
    while i + 1 < len(fields):
        if fields[i]:  # not a commit's start: never seen, but never misread as one either
            i += 1
            continue
        header, i = fields[i + 1].decode("utf-8", "replace"), i + 2
        files: list[str] = []
        while i < len(fields) and fields[i]:
            raw = fields[i]
            files.append(decoded(raw[1:] if not files and raw.startswith(b"\n") else raw))
            i += 1
        yield header, files


def head(root: Path) -> str | None:
    """HEAD's commit sha; "" in a repository with no commit yet; None outside one (or without git).

    One process, so a caller that asks on every rebuild can key what it read from git by it.
    """
    if shutil.which("git") is None:
        return None
    cmd = _command(root, ("rev-parse", "--is-inside-work-tree", "--verify", "-q", "HEAD"))
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
        path = decoded(raw_name)
        if (misnamed := not_utf8(path)) is not None:
            files.append(misnamed)
        elif mode == _SYMLINK:
            # The blob is the link's target, never followed: not a document either.
            files.append(RawFile(path, None, finding("DL001", path, Pos(1, 1), _LINK_AT_REF.format(ref))))
        elif kind == "blob":
            entries.append((oid, path))
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
        root, "--relative", "--diff-filter=A", "--format=%x00%aI", "--", f"{CONTENT}/decisions"
    )


def _oldest_per_path(root: Path, *log_args: str) -> dict[str, dt.datetime]:
    """Path -> the time of the oldest commit naming it in ``git log *log_args`` ({} when git fails).

    The format's header is the commit's times (the latest of them counts); git
    lists the newest commit first.
    """
    seen: dict[str, dt.datetime] = {}
    try:
        for header, files in log_names(root, *log_args):
            try:
                when = max(dt.datetime.fromisoformat(t) for t in header.split())
            except ValueError:
                continue
            for path in files:
                seen[path] = when  # newest first: the last one seen is the oldest
    except GitError:
        return {}
    return seen


def repo_prefix(root: Path) -> str:
    """The log root's folder inside its repository ('' at the top, 'log/' below it)."""
    try:
        return decoded(run(root, "rev-parse", "--show-prefix")).removesuffix("\n")
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


def _changes(root: Path, since: str, diff: tuple[str, ...], spec: str) -> set[str]:
    """Files matching ``spec`` that differ between ``since`` and HEAD's tree or the work tree.

    HEAD's tree is compared as trees are, so what a commit changed is seen whatever
    .gitattributes says (git consults attributes only to compare work-tree files).
    Without a HEAD (no commit yet) only the work tree is compared.
    """
    found = set(names(root, *diff, since, "--", spec))
    with contextlib.suppress(GitError):  # no HEAD yet
        found.update(names(root, *diff, since, "HEAD", "--", spec))
    return found


def changed_files(root: Path, base: str, under: str = f"{CONTENT}/decisions") -> list[str]:
    """Files under ``under`` that differ between where HEAD forked from ``base`` and HEAD or the work tree.

    Includes uncommitted and untracked files, so a proposal can be checked before
    it is committed. Paths are relative to ``root``.
    """
    since = _fork_or_base(root, base)
    diff = ("diff", *DIFF, "--relative", "--name-only", "-z")
    found = _changes(root, since, diff, under)
    found.update(names(root, "ls-files", "-z", "--others", "--exclude-standard", "--", under))
    return sorted(found)


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
        top = decoded(run(root, "rev-parse", "--show-toplevel")).removesuffix("\n")
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
    found = _changes(root, since, ("diff", *DIFF, "--name-only", "-z"), ":/")
    found.update(names(root, "ls-files", "-z", "--full-name", "--others", "--exclude-standard", ":/"))
    return sorted(found)


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
    return _oldest_per_path(root, "--relative", "--format=%x00%aI %cI", f"{since}..HEAD", "--", under)


# --- other commits of the repository, as data: ``declog remind`` ---------------------------------


def fetch(root: Path, *refspecs: str, token: str = "", remote: str = "origin") -> None:
    """Fetch ``refspecs`` from ``remote``; with ``token``, authenticated as GitHub Actions does.

    The token goes to git only through this process's environment (``GIT_CONFIG_*``: an
    ``http.extraheader`` for the remote's HTTPS host), never into a file or a command line.
    """
    env: dict[str, str] = {}
    if token:
        url = decoded(run(root, "remote", "get-url", remote)).strip()
        parts = urlsplit(url)
        if parts.scheme == "https" and parts.hostname:
            basic = base64.b64encode(f"x-access-token:{token}".encode()).decode()
            env = {
                "GIT_CONFIG_COUNT": "1",
                "GIT_CONFIG_KEY_0": f"http.https://{parts.netloc}/.extraheader",
                "GIT_CONFIG_VALUE_0": f"AUTHORIZATION: basic {basic}",
            }
    run(root, "fetch", "--quiet", "--no-tags", "--no-recurse-submodules", remote, *refspecs, env=env)


@contextlib.contextmanager
def checkout(root: Path, commit: str) -> Iterator[Path]:
    """A detached work tree of ``commit`` in a temporary folder, removed afterwards.

    The commit is data: no hook runs (``core.hooksPath`` is empty), no LFS or other filter
    program is started on its files, and no submodule is checked out.
    """
    quiet = (
        *("-c", "core.hooksPath=/dev/null"),
        *("-c", "filter.lfs.process=", "-c", "filter.lfs.smudge=", "-c", "filter.lfs.required=false"),
    )
    with tempfile.TemporaryDirectory(prefix="declog-pr-") as tmp:
        tree = Path(tmp) / "tree"
        run(root, *quiet, "worktree", "add", "--quiet", "--detach", str(tree), commit)
        try:
            yield tree
        finally:
            with contextlib.suppress(GitError):
                run(root, "worktree", "remove", "--force", str(tree))
            with contextlib.suppress(GitError):
                run(root, "worktree", "prune")
