"""Charts of a plan evaluation: one target over time, every target at a glance, an official standard.

matplotlib is imported when a chart is drawn (``pip install planeval[plots]``); figures are made with
:class:`matplotlib.figure.Figure` directly, not through pyplot, so nothing is shown or kept in a
global figure list (Jupyter displays a returned figure; ``fig.savefig`` writes it).

Chinese labels need a CJK font known to matplotlib (Noto Sans CJK, Source Han Sans, WenQuanYi ...;
on Debian ``apt install fonts-noto-cjk``). ``lang=None`` means Chinese when such a font is installed
and English otherwise; asking for Chinese without one warns once (:class:`PlanevalWarning`) and
draws English labels instead of empty boxes.
"""

from __future__ import annotations

import datetime
import functools
import math
import os
import textwrap
import unicodedata
import warnings
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, NamedTuple

from . import _core
from ._display import STATUS_COLOUR as _STATUS_COLOUR
from ._display import STATUS_EN as _STATUS_EN
from ._display import STATUS_MARK, STATUSES, status_label, target_decimals, unit_label
from ._display import format_value as fmt
from ._vocab import AREA_KINDS, SCOPE_WORDS, STAGE_NAMES
from ._vocab import domain_label as _domain_label
from ._vocab import domain_text as _domain_text
from ._vocab import stage_label as _stage_label

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from ._core import Plan, Standard, StandardResult, Text
    from ._report import Report
    from .sensitivity import RankUncertainty


class PlanevalWarning(UserWarning):
    """A planeval warning (e.g. no CJK font for Chinese chart labels)."""


# --- labels --------------------------------------------------------------------------------------

STATUS_EN = _STATUS_EN

#: Stages and entity kinds (the keys of Report.to_dict()["by_stage"]): the format's stages, and the
#: core's scope word for every entity kind (全县 / county-wide, 全区 / district-wide ...).
STAGE_LABELS: dict[str, tuple[str, str]] = {**STAGE_NAMES, **SCOPE_WORDS}


_WORDS: dict[str, tuple[str, str]] = {
    "baseline": ("基期值", "baseline"),
    "data": ("观测值（数据汇总）", "observed (rolled-up data)"),
    "plan_value": ("规划记载值", "recorded in the plan"),
    "milestone": ("阶段目标", "milestone"),
    "breach": ("未保持", "not held"),
    "goal": ("目标", "goal"),
    "expected_path": ("序时进度（线性）", "expected path (linear)"),
    "expected": ("应达值", "expected now"),
    "forecast": ("趋势预测", "forecast (trend)"),
    "as_of": ("评估日", "as of"),
    "no_data": ("无数据", "no data"),
    "no_phase": ("未分阶段", "no phase"),
    "dashboard": ("目标状态总览", "Where every target stands"),
    "targets": ("个目标", "targets"),
    "done": ("完成（1）", "done (1)"),
    "not_done": ("未完成（0）", "not done (0)"),
    "value": ("数值", "value"),
    "std_heat": ("各校指标值 / 标准值", "school value / standard value"),
    "std_cv": ("校际差异系数与限值", "coefficient of variation between schools vs limit"),
    "cv": ("差异系数", "CV"),
    "limit": ("限值", "limit"),
    "below_floor": ("低于底线", "below the floor"),
    "not_met": ("未达标", "not met"),
    "excluded": ("不参评", "excluded"),
    "no_units": ("无学校层面数据", "no school-level values"),
    "no_cvs": ("无差异系数", "no coefficients of variation"),
    "passed": ("达标", "passed"),
    "failed": ("未达标", "failed"),
    "within_limit": ("未超过限值", "within the limit"),
    "above_limit": ("超过限值", "above the limit"),
}


def _w(key: str, lang: str) -> str:
    zh, en = _WORDS[key]
    return en if lang == "en" else zh


def domain_label(plan: Plan, domain: str, lang: str = "zh") -> str:
    """The name the plan declares for a domain (``Plan.domain_name``); 其他 / other for ''."""
    return _domain_label(plan, domain, lang)


def stage_label(stage: str, lang: str = "zh") -> str:
    """小学 / primary for a stage, the scope word (全县 / county-wide ...) for an entity kind."""
    return _stage_label(stage, lang)


# --- fonts ---------------------------------------------------------------------------------------

#: CJK families in order of preference (Simplified Chinese first).
CJK_FAMILIES = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "Microsoft YaHei",
    "PingFang SC",
    "Hiragino Sans GB",
    "Heiti SC",
    "SimHei",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "Noto Sans CJK TC",
    "Noto Sans CJK HK",
    "Noto Sans CJK JP",
    "Noto Sans CJK KR",
    "Source Han Sans",
    "Sarasa Gothic SC",
    "Droid Sans Fallback",
    "AR PL UMing CN",
    "Noto Serif CJK SC",
)
_CJK_FILE_HINTS = ("cjk", "sourcehan", "wqy", "wenquanyi", "droidsansfallback", "simhei", "msyh", "pingfang")


def _known_cjk_family() -> str | None:
    from matplotlib import font_manager

    names = {f.name for f in font_manager.fontManager.ttflist}
    for family in CJK_FAMILIES:
        if family in names:
            return family
    return None


@functools.cache
def _cjk_family_cached() -> str | None:
    family = _known_cjk_family()
    if family is not None:
        return family
    # The font may have been installed after matplotlib cached its font list: look at the files.
    from matplotlib import font_manager

    for path in font_manager.findSystemFonts():
        base = os.path.basename(path).lower().replace("-", "").replace("_", "")
        if any(hint in base for hint in _CJK_FILE_HINTS):
            try:
                font_manager.fontManager.addfont(path)
            except (OSError, RuntimeError, ValueError):  # pragma: no cover - unreadable font file
                continue
    return _known_cjk_family()


def find_cjk_font() -> str | None:
    """The family name of an installed CJK font matplotlib can use (e.g. ``"Noto Sans CJK SC"``),
    or None."""
    return _cjk_family_cached()


_warned_no_cjk = False


