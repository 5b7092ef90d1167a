"""Charts: Report.plot_target, Report.plot_dashboard and plot_standard (planeval._plots).

Drawn from the embedded Baijiantan plan evaluated at 2023-12-31 with the ILLUSTRATIVE (made-up)
school data of examples/baijiantan/illustrative_observations.csv; the numbers checked below are the
report's own (t1_primary_assoc_senior: baseline 29 in 2020, data 32, 37, 41 in 2021-2023, goal
>= 60 by 2025-12-31, forecast 49.4, lagging).

Chinese labels need a CJK font (CI installs Debian's fonts-noto-cjk); the glyph test is skipped
without one, and the fallback to English is tested by pretending there is none.
"""

from __future__ import annotations

import datetime
import io
import json
import re
import unicodedata
import warnings
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("matplotlib")

from matplotlib.collections import LineCollection
from matplotlib.colors import to_hex
from matplotlib.dates import date2num
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle
from matplotlib.text import Text

import planeval
from planeval import _plots
from planeval._display import STATUS_MARK
from planeval._report import _STATUS_COLOUR, STATUSES

REPO_ROOT = Path(__file__).resolve().parent.parent.parent
CSV = REPO_ROOT / "examples" / "baijiantan" / "illustrative_observations.csv"
AS_OF = datetime.date(2023, 12, 31)
DEADLINE = datetime.date(2025, 12, 31)
LAGGING = "t1_primary_assoc_senior"


def _plan(text: str | None = None) -> planeval.Plan:
    plan = planeval.example_plan() if text is None else planeval.parse_plan(text)
    for sid in sorted({t.standard for t in plan.targets if t.standard}):
        plan.add_standard_indicators(planeval.builtin_standard(sid))
    return plan


@pytest.fixture(scope="module")
def setup() -> tuple[planeval.Plan, planeval.Observations, planeval.Report]:
    plan = _plan()
    obs, _ = planeval.read_csv(plan, CSV)
    return plan, obs, plan.evaluate(obs, as_of=AS_OF)


@pytest.fixture(scope="module")
def report(setup: tuple[planeval.Plan, planeval.Observations, planeval.Report]) -> planeval.Report:
    return setup[2]


@pytest.fixture(scope="module")
def standard_result(
    setup: tuple[planeval.Plan, planeval.Observations, planeval.Report],
) -> planeval.StandardResult:
    plan, obs, _ = setup
    std = planeval.builtin_standard("compulsory_quality_balance_2017")
    return planeval.evaluate_standard(std, plan, obs, period=2023)


def _line(fig: Figure, gid: str) -> Line2D:
    found = [a for a in fig.axes[0].lines if a.get_gid() == gid]
    assert len(found) == 1, f"one line {gid!r} expected, got {len(found)}"
    return found[0]


def _xy(line: Line2D) -> list[tuple[float, float]]:
    return [(float(x), float(y)) for x, y in line.get_xydata()]  # type: ignore[union-attr]


def _x(day: datetime.date) -> float:
    return float(date2num(day))


def _texts(fig: Figure) -> list[str]:
    return [t.get_text() for t in fig.findobj(Text) if t.get_text()]


def _title(fig: Figure) -> Text:
    """The Text of the (left) title of the figure's first axes."""
    title = fig.axes[0].get_title(loc="left")
    (text,) = [t for t in fig.findobj(Text) if t.get_text() == title]
    return text


def _has_cjk(text: str) -> bool:
    return any(unicodedata.east_asian_width(c) in ("W", "F") for c in text)


# --- one target ----------------------------------------------------------------------------------


