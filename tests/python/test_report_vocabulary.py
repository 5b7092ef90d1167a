"""Reports in the plan's own vocabulary, on a small county plan built here: domain names the plan
declares, 约束性 / 预期性, sub-indicators nested under their parent, provisional and breached
verdicts, where the data end, no phase section for a plan without phases, and 全县 (not 全区) in
charts and the Excel template of a county plan."""

from __future__ import annotations

import datetime
import re
from pathlib import Path

import pytest

import planeval
from planeval import _plots
from planeval._report import _STATUS_COLOUR, FRAME_COLUMNS

D = datetime.date
AS_OF = D(2024, 6, 30)  # after the data, which end in 2023


def county_plan() -> planeval.Plan:
    """A county (kind county) plan without phases: a hold goal broken in 2022 (binding), a goal
    due in 2023 with data only up to 2022 (provisional at AS_OF), a parent indicator without a target
    of its own and two sub-indicators (其中), and a goal relative to the province's value."""
    p = planeval.Plan("small-county", "某县教育规划", D(2021, 1, 1), D(2025, 12, 31), title_en="County")
    p.add_domain(planeval.Domain("access", "教育普及", name_en="Access"))
    p.add_domain(planeval.Domain("staff", "教师队伍", name_en="Teaching staff"))
    ind = planeval.Indicator
    p.add_indicator(ind("retention", "义务教育巩固率", "%", "rate", domain="access", obligation="binding"))
    p.add_indicator(ind("smart", "智慧校园比例", "%", "rate", domain="access", obligation="expected"))
    p.add_indicator(ind("college", "专科以上学历比例", "%", "rate", domain="staff", obligation="expected"))
    p.add_indicator(ind("bachelor", "其中：本科及以上", "%", "rate", domain="staff", parent="college"))
    p.add_indicator(ind("postgrad", "其中：研究生", "%", "rate", domain="staff", parent="college"))
    p.add_indicator(ind("pe_share", "体育教师配备率", "%", "rate", domain="staff"))
    p.add_entity(planeval.Entity("c", "某县", "county", name_en="the county"))
    p.add_entity(planeval.Entity("prov", "全省平均", "province", name_en="the provincial average"))
    goal, src, point = planeval.Goal, planeval.Source, planeval.Point
    end = D(2025, 12, 31)
    hold = goal(">=", 99.0, deadline=end, from_=D(2021, 1, 1))
    p.add_target(planeval.Target("hold", "retention", "c", hold, src("保持99%以上")))
    p.add_target(
        planeval.Target(
            "smart_2023", "smart", "c", goal(">=", 90.0, deadline=D(2023, 12, 31)), src("2023年达到90%"),
            baseline=point(D(2020, 12, 31), 60.0),
        )
    )  # fmt: skip
    p.add_target(
        planeval.Target(
            "bachelor_80", "bachelor", "c", goal(">=", 80.0, deadline=end), src("其中本科80%"),
            baseline=point(D(2020, 12, 31), 60.0),
        )
    )  # fmt: skip
    p.add_target(
        planeval.Target(
            "postgrad_10", "postgrad", "c", goal(">=", 10.0, deadline=end), src("其中研究生10%"),
            baseline=point(D(2020, 12, 31), 4.0),
        )
    )  # fmt: skip
    p.add_target(
        planeval.Target(
            "pe_vs_prov", "pe_share", "c", goal(">=", deadline=end, relative_to="prov"), src("不低于全省"),
            obligation="binding",
        )
    )  # fmt: skip
    return p


ROWS = [
    ("retention", "c", 2021, 100.0),
    ("retention", "c", 2022, 97.5),  # below 99: the hold goal is broken in 2022
    ("retention", "c", 2023, 99.6),
    ("smart", "c", 2021, 70.0),
    ("smart", "c", 2022, 80.0),  # nothing for 2023: the 2023 verdict rests on 2022
    ("bachelor", "c", 2021, 63.0),
    ("bachelor", "c", 2022, 66.0),
    ("bachelor", "c", 2023, 69.0),
    ("postgrad", "c", 2023, 8.0),
    ("pe_share", "c", 2023, 95.2),
    ("pe_share", "prov", 2023, 94.1),
]


