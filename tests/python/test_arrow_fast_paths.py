"""observations_from_arrow's fast pass (rows whose cells all read, taken without the GIL) and its
integer codes (a table by value for a small range of integers): rows it leaves to the exact rules
(new entities, rejections, blank cells, flags that are not booleans) interleaved with rows it takes
must give what one pass of the exact rules gives, which is what the pandas route gives."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pytest

import planeval
from planeval import DataError, IngestReport, Observations

pa = pytest.importorskip("pyarrow")

from conftest import MINI_PLAN  # noqa: E402

# MINI_PLAN: indicators teachers (0, count), rate (1, %), passed (2, boolean), posts (3);
# entities d (0), s1 (1); data window 2020-01-01 .. 2025-12-31
D2021 = 18628  # days from 1970-01-01 to 2021-01-01: 51·365 + 13 leap days
D2022 = D2021 + 365
D2023 = D2022 + 365
Result = tuple[Observations, IngestReport]


def routes(table: Any, **options: Any) -> tuple[Result, Result]:
    """(the Arrow route, the pandas route on table.to_pandas()), each on a fresh plan."""
    arrow = planeval.observations_from_arrow(planeval.parse_plan(MINI_PLAN), table, **options)
    frame = planeval.observations_from_frame(planeval.parse_plan(MINI_PLAN), table.to_pandas(), **options)
    return arrow, frame


def assert_same(a: Result, b: Result) -> None:
    (oa, ra), (ob, rb) = a, b
    for name in ("indicator", "entity", "start", "end", "value", "flags"):
        np.testing.assert_array_equal(getattr(oa, name), getattr(ob, name), err_msg=name)
    assert (oa.weight is None) == (ob.weight is None)
    if oa.weight is not None:
        np.testing.assert_array_equal(oa.weight, ob.weight)
    assert list(ra.rejected) == list(rb.rejected)
    assert [(n.code, n.rows) for n in ra.notes] == [(n.code, n.rows) for n in rb.notes]
    for name in ("rows", "accepted", "duplicates", "missing", "added_entities"):
        assert getattr(ra, name) == getattr(rb, name), name


def days(obs: Observations) -> list[int]:
    return [int(x) for x in np.asarray(obs.start).astype("datetime64[D]").astype(np.int64)]


def test_dictionary_columns_with_rows_left_to_the_exact_rules() -> None:
    # the W1 layout (dictionary-encoded ids, int32 year, float64 value and weight) with rows the
    # fast pass leaves: row 1 adds new1 under s1, so row 2 (new1 again, unknown when the pass ran)
    # is accepted after it; rows 3, 4, 6 and 7 are rejected in row order
    table = pa.table(
        {
            "indicator": pa.array(
                [
                    "teachers",
                    "teachers",
                    "rate",
                    "nope",
                    "passed",
                    "teachers",
                    "teachers",
                    "teachers",
                    "passed",
                ]
            ).dictionary_encode(),
            "entity": pa.array(["d", "new1", "new1", "d", "s1", "s1", "s1", "s1", "d"]).dictionary_encode(),
            "year": pa.array([2021, 2021, 2022, 2021, 2021, 2021, 2022, None, 2023], pa.int32()),
            "value": pa.array([10.0, 5.0, 50.0, 1.0, 2.0, None, 7.0, 1.0, 1.0]),
            "weight": pa.array([1.0, 2.0, 3.0, 1.0, 1.0, 1.0, None, 1.0, 4.0]),
            "parent": pa.array([None, "s1", None, None, None, None, None, None, None], pa.string()),
            "entity_name": pa.array([None, "新学校", None, None, None, None, None, None, None], pa.string()),
            "stage": pa.array([None, "小学", None, None, None, None, None, None, None], pa.string()),
        }
    )
    arrow, frame = routes(table, on_bad_row="collect")
    assert_same(arrow, frame)
    obs, report = arrow
    assert report.added_entities == ["new1"]
    # accepted rows 0, 1, 2, 5, 8; new1 is entity 2; row 5's value is missing (not 0 as data)
    assert list(obs.indicator) == [0, 0, 1, 0, 2]
    assert list(obs.entity) == [0, 2, 2, 1, 0]
    assert days(obs) == [D2021, D2021, D2022, D2021, D2023]
    assert list(obs.value) == [10.0, 5.0, 50.0, 0.0, 1.0]
    assert list(obs.missing) == [False, False, False, True, False]
    assert obs.weight is not None and list(obs.weight) == [1.0, 2.0, 3.0, 1.0, 4.0]
    assert [(r.row, r.column) for r in report.rejected] == [
        (3, "indicator"),
        (4, "value"),
        (6, "weight"),
        (7, "year"),
    ]
    assert report.rejected[0].message == 'unknown indicator "nope"'
    assert report.rejected[3].message == 'expected a year (YYYY), got ""'
    assert (report.rows, report.accepted, report.missing) == (9, 5, 1)
    # raise mode: the first row rejected, as the pandas route names it
    with pytest.raises(DataError) as e:
        planeval.observations_from_arrow(planeval.parse_plan(MINI_PLAN), table)
    assert str(e.value) == 'pyarrow Table: row 3, column indicator: unknown indicator "nope"'


@pytest.mark.parametrize("type_", ["int8", "uint16", "int32", "int64", "uint64"])
def test_integer_years_over_batches_nulls_and_a_wide_range(type_: str) -> None:
    # two batches: the first has years 2021, 2022 and a null (a small range: codes by table), the
    # second 2023, 100 and 2021 (100 to 2023 is a small range too); the int64 and uint64 variants
    # add 300000 to the second batch, whose range then takes the hash map. The same year keeps one
    # code across batches. 100 and 300000 are no four-digit year: rejected, as the null is.
    second = [2023, 100, 2021] if type_ not in ("int64", "uint64") else [2023, 300000, 2021]
    if type_ == "int8":  # int8 holds no year: every row is rejected, 20 and 21 as "20" and "21"
        first, second = [20, 21, None], [22, 100, 20]
    else:
        first = [2021, 2022, None]
    schema = pa.schema(
        [
            ("indicator", pa.string()),
            ("entity", pa.string()),
            ("year", getattr(pa, type_)()),
            ("value", pa.float64()),
        ]
    )
    batches = [
        pa.record_batch(
            [["teachers"] * 3, ["d", "d", "s1"], pa.array(first, getattr(pa, type_)()), [1.0, 2.0, 3.0]],
            schema=schema,
        ),
        pa.record_batch(
            [["teachers"] * 3, ["s1", "s1", "s1"], pa.array(second, getattr(pa, type_)()), [4.0, 5.0, 6.0]],
            schema=schema,
        ),
    ]
    table = pa.Table.from_batches(batches)
    arrow, frame = routes(table, on_bad_row="collect")
    assert_same(arrow, frame)
    obs, report = arrow
    if type_ == "int8":
        assert len(obs) == 0 and [r.row for r in report.rejected] == [0, 1, 2, 3, 4, 5]
        assert report.rejected[0].message == 'expected a year (YYYY), got "20"'
        return
    assert days(obs) == [D2021, D2022, D2023, D2021]
    assert list(obs.value) == [1.0, 2.0, 4.0, 6.0]
    bad = "300000" if type_ in ("int64", "uint64") else "100"
    assert [(r.row, r.message) for r in report.rejected] == [
        (2, 'expected a year (YYYY), got ""'),
        (4, f'expected a year (YYYY), got "{bad}"'),
    ]


def test_dates_flags_and_missing_column() -> None:
    # a date32 column (read as day numbers), flags as text: row 1's date is before 1400 (no date a
    # text cell can hold), row 2's estimated cell is no boolean; row 3 is marked missing
    table = pa.table(
        {
            "indicator": ["teachers", "teachers", "teachers", "rate"],
            "entity": ["d", "d", "s1", "s1"],
            "date": pa.array(
                [dt.date(2021, 3, 1), dt.date(1300, 1, 1), dt.date(2021, 3, 2), dt.date(2021, 3, 3)]
            ),
            "value": [1.0, 2.0, 3.0, 4.0],
            "estimated": ["true", "false", "maybe", "true"],
            "missing": [False, False, False, True],
        }
    )
    arrow, frame = routes(table, on_bad_row="collect")
    assert_same(arrow, frame)
    obs, report = arrow
    # 2021-03-01 is day D2021 + 31 + 28; 2021-03-03 two days later
    assert days(obs) == [D2021 + 59, D2021 + 61]
    assert list(obs.value) == [1.0, 0.0]  # a missing value holds 0, flagged missing
    assert list(obs.flags) == [2, 3]  # estimated (2); missing (1) and estimated
    assert [(r.row, r.column) for r in report.rejected] == [(1, "date"), (2, "estimated")]
    assert report.rejected[1].message == 'expected true or false, got "maybe"'


def test_blank_rows_among_fast_rows() -> None:
    # rows 1 and 3 hold nothing (every cell null): skipped and noted, not counted as rows
    table = pa.table(
        {
            "indicator": pa.array(["teachers", None, "teachers", None, "teachers"]).dictionary_encode(),
            "entity": pa.array(["d", None, "s1", None, "d"]).dictionary_encode(),
            "year": pa.array([2021, None, 2021, None, 2022], pa.int32()),
            "value": pa.array([1.0, None, 2.0, None, 3.0]),
            "weight": pa.array([1.0, None, 1.0, None, 1.0]),
        }
    )
    arrow, frame = routes(table, on_bad_row="collect")
    assert_same(arrow, frame)
    obs, report = arrow
    assert list(obs.value) == [1.0, 2.0, 3.0] and list(obs.entity) == [0, 1, 0]
    assert report.rows == 3 and [(n.code, n.rows) for n in report.notes] == [("blank_rows", [1, 3])]
