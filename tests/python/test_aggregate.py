"""aggregate(): every rule on small hand-computed arrays, missing values and policies, argument errors."""

from __future__ import annotations

import math
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

import planeval
from planeval import DataError, Error, aggregate

NAN = float("nan")


# --- each rule -----------------------------------------------------------------------------------


def test_sum_count_mean_min_max() -> None:
    x = [1.0, 2.0, 3.5]
    assert aggregate("sum", x) == 6.5
    assert aggregate("count", x) == 3.0
    assert aggregate("mean", x) == pytest.approx(6.5 / 3)  # 2.1667
    assert aggregate("min", x) == 1.0
    assert aggregate("max", x) == 3.5
    # integers, float32 and lists are converted once
    assert aggregate("sum", np.array([1, 2, 3], dtype=np.int64)) == 6.0
    assert aggregate("sum", np.array([0.5, 0.25], dtype=np.float32)) == 0.75


def test_no_values_gives_none() -> None:
    for rule in ("sum", "count", "mean", "min", "max", "median", "variance"):
        assert aggregate(rule, []) is None


def test_weighted_mean() -> None:
    # (90·100 + 100·300) / (100 + 300) = 39000 / 400 = 97.5
    assert aggregate("weighted_mean", [90.0, 100.0], [100.0, 300.0]) == 97.5
    assert aggregate("weighted_mean", [90.0, 100.0], [0.0, 0.0]) is None  # Σw = 0


def test_ratio_of_sums_versus_mean_of_ratios() -> None:
    # units (1/1, 1/9): ratio of sums 2/10 = 0.2; mean of ratios (1 + 1/9)/2 = 0.5556
    num, den = [1.0, 1.0], [1.0, 9.0]
    assert aggregate("ratio_of_sums", num, den) == pytest.approx(0.2)
    assert aggregate("mean_of_ratios", num, den) == pytest.approx(0.5555556, rel=1e-6)
    assert aggregate("ratio_of_sums", num, den, factor=100) == pytest.approx(20.0)
    # a zero denominator leaves the unit out of the mean of ratios
    assert aggregate("mean_of_ratios", [1.0, 5.0], [2.0, 0.0]) == 0.5


def test_variance_and_stddev() -> None:
    x = [2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0]
    # mean 5; squared deviations 9+1+1+1+0+0+4+16 = 32; population 32/8 = 4, sample 32/7 = 4.571429
    assert aggregate("variance", x) == pytest.approx(4.0)
    assert aggregate("variance", x, ddof=1) == pytest.approx(32 / 7)
    assert aggregate("stddev", x) == pytest.approx(2.0)
    assert aggregate("stddev", x, ddof=1) == pytest.approx(2.138090, abs=1e-6)
    assert aggregate("stddev", [3.0], ddof=1) is None  # n − 1 = 0
    # frequency weights: (2, w=1), (4, w=3) is 2, 4, 4, 4: mean 3.5, M2 = 2.25 + 3·0.25 = 3, var 0.75
    assert aggregate("variance", [2.0, 4.0], [1.0, 3.0]) == pytest.approx(0.75)
    with pytest.raises(Error, match=r"ddof must be 0 \(population\) or 1 \(sample\), got 2"):
        aggregate("stddev", x, ddof=2)


def test_cv_weighted_and_unweighted() -> None:
    # x̄ = (4·100 + 5·200 + 6·700) / 1000 = 5.6; S² = 0.1·1.6² + 0.2·0.6² + 0.7·0.4² = 0.44;
    # CV = √0.44 / 5.6 = 0.118450
    assert aggregate("cv", [4.0, 5.0, 6.0], [100.0, 200.0, 700.0]) == pytest.approx(0.118450, abs=1e-6)
    # unweighted: mean 5, population S² = (1 + 0 + 1)/3, CV = 0.816497 / 5 = 0.163299
    assert aggregate("cv", [4.0, 5.0, 6.0]) == pytest.approx(0.163299, abs=1e-6)
    # sample form: S² = 2/2 = 1, CV = 1/5
    assert aggregate("cv", [4.0, 5.0, 6.0], ddof=1) == pytest.approx(0.2)
    assert aggregate("cv", [-1.0, 1.0]) is None  # x̄ = 0


def test_share_and_count_meeting() -> None:
    x = [80.0, 90.0, 95.0, 100.0]
    assert aggregate("share_meeting", x, threshold=90) == 0.75  # 90, 95, 100 of 4
    assert aggregate("count_meeting", x, threshold=90) == 3.0
    assert aggregate("count_meeting", x, threshold=90, comparator="<") == 1.0  # 80
    assert aggregate("count_meeting", x, threshold=95, comparator="=") == 1.0
    with pytest.raises(Error, match="share_meeting needs threshold="):
        aggregate("share_meeting", x)
    with pytest.raises(Error, match="comparator"):
        aggregate("share_meeting", x, threshold=1, comparator="between")


