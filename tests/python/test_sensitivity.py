"""planeval.sensitivity: Sobol' indices of Python models and the composite rank uncertainty engine.

Expected numbers are computed by hand in the comments or cited (the Ishigami indices).
"""

from __future__ import annotations

import _thread
import math
import signal
import sys
import threading
from typing import Any

import numpy as np
import pytest

import planeval
from planeval import sensitivity


def test_draws_are_splitmix64() -> None:
    # splitmix64 seeded with 0: first output 0xE220A8397B1DCDAF; its top 53 bits / 2**53:
    assert sensitivity.uniform_draws(1, 1, 0)[0, 0] == 0.8833108082136426
    z = 0xE220A8397B1DCDAF
    assert (z >> 11) * 2.0**-53 == 0.8833108082136426
    a, b, ab = sensitivity.saltelli_sample(4, 3, seed=9)
    d = sensitivity.uniform_draws(4, 6, 9)  # row r: [A row r, B row r]
    np.testing.assert_array_equal(a, d[:, :3])
    np.testing.assert_array_equal(b, d[:, 3:])
    for i in range(3):
        expected = a.copy()
        expected[:, i] = b[:, i]
        np.testing.assert_array_equal(ab[i], expected)


def test_sobol_indices_by_hand() -> None:
    # ya = [1, 3], yb = [2, 4], yab = [[2, 3]]: mean 2.5, V = (2.25 + 0.25 + 0.25 + 2.25)/4 = 1.25;
    # S = mean((yb − 2.5)(yab − ya)) / V = (−0.5·1 + 1.5·0)/2/1.25 = −0.2;
    # ST = mean((ya − yab)²)/2/V = ((1 + 0)/2)/2/1.25 = 0.2
    res = sensitivity.sobol_indices([1.0, 3.0], [2.0, 4.0], [[2.0, 3.0]], names=["a"])
    assert res.variance == pytest.approx(1.25)
    assert res.first_order == pytest.approx([-0.2])
    assert res.total == pytest.approx([0.2])
    assert res.to_dict() == {"a": {"first_order": pytest.approx(-0.2), "total": pytest.approx(0.2)}}
    with pytest.raises(planeval.Error, match="yb: expected 2 values like ya, got 1"):
        sensitivity.sobol_indices([1.0, 3.0], [2.0], [[2.0, 3.0]])


def test_ishigami() -> None:
    # f = sin x1 + 7 sin² x2 + 0.1 x3⁴ sin x1 on [-π, π]³ (Ishigami & Homma 1990); analytic indices
    # (Sobol' & Levitan 1999): S = 0.3139, 0.4424, 0; ST = 0.5576, 0.4424, 0.2437 (V1 = ½(1 + bπ⁴/5)²,
    # V2 = a²/8, V13 = b²π⁸(1/18 − 1/50), V = V1 + V2 + V13). n = 2^15: standard errors ~0.005.
    def ishigami(x: np.ndarray) -> np.ndarray:
        return np.sin(x[:, 0]) + 7 * np.sin(x[:, 1]) ** 2 + 0.1 * x[:, 2] ** 4 * np.sin(x[:, 0])

    res = sensitivity.indices(ishigami, [(-math.pi, math.pi)] * 3, n=2**15, seed=3, bootstrap=100)
    np.testing.assert_allclose(res.first_order, [0.3139, 0.4424, 0.0], atol=0.02)
    np.testing.assert_allclose(res.total, [0.5576, 0.4424, 0.2437], atol=0.02)
    assert all(lo < s < hi for lo, s, hi in zip(res.first_order_low, res.first_order, res.first_order_high))
    frame = res.to_frame()
    assert list(frame.index) == ["x1", "x2", "x3"]
    assert set(frame.columns) >= {"first_order", "total", "total_low", "total_high"}
    assert "x1: S=" in repr(res)


