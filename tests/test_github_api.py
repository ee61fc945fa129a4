"""declog.pr.github against the loopback fake of GitHub's API (tests/fake_github.py).

What a workflow run would meet: several pages, rate limits and 502s retried after the
wait GitHub asks for (sleeps recorded, not slept), a message per failure that names what
to do (the permission that call needs, the fork's read-only token, when to retry), dry
runs that send no write, and a commit made through the Git Data API on a real bare
repository.
"""

from __future__ import annotations

import json
import subprocess
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import isolated_git
from fake_github import ALL_PERMISSIONS, FakeGitHub

from declog.pr.github import GitHub, GitHubError

TOKEN = "ghs_" + "x7Rk2" * 7 + "q"
NOW = 1_800_000_000.0  # 2027-01-15T08:00:00Z
SECONDARY = {
    "message": "You have exceeded a secondary rate limit. Please wait a few minutes before you try again."
}


@pytest.fixture
def gh() -> Iterator[FakeGitHub]:
    with FakeGitHub(token=TOKEN) as fake:
        fake.add_pull(1, author="akim-acme", head_sha="a" * 40, head_ref="propose-budget")
        yield fake


class Client:
    """A client of the fake that records its sleeps."""

    def __init__(self, fake: FakeGitHub, token: str = TOKEN, **kw: Any) -> None:
        self.slept: list[float] = []
        self.api = GitHub(
            token, fake.repo, api_url=fake.url, sleep=self.slept.append, clock=lambda: NOW, **kw
        )


def raised(call: Callable[[], object]) -> GitHubError:
    """The GitHubError ``call`` raises; its message is one line without the token."""
    with pytest.raises(GitHubError) as info:
        call()
    message = str(info.value)
    assert TOKEN not in message and "\n" not in message and message
    return info.value


# --- requests and pages ----------------------------------------------------------------------


def test_every_request_carries_the_headers_github_asks_for(gh: FakeGitHub) -> None:
    api = Client(gh).api
    api.create_comment(1, "hello")
    for request in gh.requests:
        assert request.headers["Accept"] == "application/vnd.github+json"
        assert request.headers["Authorization"] == f"Bearer {TOKEN}"
        assert request.headers["X-GitHub-Api-Version"] == "2022-11-28"
        assert request.headers["User-Agent"] == "declog"
    assert gh.requests[-1].headers["Content-Type"] == "application/json"
    assert gh.requests[-1].body == {"body": "hello"}
    assert gh.comments[1][0]["user"] == gh.bot


def test_lists_are_read_over_every_page(gh: FakeGitHub) -> None:
    gh.reviews[1] = [
        {"user": {"login": f"r{i}"}, "state": "COMMENTED", "submitted_at": "2026-11-03T10:00:00Z"}
        for i in range(250)
    ]
    for n in range(2, 120):
        gh.add_pull(n, author="ann", head_sha=f"{n:040x}", head_ref=f"b{n}")
    gh.pulls[7]["state"] = "closed"
    api = Client(gh).api
    pull = api.pull_request(1)
    assert (pull.number, pull.author, pull.head_sha, pull.repository) == (
        1,
        "akim-acme",
        "a" * 40,
        "acme/log",
    )
    assert [r.user for r in pull.reviews] == [f"r{i}" for i in range(250)]
    assert pull.opened is not None and pull.opened.isoformat() == "2026-11-02T09:00:00+00:00"
    assert [p["number"] for p in api.open_pulls()] == [n for n in range(1, 120) if n != 7]
    pages = [r.path for r in gh.requests if "/reviews" in r.path]
    assert pages == [
        "/repos/acme/log/pulls/1/reviews?per_page=100",
        "/repos/acme/log/pulls/1/reviews?per_page=100&page=2",
        "/repos/acme/log/pulls/1/reviews?per_page=100&page=3",
    ]


