"""The composite analysis tools (planeval._composite_analysis): COINr 1.1.14's outputs on its ASEM
example (COINr commit b968203, tests/data/coinr/make_analysis.R; inputs tests/data/coinr/ASEM_iMeta.csv
and asem_raw/normalised/aggregated.csv, the data sets of build_example_coin()) and small cases worked
out by hand in the comments.

A CompositeResult is stood in for by its parts (``tree``, ``normalised``, ``scores``) read from COINr's
"Aggregated" data set, so these tests do not depend on planeval's own pipeline reproducing COINr's.
"""

from __future__ import annotations

import math
import pathlib
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

import planeval
from planeval import _composite_analysis as ca
from planeval import _core

pd = pytest.importorskip("pandas")

DATA = pathlib.Path(__file__).resolve().parents[1] / "data" / "coinr"
NAN = math.nan


def _csv(name: str, index: str | None = None) -> Any:
    return pd.read_csv(DATA / name, index_col=index, keep_default_na=False, na_values=[""])


def _meta() -> Any:
    meta = _csv("ASEM_iMeta.csv")
    return meta[meta["Type"].isin(["Indicator", "Aggregate"])]


def _asem_result() -> Any:
    """A stand-in CompositeResult of ASEM: COINr's hierarchy and weights, its normalised indicators
    and its aggregate scores."""
    meta = _meta()
    inds = list(meta.loc[meta["Type"] == "Indicator", "iCode"])
    nodes = list(meta.loc[meta["Type"] == "Aggregate", "iCode"])
    parent = dict(zip(meta["iCode"], meta["Parent"]))
    weight = dict(zip(meta["iCode"], meta["Weight"]))
    tree = {
        "node_ids": nodes,
        "node_parent": np.array(
            [-1 if not isinstance(parent[n], str) else nodes.index(parent[n]) for n in nodes], dtype=np.int32
        ),
        "node_weight": np.array([weight[n] for n in nodes], dtype=np.float64),
        "indicator_parent": np.array([nodes.index(parent[i]) for i in inds], dtype=np.uint32),
        "indicator_weight": np.array([weight[i] for i in inds], dtype=np.float64),
        "root": nodes.index("Index"),
    }
    agg = _csv("asem_aggregated.csv", "uCode")
    return SimpleNamespace(tree=tree, normalised=agg[inds], scores=agg[nodes])


# --- effective weights ---------------------------------------------------------------------------


def test_effective_weights_reproduce_coinr_get_eff_weights() -> None:
    got = ca.effective_weights(_asem_result())
    ref = _csv("analysis_eff_weights.csv", "iCode")
    assert len(got) == len(ref) == 60
    # the same operations in the same order: equal to the bit
    assert (got["effective_weight"].reindex(ref.index) == ref["EffWeight"]).all()
    # Goods: 1/5 of ConEcFin, 1/5 of Conn, 1/2 of Index = 0.02; Conn 1/2; the index 1
    assert got.at["Goods", "effective_weight"] == pytest.approx(0.02, rel=1e-15)
    assert got.at["Conn", "effective_weight"] == 0.5
    assert got.at["Index", "effective_weight"] == 1.0
    assert got.at["Goods", "parent"] == "ConEcFin"
    assert got.at["Index", "parent"] is None


def test_effective_weights_of_a_run_composite() -> None:
    # a (weight 1) and b (weight 3) under d1 (weight 1), c (weight 1) under d2 (weight 1), both under the
    # index: d1 = d2 = 1/2; a = (1/4)(1/2) = 0.125, b = (3/4)(1/2) = 0.375, c = 1 * 1/2 = 0.5
    data = pd.DataFrame(
        {"a": [1.0, 2.0, 3.0], "b": [3.0, 1.0, 2.0], "c": [2.0, 2.5, 1.0]}, index=["u", "v", "w"]
    )
    r = planeval.composite.Composite(
        data, hierarchy={"a": "d1", "b": "d1", "c": "d2", "d1": "index", "d2": "index"}, weights={"b": 3.0}
    ).run()
    w = ca.effective_weights(r)["effective_weight"]
    assert w["a"] == 0.125
    assert w["b"] == 0.375
    assert w["c"] == 0.5
    assert w["d1"] == 0.5
    assert w["index"] == 1.0


