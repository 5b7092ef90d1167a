"""Write ILLUSTRATIVE (invented) yearly data for the Jining 14th Five-Year education plan example.

Every value this script writes is MADE UP. The stored source (a 大众日报 report of the plan, see
``README.md``) gives the plan's 2025 goals and nothing else: no 2020 value and no figure for 2021,
2022 or 2023. No value here was observed or published, and none describes Jining (济宁市). The rows
exist so that an evaluation of ``plan.json`` at 2023-12-31 has something to judge. Only the goals
(read from ``plan.json``) are real. Do not quote these numbers as facts about any place.

What is designed on purpose (the constants below):

- the 2021 and the 2023 value of each of the four level indicators (rates and years of schooling).
  The plan has no baselines, so planeval starts the linear path (序时进度) of such a target at its
  first value, here 2021; the designed values give one target already achieved (学前教育毛入学率),
  one on track (高中阶段教育毛入学率) and two lagging (九年义务教育巩固率, 平均受教育年限);
- the three-year total (2021-2023) of each of the four cumulative indicators (新改扩建 / 新增学位).
  Their CSV rows are YEARLY numbers (what was completed or added in that year); planeval adds them
  up from 2021 and compares the running total with the goal (序时进度 at 2023-12-31: 3/5 of it).
  Two are on track (幼儿园所数 127 ≥ 120, 中小学校所数 95 ≥ 90) and two lag (幼儿园学位
  27,500 < 30,000, 中小学学位 83,000 < 90,000).

The source has no relative goal (不低于全省平均) and no 保持 goal, so the file has no rows for a
reference entity and no designed breach.

The rest comes from one seeded ``numpy.random.default_rng``: the 2022 value of a level indicator
lies a fraction uniform in [0.3, 0.7] of the way from the 2021 to the 2023 value; a cumulative
total is split over 2021, 2022 and 2023 by Dirichlet(10, 10, 10) shares (rounded; 2023 takes the
rest, so the total is exact). Fixed rounding, sorted rows, ``\\n`` line ends: re-running writes a
byte-identical file.

Usage: ``python examples/jining/make_illustrative_data.py [--out PATH] [--no-check]``
"""

from __future__ import annotations

import argparse
import csv
import datetime
import io
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
PLAN = HERE / "plan.json"
DEFAULT_OUT = HERE / "illustrative_observations.csv"
SEED = 20220525  # the plan's publication date (2022-05-25), as a number
SCOPE = "jining"
YEARS = (2021, 2022, 2023)
AS_OF = datetime.date(2023, 12, 31)

# level indicator -> designed (2021, 2023) values (invented)
LEVEL_DESIGN: dict[str, tuple[float, float]] = {
    "preschool_gross_enrolment_rate": (98.7, 99.1),  # achieved (goal >= 99)
    "nine_year_retention_rate": (99.5, 99.6),  # lagging (path from 2021: 99.7)
    "senior_secondary_gross_enrolment_rate": (97.2, 98.4),  # on track (98.1)
    "working_age_mean_schooling_years": (10.3, 10.5),  # lagging (10.6)
}

# cumulative indicator -> designed total of the YEARLY values 2021-2023, and the rounding step
CUMULATIVE_DESIGN: dict[str, tuple[int, int]] = {
    "inclusive_kindergartens_built": (127, 1),  # on track (3/5 of 200 = 120)
    "kindergarten_places_added": (27_500, 10),  # lagging (30,000)
    "primary_secondary_schools_built": (95, 1),  # on track (90)
    "primary_secondary_places_added": (83_000, 10),  # lagging (90,000)
}

# the verdicts the design is meant to give at 2023-12-31 (checked by hand in ``check``)
EXPECTED_STATUS: dict[str, str] = {
    "preschool_gross_enrolment_rate": "achieved",
    "nine_year_retention_rate": "lagging",
    "senior_secondary_gross_enrolment_rate": "on_track",
    "working_age_mean_schooling_years": "lagging",
    "inclusive_kindergartens_built": "on_track",
    "kindergarten_places_added": "lagging",
    "primary_secondary_schools_built": "on_track",
    "primary_secondary_places_added": "lagging",
}


def fmt(x: float, decimals: int) -> str:
    return f"{x:.{decimals}f}"