def test_comments_over_pages_of_the_fakes_own_size() -> None:
    with FakeGitHub(token=TOKEN, per_page=2) as gh:
        gh.add_pull(1, author="akim-acme", head_sha="a" * 40, head_ref="x")
        api = Client(gh).api
        for i in range(5):
            api.create_comment(1, f"c{i}")
        assert [c["body"] for c in api.comments(1)] == [f"c{i}" for i in range(5)]
        # The client asks for 100 a page; the fake's own size applies when a request names none.
        assert len([r for r in gh.requests if r.method == "GET"]) == 1


def test_a_link_to_another_host_is_refused_and_the_token_not_sent(gh: FakeGitHub) -> None:
    gh.fail_next(
        "GET",
        "/repos/acme/log/pulls/1/reviews",
        200,
        {"Link": '<http://example.invalid/steal>; rel="next"'},
        [],
    )
    error = raised(lambda: Client(gh).api.pull_request(1))
    assert "refusing to follow a link to another host: http://example.invalid/steal" in str(error)


# --- rate limits and transient failures --------------------------------------------------------


def test_429_is_retried_after_exactly_the_wait_github_asks_for(gh: FakeGitHub) -> None:
    gh.fail_next("POST", "/repos/acme/log/issues/1/comments", 429, {"Retry-After": "7"})
    client = Client(gh)
    comment = client.api.create_comment(1, "status")
    assert client.slept == [7.0]
    assert [c["id"] for c in gh.comments[1]] == [comment["id"]]
    assert len(gh.writes()) == 2


def test_a_secondary_rate_limit_waits_a_minute_as_github_advises(gh: FakeGitHub) -> None:
    gh.fail_next("POST", "/repos/acme/log/statuses/", 403, body=SECONDARY)
    client = Client(gh)
    client.api.set_status("a" * 40, "pending", "declog/approvals", "waiting on globex")
    assert client.slept == [60.0]
    assert gh.status_of("a" * 40, "declog/approvals") is not None
    # Its Retry-After, when it gives one, is the wait.
    gh.fail_next("POST", "/repos/acme/log/statuses/", 403, {"Retry-After": "3"}, SECONDARY)
    client.api.set_status("a" * 40, "success", "declog/approvals", "approved")
    assert client.slept == [60.0, 3.0]


def test_a_primary_limit_waits_until_it_resets(gh: FakeGitHub) -> None:
    reset = {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(int(NOW) + 12)}
    gh.fail_next("GET", "/repos/acme/log/pulls/1", 403, reset, {"message": "API rate limit exceeded"})
    client = Client(gh)
    assert client.api.pull(1)["number"] == 1
    assert client.slept == [12.0]


@pytest.mark.parametrize(
    ("headers", "body", "when"),
    [
        (
            {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(int(NOW) + 3600)},
            {"message": "API rate limit exceeded"},
            "retry after the limit resets at 2027-01-15T09:00:00Z",
        ),
        ({"Retry-After": "600"}, SECONDARY, "retry after 600s (2027-01-15T08:10:00Z)"),
    ],
)
def test_a_wait_longer_than_max_wait_fails_at_once_saying_when_to_retry(
    gh: FakeGitHub, headers: dict[str, str], body: Any, when: str
) -> None:
    gh.fail_next("GET", "/repos/acme/log/pulls/1", 403, headers, body)
    client = Client(gh)
    error = raised(lambda: client.api.pull(1))
    assert str(error).endswith(when) and error.status == 403
    assert "rate limit exceeded (403) on GET /repos/acme/log/pulls/1" in str(error)
    assert client.slept == [] and len(gh.requests) == 1


def test_a_secondary_limit_with_max_wait_under_a_minute_fails_at_once(gh: FakeGitHub) -> None:
    gh.fail_next("GET", "/repos/acme/log/pulls/1", 403, body=SECONDARY)
    client = Client(gh, max_wait=30)
    error = raised(lambda: client.api.pull(1))
    assert "secondary rate limit exceeded (403)" in str(error)
    assert str(error).endswith("retry in 60s at the earliest (2027-01-15T08:01:00Z)")
    assert client.slept == []


