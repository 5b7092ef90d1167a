"""Excel workbooks a bureau hands on (openpyxl, imported when called; ``pip install planeval[excel]``):

- :func:`report_xlsx` (``Report.to_xlsx``): the evaluation table, one row per target with the plan's
  names, the unit, baseline, actual, goal, deadline and status; numbers with the indicator's
  decimals as number formats; a frozen heading row, a filter and column widths; a second sheet
  counts the targets by status.
- :func:`standard_xlsx` (``StandardResult.to_xlsx``): a standard's result: the verdict and its
  groups; the per-school table (each school × the standard's indicators: value, the standard,
  met or not, the share of the standard reached and, where the standard has one, whether the
  85% floor is reached; the school's verdict); the same as one row per school × indicator; the
  coefficient-of-variation (差异系数) table per stage and indicator with its limit; the county
  criteria; the reasons.

Every text from a plan or data is a string cell, never a formula (``_workbook.inert_text`` runs
right before every save; issue 18). The data-check report per school is
:func:`planeval.write_check_reports`.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from . import _core
from ._display import STATUSES, status_label, text_of
from ._errors import check_lang
from ._export import (
    comparator_text,
    date_text,
    entity_name,
    reason_text,
    stage_text,
    standard_decimals,
    standard_indicator_names,
    target_rows,
    text_of_dict,
    unit_floor,
    verdict_text,
    xml_safe,
)
from ._workbook import _openpyxl, inert_text

if TYPE_CHECKING:  # pragma: no cover
    from ._report import Report


def _fmt(decimals: int) -> str:
    """An Excel number format with ``decimals`` digits after the point: 0, 0.0, 0.00 ..."""
    return "0" if decimals <= 0 else "0." + "0" * min(decimals, 12)


def _cell_value(v: Any) -> Any:
    if v is None:
        return None
    if isinstance(v, float) and not math.isfinite(v):
        return None
    if isinstance(v, str):
        return xml_safe(v)
    return v


def _yes(flag: bool | None, lang: str) -> str:
    if flag is None:
        return "—"
    return ("yes" if flag else "no") if lang == "en" else ("是" if flag else "否")


class _Sheet:
    """A table as rows of values with their number formats: written into a worksheet (heading row
    bold, frozen, filtered; column widths from the text) or rendered as HTML or CSV."""

    def __init__(self, wb: Any, title: str, header: Sequence[str], first: bool = False) -> None:
        self.title = title
        self.header = list(header)
        self.rows: list[list[Any]] = []
        self.formats: list[list[str | None]] = []
        self.widths = [max(8, _width(h)) for h in header]
        self.first = first
        #: For HTML: a heading row above the header, (label, columns spanned); the header then
        #: shows only the part of each heading after ``group_sep``.
        self.groups: list[tuple[str, int]] = []
        self.group_sep = ""
        if wb is not None:
            wb.tables.append(self)

    @property
    def row(self) -> int:
        return 1 + len(self.rows)

    def add(self, values: Sequence[Any], formats: Sequence[str | None] = ()) -> None:
        self.rows.append([_cell_value(v) for v in values])
        self.formats.append(list(formats) + [None] * (len(values) - len(formats)))
        for c, v in enumerate(values):
            if isinstance(v, str):
                self.widths[c] = max(self.widths[c], min(_width(v), 60))

    def finish(self) -> None:
        """Nothing: kept for the writers' symmetry (the table is written by :func:`_write`)."""

    def write(self, wb: Any) -> None:
        openpyxl = _openpyxl()
        styles, utils = openpyxl.styles, openpyxl.utils
        ws = wb.active if self.first else wb.create_sheet()
        ws.title = _sheet_title(self.title)
        bold = styles.Font(bold=True)
        fill = styles.PatternFill("solid", fgColor="DDEBF7")
        wrap = styles.Alignment(wrap_text=True, vertical="top")
        for c, h in enumerate(self.header, start=1):
            cell = ws.cell(row=1, column=c, value=xml_safe(h))
            cell.font, cell.fill, cell.alignment = bold, fill, wrap
        for r, (values, formats) in enumerate(zip(self.rows, self.formats), start=2):
            for c, v in enumerate(values, start=1):
                cell = ws.cell(row=r, column=c, value=v)
                fmt = formats[c - 1]
                if fmt and not isinstance(v, (str, bool)) and v is not None:
                    cell.number_format = fmt
        ws.freeze_panes = "A2"
        last = utils.get_column_letter(len(self.header))
        ws.auto_filter.ref = f"A1:{last}{self.row}"
        for c, w in enumerate(self.widths, start=1):
            ws.column_dimensions[utils.get_column_letter(c)].width = min(w + 2, 62)


