#!/usr/bin/env python3
"""Deterministic corpus generator for declog benchmarks (standard library only).

    python benchmarks/gen_corpus.py OUTDIR N [--seed S] [--layout LAYOUT] [--fields]

Writes N decision records (Markdown + metadata) and whatever configuration the
chosen tool needs, so that OUTDIR is a ready-to-build site. OUTDIR must be
missing or empty.

  declog      a complete declog log (see below)
  hugo        OUTDIR/content/decisions/NNNN-slug.md (the declog YAML plus Hugo's
              date, slug and statuses keys), hugo.toml with tags/partners/statuses
              taxonomies, small layouts/
  mkdocs      OUTDIR/docs/decisions/NNNN-slug.md (the declog YAML), docs/index.md,
              mkdocs.yml
  pelican     OUTDIR/content/NNNN-slug.md (Pelican "Key: value" header;
              category = decision status, authors = partners), pelicanconf.py
  log4brains  OUTDIR/docs/adr/NNNN-slug.md (MADR 2 bullet metadata), .log4brains.yml
  adr-viewer  OUTDIR/doc/adr/NNNN-slug.md (adr-tools format: "# N. Title",
              "Date:", "## Status")

The same seed and N give byte-identical decision bodies in every layout (only
the metadata wrapper differs), so the tools are compared on the same text.
Bodies are 300-1200 words: headings, paragraphs, bullet lists, one table,
relative links to earlier decision files, one ``[[NNNN]]`` reference to an
earlier decision, external links, inline code and emphasis. Titles, slugs,
partners, tags and bodies are the same as those of the generator this one
started from (/work/shared/bench/gen_corpus.py), so file names match.

The declog layout
-----------------
A log that ``declog check`` accepts with no errors and no warnings, at any N::

  OUTDIR/declog.toml                  [site] title; [workflow] 48h feedback window,
                                      approval by all partners, no self-approval,
                                      strategic decisions need a meeting, 24h
                                      exception window; silence is not approval
  OUTDIR/content/partners/ID.md       8 partners (id, name, IANA time zone, url,
                                      4 members each: the first as {handle, name,
                                      role}, the others as bare handles)
  OUTDIR/content/decisions/ID-slug.md one decision each; ID is the number quoted as
                                      text, 4 digits ("0042"), 5 from 10000 on
  OUTDIR/content/meetings/DATE-partner-sync.md
                                      one meeting per day that has sync decisions;
                                      attendees, chair, the decisions confirmed

With ``--fields``, declog.toml also declares three fields of the log's own
(``budget``: money, required in strategic decisions; ``systems``: a list of an
enum; ``renewal``: a date) and decisions fill them (every strategic one and 60%
of the others a budget, 80% systems, half a renewal), drawn from a generator of
their own so every other byte is as without ``--fields``.

Every decision carries the frontmatter keys of declog's schema and nothing
else: id, title, status, mode, category, partners, owner, logged, tags,
rationale, and, depending on status and mode, proposed, deadline, decided,
meeting, approvals, supersedes, superseded_by, reason. Date-times are ISO 8601
with an offset: a decision's times are written in the fixed standard-time
offset of its owner's partner, except what happens in a meeting (decided,
meeting approvals), which is written in UTC like the meeting itself.

The records follow declog's workflow rules:

* statuses: about 55% accepted, 15% superseded, 8% rejected, 9% proposed,
  7% draft, 6% withdrawn (superseded falls back to accepted when no later
  accepted decision can supersede it);
* drafts have only a logged time (half of them no rationale yet); everything
  else has owner, rationale, proposed and logged, and proposed <= decided <=
  logged; rejected and withdrawn decisions carry a reason;
* only decided decisions (accepted, rejected, superseded) are sync; strategic
  decided ones always are. A sync decision names the meeting of its day; the
  meeting starts at 14:00 UTC after the proposal, lists the decision, and its
  attendees include every meeting approver and the owner. Rejected sync
  decisions are missing some partners' attendees (decided in their absence);
* async decisions past draft have a deadline 48h to 168h after the proposal;
* accepted and superseded decisions have exactly one approval per partner
  party to them, by a member of that partner other than the owner: via
  pr-review with ref "#PR" between proposal and decision for async ones, via
  meeting at the decided time for sync ones. About 40% of open proposals have
  approvals from some, never all, of their partners;
* a superseded decision names a later accepted decision, decided after it, that
  lists it in supersedes (links are symmetric, only accepted decisions
  supersede, so there are no chains and no cycles).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field

LAYOUTS = ("declog", "hugo", "mkdocs", "pelican", "log4brains", "adr-viewer")

# fmt: off
# The word tables stay compact; they are data, not code.
PARTNERS = {
    "acme": ("Acme Logistics", "Europe/Berlin"),
    "northwind": ("Northwind Traders", "America/New_York"),
    "globex": ("Globex Research", "Asia/Tokyo"),
    "initech": ("Initech Software", "America/Chicago"),
    "umbrella": ("Umbrella Health", "Europe/London"),
    "hooli": ("Hooli Cloud", "America/Los_Angeles"),
    "tyrell": ("Tyrell University", "Australia/Sydney"),
    "wayne": ("Wayne Foundation", "Europe/Paris"),
}
# Standard-time offset of each partner's zone, in hours: the offset its people's
# times are written with (fixed, so no tz database is needed to generate).
OFFSETS = {"acme": 1, "northwind": -5, "globex": 9, "initech": -6, "umbrella": 0,
           "hooli": -8, "tyrell": 10, "wayne": 1}
FIRST = ["ana", "ben", "chen", "dara", "eli", "fatima", "gus", "hana", "ivan", "jo",
         "kofi", "lena", "mo", "nina", "omar", "pia", "quinn", "raj", "sara", "tomas",
         "uma", "vik", "wen", "xavi", "yuki", "zoe"]
SURNAMES = ["Okafor", "Lindqvist", "Tanaka", "Moreau", "Haddad", "Novak", "Ferreira",
            "Kowalski", "Nguyen", "Schmidt", "Patel", "Rossi"]
TAGS = ["pricing", "revenue-share", "crm", "lead-routing", "security", "gdpr",
        "data-retention", "api", "sla", "support", "branding", "marketing", "hiring",
        "infrastructure", "billing", "contracts", "legal", "roadmap", "onboarding",
        "analytics", "release", "localisation", "procurement", "governance", "budget",
        "tooling", "documentation", "incident", "compliance", "partnership"]
OBJECTS = ["the shared CRM", "lead routing", "the revenue split", "the joint roadmap",
           "customer data retention", "the public API", "support escalation",
           "the co-marketing budget", "release cadence", "the partner portal",
           "invoice reconciliation", "the staging environment", "access reviews",
           "the quarterly review", "trademark usage", "the data warehouse",
           "on-call rotation", "the pricing page", "contract renewals",
           "the onboarding checklist", "incident reporting", "the translation workflow",
           "vendor selection", "the analytics pipeline", "meeting minutes",
           "the feature flag service", "shared dashboards", "the procurement process"]
VERBS_T = ["Adopt {o} as the single source of truth", "Move {o} to a monthly cycle",
           "Split ownership of {o} between partners", "Freeze changes to {o}",
           "Outsource {o} to a third party", "Standardise {o} across regions",
           "Retire the legacy version of {o}", "Fund a pilot for {o}",
           "Require two approvals for {o}", "Publish {o} to all partners",
           "Automate {o}", "Pause work on {o} until next quarter",
           "Replace spreadsheets with {o}", "Set a 48-hour feedback window for {o}"]
SUBJ = ["The working group", "Each partner", "The log owner", "Finance", "Legal",
        "The platform team", "The account team", "The steering committee",
        "Support", "Marketing", "The data team", "Every reviewer", "The vendor"]
VERB = ["agreed to review", "proposed to consolidate", "raised concerns about",
        "needs a clear owner for", "currently duplicates", "has no visibility into",
        "reported delays in", "asked for a written record of", "will pilot",
        "measured the cost of", "wants to simplify", "cannot audit",
        "depends on", "has already started migrating"]
TAIL = ["before the next quarterly review", "without waiting for the next meeting",
        "so that absent partners can catch up asynchronously",
        "because the current process loses context between time zones",
        "while keeping the existing contracts unchanged",
        "in line with the retention policy", "at no extra cost to smaller partners",
        "until the audit is complete", "as discussed in the last sync",
        "with a fallback if the pilot fails", "to reduce the number of status meetings",
        "and report back within two weeks"]
CODE = ["`config.yaml`", "`max_retries = 3`", "`feedback_window: 48h`", "`GET /v2/leads`",
        "`make deploy`", "`retention_days`", "`SLA_P1`", "`partner_id`", "`git tag v2.3`",
        "`--dry-run`", "`approvals.required`", "`timezone: UTC`"]
EMPH = ["*must*", "**not**", "*only*", "**before**", "*all partners*", "**by default**",
        "*temporary*", "**blocking**"]
EXT = ["https://example.org/policies/retention", "https://docs.example.com/api/v2",
       "https://wiki.example.net/partnership/charter", "https://example.com/pricing",
       "https://status.example.io/incidents", "https://intranet.example.org/minutes"]
REJECTED_WHY = ["The cost outweighs the benefit for the smaller partners.",
                "Two partners could not accept the contractual risk.",
                "The pilot results did not justify a permanent change.",
                "Legal advised against it until the audit is complete.",
                "The partners preferred to keep the current process for another quarter."]
WITHDRAWN_WHY = ["The owner withdrew it in favour of a broader proposal.",
                 "Overtaken by a change in the contract; no longer needed.",
                 "Withdrawn after review comments; a revised proposal will follow.",
                 "The problem was solved inside one partner, so no joint decision is needed."]
# The original generator's status mix; withdrawn is carved out of draft and
# proposed afterwards so that the original random stream is kept.
STATUS_W = [("accepted", 55), ("proposed", 12), ("draft", 10), ("rejected", 8),
            ("superseded", 15)]
DECIDED = ("accepted", "rejected", "superseded")
# fmt: on
START = dt.datetime(2019, 1, 7, 9, 0, tzinfo=dt.UTC)
SPAN_DAYS = 6 * 365
MEETING_HOUR = 14  # UTC: a time that suits Europe and the Americas
AGENDA_SLOT = 10  # minutes per decision in a meeting


def people() -> dict[str, list[str]]:
    rng = random.Random(12345)
    out = {}
    for pid in PARTNERS:
        names = rng.sample(FIRST, 4)
        out[pid] = [f"{n}-{pid}" for n in names]
    return out


PEOPLE = people()


@dataclass
class Approval:
    partner: str
    by: str
    at: dt.datetime
    via: str
    ref: str


@dataclass
class Decision:
    num: int
    title: str
    slug: str
    status: str
    mode: str
    category: str
    partners: list[str]
    owner: str
    tags: list[str]
    rationale: str
    created: dt.datetime
    """When the entry was first written (the proposal time unless it is a draft)."""
    proposed: dt.datetime | None = None
    deadline: dt.datetime | None = None
    decided: dt.datetime | None = None
    logged: dt.datetime | None = None
    meeting: str | None = None
    approvals: list[Approval] = field(default_factory=list)
    supersedes: list[int] = field(default_factory=list)
    superseded_by: int | None = None
    reason: str = ""
    body: str = ""

    @property
    def id(self) -> str:
        return f"{self.num:04d}"

    @property
    def stem(self) -> str:
        return f"{self.id}-{self.slug}"

    @property
    def tz(self) -> dt.timezone:
        """The offset the owner's partner writes times in."""
        return dt.timezone(dt.timedelta(hours=OFFSETS[self.owner.rsplit("-", 1)[1]]))

    @property
    def date(self) -> dt.datetime:
        """The one date other tools get: decided, else proposed, else created (UTC)."""
        return self.decided or self.proposed or self.created

    @property
    def deciders(self) -> list[str]:
        """Who decided, for tools with a single "deciders" field."""
        return sorted({a.by for a in self.approvals}) or [self.owner]


