"""planeval: evaluate development plans.

A plan (规划) has a horizon, phases, indicators, entities (district, stages, schools), targets with
baselines, goals, deadlines and milestones, recorded observations, conflicts and notes. Plans are read
from and written to the planeval JSON plan format (``schema/plan.schema.json``)::

    >>> import planeval
    >>> plan = planeval.example_plan()          # the embedded Baijiantan plan
    >>> plan.id
    'baijiantan-education-14th-fyp'
    >>> plan = planeval.load_plan("plan.json")  # doctest: +SKIP
    >>> print(plan.summary(lang="en"))          # doctest: +SKIP

Conventions of the Python API:

- Dates are ``datetime.date`` (a ``datetime.datetime`` is refused: pass ``dt.date()``).
- Plan values are ``None`` (missing), ``float``, ``bool`` (milestones) or ``list[float]`` (shares such
  as 3:4:3, or ``[lo, hi]`` for ``between``). ``True`` stays a bool; ints become floats.
- Enumerations are their format strings: kind ``"count"``, comparator ``">="``, stage ``"小学"``...
  A bad string raises :class:`PlanError` naming the field and the allowed values.
- A :class:`Plan` is valid by construction: items are added with its ``add_*`` methods, which raise
  :class:`PlanError` with every problem located by JSON path (``targets[3].goal.deadline``). Its list
  properties (``plan.targets`` ...) return copies.
- Every planeval exception derives from :class:`Error`, itself a ``ValueError``.
"""

from __future__ import annotations

from ._core import (
    Conflict,
    DataError,
    Diagnostic,
    Document,
    Entity,
    Error,
    Goal,
    Indicator,
    Note,
    Observation,
    Period,
    Phase,
    Plan,
    PlanError,
    Point,
    Source,
    Target,
    Text,
    __version__,
    calendar_year_of,
    example_plan,
    example_plan_json,
    format_date,
    format_period,
    load_plan,
    parse_date,
    parse_period,
    parse_plan,
    school_year_of,
)

__all__ = [
    "Conflict",
    "DataError",
    "Diagnostic",
    "Document",
    "Entity",
    "Error",
    "Goal",
    "Indicator",
    "Note",
    "Observation",
    "Period",
    "Phase",
    "Plan",
    "PlanError",
    "Point",
    "Source",
    "Target",
    "Text",
    "__version__",
    "calendar_year_of",
    "example_plan",
    "example_plan_json",
    "format_date",
    "format_period",
    "load_plan",
    "parse_date",
    "parse_period",
    "parse_plan",
    "school_year_of",
]
