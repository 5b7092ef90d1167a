"""Observations: numpy columns without copies, conversions with range checks, string ids, every kind
of bad row (collected and raised), CSV files and DataFrames in, the report's accounting."""

from __future__ import annotations

import datetime as dt
import pickle
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import planeval
from planeval import DataError, Error, IngestReport, Observations, Plan, Rejection

D2021 = 18628  # days from 1970-01-01 to 2021-01-01: 51·365 + 13 leap days
E2021 = D2021 + 364  # 2021-12-31


@pytest.fixture
def plan(mini_text: str) -> Plan:
    # indicators: teachers (0, count), rate (1, %), passed (2, boolean), posts (3, shares);
    # entities: d (0, district), s1 (1, its 小学 stage); data window 2020-01-01 .. 2025-12-31
    return planeval.parse_plan(mini_text)


def accounted(report: IngestReport) -> None:
    """Every row is accepted, an identical duplicate, or rejected."""
    assert report.rows == report.accepted + report.duplicates + len(report.rejected)


def columns(n: int = 3) -> dict[str, Any]:
    return {
        "indicator": np.zeros(n, dtype=np.uint32),
        "entity": np.arange(n, dtype=np.uint32) % 2,
        "start": np.full(n, D2021, dtype=np.int32),
        "end": np.full(n, E2021, dtype=np.int32),
        "value": np.arange(n, dtype=np.float64),
        "weight": np.ones(n, dtype=np.float64),
        "flags": np.zeros(n, dtype=np.uint8),
    }


# --- Observations: zero copy and conversions --------------------------------------------------------


def test_matching_dtypes_are_used_without_copying() -> None:
    cols = columns()
    obs = Observations(**cols)
    assert len(obs) == 3
    for name, array in cols.items():
        view = getattr(obs, name)
        assert np.shares_memory(view, array), name
        assert not view.flags.writeable, name
    assert obs.borrowed  # reads the caller's writable arrays
    assert repr(obs) == "Observations(rows=3, weight=True, borrowed=True)"
    # the view reads the caller's memory: a change shows (hence: treat the inputs as read-only)
    cols["value"][0] = 42.0
    assert obs.value[0] == 42.0


def test_copies_own_their_data_and_cannot_be_made_writable() -> None:
    cols = columns()
    obs = Observations(**cols).copy()
    assert not obs.borrowed
    assert not np.shares_memory(obs.value, cols["value"])
    with pytest.raises(ValueError, match="cannot set WRITEABLE flag"):
        obs.value.flags.writeable = True
    assert not Observations(**cols, copy=True).borrowed
    # observations made from another Observations' views are not borrowed either: nothing can write them
    again = Observations(obs.indicator, obs.entity, obs.start, obs.end, obs.value, obs.weight, obs.flags)
    assert not again.borrowed and np.shares_memory(again.value, obs.value)


def test_other_dtypes_are_converted_once() -> None:
    obs = Observations(
        indicator=[0, 1],  # Python ints: int64, range-checked into uint32
        entity=np.array([1, 0], dtype=np.int16),
        start=np.array(["2021-01-01", "2021-06-30"], dtype="datetime64[D]"),
        end=[dt.date(2021, 12, 31), dt.date(2021, 6, 30)],  # date objects
        value=np.array([1, 2], dtype=np.int32),
        flags=np.array([0, 1], dtype=np.int64),
    )
    assert obs.indicator.dtype == np.uint32 and list(obs.indicator) == [0, 1]
    assert list(obs.start) == [D2021, D2021 + 180]
    assert list(obs.end) == [E2021, D2021 + 180]
    assert obs.value.dtype == np.float64 and list(obs.value) == [1.0, 2.0]
    assert obs.weight is None
    assert list(obs.missing) == [False, True]
    assert not obs.borrowed
    # a strided view of the right dtype is copied, not borrowed
    v = np.arange(6, dtype=np.float64)[::2]
    strided = Observations(
        np.zeros(3, np.uint32), np.zeros(3, np.uint32), np.zeros(3, np.int32), np.zeros(3, np.int32), v
    )
    assert not np.shares_memory(strided.value, v) and list(strided.value) == [0.0, 2.0, 4.0]


