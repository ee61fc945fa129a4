"""One moment for every output: the site is as current as the clock, and a rebuild at a later
moment with no new commit (the scheduled Pages rebuild) changes exactly what time changed."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import random
import re
from pathlib import Path
from typing import Any

import pytest
from conftest import GitRepo, invoke, isolated_git
from sitetools import copy_example

from declog.check.checker import load_and_check
from declog.insight.audit import STALE_AFTER
from declog.site import views

pytestmark = pytest.mark.git

#: 0028 waits on Kanto Lab and Rota Sul, whose silence counts once its deadline passes.
DEADLINE_28 = dt.datetime(2026, 11, 26, 15, 0, tzinfo=dt.UTC)


def epoch(t: dt.datetime) -> dict[str, str]:
    return {"SOURCE_DATE_EPOCH": str(int(t.timestamp()))}


def build(root: Path, at: dt.datetime) -> None:
    """``declog build`` as the Pages workflow runs it (the default: cache on), at ``at``."""
    run = invoke(["build", "--root", str(root), "--no-search"], env=epoch(at))
    assert run.exit_code == 0, run.stderr


def states(site: Path, did: str) -> dict[str, str]:
    """Partner -> state in the approval matrix of ``did``'s page."""
    page = (site / "decisions" / did / "index.html").read_text(encoding="utf-8")
    rows = re.findall(r'<tr class="state-([a-z-]+)">\s*<th[^>]*><a href="[./]*partners/([^/]+)/', page)
    return {pid: state for state, pid in rows}


