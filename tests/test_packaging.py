"""The wheel carries every subpackage and the default theme (templates/ at the top of the repo).

Verified by hand with ``pip wheel . -w /tmp/w && unzip -l /tmp/w/declog-*.whl``
and a non-editable install in a fresh venv building the example site.
"""

from __future__ import annotations

import fnmatch
import tomllib

from conftest import REPO


def setuptools_config() -> dict[str, object]:
    data = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    return data["tool"]["setuptools"]  # type: ignore[no-any-return]


def test_every_subpackage_is_listed_for_the_wheel() -> None:
    listed = set(setuptools_config()["packages"])  # type: ignore[call-overload]
    found = {".".join(p.parent.relative_to(REPO).parts) for p in (REPO / "declog").rglob("__init__.py")}
    assert found - listed == set(), "add these to [tool.setuptools] packages in pyproject.toml"


def test_the_default_theme_ships_as_declog_templates() -> None:
    config = setuptools_config()
    assert config["package-dir"] == {"declog.templates": "templates"}
    patterns = config["package-data"]["declog.templates"]  # type: ignore[index]
    theme = [
        p.relative_to(REPO / "templates").as_posix() for p in (REPO / "templates").rglob("*") if p.is_file()
    ]
    missed = [f for f in theme if not any(fnmatch.fnmatch(f, pat) for pat in patterns)]
    assert theme and missed == []
