"""Scale (issue 17): W1's roll-ups in memory, out of core over 12 Parquet files, on Dask, and
dask.dataframe's own groupby for comparison.

The data are W1's (benchmarks/w1.py: S schools, 20 indicators, years 2020-2025, 120*S rows),
written once as 12 Parquet files split by district (so every school's rows are in one file; the
ids are text: "i3", "s123"). Three works:

- ``sums``: the sum per (indicator, year) for every district, and from the merged states every
  province and the nation (``level="district", rule="sum", also=["province", "nation"]``);
- ``cv``: the student-weighted population CV per (district, stage, indicator, year) of the 7
  优质均衡 indicators (``rule="cv", by_stage=True``);
- ``kofn``: the share of 小学/初中 schools per (district, year) meeting at least 6 of the 7
  standards with every other one at least 85% of its threshold (``Plan.rollup_k_of_n``).

Modes (``--modes``), each in its own process:

``memory``: Plan.rollup_arrays / rollup_k_of_n on Observations built beforehand from the numpy
arrays (building them is not timed: the engine alone); ``memory_read``: the same from the 12
Parquet files: read them all into one table (pyarrow, ids as dictionaries), Observations from it,
roll up (all timed, split read/observations/rollup: what "in memory" costs when the data are
files); ``parts``: planeval.rollup_partitions over the 12 files, out of core (split
read/states/merge/finalise); ``dask``: planeval.dask over ``dask.dataframe.read_parquet`` of the
files; ``dask_files``: planeval.dask given the folder (each task reads its run of files through
Arrow); ``dask_groupby``: the CV and k-of-n in dask.dataframe alone (``read_parquet``, a join of
the schools' district and stage, ``groupby``; the CV in two passes and the k-of-n per school then
per district, as w1.py's pandas version). The Dask modes run on a LocalCluster of 2 worker
processes with 1 thread each; a first untimed run ships the plan to the workers
(``first_run_seconds``); the split of the Dask modes is the task stream's compute and transfer
seconds summed over the tasks of one more (untimed) run.

Seconds are the median of ``--repeat`` runs. Peak memory is the process's resident set sampled
every 2 ms during the timed runs, minus the resident set just before them (``peak_mb``; and minus
the one before the mode's first work, ``peak_from_start_mb``: memory pools keep what earlier works
freed) (for Dask: the client's,
and the workers' own peak resident sets since they started). The results of every mode are checked
to agree with the first mode's to 1e-9 relative (planeval's own modes agree to 1e-12).

    python benchmarks/scale.py --schools 50000     # 6M rows
    python benchmarks/scale.py --schools 1000000 --modes parts --repeat 1   # 120M rows, out of core
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from typing import Any

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from w1 import FLOOR, N_IND, SEVEN, STAGES, THRESHOLDS, YEARS, K, PeakRss, make_data, make_plan, rss

PARTS = 12
SEVEN_IDS = [f"i{k}" for k in SEVEN]
REQUESTS: dict[str, dict[str, Any]] = {
    "sums": {"level": "district", "rule": "sum", "also": ["province", "nation"]},
    "cv": {"level": "district", "rule": "cv", "by_stage": True, "indicators": SEVEN_IDS},
}
KOFN: dict[str, Any] = {
    "level": "district",
    "indicators": SEVEN_IDS,
    "criteria": {st: [(">=", t) for t in THRESHOLDS[st]] for st in ("小学", "初中")},
    "k": K,
    "floor": FLOOR,
}
WORKS = ["sums", "cv", "kofn"]


def schools_of(schools: int) -> dict[str, Any]:
    """The per-school columns of make_data that the plan needs (district, stage), without the
    rows: as make_data computes them (no random numbers involved)."""
    districts = max(1, schools // 50)
    school = np.arange(schools)
    district = np.minimum(school // 50 if districts > 1 else np.zeros(schools, dtype=np.int64), districts - 1)
    return {
        "districts": np.array(districts),
        "school_district": district.astype(np.int64),
        "school_stage": (school % 4).astype(np.int64),
    }


def write_parts(d: dict[str, np.ndarray], folder: str, parts: int = PARTS) -> int:
    """The rows in `parts` files by district (district % parts), one file built at a time."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    school = d["school"]
    part = d["school_district"] % parts  # per school
    ind_names = np.array([f"i{k}" for k in range(N_IND)], dtype=object)
    school_names = np.array([f"s{s}" for s in range(len(d["school_district"]))], dtype=object)
    rows_per_school = N_IND * len(YEARS)
    for j in range(parts):
        # make_data's rows are by school: each school's rows are one run of rows_per_school
        first = np.flatnonzero(part == j)
        m = (first[:, None] * rows_per_school + np.arange(rows_per_school)[None, :]).ravel()
        table = pa.table(
            {
                "indicator": pa.array(ind_names[d["indicator"][m]], pa.string()),
                "entity": pa.array(school_names[school[m]], pa.string()),
                "year": pa.array(d["year"][m], pa.int32()),
                "value": pa.array(d["value"][m], pa.float64()),
                "weight": pa.array(d["students"][m], pa.float64()),
            }
        )
        del m
        pq.write_table(table, os.path.join(folder, f"part{j:02d}.parquet"))
        del table
    return parts


