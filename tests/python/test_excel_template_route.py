"""The Excel template route a bureau uses, end to end: the command line's template and
excel_template make one workbook, read_excel reads it with the standards it records, district
values go on the area sheet, weights follow each indicator's definition, every sheet and row is
accounted for, several workbooks read as one, old .xls files are refused, a data-checking
workbook per school, and the same verdicts as from the tidy CSV of the same data."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

import planeval
from planeval.__main__ import main as cli

openpyxl = pytest.importorskip("openpyxl")

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
REFERENCED = ["compulsory_quality_balance_2017", "preschool_universal_inclusive_2020"]


def codes(ws: Any) -> dict[str, str]:
    """The machine row (row 3): code -> column letter."""
    return {c.value: c.column_letter for c in ws[3] if c.value is not None}


def machine_rows(path: Path) -> dict[str, list[Any]]:
    wb = openpyxl.load_workbook(path)
    return {ws.title: [c.value for c in ws[3]] for ws in wb.worksheets if ws.title != "_planeval"}


def cli_template(path: Path, *args: str) -> Path:
    assert cli(["template", "--lang", "zh", *args, "--out", str(path)]) == 0
    return path


def new_rows(ws: Any) -> list[int]:
    return [r for r in range(4, ws.max_row + 1) if ws.cell(row=r, column=1).value is None]


def put_school(ws: Any, r: int, entity: str, students: int | None) -> None:
    ws[f"A{r}"], ws[f"B{r}"] = entity, entity.upper()
    if students is not None:
        ws[f"D{r}"] = students


# --- 1. one template, one reader ---------------------------------------------------------------


def test_cli_template_is_excel_template(tmp_path: Path) -> None:
    """Before: the CLI added the referenced standards' indicators and excel_template did not, so
    the two workbooks differed and the CLI's could not be read (幼儿园!LW3: unknown indicator
    "preschool_social_recognition_rate")."""
    a = cli_template(tmp_path / "cli.xlsx")
    b = tmp_path / "py.xlsx"
    planeval.excel_template(planeval.example_plan(), b)
    wa, wb = openpyxl.load_workbook(a), openpyxl.load_workbook(b)
    assert wa.sheetnames == wb.sheetnames == ["说明", "幼儿园", "小学", "初中", "高中", "区级", "_planeval"]
    assert machine_rows(a) == machine_rows(b)
    meta = {r[0]: r[1] for r in wb["_planeval"].iter_rows(values_only=True)}
    assert meta["standards"] == ",".join(REFERENCED)
    # the 2017 standard's district criteria and the 2020 one's are columns of the area sheet
    area = codes(wb["区级"])
    for sid in ("government_guarantee_passed", "compulsory_social_recognition_rate"):
        assert f"{sid}|2023" in area
    # excel_template worked on a copy: the caller's plan is unchanged
    plan = planeval.example_plan()
    before = [i.id for i in plan.indicators]
    planeval.excel_template(plan, b)
    assert [i.id for i in plan.indicators] == before


@pytest.mark.parametrize("standard", planeval.builtin_standard_ids())
def test_empty_cli_template_reads_for_every_builtin_standard(tmp_path: Path, standard: str, capsys: Any) -> None:
    path = cli_template(tmp_path / "tpl.xlsx")
    capsys.readouterr()
    status = cli(["standard", standard, "--observations", str(path), "--year", "2023", "--format", "json"])
    out, err = capsys.readouterr()
    assert status == 0, err
    result = json.loads(out)
    assert result["standard"] == standard and result["passed"] is False  # no data: not passed


@pytest.mark.parametrize("plan_file", sorted(EXAMPLES.glob("*/plan.json")), ids=lambda p: p.parent.name)
def test_empty_template_of_every_example_plan_reads(tmp_path: Path, plan_file: Path) -> None:
    plan = planeval.load_plan(plan_file)
    path = tmp_path / "tpl.xlsx"
    planeval.excel_template(plan, path)
    reader = planeval.load_plan(plan_file)
    obs, report = planeval.read_excel(reader, path)
    assert len(obs) == 0 and report.rows == 0
    # the reader's plan gained the recorded standards' indicators: the same as the template's columns
    columns = {k.split("|")[0] for rows in machine_rows(path).values() for k in rows if k and "|" in k}
    columns -= {"entity"}
    assert columns <= {i.id for i in reader.indicators}
    for sid in sorted({t.standard for t in plan.targets if t.standard}):
        planeval.evaluate_standard(reader.standard(sid), reader, obs, period=plan.horizon.start.year)


def test_standards_argument_adds_a_standard(tmp_path: Path) -> None:
    plan = planeval.example_plan()
    path = tmp_path / "t.xlsx"
    planeval.excel_template(plan, path, standards=["basic_balance_2012"])
    meta = {r[0]: r[1] for r in openpyxl.load_workbook(path)["_planeval"].iter_rows(values_only=True)}
    assert meta["standards"] == ",".join([*REFERENCED, "basic_balance_2012"])
    primary = codes(openpyxl.load_workbook(path)["小学"])
    assert "books_per_student|2023" in primary  # a unit-level indicator of the 2012 standard only
    reader = planeval.example_plan()
    assert "books_per_student" not in {i.id for i in reader.indicators}
    planeval.read_excel(reader, path)
    assert reader.indicator("books_per_student").stages == ["小学", "初中"]
    with pytest.raises(planeval.Error, match='unknown standard "nope"'):
        planeval.excel_template(plan, path, standards=["nope"])


# --- 2. district-level values have a clear place -----------------------------------------------


def test_district_criteria_on_the_area_sheet_reach_the_standard(tmp_path: Path) -> None:
    path = cli_template(tmp_path / "tpl.xlsx")
    wb = openpyxl.load_workbook(path)
    ws = wb["区级"]
    assert ws["A4"].value == "baijiantan"  # the plan's area is the row
    assert ws["B1"].value == "名称（本表填全区数值）"
    readme = "\n".join(str(v) for row in wb["说明"].iter_rows(values_only=True) for v in row if v is not None)
    assert "督导评估标准中全区层面的指标（政府保障程度达到要求、教育质量达到要求、义务教育社会认可度" in readme
    assert "填在“区级”表全区这一行" in readme
    standard_id = "compulsory_quality_balance_2017"
    district = ("government_guarantee_passed", "education_quality_passed", "compulsory_social_recognition_rate")

    def missing(book: Path) -> list[str]:
        plan = planeval.example_plan()
        obs, _ = planeval.read_excel(plan, book)
        result = planeval.evaluate_standard(plan.standard(standard_id), plan, obs, period=2023)
        return sorted(r.indicator for r in result.reasons if "缺少" in r.message_zh)

    assert missing(path) == sorted(district)  # nothing typed: 缺少…数据 for each criterion
    c = codes(ws)
    ws[f"{c['government_guarantee_passed|2023']}4"] = "是"
    ws[f"{c['education_quality_passed|2023']}4"] = "是"
    ws[f"{c['compulsory_social_recognition_rate|2023']}4"] = 88.5
    wb.save(path)
    assert missing(path) == []
    plan = planeval.example_plan()
    obs, _ = planeval.read_excel(plan, path)
    result = planeval.evaluate_standard(plan.standard(standard_id), plan, obs, period=2023)
    assert not [r for r in result.reasons if r.indicator in district]  # 88.5 >= 85: met


# --- 3. weights follow the indicator's definition ----------------------------------------------

PRIMARY = [("p1", 300), ("p2", 400), ("p3", 500), ("p4", 600), ("p5", 700), ("p6", 800), ("p7", 900)]
JUNIOR = [("j1", 1000), ("j2", 1100), ("j3", 1200), ("j4", 1300)]
KINDERGARTENS = [("k1", 100), ("k2", 200), ("k3", 300), ("k4", 400)]


def weights_book(tmp_path: Path) -> Path:
    """11 campuses (7 primary, 4 junior) and 4 kindergartens typed into the template."""
    path = tmp_path / "weights.xlsx"
    planeval.excel_template(
        planeval.example_plan(),
        path,
        years=[2022, 2023],
        stages=["幼儿园", "小学", "初中"],
        indicators=[
            "gigabit_campus_rate",
            "compulsory_enrolment_rate",
            "party_member_teacher_share",
            "full_time_teacher_count",
            "graded_kindergarten_coverage_rate",
        ],
    )
    wb = openpyxl.load_workbook(path)
    for sheet, schools in (("小学", PRIMARY), ("初中", JUNIOR), ("幼儿园", KINDERGARTENS)):
        ws = wb[sheet]
        c = codes(ws)
        for r, (entity, students) in zip(new_rows(ws), schools):
            put_school(ws, r, entity, students)
            if sheet == "幼儿园":  # 3 of 4 kindergartens graded; the ungraded one is the smallest
                ws[f"{c['graded_kindergarten_coverage_rate|2023']}{r}"] = 0 if entity == "k1" else 100
                continue
            # gigabit: the two smallest campuses lack it
            ws[f"{c['gigabit_campus_rate|2023']}{r}"] = 0 if entity in ("p1", "p2") else 100
            ws[f"{c['compulsory_enrolment_rate|2023']}{r}"] = {"p1": 90, "j1": 95}.get(entity, 100)
            if entity == "p1":
                ws[f"{c['party_member_teacher_share|2023']}{r}"] = 50
                ws[f"{c['full_time_teacher_count|2023']}{r}"] = 40
            if entity == "p2":
                ws[f"{c['party_member_teacher_share|2023']}{r}"] = 25
                ws[f"{c['full_time_teacher_count|2023']}{r}"] = 10
            if entity == "p3":  # no teacher count for 2022 anywhere: weight 1, with a note
                ws[f"{c['party_member_teacher_share|2022']}{r}"] = 60
    wb.save(path)
    return path


def district_values(plan: planeval.Plan, obs: planeval.Observations, year: int) -> dict[str, float]:
    df = plan.rollup(obs, level="district")
    df = df[df["period_start"].dt.year == year]
    return {str(i): float(v) for i, v in zip(df["indicator"], df["value"])}


def test_weights_follow_weight_by(tmp_path: Path) -> None:
    path = weights_book(tmp_path)
    plan = planeval.example_plan()
    obs, report = planeval.read_excel(plan, path)
    got = district_values(plan, obs, 2023)
    # a share of campuses ("units"): 9 of 11 campuses = 81.8%, not 93.0% weighted by students
    # (student-weighted it would be (8800 - 300 - 400) / 8800 = 92.0%)
    assert got["gigabit_campus_rate"] == pytest.approx(100 * 9 / 11)  # 81.818...
    # 3 of 4 kindergartens: 75.0% (student-weighted: 900 / 1000 = 90%)
    assert got["graded_kindergarten_coverage_rate"] == pytest.approx(75.0)
    # student-weighted rate keeps its weighting: students 300..900 (primary, 4200) and 1000..1300
    # (junior, 4600), 8800 in all; (90*300 + 100*3900 + 95*1000 + 100*3600) / 8800
    # = (27000 + 390000 + 95000 + 360000) / 8800 = 872000 / 8800 = 99.0909...
    assert got["compulsory_enrolment_rate"] == pytest.approx(872000 / 8800)
    # weighted by the full-time teachers typed for the same school and year:
    # (50*40 + 25*10) / (40 + 10) = 2250 / 50 = 45.0 (by students: (50*300 + 25*400) / 700 = 35.7)
    assert got["party_member_teacher_share"] == pytest.approx(45.0)
    df = obs.to_frame(plan)
    weights = {
        (str(i), str(e), int(s.year)): float(w)
        for i, e, s, w in zip(df["indicator"], df["entity"], df["start"], df["weight"])
    }
    assert weights[("gigabit_campus_rate", "p7", 2023)] == 1.0
    assert weights[("compulsory_enrolment_rate", "p7", 2023)] == 900.0
    assert weights[("party_member_teacher_share", "p1", 2023)] == 40.0
    assert weights[("party_member_teacher_share", "p3", 2022)] == 1.0
    (note,) = [n for n in report.notes if n.code == "weight_assumed"]
    assert "party_member_teacher_share is weighted by full_time_teacher_count" in note.message
    assert "p3 2022" in note.message and note.message.endswith("weighted 1")
    assert "以 full_time_teacher_count 为权重" in note.message_zh
    assert len(note.rows) == 1


def test_target_value_uses_unit_weights(tmp_path: Path) -> None:
    path = weights_book(tmp_path)
    plan = planeval.example_plan()
    obs, _ = planeval.read_excel(plan, path)
    report = plan.evaluate(obs, as_of=dt.date(2023, 12, 31))
    t = report.target("gigabit_campus_network")
    assert t["actual"] == pytest.approx(100 * 9 / 11)  # 81.8%, 11 campuses
    assert t["trace"]["points"][0]["units"] == 11
    assert "千兆网接入校园 2023 年为 81.8%" in t["trace"]["sentence"]["zh"]


# --- 4. every sheet and row is accounted for ---------------------------------------------------


def filled_primary(tmp_path: Path, name: str = "book.xlsx") -> tuple[Path, Any]:
    """A template with 3 primary schools typed in: 3 values each for gigabit_campus_rate (2021-2023)
    and 1 for the district's education_investment."""
    path = tmp_path / name
    planeval.excel_template(
        planeval.example_plan(),
        path,
        stages=["小学", "district"],
        indicators=["gigabit_campus_rate", "education_investment"],
        years=[2021, 2022, 2023],
    )
    wb = openpyxl.load_workbook(path)
    ws = wb["小学"]
    c = codes(ws)
    for r, (entity, students) in zip(new_rows(ws), PRIMARY[:3]):
        put_school(ws, r, entity, students)
        for year in (2021, 2022, 2023):
            ws[f"{c[f'gigabit_campus_rate|{year}']}{r}"] = 100
    wb["区级"][f"{codes(wb['区级'])['education_investment|2022']}4"] = 3.5
    wb.save(path)
    return path, wb


