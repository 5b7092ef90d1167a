"""Derived indicators in plans (formulas, ratios of sums, constants) through Python: the plan format
and its located errors, roll-ups and evaluations over counts, the example plan's ratio indicators,
and a fuzz test that random formulas in a plan never crash the loader."""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import planeval
from planeval import Constant, Indicator, Plan, PlanError

ROOT = Path(__file__).resolve().parents[2]
CSV = ROOT / "examples" / "baijiantan" / "illustrative_observations.csv"


def plan_json(
    extra: list[dict[str, Any]] | None = None, constants: list[dict[str, Any]] | None = None
) -> str:
    """District d with schools a, b; counts party and teachers; share = 100 × Σparty / Σteachers."""
    doc: dict[str, Any] = {
        "format": "planeval-plan",
        "format_version": 1,
        "id": "derived",
        "title": {"zh": "派生指标"},
        "horizon": {"start": "2021", "end": "2025"},
        "phases": [],
        "indicators": [
            {
                "id": "party",
                "name": {"zh": "党员教师数"},
                "unit": "人",
                "kind": "count",
                "direction": "increase",
            },
            {
                "id": "teachers",
                "name": {"zh": "专任教师数"},
                "unit": "人",
                "kind": "count",
                "direction": "increase",
            },
            {
                "id": "share",
                "name": {"zh": "党员教师占比"},
                "unit": "%",
                "kind": "rate",
                "direction": "increase",
                "numerator": "#{party}",
                "denominator": "#{teachers}",
                "factor": 100,
            },
            *(extra or []),
        ],
        "entities": [
            {"id": "d", "name": {"zh": "白碱滩区"}, "kind": "district"},
            {"id": "a", "name": {"zh": "甲校"}, "kind": "school", "parent": "d", "stage": "小学"},
            {"id": "b", "name": {"zh": "乙校"}, "kind": "school", "parent": "d", "stage": "小学"},
        ],
        "targets": [
            {
                "id": "t_share",
                "indicator": "share",
                "scope": "d",
                "baseline": {"date": "2020", "value": 40},
                "goal": {"comparator": ">=", "value": 50, "deadline": "2025"},
                "source": {"phrase": "党员教师占比达到50%"},
            }
        ],
    }
    if constants:
        doc["constants"] = constants
    return json.dumps(doc, ensure_ascii=False)


def counts(plan: Plan, rows: list[tuple[str, str, int, float]]) -> planeval.Observations:
    obs, report = planeval.observations_from_arrays(
        plan,
        indicator=[r[0] for r in rows],
        entity=[r[1] for r in rows],
        year=[r[2] for r in rows],
        value=[r[3] for r in rows],
    )
    assert report.accepted == report.rows == len(rows)
    return obs


def test_indicator_and_constant_from_python() -> None:
    p = planeval.parse_plan(plan_json())
    p.add_constant(Constant("k", "折算系数", 0.5, name_en="factor"))
    p.add_indicator(
        Indicator("half", "折半", "%", "rate", expression="#{share} * C{k}", missing="never_skip")
    )
    half = p.indicator("half")
    assert half.is_derived and half.expression == "#{share} * C{k}" and half.missing == "never_skip"
    assert half.numerator is None and half.factor is None
    share = p.indicator("share")
    assert (share.numerator, share.denominator, share.factor) == ("#{party}", "#{teachers}", 100.0)
    assert not p.indicator("party").is_derived and p.indicator("party").missing is None
    assert [c.id for c in p.constants] == ["k"]
    # written and read back unchanged
    assert planeval.parse_plan(p.to_json()) == p
    # a reference to an indicator the plan does not have yet: located, with the column
    with pytest.raises(
        PlanError, match=r'indicators\[4\]\.expression: unknown indicator "later" at column 3'
    ):
        p.add_indicator(Indicator("x", "甲", "人", "count", expression="#{later} + 1"))
    dhis2 = Indicator("y", "乙", "人", "count", expression="#{party}", missing="SKIP_IF_ALL_VALUES_MISSING")
    assert dhis2.missing == "skip_if_all_missing"
    with pytest.raises(PlanError, match=r"missing: expected one of"):
        Indicator("y", "乙", "人", "count", expression="#{party}", missing="sometimes")
    with pytest.raises(PlanError, match=r"factor: only a derived indicator"):
        Indicator("y", "乙", "人", "count", factor=2.0)
    with pytest.raises(PlanError, match=r'constants\[1\]\.id: duplicate constant id "k"'):
        p.add_constant(Constant("k", "重复", 1.0))


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {"numerator": "#{teacher_cnt}", "denominator": "#{teachers}"},
            r'unknown indicator "teacher_cnt" at column 3',
        ),
        ({"expression": "#{teachers} * C{nope}"}, r'unknown constant "nope" at column 17'),
        ({"expression": "log(#{teachers}, 2, 3)"}, r"indicators\[3\]\.expression: .*at column"),
        ({"expression": "if(#{teachers}, 1, 2)"}, r"indicators\[3\]\.expression: .*at column"),
        ({"expression": "#{teachers} > 1"}, r"expected a formula giving a number for count indicator"),
        ({"expression": "#{x}"}, r"cycle between derived indicators: x -> x"),
        ({"numerator": "#{party}"}, r"indicators\[3\]\.denominator: expected a denominator"),
        ({"numerator": "#{party}", "denominator": "#{teachers}", "factor": 0}, r"finite non-zero"),
        ({"expression": "#{party}", "missing": "often"}, r"indicators\[3\]\.missing: expected one of"),
    ],
)
def test_plan_errors_are_located(fields: dict[str, Any], message: str) -> None:
    x = {"id": "x", "name": {"zh": "派生"}, "unit": "人", "kind": "count", "direction": "increase", **fields}
    with pytest.raises(PlanError) as e:
        planeval.parse_plan(plan_json([x]))
    assert any(re.search(message, str(d)) for d in e.value.errors), e.value.errors