def planeval_keys(work: str, r: dict[str, Any]) -> tuple[list[np.ndarray], np.ndarray]:
    """A planeval result's key columns and values (entity indices: 0 nation, 1-31 provinces, then
    districts; stage codes 0 幼儿园 .. 3 高中 as the data's)."""
    if work == "kofn":
        return [r["entity_index"], r["period_year"]], r["share"]
    if work == "cv":
        return [r["entity_index"], r["stage_code"], r["indicator_index"], r["period_year"]], r["value"]
    return [r["entity_index"], r["indicator_index"], r["period_year"]], r["value"]


def timed(repeat: int, fn: Callable[[], Any]) -> tuple[Any, list[float], PeakRss]:
    times: list[float] = []
    result: Any = None
    with PeakRss() as mem:
        for _ in range(repeat):
            t0 = time.perf_counter()
            result = fn()
            times.append(time.perf_counter() - t0)
    return result, times, mem


START_RSS = [0]  # the resident set when the mode's timed works begin


def record(out: dict[str, Any], work: str, times: list[float], mem: PeakRss, **extra: Any) -> None:
    extra["peak_from_start_mb"] = (mem.peak - START_RSS[0]) / 2**20
    out[work] = {
        "seconds": statistics.median(times),
        "all_seconds": times,
        "peak_mb": (mem.peak - mem.base) / 2**20,
    }
    out[work].update(extra)


def save(path: str, work: str, keys: list[Any], values: Any) -> None:
    np.savez(
        f"{path}.{work}.npz", *[np.asarray(k, dtype=np.float64) for k in keys], values=np.asarray(values)
    )


def has_k_of_n_parts() -> bool:
    import planeval

    return hasattr(planeval, "rollup_k_of_n_partitions")


