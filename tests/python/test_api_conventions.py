"""The API conventions (README "API conventions", issue 14) as one table over the whole public API.

Every public function and method of planeval (``planeval.__all__``, the submodules ``rules``,
``composite`` and ``sensitivity``, and the public methods of their classes) has a row in ``ROWS``;
``test_every_public_function_has_a_row`` fails when a function is added without one. A row lists the
conventions that apply to the function (the inputs it takes), each as a small call; the same bad input
then gives the same outcome everywhere:

- ``nan``: NaN (or None) in numeric input is missing, not an error;
- ``inf``: ±inf raises DataError naming the position;
- ``str``: a str where numbers go raises TypeError;
- ``scalar``: a number where an array goes works as a one-element array;
- ``as_of``: a date given as ``2023``, ``"2023-12-31"`` or ``date(2023, 12, 31)`` gives one result;
- ``period``: ``2023``, ``"2023"`` and ``Period.calendar_year(2023)`` give one result;
- ``threads``: ``threads=0`` (every core) and ``1`` give one result, ``-1`` raises Error;
- ``lang``: ``"en"`` works, ``"fr"`` raises Error naming both "zh" and "en";
- ``missing``: DHIS2's policy names (any case) work as planeval's.

A row with no conventions (``{}``) is a function that takes none of these inputs (ids, paths, plan
items...). Rows of functions being changed in this session by another owner that do not pass yet are
in ``PENDING`` (strict xfail naming the owner), for the lead to fix at integration.
"""

from __future__ import annotations

import datetime as dt
import inspect
import math
import pathlib
import pickle
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import planeval
from planeval import composite, rules, sensitivity

NAN = math.nan
INF = math.inf
D2023 = dt.date(2023, 12, 31)


# --- the enumeration ----------------------------------------------------------------------------


def public_names() -> set[str]:
    """Every public function, class and method: the names the table must cover."""
    out: set[str] = set()
    for prefix, module in (
        ("", planeval),
        ("composite.", composite),
        ("sensitivity.", sensitivity),
        ("rules.", rules),
    ):
        for name in module.__all__:
            obj = getattr(module, name)
            if name.startswith("_") or inspect.ismodule(obj) or not callable(obj):
                continue
            out.add(prefix + name)
            if not inspect.isclass(obj):
                continue
            for klass in obj.__mro__:
                if not (getattr(klass, "__module__", "") or "").startswith("planeval"):
                    continue
                for member, value in vars(klass).items():
                    if member.startswith("_") or isinstance(value, property):
                        continue
                    if callable(getattr(obj, member, None)):
                        out.add(f"{prefix}{name}.{member}")
    return out


# --- shared inputs ------------------------------------------------------------------------------

PLAN = planeval.example_plan()


def _obs_small() -> Any:
    """Observations of the small plan of test_evaluate's shape: built from the example plan's ids."""
    ind = PLAN.indicators[0].id
    ent = PLAN.entities[0].id
    obs, _ = planeval.observations_from_arrays(PLAN, indicator=[ind], entity=[ent], year=[2022], value=[1.0])
    return obs


def _report_dict(as_of: object = D2023, threads: int = 1) -> Any:
    return planeval.evaluate(PLAN, None, as_of=as_of, threads=threads).to_dict()  # type: ignore[arg-type]


def _plan_report_dict(as_of: object = D2023, threads: int = 1) -> Any:
    return PLAN.evaluate(None, as_of=as_of, threads=threads).to_dict()  # type: ignore[arg-type]


def _frame_small() -> Any:
    """The rows of _obs_small as a DataFrame (a partition of rollup_partitions)."""
    import pandas as pd

    ind, ent = PLAN.indicators[0].id, PLAN.entities[0].id
    return pd.DataFrame({"indicator": [ind], "entity": [ent], "year": [2022], "value": [1.0]})


def _in_parts(**kwargs: Any) -> str:
    """Plan.rollup_states finalised, and rollup_partitions, on the small rows: one result."""
    states = _key(PLAN.rollup_states(_obs_small(), level="district", **kwargs).finalise(PLAN))
    parts = _key(planeval.rollup_partitions(PLAN, [_frame_small()], level="district", ids=True, **kwargs))
    direct = _key(PLAN.rollup_arrays(_obs_small(), level="district", **kwargs))
    assert states == direct
    return parts


def _evaluate_in_parts(as_of: object = D2023, threads: int = 1) -> Any:
    """Plan.evaluate_states finalised, and evaluate_partitions, on the small rows: evaluate's report."""
    states = PLAN.evaluate_states(_obs_small(), as_of=as_of, threads=threads).finalise(PLAN).to_dict()  # type: ignore[arg-type]
    parts = planeval.evaluate_partitions(PLAN, [_frame_small()], as_of=as_of, threads=threads).to_dict()  # type: ignore[arg-type]
    assert states == parts == planeval.evaluate(PLAN, _obs_small(), as_of=as_of).to_dict()  # type: ignore[arg-type]
    return parts


