"""Scale (issue 17): W1's roll-ups in memory, out of core over 12 Parquet files, and on Dask.

The data are W1's (benchmarks/w1.py: S schools, 20 indicators, years 2020-2025, 120*S rows),
written once as 12 Parquet files split by district (so every school's rows are in one file). Two
roll-ups are timed, each in three ways:

- ``sums``: the sum per (indicator, year) for every district, and from the merged states every
  province and the nation (``level="district", rule="sum", also=["province", "nation"]``);
- ``cv``: the student-weighted CV per (district, stage, indicator, year) of the 7 优质均衡
  indicators (``rule="cv", by_stage=True``);

``memory``: Plan.rollup_arrays on Observations built beforehand from the same rows (not timed);
``parts``: planeval.rollup_partitions over the 12 files (read + states + merge + finalise, with the
split reported); ``dask``: planeval.dask.rollup over ``dask.dataframe.read_parquet`` of the files on
a LocalCluster of 2 worker processes with 1 thread each. Each way runs in its own process; peak
memory is the process's resident set sampled every 5 ms during the timed part, minus the resident
set just before it (for Dask: the client's, and the workers' own peak resident sets). Dask runs
once untimed first: that run ships the plan to the workers (``first_run_seconds``; unpickling a
plan of 50,000 schools takes seconds). All three results are checked to agree to 1e-12 relative.

    python benchmarks/scale.py --schools 50000     # 6M rows
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from typing import Any

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from w1 import N_IND, SEVEN, make_data, make_plan

REQUESTS: dict[str, dict[str, Any]] = {
    "sums": {"level": "district", "rule": "sum", "also": ["province", "nation"]},
    "cv": {"level": "district", "rule": "cv", "by_stage": True, "indicators": [f"i{k}" for k in SEVEN]},
}


def rss() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


class PeakRss:
    """The peak resident set above the one at the start, sampled every 5 ms."""

    def __enter__(self) -> PeakRss:
        self.base = rss()
        self.peak = self.base
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.wait(0.005):
            self.peak = max(self.peak, rss())

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, rss())


def write_parts(d: dict[str, np.ndarray], folder: str, parts: int = 12) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    school = d["school"]
    district = d["school_district"][school]
    part = district % parts
    ind_names = np.array([f"i{k}" for k in range(N_IND)], dtype=object)
    school_names = np.array([f"s{s}" for s in range(len(d["school_district"]))], dtype=object)
    for j in range(parts):
        m = part == j
        table = pa.table(
            {
                "indicator": pa.array(ind_names[d["indicator"][m]], pa.string()),
                "entity": pa.array(school_names[school[m]], pa.string()),
                "year": pa.array(d["year"][m], pa.int32()),
                "value": pa.array(d["value"][m], pa.float64()),
                "weight": pa.array(d["students"][m], pa.float64()),
            }
        )
        pq.write_table(table, os.path.join(folder, f"part{j:02d}.parquet"))
    return parts


def run_mode(mode: str, schools: int, folder: str, out: str) -> None:
    import planeval

    d = make_data(schools)
    plan = make_plan(d)
    rows = len(d["value"])
    result: dict[str, Any] = {"mode": mode, "rows": rows}
    if mode == "memory":
        first_school = 1 + 31 + int(d["districts"])
        obs, _ = planeval.observations_from_arrays(
            plan,
            indicator=d["indicator"].astype(np.uint32),
            entity=(d["school"] + first_school).astype(np.uint32),
            year=d["year"],
            value=d["value"],
            weight=d["students"],
        )
        del d
        for name, req in REQUESTS.items():
            with PeakRss() as mem:
                t0 = time.perf_counter()
                r = plan.rollup_arrays(obs, ids=False, threads=2, **req)
                seconds = time.perf_counter() - t0
            result[name] = {
                "seconds": seconds,
                "peak_mb": (mem.peak - mem.base) / 2**20,
                "values": r["value"].tolist(),
            }
    elif mode == "parts":
        del d
        for name, req in REQUESTS.items():
            timings: dict[str, float] = {}
            with PeakRss() as mem:
                t0 = time.perf_counter()
                r = planeval.rollup_partitions(plan, folder, ids=False, threads=2, timings=timings, **req)
                seconds = time.perf_counter() - t0
            result[name] = {
                "seconds": seconds,
                "peak_mb": (mem.peak - mem.base) / 2**20,
                "split": timings,
                "values": r["value"].tolist(),
            }
    else:
        del d
        import dask.dataframe as dd
        import distributed

        import planeval.dask

        with (
            distributed.LocalCluster(
                n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None, silence_logs=40
            ) as cluster,
            distributed.Client(cluster) as client,
        ):
            # untimed: the first run ships the plan to the workers, which unpickle it once each
            t0 = time.perf_counter()
            planeval.dask.rollup(plan, dd.read_parquet(folder), ids=False, **REQUESTS["sums"])
            result["cold_seconds"] = time.perf_counter() - t0
            for name, req in REQUESTS.items():
                ddf = dd.read_parquet(folder)
                with PeakRss() as mem:
                    t0 = time.perf_counter()
                    r = planeval.dask.rollup(plan, ddf, ids=False, **req)
                    seconds = time.perf_counter() - t0
                workers = client.run(lambda: __import__("resource").getrusage(0).ru_maxrss)
                result[name] = {
                    "seconds": seconds,
                    "peak_mb": (mem.peak - mem.base) / 2**20,
                    "worker_peak_mb": [v / 1024 for v in workers.values()],
                    "values": r["value"].tolist(),
                }
    with open(out, "w") as f:
        json.dump(result, f)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--schools", type=int, default=50000)
    ap.add_argument("--modes", default="memory,parts,dask")
    ap.add_argument("--_mode", help=argparse.SUPPRESS)
    ap.add_argument("--_folder", help=argparse.SUPPRESS)
    ap.add_argument("--_out", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a._mode:
        run_mode(a._mode, a.schools, a._folder, a._out)
        return
    with tempfile.TemporaryDirectory() as folder:
        t0 = time.perf_counter()
        write_parts(make_data(a.schools), folder)
        size = sum(os.path.getsize(os.path.join(folder, n)) for n in os.listdir(folder))
        took = time.perf_counter() - t0
        print(f"data: {a.schools} schools, 12 Parquet files, {size / 2**20:.0f} MiB, written in {took:.1f} s")
        results = {}
        for mode in a.modes.split(","):
            out = os.path.join(folder, f"{mode}.json")
            subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--schools",
                    str(a.schools),
                    "--_mode",
                    mode,
                    "--_folder",
                    folder,
                    "--_out",
                    out,
                ],
                check=True,
            )
            with open(out) as f:
                results[mode] = json.load(f)
        ref = results[a.modes.split(",")[0]]
        for mode, r in results.items():
            for name in REQUESTS:
                x = r[name]
                got, want = np.array(x["values"], dtype=float), np.array(ref[name]["values"], dtype=float)
                np.testing.assert_allclose(got, want, rtol=1e-12, atol=0, equal_nan=True)
                line = (
                    f"engine={mode} work={name} rows={r['rows']} seconds={x['seconds']:.3f} "
                    f"peak_mb={x['peak_mb']:.0f}"
                )
                if "split" in x:
                    s = x["split"]
                    line += (
                        f" read={s['read']:.3f} states={s['states']:.3f} merge={s['merge']:.3f} "
                        f"finalise={s['finalise']:.3f}"
                    )
                if "cold_seconds" in r and name == "sums":
                    line += f" first_run_seconds={r['cold_seconds']:.1f}"
                if "worker_peak_mb" in x:
                    line += " worker_peak_mb=" + ",".join(f"{v:.0f}" for v in x["worker_peak_mb"])
                print(line, flush=True)


if __name__ == "__main__":
    main()
