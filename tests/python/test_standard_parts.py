"""Official standards in parts: planeval.standard_states / StandardPartial,
planeval.evaluate_standard_partitions over folders of CSV or Parquet files and iterators of frames
or Arrow tables, and planeval.dask.evaluate_standard on a LocalCluster of 2 worker processes
(the session's, from conftest): always the StandardResult planeval.evaluate_standard gives on all rows
at once, member by member (floats equal: the same rows reach the same code).

Two plans with school data: the Baijiantan example (the 2017 优质均衡 standard's per-student ratios
derived from counts) and a county made here: 14 schools with rows superseded within 2023 (the
latest counts), rows of 2022, values reported missing (NaN), a teaching point of 30 pupils and a
special-education school (excluded), and a 一贯制 school whose facilities are split between its
小学 and 初中 parts by the standard's student weights. (Checked ingestion refuses two rows of one
indicator, entity and period with different values, so ties of one end date, which a partial
resolves as the later row, are tested in C++: tests/cpp/standard_partial_test.cpp.)"""

from __future__ import annotations

import json
import pickle
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import planeval
from planeval import DataError, Error, Plan, Standard, StandardPartial, StandardResult

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
ENTITY_COLUMNS = ["parent", "entity_name", "entity_kind", "stage", "students"]
Q2017 = "compulsory_quality_balance_2017"


def baijiantan_case() -> tuple[Standard, Plan, pd.DataFrame]:
    plan = planeval.example_plan()
    standard = planeval.builtin_standard(Q2017)
    plan.add_standard_indicators(standard)
    path = EXAMPLES / "baijiantan" / "illustrative_observations.csv"
    planeval.read_csv(plan, path)  # adds the data's schools (a partition cannot add entities)
    frame = pd.read_csv(path).drop(columns=ENTITY_COLUMNS)
    return standard, plan, frame


def county_case(seed: int = 3) -> tuple[Standard, Plan, pd.DataFrame]:
    standard = planeval.builtin_standard(Q2017)
    entities: list[dict[str, Any]] = [
        {"id": "county", "name": {"zh": "某县"}, "kind": "district"},
        {"id": "primary", "name": {"zh": "小学"}, "kind": "stage", "parent": "county", "stage": "小学"},
        {"id": "junior", "name": {"zh": "初中"}, "kind": "stage", "parent": "county", "stage": "初中"},
    ]
    schools = []
    for k in range(14):
        kind, name = "school", f"第{k}学校"
        if k == 12:
            kind = "teaching_point"  # 30 pupils: excluded (under 50)
        if k == 13:
            name = "某县特殊教育学校"  # excluded by name
        parent = "primary" if k % 2 == 0 else "junior"
        entities.append({"id": f"s{k}", "name": {"zh": name}, "kind": kind, "parent": parent})
        schools.append((f"s{k}", "小学" if parent == "primary" else "初中"))
    entities.append({"id": "x9", "name": {"zh": "某县九年一贯制学校"}, "kind": "school", "parent": "county"})
    entities.append(
        {
            "id": "x9p",
            "name": {"zh": "x9 小学部"},
            "kind": "stage",
            "parent": "x9",
            "stage": "小学",
            "students": 166,
        }
    )
    entities.append(
        {
            "id": "x9j",
            "name": {"zh": "x9 初中部"},
            "kind": "stage",
            "parent": "x9",
            "stage": "初中",
            "students": 210,
        }
    )
    text = {
        "format": "planeval-plan",
        "format_version": 1,
        "id": "county",
        "title": {"zh": "某县教育规划"},
        "horizon": {"start": "2021", "end": "2025"},
        "phases": [],
        "indicators": [],
        "entities": entities,
        "targets": [],
    }
    plan = planeval.parse_plan(json.dumps(text, ensure_ascii=False))
    plan.add_standard_indicators(standard)

    rng = np.random.default_rng(seed)
    unit = [i for i in standard.indicators if i["level"] == "unit"]
    rows: list[tuple[str, str, str, float, float]] = []
    for sid, stage in schools:
        students = 30.0 if sid == "s12" else float(rng.integers(100, 1200))
        for ind in unit:
            bar = ind["thresholds"][stage]
            for day in ("2022-09-30", "2023-03-31", "2023-09-30"):
                value = round(bar * rng.uniform(0.75, 1.35), 3)
                rows.append((ind["id"], sid, day, np.nan if rng.random() < 0.04 else value, students))
    for ind in unit:  # teachers per part, facilities of the whole school (split)
        if ind["split_combined"]:
            rows.append((ind["id"], "x9", "2023-09-30", ind["thresholds"]["初中"] * 1.2, 376.0))
        else:
            rows.append((ind["id"], "x9p", "2023-09-30", ind["thresholds"]["小学"] * 1.1, 166.0))
            rows.append((ind["id"], "x9j", "2023-09-30", ind["thresholds"]["初中"] * 1.1, 210.0))
    for ind, value in (
        ("government_guarantee_passed", 1.0),
        ("education_quality_passed", 1.0),
        ("compulsory_social_recognition_rate", 88.0),
    ):
        rows.append((ind, "county", "2023-12-31", value, 0.0))
    frame = pd.DataFrame(rows, columns=["indicator", "entity", "date", "value", "weight"])
    order = rng.permutation(len(frame))  # superseded rows and ties spread over the file
    return standard, plan, frame.iloc[order].reset_index(drop=True)


