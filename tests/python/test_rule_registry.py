"""The rule registry and the one missing-policy parser (issue 14), seen from Python.

Rule names come from the C++ registry (planeval/rules/kind.hpp) through ``_core.rule_names()``;
DHIS2's aggregation types and missing-value names are accepted in any letter case by every function
that takes a rule or a policy. Values are worked out by hand in the comments.
"""

from __future__ import annotations

import copyreg
import datetime as dt
import math
import pickle
import warnings
from typing import Any

import numpy as np
import pytest

import planeval
from planeval import rules
from planeval._core import rule_aliases, rule_names

NAN = float("nan")
POLICIES = (
    ("skip_if_any_missing", "SKIP_IF_ANY_VALUE_MISSING"),
    ("skip_if_all_missing", "SKIP_IF_ALL_VALUES_MISSING"),
    ("never_skip", "NEVER_SKIP"),
)


def _same(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is b
    if isinstance(a, float) and isinstance(b, float):
        return a == b or (math.isnan(a) and math.isnan(b))
    return bool(np.array_equal(np.asarray(a, dtype=float), np.asarray(b, dtype=float), equal_nan=True))


# --- names from the registry -----------------------------------------------------------------------


def test_rule_names_come_from_the_registry() -> None:
    names = rule_names()
    assert names[:5] == ["sum", "count", "mean", "min", "max"]
    assert "cv_unweighted" in names and "k_of_n" in names and "indicator" not in names
    assert len(names) == len(set(names)) == 21
    assert rules.RULE_NAMES == tuple(names)
    # every rule class reports a name of the registry
    for cls in (rules.Sum, rules.CV, rules.KOfN, rules.Percentile, rules.Last):
        assert cls.rule in names


def test_dhis2_aggregation_types_are_aliases() -> None:
    aliases = rule_aliases()
    assert aliases["AVERAGE"] == "mean"
    assert aliases["AVERAGE_SUM_ORG_UNIT"] == "sum"
    assert aliases["STDDEV"] == "stddev"
    assert set(aliases.values()) <= set(rule_names())
    # aggregate takes them in any letter case: mean of 1, 2, 6 = 3
    for name in ("AVERAGE", "average", "Average", "mean"):
        assert planeval.aggregate(name, [1.0, 2.0, 6.0]) == 3.0
    # STDDEV (population): values 2, 4 → mean 3, S = 1
    assert planeval.aggregate("STDDEV", [2.0, 4.0]) == 1.0


def test_unknown_rule_lists_the_names() -> None:
    with pytest.raises(planeval.Error) as info:
        planeval.aggregate("avg", [1.0])
    message = str(info.value)
    assert message.startswith('aggregate: unknown rule "avg"; expected one of sum, count, mean, min, max')
    assert all(name in message for name in rule_names())


def test_aggregate_refuses_rules_that_do_not_take_values() -> None:
    with pytest.raises(planeval.Error, match="values on dates"):
        planeval.aggregate("last", [1.0])
    with pytest.raises(planeval.Error, match="threshold="):
        planeval.aggregate("share_meeting", [1.0])


# --- one missing-policy parser ----------------------------------------------------------------------


@pytest.mark.parametrize(("ours", "dhis2"), POLICIES)
def test_rule_classes_take_dhis2_missing_names(ours: str, dhis2: str) -> None:
    # Mean of 1, missing, 3: skip_if_any → None; skip_if_all → (1 + 3) / 2 = 2; never_skip → 4 / 3
    expected = {"skip_if_any_missing": None, "skip_if_all_missing": 2.0, "never_skip": 4.0 / 3.0}[ours]
    for name in (ours, dhis2, dhis2.lower(), dhis2.title()):
        state = rules.Mean(missing=name)
        assert state.missing == ours
        assert _same(state.observe([1.0, NAN, 3.0]).value, expected)
    assert rules.Mean(missing="SKIP_IF_ALL_VALUES_MISSING") == rules.Mean(missing="skip_if_all_missing")


@pytest.mark.parametrize(("ours", "dhis2"), POLICIES)
def test_aggregate_takes_dhis2_missing_names(ours: str, dhis2: str) -> None:
    # sum of 5 and a missing value: skip_if_any → None; otherwise 5 (the missing one counts 0)
    expected = None if ours == "skip_if_any_missing" else 5.0
    for name in (ours, dhis2, dhis2.lower()):
        assert _same(planeval.aggregate("sum", [5.0, NAN], missing=name), expected)
    # count under Never_Skip counts the missing value: 2
    assert planeval.aggregate("count", [5.0, NAN], missing="Never_Skip") == 2.0
    assert planeval.aggregate("count", [5.0, NAN], missing="never_skip") == 2.0


@pytest.mark.parametrize(("ours", "dhis2"), POLICIES)
def test_evaluate_expression_takes_dhis2_missing_names(ours: str, dhis2: str) -> None:
    # #{a} + #{b} with b missing in row 0: skip_if_any → NaN; skip_if_all / never_skip → 1 + 0 = 1
    values = {"a": [1.0, 2.0], "b": [NAN, 3.0]}
    expected = [NAN, 5.0] if ours == "skip_if_any_missing" else [1.0, 5.0]
    for name in (ours, dhis2, dhis2.lower()):
        assert _same(planeval.evaluate_expression("#{a} + #{b}", values, missing=name), expected)
    dhis2_lower = planeval.evaluate_expression("#{a} + #{b}", values, missing="skip_if_any_value_missing")
    assert _same(dhis2_lower, [NAN, 5.0])


def _district_plan() -> tuple[Any, Any]:
    """A district d with schools a, b, c; teachers (count) 12, missing, 30 in 2022."""
    plan = planeval.Plan("reg", "登记", dt.date(2021, 1, 1), dt.date(2025, 12, 31))
    plan.add_indicator(planeval.Indicator("teachers", "教师数", "人", "count"))
    plan.add_entity(planeval.Entity("d", "区", "district"))
    for s in ("a", "b", "c"):
        plan.add_entity(planeval.Entity(s, s, "school", "d", stage="小学"))
    obs, report = planeval.observations_from_arrays(
        plan,
        indicator=["teachers"] * 3,
        entity=["a", "b", "c"],
        year=[2022] * 3,
        value=[12.0, 0.0, 30.0],
        missing=[False, True, False],
    )
    assert report.accepted == 3
    return plan, obs


@pytest.mark.parametrize(("ours", "dhis2"), POLICIES)
def test_rollup_takes_dhis2_missing_names(ours: str, dhis2: str) -> None:
    plan, obs = _district_plan()
    # mean over a, b (missing), c: skip_if_any → undefined; skip_if_all → (12 + 30) / 2 = 21;
    # never_skip → (12 + 0 + 30) / 3 = 14
    expected = {"skip_if_any_missing": NAN, "skip_if_all_missing": 21.0, "never_skip": 14.0}[ours]
    for name in (ours, dhis2, dhis2.lower()):
        out = plan.rollup_arrays(obs, level="district", rule="mean", missing=name)
        assert _same(out["value"], [expected])
    with pytest.raises(planeval.Error, match="skip_if_all_missing"):
        plan.rollup_arrays(obs, level="district", missing="skip_some")


def test_rollup_takes_dhis2_rule_names_and_threads_zero() -> None:
    plan, obs = _district_plan()
    # AVERAGE_SUM_ORG_UNIT sums across entities: 12 + 30 = 42; AVERAGE is the mean 21
    assert plan.rollup_arrays(obs, level="district", rule="AVERAGE_SUM_ORG_UNIT")["value"].tolist() == [42.0]
    assert plan.rollup_arrays(obs, level="district", rule="average")["value"].tolist() == [21.0]
    # variance over units (population): 12 and 30 → mean 21, ((9² + 9²) / 2) = 81
    assert plan.rollup_arrays(obs, level="district", rule="variance")["value"].tolist() == [81.0]
    # median keeps every value (not mergeable): a roll-up cannot combine it across entities
    with pytest.raises(planeval.Error, match=r'rule: expected one of "indicator", "sum", .*"cv_unweighted"'):
        plan.rollup_arrays(obs, level="district", rule="median")
    one = plan.rollup_arrays(obs, level="district", threads=1)["value"].tolist()
    assert plan.rollup_arrays(obs, level="district", threads=0)["value"].tolist() == one == [42.0]
    for bad in (-1, 1025):
        with pytest.raises(planeval.Error, match="threads"):
            plan.rollup_arrays(obs, level="district", threads=bad)


# --- conventions in the rule bindings ------------------------------------------------------------


def test_old_policy_keyword_warns_and_still_works() -> None:
    with pytest.warns(FutureWarning, match="policy= is now missing="):
        state = rules.Sum(policy="never_skip")
    assert state.missing == "never_skip"
    with pytest.warns(FutureWarning):
        assert planeval.aggregate("count", [1.0, NAN], policy="NEVER_SKIP") == 2.0
    with pytest.raises(planeval.Error, match="missing= only"):
        rules.Sum(missing="never_skip", policy="never_skip")


def test_missing_mask_and_the_old_mask_keyword() -> None:
    # count of 1, 2 with the second marked missing: 1; under never_skip 2
    mask = np.array([False, True])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert planeval.aggregate("count", [1.0, 2.0], missing_mask=mask) == 1.0
        assert planeval.aggregate("count", [1.0, 2.0], missing_mask=mask, missing="never_skip") == 2.0
        assert rules.Count().observe([1.0, 2.0], missing_mask=mask).value == 1.0
    with pytest.warns(FutureWarning, match="missing_mask="):
        assert planeval.aggregate("count", [1.0, 2.0], missing=mask) == 1.0
    with pytest.warns(FutureWarning, match="missing_mask="):
        assert rules.Count().observe([1.0, 2.0], missing=mask).value == 1.0
    with pytest.raises(planeval.Error, match="missing_mask="):
        rules.Count().observe([1.0], missing="never_skip")


def test_nan_is_missing_inf_and_text_are_refused() -> None:
    # weighted mean of 90 (w 100) and a missing value (w 300): skip_if_all → 90; never_skip → 90/4
    assert planeval.aggregate("weighted_mean", [90.0, NAN], [100.0, 300.0]) == 90.0
    with_none: list[Any] = [90.0, None]  # None is missing too
    assert planeval.aggregate("weighted_mean", with_none, [100.0, 300.0], missing="never_skip") == 22.5
    inf_message = r"values\[1\]: expected a finite number or NaN \(missing\), got inf"
    with pytest.raises(planeval.DataError, match=inf_message):
        planeval.aggregate("sum", [1.0, math.inf])
    with pytest.raises(planeval.DataError, match=r"values\[0\]: .*got -inf"):
        rules.Max().observe([-math.inf])
    with pytest.raises(TypeError, match=r"values\[0\]"):
        planeval.aggregate("sum", ["1", "2"])
    with pytest.raises(TypeError):
        rules.Sum().observe("12")
    # a scalar is a one-element array
    assert planeval.aggregate("sum", 4.0) == 4.0
    assert rules.Sum().observe(np.float64(2.5)).value == 2.5
    # KOfN: NaN in a unit's row is a missing value (fails its criterion), not an error
    k = rules.KOfN([(">=", 1.0), (">=", 1.0)], k=2).observe(np.array([[2.0, 2.0], [2.0, NAN]]))
    assert k.value == 0.5  # unit 0 passes 2 of 2, unit 1 meets 1 of 2
    assert k.results[1].missing == [1]


def test_rule_states_pickle_with_a_version_and_have_a_class_name_repr() -> None:
    state = rules.Variance(1, missing="NEVER_SKIP").observe([1.0, 3.0])
    version, data = state.__getstate__()
    assert version == 1 and data == state.to_bytes()
    for protocol in (2, pickle.HIGHEST_PROTOCOL):
        again = pickle.loads(pickle.dumps(state, protocol))
        assert again == state and again.value == 2.0  # sample variance of 1, 3: ((1 + 1) / 1) = 2
    assert repr(state).startswith("Variance(")
    # a state pickled before the version was added (bare bytes) still loads
    old = copyreg.__newobj__(rules.Sum)  # type: ignore[attr-defined]
    old.__setstate__(rules.Sum().observe([2.0]).to_bytes())
    assert old.value == 2.0
    with pytest.raises(planeval.Error, match="unknown version 7"):
        copyreg.__newobj__(rules.Sum).__setstate__((7, rules.Sum().to_bytes()))  # type: ignore[attr-defined]


def test_formula_booleans_compare_as_dhis2() -> None:
    # DHIS2 compares booleans as false 0, true 1 (dhis2/expression-parser CompareExpressionTest:
    # "true > false" true, "true <= false" false); `!` binds tighter, so !true <= false is
    # false <= false: true (1.0)
    assert planeval.evaluate_expression("!true <= false", {}).tolist() == [1.0]
    assert planeval.evaluate_expression("true <= false", {}).tolist() == [0.0]
    # (a > 1) <= (a > 2) is false only where a > 1 and not a > 2: a = 2
    rows = planeval.evaluate_expression("(#{a} > 1) <= (#{a} > 2)", {"a": [1.0, 2.0, 3.0]})
    assert rows.tolist() == [1.0, 0.0, 1.0]
    # all inputs scalars: a scalar result
    assert planeval.evaluate_expression("#{a} * 2", {"a": 2.5}) == 5.0
