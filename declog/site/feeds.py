"""The site's machine-readable twins: decisions.json, Atom feeds, iCalendar, the sitemap.

iCalendar is written here rather than with a library: declog needs one kind of
event with UTC times, and RFC 5545's three text rules (CRLF line ends, lines
folded at 75 octets, ``\\ ; , newline`` escaped) fit in a few lines that the
tests pin down. Atom and the sitemap are Jinja templates of the theme.

Control characters are findings (DL014) long before a build, but the writers
here do not count on it: a character that XML or iCalendar cannot carry is
written as U+FFFD, so one bad value can never make a partner's feed or calendar
unreadable.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from declog.log import vocab
from declog.log.customfields import to_json
from declog.log.history import Commit
from declog.log.model import Decision
from declog.log.names import end_sentence
from declog.log.review import Due
from declog.log.standing import Standing, attending, logging_lag, when
from declog.log.yamlparse import has_controls
from declog.site import urls
from declog.site.views import Attention, Views, latest, updated

#: Version of the decisions.json shape (docs/site.md); bumped on incompatible changes.
JSON_VERSION = 2
#: How many entries an Atom feed carries.
FEED_SIZE = 50


#: What XML 1.0 cannot carry (C0 but tab and line ends, surrogates, U+FFFE/U+FFFF), and DEL and C1.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
#: What an iCalendar TEXT value cannot carry once its line breaks are escaped (RFC 5545 3.3.11).
_NOT_ICS_TEXT = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
#: What no iCalendar value may hold unescaped: control characters, line breaks, white space in a URI.
_NOT_ICS_VALUE = re.compile("[\x00-\x20\x7f-\x9f]")


def xml_text(value: str) -> str:
    """``value`` with each character XML cannot carry as U+FFFD (the template escapes the rest)."""
    # The common case, quickly (every feed entry carries a whole rendered body): a byte-level pass
    # for control characters, then what only non-ASCII text can hold. A lone surrogate fails encode.
    if not has_controls(value) and (value.isascii() or ("\ufffe" not in value and "\uffff" not in value)):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            pass
        else:
            return value
    return _NOT_XML.sub("\ufffd", value)


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


# --- decisions.json ----------------------------------------------------------------


class Parts:
    """Pieces of generated files kept between rebuilds by a long-running caller.

    Each piece (a decisions.json entry, a calendar event) is made again only
    when what it is made from changed. What every piece depends on besides
    that (the configuration, the partners) is the caller's to watch: ``clear``
    when it changes.
    """

    def __init__(self) -> None:
        self.spaces: dict[str, dict[str, tuple[tuple[object, ...], Any]]] = {}

    def clear(self) -> None:
        self.spaces = {}

    def space(self, name: str) -> dict[str, tuple[tuple[object, ...], Any]]:
        """Piece name -> (what it was made from, the piece)."""
        return self.spaces.setdefault(name, {})


def database_parts(views: Views, cache: Parts | None = None) -> list[bytes]:
    """The whole log as JSON: partners, meetings and decisions with their derived facts.

    In parts, in order: a large log's is megabytes, written without joining them. The
    decisions' bodies are in their own files (``decision_file``).
    """
    spaces = cache if cache is not None else Parts()
    log = views.log
    heads = spaces.space("json-head")
    head_key = (log.partners, log.meetings, views.now, log.config.site)
    known = heads.get("head")
    if known is None or known[0] != head_key:  # partners and meetings: the same objects while unchanged
        known = heads["head"] = (head_key, _database_head(views))
    made_with = (known, views.links, views.history, log.decisions)
    last = heads.get("parts")
    if last is not None and last[0][:3] == made_with[:3]:
        patched = _patched(last, views, spaces.space("json"))
        if patched is not None:
            heads["parts"] = (made_with, patched)
            return patched
    parts = [known[1], b',"decisions":[']
    entries, made = spaces.space("json"), {}
    for d in log.decisions:
        part = made[d.path] = _entry(EntryInputs(views, d), entries)
        parts += (part[1], b",")
    spaces.spaces["json"] = made  # only the entries of this log
    if made:
        parts.pop()
    parts.append(b"]}\n")
    heads["parts"] = (made_with, parts)
    return parts


def decision_file(inputs: EntryInputs, cache: Parts | None = None) -> list[bytes]:
    """One decision as JSON (``decisions/NNNN/decision.json``): its decisions.json entry and its body."""
    entries = (cache if cache is not None else Parts()).space("json")
    key, entry = _entry(inputs, entries)
    d = key[0]
    assert isinstance(d, Decision)
    return [entry[:-1], b',"body":', _dumps(d.body).encode(), b"}\n"]


class EntryInputs:
    """What a decision's entry is made from: the decision, its links, its history and where it stands.

    Worked out when asked, so a plan holds one per decision at little cost;
    the cached entries (``Parts``) are compared by its ``key``.
    """

    def __init__(self, views: Views, decision: Decision) -> None:
        self.views = views
        self.decision = decision

    def key(self) -> tuple[Decision, tuple[str, ...], tuple[str, ...], tuple[Commit, ...], Standing]:
        """By the log's current record at the decision's path: views and plans kept between
        rebuilds (declog.site.incremental) hold earlier records of documents whose body alone changed."""
        views = self.views
        d = views.log.by_path.get(self.decision.path, self.decision)
        assert isinstance(d, Decision)  # a path keeps its kind
        return (
            d,
            views.links.out.get(d.id, ()),
            views.links.into.get(d.id, ()),
            views.history.get(d.path, ()),
            views.standing(d),
        )


def _entry(
    inputs: EntryInputs, entries: dict[str, tuple[tuple[object, ...], Any]]
) -> tuple[tuple[object, ...], Any]:
    """(what it was made from, the entry as JSON): from ``entries`` if made from the same, else made."""
    key = inputs.key()
    d = key[0]
    part = entries.get(d.path)
    if part is None or part[0] != key:
        part = entries[d.path] = (key, _dumps(_decision(d, inputs.views, key[4])).encode())
    return part


def _patched(
    last: tuple[tuple[object, ...], Any], views: Views, entries: dict[str, tuple[tuple[object, ...], Any]]
) -> list[bytes] | None:
    """The last parts with the entries of the decisions whose record changed made again.

    The caller has made sure the head, the links and the history are the very
    objects the last parts were made with; None unless the decisions are the
    same files in the same order.
    """
    before: tuple[Decision, ...] = last[0][3]  # type: ignore[assignment]
    now = views.log.decisions
    if len(before) != len(now):
        return None
    parts = list(last[1])
    for i, (d, old) in enumerate(zip(now, before, strict=True)):
        if d is old:
            continue
        if d.path != old.path:
            return None
        parts[2 + 2 * i] = _entry(EntryInputs(views, d), entries)[1]
    return parts


def _database_head(views: Views) -> bytes:
    """decisions.json up to its decisions: the site, the time, the partners and meetings."""
    log = views.log
    site = log.config.site
    doc: dict[str, Any] = {
        "version": JSON_VERSION,
        "site": {
            "title": site.title,
            "description": site.description,
            "url": site.url or None,
            "language": site.language,
            "timezone": site.timezone,
        },
        "as_of": views.now.isoformat(),
        "partners": [
            {
                "id": p.id,
                "name": p.name,
                "short": p.short_name,
                "timezone": p.timezone,
                "url": p.url or None,
                "members": [
                    {"handle": m.handle, "name": m.name or None, "role": m.role or None} for m in p.members
                ],
                "page": urls.partner(p.id),
                "source": p.path,
            }
            for _, p in sorted(log.partners.items())
        ],
        "meetings": [
            {
                "id": m.id,
                "title": m.title,
                "date": _iso(m.date),
                "chair": m.chair or None,
                "attendees": list(m.attendees),
                "absent_partners": sorted(set(log.partners) - attending(m, log)),
                "decisions": list(m.decisions),
                "page": urls.meeting(m.id),
                "source": m.path,
            }
            for _, m in sorted(log.meetings.items())
        ],
    }
    return _dumps(doc)[:-1].encode()  # the bytes json.dumps gives, the decisions to be joined in


def _dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _decision(d: Decision, views: Views, st: Standing) -> dict[str, Any]:
    counted = st.counted
    lag = logging_lag(d)
    return {
        "id": d.id,
        "title": d.title,
        "status": d.status,
        "mode": d.mode,
        "category": d.category,
        "partners": list(d.partners),
        "owner": d.owner or None,
        "proposed": _iso(d.proposed),
        "deadline": _iso(d.deadline),
        "decided": _iso(d.decided),
        "logged": _iso(d.logged),
        "meeting": d.meeting or None,
        "approvals": [
            {
                "partner": a.partner,
                "by": a.by or None,
                "via": a.via,
                "at": _iso(a.at),
                "ref": a.ref or None,
                "commit": a.commit or None,
                "counted": counted.get(a.partner) == a,
            }
            for a in d.approvals
        ],
        "standing": {p.partner: p.state for p in st.partners},
        "waiting_on": list(st.waiting_on),
        "silence_due": list(st.silence_due),
        "ready": st.ready,
        "logging_lag": int(lag.total_seconds()) if lag is not None else None,
        "supersedes": list(d.supersedes),
        "superseded_by": d.superseded_by or None,
        "tags": list(d.tags),
        "review_by": d.review_by.isoformat() if d.review_by else None,
        "reviews": list(d.reviews),
        "rationale": d.rationale or None,
        "reason": d.reason or None,
        "source": {"kind": d.source.kind, "ref": d.source.ref or None} if d.source else None,
        "fields": {name: to_json(value) for name, value in d.fields.items()},
        "links_to": list(views.links.out.get(d.id, ())),
        "linked_from": list(views.links.into.get(d.id, ())),
        "history": [_commit(c) for c in views.history.get(d.path, ())],
        "page": urls.decision(d.id),
        "json": urls.decision_json(d.id),
        "source_file": d.path,
    }


def _commit(c: Commit) -> dict[str, str]:
    return {"commit": c.sha, "author": c.author, "date": c.date.isoformat(), "subject": c.subject}


# --- Atom ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    id: str
    title: str
    url: str
    published: dt.datetime | None
    updated: dt.datetime
    summary: str
    content: str
    """HTML as a plain string: the template escapes it, as Atom's type="html" wants."""
    content_base: str
    """xml:base for the content: its links are relative to the decision's page."""
    categories: tuple[str, ...]


