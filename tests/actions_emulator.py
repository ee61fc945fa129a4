"""GitHub Actions, emulated closely enough to run the workflows `declog init` writes.

A job's steps run in order, each ``run:`` with bash as the runner runs it, with the
variables Actions sets (``GITHUB_WORKSPACE``, ``GITHUB_EVENT_PATH``, ``GITHUB_SHA``,
``RUNNER_TEMP`` ...) and the files it reads back after each step (``GITHUB_PATH``,
``GITHUB_ENV``, ``GITHUB_OUTPUT``, ``GITHUB_STEP_SUMMARY``). ``uses:`` steps:

- ``actions/checkout``: a clone of the "GitHub" repository (a local one) into the
  workspace or ``path``, at ``ref`` (default: the event's sha), every branch as ``origin/*``;
- ``actions/setup-python``: ``python3`` on PATH is the interpreter running the tests.
  ``python3 [OPTIONS] -m venv DIR`` runs the real venv module, with the caller's options
  and from the caller's folder (so a ``venv.py`` there is found exactly as it would be on
  a runner), without pip; the new environment then sees that interpreter's packages
  and holds a ``pip.conf`` (pip's site configuration, which ``pip --isolated`` still reads)
  with no index, no dependencies and no build isolation, so the action's ``pip install``
  needs no network: the only liberties taken with the runner;
- declog's own action (the ``OWNER/REPO@REF`` the workflows were generated with): the
  ``run:`` steps of action.yml, its inputs substituted, with ``GITHUB_ACTION_PATH`` a
  copy of this working tree, as the runner checks an action out;
- ``actions/configure-pages``, ``upload-pages-artifact``, ``deploy-pages``: their outputs,
  and the artifact folder must hold a site.

Expressions are the ``${{ a.b.c }}`` look-ups the files use; anything else (an operator,
a function, an unknown name, an ``if:``) fails loudly rather than being guessed at.
"""

from __future__ import annotations

import http.server
import json
import os
import re
import shutil
import site
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parent.parent

_EXPR = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
_NAME = re.compile(r"[A-Za-z_][\w-]*(?:\.[\w-]+)*")


class Unsupported(AssertionError):
    """The workflow uses something this emulator does not do (so the test cannot vouch for it)."""


def evaluate(text: Any, context: Mapping[str, Any]) -> str:
    """``text`` with every ``${{ name.path }}`` replaced as Actions would (null as '')."""
    if isinstance(text, bool):
        return "true" if text else "false"
    text = str(text)

    def one(m: re.Match[str]) -> str:
        expr = m.group(1)
        if not _NAME.fullmatch(expr):
            raise Unsupported(f"expression ${{{{ {expr} }}}}")
        value: Any = context
        for part in expr.split("."):
            if not isinstance(value, Mapping) or part not in value:
                raise Unsupported(f"${{{{ {expr} }}}}: nothing named '{part}' here")
            value = value[part]
        if isinstance(value, bool):
            return "true" if value else "false"
        return "" if value is None else str(value)

    return _EXPR.sub(one, text)


def load_workflow(text: str) -> dict[str, Any]:
    data = yaml.safe_load(text)
    data["on"] = data.pop(True)  # YAML 1.1 reads the key `on` as true
    return data  # type: ignore[no-any-return]


def working_tree_files(repo: Path = REPO) -> list[str]:
    """The files of the working tree a clean clone would get, with uncommitted changes (not ignored ones)."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=repo,
        capture_output=True,
        check=True,
    ).stdout.decode()
    return sorted(p for p in set(listed.split("\0")) if p and (repo / p).is_file())


def copy_working_tree(dest: Path, repo: Path = REPO) -> Path:
    """A copy of the working tree at ``dest``: what a clone of it with these changes committed holds."""
    for rel in working_tree_files(repo):
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(repo / rel, target)
    return dest


def _can_build_wheels() -> bool:
    """Whether this interpreter's setuptools builds wheels without build isolation."""
    try:
        import importlib.metadata as md

        version = tuple(int(x) for x in re.findall(r"\d+", md.version("setuptools"))[:2])
    except Exception:
        return False
    if version >= (70, 1):
        return True
    try:
        import wheel  # type: ignore[import-not-found,unused-ignore]  # noqa: F401
    except ImportError:
        return False
    return version >= (68, 0)


