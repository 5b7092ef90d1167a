"""pandas glue: observations_from_frame, and the frames behind Observations.to_frame,
IngestReport.to_frame and Plan.rollup.

pandas is optional: it is imported when one of these is called, and Plan.rollup returns its dict of
numpy arrays when pandas cannot be imported.
"""

from __future__ import annotations

import datetime as dt
import importlib
import math
import numbers
import os
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from . import _core
from ._errors import check_lang, located

if TYPE_CHECKING:
    import pandas as pd  # type: ignore[import-untyped, unused-ignore]

    from ._core import IngestReport, Observations, Plan, _RollupArrays

#: The columns observations_from_frame reads; any others are ignored.
FRAME_COLUMNS = (
    "indicator",
    "entity",
    "value",
    "date",
    "period",
    "year",
    "weight",
    "estimated",
    "provisional",
    "parent",
    "entity_name",
    "entity_kind",
    "stage",
    "students",
)
_ROLLUP_COLUMNS = (
    "indicator",
    "entity",
    "stage",
    "period_start",
    "period_end",
    "value",
    "defined",
    "units",
    "missing_units",
    "rule",
)
_ROLLUP_COUNTS = ("rows_used", "rows_outside_level", "rows_combined_in_time", "weight_assumed")
_SOURCE = "DataFrame"


def _pandas() -> Any:
    return importlib.import_module("pandas")


def observations_frame(obs: Observations, plan: Plan) -> pd.DataFrame:
    """Observations.to_frame: ids, dates, value (NaN where missing), flags as bool columns."""
    pd = _pandas()
    _core._require_plan(plan, obs, "Observations.to_frame")  # indices of another plan name other ids
    columns: dict[str, Any] = {}
    for name, codes in (("indicator", obs.indicator), ("entity", obs.entity)):
        ids = np.asarray(_core._ids(plan, name), dtype=object)
        if codes.size and int(codes.max()) >= ids.size:
            row = int(np.flatnonzero(codes >= ids.size)[0])
            raise located(
                _core.DataError,
                f"column {name}: row {row} holds index {int(codes[row])}, "
                f"but the plan has {ids.size} {name}s",
                row=row + 1,
                column=name,
            )
        columns[name] = ids[codes]
    missing = obs.missing
    columns["start"] = obs.start.astype("datetime64[D]")
    columns["end"] = obs.end.astype("datetime64[D]")
    columns["value"] = np.where(missing, np.nan, obs.value)
    columns["missing"] = missing
    weight = obs.weight
    if weight is not None:
        columns["weight"] = np.array(weight)
    columns["estimated"] = obs.estimated
    columns["provisional"] = obs.provisional
    return pd.DataFrame(columns)


def report_frame(report: IngestReport, include_duplicates: bool) -> pd.DataFrame:
    """IngestReport.to_frame: one row per rejected (and optionally duplicate) input row."""
    pd = _pandas()
    rows: list[tuple[int, str, str, str]] = [(r.row, r.column, r.reason, r.message) for r in report.rejected]
    if include_duplicates:
        rows += [
            (row, "", "duplicate", "an identical repeat of an accepted row") for row in report.duplicate_rows
        ]
    rows.sort(key=lambda r: r[0])
    frame = pd.DataFrame(rows, columns=["row", "column", "reason", "message"])
    return frame.astype({"row": "int64"})


def rollup_frame(arrays: _RollupArrays) -> pd.DataFrame | _RollupArrays:
    """Plan.rollup: the roll-up as a DataFrame (counts in .attrs), or the arrays without pandas."""
    try:
        pd = _pandas()
    except ImportError:
        return arrays
    data: dict[str, Any] = dict(arrays)
    frame = pd.DataFrame({name: data[name] for name in _ROLLUP_COLUMNS})
    for name in _ROLLUP_COUNTS:
        frame.attrs[name] = data[name]
    return frame


# --- DataFrame in ------------------------------------------------------------------------------


def _is_missing(x: object) -> bool:
    """None, NaN, NaT, pandas.NA."""
    if x is None:
        return True
    if isinstance(x, float):
        return math.isnan(x)
    if isinstance(x, (np.floating, np.datetime64, np.timedelta64)):
        return bool(np.isnan(x))
    return type(x).__name__ in ("NAType", "NaTType")


