"""Workload 1: a synthetic national school data set rolled up by official rules.

S schools in S/50 districts in 31 provinces, 4 stages, students per school, 20 indicators per school,
years 2020-2025: 120*S rows. From the same numpy arrays, each engine computes

1. sums per (indicator, year) for every district, province and the nation;
2. the student-weighted coefficient of variation (差异系数, population form) per (indicator, year,
   district, stage) for the 7 优质均衡 indicators;
3. the share of 小学/初中 schools per (district, year) meeting at least 6 of the 7 standards with
   every other one at least 85% of its threshold (教督〔2017〕6号 thresholds);
4. per (district, indicator): the linear expected value in 2023 between the 2020 baseline and a
   target of 1.2 x baseline in 2025, and whether 2023 is achieved / on track / behind.

Engines: planeval (its Python API), pandas and DuckDB (both pip-installed for the benchmark only).
The results are checked to agree to 1e-9 relative, then each engine prints
``engine=<name> schools=<N> rows=<R> seconds=<median of 5>``.

    python benchmarks/w1.py --schools 100000 [--repeat 5] [--threads 2] [--engines planeval,pandas,duckdb]
    python benchmarks/w1.py --schools 1000000 --memory --repeat 3   # planeval alone, ~12 GB to set up

``--memory`` runs planeval alone (the data arrays dropped once its Observations hold the rows) and
prints the size of the input columns, the peak resident set of the timed part above the one before
it (sampled every 2 ms from /proc/self/status), and the median seconds of each call (rollup_batch:
sums and CVs; rollup_k_of_n: the share; rest: the Python after them).

Data construction (arrays, the planeval plan and Observations, the pandas DataFrame, the DuckDB
table) is not timed; each engine's timed part starts from its own in-memory table and ends with
every result as key and value columns in the engine's own row order (no engine is asked to sort).
Putting the results in one sorted form to compare them is not timed either.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import threading
import time
from typing import Any, Callable

import numpy as np

N_IND = 20
YEARS = np.arange(2020, 2026)
STAGES = ["幼儿园", "小学", "初中", "高中"]
# 优质均衡 per-school thresholds (小学, 初中), domain.md §2.1 / 教督〔2017〕6号
THRESHOLDS = {
    "小学": [4.2, 1.0, 0.9, 4.5, 7.5, 2000.0, 2.3],
    "初中": [5.3, 1.0, 0.9, 5.8, 10.2, 2500.0, 2.4],
}
K, FLOOR = 6, 0.85
SEVEN = list(range(7))
# an engine's results: name -> (key columns, values), rows in the engine's own order
Raw = dict[str, tuple[tuple[Any, ...], Any]]


# ----------------------------------------------------------------------------------------------
# the data
# ----------------------------------------------------------------------------------------------
def make_data(schools: int, seed: int = 20260101) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    s = schools
    districts = max(1, s // 50)
    school = np.arange(s)
    district = school // 50 if districts > 1 else np.zeros(s, dtype=np.int64)
    district = np.minimum(district, districts - 1)
    province = district % 31
    stage = school % 4  # 0 幼儿园, 1 小学, 2 初中, 3 高中
    students = np.maximum(30.0, np.round(rng.lognormal(6.0, 0.5, s)))
    # per school and indicator: a base level, then yearly growth with noise
    thr = np.ones((s, N_IND))
    for k in SEVEN:
        thr[:, k] = np.where(stage == 2, THRESHOLDS["初中"][k], THRESHOLDS["小学"][k])
    thr[:, 7:] = rng.integers(5, 200, size=(s, N_IND - 7))
    base = thr * rng.lognormal(0.0, 0.15, size=(s, N_IND))
    del thr
    # value = round(base x (1 + 0.03 (year - 2020) + noise), 3), shape (school, indicator, year),
    # computed in place in the noise array (the same numbers as the expression: + and x commute);
    # at 1,000,000 schools each (school, indicator, year) array is 960 MB
    value = rng.normal(0, 0.02, size=(s, N_IND, len(YEARS)))
    value += (1.0 + 0.03 * (YEARS - 2020))[None, None, :]
    value *= base[:, :, None]
    del base
    np.round(value, 3, out=value)
    rows = s * N_IND * len(YEARS)
    return {
        "school": np.repeat(school.astype(np.int64, copy=False), N_IND * len(YEARS)),
        "indicator": np.tile(np.repeat(np.arange(N_IND, dtype=np.int64), len(YEARS)), s),
        "year": np.tile(YEARS.astype(np.int64, copy=False), s * N_IND),
        "value": value.reshape(rows),
        "students": np.repeat(students, N_IND * len(YEARS)),
        # per school
        "school_district": district.astype(np.int64),
        "school_province": province.astype(np.int64),
        "school_stage": stage.astype(np.int64),
        "school_students": students,
        "districts": np.array(districts),
    }


def linear_status(x2020: np.ndarray, x2023: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Expected 2023 value on the straight line 2020 -> 2025 (target 1.2 x baseline) and a status
    code: 2 achieved (>= target), 1 on track (>= expected), 0 behind."""
    target = 1.2 * x2020
    expected = x2020 + (target - x2020) * (2023 - 2020) / (2025 - 2020)
    status = np.where(x2023 >= target, 2, np.where(x2023 >= expected, 1, 0))
    return expected, status


