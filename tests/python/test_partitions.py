"""The roll-up in parts: Plan.rollup_states / RollupPartial, and planeval.rollup_partitions over a
folder of CSV or Parquet files, a list of paths, or an iterator of frames: always the frame
Plan.rollup gives on all rows at once."""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import planeval
from planeval import DataError, Entity, Error, Plan, RollupPartial

MERGEABLE = [
    None,
    "sum",
    "count",
    "mean",
    "min",
    "max",
    "weighted_mean",
    "variance",
    "stddev",
    "cv",
    "cv_unweighted",
]


def make_plan(mini_text: str, schools: int = 24) -> Plan:
    """The mini plan (district d, 小学 stage s1; horizon 2021-2025) plus a 初中 stage s2 and
    `schools` schools alternating between the stages."""
    p = planeval.parse_plan(mini_text)
    p.add_entity(Entity("s2", "初中", "stage", "d", stage="初中"))
    for k in range(schools):
        p.add_entity(Entity(f"x{k}", f"学校{k}", "school", "s1" if k % 2 else "s2"))
    return p


def make_frame(schools: int = 24, seed: int = 1) -> pd.DataFrame:
    """One row per school, indicator and year 2016-2024 (history before the plan: the roll-up's
    periods reach back to 2016): integer teachers, rates weighed by students, 0/1 passed; one value
    in ten missing (NaN)."""
    rng = np.random.default_rng(seed)
    rows = []
    for k in range(schools):
        for year in range(2016, 2025):
            for ind, lo, hi in (("teachers", 0, 60), ("rate", 30, 100), ("passed", 0, 2)):
                v = float(rng.integers(lo, hi))
                weight = float(rng.integers(100, 400)) if ind == "rate" else 1.0
                rows.append((ind, f"x{k}", year, np.nan if rng.random() < 0.1 else v, weight))
    frame = pd.DataFrame(rows, columns=["indicator", "entity", "year", "value", "weight"])
    return frame.astype({"value": "Int64"})  # whole numbers, written as 0 and 1 (booleans), NaN as <NA>


def whole(plan: Plan, frame: pd.DataFrame, **kwargs: Any) -> pd.DataFrame:
    obs, report = planeval.observations_from_frame(plan, frame, add_entities=False)
    assert report.accepted == report.rows == len(frame)
    result: pd.DataFrame = plan.rollup(obs, **kwargs)
    return result


def assert_same(a: pd.DataFrame, b: pd.DataFrame) -> None:
    """The same rows and counts; values to 1e-12 relative (exactly equal for the integer sums)."""
    assert list(a.columns) == list(b.columns)
    assert len(a) == len(b) > 0
    for c in a.columns:
        if c == "value":
            np.testing.assert_allclose(a[c].to_numpy(), b[c].to_numpy(), rtol=1e-12, atol=0, equal_nan=True)
        else:
            pd.testing.assert_series_equal(a[c], b[c])
    assert a.attrs == b.attrs


@pytest.fixture
def plan(mini_text: str) -> Plan:
    return make_plan(mini_text)


def write_parts(frame: pd.DataFrame, folder: Path, parts: int, suffix: str = ".csv") -> list[Path]:
    """The rows split by school into `parts` files (school k goes to file k % parts)."""
    folder.mkdir(exist_ok=True)
    school = frame["entity"].str[1:].astype(int)
    paths = []
    for j in range(parts):
        path = folder / f"part{j:02d}{suffix}"
        piece = frame[school % parts == j]
        if suffix == ".csv":
            piece.to_csv(path, index=False)
        else:
            piece.to_parquet(path, index=False)
        paths.append(path)
    return paths