def _warn_no_cjk() -> None:
    global _warned_no_cjk
    if _warned_no_cjk:
        return
    _warned_no_cjk = True
    warnings.warn(
        "planeval: no CJK font found for Chinese chart labels (install e.g. fonts-noto-cjk); "
        "charts use English labels",
        PlanevalWarning,
        stacklevel=4,
    )


def resolve_lang(lang: str | None) -> tuple[str, str | None]:
    """(language of the chart labels, CJK family or None) for a requested ``lang`` (zh, en or None:
    zh when a CJK font is installed). Chinese without a CJK font warns once and gives English."""
    if lang not in (None, "zh", "en"):
        raise _core.Error(f'lang: expected "zh", "en" or None, got {lang!r}')
    font = find_cjk_font()
    if lang == "en":
        return "en", font
    if font is None:
        _warn_no_cjk()
        return "en", None
    return "zh", font


@contextmanager
def _style(lang: str, font: str | None) -> Iterator[None]:
    """rcParams while a figure is built: every text made now keeps these fonts."""
    import matplotlib

    if font is None:
        families = ["DejaVu Sans"]
    elif lang == "zh":
        families = [font, "DejaVu Sans"]
    else:
        families = ["DejaVu Sans", font]  # Chinese left in English labels still renders
    with matplotlib.rc_context(
        {
            "font.family": families,
            "font.size": 9.0,
            "axes.unicode_minus": False,
            "svg.fonttype": "path",
            "svg.hashsalt": "planeval",
        }
    ):
        yield


def _text(t: Text | None, lang: str, font: str | None, fallback: str) -> str:
    """A plan text in ``lang``; English falls back to Chinese only when a CJK font can draw it."""
    if t is None:
        return fallback
    if lang == "en":
        if t.en:
            return t.en
        return t.zh if (font is not None and t.zh) else fallback
    return t.zh or t.en or fallback


def _width(ch: str) -> int:
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def wrap(text: str, width: int) -> str:
    """Wrap to ``width`` columns (a Chinese character counts two), breaking English at spaces."""
    if not any(_width(c) == 2 for c in text):
        return "\n".join(textwrap.wrap(text, width)) or text
    lines: list[str] = []
    line = ""
    used = 0
    for ch in text:
        w = _width(ch)
        if used + w > width and line:
            cut = line.rfind(" ")
            # keep an English word whole when it started late in the line
            if cut > len(line) // 2 and all(_width(c) == 1 for c in line[cut:]):
                lines.append(line[:cut])
                line = line[cut + 1 :]
            else:
                lines.append(line)
                line = ""
            used = sum(_width(c) for c in line)
        line += ch
        used += w
    if line:
        lines.append(line)
    return "\n".join(lines)


def _provisional_word(lang: str) -> str:
    return "provisional" if lang == "en" else "暂定"


def _num(value: Any) -> float | None:
    """A plan value as a number for a chart (booleans as 1/0; shares and missing values: None)."""
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, (int, float)):
        return float(value)
    return None


def _mdates() -> Any:
    """matplotlib.dates (not typed)."""
    from matplotlib import dates

    return dates


def _x(day: datetime.date) -> float:
    """matplotlib's date number of a day (matplotlib.dates.date2num)."""
    return float(_mdates().date2num(day))


def _root_figure(ax: Axes) -> Figure:
    from matplotlib.figure import Figure, SubFigure

    fig: Any = ax.figure
    while isinstance(fig, SubFigure):
        fig = fig.figure
    if not isinstance(fig, Figure):  # pragma: no cover - an axes always belongs to a figure
        raise ValueError("ax: the axes belongs to no figure")
    return fig


# --- one target over time -----------------------------------------------------------------------

_BAND_COLOURS = ("#e8eef7", "#f4f1e8")
_COLOUR_DATA = "#2166ac"
_COLOUR_PLAN = "#762a83"
_COLOUR_BASELINE = "#404040"
_COLOUR_GOAL = "#b2182b"
_COLOUR_PATH = "#4d9221"
_COLOUR_FORECAST = "#8c510a"
#: Status colours dark enough for white text.
_DARK_STATUSES = {"met", "missed", "breached"}


def target_name(plan: Plan, target_id: str, lang: str, font: str | None) -> str:
    t = plan.target(target_id)
    if t.name is not None:
        return _text(t.name, lang, font, target_id)
    return _text(plan.indicator(t.indicator).name, lang, font, target_id)


_SOURCE_WORDS = {
    "baseline": ("规划基期值", "the plan's baseline"),
    "plan": ("规划记载的数值", "figures recorded in the plan"),
    "data": ("观测数据汇总", "observation data rolled up"),
}


def data_source_line(report: Report, t: Mapping[str, Any], lang: str) -> str:
    """Where a target chart's values come from ("数据来源：规划基期值、观测数据汇总"), with the
    report's notices (e.g. that the data are illustrative), for the line under the chart."""
    kinds: list[str] = []
    for p in t["trace"]["points"]:
        kind = str(p["source"]).partition(":")[0]
        if kind in _SOURCE_WORDS and kind not in kinds:
            kinds.append(kind)
    zh = lang != "en"
    said = ("、" if zh else ", ").join(_SOURCE_WORDS[k][0 if zh else 1] for k in kinds)
    line = ("数据来源：" if zh else "Source: ") + (said or ("无数值" if zh else "no values"))
    for n in report._dict["notices"]:
        text = n["zh"] if zh else (n.get("en") or n["zh"])
        line += ("；" if zh else "; ") + text
    return line


class YAxis(NamedTuple):
    """The value axis of a target chart: ``low``–``high`` hold the data; ``top`` is the largest value
    the unit allows (100 for %), above which no tick is drawn; ``zoomed``: the axis does not start at
    0 (said in the axis label); ``integer``: whole-number ticks (counts)."""

    low: float
    high: float
    top: float | None
    zoomed: bool
    integer: bool


#: The smallest window a zoomed percentage axis shows, in points: a 1.4-point dip on a 97.5–99.5
#: axis looks like a collapse; on a 10-point window it looks like what it is.
MIN_PERCENT_WINDOW = 10.0


