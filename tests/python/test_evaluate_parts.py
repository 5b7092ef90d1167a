"""The plan evaluation in parts: Plan.evaluate_states / EvaluationPartial, planeval.evaluate_partitions
over a folder of CSV or Parquet files or an iterator of frames, and planeval.dask.evaluate on a
LocalCluster of 2 worker processes (the session's, from conftest): always the report planeval.evaluate
gives on all rows at once (the parts' rows in part order)."""

from __future__ import annotations

import pickle
import re
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import planeval
from planeval import DataError, Error, EvaluationPartial, Plan

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
# the columns that add entities to a plan: a partition cannot add any (they are added up front)
ENTITY_COLUMNS = ["parent", "entity_name", "entity_kind", "stage", "students"]


def load(name: str) -> tuple[Plan, pd.DataFrame]:
    """An example plan with its standards' indicators and the data's entities, and its rows."""
    plan = (
        planeval.example_plan() if name == "baijiantan" else planeval.load_plan(EXAMPLES / name / "plan.json")
    )
    for sid in sorted({t.standard for t in plan.targets if t.standard}):
        plan.add_standard_indicators(planeval.builtin_standard(sid))
    path = EXAMPLES / name / "illustrative_observations.csv"
    planeval.read_csv(plan, path)  # adds the data's schools to the plan
    frame = pd.read_csv(path).drop(columns=ENTITY_COLUMNS, errors="ignore")
    return plan, frame


@pytest.fixture(scope="module")
def baijiantan() -> tuple[Plan, pd.DataFrame]:
    return load("baijiantan")


@pytest.fixture(scope="module")
def county() -> tuple[Plan, pd.DataFrame]:
    return load("unnamed_county")


def whole(plan: Plan, frame: pd.DataFrame, **kwargs: Any) -> planeval.Report:
    obs, report = planeval.observations_from_frame(plan, frame, add_entities=False)
    assert report.accepted == report.rows == len(frame)
    return planeval.evaluate(plan, obs, **kwargs)


_NUMBER = re.compile(r"\d+(?:\.\d+)?(?:e[+-]?\d+)?")


def same(a: Any, b: Any, path: str = "report") -> None:
    """The same JSON form: numbers to 1e-12 relative, also inside the texts (sentences print
    figures), everything else exactly."""
    if isinstance(a, bool) or isinstance(b, bool) or a is None or b is None:
        assert a == b, path
    elif isinstance(a, (int, float)) and isinstance(b, (int, float)):
        assert a == pytest.approx(b, rel=1e-12, abs=0), path
    elif isinstance(a, str) and isinstance(b, str):
        assert _NUMBER.split(a) == _NUMBER.split(b), f"{path}: {a!r} vs {b!r}"
        for x, y in zip(_NUMBER.findall(a), _NUMBER.findall(b)):
            assert float(x) == pytest.approx(float(y), rel=1e-12, abs=0), f"{path}: {a!r} vs {b!r}"
    elif isinstance(a, list) and isinstance(b, list):
        assert len(a) == len(b), path
        for k, (x, y) in enumerate(zip(a, b)):
            same(x, y, f"{path}[{k}]")
    elif isinstance(a, dict) and isinstance(b, dict):
        assert a.keys() == b.keys(), path
        for k in a:
            same(a[k], b[k], f"{path}.{k}")
    else:
        assert a == b, path


def assert_same_report(got: planeval.Report, want: planeval.Report) -> None:
    same(got.to_dict(), want.to_dict())
    assert [t.status for t in got.targets] == [t.status for t in want.targets]


def by_group(frame: pd.DataFrame, group: pd.Series) -> list[pd.DataFrame]:
    """The rows of each group, in group order (each keeps its rows' order)."""
    return [frame[group == g] for g in sorted(group.unique())]


def write(parts: list[pd.DataFrame], folder: Path, kind: str) -> list[Path]:
    folder.mkdir()
    paths = []
    for k, part in enumerate(parts):
        path = folder / f"part{k:02d}.{kind}"
        if kind == "csv":
            part.to_csv(path, index=False)
        else:
            part.to_parquet(path, index=False)
        paths.append(path)
    return paths


OPTIONS: dict[str, Any] = {"as_of": 2023, "methods": ["statcan", "eurostat"]}


