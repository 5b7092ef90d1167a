#!/usr/bin/env python3
"""Generate ILLUSTRATIVE (made-up) school-level data for the Baijiantan example plan, 2021–2023.

THE DATA ARE NOT REAL. No school, count, area, amount or share written by this script was observed
or published anywhere. The plan text (000_5d8d1421df12d554.txt) names no school except 第十三中学 and
gives no school-level figures after 2020; every school added here carries "（示例）" in its name and a
made-up id (kg_1, ps_1, js_1 ...). The numbers are designed so that an evaluation of the plan at
2023-12-31 shows every status kind a target can have; they are plausible for a small district, not
estimates of the real one. Only the 2020 baselines and the goals read from plan.json are real.

    python examples/baijiantan/make_illustrative_data.py [--out PATH] [--no-check]

writes the CSV (default: illustrative_observations.csv next to this script) for planeval.read_csv,
then prints the designed outcomes. Deterministic: numpy's PCG64 generator with a fixed seed, only
uniform draws (Generator.random, stable across numpy versions), fixed decimals, rows sorted, "\\n"
line ends; re-running writes a byte-identical file. The generator needs only numpy and the standard
library; unless --no-check is given and if planeval is importable, the script then loads the CSV
with planeval and prints the stage roll-ups and the 2023 verdict of the 2017 优质均衡 standard as
planeval computes them.

What is designed (section "Illustrative data" of README.md has the full table):

- 表1 teacher counts (the 14 t1_* targets, stage scope, 2020 baseline, 2025 goal, counts summed):
  per-school counts whose 2023 stage totals make 7 targets on_track, 6 lagging, 1 achieved against
  the linear path expected_2023 = x0 + 0.6·(xT − x0).
- The 7 per-school indicators of the 2017 优质均衡 standard for the 5 primary and 3 junior schools
  (weight = students of the year), plus the three district criteria (passing): the 2023 evaluation
  FAILS for two reasons, 小学戊 meeting only 5 of 7 standards and the 初中 between-school CV of sports
  ground per student (初中丙 has a very large ground) above 0.45; every other school passes.
- kindergarten_city_characteristic_all_2023 (due 2023): all four kindergartens by 2023 → met (the
  plan's other due target, the 2023 优质均衡 evaluation, is the missed one).
- gen_budget_edu_spending_non_decrease: district amounts rising 2021–2023 → the 只增不减 rule holds
  (on_track).
- gigabit_campus_network (no deadline: horizon end) → on_track from its first observation (2021);
  smart_school_standard_all_2025 → lagging; eye_protection_lighting_3y has one observation (2023)
  and no baseline → not_assessable.
- party_member_teacher_share_2025: 党员教师 and 专任教师 counts per campus; the plan derives the
  share (a ratio of sums) → 44.0% in 2023 against 45.0% expected from the first observation → lagging.
- 每百名学生拥有县级以上骨干教师数 is not written: the plan derives it from the 表1 backbone counts and
  the students rows (the other six 优质均衡 values are written as values, which the plan keeps).
- Every other target gets no rows (no_data, or not_due for pass milestones due after 2023).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
PLAN = HERE / "plan.json"
DEFAULT_OUT = HERE / "illustrative_observations.csv"

SEED = 20231231
YEARS = (2021, 2022, 2023)
AS_OF = 2023
BASE_YEAR = 2020
GOAL_YEAR = 2025
TAU = (AS_OF - BASE_YEAR) / (GOAL_YEAR - BASE_YEAR)  # 0.6: time progress (序时进度) at 2023

COLUMNS = (
    "indicator",
    "entity",
    "period",
    "value",
    "weight",
    "parent",
    "entity_name",
    "entity_kind",
    "stage",
    "students",
)

# --- the illustrative schools ---------------------------------------------------------------------
# id, name (made up, marked 示例), entity kind, parent stage entity, stage, students in 2023.
SCHOOLS = (
    ("kg_1", "幼儿园甲（示例）", "kindergarten", "stage_kindergarten", "幼儿园", 420),
    ("kg_2", "幼儿园乙（示例）", "kindergarten", "stage_kindergarten", "幼儿园", 360),
    ("kg_3", "幼儿园丙（示例）", "kindergarten", "stage_kindergarten", "幼儿园", 270),
    ("kg_4", "幼儿园丁（示例）", "kindergarten", "stage_kindergarten", "幼儿园", 180),
    ("ps_1", "小学甲（示例）", "school", "stage_primary", "小学", 1460),
    ("ps_2", "小学乙（示例）", "school", "stage_primary", "小学", 1180),
    ("ps_3", "小学丙（示例）", "school", "stage_primary", "小学", 930),
    ("ps_4", "小学丁（示例）", "school", "stage_primary", "小学", 650),
    ("ps_5", "小学戊（示例）", "school", "stage_primary", "小学", 380),
    ("js_1", "初中甲（示例）", "school", "stage_junior", "初中", 1480),
    ("js_2", "初中乙（示例）", "school", "stage_junior", "初中", 1120),
    ("js_3", "初中丙（示例）", "school", "stage_junior", "初中", 640),
)
SENIOR = "no13_middle_school"  # 第十三中学, already in the plan (the only school the text names)

# --- 表1: designed 2023 stage totals ---------------------------------------------------------------
# target id -> (2023 stage total, designed status). Baseline x0 (2020) and goal xT (2025) are read
# from plan.json; expected_2023 = x0 + 0.6·(xT − x0). Totals stay at least 0.2 away from the expected
# value, so a day-based time fraction (1095/1826 = 0.5997) gives the same statuses.
T1_DESIGN = {
    "t1_kindergarten_backbone": (16, "on_track"),  # 10 → 18, expected 14.8
    "t1_kindergarten_assoc_senior": (7, "lagging"),  # 5 → 10, expected 8.0
    "t1_kindergarten_intermediate": (45, "on_track"),  # 38 → 48, expected 44.0
    "t1_primary_backbone": (82, "achieved"),  # 66 → 80: goal already reached
    "t1_primary_assoc_senior": (41, "lagging"),  # 29 → 60, expected 47.6
    "t1_primary_intermediate": (148, "on_track"),  # 141 → 150, expected 146.4
    "t1_junior_backbone": (82, "on_track"),  # 65 → 90, expected 80.0
    "t1_junior_full_senior": (2, "lagging"),  # 1 → 3, expected 2.2
    "t1_junior_assoc_senior": (101, "lagging"),  # 89 → 120, expected 107.6
    "t1_junior_intermediate": (173, "on_track"),  # 158 → 180, expected 171.2
    "t1_senior_high_backbone": (8, "lagging"),  # 7 → 9, expected 8.2
    "t1_senior_high_full_senior": (3, "lagging"),  # 2 → 4, expected 3.2
    "t1_senior_high_assoc_senior": (19, "on_track"),  # 15 → 20, expected 18.0
    "t1_senior_high_intermediate": (39, "on_track"),  # 35 → 40, expected 38.0
}

# --- the 2017 优质均衡 standard: designed 2023 per-school values --------------------------------------
STANDARD = "compulsory_quality_balance_2017"
Q_INDICATORS = (
    "qualified_teachers_per_100",  # 每百名学生拥有高于规定学历教师数
    "backbone_teachers_per_100",  # 每百名学生拥有县级以上骨干教师数 (derived from the 表1 counts)
    "pe_arts_teachers_per_100",  # 每百名学生拥有体育、艺术专任教师数
    "teaching_space_per_student",  # 生均教学及辅助用房面积 ㎡
    "sports_space_per_student",  # 生均体育运动场馆面积 ㎡
    "equipment_value_per_student",  # 生均教学仪器设备值 元
    "multimedia_rooms_per_100",  # 每百名学生拥有网络多媒体教室数
)
Q_DECIMALS = (2, 2, 2, 2, 2, 0, 2)
# Thresholds (小学 / 初中) of standards/compulsory_quality_balance_2017.json; a school passes with at
# least 6 of 7 met and every unmet one >= 85% of its threshold; the student-weighted CV of each
# indicator across the stage's schools must be <= 0.50 (小学) / 0.45 (初中).
Q_THRESHOLDS = {
    "小学": (4.2, 1.0, 0.9, 4.5, 7.5, 2000.0, 2.3),
    "初中": (5.3, 1.0, 0.9, 5.8, 10.2, 2500.0, 2.4),
}
Q_K, Q_FLOOR = 6, 0.85
Q_CV_LIMIT = {"小学": 0.50, "初中": 0.45}
# 2023 values; None = backbone_teachers_per_100, computed from the school's 表1 backbone count.
Q_2023 = {
    "ps_1": (5.10, None, 1.03, 5.12, 8.30, 2860, 2.67),
    "ps_2": (4.83, None, 0.98, 4.86, 7.92, 2540, 2.54),
    "ps_3": (4.62, None, 0.94, 4.71, 7.18, 2310, 2.47),  # sports 7.18 < 7.5 (96%): 6 of 7, passes
    "ps_4": (4.46, None, 0.92, 4.95, 9.40, 2170, 2.46),
    "ps_5": (4.47, None, 0.79, 4.62, 10.85, 2080, 2.11),  # PE/arts 0.79 (88%), multimedia 2.11 (92%): 5 of 7
    "js_1": (6.08, None, 1.05, 6.42, 11.20, 3120, 2.70),
    "js_2": (5.71, None, 0.97, 6.05, 10.60, 2780, 2.58),
    "js_3": (5.52, None, 0.95, 6.16, 30.40, 2650, 2.52),  # a very large ground: 初中 sports CV > 0.45
}
# District criteria of the standard (政府保障程度, 教育质量 as pass/fail; 社会认可度 % >= 85), all passing.
Q_DISTRICT = {
    "government_guarantee_passed": ("true", "true", "true"),
    "education_quality_passed": ("true", "true", "true"),
    "compulsory_social_recognition_rate": ("86.4", "88.9", "91.2"),
}

# 党员教师 / 专任教师 district totals per year (party_member_teacher_share_2025: >= 50% by 2025, no
# baseline; from the first observation, 40.0% in 2021, the linear path expects
# 40 + (50 − 40) × 2/4 = 45.0% at 2023; 44.0% is lagging).
PARTY_DESIGN = {2021: (360, 900), 2022: (380, 905), 2023: (396, 900)}

# --- shares of campuses (value 100 = yes, 0 = not yet; weight 1 = one campus) ---------------------
# indicator -> (the campuses counted, {year: campuses counted as "yes"}); a row per campus and year.
ALL_CAMPUSES = (*(s[0] for s in SCHOOLS), SENIOR)
SCHOOL_CAMPUSES = (*(s[0] for s in SCHOOLS if s[4] != "幼儿园"), SENIOR)
SHARES: dict[str, tuple[tuple[str, ...], dict[int, tuple[str, ...]]]] = {
    # 千兆网接入校园 (all campuses; target gigabit_campus_network, no deadline → horizon end 2025)
    "gigabit_campus_rate": (
        ALL_CAMPUSES,
        {
            2021: ("ps_1", "js_1", SENIOR, "kg_1"),
            2022: ("ps_1", "js_1", SENIOR, "kg_1", "ps_2", "js_2", "kg_2"),
            2023: ("ps_1", "js_1", SENIOR, "kg_1", "ps_2", "js_2", "kg_2", "ps_3", "ps_4", "js_3", "kg_3"),
        },
    ),
    # 达到智慧学校建设要求的中小学 (schools only; target smart_school_standard_all_2025)
    "smart_school_standard_rate": (
        SCHOOL_CAMPUSES,
        {
            2021: ("js_1",),
            2022: ("js_1", SENIOR),
            2023: ("js_1", SENIOR, "ps_1"),
        },
    ),
    # 区属幼儿园创建市级特色学校 (kindergartens; target kindergarten_city_characteristic_all_2023, due 2023)
    "kindergarten_city_characteristic_rate": (
        ("kg_1", "kg_2", "kg_3", "kg_4"),
        {
            2021: ("kg_1",),
            2022: ("kg_1", "kg_2", "kg_3"),
            2023: ("kg_1", "kg_2", "kg_3", "kg_4"),
        },
    ),
    # 护眼灯改造 (all campuses; target eye_protection_lighting_3y): first surveyed in 2023, so one value
    # and no baseline: a method needs two points in time → not_assessable
    "eye_protection_lamp_rate": (
        ALL_CAMPUSES,
        {
            2023: ("ps_1", "ps_2", "ps_3", "js_1", "js_2", SENIOR, "kg_1", "kg_2"),
        },
    ),
}
SHARE_TARGETS = {
    "gigabit_campus_rate": "gigabit_campus_network",
    "smart_school_standard_rate": "smart_school_standard_all_2025",
    "kindergarten_city_characteristic_rate": "kindergarten_city_characteristic_all_2023",
    "eye_protection_lamp_rate": "eye_protection_lighting_3y",
}

# 一般公共预算教育支出, 万元, district rows (target gen_budget_edu_spending_non_decrease, 只增不减).
BUDGET = {2021: 31284.60, 2022: 32017.25, 2023: 33546.80}


# --- helpers --------------------------------------------------------------------------------------


def apportion(total: int, shares: np.ndarray) -> list[int]:
    """Split a whole number by the largest-remainder method (ties: the earlier unit)."""
    quota = total * shares / shares.sum()
    base = np.floor(quota).astype(int)
    left = total - int(base.sum())
    order = sorted(range(len(shares)), key=lambda i: (-(quota[i] - base[i]), i))
    for i in order[:left]:
        base[i] += 1
    return [int(x) for x in base]


def fmt(x: float, decimals: int) -> str:
    """A number with fixed decimals ("-0" never appears: all values are >= 0)."""
    return f"{x:.{decimals}f}"


def weighted_cv(values: list[float], weights: list[float]) -> float:
    """Student-weighted coefficient of variation, population form (domain notes §2.2)."""
    x = np.asarray(values, dtype=float)
    w = np.asarray(weights, dtype=float) / float(np.sum(weights))
    mean = float(np.sum(w * x))
    return float(np.sqrt(np.sum(w * (x - mean) ** 2)) / mean)


def linear_status(x0: float, xT: float, xt: float) -> tuple[float, str]:
    """(expected value at 2023, status) on the linear path, higher is better."""
    expected = x0 + TAU * (xT - x0)
    if xt >= xT:
        return expected, "achieved"
    return expected, "on_track" if xt >= expected else "lagging"


# --- the generator --------------------------------------------------------------------------------


class Generator:
    """Builds the rows; every random draw happens in a fixed order from one seeded generator."""

    def __init__(self, plan: dict[str, Any]) -> None:
        self.rng = np.random.default_rng(SEED)
        self.targets = {t["id"]: t for t in plan["targets"]}
        self.entity = {s[0]: s for s in SCHOOLS}
        self.rows: list[dict[str, str]] = []
        self.students = self._students()
        self.t1_counts: dict[str, dict[int, dict[str, int]]] = {}  # target -> year -> school -> count

    def uniform(self, lo: float, hi: float) -> float:
        return lo + (hi - lo) * float(self.rng.random())

    def _students(self) -> dict[str, dict[int, int]]:
        """Students per school and year: the 2023 figure with a drift of −3% .. +4% a year."""
        out: dict[str, dict[int, int]] = {}
        for sid, *_rest, n2023 in SCHOOLS:
            drift = self.uniform(-0.03, 0.04)
            out[sid] = {y: round(n2023 * (1 + drift * (y - AS_OF))) for y in YEARS}
        return out

    def row(self, indicator: str, entity: str, year: int, value: str, weight: str) -> None:
        r = dict.fromkeys(COLUMNS, "")
        r.update(indicator=indicator, entity=entity, period=str(year), value=value, weight=weight)
        if entity in self.entity:  # a new entity: its attributes, the same on every row
            _, name, kind, parent, stage, n2023 = self.entity[entity]
            r.update(parent=parent, entity_name=name, entity_kind=kind, stage=stage, students=str(n2023))
        self.rows.append(r)

    # 表1 teacher counts -------------------------------------------------------------------------------

    def teacher_counts(self) -> None:
        for tid, (total_2023, _) in T1_DESIGN.items():
            t = self.targets[tid]
            scope = t["scope"]
            x0 = int(t["baseline"]["value"])
            units = [s[0] for s in SCHOOLS if s[3] == scope] or [SENIOR]
            # each school's share of the stage's teachers: its students with a ±15% jitter
            shares = np.array(
                [self.entity[u][5] * self.uniform(0.85, 1.15) if u in self.entity else 1.0 for u in units]
            )
            f2021, f2022 = self.uniform(0.20, 0.40), self.uniform(0.50, 0.75)
            totals = {
                2021: x0 + round((total_2023 - x0) * f2021),
                2022: x0 + round((total_2023 - x0) * f2022),
                2023: total_2023,
            }
            self.t1_counts[tid] = {}
            for y in YEARS:
                counts = apportion(totals[y], shares)
                self.t1_counts[tid][y] = dict(zip(units, counts))
                for u, c in zip(units, counts):
                    self.row(t["indicator"], u, y, str(c), "1")

    # the 2017 standard --------------------------------------------------------------------------------

    def standard_values(self) -> dict[int, dict[str, list[float]]]:
        """Per year and school the 7 values (rounded as written); also writes the rows."""
        backbone_target = {"小学": "t1_primary_backbone", "初中": "t1_junior_backbone"}
        out: dict[int, dict[str, list[float]]] = {y: {} for y in YEARS}
        growth = {(sid, k): self.uniform(0.01, 0.05) for sid in Q_2023 for k in range(len(Q_INDICATORS))}
        for y in YEARS:
            for sid, design in Q_2023.items():
                stage = self.entity[sid][4]
                n = self.students[sid][y]
                values = []
                for k, (ind, dec) in enumerate(zip(Q_INDICATORS, Q_DECIMALS)):
                    if design[k] is None:
                        # backbone teachers per 100 students: not written; the plan derives it
                        # (numerator #{county_backbone_teacher_count}, denominator #{students},
                        # factor 100) from the 表1 counts and the students rows written here
                        values.append(100.0 * self.t1_counts[backbone_target[stage]][y][sid] / n)
                        self.row("students", sid, y, str(n), "1")
                        continue
                    # improving conditions: the 2023 value discounted by 1–5% a year
                    x = round(float(design[k] or 0) / (1 + growth[(sid, k)]) ** (AS_OF - y), dec)
                    values.append(x)
                    self.row(ind, sid, y, fmt(x, dec), str(n))
                out[y][sid] = values
        for ind, per_year in Q_DISTRICT.items():
            for y, v in zip(YEARS, per_year):
                self.row(ind, "baijiantan", y, v, "1")
        return out

    # shares and the budget ----------------------------------------------------------------------------

    def shares(self) -> dict[str, dict[int, float]]:
        out: dict[str, dict[int, float]] = {}
        for ind, (campuses, yes) in SHARES.items():
            out[ind] = {}
            for y in sorted(yes):
                for c in campuses:
                    self.row(ind, c, y, "100.0" if c in yes[y] else "0.0", "1")
                out[ind][y] = 100.0 * len(yes[y]) / len(campuses)
        return out

    def party_members(self) -> dict[int, tuple[int, int]]:
        """党员教师 and 专任教师 counts per campus and year (drawn last: the draws above are unchanged).

        The district totals are designed: party members 360 of 900 teachers in 2021 (40.0%), 380 of
        905 (42.0%) in 2022, 396 of 900 (44.0%) in 2023; each campus takes a share of the teachers
        by its students (±15%) and of the party members by its teachers (±15%). The plan derives
        党员教师占比 = 100 × Σ党员教师数 / Σ专任教师数 (a ratio of sums) from these rows.
        """
        campuses = [s[0] for s in SCHOOLS]
        students = np.array([self.entity[c][5] * self.uniform(0.85, 1.15) for c in campuses] + [900.0])
        party_bias = np.array([self.uniform(0.85, 1.15) for _ in range(len(campuses) + 1)])
        units = [*campuses, SENIOR]
        out = {}
        for y in YEARS:
            party_total, teacher_total = PARTY_DESIGN[y]
            teachers = apportion(teacher_total, students)
            party = apportion(party_total, np.array(teachers, dtype=float) * party_bias)
            for u, t, m in zip(units, teachers, party):
                self.row("full_time_teacher_count", u, y, str(t), "1")
                self.row("party_member_teacher_count", u, y, str(m), "1")
            out[y] = (party_total, teacher_total)
        return out

    def budget(self) -> None:
        for y in YEARS:
            self.row("general_budget_education_expenditure", "baijiantan", y, fmt(BUDGET[y], 2), "1")

    def csv_text(self) -> str:
        order = {c: i for i, c in enumerate(("baijiantan", *(s[0] for s in SCHOOLS), SENIOR))}
        rows = sorted(self.rows, key=lambda r: (r["indicator"], order[r["entity"]], r["period"]))
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(COLUMNS)
        for r in rows:
            w.writerow([r[c] for c in COLUMNS])
        return buf.getvalue()


# --- designed outcomes, checked without planeval --------------------------------------------------


def judge_standard_2023(values: dict[str, list[float]], students: dict[str, int]) -> list[str]:
    """The reasons the 2023 resource-allocation evaluation fails, by the standard's rules."""
    reasons = []
    for sid, v in values.items():
        stage = SCHOOLS[[s[0] for s in SCHOOLS].index(sid)][4]
        th = Q_THRESHOLDS[stage]
        met = sum(x >= t for x, t in zip(v, th))
        floor_ok = all(x >= t or x >= Q_FLOOR * t for x, t in zip(v, th))
        if met < Q_K:
            reasons.append(f"{sid}: {met} of 7 met (< {Q_K})")
        if not floor_ok:
            reasons.append(f"{sid}: below the 85% floor")
    for stage in ("小学", "初中"):
        ids = [sid for sid in values if SCHOOLS[[s[0] for s in SCHOOLS].index(sid)][4] == stage]
        for k, ind in enumerate(Q_INDICATORS):
            cv = weighted_cv([values[s][k] for s in ids], [students[s] for s in ids])
            if cv > Q_CV_LIMIT[stage]:
                reasons.append(f"{stage} {ind}: CV {cv:.4f} > {Q_CV_LIMIT[stage]}")
    return reasons