def y_axis(kind: str, unit: str, values: Sequence[float]) -> YAxis:
    """The honest value axis for ``values`` of an indicator of ``kind`` and ``unit``:

    - counts and amounts that are never negative start at 0 (counts with whole-number ticks): 0
      or 1 accident gets an axis 0–1, not −0.02–0.06;
    - percentages (``%``, or ``‰`` up to 1000) within their range never run above 100: the axis
      starts at 0 when a value is below 50, else it shows a window of at least
      :data:`MIN_PERCENT_WINDOW` points ending at the largest value, marked as zoomed when it does
      not start at 0;
    - anything else spans the values with a margin of 12% of their range (at least 10% of their
      magnitude when they are all equal).
    """
    lo, hi = min(values), max(values)
    if kind in ("count", "amount") and lo >= 0:
        return YAxis(0.0, max(hi, 1.0), None, False, kind == "count")
    cap = 100.0 if unit == "%" else 1000.0 if unit == "‰" else None
    if cap is not None and lo >= 0 and hi <= cap:
        window = MIN_PERCENT_WINDOW * cap / 100.0
        if lo < cap / 2:
            return YAxis(0.0, max(hi, window), cap, False, False)
        span = hi - lo
        low = max(0.0, min(lo - 0.15 * span, hi - window))
        return YAxis(low, hi, cap, low > 0, False)
    span = hi - lo or max(abs(hi), 1.0) * 0.2
    return YAxis(lo - 0.12 * span, hi, None, False, False)


def plot_target(
    report: Report,
    target_id: str,
    ax: Axes | None = None,
    lang: str | None = None,
    *,
    sentence: bool = True,
    title: bool = True,
    source: bool = True,
) -> Figure:
    """One target over time: the plan's phases (shaded), the baseline, milestones, the goal at the
    deadline (star and dashed line), the values judged (from data or recorded in the plan), the
    expected linear path from the baseline to the goal, the forecast to the deadline (dotted) and
    the evaluation date; the title names the target and its status on the status colour.

    Draws on ``ax`` when given (returning its figure), else on a new figure with the target's
    one-sentence explanation underneath (unless ``sentence=False``). ``title=False`` leaves the
    title out, for a page that names the target above the chart. A line under the chart says where
    the values come from (the plan text, the data) and repeats the report's notices, e.g. that the
    data are illustrative (``source=False`` leaves it out, for a page that says it in a caption).
    KeyError for an unknown target.
    """
    lang, font = resolve_lang(lang)
    t = report.target(target_id)
    plan = report._plan
    with _style(lang, font):
        own = ax is None
        if ax is None:
            from matplotlib.figure import Figure

            fig = Figure(figsize=(8.0, 5.2), layout="constrained")
            ax = fig.add_subplot()
        else:
            fig = _root_figure(ax)
        _draw_target(ax, report, plan, t, lang, font, title=title)
        lines = [wrap(t["trace"]["sentence"][lang], 120)] if own and sentence else []
        if own and source:
            lines.append(wrap(data_source_line(report, t, lang), 140))
        if lines:
            fig.supxlabel(
                "\n".join(lines),
                fontsize=8,
                x=0.01,
                ha="left",
                color="#333333",
            )
    return fig


