"""YAML traps in frontmatter become findings at the line and column of the bad value."""

from __future__ import annotations

import itertools

import pytest
from conftest import LogMaker, doc

from declog.log.yamlparse import parse_yaml, split_frontmatter


def test_leading_zero_id_is_dl007_and_keeps_the_text(log: LogMaker) -> None:
    path = log.decision("0012-x", doc("id: 0012\ntitle: X\nstatus: draft\n"))
    run = log.check()
    assert run.exit_code == 1
    assert (
        f"{path}:2:5: error DL007 '0012' has a leading zero and YAML 1.1 reads it as the number 10 (quote it to keep the text: \"0012\")"
        in run.lines
    )
    # The text survives: the id still matches the file name, so there is no DL108.
    assert not [line for line in run.lines if "DL108" in line]


def test_leading_zero_that_is_not_octal(log: LogMaker) -> None:
    path = log.decision("0019-x", doc("id: 0019\ntitle: X\nstatus: draft\n"))
    assert (
        f"{path}:2:5: error DL007 '0019' has a leading zero and YAML 1.2 reads it as the number 19 (quote it to keep the text: \"0019\")"
        in (log.check().lines)
    )


@pytest.mark.parametrize("word", ["NO", "no", "on", "Off", "yes", "Y"])
def test_yaml11_booleans_are_dl008(log: LogMaker, word: str) -> None:
    path = log.decision("0001-x", doc(f'id: "0001"\ntitle: X\nstatus: draft\ntags: [{word}]\n'))
    line = f"{path}:5:8: error DL008 '{word}' is a boolean in YAML 1.1 and text in YAML 1.2; tools disagree on it (write true or false, or quote the text: \"{word}\")"
    assert line in log.check().lines


def test_quoted_yaml11_boolean_is_text(log: LogMaker) -> None:
    log.decision("0001-x", doc('id: "0001"\ntitle: "NO"\nstatus: draft\n'))
    run = log.check()
    assert run.exit_code == 0, run.stdout
    assert run.stdout == ""


def test_on_as_a_key_is_a_field_named_on_not_true(log: LogMaker) -> None:
    path = log.decision("0001-x", doc('id: "0001"\ntitle: X\nstatus: draft\non: x\n'))
    assert f"{path}:5:1: warning DL107 unknown field 'on'" in log.check().lines


def test_real_booleans_stay_booleans(log: LogMaker) -> None:
    path = log.decision("0001-x", doc('id: "0001"\ntitle: true\nstatus: draft\n'))
    assert f"{path}:3:8: error DL102 title should be text, not true" in log.check().lines


def test_sexagesimal_is_dl009(log: LogMaker) -> None:
    path = log.decision("0001-x", doc('id: "0001"\ntitle: 12:30\nstatus: draft\n'))
    run = log.check()
    assert (
        f"{path}:3:8: error DL009 '12:30' is read as a base-60 number by YAML 1.1 (quote it: \"12:30\", or write a full date-time such as 2026-11-24T12:30:00+00:00)"
        in run.lines
    )
    # The text is kept, so the title is not also reported as a number.
    assert "DL102" not in run.stdout


def test_sexagesimal_float_is_dl009() -> None:
    _, found = parse_yaml("a: 1:30.5\n", "f.md", 2)
    assert [(d.line, d.col, d.code) for d in found] == [(2, 4, "DL009")]


def test_date_that_does_not_exist_is_dl105(log: LogMaker) -> None:
    path = log.decision(
        "0001-x", doc('id: "0001"\ntitle: X\nstatus: draft\nproposed: 2026-13-01T10:00:00+01:00\n')
    )
    run = log.check()
    assert run.exit_code == 1
    assert (
        f"{path}:5:11: error DL105 proposed '2026-13-01T10:00:00+01:00' is not a valid date-time (write YYYY-MM-DDTHH:MM:SS+HH:MM with a real month and day)"
        in (run.lines)
    )


