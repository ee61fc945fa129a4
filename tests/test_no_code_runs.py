"""No file of the repository is ever run: a hostile pull request's cache or template does nothing.

Each payload would create a marker file if anything ran it; the tests assert
that the marker never appears, that the build says what it refused (file,
line and code), and that what a killed build leaves behind and what a
browser (or an attacker) sends to ``declog serve`` are handled without a
traceback.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import pickle
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import Found, invoke
from sitetools import copy_example
from test_serve import serving

from declog.site import search
from declog.site.cache import cache_file, cached_build
from declog.site.incremental import Incremental
from declog.site.render import packaged_templates
from declog.site.writer import MARKER, Staging


@pytest.fixture(autouse=True)
def user_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The user's cache folder (XDG_CACHE_HOME): a temporary one, outside the log."""
    folder = tmp_path_factory.mktemp("user-cache")
    monkeypatch.setenv("XDG_CACHE_HOME", str(folder))
    return folder / "declog"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return copy_example(tmp_path / "log")


@pytest.fixture
def marker(tmp_path: Path) -> Path:
    return tmp_path / "MARKER"


def git(root: Path, *args: str) -> None:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "Mallory",
        "GIT_AUTHOR_EMAIL": "m@example.org",
        "GIT_COMMITTER_NAME": "Mallory",
        "GIT_COMMITTER_EMAIL": "m@example.org",
    }
    subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True, env=env)


def build(root: Path, *args: str) -> tuple[int, list[Found], str]:
    """``declog build --format json``: exit code, findings, stderr."""
    run = invoke(["build", "--root", str(root), "--no-search", "--format", "json", *args])
    return run.exit_code, [Found(**d) for d in json.loads(run.stdout or "[]")], run.stderr


