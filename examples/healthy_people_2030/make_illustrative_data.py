"""Write ILLUSTRATIVE (invented) yearly data for the Healthy People 2030 LHI plan.

Every value this script writes is MADE UP. It is NOT the United States' real data: several of
the source pages show real "Most Recent Data" figures, and none of them is used here. The rows
exist so that an evaluation of ``plan.json`` at 2023-12-31 has something to judge; only the
baselines and the targets (read from ``plan.json``) come from the source. Do not quote these
numbers as facts about the United States.

What is designed on purpose:

- the 2023 value of every objective (a constant below), chosen so that the report shows a mix
  of statuses: achieved, on track, lagging, and one objective (SU-03, target = baseline) moving
  the wrong way;
- rows only for years after the baseline's year: C-07's baseline is from 2023, so it has no row
  and is reported as having no data; MHMD-06, SU-10 and D-01 (baselines from 2021) have 2022 and
  2023 only;
- IID-09 is measured by flu season: the row for year Y stands for the season (Y-1)-Y.

The plan has no cumulative target and no relative goal (the source has neither), so there are no
running totals and no rows for a reference entity.

Years between the baseline and 2023 are drawn from one seeded ``numpy.random.default_rng``: the
value for year y lies the fraction ``((y - b) / (2023 - b)) ** e`` of the way from the baseline
(year b) to the designed 2023 value, ``e`` uniform in [0.8, 1.25] per objective. Fixed rounding,
sorted rows, ``\\n`` line ends: re-running writes a byte-identical file.

Usage: ``python examples/healthy_people_2030/make_illustrative_data.py [--out PATH] [--no-check]``
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
SEED = 20301231
SCOPE = "united_states"
FIRST, LAST = 2021, 2023

# indicator -> designed 2023 value (invented); the comment gives the linear-path value at 2023-12-31
DESIGN_2023: dict[str, float] = {
    "health_insurance_coverage": 90.6,  # on track (89.60)
    "oral_health_care_use": 45.3,  # achieved (goal 45.0)
    "added_sugars_calorie_share": 13.1,  # lagging (12.50)
    "drug_overdose_death_rate": 24.9,  # wrong way: target = baseline 20.7
    "homicide_rate": 5.6,  # on track (5.73)
    "maternal_death_rate": 16.5,  # on track (16.69)
    "suicide_rate": 13.9,  # lagging (13.62)
    "unhealthy_air_people_days": 4_050_000_000,  # on track (4.117e9)
    "household_food_insecurity": 9.4,  # lagging (8.98)
    "seasonal_flu_vaccination": 56.0,  # lagging (57.7)
    "hiv_status_knowledge": 90.4,  # on track (90.05)
    "grade4_reading_proficiency": 37.9,  # lagging (38.86)
    "adolescent_depression_treatment": 44.0,  # on track (41.09)
    "child_adolescent_obesity": 17.9,  # lagging, above the baseline (16.65)
    "adolescent_tobacco_use": 13.8,  # on track (15.38)
    "adult_binge_drinking": 23.3,  # on track (23.56)
    "adult_aerobic_and_muscle_activity": 26.9,  # on track (26.55)
    "hypertension_control": 17.6,  # on track (16.94)
    "adult_cigarette_smoking": 10.4,  # lagging (10.19)
    "working_age_employment": 72.6,  # on track (72.43)
    "new_diabetes_cases": 5.2,  # on track (5.34)
    # colorectal_cancer_screening: baseline 2023, no row
}


def load_plan() -> dict[str, Any]:
    plan: dict[str, Any] = json.loads(PLAN.read_text(encoding="utf-8"))
    return plan


def baselines(plan: dict[str, Any]) -> dict[str, tuple[int, float]]:
    """Indicator -> (baseline year, baseline value), from the plan's targets."""
    return {
        t["indicator"]: (int(t["baseline"]["date"][:4]), float(t["baseline"]["value"]))
        for t in plan["targets"]
        if "baseline" in t
    }


def generate(plan: dict[str, Any]) -> dict[str, dict[int, float]]:
    rng = np.random.default_rng(SEED)
    base = baselines(plan)
    values: dict[str, dict[int, float]] = {}
    for ind in sorted(DESIGN_2023):  # a fixed draw order
        b_year, x0 = base[ind]
        x3 = DESIGN_2023[ind]
        e = float(rng.uniform(0.8, 1.25))
        years = range(max(FIRST, b_year + 1), LAST + 1)
        values[ind] = {y: x0 + ((y - b_year) / (LAST - b_year)) ** e * (x3 - x0) for y in years}
    return values


def check(plan: dict[str, Any], values: dict[str, dict[int, float]]) -> None:
    """The designed properties, asserted without planeval."""
    kinds = {i["id"]: i["kind"] for i in plan["indicators"]}
    base = baselines(plan)
    for ind, per_year in values.items():
        assert ind in kinds, ind
        assert min(per_year) > base[ind][0], (ind, "a row in or before the baseline year")
        for v in per_year.values():
            assert v >= 0.0 and (kinds[ind] != "rate" or v <= 100.0), (ind, v)
    assert "colorectal_cancer_screening" not in values
    assert set(values["adult_binge_drinking"]) == {2022, 2023}


def csv_text(plan: dict[str, Any], values: dict[str, dict[int, float]]) -> str:
    decimals = {i["id"]: int(i.get("decimals", 0)) for i in plan["indicators"]}
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["indicator", "entity", "year", "value"])
    for ind in sorted(values):
        for y in sorted(values[ind]):
            w.writerow([ind, SCOPE, y, f"{values[ind][y]:.{decimals[ind]}f}"])
    return buf.getvalue()


def check_with_planeval(out: Path) -> None:
    try:
        import planeval
    except ImportError:
        print("(planeval not importable: skipping the check with planeval)")
        return
    try:
        plan = planeval.load_plan(PLAN)
    except Exception as exc:  # the format extensions may not be in this build yet
        print(f"(this planeval build does not load plan.json yet: {str(exc).splitlines()[0]})")
        return
    _, report = planeval.read_csv(plan, out)
    rejected = len(report.rejected)
    print(f"planeval.read_csv: rows {report.rows}, accepted {report.accepted}, rejected {rejected}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help="CSV to write")
    ap.add_argument("--no-check", action="store_true", help="do not read the result with planeval")
    args = ap.parse_args(argv)
    plan = load_plan()
    values = generate(plan)
    check(plan, values)
    text = csv_text(plan, values)
    args.out.write_bytes(text.encode("utf-8"))
    print(f"ILLUSTRATIVE data (invented, not real) written to {args.out}: {text.count(chr(10)) - 1} rows")
    if not args.no_check:
        check_with_planeval(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
