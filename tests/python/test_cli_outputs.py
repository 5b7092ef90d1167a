"""The command line's Word and Excel outputs (issue 16): ``planeval report --format docx|xlsx`` and
``planeval standard --format xlsx|html|csv``, run as ``python -m planeval`` in a subprocess for two
example plans, read back with python-docx and openpyxl."""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys

import pytest

openpyxl = pytest.importorskip("openpyxl")

ROOT = pathlib.Path(__file__).resolve().parents[2]
EXAMPLES = ["baijiantan", "jining"]


def run(*args: str | pathlib.Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PLANEVAL_LANG", "LC_ALL", "LC_MESSAGES")}
    env.update(PYTHONIOENCODING="utf-8", LANG="C.UTF-8", MPLBACKEND="Agg")
    result = subprocess.run(
        [sys.executable, "-m", "planeval", *map(str, args)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        check=False,
        timeout=300,
    )
    assert "Traceback" not in result.stderr, result.stderr
    return result


def _data(example: str) -> list[str | pathlib.Path]:
    return [
        "--plan",
        ROOT / "examples" / example / "plan.json",
        "--observations",
        ROOT / "examples" / example / "illustrative_observations.csv",
    ]


@pytest.mark.parametrize("example", EXAMPLES)
def test_report_docx_from_the_command_line(tmp_path: pathlib.Path, example: str) -> None:
    docx = pytest.importorskip("docx")
    pytest.importorskip("matplotlib")
    out = tmp_path / "r.docx"
    r = run("report", *_data(example), "--as-of", "2023-12-31", "--format", "docx", "--out", out,
            "--compare-with", "2022-12-31", "--illustrative", "--lang", "zh")  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert r.stdout == ""
    assert f"已写入 {out}" in r.stderr or f"wrote {out}" in r.stderr
    doc = docx.Document(str(out))
    texts = [p.text for p in doc.paragraphs]
    assert texts[1] == "（截至2023年12月31日）"
    assert any(t.startswith("注：示例数据") for t in texts)  # --illustrative
    assert any(t.endswith("、与上年比较") for t in texts)  # --compare-with
    assert any(t.startswith("与2022年12月31日相比：") for t in texts)
    if example == "baijiantan":  # school data for the standard its targets reference
        assert "三、督导评估" in texts
    assert len(doc.inline_shapes) >= 2  # the dashboard and the charts of the targets at risk


@pytest.mark.parametrize("example", EXAMPLES)
def test_report_xlsx_from_the_command_line(tmp_path: pathlib.Path, example: str) -> None:
    out = tmp_path / "r.xlsx"
    r = run(
        "report", *_data(example), "--as-of", "2023-12-31", "--format", "xlsx", "--out", out, "--lang", "en"
    )
    assert r.returncode == 0, r.stderr
    ws = openpyxl.load_workbook(out).worksheets[0]
    assert ws.title == "Evaluation"
    n_targets = {"baijiantan": 142, "jining": 8}[example]  # the examples' plans (plan.json targets)
    assert ws.max_row == 1 + n_targets


def test_report_docx_and_xlsx_need_out(tmp_path: pathlib.Path) -> None:
    r = run("report", *_data("jining"), "--format", "docx")
    assert r.returncode == 1
    assert r.stderr.strip() == "error: --format docx: pass the file to write with --out FILE.docx"
    r = run("report", *_data("jining"), "--format", "xlsx", "--out", tmp_path / "r.docx")
    assert r.returncode == 1
    assert "expected a .xlsx file name for --format xlsx" in r.stderr
    r = run("report", *_data("jining"), "--compare-with", "2022-12-31")
    assert r.returncode == 1
    assert "--compare-with: only with --format docx" in r.stderr
    r = run(
        "report", *_data("jining"), "--format", "docx", "--out", tmp_path / "r.docx", "--compare-with", "2022"
    )
    assert r.returncode == 1
    assert "--compare-with: expected a date YYYY-MM-DD, got '2022'" in r.stderr
    assert not (tmp_path / "r.docx").exists()


def _standard(*args: str | pathlib.Path) -> subprocess.CompletedProcess[str]:
    return run("standard", "compulsory_quality_balance_2017", *_data("baijiantan"), "--year", "2023", *args)


def test_standard_xlsx_html_csv_from_the_command_line(tmp_path: pathlib.Path) -> None:
    r = _standard("--format", "xlsx", "--out", tmp_path / "s.xlsx", "--lang", "zh")
    assert r.returncode == 0, r.stderr
    wb = openpyxl.load_workbook(tmp_path / "s.xlsx")
    assert wb.sheetnames == ["结论", "学校", "学校明细", "差异系数", "县级指标", "原因"]
    schools = {row[1]: row for row in wb["学校"].iter_rows(min_row=2, values_only=True)}
    assert schools["小学戊（示例）"][-2:] == (5, "未达标")  # 5 of 7 indicators met (test_xlsx_out)

    r = _standard("--format", "html")
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("<!DOCTYPE html>") and "<script" not in r.stdout
    assert "Schools" in r.stdout and "CV" in r.stdout  # English: LANG=C.UTF-8
    r = _standard("--format", "html", "--out", tmp_path / "s.html")
    assert r.returncode == 0 and (tmp_path / "s.html").read_text(encoding="utf-8").startswith(
        "<!DOCTYPE html>"
    )

    r = _standard("--format", "csv", "--out", tmp_path / "s.csv")
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "s.csv").exists() and (tmp_path / "s_cv.csv").exists()
    assert f"wrote {tmp_path / 's_cv.csv'}" in r.stderr

    r = _standard("--format", "xlsx")
    assert r.returncode == 1
    assert "--out FILE.xlsx" in r.stderr


def test_standard_help_names_the_outputs() -> None:
    r = run("standard", "--help")
    assert r.returncode == 0
    assert "{text,json,xlsx,html,csv}" in r.stdout
    assert "write_check_reports" in r.stdout  # where the data-check report per school comes from