def snapshot(site: Path) -> dict[str, tuple[int, int]]:
    return {
        p.relative_to(site).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns)
        for p in site.rglob("*")
        if p.is_file()
    }


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> GitRepo:
    """The example log in git, committed days before 0028's deadline; nothing is committed after."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    isolated_git(monkeypatch, tmp_path, when="2026-11-24T12:00:00+00:00")
    repo = GitRepo(copy_example(tmp_path / "log"))
    repo.git("init", "-q", "-b", "main")
    repo.commit("the log")
    return repo


def test_a_scheduled_rebuild_after_a_deadline_is_current_without_a_new_commit(repo: GitRepo) -> None:
    site = repo.root / "site"
    before = DEADLINE_28 - dt.timedelta(hours=1)
    build(repo.root, before)
    assert states(site, "0028") == {
        "kessler": "approved",
        "maplegrid": "approved",
        "kanto-lab": "pending",
        "rota-sul": "pending",
    }
    home = (site / "index.html").read_text(encoding="utf-8")
    assert re.search(r'data-deadline="2026-11-26T10:00:00-05:00" data-open>open<', home)

    after = DEADLINE_28 + dt.timedelta(hours=1)
    build(repo.root, after)  # the hourly rebuild: the same commit, a later clock
    assert states(site, "0028")["kanto-lab"] == "silence-due"
    assert states(site, "0028")["rota-sul"] == "silence-due"
    home = (site / "index.html").read_text(encoding="utf-8")
    assert re.search(r'data-deadline="2026-11-26T10:00:00-05:00">passed<', home)
    data = json.loads((site / "decisions.json").read_text(encoding="utf-8"))
    assert data["as_of"] == "2026-11-26T15:00:01+00:00"  # the moment time last changed the site
    d28 = next(d for d in data["decisions"] if d["id"] == "0028")
    assert d28["waiting_on"] == [] and d28["silence_due"] == ["kanto-lab", "rota-sul"]
    # `query` at that moment tells the same story
    run = invoke(["query", "--root", str(repo.root), "--format", "json", "id = 0028"], env=epoch(after))
    assert run.exit_code == 0, run.stderr
    assert run.json()[0]["waiting_on"] == [] and run.json()[0]["silence_due"] == ["kanto-lab", "rota-sul"]

    # An hour later nothing more has changed with time: the rebuild rewrites no file.
    kept = snapshot(site)
    build(repo.root, after + dt.timedelta(hours=1))
    assert snapshot(site) == kept


def test_without_source_date_epoch_the_site_is_as_of_the_clock(
    repo: GitRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    doc = next((repo.root / "content/decisions").glob("0028-*.md"))
    text = doc.read_text(encoding="utf-8")
    passed = (now - dt.timedelta(minutes=10)).isoformat()
    doc.write_text(re.sub(r"(?m)^deadline: .*$", f"deadline: {passed}", text), encoding="utf-8")
    repo.commit("0028's deadline ten minutes ago")
    run = invoke(["build", "--root", str(repo.root), "--no-search"])
    assert run.exit_code == 0, run.stderr
    assert states(repo.root / "site", "0028")["kanto-lab"] == "silence-due"
    data = json.loads((repo.root / "site/decisions.json").read_text(encoding="utf-8"))
    as_of = dt.datetime.fromisoformat(data["as_of"])
    assert now - dt.timedelta(minutes=11) < as_of <= dt.datetime.now(dt.UTC)


def _what_time_decides(views: Any) -> object:
    """Everything a page shows that time alone can change: where each decision stands, what needs
    attention (overdue, ready, waiting on whom), each partner's list, the audit's figures."""
    log = views.log

    def attention(a: Any) -> tuple[object, ...]:
        return (a.decision.id, a.passed, a.overdue, a.ready, [w.partner.id for w in a.waiting])

    figures = [
        (f.key, f.value, f.n, f.ids) for s in views.audit.sections for f in s.figures if f.value is not None
    ]
    return (
        {d.id: [(r.partner, r.state) for r in views.standing(d).partners] for d in log.decisions},
        [attention(a) for a in views.board.attention],
        [attention(a) for a in views.board.upcoming],
        {pid: [attention(a) for a in pv.awaiting] for pid, pv in views.partners.items()},
        figures,
    )


def test_the_site_as_of_its_moment_says_what_it_would_say_at_the_build_moment(tmp_path: Path) -> None:
    """views.as_of's promise (docs/site.md): between the moments it knows, time changes nothing a
    page shows. Tried at, just before and just after every moment, and at random ones between."""
    root = copy_example(tmp_path / "log")
    checked = load_and_check(root)
    assert checked.log is not None
    log = checked.log
    window = log.config.workflow.feedback_window
    moments = [t for d in log.decisions if d.deadline for t in (d.deadline, d.deadline - window)]
    begun = [d.proposed or d.logged for d in log.decisions if d.status == "draft"]
    moments += [t + STALE_AFTER for t in begun if t is not None]
    tries = [t + dt.timedelta(seconds=s) for t in moments for s in (-1, 0, 1, 2, 3600)]
    rng = random.Random(21)
    first, last = min(moments), max(moments)
    tries += [first + (last - first) * rng.random() for _ in range(40)]
    for now in tries:
        moment = views.as_of(log, now)
        assert moment <= now
        at_now = _what_time_decides(views.Views(log, now, {}))
        assert _what_time_decides(views.Views(log, moment, {})) == at_now, (now, moment)


def test_source_date_epoch_fixes_the_moment_of_every_command(tmp_path: Path) -> None:
    """docs/site.md: with SOURCE_DATE_EPOCH set, every command works at that moment."""
    root = copy_example(tmp_path / "log")
    at = DEADLINE_28 + dt.timedelta(minutes=5)
    audit = invoke(["audit", "--root", str(root), "--format", "json"], env=epoch(at))
    assert audit.exit_code == 0, audit.stderr
    assert dt.datetime.fromisoformat(audit.json()["window"]["now"]) == at
    query = invoke(["query", "--root", str(root), "--format", "json", "id = 0028"], env=epoch(at))
    assert query.json()[0]["silence_due"] == ["kanto-lab", "rota-sul"]  # 0028's deadline has passed
    check = invoke(["check", "--root", str(root)], env=epoch(DEADLINE_28 - dt.timedelta(hours=1)))
    assert "0028 is ready" not in check.stdout  # its deadline not yet passed, silence not yet counted
    check = invoke(["check", "--root", str(root)], env=epoch(at))
    assert "note DL322 0028 is ready to accept" in check.stdout


def test_with_source_date_epoch_serve_waits_for_no_deadline(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """docs/serve.md: serve rebuilds when a deadline passes, unless SOURCE_DATE_EPOCH fixes the moment."""
    from declog.site.incremental import Incremental

    root = copy_example(tmp_path / "log")
    doc = next((root / "content/decisions").glob("0028-*.md"))
    ahead = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(hours=1)
    doc.write_text(re.sub(r"(?m)^deadline: .*$", f"deadline: {ahead.isoformat()}", doc.read_text()))
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    site = Incremental(root, tmp_path / "out")
    assert site.update().built
    due = site.next_change()
    assert due is not None and due <= 3600  # at the latest 0028's deadline, an hour from now
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(dt.datetime.now(dt.UTC).timestamp())))
    assert site.next_change() is None


def test_lists_order_date_times_as_the_moments_they_name() -> None:
    """Sort keys (``timeparse.instant``) order date-times with any offsets, the earliest and latest
    a date-time can be, and missing ones exactly as comparing the date-times themselves does."""
    from declog.log.timeparse import instant

    rng = random.Random(20261207)
    zones = [dt.timezone(dt.timedelta(minutes=m)) for m in (-720, -330, 0, 1, 60, 345, 840)]
    base = dt.datetime(2026, 3, 29, 1, 30, tzinfo=dt.UTC)
    moments = [base + dt.timedelta(microseconds=rng.randrange(-(10**7), 10**7)) for _ in range(300)]
    moments += [m.astimezone(rng.choice(zones)) for m in moments[:100]]  # the same moments elsewhere
    moments += [dt.datetime.min.replace(tzinfo=dt.UTC), dt.datetime.max.replace(tzinfo=zones[0])]
    moments += [dt.datetime(9999, 12, 31, 23, 59, 59, n, tzinfo=zones[-1]) for n in (1, 2)]
    rng.shuffle(moments)
    assert sorted(moments) == sorted(moments, key=instant)
    assert all((instant(a) == instant(b)) == (a == b) for a, b in itertools.pairwise(moments))
    assert instant(None) < min(map(instant, moments)) and instant(None, 1 << 62) > max(map(instant, moments))