class _Payload:
    """Unpickling this calls ``open(marker, "w")``: the marker appears if a pickle is ever loaded."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str, str]]:
        return (open, (str(self.marker), "w"))


def pickled(marker: Path) -> bytes:
    data = pickle.dumps({"header": {}, "state": _Payload(marker)})
    assert b"MARKER" in data
    return data


def old_cache(root: Path, out: Path) -> Path:
    """Where declog used to keep (and unpickle) its build cache: predictable, in the work tree."""
    key = hashlib.blake2b(str(out.resolve()).encode(), digest_size=6).hexdigest()
    return root / ".declog-cache" / f"build-{key}.pickle"


# --- the build cache ------------------------------------------------------------------------


@pytest.mark.git
@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_a_committed_pickle_cache_is_never_loaded(root: Path, marker: Path) -> None:
    out = root / "site"
    planted = old_cache(root, out)
    planted.parent.mkdir()
    planted.write_bytes(pickled(marker))
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A", "--force")
    git(root, "commit", "-q", "-m", "Speed up the build")
    for _ in range(2):  # cold, then warm
        code, found, err = build(root)
        assert code == 0, (found, err)
        assert "Built " in err and "Traceback" not in err
        assert not marker.exists()
    assert planted.read_bytes() == pickled(marker)  # left alone: it is the repository's file


def test_a_pickle_at_the_new_cache_location_is_never_loaded(root: Path, marker: Path) -> None:
    out = root / "site"
    assert build(root)[0] == 0
    cache = cache_file(root, out)
    assert cache is not None and cache.is_file()
    json.loads(cache.read_bytes())  # the cache is plain JSON
    cache.write_bytes(pickled(marker))
    code, found, err = build(root)
    assert code == 0 and "Traceback" not in err, found
    assert not marker.exists()
    json.loads(cache.read_bytes())  # replaced by a good one


@pytest.mark.git
@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_a_cache_folder_inside_the_work_tree_is_never_used(
    root: Path, tmp_path: Path, marker: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "site"
    assert cached_build(root, out, search_index=False).built
    good = cache_file(root, out)
    assert good is not None
    # XDG_CACHE_HOME pointing into the repository, which holds a cache that is valid and warm
    # for this very build, and a pickle: neither is read, and declog writes nothing there.
    inside = root / ".cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(inside))
    assert cache_file(root, out) is None
    (inside / "declog").mkdir(parents=True)
    shutil.copy2(good, inside / "declog" / good.name)
    (inside / "declog" / good.name.replace(".json", ".pickle")).write_bytes(pickled(marker))
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "A cache that says every page is up to date")
    before = sorted(p.name for p in (inside / "declog").iterdir())
    result = cached_build(root, out, search_index=False)
    assert result.built and result.rendered >= result.pages  # a full build: the cache was not trusted
    assert not marker.exists()
    assert sorted(p.name for p in (inside / "declog").iterdir()) == before


def test_a_cache_folder_that_cannot_be_written_means_no_cache_not_a_failure(
    root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))
    for _ in range(2):
        code, found, err = build(root)
        assert code == 0 and "Traceback" not in err, (found, err)


def test_the_cache_and_the_preview_live_outside_the_log(root: Path, user_cache: Path) -> None:
    from declog.site.cache import serve_dir

    assert build(root)[0] == 0
    cache = cache_file(root, root / "site")
    assert cache is not None and cache.parent == user_cache
    assert serve_dir(root).parent == user_cache
    assert sorted(p.name for p in root.iterdir()) == ["content", "declog.toml", "site"]


# --- the theme's sandbox ----------------------------------------------------------------------

#: Template escapes that would create MARKER if the sandbox let them through.
ESCAPES = {
    "globals": "{{ cycler.__init__.__globals__.os.system('touch MARKER') }}",
    "subclasses": (
        "{% for c in ''.__class__.__mro__[1].__subclasses__() %}{% if c.__name__ == 'catch_warnings' %}"
        "{{ c()._module.__builtins__['open']('MARKER', 'w') }}{% endif %}{% endfor %}"
    ),
    "lipsum": "{{ lipsum.__globals__['os'].popen('touch MARKER').read() }}",
    "attr-filter": "{{ (cycler|attr('__init__')|attr('__globals__'))['os'].system('touch MARKER') }}",
    "format": "{{ '{0.__init__.__globals__[os].system}'.format(cycler) }}",
    "helper": "{{ item.__self__.env.globals }}",
    "mutation": "{{ partners.clear() }}",
    "huge-power": "{{ 3 ** 100000000 }}",
}


def page(payload: str) -> str:
    """A template whose payload is on line 3."""
    return "<!doctype html>\n<title>{{ site.title }}</title>\n" + payload.replace("MARKER", "{marker}") + "\n"


@pytest.mark.parametrize("template", ["404.html", "decision.html"])
@pytest.mark.parametrize("escape", sorted(ESCAPES))
def test_a_template_escaping_the_sandbox_is_a_finding_and_runs_nothing(
    root: Path, marker: Path, template: str, escape: str
) -> None:
    (root / "templates").mkdir()
    text = page(ESCAPES[escape]).replace("{marker}", str(marker))
    (root / "templates" / template).write_text(text, encoding="utf-8")
    code, found, err = build(root)
    assert code == 1 and "Traceback" not in err
    assert "the site was not built" in err
    assert [(f.path, f.line, f.code, f.severity) for f in found] == [
        (f"templates/{template}", 3, "DL604", "error")
    ], found
    assert "sandbox" in found[0].message
    assert not marker.exists()
    assert not (root / "site").exists()


def test_a_template_added_while_serving_renders_in_the_sandbox(
    root: Path, tmp_path: Path, marker: Path
) -> None:
    """What ``declog serve`` does: the theme it kept (packaged templates only) is not reused."""
    site = Incremental(root, tmp_path / "site")
    assert site.update().built
    (root / "templates").mkdir()
    (root / "templates" / "404.html").write_text(page(ESCAPES["globals"]).replace("{marker}", str(marker)))
    update = site.update(changed=["templates/404.html"])
    assert not update.built
    assert [(d.path, d.line, d.code) for d in update.findings] == [("templates/404.html", 3, "DL604")]
    assert not marker.exists()
    (root / "templates" / "404.html").unlink()
    assert site.update(changed=["templates/404.html"]).built


def test_the_default_theme_copied_into_the_log_renders_the_same_site(root: Path, tmp_path: Path) -> None:
    assert build(root, "-o", str(tmp_path / "default"))[0] == 0
    shutil.copytree(packaged_templates(), root / "templates")
    code, found, err = build(root, "-o", str(tmp_path / "copied"))
    assert code == 0, (found, err)

    def files(site: Path) -> dict[str, bytes]:
        return {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*") if p.is_file()}

    assert files(tmp_path / "copied") == files(tmp_path / "default")


def test_a_template_linking_outside_the_log_is_not_read(root: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("the CI runner's deploy key", encoding="utf-8")
    (root / "templates" / "assets").mkdir(parents=True)
    (root / "templates" / "404.html").symlink_to(secret)
    (root / "templates" / "assets" / "key.txt").symlink_to(secret)
    code, found, err = build(root)
    assert code == 1 and "Traceback" not in err
    assert sorted((f.path, f.line, f.code) for f in found) == [
        ("templates/404.html", 1, "DL604"),
        ("templates/assets/key.txt", 1, "DL604"),
    ]
    assert all("secret" not in f.message for f in found)


@pytest.mark.parametrize("link", ["file", "folder"])
def test_a_template_reached_through_a_link_inside_the_log_is_not_read(root: Path, link: str) -> None:
    """A theme file is judged by its own content: a link would let a change edit one file and publish another."""
    (root / "drafts").mkdir()
    (root / "drafts" / "404.html").write_text("<p>Not found</p>\n", encoding="utf-8")
    if link == "file":
        (root / "templates").mkdir()
        (root / "templates" / "404.html").symlink_to(Path("..", "drafts", "404.html"))
    else:
        (root / "templates").symlink_to("drafts")
    code, found, err = build(root)
    assert code == 1 and "Traceback" not in err
    assert [(f.path, f.code) for f in found] == [("templates/404.html", "DL604")]
    assert "symlink" in found[0].message


@pytest.mark.parametrize(
    ("text", "code", "says"),
    [
        (b"<p>\xff\xfe</p>\n", "DL601", "not UTF-8 text"),
        (b'<p>\n{% include "../declog.toml" %}\n', "DL602", "../declog.toml"),
        (b'<p>\n{% include "/etc/passwd" %}\n', "DL602", "/etc/passwd"),
    ],
)
def test_a_broken_or_wandering_template_is_a_finding(root: Path, text: bytes, code: str, says: str) -> None:
    (root / "templates").mkdir()
    (root / "templates" / "404.html").write_bytes(text)
    status, found, err = build(root)
    assert status == 1 and "Traceback" not in err
    assert [(f.path, f.code) for f in found] == [("templates/404.html", code)]
    assert says in found[0].message and "root:" not in found[0].message


# --- Pagefind takes no settings from the log ----------------------------------------------------


def pagefind_config(name: str, stolen: Path, log: Path) -> str:
    """A Pagefind configuration that moves the index to ``stolen``, writes its log to ``log``
    and indexes nothing, in the format ``name``'s extension says."""
    values = {"output_path": str(stolen), "logfile": str(log), "glob": "nothing/**/*.html"}
    if name.endswith(".json"):
        return json.dumps(values)
    if name.endswith(".toml"):
        return "".join(f"{k} = {json.dumps(v)}\n" for k, v in values.items())
    return "".join(f"{k}: {json.dumps(v)}\n" for k, v in values.items())


