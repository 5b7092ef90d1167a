"""Progress assessment through Python: planeval.assess, statcan_multi, Assessment.

Every expected number is worked by hand in a comment. Notation: x0 at t0 (baseline), xt at t
(current), xT at T (target); d = +1 increase, -1 decrease; CAGR(a -> b over n years) = (b/a)^(1/n) - 1;
tau = (t - t0)/(T - t0). The running example is the plan's 党员教师占比 target: 40% in 2020, 44% in
2023, 50% by 2025.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import math
import pickle
from typing import Any

import numpy as np
import pandas as pd
import pytest

import planeval
from planeval import Assessment, DataError, Error, assess

BASE = (2020, 40.0)
NOW = (2023, 44.0)
GOAL = (2025, 50.0)


def linear_lagging() -> Assessment:
    return assess("linear", baseline=BASE, current=NOW, target=GOAL)


# --- vocabulary and defaults ----------------------------------------------------------------------


def test_methods_categories_and_defaults() -> None:
    assert planeval.assess_methods() == [
        "linear",
        "statcan",
        "eurostat",
        "escap_csi",
        "escap_api",
        "sdsn",
        "unsd",
    ]
    assert planeval.assess_categories("linear") == ["achieved", "ahead", "on_track", "lagging"]
    assert planeval.assess_categories("unsd") == [
        "on_track",
        "acceleration_needed",
        "stagnation_or_regression",
    ]
    assert planeval.assess_defaults("linear") == {"margin": 0.0}
    statcan = planeval.assess_defaults("statcan")
    assert list(statcan)[:3] == ["substantial_threshold", "moderate_threshold", "limited_threshold"]
    assert statcan["substantial_threshold"] == 0.95
    assert statcan["inclusive"] is True
    csi = planeval.assess_defaults("escap_csi")
    assert isinstance(csi["expected_progress"], float) and math.isnan(csi["expected_progress"])
    assert planeval.assess_defaults("eurostat")["notarget_inclusive"] is False
    with pytest.raises(Error, match=r'unknown method "Linear"; expected one of "linear", "statcan"'):
        planeval.assess_categories("Linear")


# --- the seven methods, hand computed -------------------------------------------------------------


def test_linear_lagging() -> None:
    # tau = 3/5 = 0.6; expected = 40 + 10 * 0.6 = 46; gap = 44 - 46 = -2 < -margin (0): lagging.
    # value P = (44 - 40)/(50 - 40) = 0.4; completion rate 44/50 = 0.88.
    a = linear_lagging()
    assert (a.method, a.category, a.value, a.score, a.assessable) == ("linear", "lagging", 0.4, None, True)
    assert a.details == {"time_progress": 0.6, "expected_value": 46.0, "gap": -2.0, "completion_rate": 0.88}
    assert list(a.details) == ["time_progress", "expected_value", "gap", "completion_rate"]
    assert (a.reason, a.reason_zh) == (None, None)
    assert (a.current, a.target) == ((2023.0, 44.0), (2025.0, 50.0))
    assert (a.method_label.zh, a.method_label.en) == ("序时进度", "linear path")
    assert a.category_label.zh == "滞后于序时进度"
    assert repr(a) == "Assessment(method='linear', category='lagging', value=0.4, score=None)"


def test_linear_margin_boundary() -> None:
    # gap = -2 (above): margin 2 puts it on the boundary, -2 >= -2: on_track; 1.99 leaves it lagging.
    kw: dict[str, Any] = {"baseline": BASE, "current": NOW, "target": GOAL}
    assert assess("linear", **kw, margin=2).category == "on_track"
    assert assess("linear", **kw, margin=1.99).category == "lagging"
    # gap = 47.5 - 46 = 1.5: ahead with margin 0, on track with margin 1.5 (1.5 > 1.5 is false).
    kw["current"] = (2023, 47.5)
    assert assess("linear", **kw).category == "ahead"
    assert assess("linear", **kw, margin=1.5).category == "on_track"


def test_linear_decrease_desired() -> None:
    # 近视率 from 50% (2020) to 40% by 2025, 43% in 2023: expected = 50 + (40 - 50) * 0.6 = 44;
    # gap = d(xt - expected) = -(43 - 44) = 1 > 0: ahead. P = (43 - 50)/(40 - 50) = 0.7;
    # completion rate lower-better xT/xt = 40/43 = 0.930233.
    a = assess("linear", baseline=(2020, 50), current=(2023, 43), target=(2025, 40), direction="decrease")
    assert a.category == "ahead"
    assert a.value == pytest.approx(0.7)
    assert a.details["expected_value"] == 44.0
    assert a.details["gap"] == 1.0
    assert a.details["completion_rate"] == pytest.approx(0.930233, rel=1e-6)


def test_linear_milestones_as_dict_series_and_pairs() -> None:
    # Path (2020, 40) -> (2022, 45) -> (2025, 50): at 2023, 45 + 5 * (1/3) = 46.6667; 46 is 0.6667 short:
    # lagging. Without the milestone the path gives 46: on track.
    kw: dict[str, Any] = {"baseline": BASE, "current": (2023, 46), "target": GOAL}
    assert assess("linear", **kw).category == "on_track"
    for milestones in (
        {2022: 45.0},
        [(2022, 45.0)],
        pd.Series([45.0], index=[2022]),
        np.array([[2022, 45.0]]),
    ):
        a = assess("linear", **kw, milestones=milestones)
        assert a.category == "lagging"
        assert a.details["expected_value"] == pytest.approx(46.666667)
        assert a.details["gap"] == pytest.approx(-0.666667)


def test_statcan_with_target() -> None:
    # x0 = 100 (2020), xt = 121 (2022): observed CAGR = sqrt(1.21) - 1 = 0.1; target 207.36 = 100 * 1.2^4
    # by 2024: required CAGR = 0.2. R = 0.1/0.2 = 0.5: 0 <= R < 0.6, limited_progress.
    # Score on the line through (0, -2.5) and (0.6, 0): -2.5 + 2.5 * 0.5/0.6 = -0.416667
    # (published: 4.1667 * 0.5 - 2.5 = -0.41665).
    a = assess("statcan", baseline=(2020, 100), current=(2022, 121), target=(2024, 207.36))
    assert a.category == "limited_progress"
    assert a.value == pytest.approx(0.5)
    assert a.score == pytest.approx(-0.416667, abs=1e-6)
    assert a.details["observed_cagr"] == pytest.approx(0.1)
    assert a.details["required_cagr"] == pytest.approx(0.2)
    assert a.details["sign"] == 1.0


def test_statcan_without_target() -> None:
    # v = CAGR = 0.1 >= 0.015: substantial_progress; score 5 (v >= the 0.02 end point).
    a = assess("statcan", baseline=(2020, 100), current=(2022, 121))
    assert (a.category, a.score) == ("substantial_progress", 5.0)
    assert a.value == pytest.approx(0.1)
    assert a.target is None


def test_eurostat_decrease_desired() -> None:
    # 辍学率 4.0% (2020) -> 3.24% (2022): actual CAGR = sqrt(0.81) - 1 = -0.1; target 1.6384 = 4 * 0.8^4 by
    # 2024: required CAGR = -0.2. value = d * actual/|required| = -(-0.1)/0.2 = 0.5: 0 <= 0.5 < 0.6,
    # insufficient_progress.
    a = assess(
        "eurostat", baseline=(2020, 4.0), current=(2022, 3.24), target=(2024, 1.6384), direction="decrease"
    )
    assert a.category == "insufficient_progress"
    assert a.value == pytest.approx(0.5)
    assert a.details["actual_cagr"] == pytest.approx(-0.1)
    assert a.details["required_cagr"] == pytest.approx(-0.2)
    assert a.score is None


def test_escap_csi_and_expected_progress_override() -> None:
    # CSI = (44 - 40)/|50 - 40| = 0.4; expected = tau = 0.6: 0 <= 0.4 < 0.6, below_expected.
    a = assess("escap_csi", baseline=BASE, current=NOW, target=GOAL)
    assert (a.category, a.value) == ("below_expected", 0.4)
    assert a.details == {"progress_ratio": 0.4, "expected_progress": 0.6, "time_progress": 0.6}
    # expected_progress = 0.4: CSI on the threshold, inclusive: on_track; not inclusive: below.
    assert (
        assess("escap_csi", baseline=BASE, current=NOW, target=GOAL, expected_progress=0.4).category
        == "on_track"
    )
    b = assess("escap_csi", baseline=BASE, current=NOW, target=GOAL, expected_progress=0.4, inclusive=False)
    assert b.category == "below_expected"


def test_escap_api_weighted_regression() -> None:
    # Observations 40, 41, 43, 44 in 2020..2023, weights 1, 2, 3, 4 (sum 10). Weighted means:
    # t = 2022 (2020 + (0 + 2 + 6 + 12)/10), x = (40 + 82 + 129 + 176)/10 = 42.7.
    # Sxx = 1*4 + 2*1 + 0 + 4*1 = 10; Sxy = (-2)(-2.7) + 2(-1)(-1.7) + 0 + 4(1)(1.3) = 14 -> slope 1.4.
    # Predicted 2025: 42.7 + 1.4 * 3 = 46.9; G = (50 - 46.9)/10 = 0.31: 0 < G <= 1, accelerate.
    series = pd.Series([40.0, 41.0, 43.0, 44.0], index=[2020, 2021, 2022, 2023])
    a = assess("escap_api", baseline=BASE, current=NOW, target=GOAL, observations=series)
    assert a.category == "accelerate"
    assert a.value == pytest.approx(0.31)
    assert a.details["slope"] == pytest.approx(1.4)
    assert a.details["predicted_value"] == pytest.approx(46.9)
    assert a.details["observations"] == 4.0
    pairs = assess("escap_api", baseline=BASE, current=NOW, target=GOAL, observations=list(series.items()))
    assert pairs == a
    # weight_slope = 0 (ordinary least squares): slope = Sxy/Sxx over t = 2021.5, x = 42:
    # (-1.5)(-2) + (-0.5)(-1) + (0.5)(1) + (1.5)(2) = 7 over 1.5^2 * 2 + 0.5^2 * 2 = 5 -> 1.4 as well.
    ols = assess("escap_api", baseline=BASE, current=NOW, target=GOAL, observations=series, weight_slope=0)
    assert ols.details["slope"] == pytest.approx(1.4)
    # 42 + 1.4 * 3.5 = 46.9 again: same G.
    assert ols.value == pytest.approx(0.31)


def test_sdsn() -> None:
    # Bounds: worst of x0 and xt = 40 (score 0), target 50 (100). x0' = 0, xt' = 40, green = 100.
    # required rate 100/5 = 20 per year, actual 40/3 = 13.3333; ratio 0.666667: moderately_improving.
    a = assess("sdsn", baseline=BASE, current=NOW, target=GOAL)
    assert a.category == "moderately_improving"
    assert a.value == pytest.approx(0.666667, rel=1e-6)
    assert a.details["normalised_current"] == pytest.approx(40.0)
    assert a.details["required_rate"] == pytest.approx(20.0)
    assert a.details["actual_rate"] == pytest.approx(13.333333)


def test_unsd_with_target() -> None:
    # CAGR = sqrt(121/100) - 1 = 0.1; projected 2024 = 121 * 1.1^2 = 146.41;
    # value = (146.41 - 100)/|150 - 100| = 0.9282: 0.10 <= 0.9282 < 0.95, acceleration_needed (score 2).
    a = assess("unsd", baseline=(2020, 100), current=(2022, 121), target=(2024, 150))
    assert (a.category, a.score) == ("acceleration_needed", 2.0)
    assert a.value == pytest.approx(0.9282)
    assert a.details["projected_value"] == pytest.approx(146.41)
    # on_track_threshold lowered to 0.9: 0.9282 >= 0.9, on_track (score 3).
    b = assess("unsd", baseline=(2020, 100), current=(2022, 121), target=(2024, 150), on_track_threshold=0.9)
    assert (b.category, b.score) == ("on_track", 3.0)


def test_statcan_multi() -> None:
    # Series 0 is the statcan case above (score -0.416667); series 1 has met its target (52 >= 50):
    # score 5; series 2 has no elapsed time (not assessable) and is skipped.
    # Mean (5 - 0.416667)/2 = 2.291667: 0 <= 2.29 < 2.5, moderate_progress.
    m = planeval.statcan_multi(
        [
            {"baseline": (2020, 100), "current": (2022, 121), "target": (2024, 207.36)},
            {"baseline": (2020, 40), "current": (2023, 52), "target": (2025, 50)},
            {"baseline": (2020, 40), "current": (2020, 41), "target": (2025, 50), "direction": "increase"},
        ]
    )
    assert (m.method, m.category) == ("statcan", "moderate_progress")
    assert m.value == pytest.approx(2.291667, abs=1e-6)
    assert m.score == m.value
    assert m.details["score[0]"] == pytest.approx(-0.416667, abs=1e-6)
    assert m.details["score[1]"] == 5.0
    assert (m.details["series"], m.details["assessed"]) == (3.0, 2.0)
    assert m.current is None
    # Every series achieved: target_achieved.
    done = planeval.statcan_multi([{"baseline": (2020, 40), "current": (2023, 52), "target": (2025, 50)}])
    assert done.category == "target_achieved"
    # Nothing assessable.
    none = planeval.statcan_multi([])
    assert (none.category, none.reason) == ("not_assessable", "no series could be assessed")
    with pytest.raises(TypeError, match=r"series\[0\]: unexpected key 'targt'"):
        planeval.statcan_multi([{"baseline": BASE, "current": NOW, "targt": GOAL}])
    with pytest.raises(TypeError, match=r"series\[1\]: missing key 'current'"):
        planeval.statcan_multi([{"baseline": BASE, "current": NOW}, {"baseline": BASE}])
    with pytest.raises(TypeError, match=r"series\[0\]: expected a dict"):
        planeval.statcan_multi([(BASE, NOW)])  # type: ignore[list-item]
    # NaN is missing (API conventions): the series is not assessable, not an error; inf is refused
    nan_series = planeval.statcan_multi([{"baseline": BASE, "current": (2023, math.nan)}])
    assert nan_series.category == "not_assessable"
    with pytest.raises(DataError, match=r"series\[0\]\.current value is inf"):
        planeval.statcan_multi([{"baseline": BASE, "current": (2023, math.inf)}])
    with pytest.raises(Error, match='unknown parameter "margin" for method "statcan"'):
        planeval.statcan_multi([{"baseline": BASE, "current": NOW}], margin=1)


# --- not assessable ------------------------------------------------------------------------------


def test_not_assessable_with_reasons() -> None:
    a = assess("linear", baseline=BASE, current=NOW)
    assert (a.category, a.assessable, a.value, a.score, a.details) == (
        "not_assessable",
        False,
        None,
        None,
        {},
    )
    assert a.reason == "this method needs a target"
    assert a.reason_zh == "该方法需要目标值"
    assert a.category_label.zh == "无法评估"
    assert a.explain("zh", name="党员教师占比") == "党员教师占比：无法评估（该方法需要目标值）。"
    b = assess("eurostat", baseline=(2020, 0), current=NOW, target=GOAL)
    assert b.reason == "a compound annual growth rate needs values greater than 0"
    c = assess("escap_csi", baseline=BASE, current=NOW, target=GOAL, direction="maintain")
    assert c.reason_zh is not None and "保持" in c.reason_zh
    d = assess("linear", baseline=(2024, 40), current=NOW, target=GOAL)
    assert d.reason == "the baseline is after the current observation"


# --- dates ----------------------------------------------------------------------------------------


def test_dates_become_fractional_years() -> None:
    # 2024-07-02 is day 184 of a leap year: 2024 + 183/366 = 2024.5. 2021-01-01 and 2026-01-01 are whole
    # years. tau = 3.5/5 = 0.7, expected = 40 + 10 * 0.7 = 47 = current: gap 0, on_track.
    a = assess(
        "linear",
        baseline=(dt.date(2021, 1, 1), 40),
        current=(dt.date(2024, 7, 2), 47),
        target=(dt.date(2026, 1, 1), 50),
    )
    assert a.current == (2024.5, 47.0)
    assert a.category == "on_track"
    assert a.details["time_progress"] == pytest.approx(0.7)
    assert a.details["gap"] == pytest.approx(0.0, abs=1e-12)
    # 2023-07-02 is day 183 of 365: 2023 + 182/365 = 2023.498630.
    b = assess("linear", baseline=BASE, current=(dt.date(2023, 7, 2), 44), target=GOAL)
    assert b.current is not None and b.current[0] == pytest.approx(2023.498630, abs=1e-6)
    # tau = 3.498630/5 = 0.699726
    assert b.details["time_progress"] == pytest.approx(0.699726, abs=1e-6)
    with pytest.raises(TypeError, match=r"current year: expected a datetime\.date, got a datetime\.datetime"):
        assess("linear", baseline=BASE, current=(dt.datetime(2023, 7, 2), 44), target=GOAL)


def test_numpy_scalars_are_numbers() -> None:
    a = assess(
        "linear", baseline=(np.int64(2020), np.float64(40)), current=(2023.0, np.float32(44)), target=GOAL
    )
    assert a == linear_lagging()


# --- explain and HTML -----------------------------------------------------------------------------


def test_explain_zh_and_en() -> None:
    a = linear_lagging()
    assert (
        a.explain("zh", name="党员教师占比", unit="%")
        == "党员教师占比 2023 年为 44.0%，按序时进度应达 46.0%，滞后 2.0 个百分点。"
    )
    assert (
        a.explain("en", name="Share of party-member teachers", unit="%")
        == "Share of party-member teachers in 2023 was 44.0%; on the linear path it should be 46.0%; "
        "lagging by 2.0 percentage points."
    )
    assert a.explain() == "该指标 2023 年为 44.0，按序时进度应达 46.0，滞后 2.0。"
    assert a.explain("en", decimals=2) == (
        "The indicator in 2023 was 44.00; on the linear path it should be 46.00; lagging by 2.00."
    )
    with pytest.raises(ValueError, match="expected lang 'zh' or 'en', got 'fr'"):
        a.explain("fr")
    with pytest.raises(ValueError, match="decimals must be from 0 to 12"):
        a.explain(decimals=-1)


def test_repr_html() -> None:
    h = linear_lagging()._repr_html_()
    assert "lagging" in h and "滞后于序时进度" in h and "#c62828" in h  # red for lagging
    assert '<td style="text-align:left">0.4</td>' in h
    assert "completion_rate" in h
    # Reasons are escaped: "indicator's" -> "indicator&#x27;s" (html.escape).
    bad = assess("sdsn", baseline=BASE, current=NOW, target=GOAL, lower_bound=60, upper_bound=50)
    assert bad.category == "not_assessable"
    hb = bad._repr_html_()
    assert "indicator&#x27;s direction" in hb and "not_assessable" in hb and "#757575" in hb


# --- errors ---------------------------------------------------------------------------------------


def test_unknown_method_and_direction() -> None:
    with pytest.raises(Error, match=r'unknown method "lineal"; expected one of .*"unsd"'):
        assess("lineal", baseline=BASE, current=NOW)
    with pytest.raises(Error, match=r'direction: expected one of "increase", "decrease".*got "up"'):
        assess("linear", baseline=BASE, current=NOW, target=GOAL, direction="up")


def test_bad_parameters_name_the_parameter() -> None:
    kw: dict[str, Any] = {"baseline": BASE, "current": NOW, "target": GOAL}
    with pytest.raises(
        Error, match=r'unknown parameter "margins" for method "linear"; accepted parameters: "margin"'
    ):
        assess("linear", **kw, margins=1)
    with pytest.raises(Error, match=r'parameter "margin" must be a number, not a boolean'):
        assess("linear", **kw, margin=True)
    with pytest.raises(
        Error, match=r'parameter "margin" must be a number, not str; accepted parameters: "margin"'
    ):
        assess("linear", **kw, margin="1")  # type: ignore[arg-type]
    with pytest.raises(Error, match=r'parameter "inclusive" must be a boolean, not a number'):
        assess("statcan", **kw, inclusive=1)
    with pytest.raises(Error, match=r'parameter "inclusive" must be a boolean, not NoneType'):
        assess("statcan", **kw, inclusive=None)  # type: ignore[arg-type]
    with pytest.raises(Error, match=r'parameter "margin" must be a finite number'):
        assess("linear", **kw, margin=math.inf)
    with pytest.raises(
        Error, match=r'parameter "substantial_threshold" must be greater than "moderate_threshold"'
    ):
        assess("statcan", **kw, moderate_threshold=0.99)
    with pytest.raises(Error, match=r'parameter "margin" must be >= 0'):
        assess("linear", **kw, margin=-1)
    # numpy.bool_ is a flag, not 1.0
    assert assess("escap_csi", **kw, inclusive=np.bool_(False)).category == "below_expected"


def test_bad_inputs_name_the_argument() -> None:
    # NaN is missing (API conventions): not assessable, not an error; inf is refused
    assert assess("linear", baseline=BASE, current=(2023, math.nan), target=GOAL).category == "not_assessable"
    with pytest.raises(DataError, match="current value is inf; expected a finite number or NaN"):
        assess("linear", baseline=BASE, current=(2023, math.inf), target=GOAL)
    with pytest.raises(DataError, match="target year is inf; years must be finite"):
        assess("linear", baseline=BASE, current=NOW, target=(math.inf, 50))
    with pytest.raises(DataError, match="natural_limit is -inf"):
        assess("statcan", baseline=BASE, current=NOW, natural_limit=-math.inf)
    with pytest.raises(TypeError, match="baseline value must be a number, got str"):
        assess("linear", baseline=(2020, "40"), current=NOW, target=GOAL)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"current: expected a \(year, value\) pair, got int"):
        assess("linear", baseline=BASE, current=2023, target=GOAL)  # type: ignore[arg-type]
    with pytest.raises(
        TypeError, match=r"target: expected a \(year, value\) pair, got a sequence of 3 items"
    ):
        assess("linear", baseline=BASE, current=NOW, target=(2025, 50, 1))
    with pytest.raises(
        TypeError, match=r"baseline year must be an int, a float or a datetime\.date, got bool"
    ):
        assess("linear", baseline=(True, 40), current=NOW, target=GOAL)
    with pytest.raises(TypeError, match=r"observations\[1\]: expected a \(year, value\) pair"):
        assess("escap_api", baseline=BASE, current=NOW, target=GOAL, observations=[(2020, 40), (2021,)])
    # a milestone with a missing value is left out (API conventions); inf is refused
    assert assess("linear", baseline=BASE, current=NOW, target=GOAL, milestones={2022: math.nan}) == assess(
        "linear", baseline=BASE, current=NOW, target=GOAL
    )
    with pytest.raises(DataError, match=r"milestones\[0\] value is inf"):
        assess("linear", baseline=BASE, current=NOW, target=GOAL, milestones={2022: math.inf})
    with pytest.raises(TypeError, match="milestones: expected a sequence of"):
        assess("linear", baseline=BASE, current=NOW, target=GOAL, milestones="2022")
    with pytest.raises(TypeError):
        assess("linear", BASE, NOW)  # type: ignore[call-arg]  # keyword-only


# --- value semantics ------------------------------------------------------------------------------


@pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
def test_pickle_round_trip(protocol: int) -> None:
    for a in (
        linear_lagging(),
        assess("linear", baseline=BASE, current=NOW),  # not assessable, with a reason
        assess("unsd", baseline=(2020, 100), current=(2022, 121), target=(2024, 150)),
        planeval.statcan_multi([{"baseline": (2020, 40), "current": (2023, 52), "target": (2025, 50)}]),
    ):
        back = pickle.loads(pickle.dumps(a, protocol=protocol))
        assert back == a
        assert back.details == a.details and back.reason == a.reason and back.current == a.current


def test_eq_copy_and_dict_round_trip() -> None:
    a = linear_lagging()
    assert a == linear_lagging()
    assert a != assess("linear", baseline=BASE, current=NOW, target=GOAL, margin=2)  # on_track
    assert a != assess("escap_csi", baseline=BASE, current=NOW, target=GOAL)
    assert a != "lagging"
    assert copy.copy(a) == a and copy.deepcopy(a) == a
    d = a.to_dict()
    assert d == {
        "method": "linear",
        "category": "lagging",
        "value": 0.4,
        "score": None,
        "details": {"time_progress": 0.6, "expected_value": 46.0, "gap": -2.0, "completion_rate": 0.88},
        "reason": None,
        "current": [2023.0, 44.0],
        "target": [2025.0, 50.0],
    }
    text = json.dumps(d, allow_nan=False)
    assert Assessment.from_dict(json.loads(text)) == a
    n = assess("linear", baseline=BASE, current=NOW)
    nd = json.loads(json.dumps(n.to_dict(), allow_nan=False, ensure_ascii=False))
    assert nd["reason"] == {"zh": "该方法需要目标值", "en": "this method needs a target"}
    assert Assessment.from_dict(nd) == n
    with pytest.raises(Error, match='"ahead_of_plan" is not a category of method "linear"'):
        Assessment.from_dict({**d, "category": "ahead_of_plan"})
    with pytest.raises(Error, match='unknown method "lin"'):
        Assessment.from_dict({**d, "method": "lin"})