@dataclass(frozen=True)
class Feed:
    id: str
    title: str
    self: str
    alternate: str
    updated: dt.datetime
    entries: tuple[Entry, ...]


def feed(
    *,
    views: Views,
    title: str,
    self_path: str,
    alternate_path: str,
    decisions: Iterable[Decision],
    base: str,
    body_html: Callable[[Decision], str],
    latest_first: bool = False,
) -> Feed:
    """An Atom feed of the most recently changed ``decisions``.

    ``base`` is the site URL, or the relative prefix from the feed to the site
    root when none is configured (readers resolve it against the feed's own URL).
    ``body_html(decision)`` is the body as shown on the decision's page; the
    entry's ``xml:base`` makes its relative links resolve from there.
    ``latest_first``: ``decisions`` are already most recently changed first.
    """
    history = views.history
    if latest_first:  # already in that order (``latest_first``): the first ones
        chosen = list(itertools.islice(decisions, FEED_SIZE))
    else:
        chosen = latest(decisions, history)[:FEED_SIZE]
    x = xml_text
    entries = tuple(
        Entry(
            id=x(_entry_id(views, d)),
            title=x(f"{d.id} {d.title} ({d.status})"),
            url=x(urls.join(base, urls.decision(d.id))),
            published=d.logged or when(d),
            updated=updated(d, history),
            summary=x(d.rationale or d.reason or d.title),
            content=x(views.fields.html(d) + str(body_html(d))),
            content_base=x(urls.join(base, urls.decision(d.id))),
            categories=tuple(x(c) for c in (d.status, d.mode, d.category, *d.tags)),
        )
        for d in chosen
    )
    newest = max((e.updated for e in entries), default=views.now)
    site_url = views.log.config.site.url
    return Feed(
        id=x(urls.join(site_url, self_path) if site_url else f"urn:declog:{_site_key(views)}:{self_path}"),
        title=x(title),
        self=x(urls.join(base, self_path)),
        alternate=x(urls.join(base, alternate_path)),
        updated=newest,
        entries=entries,
    )