def test_plot_target_draws_the_series_the_goal_the_path_and_the_forecast(report: planeval.Report) -> None:
    t = report.target(LAGGING)
    assert (t["status"], t["goal"], t["forecast"]) == ("lagging", 60.0, pytest.approx(49.4))
    fig = report.plot_target(LAGGING, lang="en")
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    # the goal marker at (deadline, goal), and the dashed goal line
    assert _xy(_line(fig, "goal")) == [(_x(DEADLINE), 60.0)]
    assert any(line.get_linestyle() == "--" and list(line.get_ydata()) == [60.0, 60.0] for line in ax.lines)
    # baseline and the values rolled up from the data
    assert _xy(_line(fig, "baseline")) == [(_x(datetime.date(2020, 12, 31)), 29.0)]
    assert _xy(_line(fig, "data")) == [
        (_x(datetime.date(y, 12, 31)), v) for y, v in ((2021, 32.0), (2022, 37.0), (2023, 41.0))
    ]
    # the expected linear path from the baseline to the goal, and the expected value now
    assert _xy(_line(fig, "expected_path")) == [(_x(datetime.date(2020, 12, 31)), 29.0), (_x(DEADLINE), 60.0)]
    assert _xy(_line(fig, "expected")) == [(_x(AS_OF), pytest.approx(47.6))]
    # the forecast, dotted, from the latest value to the deadline
    forecast = _line(fig, "forecast")
    assert forecast.get_linestyle() == ":"
    assert _xy(forecast) == [(_x(AS_OF), 41.0), (_x(DEADLINE), pytest.approx(49.4))]
    # the evaluation date
    assert _xy(_line(fig, "as_of"))[0][0] == _x(AS_OF)
    # the three phases as shaded spans with their names
    spans = [p for p in ax.patches if p.get_zorder() == 0]
    assert len(spans) == 3
    assert {"Phase 1", "Phase 2", "Phase 3"} <= set(_texts(fig))
    # the status in the title, on the status colour; the unit on the y axis
    title = ax.get_title(loc="left")
    assert "lagging" in title and "Primary associate-senior-title teachers" in title
    patch = _title(fig).get_bbox_patch()
    assert patch is not None and to_hex(patch.get_facecolor()) == _STATUS_COLOUR["lagging"]
    assert ax.get_ylabel() == "persons"
    # the one-sentence explanation underneath, with units in English
    assert any("lagging by 6.6 persons" in s.replace("\n", " ") for s in _texts(fig))


def test_plot_target_in_chinese_names_the_status(report: planeval.Report) -> None:
    if _plots.find_cjk_font() is None:
        pytest.skip("no CJK font installed (CI installs fonts-noto-cjk)")
    fig = report.plot_target(LAGGING, lang="zh")
    title = fig.axes[0].get_title(loc="left")
    assert "进度滞后" in title and "小学副高级职称专任教师数" in title
    assert fig.axes[0].get_ylabel() == "人"
    assert {"第一阶段\n爬坡过坎，固牢基础", "第三阶段\n提质增效，高位高品"} <= set(_texts(fig))


def test_plot_target_marks_milestones() -> None:
    data = json.loads(planeval.example_plan_json())
    (target,) = [t for t in data["targets"] if t["id"] == LAGGING]
    target["milestones"] = [{"date": "2023", "value": 45}]
    plan = _plan(json.dumps(data, ensure_ascii=False))
    obs, _ = planeval.read_csv(plan, CSV)
    fig = plan.evaluate(obs, as_of=AS_OF).plot_target(LAGGING, lang="en")
    assert _xy(_line(fig, "milestones")) == [(_x(datetime.date(2023, 12, 31)), 45.0)]
    assert "milestone" in [t.get_text() for t in fig.axes[0].get_legend().get_texts()]


def test_plot_target_of_a_milestone_without_a_result(report: planeval.Report) -> None:
    # a pass/fail milestone not yet due: no values, the goal (passed = 1) at the deadline
    t = report.target("front_rank_city_modernization_2025")
    assert t["status"] == "not_due" and not t["trace"]["points"]
    fig = report.plot_target(t["id"], lang="en")
    assert _xy(_line(fig, "goal")) == [(_x(DEADLINE), 1.0)]
    assert not [line for line in fig.axes[0].lines if line.get_gid() in ("data", "forecast", "expected_path")]
    assert "not due" in fig.axes[0].get_title(loc="left")
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == ["not done (0)", "done (1)"]


def test_plot_target_on_given_axes(report: planeval.Report) -> None:
    fig = Figure()
    left, right = fig.subplots(1, 2)
    assert report.plot_target(LAGGING, ax=right, lang="en") is fig
    assert not left.lines and len(right.lines) > 5
    assert len(fig.texts) == 0  # no sentence added to a figure we did not make


def test_plot_target_errors(report: planeval.Report) -> None:
    with pytest.raises(KeyError):
        report.plot_target("no_such_target", lang="en")
    with pytest.raises(planeval.Error, match="lang"):
        report.plot_target(LAGGING, lang="fr")


