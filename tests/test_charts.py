"""The health page's SVG charts: golden files, accessibility, escaping, empty data.

The charts are drawn from the hand-made log of test_audit.py. Regenerate the
golden SVGs after an intended change with ``python tests/test_charts.py`` and
review ``git diff tests/golden/charts`` (open the files in a browser).
"""

from __future__ import annotations

import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from conftest import REPO
from test_audit import NOW, write_log

from declog.check.checker import load_and_check
from declog.insight.audit import Audit, MonthCount, Participation, Window, audit
from declog.insight.charts import Chart, health_charts, lag_chart, months_chart, participation_chart

GOLDEN = REPO / "tests" / "golden" / "charts"
SVG = "{http://www.w3.org/2000/svg}"


def hand_audit(root: Path) -> Audit:
    write_log(root)
    log = load_and_check(root).log
    assert log is not None
    return audit(log, Window(now=NOW))


@pytest.fixture(scope="module")
def charts(tmp_path_factory: pytest.TempPathFactory) -> tuple[Chart, ...]:
    return health_charts(hand_audit(tmp_path_factory.mktemp("charts") / "log"))


def test_golden_svgs(charts: tuple[Chart, ...]) -> None:
    assert sorted(p.name for p in GOLDEN.glob("*.svg")) == sorted(f"{c.key}.svg" for c in charts)
    for c in charts:
        assert (GOLDEN / f"{c.key}.svg").read_text(encoding="utf-8") == c.svg + "\n", (
            f"{c.key}.svg changed; regenerate with `python tests/test_charts.py` and review the diff"
        )


def test_every_chart_is_an_accessible_image(charts: tuple[Chart, ...]) -> None:
    for c in charts:
        root = ET.fromstring(c.svg)
        assert root.get("role") == "img"
        title_id, desc_id = root.get("aria-labelledby", "").split()
        title = root.find(f"{SVG}title")
        desc = root.find(f"{SVG}desc")
        assert title is not None and desc is not None
        assert (title.get("id"), title.text) == (title_id, c.title)
        assert (desc.get("id"), desc.text) == (desc_id, c.desc)
        # colours come from CSS (custom properties, currentColor), never from attributes
        assert not [e for e in root.iter() if e.get("fill") or e.get("stroke")]
        assert "var(--chart-1," in c.svg and "currentColor" in c.svg and "@media print" in c.svg


def test_text_equivalents_hold_the_numbers(charts: tuple[Chart, ...]) -> None:
    months, lag, resolution, participation = charts
    assert months.table.rows == (("2026-01", "1", "3", "4"), ("2026-02", "0", "6", "6"))
    assert months.desc.startswith("10 decisions from 2026-01 to 2026-02")
    # lags 0, 1h, 6h, 48h, 72h
    assert [r[:2] for r in lag.table.rows] == [
        ("on time", "1"),
        ("≤ 1h", "1"),
        ("1h–1d", "1"),
        ("1–3d", "2"),
        ("3–7d", "0"),
        ("> 7d", "0"),
    ]
    assert resolution.table.rows == (
        ("async", "4", "3d 6h", "2d 12h", "5d"),
        ("sync", "1", "10d 1h", "10d 1h", "10d 1h"),
    )
    assert participation.table.rows[1] == ("Globex Inc", "8", "3", "2", "1", "0")  # 0006: silence that is due
    assert "Initech: party to 1, approved 1, silence 0, pending 0, absent 1" in participation.desc


def test_every_value_has_a_tooltip(charts: tuple[Chart, ...]) -> None:
    resolution = ET.fromstring(charts[2].svg)
    tips = [t.text for c in resolution.iter(f"{SVG}circle") for t in c.iter(f"{SVG}title")]
    assert tips == ["0001: 3d 12h", "0003: 2d 12h", "0004: 3d", "0005: 5d", "0002: 10d 1h"]


def test_names_are_escaped() -> None:
    row = Participation("x", 'Smith & "Sons" <Ltd>', ("0001",), ("0001",), (), (), ())
    chart = participation_chart([row])
    root = ET.fromstring(chart.svg)  # parses: nothing unescaped
    assert 'Smith & "Sons" <Ltd>' in [t.text for t in root.iter(f"{SVG}text")]
    assert "Smith &amp; &quot;Sons&quot; &lt;Ltd&gt;" in chart.svg


def test_empty_data_says_so() -> None:
    for chart in (months_chart([]), lag_chart([]), participation_chart([])):
        root = ET.fromstring(chart.svg)
        assert chart.desc.startswith("No ")
        assert all(row[1] == "0" for row in chart.table.rows)  # the lag table keeps its empty buckets
        assert [t.text for t in root.iter(f"{SVG}text")] == [chart.desc]


def test_months_keep_empty_months_and_count_undated() -> None:
    chart = months_chart(
        [MonthCount("2026-01", 1, 0), MonthCount("2026-02", 0, 0), MonthCount("2026-03", 0, 2)], undated=1
    )
    assert [r[0] for r in chart.table.rows] == ["2026-01", "2026-02", "2026-03"]
    assert chart.desc.endswith("1 undated decisions are not shown.")
    assert len(ET.fromstring(chart.svg).findall(f"{SVG}rect")) == 2 + 2  # two legend swatches, two bars


def regenerate() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        charts = health_charts(hand_audit(Path(tmp) / "log"))
    GOLDEN.mkdir(parents=True, exist_ok=True)
    for old in GOLDEN.glob("*.svg"):
        old.unlink()
    for c in charts:
        (GOLDEN / f"{c.key}.svg").write_text(c.svg + "\n", encoding="utf-8")
    print(f"tests/golden/charts: {len(charts)} charts as of {NOW.date()}", file=sys.stderr)


if __name__ == "__main__":
    regenerate()
