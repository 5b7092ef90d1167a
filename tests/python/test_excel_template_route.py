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
def test_empty_cli_template_reads_for_every_builtin_standard(
    tmp_path: Path, standard: str, capsys: Any
) -> None:
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
    assert (
        "督导评估标准中全区层面的指标（政府保障程度达到要求、教育质量达到要求、义务教育社会认可度" in readme
    )
    assert "填在“区级”表全区这一行" in readme
    standard_id = "compulsory_quality_balance_2017"
    district = (
        "government_guarantee_passed",
        "education_quality_passed",
        "compulsory_social_recognition_rate",
    )

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
        'schools "p1" and "p2" have the same 3 values '
        "(cells 小学!E5, 小学!F5, 小学!G5, 小学!E6, 小学!F6 … (1 more))"
    )
    assert notes["likely_duplicate_entity"].message_zh.startswith(
        '学校 "p1" 与 "p2" 有 3 个数值完全相同（单元格 小学!E5、小学!F5、小学!G5、小学!E6、小学!F6 等 6 处）'
    )
    assert (
        notes["sheets_read"].message == f"{path}: read 小学 (9 values in 3 rows), 区级 (1 values in 1 rows)"
    )
    assert notes["sheets_read"].message_zh == f"{path}：已读取 小学（3 行，9 个数值），区级（1 行，1 个数值）"
    # the whole-stage row (4) and the 7 rows left empty for new schools (8-14)
    assert (
        notes["blank_rows"].message
        == f"{path}: 小学: 8 rows without values, read as not reported (rows 4, 8–14)"
    )
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
        "like a template sheet (its header names '学校代码', '千兆网接入校园占比（%，填 0–100）'): "
        "9 filled cells not read"
    )
    obs, report = planeval.read_excel(planeval.example_plan(), path, on_bad_row="collect")
    assert report.rows == len(obs) == 1  # the district's value
    (skipped,) = [n for n in report.notes if n.code == "sheet_skipped"]
    assert "9 filled cells not read" in skipped.message and "9 个已填单元格未读取" in skipped.message_zh
    # the machine row's first cell edited: the same
    path, wb = filled_primary(tmp_path, "edited.xlsx")
    wb["小学"]["A3"] = "学校"
    wb.save(path)
    with pytest.raises(planeval.DataError, match=r"sheet 小学 has no machine row .* 9 filled cells not read"):
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
    assert [r.message.split(" (")[0] for r in report.rejected] == [
        f"[{a}]小学!E5",
        f"[{csv}] line 2, column value",
    ]
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
    with pytest.raises(planeval.DataError, match=r"an Excel 97–2003 \.xls workbook"):
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


# --- 8. the same verdicts both ways ------------------------------------------------------------

#: What schools type: sheet, id, name, students, {(indicator, year): value}.
SCHOOLS: list[tuple[str, str, str, int, dict[tuple[str, int], float]]] = []
for k, (entity, students) in enumerate(PRIMARY[:4] + JUNIOR[:3]):
    stage = "小学" if entity.startswith("p") else "初中"
    low = k == 0  # one school below several of the 2017 standard's floors
    SCHOOLS.append(
        (
            stage,
            entity,
            f"第{k + 1}学校",
            students,
            {
                ("gigabit_campus_rate", 2023): 0.0 if k in (1, 4) else 100.0,
                ("compulsory_enrolment_rate", 2023): 97.0 + k * 0.4,
                ("full_time_teacher_count", 2023): 20.0 + 3 * k,
                ("party_member_teacher_share", 2023): 30.0 + 2.5 * k,
                ("party_member_teacher_share", 2022): 28.0 + 2 * k,
                ("full_time_teacher_count", 2022): 18.0 + 3 * k,
                ("qualified_teachers_per_100", 2023): 3.9 if low else 5.5 + 0.1 * k,
                ("backbone_teachers_per_100", 2023): 1.2 + 0.05 * k,
                ("pe_arts_teachers_per_100", 2023): 0.95 + 0.02 * k,
                ("teaching_space_per_student", 2023): 4.0 if low else 6.0 + 0.2 * k,
                ("sports_space_per_student", 2023): 11.0 + 0.3 * k,
                ("equipment_value_per_student", 2023): 2600.0 + 40 * k,
                ("multimedia_rooms_per_100", 2023): 2.5 + 0.1 * k,
            },
        )
    )
for k, (entity, students) in enumerate(KINDERGARTENS):
    SCHOOLS.append(
        (
            "幼儿园",
            entity,
            f"第{k + 1}幼儿园",
            students,
            {("graded_kindergarten_coverage_rate", 2023): 0.0 if k == 0 else 100.0},
        )
    )