class _Tables:
    """The tables of one workbook, in sheet order."""

    def __init__(self) -> None:
        self.tables: list[_Sheet] = []


def _sheet_title(title: str) -> str:
    """A valid sheet title: at most 31 characters, none of : \\ / ? * [ ]."""
    for ch in ":\\/?*[]":
        title = title.replace(ch, " ")
    return title[:31] or "Sheet"


def _width(text: str) -> int:
    """Columns a text needs: East Asian characters count two."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _save(tables: _Tables, path: str | os.PathLike[str]) -> None:
    """Writes the tables as a workbook's sheets; every text cell stays text (issue 18)."""
    wb = _openpyxl().Workbook()
    for t in tables.tables:
        t.write(wb)
    inert_text(wb)
    wb.save(os.fspath(path))


_REPORT_HEAD = {
    "zh": [
        "领域",
        "目标",
        "指标",
        "单位",
        "基期值",
        "实际值",
        "数据日期",
        "目标值",
        "期限",
        "状态",
        "说明",
        "目标编号",
    ],
    "en": [
        "Domain",
        "Target",
        "Indicator",
        "Unit",
        "Baseline",
        "Actual",
        "Data date",
        "Goal",
        "Deadline",
        "Status",
        "Explanation",
        "Target id",
    ],
}


def report_xlsx(report: Report, path: str | os.PathLike[str], lang: str = "zh") -> None:
    """Writes the evaluation table of ``report`` (see the module's docstring)."""
    check_lang(lang)
    _openpyxl()  # a clear ImportError before any work
    wb = _Tables()
    en = lang == "en"
    sheet = _Sheet(wb, "Evaluation" if en else "评估表", _REPORT_HEAD[lang], first=True)
    for r in target_rows(report, lang):
        fmt = _fmt(r.decimals)
        if r.boolean:
            baseline: Any = None if r.baseline is None else ("passed" if r.baseline >= 0.5 else "not passed")
            actual: Any = None if r.actual is None else ("passed" if r.actual >= 0.5 else "not passed")
            if not en:
                baseline = {"passed": "通过", "not passed": "未通过"}.get(baseline, baseline)
                actual = {"passed": "通过", "not passed": "未通过"}.get(actual, actual)
        else:
            baseline, actual = r.baseline, r.actual
        sheet.add(
            [
                r.domain_name,
                r.name,
                r.indicator_name,
                r.unit,
                baseline,
                actual,
                r.actual_date,
                r.goal,
                r.deadline,
                r.status_text,
                r.sentence,
                r.id,
            ],
            [None, None, None, None, fmt, fmt, "yyyy-mm-dd", None, "yyyy-mm-dd", None, None, None],
        )
    sheet.widths[6] = sheet.widths[8] = 11
    sheet.widths[10] = 60
    sheet.finish()
    summary = report.summary
    counts = _Sheet(
        wb, "Summary" if en else "汇总", ["Status" if en else "状态", "Targets" if en else "目标数"]
    )
    for s in STATUSES:
        counts.add([status_label(s, lang), int(summary.get(s, 0))])
    counts.add(["Total" if en else "合计", sum(summary.values())])
    counts.add([("As of " if en else "截至") + date_text(report.as_of, lang), None])
    counts.finish()
    _save(wb, path)


# --- a standard's result ------------------------------------------------------------------------


def _standard_of(
    result: _core.StandardResult, plan: _core.Plan | None, standard: _core.Standard | None
) -> Any:
    if standard is not None:
        return standard
    if plan is not None:
        try:
            return plan.standard(result.standard)
        except (_core.Error, KeyError):
            pass
    if result.standard in _core.builtin_standard_ids():
        return _core.builtin_standard(result.standard)
    raise _core.Error(
        f"StandardResult.to_xlsx: standard {result.standard!r} is not built in: pass standard= (the Standard "
        "evaluated)"
    )