@pytest.mark.skipif(
    search.executable() is None, reason="pagefind is not installed (pip install -e '.[search]')"
)
@pytest.mark.parametrize("where", ["the log", "elsewhere"])
@pytest.mark.parametrize("name", ["pagefind.yml", "pagefind.json", "pagefind.toml"])
def test_a_pagefind_configuration_in_the_log_or_the_working_folder_is_never_read(
    tmp_path: Path, marker: Path, monkeypatch: pytest.MonkeyPatch, name: str, where: str
) -> None:
    root = tmp_path / "log"
    assert invoke(["init", str(root), "--partner", "acme", "--member", "akim-acme"]).exit_code == 0
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    stolen = tmp_path / "stolen"
    for folder in (root, elsewhere):
        (folder / name).write_text(pagefind_config(name, stolen, marker), encoding="utf-8")
    monkeypatch.chdir(root if where == "the log" else elsewhere)  # the Pages build runs in the checkout
    monkeypatch.setenv("PAGEFIND_OUTPUT_SUBDIR", "elsewhere")  # nor from the environment
    out = tmp_path / "site"
    run = invoke(["build", "--root", str(root), "--search", "--format", "json", "-o", str(out)])
    assert run.exit_code == 0, (run.stdout, run.stderr)
    assert json.loads(run.stdout or "[]") == []  # no DL603: the index was built
    assert (out / "pagefind" / "pagefind.js").is_file()
    assert (out / "pagefind" / "pagefind-entry.json").is_file()
    assert not stolen.exists() and not (out / "elsewhere").exists()
    assert not marker.exists()


# --- git takes no configuration from the log ---------------------------------------------------


def git_version() -> tuple[int, ...]:
    out = subprocess.run(["git", "--version"], capture_output=True, text=True, check=True).stdout
    return tuple(int(n) for n in out.split()[2].split(".")[:2])


