"""planeval.dask: the roll-up of a ``dask.dataframe`` across a cluster (``pip install 'planeval[dask]'``).

:func:`rollup` computes each partition's per-group rule states on the workers
(``map_partitions``, :meth:`Plan.rollup_states`), ships them as bytes
(:meth:`RollupPartial.to_bytes`), merges them in a tree (``dask.bag``'s ``fold`` with
``split_every``) and finalises once: the same frame :meth:`Plan.rollup` gives on all rows in
memory. Dask schedules everything; planeval only supplies the three functions.
"""

from __future__ import annotations

import functools
import hashlib
import importlib
import pickle
from collections.abc import Callable
from typing import Any, Protocol, TypeVar

from . import _core
from ._core import Plan, RollupPartial
from ._errors import located
from ._frames import observations_from_arrow, observations_from_frame, rollup_frame

__all__ = ["reduce_partitions", "rollup"]


def _require_dask() -> Any:
    try:
        importlib.import_module("dask.dataframe")
        return importlib.import_module("dask.bag")
    except ImportError:
        raise ImportError(
            "planeval.dask needs dask: pip install 'planeval[dask]' (dask[dataframe] and distributed)"
        ) from None


# plans unpickled in this process, by the digest of their pickle (a worker reads each plan once)
_PLANS: dict[str, Plan] = {}


class _PlanRef:
    """The plan as the tasks carry it: its pickle and the pickle's digest. Dask tokenizes it by the
    digest (not by pickling the plan again), and each worker process unpickles it once."""

    def __init__(self, plan: Plan) -> None:
        self.data = pickle.dumps(plan)
        self.digest = hashlib.sha256(self.data).hexdigest()
        _PLANS[self.digest] = plan  # this process has it already

    def __dask_tokenize__(self) -> tuple[str, str]:
        return ("planeval.Plan", self.digest)

    def get(self) -> Plan:
        plan = _PLANS.get(self.digest)
        if plan is None:
            plan = pickle.loads(self.data)
            if len(_PLANS) >= 4:
                _PLANS.pop(next(iter(_PLANS)))
            _PLANS[self.digest] = plan
        return plan


def _observations(plan: Plan, df: Any) -> Any:
    """A partition's observations: through Arrow (the C++ reader of the buffers) when pyarrow is
    there and takes the columns, else through the DataFrame reader."""
    try:
        pa = importlib.import_module("pyarrow")
        table = pa.Table.from_pandas(df, preserve_index=False)
    except (ImportError, ValueError, TypeError):  # no pyarrow, or mixed columns (pyarrow's errors)
        return observations_from_frame(plan, df, on_bad_row="raise", add_entities=False)[0]
    return observations_from_arrow(plan, table, on_bad_row="raise", add_entities=False)[0]


class PartialType(Protocol):
    """What :func:`reduce_partitions` merges: a partial class with an empty constructor,
    ``to_bytes``, ``+=`` and ``from_bytes(plan_or_None, data)`` (RollupPartial and the other
    partials of the library)."""

    def __init__(self) -> None: ...
    def __iadd__(self, other: Any, /) -> Any: ...
    def to_bytes(self) -> bytes: ...
    @staticmethod
    def from_bytes(plan: Plan | None, data: bytes, /) -> Any: ...


P = TypeVar("P", bound=PartialType)


def _partition_states(
    df: Any,
    ref: _PlanRef,
    states: Callable[[Plan, Any], Any],
    partition_info: dict[str, Any] | None = None,
) -> Any:
    """On a worker: one partition's states, as a one-element Series of bytes."""
    pd = importlib.import_module("pandas")
    plan = ref.get()
    number = partition_info["number"] if partition_info else None
    try:
        obs = _observations(plan, df)
    except _core.DataError as e:
        if number is None:
            raise
        raise located(
            _core.DataError, f"partition {number}: {e}", row=e.row, column=e.column, detail=str(e)
        ) from e
    data = states(plan, obs).to_bytes()
    return pd.Series([data], dtype=object)