def designed_outcomes(
    gen: Generator,
    q: dict[int, dict[str, list[float]]],
    shares: dict[str, dict[int, float]],
    party: dict[int, tuple[int, int]],
) -> list[tuple[str, str, str, str, str]]:
    """(target, 2023 value, expected or goal, designed status, note) for every target with rows."""
    table = []
    for tid, (total, status) in T1_DESIGN.items():
        t = gen.targets[tid]
        x0, xT = float(t["baseline"]["value"]), float(t["goal"]["value"])
        got = sum(gen.t1_counts[tid][AS_OF].values())
        expected, computed = linear_status(x0, xT, got)
        assert got == total and computed == status, (tid, got, expected, computed, status)
        table.append((tid, str(got), f"{expected:.1f}", status, f"x0 {x0:g} (2020) → xT {xT:g} (2025)"))
    reasons = judge_standard_2023(q[AS_OF], {s: gen.students[s][AS_OF] for s in q[AS_OF]})
    assert len(reasons) == 2, reasons
    assert reasons[0].startswith("ps_5: 5 of 7") and "初中 sports_space" in reasons[1], reasons
    table.append(("compulsory_quality_balance_pass_2023", "fail", "pass", "missed", "; ".join(reasons)))
    for ind, tid in SHARE_TARGETS.items():
        t = gen.targets[tid]
        xT = float(t["goal"]["value"])
        v = shares[ind]
        if t["goal"].get("deadline", "9999") <= f"{AS_OF}-12-31":
            status = "met" if v[AS_OF] >= xT else "missed"
            table.append((tid, f"{v[AS_OF]:.1f}", f"goal {xT:g}", status, "due 2023"))
        elif len(v) == 1:  # one observation, no baseline: no path to compare with
            note = "one observation (2023), no baseline"
            table.append((tid, f"{v[AS_OF]:.1f}", "-", "not_assessable", note))
        else:  # baseline = the first observation, deadline 2025 (stated or horizon end)
            y0 = min(v)
            expected = v[y0] + (xT - v[y0]) * (AS_OF - y0) / (GOAL_YEAR - y0)
            status = "achieved" if v[AS_OF] >= xT else "on_track" if v[AS_OF] >= expected else "lagging"
            note = f"first observation {y0}: {v[y0]:.1f}"
            table.append((tid, f"{v[AS_OF]:.1f}", f"{expected:.1f}", status, note))
    v = {y: 100.0 * m / t for y, (m, t) in party.items()}
    y0 = min(v)
    expected = v[y0] + (50.0 - v[y0]) * (AS_OF - y0) / (GOAL_YEAR - y0)
    status = "achieved" if v[AS_OF] >= 50.0 else "on_track" if v[AS_OF] >= expected else "lagging"
    assert status == "lagging", (v, expected)
    note = f"derived 100 × Σ party / Σ teachers; first observation {y0}: {v[y0]:.1f}"
    table.append(("party_member_teacher_share_2025", f"{v[AS_OF]:.1f}", f"{expected:.1f}", status, note))
    years = sorted(BUDGET)
    holds = all(BUDGET[a] <= BUDGET[b] for a, b in zip(years, years[1:]))
    note = ("holds: " if holds else "broken: ") + " ≤ ".join(fmt(BUDGET[y], 2) for y in years)
    status = "on_track" if holds else "missed"
    tid = "gen_budget_edu_spending_non_decrease"
    table.append((tid, fmt(BUDGET[AS_OF], 2), "non-decreasing", status, note))
    return table


