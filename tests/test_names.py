"""A partner's name where space is tight (``short`` by default) and where it ends a sentence."""

from __future__ import annotations

import datetime as dt

import pytest
from markupsafe import Markup

from declog.authoring.scaffold import init_files
from declog.log.model import Partner
from declog.log.names import end_sentence, short_name_of
from declog.site.render import _end_sentence


def partner(pid: str, name: str = "", short: str = "") -> Partner:
    return Partner(
        path=f"content/partners/{pid}.md", doc=None, body="", body_line=1, id=pid, name=name, short=short
    )  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("name", "short"),
    [
        ("Kessler Spedition GmbH", "Kessler Spedition GmbH"),  # 22 characters: the whole name
        ("Rota Sul Distribuição Ltda.", "Rota Sul Distribuição"),
        ("Kanto Mobility Research Lab", "Kanto Mobility Research"),
        ("Acme, Inc. and Associated Partners", "Acme, Inc. and"),
        ("Nordlys -- Energi Sjøkraft Holding", "Nordlys -- Energi"),
        ("Donaudampfschifffahrtsgesellschaftskapitän AG", ""),  # the first word alone is too long
    ],
)
def test_the_short_name_defaults_to_the_name_or_its_first_words(name: str, short: str) -> None:
    assert short_name_of(name) == short
    assert partner("p", name).short_name == (short or "p")


def test_a_short_name_given_wins_and_the_id_is_the_last_resort() -> None:
    assert partner("nordlys", "Nordlys Energi", "Nordlys").short_name == "Nordlys"
    assert partner("nordlys").short_name == "nordlys"


def test_a_sentence_ending_with_a_name_ends_with_one_full_stop() -> None:
    assert end_sentence("Waiting on Kessler") == "Waiting on Kessler."
    assert end_sentence("Waiting on Rota Sul Ltda.") == "Waiting on Rota Sul Ltda."
    link = Markup('Waiting on <a href="x">Rota Sul Ltda.</a>')
    assert _end_sentence(link) == link  # the link's text ends the sentence
    assert _end_sentence(Markup('<a href="x">Kessler</a>')) == Markup('<a href="x">Kessler</a>.')
    assert _end_sentence("A & B") == Markup("A &amp; B.")  # text is escaped


def test_init_writes_a_short_name_for_its_partner() -> None:
    now = dt.datetime(2026, 12, 7, 9, 0, tzinfo=dt.UTC)
    files = init_files(
        partner="nordlys", name="Nordlys Energi Sjøkraft Holding ASA", members=["anna-n"], now=now
    )
    assert '\nshort: "Nordlys Energi Sjøkraft"\n' in files["content/partners/nordlys.md"]
    files = init_files(partner="acme", name="Acme", members=["anna-n"], now=now)
    assert "\nshort: Acme\n" in files["content/partners/acme.md"]