@dataclass
class Meeting:
    day: dt.date
    decisions: list[Decision] = field(default_factory=list)
    attendees: list[str] = field(default_factory=list)

    @property
    def id(self) -> str:
        return f"{self.day:%Y-%m-%d}-partner-sync"

    @property
    def start(self) -> dt.datetime:
        return dt.datetime.combine(self.day, dt.time(MEETING_HOUR), tzinfo=dt.UTC)

    @property
    def chair(self) -> str:
        return self.decisions[0].owner


@dataclass
class Corpus:
    decisions: list[Decision]
    meetings: list[Meeting]


def slugify(s: str) -> str:
    s = re.sub(r"[^a-z0-9]+", "-", s.lower()).strip("-")
    return s[:60].rstrip("-")


def sentence(rng: random.Random) -> str:
    s = f"{rng.choice(SUBJ)} {rng.choice(VERB)} {rng.choice(OBJECTS)} {rng.choice(TAIL)}"
    r = rng.random()
    if r < 0.15:
        s += f", using {rng.choice(CODE)}"
    elif r < 0.30:
        s += f" and {rng.choice(EMPH)} skip the review"
    elif r < 0.38:
        s += f" (see [the policy]({rng.choice(EXT)}))"
    return s + "."


def paragraph(rng: random.Random, k: int | None = None) -> str:
    return " ".join(sentence(rng) for _ in range(k or rng.randint(3, 6)))


