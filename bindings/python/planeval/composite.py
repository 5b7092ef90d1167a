"""Composite indices (综合评价) and value-added (增值评价), with DataFrames.

A composite is built in the manner of the JRC's COINr toolkit and the OECD/JRC handbook, in
COINr's order (``steps``): denomination, imputation, unit screening, outlier treatment,
normalisation (polarity first), weighted aggregation up a hierarchy of indicators → dimensions →
index, ranks. The C++ core (``planeval/composite.hpp``) does the work;
its header states every formula and convention. Missing values are NaN (never zero)::

    >>> import pandas as pd
    >>> from planeval.composite import Composite
    >>> data = pd.DataFrame({"a": [2.0, 4.0, 6.0, 10.0], "b": [1.0, 3.0, 2.0, 4.0]},
    ...                     index=["s1", "s2", "s3", "s4"])
    >>> c = Composite(data, hierarchy={"a": "条件", "b": "条件", "条件": "index"},
    ...               directions={"b": "lower"})
    >>> r = c.run()
    >>> r.scores.columns.tolist()
    ['index', '条件']
    >>> r2 = r.replace(normalisation="rank")   # the same composite with one choice changed

Choices (names from the C++ tables, see :data:`OPTIONS`; COINr's names too, see
:data:`COINR_NAMES`; a step's parameters as ``(name, {parameter: value})``):

- ``normalisation``: ``min_max`` (to ``output_range``, default (0, 100)), ``z_score`` (sample sd by
  default), ``rank`` (ties take the minimum by default, 1 = worst), ``percentile_rank``,
  ``distance_to_target`` (``targets``), ``distance_to_reference`` (``reference``: a unit), ``borda``,
  ``goalposts`` (``goalposts``: a target's baseline and goal, so the score is completion
  progress), ``scaled``, ``fraction_of_max``, ``distance_to_max``, ``none``; per indicator with a
  mapping.
- ``denominate_by`` with ``denominators``: indicators divided by a denominator column.
- ``imputation``: ``none`` (with ``min_share``, the data-availability threshold per node), ``mean``,
  ``median``, ``group_mean``, ``group_median`` (``groups``: a label per unit, e.g. the stage),
  ``row_mean``, ``row_median``.
- ``screening``: ``byNA``, ``byzeros``, ``byNAandzeros`` (COINr's Screen): units below the
  thresholds are dropped.
- ``outliers``: ``none`` or ``coinr`` (winsorise while ``|skew|`` ≥ 2 and kurtosis ≥ 3.5, up to 5
  points, else ``log_CT``; skewness G1 and excess kurtosis G2, as Excel's SKEW and KURT); per
  indicator with a mapping.
- ``aggregation``: ``arithmetic``, ``geometric``, ``harmonic`` or ``generalised`` (``power``), one
  for every node or a mapping node → method. Geometric and harmonic means need positive values:
  use an output range such as (1, 100), or ``zeros="limit"``.

COINr's iData / iMeta tables: :func:`from_coinr` and :func:`to_coinr`.
Ranks: the highest score is 1, ties take the minimum rank. Value-added: :func:`value_added`.
"""

from __future__ import annotations

import dataclasses
import html
import importlib
import math
import sys
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Union

import numpy as np

from . import _core
from ._coinr import _TextInData, composite_arguments, to_coinr
from ._pickling import Versioned

if TYPE_CHECKING:
    import pandas as pd  # type: ignore[import-untyped, unused-ignore]

    from ._core import Observations, Plan, _CompositeArrays, _CompositeTree
    from .sensitivity import RankUncertainty  # pragma: no cover

__all__ = [
    "COINR_NAMES",
    "OPTIONS",
    "Composite",
    "CompositeResult",
    "ValueAdded",
    "directions_from_plan",
    "entity_groups",
    "frame_from_observations",
    "from_coinr",
    "goalposts_for_units",
    "goalposts_from_plan",
    "targets_for_units",
    "targets_from_plan",
    "to_coinr",
    "value_added",
]

#: The names of every choice: normalisation, imputation, outliers, aggregation, direction,
#: value_added (from the C++ name tables).
OPTIONS: dict[str, list[str]] = {k: v for k, v in _core._composite_options().items() if isinstance(v, list)}

#: Plan directions and the polarity they give (band has none: say it explicitly).
_PLAN_POLARITY = {"increase": "higher", "maintain": "higher", "decrease": "lower"}

_PerNode = Union[str, Mapping[str, str]]
_PerNodeFloat = Union[float, Mapping[str, float]]
#: A step's choice: a name, or (name, {parameter: value}).
_Choice = Union[str, tuple[str, Mapping[str, Any]]]
#: A step's choice for every indicator, or a mapping indicator -> choice ("*": the others).
_PerIndicatorChoice = Union[_Choice, Mapping[str, _Choice]]


def _pandas() -> Any:
    return importlib.import_module("pandas")


#: COINr's names (functions and arguments of COINr 1.1.14) accepted for planeval's, per choice.
COINR_NAMES: dict[str, dict[str, str]] = {
    # COINr's n_* functions, from the C++ table normalisation_coinr_names
    "normalisation": dict(_core._composite_options()["normalisation_coinr"]),
    "imputation": {
        "i_mean": "mean",
        "i_median": "median",
        "i_mean_grp": "group_mean",
        "i_median_grp": "group_median",
    },
    "outliers": {"winsorise": "coinr"},
    "aggregation": {
        "a_amean": "arithmetic",
        "a_gmean": "geometric",
        "a_hmean": "harmonic",
        "a_genmean": "generalised",
    },
    "screening": {"by_na": "byNA", "by_zeros": "byzeros", "by_na_and_zeros": "byNAandzeros"},
    "transform": {},
    "steps": {
        "denomination": "denominate",
        "imputation": "impute",
        "screening": "screen",
        "outliers": "treat",
        "treatment": "treat",
        "normalisation": "normalise",
        "normalize": "normalise",
    },
}

#: Parameters of each step choice (the second item of a ``(name, {params})`` pair), with COINr's
#: argument names accepted for them.
_PARAMS: dict[str, dict[str, str]] = {
    "outliers": {
        "winmax": "winmax",
        "skew_thresh": "skew_thresh",
        "kurt_thresh": "kurt_thresh",
        "transform": "transform",
        "f2": "transform",
        "boxcox_lambda": "boxcox_lambda",
        "lambda": "boxcox_lambda",
        "force_win": "force_win",
    },
    "screening": {
        "dat_thresh": "dat_thresh",
        "nonzero_thresh": "nonzero_thresh",
        "force_include": "force_include",
        "force_exclude": "force_exclude",
    },
    "imputation": {"impute_level": "impute_level", "group_level": "impute_level"},
    "normalisation": {
        "range": "range",
        "l_u": "range",
        "lo": "lo",
        "hi": "hi",
        "mean": "z_mean",
        "sd": "z_sd",
        "m_sd": "m_sd",
        "sd_kind": "sd",
        "ties": "ties",
        "ties.method": "ties",
        "ties_method": "ties",
        "anchor": "anchor",
        "cap": "cap",
        "cap_max": "cap",
        "trunc2posts": "cap",
        "reference": "reference",
        "iref": "iref",
    },
}


def _choice(kind: str, value: str) -> str:
    """planeval's name of a choice: its own names (the C++ tables) or COINr's (:data:`COINR_NAMES`)."""
    if not isinstance(value, str):
        raise _core.ArgumentTypeError(f"{kind}: expected a name (str), got {type(value).__name__} {value!r}")
    if value in OPTIONS[kind]:
        return value
    alias = COINR_NAMES.get(kind, {}).get(value)
    if alias is None and kind == "steps":
        alias = COINR_NAMES["steps"].get(value.lower(), value.lower())  # COINr's Denominate, Treat, ...
    if alias is not None and alias in OPTIONS[kind]:
        return alias
    allowed = ", ".join(repr(x) for x in OPTIONS[kind])
    aliases = [k for k, v in COINR_NAMES.get(kind, {}).items() if v in OPTIONS[kind]]
    also = f" (also accepted: {', '.join(repr(x) for x in aliases)})" if aliases else ""
    raise _core.Error(f"{kind}: expected one of {allowed}{also}, got {value!r}")