# --- optional check with planeval -----------------------------------------------------------------


def check_with_planeval(out: Path) -> None:
    try:
        import planeval
    except ImportError:
        print("\n(planeval not importable: skipping the check with planeval)")
        return
    plan = planeval.load_plan(PLAN)
    for sid in sorted({t.standard for t in plan.targets if t.standard}):
        plan.add_standard_indicators(planeval.builtin_standard(sid))
    obs, report = planeval.read_csv(plan, out)
    print(
        f"\nplaneval.read_csv: rows {report.rows}, accepted {report.accepted}, "
        f"duplicates {report.duplicates}, rejected {len(report.rejected)}, "
        f"entities added {len(report.added_entities)}"
    )
    stage = plan.rollup(
        obs, level="stage", indicators=sorted({t.indicator for t in plan.targets if t.id in T1_DESIGN})
    )
    print("\nplan.rollup(level='stage'), 2023:")
    for tid in T1_DESIGN:
        t = plan.target(tid)
        frame: Any = stage  # a pandas DataFrame (pandas is untyped)
        row = frame[
            (frame["indicator"] == t.indicator)
            & (frame["entity"] == t.scope)
            & (frame["period_start"].astype(str).str.startswith(str(AS_OF)))
        ]
        print(f"  {tid:32s} {t.scope:20s} {float(row['value'].iloc[0]):6.0f}")
    result = planeval.evaluate_standard(
        planeval.builtin_standard(STANDARD), plan, obs, period=AS_OF, scope="baijiantan"
    )
    print(
        f"\nplaneval.evaluate_standard({STANDARD}, scope baijiantan, {AS_OF}): "
        f"{'PASS' if result.passed else 'FAIL'}"
    )
    for r in result.reasons:
        print(f"  [{r.code}] {r.message('zh')}")
        print(f"  {' ' * (len(r.code) + 2)} {r.message('en')}")


