"""JSON Schemas (2020-12): the single source of truth for field rules.

``declog schema --kind KIND`` prints them for editors; the loader validates
every document against them and turns each schema error into a finding.
"""

from __future__ import annotations

from typing import Any

from declog.log import vocab

SCHEMA_BASE = "urn:declog:schema:v1:"
DRAFT = "https://json-schema.org/draft/2020-12/schema"

KINDS = ("decision", "partner", "meeting", "config")

_DECISION_ID = {
    "type": "string",
    "pattern": vocab.DECISION_ID_RE.pattern,
    "description": 'Decision id: four or more digits, quoted ("0042").',
}
_SLUG = {"type": "string", "pattern": vocab.SLUG_RE.pattern}
_HANDLE = {
    "type": "string",
    "pattern": vocab.HANDLE_RE.pattern,
    "description": "A person's git-host handle, without @.",
}
_DATETIME = {
    "type": "string",
    "format": "date-time",
    "description": "ISO 8601 date-time with a time zone offset, e.g. 2026-11-24T14:30:00+01:00.",
}
_TEXT = {"type": "string", "minLength": 1}
#: Text on one line: a line break, if any, only at its very end (where `title: >` puts one).
ONE_LINE = r"^(?![\s\S]*\n[\s\S])"
_LINE = {**_TEXT, "pattern": ONE_LINE}
_DURATION = {
    "type": "string",
    "pattern": r"^[0-9]+(?:\.[0-9]+)?\s*(?:m|h|d|w)$",
    "description": "A duration such as 48h, 2d, 1w or 90m.",
}


def _enum(values: tuple[str, ...] | list[str], description: str) -> dict[str, Any]:
    return {"type": "string", "enum": list(values), "description": description}


def _list(item: dict[str, Any], description: str, min_items: int = 0) -> dict[str, Any]:
    out: dict[str, Any] = {
        "type": "array",
        "items": item,
        "uniqueItems": True,
        "description": description,
    }
    if min_items:
        out["minItems"] = min_items
    return out


APPROVAL: dict[str, Any] = {
    "type": "object",
    "description": "One partner's approval of the decision.",
    "required": ["partner", "via"],
    # Every approval but silence names the member who gave it: silence is no one's act.
    "if": {"required": ["via"], "properties": {"via": {"const": vocab.VIA_SILENCE}}},
    "else": {"required": ["by"]},
    "additionalProperties": False,
    "properties": {
        "partner": {**_SLUG, "description": "The partner approving."},
        "by": {
            **_HANDLE,
            "description": "The member who approved on the partner's behalf (optional for silence).",
        },
        "at": {**_DATETIME, "description": "When the approval was given."},
        "via": _enum(vocab.APPROVAL_VIAS, "How the approval was given."),
        "ref": {
            **_LINE,
            "description": "Where it was given: a PR review URL, '#123', or a message link.",
        },
        "commit": {
            "type": "string",
            "pattern": "^[0-9a-f]{7,40}$",
            "description": "The commit the review approved (for PR reviews).",
        },
    },
}

