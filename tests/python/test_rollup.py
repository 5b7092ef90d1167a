"""Plan.rollup through Python: the cases of tests/cpp/rollup_test.cpp, threads, the DataFrame and the
arrays, argument errors."""

from __future__ import annotations

import datetime as dt
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import planeval
from planeval import Entity, Error, Observations, Plan


@pytest.fixture
def plan(mini_text: str) -> Plan:
    # The mini plan (district d with its 小学 stage s1) plus a 初中 stage s2 and schools a, b under
    # s1 and c under s2, as in the C++ test.
    p = planeval.parse_plan(mini_text)
    p.add_entity(Entity("s2", "初中", "stage", "d", stage="初中"))
    for school, parent in (("a", "s1"), ("b", "s1"), ("c", "s2")):
        p.add_entity(Entity(school, school, "school", parent))
    return p


def observe(plan: Plan, **columns: Any) -> Observations:
    obs, report = planeval.observations_from_arrays(plan, **columns)
    assert report.accepted == report.rows
    return obs


def value(frame: pd.DataFrame, indicator: str, entity: str, start: str, stage: str | None = None) -> float:
    """The value of one result row (NaN if not defined)."""
    rows = frame[
        (frame["indicator"] == indicator)
        & (frame["entity"] == entity)
        & (frame["period_start"] == pd.Timestamp(start))
        & (frame["stage"].isna() if stage is None else frame["stage"] == stage)
    ]
    assert len(rows) == 1, rows
    return float(rows["value"].iloc[0])


def test_sums_and_student_weighted_rates(plan: Plan) -> None:
    obs = observe(
        plan,
        indicator=["teachers"] * 3 + ["rate"] * 3,
        entity=["a", "b", "c", "a", "b", "c"],
        year=[2021, 2021, 2021, 2021, 2021, 2022],
        value=[12.0, 8.0, 5.0, 90.0, 100.0, 80.0],
        weight=[1.0, 1.0, 1.0, 100.0, 300.0, 50.0],
    )
    r = plan.rollup(obs, level="district")
    assert isinstance(r, pd.DataFrame)
    # teachers: 12 + 8 + 5 = 25 (sum for a count)
    assert value(r, "teachers", "d", "2021-01-01") == 25
    # rate in 2021: (90·100 + 100·300) / (100 + 300) = 39000 / 400 = 97.5 (ratio of sums)
    assert value(r, "rate", "d", "2021-01-01") == pytest.approx(97.5)
    assert value(r, "rate", "d", "2022-01-01") == pytest.approx(80)
    assert int(r[(r["indicator"] == "rate") & (r["period_start"] == "2021-01-01")]["units"].iloc[0]) == 2
    assert r.attrs["rows_used"] == 6
    assert len(r) == 3
    assert set(r["rule"]) == {"sum", "weighted_mean"}

    s = plan.rollup(obs, level="stage")
    assert value(s, "teachers", "s1", "2021-01-01") == 20  # a + b
    assert value(s, "teachers", "s2", "2021-01-01") == 5
    # a depth works as a level: 0 is the root, the district
    by_depth = plan.rollup(obs, level=0)
    pd.testing.assert_frame_equal(by_depth, r)


def test_cv_weighted_unweighted_and_by_stage(plan: Plan) -> None:
    # per-100-student values 4, 5, 6 with 100, 200, 700 students:
    # x̄ = (400 + 1000 + 4200) / 1000 = 5.6; S² = 0.1·1.6² + 0.2·0.6² + 0.7·0.4² = 0.44;
    # CV = √0.44 / 5.6 = 0.118450
    obs = observe(
        plan,
        indicator=["rate"] * 3,
        entity=["a", "b", "c"],
        year=[2021] * 3,
        value=[4.0, 5.0, 6.0],
        weight=[100.0, 200.0, 700.0],
    )
    assert value(plan.rollup(obs, rule="cv"), "rate", "d", "2021-01-01") == pytest.approx(0.118450, abs=1e-6)
    # unweighted: mean 5, population S² = (1 + 0 + 1)/3, CV = 0.816497 / 5 = 0.163299
    assert value(plan.rollup(obs, rule="cv_unweighted"), "rate", "d", "2021-01-01") == pytest.approx(
        0.163299, abs=1e-6
    )
    # by stage: a, b in 小学 (4 + 5), c in 初中 (6)
    r = plan.rollup(obs, rule="sum", by_stage=True)
    assert value(r, "rate", "d", "2021-01-01", stage="小学") == 9
    assert value(r, "rate", "d", "2021-01-01", stage="初中") == 6