def _draw_target(
    ax: Axes,
    report: Report,
    plan: Plan,
    t: Mapping[str, Any],
    lang: str,
    font: str | None,
    *,
    title: bool = True,
) -> None:
    target = plan.target(t["id"])
    ind = plan.indicator(target.indicator)
    dec = target_decimals(t, ind)
    as_of = report.as_of
    deadline = datetime.date.fromisoformat(t["deadline"])
    horizon = plan.horizon
    xs_all: list[datetime.date] = [horizon.start, horizon.end, deadline, as_of]
    ys_all: list[float] = []

    # phases as shaded spans with their names
    for i, ph in enumerate(plan.phases):
        ax.axvspan(
            _x(ph.start), _x(ph.end + datetime.timedelta(days=1)), color=_BAND_COLOURS[i % 2], lw=0, zorder=0
        )
        name = _text(ph.name, lang, font, ph.id)
        head, _, rest = name.partition("：" if lang == "zh" else ":")
        label = head if (lang == "en" or not rest) else head + "\n" + rest
        mid = ph.start + (ph.end - ph.start) / 2
        ax.text(
            _x(mid),
            0.985,
            label,
            transform=ax.get_xaxis_transform(),
            ha="center",
            va="top",
            fontsize=7,
            color="#555555",
            zorder=1,
        )

    # the series judged: baseline, values recorded in the plan, values rolled up from the data
    points = t["trace"]["points"]
    pdates = [datetime.date.fromisoformat(p["date"]) for p in points]
    pvalues = [float(p["value"]) for p in points]
    if points:
        ax.plot([_x(d) for d in pdates], pvalues, color="#999999", lw=1.0, zorder=2)
        xs_all += pdates
        ys_all += pvalues
        for d, v in zip(pdates, pvalues):
            ax.annotate(
                fmt(v, dec),
                (_x(d), v),
                textcoords="offset points",
                xytext=(0, 7),
                ha="center",
                fontsize=7,
                color="#333333",
                zorder=6,
            )
    by_source: dict[str, list[int]] = {"baseline": [], "data": [], "plan": []}
    for i, p in enumerate(points):
        src = str(p["source"])
        by_source["plan" if src.startswith("plan") else src if src in by_source else "data"].append(i)

    baseline = target.baseline
    b_value = None if baseline is None else _num(baseline.value)
    b_date = None if baseline is None else baseline.date
    if b_value is None and by_source["baseline"]:
        i = by_source["baseline"][0]
        b_date, b_value = pdates[i], pvalues[i]
    if b_value is not None and b_date is not None:
        ax.plot(
            [_x(b_date)],
            [b_value],
            ls="none",
            marker="s",
            ms=7,
            color=_COLOUR_BASELINE,
            label=f"{_w('baseline', lang)} {fmt(b_value, dec)}",
            zorder=5,
            gid="baseline",
        )
        xs_all.append(b_date)
        ys_all.append(b_value)
    for key, marker, colour, word, fill in (
        ("data", "o", _COLOUR_DATA, "data", True),
        ("plan", "^", _COLOUR_PLAN, "plan_value", False),
    ):
        idx = by_source[key]
        if idx:
            ax.plot(
                [_x(pdates[i]) for i in idx],
                [pvalues[i] for i in idx],
                ls="none",
                marker=marker,
                ms=7,
                color=colour,
                markerfacecolor=colour if fill else "white",
                label=_w(word, lang),
                zorder=5,
                gid=key,
            )

    # the years a goal that must hold (from a date) was broken
    broken = {int(y) for y in t.get("breaches") or []}
    idx = [i for i in by_source["data"] + by_source["plan"] if pdates[i].year in broken]
    if idx:
        ax.plot(
            [_x(pdates[i]) for i in idx],
            [pvalues[i] for i in idx],
            ls="none",
            marker="o",
            ms=13,
            markerfacecolor="none",
            markeredgecolor=_STATUS_COLOUR["breached"],
            markeredgewidth=2.0,
            label=_w("breach", lang),
            zorder=6,
            gid="breaches",
        )

    # milestones
    ms = [(m.date, _num(m.value)) for m in target.milestones]
    ms_num = [(d, v) for d, v in ms if v is not None]
    if ms_num:
        ax.plot(
            [_x(d) for d, _ in ms_num],
            [v for _, v in ms_num],
            ls="none",
            marker="D",
            ms=7,
            color="#e08214",
            markeredgecolor="black",
            label=_w("milestone", lang),
            zorder=5,
            gid="milestones",
        )
        xs_all += [d for d, _ in ms_num]
        ys_all += [v for _, v in ms_num]

    # the goal at the deadline
    comparator = target.goal.comparator
    goal = t["goal"]
    goal_value = _num(target.goal.value)
    if goal is None and comparator == "pass":
        goal = 1.0
    elif goal is None and comparator in (">=", ">", "<=", "<", "=") and goal_value is not None:
        goal = goal_value
    goal_f = None if goal is None else float(goal)
    if comparator == "between" and isinstance(target.goal.value, list) and len(target.goal.value) == 2:
        lo, hi = (float(v) for v in target.goal.value)
        ax.axhspan(lo, hi, color=_COLOUR_GOAL, alpha=0.12, lw=0, zorder=1)
        ax.plot(
            [_x(deadline)],
            [(lo + hi) / 2],
            ls="none",
            marker="*",
            ms=15,
            color=_COLOUR_GOAL,
            label=f"{_w('goal', lang)} {fmt(lo, dec)}–{fmt(hi, dec)} ({deadline.isoformat()})",
            zorder=6,
            gid="goal",
        )
        ys_all += [lo, hi]
    elif goal_f is not None:
        symbol = {">=": "≥", "<=": "≤"}.get(comparator, comparator)
        shown = "" if comparator == "pass" else f" {symbol} {fmt(goal_f, dec)}"
        ax.axhline(goal_f, color=_COLOUR_GOAL, ls="--", lw=1.0, zorder=1)
        ax.plot(
            [_x(deadline)],
            [goal_f],
            ls="none",
            marker="*",
            ms=15,
            color=_COLOUR_GOAL,
            label=f"{_w('goal', lang)}{shown} ({deadline.isoformat()})",
            zorder=6,
            gid="goal",
        )
        ys_all.append(goal_f)

    # the expected (linear) path from the baseline to the goal, and where it says we should be now
    start: tuple[datetime.date, float] | None = None
    if b_value is not None and b_date is not None:
        start = (b_date, b_value)
    elif points:
        start = (pdates[0], pvalues[0])
    if (
        start is not None
        and goal_f is not None
        and comparator not in ("pass", "between")
        and start[0] < deadline
    ):
        ax.plot(
            [_x(start[0]), _x(deadline)],
            [start[1], goal_f],
            ls="-.",
            lw=1.2,
            color=_COLOUR_PATH,
            label=_w("expected_path", lang),
            zorder=3,
            gid="expected_path",
        )
    actual, expected = t["actual"], t["expected"]
    actual_date = None if t["actual_date"] is None else datetime.date.fromisoformat(t["actual_date"])
    if expected is not None and actual_date is not None:
        ax.plot(
            [_x(actual_date)],
            [float(expected)],
            ls="none",
            marker="o",
            ms=8,
            markerfacecolor="none",
            markeredgecolor=_COLOUR_PATH,
            markeredgewidth=1.5,
            label=f"{_w('expected', lang)} {fmt(float(expected), max(dec, 1))}",
            zorder=5,
            gid="expected",
        )
        ys_all.append(float(expected))

    # the forecast to the deadline
    forecast = t["forecast"]
    if forecast is not None and actual is not None and actual_date is not None:
        ax.plot(
            [_x(actual_date), _x(deadline)],
            [float(actual), float(forecast)],
            ls=":",
            lw=1.8,
            marker="o",
            markevery=[1],
            markerfacecolor="white",
            color=_COLOUR_FORECAST,
            label=f"{_w('forecast', lang)} {fmt(float(forecast), max(dec, 1))}",
            zorder=4,
            gid="forecast",
        )
        ys_all.append(float(forecast))

    # the evaluation date
    ax.axvline(_x(as_of), color="#222222", lw=1.0, ls=(0, (4, 2)), zorder=2, gid="as_of")
    ax.text(
        _x(as_of),
        0.01,
        f" {_w('as_of', lang)} {as_of.isoformat()}",
        transform=ax.get_xaxis_transform(),
        ha="left",
        va="bottom",
        fontsize=7,
        color="#222222",
    )

    # axes: dates by year, the unit, room above for the phase names
    pad = datetime.timedelta(days=120)
    left, right = min(xs_all) - pad, max(xs_all) + pad
    ax.set_xlim(_x(left), _x(right))
    # a yearly value is dated at the year's end: year names centred in their years, ticks between
    years = range(left.year, right.year + 1)
    ax.set_xticks([_x(datetime.date(y, 1, 1)) for y in years if left <= datetime.date(y, 1, 1) <= right], [])
    named = [y for y in years if left <= datetime.date(y, 7, 2) <= right]
    ax.set_xticks([_x(datetime.date(y, 7, 2)) for y in named], [str(y) for y in named], minor=True)
    ax.tick_params(axis="x", which="minor", length=0)
    zoomed = False
    if ys_all and ind.kind != "boolean" and ind.unit != "boolean":
        axis = y_axis(ind.kind, ind.unit, ys_all)
        zoomed = axis.zoomed
        # room above the data for the phase names
        ax.set_ylim(axis.low, axis.high + 0.38 * (axis.high - axis.low))
        if axis.integer:
            from matplotlib.ticker import MaxNLocator

            ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        if axis.top is not None:  # no tick, no spine above what the unit allows (100%)
            ticks = [y for y in ax.get_yticks() if axis.low - 1e-9 <= y <= axis.top + 1e-9]
            ax.set_yticks(ticks)
            ax.spines["left"].set_bounds(axis.low, min(axis.top, ax.get_ylim()[1]))
    elif ys_all:
        ax.set_ylim(-0.12, 1.38)
    else:
        ax.set_ylim(0.0, 1.0)
        ax.text(0.5, 0.5, _w("no_data", lang), transform=ax.transAxes, ha="center", va="center", fontsize=14)
    if ind.unit == "boolean" or ind.kind == "boolean":
        ax.set_yticks([0.0, 1.0], [_w("not_done", lang), _w("done", lang)])
    else:
        label = unit_label(ind.unit, lang, ind.unit_en)
        if zoomed:  # said on the axis itself, so a small change is not read as a dramatic one
            label += "（纵轴未从 0 开始）" if lang == "zh" else " (axis does not start at 0)"
        ax.set_ylabel(label)
    ax.grid(axis="y", color="#dddddd", lw=0.6, zorder=0)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)

    status = t["status"]
    name = target_name(plan, t["id"], lang, font)
    shown_status = status_label(status, lang)
    if t.get("provisional"):
        shown_status += f", {_provisional_word(lang)}" if lang == "en" else f"，{_provisional_word(lang)}"
    if title:
        ax.set_title(
            wrap(name, 90) + f"  [{shown_status}]",
            fontsize=10,
            loc="left",
            color="white" if status in _DARK_STATUSES else "black",
            bbox={"boxstyle": "round,pad=0.35", "facecolor": _STATUS_COLOUR[status], "edgecolor": "none"},
        )
    handles, _ = ax.get_legend_handles_labels()
    if handles:
        ax.legend(
            loc="upper center",
            bbox_to_anchor=(0.5, -0.09),
            ncols=3,
            fontsize=7.5,
            frameon=False,
        )


