"""Worker processes: a build that stops early, or loses a worker, neither hangs nor leaves one behind;
the rules in a process of their own find what they find in this one."""

from __future__ import annotations

import multiprocessing
import os
import random
import shutil
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES
from sitetools import EXAMPLE_NOW, copy_example, site_files

from declog.check import checker, rerun
from declog.check.checker import Checker
from declog.site import pages
from declog.site.build import build
from declog.site.views import Views

PARENT = os.getpid()


def build_with(root: Path, out: Path, jobs: int, strict: bool = False) -> bool:
    """A build as ``declog build`` makes it: with a checker, whose documents the workers parse first."""
    checker = Checker(root, keep_bytes=False)
    return build(
        root, out, now=EXAMPLE_NOW, search_index=False, jobs=jobs, strict=strict, checker=checker
    ).built


def test_a_build_that_fails_its_check_stops_the_workers_rendering_early(tmp_path: Path) -> None:
    root = copy_example(tmp_path / "log")
    doc = next((root / "content/decisions").glob("0013-*.md"))
    doc.write_text(doc.read_text(encoding="utf-8").replace("tags:", "colour: red\ntags:"), encoding="utf-8")
    for _ in range(5):  # the check ends while bodies are still being rendered, or just after
        assert not build_with(root, tmp_path / "site", jobs=2, strict=True)
        assert multiprocessing.active_children() == []
    assert not (tmp_path / "site").exists()


def _die_in_worker(name: str) -> object:
    """``pages.<name>``, except that in a worker process it dies at once."""
    real = getattr(pages, name)

    def chunk(arg: object) -> object:
        if os.getpid() != PARENT:
            os._exit(1)  # as if killed for memory
        return real(arg)

    chunk.__module__, chunk.__qualname__ = pages.__name__, name  # sent to workers by this name
    return chunk


@pytest.mark.parametrize("stage", ["_parse_chunk", "_prefetch_chunk", "_render_chunk"])
def test_a_worker_that_dies_costs_time_not_pages(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, stage: str
) -> None:
    root = copy_example(tmp_path / "log")
    monkeypatch.setattr(pages, "PARALLEL_FROM", 0)
    assert build_with(root, tmp_path / "serial", jobs=1)
    monkeypatch.setattr(pages, stage, _die_in_worker(stage))
    assert build_with(root, tmp_path / "parallel", jobs=2)
    assert multiprocessing.active_children() == []
    serial, parallel = tmp_path / "serial", tmp_path / "parallel"
    assert site_files(parallel) == site_files(serial)
    assert [r for r in site_files(serial) if (serial / r).read_bytes() != (parallel / r).read_bytes()] == []


