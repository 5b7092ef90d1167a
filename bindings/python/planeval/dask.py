"""planeval.dask: roll-ups, k-of-n shares, standards and plan evaluation across a Dask cluster
(``pip install 'planeval[dask]'``).

:func:`rollup`, :func:`rollup_k_of_n`, :func:`evaluate_standard` and :func:`evaluate` take a
``dask.dataframe.DataFrame`` (the columns of :func:`planeval.observations_from_frame`) or a
folder or list of Parquet/CSV files, and return what their in-memory counterparts give on the same
rows. Under them, :func:`reduce_partitions`: each partition (or run of files, read by the task
itself through Arrow) becomes a partial on a worker, the partials merge in a tree of
``split_every`` per node (as objects on one worker, as bytes between processes), the top of the
tree comes back as bytes, is read back with the plan and finalised once. The plan is scattered to
the workers once per client. Dask schedules everything; planeval supplies the functions.
"""
from __future__ import annotations

import functools
import hashlib
import importlib
import os
import pickle
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from . import _core
from ._core import (
    EvaluationPartial,
    KOfNPartial,
    Plan,
    RollupPartial,
    Standard,
    StandardPartial,
    StandardResult,
)
from ._errors import located
from ._evaluate_parts import finalise as _finalise_evaluation
from ._evaluate_parts import states_task as _evaluate_states
from ._frames import observations_from_arrow, observations_from_frame, rollup_frame
from ._partitions import _partitions_of, fold_partitions
from ._standard_parts import dask_states as _standard_states

if TYPE_CHECKING:  # pragma: no cover
    from ._core import _DateLike
    from ._report import Report

__all__ = ["evaluate", "evaluate_standard", "reduce_partitions", "rollup", "rollup_k_of_n"]


def _require_dask() -> Any:
    try:
        importlib.import_module("dask.dataframe")
        return importlib.import_module("dask")
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


# plans scattered to the workers of a client, by (client id, digest): kept while the client lives, so
# that later calls ship nothing
_SCATTERED: dict[tuple[str, str], Any] = {}


def _plan_for_tasks(ref: _PlanRef, delayed: Any) -> Any:
    """The plan as the tasks take it: with a distributed client, scattered to every worker once
    (so that no worker waits for another's copy, and tasks go where the scheduler likes);
    otherwise one key of the graph."""
    try:
        client = importlib.import_module("distributed").get_client()
    except (ImportError, ValueError):  # no distributed, or no client: the local schedulers
        return delayed(ref, pure=True)
    key = (client.id, ref.digest)
    future = _SCATTERED.get(key)
    if future is None or future.status != "finished":
        future = client.scatter(ref, broadcast=True, hash=True)
        if len(_SCATTERED) >= 4:
            _SCATTERED.pop(next(iter(_SCATTERED)))
        _SCATTERED[key] = future
    return future


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


class _Shipped:
    """A partial as the tasks pass it: the object itself between tasks of one worker (merged in
    memory), its ``to_bytes()`` when it travels to another process (read back there without the
    plan: ``from_bytes(None, b)``)."""

    __slots__ = ("partial",)

    def __init__(self, partial: Any) -> None:
        self.partial = partial

    def __reduce__(self) -> tuple[Any, tuple[Any, bytes]]:
        return (_unship, (type(self.partial), self.partial.to_bytes()))


def _unship(partial_type: Any, data: bytes) -> _Shipped:
    return _Shipped(partial_type.from_bytes(None, data))


def _partition_states(df: Any, ref: _PlanRef, states: Callable[[Plan, Any], Any], number: int) -> _Shipped:
    """On a worker: one partition's states (partition `number`, from 0, named in bad-row errors)."""
    plan = ref.get()
    try:
        obs = _observations(plan, df)
    except _core.DataError as e:
        raise located(
            _core.DataError, f"partition {number}: {e}", row=e.row, column=e.column, detail=str(e)
        ) from e
    del df
    return _Shipped(states(plan, obs))