# --- Cronbach's alpha ----------------------------------------------------------------------------


def test_cronbach_alpha_hand_computed() -> None:
    # x1 = (1,2,3,NaN), x2 = (2,4,6,8): var1 = 1 (3 values), var2 = 20/3 (4 values), cov = 2 over the 3
    # common rows (pairwise complete); S = 1 + 20/3 + 2*2 = 35/3, trace 23/3, mean off-diagonal 2:
    # alpha = 2^2 * 2 / (35/3) = 24/35
    frame = pd.DataFrame({"x1": [1.0, 2.0, 3.0, None], "x2": [2.0, 4.0, 6.0, 8.0]})
    assert ca.cronbach_alpha(frame) == pytest.approx(24 / 35, rel=1e-14)


def test_cronbach_alpha_reproduces_coinr_get_cronbach() -> None:
    result = _asem_result()
    raw = _csv("asem_raw.csv", "uCode")
    nrm = _csv("asem_normalised.csv", "uCode")
    ref = _csv("analysis_cronbach.csv")
    assert len(ref) == 19
    for dset, node, alpha in zip(ref["dset"], ref["iCode"], ref["alpha"]):
        if dset == "Aggregated":  # children of Conn, Sust, Index: node scores
            got = ca.cronbach_alpha(result, node)
        else:
            kids = list(_meta().loc[_meta()["Parent"] == node, "iCode"])
            got = ca.cronbach_alpha(raw if dset == "Raw" else nrm, columns=kids)
            if dset == "Normalised":  # the normalised data of the result: the same
                assert ca.cronbach_alpha(result, node) == pytest.approx(got, rel=1e-15)
        assert got == pytest.approx(alpha, rel=1e-12), (dset, node)


# --- statistics ----------------------------------------------------------------------------------

COLUMNS = {
    "Min": "min",
    "Max": "max",
    "Mean": "mean",
    "Median": "median",
    "Std": "sd",
    "Skew": "skew",
    "Kurt": "kurtosis",
    "N.Avail": "n_available",
    "N.NonZero": "n_nonzero",
    "N.Unique": "n_unique",
    "N.Same": "n_same",
    "Frc.Avail": "share_available",
    "Frc.NonZero": "share_nonzero",
    "Frc.Unique": "share_unique",
    "Frc.Same": "share_same",
    "Flag.Avail": "flag_available",
    "Flag.NonZero": "flag_nonzero",
    "Flag.Unique": "flag_unique",
    "Flag.SkewKurt": "flag_skew_kurt",
}


@pytest.mark.parametrize(
    ("data", "ref"), [("raw", "analysis_stats_raw.csv"), ("normalised", "analysis_stats_normalised.csv")]
)
def test_indicator_stats_reproduce_coinr_get_stats(data: str, ref: str) -> None:
    frame = _csv(f"asem_{data}.csv", "uCode")
    want = _csv(ref, "iCode")
    got = ca.indicator_stats(frame[list(want.index)])
    assert list(got.index) == list(want.index)
    for coinr, ours in COLUMNS.items():
        if not pd.api.types.is_numeric_dtype(want[coinr].dtype):
            assert list(got[ours]) == list(want[coinr]), coinr
        else:
            np.testing.assert_allclose(got[ours], want[coinr], rtol=1e-11, atol=1e-14, err_msg=coinr)
    assert (got["flag_skew_kurt"] == "OUT").sum() == (18 if data == "raw" else 0)


