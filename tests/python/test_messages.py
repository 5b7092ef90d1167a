"""planeval.translate: every message below is produced by triggering the error through the API (not
typed by hand), and its Chinese text is asserted in full. The place (file, sheet!cell, row and column,
JSON path) and quoted values must come through unchanged; only the words are translated."""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import planeval
from planeval._messages import REASONS_ZH, rejection_text

D = datetime.date


def small_plan() -> planeval.Plan:
    """A county plan with a rate (%), a count and a boolean indicator; no baseline, so the data
    window is the horizon 2021–2025."""
    p = planeval.Plan("m", "某县规划", D(2021, 1, 1), D(2025, 12, 31))
    p.add_indicator(planeval.Indicator("rate", "毛入学率", "%", "rate"))
    p.add_indicator(planeval.Indicator("teachers", "教师数", "人", "count"))
    p.add_indicator(planeval.Indicator("flag", "是否达标", "是/否", "boolean"))
    p.add_entity(planeval.Entity("c", "某县", "county"))
    return p


def error_of(f: Callable[[], object]) -> str:
    with pytest.raises(planeval.Error) as info:
        f()
    return str(info.value)


def csv_rejection(tmp: Path, text: str, index: int = 0) -> planeval.Rejection:
    path = tmp / "d.csv"
    path.write_text(text, encoding="utf-8")
    _, report = planeval.read_csv(small_plan(), path, on_bad_row="collect")
    return report.rejected[index]


def array_rejection(index: int = 0, **columns: Any) -> planeval.Rejection:
    _, report = planeval.observations_from_arrays(small_plan(), on_bad_row="collect", **columns)
    return report.rejected[index]


H = "indicator,entity,year,value\n"

