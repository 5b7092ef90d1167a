"""planeval: evaluate development plans.

A plan (规划) has a horizon, phases, domains, indicators, entities (its county or district, stages,
schools), targets with baselines, goals, deadlines and milestones, recorded observations, conflicts
and notes. Plans are read from and written to the planeval JSON plan format (``schema/plan.schema.json``)::

    >>> import planeval
    >>> plan = planeval.example_plan()          # the embedded Baijiantan plan
    >>> plan.id == planeval.parse_plan(planeval.example_plan_json()).id
    True
    >>> plan = planeval.load_plan("plan.json")  # doctest: +SKIP
    >>> print(plan.summary(lang="en"))          # doctest: +SKIP

Conventions of the Python API:

- A date argument (``as_of``, ``start``, ``deadline`` ...) is a ``datetime.date``, a ``numpy.datetime64`` or
  ``pandas.Timestamp`` at midnight, an ISO string ``"2023-06-30"`` or an int year meaning its 31 December
  (``as_of=2023``); a ``datetime.datetime`` is refused (pass ``dt.date()``). Dates read back are
  ``datetime.date``.
- Plan values are ``None`` (missing), ``float``, ``bool`` (milestones) or ``list[float]`` (shares such
  as 3:4:3, or ``[lo, hi]`` for ``between``). ``True`` stays a bool; ints become floats.
- Enumerations are their format strings: kind ``"count"``, comparator ``">="``, stage ``"小学"``...
  A bad string raises :class:`PlanError` naming the field and the allowed values.
- A :class:`Plan` is valid by construction: items are added with its ``add_*`` methods, which raise
  :class:`PlanError` with every problem located by JSON path (``targets[3].goal.deadline``). Its list
  properties (``plan.targets`` ...) return copies.
- Every planeval exception derives from :class:`Error`, itself a ``ValueError``.

Data (numpy arrays in and out; pandas optional)::

    >>> import numpy as np
    >>> obs, report = planeval.observations_from_arrays(            # doctest: +SKIP
    ...     plan, indicator=["rate"] * 2, entity=["s1", "s2"], year=[2021, 2021],
    ...     value=[90.0, 100.0], weight=[100.0, 300.0])
    >>> plan.rollup(obs, level="district")                          # doctest: +SKIP
    >>> planeval.aggregate("cv", [4.0, 5.0, 6.0], [100.0, 200.0, 700.0])  # doctest: +ELLIPSIS
    0.11845...

- :class:`Observations` holds columns (plan indices, day numbers, values, weights, flags); arrays of
  the right dtype are used without copying. :func:`observations_from_arrays`, :func:`read_csv` and
  :func:`observations_from_frame` check rows against a plan and return ``(Observations,
  IngestReport)``: every row is accepted, an identical duplicate, or rejected with a reason.
- ``Plan.rollup`` aggregates observations to a level of the entity tree and to calendar or school
  years; :func:`aggregate` and the rule states of :mod:`planeval.rules` apply one rule to arrays.
"""

from __future__ import annotations

from . import rules
from ._core import (
    ArgumentTypeError,
    Conflict,
    Constant,
    DataError,
    Diagnostic,
    Document,
    Domain,
    Entity,
    Error,
    Goal,
    Indicator,
    IngestNote,
    IngestReport,
    Note,
    Observation,
    Observations,
    Period,
    Phase,
    Plan,
    PlanError,
    Point,
    Rejection,
    Source,
    Target,
    Text,
    __version__,
    aggregate,
    calendar_year_of,
    derive,
    example_plan,
    example_plan_json,
    format_date,
    format_period,
    load_plan,
    observations_from_arrays,
    parse_date,
    parse_period,
    parse_plan,
    read_csv,
    school_year_of,
)
from ._frames import observations_from_arrow, observations_from_frame, read_parquet

__all__ = [
    "ArgumentTypeError",
    "Conflict",
    "Constant",
    "DataError",
    "Diagnostic",
    "Document",
    "Domain",
    "Entity",
    "Error",
    "Goal",
    "Indicator",
    "IngestNote",
    "IngestReport",
    "Note",
    "Observation",
    "Observations",
    "Period",
    "Phase",
    "Plan",
    "PlanError",
    "Point",
    "Rejection",
    "Source",
    "Target",
    "Text",
    "__version__",
    "aggregate",
    "calendar_year_of",
    "derive",
    "example_plan",
    "example_plan_json",
    "format_date",
    "format_period",
    "load_plan",
    "observations_from_arrays",
    "observations_from_arrow",
    "observations_from_frame",
    "parse_date",
    "parse_period",
    "parse_plan",
    "read_csv",
    "read_parquet",
    "rules",
    "school_year_of",
]

