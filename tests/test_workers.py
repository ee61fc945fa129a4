"""Worker processes: a build that stops early, or loses a worker, neither hangs nor leaves one behind."""

from __future__ import annotations

import multiprocessing
import os
import random
from pathlib import Path

import pytest
from sitetools import EXAMPLE_NOW, copy_example, site_files

from declog.check.checker import Checker
from declog.site import pages
from declog.site.build import build

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
