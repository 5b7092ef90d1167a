"""Composite indices and value-added through Python (planeval.composite): hand-computed values for
every normalisation, imputation, the outlier rule and every aggregation, the DataFrames, re-running
with one choice changed, errors, threads, and the Baijiantan schools composite.

Expected numbers are computed by hand in the comments (the formulas are in
include/planeval/composite.hpp).
"""

from __future__ import annotations

import math
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import planeval
from planeval import _core
from planeval.composite import (
    OPTIONS,
    Composite,
    CompositeResult,
    directions_from_plan,
    entity_groups,
    frame_from_observations,
    goalposts_for_units,
    goalposts_from_plan,
    targets_for_units,
    targets_from_plan,
    value_added,
)

NAN = float("nan")


def one(values: list[float], **kwargs: object) -> list[float]:
    """The normalised values of a one-indicator composite (normalisation none unless given)."""
    data = pd.DataFrame({"x": values}, index=[f"u{i}" for i in range(len(values))])
    kwargs.setdefault("normalisation", "none")
    r = Composite(data, **kwargs).run()  # type: ignore[arg-type]
    return [float(v) for v in r.normalised["x"]]


def close(got: list[float], expected: list[float]) -> None:
    np.testing.assert_allclose(np.array(got), np.array(expected), rtol=1e-9, atol=1e-12, equal_nan=True)


def test_options_come_from_the_core() -> None:
    assert OPTIONS["normalisation"] == [
        "none",
        "min_max",
        "z_score",
        "rank",
        "percentile_rank",
        "distance_to_target",
        "distance_to_reference",
        "borda",
        "goalposts",
        "scaled",
        "fraction_of_max",
        "distance_to_max",
    ]
    assert OPTIONS["aggregation"] == ["arithmetic", "geometric", "harmonic", "generalised"]
    assert OPTIONS["imputation"] == [
        "none",
        "mean",
        "median",
        "group_mean",
        "group_median",
        "row_mean",
        "row_median",
    ]
    assert OPTIONS["value_added"] == ["gain", "planned_path", "regression"]
    assert OPTIONS["steps"] == ["denominate", "impute", "screen", "treat", "normalise"]
    assert OPTIONS["screening"] == ["none", "byNA", "byzeros", "byNAandzeros"]
    assert OPTIONS["transform"] == ["log_CT", "log_CT_plus", "log_CT_orig", "boxcox", "none"]


def test_every_normalisation_by_hand() -> None:
    # min-max: (x - 2) / 8 * 100; lower is better: (10 - x) / 8 * 100; range (1, 100): 1 + 99 p
    close(one([2, 4, 6, 10], normalisation="min_max"), [0, 25, 50, 100])
    close(one([2, 4, NAN, 10], normalisation="min_max"), [0, 25, NAN, 100])
    close(one([2, 4, 6, 10], normalisation="min_max", directions={"x": "lower"}), [100, 75, 50, 0])
    close(one([2, 4, 6, 10], normalisation="min_max", output_range=(1, 100)), [1, 25.75, 50.5, 100])
    # z-score: mean 5, sum of squares 32; the sample sd sqrt(32 / 7) (COINr's and R's, the default
    # since issue 15), the population sd sqrt(32 / 8) = 2 on request, with a target mean and sd
    x8 = [2, 4, 4, 4, 5, 5, 7, 9]
    close(one(x8, normalisation="z_score"), [(v - 5) / math.sqrt(32 / 7) for v in x8])
    population = ("z_score", {"sd_kind": "population"})
    close(one(x8, normalisation=population), [-1.5, -0.5, -0.5, -0.5, 0, 0, 1, 2])
    target = ("z_score", {"mean": 10, "sd": 2, "sd_kind": "population"})  # 10 + 2 z
    close(one(x8, normalisation=target), [7, 9, 9, 9, 10, 10, 12, 14])
    close(
        one(x8, normalisation=("n_zscore", {"m_sd": (10, 2), "sd_kind": "population"})),
        [7, 9, 9, 9, 10, 10, 12, 14],
    )
    # rank: 5 -> 1, 10 -> 2, the two 20s share 3 and 4: the minimum 3 (COINr's default since issue
    # 15), or their average 3.5
    close(one([10, 20, 20, 5], normalisation="rank"), [2, 3, 3, 1])
    close(one([10, 20, 20, 5], normalisation=("rank", {"ties": "average"})), [2, 3.5, 3.5, 1])
    # percentile rank: (rank - 1) / 3 * 100 (ranks 2, 3, 3, 1)
    close(one([10, 20, 20, 5], normalisation="percentile_rank"), [100 / 3, 200 / 3, 200 / 3, 0])
    # Borda: units beaten
    close(one([10, 20, 20, 5], normalisation="borda"), [1, 2, 2, 0])
    # distance to target 8: x / 8 capped at 1, times 100
    close(one([2, 4, 8, 12], normalisation="distance_to_target", targets={"x": 8}), [25, 50, 100, 100])
    # distance to the reference unit u1 (x = 4): x / 4; lower is better: 4 / x
    close(one([2, 4, 8, 12], normalisation="distance_to_reference", reference="u1"), [0.5, 1, 2, 3])
    close(
        one(
            [2, 4, 8, 12], normalisation="distance_to_reference", reference="u1", directions={"x": "decrease"}
        ),
        [2, 1, 0.5, 1 / 3],
    )
    # goalposts 66 -> 80: (x - 66) / 14 capped to [0, 1], times 100
    close(one([59, 66, 73, 87], normalisation="goalposts", goalposts={"x": (66, 80)}), [0, 0, 50, 100])
    close(
        one([59, 66, 73, 87], normalisation="goalposts", goalposts={"x": (66, 80)}, cap=False),
        [-50, 0, 50, 150],
    )