def _fold_files(
    ref: _PlanRef, states: Callable[[Plan, Any], Any], partial_type: Any, paths: list[str], name: str
) -> _Shipped:
    """On a worker: files read one at a time (out of core, through Arrow) and their states merged
    in memory; bad rows name their file and row."""
    plan = ref.get()
    return _Shipped(fold_partitions(plan, paths, functools.partial(states, plan), partial_type(), name=name))


def _worker_slots() -> list[str | None]:
    """One entry per worker thread of the current distributed client (the worker's address), or
    one None per core of this machine without one."""
    try:
        client = importlib.import_module("distributed").get_client()
        slots: list[str | None] = [w for w, n in sorted(client.nthreads().items()) for _ in range(n)]
        return slots or [None]
    except (ImportError, ValueError):  # no distributed, or no client: the local schedulers
        return [None] * (os.cpu_count() or 1)


def _is_paths(ddf: Any) -> bool:
    if isinstance(ddf, (str, os.PathLike)):
        return True
    paths = isinstance(ddf, (list, tuple)) and len(ddf) > 0
    return paths and all(isinstance(p, (str, os.PathLike)) for p in ddf)


def _merge(partial_type: Any, *parts: _Shipped) -> _Shipped:
    """Partials merged on a worker, in order, without the plan (finalise checks it), into a new one."""
    merged = partial_type()
    for part in parts:
        merged += part.partial
    return _Shipped(merged)


def _bytes_of(part: _Shipped) -> bytes:
    """A partial of the tree's top as bytes, on the worker that holds it."""
    data: bytes = part.partial.to_bytes()
    return data