def test_indicator_stats_hand_computed_and_options() -> None:
    # (1, 2, 2, 0, NaN): mean 1.25, median 1.5, squares of deviations 2.75: sample sd sqrt(2.75/3),
    # population sqrt(2.75/4); G1 -0.8545630383279712, G2 -1.2892561983471085 (COINr's skew/kurt);
    # (0, 0, 0, 5, NaN, NaN)-like flags below
    frame = pd.DataFrame({"a": [1.0, 2.0, 2.0, 0.0, None]})
    s = ca.indicator_stats(frame).loc["a"]
    assert (s["mean"], s["median"], s["n_available"], s["n_same"]) == (1.25, 1.5, 4, 2)
    assert s["sd"] == pytest.approx(math.sqrt(2.75 / 3), rel=1e-15)
    assert s["skew"] == pytest.approx(-0.8545630383279712, rel=1e-13)
    assert s["kurtosis"] == pytest.approx(-1.2892561983471085, rel=1e-13)
    assert ca.indicator_stats(frame, sd="population").at["a", "sd"] == pytest.approx(
        math.sqrt(2.75 / 4), rel=1e-15
    )
    # availability 4/5 = 0.8: LOW only with t_avail above it
    assert ca.indicator_stats(frame, t_avail=0.9).at["a", "flag_available"] == "LOW"
    assert s["flag_available"] == "ok"
    # two values: no skew, outlier flag unknown
    assert ca.indicator_stats(pd.DataFrame({"b": [1.0, 2.0]})).at["b", "flag_skew_kurt"] is None
    with pytest.raises(planeval.Error, match="sd"):
        ca.indicator_stats(frame, sd="biased")


def test_indicator_stats_of_a_result_add_correlations_with_parent_and_index() -> None:
    got = ca.indicator_stats(_asem_result())
    assert len(got) == 49
    for file, col in (("analysis_corr_parent.csv", "corr_parent"), ("analysis_corr_index.csv", "corr_index")):
        ref = _csv(file)  # COINr's get_corr(coin, "Aggregated", Levels = c(1, 2 or 4), withparent = TRUE)
        assert len(ref) == 49
        for var, r in zip(ref["Var2"], ref["Correlation"]):
            assert got.at[var, col] == pytest.approx(r, rel=1e-12), var
    pc = ca.parent_correlations(_asem_result())
    assert pc.at["Goods", "parent"] == "ConEcFin"
    assert pc.at["Conn", "parent"] == "Index"
    assert pc.at["Conn", "corr_parent"] == pc.at["Conn", "corr_index"]


# --- correlations --------------------------------------------------------------------------------


def test_correlations_hand_computed() -> None:
    # x = 1..5, y = (2,1,4,3,5), a sixth row with x missing (left out): Pearson 0.8 (sxy 8, sxx = syy = 10);
    # Spearman 0.8 (the values are ranks); Kendall (8 - 2)/10 = 0.6 (2 discordant pairs of 10).
    # p-value (R's cor.test): 0.10408803866182798
    frame = pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0, 5.0, None], "y": [2.0, 1.0, 4.0, 3.0, 5.0, 7.0]})
    assert ca.correlations(frame).at["x", "y"] == pytest.approx(0.8, rel=1e-14)
    assert ca.correlations(frame, "spearman").at["x", "y"] == pytest.approx(0.8, rel=1e-14)
    assert ca.correlations(frame, "Kendall").at["x", "y"] == pytest.approx(0.6, rel=1e-14)
    p = ca.correlation_pvalues(frame)
    assert p.at["x", "y"] == pytest.approx(0.10408803866182798, rel=1e-12)
    assert p.at["x", "x"] == 0.0
    with pytest.raises(planeval.Error, match="pearson"):
        ca.correlations(frame, "cosine")