def test_february_30_is_dl105(log: LogMaker) -> None:
    path = log.meeting(
        "m",
        doc("id: m\ntitle: M\ndate: 2026-02-30T10:00:00Z\nattendees: [alice]\n"),
    )
    assert (
        f"{path}:4:7: error DL105 date '2026-02-30T10:00:00Z' is not a valid date-time (write YYYY-MM-DDTHH:MM:SS+HH:MM with a real month and day)"
        in (log.check().lines)
    )


def test_bare_date_where_a_date_time_is_needed_is_dl105(log: LogMaker) -> None:
    path = log.decision("0001-x", doc('id: "0001"\ntitle: X\nstatus: draft\nproposed: 2026-13-01\n'))
    assert (
        f"{path}:5:11: error DL105 proposed '2026-13-01' is not a valid date-time (write YYYY-MM-DDTHH:MM:SS+HH:MM with a real month and day)"
        in log.check().lines
    )


def test_date_time_without_time_zone_is_dl106(log: LogMaker) -> None:
    path = log.decision("0001-x", doc('id: "0001"\ntitle: X\nstatus: draft\nproposed: 2026-01-05T09:00:00\n'))
    run = log.check("--format", "json")
    [found] = [d for d in run.json() if d["code"] == "DL106"]
    assert found == {
        "path": path,
        "line": 5,
        "col": 11,
        "code": "DL106",
        "severity": "error",
        "message": "proposed '2026-01-05T09:00:00' has no time zone offset",
        "hint": "write it with an offset, e.g. '2026-01-05T09:00:00+00:00' for UTC",
    }


def test_duplicate_key_is_dl005_on_the_second_key(log: LogMaker) -> None:
    path = log.decision("0001-x", doc('id: "0001"\ntitle: X\nstatus: draft\ntitle: Y\n'))
    run = log.check()
    assert run.exit_code == 1
    assert (
        f"{path}:5:1: error DL005 duplicate key 'title' (first set on line 3) (YAML would silently keep only the last value; delete one of them)"
        in run.lines
    )


def test_duplicate_key_in_a_nested_mapping(log: LogMaker) -> None:
    text = doc(
        """
        id: "0001"
        title: X
        status: draft
        approvals:
          - partner: acme
            by: bob
            via: explicit
            by: alice
        """
    )
    path = log.decision("0001-x", text)
    assert (
        f"{path}:9:5: error DL005 duplicate key 'by' (first set on line 7) (YAML would silently keep only the last value; delete one of them)"
        in log.check().lines
    )


def test_alias_is_dl006_where_the_alias_is_written(log: LogMaker) -> None:
    text = doc(
        """
        id: "0001"
        title: X
        status: draft
        tags: &t [x]
        supersedes:
          - *t
        """
    )
    path = log.decision("0001-x", text)
    dl006 = [line for line in log.check().lines if "DL006" in line]
    assert dl006 == [
        f"{path}:5:7: error DL006 anchor '&t': anchors and aliases are not allowed in frontmatter (write the value out in full instead of `&anchor` / `*alias`)",
        f"{path}:7:5: error DL006 alias '*t': anchors and aliases are not allowed in frontmatter (write the value out in full instead of `&anchor` / `*alias`)",
    ]


def test_merge_key_is_dl006() -> None:
    _, found = parse_yaml("base: &b {a: 1}\nother:\n  <<: *b\n", "f.md", 2)
    assert ("DL006", 4, 3, "merge keys (`<<`) are not allowed in frontmatter") in [
        (d.code, d.line, d.col, d.message) for d in found
    ]


def _billion_laughs(levels: int = 9) -> str:
    names = "abcdefghijklmnop"[:levels]
    lines = ['id: "0001"', "title: lol", "status: draft", f'{names[0]}: &{names[0]} ["lol", "lol", "lol"]']
    for prev, name in itertools.pairwise(names):
        lines.append(f"{name}: &{name} [{', '.join([f'*{prev}'] * 9)}]")
    return "\n".join(lines) + "\n"