def test_sheets_read_and_blank_rows_are_noted(tmp_path: Path) -> None:
    path, _ = filled_primary(tmp_path)
    obs, report = planeval.read_excel(planeval.example_plan(), path)
    assert report.rows == len(obs) == 10
    notes = {n.code: n for n in reversed(report.notes)}  # the first of each code
    # the read-me holds no data: not noted; the three schools' identical values are (the core's
    # likely_duplicate_entity, its rows named as cells)
    assert set(notes) == {"sheets_read", "blank_rows", "likely_duplicate_entity"}
    assert notes["likely_duplicate_entity"].message.startswith(
        'schools "p1" and "p2" have the same 3 values (cells 小学!E5, 小学!F5, 小学!G5, 小学!E6, 小学!F6 …)'
    )
    assert "（单元格 小学!E5、小学!F5、小学!G5、小学!E6、小学!F6 …）" in notes["likely_duplicate_entity"].message_zh
    assert notes["sheets_read"].message == f"{path}: read 小学 (9 values in 3 rows), 区级 (1 values in 1 rows)"
    assert notes["sheets_read"].message_zh == f"{path}：已读取 小学（3 行，9 个数值），区级（1 行，1 个数值）"
    # the whole-stage row (4) and the 7 rows left empty for new schools (8-14)
    assert notes["blank_rows"].message == f"{path}: 小学: 8 rows without values, read as not reported (rows 4, 8–14)"
    assert notes["blank_rows"].message_zh == f"{path}：小学：8 行没有填写数值，按未填报处理（第 4, 8–14 行）"