def words(text: str) -> int:
    return len(text.split())


def make_body(rng: random.Random, d: Decision, stems: list[str], ref: int | None) -> str:
    """The Markdown body; ``ref`` is the earlier decision cited as ``[[NNNN]]``."""
    target = rng.randint(300, 1200)
    out: list[str] = []

    def link_other() -> str:
        if d.num <= 1:
            return "the charter"
        j = rng.randint(1, d.num - 1)
        return f"[decision {j:04d}]({stems[j - 1]}.md)"

    out.append("## Context\n")
    out.append(paragraph(rng) + f" This follows {link_other()}.\n")
    out.append(paragraph(rng) + "\n")
    out.append("## Decision\n")
    out.append(f"We will **{d.title[0].lower() + d.title[1:]}**. " + paragraph(rng, 2) + "\n")
    for _ in range(rng.randint(3, 5)):
        out.append(f"- {sentence(rng)}")
    out.append("")
    out.append("## Options considered\n")
    out.append("| Option | Cost | Risk | Owner | Notes |")
    out.append("| --- | ---: | --- | --- | --- |")
    for i in range(rng.randint(3, 5)):
        out.append(
            f"| Option {chr(65 + i)} | {rng.randint(1, 90) * 1000} EUR | "
            f"{rng.choice(['low', 'medium', 'high'])} | "
            f"@{rng.choice(PEOPLE[rng.choice(d.partners)])} | {rng.choice(TAIL)} |"
        )
    out.append("")
    sec = 0
    extra = [
        "### Option A",
        "### Option B",
        "## Consequences",
        "## Risks",
        "## Follow-up",
        "## Open questions",
        "## Notes from review",
    ]
    while words("\n".join(out)) < target - 40:
        h = extra[sec % len(extra)] if sec < len(extra) else f"### Note {sec}"
        sec += 1
        out.append(h + "\n")
        out.append(paragraph(rng) + "\n")
        if rng.random() < 0.6:
            for _ in range(rng.randint(2, 5)):
                out.append(f"- {sentence(rng)}")
            out.append("")
    if ref:
        # Added after the length loop so the rest of the text is the original's.
        out[1] = out[1][:-1] + f" See also [[{ref:04d}]].\n"
    out.append("## References\n")
    out.append(f"- {link_other()}")
    out.append(f"- [{rng.choice(OBJECTS)}]({rng.choice(EXT)})")
    out.append("")
    return "\n".join(out)


