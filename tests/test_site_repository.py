"""``[site] repository``: PR references, commits and source files become links into the log's repository.

GitHub, GitLab and Gitea/Forgejo each have their own addresses
(declog.site.urls.FORGE_LINKS); the forge is told from the host or set with
``forge``. Without the setting nothing links into the repository.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import ACCEPTED, CONFIG, REPO, LogMaker, run_module
from sitetools import parse

from declog.site.build import build
from declog.site.urls import Repository

NOW = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)
FILE = "content/decisions/0001-keep-decisions-in-git.md"
#: The example decision, its first approval given in pull request 54.
REVIEWED = ACCEPTED.replace("    via: pr-review\n", '    via: pr-review\n    ref: "#54"\n', 1)


def configured(log: LogMaker, settings: str) -> None:
    log.config(CONFIG.replace('title = "Test log"\n', f'title = "Test log"\n{settings}\n'))


def built(log: LogMaker, settings: str) -> Path:
    configured(log, settings)
    log.decision("0001-keep-decisions-in-git", REVIEWED)
    out = log.root.parent / "site"
    result = build(log.root, out, now=NOW, search_index=False)
    assert result.built, [f"{d.path}:{d.line}: {d.code} {d.message}" for d in result.findings]
    return out


def links(site: Path, page: str = "decisions/0001/index.html") -> list[str]:
    return [href for tag, href in parse(site / page).links if tag == "a"]


@pytest.mark.parametrize(
    ("settings", "pull", "source"),
    [
        (
            'repository = "https://github.com/acme/log"',
            "https://github.com/acme/log/pull/54",
            f"https://github.com/acme/log/blob/main/{FILE}",
        ),
        (
            'repository = "https://gitlab.com/acme/group/log/"',
            "https://gitlab.com/acme/group/log/-/merge_requests/54",
            f"https://gitlab.com/acme/group/log/-/blob/main/{FILE}",
        ),
        (
            'repository = "https://codeberg.org/acme/log.git"\nbranch = "trunk"',
            "https://codeberg.org/acme/log/pulls/54",
            f"https://codeberg.org/acme/log/src/branch/trunk/{FILE}",
        ),
        (
            'repository = "https://git.acme.example/acme/log"\nforge = "gitlab"\nbranch = "release/2026"',
            "https://git.acme.example/acme/log/-/merge_requests/54",
            f"https://git.acme.example/acme/log/-/blob/release/2026/{FILE}",
        ),
        (
            'repository = "https://git.acme.example/acme/log"\nforge = "gitea"',
            "https://git.acme.example/acme/log/pulls/54",
            f"https://git.acme.example/acme/log/src/branch/main/{FILE}",
        ),
    ],
)
def test_pr_references_and_the_source_file_link_into_the_repository(
    log: LogMaker, settings: str, pull: str, source: str
) -> None:
    site = built(log, settings)
    page = (site / "decisions/0001/index.html").read_text(encoding="utf-8")
    assert f'<td data-label="How">pr-review (<a href="{pull}">#54</a>)</td>' in page
    assert f'<dt>Source file</dt><dd><a href="{source}"><code>{FILE}</code></a></dd>' in page


def test_without_the_setting_nothing_links_into_a_repository(log: LogMaker) -> None:
    site = built(log, "")
    page = (site / "decisions/0001/index.html").read_text(encoding="utf-8")
    assert '<td data-label="How">pr-review (#54)</td>' in page
    assert f"<dt>Source file</dt><dd><code>{FILE}</code></dd>" in page
    assert [href for href in links(site) if href.startswith("http")] == []


def test_only_a_pr_review_s_pull_request_number_is_linked(log: LogMaker) -> None:
    configured(log, 'repository = "https://github.com/acme/log"')
    text = REVIEWED.replace('ref: "#54"', 'ref: "see #54"').replace(
        "    via: pr-review\nrationale", '    via: explicit\n    ref: "#7"\nrationale'
    )
    log.decision("0001-keep-decisions-in-git", text)
    out = log.root.parent / "site"
    assert build(log.root, out, now=NOW, search_index=False).built
    page = (out / "decisions/0001/index.html").read_text(encoding="utf-8")
    assert '<td data-label="How">pr-review (see #54)</td>' in page  # not a pull request number alone
    assert (
        '<td data-label="How">explicit (#7)</td>' in page
    )  # not a pull request: an explicit approval's own reference
    assert "/pull/" not in page


def test_links_are_escaped_in_the_page(log: LogMaker) -> None:
    site = built(log, 'repository = "https://github.com/acme&co/log"')
    page = (site / "decisions/0001/index.html").read_text(encoding="utf-8")
    assert '<a href="https://github.com/acme&amp;co/log/pull/54">#54</a>' in page
    assert "https://github.com/acme&co/log/pull/54" in links(site)  # what a browser follows


@pytest.mark.git
@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_commits_of_the_history_link_to_the_forge(log: LogMaker) -> None:
    configured(log, 'repository = "https://gitlab.com/acme/log"')
    log.decision("0001-keep-decisions-in-git", REVIEWED)
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "Alice",
        "GIT_AUTHOR_EMAIL": "a@example.org",
        "GIT_COMMITTER_NAME": "Alice",
        "GIT_COMMITTER_EMAIL": "a@example.org",
        "GIT_AUTHOR_DATE": "2026-02-01T10:00:00+01:00",
        "GIT_COMMITTER_DATE": "2026-02-01T10:00:00+01:00",
    }
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "Start the log"]):
        subprocess.run(["git", "-C", str(log.root), *args], check=True, capture_output=True, env=env)
    sha = subprocess.run(
        ["git", "-C", str(log.root), "rev-parse", "HEAD"], check=True, capture_output=True, text=True
    ).stdout.strip()
    out = log.root.parent / "site"
    assert build(log.root, out, search_index=False).built
    page = (out / "decisions/0001/index.html").read_text(encoding="utf-8")
    assert f'<a href="https://gitlab.com/acme/log/-/commit/{sha}"><code>{sha[:10]}</code></a>' in page


def test_every_forge_has_its_own_addresses() -> None:
    for forge, pull, commit, blob in [
        ("github", "/pull/3", "/commit/abc1234", "/blob/main/content/a%20b.md"),
        ("gitlab", "/-/merge_requests/3", "/-/commit/abc1234", "/-/blob/main/content/a%20b.md"),
        ("gitea", "/pulls/3", "/commit/abc1234", "/src/branch/main/content/a%20b.md"),
        ("forgejo", "/pulls/3", "/commit/abc1234", "/src/branch/main/content/a%20b.md"),
    ]:
        repo = Repository("https://forge.example/o/r", forge)
        assert repo.reference("#3") == repo.pull(3) == "https://forge.example/o/r" + pull
        assert repo.commit("abc1234") == "https://forge.example/o/r" + commit
        assert repo.file("content/a b.md") == "https://forge.example/o/r" + blob
        assert repo.reference("3") == repo.reference("#3a") == repo.commit("not-a-sha") == ""


@pytest.mark.parametrize(
    ("settings", "line"),
    [
        (
            'repository = "javascript:alert(1)"',
            "declog.toml:3:1: error DL502 site.repository 'javascript:alert(1)' is not an http(s) URL",
        ),
        (
            'repository = "https://github.com/a/b\\"><script>x</script>"',
            "declog.toml:3:1: error DL502 site.repository 'https://github.com/a/b\"><script>x</script>' "
            "contains '\"' (write it percent-encoded: %22)",
        ),
        (
            'repository = "https://github.com/a b"',
            "declog.toml:3:1: error DL502 site.repository 'https://github.com/a b' "
            "contains a space (write it percent-encoded: %20)",
        ),
        (
            'repository = "https://github.com/<a>/b"',
            "declog.toml:3:1: error DL502 site.repository 'https://github.com/<a>/b' "
            "contains '<' (write it percent-encoded: %3C)",
        ),
        (
            'repository = "https://github.com/"',
            "declog.toml:3:1: error DL502 site.repository 'https://github.com/' names no repository",
        ),
        (
            'repository = "https://github.com/a/b#readme"',
            "declog.toml:3:1: error DL502 site.repository 'https://github.com/a/b#readme' has a ?query or #fragment",
        ),
        (
            'repository = "https://git.acme.example/a/b"',
            "declog.toml:3:1: error DL502 site.repository: declog cannot tell which forge git.acme.example runs",
        ),
        (
            'repository = "https://github.com/a/b"\nforge = "bitbucket"',
            "declog.toml:4:1: error DL502 site.forge 'bitbucket' is not one of: github, gitlab, gitea, forgejo",
        ),
        (
            'repository = "https://github.com/a/b"\nbranch = "main branch"',
            "declog.toml:4:1: error DL502 site.branch 'main branch' is not a branch name a link can carry",
        ),
    ],
    ids=["javascript", "quote", "space", "angle", "no-repo", "fragment", "unknown-forge", "forge", "branch"],
)
def test_a_bad_repository_setting_is_a_finding_with_file_and_line(
    log: LogMaker, settings: str, line: str
) -> None:
    configured(log, settings)
    run = log.check()
    assert run.exit_code == 2
    [shown] = run.lines
    assert shown.startswith(line)  # then the hint, when there is one


def test_an_unknown_host_names_the_forge_setting_in_its_hint(log: LogMaker) -> None:
    configured(log, 'repository = "https://git.acme.example/a/b"')
    run = log.check("--format", "json")
    assert run.exit_code == 2
    [found] = run.json()
    assert found["hint"] == "add forge = one of 'github', 'gitlab', 'gitea', 'forgejo' under [site]"


def test_init_writes_a_commented_repository_line(tmp_path: Path) -> None:
    run = run_module(["init", str(tmp_path), "--member", "alice"], cwd=tmp_path)
    assert run.exit_code == 0, run.stderr
    text = (tmp_path / "declog.toml").read_text(encoding="utf-8")
    assert '# repository = "https://github.com/OWNER/REPO"\n' in text
    # uncommented with a real address, it is a valid setting
    (tmp_path / "declog.toml").write_text(
        text.replace(
            '# repository = "https://github.com/OWNER/REPO"', 'repository = "https://github.com/o/r"'
        )
    )
    assert run_module(["check", "--root", str(tmp_path)], cwd=tmp_path).exit_code == 0


def test_the_example_log_sets_no_repository() -> None:
    """The example partnership has no real repository: its pages link nowhere outside the site."""
    assert "repository" not in (REPO / "declog.toml").read_text(encoding="utf-8")