EVALUATE_IN_PARTS: dict[str, Callable[..., Any]] = {
    "as_of": lambda d: _evaluate_in_parts(as_of=d),
    "threads": lambda n: _evaluate_in_parts(threads=n),
}


def _k_of_n_in_parts(threads: int) -> str:
    """Plan.rollup_k_of_n_states finalised, and rollup_k_of_n_partitions, on the small rows: one result."""
    kwargs: dict[str, Any] = {
        "level": "district",
        "indicators": [PLAN.indicators[0].id],
        "criteria": {"小学": [(">=", 1.0)]},
        "k": 1,
        "threads": threads,
    }
    states = _key(PLAN.rollup_k_of_n_states(_obs_small(), **kwargs).finalise(PLAN))
    parts = _key(planeval.rollup_k_of_n_partitions(PLAN, [_frame_small()], **kwargs))
    assert states == parts == _key(PLAN.rollup_k_of_n(_obs_small(), **kwargs))
    return parts


IN_PARTS: dict[str, Callable[..., Any]] = {
    "threads": lambda n: _in_parts(threads=n),
    "missing": lambda m: _in_parts(missing=m),
}


def _key(result: Any) -> str:
    """A comparable text of a roll-up result (a DataFrame or a dict of arrays; NaN equal to NaN)."""
    if hasattr(result, "to_json"):
        return str(result.to_json(date_format="iso"))
    return repr({k: np.asarray(v).tolist() for k, v in result.items()})


def _county() -> tuple[Any, Any, Any]:
    """A tiny county for evaluate_standard: the example plan and no observations."""
    standard = planeval.builtin_standard(planeval.builtin_standard_ids()[0])
    return standard, PLAN, _obs_small()


def _standard_reasons(period: object) -> list[str]:
    s, p, o = _county()
    r = planeval.evaluate_standard(s, p, o, period=period)  # type: ignore[arg-type]
    return [x.code + ":" + x.unit for x in r.reasons]


def _standard_reasons_in_parts(period: object) -> list[str]:
    """standard_states finalised, and evaluate_standard_partitions, on the small rows: one result."""
    s, p, o = _county()
    states = planeval.standard_states(s, p, o, period=period).finalise(s, p)  # type: ignore[arg-type]
    parts = planeval.evaluate_standard_partitions(s, p, [_frame_small()], period=period)
    assert [x.code for x in states.reasons] == [x.code for x in parts.reasons]
    return [x.code + ":" + x.unit for x in parts.reasons]


def _out(name: str) -> str:
    """A path ``name`` in a fresh temporary folder (the rows of the writers)."""
    import tempfile

    return str(pathlib.Path(tempfile.mkdtemp(prefix="planeval-conventions-")) / name)


def _standard_result() -> Any:
    s, p, o = _county()
    return planeval.evaluate_standard(s, p, o, period=2023)


def _assessment() -> Any:
    return planeval.assess("linear", baseline=(2020, 50.0), current=(2023, 60.0), target=(2025, 80.0))


def _frame(**columns: Any) -> Any:
    pd = pytest.importorskip("pandas")
    return pd.DataFrame(columns)


def _coin(x: list[Any], *, via_class: bool = False) -> Any:
    """A composite from COINr's tables (iData, iMeta) with indicator x = ``x`` and y, run."""
    pd = pytest.importorskip("pandas")
    i_data = pd.DataFrame({"uCode": ["A", "B", "C"], "x": x, "y": [3.0, 1.0, 2.0]})
    i_meta = pd.DataFrame(
        {
            "Level": [1, 1, 2],
            "iCode": ["x", "y", "Index"],
            "Parent": ["Index", "Index", None],
            "Direction": [1, 1, 1],
            "Weight": [1.0, 1.0, 1.0],
            "Type": ["Indicator", "Indicator", "Aggregate"],
        }
    )
    build = composite.Composite.from_coinr if via_class else composite.from_coinr
    return build(i_data, i_meta, pipeline=None).run()


def _rank(threads: int) -> Any:
    data = np.array([[1.0, 2.0], [3.0, 1.0], [2.0, 2.5]])
    r = sensitivity.rank_uncertainty(
        [data],
        {"a": "index", "b": "index"},
        replications=20,
        seed=1,
        threads=threads,
        indicators=["a", "b"],
        progress=False,
    )
    return r.shift_a.tolist()


def _composite_uncertainty(threads: int) -> Any:
    # output range above 0: the geometric alternative needs positive values (zeros="error" default)
    c = composite.Composite(_frame(x=[1.0, 2.0, 3.0], y=[3.0, 1.0, 2.0]), output_range=(1.0, 100.0))
    return c.uncertainty(replications=20, seed=1, threads=threads, progress=False).shift_a.tolist()