DECISION: dict[str, Any] = {
    "$schema": DRAFT,
    "$id": SCHEMA_BASE + "decision",
    "title": "declog decision",
    "description": "Frontmatter of content/decisions/NNNN-slug.md.",
    "type": "object",
    "required": ["id", "title", "status"],
    "additionalProperties": False,
    "properties": {
        "id": _DECISION_ID,
        "title": {**_LINE, "description": "What was decided, in one line."},
        "status": _enum(vocab.STATUSES, "Where the decision is in its lifecycle."),
        "mode": _enum(
            vocab.MODES,
            "sync: decided in a meeting; async: by review before a deadline. Default async.",
        ),
        "category": _enum(
            vocab.CATEGORIES,
            "strategic or operational; the rules may reserve strategic for meetings. Default operational.",
        ),
        "partners": _list(
            {**_SLUG, "description": "Partner id."},
            "Partners party to the decision. Default: every partner.",
            1,
        ),
        "owner": {**_HANDLE, "description": "The person accountable for the entry."},
        "proposed": {**_DATETIME, "description": "When the decision was proposed."},
        "deadline": {**_DATETIME, "description": "Feedback deadline for async decisions."},
        "decided": {**_DATETIME, "description": "When it was decided (accepted or rejected)."},
        "logged": {
            **_DATETIME,
            "description": "When it was written into the log. Default: the commit that added the file.",
        },
        "meeting": {**_SLUG, "description": "Id of the meeting a sync decision was made in."},
        "approvals": {
            "type": "array",
            "items": APPROVAL,
            "description": "Approvals, one per partner.",
        },
        "supersedes": _list(_DECISION_ID, "Earlier decisions this one replaces."),
        "superseded_by": {
            **_DECISION_ID,
            "description": "The later decision that replaced this one.",
        },
        "tags": _list({**_SLUG, "description": "A lower-case tag."}, "Free tags for filtering."),
        "review_by": {
            "type": "string",
            "format": "date",
            "description": "When the partners look at this decision again (YYYY-MM-DD). Default: decided plus "
            "[workflow.review] after for its category.",
        },
        "reviews": _list(
            _DECISION_ID,
            "Earlier accepted decisions this one reviews: accepting it confirms them, and their next "
            "review is this decision's review_by.",
        ),
        "rationale": {**_TEXT, "description": "Why, in a sentence or two."},
        "reason": {**_TEXT, "description": "Why a decision was rejected or withdrawn."},
        "source": {
            "type": "object",
            "description": "For exceptions: where the decision was taken before it was logged.",
            "required": ["kind"],
            "additionalProperties": False,
            "properties": {
                "kind": _enum(vocab.SOURCE_KINDS, "The channel the decision was taken in."),
                "ref": {**_TEXT, "description": "A link to the message or a description."},
            },
        },
        "imported_from": {
            "type": "object",
            "description": "Where an imported decision came from (declog import). Imported decisions are "
            "history: the rules for proposals made in this log do not apply to them.",
            "required": ["format", "file"],
            "additionalProperties": False,
            "properties": {
                "format": _enum(vocab.IMPORT_FORMATS, "The format it was imported from."),
                "file": {**_LINE, "description": "The source file's name (inside the folder imported)."},
                "row": {
                    "type": "integer",
                    "minimum": 1,
                    "description": "csv: the record's row in the spreadsheet (the header is row 1).",
                },
            },
        },
    },
}

_MEMBER = {
    "oneOf": [
        _HANDLE,
        {
            "type": "object",
            "required": ["handle"],
            "additionalProperties": False,
            "properties": {
                "handle": _HANDLE,
                "name": {**_LINE, "description": "Full name."},
                "role": {**_LINE, "description": "Role within the partner."},
            },
        },
    ],
    "description": "A member: a handle, or {handle, name, role}.",
}

PARTNER: dict[str, Any] = {
    "$schema": DRAFT,
    "$id": SCHEMA_BASE + "partner",
    "title": "declog partner",
    "description": "Frontmatter of content/partners/ID.md.",
    "type": "object",
    "required": ["id", "name", "timezone", "members"],
    "additionalProperties": False,
    "properties": {
        "id": {**_SLUG, "description": "Partner id; the file is named ID.md."},
        "name": {**_LINE, "description": "The organisation's name."},
        "short": {
            **_LINE,
            "maxLength": 24,
            "description": "A short name for dense places (lists, tables); default: the id.",
        },
        "timezone": {
            "type": "string",
            "format": "timezone",
            "description": "IANA time zone, e.g. Europe/Berlin.",
        },
        "members": {
            "type": "array",
            "items": _MEMBER,
            "description": "People who may approve for this partner.",
        },
        "url": {"type": "string", "format": "uri", "description": "The partner's website."},
    },
}