def _number_text(x: float) -> str:
    """Shortest round-trip text; whole numbers without '.0' (2021, not 2021.0); NaN as ''."""
    if x != x:  # NaN
        return ""
    if x.is_integer() and abs(x) < 2.0**53:
        return str(int(x))
    return repr(x)


def _cell_text(x: object) -> str:
    if isinstance(x, str):
        return x
    if _is_missing(x):
        return ""
    if isinstance(x, (bool, np.bool_)):
        return "true" if x else "false"
    if isinstance(x, numbers.Integral):
        return str(int(x))
    if isinstance(x, numbers.Real):
        return _number_text(float(x))
    if isinstance(x, dt.date):  # also datetime and pandas.Timestamp: the calendar day
        return f"{x.year:04d}-{x.month:02d}-{x.day:02d}"
    if isinstance(x, np.datetime64):
        return str(x.astype("datetime64[D]"))
    if isinstance(x, bytes):
        try:
            return x.decode("utf-8")
        except UnicodeDecodeError as e:
            raise _CellError(
                f"expected text or UTF-8 bytes, got bytes that are not UTF-8 (byte {e.start + 1} of "
                f"{_shown(x)}; decode them with their own encoding first, e.g. .decode('gbk'))"
            ) from None
    return str(x)


class _CellError(Exception):
    """A cell that cannot become text (bytes that are not UTF-8); the caller names the place."""


def _shown(x: str | bytes) -> str:
    """A cell for a message: its repr, at most about 40 characters (surrogates escaped)."""
    return repr(x[:40]) + ("..." if len(x) > 40 else "")


def _lone_surrogate(cells: Sequence[Sequence[str]]) -> tuple[int, int, int] | None:
    """The column, row and 0-based character of the first lone surrogate ('\\ud800': text that
    cannot be UTF-8) in text columns, or None."""
    for j, column in enumerate(cells):
        for row, cell in enumerate(column):
            if cell.isascii():
                continue
            try:
                cell.encode("utf-8")
            except UnicodeEncodeError as e:
                return j, row, e.start
    return None


def _column_text(column: pd.Series) -> list[str]:
    """A column as the cells of a CSV file: '' for missing values, whole numbers without '.0',
    dates as YYYY-MM-DD, booleans as true/false."""
    pd = _pandas()
    dtype = column.dtype
    if pd.api.types.is_datetime64_any_dtype(dtype):
        days = column.dt.strftime("%Y-%m-%d")
        return [d if isinstance(d, str) else "" for d in days]
    if isinstance(dtype, np.dtype) and dtype.kind in "biuf":
        values = column.to_numpy().tolist()
        if dtype.kind == "b":
            return ["true" if v else "false" for v in values]
        if dtype.kind in "iu":
            return list(map(str, values))
        return list(map(_number_text, values))
    # object, string, categorical and the nullable extension dtypes (Int64, boolean...)
    cells = column.to_numpy(dtype=object, copy=True)  # written below; pandas 3 gives read-only views
    missing = pd.isna(cells)
    if pd.api.types.infer_dtype(cells, skipna=True) in ("string", "empty"):
        cells[missing] = ""
        texts: list[str] = cells.tolist()
        return texts
    texts = []
    for row, x in enumerate(cells):
        try:
            texts.append(_cell_text(x))
        except _CellError as e:
            raise _CellError(row, str(e)) from None
    return texts


def _cell_error(index: pd.Index, row: int, column: str, what: str) -> _core.DataError:
    """A DataError about the cell of ``column`` at position ``row``, its index label named:
    'DataFrame: row 3 (index 'b'), column value: ...'; located (``row`` is the position + 1, as
    every planeval error counts rows from 1)."""
    label = f" (index {index[row]!r})" if row < len(index) else ""
    message = f"{_SOURCE}: row {row}{label}, column {column}: {what}"
    return located(_core.DataError, message, row=row + 1, column=column, detail=what)


