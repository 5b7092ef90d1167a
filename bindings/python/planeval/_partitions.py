"""planeval.rollup_partitions: a roll-up over a partitioned data set that never holds all rows.

Each partition (a CSV or Parquet file, a DataFrame, an Arrow table) is read, turned into the
roll-up's per-group rule states (:meth:`Plan.rollup_states`, a :class:`RollupPartial`) and dropped
before the next is read; the partials merge, and the merged one finalises to exactly the frame
:meth:`Plan.rollup` gives on all rows at once. Memory is bounded by one partition plus the states.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any, Protocol, TypeVar

from . import _core
from ._core import IngestReport, KOfNPartial, Observations, Plan, RollupPartial, read_csv
from ._errors import located
from ._frames import observations_from_arrow, observations_from_frame, read_parquet, rollup_frame

__all__ = ["fold_and_finalise", "fold_partitions", "rollup_k_of_n_partitions", "rollup_partitions"]

_FILE_SUFFIXES = (".csv", ".parquet", ".parq")


class Partial(Protocol):
    """What :func:`fold_partitions` merges: a partial result with ``+=`` (RollupPartial and the
    other partials of the library)."""

    def __iadd__(self, other: Any, /) -> Any: ...


P = TypeVar("P", bound=Partial)
R = TypeVar("R")


def _files_of(folder: str, name: str = "rollup_partitions") -> list[str]:
    names = sorted(n for n in os.listdir(folder) if n.lower().endswith(_FILE_SUFFIXES))
    if not names:
        raise _core.Error(f"{name}: {folder}: no .csv or .parquet files in the folder")
    return [os.path.join(folder, n) for n in names]


def _partitions_of(partitions: Any, name: str = "rollup_partitions") -> Iterator[Any]:
    if isinstance(partitions, (str, os.PathLike)):
        path = os.fspath(partitions)
        if os.path.isdir(path):
            yield from _files_of(path, name)
        else:
            yield path
        return
    if isinstance(partitions, (bytes, bytearray)) or not isinstance(partitions, Iterable):
        raise _core.ArgumentTypeError(
            f"{name}: partitions must be a folder, a list of paths, or an iterable of "
            f"DataFrames or Arrow tables, got {type(partitions).__name__}"
        )
    if hasattr(partitions, "__arrow_c_stream__") or type(partitions).__name__ == "DataFrame":
        yield partitions  # one table given whole
        return
    yield from partitions


def read_partition(
    plan: Plan, part: Any, number: int, on_bad_row: str, name: str = "rollup_partitions"
) -> tuple[Observations, IngestReport]:
    """One partition as observations (entities must be in the plan: a partition cannot add any,
    since the partials of one roll-up must share the plan's entities). Bad rows name their file
    and row; for a table, its partition number (from 0) and row."""
    if isinstance(part, (str, os.PathLike)):
        path = os.fspath(part)
        if path.lower().endswith((".parquet", ".parq")):
            return read_parquet(plan, path, on_bad_row=on_bad_row, add_entities=False)
        return read_csv(plan, path, on_bad_row=on_bad_row, add_entities=False)
    try:
        if type(part).__name__ == "DataFrame" and hasattr(part, "iloc"):
            return observations_from_frame(plan, part, on_bad_row=on_bad_row, add_entities=False)
        if hasattr(part, "__arrow_c_stream__"):
            return observations_from_arrow(plan, part, on_bad_row=on_bad_row, add_entities=False)
    except _core.DataError as e:
        if e.file is not None:
            raise
        raise located(
            _core.DataError, f"partition {number}: {e}", row=e.row, column=e.column, detail=str(e)
        ) from e
    raise _core.ArgumentTypeError(
        f"{name}: partition {number}: expected a path, a pandas DataFrame or a table with "
        f"__arrow_c_stream__, got {type(part).__name__}"
    )


def fold_partitions(
    plan: Plan,
    partitions: Any,
    states: Callable[[Observations], P],
    empty: P,
    *,
    on_bad_row: str = "raise",
    reports: list[IngestReport] | None = None,
    timings: dict[str, float] | None = None,
    name: str = "rollup_partitions",
) -> P:
    """The merged partial of a partitioned data set, out of core (not finalised): the engine under
    :func:`rollup_partitions` and the other ``*_partitions`` functions.

    ``partitions`` as in :func:`rollup_partitions`. Each partition is read
    (:func:`read_partition`: entities must be in the plan), ``states(obs)`` turns its observations
    into a partial, the observations are dropped and the partial is added (``+=``) into ``empty``
    (the identity partial, merged into in place and returned). ``on_bad_row`` and ``reports`` as in
    :func:`rollup_partitions`; ``timings``, if given, receives the seconds spent reading
    (``"read"``), computing states (``"states"``) and merging (``"merge"``), and the number of
    partitions (``"partitions"``). ``name`` begins the messages of the errors raised here.
    """
    if on_bad_row not in ("raise", "collect"):
        raise _core.Error(f'{name}: on_bad_row: expected "raise" or "collect", got {on_bad_row!r}')
    if on_bad_row == "collect" and reports is None:
        raise _core.Error(f'{name}: on_bad_row="collect" needs reports=[] to receive the rejected rows')
    spent = {"read": 0.0, "states": 0.0, "merge": 0.0, "partitions": 0.0}
    merged: Any = empty  # P: its += gives P
    count = 0
    for number, part in enumerate(_partitions_of(partitions, name)):
        t0 = time.perf_counter()
        obs, report = read_partition(plan, part, number, on_bad_row, name)
        t1 = time.perf_counter()
        partial = states(obs)
        del obs  # the rows go before the next partition is read
        t2 = time.perf_counter()
        merged += partial
        del partial
        t3 = time.perf_counter()
        if reports is not None:
            reports.append(report)
        spent["read"] += t1 - t0
        spent["states"] += t2 - t1
        spent["merge"] += t3 - t2
        count += 1
    if count == 0:
        raise _core.Error(f"{name}: no partitions")
    spent["partitions"] = float(count)
    if timings is not None:
        timings.update(spent)
    result: P = merged
    return result


def fold_and_finalise(
    plan: Plan,
    partitions: Any,
    states: Callable[[Observations], P],
    empty: P,
    finalise: Callable[[P], R],
    *,
    on_bad_row: str,
    reports: list[IngestReport] | None,
    timings: dict[str, float] | None,
    name: str,
) -> R:
    """:func:`fold_partitions`, then ``finalise(merged)``: what each ``*_partitions`` function
    returns. ``timings``, if given, receives fold_partitions' seconds and the finalisation's
    (``"finalise"``)."""
    spent: dict[str, float] = {}
    merged = fold_partitions(
        plan, partitions, states, empty, on_bad_row=on_bad_row, reports=reports, timings=spent, name=name
    )
    t0 = time.perf_counter()
    result = finalise(merged)
    spent["finalise"] = time.perf_counter() - t0
    if timings is not None:
        timings.update(spent)
    return result


def rollup_partitions(
    plan: Plan,
    partitions: Any,
    *,
    level: str | int = "district",
    period: str = "calendar_year",
    by_stage: bool = False,
    rule: str | None = None,
    missing: str = "skip_if_all_missing",
    indicators: list[str] | None = None,
    threads: int = 1,
    also: list[str] | None = None,
    ids: bool = True,
    on_bad_row: str = "raise",
    reports: list[IngestReport] | None = None,
    timings: dict[str, float] | None = None,
) -> Any:
    """The roll-up of a partitioned data set, out of core: the frame :meth:`Plan.rollup` gives on
    all rows at once (the same arguments), computed one partition at a time.

    ``partitions``: a folder (its ``.csv`` and ``.parquet`` files, in name order), one path, a list
    of paths, or an iterable of pandas DataFrames or Arrow tables (anything with
    ``__arrow_c_stream__``: pyarrow, polars), e.g. a generator reading them one by one. Each is
    read with the readers (:func:`read_csv`, :func:`read_parquet`, :func:`observations_from_frame`,
    :func:`observations_from_arrow`), rolled up to per-group rule states and dropped before the
    next: memory holds one partition plus the states.

    The rows of one indicator, entity and period must be in one partition (they combine in time
    before entities do): files per province, district or school, or per year, are fine; two
    partitions sharing such a key raise :class:`DataError`. Entities must be in the plan already
    (partitions cannot add any). Rules must be mergeable: median and percentile are refused.

    ``on_bad_row="raise"`` (default) raises :class:`DataError` for the first bad row, naming its
    file and row (for a table: ``partition 3: DataFrame: row 7 ...``); ``"collect"`` rolls up the
    good rows and appends each partition's :class:`IngestReport` to ``reports`` (required then, so
    that rejected rows are never dropped unseen). ``ids=False`` returns the dict of arrays of
    :meth:`Plan.rollup_arrays` with ``ids=False`` (indices only). ``timings``, if given, receives the seconds
    spent reading, computing states, merging and finalising, and the number of partitions.
    """
    options: dict[str, Any] = {
        "level": level,
        "period": period,
        "by_stage": by_stage,
        "rule": rule,
        "missing": missing,
        "indicators": indicators,
        "threads": threads,
        "also": also,
    }
    def finalise(merged: RollupPartial) -> Any:
        arrays = merged.finalise(plan, ids=ids)
        return rollup_frame(arrays) if ids else arrays  # ids=False: the arrays, as rollup_arrays

    return fold_and_finalise(
        plan,
        partitions,
        lambda obs: plan.rollup_states(obs, **options),
        RollupPartial(),
        finalise,
        on_bad_row=on_bad_row,
        reports=reports,
        timings=timings,
        name="rollup_partitions",
    )


def rollup_k_of_n_partitions(
    plan: Plan,
    partitions: Any,
    *,
    level: str | int = "district",
    period: str = "calendar_year",
    by_stage: bool = False,
    indicators: list[str],
    criteria: dict[str, Any],
    k: int,
    floor: float = 0.85,
    threads: int = 1,
    ids: bool = True,
    on_bad_row: str = "raise",
    reports: list[IngestReport] | None = None,
    timings: dict[str, float] | None = None,
) -> dict[str, Any]:
    """The share of units meeting k of n standards (:meth:`Plan.rollup_k_of_n`, the same
    arguments and dict of arrays) of a partitioned data set, out of core: each partition becomes a
    :class:`KOfNPartial` (:meth:`Plan.rollup_k_of_n_states`: per group and period, the units judged
    and passing) and is dropped before the next is read.

    ``partitions`` as in :func:`rollup_partitions`. A unit is judged on its rows of the n
    indicators in one period, so those rows must be in one partition (files per school, district
    or province, or per year, qualify); two partitions judging one unit in one period raise
    :class:`DataError` naming it. Entities must be in the plan already. ``on_bad_row``,
    ``reports`` and ``timings`` as in :func:`rollup_partitions`; ``ids=False`` leaves out the
    entity ids (indices only).
    """
    options: dict[str, Any] = {
        "level": level,
        "period": period,
        "by_stage": by_stage,
        "indicators": indicators,
        "criteria": criteria,
        "k": k,
        "floor": floor,
        "threads": threads,
    }
    result: dict[str, Any] = fold_and_finalise(
        plan,
        partitions,
        lambda obs: plan.rollup_k_of_n_states(obs, **options),
        KOfNPartial(),
        lambda merged: merged.finalise(plan, ids=ids),
        on_bad_row=on_bad_row,
        reports=reports,
        timings=timings,
        name="rollup_k_of_n_partitions",
    )
    return result
