"""A partner's pull request must not be able to put script into pages other partners open.

A decision, a partner and a meeting whose titles, tags, names, bodies and links
carry script, event handlers, ``javascript:`` URLs and ``</textarea>`` produce
pages where none of it is executable: no <script> or handler from the
document, no javascript:/data:/vbscript: link, every attribute well quoted.
"""

from __future__ import annotations

import html.parser
import json
import re
from pathlib import Path

import pytest
from conftest import CONFIG, doc, make_log

from declog.site.build import build

EVIL = "<script>alert(1)</script> <img src=x onerror=alert(2)> </textarea><svg onload=alert(3)> \"'>"

#: A newline in a title must not start a new iCalendar property.
TITLE = "Title " + EVIL + "\nDTSTART:19700101T000000Z"

DECISION = doc(
    f"""
    id: "0001"
    title: {json.dumps(TITLE)}
    status: proposed
    mode: async
    category: operational
    partners: [acme, globex]
    owner: alice
    proposed: 2026-01-05T09:00:00+01:00
    deadline: 2026-01-07T09:00:00+01:00
    rationale: {json.dumps("Because " + EVIL)}
    approvals:
      - partner: globex
        by: carol
        at: 2026-01-06T10:00:00+01:00
        via: explicit
        ref: "javascript:alert(4)"
    """,
    f"""
    ## Body {EVIL}

    {EVIL}

    <script>alert(5)</script>

    [click](javascript:alert(6)) [c2](JAVASCRIPT:alert(7)) [c3](&#106;avascript:alert(8))
    [c4](vbscript:msgbox(9)) [c5](data:text/html;base64,PHNjcmlwdD5hbGVydCgxMCk8L3NjcmlwdD4=)
    ![img](javascript:alert(11)) <javascript:alert(12)> [ok](https://example.org/)

    [ref]: javascript:alert(13)
    See [ref].

    <div onmouseover="alert(14)">x</div>
    """,
)

PARTNER = doc(
    f"""
    id: acme
    name: {json.dumps("Acme " + EVIL)}
    timezone: Europe/Berlin
    url: "javascript:alert(15)"
    members:
      - handle: alice
        name: {json.dumps("Alice " + EVIL)}
        role: {json.dumps(EVIL)}
      - bob
    """,
    f"Partner body {EVIL}\n",
)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("evil") / "log"
    log = make_log(root)
    # declog check refuses a javascript: partner URL (DL104); turn that off to test the theme's own guard.
    log.config(CONFIG + '\n[rules]\nDL104 = "off"\n')
    log.partner("acme", PARTNER)
    log.decision("0001-evil", DECISION)
    out = root.parent / "site"
    result = build(root, out, search_index=False, site_url="https://example.org/log/")
    assert result.built, [f"{d.path}:{d.line} {d.code} {d.message}" for d in result.findings]
    return out


def _theme_script(src: str) -> bool:
    """The theme's script, or the filter bar's counts (facets.js at the site's root)."""
    return src.endswith("assets/site.js") or re.fullmatch(r"(\.\./)*facets\.js", src) is not None


class Inspector(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        charts = (
            tag == "svg" and ("class", "dlc") in attrs
        )  # the health page's, drawn by declog.insight.charts
        if tag in ("script", "iframe", "object", "embed", "svg", "img") and tag != "script" and not charts:
            self.problems.append(f"<{tag}> element")
        if tag == "script" and not any(k == "src" and v and _theme_script(v) for k, v in attrs):
            self.problems.append("inline or foreign <script>")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"event handler {name}=")
            if name in ("href", "src", "action", "formaction") and value is not None:
                scheme = re.match(r"\s*([a-zA-Z][a-zA-Z0-9+.-]*):", value)
                if scheme and scheme.group(1).lower() not in ("http", "https", "mailto"):
                    self.problems.append(f"{name}={value!r}")


def pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def test_no_page_contains_executable_content_from_the_documents(site: Path) -> None:
    assert len(pages(site)) > 10
    for path in pages(site):
        inspector = Inspector()
        inspector.feed(path.read_text(encoding="utf-8"))
        assert inspector.problems == [], path.relative_to(site)


def test_hostile_text_is_shown_escaped_not_dropped(site: Path) -> None:
    page = (site / "decisions/0001/index.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;/textarea&gt;" in page and "</textarea>" not in page
    assert "<title>0001 Title &lt;script&gt;" in page
    assert 'href="https://example.org/"' in page  # ordinary links survive
    assert "javascript:alert(4)" in page  # the approval's ref is shown as text, not linked
    assert 'href="javascript' not in page.lower()


def test_feeds_and_json_escape_the_documents(site: Path) -> None:
    feed = (site / "feed.xml").read_text(encoding="utf-8")
    assert "<script>" not in feed and "</textarea>" not in feed
    data = json.loads((site / "decisions.json").read_text(encoding="utf-8"))
    assert data["decisions"][0]["title"].startswith(
        "Title <script>"
    )  # data, not markup: the consumer escapes
    ics = (site / "partners/acme/deadlines.ics").read_bytes().decode("utf-8")
    unfolded = ics.replace("\r\n ", "")
    # A newline in a title cannot start a new calendar property.
    assert re.findall(r"^DTSTART:[^\r\n]*", unfolded, re.M) == ["DTSTART:20260107T080000Z"]
    assert "\\nDTSTART:19700101T000000Z" in unfolded
