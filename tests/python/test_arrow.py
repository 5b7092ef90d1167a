"""Observations from Arrow streams (polars, pyarrow, DuckDB) and Parquet files: read in C++ from the
Arrow buffers, with the same result as the pandas route (observations_from_frame on the same data as
a pandas DataFrame): the same Observations, report counts and rejection messages with row numbers."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import planeval
from planeval import DataError, IngestReport, Observations, Plan

pa = pytest.importorskip("pyarrow")
pl = pytest.importorskip("polars")
pq = pytest.importorskip("pyarrow.parquet")

from conftest import MINI_PLAN  # noqa: E402

D2021 = 18628  # days from 1970-01-01 to 2021-01-01: 51·365 + 13 leap days
E2021 = D2021 + 364  # 2021-12-31


@pytest.fixture
def plan() -> Plan:
    # indicators: teachers (0, count), rate (1, %), passed (2, boolean), posts (3, shares);
    # entities: d (0, district), s1 (1, its 小学 stage); data window 2020-01-01 .. 2025-12-31
    return planeval.parse_plan(MINI_PLAN)


Result = tuple[Observations, IngestReport]


def assert_same(a: Result, b: Result) -> None:
    """The same observations and the same report (counts, rejections, duplicates, added entities)."""
    (oa, ra), (ob, rb) = a, b
    for name in ("indicator", "entity", "start", "end", "value", "flags"):
        np.testing.assert_array_equal(getattr(oa, name), getattr(ob, name), err_msg=name)
    assert (oa.weight is None) == (ob.weight is None)
    assert [(n.code, n.rows) for n in ra.notes] == [(n.code, n.rows) for n in rb.notes]
    if oa.weight is not None:
        np.testing.assert_array_equal(oa.weight, ob.weight)
    assert list(ra.rejected) == list(rb.rejected)
    for name in (
        "rows",
        "accepted",
        "duplicates",
        "missing",
        "duplicate_rows",
        "added_entities",
        "calendar_years",
    ):
        assert getattr(ra, name) == getattr(rb, name), name


def both_routes(data: Any, to_pandas: Any = None, **options: Any) -> tuple[Result, Result]:
    """(the Arrow route, the pandas route), each on a fresh plan (new entities change the plan)."""
    arrow = planeval.observations_from_arrow(planeval.parse_plan(MINI_PLAN), data, **options)
    frame = to_pandas(data) if to_pandas else data.to_pandas()
    via_pandas = planeval.observations_from_frame(planeval.parse_plan(MINI_PLAN), frame, **options)
    return arrow, via_pandas


def raised(fn: Any) -> str:
    with pytest.raises(DataError) as e:
        fn()
    return str(e.value)


# --- polars ------------------------------------------------------------------------------------


def polars_frame() -> Any:
    return pl.DataFrame(
        {
            "indicator": ["teachers", "teachers", "rate", "rate", "teachers", None, "nope"],
            "entity": ["s1", "school_a", "d", "d", "school_a", "d", "d"],
            # a year column with a gap: 2021.0 is year 2021, a null year rejects its row
            "year": [2021.0, 2021.0, 2021.0, None, 2022.0, 2021.0, 2021.0],
            "value": [70.0, 12.5, 95.5, 80.0, None, 3.0, 1.0],  # null: not reported
            "weight": [1, 300, None, 1, 300, 1, 1],
            "estimated": [False, False, True, False, False, False, False],
            "parent": [None, "s1", None, None, "s1", None, None],
            "students": [None, 300.0, None, None, 300.0, None, None],
            "comment": ["ignored"] * 7,
        }
    )


def test_polars_frame_as_pandas_reads_it(plan: Plan) -> None:
    df = polars_frame()
    obs, report = planeval.observations_from_frame(plan, df, on_bad_row="collect")
    # row 2 has no weight, row 3 no year, row 5 no indicator (a null id), row 6 an unknown one
    assert [(r.row, r.column, r.reason, r.message) for r in report.rejected] == [
        (2, "weight", "bad_weight", 'expected a number, got ""'),
        (3, "year", "bad_date", 'expected a year (YYYY), got ""'),
        (5, "indicator", "unknown_indicator", 'unknown indicator ""'),
        (6, "indicator", "unknown_indicator", 'unknown indicator "nope"'),
    ]
    assert (report.rows, report.accepted, report.missing) == (7, 3, 1)
    assert report.added_entities == ["school_a"] and plan.entity("school_a").students == 300.0
    assert list(obs.value) == [70.0, 12.5, 0.0]  # the missing value is stored as 0 and flagged
    assert list(obs.missing) == [False, False, True]
    assert list(obs.weight) == [1.0, 300.0, 300.0]
    assert list(obs.start) == [D2021, D2021, E2021 + 1]  # 2022-01-01
    assert_same(*both_routes(df, on_bad_row="collect"))
    # raise: the first bad row, the input named by its type
    message = raised(lambda: planeval.observations_from_arrow(planeval.parse_plan(MINI_PLAN), df))
    assert message == 'polars DataFrame: row 2, column weight: expected a number, got ""'


def test_null_value_is_missing_and_null_id_is_rejected(plan: Plan) -> None:
    df = pl.DataFrame(
        {
            "indicator": ["teachers", "teachers", "teachers"],
            "entity": ["d", None, "s1"],
            "year": [2021, 2021, 2021],
            "value": [None, 5.0, float("nan")],  # a null and a NaN: both missing, never zero
        }
    )
    obs, report = planeval.observations_from_arrow(plan, df, on_bad_row="collect")
    assert (report.accepted, report.missing) == (2, 2)
    assert list(obs.missing) == [True, True]
    assert [(r.row, r.column, r.message) for r in report.rejected] == [
        (1, "entity", 'unknown entity "" (add a "parent" column to add new entities)')
    ]
    assert_same(*both_routes(df, on_bad_row="collect"))
    assert raised(lambda: planeval.observations_from_arrow(plan, df)).startswith(
        "polars DataFrame: row 1, column entity: unknown entity"
    )


def test_polars_strings_are_string_views_and_categoricals_dictionaries(plan: Plan) -> None:
    df = pl.DataFrame(
        {
            "indicator": pl.Series(["rate", "teachers", "rate"], dtype=pl.Categorical),
            "entity": ["d", "s1", "s1"],
            "period": ["2021", "2021/2022", "2022"],  # calendar year, school year
            "value": [97.5, 41, 98.0],
        }
    )
    schema = pa.RecordBatchReader.from_stream(df).schema
    assert str(schema.field("entity").type) == "string_view"
    assert pa.types.is_dictionary(schema.field("indicator").type)
    obs, report = planeval.observations_from_arrow(plan, df)
    assert report.accepted == 3
    assert list(obs.indicator) == [1, 0, 1] and list(obs.entity) == [0, 1, 1]
    # 2021-09-01 is day 243 of 2021, 2022-08-31 day 607 after 2021-01-01
    assert list(zip(obs.start, obs.end)) == [
        (D2021, E2021),
        (D2021 + 243, D2021 + 607),
        (E2021 + 1, E2021 + 365),
    ]
    assert_same(*both_routes(df))


def test_long_string_views_in_data_buffers(plan: Plan) -> None:
    # cells longer than 12 bytes are not inlined in a string view: they sit in a variadic data buffer
    long_id = "school_with_a_long_code_0001"  # 28 bytes
    long_name = "一所名字很长的学校"  # 9 characters, 27 bytes of UTF-8
    df = pl.DataFrame(
        {
            "indicator": ["teachers"] * 2,
            "entity": [long_id, long_id],
            "year": [2021, 2022],
            "value": [1.0, 2.0],
            "parent": ["s1", "s1"],
            "entity_name": [long_name, long_name],
        }
    )
    assert str(pa.RecordBatchReader.from_stream(df).schema.field("entity").type) == "string_view"
    obs, report = planeval.observations_from_arrow(plan, df)
    assert report.added_entities == [long_id] and plan.entity(long_id).name_zh == long_name
    assert list(obs.entity) == [[e.id for e in plan.entities].index(long_id)] * 2
    assert_same(*both_routes(df))


# --- pyarrow -----------------------------------------------------------------------------------


def three_batches() -> list[Any]:
    schema = pa.schema(
        [
            ("indicator", pa.string()),
            ("entity", pa.large_string()),
            ("year", pa.int16()),
            ("value", pa.float64()),
        ]
    )

    def batch(ind: list[str], ent: list[str], year: list[int], value: list[float | None]) -> Any:
        return pa.record_batch(
            [
                pa.array(ind),
                pa.array(ent, pa.large_string()),
                pa.array(year, pa.int16()),
                pa.array(value, pa.float64()),
            ],
            schema=schema,
        )

    return [
        batch(["teachers", "rate"], ["d", "d"], [2021, 2021], [40.0, 95.0]),
        batch(["rate", "teachers"], ["s1", "s1"], [2021, 2030], [101.0, 3.0]),  # rows 2 and 3 bad
        batch(["teachers", "teachers", "teachers"], ["d", "d", "s1"], [2021, 2021, 2022], [40.0, 41.0, None]),
    ]


def test_pyarrow_batches_count_rows_across_batches(plan: Plan) -> None:
    batches = three_batches()
    reader = pa.RecordBatchReader.from_batches(batches[0].schema, batches)
    obs, report = planeval.observations_from_arrow(plan, reader, on_bad_row="collect")
    # row 2: 101 % is out of 0..100; row 3: 2030 is after the horizon; rows 4 and 5 give teachers/d/2021
    # twice with different values (40 and 41): both rejected, and the identical row 0 too
    assert [(r.row, r.column, r.reason) for r in report.rejected] == [
        (0, "value", "duplicate_conflict"),
        (2, "value", "out_of_range"),
        (3, "year", "outside_horizon"),
        (4, "value", "duplicate_conflict"),
        (5, "value", "duplicate_conflict"),
    ]
    assert (report.rows, report.accepted, report.missing) == (7, 2, 1)
    table = pa.Table.from_batches(batches)
    assert_same(
        (obs, report),
        planeval.observations_from_arrow(planeval.parse_plan(MINI_PLAN), table, on_bad_row="collect"),
    )
    assert_same(*both_routes(table, on_bad_row="collect"))
    # raise: the first row failing its own checks (row 2), not the conflicting duplicates of row 0
    message = raised(lambda: planeval.observations_from_arrow(plan, table))
    assert (
        message
        == 'pyarrow Table: row 2, column value: expected a percentage from 0 to 100 for "rate", got 101'
    )


def test_raise_names_what_the_pandas_route_names(plan: Plan) -> None:
    # row 0 fails a check on the whole table (a percentage above 100), row 2 the row pass (an unknown
    # entity): read_observations raises the row pass's error first, and so does the Arrow route
    table = pa.table(
        {
            "indicator": ["rate", "rate", "rate"],
            "entity": ["d", "d", "zz"],
            "year": [2021, 2022, 2021],
            "value": [120.0, 50.0, 50.0],
        }
    )
    arrow = raised(lambda: planeval.observations_from_arrow(plan, table))
    frame = raised(lambda: planeval.observations_from_frame(plan, table.to_pandas()))
    assert (
        arrow == 'pyarrow Table: row 2, column entity: unknown entity "zz" (add a "parent" column to add new '
        "entities)"
    )
    assert frame == arrow.replace("pyarrow Table: row 2", "DataFrame: row 2 (index 2)")


def test_sliced_arrays_have_offsets(plan: Plan) -> None:
    # every column sliced at an odd offset: validity and boolean bits start inside a byte
    full = pa.table(
        {
            "indicator": pa.array(
                ["x", "teachers", "teachers", "rate", "teachers", "passed"]
            ).dictionary_encode(),
            "entity": pa.array(["x", "d", "d", "s1", "s1", "d"]),
            "date": pa.array(
                [
                    dt.date(2021, 1, 1),
                    dt.date(2021, 3, 31),
                    None,
                    dt.date(2021, 6, 30),
                    dt.date(2022, 12, 31),
                    dt.date(2023, 1, 2),
                ],
                pa.date32(),
            ),
            "value": pa.array([0, 10, 11, None, 13, 1], pa.int32()),
            "provisional": pa.array([True, False, True, True, False, True]),
        }
    )
    table = full.slice(1, 5)
    assert table.column("value").chunk(0).offset == 1
    obs, report = planeval.observations_from_arrow(plan, table, on_bad_row="collect")
    assert [(r.row, r.column, r.message) for r in report.rejected] == [
        (1, "date", 'expected a date (YYYY-MM-DD, YYYY-MM or YYYY), got ""')
    ]
    assert list(obs.indicator) == [0, 1, 0, 2]
    # 2021-03-31 is day 89 after 2021-01-01; 2022-12-31 and 2023-01-02 are 729 and 731
    assert list(obs.start) == [D2021 + 89, D2021 + 180, D2021 + 729, D2021 + 731]
    assert list(obs.missing) == [False, True, False, False]
    assert list(obs.provisional) == [False, True, False, True]
    assert list(obs.value) == [10.0, 0.0, 13.0, 1.0]
    assert_same(
        (obs, report),
        planeval.observations_from_frame(
            planeval.parse_plan(MINI_PLAN), table.to_pandas(), on_bad_row="collect"
        ),
    )


def test_number_types_for_value(plan: Plan) -> None:
    values = pa.array([0.1, 12.5, 7.0], pa.float32())
    for value in (
        values,
        pa.array([1, 12, 7], pa.uint8()),
        pa.array([1, 12, 7], pa.int64()),
        pa.array([1.0, 2.0, 3.0], pa.float64()),
    ):
        table = pa.table(
            {"indicator": ["teachers"] * 3, "entity": ["d"] * 3, "year": [2021, 2022, 2023], "value": value}
        )
        assert_same(*both_routes(table))
    obs, _ = planeval.observations_from_arrow(
        plan,
        pa.table(
            {"indicator": ["teachers"] * 3, "entity": ["d"] * 3, "year": [2021, 2022, 2023], "value": values}
        ),
    )
    # float32 values are the doubles they stand for: 0.1f is 13421773 / 2**27
    assert list(obs.value) == [13421773 / 2**27, 12.5, 7.0]


def test_decimals(plan: Plan) -> None:
    # decimal128 (what DuckDB gives for 40.0): the double nearest the decimal, as its text would read;
    # 12345678901234567.89 has more than 53 bits of digits and goes through its decimal text
    from decimal import Decimal

    big = Decimal("12345678901234567.89")
    table = pa.table(
        {
            "indicator": ["teachers", "teachers", "teachers"],
            "entity": ["d", "d", "d"],
            "year": [2021, 2022, 2023],
            "value": pa.array([Decimal("40.10"), big, None], pa.decimal128(30, 2)),
        }
    )
    obs, report = planeval.observations_from_arrow(plan, table)
    assert list(obs.value) == [40.1, float("12345678901234567.89"), 0.0] and report.missing == 1
    assert_same(*both_routes(table))


def test_boolean_indicator_takes_0_1_and_booleans(plan: Plan) -> None:
    table = pa.table(
        {
            "indicator": ["passed"] * 3,
            "entity": ["d"] * 3,
            "year": [2021, 2022, 2023],
            "value": [1.0, 0.0, 0.5],
        }
    )
    arrow, via_pandas = both_routes(table, on_bad_row="collect")
    assert_same(arrow, via_pandas)
    assert [r.message for r in arrow[1].rejected] == [
        'expected true or false for boolean "passed", got "0.5"'
    ]
    flags = pa.table(
        {
            "indicator": ["passed", "teachers"],
            "entity": ["d", "d"],
            "year": [2021, 2021],
            "value": [True, True],
        }
    )
    obs, report = planeval.observations_from_arrow(plan, flags, on_bad_row="collect")
    assert list(obs.value) == [1.0]
    assert [r.message for r in report.rejected] == ['expected a number, got "true"']
    assert_same(*both_routes(flags, on_bad_row="collect"))


def test_dates_and_timestamps(plan: Plan) -> None:
    instants = [dt.datetime(2021, 3, 31, 20, 0), dt.datetime(1969, 12, 31, 23, 0)]  # local wall clock
    naive = pa.array(instants, pa.timestamp("us"))
    shanghai = pa.array(
        [dt.datetime(2021, 3, 31, 20, 0, tzinfo=dt.timezone.utc)], pa.timestamp("ms", tz="+08:00")
    )
    table = pa.table({"indicator": ["teachers"], "entity": ["d"], "date": shanghai, "value": [1.0]})
    obs, _ = planeval.observations_from_arrow(plan, table)
    assert list(obs.start) == [D2021 + 90]  # 20:00 UTC on 31 March is 04:00 on 1 April in +08:00
    table = pa.table({"indicator": ["teachers"] * 2, "entity": ["d"] * 2, "date": naive, "value": [1.0, 2.0]})
    obs, report = planeval.observations_from_arrow(plan, table, on_bad_row="collect")
    # 1969-12-31 23:00 is day -1: days are floored, not truncated toward 0 (history is data too)
    assert list(obs.start) == [D2021 + 89, -1]
    assert_same(
        (obs, report),
        planeval.observations_from_frame(
            planeval.parse_plan(MINI_PLAN), table.to_pandas(), on_bad_row="collect"
        ),
    )
    date64 = pa.table(
        {
            "indicator": ["teachers"],
            "entity": ["d"],
            "date": pa.array([dt.date(2021, 3, 31)], pa.date64()),
            "value": [1.0],
        }
    )
    assert list(planeval.observations_from_arrow(plan, date64)[0].start) == [D2021 + 89]


def test_types_that_cannot_hold_observations_are_named(plan: Plan) -> None:
    table = pa.table({"indicator": ["teachers"], "entity": ["d"], "year": [2021], "value": [[1.0, 2.0]]})
    message = raised(lambda: planeval.observations_from_arrow(plan, table))
    assert message == (
        "pyarrow Table: column value: expected numbers, text, booleans or dates, "
        'got Arrow format "+l" (a list)'
    )
    zoned = pa.table(
        {
            "indicator": ["teachers"],
            "entity": ["d"],
            "value": [1.0],
            "date": pa.array([0], pa.timestamp("s", tz="Asia/Shanghai")),
        }
    )
    assert 'column date: expected dates, got a timestamp in time zone "Asia/Shanghai"' in raised(
        lambda: planeval.observations_from_arrow(plan, zoned)
    )
    # a column that is not read may have any type
    extra = (
        table.drop_columns(["value"])
        .append_column("value", pa.array([1.0]))
        .append_column("notes", pa.array([[1]]))
    )
    assert planeval.observations_from_arrow(plan, extra)[1].accepted == 1
    with pytest.raises(TypeError, match="expected an object with __arrow_c_stream__"):
        planeval.observations_from_arrow(plan, {"indicator": ["teachers"]})
    with pytest.raises(TypeError, match="expected a pandas DataFrame or an object with __arrow_c_stream__"):
        planeval.observations_from_frame(plan, [1, 2])  # type: ignore[arg-type]


def test_columns_are_checked_as_for_pandas(plan: Plan) -> None:
    table = pa.table({"indicator": ["teachers"], "entity": ["d"], "year": [2021]})
    assert raised(lambda: planeval.observations_from_arrow(plan, table)) == (
        'pyarrow Table: missing column "value" (columns are: indicator, entity, year)'
    )
    both = table.append_column("value", pa.array([1.0])).append_column("period", pa.array(["2021"]))
    assert 'exactly one of the columns "date", "period" or "year"' in raised(
        lambda: planeval.observations_from_arrow(plan, both)
    )
    twice = pa.Table.from_arrays(
        [pa.array(["teachers"]), pa.array(["d"]), pa.array([2021]), pa.array([1.0]), pa.array([2.0])],
        names=["indicator", "entity", "year", "value", " value"],
    )
    assert 'column "value" appears twice (columns 4 and 5)' in raised(
        lambda: planeval.observations_from_arrow(plan, twice)
    )


def test_text_cells_everywhere(plan: Plan) -> None:
    # years, values, weights and flags as text: parsed as the CSV reader parses them
    table = pa.table(
        {
            "indicator": ["teachers", "teachers", "rate", "rate"],
            "entity": [" d", "d", "d", "s1"],  # ids are trimmed
            "year": ["2021", "2022", "2021.0", "21"],
            "value": ["12", "NA", "abc", "50"],
            "weight": ["1", "2", "3", "x"],
            "estimated": ["是", "否", "", "true"],
        }
    )
    arrow, via_pandas = both_routes(table, on_bad_row="collect")
    assert_same(arrow, via_pandas)
    obs, report = arrow
    assert [(r.row, r.column, r.message) for r in report.rejected] == [
        (2, "value", 'expected a number, got "abc"'),
        (3, "year", 'expected a year (YYYY), got "21"'),
    ]
    assert list(obs.estimated) == [True, False] and list(obs.missing) == [False, True]


def test_messy_cells_and_blank_rows(plan: Plan) -> None:
    # the cells of Chinese spreadsheets: dash marks for missing, thousands separators, a % sign
    table = pa.table(
        {
            "indicator": ["teachers", "teachers", "rate", "teachers", None, "teachers", "rate"],
            "entity": ["d", "s1", "d", "d", None, "s1", "s1"],
            "year": ["2021", "2021", "2022", "2022", None, "2022", "2021"],
            "value": ["1,500", "—", "85.5%", "85%", None, "1,50", "９０"],
        }
    )
    arrow, via_pandas = both_routes(table, on_bad_row="collect")
    assert_same(arrow, via_pandas)
    obs, report = arrow
    assert [(r.row, r.message) for r in report.rejected] == [
        (
            3,
            'expected a number in "人" (the unit of "teachers"), got "85%": '
            "a percent sign only for an indicator in %",
        ),
        (5, 'expected a number, got "1,50" (thousands separators group three digits: 1,500 or 12,345.6)'),
    ]
    assert list(obs.value) == [1500.0, 0.0, 85.5, 90.0] and list(obs.missing) == [False, True, False, False]
    # row 4 holds nothing: skipped, not counted as a row, and noted
    assert report.rows == 6 and [(n.code, n.rows) for n in report.notes] == [("blank_rows", [4])]
    assert report.notes[0].message == "pyarrow Table: 1 blank row skipped: rows 4"


def test_new_entities_as_in_read_csv(plan: Plan) -> None:
    table = pa.table(
        {
            "indicator": ["teachers"] * 5,
            "entity": ["new1", "new1", "new2", "new3", "new4"],
            "year": [2021, 2022, 2021, 2021, 2021],
            "value": [1.0, 2.0, 3.0, 4.0, 5.0],
            "parent": [None, "s1", "nobody", "s1", "s1"],
            "entity_name": ["", "新学校", "", "", ""],
            "entity_kind": ["", "", "", "castle", ""],
            "stage": ["", "小学", "", "", "初中"],
            "students": [None, "120", None, None, "-1"],
        }
    )
    arrow, via_pandas = both_routes(table, on_bad_row="collect")
    assert_same(arrow, via_pandas)
    report = arrow[1]
    # row 0: new1 without a parent; row 1 adds it; new2's parent is unknown; new3's kind, new4's students bad
    assert [(r.row, r.column) for r in report.rejected] == [
        (0, "entity"),
        (2, "parent"),
        (3, "entity_kind"),
        (4, "students"),
    ]
    assert report.added_entities == ["new1"] and report.accepted == 1


def test_duckdb_relation_and_result(plan: Plan) -> None:
    duckdb = pytest.importorskip("duckdb")
    sql = (
        "select * from (values ('teachers', 'd', 2021, 40.0), ('rate', 's1', 2021, null),"
        " ('teachers', 'zz', 2022, 1.0))"
        " as t(indicator, entity, year, value)"
    )
    rel = duckdb.sql(sql)
    obs, report = planeval.observations_from_frame(plan, rel, on_bad_row="collect")
    assert (report.accepted, report.missing) == (2, 1)
    assert [(r.row, r.column) for r in report.rejected] == [(2, "entity")]
    assert_same(
        (obs, report),
        planeval.observations_from_arrow(
            planeval.parse_plan(MINI_PLAN), duckdb.sql(sql).arrow(), on_bad_row="collect"
        ),
    )
    assert_same(
        (obs, report),
        planeval.observations_from_frame(
            planeval.parse_plan(MINI_PLAN), duckdb.sql(sql).df(), on_bad_row="collect"
        ),
    )


def test_empty_table(plan: Plan) -> None:
    table = pa.table(
        {
            "indicator": pa.array([], pa.string()),
            "entity": pa.array([], pa.string()),
            "year": pa.array([], pa.int64()),
            "value": pa.array([], pa.float64()),
        }
    )
    obs, report = planeval.observations_from_arrow(plan, table)
    assert len(obs) == 0 and report.rows == 0


# --- round trip ----------------------------------------------------------------------------------


def test_to_frame_round_trip(plan: Plan) -> None:
    # calendar years, a school year, weights, flags and a missing value
    table = pa.table(
        {
            "indicator": ["teachers", "rate", "teachers", "rate"],
            "entity": ["d", "d", "s1", "s1"],
            "period": ["2021", "2021/2022", "2022", "2023"],
            "value": [40.0, 95.25, None, 0.1],
            "weight": [1.0, 250.0, 3.0, 0.5],
            "estimated": [False, True, False, False],
            "provisional": [False, False, False, True],
        }
    )
    obs, _ = planeval.observations_from_arrow(plan, table)
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
    again = planeval.observations_from_frame(plan, frame)
    assert again[1].accepted == 4 and again[1].missing == 1
    for name in ("indicator", "entity", "start", "end", "value", "flags", "weight"):
        np.testing.assert_array_equal(getattr(again[0], name), getattr(obs, name), err_msg=name)
    via_polars = planeval.observations_from_frame(plan, pl.from_pandas(frame))
    for name in ("indicator", "entity", "start", "end", "value", "flags", "weight"):
        np.testing.assert_array_equal(getattr(via_polars[0], name), getattr(obs, name), err_msg=name)


def test_to_frame_round_trip_of_dates(plan: Plan) -> None:
    obs, _ = planeval.observations_from_arrays(
        plan,
        indicator=["teachers", "teachers"],
        entity=["d", "s1"],
        date=np.array(["2021-03-31", "2022-06-30"], dtype="datetime64[D]"),
        value=[1.0, 2.0],
    )
    frame = obs.to_frame(plan)
    for data in (frame, pl.from_pandas(frame)):
        again, _ = planeval.observations_from_frame(plan, data)
        assert list(again.start) == list(obs.start) == [D2021 + 89, D2021 + 545]
        assert list(again.end) == list(obs.start)
    # a period that is no year, school year or day cannot be text: the pandas route says so
    odd, _ = planeval.observations_from_arrays(
        plan, indicator=["teachers"], entity=["d"], start=[D2021], end=[D2021 + 89], value=[1.0]
    )
    with pytest.raises(
        DataError, match=r"row 0 \(index 0\), column start: the period 2021-01-01..2021-03-31"
    ):
        planeval.observations_from_frame(plan, odd.to_frame(plan))
    # the Arrow route reads start and end as they are
    again, _ = planeval.observations_from_frame(plan, pl.from_pandas(odd.to_frame(plan)))
    assert (again.start[0], again.end[0]) == (D2021, D2021 + 89)


# --- Parquet -----------------------------------------------------------------------------------


def test_read_parquet(plan: Plan, tmp_path: Path) -> None:
    table = pa.Table.from_batches(three_batches())
    path = tmp_path / "学校数据.parquet"
    pq.write_table(table.append_column("ignored", pa.array([[1]] * table.num_rows)), path)
    obs, report = planeval.read_parquet(plan, path, on_bad_row="collect")
    assert_same(
        (obs, report),
        planeval.observations_from_arrow(planeval.parse_plan(MINI_PLAN), table, on_bad_row="collect"),
    )
    with pytest.raises(DataError, match=r"学校数据\.parquet: row 2, column value: expected a percentage"):
        planeval.read_parquet(planeval.parse_plan(MINI_PLAN), path)
    text = tmp_path / "data.parquet"
    text.write_text("indicator,entity\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"data\.parquet: not a readable Parquet file"):
        planeval.read_parquet(plan, text)
    with pytest.raises(DataError, match=r"missing\.parquet: no such file"):
        planeval.read_parquet(plan, tmp_path / "missing.parquet")


def test_read_parquet_without_pyarrow(plan: Plan, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from planeval import _frames

    real = _frames.importlib.import_module

    def no_pyarrow(name: str, *args: Any) -> Any:
        if name.startswith("pyarrow"):
            raise ImportError(f"No module named {name!r}")
        return real(name, *args)

    monkeypatch.setattr(_frames.importlib, "import_module", no_pyarrow)
    with pytest.raises(
        ImportError,
        match=r"data\.parquet: reading Parquet files needs pyarrow: pip install "
        r"'planeval\[arrow\]'",
    ):
        planeval.read_parquet(plan, tmp_path / "data.parquet")


# --- threads -----------------------------------------------------------------------------------


def test_threads_read_streams_at_once() -> None:
    # decoding and checking run without the GIL: four threads reading one plan (no new entities) agree.
    # 8,000 distinct rows: 2 indicators x 2 entities x 2,000 days from 2020-01-01 (the data window)
    n = 8_000
    i = np.arange(n)
    table = pa.table(
        {
            "indicator": pa.array(np.where(i % 2 == 0, "teachers", "rate")),
            "entity": pa.array(np.where((i // 2) % 2 == 0, "d", "s1")),
            "date": pa.array((D2021 - 366 + i // 4).astype("datetime64[D]")),
            "value": pa.array((i % 100).astype(np.float64)),
        }
    )
    shared = planeval.parse_plan(MINI_PLAN)
    expected = planeval.observations_from_arrow(shared, table, add_entities=False)
    assert expected[1].accepted == n and float(expected[0].value.sum()) == 80 * sum(range(100))
    results: list[Result] = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            results.append(planeval.observations_from_arrow(shared, table, add_entities=False))
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and len(results) == 4
    for r in results:
        assert_same(r, expected)


def test_pandas_frames_keep_the_pandas_route(plan: Plan) -> None:
    df = pd.DataFrame(
        {"indicator": ["teachers"], "entity": ["zz"], "year": [2021], "value": [1.0]}, index=["a"]
    )
    assert raised(lambda: planeval.observations_from_frame(plan, df)).startswith(
        "DataFrame: row 0 (index 'a')"
    )


def test_object_columns_with_missing_cells(plan: Plan) -> None:
    # object columns (pandas 3 hands out read-only views of them) with None cells: rejected rows
    df = pd.DataFrame(
        {
            "indicator": pd.Series(["teachers", "teachers"], dtype=object),
            "entity": pd.Series(["d", None], dtype=object),
            "year": [2021, 2021],
            "value": [1.0, 2.0],
        }
    )
    obs, report = planeval.observations_from_frame(plan, df, on_bad_row="collect")
    assert len(obs) == 1 and [(r.row, r.column) for r in report.rejected] == [(1, "entity")]


@pytest.mark.parametrize("seed", range(12))
def test_random_tables_read_as_the_pandas_route_reads_them(seed: int) -> None:
    # rows drawn from good and bad cells of every kind; both routes must agree on everything, and in
    # raise mode on the row, column and message raised
    rng = np.random.default_rng(seed)
    n = 200

    def pick(options: list[Any]) -> list[Any]:
        return [options[k] for k in rng.integers(0, len(options), n)]

    table = pa.table(
        {
            "indicator": pa.array(pick(["teachers", "rate", "passed", "nope", None, " rate"])),
            "entity": pa.array(pick(["d", "s1", "s1", "new_a", "new_b", None])),
            "parent": pa.array(pick([None, "d", "s1", "zz"])),
            "year": pa.array(pick([2021, 2022, 2023, 2030, 1899, None]), pa.int32()),
            "value": pa.array(pick([0.0, 1.0, 0.5, 40.0, 99.5, 101.0, -3.0, None, float("inf")])),
            "weight": pa.array(pick([1.0, 250.0, None, -1.0])),
            "estimated": pa.array(pick([True, False, None])),
        }
    )
    arrow, via_pandas = both_routes(table, on_bad_row="collect")
    assert_same(arrow, via_pandas)
    assert arrow[1].rows == n
    raised_arrow = raised(lambda: planeval.observations_from_arrow(planeval.parse_plan(MINI_PLAN), table))
    raised_pandas = raised(
        lambda: planeval.observations_from_frame(planeval.parse_plan(MINI_PLAN), table.to_pandas())
    )
    where = raised_arrow.split(",")[0].removeprefix("pyarrow Table: ")  # "row 12"
    assert raised_pandas == raised_arrow.replace(
        f"pyarrow Table: {where}", f"DataFrame: {where} (index {where.split()[1]})"
    )