def load_plan() -> dict[str, Any]:
    plan: dict[str, Any] = json.loads(PLAN.read_text(encoding="utf-8"))
    return plan


def decimals_of(plan: dict[str, Any]) -> dict[str, int]:
    return {i["id"]: int(i.get("decimals", 0)) for i in plan["indicators"]}


def generate(plan: dict[str, Any]) -> dict[str, dict[int, float]]:
    rng = np.random.default_rng(SEED)
    dec = decimals_of(plan)
    values: dict[str, dict[int, float]] = {}
    for ind in sorted(LEVEL_DESIGN):  # a fixed draw order
        v21, v23 = LEVEL_DESIGN[ind]
        f = float(rng.uniform(0.3, 0.7))
        values[ind] = {2021: v21, 2022: round(v21 + f * (v23 - v21), dec[ind]), 2023: v23}
    for ind in sorted(CUMULATIVE_DESIGN):
        total, step = CUMULATIVE_DESIGN[ind]
        shares = rng.dirichlet([10.0, 10.0, 10.0])
        y21 = round(total * float(shares[0]) / step) * step
        y22 = round(total * float(shares[1]) / step) * step
        values[ind] = {2021: float(y21), 2022: float(y22), 2023: float(total - y21 - y22)}
    return values


def year_fraction(start: datetime.date, now: datetime.date, end: datetime.date) -> float:
    return (now - start).days / (end - start).days


def check(plan: dict[str, Any], values: dict[str, dict[int, float]]) -> None:
    """The designed properties, asserted without planeval."""
    inds = {i["id"]: i for i in plan["indicators"]}
    targets = {t["indicator"]: t for t in plan["targets"]}
    assert set(values) == set(inds) == set(targets) == set(EXPECTED_STATUS), sorted(values)
    for ind, per_year in values.items():
        for y, v in per_year.items():
            if inds[ind]["kind"] == "rate":
                assert 0.0 <= v <= 100.0, (ind, y, v)
            if inds[ind]["kind"] == "count":
                assert v > 0 and v == int(v), (ind, y, v)
    for ind, t in targets.items():
        goal = float(t["goal"]["value"])
        deadline = datetime.date.fromisoformat(t["goal"]["deadline"])
        if t["goal"].get("cumulative"):
            # running total from the plan start against the straight line from 0 on 2021-01-01
            total = sum(values[ind].values())
            assert total == CUMULATIVE_DESIGN[ind][0], (ind, total)
            expected = goal * year_fraction(datetime.date(2021, 1, 1), AS_OF, deadline)
            status = "on_track" if total >= expected else "lagging"
        else:
            # no baseline in the plan: the path starts at the first value (2021-12-31)
            assert "baseline" not in t, ind
            first, last = values[ind][2021], values[ind][2023]
            expected = first + (goal - first) * year_fraction(datetime.date(2021, 12, 31), AS_OF, deadline)
            status = "achieved" if last >= goal else ("on_track" if last >= expected else "lagging")
        assert status == EXPECTED_STATUS[ind], (ind, status, expected)


def csv_text(plan: dict[str, Any], values: dict[str, dict[int, float]]) -> str:
    dec = decimals_of(plan)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["indicator", "entity", "year", "value"])
    for ind in sorted(values):
        for y in YEARS:
            w.writerow([ind, SCOPE, y, fmt(values[ind][y], dec[ind])])
    return buf.getvalue()


def check_with_planeval(out: Path) -> None:
    try:
        import planeval
    except ImportError:
        print("(planeval not importable: skipping the check with planeval)")
        return
    try:
        plan = planeval.load_plan(PLAN)
    except Exception as exc:  # an older planeval build without the format extensions
        print(f"(this planeval build does not load plan.json: {str(exc).splitlines()[0]})")
        return
    obs, ingest = planeval.read_csv(plan, out)
    rejected = len(ingest.rejected)
    print(f"planeval.read_csv: rows {ingest.rows}, accepted {ingest.accepted}, rejected {rejected}")
    report = plan.evaluate(obs, as_of=AS_OF)
    got = {t.indicator: report.target(t.id)["status"] for t in plan.targets}
    assert got == EXPECTED_STATUS, got
    print(f"planeval.evaluate at {AS_OF}: every verdict as designed ({report.summary})")


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