def test_billion_laughs_is_refused_with_dl006(log: LogMaker) -> None:
    # Expanded, this document would hold 9**9 strings; that it is never expanded
    # is asserted below at the parser level (no timing here: speed lives in benchmarks/).
    path = log.decision("0001-x", doc(_billion_laughs()))
    run = log.check()
    assert run.exit_code == 1
    dl006 = [line for line in run.lines if " DL006 " in line]
    assert len(dl006) == 9 + 8 * 9  # every anchor and every alias, once
    assert (
        f"{path}:6:4: error DL006 anchor '&b': anchors and aliases are not allowed in frontmatter (write the value out in full instead of `&anchor` / `*alias`)"
        in dl006
    )
    assert (
        f"{path}:6:8: error DL006 alias '*a': anchors and aliases are not allowed in frontmatter (write the value out in full instead of `&anchor` / `*alias`)"
        in dl006
    )


def test_billion_laughs_at_parser_level_builds_no_expansion() -> None:
    parsed, found = parse_yaml(_billion_laughs(12), "f.md", 2)
    assert parsed is not None
    # The aliases are not expanded: each is replaced by nothing.
    assert parsed.data["b"] == [None] * 9
    assert {d.code for d in found} == {"DL006"}


def test_custom_tag_is_refused() -> None:
    _, found = parse_yaml("a: !!python/object:os.system x\nb: !thing 1\n", "f.md", 2)
    assert [(d.code, d.line, d.col) for d in found] == [("DL003", 2, 4), ("DL003", 3, 4)]
    assert "YAML tag" in found[0].message


def test_syntax_error_names_line_and_column(log: LogMaker) -> None:
    path = log.decision("0001-x", doc('id: "0001"\ntitle: Pricing: phase 2\nstatus: draft\n'))
    run = log.check("--format", "json")
    [found] = [d for d in run.json() if d["code"] == "DL003"]
    assert (found["path"], found["line"], found["col"]) == (path, 3, 15)
    assert (
        found["message"]
        == "invalid YAML: a value contains ': ', which YAML reads as the start of another field"
    )
    assert found["hint"] == 'quote the value: title: "Pricing: phase 2"'


def test_tab_indentation_is_dl003_with_a_hint(log: LogMaker) -> None:
    path = log.decision("0001-x", doc('id: "0001"\ntitle: X\nstatus: draft\ntags:\n\t- x\n'))
    run = log.check("--format", "json")
    assert run.exit_code == 1
    [found] = run.json()
    assert (found["path"], found["line"], found["col"], found["code"]) == (path, 6, 1, "DL003")
    assert found["message"] == "invalid YAML: a tab is used for indentation; YAML indents with spaces only"
    assert found["hint"] == "replace the tab at the start of line 6 with spaces (two per level)"


def test_key_that_is_a_list_is_dl003() -> None:
    _, found = parse_yaml("? [a, b]\n: 1\n", "f.md", 2)
    assert [(d.code, d.line, d.message) for d in found] == [
        ("DL003", 2, "a key must be plain text, not a list or mapping")
    ]


@pytest.mark.parametrize(
    "text",
    [
        "a: " + "[" * 1000 + "]" * 1000,  # beyond libyaml's own limit of 1,000
        "a: " + "{b: " * 300 + "1" + "}" * 300,
        "".join("  " * i + "- \n" for i in range(300)),
    ],
    ids=["flow-list", "flow-mapping", "block-list"],
)
def test_nesting_deeper_than_64_is_one_dl016_not_a_recursion_error(text: str) -> None:
    _, found = parse_yaml(text, "f.md", 2)
    assert [(d.code, d.message) for d in found] == [("DL016", "lists and mappings nested more than 64 deep")]
    assert found[0].line >= 2


