"""Pull request reviews as GitHub gives them: from a file, or from the REST API.

Three file shapes are read (tests/fixtures/github/ has one of each):

* the REST list ``GET /repos/{owner}/{repo}/pulls/{number}/reviews``;
* ``gh pr view N --json number,author,reviews,...``;
* the Actions ``pull_request_review`` event payload (``$GITHUB_EVENT_PATH``),
  which holds one review only and spells its state in lower case.

Extra fields are ignored. The REST API client is ``declog.pr.github``; it reads
its answers with ``loads_json`` and follows pages with ``next_link``.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: Review states, as the REST API spells them.
APPROVED = "APPROVED"
CHANGES_REQUESTED = "CHANGES_REQUESTED"
COMMENTED = "COMMENTED"
DISMISSED = "DISMISSED"
PENDING = "PENDING"
STATES = (APPROVED, CHANGES_REQUESTED, COMMENTED, DISMISSED, PENDING)


class ReviewsError(Exception):
    """Reviews could not be read: a bad file, or an API error with a hint."""


@dataclass(frozen=True)
class Review:
    user: str
    """The reviewer's handle (login)."""
    state: str
    """One of ``STATES`` (upper case, whatever the source spelled)."""
    submitted_at: dt.datetime | None = None
    commit: str = ""
    """The commit the review was given on (``commit_id``)."""
    submitted_text: str = ""
    """``submitted_at`` as GitHub wrote it, for recording it unchanged."""
    url: str = ""


@dataclass(frozen=True)
class PullRequest:
    number: int | None = None
    author: str = ""
    head_sha: str = ""
    reviews: tuple[Review, ...] = ()
    files: tuple[str, ...] = ()
    """Paths the pull request changes, when the source lists them (``gh pr view``)."""
    repository: str = ""
    """owner/name, when the source says (the event payload)."""
    complete: bool = True
    """False for an event payload: it carries only the review just submitted."""
    opened: dt.datetime | None = None
    """When the pull request was opened (``created_at``), when the source says: GitHub sets it,
    so silence is never counted from before it."""
    extra: Mapping[str, Any] = field(default_factory=dict)


def as_object(value: Any) -> dict[str, Any]:
    """``value`` when it is a JSON object, else an empty one: GitHub's answers are read defensively."""
    return value if isinstance(value, dict) else {}


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _login(obj: Any) -> str:
    if isinstance(obj, dict) and isinstance(obj.get("login"), str):
        return str(obj["login"])
    return ""


def _when(text: Any) -> dt.datetime | None:
    if not isinstance(text, str) or not text:
        return None
    try:
        value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _review(item: Any, where: str) -> Review:
    if not isinstance(item, dict):
        raise ReviewsError(f"{where}: a review is {type(item).__name__}, not an object")
    state = item.get("state")
    if not isinstance(state, str) or state.upper() not in STATES:
        raise ReviewsError(f"{where}: unknown review state {state!r} (expected one of {', '.join(STATES)})")
    user = _login(item.get("user")) or _login(item.get("author"))
    commit = item.get("commit_id")
    if commit is None and isinstance(item.get("commit"), dict):
        commit = item["commit"].get("oid")
    submitted = item.get("submitted_at", item.get("submittedAt"))
    return Review(
        user=user,
        state=state.upper(),
        submitted_at=_when(submitted),
        commit=commit if isinstance(commit, str) else "",
        submitted_text=submitted if isinstance(submitted, str) else "",
        url=_text(item.get("html_url")),
    )


