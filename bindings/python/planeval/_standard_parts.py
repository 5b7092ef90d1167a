"""planeval.evaluate_standard_partitions (and the states of planeval.dask.evaluate_standard): an
official standard evaluated over a partitioned data set that never holds all rows at once.

Each partition becomes a :class:`StandardPartial` (:func:`standard_states`): the rows of it that
:func:`evaluate_standard` could read (the latest per indicator and school in the period, under the
county); the partials merge in partition order and finalise to exactly the :class:`StandardResult`
:func:`evaluate_standard` gives on all rows at once. Any split into consecutive partitions gives
that result: no partition needs to hold a school's rows together.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any

from ._core import (
    IngestReport,
    Observations,
    Plan,
    Standard,
    StandardPartial,
    StandardResult,
    standard_states,
)
from ._partitions import fold_and_finalise

__all__ = ["dask_states", "evaluate_standard_partitions"]


def _options(
    period: Any,
    scope: str | None,
    indicators: dict[str, str] | None,
    groups: Sequence[str] | None,
    excluded: dict[str, str] | None,
) -> dict[str, Any]:
    return {
        "period": period,
        "scope": scope,
        "indicators": indicators,
        "groups": groups,
        "excluded": excluded,
    }


def evaluate_standard_partitions(
    standard: Standard,
    plan: Plan,
    partitions: Any,
    *,
    period: Any,
    scope: str | None = None,
    indicators: dict[str, str] | None = None,
    groups: Sequence[str] | None = None,
    excluded: dict[str, str] | None = None,
    on_bad_row: str = "raise",
    reports: list[IngestReport] | None = None,
    timings: dict[str, float] | None = None,
) -> StandardResult:
    """:func:`evaluate_standard` over a partitioned data set, out of core: the same
    :class:`StandardResult` (the same arguments), one partition at a time.

    ``partitions`` as :func:`rollup_partitions` takes them: a folder (its ``.csv`` and ``.parquet``
    files, in name order), one path, a list of paths, or an iterable of pandas DataFrames or Arrow
    tables. Each is read, reduced to the rows :func:`evaluate_standard` could read (a
    :class:`StandardPartial`) and dropped before the next: memory holds one partition plus the kept
    rows (about one per indicator and school). The partitions count in the order given: where two
    hold rows of one indicator and school with the same end date, the later partition's counts, as
    the later row does in memory. Entities must be in the plan already.

    ``on_bad_row="raise"`` (default) raises :class:`DataError` for the first bad row, naming its
    file and row; ``"collect"`` evaluates the good rows and appends each partition's
    :class:`IngestReport` to ``reports`` (required then). ``timings``, if given, receives the
    seconds spent reading, computing the partials, merging and finalising, and the number of
    partitions.
    """
    options = _options(period, scope, indicators, groups, excluded)

    def states(obs: Observations) -> StandardPartial:
        return standard_states(standard, plan, obs, **options)

    return fold_and_finalise(
        plan,
        partitions,
        states,
        StandardPartial(),
        lambda merged: merged.finalise(standard, plan),
        on_bad_row=on_bad_row,
        reports=reports,
        timings=timings,
        name="evaluate_standard_partitions",
    )


def _dask_states(
    standard: Standard, options: dict[str, Any], plan: Plan, obs: Observations
) -> StandardPartial:
    return standard_states(standard, plan, obs, **options)


def dask_states(
    standard: Standard,
    plan: Plan,
    *,
    period: Any,
    scope: str | None = None,
    indicators: dict[str, str] | None = None,
    groups: Sequence[str] | None = None,
    excluded: dict[str, str] | None = None,
) -> Callable[[Plan, Observations], StandardPartial]:
    """The ``states(plan, obs)`` of :func:`planeval.dask.evaluate_standard` for
    :func:`planeval.dask.reduce_partitions`: it pickles, the standard with it (a Standard pickles
    as its JSON text, checked to read back equal)."""
    options = _options(period, scope, indicators, groups, excluded)
    return functools.partial(_dask_states, standard, options)