_STD_WORDS = {
    "verdict": ("结论", "Verdict"),
    "schools": ("学校", "Schools"),
    "details": ("学校明细", "School details"),
    "cv": ("差异系数", "CV"),
    "criteria": ("县级指标", "County criteria"),
    "reasons": ("原因", "Reasons"),
    "stage": ("学段", "Stage"),
    "school": ("学校", "School"),
    "id": ("学校代码", "School id"),
    "students": ("在校生数", "Students"),
    "value": ("数值", "value"),
    "threshold": ("标准", "standard"),
    "met": ("达标", "met"),
    "share": ("达标准的比例", "share of standard"),
    "floor": ("不低于{p}%", "at least {p}%"),
    "met_count": ("达标项数", "Indicators met"),
    "school_verdict": ("学校结论", "School verdict"),
    "excluded": ("不参评：{why}", "excluded: {why}"),
    "indicator": ("指标", "Indicator"),
    "cv_value": ("差异系数", "Coefficient of variation"),
    "limit": ("限值", "Limit"),
    "passed": ("是否达标", "Met"),
    "units": ("学校数", "Schools"),
    "missing_units": ("缺数据学校数", "Schools without data"),
    "mean": ("均值", "Mean"),
    "weighting": ("加权", "Weighting"),
    "group": ("方面", "Group"),
    "message": ("说明", "Explanation"),
    "comparator": ("比较", "Comparison"),
    "item": ("项目", "Item"),
    "result": ("结果", "Result"),
    "standard": ("标准", "Standard"),
    "document": ("文号", "Document"),
    "scope": ("评估范围", "Scope"),
    "period": ("年度", "Period"),
}


def _sw(key: str, lang: str, **kw: object) -> str:
    zh, en = _STD_WORDS[key]
    return (en if lang == "en" else zh).format(**kw)


def standard_xlsx(
    result: _core.StandardResult,
    path: str | os.PathLike[str],
    lang: str = "zh",
    *,
    plan: _core.Plan | None = None,
    standard: _core.Standard | None = None,
) -> None:
    """Writes ``result`` as a workbook (see the module's docstring). ``plan`` gives the schools'
    names (their ids otherwise); ``standard`` is the Standard evaluated (default: the plan's of that
    id, else the built-in one)."""
    _openpyxl()  # a clear ImportError before any work
    _save(standard_tables(result, lang, plan=plan, standard=standard), path)


