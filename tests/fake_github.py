"""A fake of GitHub's REST API on loopback: it holds state and records every request.

Only what declog calls: pull requests (and their reviews and files), issue comments,
commit statuses, labels and, given a bare repository, the Git Data API, where blobs,
trees, commits and branch updates are real git objects and refs. Answers are shaped as
GitHub's (the fields declog reads, plus a few), pages as GitHub pages them (``per_page``,
``page``, ``Link`` with rel next/last), errors as GitHub words them: 401 "Bad
credentials", 403 "Resource not accessible by integration" for a permission the token
lacks, 404 "Not Found", 422 with "Validation Failed" or the Git Data API's own message.

    with FakeGitHub(git=bare) as gh:
        gh.add_pull(7, author="akim-acme", head_sha=sha, head_ref="propose-x")
        client = GitHub("t0ken", gh.repo, api_url=gh.url)
        ...
        assert [r.method for r in gh.requests] == [...]
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
import re
import subprocess
import threading
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

BOT = {"login": "github-actions[bot]", "type": "Bot"}
BOT_EMAIL = "41898282+github-actions[bot]@users.noreply.github.com"
STATES = ("error", "failure", "pending", "success")
ALL_PERMISSIONS = frozenset({"pull-requests:write", "statuses:write", "contents:write", "issues:write"})
NOT_ACCESSIBLE = "Resource not accessible by integration"


class Headers(dict[str, str]):
    """Header names as keys, matched in any case (``headers["Authorization"]``, ``headers["x-github-api-version"]``)."""

    def __init__(self, items: Any = ()) -> None:
        super().__init__((k.lower(), v) for k, v in dict(items).items())

    def __getitem__(self, key: str) -> str:
        return super().__getitem__(key.lower())

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and super().__contains__(key.lower())

    def get(self, key: str, default: Any = None) -> Any:
        return super().get(key.lower(), default)


@dataclass
class Request:
    method: str
    path: str
    """The path with its query, as sent."""
    body: Any
    """The JSON body (None without one; the text when it is not JSON)."""
    headers: dict[str, str]


@dataclass
class _Failure:
    method: str
    prefix: str
    status: int
    headers: dict[str, str]
    body: Any
    times: int


@dataclass
class _Answer:
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


class _Error(Exception):
    def __init__(self, status: int, message: str, **extra: Any) -> None:
        self.answer = _Answer(status, {"message": message, **extra})


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


class FakeGitHub:
    """GitHub's REST API for one repository, on 127.0.0.1; a context manager that starts and stops it."""

    bot: dict[str, str] = BOT
    """The author of the comments (and commits) made with the token."""

    def __init__(
        self, repo: str = "acme/log", token: str = "t0ken", *, git: Path | None = None, per_page: int = 30
    ) -> None:
        self.repo = repo
        self.token = token
        self.git = git
        self.per_page = per_page
        self.url = ""
        self.pulls: dict[int, dict[str, Any]] = {}
        self.reviews: dict[int, list[dict[str, Any]]] = {}
        self.files: dict[int, list[dict[str, Any]]] = {}
        self.comments: dict[int, list[dict[str, Any]]] = {}
        self.statuses: dict[str, list[dict[str, Any]]] = {}
        self.labels: dict[int, list[str]] = {}
        self.requests: list[Request] = []
        self.permissions: set[str] = set(ALL_PERMISSIONS)
        self.clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC)
        """When things happen (comments' and statuses' times); replace it to fix them."""
        self._failures: list[_Failure] = []
        self._ids = 1000
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- running ----------------------------------------------------------------------------

    def __enter__(self) -> FakeGitHub:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def start(self) -> None:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _any(self) -> None:
                fake._serve(self)

            do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _any

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()

    def close(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join()
        self._server = self._thread = None

    # --- setting up and looking --------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        path_prefix: str,
        status: int,
        headers: dict[str, str] | None = None,
        body: Any = None,
        times: int = 1,
    ) -> None:
        """The next ``times`` requests ``method`` to a path starting with ``path_prefix`` get ``status``.

        ``body`` defaults to GitHub's message for the status; status 0 closes the connection
        without an answer (a connection reset). Checked before the token and permissions.
        """
        self._failures.append(_Failure(method.upper(), path_prefix, status, dict(headers or {}), body, times))

    def add_pull(
        self,
        number: int,
        *,
        author: str,
        head_sha: str,
        head_ref: str,
        base_ref: str = "main",
        fork: bool = False,
        draft: bool = False,
        created_at: str = "2026-11-02T09:00:00Z",
        title: str = "",
    ) -> dict[str, Any]:
        """An open pull request from ``head_ref`` (in a fork of ``author`` with ``fork``)."""
        name = self.repo.split("/", 1)[1]
        head_repo = f"{author}/{name}" if fork else self.repo
        pr: dict[str, Any] = {
            "number": number,
            "state": "open",
            "draft": draft,
            "title": title or f"Pull request {number}",
            "user": {"login": author, "type": "User"},
            "head": {"sha": head_sha, "ref": head_ref, "repo": {"full_name": head_repo}},
            "base": {"ref": base_ref, "repo": {"full_name": self.repo}},
            "created_at": created_at,
            "html_url": f"https://github.com/{self.repo}/pull/{number}",
            "maintainer_can_modify": False,
        }
        with self._lock:
            self.pulls[number] = pr
            self.reviews.setdefault(number, [])
            self.files.setdefault(number, [])
            self.comments.setdefault(number, [])
            self.labels.setdefault(number, [])
        if self.git is not None and self._git_ok("cat-file", "-e", f"{head_sha}^{{commit}}"):
            self._git("update-ref", f"refs/pull/{number}/head", head_sha)
        return pr

    def status_of(self, sha: str, context: str) -> dict[str, Any] | None:
        """The latest status posted on ``sha`` with ``context``."""
        found = [s for s in self.statuses.get(sha, []) if s["context"] == context]
        return found[-1] if found else None

    def writes(self) -> list[Request]:
        """The requests that would change something (POST, PATCH, PUT, DELETE)."""
        return [r for r in self.requests if r.method in {"POST", "PATCH", "PUT", "DELETE"}]

    # --- serving -----------------------------------------------------------------------------

    def _serve(self, handler: BaseHTTPRequestHandler) -> None:
        method = handler.command.upper()
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        body: Any = None
        if raw:
            try:
                body = json.loads(raw)
            except ValueError:
                body = raw.decode("utf-8", "replace")
        with self._lock:
            self.requests.append(Request(method, handler.path, body, Headers(handler.headers.items())))
            failure = self._injected(method, handler.path)
        if failure is not None and failure.status == 0:
            handler.close_connection = True
            return
        if failure is not None:
            message = {401: "Bad credentials", 404: "Not Found"}.get(failure.status, "injected failure")
            answer = _Answer(
                failure.status,
                failure.body if failure.body is not None else {"message": message},
                failure.headers,
            )
        elif handler.headers.get("Authorization") != f"Bearer {self.token}":
            answer = _Answer(401, {"message": "Bad credentials"})
        else:
            split = urllib.parse.urlsplit(handler.path)
            query = dict(urllib.parse.parse_qsl(split.query))
            try:
                with self._lock:
                    answer = self._route(method, split.path, query, body)
            except _Error as exc:
                answer = exc.answer
        data = b"" if answer.body is None else json.dumps(answer.body).encode()
        handler.send_response(answer.status)
        handler.send_header("Content-Type", "application/json; charset=utf-8")
        for name, value in answer.headers.items():
            handler.send_header(name, value)
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)

    def _injected(self, method: str, path: str) -> _Failure | None:
        for failure in self._failures:
            if failure.method == method and path.startswith(failure.prefix) and failure.times > 0:
                failure.times -= 1
                return failure
        return None

    def _need(self, *any_of: str) -> None:
        """403 unless the token has one of ``any_of`` (``x:read`` is also granted by ``x:write``)."""
        for perm in any_of:
            if perm in self.permissions or perm.replace(":read", ":write") in self.permissions:
                return
        raise _Error(403, NOT_ACCESSIBLE, documentation_url="https://docs.github.com/rest")

    def _route(self, method: str, path: str, query: dict[str, str], body: Any) -> _Answer:
        prefix = f"/repos/{self.repo}/"
        if not path.startswith(prefix):
            raise _Error(404, "Not Found")
        rest = path[len(prefix) :]
        for pattern, verb, handler in self._routes():
            m = re.fullmatch(pattern, rest)
            if m and verb == method:
                return handler(m, query, body, path)
        raise _Error(404, "Not Found")

    def _routes(self) -> list[tuple[str, str, Callable[[re.Match[str], dict[str, str], Any, str], _Answer]]]:
        return [
            (r"pulls", "GET", self._list_pulls),
            (r"pulls/(\d+)", "GET", self._get_pull),
            (r"pulls/(\d+)/reviews", "GET", self._list_of(self.reviews)),
            (r"pulls/(\d+)/files", "GET", self._list_of(self.files)),
            (r"issues/(\d+)/comments", "GET", self._list_comments),
            (r"issues/(\d+)/comments", "POST", self._create_comment),
            (r"issues/comments/(\d+)", "PATCH", self._edit_comment),
            (r"issues/(\d+)/labels", "POST", self._add_labels),
            (r"statuses/([0-9a-f]{4,64})", "POST", self._create_status),
            (r"commits/([0-9a-f]{4,64})/status", "GET", self._combined_status),
            (r"git/commits/([0-9a-f]{4,64})", "GET", self._get_commit),
            (r"git/blobs", "POST", self._create_blob),
            (r"git/trees", "POST", self._create_tree),
            (r"git/commits", "POST", self._create_commit),
            (r"git/ref/heads/(.+)", "GET", self._get_ref),
            (r"git/refs/heads/(.+)", "PATCH", self._update_ref),
        ]

    # --- pull requests, comments, statuses, labels --------------------------------------------

    def _page(self, items: list[Any], query: dict[str, str], path: str) -> _Answer:
        try:
            per_page = min(max(int(query.get("per_page", self.per_page)), 1), 100)
            page = max(int(query.get("page", 1)), 1)
        except ValueError:
            raise _Error(422, "Validation Failed") from None
        last = max(1, -(-len(items) // per_page))

        def link(n: int) -> str:
            return f"{self.url}{path}?{urllib.parse.urlencode({**query, 'per_page': per_page, 'page': n})}"

        rels = []
        if page < last:
            rels += [f'<{link(page + 1)}>; rel="next"', f'<{link(last)}>; rel="last"']
        if page > 1:
            rels += [f'<{link(page - 1)}>; rel="prev"', f'<{link(1)}>; rel="first"']
        headers = {"Link": ", ".join(rels)} if rels else {}
        return _Answer(200, items[(page - 1) * per_page : page * per_page], headers)

    def _pull(self, number: str) -> dict[str, Any]:
        pr = self.pulls.get(int(number))
        if pr is None:
            raise _Error(404, "Not Found")
        return pr

    def _list_pulls(self, m: re.Match[str], query: dict[str, str], body: Any, path: str) -> _Answer:
        self._need("pull-requests:read")
        state = query.get("state", "open")
        items = [p for _, p in sorted(self.pulls.items()) if state == "all" or p["state"] == state]
        return self._page(items, query, path)

    def _get_pull(self, m: re.Match[str], query: dict[str, str], body: Any, path: str) -> _Answer:
        self._need("pull-requests:read")
        return _Answer(200, self._pull(m[1]))

    def _list_of(
        self, table: dict[int, list[dict[str, Any]]]
    ) -> Callable[[re.Match[str], dict[str, str], Any, str], _Answer]:
        def answer(m: re.Match[str], query: dict[str, str], body: Any, path: str) -> _Answer:
            self._need("pull-requests:read")
            self._pull(m[1])
            return self._page(table.get(int(m[1]), []), query, path)

        return answer

    def _list_comments(self, m: re.Match[str], query: dict[str, str], body: Any, path: str) -> _Answer:
        self._need("pull-requests:read", "issues:read")
        self._pull(m[1])
        return self._page(self.comments.get(int(m[1]), []), query, path)

    def _create_comment(self, m: re.Match[str], query: dict[str, str], body: Any, path: str) -> _Answer:
        self._need("pull-requests:write", "issues:write")
        number = int(self._pull(m[1])["number"])
        text = body.get("body") if isinstance(body, dict) else None
        if not isinstance(text, str) or not text:
            raise _Error(
                422,
                "Validation Failed",
                errors=[{"resource": "IssueComment", "code": "missing_field", "field": "body"}],
            )
        if len(text) > 65536:
            raise _Error(
                422,
                "Validation Failed",
                errors=[
                    {
                        "resource": "IssueComment",
                        "code": "custom",
                        "field": "body",
                        "message": "body is too long (maximum is 65536 characters)",
                    }
                ],
            )
        self._ids += 1
        now = _iso(self.clock())
        comment = {
            "id": self._ids,
            "user": dict(self.bot),
            "body": text,
            "created_at": now,
            "updated_at": now,
            "html_url": f"https://github.com/{self.repo}/pull/{number}#issuecomment-{self._ids}",
        }
        self.comments.setdefault(number, []).append(comment)
        return _Answer(201, comment)

    def _edit_comment(self, m: re.Match[str], query: dict[str, str], body: Any, path: str) -> _Answer:
        self._need("pull-requests:write", "issues:write")
        text = body.get("body") if isinstance(body, dict) else None
        for comments in self.comments.values():
            for comment in comments:
                if comment["id"] == int(m[1]):
                    if not isinstance(text, str) or not text:
                        raise _Error(422, "Validation Failed")
                    comment["body"] = text
                    comment["updated_at"] = _iso(self.clock())
                    return _Answer(200, comment)
        raise _Error(404, "Not Found")

    def _add_labels(self, m: re.Match[str], query: dict[str, str], body: Any, path: str) -> _Answer:
        self._need("pull-requests:write", "issues:write")
        number = int(self._pull(m[1])["number"])
        labels = body.get("labels") if isinstance(body, dict) else None
        if not isinstance(labels, list) or not all(isinstance(x, str) and x for x in labels):
            raise _Error(
                422, "Validation Failed", errors=[{"resource": "Label", "code": "invalid", "field": "labels"}]
            )
        have = self.labels.setdefault(number, [])
        have.extend(x for x in labels if x not in have)
        return _Answer(200, [{"name": x} for x in have])

    def _create_status(self, m: re.Match[str], query: dict[str, str], body: Any, path: str) -> _Answer:
        self._need("statuses:write")
        body = body if isinstance(body, dict) else {}
        if body.get("state") not in STATES:
            raise _Error(
                422,
                "Validation Failed",
                errors=[
                    {
                        "resource": "Status",
                        "code": "custom",
                        "field": "state",
                        "message": "state is not included in the list",
                    }
                ],
            )
        description = body.get("description") or ""
        if len(description) > 140:
            raise _Error(
                422,
                "Validation Failed",
                errors=[
                    {
                        "resource": "Status",
                        "code": "custom",
                        "field": "description",
                        "message": "description is too long (maximum is 140 characters)",
                    }
                ],
            )
        self._ids += 1
        status = {
            "id": self._ids,
            "state": body["state"],
            "context": body.get("context") or "default",
            "description": description,
            "target_url": body.get("target_url") or "",
            "created_at": _iso(self.clock()),
            "creator": dict(self.bot),
        }
        self.statuses.setdefault(m[1], []).append(status)
        return _Answer(201, status)

    def _combined_status(self, m: re.Match[str], query: dict[str, str], body: Any, path: str) -> _Answer:
        self._need("statuses:read")
        latest: dict[str, dict[str, Any]] = {}
        for status in self.statuses.get(m[1], []):
            latest[status["context"]] = status
        states = {s["state"] for s in latest.values()}
        if states & {"error", "failure"}:
            state = "failure"
        elif not states or "pending" in states:
            state = "pending"
        else:
            state = "success"
        return _Answer(
            200, {"state": state, "sha": m[1], "total_count": len(latest), "statuses": list(latest.values())}
        )

    # --- the Git Data API over a real bare repository ------------------------------------------

    def _git(self, *args: str, input: bytes | None = None, env: dict[str, str] | None = None) -> str:
        assert self.git is not None
        done = subprocess.run(
            ["git", "--git-dir", str(self.git), *args],
            input=input,
            capture_output=True,
            check=False,
            env=env,
        )
        if done.returncode != 0:
            raise _Error(422, done.stderr.decode("utf-8", "replace").strip() or "git failed")
        return done.stdout.decode("utf-8", "surrogateescape")

    def _git_ok(self, *args: str) -> bool:
        try:
            self._git(*args)
        except _Error:
            return False
        return True

    def _git_data(self, write: bool) -> None:
        if self.git is None:
            raise _Error(404, "Not Found")
        self._need("contents:write" if write else "contents:read")

    def _get_commit(self, m: re.Match[str], query: dict[str, str], body: Any, path: str) -> _Answer:
        self._git_data(write=False)
        if not self._git_ok("cat-file", "-e", f"{m[1]}^{{commit}}"):
            raise _Error(404, "Not Found")
        sha, tree, parents, message = self._git("show", "-s", "--format=%H%n%T%n%P%n%B", m[1]).split("\n", 3)
        return _Answer(200, self._commit_json(sha, tree, parents.split(), message.rstrip("\n")))

    def _commit_json(self, sha: str, tree: str, parents: list[str], message: str) -> dict[str, Any]:
        return {
            "sha": sha,
            "tree": {"sha": tree},
            "parents": [{"sha": p} for p in parents],
            "message": message,
            "author": {"name": self.bot["login"], "email": BOT_EMAIL},
        }

    def _create_blob(self, m: re.Match[str], query: dict[str, str], body: Any, path: str) -> _Answer:
        self._git_data(write=True)
        body = body if isinstance(body, dict) else {}
        content = body.get("content")
        if not isinstance(content, str):
            raise _Error(422, 'Invalid request.\n\n"content" wasn\'t supplied.')
        data = base64.b64decode(content) if body.get("encoding") == "base64" else content.encode("utf-8")
        sha = self._git("hash-object", "-w", "--stdin", input=data).strip()
        return _Answer(201, {"sha": sha, "url": f"{self.url}/repos/{self.repo}/git/blobs/{sha}"})

    def _create_tree(self, m: re.Match[str], query: dict[str, str], body: Any, path: str) -> _Answer:
        self._git_data(write=True)
        body = body if isinstance(body, dict) else {}
        entries = body.get("tree")
        if not isinstance(entries, list):
            raise _Error(422, "Invalid tree info")
        changes: dict[str, tuple[str, str, str] | None] = {}
        for e in entries:
            if not isinstance(e, dict) or not isinstance(e.get("path"), str):
                raise _Error(422, "Invalid tree info")
            changes[e["path"]] = None if e.get("sha") is None else (e["mode"], e["type"], e["sha"])
        base = body.get("base_tree")
        sha = self._tree(base if isinstance(base, str) else None, changes)
        return _Answer(201, {"sha": sha})

    def _tree(self, base: str | None, changes: dict[str, tuple[str, str, str] | None]) -> str:
        """``base`` (a tree, or none) with ``changes`` (path -> (mode, type, sha), None deletes) made."""
        here: dict[str, tuple[str, str, str]] = {}
        if base:
            for row in self._git("ls-tree", "-z", base).split("\0"):
                if row:
                    info, name = row.split("\t", 1)
                    mode, kind, sha = info.split()
                    here[name] = (mode, kind, sha)
        below: dict[str, dict[str, tuple[str, str, str] | None]] = {}
        for path, entry in changes.items():
            head, _, tail = path.partition("/")
            if tail:
                below.setdefault(head, {})[tail] = entry
            elif entry is None:
                here.pop(head, None)
            else:
                here[head] = entry
        for name, sub in below.items():
            old = here.get(name)
            tree = self._tree(old[2] if old and old[1] == "tree" else None, sub)
            here[name] = ("040000", "tree", tree)
        listing = "".join(
            f"{mode} {kind} {sha}\t{name}\0" for name, (mode, kind, sha) in sorted(here.items())
        )
        return self._git("mktree", "-z", input=listing.encode("utf-8", "surrogateescape")).strip()

    def _create_commit(self, m: re.Match[str], query: dict[str, str], body: Any, path: str) -> _Answer:
        self._git_data(write=True)
        body = body if isinstance(body, dict) else {}
        tree, parents, message = body.get("tree"), body.get("parents") or [], body.get("message")
        if not isinstance(tree, str) or not isinstance(message, str) or not isinstance(parents, list):
            raise _Error(422, "Invalid request.")
        when = self.clock().isoformat()
        env = {
            **os.environ,
            "GIT_AUTHOR_NAME": self.bot["login"],
            "GIT_AUTHOR_EMAIL": BOT_EMAIL,
            "GIT_COMMITTER_NAME": self.bot["login"],
            "GIT_COMMITTER_EMAIL": BOT_EMAIL,
            "GIT_AUTHOR_DATE": when,
            "GIT_COMMITTER_DATE": when,
        }
        args = ["commit-tree", tree, *[a for p in parents for a in ("-p", str(p))], "-m", message]
        sha = self._git(*args, env=env).strip()
        return _Answer(201, self._commit_json(sha, tree, [str(p) for p in parents], message))

    def _get_ref(self, m: re.Match[str], query: dict[str, str], body: Any, path: str) -> _Answer:
        self._git_data(write=False)
        try:
            sha = self._git("rev-parse", "--verify", f"refs/heads/{m[1]}").strip()
        except _Error:
            raise _Error(404, "Not Found") from None
        return _Answer(200, {"ref": f"refs/heads/{m[1]}", "object": {"sha": sha, "type": "commit"}})

    def _update_ref(self, m: re.Match[str], query: dict[str, str], body: Any, path: str) -> _Answer:
        self._git_data(write=True)
        branch = urllib.parse.unquote(m[1])
        body = body if isinstance(body, dict) else {}
        new = body.get("sha")
        if not isinstance(new, str):
            raise _Error(422, "Invalid request.")
        try:
            old = self._git("rev-parse", "--verify", f"refs/heads/{branch}").strip()
        except _Error:
            raise _Error(422, "Reference does not exist") from None
        if not self._git_ok("cat-file", "-e", f"{new}^{{commit}}"):
            raise _Error(422, "Object does not exist")
        if not body.get("force") and not self._git_ok("merge-base", "--is-ancestor", old, new):
            raise _Error(422, "Update is not a fast forward")
        self._git("update-ref", f"refs/heads/{branch}", new, old)
        for number, pr in self.pulls.items():
            if pr["head"]["ref"] == branch and pr["head"]["repo"]["full_name"] == self.repo:
                pr["head"]["sha"] = new
                self._git("update-ref", f"refs/pull/{number}/head", new)
        return _Answer(200, {"ref": f"refs/heads/{branch}", "object": {"sha": new, "type": "commit"}})
