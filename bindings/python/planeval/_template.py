"""Writing the data-entry workbook of a plan (:func:`excel_template`).

The template (one workbook per plan)::

    说明 / Read me      what the workbook is, how to fill it, the plan, the indicators
    幼儿园 小学 初中 高中  one sheet per stage that has indicators: one row per school, one column
                        per indicator and year
    区级 / District     the indicators without a stage (figures of the plan's area: 全区 for a
                        district plan, 全县 for a county plan ...), the area as the row; the sheet
                        is named after the area's kind (区级 / District, 县级 / County ...)
    _planeval           (hidden) the plan id and the template format, checked on reading, and the
                        standards whose indicators the workbook collects (added to the plan on
                        reading)

Every data sheet has three header rows: the indicator's name and unit (row 1) and the year (row 2)
for people, and a hidden machine row (row 3) of codes: ``entity|<stage>``, ``entity_name``,
``parent``, ``students``, then ``<indicator id>|<year>`` for every value column. Reading
(:mod:`planeval._excel_read`) uses the machine row only, so the human labels may be edited, columns
without a code (notes) are ignored, and value columns may be deleted or reordered.
"""

from __future__ import annotations

import copy
import datetime as dt
import importlib
import os
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from . import _core
from ._display import indicator_name, plan_decimals
from ._errors import check_lang
from ._vocab import AREA_KINDS, area_word, plan_area, scope_word
from ._workbook import (
    _ENTITY_CODES,
    _LANGS,
    _SCHOOL_KINDS,
    _STAGE_EN,
    _STAGE_SHEET_EN,
    _TEXT,
    DISTRICT,
    MACHINE_ROW,
    META_SHEET,
    STAGES,
    TEMPLATE_FORMAT,
    TEMPLATE_VERSION,
    _openpyxl,
    _Row,
    _Sheet,
    add_standards,
    inert_text,
    referenced_standards,
)

if TYPE_CHECKING:
    from ._core import Entity, Indicator, Plan, _StrPath

#: Empty rows left on each stage sheet for schools the plan does not know.
NEW_ROWS = 10


def _data_years(plan: Plan) -> list[int]:
    """The plan's data window in years: the earliest baseline's year (or the horizon start if
    earlier) to the horizon end, as planeval accepts observations."""
    first = plan.horizon.start.year
    for t in plan.targets:
        if t.baseline is not None:
            first = min(first, t.baseline.date.year)
    return list(range(first, plan.horizon.end.year + 1))


def _stage_of(entity: Entity, by_id: dict[str, Entity]) -> str | None:
    """The entity's stage, else the nearest ancestor's."""
    seen = 0
    e: Entity | None = entity
    while e is not None and seen <= len(by_id):
        if e.stage is not None:
            return e.stage
        e = by_id.get(e.parent) if e.parent else None
        seen += 1
    return None


def _area_title(kind: str | None, lang: str) -> str:
    """The title of the sheet of the plan's area: 区级 / District, 县级 / County, 市级 / City ...
    (from the core's scope word: 全县 -> 县级); 区域级 / Area without an area."""
    if kind is None:
        return "Area" if lang == "en" else "区域级"
    if lang == "en":
        return kind.replace("_", " ").capitalize()
    word = scope_word(kind, "zh")
    if word == "全国":
        return "国家级"
    return (word[1:] if word.startswith("全") and len(word) > 1 else word) + "级"


#: Every title the sheet of an area can have (what stages= accepts for it).
_AREA_TITLES = {_area_title(k, lang).lower() for k in (*AREA_KINDS, None) for lang in _LANGS}


def _stage_key(name: str) -> str | None:
    """A stage name (zh or en, any case) or the area sheet, as the key used here."""
    s = name.strip()
    if s in STAGES:
        return s
    for zh, en in _STAGE_EN.items():
        if s.lower() in (en, _STAGE_SHEET_EN[zh].lower()):
            return zh
    if s.lower() == DISTRICT or s.lower() in _AREA_TITLES:
        return DISTRICT
    return None


def _area_entities(plan: Plan, entities: list[Entity]) -> list[Entity]:
    """The rows of the area sheet: the plan's area and the other entities of its kind (without an
    area: the entities without a parent)."""
    area = plan_area(plan)
    if area is None or area.kind not in AREA_KINDS:
        return [e for e in entities if not e.parent]
    return [e for e in entities if e.kind == area.kind]