# --- every target at a glance -------------------------------------------------------------------


def _target_groups(report: Report, plan: Plan, by: str) -> dict[str, list[dict[str, Any]]]:
    indicators = {i.id: i for i in plan.indicators}
    entities = {e.id: e for e in plan.entities}
    groups: dict[str, list[dict[str, Any]]] = {}
    for t in report._dict["targets"]:
        if by == "domain":
            key = indicators[t["indicator"]].domain or "other"
        else:
            e = entities[t["scope"]]
            key = e.stage or e.kind
        groups.setdefault(key, []).append(t)
    return groups


_STAGE_ORDER = (*AREA_KINDS, *STAGE_NAMES)


def plot_dashboard(
    report: Report, lang: str | None = None, by: str = "domain", *, title: bool = True
) -> Figure:
    """Every target as a cell on its status colour: one row per domain (``by="domain"``) or stage
    (``by="stage"``), one column per phase of the plan plus one for targets without a phase; cells
    are ordered by status within a group, and the legend counts every status.

    In SVG output each cell links to ``#target-<id>`` (the target's row in :meth:`Report.to_html`);
    each cell's gid is ``target:<id>``. ``title=False`` leaves the plan's title out (a page that has
    it above the chart); the date and the number of targets stay.
    """
    if by not in ("domain", "stage"):
        raise _core.Error(f'by: expected "domain" or "stage", got {by!r}')
    lang, font = resolve_lang(lang)
    plan = report._plan
    groups = _target_groups(report, plan, by)
    if by == "domain":
        keys = sorted(groups, key=lambda k: (-len(groups[k]), k))
    else:
        keys = sorted(groups, key=lambda k: (_STAGE_ORDER.index(k) if k in _STAGE_ORDER else 99, k))
    phase_ids = [ph.id for ph in plan.phases]
    # a plan without phases: one column, without a header
    columns: list[str | None] = [
        p for p in phase_ids if any(t["phase"] == p for t in report._dict["targets"])
    ]
    if any(t["phase"] not in phase_ids for t in report._dict["targets"]):
        columns.append(None)
    order = {s: i for i, s in enumerate(STATUSES)}

    def cell_list(key: str, col: str | None) -> list[dict[str, Any]]:
        ts = [t for t in groups[key] if (t["phase"] if t["phase"] in phase_ids else None) == col]
        return sorted(ts, key=lambda t: order[t["status"]])

    per_line = 10
    widths = [max(1, min(per_line, max((len(cell_list(k, c)) for k in keys), default=1))) for c in columns]
    col_gap, row_gap = 1.6, 0.7
    x0 = [sum(widths[:i]) + col_gap * i for i in range(len(columns))]
    lines = [
        max(1, *(math.ceil(len(cell_list(k, c)) / widths[j]) for j, c in enumerate(columns))) for k in keys
    ]
    y0 = [sum(lines[:i]) + row_gap * i for i in range(len(keys))]
    total_w = x0[-1] + widths[-1] if columns else 1.0
    total_h = y0[-1] + lines[-1] if keys else 1.0

    with _style(lang, font):
        from matplotlib.figure import Figure
        from matplotlib.patches import Patch, Rectangle

        cell_in = 0.26
        fig = Figure(
            figsize=(max(7.0, total_w * cell_in + 3.2), max(4.0, total_h * cell_in + 2.6)),
            layout="constrained",
        )
        ax = fig.add_subplot()
        size = 0.84
        for r, key in enumerate(keys):
            for j, col in enumerate(columns):
                for n, t in enumerate(cell_list(key, col)):
                    cx = x0[j] + n % widths[j]
                    cy = y0[r] + n // widths[j]
                    rect = Rectangle(
                        (cx + (1 - size) / 2, cy + (1 - size) / 2),
                        size,
                        size,
                        facecolor=_STATUS_COLOUR[t["status"]],
                        edgecolor="#8c8c8c",
                        linewidth=0.5,
                    )
                    rect.set_gid(f"target:{t['id']}")
                    rect.set_url(f"#target-{t['id']}")
                    ax.add_patch(rect)
                    ax.text(  # the status by shape too (colour-blind readers, grey printing)
                        cx + 0.5,
                        cy + 0.5,
                        STATUS_MARK[t["status"]],
                        ha="center",
                        va="center",
                        fontsize=7,
                        color="white" if t["status"] in _DARK_STATUSES else "#333333",
                        fontfamily="DejaVu Sans",
                    )
            if r % 2 == 1:  # zebra rows to guide the eye
                ax.axhspan(
                    y0[r] - row_gap / 2, y0[r] + lines[r] + row_gap / 2, color="#f6f6f6", lw=0, zorder=0
                )
        ax.set_xlim(-0.3, total_w + 0.3)
        ax.set_ylim(total_h + 0.3, -0.3)
        ax.set_aspect("equal")
        row_labels = [
            f"{(_text(_domain_text(plan, k), lang, font, k) if by == 'domain' else stage_label(k, lang))}"
            f" ({len(groups[k])})"
            for k in keys
        ]
        ax.set_yticks([y0[r] + lines[r] / 2 for r in range(len(keys))], row_labels)
        headers = []
        for c in columns:
            if c is None:
                headers.append(_w("no_phase", lang) if phase_ids else "")
                continue
            ph = plan.phase(c)
            name = _text(ph.name, lang, font, ph.id)
            head = name.partition("：" if lang == "zh" else ":")[0]
            years = str(ph.start.year) if ph.start.year == ph.end.year else f"{ph.start.year}–{ph.end.year}"
            headers.append(f"{head}\n{years}")
        ax.set_xticks([x0[j] + widths[j] / 2 for j in range(len(columns))], headers)
        ax.xaxis.tick_top()
        ax.tick_params(length=0, labelsize=9)
        for spine in ax.spines.values():
            spine.set_visible(False)
        counts = report.summary
        handles = [
            Patch(
                facecolor=_STATUS_COLOUR[s],
                edgecolor="#8c8c8c",
                linewidth=0.5,
                label=f"{STATUS_MARK[s]} {status_label(s, lang)} {counts.get(s, 0)}",
            )
            for s in STATUSES
        ]
        ax.legend(
            handles=handles,
            loc="upper center",
            bbox_to_anchor=(0.5, -0.01),
            ncols=4,
            frameon=False,
            fontsize=9,
        )
        plan_title = _text(plan.title, lang, font, plan.id)
        total = len(report._dict["targets"])
        if lang == "zh":
            sub = f"{_w('dashboard', lang)}：截至 {report.as_of.isoformat()}，共 {total} 个目标"
        else:
            sub = f"{_w('dashboard', lang)}: as of {report.as_of.isoformat()}, {total} targets"
        fig.suptitle((wrap(plan_title, 96) + "\n" + sub) if title else sub, fontsize=10)
        notices = [n["zh"] if lang != "en" else (n.get("en") or n["zh"]) for n in report._dict["notices"]]
        if notices:  # e.g. that the data are illustrative, on the picture itself
            fig.supxlabel(wrap("；".join(notices) if lang != "en" else "; ".join(notices), 140), fontsize=8)
    return fig