def test_missing_values_and_policies(plan: Plan) -> None:
    obs = observe(
        plan,
        indicator=["teachers"] * 2,
        entity=["a", "b"],
        year=[2021] * 2,
        value=[12.0, float("nan")],
        missing=[False, True],
    )
    r = plan.rollup(obs)
    assert value(r, "teachers", "d", "2021-01-01") == 12  # skip_if_all_missing: b is ignored
    assert (int(r["units"].iloc[0]), int(r["missing_units"].iloc[0])) == (1, 1)
    r = plan.rollup(obs, missing="skip_if_any_missing")
    assert np.isnan(r["value"].iloc[0]) and not r["defined"].iloc[0]  # undefined, not zero
    r = plan.rollup(obs, missing="never_skip", rule="mean")
    assert value(r, "teachers", "d", "2021-01-01") == 6  # (12 + 0) / 2


def test_across_time_first_and_school_years(plan: Plan) -> None:
    obs = observe(
        plan,
        indicator=["teachers"] * 3,
        entity=["a", "a", "b"],
        value=[10.0, 12.0, 7.0],
        date=[dt.date(2021, 3, 31), dt.date(2021, 9, 30), dt.date(2021, 6, 30)],
    )
    r = plan.rollup(obs)
    assert value(r, "teachers", "d", "2021-01-01") == 19  # last of a (12) + b (7)
    assert r.attrs["rows_combined_in_time"] == 1
    # school years: 2021-03-31 and 2021-06-30 are in 2020/2021, 2021-09-30 in 2021/2022
    s = plan.rollup(obs, period="school_year")
    assert value(s, "teachers", "d", "2020-09-01") == 17  # a: 10, b: 7
    assert value(s, "teachers", "d", "2021-09-01") == 12
    assert s["period_end"].iloc[0] == pd.Timestamp("2021-08-31")
    whole = plan.rollup(obs, period="all")
    assert value(whole, "teachers", "d", "2020-01-01") == 19  # the whole data window is one period


def test_rows_above_the_level_and_bad_requests(plan: Plan) -> None:
    obs = observe(plan, indicator=["teachers"] * 2, entity=["a", "d"], year=[2021] * 2, value=[12.0, 40.0])
    r = plan.rollup(obs, level="stage")
    assert r.attrs["rows_outside_level"] == 1  # the district total is not below a stage
    assert r.attrs["rows_used"] == 1
    rate = observe(plan, indicator=["rate"], entity=["a"], year=[2021], value=[90.0])
    # no weight column: the rate is weighed by students (its definition); school a has none, so
    # it is weighed 1 and named
    r = plan.rollup(rate, level="stage")
    assert value(r, "rate", "s1", "2021-01-01") == 90
    assert r.attrs["weight_assumed"] == ["a"]
    with pytest.raises(Error, match="depth 9 is below the deepest level"):
        plan.rollup(obs, level=9)


def test_argument_errors(plan: Plan) -> None:
    obs = observe(plan, indicator=["teachers"], entity=["a"], year=[2021], value=[1.0])
    with pytest.raises(Error, match=r'level: expected one of "nation", .*, got "township"'):
        plan.rollup(obs, level="township")
    with pytest.raises(TypeError, match="level must be"):
        plan.rollup(obs, level=True)
    with pytest.raises(Error, match="a depth must be >= 0"):
        plan.rollup(obs, level=-1)
    with pytest.raises(Error, match='period: expected one of "calendar_year", "school_year" or "all"'):
        plan.rollup(obs, period="month")
    with pytest.raises(Error, match='rule: expected one of "indicator", "sum"'):
        plan.rollup(obs, rule="median")
    with pytest.raises(Error, match='missing: expected one of "skip_if_any_missing"'):
        plan.rollup(obs, missing="skip")
    with pytest.raises(Error, match='unknown indicator "nope"'):
        plan.rollup(obs, indicators=["nope"])
    # API conventions (issue 14): threads=0 is every core; a negative count is refused
    with pytest.raises(Error, match="threads"):
        plan.rollup(obs, threads=-1)