def site_key(title: str) -> str:
    """The site's name in ``urn:`` ids and calendar UIDs: its title as a slug."""
    return vocab.slugify(title)


def _site_key(views: Views) -> str:
    return site_key(views.log.config.site.title)


def _entry_id(views: Views, d: Decision) -> str:
    url = views.log.config.site.url
    return urls.join(url, urls.decision(d.id)) if url else f"urn:declog:{_site_key(views)}:decision:{d.id}"


# --- iCalendar ------------------------------------------------------------------------


def ics_text(value: str) -> str:
    """Escape a TEXT value (RFC 5545 3.3.11); a control character becomes U+FFFD."""
    if _NOT_ICS_TEXT.search(value):
        value = _NOT_ICS_TEXT.sub("\ufffd", value.replace("\r\n", "\n").replace("\r", "\n"))
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def fold(line: str) -> str:
    """Fold a content line into chunks of at most 75 octets, never inside a UTF-8 character."""
    if line.isascii():  # one octet a character
        return "\r\n ".join([line[:75], *(line[i : i + 74] for i in range(75, len(line), 74))])
    out: list[str] = []
    current, size, limit = "", 0, 75
    for ch in line:
        width = len(ch.encode("utf-8"))
        if size + width > limit:
            out.append(current)
            current, size, limit = " ", 1, 75
        current += ch
        size += width
    out.append(current)
    return "\r\n".join(out)