def test_a_sheet_without_its_machine_row_is_never_skipped_silently(tmp_path: Path) -> None:
    """Before: deleting a sheet's hidden machine row dropped the sheet without a word (1 of 10
    values read)."""
    path, wb = filled_primary(tmp_path)
    wb["小学"].delete_rows(3)
    wb.save(path)
    with pytest.raises(planeval.DataError) as e:
        planeval.read_excel(planeval.example_plan(), path)
    assert str(e.value).startswith(
        f"{path}: sheet 小学 has no machine row (row 3 with entity|<stage>, indicator_id|year ...) but looks "
        "like a template sheet (its header names '学校代码', '千兆网接入校园占比（%，填 0–100）'): 9 filled cells not read"
    )
    obs, report = planeval.read_excel(planeval.example_plan(), path, on_bad_row="collect")
    assert report.rows == len(obs) == 1  # the district's value
    (skipped,) = [n for n in report.notes if n.code == "sheet_skipped"]
    assert "9 filled cells not read" in skipped.message and "9 个已填单元格未读取" in skipped.message_zh
    # the machine row's first cell edited: the same
    path, wb = filled_primary(tmp_path, "edited.xlsx")
    wb["小学"]["A3"] = "学校"
    wb.save(path)
    with pytest.raises(planeval.DataError, match="sheet 小学 has no machine row .* 9 filled cells not read"):
        planeval.read_excel(planeval.example_plan(), path)


