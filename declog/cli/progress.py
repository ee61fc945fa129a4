"""The progress bar of long work (build, import, serve's first build), drawn on standard error.

The library reports how far it has got through a ``Progress`` callback
(declog.log.progress); a ``Bar`` is such a callback. It draws only on a
terminal, outside CI (``CI`` set, as every CI service sets it) and without
``-q``, and only once the work has taken more than ``DELAY`` seconds: quick
work and logs print exactly what they did before, the summary line is enough.
The bar is erased when the work ends, so the summary line follows it cleanly.
"""

from __future__ import annotations

import os
import shutil
import sys
import time
from collections.abc import Callable
from types import TracebackType
from typing import TextIO

from declog.log.progress import CHECK, INDEX, PLAN, READ, RENDER, WRITE

#: Work that ends within this many seconds shows no bar.
DELAY = 1.0
#: The bar is redrawn at most this often (seconds), and whenever a stage begins or ends.
REDRAW = 0.1

#: What each stage is called on the bar, and what it counts.
LABELS = {
    CHECK: ("checking the log", ""),
    RENDER: ("rendering", "files"),
    INDEX: ("indexing for search", ""),
    READ: ("reading", "records"),
    PLAN: ("planning", "records"),
    WRITE: ("writing", "decisions"),
}


def interactive(stream: TextIO) -> bool:
    """Whether progress is worth drawing on ``stream``: a terminal, and not a CI job."""
    if os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no"):
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # a closed or unusual stream
        return False


def bar_line(stage: str, done: int, total: int, width: int = 80) -> str:
    """``rendering [##########----------] 1200/2400 files``; the label alone for work it cannot count."""
    label, unit = LABELS.get(stage, (stage, ""))
    if total <= 0:
        return f"{label} ..."[:width]
    counts = f"{min(done, total)}/{total}" + (f" {unit}" if unit else "")
    room = max(10, min(40, width - len(label) - len(counts) - 4))
    filled = room * min(done, total) // total
    return f"{label} [{'#' * filled}{'-' * (room - filled)}] {counts}"[:width]


class Bar:
    """A ``Progress`` callback that draws a one-line progress bar; a context manager that erases it.

    ``show`` forces the decision ``interactive`` makes (tests); ``delay`` and
    ``clock`` replace ``DELAY`` and the monotonic clock.
    """

    def __init__(
        self,
        *,
        quiet: bool = False,
        stream: TextIO | None = None,
        show: bool | None = None,
        delay: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.on = not quiet and (interactive(self.stream) if show is None else show)
        self.delay = DELAY if delay is None else delay
        self.clock: Callable[[], float] = clock
        self.started = clock()
        self.drawn = 0
        """Characters of the line on screen now (0: none)."""
        self.shown: tuple[str, int, int] | None = None
        self.at = 0.0

    def __call__(self, stage: str, done: int, total: int) -> None:
        if not self.on:
            return
        now = self.clock()
        if now - self.started < self.delay:
            return
        new_stage = self.shown is None or self.shown[0] != stage
        if not new_stage and done < total and now - self.at < REDRAW:
            return
        self.shown, self.at = (stage, done, total), now
        width = shutil.get_terminal_size().columns - 1  # the last column would wrap on some terminals
        line = bar_line(stage, done, total, max(width, 20))
        self.stream.write("\r" + line.ljust(self.drawn))
        self.stream.flush()
        self.drawn = len(line)

    def close(self) -> None:
        """Erase the bar (when one was drawn), leaving the cursor where the line began."""
        if self.drawn:
            self.stream.write("\r" + " " * self.drawn + "\r")
            self.stream.flush()
            self.drawn = 0

    def __enter__(self) -> Bar:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