MEETING: dict[str, Any] = {
    "$schema": DRAFT,
    "$id": SCHEMA_BASE + "meeting",
    "title": "declog meeting",
    "description": "Frontmatter of content/meetings/DATE-slug.md.",
    "type": "object",
    "required": ["id", "title", "date", "attendees"],
    "additionalProperties": False,
    "properties": {
        "id": {**_SLUG, "description": "Meeting id, usually DATE-slug; the file is named ID.md."},
        "title": {**_LINE, "description": "What the meeting was, in one line."},
        "date": {**_DATETIME, "description": "When the meeting started."},
        "attendees": _list(_HANDLE, "Handles of the people who attended.", 1),
        "chair": _HANDLE,
        "decisions": _list(_DECISION_ID, "Decisions confirmed in the meeting."),
    },
}

_TRANSITIONS = {
    "type": "object",
    "description": "Allowed status changes: status -> list of next statuses.",
    "propertyNames": {"enum": list(vocab.STATUSES)},
    "additionalProperties": {
        "type": "array",
        "items": {"enum": list(vocab.STATUSES)},
        "uniqueItems": True,
    },
}

#: A declared field's name: what YAML and `query` can write without quotes.
FIELD_NAME = "^[a-z][a-z0-9_]*$"
_FIELD_VALUES = {
    "type": "array",
    "items": _LINE,
    "minItems": 1,
    "uniqueItems": True,
    "description": "The values an enum allows.",
}
_FIELD = {
    "type": "object",
    "description": "One declared field: its type and when a decision must hold it.",
    "required": ["type"],
    "additionalProperties": False,
    "properties": {
        "type": {
            "type": "string",
            "description": "string, text, integer, number, boolean, date, "
            "datetime, url, money, enum, partner, member or list.",
        },
        "values": _FIELD_VALUES,
        "items": {
            "type": "object",
            "description": 'For a list: the type of its items, e.g. { type = "enum", values = [...] }.',
            "required": ["type"],
            "additionalProperties": False,
            "properties": {"type": {"type": "string"}, "values": _FIELD_VALUES},
        },
        "required": {
            "oneOf": [
                {"type": "boolean"},
                {
                    "type": "object",
                    "minProperties": 1,
                    "maxProperties": 1,
                    "additionalProperties": False,
                    "properties": {
                        "categories": _list(
                            _enum(vocab.CATEGORIES, "category"), "Required in these categories.", 1
                        ),
                        "from": _enum(vocab.STATUSES, "Required from this status on."),
                    },
                },
            ],
            "description": 'true, { categories = ["strategic"] } or { from = "accepted" }.',
        },
        "description": _LINE,
        "default": {"description": "The value a decision that omits the field gets."},
        "index": {"type": "boolean", "description": "Show it as a column of the site's index."},
        "facet": {"type": "boolean", "description": "Offer it as a filter of the timeline."},
    },
}