def test_states_merge_pickle_and_finalise(baijiantan: tuple[Plan, pd.DataFrame]) -> None:
    plan, frame = baijiantan
    want = whole(plan, frame, **OPTIONS)
    # the 优质均衡 milestones are judged by the standard on the schools' rows (examples/baijiantan)
    judged = [t for t in want.to_dict()["targets"] if t.get("judged_from") == "standard"]
    assert judged
    parts = by_group(frame, frame["entity"].rank(method="dense").astype(int) % 3)
    partials = []
    for part in parts:
        obs, _ = planeval.observations_from_frame(plan, part, add_entities=False)
        partials.append(plan.evaluate_states(obs, **OPTIONS))
    merged = EvaluationPartial()
    for x in partials:
        merged += pickle.loads(pickle.dumps(x))  # as a worker receives it: without the plan
    concatenated = pd.concat(parts)
    assert merged.rows == len(frame)
    assert_same_report(merged.finalise(plan), whole(plan, concatenated, **OPTIONS))
    assert_same_report(merged.finalise(plan), want)  # each school's rows in one part: the same verdicts
    tree = (partials[0] + partials[1]) + partials[2]
    assert_same_report(EvaluationPartial.from_bytes(plan, tree.to_bytes()).finalise(plan), want)
    assert_same_report(EvaluationPartial.from_bytes(None, tree.to_bytes()).finalise(plan), want)
    # the empty partial carries no options: the report of no rows needs them
    with pytest.raises(Error, match="the empty partial carries no options"):
        EvaluationPartial().finalise(plan)
    # notices reach the report header
    got = merged.finalise(plan, notices=[("示例数据", "illustrative data")])
    assert got.to_dict()["notices"] == [{"zh": "示例数据", "en": "illustrative data"}]


def test_folders_of_csv_and_parquet_files(
    baijiantan: tuple[Plan, pd.DataFrame], county: tuple[Plan, pd.DataFrame], tmp_path: Path
) -> None:
    plan, frame = baijiantan
    # by school (the district's own rows are a part of their own) into CSV files, by year into Parquet
    schools = by_group(frame, frame["entity"])
    write(schools, tmp_path / "csv", "csv")
    timings: dict[str, float] = {}
    got = planeval.evaluate_partitions(plan, tmp_path / "csv", timings=timings, **OPTIONS)
    assert_same_report(got, whole(plan, pd.concat(schools), **OPTIONS))
    assert timings["partitions"] == len(schools) and timings["finalise"] >= 0
    years = by_group(frame, frame["period"])
    paths = write(years, tmp_path / "parquet", "parquet")
    got = planeval.evaluate_partitions(plan, paths, **OPTIONS)
    assert_same_report(got, whole(plan, pd.concat(years), **OPTIONS))
    # standards given in the options: the states keep their rows, finalise takes them again
    ids = sorted({t.standard for t in plan.targets if t.standard})
    given = [planeval.builtin_standard(sid) for sid in ids]
    got = planeval.evaluate_partitions(plan, paths, standards=given, **OPTIONS)
    assert_same_report(got, whole(plan, pd.concat(years), standards=given, **OPTIONS))
    # the county plan (one entity): its rows by year, as Parquet files and as an iterator of frames
    cplan, cframe = county
    cyears = by_group(cframe, cframe["year"])
    write(cyears, tmp_path / "county", "parquet")
    want = whole(cplan, pd.concat(cyears), as_of="2025-12-31")
    assert_same_report(planeval.evaluate_partitions(cplan, tmp_path / "county", as_of="2025-12-31"), want)
    assert_same_report(planeval.evaluate_partitions(cplan, iter(cyears), as_of="2025-12-31"), want)