def observe(plan: planeval.Plan) -> planeval.Observations:
    obs, ingest = planeval.observations_from_arrays(
        plan,
        indicator=[r[0] for r in ROWS],
        entity=[r[1] for r in ROWS],
        year=[r[2] for r in ROWS],
        value=[r[3] for r in ROWS],
    )
    assert ingest.accepted == len(ROWS)
    return obs


@pytest.fixture(scope="module")
def report() -> planeval.Report:
    plan = county_plan()
    return plan.evaluate(observe(plan), as_of=AS_OF)


def row_of(html: str, target: str) -> str:
    m = re.search(rf'<tr id="target-{target}"[^>]*>.*?</tr>', html, re.DOTALL)
    assert m is not None, target
    return m.group(0)


# --- the report's own facts ------------------------------------------------------------------------


def test_the_verdicts_this_file_relies_on(report: planeval.Report) -> None:
    assert report.status("hold") == "breached"
    assert report.target("hold")["breaches"] == [2022]
    assert report.target("smart_2023")["provisional"] is True
    assert report.target("bachelor_80")["provisional"] is False
    assert report.data_end == D(2023, 12, 31)
    assert report.provisional == 1
    assert report.by_obligation["binding"]["breached"] == 1
    assert sum(report.by_obligation["binding"].values()) == 2  # hold, pe_vs_prov (its own)
    assert sum(report.by_obligation["expected"].values()) == 1  # smart_2023
    assert sum(report.by_obligation["unspecified"].values()) == 2  # the sub-indicators


def test_every_status_has_its_own_colour() -> None:
    assert "breached" in planeval.STATUSES
    assert set(planeval.STATUSES) <= set(_STATUS_COLOUR)
    assert _STATUS_COLOUR["breached"] not in (_STATUS_COLOUR["missed"], _STATUS_COLOUR["met"])
    assert len({_STATUS_COLOUR[s] for s in planeval.STATUSES}) == len(planeval.STATUSES)
    assert _plots.status_label("breached", "zh") == "未保持"


# --- HTML ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def html_zh(report: planeval.Report) -> str:
    return report.to_html(lang="zh", charts=False)


@pytest.fixture(scope="module")
def html_en(report: planeval.Report) -> str:
    return report.to_html(lang="en", charts=False)


def test_html_names_domains_as_the_plan_does(html_zh: str, html_en: str) -> None:
    assert "教育普及" in html_zh and "教师队伍" in html_zh
    for raw in ("access", "staff"):
        assert f">{raw}<" not in html_zh and f">{raw}<" not in html_en
    by_domain = re.search(r'<section id="by-domain">.*?</section>', html_zh, re.DOTALL)
    assert by_domain is not None
    assert "<td>教师队伍</td>" in by_domain.group(0) and "<td>教育普及</td>" in by_domain.group(0)
    assert '<td class="s">教育普及</td>' in row_of(html_zh, "hold")
    assert '<td class="s">Access</td>' in row_of(html_en, "hold")
    # the county's targets are counted under its scope word
    assert "<td>全县</td>" in html_zh and "全区" not in html_zh
    assert "<td>county-wide</td>" in html_en
    # the plan has no stage targets: the table is by scope, not 按学段
    assert "<h2>按范围</h2>" in html_zh and "按学段" not in html_zh
    assert "<h2>By scope</h2>" in html_en


def test_html_obligation_column_and_summary(html_zh: str, html_en: str) -> None:
    assert "<th>指标属性</th>" in html_zh
    assert '<td class="s">约束性</td>' in row_of(html_zh, "hold")
    assert '<td class="s">约束性</td>' in row_of(html_zh, "pe_vs_prov")  # the target's own
    assert '<td class="s">预期性</td>' in row_of(html_zh, "smart_2023")
    assert '<td class="s">—</td>' in row_of(html_zh, "bachelor_80")
    section = re.search(r'<section id="by-obligation">.*?</section>', html_zh, re.DOTALL)
    assert section is not None
    rows = re.findall(r'<tr id="obligation-(\w+)"><td>([^<]+)</td><td class="n">(\d+)</td>', section.group(0))
    assert rows == [("binding", "约束性", "2"), ("expected", "预期性", "1"), ("unspecified", "未注明", "2")]
    assert '<tr id="obligation-binding"><td>binding</td><td class="n">2</td>' in html_en


