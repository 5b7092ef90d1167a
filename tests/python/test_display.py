"""The display rules (planeval._display) are the C++ report's: decimals of an indicator, fixed
formatting, numbers with units. Hand-worked cases first, then every target of every example plan
(examples/*/plan.json with its illustrative data) compared with the C++ report's own text."""

from __future__ import annotations

import datetime
import math
from pathlib import Path

import pytest

import planeval
from planeval import _display
from planeval._display import (
    decimals_needed,
    distinguishing_decimals,
    format_fixed,
    format_value,
    plan_decimals,
    unit_suffix,
    with_unit,
)

REPO_ROOT = Path(__file__).resolve().parents[2]
EXAMPLE_PLANS = sorted((REPO_ROOT / "examples").glob("*/plan.json"))


# --- hand-worked cases ----------------------------------------------------------------------------


def test_format_fixed_is_the_cpp_rule() -> None:
    assert format_fixed(44.0, 1) == "44.0"
    assert format_fixed(47.55, 1) == "47.5"  # 47.55 is 47.54999... in binary: rounds down (to_chars too)
    assert format_fixed(0.125, 2) == "0.12"  # exactly half: to even, as to_chars' correct rounding
    assert format_fixed(-0.04, 1) == "0.0"  # rounds to zero: no sign
    assert format_fixed(-0.06, 1) == "-0.1"
    assert format_fixed(1234567.0, 0) == "1234567"  # no thousands separator
    assert format_fixed(2.5, -3) == "2" and format_fixed(1.0, 20) == "1." + "0" * 12  # clamped 0..12
    assert (format_fixed(math.nan, 1), format_fixed(math.inf, 1), format_fixed(-math.inf, 1)) == (
        "nan",
        "inf",
        "-inf",
    )
    assert format_fixed(None, 1) == "—" and format_value(math.nan, 1) == "—"


def test_decimals_needed_and_distinguishing() -> None:
    assert [decimals_needed(x) for x in (200.0, 99.5, 0.85, 0.125, 1 / 3)] == [0, 1, 2, 3, 4]
    # 99.97 and 100 print alike with 1 decimal (100.0), apart with 2 (99.97 / 100.00)
    assert distinguishing_decimals(1, 99.97, 100.0) == 2
    assert distinguishing_decimals(1, 40.0000000001, 40.0) == 1  # floating noise is no difference
    assert distinguishing_decimals(0, 5.0, 5.0) == 0
    assert distinguishing_decimals(1, 1.0, 1.0 + 1e-7) == 1  # 1e-7 apart: no 6-decimal form differs


def test_units_follow_the_cpp_rule() -> None:
    plan = planeval.Plan("p", "规划", datetime.date(2021, 1, 1), datetime.date(2025, 12, 31))
    for iid, unit, unit_en, kind in (
        ("people", "人", "", "count"),
        ("share", "%", "", "rate"),
        ("area", "㎡/生", "", "ratio"),
        ("days", "days", "", "count"),
        ("ratio", "ratio", "", "ratio"),
    ):
        plan.add_indicator(planeval.Indicator(iid, iid, unit, kind, unit_en=unit_en))
    ind = {i.id: i for i in plan.indicators}
    assert with_unit(66.0, ind["people"], 0) == "66人"  # a Chinese unit directly after the number
    assert with_unit(66.0, ind["people"], 0, "en") == "66 persons"  # the core's English name (evaluate.cpp)
    assert with_unit(44.0, ind["share"], 1) == "44.0%"
    assert with_unit(3.5, ind["area"], 1, "en") == "3.5m² per student"  # not all ASCII: no space
    assert with_unit(3.0, ind["days"], 0) == "3 days"
    assert unit_suffix(ind["ratio"]) == "" and with_unit(None, ind["people"], 0) == "—"


def test_plan_decimals_raises_the_default_to_the_plans_numbers() -> None:
    plan = planeval.Plan("p", "规划", datetime.date(2021, 1, 1), datetime.date(2025, 12, 31))
    plan.add_entity(planeval.Entity("c", "县", "county"))
    plan.add_indicator(planeval.Indicator("n", "学校数", "所", "count"))
    plan.add_indicator(planeval.Indicator("r", "比例", "%", "rate"))
    plan.add_indicator(planeval.Indicator("s", "stated", "%", "rate", decimals=3))
    src = planeval.Source("规划")
    plan.add_target(
        planeval.Target("t_n", "n", "c", planeval.Goal(">=", 12.5, deadline=datetime.date(2025, 12, 31)), src)
    )
    plan.add_target(
        planeval.Target("t_r", "r", "c", planeval.Goal(">=", 95.0, deadline=datetime.date(2025, 12, 31)), src)
    )
    # count 0 raised to 1 by the goal 12.5; rate 1 kept (95 needs 0); stated 3 kept
    assert plan_decimals(plan) == {"n": 1, "r": 1, "s": 3}
    assert _display.display_decimals(plan, plan.indicator("n")) == 1


# --- every example plan against the C++ report ----------------------------------------------------