def test_imputation() -> None:
    close(one([1, NAN, 3, 8], imputation="mean"), [1, 4, 3, 8])  # (1 + 3 + 8) / 3
    close(one([1, NAN, 3, 8], imputation="median"), [1, 3, 3, 8])
    # group means: g1 has 2 -> 2; g2 has 4 and 6 -> 5; g3 has no value: stays missing
    groups = pd.Series(["g1", "g1", "g2", "g2", "g2", "g3"], index=[f"u{i}" for i in range(6)])
    close(one([2, NAN, 4, 6, NAN, NAN], imputation="group_mean", groups=groups), [2, 2, 4, 6, 5, NAN])
    data = pd.DataFrame({"x": [2.0, NAN, 4.0]}, index=["a", "b", "c"])
    r = Composite(data, imputation="mean").run()
    assert r.steps().loc["x", "imputed"] == 1
    assert r.steps().loc["x", "present"] == 2


def test_outliers_coinr() -> None:
    # G1 = 3.118896 >= 2 and G2 = 9.799245 >= 3.5 (m2 = 818.25, m3 = 61560): winsorise 100 -> 9
    data = pd.DataFrame({"x": [1.0, 2, 3, 4, 5, 6, 7, 8, 9, 100]})
    r = Composite(data, outliers="coinr", normalisation="none").run()
    assert r.treated["x"].tolist() == [1, 2, 3, 4, 5, 6, 7, 8, 9, 9]
    steps = r.steps()
    assert steps.loc["x", "winsorised"] == 1
    assert not steps.loc["x", "log_transformed"]
    assert steps.loc["x", "skew"] == pytest.approx(3.118896, abs=1e-6)
    assert steps.loc["x", "kurtosis"] == pytest.approx(9.799245, abs=1e-6)
    skew, kurt = _core._skew_kurtosis([1.0, 2, 3, 4, 5, 6, 7, 8, 9, 100])
    assert skew == pytest.approx(3.118896, abs=1e-6)
    assert kurt == pytest.approx(9.799245, abs=1e-6)
    # 50 zeros and 1 2 4 ... 128: five points do not pass, so COINr's log_CT, ln(x - min + 0.01 (max -
    # min)) = ln(x + 1.28): 128 -> ln 129.28, 1 -> ln 2.28 (COINr 1.1.14's Treat(x, f1 = "winsorise",
    # f1_para = list(winmax = 5), f2 = "log_CT") gives 4.8619805947727857 and 0.82417544296634948)
    x = [0.0] * 50 + [2.0**i for i in range(8)]
    r = Composite(pd.DataFrame({"x": x}), outliers="coinr", normalisation="none").run()
    assert bool(r.steps().loc["x", "log_transformed"])
    assert r.treatment.loc["x", "transform"] == "log_CT"
    assert r.treated["x"].iloc[-1] == pytest.approx(math.log(129.28), rel=1e-15)
    assert r.treated["x"].iloc[50] == pytest.approx(math.log(2.28), rel=1e-15)
    # per indicator: none for this one (COINr's indiv_specs), the rest treated
    r = Composite(
        pd.DataFrame({"x": x, "y": x}), outliers={"*": "coinr", "y": "none"}, normalisation="none"
    ).run()
    assert r.treated["y"].tolist() == x
    assert r.treated["x"].iloc[-1] == pytest.approx(math.log(129.28), rel=1e-15)