def run_mode(mode: str, schools: int, folder: str, out: str, repeat: int, threads: int) -> None:
    import planeval

    result: dict[str, Any] = {"mode": mode, "rows": 120 * schools}
    files = sorted(os.path.join(folder, n) for n in os.listdir(folder) if n.endswith(".parquet"))
    t0 = time.perf_counter()
    plan = make_plan(schools_of(schools))
    result["plan_seconds"] = time.perf_counter() - t0
    if mode in ("memory", "memory_read"):
        if mode == "memory":
            d = make_data(schools)
            obs, _ = planeval.observations_from_arrays(
                plan,
                indicator=d["indicator"].astype(np.uint32),
                entity=(d["school"] + 1 + 31 + int(d["districts"])).astype(np.uint32),
                year=d["year"],
                value=d["value"],
                weight=d["students"],
            )
            del d
        START_RSS[0] = rss()
        for work in WORKS:
            split: dict[str, float] = {}

            def once(work: str = work, split: dict[str, float] = split) -> Any:
                if mode == "memory":
                    o = obs
                else:
                    import pyarrow as pa
                    import pyarrow.parquet as pq

                    t0 = time.perf_counter()
                    table = pa.concat_tables(
                        [pq.read_table(f, read_dictionary=["indicator", "entity"]) for f in files]
                    )
                    t1 = time.perf_counter()
                    o, _ = planeval.observations_from_arrow(plan, table, add_entities=False)
                    del table
                    t2 = time.perf_counter()
                    split["read"], split["observations"] = t1 - t0, t2 - t1
                t2 = time.perf_counter()
                if work == "kofn":
                    r = plan.rollup_k_of_n(o, threads=threads, **KOFN)
                else:
                    r = plan.rollup_arrays(o, ids=False, threads=threads, **REQUESTS[work])
                split["rollup"] = time.perf_counter() - t2
                return r

            r, times, mem = timed(repeat, once)
            record(result, work, times, mem, split=dict(split))
            save(out, work, *planeval_keys(work, r))
    elif mode == "parts":
        START_RSS[0] = rss()
        for work in WORKS:
            timings: dict[str, float] = {}
            if work == "kofn":
                if not has_k_of_n_parts():
                    continue
                fn: Callable[[], Any] = lambda t=timings: planeval.rollup_k_of_n_partitions(  # noqa: E731
                    plan, folder, threads=threads, timings=t, **KOFN
                )
            else:
                fn = lambda work=work, t=timings: planeval.rollup_partitions(  # noqa: E731
                    plan, folder, ids=False, threads=threads, timings=t, **REQUESTS[work]
                )
            r, times, mem = timed(repeat, fn)
            record(result, work, times, mem, split=dict(timings))
            save(out, work, *planeval_keys(work, r))
    elif mode in ("dask", "dask_files", "dask_groupby"):
        run_dask(mode, plan, schools, folder, out, repeat, result)
    else:
        raise SystemExit(f"unknown mode {mode!r}")
    with open(out, "w") as f:
        json.dump(result, f)


def task_split(client: Any, fn: Callable[[], Any]) -> dict[str, float]:
    """Compute and transfer seconds of one run's tasks, summed by kind."""
    import distributed

    with distributed.get_task_stream(client) as ts:
        fn()
    kinds = {
        "read_parquet": "read",
        "_partition_states": "states",
        "_fold_files": "read+states",
        "_merge": "merge",
    }
    split: dict[str, float] = {}
    for t in ts.data:
        key = t["key"] if isinstance(t["key"], str) else t["key"][0]
        kind = kinds.get(key.split("-")[0], "other")
        for s in t["startstops"]:
            name = kind if s["action"] == "compute" else s["action"]  # transfer, disk-read/write
            split[name] = split.get(name, 0.0) + s["stop"] - s["start"]
    return split