@pytest.mark.parametrize(
    ("name", "bad", "message"),
    [
        (
            "indicator",
            np.array([0, 2**32], dtype=np.int64),
            r"column indicator: row 1 holds 4294967296, outside the range of uint32 \(0 to 4294967295\)",
        ),
        (
            "entity",
            np.array([-1, 0], dtype=np.int64),
            "column entity: row 0 holds -1, outside the range of uint32",
        ),
        (
            "start",
            np.array([0, 2**31], dtype=np.int64),
            "column start: row 1 holds 2147483648, outside the range of int32",
        ),
        ("flags", np.array([0, 256]), "column flags: row 1 holds 256, outside the range of uint8"),
        (
            "indicator",
            np.array([0.0, 1.0]),
            "column indicator: expected plan indicator indices .uint32., got dtype float64",
        ),
        ("flags", np.array([False, True]), "column flags: expected flag bits"),
        ("end", np.array(["2021-01-01", "NaT"], dtype="datetime64[D]"), "column end: row 1 is NaT"),
        ("value", np.array(["a", "b"]), "column value: expected numbers, got dtype <U1"),
        ("weight", np.zeros((2, 1)), "column weight: expected a 1-D array, got 2 dimensions"),
        (
            "entity",
            np.zeros(3, dtype=np.uint32),
            r"column entity has 3 rows, expected 2 \(the length of indicator\)",
        ),
    ],
)
def test_conversion_errors_name_the_column_and_row(name: str, bad: Any, message: str) -> None:
    cols = columns(2)
    cols[name] = bad
    with pytest.raises(DataError, match=message):
        Observations(**cols)


def test_observations_pickle() -> None:
    obs = Observations(**columns())
    back = pickle.loads(pickle.dumps(obs))
    assert not back.borrowed
    for name in ("indicator", "entity", "start", "end", "value", "weight", "flags"):
        np.testing.assert_array_equal(getattr(back, name), getattr(obs, name))


# --- observations_from_arrays ----------------------------------------------------------------------


def test_string_ids_years_and_masks(plan: Plan) -> None:
    obs, report = planeval.observations_from_arrays(
        plan,
        indicator=np.array(["teachers", "rate", "teachers"]),  # numpy unicode
        entity=pd.Series(["s1", "d", "d"], dtype=object).to_numpy(),  # Python str objects
        year=[2021, 2021, 2022],
        value=[70.0, 99.5, float("nan")],
        weight=[1.0, 300.0, 1.0],
        missing=[False, False, True],  # the NaN is a value not reported
        estimated=[False, True, False],
    )
    assert repr(report) == "IngestReport(rows=3, accepted=3, duplicates=0, rejected=0)"
    assert report.missing == 1
    assert list(obs.indicator) == [0, 1, 0] and list(obs.entity) == [1, 0, 0]
    assert list(obs.start) == [D2021, D2021, E2021 + 1] and list(obs.end) == [E2021, E2021, E2021 + 365]
    assert list(obs.flags) == [0, 2, 1]
    assert not obs.borrowed  # the kept rows are copied into arrays the Observations owns
    frame = obs.to_frame(plan)
    assert list(frame.columns) == [
        "indicator",
        "entity",
        "start",
        "end",
        "value",
        "missing",
        "weight",
        "estimated",
        "provisional",
    ]
    assert list(frame["indicator"]) == ["teachers", "rate", "teachers"]
    assert frame["start"].iloc[2] == pd.Timestamp("2022-01-01")
    assert np.isnan(frame["value"].iloc[2]) and list(frame["missing"]) == [False, False, True]
    assert list(frame["estimated"]) == [False, True, False]