# --- rule classes (rules.*): generated rows ------------------------------------------------------

WEIGHTS_REQUIRED = {"WeightedMean", "RatioOfSums", "MeanOfRatios"}
CONSTRUCTOR: dict[str, dict[str, Any]] = {
    "KOfN": {"criteria": [(">=", 1.0)], "k": 1},
    "StructureShares": {"target": [1.0, 1.0]},
}


def _rule(name: str, **kwargs: Any) -> Any:
    return getattr(rules, name)(**{**CONSTRUCTOR.get(name, {}), **kwargs})


def _observe(name: str, values: Any) -> Any:
    """observe() of rule `name` with `values` in the numeric argument (the others filled in)."""
    n = 1 if np.ndim(values) == 0 or isinstance(values, str) else len(values)
    state = _rule(name, target=[1.0] * n) if name == "StructureShares" else _rule(name)
    if name in ("First", "Last"):
        return state.observe(np.array(["2021-01-01"] * n, dtype="datetime64[D]"), values)
    if name == "YearOverYear":
        return state.observe(np.arange(2020, 2020 + n), values)
    if name == "StructureShares":
        return state.observe(np.arange(n), values)
    if name == "KOfN":  # a units x criteria matrix: one criterion
        return state.observe(np.reshape(np.asarray(values), (-1, 1)))
    if name in WEIGHTS_REQUIRED:
        return state.observe(values, np.ones(n))
    return state.observe(values)


def _rule_rows() -> dict[str, dict[str, Callable[..., Any]]]:
    rows: dict[str, dict[str, Callable[..., Any]]] = {}
    for name in rules.__all__:
        cls = getattr(rules, name)
        if not inspect.isclass(cls) or not hasattr(cls, "observe"):
            continue
        rows[f"rules.{name}"] = {"missing": lambda m, name=name: _rule(name, missing=m).missing}
        rows[f"rules.{name}.observe"] = {
            "nan": lambda name=name: _observe(name, [1.0, NAN]),
            "inf": lambda name=name: _observe(name, [1.0, INF]),
            "str": lambda name=name: _observe(name, ["1", "2"]),
            "scalar": lambda name=name: _observe(name, 2.0),
        }
        if name == "KOfN":  # takes a units x criteria matrix, not an array of values
            del rows[f"rules.{name}.observe"]["scalar"]
        rows[f"rules.{name}.to_bytes"] = {}
        rows[f"rules.{name}.from_bytes"] = {}
        if hasattr(cls, "merge"):
            rows[f"rules.{name}.merge"] = {}
    rows["rules.UnitResult"] = {}
    rows["rules.rule_names"] = {}  # the registry's name tables
    rows["rules.rule_aliases"] = {}
    return rows


# --- the table ----------------------------------------------------------------------------------

NONE: dict[str, Callable[..., Any]] = {}

