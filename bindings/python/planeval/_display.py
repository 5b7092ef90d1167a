"""How planeval shows numbers, units and names to people: one set of rules for the charts
(``_plots``), the HTML report (``_html``), the Excel template (``_template``) and the notebook view of a
report (``_report``), the same as the C++ report's (``src/evaluate.cpp``: ``decimals_of``,
``decimals_needed``, ``with_display_decimals``, ``distinguishing_decimals``, ``with_unit``;
``include/planeval/detail/format_number.hpp``: ``format_fixed``).

- An indicator's decimals (:func:`display_decimals`): its own ``decimals``, else the kind's default
  (counts 0, every other kind 1) raised to what the plan's own numbers of the indicator need (goal,
  baseline, milestones, recorded values; at most 4). A verdict may show more (the report's per-target
  ``decimals``: enough that the numbers agree with the verdict, :func:`distinguishing_decimals`).
- A number (:func:`format_fixed`): that many decimals, correctly rounded, no thousands separator, no
  sign on a value that rounds to zero ("0.0", never "-0.0"); a missing value is "—".
- A number with its unit (:func:`with_unit`): "44.0%"; a unit of ASCII letters after a space ("3 days",
  "66 persons"), any other directly ("66人", "3.5m²"); ``ratio``, ``boolean`` and no unit: the number
  alone. English text uses the indicator's ``unit_en``, else the core's English name of the unit.
- Statuses (:data:`STATUSES`, :func:`status_label`, :data:`STATUS_COLOUR`): the core's names and
  labels, one colour each.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from . import _core

if TYPE_CHECKING:  # pragma: no cover
    from ._core import Indicator, Plan, Text

#: Units in English (the core's table: a chart without a CJK font cannot show 人 or ㎡).
UNIT_EN: dict[str, str] = dict(_core._english_unit_names())

#: The most decimals a number is shown with (format_fixed's clamp).
MAX_DECIMALS = 12

#: Every status a target can have, in report order (labels from the C++ core: one source).
_STATUS_LABELS = _core._status_labels()
STATUSES: tuple[str, ...] = tuple(name for name, _, _ in _STATUS_LABELS)
STATUS_ZH: dict[str, str] = {name: zh for name, zh, _ in _STATUS_LABELS}
STATUS_EN: dict[str, str] = {name: en for name, _, en in _STATUS_LABELS}
STATUS_COLOUR: dict[str, str] = {
    "met": "#1a9850",
    "achieved": "#66bd63",
    "on_track": "#a6d96a",
    "lagging": "#fdae61",
    "missed": "#d73027",
    "breached": "#8e0152",
    "not_due": "#bdbdbd",
    "no_data": "#ffffff",
    "not_assessable": "#c7c7e8",
}
#: A mark per status, so a status is told by shape as well as colour (colour-blind readers,
#: black-and-white printing): the three greens are ✓ (met at the deadline), ★ (met early) and →
#: (on track); the greys are … (not due) and ? (no data, a white cell).
STATUS_MARK: dict[str, str] = {
    "met": "✓",
    "achieved": "★",
    "on_track": "→",
    "lagging": "↓",
    "missed": "✗",
    "breached": "!",
    "not_due": "…",
    "no_data": "?",
    "not_assessable": "∅",
}
#: A status the core knows but this table does not (a newer core): grey rather than a KeyError.
for _s in STATUSES:
    STATUS_COLOUR.setdefault(_s, "#bdbdbd")
    STATUS_MARK.setdefault(_s, "·")


def status_label(status: str, lang: str = "zh") -> str:
    """已达成 / met ... for a status of :data:`STATUSES` (the core's labels)."""
    return STATUS_EN.get(status, status) if lang == "en" else STATUS_ZH.get(status, status)


def decimals_of(ind: Indicator) -> int:
    """The indicator's stated decimals, else the kind's default: counts 0, every other kind 1
    (C++ ``decimals_of``). :func:`display_decimals` raises the default to the plan's numbers."""
    if ind.decimals is not None:
        return int(ind.decimals)
    return 0 if ind.kind == "count" else 1


def _round_half_away(x: float) -> float:
    """std::round: halves away from zero (Python's round() goes to even)."""
    return math.copysign(math.floor(abs(x) + 0.5), x)


def decimals_needed(x: float) -> int:
    """The decimals a number written in a plan needs (0.85 -> 2, 99.5 -> 1, 200 -> 0), at most 4
    (C++ ``decimals_needed``)."""
    for d in range(4):
        scaled = x * 10.0**d
        if abs(scaled - _round_half_away(scaled)) < 1e-6:
            return d
    return 4


def _numbers(value: Any) -> Iterable[float]:
    """The numbers of a plan value: a float, each of a list; none for None or a bool."""
    if isinstance(value, bool) or value is None:
        return ()
    if isinstance(value, (list, tuple)):
        return [float(v) for v in value if not isinstance(v, bool)]
    return (float(value),)


def plan_decimals(plan: Plan) -> dict[str, int]:
    """Every indicator's display decimals (indicator id -> :func:`display_decimals`), the plan read
    once (C++ ``with_display_decimals``)."""
    need: dict[str, int] = {}

    def see(indicator: str, value: Any) -> None:
        for x in _numbers(value):
            if math.isfinite(x):
                need[indicator] = max(need.get(indicator, 0), decimals_needed(x))

    for t in plan.targets:
        see(t.indicator, t.goal.value)
        if t.baseline is not None:
            see(t.indicator, t.baseline.value)
        for m in t.milestones:
            see(t.indicator, m.value)
    for o in plan.observations:
        see(o.indicator, o.value)
    return {
        i.id: int(i.decimals) if i.decimals is not None else max(decimals_of(i), need.get(i.id, 0))
        for i in plan.indicators
    }


def display_decimals(plan: Plan, ind: Indicator) -> int:
    """The decimals the indicator's numbers are shown with: its own ``decimals``, else the kind's
    default (counts 0, others 1) raised to what the plan's own numbers of it need (at most 4)."""
    if ind.decimals is not None:
        return int(ind.decimals)
    return plan_decimals(plan).get(ind.id, decimals_of(ind))


def format_fixed(x: float | None, decimals: int) -> str:
    """``x`` with ``decimals`` digits after the point (clamped to 0..12), correctly rounded, without
    a thousands separator; a result that rounds to zero has no sign ("0.0"); None is "—"; NaN and
    infinities are "nan", "inf", "-inf" (C++ ``detail::format_fixed``)."""
    if x is None:
        return "—"
    x = float(x)
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    d = min(max(int(decimals), 0), MAX_DECIMALS)
    s = f"{x:.{d}f}"
    if s.startswith("-") and not s.strip("-0."):
        s = s[1:]
    return s


def format_value(x: float | None, decimals: int) -> str:
    """A number for a table or chart: :func:`format_fixed`, with "—" for a missing or non-finite value."""
    if x is None or not math.isfinite(float(x)):
        return "—"
    return format_fixed(x, decimals)


def distinguishing_decimals(d: int, a: float, b: float) -> int:
    """The smallest decimals >= d (at most 6) at which ``a`` and ``b`` print differently (when they
    differ by more than floating-point noise), else ``d`` (C++ ``distinguishing_decimals``)."""
    if a == b or not math.isfinite(a) or not math.isfinite(b):
        return d
    if abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b)):
        return d
    e = d
    while e < 6 and format_fixed(a, e) == format_fixed(b, e):
        e += 1
    return d if format_fixed(a, e) == format_fixed(b, e) else e