def test_dates_and_periods(plan: Plan) -> None:
    # a date is a one-day period; "2021" as a date is its last day (as in CSV files)
    obs, _ = planeval.observations_from_arrays(
        plan,
        indicator=["teachers"] * 4,
        entity=["d"] * 4,
        value=[1.0, 2.0, 3.0, 4.0],
        date=np.array(
            [dt.date(2021, 3, 31), "2021-06-30", "2021", pd.Timestamp("2022-01-05 13:00")], dtype=object
        ),
    )
    assert list(obs.start) == list(obs.end) == [D2021 + 89, D2021 + 180, E2021, E2021 + 5]
    obs, _ = planeval.observations_from_arrays(
        plan,
        indicator=["teachers"],
        entity=["d"],
        value=[1.0],
        start=np.array(["2021-09-01"], dtype="datetime64[D]"),
        end=np.array(["2022-08-31"], dtype="datetime64[D]"),
    )
    assert (obs.start[0], obs.end[0]) == (D2021 + 243, D2021 + 607)
    with pytest.raises(TypeError, match="exactly one of year=, date= or start= and end="):
        planeval.observations_from_arrays(plan, indicator=["teachers"], entity=["d"], value=[1.0])
    with pytest.raises(TypeError, match="exactly one of"):
        planeval.observations_from_arrays(
            plan, indicator=["teachers"], entity=["d"], value=[1.0], year=[2021], date=["2021-01-01"]
        )
    with pytest.raises(TypeError, match="start= and end= together"):
        planeval.observations_from_arrays(
            plan, indicator=["teachers"], entity=["d"], value=[1.0], start=[D2021]
        )
    with pytest.raises(DataError, match="give calendar years as year="):
        planeval.observations_from_arrays(
            plan, indicator=["teachers"], entity=["d"], value=[1.0], date=[2021]
        )
    with pytest.raises(Error, match='on_bad_row: expected "raise" or "collect", got "ignore"'):
        planeval.observations_from_arrays(
            plan, indicator=["teachers"], entity=["d"], value=[1.0], year=[2021], on_bad_row="ignore"
        )


GOOD: dict[str, Any] = {"indicator": "teachers", "entity": "s1", "year": 2021, "value": 70.0, "weight": 1.0}

# One bad row after a good one: (what changes, reason, column, message).
BAD_ROWS = [
    ({"indicator": "ratee"}, "unknown_indicator", "indicator", 'unknown indicator "ratee"'),
    ({"entity": "nowhere"}, "unknown_entity", "entity", 'unknown entity "nowhere"'),
    ({"entity": None}, "unknown_entity", "entity", r"expected an entity id \(a string\), got None"),
    ({"year": 20210}, "bad_date", "year", "expected a year from 1400 to 9999, got 20210"),
    ({"year": float("nan")}, "bad_date", "year", r"expected a year \(YYYY\), got a missing value"),
    (  # history before the plan is data (2019 is accepted): the window opens in 1900
        {"year": 1899},
        "outside_horizon",
        "year",
        r"expected a date within 1900-01-01..2025-12-31 \(up to the end of the plan horizon\), "
        r"got 1899-01-01..1899-12-31",
    ),
    ({"year": 2026}, "outside_horizon", "year", "got 2026-01-01..2026-12-31"),
    ({"value": float("inf")}, "non_finite", "value", r"expected a finite number, got inf \(mark a value not"),
    ({"value": float("nan")}, "non_finite", "value", "expected a finite number, got nan"),
    ({"value": -3.0}, "negative_count", "value", 'expected a count >= 0 for "teachers", got -3'),
    (
        {"indicator": "rate", "value": 120.0},
        "out_of_range",
        "value",
        'expected a percentage from 0 to 100 for "rate", got 120',
    ),
    (
        {"indicator": "passed", "value": 2.0},
        "out_of_range",
        "value",
        'expected 0 or 1 .false or true. for boolean "passed", got 2',
    ),
    ({"weight": -1.0}, "bad_weight", "weight", "expected a finite weight >= 0, got -1"),
    (
        {"value": 71.0},
        "duplicate_conflict",
        "value",
        r"the same indicator, entity and period as row 1 with a different value \(70\)",
    ),
]