def reduce_partitions(
    plan: Plan,
    ddf: Any,
    states: Callable[[Plan, Any], Any],
    partial_type: type[P],
    *,
    shuffle: bool = False,
    split_every: int = 8,
    tasks: int | None = None,
    name: str = "planeval.dask",
) -> P:
    """The merged partial of a ``dask.dataframe.DataFrame`` (not finalised): the engine under
    :func:`rollup` and the other functions of this module.

    ``ddf`` may also be a folder of ``.parquet``/``.csv`` files or a list of their paths (readable
    by the workers): then the files are cut into ``tasks`` runs in name order (default: the
    current client's worker threads) and each task reads its files itself, one at a time, through
    Arrow (as :func:`planeval.rollup_partitions`; a bad row names its file and row) and merges
    their partials in memory: fewer, larger tasks and no pandas frames. ``shuffle`` does not apply.

    Each partition is read on a worker into observations (entities must be in the plan; a bad row
    raises :class:`DataError` naming the partition, from 0, and the row in it) and ``states(plan,
    obs)`` turns them into a partial (``states`` must pickle: a module-level function or a
    ``functools.partial`` of one). The partials merge in a tree of ``split_every`` per node, each
    node a new ``partial_type()`` that ``+=`` its children in order: on one worker as objects,
    between processes as ``to_bytes()`` read back with ``partial_type.from_bytes(None, b)``. The
    top of the tree (at most ``split_every`` partials) comes here as bytes, each read back with the
    plan (``partial_type.from_bytes(plan, b)``, which checks they are the plan's) and merged in
    partition order. The plan travels once per worker: with a distributed client it is
    scattered to every worker (once per client and plan), else it is one key of the graph; each
    worker process unpickles it once. ``shuffle=True`` first shuffles the rows on
    ``entity`` (for partials that need an entity's rows together).
    """
    dask = _require_dask()
    if split_every < 2:
        raise _core.Error(f"{name}: split_every must be >= 2, got {split_every}")
    delayed = dask.delayed
    ref = _plan_for_tasks(_PlanRef(plan), delayed)
    slots = _worker_slots()

    def hint(slot: str | None) -> Any:
        # a hint, not a rule: preferably on that worker (the scheduler alone put W1's 2 long tasks
        # on one worker, and merged partials of different workers); any worker may take the task
        return dask.annotate(**({"workers": [slot], "allow_other_workers": True} if slot else {}))

    groups: list[tuple[str | None, list[Any]]] = []  # per worker thread, its leaves in order
    if _is_paths(ddf):
        if shuffle:
            raise _core.Error(f"{name}: shuffle=True needs a dask DataFrame, not files")
        files = [os.fspath(f) for f in _partitions_of(ddf, name)]
        n = max(1, min(len(files), tasks if tasks is not None else len(slots)))
        for k in range(n):
            run = files[len(files) * k // n : len(files) * (k + 1) // n]
            slot = slots[k % len(slots)]
            with hint(slot):
                leaf = delayed(_fold_files, pure=False)(ref, states, partial_type, run, name)
            groups.append((slot, [leaf]))
    else:
        if shuffle:
            # the task-based shuffle: distributed's P2P shuffle cannot feed to_delayed below
            ddf = ddf.shuffle(on="entity", shuffle_method="tasks")
        parts = ddf.to_delayed()
        block = -1
        for number, part in enumerate(parts):
            # partitions in contiguous blocks, one block per worker thread, merged there first
            k = number * len(slots) // len(parts)
            if k != block:
                groups.append((slots[k], []))
                block = k
            with hint(slots[k]):
                groups[-1][1].append(delayed(_partition_states, pure=False)(part, ref, states, number))
    level = []
    for slot, leaves in groups:
        with hint(slot):
            while len(leaves) > 1:
                leaves = [
                    delayed(_merge, pure=False)(partial_type, *leaves[k : k + split_every])
                    for k in range(0, len(leaves), split_every)
                ]
        level += leaves
    while len(level) > split_every:
        level = [
            delayed(_merge, pure=False)(partial_type, *level[k : k + split_every])
            for k in range(0, len(level), split_every)
        ]
    # the top (at most split_every partials): their bytes come here, each read back with the plan
    # (which checks they are its own) and merged in order; no worker waits for another's
    top = [delayed(_bytes_of, pure=False)(part) for part in level]
    datas = dask.compute(*top, optimize_graph=False)  # keeps the annotations
    result: P = partial_type.from_bytes(plan, datas[0])
    for data in datas[1:]:
        result += partial_type.from_bytes(plan, data)
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
    tasks: int | None = None,
) -> Any:
    """The roll-up of a ``dask.dataframe.DataFrame`` (the columns of
    :func:`observations_from_frame`): the frame :meth:`Plan.rollup` gives on the same rows in
    memory (the same arguments), to 1e-12 relative. ``ddf`` may also be a folder of Parquet/CSV
    files or a list of paths: each of ``tasks`` tasks (default: the cluster's worker threads)
    reads its run of files itself through Arrow, one at a time (faster: see
    :func:`reduce_partitions`); a bad row then names its file and row.

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
    states = functools.partial(_rollup_states, options)
    merged = reduce_partitions(
        plan,
        ddf,
        states,
        RollupPartial,
        shuffle=shuffle,
        split_every=split_every,
        tasks=tasks,
        name="planeval.dask.rollup",
    )
    arrays = merged.finalise(plan, ids=ids)
    return rollup_frame(arrays) if ids else arrays  # ids=False: the arrays, as Plan.rollup_arrays


def _k_of_n_states(options: dict[str, Any], plan: Plan, obs: Any) -> KOfNPartial:
    return plan.rollup_k_of_n_states(obs, **options)


def rollup_k_of_n(
    plan: Plan,
    ddf: Any,
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
    shuffle: bool = False,
    split_every: int = 8,
    tasks: int | None = None,
) -> dict[str, Any]:
    """The share of units meeting k of n standards (:meth:`Plan.rollup_k_of_n`: the same
    arguments and dict of arrays) of a ``dask.dataframe.DataFrame``, or of a folder or list of
    Parquet/CSV files read by the tasks themselves (as for :func:`rollup`).

    Each partition becomes a :class:`KOfNPartial` on a worker (per group and period, the units
    judged and passing); they merge in a tree and finalise here. A unit's rows of the n indicators
    in one period must be in one partition (partitions by entity or year are; otherwise pass
    ``shuffle=True``, one shuffle on ``entity``), or merging raises :class:`DataError` naming the
    unit. Entities must be in the plan; a bad row raises :class:`DataError` naming its partition
    (from 0) or file, and its row.
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
    merged = reduce_partitions(
        plan,
        ddf,
        functools.partial(_k_of_n_states, options),
        KOfNPartial,
        shuffle=shuffle,
        split_every=split_every,
        tasks=tasks,
        name="planeval.dask.rollup_k_of_n",
    )
    result: dict[str, Any] = merged.finalise(plan, ids=ids)
    return result