# Every engine returns the same dictionary of numpy arrays, sorted by its keys:
#   sums_district  (district, indicator, year) -> sum   [and _province, _nation]
#   cv             (district, stage, indicator, year) -> cv
#   share          (district, year) -> share of compulsory schools passing
#   linear         (district, indicator) -> expected 2023, status


# ----------------------------------------------------------------------------------------------
# planeval
# ----------------------------------------------------------------------------------------------
def make_plan(d: dict[str, np.ndarray]) -> Any:
    """W1's plan: the nation, 31 provinces, the districts and schools of ``d``, N_IND indicators."""
    import planeval

    plan = planeval.Plan("w1", "全国学校合成数据", planeval_date(2021, 1, 1), planeval_date(2025, 12, 31))
    # the 2020 baseline year is inside the data window through a target's baseline
    for k in range(N_IND):
        plan.add_indicator(planeval.Indicator(f"i{k}", f"指标{k}", "ratio", "ratio"))
    plan.add_entity(planeval.Entity("cn", "全国", "nation"))
    for p in range(31):
        plan.add_entity(planeval.Entity(f"p{p}", f"省{p}", "province", "cn"))
    for k in range(int(d["districts"])):
        plan.add_entity(planeval.Entity(f"d{k}", f"区{k}", "district", f"p{k % 31}"))
    for s, (dist, st) in enumerate(zip(d["school_district"], d["school_stage"])):
        plan.add_entity(planeval.Entity(f"s{s}", f"校{s}", "school", f"d{dist}", stage=STAGES[st]))
    plan.add_target(
        planeval.Target(
            "baseline_window",
            "i0",
            "cn",
            planeval.Goal(">=", 1.0, deadline=planeval_date(2025, 12, 31)),
            planeval.Source("synthetic"),
            baseline=planeval.Point(planeval_date(2020, 12, 31), 1.0),
        )
    )
    return plan


def setup_planeval(d: dict[str, np.ndarray]) -> dict[str, Any]:
    import planeval

    plan = make_plan(d)
    districts = int(d["districts"])
    first_school = 1 + 31 + districts
    obs, report = planeval.observations_from_arrays(
        plan,
        indicator=d["indicator"].astype(np.uint32),
        entity=(d["school"] + first_school).astype(np.uint32),
        year=d["year"],
        value=d["value"],
        weight=d["students"],
    )
    assert report.accepted == len(d["value"]), report
    return {"plan": plan, "obs": obs, "first_school": first_school, "districts": districts}


def planeval_date(y: int, m: int, day: int) -> Any:
    import datetime

    return datetime.date(y, m, day)


