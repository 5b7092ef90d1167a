"""The ILLUSTRATIVE (made-up) school data of the Baijiantan example, examples/baijiantan/
illustrative_observations.csv, written by make_illustrative_data.py (README "Illustrative data").

Checks: the committed CSV is what the generator writes (byte for byte); planeval reads every row
once the plan has the indicators of the standards its targets reference; designed roll-up values
recomputed by hand from the CSV with the csv module agree with Plan.rollup; the 2023 verdict of the
2017 优质均衡 standard fails for exactly the two designed reasons.
"""

from __future__ import annotations

import csv
import math
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import planeval
from planeval import Observations, Plan

EXAMPLE = Path(__file__).resolve().parent.parent.parent / "examples" / "baijiantan"
SCRIPT = EXAMPLE / "make_illustrative_data.py"
DATA = EXAMPLE / "illustrative_observations.csv"
# the made-up kindergartens, primary and junior schools, in the generator's order
ILLUSTRATIVE = (
    [f"kg_{i}" for i in range(1, 5)] + [f"ps_{i}" for i in range(1, 6)] + [f"js_{i}" for i in range(1, 4)]
)


def csv_rows() -> list[dict[str, str]]:
    with DATA.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def plan_with_standards() -> Plan:
    plan = planeval.load_plan(EXAMPLE / "plan.json")
    for id in sorted({t.standard for t in plan.targets if t.standard}):
        plan.add_standard_indicators(planeval.builtin_standard(id))
    return plan


@pytest.fixture(scope="module")
def loaded() -> tuple[Plan, Observations]:
    plan = plan_with_standards()
    obs, report = planeval.read_csv(plan, DATA)
    assert report.rows == report.accepted == len(csv_rows())
    return plan, obs


def rolled(frame: pd.DataFrame, indicator: str, entity: str, year: int) -> float:
    rows = frame[
        (frame["indicator"] == indicator)
        & (frame["entity"] == entity)
        & (frame["period_start"] == pd.Timestamp(f"{year}-01-01"))
    ]
    assert len(rows) == 1, rows
    return float(rows["value"].iloc[0])


def test_the_committed_csv_is_what_the_generator_writes(tmp_path: Path) -> None:
    out = tmp_path / "again.csv"
    subprocess.run(
        [sys.executable, str(SCRIPT), "--out", str(out), "--no-check", "--quiet"],
        check=True,
        capture_output=True,
    )
    assert out.read_bytes() == DATA.read_bytes()
    # and once more: the generator is deterministic run to run, not only against the committed file
    again = tmp_path / "again2.csv"
    subprocess.run(
        [sys.executable, str(SCRIPT), "--out", str(again), "--quiet"], check=True, capture_output=True
    )
    assert again.read_bytes() == out.read_bytes()


def test_every_row_is_accepted() -> None:
    plan = plan_with_standards()
    rows = csv_rows()
    _, report = planeval.read_csv(plan, DATA)
    assert report.rows == len(rows) == 478
    assert report.accepted == report.rows
    assert report.duplicates == 0 and report.missing == 0 and report.rejected == []
    assert report.added_entities == ILLUSTRATIVE
    # every added entity is marked as illustrative and sits under the plan's stage entities
    for id in ILLUSTRATIVE:
        e = plan.entity(id)
        assert e.name_zh.endswith("（示例）")
        assert e.parent in {"stage_kindergarten", "stage_primary", "stage_junior"}
        assert e.kind == ("kindergarten" if id.startswith("kg_") else "school")
    # rows sorted by indicator, then entity (district, the schools in order, 第十三中学), then year
    order = ["baijiantan", *ILLUSTRATIVE, "no13_middle_school"]
    keys = [(r["indicator"], order.index(r["entity"]), r["period"]) for r in rows]
    assert keys == sorted(keys) and len(set(keys)) == len(keys)
    assert {r["period"] for r in rows} == {"2021", "2022", "2023"}


