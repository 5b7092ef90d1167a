"""Excel in and out: excel_template writes a data-entry workbook, read_excel reads it (or a tidy
sheet) back through the same ingestion as read_csv, with errors located by sheet and cell."""

from __future__ import annotations

import datetime as dt
import json
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import planeval
from planeval._excel import excel_template, read_excel

openpyxl = pytest.importorskip("openpyxl")
pd = pytest.importorskip("pandas")

PLAN_ID = "baijiantan-education-14th-fyp"
YEARS = [2020, 2021, 2022, 2023, 2024, 2025]
SHARES = ("school_teacher_post_structure", "kindergarten_teacher_post_structure")


def codes(ws: Any) -> dict[str, str]:
    """The machine row (row 3): code -> column letter."""
    return {c.value: c.column_letter for c in ws[3] if c.value is not None}


def row_of(ws: Any, entity: str) -> int:
    for r in range(4, ws.max_row + 1):
        if ws.cell(row=r, column=1).value == entity:
            return r
    raise AssertionError(f"no row for {entity}")


def new_rows(ws: Any) -> list[int]:
    """The empty rows left for new schools."""
    return [r for r in range(4, ws.max_row + 1) if ws.cell(row=r, column=1).value is None]


def frame_rows(obs: planeval.Observations, plan: planeval.Plan) -> list[tuple[str, str, int, float, float]]:
    df = obs.to_frame(plan)
    return sorted(
        (str(i), str(e), int(s.year), float(v), float(w))
        for i, e, s, v, w in zip(df["indicator"], df["entity"], df["start"], df["value"], df["weight"])
    )


