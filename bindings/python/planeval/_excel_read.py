"""Reading filled data-entry workbooks, or plain tidy sheets, back into observations
(:func:`read_excel`; with CSV files: :func:`read_observations`), and a data-checking workbook per
school (:func:`write_check_reports`).

Reading builds the text columns of an observations CSV file (``indicator, entity, period, value,
weight, parent, entity_name, entity_kind, stage, students``) from the filled cells and hands them
to the same ingestion as :func:`planeval.read_csv`, so every cell gets the same checks; errors
name the sheet and cell (``小学!F7``). Template sheets are found by their hidden machine row
(:mod:`planeval._workbook`).
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
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from xml.etree import ElementTree

from . import _core
from ._errors import check_lang, located
from ._frames import FRAME_COLUMNS
from ._vocab import area_word
from ._workbook import (
    _ENTITY_CODES,
    _SCHOOL_KINDS,
    _TEXT,
    MACHINE_ROW,
    META_SHEET,
    STAGES,
    TEMPLATE_FORMAT,
    TEMPLATE_VERSION,
    _is_weighted,
    _openpyxl,
    add_standards,
    inert_text,
    referenced_standards,
)

if TYPE_CHECKING:
    from ._core import Entity, Indicator, IngestReport, Observations, Plan, _StrPath

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

    def error(self, message: str, column: str) -> _core.DataError:
        """A DataError about this row's cell of ``column``, located: the file, and the sheet, the
        cell and its row (a CSV file: the line and the column)."""
        file = self.path or None
        if self.csv:
            return located(_core.DataError, message, file=file, row=self.row, column=column)
        cell = self.cells.get(column, self.default)  # every cell of the row is on sheet row self.row
        return located(
            _core.DataError, message, file=file, row=self.row, column=column, sheet=self.sheet, cell=cell
        )

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
        raise _unreadable_cell(ws, source, len(rows) + 1, e) from None
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


def _unreadable_cell(ws: Any, source: str, row: int, error: Exception) -> _core.DataError:
    """The error for a cell openpyxl could not read: file, sheet, the first bad cell of the row
    (found by reading the row's XML again) or else the row, and openpyxl's own words."""
    title = str(getattr(ws, "title", "?"))
    ref = _sheet_ref(title)
    cell_ref: str | None = None
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
                            cell_ref = r if r and _good_ref(r) else None
                            place = f"{ref}!{r}" if cell_ref else f"{ref}, row {row}, cell {i + 1}"
                            problem = f"cannot read the cell: {found}"
                            break
                    break
                element.clear()
    except Exception:  # the locator is a courtesy: without it the row is named
        pass
    message = f"{source}: {place}: {problem} {why}"
    return located(_core.DataError, message, file=source, row=row, sheet=title, cell=cell_ref)


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
        raise located(
            _core.DataError,
            f"{path}: cannot read the formulas of sheets {', '.join(map(_sheet_ref, titles))}: expected an "
            f".xlsx file as Excel, WPS or LibreOffice save it ({type(e).__name__}: {str(e)[:200]})",
            file=path,
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
        raise _unreadable_cell(ws, source, read + 1, e) from None
    if meta.get("format") != TEMPLATE_FORMAT:
        raise located(
            _core.DataError,
            f"{source}: the hidden sheet {META_SHEET} is not a planeval template's "
            f'(expected format "{TEMPLATE_FORMAT}", got "{meta.get("format", "")}")',
            file=source,
        )
    try:
        version = int(meta.get("version", ""))
    except ValueError:
        version = 0
    if version > TEMPLATE_VERSION:
        raise located(
            _core.DataError,
            f"{source}: template version {version} was made by a newer planeval "
            f"(this one reads version {TEMPLATE_VERSION})",
            file=source,
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
            raise located(
                _core.DataError,
                f"{source}: {META_SHEET}: the template collects the indicators of standard {sid!r}, which "
                f"plan {plan.id!r} does not have and planeval does not know ({e})",
                file=source,
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
        raise located(
            _core.DataError,
            f"{path}: {ref}!A{machine + 1}: expected the code entity|<stage> with a stage of "
            f"{', '.join(STAGES)}, got {_cell_text(_at(grid, machine, 0)[0])!r}",
            file=path,
            row=machine + 1,
            sheet=title,
            cell=f"A{machine + 1}",
        )
    indicators = {i.id: i for i in plan.indicators}
    fixed: dict[str, int] = {}
    values: list[tuple[int, Indicator, str]] = []  # column, indicator, period
    for c, (v, _) in enumerate(grid[machine]):
        code = _cell_text(v)
        if c == 0 or not code:
            continue
        where = f"{path}: {ref}!{letter(c + 1)}{machine + 1}"
        cell = f"{letter(c + 1)}{machine + 1}"
        if code in _ENTITY_CODES:
            fixed[code] = c
            continue
        ind_id, bar, period = code.partition("|")
        ind_id, period = ind_id.strip(), period.strip()
        if not bar:
            raise located(
                _core.DataError,
                f'{where}: expected a code "indicator_id|year" (or {", ".join(_ENTITY_CODES)}) in the '
                f"machine row, got {code!r}",
                file=path,
                row=machine + 1,
                sheet=title,
                cell=cell,
            )
        ind = indicators.get(ind_id)
        if ind is None:
            raise located(
                _core.DataError,
                f'{where}: unknown indicator "{ind_id}" in the machine row (codes are "indicator_id|year" '
                f"with an indicator of plan {plan.id!r})",
                file=path,
                row=machine + 1,
                sheet=title,
                cell=cell,
            )
        if _core.parse_period(period) is None:
            raise located(
                _core.DataError,
                f'{where}: expected a year (YYYY) or school year (YYYY/YYYY) after "|" in the machine row, '
                f"got {code!r}",
                file=path,
                row=machine + 1,
                sheet=title,
                cell=cell,
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
                    raise located(
                        _core.DataError,
                        f'{path}: {_sheet_ref(title)}: duplicate column "{name}"',
                        file=path,
                        row=header + 1,
                        column=name,
                        sheet=title,
                        cell=f"{letter(c + 1)}{header + 1}",
                    )
                columns[name] = c
        listed = ", ".join(t for t in texts if t)
        for required in ("indicator", "entity", "value"):
            if required not in columns:
                raise located(
                    _core.DataError,
                    f'{path}: {_sheet_ref(title)}: missing column "{required}" (columns are: {listed})',
                    file=path,
                    row=header + 1,
                    column=required,
                    sheet=title,
                )
        if sum(t in columns for t in ("date", "period", "year")) != 1:
            raise located(
                _core.DataError,
                f'{path}: {_sheet_ref(title)}: expected exactly one of the columns "date", "period" or '
                f'"year" (columns are: {listed})',
                file=path,
                row=header + 1,
                sheet=title,
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


def _relocate(message: str, column: str, loc: _Loc, *, bare: bool = False) -> str:
    """An ingestion message for a row, named by its cell (``bare``: the file is named before the
    message, so the cell leaves it out). Other rows in the message are named by the core already
    (``row_names``)."""
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
    # the core names other rows (a conflicting duplicate, the rows of a note) by their value cells
    names = [loc.cell("value") for loc in data.locs]
    try:
        obs, report = _core._read_text_columns(
            plan, data.names, data.cells, on_bad_row, add_entities, source, row_names=names
        )
    except _core.DataError as e:
        # a row's error: e.row is the input row + 1, e.column its column, e.message what is wrong
        if e.row is None or e.row > len(data.locs) or e.column is None or e.message is None:
            raise
        loc = data.locs[e.row - 1]
        message = _relocate(e.message, e.column, loc, bare=True)
        raise loc.error(f"{loc.path}: {message}", e.column) from None
    if report.rejected:
        state = list(report.__getstate__())
        located = [
            _core.Rejection(
                r.row,
                r.column,
                r.reason,
                _relocate(r.message, r.column, data.locs[r.row])
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


_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the start of an Excel 97-2003 .xls (and other OLE2 files)


def _refuse_unreadable(source: str) -> None:
    """A clear message for what openpyxl cannot read: an old .xls, a text (CSV) file named .xlsx."""
    try:
        with open(source, "rb") as f:
            head = f.read(4096)
    except OSError as e:
        raise located(
            _core.DataError,
            f"{source}: cannot open the workbook ({e.strerror or e})",
            file=source,
        ) from None
    if head.startswith(_OLE2) or (source.lower().endswith(".xls") and not head.startswith(b"PK")):
        raise located(
            _core.DataError,
            f"{source}: an Excel 97–2003 .xls workbook: save it as .xlsx "
            "(文件 → 另存为 → Excel 工作簿; File → Save As → Excel Workbook)",
            file=source,
        )
    if head and not head.startswith(b"PK"):
        try:
            text = head.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = ""
        if text and ("," in text or "\t" in text) and "\n" in text and "\x00" not in text:
            raise located(
                _core.DataError,
                f"{source}: a text (CSV) file named {os.path.splitext(source)[1] or 'without .csv'}: "
                "expected an Excel .xlsx file; rename it .csv and read it with planeval.read_csv "
                "(这是 CSV 文本文件，不是 Excel 工作簿：请把扩展名改为 .csv)",
                file=source,
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
        raise located(_core.DataError, f"{source}: cannot open the workbook (no such file)", file=source)
    _refuse_unreadable(source)
    plan = reading.plan
    book = _Book(source, data_only=True)
    try:
        wb = book.__enter__()
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as e:
        raise located(
            _core.DataError,
            f"{source}: cannot read the workbook: expected an Excel .xlsx file ({type(e).__name__}: {e})",
            file=source,
        ) from None
    except Exception as e:  # openpyxl's InvalidFileException and the like
        raise located(
            _core.DataError,
            f"{source}: cannot read the workbook ({type(e).__name__}: {e})",
            file=source,
        ) from None
    try:
        titles = list(wb.sheetnames)
        if sheet is not None and sheet not in titles:
            raise located(
                _core.DataError,
                f"{source}: no sheet {sheet!r} (sheets: {', '.join(titles)})",
                file=source,
            )
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
        raise located(
            _core.DataError,
            f"{source}: sheet {_sheet_ref(sheet)} is neither a template sheet (machine row entity|...) nor "
            "a tidy sheet (a header with indicator, entity, value and period, date or year)",
            file=source,
        )
    if meta is not None and not templates and sheet is None:
        why = f" (sheet {_sheet_ref(lost[0])} looks like one whose machine row was lost)" if lost else ""
        raise located(
            _core.DataError,
            f"{source}: a template without data sheets (no sheet has the machine row){why}",
            file=source,
        )
    if not templates and not tidy:
        raise located(
            _core.DataError,
            f"{source}: no sheet to read: expected a planeval template (excel_template) or a tidy sheet "
            f"whose first row has the columns indicator, entity, value and period, date or year "
            f"(sheets: {', '.join(titles)})",
            file=source,
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
        raise located(_core.DataError, f"{source}: cannot open ({e.strerror or e})", file=source) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise located(
            _core.DataError,
            f"{source}: byte {e.start}: the text is not UTF-8: save it as UTF-8 (Excel: CSV UTF-8), or read "
            "the file on its own with planeval.read_csv",
            file=source,
        ) from None
    rows = list(csv.reader(text.splitlines()))
    if not rows:
        raise located(_core.DataError, f"{source}: an empty file: expected a header row", file=source)
    header = [h.strip() for h in rows[0]]
    columns = {h: c for c, h in enumerate(header) if h in FRAME_COLUMNS}
    listed = ", ".join(h for h in header if h)
    for required in ("indicator", "entity", "value"):
        if required not in columns:
            raise located(
                _core.DataError,
                f'{source}: missing column "{required}" (columns are: {listed})',
                file=source,
                row=1,
                column=required,
            )
    if sum(t in columns for t in ("date", "period", "year")) != 1:
        raise located(
            _core.DataError,
            f'{source}: expected exactly one of the columns "date", "period" or "year" '
            f"(columns are: {listed})",
            file=source,
            row=1,
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
            raise located(_core.DataError, f"{files[0]}: no such file", file=files[0])
        return _core.read_csv(plan, files[0], on_bad_row=on_bad_row, add_entities=add_entities)
    return _read_files(plan, files, on_bad_row, add_entities)[:2]


def _read_files(
    plan: Plan, files: list[str], on_bad_row: str, add_entities: bool
) -> tuple[Observations, IngestReport, _Columns]:
    """CSV and Excel files read together, with the origin of every input row."""
    for f in files:
        if not f.lower().endswith((".csv", *_EXCEL_EXTENSIONS)):
            raise located(_core.DataError, f"{f}: expected a .csv or .xlsx file", file=f)
    reading = _Reading(plan, on_bad_row)
    for f in files:
        label = f"[{f}]" if len(files) > 1 else ""
        if f.lower().endswith(".csv"):
            if not os.path.isfile(f):
                raise located(_core.DataError, f"{f}: no such file", file=f)
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
    check_lang(lang)
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
    inert_text(wb)
    try:
        wb.save(target)
    except OSError as e:
        raise _core.Error(f"{target}: cannot write ({e.strerror or e})") from None