# (id, the rejection produced, its reason, its Chinese message). Together they cover every
# rejection_reason (test_every_rejection_reason_is_covered).
REJECTIONS: list[tuple[str, Callable[[Path], planeval.Rejection], str, str]] = [
    (
        "value_text",
        lambda t: csv_rejection(t, H + "rate,c,2021,abc\n"),
        "wrong_type",
        '应为数字，实际为 "abc"',
    ),
    (
        "unknown_indicator",
        lambda t: csv_rejection(t, H + "nope,c,2021,1\n"),
        "unknown_indicator",
        '未知指标 "nope"（规划中没有）',
    ),
    (
        "unknown_entity",
        lambda t: csv_rejection(t, H + "rate,x,2021,1\n"),
        "unknown_entity",
        '未知单位 "x"（增加 "parent" 列即可添加新单位）',
    ),
    (
        "unknown_entity_no_parent",
        lambda t: csv_rejection(t, "indicator,entity,year,value,parent\nrate,s2,2021,1,\n"),
        "unknown_entity",
        '未知单位 "s2"（在 "parent" 列给出其上级即可添加）',
    ),
    (
        "missing_parent",
        lambda t: csv_rejection(t, "indicator,entity,year,value,parent\nrate,s1,2021,1,nope\n"),
        "missing_parent",
        '单位 "s1" 是新单位，但其上级 "nope" 未知',
    ),
    (
        "outside_horizon",
        # the data window is open before the plan (history accepted) and ends with the horizon
        lambda t: csv_rejection(t, H + "rate,c,2031,1\n"),
        "outside_horizon",
        "日期应在 1900-01-01..2025-12-31 之内（不晚于规划期末），实际为 2031-01-01..2031-12-31",
    ),
    (
        "bad_year",
        lambda t: csv_rejection(t, H + "rate,c,20x1,1\n"),
        "bad_date",
        '应为年份（YYYY），实际为 "20x1"',
    ),
    (
        "bad_period",
        lambda t: csv_rejection(t, "indicator,entity,period,value\nrate,c,2021-22,1\n"),
        "bad_date",
        '应为时期（"YYYY"，或学年 "YYYY/YYYY"），实际为 "2021-22"',
    ),
    (
        "bad_date",
        lambda t: csv_rejection(t, "indicator,entity,date,value\nrate,c,2021-13-45,1\n"),
        "bad_date",
        '应为日期（YYYY-MM-DD、YYYY-MM 或 YYYY），实际为 "2021-13-45"',
    ),
    (
        "non_finite",
        lambda t: csv_rejection(t, H + "rate,c,2021,inf\n"),
        "non_finite",
        "应为有限数值，实际为 inf（未报告的值请标为缺失，缺失不是零）",
    ),
    (
        "negative_count",
        lambda t: csv_rejection(t, H + "teachers,c,2021,-1\n"),
        "negative_count",
        '"teachers" 是计数，应不小于 0，实际为 -1',
    ),
    (
        "percentage",
        lambda t: csv_rejection(t, H + "rate,c,2021,120\n"),
        "out_of_range",
        '"rate" 是百分比，应在 0 到 100 之间，实际为 120',
    ),
    (
        "boolean_text",
        lambda t: csv_rejection(t, H + "flag,c,2021,maybe\n"),
        "wrong_type",
        '"flag" 是是非指标，应为 true 或 false（是/否），实际为 "maybe"',
    ),
    (
        "boolean_number",
        lambda t: array_rejection(indicator=["flag"], entity=["c"], value=[2.0], year=[2021]),
        "out_of_range",
        '"flag" 是是非指标，应为 0 或 1（false 或 true），实际为 2',
    ),
    (
        "duplicate_conflict",
        lambda t: csv_rejection(t, H + "rate,c,2021,1\nrate,c,2021,2\n"),
        "duplicate_conflict",
        "与 line 3 的指标、单位和时期相同，但值不同（1）",
    ),
    (
        "weight_text",
        lambda t: csv_rejection(t, "indicator,entity,year,value,weight\nrate,c,2021,1,x\n"),
        "bad_weight",
        '应为数字，实际为 "x"',
    ),
    (
        "weight_negative",
        lambda t: array_rejection(indicator=["rate"], entity=["c"], value=[1.0], year=[2021], weight=[-1.0]),
        "bad_weight",
        "应为不小于 0 的有限权重，实际为 -1",
    ),
    (
        "entity_kind",
        lambda t: csv_rejection(t, "indicator,entity,year,value,parent,entity_kind\nrate,s1,2021,1,c,bad\n"),
        "wrong_type",
        '应为以下之一："nation", "province", "city", "prefecture", "county", "district", "stage", "group", '
        '"school", "kindergarten" or "teaching_point"；实际为 "bad"',
    ),
    (
        "students",
        lambda t: csv_rejection(t, "indicator,entity,year,value,parent,students\nrate,s3,2021,1,c,-5\n"),
        "wrong_type",
        '应为不小于 0 的学生数，实际为 "-5"',
    ),
    (
        "flag_column",
        lambda t: csv_rejection(t, "indicator,entity,year,value,estimated\nrate,c,2021,1,maybe\n"),
        "wrong_type",
        '应为true 或 false，实际为 "maybe"',
    ),
    (
        "year_missing",
        lambda t: array_rejection(indicator=["rate"], entity=["c"], value=[1.0], year=[float("nan")]),
        "bad_date",
        "应为年份（YYYY），实际为 缺失值",
    ),
    (
        "year_range",
        lambda t: array_rejection(indicator=["rate"], entity=["c"], value=[1.0], year=[99999.0]),
        "bad_date",
        "年份应在 1400 到 9999 之间，实际为 99999",
    ),
    (
        "id_not_a_string",
        lambda t: array_rejection(
            indicator=np.array([None], dtype=object), entity=["c"], value=[1.0], year=[2021]
        ),
        "unknown_indicator",
        "应为指标编号（字符串），实际为 None",
    ),
    (
        "date_missing",
        lambda t: array_rejection(
            indicator=["rate"], entity=["c"], value=[1.0], date=np.array([None], dtype=object)
        ),
        "bad_date",
        "应为日期，实际为 缺失值",
    ),
    (
        "period_reversed",
        lambda t: array_rejection(
            indicator=np.array([0], dtype=np.uint32),
            entity=np.array([0], dtype=np.uint32),
            value=[1.0],
            start=np.array([19000]),  # 2022-01-08
            end=np.array([18990]),  # 2021-12-29
        ),
        "bad_date",
        "时期的开始（2022-01-08）晚于结束（2021-12-29）",
    ),
    (
        "index_out_of_range",
        lambda t: array_rejection(
            indicator=np.array([7], dtype=np.uint32),
            entity=np.array([0], dtype=np.uint32),
            value=[1.0],
            start=np.array([19000]),
            end=np.array([19000]),
        ),
        "unknown_indicator",
        "指标序号应小于 3，实际为 7",
    ),
]


