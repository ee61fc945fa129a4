"""The git history of every document, gathered by one ``git log`` over content/.

One process for the whole log however many files it has: the build shows each
decision's commits (who changed it, when, why) on its page.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from declog.log import git
from declog.log.load import CONTENT

_SEP = "\x1f"


@dataclass(frozen=True)
class Commit:
    sha: str
    author: str
    date: dt.datetime
    """Author date, with the author's offset."""
    subject: str

    @property
    def short(self) -> str:
        return self.sha[:10]


def file_history(root: Path) -> Mapping[str, tuple[Commit, ...]]:
    """Path (relative to ``root``) -> the commits that touched it, newest first.

    Empty when ``root`` is not in a git repository or git is missing. Renames
    are not followed: a decision keeps its file for life (DL403).
    """
    fmt = _SEP.join(("%x00%H", "%an", "%aI", "%s"))
    history: dict[str, list[Commit]] = {}
    try:
        for header, files in git.log_names(root, "--relative", f"--format={fmt}", "--", CONTENT):
            sha, author, date, subject = [*header.split(_SEP, 3), "", "", ""][:4]
            try:
                commit = Commit(sha, author, dt.datetime.fromisoformat(date), subject)
            except ValueError:
                continue
            for path in files:
                history.setdefault(path, []).append(commit)
    except git.GitError:
        return {}
    return {path: tuple(commits) for path, commits in history.items()}


def head_time(root: Path) -> dt.datetime | None:
    """Committer date of HEAD, or None outside a repository (or before the first commit)."""
    try:
        out = git.run(root, "log", "-1", "--format=%cI", "HEAD")
    except git.GitError:
        return None
    text = out.decode().strip()
    return dt.datetime.fromisoformat(text) if text else None
