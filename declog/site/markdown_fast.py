"""The optional accelerator (the ``fast`` extra): markdown-it-pyrs, for the bodies where it gives
markdown-it-py's bytes.

markdown-it-py stays the reference. ``suits`` is a cheap, conservative look at a body's source
that turns away every construct where the two engines are known to differ (task-list items,
footnotes, deep nesting, international domain names, brackets made by escapes or entities,
``[[NNNN]]`` next to other brackets); a body it lets through is rendered by markdown-it-pyrs, and
``finish`` then does to the HTML what declog's own markdown-it-py rules do to the tokens:
``[[NNNN]]`` references, link rewriting, unsafe image sources, heading anchors. Only HTML that
markdown-it-pyrs wrote passes through ``finish``: raw HTML in a body is escaped by both engines, so
every ``<`` in it starts a tag the engine made, and attribute values never hold a ``"``.
tests/test_markdown_engines.py holds the two engines to the same bytes on every body ``suits``
lets through.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from importlib import metadata
from typing import Any

from markdown_it.common.entities import entities
from markdown_it.common.utils import escapeHtml

engine: Any = None
"""markdown-it-pyrs configured as declog's markdown-it-py is, or None when it is not installed."""
version = ""
try:  # pragma: no branch
    import markdown_it_pyrs
except ImportError:  # pragma: no cover - the fast extra is optional
    pass
else:
    version = metadata.version("markdown-it-pyrs")
    # markdown-it-py's "commonmark" preset with html off, plus tables: no html_block or html_inline,
    # so raw HTML is text and escaped, as with markdown-it-py's ``html: False``.
    engine = markdown_it_pyrs.MarkdownIt("zero").enable_many(
        [
            "blockquote",
            "code",
            "fence",
            "heading",
            "hr",
            "lheading",
            "list",
            "paragraph",
            "reference",
            "autolink",
            "backticks",
            "emphasis",
            "entity",
            "escape",
            "image",
            "link",
            "newline",
            "table",
        ]
    )

#: Named entities that decode to a bracket, a digit or a space: ``&lsqb;[0042]]`` would be
#: ``[[0042]]`` in the HTML without being a reference to markdown-it-py.
_BRACKETISH = sorted(name for name, char in entities.items() if char in "[] 0123456789")
# Each pattern below is searched in a body only when the character it needs is there (a scan for one
# character is much cheaper than a search), and patterns that hold at a line's start begin with its
# "\n" (a body is searched with one put before it): a search for a leading character skips ahead to
# it, one for ``^`` tries every position. tests/test_markdown_engines.py holds them to the plain
# forms in their comments.
#: Footnotes (mdit-py-plugins only): ``\[\^|\^\[``.
_FOOTNOTE = re.compile(r"\[\^|\^\[")
#: Task-list items (markdown-it-pyrs writes no <label> and no disabled): ``\[[ xX]\]``.
_TASK = re.compile(r"\[[ xX]\]")
#: An escaped bracket (text "[[0042]]" that is no reference): ``\\[\[\]]``.
_ESCAPED = re.compile(r"\\[\[\]]")
#: Numeric character references, and named ones that decode to a bracket, a digit or a space
#: (``&lsqb;[0042]]``), for the same reason: ``&#|&(?:lsqb|...);``.
_ENTITY = re.compile(r"&(?:#|(?:" + "|".join(map(re.escape, _BRACKETISH)) + r");)")
#: The engines nest containers to different depths (markdown-it-py stops at 20 levels, which take
#: at least 20 characters of >, list markers and indentation before a line's text):
#: ``^[ \t>*+\-0-9.)]{12}`` (multi-line).
_DEEP = re.compile(r"\n[ \t>*+\-0-9.)]{12}")
#: A quote's lazy continuation line (markdown-it-pyrs takes "2. x" there for text, not a list):
#: ``^[ \t>*+\-0-9.)]*>.*\n(?![ \t>]*>|[ \t]*$)`` (multi-line).
_LAZY_QUOTE = re.compile(r"\n[ \t>*+\-0-9.)]*>.*\n(?![ \t>]*>|[ \t]*$)", re.MULTILINE)
#: A line after a table row: markdown-it-py ends the table where another block starts (a list, a
#: heading, a quote...) or at a line without a pipe, markdown-it-pyrs takes it for a row.
_AFTER_ROW = re.compile(
    r"\|[^\n]*\n(?:(?=[^\n]*\S)[^|\n]*$|[ \t]*(?:[-*+>#`~_=]|[0-9]{1,9}[.)])|[ ]{4}|\t)", re.MULTILINE
)
#: ``[[NNNN]]`` where both engines see it the same: not touching other brackets, an escape, an
#: image's ``!`` or an autolink, and on one line.
_PLAIN_REF = re.compile(r"\[\[ *[0-9]{4,} *\]\]")
_BEFORE_REF = frozenset(" \t\n(*_")
_AFTER_REF = frozenset(" \t\n.,;:!?)*_")
#: Links nest as deep as their brackets; markdown-it-py, like blocks, stops at 20 levels.
_MAX_BRACKETS = 12


