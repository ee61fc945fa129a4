"""The ``fast`` extra renders bodies with markdown-it-pyrs: pages must be byte for byte what
markdown-it-py makes of them, references and link rewriting included.

Over the example log, generated logs (benchmarks/gen_corpus.py), hostile bodies and random mixes of
Markdown constructs, ``Markdown`` with the accelerator gives the same HTML and the same references
as ``Markdown(accelerate=False)``; bodies the gate (``markdown_fast.suits``) turns away go to
markdown-it-py, and the constructs it turns away really do differ between the engines.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from functools import cache
from types import ModuleType

import pytest
from conftest import REPO
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytest.importorskip("markdown_it_pyrs")

from declog.log.yamlparse import Frontmatter, split_frontmatter
from declog.site import markdown_fast, pages
from declog.site.markdown import Markdown, Targets

ROOTS = ("../../", "https://log.example.org/a&b/")


@cache
def gen_corpus() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gen_corpus", REPO / "benchmarks" / "gen_corpus.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["gen_corpus"] = module  # its dataclasses look themselves up there
    spec.loader.exec_module(module)
    return module


def example_bodies() -> list[tuple[str, str]]:
    out = []
    for path in sorted((REPO / "content").glob("*/*.md")):
        front = split_frontmatter(path.read_text(encoding="utf-8"), str(path))
        assert isinstance(front, Frontmatter)
        out.append((path.name, front.body))
    return out


@cache
def generated() -> tuple[Targets, list[tuple[str, str]]]:
    gen = gen_corpus()
    corpus = gen.build(400, 7)
    bodies = [(d.stem, d.body) for d in corpus.decisions]
    for m in corpus.meetings[:50]:
        front = split_frontmatter(gen.meeting_doc(m), m.id)
        assert isinstance(front, Frontmatter)
        bodies.append((m.id, front.body))
    targets = Targets.of(
        ((f"{d.stem}.md", d.id) for d in corpus.decisions),
        list(gen.PARTNERS),
        [m.id for m in corpus.meetings],
    )
    return targets, bodies


def engines(targets: Targets) -> tuple[Markdown, Markdown]:
    fast = Markdown(targets)
    assert fast.fast is not None, "markdown-it-pyrs is installed but not used"
    return Markdown(targets, accelerate=False), fast


def assert_same(targets: Targets, bodies: list[tuple[str, str]]) -> int:
    """Every body renders to the same bytes and references with and without the accelerator;
    returns how many the gate let through."""
    reference, fast = engines(targets)
    suited = 0
    for name, body in bodies:
        suited += markdown_fast.suits(body)
        for root in ROOTS:
            want, got = reference.render(body, root), fast.render(body, root)
            assert got.html == want.html, f"{name}: the accelerator's HTML differs"
            assert got.refs == want.refs, f"{name}: the accelerator's references differ"
    return suited


@pytest.mark.example
def test_example_log_is_byte_identical() -> None:
    bodies = example_bodies()
    suited = assert_same(pages.tree_targets(REPO), bodies)
    # the example's task lists go to markdown-it-py; everything else is accelerated
    assert suited == sum("[ ]" not in b and "[x]" not in b for _, b in bodies) >= 30


def test_generated_logs_are_byte_identical_and_all_accelerated() -> None:
    targets, bodies = generated()
    assert assert_same(targets, bodies) == len(bodies)


#: What a partner might write, well or badly: each is rendered alone, so a construct that the gate
#: sends to markdown-it-py does not hide the others.
HOSTILE = [
    "<script>alert(1)</script>\n\n<b onclick=x>bold</b> <!-- c --> <?php x ?> <![CDATA[x]]>",
    "[x](javascript:alert(1)) [y](JaVaScRiPt:x) <javascript:alert(1)> [z](vbscript:x) [d](data:text/html,x)",
    '![i](javascript:x) ![j](data:image/png;base64,AAAA) ![k](https://x.example/i.png "t") ![](x.png)',
    "[f](0002-host-the-platform-in-aws-eu-central-1-frankfurt.md) [g](../decisions/0001-keep-consortium-decisions-in-a-git-decision-log.md#why)",
    '[h](./0003-silence-counts-as-approval-for-two-partners-on-operational-changes.md "t") [i](9999-nothing.md)',
    "[p](../partners/kessler.md) [q](../partners/nobody.md#x) [m](../meetings/2025-09-16-kickoff.md#a)",
    "[[0001]] [[ 0002 ]] [[9999]] ([[0003]]) *[[0004]]* **[[0005]]**, _[[0006]]_.",
    "`[[0001]]` and\n\n    [[0002]] in code\n\n```\n[[0003]]\n```\n",
    "[see [[0001]]](https://x.example/) [[0001]](https://x.example/) [[[0001]]] ![[[0001]]](x.png)",
    "\\[[0001]] \\[\\[0001\\]\\] &#91;[0001]] &lsqb;[0001]] [[0001\\]]",
    "[0001]: https://x.example/\n\nSee [[0001]].",
    '[a](x "t [[0001]] t") <https://x.example/[[0001]]>',
    "## [[0001]] and `code` &amp; *em*\n\n## Same\n\n## Same\n\n### Same-1\n\n# Top\n\n##### Deep\n\nSetext\nheading\n---\n",
    "## ![alt](x.png) image\n\n## [link](0001-keep-consortium-decisions-in-a-git-decision-log.md) text\n\n## Ünïcödé 決定\n",
    "- a\n  - b\n    - c\n      1. d\n      2. e\n\n> quote\n> - in list\n>\n> > nested\n",
    "- [ ] open\n- [x] done\n- [X] also\n",
    "A note[^1] and ^[inline].\n\n[^1]: The footnote.\n",
    "| a | b | c |\n|:--|:-:|--:|\n| `x\\|y` | [[0001]] | [l](../partners/kessler.md) |\n| **b** | <i> | &copy; |\n",
    "&copy; &amp; &#0; &#x110000; &bogus; &quot; &nbsp;",
    "x" * 20_000 + " [[0001]] " + "y " * 5_000,
    "Ünïcödé ✓ 決定 𝔘 e\u0301 \u200b\u202e RTL \u00a0 [l](https://bücher.example/) <https://ü.example>",
    "line one  \nline two\\\nline three\n\n---\n***\n___\n",
    "\tindented with a tab\n- item\n\n\tcode",
    "a\r\nb\rc\x00d",
    "> " * 30 + "deep",
    "".join("  " * i + "- x\n" for i in range(25)),
    "[" * 30 + "a" + "](x)" * 30,
    "*a **b *c* d** e* __f__ _g_ ~~h~~ ***i***",
    "<mail@example.org> <https://x.example/?a=1&b=2> https://bare.example",
    '[ref]\n\n[ref]: https://x.example/ "title"\n[other]: ../partners/kessler.md',
]


@pytest.mark.parametrize("body", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_bodies_are_byte_identical(body: str) -> None:
    assert_same(pages.tree_targets(REPO), [("hostile", body)])


def test_the_gate_turns_away_what_the_engines_render_differently() -> None:
    """Each construct the gate exists for really differs between the bare engines (so the gate is
    what keeps the pages identical), and the accelerated renderer still gives markdown-it-py's bytes."""
    reference, fast = engines(pages.tree_targets(REPO))
    differing = {
        "task list": "- [ ] open\n- [x] done\n",
        "footnote": "A note[^1].\n\n[^1]: The footnote.\n",
        "deep nesting": "> " * 25 + "deep",
        "international domain": "[l](https://bücher.example/)",
        "escaped reference": "\\[[0001]]",
        "definition of a reference's number": "[0001]: https://x.example/\n\nSee [[0001]].",
    }
    for what, body in differing.items():
        assert not markdown_fast.suits(body), what
        want = reference.render(body, "../../")
        ungated = fast._render_fast(body, {"root": "../../", "refs": {}})  # as if the gate let it through
        assert ungated != want.html, f"{what}: the engines agree; the gate need not turn it away"
        assert fast.render(body, "../../") == want, what


