"""The words of the domain: statuses, modes, categories, how approvals are given.

Everything here is a constant; the rest of the package imports these instead of
spelling the strings again.
"""

from __future__ import annotations

import re
from typing import Final

DRAFT: Final = "draft"
PROPOSED: Final = "proposed"
ACCEPTED: Final = "accepted"
REJECTED: Final = "rejected"
WITHDRAWN: Final = "withdrawn"
SUPERSEDED: Final = "superseded"

#: Every status, in the order the status board shows them.
STATUSES: Final = (PROPOSED, DRAFT, ACCEPTED, REJECTED, WITHDRAWN, SUPERSEDED)
#: Statuses in which the decision has been made (a decided time is due).
DECIDED_STATUSES: Final = frozenset({ACCEPTED, REJECTED, SUPERSEDED})
#: Statuses whose substance is frozen: they change only by being superseded.
FROZEN_STATUSES: Final = frozenset({ACCEPTED, SUPERSEDED})
#: Statuses still waiting for partners.
OPEN_STATUSES: Final = frozenset({DRAFT, PROPOSED})

#: The lifecycle (docs/workflow.md); `[workflow.transitions]` in declog.toml replaces it.
DEFAULT_TRANSITIONS: Final[dict[str, tuple[str, ...]]] = {
    DRAFT: (PROPOSED, WITHDRAWN),
    PROPOSED: (ACCEPTED, REJECTED, WITHDRAWN, DRAFT),
    ACCEPTED: (SUPERSEDED,),
    REJECTED: (),
    WITHDRAWN: (),
    SUPERSEDED: (),
}

SYNC: Final = "sync"
ASYNC: Final = "async"
MODES: Final = (SYNC, ASYNC)

STRATEGIC: Final = "strategic"
OPERATIONAL: Final = "operational"
CATEGORIES: Final = (STRATEGIC, OPERATIONAL)

VIA_PR_REVIEW: Final = "pr-review"
VIA_MEETING: Final = "meeting"
VIA_EXPLICIT: Final = "explicit"
VIA_SILENCE: Final = "silence"
#: How a partner's approval was given.
APPROVAL_VIAS: Final = (VIA_PR_REVIEW, VIA_MEETING, VIA_EXPLICIT, VIA_SILENCE)

#: Channels an exception (a decision taken outside the log) can come from.
SOURCE_KINDS: Final = ("chat", "email", "call", "other")

#: Formats ``declog import`` reads; an imported decision names its format in ``imported_from``.
IMPORT_FORMATS: Final = ("csv", "adr-tools", "madr", "log4brains")

#: Forges whose addresses declog knows for links into the log's repository (``[site] forge``).
#: Forgejo (Codeberg) is a fork of Gitea and uses the same addresses.
FORGES: Final = ("github", "gitlab", "gitea", "forgejo")
#: Hosts whose forge ``[site] repository`` needs no ``forge`` setting for.
FORGE_HOSTS: Final = {"github.com": "github", "gitlab.com": "gitlab", "codeberg.org": "forgejo"}

APPROVE_ALL: Final = "all"
APPROVE_QUORUM: Final = "quorum"
APPROVAL_RULES: Final = (APPROVE_ALL, APPROVE_QUORUM)

#: A decision id: four or more digits, kept as text so leading zeros survive.
DECISION_ID_RE: Final = re.compile(r"^[0-9]{4,}$")
#: A decision file name: the id, a dash, a lower-case slug.
DECISION_FILE_RE: Final = re.compile(r"^(?P<id>[0-9]{4,})-(?P<slug>[a-z0-9]+(?:-[a-z0-9]+)*)\.md$")
#: Partner ids and meeting ids: lower-case words joined by dashes.
SLUG_RE: Final = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
#: A git-host handle (GitHub's rules: letters, digits, single dashes, no edge dash).
HANDLE_RE: Final = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$")

#: Folders under content/ and the kind of document each holds.
KIND_DIRS: Final = {"decisions": "decision", "partners": "partner", "meetings": "meeting"}

#: Files larger than this are refused before they are read (documented in docs/format.md).
MAX_FILE_BYTES: Final = 1_000_000


def slugify(text: str) -> str:
    """A file-name slug: lower-case words joined by dashes, at most 60 characters."""
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60].rstrip("-")
    return slug or "decision"