def test_incomplete_beta_known_values() -> None:
    # I_0.5(2, 3) = 11/16 (binomial sum); I_x(1/2, 1/2) = (2/pi) asin(sqrt(x)); I_0.36(1, 1/2) = 1 - 0.8;
    # R's pbeta(0.9, 10, 0.5) = 0.15164090963470997
    assert _core._incomplete_beta(0.5, 2, 3) == pytest.approx(0.6875, rel=1e-15)
    assert _core._incomplete_beta(0.1, 0.5, 0.5) == pytest.approx(
        2 / math.pi * math.asin(math.sqrt(0.1)), rel=1e-14
    )
    assert _core._incomplete_beta(0.36, 1, 0.5) == pytest.approx(0.2, rel=1e-14)
    assert _core._incomplete_beta(0.9, 10, 0.5) == pytest.approx(0.15164090963470997, rel=1e-13)


@pytest.mark.parametrize("method", ["pearson", "spearman", "kendall"])
def test_correlations_reproduce_r_cor_pairwise(method: str) -> None:
    raw = _csv("asem_raw.csv", "uCode")
    ref = _csv(f"analysis_corr_{method}.csv", "Var")
    got = ca.correlations(raw[list(ref.index)], method)
    np.testing.assert_allclose(got.to_numpy(), ref.to_numpy(), rtol=1e-12, atol=1e-15)


def test_correlations_with_pval_reproduce_coinr_get_corr_default() -> None:
    # get_corr(coin, dset = "Raw", Levels = 1): pval = 0.05 by default, insignificant correlations NA
    raw = _csv("asem_raw.csv", "uCode")
    ref = _csv("analysis_corr_pval05.csv")
    got = ca.correlations(raw, pval=0.05)
    assert len(ref) == 49 * 49
    masked = 0
    for v1, v2, r in zip(ref["Var1"], ref["Var2"], ref["Correlation"]):
        if math.isnan(r):
            assert math.isnan(got.at[v1, v2]), (v1, v2)
            masked += 1
        else:
            assert got.at[v1, v2] == pytest.approx(r, rel=1e-12), (v1, v2)
    assert masked == 1226  # the empty cells of analysis_corr_pval05.csv
    with pytest.raises(planeval.Error, match="pval"):
        ca.correlations(raw, pval=1.5)


@pytest.mark.parametrize(
    ("method", "file"),
    [("kendall", "analysis_pvals_kendall.csv"), ("spearman", "analysis_pvals_spearman.csv")],
)
def test_rank_correlation_pvalues_reproduce_get_pvals(method: str, file: str) -> None:
    # get_pvals(method = "kendall") (cor.test's default: exact below 50 common units without ties) and
    # get_pvals(method = "spearman") (AS 89 without ties: 300 pairs here; t with ties). R's exact
    # Kendall value is 1 - P(T <= q - 1) in the upper tail, whose cancellation leaves errors up to
    # about 1e-14 absolute.
    raw = _csv("asem_raw.csv", "uCode")
    ref = _csv(file, "Var")
    got = ca.correlation_pvalues(raw[list(ref.index)], method)
    np.testing.assert_allclose(got.to_numpy(), ref.to_numpy(), rtol=1e-9, atol=2e-14)
    # x = 1..6, y = (2,1,4,3,6,5): 3 discordant pairs of 15: exact p = 2 (1 + 5 + 14 + 29)/6! = 49/360
    small = pd.DataFrame({"x": [1.0, 2, 3, 4, 5, 6], "y": [2.0, 1, 4, 3, 6, 5]})
    if method == "kendall":
        assert ca.correlation_pvalues(small, "kendall").at["x", "y"] == pytest.approx(49 / 360, rel=1e-14)


def test_correlation_pvalues_reproduce_coinr_get_pvals() -> None:
    raw = _csv("asem_raw.csv", "uCode")
    ref = _csv("analysis_pvals_pearson.csv", "Var")
    got = ca.correlation_pvalues(raw[list(ref.index)])
    np.testing.assert_allclose(got.to_numpy(), ref.to_numpy(), rtol=1e-9, atol=1e-300)
    assert got.to_numpy().min() < 1e-12  # tiny p-values are compared relatively too


# --- outranking and Copeland ---------------------------------------------------------------------