def observations_from_frame(
    plan: Plan, df: pd.DataFrame, *, on_bad_row: str = "raise", add_entities: bool = True
) -> tuple[Observations, IngestReport]:
    """Observations from a tidy long DataFrame with the columns of an observations CSV file.

    Columns: ``indicator``, ``entity``, ``value`` and one of ``date``, ``period`` ("2021" or school
    year "2021/2022") or ``year``; optional ``weight``, ``estimated``, ``provisional``, and for
    entities the plan does not know yet ``parent``, ``entity_name``, ``entity_kind``, ``stage``,
    ``students``. Other columns are ignored. Cells are read as the CSV reader reads text: NaN, None,
    ``pd.NA`` and NaT are missing (a missing value is "not reported", not zero); whole numbers lose
    their ``.0`` (a float year column 2021.0 is year 2021); dates become YYYY-MM-DD; bytes are
    decoded as UTF-8. A cell that cannot be text (bytes that are not UTF-8, a str with a lone
    surrogate) raises :class:`DataError` naming its row, index label and column.

    With ``add_entities`` an unknown entity whose row names a known ``parent`` is added to the plan.
    ``on_bad_row="raise"`` raises :class:`DataError` for the first bad row, naming its position and
    its index label (``DataFrame: row 1 (index 'b'), column value: ...``); ``"collect"`` records
    every bad row in the report (``Rejection.row`` is the position; ``df.index[row]`` its label).
    Returns ``(Observations, IngestReport)``.

    The output of ``Observations.to_frame`` reads back losslessly: its ``start`` and ``end`` dates
    stand for the time (each period becomes a calendar year, a school year or a single date; other
    periods raise :class:`DataError`: give them to :func:`observations_from_arrays`), and
    ``missing`` True makes the value missing. A table that is not a pandas DataFrame but exports
    ``__arrow_c_stream__`` (polars, pyarrow, DuckDB) is read by :func:`observations_from_arrow`.
    """
    if not _is_pandas_frame(df):
        if hasattr(df, "__arrow_c_stream__"):
            return observations_from_arrow(plan, df, on_bad_row=on_bad_row, add_entities=add_entities)
        raise _core.ArgumentTypeError(
            "observations_from_frame: expected a pandas DataFrame or an object with __arrow_c_stream__ "
            f"(polars, pyarrow, DuckDB), got {type(df).__name__}"
        )
    if df.columns.duplicated().any():
        duplicated = sorted({str(c) for c in df.columns[df.columns.duplicated()]})
        raise _core.DataError(f"{_SOURCE}: duplicate columns {duplicated}")
    names = [c for c in df.columns if isinstance(c, str) and c.strip() in FRAME_COLUMNS]
    present = {c.strip() for c in names}
    listed = ", ".join(str(c) for c in df.columns)
    for required in ("indicator", "entity", "value"):
        if required not in present:
            message = f'{_SOURCE}: missing column "{required}" (columns are: {listed})'
            raise located(_core.DataError, message, column=required)
    extra = {c.strip(): c for c in df.columns if isinstance(c, str) and c.strip() in _ROUND_TRIP_COLUMNS}
    start_end = "start" in extra and "end" in extra
    if sum(t in present for t in ("date", "period", "year")) + start_end != 1:
        raise _core.DataError(
            f'{_SOURCE}: expected exactly one of the columns "date", "period" or "year" '
            f"(columns are: {listed})"
        )
    columns = [c.strip() for c in names]
    cells: list[list[str]] = []
    for c, name in zip(names, columns):
        try:
            cells.append(_column_text(df[c]))
        except _CellError as e:
            row, message = e.args
            raise _cell_error(df.index, row, name, message) from None
    if start_end:  # Observations.to_frame's columns: each period as the text of a period or a date
        time_name, time_cells = _period_text(df[extra["start"]], df[extra["end"]], df.index)
        columns.append(time_name)
        cells.append(time_cells)
    if "missing" in extra:  # True: the value is missing whatever the value cell holds
        flags = _column_text(df[extra["missing"]])
        value = cells[columns.index("value")]
        cells[columns.index("value")] = ["" if f.strip() in _TRUE else v for v, f in zip(value, flags)]
    try:
        return _core._read_text_columns(plan, columns, cells, on_bad_row, add_entities, _SOURCE)
    except _core.DataError as e:
        # a row's error (e.row: its position + 1): named again with the row's index label
        if e.row is None or e.column is None or e.message is None:
            raise
        raise _cell_error(df.index, e.row - 1, e.column, e.message) from None
    except (TypeError, UnicodeError):  # text the core cannot take as UTF-8: say which cell
        bad = _lone_surrogate(cells)
        if bad is None:
            raise
        j, row, char = bad
        text = cells[j][row]
        raise _cell_error(
            df.index,
            row,
            columns[j],
            f"expected text that is valid Unicode, got a lone surrogate U+{ord(text[char]):04X} at character "
            f"{char + 1} of {_shown(text)}",
        ) from None


