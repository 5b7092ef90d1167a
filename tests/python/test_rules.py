"""Rule states of planeval.rules: merge laws (hypothesis), identity, pickling, observe, reprs.

The law: for a mergeable rule, observing random data in one pass equals observing it split at
random points into partial states and merging those in a random order (starting from the empty
state). The data are multiples of 1/4, so sums and products are exact: for rules built on sums the
merged state equals the one-pass state bit for bit; mean_of_ratios, variance, stddev and cv (Welford
and Chan et al.) are compared within 1e-12 relative.
"""

from __future__ import annotations

import copy
import math
import pickle
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import planeval
from planeval import DataError, Error
from planeval.rules import (
    CV,
    Count,
    CountMeeting,
    Max,
    Mean,
    MeanOfRatios,
    Median,
    Min,
    Percentile,
    RatioOfSums,
    ShareMeeting,
    StdDev,
    StructureShares,
    Sum,
    Variance,
    WeightedMean,
    YearOverYear,
)

POLICIES = ["skip_if_all_missing", "skip_if_any_missing", "never_skip"]

# name -> (make a state with this policy, what observe takes, exact merge)
RULES: dict[str, tuple[Callable[[str], Any], str, bool]] = {
    "Sum": (lambda p: Sum(missing=p), "x", True),
    "Count": (lambda p: Count(missing=p), "x", True),
    "Mean": (lambda p: Mean(missing=p), "x", True),
    "Min": (lambda p: Min(missing=p), "x", True),
    "Max": (lambda p: Max(missing=p), "x", True),
    "WeightedMean": (lambda p: WeightedMean(missing=p), "xw", True),
    "RatioOfSums": (lambda p: RatioOfSums(100.0, missing=p), "xw", True),
    "MeanOfRatios": (lambda p: MeanOfRatios(missing=p), "xw", False),
    "Variance": (lambda p: Variance(1, missing=p), "xw", False),
    "StdDev": (lambda p: StdDev(missing=p), "x", False),
    "CV": (lambda p: CV(missing=p), "xw", False),
    "CVUnweighted": (lambda p: CV(weighted=False, missing=p), "x", False),
    "ShareMeeting": (lambda p: ShareMeeting(">=", 50.0, missing=p), "x", True),
    "CountMeeting": (lambda p: CountMeeting("<", 25.0, missing=p), "x", True),
    "YearOverYear": (lambda p: YearOverYear(missing=p), "years", True),
    "StructureShares": (lambda p: StructureShares([3, 4, 3], 2.0, missing=p), "categories", True),
}

quarter = st.integers(0, 400).map(lambda k: k / 4)  # 0 .. 100 in steps of 0.25: exact sums
row = st.tuples(quarter, quarter, st.integers(0, 5), st.booleans())  # value, weight, key, missing
rows_strategy = st.lists(row, max_size=40)

Rows = list[tuple[float, float, int, bool]]


def observe(state: Any, kind: str, rows: Rows) -> Any:
    x = np.array([r[0] for r in rows], dtype=np.float64)
    w = np.array([r[1] for r in rows], dtype=np.float64)
    key = np.array([r[2] for r in rows], dtype=np.int64)
    missing = np.array([r[3] for r in rows], dtype=bool)
    if kind == "x":
        return state.observe(x, missing_mask=missing)
    if kind == "xw":
        return state.observe(x, w, missing_mask=missing)
    if kind == "years":
        return state.observe(key + 2020, x, missing_mask=missing)
    return state.observe(key % 3, x, missing_mask=missing)


def split(rows: Rows, cuts: list[int]) -> list[Rows]:
    bounds = [0, *sorted(cuts), len(rows)]
    return [rows[a:b] for a, b in zip(bounds, bounds[1:])]