def test_sheets_that_are_not_data_but_hold_numbers_are_named(tmp_path: Path) -> None:
    path, wb = filled_primary(tmp_path)
    notes = wb.create_sheet("备注")
    notes["A1"], notes["B2"], notes["B3"] = "学校自查", 12, "85%"
    wb.create_sheet("空白")["A1"] = "only words"
    wb.save(path)
    obs, report = planeval.read_excel(planeval.example_plan(), path)
    assert len(obs) == 10
    ignored = [n for n in report.notes if n.code == "sheet_ignored"]
    assert [n.message for n in ignored] == [
        f"{path}: sheet 备注 is not data (neither a template sheet nor a tidy sheet) and was not read, "
        "though it holds 2 cells with numbers"
    ]


def test_a_tidy_sheet_in_a_template_is_not_dropped(tmp_path: Path) -> None:
    path, wb = filled_primary(tmp_path)
    tidy = wb.create_sheet("补充")
    tidy.append(["indicator", "entity", "year", "value"])
    tidy.append(["gigabit_campus_rate", "no13_middle_school", 2024, 100])
    wb.save(path)
    with pytest.raises(planeval.DataError, match=r"sheet 补充 is a tidy sheet .* its 1 rows were not read"):
        planeval.read_excel(planeval.example_plan(), path)
    _, report = planeval.read_excel(planeval.example_plan(), path, on_bad_row="collect")
    assert [n.code for n in report.notes].count("sheet_skipped") == 1
    obs, _ = planeval.read_excel(planeval.example_plan(), path, sheet="补充")
    assert len(obs) == 1