@pytest.mark.parametrize(
    ("make", "reason", "zh"), [c[1:] for c in REJECTIONS], ids=[c[0] for c in REJECTIONS]
)
def test_rejection_messages(
    make: Callable[[Path], planeval.Rejection], reason: str, zh: str, tmp_path: Path
) -> None:
    r = make(tmp_path)
    assert r.reason == reason
    assert planeval.translate(r.message, "zh") == zh
    assert planeval.translate(r.message, "en") == r.message
    # the same row as raised (on_bad_row="raise"): the place is kept, the body translated
    raised = f"{tmp_path / 'd.csv'}: line {r.row + 2}, column {r.column}: {r.message}"
    place = f"{tmp_path / 'd.csv'}: line {r.row + 2}, column {r.column}: "
    assert planeval.translate(raised, "zh") == place + zh
    assert rejection_text(r, "zh") == f"row {r.row}, column {r.column}：{REASONS_ZH[reason]}——{zh}"
    assert rejection_text(r, "en") == f"row {r.row}, column {r.column}: {r.message}"


def test_a_raised_row_error_keeps_its_place(tmp_path: Path) -> None:
    path = tmp_path / "数据.csv"
    path.write_text(H + "rate,c,2021,1\nrate,c,2022,abc\n", encoding="utf-8")
    e = error_of(lambda: planeval.read_csv(small_plan(), path))
    assert e == f'{path}: line 3, column value: expected a number, got "abc"'
    assert planeval.translate(e, "zh") == f'{path}: line 3, column value: 应为数字，实际为 "abc"'


def reasons() -> list[str]:
    """Every rejection reason planeval has, from the error naming the allowed values."""
    e = error_of(lambda: planeval.Rejection(0, "value", "no_such_reason", "m"))
    m = re.search(r"expected one of (.*), got", e)
    assert m, e
    return re.findall(r'"([a-z_]+)"', m.group(1))


def test_every_rejection_reason_is_covered() -> None:
    found = reasons()
    assert len(found) == 11 and "duplicate_conflict" in found  # include/planeval/observations.hpp today
    # a new reason needs its Chinese name and a triggered case above
    assert sorted(REASONS_ZH) == sorted(found)
    assert {c[2] for c in REJECTIONS} == set(found)


def test_rejection_text_of_an_unknown_message() -> None:
    r = planeval.Rejection(4, "value", "wrong_type", "something new")
    assert rejection_text(r, "zh") == "row 4, column value：类型不符——something new"


def write(tmp: Path, name: str, data: str | bytes) -> Path:
    path = tmp / name
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        path.write_text(data, encoding="utf-8")
    return path


def read_csv_note(tmp: Path, data: bytes) -> str:
    path = write(tmp, "d.csv", data)
    _, report = planeval.read_csv(small_plan(), path)
    assert len(report.notes) == 1
    return str(report.notes[0].message)


def read_csv_error(tmp: Path, data: str | bytes) -> str:
    path = write(tmp, "d.csv", data)
    return error_of(lambda: planeval.read_csv(small_plan(), path))


def plan_error(tmp: Path, text: str | bytes) -> str:
    path = write(tmp, "plan.json", text)
    return error_of(lambda: planeval.load_plan(path))


def plan_errors(tmp: Path, text: str) -> list[planeval.Diagnostic]:
    path = write(tmp, "plan.json", text)
    with pytest.raises(planeval.PlanError) as info:
        planeval.load_plan(path)
    return list(info.value.errors)


def mini_with(change: Callable[[dict[str, Any]], None]) -> str:
    from conftest import MINI_PLAN

    data = json.loads(MINI_PLAN)
    change(data)
    return json.dumps(data, ensure_ascii=False)