def _step_choice(kind: str, value: Any, where: str) -> tuple[str, dict[str, Any]]:
    """A choice given as a name or a ``(name, {parameter: value})`` pair: (planeval name, params
    under planeval's parameter names)."""
    if isinstance(value, tuple):
        if len(value) != 2 or not isinstance(value[1], Mapping):
            raise _core.Error(
                f"{where}: expected a name or a (name, {{parameter: value}}) pair, got {value!r}"
            )
        name, raw = value
    else:
        name, raw = value, {}
    try:
        name = _choice(kind, name)
    except _core.Error as e:
        raise type(e)(str(e).replace(f"{kind}:", f"{where}:", 1)) from None
    allowed = _PARAMS.get(kind, {})
    params: dict[str, Any] = {}
    for key, v in raw.items():
        if key not in allowed:
            known = ", ".join(repr(k) for k in allowed) or "none"
            raise _core.Error(f"{where}: unknown parameter {key!r} of {name!r} (known: {known})")
        params[allowed[key]] = v
    return name, params


def _per_indicator(value: Any, indicator: str, default: Any) -> Any:
    """The choice of one indicator: the value itself, or from a mapping indicator -> choice whose
    key ``"*"`` is every indicator not listed."""
    if isinstance(value, Mapping):
        return value.get(indicator, value.get("*", default))
    return value


def _polarity(value: str, where: str) -> str:
    if value in OPTIONS["direction"]:
        return value
    if value in _PLAN_POLARITY:
        return _PLAN_POLARITY[value]
    raise _core.Error(f"{where}: expected 'higher' or 'lower' (or a plan direction), got {value!r}")