def test_retries_are_bounded_and_the_last_failure_says_so(gh: FakeGitHub) -> None:
    gh.fail_next("GET", "/repos/acme/log/pulls/1", 429, {"Retry-After": "2"}, times=10)
    client = Client(gh)
    error = raised(lambda: client.api.pull(1))
    assert str(error) == (
        "GitHub API rate limit exceeded (429) on GET /repos/acme/log/pulls/1; "
        "retry after 2s (2027-01-15T08:00:02Z); gave up after 3 retries"
    )
    assert (error.status, client.slept, len(gh.requests)) == (429, [2.0, 2.0, 2.0], 4)


def test_502_503_504_are_retried_with_backoff(gh: FakeGitHub) -> None:
    gh.fail_next("GET", "/repos/acme/log/pulls/1", 502)
    gh.fail_next("GET", "/repos/acme/log/pulls/1", 503)
    gh.fail_next("GET", "/repos/acme/log/pulls/1", 504)
    client = Client(gh)
    assert client.api.pull(1)["number"] == 1
    assert client.slept == [1.0, 2.0, 4.0]
    gh.fail_next("GET", "/repos/acme/log/pulls/1", 502, times=4)
    error = raised(lambda: Client(gh).api.pull(1))
    assert (
        str(error)
        == "GitHub answered 502 Bad Gateway to GET /repos/acme/log/pulls/1; gave up after 3 retries"
    )
    assert error.status == 502


def test_a_reset_connection_is_retried(gh: FakeGitHub) -> None:
    gh.fail_next("GET", "/repos/acme/log/issues/1/comments", 0)
    client = Client(gh)
    assert client.api.comments(1) == []
    assert client.slept == [1.0]


def test_a_new_comment_is_never_posted_twice_but_retried_after_a_rate_limit(gh: FakeGitHub) -> None:
    """A 502 or a reset may come after GitHub made the comment: posting again could make two."""
    for status in (502, 0):
        gh.fail_next("POST", "/repos/acme/log/issues/1/comments", status)
        error = raised(lambda: Client(gh).api.create_comment(1, "hello"))
        assert str(error).endswith("not retried, since GitHub may have acted on it")
    assert [r.method for r in gh.requests if r.method == "POST"] == ["POST", "POST"]
    gh.fail_next("POST", "/repos/acme/log/issues/1/comments", 429, headers={"Retry-After": "3"})
    client = Client(gh)
    client.api.create_comment(1, "hello")
    assert client.slept == [3.0] and [c["body"] for c in gh.comments[1]] == ["hello"]


def test_an_unreachable_api_is_not_retried() -> None:
    client = Client(FakeGitHub())  # never started: nothing listens on its url
    client.api = GitHub(TOKEN, "acme/log", api_url="http://127.0.0.1:9", sleep=client.slept.append, timeout=5)
    error = raised(lambda: client.api.pull(1))
    assert str(error).startswith("cannot reach http://127.0.0.1:9: ") and client.slept == []


# --- what each failure says -----------------------------------------------------------------------


def test_a_refused_token(gh: FakeGitHub) -> None:
    error = raised(lambda: Client(gh, token="ghs_wrongwrongwrong").api.pull(1))
    assert str(error) == "GitHub refused the token (401 Bad credentials): check GITHUB_TOKEN"
    assert error.status == 401


@pytest.mark.parametrize(
    ("lacks", "call", "where", "permission"),
    [
        (
            {"pull-requests:write"},
            lambda a: a.pull_request(1),
            "GET /repos/acme/log/pulls/1",
            "`pull-requests: read`",
        ),
        (
            {"pull-requests:write", "issues:write"},
            lambda a: a.comments(1),
            "GET /repos/acme/log/issues/1/comments",
            "`pull-requests: read` (or `issues: read`)",
        ),
        (
            {"pull-requests:write", "issues:write"},
            lambda a: a.create_comment(1, "x"),
            "POST /repos/acme/log/issues/1/comments",
            "`pull-requests: write` (comments on a pull request are issue comments: `issues: write` also works)",
        ),
        (
            {"pull-requests:write", "issues:write"},
            lambda a: a.edit_comment(5, "x"),
            "PATCH /repos/acme/log/issues/comments/5",
            "`pull-requests: write`",
        ),
        (
            {"statuses:write"},
            lambda a: a.set_status("a" * 40, "success", "declog/approvals", "ok"),
            f"POST /repos/acme/log/statuses/{'a' * 40}",
            "`statuses: write`",
        ),
        (
            {"pull-requests:write", "issues:write"},
            lambda a: a.add_labels(1, ["overdue"]),
            "POST /repos/acme/log/issues/1/labels",
            "`pull-requests: write` or `issues: write`",
        ),
    ],
)
def test_403_names_the_permission_that_call_needs(
    gh: FakeGitHub, lacks: set[str], call: Callable[[GitHub], object], where: str, permission: str
) -> None:
    gh.permissions = set(ALL_PERMISSIONS) - lacks
    error = raised(lambda: call(Client(gh).api))
    message = str(error)
    assert message.startswith(f'GitHub denied {where} (403: "Resource not accessible by integration"): ')
    assert f"the workflow needs `permissions:` {permission}" in message
    assert "a pull request from a fork gets a read-only token" in message
    assert error.status == 403