def test_html_nests_sub_indicators_under_their_parent(html_zh: str) -> None:
    parent = html_zh.index('<tr class="parent" id="indicator-college">')
    bachelor = html_zh.index('<tr id="target-bachelor_80"')
    postgrad = html_zh.index('<tr id="target-postgrad_10"')
    assert parent < bachelor < postgrad
    assert "<b>专科以上学历比例</b>" in html_zh[parent:bachelor]
    assert '<td class="s">预期性</td>' in html_zh[parent:bachelor]  # the parent indicator's
    for tid in ("bachelor_80", "postgrad_10"):
        assert '<td class="sub" style="padding-left:28px">└ ' in row_of(html_zh, tid)
    assert 'class="sub"' not in row_of(html_zh, "hold")


def test_html_marks_provisional_and_breached_verdicts(html_zh: str, html_en: str) -> None:
    smart = row_of(html_zh, "smart_2023")
    assert '<span class="prov">暂定</span>' in smart
    assert '<span class="prov">' not in row_of(html_zh, "bachelor_80")
    assert "其中 1 项为暂定结论" in html_zh
    assert '<span class="prov">provisional</span>' in row_of(html_en, "smart_2023")
    hold = row_of(html_zh, "hold")
    # its mark, then its label
    assert f'style="background:{_STATUS_COLOUR["breached"]}">! 未保持</span>' in hold
    assert "2022 年未保持" in hold
    assert "not held in 2022" in row_of(html_en, "hold")
    # the relative goal shows its reference
    assert "参照: 全省平均 94.1%" in row_of(html_zh, "pe_vs_prov")


def test_html_says_where_the_data_end(html_zh: str, html_en: str, report: planeval.Report) -> None:
    assert '<p class="meta" id="data-end">数据截至: <b>2023-12-31</b></p>' in html_zh
    assert "评估日期 2024-06-30 晚于数据截止日期 2023-12-31" in html_zh
    assert "Data up to: <b>2023-12-31</b>" in html_en
    assert "The evaluation date 2024-06-30 is after the end of the data, 2023-12-31" in html_en
    # evaluated at the end of the data: no such notice
    plan = county_plan()
    at_end = plan.evaluate(observe(plan), as_of=D(2023, 12, 31)).to_html(charts=False)
    assert "数据截至: <b>2023-12-31</b>" in at_end and "晚于数据截止日期" not in at_end


def test_html_without_phases_has_no_phase_section(html_zh: str) -> None:
    assert '<section id="phases">' not in html_zh
    assert "<th>阶段</th>" not in html_zh and "未分阶段" not in html_zh
    # a plan with phases keeps them
    plan = planeval.example_plan()
    page = plan.evaluate(as_of=D(2023, 12, 31)).to_html(charts=False)
    assert '<section id="phases">' in page and "<th>阶段</th>" in page


# --- frames ----------------------------------------------------------------------------------------


def test_report_frame_new_columns_and_obligation_filter(report: planeval.Report) -> None:
    pd = pytest.importorskip("pandas")
    frame = report.to_frame()
    assert list(frame.columns) == list(FRAME_COLUMNS)
    assert {"obligation", "provisional", "parent", "reference_value"} <= set(FRAME_COLUMNS)
    f = frame.set_index("target")
    assert f.loc["hold", "obligation"] == "binding"
    assert f.loc["pe_vs_prov", "obligation"] == "binding"
    assert f.loc["smart_2023", "obligation"] == "expected"
    assert pd.isna(f.loc["bachelor_80", "obligation"])  # none stated (pandas: a missing string)
    assert f.loc["bachelor_80", "parent"] == "college" and pd.isna(f.loc["hold", "parent"])
    assert bool(f.loc["smart_2023", "provisional"]) and not bool(f.loc["hold", "provisional"])
    assert frame["provisional"].dtype == bool
    assert f.loc["pe_vs_prov", "reference_value"] == 94.1
    assert frame["reference_value"].isna().sum() == 4
    assert list(report.to_frame(obligation="binding")["target"]) == ["hold", "pe_vs_prov"]
    assert list(report.to_frame(obligation="expected")["target"]) == ["smart_2023"]
    assert list(report.to_frame(obligation="unspecified")["target"]) == ["bachelor_80", "postgrad_10"]
    assert len(report.to_frame(obligation=["binding", "expected"])) == 3
    with pytest.raises(planeval.Error, match="obligation: expected one of binding, expected, unspecified"):
        report.to_frame(obligation="约束")
    zh = report.to_frame(labels="zh")
    assert {"指标属性", "暂定", "上级指标", "参照值"} <= set(zh.columns)


