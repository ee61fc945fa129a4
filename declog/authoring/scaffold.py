"""`declog init` and `declog new`: a new log repository, a new decision file.

Both gather everything before writing anything, and never overwrite a file
unless told to (``init --force``). The files ``init`` writes are templates in
``declog/authoring/skeleton/``, with ``@@NAME@@`` placeholders (``${{ }}`` in workflow
files would trip ``string.Template``).

The generated CI installs declog through declog's own action at a pinned ref
(``--action OWNER/REPO@REF``, by default this package's repository at its
version's tag), and pre-commit from the same repository at the same rev: no
generated file names a package index release (on PyPI, ``declog`` is another
project; this one is distributed as ``declog-partnership``).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from declog import __version__
from declog.authoring.frontmatter_edit import scalar
from declog.check.rules import owners
from declog.log import git, suggest, vocab
from declog.log.about import PROJECT_URL, docs_url, project_url
from declog.log.config import CONFIG_FILE
from declog.log.customfields import example
from declog.log.fields import describe
from declog.log.load import CONTENT
from declog.log.model import Log
from declog.log.names import short_name_of
from declog.log.timeparse import shown_in, zone

#: The handle ``init`` writes when it is given none and knows none.
PLACEHOLDER = owners.PLACEHOLDER

_ACTION_RE = re.compile(
    r"^(?P<owner>[A-Za-z0-9](?:[A-Za-z0-9-]{0,38}))/(?P<repo>[A-Za-z0-9._-]{1,100})"
    r"(?P<path>(?:/[A-Za-z0-9._-]+)*)@(?P<ref>[A-Za-z0-9._][A-Za-z0-9._/-]{0,199})$"
)


class ScaffoldError(Exception):
    """A file would be overwritten, or the arguments cannot make a valid document."""


#: The repository's CI and tooling: path in the log -> template in declog/authoring/skeleton/. The same in
#: every log but for the action they use; ``init --update`` writes those that are missing.
CI_FILES: Mapping[str, str] = {
    ".github/workflows/declog.yml": "github/workflows/declog.yml",
    ".github/workflows/declog-review.yml": "github/workflows/declog-review.yml",
    ".github/workflows/declog-rejudge.yml": "github/workflows/declog-rejudge.yml",
    ".github/workflows/declog-remind.yml": "github/workflows/declog-remind.yml",
    ".github/workflows/pages.yml": "github/workflows/pages.yml",
    ".github/pull_request_template.md": "pull_request_template.md",
    ".pre-commit-config.yaml": "pre-commit-config.yaml",
}

#: Files ``declog init`` writes from templates: path in the new log -> template in declog/authoring/skeleton/.
INIT_FILES: Mapping[str, str] = {
    CONFIG_FILE: "declog.toml",
    f"{CONTENT}/decisions/0001-adopt-this-log.md": "first-decision.md",
    **CI_FILES,
}


def _template(name: str) -> str:
    return resources.files("declog.authoring").joinpath("skeleton", name).read_text(encoding="utf-8")


def _fill(text: str, values: Mapping[str, str]) -> str:
    for key, value in values.items():
        text = text.replace(f"@@{key}@@", value)
    leftover = re.search(r"@@[A-Z_]+@@", text)
    assert leftover is None, f"unfilled placeholder {leftover.group(0)}"
    return text


def _minute(now: dt.datetime, tz: dt.tzinfo) -> dt.datetime:
    return now.astimezone(tz).replace(second=0, microsecond=0)


@dataclass
class InitResult:
    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    """Files that already had exactly the content init would write."""
    kept: list[str] = field(default_factory=list)
    """(``--update``) Files that exist and differ from what this declog would write: left as they are."""


@dataclass(frozen=True)
class Action:
    """Where the generated CI gets declog: ``OWNER/REPO[/PATH]@REF``."""

    owner: str
    repo: str
    path: str
    """The action's folder inside the repository ("" at its top, else "/folder")."""
    ref: str

    def __str__(self) -> str:
        return f"{self.owner}/{self.repo}{self.path}@{self.ref}"

    @property
    def repository_url(self) -> str:
        """The repository pre-commit clones (its top holds .pre-commit-hooks.yaml)."""
        return f"https://github.com/{self.owner}/{self.repo}"


def parse_action(spec: str) -> Action:
    """``OWNER/REPO[/PATH]@REF`` as a GitHub ``uses:`` names an action; ScaffoldError otherwise."""
    m = _ACTION_RE.match(spec)
    if m is None or ".." in spec:
        raise ScaffoldError(
            f"--action '{spec}' is not OWNER/REPO@REF (a GitHub repository and a tag, branch or commit, "
            f"e.g. {default_action()})"
        )
    return Action(m.group("owner"), m.group("repo"), m.group("path"), m.group("ref"))