def target_decimals(t: Mapping[str, Any], ind: Indicator) -> int:
    """The decimals of a verdict's numbers: the report's ``decimals`` (the indicator's display
    decimals, raised so that the numbers agree with the verdict), else :func:`decimals_of`."""
    d = t.get("decimals")
    return int(d) if d is not None else decimals_of(ind)


def unit_en(ind: Indicator) -> str:
    """The indicator's unit in English: its ``unit_en``, else the core's English name of the unit,
    else the unit as written."""
    return str(ind.unit_en) or UNIT_EN.get(str(ind.unit), str(ind.unit))


def unit_suffix(ind: Indicator, lang: str = "zh") -> str:
    """What follows a number of the indicator: "%", a Chinese unit directly ("人"), another after a
    space (" m²", " people"); nothing for ratio, boolean and no unit (C++ ``with_unit``)."""
    unit = str(ind.unit)
    if unit in ("", "ratio", "boolean"):
        return ""
    if unit == "%":
        return "%"
    shown = unit_en(ind) if lang == "en" else unit
    return " " + shown if shown.isascii() else shown


def with_unit(x: float | None, ind: Indicator, decimals: int, lang: str = "zh") -> str:
    """A number of the indicator with its unit: "44.0%", "66人", "66 persons"; "—" when missing."""
    if x is None or not math.isfinite(float(x)):
        return "—"
    return format_fixed(x, decimals) + unit_suffix(ind, lang)


def unit_label(unit: str, lang: str = "zh", unit_en: str = "") -> str:
    """The unit for an axis or a column heading: 人 / persons (the plan's own English unit first
    when given); pass/fail and ratio in words."""
    if unit == "boolean":
        return "passed = 1" if lang == "en" else "通过 = 1"
    if unit == "ratio":
        return "ratio" if lang == "en" else "比值"
    if lang == "en":
        return unit_en or UNIT_EN.get(unit, unit)
    return unit


def text_of(t: Text | None, lang: str, fallback: str = "") -> str:
    """A plan text (zh, en) in ``lang``: English falls back to Chinese, Chinese to English, then
    ``fallback``."""
    if t is None:
        return fallback
    if lang == "en":
        return t.en or t.zh or fallback
    return t.zh or t.en or fallback


def indicator_name(ind: Indicator, lang: str = "zh") -> str:
    """The indicator's name in ``lang`` (English falls back to Chinese)."""
    return (ind.name_en or ind.name_zh) if lang == "en" else ind.name_zh


