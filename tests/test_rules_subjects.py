"""Rules restricted to some documents (``Context.subjects``) give exactly the full run's findings about them.

A long-running server re-checks only the documents a save changed and keeps
the other documents' findings, so for every document ``p`` a run with
``subjects={p}`` must give the full run's findings whose path is ``p``: no
more, no fewer, whatever else the log holds and in whichever order the rules
meet the documents. Findings about declog.toml come only from a full run.
"""

from __future__ import annotations

import random
import tomllib
from collections.abc import Iterator
from pathlib import Path

from conftest import ACCEPTED, ACME, CONFIG, FIXTURES, GLOBEX, REPO, doc, make_log
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from declog.check.rules import run_rules, workflow
from declog.check.rules.context import Context
from declog.log.config import CONFIG_FILE, Config, load_config, parse_config
from declog.log.diagnostics import Diagnostic
from declog.log.load import RawFile, build_log, scan
from declog.log.model import Decision, Log

SILENCE = """
[workflow.silence]
allowed = true
partners = ["acme", "initech"]
categories = ["operational"]
agreement = "{agreement}"
"""


def load(root: Path) -> Log:
    config, problems = load_config(root)
    assert config is not None, problems
    files, _ = scan(root)
    log, _ = build_log(str(root), config, files)
    return log


def key(f: Diagnostic) -> tuple[str, int, int, str, str, str, str]:
    return (f.path, f.line, f.col, f.code, str(f.severity), f.message, f.hint)


def ordered(found: Iterator[Diagnostic] | list[Diagnostic]) -> list[Diagnostic]:
    return sorted(found, key=key)


def document_paths(log: Log) -> list[str]:
    """Every document of the log, the duplicates included."""
    return [
        *(d.path for d in log.decisions),
        *(p.path for p in log.partners.values()),
        *(m.path for m in log.meetings.values()),
        *(d.path for d in log.duplicates),
    ]


def assert_restrictable(log: Log) -> list[Diagnostic]:
    """Every restriction of the rules to one document, and to all of them, agrees with the full run."""
    full = run_rules(Context(log))
    paths = document_paths(log)
    assert len(set(paths)) == len(paths)
    assert {f.path for f in full} <= {*paths, CONFIG_FILE}
    for p in paths:
        alone = run_rules(Context(log, subjects=frozenset({p})))
        assert ordered(alone) == ordered(f for f in full if f.path == p), p
    everything = run_rules(Context(log, subjects=frozenset(paths)))
    # Same findings in the same order: only the findings about declog.toml are left out.
    assert everything == [f for f in full if f.path != CONFIG_FILE]
    assert run_rules(Context(log, subjects=frozenset())) == []
    return full


def assert_random_subsets(log: Log, seed: int, rounds: int = 20) -> None:
    full = run_rules(Context(log))
    paths = document_paths(log)
    rng = random.Random(seed)
    for _ in range(rounds):
        chosen = frozenset(rng.sample(paths, rng.randint(2, min(8, len(paths)))))
        got = run_rules(Context(log, subjects=chosen))
        assert ordered(got) == ordered(f for f in full if f.path in chosen), sorted(chosen)


# --- the example log and the everything-wrong fixture -------------------------------------------


def test_the_example_log() -> None:
    log = load(REPO)
    assert len(log.decisions) > 20
    assert_restrictable(log)


def test_the_everything_wrong_fixture() -> None:
    log = load(FIXTURES / "everything-wrong")
    full = assert_restrictable(log)
    codes = {f.code for f in full}
    assert {"DL108", "DL109", "DL201", "DL204", "DL205", "DL307", "DL308", "DL313"} <= codes
    assert any(f.path == CONFIG_FILE for f in full)


def test_random_subsets_of_several_subjects() -> None:
    assert_random_subsets(load(FIXTURES / "everything-wrong"), seed=1)
    assert_random_subsets(load(REPO), seed=2)


# --- small logs with cycles, duplicate ids and findings about declog.toml -----------------------


LINKS = "See [[0099]] and [the first](0001-keep-decisions-in-git.md).\n"


def decision(
    did: str, *, superseded_by: str = "", supersedes: str = "", status: str = "", body: str = LINKS
) -> str:
    lines = [f'id: "{did}"', f"title: Decision {did}", f"status: {status or 'proposed'}"]
    lines += ["mode: async", "partners: [acme, globex]", "owner: alice", "rationale: Because."]
    if superseded_by:
        lines.append(f'superseded_by: "{superseded_by}"')
    if supersedes:
        lines.append(f'supersedes: ["{supersedes}"]')
    return doc("\n".join(lines), body)


