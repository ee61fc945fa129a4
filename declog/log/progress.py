"""How long work tells its caller how far it has got, without printing anything.

A library function that can take a while (a build, an import) takes an
optional ``progress`` callback and calls it as it goes: ``progress(stage,
done, total)``, with ``total`` 0 for a stage it cannot count. The command line
draws a progress bar from the calls; a caller that shows nothing passes none.
Calls are cheap for the caller to ignore, so loops may report every item.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

#: ``progress(stage, done, total)``: ``stage`` is at item ``done`` of ``total`` (finished or under way).
Progress = Callable[[str, int, int], None]

#: Loading and checking the log (not counted).
CHECK: Final = "check"
#: Rendering the site's files, counted.
RENDER: Final = "render"
#: Building the search index (not counted).
INDEX: Final = "index"
#: Reading the records of an import's source, counted.
READ: Final = "read"
#: Turning an import's records into decisions, counted.
PLAN: Final = "plan"
#: Writing an import's new decision files, counted.
WRITE: Final = "write"


def silent(stage: str, done: int, total: int) -> None:
    """The progress of a caller that shows none."""