def test_a_cycle_of_two_is_reported_at_both_indicators() -> None:
    u = {
        "id": "u",
        "name": {"zh": "甲"},
        "unit": "人",
        "kind": "count",
        "direction": "increase",
        "expression": "#{v}",
    }
    v = {
        "id": "v",
        "name": {"zh": "乙"},
        "unit": "人",
        "kind": "count",
        "direction": "increase",
        "expression": "#{u} * 2",
    }
    with pytest.raises(PlanError) as e:
        planeval.parse_plan(plan_json([u, v]))
    got = sorted(str(d) for d in e.value.errors)
    assert got == [
        "indicators[3].expression: cycle between derived indicators: u -> v -> u",
        "indicators[4].expression: cycle between derived indicators: v -> u -> v",
    ]


def test_ratio_of_sums_rolled_up_and_evaluated() -> None:
    p = planeval.parse_plan(plan_json())
    # 2023: a 10 of 25, b 12 of 25 -> 100 × 22 / 50 = 44.0 for the district; per school 40 and 48.
    # (The mean of the school ratios would also be 44 here; 2022 tells them apart: a 3 of 10 (30%),
    # b 27 of 90 (30%)... equal again; use 2021: a 1 of 4 (25%), b 36 of 96 (37.5%): ratio of sums
    # 37 / 100 = 37.0, mean of ratios 31.25.)
    obs = counts(
        p,
        [
            ("party", "a", 2023, 10),
            ("teachers", "a", 2023, 25),
            ("party", "b", 2023, 12),
            ("teachers", "b", 2023, 25),
            ("party", "a", 2021, 1),
            ("teachers", "a", 2021, 4),
            ("party", "b", 2021, 36),
            ("teachers", "b", 2021, 96),
        ],
    )
    r = p.rollup(obs, level="district", indicators=["share"])
    by_year = {ts.year: v for ts, v in zip(r["period_start"], r["value"])}
    assert by_year == {2021: pytest.approx(37.0), 2023: pytest.approx(44.0)}
    schools = p.rollup(obs, level="school", indicators=["share"])
    assert sorted(schools["value"].round(6)) == [25.0, 37.5, 40.0, 48.0]

    # the derived rows themselves: value 100 × party / teachers, weight = the denominator
    derived, summary = planeval.derive(p, obs)
    assert summary == [
        {"indicator": "share", "rows": 4, "values": 4, "missing": 0, "observed": 0, "zero_denominator": 0}
    ]
    assert len(derived) == len(obs) + 4

    report = p.evaluate(obs, as_of=dt.date(2023, 12, 31))
    t = report.target("t_share")
    assert t["actual"] == pytest.approx(44.0)
    # the linear path from 40 (2020) to 50 (2025) expects 40 + 10 × 3/5 = 46 at the end of 2023
    assert t["expected"] == pytest.approx(46.0)
    assert t["trace"]["derivation"]["en"] == (
        "share = 100 × Σ(#{party}) / Σ(#{teachers}) = 100 × 22 / 50 = 44.00 (2023, 2 units)"
    )