#: Further columns observations_from_frame reads, those of Observations.to_frame: ``start`` and
#: ``end`` (dates) in place of date/period/year, and ``missing`` (True: the value is missing).
_ROUND_TRIP_COLUMNS = ("start", "end", "missing")
#: Cells read as True (as the C++ reader's flags).
_TRUE = frozenset(("true", "True", "TRUE", "1", "yes", "是"))


def _is_pandas_frame(df: object) -> bool:
    if not type(df).__module__.startswith("pandas"):
        return False
    try:
        pd = _pandas()
    except ImportError:  # pragma: no cover - a pandas object without pandas
        return False
    return isinstance(df, pd.DataFrame)


def _period_text(start: pd.Series, end: pd.Series, index: pd.Index) -> tuple[str, list[str]]:
    """Periods from start and end dates as the cells of a ``period`` column ("2021", school year
    "2021/2022") or, when every period is a single day, of a ``date`` column; missing dates give
    empty cells (rejected rows). DataError naming the row for other periods."""
    pd = _pandas()
    s = pd.to_datetime(start).to_numpy().astype("datetime64[D]")
    e = pd.to_datetime(end).to_numpy().astype("datetime64[D]")
    known = ~(np.isnat(s) | np.isnat(e))
    one_day = np.timedelta64(1, "D")
    month = s.astype("datetime64[Y]").astype("datetime64[M]")  # January of the start's year
    years = month.astype("datetime64[Y]").astype(np.int64) + 1970
    first_day = month.astype("datetime64[D]")
    calendar = known & (s == first_day) & (e == (month + 12).astype("datetime64[D]") - one_day)
    # a school year: 1 September to 31 August of the next year
    september = (month + 8).astype("datetime64[D]")
    school = known & (s == september) & (e == (month + 20).astype("datetime64[D]") - one_day)
    day = known & (s == e)
    if np.all(calendar | school | ~known):
        texts = [
            "" if not k else str(y) if c else f"{y}/{y + 1}"
            for y, c, k in zip(years.tolist(), calendar.tolist(), known.tolist())
        ]
        return "period", texts
    if np.all(day | ~known):
        return "date", [str(d) if k else "" for d, k in zip(s, known)]
    bad = np.flatnonzero(known & ~(calendar | school | day))
    row = int(bad[0]) if bad.size else int(np.flatnonzero(known & ~day)[0])
    what = (
        f"the period {s[row]}..{e[row]} is not a calendar year, a school year or a single day"
        if bad.size
        else "the rows mix periods (years, school years) and single days"
    )
    raise _cell_error(
        index,
        row,
        "start",
        f"{what}; give such observations to observations_from_arrays(start=, end=) or to "
        "observations_from_arrow",
    )


def _arrow_source(data: object) -> str:
    """How messages name an Arrow input: "polars DataFrame", "pyarrow Table"."""
    t = type(data)
    return f"{t.__module__.split('.')[0]} {t.__name__}"


def observations_from_arrow(
    plan: Plan, data: Any, *, on_bad_row: str = "raise", add_entities: bool = True
) -> tuple[Observations, IngestReport]:
    """Observations from any table exporting the Arrow C stream interface (``__arrow_c_stream__``):
    a polars DataFrame, a pyarrow Table or RecordBatchReader, a DuckDB relation.

    The columns and rules are those of :func:`observations_from_frame` (``start`` and ``end`` dates
    may replace date/period/year, as ``Observations.to_frame`` writes them), and the result is the
    same as for the data as a pandas DataFrame, but the Arrow buffers are read in C++ without
    pandas: numbers and dates straight from the buffers, text (utf8, large_utf8, string_view,
    dictionary-encoded) looked up once per distinct value. A null value is a missing value (not
    zero); a null id rejects its row. Types that cannot hold observations (lists, structs,
    decimals...) raise :class:`DataError` naming the column and the Arrow format found. Messages
    name the input by its type ("polars DataFrame: row 3, column value: ..."). Returns
    ``(Observations, IngestReport)``.
    """
    if not hasattr(data, "__arrow_c_stream__"):
        raise _core.ArgumentTypeError(
            "observations_from_arrow: expected an object with __arrow_c_stream__ (a polars DataFrame, "
            f"a pyarrow Table or RecordBatchReader, a DuckDB relation), got {type(data).__name__}"
        )
    result: tuple[Observations, IngestReport] = _core._observations_from_arrow_stream(
        plan, data, on_bad_row, add_entities, _arrow_source(data)
    )
    return result