# --- main -----------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help=f"CSV to write (default: {DEFAULT_OUT.name})"
    )
    ap.add_argument("--no-check", action="store_true", help="do not load the result with planeval")
    ap.add_argument("--quiet", action="store_true", help="print nothing")
    args = ap.parse_args(argv)

    plan = json.loads(PLAN.read_text(encoding="utf-8"))
    gen = Generator(plan)
    gen.teacher_counts()
    q = gen.standard_values()
    shares = gen.shares()
    gen.budget()
    party = gen.party_members()
    text = gen.csv_text()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(text.encode("utf-8"))
    table = designed_outcomes(gen, q, shares, party)
    if args.quiet:
        return 0

    n_rows = text.count("\n") - 1
    print(
        f"ILLUSTRATIVE data (not real) written to {args.out}: {n_rows} rows, "
        f"{len(SCHOOLS)} illustrative schools/kindergartens + {SENIOR}, years {YEARS[0]}–{YEARS[-1]}"
    )
    print("\nDesigned outcomes at 2023-12-31:")
    print(f"  {'target':42s} {'2023':>10s} {'expected':>15s}  {'status':14s} note")
    for tid, got, expected, status, note in table:
        print(f"  {tid:42s} {got:>10s} {expected:>15s}  {status:14s} {note}")
    if not args.no_check:
        check_with_planeval(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