def test_linear_model() -> None:
    # y = x1 + 2 x2 + 3 x3, independent U(0, 1): S_i = ST_i = c_i² / Σc² = 1/14, 4/14, 9/14.
    res = sensitivity.indices(
        lambda x: x @ np.array([1.0, 2.0, 3.0]), 3, n=2**14, seed=1, names=["a", "b", "c"]
    )
    np.testing.assert_allclose(res.first_order, [1 / 14, 4 / 14, 9 / 14], atol=0.02)
    np.testing.assert_allclose(res.total, [1 / 14, 4 / 14, 9 / 14], atol=0.02)
    assert res.variance == pytest.approx(14 / 12, rel=0.03)  # Σc²/12
    with pytest.raises(ValueError, match="expected 32 outputs"):
        sensitivity.indices(lambda x: x[:4, 0], 2, n=8)


# the case of the C++ test, computed by hand there: 3 units × 2 indicators under one root, weight
# noise 0.5 and drop_indicator, draws rows [A | B]
HAND_DATA = np.array([[0.9, 0.1], [0.4, 0.5], [0.2, 0.6]])
HAND_DRAWS = np.array(
    [
        [0.9, 0.1, 0.1, 0.1, 0.9, 0.5],
        [0.5, 0.5, 0.9, 0.3, 0.7, 0.2],
        [0.1, 0.9, 0.0, 0.5, 0.5, 0.0],
    ]
)


def test_rank_uncertainty_by_hand() -> None:
    # Ranks over A: u0 [1, 1, 3] (mean 5/3, median 1, p05 1, p95 3 − 2·0.1 = 2.8), u1 [2, 2, 2],
    # u2 [3, 3, 1] (mean 7/3, median 3, p05 1.2, p95 3). Shifts yA = [0, 0, 4/3], yB = [4/3, 4/3, 0],
    # yAB_w = [4/3, 0, 0], yAB_d = [4/3, 0, 4/3]; S_w = ST_w = 4/3, S_d = ST_d = 2/3 (3 replications:
    # far from the true indices, but the arithmetic of the estimators).
    res = sensitivity.rank_uncertainty(
        HAND_DATA,
        {0: "index", 1: "index"},
        weight_noise=0.5,
        vary=("weights", "drop_indicator"),
        replications=3,
        draws=HAND_DRAWS,
        keep_ranks=True,
        units=["u0", "u1", "u2"],
        threads=2,
    )
    frame = res.ranks
    planeval_frame = res.sensitivity
    assert list(frame.index) == ["u0", "u1", "u2"]
    np.testing.assert_array_equal(frame["nominal"], [1, 2, 3])
    np.testing.assert_allclose(frame["mean"], [5 / 3, 2, 7 / 3])
    np.testing.assert_allclose(frame["median"], [1, 2, 3])
    np.testing.assert_allclose(frame["p05"], [1, 2, 1.2])
    np.testing.assert_allclose(frame["p95"], [2.8, 2, 3])
    np.testing.assert_allclose(frame["score"], [0.5, 0.45, 0.4])
    assert list(planeval_frame.index) == ["weights", "drop_indicator"]
    np.testing.assert_allclose(planeval_frame["first_order"], [4 / 3, 2 / 3])
    np.testing.assert_allclose(planeval_frame["total"], [4 / 3, 2 / 3])
    np.testing.assert_array_equal(res.rank_matrix, [[1, 2, 3], [1, 2, 3], [3, 2, 1]])
    t = 4 / 3
    np.testing.assert_allclose(res.shift_ab, [[t, 0, 0], [t, 0, t]])
    assert res.runs == 12
    assert res.layout["columns"] == 3