def read_parquet(
    plan: Plan, path: str | os.PathLike[str], *, on_bad_row: str = "raise", add_entities: bool = True
) -> tuple[Observations, IngestReport]:
    """Observations from a Parquet file, read with pyarrow (``pip install 'planeval[arrow]'``): the
    columns of :func:`observations_from_frame` (others are not read), then as
    :func:`observations_from_arrow`, with the file named in messages."""
    name = os.fspath(path)
    try:
        pq = importlib.import_module("pyarrow.parquet")
    except ImportError:
        raise ImportError(
            f"{name}: reading Parquet files needs pyarrow: pip install 'planeval[arrow]'"
        ) from None
    if not os.path.exists(name):
        raise located(_core.DataError, f"{name}: no such file", file=name)
    pa = importlib.import_module("pyarrow")
    try:
        file = pq.ParquetFile(name)
        wanted = set(FRAME_COLUMNS) | set(_ROUND_TRIP_COLUMNS)
        columns = [c for c in file.schema_arrow.names if c.strip() in wanted]
        # ids as dictionaries (decoded from the file's own dictionary pages): looked up once per distinct id
        is_id = ("indicator", "entity")
        ids = [f.name for f in file.schema_arrow if f.name.strip() in is_id and pa.types.is_string(f.type)]
        if ids:
            file = pq.ParquetFile(name, read_dictionary=ids)
        table = file.read(columns=columns)
    except (pa.ArrowException, OSError) as e:
        raise located(_core.DataError, f"{name}: not a readable Parquet file ({e})", file=name) from None
    try:
        result: tuple[Observations, IngestReport] = _core._observations_from_arrow_stream(
            plan, table, on_bad_row, add_entities, name
        )
    except _core.DataError as e:  # the Arrow reader names the file in its messages, not as a field
        if e.file is None:
            e.file = name
        raise
    return result


__all__ = [
    "FRAME_COLUMNS",
    "observations_frame",
    "observations_from_arrow",
    "observations_from_frame",
    "read_parquet",
    "report_frame",
    "rollup_frame",
]


# --- official standards: Standard.indicators_frame and the StandardResult frames -----------------


def _floats(values: list[float | None]) -> Any:
    """float64 with NaN for None."""
    return np.array([np.nan if v is None else v for v in values], dtype=np.float64)


def _nullable_bools(values: list[bool | None]) -> Any:
    """pandas' nullable boolean (None -> <NA>)."""
    return _pandas().array(values, dtype="boolean")


def standard_indicators_frame(standard: _core.Standard) -> pd.DataFrame:
    """Standard.indicators_frame: id, name_zh, name_en, unit, level, comparator, one column of
    thresholds per stage (named by the stage; NaN where none), group."""
    pd = _pandas()
    indicators = standard.indicators
    columns: dict[str, Any] = {
        "id": [i["id"] for i in indicators],
        "name_zh": [i["name"]["zh"] for i in indicators],
        "name_en": [i["name"]["en"] for i in indicators],
        "unit": [i["unit"] for i in indicators],
        "level": [i["level"] for i in indicators],
        "comparator": pd.Series([i["comparator"] for i in indicators], dtype=object),
    }
    for stage in standard.stages:
        columns[stage] = _floats([i["thresholds"].get(stage) for i in indicators])
    columns["group"] = [i["group"] for i in indicators]
    return pd.DataFrame(columns)


