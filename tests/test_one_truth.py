"""One truth about every decision: every output tells the same story.

For the example log and a generated one, at moments around the deadlines
(before, at and after; with silence agreed and not), where each decision
stands is read back from every place that shows it, and compared:

- decisions.json (``standing``, ``waiting_on``, ``silence_due``, ``ready``,
  ``logging_lag``, ``links_to``/``linked_from``);
- the decision pages (the approvals table's row states, the "Ready to accept"
  notice, the logging lag, the lists of links in and out), parsed;
- the partner pages' "Awaiting … approval" lists and the partner feeds;
- ``declog query --format json`` (``approved_by``, ``silence_due``,
  ``waiting_on``, ``ready``) with ``--today`` at the same moment;
- ``declog export --sqlite`` (``decision_partners.state``, ``decisions.ready``,
  ``decisions.logging_lag``, ``links`` of kind ``mentions``);
- ``declog audit --format json`` (each partner's approved, silence, pending and
  absent decisions).
"""

from __future__ import annotations

import datetime as dt
import html.parser
import json
import re
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

from conftest import REPO, invoke
from sitetools import copy_example

from declog.check.checker import load_and_check
from declog.log.model import Log
from declog.site.build import build

COUNTING = {"approved", "silence", "silence-due"}


class _DecisionPage(html.parser.HTMLParser):
    """The approvals table's states per partner, the ready notice, the lag and the link lists."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.states: dict[str, str] = {}
        self.ready = False
        self.lag: str | None = None
        self.into: list[str] = []
        self.out: list[str] = []
        self._row: str | None = None
        self._in_th = False
        self._dt = ""
        self._in_dd = False
        self._h3 = ""
        self._in_h3 = False
        self._section = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        classes = (a.get("class") or "").split()
        if tag == "tr" and any(c.startswith("state-") for c in classes):
            self._row = next(c for c in classes if c.startswith("state-"))[len("state-") :]
        elif tag == "th" and self._row is not None:
            self._in_th = True
        elif tag == "a" and self._in_th and self._row is not None:
            m = re.search(r"partners/([^/]+)/index\.html", a.get("href") or "")
            if m:
                self.states[m.group(1)] = self._row
        elif tag == "p" and "notice" in classes and "ready" in classes:
            self.ready = True
        elif tag == "dd" and self._dt == "Logging lag":
            self._in_dd, self.lag = True, ""
        elif tag == "h3":
            self._in_h3, self._h3 = True, ""
        elif tag == "a" and self._h3 and not self._in_h3:
            m = re.search(r"decisions/([0-9]+)/index\.html", a.get("href") or "")
            if m and self._h3.startswith("Decisions that link here"):
                self.into.append(m.group(1))
            elif m and self._h3.startswith("Decisions this one links to"):
                self.out.append(m.group(1))
        elif tag == "section":
            self._h3 = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "tr":
            self._row = None
        elif tag == "th":
            self._in_th = False
        elif tag == "dd":
            self._in_dd = False
        elif tag == "h3":
            self._in_h3 = False

    def handle_data(self, data: str) -> None:
        if self._in_dd and self.lag is not None:
            self.lag += data
        if self._in_h3:
            self._h3 += data
        if self.lasttag == "dt":
            self._dt = data.strip()


def _log(root: Path) -> Log:
    log = load_and_check(root).log
    assert log is not None
    return log


def _page(site: Path, did: str) -> _DecisionPage:
    p = _DecisionPage()
    p.feed((site / "decisions" / did / "index.html").read_text(encoding="utf-8"))
    return p


def _awaited_on_partner_page(site: Path, pid: str) -> set[str]:
    """Ids listed under "Awaiting …'s approval" on the partner's page."""
    text = (site / "partners" / pid / "index.html").read_text(encoding="utf-8")
    section = text.split('id="dl-awaiting"', 1)[1].split("</section>", 1)[0]
    return set(re.findall(r"decisions/([0-9]+)/index\.html", section))