def test_aggregations_weights_and_hierarchy() -> None:
    # unit a: x = 4, y = 1; unit b: x = 1, y missing. Weights x 1, y 3.
    data = pd.DataFrame({"x": [4.0, 1.0], "y": [1.0, NAN]}, index=["a", "b"])

    def score(**kwargs: object) -> list[float]:
        c = Composite(data, normalisation="none", weights={"y": 3}, **kwargs)  # type: ignore[arg-type]
        return [float(v) for v in c.run().index]

    close(score(), [1.75, 1.0])  # (4 + 3) / 4; b: only x, renormalised
    close(score(aggregation="geometric"), [math.sqrt(2), 1.0])  # 4^(1/4)
    close(score(aggregation="harmonic"), [4 / 3.25, 1.0])  # 4 / (1/4 + 3)
    close(score(aggregation="generalised", power=2), [math.sqrt(19 / 4), 1.0])  # sqrt((16 + 3) / 4)
    close(score(min_share=0.6), [1.75, NAN])  # b has 1 of 2 children

    # per-node choices: 条件 geometric, index arithmetic with weights 条件 2, 师资 1
    data = pd.DataFrame(
        {"a": [2.0, 6, 1], "b": [8.0, 6, 1], "c": [3.0, 4, 1]},
        index=["学校甲", "学校乙", "学校丙"],
    )
    c = Composite(
        data,
        hierarchy={"a": "条件", "b": "条件", "c": "师资", "条件": "index", "师资": "index"},
        weights={"条件": 2},
        aggregation={"条件": "geometric"},
        normalisation="none",
    )
    assert c.nodes() == ["index", "条件", "师资"]
    r = c.run()
    assert isinstance(r, CompositeResult)
    assert r.scores.shape == (3, 3)
    assert list(r.scores.columns) == ["index", "条件", "师资"]
    # 学校甲: 条件 sqrt(2 * 8) = 4, 师资 3, index (2 * 4 + 3) / 3 = 11/3
    # 学校乙: 条件 6, 师资 4, index 16/3; 学校丙: 1, 1, 1
    close(r.scores["条件"].tolist(), [4, 6, 1])
    close(r.index.tolist(), [11 / 3, 16 / 3, 1])
    assert r.ranks["index"].tolist() == [2, 1, 3]
    assert str(r.ranks["index"].dtype) == "Int64"
    assert r.strongest.tolist() == ["b", "a", "a"]  # 学校乙: a and b tie at 6: the first
    assert r.weakest.tolist() == ["a", "c", "a"]
    frame = r.to_frame()
    assert list(frame.columns) == ["index", "rank", "条件", "师资", "strongest", "weakest"]
    assert "学校乙" in r._repr_html_()
    tree = c.tree()
    assert tree["node_ids"] == ["index", "条件", "师资"]
    assert tree["node_parent"].tolist() == [-1, 0, 0]
    assert tree["indicator_parent"].tolist() == [1, 1, 2]
    assert tree["bottom_up"].tolist()[-1] == 0
    pd.testing.assert_frame_equal(c.normalised(), r.normalised)


def test_missing_units_have_no_rank_and_ties_take_the_minimum() -> None:
    data = pd.DataFrame({"x": [3.0, 5, 5, 1, NAN]}, index=list("abcde"))
    r = Composite(data, normalisation="none").run()
    assert r.ranks["index"].iloc[:4].tolist() == [3, 1, 1, 4]
    assert r.ranks["index"].isna().iloc[4]
    assert r.strongest.iloc[4] is None


def test_replace_runs_again_with_one_choice_changed() -> None:
    data = pd.DataFrame({"x": [2.0, 4, 6, 10], "y": [1.0, 2, 3, 4]}, index=list("abcd"))
    c = Composite(data)
    r = c.run()
    r2 = r.replace(normalisation="rank")
    assert r2.composite.normalisation == "rank"
    assert c.normalisation == "min_max"  # the original is a frozen value
    close(r2.normalised["x"].tolist(), [1, 2, 3, 4])
    assert r.record["spec"]["normalisation"] == "min_max"
    assert r2.record["spec"]["normalisation"] == "rank"
    with pytest.raises(AttributeError):
        c.normalisation = "rank"  # type: ignore[misc]
    assert "Composite(4 units x 2 indicators" in repr(c)


