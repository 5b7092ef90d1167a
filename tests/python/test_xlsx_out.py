"""Excel out (issue 16): Report.to_xlsx (the evaluation table) and StandardResult.to_xlsx / to_html /
to_csv (the per-school 优质均衡 table with the 85% floor, the 差异系数 table, the reasons), read back
with openpyxl. The numbers expected are worked out from the example data files in the comments."""

from __future__ import annotations

import csv
import functools
import html.parser
import pathlib

import pytest

import planeval

openpyxl = pytest.importorskip("openpyxl")

ROOT = pathlib.Path(__file__).resolve().parents[2]
EXAMPLES = ["baijiantan", "jining"]
STANDARD = "compulsory_quality_balance_2017"


@functools.cache
def _evaluated(example: str) -> tuple[planeval.Plan, planeval.Report, planeval.Observations]:
    plan = planeval.load_plan(str(ROOT / "examples" / example / "plan.json"))
    for sid in sorted({t.standard for t in plan.targets if t.standard}):
        plan.add_standard_indicators(plan.standard(sid))
    obs, _ = planeval.read_csv(plan, str(ROOT / "examples" / example / "illustrative_observations.csv"))
    return plan, planeval.evaluate(plan, obs, as_of="2023-12-31"), obs


@functools.cache
def _standard_result() -> planeval.StandardResult:
    plan, _, obs = _evaluated("baijiantan")
    return planeval.evaluate_standard(planeval.builtin_standard(STANDARD), plan, obs, period=2023)


def _live(wb: openpyxl.Workbook) -> list[str]:
    return [
        f"{ws.title}!{c.coordinate}"
        for ws in wb.worksheets
        for row in ws.iter_rows()
        for c in row
        if c.data_type in ("f", "e")
    ]


@pytest.mark.parametrize("example", EXAMPLES)
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_report_xlsx_one_row_per_target(tmp_path: pathlib.Path, example: str, lang: str) -> None:
    plan, report, _ = _evaluated(example)
    out = tmp_path / "r.xlsx"
    report.to_xlsx(out, lang)
    wb = openpyxl.load_workbook(out)
    ws = wb.worksheets[0]
    assert ws.title == ("评估表" if lang == "zh" else "Evaluation")
    header = [c.value for c in ws[1]]
    assert header[:6] == (
        ["领域", "目标", "指标", "单位", "基期值", "实际值"]
        if lang == "zh"
        else ["Domain", "Target", "Indicator", "Unit", "Baseline", "Actual"]
    )
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == f"A1:L{len(report.targets) + 1}"
    assert ws.max_row == len(report.targets) + 1
    for t, row in zip(report.targets, ws.iter_rows(min_row=2)):
        pt = plan.target(t.id)
        name = pt.name.zh if lang == "zh" else (pt.name.en or pt.name.zh)
        assert row[1].value == name
        assert row[11].value == t.id  # the id in the last column, for auditing
        ind = plan.indicator(t.indicator)
        if ind.unit == "boolean" or ind.kind == "boolean" or t.actual is None:
            continue
        assert row[5].value == pytest.approx(t.actual)
        # shown with the verdict's decimals: 0 -> "0", 1 -> "0.0", 2 -> "0.00"
        assert row[5].number_format == ("0" if t.decimals == 0 else "0." + "0" * t.decimals)
    assert _live(wb) == []
    counts = wb.worksheets[1]
    total = [r for r in counts.iter_rows(values_only=True) if r[0] in ("合计", "Total")]
    assert total == [("合计" if lang == "zh" else "Total", len(plan.targets))]


def test_report_xlsx_jining_by_hand(tmp_path: pathlib.Path) -> None:
    _, report, _ = _evaluated("jining")
    out = tmp_path / "j.xlsx"
    report.to_xlsx(out)
    rows = {r[1]: r for r in openpyxl.load_workbook(out).worksheets[0].iter_rows(min_row=2, values_only=True)}
    # kindergartens built 2021-2023: 29 + 39 + 59 = 127 (the example's data rows), goal 200 by 2025;
    # a cumulative count starts from 0 (the baseline of the path)
    r = rows["“十四五”期间新改扩建普惠性幼儿园200所"]
    assert r[3:6] == ("所", 0, 127)
    # the retention rate has no baseline in the plan: an empty cell, not 0
    assert rows["九年义务教育巩固率：2025年达到99.9%"][3:6] == ("%", None, 99.6)
    assert r[7] == "≥ 200所" and r[8].year == 2025 and r[9] == "进度正常"


def _sheet(wb: openpyxl.Workbook, title: str) -> list[tuple[object, ...]]:
    return list(wb[title].iter_rows(values_only=True))