# --- every target --------------------------------------------------------------------------------


def _cells(fig: Figure) -> list[Rectangle]:
    return [
        p
        for p in fig.axes[0].patches
        if isinstance(p, Rectangle) and (p.get_gid() or "").startswith("target:")
    ]


@pytest.mark.parametrize("by", ["domain", "stage"])
def test_dashboard_has_one_cell_per_target_on_its_status_colour(report: planeval.Report, by: str) -> None:
    fig = report.plot_dashboard(lang="en", by=by)
    cells = _cells(fig)
    targets = report.targets
    assert len(cells) == len(targets) == 142
    status = {t["id"]: t["status"] for t in targets}
    assert {c.get_gid()[len("target:") :] for c in cells} == set(status)  # type: ignore[index]
    for c in cells:
        tid = c.get_gid()[len("target:") :]  # type: ignore[index]
        assert to_hex(c.get_facecolor()) == _STATUS_COLOUR[status[tid]]
        assert c.get_url() == f"#target-{tid}"
    # no two cells overlap
    corners = {(round(c.get_x(), 3), round(c.get_y(), 3)) for c in cells}
    assert len(corners) == 142
    # the legend counts every status
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    summary = report.summary
    # each status by its mark as well as its colour (colour-blind readers, grey printing)
    assert legend == [f"{STATUS_MARK[s]} {_plots.status_label(s, 'en')} {summary[s]}" for s in STATUSES]
    assert "↓ lagging 9" in legend and sum(summary.values()) == 142
    rows = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    if by == "domain":
        assert rows[0] == "teachers (27)" and len(rows) == len(report.to_dict()["by_domain"])
    else:
        assert rows == [
            "district-wide (124)",  # the core's scope word of a district
            "kindergarten (3)",
            "primary (4)",
            "junior secondary (5)",
            "senior high (6)",
        ]
    columns = [t.get_text() for t in fig.axes[0].get_xticklabels()]
    assert columns == ["Phase 1\n2021–2022", "Phase 2\n2023–2024", "Phase 3\n2025", "no phase"]


def test_dashboard_rejects_an_unknown_grouping(report: planeval.Report) -> None:
    with pytest.raises(planeval.Error, match="by"):
        report.plot_dashboard(lang="en", by="school")


# --- an official standard ------------------------------------------------------------------------


def test_plot_standard_heat_map_and_cvs(standard_result: planeval.StandardResult) -> None:
    result = standard_result
    fig = _plots.plot_standard(result, lang="en")
    heat, cv = fig.axes[0], fig.axes[1]
    # the heat map: schools x the 7 indicators, value / threshold per cell
    (image,) = heat.images
    data = image.get_array()
    assert data is not None and data.shape == (8, 7)
    ps5 = next(u for u in result.units if u["unit"] == "ps_5")
    row = [t.get_text() for t in heat.get_yticklabels()]
    assert row[4] == "ps_5 · primary · 5/7 not met"
    assert [f"{v['ratio']:.2f}" for v in ps5["values"]] == [
        t.get_text() for t in heat.texts if t.get_position()[1] == 4
    ]
    assert not [p for p in heat.patches if p.get_gid() == "below_floor"]  # every value above 85%
    # the CVs: one bar per stage and indicator, each with its limit
    bars = [p for p in cv.patches if isinstance(p, Rectangle)]
    assert len(bars) == len(result.cvs) == 14
    heights = sorted(round(b.get_height(), 6) for b in bars)
    assert heights == sorted(round(c["cv"], 6) for c in result.cvs)  # type: ignore[arg-type]
    limits = [c for c in cv.collections if isinstance(c, LineCollection) and c.get_gid() == "limit"]
    segments = [seg for c in limits for seg in c.get_segments()]
    assert sorted(round(seg[0][1], 6) for seg in segments) == [0.45] * 7 + [0.5] * 7
    # each limit spans its bar
    for bar in bars:
        centre = bar.get_x() + bar.get_width() / 2
        assert sum(1 for seg in segments if seg[0][0] < centre < seg[1][0]) == 1
    (failed,) = [b for b in bars if to_hex(b.get_facecolor()) == "#d73027"]
    assert failed.get_height() == pytest.approx(0.5242875)  # junior sports space above 0.45
    assert "failed" in fig.get_suptitle()


