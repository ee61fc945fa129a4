"""Hostile input gives bounded work and a finding: never a RecursionError, never output that explodes.

declog.toml and frontmatter nest at most 64 levels deep (DL016), checked before
anything recurses into them; every command shows the finding. Heading anchors
are made unique in linear time. (The query language's limits are tested in
test_query.py, the server's in test_serve.py.)
"""

from __future__ import annotations

import subprocess
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import ACCEPTED, CONFIG, REPO, LogMaker, invoke, isolated_git, make_log
from markdown_it import MarkdownIt
from mdit_py_plugins.anchors import anchors_plugin

from declog.log.config import toml_too_deep
from declog.site.markdown import Markdown, Targets, UniqueSlugs

N = 1000


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)


@pytest.fixture
def branch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[LogMaker]:
    """A log in git: a good commit on main, and a branch ``pr`` checked out to change it."""
    isolated_git(monkeypatch, tmp_path)
    log = make_log(tmp_path / "log")
    log.decision("0001-x", ACCEPTED)
    _git(log.root, "init", "-q", "-b", "main")
    _git(log.root, "add", "-A")
    _git(log.root, "commit", "-q", "-m", "base")
    _git(log.root, "checkout", "-q", "-b", "pr")
    monkeypatch.chdir(log.root)
    yield log


def commands(tmp: Path) -> dict[str, list[str]]:
    reviews = tmp / "reviews.json"
    reviews.write_text("[]", encoding="utf-8")
    return {
        "check": ["check"],
        "check --base": ["check", "--base", "main"],
        "build": ["build", "-o", str(tmp / "site"), "--no-search", "--no-cache"],
        "query": ["query", "status = accepted"],
        "audit": ["audit"],
        "export": ["export", "--sqlite", str(tmp / "log.db")],
        "approvals": ["approvals", "--base", "main", "--reviews", str(reviews)],
    }


DEEP_CONFIG = {
    "array": "[site.extra]\nx = " + "[" * N + "]" * N,
    "inline-table": "[site.extra]\nx = " + "{y = " * N + "1" + "}" * N,
    "dotted-key": "[site.extra]\nx" + ".x" * N + " = 1",
    "header": "[site.extra]\n[" + "x." * N + "x]\ny = 1",
}


@pytest.mark.parametrize("kind", DEEP_CONFIG)
def test_declog_toml_nested_1000_deep_is_dl016_in_every_command(
    branch: LogMaker, tmp_path: Path, kind: str
) -> None:
    branch.config(CONFIG + "\n" + DEEP_CONFIG[kind] + "\n")  # CONFIG is nine lines: the deep one is 12
    _git(branch.root, "commit", "-q", "-a", "-m", "deep")
    for name, args in commands(tmp_path).items():
        run = invoke([*args, "--root", str(branch.root)])  # an exception here fails the test
        shown = run.stdout + run.stderr
        assert run.exit_code == 2, (name, shown)
        assert "declog.toml:12:" in shown, (name, shown)
        assert " DL016 arrays, tables and dotted keys nested more than 64 deep" in shown, (name, shown)


def test_the_finding_names_the_line_and_column_of_the_65th_level(log: LogMaker) -> None:
    log.config(CONFIG + "\n[site.extra]\nx = [1, " + "[" * 100 + "]" * 100 + "]\n")
    run = log.check("--format", "json")
    assert run.exit_code == 2
    [found] = run.json()
    # site.extra.x is 3 deep, its list's items 4: the 61st "[" after "x = [1, " (column 9) makes 65
    assert (found["path"], found["line"], found["col"], found["code"]) == ("declog.toml", 12, 9 + 60, "DL016")


