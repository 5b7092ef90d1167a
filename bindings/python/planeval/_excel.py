"""Excel in and out: a data-entry workbook for a plan (:func:`excel_template`), reading filled
workbooks, or plain tidy sheets, back into observations (:func:`read_excel`; with CSV files:
:func:`read_observations`), and a data-checking workbook per school (:func:`write_check_reports`).

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
``parent``, ``students``, then ``<indicator id>|<year>`` for every value column. Reading uses the
machine row only, so the human labels may be edited, columns without a code (notes) are ignored,
and value columns may be deleted or reordered.

Reading builds the text columns of an observations CSV file (``indicator, entity, period, value,
weight, parent, entity_name, entity_kind, stage, students``) from the filled cells and hands them
to the same ingestion as :func:`planeval.read_csv`, so every cell gets the same checks; errors
name the sheet and cell (``小学!F7``).

openpyxl is imported when a function here is called (``pip install planeval[excel]``).
"""

from __future__ import annotations

import copy
import datetime as dt
import importlib
import os
import re
import unicodedata
import warnings
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from xml.etree import ElementTree

from . import _core
from ._frames import FRAME_COLUMNS
from ._vocab import AREA_KINDS, area_word, plan_area, scope_word

if TYPE_CHECKING:
    from ._core import Entity, Indicator, IngestReport, Observations, Plan, _StrPath

#: The stages, in the order of the sheets.
STAGES = ("幼儿园", "小学", "初中", "高中")
#: What ``stages=`` accepts besides the stage names for the sheet of indicators without a stage (the
#: sheet of the plan's area, whatever its kind; its title also works: 区级, 县级, County ...).
DISTRICT = "district"
#: The value of ``format`` in the hidden sheet of a template.
TEMPLATE_FORMAT = "planeval-excel-template"
TEMPLATE_VERSION = 1
#: The hidden sheet holding the plan id.
META_SHEET = "_planeval"
#: The machine row (1-based) of the data sheets; data rows start below it.
MACHINE_ROW = 3
#: Empty rows left on each stage sheet for schools the plan does not know.
NEW_ROWS = 10

_STAGE_EN = {
    "幼儿园": "kindergarten",
    "小学": "primary",
    "初中": "junior secondary",
    "高中": "senior secondary",
}
_STAGE_SHEET_EN = {
    "幼儿园": "Kindergarten",
    "小学": "Primary",
    "初中": "Junior secondary",
    "高中": "Senior secondary",
}
_SCHOOL_KINDS = ("school", "kindergarten", "teaching_point")
_ENTITY_CODES = ("entity_name", "parent", "students")
_LANGS = ("zh", "en")
_MODES = ("raise", "collect")
_HEADER_SCAN = 10  # rows searched for the machine row or a tidy header

_TEMPLATE_COLUMNS = (
    "indicator",
    "entity",
    "period",
    "value",
    "weight",
    "parent",
    "entity_name",
    "entity_kind",
    "stage",
    "students",
)

_TEXT: dict[str, dict[str, str]] = {
    "zh": {
        "readme": "说明",
        "entity": "学校代码",
        "entity_district": "单位代码",
        "entity_name": "名称",
        "area_values": "名称（本表填{scope}数值）",
        "parent": "上级单位代码",
        "students": "在校生数（人）",
        "whole_stage": "（学段合计）",
        "new_school_hint": "新学校：在本行及以下空行填写学校代码（字母、汉字、数字或 _ . -，可用校名）、"
        "名称、"
        "上级单位代码、在校生数，再填数值。",
        "yes": "是",
        "no": "否",
        "bool_unit": "填 是/否",
        "pct_unit": "%，填 0–100",
        "validation_title": "数值",
        "validation_pct": "请填 0 到 100 之间的数（85.5 表示 85.5%）。",
        "validation_count": "请填不小于 0 的数。",
        "validation_whole": "请填不小于 0 的整数。",
        "validation_number": "请填一个数。",
        "validation_bool": "请选择 是 或 否。",
    },
    "en": {
        "readme": "Read me",
        "entity": "School id",
        "entity_district": "Entity id",
        "entity_name": "Name",
        "area_values": "Name (this sheet: {scope} figures)",
        "parent": "Parent id",
        "students": "Students",
        "whole_stage": " (whole stage)",
        "new_school_hint": "New school: fill in its id (letters of any script, digits, _ . -; the "
        "name will do), name, parent id and students on this or a row below, then its values.",
        "yes": "yes",
        "no": "no",
        "bool_unit": "yes/no",
        "pct_unit": "%, 0–100",
        "validation_title": "Value",
        "validation_pct": "Enter a number from 0 to 100 (85.5 means 85.5%).",
        "validation_count": "Enter a number >= 0.",
        "validation_whole": "Enter a whole number >= 0.",
        "validation_number": "Enter a number.",
        "validation_bool": "Choose yes or no.",
    },
}


def _openpyxl() -> Any:
    try:
        return importlib.import_module("openpyxl")
    except ImportError:  # pragma: no cover - openpyxl is a test dependency
        raise ImportError(
            "planeval's Excel functions need openpyxl: pip install openpyxl (or planeval[excel])"
        ) from None


# --- what goes on which sheet ------------------------------------------------------------------


@dataclass
class _Row:
    entity: str
    name: str
    parent: str
    students: float | None
    role: str  # "stage" (学段合计), "known", "new"


@dataclass
class _Sheet:
    key: str  # a stage, or DISTRICT
    title: str
    stage: str | None
    indicators: list[Indicator]
    rows: list[_Row] = field(default_factory=list)
    scope: str = ""  # the area sheet: the area's scope word (全区, county-wide ...)


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


def _is_weighted(ind: Indicator) -> bool:
    """True when the indicator's roll-up across entities weights the values (students)."""
    rule = ind.across_entities
    if rule is None:
        return ind.kind in ("rate", "ratio")
    return rule in ("weighted_mean", "ratio_of_sums")


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


def _decimals(ind: Indicator) -> int | None:
    if ind.decimals is not None:
        return ind.decimals
    if ind.is_percentage:
        return 1
    return 0 if ind.kind == "count" else None


def _number_format(ind: Indicator) -> str:
    """Display format of a value column: the indicator's decimals; percentages as plain 0-100."""
    if ind.kind == "boolean":
        return "General"
    d = _decimals(ind)
    if d is None:
        return "General"
    return "0" if d == 0 else "0." + "0" * d


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
    name = ind.name_zh if lang == "zh" else (ind.name_en or ind.name_zh)
    unit = _unit_label(ind, lang)
    if not unit:
        return name
    return f"{name}（{unit}）" if lang == "zh" else f"{name} ({unit})"


def _validation_kind(ind: Indicator) -> str:
    if ind.kind == "boolean":
        return "bool"
    if ind.is_percentage:
        return "pct"
    if ind.kind == "count":
        return "whole" if _decimals(ind) == 0 else "count"
    return "number"


def _what_to_enter(ind: Indicator, lang: str) -> str:
    kind = _validation_kind(ind)
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
    if lang not in _LANGS:
        raise _core.Error(f'lang: expected "zh" or "en", got {lang!r}')
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
    for sheet in sheets:
        _write_data_sheet(wb.create_sheet(sheet.title), sheet, year_list, lang)
    _write_readme(readme, plan, sheets, skipped, unstaged, year_list, window, lang)
    meta = wb.create_sheet(META_SHEET)
    _write_meta(meta, plan, year_list, lang, standard_ids)
    meta.sheet_state = "hidden"
    wb.active = 0
    try:
        wb.save(os.fspath(path))
    except OSError as e:
        raise _core.Error(f"{os.fspath(path)}: cannot write ({e.strerror or e})") from None


def referenced_standards(plan: Plan) -> list[str]:
    """The ids of the official standards the plan's targets reference (``Target.standard``),
    sorted: the standards whose indicators a template of the plan collects by default."""
    return sorted({t.standard for t in plan.targets if t.standard})


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


def add_standards(plan: Plan, standard_ids: Iterable[str]) -> list[str]:
    """Add the indicators of these standards (the plan's own of that id, else the built-in one) to
    ``plan`` where it lacks them; returns the indicator ids added. What :func:`read_excel` does with
    the standards a template records, and what the command line does before reading data."""
    added: list[str] = []
    for sid in standard_ids:
        added += plan.add_standard_indicators(plan.standard(sid))
    return added


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


def _write_data_sheet(ws: Any, sheet: _Sheet, years: list[int], lang: str) -> None:
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
        fmt = _number_format(ind)
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
        validation(_validation_kind(ind)).add(span)
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
        name = ind.name_zh if zh else (ind.name_en or ind.name_zh)
        row = (ind.id, name, ind.unit, _what_to_enter(ind, lang), sep.join(where[ind.id]))
        for c, v in enumerate(row, start=1):
            ws.cell(row=r, column=c, value=v).alignment = top
        r += 1
    for letter, width in zip("ABCDE", (34, 60, 12, 28, 30)):
        ws.column_dimensions[letter].width = width