# ---------------------------------------------------------------- the model
def draw(n: int, seed: int) -> list[tuple[Decision, dt.datetime, dt.datetime | None]]:
    """Titles, partners, owners, statuses, tags and rough dates, one per decision.

    This is the original generator's random stream, draw for draw (including
    the approvals it drew and that are now discarded), so titles, slugs and
    bodies stay the same. Returns each decision with its rough decision time
    and, if it was drawn async, its deadline.
    """
    rng = random.Random(seed)
    statuses = [s for s, w in STATUS_W for _ in range(w)]
    out = []
    step = SPAN_DAYS / max(n, 1)
    pids = list(PARTNERS)
    for i in range(1, n + 1):
        title = rng.choice(VERBS_T).format(o=rng.choice(OBJECTS))
        title = title[0].upper() + title[1:]
        proposed = START + dt.timedelta(days=step * i, minutes=rng.randint(0, 600))
        proposed = proposed.replace(second=0, microsecond=0)
        mode = "async" if rng.random() < 0.6 else "sync"
        parts = sorted(rng.sample(pids, rng.randint(2, 5)))
        owner = rng.choice(PEOPLE[parts[0]])
        status = rng.choice(statuses)
        rough = proposed + dt.timedelta(hours=rng.randint(2, 24 * 7))
        deadline = proposed + dt.timedelta(hours=48 + 24 * rng.randint(0, 5)) if mode == "async" else None
        for p in parts:
            rng.choice(PEOPLE[p])
        category = "strategic" if rng.random() < 0.3 else "operational"
        tags = sorted(rng.sample(TAGS, rng.randint(1, 4)))
        rationale = sentence(rng).rstrip(".").replace("`", "").replace("*", "")
        rationale = re.sub(r" \(see \[the policy\]\([^)]*\)\)", "", rationale)
        if status in DECIDED:
            for p in parts:
                rng.choice(PEOPLE[p])
                rng.randint(5, 2000)
        d = Decision(
            num=i,
            title=title,
            slug=slugify(title),
            status=status,
            mode=mode,
            category=category,
            partners=parts,
            owner=owner,
            tags=tags,
            rationale=rationale,
            created=proposed,
        )
        out.append((d, rough, deadline))
    return out


