"""Report.to_docx (issue 16): a Word document in the layout of an official evaluation report, read
back with python-docx and rendered to PDF with LibreOffice headless; Report.compare (year over year).

The examples are evaluated on their illustrative data at the end of 2023 (and of 2022 for the
comparison); the numbers expected are worked out from the example data files in the comments.
"""

from __future__ import annotations

import functools
import math
import pathlib
import re
import shutil
import subprocess
import sys
import zipfile

import pytest

import planeval
from planeval._display import format_value

docx = pytest.importorskip("docx")

ROOT = pathlib.Path(__file__).resolve().parents[2]
EXAMPLES = ["baijiantan", "jining"]


@functools.cache
def _evaluated(
    example: str, as_of: str
) -> tuple[planeval.Plan, planeval.Report, tuple[planeval.StandardResult, ...]]:
    plan = planeval.load_plan(str(ROOT / "examples" / example / "plan.json"))
    standards = sorted({t.standard for t in plan.targets if t.standard})
    for sid in standards:
        plan.add_standard_indicators(plan.standard(sid))
    obs, _ = planeval.read_csv(plan, str(ROOT / "examples" / example / "illustrative_observations.csv"))
    report = planeval.evaluate(plan, obs, as_of=as_of)
    results = tuple(
        r
        for r in (
            planeval.evaluate_standard(plan.standard(s), plan, obs, period=int(as_of[:4])) for s in standards
        )
        if r.units
    )
    return plan, report, results


def _texts(doc: docx.document.Document) -> list[str]:
    return [p.text for p in doc.paragraphs]


def _rows(doc: docx.document.Document) -> list[list[str]]:
    return [[c.text for c in row.cells] for t in doc.tables for row in t.rows]


@pytest.mark.parametrize("example", EXAMPLES)
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_docx_layout_and_target_table(tmp_path: pathlib.Path, example: str, lang: str) -> None:
    plan, report, _ = _evaluated(example, "2023-12-31")
    out = tmp_path / "r.docx"
    report.to_docx(out, lang, charts=False)
    doc = docx.Document(str(out))
    texts = _texts(doc)
    title = plan.title.zh if lang == "zh" else plan.title.en
    if lang == "zh":
        assert texts[0] == f"{title}评估报告"
        assert texts[1] == "（截至2023年12月31日）"
        heads = ["一、总体情况", "二、分项目标进展", "附件：数据问题"]
    else:
        assert texts[0] == f"{title}: evaluation report"
        assert texts[1] == "(as of 31 December 2023)"
        heads = ["1. Overview", "2. Progress by domain", "Annex: data problems"]
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    for h in heads:
        assert h in headings
    # the overview sentence counts every target
    n = len(plan.targets)
    assert any(
        t.startswith(f"规划共设 {n} 项目标" if lang == "zh" else f"The plan sets {n} targets") for t in texts
    )
    # every target is a row of its domain's table: its name, then the actual value with the
    # indicator's decimals (the report's per-target decimals)
    assert len(doc.inline_shapes) == 0  # charts=False
    rows = _rows(doc)
    by_name = {r[0]: r for r in rows if len(r) == 8}
    names = {t.id: (t.name.zh if lang == "zh" else (t.name.en or t.name.zh)) for t in plan.targets}
    for t in report.targets:
        row = by_name[names[t.id]]
        ind = plan.indicator(t.indicator)
        if ind.unit != "boolean" and ind.kind != "boolean":
            assert row[4] == format_value(t.actual, t.decimals), (t.id, row)
    # ids never appear where a person reads (target ids have underscores; names do not)
    body = "\n".join(texts + ["\t".join(r) for r in rows])
    for t in report.targets:
        if "_" in t.id:
            assert t.id not in body