# --- reading -----------------------------------------------------------------------------------

#: A cell as read: its value and its number format.
_Cell = tuple[Any, str]


@dataclass
class _Loc:
    """Where an input row came from: file, sheet, row, the cell of each column, a short context."""

    sheet: str
    row: int
    cells: dict[str, str]
    default: str
    context: str = ""
    entity: str = ""
    path: str = ""  # the file
    label: str = ""  # how references name the file: "" when one file is read, else "[path]"
    csv: bool = False  # a line of a CSV file (cells are column names)

    def cell(self, column: str, *, bare: bool = False) -> str:
        """The cell of ``column`` (小学!F7; [b.xlsx]小学!F7 when several files are read, unless
        ``bare``; a CSV file's line and column)."""
        c = self.cells.get(column, self.default)
        label = "" if bare else self.label
        if self.csv:
            return f"{label + ' ' if label else ''}line {self.row}, column {c}"
        return f"{label}{_sheet_ref(self.sheet)}!{c}"


def _sheet_ref(title: str) -> str:
    """A sheet name as Excel writes it in a reference ('My sheet'!A1; 小学!A1)."""
    if re.fullmatch(r"[\w\u4e00-\u9fff]+", title):
        return title
    return "'" + title.replace("'", "''") + "'"


@dataclass
class _Columns:
    """Text columns being built, with the origin of every row."""

    names: list[str]
    cells: list[list[str]]
    locs: list[_Loc] = field(default_factory=list)

    @classmethod
    def of(cls, names: Sequence[str]) -> _Columns:
        return cls(list(names), [[] for _ in names])

    def add(self, values: dict[str, str], loc: _Loc) -> None:
        for name, column in zip(self.names, self.cells):
            column.append(values.get(name, ""))
        self.locs.append(loc)


def _number_text(x: float) -> str:
    if x.is_integer() and abs(x) < 2.0**53:
        return str(int(x))
    return repr(x)