def _merge(partial_type: Any, a: bytes, b: bytes) -> bytes:
    """Two partials' bytes merged (on a worker, without the plan: finalise checks it)."""
    merged = partial_type.from_bytes(None, a)
    merged += partial_type.from_bytes(None, b)
    data: bytes = merged.to_bytes()
    return data


def reduce_partitions(
    plan: Plan,
    ddf: Any,
    states: Callable[[Plan, Any], Any],
    partial_type: type[P],
    *,
    shuffle: bool = False,
    split_every: int = 8,
) -> P:
    """The merged partial of a ``dask.dataframe.DataFrame`` (not finalised): the engine under
    :func:`rollup` and the other functions of this module.

    Each partition is read on a worker into observations (entities must be in the plan; a bad row
    raises :class:`DataError` naming the partition, from 0, and the row in it), ``states(plan,
    obs)`` turns them into a partial (it must pickle: a module-level function or a
    ``functools.partial`` of one), whose ``to_bytes()`` travel; the bytes merge in a tree of
    ``split_every`` per node (``partial_type.from_bytes(None, b)``, ``+=``) starting from the
    empty ``partial_type()``, and the merged bytes are read back here with the plan
    (``partial_type.from_bytes(plan, b)``, which checks they are the plan's). ``shuffle=True``
    first shuffles the rows on ``entity`` (for partials that need an entity's rows together).
    """
    db = _require_dask()
    if split_every < 2:
        raise _core.Error(f"planeval.dask: split_every must be >= 2, got {split_every}")
    empty = partial_type().to_bytes()
    if shuffle:
        # the task-based shuffle: distributed's P2P shuffle cannot feed to_delayed below
        ddf = ddf.shuffle(on="entity", shuffle_method="tasks")
    pd = importlib.import_module("pandas")
    parts = ddf.map_partitions(_partition_states, _PlanRef(plan), states, meta=pd.Series([], dtype=object))
    bag = db.from_delayed(parts.to_delayed())
    merge = functools.partial(_merge, partial_type)
    total: bytes = bag.fold(merge, merge, initial=empty, split_every=split_every).compute()
    result: P = partial_type.from_bytes(plan, total)
    return result


def _rollup_states(options: dict[str, Any], plan: Plan, obs: Any) -> RollupPartial:
    return plan.rollup_states(obs, **options)


def rollup(
    plan: Plan,
    ddf: Any,
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
    shuffle: bool = False,
    split_every: int = 8,
) -> Any:
    """The roll-up of a ``dask.dataframe.DataFrame`` (the columns of
    :func:`observations_from_frame`): the frame :meth:`Plan.rollup` gives on the same rows in
    memory (the same arguments), to 1e-12 relative.

    Each partition becomes per-group rule states on a worker; the states travel as bytes and merge
    in a tree of ``split_every`` partials per node; the merged states finalise here. The rows of
    one indicator, entity and period must be in one partition (they combine in time before
    entities do): partitions by entity or year are; otherwise pass ``shuffle=True`` (one shuffle
    on ``entity``), or merging raises :class:`DataError` naming the key. Entities must be in the
    plan (partitions cannot add any). A bad row raises :class:`DataError` naming its partition
    (from 0) and row in it. Rules must be mergeable: median and percentile are refused
    (:class:`Error`). ``threads`` are the threads of each partition's pass on its worker.
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
    if split_every < 2:
        raise _core.Error(f"planeval.dask.rollup: split_every must be >= 2, got {split_every}")
    states = functools.partial(_rollup_states, options)
    merged = reduce_partitions(plan, ddf, states, RollupPartial, shuffle=shuffle, split_every=split_every)
    arrays = merged.finalise(plan, ids=ids)
    return rollup_frame(arrays) if ids else arrays  # ids=False: the arrays, as Plan.rollup_arrays