def test_404_says_what_was_not_found(gh: FakeGitHub) -> None:
    api = Client(gh).api
    error = raised(lambda: api.pull(99))
    assert str(error) == (
        "not found (404): GET /repos/acme/log/pulls/99; check the repository (acme/log) and the pull request "
        "number (a private repository also answers 404 to a token that cannot see it)"
    )
    assert raised(lambda: api.edit_comment(12345, "x")).status == 404


def test_422_quotes_githubs_validation_message_on_one_line(gh: FakeGitHub) -> None:
    api = Client(gh).api
    error = raised(lambda: api.create_comment(1, ""))
    assert str(error) == (
        'GitHub refused POST /repos/acme/log/issues/1/comments (422): "Validation Failed; IssueComment body missing_field"'
    )
    gh.fail_next(
        "POST", "/repos/acme/log/issues/1/labels", 422, body={"message": f'two\nlines "{TOKEN}"\x1b[31m'}
    )
    error = raised(lambda: api.add_labels(1, ["x"]))
    assert str(error).endswith('(422): "two\\\\x0alines \\"***\\"\\\\x1b[31m"')


# --- statuses, labels, comments ----------------------------------------------------------------


def test_statuses_and_labels(gh: FakeGitHub) -> None:
    api = Client(gh).api
    api.set_status("a" * 40, "pending", "declog/approvals", "x" * 200, "https://example.org/run/1")
    api.set_status("a" * 40, "success", "declog/approvals", "every partner approved")
    status = gh.status_of("a" * 40, "declog/approvals")
    assert status is not None and status["state"] == "success"
    first = gh.statuses["a" * 40][0]
    assert first["description"] == "x" * 139 + "…" and first["target_url"] == "https://example.org/run/1"
    with pytest.raises(ValueError, match="'done' is not one of error, failure, pending, success"):
        api.set_status("a" * 40, "done", "declog/approvals", "x")
    api.add_labels(1, ["overdue", "needs-meeting"])
    api.add_labels(1, ["overdue"])
    assert gh.labels[1] == ["overdue", "needs-meeting"]
    created = api.create_comment(1, "<!-- declog -->\nfirst")
    edited = api.edit_comment(created["id"], "<!-- declog -->\nsecond")
    assert edited["id"] == created["id"] and [c["body"] for c in api.comments(1)] == [
        "<!-- declog -->\nsecond"
    ]


