"""Incremental rebuilds (what ``declog serve`` runs): the bytes of a full build, for less work.

A sequence of random edits (fixed seed) is applied to a copy of the example
log; after each one the incremental site must equal, file for file and byte
for byte, a full ``declog build`` of the same sources.
"""

from __future__ import annotations

import datetime as dt
import json
import pickle
import random
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sitetools import EXAMPLE_NOW, copy_example

from declog.site import cache
from declog.site.build import build
from declog.site.incremental import Abandoned, Incremental, _body, _every, _index, _moved
from declog.site.render import packaged_templates
from declog.site.views import Views


def files(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


def assert_same_as_full_build(root: Path, site: Path, tmp: Path) -> None:
    full = tmp / "full"
    shutil.rmtree(full, ignore_errors=True)
    result = build(root, full, now=EXAMPLE_NOW, search_index=False, jobs=1)
    assert result.built, [f"{d.path}:{d.line}: {d.message}" for d in result.findings]
    ours, theirs = files(site), files(full)
    assert sorted(ours) == sorted(theirs)
    differ = [rel for rel in theirs if ours[rel] != theirs[rel]]
    assert differ == []


@pytest.fixture(autouse=True)
def user_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """declog build's cache goes to the user's cache folder: a temporary one here."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    return tmp_path / "user-cache" / "declog"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return copy_example(tmp_path / "log")


def decisions(root: Path) -> list[Path]:
    return sorted((root / "content" / "decisions").glob("*.md"))


# --- the edits: each returns what it did and the files it changed ----------------------

Edit = tuple[str, list[str]]


def rel(root: Path, *paths: Path) -> list[str]:
    return [p.relative_to(root).as_posix() for p in paths]


def append_line(root: Path, f: Path, text: str) -> None:
    f.write_text(f.read_text(encoding="utf-8") + f"\n{text}\n", encoding="utf-8")


def edit_body(root: Path, rng: random.Random) -> Edit:
    f = rng.choice(decisions(root))
    append_line(root, f, f"An added line {rng.randrange(10**6)}.")
    return f"body {f.name}", rel(root, f)


def edit_title(root: Path, rng: random.Random) -> Edit:
    f = rng.choice(decisions(root))
    text = re.sub(
        r"^title: (.*)$",
        rf"title: \1 v{rng.randrange(1000)}",
        f.read_text(encoding="utf-8"),
        count=1,
        flags=re.M,
    )
    f.write_text(text, encoding="utf-8")
    return f"title {f.name}", rel(root, f)


def edit_rationale(root: Path, rng: random.Random) -> Edit:
    f = rng.choice([p for p in decisions(root) if "\nrationale: " in p.read_text(encoding="utf-8")])
    text = f.read_text(encoding="utf-8")
    mark = f"(v{rng.randrange(1000)}) "
    # the first line of its text: after a folded or literal block's indicator, else on the same line
    text = re.sub(r"^(rationale: (?:[>|][-+]?\n\s+)?)", rf"\g<1>{mark}", text, count=1, flags=re.M)
    f.write_text(text, encoding="utf-8")
    return f"rationale {f.name}", rel(root, f)


def edit_tags(root: Path, rng: random.Random) -> Edit:
    f = rng.choice(decisions(root))
    text = f.read_text(encoding="utf-8")
    tag = rng.choice(["gdpr", "billing", "fresh-tag"])
    text = re.sub(r"^tags: \[.*\]$\n?", "", text, flags=re.M)
    text = text.replace("\ncategory:", f"\ntags: [{tag}]\ncategory:", 1)
    f.write_text(text, encoding="utf-8")
    return f"tags {f.name}", rel(root, f)


def edit_link(root: Path, rng: random.Random) -> Edit:
    f = rng.choice(decisions(root))
    # to one of the example's own decisions: an added one may be deleted later, which breaks the link
    target = rng.choice([p for p in decisions(root) if p != f and "ed-decision-" not in p.name])
    append_line(root, f, f"See also [[{target.name[:4]}]].")
    return f"link {f.name} -> {target.name[:4]}", rel(root, f)


def edit_status(root: Path, rng: random.Random) -> Edit:
    """A proposal withdrawn: it moves between the status lists, the board, the counts, the feeds."""
    proposed = [p for p in decisions(root) if "\nstatus: proposed\n" in p.read_text(encoding="utf-8")]
    if not proposed:
        return edit_decided(root, rng)
    f = rng.choice(proposed)
    text = f.read_text(encoding="utf-8").replace(
        "\nstatus: proposed\n", "\nstatus: withdrawn\nreason: Overtaken by events.\n", 1
    )
    f.write_text(text, encoding="utf-8")
    return f"status {f.name}", rel(root, f)


def edit_decided(root: Path, rng: random.Random) -> Edit:
    """A decision moved back in time, every date of it: it changes places in the lists and feeds."""
    f = rng.choice(
        [
            p
            for p in decisions(root)
            if "\ndecided: 20" in (text := p.read_text(encoding="utf-8"))
            and not re.search(r"^(meeting|supersedes|superseded_by):|via: silence", text, flags=re.M)
        ]
    )
    text = f.read_text(encoding="utf-8")
    head, sep, body = text[4:].partition("\n---\n")
    delta = dt.timedelta(days=rng.choice([1, 30, 400]), minutes=rng.randrange(60))

    def moved(m: re.Match[str]) -> str:
        return (dt.datetime.fromisoformat(m.group(0)) - delta).isoformat()

    head = re.sub(r"\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d)?([+-]\d\d:\d\d|Z)", moved, head)
    f.write_text(text[:4] + head + sep + body, encoding="utf-8")
    return f"decided {f.name} -{delta}", rel(root, f)


def _later_deadline(text: str, rng: random.Random) -> str:
    """``text`` with its deadline moved later by some days and minutes."""
    found = re.search(r"^deadline: (\S+)$", text, flags=re.M)
    assert found is not None
    moved = dt.datetime.fromisoformat(found.group(1)) + dt.timedelta(
        days=rng.randrange(1, 40), minutes=rng.randrange(60)
    )
    return re.sub(r"^deadline: \S+$", f"deadline: {moved.isoformat()}", text, count=1, flags=re.M)


def _proposals(root: Path) -> list[Path]:
    """The proposals with a deadline."""
    return [
        p
        for p in decisions(root)
        if "\nstatus: proposed\n" in (text := p.read_text(encoding="utf-8")) and "\ndeadline: " in text
    ]


def edit_deadline(root: Path, rng: random.Random) -> Edit:
    """A proposal's deadline moved: it changes places in what needs attention."""
    proposed = _proposals(root)
    if not proposed:
        return edit_title(root, rng)
    f = rng.choice(proposed)
    f.write_text(_later_deadline(f.read_text(encoding="utf-8"), rng), encoding="utf-8")
    return f"deadline {f.name}", rel(root, f)


def add_proposal(root: Path, rng: random.Random) -> Edit:
    """A new proposal: a copy of one, with its own number and a later deadline."""
    proposed = _proposals(root)
    if not proposed:
        return add_decision(root, rng)
    source = rng.choice(proposed)
    number = max(int(p.name[:4]) for p in decisions(root)) + 1
    text = re.sub(
        r'^id: "\d+"$', f'id: "{number:04d}"', source.read_text(encoding="utf-8"), count=1, flags=re.M
    )
    text = re.sub(r"^title: .*$", f"title: Added proposal {number}", text, count=1, flags=re.M)
    target = source.with_name(f"{number:04d}-added-decision-{number}.md")
    target.write_text(_later_deadline(text, rng), encoding="utf-8")
    return f"add {target.name}", rel(root, target)


def edit_meeting(root: Path, rng: random.Random) -> Edit:
    f = rng.choice(sorted((root / "content" / "meetings").glob("*.md")))
    append_line(root, f, f"Minutes, part {rng.randrange(1000)}.")
    return f"meeting {f.name}", rel(root, f)


def edit_partner(root: Path, rng: random.Random) -> Edit:
    f = rng.choice(sorted((root / "content" / "partners").glob("*.md")))
    append_line(root, f, f"About us, v{rng.randrange(1000)}.")
    return f"partner {f.name}", rel(root, f)


def add_decision(root: Path, rng: random.Random) -> Edit:
    source = rng.choice(
        [p for p in decisions(root) if "\nstatus: accepted\n" in p.read_text(encoding="utf-8")]
    )
    number = max(int(p.name[:4]) for p in decisions(root)) + 1
    text = re.sub(
        r'^id: "\d+"$', f'id: "{number:04d}"', source.read_text(encoding="utf-8"), count=1, flags=re.M
    )
    text = re.sub(r"^title: .*$", f"title: Added decision {number}", text, count=1, flags=re.M)
    text = re.sub(r"^(supersedes|superseded_by): .*$\n?", "", text, flags=re.M)
    target = source.with_name(f"{number:04d}-added-decision-{number}.md")
    target.write_text(text, encoding="utf-8")
    return f"add {target.name}", rel(root, target)


def delete_added(root: Path, rng: random.Random) -> Edit:
    added = [p for p in decisions(root) if "-added-decision-" in p.name]
    if not added:
        return edit_body(root, rng)
    victim = rng.choice(added)
    victim.unlink()
    return f"delete {victim.name}", rel(root, victim)


def rename_added(root: Path, rng: random.Random) -> Edit:
    added = [p for p in decisions(root) if "-added-decision-" in p.name]
    if not added:
        return add_decision(root, rng)
    f = rng.choice(added)
    target = f.with_name(f.name.replace("-added-decision-", "-renamed-decision-"))
    f.rename(target)
    return f"rename {f.name}", rel(root, f, target)


def edit_template(root: Path, rng: random.Random) -> Edit:
    name = rng.choice(["meeting.html", "timeline.html", "macros.html", "base.html"])
    target = root / "templates" / name
    if not target.exists():
        target.parent.mkdir(exist_ok=True)
        shutil.copy(packaged_templates() / name, target)
    text = target.read_text(encoding="utf-8") + f"{{# edit {rng.randrange(1000)} #}}\n"
    if name != "macros.html":
        head, _, tail = text.rpartition("{% endblock %}")
        text = f"{head}<p>edited {rng.randrange(1000)}</p>{{% endblock %}}{tail}"
    target.write_text(text, encoding="utf-8")
    return f"template {name}", rel(root, target)


def edit_config(root: Path, rng: random.Random) -> Edit:
    config = root / "declog.toml"
    text = re.sub(
        r'^title = "(.*?)"', f'title = "Log {rng.randrange(1000)}"', config.read_text(), count=1, flags=re.M
    )
    config.write_text(text)
    return "config", ["declog.toml"]


#: Edits of text only (declog.check.shape): a text-only rebuild renders just the pages showing them.
BODY_EDITS = [edit_body, edit_meeting, edit_partner]
EDITS = [
    *BODY_EDITS,
    edit_title,
    edit_status,
    edit_decided,
    edit_deadline,
    add_proposal,
    edit_rationale,
    edit_tags,
    edit_link,
    add_decision,
    delete_added,
    rename_added,
    edit_template,
    edit_config,
]


@pytest.mark.parametrize("told", [False, True], ids=["looked-up", "told"])
def test_random_edits_give_the_bytes_of_a_full_build(root: Path, tmp_path: Path, told: bool) -> None:
    """Told: each update is given the changed files, as declog serve's watcher does."""
    site = tmp_path / "site"
    rng = random.Random(20261124 + told)
    inc = Incremental(root, site, now=EXAMPLE_NOW)
    first = inc.update()
    assert first.built and first.full
    assert_same_as_full_build(root, site, tmp_path)
    sequence = EDITS * 2  # every kind of edit, twice, in a random order
    rng.shuffle(sequence)
    done = []
    bodies_only = indexed = 0
    for edit in sequence:
        what, changed = edit(root, rng)
        done.append(what)
        update = inc.update(changed=changed if told else None)
        assert update.built, (done, [f"{d.path}:{d.line}: {d.message}" for d in update.findings])
        assert not update.full
        assert_same_as_full_build(root, site, tmp_path)
        indexed += assert_indexes_hold(inc)
        bodies_only += update.bodies_only
        if edit in BODY_EDITS:
            assert update.bodies_only, done[-3:]
    assert 0 < bodies_only < len(sequence)
    assert indexed  # the index of every input was used and patched


def as_sets(index: dict[Any, tuple[str, ...]]) -> dict[Any, set[str]]:
    return {key: set(files) for key, files in index.items()}


def assert_indexes_hold(inc: Incremental) -> bool:
    """What an update keeps of which files declare what (the body shown, every input) is what the
    declarations it keeps say, however many updates patched it."""
    assert inc.kept is not None and inc.known is not None
    declared = inc.kept.declared
    assert as_sets(inc.known.shows) == as_sets(_index(declared, _body))
    if inc.kept.dependants is None:
        return False
    assert as_sets(inc.kept.dependants) == as_sets(_index(declared, _every))
    return True


_FILES = st.sampled_from([f"f{i}.html" for i in range(8)])
_DEPS = st.lists(
    st.sampled_from(
        [("doc", "a.md"), ("doc", "b.md"), ("body", "a.md"), ("body", "b.md"), ("all",), ("facets",)]
    ),
    max_size=5,
).map(tuple)


@settings(max_examples=300, deadline=None)
@given(before=st.dictionaries(_FILES, _DEPS), after=st.dictionaries(_FILES, _DEPS), files=st.sets(_FILES))
def test_a_patched_index_equals_one_made_anew(
    before: dict[str, tuple[tuple[str, ...], ...]],
    after: dict[str, tuple[tuple[str, ...], ...]],
    files: set[str],
) -> None:
    """``_moved``: the index of ``before`` with the declarations of ``files`` as ``after`` has them
    (a file in neither is gone) is the index of those declarations."""
    now = {f: d for f, d in before.items() if f not in files} | {f: d for f, d in after.items() if f in files}
    for key in (_body, _every):
        assert as_sets(_moved(_index(before, key), files, before, after, key)) == as_sets(_index(now, key))


def test_random_edits_between_processes_give_the_bytes_of_a_full_build(root: Path, tmp_path: Path) -> None:
    """Each rebuild in a new process (as a warm ``declog build``): it knows only what the last one
    left in the cache (``snapshot``), and a body edit still renders just what shows that body."""
    site = tmp_path / "site"
    rng = random.Random(20261207)
    inc = Incremental(root, site, now=EXAMPLE_NOW)
    assert inc.update().built
    sequence = EDITS.copy()
    rng.shuffle(sequence)
    done = []
    for edit in sequence:
        what, _changed = edit(root, rng)
        done.append(what)
        inc = _in_a_new_process(inc)  # as a warm build in a new process knows it
        update = inc.rebuild(binary=None, most=1.0)
        assert update.built and not update.full, (
            done,
            [f"{d.path}:{d.line}: {d.code} {d.message}" for d in update.findings],
        )
        assert_same_as_full_build(root, site, tmp_path)
        if edit in BODY_EDITS:
            assert update.bodies_only and update.rendered <= 12, done[-3:]


def test_a_body_edit_in_a_new_process_declares_only_the_pages_that_show_it(
    root: Path, tmp_path: Path
) -> None:
    """Which decisions a decision page shows (``Views.related_of``) is worked out for the pages a
    body edit touches, not for every decision page."""
    site = tmp_path / "site"
    inc = Incremental(root, site, now=EXAMPLE_NOW)
    assert inc.update().built
    edit_body(root, random.Random(2))
    inc = _in_a_new_process(inc)
    update = inc.rebuild(binary=None, most=1.0)
    assert update.built and update.bodies_only
    assert inc.kept is not None
    asked, decided = inc.kept.views.related, inc.kept.views.log.decisions
    assert 1 <= len(asked) <= 3 < len(decided)
    views = inc.kept.views
    fresh = Views(views.log, views.now, views.history)
    assert dict(asked) == {d.id: fresh.related_of(d) for d in decided if d.id in asked}
    assert_same_as_full_build(root, site, tmp_path)


def _in_a_new_process(inc: Incremental) -> Incremental:
    """An ``Incremental`` that knows only what ``inc`` would leave in the cache."""
    kept = json.loads(json.dumps(cache.encode(inc.snapshot())))
    fresh = Incremental(inc.root, inc.out, now=EXAMPLE_NOW)
    fresh.restore(cache.decode(kept))
    return fresh


def test_a_warm_build_with_nothing_changed_plans_nothing_and_a_server_plans_later(
    root: Path, tmp_path: Path
) -> None:
    site = tmp_path / "site"
    inc = Incremental(root, site, now=EXAMPLE_NOW)
    assert inc.update().built
    before = {rel: (site / rel).stat().st_mtime_ns for rel in files(site)}
    again = _in_a_new_process(inc)
    update = again.rebuild(binary=None, most=1.0)
    assert update.built and update.rendered == 0 and update.pages == inc.update().pages
    assert again.kept is None  # no views, no plan: nothing needed them
    assert {rel: (site / rel).stat().st_mtime_ns for rel in files(site)} == before
    again.warm()  # what declog serve does next, in its build thread
    assert again.kept is not None
    edit_title(root, random.Random(5))
    update = again.update()
    assert update.built and not update.full and 0 < update.rendered < len(before) / 2
    assert_same_as_full_build(root, site, tmp_path)


def test_a_warm_build_copies_a_changed_or_new_theme_asset(root: Path, tmp_path: Path) -> None:
    """Nothing else changed: the assets alone still count (they are no documents)."""
    site = tmp_path / "site"
    inc = Incremental(root, site, now=EXAMPLE_NOW)
    assert inc.update().built
    assets = root / "templates" / "assets"
    assets.mkdir(parents=True, exist_ok=True)
    (assets / "extra.css").write_text("p { color: teal }\n", encoding="utf-8")  # a new one
    inc = _in_a_new_process(inc)
    assert inc.rebuild(binary=None, most=1.0).rendered == 1
    assert (site / "assets" / "extra.css").read_text(encoding="utf-8") == "p { color: teal }\n"
    shutil.copy(packaged_templates() / "assets" / "style.css", assets / "style.css")
    with (assets / "style.css").open("a", encoding="utf-8") as f:
        f.write("\n/* the log's own */\n")  # one the log overrides
    inc = _in_a_new_process(inc)
    assert inc.rebuild(binary=None, most=1.0).rendered >= 1
    assert_same_as_full_build(root, site, tmp_path)


def test_an_edit_renders_only_the_pages_that_show_it(root: Path, tmp_path: Path) -> None:
    inc = Incremental(root, tmp_path / "site", now=EXAMPLE_NOW)
    total = inc.update().rendered
    assert inc.update().rendered == 0  # nothing changed, nothing rendered

    f = decisions(root)[4]
    f.write_text(f.read_text(encoding="utf-8") + "\nOne more sentence.\n", encoding="utf-8")
    update = inc.update()
    assert 0 < update.rendered < total / 2
    assert update.changed >= 2  # its page and what shows its body (decisions.json, the feeds)
    meeting = root / "templates" / "meeting.html"
    meeting.parent.mkdir()
    shutil.copy(packaged_templates() / "meeting.html", meeting)
    head, _, tail = meeting.read_text(encoding="utf-8").rpartition("{% endblock %}")
    meeting.write_text(f"{head}<p>edited</p>{{% endblock %}}{tail}", encoding="utf-8")
    update = inc.update()
    meetings = len(list((tmp_path / "site" / "meetings").glob("*/index.html")))
    assert update.rendered == meetings
    assert update.changed == meetings


def test_a_broken_template_keeps_the_last_good_site(root: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    inc = Incremental(root, site, now=EXAMPLE_NOW)
    inc.update()
    before = files(site)
    broken = root / "templates" / "decision.html"
    broken.parent.mkdir()
    broken.write_text("{% if %}\n")
    update = inc.update()
    assert not update.built
    assert [(d.path, d.code) for d in update.findings] == [("templates/decision.html", "DL601")]
    assert files(site) == before
    broken.write_text("{{ view.no_such_field }}\n")
    update = inc.update()
    assert not update.built and {d.code for d in update.findings} == {"DL602"}
    assert files(site) == before
    broken.unlink()
    assert inc.update().built
    assert_same_as_full_build(root, site, tmp_path)


def test_an_overtaken_rebuild_writes_nothing(root: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    inc = Incremental(root, site, now=EXAMPLE_NOW)
    with pytest.raises(Abandoned):
        inc.update(lambda: True)
    assert not site.exists()
    inc.update()
    f = decisions(root)[0]
    f.write_text(f.read_text(encoding="utf-8") + "\nLater.\n", encoding="utf-8")
    before = files(site)
    with pytest.raises(Abandoned):
        inc.update(lambda: True)
    assert files(site) == before
    assert inc.update().changed > 0


def test_a_body_edit_renders_only_what_shows_that_body(root: Path, tmp_path: Path) -> None:
    """Lists, the index and the home page show decisions' metadata, not their bodies: they are not
    rendered after a body edit; the decision's page, the feeds it is in and decisions.json are."""
    site = tmp_path / "site"
    inc = Incremental(root, site, now=EXAMPLE_NOW)
    inc.update()
    f = decisions(root)[4]
    before = {rel: (site / rel).stat().st_mtime_ns for rel in ("index.html", "decisions/index.html")}
    append_line(root, f, "A body edit.")
    update = inc.update(changed=rel(root, f))
    assert update.bodies_only
    page = f"decisions/{f.name[:4]}/index.html"
    assert "A body edit." in (site / page).read_text(encoding="utf-8")
    assert {rel: (site / rel).stat().st_mtime_ns for rel in before} == before
    assert update.rendered <= 12  # its page, decisions.json, the site's and its partners' feeds
    assert_same_as_full_build(root, site, tmp_path)


def test_a_status_edit_leaves_other_decisions_pages_alone(root: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    inc = Incremental(root, site, now=EXAMPLE_NOW)
    inc.update()
    pages = sorted(site.glob("decisions/*/index.html"))
    before = {page: page.stat().st_mtime_ns for page in pages}
    f = next(p for p in decisions(root) if "\nstatus: draft\n" in p.read_text(encoding="utf-8"))
    f.write_text(f.read_text(encoding="utf-8").replace("\nstatus: draft\n", "\nstatus: withdrawn\n"), "utf-8")
    text = f.read_text(encoding="utf-8")
    if "\nreason:" not in text:
        f.write_text(
            text.replace("\nstatus: withdrawn\n", "\nstatus: withdrawn\nreason: Dropped.\n"), "utf-8"
        )
    update = inc.update(changed=rel(root, f))
    assert update.built and not update.bodies_only, [d.message for d in update.findings]
    touched = [page.parent.name for page in pages if page.stat().st_mtime_ns != before[page]]
    assert f.name[:4] in touched
    assert len(touched) <= 4, touched  # it and the decisions that link to it or that it links to
    assert_same_as_full_build(root, site, tmp_path)


def test_a_new_decision_renders_only_the_bodies_that_link_to_it(root: Path, tmp_path: Path) -> None:
    """A body's links depend on which documents exist, but only on those it names."""
    site = tmp_path / "site"
    inc = Incremental(root, site, now=EXAMPLE_NOW)
    inc.update()
    number = max(int(p.name[:4]) for p in decisions(root)) + 1
    waiting = decisions(root)[2]
    append_line(root, waiting, f"To be followed by [[{number:04d}]].")
    inc.update(changed=rel(root, waiting))
    page = site / "decisions" / waiting.name[:4] / "index.html"
    assert f"decisions/{number:04d}/" not in page.read_text(encoding="utf-8")  # no such decision yet
    pages = sorted(site.glob("decisions/*/index.html"))
    before = {p: p.stat().st_mtime_ns for p in pages}
    what, changed = add_decision(root, random.Random(5))
    update = inc.update(changed=changed)
    assert update.built, what
    assert f"decisions/{number:04d}/" in page.read_text(encoding="utf-8")
    touched = sorted(p.parent.name for p in pages if p.stat().st_mtime_ns != before[p])
    assert waiting.name[:4] in touched
    assert len(touched) < len(pages) / 3, touched
    assert_same_as_full_build(root, site, tmp_path)


def test_a_file_that_declares_nothing_is_rendered_on_every_change(
    root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What docs/serve.md and CONTRIBUTING.md promise of a job with ``deps=None``."""
    from declog.site import pages

    planned = pages.plan

    def undeclared_404(state: pages.SiteState) -> list[pages.Job]:
        return [j._replace(deps=None) if j.path == "404.html" else j for j in planned(state)]

    monkeypatch.setattr(pages, "plan", undeclared_404)
    inc = Incremental(root, tmp_path / "site", now=EXAMPLE_NOW)
    inc.update()
    assert inc.update().rendered == 1  # nothing changed: only the undeclared file
    append_line(root, decisions(root)[3], "A body edit.")
    update = inc.update()
    assert update.bodies_only and update.rendered >= 2
    edit_tags(root, random.Random(2))
    update = inc.update()
    assert not update.bodies_only
    assert_same_as_full_build(root, tmp_path / "site", tmp_path)


def test_every_planned_file_declares_its_inputs(root: Path, tmp_path: Path) -> None:
    """A file that declares nothing is rendered on every change: none of the default theme's is."""
    from declog.site import pages
    from declog.site.writer import InPlace

    inc = Incremental(root, tmp_path / "site", now=EXAMPLE_NOW)
    inc.update()
    kept = inc.kept
    assert kept is not None
    planned = pages.plan(pages.SiteState(kept.theme, kept.views, InPlace(tmp_path / "site"), kept.markdown))
    assert len(planned) > 100
    assert [job.path for job in planned if job.deps is None] == []
    assert inc.update().rendered == 0


def test_rebuilds_in_one_process_keep_no_old_log_alive(root: Path, tmp_path: Path) -> None:
    """declog serve rebuilds for hours: loading freezes the collector's view, the update hands it back,
    and of the logs it loaded only the latest stays alive (its views serve the next rebuild)."""
    import gc

    from declog.log.model import Log

    inc = Incremental(root, tmp_path / "site", now=EXAMPLE_NOW)
    f = decisions(root)[2]
    for n in range(5):
        f.write_text(f.read_text(encoding="utf-8") + f"\nEdit {n}.\n", encoding="utf-8")
        assert inc.update().built
        assert gc.get_freeze_count() == 0
        edit_tags(root, random.Random(n))  # a change of shape too: the views are computed afresh
        assert inc.update().built
    gc.collect()
    alive = [o for o in gc.get_objects() if isinstance(o, Log) and o.root == str(root)]
    assert len(alive) == 1
    assert "Edit 4." in alive[0].by_path[f.relative_to(root).as_posix()].body


# --- declog build's on-disk cache ---------------------------------------------------------


@pytest.fixture
def epoch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(EXAMPLE_NOW.timestamp())))


def full_build(root: Path, out: Path) -> dict[str, bytes]:
    shutil.rmtree(out, ignore_errors=True)
    assert build(root, out, search_index=False, jobs=1).built
    return files(out)


@pytest.mark.usefixtures("epoch")
def test_a_warm_cache_renders_one_change_and_gives_a_full_builds_bytes(root: Path, tmp_path: Path) -> None:
    from declog.site.cache import cache_file, cached_build

    site = tmp_path / "site"
    assert cached_build(root, site, search_index=False).built
    cache = cache_file(root, site)
    assert cache is not None and cache.is_file()
    assert cache.parent == tmp_path / "user-cache" / "declog"  # outside the log
    assert not (root / ".declog-cache").exists()
    f = decisions(root)[7]
    f.write_text(f.read_text(encoding="utf-8") + "\nA warm change.\n", encoding="utf-8")
    result = cached_build(root, site, search_index=False)
    assert result.built and 1 <= result.changed < result.pages / 8  # its page, the feeds, decisions.json
    assert files(site) == full_build(root, tmp_path / "full")

    add_decision(root, random.Random(3))
    assert cached_build(root, site, search_index=False).built
    assert files(site) == full_build(root, tmp_path / "full")


@pytest.mark.usefixtures("epoch")
def test_a_warm_build_in_worker_processes_gives_a_full_builds_bytes(
    root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Enough files to render for worker processes: they write into a staged site, swapped in whole."""
    from declog.site import pages
    from declog.site.cache import cached_build

    site = tmp_path / "site"
    assert cached_build(root, site, search_index=False, jobs=2).built
    monkeypatch.setattr(pages, "PARALLEL_FROM", 2)
    edit_rationale(root, random.Random(1))
    result = cached_build(root, site, search_index=False, jobs=2)
    assert result.built and not result.full and result.rendered >= 2
    assert [p.name for p in site.rglob("*declog-tmp*")] == []
    assert files(site) == full_build(root, tmp_path / "full")


@pytest.mark.usefixtures("epoch")
def test_a_warm_build_whose_large_files_workers_hand_back_gives_a_full_builds_bytes(
    root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A few files that held megabytes (decisions.json and the index, at 10,000 decisions): worker
    processes render them one by one and hand them back, and the live site is changed in place."""
    from declog.site import incremental, pages
    from declog.site.cache import cached_build

    site = tmp_path / "site"
    assert cached_build(root, site, search_index=False, jobs=2).built
    handed: list[str] = []
    real = pages._written

    def written(state: pages.SiteState, out: pages.Outcome) -> pages.Outcome:
        handed.extend(path for path, _ in out.files)
        return real(state, out)

    monkeypatch.setattr(pages, "_written", written)
    rng = random.Random(5)
    edit_status(root, rng)  # the example's files are small: rendered here, no process forked
    assert cached_build(root, site, search_index=False, jobs=2).built and handed == []
    assert files(site) == full_build(root, tmp_path / "full")
    monkeypatch.setattr(incremental, "SHIP_FROM", 0)
    for edit in (edit_status, edit_rationale, edit_body, add_decision):
        handed.clear()
        staged_before = {p.name for p in site.parent.iterdir()}
        edit(root, rng)
        result = cached_build(root, site, search_index=False, jobs=2)
        assert result.built and not result.full and result.rendered >= 2, edit
        assert len(handed) == result.rendered  # every file rendered by a worker, written here
        assert {p.name for p in site.parent.iterdir()} == staged_before  # in place: nothing staged beside
        assert [p.name for p in site.rglob("*declog-tmp*")] == []
        assert files(site) == full_build(root, tmp_path / "full")


@pytest.mark.usefixtures("epoch")
def test_a_server_starts_from_the_cold_builds_views_and_keeps_a_full_builds_bytes(
    root: Path, tmp_path: Path
) -> None:
    """declog serve's first build with no cache: a full build, whose views and theme the site then
    keeps (``BuildResult.state``), so what it learns costs no second set of views; later edits
    give a full build's bytes."""
    from declog.site.cache import cached_build

    site = tmp_path / "site"
    inc = Incremental(root, site)
    first = cached_build(root, site, search_index=False, site=inc)
    assert first.built and first.full and first.state is None  # handed over, not kept twice
    assert inc.kept is not None
    rng = random.Random(20261207)
    for edit in (edit_title, edit_body, edit_tags, add_decision, edit_link):
        edit(root, rng)
        update = inc.update()
        assert update.built and not update.full
        assert files(site) == full_build(root, tmp_path / "full")


@pytest.mark.usefixtures("epoch")
def test_a_touched_output_file_is_rendered_again(root: Path, tmp_path: Path) -> None:
    from declog.site.cache import cached_build

    site = tmp_path / "site"
    cached_build(root, site, search_index=False)
    page = site / "decisions" / "0003" / "index.html"
    page.write_text("defaced")
    assert cached_build(root, site, search_index=False).built
    assert files(site) == full_build(root, tmp_path / "full")


@pytest.mark.usefixtures("epoch")
@pytest.mark.parametrize("jobs", [1, 2])
def test_a_cold_builds_manifest_holds_the_files_as_written(
    root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, jobs: int
) -> None:
    """The sizes and times the build's writers noted (in worker processes too) are the files' own:
    the next build renders nothing, and after someone touched a file, that file alone."""
    from declog.site import pages
    from declog.site.cache import cached_build

    monkeypatch.setattr(pages, "PARALLEL_FROM", 2)
    site = tmp_path / "site"
    assert cached_build(root, site, search_index=False, jobs=jobs).full
    again = cached_build(root, site, search_index=False, jobs=jobs)
    assert again.built and not again.full and again.rendered == 0
    (site / "decisions" / "0003" / "index.html").write_text("defaced")
    touched = cached_build(root, site, search_index=False, jobs=jobs)
    assert touched.built and not touched.full and touched.rendered == 1
    assert files(site) == full_build(root, tmp_path / "full")


def damaged(saved: dict[str, Any], damage: str, tmp_path: Path) -> dict[str, Any]:
    """``saved`` (a cache as JSON values) damaged as named."""
    state, head = saved["state"], saved["header"]
    if damage == "other-version":
        head["declog"] = "0.0.1"
    elif damage == "old-format":
        head["format"] = 2
    elif damage == "other-out":  # a cache that claims every page is up to date for another output folder
        head["out"] = str(tmp_path / "elsewhere")
    elif damage == "other-root":
        head["root"] = str(tmp_path / "elsewhere")
    elif damage == "wrong-shape":
        saved["state"] = {"prints": "nonsense", "manifest": [], "history": 3}
    elif damage == "extra-key":
        state["extra"] = 1
    elif damage == "bad-hex":
        state["prints"][0] = "not hex"
    elif damage == "spaced-hex":
        key = next(iter(state["records"]))
        state["records"][key] = " ".join(state["records"][key])
    elif damage == "bytes-as-list":
        state["key"] = list(bytes.fromhex(state["key"]))
    elif damage == "pages-not-strings":
        state["pages"][0] = 1
    elif damage == "more-prints-than-pages":
        state["prints"] += state["prints"]
    elif damage == "shows-names":
        state["shows"][next(iter(state["shows"]))] = ["index.html"]
    elif damage == "shows-too-many":
        state["shows"][next(iter(state["shows"]))] += 1
    elif damage == "shows-negative":
        state["shows"][next(iter(state["shows"]))] = -1
    elif damage == "on-out-of-range":
        state["on"] = f"{len(state['pages']):08x}" + state["on"][8:]
    elif damage == "on-odd-length":
        state["on"] += "00"
    elif damage == "manifest-floats":
        state["manifest"][1] = 1.5
    elif damage == "manifest-bools":
        state["manifest"][1] = True
    elif damage == "manifest-short":
        state["manifest"].pop()
    elif damage == "history-no-commits":
        state["history"] = {"head": "", "commits": {}, "files": {}}
    elif damage == "commit-out-of-range":
        state["history"] = {"head": "", "commits": [], "files": {"content/x.md": [0]}}
    elif damage == "commit-bad-date":
        state["history"] = {"head": "", "commits": [["a", "b", "yesterday", "c"]], "files": {}}
    elif damage == "commit-short-row":
        state["history"] = {"head": "", "commits": [["a", "b"]], "files": {}}
    else:
        raise AssertionError(damage)
    return saved


DAMAGE = [
    "other-version",
    "old-format",
    "other-out",
    "other-root",
    "wrong-shape",
    "extra-key",
    "bad-hex",
    "spaced-hex",
    "bytes-as-list",
    "pages-not-strings",
    "more-prints-than-pages",
    "shows-names",
    "shows-too-many",
    "shows-negative",
    "on-out-of-range",
    "on-odd-length",
    "manifest-floats",
    "manifest-bools",
    "manifest-short",
    "history-no-commits",
    "commit-out-of-range",
    "commit-bad-date",
    "commit-short-row",
]


@pytest.mark.usefixtures("epoch")
@pytest.mark.parametrize(
    "damage", ["garbage", "truncated", "empty", "not-an-object", "deep", "huge-int", "pickle", *DAMAGE]
)
def test_a_corrupt_or_stale_cache_is_ignored(root: Path, tmp_path: Path, damage: str) -> None:
    from declog.site.cache import cache_file, cached_build

    site = tmp_path / "site"
    cached_build(root, site, search_index=False)
    cache = cache_file(root, site)
    assert cache is not None
    data = cache.read_bytes()
    if damage == "garbage":
        cache.write_bytes(b"\x80\x05not JSON at all")
    elif damage == "truncated":
        cache.write_bytes(data[: len(data) // 2])
    elif damage == "empty":
        cache.write_bytes(b"")
    elif damage == "not-an-object":
        cache.write_bytes(b"[1, 2, 3]")
    elif damage == "deep":
        cache.write_bytes(b"[" * 100_000 + b"]" * 100_000)
    elif damage == "huge-int":
        cache.write_bytes(b'{"header": ' + b"9" * 100_000 + b"}")
    elif damage == "pickle":  # what declog wrote before; never unpickled now
        cache.write_bytes(pickle.dumps({"header": json.loads(data)["header"], "state": {}}))
    else:
        cache.write_text(json.dumps(damaged(json.loads(data), damage, tmp_path)))
    f = decisions(root)[1]
    f.write_text(f.read_text(encoding="utf-8") + "\nAfter the damage.\n", encoding="utf-8")
    result = cached_build(root, site, search_index=False)
    assert result.built
    assert result.rendered >= result.pages  # a full build: nothing of the damaged cache was trusted
    assert files(site) == full_build(root, tmp_path / "full")
    assert json.loads(cache.read_bytes())["header"]["declog"] != "0.0.1"  # a fresh cache was written


@pytest.mark.usefixtures("epoch")
def test_the_cache_is_json_and_a_warm_build_trusts_it(root: Path, tmp_path: Path) -> None:
    from declog.site.cache import FORMAT, cache_file, cached_build

    site = tmp_path / "site"
    cached_build(root, site, search_index=False)
    cache = cache_file(root, site)
    assert cache is not None
    saved = json.loads(cache.read_bytes())
    assert saved["header"]["format"] == FORMAT
    assert saved["header"]["root"] == str(root.resolve())
    result = cached_build(root, site, search_index=False)
    assert result.built and result.rendered < result.pages / 8  # read back: only what changed
    assert files(site) == full_build(root, tmp_path / "full")


@pytest.mark.git
@pytest.mark.usefixtures("epoch")
@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_the_git_history_in_the_cache_gives_a_full_builds_pages(root: Path, tmp_path: Path) -> None:
    from test_site_git import git

    from declog.site.cache import cache_file, cached_build, decode, encode

    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "Import the log")
    f = decisions(root)[2]
    f.write_text(f.read_text(encoding="utf-8") + "\nAmended.\n", encoding="utf-8")
    git(root, "commit", "-q", "-am", "Amend <b>it</b> \u00e9", when="2026-02-09T10:00:00-03:30", who="Anja K")
    site = tmp_path / "site"
    known = Incremental(root, site)
    assert cached_build(root, site, search_index=False, site=known).built
    snapshot = known.snapshot()
    assert decode(json.loads(json.dumps(encode(snapshot)))) == snapshot  # read back as it was
    cache = cache_file(root, site)
    assert cache is not None
    history = json.loads(cache.read_bytes())["state"]["history"]
    assert len(history["commits"]) == 2  # each commit once, however many files it touched
    assert ["Anja K", "2026-02-09T10:00:00-03:30"] in [row[1:3] for row in history["commits"]]

    g = decisions(root)[3]
    g.write_text(g.read_text(encoding="utf-8") + "\nA warm change.\n", encoding="utf-8")
    result = cached_build(root, site, search_index=False)
    assert result.built and result.rendered < result.pages / 2
    assert files(site) == full_build(root, tmp_path / "full")
    again = cached_build(root, site, search_index=False)
    assert again.built and again.rendered == 0  # the history read back is the one the pages show
    assert "Anja K" in (site / "decisions" / f.name[:4] / "index.html").read_text(encoding="utf-8")


@pytest.mark.usefixtures("epoch")
def test_a_template_change_invalidates_the_cache(root: Path, tmp_path: Path) -> None:
    from declog.site.cache import cached_build

    site = tmp_path / "site"
    cached_build(root, site, search_index=False)
    edit_template(root, random.Random(5))
    assert cached_build(root, site, search_index=False).built
    assert files(site) == full_build(root, tmp_path / "full")


def test_views_followed_across_edits_equal_views_made_anew(root: Path) -> None:
    """``Views.follow`` keeps how decisions link and moves changed decisions in the orders: after
    every kind of edit its projections are those of views made from scratch."""
    from declog.check.checker import Checker
    from declog.site.views import Views

    rng = random.Random(20261207)
    checker = Checker(root)
    log = checker.check().log
    assert log is not None
    views = Views(log, EXAMPLE_NOW, {})
    kept = 0
    for _ in range(24):
        edit = rng.choice(
            [
                edit_status,
                edit_decided,
                edit_deadline,
                add_proposal,
                edit_title,
                edit_link,
                edit_tags,
                add_decision,
            ]
        )
        what, changed = edit(root, rng)
        log = checker.check(changed).log
        assert log is not None, what
        views.warm()
        views.latest  # noqa: B018 (made, so that follow has it to keep)
        for d in views.log.decisions[::2]:  # some worked out: follow keeps them, the rest come when asked
            views.related_of(d)
        followed = views.follow(log, EXAMPLE_NOW, views.history)
        kept += all(
            name in followed.__dict__ for name in ("links", "related", "ordered", "latest", "facet_members")
        )
        fresh = Views(log, EXAMPLE_NOW, {})
        assert [followed.related_of(d) for d in log.decisions] == [fresh.related_of(d) for d in log.decisions]
        for name in (
            "links",
            "related",
            "ordered",
            "latest",
            "facet_members",
            "facets",
            "all_lists",
            "partners",
        ):
            assert getattr(followed, name) == getattr(fresh, name), (what, name)
        views = followed
    assert kept >= 12  # most edits keep the links and move decisions in the orders


def test_a_review_answered_by_another_decision_updates_the_calendars(root: Path, tmp_path: Path) -> None:
    """A review's date reads the decisions that review it: when 0033 starts reviewing 0026 (its
    record alone changes), the calendar that listed 0026's open review drops it, as a full build does."""
    site = tmp_path / "site"
    inc = Incremental(root, site, now=EXAMPLE_NOW)
    assert inc.update().built
    calendars = {p: p.read_bytes() for p in site.glob("partners/*/deadlines.ics")}
    assert any(b"0026" in data for data in calendars.values())
    f = next(
        decisions(root)[i] for i in range(len(decisions(root))) if decisions(root)[i].name.startswith("0033-")
    )
    f.write_text(
        f.read_text(encoding="utf-8").replace(
            'reviews: ["0001", "0002"]', 'reviews: ["0001", "0002", "0026"]'
        ),
        encoding="utf-8",
    )
    update = inc.update(changed=rel(root, f))
    assert update.built, [f"{d.path}:{d.line}: {d.message}" for d in update.findings]
    assert_same_as_full_build(root, site, tmp_path)
    assert any(calendars[p] != p.read_bytes() for p in calendars)  # the edit did change a calendar
