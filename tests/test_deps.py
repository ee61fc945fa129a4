"""declog.site.deps: what a document counts as (its meta and its body), and fingerprints of declared inputs."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sitetools import copy_example

from declog.check.checker import load_and_check
from declog.check.shape import Shapes, own_shape
from declog.log.model import Log
from declog.site import deps, pages

DECISION = "content/decisions/0004-split-platform-running-costs-equally-between-the-four-partners.md"


def load(root: Path) -> Log:
    log = load_and_check(root).log
    assert log is not None
    return log


def edited(tmp_path: Path, name: str, old: str, new: str, path: str = DECISION) -> tuple[Log, Log]:
    """The example log before and after replacing ``old`` with ``new`` in the file at ``path``."""
    root = copy_example(tmp_path / name)
    before = load(root)
    f = root / path
    text = f.read_text(encoding="utf-8")
    assert old in text
    f.write_text(text.replace(old, new, 1), encoding="utf-8")
    return before, load(root)


def test_a_body_edit_changes_the_body_not_the_meta(tmp_path: Path) -> None:
    before, after = edited(tmp_path, "log", "\n## ", "\nOne more sentence.\n\n## ")
    digests = deps.Digests()
    a, b = before.by_path[DECISION], after.by_path[DECISION]
    assert digests.meta(a) == digests.meta(b)
    assert digests.body(a) != digests.body(b)


def test_a_reference_added_to_the_body_changes_the_meta(tmp_path: Path) -> None:
    """Backlinks on other pages follow the references in a body: they are part of the meta."""
    before, after = edited(tmp_path, "log", "\n## ", "\nSee [[0001]].\n\n## ")
    digests = deps.Digests()
    assert digests.meta(before.by_path[DECISION]) != digests.meta(after.by_path[DECISION])


MEETING = "content/meetings/2025-09-16-kickoff.md"


@pytest.mark.parametrize(
    ("path", "old", "new"),
    [
        (DECISION, "\ntitle: ", "\ntitle: Renamed "),
        (DECISION, "\n  Nobody knows", "\n  Nobody at all knows"),  # rationale: text, not shape
        (DECISION, "tags: [finance]", "tags: [finance, budget]"),
        (MEETING, "\ntitle: ", "\ntitle: Renamed "),
        (MEETING, "  - dcheng\n", ""),
    ],
)
def test_a_frontmatter_edit_changes_the_meta_not_the_body(
    tmp_path: Path, path: str, old: str, new: str
) -> None:
    before, after = edited(tmp_path, "log", old, new, path=path)
    digests = deps.Digests()
    a, b = before.by_path[path], after.by_path[path]
    assert digests.meta(a) != digests.meta(b)
    assert digests.body(a) == digests.body(b)


def test_a_meta_made_from_a_kept_own_shape_is_the_one_made_afresh(tmp_path: Path) -> None:
    """A warm build takes each unchanged file's own shape from the documents kept by the last one."""
    log = load(copy_example(tmp_path / "log"))
    fresh, kept = deps.Digests(), Shapes()
    for doc in log.by_path.values():
        kept.known(doc, own_shape(doc))
    seeded = deps.Digests(kept)
    assert [seeded.record(d) for d in log.by_path.values()] == [fresh.record(d) for d in log.by_path.values()]
    assert len({fresh.meta(d) for d in log.by_path.values()}) == len(log.by_path)


def test_a_fingerprint_follows_every_declared_input_and_its_name(tmp_path: Path) -> None:
    log = load(copy_example(tmp_path / "log"))
    a, b = log.decisions[0].path, log.decisions[1].path
    digests = deps.Digests()
    targets = pages.log_targets(log)
    inputs = deps.Inputs(log, digests, deps.common(log, digests), targets)
    base = inputs.fingerprint("x.html", b"t", [("doc", a)])
    assert base == inputs.fingerprint("x.html", b"t", [("doc", a)])
    for other in (
        inputs.fingerprint("x.html", b"t", [("doc", b)]),
        inputs.fingerprint("x.html", b"t2", [("doc", a)]),
        inputs.fingerprint("y.html", b"t", [("doc", a)]),
        inputs.fingerprint("x.html", b"t", [("body", a)]),
        inputs.fingerprint("x.html", b"t", [("doc", a), ("value", "page 2")]),
    ):
        assert other != base
    linking = next(d for d in log.decisions if "[[" in d.body)
    mentioned = deps.Mentions.of(linking.body).ids[0]
    fewer = dataclasses.replace(targets, ids=targets.ids - {mentioned})
    relinked = deps.Inputs(log, digests, deps.common(log, digests), fewer)
    assert relinked.fingerprint("x.html", b"t", [("doc", a)]) == base  # a meta does not depend on links
    body = [("body", linking.path)]
    assert relinked.fingerprint("x.html", b"t", body) != inputs.fingerprint("x.html", b"t", body)
    unlinked = next(d for d in log.decisions if not deps.Mentions.of(d.body).ids and "&" not in d.body)
    body = [("body", unlinked.path)]
    assert relinked.fingerprint("x.html", b"t", body) == inputs.fingerprint("x.html", b"t", body)