def _cell_text(value: Any, number_format: str = "General", *, percent: bool = False) -> str:
    """A cell as CSV text ('' when empty): numbers without a spurious '.0', booleans true/false,
    dates YYYY-MM-DD; with ``percent``, a number in a cell formatted as a percentage (0.855 shown as
    85.5%) becomes the percentage shown (85.5)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        x = float(value)
    elif isinstance(value, float):
        x = value
    elif isinstance(value, dt.datetime):
        return value.date().isoformat()
    elif isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    else:
        return str(value).strip()
    if percent and "%" in number_format:
        x = float(f"{x * 100:.15g}")
    if isinstance(value, int) and x == value:
        return str(value)
    return _number_text(x)


def _grid(ws: Any, source: str) -> list[list[_Cell]]:
    """The cells of a read-only worksheet: rows of (value, number format). A cell openpyxl cannot
    read (a number cell holding text, a bad cell reference: a file not written by a spreadsheet
    program) raises DataError naming the file, the sheet and the cell (or its row)."""
    ws.reset_dimensions()  # some writers record no or wrong dimensions
    rows: list[list[_Cell]] = []
    try:
        for row in ws.iter_rows():
            cells: list[_Cell] = []
            for c in row:
                value = getattr(c, "value", None)
                fmt = getattr(c, "number_format", "General") or "General"
                cells.append((value, fmt))
            rows.append(cells)
    except Exception as e:  # openpyxl parses a sheet's XML while iterating: any error is the file's
        raise _core.DataError(_unreadable_cell(ws, source, len(rows) + 1, e)) from None
    while rows and all(_cell_text(v) == "" for v, _ in rows[-1]):
        rows.pop()
    return rows


_CELL_REF = re.compile(r"([A-Z]{1,3})([0-9]{1,7})")


def _good_ref(ref: str) -> bool:
    """A cell reference Excel can hold: A1 to XFD1048576."""
    m = _CELL_REF.fullmatch(ref)
    if m is None:
        return False
    column = 0
    for ch in m.group(1):
        column = column * 26 + ord(ch) - 64
    return 1 <= column <= 16384 and 1 <= int(m.group(2)) <= 1048576


def _cell_problem(cell: Any) -> str | None:
    """What is wrong with one <c> element of a sheet's XML (a reference, or a value that does not
    fit its type), or None."""
    ref = cell.get("r")
    if ref is not None and not _good_ref(ref):
        return f"expected a cell reference from A1 to XFD1048576, got {ref[:40]!r}"
    kind = cell.get("t", "n")
    v = next((child.text for child in cell if child.tag.rsplit("}", 1)[-1] == "v"), None)
    if v is None:
        return None
    v = v.strip()
    try:
        if kind == "n":
            float(v)
        elif kind in ("s", "b"):
            if kind == "b" and v not in ("0", "1"):
                raise ValueError(v)
            int(v)
        elif kind == "d":
            dt.datetime.fromisoformat(v.rstrip("Z"))
    except ValueError:
        expected = {"n": "a number", "s": "a shared-string index", "b": "0 or 1", "d": "an ISO date"}[kind]
        return f"expected {expected} in a cell of type {kind!r}, got {v[:40]!r}"
    return None


def _unreadable_cell(ws: Any, source: str, row: int, error: Exception) -> str:
    """The message for a cell openpyxl could not read: file, sheet, the first bad cell of the row
    (found by reading the row's XML again) or else the row, and openpyxl's own words."""
    ref = _sheet_ref(str(getattr(ws, "title", "?")))
    why = f"({type(error).__name__}: {str(error)[:200]})"
    place = f"{ref}, row {row}"
    problem = "cannot read the row: expected an .xlsx file as Excel, WPS or LibreOffice save it"
    try:  # best effort: the worksheet's part in the archive, then the row's cells in order
        part = ws._worksheet_path  # ReadOnlyWorksheet (read_only=True)
        with ws.parent._archive.open(part) as xml:
            seen = 0
            for _, element in ElementTree.iterparse(xml):
                if element.tag.rsplit("}", 1)[-1] != "row":
                    continue
                seen += 1
                if int(element.get("r", seen)) == row:
                    for i, cell in enumerate(c for c in element if c.tag.rsplit("}", 1)[-1] == "c"):
                        found = _cell_problem(cell)
                        if found is not None:
                            r = cell.get("r")
                            place = f"{ref}!{r}" if r and _good_ref(r) else f"{ref}, row {row}, cell {i + 1}"
                            problem = f"cannot read the cell: {found}"
                            break
                    break
                element.clear()
    except Exception:  # the locator is a courtesy: without it the row is named
        pass
    return f"{source}: {place}: {problem} {why}"


def _at(grid: list[list[_Cell]], r: int, c: int) -> _Cell:
    if r < len(grid) and c < len(grid[r]):
        return grid[r][c]
    return (None, "General")


def _formula_cells(path: str, titles: list[str]) -> dict[str, dict[tuple[int, int], str]]:
    """Formulas of the given sheets (see _formulas); a workbook openpyxl cannot read raises DataError."""
    try:
        return _formulas(path, titles)
    except _core.Error:
        raise
    except Exception as e:  # openpyxl parses the sheets while iterating: any error is the file's
        raise _core.DataError(
            f"{path}: cannot read the formulas of sheets {', '.join(map(_sheet_ref, titles))}: expected an "
            f".xlsx file as Excel, WPS or LibreOffice save it ({type(e).__name__}: {str(e)[:200]})"
        ) from None


def _formulas(path: str, titles: list[str]) -> dict[str, dict[tuple[int, int], str]]:
    """Formulas (0-based row, column -> text) of the given sheets, read only when the file holds any:
    a formula never computed (a file written by a program) has no value to read."""
    try:
        with zipfile.ZipFile(path) as z:
            has = False
            for n in z.namelist():
                if n.startswith("xl/worksheets/") and n.endswith(".xml"):
                    xml = z.read(n)
                    if b"<f>" in xml or b"<f " in xml:
                        has = True
                        break
    except (OSError, zipfile.BadZipFile):
        return {}
    if not has:
        return {}
    with _Book(path, data_only=False) as wb:
        out: dict[str, dict[tuple[int, int], str]] = {}
        for title in titles:
            ws = wb[title]
            ws.reset_dimensions()
            found: dict[tuple[int, int], str] = {}
            for r, row in enumerate(ws.iter_rows(values_only=True)):
                for c, v in enumerate(row):
                    if isinstance(v, str) and v.startswith("="):
                        found[(r, c)] = v
            out[title] = found
        return out


def _machine_row(grid: list[list[_Cell]]) -> tuple[int, str | None] | None:
    """The machine row of a template sheet (0-based) and its stage, found by its first cell
    ``entity|<stage>``."""
    for r in range(min(len(grid), _HEADER_SCAN)):
        first = _cell_text(_at(grid, r, 0)[0])
        if first == "entity" or first.startswith("entity|"):
            stage = first.partition("|")[2].strip()
            return r, (stage or None)
    return None


def _tidy_header(grid: list[list[_Cell]]) -> int | None:
    """The header row of a tidy sheet (0-based): the first of the first rows with a cell
    ``indicator`` (a title above the header is allowed)."""
    for r in range(min(len(grid), _HEADER_SCAN)):
        if "indicator" in (_cell_text(v) for v, _ in grid[r]):
            return r
    return None


def _check_meta(wb: Any, plan: Plan, source: str) -> dict[str, str]:
    """A template's hidden sheet: its format and the plan it was made for; returns its entries."""
    ws = wb[META_SHEET]
    meta: dict[str, str] = {}
    read = 0
    try:
        for row in ws.iter_rows(min_row=1, max_row=50, max_col=2, values_only=True):
            read += 1
            if row and row[0] is not None:
                meta[str(row[0]).strip()] = _cell_text(row[1] if len(row) > 1 else None)
    except Exception as e:  # openpyxl parses the sheet while iterating: any error is the file's
        raise _core.DataError(_unreadable_cell(ws, source, read + 1, e)) from None
    if meta.get("format") != TEMPLATE_FORMAT:
        raise _core.DataError(
            f"{source}: the hidden sheet {META_SHEET} is not a planeval template's "
            f'(expected format "{TEMPLATE_FORMAT}", got "{meta.get("format", "")}")'
        )
    try:
        version = int(meta.get("version", ""))
    except ValueError:
        version = 0
    if version > TEMPLATE_VERSION:
        raise _core.DataError(
            f"{source}: template version {version} was made by a newer planeval "
            f"(this one reads version {TEMPLATE_VERSION})"
        )
    their = meta.get("plan_id", "")
    if their != plan.id:
        title = meta.get("plan_title", "")
        raise _core.Error(
            f'{source}: this workbook is a template of plan "{their}"'
            + (f" ({title})" if title else "")
            + f', not of plan "{plan.id}": read it with that plan, or make a template of this plan '
            "with planeval.excel_template()"
        )
    return meta


def _add_recorded_standards(plan: Plan, meta: dict[str, str], source: str) -> None:
    """Add the indicators of the standards a template records (its hidden sheet's ``standards``)."""
    for sid in (x.strip() for x in meta.get("standards", "").split(",")):
        if not sid:
            continue
        try:
            standard = plan.standard(sid)
        except _core.Error as e:
            raise _core.DataError(
                f"{source}: {META_SHEET}: the template collects the indicators of standard {sid!r}, which "
                f"plan {plan.id!r} does not have and planeval does not know ({e})"
            ) from None
        plan.add_standard_indicators(standard)


@dataclass
class _Entry:
    """One filled value cell of a template, before its weight is known."""

    values: dict[str, str]
    loc: _Loc
    ind: Indicator
    students: str  # the students the row has ('' none: neither the cell nor the plan)
    school: bool  # a school's row (not the whole stage, not the area)


@dataclass
class _Reading:
    """What reading one or more workbooks gathers before ingestion."""

    plan: Plan
    on_bad_row: str
    entries: list[_Entry] = field(default_factory=list)
    tidy: list[tuple[str, str, str, list[list[_Cell]], int, dict[tuple[int, int], str]]] = field(
        default_factory=list
    )  # path, label, title, grid, header row, formulas
    csv: list[_Columns] = field(default_factory=list)
    notes: list[tuple[str, str, str, list[int]]] = field(default_factory=list)  # code, en, zh, entry rows
    summary: list[tuple[str, str, int, int]] = field(default_factory=list)  # path, sheet, rows, values
    entity_ids: dict[str, Entity] = field(default_factory=dict)

    def note(self, code: str, message: str, message_zh: str, rows: Sequence[int] = ()) -> None:
        self.notes.append((code, message, message_zh, list(rows)))

    def unreadable(self, code: str, message: str, message_zh: str) -> None:
        """A sheet that looks like data but cannot be read: raises in "raise" mode, else a note."""
        if self.on_bad_row == "raise":
            raise _core.DataError(message)
        self.note(code, message, message_zh)


def _listing(items: Sequence[str], limit: int = 10, sep: str = ", ") -> str:
    shown = sep.join(items[:limit])
    return shown + (f"{sep}… ({len(items)} in all)" if len(items) > limit else "")


def _row_ranges(rows: Sequence[int]) -> str:
    """Row numbers (ascending) as ranges: 5–14, 17."""
    spans: list[list[int]] = []
    for r in rows:
        if spans and spans[-1][1] == r - 1:
            spans[-1][1] = r
        else:
            spans.append([r, r])
    return ", ".join(str(a) if a == b else f"{a}–{b}" for a, b in spans)


def _read_template_sheet(
    reading: _Reading,
    path: str,
    label: str,
    title: str,
    grid: list[list[_Cell]],
    machine: int,
    stage: str | None,
    formulas: dict[tuple[int, int], str],
) -> None:
    utils = importlib.import_module("openpyxl.utils")
    letter = utils.get_column_letter
    plan = reading.plan
    ref = _sheet_ref(title)
    where_sheet = f"{path}: {ref}"
    if stage is not None and stage not in STAGES:
        raise _core.DataError(
            f"{path}: {ref}!A{machine + 1}: expected the code entity|<stage> with a stage of "
            f"{', '.join(STAGES)}, got {_cell_text(_at(grid, machine, 0)[0])!r}"
        )
    indicators = {i.id: i for i in plan.indicators}
    fixed: dict[str, int] = {}
    values: list[tuple[int, Indicator, str]] = []  # column, indicator, period
    for c, (v, _) in enumerate(grid[machine]):
        code = _cell_text(v)
        if c == 0 or not code:
            continue
        where = f"{path}: {ref}!{letter(c + 1)}{machine + 1}"
        if code in _ENTITY_CODES:
            fixed[code] = c
            continue
        ind_id, bar, period = code.partition("|")
        ind_id, period = ind_id.strip(), period.strip()
        if not bar:
            raise _core.DataError(
                f'{where}: expected a code "indicator_id|year" (or {", ".join(_ENTITY_CODES)}) in the '
                f"machine row, got {code!r}"
            )
        ind = indicators.get(ind_id)
        if ind is None:
            raise _core.DataError(
                f'{where}: unknown indicator "{ind_id}" in the machine row (codes are "indicator_id|year" '
                f"with an indicator of plan {plan.id!r})"
            )
        if _core.parse_period(period) is None:
            raise _core.DataError(
                f'{where}: expected a year (YYYY) or school year (YYYY/YYYY) after "|" in the machine row, '
                f"got {code!r}"
            )
        values.append((c, ind, period))
    entities = reading.entity_ids
    kind = "kindergarten" if stage == "幼儿园" else "school"
    stage_ids = {e.id for e in entities.values() if e.kind == "stage"}
    weighted_rows: dict[bool, list[int]] = {True: [], False: []}  # rows with student-weighted values
    both: list[str] = []  # columns with values on a stage row and on school rows
    filled_by_column: dict[int, list[bool]] = {}  # column -> is-stage-row flags of its filled cells
    blank: list[int] = []  # rows without values
    silent: list[str] = []  # schools of the plan (ids) on rows without values
    rows_read = values_read = 0
    for r in range(machine + 1, len(grid)):
        ent = _cell_text(_at(grid, r, 0)[0])
        name = _cell_text(_at(grid, r, fixed["entity_name"])[0]) if "entity_name" in fixed else ""
        parent = _cell_text(_at(grid, r, fixed["parent"])[0]) if "parent" in fixed else ""
        students = _cell_text(_at(grid, r, fixed["students"])[0]) if "students" in fixed else ""
        if not students:
            known = entities.get(ent)
            if known is not None and known.students is not None:
                students = _number_text(known.students)
        school = stage is not None and ent not in stage_ids
        cells = {"entity": f"A{r + 1}", "entity_kind": f"A{r + 1}", "stage": f"A{r + 1}"}
        for code in _ENTITY_CODES:
            if code in fixed:
                cells[code] = f"{letter(fixed[code] + 1)}{r + 1}"
        cells["weight"] = cells.get("students", f"A{r + 1}")
        student_weighted = False
        filled = 0
        for c, ind, period in values:
            v, fmt = _at(grid, r, c)
            if v is None and (r, c) in formulas:
                text = formulas[(r, c)]
            else:
                text = _cell_text(v, fmt, percent=True)
            if not text:
                continue  # not reported: no row
            filled += 1
            value_cell = f"{letter(c + 1)}{r + 1}"
            reading.entries.append(
                _Entry(
                    {
                        "indicator": ind.id,
                        "entity": ent,
                        "period": period,
                        "value": text,
                        "parent": parent,
                        "entity_name": name,
                        "entity_kind": kind if stage is not None else "",
                        "stage": stage or "",
                        "students": _cell_text(_at(grid, r, fixed["students"])[0])
                        if "students" in fixed
                        else "",
                    },
                    _Loc(
                        title,
                        r + 1,
                        {**cells, "indicator": value_cell, "period": value_cell, "value": value_cell},
                        value_cell,
                        f"{ind.id} {period}, {ent or '?'}",
                        ent,
                        path,
                        label,
                    ),
                    ind,
                    students,
                    school,
                )
            )
            filled_by_column.setdefault(c, []).append(ent in stage_ids)
            student_weighted = student_weighted or (_is_weighted(ind) and ind.weight_by in ("", "students"))
        if filled:
            rows_read += 1
            values_read += filled
        else:
            blank.append(r + 1)
            if ent and ent in entities and ent not in stage_ids:
                silent.append(ent)
        if student_weighted and school:
            weighted_rows[bool(students)].append(r + 1)
    reading.summary.append((path, title, rows_read, values_read))
    if blank:
        spans = _row_ranges(blank)
        en = f"{where_sheet}: {len(blank)} rows without values, read as not reported (rows {spans})"
        zh = f"{path}：{ref}：{len(blank)} 行没有填写数值，按未填报处理（第 {_row_ranges(blank)} 行）"
        if silent:
            en += f"; schools of the plan among them: {_listing(silent)}"
            zh += f"；其中规划中的学校：{_listing(silent, sep='、')}"
        reading.note("blank_rows", en, zh)
    if weighted_rows[True] and weighted_rows[False]:
        column = letter(fixed["students"] + 1) if "students" in fixed else "?"
        lacking = ", ".join(f"{column}{r}" for r in weighted_rows[False])
        warnings.warn(
            f"{path}: {ref}: schools with values of student-weighted indicators lack their students "
            f"({lacking}) while others have them: their values are weighted 1",
            UserWarning,
            stacklevel=4,
        )
    for c, flags in filled_by_column.items():
        if any(flags) and not all(flags):
            both.append(letter(c + 1))
    if both:
        warnings.warn(
            f"{path}: {ref}: columns {', '.join(both)} have values on the whole-stage row and on school "
            "rows; a roll-up above the schools combines both (a sum counts them twice)",
            UserWarning,
            stacklevel=4,
        )


def _float(text: str) -> float | None:
    """A number typed in a cell (full-width digits and thousands separators allowed), else None."""
    try:
        x = float(unicodedata.normalize("NFKC", text).replace(",", "").strip())
    except ValueError:
        return None
    return x if x == x and abs(x) != float("inf") else None


def _recorded(plan: Plan) -> dict[tuple[str, str, str], float]:
    """The figures recorded in the plan for one calendar year: (indicator, entity, year) -> value."""
    out: dict[tuple[str, str, str], float] = {}
    for o in plan.observations:
        covered, value = o.covered, o.value
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            continue  # shares and yes/no figures weigh nothing
        start, end = covered.start, covered.end
        if start.year == end.year and (start.month, start.day, end.month, end.day) == (1, 1, 12, 31):
            out[(o.indicator, o.entity, str(start.year))] = float(value)
    return out


def _weigh(reading: _Reading, out: _Columns) -> None:
    """The weight of every template entry, following its indicator's ``weight_by``, into ``out``;
    notes for weights assumed."""
    counts: dict[tuple[str, str, str], float] = {}
    for e in reading.entries:
        if e.ind.kind == "count":
            x = _float(e.values["value"])
            if x is not None and x >= 0:
                counts[(e.ind.id, e.values["entity"], e.values["period"])] = x
    recorded: dict[tuple[str, str, str], float] | None = None
    no_students: dict[tuple[str, str], list[int]] = {}  # (path, sheet) -> entries
    no_count: dict[tuple[str, str, str], list[int]] = {}  # (path, sheet, weight indicator) -> entries
    for e in reading.entries:
        by = e.ind.weight_by
        weighted = _is_weighted(e.ind)
        if by == "units":
            weight = "1"
        elif by in ("", "students") or not weighted:
            weight = e.students or "1"
            if weighted and not e.students and e.school:
                no_students.setdefault((e.loc.path, e.loc.sheet), []).append(len(out.locs))
        else:
            key = (by, e.values["entity"], e.values["period"])
            x = counts.get(key)
            if x is None:
                if recorded is None:
                    recorded = _recorded(reading.plan)
                x = recorded.get(key)
            if x is None:
                weight = "1"
                no_count.setdefault((e.loc.path, e.loc.sheet, by), []).append(len(out.locs))
            else:
                weight = _number_text(x)
        out.add({**e.values, "weight": weight}, e.loc)
    for (path, sheet), rows in no_students.items():
        cells = [out.locs[i].cell("students", bare=True) for i in rows]
        distinct = list(dict.fromkeys(c.split("!")[-1] for c in cells))
        ref, ref_zh = f"{path}: {_sheet_ref(sheet)}", f"{path}：{_sheet_ref(sheet)}"
        reading.note(
            "weight_assumed",
            f"{ref}: {len(rows)} values of student-weighted indicators on school rows without students "
            f"(cells {_listing(distinct)} empty, and the plan has no students for them): weighted 1",
            f"{ref_zh}：{len(rows)} 个按学生数加权的数值所在学校没有在校生数"
            f"（{_listing(distinct, sep='、')} 为空，"
            "规划中也没有）：按权重 1 计",
            rows,
        )
    for (path, sheet, by), rows in no_count.items():
        period = out.names.index("period")
        which = [f"{out.locs[i].entity} {out.cells[period][i]} ({out.locs[i].cells['value']})" for i in rows]
        ref, ref_zh = f"{path}: {_sheet_ref(sheet)}", f"{path}：{_sheet_ref(sheet)}"
        inds = sorted({out.cells[out.names.index("indicator")][i] for i in rows})
        reading.note(
            "weight_assumed",
            f"{ref}: {', '.join(inds)} is weighted by {by}, which neither the workbook nor the plan gives "
            "for "
            f"{_listing(which)}: weighted 1",
            f"{ref_zh}：{'、'.join(inds)} 以 {by} 为权重，但工作簿和规划中都没有以下学校该年的 {by}："
            f"{_listing(which, sep='、')}；按权重 1 计",
            rows,
        )


def _read_tidy_sheets(reading: _Reading) -> _Columns:
    utils = importlib.import_module("openpyxl.utils")
    letter = utils.get_column_letter
    layouts: list[
        tuple[str, str, str, list[list[_Cell]], int, dict[str, int], dict[tuple[int, int], str]]
    ] = []
    for path, label, title, grid, header, found in reading.tidy:
        columns: dict[str, int] = {}
        texts = [_cell_text(v) for v, _ in grid[header]]
        for c, name in enumerate(texts):
            if name in FRAME_COLUMNS:
                if name in columns:
                    raise _core.DataError(f'{path}: {_sheet_ref(title)}: duplicate column "{name}"')
                columns[name] = c
        listed = ", ".join(t for t in texts if t)
        for required in ("indicator", "entity", "value"):
            if required not in columns:
                raise _core.DataError(
                    f'{path}: {_sheet_ref(title)}: missing column "{required}" (columns are: {listed})'
                )
        if sum(t in columns for t in ("date", "period", "year")) != 1:
            raise _core.DataError(
                f'{path}: {_sheet_ref(title)}: expected exactly one of the columns "date", "period" or '
                f'"year" (columns are: {listed})'
            )
        layouts.append((path, label, title, grid, header, columns, found))
    names = [n for n in FRAME_COLUMNS if any(n in layout[5] for layout in layouts)]
    out = _Columns.of(names)
    for path, label, title, grid, header, columns, found in layouts:
        blank: list[int] = []
        rows_read = 0
        for r in range(header + 1, len(grid)):
            row: dict[str, str] = {}
            for name, c in columns.items():
                v, fmt = _at(grid, r, c)
                if v is None and (r, c) in found:
                    row[name] = found[(r, c)]
                else:
                    row[name] = _cell_text(v, fmt, percent=name == "value")
            if not any(row.values()):
                blank.append(r + 1)
                continue
            rows_read += 1
            cells = {name: f"{letter(c + 1)}{r + 1}" for name, c in columns.items()}
            default = cells["value"]
            context = f"{row.get('indicator', '')}, {row.get('entity', '')}"
            out.add(row, _Loc(title, r + 1, cells, default, context, row.get("entity", ""), path, label))
        reading.summary.append((path, title, rows_read, rows_read))
        if blank:
            ref = f"{path}: {_sheet_ref(title)}"
            reading.note(
                "blank_rows",
                f"{ref}: {len(blank)} blank rows skipped (rows {_row_ranges(blank)})",
                f"{path}：{_sheet_ref(title)}：跳过 {len(blank)} 个空行（第 {_row_ranges(blank)} 行）",
            )
    return out


_ERROR_ROW = re.compile(r"row (\d+)(?: \(line \d+\))?, column (\w+): (.*)", re.S)
_OTHER_ROWS = re.compile(r"as row (\d+(?:, \d+)*) with")


def _relocate(message: str, column: str, loc: _Loc, locs: list[_Loc], *, bare: bool = False) -> str:
    """An ingestion message for a row, with the row numbers replaced by cells (``bare``: the file is
    named before the message, so cells of the same file leave it out)."""

    def cells(m: re.Match[str]) -> str:
        rows = [int(x) for x in re.split(r", |、", m.group(1))]
        named = [
            locs[i].cell("value", bare=bare and locs[i].path == loc.path) if i < len(locs) else f"row {i}"
            for i in rows
        ]
        return "as " + ", ".join(named) + " with"

    message = _OTHER_ROWS.sub(cells, message)
    if column == "entity" and not loc.entity and not loc.csv:
        message = (
            "expected the school's id in the first column for a row with values (letters or digits of any "
            "script, '_', '.', '-', starting with a letter or digit; the school's name will do)"
        )
    if '"=' in message:
        message += (
            " (a formula without a saved result: open and save the workbook in Excel, WPS or LibreOffice)"
        )
    return f"{loc.cell(column, bare=bare)} ({loc.context}): {message}"


def _ingest(
    plan: Plan, data: _Columns, on_bad_row: str, add_entities: bool, source: str
) -> tuple[Observations, IngestReport]:
    try:
        obs, report = _core._read_text_columns(plan, data.names, data.cells, on_bad_row, add_entities, source)
    except _core.DataError as e:
        text = str(e)
        prefix = f"{source}: "
        m = _ERROR_ROW.fullmatch(text[len(prefix) :]) if text.startswith(prefix) else None
        if m is None or int(m.group(1)) >= len(data.locs):
            raise
        loc = data.locs[int(m.group(1))]
        raise _core.DataError(
            f"{loc.path}: " + _relocate(m.group(3), m.group(2), loc, data.locs, bare=True)
        ) from None
    if report.notes:
        report = _relocate_notes(report, data.locs)
    if report.rejected:
        state = list(report.__getstate__())
        located = [
            _core.Rejection(
                r.row,
                r.column,
                r.reason,
                _relocate(r.message, r.column, data.locs[r.row], data.locs)
                if r.row < len(data.locs)
                else r.message,
            )
            for r in report.rejected
        ]
        index = next(
            i for i, x in enumerate(state) if isinstance(x, list) and x and isinstance(x[0], _core.Rejection)
        )
        state[index] = located
        relocated = _core.IngestReport.__new__(_core.IngestReport)
        relocated.__setstate__(tuple(state))
        report = relocated
    return obs, report


_NOTE_ROWS = re.compile(r"\brows? (\d+(?:, \d+)*)( … \(\d+ more\))?\)")
_NOTE_ROWS_ZH = re.compile(r"第 (\d+(?:、\d+)*)( 等 \d+ 处)? 行数据（从 0 起）")


def _relocate_notes(report: IngestReport, locs: list[_Loc]) -> IngestReport:
    """The core's notes (implausible_scale, likely_duplicate_entity ...) with their input rows
    named as cells (小学!E5; [b.xlsx]小学!E5 when several files are read)."""

    def cells(m: re.Match[str], sep: str) -> str | None:
        rows = [int(x) for x in re.split(r", |、", m.group(1))]
        if any(r >= len(locs) for r in rows):
            return None
        return sep.join(locs[r].cell("value") for r in rows) + (m.group(2) or "")

    def en(m: re.Match[str]) -> str:
        named = cells(m, ", ")
        return m.group(0) if named is None else f"cells {named})"

    def zh(m: re.Match[str]) -> str:
        named = cells(m, "、")
        return m.group(0) if named is None else f"单元格 {named}"

    notes = [
        _core.IngestNote(n.code, _NOTE_ROWS.sub(en, n.message), _NOTE_ROWS_ZH.sub(zh, n.message_zh), n.rows)
        for n in report.notes
    ]
    state = list(report.__getstate__())
    index = next(
        i for i, x in enumerate(state) if isinstance(x, list) and x and isinstance(x[0], _core.IngestNote)
    )
    state[index] = notes
    relocated = _core.IngestReport.__new__(_core.IngestReport)
    relocated.__setstate__(tuple(state))
    return relocated


_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the start of an Excel 97-2003 .xls (and other OLE2 files)


def _refuse_unreadable(source: str) -> None:
    """A clear message for what openpyxl cannot read: an old .xls, a text (CSV) file named .xlsx."""
    try:
        with open(source, "rb") as f:
            head = f.read(4096)
    except OSError as e:
        raise _core.DataError(f"{source}: cannot open the workbook ({e.strerror or e})") from None
    if head.startswith(_OLE2) or (source.lower().endswith(".xls") and not head.startswith(b"PK")):
        raise _core.DataError(
            f"{source}: an Excel 97–2003 .xls workbook: save it as .xlsx "
            "(文件 → 另存为 → Excel 工作簿; File → Save As → Excel Workbook)"
        )
    if head and not head.startswith(b"PK"):
        try:
            text = head.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = ""
        if text and ("," in text or "\t" in text) and "\n" in text and "\x00" not in text:
            raise _core.DataError(
                f"{source}: a text (CSV) file named {os.path.splitext(source)[1] or 'without .csv'}: "
                "expected an Excel .xlsx file; rename it .csv and read it with planeval.read_csv "
                "(这是 CSV 文本文件，不是 Excel 工作簿：请把扩展名改为 .csv)"
            )


class _Book:
    """A workbook opened read-only from a file object (so .xlsm and odd extensions load too), closed
    with its file: ``with _Book(path, data_only) as wb``."""

    def __init__(self, source: str, data_only: bool) -> None:
        self.source, self.data_only = source, data_only
        self.file: Any = None
        self.wb: Any = None

    def __enter__(self) -> Any:
        openpyxl = _openpyxl()
        self.file = open(self.source, "rb")
        try:
            self.wb = openpyxl.load_workbook(self.file, read_only=True, data_only=self.data_only)
        except BaseException:
            self.file.close()
            raise
        return self.wb

    def __exit__(self, *exc: object) -> None:
        try:
            self.wb.close()
        finally:
            self.file.close()


#: The labels a template's first column header can have (a sheet whose machine row is lost).
_ENTITY_LABELS = {t[k] for t in _TEXT.values() for k in ("entity", "entity_district")}


def _looks_like_template(grid: list[list[_Cell]], names: set[str]) -> tuple[str, int] | None:
    """A sheet that looks like a template sheet without its machine row (deleted, or its first cell
    edited): what gives it away and how many cells below its header are filled; else None."""
    header = -1
    found: list[str] = []
    for r in range(min(len(grid), _HEADER_SCAN)):
        for c, (v, _) in enumerate(grid[r]):
            text = _cell_text(v)
            if not text:
                continue
            if c == 0 and text in _ENTITY_LABELS:
                header = max(header, r)
                found.append(f"{text!r}")
            else:
                name = next((n for n in names if text.startswith(n)), None)
                if name is not None:
                    header = max(header, r)
                    if len(found) < 3:
                        found.append(f"{text!r}")
    if header < 0:
        return None
    filled = 0
    for r in range(header + 2, len(grid)):  # below the year row
        for c, (v, _) in enumerate(grid[r]):
            text = _cell_text(v)
            if c >= len(_ENTITY_CODES) + 1 and text and "|" not in text:
                filled += 1
    return ", ".join(found), filled


def _holds_numbers(grid: list[list[_Cell]], readme: bool) -> int:
    """Cells holding numbers (a template's read-me: besides its step numbers in column A)."""
    n = 0
    for row in grid:
        for c, (v, _) in enumerate(row):
            if readme and c == 0:
                continue
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                n += 1
            elif isinstance(v, str) and _float(v.strip().replace(",", "").rstrip("%")) is not None:
                n += 1
    return n


def _read_book(reading: _Reading, source: str, label: str, sheet: str | None) -> None:
    """Gather one workbook's template entries or tidy sheets, and its notes."""
    if not os.path.isfile(source):
        raise _core.DataError(f"{source}: cannot open the workbook (no such file)")
    _refuse_unreadable(source)
    plan = reading.plan
    book = _Book(source, data_only=True)
    try:
        wb = book.__enter__()
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as e:
        raise _core.DataError(
            f"{source}: cannot read the workbook: expected an Excel .xlsx file ({type(e).__name__}: {e})"
        ) from None
    except Exception as e:  # openpyxl's InvalidFileException and the like
        raise _core.DataError(f"{source}: cannot read the workbook ({type(e).__name__}: {e})") from None
    try:
        titles = list(wb.sheetnames)
        if sheet is not None and sheet not in titles:
            raise _core.DataError(f"{source}: no sheet {sheet!r} (sheets: {', '.join(titles)})")
        meta = _check_meta(wb, plan, source) if META_SHEET in titles else None
        wanted = [sheet] if sheet is not None else [t for t in titles if t != META_SHEET]
        grids = {t: _grid(wb[t], source) for t in wanted}
    finally:
        book.__exit__()
    if meta is not None:
        _add_recorded_standards(plan, meta, source)
    elif any(_machine_row(g) is not None for g in grids.values()):
        # a template whose hidden sheet was deleted: the standards a template collects by default
        add_standards(plan, referenced_standards(plan))
    reading.entity_ids = {e.id: e for e in plan.entities}

    templates: list[tuple[str, int, str | None]] = []
    tidy: list[tuple[str, list[list[_Cell]], int]] = []
    others: list[str] = []
    for t in wanted:
        machine = _machine_row(grids[t])
        if machine is not None:
            templates.append((t, *machine))
            continue
        header = _tidy_header(grids[t])
        if header is not None:
            tidy.append((t, grids[t], header))
        else:
            others.append(t)
    names: set[str] = set()
    for ind in plan.indicators:
        names |= {n for n in (ind.name_zh, ind.name_en) if n and len(n) >= 2}
    readme_titles = {t["readme"] for t in _TEXT.values()}
    lost: list[str] = []  # data sheets that cannot be read
    for t in others:
        ref = _sheet_ref(t)
        looks = _looks_like_template(grids[t], names)
        if looks is not None and not (meta is not None and t in readme_titles):
            clues, filled = looks
            lost.append(t)
            reading.unreadable(
                "sheet_skipped",
                f"{source}: sheet {ref} has no machine row (row {MACHINE_ROW} with entity|<stage>, "
                f"indicator_id|year ...) but looks like a template sheet (its header names {clues}): "
                f"{filled} filled cells not read; copy the values into a fresh template "
                "(planeval template / excel_template) or restore the hidden row",
                f"{source}：工作表 {ref} 缺少第 {MACHINE_ROW} 行的隐藏代码行（entity|学段、指标代码|年份），"
                f"但看起来是填报表（表头有 {clues}）：{filled} 个已填单元格未读取；请把数值复制到新生成的"
                "填报表中，或恢复隐藏的代码行",
            )
            continue
        numbers = _holds_numbers(grids[t], readme=meta is not None and t in readme_titles)
        if numbers:
            reading.note(
                "sheet_ignored",
                f"{source}: sheet {ref} is not data (neither a template sheet nor a tidy sheet) and was not "
                f"read, though it holds {numbers} cells with numbers",
                f"{source}：工作表 {ref} 不是数据表（既非填报表也非长表），未读取，"
                f"但其中有 {numbers} 个数字单元格",
            )
    if templates and tidy:
        for t, grid, header in tidy:
            rows = sum(1 for r in range(header + 1, len(grid)) if any(_cell_text(v) for v, _ in grid[r]))
            lost.append(t)
            reading.unreadable(
                "sheet_skipped",
                f"{source}: sheet {_sheet_ref(t)} is a tidy sheet (header row {header + 1}) in a template "
                f"workbook: its {rows} rows were not read; read it on its own with sheet={t!r}",
                f"{source}：工作表 {_sheet_ref(t)} 是长表（第 {header + 1} 行为表头），所在工作簿是填报表："
                f"其中 {rows} 行未读取；请用 sheet={t!r} 单独读取",
            )
        tidy = []
    if sheet is not None and not templates and not tidy:
        raise _core.DataError(
            f"{source}: sheet {_sheet_ref(sheet)} is neither a template sheet (machine row entity|...) nor "
            "a tidy sheet (a header with indicator, entity, value and period, date or year)"
        )
    if meta is not None and not templates and sheet is None:
        why = f" (sheet {_sheet_ref(lost[0])} looks like one whose machine row was lost)" if lost else ""
        raise _core.DataError(f"{source}: a template without data sheets (no sheet has the machine row){why}")
    if not templates and not tidy:
        raise _core.DataError(
            f"{source}: no sheet to read: expected a planeval template (excel_template) or a tidy sheet "
            f"whose first row has the columns indicator, entity, value and period, date or year "
            f"(sheets: {', '.join(titles)})"
        )
    read = [t for t, *_ in templates] if templates else [t for t, *_ in tidy]
    formulas = _formula_cells(source, read)
    for t, machine_row, stage in templates:
        _read_template_sheet(reading, source, label, t, grids[t], machine_row, stage, formulas.get(t, {}))
    for t, grid, header in tidy:
        reading.tidy.append((source, label, t, grid, header, formulas.get(t, {})))


def _read_csv_columns(reading: _Reading, source: str, label: str) -> None:
    """A CSV file's rows as text columns (several files read together; one file goes to read_csv)."""
    import csv

    try:
        with open(source, "rb") as f:
            raw = f.read()
    except OSError as e:
        raise _core.DataError(f"{source}: cannot open ({e.strerror or e})") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise _core.DataError(
            f"{source}: byte {e.start}: the text is not UTF-8: save it as UTF-8 (Excel: CSV UTF-8), or read "
            "the file on its own with planeval.read_csv"
        ) from None
    rows = list(csv.reader(text.splitlines()))
    if not rows:
        raise _core.DataError(f"{source}: an empty file: expected a header row")
    header = [h.strip() for h in rows[0]]
    columns = {h: c for c, h in enumerate(header) if h in FRAME_COLUMNS}
    listed = ", ".join(h for h in header if h)
    for required in ("indicator", "entity", "value"):
        if required not in columns:
            raise _core.DataError(f'{source}: missing column "{required}" (columns are: {listed})')
    if sum(t in columns for t in ("date", "period", "year")) != 1:
        raise _core.DataError(
            f'{source}: expected exactly one of the columns "date", "period" or "year" '
            f"(columns are: {listed})"
        )
    out = _Columns.of([n for n in FRAME_COLUMNS if n in columns])
    blank: list[int] = []
    for line, row in enumerate(rows[1:], start=2):
        values = {n: (row[c].strip() if c < len(row) else "") for n, c in columns.items()}
        if not any(values.values()):
            blank.append(line)
            continue
        cells = {n: n for n in columns}
        context = f"{values.get('indicator', '')}, {values.get('entity', '')}"
        out.add(
            values, _Loc("", line, cells, "value", context, values.get("entity", ""), source, label, csv=True)
        )
    reading.summary.append((source, "", len(out.locs), len(out.locs)))
    if blank:
        reading.note(
            "blank_rows",
            f"{source}: {len(blank)} blank lines skipped (lines {_row_ranges(blank)})",
            f"{source}：跳过 {len(blank)} 个空行（第 {_row_ranges(blank)} 行）",
        )
    reading.csv.append(out)


def _merge(parts: list[_Columns]) -> _Columns:
    """One set of text columns from several (templates, tidy sheets, CSV files): a "year" column is
    read as "period" (a year is a period) when the parts differ; "date" cannot be mixed with them,
    nor parts with a weight column with parts without."""
    parts = [p for p in parts if p.locs]
    if not parts:
        return _Columns.of(_TEMPLATE_COLUMNS)
    if len(parts) == 1:
        return parts[0]
    times = {n for p in parts for n in p.names if n in ("date", "period", "year")}
    if "date" in times and len(times) > 1:
        a = next(p for p in parts if "date" in p.names)
        b = next(p for p in parts if "date" not in p.names)
        raise _core.DataError(
            f'{a.locs[0].path} has a "date" column and {b.locs[0].path} a year or period: read them apart '
            "or give both a period column"
        )
    with_weight = [p for p in parts if "weight" in p.names]
    if with_weight and len(with_weight) != len(parts):
        b = next(p for p in parts if "weight" not in p.names)
        raise _core.DataError(
            f'{with_weight[0].locs[0].path} has weights (a template, or a "weight" column) and '
            f"{b.locs[0].path} has none: add a weight column to {b.locs[0].path}"
        )
    rename = {"year": "period"} if len(times) > 1 else {}
    names = list(dict.fromkeys(rename.get(n, n) for p in parts for n in p.names))
    out = _Columns.of(names)
    for p in parts:
        keys = [rename.get(n, n) for n in p.names]
        for i, loc in enumerate(p.locs):
            out.add({k: column[i] for k, column in zip(keys, p.cells)}, loc)
    return out


def _paths(path: _StrPath | Sequence[_StrPath]) -> list[str]:
    if isinstance(path, (str, os.PathLike)):
        return [os.fspath(path)]
    paths = [os.fspath(p) for p in path]
    if not paths:
        raise _core.Error("path: expected a file or a list of files, got an empty list")
    return paths


def _finish(
    reading: _Reading, paths: list[str], add_entities: bool
) -> tuple[Observations, IngestReport, _Columns]:
    """Ingest what was gathered (templates weighed, tidy sheets, CSV lines) and add the notes."""
    template = _Columns.of(_TEMPLATE_COLUMNS)
    _weigh(reading, template)
    tidy = _read_tidy_sheets(reading) if reading.tidy else _Columns.of(_TEMPLATE_COLUMNS)
    data = _merge([template, tidy, *reading.csv])
    source = paths[0] if len(paths) == 1 else "; ".join(paths)
    obs, report = _ingest(reading.plan, data, reading.on_bad_row, add_entities, source)
    read = [(p, s, r, v) for p, s, r, v in reading.summary]
    by_file: dict[str, list[tuple[str, int, int]]] = {}
    for p, s, r, v in read:
        by_file.setdefault(p, []).append((s, r, v))
    for p, sheets in by_file.items():
        en = ", ".join(f"{_sheet_ref(s) if s else 'lines'} ({v} values in {r} rows)" for s, r, v in sheets)
        zh = "，".join(f"{s or '各行'}（{r} 行，{v} 个数值）" for s, r, v in sheets)
        report.add_note(_core.IngestNote("sheets_read", f"{p}: read {en}", f"{p}：已读取 {zh}"))
    for code, en, zh, rows in reading.notes:
        report.add_note(_core.IngestNote(code, en, zh, rows))
    return obs, report, data


def read_excel(
    plan: Plan,
    path: _StrPath | Sequence[_StrPath],
    *,
    on_bad_row: str = "raise",
    add_entities: bool = True,
    sheet: str | None = None,
) -> tuple[Observations, IngestReport]:
    """Observations from Excel workbooks (.xlsx, .xlsm): a filled :func:`excel_template`, or tidy
    sheets with the columns of an observations CSV file. Returns ``(Observations, IngestReport)`` as
    :func:`planeval.read_csv` does.

    ``path``: one workbook, or a list of them (one per school, as schools send them back): they are
    read as one data set, the report counting all; a value given twice (same indicator, entity and
    period) follows the usual rules (an identical repeat is a duplicate, different values are
    rejected), the messages naming both cells with their files (``[b.xlsx]小学!F7``).

    **The plan is changed**: a template records the official standards whose indicators it collects
    (those the plan's targets reference, and any given to ``excel_template(standards=)``), and
    reading adds those indicators to ``plan`` first (``plan.add_standard_indicators``, as the
    command line does), so the observations can be used with ``plan`` in ``plan.evaluate`` and
    :func:`planeval.evaluate_standard`; new schools are added too (``add_entities``).

    A template (it has the hidden sheet ``_planeval``, or sheets with the machine row ``entity|...``):
    the hidden sheet must name ``plan`` (else :class:`planeval.Error`; a workbook whose hidden sheet
    was deleted is read without that check, with the standards the plan's targets reference). Every
    sheet with a machine row is read: each non-empty value cell is one row (indicator and year from
    the machine row's ``indicator_id|year`` code above it, entity from the first column). **An empty
    cell is "not reported" and makes no row** (it is not a missing-value row); a cell holding ``NA``
    is an explicit missing value. A new school (unknown id with a parent) is added with the row's
    name, parent, students, the sheet's stage and kind ``kindergarten`` on the 幼儿园 sheet,
    ``school`` elsewhere. Warns when a column has values on the whole-stage (学段合计) row and on
    school rows.

    Weights follow the indicator's ``weight_by`` (the plan's ``aggregation.weight``): ``"students"``
    or ``""``: the students cell of the row, else the entity's ``students`` in the plan, else 1 (a
    ``weight_assumed`` note for school rows, and a warning when a sheet mixes rows with and without
    students); ``"units"``: 1 (a share of campuses: 9 of 11 is 81.8%); the id of a count indicator:
    that indicator's value for the same entity and year in the workbooks read, else the figure
    recorded in the plan, else 1 (a ``weight_assumed`` note).

    A tidy sheet (read when the workbook is not a template): its header row (the first row with a
    cell ``indicator``, within the first 10 rows) has ``indicator``, ``entity``, ``value`` and
    one of ``date``/``period``/``year``, optionally ``weight``, ``estimated``, ``provisional``,
    ``parent``, ``entity_name``, ``entity_kind``, ``stage``, ``students`` (other columns are
    ignored); each non-blank row below is one row, read as :func:`planeval.read_csv` reads the same
    data from a CSV file (an empty value cell is a missing-value row there). All tidy sheets of the
    workbook are read together (they must agree on the time and weight columns).

    Every sheet is accounted for in ``IngestReport.notes``: ``sheets_read`` (per file: the sheets
    read, with their rows and values), ``blank_rows`` (rows without values, with the schools of the
    plan among them), ``weight_assumed``, ``sheet_ignored`` (a sheet that is not data but holds
    numbers) and ``sheet_skipped``: a sheet that looks like data but cannot be read (a template
    sheet whose machine row was deleted or edited, recognised by its header naming the plan's
    indicators; a tidy sheet in a template workbook) raises :class:`planeval.DataError` with
    ``on_bad_row="raise"`` and is a note with ``"collect"``: it is never skipped in silence.

    Cells: numbers are read as stored (not as displayed); a number in a cell formatted as a
    percentage (0.855 shown as 85.5%) is read as the percentage shown (85.5), since planeval's
    percentages are 0–100; booleans are true/false; text as typed (是/否, yes/no and 1/0 for
    booleans); formulas as their last saved result (a formula never computed is an error).

    ``sheet``: read only this sheet (template or tidy). ``on_bad_row="raise"`` raises
    :class:`planeval.DataError` for the first bad cell, naming the file, sheet and cell, what the
    row is and what was expected (``book.xlsx: 小学!F7 (rate_x 2021, ps_1): expected a number, got
    "abc"``); ``"collect"`` records every bad row in the report, each message starting with its cell
    (``Rejection.row`` is the row's position in reading order: files in order, sheets in order, rows
    top to bottom, cells left to right; ``IngestNote.rows`` count the same way). A workbook problem
    (a missing file, an Excel 97–2003 .xls file, a CSV file named .xlsx, an unknown code in the
    machine row, a template of another plan) always raises.
    """
    if on_bad_row not in _MODES:
        raise _core.Error(f'on_bad_row: expected "raise" or "collect", got {on_bad_row!r}')
    paths = _paths(path)
    reading = _Reading(plan, on_bad_row)
    for source in paths:
        _read_book(reading, source, f"[{source}]" if len(paths) > 1 else "", sheet)
    return _finish(reading, paths, add_entities)[:2]


_EXCEL_EXTENSIONS = (".xlsx", ".xlsm", ".xltx", ".xltm", ".xls")


def read_observations(
    plan: Plan,
    paths: _StrPath | Sequence[_StrPath],
    *,
    on_bad_row: str = "raise",
    add_entities: bool = True,
) -> tuple[Observations, IngestReport]:
    """Observations from one or more files, CSV (``.csv``) or Excel (``.xlsx``, ``.xlsm``: a filled
    template or tidy sheets) by their extension, read as one data set (what the command line's
    ``--observations`` takes, once or several times). One CSV file is :func:`planeval.read_csv`;
    Excel files are :func:`read_excel` (which adds the indicators of the standards a template
    records to ``plan``); several files are read together, their rows checked as one input, so a
    value given in two files is a duplicate or a conflict naming both places (``[a.csv] line 5,
    column value``, ``[b.xlsx]小学!F7``). CSV files read together with others must be UTF-8 (read a
    GB18030 file on its own with :func:`planeval.read_csv`). Raises :class:`planeval.DataError` for
    a file of another type, naming it.
    """
    if on_bad_row not in _MODES:
        raise _core.Error(f'on_bad_row: expected "raise" or "collect", got {on_bad_row!r}')
    files = _paths(paths)
    if len(files) == 1 and files[0].lower().endswith(".csv"):
        if not os.path.isfile(files[0]):
            raise _core.DataError(f"{files[0]}: no such file")
        return _core.read_csv(plan, files[0], on_bad_row=on_bad_row, add_entities=add_entities)
    return _read_files(plan, files, on_bad_row, add_entities)[:2]


def _read_files(
    plan: Plan, files: list[str], on_bad_row: str, add_entities: bool
) -> tuple[Observations, IngestReport, _Columns]:
    """CSV and Excel files read together, with the origin of every input row."""
    for f in files:
        if not f.lower().endswith((".csv", *_EXCEL_EXTENSIONS)):
            raise _core.DataError(f"{f}: expected a .csv or .xlsx file")
    reading = _Reading(plan, on_bad_row)
    for f in files:
        label = f"[{f}]" if len(files) > 1 else ""
        if f.lower().endswith(".csv"):
            if not os.path.isfile(f):
                raise _core.DataError(f"{f}: no such file")
            _read_csv_columns(reading, f, label)
        else:
            _read_book(reading, f, label, None)
    return _finish(reading, files, add_entities)


# --- data-checking workbooks (校验报告) -------------------------------------------------------

_CHECK_TEXT: dict[str, dict[str, str]] = {
    "zh": {
        "title": "数据校验报告",
        "about": "说明",
        "read": "已读取",
        "rejected": "未读取",
        "notes": "提示",
        "school": "学校",
        "all": "全部学校与{scope}数据",
        "plan": "规划",
        "files": "文件",
        "generated": "生成日期",
        "counts": "已读取 {read} 个数值，{rejected} 个未读取，{notes} 条提示。",
        "nothing": "（无）",
        "head_read": "指标代码|指标名称|年份|数值|单元格",
        "head_rejected": "单元格|原因|说明",
        "head_notes": "类别|说明",
        "entity": "学校代码",
    },
    "en": {
        "title": "Data check",
        "about": "About",
        "read": "Read",
        "rejected": "Rejected",
        "notes": "Notes",
        "school": "School",
        "all": "All schools and {scope} figures",
        "plan": "Plan",
        "files": "Files",
        "generated": "Generated",
        "counts": "{read} values read, {rejected} rejected, {notes} notes.",
        "nothing": "(none)",
        "head_read": "Indicator id|Indicator|Year|Value|Cell",
        "head_rejected": "Cell|Reason|Message",
        "head_notes": "Kind|Message",
        "entity": "School id",
    },
}


@dataclass
class _CheckBook:
    """What one data-checking workbook lists."""

    read: list[tuple[str, str, str, float | str, str]] = field(default_factory=list)
    rejected: list[tuple[str, str, str]] = field(default_factory=list)
    notes: list[tuple[str, str]] = field(default_factory=list)


def _safe_name(entity: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]", "_", entity) or "_"


def write_check_reports(
    plan: Plan,
    paths: _StrPath | Sequence[_StrPath],
    out_dir: _StrPath,
    *,
    lang: str = "zh",
) -> dict[str, str]:
    """Check returned data files and write a data-checking workbook (数据校验报告) per school, to
    send back to the schools, and one of everything for the bureau. Returns ``{entity id: path}``
    (the bureau's workbook under ``""``).

    ``paths``: the workbooks (filled templates or tidy sheets) and CSV files, read together as
    :func:`read_observations` reads them, in ``"collect"`` mode, with a copy of ``plan`` (the
    caller's plan is not changed). ``out_dir`` (created if needed) receives ``check_<id>.xlsx`` for
    every school that has rows in the files or is a school of the plan, and ``check_all.xlsx``.
    Each workbook has the sheets 说明 (what it is: school, files, counts), 已读取 (indicator, name,
    year, the value as read, the cell it came from), 未读取 (every rejected cell of that school, with
    the reason and the message naming the cell) and 提示 (the notes concerning the school: values on
    an implausible scale, weights assumed, a likely duplicate); the bureau's workbook lists
    everything, including the rows of the area and stage totals and the notes of no one school
    (sheets skipped, blank rows). ``lang``: ``"zh"`` or ``"en"`` for the labels and messages.
    A file that cannot be read at all raises :class:`planeval.DataError` as in :func:`read_excel`.
    """
    if lang not in _LANGS:
        raise _core.Error(f'lang: expected "zh" or "en", got {lang!r}')
    files = _paths(paths)
    working = copy.deepcopy(plan)
    obs, report, data = _read_files(working, files, "collect", True)
    text = _CHECK_TEXT[lang]
    entities = {e.id: e for e in working.entities}
    names = {i.id: (i.name_zh if lang == "zh" else (i.name_en or i.name_zh)) for i in working.indicators}
    rejected_rows = {r.row for r in report.rejected}
    duplicate_rows = set(report.duplicate_rows)
    frame = obs.to_frame(working)
    values: dict[tuple[str, str, int], float] = {}
    for ind, ent, start, value in zip(frame["indicator"], frame["entity"], frame["start"], frame["value"]):
        values[(str(ind), str(ent), int(start.year))] = float(value)
    column = {n: data.cells[k] for k, n in enumerate(data.names)}
    time = next(n for n in ("period", "year", "date") if n in column)

    def is_school(entity: str) -> bool:
        e = entities.get(entity)
        return e is not None and e.kind in _SCHOOL_KINDS

    books: dict[str, _CheckBook] = {"": _CheckBook()}
    for e in working.entities:
        if e.kind in _SCHOOL_KINDS:
            books[e.id] = _CheckBook()
    for i, loc in enumerate(data.locs):
        if i in rejected_rows or i in duplicate_rows:
            continue
        ind, ent, when = column["indicator"][i].strip(), column["entity"][i].strip(), column[time][i].strip()
        year = when[:4]
        shown: float | str = values.get((ind, ent, int(year)), column["value"][i]) if year.isdigit() else when
        row = (ind, names.get(ind, ""), when, shown, loc.cell("value"))
        books[""].read.append(row)
        if is_school(ent):
            books.setdefault(ent, _CheckBook()).read.append(row)
    for r in report.rejected:
        ent = data.locs[r.row].entity if r.row < len(data.locs) else ""
        cell = data.locs[r.row].cell(r.column) if r.row < len(data.locs) else f"row {r.row}"
        bad = (cell, r.reason, r.message)
        books[""].rejected.append(bad)
        if ent and (is_school(ent) or ent not in entities):
            books.setdefault(ent, _CheckBook()).rejected.append(bad)
    for n in report.notes:
        message = n.message_zh if lang == "zh" and n.message_zh else n.message
        books[""].notes.append((n.code, message))
        concerned = {data.locs[k].entity for k in n.rows if k < len(data.locs)}
        for ent in sorted(concerned):
            if ent and is_school(ent):
                books.setdefault(ent, _CheckBook()).notes.append((n.code, message))
    os.makedirs(os.fspath(out_dir), exist_ok=True)
    written: dict[str, str] = {}
    for ent, book in books.items():
        target = os.path.join(
            os.fspath(out_dir), f"check_{_safe_name(ent)}.xlsx" if ent else "check_all.xlsx"
        )
        if ent:
            school = entities.get(ent)
            name = (
                ""
                if school is None
                else (school.name_zh if lang == "zh" else (school.name_en or school.name_zh))
            )
            who = f"{name}（{ent}）" if name and lang == "zh" else (f"{name} ({ent})" if name else ent)
        else:
            who = text["all"].format(scope=area_word(working, lang))
        _write_check_book(target, working, who, files, book, text)
        written[ent] = target
    return written


def _write_check_book(
    target: str, plan: Plan, who: str, files: list[str], book: _CheckBook, text: dict[str, str]
) -> None:
    openpyxl = _openpyxl()
    styles = importlib.import_module("openpyxl.styles")
    bold = styles.Font(bold=True)
    wb = openpyxl.Workbook()
    about = wb.active
    about.title = text["about"]
    about["A1"] = text["title"]
    about["A1"].font = styles.Font(bold=True, size=14)
    rows = [
        (text["school"], who),
        (text["plan"], f"{plan.title.zh}（{plan.id}）"),
        (text["files"], "\n".join(files)),
        (text["generated"], f"{dt.date.today().isoformat()} (planeval {_core.__version__})"),
        ("", text["counts"].format(read=len(book.read), rejected=len(book.rejected), notes=len(book.notes))),
    ]
    for r, (label, value) in enumerate(rows, start=3):
        about.cell(row=r, column=1, value=label).font = bold
        about.cell(row=r, column=2, value=value)
    about.column_dimensions["A"].width, about.column_dimensions["B"].width = 14, 90
    for title, head, items in (
        (text["read"], text["head_read"], book.read),
        (text["rejected"], text["head_rejected"], book.rejected),
        (text["notes"], text["head_notes"], book.notes),
    ):
        ws = wb.create_sheet(title)
        ws.append(head.split("|"))
        for cell in ws[1]:
            cell.font = bold
        for item in items:
            ws.append(list(item))
        if not items:
            ws.append([text["nothing"]])
        ws.freeze_panes = "A2"
        for letter, width in zip(
            "ABCDE", (36, 40, 12, 14, 30) if len(head.split("|")) == 5 else (30, 16, 100)
        ):
            ws.column_dimensions[letter].width = width
    try:
        wb.save(target)
    except OSError as e:
        raise _core.Error(f"{target}: cannot write ({e.strerror or e})") from None


__all__ = [
    "DISTRICT",
    "META_SHEET",
    "STAGES",
    "TEMPLATE_FORMAT",
    "add_standards",
    "excel_template",
    "read_excel",
    "read_observations",
    "referenced_standards",
    "write_check_reports",
]
