"""The command line on a plan of its own: data of another plan without --plan are refused with a
one-line message; without --as-of the report is dated at the end of the data, not today, and says
so; the illustrative-data banner names no example."""

from __future__ import annotations

import datetime
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import planeval

D = datetime.date


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
        timeout=120,
    )
    assert "Traceback" not in result.stderr, result.stderr
    return result


def small_plan() -> planeval.Plan:
    """A county plan: one rate from 80 (2020) to 90 (2025)."""
    p = planeval.Plan("cli-county", "某县规划", D(2021, 1, 1), D(2025, 12, 31))
    p.add_domain(planeval.Domain("access", "教育普及", name_en="Access"))
    p.add_indicator(
        planeval.Indicator("enrolment", "毛入学率", "%", "rate", domain="access", obligation="binding")
    )
    p.add_entity(planeval.Entity("c", "某县", "county"))
    p.add_target(
        planeval.Target(
            "enrolment_90",
            "enrolment",
            "c",
            planeval.Goal(">=", 90.0, deadline=D(2025, 12, 31)),
            planeval.Source("2025年达到90%"),
            baseline=planeval.Point(D(2020, 12, 31), 80.0),
        )
    )
    return p


@pytest.fixture
def plan_file(tmp_path: Path) -> Path:
    path = tmp_path / "plan.json"
    small_plan().save(path)
    return path


@pytest.fixture
def data_file(tmp_path: Path) -> Path:
    path = tmp_path / "data.csv"
    path.write_text(
        "indicator,entity,year,value\nenrolment,c,2021,82\nenrolment,c,2022,84.5\n", encoding="utf-8"
    )
    return path


def test_data_of_another_plan_without_plan_ask_for_it(data_file: Path) -> None:
    r = run("report", "--observations", data_file, "--as-of", "2022-12-31")
    assert r.returncode == 1
    lines = r.stderr.splitlines()
    assert len(lines) == 1, r.stderr
    assert lines[0] == (
        f"error: {data_file}: indicator 'enrolment' is not in the embedded example plan (1 of 1 "
        "indicators are not); pass the plan the data belong to with --plan PLAN.json"
    )
    assert "unknown indicator" not in r.stderr
    # the same for an official standard evaluated on such data
    s = run("standard", "compulsory_quality_balance_2017", "--observations", data_file, "--year", "2022")
    assert s.returncode == 1 and "--plan PLAN.json" in s.stderr and len(s.stderr.splitlines()) == 1


def test_with_the_plan_the_data_are_read(plan_file: Path, data_file: Path) -> None:
    r = run(
        "report",
        "--plan",
        plan_file,
        "--observations",
        data_file,
        "--as-of",
        "2022-12-31",
        "--format",
        "json",
    )
    assert r.returncode == 0, r.stderr
    assert r.stderr == ""  # --as-of given: no notice
    t = json.loads(r.stdout)["targets"][0]
    # 80 + 10 × 2/5 = 84 expected in 2022; 84.5 observed: on track
    assert (t["actual"], t["expected"], t["status"]) == (84.5, 84.0, "on_track")


def test_default_as_of_is_the_end_of_the_data(plan_file: Path, data_file: Path) -> None:
    r = run("report", "--plan", plan_file, "--observations", data_file, "--format", "json")
    assert r.returncode == 0, r.stderr
    d = json.loads(r.stdout)
    assert d["as_of"] == "2022-12-31"  # the end of the latest period read (2022), not today
    assert d["data_end"] == "2022-12-31"
    assert r.stderr == (
        f"notice: evaluating as of 2022-12-31 (the end of the latest data period in {data_file}); "
        "pass --as-of DATE to choose\n"
    )
    # a school-year period ends in the next year
    school = data_file.with_name("school.csv")
    school.write_text("indicator,entity,period,value\nenrolment,c,2022/2023,86\n", encoding="utf-8")
    r = run("report", "--plan", plan_file, "--observations", school, "--format", "json")
    assert json.loads(r.stdout)["as_of"] == "2023-08-31"
    assert "evaluating as of 2023-08-31" in r.stderr


def test_default_as_of_without_data(plan_file: Path) -> None:
    # no data, no figure in the plan: the latest baseline, not today
    r = run("report", "--plan", plan_file, "--format", "json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["as_of"] == "2020-12-31"
    assert "the latest baseline date in the plan" in r.stderr
    # the example plan without data: the end of its latest recorded figure
    plan = planeval.example_plan()
    latest = max(o.covered.end for o in plan.observations)
    r = run("report", "--format", "json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["as_of"] == latest.isoformat()
    assert "the figures recorded in the plan" in r.stderr


def test_the_illustrative_banner_is_generic(plan_file: Path, data_file: Path) -> None:
    r = run("report", "--plan", plan_file, "--observations", data_file, "--illustrative", "--format", "json")
    notice = json.loads(r.stdout)["notices"][0]
    assert notice["zh"].startswith("示例数据：观测数据是为演示 planeval 而虚构的，不是真实统计")
    assert "invented to demonstrate planeval, not real statistics" in notice["en"]
    assert "the plan's source" in notice["en"]
    for word in ("baijiantan", "十三五", "13th", "school data", "学校数据"):
        assert word not in notice["zh"].lower() and word not in notice["en"].lower()


def test_html_of_a_county_plan_from_the_command_line(
    plan_file: Path, data_file: Path, tmp_path: Path
) -> None:
    pytest.importorskip("matplotlib")
    out = tmp_path / "r.html"
    args = [
        "--plan",
        plan_file,
        "--observations",
        data_file,
        "--as-of",
        "2023-06-30",
        "--format",
        "html",
        "--lang",
        "zh",
    ]
    r = run("report", *args, "--out", out)
    assert r.returncode == 0, r.stderr
    page = out.read_text(encoding="utf-8")
    assert "教育普及" in page and ">access<" not in page
    assert "数据截至: <b>2022-12-31</b>" in page and "晚于数据截止日期 2022-12-31" in page
    assert '<section id="phases">' not in page and "全县" in page and "全区" not in page