def build(n: int, seed: int) -> Corpus:
    """The whole log: decisions consistent with declog's rules, and their meetings."""
    drawn = draw(n, seed)
    rng = random.Random(seed * 1_000_033 + 7)  # everything the original did not draw
    ds = [d for d, _, _ in drawn]
    meetings: dict[dt.date, Meeting] = {}
    for d, rough, deadline in drawn:
        if d.status in ("draft", "proposed") and rng.random() < 0.25:
            d.status = "withdrawn"
        if d.status not in DECIDED:
            d.mode = "async"
        elif d.category == "strategic":
            d.mode = "sync"
        if d.status == "draft":
            d.logged = d.created
            if rng.random() < 0.5:
                d.rationale = ""
            continue
        d.proposed = d.created
        if d.status in ("rejected", "withdrawn"):
            d.reason = rng.choice(REJECTED_WHY if d.status == "rejected" else WITHDRAWN_WHY)
        if d.mode == "sync":
            meeting_for(meetings, d, rough).decisions.append(d)
            continue
        d.deadline = deadline or d.proposed + dt.timedelta(hours=48 + 24 * rng.randint(0, 5))
        pr = f"#{2 * d.num + 10 + rng.randint(0, 1)}"
        window = int((d.deadline - d.proposed).total_seconds() // 60)
        if d.status in ("accepted", "superseded"):
            d.approvals = [review(rng, d, p, window, pr) for p in d.partners]
            d.decided = max(a.at for a in d.approvals) + dt.timedelta(minutes=rng.randint(5, 720))
        elif d.status == "rejected":
            d.decided = rough
        elif d.status == "proposed" and rng.random() < 0.4:
            # Some partners have reviewed; at least one is still awaited.
            some = set(rng.sample(d.partners, rng.randint(1, len(d.partners) - 1)))
            d.approvals = [review(rng, d, p, window, pr) for p in d.partners if p in some]
        if d.decided:
            d.logged = d.decided + dt.timedelta(minutes=rng.randint(1, 240))
        else:
            d.logged = d.proposed + dt.timedelta(minutes=rng.randint(1, 30))
    for m in sorted(meetings.values(), key=lambda m: m.day):
        hold(rng, m)
    supersede(rng, ds)
    stems = [d.stem for d in ds]
    for d in ds:
        ref = random.Random(seed * 7_368_787 + d.num).randint(1, d.num - 1) if d.num > 1 else None
        d.body = make_body(random.Random(seed * 1_000_003 + d.num), d, stems, ref)
    return Corpus(ds, sorted(meetings.values(), key=lambda m: m.day))


def others(d: Decision, partner: str) -> list[str]:
    """Members of ``partner`` who may approve ``d``: anyone but its owner."""
    return [h for h in PEOPLE[partner] if h != d.owner]


def review(rng: random.Random, d: Decision, partner: str, window: int, pr: str) -> Approval:
    """A PR review inside the feedback window."""
    assert d.proposed is not None
    at = d.proposed + dt.timedelta(minutes=rng.randint(30, window))
    return Approval(partner, rng.choice(others(d, partner)), at, "pr-review", pr)


def meeting_for(meetings: dict[dt.date, Meeting], d: Decision, rough: dt.datetime) -> Meeting:
    """The meeting of ``rough``'s day, or of the next day if it starts before the proposal."""
    assert d.proposed is not None
    day = rough.astimezone(dt.UTC).date()
    while Meeting(day).start < d.proposed + dt.timedelta(hours=1):
        day += dt.timedelta(days=1)
    return meetings.setdefault(day, Meeting(day))


def hold(rng: random.Random, m: Meeting) -> None:
    """Decide the meeting's agenda in order: times, approvals, attendees."""
    m.decisions.sort(key=lambda d: d.num)
    people: set[str] = set()
    end = m.start + dt.timedelta(minutes=AGENDA_SLOT * (len(m.decisions) + 1))
    for k, d in enumerate(m.decisions):
        d.meeting = m.id
        d.decided = m.start + dt.timedelta(minutes=AGENDA_SLOT * (k + 1))
        d.logged = end + dt.timedelta(minutes=rng.randint(0, 90))
        people.add(d.owner)
        if d.status == "rejected":
            # Some partners sent nobody: the decision was taken in their absence.
            for p in d.partners[1:]:
                if rng.random() < 0.7:
                    people.add(rng.choice(others(d, p)))
            continue
        for p in d.partners:
            a = Approval(p, rng.choice(others(d, p)), d.decided, "meeting", m.id)
            d.approvals.append(a)
            people.add(a.by)
    m.attendees = sorted(people)


def supersede(rng: random.Random, ds: list[Decision]) -> None:
    """Give each superseded decision a later accepted successor, linked both ways."""
    for d in ds:
        if d.status != "superseded":
            continue
        assert d.decided is not None
        later = [
            e
            for e in ds[d.num : d.num + 200]
            if e.status == "accepted" and e.decided and e.decided > d.decided
        ]
        if not later:
            d.status = "accepted"
            continue
        succ = rng.choice(later)
        d.superseded_by = succ.num
        succ.supersedes.append(d.num)


# ---------------------------------------------------------------- YAML output
_PLAIN_OK = re.compile(r"^[A-Za-z][A-Za-z0-9 ,.()'/-]*$")


def yscalar(v: object) -> str:
    if isinstance(v, dt.datetime):
        return v.isoformat()
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if v is None:
        return "null"
    s = str(v)
    if (
        _PLAIN_OK.match(s)
        and ": " not in s
        and s.lower() not in ("yes", "no", "true", "false", "null", "on", "off", "y", "n")
    ):
        return s
    return json.dumps(s, ensure_ascii=False)


def qid(num: int) -> str:
    """A decision id as YAML: quoted, so leading zeros survive."""
    return f'"{num:04d}"'


def yaml_frontmatter(d: Decision, extra: Sequence[tuple[str, object]] = ()) -> str:
    """The decision's frontmatter in declog's schema, plus ``extra`` keys for other tools."""
    tz = d.tz

    def when(t: dt.datetime) -> str:
        return yscalar(t.astimezone(tz))

    L = ["---"]
    L.append(f"id: {qid(d.num)}")
    L.append(f"title: {yscalar(d.title)}")
    L.append(f"status: {d.status}")
    L.append(f"mode: {d.mode}")
    L.append(f"category: {d.category}")
    L.append("partners:")
    L += [f"  - {p}" for p in d.partners]
    L.append(f"owner: {d.owner}")
    if d.proposed:
        L.append(f"proposed: {when(d.proposed)}")
    if d.deadline:
        L.append(f"deadline: {when(d.deadline)}")
    if d.decided:
        # Decided in a meeting: written in the meeting's time zone (UTC).
        L.append(f"decided: {yscalar(d.decided) if d.meeting else when(d.decided)}")
    if d.logged:
        L.append(f"logged: {when(d.logged)}")
    if d.meeting:
        L.append(f"meeting: {d.meeting}")
    if d.approvals:
        L.append("approvals:")
        for a in d.approvals:
            L.append(f"  - partner: {a.partner}")
            L.append(f"    by: {a.by}")
            L.append(f"    at: {yscalar(a.at) if a.via == 'meeting' else when(a.at)}")
            L.append(f"    via: {a.via}")
            L.append(f"    ref: {yscalar(a.ref)}")
    if d.supersedes:
        L.append("supersedes: [" + ", ".join(qid(x) for x in d.supersedes) + "]")
    if d.superseded_by:
        L.append(f"superseded_by: {qid(d.superseded_by)}")
    L.append("tags: [" + ", ".join(d.tags) + "]")
    if d.rationale:
        L.append(f"rationale: {yscalar(d.rationale)}")
    if d.reason:
        L.append(f"reason: {yscalar(d.reason)}")
    for k, v in extra:
        L.append(f"{k}: {v}")
    L.append("---")
    return "\n".join(L) + "\n\n"


_MADE: set[str] = set()


def write(path: str, text: str) -> None:
    folder = os.path.dirname(path)
    if folder not in _MADE:
        os.makedirs(folder, exist_ok=True)
        _MADE.add(folder)
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)


