"""COINr's input tables (``iData``, ``iMeta``) to a :class:`~planeval.composite.Composite`, and back.

COINr (the JRC's composite-indicator package for R, version 1.1.14) describes a composite with two
data frames: ``iData`` (one row per unit: ``uCode``, optional ``uName`` and ``Time``, then the
indicator, group and denominator columns) and ``iMeta`` (one row per column of ``iData`` and per
aggregate: ``Level``, ``iCode``, ``Parent``, ``Direction`` 1/−1, ``Weight``, ``Type`` ∈ {Indicator,
Aggregate, Group, Denominator, Other}, optional ``iName``, ``Unit``, ``Target``, ``Denominator``).
:func:`planeval.composite.from_coinr` checks them by COINr's rules (``check_iData``,
``check_iMeta`` and the cross checks of ``new_coin``) and refuses bad input with
:class:`planeval.DataError` naming the table, the row (1-based, as a person counts the data rows)
and the column::

    iMeta row 5 (Bord), column Parent: "Physcal" is not the iCode of an Aggregate row

Differences from COINr's checks, on purpose: an ``iCode`` may contain spaces or start with a digit
(R's column-name restrictions do not apply); a column of ``iData`` ending in ``_group`` that
``iMeta`` does not list is taken as a group column (as COINr's example data name them); panel data
(several ``Time`` values) is not split into a "purse": choose one with ``time=``.

``pipeline="coinr"`` is COINr's example pipeline (``build_example_coin()``): denominate by
``iMeta$Denominator``, impute the group mean within ``use_group`` (the plain mean without one, as
COINr's ``Impute`` default), screen units with data availability below 0.9, treat outliers with
COINr's default (winsorise up to 5 points while |skew| ≥ 2 and kurtosis ≥ 3.5, else log),
normalise min-max to [0, 100], and aggregate by the weighted arithmetic mean with ``iMeta``'s
weights.
"""

from __future__ import annotations

import importlib
import math
import numbers
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from . import _core
from ._errors import located

if TYPE_CHECKING:
    import pandas as pd  # type: ignore[import-untyped, unused-ignore]

    from .composite import Composite

__all__ = ["COINR_PIPELINE", "TYPES", "composite_arguments", "to_coinr"]


class _TextInData(_core.DataError, _core.ArgumentTypeError):
    """Text where a composite's data must be numbers: a DataError (a data value) and an
    ArgumentTypeError (a TypeError: an argument of the wrong type, API conventions, item 3) at once.
    (Here rather than in composite.py, which imports this module, so that no import cycle forms.)"""


#: The values of iMeta's ``Type`` column.
TYPES = ("Indicator", "Aggregate", "Group", "Denominator", "Other")

#: COINr's example pipeline (``build_example_coin``) as Composite choices; ``imputation`` becomes
#: ``mean`` when no ``use_group`` is given, and denomination applies only where iMeta names a
#: denominator.
COINR_PIPELINE: dict[str, Any] = {
    "imputation": "group_mean",
    "screening": ("byNA", {"dat_thresh": 0.9}),
    "outliers": ("coinr", {"winmax": 5, "skew_thresh": 2.0, "kurt_thresh": 3.5}),
    "normalisation": "min_max",
    "output_range": (0.0, 100.0),
    "aggregation": "arithmetic",
}

_SPECIAL = ("uCode", "uName", "Time")
_REQUIRED_META = ("Level", "iCode", "Parent", "Direction", "Type", "Weight")


def _pandas() -> Any:
    return importlib.import_module("pandas")


def _missing(v: Any) -> bool:
    if v is None:
        return True
    if isinstance(v, float) and math.isnan(v):
        return True
    pdx = _pandas()
    return v is pdx.NA or v is pdx.NaT


def _number(v: Any) -> float | None:
    """A real number (bool excluded), else None."""
    if isinstance(v, bool) or isinstance(v, np.bool_) or not isinstance(v, numbers.Real):
        return None
    return float(v)


def _text(v: Any) -> str | None:
    return None if _missing(v) else str(v)


class _Where:
    """Builds located errors for one table: ``iMeta row 5 (Flights), column Parent: ...``."""

    def __init__(self, table: str, codes: Sequence[Any]) -> None:
        self.table = table
        self.codes = codes

    def error(
        self,
        message: str,
        row: int | None = None,
        column: str | None = None,
        kind: type[_core.DataError] = _core.DataError,
    ) -> _core.DataError:
        place = self.table
        if row is not None:
            code = self.codes[row] if row < len(self.codes) else None
            place += f" row {row + 1}" + (f" ({code})" if not _missing(code) else "")
        if column is not None:
            place += f", column {column}"
        return located(
            kind,
            f"{place}: {message}",
            row=None if row is None else row + 1,
            column=column,
            detail=message,
        )