def test_errors() -> None:
    data = pd.DataFrame({"x": [1.0, 2], "y": [3.0, 4]}, index=["a", "b"])
    with pytest.raises(planeval.Error, match="normalisation: expected one of"):
        Composite(data, normalisation="minmax").run()
    with pytest.raises(planeval.Error, match="hierarchy: column 'y' of the data has no parent node"):
        Composite(data, hierarchy={"x": "index"}).run()
    with pytest.raises(planeval.DataError, match="second root"):
        Composite(data, hierarchy={"x": "d1", "y": "d2"}).run()
    with pytest.raises(planeval.DataError, match="no root"):
        Composite(data, hierarchy={"x": "d1", "y": "d1", "d1": "d2", "d2": "d1"}).run()
    with pytest.raises(
        planeval.DataError, match=r"indicators\[1\]\.weight: expected a finite weight >= 0, got -1"
    ):
        Composite(data, weights={"y": -1}).run()
    with pytest.raises(planeval.Error, match="weights: 'z' is neither an indicator nor a node"):
        Composite(data, weights={"z": 1}).run()
    with pytest.raises(planeval.Error, match="directions"):
        Composite(data, directions={"x": "up"}).run()
    with pytest.raises(planeval.Error, match="group_mean imputation needs a group label"):
        Composite(data, imputation="group_mean").run()
    with pytest.raises(planeval.Error, match="groups: no group for unit 'b'"):
        Composite(data, imputation="group_mean", groups={"a": "g"}).run()
    with pytest.raises(planeval.Error, match="reference: 'z' is not a unit"):
        Composite(data, normalisation="distance_to_reference", reference="z").run()
    with pytest.raises(
        planeval.DataError, match=r"target: distance_to_target needs a finite target > 0, got NaN"
    ):
        Composite(data, normalisation="distance_to_target").run()
    with pytest.raises(planeval.DataError, match=r"the geometric mean needs values > 0, unit 0 has 0"):
        Composite(data, aggregation="geometric").run()  # min-max gives the lowest unit 0
    with pytest.raises(planeval.DataError, match=r"data\[1, \"y\"\]: expected a finite number or NaN"):
        Composite(pd.DataFrame({"x": [1.0, 2], "y": [3.0, math.inf]})).run()
    with pytest.raises(planeval.DataError, match="column 'x' is not numeric"):
        Composite(pd.DataFrame({"x": ["a", "b"]})).run()
    with pytest.raises(planeval.Error, match=r"the index .* must be unique"):
        Composite(pd.DataFrame({"x": [1.0, 2]}, index=["a", "a"])).run()
    assert issubclass(planeval.DataError, ValueError)


def test_value_added_gain_planned_path_and_regression() -> None:
    actual = pd.Series([70.0, 68, 80, NAN], index=["s1", "s2", "s3", "s4"])
    # gain: 70 - 66 = 4, 68 - 60 = 8, 0, missing
    va = value_added(actual, [66.0, 60, 80, 50])
    assert va.frame["value_added"].tolist()[:3] == [4, 8, 0]
    assert math.isnan(va.frame["value_added"].iloc[3])
    assert va.frame["rank"].tolist()[:3] == [2, 1, 3]
    assert va.frame["rank"].isna().iloc[3]
    assert va.coefficients is None and va.r_squared is None
    # lower is better: expected - actual
    assert value_added(actual, [66.0, 60, 80, 50], direction="lower").frame["value_added"].tolist()[:3] == [
        -4,
        -8,
        0,
    ]

    # planned path 66 (2020) -> 80 (2025) in 2023: 66 + 14 * 3 / 5 = 74.4
    va = value_added(
        pd.Series([70.0, 76, 74.4]),
        [66.0, 66, 66],
        method="planned_path",
        baseline_year=2020,
        target=80,
        target_year=2025,
        year=2023,
    )
    close(va.frame["expected"].tolist(), [74.4, 74.4, 74.4])
    close(va.frame["value_added"].tolist(), [-4.4, 1.6, 0])

    # regression: slope 1.4, intercept 0.5, residuals .1 -.3 .3 -.1, R² = 1 - .2 / 10 = 0.98
    va = value_added(pd.Series([2.0, 3, 5, 6]), [1.0, 2, 3, 4], method="regression")
    assert va.coefficients is not None
    assert va.coefficients.to_dict() == {"intercept": pytest.approx(0.5), "baseline": pytest.approx(1.4)}
    close(va.frame["value_added"].tolist(), [0.1, -0.3, 0.3, -0.1])
    assert va.r_squared == pytest.approx(0.98)
    assert va.frame["rank"].tolist() == [2, 4, 1, 3]
    assert "R² = 0.9800" in va._repr_html_()

    # with a stage covariate (text -> a dummy, first level 初中 dropped: 小学 = 1 0 ... ):
    # x 1 2 1 2, 小学 1 1 0 0, y 3 5 7 10. As a 2x2 design: x effect 2.5, 初中 - 小学 = 4.5, so the
    # 小学 coefficient is -4.5 and the intercept 0.25 + 4.5 = 4.75; residuals ±0.25,
    # R² = 1 - 0.25 / 26.75 = 0.990654
    units = ["ps_1", "ps_2", "js_1", "js_2"]
    cov = pd.DataFrame({"stage": ["小学", "小学", "初中", "初中"]}, index=units)
    va = value_added(
        pd.Series([3.0, 5, 7, 10], index=units), [1.0, 2, 1, 2], method="regression", covariates=cov
    )
    assert va.coefficients is not None
    assert list(va.coefficients.index) == ["intercept", "baseline", "stage_小学"]
    close(va.coefficients.tolist(), [4.75, 2.5, -4.5])
    close(va.frame["value_added"].tolist(), [0.25, -0.25, -0.25, 0.25])
    assert va.r_squared == pytest.approx(0.990654, abs=1e-6)
    assert va.fitted_units == 4

    with pytest.raises(planeval.DataError, match="singular"):
        value_added(
            pd.Series([1.0, 2, 3]), [1.0, 2, 3], method="regression", covariates=[[2.0], [4.0], [6.0]]
        )
    with pytest.raises(planeval.DataError, match="equals the baseline year"):
        value_added(
            pd.Series([1.0]),
            [1.0],
            method="planned_path",
            baseline_year=2020,
            target=2,
            target_year=2020,
            year=2021,
        )
    with pytest.raises(planeval.DataError, match="baseline: expected 2 values"):
        value_added(pd.Series([1.0, 2]), [1.0, 2, 3])
    with pytest.raises(planeval.Error, match="value_added: expected one of"):
        value_added(pd.Series([1.0]), [1.0], method="ols")


