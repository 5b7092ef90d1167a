"""Composite.uncertainty: the composite's own choices feed the Monte Carlo engine (variants of the
normalised data, hierarchy, weights, base aggregation), and plot_rank_uncertainty draws the result."""

from __future__ import annotations

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


def test_min_share_is_refused_not_ignored() -> None:
    with pytest.raises(planeval.Error, match="node 'x' has min_share > 0"):
        make().replace(min_share={"x": 0.5}).uncertainty(replications=10, progress=False)


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
