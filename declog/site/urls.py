"""The site's addresses: where every page and file lives, how one page links to another,
and links into the log's repository on its forge.

Every path here is from the site root, "/"-separated, and names its file
(``decisions/0042/index.html``, never ``decisions/0042/``), so the site works
opened from disk (``file://``), under a sub-path and at a domain root. Nothing
else in declog spells a path of the site: the plan of pages, the views, the
feeds, decisions.json and Markdown bodies ask this module; templates get the
paths from the views (``view.url``) or from ``pages`` (``Pages``) and make them
relative to the page with ``url()`` (declog.site.render).

Ids are used as they are: the build skips a page whose id cannot be a folder
name (declog.site.pages.safe_segment), and the rules have reported it.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Final
from urllib.parse import quote, urlsplit

from declog.log import vocab
from declog.log.config import Site

#: The file a folder's page is written to: links name it, so they work from file:// too.
INDEX: Final = "index.html"

HOME: Final = INDEX
#: The compact index: one row per decision (the decision pages live in the same folder).
DECISIONS: Final = "decisions/" + INDEX
TIMELINE_FOLDER: Final = "timeline/"
TIMELINE: Final = TIMELINE_FOLDER + INDEX
PARTNERS: Final = "partners/" + INDEX
MEETINGS: Final = "meetings/" + INDEX
TAGS_FOLDER: Final = "tags/"
TAGS: Final = TAGS_FOLDER + INDEX
HEALTH: Final = "health/" + INDEX
AUDIT_JSON: Final = "health/audit.json"
SEARCH: Final = "search/" + INDEX
NOT_FOUND: Final = "404.html"
FEED: Final = "feed.xml"
DECISIONS_JSON: Final = "decisions.json"
#: How many decisions each value of the filter bar's facets has, as a script (declog.site.pages.facet_counts).
FACETS_JS: Final = "facets.js"
SITEMAP: Final = "sitemap.xml"
#: The theme's files (style, script, icons) keep their place under assets/ in the site.
ASSETS_FOLDER: Final = "assets/"
#: Where Pagefind writes its index and search UI (declog.site.search).
PAGEFIND_FOLDER: Final = "pagefind/"


def decision(decision_id: str) -> str:
    """A decision's page: its permalink, the same for as long as the id exists."""
    return f"decisions/{decision_id}/{INDEX}"


def decision_json(decision_id: str) -> str:
    """A decision's entry with its Markdown body, as JSON: the file decisions.json's ``json`` names."""
    return f"decisions/{decision_id}/decision.json"


def partner(partner_id: str) -> str:
    return f"partners/{partner_id}/{INDEX}"


def partner_feed(partner_id: str) -> str:
    """The Atom feed of the decisions a partner is party to."""
    return f"partners/{partner_id}/feed.xml"


def partner_calendar(partner_id: str) -> str:
    """The iCalendar file of a partner: feedback deadlines awaiting it, review dates of its decisions."""
    return f"partners/{partner_id}/deadlines.ics"


def meeting(meeting_id: str) -> str:
    return f"meetings/{meeting_id}/{INDEX}"


def asset(name: str) -> str:
    """A file of the theme's ``assets/`` folder (``style.css``, ``site.js``)."""
    return ASSETS_FOLDER + name


def pagefind(name: str) -> str:
    """A file of Pagefind's search UI (``pagefind-ui.js``)."""
    return PAGEFIND_FOLDER + name


# --- paginated lists: a folder whose first page is its index.html ------------------------


def list_page(folder: str, number: int = 1) -> str:
    """Page ``number`` of the paginated list living under ``folder`` (``timeline/``)."""
    return f"{folder}{INDEX}" if number == 1 else f"{folder}{number}/{INDEX}"


def facet_folder(facet: str, value: str) -> str:
    """The folder of the timeline filtered by one value of a facet; tags have their own pages."""
    if facet == "tag":
        return f"{TAGS_FOLDER}{value}/"
    return f"{TIMELINE_FOLDER}{facet}/{value}/"


def facet(facet: str, value: str) -> str:
    """The first page of the timeline filtered by ``facet`` = ``value``."""
    return list_page(facet_folder(facet, value))


def tag(name: str) -> str:
    """The first page of a tag's decisions."""
    return facet("tag", name)


#: The lists a partner's page links to when it shows only the first few.
PARTNER_LISTS: Final = ("absent", "proposals")


def partner_list_folder(partner_id: str, which: str) -> str:
    """The folder of one of a partner's long lists (``PARTNER_LISTS``)."""
    assert which in PARTNER_LISTS, which
    return f"partners/{partner_id}/{which}/"


def partner_list(partner_id: str, which: str) -> str:
    return list_page(partner_list_folder(partner_id, which))


