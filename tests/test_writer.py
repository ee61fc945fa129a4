"""Writing the site: in place (serve, warm builds) changes nothing until commit; parts equal their join."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from declog.site import writer
from declog.site.writer import InPlace, Staging, same_bytes


def files(folder: Path, *, pending: bool = True) -> dict[str, bytes]:
    """Every file; ``pending=False``: not the ones written beside their targets, waiting for commit."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and (pending or not p.name.endswith((".declog-tmp", writer.WRITING)))
    }


@pytest.fixture
def site(tmp_path: Path) -> Path:
    out = tmp_path / "site"
    (out / "decisions" / "0001").mkdir(parents=True)
    (out / "index.html").write_bytes(b"old board")
    (out / "decisions" / "0001" / "index.html").write_bytes(b"old decision")
    return out


def test_in_place_writes_show_only_after_commit(site: Path) -> None:
    w = InPlace(site)
    assert w.write("index.html", b"new board")
    assert not w.write("decisions/0001/index.html", b"old decision")  # same bytes: left alone
    assert w.write("decisions/0002/index.html", [b"new ", b"decision"])  # a new folder, in parts
    assert files(site, pending=False) == {
        "decisions/0001/index.html": b"old decision",
        "index.html": b"old board",
    }
    w.commit()
    assert files(site) == {
        "decisions/0001/index.html": b"old decision",
        "decisions/0002/index.html": b"new decision",
        "index.html": b"new board",
    }


def test_an_aborted_in_place_write_leaves_the_site_as_it_was(site: Path) -> None:
    before = files(site)
    w = InPlace(site)
    w.write("index.html", b"new board")
    w.write("feed.xml", b"<feed/>")
    w.abort()
    assert files(site) == before  # no temporary file left behind either


def test_a_large_file_is_replaced_whole(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Large files keep their old blocks until the new file is in place (then freed in the background)."""
    monkeypatch.setattr(writer, "_LARGE", 10)
    (site / "decisions.json").write_bytes(b"x" * 100)
    w = InPlace(site)
    w.write("decisions.json", [b"y" * 50, b"z" * 70])
    w.write("index.html", b"new board")
    w.commit()
    assert (site / "decisions.json").read_bytes() == b"y" * 50 + b"z" * 70
    for _ in range(100):  # the old file's name is removed by the writer thread, then the mark
        if not any(p.name.endswith((".declog-old", writer.WRITING)) for p in site.iterdir()):
            break
        time.sleep(0.01)
    assert sorted(files(site)) == ["decisions.json", "decisions/0001/index.html", "index.html"]


def test_parts_compare_and_write_as_their_join(tmp_path: Path) -> None:
    f = tmp_path / "f"
    f.write_bytes(b"abcdef")
    assert same_bytes(f, [b"ab", b"", b"cdef"])
    assert not same_bytes(f, [b"ab", b"cdeF"])
    assert not same_bytes(f, [b"abc"])
    staging = Staging(tmp_path / "out")
    assert staging.write("a/b.txt", [b"12", b"34"])
    staging.commit()
    assert (tmp_path / "out" / "a" / "b.txt").read_bytes() == b"1234"


def test_a_sweep_removes_what_an_interrupted_write_left(site: Path) -> None:
    w = InPlace(site)
    w.write("decisions/0001/index.html", b"half")  # written beside its target; then the process dies
    for _tmp, _target, _size, done in w._pending:
        done.result()
    (site / "decisions" / ".feed.xml.declog-old").write_bytes(b"old")  # a large file's old blocks
    (site / ".declog-site").write_bytes(b"marker")  # not ours to remove
    assert writer.sweep(site) == 2
    assert sorted(files(site)) == [".declog-site", "decisions/0001/index.html", "index.html"]
    assert (site / "decisions" / "0001" / "index.html").read_bytes() == b"old decision"
    assert writer.sweep(site) == 0


def test_a_finished_write_leaves_nothing_to_sweep(site: Path) -> None:
    """Only an in-place write that did not finish leaves its mark (so a sweep need not look through
    every folder of a large site after each build)."""
    for finish in (InPlace.commit, InPlace.abort):
        w = InPlace(site)
        assert w.write("index.html", f"board, then {finish.__name__}".encode())
        assert (site / writer.WRITING).exists()
        finish(w)
        assert not (site / writer.WRITING).exists()


def test_a_link_in_the_previous_site_is_never_carried_over(tmp_path: Path) -> None:
    """A file of the new site is never the file a symbolic link in the old one pointed to."""
    outside = tmp_path / "elsewhere.html"
    outside.write_bytes(b"<p>page</p>")
    out = tmp_path / "site"
    first = Staging(out)
    first.write("index.html", b"<p>page</p>")
    first.commit()
    (out / "index.html").unlink()
    (out / "index.html").symlink_to(outside)
    again = Staging(out)
    assert again.write("index.html", b"<p>page</p>")  # written anew: it was not the page
    again.commit()
    page = out / "index.html"
    assert not page.is_symlink() and page.read_bytes() == b"<p>page</p>"
    assert page.stat().st_ino != outside.stat().st_ino
    assert outside.read_bytes() == b"<p>page</p>"


def test_each_folder_is_made_once_and_a_page_costs_no_stat(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []
    for name in ("mkdir", "stat"):
        real = getattr(writer.os, name)

        def counted(
            path: object, *args: object, _real: object = real, _name: str = name, **kw: object
        ) -> object:
            if str(path).startswith(str(tmp_path)):
                calls.append(_name)
            return _real(path, *args, **kw)  # type: ignore[operator]

        monkeypatch.setattr(writer.os, name, counted)
    staging = Staging(tmp_path / "new")
    calls.clear()
    for n in range(5):
        staging.write(f"decisions/000{n}/index.html", b"page")
        staging.write(f"decisions/000{n}/decision.json", b"{}")
    assert calls == ["mkdir"] * 7  # each decision's folder once, and decisions/ (after one try without it)
    staging.commit()
    w = InPlace(site)
    calls.clear()
    assert w.write("decisions/0001/index.html", b"new decision")
    assert w.write("decisions/0001/decision.json", b"{}")
    assert not w.write("index.html", b"old board")
    w.commit()
    assert "mkdir" not in calls  # its folder is there
    assert files(site)["decisions/0001/decision.json"] == b"{}"
