"""Write ILLUSTRATIVE (invented) yearly data for the unnamed-county education plan.

Every value this script writes is MADE UP. The stored source page gives the 2020 column and the
2025 column of the plan's main indicator table and nothing after 2020; no value for 2021, 2022 or
2023 was observed or published, and the county is not even named on the page. The rows exist so
that an evaluation of ``plan.json`` at 2023-12-31 has something to judge. Only the baselines and
the goals (read from ``plan.json``) are real. Do not quote these numbers as facts about any place.

What is designed on purpose:

- the 2023 value of every indicator (a constant below), chosen so that the report shows a mix of
  statuses: achieved, on track, lagging, held and breached;
- one hold goal breached in 2022: 义务教育巩固率 (binding, 100% to be kept from 2021) falls to
  99.7% in 2022 and is back at 100% in 2023;
- the boolean milestone (终身职业培训体系) is reported as not yet in place (0) in every year.

The source has no cumulative target (no 新增学位-style row) and no relative goal (no 不低于全省平均),
so the file has no running totals and no rows for a reference entity.

The 2021 and 2022 values are drawn from one seeded ``numpy.random.default_rng``: each lies the
fraction ``((year - 2020) / 3) ** e`` of the way from the 2020 baseline to the designed 2023 value,
``e`` uniform in [0.8, 1.25] per indicator. Fixed rounding, sorted rows, ``\\n`` line ends:
re-running writes a byte-identical file.

Usage: ``python examples/unnamed_county/make_illustrative_data.py [--out PATH] [--no-check]``
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
SCOPE = "unnamed_county"
BASE_YEAR = 2020
YEARS = (2021, 2022, 2023)

# indicator -> designed 2023 value (invented)
DESIGN_2023: dict[str, float] = {
    "preschool_gross_enrolment_rate": 99.4,  # hold >= 99 from 2021: held
    "senior_secondary_gross_enrolment_rate": 100.0,  # achieved in 2023
    "working_age_mean_schooling_years": 11.8,  # lagging (linear path: 11.94)
    "provincial_city_quality_kindergarten_share": 88.4,  # on track (88.04)
    "inclusive_kindergarten_coverage": 89.2,  # on track (88.58)
    "standard_class_size_share_primary": 57.9,  # lagging (61.81)
    "standard_class_size_share_junior": 83.2,  # on track (81.94)
    "inclusive_education_star_school_share": 30.0,  # lagging (48.0)
    "smart_campus_share": 86.0,  # on track (84.0)
    "kg_teacher_junior_college_plus_share": 99.3,  # on track (99.10)
    "kg_teacher_bachelor_plus_share": 53.1,  # achieved (goal 50)
    "primary_teacher_bachelor_plus_share": 93.4,  # lagging (93.54)
    "junior_teacher_bachelor_plus_share": 99.95,  # on track (99.93)
    "junior_teacher_postgraduate_share": 5.0,  # lagging (5.76)
    "senior_teacher_postgraduate_share": 17.6,  # on track (17.04)
}

# values fixed for every year (hold goals and the milestone)
FIXED: dict[str, dict[int, float]] = {
    "compulsory_retention_rate": {2021: 100.0, 2022: 99.7, 2023: 100.0},  # breached in 2022
    "compulsory_school_provincial_standard_share": {2021: 100.0, 2022: 100.0, 2023: 100.0},
    "primary_teacher_junior_college_plus_share": {2021: 100.0, 2022: 100.0, 2023: 100.0},
    "lifelong_vocational_training_system": {2021: 0.0, 2022: 0.0, 2023: 0.0},
}

# 其中 rows: child indicator -> parent indicator (the child can never exceed the parent)
CHILD_OF = {
    "kg_teacher_bachelor_plus_share": "kg_teacher_junior_college_plus_share",
    "primary_teacher_bachelor_plus_share": "primary_teacher_junior_college_plus_share",
    "junior_teacher_postgraduate_share": "junior_teacher_bachelor_plus_share",
}


def fmt(x: float, decimals: int) -> str:
    return f"{x:.{decimals}f}"


def load_plan() -> dict[str, Any]:
    plan: dict[str, Any] = json.loads(PLAN.read_text(encoding="utf-8"))
    return plan


def baselines(plan: dict[str, Any]) -> dict[str, float]:
    """Indicator -> 2020 baseline value, from the plan's targets."""
    return {
        t["indicator"]: float(t["baseline"]["value"])
        for t in plan["targets"]
        if "baseline" in t and t["baseline"]["value"] is not None
    }


def generate(plan: dict[str, Any]) -> dict[str, dict[int, float]]:
    rng = np.random.default_rng(SEED)
    base = baselines(plan)
    values: dict[str, dict[int, float]] = {}
    for ind in sorted(DESIGN_2023):  # a fixed draw order
        x0, x3 = base[ind], DESIGN_2023[ind]
        e = float(rng.uniform(0.8, 1.25))
        values[ind] = {y: x0 + ((y - BASE_YEAR) / 3) ** e * (x3 - x0) for y in YEARS}
    for ind, per_year in FIXED.items():
        values[ind] = dict(per_year)
    return values


def check(plan: dict[str, Any], values: dict[str, dict[int, float]]) -> None:
    """The designed properties, asserted without planeval."""
    kinds = {i["id"]: i["kind"] for i in plan["indicators"]}
    for ind, per_year in values.items():
        assert ind in kinds, ind
        for y, v in per_year.items():
            if kinds[ind] == "rate":
                assert 0.0 <= v <= 100.0, (ind, y, v)
    for child, parent in CHILD_OF.items():
        for y in YEARS:
            assert values[child][y] <= values[parent][y], (child, parent, y)
    holds = [t for t in plan["targets"] if "from" in t["goal"]]
    breached = [
        (t["indicator"], y)
        for t in holds
        for y in YEARS
        if values[t["indicator"]][y] < float(t["goal"]["value"])
    ]
    assert breached == [("compulsory_retention_rate", 2022)], breached


def csv_text(plan: dict[str, Any], values: dict[str, dict[int, float]]) -> str:
    decimals = {i["id"]: int(i.get("decimals", 0)) for i in plan["indicators"]}
    kinds = {i["id"]: i["kind"] for i in plan["indicators"]}
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["indicator", "entity", "year", "value"])
    for ind in sorted(values):
        for y in YEARS:
            v = values[ind][y]
            text = ("true" if v else "false") if kinds[ind] == "boolean" else fmt(v, decimals[ind])
            w.writerow([ind, SCOPE, y, text])
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