def run_planeval(ctx: dict[str, Any], threads: int, split: dict[str, list[float]] | None = None) -> Raw:
    """W1 through the Python API; ``split`` (if given) gets the seconds of each call appended."""
    plan, obs = ctx["plan"], ctx["obs"]
    districts = ctx["districts"]
    seven = [f"i{k}" for k in SEVEN]
    t0 = time.perf_counter()
    # sums (district, then province and nation from merged states) and CVs: one pass over the rows
    sums, cv = plan.rollup_batch(
        obs,
        [
            {"level": "district", "rule": "sum", "also": ["province", "nation"], "threads": threads},
            {"level": "district", "rule": "cv", "by_stage": True, "indicators": seven, "threads": threads},
        ],
        ids=False,
    )
    t1 = time.perf_counter()
    share = plan.rollup_k_of_n(
        obs,
        level="district",
        indicators=seven,
        criteria={st: [(">=", t) for t in THRESHOLDS[st]] for st in ("小学", "初中")},
        k=K,
        floor=FLOOR,
        threads=threads,
    )
    t2 = time.perf_counter()
    out: Raw = {}
    # entity indices: 0 nation, 1..31 provinces, 32.. districts
    ent, ind = sums["entity_index"], sums["indicator_index"]
    year = sums["period_year"]
    for name, lo, hi in (("district", 32, 32 + districts), ("province", 1, 32), ("nation", 0, 1)):
        m = (ent >= lo) & (ent < hi)
        out[f"sums_{name}"] = ((ent[m] - lo, ind[m], year[m]), sums["value"][m])
    cv_year = cv["period_year"]
    # stage codes: 0 幼儿园, 1 小学, 2 初中, 3 高中 (as the synthetic data's stage column)
    out["cv"] = ((cv["entity_index"] - 32, cv["stage_code"], cv["indicator_index"], cv_year), cv["value"])
    share_year = share["period_year"]
    out["share"] = ((share["entity_index"] - 32, share_year), share["share"])
    out["linear"] = linear_from_sums(*out["sums_district"], districts)
    if split is not None:
        for name, seconds in (
            ("rollup_batch", t1 - t0),
            ("rollup_k_of_n", t2 - t1),
            ("rest", time.perf_counter() - t2),
        ):
            split.setdefault(name, []).append(seconds)
    return out


# ----------------------------------------------------------------------------------------------
# pandas
# ----------------------------------------------------------------------------------------------
def setup_pandas(d: dict[str, np.ndarray]) -> Any:
    import pandas as pd

    df = pd.DataFrame(
        {
            "school": d["school"],
            "indicator": d["indicator"],
            "year": d["year"],
            "value": d["value"],
            "students": d["students"],
            "district": d["school_district"][d["school"]],
            "province": d["school_province"][d["school"]],
            "stage": d["school_stage"][d["school"]],
        }
    )
    return {"df": df, "districts": int(d["districts"])}


def run_pandas(ctx: dict[str, Any], threads: int) -> Raw:
    import pandas as pd

    df = ctx["df"]
    out: Raw = {}
    for level in ("district", "province"):
        g = df.groupby([level, "indicator", "year"], sort=False)["value"].sum().reset_index()
        out[f"sums_{level}"] = ((g[level], g["indicator"], g["year"]), g["value"])
    g = df.groupby(["indicator", "year"], sort=False)["value"].sum().reset_index()
    out["sums_nation"] = ((np.zeros(len(g), dtype=np.int64), g["indicator"], g["year"]), g["value"])

    # student-weighted population CV, two passes (mean, then weighted squared deviations)
    d7 = df[df["indicator"] < 7]
    keys = ["district", "stage", "indicator", "year"]
    wx = d7["value"] * d7["students"]
    sums = pd.DataFrame({"w": d7["students"], "wx": wx}).groupby([d7[k] for k in keys]).sum()
    mean = sums["wx"] / sums["w"]
    m = mean.reindex(pd.MultiIndex.from_frame(d7[keys])).to_numpy()
    dev = d7["students"].to_numpy() * (d7["value"].to_numpy() - m) ** 2
    var = pd.Series(dev, index=d7.index).groupby([d7[k] for k in keys]).sum() / sums["w"]
    cv = (np.sqrt(var) / mean).reset_index(name="cv")
    out["cv"] = ((cv["district"], cv["stage"], cv["indicator"], cv["year"]), cv["cv"])

    # k of n per school and year, for 小学 (1) and 初中 (2)
    comp = d7[d7["stage"].isin([1, 2])]
    wide = comp.pivot_table(index=["school", "year"], columns="indicator", values="value", aggfunc="first")
    meta = comp.groupby(["school", "year"])[["district", "stage"]].first().loc[wide.index]
    thr = np.where(meta["stage"].to_numpy()[:, None] == 2, THRESHOLDS["初中"], THRESHOLDS["小学"])
    vals = wide.to_numpy()
    met = vals >= thr
    ok = (met.sum(axis=1) >= K) & (met | (vals >= FLOOR * thr)).all(axis=1)
    share = (
        pd.Series(ok, index=wide.index)
        .groupby([meta["district"].to_numpy(), wide.index.get_level_values("year")])
        .mean()
    )
    share = share.reset_index()
    share.columns = ["district", "year", "share"]
    out["share"] = ((share["district"], share["year"]), share["share"])
    out["linear"] = linear_from_sums(*out["sums_district"], ctx["districts"])
    return out