# --- links between pages -------------------------------------------------------------------


def root(page: str) -> str:
    """The relative way from ``page`` back to the site root: ``../`` once per folder."""
    return "../" * page.count("/")


def relative(page: str, target: str) -> str:
    """A link from ``page`` to ``target``, both paths from the site root."""
    return root(page) + target


def join(base: str, path: str) -> str:
    """``path`` under ``base``: the site's public URL (ending in "/"), or the way back to the
    site root from a file (``root``), as a feed's links are written."""
    return base + path


#: Decision, partner and meeting pages are two folders deep: Markdown bodies are rendered
#: once, for these pages, with links that start from there.
BODY_ROOT: Final = root(decision("0000"))


class Pages:
    """The paths templates ask for, as the global ``pages`` (``url(pages.decision(d.id))``).

    Only what this module defines is reachable from it: a template in the
    sandbox gets nothing else through this object.
    """

    home = HOME
    decisions = DECISIONS
    timeline = TIMELINE
    partners = PARTNERS
    meetings = MEETINGS
    tags = TAGS
    health = HEALTH
    audit_json = AUDIT_JSON
    search = SEARCH
    not_found = NOT_FOUND
    feed = FEED
    decisions_json = DECISIONS_JSON
    facets_js = FACETS_JS

    # The page functions as they are: a template calls ``pages.decision(d.id)``.
    decision = staticmethod(decision)
    partner = staticmethod(partner)
    partner_feed = staticmethod(partner_feed)
    partner_calendar = staticmethod(partner_calendar)
    meeting = staticmethod(meeting)
    tag = staticmethod(tag)
    facet = staticmethod(facet)
    asset = staticmethod(asset)
    pagefind = staticmethod(pagefind)


# --- the log's repository on its forge ([site] repository) --------------------------------

#: Per forge: a pull request, a commit, a file on a branch; appended to the repository's URL.
FORGE_LINKS: Final[dict[str, tuple[str, str, str]]] = {
    "github": ("/pull/{number}", "/commit/{sha}", "/blob/{branch}/{path}"),
    "gitlab": ("/-/merge_requests/{number}", "/-/commit/{sha}", "/-/blob/{branch}/{path}"),
    "gitea": ("/pulls/{number}", "/commit/{sha}", "/src/branch/{branch}/{path}"),
}
FORGE_LINKS["forgejo"] = FORGE_LINKS["gitea"]  # Forgejo is a fork of Gitea: the same addresses

#: A reference to a pull request in an approval's ``ref``: ``#54``.
_PULL_REF = re.compile(r"^#([0-9]{1,9})$")
_SHA = re.compile(r"^[0-9a-fA-F]{4,64}$")


@dataclass(frozen=True)
class Repository:
    """The log's repository: links to its pull requests, commits and files.

    Every piece put into a link is percent-encoded, and the repository's URL was
    checked like ``[site] url`` (declog.log.config); templates escape the rest.
    """

    url: str
    """The repository's web address, without a trailing slash or ``.git``."""
    forge: str
    """One of ``FORGE_LINKS``: which forge's addresses to use."""
    branch: str = "main"

    def pull(self, number: int) -> str:
        return self.url + FORGE_LINKS[self.forge][0].format(number=int(number))

    def commit(self, sha: str) -> str:
        """A commit's page, or "" for something that is not a commit id."""
        if not _SHA.match(sha):
            return ""
        return self.url + FORGE_LINKS[self.forge][1].format(sha=sha)

    def file(self, path: str) -> str:
        """A file of the log (``content/decisions/0042-x.md``) as it is on the default branch."""
        return self.url + FORGE_LINKS[self.forge][2].format(
            branch=quote(self.branch, safe="/"), path=quote(path, safe="/")
        )

    def reference(self, ref: str) -> str:
        """A pull request named in an approval (``#54``) as a link, or "" for any other reference."""
        m = _PULL_REF.match(ref.strip())
        return self.pull(int(m.group(1))) if m else ""


def forge_of(site_repository: str, forge: str = "") -> str:
    """The forge a repository URL is on: ``forge`` when given, else from its host; "" when unknown."""
    if forge:
        return forge
    host = (urlsplit(site_repository).hostname or "").lower()
    return vocab.FORGE_HOSTS.get(host.removeprefix("www."), "")


@functools.cache
def repository(site: Site) -> Repository | None:
    """The repository ``[site] repository`` names, or None: then nothing links into it."""
    if not site.repository:
        return None
    forge = forge_of(site.repository, site.forge)
    if forge not in FORGE_LINKS:
        return None  # declog.toml's check reported it (DL502)
    url = site.repository.rstrip("/").removesuffix(".git").rstrip("/")
    return Repository(url, forge, site.branch or "main")