ROWS: dict[str, dict[str, Callable[..., Any]]] = {
    # value types and exceptions: constructed from plan items, ids and text
    **{
        name: NONE
        for name in (
            "ArgumentTypeError",
            "CancelledError",
            "Conflict",
            "Constant",
            "DataError",
            "Diagnostic",
            "Document",
            "Domain",
            "Entity",
            "Error",
            "ExpressionError",
            "Goal",
            "IngestNote",
            "IngestReport",
            "Note",
            "Observation",
            "Observations",
            "PlanError",
            "PlanevalWarning",
            "Point",
            "Rejection",
            "Source",
            "Standard",
            "StandardError",
            "StandardReason",
            "StandardResult",
            "Target",
            "Text",
            "Assessment",
            "Expression",
            "Period",
            "Phase",
            "Plan",
            "Report",
            "TargetResult",
            "PhaseSummary",
            "Problem",
            "sensitivity.CancelledError",
            "sensitivity.RankUncertainty",
            "sensitivity.SobolIndices",
            "composite.CompositeResult",
            "composite.ValueAdded",
        )
    },
    # methods that take ids, paths, plan items, or nothing
    **{
        name: NONE
        for name in (
            "Assessment.from_dict",
            "Assessment.to_dict",
            "Expression.substitute",
            "IngestReport.add_note",
            "IngestReport.to_frame",
            "IngestReport.to_csv",
            "Observations.copy",
            "Observations.to_frame",
            "Observations.to_csv",
            "Period.calendar_year",
            "Period.school_year",
            "Period.contains",
            "Period.overlaps",
            "Phase.contains",
            "PhaseSummary.to_dict",
            "Plan.add_conflict",
            "Plan.add_constant",
            "Plan.add_domain",
            "Plan.add_entity",
            "Plan.add_indicator",
            "Plan.add_note",
            "Plan.add_observation",
            "Plan.add_phase",
            "Plan.add_standard",
            "Plan.add_standard_indicators",
            "Plan.add_target",
            "Plan.counts",
            "Plan.domain_name",
            "Plan.entity",
            "Plan.indicator",
            "Plan.indicators_frame",
            "Plan.phase",
            "Plan.phase_at",
            "Plan.rollup_batch",
            "Plan.save",
            "Plan.standard",
            "Plan.standard_json",
            "Plan.target",
            "Plan.target_kind",
            "Plan.targets_frame",
            "Plan.to_json",
            "Plan.warnings",
            "Problem.to_dict",
            "Report.status",
            "Report.target",
            "Report.to_dict",
            "Report.to_frame",
            "Report.to_csv",
            "Report.to_json",
            "Standard.indicators_frame",
            "StandardResult.composites_frame",
            "StandardResult.criteria_frame",
            "StandardResult.cvs_frame",
            "StandardResult.groups_frame",
            "StandardResult.reasons_frame",
            "StandardResult.units_frame",
            "TargetResult.to_dict",
            "assess_categories",
            "assess_defaults",
            "assess_methods",
            "builtin_standard",
            "builtin_standard_ids",
            "builtin_standard_json",
            "calendar_year_of",
            "school_year_of",
            "to_csv",
            "derive",
            "example_plan",
            "example_plan_json",
            "find_cjk_font",
            "format_date",
            "format_period",
            "label_columns",
            "load_plan",
            "load_standard",
            "observations_from_arrow",
            "observations_from_frame",
            "parse_date",
            "parse_expression",
            "parse_period",
            "parse_plan",
            "parse_standard",
            "read_csv",
            "read_excel",
            "read_observations",
            "read_parquet",
            "EvaluationPartial",
            "EvaluationPartial.finalise",
            "EvaluationPartial.from_bytes",
            "EvaluationPartial.to_bytes",
            "KOfNPartial",
            "KOfNPartial.finalise",
            "KOfNPartial.from_bytes",
            "KOfNPartial.to_bytes",
            "RollupPartial",
            "RollupPartial.finalise",
            "RollupPartial.from_bytes",
            "RollupPartial.to_bytes",
            "StandardPartial",
            "StandardPartial.finalise",
            "StandardPartial.from_bytes",
            "StandardPartial.to_bytes",
            "write_check_reports",
            "excel_template",
            "plot_rank_uncertainty",
            "composite.Composite.denominator_matrix",
            "composite.Composite.indicators",
            "composite.Composite.to_coinr",
            "composite.CompositeResult.data_sets",
            "composite.to_coinr",
            "composite.Composite.matrix",
            "composite.Composite.nodes",
            "composite.Composite.normalised",
            "composite.Composite.replace",
            "composite.Composite.run",
            "composite.Composite.spec",
            "composite.Composite.tree",
            "composite.Composite.units",
            "composite.CompositeResult.replace",
            "composite.CompositeResult.steps",
            "composite.CompositeResult.to_frame",
            "composite.directions_from_plan",
            "composite.entity_groups",
            "composite.frame_from_observations",
            "composite.goalposts_for_units",
            "composite.goalposts_from_plan",
            "composite.targets_for_units",
            "composite.targets_from_plan",
            "sensitivity.SobolIndices.to_dict",
            "sensitivity.SobolIndices.to_frame",
            "sensitivity.draw_columns",
            "sensitivity.saltelli_sample",
            "sensitivity.sobol_points",
            "sensitivity.uniform_draws",
            "sensitivity.indices",
            "sensitivity.sobol_indices",
        )
    },
    # a derived indicator's missing-value policy
    "Indicator": {
        "missing": lambda m: planeval.Indicator("r", "率", "%", "rate", expression="#{a}", missing=m).missing,
    },
    # numeric arrays
    "aggregate": {
        "nan": lambda: planeval.aggregate("mean", [1.0, NAN, 3.0]) == 2.0,
        "inf": lambda: planeval.aggregate("mean", [1.0, INF]),
        "str": lambda: planeval.aggregate("mean", ["1", "2"]),
        "scalar": lambda: planeval.aggregate("sum", 4.0) == 4.0,
        "missing": lambda m: planeval.aggregate("mean", [1.0, NAN, 3.0], missing=m),
    },
    "evaluate_expression": {
        "nan": lambda: planeval.evaluate_expression("#{a} + 1", {"a": [1.0, NAN]}),
        "inf": lambda: planeval.evaluate_expression("#{a} + 1", {"a": [1.0, INF]}),
        "str": lambda: planeval.evaluate_expression("#{a} + 1", {"a": ["1", "2"]}),
        "scalar": lambda: planeval.evaluate_expression("#{a} + 1", {"a": 2.0}),
        "missing": lambda m: planeval.evaluate_expression("#{a} + #{b}", {"a": [1.0], "b": [NAN]}, missing=m),
    },
    "assess": {
        "nan": lambda: planeval.assess(
            "linear", baseline=(2020, 50.0), current=(2023, NAN), target=(2025, 80.0)
        ),
        "inf": lambda: planeval.assess(
            "linear", baseline=(2020, 50.0), current=(2023, INF), target=(2025, 80.0)
        ),
        "str": lambda: planeval.assess(
            "linear", baseline=(2020, "50"), current=(2023, 60.0), target=(2025, 80.0)
        ),
    },
    "statcan_multi": {
        "nan": lambda: planeval.statcan_multi([{"baseline": (2020, 50.0), "current": (2023, NAN)}]),
        "inf": lambda: planeval.statcan_multi([{"baseline": (2020, 50.0), "current": (2023, INF)}]),
        "str": lambda: planeval.statcan_multi([{"baseline": (2020, 50.0), "current": (2023, "60")}]),
    },
    "split_combined_school": {
        "nan": lambda: planeval.split_combined_school(NAN, [100.0, 200.0], [1.0, 1.0]),
        "inf": lambda: planeval.split_combined_school(INF, [100.0, 200.0], [1.0, 1.0]),
        "str": lambda: planeval.split_combined_school(10.0, ["100", "200"], [1.0, 1.0]),
    },
    "observations_from_arrays": {
        # A reader: a NaN value not flagged missing= is rejected (accounted for), not taken as missing
        # (README, API conventions item 2); test_a_reader_rejects_an_unflagged_nan below.
        "inf": lambda: planeval.observations_from_arrays(
            PLAN, indicator=[PLAN.indicators[0].id], entity=[PLAN.entities[0].id], year=[2022], value=[INF]
        ),
    },
    "composite.from_coinr": {
        "nan": lambda: _coin([1.0, NAN, 3.0]),
        "inf": lambda: _coin([1.0, INF, 3.0]),
        "str": lambda: _coin(["1", "2", "3"]),
    },
    "composite.Composite.from_coinr": {
        "nan": lambda: _coin([1.0, NAN, 3.0], via_class=True),
        "inf": lambda: _coin([1.0, INF, 3.0], via_class=True),
        "str": lambda: _coin(["1", "2", "3"], via_class=True),
    },
    "composite.Composite": {
        "nan": lambda: composite.Composite(_frame(x=[1.0, NAN, 3.0], y=[3.0, 1.0, 2.0])).run(),
        "inf": lambda: composite.Composite(_frame(x=[1.0, INF, 3.0], y=[3.0, 1.0, 2.0])).run(),
        "str": lambda: composite.Composite(_frame(x=["1", "2", "3"], y=[3.0, 1.0, 2.0])).run(),
    },
    "composite.value_added": {
        "nan": lambda: composite.value_added([1.0, NAN, 3.0], [1.0, 2.0, 2.0]),
        "inf": lambda: composite.value_added([1.0, INF, 3.0], [1.0, 2.0, 2.0]),
        "str": lambda: composite.value_added(["1", "2", "3"], [1.0, 2.0, 2.0]),
        "scalar": lambda: composite.value_added(2.0, 1.0),
    },
    "sensitivity.rank_uncertainty": {
        "nan": lambda: sensitivity.rank_uncertainty(
            [np.array([[1.0, NAN], [3.0, 1.0], [2.0, 2.5]])],
            {"a": "index", "b": "index"},
            replications=5,
            indicators=["a", "b"],
            progress=False,
        ),
        "inf": lambda: sensitivity.rank_uncertainty(
            [np.array([[1.0, INF], [3.0, 1.0], [2.0, 2.5]])],
            {"a": "index", "b": "index"},
            replications=5,
            indicators=["a", "b"],
            progress=False,
        ),
        "str": lambda: sensitivity.rank_uncertainty(
            [np.array([["1", "2"], ["3", "1"]])],
            {"a": "index", "b": "index"},
            replications=5,
            indicators=["a", "b"],
            progress=False,
        ),
        "threads": _rank,
    },
    "composite.Composite.uncertainty": {"threads": _composite_uncertainty},
    # dates, periods and threads
    "evaluate": {"as_of": lambda d: _report_dict(as_of=d), "threads": lambda n: _report_dict(threads=n)},
    "Plan.evaluate": {
        "as_of": lambda d: _plan_report_dict(as_of=d),
        "threads": lambda n: _plan_report_dict(threads=n),
    },
    "evaluate_standard": {"period": _standard_reasons},
    "standard_states": {"period": _standard_reasons_in_parts},
    "evaluate_standard_partitions": {"period": _standard_reasons_in_parts},
    "Plan.rollup": {
        "threads": lambda n: _key(PLAN.rollup(_obs_small(), level="district", threads=n)),
        "missing": lambda m: _key(PLAN.rollup(_obs_small(), level="district", missing=m)),
    },
    "Plan.evaluate_states": EVALUATE_IN_PARTS,
    "evaluate_partitions": EVALUATE_IN_PARTS,
    "Plan.rollup_states": IN_PARTS,
    "rollup_partitions": IN_PARTS,
    "Plan.rollup_arrays": {
        "threads": lambda n: _key(PLAN.rollup_arrays(_obs_small(), level="district", threads=n)),
        "missing": lambda m: _key(PLAN.rollup_arrays(_obs_small(), level="district", missing=m)),
    },
    "Plan.rollup_k_of_n_states": {"threads": _k_of_n_in_parts},
    "rollup_k_of_n_partitions": {"threads": _k_of_n_in_parts},
    "Plan.rollup_k_of_n": {
        "threads": lambda n: _key(
            PLAN.rollup_k_of_n(
                _obs_small(),
                level="district",
                indicators=[PLAN.indicators[0].id],
                criteria={"小学": [(">=", 1.0)]},
                k=1,
                threads=n,
            )
        ),
    },
    # lang
    "Plan.summary": {"lang": lambda lang: PLAN.summary(lang=lang)},
    "Text.in_language": {"lang": lambda lang: planeval.Text("中", "en").in_language(lang)},
    "Assessment.explain": {"lang": lambda lang: _assessment().explain(lang)},
    "StandardReason.message": {"lang": lambda lang: _standard_result().reasons[0].message(lang)},
    "StandardResult.explain": {"lang": lambda lang: _standard_result().explain(lang)},
    "Report.to_text": {"lang": lambda lang: planeval.evaluate(PLAN, None, as_of=D2023).to_text(lang)},
    "Report.to_html": {"lang": lambda lang: planeval.evaluate(PLAN, None, as_of=D2023).to_html(lang=lang)},
    # Word and Excel out (issue 16): written into a fresh temporary folder
    "Report.to_docx": {
        "lang": lambda lang: planeval.evaluate(PLAN, None, as_of=D2023).to_docx(
            _out("r.docx"), lang, charts=False
        )
    },
    "Report.to_xlsx": {
        "lang": lambda lang: planeval.evaluate(PLAN, None, as_of=D2023).to_xlsx(_out("r.xlsx"), lang)
    },
    "Report.compare": {
        "lang": lambda lang: planeval.evaluate(PLAN, None, as_of=D2023).compare(
            planeval.evaluate(PLAN, None, as_of=dt.date(2022, 12, 31)), lang
        )
    },
    "StandardResult.to_xlsx": {"lang": lambda lang: _standard_result().to_xlsx(_out("s.xlsx"), lang)},
    "StandardResult.to_html": {"lang": lambda lang: _standard_result().to_html(None, lang)},
    "StandardResult.to_csv": {"lang": lambda lang: _standard_result().to_csv(_out("s.csv"), lang)},
    "Report.plot_target": {
        "lang": lambda lang: planeval.evaluate(PLAN, None, as_of=D2023).plot_target(
            PLAN.targets[0].id, lang=lang
        )
    },
    "Report.plot_dashboard": {
        "lang": lambda lang: planeval.evaluate(PLAN, None, as_of=D2023).plot_dashboard(lang=lang)
    },
    "plot_standard": {"lang": lambda lang: planeval.plot_standard(_standard_result(), lang=lang)},
    "translate": {"lang": lambda lang: planeval.translate("x", lang)},
    "rejection_text": {
        "lang": lambda lang: planeval.rejection_text(planeval.Rejection(1, "value", "non_finite", "m"), lang)
    },
    **_rule_rows(),
    # the analysis tools (planeval._composite_analysis), attached to CompositeResult as methods by
    # composite.py: they read the result's own data (their DataFrame forms are tested for NaN, inf
    # and text in test_composite_analysis.py); a row exists once the method does
    **{
        f"composite.CompositeResult.{name}": NONE
        for name in (
            "effective_weights",
            "cronbach_alpha",
            "indicator_stats",
            "correlations",
            "correlation_pvalues",
            "parent_correlations",
            "outranking",
            "copeland",
            "strengths_weaknesses",
        )
        if hasattr(composite.CompositeResult, name)
    },
}

