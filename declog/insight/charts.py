"""Small SVG charts for the health page, built as strings at build time.

No JavaScript and no plotting library: each chart is a handful of rectangles,
circles and text, every value escaped. Each chart is accessible on its own
(``role="img"``, ``<title>`` and ``<desc>`` named by ``aria-labelledby``) and
comes with a ``Table`` holding the same numbers, which the page shows next to
it. Colours are CSS custom properties with fallbacks (``--chart-1`` ...), text
and axes use ``currentColor``, so the page's dark-mode and print styles apply.
Output is deterministic: the same data gives the same bytes (golden tests).
"""

from __future__ import annotations

import datetime as dt
import html
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from declog.insight.audit import Audit, MonthCount, Participation
from declog.log import vocab
from declog.log.timeparse import format_duration

#: Series -> (CSS class, custom property, fallback colour readable on light and dark backgrounds).
_SERIES: Mapping[str, tuple[str, str]] = {
    "sync": ("--chart-1", "#3b82f6"),
    "async": ("--chart-2", "#f59e0b"),
    "approved": ("--chart-3", "#10b981"),
    "silence": ("--chart-4", "#a78bfa"),
    "pending": ("--chart-2", "#f59e0b"),
    "absent": ("--chart-5", "#ef4444"),
    "lag": ("--chart-1", "#3b82f6"),
}

STYLE = (
    ".dlc text{fill:currentColor;font:11px system-ui,sans-serif}"
    ".dlc .axis{stroke:currentColor;stroke-opacity:.45;stroke-width:1}"
    ".dlc .grid{stroke:currentColor;stroke-opacity:.12;stroke-width:1}"
    ".dlc .median{stroke:currentColor;stroke-width:2}"
    + "".join(f".dlc .s-{name}{{fill:var({var},{fallback})}}" for name, (var, fallback) in _SERIES.items())
    + "@media print{.dlc text{fill:#000}.dlc .axis,.dlc .grid,.dlc .median{stroke:#000}}"
)


@dataclass(frozen=True)
class Table:
    """The chart's numbers as a table: its text equivalent."""

    caption: str
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Chart:
    key: str
    """Unique on the page; prefixes the SVG's element ids."""
    title: str
    desc: str
    """What the chart shows, in words (the SVG's <desc>)."""
    svg: str
    table: Table


def esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def _num(x: float) -> str:
    """Coordinates with at most one decimal, so output is stable across platforms."""
    text = f"{x:.1f}"
    return text[:-2] if text.endswith(".0") else text


class _Svg:
    def __init__(self, key: str, title: str, desc: str, width: float, height: float) -> None:
        self.parts = [
            f'<svg xmlns="http://www.w3.org/2000/svg" class="dlc" viewBox="0 0 {_num(width)} {_num(height)}" '
            f'width="{_num(width)}" height="{_num(height)}" role="img" '
            f'aria-labelledby="{key}-title {key}-desc">',
            f'<title id="{key}-title">{esc(title)}</title>',
            f'<desc id="{key}-desc">{esc(desc)}</desc>',
            f"<style>{STYLE}</style>",
        ]

    def rect(self, x: float, y: float, w: float, h: float, cls: str, tip: str) -> None:
        self.parts.append(
            f'<rect class="{cls}" x="{_num(x)}" y="{_num(y)}" width="{_num(max(w, 0))}" '
            f'height="{_num(max(h, 0))}"><title>{esc(tip)}</title></rect>'
        )

    def circle(self, x: float, y: float, r: float, cls: str, tip: str) -> None:
        self.parts.append(
            f'<circle class="{cls}" cx="{_num(x)}" cy="{_num(y)}" r="{_num(r)}">'
            f"<title>{esc(tip)}</title></circle>"
        )

    def line(self, x1: float, y1: float, x2: float, y2: float, cls: str) -> None:
        self.parts.append(
            f'<line class="{cls}" x1="{_num(x1)}" y1="{_num(y1)}" x2="{_num(x2)}" y2="{_num(y2)}"/>'
        )

    def text(self, x: float, y: float, content: str, anchor: str = "start", rotate: int = 0) -> None:
        turn = f' transform="rotate({rotate} {_num(x)} {_num(y)})"' if rotate else ""
        self.parts.append(
            f'<text x="{_num(x)}" y="{_num(y)}" text-anchor="{anchor}"{turn}>{esc(content)}</text>'
        )

    def legend(self, x: float, y: float, series: Sequence[str]) -> None:
        for name in series:
            self.rect(x, y - 9, 10, 10, f"s-{name}", name)
            self.text(x + 14, y, name)
            x += 24 + 7 * len(name)

    def done(self) -> str:
        return "".join([*self.parts, "</svg>"])