def same_value(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is b
    return math.isclose(a, b, rel_tol=1e-12, abs_tol=0.0)


@pytest.mark.parametrize("name", sorted(RULES))
@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_merging_partial_states_equals_one_pass(name: str, data: st.DataObject) -> None:
    make, kind, exact = RULES[name]
    policy = data.draw(st.sampled_from(POLICIES))
    rows = data.draw(rows_strategy)
    one = observe(make(policy), kind, rows)
    cuts = data.draw(st.lists(st.integers(0, len(rows)), max_size=6))
    parts = [observe(make(policy), kind, chunk) for chunk in split(rows, cuts)]
    order = data.draw(st.permutations(range(len(parts))))
    total = type(one)()  # the empty state: the identity
    for i in order:
        total += parts[i]
    assert total.count == one.count
    assert total.missing_count == one.missing_count
    if exact:
        assert total == one
    else:
        assert same_value(total.value, one.value), (total, one)
    # merge() and + give the same as +=
    merged = type(one)()
    for i in order:
        merged = merged.merge(parts[i])
    assert merged == total
    if len(parts) >= 2:
        assert (parts[0] + parts[1]) == copy.copy(parts[0]).merge(parts[1])


@pytest.mark.parametrize("name", sorted(RULES))
@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_the_empty_state_is_a_two_sided_identity(name: str, data: st.DataObject) -> None:
    make, kind, _ = RULES[name]
    s = observe(make(data.draw(st.sampled_from(POLICIES))), kind, data.draw(rows_strategy))
    empty = type(s)()
    assert empty + s == s
    assert s + empty == s
    left = type(s)()
    left += s
    assert left == s
    right = copy.copy(s)
    right += type(s)()
    assert right == s


@pytest.mark.parametrize("name", sorted(RULES))
def test_pickle_and_bytes_round_trip(name: str) -> None:
    make, kind, _ = RULES[name]
    s = observe(make("never_skip"), kind, [(1.5, 2.0, 1, False), (4.0, 1.0, 2, True), (7.25, 3.0, 3, False)])
    for protocol in range(pickle.HIGHEST_PROTOCOL + 1):
        back = pickle.loads(pickle.dumps(s, protocol=protocol))
        assert back == s and type(back) is type(s)
        assert back.policy == "never_skip"
    assert type(s).from_bytes(s.to_bytes()) == s
    assert s.to_bytes()[:3] == b"pvr"
    assert copy.deepcopy(s) == s


def test_non_mergeable_rules_have_no_merge() -> None:
    for cls in (Median, Percentile):
        assert cls.mergeable is False
        assert not hasattr(cls, "merge")
        assert not hasattr(cls, "__iadd__")
    m = Median().observe([3.0, 1.0, 2.0])
    with pytest.raises(TypeError):
        m += Median()
    with pytest.raises(TypeError):
        m + Median()
    assert m.value == 2.0
    # they still pickle
    p = Percentile(0.25).observe([1.0, 2.0, 3.0, 4.0])
    assert p.value == 1.75
    back = pickle.loads(pickle.dumps(p))
    assert back == p and back.q == 0.25
    np.testing.assert_array_equal(back.values, [1.0, 2.0, 3.0, 4.0])
    assert all(cls.mergeable for cls in (Sum, Mean, Variance, CV, YearOverYear, StructureShares))


def test_bytes_are_checked() -> None:
    b = Mean().observe([1.0, 2.0]).to_bytes()
    with pytest.raises(Error, match='the bytes hold a "mean" state, not "sum"'):
        Sum.from_bytes(b)
    corrupt = bytearray(b)
    corrupt[-12] ^= 0x01
    with pytest.raises(Error, match="checksum"):
        Mean.from_bytes(bytes(corrupt))
    with pytest.raises(Error, match="truncated"):
        Mean.from_bytes(b[:5])
    with pytest.raises(Error, match='no "pvr" magic'):
        Mean.from_bytes(b"xyz" + b[3:])


def test_merging_different_parameters_is_an_error() -> None:
    with pytest.raises(Error, match=r"cannot merge variance with different ddof \(population vs sample\)"):
        Variance(0).observe([1.0]).merge(Variance(1).observe([2.0]))
    with pytest.raises(Error, match="different threshold"):
        ShareMeeting(">=", 1.0).observe([1.0]).merge(ShareMeeting(">=", 2.0).observe([1.0]))
    with pytest.raises(Error, match="missing policy"):
        Sum().observe([1.0]).merge(Sum(missing="never_skip").observe([1.0]))
    with pytest.raises(TypeError):
        Sum().merge(Mean())  # type: ignore[arg-type]


def test_observe_checks_everything_before_changing_the_state() -> None:
    s = Sum().observe([1.0])
    # API conventions (issue 14): NaN is a missing value; inf is refused, naming its position
    with pytest.raises(DataError, match=r"values\[1\]: expected a finite number or NaN \(missing\), got inf"):
        s.observe([2.0, float("inf")])
    assert s.value == 1.0 and s.count == 1
    with pytest.raises(TypeError, match=r"Sum\.observe takes no weights"):
        s.observe([1.0], [1.0])  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"WeightedMean.observe needs weights="):
        WeightedMean().observe([1.0])  # type: ignore[call-arg]
    shares = StructureShares([3, 4, 3], 2.0)
    with pytest.raises(DataError, match=r"categories\[0\] is 3; expected 0 to 2"):
        shares.observe([3], [1.0])
    with pytest.raises(DataError, match=r"amounts\[0\] is -1"):
        shares.observe([0], [-1.0])
    with pytest.raises(DataError, match="years: expected integers"):
        YearOverYear().observe([2021.5], [1.0])
    assert shares.count == 0