@pytest.fixture(scope="module")
def baijiantan() -> tuple[Standard, Plan, pd.DataFrame]:
    return baijiantan_case()


@pytest.fixture(scope="module")
def county() -> tuple[Standard, Plan, pd.DataFrame]:
    return county_case()


def whole(standard: Standard, plan: Plan, frame: pd.DataFrame, **options: Any) -> StandardResult:
    obs, report = planeval.observations_from_frame(plan, frame, add_entities=False)
    assert report.accepted == report.rows == len(frame)
    return planeval.evaluate_standard(standard, plan, obs, **options)


def reasons(r: StandardResult) -> list[tuple[Any, ...]]:
    return [
        (x.code, x.group, x.stage, x.indicator, x.unit, x.value, x.limit, x.message_zh, x.message_en)
        for x in r.reasons
    ]


def assert_same(got: StandardResult, want: StandardResult) -> None:
    """Member by member; the floats equal (not approximately)."""
    assert got.passed == want.passed
    assert reasons(got) == reasons(want)
    assert got.units == want.units
    assert got.cvs == want.cvs
    assert got.composites == want.composites
    assert got.criteria == want.criteria
    assert got.groups == want.groups
    assert (got.standard, got.scope, got.period) == (want.standard, want.scope, want.period)
    pd.testing.assert_frame_equal(got.units_frame(), want.units_frame())


def chunks(frame: pd.DataFrame, cuts: list[int]) -> list[pd.DataFrame]:
    bounds = [0, *sorted(cuts), len(frame)]
    return [frame.iloc[a:b] for a, b in zip(bounds, bounds[1:])]


def write(parts: list[pd.DataFrame], folder: Path, suffix: str) -> list[Path]:
    folder.mkdir(exist_ok=True)
    paths = []
    for j, part in enumerate(parts):
        path = folder / f"part{j:02d}{suffix}"
        if suffix == ".csv":
            part.to_csv(path, index=False, float_format="%.17g")  # 1, not 1.0, for booleans
        else:
            part.to_parquet(path, index=False)
        paths.append(path)
    return paths