def test_plan_frames_have_obligation_parent_and_domain_names() -> None:
    pd = pytest.importorskip("pandas")
    plan = county_plan()
    ind = plan.indicators_frame().set_index("id")
    assert ind.loc["retention", "obligation"] == "binding"
    assert pd.isna(ind.loc["bachelor", "obligation"])
    assert ind.loc["bachelor", "parent"] == "college" and pd.isna(ind.loc["college", "parent"])
    assert ind.loc["retention", "domain"] == "access"
    assert (ind.loc["retention", "domain_zh"], ind.loc["retention", "domain_en"]) == ("教育普及", "Access")
    tg = plan.targets_frame().set_index("id")
    assert tg.loc["pe_vs_prov", "obligation"] == "binding"  # the target's own over the indicator's None
    assert tg.loc["smart_2023", "obligation"] == "expected"  # the indicator's
    assert tg.loc["postgrad_10", "parent"] == "college"
    assert "指标属性" in plan.targets_frame(labels="zh").columns
    assert "指标属性" in plan.indicators_frame(labels="zh").columns
    assert "parent indicator" in plan.indicators_frame(labels="en").columns


# --- charts ----------------------------------------------------------------------------------------


pytest.importorskip("matplotlib")


def test_dashboard_of_a_county_plan_without_phases(report: planeval.Report) -> None:
    fig = report.plot_dashboard(lang="en", by="stage")
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["county-wide (5)"]
    assert [t.get_text() for t in ax.get_xticklabels()] == [""]  # one column, no "no phase"
    fig = report.plot_dashboard(lang="en")
    rows = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert sorted(rows) == ["Access (2)", "Teaching staff (3)"]
    if _plots.find_cjk_font() is not None:
        fig = report.plot_dashboard(lang="zh", by="stage")
        assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == ["全县 (5)"]
        fig = report.plot_dashboard(lang="zh")
        assert sorted(t.get_text() for t in fig.axes[0].get_yticklabels()) == ["教师队伍 (3)", "教育普及 (2)"]


def test_target_chart_legend_and_marks(report: planeval.Report) -> None:
    fig = report.plot_target("bachelor_80", lang="en")
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert "observed (rolled-up data)" in legend
    fig = report.plot_target("smart_2023", lang="en")
    assert "provisional" in fig.axes[0].get_title(loc="left")
    fig = report.plot_target("hold", lang="en")
    ax = fig.axes[0]
    assert "not held" in ax.get_title(loc="left")
    (ring,) = [line for line in ax.get_lines() if line.get_gid() == "breaches"]
    assert list(ring.get_ydata()) == [97.5]
    if _plots.find_cjk_font() is not None:
        fig = report.plot_target("bachelor_80", lang="zh")
        legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
        assert "观测值（数据汇总）" in legend and not any("学校" in t for t in legend)


# --- Excel -----------------------------------------------------------------------------------------


def test_excel_template_of_a_county_plan(tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    plan = county_plan()
    path = tmp_path / "county.xlsx"
    planeval.excel_template(plan, path)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["说明", "县级", "_planeval"]
    ws = wb["县级"]
    assert [ws.cell(row=r, column=1).value for r in range(4, ws.max_row + 1)] == ["c"]
    readme = " ".join(str(c.value) for row in wb["说明"].iter_rows() for c in row if c.value is not None)
    assert "“县级”表填写不分学段的全县指标，行为全县。" in readme
    assert "全区" not in readme
    en = tmp_path / "county_en.xlsx"
    planeval.excel_template(plan, en, lang="en", stages=["county"])
    wb = openpyxl.load_workbook(en)
    assert wb.sheetnames == ["Read me", "County", "_planeval"]
    readme = " ".join(str(c.value) for row in wb["Read me"].iter_rows() for c in row if c.value is not None)
    assert "The sheet County holds the county-wide indicators without a stage." in readme
    assert "district" not in readme.lower()
    # a filled template reads back
    ws = openpyxl.load_workbook(path)["县级"]
    codes = [c.value for c in ws[3]]
    book = openpyxl.load_workbook(path)
    book["县级"].cell(row=4, column=codes.index("retention|2023") + 1, value=99.6)
    book.save(path)
    obs, ingest = planeval.read_excel(plan, path)
    assert ingest.accepted == 1 and float(obs.value[0]) == 99.6