def _facts(root: Path, now: dt.datetime, out: Path) -> None:
    """Build ``root`` as of ``now`` and check every output against decisions.json."""
    result = build(root, out, now=now, search_index=False, jobs=1)
    assert result.built, [f"{d.path}:{d.line}: {d.code} {d.message}" for d in result.findings]
    db = json.loads((out / "decisions.json").read_text(encoding="utf-8"))
    truth = {d["id"]: d for d in db["decisions"]}
    log = _log(root)
    assert truth, "no decisions"
    when = now.isoformat()

    # every decision's own page
    for did, d in truth.items():
        page = _page(out, did)
        assert page.states == d["standing"], did
        assert page.ready == d["ready"], did
        assert set(d["waiting_on"]) == {p for p, s in d["standing"].items() if s == "pending"}, did
        assert set(d["silence_due"]) == {p for p, s in d["standing"].items() if s == "silence-due"}, did
        if d["logging_lag"] is None:
            assert page.lag is None, did
        else:
            assert d["logging_lag"] >= 0, did
            assert page.lag is not None and not page.lag.strip().startswith("-"), (did, page.lag)
        assert page.into == d["linked_from"], did
        assert page.out == d["links_to"], did

    # partner pages and their feeds: a proposal with a deadline is awaited by exactly the partners it waits on
    for pid in log.partners:
        expected = {
            did
            for did, d in truth.items()
            if d["status"] == "proposed" and d["deadline"] and pid in d["waiting_on"]
        }
        assert _awaited_on_partner_page(out, pid) == expected, pid
        feed = (out / "partners" / pid / "feed.xml").read_text(encoding="utf-8")
        for did, d in truth.items():
            if (
                pid in d["partners"]
                and d["status"] == "proposed"
                and d["deadline"]
                and pid not in d["waiting_on"]
            ):
                assert f"Awaiting {log.partners[pid].name}" not in _entry(feed, did), (pid, did)

    # query
    run = invoke(["query", "--root", str(root), "--today", when, "--format", "json", "id >= 0"])
    assert run.exit_code == 0, run.stderr
    for q in run.json():
        d = truth[q["id"]]
        assert set(q["approved_by"]) == {p for p, s in d["standing"].items() if s in COUNTING}, q["id"]
        assert q["waiting_on"] == d["waiting_on"], q["id"]
        assert q["silence_due"] == d["silence_due"], q["id"]
        assert (q["ready"] == "yes") == d["ready"], q["id"]

    # export
    target = out.parent / f"{out.name}.sqlite"
    run = invoke(["export", "--root", str(root), "--today", when, "--sqlite", str(target)])
    assert run.exit_code == 0, run.stderr
    with sqlite3.connect(target) as con:
        states: dict[str, dict[str, str]] = {}
        for did, pid, state in con.execute("SELECT decision, partner, state FROM decision_partners"):
            states.setdefault(did, {})[pid] = state
        rows = {r[0]: r[1:] for r in con.execute("SELECT id, ready, logging_lag FROM decisions")}
        mentions: dict[str, list[str]] = {}
        for src, target_id in con.execute("SELECT source, target FROM links WHERE kind = 'mentions'"):
            mentions.setdefault(src, []).append(target_id)
    con.close()
    for did, d in truth.items():
        assert states.get(did, {}) == d["standing"], did
        assert rows[did] == (int(d["ready"]), d["logging_lag"]), did
        assert sorted(mentions.get(did, [])) == sorted(d["links_to"]), did

    # audit: each partner's columns over every decision
    run = invoke(["audit", "--root", str(root), "--today", when, "--format", "json", "--last", "0"])
    if run.exit_code == 0:
        _audit_agrees(run.json(), truth, log)


def _audit_agrees(report: dict[str, Any], truth: dict[str, dict[str, Any]], log: Any) -> None:
    chosen = set(truth)
    for p in report["participation"]["partners"]:
        pid = p["partner"]
        mine = {did: d for did, d in truth.items() if did in chosen and pid in d["standing"]}
        assert set(p["approved"]["ids"]) <= {
            did for did, d in mine.items() if d["standing"][pid] == "approved"
        }
        silence = {did for did, d in mine.items() if d["standing"][pid] in ("silence", "silence-due")}
        assert set(p["silence"]["ids"]) <= silence
        pending = {
            did for did, d in mine.items() if d["standing"][pid] == "pending" and d["status"] == "proposed"
        }
        assert set(p["pending"]["ids"]) <= pending


def _entry(feed: str, did: str) -> str:
    """The Atom entry of decision ``did`` in ``feed`` ('' when there is none)."""
    for entry in feed.split("<entry>")[1:]:
        if f"decisions/{did}/" in entry:
            return entry
    return ""


def _moments(root: Path) -> list[dt.datetime]:
    """Before, at and just after the deadline of every open proposal, and long after the last one."""
    log = _log(root)
    deadlines = sorted({d.deadline for d in log.decisions if d.status == "proposed" and d.deadline})
    out: list[dt.datetime] = []
    for t in deadlines[:3]:
        out += [t - dt.timedelta(hours=1), t, t + dt.timedelta(minutes=1)]
    if deadlines:
        out.append(deadlines[-1] + dt.timedelta(days=30))
    return out