# --- 5. several workbooks at once --------------------------------------------------------------


def school_book(tmp_path: Path, name: str, entity: str, students: int, value: float) -> Path:
    path = tmp_path / name
    planeval.excel_template(
        planeval.example_plan(), path, stages=["小学"], indicators=["gigabit_campus_rate"], years=[2023]
    )
    wb = openpyxl.load_workbook(path)
    ws = wb["小学"]
    r = new_rows(ws)[0]
    put_school(ws, r, entity, students)
    ws[f"{codes(ws)['gigabit_campus_rate|2023']}{r}"] = value
    wb.save(path)
    return path


def test_several_workbooks_read_as_one(tmp_path: Path) -> None:
    a = school_book(tmp_path, "a.xlsx", "p1", 300, 100)
    b = school_book(tmp_path, "b.xlsx", "p2", 400, 0)
    plan = planeval.example_plan()
    obs, report = planeval.read_excel(plan, [a, b])
    assert (report.rows, report.accepted, len(obs)) == (2, 2, 2)
    assert report.added_entities == ["p1", "p2"]
    assert district_values(plan, obs, 2023)["gigabit_campus_rate"] == 50.0  # 1 of 2 campuses
    read = [n.message for n in report.notes if n.code == "sheets_read"]
    assert read == [f"{a}: read 小学 (1 values in 1 rows)", f"{b}: read 小学 (1 values in 1 rows)"]
    # the same school in two files: an identical repeat is a duplicate, a different value a conflict
    c = school_book(tmp_path, "c.xlsx", "p1", 300, 100)
    obs, report = planeval.read_excel(planeval.example_plan(), [a, c])
    assert (report.rows, report.accepted, report.duplicates) == (2, 1, 1)
    d = school_book(tmp_path, "d.xlsx", "p1", 300, 90)
    with pytest.raises(planeval.DataError) as e:
        planeval.read_excel(planeval.example_plan(), [a, d])
    assert str(e.value).startswith(f"{a}: 小学!E5 (gigabit_campus_rate 2023, p1): ")
    assert f"as [{d}]小学!E5 with a different value" in str(e.value)
    _, report = planeval.read_excel(planeval.example_plan(), [a, d], on_bad_row="collect")
    assert [r.message.split(" (")[0] for r in report.rejected] == [f"[{a}]小学!E5", f"[{d}]小学!E5"]
    assert f"as [{a}]小学!E5 with a different value" in report.rejected[1].message