def _plan_sheets(
    plan: Plan, stages: Iterable[str] | None, indicators: Iterable[str] | None, lang: str
) -> tuple[list[_Sheet], list[Indicator], list[Entity]]:
    """The data sheets, the indicators left out (shares), and the schools without a stage."""
    text = _TEXT[lang]
    if isinstance(stages, str):
        stages = [stages]
    wanted: list[str] | None = None
    if stages is not None:
        wanted = []
        for s in stages:
            key = _stage_key(s)
            if key is None:
                raise _core.Error(
                    f"stages: expected stage names ({', '.join(STAGES)}) or {DISTRICT!r}, got {s!r}"
                )
            wanted.append(key)
    all_indicators = plan.indicators
    if isinstance(indicators, str):
        indicators = [indicators]
    if indicators is not None:
        ids = list(indicators)
        known = {i.id for i in all_indicators}
        unknown = [i for i in ids if i not in known]
        if unknown:
            raise _core.Error(f"indicators: unknown indicator {unknown[0]!r} (not in plan {plan.id!r})")
        chosen = set(ids)
        all_indicators = [i for i in all_indicators if i.id in chosen]
    skipped = [
        i
        for i in all_indicators
        if i.kind == "shares"
        and (wanted is None or any(s in wanted for s in i.stages) or (not i.stages and DISTRICT in wanted))
    ]
    usable = [i for i in all_indicators if i.kind != "shares"]

    entities = plan.entities
    by_id = {e.id: e for e in entities}
    districts = _area_entities(plan, entities)
    area = plan_area(plan)
    area_kind = area.kind if area is not None and area.kind in AREA_KINDS else None
    stage_entity = {}
    for e in entities:
        if e.kind == "stage" and e.stage is not None and e.stage not in stage_entity:
            stage_entity[e.stage] = e
    schools = [e for e in entities if e.kind in _SCHOOL_KINDS]
    unstaged = [e for e in schools if _stage_of(e, by_id) is None]

    sheets: list[_Sheet] = []
    for stage in STAGES:
        if wanted is not None and stage not in wanted:
            continue
        inds = [i for i in usable if stage in i.stages]
        if not inds:
            if wanted is not None:
                raise _core.Error(
                    f"stages: no indicator of plan {plan.id!r} concerns {stage}: nothing to fill"
                )
            continue
        title = stage if lang == "zh" else _STAGE_SHEET_EN[stage]
        sheet = _Sheet(stage, title, stage, inds)
        top = stage_entity.get(stage)
        default_parent = top.id if top is not None else (districts[0].id if districts else "")
        if top is not None:
            name = top.name_zh if lang == "zh" else (top.name_en or top.name_zh)
            sheet.rows.append(_Row(top.id, name + text["whole_stage"], top.parent, top.students, "stage"))
        for e in schools:
            if _stage_of(e, by_id) == stage:
                name = e.name_zh if lang == "zh" else (e.name_en or e.name_zh)
                sheet.rows.append(_Row(e.id, name, e.parent, e.students, "known"))
        sheet.rows += [_Row("", "", default_parent, None, "new") for _ in range(NEW_ROWS)]
        sheets.append(sheet)
    if wanted is None or DISTRICT in wanted:
        inds = [i for i in usable if not i.stages]
        if inds:
            sheet = _Sheet(DISTRICT, _area_title(area_kind, lang), None, inds, scope=area_word(plan, lang))
            for e in districts:
                name = e.name_zh if lang == "zh" else (e.name_en or e.name_zh)
                sheet.rows.append(_Row(e.id, name, e.parent, e.students, "known"))
            sheets.append(sheet)
        elif wanted is not None:
            raise _core.Error(f"stages: plan {plan.id!r} has no indicator without a stage: nothing to fill")
    if not sheets:
        raise _core.Error(
            f"plan {plan.id!r}: no indicator to fill in (shares cannot be entered as one number)"
        )
    return sheets, skipped, unstaged


# --- cell formats ------------------------------------------------------------------------------