def test_threads_give_the_serial_results() -> None:
    # build_composite runs without the GIL: parallel runs must equal the serial ones
    rng = np.random.default_rng(7)
    data = pd.DataFrame(rng.normal(size=(500, 6)), columns=[f"i{j}" for j in range(6)])
    hierarchy = {f"i{j}": f"d{j % 2}" for j in range(6)} | {"d0": "index", "d1": "index"}
    specs = [
        Composite(data, hierarchy=hierarchy, normalisation=n) for n in ("min_max", "z_score", "rank", "borda")
    ]
    serial = [c.run().scores for c in specs]
    with ThreadPoolExecutor(max_workers=4) as pool:
        parallel = list(pool.map(lambda c: c.run().scores, specs * 3))
    for k, frame in enumerate(parallel):
        pd.testing.assert_frame_equal(frame, serial[k % 4])


# --- the Baijiantan schools -------------------------------------------------------------------------

SEVEN = [
    "backbone_teachers_per_100",
    "qualified_teachers_per_100",
    "pe_arts_teachers_per_100",
    "multimedia_rooms_per_100",
    "teaching_space_per_student",
    "sports_space_per_student",
    "equipment_value_per_student",
]


@pytest.fixture(scope="module")
def baijiantan() -> tuple[planeval.Plan, planeval.Observations]:
    plan = planeval.example_plan()
    for sid in sorted({t.standard for t in plan.targets if t.standard}):
        plan.add_standard_indicators(planeval.builtin_standard(sid))
    path = Path(__file__).resolve().parents[2] / "examples" / "baijiantan" / "illustrative_observations.csv"
    obs, report = planeval.read_csv(plan, path)
    assert report.accepted == report.rows
    return plan, obs


def test_baijiantan_schools_composite(baijiantan: tuple[planeval.Plan, planeval.Observations]) -> None:
    plan, obs = baijiantan
    frame = frame_from_observations(plan, obs, year=2023, indicators=SEVEN)
    # the five primary and three junior schools report the seven 优质均衡 indicators
    assert frame.shape == (8, 7)
    assert list(frame.columns) == SEVEN
    assert sorted(frame.index) == ["js_1", "js_2", "js_3", "ps_1", "ps_2", "ps_3", "ps_4", "ps_5"]
    assert not frame.isna().any().any()
    assert directions_from_plan(plan, SEVEN) == dict.fromkeys(SEVEN, "higher")

    hierarchy = {i: ("师资" if "teachers" in i else "办学条件") for i in SEVEN} | {
        "师资": "index",
        "办学条件": "index",
    }
    stages = entity_groups(plan, frame.index)
    assert set(stages) == {"小学", "初中"}
    c = Composite(frame, hierarchy=hierarchy, plan=plan, imputation="group_mean", groups=stages)
    r = c.run()
    assert r.scores.shape == (8, 3)
    assert sorted(r.ranks["index"].tolist()) == list(range(1, 9))  # no ties in these data
    assert ((r.scores >= 0) & (r.scores <= 100)).all().all()
    # min-max of the backbone teachers: (x - min) / (max - min) * 100
    x = frame["backbone_teachers_per_100"]
    expected = (x - x.min()) / (x.max() - x.min()) * 100
    close(r.normalised["backbone_teachers_per_100"].tolist(), expected.tolist())
    # the index is the equal-weight mean of its two dimensions
    close(r.index.tolist(), ((r.scores["师资"] + r.scores["办学条件"]) / 2).tolist())
    assert set(r.strongest) <= set(SEVEN) and set(r.weakest) <= set(SEVEN)
    # a geometric index needs positive scores: output range (1, 100)
    g = r.replace(aggregation="geometric", output_range=(1.0, 100.0))
    assert (g.index > 0).all()
    # value added of the backbone teachers from 2021 to 2023, regressed on 2021 with the stage
    before = frame_from_observations(plan, obs, year=2021, indicators=SEVEN)
    va = value_added(
        frame["backbone_teachers_per_100"],
        before["backbone_teachers_per_100"],
        method="regression",
        covariates=stages.to_frame(),
    )
    assert va.frame.shape == (8, 5)
    assert va.r_squared is not None and 0 <= va.r_squared <= 1
    assert abs(float(va.frame["value_added"].sum())) < 1e-9  # OLS residuals with an intercept sum to 0