def test_each_decisions_json_entry_is_made_once_in_a_parallel_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """decisions.json and the decisions' own JSON files share each entry, whichever worker renders them."""
    from declog.site import feeds

    root = copy_example(tmp_path / "log")
    made = tmp_path / "made.txt"
    real = feeds._decision

    def counted(d: object, *args: object) -> object:
        fd = os.open(made, os.O_WRONLY | os.O_APPEND | os.O_CREAT)
        try:
            os.write(fd, f"{d.id}\n".encode())  # type: ignore[attr-defined]
        finally:
            os.close(fd)
        return real(d, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(feeds, "_decision", counted)
    monkeypatch.setattr(pages, "PARALLEL_FROM", 0)
    assert build_with(root, tmp_path / "site", jobs=2)
    ids = made.read_text().split()
    assert len(ids) == len(list((root / "content/decisions").glob("*.md"))) > 25  # more than one chunk
    assert len(set(ids)) == len(ids)
    assert all(f"decisions/{i}/decision.json" in site_files(tmp_path / "site") for i in ids)


@pytest.mark.parametrize("workers", [0, 2, 4])
def test_chunks_cover_every_job_once_and_keep_groups_whole(workers: int) -> None:
    rng = random.Random(workers)
    for _ in range(200):
        groups = rng.choices(["", "", "a", "b"], k=rng.randrange(0, 400))
        jobs = [pages.Job(f"f{i}", "", group=g) for i, g in enumerate(groups)]
        size = rng.randrange(1, 60)
        chunks = pages._chunks(jobs, size, workers=workers)
        assert [i for start, stop in chunks for i in range(start, stop)] == list(range(len(jobs)))
        cuts = [start for start, _ in chunks[1:]]
        if workers:  # no run of one group is split between two workers
            assert all(not jobs[c].group or jobs[c].group != jobs[c - 1].group for c in cuts)
            for start, stop in chunks:  # the last runs shorter, unless grown to a group's end
                if start >= len(jobs) - 2 * workers * size and not any(j.group for j in jobs[start:stop]):
                    assert stop - start <= max(1, size // 4)
        else:
            assert all(stop - start <= size for start, stop in chunks)


def test_bodies_rendered_while_the_log_is_checked_are_used(tmp_path: Path) -> None:
    """The link targets read from the folders before the check are the log's own (a README and a
    hidden file are no documents), so the bodies rendered early are kept, not rendered again."""
    root = copy_example(tmp_path / "log")
    for folder in ("decisions", "partners"):
        (root / "content" / folder / "README.md").write_text("# About this folder\n", encoding="utf-8")
        (root / "content" / folder / ".draft.md").write_text("draft\n", encoding="utf-8")
    checked = Checker(root).check()
    assert checked.log is not None
    early = pages.Prefetch(root, 2)
    try:
        bodies = early.collect(pages.log_targets(checked.log))
    finally:
        early.close()
    assert set(bodies) == {d.path for d in checked.log.by_path.values()}


# --- the rules in a process of their own ----------------------------------------------------


def _everything_wrong(dest: Path) -> Path:
    shutil.copytree(FIXTURES / "everything-wrong", dest)
    return dest


def _count_here(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Runs of every rule over the whole log made in this process (a forked one counts in its copy)."""
    here: list[int] = []
    real = rerun.every_rule

    def counted(*args: Any) -> Any:
        if os.getpid() == PARENT:
            here.append(1)
        return real(*args)

    monkeypatch.setattr(checker, "every_rule", counted)
    monkeypatch.setattr(rerun, "every_rule", counted)
    return here


def test_the_rules_run_in_a_process_of_their_own_while_the_caller_works(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A first check with work to do meanwhile runs every rule in a forked process: the findings are
    the ones a check here gives, word for word, and the work is given the loaded log."""
    root = _everything_wrong(tmp_path / "log")
    alone = Checker(root).check()
    assert sum(d.code.startswith(("DL2", "DL3")) for d in alone.findings) > 10  # the rules find plenty
    here = _count_here(monkeypatch)
    given: list[object] = []
    beside = Checker(root).check(meanwhile=given.append)
    assert here == []  # not run in this process
    assert beside.findings == alone.findings
    assert given == [beside.log]
    assert multiprocessing.active_children() == []


def test_a_rules_process_that_dies_costs_time_not_findings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _everything_wrong(tmp_path / "log")
    alone = Checker(root).check()
    here = _count_here(monkeypatch)
    real = checker._every_rule_forked

    def dying() -> Any:
        if os.getpid() != PARENT:
            os._exit(1)  # as if killed for memory
        return real()

    dying.__module__, dying.__qualname__ = checker.__name__, "_every_rule_forked"  # sent by this name
    monkeypatch.setattr(checker, "_every_rule_forked", dying)
    assert Checker(root).check(meanwhile=lambda log: None).findings == alone.findings
    assert here == [1]  # run here instead
    assert multiprocessing.active_children() == []


def test_a_rule_that_raises_in_its_process_raises_here(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = copy_example(tmp_path / "log")

    def broken(*args: Any) -> Any:
        raise LookupError("a rule went wrong")

    monkeypatch.setattr(checker, "every_rule", broken)
    with pytest.raises(LookupError, match="a rule went wrong"):
        Checker(root).check(meanwhile=lambda log: None)
    assert multiprocessing.active_children() == []


def test_views_made_before_the_verdict_stop_only_a_log_that_passes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A build makes its views while the rules judge the log, so on a log that fails its check too:
    what they raise there is not shown, the findings are; on a log that passes it is raised."""
    root = _everything_wrong(tmp_path / "wrong")
    alone = Checker(root).check()
    failed = build(
        root, tmp_path / "site", now=EXAMPLE_NOW, search_index=False, jobs=2, checker=Checker(root)
    )
    assert not failed.built and failed.findings == alone.findings  # views of a log wrong in every way
    assert not (tmp_path / "site").exists()

    def broken(self: Views) -> None:
        raise LookupError("a view went wrong")

    monkeypatch.setattr(Views, "warm", broken)
    failed = build(
        root, tmp_path / "site", now=EXAMPLE_NOW, search_index=False, jobs=2, checker=Checker(root)
    )
    assert not failed.built and failed.findings == alone.findings
    good = copy_example(tmp_path / "good")
    with pytest.raises(LookupError, match="a view went wrong"):
        build_with(good, tmp_path / "site", jobs=2)
    assert not (tmp_path / "site").exists()
    assert multiprocessing.active_children() == []