def _check_meta(iMeta: Any) -> list[dict[str, Any]]:
    """The rows of iMeta as dicts of checked plain values (COINr's check_iMeta)."""
    pdx = _pandas()
    if not isinstance(iMeta, pdx.DataFrame):
        raise _core.ArgumentTypeError(f"iMeta: expected a pandas DataFrame, got {type(iMeta).__name__}")
    codes = [_text(v) for v in iMeta["iCode"].tolist()] if "iCode" in iMeta.columns else []
    where = _Where("iMeta", codes)
    absent = [c for c in _REQUIRED_META if c not in iMeta.columns]
    if absent:
        raise where.error(
            "missing the column(s) " + ", ".join(absent) + " (COINr's iMeta needs Level, iCode, Parent, "
            "Direction, Type, Weight)"
        )
    if iMeta.columns.duplicated().any():
        raise where.error(f"the column {iMeta.columns[iMeta.columns.duplicated()][0]!r} appears twice")
    rows: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for i, rec in enumerate(iMeta.to_dict("records")):
        code = _text(rec["iCode"])
        if code is None or code.strip() == "":
            raise where.error("iCode is missing (every row needs a code)", i, "iCode")
        if code in seen:
            raise where.error(f"iCode {code!r} repeats row {seen[code] + 1}", i, "iCode")
        seen[code] = i
        kind = _text(rec["Type"])
        if kind not in TYPES:
            raise where.error(f"Type must be one of {', '.join(TYPES)}, got {rec['Type']!r}", i, "Type")
        row: dict[str, Any] = {"i": i, "iCode": code, "Type": kind}
        in_index = kind in ("Indicator", "Aggregate")
        for col in ("Level", "Direction", "Weight"):
            v = rec[col]
            num = None if _missing(v) else _number(v)
            if not _missing(v) and num is None:
                raise where.error(f"{col} must be a number, got {v!r}", i, col)
            if num is not None and not math.isfinite(num):
                raise where.error(f"{col} must be finite, got {num!r}", i, col)
            if num is None and in_index:
                raise where.error(f"{col} is missing; every {kind} needs one", i, col)
            row[col] = num
        if row["Level"] is not None and (row["Level"] < 1 or row["Level"] != int(row["Level"])):
            raise where.error(f"Level must be a positive whole number, got {row['Level']:g}", i, "Level")
        if row["Level"] is not None:
            row["Level"] = int(row["Level"])
        if kind == "Indicator" and row["Level"] != 1:
            raise where.error(f"an Indicator is at Level 1, got Level {row['Level']}", i, "Level")
        if kind == "Aggregate" and row["Level"] < 2:
            raise where.error(f"an Aggregate is at Level 2 or higher, got Level {row['Level']}", i, "Level")
        if row["Direction"] is not None and row["Direction"] not in (1.0, -1.0):
            raise where.error(f"Direction must be 1 or -1, got {row['Direction']:g}", i, "Direction")
        if row["Weight"] is not None and row["Weight"] < 0:
            raise where.error(f"Weight must be 0 or more, got {row['Weight']:g}", i, "Weight")
        row["Parent"] = _text(rec["Parent"])
        if "iName" in rec:
            if _missing(rec["iName"]):
                raise where.error(
                    "iName is missing (when the column is given every row needs a name)", i, "iName"
                )
            row["iName"] = str(rec["iName"])
        if "Unit" in rec:
            row["Unit"] = _text(rec["Unit"])
        if "Target" in rec:
            t = rec["Target"]
            num = None if _missing(t) else _number(t)
            if not _missing(t) and (num is None or not math.isfinite(num)):
                raise where.error(f"Target must be a finite number, got {t!r}", i, "Target")
            if num is None and kind == "Indicator":
                raise where.error(
                    "Target is missing; when the column is given every Indicator needs one (COINr's rule: "
                    "remove the column if targets are not used)",
                    i,
                    "Target",
                )
            row["Target"] = num
        if "Denominator" in rec:
            row["Denominator"] = _text(rec["Denominator"])
        rows.append(row)

    by_code = {r["iCode"]: r for r in rows}
    levels = {r["Level"] for r in rows if r["Type"] in ("Indicator", "Aggregate")}
    if not levels:
        raise where.error("no row of Type Indicator")
    top = max(levels)
    for lev in range(1, top + 1):
        if lev not in levels:
            raise where.error(
                f"no Indicator or Aggregate at Level {lev} (levels run 1 to {top} without gaps)"
            )
    for r in rows:
        i, parent = r["i"], r["Parent"]
        if r["Type"] not in ("Indicator", "Aggregate"):
            continue
        if r["Level"] == top:
            if parent is not None:
                raise where.error(
                    f'Parent must be empty at the top Level {top} (the index has no parent), got "{parent}"',
                    i,
                    "Parent",
                )
            continue
        if parent is None:
            raise where.error(f"Parent is missing; only the top Level ({top}) has none", i, "Parent")
        p = by_code.get(parent)
        if p is None or p["Type"] != "Aggregate":
            raise where.error(f'Parent "{parent}" is not the iCode of an Aggregate row', i, "Parent")
        if p["Level"] != r["Level"] + 1:
            raise where.error(
                f'Parent "{parent}" is at Level {p["Level"]}, expected Level {r["Level"] + 1} '
                "(the level just above)",
                i,
                "Parent",
            )
    parents = {r["Parent"] for r in rows if r["Type"] in ("Indicator", "Aggregate")}
    for r in rows:
        if r["Type"] == "Aggregate" and r["iCode"] not in parents:
            raise where.error("this Aggregate has no children (no row names it as Parent)", r["i"], "iCode")
        d = r.get("Denominator")
        if d is not None:
            if r["Type"] != "Indicator":
                raise where.error(
                    f'Denominator "{d}" on a {r["Type"]} row; only indicators are denominated',
                    r["i"],
                    "Denominator",
                )
            dm = by_code.get(d)
            if dm is None or dm["Type"] != "Denominator":
                raise where.error(
                    f'Denominator "{d}" is not the iCode of a Denominator row', r["i"], "Denominator"
                )
    return rows


