"""Fingerprints of what a page is made from, and which documents it shows.

A page's fingerprint digests the value of its context: every field of every
view object reachable from it, in order. Documents (decisions, partners,
meetings) are leaves: each stands for the digest of its whole record
(declog.check.shape), computed once per record, and is noted as a document the page
shows. A value the fingerprint does not understand gets a fresh random digest,
so an unknown input means "render again", never "skip".

``Rebinder`` puts the current records into view objects computed from an
earlier version of the log whose shape was the same (declog.check.shape): the
structure is unchanged, only documents' text differs.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import enum
import functools
import hashlib
import os
import types
from collections.abc import Mapping
from pathlib import Path, PurePath
from typing import Any, TypeGuard

import jinja2
import jinja2.meta

from declog.check.shape import Shapes
from declog.log.history import Commit
from declog.log.model import Approval, Decision, Document, Log, Meeting, Member, Partner, Source
from declog.site.render import Theme
from declog.site.views import Views

__all__ = ["Printer", "Rebinder", "Templates", "fingerprint"]


def _digest(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=16).digest()


_STR, _SCALAR, _BYTES, _REPR, _DOC, _CACHE, _COMPOSITE, _LASTING = range(8)
#: Values that live as long as the record or the history they belong to: their digests are kept between looks.
_LASTING_TYPES = (Approval, Member, Source, Commit)


def _kind_of(kind: type) -> int:
    """How the printer handles values of type ``kind``."""
    if issubclass(kind, str):
        return _STR
    if kind in (type(None), bool, int, float):
        return _SCALAR
    if issubclass(kind, bytes):
        return _BYTES
    if issubclass(kind, enum.Enum | dt.date | dt.time | dt.timedelta | dt.tzinfo):
        return _REPR
    if issubclass(kind, Document):
        return _DOC
    if getattr(kind, "not_an_input", False):
        return _CACHE
    if issubclass(kind, _LASTING_TYPES):
        return _LASTING
    return _COMPOSITE


class Printer:
    """Digests of values; each view object digested once per printer, each record once per ``Shapes``.

    ``shows`` collects the paths of the documents reached since it was last
    emptied (with repeats): the documents a page shows. ``lasting`` keeps the
    digests of the parts of records (approvals, members) and of commits
    between printers: they are frozen and live as long as their record.
    """

    def __init__(
        self, shapes: Shapes | None = None, lasting: dict[int, tuple[object, bytes]] | None = None
    ) -> None:
        self.shapes = shapes if shapes is not None else Shapes()
        self.lasting = lasting if lasting is not None else {}
        self.memo: dict[int, tuple[object, bytes, tuple[str, ...]]] = {}
        self.shows: list[str] = []
        self._kinds: dict[type, int] = {}
        self._fields: dict[type, tuple[tuple[bytes, str], ...]] = {}

    def __call__(self, obj: object) -> bytes:
        parts: list[bytes] = []
        self._feed(parts, obj)
        return _digest(b"".join(parts))

    def _feed(self, parts: list[bytes], obj: object) -> None:
        kind = type(obj)
        how = self._kinds.get(kind)
        if how is None:
            how = self._kinds[kind] = _kind_of(kind)
        if how == _COMPOSITE:
            parts.append(self._composite(obj))
        elif how == _LASTING:
            known = self.lasting.get(id(obj))
            if known is None:
                known = self.lasting[id(obj)] = (obj, self._composite(obj))  # keeps obj, so its id
            parts.append(known[1])
        elif how == _DOC:
            self.shows.append(obj.path)  # type: ignore[attr-defined]
            parts += (b"doc", self.shapes.record(obj))  # type: ignore[arg-type]
        elif how == _STR:  # Markup renders differently from str: the type counts
            text: str = obj  # type: ignore[assignment]
            tag = b"s" if kind is str else kind.__qualname__.encode()
            parts += (tag, b"%d:" % len(text), text.encode("utf-8", "surrogatepass"))
        elif how == _SCALAR:
            parts.append(b"%s%r;" % (kind.__name__.encode(), obj))
        elif how == _BYTES:
            data: bytes = obj  # type: ignore[assignment]
            parts += (b"b%d:" % len(data), data)
        elif how == _REPR:
            parts.append(repr(obj).encode())
        else:
            parts.append(kind.__qualname__.encode())  # a cache handed to a page: not what it shows

    def _composite(self, obj: object) -> bytes:
        known = self.memo.get(id(obj))
        if known is not None:
            if known[2]:
                self.shows += known[2]
            return known[1]
        start = len(self.shows)
        parts: list[bytes] = [type(obj).__qualname__.encode()]
        feed = self._feed
        if isinstance(obj, tuple | list):
            parts.append(b"%d[" % len(obj))
            for item in obj:
                feed(parts, item)
        elif isinstance(obj, Mapping):
            parts.append(b"%d{" % len(obj))
            for key, value in obj.items():  # in order: templates show mappings in order
                feed(parts, key)
                feed(parts, value)
        elif isinstance(obj, set | frozenset):
            parts += sorted(self(item) for item in obj)
        elif dataclasses.is_dataclass(obj) and not isinstance(obj, type):
            names = self._fields.get(type(obj))
            if names is None:
                names = self._fields[type(obj)] = tuple(
                    (f.name.encode(), f.name) for f in dataclasses.fields(obj)
                )
            for encoded, name in names:
                parts.append(encoded)
                feed(parts, getattr(obj, name))
        elif isinstance(obj, Views):
            for part in (obj.log, obj.now, obj.history):
                feed(parts, part)
        elif isinstance(obj, functools.partial):
            parts.append(f"{obj.func.__module__}.{obj.func.__qualname__}".encode())
            cells = getattr(obj.func, "__closure__", None) or ()
            feed(parts, [cell.cell_contents for cell in cells])  # what a local function sees
            feed(parts, obj.args)
            feed(parts, obj.keywords)
        elif _reads_file(obj):
            parts.append(Path(str(obj.__self__)).read_bytes())  # a theme asset: its bytes
        else:
            parts.append(os.urandom(16))  # not understood: always render again
        d = _digest(b"".join(parts))
        inner = tuple(self.shows[start:]) if len(self.shows) > start else ()
        self.memo[id(obj)] = (obj, d, inner)  # keeps obj alive, so its id is not reused meanwhile
        return d


def _reads_file(obj: object) -> TypeGuard[types.MethodType]:
    return (
        isinstance(obj, types.MethodType)
        and isinstance(obj.__self__, PurePath)
        and obj.__name__ == "read_bytes"
    )


def fingerprint(obj: object) -> bytes:
    """A digest of ``obj``'s value (records, mappings, sequences, scalars); random when not understood."""
    return Printer()(obj)


