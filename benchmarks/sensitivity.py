"""Rank uncertainty of a composite index: planeval versus a straightforward numpy implementation.

U units x 30 indicators (already normalised to [1, 100], so geometric means are defined) in a
3-level hierarchy (30 indicators -> 6 dimensions of 5 -> 1 index, equal base weights, arithmetic
base aggregation). N replications vary the weights (each indicator and dimension weight times a
factor uniform in [0.75, 1.25]) and the aggregation method (arithmetic or geometric for every node,
50/50), with Saltelli's design for the Sobol' indices: (k + 2)·N = 4N composite evaluations. Both
engines read the same draws (numpy's generator, N x 2D uniforms, D = 30 + 6 + 1 = 37 columns:
indicator weights, dimension weights, aggregation; passed to planeval with ``draws=``).

Outputs compared: per unit the nominal rank, the mean, median, 5th and 95th percentiles of its
rank over the N replications of A (exactly), the mean absolute rank shift of every run (to 1e-9)
and the first-order and total indices (to 1e-9). Prints
``engine=<name> units=U replications=N runs=R seconds=<best of --repeat>`` and the agreement.

    python benchmarks/sensitivity.py [--units 1000] [--replications 10000] [--threads 2] [--repeat 1]

Making the data and the draws is not timed; planeval's time includes building its result frames.

``--asem N`` (default 100; 0 skips it) also runs the uncertainty and sensitivity analysis of COINr's
sensitivity vignette on its ASEM example (51 countries, 49 indicators -> 8 pillars -> 2 sub-indices
-> index; tests/data/coinr/, COINr 1.1.14, MIT), as far as planeval's engine goes: the data are
COINr's treated data normalised two ways (the variants: min-max to [1, 100], COINr's n_minmax
c(1, 100), the base, and z-scores with mean 10 and sd 2, COINr's n_zscore c(10, 2), each after the
indicator's direction; COINr's nominal is min-max to [0, 100], whose arithmetic index ranks the units
as the [1, 100] one does, an affine map of it), the weights of levels 2 (pillars) and 3
(sub-indices) with noise 25% (COINr's noise_specs Level = c(2, 3), NoiseFactor = 0.25, an input per
level here), the aggregation
arithmetic or geometric (a_amean / a_gmean), N replications with Saltelli's design: (k + 2)·N runs
for k = 4 inputs. COINr's fourth input, winmax of the outlier treatment (1:5), needs the treatment
inside each run and is not varied here (planeval's engine takes normalised variants). It prints the
time and checks that the nominal ranks equal those of COINr's aggregated index
(tests/data/coinr/asem_aggregated.csv: COINr's nominal, min-max [0, 100], arithmetic, weights 1).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

import numpy as np

from planeval import sensitivity

INDICATORS = 30
DIMS = 6
NOISE = 0.25


def make_data(units: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    parent = np.arange(INDICATORS) // (INDICATORS // DIMS)
    # correlated indicators: a unit effect, a dimension effect and noise, min-max to [1, 100]
    raw = (
        rng.normal(size=(units, 1))
        + rng.normal(size=(units, DIMS))[:, parent]
        + rng.normal(size=(units, INDICATORS))
    )
    lo, hi = raw.min(axis=0), raw.max(axis=0)
    return 1 + 99 * (raw - lo) / (hi - lo), parent


def run_planeval(x: np.ndarray, parent: np.ndarray, draws: np.ndarray, threads: int) -> dict[str, Any]:
    hierarchy: dict[Any, Any] = {j: f"dim{parent[j]}" for j in range(INDICATORS)}
    hierarchy.update({f"dim{c}": "index" for c in range(DIMS)})
    res = sensitivity.rank_uncertainty(
        x,
        hierarchy,
        weight_noise=NOISE,
        vary=("weights", "aggregation"),
        alternatives=("arithmetic", "geometric"),
        replications=draws.shape[0],
        draws=draws,
        threads=threads,
        progress=False,
    )
    assert res.layout["columns"] == INDICATORS + DIMS + 1
    return {
        "nominal": res.ranks["nominal"].to_numpy(),
        "mean": res.ranks["mean"].to_numpy(),
        "median": res.ranks["median"].to_numpy(),
        "p05": res.ranks["p05"].to_numpy(),
        "p95": res.ranks["p95"].to_numpy(),
        "shift_a": res.shift_a,
        "shift_b": res.shift_b,
        "shift_ab": res.shift_ab,
        "first_order": res.sensitivity["first_order"].to_numpy(),
        "total": res.sensitivity["total"].to_numpy(),
        "runs": res.runs,
    }


def run_numpy(x: np.ndarray, parent: np.ndarray, draws: np.ndarray, batch: int = 256) -> dict[str, Any]:
    """The same replications: aggregation batched over runs, ranking run by run."""
    n, units = draws.shape[0], x.shape[0]
    d = INDICATORS + DIMS + 1
    logx = np.log(x)
    cols = [np.flatnonzero(parent == c) for c in range(DIMS)]

    def scores(u: np.ndarray) -> np.ndarray:
        """Index scores (units, runs) for draw rows u (runs, D)."""
        iw = 1 - NOISE + 2 * NOISE * u[:, :INDICATORS]
        nw = 1 - NOISE + 2 * NOISE * u[:, INDICATORS : INDICATORS + DIMS]
        geo = np.floor(u[:, INDICATORS + DIMS] * 2) == 1
        dims = np.empty((DIMS, units, u.shape[0]))
        for c, cc in enumerate(cols):
            w = iw[:, cc]
            sw = w.sum(axis=1)
            dims[c] = np.where(geo, np.exp((logx[:, cc] @ w.T) / sw), (x[:, cc] @ w.T) / sw)
        sw = nw.sum(axis=1)
        arith = np.einsum("cur,rc->ur", dims, nw) / sw
        geom = np.exp(np.einsum("cur,rc->ur", np.log(dims), nw) / sw)
        return np.where(geo, geom, arith)

    def ranks(s: np.ndarray) -> np.ndarray:
        """Rank 1 = highest; ties share the smallest rank."""
        return units - np.searchsorted(np.sort(s), s, side="right") + 1

    def all_runs(rows: np.ndarray, keep: bool) -> tuple[np.ndarray, np.ndarray | None]:
        shifts = np.empty(rows.shape[0])
        kept = np.empty((rows.shape[0], units), dtype=np.int64) if keep else None
        for start in range(0, rows.shape[0], batch):
            s = scores(rows[start : start + batch])
            for j in range(s.shape[1]):
                r = ranks(s[:, j])
                shifts[start + j] = np.abs(r - nominal).mean()
                if kept is not None:
                    kept[start + j] = r
        return shifts, kept

    base = np.concatenate([np.full(INDICATORS + DIMS, 0.5), [0.0]])  # factor 1, arithmetic
    nominal = ranks(scores(base[None, :])[:, 0])
    a, b = draws[:, :d], draws[:, d:]
    shift_a, ranks_a = all_runs(a, True)
    shift_b, _ = all_runs(b, False)
    groups = [np.arange(INDICATORS + DIMS), np.array([INDICATORS + DIMS])]  # weights, aggregation
    shift_ab = np.empty((len(groups), n))
    for i, g in enumerate(groups):
        ab = a.copy()
        ab[:, g] = b[:, g]
        shift_ab[i], _ = all_runs(ab, False)
    assert ranks_a is not None
    y = np.concatenate([shift_a, shift_b])
    f0, v = y.mean(), y.var()
    first = np.array([np.mean((shift_b - f0) * (shift_ab[i] - shift_a)) / v for i in range(len(groups))])
    total = np.array([np.mean((shift_a - shift_ab[i]) ** 2) / 2 / v for i in range(len(groups))])
    return {
        "nominal": nominal.astype(float),
        "mean": ranks_a.mean(axis=0),
        "median": np.median(ranks_a, axis=0),
        "p05": np.percentile(ranks_a, 5, axis=0),
        "p95": np.percentile(ranks_a, 95, axis=0),
        "shift_a": shift_a,
        "shift_b": shift_b,
        "shift_ab": shift_ab,
        "first_order": first,
        "total": total,
        "runs": 4 * n,
    }


COINR = Path(__file__).resolve().parent.parent / "tests" / "data" / "coinr"


def asem(replications: int, threads: int, repeat: int) -> None:
    """COINr's sensitivity vignette on ASEM, as far as planeval's engine goes (see the module doc)."""
    import pandas as pd

    meta = pd.read_csv(COINR / "ASEM_iMeta.csv")
    ind = meta[meta["Type"] == "Indicator"]
    tree = meta[meta["Type"].isin(["Indicator", "Aggregate"]) & meta["Parent"].notna()]
    hierarchy = dict(zip(tree["iCode"], tree["Parent"]))
    weights = {k: float(w) for k, w in zip(tree["iCode"], tree["Weight"])}
    codes = list(ind["iCode"])
    direction = ind.set_index("iCode")["Direction"].astype(float)
    normalised = pd.read_csv(COINR / "asem_normalised.csv", index_col="uCode")[codes]
    treated = pd.read_csv(COINR / "asem_treated.csv", index_col="uCode")[codes] * direction
    # min-max to [1, 100] is 1 + 0.99·(min-max to [0, 100]) of the same treated data: an affine map,
    # so its arithmetic index ranks the units as COINr's nominal [0, 100] index does
    variants = {
        "minmax_1_100": 1 + 0.99 * normalised,
        "zscore_10_2": (treated - treated.mean()) / treated.std(ddof=1) * 2 + 10,
    }
    best = float("inf")
    res: Any = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        res = sensitivity.rank_uncertainty(
            variants,
            hierarchy,
            weights=weights,
            weight_noise_levels={2: 0.25, 3: 0.25},
            vary=("weights", "variant", "aggregation"),
            alternatives=("arithmetic", "geometric"),
            replications=replications,
            seed=20260101,
            threads=threads,
            progress=False,
        )
        best = min(best, time.perf_counter() - t0)
    agg = pd.read_csv(COINR / "asem_aggregated.csv", index_col="uCode")["Index"]
    coinr_rank = agg.rank(ascending=False, method="min")
    same = bool((res.ranks["nominal"] == coinr_rank.loc[res.ranks.index]).all())
    print(
        f"engine=planeval data=ASEM units={len(normalised)} indicators={len(codes)} "
        f"replications={replications} runs={res.runs} inputs={res.inputs} threads={threads} "
        f"seconds={best:.3f}",
        flush=True,
    )
    print(f"ASEM nominal ranks equal COINr's (asem_aggregated.csv): {same}")
    print(res.sensitivity.round(3).to_string())
    print(res.ranks.head(6).to_string())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--units", type=int, default=1000)
    ap.add_argument("--replications", type=int, default=10000)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--seed", type=int, default=20260101)
    ap.add_argument("--engines", default="planeval,numpy")
    ap.add_argument("--asem", type=int, default=100, help="replications of the ASEM analysis (0: skip)")
    args = ap.parse_args()
    if args.asem:
        asem(args.asem, args.threads, args.repeat)

    x, parent = make_data(args.units, args.seed)
    d = INDICATORS + DIMS + 1
    draws = np.random.default_rng(args.seed + 1).random((args.replications, 2 * d))
    results: dict[str, dict[str, Any]] = {}
    for engine in args.engines.split(","):
        best = float("inf")
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            if engine == "planeval":
                out = run_planeval(x, parent, draws, args.threads)
            elif engine == "numpy":
                out = run_numpy(x, parent, draws)
            else:
                raise SystemExit(f"unknown engine {engine!r}")
            best = min(best, time.perf_counter() - t0)
        results[engine] = out
        extra = f" threads={args.threads}" if engine == "planeval" else ""
        print(
            f"engine={engine} units={args.units} replications={args.replications} runs={out['runs']}"
            f"{extra} seconds={best:.3f}",
            flush=True,
        )
    if {"planeval", "numpy"} <= results.keys():
        p, q = results["planeval"], results["numpy"]
        for key in ("nominal", "mean", "median", "p05", "p95"):
            diff = int(np.sum(p[key] != q[key]))
            print(f"rank {key}: {'identical' if diff == 0 else f'{diff} units differ'}")
        for key in ("shift_a", "shift_b", "shift_ab", "first_order", "total"):
            err = float(np.max(np.abs(np.asarray(p[key]) - np.asarray(q[key]))))
            print(f"{key}: max abs difference {err:.3g} ({'ok' if err <= 1e-9 else 'DIFFERS'})")
        print(
            "sensitivity (weights, aggregation): first_order",
            np.round(p["first_order"], 4),
            "total",
            np.round(p["total"], 4),
        )


if __name__ == "__main__":
    main()