def parse_reviews(data: Any, source: str = "reviews") -> PullRequest:
    """Any of the three shapes to a ``PullRequest``; ``ReviewsError`` when it is none of them."""
    if isinstance(data, list):
        return PullRequest(reviews=tuple(_review(r, f"{source}[{i}]") for i, r in enumerate(data)))
    if not isinstance(data, dict):
        raise ReviewsError(f"{source}: expected a list of reviews or an object, got {type(data).__name__}")
    if isinstance(data.get("review"), dict) and isinstance(data.get("pull_request"), dict):
        pr = data["pull_request"]
        return PullRequest(
            number=pr.get("number") if isinstance(pr.get("number"), int) else None,
            author=_login(pr.get("user")),
            head_sha=_text(as_object(pr.get("head")).get("sha")),
            reviews=(_review(data["review"], f"{source}: review"),),
            repository=_text(as_object(data.get("repository")).get("full_name")),
            complete=False,
            opened=_when(pr.get("created_at")),
        )
    if isinstance(data.get("reviews"), list):
        files: list[Any] = data["files"] if isinstance(data.get("files"), list) else []
        commits: list[Any] = data["commits"] if isinstance(data.get("commits"), list) else []
        last = as_object(commits[-1]) if commits else {}
        return PullRequest(
            number=data.get("number") if isinstance(data.get("number"), int) else None,
            author=_login(data.get("author")),
            head_sha=_text(data.get("headRefOid")) or _text(last.get("oid")),
            reviews=tuple(_review(r, f"{source}: reviews[{i}]") for i, r in enumerate(data["reviews"])),
            files=tuple(f["path"] for f in files if isinstance(f, dict) and isinstance(f.get("path"), str)),
            opened=_when(data.get("createdAt")),
        )
    raise ReviewsError(
        f"{source}: not a review list, `gh pr view --json reviews` output or a pull_request_review event"
    )


def read_reviews_file(path: Path) -> PullRequest:
    return parse_reviews(read_json_file(path), str(path))


#: The largest reviews file, event payload or API answer read. GitHub's are a few kilobytes;
#: a pull request with a thousand reviews is about 2 MB.
MAX_JSON_BYTES = 10_000_000
_LIMIT = f"{MAX_JSON_BYTES / 1e6:g} MB"


def read_json_file(path: Path) -> Any:
    """The JSON value in ``path``; ``ReviewsError`` for a file declog will not read.

    At most ``MAX_JSON_BYTES``, UTF-8 (a byte-order mark is allowed); a pipe
    (``--reviews <(gh ...)``) is read like a file.
    """
    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_JSON_BYTES + 1)
    except OSError as exc:
        raise ReviewsError(f"cannot read {path}: {exc.strerror or exc}") from None
    return loads_json(data, str(path))


def loads_json(data: bytes, source: str) -> Any:
    """JSON from bytes as GitHub writes it (UTF-8); every way it can fail is a ``ReviewsError``."""
    if len(data) > MAX_JSON_BYTES:
        raise ReviewsError(f"{source}: over the {_LIMIT} limit for reviews; is it the right file?")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data[:4]:
        raise ReviewsError(f"{source}: the file is UTF-16 or UTF-32, not UTF-8; save it as UTF-8")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ReviewsError(
            f"{source}: not UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start}); save it as UTF-8"
        ) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ReviewsError(f"{source}:{exc.lineno}:{exc.colno}: not JSON ({exc.msg})") from None
    except RecursionError:
        raise ReviewsError(
            f"{source}: JSON nested too deeply to read; reviews are a few levels deep"
        ) from None
    except ValueError:  # an integer of thousands of digits: Python's int_max_str_digits
        raise ReviewsError(f"{source}: holds a number too long to read (over 4300 digits)") from None


#: States that replace a reviewer's earlier verdict; a later comment does not lift an approval
#: or a request for changes (GitHub's own rule for the review decision).
_VERDICTS = frozenset({APPROVED, CHANGES_REQUESTED, DISMISSED})


def latest_by_reviewer(reviews: Iterable[Review]) -> dict[str, Review]:
    """Reviewer -> the review that stands: their latest verdict, else their latest comment.

    Pending (unsubmitted) reviews are ignored. Reviews are taken in order of
    submission (the order GitHub lists them when times are equal or missing).
    """
    ordered = sorted(
        enumerate(r for r in reviews if r.state != PENDING and r.user),
        key=lambda ir: (ir[1].submitted_at or dt.datetime.min.replace(tzinfo=dt.UTC), ir[0]),
    )
    out: dict[str, Review] = {}
    for _, r in ordered:
        current = out.get(r.user)
        if current is None or r.state in _VERDICTS or current.state not in _VERDICTS:
            out[r.user] = r
    return out


# --- the REST API ---------------------------------------------------------------------------

_LINK = re.compile(r'<([^>]+)>\s*;\s*rel="?([^";]+)"?')


def next_link(header: str | None) -> str | None:
    """The ``rel="next"`` URL of a ``Link`` header, if any."""
    for url, rel in _LINK.findall(header or ""):
        if "next" in rel.split():
            return str(url)
    return None