def arrays_of(rows: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        key: np.array([r[key] for r in rows], dtype=object if key in ("indicator", "entity") else None)
        for key in GOOD
    }


@pytest.mark.parametrize(("change", "reason", "column", "message"), BAD_ROWS)
def test_every_bad_row_collected_and_raised(
    plan: Plan, change: dict[str, Any], reason: str, column: str, message: str
) -> None:
    rows = [GOOD, {**GOOD, **change}]
    obs, report = planeval.observations_from_arrays(plan, **arrays_of(rows), on_bad_row="collect")
    accounted(report)
    assert report.rows == 2
    if reason == "duplicate_conflict":
        # both rows share a key with different values: both are rejected, no silent choice
        assert [r.reason for r in report.rejected] == [reason, reason] and len(obs) == 0
        rejection = report.rejected[0]
        assert rejection.row == 0
    else:
        assert report.accepted == 1 and len(obs) == 1
        (rejection,) = report.rejected
        assert rejection.row == 1
    assert (rejection.reason, rejection.column) == (reason, column)
    assert re.search(message, rejection.message), rejection.message
    # raise: the first bad row, worded as check_observations words it
    with pytest.raises(DataError, match=f"^row {rejection.row}, column {column}: "):
        planeval.observations_from_arrays(plan, **arrays_of(rows))


def test_integer_codes_are_checked_by_the_plan(plan: Plan) -> None:
    _, report = planeval.observations_from_arrays(
        plan, indicator=[0, 99], entity=[1, 1], year=[2021, 2022], value=[1.0, 2.0], on_bad_row="collect"
    )
    accounted(report)
    assert report.rejected == [
        Rejection(1, "indicator", "unknown_indicator", "expected an indicator index below 4, got 99")
    ]
    with pytest.raises(DataError, match="column indicator: row 1 holds -1"):
        planeval.observations_from_arrays(
            plan, indicator=[0, -1], entity=[1, 1], year=[2021, 2022], value=[1.0, 2.0]
        )


def test_identical_repeats_are_counted_once(plan: Plan) -> None:
    rows = [GOOD, {**GOOD, "year": 2022}, GOOD, GOOD]
    obs, report = planeval.observations_from_arrays(plan, **arrays_of(rows))
    accounted(report)
    assert (report.accepted, report.duplicates, report.duplicate_rows) == (2, 2, [2, 3])
    assert len(obs) == 2
    frame = report.to_frame(include_duplicates=True)
    assert list(frame["reason"]) == ["duplicate", "duplicate"] and list(frame["row"]) == [2, 3]
    assert len(report.to_frame()) == 0


def test_report_values(plan: Plan) -> None:
    rows = [GOOD, {**GOOD, "entity": "x"}, {**GOOD, "value": -1.0, "year": 2022}, GOOD]
    _, report = planeval.observations_from_arrays(plan, **arrays_of(rows), on_bad_row="collect")
    accounted(report)
    assert repr(report) == "IngestReport(rows=4, accepted=1, duplicates=1, rejected=2)"
    frame = report.to_frame()
    assert list(frame.columns) == ["row", "column", "reason", "message"]
    assert list(frame["reason"]) == ["unknown_entity", "negative_count"]
    assert pickle.loads(pickle.dumps(report)) == report
    r = report.rejected[0]
    assert pickle.loads(pickle.dumps(r, protocol=0)) == r
    assert (
        repr(r)
        == "Rejection(row=1, column='entity', reason='unknown_entity', message='unknown entity \"x\"')"
    )


# --- CSV files --------------------------------------------------------------------------------------