def default_action() -> str:
    """This package's repository at the tag of its version (``v0.1.0``)."""
    m = re.match(r"^https://github\.com/([^/]+)/([^/]+?)(?:\.git)?/?$", project_url())
    owner, repo = m.groups() if m else PROJECT_URL.removeprefix("https://github.com/").split("/")
    return f"{owner}/{repo}@v{__version__}"


def codeowners(partners: Mapping[str, Sequence[str]]) -> str:
    """A CODEOWNERS file naming every partner's members as owners of the log (in declog's part)."""
    handles = [h for members in partners.values() for h in members]
    return owners.update(None, handles)


GITIGNORE = """\
# Written by declog, never committed: the site (site/ by default, _site/ in the
# Pages workflow), the folders a build stages beside it (left only by a killed
# build; the next build removes them), and the cache of serve and build when the
# user has no cache folder (older declogs kept it here too).
/site/
/_site/
/.site.*.tmp/
/.site.*.old/
/._site.*.tmp/
/._site.*.old/
/.declog-cache/
"""


def init_files(
    *,
    partner: str,
    name: str,
    members: Sequence[str],
    timezone: str = "UTC",
    title: str = "Decision log",
    now: dt.datetime,
    action: str | None = None,
) -> dict[str, str]:
    """Path -> content of every file of a new log (its CI installs declog with ``action``)."""
    if not members:
        raise ScaffoldError("name at least one member")
    # The validators `declog check` uses: what init writes, check accepts.
    checks = [
        ("--partner", partner, suggest.slug_problem(partner)),
        *(("--member", m, suggest.handle_problem(m)) for m in members),
        ("--timezone", timezone, suggest.timezone_problem(timezone)),
    ]
    for option, value, problem in checks:
        if problem is not None:
            hint = f" ({problem.hint})" if problem.hint else ""
            raise ScaffoldError(f"{option} {describe(value)} {problem.problem}{hint}")
    uses = parse_action(action or default_action())
    proposed = _minute(now, zone(timezone))
    values = {
        # Written into a TOML string and a YAML value: escaped so that any reader reads them as given.
        "TITLE": json.dumps(title, ensure_ascii=False)[1:-1].replace("\x7f", "\\u007f"),
        "PARTNER": partner,
        "NAME": scalar(name),
        "SHORT": scalar(short_name_of(name) or partner),
        "TIMEZONE": timezone,
        "MEMBERS": "\n".join(f"  - {m}" for m in members),
        "OWNER": members[0],
        "PROPOSED": proposed.isoformat(),
        "DEADLINE": (proposed + dt.timedelta(hours=48)).isoformat(),
        **_action_values(uses),
    }
    files = {path: _fill(_template(tpl), values) for path, tpl in INIT_FILES.items()}
    files[f"{CONTENT}/partners/{partner}.md"] = _fill(_template("partner.md"), values)
    files[f"{CONTENT}/meetings/.gitkeep"] = ""
    files[".github/CODEOWNERS"] = codeowners({partner: members})
    files[".gitignore"] = GITIGNORE
    return dict(sorted(files.items()))


def pin_note(uses: Action) -> str:
    """The comment beside ``uses:`` of declog's action: a commit is pinned; a tag is said to be one.

    A release of declog cannot name its own commit, so by default the workflows use its
    tag; zizmor's ``unpinned-uses`` is silenced for that line only, with the reason.
    """
    if git.COMMIT_ID.fullmatch(uses.ref):  # the only ref nobody can move
        return "a commit of declog (declog init --action)"
    return "zizmor: ignore[unpinned-uses] a release tag: no release names its own commit (--action pins one)"


def _action_values(uses: Action) -> dict[str, str]:
    return {
        "ACTION": str(uses),
        "ACTION_PIN": pin_note(uses),
        "HOOKS_REPO": uses.repository_url,
        "HOOKS_REV": uses.ref,
        "SECURITY_DOCS": docs_url("security.md"),
    }


def ci_files(action: str | None = None) -> dict[str, str]:
    """Path -> content of the CI and tooling files, which install declog with ``action``."""
    values = _action_values(parse_action(action or default_action()))
    files = {path: _fill(_template(tpl), values) for path, tpl in CI_FILES.items()}
    files[".gitignore"] = GITIGNORE
    return files