def title_block(d: Decision) -> str:
    return f"# {d.title}\n\n"


# ---------------------------------------------------------------- layouts
CONFIG_TOML = """\
[site]
title = "Benchmark partnership"

[workflow]
feedback_window = "48h"
approval = "all"
self_approval = false
meeting_required = ["strategic"]
exception_window = "24h"

[workflow.silence]
allowed = false
"""


def partner_doc(pid: str) -> str:
    name, tz = PARTNERS[pid]
    lead, *rest = PEOPLE[pid]
    first = lead.split("-")[0].capitalize()
    surname = SURNAMES[sorted(PARTNERS).index(pid) % len(SURNAMES)]
    members = [f"  - handle: {lead}", f"    name: {first} {surname}", "    role: Partnership lead"] + [
        f"  - {m}" for m in rest
    ]
    return (
        f"---\nid: {pid}\nname: {name}\ntimezone: {tz}\n"
        f"url: https://{pid}.example.com/\nmembers:\n" + "\n".join(members) + "\n---\n\n"
        f"{name} is a partner; {first} {surname} leads the partnership on its side.\n"
    )


def meeting_doc(m: Meeting) -> str:
    L = [
        "---",
        f"id: {m.id}",
        f"title: Partner sync {m.day:%Y-%m-%d}",
        f"date: {yscalar(m.start)}",
        "attendees:",
    ]
    L += [f"  - {h}" for h in m.attendees]
    L.append(f"chair: {m.chair}")
    L.append("decisions: [" + ", ".join(qid(d.num) for d in m.decisions) + "]")
    L += ["---", "", f"Partner sync chaired by @{m.chair}.", "", "## Agenda", ""]
    L += [f"- [[{d.id}]] {d.title} ({d.status})" for d in m.decisions]
    return "\n".join(L) + "\n"


#: ``--fields``: three declared fields of the log's own (issue 24), filled in every decision.
FIELDS_TOML = """
[fields.budget]
type = "money"
required = { categories = ["strategic"] }
description = "What it costs over its lifetime."

[fields.systems]
type = "list"
items = { type = "enum", values = ["billing", "crm", "portal", "tracking", "warehouse"] }

[fields.renewal]
type = "date"
"""
SYSTEMS = ("billing", "crm", "portal", "tracking", "warehouse")
CURRENCIES = ("EUR", "USD", "GBP", "JPY")


def field_lines(d: Decision, seed: int) -> list[tuple[str, object]]:
    """The ``--fields`` values of ``d``: drawn from their own generator (seeded by the decision's
    number), so every other byte of the corpus is the same with and without them."""
    rng = random.Random(seed * 1_000_003 + d.num)
    out: list[tuple[str, object]] = []
    if d.category == "strategic" or rng.random() < 0.6:
        amount = rng.randrange(1, 2_000_000) * (100 if rng.random() < 0.5 else 1)
        cents = f".{rng.randrange(100):02d}" if rng.random() < 0.3 else ""
        currency = rng.choice(CURRENCIES)
        if rng.random() < 0.5:
            out.append(("budget", f"{currency} {amount}{cents}"))
        else:
            out.append(("budget", f"{{amount: {amount}{cents}, currency: {currency}}}"))
    if rng.random() < 0.8:
        out.append(("systems", "[" + ", ".join(rng.sample(SYSTEMS, rng.randint(1, 3))) + "]"))
    if rng.random() < 0.5:
        out.append(("renewal", (d.created.date() + dt.timedelta(days=rng.randint(90, 1500))).isoformat()))
    return out