CSV = (
    "indicator,entity,year,value,weight,parent,entity_name,stage,estimated\n"
    "teachers,s1,2021,70,1,,,,\n"  # row 0 ok
    "teachers,school_a,2021,12,300,s1,第一小学,小学,\n"  # row 1: a new school under s1
    "teachers,school_a,2022,,300,s1,第一小学,小学,\n"  # row 2: missing value, kept
    "teachers,school_b,2021,3,10,,,,\n"  # row 3: unknown entity, no parent
    "ratee,d,2021,5,1,,,,\n"  # row 4: unknown indicator
    "rate,d,20x1,5,1,,,,\n"  # row 5: bad year
    "rate,d,2021,abc,1,,,,\n"  # row 6: wrong type
    "rate,d,2021,95.5,1,,,,true\n"  # row 7: ok, estimated
    "rate,d,2021,95.5,1,,,,true\n"  # row 8: identical repeat of row 7
    "passed,d,2022,true,1,,,,\n"  # row 9: boolean
    "teachers,school_a,2026,12,300,,,,\n"  # row 10: after the horizon
)


def test_csv_with_bom_and_new_entities(plan: Plan, tmp_path: Path) -> None:
    path = tmp_path / "data.csv"
    path.write_bytes(b"\xef\xbb\xbf" + CSV.encode("utf-8"))
    obs, report = planeval.read_csv(plan, path, on_bad_row="collect")
    accounted(report)
    assert repr(report) == "IngestReport(rows=11, accepted=5, duplicates=1, rejected=5)"
    assert report.duplicate_rows == [8] and report.missing == 1
    assert report.added_entities == ["school_a"]
    school = plan.entity("school_a")
    assert (school.parent, school.name_zh, school.stage, school.kind) == ("s1", "第一小学", "小学", "school")
    assert [(r.row, r.reason, r.column) for r in report.rejected] == [
        (3, "unknown_entity", "entity"),
        (4, "unknown_indicator", "indicator"),
        (5, "bad_date", "year"),
        (6, "wrong_type", "value"),
        (10, "outside_horizon", "year"),
    ]
    assert list(obs.value) == [70.0, 12.0, 0.0, 95.5, 1.0]
    assert list(obs.flags) == [0, 0, 1, 2, 0]
    assert list(obs.weight) == [1.0, 300.0, 300.0, 1.0, 1.0]  # type: ignore[arg-type]


