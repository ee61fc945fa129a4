"""The rule catalogue and the rule functions agree, and every code the validator emits is tested."""

from __future__ import annotations

import re

from conftest import REPO

from declog.check.rules import BASE_RULES, RULES
from declog.log.codes import CODES

#: The catalogue itself names every code; every other module that names one emits it.
CATALOGUE = REPO / "declog" / "log" / "codes.py"
CODE = re.compile(r'"(DL\d{3})"')


def emitted_codes() -> dict[str, list[str]]:
    """Code -> files of the package that emit it (as a string literal)."""
    out: dict[str, list[str]] = {}
    for path in sorted((REPO / "declog").rglob("*.py")):
        if path == CATALOGUE:
            continue
        for code in CODE.findall(path.read_text(encoding="utf-8")):
            out.setdefault(code, []).append(path.relative_to(REPO).as_posix())
    return out


def test_the_scan_finds_the_emitting_files() -> None:
    found = emitted_codes()
    assert set(found["DL405"]) == {"declog/check/rules/history.py"}
    assert set(found["DL006"]) == {"declog/log/yamlparse.py"}
    assert len(found) >= 50


def test_every_emitted_code_is_catalogued() -> None:
    assert sorted(set(emitted_codes()) - set(CODES)) == []


def test_every_code_the_validator_emits_has_a_test() -> None:
    """Each code appears in some test module other than this one (which asserts its finding)."""
    tests = [p for p in (REPO / "tests").glob("test_*.py") if p.name != "test_rules_catalogue.py"]
    mentioned: set[str] = set()
    for path in tests:
        mentioned |= set(re.findall(r"DL\d{3}", path.read_text(encoding="utf-8")))
    untested = {code: files for code, files in emitted_codes().items() if code not in mentioned}
    assert untested == {}


def test_each_rule_function_states_its_rule_in_its_docstring() -> None:
    for rule in (*(r.check for r in RULES), *BASE_RULES):
        code = "DL" + rule.__name__[2:5]
        assert rule.__name__.startswith("dl"), rule.__name__
        assert code in CODES, rule.__name__
        assert (rule.__doc__ or "").strip() == CODES[code].rule, rule.__name__


def test_rules_run_in_code_order_and_each_once() -> None:
    names = [r.check.__name__[:5] for r in RULES]
    assert names == sorted(names)
    assert len(set(names)) == len(names)
    assert [r.__name__[:5] for r in BASE_RULES] == [
        "dl401",
        "dl402",
        "dl403",
        "dl404",
        "dl405",
        "dl406",
        "dl408",
        "dl409",
    ]


def test_codes_are_unique_stable_and_well_formed() -> None:
    for key, entry in CODES.items():
        assert key == entry.code
        assert re.fullmatch(r"DL\d{3}", key)
        assert re.fullmatch(r"[a-z]+(-[a-z0-9]+)*", entry.name)
        assert entry.rule.endswith("."), key
    assert len({c.name for c in CODES.values()}) == len(CODES)