def cycles_log(root: Path) -> Log:
    """Supersede cycles, duplicate ids of every kind, and [workflow.silence] naming unknown things."""
    log = make_log(root)
    log.config(CONFIG + SILENCE.format(agreement="0099"))
    log.decision("0001-keep-decisions-in-git", ACCEPTED)
    # A cycle of three, met first at 0002; a duplicate of 0002 walks round it too.
    log.decision("0002-a", decision("0002", superseded_by="0004", status="superseded"))
    log.decision("0002-b", decision("0002", superseded_by="0004"))
    log.decision("0003-a", decision("0003", superseded_by="0002", supersedes="0004"))
    log.decision("0004-a", decision("0004", superseded_by="0003"))
    # A duplicate (0005-b) walks back to its id through 0006 and the first 0005: reported on 0005-b;
    # 0005-c does the same later and is not reported again.
    log.decision("0005-a", decision("0005"))
    log.decision("0005-b", decision("0005", superseded_by="0006"))
    log.decision("0005-c", decision("0005", superseded_by="0006"))
    log.decision("0006-a", decision("0006", superseded_by="0005"))
    # Two duplicates walking back to their ids, the earlier one reported first (both are reported).
    log.decision("0010-a", decision("0010", superseded_by="0011"))
    log.decision("0010-b", decision("0010", superseded_by="0012"))
    log.decision("0011-a", decision("0011"))
    log.decision("0011-b", decision("0011", superseded_by="0010"))
    log.decision("0012-a", decision("0012", superseded_by="0010"))
    # The same shapes the other way round: the earlier duplicate's cycle swallows the later one.
    log.decision("0020-a", decision("0020"))
    log.decision("0020-b", decision("0020", superseded_by="0021"))
    log.decision("0021-a", decision("0021", superseded_by="0020"))
    log.decision("0021-b", decision("0021", superseded_by="0022"))
    log.decision("0022-a", decision("0022", superseded_by="0021"))
    # A self-supersede.
    log.decision("0030-self", decision("0030", superseded_by="0030"))
    # Links to a duplicate's file, to a file named after no decision's id, and to no file.
    links = "[b](0002-b.md), [c](./0002-c.md), [x](../decisions/0031-x.md) and [self](0030-self.md)\n"
    log.decision("0031-links", decision("0031", body=links))
    log.partner("acme2", ACME)
    log.partner("globex2", GLOBEX)
    meeting = doc("id: 2026-01-10-kickoff\ntitle: Kickoff\ndate: 2026-01-10\nattendees: [alice, carol]")
    log.meeting("2026-01-10-kickoff", meeting)
    log.meeting("2026-01-10-kickoff2", meeting)
    return load(root)


def test_a_log_with_cycles_and_duplicates(tmp_path: Path) -> None:
    log = cycles_log(tmp_path / "log")
    assert {d.path for d in log.duplicates} == {
        "content/partners/acme2.md",
        "content/partners/globex2.md",
        "content/meetings/2026-01-10-kickoff2.md",
    }
    full = assert_restrictable(log)
    cycles = [(f.path.rsplit("/", 1)[-1], f.message.split(": ", 1)[1]) for f in full if f.code == "DL308"]
    assert cycles == [
        ("0002-a.md", "0002 -> 0004 -> 0003 -> 0002"),
        ("0005-b.md", "0005 -> 0006 -> 0005"),
        ("0010-b.md", "0010 -> 0012 -> 0010"),
        ("0011-b.md", "0011 -> 0010 -> 0011"),
        ("0020-b.md", "0020 -> 0021 -> 0020"),
        ("0030-self.md", "0030 -> 0030"),
    ]
    broken = [(f.message, f.hint) for f in full if f.code == "DL205" and f.path.endswith("0031-links.md")]
    assert broken == [
        ("link to './0002-c.md' names no decision file", "did you mean '0002-a.md'?"),
        ("link to '../decisions/0031-x.md' names no decision file", "did you mean '0031-links.md'?"),
    ]
    assert cycles == [(p, m) for p, m in _old_cycles(log)]
    duplicates = [f for f in full if f.code == "DL109"]
    assert [f.path.rsplit("/", 1)[-1] for f in duplicates] == [
        "0002-b.md",
        "0005-b.md",
        "0005-c.md",
        "0010-b.md",
        "0011-b.md",
        "0020-b.md",
        "0021-b.md",
        "acme2.md",
        "globex2.md",
        "2026-01-10-kickoff2.md",
    ]
    assert duplicates[0].message == "decision id '0002' is also used by content/decisions/0002-a.md"
    assert duplicates[0].hint == (
        "renumber the one that is new on your branch to the next free id (0032): "
        "declog renumber 0002 --file content/decisions/0002-b.md (or --file content/decisions/0002-a.md)"
    )
    config = [(f.code, f.message) for f in full if f.path == CONFIG_FILE]
    assert config == [
        ("DL201", "[workflow.silence] partners names unknown partner 'initech'"),
        ("DL204", "[workflow.silence] agreement names unknown decision '0099'"),
    ]
    assert_random_subsets(log, seed=3)


def test_a_log_whose_silence_agreement_is_not_accepted(tmp_path: Path) -> None:
    log = make_log(tmp_path / "log")
    log.config(CONFIG + SILENCE.format(agreement="0002"))
    log.decision("0001-keep-decisions-in-git", ACCEPTED.replace("via: pr-review", "via: silence", 1))
    log.decision("0002-silence", decision("0002"))
    full = assert_restrictable(load(log.root))
    assert [(f.code, f.message) for f in full if f.path == CONFIG_FILE] == [
        ("DL201", "[workflow.silence] partners names unknown partner 'initech'"),
        ("DL313", "[workflow.silence] agreement '0002' is proposed, not accepted"),
    ]
    assert any(f.code == "DL313" and f.path != CONFIG_FILE for f in full)