@pytest.fixture(scope="module")
def full_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The template of the whole Baijiantan plan (written once for the module)."""
    path = tmp_path_factory.mktemp("excel") / "baijiantan.xlsx"
    excel_template(planeval.example_plan(), path)
    return path


@pytest.fixture(scope="module")
def full_book(full_template: Path) -> Any:
    return openpyxl.load_workbook(full_template)


# --- the template ------------------------------------------------------------------------------


def test_template_sheets_and_read_me(full_book: Any) -> None:
    assert full_book.sheetnames == ["说明", "幼儿园", "小学", "初中", "高中", "区级", "_planeval"]
    assert full_book.active.title == "说明"
    assert full_book["_planeval"].sheet_state == "hidden"
    meta = {r[0]: r[1] for r in full_book["_planeval"].iter_rows(values_only=True)}
    assert meta["format"] == "planeval-excel-template"
    assert meta["plan_id"] == PLAN_ID
    assert meta["years"] == "2020,2021,2022,2023,2024,2025"
    # the standards the plan's targets reference: read_excel adds their indicators to the plan
    assert meta["standards"] == "compulsory_quality_balance_2017,preschool_universal_inclusive_2020"
    assert meta["generated"] == dt.date.today().isoformat()
    readme = [v for row in full_book["说明"].iter_rows(values_only=True) for v in row if v is not None]
    text = "\n".join(map(str, readme))
    assert PLAN_ID in readme
    assert "白碱滩区（克拉玛依高新区）教育事业改革与发展“十四五”规划（2021-2025年）" in readme
    assert "2020–2025（2020 为基线年）" in readme
    assert "空白单元格表示“未填报”" in text and "它不是 0" in text
    assert "85.5 表示 85.5%" in text
    assert dt.date.today().isoformat() in text
    # shares cannot be one number: left out, and said so
    assert "school_teacher_post_structure" in text
    # the indicator list: one row per indicator with its sheets
    rows = {r[0]: r for r in full_book["说明"].iter_rows(values_only=True) if r[0]}
    assert rows["compulsory_enrolment_rate"][1:] == (
        "义务教育入学率",
        "%",
        "0–100 的数（85.5 即 85.5%）",
        "小学、初中",
    )
    assert rows["education_investment"][4] == "区级"


def test_template_stage_sheet_layout(full_book: Any) -> None:
    ws = full_book["小学"]
    assert ws.freeze_panes == "E4"
    assert ws.row_dimensions[3].hidden
    assert [ws.cell(row=3, column=c).value for c in range(1, 5)] == [
        "entity|小学",
        "entity_name",
        "parent",
        "students",
    ]
    c = codes(ws)
    # indicator x year columns, years in row 2, name and unit in row 1
    letters = [c[f"compulsory_enrolment_rate|{y}"] for y in YEARS]
    assert [ws[f"{x}2"].value for x in letters] == YEARS
    assert ws[f"{letters[0]}1"].value == "义务教育入学率（%，填 0–100）"
    # number formats by unit, on the columns (percentages as plain 0-100 numbers)
    assert ws.column_dimensions[letters[0]].number_format == "0.0"
    assert ws.column_dimensions[c["assoc_senior_title_teacher_count|2021"]].number_format == "0"
    assert ws.column_dimensions[c["performance_pay_total|2021"]].number_format == "0.00"
    # only indicators concerning the stage; no shares
    ids = {k.split("|")[0] for k in c if "|" in k and not k.startswith("entity")}
    plan = planeval.example_plan()
    assert ids == {i.id for i in plan.indicators if "小学" in i.stages and i.kind != "shares"}
    assert "preschool_gross_enrolment_rate|2021" not in c
    for sheet in ("幼儿园", "小学", "初中", "高中", "区级"):
        assert not any(k.startswith(SHARES) for k in codes(full_book[sheet]))
    # rows: the whole stage, then 10 empty rows with the stage as default parent
    assert [ws.cell(row=4, column=k).value for k in range(1, 4)] == [
        "stage_primary",
        "小学（学段合计）",
        "baijiantan",
    ]
    assert new_rows(ws) == list(range(5, 15))
    assert {ws.cell(row=r, column=3).value for r in new_rows(ws)} == {"stage_primary"}
    # the plan's school sits on its stage's sheet
    senior = full_book["高中"]
    r = row_of(senior, "no13_middle_school")
    assert [senior.cell(row=r, column=k).value for k in range(1, 4)] == [
        "no13_middle_school",
        "第十三中学",
        "stage_senior",
    ]
    # booleans: a 是/否 list
    kinds = {dv.type: dv for dv in ws.data_validations.dataValidation}
    assert kinds["list"].formula1 == '"是,否"'
    assert c["smart_safe_campus|2021"] + "5" in kinds["list"].sqref


def test_template_district_sheet(full_book: Any) -> None:
    ws = full_book["区级"]
    assert ws["A3"].value == "entity|"
    assert [ws.cell(row=4, column=k).value for k in range(1, 4)] == [
        "baijiantan",
        "白碱滩区（克拉玛依高新区）",
        "karamay",
    ]
    assert ws.max_row == 4  # the district only, no rows for new schools
    assert ws["B1"].value == "名称（本表填全区数值）"
    plan = planeval.example_plan()
    ids = {k.split("|")[0] for k in codes(ws) if "|" in k and not k.startswith("entity")}
    # the plan's indicators without a stage, and the district-level criteria of the standards its
    # targets reference (政府保障程度, 教育质量, 社会认可度: level "district", no stage)
    assert ids == {i.id for i in plan.indicators if not i.stages} | {
        "government_guarantee_passed",
        "education_quality_passed",
        "compulsory_social_recognition_rate",
        "preschool_social_recognition_rate",
    }


def test_template_options(tmp_path: Path) -> None:
    plan = planeval.example_plan()
    path = tmp_path / "t.xlsx"
    excel_template(plan, path, years=[2023, 2021], stages=["primary", "district"], lang="en")
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["Read me", "Primary", "District", "_planeval"]
    ws = wb["Primary"]
    assert ws["A1"].value == "School id"
    c = codes(ws)
    assert [ws[f"{c[f'compulsory_enrolment_rate|{y}']}2"].value for y in (2021, 2023)] == [2021, 2023]
    assert "compulsory_enrolment_rate|2022" not in c
    assert (
        ws[f"{c['compulsory_enrolment_rate|2021']}1"].value
        == "Compulsory-education enrolment rate (%, 0–100)"
    )
    assert ws["A4"].value == "stage_primary" and ws["B4"].value == "Primary stage (whole stage)"
    with pytest.raises(planeval.Error, match="2026 is outside the years data may cover, 1900–2025"):
        excel_template(plan, path, years=[2026])
    # history before the plan has columns of its own (2016-2019 figures for trends), read back
    excel_template(plan, path, years=[2018, 2021], stages=["小学"])
    ws = openpyxl.load_workbook(path)["小学"]
    c = codes(ws)
    assert "compulsory_enrolment_rate|2018" in c
    ws[f"{c['compulsory_enrolment_rate|2018']}4"] = 97.5
    ws.parent.save(path)
    obs, _ = read_excel(planeval.example_plan(), path)
    assert obs.value.tolist() == [97.5]
    with pytest.raises(planeval.Error, match="expected stage names"):
        excel_template(plan, path, stages=["大学"])
    with pytest.raises(planeval.Error, match="unknown indicator 'nope'"):
        excel_template(plan, path, indicators=["nope"])
    with pytest.raises(planeval.Error, match='lang: expected "zh" or "en"'):
        excel_template(plan, path, lang="fr")
    with pytest.raises(planeval.Error, match="cannot write"):
        excel_template(plan, tmp_path / "no" / "such" / "dir.xlsx", stages=["高中"], years=[2021])


# --- round trip --------------------------------------------------------------------------------


def test_round_trip_full_template(full_template: Path, tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(full_template)
    expected: list[tuple[str, str, int, float, float]] = []

    # 小学: two new schools; every row with an id gets values in some columns
    ws = wb["小学"]
    c = codes(ws)
    r1, r2 = new_rows(ws)[:2]
    ws[f"A{r1}"], ws[f"B{r1}"], ws[f"D{r1}"] = "ps_new_1", "新一小", 800
    ws[f"A{r2}"], ws[f"B{r2}"], ws[f"D{r2}"] = "ps_new_2", "新二小", 600
    for year, base in ((2021, 10), (2022, 12), (2023, 15)):
        col = c[f"assoc_senior_title_teacher_count|{year}"]
        ws[f"{col}{r1}"], ws[f"{col}{r2}"] = base, base + 1
        expected += [
            ("assoc_senior_title_teacher_count", "ps_new_1", year, float(base), 800.0),
            ("assoc_senior_title_teacher_count", "ps_new_2", year, float(base + 1), 600.0),
        ]
    col = c["gigabit_campus_rate|2023"]
    ws[f"{col}{r1}"], ws[f"{col}{r2}"] = 87.5, 100
    expected += [  # a share of campuses: each school weighs 1 (aggregation.weight "units")
        ("gigabit_campus_rate", "ps_new_1", 2023, 87.5, 1.0),
        ("gigabit_campus_rate", "ps_new_2", 2023, 100.0, 1.0),
    ]
    col = c["smart_safe_campus|2022"]
    ws[f"{col}{r1}"], ws[f"{col}{r2}"] = "是", "否"
    expected += [
        ("smart_safe_campus", "ps_new_1", 2022, 1.0, 800.0),
        ("smart_safe_campus", "ps_new_2", 2022, 0.0, 600.0),
    ]
    # a stage-wide figure on the whole-stage row (weight 1: no students)
    ws[f"{c['compulsory_enrolment_rate|2021']}4"] = 99.8
    expected.append(("compulsory_enrolment_rate", "stage_primary", 2021, 99.8, 1.0))

    # 幼儿园: a new kindergarten
    ws = wb["幼儿园"]
    c = codes(ws)
    r = new_rows(ws)[0]
    ws[f"A{r}"], ws[f"B{r}"], ws[f"D{r}"] = "kg_new", "新幼儿园", 300
    ws[f"{c['preschool_teacher_bachelor_share|2020']}{r}"] = 62.25
    expected.append(("preschool_teacher_bachelor_share", "kg_new", 2020, 62.25, 300.0))

    # 高中: the plan's school, no students anywhere: weight 1
    ws = wb["高中"]
    c = codes(ws)
    r = row_of(ws, "no13_middle_school")
    for year in YEARS:
        ws[f"{c[f'backbone_teacher_count|{year}']}{r}"] = year - 2000
        expected.append(("backbone_teacher_count", "no13_middle_school", year, float(year - 2000), 1.0))

    # 区级: district figures
    ws = wb["区级"]
    c = codes(ws)
    ws[f"{c['education_investment|2021']}4"] = 3.25
    ws[f"{c['study_exchange_person_times|2020']}4"] = 120
    ws[f"{c['three_growths_guaranteed|2022']}4"] = True
    expected += [
        ("education_investment", "baijiantan", 2021, 3.25, 1.0),
        ("study_exchange_person_times", "baijiantan", 2020, 120.0, 1.0),
        ("three_growths_guaranteed", "baijiantan", 2022, 1.0, 1.0),
    ]
    filled = tmp_path / "filled.xlsx"
    wb.save(filled)

    plan = planeval.example_plan()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nothing to warn about
        obs, report = read_excel(plan, filled)
    assert report.rows == len(expected) == 21
    assert report.accepted == 21 and report.duplicates == 0 and report.missing == 0 and not report.rejected
    assert frame_rows(obs, plan) == sorted(expected)
    assert report.added_entities == ["kg_new", "ps_new_1", "ps_new_2"]
    new = plan.entity("ps_new_1")
    assert (new.name_zh, new.parent, new.stage, new.kind, new.students) == (
        "新一小",
        "stage_primary",
        "小学",
        "school",
        800.0,
    )
    kg = plan.entity("kg_new")
    assert (kg.parent, kg.stage, kg.kind, kg.students) == (
        "stage_kindergarten",
        "幼儿园",
        "kindergarten",
        300.0,
    )
    # the data roll up: 10 + 11 senior teachers in 2021 across the new primary schools
    df = plan.rollup(obs, level="district", indicators=["assoc_senior_title_teacher_count"])
    assert df.loc[df["period_start"].dt.year == 2021, "value"].tolist() == [21.0]


def small_template(tmp_path: Path, plan: planeval.Plan | None = None, **kwargs: Any) -> tuple[Path, Any]:
    """A template of the 小学 sheet with three indicators, opened for filling."""
    path = tmp_path / "small.xlsx"
    options: dict[str, Any] = {
        "stages": ["小学"],
        "indicators": ["assoc_senior_title_teacher_count", "gigabit_campus_rate", "smart_safe_campus"],
    }
    options.update(kwargs)
    excel_template(plan or planeval.example_plan(), path, **options)
    return path, openpyxl.load_workbook(path)


def add_school(ws: Any, entity: str, students: int | None = None, *, index: int = 0) -> int:
    r = new_rows(ws)[index]
    ws[f"A{r}"] = entity
    ws[f"B{r}"] = entity.upper()
    if students is not None:
        ws[f"D{r}"] = students
    return r


def test_empty_cells_are_not_rows_na_is_missing(tmp_path: Path) -> None:
    path, wb = small_template(tmp_path)
    ws = wb["小学"]
    c = codes(ws)
    r = add_school(ws, "ps_a", 500)
    ws[f"{c['gigabit_campus_rate|2021']}{r}"] = "NA"
    ws[f"{c['gigabit_campus_rate|2022']}{r}"] = 0  # a reported zero
    ws[f"{c['gigabit_campus_rate|2023']}{r}"] = "  "  # blank text: not reported
    wb.save(path)
    obs, report = read_excel(planeval.example_plan(), path)
    assert (report.rows, report.accepted, report.missing) == (2, 2, 1)
    assert obs.missing.tolist() == [True, False]
    assert obs.value[1] == 0.0


def test_percent_formatted_cell_reads_as_shown(tmp_path: Path) -> None:
    path, wb = small_template(tmp_path)
    ws = wb["小学"]
    c = codes(ws)
    r = add_school(ws, "ps_a", 500)
    cell = ws[f"{c['gigabit_campus_rate|2021']}{r}"]
    cell.value, cell.number_format = 0.855, "0.0%"
    wb.save(path)
    obs, _ = read_excel(planeval.example_plan(), path)
    assert obs.value.tolist() == [85.5]


def test_tidy_sheet_reads_as_read_csv(repo_root: Path, tmp_path: Path) -> None:
    csv = repo_root / "examples" / "baijiantan" / "illustrative_observations.csv"
    df = pd.read_csv(csv)
    xlsx = tmp_path / "tidy.xlsx"
    df.to_excel(xlsx, index=False, sheet_name="数据")
    plan_csv, plan_xlsx = planeval.example_plan(), planeval.example_plan()
    for plan in (plan_csv, plan_xlsx):  # the per-school indicators of the standards
        for sid in sorted({t.standard for t in plan.targets if t.standard}):
            plan.add_standard_indicators(planeval.builtin_standard(sid))
    obs_csv, rep_csv = planeval.read_csv(plan_csv, csv)
    obs_xlsx, rep_xlsx = read_excel(plan_xlsx, xlsx)
    assert len(obs_xlsx) == len(obs_csv) == 478
    for name in ("indicator", "entity", "start", "end", "value", "weight", "flags"):
        np.testing.assert_array_equal(getattr(obs_xlsx, name), getattr(obs_csv, name), err_msg=name)
    assert (rep_xlsx.rows, rep_xlsx.accepted, rep_xlsx.duplicates) == (rep_csv.rows, rep_csv.accepted, 0)
    assert rep_xlsx.added_entities == rep_csv.added_entities
    assert len(rep_xlsx.added_entities) == 12
    assert plan_xlsx.entities == plan_csv.entities


def test_tidy_sheet_missing_values_and_flags_as_csv(tmp_path: Path) -> None:
    df = pd.DataFrame(
        {
            "indicator": ["gigabit_campus_rate", "gigabit_campus_rate", "backbone_teacher_count"],
            "entity": ["no13_middle_school", "no13_middle_school", "baijiantan"],
            "year": [2021, 2022, 2023],
            "value": [50.0, np.nan, 7.0],
            "estimated": [False, False, True],
            "weight": [1.0, 1.0, 1.0],
        }
    )
    xlsx, csv = tmp_path / "t.xlsx", tmp_path / "t.csv"
    df.to_excel(xlsx, index=False)
    df.to_csv(csv, index=False)
    a, ra = read_excel(planeval.example_plan(), xlsx)
    b, rb = planeval.read_csv(planeval.example_plan(), csv)
    assert (ra.rows, ra.accepted, ra.missing) == (rb.rows, rb.accepted, rb.missing) == (3, 3, 1)
    assert a.missing.tolist() == b.missing.tolist() == [False, True, False]
    assert a.estimated.tolist() == b.estimated.tolist() == [False, False, True]
    assert a.value[0] == b.value[0] == 50.0


# --- bad input ---------------------------------------------------------------------------------


def test_text_in_a_value_cell_names_sheet_and_cell(tmp_path: Path) -> None:
    path, wb = small_template(tmp_path)
    ws = wb["小学"]
    c = codes(ws)
    r = add_school(ws, "ps_a", 500)
    ws[f"{c['assoc_senior_title_teacher_count|2021']}{r}"] = 3
    col = c["assoc_senior_title_teacher_count|2022"]
    ws[f"{col}{r}"] = "三"
    wb.save(path)
    with pytest.raises(planeval.DataError) as e:
        read_excel(planeval.example_plan(), path)
    assert str(e.value) == (
        f'{path}: 小学!{col}{r} (assoc_senior_title_teacher_count 2022, ps_a): expected a number, got "三"'
    )
    # collect: the bad cell is in the report, located; the good one is kept
    plan = planeval.example_plan()
    obs, report = read_excel(plan, path, on_bad_row="collect")
    assert (report.rows, report.accepted, len(obs)) == (2, 1, 1)
    (rej,) = report.rejected
    assert (rej.row, rej.column, rej.reason) == (1, "value", "wrong_type")
    assert rej.message.startswith(
        f"小学!{col}{r} (assoc_senior_title_teacher_count 2022, ps_a): expected a number"
    )
    assert report.added_entities == ["ps_a"]


def test_percentage_out_of_range_and_duplicates_name_cells(tmp_path: Path) -> None:
    path, wb = small_template(tmp_path)
    ws = wb["小学"]
    c = codes(ws)
    r = add_school(ws, "ps_a", 500)
    col = c["gigabit_campus_rate|2021"]
    ws[f"{col}{r}"] = 185
    wb.save(path)
    with pytest.raises(planeval.DataError, match=rf"小学!{col}{r} .*expected a percentage from 0 to 100"):
        read_excel(planeval.example_plan(), path)
    # the same school twice with different values
    ws[f"{col}{r}"] = 85
    r2 = add_school(ws, "ps_a", 500, index=1)
    ws[f"{col}{r2}"] = 90
    wb.save(path)
    _, report = read_excel(planeval.example_plan(), path, on_bad_row="collect")
    assert [x.message.split(" (")[0] for x in report.rejected] == [f"小学!{col}{r}", f"小学!{col}{r2}"]
    assert f"as 小学!{col}{r2} with a different value" in report.rejected[0].message


def test_values_without_a_school_id(tmp_path: Path) -> None:
    path, wb = small_template(tmp_path)
    ws = wb["小学"]
    c = codes(ws)
    r = new_rows(ws)[0]
    ws[f"B{r}"] = "第六小学"
    ws[f"{c['gigabit_campus_rate|2021']}{r}"] = 90
    wb.save(path)
    with pytest.raises(
        planeval.DataError, match=rf"小学!A{r} .*expected the school's id in the first column"
    ):
        read_excel(planeval.example_plan(), path)
    ws[f"A{r}"] = "第六 小学"  # not an id: a space
    wb.save(path)
    with pytest.raises(planeval.DataError, match=rf"小学!A{r} .*expected an id"):
        read_excel(planeval.example_plan(), path)
    ws[f"A{r}"] = "第六小学"  # the school's name is its id
    wb.save(path)
    plan = planeval.example_plan()
    _, report = read_excel(plan, path)
    assert "第六小学" in report.added_entities
    assert plan.entity("第六小学").name_zh == "第六小学"


def test_unknown_indicator_code_in_machine_row(tmp_path: Path) -> None:
    path, wb = small_template(tmp_path)
    ws = wb["小学"]
    col = codes(ws)["gigabit_campus_rate|2021"]
    ws[f"{col}3"] = "no_such_indicator|2021"
    wb.save(path)
    with pytest.raises(planeval.DataError) as e:
        read_excel(planeval.example_plan(), path)
    assert str(e.value).startswith(
        f'{path}: 小学!{col}3: unknown indicator "no_such_indicator" in the machine row'
    )
    ws[f"{col}3"] = "gigabit_campus_rate|twenty"
    wb.save(path)
    with pytest.raises(planeval.DataError, match=rf"小学!{col}3: expected a year"):
        read_excel(planeval.example_plan(), path)


def test_missing_and_non_excel_files(tmp_path: Path) -> None:
    with pytest.raises(planeval.Error, match="no such file"):
        read_excel(planeval.example_plan(), tmp_path / "missing.xlsx")
    bad = tmp_path / "bad.xlsx"
    bad.write_text("indicator,entity\n", encoding="utf-8")
    with pytest.raises(planeval.DataError, match=r"expected an Excel \.xlsx file"):
        read_excel(planeval.example_plan(), bad)
    notes = tmp_path / "notes.xlsx"
    wb = openpyxl.Workbook()
    wb.active["A1"] = "just notes"
    wb.save(notes)
    with pytest.raises(planeval.DataError, match="no sheet to read"):
        read_excel(planeval.example_plan(), notes)
    with pytest.raises(planeval.DataError, match="no sheet 'x'"):
        read_excel(planeval.example_plan(), notes, sheet="x")


def test_template_of_another_plan(tmp_path: Path) -> None:
    data = json.loads(planeval.example_plan_json())
    data["id"] = "other-plan"
    other = planeval.parse_plan(json.dumps(data, ensure_ascii=False))
    path, wb = small_template(tmp_path, other)
    with pytest.raises(planeval.Error) as e:
        read_excel(planeval.example_plan(), path)
    assert 'this workbook is a template of plan "other-plan"' in str(e.value)
    assert f'not of plan "{PLAN_ID}"' in str(e.value)
    # the hidden cell is what counts
    wb["_planeval"]["B3"] = PLAN_ID
    wb.save(path)
    obs, report = read_excel(planeval.example_plan(), path)
    assert report.rows == 0 and len(obs) == 0


def test_formula_without_a_saved_result(tmp_path: Path) -> None:
    path, wb = small_template(tmp_path)
    ws = wb["小学"]
    col = codes(ws)["gigabit_campus_rate|2021"]
    r = add_school(ws, "ps_a", 500)
    ws[f"{col}{r}"] = "=40+50"  # openpyxl saves no computed value
    wb.save(path)
    with pytest.raises(planeval.DataError, match=rf"小学!{col}{r} .*a formula without a saved result"):
        read_excel(planeval.example_plan(), path)


def test_warnings_for_mixed_weights_and_stage_rows(tmp_path: Path) -> None:
    path, wb = small_template(tmp_path, indicators=["compulsory_enrolment_rate"])
    ws = wb["小学"]
    col = codes(ws)["compulsory_enrolment_rate|2021"]  # student-weighted (weight_by "")
    r1 = add_school(ws, "ps_a", 500)
    r2 = add_school(ws, "ps_b", index=1)  # no students
    ws[f"{col}{r1}"], ws[f"{col}{r2}"] = 80, 90
    wb.save(path)
    with pytest.warns(UserWarning, match=rf"lack their students \(D{r2}\) while others have them"):
        obs, report = read_excel(planeval.example_plan(), path)
    assert obs.weight is not None and obs.weight.tolist() == [500.0, 1.0]
    # and a note in the report, naming the cell
    (note,) = [n for n in report.notes if n.code == "weight_assumed"]
    assert note.rows == [1]
    assert f"(cells D{r2} empty" in note.message and note.message.endswith("weighted 1")
    ws[f"D{r2}"] = 300
    ws[f"{col}4"] = 85  # the whole-stage row too
    wb.save(path)
    with pytest.warns(
        UserWarning, match=rf"columns {col} have values on the whole-stage row and on school rows"
    ):
        read_excel(planeval.example_plan(), path)


def test_read_one_sheet_and_english_template(tmp_path: Path) -> None:
    path, wb = small_template(tmp_path, lang="en", stages=["primary"])
    ws = wb["Primary"]
    c = codes(ws)
    r = add_school(ws, "ps_a", 500)
    ws[f"{c['smart_safe_campus|2024']}{r}"] = "yes"
    ws.title = "Renamed by the user"  # reading does not depend on names or labels
    ws["A1"] = "anything"
    wb.save(path)
    plan = planeval.example_plan()
    obs, _ = read_excel(plan, path, sheet="Renamed by the user")
    assert frame_rows(obs, plan) == [("smart_safe_campus", "ps_a", 2024, 1.0, 500.0)]
    assert plan.entity("ps_a").stage == "小学"
    with pytest.raises(planeval.DataError, match="neither a template sheet"):
        read_excel(planeval.example_plan(), path, sheet="Read me")


def test_plan_without_stage_indicators(mini_text: str, tmp_path: Path) -> None:
    plan = planeval.parse_plan(mini_text)
    path = tmp_path / "mini.xlsx"
    excel_template(plan, path)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["说明", "区级", "_planeval"]  # no indicator concerns a stage
    ws = wb["区级"]
    c = codes(ws)
    assert "posts|2021" not in c  # shares
    ws[f"{c['teachers|2021']}4"] = 12
    ws[f"{c['passed|2022']}4"] = "否"
    wb.save(path)
    obs, report = read_excel(plan, path)
    assert (report.rows, report.accepted) == (2, 2)
    assert frame_rows(obs, plan) == [("passed", "d", 2022, 0.0, 1.0), ("teachers", "d", 2021, 12.0, 1.0)]
    with pytest.raises(planeval.Error, match="no indicator of plan 'mini' concerns 小学"):
        excel_template(plan, path, stages=["小学"])