def warnings_of_two_targets() -> list[planeval.Diagnostic]:
    """Two goals for the rate of c by 2025: >= 90 from 95 (met at the baseline) and >= 92."""
    p = small_plan()
    for target_id, goal, base in (("a", 90.0, 95.0), ("b", 92.0, 80.0)):
        p.add_target(
            planeval.Target(
                target_id,
                "rate",
                "c",
                planeval.Goal(">=", goal, deadline=D(2025, 12, 31)),
                planeval.Source("2025年达到"),
                baseline=planeval.Point(D(2020, 12, 31), base),
            )
        )
    warnings = list(p.warnings())
    assert len(warnings) == 2
    return warnings


def other_plan() -> planeval.Plan:
    p = planeval.Plan("other", "另一规划", D(2021, 1, 1), D(2025, 12, 31))
    p.add_indicator(planeval.Indicator("x", "某指标", "%", "rate"))
    p.add_entity(planeval.Entity("c", "某县", "county"))
    return p


def some_observations() -> planeval.Observations:
    obs, _ = planeval.observations_from_arrays(
        small_plan(), indicator=["rate"], entity=["c"], value=[1.0], year=[2021]
    )
    return obs


def excel_template_error(tmp: Path, **kw: Any) -> str:
    pytest.importorskip("openpyxl")
    return error_of(lambda: planeval.excel_template(small_plan(), tmp / "t.xlsx", **kw))


def tidy_book(tmp: Path, header: list[str], rows: list[list[Any]]) -> Path:
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "数据"
    ws.append(header)
    for r in rows:
        ws.append(r)
    path = tmp / "book.xlsx"
    wb.save(path)
    return path


def read_excel_error(tmp: Path, header: list[str], rows: list[list[Any]]) -> str:
    path = tidy_book(tmp, header, rows)
    return error_of(lambda: planeval.read_excel(small_plan(), path))