def _number_format(ind: Indicator, decimals: int) -> str:
    """Display format of a value column: the indicator's display decimals (planeval._display, the
    report's rule); percentages as plain 0-100."""
    if ind.kind == "boolean":
        return "General"
    return "0" if decimals == 0 else "0." + "0" * decimals


def _unit_label(ind: Indicator, lang: str) -> str:
    text = _TEXT[lang]
    if ind.kind == "boolean":
        return text["bool_unit"]
    if ind.is_percentage:
        return text["pct_unit"]
    if ind.unit in ("ratio", ""):
        return ""
    return ind.unit


def _header_label(ind: Indicator, lang: str) -> str:
    name = indicator_name(ind, lang)
    unit = _unit_label(ind, lang)
    if not unit:
        return name
    return f"{name}（{unit}）" if lang == "zh" else f"{name} ({unit})"


def _validation_kind(ind: Indicator, decimals: int) -> str:
    if ind.kind == "boolean":
        return "bool"
    if ind.is_percentage:
        return "pct"
    if ind.kind == "count":
        return "whole" if decimals == 0 else "count"
    return "number"


def _what_to_enter(ind: Indicator, lang: str, decimals: int) -> str:
    kind = _validation_kind(ind, decimals)
    zh = {
        "bool": "是 / 否",
        "pct": "0–100 的数（85.5 即 85.5%）",
        "whole": "≥0 的整数",
        "count": "≥0 的数",
        "number": "数",
    }
    en = {
        "bool": "yes / no",
        "pct": "a number 0–100 (85.5 = 85.5%)",
        "whole": "a whole number >= 0",
        "count": "a number >= 0",
        "number": "a number",
    }
    return (zh if lang == "zh" else en)[kind]


# --- the template ------------------------------------------------------------------------------


def excel_template(
    plan: Plan,
    path: _StrPath,
    *,
    years: Iterable[int] | None = None,
    stages: Iterable[str] | None = None,
    lang: str = "zh",
    indicators: Iterable[str] | None = None,
    standards: Iterable[str] | None = None,
) -> None:
    """Write a data-entry workbook (.xlsx) for ``plan`` to ``path``; read it back with
    :func:`read_excel`.

    Sheets: a read-me (说明 / Read me: the plan, how to fill the workbook, units, the indicator list);
    one sheet per stage (幼儿园, 小学, 初中, 高中) that has indicators (``Indicator.stages`` contains
    it), with the stage as a whole (学段合计, for figures only known for the whole stage) and the plan's
    schools under that stage as rows, plus ``NEW_ROWS`` empty rows for schools the plan does not know
    (columns: id, name, parent — default the stage entity —, students); a sheet for the indicators
    without a stage, with the plan's area as the row, named after the area's kind (区级 / District
    for a district plan, 县级 / County for a county plan ...); and a hidden sheet ``_planeval`` with
    the plan id, checked when reading.

    Columns: one per indicator and year. Row 1 is the indicator's name and unit, row 2 the year, and
    row 3 (hidden) the machine codes ``indicator_id|year`` that reading relies on. Panes are frozen
    below the headers and right of the school columns. Percentages are plain numbers 0–100 (85.5
    means 85.5%); booleans are 是/否 (yes/no); value columns have the indicator's decimals as their
    number format and a (warning-only) data validation. Indicators of kind ``shares`` (3:4:3) cannot
    be entered as one number and are left out, as are schools without a stage (both listed in the
    read-me).

    ``years``: the columns' years (default: the plan's data window, the horizon plus the baseline
    year: 2020–2025 for a 2021–2025 plan with 2020 baselines); each must be in that window.
    ``stages``: the sheets to write, stage names (``"小学"`` or ``"primary"``) and ``"district"`` (or
    the area sheet's title) for the area sheet; default all that have indicators.
    ``indicators``: only these indicator ids. ``lang``: ``"zh"`` or ``"en"`` for the human labels and
    the read-me (reading does not depend on it).

    ``standards``: the official standards whose indicators the workbook also collects, besides
    those the plan's targets reference (always included): ids of the plan's own standards or
    built-in ones (``plan.standard(id)``). Their indicators are added to a copy of ``plan`` (the
    caller's plan is not changed) and the standard ids are recorded in the hidden sheet, so
    :func:`read_excel` adds the same indicators to the plan it reads with. A standard's
    district-level criteria (``level`` "district": 政府保障程度, 社会认可度, 毛入园率 ...) have no
    stage and go on the area sheet, one row for the plan's area (its header says so).

    Raises :class:`planeval.Error` for bad arguments (an unknown standard id included) or a file
    that cannot be written.
    """
    check_lang(lang)
    plan, standard_ids = _with_standards(plan, standards)
    window = _data_years(plan)
    if years is None:
        year_list = window
    else:
        if isinstance(years, int):
            years = [years]
        year_list = sorted({int(y) for y in years})
        if not year_list:
            raise _core.Error("years: expected at least one year")
        # years before the plan are history (the previous plan's figures, for trends); after the
        # horizon nothing is accepted
        outside = [y for y in year_list if not 1900 <= y <= window[-1]]
        if outside:
            raise _core.Error(
                f"years: {outside[0]} is outside the years data may cover, 1900–{window[-1]} "
                "(up to the end of the plan horizon): its values would be rejected"
            )
    sheets, skipped, unstaged = _plan_sheets(plan, stages, indicators, lang)

    openpyxl = _openpyxl()
    wb = openpyxl.Workbook()
    readme = wb.active
    readme.title = _TEXT[lang]["readme"]
    decimals = plan_decimals(plan)
    for sheet in sheets:
        _write_data_sheet(wb.create_sheet(sheet.title), sheet, year_list, lang, decimals)
    _write_readme(readme, plan, sheets, skipped, unstaged, year_list, window, lang)
    meta = wb.create_sheet(META_SHEET)
    _write_meta(meta, plan, year_list, lang, standard_ids)
    meta.sheet_state = "hidden"
    wb.active = 0
    inert_text(wb)
    try:
        wb.save(os.fspath(path))
    except OSError as e:
        raise _core.Error(f"{os.fspath(path)}: cannot write ({e.strerror or e})") from None


