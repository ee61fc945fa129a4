"""A log wrong in every way (tests/fixtures/everything-wrong/): its whole list of findings, word for word.

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
    "CODEOWNERS:1:1 warning DL207 no line gives declog.toml, templates, .github owners: every partner's members should own them",
    "CODEOWNERS:2:1 warning DL207 '/content/' is owned without every partner's members: missing @bob (acme), @carol (globex), @dave (globex)",
    "CODEOWNERS:2:11 error DL206 '@your-github-handle' is the placeholder `declog init` writes, not a person",
    "content/decisions/0001-yaml-traps.md:2:5 error DL007 '0001' has a leading zero and YAML 1.1 reads it as the number 1",
    "content/decisions/0001-yaml-traps.md:2:5 error DL109 decision id '0001' is also used by content/decisions/0001-duplicate.md",
    "content/decisions/0001-yaml-traps.md:5:8 error DL008 'NO' is a boolean in YAML 1.1 and text in YAML 1.2; tools disagree on it",
    "content/decisions/0001-yaml-traps.md:5:8 error DL104 tags[1] 'NO' should be lower-case letters, digits and dashes (e.g. 'acme' or 'data-retention')",
    "content/decisions/0001-yaml-traps.md:6:12 error DL009 '12:30' is read as a base-60 number by YAML 1.1",
    "content/decisions/0001-yaml-traps.md:7:1 error DL005 duplicate key 'title' (first set on line 3)",
    "content/decisions/0001-yaml-traps.md:8:8 error DL006 anchor '&who': anchors and aliases are not allowed in frontmatter",
    "content/decisions/0001-yaml-traps.md:9:1 warning DL107 unknown field 'chair'",
    "content/decisions/0001-yaml-traps.md:9:8 error DL006 alias '*who': anchors and aliases are not allowed in frontmatter",
    "content/decisions/0001-yaml-traps.md:10:9 error DL015 a number 120 characters long; numbers are at most 100",
    "content/decisions/0002-schema.md:1:1 error DL101 missing required field 'title'",
    "content/decisions/0002-schema.md:3:9 error DL103 status 'approved' is not one of: proposed, draft, accepted, rejected, withdrawn, superseded",
    "content/decisions/0002-schema.md:4:7 error DL103 mode 'asynch' is not one of: sync, async",
    "content/decisions/0002-schema.md:5:8 error DL104 owner '@bob' is not a valid handle (letters, digits and single dashes, without @)",
    "content/decisions/0002-schema.md:6:11 error DL110 partners is empty",
    "content/decisions/0002-schema.md:7:11 error DL105 proposed '2026-13-01T10:00:00+01:00' is not a valid date-time",
    "content/decisions/0002-schema.md:8:11 error DL106 deadline '2026-01-20T10:00:00' has no time zone offset",
    "content/decisions/0002-schema.md:9:1 warning DL107 unknown field 'colour'",
    "content/decisions/0002-schema.md:10:1 error DL111 unknown field 'tag': did you mean 'tags'?",
    "content/decisions/0003-misnamed.md:2:5 error DL108 id '0033' does not match the file name '0003-misnamed.md'",
    "content/decisions/0003-misnamed.md:5:7 error DL102 tags should be a list, not 'governance'",
    "content/decisions/0004-sync-strategic.md:4:9 error DL302 accepted without a valid approval from acme, globex",
    "content/decisions/0004-sync-strategic.md:15:9 error DL303 'carol' approved for acme but is a member of globex",
    "content/decisions/0004-sync-strategic.md:15:9 error DL314 'carol' approved in meeting '2026-01-10-kickoff' but did not attend it",
    "content/decisions/0005-async.md:4:9 error DL302 accepted without a valid approval from acme, globex",
    "content/decisions/0005-async.md:10:11 error DL301 deadline is 1d after proposed; the agreed feedback window is 2d",
    "content/decisions/0005-async.md:15:9 error DL311 'alice' owns this decision and cannot approve it for acme",
    "content/decisions/0005-async.md:21:10 error DL313 silence is not agreed as approval for globex on operational decisions",
    "content/decisions/0005-async.md:25:5 error DL205 [[0099]] refers to no decision",
    "content/decisions/0005-async.md:27:1 warning DL321 section 'Consequences' is empty",
    "content/decisions/0006-strategic-async.md:5:7 error DL304 strategic decisions must be decided in a meeting, but this one is async",
    "content/decisions/0007-sync-no-meeting.md:4:9 error DL309 rejected decision without a reason",
    "content/decisions/0007-sync-no-meeting.md:5:7 error DL305 sync decision does not name its meeting",
    "content/decisions/0008-exception.md:11:9 error DL306 exception logged 3d after it was decided; the window is 1d",
    "content/decisions/0009-superseded.md:5:16 error DL307 superseded_by '0010' but 0010 does not list 0009 in supersedes",
    "content/decisions/0009-superseded.md:5:16 error DL319 superseded by 0010, which is proposed, not accepted",
    "content/decisions/0011-cycle-a.md:5:16 error DL308 supersede links form a cycle: 0011 -> 0012 -> 0011",
    "content/decisions/0013-incomplete.md:4:9 warning DL310 proposed decision without owner, rationale",
    "content/decisions/0013-incomplete.md:4:9 error DL318 async proposed decision without deadline",
    "content/decisions/0014-dates.md:9:10 error DL316 decided is before proposed",
    "content/decisions/0014-dates.md:13:9 error DL316 approval by 'bob' is dated before the decision was proposed",
    "content/decisions/0015-approvals.md:15:14 error DL312 second approval for 'acme' (first is approval 1); record one approval per partner",
    "content/decisions/0015-approvals.md:16:9 error DL312 'bob' already approved (approval 1); one person's approval counts once",
    "content/decisions/0015-approvals.md:19:14 error DL312 approval from 'globex', which is not party to this decision",
    "content/decisions/0016-superseded-alone.md:4:9 error DL317 superseded decision does not name its successor",
    "content/decisions/0017-unlisted.md:10:10 warning DL320 meeting '2026-01-10-kickoff' does not list decision 0017",
    "content/decisions/0018-unknown-refs.md:5:18 error DL201 unknown partner 'globx'",
    "content/decisions/0018-unknown-refs.md:6:8 error DL202 owner 'zed' is not a member of any partner",
    "content/decisions/0018-unknown-refs.md:7:10 error DL203 unknown meeting '2026-01-11-kickoff'",
    "content/decisions/0018-unknown-refs.md:8:14 error DL204 supersedes unknown decision '0404'",
    "content/decisions/0018-unknown-refs.md:10:16 error DL205 link to '0005-async-rules.md' names no decision file",
    "content/decisions/0020-empty.md:1:1 error DL002 the file is empty",
    "content/decisions/0021-unclosed.md:1:1 error DL002 the frontmatter opened on line 1 is never closed",
    "content/decisions/0022-list.md:2:1 error DL004 frontmatter is a list, not a mapping of fields",
    "content/decisions/0023-bom.md:1:1 warning DL010 file starts with a UTF-8 byte-order mark",
    "content/decisions/0024-crlf.md:1:1 warning DL011 file has CRLF (Windows) line endings",
    "content/decisions/0025-tabs.md:6:1 error DL003 invalid YAML: a tab is used for indentation; YAML indents with spaces only",
    "content/decisions/0026-latin1.md:3:11 error DL001 file is not valid UTF-8 (byte 0xe9 at offset 25)",
    "content/decisions/0027-no-frontmatter.md:1:1 error DL002 the file does not start with frontmatter (first line is 'Just notes, no frontmatter.')",
    "content/decisions/0028-control.md:3:22 error DL014 title contains the control character U+0007 (BEL)",
    "content/decisions/0029-deep.md:5:8 error DL102 tags[1] should be text, not a list",
    "content/decisions/0029-deep.md:5:71 error DL016 lists and mappings nested more than 64 deep",
    "content/decisions/0030-ready.md:4:9 note DL322 0030 is ready to accept: the approvals the rules require are in; set `status: accepted` and `decided: 2026-01-06T16:30:00+01:00`",
    "content/decisions/0031-review.md:10:11 error DL324 reviews 0010, which is proposed, not accepted",
    "content/decisions/0031-review.md:11:12 error DL323 review_by 2027-01-08 on a rejected decision, which never takes effect",
    "content/decisions/notes.txt:1:1 warning DL013 'notes.txt' is not a .md document and is ignored",
    "content/meetings/2026-01-10-kickoff.md:5:25 error DL202 attendee 'mallory' is not a member of any partner",
    "content/meetings/2026-01-10-kickoff.md:6:21 error DL204 meeting lists unknown decision '0077'",
    "content/meetings/misnamed.md:2:5 error DL108 id '2026-02-01-review' does not match the file name 'misnamed.md'",
    "content/partners/globex.md:4:11 error DL104 timezone 'Europe/Berln' is not an IANA time zone",
    "content/partners/hollow.md:5:10 error DL315 partner 'hollow' has no members, so it can never approve",
    "declog.toml:6:1 warning DL503 unknown field 'site.colour'",
    "declog.toml:15:1 error DL201 [workflow.silence] partners names unknown partner 'initec'",
    "declog.toml:17:1 error DL204 [workflow.silence] agreement names unknown decision '0099'",
]

#: Codes a single log cannot show: a path named on the command line (DL012), a file name
#: that is not UTF-8 (DL018, tests/test_hostile_names.py: not every file system or checkout
#: can hold one), a base revision (DL4xx, tests/test_base.py) and fatal configuration errors
#: (DL501, DL502).
ELSEWHERE = {
    *("DL012", "DL018"),
    *("DL401", "DL402", "DL403", "DL404", "DL405", "DL406", "DL407", "DL408", "DL409"),
    *("DL501", "DL502"),
}


def findings(tmp_path: Path) -> tuple[int, list[str], str]:
    # A copy outside any git repository: no commit dates, nothing from the work tree.
    root = tmp_path / "everything-wrong"
    shutil.copytree(FIXTURE, root)
    run = invoke(["check", "--root", str(root), "--format", "json"])
    lines = [
        f"{d['path']}:{d['line']}:{d['col']} {d['severity']} {d['code']} {d['message']}" for d in run.json()
    ]
    return run.exit_code, lines, run.stderr


def test_the_whole_list_of_findings(tmp_path: Path) -> None:
    code, lines, stderr = findings(tmp_path)
    assert code == 1
    assert lines == EXPECTED
    assert stderr == "declog: checked 30 documents: 65 errors, 11 warnings\n"


def test_the_fixture_shows_every_code_that_one_log_can_show() -> None:
    shown = {line.split(" ", 3)[2] for line in EXPECTED}
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