def test_plan_goalposts_and_targets() -> None:
    plan = planeval.example_plan()
    t = plan.target("t1_primary_backbone")
    # one backbone-teacher target per stage: the first in plan order is the kindergartens' 10 -> 18
    assert goalposts_from_plan(plan, [t.indicator]) == {t.indicator: (10.0, 18.0)}
    gp = goalposts_from_plan(plan, [t.indicator], scope="stage_primary")
    assert gp == {t.indicator: (66.0, 80.0)}
    assert targets_from_plan(plan, [t.indicator], scope="stage_junior") == {t.indicator: 90.0}
    data = pd.DataFrame({t.indicator: [59.0, 66, 73, 87]})
    r = Composite(data, plan=plan, normalisation="goalposts", goalposts=gp).run()
    close(r.normalised[t.indicator].tolist(), [0, 0, 50, 100])  # (x - 66) / 14, capped
    # from the plan without a scope: (x - 10) / 8 capped: all above 18 -> 100
    r = Composite(data, plan=plan, normalisation="goalposts").run()
    close(r.normalised[t.indicator].tolist(), [100, 100, 100, 100])
    r = Composite(data, plan=plan, normalisation="distance_to_target").run()  # target 18: all capped at 1
    close(r.normalised[t.indicator].tolist(), [100, 100, 100, 100])
    with pytest.raises(planeval.Error, match="the plan has no indicator 'nope'"):
        Composite(pd.DataFrame({"nope": [1.0]}), plan=plan).run()


finite = st.integers(min_value=-1000, max_value=1000).map(float)  # exact under the transforms below


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(finite, finite), min_size=2, max_size=12))
def test_laws_of_normalisation(rows: list[tuple[float, float]]) -> None:
    data = pd.DataFrame(rows, columns=["x", "y"], dtype=np.float64)
    # min-max stays in the output range; lower-is-better mirrors it: lo + hi - v
    up = Composite(data, output_range=(1.0, 100.0)).run()
    assert ((up.normalised >= 1 - 1e-9) & (up.normalised <= 100 + 1e-9)).all().all()
    down = Composite(data, output_range=(1.0, 100.0), directions={"x": "lower", "y": "lower"}).run()
    np.testing.assert_allclose(down.normalised.to_numpy(), 101 - up.normalised.to_numpy(), atol=1e-6)
    # rank-based normalisations only see the order: a strictly increasing transform changes nothing
    moved = data**3 * 2 + 5  # strictly increasing, exact for these integers
    for n in ("rank", "percentile_rank", "borda"):
        a = Composite(data, normalisation=n).run()
        b = Composite(moved, normalisation=n).run()
        pd.testing.assert_frame_equal(a.normalised, b.normalised)
        pd.testing.assert_frame_equal(a.ranks, b.ranks)
    # z-scores have mean 0 and sample sd 1 (or are all 0 for a constant column)
    z = Composite(data, normalisation="z_score").run().normalised
    for c in z.columns:
        col = z[c].to_numpy()
        assert abs(col.mean()) < 1e-6
        assert abs(col.std(ddof=1) - 1) < 1e-6 or np.all(col == 0)


def test_each_school_against_its_own_stage_target(
    baijiantan: tuple[planeval.Plan, planeval.Observations],
) -> None:
    plan = baijiantan[0]  # the example plan with the schools the illustrative data add
    ind = "county_backbone_teacher_count"
    units = ["ps_1", "js_1", "kg_1", "no13_middle_school"]
    gp = goalposts_for_units(plan, [ind], units)
    # the backbone-teacher targets per stage: 小学 66 -> 80, 初中 65 -> 90, 幼儿园 10 -> 18, 高中 7 -> 9
    assert gp == {
        ind: {
            "ps_1": (66.0, 80.0),
            "js_1": (65.0, 90.0),
            "kg_1": (10.0, 18.0),
            "no13_middle_school": (7.0, 9.0),
        }
    }
    assert targets_for_units(plan, [ind], ["ps_1"]) == {ind: {"ps_1": 80.0}}
    data = pd.DataFrame({ind: [73.0, 77.5, 14.0, 8.0]}, index=units)
    r = Composite(data, normalisation="goalposts", goalposts=gp).run()
    # (73 - 66) / 14 = (77.5 - 65) / 25 = (14 - 10) / 8 = (8 - 7) / 2 = 0.5: every school half-way
    close(r.normalised[ind].tolist(), [50, 50, 50, 50])
    assert r.ranks["index"].tolist() == [1, 1, 1, 1]
    # distance to each unit's own target: 73/80, 77.5/90, 14/18 and 8/9, times 100
    t = targets_for_units(plan, [ind], units)
    r = Composite(data, normalisation="distance_to_target", targets=t).run()
    close(r.normalised[ind].tolist(), [7300 / 80, 7750 / 90, 1400 / 18, 800 / 9])
    with pytest.raises(
        planeval.Error, match=r"goalposts\['county_backbone_teacher_count'\]: 'zz' is not a unit"
    ):
        Composite(data, normalisation="goalposts", goalposts={ind: {"zz": (1.0, 2.0)}}).run()
    with pytest.raises(planeval.DataError, match="for unit 1, got NaN and NaN"):
        Composite(data, normalisation="goalposts", goalposts={ind: {"ps_1": (1.0, 2.0)}}).run()


