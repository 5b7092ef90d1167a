"""Composite.uncertainty: the composite's own choices feed the Monte Carlo engine (variants of the
normalised data, hierarchy, weights, base aggregation), and plot_rank_uncertainty draws the result."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import planeval
from planeval import composite, sensitivity

# 4 schools x 3 indicators in two dimensions; d lower is better
DATA = pd.DataFrame(
    {"a": [1.0, 2.0, 3.0, 4.0], "b": [10.0, 30.0, 20.0, 40.0], "d": [5.0, 4.0, 3.0, 1.0]},
    index=["s1", "s2", "s3", "s4"],
)
HIERARCHY = {"a": "x", "b": "x", "d": "y", "x": "index", "y": "index"}


def make() -> composite.Composite:
    return composite.Composite(
        DATA,
        hierarchy=HIERARCHY,
        directions={"d": "lower"},
        weights={"x": 2.0, "y": 1.0},
        output_range=(1.0, 100.0),
    )


def test_nominal_ranks_are_the_composites_own() -> None:
    c = make()
    u = c.uncertainty(replications=200, seed=7, progress=False, sensitivity=False)
    # min-max to 1..100 (d flipped): a: 1, 34, 67, 100; b: 1, 67, 34, 100; d: 1, 25.75, 50.5, 100
    # x = mean(a, b): 1, 50.5, 50.5, 100; index = (2x + y) / 3: 1, 42.25, 50.5, 100
    # ranks: s4 1, s3 2, s2 3, s1 4
    assert list(u.ranks["nominal"].astype(int)) == [4, 3, 2, 1]
    assert list(c.run().ranks["index"].astype(int)) == [4, 3, 2, 1]
    assert u.ranks.loc["s1", "score"] == pytest.approx(1.0)
    assert u.ranks.loc["s3", "score"] == pytest.approx((2 * 50.5 + 50.5) / 3)


def test_the_same_run_as_the_engine_called_directly() -> None:
    c = make()
    got = c.uncertainty(normalisations=["rank"], replications=300, seed=11, progress=False)
    # what uncertainty() builds: the base variant first, then rank normalisation
    want = sensitivity.rank_uncertainty(
        [c.normalised(), c.replace(normalisation="rank").normalised()],
        HIERARCHY,
        weights={"x": 2.0, "y": 1.0},
        aggregation={"index": "arithmetic", "x": "arithmetic", "y": "arithmetic"},
        alternatives=("arithmetic", "geometric"),
        vary=["weights", "aggregation", "variant"],
        replications=300,
        seed=11,
        progress=False,
        units=c.units(),
        indicators=c.indicators(),
    )
    pd.testing.assert_frame_equal(got.ranks, want.ranks)
    pd.testing.assert_frame_equal(got.sensitivity, want.sensitivity)
    assert got.inputs == ["weights", "variant", "aggregation"]
    assert np.array_equal(got.shift_a, want.shift_a)


def test_drop_indicator_and_explicit_inputs() -> None:
    c = make()
    u = c.uncertainty(drop_indicator=True, replications=100, seed=3, progress=False)
    assert u.inputs == ["weights", "aggregation", "drop_indicator"]
    only = c.uncertainty(vary=["weights"], replications=100, seed=3, progress=False)
    assert only.inputs == ["weights"]
    # only the weights vary (±25%): s4 is best on every indicator, so it stays first
    assert (only.ranks.loc["s4", ["p05", "p95"]] == 1).all()


def test_min_share_is_applied_as_in_the_composite() -> None:
    # a unit missing b: with min_share 1 at x, x is missing for s2 in the composite; the engine's
    # nominal run must agree (it was refused before the engine applied min_share)
    data = DATA.copy()
    data.loc["s2", "b"] = float("nan")
    c = composite.Composite(
        data,
        hierarchy=HIERARCHY,
        directions={"d": "lower"},
        weights={"x": 2.0, "y": 1.0},
        output_range=(1.0, 100.0),
        min_share={"x": 1.0},
    )
    run = c.run()
    assert np.isnan(run.scores.loc["s2", "x"])
    u = c.uncertainty(replications=20, seed=1, progress=False, sensitivity=False)
    np.testing.assert_array_equal(u.ranks["score"].to_numpy(), run.scores["index"].to_numpy())


def test_weight_noise_per_level_and_sobol_sampling_pass_through() -> None:
    u = make().uncertainty(
        weight_noise_levels={2: 0.25}, sampling="sobol", replications=64, seed=2, progress=False
    )
    assert u.inputs == ["weights[level 2]", "aggregation"]


def test_plot_rank_uncertainty() -> None:
    pytest.importorskip("matplotlib")
    u = make().uncertainty(normalisations=["rank"], replications=200, seed=5, progress=False)
    fig = planeval.plot_rank_uncertainty(u, lang="en", labels={"s1": "School 1"})
    ranks_ax, sens_ax = fig.axes
    assert [t.get_text() for t in ranks_ax.get_yticklabels()] == ["s4", "s3", "s2", "School 1"]
    assert [t.get_text() for t in sens_ax.get_yticklabels()] == ["weights", "variant", "aggregation"]
    one = planeval.plot_rank_uncertainty(
        make().uncertainty(replications=50, sensitivity=False, progress=False)
    )
    assert len(one.axes) == 1


# --- one engine: the composite and the uncertainty engine share the kernel, the zero policy and
# the ranking, so the nominal run is the composite's index, bit for bit ---------------------------


def _engine_nominal(c: composite.Composite, zeros: str) -> sensitivity.RankUncertainty:
    return sensitivity.rank_uncertainty(
        c.normalised(),
        HIERARCHY,
        weights={"x": 2.0, "y": 1.0},
        aggregation={"index": "geometric", "x": "geometric", "y": "harmonic"},
        vary=["weights"],
        zeros=zeros,
        replications=4,
        progress=False,
        units=c.units(),
        indicators=c.indicators(),
    )


def test_nominal_run_equals_the_composite_exactly_zeros_included() -> None:
    # min-max to 0..100 gives 0 to the lowest school of each indicator (s1 on a and b, s1 on d):
    # a: 0, 33.3, 66.7, 100; b: 0, 66.7, 33.3, 100; d (flipped): 0, 25, 50, 100.
    # zeros="limit": x = √(a·b): 0, 47.14, 47.14, 100; y = d; index = x^(2/3)·y^(1/3):
    # s1 0 (the limit), s2 47.14^(2/3)·25^(1/3) = 38.14, s3 47.14^(2/3)·50^(1/3) = 48.06, s4 100.
    c = composite.Composite(
        DATA,
        hierarchy=HIERARCHY,
        directions={"d": "lower"},
        weights={"x": 2.0, "y": 1.0},
        aggregation={"index": "geometric", "x": "geometric", "y": "harmonic"},
        output_range=(0.0, 100.0),
        zeros="limit",
    )
    run = c.run()
    u = _engine_nominal(c, "limit")
    assert np.array_equal(u.ranks["score"].to_numpy(), run.scores["index"].to_numpy())  # exactly
    assert list(u.ranks["nominal"].astype(int)) == list(run.ranks["index"].astype(int)) == [4, 3, 2, 1]
    x2 = np.sqrt(100 / 3 * 200 / 3)
    assert run.scores["index"].tolist() == pytest.approx(
        [0.0, x2 ** (2 / 3) * 25 ** (1 / 3), x2 ** (2 / 3) * 50 ** (1 / 3), 100.0]
    )
    # zeros="error" (the default): both refuse the same 0, naming node, unit and child
    strict = c.replace(zeros="error")
    msg = r"the geometric mean needs values > 0, unit 0 has 0 from indicator 0"
    with pytest.raises(planeval.DataError, match=msg):
        strict.run()
    with pytest.raises(planeval.DataError, match=msg):
        _engine_nominal(strict, "error")
    # above 0 (1..100): both policies give the composite's numbers
    for zeros in ("error", "limit"):
        ok = c.replace(output_range=(1.0, 100.0), zeros=zeros)
        assert np.array_equal(
            _engine_nominal(ok, zeros).ranks["score"].to_numpy(), ok.run().scores["index"].to_numpy()
        )


COINR = Path(__file__).resolve().parent.parent / "data" / "coinr"


def test_asem_nominal_ranks_are_coinrs() -> None:
    # COINr 1.1.14 (commit b968203), tests/data/coinr/make_reference.R: build_example_coin()'s
    # normalised data (min-max [0, 100]) aggregated by a_amean with iMeta's weights (all 1) over
    # 49 indicators -> 8 pillars -> 2 sub-indices -> Index (asem_aggregated.csv). The engine's
    # nominal run must give COINr's Index (to rounding) and its ranks (min ranks, 1 = highest)
    # exactly; the vignette's SA_specs weights noise (levels 2 and 3, 25%) and aggregation
    # alternatives are the varied inputs. COINr's vignette prints the first nominal ranks: AUS 35,
    # AUT 7, BEL 5, BGD 46, BGR 30, BRN 40 (SA_res$RankStats, /tmp/coinr/sensitivity.txt).
    meta = pd.read_csv(COINR / "ASEM_iMeta.csv")
    tree = meta[meta["Type"].isin(["Indicator", "Aggregate"]) & meta["Parent"].notna()]
    codes = list(meta.loc[meta["Type"] == "Indicator", "iCode"])
    normalised = pd.read_csv(COINR / "asem_normalised.csv", index_col="uCode")[codes]
    index = pd.read_csv(COINR / "asem_aggregated.csv", index_col="uCode")["Index"]
    u = sensitivity.rank_uncertainty(
        normalised,
        dict(zip(tree["iCode"], tree["Parent"])),
        weights={k: float(w) for k, w in zip(tree["iCode"], tree["Weight"])},
        weight_noise_levels={2: 0.25, 3: 0.25},
        vary=["weights", "aggregation"],
        zeros="limit",  # min-max [0, 100] has zeros: a geometric draw gives them the limit 0
        replications=50,
        seed=1,
        progress=False,
    )
    assert u.inputs == ["weights[level 2]", "weights[level 3]", "aggregation"]
    assert u.layout["column_count"] == [8, 2, 1]
    np.testing.assert_allclose(u.ranks["score"], index.loc[u.ranks.index], rtol=1e-12)
    coinr_ranks = index.rank(ascending=False, method="min").loc[u.ranks.index]
    assert (u.ranks["nominal"] == coinr_ranks).all()
    first = u.ranks.loc[["AUS", "AUT", "BEL", "BGD", "BGR", "BRN"], "nominal"]
    assert first.tolist() == [35, 7, 5, 46, 30, 40]