def test_the_example_plan_derives_its_ratio_indicators_from_counts() -> None:
    plan = planeval.example_plan()
    derived = {i.id: i for i in plan.indicators if i.is_derived}
    # the 优质均衡 per-student indicators, 普惠覆盖率 (and the public share beside it), 党员教师占比
    assert set(derived) == {
        "qualified_teachers_per_100",
        "backbone_teachers_per_100",
        "pe_arts_teachers_per_100",
        "teaching_space_per_student",
        "sports_space_per_student",
        "equipment_value_per_student",
        "multimedia_rooms_per_100",
        "inclusive_kindergarten_coverage_rate",
        "public_kindergarten_enrolment_share",
        "party_member_teacher_share",
    }
    for ind in derived.values():
        assert ind.numerator and ind.denominator
        for side in (ind.numerator, ind.denominator):
            for ref in planeval.parse_expression(side).references:
                assert plan.indicator(ref).kind in ("count", "amount"), (ind.id, ref)
    assert derived["backbone_teachers_per_100"].numerator == "#{county_backbone_teacher_count}"
    assert derived["backbone_teachers_per_100"].denominator == "#{students}"
    assert derived["backbone_teachers_per_100"].factor == 100
    assert derived["inclusive_kindergarten_coverage_rate"].numerator == (
        "#{public_kindergarten_children} + #{inclusive_private_kindergarten_children}"
    )
    assert derived["party_member_teacher_share"].denominator == "#{full_time_teacher_count}"


def test_the_illustrative_backbone_values_are_derived_from_counts() -> None:
    plan = planeval.example_plan()
    # the standard's district criteria (not in the plan) are in the data
    plan.add_standard_indicators(planeval.builtin_standard("compulsory_quality_balance_2017"))
    obs, _ = planeval.read_csv(plan, CSV)
    with CSV.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert not any(r["indicator"] == "backbone_teachers_per_100" for r in rows)  # not given: derived

    def given(indicator: str, entity: str, year: str) -> float:
        (v,) = [
            float(r["value"])
            for r in rows
            if (r["indicator"], r["entity"], r["period"]) == (indicator, entity, year)
        ]
        return v

    schools = plan.rollup(obs, level="school", indicators=["backbone_teachers_per_100"])
    got = {(e, ts.year): v for e, ts, v in zip(schools["entity"], schools["period_start"], schools["value"])}
    # the senior school has backbone counts but no students rows: its value is missing, not 0
    assert {k: v for k, v in got.items() if k[0] == "no13_middle_school"}.keys() == {
        ("no13_middle_school", y) for y in (2021, 2022, 2023)
    }
    assert all(v != v for k, v in got.items() if k[0] == "no13_middle_school")  # NaN
    got = {k: v for k, v in got.items() if k[0] != "no13_middle_school"}
    assert len(got) == 8 * 3  # 5 primary and 3 junior schools, 2021–2023
    for (school, year), v in got.items():
        count = given("county_backbone_teacher_count", school, str(year))
        students = given("students", school, str(year))
        assert v == pytest.approx(100.0 * count / students, rel=1e-12)


FORMULA_ALPHABET = st.sampled_from(
    [
        "#{party}",
        "#{teachers}",
        "#{share}",
        "#{x}",
        "#{nope}",
        "C{k}",
        "1",
        "0",
        "2.5",
        "(",
        ")",
        "+",
        "-",
        "*",
        "/",
        "^",
        "%",
        "!",
        "&&",
        "||",
        "<",
        "==",
        ",",
        "if(",
        "log(",
        "greatest(",
        "isNull(",
        "true",
        "'s'",
        "#{",
        "}",
        " ",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(FORMULA_ALPHABET, max_size=12).map("".join), st.booleans())
def test_random_formulas_in_a_plan_load_or_raise_a_located_error(formula: str, ratio: bool) -> None:
    fields = {"numerator": formula, "denominator": "#{teachers}"} if ratio else {"expression": formula}
    x = {"id": "x", "name": {"zh": "派生"}, "unit": "人", "kind": "count", "direction": "increase", **fields}
    text = plan_json([x], constants=[{"id": "k", "name": {"zh": "常数"}, "value": 2}])
    try:
        p = planeval.parse_plan(text)
    except PlanError as e:
        # every problem names the indicator's field (or, for an empty formula, the indicator)
        assert all(str(d).startswith("indicators[3]") for d in e.errors), e.errors
    else:
        assert p.indicator("x").is_derived