# --- the steps before normalisation (issue 15) --------------------------------------------------


def test_the_step_order_matters() -> None:
    # x = 1..9, 100 and one missing value; impute the mean and treat outliers.
    data = pd.DataFrame({"x": [1.0, 2, 3, 4, 5, 6, 7, 8, 9, 100, NAN]})
    c = Composite(data, imputation="mean", outliers="coinr", normalisation="none")
    # COINr's order (the default): impute first, 145 / 10 = 14.5; then 1..9, 100, 14.5 has G1 3.21,
    # G2 10.50: winsorise 100 to the next largest, 14.5 (G1 0.75 then: passes)
    assert c.run().treated["x"].tolist() == [1, 2, 3, 4, 5, 6, 7, 8, 9, 14.5, 14.5]
    # planeval's order before issue 15: treat first (100 -> 9), then the mean 54 / 10 = 5.4
    old = c.replace(steps=["treat", "impute", "normalise"]).run().treated["x"].tolist()
    assert old == pytest.approx([1, 2, 3, 4, 5, 6, 7, 8, 9, 9, 5.4], rel=1e-15)
    # COINr's function names are step names too; a configured step left out is an error
    assert c.replace(steps=["Impute", "Treat"]).run().treated["x"].tolist()[-1] == 14.5
    with pytest.raises(planeval.Error, match="impute"):
        c.replace(steps=["treat"]).run()
    with pytest.raises(planeval.Error, match="steps: expected one of 'denominate', 'impute'"):
        c.replace(steps=["treat", "weigh"]).run()


def test_denomination() -> None:
    data = pd.DataFrame({"x": [10.0, 20.0, 30.0], "y": [1.0, 2.0, 3.0]}, index=["a", "b", "c"])
    # the denominators' rows in another order: aligned on the units
    denominators = pd.DataFrame({"pop": [0.0, 4.0, 2.0], "area": [1.0, 1.0, 1.0]}, index=["c", "b", "a"])
    c = Composite(data, normalisation="none", denominators=denominators, denominate_by={"x": "pop"})
    r = c.run()
    # 10 / 2, 20 / 4; a denominator 0 makes the value missing (COINr: Inf), counted
    assert r.treated["x"].tolist()[:2] == [5.0, 5.0] and math.isnan(r.treated["x"]["c"])
    assert r.treated["y"].tolist() == [1.0, 2.0, 3.0]
    assert r.steps().loc["x", "denominator_missing"] == 1
    assert r.denominated["x"].tolist()[:2] == [5.0, 5.0]
    # a scale: x / (d / 1000), COINr's ScaleFactor
    scaled = c.replace(denominate_by={"x": ("pop", 1000.0)}).run()
    assert scaled.treated["x"].tolist()[:2] == [5000.0, 5000.0]
    with pytest.raises(planeval.Error, match=r"denominate_by\['x'\]: 'GDP' is not a column of denominators"):
        c.replace(denominate_by={"x": "GDP"}).run()
    with pytest.raises(planeval.Error, match="denominators: no row for unit 'c'"):
        c.replace(denominators=denominators.iloc[1:]).run()


def test_screening_drops_units_and_records_availability() -> None:
    data = pd.DataFrame(
        {"x": [1.0, 2.0, NAN], "y": [0.0, 2.0, NAN], "z": [1.0, 3.0, 5.0]}, index=["a", "b", "c"]
    )
    c = Composite(data, normalisation="none", screening=("byNA", {"dat_thresh": 0.5}))
    r = c.run()
    # c has 1 of 3 indicators (1/3 < 0.5): dropped; a has one zero among 3 present values
    assert list(r.kept_units) == ["a", "b"]
    assert list(r.scores.index) == ["a", "b"] and r.ranks["index"].tolist() == [2, 1]
    a = r.availability
    assert a["missing"].tolist() == [0, 0, 2] and a["zeros"].tolist() == [1, 0, 0]
    assert a["data_share"].tolist() == pytest.approx([1, 1, 1 / 3])
    assert a["nonzero_share"].tolist() == pytest.approx([2 / 3, 1, 1])
    assert a["included"].tolist() == [True, True, False]
    assert list(c.normalised().index) == ["a", "b"]
    # forced in (COINr's Force); by zeros: a's non-zero share 2/3 is below 0.9
    assert list(
        c.replace(screening=("byNA", {"dat_thresh": 0.5, "force_include": ["c"]})).run().kept_units
    ) == [
        "a",
        "b",
        "c",
    ]
    assert list(c.replace(screening=("byzeros", {"nonzero_thresh": 0.9})).run().kept_units) == ["b", "c"]
    with pytest.raises(planeval.Error, match="screening: unknown parameter 'dat' of 'byNA'"):
        c.replace(screening=("byNA", {"dat": 0.5})).run()
    with pytest.raises(planeval.Error, match="screening: force_include 'zz' is not a unit"):
        c.replace(screening=("byNA", {"force_include": ["zz"]})).run()