#: What the bureau types on the area sheet (district criteria) and the kindergarten stage row.
DISTRICT = {
    ("government_guarantee_passed", 2023): 1.0,
    ("education_quality_passed", 2023): 1.0,
    ("compulsory_social_recognition_rate", 2023): 87.5,
    ("preschool_social_recognition_rate", 2023): 91.0,
}
STAGE_ROW = {("preschool_gross_enrolment_rate", 2023): 92.5}


def type_into_template(path: Path) -> None:
    """Type the data into the CLI's template as a school and the bureau would."""
    wb = openpyxl.load_workbook(path)
    for sheet in ("幼儿园", "小学", "初中"):
        ws = wb[sheet]
        c = codes(ws)
        rows = iter(new_rows(ws))
        for stage, entity, name, students, values in SCHOOLS:
            if stage != sheet:
                continue
            r = next(rows)
            ws[f"A{r}"], ws[f"B{r}"], ws[f"D{r}"] = entity, name, students
            for (ind, year), v in values.items():
                ws[f"{c[f'{ind}|{year}']}{r}"] = v
    kg = wb["幼儿园"]
    assert kg["A4"].value == "stage_kindergarten"
    for (ind, year), v in STAGE_ROW.items():
        kg[f"{codes(kg)[f'{ind}|{year}']}4"] = v
    area = wb["区级"]
    for (ind, year), v in DISTRICT.items():  # yes/no typed as 是/否
        area[f"{codes(area)[f'{ind}|{year}']}4"] = ("是" if v else "否") if ind.endswith("_passed") else v
    wb.save(path)


def write_tidy_csv(path: Path) -> None:
    """The same data as a tidy CSV file, with the weights a bureau's file carries: a school's
    students for student-weighted indicators, 1 for shares of campuses ("units"), the school's
    full-time teachers for the teacher shares, 1 for the stage and district totals."""
    plan = planeval.example_plan()
    parents = {"小学": "stage_primary", "初中": "stage_junior", "幼儿园": "stage_kindergarten"}
    lines = ["indicator,entity,year,value,weight,parent,entity_name,entity_kind,stage,students"]
    for stage, entity, name, students, values in SCHOOLS:
        kind = "kindergarten" if stage == "幼儿园" else "school"
        for (ind, year), v in values.items():
            by = plan.indicator(ind).weight_by if ind in {i.id for i in plan.indicators} else ""
            weight = 1.0 if by == "units" else values[(by, year)] if by not in ("", "students") else students
            lines.append(
                f"{ind},{entity},{year},{v},{weight},{parents[stage]},{name},{kind},{stage},{students}"
            )
    for (ind, year), v in STAGE_ROW.items():
        lines.append(f"{ind},stage_kindergarten,{year},{v},1,,,,,")
    for (ind, year), v in DISTRICT.items():
        text = ("true" if v else "false") if ind.endswith("_passed") else str(v)
        lines.append(f"{ind},baijiantan,{year},{text},1,,,,,")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def verdicts(plan: planeval.Plan, obs: planeval.Observations) -> tuple[Any, ...]:
    report = plan.evaluate(obs, as_of=dt.date(2023, 12, 31))
    targets = sorted(
        (t["id"], t["status"], None if t["actual"] is None else round(t["actual"], 9)) for t in report.targets
    )
    standards = []
    for sid in planeval.builtin_standard_ids():
        plan.add_standard_indicators(plan.standard(sid))
        r = planeval.evaluate_standard(plan.standard(sid), plan, obs, period=2023)
        standards.append(
            (sid, r.passed, sorted((x.code, x.unit, x.indicator, x.message_zh) for x in r.reasons))
        )
    return targets, standards