def test_dl016_stands_where_the_first_value_too_deep_starts() -> None:
    deep = "[" * 64 + "1" + "]" * 64  # 64 lists under a field: a value at depth 65
    parsed, found = parse_yaml(f'id: "0001"\nb: [[x]]\na: {deep}\nc: {deep}\n', "f.md", 2)
    assert [(d.code, d.line, d.col) for d in found] == [("DL016", 4, 4 + 64)]
    assert parsed is not None and parsed.data["b"] == [["x"]]  # the rest is read as usual; one finding


def test_nesting_up_to_64_is_read() -> None:
    parsed, found = parse_yaml("a: " + "[" * 63 + "1" + "]" * 63, "f.md", 2)
    assert found == []
    assert parsed is not None
    value = parsed.data["a"]
    for _ in range(63):
        value = value[0]
    assert value == 1


def test_a_deeply_nested_field_is_dl016_from_declog_check(log: LogMaker) -> None:
    path = log.decision("0001-x", doc('id: "0001"\ntitle: X\nstatus: draft\ntags: ' + "[" * 500 + "]" * 500))
    run = log.check()
    assert run.exit_code == 1
    assert f"{path}:5:71: error DL016 lists and mappings nested more than 64 deep" in run.stdout


def test_positions_of_nested_values() -> None:
    parsed, found = parse_yaml('a:\n  - x: 1\n    y: "two"\n', "f.md", 2)
    assert found == []
    assert parsed is not None
    assert (parsed.pos("a", 0, "y").line, parsed.pos("a", 0, "y").col) == (4, 8)
    assert (parsed.key_pos("a", 0, "y").line, parsed.key_pos("a", 0, "y").col) == (4, 5)
    # An unknown path falls back to its nearest known parent.
    assert parsed.pos("a", 0, "zzz") == parsed.pos("a", 0)


def test_split_frontmatter_keeps_line_numbers_after_blank_lines() -> None:
    front = split_frontmatter("---\n\n\nid: x\n---\n\nbody\n", "f.md")
    assert not isinstance(front, type(None))
    parsed, _ = parse_yaml(front.yaml_text, "f.md", front.yaml_line)  # type: ignore[union-attr]
    assert parsed is not None
    assert parsed.pos("id").line == 4
    assert front.body_line == 6  # type: ignore[union-attr]


def test_yaml_document_end_marker_closes_frontmatter() -> None:
    front = split_frontmatter("---\nid: x\n...\nbody\n", "f.md")
    assert getattr(front, "yaml_text", None) == "id: x"
    assert getattr(front, "body", None) == "body\n"


_SCALARS = [
    "", "~", "null", "Null", "NULL", "nul", "true", "True", "TRUE", "tRue", "false", "yes", "on", "0", "12",
    "-3", "+4", "0x1F", "0o17", "017", "0b101", "1_000", "3.14", "-.5", "1e3", "6.02e+23", ".inf", "-.Inf",
    ".NaN", ".nan", "12:30", "1:20:30.5", "2026-01-15", "2026-01-15T10:00:00+01:00", "=", "<<", "abc",
    "0012", "-", ".", "+", "éclair", "'", '"',
]  # fmt: skip


@pytest.mark.parametrize("value", _SCALARS)
def test_tags_match_pyyamls_own_resolver(value: str) -> None:
    """The loader's quick resolve answers what PyYAML's would, with the same table (every first character)."""
    import yaml

    from declog.log.yamlparse import _Loader

    def pyyaml(kind: type[yaml.Node], implicit: tuple[bool, bool]) -> str:
        return str(yaml.resolver.BaseResolver.resolve(loader, kind, value, implicit))

    loader = _Loader("")
    try:
        for implicit in [(True, False), (False, True), (False, False)]:
            assert loader.resolve(yaml.ScalarNode, value, implicit) == pyyaml(yaml.ScalarNode, implicit)
        for kind in (yaml.SequenceNode, yaml.MappingNode):
            assert loader.resolve(kind, None, (True, False)) == pyyaml(kind, (True, False))
    finally:
        loader.dispose()