def _ics_value(value: str) -> str:
    """A URI or UID value without what would end its line or break its parsing (dropped)."""
    return _NOT_ICS_VALUE.sub("", value)


def _utc(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def calendar(
    *,
    site_key: str,
    name: str,
    items: Sequence[Attention],
    base: str,
    uid_host: str,
    cache: Parts | None = None,
    reviews: Sequence[Due] = (),
) -> bytes:
    """An iCalendar file with one event at each open feedback deadline, and an all-day event on each
    open review date (``reviews``).

    UIDs (``decision-0042-deadline-SITE@host``) stay the same from build to build,
    so a subscribed calendar updates its events instead of duplicating them.
    """
    head = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//declog//decision log//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{ics_text(name)}",
    ]
    events = (cache if cache is not None else Parts()).space("ics")
    parts = ["".join(fold(line) + "\r\n" for line in head)]
    for a in items:
        if a.deadline is None:
            continue  # waiting without a deadline: no date to put in a calendar
        key = (a, site_key, base, uid_host)
        known = events.get(a.decision.path)
        if known is None or known[0] != key:  # the same Attention object while it is unchanged
            known = events[a.decision.path] = (key, _event(a, site_key, base, uid_host))
        parts.append(known[1])
    for r in reviews:
        parts.append(_review_event(r, site_key, base, uid_host))
    parts.append("END:VCALENDAR\r\n")
    return "".join(parts).encode("utf-8")


def _review_event(r: Due, site_key: str, base: str, uid_host: str) -> str:
    """One open review date as a folded all-day VEVENT, each line ending in CRLF."""
    d = r.decision
    stamp = (r.last.decided if r.last is not None else None) or d.decided or d.logged
    stamp = stamp or dt.datetime.combine(r.due, dt.time(), tzinfo=dt.UTC)
    how = f'Record the review as a new decision with reviews: ["{d.id}"], or supersede it.'
    lines = [
        "BEGIN:VEVENT",
        f"UID:{_ics_value(f'decision-{d.id}-review-{site_key}@{uid_host}')}",
        f"DTSTAMP:{_utc(stamp)}",
        f"DTSTART;VALUE=DATE:{r.due.year:04d}{r.due.month:02d}{r.due.day:02d}",
        f"SUMMARY:{ics_text(f'Review due: {d.id} {d.title}')}",
        f"DESCRIPTION:{ics_text(f'Decision {d.id} is due for review by {r.due.isoformat()}. {how}')}",
    ]
    if base.startswith(("https://", "http://")):
        lines.append(f"URL:{_ics_value(urls.join(base, urls.decision(d.id)))}")
    lines.append("END:VEVENT")
    return "".join(fold(line) + "\r\n" for line in lines)


def _event(a: Attention, site_key: str, base: str, uid_host: str) -> str:
    """One open deadline as a folded VEVENT, each line ending in CRLF."""
    d = a.decision
    assert a.deadline is not None
    waiting = ", ".join(w.partner.name for w in a.waiting)
    who = end_sentence(f"Waiting on: {waiting}") if waiting else "Every approval the rules require is in."
    stamp = d.proposed or d.logged or a.deadline
    lines = [
        "BEGIN:VEVENT",
        f"UID:{_ics_value(f'decision-{d.id}-deadline-{site_key}@{uid_host}')}",
        f"DTSTAMP:{_utc(stamp)}",
        f"DTSTART:{_utc(a.deadline)}",
        f"SUMMARY:{ics_text(f'Feedback deadline: {d.id} {d.title}')}",
        f"DESCRIPTION:{ics_text(f'{who} Status: {d.status}.')}",
    ]
    if base.startswith(("https://", "http://")):
        lines.append(f"URL:{_ics_value(urls.join(base, urls.decision(d.id)))}")
    lines.append("END:VEVENT")
    return "".join(fold(line) + "\r\n" for line in lines)
