"""The command line: a thin adapter over the library that owns printing and exit codes.

One module per group of commands; importing them registers their commands on
the ``declog`` group defined in ``base``. Nothing in the package imports this.
"""

from declog.cli import imports, insight, pulls, renumber, site, validate
from declog.cli.base import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, cli, main

__all__ = [
    "EXIT_OK",
    "EXIT_PROBLEMS",
    "EXIT_USAGE",
    "cli",
    "imports",
    "insight",
    "main",
    "pulls",
    "renumber",
    "site",
    "validate",
]