def test_folder_of_csv_files_gives_the_in_memory_rollup(plan: Plan, tmp_path: Path) -> None:
    frame = make_frame()
    write_parts(frame, tmp_path / "csv", 4)
    expected = whole(plan, frame, level="stage", also=["district"])
    timings: dict[str, float] = {}
    got = planeval.rollup_partitions(
        plan, tmp_path / "csv", level="stage", also=["district"], timings=timings
    )
    assert_same(got, expected)
    assert timings["partitions"] == 4.0
    assert set(timings) == {"read", "states", "merge", "finalise", "partitions"}
    # by hand: teachers of the 小学 stage (odd schools) in 2016 are the sum of their values
    teachers = frame[(frame["indicator"] == "teachers") & (frame["year"] == 2016)]
    odd = teachers[teachers["entity"].str[1:].astype(int) % 2 == 1]
    row = got[
        (got["indicator"] == "teachers") & (got["entity"] == "s1") & (got["period_start"] == "2016-01-01")
    ]
    assert row["value"].iloc[0] == odd["value"].sum()  # NaN (missing) skipped
    assert row["units"].iloc[0] == odd["value"].notna().sum()
    assert got.attrs["rows_used"] == len(frame)  # once: the district comes from the stages' merged states


def test_rows_used_counts_each_input_row_once(plan: Plan, tmp_path: Path) -> None:
    frame = make_frame()
    paths = write_parts(frame, tmp_path, 3)
    got = planeval.rollup_partitions(plan, [str(p) for p in paths], level="district")
    assert got.attrs["rows_used"] == len(frame) == 24 * 9 * 3
    assert_same(got, whole(plan, frame, level="district"))


def test_folder_of_parquet_files(plan: Plan, tmp_path: Path) -> None:
    pytest.importorskip("pyarrow")
    frame = make_frame(seed=2)
    write_parts(frame, tmp_path, 5, ".parquet")
    for rule in ("cv", "variance", None):
        expected = whole(plan, frame, level="stage", rule=rule, by_stage=True)
        assert_same(
            planeval.rollup_partitions(plan, tmp_path, level="stage", rule=rule, by_stage=True), expected
        )


def test_iterator_of_frames_and_arrow_tables(plan: Plan) -> None:
    frame = make_frame(seed=3)
    by_year = (piece for _, piece in frame.groupby("year"))  # a generator: one frame at a time
    assert_same(
        planeval.rollup_partitions(plan, by_year, period="school_year"),
        whole(plan, frame, period="school_year"),
    )
    pa = pytest.importorskip("pyarrow")
    tables = [pa.Table.from_pandas(piece, preserve_index=False) for _, piece in frame.groupby("entity")]
    assert_same(planeval.rollup_partitions(plan, tables, period="all"), whole(plan, frame, period="all"))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    seed=st.integers(0, 2**32 - 1),
    parts=st.integers(1, 6),
    rule=st.sampled_from(MERGEABLE),
    period=st.sampled_from(["calendar_year", "school_year"]),
    by_stage=st.booleans(),
)
def test_any_partitioning_gives_the_same_result(
    mini_text: str, seed: int, parts: int, rule: str | None, period: str, by_stage: bool
) -> None:
    # yearly rows: one row per (indicator, entity, year), so each row may go to any partition
    plan = make_plan(mini_text, schools=10)
    frame = make_frame(schools=10, seed=seed % 1000)
    part_of = np.random.default_rng(seed).integers(0, parts, len(frame))
    pieces = [frame[part_of == j] for j in range(parts)]
    kwargs: dict[str, Any] = {"level": "stage", "rule": rule, "period": period, "by_stage": by_stage}
    assert_same(planeval.rollup_partitions(plan, pieces, **kwargs), whole(plan, frame, **kwargs))


def test_a_bad_row_names_its_file_and_row(plan: Plan, tmp_path: Path) -> None:
    frame = make_frame()
    paths = write_parts(frame, tmp_path, 3)
    bad = pd.read_csv(paths[1])
    bad["value"] = bad["value"].astype("Int64").astype(object)
    bad.loc[2, "value"] = "abc"  # the third data row: line 4 of the file
    bad.to_csv(paths[1], index=False)
    with pytest.raises(DataError) as e:
        planeval.rollup_partitions(plan, tmp_path)
    assert e.value.file == str(paths[1])
    assert e.value.row == 4
    assert "abc" in str(e.value)
    # collected instead: the good rows rolled up, the rejection reported
    reports: list[planeval.IngestReport] = []
    got = planeval.rollup_partitions(plan, tmp_path, on_bad_row="collect", reports=reports)
    assert [len(r.rejected) for r in reports] == [0, 1, 0]
    assert got.attrs["rows_used"] == len(frame) - 1
    with pytest.raises(Error, match="reports="):
        planeval.rollup_partitions(plan, tmp_path, on_bad_row="collect")
    # in a frame: its partition number and row
    pieces = [
        frame.iloc[:100],
        frame.iloc[100:].assign(entity=lambda f: f["entity"].where(f.index != 105, "nowhere")),
    ]
    with pytest.raises(DataError, match=r"^partition 1: DataFrame: row 5 \(index 105\), column entity") as e2:
        planeval.rollup_partitions(plan, pieces)
    assert (e2.value.row, e2.value.column) == (6, "entity")  # the message's position 5 from 0; .row from 1


