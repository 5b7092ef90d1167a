"""planeval.dask.rollup on a LocalCluster of 2 worker processes (the session's, from conftest): the frame
plan.rollup gives on the same rows in memory, for every mergeable rule."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest
from test_partitions import MERGEABLE, assert_same, make_frame, make_plan, whole, write_parts

import planeval
from planeval import DataError, Error

dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")
import planeval.dask  # noqa: E402


def test_every_mergeable_rule_equals_the_in_memory_rollup(client: Any, mini_text: str) -> None:
    plan = make_plan(mini_text)
    frame = make_frame(seed=4)
    ddf = dd.from_pandas(frame, npartitions=5, sort=False)  # yearly rows: any split of them works
    assert ddf.npartitions == 5
    for rule in MERGEABLE:
        kwargs: dict[str, Any] = {"level": "stage", "rule": rule, "also": ["district"]}
        got = planeval.dask.rollup(plan, ddf, split_every=2, **kwargs)
        assert_same(got, whole(plan, frame, **kwargs))
    # by hand: the number of teachers' values in 2020 across the district is the count of non-missing ones
    got = planeval.dask.rollup(plan, ddf, rule="count", indicators=["teachers"])
    present = frame[(frame["indicator"] == "teachers") & (frame["year"] == 2020)]["value"].notna().sum()
    assert got[got["period_start"] == pd.Timestamp("2020-01-01")]["value"].iloc[0] == present


def test_one_period_for_all_years_needs_rows_of_an_entity_together(client: Any, mini_text: str) -> None:
    plan = make_plan(mini_text)
    frame = make_frame(seed=5)
    by_year = frame.sort_values(["year", "entity"], kind="stable")
    ddf = dd.from_pandas(by_year, npartitions=4, sort=False)  # an entity's years in several partitions
    with pytest.raises(DataError, match="two parts hold rows"):
        planeval.dask.rollup(plan, ddf, period="all")
    got = planeval.dask.rollup(plan, ddf, period="all", shuffle=True, rule="cv")
    assert_same(got, whole(plan, frame, period="all", rule="cv"))


def test_a_bad_row_names_its_partition_and_row(client: Any, mini_text: str) -> None:
    plan = make_plan(mini_text)
    frame = make_frame(seed=6)
    frame["value"] = frame["value"].astype(object)
    frame.loc[frame.index[130], "value"] = "abc"
    ddf = dd.from_pandas(frame, npartitions=4, sort=False)  # 648 rows: partition 0 holds rows 0-161
    # the partition goes through Arrow (pyarrow reads the mixed column as text): same row and column
    with pytest.raises(DataError, match=r'^partition 0: pyarrow Table: row 130, column value: .*"abc"'):
        planeval.dask.rollup(plan, ddf)
    with pytest.raises(Error, match=r'rule "median"'):
        planeval.dask.rollup(plan, dd.from_pandas(make_frame(), npartitions=2), rule="median")


def test_files_read_by_the_tasks_themselves(client: Any, mini_text: str, tmp_path: Any) -> None:
    plan = make_plan(mini_text)
    frame = make_frame(seed=8)
    paths = write_parts(frame, tmp_path / "pq", 5, ".parquet")
    kwargs: dict[str, Any] = {"level": "stage", "rule": "cv", "by_stage": True}
    expected = whole(plan, frame, **kwargs)
    for tasks in (None, 1, 2, 5, 9):  # runs of files per task (9 > 5 files: one file each)
        assert_same(planeval.dask.rollup(plan, tmp_path / "pq", tasks=tasks, **kwargs), expected)
    got = planeval.dask.rollup(plan, [str(p) for p in paths[:2]], rule="sum", indicators=["teachers"])
    # by hand: files 0 and 1 hold schools k with k % 5 in (0, 1); their teachers summed per year
    school = frame["entity"].str[1:].astype(int)
    mine = frame[(school % 5 < 2) & (frame["indicator"] == "teachers") & (frame["year"] == 2019)]
    assert got[got["period_start"] == pd.Timestamp("2019-01-01")]["value"].iloc[0] == mine["value"].sum()
    # a bad row: its file and row (CSV line 4: the header, then the third data row)
    csv = write_parts(frame, tmp_path / "csv", 3)
    bad = pd.read_csv(csv[2])
    bad["value"] = bad["value"].astype("Int64").astype(object)
    bad.loc[2, "value"] = "abc"
    bad.to_csv(csv[2], index=False)
    with pytest.raises(DataError, match="abc") as e:
        planeval.dask.rollup(plan, tmp_path / "csv", tasks=2)
    assert (e.value.file, e.value.row) == (str(csv[2]), 4)
    with pytest.raises(Error, match="shuffle=True needs a dask DataFrame"):
        planeval.dask.rollup(plan, tmp_path / "csv", shuffle=True)


def test_reduce_partitions_gives_the_merged_partial(client: Any, mini_text: str) -> None:
    import functools

    from planeval._frames import rollup_frame

    plan = make_plan(mini_text)
    frame = make_frame(seed=7)
    ddf = dd.from_pandas(frame, npartitions=3, sort=False)
    states = functools.partial(_states_of_rule, "variance")
    merged = planeval.dask.reduce_partitions(plan, ddf, states, planeval.RollupPartial, split_every=2)
    assert isinstance(merged, planeval.RollupPartial)
    assert merged.rows_used == len(frame) == 648  # 24 schools x 9 years x 3 indicators, each row once
    assert_same(rollup_frame(merged.finalise(plan)), whole(plan, frame, rule="variance"))
    with pytest.raises(Error, match="split_every must be >= 2"):
        planeval.dask.reduce_partitions(plan, ddf, states, planeval.RollupPartial, split_every=1)


def _states_of_rule(rule: str, plan: planeval.Plan, obs: planeval.Observations) -> planeval.RollupPartial:
    return plan.rollup_states(obs, rule=rule)


def test_k_of_n_on_the_cluster_equals_the_in_memory_share(client: Any, mini_text: str, tmp_path: Any) -> None:
    from test_partitions import KOFN, assert_same_arrays, k_of_n_by_hand

    plan = make_plan(mini_text)
    frame = make_frame(seed=10)
    frame["value"] = frame["value"].fillna(frame["indicator"].map({"teachers": 40, "rate": 40, "passed": 1}))
    obs, _ = planeval.observations_from_frame(plan, frame, add_entities=False)
    expected = plan.rollup_k_of_n(obs, **KOFN)
    # rows by school, year, indicator: 4 partitions of 162 rows = 6 schools each, units whole
    ddf = dd.from_pandas(frame, npartitions=4, sort=False)
    got = planeval.dask.rollup_k_of_n(plan, ddf, split_every=2, **KOFN)
    assert_same_arrays(got, expected)
    at = list(got["period_year"]).index(2021)
    assert got["share"][at] == pytest.approx(k_of_n_by_hand(frame, 2021), rel=1e-15)
    write_parts(frame, tmp_path, 3, ".parquet")
    assert_same_arrays(planeval.dask.rollup_k_of_n(plan, tmp_path, tasks=2, **KOFN), expected)
    by_indicator = dd.from_pandas(frame.sort_values("indicator", kind="stable"), npartitions=3, sort=False)
    with pytest.raises(DataError):
        planeval.dask.rollup_k_of_n(plan, by_indicator, **KOFN)
    assert_same_arrays(planeval.dask.rollup_k_of_n(plan, by_indicator, shuffle=True, **KOFN), expected)