def test_normalisation_per_indicator_and_coinr_names() -> None:
    data = pd.DataFrame({"x": [2.0, 4.0, 6.0, 10.0], "y": [2.0, 4.0, 6.0, 10.0]})
    r = Composite(data, normalisation={"*": "min_max", "y": ("n_minmax", {"l_u": (1, 10)})}).run()
    # x: (x - 2) / 8 * 100; y: 1 + 9 (y - 2) / 8
    close(r.normalised["x"].tolist(), [0, 25, 50, 100])
    close(r.normalised["y"].tolist(), [1, 3.25, 5.5, 10])
    assert r.steps()["normalisation"].tolist() == ["min_max", "min_max"]
    # unlisted indicators take min_max; a mapping key that is no column is refused
    r2 = Composite(data, normalisation={"y": "rank"}).run()
    close(r2.normalised["y"].tolist(), [1, 2, 3, 4])
    close(r2.normalised["x"].tolist(), [0, 25, 50, 100])
    with pytest.raises(planeval.Error, match="normalisation: 'w' is not a column of the data"):
        Composite(data, normalisation={"w": "rank"}).run()
    with pytest.raises(
        planeval.Error, match=r"normalisation\['x'\]: unknown parameter 'sdkind' of 'z_score'"
    ):
        Composite(data, normalisation={"x": ("z_score", {"sdkind": "sample"})}).run()
    with pytest.raises(planeval.Error, match="normalisation: expected one of 'none', 'min_max'"):
        Composite(data, normalisation="n_minmaxx").run()
    # COINr's names for the other choices
    same = Composite(data, imputation="i_mean", aggregation="a_amean", outliers="winsorise").spec()
    assert (same["imputation"], same["nodes"][0]["method"], same["outliers"]) == (
        "mean",
        "arithmetic",
        "coinr",
    )


def test_group_mean_skips_units_without_a_group() -> None:
    # u2's group is missing (COINr's NA): it is neither imputed nor counted
    groups = pd.Series(["g1", "g1", None, "g1"], index=[f"u{i}" for i in range(4)])
    close(one([2, NAN, 8, NAN], imputation="group_mean", groups=groups), [2, 2, 8, 2])
    close(one([2, 6, NAN, NAN], imputation="group_median", groups=groups), [2, 6, NAN, 4])


def test_data_sets_follow_the_steps() -> None:
    data = pd.DataFrame({"x": [10.0, NAN, 30.0]}, index=["a", "b", "c"])
    den = pd.DataFrame({"d": [2.0, 2.0, 3.0]}, index=["a", "b", "c"])
    r = Composite(data, denominators=den, denominate_by={"x": "d"}, imputation="mean").run()
    sets = r.data_sets()
    assert list(sets) == ["Raw", "Denominated", "Imputed", "Screened", "Treated", "Normalised", "Aggregated"]
    # 10 / 2 = 5, 30 / 3 = 10; the mean 7.5 fills b; min-max 0, 50, 100
    assert sets["Denominated"]["x"].tolist()[0::2] == [5.0, 10.0]
    assert sets["Imputed"]["x"].tolist() == [5.0, 7.5, 10.0]
    assert sets["Normalised"]["x"].tolist() == [0.0, 50.0, 100.0]
    assert sets["Aggregated"]["index"].tolist() == [0.0, 50.0, 100.0]


def test_unknown_spec_keys_are_refused_by_the_core() -> None:
    spec = Composite(pd.DataFrame({"x": [1.0, 2.0]})).spec()
    with pytest.raises(planeval.Error, match='spec: unknown key "wimax"'):
        _core._composite_build(np.array([[1.0], [2.0]]), {**spec, "wimax": 3})


def test_zero_policy_of_the_means() -> None:
    # min-max puts the lowest unit at 0: a geometric mean of 0 and 0 is an error by default, its limit
    # 0 with zeros="limit"; the others: sqrt(50 * 50) = 50, sqrt(100 * 100) = 100
    data = pd.DataFrame({"x": [0.0, 1.0, 2.0], "y": [1.0, 2.0, 3.0]})
    with pytest.raises(planeval.DataError, match="geometric mean needs values > 0"):
        Composite(data, aggregation="geometric").run()
    r = Composite(data, aggregation="geometric", zeros="limit").run()
    assert r.index.tolist() == pytest.approx([0.0, 50.0, 100.0], rel=1e-14)
    with pytest.raises(planeval.Error, match="zeros: expected one of 'error', 'limit'"):
        Composite(data, zeros="zero").run()