def _standard_ids(plan: Plan, standards: Iterable[str] | None) -> list[str]:
    """The referenced standards, then those asked for, each once."""
    ids = referenced_standards(plan)
    if isinstance(standards, str):
        standards = [standards]
    for sid in standards or ():
        if not isinstance(sid, str) or not sid.strip():
            raise _core.Error(f"standards: expected standard ids, got {sid!r}")
        if sid.strip() not in ids:
            ids.append(sid.strip())
    return ids


def _with_standards(plan: Plan, standards: Iterable[str] | None) -> tuple[Plan, list[str]]:
    """A copy of the plan with the indicators of the standards (the caller's plan is left as it
    is), and the standard ids; the plan itself when there are none."""
    ids = _standard_ids(plan, standards)
    if not ids:
        return plan, ids
    for sid in ids:
        plan.standard(sid)  # an unknown id raises before anything is copied
    copied = copy.deepcopy(plan)
    add_standards(copied, ids)
    return copied, ids


def _write_meta(ws: Any, plan: Plan, years: list[int], lang: str, standards: list[str]) -> None:
    rows: list[tuple[str, str]] = [
        ("format", TEMPLATE_FORMAT),
        ("version", str(TEMPLATE_VERSION)),
        ("plan_id", plan.id),
        ("plan_title", plan.title.zh),
        ("generated", dt.date.today().isoformat()),
        ("planeval", _core.__version__),
        ("lang", lang),
        ("years", ",".join(map(str, years))),
        ("standards", ",".join(standards)),
    ]
    for r, (k, v) in enumerate(rows, start=1):
        ws.cell(row=r, column=1, value=k)
        ws.cell(row=r, column=2, value=v).number_format = "@"