FRAGMENTS = [
    "## Heading [[0001]]",
    "### Same",
    "### Same",
    "#### `code` &amp; *em*",
    "Setext\n---",
    "Plain text with *emphasis*, **strong**, `code` and a_b_c.",
    "See [[0001]], [[0002]] and [[9999]].",
    "([[0003]])",
    "`[[0001]]`",
    "[[0001]](x)",
    "\\[[0002]]",
    "[0002]: https://x.example/",
    "[f](0002-host-the-platform-in-aws-eu-central-1-frankfurt.md#a)",
    "[p](../partners/kessler.md) [m](../meetings/2025-09-16-kickoff.md)",
    '[bad](javascript:x) ![img](vbscript:y) ![ok](x.png "t")',
    "[t](https://x.example/?a=1&b=\"2\" 'title [[0001]]')",
    "<https://x.example/a_b> <me@example.org>",
    "- item one\n- item two\n  - nested [[0001]]",
    "1. first\n2. second",
    "- [ ] task\n- [x] done",
    "Note[^n].\n\n[^n]: footnote",
    "> quoted\n> > deeper",
    "| a | b |\n| --- | ---: |\n| [[0001]] | `x\\|y` |",
    "```python\nprint('[[0001]]')\n```",
    "    indented code",
    "<div onclick=x>raw</div> <span>inline</span>",
    "&copy; &#91; &nbsp; &bogus;",
    "Ünïcödé 決定 ✓",
    "[l](https://bücher.example/)",
    "hard  \nbreak\\\nhere",
    "***",
    "*",
    "_",
    "[",
    "]",
    "![",
    "x" * 300,
]