def standard_units_frame(result: _core.StandardResult) -> pd.DataFrame:
    """StandardResult.units_frame: one row per unit; per indicator <id>_value, <id>_ratio, <id>_met."""
    pd = _pandas()
    units = result.units
    ids: list[str] = []
    for u in units:
        for v in u["values"]:
            if v["indicator"] not in ids:
                ids.append(v["indicator"])
    columns: dict[str, Any] = {
        "unit": pd.Series([u["unit"] for u in units], dtype=object),
        "combined_school": pd.Series([u["combined_school"] for u in units], dtype=object),
        "stage": pd.Series([u["stage"] for u in units], dtype=object),
        "students": _floats([u["students"] for u in units]),
        "excluded": np.array([u["excluded"] for u in units], dtype=bool),
        "exclusion": pd.Series([u["exclusion"] for u in units], dtype=object),
        "excluded_because": pd.Series([u["excluded_because"]["zh"] for u in units], dtype=object),
        "passed": _nullable_bools([u["passed"] for u in units]),
        "met_count": np.array([u["met_count"] for u in units], dtype=np.int64),
    }
    for ind in ids:
        values = [next((v for v in u["values"] if v["indicator"] == ind), None) for u in units]
        columns[f"{ind}_value"] = _floats([v["value"] if v else None for v in values])
        columns[f"{ind}_ratio"] = _floats([v["ratio"] if v else None for v in values])
        columns[f"{ind}_met"] = np.array([bool(v and v["met"]) for v in values], dtype=bool)
    return pd.DataFrame(columns)


def _typed_frame(rows: Sequence[Mapping[str, object]], spec: list[tuple[str, str]]) -> pd.DataFrame:
    """A DataFrame of `rows` (dicts) with one column per (key, kind) of `spec`; kind is "object",
    "float" (None -> NaN), "bool", "nullable_bool" (None -> <NA>) or "int"."""
    pd = _pandas()
    columns: dict[str, Any] = {}
    for key, kind in spec:
        values: list[Any] = [r[key] for r in rows]
        if kind == "float":
            columns[key] = _floats(values)
        elif kind == "nullable_bool":
            columns[key] = _nullable_bools(values)
        elif kind == "bool":
            columns[key] = np.array(values, dtype=bool)
        elif kind == "int":
            columns[key] = np.array(values, dtype=np.int64)
        else:
            columns[key] = pd.Series(values, dtype=object)
    return pd.DataFrame(columns)


def standard_cvs_frame(result: _core.StandardResult) -> pd.DataFrame:
    """StandardResult.cvs_frame: stage, indicator, cv, limit, passed, units, missing_units, mean,
    weighting, rule."""
    return _typed_frame(
        result.cvs,
        [
            ("stage", "object"),
            ("indicator", "object"),
            ("cv", "float"),
            ("limit", "float"),
            ("passed", "nullable_bool"),
            ("units", "int"),
            ("missing_units", "int"),
            ("mean", "float"),
            ("weighting", "object"),
            ("rule", "object"),
        ],
    )


def standard_composites_frame(result: _core.StandardResult) -> pd.DataFrame:
    """StandardResult.composites_frame: rule, stage, value, limit, passed."""
    return _typed_frame(
        result.composites,
        [
            ("rule", "object"),
            ("stage", "object"),
            ("value", "float"),
            ("limit", "float"),
            ("passed", "nullable_bool"),
        ],
    )


def standard_criteria_frame(result: _core.StandardResult) -> pd.DataFrame:
    """StandardResult.criteria_frame: id, indicator, comparator, value, limit, passed, entity (where
    the value was read: the county, or the one stage row of the standard's stage)."""
    return _typed_frame(
        result.criteria,
        [
            ("id", "object"),
            ("indicator", "object"),
            ("comparator", "object"),
            ("value", "float"),
            ("limit", "float"),
            ("passed", "nullable_bool"),
            ("entity", "object"),
        ],
    )


def standard_groups_frame(result: _core.StandardResult) -> pd.DataFrame:
    """StandardResult.groups_frame: id, evaluated, passed."""
    return _typed_frame(result.groups, [("id", "object"), ("evaluated", "bool"), ("passed", "bool")])