# --- generated logs: the rules that used to walk the log in order -------------------------------

IDS = ["0001", "0002", "0003", "0004", ""]
SMALL_CONFIG = CONFIG + SILENCE.format(agreement="0002")
_parsed, _ = parse_config(tomllib.loads(SMALL_CONFIG), SMALL_CONFIG)
assert _parsed is not None
PARSED_CONFIG: Config = _parsed

generated_decision = st.tuples(
    st.sampled_from(IDS),
    st.sampled_from([*IDS, "0009"]),
    st.sampled_from(["", *IDS]),
    st.sampled_from(["proposed", "accepted", "superseded"]),
)


def generated_log(
    decisions: list[tuple[str, str, str, str]], extra_partner: bool, extra_meeting: bool
) -> Log:
    files = [
        RawFile("content/partners/acme.md", ACME.encode()),
        RawFile("content/partners/globex.md", GLOBEX.encode()),
    ]
    if extra_partner:
        files.append(RawFile("content/partners/other.md", ACME.encode()))
    meeting = doc("id: m1\ntitle: M\ndate: 2026-01-10\nattendees: [alice]\ndecisions: ['0001']").encode()
    files.append(RawFile("content/meetings/m1.md", meeting))
    if extra_meeting:
        files.append(RawFile("content/meetings/m2.md", meeting))
    for i, (did, sb, sup, status) in enumerate(decisions):
        text = decision(did or "x", superseded_by=sb, supersedes=sup, status=status)
        if not did:
            text = text.replace('id: "x"\n', "")
        files.append(RawFile(f"content/decisions/{did or '0000'}-n{i}.md", text.encode()))
    log, _ = build_log("/nowhere", PARSED_CONFIG, files)
    return log


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(generated_decision, min_size=1, max_size=8), st.booleans(), st.booleans())
def test_generated_logs(decisions: list[tuple[str, str, str, str]], partner: bool, meeting: bool) -> None:
    log = generated_log(decisions, partner, meeting)
    assert_restrictable(log)
    cycles = [
        (f.path.rsplit("/", 1)[-1], f.message.split(": ", 1)[1])
        for f in run_rules(Context(log))
        if f.code == "DL308"
    ]
    assert cycles == _old_cycles(log)
    assert [f for f in run_rules(Context(log)) if f.code == "DL109" and "decision id" in f.message] == list(
        _old_decision_duplicates(Context(log))
    )


def test_dl308_alone_on_a_duplicate_that_walks_back() -> None:
    # 0001 (first), 0001 (duplicate, superseded by 0002), 0002 (superseded by 0001): the duplicate's walk
    # comes back to 0001 through the first 0001, and a full run has always reported that.
    log = generated_log(
        [("0001", "", "", "proposed"), ("0001", "0002", "", "proposed"), ("0002", "0001", "", "proposed")],
        False,
        False,
    )
    second = log.decisions[1]
    found = list(workflow.dl308_supersede_cycle(Context(log, subjects=frozenset({second.path}))))
    assert [f.message for f in found] == ["supersede links form a cycle: 0001 -> 0002 -> 0001"]
    assert (
        list(workflow.dl308_supersede_cycle(Context(log, subjects=frozenset({log.decisions[2].path})))) == []
    )


# --- the rules as they were when they walked the whole log in order (the reference) -------------


def _old_cycles(log: Log) -> list[tuple[str, str]]:
    """DL308 as it was: walk every decision in log order, skip the members of a cycle already reported."""
    ids = log.by_id
    reported: set[str] = set()
    out = []
    for start in log.decisions:
        path: list[str] = []
        current: Decision | None = start
        while current is not None and current.id not in path:
            path.append(current.id)
            current = ids.get(current.superseded_by) if current.superseded_by else None
        if current is not None and current.id == start.id and start.id not in reported:
            reported.update(path)
            out.append((start.path.rsplit("/", 1)[-1], " -> ".join([*path, start.id])))
    return out


def _old_decision_duplicates(ctx: Context) -> Iterator[Diagnostic]:
    """DL109 for decisions as it was: remember the first path per id in log order."""
    first: dict[str, str] = {}
    numbers = [d.number for d in ctx.log.decisions]
    width = max((len(d.id) for d in ctx.log.decisions), default=4)
    next_id = str(max(numbers, default=0) + 1).zfill(width)
    for d in ctx.log.decisions:
        if not d.id:
            continue
        if d.id in first:
            yield ctx.at(
                "DL109",
                d,
                "id",
                message=f"decision id '{d.id}' is also used by {first[d.id]}",
                hint=f"renumber the one that is new on your branch to the next free id ({next_id}): "
                f"declog renumber {d.id} --file {d.path} (or --file {first[d.id]})",
            )
        else:
            first[d.id] = d.path