def test_refusals_and_a_bad_row(baijiantan: tuple[Plan, pd.DataFrame], tmp_path: Path) -> None:
    plan, frame = baijiantan
    half = len(frame) // 2
    a = plan.evaluate_states(
        planeval.observations_from_frame(plan, frame[:half], add_entities=False)[0], as_of=2023
    )
    b = plan.evaluate_states(
        planeval.observations_from_frame(plan, frame[half:], add_entities=False)[0], as_of=2022
    )
    with pytest.raises(Error, match="computed with different options"):
        a += b
    with pytest.raises(Error, match="checksum mismatch"):
        data = bytearray(a.to_bytes())
        data[len(data) // 2] ^= 0x20
        EvaluationPartial.from_bytes(None, bytes(data))
    other = planeval.load_plan(EXAMPLES / "jining" / "plan.json")
    with pytest.raises(Error, match="the partial is of plan"):
        a.finalise(other)
    # a row of a school's target indicator twice in one year (a dated value), in two partitions
    target_indicators = {t.indicator for t in plan.targets}
    row = frame[(frame["entity"] != "baijiantan") & frame["indicator"].isin(target_indicators)].iloc[0]
    again = pd.DataFrame(
        {
            "indicator": [row["indicator"]],
            "entity": [row["entity"]],
            "date": [f"{int(row['period'])}-07-01"],
            "value": [row["value"]],
            "weight": [row["weight"]],
        }
    )
    with pytest.raises(DataError, match="must be in one part"):
        planeval.evaluate_partitions(plan, [frame, again], as_of=2023)
    # a bad row: its file and row (CSV line 4: the header, then the third data row)
    parts = by_group(frame, frame["entity"].rank(method="dense").astype(int) % 3)
    paths = write(parts, tmp_path / "bad", "csv")
    bad = pd.read_csv(paths[1])
    bad["value"] = bad["value"].astype(object)
    bad.loc[2, "value"] = "abc"
    bad.to_csv(paths[1], index=False)
    with pytest.raises(DataError, match="abc") as e:
        planeval.evaluate_partitions(plan, tmp_path / "bad", as_of=2023)
    assert (e.value.file, e.value.row) == (str(paths[1]), 4)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_entity_grouped_partitioning_gives_the_same_report(
    baijiantan: tuple[Plan, pd.DataFrame], data: st.DataObject
) -> None:
    plan, frame = baijiantan
    entities = sorted(frame["entity"].unique())
    parts_n = data.draw(st.integers(1, 6))
    where = data.draw(st.lists(st.integers(0, parts_n - 1), min_size=len(entities), max_size=len(entities)))
    part = frame["entity"].map(dict(zip(entities, where)))
    parts = by_group(frame, part)
    as_of = data.draw(st.sampled_from([2022, 2023, "2024-06-30"]))
    got = planeval.evaluate_partitions(plan, iter(parts), as_of=as_of, methods="statcan")
    assert_same_report(got, whole(plan, pd.concat(parts), as_of=as_of, methods="statcan"))


dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")
import planeval.dask  # noqa: E402


def test_dask_on_two_worker_processes(
    client: Any, baijiantan: tuple[Plan, pd.DataFrame], tmp_path: Path
) -> None:
    plan, frame = baijiantan
    # a partition per group of schools (a school's derived indicators and their inputs together)
    groups = by_group(frame, frame["entity"].rank(method="dense").astype(int) % 5)
    ddf = dd.concat([dd.from_pandas(g, npartitions=1, sort=False) for g in groups])
    assert ddf.npartitions == 5
    want = whole(plan, pd.concat(groups), **OPTIONS)
    assert_same_report(planeval.dask.evaluate(plan, ddf, split_every=2, **OPTIONS), want)
    # rows cut anywhere: a derived indicator's own row and its inputs land in different partitions
    with pytest.raises(DataError, match="must be in one part"):
        planeval.dask.evaluate(plan, dd.from_pandas(frame, npartitions=2, sort=False), **OPTIONS)
    # Parquet files read by the tasks themselves
    schools = by_group(frame, frame["entity"])
    write(schools, tmp_path / "parquet", "parquet")
    got = planeval.dask.evaluate(plan, tmp_path / "parquet", tasks=2, **OPTIONS)
    assert_same_report(got, whole(plan, pd.concat(schools), **OPTIONS))
    # standards given in the options travel to the workers pickled (as their JSON text)
    ids = sorted({t.standard for t in plan.targets if t.standard})
    given = [planeval.builtin_standard(sid) for sid in ids]
    got = planeval.dask.evaluate(plan, ddf, standards=given, **OPTIONS)
    assert_same_report(got, whole(plan, pd.concat(groups), standards=given, **OPTIONS))