CONFIG: dict[str, Any] = {
    "$schema": DRAFT,
    "$id": SCHEMA_BASE + "config",
    "title": "declog.toml",
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "site": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "title": _LINE,
                "description": {"type": "string"},
                "url": {
                    "type": "string",
                    "format": "uri",
                    "description": "Public http(s) URL of the site (for feeds and sitemap), "
                    "without quotes, spaces, angle brackets or backslashes.",
                },
                "language": {"type": "string", "pattern": "^[a-z]{2,3}(?:-[A-Za-z0-9]+)*$"},
                "timezone": {
                    "type": "string",
                    "format": "timezone",
                    "description": "Time zone dates are shown in.",
                },
                "per_page": {"type": "integer", "minimum": 5, "maximum": 10000},
                "repository": {
                    "type": "string",
                    "format": "uri",
                    "description": "Web address of the log's repository (https://github.com/OWNER/REPO): "
                    "PR references, commits and source files become links into it.",
                },
                "forge": _enum(
                    vocab.FORGES,
                    "Which forge hosts the repository, when its host does not tell "
                    "(github.com, gitlab.com and codeberg.org do).",
                ),
                "branch": {
                    "type": "string",
                    "minLength": 1,
                    "description": "The default branch source files link to. Default main.",
                },
            },
        },
        "workflow": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "feedback_window": {**_DURATION, "default": "48h"},
                "approval": _enum(
                    vocab.APPROVAL_RULES,
                    "all: every partner party to the decision approves; quorum: at least `quorum` partners.",
                ),
                "quorum": {"type": "integer", "minimum": 1, "maximum": 10000},
                "self_approval": {
                    "type": "boolean",
                    "description": "May the owner approve for their own partner?",
                },
                "meeting_required": _list(
                    _enum(vocab.CATEGORIES, "category"),
                    "Categories that must be decided in a meeting.",
                ),
                "exception_window": {**_DURATION, "default": "24h"},
                "transitions": _TRANSITIONS,
                "reminders": {
                    "type": "object",
                    "additionalProperties": False,
                    "description": "What `declog remind` does for open pull requests (docs/bot.md).",
                    "properties": {
                        "before": _list(
                            _DURATION,
                            "How long before a deadline the awaited partners are reminded, once each "
                            '(default ["24h", "2h"]; [] for no reminders).',
                        ),
                        "record_silence": {
                            "type": "boolean",
                            "description": "After the deadline, commit the silence approvals the rules count "
                            "to the pull request's branch (default true).",
                        },
                        "overdue_label": {
                            "type": "string",
                            "maxLength": 50,
                            "description": "Label for a pull request whose deadline passed without the "
                            'approvals it needs (default "declog: overdue"; "" for none).',
                        },
                    },
                },
                "review": {
                    "type": "object",
                    "additionalProperties": False,
                    "properties": {
                        "after": {
                            "type": "object",
                            "description": "Category -> how long after it was decided an accepted decision "
                            'comes due for review, e.g. { strategic = "365d" }.',
                            "propertyNames": {"enum": list(vocab.CATEGORIES)},
                            "additionalProperties": _DURATION,
                        },
                        "lead": {
                            **_DURATION,
                            "default": "30d",
                            "description": "How long before its review date a decision shows as due for review.",
                        },
                    },
                },
                "silence": {
                    "type": "object",
                    "additionalProperties": False,
                    "properties": {
                        "allowed": {"type": "boolean"},
                        "partners": _list(_SLUG, "Partners whose silence counts (empty: all)."),
                        "categories": _list(
                            _enum(vocab.CATEGORIES, "category"),
                            "Categories where silence counts (empty: all).",
                        ),
                        "agreement": {
                            **_DECISION_ID,
                            "description": "The accepted decision in which the partners agreed this.",
                        },
                    },
                },
            },
        },
        "fields": {
            "type": "object",
            "description": "The partnership's own typed fields of a decision: [fields.NAME] tables.",
            "propertyNames": {"pattern": FIELD_NAME},
            "additionalProperties": _FIELD,
        },
        "rules": {
            "type": "object",
            "description": 'Per-rule severity: CODE = "error" | "warning" | "off", or {severity, since}.',
            "propertyNames": {"pattern": "^DL[0-9]{3}$"},
            "additionalProperties": {
                "oneOf": [
                    {"enum": ["error", "warning", "off"]},
                    {
                        "type": "object",
                        "required": ["severity"],
                        "additionalProperties": False,
                        "properties": {
                            "severity": {"enum": ["error", "warning", "off"]},
                            "since": {"type": "string", "format": "date"},
                        },
                    },
                ]
            },
        },
    },
}

SCHEMAS: dict[str, dict[str, Any]] = {
    "decision": DECISION,
    "partner": PARTNER,
    "meeting": MEETING,
    "config": CONFIG,
}