def plant_bare_repository(root: Path, tmp_path: Path, marker: Path) -> None:
    """Make ``root`` look like a bare git repository (HEAD, objects/, refs/, config) as committed files.

    Its config asks ``git log`` to check signatures with a program of the pull request's choosing,
    and its one commit is signed: git run in ``root`` would discover the planted repository
    before any ``.git`` above it and run that program.
    """
    inner = tmp_path / "inner"
    subprocess.run(["git", "init", "-q", "-b", "main", str(inner)], check=True)
    tree = subprocess.run(
        ["git", "-C", str(inner), "mktree"], input="", capture_output=True, text=True, check=True
    ).stdout.strip()
    commit = (
        f"tree {tree}\nauthor M <m@example.org> 1700000000 +0000\ncommitter M <m@example.org> 1700000000 +0000\n"
        "gpgsig -----BEGIN PGP SIGNATURE-----\n \n AAAA\n -----END PGP SIGNATURE-----\n\nsigned\n"
    )
    sha = subprocess.run(
        ["git", "-C", str(inner), "hash-object", "-t", "commit", "-w", "--stdin"],
        input=commit,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    shutil.copytree(inner / ".git" / "objects", root / "objects")
    (root / "refs" / "heads").mkdir(parents=True)
    (root / "refs" / "heads" / "main").write_text(sha + "\n")
    (root / "HEAD").write_text("ref: refs/heads/main\n")
    payload = root / "verify.sh"
    payload.write_text(f"#!/bin/sh\ntouch {marker}\n")
    payload.chmod(0o755)
    (root / "config").write_text(
        "[core]\n\trepositoryformatversion = 0\n\tbare = true\n"
        f"[log]\n\tshowSignature = true\n[gpg]\n\tprogram = {payload}\n"
    )


@pytest.mark.git
@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_a_bare_repository_planted_in_the_log_is_never_used_by_git(
    root: Path, tmp_path: Path, marker: Path
) -> None:
    if git_version() < (2, 38):
        pytest.skip("git before 2.38 has no safe.bareRepository")
    plant_bare_repository(root, tmp_path, marker)
    probe = subprocess.run(["git", "-C", str(root), "log", "--format=%H"], capture_output=True, check=False)
    assert probe.returncode == 0 and marker.exists()  # the planted repository would run its program
    marker.unlink()
    for args in (["check", "--root", str(root)], ["build", "--root", str(root), "--no-search"]):
        run = invoke(args)
        assert "Traceback" not in run.stderr, run.stderr
        assert not marker.exists(), args


# --- what a killed build leaves behind -------------------------------------------------------


def leftover(folder: Path, *, marked: bool = True, pages: int = 3) -> Path:
    folder.mkdir()
    if marked:
        (folder / MARKER).write_text("This folder is generated by `declog build`.\n")
    for n in range(pages):
        (folder / "decisions" / f"{n:04d}").mkdir(parents=True)
        (folder / "decisions" / f"{n:04d}" / "index.html").write_text("<p>half written</p>")
    return folder


@pytest.mark.parametrize("cache", ["--no-cache", "--cache"])
def test_a_build_removes_what_an_interrupted_build_left_and_nothing_else(root: Path, cache: str) -> None:
    assert build(root, cache)[0] == 0
    left = [
        leftover(root / ".site.k3x9_q2a.tmp"),  # staging folder of a killed build
        leftover(root / ".site.a8c2mm01.old"),  # the previous site, killed while it was being deleted
        leftover(root / ".site.zz9q8w7e.tmp", marked=False, pages=0),  # killed as it was made, just now
    ]
    mine = [
        leftover(root / ".site.notes123.old", marked=False),  # the user's, though named like ours
        leftover(root / ".other.abcd1234.old"),  # not beside this output
        leftover(root / "site.backup.old"),
    ]
    (root / ".site.abcdefgh.tmp").write_text("a file, not a folder")
    mine.append(root / ".site.abcdefgh.tmp")
    code, found, err = build(root, cache)
    assert code == 0, (found, err)
    assert [p for p in left if p.exists()] == []
    assert [p for p in mine if not p.exists()] == []
    assert (root / ".site.notes123.old" / "decisions" / "0000" / "index.html").is_file()


@pytest.mark.skipif(sys.platform == "win32", reason="flock")
def test_a_staging_folder_just_made_by_a_running_build_is_left_alone(root: Path) -> None:
    """Empty and not yet marked, but locked: the build that made it is about to mark it."""
    assert build(root, "--no-cache")[0] == 0
    just_made = root / ".site.m4d3n0w_.tmp"
    just_made.mkdir()
    held = os.open(just_made, os.O_RDONLY)
    try:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        assert build(root, "--no-cache")[0] == 0
        assert just_made.is_dir()
    finally:
        os.close(held)
    assert build(root, "--no-cache")[0] == 0
    assert not just_made.exists()  # once nobody holds it, it is a leftover


def test_a_running_builds_staging_folder_is_left_alone(root: Path) -> None:
    assert build(root, "--no-cache")[0] == 0
    running = Staging(root / "site")  # another build, still rendering
    try:
        (running.dir / "index.html").write_text("<p>being written</p>")
        assert build(root, "--no-cache")[0] == 0
        assert (running.dir / "index.html").is_file()
    finally:
        running.abort()
    assert not running.dir.exists()


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_kill_9_during_a_build_leaves_nothing_the_next_build_keeps(root: Path) -> None:
    env = {**os.environ, "PYTHONWARNINGS": "error"}
    args = [sys.executable, "-m", "declog", "build", "--root", str(root), "--no-cache", "--no-search", "-q"]
    assert subprocess.run(args, env=env, capture_output=True, check=False).returncode == 0
    killed = False
    for _ in range(20):  # until a kill lands while the site is staged beside the output
        proc = subprocess.Popen(
            args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
        )
        while proc.poll() is None:
            if any(p.name.startswith(".site.") for p in root.iterdir()):
                os.killpg(proc.pid, signal.SIGKILL)  # the build and its worker processes, as CI cancels a job
                killed = True
                break
            time.sleep(0.002)
        proc.wait()
        if killed and any(p.name.startswith(".site.") for p in root.iterdir()):
            break
        killed = False
    if not killed:
        pytest.skip("the build always finished before it could be killed")
    result = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert [p.name for p in root.iterdir() if p.name.startswith(".site.")] == []
    assert (root / "site" / "index.html").is_file()


# --- declog serve and hostile requests ---------------------------------------------------------


def ask(url: str, target: bytes, method: bytes = b"GET") -> tuple[int, bytes]:
    """Send one raw request; the status code and the body."""
    host, port = url.split("//")[1].rstrip("/").split(":")
    with socket.create_connection((host, int(port)), timeout=20) as s:
        s.sendall(
            method + b" " + target + b" HTTP/1.1\r\nHost: " + host.encode() + b"\r\nConnection: close\r\n\r\n"
        )
        data = b""
        while chunk := s.recv(1 << 16):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split(b" ")[1]), body