def _numeric_goal(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if math.isfinite(value) else None


def directions_from_plan(plan: Plan, indicators: Iterable[str]) -> dict[str, str]:
    """'higher' or 'lower' for each indicator, from the plan's ``direction`` (increase and maintain
    are higher-is-better, decrease lower-is-better). A ``band`` indicator or one the plan does not
    know raises :class:`planeval.Error`."""
    known = {i.id: i for i in plan.indicators}
    out: dict[str, str] = {}
    for ind in indicators:
        if ind not in known:
            raise _core.Error(f"directions: the plan has no indicator {ind!r}; give its direction explicitly")
        d = known[ind].direction
        if d not in _PLAN_POLARITY:
            raise _core.Error(
                f"directions: indicator {ind!r} has direction {d!r} in the plan; give 'higher' or 'lower'"
            )
        out[ind] = _PLAN_POLARITY[d]
    return out


def goalposts_from_plan(
    plan: Plan, indicators: Iterable[str], scope: str | None = None
) -> dict[str, tuple[float, float]]:
    """(baseline, goal) for each indicator that has a target with a numeric baseline and goal: the
    goalposts of completion progress. The first such target in plan order is used, among those
    whose scope is ``scope`` when given (the plan has one backbone-teacher target per stage, for
    example). Indicators without one are left out."""
    wanted = set(indicators)
    out: dict[str, tuple[float, float]] = {}
    for t in plan.targets:
        if t.indicator not in wanted or t.indicator in out or t.baseline is None:
            continue
        if scope is not None and t.scope != scope:
            continue
        lo, hi = _numeric_goal(t.baseline.value), _numeric_goal(t.goal.value)
        if lo is not None and hi is not None and lo != hi:
            out[t.indicator] = (lo, hi)
    return out


def targets_from_plan(plan: Plan, indicators: Iterable[str], scope: str | None = None) -> dict[str, float]:
    """The goal value of the first target with a numeric goal (of scope ``scope`` when given), for
    each indicator that has one (for ``distance_to_target``)."""
    wanted = set(indicators)
    out: dict[str, float] = {}
    for t in plan.targets:
        if t.indicator in wanted and t.indicator not in out and (scope is None or t.scope == scope):
            goal = _numeric_goal(t.goal.value)
            if goal is not None:
                out[t.indicator] = goal
    return out


def _nearest_targets(
    plan: Plan, indicators: Iterable[str], units: Iterable[str]
) -> dict[str, dict[str, Any]]:
    """indicator -> unit -> the first target of the indicator scoped at the unit's nearest
    ancestor-or-self that has one."""
    entities = {e.id: e for e in plan.entities}
    by_scope: dict[tuple[str, str], Any] = {}
    wanted = set(indicators)
    for t in plan.targets:
        if t.indicator in wanted:
            by_scope.setdefault((t.indicator, t.scope), t)
    out: dict[str, dict[str, Any]] = {i: {} for i in wanted}
    for u in units:
        if u not in entities:
            raise _core.Error(f"units: the plan has no entity {u!r}")
        for ind in wanted:
            e: str = u
            while e:
                if (ind, e) in by_scope:
                    out[ind][u] = by_scope[(ind, e)]
                    break
                e = entities[e].parent if e in entities else ""
    return out


def goalposts_for_units(
    plan: Plan, indicators: Iterable[str], units: Iterable[str]
) -> dict[str, dict[str, tuple[float, float]]]:
    """Per-unit goalposts: for each indicator and unit, (baseline, goal) of the target scoped at the
    unit's nearest ancestor-or-self (a primary school gets the 小学 stage's target, a kindergarten
    the 幼儿园 one). Pass the result as ``goalposts=``. Units without such a target (or whose
    target has no numeric baseline and goal) are left out."""
    out: dict[str, dict[str, tuple[float, float]]] = {}
    for ind, per_unit in _nearest_targets(plan, indicators, units).items():
        for u, t in per_unit.items():
            lo = _numeric_goal(t.baseline.value) if t.baseline is not None else None
            hi = _numeric_goal(t.goal.value)
            if lo is not None and hi is not None and lo != hi:
                out.setdefault(ind, {})[u] = (lo, hi)
    return out


def targets_for_units(
    plan: Plan, indicators: Iterable[str], units: Iterable[str]
) -> dict[str, dict[str, float]]:
    """Per-unit targets (the goal value of the target scoped at each unit's nearest ancestor-or-self),
    for ``targets=`` with ``distance_to_target``."""
    out: dict[str, dict[str, float]] = {}
    for ind, per_unit in _nearest_targets(plan, indicators, units).items():
        for u, t in per_unit.items():
            goal = _numeric_goal(t.goal.value)
            if goal is not None:
                out.setdefault(ind, {})[u] = goal
    return out


def _check_tree(hierarchy: Mapping[str, str], columns: set[str]) -> None:
    """Raises DataError naming the children and nodes where ``hierarchy`` (child -> parent) is not one
    tree of nodes above the data's columns: an indicator as a parent, a cycle, two roots."""
    for child, parent in hierarchy.items():
        if parent in columns:
            raise _core.DataError(
                f"hierarchy[{child!r}]: {parent!r} is an indicator (a column of the data), expected a node"
            )
    for start in hierarchy:
        path, node = [start], start
        while node in hierarchy:
            node = hierarchy[node]
            if node in path:
                cycle = " -> ".join(repr(n) for n in [*path[path.index(node) :], node])
                raise _core.DataError(
                    f"hierarchy: the parents form a cycle ({cycle}): no root (a node with an empty parent) "
                    "above them"
                )
            path.append(node)
    roots = list(dict.fromkeys(p for p in hierarchy.values() if p not in hierarchy))
    if len(roots) > 1:
        raise _core.DataError(
            f"hierarchy: a second root ({roots[1]!r} has no parent, and {roots[0]!r} is already the root); "
            "every node but one needs a parent"
        )


def _per_node(value: Any, node: str, default: Any) -> Any:
    if isinstance(value, Mapping):
        return value.get(node, value.get("*", default))
    return value


@dataclasses.dataclass(frozen=True, eq=False)
class Composite(Versioned):
    """A composite index over ``data`` (rows: units, columns: indicators; NaN = missing).

    ``hierarchy`` maps each child (an indicator column or a node) to its parent node; by default
    every indicator sits directly under one node, ``root`` ('index'). ``weights`` maps children to their
    weight among their siblings (default 1; renormalised over the children a unit has).
    ``directions`` maps indicators to 'higher' or 'lower' (plan words increase / decrease /
    maintain are accepted); with ``plan`` the rest come from the plan's indicators, else they are
    'higher'. ``aggregation``, ``power`` and ``min_share`` are one value for every node or a
    mapping node → value. ``targets`` (distance_to_target) and ``goalposts`` (baseline, goal) are
    per indicator — a number / a pair, or a mapping unit → number / pair for per-unit values (see
    :func:`goalposts_for_units`: each school against its own stage's target); with ``plan``
    missing ones are taken from the plan's first target of the indicator with numbers (use
    :func:`goalposts_from_plan` with ``scope=`` to choose).
    ``reference`` is a unit label (distance_to_reference); ``groups`` a mapping or Series unit →
    group label (group_mean / group_median imputation; a missing label: the unit has no group and is
    not imputed, as COINr's NA). ``output_range`` applies to min_max, percentile_rank,
    distance_to_target, goalposts and scaled; ``cap`` caps distance_to_target, distance_to_reference,
    goalposts and scaled (None: each method's default, see ``planeval/composite.hpp``). ``zeros``:
    a 0 under a geometric or harmonic mean is an error (``"error"``) or gives 0 (``"limit"``).

    The steps before aggregation run in the order of ``steps`` (default COINr's: denominate, impute,
    screen, treat, normalise; planeval's order before 2026-12 was ``("treat", "impute",
    "normalise")``); a step that is configured but not listed is an error.

    - ``denominators``: a DataFrame of denominator columns (rows: the units, e.g. GDP, population),
      ``denominate_by``: indicator → denominator column, or (column, scale) for x / (d / scale).
    - ``imputation``: a name, or (name, {"impute_level": L}) for the row methods.
    - ``screening``: ``"none"``, ``"byNA"``, ``"byzeros"`` or ``"byNAandzeros"`` (COINr's), or
      (name, {"dat_thresh": 0.9, "nonzero_thresh": 0.05, "force_include": [units],
      "force_exclude": [units]}). Dropped units have no scores or ranks.
    - ``outliers``: ``"none"`` or ``"coinr"`` (COINr's Treat: winsorise while ``|skew|`` ≥ skew_thresh and
      kurtosis ≥ kurt_thresh up to winmax points, else ``transform``), or (name, {"winmax": 5,
      "skew_thresh": 2, "kurt_thresh": 3.5, "transform": "log_CT" | "log_CT_plus" | "log_CT_orig" |
      "boxcox" | "none", "boxcox_lambda": 1, "force_win": False}); or a mapping indicator → such a
      choice, whose key ``"*"`` stands for every indicator not listed (``{"*": "coinr", "Flights":
      "none"}``, COINr's indiv_specs).
    - ``normalisation``: a name, (name, {params}) or a mapping indicator → either (``"*"``: the
      others), e.g. ``{"*": "min_max", "Flights": ("z_score", {"mean": 10, "sd": 2, "sd_kind":
      "sample"})}``. Parameters: ``range`` (lo, hi; default ``output_range``), ``mean``, ``sd`` and
      ``sd_kind`` ("sample", COINr's, or "population") of z_score, ``ties`` ("min", "average", "max",
      "first", "last") of the rank methods, ``anchor`` ("zero" or COINr's "min") of the distance
      methods, ``cap``, ``reference`` (a unit); COINr's ``l_u``, ``m_sd``, ``ties.method``,
      ``cap_max``, ``trunc2posts``, ``iref`` too. An indicator's parameters start from the
      spec-wide ones.

    COINr's names are accepted for planeval's everywhere (``n_minmax``, ``n_zscore``, ``i_mean_grp``,
    ``a_amean``, ``winsorise``, ``f2``, ...: :data:`COINR_NAMES`); :meth:`from_coinr` reads COINr's
    iData / iMeta tables. ``labels`` maps ids to display names (COINr's iName).

    A frozen value: :meth:`replace` gives a copy with one choice changed, :meth:`run` the result.
    """

    data: pd.DataFrame
    hierarchy: Mapping[str, str] | None = None
    weights: Mapping[str, float] | None = None
    directions: Mapping[str, str] | None = None
    plan: Plan | None = None
    normalisation: _PerIndicatorChoice = "min_max"
    output_range: tuple[float, float] = (0.0, 100.0)
    aggregation: _PerNode = "arithmetic"
    power: _PerNodeFloat = 1.0
    min_share: _PerNodeFloat = 0.0
    imputation: _Choice = "none"
    groups: Mapping[str, str] | pd.Series | None = None
    outliers: _PerIndicatorChoice = "none"
    targets: Mapping[str, float | Mapping[Any, float]] | None = None
    goalposts: Mapping[str, tuple[float, float] | Mapping[Any, tuple[float, float]]] | None = None
    reference: str | None = None
    cap: bool | None = None
    root: str = "index"
    steps: Sequence[str] | None = None
    denominators: pd.DataFrame | None = None
    denominate_by: Mapping[str, str | tuple[str, float]] | None = None
    screening: _Choice = "none"
    zeros: str = "error"
    labels: Mapping[str, str] | None = None

    def replace(self, **changes: Any) -> Composite:
        """A copy with the given fields changed (``c.replace(normalisation="z_score")``)."""
        return dataclasses.replace(self, **changes)

    @classmethod
    def from_coinr(
        cls,
        iData: pd.DataFrame,
        iMeta: pd.DataFrame,
        *,
        pipeline: str | None = "coinr",
        use_group: str | None = None,
        time: Any = None,
        exclude: Sequence[str] | None = None,
        **choices: Any,
    ) -> Composite:
        """A composite from COINr's ``iData`` and ``iMeta`` tables (:func:`planeval.composite.from_coinr`):
        ``Composite.from_coinr(iData, iMeta, use_group="EurAsia_group").run()`` is COINr's
        ``build_example_coin()``."""
        frame, kwargs = composite_arguments(
            iData, iMeta, pipeline=pipeline, use_group=use_group, time=time, exclude=exclude, **choices
        )
        return cls(frame, **kwargs)

    def to_coinr(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """COINr's ``(iData, iMeta)`` tables of this composite (:func:`planeval.composite.to_coinr`)."""
        return to_coinr(self)

    # --- the spec -------------------------------------------------------------------------

    def indicators(self) -> list[str]:
        """The indicator ids: the data's columns, as str."""
        return [str(c) for c in self.data.columns]

    def units(self) -> list[Any]:
        """The unit labels: the data's index."""
        return list(self.data.index)

    def nodes(self) -> list[str]:
        """The node ids: the root(s) first, then in order of first appearance in ``hierarchy``."""
        cols = set(self.indicators())
        h = self._hierarchy()
        order: list[str] = []
        for child, parent in h.items():
            for name in (parent, child):
                if name not in cols and name not in order:
                    order.append(name)
        roots = [n for n in order if n not in h]
        return roots + [n for n in order if n in h]

    def _hierarchy(self) -> dict[str, str]:
        cols = self.indicators()
        if self.hierarchy is None:
            return {c: self.root for c in cols}
        h = {str(k): str(v) for k, v in self.hierarchy.items()}
        for c in cols:
            if c not in h:
                raise _core.Error(f"hierarchy: column {c!r} of the data has no parent node")
        _check_tree(h, set(cols))
        return h

    def spec(self) -> dict[str, Any]:
        """The spec the C++ core runs (a dict of plain values: nodes, indicators and the choices)."""
        cols = self.indicators()
        if len(set(cols)) != len(cols):
            raise _core.Error("data: the column names (indicator ids) must be unique")
        if not self.data.index.is_unique:
            raise _core.Error("data: the index (unit labels) must be unique")
        norm_default, norm_params = _step_choice(
            "normalisation", _per_indicator(self.normalisation, "*", "min_max"), "normalisation"
        )
        norm_of = {
            c: _step_choice(
                "normalisation", _per_indicator(self.normalisation, c, "min_max"), f"normalisation[{c!r}]"
            )
            for c in cols
        }
        methods = {m for m, _ in norm_of.values()}
        norm = norm_default
        h = self._hierarchy()
        nodes = self.nodes()
        known = set(cols) | set(nodes)
        for name, mapping in (
            ("weights", self.weights),
            ("aggregation", self.aggregation),
            ("power", self.power),
            ("min_share", self.min_share),
        ):
            if isinstance(mapping, Mapping):
                for key in mapping:
                    if str(key) not in known:
                        raise _core.Error(
                            f"{name}: {key!r} is neither an indicator nor a node of the hierarchy"
                        )
        weights = dict(self.weights or {})
        directions: dict[str, str] = {}
        given = dict(self.directions or {})
        for key in given:
            if key not in cols:
                raise _core.Error(f"directions: {key!r} is not a column of the data")
        from_plan = [c for c in cols if c not in given]
        if self.plan is not None and from_plan:
            directions.update(directions_from_plan(self.plan, from_plan))
        for c, d in given.items():
            directions[c] = _polarity(str(d), f"directions[{c!r}]")
        targets: dict[str, Any] = dict(self.targets or {})
        goalposts: dict[str, Any] = dict(self.goalposts or {})
        if self.plan is not None and "distance_to_target" in methods:
            targets = {**targets_from_plan(self.plan, [c for c in cols if c not in targets]), **targets}
        if self.plan is not None and "goalposts" in methods:
            goalposts = {
                **goalposts_from_plan(self.plan, [c for c in cols if c not in goalposts]),
                **goalposts,
            }
        for name, mapping2 in (("targets", targets), ("goalposts", goalposts)):
            for key in mapping2:
                if key not in cols:
                    raise _core.Error(f"{name}: {key!r} is not a column of the data")

        node_specs = []
        for n in nodes:
            method = _choice("aggregation", str(_per_node(self.aggregation, n, "arithmetic")))
            node_specs.append(
                {
                    "id": n,
                    "parent": h.get(n, ""),
                    "weight": float(weights.get(n, 1.0)),
                    "method": method,
                    "power": float(_per_node(self.power, n, 1.0)),
                    "min_share": float(_per_node(self.min_share, n, 0.0)),
                }
            )
        units = self.units()
        position = {u: i for i, u in enumerate(units)}
        k = len(cols)
        cells: dict[str, list[float] | None] = {"unit_target": None, "unit_baseline": None, "unit_goal": None}

        def put(key: str, unit: Any, j: int, value: float, what: str) -> None:
            if unit not in position:
                raise _core.Error(f"{what}: {unit!r} is not a unit (a label of the data's index)")
            grid = cells[key]
            if grid is None:
                grid = cells[key] = [math.nan] * (len(units) * k)
            grid[position[unit] * k + j] = float(value)

        base_params: dict[str, Any] = {
            "lo": float(self.output_range[0]),
            "hi": float(self.output_range[1]),
            "cap": None if self.cap is None else bool(self.cap),
        }
        if self.reference is not None:
            if self.reference not in position:
                raise _core.Error(
                    f"reference: {self.reference!r} is not a unit (a label of the data's index)"
                )
            base_params["reference_unit"] = position[self.reference]
        spec_params = _normalise_params(norm_params, base_params, "normalisation", units)
        base_params = spec_params
        ind_specs = []
        for j, c in enumerate(cols):
            target = targets.get(c, math.nan)
            if hasattr(target, "items"):  # per unit: a mapping or Series unit -> target
                for u, v in dict(target.items()).items():
                    put("unit_target", u, j, v, f"targets[{c!r}]")
                target = math.nan
            pair = goalposts.get(c, (math.nan, math.nan))
            if hasattr(pair, "items"):  # per unit: a mapping or Series unit -> (baseline, goal)
                for u, (lo, hi) in dict(pair.items()).items():
                    put("unit_baseline", u, j, lo, f"goalposts[{c!r}]")
                    put("unit_goal", u, j, hi, f"goalposts[{c!r}]")
                pair = (math.nan, math.nan)
            base, goal = pair
            ind_spec: dict[str, Any] = {
                "id": c,
                "parent": h[c],
                "weight": float(weights.get(c, 1.0)),
                "direction": directions.get(c, "higher"),
                "target": float(target),
                "baseline": float(base),
                "goal": float(goal),
            }
            if norm_of[c] != (norm_default, norm_params):
                ind_spec["normalisation"], params = norm_of[c]
                ind_spec["normalise_params"] = _normalise_params(
                    params, base_params, f"normalisation[{c!r}]", units
                )
            if isinstance(self.outliers, Mapping) and (c in self.outliers or "*" not in self.outliers):
                name, params = _step_choice("outliers", self.outliers.get(c, "none"), f"outliers[{c!r}]")
                ind_spec["outliers"] = name
                ind_spec.update(_treat_params(params, f"outliers[{c!r}]"))
            ind_specs.append(ind_spec)
        if isinstance(self.outliers, Mapping):
            for key in self.outliers:
                if key != "*" and key not in cols:
                    raise _core.Error(f"outliers: {key!r} is not a column of the data")
        if isinstance(self.normalisation, Mapping):
            for key in self.normalisation:
                if key != "*" and key not in cols:
                    raise _core.Error(f"normalisation: {key!r} is not a column of the data")
        out_default, out_params = _step_choice(
            "outliers", _per_indicator(self.outliers, "*", "none"), "outliers"
        )
        imputation, imp_params = _step_choice("imputation", self.imputation, "imputation")
        screen, screen_params = _step_choice("screening", self.screening, "screening")
        spec: dict[str, Any] = {
            "nodes": node_specs,
            "indicators": ind_specs,
            "outliers": out_default,
            **_treat_params(out_params, "outliers"),
            "imputation": imputation,
            **imp_params,
            "normalisation": norm,
            "normalise_params": spec_params,
            "zeros": _choice("zeros", self.zeros),
            "groups": None,
            **cells,
        }
        if screen != "none":
            spec["screen"] = screen
            for key in ("dat_thresh", "nonzero_thresh"):
                if key in screen_params:
                    spec[key] = float(screen_params[key])
            for key in ("force_include", "force_exclude"):
                chosen = screen_params.get(key)
                if chosen is not None:
                    chosen = [chosen] if isinstance(chosen, str) else list(chosen)
                    for u in chosen:
                        if u not in position:
                            raise _core.Error(
                                f"screening: {key} {u!r} is not a unit (a label of the data's index)"
                            )
                    spec[key] = [position[u] for u in chosen]
        if self.steps is not None:
            if isinstance(self.steps, str):
                raise _core.ArgumentTypeError("steps: expected a sequence of step names, got a str")
            spec["steps"] = [_choice("steps", str(x)) for x in self.steps]
        if self.denominate_by:
            spec.update(self._denomination(cols, ind_specs))
        elif self.denominators is not None and self.denominate_by is None:
            raise _core.Error("denominate_by: denominators given without saying which indicator each divides")
        if self.groups is not None:
            labels = [_group_of(self.groups, u) for u in units]
            codes: dict[Any, int] = {}
            spec["groups"] = [None if g is None else codes.setdefault(g, len(codes)) for g in labels]
        elif imputation in ("group_mean", "group_median"):
            raise _core.Error(f"groups: {imputation} imputation needs a group label per unit (groups=...)")
        if "distance_to_reference" in methods:
            chosen = [spec_params] + [i["normalise_params"] for i in ind_specs if "normalise_params" in i]
            if self.reference is None and not any("reference_unit" in p for p in chosen):
                raise _core.Error("reference: distance_to_reference needs a reference unit (reference=...)")
        return spec

    def _denomination(self, cols: list[str], ind_specs: list[dict[str, Any]]) -> dict[str, Any]:
        """The spec's denominator names, and each indicator's denominator column and scale."""
        frame = self.denominators
        if frame is None:
            raise _core.Error(
                "denominators: denominate_by names denominators, give their values (a DataFrame)"
            )
        names = [str(c) for c in frame.columns]
        for ind, by in (self.denominate_by or {}).items():
            if ind not in cols:
                raise _core.Error(f"denominate_by: {ind!r} is not a column of the data")
            column, scale = (by, 1.0) if not isinstance(by, tuple) else by
            if str(column) not in names:
                raise _core.Error(
                    f"denominate_by[{ind!r}]: {column!r} is not a column of denominators ({', '.join(names)})"
                )
            spec = ind_specs[cols.index(ind)]
            spec["denominator"] = names.index(str(column))
            spec["denominator_scale"] = float(scale)
        return {"denominators": names}

    def denominator_matrix(self) -> np.ndarray[Any, np.dtype[np.float64]] | None:
        """The denominators as a units x denominators float64 matrix aligned on the data's units (None
        without denominators). A unit of the data without a row in ``denominators`` is an error."""
        if self.denominators is None or not self.denominate_by:
            return None
        frame = self.denominators
        absent = [u for u in self.data.index if u not in frame.index]
        if absent:
            raise _core.Error(f"denominators: no row for unit {absent[0]!r} (one row per unit of the data)")
        frame = frame.loc[self.data.index]
        return _numeric_matrix(frame, "denominators")

    def matrix(self) -> np.ndarray[Any, np.dtype[np.float64]]:
        """The data as a C-contiguous float64 units x indicators matrix (NaN missing)."""
        return _numeric_matrix(self.data, "data")

    # --- running ----------------------------------------------------------------------------

    def run(self) -> CompositeResult:
        """Builds the composite: scores and ranks at every node, strongest and weakest indicators."""
        spec = self.spec()
        raw = _core._composite_build(self.matrix(), spec, self.denominator_matrix())
        return CompositeResult(self, spec, raw)

    def normalised(self) -> pd.DataFrame:
        """The normalised (denominated, imputed, treated) units x indicators frame: the input of
        aggregation, and of the uncertainty engine. With screening, only the units kept."""
        matrix, record = _core._composite_normalised(self.matrix(), self.spec(), self.denominator_matrix())
        index = self.data.index[np.asarray(record["unit_rows"], dtype=np.int64)]
        return _pandas().DataFrame(matrix, index=index, columns=self.data.columns)

    def tree(self) -> _CompositeTree:
        """The hierarchy compiled to index arrays: node_ids, node_parent (-1 for the root),
        node_weight, node_method, node_power, node_min_share, indicator_parent, indicator_weight,
        bottom_up (children before parents), children_count, root."""
        return _core._composite_tree(self.spec())

    def uncertainty(
        self,
        *,
        normalisations: Sequence[str] = (),
        imputations: Sequence[str] = (),
        aggregations: Sequence[str] = ("arithmetic", "geometric"),
        weight_noise: float = 0.25,
        weight_noise_levels: Mapping[int, float] | None = None,
        drop_indicator: bool = False,
        vary: Iterable[str] | None = None,
        sampling: str = "pseudo",
        replications: int = 1000,
        seed: int = 0,
        threads: int = 0,
        sensitivity: bool = True,
        progress: bool = True,
    ) -> RankUncertainty:
        """Monte Carlo rank uncertainty and Sobol' sensitivity of this composite's index over the
        choices a reviewer could contest (:func:`planeval.sensitivity.rank_uncertainty`).

        The variants of the normalised data are this composite's (the base, first) and one per
        other combination of ``normalisations`` x ``imputations`` (each this composite with those
        two choices replaced). Uncertain inputs, unless ``vary`` names them: "weights" (each weight
        times a factor uniform in [1 - weight_noise, 1 + weight_noise]), "aggregation" (one of
        ``aggregations`` for every node), "variant" when there is more than one variant, and
        "drop_indicator" with ``drop_indicator``. ``weight_noise_levels`` ({level: noise}, COINr's
        SA_specs noise_specs: 1 the indicators, 2 their parents, ...) varies only the weights at those
        levels, one input "weights[level L]" each. ``sampling``: "pseudo" or "sobol" (quasi-random
        points). Nominal ranks are this composite's own choices (its ``min_share`` and ``zeros``
        policy included: the engine aggregates with the composite's own kernel); geometric and
        harmonic means need positive scores (use an ``output_range`` above 0, or
        ``zeros="limit"``). With screening, every variant must keep the same units.
        """
        from .sensitivity import rank_uncertainty

        min_share = {node: float(_per_node(self.min_share, node, 0.0)) for node in self.nodes()}
        norms: list[Any] = [self.normalisation, *[n for n in normalisations if n != self.normalisation]]
        imps: list[Any] = [self.imputation, *[i for i in imputations if i != self.imputation]]
        variants: dict[str, Any] = {}
        for n in norms:
            for i in imps:
                c = (
                    self
                    if (n, i) == (self.normalisation, self.imputation)
                    else self.replace(normalisation=n, imputation=i)
                )
                variants[f"{n}/{i}"] = c.normalised()
        kept = [list(v.index) for v in variants.values()]
        for name, units in zip(variants, kept):
            if units != kept[0]:
                raise _core.Error(
                    f"uncertainty: the variant {name!r} keeps {len(units)} units after screening, the base "
                    f"{len(kept[0])}: the units must be the same in every variant (screen before, or "
                    "choose imputations that keep the same units)"
                )
        if vary is None:
            chosen = ["weights", "aggregation"]
            if len(variants) > 1:
                chosen.append("variant")
            if drop_indicator:
                chosen.append("drop_indicator")
        else:
            chosen = list(vary)
        # the base aggregation of every node, as the engine spells it
        base: dict[str, Any] = {}
        for node in self.nodes():
            method = _per_node(self.aggregation, node, "arithmetic")
            base[node] = (
                ("generalised", float(_per_node(self.power, node, 1.0)))
                if method == "generalised"
                else method
            )
        # this composite's zero policy ("limit": a 0 under a geometric mean gives 0)
        extra: dict[str, Any] = {"zeros": self.zeros} if self.zeros != "error" else {}
        if any(v > 0 for v in min_share.values()):
            extra["min_share"] = min_share
        if weight_noise_levels is not None:
            extra["weight_noise_levels"] = dict(weight_noise_levels)
        if sampling != "pseudo":
            extra["sampling"] = sampling
        return rank_uncertainty(
            list(variants.values()),
            self._hierarchy(),
            weights=dict(self.weights) if self.weights else None,
            aggregation=base,
            alternatives=tuple(aggregations),
            weight_noise=weight_noise,
            vary=chosen,
            replications=replications,
            seed=seed,
            threads=threads,
            sensitivity=sensitivity,
            progress=progress,
            units=list(next(iter(variants.values())).index),
            indicators=self.indicators(),
            **extra,
        )

    def __repr__(self) -> str:
        n, k = self.data.shape
        return (
            f"Composite({n} units x {k} indicators, nodes={self.nodes()}, "
            f"normalisation={self.normalisation!r}, aggregation={self.aggregation!r}, "
            f"imputation={self.imputation!r}, outliers={self.outliers!r})"
        )


def _numeric_matrix(frame: pd.DataFrame, name: str) -> np.ndarray[Any, np.dtype[np.float64]]:
    """A frame as a C-contiguous float64 matrix (NaN missing); text refused naming row and column."""
    pd = _pandas()
    for c in frame.columns:
        column = frame[c]
        if not pd.api.types.is_numeric_dtype(column):
            # None / NaN in an object column are missing; anything else that is no number is refused
            for row, v in enumerate(column.tolist()):
                if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
                    continue
                if isinstance(v, (str, bytes, bool)) or not isinstance(v, (int, float, np.number)):
                    raise _TextInData(
                        f"{name}: column {c!r} is not numeric (dtype {column.dtype}): "
                        f"{name}[{row}, {str(c)!r}] is {v!r} ({type(v).__name__}); numbers given as text "
                        "are parsed by the readers "
                        "(read_csv, read_excel, observations_from_frame)"
                    )
    values = frame.to_numpy(dtype=np.float64, na_value=np.nan)
    return np.ascontiguousarray(values)


def _normalise_params(
    params: Mapping[str, Any], base: Mapping[str, Any], where: str, units: Sequence[Any]
) -> dict[str, Any]:
    """``base`` (the spec's normalise_params) with the user's normalisation parameters applied, as
    the C++ spec holds them: lo, hi, z_mean, z_sd, sd, ties, anchor, cap, reference_unit."""
    out = dict(base)
    for key, v in params.items():
        if key in ("range", "m_sd"):
            if isinstance(v, (str, bytes)) or np.ndim(v) != 1 or len(v) != 2:
                raise _core.Error(f"{where}: {key} must be a pair of numbers, got {v!r}")
            pair = (float(v[0]), float(v[1]))
            if key == "range":
                out["lo"], out["hi"] = pair
            else:
                out["z_mean"], out["z_sd"] = pair
        elif key in ("sd", "ties", "anchor"):
            out[key] = _choice(key, str(v))
        elif key == "cap":
            out[key] = None if v is None else bool(v)
        elif key == "reference":
            if v not in units:
                raise _core.Error(f"{where}: reference {v!r} is not a unit (a label of the data's index)")
            out["reference_unit"] = list(units).index(v)
        elif key == "iref":  # COINr's: the 1-based position of the reference unit
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or not 1 <= v <= len(units):
                raise _core.Error(f"{where}: iref must be a unit position from 1 to {len(units)}, got {v!r}")
            out["reference_unit"] = int(v) - 1
        else:
            out[key] = float(v)
    return out


def _treat_params(params: Mapping[str, Any], where: str) -> dict[str, Any]:
    """Outlier treatment parameters as the spec holds them (names checked by _step_choice)."""
    out: dict[str, Any] = {}
    for key, v in params.items():
        if key == "transform":
            out[key] = _choice("transform", "none" if v is None else str(v))
        elif key == "winmax":
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 0:
                raise _core.Error(f"{where}: winmax must be a whole number >= 0, got {v!r}")
            out[key] = int(v)
        elif key == "force_win":
            out[key] = bool(v)
        else:
            out[key] = float(v)
    return out


def from_coinr(
    iData: pd.DataFrame,
    iMeta: pd.DataFrame,
    *,
    pipeline: str | None = "coinr",
    use_group: str | None = None,
    time: Any = None,
    exclude: Sequence[str] | None = None,
    **choices: Any,
) -> Composite:
    """A :class:`Composite` from COINr's ``iData`` and ``iMeta`` tables (also
    :meth:`Composite.from_coinr`).

    Units are the rows of ``iData`` (index ``uCode``, sorted as COINr sorts them), indicators the
    ``Indicator`` rows of ``iMeta`` (in its order); the hierarchy, weights and directions come from
    ``Parent``, ``Weight`` and ``Direction``, targets from ``Target``, denominators from the
    ``Denominator`` columns and ``iMeta$Denominator``, names from ``iName`` (``labels``).
    ``pipeline="coinr"`` adds COINr's example pipeline (``build_example_coin()``: denominate,
    impute the group mean within the group column ``use_group`` (the mean without one), screen
    units below 90% data availability, treat outliers with winmax 5, min-max to [0, 100], weighted
    arithmetic mean); ``pipeline=None`` only the structure. ``time`` chooses one period of panel data;
    ``exclude`` drops indicators (and aggregates left without children), as ``new_coin(exclude=)``.
    Further keywords are Composite fields (COINr's names accepted, e.g. ``normalisation="n_zscore"``)
    and override the pipeline.

    The tables are checked by COINr's rules (check_iData, check_iMeta, new_coin); a bad one raises
    :class:`planeval.DataError` naming table, row (1-based data row) and column, e.g. ``iMeta row 4
    (Bord), column Parent: Parent "Physcal" is not the iCode of an Aggregate row``.
    """
    frame, kwargs = composite_arguments(
        iData, iMeta, pipeline=pipeline, use_group=use_group, time=time, exclude=exclude, **choices
    )
    return Composite(frame, **kwargs)


def _group_of(groups: Any, unit: Any) -> Any:
    try:
        g = groups[unit]
    except KeyError:
        raise _core.Error(f"groups: no group for unit {unit!r}") from None
    if g is None or g is _pandas().NA or (isinstance(g, float) and math.isnan(g)):
        return None  # a missing label: the unit has no group (COINr's NA in use_group)
    return g


class CompositeResult(Versioned):
    """The result of :meth:`Composite.run`.

    ``scores`` (units x nodes), ``ranks`` (units x nodes, nullable Int64: 1 = highest, ties min,
    missing scores have none), ``normalised`` and ``treated`` (units x indicators), ``strongest`` /
    ``weakest`` (per unit, the indicator with the highest / lowest normalised score), ``record``
    (the spec and what every step did), ``tree`` (the compiled hierarchy).
    """

    def __init__(self, composite: Composite, spec: dict[str, Any], raw: _CompositeArrays) -> None:
        pdx = _pandas()
        self.composite = composite
        #: the units kept by screening (every unit without it), in the data's order
        rows = np.asarray(raw["unit_rows"], dtype=np.int64)  # the input rows kept by screening
        self.kept_units: pd.Index = composite.data.index[rows]
        index = self.kept_units
        nodes = list(raw["tree"]["node_ids"])
        cols = composite.indicators()
        self.scores: pd.DataFrame = pdx.DataFrame(raw["scores"], index=index, columns=nodes)
        ranks = raw["ranks"].astype(np.int64)
        self.ranks: pd.DataFrame = pdx.DataFrame(ranks, index=index, columns=nodes).astype("Int64")
        self.ranks = self.ranks.mask(self.ranks == 0)
        self.normalised: pd.DataFrame = pdx.DataFrame(raw["normalised"], index=index, columns=cols)
        self.treated: pd.DataFrame = pdx.DataFrame(raw["treated"], index=index, columns=cols)
        self.strongest: pd.Series = pdx.Series(
            [cols[j] if j >= 0 else None for j in raw["strongest"]],
            index=index,
            name="strongest",
            dtype=object,
        )
        self.weakest: pd.Series = pdx.Series(
            [cols[j] if j >= 0 else None for j in raw["weakest"]], index=index, name="weakest", dtype=object
        )
        self.tree: _CompositeTree = raw["tree"]
        self.root: str = nodes[int(raw["tree"]["root"])]
        self.record: dict[str, Any] = {"spec": spec, **raw["record"]}

    @property
    def index(self) -> pd.Series:
        """The root's score per unit."""
        return self.scores[self.root]

    def replace(self, **changes: Any) -> CompositeResult:
        """Runs the same composite with the given choices changed (``r.replace(aggregation="geometric")``)."""
        return self.composite.replace(**changes).run()

    def steps(self) -> pd.DataFrame:
        """One row per indicator: its parent, weight, direction, values present, made missing by
        denomination and imputed, the outlier statistics and treatment, and the normalisation and its
        parameters (location: min / mean / reference value / baseline; scale: max / sd / target /
        goal; in the polarity-applied scale)."""
        pd = _pandas()
        spec = self.record["spec"]
        rows = []
        denominated = self.record.get("denominator_missing") or []
        for j, ind in enumerate(spec["indicators"]):
            o = self.record["outliers"][j] if self.record["outliers"] else None
            rows.append(
                {
                    "indicator": ind["id"],
                    "parent": ind["parent"],
                    "weight": ind["weight"],
                    "direction": ind["direction"],
                    "present": self.record["present"][j],
                    "denominator_missing": denominated[j] if denominated else 0,
                    "imputed": self.record["imputed"][j],
                    "skew": o["skew"] if o else math.nan,
                    "kurtosis": o["kurtosis"] if o else math.nan,
                    "winsorised": len(o["winsorised"]) if o else 0,
                    "log_transformed": bool(o["log_transformed"]) if o else False,
                    "normalisation": ind.get("normalisation", spec["normalisation"]),
                    "location": self.record["location"][j],
                    "scale": self.record["scale"][j],
                }
            )
        return pd.DataFrame(rows).set_index("indicator")

    @property
    def treatment(self) -> pd.DataFrame:
        """What outlier treatment did, one row per indicator (COINr's ``Dets_Table``): ``treated``,
        the check before (``skew``, ``kurtosis``, ``passed``: COINr's check_SkewKurt0), ``nwin`` (points
        winsorised, COINr's count), the check after winsorising (``skew_winsorised``,
        ``kurtosis_winsorised``, ``passed_winsorised``: check_SkewKurt1), ``transform`` (the transform
        that ran instead, or 'none'), and the statistics of the final values. Empty without treatment."""
        pd = _pandas()
        cols = self.composite.indicators()
        keys = [
            "treated",
            "skew",
            "kurtosis",
            "passed",
            "nwin",
            "skew_winsorised",
            "kurtosis_winsorised",
            "passed_winsorised",
            "transform",
            "skew_after",
            "kurtosis_after",
        ]
        rows = [{k: o.get(k) for k in keys} for o in self.record["outliers"]]
        frame = pd.DataFrame(rows, columns=keys, index=pd.Index(cols[: len(rows)], name="indicator"))
        return frame

    @property
    def treated_points(self) -> pd.DataFrame:
        """Every value replaced by winsorisation (COINr's ``Treated_Points`` in long form): indicator,
        unit, the value before and after, and ``side`` ('high': COINr's winhi, 'low': winlo)."""
        pd = _pandas()
        cols = self.composite.indicators()
        units = self.composite.data.index
        rows = [
            {
                "indicator": cols[j],
                "unit": units[p[0]],
                "before": p[1],
                "after": p[2],
                "side": "high" if p[3] else "low",
            }
            for j, o in enumerate(self.record["outliers"])
            for p in o.get("points", [])
        ]
        return pd.DataFrame(rows, columns=["indicator", "unit", "before", "after", "side"])

    @property
    def availability(self) -> pd.DataFrame:
        """The screening table, one row per unit of the data (COINr's Screen ``DataSummary``):
        ``missing`` (N_missing), ``zeros`` (N_zero), ``data_share`` (Dat_Avail), ``nonzero_share``
        (Non_Zero), ``low_data``, ``low_nonzero`` and ``included``. Without screening every unit is
        included and the shares are computed on the data as given to the step that would screen."""
        pd = _pandas()
        keys = ["missing", "zeros", "data_share", "nonzero_share", "low_data", "low_nonzero", "included"]
        screen = self.record.get("screen") or []
        if screen:
            return pd.DataFrame(
                [{k: a[k] for k in keys} for a in screen], columns=keys, index=self.composite.data.index
            )
        return pd.DataFrame(columns=keys, index=self.composite.data.index[:0])

    def data_sets(self) -> dict[str, pd.DataFrame]:
        """Every data set along the pipeline, as COINr keeps them in ``coin$Data``: ``Raw`` (the data),
        then one per step in the order run (``Denominated``, ``Imputed``, ``Screened``, ``Treated``,
        ``Normalised``), and ``Aggregated`` (the normalised indicators and every node's score).
        Computed on demand (one run per step)."""
        names = {
            "denominate": "Denominated",
            "impute": "Imputed",
            "screen": "Screened",
            "treat": "Treated",
            "normalise": "Normalised",
        }
        c = self.composite
        spec = self.record["spec"]
        steps = spec.get("steps") or OPTIONS["steps"]
        off: dict[str, dict[str, Any]] = {
            "denominate": {"denominate_by": None, "denominators": None},
            "impute": {"imputation": "none"},
            "screen": {"screening": "none"},
            "treat": {"outliers": "none"},
            "normalise": {"normalisation": "none"},
        }
        out: dict[str, pd.DataFrame] = {"Raw": c.data.copy()}
        for k in range(len(steps)):
            done = steps[: k + 1]
            if k == len(steps) - 1:
                out[names[steps[k]]] = (self.normalised if "normalise" in done else self.treated).copy()
                continue
            changes: dict[str, Any] = {
                "steps": list(done),
                "aggregation": "arithmetic",
                "power": 1.0,
                "min_share": 0.0,
            }
            for later in steps[k + 1 :]:
                changes.update(off[later])
            r = c.replace(**changes).run()
            out[names[steps[k]]] = r.normalised if "normalise" in done else r.treated
        pd = _pandas()
        out["Aggregated"] = pd.concat([self.normalised, self.scores], axis=1)
        return out

    @property
    def denominated(self) -> pd.DataFrame:
        """The data after denomination (COINr's ``Denominated`` data set): :meth:`data_sets`."""
        sets = self.data_sets()
        return sets.get("Denominated", sets["Raw"])

    # --- analysis (planeval._composite_analysis, COINr's get_* tools) -----------------------------

    def effective_weights(self) -> pd.DataFrame:
        """Each indicator's and node's effective weight in the index (COINr's get_eff_weights)."""
        from . import _composite_analysis

        return _composite_analysis.effective_weights(self)

    def cronbach_alpha(self, node: str | None = None, *, columns: Sequence[str] | None = None) -> float:
        """Cronbach's alpha of a node's children (COINr's get_cronbach); ``columns`` for any set."""
        from . import _composite_analysis

        return _composite_analysis.cronbach_alpha(self, node, columns=columns)

    def indicator_stats(
        self,
        *,
        t_skew: float = 2.0,
        t_kurt: float = 3.5,
        t_avail: float = 0.65,
        t_zero: float = 0.5,
        t_unq: float = 0.5,
        sd: str = "sample",
    ) -> pd.DataFrame:
        """The indicator statistics table of the normalised data (COINr's get_stats)."""
        from . import _composite_analysis

        return _composite_analysis.indicator_stats(
            self, t_skew=t_skew, t_kurt=t_kurt, t_avail=t_avail, t_zero=t_zero, t_unq=t_unq, sd=sd
        )

    def correlations(
        self, method: str = "pearson", *, columns: Sequence[str] | None = None, pval: float | None = None
    ) -> pd.DataFrame:
        """Correlations of the indicators and node scores (COINr's get_corr): pearson, spearman or
        kendall, pairwise complete; ``pval`` masks those whose p-value (of the same method)
        exceeds it."""
        from . import _composite_analysis

        return _composite_analysis.correlations(self, method, columns=columns, pval=pval)

    def correlation_pvalues(
        self, method: str = "pearson", *, columns: Sequence[str] | None = None
    ) -> pd.DataFrame:
        """The two-sided p-values of the correlations (COINr's get_pvals, R's cor.test): pearson
        (t distribution), spearman or kendall (exact for small untied samples, as R)."""
        from . import _composite_analysis

        return _composite_analysis.correlation_pvalues(self, method, columns=columns)

    def parent_correlations(self, method: str = "pearson") -> pd.DataFrame:
        """Each indicator's and node's correlation with its parent (COINr's get_corr_flags' basis)."""
        from . import _composite_analysis

        return _composite_analysis.parent_correlations(self, method)

    def outranking(
        self,
        weights: Mapping[str, float] | Sequence[float] | None = None,
        *,
        columns: Sequence[str] | None = None,
    ) -> Any:
        """The outranking matrix of the units (COINr's outrankMatrix): an ``Outranking`` tuple."""
        from . import _composite_analysis

        return _composite_analysis.outranking(self, weights, columns=columns)

    def copeland(
        self,
        weights: Mapping[str, float] | Sequence[float] | None = None,
        *,
        columns: Sequence[str] | None = None,
    ) -> pd.Series:
        """Copeland scores of the units (COINr's a_copeland)."""
        from . import _composite_analysis

        return _composite_analysis.copeland(self, weights, columns=columns)

    def strengths_weaknesses(self, unit: Any, **options: Any) -> tuple[pd.DataFrame, pd.DataFrame]:
        """A unit's strongest and weakest indicators (COINr's get_str_weak); ``options`` as
        :func:`planeval._composite_analysis.strengths_weaknesses` (top, bottom, ...)."""
        from . import _composite_analysis

        return _composite_analysis.strengths_weaknesses(self, unit, **options)

    def to_frame(self) -> pd.DataFrame:
        """One row per unit: the score of every node (root first), the root's rank, the strongest and
        weakest indicators."""
        out = self.scores.copy()
        out.insert(1, "rank", self.ranks[self.root])
        out["strongest"] = self.strongest
        out["weakest"] = self.weakest
        return out

    def __repr__(self) -> str:
        n = len(self.scores)
        return (
            f"CompositeResult({n} units, nodes={list(self.scores.columns)}, "
            f"normalisation={self.record['spec']['normalisation']!r})"
        )

    def _repr_html_(self) -> str:
        esc = html.escape
        frame = self.to_frame().sort_values("rank", na_position="last")
        head = "".join(f"<th>{esc(str(c))}</th>" for c in ["unit", *frame.columns])
        body = []
        for unit, row in frame.head(50).iterrows():
            cells = [f"<td>{esc(str(unit))}</td>"]
            for c in frame.columns:
                v = row[c]
                if isinstance(v, float):
                    text = "" if math.isnan(v) else f"{v:.2f}"
                else:
                    text = "" if v is None or v is _pandas().NA else str(v)
                cells.append(f"<td>{esc(text)}</td>")
            body.append("<tr>" + "".join(cells) + "</tr>")
        spec = self.record["spec"]
        return (
            f"<div><p><b>Composite</b> · {len(frame)} units · {len(spec['indicators'])} indicators · "
            f"normalisation {esc(spec['normalisation'])} · imputation {esc(spec['imputation'])} · "
            f"outliers {esc(spec['outliers'])}</p><table><thead><tr>{head}</tr></thead>"
            f"<tbody>{''.join(body)}</tbody></table></div>"
        )


# --- value-added --------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, eq=False)
class ValueAdded(Versioned):
    """The result of :func:`value_added`: ``frame`` (one row per unit: actual, baseline, expected,
    value_added, rank), and for the regression method ``coefficients`` (a Series: intercept,
    baseline, covariates), ``r_squared`` and ``fitted_units``."""

    method: str
    frame: pd.DataFrame
    coefficients: pd.Series | None
    r_squared: float | None
    fitted_units: int

    def __repr__(self) -> str:
        fit = f", r_squared={self.r_squared:.4f}" if self.r_squared is not None else ""
        return f"ValueAdded(method={self.method!r}, units={len(self.frame)}{fit})"

    def _repr_html_(self) -> str:
        fit = ""
        if self.coefficients is not None:
            coef = ", ".join(f"{html.escape(str(k))} = {v:.4g}" for k, v in self.coefficients.items())
            fit = f"<p>OLS: {coef}; R² = {self.r_squared:.4f} ({self.fitted_units} units)</p>"
        return f"<div><p><b>Value added</b> ({html.escape(self.method)})</p>{fit}{self.frame.to_html()}</div>"


def _float_values(values: Any, name: str) -> Any:
    """A float64 array of numbers, NaN or None (missing): TypeError naming the position of a text or
    other non-number, DataError naming the position of ±inf (API conventions 2 and 3)."""
    if isinstance(values, (str, bytes)):
        raise _core.ArgumentTypeError(
            f"{name}: expected numbers (an array or a number), got {type(values).__name__}"
        )
    raw = np.asarray(values)
    if raw.ndim == 0:
        raw = raw.reshape(1)  # a scalar is a one-element array
    if raw.dtype.kind in "OUSb":
        out = np.empty(raw.shape, dtype=np.float64)
        na = getattr(sys.modules.get("pandas"), "NA", None)
        for i, v in enumerate(raw.tolist()):
            if v is None or v is na:
                out[i] = np.nan
            elif isinstance(v, (str, bytes, bool)) or not isinstance(v, (int, float, np.number)):
                raise _core.ArgumentTypeError(
                    f"{name}[{i}]: expected a number or NaN/None (missing), got {type(v).__name__} {v!r}"
                    + ("; numbers given as text are parsed by the readers" if isinstance(v, str) else "")
                )
            else:
                out[i] = float(v)
        arr = out
    else:
        arr = raw.astype(np.float64)
    bad = np.flatnonzero(np.isinf(arr.reshape(-1)))
    if bad.size:
        i = int(bad[0])
        raise _core.DataError(
            f"{name}[{i}]: expected a finite number or NaN (missing), got {arr.reshape(-1)[i]:g}"
        )
    return arr


def _as_series(values: Any, index: Any, name: str) -> Any:
    """A float64 Series: a Series is aligned on `index` (when given), an array must have its length."""
    pd = _pandas()
    if isinstance(values, pd.Series):
        if index is not None:
            values = values.reindex(index)
        numeric = pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)
        raw = values.to_numpy(dtype=np.float64, na_value=np.nan) if numeric else values.to_numpy(dtype=object)
        return pd.Series(_float_values(raw, name), index=values.index, name=name)
    arr = _float_values(values, name)
    if arr.ndim != 1:
        raise _core.DataError(f"{name}: expected a 1-D array or a Series, got {arr.ndim} dimensions")
    if index is not None and len(arr) != len(index):
        raise _core.DataError(f"{name}: expected {len(index)} values (one per unit), got {len(arr)}")
    return pd.Series(arr, index=index, name=name)


def value_added(
    actual: Any,
    baseline: Any = None,
    *,
    method: str = "gain",
    direction: str = "higher",
    covariates: Any = None,
    intercept: bool = True,
    baseline_year: float | None = None,
    target: float | Any = None,
    target_year: float | None = None,
    year: float | None = None,
) -> ValueAdded:
    """Value-added (增值评价) per unit: actual − expected (lower-is-better: expected − actual).

    ``method``: ``gain`` (expected = baseline), ``planned_path`` (expected on the straight line from
    (baseline_year, baseline) to (target_year, target) at ``year``, 序时进度; ``target`` a number or
    one per unit), or ``regression`` (OLS of actual on the baseline and ``covariates`` across the
    units, the residual; a DataFrame whose non-numeric columns become dummies, first level dropped).
    ``actual`` and ``baseline`` are Series (aligned on the actual's index) or arrays; NaN is
    missing. Ranks: the highest value added is 1, ties take the minimum rank.
    """
    pd = _pandas()
    _choice("value_added", method)
    a = _as_series(actual, None, "actual")
    index = a.index
    if baseline is None:
        raise _core.Error("baseline: every value-added method needs the baseline values")
    b = _as_series(baseline, index, "baseline")
    cov = None
    names = ["baseline"]
    if covariates is not None:
        if isinstance(covariates, pd.DataFrame):
            frame = covariates.reindex(index) if index.isin(covariates.index).all() else covariates
        else:
            frame = pd.DataFrame(np.asarray(covariates, dtype=np.float64))
            frame.columns = [f"covariate{i}" for i in range(frame.shape[1])]
        text = [c for c in frame.columns if not pd.api.types.is_numeric_dtype(frame[c])]
        if text:
            frame = pd.get_dummies(frame, columns=text, drop_first=True, dtype=np.float64)
        cov = np.ascontiguousarray(frame.to_numpy(dtype=np.float64, na_value=np.nan))
        names += [str(c) for c in frame.columns]
    tv = None
    if target is not None:
        scalar = np.ndim(target) == 0 and not isinstance(target, pd.Series)
        tv = (
            np.asarray([target], dtype=np.float64)
            if scalar
            else _as_series(target, index, "target").to_numpy()
        )
    raw = _core._value_added(
        method,
        a.to_numpy(dtype=np.float64),
        b.to_numpy(dtype=np.float64),
        direction=_polarity(direction, "direction"),
        baseline_year=None if baseline_year is None else np.asarray([baseline_year], dtype=np.float64),
        target_value=tv,
        target_year=None if target_year is None else np.asarray([target_year], dtype=np.float64),
        year=year,
        covariates=cov,
        intercept=intercept,
    )
    ranks = pd.Series(raw["rank"].astype(np.int64), index=index).astype("Int64")
    frame_out = pd.DataFrame(
        {
            "actual": a.to_numpy(),
            "baseline": b.to_numpy(),
            "expected": raw["expected"],
            "value_added": raw["value_added"],
        },
        index=index,
    )
    frame_out["rank"] = ranks.mask(ranks == 0)
    coefficients = None
    r2 = None
    if method == "regression":
        coefficients = pd.Series(raw["coefficients"], index=(["intercept"] if intercept else []) + names)
        r2 = float(raw["r_squared"])
    return ValueAdded(method, frame_out, coefficients, r2, int(raw["fitted_units"]))


# --- data from a plan -----------------------------------------------------------------------------


def frame_from_observations(
    plan: Plan,
    observations: Observations,
    *,
    year: int,
    indicators: Sequence[str] | None = None,
    level: str | int = "school",
) -> pd.DataFrame:
    """The units x indicators frame of a composite from observations: ``plan.rollup`` at ``level``
    (each indicator's own rules) for calendar year ``year``, one row per entity that has a value,
    one column per indicator (in the order of ``indicators`` when given). Values the roll-up leaves
    undefined are NaN. The index holds entity ids (name ``entity``)."""
    pd = _pandas()
    r = plan.rollup(observations, level=level, period="calendar_year", indicators=indicators)
    if not isinstance(r, pd.DataFrame):  # pragma: no cover - pandas is imported above
        r = pd.DataFrame(r)
    r = r[pd.to_datetime(r["period_start"]).dt.year == year]
    values = r["value"].where(r["defined"].astype(bool))
    wide = pd.DataFrame({"entity": r["entity"], "indicator": r["indicator"], "value": values}).pivot(
        index="entity", columns="indicator", values="value"
    )
    if indicators is not None:
        wide = wide.reindex(columns=list(indicators))
    wide = wide.dropna(how="all")  # entities the roll-up lists without any defined value
    wide.columns = [str(c) for c in wide.columns]
    wide.index = wide.index.astype(object)
    wide.index.name = "entity"
    return wide.astype(np.float64)


def entity_groups(plan: Plan, units: Iterable[str], by: str = "stage") -> pd.Series:
    """A label per unit from the plan's entities (``by``: 'stage', 'parent' or 'kind'), for
    ``groups=`` (group_mean imputation) or value-added covariates. Units the plan does not know
    raise :class:`planeval.Error`."""
    pd = _pandas()
    known = {e.id: e for e in plan.entities}
    labels = []
    units = list(units)
    for u in units:
        if u not in known:
            raise _core.Error(f"units: the plan has no entity {u!r}")
        labels.append(getattr(known[u], by))
    return pd.Series(labels, index=pd.Index(units, name="entity"), name=by, dtype=object)
