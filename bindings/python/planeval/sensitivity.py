"""Uncertainty and sensitivity analysis (implemented in C++, planeval._core).

Two tools:

- :func:`indices`: variance-based (Sobol') sensitivity indices of any vectorised Python model, from
  Saltelli's sampling design: first-order indices by the Saltelli et al. (2010) estimator and total
  indices by Jansen's (1999) (Saltelli et al. 2010, Computer Physics Communications 181:259-270,
  Table 2), with optional bootstrap confidence intervals::

      >>> import numpy as np
      >>> from planeval import sensitivity
      >>> res = sensitivity.indices(lambda x: x[:, 0] + 2 * x[:, 1], 2, n=4096, seed=1)
      >>> [round(v, 1) for v in res.total]        # analytic 1/5 and 4/5
      [0.2, 0.8]

- :func:`rank_uncertainty`: Monte Carlo rank uncertainty of a composite index over the choices a
  reviewer could contest (weight noise, normalisation/imputation variant, aggregation method,
  dropping one indicator), with the Sobol' indices of the mean absolute rank shift. The C++ run
  is multi-threaded, releases the GIL, shows a progress bar on stderr for long runs and stops
  promptly on Ctrl-C (KeyboardInterrupt).

Random draws come from splitmix64 used as a counter-based stream (draw i of seed s is the
(i+1)-th output of splitmix64 seeded with s, top 53 bits / 2**53): results are reproducible for a
seed and identical for any number of threads. ``sampling="sobol"`` uses quasi-random Sobol' points
instead (:func:`sobol_points`: Joe & Kuo's 2008 direction numbers, the points of
``scipy.stats.qmc.Sobol(d, scramble=False)``). Percentiles are numpy's default ("linear").

The composite (:mod:`planeval.composite`) and :func:`rank_uncertainty` share one C++ engine: one
hierarchy, one power-mean kernel with one zero policy (``zeros``), one ranking (min ranks, 1 =
highest), so the nominal run is the composite's index, exactly.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Callable, Union

import numpy as np
import numpy.typing as npt

from ._core import (
    ArgumentTypeError,
    CancelledError,
    _rank_uncertainty,
    _saltelli_sample,
    _sobol_indices,
    _sobol_points,
    _uncertainty_layout,
    _uniform_draws,
)
from ._core import (
    DataError as _DataError,
)
from ._core import (
    Error as _Error,
)
from ._pickling import Versioned

__all__ = [
    "AGGREGATION_METHODS",
    "VARY",
    "ZERO_POLICIES",
    "CancelledError",
    "RankUncertainty",
    "SobolIndices",
    "draw_columns",
    "indices",
    "rank_uncertainty",
    "saltelli_sample",
    "sobol_indices",
    "sobol_points",
    "uniform_draws",
]

FloatArray = npt.NDArray[np.float64]
Aggregation = Union[str, tuple[str, float]]
#: The aggregation methods (the names of the composite core).
AGGREGATION_METHODS = ("arithmetic", "geometric", "harmonic", "generalised")
#: What rank_uncertainty can vary.
VARY = ("weights", "variant", "aggregation", "drop_indicator")
#: What a geometric, harmonic or p < 0 mean does with a 0: "error" (DataError naming node, unit and
#: child) or "limit" (the mean's limit, 0).
ZERO_POLICIES = ("error", "limit")


LevelNoise = Union[Mapping[int, float], Sequence[tuple[int, float]]]


def _level_noise(weight_noise_levels: LevelNoise | None) -> list[tuple[int, float]]:
    """[(level, noise)] from a {level: noise} mapping or (level, noise) pairs (COINr's noise_specs)."""
    if weight_noise_levels is None:
        return []
    items = weight_noise_levels.items() if isinstance(weight_noise_levels, Mapping) else weight_noise_levels
    out: list[tuple[int, float]] = []
    for i, item in enumerate(items):
        level, noise = item
        if isinstance(level, bool) or not isinstance(level, (int, np.integer)):
            raise ArgumentTypeError(
                f"weight_noise_levels[{i}]: expected an int level, got {type(level).__name__}"
            )
        out.append((int(level), float(noise)))
    return out


def uniform_draws(rows: int, cols: int, seed: int, first: int = 0) -> FloatArray:
    """``rows`` x ``cols`` uniforms in [0, 1): element (i, j) is draw ``first + i*cols + j`` of the
    splitmix64 stream ``seed`` (the stream rank_uncertainty and indices use)."""
    out: FloatArray = _uniform_draws(rows, cols, seed, first)
    return out


def sobol_points(n: int, d: int, first: int = 0) -> FloatArray:
    """Points ``first`` .. ``first + n - 1`` of the d-dimensional Sobol' sequence, (n, d): Joe & Kuo's
    (2008) direction numbers, 30 bits, unscrambled, the points of ``scipy.stats.qmc.Sobol(d,
    scramble=False)`` (point 0 is the origin); d up to 1024."""
    out: FloatArray = _sobol_points(first, n, d)
    return out


def saltelli_sample(
    n: int, k: int, seed: int = 0, *, sampling: str = "pseudo"
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Saltelli's design on the unit cube: ``A`` (n, k), ``B`` (n, k) and ``AB`` (k, n, k), where
    ``AB[i]`` is A with column i taken from B. Row r of A is draws r*2k .. r*2k+k-1, of B the next k;
    with ``sampling="sobol"`` row r of [A | B] is the 2k-dimensional Sobol' point r + 1 (the origin
    skipped; ``seed`` unused)."""
    a, b, ab = _saltelli_sample(n, k, seed, sampling)
    return a, b, ab


class SobolIndices(Versioned):
    """First-order and total Sobol' indices, with bootstrap intervals when requested.

    ``first_order`` and ``total`` are lists (one value per input, in ``names`` order); ``*_low`` and
    ``*_high`` the bounds of the ``confidence`` intervals (empty without bootstrap); ``variance``
    the output variance V. ``to_frame()`` gives a pandas DataFrame (inputs x columns)."""

    def __init__(self, names: list[str], raw: dict[str, Any], confidence: float | None) -> None:
        self.names = names
        self.n: int = int(raw["n"])
        self.mean: float = float(raw["mean"])
        self.variance: float = float(raw["variance"])
        self.first_order: list[float] = [float(v) for v in raw["first_order"]]
        self.total: list[float] = [float(v) for v in raw["total"]]
        self.first_order_low: list[float] = [float(v) for v in raw["first_order_low"]]
        self.first_order_high: list[float] = [float(v) for v in raw["first_order_high"]]
        self.total_low: list[float] = [float(v) for v in raw["total_low"]]
        self.total_high: list[float] = [float(v) for v in raw["total_high"]]
        self.confidence = confidence

    def to_dict(self) -> dict[str, dict[str, float]]:
        """``{input: {"first_order": ..., "total": ..., [bounds]}}``."""
        out: dict[str, dict[str, float]] = {}
        for i, name in enumerate(self.names):
            row = {"first_order": self.first_order[i], "total": self.total[i]}
            if self.first_order_low:
                row.update(
                    first_order_low=self.first_order_low[i],
                    first_order_high=self.first_order_high[i],
                    total_low=self.total_low[i],
                    total_high=self.total_high[i],
                )
            out[name] = row
        return out

    def to_frame(self) -> Any:
        """A pandas DataFrame indexed by input (requires pandas)."""
        import pandas as pd  # type: ignore[import-untyped, unused-ignore]

        return pd.DataFrame.from_dict(self.to_dict(), orient="index")

    def __repr__(self) -> str:
        parts = ", ".join(
            f"{name}: S={s:.4f} ST={t:.4f}" for name, s, t in zip(self.names, self.first_order, self.total)
        )
        return f"SobolIndices(n={self.n}, {parts})"


def sobol_indices(
    ya: npt.ArrayLike,
    yb: npt.ArrayLike,
    yab: npt.ArrayLike,
    *,
    names: Sequence[str] | None = None,
    bootstrap: int = 0,
    confidence: float = 0.95,
    seed: int = 0,
) -> SobolIndices:
    """Sobol' indices from model outputs on Saltelli's design (see :func:`saltelli_sample`):
    ``ya`` = f(A) and ``yb`` = f(B) (n each), ``yab`` = f(AB_i) as a (k, n) array. First order by
    Saltelli et al. (2010) on outputs centred on the mean of f(A) and f(B), total by Jansen (1999),
    V the population variance of f(A) and f(B) together; ``bootstrap`` > 0 resamples the n rows
    (stream ``seed``) for percentile intervals at ``confidence``."""
    ab = np.asarray(yab, dtype=np.float64)
    n = np.asarray(ya).shape[0]
    k = ab.size // n if n else 0
    raw = _sobol_indices(ya, yb, ab.reshape(-1), bootstrap, confidence, seed)
    if names is None:
        names = [f"x{i + 1}" for i in range(k)]
    elif len(names) != k:
        raise _Error(f"names: expected {k} names, got {len(names)}")
    return SobolIndices(list(names), raw, confidence if bootstrap > 0 else None)


def indices(
    model: Callable[[FloatArray], Any],
    bounds_or_k: int | Sequence[tuple[float, float]],
    n: int = 1024,
    seed: int = 0,
    *,
    names: Sequence[str] | None = None,
    bootstrap: int = 0,
    confidence: float = 0.95,
    sampling: str = "pseudo",
) -> SobolIndices:
    """Sobol' indices of ``model`` by Saltelli's design (``sampling``: "pseudo" random or "sobol"
    quasi-random points, see :func:`saltelli_sample`).

    ``model`` is called once with a float64 array of shape (n*(k+2), k) — the rows of A, B and
    AB_0 .. AB_k-1 stacked — and must return one value per row. ``bounds_or_k`` is the number of
    inputs k (each uniform on [0, 1)) or a list of (low, high) per input (uniform on [low, high)).
    ``bootstrap`` > 0 adds percentile intervals at ``confidence`` from that many resamples (their
    rows drawn from the stream ``seed + 1``). Returns a :class:`SobolIndices`.
    """
    if isinstance(bounds_or_k, (int, np.integer)):
        k = int(bounds_or_k)
        lo = np.zeros(k)
        hi = np.ones(k)
    else:
        b = np.asarray(bounds_or_k, dtype=np.float64)
        if b.ndim != 2 or b.shape[1] != 2:
            raise _Error(f"bounds_or_k: expected k or a list of (low, high) pairs, got shape {b.shape}")
        k = b.shape[0]
        lo, hi = b[:, 0], b[:, 1]
    if names is None:
        names = [f"x{i + 1}" for i in range(k)]
    elif len(names) != k:
        raise _Error(f"names: expected {k} names, got {len(names)}")
    a, bm, ab = saltelli_sample(n, k, seed, sampling=sampling)
    x = np.concatenate([a, bm, ab.reshape(k * n, k)]) * (hi - lo) + lo
    y = np.asarray(model(x), dtype=np.float64).reshape(-1)
    if y.shape[0] != n * (k + 2):
        raise _Error(f"model: expected {n * (k + 2)} outputs (one per row), got {y.shape[0]}")
    return sobol_indices(
        y[:n],
        y[n : 2 * n],
        y[2 * n :].reshape(k, n),
        names=names,
        bootstrap=bootstrap,
        confidence=confidence,
        seed=seed + 1,
    )


# --- composite rank uncertainty -----------------------------------------------------------------


class _ProgressBar:
    """A plain-text progress bar on stderr (tqdm when installed), shown once a run lasts over 1 s."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.start = time.monotonic()
        self.shown = False
        self.bar: Any = None

    def __call__(self, done: int, total: int) -> None:
        if not self.shown:
            if time.monotonic() - self.start < 1.0 or done >= total:
                return
            self.shown = True
            try:
                from tqdm import tqdm  # type: ignore[import-untyped, import-not-found, unused-ignore]

                self.bar = tqdm(total=total, desc=self.label, unit="run", file=sys.stderr)
            except ImportError:
                self.bar = None
        if self.bar is not None:
            self.bar.update(done - self.bar.n)
        else:
            pct = 100.0 * done / total if total else 100.0
            sys.stderr.write(
                f"\r{self.label}: {pct:5.1f}% ({done}/{total} runs, {time.monotonic() - self.start:.1f} s)"
            )
            sys.stderr.flush()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
        elif self.shown:
            sys.stderr.write("\n")
            sys.stderr.flush()


class RankUncertainty(Versioned):
    """The result of :func:`rank_uncertainty`.

    - ``ranks``: per unit ``nominal`` (rank with the base choices), ``mean``, ``median``, ``p05``,
      ``p95`` (numpy's linear percentiles over the replications), ``ranked`` (replications in which
      the unit had an index) and ``score`` (its nominal index) — a DataFrame indexed by unit when
      pandas is installed, else a dict of numpy arrays.
    - ``sensitivity``: per uncertain input ``first_order`` and ``total`` Sobol' indices of the mean
      absolute rank shift versus the nominal ranks (DataFrame or dict).
    - ``inputs``, ``units``, ``replications``, ``runs``, ``layout`` (draw columns), ``shift_a``,
      ``shift_b``, ``shift_ab`` (the output of every run), ``rank_matrix`` (with keep_ranks:
      replications x units, 0 = no rank), ``raw`` (everything as returned by the C++ core).
    """

    def __init__(self, raw: dict[str, Any], units: list[Any], nodes: list[str]) -> None:
        self.raw = raw
        self.units = units
        self.nodes = nodes
        self.replications: int = int(raw["replications"])
        self.runs: int = int(raw["runs"])
        self.layout: dict[str, Any] = raw["layout"]
        self.inputs: list[str] = list(self.layout["inputs"])
        self.shift_a: FloatArray = raw["shift_a"]
        self.shift_b: FloatArray = raw["shift_b"]
        self.shift_ab: FloatArray = raw["shift_ab"]
        self.rank_matrix: npt.NDArray[np.uint32] | None = raw["ranks"]
        cols = {
            "nominal": raw["nominal_rank"],
            "mean": raw["rank_mean"],
            "median": raw["rank_median"],
            "p05": raw["rank_p05"],
            "p95": raw["rank_p95"],
            "ranked": raw["ranked"],
            "score": raw["nominal_score"],
        }
        sens = {"first_order": raw["first_order"], "total": raw["total"]}
        try:
            import pandas as pd  # type: ignore[import-untyped, unused-ignore]
        except ImportError:  # pragma: no cover - pandas is optional
            self.ranks: Any = cols
            self.sensitivity: Any = dict(sens, input=np.array(self.inputs, dtype=object))
        else:
            self.ranks = pd.DataFrame(cols, index=pd.Index(units, name="unit"))
            index = self.inputs if len(sens["first_order"]) else []
            self.sensitivity = pd.DataFrame(sens, index=pd.Index(index, name="input"))

    def __repr__(self) -> str:
        return (
            f"RankUncertainty(units={len(self.units)}, replications={self.replications}, runs={self.runs}, "
            f"inputs={self.inputs})"
        )


def _numeric_matrix(x: Any, where: str) -> FloatArray:
    """float64 of numbers, NaN or None (missing); TypeError naming the position of a text, DataError
    naming the position of ±inf (API conventions 2 and 3)."""
    raw = np.asarray(x)
    if raw.dtype.kind in "OUSb":
        out = np.empty(raw.shape, dtype=np.float64)
        for pos, v in np.ndenumerate(raw):
            if v is None or v is getattr(sys.modules.get("pandas"), "NA", None):
                out[pos] = np.nan
            elif isinstance(v, (str, bytes, bool, np.bool_)) or not isinstance(v, (int, float, np.number)):
                at = ", ".join(str(i) for i in pos)
                raise ArgumentTypeError(
                    f"{where}[{at}]: expected a number or NaN (missing), got {type(v).__name__} {v!r}"
                )
            else:
                out[pos] = float(v)
        arr = out
    else:
        arr = raw.astype(np.float64)
    inf = np.argwhere(np.isinf(arr))
    if len(inf):
        pos = tuple(int(i) for i in inf[0])
        at = ", ".join(str(i) for i in pos)
        raise _DataError(f"{where}[{at}]: expected a finite number or NaN (missing), got {arr[pos]:g}")
    return arr


def _as_matrix(x: Any) -> tuple[FloatArray, list[Any] | None, list[Any] | None]:
    """A 2-D float64 array, with row and column labels when x is a DataFrame."""
    if hasattr(x, "columns") and hasattr(x, "index") and hasattr(x, "to_numpy"):
        arr = _numeric_matrix(x.to_numpy(), "variants")
        return arr, list(x.index), list(x.columns)
    arr = _numeric_matrix(x, "variants")
    if arr.ndim != 2:
        raise _Error(f"variants: expected 2-D units x indicators arrays, got {arr.ndim} dimensions")
    return arr, None, None


def _aggregation(a: Aggregation, where: str) -> tuple[str, float]:
    if isinstance(a, str):
        if a not in AGGREGATION_METHODS:
            raise _Error(f"{where}: expected one of {', '.join(AGGREGATION_METHODS)}, got {a!r}")
        return (a, 1.0)
    method, power = a
    return (str(method), float(power))


def _setup(
    indicators: list[Any],
    hierarchy: Mapping[Any, Any],
    weights: Mapping[Any, float] | None,
    aggregation: Aggregation | Mapping[Any, Aggregation],
) -> tuple[list[int], list[float], list[int], list[float], list[tuple[str, float]], list[Any]]:
    """Indices, weights and methods from the mapping form of the hierarchy."""
    ind_pos = {name: j for j, name in enumerate(indicators)}
    nodes: list[Any] = []
    node_pos: dict[Any, int] = {}
    for child, parent in hierarchy.items():
        if parent not in node_pos:
            if parent in ind_pos:
                raise _Error(f"hierarchy[{child!r}]: the parent {parent!r} is an indicator, not a node")
            node_pos[parent] = len(nodes)
            nodes.append(parent)
    for child in hierarchy:
        if child not in ind_pos and child not in node_pos:
            raise _Error(f"hierarchy: {child!r} is neither an indicator (a column) nor a node (a parent)")
    missing = [name for name in indicators if name not in hierarchy]
    if missing:
        raise _Error(f"hierarchy: expected a parent for every indicator, missing {missing[:5]}")
    indicator_parent = [node_pos[hierarchy[name]] for name in indicators]
    node_parent = [node_pos[hierarchy[name]] if name in hierarchy else -1 for name in nodes]
    weights = weights or {}
    unknown = [w for w in weights if w not in ind_pos and w not in node_pos]
    if unknown:
        raise _Error(f"weights: unknown indicators or nodes {unknown[:5]}")
    indicator_weight = [float(weights.get(name, 1.0)) for name in indicators]
    node_weight = [float(weights.get(name, 1.0)) for name in nodes]
    if isinstance(aggregation, Mapping):
        bad = [a for a in aggregation if a not in node_pos]
        if bad:
            raise _Error(f"aggregation: unknown nodes {bad[:5]}")
        node_agg = [
            _aggregation(aggregation.get(name, "arithmetic"), f"aggregation[{name!r}]") for name in nodes
        ]
    else:
        node_agg = [_aggregation(aggregation, "aggregation")] * len(nodes)
    return indicator_parent, indicator_weight, node_parent, node_weight, node_agg, nodes


def rank_uncertainty(
    variants: Any,
    hierarchy: Mapping[Any, Any],
    *,
    weights: Mapping[Any, float] | None = None,
    aggregation: Aggregation | Mapping[Any, Aggregation] = "arithmetic",
    alternatives: Sequence[Aggregation] = ("arithmetic", "geometric"),
    by_level: bool = False,
    weight_noise: float = 0.25,
    weight_noise_levels: LevelNoise | None = None,
    vary: Iterable[str] = ("weights", "aggregation"),
    zeros: str = "error",
    sampling: str = "pseudo",
    min_share: Mapping[Any, float] | None = None,
    replications: int = 1000,
    seed: int = 0,
    threads: int = 0,
    sensitivity: bool = True,
    draws: npt.ArrayLike | None = None,
    keep_ranks: bool = False,
    progress: bool | Callable[[int, int], None] = True,
    units: Sequence[Any] | None = None,
    indicators: Sequence[Any] | None = None,
) -> RankUncertainty:
    """Monte Carlo rank uncertainty and sensitivity of a composite index.

    ``variants``: the *normalised* data, units x indicators (NaN = missing): a DataFrame or 2-D
    array, or a list / dict of them, one per (normalisation, imputation) choice made upstream; the
    first is the base. ``hierarchy`` maps every indicator (a column name, or column index for arrays
    without ``indicators``) and every non-root node to its parent node; the nodes are the parents,
    in order of first appearance, and the root is the node without a parent. ``weights`` gives base
    weights of indicators and nodes within their parent (default 1; renormalised over the children
    with a value for the unit); ``aggregation`` the base method of every node or per node:
    "arithmetic", "geometric", "harmonic" or ("generalised", p).

    ``vary`` chooses the uncertain inputs among "weights" (each weight times a factor uniform in
    [1 - weight_noise, 1 + weight_noise]: one input "weights"; or, with ``weight_noise_levels``
    ({level: noise} or (level, noise) pairs, COINr's SA_specs noise_specs Level / NoiseFactor, e.g.
    ``{2: 0.25, 3: 0.25}``), only the weights at those levels, one input "weights[level L]" each, so
    the Sobol' indices are per level; levels are COINr's: 1 the indicators, 2 their parents, ...),
    "variant", "aggregation" (one of ``alternatives`` for every node, or one draw per depth with
    ``by_level``) and "drop_indicator" (none or one indicator, uniformly). Nominal ranks use the base
    choices; ranks: highest score = 1, ties share the smallest rank, a unit without an index in a
    replication is left out of that replication. ``min_share`` ({node: share}, default 0): a node
    is missing for a unit when the share of its children present is below it (as in the
    composite). ``zeros``: a 0 under a geometric, harmonic or
    p < 0 mean raises DataError ("error", the default) or makes the node 0, the mean's limit
    ("limit"); the composite uses the same kernel and policy.

    ``replications`` runs give the rank statistics; with ``sensitivity`` (k + 1) x replications more
    runs give the first-order and total Sobol' indices (per input) of the mean absolute rank shift.
    ``draws`` (replications x 2D uniforms, D = result.layout["columns"]) replaces the seeded
    stream; ``sampling="sobol"`` uses Sobol' points instead (row r the 2D-dimensional point r + 1;
    2D up to 1024). ``threads`` = 0 uses every core; results do not depend on it. ``progress``: True shows a
    bar on stderr when the run lasts over a second, or a callable(done, total). Ctrl-C raises
    KeyboardInterrupt promptly (the C++ workers stop and are joined).
    """
    if isinstance(variants, Mapping):
        items = list(variants.values())
    elif isinstance(variants, (list, tuple)):
        items = list(variants)
    else:
        items = [variants]
    if not items:
        raise _Error("variants: expected at least one units x indicators matrix")
    mats: list[FloatArray] = []
    row_labels: list[Any] | None = None
    col_labels: list[Any] | None = None
    for i, item in enumerate(items):
        arr, rows, cols = _as_matrix(item)
        if i == 0:
            row_labels, col_labels = rows, cols
        elif cols is not None and col_labels is not None and cols != col_labels:
            raise _Error(f"variants[{i}]: expected the columns of the first variant")
        mats.append(np.ascontiguousarray(arr))
    m = mats[0].shape[1]
    ind_names = list(indicators) if indicators is not None else (col_labels or list(range(m)))
    if len(ind_names) != m:
        raise _Error(f"indicators: expected {m} names (the columns), got {len(ind_names)}")
    unit_names = list(units) if units is not None else (row_labels or list(range(mats[0].shape[0])))
    if len(unit_names) != mats[0].shape[0]:
        raise _Error(f"units: expected {mats[0].shape[0]} labels (the rows), got {len(unit_names)}")
    vary = tuple(vary)
    bad = [v for v in vary if v not in VARY]
    if bad:
        raise _Error(f"vary: expected some of {', '.join(VARY)}, got {bad}")
    ip, iw, np_, nw, nagg, nodes = _setup(ind_names, hierarchy, weights, aggregation)
    if zeros not in ZERO_POLICIES:
        raise _Error(f"zeros: expected one of {', '.join(ZERO_POLICIES)}, got {zeros!r}")
    levels = _level_noise(weight_noise_levels) if "weights" in vary else []
    min_share = min_share or {}
    unknown = [k for k in min_share if k not in nodes]
    if unknown:
        raise _Error(f"min_share: unknown nodes {unknown[:5]}")
    shares = [float(min_share.get(name, 0.0)) for name in nodes] if min_share else []
    alts = (
        [_aggregation(a, f"alternatives[{i}]") for i, a in enumerate(alternatives)]
        if "aggregation" in vary
        else []
    )
    callback: Callable[[int, int], None] | None
    bar: _ProgressBar | None = None
    if callable(progress):
        callback = progress
    elif progress:
        bar = _ProgressBar("rank_uncertainty")
        callback = bar
    else:
        callback = None
    try:
        raw = _rank_uncertainty(
            mats,
            ip,
            iw,
            np_,
            nw,
            nagg,
            alts,
            by_level,
            weight_noise if "weights" in vary and not levels else 0.0,
            "variant" in vary,
            "drop_indicator" in vary,
            replications,
            seed,
            threads,
            sensitivity,
            keep_ranks,
            None if draws is None else np.asarray(draws, dtype=np.float64),
            callback,
            levels,
            zeros,
            sampling,
            shares,
        )
    finally:
        if bar is not None:
            bar.close()
    return RankUncertainty(raw, unit_names, [str(n) for n in nodes])


def draw_columns(
    hierarchy: Mapping[Any, Any],
    indicators: Sequence[Any],
    *,
    variants: int = 1,
    alternatives: Sequence[Aggregation] = ("arithmetic", "geometric"),
    by_level: bool = False,
    weight_noise: float = 0.25,
    weight_noise_levels: LevelNoise | None = None,
    vary: Iterable[str] = ("weights", "aggregation"),
) -> dict[str, Any]:
    """The uncertain inputs and their draw columns for these settings (as ``RankUncertainty.layout``):
    ``inputs``, ``first_column``, ``column_count``, ``columns`` (D; draws have 2D columns)."""
    vary = tuple(vary)
    ip, iw, np_, nw, nagg, _ = _setup(list(indicators), hierarchy, None, "arithmetic")
    levels = _level_noise(weight_noise_levels) if "weights" in vary else []
    alts = (
        [_aggregation(a, f"alternatives[{i}]") for i, a in enumerate(alternatives)]
        if "aggregation" in vary
        else []
    )
    out: dict[str, Any] = _uncertainty_layout(
        ip,
        iw,
        np_,
        nw,
        nagg,
        alts,
        by_level,
        weight_noise if "weights" in vary and not levels else 0.0,
        "variant" in vary,
        "drop_indicator" in vary,
        variants,
        levels,
    )
    return out