def required_checks() -> list[str]:
    """The jobs of declog.yml: the status checks a branch protection of main requires."""
    import yaml

    text = _fill(_template(CI_FILES[".github/workflows/declog.yml"]), _action_values(parse_action("o/r@v")))
    jobs = yaml.safe_load(text)["jobs"]
    return [str(job.get("name", key)) for key, job in jobs.items()]


def next_steps(target: str, *, action: str, placeholder: bool, partner: str = "") -> list[str]:
    """What to do after ``init``: push, Pages, branch protection, partners (for the CLI to print)."""
    checks = " and ".join(f'"{c}"' for c in required_checks())
    where = "" if target in ("", ".") else f"cd {target} && "
    steps = []
    if placeholder:
        steps.append(
            f"replace '{PLACEHOLDER}' with real GitHub handles in {CONTENT}/partners/{partner}.md and "
            f"the first decision's owner, then run `declog init --update` (or run init again with "
            f"--member HANDLE --force); `declog check` reports every place it stands"
        )
    steps += [
        f"add a file in {CONTENT}/partners/ for each further partner and list them all in the first "
        "decision's `partners`, then run `declog init --update` (CODEOWNERS) and `declog check`",
        f"push all but the first decision to a new GitHub repository: {where}git init -b main && "
        "git add . && git reset -q content/decisions && git commit -m 'Start the decision log' && "
        "git remote add origin URL && git push -u origin main",
        'give every partner\'s members write access; Settings > Pages > Source: "GitHub Actions" '
        "(the site is published from main and rebuilt hourly)",
        f"protect main (Settings > Rules or Branches): require a pull request, review from Code Owners, "
        f"the status checks {checks} (from GitHub Actions) and branches up to date before merging; "
        'leave "Dismiss stale pull request approvals" off',
        "propose the first decision in a pull request (git switch -c propose/adopt-this-log, commit "
        "content/decisions, push); a member of every partner approves it with a review",
    ]
    lines = ["next steps:", *(f"  {i}. {step}" for i, step in enumerate(steps, 1))]
    lines.append(f"the workflows install declog with the action {action} (--action OWNER/REPO@REF: another)")
    lines.append(f"a partnership's first steps: {docs_url('getting-started.md')}")
    return lines


def update(root: Path, log: Log, *, action: str | None = None) -> InitResult:
    """Bring an existing log's generated files up to date; never overwrite what a user wrote.

    declog's part of CODEOWNERS is regenerated from the partners' members (every
    other line is kept); CI and tooling files are written when missing, and
    listed in ``kept`` when they differ from what this declog would write.
    """
    from declog.check.checker import read_owners

    result = InitResult()
    files = ci_files(action)
    current = read_owners(root)
    rel = current.path if current is not None else owners.LOCATIONS[0]
    if current is None and any(os.path.lexists(root / p) for p in owners.LOCATIONS):
        raise ScaffoldError(f"cannot read {rel}: it must be a regular file inside the log")
    if current is not None:
        try:
            (root / rel).read_bytes().decode("utf-8")
        except (OSError, UnicodeDecodeError):
            raise ScaffoldError(f"{rel} is not UTF-8 text; declog does not rewrite it") from None
    try:
        files[rel] = owners.update(current.text if current else None, [h for h, _ in owners.members(log)])
    except owners.MarkerError as exc:
        raise ScaffoldError(f"{rel}: {exc}") from None
    for path, text in sorted(files.items()):
        target = root / path
        if target.is_symlink() or (target.exists() and not target.is_file()):
            raise ScaffoldError(f"{path} is not a regular file; declog writes only regular files")
        if target.exists():
            try:
                same = target.read_text(encoding="utf-8") == text
            except (OSError, UnicodeDecodeError):
                same = False
            if same:
                result.unchanged.append(path)
                continue
            if path != rel:
                result.kept.append(path)
                continue
        result.written.append(path)
    for path in result.written:
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(files[path], encoding="utf-8")
    return result


def init(target: Path, files: Mapping[str, str], *, force: bool = False) -> InitResult:
    """Write ``files`` under ``target``; refuse (listing them) if any would be overwritten."""
    result = InitResult()
    clashes = []
    for rel, text in files.items():
        path = target / rel
        if path.exists():
            try:
                same = path.read_text(encoding="utf-8") == text
            except (OSError, UnicodeDecodeError):
                same = False
            if same:
                result.unchanged.append(rel)
            elif not force:
                clashes.append(rel)
    if clashes:
        raise ScaffoldError(
            "these files exist and differ from what init would write: "
            + ", ".join(clashes)
            + " (use --force to overwrite them; in an existing log, --update brings CODEOWNERS and"
            " the CI files up to date without overwriting yours)"
        )
    for rel, text in files.items():
        if rel in result.unchanged:
            continue
        path = target / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        result.written.append(rel)
    return result


