"""GitHub's REST API, the calls declog makes and nothing more: the standard library only.

Every request carries the token to ``api_url``'s host and no other (a ``Link`` header that
points elsewhere is refused); pages are followed by ``Link: rel="next"``; answers are read
with the reviews' size limit and JSON parser. Rate limits and transient failures are
retried a bounded number of times, sleeping through ``sleep`` (tests pass a recorder), and
every way a call can fail is a ``GitHubError`` with one line that says what to do: which
permission the workflow lacks for that call, that a pull request from a fork gets a
read-only token, when to retry. The token never appears in a message.

With ``dry_run``, writes are not sent: ``dry_run(method, path, body)`` is called instead and
the method returns a placeholder (documented on each). Reads are still made.
"""

from __future__ import annotations

import base64
import datetime as dt
import email.utils
import http.client
import json
import os
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from declog.log.escape import terminal
from declog.pr.reviews import (
    MAX_JSON_BYTES,
    PullRequest,
    Review,
    ReviewsError,
    _login,
    _review,
    _text,
    _when,
    as_object,
    loads_json,
    next_link,
)

DEFAULT_API_URL = "https://api.github.com"

#: Commit status states GitHub accepts, and the longest description it keeps.
STATUS_STATES = ("error", "failure", "pending", "success")
STATUS_DESCRIPTION_MAX = 140

#: The permission (``permissions:`` in the workflow) each kind of call needs, as the 403 names it.
READ_PULLS = "`pull-requests: read`"
READ_COMMENTS = "`pull-requests: read` (or `issues: read`)"
WRITE_COMMENTS = (
    "`pull-requests: write` (comments on a pull request are issue comments: `issues: write` also works)"
)
WRITE_STATUSES = "`statuses: write`"
WRITE_LABELS = "`pull-requests: write` or `issues: write`"
WRITE_CONTENTS = "`contents: write`"