def _wide(ch: str) -> bool:
    """The C++ report's display_width rule (src/report.cpp)."""
    cp = ord(ch)
    return (
        0x1100 <= cp <= 0x115F
        or 0x2E80 <= cp <= 0xA4CF
        or 0xAC00 <= cp <= 0xD7A3
        or 0xF900 <= cp <= 0xFAFF
        or 0xFE30 <= cp <= 0xFE4F
        or 0xFF00 <= cp <= 0xFF60
        or 0xFFE0 <= cp <= 0xFFE6
        or 0x20000 <= cp <= 0x3FFFD
    )


def _columns(line: str, widths: list[int]) -> list[str]:
    """The cells of a report line laid out as `widths` display columns, each followed by a space."""
    cells, i = [], 0
    for width in widths:
        used, start = 0, i
        while i < len(line) and used < width:
            used += 2 if _wide(line[i]) else 1
            i += 1
        cells.append(line[start:i].strip())
        i += 1  # the space between cells
    return cells


def _report(path: Path, as_of: datetime.date) -> planeval.Report:
    plan = planeval.load_plan(path)
    for sid in sorted({t.standard for t in plan.targets if t.standard}):
        plan.add_standard_indicators(planeval.builtin_standard(sid))
    data = path.parent / "illustrative_observations.csv"
    obs = planeval.read_csv(plan, data)[0] if data.exists() else None
    return planeval.evaluate(plan, obs, as_of=as_of)


def _numbers(t: planeval.TargetResult) -> list[float]:
    out = [x for x in (t.actual, t.expected, t.forecast) if x is not None]
    goal = t.goal
    out += [float(g) for g in (goal if isinstance(goal, list) else [goal]) if isinstance(g, (int, float))]
    if t.reference:
        out.append(float(t.reference["value"]))
    return [x for x in out if math.isfinite(x)]


@pytest.mark.parametrize("path", EXAMPLE_PLANS, ids=[p.parent.name for p in EXAMPLE_PLANS])
@pytest.mark.parametrize("as_of", [datetime.date(2023, 12, 31), datetime.date(2025, 12, 31)])
def test_python_shows_numbers_as_the_cpp_report(path: Path, as_of: datetime.date) -> None:
    report = _report(path, as_of)
    plan = report.plan
    indicators = {i.id: i for i in plan.indicators}
    shown = plan_decimals(plan)
    assert len(EXAMPLE_PLANS) >= 4 and report.targets

    # 1. decimals: the report's per-target decimals start from the indicator's display decimals (the
    # Python rule) and are raised only where two of the target's numbers would print alike
    for t in report.targets:
        base = shown[t.indicator]
        if indicators[t.indicator].decimals is not None:
            assert base == indicators[t.indicator].decimals
        numbers = _numbers(t)
        collide = [
            (a, b)
            for a in numbers
            for b in numbers
            if a != b
            and abs(a - b) > 1e-9 * max(1.0, abs(a), abs(b))
            and format_fixed(a, base) == format_fixed(b, base)
        ]
        if not collide:
            assert t.decimals == base, (t.id, t.decimals, base)
        else:
            assert t.decimals >= base
            if t.decimals > base:  # the smallest decimals at which some colliding pair differs
                assert any(distinguishing_decimals(base, a, b) == t.decimals for a, b in collide) or any(
                    format_fixed(a, t.decimals - 1) == format_fixed(b, t.decimals - 1)
                    and format_fixed(a, t.decimals) != format_fixed(b, t.decimals)
                    for a, b in collide
                ), (t.id, t.decimals, base)

    # 2. formatting: the C++ text report's Actual / Expected / Forecast columns are Python's
    # format_fixed of the JSON numbers with the target's decimals
    lines = report.to_text("en").splitlines()
    head = next(i for i, line in enumerate(lines) if line.startswith("Target "))
    rows = [line for line in lines[head + 1 :] if line and not line.startswith("    ")]
    compared = 0
    for t, line in zip(report.targets, rows):
        _, _, _, actual, expected, forecast = _columns(line, [40, 8, 16, 10, 10, 10])
        ind = indicators[t.indicator]
        if t.actual is not None and not (ind.kind == "boolean" or t.judged_from == "standard"):
            if len(format_fixed(t.actual, t.decimals)) < 10:
                assert actual == format_fixed(t.actual, t.decimals), (t.id, line)
                compared += 1
        elif t.actual is None:
            assert actual == "—"
        for value, cell in ((t.expected, expected), (t.forecast, forecast)):
            if value is None:
                assert cell == "—", (t.id, line)
            elif len(format_fixed(value, t.decimals)) < 10:
                assert cell == format_fixed(value, t.decimals), (t.id, line)
                compared += 1
    assert compared > 0 or all(t.actual is None for t in report.targets)


def test_the_example_plans_compare_numbers() -> None:
    """The comparison above is not empty: the Baijiantan plan at 2023 has numbers in every column."""
    report = _report(REPO_ROOT / "examples" / "baijiantan" / "plan.json", datetime.date(2023, 12, 31))
    assert sum(t.actual is not None for t in report.targets) >= 20
    assert sum(t.expected is not None for t in report.targets) >= 5