# --- declog new ------------------------------------------------------------------------------


def base_ids(root: Path, base: str | None = None) -> list[int]:
    """Decision numbers on the base branch (``base``, else the first of git's default bases)."""
    if not git.is_repo(root):
        return []
    ref = base or git.default_base(root)
    if ref is None:
        return []
    try:
        files = git.files_at(root, ref)
    except git.GitError:
        return []
    out = []
    for f in files:
        m = vocab.DECISION_FILE_RE.match(f.path.rsplit("/", 1)[-1])
        if m and f.path.startswith(f"{CONTENT}/decisions/"):
            out.append(int(m.group("id")))
    return out


def next_id(log: Log, root: Path, base_numbers: Iterable[int] = ()) -> str:
    """One more than the highest id in the work tree and on the base branch, four digits at least."""
    here = [d.number for d in log.decisions]
    names = (root / CONTENT / "decisions").glob("*.md")
    here += [int(m.group("id")) for p in names if (m := vocab.DECISION_FILE_RE.match(p.name))]
    width = max((len(d.id) for d in log.decisions if d.id.isdigit()), default=4)
    return str(max([0, *here, *base_numbers]) + 1).zfill(width)


def default_owner(env: Mapping[str, str] | None = None) -> str:
    """The proposer's handle: ``GITHUB_ACTOR`` in Actions, else git's ``github.user``."""
    env = os.environ if env is None else env
    if env.get("GITHUB_ACTOR"):
        return env["GITHUB_ACTOR"]
    try:
        return git.run(Path.cwd(), "config", "--get", "github.user").decode().strip()
    except git.GitError:
        return ""


@dataclass(frozen=True)
class NewDecision:
    path: str
    text: str
    notes: tuple[str, ...] = ()
    """Things the proposer should still do, for the CLI to print."""


def _flow(items: Sequence[str]) -> str:
    return "[" + ", ".join(items) + "]"


def new_decision(
    log: Log,
    root: Path,
    title: str,
    *,
    partners: Sequence[str] = (),
    mode: str | None = None,
    category: str = vocab.OPERATIONAL,
    meeting: str = "",
    owner: str = "",
    now: dt.datetime,
    base_numbers: Iterable[int] = (),
) -> NewDecision:
    """A new decision file: next merge-safe id, proposed (async) or decided in a meeting (sync)."""
    title = " ".join(title.split())
    if not title:
        raise ScaffoldError("the title is empty")
    unknown = [p for p in partners if p not in log.partners]
    if unknown:
        known = ", ".join(sorted(log.partners)) or "none yet"
        raise ScaffoldError(f"unknown partner(s) {', '.join(unknown)} (known: {known})")
    if meeting and meeting not in log.meetings:
        raise ScaffoldError(f"unknown meeting '{meeting}' (no {CONTENT}/meetings/{meeting}.md)")
    wf = log.config.workflow
    mode = mode or (vocab.SYNC if meeting or category in wf.meeting_required else vocab.ASYNC)
    parties = list(partners) or sorted(log.partners)
    ident = next_id(log, root, base_numbers)
    rel = f"{CONTENT}/decisions/{ident}-{vocab.slugify(title)}.md"
    if (root / rel).exists():
        raise ScaffoldError(f"{rel} exists")
    owner_partner = next((p for p in parties if owner in log.partners[p].handles), "")
    tz = zone(log.partners[owner_partner].timezone) if owner_partner else dt.UTC
    when = _minute(now, tz)
    notes: list[str] = []
    lines = [
        f'id: "{ident}"',
        f"title: {_yaml_text(title)}",
    ]
    fields: list[str] = [f"mode: {mode}", f"category: {category}", f"partners: {_flow(parties)}"]
    if owner:
        fields.append(f"owner: {owner}")
    else:
        notes.append("add `owner:` (your GitHub handle), or pass --owner HANDLE")
    if mode == vocab.ASYNC:
        lines.append(f"status: {vocab.PROPOSED}")
        lines += fields
        lines.append(f"proposed: {when.isoformat()}")
        lines.append(f"deadline: {(when + wf.feedback_window).isoformat()}")
        if category in wf.meeting_required:
            notes.append(f"{category} decisions must be decided in a meeting (workflow.meeting_required)")
    elif meeting:
        m = log.meetings[meeting]
        approvals = _meeting_approvals(log, parties, m.attendees, owner)
        absent = [p for p in parties if p not in {a[0] for a in approvals}]
        decided = _minute(m.date, m.date.tzinfo or dt.UTC) if m.date else when
        lines.append(f"status: {vocab.PROPOSED if absent else vocab.ACCEPTED}")
        lines += fields
        lines.append(f"meeting: {meeting}")
        if not absent:
            lines.append(f"decided: {decided.isoformat()}")
        if approvals:
            lines.append("approvals:")
            for partner, by in approvals:
                lines += [
                    f"  - partner: {partner}",
                    f"    by: {by}",
                    f"    at: {decided.isoformat()}",
                    f"    via: {vocab.VIA_MEETING}",
                ]
        if absent:
            notes.append(
                f"no attendee of meeting '{meeting}' can approve for {', '.join(absent)}: "
                "the decision stays proposed until they approve"
            )
        if ident not in m.decisions:
            notes.append(f'add "{ident}" to `decisions` in {m.path}')
    else:
        lines.append(f"status: {vocab.PROPOSED}")
        lines += fields
        notes.append("a sync decision is decided in a meeting: pass --meeting ID once it is scheduled")
    status = next(line.removeprefix("status: ") for line in lines if line.startswith("status: "))
    placeholders = required_placeholders(log, category, status)
    lines += placeholders
    if placeholders:
        names = ", ".join(f"`{line.split(':', 1)[0]}:`" for line in placeholders)
        notes.append(f"fill in {names}: the log requires them, and `declog check` fails until they are")
    notes.append(
        f"add `rationale:` (why, in a sentence or two) and fill in the sections of the body in {rel}"
    )
    notes.append("commit it on a branch of its own and open a pull request")
    if mode == vocab.ASYNC:
        deadline = shown_in(when + wf.feedback_window, log.config.site.timezone)
        notes.append(f"{_who_approves(log, parties)} by the feedback deadline, {deadline}{_review(log)}")
    elif meeting and absent:
        notes.append(f"decided in a meeting: the partners absent must approve: {_and(absent)}{_review(log)}")
    elif meeting:
        notes.append(f"decided in meeting '{meeting}' with every partner present: its approvals are recorded")
    notes.append(
        "`declog approvals` shows where it stands "
        "(the pull request's `approvals` check runs it on every review)"
    )
    body = "\n## Context\n\n\n## Decision\n\n\n## Consequences\n\n"  # the why is `rationale:`, not a section
    text = "---\n" + "\n".join(lines) + "\n---\n" + body
    return NewDecision(rel, text, tuple(notes))