def suits(text: str) -> bool:
    """Whether markdown-it-pyrs renders ``text`` as markdown-it-py does (conservatively: no means
    "not known to", and markdown-it-py renders it)."""
    if "\r" in text or "\0" in text or _unsuited(text):
        return False
    lines = "\n" + text  # every line's start after a "\n"
    if _DEEP.search(lines):
        return False
    if (">" in text and _LAZY_QUOTE.search(lines)) or ("|" in text and _AFTER_ROW.search(text)):
        return False
    # markdown-it-py writes a host name in punycode, markdown-it-pyrs percent-encodes it
    if not text.isascii() and ("](" in text or "]:" in text or "<" in text):
        return False
    if text.count("[") > _MAX_BRACKETS and _bracket_depth(text) > _MAX_BRACKETS:
        return False
    # a definition "[0042]: url" makes "[[0042]]" a bracket around a link in markdown-it-pyrs
    return "[[" not in text or ("]:" not in text and _plain_refs(text))


def _unsuited(text: str) -> bool:
    """Whether ``text`` holds a footnote, a task-list item, an escaped bracket or a character
    reference that the engines render differently."""
    return (
        ("^" in text and _FOOTNOTE.search(text) is not None)
        or ("\\" in text and _ESCAPED.search(text) is not None)
        or ("&" in text and _ENTITY.search(text) is not None)
        or _TASK.search(text) is not None
    )


def _plain_refs(text: str) -> bool:
    """Every ``[[`` in ``text`` starts a ``[[NNNN]]`` with plain text around it."""
    at = text.find("[[")
    while at >= 0:
        m = _PLAIN_REF.match(text, at)
        if m is None or (at and text[at - 1] not in _BEFORE_REF):
            return False
        end = m.end()
        if end < len(text) and text[end] not in _AFTER_REF:
            return False
        at = text.find("[[", end)
    return True


def _bracket_depth(text: str) -> int:
    depth = deepest = 0
    for m in re.finditer(r"[\[\]]", text):
        depth = depth + 1 if m.group() == "[" else max(depth - 1, 0)
        deepest = max(deepest, depth)
    return deepest


#: ``[[NNNN]]`` in text: not inside a tag (an attribute such as a link's title).
_REF_TEXT = re.compile(r"\[\[\s*([0-9]{4,})\s*\]\](?![^<]*>)")
_CODE = re.compile(r"(<code[^>]*>.*?</code>)", re.DOTALL)
_LINK = re.compile(r'<a href="([^"]*)"')
_IMAGE = re.compile(r'<img src="([^"]*)"')
_HEADING = re.compile(r"<(h[234])>(.*?)</h[234]>", re.DOTALL)
_TAG = re.compile(r"<[^>]*>")


def unescape(value: str) -> str:
    """The inverse of markdown-it's ``escapeHtml``: an attribute's or a text's value."""
    if "&" not in value:
        return value
    return value.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&amp;", "&")


def finish(
    html: str,
    *,
    link: Callable[[str], str | None],
    image_ok: Callable[[str], bool],
    ref: Callable[[str], str | None],
    slug: Callable[[str], str],
) -> str:
    """markdown-it-pyrs's HTML as declog's markdown-it-py rules make it.

    ``link(href)``: a link's new target, None to drop it; ``image_ok(src)``: whether an image keeps
    its source; ``ref(id)``: the page of decision ``id``, None when there is none (the text stays);
    ``slug(title)``: a heading's unique ``id``. Links are rewritten first, then references (which
    are already final), then anchors, so each callback sees its constructs in document order.
    """
    # markdown-it-py puts nothing between the tags of an empty quote ("> " alone)
    html = html.replace("<blockquote>\n</blockquote>", "<blockquote></blockquote>")
    if "<a " in html:
        html = _LINK.sub(lambda m: _relink(m, link), html)
    if "<img " in html:
        html = _IMAGE.sub(lambda m: m.group() if image_ok(unescape(m.group(1))) else '<img src=""', html)
    if "[[" in html:
        parts = _CODE.split(html)
        for i in range(0, len(parts), 2):  # even parts are outside <code>
            if "[[" in parts[i]:
                parts[i] = _REF_TEXT.sub(lambda m: _reference(m, ref), parts[i])
        html = "".join(parts)
    if "<h" in html:
        html = _HEADING.sub(lambda m: _anchor(m, slug), html)
    return html


def _relink(m: re.Match[str], link: Callable[[str], str | None]) -> str:
    new = link(unescape(m.group(1)))
    return "<a" if new is None else f'<a href="{escapeHtml(new)}"'


def _reference(m: re.Match[str], ref: Callable[[str], str | None]) -> str:
    href = ref(m.group(1))
    return m.group() if href is None else f'<a href="{escapeHtml(href)}" class="ref">{m.group(1)}</a>'


def _anchor(m: re.Match[str], slug: Callable[[str], str]) -> str:
    # markdown-it-py's title: the heading's text and code spans, without line breaks or image alts
    title = unescape(_TAG.sub("", m.group(2)).replace("\n", ""))
    tag = m.group(1)
    return f'<{tag} id="{escapeHtml(slug(title))}">{m.group(2)}</{tag}>'