def test_indicator_selection_and_arrays(plan: Plan) -> None:
    obs = observe(
        plan,
        indicator=["teachers", "rate"],
        entity=["a", "a"],
        year=[2021, 2021],
        value=[3.0, 90.0],
        weight=[1.0, 100.0],
    )
    arrays = plan.rollup_arrays(obs, indicators=["rate"])
    assert isinstance(arrays, dict)
    assert list(arrays["indicator"]) == ["rate"] and list(arrays["entity"]) == ["d"]
    assert arrays["period_start"].dtype == np.dtype("datetime64[D]")
    assert arrays["period_start"][0] == np.datetime64("2021-01-01")
    assert arrays["period_end"][0] == np.datetime64("2021-12-31")
    assert arrays["period_year"].dtype == np.int32 and list(arrays["period_year"]) == [2021]
    school = plan.rollup_arrays(obs, indicators=["rate"], period="school_year", ids=False)
    assert list(school["period_year"]) == [2021]  # the school year 2021/2022 starts in 2021
    assert arrays["value"].dtype == np.float64 and arrays["value"][0] == 90.0
    assert arrays["defined"].dtype == np.bool_ and arrays["units"].dtype == np.uint64
    assert list(arrays["stage"]) == [None] and list(arrays["rule"]) == ["weighted_mean"]
    assert list(arrays["indicator_index"]) == [1] and list(arrays["entity_index"]) == [0]
    assert (arrays["rows_used"], arrays["rows_outside_level"], arrays["rows_combined_in_time"]) == (1, 0, 0)


def test_dataframe_columns_and_no_pandas(plan: Plan, monkeypatch: pytest.MonkeyPatch) -> None:
    obs = observe(plan, indicator=["teachers"], entity=["a"], year=[2021], value=[3.0])
    frame = plan.rollup(obs)
    assert isinstance(frame, pd.DataFrame)
    assert list(frame.columns) == [
        "indicator",
        "entity",
        "stage",
        "period_start",
        "period_end",
        "value",
        "defined",
        "units",
        "missing_units",
        "rule",
    ]
    assert pd.api.types.is_datetime64_any_dtype(frame["period_start"])
    assert frame.attrs == {
        "rows_used": 1,
        "rows_outside_level": 0,
        "rows_combined_in_time": 0,
        "weight_assumed": [],
    }
    monkeypatch.setitem(sys.modules, "pandas", None)  # import pandas now raises ImportError
    arrays = plan.rollup(obs)
    assert isinstance(arrays, dict) and arrays["value"][0] == 3.0


def big_plan_and_observations(plan: Plan) -> Observations:
    """10 000 schools under both stages, 6 years, 2 indicators: 120 000 rows, one per school,
    indicator and year, so the roll-up's pass over the rows splits into two threads."""
    first = len(plan.entities)
    schools = 10_000
    for k in range(schools):
        plan.add_entity(Entity(f"x{k}", f"x{k}", "school", "s1" if k % 2 else "s2"))
    rng = np.random.default_rng(7)
    years = np.arange(2020, 2026)
    jan1 = (years - 1970) * 365 + (years - 1969) // 4  # days to 1 January (no century years involved)
    dec31 = jan1 + 364 + (years % 4 == 0)
    entity = np.repeat(np.arange(first, first + schools, dtype=np.uint32), 2 * len(years))
    indicator = np.tile(np.repeat(np.array([0, 1], dtype=np.uint32), len(years)), schools)
    start = np.tile(np.tile(jan1, 2), schools).astype(np.int32)
    end = np.tile(np.tile(dec31, 2), schools).astype(np.int32)
    value = np.where(
        indicator == 0, np.floor(rng.uniform(0, 100, entity.size)), rng.uniform(0, 100, entity.size)
    )
    weight = np.where(indicator == 0, 1.0, 100 + rng.uniform(0, 100, entity.size))
    return Observations(indicator, entity, start, end, value, weight).copy()


def test_threads_give_the_one_pass_result(plan: Plan) -> None:
    obs = big_plan_and_observations(plan)
    assert len(obs) == 120_000 and not obs.borrowed
    one = plan.rollup_arrays(obs, level="stage", rule="cv", threads=1)
    two = plan.rollup_arrays(obs, level="stage", rule="cv", threads=2)
    assert len(one["value"]) == len(two["value"]) == 2 * 2 * 6  # indicators × stages × years
    np.testing.assert_allclose(two["value"], one["value"], rtol=1e-12)
    assert one["rows_used"] == two["rows_used"] == 120_000
    # the default rules (sum for teachers, weighted mean for rate) too
    np.testing.assert_allclose(
        plan.rollup_arrays(obs, threads=2)["value"], plan.rollup_arrays(obs)["value"], rtol=1e-12
    )