def test_standard_xlsx_per_school_table(tmp_path: pathlib.Path) -> None:
    plan, _, _ = _evaluated("baijiantan")
    result = _standard_result()
    out = tmp_path / "s.xlsx"
    result.to_xlsx(out, plan=plan)
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["结论", "学校", "学校明细", "差异系数", "县级指标", "原因"]
    assert _live(wb) == []
    verdict = dict(r for r in _sheet(wb, "结论")[1:])
    assert verdict["标准"] == "县域义务教育优质均衡发展督导评估办法"
    assert verdict["文号"] == "教督〔2017〕6号"
    assert verdict["结论"] == "未达标" and verdict["资源配置"] == "未达标" and verdict["教育质量"] == "达标"

    rows = _sheet(wb, "学校")
    header = rows[0]
    # 4 columns per school, then 5 per indicator (value, standard, met, share, >= 85%) × 7, then 2
    assert len(header) == 4 + 5 * 7 + 2
    assert header[4:9] == tuple(
        f"每百名学生拥有高于规定学历教师数：{s}"
        for s in ("数值", "标准", "达标", "达标准的比例", "不低于85%")
    )
    by_school = {r[1]: r for r in rows[1:]}
    assert len(by_school) == 8  # 5 primary and 3 junior secondary schools in the example data
    ps1 = by_school["小学甲（示例）"]
    assert ps1[:4] == ("小学", "小学甲（示例）", "ps_1", 1460)
    # ps_1's qualified teachers per 100 students: 5.1 against the primary standard 4.2: 5.1 / 4.2 =
    # 1.2142857 of the standard, met
    assert ps1[4:9] == (5.1, 4.2, "是", pytest.approx(5.1 / 4.2), "是")
    assert ps1[-2:] == (7, "达标")
    ps5 = by_school["小学戊（示例）"]
    # ps_5: PE/arts teachers 0.79 < 0.9 (0.79 / 0.9 = 87.8% >= 85%) and multimedia rooms 2.11 < 2.3
    # (2.11 / 2.3 = 91.7%): 5 of 7 met, fewer than the 6 required although both are above the floor
    assert ps5[14:19] == (0.79, 0.9, "否", pytest.approx(0.79 / 0.9), "是")
    assert ps5[-2:] == (5, "未达标")
    ws = wb["学校"]
    assert ws["E2"].number_format == "0.00" and ws["H2"].number_format == "0.0%"
    assert ws.freeze_panes == "A2"

    details = _sheet(wb, "学校明细")
    assert len(details) == 1 + 8 * 7

    cv = {(r[0], r[1]): r for r in _sheet(wb, "差异系数")[1:]}
    assert len(cv) == 14  # 7 indicators × 2 stages
    sports = cv[("初中", "生均体育运动场馆面积")]
    expected = next(
        c for c in result.cvs if c["stage"] == "初中" and c["indicator"] == "sports_space_per_student"
    )
    assert sports[2] == pytest.approx(expected["cv"]) and sports[2] == pytest.approx(0.524288, abs=1e-6)
    assert sports[3:7] == (0.45, "未达标", 3, 0)
    assert cv[("小学", "生均体育运动场馆面积")][3:5] == (0.5, "达标")

    reasons = _sheet(wb, "原因")[1:]
    assert [r[6] for r in reasons] == [
        "小学 小学戊（示例）：7 项指标中 5 项达标，少于 6 项",
        "初中 生均体育运动场馆面积 差异系数 0.52 超过 0.45",
    ]
    assert reasons[0][3] == "小学戊（示例）"


def test_standard_xlsx_in_english_and_without_plan(tmp_path: pathlib.Path) -> None:
    result = _standard_result()
    out = tmp_path / "s.xlsx"
    result.to_xlsx(out, "en")  # without the plan, the schools are named by their ids
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["Verdict", "Schools", "School details", "CV", "County criteria", "Reasons"]
    schools = {r[1]: r for r in _sheet(wb, "Schools")[1:]}
    assert schools["ps_5"][-1] == "not met" and schools["ps_1"][0] == "primary"
    with pytest.raises(planeval.Error):
        result.to_xlsx(out, "de")


class _Tags(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)


def test_standard_html_and_csv(tmp_path: pathlib.Path) -> None:
    plan, _, _ = _evaluated("baijiantan")
    result = _standard_result()
    page = result.to_html(tmp_path / "s.html", plan=plan)
    assert (tmp_path / "s.html").read_text(encoding="utf-8") == page
    tags = _Tags()
    tags.feed(page)
    assert "script" not in tags.tags and "link" not in tags.tags and "img" not in tags.tags
    assert tags.tags.count("table") == 6
    # the CV of junior secondary sports space with 3 decimals, ps_1's share of the standard as a percentage
    assert '<td class="n">0.524</td>' in page
    assert '<td class="n">121.4%</td>' in page  # 5.1 / 4.2 = 121.43%
    assert "小学戊（示例）" in page
    paths = result.to_csv(tmp_path / "s.csv", "en", plan=plan)
    assert paths == [str(tmp_path / "s.csv"), str(tmp_path / "s_cv.csv")]
    with open(paths[1], encoding="utf-8-sig", newline="") as f:
        cv = list(csv.reader(f))
    assert cv[0][:5] == ["Stage", "Indicator", "Coefficient of variation", "Limit", "Met"]
    assert len(cv) == 15
    with open(paths[0], encoding="utf-8-sig", newline="") as f:
        schools = list(csv.reader(f))
    assert len(schools) == 9 and schools[1][:3] == ["primary", "小学甲（示例）", "ps_1"]