def test_the_county_by_hand(county: tuple[Standard, Plan, pd.DataFrame]) -> None:
    standard, plan, frame = county
    want = whole(standard, plan, frame, period=2023)
    # what the rows make of it: the teaching point and the special-education school are excluded,
    # x9's parts are units whose facilities come from the school's row split 1 : 1.1 over 376
    # pupils (the 初中 part: value × 376 × 1.1 / (166 + 210 × 1.1) per pupil)
    units = {u["unit"]: u for u in want.units}
    assert units["s12"]["exclusion"] == "small_teaching_point"
    assert units["s13"]["exclusion"] == "special_education"
    sports = next(v for v in units["x9j"]["values"] if v["indicator"] == "sports_space_per_student")
    assert sports["split"]
    assert sports["value"] == pytest.approx(10.2 * 1.2 * 376 * 1.1 / (166 + 210 * 1.1), rel=1e-12)
    assert any(r.code == "missing_values" for r in want.reasons)  # NaN is missing, never zero
    # a partial keeps one row per (indicator, entity) read: 14 schools × 7, x9's 4 facilities and
    # 2 × 3 teacher rows, 3 county values
    partial = planeval.standard_states(
        standard, plan, planeval.observations_from_frame(plan, frame)[0], period=2023
    )
    assert partial.rows == 14 * 7 + 4 + 6 + 3
    assert_same(partial.finalise(standard, plan), want)


