"""Aggregation rules as mergeable value types (implemented in C++, planeval._core).

Every rule is a small state: construct it (parameters such as ``ddof`` or ``threshold`` and the
missing-value ``policy`` are part of the state), ``observe`` numpy arrays, read ``value`` (a float, or
``None`` when the rule has no value). Mergeable rules (``mergeable`` is True) combine partial states
with ``+=`` / ``merge`` into the one-pass result, in any order and grouping, so partial results from
threads, files or processes can be added up; an empty default-constructed state is the identity::

    >>> from planeval.rules import Mean
    >>> a, b = Mean(), Mean()
    >>> a.observe([1.0, 2.0]).value
    1.5
    >>> b.observe([6.0]).value
    6.0
    >>> (a + b).value            # the same as Mean().observe([1.0, 2.0, 6.0])
    3.0

Median and Percentile keep every value and are not mergeable (no ``+=``). States pickle (a version
first, then the bytes of ``to_bytes()``, whose header carries the archive format version). A missing
value is NaN or None in the values, or a position marked in the boolean mask ``missing_mask=``; the
state's policy ``missing=`` decides what missing values do (``skip_if_all_missing``,
``skip_if_any_missing`` or ``never_skip``, DHIS2's strategies, whose names
``SKIP_IF_ALL_VALUES_MISSING``, ``SKIP_IF_ANY_VALUE_MISSING`` and ``NEVER_SKIP`` are accepted in any
letter case).

The names of the rules come from the C++ registry (``planeval/rules/kind.hpp``): :data:`RULE_NAMES`
(``rule_names()``), with DHIS2's aggregation types that have a planeval rule in ``rule_aliases()``.
"""

from __future__ import annotations

from ._core import (
    CV,
    Count,
    CountMeeting,
    First,
    KOfN,
    Last,
    Max,
    Mean,
    MeanOfRatios,
    Median,
    Min,
    Percentile,
    RatioOfSums,
    ShareMeeting,
    StdDev,
    StructureShares,
    Sum,
    UnitResult,
    Variance,
    WeightedMean,
    YearOverYear,
    rule_aliases,
    rule_names,
)

#: The rule names of the registry, in its order ("sum", "count", ... "k_of_n").
RULE_NAMES: tuple[str, ...] = tuple(rule_names())

__all__ = [
    "CV",
    "RULE_NAMES",
    "Count",
    "CountMeeting",
    "First",
    "KOfN",
    "Last",
    "Max",
    "Mean",
    "MeanOfRatios",
    "Median",
    "Min",
    "Percentile",
    "RatioOfSums",
    "ShareMeeting",
    "StdDev",
    "StructureShares",
    "Sum",
    "UnitResult",
    "Variance",
    "WeightedMean",
    "YearOverYear",
    "rule_aliases",
    "rule_names",
]