# --- an official standard -----------------------------------------------------------------------


def _standard_of(result: StandardResult, standard: Standard | None) -> Standard | None:
    if standard is not None:
        return standard
    try:
        return _core.builtin_standard(result.standard)
    except _core.Error:
        return None


def plot_standard(
    result: StandardResult,
    lang: str | None = None,
    standard: Standard | None = None,
    plan: Plan | None = None,
) -> Figure:
    """An official standard evaluated on school data (:func:`planeval.evaluate_standard`), in two
    panels: the heat map of each school's value over the official threshold per indicator (a cell
    framed in red and crossed is below the floor, e.g. 85% of the threshold; a number in red is
    not met), and each indicator's coefficient of variation between schools (per stage) as bars
    against its limit (the black dashed line); bars above the limit are red.

    ``standard`` gives indicator names and comparators (default: the built-in standard of that id);
    ``plan`` (the plan the data were read with) the names of the schools and the area, which the
    chart shows instead of their ids.
    """
    import numpy as np

    lang, font = resolve_lang(lang)
    std = _standard_of(result, standard)
    names: dict[str, str] = {}
    lower_is_better: set[str] = set()
    floor = None
    if std is not None:
        for i in std.indicators:
            names[i["id"]] = (i["name"]["en"] or i["id"]) if lang == "en" else (i["name"]["zh"] or i["id"])
            if i["comparator"] in ("<=", "<"):
                lower_is_better.add(i["id"])
        floor = std.unit_rule.get("floor")
    entity_names: dict[str, str] = {}
    if plan is not None:
        for e in plan.entities:
            entity_names[e.id] = (e.name.en or e.name.zh) if lang == "en" else e.name.zh
    units = result.units
    ind_ids: list[str] = []
    for u in units:
        for v in u["values"]:
            if v["indicator"] not in ind_ids:
                ind_ids.append(v["indicator"])
    cvs = result.cvs
    comps = result.composites
    for cv_row in cvs:
        if cv_row["indicator"] not in ind_ids:
            ind_ids.append(cv_row["indicator"])

    def ind_name(i: str, width: int) -> str:
        return wrap(names.get(i, i), width)

    with _style(lang, font):
        from matplotlib.colors import TwoSlopeNorm
        from matplotlib.figure import Figure
        from matplotlib.patches import Patch, Rectangle

        n_rows = max(1, len(units))
        heat_h = 0.36 * n_rows + 2.0
        cv_h = 3.6
        fig = Figure(figsize=(11.0, heat_h + cv_h + 1.0), layout="constrained")
        ax_heat, ax_cv = fig.subplots(2, 1, height_ratios=[heat_h, cv_h])
        std_title = std.title.en if (std is not None and lang == "en" and std.title.en) else None
        if std is not None and std_title is None:
            std_title = std.title.zh if lang == "zh" else (std.title.en or std.id)
        verdict = _w("passed", lang) if result.passed else _w("failed", lang)
        period = _core.format_period(result.period)
        area = entity_names.get(result.scope, result.scope)
        fig.suptitle(
            f"{std_title or result.standard} — {area} {period}: {verdict}",
            fontsize=11,
            bbox={
                "boxstyle": "round,pad=0.3",
                "facecolor": _STATUS_COLOUR["met" if result.passed else "missed"],
                "edgecolor": "none",
                "alpha": 0.5,
            },
        )

        # heat map: schools x indicators
        cols = [i for i in ind_ids if any(v["indicator"] == i for u in units for v in u["values"])]
        if units and cols:
            ratio = np.full((len(units), len(cols)), np.nan)
            shown = np.full((len(units), len(cols)), np.nan)
            for r, u in enumerate(units):
                for v in u["values"]:
                    if v["indicator"] in cols and v["ratio"] is not None and not v["missing"]:
                        c = cols.index(v["indicator"])
                        x = float(v["ratio"])
                        shown[r, c] = x
                        ratio[r, c] = (1.0 / x if x else np.inf) if v["indicator"] in lower_is_better else x
            finite = ratio[np.isfinite(ratio)]
            vmin = min(0.5, float(finite.min()) if finite.size else 0.5, (floor or 0.85) - 0.1)
            vmax = max(1.6, float(finite.max()) if finite.size else 1.6)
            vmax = min(vmax, 3.0)
            norm = TwoSlopeNorm(vmin=vmin, vcenter=1.0, vmax=vmax)
            masked = np.ma.masked_invalid(np.clip(ratio, vmin, vmax))
            im = ax_heat.imshow(masked, cmap="RdYlGn", norm=norm, aspect="auto", interpolation="nearest")
            ax_heat.set_facecolor("#d9d9d9")
            for r, u in enumerate(units):
                for v in u["values"]:
                    if v["indicator"] not in cols:
                        continue
                    c = cols.index(v["indicator"])
                    if v["missing"] or v["ratio"] is None:
                        ax_heat.text(c, r, "—", ha="center", va="center", fontsize=8, color="#555555")
                        continue
                    ax_heat.text(
                        c,
                        r,
                        f"{shown[r, c]:.2f}",
                        ha="center",
                        va="center",
                        fontsize=7.5,
                        color="black" if v["met"] else "#67001f",
                        fontweight="normal" if v["met"] else "bold",
                        zorder=5,
                        bbox=None
                        if v["above_floor"]
                        else {"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none"},
                    )
                    if not v["above_floor"]:
                        frame = Rectangle(
                            (c - 0.5, r - 0.5),
                            1,
                            1,
                            fill=False,
                            edgecolor="#67001f",
                            linewidth=2.2,
                            hatch="xx",
                        )
                        frame.set_gid("below_floor")
                        ax_heat.add_patch(frame)
                if u["excluded"]:
                    ax_heat.axhspan(r - 0.5, r + 0.5, color="#bdbdbd", alpha=0.7, lw=0)

            def unit_row(u: Mapping[str, Any]) -> str:
                stage = "" if u["stage"] is None else " · " + stage_label(str(u["stage"]), lang)
                state = (
                    f" · {_w('excluded', lang)}"
                    if u["excluded"]
                    else f" · {u['met_count']}/{len(u['values'])}"
                )
                if not u["excluded"] and u["passed"] is False:
                    state += f" {_w('not_met', lang)}"
                return f"{wrap(entity_names.get(u['unit'], u['unit']), 16)}{stage}{state}"

            ax_heat.set_yticks(range(len(units)), [unit_row(u) for u in units])
            ax_heat.set_xticks(range(len(cols)), [ind_name(i, 14 if lang == "zh" else 13) for i in cols])
            ax_heat.xaxis.tick_top()
            ax_heat.tick_params(length=0, labelsize=8)
            cbar = fig.colorbar(im, ax=ax_heat, fraction=0.03, pad=0.01)
            cbar.set_label(_w("std_heat", lang), fontsize=8)
            cbar.ax.tick_params(labelsize=7)
            handles = [
                Patch(
                    facecolor="white", edgecolor="#67001f", hatch="xx", lw=2.0, label=_w("below_floor", lang)
                )
            ]
            ax_heat.legend(
                handles=handles, loc="upper left", bbox_to_anchor=(1.0, -0.02), fontsize=8, frameon=False
            )
        else:
            ax_heat.set_axis_off()
            ax_heat.text(0.5, 0.5, _w("no_units", lang), ha="center", va="center", fontsize=12)
        ax_heat.set_title(_w("std_heat", lang), fontsize=10, loc="left")

        # CVs per indicator and stage against their limits
        stages = sorted({r["stage"] for r in cvs} | {k["stage"] for k in comps}, key=_stage_key)
        entries: list[tuple[str, str, float | None, float | None, bool | None]] = [
            (r["indicator"], r["stage"], r["cv"], r["limit"], r["passed"]) for r in cvs
        ] + [(k["rule"], k["stage"], k["value"], k["limit"], k["passed"]) for k in comps]
        if entries:
            groups = [g for g in ind_ids if any(e[0] == g for e in entries)]
            groups += [e[0] for e in entries if e[0] not in groups]
            width = 0.8 / max(1, len(stages))
            hatches = ("", "//", "..", "\\\\")
            for name, stage, cv, limit, passed in entries:
                g = groups.index(name)
                s = stages.index(stage)
                x = g - 0.4 + width * (s + 0.5)
                colour = "#bdbdbd" if passed is None else ("#66bd63" if passed else "#d73027")
                if cv is not None:
                    ax_cv.bar(
                        x, cv, width * 0.92, color=colour, edgecolor="#333333", lw=0.6, hatch=hatches[s % 4]
                    )
                    ax_cv.annotate(
                        f"{cv:.2f}",
                        (x, cv),
                        textcoords="offset points",
                        xytext=(0, 2),
                        ha="center",
                        fontsize=7,
                    )
                if limit is not None:
                    line = ax_cv.hlines(
                        limit, x - width / 2, x + width / 2, colors="black", linestyles="--", lw=1.4
                    )
                    line.set_gid("limit")
            ax_cv.set_xticks(range(len(groups)), [ind_name(i, 14 if lang == "zh" else 13) for i in groups])
            ax_cv.tick_params(axis="x", labelsize=8, length=0)
            ax_cv.set_ylabel(_w("cv", lang))
            ax_cv.set_ylim(0, max([e[2] or 0 for e in entries] + [e[3] or 0 for e in entries]) * 1.18 or 1.0)
            from matplotlib.lines import Line2D

            legend: list[Any] = [
                Patch(
                    facecolor="white", edgecolor="#333333", hatch=hatches[i % 4], label=stage_label(st, lang)
                )
                for i, st in enumerate(stages)
            ]
            legend += [
                Patch(facecolor="#66bd63", label=_w("within_limit", lang)),
                Patch(facecolor="#d73027", label=_w("above_limit", lang)),
                Line2D([], [], color="black", ls="--", label=_w("limit", lang)),
            ]
            ax_cv.legend(
                handles=legend, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8, frameon=False
            )
            for side in ("top", "right"):
                ax_cv.spines[side].set_visible(False)
            ax_cv.grid(axis="y", color="#dddddd", lw=0.6)
            ax_cv.set_axisbelow(True)
        else:
            ax_cv.set_axis_off()
            ax_cv.text(0.5, 0.5, _w("no_cvs", lang), ha="center", va="center", fontsize=12)
        ax_cv.set_title(_w("std_cv", lang), fontsize=10, loc="left")
    return fig