def test_outranking_hand_computed() -> None:
    # weights (1, 3) -> (0.25, 0.75); u0 = (1, 5), u1 = (2, 5), u2 = (0, missing).
    # M[u0, u1] = 0.75/2 (tie in y) = 0.375; M[u0, u2] = 0.25 (x only), M[u2, u0] = 1 - 0.25 (COINr's rule);
    # Copeland: u0 -2, u1 0, u2 +2
    frame = pd.DataFrame({"x": [1.0, 2.0, 0.0], "y": [5.0, 5.0, None]}, index=["u0", "u1", "u2"])
    o = ca.outranking(frame, {"x": 1.0, "y": 3.0})
    assert o.matrix.at["u0", "u1"] == 0.375
    assert o.matrix.at["u2", "u0"] == 0.75
    assert list(o.copeland) == [-2.0, 0.0, 2.0]
    assert (o.n_dominant, o.frac_dominant) == (0, 0.0)
    assert list(ca.copeland(frame, [1.0, 3.0])) == [-2.0, 0.0, 2.0]


def test_outranking_reproduces_coinr_outrankmatrix_and_a_copeland() -> None:
    result = _asem_result()  # the normalised indicators, weighted by the indicators' weights (all 1)
    o = ca.outranking(result)
    ref = _csv("analysis_outrank_normalised.csv", "Var")
    np.testing.assert_allclose(
        o.matrix.loc[ref.index, ref.index].to_numpy(), ref.to_numpy(), rtol=0, atol=1e-15
    )
    cop = _csv("analysis_copeland_normalised.csv", "uCode")["copeland"]
    assert (o.copeland.reindex(cop.index) == cop).all()
    # a_copeland's example: ASEM_iData[12:16], equal weights, missing values in Ship
    idata = _csv("ASEM_iData.csv", "uCode")[["LPI", "Flights", "Ship", "Bord", "Elec"]]
    o = ca.outranking(idata)
    ref = _csv("analysis_outrank_idata12_16.csv", "Var")
    np.testing.assert_allclose(
        o.matrix.loc[ref.index, ref.index].to_numpy(), ref.to_numpy(), rtol=0, atol=1e-15
    )
    cop = _csv("analysis_copeland_idata12_16.csv", "uCode")["copeland"]
    assert (o.copeland.reindex(cop.index) == cop).all()
    assert (o.n_dominant, o.frac_dominant) == (323, 0.25333333333333335)  # analysis_dominance.csv


# --- strengths and weaknesses --------------------------------------------------------------------


def test_strengths_weaknesses_hand_computed() -> None:
    # u0 (10, 1, 5), u1 (20, 2, 5), u2 (30, 3, 1), u3 (NaN, 4, 2). u1: a rank 2, b rank 3, c rank 1 (tied
    # with u0); none is the column's worst: strengths c, a; weakest b (rank 3)
    frame = pd.DataFrame(
        {"a": [10.0, 20.0, 30.0, None], "b": [1.0, 2.0, 3.0, 4.0], "c": [5.0, 5.0, 1.0, 2.0]},
        index=["u0", "u1", "u2", "u3"],
    )
    s, w = ca.strengths_weaknesses(frame, "u1", top=2, bottom=1, parents={"a": "P"})
    assert list(s["indicator"]) == ["c", "a"]
    assert list(s["rank"]) == [1, 2]
    assert list(s["parent"]) == [None, "P"]
    assert list(s["value"]) == [5.0, 20.0]
    assert list(w["indicator"]) == ["b"]
    # b lower-is-better: -b ranks u1 2nd; a and b tie at rank 2, column order kept
    s, w = ca.strengths_weaknesses(
        frame, "u1", top=2, bottom=1, directions={"a": 1, "b": "lower", "c": "higher"}
    )
    assert list(s["indicator"]) == ["c", "a"]
    assert list(w["indicator"]) == ["b"]
    assert list(w["rank"]) == [2]
    # groups: u1 first within (u0, u1) everywhere
    s, w = ca.strengths_weaknesses(
        frame, "u1", top=1, bottom=1, groups={"u0": "g", "u1": "g", "u2": "h", "u3": "h"}
    )
    assert list(s["indicator"]) == ["a"]
    assert list(w["indicator"]) == ["c"]
    with pytest.raises(planeval.Error, match="unit"):
        ca.strengths_weaknesses(frame, "u9")
    with pytest.raises(planeval.Error, match="directions"):
        ca.strengths_weaknesses(frame, "u1", directions={"a": 1, "b": 0, "c": 1})