def standard_reasons_frame(result: _core.StandardResult) -> pd.DataFrame:
    """StandardResult.reasons_frame: code, group, stage, indicator, unit, value, limit, message_zh,
    message_en."""
    pd = _pandas()
    rows = result.reasons
    columns: dict[str, Any] = {
        name: pd.Series([getattr(r, name) for r in rows], dtype=object)
        for name in ("code", "group", "stage", "indicator", "unit")
    }
    columns["value"] = _floats([r.value for r in rows])
    columns["limit"] = _floats([r.limit for r in rows])
    columns["message_zh"] = pd.Series([r.message_zh for r in rows], dtype=object)
    columns["message_en"] = pd.Series([r.message_en for r in rows], dtype=object)
    return pd.DataFrame(columns)


__all__ += [
    "standard_composites_frame",
    "standard_criteria_frame",
    "standard_cvs_frame",
    "standard_groups_frame",
    "standard_indicators_frame",
    "standard_reasons_frame",
    "standard_units_frame",
]


# --- the plan as frames ----------------------------------------------------------------------------

#: Column labels in Chinese and English for the plan's frames (labels="zh" / "en").
COLUMN_LABELS: dict[str, tuple[str, str]] = {
    "id": ("编号", "id"),
    "name_zh": ("名称", "name (zh)"),
    "name_en": ("英文名称", "name"),
    "unit": ("单位", "unit"),
    "kind": ("类型", "kind"),
    "direction": ("方向", "direction"),
    "decimals": ("小数位", "decimals"),
    "stages": ("学段", "stages"),
    "domain": ("领域", "domain"),
    "across_entities": ("跨单位汇总", "across entities"),
    "across_time": ("跨时间汇总", "across time"),
    "indicator": ("指标", "indicator"),
    "scope": ("范围", "scope"),
    "baseline_date": ("基期日期", "baseline date"),
    "baseline": ("基期值", "baseline"),
    "comparator": ("比较", "comparator"),
    "goal": ("目标值", "goal"),
    "deadline": ("期限", "deadline"),
    "deadline_basis": ("期限依据", "deadline basis"),
    "phase": ("阶段", "phase"),
    "standard": ("评估标准", "standard"),
    "qualitative": ("定性", "qualitative"),
    "milestones": ("阶段性目标数", "milestones"),
    "source": ("原文", "source phrase"),
    "obligation": ("指标属性", "obligation"),
    "parent": ("上级指标", "parent indicator"),
    "domain_zh": ("领域名称", "domain (zh)"),
    "domain_en": ("领域英文名称", "domain name"),
    # reports (Report.to_frame)
    "target": ("目标", "target"),
    "name": ("名称", "name"),
    "status": ("状态", "status"),
    "due": ("已到期", "due"),
    "judged_from": ("判断依据", "judged from"),
    "actual": ("实际值", "actual"),
    "actual_date": ("实际值日期", "actual date"),
    "expected": ("序时应达值", "expected"),
    "forecast": ("期末预测", "forecast"),
    "likely_met": ("预计可达成", "likely met"),
    "method": ("方法", "method"),
    "category": ("判定", "category"),
    "value": ("数值", "value"),
    "sentence": ("说明", "explanation"),
    "provisional": ("暂定", "provisional"),
    "reference_value": ("参照值", "reference value"),
    "cumulative": ("累计", "cumulative"),
    "breaches": ("未保持年份", "years not held"),
    # roll-ups and observations
    "entity": ("单位", "entity"),
    "stage": ("学段", "stage"),
    "period_start": ("期间开始", "period start"),
    "period_end": ("期间结束", "period end"),
    "period_year": ("年份", "year"),
    "defined": ("有值", "defined"),
    "units": ("单位数", "units"),
    "missing_units": ("缺失单位数", "missing units"),
    "rule": ("汇总规则", "rule"),
    "weight": ("权重", "weight"),
    # standard results and ingestion reports ("unit" above: 单位 reads as either)
    "students": ("学生数", "students"),
    "excluded": ("不参评", "excluded"),
    "exclusion": ("不参评依据", "exclusion"),
    "excluded_because": ("不参评原因", "excluded because"),
    "passed": ("达标", "passed"),
    "met_count": ("达标项数", "indicators met"),
    "cv": ("差异系数", "CV"),
    "mean": ("均值", "mean"),
    "limit": ("限值", "limit"),
    "weighting": ("加权", "weighting"),
    "code": ("代码", "code"),
    "group": ("组", "group"),
    "message_zh": ("说明", "message (zh)"),
    "message_en": ("英文说明", "message"),
    "row": ("行", "row"),
    "column": ("列", "column"),
    "reason": ("原因", "reason"),
    "message": ("说明", "message"),
}