def test_read_observations_csv_and_excel(tmp_path: Path) -> None:
    a = school_book(tmp_path, "a.xlsx", "p1", 300, 100)
    csv = tmp_path / "more.csv"
    csv.write_text(
        "indicator,entity,year,value,weight,parent,students\n"
        "gigabit_campus_rate,p2,2023,0,1,stage_primary,400\n"
        "\n"
        "gigabit_campus_rate,p3,2023,100,1,stage_primary,500\n",
        encoding="utf-8",
    )
    plan = planeval.example_plan()
    obs, report = planeval.read_observations(plan, [a, csv])
    assert (report.rows, report.accepted) == (3, 3)
    assert district_values(plan, obs, 2023)["gigabit_campus_rate"] == pytest.approx(200 / 3)
    assert f"{csv}: 1 blank lines skipped (lines 3)" in [n.message for n in report.notes]
    # one CSV file: read_csv itself
    alone, rep = planeval.read_observations(planeval.example_plan(), csv)
    assert len(alone) == 2 and rep.rows == 2
    # a conflict between a CSV line and a workbook cell names both
    csv.write_text("indicator,entity,year,value,weight\ngigabit_campus_rate,p1,2023,90,1\n", encoding="utf-8")
    _, report = planeval.read_observations(planeval.example_plan(), [a, csv], on_bad_row="collect")
    assert [r.message.split(" (")[0] for r in report.rejected] == [f"[{a}]小学!E5", f"[{csv}] line 2, column value"]
    with pytest.raises(planeval.DataError, match=r"notes\.txt: expected a \.csv or \.xlsx file"):
        planeval.read_observations(planeval.example_plan(), [a, tmp_path / "notes.txt"])


# --- 6. old and misnamed files -----------------------------------------------------------------


def test_xls_xlsm_and_csv_named_xlsx(tmp_path: Path) -> None:
    xls = tmp_path / "book.xls"
    xls.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))  # an OLE2 (Excel 97-2003) header
    with pytest.raises(planeval.DataError) as e:
        planeval.read_excel(planeval.example_plan(), xls)
    assert str(e.value) == (
        f"{xls}: an Excel 97–2003 .xls workbook: save it as .xlsx "
        "(文件 → 另存为 → Excel 工作簿; File → Save As → Excel Workbook)"
    )
    renamed = tmp_path / "old.xlsx"  # an .xls renamed .xlsx: the same message
    renamed.write_bytes(xls.read_bytes())
    with pytest.raises(planeval.DataError, match="an Excel 97–2003 .xls workbook"):
        planeval.read_excel(planeval.example_plan(), renamed)
    # .xlsm reads as .xlsx
    path = school_book(tmp_path, "a.xlsx", "p1", 300, 100)
    xlsm = tmp_path / "a.xlsm"
    xlsm.write_bytes(path.read_bytes())
    obs, _ = planeval.read_excel(planeval.example_plan(), xlsm)
    assert obs.value.tolist() == [100.0]
    # a CSV file named .xlsx
    fake = tmp_path / "data.xlsx"
    fake.write_text("indicator,entity,year,value\ngigabit_campus_rate,p1,2023,100\n", encoding="utf-8")
    with pytest.raises(planeval.DataError) as e:
        planeval.read_excel(planeval.example_plan(), fake)
    assert str(e.value).startswith(
        f"{fake}: a text (CSV) file named .xlsx: expected an Excel .xlsx file; rename it .csv and read it "
        "with planeval.read_csv"
    )