def test_template_and_tidy_csv_give_the_same_verdicts(tmp_path: Path) -> None:
    xlsx = cli_template(tmp_path / "filled.xlsx")
    type_into_template(xlsx)
    csv = tmp_path / "tidy.csv"
    write_tidy_csv(csv)
    from_excel = planeval.example_plan()
    obs_x, rep_x = planeval.read_excel(from_excel, xlsx)
    from_csv = planeval.example_plan()
    for sid in REFERENCED:  # what read_excel does with the standards the template records
        from_csv.add_standard_indicators(from_csv.standard(sid))
    obs_c, rep_c = planeval.read_csv(from_csv, csv)
    n = sum(len(v) for *_, v in SCHOOLS) + len(DISTRICT) + len(STAGE_ROW)
    assert rep_x.accepted == rep_c.accepted == n == 100  # 7 schools × 13 + 4 kindergartens + 4 + 1
    targets_x, standards_x = verdicts(from_excel, obs_x)
    targets_c, standards_c = verdicts(from_csv, obs_c)
    assert targets_x == targets_c
    assert standards_x == standards_c
    by_id = {t: (status, actual) for t, status, actual in targets_x}
    assert by_id["gigabit_campus_network"][1] == pytest.approx(100 * 5 / 7)  # 5 of 7 campuses: 71.4%
    assert by_id["graded_kindergarten_coverage_2024"][1] == pytest.approx(75.0)  # 3 of 4 kindergartens
    # 2023 party-member teachers, weighted by the teachers: Σ share·teachers / Σ teachers over the
    # 7 schools, shares 30 + 2.5k and teachers 20 + 3k (k = 0..6): Σ teachers = 140 + 63 = 203,
    # Σ share·teachers = Σ (600 + 140k + 7.5k²) = 4200 + 140·21 + 7.5·91 = 4200 + 2940 + 682.5 = 7822.5
    assert by_id["party_member_teacher_share_2025"][1] == pytest.approx(7822.5 / 203)  # 38.54%
    sid, passed, reasons = standards_x[1]
    assert sid == "compulsory_quality_balance_2017" and passed is False
    # the district criteria typed on 区级 are used (no 缺少…数据); the one school below two floors
    # (qualified teachers 3.9 < 4.2, teaching space 4.0 < 4.5) meets 5 of 7 criteria
    assert reasons == [("unit_too_few_met", "p1", "", "小学 第1学校：7 项指标中 5 项达标，少于 6 项")]
    # the 2020 preschool standard reads the gross enrolment rate typed on the 幼儿园 whole-stage row
    # and the recognition rate typed on 区级; the two criteria nobody typed are missing
    sid, passed, reasons = standards_x[2]
    assert sid == "preschool_universal_inclusive_2020" and passed is False
    assert [r[2] for r in reasons] == [
        "inclusive_kindergarten_coverage_rate",
        "public_kindergarten_enrolment_share",
    ]


# --- 7. a data-checking workbook per school ----------------------------------------------------


def sheet_rows(path: str, title: str) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in openpyxl.load_workbook(path)[title].iter_rows(values_only=True)]


def test_check_reports_per_school(tmp_path: Path) -> None:
    path = tmp_path / "returned.xlsx"
    planeval.excel_template(
        planeval.example_plan(),
        path,
        stages=["小学"],
        indicators=["gigabit_campus_rate", "compulsory_enrolment_rate", "full_time_teacher_count"],
        years=[2023],
    )
    wb = openpyxl.load_workbook(path)
    ws = wb["小学"]
    c = codes(ws)
    r1, r2, r3 = new_rows(ws)[:3]
    put_school(ws, r1, "p1", 300)
    put_school(ws, r2, "p2", 400)
    put_school(ws, r3, "p3", None)  # no students
    gig, rate, teachers = (
        c["gigabit_campus_rate|2023"],
        c["compulsory_enrolment_rate|2023"],
        c["full_time_teacher_count|2023"],
    )
    ws[f"{gig}{r1}"], ws[f"{teachers}{r1}"] = 100, 25
    ws[f"{gig}{r2}"], ws[f"{teachers}{r2}"] = 0, "二十"  # text in a count: rejected
    ws[f"{rate}{r3}"] = 99.5  # student-weighted without students: weight assumed
    wb.save(path)
    out = tmp_path / "checks"
    plan = planeval.example_plan()
    before = [e.id for e in plan.entities]
    written = planeval.write_check_reports(plan, path, out)
    assert [e.id for e in plan.entities] == before  # the caller's plan is not changed
    assert written[""] == str(out / "check_all.xlsx")
    assert {"p1", "p2", "p3", "no13_middle_school"} <= set(written)
    # p1: two values read, with their cells; nothing rejected
    assert sheet_rows(written["p1"], "已读取") == [
        ("指标代码", "指标名称", "年份", "数值", "单元格"),
        ("full_time_teacher_count", "专任教师数", "2023", 25, f"小学!{teachers}{r1}"),  # left to right
        ("gigabit_campus_rate", "千兆网接入校园占比", "2023", 100, f"小学!{gig}{r1}"),
    ]
    assert sheet_rows(written["p1"], "未读取") == [("单元格", "原因", "说明"), ("（无）", None, None)]
    # p2: the text cell is rejected, named, with why
    ((cell, reason, message),) = sheet_rows(written["p2"], "未读取")[1:]
    assert (cell, reason) == (f"小学!{teachers}{r2}", "wrong_type")
    assert message.startswith(f"小学!{teachers}{r2} (full_time_teacher_count 2023, p2): expected a number")
    assert len(sheet_rows(written["p2"], "已读取")) == 2  # the header and gigabit_campus_rate
    # p3: the assumed weight is noted in its workbook
    ((code, note),) = sheet_rows(written["p3"], "提示")[1:]
    assert code == "weight_assumed" and "按权重 1 计" in note and f"D{r3}" in note
    # a school of the plan that sent nothing gets a workbook saying so
    assert sheet_rows(written["no13_middle_school"], "已读取")[1:] == [("（无）", None, None, None, None)]
    about = dict(sheet_rows(written["p2"], "说明")[2:])
    assert about["学校"] == "P2（p2）" and about[None] == "已读取 1 个数值，1 个未读取，0 条提示。"
    # the bureau's workbook: everything, and the notes of no one school
    assert len(sheet_rows(written[""], "已读取")) == 1 + 4
    codes_all = [r[0] for r in sheet_rows(written[""], "提示")[1:]]
    assert "sheets_read" in codes_all and "blank_rows" in codes_all and "weight_assumed" in codes_all