# Rows of functions other owners are changing this session that do not pass yet: (name, convention)
# -> "<owner>: <what>". strict: the row fails as soon as it passes, so the entry is removed then.
PENDING: dict[tuple[str, str], str] = {
}

# Functions whose plot output needs matplotlib; rows skip without it.
NEEDS_MATPLOTLIB = {"Report.plot_target", "Report.plot_dashboard", "plot_standard"}
# Functions that need python-docx; rows skip without it.
NEEDS_DOCX = {"Report.to_docx"}


def test_every_public_function_has_a_row() -> None:
    names = public_names()
    missing = sorted(names - set(ROWS))
    extra = sorted(set(ROWS) - names)
    assert not missing, f"public functions without a row in ROWS: {missing}"
    assert not extra, f"rows for names that are not public: {extra}"


def _cases(convention: str) -> list[Any]:
    out = []
    for name, row in sorted(ROWS.items()):
        if convention in row:
            reason = PENDING.get((name, convention))
            marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
            out.append(pytest.param(name, row[convention], id=name, marks=marks))
    return out


def _needs(name: str) -> None:
    if name in NEEDS_MATPLOTLIB:
        pytest.importorskip("matplotlib")
    if name in NEEDS_DOCX:
        pytest.importorskip("docx")
    if name.startswith("composite."):
        pytest.importorskip("pandas")