def test_rule_values_and_properties() -> None:
    v = Variance(1).observe([2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0])
    assert v.value == pytest.approx(32 / 7) and v.ddof == 1 and v.mean == pytest.approx(5.0)
    assert StdDev().observe([2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0]).value == pytest.approx(2.0)
    c = CV().observe([4.0, 5.0, 6.0], [100.0, 200.0, 700.0])
    assert c.value == pytest.approx(0.118450, abs=1e-6) and c.mean == pytest.approx(5.6) and c.weighted
    r = RatioOfSums().observe([1.0, 1.0], [1.0, 9.0])
    assert (r.value, r.numerator, r.denominator) == (pytest.approx(0.2), 2.0, 10.0)
    q = MeanOfRatios().observe([1.0, 5.0], [1.0, 0.0])
    assert (q.value, q.units, q.skipped_zero_denominator) == (1.0, 1, 1)
    meeting = ShareMeeting(">=", 90.0).observe([80.0, 90.0, 95.0, 100.0])
    assert (meeting.value, meeting.met, meeting.compared, meeting.comparator) == (0.75, 3, 4, ">=")
    # 只增不减: 2021: 5, 2023: 5 + 1 = 6 (two parts), 2024: 6 -> holds; strictly: 2024 is not above 2023
    yoy = YearOverYear().observe([2021, 2023, 2023, 2024], [5.0, 5.0, 1.0, 6.0])
    assert yoy.value == 1.0 and yoy.holds is True and yoy.gaps == [2022]
    assert yoy.totals == [(2021, 5.0), (2023, 6.0), (2024, 6.0)]
    strict = YearOverYear(strict=True).observe([2021, 2023, 2023, 2024], [5.0, 5.0, 1.0, 6.0])
    assert strict.value == 0.0 and strict.breaks == [2024]
    # 高级:中级:初级 = 30:41:29 against 3:4:3 within 2 points: largest deviation 1 point
    shares = StructureShares([3, 4, 3], 2.0).observe([0, 1, 2], [30.0, 41.0, 29.0])
    assert shares.value == pytest.approx(1.0) and shares.holds is True
    assert shares.target == pytest.approx([30.0, 40.0, 30.0])
    assert Sum().value is None and Median().value is None
    assert Sum.rule == "sum" and CV.rule == "cv"


def test_reprs_and_module() -> None:
    assert repr(Sum().observe([1.0, 2.0])) == "Sum(value=3.0, count=2, missing_count=0)"
    assert repr(Variance(1, missing="never_skip")) == (
        "Variance(ddof=1, policy='never_skip', value=None, count=0, missing_count=0)"
    )
    assert (
        repr(ShareMeeting(">", 90))
        == "ShareMeeting(comparator='>', threshold=90.0, value=None, count=0, missing_count=0)"
    )
    assert Sum.__module__ == "planeval.rules"
    assert planeval.rules.Sum is Sum


def test_bad_parameters() -> None:
    with pytest.raises(Error, match="ddof must be 0"):
        Variance(3)
    with pytest.raises(Error, match="comparator must be"):
        ShareMeeting("between", 1.0)
    with pytest.raises(Error, match=r"q must be in \[0, 1\]"):
        Percentile(50)
    with pytest.raises(Error, match="policy: expected one of"):
        Sum(policy="sometimes")
    with pytest.raises(Error, match="give the target shares"):
        StructureShares(tolerance=2.0)
    with pytest.raises(Error, match="factor must be finite"):
        RatioOfSums(float("inf"))