def test_docx_numbers_of_jining_by_hand(tmp_path: pathlib.Path) -> None:
    _, report, _ = _evaluated("jining", "2023-12-31")
    out = tmp_path / "j.docx"
    report.to_docx(out, charts=False)
    rows = {r[0]: r for r in _rows(docx.Document(str(out))) if len(r) == 8}
    # inclusive kindergartens built during 2021-2025: the data's 2021 + 2022 + 2023 rows, 29 + 39 + 59
    # = 127 (a count: no decimals); the goal 200 by 2025
    row = rows["“十四五”期间新改扩建普惠性幼儿园200所"]
    assert row[4] == "127"
    assert row[6] == "2025"
    # the nine-year retention rate: 2023's row, 99.6 (%, one decimal), goal ≥ 99.9%, lagging
    row = rows["九年义务教育巩固率：2025年达到99.9%"]
    assert row[2:] == ["%", "—", "99.6", "≥ 99.9%", "2025", "进度滞后"]
    # the overview: 8 targets; 1 achieved early, 3 on track, 4 lagging
    texts = _texts(docx.Document(str(out)))
    assert "规划共设 8 项目标。截至2023年12月31日，已提前达成 1 项，进度正常 3 项，进度滞后 4 项。" in texts


def test_docx_charts_are_images(tmp_path: pathlib.Path) -> None:
    pytest.importorskip("matplotlib")
    _, report, _ = _evaluated("jining", "2023-12-31")
    out = tmp_path / "j.docx"
    report.to_docx(out, "en")
    doc = docx.Document(str(out))
    # the dashboard and one chart per target at risk: jining has 4 lagging targets, none missed
    assert (
        report.summary["lagging"] == 4 and report.summary["missed"] == 0 and report.summary["breached"] == 0
    )
    assert len(doc.inline_shapes) == 5
    with zipfile.ZipFile(out) as z:
        pngs = [n for n in z.namelist() if n.startswith("word/media/") and n.endswith(".png")]
    assert len(pngs) == 5
    captions = [t for t in _texts(doc) if t.startswith("Figure ")]
    assert captions[0] == "Figure 1. Every target's status"
    assert len(captions) == 5


def test_docx_standards_section(tmp_path: pathlib.Path) -> None:
    _, report, results = _evaluated("baijiantan", "2023-12-31")
    assert [r.standard for r in results] == ["compulsory_quality_balance_2017"]
    out = tmp_path / "b.docx"
    report.to_docx(out, standard_results=results, charts=False)
    doc = docx.Document(str(out))
    texts = _texts(doc)
    assert "三、督导评估" in texts
    assert "县域义务教育优质均衡发展督导评估办法（教督〔2017〕6号）：未达标。" in texts
    # the reasons name the school, not its id: 小学戊（示例） (ps_5) meets 5 of 7 indicators
    assert "小学 小学戊（示例）：7 项指标中 5 项达标，少于 6 项" in texts
    assert not any("ps_5" in t for t in texts)
    rows = _rows(doc)
    assert ["小学戊（示例）", "小学", "5/7", "未达标"] in rows
    assert ["资源配置", "未达标"] in rows and ["社会认可度", "达标"] in rows
    # the annex: the example has one data problem and three conflicts recorded in the plan
    annex = texts[texts.index("附件：数据问题") :]
    assert len(report.problems) == 1 and len(report.conflicts) == 3
    bullets = [p.text for p in doc.paragraphs if p.style.name == "List Bullet"]
    assert len([b for b in bullets if b in annex]) >= 4
    # the data problem is labelled in words (_display.PROBLEM_LABELS), not by its code
    (code,) = [p.code for p in report.problems]
    label = planeval._display.problem_label(code, "zh")
    assert label != code and any(b.startswith(f"［{label}］") for b in bullets)


def test_compare_jining_by_hand() -> None:
    _, now, _ = _evaluated("jining", "2023-12-31")
    _, before, _ = _evaluated("jining", "2022-12-31")
    frame = now.compare(before)
    assert list(frame.columns) == [
        "id", "name", "status_before", "status", "status_change", "actual_before", "actual", "change",
        "category_before", "category",
    ]  # fmt: skip
    row = frame.set_index("id").loc["inclusive_kindergartens_built_14th_fyp"]
    # built so far: 29 + 39 = 68 at the end of 2022, + 59 = 127 at the end of 2023
    assert (row.actual_before, row.actual, row.change) == (68.0, 127.0, 59.0)
    assert (row.status_before, row.status, row.status_change) == ("lagging", "on_track", "better")
    row = frame.set_index("id").loc["nine_year_retention_rate_2025"]
    # 99.6 in 2022 and again in 2023: the same value, but the linear path has moved on
    assert row.actual_before == 99.6 and row.actual == 99.6 and row.change == 0.0
    assert (row.status_before, row.status, row.status_change) == ("on_track", "lagging", "worse")
    row = frame.set_index("id").loc["preschool_gross_enrolment_rate_2025"]
    assert math.isclose(row.change, 99.1 - 98.8)
    assert frame.status_change.value_counts().to_dict() == {"better": 3, "same": 3, "worse": 2}