def test_refusals(plan: Plan, tmp_path: Path) -> None:
    frame = make_frame()
    with pytest.raises(Error, match=r'rule "median" \(indicators "rate"\) is not mergeable'):
        planeval.rollup_partitions(plan, [frame], rule="median", indicators=["rate"])
    # one (indicator, entity, period) in two partitions: its rows combine in time first
    with pytest.raises(DataError, match="two parts hold rows of indicator #"):
        planeval.rollup_partitions(plan, [frame, frame.iloc[:5]])
    with pytest.raises(Error, match=r"no \.csv or \.parquet files"):
        planeval.rollup_partitions(plan, tmp_path)
    with pytest.raises(TypeError, match="partition 0: expected a path"):
        planeval.rollup_partitions(plan, [42])


def test_partials_travel_as_bytes_and_check_their_plan(plan: Plan, mini_text: str) -> None:
    frame = make_frame()
    obs_a, _ = planeval.observations_from_frame(plan, frame.iloc[:300], add_entities=False)
    obs_b, _ = planeval.observations_from_frame(plan, frame.iloc[300:], add_entities=False)
    a = plan.rollup_states(obs_a, level="district", rule="cv")
    b = RollupPartial.from_bytes(plan, plan.rollup_states(obs_b, level="district", rule="cv").to_bytes())
    merged = a + b
    assert repr(merged) == f"RollupPartial(rows_used={len(frame)})"
    assert repr(RollupPartial()) == "RollupPartial(empty)" and RollupPartial().empty
    assert_same(
        planeval._frames.rollup_frame(merged.finalise(plan)), whole(plan, frame, level="district", rule="cv")
    )
    other = make_plan(mini_text, schools=25)  # one more school: another fingerprint
    with pytest.raises(Error, match='of plan "mini"'):
        RollupPartial.from_bytes(other, merged.to_bytes())
    with pytest.raises(Error, match="checksum mismatch"):
        data = bytearray(merged.to_bytes())
        data[len(data) // 2] ^= 1
        RollupPartial.from_bytes(plan, bytes(data))
    # pickled as its bytes, read back without the plan: finalise checks it
    back = pickle.loads(pickle.dumps(merged))
    assert_same(
        planeval._frames.rollup_frame(back.finalise(plan)), whole(plan, frame, level="district", rule="cv")
    )
    with pytest.raises(Error, match='of plan "mini"'):
        back.finalise(other)
    unchecked = RollupPartial.from_bytes(None, merged.to_bytes())
    assert unchecked.rows_used == len(frame)
    with pytest.raises(Error, match="pickle version 2"):
        RollupPartial.__new__(RollupPartial).__setstate__((2, merged.to_bytes()))


class _RowCount:
    """A toy partial for fold_partitions: the rows of each partition in the order they came."""

    def __init__(self, sizes: list[int] | None = None) -> None:
        self.sizes = sizes or []

    def __iadd__(self, other: _RowCount) -> _RowCount:
        self.sizes += other.sizes
        return self


def test_fold_partitions_calls_states_once_per_partition_and_merges(plan: Plan, tmp_path: Path) -> None:
    from planeval._frames import rollup_frame
    from planeval._partitions import fold_partitions

    frame = make_frame()
    write_parts(frame, tmp_path, 3)
    timings: dict[str, float] = {}
    got = fold_partitions(plan, tmp_path, lambda obs: _RowCount([len(obs)]), _RowCount(), timings=timings)
    # by hand: school k goes to file k % 3, so each file has 8 schools x 9 years x 3 indicators = 216 rows
    assert got.sizes == [216, 216, 216]
    assert timings["partitions"] == 3.0 and set(timings) == {"read", "states", "merge", "partitions"}
    # the merged RollupPartial, finalised, is the in-memory roll-up
    merged = fold_partitions(plan, tmp_path, lambda obs: plan.rollup_states(obs, rule="cv"), RollupPartial())
    assert_same(rollup_frame(merged.finalise(plan)), whole(plan, frame, rule="cv"))
    with pytest.raises(Error, match=r"^evaluate_partitions: no partitions"):
        fold_partitions(plan, [], lambda obs: _RowCount(), _RowCount(), name="evaluate_partitions")
    with pytest.raises(TypeError, match=r"^evaluate_partitions: partition 0: expected a path"):
        fold_partitions(plan, [3], lambda obs: _RowCount(), _RowCount(), name="evaluate_partitions")


# k of n: teachers >= 30 (小学) / 20 (初中) and rate >= 60 / 50; at least 1 of the 2, the other at least 85%
KOFN: dict[str, Any] = {
    "level": "district",
    "indicators": ["teachers", "rate"],
    "criteria": {"小学": [(">=", 30.0), (">=", 60.0)], "初中": [(">=", 20.0), (">=", 50.0)]},
    "k": 1,
    "floor": 0.85,
}


def k_of_n_by_hand(frame: pd.DataFrame, year: int) -> float:
    """The share of schools passing KOFN in `year` (no missing values): odd schools are 小学."""
    passing = 0
    schools = sorted(set(frame["entity"]))
    for school in schools:
        rows = frame[(frame["entity"] == school) & (frame["year"] == year)].set_index("indicator")["value"]
        t = (30.0, 60.0) if int(school[1:]) % 2 else (20.0, 50.0)
        x = (float(rows["teachers"]), float(rows["rate"]))
        met = [v >= th for v, th in zip(x, t)]
        passing += sum(met) >= 1 and all(m or v >= 0.85 * th for m, v, th in zip(met, x, t))
    return passing / len(schools)


def assert_same_arrays(a: dict[str, Any], b: dict[str, Any]) -> None:
    assert sorted(a) == sorted(b)
    for key in a:
        if isinstance(a[key], np.ndarray) and a[key].dtype.kind == "f":
            np.testing.assert_allclose(a[key], b[key], rtol=1e-12, atol=0, equal_nan=True)
        elif isinstance(a[key], np.ndarray):
            np.testing.assert_array_equal(a[key], b[key])
        else:
            assert a[key] == b[key]


def test_k_of_n_in_parts_equals_the_in_memory_share(plan: Plan, tmp_path: Path) -> None:
    frame = make_frame(seed=9)
    frame["value"] = frame["value"].fillna(frame["indicator"].map({"teachers": 40, "rate": 40, "passed": 1}))
    # no missing values: the share by hand below
    obs, _ = planeval.observations_from_frame(plan, frame, add_entities=False)
    expected = plan.rollup_k_of_n(obs, **KOFN)
    write_parts(frame, tmp_path / "pq", 5, ".parquet")  # by school: a unit's rows in one file
    timings: dict[str, float] = {}
    got = planeval.rollup_k_of_n_partitions(plan, tmp_path / "pq", timings=timings, **KOFN)
    assert_same_arrays(got, expected)
    assert timings["partitions"] == 5.0
    assert set(timings) == {"read", "states", "merge", "finalise", "partitions"}
    at = list(got["period_year"]).index(2020)
    assert got["share"][at] == pytest.approx(k_of_n_by_hand(frame, 2020), rel=1e-15)
    assert got["units"][at] == 24
    by_year = [piece for _, piece in frame.groupby("year")]  # a unit is one school in one year
    assert_same_arrays(planeval.rollup_k_of_n_partitions(plan, by_year, **KOFN), expected)
    # a school's teachers in one part and its rates in another: both judge the unit
    by_indicator = [piece for _, piece in frame.groupby("indicator")]
    with pytest.raises(DataError):
        planeval.rollup_k_of_n_partitions(plan, by_indicator, **KOFN)