BAD_PATHS = {
    "nul": b"/%00",
    "nul-in-name": b"/decisions/0001/index%00.html",
    "raw-control": b"/\x01\x1b[31m",
    "long-100k": b"/" + b"a" * 100_000,
    "long-segment": b"/" + b"a" * 5000 + b".html",
    "deep": b"/a" * 3000,
    "bad-escape": b"/%zz/index.html",
    "truncated-escape": b"/index.html%",
    "not-utf8": b"/%ff%fe.html",
    "overlong-utf8": b"/%c0%ae%c0%ae/etc/passwd",
    "traversal": b"/../../../etc/passwd",
    "encoded-traversal": b"/%2e%2e/%2e%2e/etc/passwd",
    "double-slash": b"//etc/passwd",
    "backslash": b"/..%5c..%5cetc%5cpasswd",
    "missing": b"/decisions/9999/index.html",
}


def test_serve_answers_bad_requests_400_or_404_without_a_traceback(root: Path) -> None:
    with serving(root) as s:  # on leaving: exit 0, and no traceback in what the server printed
        for name, target in BAD_PATHS.items():
            for method in (b"GET", b"HEAD"):
                code, body = ask(s.url, target, method)
                assert code in (400, 404), (name, method, code)
                assert b"root:" not in body
        code, body = ask(s.url, b"/decisions/0001/index.html")
        assert code == 200 and b"__declog/events" in body  # still serving


def test_serve_answers_a_missing_page_with_the_sites_404_page(root: Path) -> None:
    with serving(root) as s:
        code, body = ask(s.url, b"/decisions/9999/")
        assert code == 404
        assert b"<h1>Page not found</h1>" in body
        assert b'<base href="/">' in body  # its links work at any depth
        code, body = ask(s.url, b"/no/such/page.html", b"HEAD")
        assert code == 404 and body == b""