def test_example_log_tells_one_story_around_every_deadline(tmp_path: Path) -> None:
    root = copy_example(tmp_path / "log")
    moments = _moments(root)
    assert len(moments) >= 4
    for i, now in enumerate(moments):
        _facts(root, now, tmp_path / f"site{i}")


def test_example_log_under_a_quorum_tells_one_story(tmp_path: Path) -> None:
    root = copy_example(tmp_path / "log")
    toml = root / "declog.toml"
    text = toml.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^approval\s*=.*$", "", text)
    toml.write_text(
        text.replace("[workflow]\n", '[workflow]\napproval = "quorum"\nquorum = 2\n', 1), encoding="utf-8"
    )
    for i, now in enumerate(_moments(root)[:2]):
        _facts(root, now, tmp_path / f"site{i}")


def test_silence_that_already_counts_is_not_shown_as_awaited(tmp_path: Path) -> None:
    """The example's 0028: kanto-lab's and rota-sul's silence counts once its deadline has passed."""
    root = copy_example(tmp_path / "log")
    log = _log(root)
    d = log.by_id["0028"]
    assert d.status == "proposed" and d.deadline is not None
    after = d.deadline + dt.timedelta(hours=1)
    _facts(root, after, tmp_path / "after")
    db = json.loads((tmp_path / "after" / "decisions.json").read_text(encoding="utf-8"))
    entry = next(x for x in db["decisions"] if x["id"] == "0028")
    due = set(entry["silence_due"])
    assert due, entry["standing"]
    for pid in due:
        assert "0028" not in _awaited_on_partner_page(tmp_path / "after", pid)
    page = (tmp_path / "after" / "decisions" / "0028" / "index.html").read_text(encoding="utf-8")
    assert (
        'approved by silence<small class="hint">not yet recorded: <code>declog approvals --write</code>'
        in page
    )


def test_generated_log_tells_one_story(tmp_path: Path) -> None:
    root = tmp_path / "gen"
    subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "gen_corpus.py"), str(root), "300"],
        check=True,
        capture_output=True,
    )
    toml = root / "declog.toml"
    text = toml.read_text(encoding="utf-8")
    if "[workflow.silence]" in text:
        text = re.sub(r"(?ms)^\[workflow\.silence\].*?(?=^\[|\Z)", "", text)
    toml.write_text(
        text + '\n[workflow.silence]\nallowed = true\ncategories = ["operational"]\n', encoding="utf-8"
    )
    moments = _moments(root)
    for i, now in enumerate([moments[0], moments[2], moments[-1]] if len(moments) >= 3 else moments):
        _facts(root, now, tmp_path / f"site{i}")


CODE_BODY = """
Real: [[0002]] and [the kick-off](0001-keep-consortium-decisions-in-a-git-decision-log.md).

Inline code is not a reference: `[[0003]]`, ``a ` [[0004]]``, and a link in code `[x](0005-x.md)`.

    [[0006]] in an indented code block

```text
[[0007]] in a fenced block
```

- a list item

    [[0008]] continues the item: a reference
"""


def test_code_is_never_a_reference(tmp_path: Path) -> None:
    from declog.log.standing import references_in

    assert references_in(CODE_BODY) == [
        "0002",
        "0001-keep-consortium-decisions-in-a-git-decision-log.md",
        "0008",
    ]
    assert references_in("``a` [[0009]] ``b`") == []  # a span runs to the next run of the same length
    assert references_in("`` unclosed [[0010]]\n\nnext paragraph ``") == ["0010"]  # spans stay in a paragraph
    root = copy_example(tmp_path / "log")
    path = root / "content" / "decisions" / "0032-show-vessel-positions-from-a-commercial-ais-feed.md"
    text = path.read_text(encoding="utf-8")
    path.write_text(text + CODE_BODY.replace("[[0008]]", "[[0099]]"), encoding="utf-8")
    run = invoke(["check", "--root", str(root), "--format", "json"])
    assert [f["message"] for f in run.json() if f["code"] == "DL205"] == ["[[0099]] refers to no decision"]
    path.write_text(text + CODE_BODY, encoding="utf-8")
    _facts(root, dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.UTC), tmp_path / "site")
    db = json.loads((tmp_path / "site" / "decisions.json").read_text(encoding="utf-8"))
    entry = next(d for d in db["decisions"] if d["id"] == "0032")
    assert set(entry["links_to"]) == {"0001", "0002", "0008", "0031"}