# Official standards (督导评估办法): builtin/load/parse_standard, evaluate_standard, StandardResult.
# Progress of one indicator towards its target (完成进度 / 序时进度): assess, statcan_multi, Assessment.
from ._core import (
    Assessment,
    Standard,
    StandardError,
    StandardReason,
    StandardResult,
    assess,
    assess_categories,
    assess_defaults,
    assess_methods,
    builtin_standard,
    builtin_standard_ids,
    builtin_standard_json,
    evaluate_standard,
    load_standard,
    parse_standard,
    split_combined_school,
    statcan_multi,
)

__all__ += [
    "Standard",
    "StandardError",
    "StandardReason",
    "StandardResult",
    "builtin_standard",
    "builtin_standard_ids",
    "builtin_standard_json",
    "evaluate_standard",
    "load_standard",
    "parse_standard",
    "split_combined_school",
]

# Progress assessment: assess, statcan_multi, Assessment.
__all__ += [
    "Assessment",
    "assess",
    "assess_categories",
    "assess_defaults",
    "assess_methods",
    "statcan_multi",
]

# Evaluating a whole plan at a date: evaluate / Plan.evaluate -> Report.
# The Python-level methods of the core's classes, each class's in one module: Plan (evaluate, rollup,
# frames), Observations and IngestReport (to_frame), Standard and StandardResult (frames).
from . import _observations, _plan, _standard  # noqa: E402, F401  (imported for their methods)
from ._frames import label_columns  # noqa: E402
from ._report import STATUSES, PhaseSummary, Problem, Report, TargetResult, evaluate  # noqa: E402

__all__ += [
    "STATUSES",
    "PhaseSummary",
    "Problem",
    "Report",
    "TargetResult",
    "evaluate",
    "label_columns",
]

# Excel: a data-entry template from a plan, and reading filled templates or tidy sheets (one or
# several workbooks, or CSV and Excel files together).
from ._excel import excel_template, read_excel, read_observations, write_check_reports  # noqa: E402

__all__ += ["excel_template", "read_excel", "read_observations", "write_check_reports"]

# CSV out, safe to open in a spreadsheet program (text that would run as a formula is neutralised).
from ._csv import to_csv  # noqa: E402

__all__ += ["to_csv"]

# Pictures (matplotlib, imported when drawing): Report.plot_target / plot_dashboard / to_html, and
# the standard's heat map and CVs.
from ._plots import PlanevalWarning, find_cjk_font, plot_rank_uncertainty, plot_standard  # noqa: E402

__all__ += ["PlanevalWarning", "find_cjk_font", "plot_rank_uncertainty", "plot_standard"]

# composite indices, value-added, uncertainty and sensitivity (submodules; composite needs pandas)
from . import composite, sensitivity  # noqa: E402
from ._core import CancelledError  # noqa: E402

__all__ += ["CancelledError", "composite", "sensitivity"]

# Formulas: derived indicators in DHIS2's expression language, parsed once and evaluated
# column-wise (planeval/expression.hpp). NaN or None in an input array means missing.
from ._core import (  # noqa: E402
    Expression,
    ExpressionError,
    evaluate_expression,
    parse_expression,
)

__all__ += ["Expression", "ExpressionError", "evaluate_expression", "parse_expression"]

# planeval's messages in Chinese: translate(str(error), "zh"); rejection_text(rejection, "zh")
from ._messages import rejection_text, translate  # noqa: E402

__all__ += ["rejection_text", "translate"]

# Scale: the roll-up in parts (a RollupPartial per partition, merged and finalised); out of core over
# a folder of files or an iterator of frames. Over a dask.dataframe: planeval.dask.rollup (the
# optional extra planeval[dask]; import planeval.dask).
from ._core import KOfNPartial, RollupPartial  # noqa: E402
from ._partitions import rollup_k_of_n_partitions, rollup_partitions  # noqa: E402

__all__ += ["KOfNPartial", "RollupPartial", "rollup_k_of_n_partitions", "rollup_partitions"]

# Scale: the plan evaluation in parts (an EvaluationPartial per partition: Plan.evaluate_states,
# merged in part order and finalised to evaluate()'s report); over a dask.dataframe:
# planeval.dask.evaluate.
from ._core import EvaluationPartial  # noqa: E402
from ._evaluate_parts import evaluate_partitions  # noqa: E402

__all__ += ["EvaluationPartial", "evaluate_partitions"]

# Scale: official standards in parts (a StandardPartial per partition: standard_states, merged in
# part order and finalised to evaluate_standard's result); over a dask.dataframe:
# planeval.dask.evaluate_standard.
from ._core import StandardPartial, standard_states  # noqa: E402
from ._standard_parts import evaluate_standard_partitions  # noqa: E402

__all__ += ["StandardPartial", "evaluate_standard_partitions", "standard_states"]
