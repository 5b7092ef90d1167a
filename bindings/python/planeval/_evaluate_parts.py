"""planeval.evaluate_partitions and planeval.dask.evaluate: a plan evaluation over rows that never
sit in memory at once.

Each part of the rows (a CSV or Parquet file, a DataFrame, an Arrow table, a Dask partition)
becomes an :class:`EvaluationPartial` (:meth:`Plan.evaluate_states`): what the evaluation reads
from the rows, in mergeable form (the roll-ups' per-group rule states, the counters, the rows the
standard-judged targets need). The partials merge in part order and the merged one finalises to
the :class:`Report` :func:`planeval.evaluate` gives on all rows at once (the parts' rows in part
order): the same statuses, traces, problems and counters, numbers to 1e-12 relative.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from . import _core
from ._core import EvaluationPartial, IngestReport, Plan, Standard
from ._partitions import fold_and_finalise
from ._report import Report, _observations_arg

if TYPE_CHECKING:  # pragma: no cover
    from ._core import _DateLike

__all__ = ["evaluate_partitions", "evaluate_states", "finalise", "states_task"]


def evaluate_states(
    plan: Plan,
    observations: Any = None,
    *,
    as_of: _DateLike,
    methods: str | Sequence[str] | None = None,
    primary: str = "linear",
    params: Mapping[str, Mapping[str, float | bool]] | None = None,
    standards: Iterable[Standard] | None = None,
    threads: int = 1,
) -> EvaluationPartial:
    """What :func:`planeval.evaluate` reads from these rows (one part of all rows), as an
    :class:`EvaluationPartial`: the arguments of :func:`planeval.evaluate` (without ``notices``,
    which :meth:`EvaluationPartial.finalise` takes). Merge the partials of all parts in part order
    (``+=``) and finalise. Runs without the GIL when the observations own their data.

    What a part must hold: the rows of one indicator, entity and year (they combine in time), and a
    derived indicator's inputs of one entity and period, together; a part per school, district,
    province or year holds both. Merging parts that share such a key raises :class:`DataError`.
    """
    return plan._evaluate_states(
        _observations_arg(observations),
        as_of,
        primary,
        [methods] if isinstance(methods, str) else list(methods or []),
        {k: dict(v) for k, v in (params or {}).items()},
        list(standards or []),
        threads,
    )


def finalise(
    partial: EvaluationPartial,
    plan: Plan,
    *,
    standards: Iterable[Standard] | None = None,
    notices: Iterable[tuple[str, str]] | None = None,
) -> Report:
    """The :class:`Report` of the rows merged into ``partial``: what :func:`planeval.evaluate`
    gives on all of them, with the options the states were computed with (as_of, methods, primary,
    params). ``standards``: the standards given to :meth:`Plan.evaluate_states`, if any (they are
    not carried in the partial; their ids and indicators are checked); ``notices`` as in
    :func:`planeval.evaluate`. Raises :class:`Error` for another plan or other standards.
    """
    core = partial._finalise(plan, None if standards is None else list(standards), list(notices or []))
    return Report(core)


def _install() -> None:
    """Attach EvaluationPartial.finalise (Plan.evaluate_states is attached by ``_plan``)."""

    def _finalise(self: EvaluationPartial, plan: Plan, **kwargs: Any) -> Report:
        return finalise(self, plan, **kwargs)

    _finalise.__name__ = "finalise"
    _finalise.__qualname__ = "EvaluationPartial.finalise"
    _finalise.__doc__ = finalise.__doc__
    _core.EvaluationPartial.finalise = _finalise  # type: ignore[method-assign]


_install()


def evaluate_partitions(
    plan: Plan,
    partitions: Any,
    *,
    as_of: _DateLike,
    methods: str | Sequence[str] | None = None,
    primary: str = "linear",
    params: Mapping[str, Mapping[str, float | bool]] | None = None,
    standards: Iterable[Standard] | None = None,
    threads: int = 1,
    notices: Iterable[tuple[str, str]] | None = None,
    on_bad_row: str = "raise",
    reports: list[IngestReport] | None = None,
    timings: dict[str, float] | None = None,
) -> Report:
    """The evaluation of a partitioned data set, out of core: the :class:`Report`
    :func:`planeval.evaluate` gives on all rows at once (the same arguments), computed one
    partition at a time.

    ``partitions`` as in :func:`planeval.rollup_partitions`: a folder (its ``.csv`` and ``.parquet``
    files in name order), one path, a list of paths, or an iterable of pandas DataFrames or Arrow
    tables. Each partition is read, turned into an :class:`EvaluationPartial` and dropped before
    the next: memory holds one partition plus the states (the roll-ups' states and, for targets
    judged by an official standard, that standard's rows of the latest year).

    The rows of one indicator, entity and year must be in one partition, and a derived
    indicator's inputs of one entity and period together (files per province, district, school or
    year are fine); two partitions sharing such a key raise :class:`DataError`. Entities must be in
    the plan already. All partitions must have a weight column or none. ``on_bad_row``,
    ``reports`` and ``timings`` as in :func:`planeval.rollup_partitions` (a bad row names its file
    and row; ``timings`` also receives ``"finalise"``).
    """
    standards = None if standards is None else list(standards)
    states = functools.partial(
        evaluate_states,
        plan,
        as_of=as_of,
        methods=methods,
        primary=primary,
        params=params,
        standards=standards,
        threads=threads,
    )
    return fold_and_finalise(
        plan,
        partitions,
        states,
        EvaluationPartial(),
        lambda merged: finalise(merged, plan, standards=standards, notices=notices),
        on_bad_row=on_bad_row,
        reports=reports,
        timings=timings,
        name="evaluate_partitions",
    )


def states_task(options: dict[str, Any], plan: Plan, obs: Any) -> EvaluationPartial:
    """The ``states(plan, obs)`` of :func:`planeval.dask.evaluate` (with ``functools.partial`` over
    the options: it pickles)."""
    return evaluate_states(plan, obs, **options)
