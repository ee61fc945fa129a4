"""Governance changes: what a pull request changes of the rules that judge pull requests.

The base branch judges a change (the workflow rules, who is a member of which
partner, the theme, the CI that runs the checks). A change to any of those is
a governance change: it takes effect only once merged, and merging it needs
the approval of every partner, each with its base-branch members; a partner's
membership changes only with that partner's own approval. Pure: the changed
paths and the two logs go in, the list of governance changes comes out.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from declog.log.config import CONFIG_FILE, Config
from declog.log.load import CONTENT
from declog.log.model import Log, Partner

#: Files at the repository's top that decide what runs on a pull request and who must review it.
REPOSITORY_FILES = ("CODEOWNERS", ".github/CODEOWNERS", "docs/CODEOWNERS")
REPOSITORY_FOLDERS = (".github/", ".gitea/", ".forgejo/")
THEME = "templates/"
PARTNERS = f"{CONTENT}/partners/"


@dataclass(frozen=True)
class Change:
    """One governance change."""

    path: str
    """The changed file, relative to the log's root (``../`` for files above it)."""
    what: str
    """What it changes, in words (``"the members of kessler"``)."""
    partner: str = ""
    """For a membership change: the partner whose own approval it needs."""


def handles(p: Partner) -> frozenset[str]:
    """A partner's members as GitHub compares logins: case-insensitively."""
    return frozenset(m.handle.casefold() for m in p.members)


def changes(
    changed: Iterable[str],
    prefix: str,
    base: Log | None,
    now: Log,
    *,
    settings: tuple[Config | None, Config] | None = None,
) -> list[Change]:
    """The governance changes among ``changed`` (paths relative to the repository's top).

    ``prefix`` is the log root's folder inside the repository ("" at the top,
    "log/" below it); ``base`` is the log at the fork point (None when the
    base has no usable log: then every change of settings or partners counts).
    ``settings`` is declog.toml at the base (None when it has none) and in the
    change, to say which of its tables changed.
    """
    out: list[Change] = []
    depth = prefix.count("/")
    for top in sorted(set(changed)):
        rel = top[len(prefix) :] if top.startswith(prefix) else "../" * depth + top
        if top in REPOSITORY_FILES or top.startswith(REPOSITORY_FOLDERS):
            what = "code owners" if top.endswith("CODEOWNERS") else "the repository's CI and settings"
            out.append(Change(rel, what))
        elif not top.startswith(prefix):
            continue
        elif rel == CONFIG_FILE:
            out.append(Change(rel, _config_change(settings)))
        elif rel.startswith(THEME):
            out.append(Change(rel, "the site's theme"))
        elif rel.startswith(PARTNERS) and rel.endswith(".md"):
            out += _partner_change(rel, base, now)
    return out


def _config_change(settings: tuple[Config | None, Config] | None) -> str:
    old, new = settings or (None, None)
    if old is None or new is None:
        return "the log's settings"
    parts = [
        name
        for name, a, b in (
            ("[workflow]", old.workflow, new.workflow),
            ("[rules]", old.rules, new.rules),
            ("[site]", old.site, new.site),
        )
        if a != b
    ]
    return f"the log's settings ({', '.join(parts) or 'comments'})"


def _by_path(log: Log | None) -> dict[str, Partner]:
    if log is None:
        return {}
    out = {p.path: p for p in log.partners.values()}
    out.update((d.path, d) for d in log.duplicates if isinstance(d, Partner))
    return out


def _partner_change(rel: str, base: Log | None, now: Log) -> list[Change]:
    old, new = _by_path(base).get(rel), _by_path(now).get(rel)
    if old is None and new is None:
        return [Change(rel, "a partner file")]
    if old is None:
        assert new is not None
        return [Change(rel, f"a new partner '{new.id}'")]
    if new is None:
        return [Change(rel, f"partner '{old.id}' removed", old.id)]
    if old.id != new.id:
        return [Change(rel, f"partner '{old.id}' renamed to '{new.id}'", old.id)]
    if handles(old) != handles(new):
        return [Change(rel, f"the members of {old.id}", old.id)]
    return []