@settings(
    max_examples=int(os.environ.get("MDX", 300)), deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(
    parts=st.lists(
        st.tuples(st.sampled_from(FRAGMENTS), st.sampled_from(["\n\n", "\n", " ", "", "\n  ", "\n> "])),
        min_size=1,
        max_size=12,
    )
)
def test_random_mixes_are_byte_identical(parts: list[tuple[str, str]]) -> None:
    body = "".join(fragment + sep for fragment, sep in parts)
    assert_same(pages.tree_targets(REPO), [("mix", body)])


def test_engine_id_names_the_engines_in_use() -> None:
    targets = pages.tree_targets(REPO)
    reference, fast = Markdown(targets, accelerate=False), Markdown(targets)
    assert reference.engine_id.startswith("markdown-it-py ")
    assert "markdown-it-pyrs" not in reference.engine_id
    assert fast.engine_id == reference.engine_id + f", markdown-it-pyrs {markdown_fast.version}"


def _reference_gate(text: str) -> bool:
    """``suits`` as first written: plain searches (``^`` at every line), none of its shortcuts."""
    import re

    bracketish = "|".join(map(re.escape, markdown_fast._BRACKETISH))
    unsuited = re.compile(r"\[\^|\^\[|\[[ xX]\]|\\[\[\]]|&#|&(?:" + bracketish + r");")
    deep = re.compile(r"^[ \t>*+\-0-9.)]{12}", re.MULTILINE)
    lazy = re.compile(r"^[ \t>*+\-0-9.)]*>.*\n(?![ \t>]*>|[ \t]*$)", re.MULTILINE)
    after_row = re.compile(
        r"\|[^\n]*\n(?:(?=[^\n]*\S)[^|\n]*$|[ \t]*(?:[-*+>#`~_=]|[0-9]{1,9}[.)])|[ ]{4}|\t)", re.MULTILINE
    )
    if "\r" in text or "\0" in text or unsuited.search(text) or deep.search(text):
        return False
    if lazy.search(text) or after_row.search(text):
        return False
    if not text.isascii() and ("](" in text or "]:" in text or "<" in text):
        return False
    if text.count("[") > 12 and markdown_fast._bracket_depth(text) > 12:
        return False
    return "[[" not in text or ("]:" not in text and markdown_fast._plain_refs(text))


#: Pieces that each of the gate's patterns looks for, and what lies next to them.
_GATE_PIECES = [
    *"[]^\\&#;|>*+-.)0123456789xX \t\n\r\0é",
    "&lsqb;",
    "&rsqb;",
    "&nbsp;",
    "&amp;",
    "[[0001]]",
    "- [ ] ",
    "> ",
    "1. ",
    "    ",
    "](",
    "]:",
    "<",
    "word",
]


@settings(max_examples=int(os.environ.get("MDX", 300)) * 5, deadline=None)
@given(st.lists(st.sampled_from(_GATE_PIECES), max_size=40))
def test_the_gate_takes_the_bodies_its_plain_patterns_take(pieces: list[str]) -> None:
    """The gate's fast searches (one character first, a line's start by its "\\n") take exactly the
    bodies its plain patterns take."""
    text = "".join(pieces)
    assert markdown_fast.suits(text) == _reference_gate(text), repr(text)


def test_the_gate_takes_the_generated_bodies_its_plain_patterns_take() -> None:
    _, bodies = generated()
    for name, body in bodies + example_bodies() + [("hostile", b) for b in HOSTILE]:
        assert markdown_fast.suits(body) == _reference_gate(body), name
