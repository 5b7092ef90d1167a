"""Analysis tools for composites, reproducing COINr 1.1.14 (the JRC's toolkit): effective weights
(get_eff_weights), Cronbach's alpha (get_cronbach), the indicator statistics table (get_stats),
correlations (stats::cor with pairwise complete observations, get_corr) and Pearson p-values
(get_pvals), the outranking matrix and Copeland scores (outrankMatrix, a_copeland), strengths and
weaknesses of a unit (get_str_weak). The maths is C++ (planeval/composite/analysis.hpp, whose file
comment states COINr's conventions kept); this module takes and returns pandas objects labelled by
unit and indicator.

Every function takes either a :class:`planeval.composite.CompositeResult` or a numeric DataFrame
(units x columns, NaN or None missing). From a result, the data are COINr's: the normalised
indicators (``result.normalised``), joined by the node scores (``result.scores``, COINr's
"Aggregated" data set) where a function looks at nodes too (cronbach_alpha of a node's children,
correlations, correlation_pvalues).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from . import _core

if TYPE_CHECKING:
    import pandas as pd  # type: ignore[import-untyped, unused-ignore]

    from .composite import CompositeResult

__all__ = [
    "Outranking",
    "copeland",
    "correlation_pvalues",
    "correlations",
    "cronbach_alpha",
    "effective_weights",
    "indicator_stats",
    "outranking",
    "parent_correlations",
    "strengths_weaknesses",
]


def _pandas() -> Any:
    import pandas

    return pandas


def _is_result(values: object) -> bool:
    return hasattr(values, "tree") and hasattr(values, "normalised") and hasattr(values, "scores")


def _tree_parts(result: Any) -> tuple[list[str], list[str], Any]:
    """(node ids, indicator ids, the tree dict) of a CompositeResult."""
    tree = result.tree
    return list(tree["node_ids"]), list(result.normalised.columns), tree


def _aggregated(result: Any) -> pd.DataFrame:
    """COINr's "Aggregated" data set: the normalised indicators and every node's score."""
    pdx = _pandas()
    return pdx.concat([result.normalised, result.scores.loc[result.normalised.index]], axis=1)


def _numeric(frame: Any, where: str) -> np.ndarray[Any, np.dtype[np.float64]]:
    """A float64 units x columns matrix of `frame`; text raises TypeError, ±inf DataError, naming
    the column (and the unit)."""
    pdx = _pandas()
    if not isinstance(frame, pdx.DataFrame):
        raise _core.ArgumentTypeError(
            f"{where}: expected a pandas DataFrame or a CompositeResult, got {type(frame).__name__}"
        )
    out = np.empty((len(frame), frame.shape[1]), dtype=np.float64)
    for j, col in enumerate(frame.columns):
        series = frame.iloc[:, j]
        if not pdx.api.types.is_numeric_dtype(series.dtype):
            for unit, v in series.items():
                if isinstance(v, (str, bytes)):
                    raise _core.ArgumentTypeError(
                        f"{where}[{col!r}] (unit {unit!r}): expected a number or NaN (missing), "
                        f"got text {v!r}"
                    )
        try:
            out[:, j] = series.to_numpy(dtype=np.float64, na_value=np.nan)
        except (TypeError, ValueError) as exc:
            raise _core.ArgumentTypeError(f"{where}[{col!r}]: expected numbers: {exc}") from None
    bad = np.argwhere(np.isinf(out))
    if bad.size:
        u, j = (int(v) for v in bad[0])
        raise _core.DataError(
            f"{where}[{frame.columns[j]!r}] (unit {frame.index[u]!r}): expected a finite number or NaN "
            f"(missing), got {out[u, j]}"
        )
    return out


def _select(frame: pd.DataFrame, columns: Sequence[str] | None, where: str) -> pd.DataFrame:
    if columns is None:
        return frame
    if isinstance(columns, str):
        raise _core.ArgumentTypeError(f"{where}: expected a sequence of column names, got a str")
    absent = [c for c in columns if c not in frame.columns]
    if absent:
        raise _core.Error(f"{where}: {absent[0]!r} is not a column ({', '.join(map(str, frame.columns))})")
    return frame[list(columns)]


# --- effective weights ---------------------------------------------------------------------------


def effective_weights(result: CompositeResult) -> pd.DataFrame:
    """COINr's ``get_eff_weights``: per node and indicator (rows: nodes in tree order, then the
    indicators), its ``parent``, its ``weight`` and its ``effective_weight``: the weight's share among
    its siblings times the parent's effective weight (the root's is 1)."""
    pdx = _pandas()
    nodes, indicators, tree = _tree_parts(result)
    node_eff, ind_eff = _core._effective_weights(
        np.asarray(tree["node_parent"], dtype=np.int64),
        np.asarray(tree["node_weight"], dtype=np.float64),
        np.asarray(tree["indicator_parent"], dtype=np.int64),
        np.asarray(tree["indicator_weight"], dtype=np.float64),
    )
    parents = [nodes[p] if p >= 0 else None for p in tree["node_parent"]]
    parents += [nodes[p] for p in tree["indicator_parent"]]
    frame = pdx.DataFrame(
        {
            "parent": pdx.Series(parents, dtype=object),
            "weight": np.concatenate([tree["node_weight"], tree["indicator_weight"]]),
            "effective_weight": np.concatenate([node_eff, ind_eff]),
        }
    )
    frame.index = pdx.Index(nodes + indicators, name="id")
    return frame


# --- Cronbach's alpha ----------------------------------------------------------------------------


def _children(result: Any, node: str) -> list[str]:
    nodes, indicators, tree = _tree_parts(result)
    if node not in nodes:
        raise _core.Error(f"node: {node!r} is not a node of the composite ({', '.join(nodes)})")
    c = nodes.index(node)
    kids = [ind for ind, p in zip(indicators, tree["indicator_parent"]) if int(p) == c]
    kids += [n for n, p in zip(nodes, tree["node_parent"]) if int(p) == c]
    return kids


def cronbach_alpha(
    values: CompositeResult | pd.DataFrame, node: str | None = None, *, columns: Sequence[str] | None = None
) -> float:
    """Cronbach's alpha (COINr's ``get_cronbach``) of the children of ``node`` (a result: normalised
    indicators and node scores), or of ``columns`` / every column of a DataFrame. Covariances over
    pairwise complete observations, as COINr (``use = "pairwise.complete.obs"``)."""
    if _is_result(values):
        frame = _aggregated(values)
        if node is not None:
            if columns is not None:
                raise _core.Error("cronbach_alpha: give node or columns, not both")
            columns = _children(values, node)
    else:
        frame = values
        if node is not None:
            raise _core.Error("cronbach_alpha: node needs a CompositeResult; pass columns= with a DataFrame")
    frame = _select(frame, columns, "columns")
    return float(_core._cronbach_alpha(_numeric(frame, "values")))


# --- statistics ----------------------------------------------------------------------------------


def indicator_stats(
    values: CompositeResult | pd.DataFrame,
    *,
    t_skew: float = 2.0,
    t_kurt: float = 3.5,
    t_avail: float = 0.65,
    t_zero: float = 0.5,
    t_unq: float = 0.5,
    sd: str = "sample",
) -> pd.DataFrame:
    """COINr's ``get_stats``, one row per column (a result: its normalised indicators): min, max,
    mean, median, sd (``sd="sample"``, n - 1, COINr's; or ``"population"``), skew (G1) and kurtosis
    (excess G2, as COINr's skew/kurt); n_available, n_nonzero, n_unique, n_same (the most frequent
    value's count); share_available (of units), share_nonzero, share_unique, share_same (of the
    values present); COINr's flags as "ok" / "LOW" / "OUT": flag_available (share_available <
    t_avail), flag_nonzero (non-zeros / units < t_zero), flag_unique (unique values / units < t_unq),
    flag_skew_kurt ("OUT" when |skew| > t_skew and kurtosis > t_kurt; None when unknown). From a
    result two more columns: corr_parent and corr_index, the Pearson correlation of the normalised
    indicator with its parent's score and with the index (COINr's get_corr withparent)."""
    pdx = _pandas()
    result = values if _is_result(values) else None
    frame: pd.DataFrame = values.normalised if result is not None else values
    thresholds = {"t_skew": t_skew, "t_kurt": t_kurt, "t_avail": t_avail, "t_zero": t_zero, "t_unq": t_unq}
    for name, t in thresholds.items():
        if not isinstance(t, (int, float)) or isinstance(t, bool):
            raise _core.ArgumentTypeError(f"{name}: expected a number, got {type(t).__name__}")
    st = _core._indicator_stats(
        _numeric(frame, "values"),
        t_skew=t_skew,
        t_kurt=t_kurt,
        t_avail=t_avail,
        t_zero=t_zero,
        t_unq=t_unq,
        sd=sd,
    )
    table: dict[str, Any] = dict(st)
    out = pdx.DataFrame({k: table[k] for k in ("min", "max", "mean", "median", "sd", "skew", "kurtosis")})
    for k in ("n_available", "n_nonzero", "n_unique", "n_same"):
        out[k] = np.asarray(table[k], dtype=np.int64)
    for k in ("share_available", "share_nonzero", "share_unique", "share_same"):
        out[k] = table[k]
    flags = {"low_available": "flag_available", "low_nonzero": "flag_nonzero", "low_unique": "flag_unique"}
    for k, flag in flags.items():
        out[flag] = ["LOW" if v else "ok" for v in table[k]]
    out["flag_skew_kurt"] = pdx.Series(
        [None if math.isnan(v) else ("OUT" if v else "ok") for v in st["outlier"]], dtype=object
    )
    out.index = pdx.Index(list(frame.columns), name="indicator")
    if result is not None:
        pc = parent_correlations(result)
        out["corr_parent"] = pc["corr_parent"].reindex(out.index)
        out["corr_index"] = pc["corr_index"].reindex(out.index)
    return out


# --- correlations --------------------------------------------------------------------------------


def correlations(
    values: CompositeResult | pd.DataFrame,
    method: str = "pearson",
    *,
    columns: Sequence[str] | None = None,
    pval: float | None = None,
) -> pd.DataFrame:
    """The correlation matrix (R's ``cor(use = "pairwise.complete.obs")``, COINr's ``get_corr``) of
    the columns (a result: normalised indicators and node scores): ``method`` "pearson", "spearman"
    (average ranks of the common units) or "kendall" (tau-b). NaN for a pair with fewer than 2 common
    values or a constant column. ``pval``: correlations whose p-value
    (:func:`correlation_pvalues`) exceeds it become NaN, as COINr's get_corr does with its default
    ``pval = 0.05``; None (the default here) keeps every correlation."""
    pdx = _pandas()
    frame = _select(_aggregated(values) if _is_result(values) else values, columns, "columns")
    if not isinstance(method, str):
        raise _core.ArgumentTypeError(f"method: expected a str, got {type(method).__name__}")
    matrix = _numeric(frame, "values")
    m = _core._correlation_matrix(matrix, method.lower())
    if pval is not None:
        if isinstance(pval, bool) or not isinstance(pval, (int, float)):
            raise _core.ArgumentTypeError(f"pval: expected a number, got {type(pval).__name__}")
        if not 0 <= pval <= 1:
            raise _core.Error(f"pval: expected a number between 0 and 1, got {pval}")
        p = _core._correlation_pvalues(matrix, method.lower())
        m[p > pval] = math.nan
    return pdx.DataFrame(m, index=frame.columns, columns=frame.columns)


def correlation_pvalues(
    values: CompositeResult | pd.DataFrame, method: str = "pearson", *, columns: Sequence[str] | None = None
) -> pd.DataFrame:
    """Two-sided p-values of the correlations (COINr's ``get_pvals``, R's ``cor.test`` over the common
    units); 0 on the diagonal. "pearson": Student's t with n - 2 degrees of freedom (NaN below 3
    common values, where cor.test stops with an error); "kendall": cor.test's default, exact below 50
    common values without ties, else the normal approximation corrected for ties; "spearman":
    cor.test's default, AS 89 without ties (exact up to 9 common values, an Edgeworth series above),
    the t approximation with ties."""
    pdx = _pandas()
    frame = _select(_aggregated(values) if _is_result(values) else values, columns, "columns")
    if not isinstance(method, str):
        raise _core.ArgumentTypeError(f"method: expected a str, got {type(method).__name__}")
    m = _core._correlation_pvalues(_numeric(frame, "values"), method.lower())
    return pdx.DataFrame(m, index=frame.columns, columns=frame.columns)


def parent_correlations(result: CompositeResult, method: str = "pearson") -> pd.DataFrame:
    """Per indicator and per node other than the root: its ``parent``, the correlation of its
    values (normalised indicator or node score) with its parent's score (``corr_parent``) and with
    the index (``corr_index``), over the units where both are present (COINr's get_corr with
    withparent)."""
    pdx = _pandas()
    nodes, indicators, tree = _tree_parts(result)
    frame = _aggregated(result)
    root = nodes[int(tree["root"])]
    ids = [n for n in nodes if n != root] + indicators
    parents = [nodes[int(p)] for n, p in zip(nodes, tree["node_parent"]) if n != root]
    parents += [nodes[int(p)] for p in tree["indicator_parent"]]
    cols = list(dict.fromkeys([*ids, root]))
    m = correlations(frame[cols], method)
    out = pdx.DataFrame(
        {
            "parent": pdx.Series(parents, dtype=object),
            "corr_parent": [float(m.at[i, p]) for i, p in zip(ids, parents)],
            "corr_index": [float(m.at[i, root]) for i in ids],
        }
    )
    out.index = pdx.Index(ids, name="id")
    return out


# --- outranking and Copeland ---------------------------------------------------------------------


class Outranking(NamedTuple):
    """The outranking matrix of the units (``matrix``: the weight of the columns where the row's
    unit beats the column's, ties half; COINr's outrankMatrix), the ``copeland`` scores (the row
    sums of sign(matrix - 1/2), COINr's a_copeland), the entries equal to 1 (``n_dominant``) and
    their share of the unit pairs (``frac_dominant``)."""

    matrix: pd.DataFrame
    copeland: pd.Series
    n_dominant: int
    frac_dominant: float


def _weights_for(values: Any, frame: pd.DataFrame, weights: Any) -> Any:
    if weights is None:
        if _is_result(values):
            _, indicators, tree = _tree_parts(values)
            w = dict(zip(indicators, np.asarray(tree["indicator_weight"], dtype=np.float64)))
            return np.asarray([w[c] for c in frame.columns], dtype=np.float64)
        return None
    if isinstance(weights, Mapping):
        absent = [c for c in frame.columns if c not in weights]
        if absent:
            raise _core.Error(f"weights: no weight for column {absent[0]!r}")
        return np.asarray([weights[c] for c in frame.columns], dtype=np.float64)
    if isinstance(weights, str):
        raise _core.ArgumentTypeError("weights: expected numbers or a mapping of column to weight, got a str")
    return weights


def outranking(
    values: CompositeResult | pd.DataFrame,
    weights: Mapping[str, float] | Sequence[float] | None = None,
    *,
    columns: Sequence[str] | None = None,
) -> Outranking:
    """COINr's ``outrankMatrix`` and ``a_copeland`` over the columns (a result: its normalised
    indicators, weighted by the indicators' weights unless ``weights`` is given; a DataFrame: equal
    weights). Weights are divided by their sum. A column where either unit is missing counts for
    neither, and the matrix is filled as COINr does (M[j, i] = 1 - M[i, j] for i < j)."""
    pdx = _pandas()
    base = values.normalised if _is_result(values) else values
    frame = _select(base, columns, "columns")
    w = _weights_for(values, frame, weights)
    m, cop, n_dom, frac = _core._outranking_matrix(_numeric(frame, "values"), w)
    return Outranking(
        pdx.DataFrame(m, index=frame.index, columns=frame.index),
        pdx.Series(cop, index=frame.index, name="copeland"),
        int(n_dom),
        float(frac),
    )


def copeland(
    values: CompositeResult | pd.DataFrame,
    weights: Mapping[str, float] | Sequence[float] | None = None,
    *,
    columns: Sequence[str] | None = None,
) -> pd.Series:
    """Copeland scores per unit (COINr's ``a_copeland``): :func:`outranking`'s ``copeland``."""
    return outranking(values, weights, columns=columns).copeland


# --- strengths and weaknesses --------------------------------------------------------------------


def _direction(value: object, col: str) -> float:
    if value in ("higher", 1, 1.0):
        return 1.0
    if value in ("lower", -1, -1.0):
        return -1.0
    raise _core.Error(f"directions[{col!r}]: expected 'higher', 'lower', 1 or -1, got {value!r}")


def strengths_weaknesses(
    values: CompositeResult | pd.DataFrame,
    unit: Any,
    *,
    top: int = 5,
    bottom: int = 5,
    directions: Mapping[str, str | float] | None = None,
    groups: Mapping[Any, Any] | pd.Series | None = None,
    min_discard: bool = True,
    unique_discard: float | None = None,
    parents: Mapping[str, str] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """COINr's ``get_str_weak``: the ``top`` indicators where ``unit`` ranks best and the ``bottom``
    where it ranks worst (a result: its normalised indicators, already direction-adjusted; a
    DataFrame: pass ``directions`` ("higher"/"lower" or +1/-1 per column) to rank lower-is-better
    columns reversed, as COINr does for raw data). Ranks: 1 = highest, ties min, within the unit's
    group if ``groups`` (unit -> group) is given. The unit's missing values are left out and, with
    ``min_discard``, the columns where it has the column's largest rank; ``unique_discard`` keeps
    only columns whose share of distinct values (missing counted once) exceeds it. Ties of rank keep
    the column order. Returns (strengths, weaknesses), each with columns ``indicator``, ``parent``
    (from the result's tree or ``parents``; None when unknown), ``rank``, ``value`` (the unit's
    value as given); weaknesses in increasing rank (the worst last)."""
    pdx = _pandas()
    frame: pd.DataFrame = values.normalised if _is_result(values) else values
    parent_of: dict[str, Any] = dict(parents) if parents is not None else {}
    if _is_result(values) and parents is None:
        nodes, indicators, tree = _tree_parts(values)
        parent_of = {i: nodes[int(p)] for i, p in zip(indicators, tree["indicator_parent"])}
    matrix = _numeric(frame, "values")
    if unit not in frame.index:
        raise _core.Error(f"unit: {unit!r} is not a unit of the data")
    row = frame.index.get_loc(unit)
    if not isinstance(row, int):
        raise _core.Error(f"unit: {unit!r} appears more than once in the data")
    for name, n in (("top", top), ("bottom", bottom)):
        if not isinstance(n, (int, np.integer)) or isinstance(n, bool):
            raise _core.ArgumentTypeError(f"{name}: expected an int, got {type(n).__name__}")
    dirs = None
    if directions is not None:
        absent = [c for c in frame.columns if c not in directions]
        if absent:
            raise _core.Error(f"directions: no direction for column {absent[0]!r}")
        dirs = np.asarray([_direction(directions[c], str(c)) for c in frame.columns], dtype=np.float64)
    codes = None
    if groups is not None:
        labels: dict[Any, int] = {}
        codes = []
        for u in frame.index:
            try:
                g = groups[u]
            except KeyError:
                raise _core.Error(f"groups: no group for unit {u!r}") from None
            codes.append(labels.setdefault(g, len(labels)))
    (s_ind, s_rank), (w_ind, w_rank) = _core._strengths_weaknesses(
        matrix,
        int(row),
        top=int(top),
        bottom=int(bottom),
        directions=dirs,
        groups=codes,
        min_discard=bool(min_discard),
        unique_discard=math.nan if unique_discard is None else float(unique_discard),
    )

    def table(ind: Any, rank: Any) -> pd.DataFrame:
        cols = [frame.columns[int(j)] for j in ind]
        return pdx.DataFrame(
            {
                "indicator": pdx.Series(cols, dtype=object),
                "parent": pdx.Series([parent_of.get(c) for c in cols], dtype=object),
                "rank": np.asarray(rank, dtype=np.int64),
                "value": [float(matrix[row, int(j)]) for j in ind],
            }
        )

    return table(s_ind, s_rank), table(w_ind, w_rank)