@pytest.mark.parametrize("dset", ["Raw", "Normalised"])
def test_strengths_weaknesses_reproduce_coinr_get_str_weak(dset: str) -> None:
    # COINr keeps tied ranks in the order of coin$Meta$Ind (indicators by level, then parent code):
    # the columns are given in that order (analysis_meta_ind.csv); Raw is direction-adjusted in COINr
    order = _csv("analysis_meta_ind.csv")
    frame = _csv(f"asem_{dset.lower()}.csv", "uCode")[list(order["iCode"])]
    parents = dict(zip(order["iCode"], order["Parent"]))
    directions = dict(zip(order["iCode"], order["Direction"])) if dset == "Raw" else None
    ref = _csv("analysis_str_weak.csv")
    ref = ref[ref["dset"] == dset]
    units = list(frame.index)
    assert len(units) == 51
    for unit in units:
        s, w = ca.strengths_weaknesses(frame, unit, directions=directions, parents=parents)
        for got, kind in ((s, "Strengths"), (w, "Weaknesses")):
            want = ref[(ref["uCode"] == unit) & (ref["type"] == kind)]
            assert list(got["indicator"]) == list(want["iCode"]), (unit, kind)
            assert list(got["rank"]) == list(want["Rank"]), (unit, kind)
            assert list(got["parent"]) == list(want["Parent"]), (unit, kind)
            np.testing.assert_allclose(got["value"], want["Value"], rtol=1e-15)


# --- bad input -----------------------------------------------------------------------------------


def test_bad_input_is_refused_naming_the_place() -> None:
    frame = pd.DataFrame({"x": [1.0, 2.0, 3.0], "y": [1.0, math.inf, 2.0]}, index=["a", "b", "c"])
    with pytest.raises(planeval.DataError, match=r"'y'.*unit 'b'.*inf"):
        ca.correlations(frame)
    text = pd.DataFrame({"x": [1.0, 2.0], "y": ["1", "2"]})
    with pytest.raises(TypeError, match=r"'y'"):
        ca.indicator_stats(text)
    with pytest.raises(TypeError):
        ca.correlations([[1.0, 2.0]])  # type: ignore[arg-type]
    with pytest.raises(planeval.Error, match="not a column"):
        ca.cronbach_alpha(frame, columns=["x", "z"])
    with pytest.raises(planeval.Error, match="at least 2 columns"):
        ca.cronbach_alpha(frame, columns=["x"])
    with pytest.raises(planeval.Error, match="not a node"):
        ca.cronbach_alpha(_asem_result(), "Nowhere")
    with pytest.raises(planeval.DataError, match=r"weights\[1\]"):
        ca.outranking(frame.fillna(0).replace(math.inf, 0), [1.0, -1.0])
    # pandas' nullable columns: pd.NA and None are missing too. x and z share rows 0 and 3 only: r = 1
    nullable = pd.DataFrame(
        {"x": pd.array([1.0, None, 3.0, 4.0], dtype="Float64"), "z": pd.array([1, 2, None, 7], dtype="Int64")}
    )
    assert ca.correlations(nullable).at["x", "z"] == pytest.approx(1.0, rel=1e-15)
    # missing values are missing, not zero: a NaN cell leaves the pair out of a correlation
    gap = pd.DataFrame({"x": [1.0, 2.0, 3.0, NAN], "y": [2.0, 4.0, 6.0, 0.0]})
    assert ca.correlations(gap).at["x", "y"] == pytest.approx(1.0, rel=1e-15)