def _numpy_reference(
    data: list[np.ndarray], parent: np.ndarray, draws: np.ndarray, noise: float
) -> tuple[np.ndarray, np.ndarray]:
    """Ranks (A runs) and shifts (A) by numpy: indicators -> dimensions (arithmetic) -> index, with
    weights varied, the variant chosen, aggregation arithmetic/geometric for all nodes."""
    m = parent.size
    dims = parent.max() + 1
    d = m + dims + 1 + 1  # weights (indicators, dimensions), variant, aggregation

    def scores(u: np.ndarray) -> np.ndarray:
        iw = 1 - noise + 2 * noise * u[:m]
        nw = 1 - noise + 2 * noise * u[m : m + dims]
        x = data[min(int(u[m + dims] * len(data)), len(data) - 1)]
        geo = int(u[m + dims + 1] * 2) == 1
        dim_values = np.empty((x.shape[0], dims))
        for c in range(dims):
            cols = np.flatnonzero(parent == c)
            w = iw[cols]
            v = x[:, cols]
            dim_values[:, c] = np.exp(np.log(v) @ w / w.sum()) if geo else v @ w / w.sum()
        return np.exp(np.log(dim_values) @ nw / nw.sum()) if geo else dim_values @ nw / nw.sum()

    def ranks(s: np.ndarray) -> np.ndarray:
        return np.array([1 + np.sum(s > v) for v in s])  # ties: the smallest rank

    nominal = ranks(
        np.concatenate([data[0][:, parent == c].mean(axis=1)[:, None] for c in range(dims)], 1).mean(1)
    )
    all_ranks = np.array([ranks(scores(draws[r, :d])) for r in range(draws.shape[0])])
    shifts = np.abs(all_ranks - nominal).mean(axis=1)
    return all_ranks, shifts


def test_rank_uncertainty_matches_numpy_and_any_thread_count() -> None:
    rng = np.random.default_rng(4)
    units, m, reps = 30, 6, 40
    data = [rng.uniform(1, 100, (units, m)) for _ in range(2)]
    parent = np.array([0, 0, 1, 1, 1, 2])
    hierarchy = {j: f"dim{parent[j]}" for j in range(m)} | {f"dim{c}": "index" for c in range(3)}
    layout = sensitivity.draw_columns(
        hierarchy, list(range(m)), variants=2, vary=("weights", "variant", "aggregation")
    )
    assert layout["inputs"] == ["weights", "variant", "aggregation"]
    assert layout["columns"] == m + 3 + 1 + 1
    draws = sensitivity.uniform_draws(reps, 2 * layout["columns"], 77)
    kwargs = dict(vary=("weights", "variant", "aggregation"), replications=reps, draws=draws, keep_ranks=True)
    res = sensitivity.rank_uncertainty(data, hierarchy, threads=1, **kwargs)  # type: ignore[arg-type]
    all_ranks, shifts = _numpy_reference(data, parent, draws, 0.25)
    np.testing.assert_array_equal(res.rank_matrix, all_ranks)
    np.testing.assert_allclose(res.shift_a, shifts, rtol=0, atol=1e-12)
    np.testing.assert_array_equal(res.ranks["mean"], all_ranks.mean(axis=0))
    np.testing.assert_array_equal(res.ranks["median"], np.median(all_ranks, axis=0))
    np.testing.assert_array_equal(res.ranks["p05"], np.percentile(all_ranks, 5, axis=0))
    np.testing.assert_array_equal(res.ranks["p95"], np.percentile(all_ranks, 95, axis=0))
    for threads in (2, 3):
        other = sensitivity.rank_uncertainty(data, hierarchy, threads=threads, **kwargs)  # type: ignore[arg-type]
        np.testing.assert_array_equal(other.shift_ab, res.shift_ab)
        np.testing.assert_array_equal(other.sensitivity["total"], res.sensitivity["total"])