#: pip's settings in an emulated job: nothing fetched, the build from the packages present.
OFFLINE_PIP_CONF = """\
[global]
no-index = true
no-deps = true
# sic: pip reads this as --no-build-isolation
no-build-isolation = false
disable-pip-version-check = true
"""


def make_python_shim(folder: Path, backend: list[str]) -> Path:
    """``folder/python3``: this interpreter, whose ``-m venv`` makes environments that see its packages.

    ``backend`` lists folders put before those packages (a setuptools that builds wheels, when
    this interpreter's cannot). The new environment gets a ``bin/pip`` as ensurepip would.
    """
    folder.mkdir(parents=True, exist_ok=True)
    parents = [*backend, *(p for p in site.getsitepackages() if Path(p).is_dir())]
    helper = folder / "finish_venv.py"
    helper.write_text(
        textwrap.dedent(
            f"""\
            import argparse, os, sysconfig
            parser = argparse.ArgumentParser()
            parser.add_argument("dirs", nargs="+")
            args, _ = parser.parse_known_args()
            for d in args.dirs:
                purelib = sysconfig.get_path("purelib", vars={{"base": d, "platbase": d}})
                with open(os.path.join(purelib, "_declog_test_parent.pth"), "w") as fh:
                    fh.write("\\n".join({parents!r}) + "\\n")
                with open(os.path.join(d, "pip.conf"), "w") as fh:
                    fh.write({OFFLINE_PIP_CONF!r})
                pip = os.path.join(d, "bin", "pip")
                with open(pip, "w") as fh:
                    fh.write('#!/bin/sh\\nexec "$(dirname "$0")/python" -m pip "$@"\\n')
                os.chmod(pip, 0o755)
            """
        )
    )
    for name in ("python3", "python"):
        shim = folder / name
        shim.write_text(
            "#!/bin/bash\n"
            "# actions/setup-python, emulated: the interpreter running the tests\n"
            "options=()\n"
            'while [[ "${1-}" =~ ^-[IEsSBPqRuv]+$ ]]; do options+=("$1"); shift; done\n'
            'if [ "${1-}" = "-m" ] && [ "${2-}" = "venv" ]; then\n'
            "  shift 2\n"
            f'  "{sys.executable}" "${{options[@]}}" -m venv --without-pip "$@" || exit $?\n'
            f'  exec "{sys.executable}" -I "{helper}" "$@"\n'
            "fi\n"
            f'exec "{sys.executable}" "${{options[@]}}" "$@"\n'
        )
        shim.chmod(0o755)
    return folder