def test_frontmatter_nested_1000_deep_is_dl016_and_no_command_fails_on_it(
    branch: LogMaker, tmp_path: Path
) -> None:
    deep = ACCEPTED.replace("rationale:", "tags: " + "[" * N + "]" * N + "\nrationale:")
    path = branch.decision("0002-deep", deep.replace('id: "0001"', 'id: "0002"'))
    _git(branch.root, "add", "-A")
    _git(branch.root, "commit", "-q", "-m", "deep")
    for name, args in commands(tmp_path).items():
        run = invoke([*args, "--root", str(branch.root)])  # an exception here fails the test
        shown = run.stdout + run.stderr
        if name in ("check", "check --base", "build"):
            assert run.exit_code == 1, (name, shown)
            assert f"{path}:22:" in shown and " DL016 lists and mappings nested more than 64 deep" in shown
        elif name != "approvals":
            assert run.exit_code == 0, (name, shown)
            assert "the log has 1 error" in shown, (name, shown)


# --- the nesting scan of declog.toml ----------------------------------------------------------------


def _depth(value: object) -> int:
    """The longest path in ``value`` (iteratively: the values here may be deep)."""
    best, todo = 0, [(value, 0)]
    while todo:
        item, depth = todo.pop()
        best = max(best, depth)
        if isinstance(item, dict):
            todo += [(v, depth + 1) for v in item.values()]
        elif isinstance(item, list):
            todo += [(v, depth + 1) for v in item]
    return best


TRICKY = [
    (REPO / "declog.toml").read_text(encoding="utf-8"),
    "a = 1.5\nb = 1979-05-27T07:32:00.5Z\nc = 'x.y.z'\n[d]\ne = [1.5, 'a[b', \"c{d\"]",
    '[[t.u]]\na = [1, [2, [3]]]\n"k.e.y".z = {b = {c = [1]}}',
    "a = [{b.c = [{d = 1}]}, {e = 1}]\nf = [\n  1,\n  [2,\n  [3]],  # ]]]\n]\n[g]\nh.i = 1",
    # a multi-line string may end in one or two quotes of its own kind
    'a = [\'\'\'x\'\'\'\', [[[1]]]]\nb = ["""y""""", [[[2]]]]',
    'a = """ [[[ " "" ]]] """\nb = \'\'\' {{{ \'\'\'\nc = "\\" [[[" # [[[\nd = [[[1]]]',
]


@pytest.mark.parametrize("text", TRICKY)
def test_the_scan_never_counts_fewer_levels_than_tomllib_reads(text: str) -> None:
    depth = _depth(tomllib.loads(text))
    assert toml_too_deep(text, depth - 1) is not None
    assert toml_too_deep(text, depth + 1) is None  # at most one more: an empty list counts its elements


def test_the_scan_reads_a_megabyte_of_unclosed_strings_in_one_pass() -> None:
    # Each '"' starts a string that never closes on its line; a scan that looked for the end
    # of each one again would read this line half a million times.
    assert toml_too_deep("a = " + '"\\"' * 330_000) is None
    assert toml_too_deep('a = """' + '"\\' * 500_000) is None


# --- heading anchors: the plugin's slugs, in linear time ----------------------------------------------


class CountingSet(set[str]):
    """A set that counts how often it is asked whether it holds something."""

    asked = 0

    def __contains__(self, item: object) -> bool:
        self.asked += 1
        return super().__contains__(item)


def test_30000_equal_headings_cost_a_look_each() -> None:
    unique = UniqueSlugs()
    unique.taken = counting = CountingSet()
    slugs = [unique("x") for _ in range(30_000)]
    assert slugs == ["x", *(f"x-{n}" for n in range(1, 30_000))]
    assert counting.asked == 30_000  # the plugin's way: 450 million


def test_headings_that_look_numbered_are_skipped_once() -> None:
    unique = UniqueSlugs()
    unique.taken = counting = CountingSet()
    written = ["x-1", "x-2", "x-1", *["x"] * 10_000]
    assert [unique(s) for s in written][:6] == ["x-1", "x-2", "x-1-1", "x", "x-3", "x-4"]
    assert counting.asked <= 2 * len(written)


