"""`--write` edits only the approvals block: comments, key order and the body stay byte for byte."""

from __future__ import annotations

import pytest

from declog.authoring.frontmatter_edit import KEEP, EditError, scalar, set_approvals

NEW = {
    "partner": "globex",
    "by": "mlee-globex",
    "at": "2026-11-04T11:47:09Z",
    "via": "pr-review",
    "ref": "#17",
    "commit": "9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b",
}
NEW_LINES = (
    "  - partner: globex\n"
    "    by: mlee-globex\n"
    "    at: 2026-11-04T11:47:09Z\n"
    "    via: pr-review\n"
    '    ref: "#17"\n'
    '    commit: "9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b"\n'
)

DOC = """\
---
# Proposed by Anna; see the thread in #marketing.
id: "0001"
title: Co-marketing budget   # one line
status: proposed
partners: [acme, globex]   # order matters to us
approvals:
    # acme agreed on the call, then in the PR
    - partner: acme
      by: bob-acme   # Bob
      via: explicit
# the rationale is short on purpose
rationale: Shared campaigns cost less.
---

Body text, with a trailing space\x20
and no final newline"""


def test_a_new_approval_is_added_and_every_other_byte_stays() -> None:
    out = set_approvals(DOC, [{KEEP: "0"}, NEW])
    added = NEW_LINES.replace("  ", "    ", 1).replace("\n    ", "\n      ")
    assert out == DOC.replace("# the rationale", added + "# the rationale")


def test_a_kept_approval_keeps_its_comments_and_indentation() -> None:
    out = set_approvals(DOC, [{KEEP: "0"}])
    assert out == DOC


def test_replacing_an_approval() -> None:
    out = set_approvals(DOC, [NEW])
    assert "bob-acme" not in out
    assert out.startswith(DOC[: DOC.index("approvals:")])
    assert out.endswith(DOC[DOC.index("# the rationale") :])


def test_approvals_are_added_at_the_end_of_the_frontmatter_when_missing() -> None:
    doc = '---\nid: "0001"\ntitle: T  # c\n---\n# Body\n'
    assert (
        set_approvals(doc, [NEW])
        == '---\nid: "0001"\ntitle: T  # c\napprovals:\n' + NEW_LINES + "---\n# Body\n"
    )


def test_flow_style_approvals_become_a_block() -> None:
    doc = '---\nid: "0001"\napprovals: []\ntags: [a]\n---\n'
    assert set_approvals(doc, [NEW]) == '---\nid: "0001"\napprovals:\n' + NEW_LINES + "tags: [a]\n---\n"


def test_no_approvals_left() -> None:
    assert set_approvals(DOC, []).count("approvals: []\n# the rationale") == 1


def test_a_byte_order_mark_survives() -> None:
    doc = '\ufeff---\nid: "0001"\n---\n'
    assert set_approvals(doc, [NEW]) == '\ufeff---\nid: "0001"\napprovals:\n' + NEW_LINES + "---\n"


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ("no frontmatter\n", "does not start with frontmatter"),
        ('---\nid: "0001"\r\n---\n', "CRLF line endings"),
        ("---\nid: [\n---\n", "cannot edit: invalid YAML"),
    ],
)
def test_files_that_cannot_be_edited_safely(doc: str, message: str) -> None:
    with pytest.raises(EditError, match=message):
        set_approvals(doc, [NEW], "d.md")


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("bob-acme", "bob-acme"),
        ("2026-11-04T11:47:09Z", "2026-11-04T11:47:09Z"),
        ("#17", '"#17"'),
        ("no", '"no"'),
        ("0012", '"0012"'),
        ("1234567", '"1234567"'),
        ('say "hi"', '"say \\"hi\\""'),
    ],
)
def test_scalars_read_back_as_the_same_text(value: str, written: str) -> None:
    assert scalar(value) == written