def test_mentions_are_a_superset_of_what_markdown_links() -> None:
    """Whatever a body could link to is read from its text, or the body depends on every target."""
    text = "See [[ 0042 ]], [x](../decisions/0007-a-b.md#h), [p](../partners/kessler.md) and meetings/q1.md."
    found = deps.Mentions.of(text)
    assert found.ids == ("0042",)
    assert found.files == ("0007-a-b.md",)
    assert found.others == (("meetings", "q1"), ("partners", "kessler"))
    assert not found.spelled
    for spelled in ("[x](0007-a&#45;b.md)", "[x](0007\\-a-b.md)", "[x](0007%2Da-b.md)"):
        assert deps.Mentions.of(spelled).spelled, spelled


def _mentioned_names(text: str) -> tuple[set[str], set[tuple[str, str]]]:
    """What ``Mentions.of`` reads before each ".md", said plainly: the leftmost name the patterns
    give in the 300 characters before it."""
    files, others = set(), set()
    for found in re.finditer(r"\.md", text):
        at = found.start()
        start = max(0, at - 300)
        if (m := re.compile(r"[0-9]{4,}-[a-z0-9-]+\Z").search(text, start, at)) is not None:
            files.add(m.group() + ".md")
        if (m := re.compile(r"(partners|meetings)/([a-z0-9-]+)\Z").search(text, start, at)) is not None:
            others.add((m.group(1), m.group(2)))
    return files, others


_PIECES = st.sampled_from(
    [
        "0042",
        "12345",
        "7",
        "-",
        "a",
        "x-y",
        "/",
        ".md",
        ".m",
        "md",
        "partners/",
        "meetings/",
        "partners",
        " ",
        "(",
    ]
)


@settings(max_examples=500, deadline=None)
@given(
    st.sampled_from(["", "a", "0042-", "partners/", "x/meetings/"]),
    st.sampled_from(["a1-", "1", "0042-", "x"]),
    st.one_of(st.integers(280, 310), st.integers(0, 400)),
    st.lists(_PIECES, max_size=30),
)
def test_mentions_find_the_names_the_plain_patterns_find(
    lead: str, fill: str, size: int, pieces: list[str]
) -> None:
    """Names next to each other, ".md" inside names, runs as long as what is searched: the same names."""
    text = lead + (fill * 400)[:size] + "".join(pieces)
    found = deps.Mentions.of(text)
    files, others = _mentioned_names(text)
    assert set(found.files) == files
    assert set(found.others) == others


def test_what_every_page_sees_covers_settings_and_partners(tmp_path: Path) -> None:
    partner = "content/partners/kessler.md"
    before, after = edited(tmp_path, "log", "\nname: ", "\nname: Renamed ", path=partner)
    digests = deps.Digests()
    base = deps.common(before, digests, "as of 1")
    assert base == deps.common(before, digests, "as of 1")
    assert base != deps.common(before, digests, "as of 2")
    assert deps.common(after, digests, "as of 1") != base


def test_what_every_page_sees_covers_the_silence_agreement(tmp_path: Path) -> None:
    """Whether silence counts on any decision depends on the agreement's status: every page's input."""
    root = copy_example(tmp_path / "log")
    log = load(root)
    agreed = log.config.workflow.silence.agreement
    assert agreed, "the example log names its silence agreement"
    path = log.by_id[agreed].path
    before, after = edited(tmp_path, "edited", "\nstatus: accepted\n", "\nstatus: superseded\n", path=path)
    digests = deps.Digests()
    assert deps.common(before, digests) != deps.common(after, digests)
