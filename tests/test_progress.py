"""Long work shows a progress bar with counts on a terminal; CI logs, -q and quick work print nothing more
(issue 12, item 11)."""

from __future__ import annotations

import io
import os
import pty
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import ACCEPTED, LogMaker, invoke

from declog.cli import progress
from declog.cli.progress import Bar, bar_line
from declog.log.progress import CHECK, PLAN, READ, RENDER, WRITE


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def frames(text: str) -> list[str]:
    """The lines a terminal showed one after the other (each drawn over the last with a carriage return)."""
    return [frame.rstrip() for frame in text.split("\r") if frame.strip()]


def test_the_bar_shows_the_stage_and_its_counts() -> None:
    assert bar_line(RENDER, 1200, 2400, width=60) == (
        "rendering [" + "#" * 16 + "-" * 16 + "] 1200/2400 files"
    )
    assert bar_line(WRITE, 3, 3, width=60).endswith("] 3/3 decisions")
    assert bar_line(CHECK, 0, 0) == "checking the log ..."
    assert len(bar_line(READ, 5, 10_000, width=30)) <= 30


def test_the_bar_waits_a_second_then_draws_and_is_erased_at_the_end() -> None:
    clock, out = Clock(), io.StringIO()
    with Bar(stream=out, show=True, clock=clock) as bar:
        bar(CHECK, 0, 0)
        bar(RENDER, 0, 400)
        clock.now += 0.5
        bar(RENDER, 100, 400)
        assert out.getvalue() == ""  # quick work shows nothing
        clock.now += 0.6
        bar(RENDER, 200, 400)
        clock.now += 0.01
        bar(RENDER, 300, 400)  # too soon after the last frame to draw again
        clock.now += 0.2
        bar(RENDER, 400, 400)
        bar(PLAN, 1, 2)  # a new stage is drawn at once
        drawn = out.getvalue()
    assert [frame.split("] ")[-1] for frame in frames(drawn)] == [
        "200/400 files",
        "400/400 files",
        "1/2 records",
    ]
    assert frames(drawn)[-1].startswith("planning [")
    erased = out.getvalue().removeprefix(drawn)
    assert erased.startswith("\r") and erased.endswith("\r") and not erased.strip()


def test_no_bar_off_a_terminal_in_ci_or_when_quiet(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    for bar in (
        Bar(stream=io.StringIO(), delay=0),
        Bar(stream=io.StringIO(), show=True, delay=0, quiet=True),
    ):
        bar(RENDER, 1, 2)
        bar.close()
        assert isinstance(bar.stream, io.StringIO) and bar.stream.getvalue() == ""
    main, side = pty.openpty()
    try:
        with open(side, "w", closefd=False) as terminal:
            assert progress.interactive(terminal)
            for value in ("true", "1", "yes"):  # GitHub Actions, GitLab, others
                monkeypatch.setenv("CI", value)
                assert not progress.interactive(terminal)
            monkeypatch.setenv("CI", "false")
            assert progress.interactive(terminal)
    finally:
        os.close(main)
        os.close(side)


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Commands decide they run on a terminal, and show the bar at once."""
    monkeypatch.setattr(progress, "interactive", lambda stream: True)
    monkeypatch.setattr(progress, "DELAY", 0.0)
    yield


def build(log: LogMaker, tmp_path: Path, *args: str) -> tuple[int, str]:
    site = tmp_path / "site"
    run = invoke(["build", "--root", str(log.root), "--no-search", "--no-cache", "-o", str(site), *args])
    return run.exit_code, run.stderr


def test_build_on_a_terminal_shows_the_files_rendered(log: LogMaker, tmp_path: Path, terminal: None) -> None:
    log.decision("0001-keep-decisions-in-git", ACCEPTED)
    code, err = build(log, tmp_path)
    assert code == 0, err
    shown = frames(err)
    assert shown[0] == "checking the log ..."
    rendering = [frame for frame in shown if frame.startswith("rendering [")]
    files = sum(1 for p in (tmp_path / "site").rglob("*") if p.is_file() and p.name != "pagefind")
    total = int(rendering[-1].split("/")[-1].split()[0])
    assert rendering[-1].endswith(f"] {total}/{total} files") and 0 < total <= files
    # erased before the summary: the last frame is blank, then the usual lines
    assert err.split("\r")[-1].splitlines()[-1].startswith("Built ")


def test_build_with_q_or_off_a_terminal_prints_what_it_always_did(
    log: LogMaker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log.decision("0001-keep-decisions-in-git", ACCEPTED)
    code, err = build(log, tmp_path)  # the test's stderr is no terminal
    assert code == 0
    assert "\r" not in err and err.splitlines()[0] == "declog: checked 3 documents: 0 errors, 0 warnings"
    monkeypatch.setattr(progress, "interactive", lambda stream: True)
    monkeypatch.setattr(progress, "DELAY", 0.0)
    assert build(log, tmp_path, "-q") == (0, "")


def test_import_on_a_terminal_counts_records_and_decisions(
    log: LogMaker, tmp_path: Path, terminal: None
) -> None:
    sheet = tmp_path / "log.csv"
    sheet.write_text("Title,Date,Status\nUse Postgres,2024-01-05,Accepted\nUse Redis,2024-02-01,Open\n")
    run = invoke(["import", "csv", str(sheet), "--root", str(log.root)])
    assert run.exit_code == 0, run.stdout
    shown = frames(run.stderr)
    for frame in ("reading [", "planning [", "writing ["):
        assert any(f.startswith(frame) for f in shown), frame
    assert [f for f in shown if f.startswith("writing [")][-1].endswith("] 2/2 decisions")
    assert "checking the log ..." in shown
    assert "\r" not in run.stdout  # the report itself is untouched
    assert "imported 2 decisions" in run.lines


class Heard:
    """A ``Progress`` callback that keeps every call."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, int, int]] = []

    def __call__(self, stage: str, done: int, total: int) -> None:
        self.calls.append((stage, done, total))

    def stages(self) -> list[str]:
        return [
            stage for i, (stage, _, _) in enumerate(self.calls) if i == 0 or self.calls[i - 1][0] != stage
        ]


def test_serves_first_build_and_a_warm_build_report_their_progress(log: LogMaker, tmp_path: Path) -> None:
    from declog.site.cache import cached_build
    from declog.site.serve import Server

    log.decision("0001-keep-decisions-in-git", ACCEPTED)
    heard = Heard()
    server = Server(log.root, tmp_path / "served", address=("127.0.0.1", 0))
    try:
        assert server.start(progress=heard).kind == "built"
    finally:
        server.stop()
    assert heard.stages() == [CHECK, RENDER]
    stage, done, total = heard.calls[-1]
    assert (stage, done) == (RENDER, total) and total > 10

    for n in range(2, 12):
        text = ACCEPTED.replace('id: "0001"', f'id: "{n:04}"').replace(
            "Keep decisions", f"Keep {n} decisions"
        )
        log.decision(f"{n:04}-keep-{n}-decisions", text)
    out, cold, warm = tmp_path / "site", Heard(), Heard()
    assert cached_build(log.root, out, search_index=False, progress=cold).built
    log.decision(
        "0002-keep-2-decisions",
        log.root.joinpath("content/decisions/0002-keep-2-decisions.md")
        .read_text()
        .replace("We keep decisions as Markdown files.", "We keep them as Markdown files."),
    )
    assert cached_build(log.root, out, search_index=False, progress=warm).built
    assert warm.stages() == [CHECK, RENDER]
    # only what the change affects is rendered again, and the bar counts those
    assert 0 < warm.calls[-1][2] < cold.calls[-1][2]
