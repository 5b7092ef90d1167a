"""From a CSV file to district sums: planeval against DuckDB, polars and pandas, side by side.

The file (the issue's case): 20,000 schools x 20 indicators x 6 years (2020-2025) = 2.4M rows,
about 114 MB, columns ``indicator,entity,year,value,weight,parent``. The plan is built here: one
city, 10 districts under it, and 20 indicators: 10 counts summed over schools (``count_00`` ..
``count_09``, whole numbers 0..499) and 10 rates averaged with the students as weights
(``rate_00`` .. ``rate_09``, one decimal, 50.0..100.0; weight 100..2999 students). No school is in
the plan: each row names its district in ``parent``, so read_csv adds the 20,000 schools (entity
auto-add on). The data are deterministic (numpy's PCG64 with seed 13).

Timed, the best of --repeat runs, each in a fresh process (so the peak RSS is that of one run):

- planeval: ``read_csv`` (every row checked) + ``Plan.rollup_arrays(level="district")`` (sums
  for counts, student-weighted means for rates);
- DuckDB: ``read_csv`` + ``GROUP BY parent, indicator, year`` with sum(value), sum(value*weight),
  sum(weight), fetched as numpy arrays;
- polars: ``read_csv`` + ``group_by`` with the same three sums;
- pandas: ``read_csv`` (pyarrow engine when installed, else C) + ``groupby`` with the same sums.

The peak RSS of each is measured in a subprocess: a measuring process starts the worker and reads
``resource.getrusage(RUSAGE_CHILDREN).ru_maxrss`` after it ends; "base" is the worker's RSS after
its imports and before reading (the interpreter and the libraries), so peak - base is what the
reading and grouping cost.

    python benchmarks/ingest.py [--path data.csv] [--repeat 3] [--only planeval,duckdb]

The results are cross-checked: planeval's district sum of count_00 in 2021 equals DuckDB's.

Measured on the project's 2-core machine (best of 5, quiet; seconds, peak RSS of the process):
planeval 0.226 s, 236 MB (40 MB of it the interpreter and numpy); DuckDB 0.233 s, 182 MB; polars
0.291 s, 630 MB; pandas (pyarrow engine) 0.235 s, 712 MB. Before the CSV reader read views of the
mapped file (one std::string per cell, transposed), planeval took 1.675 s and 1,280 MB.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

SCHOOLS = 20_000
INDICATORS = 20
YEARS = range(2020, 2026)
DISTRICTS = 10
ENGINES = ("planeval", "duckdb", "polars", "pandas")


def plan_json() -> str:
    indicators: list[dict[str, Any]] = []
    for k in range(INDICATORS // 2):
        indicators.append(
            {
                "id": f"count_{k:02d}",
                "name": {"zh": f"计数{k}"},
                "unit": "人",
                "kind": "count",
                "direction": "increase",
                "aggregation": {"entities": "sum"},
            }
        )
    for k in range(INDICATORS // 2):
        indicators.append(
            {
                "id": f"rate_{k:02d}",
                "name": {"zh": f"比率{k}"},
                "unit": "%",
                "kind": "rate",
                "direction": "increase",
                "aggregation": {"entities": "weighted_mean", "weight": "students"},
            }
        )
    entities: list[dict[str, Any]] = [{"id": "city", "name": {"zh": "市"}, "kind": "city"}]
    for d in range(DISTRICTS):
        entities.append(
            {"id": f"district_{d:02d}", "name": {"zh": f"区{d}"}, "kind": "district", "parent": "city"}
        )
    plan = {
        "format": "planeval-plan",
        "format_version": 1,
        "id": "ingest-benchmark",
        "title": {"zh": "读入基准"},
        "horizon": {"start": "2021", "end": "2025"},
        "phases": [],
        "indicators": indicators,
        "entities": entities,
        "targets": [
            {
                "id": "t1",
                "indicator": "count_00",
                "scope": "city",
                "baseline": {"date": "2020", "value": 1},
                "goal": {"comparator": ">=", "value": 2, "deadline": "2025"},
                "source": {"phrase": "benchmark"},
            }
        ],
    }
    return json.dumps(plan, ensure_ascii=False)


def write_data(path: Path) -> None:
    """The file, deterministically: rows ordered by school, indicator, year."""
    import numpy as np

    rng = np.random.Generator(np.random.PCG64(13))
    n_years = len(YEARS)
    n = SCHOOLS * INDICATORS * n_years
    counts = rng.integers(0, 500, size=n)
    rates = rng.integers(500, 1001, size=n)  # tenths of a percent
    students = rng.integers(100, 3000, size=SCHOOLS)
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write("indicator,entity,year,value,weight,parent\n")
        i = 0
        for s in range(SCHOOLS):
            school = f"school_{s:05d}"
            district = f"district_{s % DISTRICTS:02d}"
            w = int(students[s])
            lines = []
            for k in range(INDICATORS):
                is_count = k < INDICATORS // 2
                ind = f"count_{k:02d}" if is_count else f"rate_{k - INDICATORS // 2:02d}"
                for y in YEARS:
                    if is_count:
                        v = str(int(counts[i]))
                    else:
                        r = int(rates[i])
                        v = f"{r // 10}.{r % 10}"
                    lines.append(f"{ind},{school},{y},{v},{w},{district}\n")
                    i += 1
            f.write("".join(lines))


# --- workers: one run each, in a process of its own ----------------------------------------------


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def work_planeval(path: str) -> tuple[float, float, float]:
    import planeval

    plan = planeval.parse_plan(plan_json())
    base = _rss_mb()
    t0 = time.perf_counter()
    obs, report = planeval.read_csv(plan, path)
    t_read = time.perf_counter() - t0
    out = plan.rollup_arrays(obs, level="district")
    seconds = time.perf_counter() - t0
    assert report.rows == report.accepted == SCHOOLS * INDICATORS * len(YEARS), report
    check = _planeval_check(out)
    print(json.dumps({"read": t_read, "check": check}), file=sys.stderr)
    return seconds, base, check


def _planeval_check(out: Any) -> float:
    import numpy as np

    ind = np.asarray(out["indicator"])
    ent = np.asarray(out["entity"])
    year = np.asarray(out["period_year"])
    value = np.asarray(out["value"])
    sel = (ind == "count_00") & (ent == "district_00") & (year == 2021)
    return float(value[sel][0])


def work_duckdb(path: str) -> tuple[float, float, float]:
    import duckdb

    con = duckdb.connect()
    base = _rss_mb()
    t0 = time.perf_counter()
    res = con.execute(
        "SELECT parent, indicator, year, sum(value) AS s, sum(value * weight) AS sw, sum(weight) AS w "
        f"FROM read_csv('{path}', header = true) GROUP BY parent, indicator, year"
    ).fetchnumpy()
    seconds = time.perf_counter() - t0
    sel = [
        i
        for i in range(len(res["s"]))
        if res["parent"][i] == "district_00" and res["indicator"][i] == "count_00" and res["year"][i] == 2021
    ]
    return seconds, base, float(res["s"][sel[0]])


def work_polars(path: str) -> tuple[float, float, float]:
    import polars as pl

    base = _rss_mb()
    t0 = time.perf_counter()
    df = pl.read_csv(path)
    g = df.group_by(["parent", "indicator", "year"]).agg(
        pl.col("value").sum().alias("s"),
        (pl.col("value") * pl.col("weight")).sum().alias("sw"),
        pl.col("weight").sum().alias("w"),
    )
    seconds = time.perf_counter() - t0
    row = g.filter(
        (pl.col("parent") == "district_00") & (pl.col("indicator") == "count_00") & (pl.col("year") == 2021)
    )
    return seconds, base, float(row["s"][0])


def work_pandas(path: str) -> tuple[float, float, float]:
    import pandas as pd

    try:
        import pyarrow  # noqa: F401

        engine = "pyarrow"
    except ImportError:
        engine = "c"
    base = _rss_mb()
    t0 = time.perf_counter()
    df = pd.read_csv(path, engine=engine)  # type: ignore[call-overload]
    df["vw"] = df["value"] * df["weight"]
    g = df.groupby(["parent", "indicator", "year"])[["value", "vw", "weight"]].sum()
    seconds = time.perf_counter() - t0
    return seconds, base, float(g.loc[("district_00", "count_00", 2021), "value"])


WORKERS = {"planeval": work_planeval, "duckdb": work_duckdb, "polars": work_polars, "pandas": work_pandas}


def measure(engine: str, path: str) -> dict[str, float]:
    """Run one worker in a child process; its peak RSS from getrusage(RUSAGE_CHILDREN)."""
    proc = subprocess.run(
        [sys.executable, __file__, "--worker", engine, "--path", path],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"{engine} failed:\n{proc.stderr}")
    out: dict[str, float] = json.loads(proc.stdout.strip().splitlines()[-1])
    out["peak_mb"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024.0
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--path", help="the CSV file (written if it does not exist; default: a temporary file)")
    ap.add_argument("--repeat", type=int, default=3, help="runs of each engine; the best is shown")
    ap.add_argument("--only", default=",".join(ENGINES), help="engines, comma-separated")
    ap.add_argument("--worker", choices=ENGINES, help=argparse.SUPPRESS)
    ap.add_argument("--measure", choices=ENGINES, help=argparse.SUPPRESS)
    args = ap.parse_args()

    if args.worker:  # one run: print seconds, RSS after imports, the cross-check value
        seconds, base, check = WORKERS[args.worker](args.path)
        print(json.dumps({"seconds": seconds, "base_mb": base, "check": check}))
        return
    if args.measure:  # a fresh measuring process per run, so RUSAGE_CHILDREN is this run's alone
        print(json.dumps(measure(args.measure, args.path)))
        return

    tmp = None
    if args.path:
        path = Path(args.path)
    else:
        tmp = tempfile.TemporaryDirectory()
        path = Path(tmp.name) / "ingest.csv"
    if not path.exists():
        t0 = time.perf_counter()
        write_data(path)
        print(f"wrote {path} in {time.perf_counter() - t0:.1f} s")
    size_mb = os.path.getsize(path) / 1e6
    print(f"{path}: {size_mb:.1f} MB, {SCHOOLS * INDICATORS * len(YEARS):,} rows; best of {args.repeat}")
    results: dict[str, dict[str, float]] = {}
    for engine in args.only.split(","):
        runs = []
        for _ in range(args.repeat):
            proc = subprocess.run(
                [sys.executable, __file__, "--measure", engine, "--path", str(path)],
                capture_output=True,
                text=True,
                check=False,
            )
            if proc.returncode != 0:
                print(f"{engine}: failed\n{proc.stderr[-2000:]}")
                break
            runs.append(json.loads(proc.stdout.strip().splitlines()[-1]))
        if runs:
            results[engine] = {
                "seconds": min(r["seconds"] for r in runs),
                "peak_mb": min(r["peak_mb"] for r in runs),
                "base_mb": min(r["base_mb"] for r in runs),
                "check": runs[0]["check"],
            }
    ref = results.get("duckdb", {}).get("seconds")
    head = ("engine", "seconds", "vs duckdb", "peak MB", "base MB", "peak-base")
    print(f"{head[0]:<10} {head[1]:>8} {head[2]:>9} {head[3]:>8} {head[4]:>8} {head[5]:>9}  check")
    for engine, r in results.items():
        ratio = f"{r['seconds'] / ref:.2f}x" if ref else "-"
        print(
            f"{engine:<10} {r['seconds']:>8.3f} {ratio:>9} {r['peak_mb']:>8.0f} {r['base_mb']:>8.0f} "
            f"{r['peak_mb'] - r['base_mb']:>9.0f}  {r['check']:g}"
        )
    checks = {r["check"] for r in results.values()}
    if len(checks) > 1:
        print(f"the engines disagree on the district sum of count_00 in 2021: {checks}")
        sys.exit(1)
    if tmp is not None:
        tmp.cleanup()


if __name__ == "__main__":
    main()