# (id, the message produced in tmp, its Chinese text with {tmp} for the temporary folder)
MESSAGES: list[tuple[str, Callable[[Path], str], str]] = [
    # CSV structure
    (
        "missing_column",
        lambda t: read_csv_error(t, "indicator,entity,year\nrate,c,2021\n"),
        '{tmp}/d.csv: 缺少列 "value"（现有的列：indicator, entity, year）',
    ),
    (
        "time_column",
        lambda t: read_csv_error(t, "indicator,entity,value\nrate,c,1\n"),
        '{tmp}/d.csv: "date"、"period"、"year" 三列中应有且只有一列（现有的列：indicator, entity, value）',
    ),
    (
        "cell_count",
        lambda t: read_csv_error(t, H + "rate,c,2021\n"),
        "{tmp}/d.csv: line 2 有 3 个单元格，应为 4 个（与表头的列数相同）",
    ),
    ("quotes", lambda t: read_csv_error(t, H + '"rate,c,2021,1\n'), "{tmp}/d.csv: line 2: 引号不成对"),
    ("empty", lambda t: read_csv_error(t, ""), "{tmp}/d.csv: 空文件（应有表头行）"),
    (
        "duplicate_column",
        lambda t: read_csv_error(t, "indicator,entity,year,value,value\nrate,c,2021,1,1\n"),
        '{tmp}/d.csv: 列 "value" 出现了两次（第 4 列和第 5 列）：无法确定哪一列是数据',
    ),
    (
        "not_utf8",
        # one stray byte in a UTF-8 file: refused where it is (a file mostly GBK is decoded instead)
        lambda t: read_csv_error(t, (H + "rate,c,2021,1\n").encode() + b"rate,c\xff,2022,1\n"),
        r'{tmp}/d.csv: line 3, column entity: 不是有效的 UTF-8（"c\xFF"）；'
        "文本不是 UTF-8 编码（可能是中文 Windows 和 Excel 默认的 GBK/GB18030）："
        "请另存为 UTF-8（Excel：“CSV UTF-8”）",
    ),
    (
        "decoded_gb18030",
        # a file saved as GBK is read, with a note (IngestNote.message_zh has its own Chinese)
        lambda t: read_csv_note(
            t, "indicator,entity,year,value,parent,entity_name\nrate,s1,2021,85,c,第一小学\n".encode("gbk")
        ),
        "{tmp}/d.csv: 文件不是 UTF-8 编码，已按 GB18030（GBK，中文 Windows 上 Excel 的默认编码）读取："
        "请核对名称是否正确，建议另存为 UTF-8",
    ),
    (
        "utf16",
        # UTF-16 without a byte-order mark is refused (with one it is decoded)
        lambda t: read_csv_error(t, (H + "rate,c,2021,1\n").encode("utf-16-le")),
        "{tmp}/d.csv: 文件似乎是 UTF-16 编码（Windows 所说的“Unicode”）：请另存为 UTF-8",
    ),
    (
        "no_data_file",
        lambda t: error_of(lambda: planeval.read_csv(small_plan(), t / "none.csv")),
        "{tmp}/none.csv: 无法打开数据文件",
    ),
    # plan files
    (
        "no_plan_file",
        lambda t: error_of(lambda: planeval.load_plan(t / "none.json")),
        "{tmp}/none.json: 无法打开规划文件",
    ),
    (
        "full_width_colon",
        lambda t: plan_error(t, '{"id"："x"}'),
        '{tmp}/plan.json:1:6: JSON 格式错误：此处是 "："（全角冒号），应为 ":"'
        "（字符串之外的 JSON 标点须为半角 ASCII）",
    ),
    (
        "incomplete_json",
        lambda t: plan_error(t, "[1, 2"),
        "{tmp}/plan.json:1:6: JSON 格式错误：文本在 JSON 值结束之前就结束了（JSON 不完整）",
    ),
    (
        "text_after_json",
        lambda t: plan_error(t, "{} x"),
        "{tmp}/plan.json:1:4: JSON 格式错误：JSON 值结束后还有多余的文本",
    ),
    (
        "duplicate_key",
        lambda t: plan_error(t, '{"id": "a", "id": "b"}'),
        '{tmp}/plan.json:1:13: 重复的键 "id"：第二个值会悄悄覆盖第一个',
    ),
    (
        "plan_gbk",
        lambda t: plan_error(t, '{"title": "规划"}'.encode("gbk")),
        "{tmp}/plan.json:1:12: 此字节处不是有效的 UTF-8："
        "文本不是 UTF-8 编码（可能是中文 Windows 和 Excel 默认的 "
        "GBK/GB18030）：请另存为 UTF-8（Excel：“CSV UTF-8”）",
    ),
    (
        "expected_object",
        lambda t: plan_error(t, mini_with(lambda d: d["phases"][0].update(name="第一阶段"))),
        '{tmp}/plan.json: phases[0].name: 应为对象（{{...}}），实际为 "第一阶段"（另有 1 个错误）',
    ),
    (
        "expected_date",
        lambda t: plan_error(t, mini_with(lambda d: d["targets"][1]["goal"].update(deadline="2025-13-01"))),
        "{tmp}/plan.json: targets[1].goal.deadline: "
        '应为日期（YYYY-MM-DD、YYYY-MM 或 YYYY），实际为 "2025-13-01"',
    ),
    (
        "unknown_key",
        lambda t: plan_error(t, mini_with(lambda d: d["entities"][0].update(nmae="x"))),
        '{tmp}/plan.json: entities[0].nmae: 未知的键 "nmae"；'
        "应为以下之一：id, name, kind, parent, stage, ownership, students",
    ),
    (
        "missing_key",
        lambda t: plan_error(t, mini_with(lambda d: d["entities"][0].pop("kind"))),
        '{tmp}/plan.json: entities[0].kind: 缺少必需的键 "kind"',
    ),
    (
        "unknown_domain",
        lambda t: plan_error(t, mini_with(lambda d: d["indicators"][0].update(domain="access"))),
        "{tmp}/plan.json: indicators[0].domain: "
        '未知领域 "access"（请在规划的 domains[] 中声明它及其中英文名称）'
        "（另有 1 个错误）",
    ),
    (
        "unknown_indicator_of_plan",
        lambda t: error_of(lambda: small_plan().indicator("nope")),
        'indicators: 未知指标 "nope"（规划中没有）',
    ),
    (
        "unknown_entity_of_plan",
        lambda t: error_of(lambda: small_plan().entity("nope")),
        'entities: 未知单位 "nope"（规划中没有）',
    ),
    (
        "unknown_phase",
        # the phase in error is left out of the plan: the target naming it is the second error
        lambda t: str(plan_errors(t, mini_with(lambda d: d["phases"][0].update(name="第一阶段")))[1]),
        '{tmp}/plan.json: targets[1].phase: 未知阶段 "p1"（规划中没有）',
    ),
    (
        "unknown_standard",
        lambda t: str(plan_errors(t, mini_with(lambda d: d["targets"][0].update(standard="nope")))[0]),
        '{tmp}/plan.json: targets[0].standard: 未知评估标准 "nope"；应为规划 standards[] 中的标准或内置标准'
        "（basic_balance_2012, compulsory_quality_balance_2017, preschool_universal_inclusive_2020）",
    ),
    (
        "observations_of_another_plan",
        lambda t: error_of(lambda: other_plan().rollup(some_observations())),
        'rollup: 这些观测数据是按规划 "m"（3 个指标、1 个单位）读入的，而当前是规划 "other"；'
        "其序号会指向其他指标和单位：请用当前规划重新读取",
    ),
    (
        "warning_met_at_baseline",
        lambda t: str(warnings_of_two_targets()[0]),
        'targets[0].goal: 目标 "a"：目标（>= 90）在基期已经达到（2020-12-31 为 95）',
    ),
    (
        "warning_two_goals",
        lambda t: str(warnings_of_two_targets()[1]),
        'targets[0]: 目标 "a" 与目标 "b"（targets[1]）对指标 "rate" 在 "c" 到 2025-12-31 设定了不同的目标：'
        ">= 90 与 >= 92（未记为冲突）",
    ),
    # the Excel workbooks (_excel.py)
    (
        "template_lang",
        lambda t: excel_template_error(t, lang="fr"),
        'lang: 应为 "zh" 或 "en"，实际为 \'fr\'',
    ),
    (
        "template_years",
        lambda t: excel_template_error(t, years=[2030]),
        "years: 2030 年在数据可涵盖的年份 1900–2025（至规划期末）之外：该年的数值会被拒收",
    ),
    (
        "template_indicators",
        lambda t: excel_template_error(t, indicators=["nope"]),
        "indicators: 未知指标 'nope'（规划 'm' 中没有）",
    ),
    (
        "template_stages",
        lambda t: excel_template_error(t, stages=["大学"]),
        "stages: 应为学段名称（幼儿园, 小学, 初中, 高中）或 'district'，实际为 '大学'",
    ),
    (
        "workbook_missing",
        lambda t: error_of(lambda: planeval.read_excel(small_plan(), t / "none.xlsx")),
        "{tmp}/none.xlsx: 无法打开工作簿（文件不存在）",
    ),
    (
        "workbook_not_zip",
        lambda t: error_of(lambda: planeval.read_excel(small_plan(), write(t, "bad.xlsx", b"not a zip"))),
        "{tmp}/bad.xlsx: 无法读取工作簿：应为 Excel .xlsx 文件（BadZipFile: File is not a zip file）",
    ),
    (
        "xls",
        lambda t: error_of(
            lambda: planeval.read_excel(
                small_plan(), write(t, "old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))
            )
        ),  # an OLE2 header: what .xls files start with
        "{tmp}/old.xls: Excel 97–2003 的 .xls 工作簿：请另存为 .xlsx（文件 → 另存为 → Excel 工作簿）",
    ),
    (
        "csv_named_xlsx",
        lambda t: error_of(
            lambda: planeval.read_excel(small_plan(), write(t, "d.xlsx", H + "rate,c,2021,1\n"))
        ),
        "{tmp}/d.xlsx: 这是 CSV 文本文件（扩展名为 .xlsx），不是 Excel 工作簿："
        "请把扩展名改为 .csv，用 planeval.read_csv 读取",
    ),
    (
        "sheet_missing_column",
        lambda t: read_excel_error(t, ["indicator", "entity", "year"], [["rate", "c", 2021]]),
        '{tmp}/book.xlsx: 数据: 缺少列 "value"（现有的列：indicator, entity, year）',
    ),
    (
        "sheet_duplicate_column",
        lambda t: read_excel_error(
            t, ["indicator", "entity", "year", "value", "value"], [["rate", "c", 2021, 1, 1]]
        ),
        '{tmp}/book.xlsx: 数据: 重复的列 "value"',
    ),
    (
        "sheet_cell",
        lambda t: read_excel_error(t, ["indicator", "entity", "year", "value"], [["rate", "c", 2021, "abc"]]),
        '{tmp}/book.xlsx: 数据!D2 (rate, c): 应为数字，实际为 "abc"',
    ),
]


@pytest.mark.parametrize(("make", "zh"), [c[1:] for c in MESSAGES], ids=[c[0] for c in MESSAGES])
def test_messages(make: Callable[[Path], str], zh: str, tmp_path: Path) -> None:
    message = make(tmp_path)
    assert planeval.translate(message, "zh") == zh.format(tmp=tmp_path)
    assert planeval.translate(message, "en") == message


def test_every_error_of_a_plan(tmp_path: Path) -> None:
    # as the command line prints them: one line per PlanError.errors item
    def change(d: dict[str, Any]) -> None:
        d["phases"][0]["name"] = "第一阶段"
        d["targets"][1]["goal"]["deadline"] = "2025-13-01"

    path = write(tmp_path, "plan.json", mini_with(change))
    with pytest.raises(planeval.PlanError) as info:
        planeval.load_plan(path)
    lines = [planeval.translate(str(d), "zh") for d in info.value.errors]
    assert lines == [
        f'{path}: phases[0].name: 应为对象（{{...}}），实际为 "第一阶段"',
        f'{path}: targets[1].goal.deadline: 应为日期（YYYY-MM-DD、YYYY-MM 或 YYYY），实际为 "2025-13-01"',
    ]
    # several messages in one text, a line each
    assert planeval.translate("\n".join(str(d) for d in info.value.errors), "zh") == "\n".join(lines)


@pytest.mark.parametrize(
    "message", ["", "something planeval never says", "x: expected a frobnicator, got 3", "argument"]
)
def test_unknown_messages_come_back_unchanged(message: str) -> None:
    assert planeval.translate(message, "zh") == message
    assert planeval.translate(message, "en") == message
    with pytest.raises(planeval.Error, match='lang: expected "zh" or "en"'):  # API conventions, item 7
        planeval.translate(message, "fr")


def test_translate_is_exported() -> None:
    assert "translate" in planeval.__all__ and planeval.translate is not None


@pytest.mark.parametrize(
    "message",
    [
        "argument a: " * 3000,
        "x: \ud800 expected a number, got \ud800",
        "{q} {place} {0}: unknown entity {}",
        "\n\n",
    ],
)
def test_translate_never_raises(message: str) -> None:
    # deep nesting (past the recursion limit), a lone surrogate, braces: a string back, never an error
    assert isinstance(planeval.translate(message, "zh"), str)
    assert planeval.translate("argument a: " * 3000, "zh") == "argument a: " * 3000  # longer than any of ours
    # nested: five wrappers are translated, what they wrap at the fifth is kept
    assert planeval.translate("argument a: " * 5 + "expected one argument", "zh") == (
        "参数 a：" * 5 + "expected one argument"
    )
    assert (
        planeval.translate("argument a: " * 4 + "expected one argument", "zh")
        == "参数 a：" * 4 + "需要一个取值"
    )


def test_the_id_rule_in_chinese() -> None:
    text = json.loads(planeval.example_plan().to_json())
    text["targets"][0]["id"] = "目 标"
    with pytest.raises(planeval.PlanError) as e:
        planeval.parse_plan(json.dumps(text, ensure_ascii=False))
    message = next(str(d) for d in e.value.errors if "目 标" in str(d))
    assert planeval.translate(message, "zh") == "targets[0].id: " + (
        "编号应由任意文字的字母或数字及 '_'、'.'、'-' 组成，以字母或数字开头，不含空格，最多 128 字节，"
        '实际为 "目 标"'
    )
