"""The package is a layered pipeline: each module imports only from its layer or below.

LAYERS lists every module of declog/, bottom first. A module may import
modules of its own layer or of lower layers; an import of a higher layer
fails, and so does a module missing from LAYERS (place it when you add it).
Imports inside functions and under TYPE_CHECKING count too.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from conftest import REPO

#: Bottom first. "declog" is the package's __init__ (the version number).
LAYERS: list[tuple[str, ...]] = [
    # vocabulary and findings
    ("declog", "vocab", "diagnostics", "codes"),
    # documents and settings, no I/O beyond reading declog.toml
    ("yamlparse", "timeparse", "schema", "fields", "config", "model"),
    # reading the content tree into the model
    ("load",),
    # where each decision stands: the one place its derived facts are computed
    ("standing",),
    # validation and git
    ("rules", "git", "governance", "shape", "check"),
    # insight over the checked log: the audit and its charts, queries, the SQLite export
    ("audit", "report", "charts", "query", "export"),
    # findings as text; the rules reference
    ("output", "ruledocs"),
    # pull requests: reviews as approvals, editing frontmatter, scaffolding new logs and decisions,
    # importing decisions kept elsewhere (new decision files, as scaffolding writes them)
    ("reviews", "frontmatter_edit", "approvals", "scaffold", "pullrequest", "importing"),
    # the site: pure views and their rendering
    ("markdown", "history", "views", "writer", "search", "render", "feeds", "pages"),
    # the build pipeline; rebuilding only what a change affects
    ("build", "fingerprint", "incremental", "cache"),
    ("serve",),
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
    """declog.rules.identity -> rules; declog -> declog."""
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


def component_cycles(package: Path) -> list[list[str]]:
    graph: dict[str, set[str]] = {}
    for path in package.rglob("*.py"):
        me = component(module_name(package, path))
        for _, target in imports(package, path):
            them = component(target)
            if them != me and them != package.name:
                graph.setdefault(me, set()).add(them)
    cycles: list[list[str]] = []

    def visit(node: str, trail: list[str]) -> None:
        for nxt in sorted(graph.get(node, ())):
            if nxt in trail:
                cycle = [*trail[trail.index(nxt) :], nxt]
                if sorted(cycle[:-1]) not in [sorted(c[:-1]) for c in cycles]:
                    cycles.append(cycle)
            else:
                visit(nxt, [*trail, nxt])

    for start in sorted(graph):
        visit(start, [start])
    return cycles


def test_no_module_imports_from_a_higher_layer() -> None:
    assert violations(PACKAGE, LAYERS) == []


def test_no_import_cycles_between_modules() -> None:
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


def test_the_cli_is_the_top_below_the_entry_point() -> None:
    assert LAYERS[-2:] == [("cli",), ("__main__",)]


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
