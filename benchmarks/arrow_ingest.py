"""Observations from Arrow tables against the pandas route: 2.4M rows, timed.

The data (the issue's case): 20,000 schools x 20 indicators x 6 years (2020-2025) = 2.4M rows with
columns ``indicator, entity, year, value, weight`` (ids as text, year int16, value and weight
float64; every 50th value null: not reported). The schools are in the plan (10 districts under a
city), so no entity is added and every run reads the same plan. Timed, the best of --repeat:

- polars: ``observations_from_frame(plan, polars_df)`` (the Arrow C stream, read in C++; polars
  exports its strings as string_view);
- pyarrow: the same for a pyarrow Table (utf8 strings) and for a Table with dictionary-encoded ids;
- pandas: ``observations_from_frame(plan, pandas_df)`` (every cell made text in Python);
- pandas (Arrow): the pandas frame through pyarrow, ``observations_from_arrow(plan, pa.table(df))``,
  conversion included.

Every route must give the same Observations (checked). Building the frames is not timed.

    python benchmarks/arrow_ingest.py [--schools 20000] [--repeat 3] [--only polars,pyarrow,pandas]
"""

from __future__ import annotations

import argparse
import json
import time
from typing import Any, Callable

import numpy as np

import planeval

INDICATORS = 20
YEARS = np.arange(2020, 2026, dtype=np.int16)
DISTRICTS = 10


def plan_json(schools: int) -> str:
    indicators: list[dict[str, Any]] = []
    for k in range(INDICATORS // 2):
        indicators.append(
            {
                "id": f"count_{k:02d}",
                "name": {"zh": f"计数{k}"},
                "unit": "人",
                "kind": "count",
                "direction": "increase",
            }
        )
        indicators.append(
            {
                "id": f"rate_{k:02d}",
                "name": {"zh": f"比率{k}"},
                "unit": "%",
                "kind": "rate",
                "direction": "increase",
            }
        )
    entities: list[dict[str, Any]] = [{"id": "city", "name": {"zh": "市"}, "kind": "city"}]
    entities += [
        {"id": f"district_{d:02d}", "name": {"zh": f"区{d}"}, "kind": "district", "parent": "city"}
        for d in range(DISTRICTS)
    ]
    entities += [
        {
            "id": f"school_{s:05d}",
            "name": {"zh": f"学校{s}"},
            "kind": "school",
            "parent": f"district_{s % DISTRICTS:02d}",
        }
        for s in range(schools)
    ]
    plan = {
        "format": "planeval-plan",
        "format_version": 1,
        "id": "arrow-benchmark",
        "title": {"zh": "Arrow 读入基准"},
        "horizon": {"start": "2021", "end": "2025"},
        "phases": [],
        "indicators": indicators,
        "entities": entities,
        "targets": [
            {
                "id": "t1",
                "indicator": "count_00",
                "scope": "city",
                "baseline": {"date": "2020", "value": 1},
                "goal": {"comparator": ">=", "value": 2, "deadline": "2025"},
                "source": {"phrase": "b"},
            }
        ],
    }
    return json.dumps(plan, ensure_ascii=False)


def columns(schools: int) -> dict[str, Any]:
    """Rows ordered school, indicator, year (a school's rows together, as exports usually are)."""
    rng = np.random.default_rng(13)
    n = schools * INDICATORS * len(YEARS)
    school = np.repeat(np.arange(schools), INDICATORS * len(YEARS))
    ind = np.tile(np.repeat(np.arange(INDICATORS), len(YEARS)), schools)
    year = np.tile(YEARS, schools * INDICATORS)
    rate = ind % 2 == 1
    value = np.where(rate, np.round(rng.uniform(50, 100, n), 1), rng.integers(0, 500, n).astype(np.float64))
    value[::50] = np.nan
    ind_ids = np.array(
        [f"{'rate' if k % 2 else 'count'}_{k // 2:02d}" for k in range(INDICATORS)], dtype=object
    )
    school_ids = np.array([f"school_{s:05d}" for s in range(schools)], dtype=object)
    return {
        "indicator": ind_ids[ind],
        "entity": school_ids[school],
        "year": year,
        "value": value,
        "weight": rng.integers(100, 3000, n).astype(np.float64),
    }


def best(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return min(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--schools", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", default="polars,pyarrow,pandas")
    args = parser.parse_args()
    only = set(args.only.split(","))

    import pandas as pd
    import polars as pl
    import pyarrow as pa

    plan = planeval.parse_plan(plan_json(args.schools))
    data = columns(args.schools)
    rows = len(data["value"])
    frame = pd.DataFrame(data)
    runs: list[tuple[str, Callable[[], Any]]] = []
    if "polars" in only:
        polars_df = pl.DataFrame(data)  # NaN stays NaN: missing for planeval either way
        runs.append(("polars", lambda: planeval.observations_from_frame(plan, polars_df)))
    if "pyarrow" in only:
        table = pa.table(data)
        dictionary = table.set_column(
            0, "indicator", table.column("indicator").dictionary_encode()
        ).set_column(1, "entity", table.column("entity").dictionary_encode())
        runs.append(("pyarrow", lambda: planeval.observations_from_arrow(plan, table)))
        runs.append(("pyarrow (dictionary ids)", lambda: planeval.observations_from_arrow(plan, dictionary)))
    if "pandas" in only:
        runs.append(("pandas", lambda: planeval.observations_from_frame(plan, frame)))
        runs.append(
            ("pandas (via pa.table)", lambda: planeval.observations_from_arrow(plan, pa.table(frame)))
        )
    reference = None
    for name, fn in runs:
        seconds, (obs, report) = best(fn, args.repeat)
        if reference is None:
            reference = obs
        else:
            for col in ("indicator", "entity", "start", "end", "value", "flags", "weight"):
                assert np.array_equal(getattr(obs, col), getattr(reference, col)), (name, col)
        print(
            f"route={name!r} rows={rows} accepted={report.accepted} missing={report.missing} "
            f"seconds={seconds:.3f} rows_per_second={rows / seconds / 1e6:.1f}M"
        )


if __name__ == "__main__":
    main()