@pytest.mark.parametrize(
    ("frontmatter", "where", "message", "hint"),
    [
        (
            "id: acme\nmembers: [@alice, bob]\n",
            (3, 11),
            "a value cannot start with '@' unless it is quoted ('@' is reserved in YAML)",
            "quote the value: members: ['@alice', bob], or write the handle without '@': members: [alice, bob]",
        ),
        (
            "id: acme\nmembers:\n  - @alice\n",
            (4, 5),
            "a value cannot start with '@' unless it is quoted ('@' is reserved in YAML)",
            "quote the value: - '@alice', or write the handle without '@': - alice",
        ),
        (
            "title: `declog check` in CI\n",
            (2, 8),
            "a value cannot start with '`' unless it is quoted ('`' (a backquote) is reserved in YAML)",
            "quote the value: title: '`declog check` in CI'",
        ),
        (
            "id: acme\nmembers:\n\t- alice\n",
            (4, 1),
            "a tab is used for indentation; YAML indents with spaces only",
            "replace the tab at the start of line 4 with spaces (two per level)",
        ),
        (
            "title: Pricing: phase 2\n",
            (2, 15),
            "a value contains ': ', which YAML reads as the start of another field",
            'quote the value: title: "Pricing: phase 2"',
        ),
        (
            "members:\n  - alice\n - bob\n",
            (4, 2),
            "line 4 is not lined up with the lines above it (the fields starting on line 2)",
            "indent the items of one list, or the fields of one mapping, by the same number of spaces",
        ),
        (
            "approvals:\n  - partner: acme\n   by: bob\n",
            (4, 4),
            "line 4 is not lined up with the lines above it (the list starting on line 3)",
            "indent the items of one list, or the fields of one mapping, by the same number of spaces",
        ),
        (
            "id: acme\n  name: Acme\n",
            (3, 7),
            "this line is indented as if it belonged to the line above, which is a value, not a list or mapping",
            "line up 'name: Acme' with the field above it, or quote a value that contains ': '",
        ),
        (
            "partners: [acme, globex\nid: x\n",
            (3, 3),
            "the list opened on line 2 is not closed with ']'",
            "close it with ']' on the same line; quote items that contain ',', '[' or ']'",
        ),
        (
            'title: "Pricing\nid: x\n',
            (4, 1),
            "a quote opened on line 2 is never closed",
            "close the quote on the same line, or write the value without quotes",
        ),
        (
            "id: x\ntitle\nstatus: draft\n",
            (3, 1),
            "'title' is not a field: a field is written `name: value`",
            "add the colon and the value (title: ...), or join it to the line above if it continues that value",
        ),
    ],
    ids=[
        "at-in-list",
        "at-in-block",
        "backquote",
        "tab",
        "colon",
        "list-indent",
        "map-indent",
        "over-indent",
        "unclosed-list",
        "unclosed-quote",
        "no-colon",
    ],
)
def test_yaml_mistakes_are_named_in_plain_words_with_the_fix(
    frontmatter: str, where: tuple[int, int], message: str, hint: str
) -> None:
    _, [found] = parse_yaml(frontmatter, "content/partners/acme.md", 2)
    assert (found.code, found.line, found.col) == ("DL003", *where)
    assert (found.message, found.hint) == (f"invalid YAML: {message}", hint)


def test_a_yaml_mistake_reads_in_plain_words_from_the_command(log: LogMaker) -> None:
    log.partner("acme", doc("id: acme\nname: Acme\ntimezone: Europe/Berlin\nmembers: [@alice, bob]\n"))
    run = log.check()
    assert run.lines[0] == (
        "content/partners/acme.md:5:11: error DL003 invalid YAML: a value cannot start with '@' unless it is "
        "quoted ('@' is reserved in YAML) (quote the value: members: ['@alice', bob], or write the handle "
        "without '@': members: [alice, bob])"
    )