def required_placeholders(log: Log, category: str, status: str) -> list[str]:
    """An empty line for each of the log's own fields a decision of this category and status must
    hold, its comment saying what goes there: empty, it fails ``check`` (DL110) until filled in."""
    out = []
    for name, spec in log.config.fields.items():
        if spec.required.of(category, status):
            about = (
                f"{spec.description} (e.g. {example(spec)})" if spec.description else f"e.g. {example(spec)}"
            )
            out.append(f"{name}:  # required: {about}")
    return out


def _review(log: Log) -> str:
    """How a partner approves a pull request, said after who must."""
    own = "" if log.config.workflow.self_approval else " (not the owner)"
    return f": a member of each reviews the pull request and chooses Approve{own}"


def _and(names: Sequence[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _who_approves(log: Log, parties: Sequence[str]) -> str:
    """Which partners must approve a decision party to ``parties`` (all of them, or the quorum)."""
    wf = log.config.workflow
    if wf.approval == vocab.APPROVE_QUORUM and wf.quorum < len(parties):
        return f"{wf.quorum} of {_and(parties)} must approve it"
    return f"{_and(parties)} must approve it"


def _meeting_approvals(
    log: Log, parties: Sequence[str], attendees: Sequence[str], owner: str
) -> list[tuple[str, str]]:
    """(partner, attendee) for each partner that had a member at the meeting (not the owner)."""
    out = []
    for p in parties:
        members = log.partners[p].handles
        present = [a for a in attendees if a in members and (a != owner or log.config.workflow.self_approval)]
        if present:
            out.append((p, present[0]))
    return out


_YAML_WORDS = frozenset({"yes", "no", "on", "off", "true", "false", "null", "y", "n"})


def _yaml_text(value: str) -> str:
    """Plain when YAML reads it back as this text, else double-quoted."""
    if re.match(r"^[A-Za-z][^:#\n]*$", value) and value.lower() not in _YAML_WORDS:
        return value
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def write_new(root: Path, new: NewDecision) -> Path:
    """Create the file; never overwrite one (even one created a moment ago)."""
    path = root / new.path
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with open(path, "x", encoding="utf-8") as fh:
            fh.write(new.text)
    except FileExistsError:
        raise ScaffoldError(f"{new.path} exists") from None
    return path
