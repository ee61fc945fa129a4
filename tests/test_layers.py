"""The package is a layered pipeline: each subpackage imports only from itself or the ones below.

LAYERS lists the subpackages of declog/, bottom first, in the order data flows
(CONTRIBUTING.md draws it). A module may import modules of its own package or
of lower ones; an import of a higher package fails, and so does a module outside
the packages in LAYERS. Inside a package, modules import each other without
cycles. Imports inside functions and under TYPE_CHECKING count too.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from conftest import REPO

#: Bottom first: the flow of data from a file in the log to a page, a finding or an answer.
#: "declog" is the package's __init__ (the version number). Each entry is a subpackage of
#: declog/ (or the entry point); every module lives in one of them.
LAYERS: list[tuple[str, ...]] = [
    ("declog",),
    # the log: files read safely into typed records, git, and where each decision stands
    ("log",),
    # the validator: rules over the log, the trust rules (governance, consent), findings as text
    ("check",),
    # insight over the checked log: audit, charts, queries, the SQLite export
    ("insight",),
    # writing documents into the log: init and new, frontmatter edits, imports
    ("authoring",),
    # pull requests: reviews as approvals, the evidence a PR cannot write
    ("pr",),
    # the site: views, theme, pages, feeds, the build and its cache, serve
    ("site",),
    ("cli",),
    ("__main__",),
]

PACKAGE = REPO / "declog"


def layer_of(layers: Sequence[tuple[str, ...]]) -> dict[str, int]:
    out: dict[str, int] = {}
    for index, names in enumerate(layers):
        for name in names:
            assert name not in out, f"{name} is listed twice in LAYERS"
            out[name] = index
    return out


def component(module: str) -> str:
    """declog.check.rules.identity -> check; declog -> declog."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def module_name(package: Path, path: Path) -> str:
    rel = path.relative_to(package.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports(package: Path, path: Path) -> Iterator[tuple[int, str]]:
    """(line, imported declog module) for every import in ``path``."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    here = module_name(package, path).split(".")
    is_package = path.name == "__init__.py"
    top = package.name
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == top or alias.name.startswith(top + "."):
                    yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = here if is_package else here[:-1]
                base = base[: len(base) - (node.level - 1)]
                source = ".".join([*base, *([node.module] if node.module else [])])
            else:
                source = node.module or ""
            if source != top and not source.startswith(top + "."):
                continue
            for alias in node.names:
                candidate = f"{source}.{alias.name}"
                sub = package.parent.joinpath(*candidate.split("."))
                if sub.with_suffix(".py").is_file() or (sub / "__init__.py").is_file():
                    yield node.lineno, candidate
                else:
                    yield node.lineno, source


def violations(package: Path, layers: Sequence[tuple[str, ...]]) -> list[str]:
    rank = layer_of(layers)
    problems: list[str] = []
    for path in sorted(package.rglob("*.py")):
        me = component(module_name(package, path))
        rel = path.relative_to(package.parent).as_posix()
        if me not in rank:
            problems.append(f"{rel}: module '{me}' is not placed in LAYERS (tests/test_layers.py)")
            continue
        for line, target in imports(package, path):
            them = component(target)
            if them not in rank:
                continue  # reported for its own file
            if rank[them] > rank[me]:
                problems.append(
                    f"{rel}:{line}: '{me}' (layer {rank[me]}) imports '{target}' from a higher layer ({rank[them]})"
                )
    return problems


def package_graph(package: Path) -> dict[str, set[str]]:
    """Package -> the other packages its modules import (the package's own __init__ left out)."""
    graph: dict[str, set[str]] = {}
    for path in package.rglob("*.py"):
        me = component(module_name(package, path))
        for _, target in imports(package, path):
            them = component(target)
            if them != me and them != package.name:
                graph.setdefault(me, set()).add(them)
    return graph


def module_graph(package: Path) -> dict[str, set[str]]:
    """Module -> the modules it imports (declog.site.cache -> declog.site.build, ...)."""
    graph: dict[str, set[str]] = {}
    for path in package.rglob("*.py"):
        me = module_name(package, path)
        for _, target in imports(package, path):
            if target != me and (package / Path(*target.split(".")[1:])).with_suffix(".py").is_file():
                graph.setdefault(me, set()).add(target)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every cycle of ``graph``, once each, as the path round it."""
    found: list[list[str]] = []

    def visit(node: str, trail: list[str]) -> None:
        for nxt in sorted(graph.get(node, ())):
            if nxt in trail:
                cycle = [*trail[trail.index(nxt) :], nxt]
                if sorted(cycle[:-1]) not in [sorted(c[:-1]) for c in found]:
                    found.append(cycle)
            else:
                visit(nxt, [*trail, nxt])

    for start in sorted(graph):
        visit(start, [start])
    return found


def component_cycles(package: Path) -> list[list[str]]:
    return cycles(package_graph(package))


def test_no_module_imports_from_a_higher_layer() -> None:
    assert violations(PACKAGE, LAYERS) == []


def test_no_import_cycles_between_packages() -> None:
    assert component_cycles(PACKAGE) == []


def test_nothing_imports_the_cli() -> None:
    """Only the entry point and the CLI's own modules (declog/cli/) import the CLI."""
    cli_dir = PACKAGE / "cli"
    importers = [
        path.relative_to(REPO).as_posix()
        for path in PACKAGE.rglob("*.py")
        if path.name != "__main__.py"
        and not path.is_relative_to(cli_dir)
        and any(component(t) == "cli" for _, t in imports(PACKAGE, path))
    ]
    assert importers == []


def test_no_import_cycles_between_modules_inside_a_package() -> None:
    assert cycles(module_graph(PACKAGE)) == []


def test_only_the_version_and_the_entry_point_sit_at_the_top() -> None:
    """Every module lives in the subpackage of its stage, so the folder listing shows the pipeline."""
    top = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert top == ["__init__.py", "__main__.py"]
    folders = {p.parent.relative_to(PACKAGE).parts[0] for p in PACKAGE.glob("*/__init__.py")}
    assert folders == {name for (name,) in LAYERS[1:-1]}


def test_each_layer_uses_the_layers_below_it() -> None:
    """Each package imports from the pipeline below it: one that needs nothing of it sits too high."""
    below = package_graph(PACKAGE)
    for (name,) in LAYERS[2:]:
        assert below.get(name), f"{name} imports nothing from the layers below: does it belong higher up?"


def test_contributing_draws_the_layers_in_their_order() -> None:
    """CONTRIBUTING.md's picture of the pipeline names the packages in the order LAYERS has them."""
    text = (REPO / "CONTRIBUTING.md").read_text(encoding="utf-8")
    picture = text[text.index("```text") : text.index("```", text.index("```text") + 3)]
    named = [name for (name,) in LAYERS[1:-1]]
    positions = [picture.index(f"{name}/") for name in named]
    assert positions == sorted(positions), f"CONTRIBUTING.md's picture should read {named} in order"


# --- the checker itself catches what it should -------------------------------------------------


@pytest.fixture
def fake(tmp_path: Path) -> Path:
    package = tmp_path / "declog"
    (package / "rules").mkdir(parents=True)
    files = {
        "__init__.py": '__version__ = "0"\n',
        "vocab.py": "X = 1\n",
        "load.py": "from declog import vocab\n",
        "check.py": "from declog.load import X\nfrom declog import rules\n",
        "rules/__init__.py": "from declog.rules import identity\n",
        "rules/identity.py": "def f():\n    from ..check import thing\n",
        "cli.py": "import declog.check\nfrom declog import __version__\n",
    }
    for name, text in files.items():
        (package / name).write_text(text)
    return package


FAKE_LAYERS = [("declog", "vocab"), ("load",), ("rules", "check"), ("cli",)]


def test_checker_accepts_a_well_layered_package(fake: Path) -> None:
    (fake / "rules" / "identity.py").write_text("from declog.load import X\n")
    assert violations(fake, FAKE_LAYERS) == []


def test_checker_reports_an_upward_import_inside_a_function(fake: Path) -> None:
    (fake / "load.py").write_text("def f():\n    from declog.check import run\n")
    assert violations(fake, FAKE_LAYERS) == [
        "declog/load.py:2: 'load' (layer 1) imports 'declog.check' from a higher layer (2)"
    ]


def test_checker_reports_an_upward_relative_import(fake: Path) -> None:
    (fake / "vocab.py").write_text("from . import cli\n")
    assert violations(fake, FAKE_LAYERS) == [
        "declog/vocab.py:1: 'vocab' (layer 0) imports 'declog.cli' from a higher layer (3)"
    ]


def test_checker_reports_a_module_missing_from_layers(fake: Path) -> None:
    (fake / "serve.py").write_text("from declog import cli\n")
    assert violations(fake, FAKE_LAYERS) == [
        "declog/serve.py: module 'serve' is not placed in LAYERS (tests/test_layers.py)"
    ]


def test_checker_reports_cycles(fake: Path) -> None:
    assert component_cycles(fake) == [["check", "rules", "check"]]