_WRITES = frozenset({"POST", "PATCH", "PUT", "DELETE"})
_TRANSIENT = frozenset({502, 503, 504})
_REPO = re.compile(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+")
_SHA = re.compile(r"[0-9a-fA-F]{4,64}")
#: GitHub's advice for a secondary rate limit without a Retry-After: wait at least a minute.
SECONDARY_WAIT = 60.0
#: The most of an error answer read for its message.
_ERROR_BYTES = 65536


class GitHubError(ReviewsError):
    """A clear, one-line message for the user (never a traceback); ``status`` is the HTTP status or None.

    A ``ReviewsError``, so whatever reports a reviews error reports this one too.
    """

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class _Retry(Exception):
    """A failure worth another try after ``wait`` seconds; ``message`` if none is left."""

    def __init__(self, wait: float, message: str, status: int | None, *, refused: bool = False) -> None:
        self.wait = wait
        self.message = message
        self.status = status
        self.refused = refused
        """GitHub refused the request (a rate limit): it surely did nothing, so any call may retry."""


class GitHub:
    """One repository's pull requests, comments, statuses, labels and Git data over the REST API."""

    def __init__(
        self,
        token: str,
        repo: str,
        *,
        api_url: str | None = None,
        timeout: float = 30.0,
        sleep: Callable[[float], None] = time.sleep,
        retries: int = 3,
        max_wait: float = 60.0,
        dry_run: Callable[[str, str, Any], None] | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        """``api_url`` defaults to ``GITHUB_API_URL``, else https://api.github.com; ``clock`` (seconds
        since the epoch) measures how long until ``X-RateLimit-Reset``."""
        if not _REPO.fullmatch(repo):
            raise GitHubError(f"not a repository name (owner/name): {terminal(repo)!r}")
        self.token = token
        self.repo = repo
        self.api_url = (api_url or os.environ.get("GITHUB_API_URL") or DEFAULT_API_URL).rstrip("/")
        self.timeout = timeout
        self.sleep = sleep
        self.retries = retries
        self.max_wait = max_wait
        self.dry_run = dry_run
        self.clock = clock
        parts = urllib.parse.urlsplit(self.api_url)
        self._origin = (parts.scheme, parts.netloc)
        self._base_path = parts.path

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, *, repo: str | None = None, **kw: Any) -> GitHub:
        """GITHUB_TOKEN, GITHUB_REPOSITORY (or ``repo``), GITHUB_API_URL (default https://api.github.com).

        Raises GitHubError naming exactly which variable is missing.
        """
        env = os.environ if env is None else env
        token = env.get("GITHUB_TOKEN", "")
        repo = repo or env.get("GITHUB_REPOSITORY", "")
        missing = [
            name for name, value in (("GITHUB_TOKEN", token), ("GITHUB_REPOSITORY", repo)) if not value
        ]
        if missing:
            raise GitHubError(
                f"{' and '.join(missing)} {'is' if len(missing) == 1 else 'are'} not set: "
                "GitHub Actions sets them (GITHUB_TOKEN from `secrets.GITHUB_TOKEN` in the step's `env:`)"
            )
        api_url = kw.pop("api_url", None) or env.get("GITHUB_API_URL") or DEFAULT_API_URL
        return cls(token, repo, api_url=api_url, **kw)

    # --- pull requests ------------------------------------------------------------------------

    def pull(self, number: int) -> dict[str, Any]:
        """The pull request as GitHub gives it (``GET /repos/{repo}/pulls/{n}``)."""
        data = self._call("GET", f"/repos/{self.repo}/pulls/{int(number)}", need=READ_PULLS)
        if not isinstance(data, dict):
            raise GitHubError(f"pull request {self.repo}#{number}: unexpected answer (not an object)")
        return data

    def pull_request(self, number: int) -> PullRequest:
        """The pull request's author, head commit, opening time, and every review (all pages)."""
        pr = self.pull(number)
        pages = self._pages(f"/repos/{self.repo}/pulls/{int(number)}/reviews?per_page=100", READ_PULLS)
        reviews: list[Review] = []
        try:
            for i, item in enumerate(pages):
                reviews.append(_review(item, f"reviews of {self.repo}#{number}[{i}]"))
        except ReviewsError as exc:
            raise GitHubError(str(exc)) from None
        return PullRequest(
            number=number,
            author=_login(pr.get("user")),
            head_sha=_text(as_object(pr.get("head")).get("sha")),
            reviews=tuple(reviews),
            repository=self.repo,
            opened=_when(pr.get("created_at")),
        )

    def open_pulls(self) -> list[dict[str, Any]]:
        """Every open pull request (all pages), as GitHub lists them."""
        return _objects(self._pages(f"/repos/{self.repo}/pulls?state=open&per_page=100", READ_PULLS))

    # --- comments, statuses, labels -----------------------------------------------------------

    def comments(self, number: int) -> list[dict[str, Any]]:
        """Every comment on the pull request's conversation (issue comments, all pages)."""
        path = f"/repos/{self.repo}/issues/{int(number)}/comments?per_page=100"
        return _objects(self._pages(path, READ_COMMENTS))

    def create_comment(self, number: int, body: str) -> dict[str, Any]:
        """The new comment (``{}`` in a dry run)."""
        path = f"/repos/{self.repo}/issues/{int(number)}/comments"
        return as_object(self._call("POST", path, {"body": body}, need=WRITE_COMMENTS, once=True))

    def edit_comment(self, comment_id: int, body: str) -> dict[str, Any]:
        """The edited comment (``{}`` in a dry run)."""
        path = f"/repos/{self.repo}/issues/comments/{int(comment_id)}"
        return as_object(self._call("PATCH", path, {"body": body}, need=WRITE_COMMENTS))

    def set_status(self, sha: str, state: str, context: str, description: str, target_url: str = "") -> None:
        """A commit status; ``description`` is cut to GitHub's 140 characters (ending with an ellipsis)."""
        if state not in STATUS_STATES:
            raise ValueError(f"commit status state {state!r} is not one of {', '.join(STATUS_STATES)}")
        if len(description) > STATUS_DESCRIPTION_MAX:
            description = description[: STATUS_DESCRIPTION_MAX - 1] + "…"
        body: dict[str, Any] = {"state": state, "context": context, "description": description}
        if target_url:
            body["target_url"] = target_url
        self._call("POST", f"/repos/{self.repo}/statuses/{_sha(sha)}", body, need=WRITE_STATUSES)

    def add_labels(self, number: int, labels: Sequence[str]) -> None:
        """Adds ``labels`` to the pull request (GitHub creates a label that does not exist yet)."""
        path = f"/repos/{self.repo}/issues/{int(number)}/labels"
        self._call("POST", path, {"labels": list(labels)}, need=WRITE_LABELS)

    # --- Git data -----------------------------------------------------------------------------

    def commit_files(self, branch: str, parent: str, files: Mapping[str, bytes], message: str) -> str:
        """One commit on ``branch`` over ``parent`` that replaces ``files`` (path -> bytes); its sha.

        Its tree is ``parent``'s with those files replaced and nothing else. The branch moves
        only if it still points at ``parent`` (no force): if it moved meanwhile, GitHubError
        says so and the branch is unchanged. In a dry run the writes are reported, not made,
        later bodies name ``<blob PATH>``, ``<tree>`` and ``<commit>`` for the shas they would
        have used, and ``parent`` is returned.
        """
        repo, parent = self.repo, _sha(parent)
        ref = urllib.parse.quote(branch, safe="/")
        base = as_object(self._call("GET", f"/repos/{repo}/git/commits/{parent}", need=WRITE_CONTENTS))
        base_tree = _text(as_object(base.get("tree")).get("sha"))
        if not base_tree:
            raise GitHubError(f"commit {parent[:12]} in {repo}: GitHub gave no tree for it")
        entries = []
        for path, data in files.items():
            blob = self._call(
                "POST",
                f"/repos/{repo}/git/blobs",
                {"content": base64.b64encode(data).decode("ascii"), "encoding": "base64"},
                need=WRITE_CONTENTS,
            )
            entries.append(
                {"path": path, "mode": "100644", "type": "blob", "sha": self._new_sha(blob, f"<blob {path}>")}
            )
        tree = self._call(
            "POST", f"/repos/{repo}/git/trees", {"base_tree": base_tree, "tree": entries}, need=WRITE_CONTENTS
        )
        commit = self._call(
            "POST",
            f"/repos/{repo}/git/commits",
            {"message": message, "tree": self._new_sha(tree, "<tree>"), "parents": [parent]},
            need=WRITE_CONTENTS,
        )
        sha = self._new_sha(commit, "<commit>")
        try:
            self._call(
                "PATCH",
                f"/repos/{repo}/git/refs/heads/{ref}",
                {"sha": sha, "force": False},
                need=WRITE_CONTENTS,
            )
        except GitHubError as exc:
            if exc.status == 422 and "fast forward" in str(exc).lower():
                raise GitHubError(
                    f"branch {terminal(branch)!r} of {repo} moved since {parent[:12]}: nothing was changed "
                    "(run again on its new head)",
                    422,
                ) from None
            raise
        return parent if self.dry_run is not None else sha

    # --- the transport ------------------------------------------------------------------------

    def _pages(self, path: str, need: str) -> list[Any]:
        """Every item of a list over all its pages (``Link: rel="next"``, on api_url's host only)."""
        items: list[Any] = []
        url: str | None = self.api_url + path
        seen: set[str] = set()
        while url:
            if url in seen:
                raise GitHubError(f"GitHub's pages of {path.split('?')[0]} loop back to {url}")
            seen.add(url)
            page, link = self._request("GET", url, None, need)
            if not isinstance(page, list):
                raise GitHubError(
                    f"GET {path.split('?')[0]}: expected a list, GitHub gave {type(page).__name__}"
                )
            items.extend(page)
            url = next_link(link)
        return items

    def _call(self, method: str, path: str, body: Any = None, *, need: str, once: bool = False) -> Any:
        if method in _WRITES and self.dry_run is not None:
            self.dry_run(method, path, body)
            return {}
        data, _ = self._request(method, self.api_url + path, body, need, once=once)
        return data

    def _request(
        self, method: str, url: str, body: Any, need: str, *, once: bool = False
    ) -> tuple[Any, str | None]:
        """The JSON answer and its ``Link`` header, after at most ``retries`` retries.

        ``once``: a call that must not be repeated (a new comment would be posted twice) is retried
        only after GitHub refused it (a rate limit), never after a failure it may have acted on.
        """
        parts = urllib.parse.urlsplit(url)
        if (parts.scheme, parts.netloc) != self._origin:
            # Never send the token to another host, whatever a Link header says.
            raise GitHubError(f"refusing to follow a link to another host: {terminal(url)}")
        where = f"{method} {parts.path}"
        attempt = 0
        while True:
            try:
                return self._send(method, url, body, where, need, attempt)
            except _Retry as retry:
                if once and not retry.refused:
                    raise GitHubError(
                        self._scrub(f"{retry.message}; not retried, since GitHub may have acted on it"),
                        retry.status,
                    ) from None
                if attempt >= self.retries:
                    raise GitHubError(
                        self._scrub(f"{retry.message}; gave up after {self.retries} retries"), retry.status
                    ) from None
                self.sleep(retry.wait)
                attempt += 1

    def _send(
        self, method: str, url: str, body: Any, where: str, need: str, attempt: int
    ) -> tuple[Any, str | None]:
        headers = {
            "Accept": "application/vnd.github+json",
            "Authorization": f"Bearer {self.token}",
            "X-GitHub-Api-Version": "2022-11-28",
            "User-Agent": "declog",
        }
        data = None
        if body is not None:
            data = json.dumps(body).encode("utf-8")
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(url, data=data, headers=headers, method=method)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                raw = response.read(MAX_JSON_BYTES + 1)
                link = response.headers.get("Link")
        except urllib.error.HTTPError as exc:
            with exc:
                raise self._failure(exc, where, need, attempt) from None
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, ConnectionResetError):
                raise _Retry(
                    self._backoff(attempt), f"{where}: the connection to {self.api_url} was reset", None
                ) from None
            if isinstance(exc.reason, TimeoutError):
                raise GitHubError(
                    f"{where}: no answer from {self.api_url} within {self.timeout:g}s"
                ) from None
            raise GitHubError(self._scrub(f"cannot reach {self.api_url}: {exc.reason}")) from None
        except (ConnectionResetError, http.client.IncompleteRead):
            raise _Retry(
                self._backoff(attempt), f"{where}: the connection to {self.api_url} was reset", None
            ) from None
        except TimeoutError:
            raise GitHubError(f"{where}: no answer from {self.api_url} within {self.timeout:g}s") from None
        except OSError as exc:
            raise GitHubError(self._scrub(f"cannot reach {self.api_url}: {exc}")) from None
        if not raw.strip():
            return None, link
        try:
            return loads_json(raw, f"GitHub's answer to {where}"), link
        except ReviewsError as exc:
            raise GitHubError(str(exc)) from None

    def _failure(self, exc: urllib.error.HTTPError, where: str, need: str, attempt: int) -> Exception:
        """The GitHubError for an error answer, or a ``_Retry`` when another try may succeed."""
        status, headers = exc.code, exc.headers
        message, detail = _error_message(exc)
        retry_after = headers.get("Retry-After") if headers else None
        remaining = headers.get("X-RateLimit-Remaining") if headers else None
        reset = headers.get("X-RateLimit-Reset") if headers else None
        secondary = "secondary rate limit" in message.lower()
        if status == 429 or (status == 403 and (retry_after or remaining == "0" or secondary)):
            kind = "secondary rate limit" if secondary else "rate limit"
            what = f"GitHub API {kind} exceeded ({status}) on {where}"
            wait, when = self._rate_wait(retry_after, remaining, reset, secondary, attempt)
            if wait > self.max_wait:
                return GitHubError(f"{what}; retry {when}", status)
            return _Retry(wait, f"{what}; retry {when}", status, refused=True)
        if status in _TRANSIENT:
            return _Retry(self._backoff(attempt), f"GitHub answered {status} {exc.reason} to {where}", status)
        quoted = json.dumps(terminal(detail or message), ensure_ascii=False) if (detail or message) else ""
        if status == 401:
            text = "GitHub refused the token (401 Bad credentials): check GITHUB_TOKEN"
        elif status == 403:
            text = (
                f"GitHub denied {where} (403{': ' + quoted if quoted else ''}): the workflow needs "
                f"`permissions:` {need}; a pull request from a fork gets a read-only token whatever the "
                'workflow asks (GitHub says "Resource not accessible by integration")'
            )
        elif status == 404:
            text = (
                f"not found (404): {where}; check the repository ({self.repo}) and the pull request number "
                "(a private repository also answers 404 to a token that cannot see it)"
            )
        elif status == 422:
            text = f"GitHub refused {where} (422): {quoted or 'validation failed'}"
        else:
            text = f"GitHub API error {status} {exc.reason} for {where}" + (f": {quoted}" if quoted else "")
        return GitHubError(self._scrub(text), status)

    def _rate_wait(
        self, retry_after: str | None, remaining: str | None, reset: str | None, secondary: bool, attempt: int
    ) -> tuple[float, str]:
        """How long to wait, and when to retry in words, as GitHub's documentation says."""
        now = self.clock()
        if retry_after:
            seconds = _retry_after(retry_after, now)
            if seconds is not None:
                return seconds, f"after {seconds:g}s ({_at(now + seconds)})"
        if remaining == "0" and reset and reset.strip().isdigit():
            seconds = max(0.0, int(reset) - now)
            return seconds, f"after the limit resets at {_at(int(reset))}"
        if secondary:
            # At least a minute, then exponentially longer (GitHub's advice), within max_wait.
            seconds = max(SECONDARY_WAIT, min(SECONDARY_WAIT * 2**attempt, self.max_wait))
            return seconds, f"in {seconds:g}s at the earliest ({_at(now + seconds)})"
        seconds = self._backoff(attempt)
        return seconds, f"in {seconds:g}s"

    def _backoff(self, attempt: int) -> float:
        return float(min(2**attempt, self.max_wait))

    def _new_sha(self, answer: Any, placeholder: str) -> str:
        """The ``sha`` of what GitHub created; ``placeholder`` in a dry run."""
        if self.dry_run is not None:
            return placeholder
        sha = _text(as_object(answer).get("sha"))
        if not sha:
            raise GitHubError(f"GitHub's answer names no sha for the new {placeholder.strip('<>')}")
        return sha

    def _scrub(self, text: str) -> str:
        # A token too short to be real (tests') is left alone: masking it would garble words.
        return text.replace(self.token, "***") if len(self.token) >= 4 else text