def evaluate_standard(
    standard: Standard,
    plan: Plan,
    ddf: Any,
    *,
    period: Any,
    scope: str | None = None,
    indicators: dict[str, str] | None = None,
    groups: list[str] | None = None,
    excluded: dict[str, str] | None = None,
    split_every: int = 8,
    tasks: int | None = None,
) -> StandardResult:
    """:func:`planeval.evaluate_standard` over a ``dask.dataframe.DataFrame`` (the columns of
    :func:`observations_from_frame`), or a folder or list of Parquet/CSV files: the
    :class:`StandardResult` it gives on the same rows in memory (the same arguments).

    Each partition becomes a :class:`StandardPartial` on a worker (the rows
    :func:`planeval.evaluate_standard` could read: about one per indicator and school); the
    partials merge in partition order in a tree of ``split_every`` per node and finalise here. No
    shuffle is needed: any partitioning gives the result. The standard travels to the workers as
    its JSON text (checked to read back as the same standard). A bad row raises :class:`DataError`
    naming its partition (from 0) or file and its row; entities must be in the plan.
    """
    states = _standard_states(
        standard, plan, period=period, scope=scope, indicators=indicators, groups=groups, excluded=excluded
    )
    merged = reduce_partitions(
        plan,
        ddf,
        states,
        StandardPartial,
        split_every=split_every,
        tasks=tasks,
        name="planeval.dask.evaluate_standard",
    )
    return merged.finalise(standard, plan)


def evaluate(
    plan: Plan,
    ddf: Any,
    *,
    as_of: _DateLike,
    methods: str | Sequence[str] | None = None,
    primary: str = "linear",
    params: Mapping[str, Mapping[str, float | bool]] | None = None,
    standards: Iterable[Standard] | None = None,
    threads: int = 1,
    notices: Iterable[tuple[str, str]] | None = None,
    shuffle: bool = False,
    split_every: int = 8,
    tasks: int | None = None,
) -> Report:
    """The evaluation of a ``dask.dataframe.DataFrame`` (the columns of
    :func:`observations_from_frame`), or of a folder or list of Parquet/CSV files read by the
    workers: the :class:`Report` :func:`planeval.evaluate` gives on the same rows in memory (the
    same arguments; numbers to 1e-12 relative).

    Each partition becomes an :class:`EvaluationPartial` on a worker; the partials travel as bytes
    and merge in partition order in a tree of ``split_every`` per node
    (:func:`planeval.dask.reduce_partitions`); the merged one finalises here. The rows of one
    indicator, entity and year must be in one partition (partitions by entity or year are;
    otherwise pass ``shuffle=True``, one shuffle on ``entity``), or merging raises
    :class:`DataError` naming the key. A bad row raises :class:`DataError` naming its partition
    (from 0), or its file, and row. ``threads`` are the threads of each partition's pass.
    ``standards`` travel to the workers pickled (as their JSON text).
    """
    standards = None if standards is None else list(standards)
    options: dict[str, Any] = {
        "as_of": as_of,
        "methods": methods,
        "primary": primary,
        "params": None if params is None else {k: dict(v) for k, v in params.items()},
        "standards": standards,
        "threads": threads,
    }
    merged = reduce_partitions(
        plan,
        ddf,
        functools.partial(_evaluate_states, options),
        EvaluationPartial,
        shuffle=shuffle,
        split_every=split_every,
        tasks=tasks,
        name="planeval.dask.evaluate",
    )
    return _finalise_evaluation(merged, plan, standards=standards, notices=notices)
