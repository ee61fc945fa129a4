"""A log wrong in every way (tests/fixtures/everything-wrong/): its whole list of findings.

Each file in the fixture says what it breaks. When a rule changes on purpose,
print the new list with ``python tests/test_everything_wrong.py``, paste it
below and review the difference.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from conftest import FIXTURES, invoke

from declog.log.codes import CODES

FIXTURE = FIXTURES / "everything-wrong"

EXPECTED = [
    "CODEOWNERS:1:1 warning DL207",
    "CODEOWNERS:2:1 warning DL207",
    "CODEOWNERS:2:11 error DL206",
    "content/decisions/0001-yaml-traps.md:2:5 error DL007",
    "content/decisions/0001-yaml-traps.md:2:5 error DL109",
    "content/decisions/0001-yaml-traps.md:5:8 error DL008",
    "content/decisions/0001-yaml-traps.md:5:8 error DL104",
    "content/decisions/0001-yaml-traps.md:6:12 error DL009",
    "content/decisions/0001-yaml-traps.md:7:1 error DL005",
    "content/decisions/0001-yaml-traps.md:8:8 error DL006",
    "content/decisions/0001-yaml-traps.md:9:1 warning DL107",
    "content/decisions/0001-yaml-traps.md:9:8 error DL006",
    "content/decisions/0001-yaml-traps.md:10:9 error DL015",
    "content/decisions/0002-schema.md:1:1 error DL101",
    "content/decisions/0002-schema.md:3:9 error DL103",
    "content/decisions/0002-schema.md:4:7 error DL103",
    "content/decisions/0002-schema.md:5:8 error DL104",
    "content/decisions/0002-schema.md:6:11 error DL110",
    "content/decisions/0002-schema.md:7:11 error DL105",
    "content/decisions/0002-schema.md:8:11 error DL106",
    "content/decisions/0002-schema.md:9:1 warning DL107",
    "content/decisions/0003-misnamed.md:2:5 error DL108",
    "content/decisions/0003-misnamed.md:5:7 error DL102",
    "content/decisions/0004-sync-strategic.md:4:9 error DL302",
    "content/decisions/0004-sync-strategic.md:15:9 error DL303",
    "content/decisions/0004-sync-strategic.md:15:9 error DL314",
    "content/decisions/0005-async.md:4:9 error DL302",
    "content/decisions/0005-async.md:10:11 error DL301",
    "content/decisions/0005-async.md:15:9 error DL311",
    "content/decisions/0005-async.md:21:10 error DL313",
    "content/decisions/0005-async.md:25:5 error DL205",
    "content/decisions/0005-async.md:27:1 warning DL321",
    "content/decisions/0006-strategic-async.md:5:7 error DL304",
    "content/decisions/0007-sync-no-meeting.md:4:9 error DL309",
    "content/decisions/0007-sync-no-meeting.md:5:7 error DL305",
    "content/decisions/0008-exception.md:11:9 error DL306",
    "content/decisions/0009-superseded.md:5:16 error DL307",
    "content/decisions/0009-superseded.md:5:16 error DL319",
    "content/decisions/0011-cycle-a.md:5:16 error DL308",
    "content/decisions/0013-incomplete.md:4:9 warning DL310",
    "content/decisions/0013-incomplete.md:4:9 error DL318",
    "content/decisions/0014-dates.md:9:10 error DL316",
    "content/decisions/0014-dates.md:13:9 error DL316",
    "content/decisions/0015-approvals.md:15:14 error DL312",
    "content/decisions/0015-approvals.md:16:9 error DL312",
    "content/decisions/0015-approvals.md:19:14 error DL312",
    "content/decisions/0016-superseded-alone.md:4:9 error DL317",
    "content/decisions/0017-unlisted.md:10:10 warning DL320",
    "content/decisions/0018-unknown-refs.md:5:18 error DL201",
    "content/decisions/0018-unknown-refs.md:6:8 error DL202",
    "content/decisions/0018-unknown-refs.md:7:10 error DL203",
    "content/decisions/0018-unknown-refs.md:8:14 error DL204",
    "content/decisions/0018-unknown-refs.md:10:16 error DL205",
    "content/decisions/0020-empty.md:1:1 error DL002",
    "content/decisions/0021-unclosed.md:1:1 error DL002",
    "content/decisions/0022-list.md:2:1 error DL004",
    "content/decisions/0023-bom.md:1:1 warning DL010",
    "content/decisions/0024-crlf.md:1:1 warning DL011",
    "content/decisions/0025-tabs.md:6:1 error DL003",
    "content/decisions/0026-latin1.md:3:11 error DL001",
    "content/decisions/0027-no-frontmatter.md:1:1 error DL002",
    "content/decisions/0028-control.md:3:22 error DL014",
    "content/decisions/notes.txt:1:1 warning DL013",
    "content/meetings/2026-01-10-kickoff.md:5:25 error DL202",
    "content/meetings/2026-01-10-kickoff.md:6:21 error DL204",
    "content/meetings/misnamed.md:2:5 error DL108",
    "content/partners/globex.md:4:11 error DL104",
    "content/partners/hollow.md:5:10 error DL315",
    "declog.toml:6:1 warning DL503",
    "declog.toml:15:1 error DL201",
    "declog.toml:17:1 error DL204",
]

#: Codes a single log cannot show: a path named on the command line (DL012), a
#: base revision (DL4xx, tests/test_base.py) and fatal configuration errors (DL501, DL502).
ELSEWHERE = {"DL012", "DL401", "DL402", "DL403", "DL404", "DL405", "DL406", "DL407", "DL501", "DL502"}


def findings(tmp_path: Path) -> tuple[int, list[str], str]:
    # A copy outside any git repository: no commit dates, nothing from the work tree.
    root = tmp_path / "everything-wrong"
    shutil.copytree(FIXTURE, root)
    run = invoke(["check", "--root", str(root), "--format", "json"])
    lines = [f"{d['path']}:{d['line']}:{d['col']} {d['severity']} {d['code']}" for d in run.json()]
    return run.exit_code, lines, run.stderr


def test_the_whole_list_of_findings(tmp_path: Path) -> None:
    code, lines, stderr = findings(tmp_path)
    assert code == 1
    assert lines == EXPECTED
    assert stderr == "declog: checked 27 documents: 60 errors, 11 warnings\n"


def test_the_fixture_shows_every_code_that_one_log_can_show() -> None:
    shown = {line.rsplit(" ", 1)[1] for line in EXPECTED}
    validator_codes = {c for c in CODES if c[2] in "012345"}
    assert validator_codes - shown == ELSEWHERE


def test_the_fixture_bytes_survive_git() -> None:
    """The CRLF, BOM and Latin-1 files keep their bytes (see the fixture's .gitattributes)."""
    decisions = FIXTURE / "content" / "decisions"
    assert b"\r\n" in (decisions / "0024-crlf.md").read_bytes()
    assert (decisions / "0023-bom.md").read_bytes().startswith(b"\xef\xbb\xbf")
    assert b"\xe9" in (decisions / "0026-latin1.md").read_bytes()


if __name__ == "__main__":
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        _, current, summary = findings(Path(tmp))
    sys.stdout.write("".join(f'    "{line}",\n' for line in current))
    sys.stderr.write(summary)