def out_declog(root: str, c: Corpus, fields: int | None = None) -> None:
    """The declog layout; ``fields`` (the seed) declares and fills FIELDS_TOML's three fields."""
    for d in c.decisions:
        extra = field_lines(d, fields) if fields is not None else ()
        write(f"{root}/content/decisions/{d.stem}.md", yaml_frontmatter(d, extra) + d.body)
    for m in c.meetings:
        write(f"{root}/content/meetings/{m.id}.md", meeting_doc(m))
    for pid in PARTNERS:
        write(f"{root}/content/partners/{pid}.md", partner_doc(pid))
    write(f"{root}/declog.toml", CONFIG_TOML + (FIELDS_TOML if fields is not None else ""))


HUGO_LAYOUTS = {
    "_default/baseof.html": """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>{{ .Title }} | {{ .Site.Title }}</title></head><body>
<nav><a href="{{ "/" | relURL }}">Home</a> <a href="{{ "/decisions/" | relURL }}">Timeline</a>
<a href="{{ "/statuses/" | relURL }}">Status</a> <a href="{{ "/partners/" | relURL }}">Partners</a>
<a href="{{ "/tags/" | relURL }}">Tags</a></nav>
<main>{{ block "main" . }}{{ end }}</main></body></html>
""",
    "_default/single.html": """{{ define "main" }}<article><h1>{{ .Title }}</h1>
<dl><dt>Status</dt><dd>{{ .Params.status }}</dd><dt>Date</dt><dd>{{ .Date.Format "2006-01-02" }}</dd>
<dt>Mode</dt><dd>{{ .Params.mode }}</dd><dt>Owner</dt><dd>{{ .Params.owner }}</dd>
<dt>Partners</dt><dd>{{ range .Params.partners }}<a href="{{ printf "/partners/%s/" . | relURL }}">{{ . }}</a> {{ end }}</dd>
<dt>Tags</dt><dd>{{ range .Params.tags }}<a href="{{ printf "/tags/%s/" . | relURL }}">{{ . }}</a> {{ end }}</dd>
<dt>Rationale</dt><dd>{{ .Params.rationale }}</dd></dl>
{{ with .Params.approvals }}<table><tr><th>Partner</th><th>By</th><th>At</th><th>Via</th></tr>
{{ range . }}<tr><td>{{ .partner }}</td><td>{{ .by }}</td><td>{{ .at }}</td><td>{{ .via }}</td></tr>{{ end }}</table>{{ end }}
{{ .Content }}</article>{{ end }}
""",  # noqa: E501
    "_default/list.html": """{{ define "main" }}<h1>{{ .Title }}</h1><ul>
{{ range .Pages.ByDate.Reverse }}<li>{{ .Date.Format "2006-01-02" }} <a href="{{ .RelPermalink }}">{{ .Title }}</a> [{{ .Params.status }}]</li>
{{ end }}</ul>{{ end }}
""",  # noqa: E501
    "_default/terms.html": """{{ define "main" }}<h1>{{ .Title }}</h1><ul>
{{ range .Data.Terms.ByCount }}<li><a href="{{ .Page.RelPermalink }}">{{ .Page.Title }}</a> ({{ .Count }})</li>{{ end }}</ul>{{ end }}
""",  # noqa: E501
    "index.html": """{{ define "main" }}<h1>Status board</h1>
{{ range $s := slice "proposed" "draft" "accepted" "rejected" "withdrawn" "superseded" }}<h2>{{ $s }}</h2><ul>
{{ range first 50 (where site.RegularPages "Params.status" $s) }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}
</ul>{{ end }}{{ end }}
""",  # noqa: E501
}


def out_hugo(root: str, c: Corpus) -> None:
    for d in c.decisions:
        extra = [("date", yscalar(d.date.astimezone(d.tz))), ("statuses", f"[{d.status}]"), ("slug", d.stem)]
        write(f"{root}/content/decisions/{d.stem}.md", yaml_frontmatter(d, extra) + d.body)
    write(
        f"{root}/hugo.toml",
        'baseURL = "https://example.org/"\ntitle = "Benchmark partnership"\n'
        'disableKinds = ["RSS", "sitemap", "robotsTXT"]\n'
        "[taxonomies]\n  tag = 'tags'\n  partner = 'partners'\n  status = 'statuses'\n"
        "[markup.goldmark.renderer]\n  unsafe = false\n",
    )
    for rel, text in HUGO_LAYOUTS.items():
        write(f"{root}/layouts/{rel}", text)


