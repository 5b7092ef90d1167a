"""Plan.rollup_k_of_n_states and KOfNPartial: the k-of-n roll-up in parts (merged with +=, +, bytes
and pickles) equals Plan.rollup_k_of_n on all rows; what cannot be merged is refused."""

from __future__ import annotations

import pickle
from typing import Any

import numpy as np
import pytest

import planeval
from planeval import DataError, Entity, Error, KOfNPartial, Observations, Plan

CRITERIA = {"小学": [(">=", 4.2), (">=", 1.0), (">=", 0.9)], "初中": [(">=", 5.3), (">=", 1.0), (">=", 0.9)]}
SPEC: dict[str, Any] = {"indicators": ["x1", "x2", "x3"], "criteria": CRITERIA, "k": 2, "floor": 0.85}


@pytest.fixture
def plan(mini_text: str) -> Plan:
    # The mini plan (district d, its 小学 stage s1), a 初中 stage s2, and 30 schools alternating
    # between them; three ratio indicators for the criteria.
    p = planeval.parse_plan(mini_text)
    p.add_entity(Entity("s2", "初中", "stage", "d", stage="初中"))
    for k in range(30):
        p.add_entity(Entity(f"x{k}", f"校{k}", "school", "s1" if k % 2 else "s2"))
    for k in ("x1", "x2", "x3"):
        p.add_indicator(planeval.Indicator(k, k, "ratio", "ratio"))
    return p


def rows(seed: int) -> dict[str, np.ndarray]:
    """Every school, criterion indicator and year 2018-2024, values around the thresholds, some
    missing and some rows absent."""
    rng = np.random.default_rng(seed)
    school, ind, year = np.meshgrid(np.arange(30), np.arange(3), np.arange(2018, 2025), indexing="ij")
    school, ind, year = school.ravel(), ind.ravel(), year.ravel()
    base = np.array([4.5, 1.0, 0.9])[ind]
    value = np.round(base * rng.uniform(0.7, 1.3, len(ind)), 2)
    keep = rng.uniform(size=len(ind)) > 0.1
    missing = rng.uniform(size=len(ind)) < 0.1
    return {
        "school": school[keep],
        "indicator": np.array(["x1", "x2", "x3"], dtype=object)[ind[keep]],
        "year": year[keep],
        "value": value[keep],
        "missing": missing[keep],
    }


def observe(plan: Plan, d: dict[str, np.ndarray], mask: np.ndarray | None = None) -> Observations:
    m = np.ones(len(d["year"]), dtype=bool) if mask is None else mask
    obs, report = planeval.observations_from_arrays(
        plan,
        indicator=d["indicator"][m],
        entity=np.array([f"x{s}" for s in d["school"][m]], dtype=object),
        year=d["year"][m],
        value=d["value"][m],
        missing=d["missing"][m],
    )
    assert report.accepted == report.rows == int(m.sum())
    return obs


def assert_same(got: dict[str, Any], want: dict[str, Any]) -> None:
    assert set(got) == set(want)
    for key in want:
        assert got[key].dtype == want[key].dtype, key
        assert np.array_equal(got[key], want[key]), key  # counts and shares bit for bit


@pytest.mark.parametrize("period", ["calendar_year", "school_year", "all"])
@pytest.mark.parametrize("by_stage", [False, True])
def test_parts_by_school_merged_any_way_equal_the_whole(plan: Plan, period: str, by_stage: bool) -> None:
    d = rows(1)
    opts: dict[str, Any] = {"level": "stage", "period": period, "by_stage": by_stage, **SPEC}
    whole = plan.rollup_k_of_n(observe(plan, d), **opts)
    assert whole["units"].sum() >= 30  # every school judged (once for the one period "all")
    part_of = np.random.default_rng(2).integers(0, 3, 30)[d["school"]]
    parts = [plan.rollup_k_of_n_states(observe(plan, d, part_of == j), threads=2, **opts) for j in range(3)]
    merged = KOfNPartial()
    merged += parts[0]
    merged += KOfNPartial.from_bytes(plan, parts[1].to_bytes())
    merged += pickle.loads(pickle.dumps(parts[2]))
    assert_same(merged.finalise(plan), whole)
    assert_same((parts[2] + (parts[1] + parts[0])).finalise(plan), whole)
    assert_same(KOfNPartial.from_bytes(None, merged.to_bytes()).finalise(plan), whole)
    assert merged.units == int(whole["units"].sum())
    lean = merged.finalise(plan, ids=False)
    assert "entity" not in lean and np.array_equal(lean["share"], whole["share"])


