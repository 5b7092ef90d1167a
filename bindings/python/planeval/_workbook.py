"""The layout of planeval's data-entry workbooks, shared by the writer (:mod:`planeval._template`)
and the reader (:mod:`planeval._excel_read`): the stages and their sheet titles, the hidden sheet
(:data:`META_SHEET`) and its format, the machine row, the text of the labels, and which standards a
workbook collects.

openpyxl is imported when a function here is called (``pip install planeval[excel]``).
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ._errors import LANGS

if TYPE_CHECKING:
    from ._core import Indicator, Plan

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
_LANGS = LANGS

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


def inert_text(wb: Any) -> int:
    """Makes every text cell of the openpyxl workbook ``wb`` hold its text as a string, never a
    formula or an error value, whatever its first character; returns how many cells it changed.

    openpyxl stores a ``str`` that starts with ``=`` as a formula and one like ``#N/A`` as an error
    value: a plan or a school naming an indicator ``=HYPERLINK("http://…","点击")`` would put a live
    formula into the workbook a bureau opens (spreadsheet formula injection, CWE-1236). planeval
    writes no formulas, so every such cell is text. Other leading characters (``+``, ``-``, ``@``,
    tab, CR) are harmless in a string cell of an .xlsx file (Excel evaluates them only in CSV and
    when a person edits the cell). Numbers stay numbers. Call it right before ``wb.save``.
    """
    changed = 0
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type in ("f", "e") and isinstance(cell.value, str):
                    cell.data_type = "s"
                    changed += 1
    return changed


def _is_weighted(ind: Indicator) -> bool:
    """True when the indicator's roll-up across entities weights the values (students)."""
    rule = ind.across_entities
    if rule is None:
        return ind.kind in ("rate", "ratio")
    return rule in ("weighted_mean", "ratio_of_sums")


def referenced_standards(plan: Plan) -> list[str]:
    """The ids of the official standards the plan's targets reference (``Target.standard``),
    sorted: the standards whose indicators a template of the plan collects by default."""
    return sorted({t.standard for t in plan.targets if t.standard})


def add_standards(plan: Plan, standard_ids: Iterable[str]) -> list[str]:
    """Add the indicators of these standards (the plan's own of that id, else the built-in one) to
    ``plan`` where it lacks them; returns the indicator ids added. What :func:`read_excel` does with
    the standards a template records, and what the command line does before reading data."""
    added: list[str] = []
    for sid in standard_ids:
        added += plan.add_standard_indicators(plan.standard(sid))
    return added