def out_mkdocs(root: str, c: Corpus) -> None:
    for d in c.decisions:
        write(f"{root}/docs/decisions/{d.stem}.md", yaml_frontmatter(d) + title_block(d) + d.body)
    write(f"{root}/docs/index.md", "# Benchmark partnership\n\nDecision log.\n")
    write(
        f"{root}/mkdocs.yml",
        "site_name: Benchmark partnership\nsite_url: https://example.org/\ntheme:\n  name: mkdocs\n",
    )


def out_pelican(root: str, c: Corpus) -> None:
    for d in c.decisions:
        hdr = [
            f"Title: {d.title}",
            f"Date: {d.date:%Y-%m-%d %H:%M}",
            f"Slug: {d.stem}",
            f"Category: {d.status}",
            f"Tags: {', '.join(d.tags)}",
            f"Authors: {', '.join(d.partners)}",
            f"Summary: {d.rationale or d.title}",
            f"Decision_id: {d.num}",
            f"Mode: {d.mode}",
            f"Owner: {d.owner}",
            f"Decided_by: {', '.join(d.deciders)}",
            f"Supersedes: {', '.join(str(x) for x in d.supersedes)}",
        ]
        if d.deadline:
            hdr.append(f"Feedback_deadline: {d.deadline:%Y-%m-%d %H:%M}")
        write(f"{root}/content/{d.stem}.md", "\n".join(hdr) + "\n\n" + d.body)
    write(
        f"{root}/pelicanconf.py",
        "AUTHOR = 'bench'\nSITENAME = 'Benchmark partnership'\nSITEURL = ''\nPATH = 'content'\n"
        "TIMEZONE = 'UTC'\nDEFAULT_LANG = 'en'\nDEFAULT_PAGINATION = False\n"
        "RELATIVE_URLS = True\nCACHE_CONTENT = False\nLOAD_CONTENT_CACHE = False\n",
    )


def out_log4brains(root: str, c: Corpus) -> None:
    ds = c.decisions
    for d in ds:
        if d.superseded_by:
            succ = ds[d.superseded_by - 1].stem
            st = f"superseded by [{succ}]({succ}.md)"
        else:
            st = d.status
        meta = [
            f"- Status: {st}",
            f"- Deciders: {', '.join(d.deciders)}",
            f"- Date: {d.date:%Y-%m-%d}",
            f"- Tags: {', '.join(d.tags)}",
        ]
        rationale = f"Rationale: {d.rationale}.\n\n" if d.rationale else ""
        write(
            f"{root}/docs/adr/{d.stem}.md", f"# {d.title}\n\n" + "\n".join(meta) + "\n\n" + rationale + d.body
        )
    write(
        f"{root}/.log4brains.yml",
        "---\nproject:\n  name: Benchmark partnership\n  tz: Etc/UTC\n  adrFolder: ./docs/adr\n",
    )


def out_adr_viewer(root: str, c: Corpus) -> None:
    ds = c.decisions
    for d in ds:
        st = d.status.capitalize()
        if d.superseded_by:
            succ = ds[d.superseded_by - 1]
            st += f"\n\nSuperseded by [{succ.num}. {succ.title}]({succ.stem}.md)"
        write(
            f"{root}/doc/adr/{d.stem}.md",
            f"# {d.num}. {d.title}\n\nDate: {d.date:%Y-%m-%d}\n\n## Status\n\n{st}\n\n" + d.body,
        )


WRITERS = {
    "declog": out_declog,
    "hugo": out_hugo,
    "mkdocs": out_mkdocs,
    "pelican": out_pelican,
    "log4brains": out_log4brains,
    "adr-viewer": out_adr_viewer,
}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    ap.add_argument("outdir")
    ap.add_argument("n", type=int)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--layout", choices=LAYOUTS, default="declog")
    ap.add_argument(
        "--fields",
        action="store_true",
        help="declog layout: declare three fields of the log's own (money, list of enum, date) and fill them",
    )
    a = ap.parse_args(argv)
    if a.fields and a.layout != "declog":
        ap.error("--fields is for the declog layout")
    if a.n < 1:
        ap.error("N must be at least 1")
    if os.path.exists(a.outdir) and (not os.path.isdir(a.outdir) or os.listdir(a.outdir)):
        ap.error(f"{a.outdir}: exists and is not an empty folder (refusing to overwrite)")
    corpus = build(a.n, a.seed)
    if a.fields:
        out_declog(a.outdir, corpus, fields=a.seed)
    else:
        WRITERS[a.layout](a.outdir, corpus)
    total = sum(words(d.body) for d in corpus.decisions)
    meetings = f", {len(corpus.meetings)} meetings" if a.layout == "declog" else ""
    print(
        f"{a.outdir}: {a.n} decisions ({a.layout}){meetings}, "
        f"{total} body words, mean {total // a.n} words/decision",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
