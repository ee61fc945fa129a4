"""declog: a shared decision log kept as Markdown documents in git."""

__version__ = "0.1.0"
