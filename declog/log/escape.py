"""Text as each place declog writes to needs it: one encoder per destination.

Any value can hold anything a pull request puts in a file: its name, an id, a
login, a title. Where it is written decides what in it could do harm, so each
destination has its encoder, and every writer uses the one of its destination:

- a value on a terminal or in a CI log: ``terminal`` shows control characters,
  bidi overrides, line separators and bytes that are not UTF-8 as escapes;
- a whole line there: ``line`` (``lines`` for several) also defuses a ``::``
  starting it and ``##[`` anywhere in it (GitHub's workflow commands);
- a GitHub workflow command: ``command_data`` escapes ``%``, CR and LF, and
  ``command_property`` also ``:`` and ``,`` (actions/toolkit's escapeData and
  escapeProperty);
- Markdown (job summaries): ``md_text`` turns line breaks into spaces,
  HTML-escapes ``<>&`` and escapes ``|`` (and the backslashes before it);
  ``md_code`` fences a code span with more backticks than the value holds;
- JSON printed or written: ``json_text`` writes DEL, C1, bidi overrides, line
  separators, lone surrogates and the ``[`` of ``##[`` as ``\\uXXXX``, which parses
  to the same string;
- a path in a URL: ``url_path`` percent-encodes it byte by byte.

Text without anything to escape comes back unchanged, so ordinary output is
what it always was. The module imports nothing of declog's: every layer can use it.
"""

from __future__ import annotations

import html
import re
from urllib.parse import quote

#: Every control character (C0, DEL, C1), the bidi embeddings, overrides and isolates that reorder
#: what follows them on screen, the Unicode line and paragraph separators, and lone surrogates
#: (how Python keeps a file name's bytes that are not UTF-8).
_UNICODE = "\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff"
_UNSHOWN = re.compile(f"[\x00-\x1f\x7f-\x9f{_UNICODE}]")
#: The same without tab, line feed and carriage return, for text whose format handles line ends.
_UNSHOWN_INLINE = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f{_UNICODE}]")
#: How the GitHub runner starts a command anywhere in a line (the legacy form it still reads).
_LEGACY_COMMAND = "##["
_LINE_BREAK = re.compile("\r\n|\r|\n")
#: A run of backslashes before a pipe: in a GFM table, each must be doubled for the pipe to stay escaped.
_PIPE = re.compile(r"(\\*)\|")
_BACKTICKS = re.compile("`+")


def _escaped(m: re.Match[str]) -> str:
    code = ord(m.group())
    if 0xDC80 <= code <= 0xDCFF:
        return f"\\x{code - 0xDC00:02x}"  # surrogateescape: the byte as it was
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def terminal(text: str, *, keep_lines: bool = False) -> str:
    """``text`` with everything that could move, recolour or reorder a terminal shown as an escape.

    ESC becomes ``\\x1b``, a byte of a file name that is not UTF-8 ``\\xff``, a
    right-to-left override ``\\u202e``. For a value written to a terminal, a log
    or a one-line cell: it can neither drive the screen nor start a line of its
    own. With ``keep_lines``, tab, line feed and carriage return stay (for a
    format that escapes them its own way).
    """
    if text.isprintable():
        return text
    return (_UNSHOWN_INLINE if keep_lines else _UNSHOWN).sub(_escaped, text)


def line(text: str) -> str:
    """One whole line for a terminal or a CI log, which no value in it can turn into a command.

    Besides ``terminal``'s escapes: GitHub's runner reads a line that starts with
    ``::`` (after spaces) and one holding ``##[`` anywhere as a workflow command
    (``::error::``, ``::stop-commands::``, ``##[add-mask]``), so a leading ``:``
    shows as ``\\x3a`` and the ``[`` of ``##[`` as ``\\x5b``.
    """
    return no_command(terminal(text))


def no_command(text: str) -> str:
    """A line's text with nothing GitHub's runner reads as a workflow command, and nothing else escaped.

    For a format that shows control characters its own way (CSV); ``line`` is this and ``terminal``.
    """
    body = text.lstrip()
    if body.startswith("::"):
        text = text[: len(text) - len(body)] + "\\x3a" + body[1:]
    if _LEGACY_COMMAND in text:
        text = text.replace(_LEGACY_COMMAND, "##\\x5b")
    return text


def lines(text: str) -> str:
    """Text of several lines for a terminal or a CI log: ``line`` applied to each."""
    return "\n".join(map(line, text.split("\n")))


def command_data(text: str) -> str:
    """The message of a GitHub workflow command (``::error ...::MESSAGE``): actions/toolkit's escapeData."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def command_property(text: str) -> str:
    """A property value of a workflow command (``file=VALUE``): actions/toolkit's escapeProperty."""
    return command_data(text).replace(":", "%3A").replace(",", "%2C")


def _pipes(text: str) -> str:
    return _PIPE.sub(lambda m: m.group(1) * 2 + "\\|", text) if "|" in text else text


def md_text(text: str) -> str:
    """A value as Markdown text on one line: in a heading, a list item or a table cell.

    Line breaks become spaces (a value cannot start a heading, a row or a
    paragraph of its own), ``<``, ``>`` and ``&`` are HTML-escaped (no tag, no
    comment hiding the rest), and ``|`` is escaped so a cell stays one cell.
    Emphasis and links stay text formatting inside their line.
    """
    text = terminal(text, keep_lines=True).replace("\t", " ")
    text = _LINE_BREAK.sub(" ", text)
    return _pipes(html.escape(text, quote=False))


def md_code(text: str, *, cell: bool = False) -> str:
    """A value as a Markdown code span that shows it literally, whatever backticks it holds.

    The fence is one backtick longer than the longest run in the value; line
    breaks and control characters show as escapes. In a table ``cell`` the
    pipes are escaped too (GitHub splits cells before it reads code spans).
    """
    text = terminal(text)
    runs = _BACKTICKS.findall(text)
    fence = "`" * (max(map(len, runs), default=0) + 1)
    if text.startswith("`") or text.endswith("`"):
        text = f" {text} "
    return f"{fence}{_pipes(text) if cell else text}{fence}"


#: What JSON text must not carry raw: DEL and C1 (json leaves them), the bidi and line separator
#: characters a terminal would act on, lone surrogates (not UTF-8).
_JSON_RAW = re.compile(f"[\x7f-\x9f{_UNICODE}]")


def json_text(text: str) -> str:
    """Serialised JSON that is UTF-8 and inert in a terminal or a CI log, and parses to the same data.

    DEL, C1 controls, bidi overrides, line separators and lone surrogates become ``\\uXXXX``, and the
    ``[`` of ``##[`` (only ever inside a string) ``\\u005b``.
    """
    text = _JSON_RAW.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
    return text.replace(_LEGACY_COMMAND, "##\\u005b") if _LEGACY_COMMAND in text else text


def url_path(path: str) -> str:
    """A file's path as the path of a URL: percent-encoded, its bytes that are not UTF-8 kept."""
    return quote(path, safe="/", errors="surrogateescape")