def _write_data_sheet(
    ws: Any, sheet: _Sheet, years: list[int], lang: str, decimals: Mapping[str, int]
) -> None:
    styles = importlib.import_module("openpyxl.styles")
    utils = importlib.import_module("openpyxl.utils")
    comments = importlib.import_module("openpyxl.comments")
    datavalidation = importlib.import_module("openpyxl.worksheet.datavalidation")
    text = _TEXT[lang]

    thin = styles.Side(style="thin", color="BFBFBF")
    box = styles.Border(left=thin, right=thin, top=thin, bottom=thin)
    looks: dict[str, dict[str, Any]] = {
        "head": {
            "font": styles.Font(bold=True),
            "fill": styles.PatternFill("solid", fgColor="DDEBF7"),
            "alignment": styles.Alignment(wrap_text=True, vertical="center", horizontal="center"),
        },
        "code": {
            "font": styles.Font(color="808080", size=8),
            "fill": styles.PatternFill("solid", fgColor="EDEDED"),
        },
        "stage": {"fill": styles.PatternFill("solid", fgColor="FFF2CC"), "border": box},
        "new": {"fill": styles.PatternFill("solid", fgColor="F2F2F2"), "border": box},
        "known": {"border": box},
    }
    # Setting a style attribute is slow in openpyxl (it hashes the style); cells sharing a look copy
    # the style of the first cell that got it.
    done: dict[tuple[str, str], Any] = {}

    def put(row: int, column: int, value: object, look: str, number_format: str = "General") -> Any:
        cell = ws.cell(row=row, column=column, value=value)
        key = (look, number_format)
        if key in done:
            cell._style = copy.copy(done[key])
        else:
            for name, style in looks[look].items():
                setattr(cell, name, style)
            cell.number_format = number_format
            done[key] = cell._style
        return cell

    first_row = MACHINE_ROW + 1
    last_row = first_row + len(sheet.rows) - 1
    entity_label = text["entity"] if sheet.stage is not None else text["entity_district"]
    name_label = (
        text["entity_name"] if sheet.stage is not None else text["area_values"].format(scope=sheet.scope)
    )
    labels = (entity_label, name_label, text["parent"], text["students"])
    codes = (f"entity|{sheet.stage or ''}", *_ENTITY_CODES)
    widths = (22, 30, 20, 12)
    for c, (label, code, width) in enumerate(zip(labels, codes, widths), start=1):
        put(1, c, label, "head")
        put(2, c, None, "head")
        ws.merge_cells(start_row=1, start_column=c, end_row=2, end_column=c)
        put(MACHINE_ROW, c, code, "code", "@")
        ws.column_dimensions[utils.get_column_letter(c)].width = width

    for r, row in enumerate(sheet.rows, start=first_row):
        values: tuple[object, ...] = (row.entity or None, row.name or None, row.parent or None, row.students)
        for c, v in enumerate(values, start=1):
            put(r, c, v, row.role, "@" if c in (1, 3) else "General")  # ids are text
        if row.role == "new" and r == first_row + len(sheet.rows) - NEW_ROWS:
            note = comments.Comment(text["new_school_hint"], "planeval")
            note.width, note.height = 300, 110
            ws.cell(row=r, column=1).comment = note

    validations: dict[str, Any] = {}

    def validation(kind: str) -> Any:
        if kind not in validations:
            common: dict[str, Any] = {
                "allow_blank": True,
                "showErrorMessage": True,
                "errorStyle": "warning",  # warn, but let NA and the like through
                "errorTitle": text["validation_title"],
            }
            if kind == "bool":
                dv = datavalidation.DataValidation(
                    type="list",
                    formula1=f'"{text["yes"]},{text["no"]}"',
                    error=text["validation_bool"],
                    **common,
                )
            elif kind == "pct":
                dv = datavalidation.DataValidation(
                    type="decimal",
                    operator="between",
                    formula1="0",
                    formula2="100",
                    error=text["validation_pct"],
                    **common,
                )
            elif kind in ("count", "whole"):
                dv = datavalidation.DataValidation(
                    type="whole" if kind == "whole" else "decimal",
                    operator="greaterThanOrEqual",
                    formula1="0",
                    error=text["validation_whole" if kind == "whole" else "validation_count"],
                    **common,
                )
            else:
                dv = datavalidation.DataValidation(
                    type="decimal",
                    operator="between",
                    formula1="-1E+300",
                    formula2="1E+300",
                    error=text["validation_number"],
                    **common,
                )
            ws.add_data_validation(dv)
            validations[kind] = dv
        return validations[kind]

    column_styles: dict[str, Any] = {}
    col = len(labels) + 1
    for ind in sheet.indicators:
        first_col = col
        fmt = _number_format(ind, decimals[ind.id])
        for year in years:
            letter = utils.get_column_letter(col)
            put(1, col, None, "head")
            put(2, col, year, "head")
            put(MACHINE_ROW, col, f"{ind.id}|{year}", "code", "@")
            # The value cells get their number format from the column's style (cells typed into
            # the column take it), which keeps the file small and quick to open.
            dim = ws.column_dimensions[letter]
            if fmt in column_styles:
                dim._style = copy.copy(column_styles[fmt])
            else:
                dim.number_format = fmt
                column_styles[fmt] = dim._style
            dim.width = 10
            col += 1
        span = f"{utils.get_column_letter(first_col)}{first_row}:{utils.get_column_letter(col - 1)}{last_row}"
        validation(_validation_kind(ind, decimals[ind.id])).add(span)
        head = ws.cell(row=1, column=first_col, value=_header_label(ind, lang))
        definition = ind.definition.in_language(lang) if ind.definition is not None else ""
        note = comments.Comment(f"{ind.id}\n{definition}".strip(), "planeval")
        note.width, note.height = 320, 120
        head.comment = note
        if col - 1 > first_col:
            ws.merge_cells(start_row=1, start_column=first_col, end_row=1, end_column=col - 1)
    ws.row_dimensions[1].height = 78
    ws.row_dimensions[MACHINE_ROW].hidden = True
    ws.freeze_panes = ws.cell(row=first_row, column=len(labels) + 1)