def test_first_and_last_by_date() -> None:
    import datetime as dt
    import pickle

    dates = np.array(["2021-03-31", "2021-09-30", "2021-06-30"], dtype="datetime64[D]")
    values = np.array([10.0, 12.0, 7.0])
    # first: the value on the earliest date (2021-03-31 -> 10); last: on the latest (2021-09-30 -> 12)
    first = planeval.rules.First().observe(dates, values)
    last = planeval.rules.Last().observe(dates, values)
    assert first.value == 10.0 and first.date == dt.date(2021, 3, 31)
    assert last.value == 12.0 and last.date == dt.date(2021, 9, 30)
    # merging partial states in any order gives the one-pass answer
    a = planeval.rules.Last().observe(dates[:1], values[:1])
    b = planeval.rules.Last().observe(dates[1:], values[1:])
    assert (b + a) == last and (a + b) == last
    assert pickle.loads(pickle.dumps(last)) == last
    # datetime.date objects work too; a missing value is not a value
    objs = [dt.date(2022, 1, 1), dt.date(2022, 12, 31)]
    r = planeval.rules.Last().observe(objs, np.array([1.0, 0.0]), missing_mask=np.array([False, True]))
    assert r.value == 1.0 and r.missing_count == 1
    assert planeval.rules.First().value is None


# --- KOfN: the 优质均衡 per-school rule --------------------------------------------------------------


def _kofn() -> planeval.rules.KOfN:
    # three criteria: a >= 10, b >= 4, c <= 2 (a "lower is better" one); pass with 2 of 3, floor 0.85
    return planeval.rules.KOfN([(">=", 10.0, "a"), (">=", 4.0, "b"), ("<=", 2.0, "c")], k=2, floor=0.85)


def test_k_of_n_hand_computed() -> None:
    r = _kofn()
    values = np.array(
        [
            [10.0, 4.0, 2.0],  # unit 0: all met -> pass
            [8.5, 4.0, 2.0],  # unit 1: a = 0.85 x 10 exactly at the floor -> 2 met, rest at floor -> pass
            [8.4, 4.0, 2.0],  # unit 2: a below 8.5 -> fails the floor
            [10.0, 3.0, 2.4],  # unit 3: only a met -> 1 of 3 -> fail (b 3 >= 3.4? no, below floor too)
            [12.0, 5.0, 2.35],  # unit 4: c 2.35 <= 2 / 0.85 = 2.3529... -> above floor, 2 met -> pass
        ]
    )
    assert r.observe(values) is r
    assert r.units == 5
    assert r.passed == 3
    assert r.value == pytest.approx(3 / 5)
    res = r.results
    assert [u.unit for u in res] == [0, 1, 2, 3, 4]
    assert [u.passed for u in res] == [True, True, False, False, True]
    assert res[2].failing == [0] and res[2].below_floor == [0]
    assert res[3].met_count == 1 and res[3].failing == [1, 2] and res[3].below_floor == [1, 2]
    assert res[4].failing == [2] and res[4].below_floor == []
    assert res[1].ratios == pytest.approx([0.85, 1.0, 1.0])
    assert r.criteria == [(">=", 10.0, "a"), (">=", 4.0, "b"), ("<=", 2.0, "c")]
    assert (r.k, r.floor) == (2, 0.85)
    assert r.count == 15 and r.missing_count == 0


def test_k_of_n_missing_values_and_unit_ids() -> None:
    r = _kofn()
    miss = np.array([[False, True, False], [False, False, False]])
    # unit 7: b missing -> not met and below the floor -> fails although a and c are met
    r.observe(np.array([[10.0, 0.0, 1.0], [10.0, 4.0, 3.0]]), units=np.array([7, 3]), missing_mask=miss)
    assert [u.unit for u in r.results] == [3, 7]
    assert r.results[1].missing == [1] and not r.results[1].passed
    assert r.results[1].ratios[1] is None
    # unit 3: c = 3 > 2 / 0.85 -> below the floor -> fails
    assert not r.results[0].passed
    assert (r.count, r.missing_count) == (5, 1)
    # units continue after the largest id
    r.observe(np.array([[10.0, 4.0, 2.0]]))
    assert r.results[-1].unit == 8 and r.passed == 1


