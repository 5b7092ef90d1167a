"""Errors carry their place as attributes (issue 14): path, file, row, column, sheet, cell.

Every planeval exception has them (None when unknown); ``row`` counts from 1 (a file's line, a
sheet's row; for arrays and frames the position + 1). These tests read the attributes, never the
message text: what the messages say is asserted by the tests of each reader.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import planeval
from planeval._errors import located

FIELDS = ("path", "file", "row", "column", "sheet", "cell")


def place(e: planeval.Error) -> dict[str, Any]:
    return {name: getattr(e, name) for name in FIELDS}


def test_every_exception_class_has_the_fields_as_none() -> None:
    # an instance made in Python (as user code or the package does) has them too, all None
    for kind in (planeval.Error, planeval.PlanError, planeval.DataError):
        assert place(kind("x")) == dict.fromkeys(FIELDS)
        assert kind("x").message is None


def test_a_bad_plan_file_names_the_json_path_and_the_file(tmp_path: Path) -> None:
    doc = json.loads(planeval.example_plan().to_json())
    assert "deadline" in doc["targets"][3]["goal"]  # the example's fourth target has a deadline
    doc["targets"][3]["goal"]["deadline"] = "20x5"
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(planeval.PlanError) as e:
        planeval.load_plan(path)
    assert place(e.value) == {
        "path": "targets[3].goal.deadline",  # 0-based, as the JSON path counts
        "file": str(path),
        "row": None,
        "column": None,
        "sheet": None,
        "cell": None,
    }
    # the diagnostics list stays, each with the file before the JSON path
    assert e.value.errors[0].path == f"{path}: targets[3].goal.deadline"
    # the same text without a file: only the path
    with pytest.raises(planeval.PlanError) as e2:
        planeval.parse_plan(json.dumps(doc, ensure_ascii=False))
    assert (e2.value.path, e2.value.file) == ("targets[3].goal.deadline", None)


def test_malformed_json_in_a_plan_file_names_the_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "plan.json"
    path.write_text('{\n  "format": "planeval-plan",\n  oops\n}\n', encoding="utf-8")  # line 3: no key
    with pytest.raises(planeval.PlanError) as e:
        planeval.load_plan(path)
    assert (e.value.path, e.value.file, e.value.row) == (None, str(path), 3)


def test_a_plan_file_that_cannot_be_opened_names_the_file_only(tmp_path: Path) -> None:
    with pytest.raises(planeval.PlanError) as e:
        planeval.load_plan(tmp_path / "missing.json")
    assert (e.value.path, e.value.file) == (None, str(tmp_path / "missing.json"))


def test_a_bad_csv_row_names_file_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "data.csv"
    # line 1 header, line 2 a good row, line 3 a value that is no number, line 4 a bad year
    path.write_text(
        "indicator,entity,year,value\n"
        "gigabit_campus_rate,baijiantan,2023,50\n"
        "gigabit_campus_rate,baijiantan,2024,abc\n"
        "gigabit_campus_rate,baijiantan,20x5,60\n",
        encoding="utf-8",
    )
    with pytest.raises(planeval.DataError) as e:
        planeval.read_csv(planeval.example_plan(), path)
    assert place(e.value) == {
        "path": None,
        "file": str(path),
        "row": 3,
        "column": "value",
        "sheet": None,
        "cell": None,
    }
    assert e.value.message == 'expected a number, got "abc"'
    # collected rows keep their 0-based position (Rejection.row), the error its line
    _, report = planeval.read_csv(planeval.example_plan(), path, on_bad_row="collect")
    assert [(r.row, r.column) for r in report.rejected] == [(1, "value"), (2, "year")]


def test_a_csv_file_with_a_missing_column_names_the_header_line(tmp_path: Path) -> None:
    path = tmp_path / "data.csv"
    path.write_text("indicator,year,value\ngigabit_campus_rate,2023,50\n", encoding="utf-8")
    with pytest.raises(planeval.DataError) as e:
        planeval.read_csv(planeval.example_plan(), path)
    assert (e.value.file, e.value.row, e.value.column) == (str(path), 1, "entity")


def test_a_bad_frame_cell_counts_rows_from_one() -> None:
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame(
        {
            "indicator": ["gigabit_campus_rate"] * 3,
            "entity": ["baijiantan"] * 3,
            "year": [2021, 2022, 2023],
            "value": ["50", "55", "abc"],
        },
        index=["a", "b", "c"],
    )
    with pytest.raises(planeval.DataError) as e:
        planeval.observations_from_frame(planeval.example_plan(), df)
    # position 2 (index label 'c'): row 3 counted from 1; a frame is no file
    assert place(e.value) == {
        "path": None,
        "file": None,
        "row": 3,
        "column": "value",
        "sheet": None,
        "cell": None,
    }


def test_a_bad_template_cell_names_sheet_cell_and_row(tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    path = tmp_path / "book.xlsx"
    planeval.excel_template(
        planeval.example_plan(), path, stages=["小学"], indicators=["gigabit_campus_rate"], years=[2023]
    )
    wb = openpyxl.load_workbook(path)
    ws = wb["小学"]
    column = next(c.column_letter for c in ws[3] if c.value == "gigabit_campus_rate|2023")
    r = next(r for r in range(4, ws.max_row + 1) if ws.cell(row=r, column=1).value is None)  # a new row
    ws[f"A{r}"], ws[f"B{r}"] = "p1", "P1"
    ws[f"{column}{r}"] = "abc"  # text in a value cell
    wb.save(path)
    with pytest.raises(planeval.DataError) as e:
        planeval.read_excel(planeval.example_plan(), path)
    assert place(e.value) == {
        "path": None,
        "file": str(path),
        "row": r,
        "column": "value",
        "sheet": "小学",
        "cell": f"{column}{r}",
    }


def test_a_bad_value_in_an_arrow_batch_names_row_and_column() -> None:
    pa = pytest.importorskip("pyarrow")
    table = pa.table(
        {
            "indicator": ["gigabit_campus_rate", "gigabit_campus_rate"],
            "entity": ["baijiantan", "baijiantan"],
            "year": [2022, 2023],
            "value": [50.0, float("inf")],  # position 1: not a finite number
        }
    )
    with pytest.raises(planeval.DataError) as e:
        planeval.observations_from_arrow(planeval.example_plan(), table)
    assert place(e.value) == {
        "path": None,
        "file": None,
        "row": 2,
        "column": "value",
        "sheet": None,
        "cell": None,
    }
    # a column of a type that cannot hold observations: the column, no row
    bad = pa.table(
        {
            "indicator": ["gigabit_campus_rate"],
            "entity": ["baijiantan"],
            "year": [2023],
            "value": pa.array([[1.0]], type=pa.list_(pa.float64())),
        }
    )
    with pytest.raises(planeval.DataError) as e2:
        planeval.observations_from_arrow(planeval.example_plan(), bad)
    assert (e2.value.row, e2.value.column) == (None, "value")


def test_an_argument_misuse_has_no_place() -> None:
    # raised in C++ (the on_bad_row parser) and in Python (read_excel's): every field None
    with pytest.raises(planeval.Error) as e:
        planeval.observations_from_arrays(
            planeval.example_plan(),
            indicator=np.array(["gigabit_campus_rate"], dtype=object),
            entity=np.array(["baijiantan"], dtype=object),
            year=np.array([2023]),
            value=np.array([50.0]),
            on_bad_row="sometimes",
        )
    assert type(e.value) is planeval.Error
    assert place(e.value) == dict.fromkeys(FIELDS)
    with pytest.raises(planeval.Error) as e2:
        planeval.read_excel(planeval.example_plan(), "book.xlsx", on_bad_row="sometimes")
    assert place(e2.value) == dict.fromkeys(FIELDS)


def test_located_sets_the_fields() -> None:
    message = "book.xlsx: 小学!E5: bad"
    e = located(planeval.DataError, message, file="book.xlsx", sheet="小学", cell="E5", row=5)
    assert isinstance(e, planeval.DataError) and str(e) == message
    assert place(e) == {
        "path": None,
        "file": "book.xlsx",
        "row": 5,
        "column": None,
        "sheet": "小学",
        "cell": "E5",
    }
    with pytest.raises(ValueError, match="row counts from 1"):
        located(planeval.DataError, "x", row=0)