def test_plot_standard_marks_values_below_the_floor(tmp_path: Path) -> None:
    # ps_5's equipment value 2080 -> 1500 yuan per student: 75% of the 2000 threshold, below 85%
    text = CSV.read_text(encoding="utf-8")
    old = "equipment_value_per_student,ps_5,2023,2080,"
    assert old in text
    path = tmp_path / "below.csv"
    path.write_text(text.replace(old, "equipment_value_per_student,ps_5,2023,1500,"), encoding="utf-8")
    plan = _plan()
    obs, _ = planeval.read_csv(plan, path)
    std = planeval.builtin_standard("compulsory_quality_balance_2017")
    result = planeval.evaluate_standard(std, plan, obs, period=2023)
    below = [(u["unit"], v["indicator"]) for u in result.units for v in u["values"] if not v["above_floor"]]
    assert below == [("ps_5", "equipment_value_per_student")]
    fig = _plots.plot_standard(result, lang="en")
    (frame,) = [p for p in fig.axes[0].patches if p.get_gid() == "below_floor"]
    assert (frame.get_x(), frame.get_y()) == (5 - 0.5, 4 - 0.5)  # column 6 (equipment), row 5 (ps_5)


def test_plot_standard_without_school_data(setup: Any) -> None:
    plan, obs, _ = setup
    std = planeval.builtin_standard("preschool_universal_inclusive_2020")
    result = planeval.evaluate_standard(std, plan, obs, period=2023)
    assert not result.units and not result.cvs
    fig = _plots.plot_standard(result, lang="en")
    assert {"no school-level values", "no coefficients of variation"} <= set(_texts(fig))


# --- Chinese text --------------------------------------------------------------------------------


def _render_all(fig: Figure) -> None:
    for fmt in ("png", "svg"):
        fig.savefig(io.BytesIO(), format=fmt, dpi=50)


def test_chinese_charts_have_every_glyph(report: planeval.Report, standard_result: Any) -> None:
    font = _plots.find_cjk_font()
    if font is None:
        pytest.skip("no CJK font installed (CI installs fonts-noto-cjk)")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        figs = [
            report.plot_target(LAGGING, lang="zh"),
            report.plot_dashboard(lang="zh"),
            _plots.plot_standard(standard_result, lang="zh"),
        ]
        for fig in figs:
            _render_all(fig)
    missing = [str(w.message) for w in caught if "missing from" in str(w.message)]
    assert not missing, missing[:3]
    assert not [w for w in caught if issubclass(w.category, _plots.PlanevalWarning)]
    assert _title(figs[0]).get_fontfamily()[0] == font
    assert any(_has_cjk(s) for s in _texts(figs[1]))
    # lang=None: Chinese when a CJK font is installed
    assert "进度滞后" in report.plot_target(LAGGING).axes[0].get_title(loc="left")


def test_without_a_cjk_font_charts_warn_once_and_use_english(
    report: planeval.Report, standard_result: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_plots, "find_cjk_font", lambda: None)
    monkeypatch.setattr(_plots, "_warned_no_cjk", False)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        figs = [
            report.plot_target(LAGGING, lang="zh"),
            report.plot_dashboard(),
            _plots.plot_standard(standard_result, lang="zh"),
        ]
        for fig in figs:
            _render_all(fig)
        assert "lagging" in report.plot_target(LAGGING).axes[0].get_title(loc="left")  # lang=None
    ours = [w for w in caught if issubclass(w.category, _plots.PlanevalWarning)]
    assert len(ours) == 1 and "CJK font" in str(ours[0].message)
    assert not [w for w in caught if "missing from" in str(w.message)]
    assert "lagging" in figs[0].axes[0].get_title(loc="left")
    for fig in figs:
        assert not [s for s in _texts(fig) if _has_cjk(s)]
    # English asked for: no warning at all
    monkeypatch.setattr(_plots, "_warned_no_cjk", False)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        report.plot_target(LAGGING, lang="en")
    assert not caught


def test_wrap_counts_chinese_characters_double() -> None:
    assert _plots.wrap("小学副高级职称专任教师数", 10) == "小学副高级\n职称专任教\n师数"
    assert _plots.wrap("a few English words here", 10) == "a few\nEnglish\nwords here"


