"""The Python-level methods of :class:`planeval.Standard` and :class:`planeval.StandardResult`
(classes of the C++ core), in one place: their pandas frames. No other module adds to them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import _core
from ._frames import (
    standard_composites_frame,
    standard_criteria_frame,
    standard_cvs_frame,
    standard_groups_frame,
    standard_indicators_frame,
    standard_reasons_frame,
    standard_units_frame,
)

#: (class, method, builder, docstring): the docstrings are those the methods had in C++.
_METHODS: tuple[tuple[type, str, Callable[[Any], Any], str], ...] = (
    (
        _core.Standard,
        "indicators_frame",
        standard_indicators_frame,
        "The indicators as a pandas DataFrame: id, name_zh, name_en, unit, level, comparator, one column\n"
        "of thresholds per stage (named by the stage, e.g. '小学'; NaN where none), group.",
    ),
    (
        _core.StandardResult,
        "units_frame",
        standard_units_frame,
        "One row per unit: unit, combined_school, stage, students, excluded, exclusion, excluded_because\n"
        "(Chinese), passed (nullable boolean), met_count, and per indicator <id>_value, <id>_ratio,\n"
        "<id>_met.",
    ),
    (
        _core.StandardResult,
        "cvs_frame",
        standard_cvs_frame,
        "One row per stage × indicator: stage, indicator, cv, limit, passed, units, missing_units, mean,\n"
        "weighting, rule.",
    ),
    (
        _core.StandardResult,
        "composites_frame",
        standard_composites_frame,
        "One row per mean-of-CVs rule and stage: rule, stage, value, limit, passed.",
    ),
    (
        _core.StandardResult,
        "criteria_frame",
        standard_criteria_frame,
        "One row per county criterion: id, indicator, comparator, value, limit, passed.",
    ),
    (
        _core.StandardResult,
        "groups_frame",
        standard_groups_frame,
        "One row per group: id, evaluated, passed.",
    ),
    (
        _core.StandardResult,
        "reasons_frame",
        standard_reasons_frame,
        "One row per reason: code, group, stage, indicator, unit, value, limit, message_zh, message_en.",
    ),
)


def _method(name: str, build: Callable[[Any], Any], cls: type, doc: str) -> Callable[[Any], Any]:
    def method(self: Any) -> Any:
        return build(self)

    method.__name__ = name
    method.__qualname__ = f"{cls.__name__}.{name}"
    method.__doc__ = doc
    return method


def _install() -> None:
    """Attach the methods (called once, on import by the package's ``__init__``)."""
    for cls, name, build, doc in _METHODS:
        setattr(cls, name, _method(name, build, cls, doc))


_install()
