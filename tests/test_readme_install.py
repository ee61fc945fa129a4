"""The README's first command works where pip refuses to install outside a virtual environment.

Debian and Ubuntu mark their python3 as externally managed (PEP 668): `pip install`
outside a virtual environment fails. The README's command makes one (`.venv`) and
uses it. Here it runs in a copy of this working tree (a clean clone with these
changes), up to `declog serve`, which runs until stopped; the environment sees this
interpreter's packages, so pip fetches nothing (actions_emulator.make_python_shim).
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest
from actions_emulator import (
    clean_path,
    copy_working_tree,
    make_python_shim,
    provide_build_backend,
)
from conftest import REPO


def readme_commands() -> list[str]:
    """The shell blocks of the README, in order."""
    return re.findall(r"```sh\n(.*?)\n```", (REPO / "README.md").read_text(encoding="utf-8"), re.S)


def test_the_readme_opens_with_a_virtual_environment_and_says_what_it_needs() -> None:
    first, second = readme_commands()[:2]
    assert first.split(" && ") == [
        "python3 -m venv .venv",
        ".venv/bin/pip install -e .",
        ".venv/bin/declog check",
        ".venv/bin/declog serve",
    ]
    assert second == "bash scripts/test"
    assert "sudo apt-get install python3-venv" in (REPO / "README.md").read_text(encoding="utf-8")
    script = (REPO / "scripts/test").read_text(encoding="utf-8")
    assert "python3 -m venv --clear .venv" in script
    # every tool runs from .venv; nothing is installed into the system's python3
    assert re.findall(r"^\"\$py\" -m (\w+)", script, re.M) == ["pip", "ruff", "ruff", "mypy", "pytest"]
    assert "python3 -m pip" not in script
    assert ".venv/" in (REPO / ".gitignore").read_text(encoding="utf-8").splitlines()


@pytest.mark.example
def test_the_readmes_first_command_installs_declog_and_checks_the_example(tmp_path: Path) -> None:
    clone = copy_working_tree(tmp_path / "clone")
    assert not (clone / ".venv").exists()
    python = make_python_shim(tmp_path / "python", provide_build_backend(tmp_path / "backend"))
    env = {
        "HOME": str(tmp_path),
        "PATH": os.pathsep.join([str(python), clean_path()]),
        **{k: os.environ[k] for k in ("XDG_CACHE_HOME", "TMPDIR") if k in os.environ},
    }
    *install_and_check, serve = readme_commands()[0].split(" && ")
    assert serve == ".venv/bin/declog serve"
    for step in install_and_check:
        proc = subprocess.run(
            ["bash", "-eo", "pipefail", "-c", step],
            cwd=clone,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert proc.returncode == 0, f"{step}\n{proc.stdout}{proc.stderr}"
    assert re.fullmatch(r"declog: checked \d+ documents: 0 errors, 0 warnings\n", proc.stderr), proc.stderr
    where = subprocess.run(
        [str(clone / ".venv/bin/python"), "-c", "import declog; print(declog.__file__)"],
        cwd=tmp_path / "python",
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert Path(where) == clone / "declog" / "__init__.py"  # the editable install of this copy