# --- honest axes, marks, sources (issue 16) --------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "unit", "values", "expected"),
    [
        # a count of 0 or 1 accidents: from 0, whole-number ticks, never -0.02..0.06
        ("count", "起", [0.0, 1.0, 0.0], (0.0, 1.0, None, False, True)),
        ("count", "所", [0.0, 0.0], (0.0, 1.0, None, False, True)),
        # an amount from 0
        ("amount", "万元", [120.0, 150.0], (0.0, 150.0, None, False, False)),
        # a rate near 100: a window of 10 points ending at the largest value (99.5 - 10 = 89.5),
        # marked as zoomed, never above 100
        ("rate", "%", [97.5, 99.5, 98.1], (89.5, 99.5, 100.0, True, False)),
        # a rate with a value below 50: from 0
        ("rate", "%", [20.0, 60.0], (0.0, 60.0, 100.0, False, False)),
        # a growth rate below 0 is not a share: the values with a 12% margin (span 8: -5 - 0.96)
        ("rate", "%", [-5.0, 3.0], (-5.96, 3.0, None, False, False)),
        # a ratio with one value: a margin of 20% of it (16.5 - 0.12 * 3.3 = 16.104)
        ("ratio", "", [16.5], (16.104, 16.5, None, False, False)),
    ],
)
def test_value_axis_is_honest(
    kind: str, unit: str, values: list[float], expected: tuple[object, ...]
) -> None:
    axis = _plots.y_axis(kind, unit, values)
    assert axis.low == pytest.approx(expected[0]) and axis.high == pytest.approx(expected[1])
    assert (axis.top, axis.zoomed, axis.integer) == expected[2:]


def test_percent_chart_has_no_tick_above_100(report: planeval.Report) -> None:
    plan = report._plan
    units = {i.id: i.unit for i in plan.indicators}
    tid = next(
        t["id"]
        for t in report.to_dict()["targets"]
        if units[t["indicator"]] == "%" and len(t["trace"]["points"]) >= 2
    )
    fig = report.plot_target(tid, lang="en")
    ax = fig.axes[0]
    ticks = [y for y in ax.get_yticks() if ax.get_ylim()[0] <= y <= ax.get_ylim()[1]]
    assert ticks and max(ticks) <= 100
    # the line under the chart says where the values come from
    caption = fig.get_supxlabel()
    assert "Source: " in caption and "observation data rolled up" in caption


def test_rule_labels_cover_every_rule() -> None:
    from planeval._display import RULE_LABELS, rule_label

    assert set(planeval._core.rule_names()) <= set(RULE_LABELS)
    assert rule_label("weighted_mean", "zh") == "加权平均（按学生数等权数）"
    assert rule_label("ratio_of_sums", "en") == "sum of numerators ÷ sum of denominators"


def test_dashboard_cells_carry_marks_and_tooltips(report: planeval.Report) -> None:
    fig = report.plot_dashboard(lang="en")
    marks = [t.get_text() for t in fig.axes[0].texts if t.get_text() in STATUS_MARK.values()]
    assert len(marks) == 142  # one mark per target cell
    html = report.to_html(lang="zh")
    tip = re.search(r'<g id="c1-target:t1_primary_assoc_senior"><title>([^<]*)</title>', html)
    assert tip is not None and tip.group(1).endswith("— 进度滞后")
    assert 'target="_blank"' not in html  # in-page links stay in the page


def test_small_percentages_lay_out_without_warnings() -> None:
    # a share of 2.4-8% (postgraduate teachers): the axis is 0-10 (the 10-point minimum window) and
    # the left spine must stop at the axis' top, not run to 100 (which collapsed the layout)
    root = Path(__file__).resolve().parents[2] / "examples" / "unnamed_county"
    plan = planeval.load_plan(str(root / "plan.json"))
    obs, _ = planeval.read_csv(plan, str(root / "illustrative_observations.csv"))
    report = plan.evaluate(obs, as_of=AS_OF)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig = report.plot_target("junior_teacher_postgraduate_share_2025")
        _plots.figure_svg(fig)
    ax = fig.axes[0]
    assert ax.get_ylim()[0] == 0.0 and max(ax.get_yticks()) <= 100
    assert ax.spines["left"].get_bounds()[1] <= ax.get_ylim()[1]