class Templates:
    """Template name -> digest of its source and of every template it includes, imports or extends.

    The shared macros (``macros.html``, used by the ``item`` and ``facet_nav``
    helpers) count for every template; a template naming others by a variable
    depends on all of them. Sources are parsed again only when their bytes change.
    """

    def __init__(self) -> None:
        self._parsed: dict[tuple[str, bytes], set[str]] = {}

    def digests(self, theme: Theme) -> dict[str, bytes]:
        env, loader = theme.env, theme.env.loader
        assert loader is not None
        names = sorted(env.list_templates())
        source: dict[str, bytes] = {}
        refs: dict[str, set[str]] = {}
        parsed: dict[tuple[str, bytes], set[str]] = {}
        for name in names:
            try:
                text = loader.get_source(env, name)[0]
            except (jinja2.TemplateError, OSError, UnicodeDecodeError):
                text = ""
            source[name] = _digest(text.encode("utf-8", "surrogatepass"))
            key = (name, source[name])
            found = self._parsed.get(key)
            if found is None:
                try:
                    named = jinja2.meta.find_referenced_templates(env.parse(text))
                    found = {"macros.html", *(r if r is not None else "*" for r in named)}
                except jinja2.TemplateError:
                    found = {"*"}
            parsed[key] = refs[name] = found
        self._parsed = parsed
        everything = _digest(b"".join(source[n] + n.encode() for n in names))
        out: dict[str, bytes] = {}
        for name in names:
            seen, todo = set(), [name]
            while todo:
                current = todo.pop()
                if current in seen:
                    continue
                seen.add(current)
                todo += refs.get(current, ())
            if "*" in seen:
                out[name] = everything
            else:
                out[name] = _digest(b"".join(n.encode() + source.get(n, b"missing") for n in sorted(seen)))
        return out