def test_rollups_run_concurrently_without_the_gil(plan: Plan) -> None:
    # The GIL is released during the C++ roll-up of observations that own their data: several
    # Python threads roll up at once and get the serial results.
    obs = big_plan_and_observations(plan)
    levels = ["district", "stage", "school", "district"]
    serial = [plan.rollup_arrays(obs, level=level)["value"] for level in levels]
    with ThreadPoolExecutor(4) as pool:
        parallel = list(pool.map(lambda level: plan.rollup_arrays(obs, level=level)["value"], levels))
    for a, b in zip(serial, parallel):
        np.testing.assert_array_equal(a, b)


def test_borrowed_observations_roll_up_too(plan: Plan) -> None:
    a = plan.entities.index(plan.entity("a"))
    obs = Observations(
        np.array([0], dtype=np.uint32),
        np.array([a], dtype=np.uint32),
        np.array([18628], dtype=np.int32),
        np.array([18628 + 364], dtype=np.int32),
        np.array([4.0]),
    )
    assert obs.borrowed  # rolled up holding the GIL
    assert value(plan.rollup(obs), "teachers", "d", "2021-01-01") == 4.0


def test_checked_yearly_rows_and_another_plan(plan: Plan, mini_text: str) -> None:
    # Rows checked one per indicator, entity and calendar year let the roll-up skip a pass; the
    # result is the same as for the same rows unchecked.
    obs, report = planeval.observations_from_arrays(
        plan,
        indicator=["teachers"] * 3,
        entity=["a", "b", "c"],
        year=[2021, 2021, 2022],
        value=[1.0, 2.0, 4.0],
    )
    assert report.calendar_years
    unchecked = Observations(obs.indicator, obs.entity, obs.start, obs.end, obs.value)
    pd.testing.assert_frame_equal(plan.rollup(obs), plan.rollup(unchecked))
    # Another plan (without schools a, b, c): the rows were checked against `plan`, so their
    # indices mean nothing for it, and the roll-up refuses them (before reading outside its arrays).
    small = planeval.parse_plan(mini_text)
    with pytest.raises(planeval.DataError, match="these observations were checked against plan"):
        small.rollup(obs)


def test_the_plan_cannot_grow_while_a_rollup_reads_it(plan: Plan, tmp_path: Path) -> None:
    # A roll-up without the GIL reads the plan's entity tree; read_csv adding an entity meanwhile
    # would reallocate it, so it raises instead (it succeeds between roll-ups).
    obs = big_plan_and_observations(plan)
    stop = threading.Event()

    def roll_up_until_stopped() -> None:
        while not stop.is_set():
            plan.rollup_arrays(obs, level="stage")

    worker = threading.Thread(target=roll_up_until_stopped)
    worker.start()
    refused = 0
    path = tmp_path / "new.csv"
    try:
        for k in range(500):
            path.write_text(
                f"indicator,entity,year,value,parent\nteachers,new{k},2021,1,s1\n", encoding="utf-8"
            )
            try:
                planeval.read_csv(plan, path)
            except Error as e:
                assert "the plan is being read by Plan.rollup in another thread" in str(e)
                refused += 1
                if refused == 3:
                    break
    finally:
        stop.set()
        worker.join()
    if refused == 0:
        pytest.skip("no read_csv call happened during a roll-up")


def test_coarser_levels_batches_and_index_only_results(plan: Plan) -> None:
    # per-100 values 4, 5, 6 with 100, 200, 700 students (a, b in 小学, c in 初中):
    # district CV = sqrt(0.44) / 5.6 = 0.118450 (as in test_cv_weighted_unweighted_and_by_stage);
    # 小学 alone: x̄ = 14/3, S² = 2/9, CV = 0.101015
    obs = observe(
        plan,
        indicator=["rate"] * 3,
        entity=["a", "b", "c"],
        year=[2021] * 3,
        value=[4.0, 5.0, 6.0],
        weight=[100.0, 200.0, 700.0],
    )
    r = plan.rollup_arrays(obs, level="stage", rule="cv", also=["district"])
    by_entity = dict(zip(r["entity"], r["value"]))
    assert by_entity["d"] == pytest.approx(0.118450, rel=1e-5)
    assert by_entity["s1"] == pytest.approx(0.101015, rel=1e-5)
    # the same two requests in one pass
    cv, total = plan.rollup_batch(
        obs, [{"level": "stage", "rule": "cv", "also": ["district"]}, {"level": "district", "rule": "sum"}]
    )
    assert dict(zip(cv["entity"], cv["value"])) == by_entity
    assert total["value"].tolist() == [15.0]  # 4 + 5 + 6
    fast = plan.rollup_arrays(obs, level="district", rule="sum", ids=False)
    assert "entity" not in fast
    district = next(i for i, e in enumerate(plan.entities) if e.id == "d")
    assert fast["entity_index"].tolist() == [district]
    assert fast["stage_code"].tolist() == [-1]
    with pytest.raises(Error, match="unknown option"):
        plan.rollup_batch(obs, [{"levels": "district"}])