def _error_message(exc: urllib.error.HTTPError) -> tuple[str, str]:
    """GitHub's ``message`` of an error answer, and it with the ``errors`` it lists (422)."""
    try:
        raw = exc.read(_ERROR_BYTES)
        data = json.loads(raw.decode("utf-8", "replace"))
    except (OSError, ValueError, RecursionError, http.client.HTTPException):
        return "", ""
    if not isinstance(data, dict):
        return "", ""
    message = _text(data.get("message"))
    details = []
    for item in data.get("errors") or []:
        if isinstance(item, str):
            details.append(item)
        elif isinstance(item, dict):
            text = _text(item.get("message")) or " ".join(
                _text(item.get(k)) for k in ("resource", "field", "code") if _text(item.get(k))
            )
            if text:
                details.append(text)
    return message, "; ".join([message, *details]) if details else message


def _retry_after(value: str, now: float) -> float | None:
    """Retry-After in seconds: a number of seconds, or an HTTP date."""
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return max(0.0, when.timestamp() - now)


def _at(seconds: float) -> str:
    return dt.datetime.fromtimestamp(int(seconds), dt.UTC).isoformat().replace("+00:00", "Z")


def _sha(value: str) -> str:
    if not _SHA.fullmatch(value):
        raise GitHubError(f"not a commit sha: {terminal(value)!r}")
    return value


def _objects(items: list[Any]) -> list[dict[str, Any]]:
    return [item for item in items if isinstance(item, dict)]
