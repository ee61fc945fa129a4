"""Reading pull request reviews: GitHub's three file shapes, and the REST API over loopback."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES

from declog.pr.github import GitHub
from declog.pr.pullrequest import load_pull
from declog.pr.reviews import (
    APPROVED,
    CHANGES_REQUESTED,
    COMMENTED,
    Review,
    ReviewsError,
    latest_by_reviewer,
    next_link,
    parse_reviews,
    read_reviews_file,
)

GITHUB = FIXTURES / "github"


def test_the_rest_list() -> None:
    pull = read_reviews_file(GITHUB / "rest-reviews.json")
    assert pull.number is None and pull.complete
    assert [(r.user, r.state) for r in pull.reviews] == [
        ("mlee-globex", COMMENTED),
        ("jsmith-northwind", CHANGES_REQUESTED),
        ("jsmith-northwind", APPROVED),
        ("mlee-globex", APPROVED),
        ("octo-intern", APPROVED),
    ]
    assert pull.reviews[2].commit == "9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b"
    assert pull.reviews[2].submitted_text == "2026-11-04T09:05:31Z"


def test_gh_pr_view() -> None:
    pull = read_reviews_file(GITHUB / "gh-pr-view.json")
    assert (pull.number, pull.author) == (17, "akim-acme")
    assert pull.files == ("content/decisions/2026-11-02-co-marketing-budget.md",)
    assert [r.user for r in pull.reviews] == [
        r.user for r in read_reviews_file(GITHUB / "rest-reviews.json").reviews
    ]


def test_the_event_payload_is_one_review_in_lower_case() -> None:
    pull = read_reviews_file(GITHUB / "event-pull-request-review.json")
    assert (pull.number, pull.author, pull.repository, pull.complete) == (
        17,
        "akim-acme",
        "acme-northwind/decisions",
        False,
    )
    assert pull.head_sha == "9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b"
    assert [(r.user, r.state) for r in pull.reviews] == [("mlee-globex", APPROVED)]


def test_the_latest_verdict_stands_and_a_later_comment_does_not_lift_it() -> None:
    def r(user: str, state: str, at: str) -> Review:
        return parse_reviews([{"user": {"login": user}, "state": state, "submitted_at": at}]).reviews[0]

    latest = latest_by_reviewer(
        [
            r("ann", "APPROVED", "2026-01-01T10:00:00Z"),
            r("ann", "COMMENTED", "2026-01-01T11:00:00Z"),
            r("ben", "APPROVED", "2026-01-01T10:00:00Z"),
            r("ben", "CHANGES_REQUESTED", "2026-01-01T12:00:00Z"),
            r("cat", "COMMENTED", "2026-01-01T10:00:00Z"),
            r("dan", "PENDING", "2026-01-01T10:00:00Z"),
        ]
    )
    assert {u: x.state for u, x in latest.items()} == {
        "ann": APPROVED,
        "ben": CHANGES_REQUESTED,
        "cat": COMMENTED,
    }


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"foo": 1}, "not a review list, `gh pr view --json reviews` output or a pull_request_review event"),
        ("text", "expected a list of reviews or an object, got str"),
        ([{"state": "LGTM"}], "unknown review state 'LGTM'"),
        ([7], "a review is int, not an object"),
    ],
)
def test_bad_shapes_say_what_is_wrong(data: Any, message: str) -> None:
    with pytest.raises(ReviewsError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_reviews(data)


def test_next_link() -> None:
    header = '<https://api.example/x?page=2>; rel="next", <https://api.example/x?page=5>; rel="last"'
    assert next_link(header) == "https://api.example/x?page=2"
    assert next_link('<https://api.example/x?page=1>; rel="prev"') is None
    assert next_link(None) is None


# --- the API client against a local server ----------------------------------------------------


class Api:
    """Canned answers by path; records the requests it saw."""

    def __init__(self) -> None:
        self.routes: dict[str, tuple[int, Any, dict[str, str]]] = {}
        self.seen: list[tuple[str, str]] = []
        self.url = ""


@pytest.fixture
def api() -> Iterator[Api]:
    state = Api()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            state.seen.append((self.path, self.headers.get("Authorization", "")))
            status, body, headers = state.routes.get(self.path, (404, {"message": "Not Found"}, {}))
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            for k, v in headers.items():
                self.send_header(k, v.replace("BASE", state.url))
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


REVIEWS = json.loads((GITHUB / "rest-reviews.json").read_text(encoding="utf-8"))
PR = {
    "number": 17,
    "user": {"login": "akim-acme"},
    "head": {"sha": "9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b"},
}
BASE = "/repos/acme-northwind/decisions/pulls/17"


def test_the_client_follows_every_page(api: Api) -> None:
    api.routes[BASE] = (200, PR, {})
    api.routes[f"{BASE}/reviews?per_page=100"] = (
        200,
        REVIEWS[:2],
        {"Link": f'<BASE{BASE}/reviews?per_page=100&page=2>; rel="next"'},
    )
    api.routes[f"{BASE}/reviews?per_page=100&page=2"] = (200, REVIEWS[2:], {})
    pull = GitHub("t0ken", "acme-northwind/decisions", api_url=api.url).pull_request(17)
    assert (pull.number, pull.author, len(pull.reviews)) == (17, "akim-acme", 5)
    assert [p for p, _ in api.seen] == [
        BASE,
        f"{BASE}/reviews?per_page=100",
        f"{BASE}/reviews?per_page=100&page=2",
    ]
    assert {auth for _, auth in api.seen} == {"Bearer t0ken"}


def test_the_api_url_comes_from_the_environment(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_API_URL", api.url)
    api.routes[BASE] = (200, PR, {})
    api.routes[f"{BASE}/reviews?per_page=100"] = (200, [], {})
    assert GitHub("t", "acme-northwind/decisions").pull_request(17).reviews == ()


def test_the_token_never_follows_a_link_to_another_host(api: Api) -> None:
    api.routes[BASE] = (200, PR, {})
    api.routes[f"{BASE}/reviews?per_page=100"] = (200, [], {"Link": '<http://example.invalid/x>; rel="next"'})
    with pytest.raises(ReviewsError, match="refusing to follow a link to another host"):
        GitHub("t", "acme-northwind/decisions", api_url=api.url).pull_request(17)


@pytest.mark.parametrize(
    ("status", "headers", "message"),
    [
        (401, {}, r"GitHub refused the token \(401 Bad credentials\): check GITHUB_TOKEN"),
        (
            403,
            {},
            r"GitHub denied GET /repos/acme-northwind/decisions/pulls/17 \(403: \"nope\"\): .*pull-requests: read",
        ),
        (404, {}, r"not found \(404\): .*a private repository also answers 404"),
        (
            403,
            {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "4102444800"},
            r"rate limit exceeded \(403\) on GET /repos/acme-northwind/decisions/pulls/17; retry after the limit resets at 2100-01-01T00:00:00Z$",
        ),
        (
            429,
            {"Retry-After": "30"},
            r"rate limit exceeded \(429\) .*; retry after 30s .*; gave up after 3 retries$",
        ),
    ],
)
def test_api_errors_say_what_to_do(api: Api, status: int, headers: dict[str, str], message: str) -> None:
    slept: list[float] = []
    api.routes[BASE] = (status, {"message": "nope"}, headers)
    with pytest.raises(ReviewsError, match=message):
        GitHub("t", "acme-northwind/decisions", api_url=api.url, sleep=slept.append).pull_request(17)
    assert slept == ([30.0] * 3 if status == 429 else [])


def test_an_unreachable_api() -> None:
    with pytest.raises(ReviewsError, match=r"cannot reach http://127\.0\.0\.1:9"):
        GitHub("t", "a/b", api_url="http://127.0.0.1:9", timeout=5).pull_request(1)


def test_in_actions_the_event_names_the_pull_request_and_the_api_gives_every_review(
    api: Api, tmp_path: Path
) -> None:
    api.routes[BASE] = (200, PR, {})
    api.routes[f"{BASE}/reviews?per_page=100"] = (200, REVIEWS, {})
    env = {"GITHUB_TOKEN": "t", "GITHUB_REPOSITORY": "acme-northwind/decisions", "GITHUB_API_URL": api.url}
    pull = load_pull(event_file=GITHUB / "event-pull-request-review.json", env=env)
    assert (pull.number, pull.author, pull.complete, len(pull.reviews)) == (17, "akim-acme", True, 5)
    # Without a token only the event's own review is known.
    alone = load_pull(event_file=GITHUB / "event-pull-request-review.json", env={})
    assert (alone.complete, [r.user for r in alone.reviews]) == (False, ["mlee-globex"])
    # A pull_request event carries no review: the API is the only source.
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"number": 17, "pull_request": {"number": 17}}))
    with pytest.raises(ReviewsError, match="no reviews to read"):
        load_pull(event_file=event, env={})
    assert len(load_pull(event_file=event, env=env).reviews) == 5