@pytest.mark.parametrize(("name", "call"), _cases("nan"))
def test_nan_is_missing_not_an_error(name: str, call: Callable[[], Any]) -> None:
    _needs(name)
    result = call()
    assert result is not False  # rows that check a value return the comparison


@pytest.mark.parametrize(("name", "call"), _cases("inf"))
def test_inf_raises_data_error(name: str, call: Callable[[], Any]) -> None:
    _needs(name)
    with pytest.raises(planeval.DataError, match=r"inf"):
        call()


@pytest.mark.parametrize(("name", "call"), _cases("str"))
def test_text_where_numbers_go_raises_type_error(name: str, call: Callable[[], Any]) -> None:
    _needs(name)
    # planeval.ArgumentTypeError: a TypeError and, like every planeval exception, a planeval.Error
    # (pybind11's own "incompatible function arguments" for a typed signature is a plain TypeError)
    with pytest.raises(TypeError) as e:
        call()
    if "incompatible function arguments" not in str(e.value):
        assert isinstance(e.value, planeval.ArgumentTypeError), repr(e.value)


@pytest.mark.parametrize(("name", "call"), _cases("scalar"))
def test_a_scalar_is_a_one_element_array(name: str, call: Callable[[], Any]) -> None:
    _needs(name)
    result = call()
    assert result is not False