PIP_INSTALL = (sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check")


def provide_build_backend(dest: Path) -> list[str]:
    """Folders holding a setuptools that builds wheels offline: none when this interpreter's does."""
    if _can_build_wheels():
        return []
    proc = subprocess.run(
        [*PIP_INSTALL, "--target", str(dest), "setuptools>=70.1"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, f"cannot provide a build backend for the offline install: {proc.stderr}"
    return [str(dest)]


def clean_path() -> str:
    """PATH without anything that provides a `declog` or is this interpreter's folder."""
    here = Path(sys.executable).parent
    keep = [
        d
        for d in os.environ.get("PATH", "/usr/bin:/bin").split(os.pathsep)
        if d and Path(d) != here and not (Path(d) / "declog").exists()
    ]
    return os.pathsep.join(keep)


# --- a fake GitHub API: the pull request and its reviews ---------------------------------------


@contextmanager
def github_api(routes: dict[str, Any], token: str) -> Iterator[str]:
    """Serve ``routes`` (path with query -> JSON) on 127.0.0.1 to requests bearing ``token``."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.headers.get("Authorization") != f"Bearer {token}":
                self._send(401, {"message": "Bad credentials"})
            elif self.path in routes:
                self._send(200, routes[self.path])
            else:
                self._send(404, {"message": "Not Found"})

        def _send(self, status: int, body: Any) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


# --- running jobs --------------------------------------------------------------------------------


@dataclass
class StepRun:
    name: str
    returncode: int
    stdout: str
    stderr: str


@dataclass
class JobRun:
    steps: list[StepRun] = field(default_factory=list)
    outputs: dict[str, dict[str, str]] = field(default_factory=dict)
    """Step id -> its outputs."""
    path: list[str] = field(default_factory=list)
    """What steps added to PATH (``GITHUB_PATH``), latest first."""
    workspace: Path = Path()
    summary: str = ""
    artifact: Path | None = None
    """The folder ``upload-pages-artifact`` was given."""

    @property
    def ok(self) -> bool:
        return all(s.returncode == 0 for s in self.steps)

    @property
    def log(self) -> str:
        return "\n".join(f"== {s.name} (exit {s.returncode})\n{s.stdout}{s.stderr}" for s in self.steps)

    def step(self, name: str) -> StepRun:
        [found] = [s for s in self.steps if s.name == name]
        return found

    def which(self, command: str) -> str | None:
        """Where a later step would find ``command`` on PATH."""
        return shutil.which(command, path=os.pathsep.join([*self.path, clean_path()]))


def _read_pairs(path: Path) -> dict[str, str]:
    """``name=value`` lines and ``name<<DELIM`` blocks, as Actions reads GITHUB_OUTPUT and GITHUB_ENV."""
    out: dict[str, str] = {}
    lines = path.read_text().splitlines() if path.exists() else []
    i = 0
    while i < len(lines):
        line = lines[i]
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delim = line.split("<<", 1)
            j = lines.index(delim, i + 1)
            out[name] = "\n".join(lines[i + 1 : j])
            i = j + 1
            continue
        if "=" in line:
            name, value = line.split("=", 1)
            out[name] = value
        i += 1
    return out


@dataclass
class Runner:
    """Runs jobs of workflows against ``origin``, the repository as it is on GitHub."""

    origin: Path
    repository: str
    """OWNER/REPO on "GitHub"."""
    action: str
    """declog's action as the workflows name it (``OWNER/REPO@REF``)."""
    action_path: Path
    """The action's checkout (a copy of this working tree)."""
    python: Path
    """Folder holding the setup-python emulation (``python3``)."""
    tmp: Path
    api_url: str = "http://127.0.0.1:9"
    token: str = "ghs_emulated"
    extra_path: list[str] = field(default_factory=list)
    """Folders before PATH in every job (fakes of other tools, e.g. `gh`)."""
    runs: int = 0

    def run_job(
        self,
        workflow: Mapping[str, Any],
        job_id: str,
        *,
        event_name: str,
        event: Mapping[str, Any],
        sha: str,
        ref: str,
        actor: str = "akim-acme",
        head_ref: str = "",
        base_ref: str = "",
    ) -> JobRun:
        self.runs += 1
        home = self.tmp / f"job-{self.runs}-{job_id}"
        workspace, temp = home / "workspace", home / "temp"
        workspace.mkdir(parents=True)
        temp.mkdir()
        event_path = home / "event.json"
        event_path.write_text(json.dumps(event))
        owner = self.repository.split("/")[0]
        github = {
            "event": event,
            "event_name": event_name,
            "repository": self.repository,
            "repository_owner": owner,
            "sha": sha,
            "ref": ref,
            "token": self.token,
            "workspace": str(workspace),
            "base_ref": base_ref,
            "head_ref": head_ref,
            "actor": actor,
        }
        env = {
            "HOME": os.environ.get("HOME", str(home)),
            "LANG": "C.UTF-8",
            "CI": "true",
            "GITHUB_ACTIONS": "true",
            "GITHUB_WORKFLOW": str(workflow.get("name", "")),
            "GITHUB_JOB": job_id,
            "GITHUB_RUN_ID": str(1000 + self.runs),
            "GITHUB_EVENT_NAME": event_name,
            "GITHUB_EVENT_PATH": str(event_path),
            "GITHUB_REPOSITORY": self.repository,
            "GITHUB_REPOSITORY_OWNER": owner,
            "GITHUB_SHA": sha,
            "GITHUB_REF": ref,
            "GITHUB_BASE_REF": base_ref,
            "GITHUB_HEAD_REF": head_ref,
            "GITHUB_ACTOR": actor,
            "GITHUB_WORKSPACE": str(workspace),
            "GITHUB_SERVER_URL": "https://github.com",
            "GITHUB_API_URL": self.api_url,
            "RUNNER_OS": "Linux",
            "RUNNER_TEMP": str(temp),
            "NO_PROXY": "127.0.0.1,localhost",
            "no_proxy": "127.0.0.1,localhost",
            **{k: os.environ[k] for k in ("XDG_CACHE_HOME", "TMPDIR") if k in os.environ},
        }
        job = workflow["jobs"][job_id]
        for scope in (workflow, job):
            env.update({k: evaluate(v, {"github": github}) for k, v in (scope.get("env") or {}).items()})
        run = JobRun(workspace=workspace)
        summary = home / "summary.md"
        steps_ctx: dict[str, Any] = {}
        for index, step in enumerate(job["steps"]):
            if "if" in step:
                raise Unsupported(f"{job_id} step {index}: if: {step['if']}")
            name = step.get("name") or step.get("uses") or step["run"].splitlines()[0]
            context = {"github": github, "steps": steps_ctx, "env": env}
            outputs: dict[str, str] = {}
            if "run" in step:
                result = self._run_script(step["run"], step, context, env, run, summary, outputs, index)
            else:
                result = self._use(step, context, env, run, summary, outputs, index, github)
            run.steps.append(StepRun(name, *result))
            if "id" in step:
                steps_ctx[step["id"]] = {"outputs": outputs}
                run.outputs[step["id"]] = outputs
            if result[0] != 0 and not step.get("continue-on-error"):
                break
        run.summary = summary.read_text() if summary.exists() else ""
        return run

    # -- run: steps ---------------------------------------------------------------------------

    def _run_script(
        self,
        script: str,
        step: Mapping[str, Any],
        context: Mapping[str, Any],
        env: dict[str, str],
        run: JobRun,
        summary: Path,
        outputs: dict[str, str],
        index: int,
        action_path: Path | None = None,
    ) -> tuple[int, str, str]:
        # Values reach a script through env:, never spliced into it (script injection).
        assert "${{" not in script, f"expression inside a run: script (use env:): {script}"
        step_env = dict(env)
        step_env.update({k: evaluate(v, context) for k, v in (step.get("env") or {}).items()})
        files = Path(env["RUNNER_TEMP"]).parent / f"step-{index}-{len(run.steps)}-{id(step)}"
        files.mkdir()
        for var in ("GITHUB_OUTPUT", "GITHUB_ENV", "GITHUB_PATH"):
            step_env[var] = str(files / var.lower())
            Path(step_env[var]).touch()
        step_env["GITHUB_STEP_SUMMARY"] = str(summary)
        step_env["PATH"] = os.pathsep.join([*run.path, *self.extra_path, clean_path()])
        if action_path is not None:
            step_env["GITHUB_ACTION_PATH"] = str(action_path)
        cwd = Path(env["GITHUB_WORKSPACE"])
        if "working-directory" in step:
            cwd = cwd / evaluate(step["working-directory"], context)
        script_file = files / "script.sh"
        script_file.write_text(script)
        shell = step.get("shell", "bash")
        assert shell == "bash", f"shell {shell}"
        proc = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script_file)],
            cwd=cwd,
            env=step_env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        outputs.update(_read_pairs(files / "github_output"))
        env.update(_read_pairs(files / "github_env"))
        added = [p for p in (files / "github_path").read_text().splitlines() if p]
        run.path[:0] = reversed(added)
        return proc.returncode, proc.stdout, proc.stderr

    # -- uses: steps --------------------------------------------------------------------------

    def _use(
        self,
        step: Mapping[str, Any],
        context: Mapping[str, Any],
        env: dict[str, str],
        run: JobRun,
        summary: Path,
        outputs: dict[str, str],
        index: int,
        github: Mapping[str, Any],
    ) -> tuple[int, str, str]:
        uses = step["uses"]
        given = {k: evaluate(v, context) for k, v in (step.get("with") or {}).items()}
        name = uses.partition("@")[0]
        if uses == self.action:
            return self._composite(given, context, env, run, summary, outputs, index, github)
        if name == "actions/checkout":
            return self._checkout(given, github, Path(env["GITHUB_WORKSPACE"]))
        if name == "actions/setup-python":
            run.path[:0] = [str(self.python)]
            return 0, f"python3 is {sys.executable}\n", ""
        if name == "actions/configure-pages":
            outputs.update(
                base_url=f"https://{github['repository_owner']}.github.io/{self.repository.split('/')[1]}",
                base_path=f"/{self.repository.split('/')[1]}",
            )
            return 0, "", ""
        if name == "actions/upload-pages-artifact":
            folder = Path(env["GITHUB_WORKSPACE"]) / given.get("path", "_site")
            run.artifact = folder
            ok = (folder / "index.html").is_file()
            return (0, "", "") if ok else (1, "", f"no site in {folder}")
        if name == "actions/deploy-pages":
            outputs["page_url"] = "https://example.github.io/"
            return 0, "", ""
        raise Unsupported(f"uses: {uses}")

    def _checkout(
        self, given: Mapping[str, str], github: Mapping[str, Any], workspace: Path
    ) -> tuple[int, str, str]:
        known = {"ref", "path", "fetch-depth", "persist-credentials"}
        assert set(given) <= known, f"checkout inputs {set(given) - known}"
        target = workspace / given.get("path", ".")
        ref = given.get("ref") or github["sha"]
        out = []
        for cmd in (
            ["git", "clone", "--quiet", "--no-checkout", str(self.origin), str(target)],
            ["git", "-C", str(target), "checkout", "--quiet", "--detach", ref],
        ):
            proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
            out.append(proc.stdout + proc.stderr)
            if proc.returncode:
                return proc.returncode, "", "".join(out)
        if given.get("persist-credentials", "true") == "false":
            # actions/checkout leaves no token in .git/config; there is none to leave here either
            pass
        return 0, "".join(out), ""

    def _composite(
        self,
        given: Mapping[str, str],
        context: Mapping[str, Any],
        env: dict[str, str],
        run: JobRun,
        summary: Path,
        outputs: dict[str, str],
        index: int,
        github: Mapping[str, Any],
    ) -> tuple[int, str, str]:
        action = yaml.safe_load((self.action_path / "action.yml").read_text())
        declared = action.get("inputs") or {}
        unknown = set(given) - set(declared)
        assert not unknown, f"inputs the action does not declare: {unknown}"
        gh = {**github, "action_path": str(self.action_path)}
        inputs = {
            k: given[k] if k in given else evaluate(spec.get("default", ""), {"github": gh})
            for k, spec in declared.items()
        }
        inner: dict[str, Any] = {}
        stdout, stderr = [], []
        code = 0
        for i, step in enumerate(action["runs"]["steps"]):
            if "if" in step:
                raise Unsupported(f"action step {i}: if: {step['if']}")
            ctx = {"github": gh, "inputs": inputs, "steps": inner, "env": env}
            step_outputs: dict[str, str] = {}
            assert "run" in step, "the action runs only run: steps"
            code, out, err = self._run_script(
                step["run"], step, ctx, env, run, summary, step_outputs, index * 100 + i, self.action_path
            )
            stdout.append(out)
            stderr.append(err)
            if "id" in step:
                inner[step["id"]] = {"outputs": step_outputs}
            if code:
                break
        if code == 0:
            ctx = {"github": gh, "inputs": inputs, "steps": inner}
            for key, spec in (action.get("outputs") or {}).items():
                try:
                    outputs[key] = evaluate(spec["value"], ctx)
                except Unsupported:
                    outputs[key] = ""  # a step that did not run leaves its outputs empty
        return code, "".join(stdout), "".join(stderr)