def standard_tables(
    result: _core.StandardResult,
    lang: str = "zh",
    *,
    plan: _core.Plan | None = None,
    standard: _core.Standard | None = None,
) -> _Tables:
    """The tables of :func:`standard_xlsx`: verdict, schools, school details, CV, county criteria
    (when the standard has any), reasons."""
    check_lang(lang)
    std = _standard_of(result, plan, standard)
    wb = _Tables()
    names = standard_indicator_names(std, lang)
    decimals = standard_decimals(std)
    floor = unit_floor(std)
    groups = {str(g["id"]): text_of_dict(g.get("name") or {}, lang, str(g["id"])) for g in std.groups}

    def school(unit: str) -> str:
        return entity_name(plan, unit, lang) if plan is not None else unit

    # 结论
    v = _Sheet(wb, _sw("verdict", lang), [_sw("item", lang), _sw("result", lang)], first=True)
    v.add([_sw("standard", lang), text_of(std.title, lang, result.standard)])
    v.add([_sw("document", lang), str(std.document.get("number", ""))])
    v.add([_sw("scope", lang), school(result.scope)])
    v.add([_sw("period", lang), str(result.period)])
    v.add([_sw("verdict", lang), verdict_text(result.passed, lang)])
    for g in result.groups:
        gid = str(g["id"])
        v.add([groups.get(gid, gid), verdict_text(bool(g["passed"]), lang) if g["evaluated"] else "—"])
    v.finish()

    # 学校: each school × indicator
    ids: list[str] = []
    for u in result.units:
        for uv in u["values"]:
            if uv["indicator"] not in ids:
                ids.append(uv["indicator"])
    pct = floor is not None
    sub = [_sw("value", lang), _sw("threshold", lang), _sw("met", lang), _sw("share", lang)]
    if pct:
        sub.append(_sw("floor", lang, p=f"{floor * 100:g}" if floor is not None else ""))
    head = [_sw("stage", lang), _sw("school", lang), _sw("id", lang), _sw("students", lang)]
    for i in ids:
        head += [f"{names.get(i, i)}：{s}" if lang == "zh" else f"{names.get(i, i)}: {s}" for s in sub]
    head += [_sw("met_count", lang), _sw("school_verdict", lang)]
    ws = _Sheet(wb, _sw("schools", lang), head)
    ws.groups = [("", 4)] + [(names.get(i, i), len(sub)) for i in ids] + [("", 2)]
    ws.group_sep = "：" if lang == "zh" else ": "
    details = _Sheet(
        wb,
        _sw("details", lang),
        [
            _sw("stage", lang),
            _sw("school", lang),
            _sw("id", lang),
            _sw("indicator", lang),
            _sw("value", lang),
            _sw("threshold", lang),
            _sw("met", lang),
            _sw("share", lang),
        ]
        + ([_sw("floor", lang, p=f"{floor * 100:g}")] if floor is not None else []),
    )
    for u in result.units:
        by = {val["indicator"]: val for val in u["values"]}
        row: list[Any] = [stage_text(u["stage"] or "", lang), school(u["unit"]), u["unit"], u["students"]]
        fmts: list[str | None] = [None, None, None, "0"]
        for i in ids:
            val: Any = by.get(i)
            f = _fmt(decimals.get(i, 2))
            if val is None or val.get("missing"):
                row += [None, None if val is None else val.get("threshold"), "—", None] + (
                    ["—"] if pct else []
                )
            else:
                row += [val["value"], val["threshold"], _yes(bool(val["met"]), lang), val["ratio"]]
                if pct:
                    row.append(_yes(bool(val["above_floor"]), lang))
            fmts += [f, f, None, "0.0%"] + ([None] if pct else [])
            if val is not None:
                missing = bool(val.get("missing"))
                details.add(
                    [
                        stage_text(u["stage"] or "", lang),
                        school(u["unit"]),
                        u["unit"],
                        names.get(i, i),
                        None if missing else val["value"],
                        val.get("threshold"),
                        "—" if missing else _yes(bool(val["met"]), lang),
                        None if missing else val["ratio"],
                    ]
                    + (["—" if missing else _yes(bool(val["above_floor"]), lang)] if pct else []),
                    [None, None, None, None, f, f, None, "0.0%", None],
                )
        if u["excluded"]:
            why = text_of_dict(u.get("excluded_because") or {}, lang, str(u.get("exclusion", "")))
            verdict = _sw("excluded", lang, why=why)
        else:
            verdict = verdict_text(u["passed"], lang)
        row += [u["met_count"], verdict]
        fmts += ["0", None]
        ws.add(row, fmts)
    ws.finish()
    details.finish()

    # 差异系数
    cv = _Sheet(
        wb,
        _sw("cv", lang),
        [
            _sw("stage", lang),
            _sw("indicator", lang),
            _sw("cv_value", lang),
            _sw("limit", lang),
            _sw("passed", lang),
            _sw("units", lang),
            _sw("missing_units", lang),
            _sw("mean", lang),
            _sw("weighting", lang),
        ],
    )
    for c in result.cvs:
        ind = str(c["indicator"])
        cv.add(
            [
                stage_text(str(c["stage"]), lang),
                names.get(ind, ind),
                c["cv"],
                c["limit"],
                verdict_text(c["passed"], lang),
                c["units"],
                c["missing_units"],
                c["mean"],
                str(c["weighting"]),
            ],
            [None, None, "0.000", "0.00", None, "0", "0", _fmt(decimals.get(ind, 2)), None],
        )
    for comp in result.composites:
        cv.add(
            [
                stage_text(str(comp["stage"]), lang),
                str(comp["rule"]),
                comp["value"],
                comp["limit"],
                verdict_text(comp["passed"], lang),
            ],
            [None, None, "0.000", "0.00", None],
        )
    cv.finish()

    # 县级指标
    if result.criteria:
        crit = _Sheet(
            wb,
            _sw("criteria", lang),
            [
                _sw("group", lang),
                _sw("indicator", lang),
                _sw("value", lang),
                _sw("comparator", lang),
                _sw("limit", lang),
                _sw("passed", lang),
            ],
        )
        for k in result.criteria:
            ind = str(k["indicator"])
            crit.add(
                [
                    groups.get(str(k["id"]), str(k["id"])),
                    names.get(ind, ind),
                    k["value"],
                    comparator_text(str(k["comparator"]), lang),
                    k["limit"],
                    verdict_text(k["passed"], lang),
                ],
                [None, None, _fmt(decimals.get(ind, 2)), None, _fmt(decimals.get(ind, 2)), None],
            )
        crit.finish()

    # 原因
    reasons = _Sheet(
        wb,
        _sw("reasons", lang),
        [
            _sw("group", lang),
            _sw("stage", lang),
            _sw("indicator", lang),
            _sw("school", lang),
            _sw("value", lang),
            _sw("limit", lang),
            _sw("message", lang),
        ],
    )
    for r in result.reasons:
        ind = str(r.indicator or "")
        reasons.add(
            [
                groups.get(str(r.group), str(r.group)),
                stage_text(str(r.stage or ""), lang),
                names.get(ind, ind),
                school(str(r.unit or "")),
                r.value,
                r.limit,
                reason_text(r, plan, lang),
            ],
            [None, None, None, None, "0.00", "0.00", None],
        )
    reasons.widths[6] = 60
    reasons.finish()
    return wb