def test_rank_uncertainty_from_two_python_threads() -> None:
    # the GIL is released during the run: two Python threads at once give the sequential results
    rng = np.random.default_rng(8)
    frame_data = rng.uniform(1, 10, (50, 4))
    hierarchy = {0: "a", 1: "a", 2: "b", 3: "b", "a": "root", "b": "root"}
    expected = sensitivity.rank_uncertainty(frame_data, hierarchy, replications=200, seed=3, threads=1)
    results: list[sensitivity.RankUncertainty] = []

    def work() -> None:
        results.append(
            sensitivity.rank_uncertainty(frame_data, hierarchy, replications=200, seed=3, threads=2)
        )

    workers = [threading.Thread(target=work) for _ in range(2)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert len(results) == 2
    for r in results:
        np.testing.assert_array_equal(r.ranks.to_numpy(), expected.ranks.to_numpy())
        np.testing.assert_array_equal(r.shift_ab, expected.shift_ab)


def test_dataframes_variants_and_weights() -> None:
    pd = pytest.importorskip("pandas")
    # two schools, three indicators under one root; weights 1, 1, 2; school a [1, 4, 16] scores
    # arithmetic 9.25 (0.25 + 1 + 8), school b [2, 2, 2] scores 2
    df = pd.DataFrame({"x": [1.0, 2.0], "y": [4.0, 2.0], "z": [16.0, 2.0]}, index=["a", "b"])
    res = sensitivity.rank_uncertainty(
        {"minmax": df, "zscore": df * 2},
        {"x": "index", "y": "index", "z": "index"},
        weights={"z": 2.0},
        vary=("variant", "drop_indicator"),
        replications=10,
        progress=False,
    )
    assert list(res.ranks.index) == ["a", "b"]
    np.testing.assert_allclose(res.ranks["score"], [9.25, 2.0])
    assert list(res.sensitivity.index) == ["variant", "drop_indicator"]
    assert "RankUncertainty(units=2" in repr(res)


def test_progress_callable_and_errors() -> None:
    data = np.random.default_rng(1).uniform(1, 2, (100, 3))
    hierarchy = {0: "r", 1: "r", 2: "r"}
    calls: list[tuple[int, int]] = []
    res = sensitivity.rank_uncertainty(
        data, hierarchy, replications=100, progress=lambda d, t: calls.append((d, t))
    )
    assert calls[-1] == (res.runs, res.runs)

    def boom(done: int, total: int) -> None:
        raise RuntimeError("stop")

    with pytest.raises(RuntimeError, match="stop"):
        sensitivity.rank_uncertainty(data, hierarchy, replications=100, progress=boom)
    # a cycle a -> b -> a: no root (checked by the composite's validator, make_composite_tree)
    with pytest.raises(
        planeval.DataError, match=r"nodes: no root \(a node with an empty parent\); the parents form"
    ):
        sensitivity.rank_uncertainty(data, {0: "a", 1: "b", 2: "a", "a": "b", "b": "a"}, replications=10)
    with pytest.raises(planeval.Error, match=r"expected a finite value >= 0"):
        sensitivity.rank_uncertainty(-data, hierarchy, replications=10)  # geometric is an alternative
    with pytest.raises(planeval.Error, match=r"draws: expected shape \(replications, 2D\) = \(10, 8\)"):
        sensitivity.rank_uncertainty(data, hierarchy, replications=10, draws=np.zeros((10, 3)))
    with pytest.raises(ValueError, match="vary: expected some of"):
        sensitivity.rank_uncertainty(data, hierarchy, vary=("colour",))
    with pytest.raises(ValueError, match="expected a parent for every indicator"):
        sensitivity.rank_uncertainty(data, {0: "r", 1: "r"})
    assert issubclass(sensitivity.CancelledError, planeval.Error)


def test_plain_text_progress_bar(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "tqdm", None)  # as if tqdm were not installed
    bar = sensitivity._ProgressBar("rank_uncertainty")
    bar(10, 200)  # within the first second: nothing shown
    assert capsys.readouterr().err == ""
    bar.start -= 2.0
    bar(50, 200)
    bar.close()
    err = capsys.readouterr().err
    assert err.startswith("\rrank_uncertainty:  25.0% (50/200 runs, ")
    assert err.endswith(" s)\n")


def test_ctrl_c_stops_the_run() -> None:
    # a run of about a minute, interrupted after 0.3 s: KeyboardInterrupt, raised promptly
    data = np.random.default_rng(2).uniform(1, 2, (2000, 20))
    hierarchy = {j: f"d{j // 5}" for j in range(20)} | {f"d{c}": "r" for c in range(4)}
    # a process started with SIGINT ignored (a job started with & by a script) would never see
    # the interrupt: Python's own handler for the test's duration
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    timer = threading.Timer(0.3, _thread.interrupt_main)
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            sensitivity.rank_uncertainty(data, hierarchy, replications=200_000, threads=2, progress=False)
    finally:
        timer.cancel()
        signal.signal(signal.SIGINT, previous)
    # the module still works afterwards
    res = sensitivity.rank_uncertainty(data[:20], hierarchy, replications=10, progress=False)
    assert res.replications == 10


def test_weight_noise_per_level_by_hand() -> None:
    # index over d0 (indicator a) and d1 (indicator b): COINr levels a, b 1; d0, d1 2; index 3.
    # u0 [4, 0], u1 [1, 2]: index 2 and 1.5, nominal ranks [1, 2]. Noise 0.5 at levels 1 and 2: a
    # weight times 0.5 + u (COINr's get_noisy_weights: w + (2u - 1)·0.5·w); the level-1 weights
    # cancel (one child per dimension). d weights (0.5, 1.4) (u = 0, 0.9): u0 4·0.5/1.9 = 1.05,
    # u1 (0.5 + 2.8)/1.9 = 1.74 -> ranks [2, 1], shift 1. The draws and indices of
    # tests/cpp/uncertainty_test.cpp "weight noise per level": yA [1, 0], yB [0, 1],
    # yAB_1 [1, 0], yAB_2 [0, 1] -> S = ST = 0 for level 1 and 2 for level 2 (n = 2: arithmetic only).
    pd = pytest.importorskip("pandas")
    hierarchy = {"a": "d0", "b": "d1", "d0": "index", "d1": "index"}
    x = pd.DataFrame({"a": [4.0, 1.0], "b": [0.0, 2.0]}, index=["u0", "u1"])
    draws = np.array([[0.3, 0.7, 0.0, 0.9, 0.1, 0.2, 0.5, 0.5], [0.5, 0.5, 0.5, 0.5, 0.9, 0.9, 0.0, 0.9]])
    res = sensitivity.rank_uncertainty(
        x,
        hierarchy,
        weight_noise_levels={1: 0.5, 2: 0.5},
        vary=["weights"],
        replications=2,
        draws=draws,
        progress=False,
    )
    assert res.inputs == ["weights[level 1]", "weights[level 2]"]
    assert res.layout["column_count"] == [2, 2]
    assert list(res.ranks["nominal"]) == [1.0, 2.0]
    assert res.shift_a.tolist() == [1.0, 0.0]
    assert res.shift_b.tolist() == [0.0, 1.0]
    assert res.shift_ab.tolist() == [[1.0, 0.0], [0.0, 1.0]]
    assert res.sensitivity["first_order"].tolist() == [0.0, 2.0]
    assert res.sensitivity["total"].tolist() == [0.0, 2.0]
    # (level, noise) pairs work too; draw_columns gives the same layout
    cols = sensitivity.draw_columns(hierarchy, ["a", "b"], weight_noise_levels=[(2, 0.25)], vary=["weights"])
    assert cols["inputs"] == ["weights[level 2]"] and cols["columns"] == 2
    with pytest.raises(planeval.Error, match=r"weight_noise_levels\[0\].level: expected a level from 1"):
        sensitivity.rank_uncertainty(
            x, hierarchy, weight_noise_levels={3: 0.25}, vary=["weights"], progress=False
        )
    with pytest.raises(planeval.Error, match="zeros: expected one of error, limit"):
        sensitivity.rank_uncertainty(x, hierarchy, zeros="ignore", progress=False)


def test_sobol_points_and_saltelli_with_sobol() -> None:
    # expected: SciPy 1.17.1, scipy.stats.qmc.Sobol(6, scramble=False).random(5) (Joe & Kuo's
    # new-joe-kuo-6.21201 direction numbers, 30 bits)
    expected = [
        [0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
        [0.5, 0.5, 0.5, 0.5, 0.5, 0.5],
        [0.75, 0.25, 0.25, 0.25, 0.75, 0.75],
        [0.25, 0.75, 0.75, 0.75, 0.25, 0.25],
        [0.375, 0.375, 0.625, 0.875, 0.375, 0.125],
    ]
    assert sensitivity.sobol_points(5, 6).tolist() == expected
    # Sobol(1024).random(1024)[1023, :6] (SciPy 1.17.1)
    last = [0.0009765625, 0.7529296875, 0.6123046875, 0.1455078125, 0.1865234375, 0.4384765625]
    assert sensitivity.sobol_points(1, 1024, first=1023)[0, :6].tolist() == last
    # Saltelli's design: row r of [A | B] is the 2k-dimensional point r + 1 (k = 3: Sobol(6) above)
    a, b, ab = sensitivity.saltelli_sample(4, 3, sampling="sobol")
    assert a.tolist() == [row[:3] for row in expected[1:]]
    assert b.tolist() == [row[3:] for row in expected[1:]]
    assert ab[1].tolist() == [[r[0], r[4], r[2]] for r in expected[1:]]
    # y = x1 + 2 x2: S = ST = 1/5, 4/5 (variances 1/12 and 4/12); Sobol' points, n = 1024: within 1%
    res = sensitivity.indices(lambda x: x[:, 0] + 2 * x[:, 1], 2, n=1024, sampling="sobol")
    assert res.first_order == pytest.approx([0.2, 0.8], rel=0.01)
    assert res.total == pytest.approx([0.2, 0.8], rel=0.01)
    # the engine with sampling="sobol" reads the Sobol' points as its draws
    x = np.array([[0.9, 0.1], [0.4, 0.5], [0.2, 0.6]])
    kw: dict[str, Any] = dict(weight_noise=0.5, vary=["weights"], replications=8, progress=False)
    got = sensitivity.rank_uncertainty(x, {0: "r", 1: "r"}, sampling="sobol", **kw)
    want = sensitivity.rank_uncertainty(
        x, {0: "r", 1: "r"}, draws=sensitivity.sobol_points(8, 4, first=1), **kw
    )
    assert np.array_equal(got.shift_a, want.shift_a) and np.array_equal(got.shift_ab, want.shift_ab)
    with pytest.raises(planeval.Error, match="sampling: expected one of"):
        sensitivity.saltelli_sample(4, 2, sampling="lhs")


def test_min_share_as_in_the_composite() -> None:
    # one node r over a, b: u0 [1, 2] -> 1.5; u1 [NaN, 4]: 1 of 2 children present (share 0.5):
    # with min_share 0.6 u1 has no index (no rank), else 4 (rank 1)
    x = np.array([[1.0, 2.0], [np.nan, 4.0]])
    kw: dict[str, Any] = dict(vary=["weights"], replications=4, progress=False)
    strict = sensitivity.rank_uncertainty(x, {0: "r", 1: "r"}, min_share={"r": 0.6}, **kw)
    assert strict.ranks["score"].tolist()[0] == 1.5 and np.isnan(strict.ranks["score"].tolist()[1])
    assert strict.ranks["nominal"].tolist()[0] == 1.0 and np.isnan(strict.ranks["nominal"].tolist()[1])
    loose = sensitivity.rank_uncertainty(x, {0: "r", 1: "r"}, **kw)
    assert loose.ranks["score"].tolist() == [1.5, 4.0] and loose.ranks["nominal"].tolist() == [2.0, 1.0]
    with pytest.raises(planeval.Error, match="min_share: unknown nodes"):
        sensitivity.rank_uncertainty(x, {0: "r", 1: "r"}, min_share={"q": 0.5}, **kw)
    with pytest.raises(
        planeval.DataError, match=r"nodes\[0\].min_share: expected a share from 0 to 1, got 2"
    ):
        sensitivity.rank_uncertainty(x, {0: "r", 1: "r"}, min_share={"r": 2.0}, **kw)