def label_columns(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """`frame` with its known planeval column names in Chinese (lang="zh") or English ("en");
    other columns keep their names. Works on every frame planeval returns."""
    check_lang(lang)
    k = 0 if lang == "zh" else 1
    return frame.rename(columns={c: COLUMN_LABELS[c][k] for c in frame.columns if c in COLUMN_LABELS})


def _labelled(frame: pd.DataFrame, labels: str) -> pd.DataFrame:
    if labels == "id":
        return frame
    if labels not in ("zh", "en"):
        raise _core.Error(f'labels: expected "id", "zh" or "en", got {labels!r}')
    return label_columns(frame, labels)


def _value_text(v: object) -> object:
    # numbers stay numbers; booleans and ranges/shares become text so the column stays numeric-friendly
    if v is None or isinstance(v, bool):
        return None
    if isinstance(v, (int, float)):
        return float(v)
    return None


def indicators_frame(plan: Plan, labels: str = "id") -> pd.DataFrame:
    """One row per indicator: id, names, unit, kind, direction, decimals, stages, domain (its id),
    rules, obligation (``binding`` 约束性 / ``expected`` 预期性 / None), parent (the indicator a
    sub-indicator belongs to, else None) and the domain's names as the plan declares them."""
    from ._vocab import domain_text

    pd = _pandas()
    domains = {i.domain: domain_text(plan, i.domain) for i in plan.indicators}
    rows = [
        {
            "id": i.id,
            "name_zh": i.name_zh,
            "name_en": i.name_en,
            "unit": i.unit,
            "kind": i.kind,
            "direction": i.direction,
            "decimals": i.decimals,
            "stages": "、".join(i.stages),
            "domain": i.domain,
            "across_entities": i.across_entities,
            "across_time": i.across_time,
            "obligation": i.obligation,
            "parent": i.parent or None,
            "domain_zh": domains[i.domain].zh,
            "domain_en": domains[i.domain].en,
        }
        for i in plan.indicators
    ]
    frame = pd.DataFrame(rows, columns=list(rows[0]) if rows else ["id"])
    frame["decimals"] = frame["decimals"].astype("Int64")
    return _labelled(frame, labels)


def targets_frame(plan: Plan, labels: str = "id") -> pd.DataFrame:
    """One row per target: id, names, indicator, scope, baseline (date, value), comparator, goal
    (a number, else missing: ranges and shares are in the plan), deadline and its basis, phase,
    standard, qualitative, number of milestones, source phrase, obligation (the target's own, else
    its indicator's: ``binding`` 约束性 / ``expected`` 预期性 / None) and parent (the parent
    indicator of a sub-indicator's target, else None)."""
    from ._vocab import effective_obligation

    pd = _pandas()
    indicators = {i.id: i for i in plan.indicators}
    rows = []
    for t in plan.targets:
        ind = indicators[t.indicator]
        rows.append(
            {
                "id": t.id,
                "name_zh": None if t.name is None else t.name.zh,
                "name_en": None if t.name is None else t.name.en,
                "indicator": t.indicator,
                "scope": t.scope,
                "baseline_date": None if t.baseline is None else t.baseline.date,
                "baseline": None if t.baseline is None else _value_text(t.baseline.value),
                "comparator": t.goal.comparator,
                "goal": _value_text(t.goal.value),
                "deadline": t.goal.deadline,
                "deadline_basis": t.goal.deadline_basis,
                "phase": t.phase or None,
                "standard": t.standard or None,
                # a plain bool, so that the column filters (~frame["qualitative"]): not stated is False
                "qualitative": bool(t.qualitative),
                "milestones": len(t.milestones),
                "source": t.source.phrase,
                "obligation": effective_obligation(t, ind),
                "parent": ind.parent or None,
            }
        )
    frame = pd.DataFrame(rows, columns=list(rows[0]) if rows else ["id"])
    for c in ("baseline", "goal"):
        if c in frame:
            frame[c] = frame[c].astype("float64")
    if "qualitative" in frame:
        frame["qualitative"] = frame["qualitative"].astype(bool)
    return _labelled(frame, labels)