@pytest.mark.parametrize(("name", "call"), _cases("as_of"))
def test_dates_as_year_iso_text_or_date(name: str, call: Callable[[object], Any]) -> None:
    expected = call(D2023)
    assert call(2023) == expected  # an int year is 31 December
    assert call("2023-12-31") == expected
    assert call(np.datetime64("2023-12-31")) == expected
    with pytest.raises(TypeError, match=r"\.date\(\)|pass a date"):
        call(dt.datetime(2023, 12, 31, 12, 30))
    with pytest.raises(planeval.Error):
        call("31/12/2023")


@pytest.mark.parametrize(("name", "call"), _cases("period"))
def test_periods_as_year_or_text(name: str, call: Callable[[object], Any]) -> None:
    expected = call(planeval.Period.calendar_year(2023))
    assert call(2023) == expected
    assert call("2023") == expected
    assert call(dt.date(2023, 5, 1)) == expected  # the calendar year containing it
    school = call(planeval.Period.school_year(2023))
    assert call("2023-2024") == school and call("2023/24") == school and call("2023/2024") == school
    with pytest.raises(planeval.Error):
        call("2023/25")


@pytest.mark.parametrize(("name", "call"), _cases("threads"))
def test_threads_zero_is_every_core(name: str, call: Callable[[int], Any]) -> None:
    expected = call(1)
    assert call(0) == expected
    assert call(2) == expected
    for bad in (-1, 1025):
        with pytest.raises(planeval.Error, match="threads"):
            call(bad)


@pytest.mark.parametrize(("name", "call"), _cases("lang"))
def test_lang_is_zh_or_en(name: str, call: Callable[[str], Any]) -> None:
    _needs(name)
    call("en")
    call("zh")
    with pytest.raises(planeval.Error) as info:
        call("fr")
    assert "zh" in str(info.value) and "en" in str(info.value)


@pytest.mark.parametrize(("name", "call"), _cases("missing"))
def test_dhis2_missing_names(name: str, call: Callable[[str], Any]) -> None:
    for ours, dhis2 in (
        ("skip_if_any_missing", "SKIP_IF_ANY_VALUE_MISSING"),
        ("skip_if_all_missing", "SKIP_IF_ALL_VALUES_MISSING"),
        ("never_skip", "NEVER_SKIP"),
    ):
        expected = call(ours)
        assert _same(call(dhis2), expected)
        assert _same(call(dhis2.lower()), expected)
    with pytest.raises(planeval.Error, match="skip_if_all_missing"):
        call("skip_some")


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return a == b or (math.isnan(a) and math.isnan(b))
    if isinstance(a, tuple) and isinstance(b, tuple):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if hasattr(a, "__array__") or hasattr(b, "__array__"):
        return bool(np.array_equal(np.asarray(a), np.asarray(b), equal_nan=True))
    return bool(a == b)