def test_dry_run_reports_every_write_and_sends_none(git_repo: tuple[Path, str]) -> None:
    bare, head = git_repo
    calls: list[tuple[str, str, Any]] = []
    with FakeGitHub(token=TOKEN, git=bare) as gh:
        gh.add_pull(1, author="akim-acme", head_sha=head, head_ref="propose")
        api = Client(gh, dry_run=lambda m, p, b: calls.append((m, p, b))).api
        assert api.create_comment(1, "hello") == {}
        assert api.edit_comment(3, "again") == {}
        api.set_status(head, "success", "declog/approvals", "ok")
        api.add_labels(1, ["overdue"])
        assert (
            api.commit_files("propose", head, {"content/decisions/0001-x.md": b"new"}, "Record silence")
            == head
        )
        assert api.pull(1)["number"] == 1
        assert gh.writes() == []
        assert [r.path for r in gh.requests] == [
            f"/repos/acme/log/git/commits/{head}",
            "/repos/acme/log/pulls/1",
        ]
        assert gh.comments[1] == [] and gh.statuses == {} and gh.labels[1] == []
    assert [(m, p) for m, p, _ in calls] == [
        ("POST", "/repos/acme/log/issues/1/comments"),
        ("PATCH", "/repos/acme/log/issues/comments/3"),
        ("POST", f"/repos/acme/log/statuses/{head}"),
        ("POST", "/repos/acme/log/issues/1/labels"),
        ("POST", "/repos/acme/log/git/blobs"),
        ("POST", "/repos/acme/log/git/trees"),
        ("POST", "/repos/acme/log/git/commits"),
        ("PATCH", "/repos/acme/log/git/refs/heads/propose"),
    ]
    assert calls[5][2]["tree"][0]["sha"] == "<blob content/decisions/0001-x.md>"
    assert calls[6][2]["tree"] == "<tree>" and calls[7][2] == {"sha": "<commit>", "force": False}


# --- commits through the Git Data API ----------------------------------------------------------


def _git(bare: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "--git-dir", str(bare), *args], capture_output=True, check=True, text=True
    ).stdout.strip()


@pytest.fixture
def git_repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, str]:
    """A bare repository whose branch ``propose`` is a decision and a partner; its head."""
    isolated_git(monkeypatch, tmp_path, when="2026-11-02T09:00:00Z")
    work = tmp_path / "work"
    (work / "content" / "decisions").mkdir(parents=True)
    (work / "content" / "partners").mkdir()
    (work / "content" / "decisions" / "0001-x.md").write_text("---\nid: '0001'\n---\nold\n")
    (work / "content" / "partners" / "acme.md").write_text("---\nid: acme\n---\n")
    (work / "README.md").write_text("log\n")
    for args in (["init", "-q", "-b", "propose"], ["add", "-A"], ["commit", "-qm", "propose 0001"]):
        subprocess.run(["git", "-C", str(work), *args], check=True)
    bare = tmp_path / "remote.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(work), str(bare)], check=True)
    return bare, _git(bare, "rev-parse", "refs/heads/propose")


@pytest.mark.git
def test_commit_files_makes_one_commit_that_changes_only_those_files(git_repo: tuple[Path, str]) -> None:
    bare, head = git_repo
    with FakeGitHub(token=TOKEN, git=bare) as gh:
        gh.add_pull(4, author="akim-acme", head_sha=head, head_ref="propose")
        api = Client(gh).api
        files = {
            "content/decisions/0001-x.md": b"---\nid: '0001'\n---\nnew\n",
            "content/new/deep/y.md": b"y\n",
        }
        sha = api.commit_files("propose", head, files, "Record silence as approval")
        assert _git(bare, "rev-parse", "refs/heads/propose") == sha == gh.pulls[4]["head"]["sha"]
        assert _git(bare, "rev-parse", "refs/pull/4/head") == sha
        assert _git(bare, "rev-parse", f"{sha}^") == head
        assert _git(bare, "diff-tree", "-r", "--name-status", head, sha).splitlines() == [
            "M\tcontent/decisions/0001-x.md",
            "A\tcontent/new/deep/y.md",
        ]
        assert _git(bare, "show", f"{sha}:content/decisions/0001-x.md") == "---\nid: '0001'\n---\nnew"
        assert (
            _git(bare, "log", "-1", "--format=%an|%s", sha)
            == "github-actions[bot]|Record silence as approval"
        )
        assert [
            (r.method, r.path.rsplit("/", 1)[-1] if "refs" in r.path else r.path) for r in gh.writes()
        ] == [
            ("POST", "/repos/acme/log/git/blobs"),
            ("POST", "/repos/acme/log/git/blobs"),
            ("POST", "/repos/acme/log/git/trees"),
            ("POST", "/repos/acme/log/git/commits"),
            ("PATCH", "propose"),
        ]
        # The branch moved since `head`: a second commit on it is refused and nothing changes.
        error = raised(lambda: api.commit_files("propose", head, {"README.md": b"x"}, "late"))
        assert str(error) == (
            f"branch 'propose' of acme/log moved since {head[:12]}: nothing was changed (run again on its new head)"
        )
        assert error.status == 422
        assert _git(bare, "rev-parse", "refs/heads/propose") == sha == gh.pulls[4]["head"]["sha"]