def test_k_of_n_merge_order_and_identity() -> None:
    rng = np.random.default_rng(7)
    values = rng.uniform(5, 12, size=(40, 3)).round(2)
    one = _kofn().observe(values, units=np.arange(40))
    parts = [_kofn().observe(values[i : i + 10], units=np.arange(i, i + 10)) for i in range(0, 40, 10)]
    merged = planeval.rules.KOfN()
    for p in reversed(parts):
        merged += p
    assert merged == one
    assert planeval.rules.KOfN() + one == one
    assert pickle.loads(pickle.dumps(one)) == one
    assert planeval.rules.KOfN.from_bytes(one.to_bytes()) == one


def test_k_of_n_bad_input_leaves_state_unchanged() -> None:
    r = _kofn().observe(np.array([[10.0, 4.0, 2.0]]), units=np.array([1]))
    before = copy.copy(r)
    # API conventions (issue 14): NaN is a missing value; inf is refused, naming its position
    with pytest.raises(DataError, match=r"values\[1, 2\]: expected a finite number or NaN \(missing\)"):
        r.observe(np.array([[10.0, 4.0, 2.0], [1.0, 1.0, np.inf]]), units=np.array([5, 6]))
    with pytest.raises(DataError, match="unit 1 was observed before"):
        r.observe(np.array([[10.0, 4.0, 2.0]]), units=np.array([1]))
    with pytest.raises(DataError, match="unit 4 appears twice"):
        r.observe(np.array([[10.0, 4.0, 2.0], [10.0, 4.0, 2.0]]), units=np.array([4, 4]))
    with pytest.raises(DataError, match="expected 3 columns"):
        r.observe(np.ones((2, 2)))
    with pytest.raises(DataError, match="shape of values"):
        r.observe(np.ones((2, 3)), missing_mask=np.zeros((2, 2), dtype=bool))
    assert r == before
    with pytest.raises(Error, match="k must be at most"):
        planeval.rules.KOfN([(">=", 1.0)], k=2)
    with pytest.raises(Error, match="comparator"):
        planeval.rules.KOfN([("~", 1.0)])
    with pytest.raises(Error, match="threshold must be finite and > 0"):
        planeval.rules.KOfN([(">=", 0.0)])
    with pytest.raises(Error, match="cannot merge k_of_n states that both hold unit 1"):
        r.merge(_kofn().observe(np.array([[1.0, 1.0, 1.0]]), units=np.array([1])))
    assert "KOfN(criteria=3, k=2, floor=0.85, value=1.0" in repr(r)


@settings(max_examples=60, deadline=None)
@given(
    values=st.lists(
        st.tuples(*[st.integers(min_value=0, max_value=60).map(lambda q: q / 4) for _ in range(3)]),
        min_size=0,
        max_size=30,
    ),
    cuts=st.lists(st.integers(min_value=0, max_value=30), max_size=4),
    seed=st.integers(min_value=0, max_value=2**16),
)
def test_k_of_n_merge_law(values: list[tuple[float, float, float]], cuts: list[int], seed: int) -> None:
    # one pass over all units == partial states over any split, merged in any order; KOfN() is the
    # identity. Thresholds 10, 4 (>=) and 2 (<=) with values 0..15 in quarters hit every branch.
    x = np.array(values, dtype=np.float64).reshape(len(values), 3)
    ids = np.arange(len(values))
    one = _kofn().observe(x, units=ids)
    bounds = sorted({0, len(values), *[c for c in cuts if c <= len(values)]})
    parts = [_kofn().observe(x[a:b], units=ids[a:b]) for a, b in zip(bounds, bounds[1:])]
    np.random.default_rng(seed).shuffle(parts)  # type: ignore[arg-type]
    merged = planeval.rules.KOfN()
    for p in parts:
        merged += p
    if len(values) == 0:
        assert merged.units == 0
    else:
        assert merged == one
    assert (planeval.rules.KOfN() + one) == one