# --- item 10: value types pickle (versioned) and have a class-name repr -------------------------


def _value_types() -> list[Any]:
    plan = planeval.example_plan()
    target = plan.targets[0]
    obs, report = planeval.observations_from_arrays(
        plan,
        indicator=[plan.indicators[0].id, "nope"],
        entity=[plan.entities[0].id] * 2,
        year=[2022, 2022],
        value=[1.0, 2.0],
        on_bad_row="collect",
    )
    out: list[Any] = [
        plan,
        plan.indicators[0],
        target,
        target.goal,
        next(t.baseline for t in plan.targets if t.baseline is not None),
        plan.phases[0],
        plan.domains[0],
        plan.entities[0],
        planeval.Source("原文", "第一节"),
        planeval.Document("规划", url="https://example.org/plan.pdf"),
        planeval.Note("n1", "说明", source=planeval.Source("原文")),
        planeval.Conflict("c1", ["t1", "t2"], "两处数字不同"),
        planeval.Text("中文", "English"),
        planeval.Period.school_year(2023),
        planeval.Observation(
            "o1", plan.indicators[0].id, plan.entities[0].id, 1.0, date=dt.date(2022, 6, 30)
        ),
        obs,
        report,
        report.rejected[0],
        planeval.IngestNote("code", "message", "信息", [1]),
        _assessment(),
    ]
    if plan.constants:
        out.append(plan.constants[0])
    return out


def _field_equal(a: Any, b: Any) -> bool:
    if type(a) is not type(b):
        return False
    try:
        if a == b:
            return True
    except (TypeError, ValueError):
        pass
    # no value comparison (Observations, IngestReport): the same pickled state
    return pickle.dumps(a) == pickle.dumps(b)


@pytest.mark.parametrize("value", _value_types(), ids=lambda v: type(v).__name__)
def test_value_types_pickle_with_a_version_and_have_a_class_name_repr(value: Any) -> None:
    for protocol in range(pickle.HIGHEST_PROTOCOL + 1):
        assert _field_equal(pickle.loads(pickle.dumps(value, protocol=protocol)), value)
    assert repr(value).startswith(type(value).__name__ + "(")
    state = value.__getstate__()
    assert isinstance(state, tuple) and state[0] == 1  # the format version first
    bad = (99, *state[1:])
    fresh = type(value).__new__(type(value))
    with pytest.raises(planeval.Error, match="version 99"):
        fresh.__setstate__(bad)


def _python_results() -> list[Any]:
    pytest.importorskip("pandas")
    c = composite.Composite(_frame(x=[1.0, 2.0, 3.0], y=[3.0, 1.0, 2.0]))
    names = ["a", "b"]
    a, b, ab = sensitivity.saltelli_sample(64, 2, seed=1)
    # the model y = x1 + 2 x2 on Saltelli's design
    weights = np.array([1.0, 2.0])
    return [
        c,
        c.run(),
        composite.value_added([1.0, 2.0, 4.0], [1.0, 2.0, 2.0]),
        sensitivity.sobol_indices(a @ weights, b @ weights, ab @ weights, names=names),
        sensitivity.rank_uncertainty(
            [np.array([[1.0, 2.0], [3.0, 1.0], [2.0, 2.5]])],
            {"a": "i", "b": "i"},
            indicators=["a", "b"],
            progress=False,
            replications=5,
            seed=1,
        ),
    ]


def test_python_results_pickle_with_a_version_and_have_a_class_name_repr() -> None:
    for value in _python_results():
        name = type(value).__name__
        back = pickle.loads(pickle.dumps(value))
        assert type(back) is type(value) and repr(back) == repr(value), name
        assert sorted(vars(back)) == sorted(vars(value)), name
        assert repr(value).startswith(name + "("), name
        state = value.__getstate__()
        assert state[0] == 1 and isinstance(state[1], dict), name
        fresh = type(value).__new__(type(value))
        with pytest.raises(planeval.Error, match="version 2"):
            fresh.__setstate__((2, state[1]))


def test_a_reader_rejects_an_unflagged_nan() -> None:
    # Readers keep every row accounted for: a row is a value or a declared missing report
    # (missing=True). A NaN value without the flag may be a computation gone wrong, so it is
    # rejected with its reason, never silently turned into "not reported"; flagged, it is missing.
    ind, ent = PLAN.indicators[0].id, PLAN.entities[0].id
    with pytest.raises(planeval.DataError, match="mark a value not reported as missing") as e:
        planeval.observations_from_arrays(PLAN, indicator=[ind], entity=[ent], year=[2022], value=[NAN])
    assert (e.value.row, e.value.column) == (1, "value")
    obs, report = planeval.observations_from_arrays(
        PLAN, indicator=[ind], entity=[ent], year=[2022], value=[NAN], missing=[True]
    )
    assert len(obs) == 1 and report.rejected == []