def test_stage_totals_by_hand(loaded: tuple[Plan, Observations]) -> None:
    plan, obs = loaded
    rows = csv_rows()

    def stage_total(indicator: str, stage: str, year: str) -> int:
        return sum(
            int(r["value"])
            for r in rows
            if r["indicator"] == indicator and r["parent"] == stage and r["period"] == year
        )

    stages = plan.rollup(obs, level="stage")
    assert isinstance(stages, pd.DataFrame)
    # t1_primary_backbone: 2023 total 82 >= goal 80 (achieved)
    primary = stage_total("county_backbone_teacher_count", "stage_primary", "2023")
    assert primary == 82
    assert rolled(stages, "county_backbone_teacher_count", "stage_primary", 2023) == primary
    t = plan.target("t1_primary_backbone")
    assert primary >= t.goal.value  # type: ignore[operator]
    # t1_junior_assoc_senior: 2023 total 101 < 89 + 0.6 × (120 − 89) = 107.6 (lagging)
    junior = stage_total("assoc_senior_title_teacher_count", "stage_junior", "2023")
    assert junior == 101
    assert rolled(stages, "assoc_senior_title_teacher_count", "stage_junior", 2023) == junior
    t = plan.target("t1_junior_assoc_senior")
    assert t.baseline is not None and t.baseline.value == 89 and t.goal.value == 120
    assert junior < 89 + 0.6 * (120 - 89)
    # t1_junior_backbone: 82 >= 65 + 0.6 × 25 = 80 and < 90 (on track), summed over 2021–2023 rows
    for year, expected in (("2021", None), ("2022", None), ("2023", 82)):
        total = stage_total("county_backbone_teacher_count", "stage_junior", year)
        assert rolled(stages, "county_backbone_teacher_count", "stage_junior", int(year)) == total
        if expected is not None:
            assert total == expected


def test_rates_by_hand(loaded: tuple[Plan, Observations]) -> None:
    plan, obs = loaded
    rows = csv_rows()
    district = plan.rollup(obs, level="district")
    assert isinstance(district, pd.DataFrame)

    def ratio_of_sums(indicator: str, year: str) -> float:
        pairs = [
            (float(r["value"]), float(r["weight"]))
            for r in rows
            if r["indicator"] == indicator and r["period"] == year
        ]
        return sum(v * w for v, w in pairs) / sum(w for _, w in pairs)

    # gigabit campuses: 4, 7, 11 of 13 campuses (on track from the 2021 value 30.8)
    for year, share in (("2021", 4 / 13), ("2022", 7 / 13), ("2023", 11 / 13)):
        by_hand = ratio_of_sums("gigabit_campus_rate", year)
        assert by_hand == pytest.approx(100 * share)
        assert rolled(district, "gigabit_campus_rate", "baijiantan", int(year)) == pytest.approx(by_hand)
    # kindergarten city characteristic schools: all 4 in 2023, the target due then is met
    assert rolled(district, "kindergarten_city_characteristic_rate", "baijiantan", 2023) == 100
    # budget: non-decreasing 2021–2023
    budget = [
        rolled(district, "general_budget_education_expenditure", "baijiantan", y) for y in (2021, 2022, 2023)
    ]
    assert budget == sorted(budget)


def test_the_2023_standard_fails_for_the_two_designed_reasons(loaded: tuple[Plan, Observations]) -> None:
    plan, obs = loaded
    standard = planeval.builtin_standard("compulsory_quality_balance_2017")
    result = planeval.evaluate_standard(standard, plan, obs, period=2023, scope="baijiantan")
    assert not result.passed
    assert [(r.code, r.unit, r.indicator) for r in result.reasons] == [
        ("unit_too_few_met", "ps_5", ""),
        ("cv_above_limit", "", "sports_space_per_student"),
    ]
    passed = {u["unit"]: u["passed"] for u in result.units}
    assert passed == {id: id != "ps_5" for id in ILLUSTRATIVE if not id.startswith("kg_")}

    # the 初中 CV by hand: students as weights, population form (domain notes §2.2)
    rows = [
        r
        for r in csv_rows()
        if r["indicator"] == "sports_space_per_student"
        and r["parent"] == "stage_junior"
        and r["period"] == "2023"
    ]
    x = [float(r["value"]) for r in rows]
    p = [float(r["weight"]) for r in rows]
    mean = sum(pi * xi for pi, xi in zip(p, x)) / sum(p)
    cv = math.sqrt(sum(pi * (xi - mean) ** 2 for pi, xi in zip(p, x)) / sum(p)) / mean
    [row] = [c for c in result.cvs if c["stage"] == "初中" and c["indicator"] == "sports_space_per_student"]
    assert row["cv"] == pytest.approx(cv)
    assert cv > 0.45
