"""A log kept in git: each decision page shows the file's history, gathered by one git log."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from sitetools import EXAMPLE_NOW, copy_example

from declog.log import history
from declog.site.build import build

pytestmark = [pytest.mark.git, pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")]

D13 = "content/decisions/0013-revoke-and-rotate-all-ingestion-keys-after-the-rota-sul-credential-leak.md"


def git(root: Path, *args: str, when: str = "2026-02-07T21:40:00+01:00", who: str = "Tobias Brandt") -> None:
    env = {
        **os.environ,
        "GIT_AUTHOR_DATE": when,
        "GIT_COMMITTER_DATE": when,
        "GIT_AUTHOR_NAME": who,
        "GIT_AUTHOR_EMAIL": "t@example.org",
        "GIT_COMMITTER_NAME": who,
        "GIT_COMMITTER_EMAIL": "t@example.org",
    }
    subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True, env=env)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = copy_example(tmp_path / "log")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "Import the log")
    path = root / D13
    path.write_text(
        path.read_text(encoding="utf-8").replace("## Consequences", "## Consequences\n\nAmended.")
    )
    git(
        root,
        "commit",
        "-q",
        "-am",
        "Note the consequences of 0013 <b>now</b>",
        when="2026-02-09T10:00:00+01:00",
        who="Anja Kessler",
    )
    return root


def test_history_comes_from_one_git_log_pass(repo: Path) -> None:
    found = history.file_history(repo)
    commits = found[D13]
    assert [c.subject for c in commits] == ["Note the consequences of 0013 <b>now</b>", "Import the log"]
    assert commits[0].author == "Anja Kessler"
    assert len(found) == sum(1 for _ in (repo / "content").rglob("*.md"))


def test_decision_pages_show_their_history_and_as_of_is_the_last_commit(repo: Path) -> None:
    site = repo.parent / "site"
    # Half an hour after the last commit, with no deadline in between: the site is as of that commit.
    now = dt.datetime.fromisoformat("2026-02-09T10:30:00+01:00")
    assert build(repo, site, search_index=False, now=now).built
    page = (site / "decisions/0013/index.html").read_text(encoding="utf-8")
    table = page.split('aria-labelledby="dl-history"')[1].split("</section>")[0]
    assert table.count('<tr><td data-label="Date">') == 2
    assert (
        '<td data-label="Author">Anja Kessler</td>'
        '<td data-label="Change">Note the consequences of 0013 &lt;b&gt;now&lt;/b&gt;</td>'
    ) in table
    assert '<time datetime="2026-02-09T10:00:00+01:00">' in page.split("As of")[1]
    other = (site / "decisions/0001/index.html").read_text(encoding="utf-8")
    assert other.split('aria-labelledby="dl-history"')[1].count('<tr><td data-label="Date">') == 1


def test_outside_git_there_is_no_history_section(tmp_path: Path) -> None:
    root = copy_example(tmp_path / "log")
    assert build(root, tmp_path / "site", now=EXAMPLE_NOW, search_index=False).built
    assert 'aria-labelledby="dl-history"' not in (tmp_path / "site/decisions/0013/index.html").read_text()