def plot_rank_uncertainty(
    result: RankUncertainty,
    lang: str | None = None,
    labels: Mapping[Any, str] | None = None,
    title: str | None = None,
) -> Figure:
    """Ranks and their uncertainty (:meth:`planeval.composite.Composite.uncertainty`): one row per
    unit, best nominal rank on top; a bar from the 5th to the 95th percentile of its rank over the
    replications, a dot at the median and a cross at the nominal rank. With sensitivity indices, a
    second panel shows each uncertain input's first-order and total index.

    ``labels`` maps units to display names (e.g. school names); ``title`` overrides the default.
    """
    import numpy as np

    lang, font = resolve_lang(lang)
    r = result.ranks
    units = list(result.units)
    nominal, median, p05, p95 = (np.asarray(r[c], dtype=float) for c in ("nominal", "median", "p05", "p95"))
    order = np.argsort(np.where(nominal > 0, nominal, np.inf), kind="stable")
    sens = result.sensitivity
    has_sens = sens is not None and hasattr(sens, "columns") and 0 < len(sens) == len(result.inputs)
    zh = lang == "zh"
    with _style(lang, font):
        from matplotlib.figure import Figure

        height = 0.32 * len(units) + 1.6
        fig = Figure(figsize=(9.0 if has_sens else 6.0, max(3.0, height)), layout="constrained")
        axes = fig.subplots(1, 2, width_ratios=[3, 2]) if has_sens else [fig.subplots(1, 1)]
        ax = axes[0]
        y = np.arange(len(units))
        for row, k in enumerate(order):
            ax.plot(
                [p05[k], p95[k]], [row, row], color="#2c7bb6", linewidth=4, solid_capstyle="butt", alpha=0.6
            )
        ax.plot(median[order], y, "o", color="#2c7bb6", label="中位数" if zh else "median")
        ax.plot(nominal[order], y, "x", color="#d7191c", label="名义排名" if zh else "nominal rank")
        names = [str(labels.get(units[k], units[k])) if labels else str(units[k]) for k in order]
        ax.set_yticks(y, names)
        ax.invert_yaxis()
        ax.set_xlabel("排名（5%–95% 区间）" if zh else "rank (5th–95th percentile)")
        ax.set_xlim(0.5, len(units) + 0.5)
        ax.grid(axis="x", alpha=0.3)
        ax.legend(loc="upper right", fontsize=8)  # rows run from rank 1 (top left) down the diagonal
        ax.set_title(
            title
            or (
                f"综合指数排名的不确定性（{result.replications} 次模拟）"
                if zh
                else f"Rank uncertainty of the composite ({result.replications} replications)"
            )
        )
        if has_sens:
            ax2 = axes[1]
            inputs = list(result.inputs)
            first = np.asarray(sens["first_order"], dtype=float)
            total = np.asarray(sens["total"], dtype=float)
            yy = np.arange(len(inputs))
            ax2.barh(yy - 0.2, first, height=0.4, color="#fdae61", label="一阶指数" if zh else "first order")
            ax2.barh(yy + 0.2, total, height=0.4, color="#2c7bb6", label="总效应指数" if zh else "total")
            zh_inputs = {
                "weights": "权重",
                "variant": "标准化/插补方案",
                "aggregation": "聚合方法",
                "drop_indicator": "剔除一项指标",
            }
            ax2.set_yticks(yy, [zh_inputs.get(i, i) if zh else i.replace("_", " ") for i in inputs])
            ax2.invert_yaxis()
            finite = total[np.isfinite(total)]  # NaN: the rank shift did not vary (0 / 0)
            ax2.set_xlim(0, max(1.0, float(finite.max()) if finite.size else 1.0))
            ax2.set_title("敏感性（平均排名变动）" if zh else "Sensitivity (mean rank shift)")
            ax2.legend(loc="lower right", fontsize=8)
    return fig


def _stage_key(stage: str) -> tuple[int, str]:
    return (_STAGE_ORDER.index(stage) if stage in _STAGE_ORDER else 99, stage)


def figure_svg(fig: Figure) -> str:
    """The figure as SVG text (text drawn as paths: no font needed to view it)."""
    import io

    buf = io.StringIO()
    import matplotlib

    with matplotlib.rc_context({"svg.fonttype": "path", "svg.hashsalt": "planeval"}):
        fig.savefig(buf, format="svg", metadata={"Date": None})
    return buf.getvalue()


__all__ = [
    "PlanevalWarning",
    "find_cjk_font",
    "plot_dashboard",
    "plot_rank_uncertainty",
    "plot_standard",
    "plot_target",
    "resolve_lang",
    "status_label",
]