#: Bidirectional embedding, override and isolate controls (U+202A–U+202E, U+2066–U+2069): in a
#: name they would reverse the text that follows on a page (a "Trojan Source" style spoof).
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")


def bidi_marked(text: str) -> str:
    """``text`` with each bidi control shown as a visible mark (``[U+202E]``) instead of acting:
    the one rule of the HTML report, its SVG charts and the Word report."""
    return _BIDI.sub(lambda m: f"[U+{ord(m.group()):04X}]", text)


#: Goal comparators as people write them (≥ 99.0%).
COMPARATOR_SIGN = {">=": "≥", "<=": "≤", ">": ">", "<": "<", "=": "="}
#: Goals without a number, in words (zh, en).
GOAL_WORDS = {
    "pass": ("通过（完成）", "pass (done)"),
    "increase": ("高于基期", "above the baseline"),
    "decrease": ("低于基期", "below the baseline"),
    "non_decreasing": ("只增不减", "never falls"),
    "strictly_increasing": ("逐年增长", "rises every year"),
}

#: The aggregation rules in words, as a report's reader needs them (the rule ids of
#: ``_core.rule_names()`` stay in the JSON and in tooltips).
RULE_LABELS: dict[str, tuple[str, str]] = {
    "sum": ("求和", "sum"),
    "count": ("计数", "count"),
    "mean": ("算术平均", "mean"),
    "min": ("最小值", "minimum"),
    "max": ("最大值", "maximum"),
    "first": ("最早的值", "earliest value"),
    "last": ("最新的值", "latest value"),
    "weighted_mean": ("加权平均（按学生数等权数）", "weighted mean (by students or another weight)"),
    "ratio_of_sums": ("分子之和 ÷ 分母之和", "sum of numerators ÷ sum of denominators"),
    "mean_of_ratios": ("各单位比率的平均", "mean of the units' ratios"),
    "variance": ("方差", "variance"),
    "stddev": ("标准差", "standard deviation"),
    "cv": ("差异系数（按学生数加权）", "coefficient of variation (weighted by students)"),
    "cv_unweighted": ("差异系数（不加权）", "coefficient of variation (unweighted)"),
    "share_meeting": ("达标单位比例", "share of units meeting the threshold"),
    "count_meeting": ("达标单位数", "number of units meeting the threshold"),
    "year_over_year": ("逐年只增不减", "never lower than the year before"),
    "structure_shares": ("结构比例偏差", "deviation from the target shares"),
    "median": ("中位数", "median"),
    "percentile": ("百分位数", "percentile"),
    "k_of_n": ("达到 k 项标准的单位比例", "share of units meeting k of n criteria"),
}


#: The evaluation's data-problem codes (``Report.problems[i].code``) in words, for the report's
#: reader; the codes stay in the JSON, the CSV and in tooltips.
PROBLEM_LABELS: dict[str, tuple[str, str]] = {
    "after_as_of": ("晚于评估日的数据", "data after the evaluation date"),
    "weight_assumed": ("缺少权数", "weights assumed"),
    "unstable_ratio": ("进度比值不稳定", "unstable progress ratio"),
    "value_disagrees": ("规划数值与数据不一致", "plan value disagrees with the data"),
    "baseline_disagrees": ("基期值与数据不一致", "baseline disagrees with the data"),
    "missing_years": ("缺少年份", "years missing"),
    "cumulative_gap": ("累计值缺少年份", "cumulative total has gaps"),
    "unknown_standard": ("未知的评估标准", "unknown standard"),
    "too_few_points": ("数据点不足", "too few data points"),
    "method_not_assessable": ("方法无法评估", "method cannot assess"),
    "provisional": ("暂定结论", "provisional verdicts"),
}


def problem_label(code: str, lang: str = "zh") -> str:
    """A data-problem code (``too_few_points``) in words in ``lang``; an unknown code as it is."""
    zh, en = PROBLEM_LABELS.get(code, (code, code))
    return en if lang == "en" else zh


def rule_label(rule: str, lang: str = "zh") -> str:
    """A rule id (``weighted_mean``) in words in ``lang``; an unknown id as it is."""
    zh, en = RULE_LABELS.get(rule, (rule, rule))
    return en if lang == "en" else zh


__all__ = [
    "COMPARATOR_SIGN",
    "GOAL_WORDS",
    "MAX_DECIMALS",
    "PROBLEM_LABELS",
    "RULE_LABELS",
    "STATUSES",
    "STATUS_COLOUR",
    "STATUS_EN",
    "STATUS_MARK",
    "STATUS_ZH",
    "UNIT_EN",
    "bidi_marked",
    "decimals_needed",
    "decimals_of",
    "display_decimals",
    "distinguishing_decimals",
    "format_fixed",
    "format_value",
    "indicator_name",
    "plan_decimals",
    "problem_label",
    "rule_label",
    "status_label",
    "target_decimals",
    "text_of",
    "unit_en",
    "unit_label",
    "unit_suffix",
    "with_unit",
]