# --- the same tables as HTML and CSV (planeval standard --format html|csv) -----------------------


def _shown(v: Any, fmt: str | None) -> str:
    """A cell as text, by its number format: 0.00 -> two decimals, 0.0% -> a percentage."""
    from ._display import format_fixed

    if v is None:
        return "—"
    if isinstance(v, str):
        return v
    if isinstance(v, bool):
        return str(v)
    if isinstance(v, (int, float)):
        if fmt and fmt.endswith("%"):
            return format_fixed(float(v) * 100, _decimals_of_format(fmt[:-1])) + "%"
        if fmt and fmt[0] == "0":
            return format_fixed(float(v), _decimals_of_format(fmt))
        return format(v, "g") if isinstance(v, float) else str(v)
    if hasattr(v, "isoformat"):
        return str(v.isoformat())
    return str(v)


def _decimals_of_format(fmt: str) -> int:
    return len(fmt.split(".", 1)[1]) if "." in fmt else 0


_PAGE_STYLE = (
    "body{font-family:'Noto Sans CJK SC','Microsoft YaHei','PingFang SC',sans-serif;margin:2em;color:#222}"
    "table{border-collapse:collapse;margin:0 0 2em 0;font-size:13px}"
    "th,td{border:1px solid #bbb;padding:3px 6px;vertical-align:top}"
    "td{white-space:nowrap}td.t{white-space:normal;min-width:20em}th{min-width:3em}"
    "th{background:#ddebf7;position:sticky;top:0}"
    "td.n{text-align:right;font-variant-numeric:tabular-nums}"
    "td.no{background:#fde0dd}"
    "@media print{th{position:static}}"
)


def standard_html(
    result: _core.StandardResult,
    lang: str = "zh",
    *,
    plan: _core.Plan | None = None,
    standard: _core.Standard | None = None,
) -> str:
    """The tables of :func:`standard_tables` as one self-contained HTML page (inline CSS, no
    scripts, no external requests); every text escaped, bidi controls shown as marks."""
    from ._html import _e

    tables = standard_tables(result, lang, plan=plan, standard=standard)
    std = _standard_of(result, plan, standard)
    title = f"{text_of(std.title, lang, result.standard)} {result.period}"
    no = {"否", "no", "未达标", "not met"}
    parts = [
        f'<!DOCTYPE html>\n<html lang="{"en" if lang == "en" else "zh-CN"}"><head><meta charset="utf-8">',
        f"<title>{_e(title)}</title><style>{_PAGE_STYLE}</style></head><body>",
        f"<h1>{_e(title)}</h1>",
    ]
    for t in tables.tables:
        parts.append(f"<h2>{_e(t.title)}</h2><table><thead>")
        header = list(t.header)
        if t.groups:
            parts.append("<tr>")
            parts += [f'<th colspan="{n}">{_e(label)}</th>' for label, n in t.groups]
            parts.append("</tr>")
            header = [h.rsplit(t.group_sep, 1)[-1] if t.group_sep in h else h for h in header]
        parts.append("<tr>")
        parts += [f"<th>{_e(h)}</th>" for h in header]
        parts.append("</tr></thead><tbody>")
        for values, formats in zip(t.rows, t.formats):
            parts.append("<tr>")
            for v, f in zip(values, formats):
                cls = ' class="n"' if isinstance(v, (int, float)) and not isinstance(v, bool) else ""
                if isinstance(v, str) and v in no:
                    cls = ' class="no"'
                elif isinstance(v, str) and len(v) > 24:
                    cls = ' class="t"'
                parts.append(f"<td{cls}>{_e(_shown(v, f))}</td>")
            parts.append("</tr>")
        parts.append("</tbody></table>")
    parts.append("</body></html>\n")
    return "".join(parts)


def standard_csv(
    result: _core.StandardResult,
    path: str | os.PathLike[str],
    lang: str = "zh",
    *,
    plan: _core.Plan | None = None,
    standard: _core.Standard | None = None,
) -> list[str]:
    """Writes the per-school table to ``path`` and the CV table beside it (``<stem>_cv.csv``), as
    CSV files safe to open in Excel (:func:`planeval.to_csv`'s rules); returns the two paths."""
    from ._csv import write_rows

    tables = {t.title: t for t in standard_tables(result, lang, plan=plan, standard=standard).tables}
    path = os.fspath(path)
    stem = path[:-4] if path.lower().endswith(".csv") else path
    out = []
    for key, target in (("schools", path), ("cv", f"{stem}_cv.csv")):
        t = tables[_sw(key, lang)]
        write_rows(target, t.header, t.rows)
        out.append(target)
    return out
