"""What the Word and Excel exports (:mod:`planeval._docx`, :mod:`planeval._xlsx_out`) show of a
report, built once: one row per target with the plan's names (never ids where a person reads), the
indicator's unit and decimals, baseline, actual value, goal, deadline and status; the year-over-year
comparison of two reports (:func:`compare_reports`); the per-school table of a standard's result.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from . import _core
from ._display import (
    COMPARATOR_SIGN,
    GOAL_WORDS,
    format_value,
    status_label,
    target_decimals,
    text_of,
    unit_label,
    unit_suffix,
)
from ._errors import check_lang
from ._vocab import domain_label

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd  # type: ignore[import-untyped, unused-ignore]

    from ._report import Report

#: Statuses a leadership report singles out: the targets at risk.
AT_RISK = ("lagging", "missed", "breached")


# Characters XML 1.0 cannot hold (C0 controls but tab, LF, CR; lone surrogates; U+FFFE/U+FFFF):
# lxml refuses them, so a name holding one would stop the export. They are shown as U+FFFD.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(text: str) -> str:
    """``text`` with every character XML 1.0 cannot hold replaced by U+FFFD (�)."""
    return _NOT_XML.sub("\ufffd", text)


@dataclass
class TargetRow:
    """One target as the exports show it."""

    id: str
    domain: str  # the plan's domain id ('' for none)
    domain_name: str
    name: str  # the target's name, else the indicator's
    indicator_name: str
    unit: str  # the unit heading (人, %, persons ...)
    suffix: str  # what follows a number ("%", "人", " persons")
    decimals: int
    baseline: float | None
    actual: float | None
    actual_date: datetime.date | None
    goal: str  # the goal in words/numbers, with its unit
    goal_value: float | None  # a single numeric goal, else None
    deadline: datetime.date
    status: str
    status_text: str  # 已达成 ... (暂定 when provisional)
    provisional: bool
    sentence: str
    boolean: bool


def goal_text(comparator: str, value: Any, suffix: str, decimals: int, lang: str) -> str:
    """A goal as people read it: "≥ 99.0%", "通过（完成）", "3:4:3", "95.0–98.0%"."""
    if comparator in GOAL_WORDS:
        zh, en = GOAL_WORDS[comparator]
        return en if lang == "en" else zh
    if isinstance(value, list):
        if comparator == "between" and len(value) == 2:
            return f"{format_value(value[0], decimals)}–{format_value(value[1], decimals)}{suffix}"
        return ":".join(format(float(v), "g") for v in value)
    if isinstance(value, bool) or value is None:
        return COMPARATOR_SIGN.get(comparator, comparator)
    return f"{COMPARATOR_SIGN.get(comparator, comparator)} {format_value(float(value), decimals)}{suffix}"


def number_text(x: float | None, row: TargetRow, lang: str) -> str:
    """A value of the row's indicator with its unit ("—" when missing; 通过/未通过 for pass/fail)."""
    if x is None:
        return "—"
    if row.boolean:
        yes = x >= 0.5
        return ("passed" if yes else "not passed") if lang == "en" else ("通过" if yes else "未通过")
    return format_value(x, row.decimals) + row.suffix


def _baseline(pt: Any, t: Mapping[str, Any]) -> float | None:
    if pt.baseline is not None and isinstance(pt.baseline.value, (int, float)):
        return float(pt.baseline.value)
    for p in t.get("trace", {}).get("points", []):
        if p.get("source") == "baseline" and p.get("value") is not None:
            return float(p["value"])
    return None


_SCHOOL_KINDS = ("school", "kindergarten", "teaching_point")


class SchoolNames:
    """Replaces the ids of the plan's schools (entities of kind school, kindergarten, teaching point)
    in a sentence by their names: the core's sentences and reasons name a school by its id."""

    def __init__(self, plan: _core.Plan, lang: str) -> None:
        names = {}
        for e in plan.entities:
            if e.kind in _SCHOOL_KINDS:
                name = (e.name_en or e.name_zh) if lang == "en" else (e.name_zh or e.name_en)
                if name and name != e.id:
                    names[e.id] = str(name)
        self.names = names
        ids = sorted(names, key=len, reverse=True)
        self.pattern = (
            re.compile("(?<![\\w.-])(" + "|".join(re.escape(i) for i in ids) + ")(?![\\w-])") if ids else None
        )

    def __call__(self, text: str) -> str:
        if self.pattern is None:
            return text
        return self.pattern.sub(lambda m: self.names[m.group(1)], text)