def test_fractions_typed_for_percentages_are_noted_by_cell(tmp_path: Path) -> None:
    """The core's implausible_scale note (0.989 typed for 98.9%) reaches read_excel, its rows named
    as cells."""
    path = tmp_path / "t.xlsx"
    planeval.excel_template(
        planeval.example_plan(), path, stages=["小学"], indicators=["compulsory_enrolment_rate"], years=[2023]
    )
    wb = openpyxl.load_workbook(path)
    ws = wb["小学"]
    col = codes(ws)["compulsory_enrolment_rate|2023"]
    r1, r2 = new_rows(ws)[:2]
    put_school(ws, r1, "p1", 300)
    put_school(ws, r2, "p2", 400)
    ws[f"{col}{r1}"], ws[f"{col}{r2}"] = 0.989, 0.95
    wb.save(path)
    obs, report = planeval.read_excel(planeval.example_plan(), path)
    assert obs.value.tolist() == [0.989, 0.95]  # read as typed, and said
    (note,) = [n for n in report.notes if n.code == "implausible_scale"]
    assert note.rows == [0, 1]
    assert note.message == (
        'values of "compulsory_enrolment_rate" look like fractions (0.989 for 98.9%?): percentages are 0–100 '
        f"(cells 小学!{col}{r1}, 小学!{col}{r2})"
    )
    assert note.message_zh.endswith(f"百分比应在 0–100 之间（单元格 小学!{col}{r1}、小学!{col}{r2}）")


def test_count_weights_typed_as_text(tmp_path: Path) -> None:
    """A teacher count typed as text with a thousands separator or full-width digits weighs as the
    number it is (the core reads such cells; the weight must agree)."""
    path = tmp_path / "t.xlsx"
    planeval.excel_template(
        planeval.example_plan(),
        path,
        stages=["小学"],
        indicators=["party_member_teacher_share", "full_time_teacher_count"],
        years=[2023],
    )
    wb = openpyxl.load_workbook(path)
    ws = wb["小学"]
    c = codes(ws)
    share, teachers = c["party_member_teacher_share|2023"], c["full_time_teacher_count|2023"]
    r1, r2 = new_rows(ws)[:2]
    put_school(ws, r1, "p1", 3000)
    put_school(ws, r2, "p2", 800)
    ws[f"{share}{r1}"], ws[f"{teachers}{r1}"] = 50, "1,000"
    ws[f"{share}{r2}"], ws[f"{teachers}{r2}"] = 20, "２５０"  # full-width digits
    wb.save(path)
    plan = planeval.example_plan()
    obs, report = planeval.read_excel(plan, path)
    # (50 * 1000 + 20 * 250) / (1000 + 250) = 55000 / 1250 = 44.0
    assert district_values(plan, obs, 2023)["party_member_teacher_share"] == pytest.approx(44.0)
    assert not [n for n in report.notes if n.code == "weight_assumed"]


@pytest.mark.parametrize("plan_file", sorted(EXAMPLES.glob("*/plan.json")), ids=lambda p: p.parent.name)
def test_every_builtin_standard_on_every_example_plans_empty_template(
    tmp_path: Path, plan_file: Path
) -> None:
    """Each builtin standard's template of each example plan reads back; the standard is judged
    (not passed: no data) where the plan has a county or district, and otherwise asks for a scope."""
    path = tmp_path / "tpl.xlsx"
    counties = {"district", "county"} & {e.kind for e in planeval.load_plan(plan_file).entities}
    for sid in planeval.builtin_standard_ids():
        planeval.excel_template(planeval.load_plan(plan_file), path, standards=[sid])
        reader = planeval.load_plan(plan_file)
        obs, report = planeval.read_excel(reader, path)
        assert report.rows == 0
        if counties:
            assert planeval.evaluate_standard(reader.standard(sid), reader, obs, period=2023).passed is False
        else:
            with pytest.raises(planeval.Error, match="no entity of kind district or county"):
                planeval.evaluate_standard(reader.standard(sid), reader, obs, period=2023)