def test_csv_raises_with_the_line(plan: Plan, tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("indicator,entity,year,value\nteachers,d,2021,7\nteachers,d,2022,-1\n", encoding="utf-8")
    with pytest.raises(
        DataError, match=r'bad.csv: line 3, column value: expected a count >= 0 for "teachers"'
    ):
        planeval.read_csv(plan, str(path))
    with pytest.raises(DataError, match="cannot open the data file"):
        planeval.read_csv(plan, tmp_path / "missing.csv")
    path.write_text("indicator,entity,year,value,parent\nteachers,new,2021,7,nowhere\n", encoding="utf-8")
    _, report = planeval.read_csv(plan, path, on_bad_row="collect")
    assert [(r.reason, r.column) for r in report.rejected] == [("missing_parent", "parent")]
    _, report = planeval.read_csv(plan, path, on_bad_row="collect", add_entities=False)
    assert [r.reason for r in report.rejected] == ["unknown_entity"]


# --- DataFrames -------------------------------------------------------------------------------------


def test_dataframe_in(plan: Plan) -> None:
    df = pd.DataFrame(
        {
            "indicator": ["teachers", "teachers", "rate", "rate", "teachers"],
            "entity": ["s1", "school_a", "d", "d", "school_a"],
            # a year column with a gap reads as float64: 2021.0 must still be year 2021
            "year": [2021.0, 2021.0, 2021.0, np.nan, 2022.0],
            "value": [70, 12.5, 95.5, 80, np.nan],  # NaN: not reported
            "weight": pd.array([1, 300, None, 1, 300], dtype="Int64"),  # pandas' nullable ints
            "estimated": [False, False, True, False, False],
            "parent": [None, "s1", None, None, "s1"],
            "students": [np.nan, 300.0, np.nan, np.nan, 300.0],
            "comment": ["ignored"] * 5,
        },
        index=["a", "b", "c", "d", "e"],
    )
    obs, report = planeval.observations_from_frame(plan, df, on_bad_row="collect")
    accounted(report)
    assert report.added_entities == ["school_a"] and plan.entity("school_a").students == 300.0
    # row 2 ("c") has no weight: the weight column's missing cell is not a number; row 3 ("d") no year
    assert [(r.row, r.reason, r.column) for r in report.rejected] == [
        (2, "bad_weight", "weight"),
        (3, "bad_date", "year"),
    ]
    assert report.accepted == 3 and report.missing == 1
    assert list(obs.value[:2]) == [70.0, 12.5]
    assert list(obs.start) == [D2021, D2021, E2021 + 1]
    # raise: the message names the index label of the row
    with pytest.raises(DataError, match=r"^DataFrame: row 2 \(index 'c'\), column weight: expected a number"):
        planeval.observations_from_frame(plan, df)


def test_dataframe_columns_are_checked(plan: Plan) -> None:
    with pytest.raises(DataError, match='missing column "value"'):
        planeval.observations_from_frame(
            plan, pd.DataFrame({"indicator": ["x"], "entity": ["d"], "year": [2021]})
        )
    with pytest.raises(DataError, match='exactly one of the columns "date", "period" or "year"'):
        planeval.observations_from_frame(
            plan,
            pd.DataFrame(
                {"indicator": ["x"], "entity": ["d"], "value": [1], "year": [2021], "date": ["2021"]}
            ),
        )
    with pytest.raises(TypeError, match="expected a pandas DataFrame"):
        planeval.observations_from_frame(plan, {"indicator": ["x"]})  # type: ignore[arg-type]


def test_dataframe_dates_periods_and_flags(plan: Plan) -> None:
    df = pd.DataFrame(
        {
            "indicator": ["teachers", "teachers", "passed"],
            "entity": ["d", "d", "d"],
            "date": pd.to_datetime(["2021-03-31", "2021-09-30", "2022-12-31"]),
            "value": [10, 12, True],
            "provisional": pd.array([True, None, False], dtype="boolean"),
        }
    )
    obs, report = planeval.observations_from_frame(plan, df)
    assert report.accepted == 3
    assert list(obs.start) == [D2021 + 89, D2021 + 272, E2021 + 365]
    assert list(obs.provisional) == [True, False, False]
    assert obs.value[2] == 1.0  # True for a boolean indicator
    periods = pd.DataFrame(
        {"indicator": ["teachers"], "entity": ["d"], "period": ["2021/2022"], "value": [3]}
    )
    obs, _ = planeval.observations_from_frame(plan, periods)
    assert (obs.start[0], obs.end[0]) == (D2021 + 243, D2021 + 607)  # 2021-09-01 .. 2022-08-31


def test_ingest_notes_are_kept_compared_and_pickled() -> None:
    plan = planeval.example_plan()
    _, report = planeval.observations_from_arrays(
        plan, indicator=["full_time_teacher_count"], entity=["baijiantan"], year=[2021], value=[1.0]
    )
    assert report.notes == []
    note = planeval.IngestNote("sheet_skipped", "sheet X: not read", "工作表 X 未读取", [3, 4])
    report.add_note(note)
    assert [n.code for n in report.notes] == ["sheet_skipped"]
    assert report.notes[0].rows == [3, 4] and report.notes[0].message_zh == "工作表 X 未读取"
    assert "notes=1" in repr(report)
    again = pickle.loads(pickle.dumps(report))
    assert again == report and again.notes == [note]
    assert pickle.loads(pickle.dumps(note)) == note
