"""The command line, run as `python -m planeval` in a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import planeval


def run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    # an English locale: messages and output in English unless --lang zh is given (the default
    # language comes from PLANEVAL_LANG and the locale; tests/python/test_cli_lang.py)
    env = {k: v for k, v in os.environ.items() if k not in ("PLANEVAL_LANG", "LC_ALL", "LC_MESSAGES")}
    env.update(PYTHONIOENCODING="utf-8", LANG="C.UTF-8")
    result = subprocess.run(
        [sys.executable, "-m", "planeval", *map(str, args)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        check=False,
        timeout=60,
    )
    assert "Traceback" not in result.stderr, result.stderr
    return result


def test_summary_of_the_embedded_plan() -> None:
    r = run("summary", "--lang", "zh")
    assert r.returncode == 0
    assert "规划编号: baijiantan-education-14th-fyp" in r.stdout


def test_summary_of_a_file_with_warnings(mini_file: Path) -> None:
    r = run("summary", mini_file, "--lang", "en")
    assert r.returncode == 0
    assert r.stdout.startswith("Mini plan\nPlan id: mini\n")
    # t3 (targets[2]) states no deadline: the one warning of the small plan
    assert r.stdout.endswith(
        'warning: targets[2].goal.deadline: target "t3": the source states no deadline; assumed to be the '
        "horizon end 2025-12-31\n"
    )


def test_validate_a_valid_plan(mini_file: Path) -> None:
    r = run("validate", mini_file)
    assert r.returncode == 0
    assert r.stdout == f"{mini_file}: valid (3 targets, 1 warnings)\n"
    assert r.stderr.startswith("warning: targets[2].goal.deadline: ")


def test_validate_an_invalid_plan(mini_text: str, tmp_path: Path) -> None:
    data = json.loads(mini_text)
    data["targets"][1]["goal"]["deadline"] = "2025-13-01"  # t2: referenced by nothing else
    data["phases"][0]["name"] = "第一阶段"  # a string where a Text object is expected
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    r = run("validate", bad)
    assert r.returncode == 1
    assert r.stdout == ""
    # load_plan prefixes every location with the file name
    assert r.stderr.splitlines() == [
        f'error: {bad}: phases[0].name: expected an object, got "第一阶段"',
        f"error: {bad}: targets[1].goal.deadline: "
        'expected a date (YYYY-MM-DD, YYYY-MM or YYYY), got "2025-13-01"',
    ]


def test_validate_a_missing_file(tmp_path: Path) -> None:
    missing = tmp_path / "nope.json"
    r = run("validate", missing)
    assert r.returncode == 1
    assert r.stderr == f"error: {missing}: cannot open the plan file\n"


def test_validate_a_directory(tmp_path: Path) -> None:
    r = run("validate", tmp_path)
    assert r.returncode == 1
    assert r.stderr == f"error: {tmp_path}: cannot read the plan file\n"


def test_validate_malformed_json(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("[1, 2", encoding="utf-8")
    r = run("validate", bad)
    assert r.returncode == 1
    assert r.stderr.startswith(f"error: {bad}:1:6: malformed JSON")


def test_format_to_stdout_and_file(mini_file: Path, mini_text: str, tmp_path: Path) -> None:
    canonical = planeval.parse_plan(mini_text).to_json()
    r = run("format", mini_file)
    assert r.returncode == 0
    assert r.stdout == canonical
    out = tmp_path / "out.json"
    r = run("format", mini_file, "--out", out)
    assert (r.returncode, r.stdout) == (0, "")
    assert out.read_text(encoding="utf-8") == canonical


def test_format_to_an_unwritable_file(mini_file: Path, tmp_path: Path) -> None:
    target = tmp_path / "no" / "such" / "dir.json"
    r = run("format", mini_file, "--out", target)
    assert r.returncode == 1
    assert r.stderr == f"error: {target}: cannot open for writing\n"


@pytest.mark.parametrize("args", [(), ("frobnicate",), ("validate",), ("summary", "--lang", "fr")])
def test_usage_errors(args: tuple[str, ...]) -> None:
    r = run(*args)
    assert r.returncode == 2  # argparse's usage error
    assert "usage: planeval" in r.stderr


EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "baijiantan"
ILLUSTRATIVE_CSV = EXAMPLES / "illustrative_observations.csv"


def test_report_of_the_example_with_illustrative_data(tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    r = run(
        "report",
        "--observations",
        ILLUSTRATIVE_CSV,
        "--as-of",
        "2023-12-31",
        "--illustrative",
        "--format",
        "json",
        "--out",
        out,
    )
    assert r.returncode == 0, r.stderr
    d = json.loads(out.read_text(encoding="utf-8"))
    assert d["as_of"] == "2023-12-31"
    assert "Illustrative data" in d["notices"][0]["en"]
    # every one of the 478 rows feeds a target or the 优质均衡 evaluation (examples/baijiantan/README.md)
    assert d["rows"] == {"given": 478, "used": 478, "after_as_of": 0}
    s = d["summary"]
    assert sum(s.values()) == 142
    # designed in examples/baijiantan/README.md: the 优质均衡 2023 milestone fails on the school data;
    # the kindergarten "特色学校" share reaches 100% in 2023 (met)
    assert s["missed"] >= 1 and s["met"] >= 1 and s["on_track"] >= 1 and s["lagging"] >= 1
    by_id = {t["id"]: t for t in d["targets"]}
    assert by_id["compulsory_quality_balance_pass_2023"]["status"] == "missed"
    assert by_id["kindergarten_city_characteristic_all_2023"]["status"] == "met"


def test_report_text_in_english_and_at_the_end_of_the_plan() -> None:
    # without data the plan's own figures decide; at 2025-12-31 the real 2025 recognition as a
    # national 学前教育普及普惠县 (a recorded outcome in the plan) makes that milestone met
    r = run("report", "--as-of", "2025-12-31", "--lang", "en")
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("Plan evaluation report: ")
    assert "As of: 2025-12-31" in r.stdout
    rj = run("report", "--as-of", "2025-12-31", "--format", "json")
    t = {x["id"]: x for x in json.loads(rj.stdout)["targets"]}
    assert t["preschool_national_assessment_pass_2025"]["status"] == "met"
    assert t["preschool_national_assessment_pass_2025"]["judged_from"] == "plan"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--as-of", "2023-13-01"), "--as-of: expected a date YYYY-MM-DD"),
        (("--observations", "no/such.csv"), "no/such.csv: no such file"),
        (("--methods", "nope", "--as-of", "2023-12-31"), 'unknown method "nope"'),
    ],
)
def test_report_user_errors(args: tuple[str, ...], message: str) -> None:
    r = run("report", *args)
    assert r.returncode == 1
    assert message in r.stderr


def test_standard_on_the_illustrative_school_data() -> None:
    # designed in examples/baijiantan/README.md: 2023 fails for exactly two reasons
    r = run(
        "standard",
        "compulsory_quality_balance_2017",
        "--observations",
        ILLUSTRATIVE_CSV,
        "--year",
        "2023",
        "--format",
        "json",
    )
    assert r.returncode == 0, r.stderr
    d = json.loads(r.stdout)
    assert d["passed"] is False
    assert [x["code"] for x in d["reasons"]] == ["unit_too_few_met", "cv_above_limit"]
    assert d["reasons"][0]["unit"] == "ps_5"
    text = run(
        "standard", "compulsory_quality_balance_2017", "--observations", ILLUSTRATIVE_CSV, "--year", "2023",
        "--lang", "zh",
    )  # fmt: skip
    assert "教督〔2017〕6号" in text.stdout and "未达标" in text.stdout
    bad = run("standard", "no_such_standard", "--observations", ILLUSTRATIVE_CSV, "--year", "2023")
    assert bad.returncode == 1
    assert "unknown standard 'no_such_standard'" in bad.stderr


def test_template_then_report_from_the_workbook(tmp_path: Path) -> None:
    book = tmp_path / "data.xlsx"
    r = run("template", "--out", book, "--years", "2021-2023", "--lang", "zh")
    assert r.returncode == 0, r.stderr
    assert r.stdout == f"已写入 {book}\n"  # "wrote ..." in Chinese
    # fill one cell: the whole-stage row of the 小学 sheet (the plan has no primary school), 2023
    import openpyxl  # type: ignore[import-untyped, unused-ignore]

    wb = openpyxl.load_workbook(book)
    ws = wb["小学"]
    codes = [c.value for c in ws[3]]
    col = codes.index("county_backbone_teacher_count|2023") + 1
    ws.cell(row=4, column=col, value=70)  # row 4: the stage entity (学段合计)
    wb.save(book)
    rep = run("report", "--observations", book, "--as-of", "2023-12-31", "--format", "json")
    assert rep.returncode == 0, rep.stderr
    t = {x["id"]: x for x in json.loads(rep.stdout)["targets"]}["t1_primary_backbone"]
    # 表1: 66 (2020) -> 80 (2025); expected 2023 = 66 + 14 × 0.6 = 74.4 > 70 -> lagging
    assert t["actual"] == 70.0 and t["status"] == "lagging"
    assert abs(t["expected"] - 74.4) < 1e-9
    bad = run("template", "--out", tmp_path / "data.txt")
    assert bad.returncode == 1 and "expected a .xlsx file name" in bad.stderr


def test_report_as_html(tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    r = run(
        "report", "--observations", ILLUSTRATIVE_CSV, "--as-of", "2023-12-31", "--illustrative",
        "--format", "html", "--lang", "en", "--out", out,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert "Illustrative data" in page
    # the 优质均衡 standard evaluated on the school data: its chart and the reason naming ps_5 by name
    assert "小学戊（示例）" in page and "<svg" in page
    assert "http://" not in page.replace("http://www.w3.org", "")


def test_unwritable_output_is_a_one_line_error(tmp_path: Path) -> None:
    r = run("template", "--out", tmp_path / "no" / "such" / "dir" / "t.xlsx")
    assert r.returncode == 1
    assert r.stderr.startswith("error: ") and "No such file or directory" in r.stderr


def test_several_observation_files_are_one_data_set(tmp_path: Path, repo_root: Path) -> None:
    # the illustrative data split in two files (one per half of the rows, as schools send them)
    # give the same report as the whole file
    source = repo_root / "examples" / "baijiantan" / "illustrative_observations.csv"
    lines = source.read_text(encoding="utf-8").splitlines(keepends=True)
    header, rows = lines[0], lines[1:]
    half = len(rows) // 2
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    a.write_text(header + "".join(rows[:half]), encoding="utf-8")
    b.write_text(header + "".join(rows[half:]), encoding="utf-8")
    common = ["report", "--as-of", "2023-12-31", "--format", "json"]
    whole = run(*common, "--observations", source)
    split = run(*common, "--observations", a, b)
    assert whole.returncode == 0 and split.returncode == 0, split.stderr
    assert json.loads(split.stdout)["targets"] == json.loads(whole.stdout)["targets"]
    assert json.loads(split.stdout)["summary"] == json.loads(whole.stdout)["summary"]
    # the first row of a.csv again in b.csv: an identical repeat is a duplicate, not an error ...
    b.write_text(header + "".join(rows[half:]) + rows[0], encoding="utf-8")
    assert run(*common, "--observations", a, b).returncode == 0
    # ... with another value (2 -> 3 assoc. senior teachers at kg_1 in 2021) a conflict naming both files
    cells = rows[0].split(",")
    cells[3] = str(int(cells[3]) + 1)
    b.write_text(header + "".join(rows[half:]) + ",".join(cells), encoding="utf-8")
    conflict = run(*common, "--observations", a, b)
    assert conflict.returncode == 1
    assert f"{a}: line 2, column value" in conflict.stderr, conflict.stderr
    assert f"[{b}] line " in conflict.stderr, conflict.stderr