def target_rows(report: Report, lang: str = "zh") -> list[TargetRow]:
    """Every target of ``report`` in plan order as a :class:`TargetRow` in ``lang``."""
    check_lang(lang)
    plan = report._plan
    schools = SchoolNames(plan, lang)
    plan_targets = {t.id: t for t in plan.targets}
    indicators = {i.id: i for i in plan.indicators}
    rows = []
    for t in report._dict["targets"]:
        pt, ind = plan_targets[t["id"]], indicators[t["indicator"]]
        dec = target_decimals(t, ind)
        boolean = ind.unit == "boolean" or ind.kind == "boolean"
        suffix = unit_suffix(ind, lang)
        goal = t["goal"] if t.get("goal") is not None else pt.goal.value
        provisional = bool(t.get("provisional", False))
        status = status_label(t["status"], lang)
        if provisional:
            status += " (provisional)" if lang == "en" else "（暂定）"
        ind_name = (ind.name_en or ind.name_zh) if lang == "en" else (ind.name_zh or ind.name_en)
        single = goal if isinstance(goal, (int, float)) and not isinstance(goal, bool) else None
        rows.append(
            TargetRow(
                id=t["id"],
                domain=str(ind.domain or ""),
                domain_name=domain_label(plan, str(ind.domain or ""), lang),
                name=text_of(pt.name, lang, ind_name or t["id"]),
                indicator_name=ind_name or ind.id,
                unit="" if boolean else unit_label(str(ind.unit), lang, str(ind.unit_en)),
                suffix=suffix,
                decimals=dec,
                baseline=_baseline(pt, t),
                actual=t["actual"],
                actual_date=None
                if t["actual_date"] is None
                else datetime.date.fromisoformat(t["actual_date"]),
                goal=goal_text(pt.goal.comparator, goal, suffix, dec, lang),
                goal_value=None if single is None else float(single),
                deadline=datetime.date.fromisoformat(t["deadline"]),
                status=t["status"],
                status_text=status,
                provisional=provisional,
                sentence=schools(str(t["trace"]["sentence"]["en" if lang == "en" else "zh"])),
                boolean=boolean,
            )
        )
    return rows


def date_text(day: datetime.date, lang: str) -> str:
    """2023年12月31日 / 31 December 2023."""
    if lang == "en":
        return f"{day.day} {day.strftime('%B')} {day.year}"
    return f"{day.year}年{day.month}月{day.day}日"


def entity_name(plan: _core.Plan, entity: str, lang: str) -> str:
    """An entity's name in ``lang`` (its id when the plan does not know it)."""
    if not entity:
        return ""
    try:
        e = plan.entity(entity)
    except (KeyError, IndexError, ValueError):
        return entity
    name = (e.name_en or e.name_zh) if lang == "en" else (e.name_zh or e.name_en)
    return str(name or entity)


# --- the year-over-year comparison ---------------------------------------------------------------

#: Columns of :func:`compare_reports`.
COMPARE_COLUMNS = (
    "id",
    "name",
    "status_before",
    "status",
    "status_change",
    "actual_before",
    "actual",
    "change",
    "category_before",
    "category",
)


def _primary_category(t: Mapping[str, Any]) -> str | None:
    a = t.get("assessments") or []
    return None if not a else a[0].get("category")


def _status_rank(status: str) -> int | None:
    """Better is higher: met/achieved 4, on_track 3, lagging 2, missed/breached 1; others None
    (not due, no data, not assessable are not ranked)."""
    return {"met": 4, "achieved": 4, "on_track": 3, "lagging": 2, "missed": 1, "breached": 1}.get(status)