def test_share_of_schools_passing_k_of_n(plan: Plan) -> None:
    # 小学 criteria, 2 of 3 with an 85% floor: x1 >= 4.2, x2 >= 1.0, x3 >= 0.9
    # a: 4.5, 1.1, 0.8 -> 2 met, 0.8 >= 0.765: passes; b: 4.0, 0.8, 1.0 -> 1 met: fails;
    # c is a 初中 school and 初中 has no criteria here: not judged. Share = 1/2.
    for k in ("x1", "x2", "x3"):
        plan.add_indicator(planeval.Indicator(k, k, "ratio", "ratio"))
    values = {"a": [4.5, 1.1, 0.8], "b": [4.0, 0.8, 1.0], "c": [1.0, 1.0, 1.0]}
    obs = observe(
        plan,
        indicator=[k for _ in values for k in ("x1", "x2", "x3")],
        entity=[s for s in values for _ in range(3)],
        year=[2022] * 9,
        value=[x for v in values.values() for x in v],
    )
    r = plan.rollup_k_of_n(
        obs,
        level="district",
        indicators=["x1", "x2", "x3"],
        criteria={"小学": [(">=", 4.2), (">=", 1.0), (">=", 0.9)]},
        k=2,
        floor=0.85,
    )
    assert r["entity"].tolist() == ["d"]
    assert r["units"].tolist() == [2]
    assert r["passed"].tolist() == [1]
    assert r["share"].tolist() == [0.5]
    assert r["period_start"].tolist() == [dt.date(2022, 1, 1)]
    with pytest.raises(Error, match="criteria"):
        plan.rollup_k_of_n(obs, indicators=["x1", "x2", "x3"], criteria={"小学": [(">=", 4.2)]}, k=2)


@pytest.mark.parametrize(
    ("weight_by", "expected"),
    [
        ("students", (100 * 90.0 + 300 * 70.0) / 400),  # 75.0: school a 100 students, b 300
        ("units", (90.0 + 70.0) / 2),  # 80.0: each school once (a share of campuses)
        ("teachers", (10 * 90.0 + 30 * 70.0) / 40),  # 75.0: by the schools' teachers, 10 and 30
    ],
)
def test_weights_follow_the_indicator_definition(mini_text: str, weight_by: str, expected: float) -> None:
    p = planeval.parse_plan(mini_text)
    rate = p.indicator("rate")
    p.add_indicator(
        planeval.Indicator("share", "占比", "%", "rate", across_entities="ratio_of_sums", weight_by=weight_by)
    )
    assert p.indicator("share").weight_by == weight_by
    assert rate.weight_by == ""
    p.add_entity(Entity("a", "a", "school", "s1", students=100))
    p.add_entity(Entity("b", "b", "school", "s1", students=300))
    obs = observe(
        p,
        indicator=["share", "share", "teachers", "teachers"],
        entity=["a", "b", "a", "b"],
        year=[2021] * 4,
        value=[90.0, 70.0, 10.0, 30.0],
    )
    r = p.rollup(obs, level="stage", indicators=["share"])
    assert value(r, "share", "s1", "2021-01-01") == pytest.approx(expected)
    assert r.attrs["weight_assumed"] == []
    # the plan file says it, and says it back
    again = planeval.parse_plan(p.to_json())
    assert again.indicator("share").weight_by == weight_by


def test_a_weight_that_is_not_a_count_is_refused(mini_text: str) -> None:
    p = planeval.parse_plan(mini_text)
    with pytest.raises(planeval.PlanError, match="expected a count"):
        p.add_indicator(planeval.Indicator("share", "占比", "%", "rate", weight_by="rate"))