def test_parts_by_year(plan: Plan) -> None:
    d = rows(3)
    whole = plan.rollup_k_of_n(observe(plan, d), level="district", **SPEC)
    merged = KOfNPartial()
    for y in (2024, 2018, 2021, 2019, 2020, 2023, 2022):  # windows starting in different years
        merged += plan.rollup_k_of_n_states(observe(plan, d, d["year"] == y), level="district", **SPEC)
    assert_same(merged.finalise(plan), whole)


def test_by_hand(plan: Plan) -> None:
    # 2022, 小学 (2 of 3, floor 85%): x1 (小学) 4.5, 1.1, 0.8 -> 2 met, 0.8 >= 0.85 x 0.9 = 0.765: passes;
    # x3 (小学) 4.0, 0.8, 1.0 -> 1 met: fails. 初中: x0 5.4, 1.0, missing -> 2 met, the missing one
    # fails its floor: fails, incomplete. Parts: {x1} and {x3, x0}: 3 units, 1 passed, share 1/3.
    def part(values: dict[str, list[float]]) -> Observations:
        obs, _ = planeval.observations_from_arrays(
            plan,
            indicator=[k for _ in values for k in ("x1", "x2", "x3")],
            entity=[s for s in values for _ in range(3)],
            year=[2022] * 3 * len(values),
            value=[0.0 if np.isnan(x) else x for v in values.values() for x in v],
            missing=[bool(np.isnan(x)) for v in values.values() for x in v],
        )
        return obs

    a = plan.rollup_k_of_n_states(part({"x1": [4.5, 1.1, 0.8]}), **SPEC)
    b = plan.rollup_k_of_n_states(part({"x3": [4.0, 0.8, 1.0], "x0": [5.4, 1.0, float("nan")]}), **SPEC)
    r = (a + b).finalise(plan)
    assert r["entity"].tolist() == ["d"]
    assert r["units"].tolist() == [3]
    assert r["passed"].tolist() == [1]
    assert r["incomplete"].tolist() == [1]
    assert r["share"].tolist() == [1 / 3]
    assert r["period_year"].tolist() == [2022]


def test_refusals(plan: Plan, mini_text: str) -> None:
    d = rows(4)
    # school x4's 2020: its first row in one part, its other rows in the other
    first = np.flatnonzero((d["school"] == 4) & (d["year"] == 2020))[0]
    one = np.zeros(len(d["year"]), dtype=bool)
    one[first] = True
    a = plan.rollup_k_of_n_states(observe(plan, d, ~one), **SPEC)
    b = plan.rollup_k_of_n_states(observe(plan, d, one), **SPEC)
    x4 = planeval.observations_from_arrays(plan, indicator=["x1"], entity=["x4"], year=[2020], value=[1.0])[0]
    index = int(x4.entity[0])
    with pytest.raises(DataError, match=f"two parts judged entity #{index} in the period starting in 2020"):
        a += b
    with pytest.raises(Error, match="different k-of-n specs"):
        a += plan.rollup_k_of_n_states(observe(plan, d, one), **{**SPEC, "k": 3})
    with pytest.raises(Error, match="different options"):
        a += plan.rollup_k_of_n_states(observe(plan, d, one), by_stage=True, **SPEC)
    other = planeval.parse_plan(mini_text)
    with pytest.raises(Error, match='of plan "mini"'):
        KOfNPartial.from_bytes(other, a.to_bytes())
    with pytest.raises(Error, match='of plan "mini"'):
        a.finalise(other)
    data = bytearray(a.to_bytes())
    data[len(data) // 2] ^= 1
    with pytest.raises(Error, match="checksum mismatch"):
        KOfNPartial.from_bytes(plan, bytes(data))
    with pytest.raises(Error, match="pvk"):
        KOfNPartial.from_bytes(None, plan.rollup_states(observe(plan, d)).to_bytes())
    empty = KOfNPartial()
    assert empty.empty and empty.units == 0 and repr(empty) == "KOfNPartial(empty)"
    assert KOfNPartial.from_bytes(plan, empty.to_bytes()).empty
    assert_same((empty + a).finalise(plan), a.finalise(plan))