class Rebinder:
    """Puts later records into view objects made from an earlier version of the log of the same shape.

    Remembers, for each view object it has seen, the documents it holds, so a
    rebind descends only into the objects holding an edited document and
    builds new containers only along the way to it; everything else is kept as
    it is. The views must not change in between (they are frozen).
    """

    def __init__(self) -> None:
        self._holds: dict[int, tuple[object, frozenset[str]]] = {}

    def holds(self, obj: Any) -> frozenset[str]:
        """Paths of the documents ``obj`` holds, however deep."""
        if isinstance(obj, Document):
            return frozenset((obj.path,))
        known = self._holds.get(id(obj))
        if known is not None:
            return known[1]
        children = _children(obj)
        if children is None:
            return _NOTHING
        paths = {x.path for x in children if isinstance(x, Document)}
        inner = [self.holds(x) for x in children if not isinstance(x, Document)]
        found = frozenset(paths.union(*inner)) if paths or any(inner) else _NOTHING
        self._holds[id(obj)] = (obj, found)  # keeps obj alive, so its id stays its own
        return found

    def __call__(self, value: Any, records: Mapping[str, Document]) -> Any:
        """``value`` with each document replaced by ``records[its path]`` where that is another record."""
        if not records:
            return value
        edited = frozenset(records)

        def walk(obj: Any) -> Any:
            if isinstance(obj, Document):
                return records.get(obj.path, obj)
            held = self.holds(obj)
            if held.isdisjoint(edited):
                return obj
            out = obj
            if isinstance(obj, tuple | list):
                items = [records.get(x.path, x) if type(x) in _RECORDS else walk(x) for x in obj]
                if any(a is not b for a, b in zip(items, obj, strict=True)):
                    out = type(obj)(items)
            elif isinstance(obj, dict):
                pairs = {k: walk(v) for k, v in obj.items()}
                if any(v is not obj[k] for k, v in pairs.items()):
                    out = pairs
            elif dataclasses.is_dataclass(obj) and not isinstance(obj, type):
                changed = {}
                for f in dataclasses.fields(obj):
                    old = getattr(obj, f.name)
                    if (new := walk(old)) is not old:
                        changed[f.name] = new
                if changed:
                    out = copy.copy(obj)
                    for name, new in changed.items():
                        object.__setattr__(out, name, new)
            if out is not obj:  # the same documents, in later records
                self._holds.pop(id(obj), None)
                self._holds[id(out)] = (out, held)
            return out

        return walk(value)


_NOTHING: frozenset[str] = frozenset()
_RECORDS = frozenset({Decision, Partner, Meeting})
_LEAVES = (str, int, float, bytes, dt.date, dt.time, dt.timedelta, dt.tzinfo, enum.Enum, type(None))


def _children(obj: Any) -> list[Any] | None:
    """What ``obj`` is made of, for the containers views are built from; None for a leaf."""
    if isinstance(obj, _LEAVES):
        return None
    if type(obj) in (tuple, list):
        return [x for x in obj if not isinstance(x, _LEAVES)]
    if isinstance(obj, dict):
        return [v for v in obj.values() if not isinstance(v, _LEAVES)]
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type) and not isinstance(obj, Log):
        return [v for f in dataclasses.fields(obj) if not isinstance(v := getattr(obj, f.name), _LEAVES)]
    return None