def _column_values(frame: Any, col: str, where: _Where) -> Any:
    """A float64 array of one iData column: numbers and missing values only (text refused with its row)."""
    pdx = _pandas()
    s = frame[col]
    if pdx.api.types.is_bool_dtype(s):
        raise where.error("expected numbers, got a column of true/false values", None, col)
    if pdx.api.types.is_numeric_dtype(s):
        out = s.to_numpy(dtype=np.float64, na_value=np.nan)
    else:
        out = np.empty(len(s), dtype=np.float64)
        for k, v in enumerate(s.tolist()):
            if _missing(v):
                out[k] = np.nan
                continue
            num = _number(v)
            if num is None:
                raise where.error(
                    f"expected a number or a missing value, got {type(v).__name__} {v!r}"
                    + (
                        "; numbers given as text are parsed by the readers (read_csv, read_excel)"
                        if isinstance(v, str)
                        else ""
                    ),
                    k,
                    col,
                    _TextInData,
                )
            out[k] = num
    bad = np.flatnonzero(np.isinf(out))
    if bad.size:
        raise where.error(
            f"expected a finite number or a missing value, got {out[bad[0]]:g}", int(bad[0]), col
        )
    return out


def composite_arguments(
    iData: pd.DataFrame,
    iMeta: pd.DataFrame,
    *,
    pipeline: str | None = "coinr",
    use_group: str | None = None,
    time: Any = None,
    exclude: Sequence[str] | None = None,
    **choices: Any,
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The data and the keyword arguments of the Composite that
    :func:`planeval.composite.from_coinr` builds from COINr's ``iData`` and ``iMeta`` (see there).
    Bad tables raise :class:`planeval.DataError` naming table, row and column."""
    pdx = _pandas()
    if not isinstance(iData, pdx.DataFrame):
        raise _core.ArgumentTypeError(f"iData: expected a pandas DataFrame, got {type(iData).__name__}")
    if pipeline not in ("coinr", None):
        raise _core.Error(f"pipeline: expected 'coinr' or None, got {pipeline!r}")
    meta = _check_meta(iMeta)
    if exclude is not None:
        if isinstance(exclude, str):
            exclude = [exclude]
        known = {r["iCode"] for r in meta}
        for code in exclude:
            if code not in known:
                raise _core.Error(f"exclude: {code!r} is not an iCode of iMeta")
        meta = _exclude(meta, set(exclude))

    # --- iData: the checks of check_iData and new_coin ---
    data = iData.reset_index(drop=True)
    where = _Where("iData", data["uCode"].tolist() if "uCode" in data.columns else [])
    if "uCode" not in data.columns:
        raise where.error("missing the column uCode (the unit codes)")
    if data.columns.duplicated().any():
        raise where.error(f"the column {data.columns[data.columns.duplicated()][0]!r} appears twice")
    for k, u in enumerate(data["uCode"].tolist()):
        if _missing(u) or not isinstance(u, str) or u.strip() == "":
            raise where.error(f"uCode must be a non-empty text, got {u!r}", k, "uCode")
    if "Time" in data.columns:
        times = _column_values(data, "Time", where)
        distinct = sorted({float(t) for t in times if not math.isnan(t)})
        if time is not None:
            keep = times == float(time)
            if not keep.any():
                raise _core.Error(f"time: no row of iData has Time {time!r} (it has {distinct})")
            data = data[keep].reset_index(drop=True)
            where = _Where("iData", data["uCode"].tolist())
        elif len(distinct) > 1:
            raise where.error(
                f"Time has {len(distinct)} values ({', '.join(f'{t:g}' for t in distinct)}): panel data; "
                "choose one period with time=... (COINr would split it into a purse of coins)",
                None,
                "Time",
            )
    elif time is not None:
        raise _core.Error("time: iData has no Time column")
    first: dict[str, int] = {}
    for k, u in enumerate(data["uCode"].tolist()):
        if u in first:
            raise where.error(
                f"uCode {u!r} repeats row {first[u] + 1} (unit codes must be unique)", k, "uCode"
            )
        first[u] = k
    if "uName" in data.columns:
        for k, v in enumerate(data["uName"].tolist()):
            if not _missing(v) and not isinstance(v, str):
                raise where.error(f"uName must be text, got {type(v).__name__} {v!r}", k, "uName")

    by_code = {r["iCode"]: r for r in meta}
    excluded = set(exclude or ())
    for col in data.columns:
        name = str(col)
        if name in _SPECIAL or name in excluded:
            continue
        r = by_code.get(name)
        if r is None:
            if name.endswith("_group"):
                continue  # a group column iMeta does not list
            raise where.error(
                "this column has no row in iMeta (every column but uCode, uName, Time needs one)", None, name
            )
        if r["Type"] == "Aggregate":
            raise where.error(
                "this column is an Aggregate in iMeta; aggregates are computed, not given", None, name
            )
    for r in meta:
        if r["Type"] != "Aggregate" and r["iCode"] not in data.columns:
            raise located(
                _core.DataError,
                f"iMeta row {r['i'] + 1} ({r['iCode']}): no column {r['iCode']!r} in iData "
                f"(every {r['Type']} row names a column of iData)",
                row=r["i"] + 1,
                column="iCode",
            )

    indicators = [r["iCode"] for r in meta if r["Type"] == "Indicator"]
    units = data["uCode"].tolist()
    order = sorted(range(len(units)), key=lambda k: units[k])  # COINr sorts the units by uCode
    index = pdx.Index([units[k] for k in order], name="uCode")
    values = {c: _column_values(data, c, where)[order] for c in indicators}
    frame = pdx.DataFrame(values, index=index, columns=indicators)

    denominated = {
        r["iCode"]: r["Denominator"]
        for r in meta
        if r["Type"] == "Indicator" and r.get("Denominator") is not None
    }
    denom_cols = sorted(set(denominated.values()), key=lambda c: by_code[c]["i"])
    denominators = (
        pdx.DataFrame({c: _column_values(data, c, where)[order] for c in denom_cols}, index=index)
        if denom_cols
        else None
    )
    group_cols = [
        str(c)
        for c in data.columns
        if (str(c) in by_code and by_code[str(c)]["Type"] == "Group")
        or (str(c) not in by_code and str(c).endswith("_group"))
    ]
    groups = None
    if use_group is not None:
        if use_group not in group_cols:
            raise _core.Error(
                f"use_group: {use_group!r} is not a group column of iData (Type Group in iMeta, or a name "
                f"ending in _group); the group columns are {group_cols}"
            )
        labels = data[use_group].tolist()
        for k, g in enumerate(labels):
            if _missing(g):
                raise where.error(
                    "the group is missing; group-mean imputation needs a group for every unit", k, use_group
                )
        groups = pdx.Series([labels[k] for k in order], index=index, name=use_group)

    kwargs: dict[str, Any] = {
        "hierarchy": {
            r["iCode"]: r["Parent"]
            for r in meta
            if r["Type"] in ("Indicator", "Aggregate") and r["Parent"] is not None
        },
        "weights": {r["iCode"]: r["Weight"] for r in meta if r["Type"] in ("Indicator", "Aggregate")},
        "directions": {c: ("lower" if by_code[c]["Direction"] < 0 else "higher") for c in indicators},
        "labels": {r["iCode"]: r.get("iName", r["iCode"]) for r in meta},
    }
    if any(by_code[c].get("Target") is not None for c in indicators):
        kwargs["targets"] = {
            c: by_code[c]["Target"] for c in indicators if by_code[c].get("Target") is not None
        }
    if denominators is not None:
        kwargs["denominators"] = denominators
        kwargs["denominate_by"] = denominated
    if groups is not None:
        kwargs["groups"] = groups
    if pipeline == "coinr":
        kwargs.update(COINR_PIPELINE)
        if groups is None:
            kwargs["imputation"] = "mean"
        if denominators is None:
            kwargs.pop("denominate_by", None)
    kwargs.update(choices)
    return frame, kwargs


def _exclude(meta: list[dict[str, Any]], drop: set[str]) -> list[dict[str, Any]]:
    """iMeta rows without ``drop`` and without the aggregates left with no children (repeatedly)."""
    rows = [r for r in meta if r["iCode"] not in drop]
    while True:
        parents = {r["Parent"] for r in rows}
        childless = [r for r in rows if r["Type"] == "Aggregate" and r["iCode"] not in parents]
        if not childless:
            return rows
        gone = {r["iCode"] for r in childless}
        rows = [r for r in rows if r["iCode"] not in gone]


def to_coinr(composite: Composite) -> tuple[pd.DataFrame, pd.DataFrame]:
    """COINr's ``(iData, iMeta)`` for a composite: the data with ``uCode`` (the units), the group
    column (``Group_group`` when the composite has groups), the denominators; iMeta with Level
    (indicators 1, each node one above its highest child), iCode, iName, Direction, Weight, Parent,
    Type, Target and Denominator. ``new_coin(iData, iMeta)`` in R accepts them."""
    pdx = _pandas()
    c = composite
    cols = c.indicators()
    h = c._hierarchy()
    nodes = c.nodes()
    weights = dict(c.weights or {})
    labels = dict(c.labels or {})
    level: dict[str, int] = {k: 1 for k in cols}
    changed = True
    while changed:  # each node one level above its highest child
        changed = False
        for child, parent in h.items():
            want = level.get(child, 1) + 1
            if level.get(parent, 0) < want:
                level[parent] = want
                changed = True
    spec = c.spec()
    direction = {ind["id"]: (-1 if ind["direction"] == "lower" else 1) for ind in spec["indicators"]}
    targets = {ind["id"]: ind["target"] for ind in spec["indicators"]}
    denominate_by = dict(c.denominate_by or {})
    data = pdx.DataFrame({"uCode": [str(u) for u in c.units()]})
    meta_rows: list[dict[str, Any]] = []
    if c.groups is not None:
        data["Group_group"] = [c.groups[u] for u in c.units()]
        meta_rows.append({"iCode": "Group_group", "iName": "Group", "Type": "Group"})
    if c.denominators is not None:
        for d in c.denominators.columns:
            data[str(d)] = c.denominators[d].reindex(c.data.index).to_numpy(dtype=np.float64)
            meta_rows.append({"iCode": str(d), "iName": labels.get(str(d), str(d)), "Type": "Denominator"})
    for k in cols:
        data[k] = c.data[k].to_numpy(dtype=np.float64, na_value=np.nan)
    ind_rows = [
        {
            "Level": 1,
            "iCode": k,
            "iName": labels.get(k, k),
            "Direction": direction[k],
            "Weight": float(weights.get(k, 1.0)),
            "Parent": h[k],
            "Type": "Indicator",
            "Target": targets[k],
            "Denominator": denominate_by.get(k),
        }
        for k in cols
    ]
    agg_rows = [
        {
            "Level": level[n],
            "iCode": n,
            "iName": labels.get(n, n),
            "Direction": 1,
            "Weight": float(weights.get(n, 1.0)),
            "Parent": h.get(n),
            "Type": "Aggregate",
        }
        for n in sorted(nodes, key=lambda n: level[n])
    ]
    meta = pdx.DataFrame(
        ind_rows + agg_rows + meta_rows,
        columns=["Level", "iCode", "iName", "Direction", "Weight", "Parent", "Type", "Target", "Denominator"],
    )
    if all(math.isnan(t) for t in targets.values()):
        meta = meta.drop(columns="Target")
    return data, meta