def test_compare_refuses_another_plan_and_bad_lang() -> None:
    _, a, _ = _evaluated("jining", "2023-12-31")
    _, b, _ = _evaluated("baijiantan", "2023-12-31")
    with pytest.raises(planeval.Error, match="different plans"):
        a.compare(b)
    with pytest.raises(planeval.Error):
        a.compare(a, lang="fr")
    with pytest.raises(planeval.Error):
        a.to_docx("x.docx", lang="fr")


def test_docx_comparison_section(tmp_path: pathlib.Path) -> None:
    _, now, _ = _evaluated("jining", "2023-12-31")
    _, before, _ = _evaluated("jining", "2022-12-31")
    out = tmp_path / "c.docx"
    now.to_docx(out, charts=False, previous=before)
    doc = docx.Document(str(out))
    texts = _texts(doc)
    assert "三、与上年比较" in texts
    assert "与2022年12月31日相比：3 项好转，2 项退步，3 项持平。" in texts
    rows = _rows(doc)
    # only the 5 targets whose status changed are listed
    assert ["“十四五”期间新改扩建普惠性幼儿园200所", "进度滞后（68所）", "进度正常（127所）", "好转"] in rows
    assert len([r for r in rows if len(r) == 4 and r[3] in ("好转", "退步")]) == 5


def test_docx_without_python_docx(monkeypatch: pytest.MonkeyPatch, tmp_path: pathlib.Path) -> None:
    _, report, _ = _evaluated("jining", "2023-12-31")
    monkeypatch.setitem(sys.modules, "docx", None)  # import docx now raises ImportError
    with pytest.raises(ModuleNotFoundError, match=r"pip install 'planeval\[docx\]'"):
        report.to_docx(tmp_path / "x.docx")


def _page_count(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf))


@pytest.mark.parametrize("example", EXAMPLES)
def test_docx_renders_with_libreoffice(tmp_path: pathlib.Path, example: str) -> None:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    pytest.importorskip("matplotlib")
    _, report, results = _evaluated(example, "2023-12-31")
    src = tmp_path / f"{example}.docx"
    report.to_docx(src, standard_results=results)
    subprocess.run(
        [soffice, f"-env:UserInstallation=file://{tmp_path}/lo", "--headless", "--convert-to", "pdf",
         "--outdir", str(tmp_path), str(src)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    pdf = (tmp_path / f"{example}.pdf").read_bytes()
    assert pdf.startswith(b"%PDF")
    assert _page_count(pdf) >= 2  # the title page with the overview, then the tables
    pdftotext = shutil.which("pdftotext")
    if pdftotext is not None:
        text = subprocess.run(
            [pdftotext, "-layout", str(tmp_path / f"{example}.pdf"), "-"],
            check=True,
            capture_output=True,
            timeout=60,
        ).stdout.decode("utf-8")
        # not blank: the headings and a target's name are on the pages, in Chinese glyphs
        assert "一、总体情况" in text and "二、分项目标进展" in text
        assert "附件：数据问题" in text
    else:
        assert len(pdf) > 50_000  # the dashboard image alone is larger


@pytest.mark.parametrize("example", ["baijiantan", "healthy_people_2030", "jining", "unnamed_county"])
def test_every_example_plan_gives_a_docx_and_an_xlsx(tmp_path: pathlib.Path, example: str) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    plan, report, _ = _evaluated(example, "2023-12-31")
    report.to_docx(tmp_path / "r.docx", "en", charts=False)
    doc = docx.Document(str(tmp_path / "r.docx"))
    # one row per target in the domains' tables (8 columns), plus one heading row per table
    tables = [t for t in doc.tables if len(t.columns) == 8]
    assert sum(len(t.rows) - 1 for t in tables) == len(plan.targets)
    assert len(tables) == len({plan.indicator(t.indicator).domain for t in plan.targets})
    report.to_xlsx(tmp_path / "r.xlsx", "en")
    assert openpyxl.load_workbook(tmp_path / "r.xlsx").worksheets[0].max_row == 1 + len(plan.targets)