@pytest.mark.parametrize(
    "titles",
    [
        ["x"] * 5,
        ["x-1", "x", "x", "x", "x-2", "x-1"],
        ["Intro", "intro", "INTRO", "Intro!", "intro-1", "Intro"],
        ["a b", "a-b", "a  b", "a--b", "", "", "`code` x", "code x"],
        ["Über", "über", "数据", "数据", "x_y", "x-y"],
    ],
)
def test_the_slugs_are_those_of_mdit_py_plugins_anchors(titles: list[str]) -> None:
    text = "".join(f"{'#' * (2 + i % 3)} {t}\n\n" for i, t in enumerate(titles)) + "# top\n\n##### deep\n"
    plugin = MarkdownIt("commonmark").use(anchors_plugin, min_level=2, max_level=4)
    ours = Markdown(Targets()).render(text, "../../").html
    assert ours == plugin.render(text)


# --- the site grows with the input, not with its square ----------------------------------------------


def test_a_decision_with_2000_tags_gives_a_site_linear_in_its_tags(log: LogMaker, tmp_path: Path) -> None:
    tags = [f"t{i:04d}" for i in range(2000)]
    body = ACCEPTED.replace("rationale:", "tags: [" + ", ".join(tags) + "]\nrationale:")
    log.decision("0001-x", body)
    out = tmp_path / "site"
    run = invoke(["build", "--root", str(log.root), "-o", str(out), "--no-search", "--no-cache"])
    assert run.exit_code == 0, run.stdout + run.stderr
    sizes = {p.relative_to(out).as_posix(): p.stat().st_size for p in out.rglob("*") if p.is_file()}
    # A page per tag, a few kB each, and pages that list every tag once. Before, every tag page
    # listed every tag (twice) and the decision's tags once more: 2,000 tags made 390 MB.
    assert sum(sizes.values()) < 2000 * 10_000
    tag_pages = {rel: size for rel, size in sizes.items() if rel.startswith("tags/t")}
    assert len(tag_pages) == 2000 and max(tag_pages.values()) < 12_000
    page = (out / "tags" / "t1999" / "index.html").read_text(encoding="utf-8")
    assert 'href="../../decisions/0001/index.html"' in page  # its own decision
    assert page.count('href="../../tags/t') == 40  # the filter bar: the 40 most used tags
    assert '<li class="more"><a href="../../tags/index.html">All tags</a></li>' in page
    assert 'data-tag="t0000 t0001 ' in page and ' t0019" data-more="tag"' in page  # 20 of the item's tags
    listed = (out / "tags" / "index.html").read_text(encoding="utf-8")
    assert all(f'href="../tags/t{i:04d}/index.html"' in listed for i in range(2000))  # every tag, once


def test_a_list_item_names_20_partners_and_the_filter_bar_the_40_most_used(
    log: LogMaker, tmp_path: Path
) -> None:
    ids = [f"p{i:02d}" for i in range(45)]
    for pid in ids:
        log.partner(pid, f"---\nid: {pid}\nname: Partner {pid}\ntimezone: UTC\nmembers: [m-{pid}]\n---\n")
    draft = '---\nid: "{n}"\ntitle: Draft {n}\nstatus: draft\npartners: [{partners}]\n---\n'
    log.decision("0001-wide", draft.format(n="0001", partners=", ".join(ids[1:])))  # all but p00
    log.decision("0002-few", draft.format(n="0002", partners="p01, p02"))
    out = tmp_path / "site"
    run = invoke(["build", "--root", str(log.root), "-o", str(out), "--no-search", "--no-cache"])
    assert run.exit_code == 0, run.stdout + run.stderr
    page = (out / "timeline" / "index.html").read_text(encoding="utf-8")
    title = page.index("Draft 0001")
    item = page[page.rindex('<li class="item"', 0, title) : page.index("</li>", title)]
    assert 'data-partner="p01 p02 p03 ' in item and ' p20" data-tag="" data-more="partner"' in item
    assert item.count("<span title=") == 20 and "and 24 more" in item
    nav = page[page.index('<div class="facet" data-facet="partner"><span class="facet-name">Partner') :]
    nav = nav[: nav.index("</ul>")]
    # of the 44 partners party to a decision, the 40 most used (p01, p02), then the first ones by name
    assert nav.count('href="../timeline/partner/') == 40
    assert "partner/p40/" in nav and "partner/p41/" not in nav
    assert '<li class="more"><a href="../partners/index.html">All partners</a></li>' in nav
