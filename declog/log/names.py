"""How a partner's name reads where space is tight and where it ends a sentence.

``short_name_of`` is the default of a partner's ``short:`` (the site's dense
places and ``declog init`` use it), so a log whose partners have no ``short:``
still names them by something a reader recognises, not by their ids.
``end_sentence`` closes a sentence that may end with a name: "Waiting on Rota
Sul Distribuição Ltda." must not read "Ltda..".
"""

from __future__ import annotations

#: The longest ``short:`` (the schema's limit), and so the longest default.
SHORT_MAX = 24
#: What already ends a sentence: a name such as "Ltda." or "Yahoo!" needs no full stop after it.
_ENDS = (".", "!", "?", "…")
#: Left off the end of a name cut short at a word: "Acme, Inc. and Partners" -> "Acme", not "Acme,".
_DANGLING = " ,;:-–—&/(+"


def short_name_of(name: str) -> str:
    """``name`` when it is at most ``SHORT_MAX`` characters, else its first words up to that length
    ("Rota Sul Distribuição Ltda." -> "Rota Sul Distribuição"), else "" (the first word alone is too long)."""
    name = " ".join(name.split())
    if len(name) <= SHORT_MAX:
        return name
    short = ""
    for word in name.split(" "):
        longer = f"{short} {word}" if short else word
        if len(longer) > SHORT_MAX:
            break
        short = longer
    return short.rstrip(_DANGLING)


def ends_sentence(text: str) -> bool:
    """Whether ``text`` already ends with what ends a sentence."""
    return text.rstrip().endswith(_ENDS)


def end_sentence(text: str) -> str:
    """``text`` with a full stop, unless it already ends with one: "Kessler." but "Rota Sul Ltda."."""
    return text if ends_sentence(text) else text + "."