def _write_readme(
    ws: Any,
    plan: Plan,
    sheets: list[_Sheet],
    skipped: list[Indicator],
    unstaged: list[Entity],
    years: list[int],
    window: list[int],
    lang: str,
) -> None:
    styles = importlib.import_module("openpyxl.styles")
    zh = lang == "zh"
    text = _TEXT[lang]
    decimals = plan_decimals(plan)
    title = plan.title.zh if zh else (plan.title.en or plan.title.zh)
    start, end = plan.horizon.start.isoformat(), plan.horizon.end.isoformat()
    stage_titles = [s.title for s in sheets if s.stage is not None]
    district = next((s.title for s in sheets if s.stage is None), None)
    area_zh, area_en = area_word(plan, "zh"), area_word(plan, "en")  # 全县 / county-wide ...
    sep = "、" if zh else ", "
    year_text = (
        f"{years[0]}–{years[-1]}"
        if years == list(range(years[0], years[-1] + 1))
        else sep.join(map(str, years))
    )
    baseline = window[0] if window[0] < plan.horizon.start.year else None
    today = dt.date.today().isoformat()
    standard_district = [
        i
        for s in sheets
        if s.stage is None
        for i in s.indicators
        if any(t.startswith("standard:") for t in i.tags)
    ]
    if zh:
        info = [
            ("规划代码", plan.id),
            ("规划名称", title),
            ("规划期", f"{start} 至 {end}"),
            ("填报年份", year_text + (f"（{baseline} 为基线年）" if baseline in years else "")),
            ("生成日期", f"{today}（planeval {_core.__version__}）"),
            ("工作表", sep.join(s.title for s in sheets)),
        ]
        steps = [
            '本工作簿用于填报规划指标的监测数据，读取：planeval.read_excel(plan, "本文件.xlsx")。'
            + (
                f"每个学段一张表（{sep.join(stage_titles)}），每行一所学校（园），每列是一个指标在某一年的数值。"
                if stage_titles
                else ""
            )
            + (f"“{district}”表填写不分学段的{area_zh}指标，行为{area_zh}。" if district else ""),
            "空白单元格表示“未填报”，读取时不产生任何数据；它不是 0。数值为 0 时请填 0。"
            "如需明确记录“应报未报”，可填 NA（记为缺失值）。",
            "百分比（单位 %）填 0 到 100 之间的数：85.5 表示 85.5%，不要填 0.855。"
            "若把单元格设置成百分比格式（显示为 85.5%），读取时按显示的百分数计（即 85.5）。",
            f"“是/否”类指标填“{text['yes']}”或“{text['no']}”（也可填 1/0、true/false）。",
            "计数类指标（人、所、个……）填不小于 0 的数；金额按表头单位（万元、亿元、元）填写。"
            "单元格显示的小数位只是显示格式，读取的是单元格中保存的数。公式按最近一次保存时的计算结果读取。",
            "每张学段表的第一行数据是“学段合计”（该学段整体），只用于只有全学段数字、无法分校填报的指标"
            "（如毛入园率）。同一指标同一年份，不要既填学段合计又填各校数据，否则汇总到"
            f"{area_zh}时会重复计算"
            "（读取时会给出警告）。",
            "在校生数：该校学生人数，作为该校按学生加权的指标的权重（比率类指标的加权平均、差异系数）。"
            "未填时使用规划中记录的学生数；都没有时权重为 1（各校等权），读取报告中会注明。"
            "按校计的占比（如千兆网接入校园占比）每校权重为 1，不按学生数；以某一计数为分母的占比"
            "（如党员教师占比以专任教师数为分母）按本工作簿中同一学校同一年份填写的该计数加权。",
            "新学校（规划中没有的学校）：在表格下方的空行中填写学校代码"
            "（字母、汉字、数字或 _ . -，以字母、汉字或数字开头，如 ps_6，也可用校名）、"
            "名称、上级单位代码（默认为该学段）和在校生数，再填数值。"
            "只有填了至少一个数值的新学校才会加入。行数不够时可在下方继续添加行。",
            "第 1、2 行（指标名称与单位、年份）供阅读，可以修改；第 3 行（已隐藏）是读取所用的代码"
            "（指标代码|年份），请勿修改或删除。可以增加没有代码的列（如备注），读取时忽略；"
            "不需要的指标列可以整列删除。",
            f"请勿修改隐藏的工作表“{META_SHEET}”：它记录本表所属的规划（{plan.id}），读取时会核对。",
        ]
        if standard_district:
            steps.append(
                f"督导评估标准中{area_zh}层面的指标（"
                + sep.join(i.name_zh for i in standard_district)
                + f"）填在“{district}”表{area_zh}这一行（表头注明“{area_zh}数值”），"
                "不要填在各学段表的学段合计行。"
            )
        if skipped:
            steps.append(
                "结构比例类指标无法用一个数填写，不在本表中："
                + sep.join(f"{i.name_zh}（{i.id}）" for i in skipped)
                + "。"
            )
        if unstaged:
            steps.append(
                "以下学校在规划中没有学段，不在任何学段表中（请在规划中补充其学段）："
                + sep.join(f"{e.name_zh}（{e.id}）" for e in unstaged)
                + "。"
            )
        table_head = ("指标代码", "指标名称", "单位", "填写", "工作表")
        heading_info, heading_steps, heading_table = "基本信息", "填写说明", "指标一览"
        sheet_title = f"{title} · 数据填报表"
    else:
        info = [
            ("Plan id", plan.id),
            ("Plan", title),
            ("Horizon", f"{start} to {end}"),
            ("Years", year_text + (f" ({baseline} is the baseline year)" if baseline in years else "")),
            ("Generated", f"{today} (planeval {_core.__version__})"),
            ("Sheets", sep.join(s.title for s in sheets)),
        ]
        steps = [
            "This workbook collects monitoring data for the plan's indicators; read it with "
            'planeval.read_excel(plan, "this_file.xlsx"). '
            + (
                f"One sheet per stage ({sep.join(stage_titles)}): one row per school, one column per "
                "indicator and year. "
                if stage_titles
                else ""
            )
            + (f"The sheet {district} holds the {area_en} indicators without a stage." if district else ""),
            "An empty cell means 'not reported': reading makes no data row of it. It is not zero: "
            "enter 0 for zero. Enter NA to record explicitly that a value was due but not reported "
            "(a missing value).",
            "Percentages (unit %) are plain numbers from 0 to 100: 85.5 means 85.5%, not 0.855. A cell "
            "formatted as a percentage (showing 85.5%) is read as the percentage shown (85.5).",
            "Yes/no indicators take yes or no (also 1/0, true/false, 是/否).",
            "Counts (people, schools ...) are numbers >= 0; amounts are in the unit of the header. The "
            "decimals shown are only a display format: the number stored in the cell is read. A formula "
            "is read as its result when the workbook was last saved.",
            "The first data row of each stage sheet is the stage as a whole (whole stage): fill it only "
            "for indicators known only for the whole stage (such as the gross enrolment rate). Do not "
            "fill both the whole-stage row and school rows for the same indicator and year: a roll-up "
            f"to {area_en} figures would count both (reading warns).",
            "Students: the school's number of students, the weight of its values of student-weighted "
            "indicators (weighted means of rates, coefficients of variation). When empty, the plan's "
            "figure is used, else a weight of 1 (schools weigh equally), noted in the reading report. "
            "Shares of campuses (such as gigabit-connected campuses) weigh every school once, not by "
            "students; a share of a count (party-member teachers of all full-time teachers) is weighted "
            "by that count typed for the same school and year in this workbook.",
            "New schools (not in the plan): fill in an empty row below the table: id (letters of any "
            "script, digits, _ . -, starting with a letter or digit, such as ps_6, or the school's name), "
            "name, parent id (default "
            "the stage) and students, then the values. A new school is added only if it has at least "
            "one value. Add rows below if needed.",
            "Rows 1 and 2 (indicator name and unit, year) are for people and may be edited; row 3 "
            "(hidden) holds the codes reading relies on (indicator_id|year): do not change or delete "
            "it. Columns without a code (notes) are ignored; unneeded indicator columns may be deleted.",
            f"Do not edit the hidden sheet {META_SHEET}: it records the plan ({plan.id}) and is checked "
            "on reading.",
        ]
        if standard_district:
            steps.append(
                f"The official standards' {area_en} criteria ("
                + sep.join(i.name_en or i.name_zh for i in standard_district)
                + f") go on the sheet {district}, on the row of the area (its header says {area_en} "
                "figures), not on the whole-stage rows of the stage sheets."
            )
        if skipped:
            steps.append(
                "Structure indicators (shares such as 3:4:3) cannot be entered as one number and are "
                "not in the workbook: " + sep.join(i.id for i in skipped) + "."
            )
        if unstaged:
            steps.append(
                "These schools have no stage in the plan and are on no stage sheet (add their stage to "
                "the plan): " + sep.join(e.id for e in unstaged) + "."
            )
        table_head = ("Indicator id", "Name", "Unit", "Enter", "Sheet")
        heading_info, heading_steps, heading_table = "About", "How to fill in", "Indicators"
        sheet_title = f"{title}: data entry"

    steps = [step.strip() for step in steps]
    bold = styles.Font(bold=True)
    big = styles.Font(bold=True, size=14)
    head_fill = styles.PatternFill("solid", fgColor="DDEBF7")
    top = styles.Alignment(wrap_text=True, vertical="top")
    ws.cell(row=1, column=1, value=sheet_title).font = big
    r = 3
    ws.cell(row=r, column=1, value=heading_info).font = bold
    r += 1
    for label, value in info:
        ws.cell(row=r, column=1, value=label).font = bold
        ws.cell(row=r, column=2, value=value).alignment = top
        r += 1
    r += 1
    ws.cell(row=r, column=1, value=heading_steps).font = bold
    r += 1
    for k, step in enumerate(steps, start=1):
        ws.cell(row=r, column=1, value=k).alignment = styles.Alignment(horizontal="right", vertical="top")
        ws.cell(row=r, column=2, value=step).alignment = top
        ws.merge_cells(start_row=r, start_column=2, end_row=r, end_column=5)
        ws.row_dimensions[r].height = 15 * max(1, len(step) // (55 if zh else 110) + 1)
        r += 1
    r += 1
    ws.cell(row=r, column=1, value=heading_table).font = bold
    r += 1
    for c, label in enumerate(table_head, start=1):
        cell = ws.cell(row=r, column=c, value=label)
        cell.font, cell.fill = bold, head_fill
    r += 1
    where: dict[str, list[str]] = {}
    listed: list[Indicator] = []
    for sheet in sheets:
        for ind in sheet.indicators:
            if ind.id not in where:
                where[ind.id] = []
                listed.append(ind)
            where[ind.id].append(sheet.title)
    for ind in listed:
        name = indicator_name(ind, lang)
        row = (ind.id, name, ind.unit, _what_to_enter(ind, lang, decimals[ind.id]), sep.join(where[ind.id]))
        for c, v in enumerate(row, start=1):
            ws.cell(row=r, column=c, value=v).alignment = top
        r += 1
    for letter, width in zip("ABCDE", (34, 60, 12, 28, 30)):
        ws.column_dimensions[letter].width = width
