"""Messy files as Chinese offices send them: every messy cell form, in every common encoding.

Each cell form of the value column (missing marks, full-width digits, thousands separators, percent
signs, blanks) is written into a CSV file as bytes in four ways -- UTF-8, UTF-8 with a byte-order
mark, GB18030 (what Excel on Chinese Windows writes; GBK is its subset) and UTF-8 with CRLF line
ends -- and read through ``planeval.read_csv``; the same cell goes through
``observations_from_frame``. The value read is asserted (the plan is the tests' mini plan:
``teachers`` is a count in 人, ``rate`` a percentage).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import planeval

pd = pytest.importorskip("pandas")

MISSING = None  # the expected value of a cell that says "not reported"

# (cell text, indicator, expected value: a number, or MISSING)
CELLS: list[tuple[str, str, float | None]] = [
    ("—", "rate", MISSING),  # U+2014 EM DASH
    ("－", "rate", MISSING),  # U+FF0D FULLWIDTH HYPHEN-MINUS
    ("–", "rate", MISSING),  # U+2013 EN DASH
    ("/", "rate", MISSING),
    ("-", "rate", MISSING),
    ("无", "rate", MISSING),
    ("空", "rate", MISSING),
    ("", "rate", MISSING),
    ("   ", "rate", MISSING),
    ("\u3000", "rate", MISSING),  # IDEOGRAPHIC SPACE
    ("\u00a0", "rate", MISSING),  # NO-BREAK SPACE
    ("NA", "rate", MISSING),
    ("N/A", "rate", MISSING),
    ("null", "rate", MISSING),
    ("98.5", "rate", 98.5),
    ("９８.５", "rate", 98.5),  # full-width digits
    ("９８．５", "rate", 98.5),  # and a full-width point
    ("＋７", "teachers", 7.0),
    ("1,500", "teachers", 1500.0),
    ("12,345.6", "teachers", 12345.6),
    ("１，５００", "teachers", 1500.0),  # full-width digits and comma
    (" 42 ", "teachers", 42.0),
    ("\u300042\u3000", "teachers", 42.0),
    ("\u00a042", "teachers", 42.0),
    ("85%", "rate", 85.0),
    ("85.5 %", "rate", 85.5),
    ("８５％", "rate", 85.0),
    ("\u300099.1%\u3000", "rate", 99.1),
]

# (cell text, indicator, rejection reason, words of the message)
BAD_CELLS: list[tuple[str, str, str, str]] = [
    ("-5", "teachers", "negative_count", "expected a count >= 0"),  # a number, not a missing mark
    ("－３", "teachers", "negative_count", "expected a count >= 0"),
    ("1,50", "teachers", "wrong_type", "thousands separators group three digits"),
    ("1,5000", "teachers", "wrong_type", "thousands separators group three digits"),
    ("85%", "teachers", "wrong_type", 'expected a number in "人" (the unit of "teachers")'),
    ("９元", "teachers", "wrong_type", 'expected a number, got "９元"'),
]

ENCODINGS = ["utf-8", "utf-8-bom", "gb18030", "utf-8-crlf"]


def _csv_bytes(rows: list[list[str]], encoding: str) -> bytes:
    def cell(x: str) -> str:
        return '"' + x.replace('"', '""') + '"' if ("," in x or '"' in x) else x

    eol = "\r\n" if encoding == "utf-8-crlf" else "\n"
    text = eol.join(",".join(cell(x) for x in row) for row in rows) + eol
    if encoding == "gb18030":
        return text.encode("gb18030")
    if encoding == "utf-8-bom":
        return b"\xef\xbb\xbf" + text.encode("utf-8")
    return text.encode("utf-8")


HEADER = ["indicator", "entity", "year", "value"]


def _read(tmp_path: Path, mini_text: str, rows: list[list[str]], encoding: str) -> tuple[Any, Any]:
    path = tmp_path / f"data-{encoding}.csv"
    path.write_bytes(_csv_bytes([HEADER, *rows], encoding))
    plan = planeval.parse_plan(mini_text)
    return planeval.read_csv(plan, path, on_bad_row="collect")


def _frame(mini_text: str, rows: list[list[str]]) -> tuple[Any, Any]:
    plan = planeval.parse_plan(mini_text)
    df = pd.DataFrame(rows, columns=HEADER)
    return planeval.observations_from_frame(plan, df, on_bad_row="collect")


def _value(obs: Any) -> float | None:
    assert len(obs) == 1
    return None if bool(obs.missing[0]) else float(obs.value[0])


@pytest.mark.parametrize("encoding", ENCODINGS)
@pytest.mark.parametrize(("text", "indicator", "expected"), CELLS)
def test_messy_cell_in_csv(
    tmp_path: Path, mini_text: str, encoding: str, text: str, indicator: str, expected: float | None
) -> None:
    obs, report = _read(tmp_path, mini_text, [[indicator, "d", "2021", text]], encoding)
    assert report.rows == report.accepted == 1, report.rejected
    assert _value(obs) == expected
    assert report.missing == (1 if expected is None else 0)
    decoded = [n for n in report.notes if n.code == "decoded_gb18030"]
    # a GB18030 file is noted as such when it is not also valid UTF-8 (all-ASCII text is both)
    assert len(decoded) == (1 if encoding == "gb18030" and not text.isascii() else 0)


@pytest.mark.parametrize(("text", "indicator", "expected"), CELLS)
def test_messy_cell_in_frame(mini_text: str, text: str, indicator: str, expected: float | None) -> None:
    obs, report = _frame(mini_text, [[indicator, "d", "2021", text]])
    assert report.rows == report.accepted == 1, report.rejected
    assert _value(obs) == expected


@pytest.mark.parametrize("encoding", ENCODINGS)
@pytest.mark.parametrize(("text", "indicator", "reason", "words"), BAD_CELLS)
def test_bad_cell_in_csv(
    tmp_path: Path, mini_text: str, encoding: str, text: str, indicator: str, reason: str, words: str
) -> None:
    obs, report = _read(tmp_path, mini_text, [[indicator, "d", "2021", text]], encoding)
    assert len(obs) == 0 and report.rows == 1
    (r,) = report.rejected
    assert (r.row, r.column, r.reason) == (0, "value", reason)
    assert words in r.message


@pytest.mark.parametrize(("text", "indicator", "reason", "words"), BAD_CELLS)
def test_bad_cell_in_frame(mini_text: str, text: str, indicator: str, reason: str, words: str) -> None:
    _, report = _frame(mini_text, [[indicator, "d", "2021", text]])
    (r,) = report.rejected
    assert (r.row, r.column, r.reason) == (0, "value", reason)
    assert words in r.message


def test_gbk_names_are_read_and_noted(tmp_path: Path, mini_text: str) -> None:
    path = tmp_path / "gbk.csv"
    text = "indicator,entity,year,value,parent,entity_name\r\nteachers,x1,2021,3,s1,第一小学\r\n"
    path.write_bytes(text.encode("gbk"))
    plan = planeval.parse_plan(mini_text)
    obs, report = planeval.read_csv(plan, path)
    assert len(obs) == 1 and report.added_entities == ["x1"]
    assert plan.entity("x1").name.zh == "第一小学"
    (note,) = report.notes
    assert note.code == "decoded_gb18030" and "GB18030" in note.message and "GB18030" in note.message_zh


def test_utf16_file_is_decoded(tmp_path: Path, mini_text: str) -> None:
    path = tmp_path / "utf16.csv"
    path.write_bytes("indicator,entity,year,value\r\nrate,d,2021,95\r\n".encode("utf-16"))  # with a BOM
    obs, report = planeval.read_csv(planeval.parse_plan(mini_text), path)
    assert obs.value.tolist() == [95.0]
    assert [n.code for n in report.notes] == ["decoded_utf16"]


def test_bytes_neither_utf8_nor_gb18030_are_refused(tmp_path: Path, mini_text: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(b"indicator,entity,year,value\nteachers,d,2021,3\xff\n")  # 0xFF starts nothing
    with pytest.raises(planeval.DataError, match=r": line 2, column value: not valid UTF-8"):
        planeval.read_csv(planeval.parse_plan(mini_text), path)


def test_blank_rows_are_skipped_and_noted(tmp_path: Path, mini_text: str) -> None:
    rows = [
        ["teachers", "d", "2021", "5"],
        ["", "", "", ""],
        ["teachers", "d", "2022", "6"],
        [" ", "\u3000", "", ""],
    ]
    obs, report = _read(tmp_path, mini_text, rows, "utf-8")
    assert obs.value.tolist() == [5.0, 6.0]
    assert report.rows == 2 == report.accepted + report.duplicates + len(report.rejected)
    (note,) = report.notes
    assert note.code == "blank_rows" and note.rows == [1, 3]
    assert note.message.endswith("2 blank rows skipped: lines 3, 5")
    obs, report = _frame(mini_text, rows)
    assert report.rows == 2 and [n.rows for n in report.notes if n.code == "blank_rows"] == [[1, 3]]


def test_history_before_the_plan_is_accepted(tmp_path: Path, mini_text: str) -> None:
    # 十三五 figures for a 2021-2025 plan: 2016-2019 are data, 2026 is still outside
    rows = [["teachers", "s1", str(y), str(50 + y - 2016)] for y in range(2016, 2022)]
    rows.append(["teachers", "s1", "2026", "70"])
    obs, report = _read(tmp_path, mini_text, rows, "utf-8")
    assert obs.value.tolist() == [50.0, 51.0, 52.0, 53.0, 54.0, 55.0]
    (r,) = report.rejected
    assert (r.row, r.reason) == (6, "outside_horizon")
    # the roll-up to the district keeps the years before the plan: 2016 is 50 teachers at s1
    plan = planeval.parse_plan(mini_text)
    obs, _ = _read(tmp_path, mini_text, rows[:-1], "utf-8")
    obs, _ = planeval.read_csv(plan, tmp_path / "data-utf-8.csv")
    up = plan.rollup_arrays(obs, level="district")
    by_year = dict(zip(up["period_year"], up["value"].tolist()))
    assert by_year == {y: 50.0 + y - 2016 for y in range(2016, 2022)}


def test_percentages_as_fractions_are_noted(tmp_path: Path, mini_text: str) -> None:
    rows = [["rate", "d", "2021", "0.989"], ["rate", "d", "2022", "0.991"]]
    _, report = _read(tmp_path, mini_text, rows, "utf-8")
    (note,) = report.notes
    assert note.code == "implausible_scale" and note.rows == [0, 1]
    assert note.message.startswith('values of "rate" look like fractions (0.989 for 98.9%?)')
    assert "百分比" in note.message_zh
    # 0 and 1 only (a yes/no kept as a percentage): no note
    _, report = _read(tmp_path, mini_text, [["rate", "d", "2021", "0"], ["rate", "d", "2022", "1"]], "utf-8")
    assert report.notes == []


def test_one_school_under_two_codes_is_noted(tmp_path: Path, mini_text: str) -> None:
    header = ["indicator", "entity", "year", "value", "parent"]
    rows = [
        ["teachers", code, str(y), str(30 + 2 * (y - 2021)), "s1"]
        for code in ("ps_3", "ps_3b")
        for y in (2021, 2022, 2023)
    ]
    path = tmp_path / "dup.csv"
    path.write_bytes(_csv_bytes([header, *rows], "utf-8"))
    _, report = planeval.read_csv(planeval.parse_plan(mini_text), path)
    (note,) = report.notes
    assert note.code == "likely_duplicate_entity"
    assert note.message.startswith('schools "ps_3" and "ps_3b" have the same 3 values')
    assert note.rows == [0, 1, 2, 3, 4, 5]