# ----------------------------------------------------------------------------------------------
# DuckDB
# ----------------------------------------------------------------------------------------------
def setup_duckdb(d: dict[str, np.ndarray], threads: int) -> Any:
    import duckdb

    con = duckdb.connect()
    con.execute(f"SET threads TO {threads}")
    pdctx = setup_pandas(d)
    df = pdctx["df"]
    con.register("df_view", df)
    con.execute("CREATE TABLE obs AS SELECT * FROM df_view")
    con.unregister("df_view")
    thr = [(st, k, THRESHOLDS[name][k]) for st, name in ((1, "小学"), (2, "初中")) for k in SEVEN]
    con.execute("CREATE TABLE thr (stage BIGINT, indicator BIGINT, t DOUBLE)")
    con.executemany("INSERT INTO thr VALUES (?, ?, ?)", thr)
    return {"con": con, "districts": pdctx["districts"]}


def run_duckdb(ctx: dict[str, Any], threads: int) -> Raw:
    con = ctx["con"]
    out: Raw = {}
    for level in ("district", "province"):
        r = con.execute(f"SELECT {level}, indicator, year, sum(value) FROM obs GROUP BY ALL").fetchnumpy()
        cols = list(r.values())
        out[f"sums_{level}"] = ((cols[0], cols[1], cols[2]), cols[3])
    r = con.execute("SELECT indicator, year, sum(value) FROM obs GROUP BY ALL").fetchnumpy()
    cols = list(r.values())
    out["sums_nation"] = ((np.zeros(len(cols[0]), dtype=np.int64), cols[0], cols[1]), cols[2])
    r = con.execute(
        """
        WITH g AS (
          SELECT district, stage, indicator, year,
                 sum(students * value) / sum(students) AS m, sum(students) AS w
          FROM obs WHERE indicator < 7 GROUP BY ALL)
        SELECT o.district, o.stage, o.indicator, o.year,
               sqrt(sum(o.students * (o.value - g.m) * (o.value - g.m)) / any_value(g.w))
                 / any_value(g.m) AS cv
        FROM obs o JOIN g USING (district, stage, indicator, year)
        WHERE o.indicator < 7
        GROUP BY ALL
        """
    ).fetchnumpy()
    cols = list(r.values())
    out["cv"] = ((cols[0], cols[1], cols[2], cols[3]), cols[4])
    r = con.execute(
        f"""
        WITH u AS (
          SELECT o.school, o.year, any_value(o.district) AS district,
                 sum(CASE WHEN o.value >= t.t THEN 1 ELSE 0 END) AS met,
                 bool_and(o.value >= t.t OR o.value >= {FLOOR} * t.t) AS floor_ok
          FROM obs o JOIN thr t ON o.stage = t.stage AND o.indicator = t.indicator
          GROUP BY o.school, o.year)
        SELECT district, year, avg(CASE WHEN met >= {K} AND floor_ok THEN 1.0 ELSE 0.0 END)
        FROM u GROUP BY ALL
        """
    ).fetchnumpy()
    cols = list(r.values())
    out["share"] = ((cols[0], cols[1]), cols[2])
    out["linear"] = linear_from_sums(*out["sums_district"], ctx["districts"])
    return out


# ----------------------------------------------------------------------------------------------
# shared
# ----------------------------------------------------------------------------------------------
def sort_table(*keys: Any, values: Any) -> np.ndarray:
    """Rows (keys..., value) as a float array sorted by the keys."""
    cols = [np.asarray(k, dtype=np.float64) for k in keys] + [np.asarray(values, dtype=np.float64)]
    table = np.column_stack(cols)
    order = np.lexsort([table[:, i] for i in reversed(range(len(keys)))])
    return table[order]


def linear_from_sums(keys: tuple[Any, ...], values: Any, districts: int) -> tuple[tuple[Any, ...], Any]:
    """((district, indicator), (expected 2023, status)) from an engine's district sums (any row order)."""
    dist, ind, year = (np.asarray(k, dtype=np.int64) for k in keys)
    x = np.full((districts, N_IND, len(YEARS)), np.nan)
    x[dist, ind, year - 2020] = np.asarray(values, dtype=np.float64)
    expected, status = linear_status(x[:, :, 0], x[:, :, 3])
    dd, ii = np.meshgrid(np.arange(districts), np.arange(N_IND), indexing="ij")
    return (dd.ravel(), ii.ravel(), expected.ravel()), status.ravel()


def tables(raw: Raw) -> dict[str, np.ndarray]:
    """Each result as a float table (keys..., value) sorted by the keys: the form compared (not timed)."""
    return {name: sort_table(*keys, values=values) for name, (keys, values) in raw.items()}