@pytest.mark.parametrize("case", ["baijiantan", "county"])
@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_folders_of_files_give_the_in_memory_result(
    case: str, suffix: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    if suffix == ".parquet":
        pytest.importorskip("pyarrow")
    standard, plan, frame = request.getfixturevalue(case)
    for period in (2023, "2022-2023"):
        want = whole(standard, plan, frame, period=period)
        folder = tmp_path / f"{suffix[1:]}{str(period)[:4]}"
        write(chunks(frame, [len(frame) // 5, len(frame) // 2, len(frame) * 4 // 5]), folder, suffix)
        timings: dict[str, float] = {}
        got = planeval.evaluate_standard_partitions(standard, plan, folder, period=period, timings=timings)
        assert_same(got, want)
        assert timings["partitions"] == 4.0
        assert set(timings) == {"read", "states", "merge", "finalise", "partitions"}


def test_frames_arrow_tables_and_options(county: tuple[Standard, Plan, pd.DataFrame]) -> None:
    standard, plan, frame = county
    options: dict[str, Any] = {
        "period": 2023,
        "groups": ["resource_allocation"],
        "excluded": {"s3": "民办学校"},
    }
    want = whole(standard, plan, frame, **options)
    assert next(u for u in want.units if u["unit"] == "s3")["exclusion"] == "option"
    parts = chunks(frame, [7, 150, 151, 300])
    assert_same(planeval.evaluate_standard_partitions(standard, plan, iter(parts), **options), want)
    pa = pytest.importorskip("pyarrow")
    tables = [pa.Table.from_pandas(p, preserve_index=False) for p in parts]
    assert_same(planeval.evaluate_standard_partitions(standard, plan, tables, **options), want)


def test_partials_merge_through_bytes_and_pickle(baijiantan: tuple[Standard, Plan, pd.DataFrame]) -> None:
    standard, plan, frame = baijiantan
    want = whole(standard, plan, frame, period=2023)
    partials = [
        planeval.standard_states(standard, plan, planeval.observations_from_frame(plan, p)[0], period=2023)
        for p in chunks(frame, [100, 101, 350])
    ]
    merged = StandardPartial()
    assert merged.empty
    for p in partials:
        merged += StandardPartial.from_bytes(None, pickle.loads(pickle.dumps(p)).to_bytes())
    assert merged.standard_id == Q2017
    assert repr(merged) == f"StandardPartial({Q2017}, rows={merged.rows})"
    assert_same(StandardPartial.from_bytes(plan, merged.to_bytes()).finalise(standard, plan), want)
    assert_same(((partials[0] + partials[1]) + (partials[2] + partials[3])).finalise(standard, plan), want)
    # refusals
    other = planeval.builtin_standard("basic_balance_2012")
    with pytest.raises(Error, match="is of standard compulsory_quality_balance_2017, not basic_balance_2012"):
        merged.finalise(other, plan)
    with pytest.raises(Error, match="different options"):
        merged + planeval.standard_states(
            standard, plan, planeval.observations_from_frame(plan, frame)[0], period=2022
        )
    data = bytearray(merged.to_bytes())
    data[len(data) // 2] ^= 1
    with pytest.raises(Error, match="checksum mismatch"):
        StandardPartial.from_bytes(None, bytes(data))
    with pytest.raises(Error, match="the partial is empty"):
        StandardPartial().finalise(standard, plan)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_consecutive_chunking_gives_the_same_result(
    county: tuple[Standard, Plan, pd.DataFrame],
    baijiantan: tuple[Standard, Plan, pd.DataFrame],
    data: st.DataObject,
) -> None:
    standard, plan, frame = data.draw(st.sampled_from([county, baijiantan]), label="case")
    cuts = data.draw(st.lists(st.integers(0, len(frame)), max_size=6), label="cuts")
    period = data.draw(st.sampled_from([2023, 2022, "2022-2023"]), label="period")
    want = whole(standard, plan, frame, period=period)
    assert_same(
        planeval.evaluate_standard_partitions(standard, plan, chunks(frame, cuts), period=period), want
    )


def test_a_bad_row_names_its_file_and_row(
    county: tuple[Standard, Plan, pd.DataFrame], tmp_path: Path
) -> None:
    standard, plan, frame = county
    paths = write(chunks(frame, [100, 200]), tmp_path, ".csv")
    bad = pd.read_csv(paths[1])
    bad.loc[4, "entity"] = "no_such_school"  # the fifth data row: line 6 of the file
    bad.to_csv(paths[1], index=False, float_format="%.17g")
    with pytest.raises(DataError) as e:
        planeval.evaluate_standard_partitions(standard, plan, tmp_path, period=2023)
    assert e.value.file == str(paths[1])
    assert e.value.row == 6
    assert "no_such_school" in str(e.value)
    # collected instead: the other rows evaluated, the rejection reported
    reports: list[planeval.IngestReport] = []
    got = planeval.evaluate_standard_partitions(
        standard, plan, tmp_path, period=2023, on_bad_row="collect", reports=reports
    )
    assert [len(r.rejected) for r in reports] == [0, 1, 0]
    assert_same(got, whole(standard, plan, frame.drop(index=104), period=2023))


distributed = pytest.importorskip("distributed")
dd = pytest.importorskip("dask.dataframe")



def test_dask_on_two_worker_processes(
    client: Any,
    county: tuple[Standard, Plan, pd.DataFrame],
    baijiantan: tuple[Standard, Plan, pd.DataFrame],
    tmp_path: Path,
) -> None:
    import planeval.dask

    for standard, plan, frame in (county, baijiantan):
        want = whole(standard, plan, frame, period=2023)
        for npartitions, split_every in ((3, 2), (7, 8)):
            ddf = dd.from_pandas(frame, npartitions=npartitions, sort=False)
            got = planeval.dask.evaluate_standard(standard, plan, ddf, period=2023, split_every=split_every)
            assert_same(got, want)
    # files read by the tasks themselves
    standard, plan, frame = county
    write(chunks(frame, [50, 120, 260]), tmp_path, ".csv")
    got = planeval.dask.evaluate_standard(standard, plan, tmp_path, period=2023, tasks=2)
    assert_same(got, whole(standard, plan, frame, period=2023))
    # a bad row names its partition and row
    bad = frame.copy()
    bad.loc[bad.index[10], "entity"] = "no_such_school"
    with pytest.raises(DataError, match="partition 0"):
        planeval.dask.evaluate_standard(
            standard, plan, dd.from_pandas(bad, npartitions=3, sort=False), period=2023
        )