def run_dask(
    mode: str, plan: Any, schools: int, folder: str, out: str, repeat: int, result: dict[str, Any]
) -> None:
    import dask.dataframe as dd
    import distributed

    import planeval.dask

    with (
        distributed.LocalCluster(
            n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None, silence_logs=40
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        source: Callable[[], Any] = (
            (lambda: folder) if mode == "dask_files" else (lambda: dd.read_parquet(folder))
        )
        runs: dict[str, Callable[[], Any]] = {}
        if mode == "dask_groupby":
            runs["cv"] = lambda: groupby_cv(dd, folder, schools)
            runs["kofn"] = lambda: groupby_k_of_n(dd, folder, schools)
            t0 = time.perf_counter()
            runs["cv"]()  # untimed, as for planeval: the workers' first tasks import pandas' code paths
            result["cold_seconds"] = time.perf_counter() - t0
        else:
            for work in ("sums", "cv"):
                runs[work] = lambda work=work: planeval.dask.rollup(
                    plan, source(), ids=False, **REQUESTS[work]
                )
            if hasattr(planeval.dask, "rollup_k_of_n"):
                runs["kofn"] = lambda: planeval.dask.rollup_k_of_n(plan, source(), **KOFN)
            # untimed: the first run ships the plan to the workers, which unpickle it once each
            t0 = time.perf_counter()
            runs["sums"]()
            result["cold_seconds"] = time.perf_counter() - t0
        START_RSS[0] = rss()
        for work, fn in runs.items():
            r, times, mem = timed(repeat, fn)
            workers = client.run(lambda: __import__("resource").getrusage(0).ru_maxrss)
            record(
                result,
                work,
                times,
                mem,
                worker_peak_mb=[v / 1024 for v in workers.values()],
                split=task_split(client, fn),
            )
            if mode == "dask_groupby":
                save(out, work, *r)
            else:
                save(out, work, *planeval_keys(work, r))


def school_table(schools: int) -> Any:
    """entity -> district (as planeval's entity index) and stage code, for the dask joins."""
    import pandas as pd

    s = schools_of(schools)
    return pd.DataFrame(
        {
            "entity": [f"s{k}" for k in range(schools)],
            "district": s["school_district"] + 1 + 31,
            "stage": s["school_stage"],
        }
    )


def groupby_cv(dd: Any, folder: str, schools: int) -> tuple[list[Any], Any]:
    """Student-weighted population CV per (district, stage, indicator, year) in dask.dataframe:
    pass 1 the weighted means, pass 2 the weighted squared deviations from them."""
    import dask

    df = dd.read_parquet(folder)
    df = df[df["indicator"].isin(SEVEN_IDS)]
    df = df.merge(school_table(schools), on="entity", how="inner")  # a pandas frame: broadcast
    keys = ["district", "stage", "indicator", "year"]
    df = df.assign(wx=df["value"] * df["weight"])
    sums = df.groupby(keys)[["weight", "wx"]].sum().compute()  # pass 1
    means = (sums["wx"] / sums["weight"]).rename("m").reset_index()
    df = df.merge(means, on=keys, how="inner")  # pass 2: the means broadcast to every partition
    df = df.assign(dev=df["weight"] * (df["value"] - df["m"]) ** 2)
    (var,) = dask.compute(df.groupby(keys)["dev"].sum())
    var = var / sums["weight"].reindex(var.index)
    mean = (sums["wx"] / sums["weight"]).reindex(var.index)
    cv = (np.sqrt(var) / mean).reset_index(name="cv")
    ind = cv["indicator"].str[1:].astype(np.int64)
    return [cv["district"], cv["stage"], ind, cv["year"]], cv["cv"].to_numpy()


def groupby_k_of_n(dd: Any, folder: str, schools: int) -> tuple[list[Any], Any]:
    """The k-of-n share per (district, year) in dask.dataframe: per row whether its standard is
    met and whether it is at least the floor, per (school, year) the count and the all, per
    (district, year) the mean of (met >= K and all at the floor)."""
    import pandas as pd

    thr = pd.DataFrame(
        [(st, f"i{k}", THRESHOLDS[name][k]) for st, name in ((1, "小学"), (2, "初中")) for k in SEVEN],
        columns=["stage", "indicator", "t"],
    )
    assert STAGES[1] == "小学" and STAGES[2] == "初中"
    df = dd.read_parquet(folder, columns=["indicator", "entity", "year", "value"])
    df = df[df["indicator"].isin(SEVEN_IDS)]
    df = df.merge(school_table(schools), on="entity", how="inner")
    df = df.merge(thr, on=["stage", "indicator"], how="inner")  # 小学 and 初中 rows only
    met = (df["value"] >= df["t"]).astype(np.int64)
    df = df.assign(met=met, floor=(df["value"] >= FLOOR * df["t"]).astype(np.int64))
    per_school = df.groupby(["entity", "year"]).agg({"met": "sum", "floor": "min", "district": "first"})
    per_school = per_school.assign(ok=(per_school["met"] >= K) & (per_school["floor"] == 1)).reset_index()
    share = per_school.groupby(["district", "year"])["ok"].mean().compute().reset_index()
    return [share["district"], share["year"]], share["ok"].to_numpy(dtype=np.float64)


def line_of(mode: str, work: str, r: dict[str, Any]) -> str:
    x = r[work]
    line = f"engine={mode} work={work} rows={r['rows']} seconds={x['seconds']:.3f} peak_mb={x['peak_mb']:.0f}"
    line += f" peak_from_start_mb={x['peak_from_start_mb']:.0f}"
    if len(x["all_seconds"]) > 1:
        line += " runs=" + ",".join(f"{t:.3f}" for t in x["all_seconds"])
    s = x.get("split") or {}
    if mode == "parts":
        line += f" read={s['read']:.3f} states={s['states']:.3f} merge={s['merge']:.3f}"
        line += f" finalise={s['finalise']:.3f}"
    elif s:
        line += " split=" + ",".join(f"{k}:{v:.3f}" for k, v in sorted(s.items()))
    if "cold_seconds" in r and work == WORKS[0 if mode != "dask_groupby" else 1]:
        line += f" first_run_seconds={r['cold_seconds']:.1f}"
    if "worker_peak_mb" in x:
        line += " worker_peak_mb=" + ",".join(f"{v:.0f}" for v in x["worker_peak_mb"])
    return line


def compare(work: str, a: str, b: str, rtol: float) -> None:
    """Two modes' results of one work, sorted by their keys, equal to rtol."""
    x, y = np.load(a), np.load(b)
    tables = []
    for z in (x, y):
        keys = [z[f"arr_{i}"] for i in range(len(z.files) - 1)]
        order = np.lexsort(keys[::-1])
        tables.append((np.column_stack([k[order] for k in keys]), z["values"][order].astype(np.float64)))
    (ka, va), (kb, vb) = tables
    if ka.shape != kb.shape or not (ka == kb).all():
        raise SystemExit(f"{work}: {a} and {b} have different keys ({ka.shape} vs {kb.shape})")
    np.testing.assert_allclose(va, vb, rtol=rtol, atol=0, equal_nan=True)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--schools", type=int, default=50000)
    ap.add_argument("--modes", default="memory,memory_read,parts,dask,dask_files,dask_groupby")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument(
        "--threads", type=int, default=2, help="threads of planeval's passes in memory and out of core"
    )
    ap.add_argument("--folder", help="write or reuse the Parquet files here (default: a temporary folder)")
    ap.add_argument("--_mode", help=argparse.SUPPRESS)
    ap.add_argument("--_folder", help=argparse.SUPPRESS)
    ap.add_argument("--_out", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a._mode:
        run_mode(a._mode, a.schools, a._folder, a._out, a.repeat, a.threads)
        return
    with tempfile.TemporaryDirectory() as tmp:
        folder = a.folder or tmp
        os.makedirs(folder, exist_ok=True)
        if not any(n.endswith(".parquet") for n in os.listdir(folder)):
            t0 = time.perf_counter()
            write_parts(make_data(a.schools), folder)
            print(f"data written in {time.perf_counter() - t0:.1f} s", flush=True)
        size = sum(
            os.path.getsize(os.path.join(folder, n)) for n in os.listdir(folder) if n.endswith(".parquet")
        )
        print(f"data: {a.schools} schools, {120 * a.schools} rows, {PARTS} files ({size / 2**20:.0f} MiB)")
        results: dict[str, dict[str, Any]] = {}
        modes = [m for m in a.modes.split(",") if m]  # none: only write the files
        for mode in modes:
            out = os.path.join(tmp, f"{mode}.json")
            command = [sys.executable, __file__, "--schools", str(a.schools), "--repeat", str(a.repeat)]
            command += ["--threads", str(a.threads)]
            subprocess.run([*command, "--_mode", mode, "--_folder", folder, "--_out", out], check=True)
            with open(out) as f:
                results[mode] = json.load(f)
            r = results[mode]
            print(f"# {mode}: plan of {a.schools} schools built in {r['plan_seconds']:.1f} s (not timed)")
            for work in WORKS:
                if work in r:
                    print(line_of(mode, work, r), flush=True)
        for work in WORKS:
            have = [m for m in modes if work in results[m]]
            for m in have[1:]:
                rtol = 1e-9 if "groupby" in m + have[0] else 1e-12
                compare(
                    work,
                    os.path.join(tmp, f"{have[0]}.json.{work}.npz"),
                    os.path.join(tmp, f"{m}.json.{work}.npz"),
                    rtol,
                )
            if len(have) > 1:
                print(
                    f"# {work}: {', '.join(have)} agree (planeval to 1e-12 relative, dask.dataframe to 1e-9)"
                )


if __name__ == "__main__":
    main()