def compare_reports(this: Report, previous: Report, lang: str = "zh") -> pd.DataFrame:
    """This year's report against an earlier one of the same plan, one row per target of ``this``
    (plan order): ``id``, ``name`` (in ``lang``), ``status_before``/``status`` (the status names),
    ``status_change`` ("better", "worse", "same", or "new" when the earlier report has no such
    target, "—" when either status is not ranked: not due, no data, not assessable),
    ``actual_before``/``actual`` and ``change`` (actual − actual_before, NaN when either is missing),
    ``category_before``/``category`` (the primary method's categories). Reports of different plans
    raise :class:`planeval.Error`."""
    import pandas as pd

    check_lang(lang)
    if this.plan_id != previous.plan_id:
        raise _core.Error(
            f"compare_reports: the reports are of different plans ({this.plan_id!r}, {previous.plan_id!r})"
        )
    before = {t["id"]: t for t in previous._dict["targets"]}
    names = {r.id: r.name for r in target_rows(this, lang)}
    rows = []
    for t in this._dict["targets"]:
        b = before.get(t["id"])
        if b is None:
            change_word = "new"
        else:
            r0, r1 = _status_rank(b["status"]), _status_rank(t["status"])
            if r0 is None or r1 is None:
                change_word = "same" if b["status"] == t["status"] else "—"
            else:
                change_word = "better" if r1 > r0 else "worse" if r1 < r0 else "same"
        a0 = None if b is None else b["actual"]
        a1 = t["actual"]
        rows.append(
            {
                "id": t["id"],
                "name": names[t["id"]],
                "status_before": None if b is None else b["status"],
                "status": t["status"],
                "status_change": change_word,
                "actual_before": a0,
                "actual": a1,
                "change": None if a0 is None or a1 is None else float(a1) - float(a0),
                "category_before": None if b is None else _primary_category(b),
                "category": _primary_category(t),
            }
        )
    frame = pd.DataFrame(rows, columns=list(COMPARE_COLUMNS))
    for c in ("actual_before", "actual", "change"):
        frame[c] = frame[c].astype("float64")
    return frame


#: The words of a status change.
CHANGE_WORDS = {
    "better": ("好转", "better"),
    "worse": ("退步", "worse"),
    "same": ("持平", "same"),
    "new": ("新增", "new"),
    "—": ("—", "—"),
}


# --- a standard's result per school ---------------------------------------------------------------


def standard_indicator_names(standard: _core.Standard, lang: str) -> dict[str, str]:
    """The standard's indicators: id -> name in ``lang``."""
    out = {}
    for ind in standard.indicators:
        name = ind.get("name") or {}
        out[str(ind["id"])] = text_of_dict(name, lang, str(ind["id"]))
    return out


def text_of_dict(t: Mapping[str, Any], lang: str, fallback: str) -> str:
    zh, en = str(t.get("zh", "") or ""), str(t.get("en", "") or "")
    return (en or zh or fallback) if lang == "en" else (zh or en or fallback)


def standard_decimals(standard: _core.Standard) -> dict[str, int]:
    """The standard's indicators: id -> decimals (2 when the standard states none)."""
    out = {}
    for ind in standard.indicators:
        d = ind.get("decimals")
        out[str(ind["id"])] = 2 if d is None else int(d)
    return out


def unit_floor(standard: _core.Standard) -> float | None:
    """The floor of the standard's per-school rule (0.85: each unmet indicator at least 85% of its
    standard), None when its rule has none."""
    rule = standard.unit_rule or {}
    floor = rule.get("floor") if isinstance(rule, Mapping) else None
    return None if floor is None else float(floor)


def verdict_text(passed: bool | None, lang: str) -> str:
    if passed is None:
        return "not evaluated" if lang == "en" else "未评估"
    if lang == "en":
        return "met" if passed else "not met"
    return "达标" if passed else "未达标"


def stage_text(stage: str, lang: str) -> str:
    from ._vocab import stage_label

    return stage_label(stage, lang) if stage else ""


def reason_text(r: Any, plan: _core.Plan | None, lang: str) -> str:
    """A standard's reason (a StandardReason) in ``lang``, the school's id replaced by its name."""
    text = str(r.message_en if lang == "en" else r.message_zh)
    if r.unit and plan is not None:
        name = entity_name(plan, str(r.unit), lang)
        if name != r.unit:
            text = text.replace(f" {r.unit}", f" {name}", 1)
    return text if plan is None else SchoolNames(plan, lang)(text)


def comparator_text(comparator: str, lang: str) -> str:
    """≥, ≤ ... for a criterion's comparator; 通过 / pass for a pass/fail one."""
    if comparator == "pass":
        return "pass" if lang == "en" else "通过"
    return COMPARATOR_SIGN.get(comparator, comparator)