def _ticks(top: int) -> tuple[int, list[int]]:
    """A rounded axis maximum and integer ticks up to it (at most six)."""
    top = max(top, 1)
    step = next(s for s in (1, 2, 5, 10, 20, 25, 50, 100, 200, 500, 1000) if top / s <= 5 or s == 1000)
    ceiling = -(-top // step) * step
    return ceiling, list(range(0, ceiling + 1, step))


def _empty(key: str, title: str, what: str, table: Table) -> Chart:
    desc = f"No {what} in the window."
    svg = _Svg(key, title, desc, 320, 60)
    svg.text(160, 34, desc, anchor="middle")
    return Chart(key, title, desc, svg.done(), table)


# --- the four charts of the health page -------------------------------------------------------


def months_chart(months: Sequence[MonthCount], key: str = "chart-months", undated: int = 0) -> Chart:
    """Decisions per month, stacked by mode."""
    title = "Decisions per month by mode"
    table = Table(
        "Decisions per month by mode",
        ("Month", "sync", "async", "total"),
        tuple((m.month, str(m.sync), str(m.async_), str(m.sync + m.async_)) for m in months),
    )
    if not months:
        return _empty(key, title, "dated decisions", table)
    total = sum(m.sync + m.async_ for m in months)
    busiest = max(months, key=lambda m: (m.sync + m.async_, m.month))
    desc = (
        f"{total} decisions from {months[0].month} to {months[-1].month}, by the month they were decided "
        f"(else proposed, else logged); the busiest month was {busiest.month} with "
        f"{busiest.sync + busiest.async_}. Sync and async are stacked."
    )
    if undated:
        desc += f" {undated} undated decisions are not shown."
    left, top, plot_h, step = 34, 28, 140, 34
    width = max(320, left + step * len(months) + 10)
    height = top + plot_h + 56
    ceiling, ticks = _ticks(max(m.sync + m.async_ for m in months))
    svg = _Svg(key, title, desc, width, height)
    svg.legend(left, 14, ("sync", "async"))
    base = top + plot_h
    for t in ticks:
        y = base - plot_h * t / ceiling
        svg.line(left, y, width - 10, y, "grid")
        svg.text(left - 6, y + 4, str(t), anchor="end")
    for i, m in enumerate(months):
        x = left + step * i + 7
        y = base
        for series, count in (("sync", m.sync), ("async", m.async_)):
            h = plot_h * count / ceiling
            if count:
                svg.rect(x, y - h, step - 14, h, f"s-{series}", f"{m.month}: {count} {series}")
            y -= h
        svg.text(x + (step - 14) / 2, base + 14, m.month, anchor="end", rotate=-45)
    svg.line(left, base, width - 10, base, "axis")
    return Chart(key, title, desc, svg.done(), table)


#: Logging-lag buckets: (label, upper bound inclusive; None for no bound).
LAG_BUCKETS: tuple[tuple[str, dt.timedelta | None], ...] = (
    ("on time", dt.timedelta(0)),
    ("≤ 1h", dt.timedelta(hours=1)),
    ("1h–1d", dt.timedelta(days=1)),
    ("1–3d", dt.timedelta(days=3)),
    ("3–7d", dt.timedelta(days=7)),
    ("> 7d", None),
)


def lag_buckets(lags: Sequence[tuple[str, dt.timedelta]]) -> list[tuple[str, list[str]]]:
    out: list[tuple[str, list[str]]] = [(label, []) for label, _ in LAG_BUCKETS]
    for did, lag in lags:
        for i, (_, bound) in enumerate(LAG_BUCKETS):
            if bound is None or lag <= bound:
                out[i][1].append(did)
                break
    return out


def lag_chart(lags: Sequence[tuple[str, dt.timedelta]], key: str = "chart-lag") -> Chart:
    """How long after the decision entries were logged, as a histogram."""
    title = "Logging lag (decided → logged)"
    buckets = lag_buckets(lags)
    table = Table(
        "Decided entries by logging lag",
        ("Lag", "entries", "decisions"),
        tuple((label, str(len(ids)), ", ".join(ids)) for label, ids in buckets),
    )
    if not lags:
        return _empty(key, title, "decided entries with a decided and a logged time", table)
    desc = (
        f"{len(lags)} decided entries by how long after the decision they were logged: "
        + "; ".join(f"{label}: {len(ids)}" for label, ids in buckets)
        + ". On time means logged at or before the decision."
    )
    left, top, plot_h, step = 34, 12, 140, 50
    width = left + step * len(buckets) + 10
    svg = _Svg(key, title, desc, width, top + plot_h + 30)
    ceiling, ticks = _ticks(max(len(ids) for _, ids in buckets))
    base = top + plot_h
    for t in ticks:
        y = base - plot_h * t / ceiling
        svg.line(left, y, width - 10, y, "grid")
        svg.text(left - 6, y + 4, str(t), anchor="end")
    for i, (label, ids) in enumerate(buckets):
        x = left + step * i + 8
        h = plot_h * len(ids) / ceiling
        if ids:
            svg.rect(x, base - h, step - 16, h, "s-lag", f"{label}: {len(ids)} ({', '.join(ids)})")
        svg.text(x + (step - 16) / 2, base + 16, label, anchor="middle")
    svg.line(left, base, width - 10, base, "axis")
    return Chart(key, title, desc, svg.done(), table)


def _median(values: Sequence[dt.timedelta]) -> dt.timedelta:
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def _time_step(top: dt.timedelta) -> dt.timedelta:
    hours = (1, 3, 6, 12, 24, 48, 72, 168, 336, 720, 1440, 2160, 4320, 8760)
    return next(
        (dt.timedelta(hours=h) for h in hours if top / dt.timedelta(hours=h) <= 6), dt.timedelta(days=730)
    )


def resolution_chart(
    resolution: Mapping[str, Sequence[tuple[str, dt.timedelta]]], key: str = "chart-resolution"
) -> Chart:
    """Time from proposal to decision per mode: one dot per decision, a bar at the median."""
    title = "Time to resolution by mode (proposed → decided)"
    modes = [m for m in (vocab.ASYNC, vocab.SYNC) if m in resolution]
    table = Table(
        "Time to resolution by mode",
        ("Mode", "decisions", "median", "shortest", "longest"),
        tuple(
            (
                mode,
                str(len(resolution[mode])),
                *(
                    (
                        format_duration(_median([v for _, v in resolution[mode]])),
                        format_duration(min(v for _, v in resolution[mode])),
                        format_duration(max(v for _, v in resolution[mode])),
                    )
                    if resolution[mode]
                    else ("n/a", "n/a", "n/a")
                ),
            )
            for mode in modes
        ),
    )
    values = [v for mode in modes for _, v in resolution[mode]]
    if not values:
        return _empty(key, title, "resolved decisions with a proposed and a decided time", table)
    desc = "; ".join(
        f"{mode}: {len(resolution[mode])} decisions"
        + (
            f", median {format_duration(_median([v for _, v in resolution[mode]]))}"
            if resolution[mode]
            else ""
        )
        for mode in modes
    )
    desc += ". Each dot is one decision; the vertical bar marks the median."
    left, right, row_h, top = 56, 16, 36, 10
    width = 480
    plot_w = width - left - right
    step = _time_step(max(max(values), dt.timedelta(hours=1)))
    ceiling = step * max(1, -(-max(values) // step))
    height = top + row_h * len(modes) + 28
    svg = _Svg(key, title, desc, width, height)
    base = top + row_h * len(modes)
    t = dt.timedelta(0)
    while t <= ceiling:
        x = left + plot_w * (t / ceiling)
        svg.line(x, top, x, base, "grid")
        svg.text(x, base + 16, format_duration(t) if t else "0", anchor="middle")
        t += step
    for row, mode in enumerate(modes):
        y = top + row_h * row + row_h / 2
        svg.text(left - 8, y + 4, mode, anchor="end")
        for did, v in resolution[mode]:
            svg.circle(left + plot_w * (v / ceiling), y, 4, f"s-{mode}", f"{did}: {format_duration(v)}")
        if resolution[mode]:
            mx = left + plot_w * (_median([v for _, v in resolution[mode]]) / ceiling)
            svg.line(mx, y - 11, mx, y + 11, "median")
    svg.line(left, base, width - right, base, "axis")
    return Chart(key, title, desc, svg.done(), table)


_PARTICIPATION = ("approved", "silence", "pending", "absent")


def participation_chart(rows: Sequence[Participation], key: str = "chart-participation") -> Chart:
    """Per partner: approvals given, silence counted, approvals pending, decisions made in its absence."""
    title = "Participation per partner"
    table = Table(
        "Participation per partner",
        ("Partner", "party to", *_PARTICIPATION),
        tuple((p.name, str(p.n), *(str(len(getattr(p, c))) for c in _PARTICIPATION)) for p in rows),
    )
    if not rows:
        return _empty(key, title, "partners", table)
    desc = "; ".join(
        f"{p.name}: party to {p.n}, " + ", ".join(f"{c} {len(getattr(p, c))}" for c in _PARTICIPATION)
        for p in rows
    )
    desc += "."
    left, right, bar_h, top = 150, 40, 10, 24
    name_lines = max((len(textwrap.wrap(p.name, 20)) for p in rows), default=1)
    group_h = bar_h * len(_PARTICIPATION) + 14 + 12 * max(0, name_lines - 2)
    width = 480
    plot_w = width - left - right
    ceiling, ticks = _ticks(max(max(p.n for p in rows), 1))
    height = top + group_h * len(rows) + 20
    svg = _Svg(key, title, desc, width, height)
    svg.legend(left, 14, _PARTICIPATION)
    base = top + group_h * len(rows)
    for t in ticks:
        x = left + plot_w * t / ceiling
        svg.line(x, top, x, base, "grid")
        svg.text(x, base + 14, str(t), anchor="middle")
    for i, p in enumerate(rows):
        y0 = top + group_h * i + 4
        # the whole name, wrapped at word boundaries, its last line just above "party to N"
        lines = textwrap.wrap(p.name, 20) or [p.name]
        for k, line in enumerate(lines):
            svg.text(left - 8, y0 + 2 * bar_h + 4 - 12 * (len(lines) - 1 - k), line, anchor="end")
        svg.text(left - 8, y0 + 3 * bar_h + 6, f"party to {p.n}", anchor="end")
        for j, c in enumerate(_PARTICIPATION):
            count = len(getattr(p, c))
            y = y0 + bar_h * j
            w = plot_w * count / ceiling
            if count:
                svg.rect(left, y, w, bar_h - 2, f"s-{c}", f"{p.name}: {c} {count}")
            svg.text(left + w + 4, y + bar_h - 2, str(count))
    svg.line(left, top, left, base, "axis")
    return Chart(key, title, desc, svg.done(), table)


def health_charts(audit: Audit) -> tuple[Chart, ...]:
    """The health page's charts, in page order."""
    return (
        months_chart(audit.months, undated=audit.undated),
        lag_chart(audit.lags),
        resolution_chart(audit.resolution),
        participation_chart(audit.participation),
    )
