"""Derived indicators at national scale: what a ratio over counts costs compared with its inputs.

S schools in S/50 districts, years 2020-2025, two count indicators per school and year (teachers,
students: 12*S rows). Timed, each the median of --repeat runs:

1. inputs: the district roll-up of the two counts (sums);
2. derived: the district roll-up of ``per_100 = 100 * Σteachers / Σstudents`` (a ratio of sums):
   planeval derives the per-school values column-wise (derived.hpp), then rolls them up;
3. numpy: the same ratio of sums with ``np.bincount`` (a reference for the result, not a rival
   engine: it knows the layout of the data in advance).

The issue's goal: a derived indicator costs about as much as its inputs' roll-up. The results
are checked against numpy to 1e-9 relative.

    python benchmarks/derived.py --schools 100000 [--repeat 5] [--threads 2]
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import time
from typing import Any, Callable

import numpy as np

YEARS = np.arange(2020, 2026)


def timed(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--schools", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()
    import planeval

    s = a.schools
    districts = max(1, s // 50)
    rng = np.random.default_rng(20261202)
    plan = planeval.Plan("derived-bench", "派生指标基准", dt.date(2021, 1, 1), dt.date(2025, 12, 31))
    plan.add_indicator(planeval.Indicator("teachers", "专任教师数", "人", "count"))
    plan.add_indicator(planeval.Indicator("students", "在校学生数", "人", "count"))
    plan.add_indicator(
        planeval.Indicator(
            "per_100",
            "每百名学生拥有专任教师数",
            "人/百名学生",
            "ratio",
            numerator="#{teachers}",
            denominator="#{students}",
            factor=100.0,
            across_entities="ratio_of_sums",
            across_time="last",
        )
    )
    plan.add_entity(planeval.Entity("cn", "全国", "nation"))
    for k in range(districts):
        plan.add_entity(planeval.Entity(f"d{k}", f"区{k}", "district", "cn"))
    for i in range(s):
        plan.add_entity(planeval.Entity(f"s{i}", f"校{i}", "school", f"d{min(i // 50, districts - 1)}"))
    plan.add_target(
        planeval.Target(
            "window",
            "teachers",
            "cn",
            planeval.Goal(">=", 1.0, deadline=dt.date(2025, 12, 31)),
            planeval.Source("synthetic"),
            baseline=planeval.Point(dt.date(2020, 12, 31), 1.0),
        )
    )
    first_school = 1 + districts
    school = np.repeat(np.arange(s), len(YEARS))
    year = np.tile(YEARS, s)
    students = rng.integers(50, 3000, size=school.size).astype(np.float64)
    teachers = np.round(students * rng.uniform(0.04, 0.09, size=school.size))
    n = school.size
    obs, report = planeval.observations_from_arrays(
        plan,
        indicator=np.concatenate([np.zeros(n), np.ones(n)]).astype(np.uint32),
        entity=np.concatenate([school, school]).astype(np.uint32) + first_school,
        year=np.concatenate([year, year]),
        value=np.concatenate([teachers, students]),
    )
    assert report.accepted == 2 * n

    t_in, _ = timed(
        lambda: plan.rollup_arrays(
            obs, level="district", indicators=["teachers", "students"], threads=a.threads, ids=False
        ),
        a.repeat,
    )
    t_der, r = timed(
        lambda: plan.rollup_arrays(
            obs, level="district", indicators=["per_100"], threads=a.threads, ids=False
        ),
        a.repeat,
    )

    def reference() -> np.ndarray:
        d = np.minimum(school // 50, districts - 1) * len(YEARS) + (year - YEARS[0])
        num = np.bincount(d, weights=teachers, minlength=districts * len(YEARS))
        den = np.bincount(d, weights=students, minlength=districts * len(YEARS))
        return 100.0 * num / den

    t_np, ref = timed(reference, a.repeat)
    # compare: planeval's rows are (district entity, period); map them onto the reference layout
    ent = np.asarray(r["entity_index"], dtype=np.int64) - 1
    yr = np.asarray(r["period_year"], dtype=np.int64)
    got = np.asarray(r["value"])
    want = ref[ent * len(YEARS) + (yr - YEARS[0])]
    assert np.allclose(got, want, rtol=1e-9, atol=0), np.max(np.abs(got / want - 1))
    print(f"# {2 * n} rows ({s} schools x {len(YEARS)} years x 2 counts); results agree with numpy to 1e-9")
    print(f"engine=planeval what=inputs_rollup seconds={t_in:.4f}")
    print(f"engine=planeval what=derived_rollup seconds={t_der:.4f} ratio_to_inputs={t_der / t_in:.2f}")
    print(f"engine=numpy what=bincount_reference seconds={t_np:.4f}")


if __name__ == "__main__":
    main()