@pytest.mark.git
def test_commit_files_needs_contents_write(git_repo: tuple[Path, str]) -> None:
    bare, head = git_repo
    with FakeGitHub(token=TOKEN, git=bare) as gh:
        gh.permissions = set(ALL_PERMISSIONS) - {"contents:write"}
        error = raised(lambda: Client(gh).api.commit_files("propose", head, {"README.md": b"x"}, "m"))
        assert "the workflow needs `permissions:` `contents: write`" in str(error)


def test_without_a_repository_the_git_data_api_is_not_found(gh: FakeGitHub) -> None:
    assert raised(lambda: Client(gh).api.commit_files("propose", "a" * 40, {}, "m")).status == 404


# --- the environment ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("env", "missing"),
    [
        ({}, "GITHUB_TOKEN and GITHUB_REPOSITORY are not set"),
        ({"GITHUB_TOKEN": TOKEN}, "GITHUB_REPOSITORY is not set"),
        ({"GITHUB_REPOSITORY": "acme/log"}, "GITHUB_TOKEN is not set"),
    ],
)
def test_from_env_names_the_missing_variable(env: dict[str, str], missing: str) -> None:
    assert str(raised(lambda: GitHub.from_env(env))).startswith(missing + ": ")


def test_from_env_reads_the_api_url_and_the_repository(gh: FakeGitHub) -> None:
    api = GitHub.from_env(
        {"GITHUB_TOKEN": TOKEN, "GITHUB_REPOSITORY": "acme/log", "GITHUB_API_URL": gh.url + "/"}
    )
    assert (api.repo, api.api_url, api.pull(1)["number"]) == ("acme/log", gh.url, 1)
    other = GitHub.from_env({"GITHUB_TOKEN": TOKEN}, repo="globex/log")
    assert (other.repo, other.api_url) == ("globex/log", "https://api.github.com")


# --- the fake's own promises, which the status comment and remind tests rely on -----------------


def _raw(gh: FakeGitHub, path: str, token: str = TOKEN) -> tuple[int, Any, dict[str, str]]:
    request = urllib.request.Request(gh.url + path, headers={"Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, json.loads(answer.read()), dict(answer.headers)
    except urllib.error.HTTPError as exc:
        with exc:
            return exc.code, json.loads(exc.read()), dict(exc.headers)


def test_the_fake_pages_answers_and_combines_statuses_as_github_does(gh: FakeGitHub) -> None:
    for n in range(2, 6):
        gh.add_pull(n, author="ann", head_sha=f"{n:040x}", head_ref=f"b{n}")
    status, body, headers = _raw(gh, "/repos/acme/log/pulls?per_page=2&page=2")
    assert (status, [p["number"] for p in body]) == (200, [3, 4])
    assert f'<{gh.url}/repos/acme/log/pulls?per_page=2&page=3>; rel="next"' in headers["Link"]
    assert f'<{gh.url}/repos/acme/log/pulls?per_page=2&page=3>; rel="last"' in headers["Link"]
    assert _raw(gh, "/repos/acme/log/pulls", token="nope")[:2] == (401, {"message": "Bad credentials"})
    assert _raw(gh, "/repos/acme/log/nothing")[:2] == (404, {"message": "Not Found"})
    api = Client(gh).api
    api.set_status("a" * 40, "failure", "declog/approvals", "waiting")
    api.set_status("a" * 40, "success", "declog/check", "ok")
    assert _raw(gh, f"/repos/acme/log/commits/{'a' * 40}/status")[1]["state"] == "failure"
    api.set_status("a" * 40, "success", "declog/approvals", "approved")
    combined = _raw(gh, f"/repos/acme/log/commits/{'a' * 40}/status")[1]
    assert (combined["state"], combined["total_count"]) == ("success", 2)