def test_median_and_percentile() -> None:
    assert aggregate("median", [3.0, 1.0, 2.0]) == 2.0
    assert aggregate("median", [1.0, 2.0, 3.0, 4.0]) == 2.5  # the mean of the two middle values
    # type 7: h = (n − 1)q = 0.75, Q = x[0] + 0.75·(x[1] − x[0]) = 1.75
    assert aggregate("percentile", [1.0, 2.0, 3.0, 4.0], q=0.25) == 1.75
    assert aggregate("percentile", [4.0, 1.0, 3.0, 2.0], q=1.0) == 4.0
    rng = np.random.default_rng(3)
    x = rng.normal(size=101)
    for q in (0.0, 0.1, 0.33, 0.5, 0.9, 1.0):
        assert aggregate("percentile", x, q=q) == np.quantile(x, q)  # numpy's 'linear', bit for bit
    with pytest.raises(Error, match=r"q must be in \[0, 1\]"):
        aggregate("percentile", x, q=25)
    with pytest.raises(Error, match="percentile needs q="):
        aggregate("percentile", x)


# --- missing values --------------------------------------------------------------------------------


def test_missing_policies() -> None:
    x, m = [12.0, NAN], [False, True]  # a missing value's NaN is ignored
    assert aggregate("sum", x, missing_mask=m) == 12.0  # skip_if_all_missing: the missing one is ignored
    assert aggregate("count", x, missing_mask=m) == 1.0
    assert aggregate("sum", x, missing_mask=m, missing="skip_if_any_missing") is None  # undefined, not 0
    assert aggregate("mean", x, missing_mask=m, missing="never_skip") == 6.0  # (12 + 0) / 2
    assert aggregate("count", x, missing_mask=m, missing="never_skip") == 2.0
    assert aggregate("min", x, missing_mask=m, missing="never_skip") == 0.0
    # all missing: nothing under skip_if_all_missing, 0 under never_skip
    assert aggregate("sum", [1.0, 2.0], missing_mask=[True, True]) is None
    assert aggregate("sum", [1.0, 2.0], missing_mask=[True, True], missing="never_skip") == 0.0
    # a missing unit keeps its weight under never_skip: (90·100 + 0·300) / 400 = 22.5
    assert (
        aggregate(
            "weighted_mean", [90.0, NAN], [100.0, 300.0], missing_mask=[False, True], missing="never_skip"
        )
        == 22.5
    )
    # and its denominator in a ratio of sums: 1 / (1 + 9) = 0.1
    ratio = aggregate("ratio_of_sums", [1.0, 5.0], [1.0, 9.0], missing_mask=[0, 1], missing="never_skip")
    assert ratio == 0.1


def test_nan_without_a_mask_is_refused() -> None:
    # API conventions (issue 14): NaN is a missing value (sum of 1 and a missing value: 1); inf is
    # refused naming its position
    assert aggregate("sum", [1.0, NAN]) == 1.0
    with pytest.raises(DataError, match=r"values\[0\]: expected a finite number or NaN \(missing\), got inf"):
        aggregate("mean", [math.inf])
    with pytest.raises(DataError, match=r"weights\[1\] is -1; weights must be finite and >= 0"):
        aggregate("weighted_mean", [1.0, 2.0], [1.0, -1.0])
    with pytest.raises(DataError, match=r"weights\[0\] \(a denominator\) is nan"):
        aggregate("ratio_of_sums", [1.0], [NAN])
    with pytest.raises(DataError, match="missing has 1 rows, expected 2"):
        aggregate("sum", [1.0, 2.0], missing=[True])
    with pytest.raises(DataError, match="weights has 1 rows, expected 2"):
        aggregate("weighted_mean", [1.0, 2.0], [1.0])


# --- arguments -------------------------------------------------------------------------------------


def test_unknown_rule_lists_the_rules() -> None:
    with pytest.raises(Error, match=r'unknown rule "avg"; expected one of sum, count, mean, .*percentile'):
        aggregate("avg", [1.0])


def test_weights_where_they_do_not_belong() -> None:
    with pytest.raises(TypeError, match="rule sum takes no weights"):
        aggregate("sum", [1.0], [1.0])
    with pytest.raises(TypeError, match="needs weights="):
        aggregate("weighted_mean", [1.0])
    with pytest.raises(TypeError, match="the denominators"):
        aggregate("mean_of_ratios", [1.0])
    with pytest.raises(Error, match="threshold= applies to share_meeting"):
        aggregate("sum", [1.0], threshold=3)
    with pytest.raises(Error, match="ddof= applies to variance"):
        aggregate("mean", [1.0], ddof=1)
    with pytest.raises(Error, match="factor= applies to ratio_of_sums"):
        aggregate("mean", [1.0], factor=100)
    with pytest.raises(Error, match="q= applies to percentile"):
        aggregate("median", [1.0], q=0.5)
    with pytest.raises(Error, match="policy: expected one of"):
        aggregate("sum", [1.0], policy="skip")
    with pytest.raises(TypeError, match="expected a number"):  # API conventions: text is a TypeError
        aggregate("sum", ["a", "b"])


def test_aggregate_runs_in_threads() -> None:
    # the loop runs without the GIL on copies of the inputs: concurrent calls agree with a serial one
    rng = np.random.default_rng(11)
    data = [rng.uniform(1, 100, 200_000) for _ in range(8)]
    weights = rng.uniform(0, 10, 200_000)
    serial = [aggregate("cv", x, weights) for x in data]
    with ThreadPoolExecutor(4) as pool:
        parallel = list(pool.map(lambda x: aggregate("cv", x, weights), data))
    assert parallel == serial


def test_aggregate_is_exported() -> None:
    assert planeval.aggregate is aggregate