def agree(a: dict[str, np.ndarray], b: dict[str, np.ndarray], names: tuple[str, str]) -> None:
    for key in a:
        x, y = a[key], b[key]
        if x.shape != y.shape:
            raise SystemExit(f"{names[0]} and {names[1]} disagree on {key}: shapes {x.shape} vs {y.shape}")
        if not np.allclose(x, y, rtol=1e-9, atol=0.0, equal_nan=True):
            bad = np.argwhere(~np.isclose(x, y, rtol=1e-9, atol=0.0, equal_nan=True))[0]
            raise SystemExit(
                f"{names[0]} and {names[1]} disagree on {key} at {bad}: {x[bad[0]]} vs {y[bad[0]]}"
            )


def timed(fn: Callable[[], Raw], repeat: int) -> tuple[float, Raw]:
    times: list[float] = []
    result: Raw = {}
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def rss() -> int:
    """This process's resident set in bytes (VmRSS of /proc/self/status; 0 where there is none)."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


class PeakRss:
    """The peak resident set during a ``with`` block, sampled every 2 ms, and the one at its start."""

    def __enter__(self) -> PeakRss:
        self.base = rss()
        self.peak = self.base
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.wait(0.002):
            self.peak = max(self.peak, rss())

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, rss())


def input_bytes(obs: Any) -> int:
    """Bytes of the Observations' columns (indicator, entity, start, end, value, weight, flags)."""
    cols = [obs.indicator, obs.entity, obs.start, obs.end, obs.value, obs.weight, obs.flags]
    return sum(int(c.nbytes) for c in cols if c is not None)


def memory_run(schools: int, repeat: int, threads: int) -> None:
    """planeval alone at large S: the data arrays are dropped once the Observations hold the rows;
    each timed run's peak resident set above the one before it is sampled (the result arrays are
    part of it), and the seconds split by call."""
    t0 = time.perf_counter()
    d = make_data(schools)
    ctx = setup_planeval(d)
    rows = len(d["value"])
    del d
    gc.collect()
    size = input_bytes(ctx["obs"])
    print(
        f"# {schools} schools, {rows} rows: input columns {size / 2**20:.0f} MiB "
        f"({size / rows:.1f} bytes a row), resident {rss() / 2**20:.0f} MiB; "
        f"set up in {time.perf_counter() - t0:.1f} s",
        flush=True,
    )
    times: list[float] = []
    peaks: list[int] = []
    split: dict[str, list[float]] = {}
    for _ in range(repeat):
        with PeakRss() as mem:
            t = time.perf_counter()
            res = run_planeval(ctx, threads, split)
            times.append(time.perf_counter() - t)
        peaks.append(mem.peak - mem.base)
        del res
        gc.collect()
    parts = " ".join(f"{name}={statistics.median(v):.4f}" for name, v in split.items())
    print(
        f"engine=planeval schools={schools} rows={rows} seconds={statistics.median(times):.4f} "
        f"peak_mb={max(peaks) / 2**20:.0f} input_mb={size / 2**20:.0f} "
        f"peak_ratio={max(peaks) / size:.3f} {parts}"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--schools", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--engines", default="planeval,pandas,duckdb")
    ap.add_argument(
        "--memory",
        action="store_true",
        help="planeval only, with the peak memory of the timed part and the seconds of each call",
    )
    args = ap.parse_args()
    if args.memory:
        memory_run(args.schools, args.repeat, args.threads)
        return
    d = make_data(args.schools)
    rows = len(d["value"])
    results: dict[str, dict[str, np.ndarray]] = {}
    lines = []
    for engine in args.engines.split(","):
        if engine == "planeval":
            ctx = setup_planeval(d)
            seconds, res = timed(lambda c=ctx: run_planeval(c, args.threads), args.repeat)
        elif engine == "pandas":
            ctx = setup_pandas(d)
            seconds, res = timed(lambda c=ctx: run_pandas(c, args.threads), args.repeat)
        elif engine == "duckdb":
            ctx = setup_duckdb(d, args.threads)
            seconds, res = timed(lambda c=ctx: run_duckdb(c, args.threads), args.repeat)
        else:
            raise SystemExit(f"unknown engine {engine!r}")
        results[engine] = tables(res)
        lines.append(f"engine={engine} schools={args.schools} rows={rows} seconds={seconds:.4f}")
    names = list(results)
    for other in names[1:]:
        agree(results[names[0]], results[other], (names[0], other))
    if len(names) > 1:
        print(f"# results agree to 1e-9 relative: {', '.join(names)}")
    for line in lines:
        print(line)


if __name__ == "__main__":
    main()
