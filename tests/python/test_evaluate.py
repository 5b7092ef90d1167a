"""planeval.evaluate / Plan.evaluate and planeval.Report.

Two plans:

* the small hand-made plan of tests/cpp/evaluate_test.cpp (the same JSON text, read from that file so
  both suites test one plan), in which every status appears at 2023-12-31; every number below is
  computed by hand in a comment;
* the embedded Baijiantan plan with the ILLUSTRATIVE (made-up) data of
  examples/baijiantan/illustrative_observations.csv, whose designed outcomes are documented in
  examples/baijiantan/README.md ("Illustrative data").
"""

from __future__ import annotations

import concurrent.futures
import csv
import datetime
import json
import math
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import planeval
from planeval import Observations, Plan, Report
from planeval._report import FRAME_COLUMNS

REPO_ROOT = Path(__file__).resolve().parent.parent.parent
AS_OF = datetime.date(2023, 12, 31)


def _eval_plan_text() -> str:
    source = (REPO_ROOT / "tests" / "cpp" / "evaluate_test.cpp").read_text(encoding="utf-8")
    match = re.search(r'plan_text = R"\((.*?)\)";', source, re.DOTALL)
    assert match, "tests/cpp/evaluate_test.cpp no longer defines plan_text as a raw string"
    return match.group(1)


EVAL_PLAN = _eval_plan_text()

# The data rows of the C++ test (indicator, entity, calendar year, value, weight):
#   teachers (count, summed):  2023: a 40, b 30                     -> s1 = d = 70
#   rate (%, ratio of sums):   2022: a 95 (w 100), b 85 (w 100)     -> d = (9500 + 8500) / 200 = 90
#                              2023: a 96 (w 300), b 90 (w 100)     -> d = (28800 + 9000) / 400 = 94.5
#   spend (万元, at d):        2021 100, 2022 110, 2023 105 (falls in 2023)
#   lib2 (count, at d):        2023 20
#   one teachers row in 2024 (after as_of 2023-12-31: ignored and counted)
ROWS = [
    ("teachers", "a", 2023, 40.0, 1.0),
    ("teachers", "b", 2023, 30.0, 1.0),
    ("rate", "a", 2022, 95.0, 100.0),
    ("rate", "b", 2022, 85.0, 100.0),
    ("rate", "a", 2023, 96.0, 300.0),
    ("rate", "b", 2023, 90.0, 100.0),
    ("spend", "d", 2021, 100.0, 1.0),
    ("spend", "d", 2022, 110.0, 1.0),
    ("spend", "d", 2023, 105.0, 1.0),
    ("lib2", "d", 2023, 20.0, 1.0),
    ("teachers", "a", 2024, 99.0, 1.0),
]

ALL_STATUSES = (
    "met", "missed", "breached", "achieved", "on_track", "lagging", "not_due", "no_data", "not_assessable"
)


def mini_data() -> tuple[Plan, Observations]:
    plan = planeval.parse_plan(EVAL_PLAN)
    obs, ingest = planeval.observations_from_arrays(
        plan,
        indicator=[r[0] for r in ROWS],
        entity=[r[1] for r in ROWS],
        year=[r[2] for r in ROWS],
        value=[r[3] for r in ROWS],
        weight=[r[4] for r in ROWS],
    )
    assert ingest.rows == ingest.accepted == 11
    return plan, obs


@pytest.fixture(scope="module")
def mini() -> tuple[Plan, Observations]:
    return mini_data()


@pytest.fixture(scope="module")
def report(mini: tuple[Plan, Observations]) -> Report:
    plan, obs = mini
    return planeval.evaluate(plan, obs, as_of=AS_OF)


# --- 1. the hand-made plan: every status -----------------------------------------------------------


def test_every_status_on_the_hand_made_plan(report: Report) -> None:
    assert report.plan_id == "eval-mini"
    assert report.as_of == AS_OF
    assert {t["id"]: t["status"] for t in report.targets} == {
        "t_lag": "lagging",  # expected 60 + (80 − 60) × 0.6 = 72 > 70
        "t_on": "on_track",  # expected 60 + (75 − 60) × 0.6 = 69 <= 70
        "t_ach": "achieved",  # 70 >= 65 already
        "t_met": "met",  # due 2022: 90 >= 90
        "t_missed": "missed",  # due 2023: 94.5 < 95
        "t_pass": "met",  # the plan records passed = true for 2022
        "t_notdue": "not_due",  # pass by 2025, no result
        "t_nodata": "no_data",  # no rows of lib
        "t_yoy": "missed",  # 只增不减: 105 (2023) < 110 (2022)
        "t_na": "not_assessable",  # one value (20), no baseline
    }
    assert report.status("t_lag") == "lagging"
    assert planeval.STATUSES == ALL_STATUSES  # the report's order of statuses
    assert tuple(report.summary) == ALL_STATUSES
    with pytest.raises(KeyError):
        report.target("no_such_target")


def test_lagging_and_on_track_numbers(report: Report) -> None:
    lag = report.target("t_lag")
    assert (lag["due"], lag["judged_from"], lag["actual_date"]) == (False, "data", "2023-12-31")
    assert lag["actual"] == 70  # a 40 + b 30, summed to s1
    assert lag["goal"] == 80
    # 2020-12-31 is t = 2020, 2023-12-31 is 2023, 2025-12-31 is 2025: τ = 3 / 5 = 0.6
    assert lag["expected"] == pytest.approx(72)  # 60 + (80 − 60) × 0.6
    [linear] = lag["assessments"]
    assert linear["method"] == "linear" and linear["category"] == "lagging"
    assert linear["value"] == pytest.approx(0.5)  # P = (70 − 60) / (80 − 60)
    assert linear["details"]["time_progress"] == pytest.approx(0.6)
    assert linear["details"]["gap"] == pytest.approx(-2)  # 70 − 72
    assert linear["details"]["completion_rate"] == pytest.approx(0.875)  # 70 / 80
    # forecast: the line through (2020, 60) and (2023, 70) at 2025: 70 + 2 × 10/3 = 76.667 < 80
    assert lag["forecast"] == pytest.approx(76.6666667)
    assert lag["likely_met"] is False
    trace = lag["trace"]
    assert trace["rule"] == "sum"
    assert [(p["date"], p["value"], p["source"], p["units"]) for p in trace["points"]] == [
        ("2020-12-31", 60.0, "baseline", 0),
        ("2023-12-31", 70.0, "data", 2),  # schools a and b rolled up
    ]
    assert "0.600" in trace["formula"] and "72.0" in trace["formula"]
    assert trace["thresholds"] == "margin=0"
    assert "滞后" in trace["sentence"]["zh"] and "72" in trace["sentence"]["zh"]

    on = report.target("t_on")
    assert on["expected"] == pytest.approx(69)  # 60 + (75 − 60) × 0.6
    assert on["assessments"][0]["category"] == "ahead"  # gap 70 − 69 = +1 > margin 0
    assert on["assessments"][0]["value"] == pytest.approx(10 / 15)  # (70 − 60) / (75 − 60)
    assert on["forecast"] == pytest.approx(76.6666667)  # the same series as t_lag (s1 = d)
    assert on["likely_met"] is True  # 76.667 >= 75


def test_due_targets_use_the_latest_value_up_to_the_deadline(report: Report) -> None:
    met = report.target("t_met")
    assert met["due"] is True and met["judged_from"] == "data"
    # due 2022-12-31: the 2022 value (9500 + 8500) / 200 = 90, not the later 94.5
    assert (met["actual"], met["actual_date"]) == (pytest.approx(90), "2022-12-31")
    assert met["trace"]["rule"] == "weighted_mean"
    assert [p["value"] for p in met["trace"]["points"]] == [pytest.approx(90), pytest.approx(94.5)]
    assert met["assessments"] == [] and met["expected"] is None

    missed = report.target("t_missed")
    assert missed["due"] is True
    assert missed["actual"] == pytest.approx(94.5)  # (96 × 300 + 90 × 100) / 400 = (28800 + 9000) / 400
    assert missed["goal"] == 95

    passed = report.target("t_pass")
    assert (passed["status"], passed["judged_from"], passed["actual"]) == ("met", "plan", 1.0)
    assert [p["source"] for p in passed["trace"]["points"]] == ["plan:o_pass"]


def test_achieved_not_due_no_data_yearly_and_not_assessable(report: Report) -> None:
    ach = report.target("t_ach")
    # no baseline: the only value (70, 2023) is both baseline and current; met already, so achieved
    assert (ach["actual"], ach["goal"], ach["expected"], ach["forecast"]) == (70.0, 65.0, None, None)
    assert "65" in ach["trace"]["sentence"]["en"]

    notdue = report.target("t_notdue")
    assert (notdue["judged_from"], notdue["actual"], notdue["trace"]["points"]) == ("", None, [])
    nodata = report.target("t_nodata")
    assert (nodata["judged_from"], nodata["actual"], nodata["goal"]) == ("", None, 10.0)

    yoy = report.target("t_yoy")
    assert yoy["due"] is False  # a 只增不减 rule is missed as soon as a year falls
    assert yoy["actual"] == 105 and yoy["actual_date"] == "2023-12-31"
    assert yoy["trace"]["formula"] == "2021: 100.0 → 2022: 110.0 → 2023: 105.0"
    assert "2023" in yoy["trace"]["sentence"]["zh"] and "只增不减" in yoy["trace"]["sentence"]["zh"]

    na = report.target("t_na")
    assert (na["actual"], na["judged_from"]) == (20.0, "data")
    # one value and no baseline: no method is run, the reason is in the sentence and the problems
    assert na["assessments"] == []
    assert "one value and no baseline" in na["trace"]["sentence"]["en"]


def test_summary_phases_rows_problems_conflicts(report: Report) -> None:
    # met: t_met, t_pass; missed: t_missed, t_yoy; one of each other status
    assert report.summary == {
        "met": 2,
        "missed": 2,
        "breached": 0,
        "achieved": 1,
        "on_track": 1,
        "lagging": 1,
        "not_due": 1,
        "no_data": 1,
        "not_assessable": 1,
    }
    assert sum(report.summary.values()) == 10
    assert report.current_phase == "p2"
    p1, p2 = report.phases
    # p1 (2021–2022): t_met and t_pass, both due 2022 and met
    assert (p1["phase"], p1["current"], p1["targets"], p1["due"], p1["met"], p1["pending"]) == (
        "p1",
        False,
        2,
        2,
        2,
        0,
    )
    # p2 (2023–2025): t_lag, t_on, t_ach, t_missed, t_notdue, t_nodata (t_yoy and t_na have no phase);
    # t_missed is due (2023-12-31) and missed, the other five are pending
    assert (p2["phase"], p2["current"], p2["targets"], p2["due"], p2["missed"], p2["pending"]) == (
        "p2",
        True,
        6,
        1,
        1,
        5,
    )
    assert p2["no_data"] == 0  # t_nodata is not due: pending, not counted among due no_data
    assert {k: v for k, v in p2["statuses"].items() if v} == {
        "missed": 1,
        "achieved": 1,
        "on_track": 1,
        "lagging": 1,
        "not_due": 1,
        "no_data": 1,
    }
    d = report.to_dict()
    # 11 rows given, 1 after as_of (teachers 2024); the other 10 all feed some target's series
    assert d["rows"] == {"given": 11, "used": 10, "after_as_of": 1}
    assert d["by_domain"]["teachers"] == dict.fromkeys(ALL_STATUSES, 0) | {
        "achieved": 1,
        "on_track": 1,
        "lagging": 1,
    }
    assert d["by_stage"]["小学"]["lagging"] == 1  # t_lag is scoped to the stage entity s1
    assert [(p["code"], p["target"]) for p in report.problems] == [
        ("after_as_of", ""),
        ("too_few_points", "t_na"),
    ]
    assert report.problems[0]["message"]["en"].startswith("1 observation rows dated after")
    assert report.conflicts == [
        {
            "id": "c1",
            "items": ["t_on", "t_ach"],
            "description": {"zh": "两个目标值不同", "en": "two goals differ"},
        }
    ]


def test_as_of_before_any_data(mini: tuple[Plan, Observations]) -> None:
    plan, obs = mini
    r = planeval.evaluate(plan, obs, as_of=datetime.date(2021, 6, 30))
    # every row ends on 31 December 2021 or later: all 11 are after as_of
    assert r.to_dict()["rows"] == {"given": 11, "used": 0, "after_as_of": 11}
    assert r.status("t_lag") == "no_data"  # the baseline alone is not a current value
    assert r.status("t_met") == "no_data"  # not due (2022), no data
    # the plan's own result for 2022 lies after as_of too: ignored (and counted in the trace)
    passed = r.target("t_pass")
    assert passed["status"] == "not_due" and passed["trace"]["ignored_after_as_of"] == 1
    assert r.current_phase == "p1"
    assert r.summary == dict.fromkeys(ALL_STATUSES, 0) | {"not_due": 2, "no_data": 8}


def test_without_observations_only_the_plan_values_count(mini: tuple[Plan, Observations]) -> None:
    plan, obs = mini
    r = planeval.evaluate(plan, None, as_of=AS_OF)
    # only t_pass has a value (the plan's own result for 2022); t_notdue is not due; the rest no data
    assert r.summary == dict.fromkeys(ALL_STATUSES, 0) | {"met": 1, "not_due": 1, "no_data": 8}
    assert r.to_dict()["rows"] == {"given": 0, "used": 0, "after_as_of": 0}
    assert r.problems == []
    # Plan.evaluate and the (Observations, IngestReport) pair give the same report
    full = planeval.evaluate(plan, obs, as_of=AS_OF).to_dict()
    assert plan.evaluate(obs, as_of=AS_OF).to_dict() == full
    assert planeval.evaluate(plan, (obs, None), as_of=AS_OF).to_dict() == full
    with pytest.raises(TypeError, match="observations"):
        planeval.evaluate(plan, [1, 2, 3], as_of=AS_OF)


# --- 2. methods and parameters --------------------------------------------------------------------


def test_methods_side_by_side(mini: tuple[Plan, Observations]) -> None:
    plan, obs = mini
    r = planeval.evaluate(plan, obs, as_of=AS_OF, methods=["statcan", "eurostat"])
    assert r.to_dict()["methods"] == ["linear", "statcan", "eurostat"]  # the primary first
    assert r.to_dict()["primary_method"] == "linear"
    lag = r.target("t_lag")
    assert [a["method"] for a in lag["assessments"]] == ["linear", "statcan", "eurostat"]
    assert lag["status"] == "lagging"  # still the primary's verdict
    # eurostat: actual CAGR (70/60)^(1/3) − 1 = e^(0.154151/3) − 1 = 0.052727;
    # required CAGR (80/60)^(1/5) − 1 = e^(0.287682/5) − 1 = 0.059224; ratio 0.052727 / 0.059224 = 0.8903,
    # between the moderate (0.6) and significant (0.95) thresholds
    eurostat = lag["assessments"][2]
    assert eurostat["value"] == pytest.approx(0.8903, abs=1e-4)
    assert eurostat["details"]["actual_cagr"] == pytest.approx(0.052727, abs=1e-6)
    assert eurostat["details"]["required_cagr"] == pytest.approx(0.059224, abs=1e-6)
    assert eurostat["category"] == "moderate_progress"
    assert (
        lag["assessments"][1]["category"] == "moderate_progress"
    )  # statcan: the same ratio, 0.6 <= r < 0.95
    # t_on: required (75/60)^(1/5) − 1 = e^(0.223144/5) − 1 = 0.045640; 0.052727 / 0.045640 = 1.1553 >= 0.95
    on = r.target("t_on")
    assert on["assessments"][2]["value"] == pytest.approx(1.1553, abs=1e-4)
    assert on["assessments"][2]["category"] == "significant_progress"
    # repeated methods and the primary among `methods` are listed once
    again = planeval.evaluate(plan, obs, as_of=AS_OF, methods=["eurostat", "linear", "eurostat"])
    assert again.to_dict()["methods"] == ["linear", "eurostat"]


def test_another_primary_method_decides_on_track(mini: tuple[Plan, Observations]) -> None:
    plan, obs = mini
    r = planeval.evaluate(plan, obs, as_of=AS_OF, primary="eurostat")
    assert r.to_dict()["methods"] == ["eurostat"]
    # eurostat counts only significant_progress as favourable: t_lag (0.8903, moderate) lags,
    # t_on (1.1553, significant) is on track
    assert (r.status("t_lag"), r.status("t_on")) == ("lagging", "on_track")
    assert r.target("t_lag")["expected"] is None  # eurostat has no planned path
    assert r.target("t_lag")["trace"]["formula"] == "eurostat: value 0.8903 → moderate_progress"


def test_linear_margin_is_absolute(mini: tuple[Plan, Observations]) -> None:
    plan, obs = mini
    # src/assess.cpp: gap = 70 − 72 = −2 (in teachers); on_track when gap >= −margin, ahead when gap > margin
    r = planeval.evaluate(plan, obs, as_of=AS_OF, params={"linear": {"margin": 3}})
    lag = r.target("t_lag")
    assert lag["status"] == "on_track"  # −2 >= −3
    assert lag["assessments"][0]["category"] == "on_track"
    assert lag["assessments"][0]["details"]["gap"] == pytest.approx(-2)
    assert lag["trace"]["thresholds"] == "margin=3"
    # t_on: gap +1 is no longer "ahead" (1 > 3 is false) but on_track
    assert r.target("t_on")["assessments"][0]["category"] == "on_track"
    # the boundary: margin 2 is on track (−2 >= −2), margin 1.99 is not (−2 < −1.99)
    assert (
        planeval.evaluate(plan, obs, as_of=AS_OF, params={"linear": {"margin": 2}}).status("t_lag")
        == "on_track"
    )
    assert (
        planeval.evaluate(plan, obs, as_of=AS_OF, params={"linear": {"margin": 1.99}}).status("t_lag")
        == "lagging"
    )


def test_bad_options(mini: tuple[Plan, Observations]) -> None:
    plan, obs = mini
    with pytest.raises(planeval.Error, match='unknown method "no_such_method"'):
        planeval.evaluate(plan, obs, as_of=AS_OF, methods=["no_such_method"])
    with pytest.raises(planeval.Error, match='primary: unknown method "zzz"'):
        planeval.evaluate(plan, obs, as_of=AS_OF, primary="zzz")
    with pytest.raises(planeval.Error, match='params: unknown method "nosuch"'):
        planeval.evaluate(plan, obs, as_of=AS_OF, params={"nosuch": {}})
    with pytest.raises(planeval.Error, match='unknown parameter "bogus" for method "linear"'):
        planeval.evaluate(plan, obs, as_of=AS_OF, params={"linear": {"bogus": 1}})
    with pytest.raises(planeval.Error, match='"margin" must be >= 0'):
        planeval.evaluate(plan, obs, as_of=AS_OF, params={"linear": {"margin": -1}})
    with pytest.raises(
        planeval.Error, match=r'params\["linear"\]\["margin"\]: expected a number or a bool, got str'
    ):
        planeval.evaluate(plan, obs, as_of=AS_OF, params={"linear": {"margin": "3"}})  # type: ignore[dict-item]
    with pytest.raises(planeval.Error, match=r"threads must be 0 \(all cores\) or 1 to 1024, got -1"):
        planeval.evaluate(plan, obs, as_of=AS_OF, threads=-1)  # threads=0 is every core (API conventions)
    # a datetime is a date subclass, but not a date
    with pytest.raises(TypeError, match=r"as_of: expected a datetime\.date, got datetime"):
        planeval.evaluate(plan, obs, as_of=datetime.datetime(2023, 12, 31))
    with pytest.raises(TypeError, match="got list"):  # "2023-12-31" and 2023 are dates (API conventions)
        planeval.evaluate(plan, obs, as_of=[2023])  # type: ignore[arg-type]


# --- 3. report outputs ----------------------------------------------------------------------------


def test_to_frame(mini: tuple[Plan, Observations]) -> None:
    plan, obs = mini
    r = planeval.evaluate(plan, obs, as_of=AS_OF, methods=["statcan", "eurostat"])
    frame = r.to_frame()
    assert list(frame.columns) == [*FRAME_COLUMNS, "category_statcan", "category_eurostat"]
    assert len(frame) == 10 and list(frame["target"]) == [t["id"] for t in r.targets]
    for c in ("actual", "expected", "goal", "forecast", "value"):
        assert frame[c].dtype == np.float64, c
    row = frame.set_index("target").loc["t_lag"]
    assert (row["status"], row["scope"], row["phase"], row["method"], row["category"]) == (
        "lagging",
        "s1",
        "p2",
        "linear",
        "lagging",
    )
    assert (row["actual"], row["expected"], row["goal"], row["value"]) == (70.0, 72.0, 80.0, 0.5)
    assert row["deadline"] == datetime.date(2025, 12, 31)
    assert row["actual_date"] == datetime.date(2023, 12, 31)
    assert (row["category_statcan"], row["category_eurostat"]) == ("moderate_progress", "moderate_progress")
    assert row["name"] == "骨干教师数"
    missed = frame.set_index("target").loc["t_missed"]
    assert missed["actual"] == 94.5 and math.isnan(missed["expected"]) and math.isnan(missed["value"])
    english = r.to_frame("en").set_index("target").loc["t_lag"]
    assert english["name"] == "backbone teachers"
    assert english["sentence"] == r.target("t_lag")["trace"]["sentence"]["en"]
    # one method only: no category_ columns
    assert list(planeval.evaluate(plan, obs, as_of=AS_OF).to_frame().columns) == list(FRAME_COLUMNS)


def test_to_json_round_trips(report: Report) -> None:
    d = report.to_dict()
    assert json.loads(report.to_json()) == d
    assert json.loads(report.to_json(indent=2)) == d
    assert (d["format"], d["format_version"], d["as_of"], d["plan"]) == (
        "planeval-report",
        1,
        "2023-12-31",
        "eval-mini",
    )
    assert d["title"] == {"zh": "评估小规划", "en": "Evaluation mini plan"}
    # to_dict is a copy
    d["targets"][0]["status"] = "met"
    assert report.status("t_lag") == "lagging"


def test_to_text(mini: tuple[Plan, Observations], report: Report) -> None:
    en = report.to_text("en")
    assert "lagging" in en
    assert "on the linear path it should be 72.0" in en and "lagging by 2.0" in en
    assert report.target("t_lag")["trace"]["sentence"]["en"] in en
    assert "As of: 2023-12-31" in en
    assert "Observation rows: 11 given, used 10, after as_of 1" in en
    assert "Conflicts in the plan text (1):" in en and "c1: two goals differ" in en
    assert "[too_few_points] target t_na" in en
    zh = report.to_text("zh")
    assert "进度滞后" in zh and "2023-12-31" in zh
    assert str(report) == zh
    with pytest.raises(planeval.Error, match="lang"):
        report.to_text("fr")
    plan, obs = mini
    noted = planeval.evaluate(plan, obs, as_of=AS_OF, notices=[("示例数据", "illustrative data")])
    assert "! illustrative data\n" in noted.to_text("en")
    assert noted.to_dict()["notices"] == [{"zh": "示例数据", "en": "illustrative data"}]


def test_html_and_repr(report: Report) -> None:
    h = report._repr_html_()
    assert '<td style="background:#fdae61">进度滞后</td>' in h  # t_lag
    assert '<td style="background:#d73027">未达成</td>' in h  # t_missed, t_yoy
    assert '<td style="background:#c7c7e8">无法评估</td>' in h  # t_na
    assert h.count("<tr>") == 11  # the header and one row per target
    assert '<span style="background:#1a9850;padding:0 4px">已达成 2</span>' in h
    assert repr(report) == (
        "Report(plan='eval-mini', as_of=2023-12-31, met=2, missed=2, achieved=1, on_track=1, lagging=1, "
        "not_due=1, no_data=1, not_assessable=1)"
    )


# --- 4. Baijiantan with the illustrative data -------------------------------------------------------

BAIJIANTAN_CSV = REPO_ROOT / "examples" / "baijiantan" / "illustrative_observations.csv"


@pytest.fixture(scope="module")
def baijiantan() -> tuple[Plan, Observations, Report]:
    plan = planeval.example_plan()
    for id in sorted({t.standard for t in plan.targets if t.standard}):
        plan.add_standard_indicators(planeval.builtin_standard(id))
    obs, ingest = planeval.read_csv(plan, BAIJIANTAN_CSV)
    assert ingest.rows == ingest.accepted == 478
    return plan, obs, planeval.evaluate(plan, obs, as_of=AS_OF)


# README table (表1): x0 2020, goal 2025, expected 2023 = x0 + 0.6 (xT − x0), total 2023, designed status
TABLE1 = [
    ("t1_kindergarten_backbone", 10, 18, 14.8, 16, "on_track"),
    ("t1_kindergarten_assoc_senior", 5, 10, 8.0, 7, "lagging"),
    ("t1_kindergarten_intermediate", 38, 48, 44.0, 45, "on_track"),
    ("t1_primary_backbone", 66, 80, 74.4, 82, "achieved"),
    ("t1_primary_assoc_senior", 29, 60, 47.6, 41, "lagging"),
    ("t1_primary_intermediate", 141, 150, 146.4, 148, "on_track"),
    ("t1_junior_backbone", 65, 90, 80.0, 82, "on_track"),
    ("t1_junior_full_senior", 1, 3, 2.2, 2, "lagging"),
    ("t1_junior_assoc_senior", 89, 120, 107.6, 101, "lagging"),
    ("t1_junior_intermediate", 158, 180, 171.2, 173, "on_track"),
    ("t1_senior_high_backbone", 7, 9, 8.2, 8, "lagging"),
    ("t1_senior_high_full_senior", 2, 4, 3.2, 3, "lagging"),
    ("t1_senior_high_assoc_senior", 15, 20, 18.0, 19, "on_track"),
    ("t1_senior_high_intermediate", 35, 40, 38.0, 39, "on_track"),
]


@pytest.mark.parametrize(("target", "x0", "goal", "expected", "total", "status"), TABLE1)
def test_baijiantan_table1(
    baijiantan: tuple[Plan, Observations, Report],
    target: str,
    x0: int,
    goal: int,
    expected: float,
    total: int,
    status: str,
) -> None:
    t = baijiantan[2].target(target)
    assert expected == pytest.approx(x0 + 0.6 * (goal - x0))  # the README's column, recomputed
    assert t["status"] == status
    assert (t["actual"], t["goal"], t["actual_date"], t["judged_from"]) == (total, goal, "2023-12-31", "data")
    assert t["trace"]["points"][0] == {
        "date": "2020-12-31",
        "value": x0,
        "source": "baseline",
        "units": 0,
        "missing_units": 0,
    }
    assert [p["date"] for p in t["trace"]["points"][1:]] == ["2021-12-31", "2022-12-31", "2023-12-31"]
    assert t["expected"] == pytest.approx(expected)  # reported for the achieved one too (74.4)
    # the linear category behind the status: every on-track total is above the path (gap >= +0.2)
    category = {"on_track": "ahead", "lagging": "lagging", "achieved": "achieved"}[status]
    assert t["assessments"][0]["category"] == category


def test_baijiantan_shares_and_budget(baijiantan: tuple[Plan, Observations, Report]) -> None:
    r = baijiantan[2]
    kg = r.target("kindergarten_city_characteristic_all_2023")
    # all 4 kindergartens in 2023: 100 × 4/4 = 100 >= 100, due 2023-12-31
    assert (kg["status"], kg["due"], kg["actual"], kg["actual_date"]) == ("met", True, 100.0, "2023-12-31")

    gigabit = r.target("gigabit_campus_network")
    # 4, 7, 11 of 13 campuses: 30.77, 53.85, 84.62; baseline = the first (2021) observation;
    # no deadline: horizon end 2025; τ = (2023 − 2021) / (2025 − 2021) = 0.5;
    # expected = 30.77 + (100 − 30.77) × 0.5 = 65.38
    assert gigabit["status"] == "on_track"
    assert gigabit["deadline"] == "2025-12-31"
    assert gigabit["actual"] == pytest.approx(1100 / 13)
    assert gigabit["expected"] == pytest.approx(400 / 13 + (100 - 400 / 13) * 0.5)
    assert [p["source"] for p in gigabit["trace"]["points"]] == ["data"] * 3

    smart = r.target("smart_school_standard_all_2025")
    # 1, 2, 3 of 9 schools: 11.1, 22.2, 33.3; expected 11.1 + (100 − 11.1) × 0.5 = 55.6 > 33.3
    assert smart["status"] == "lagging"
    assert smart["actual"] == pytest.approx(100 / 3)
    assert smart["expected"] == pytest.approx(100 / 9 + (100 - 100 / 9) * 0.5)

    eye = r.target("eye_protection_lighting_3y")
    # 8 of 13 campuses in 2023 only, no baseline: one value, nothing to measure progress from
    assert (eye["status"], eye["actual"]) == ("not_assessable", pytest.approx(800 / 13))
    assert [(p["code"], p["target"]) for p in r.problems] == [
        ("too_few_points", "eye_protection_lighting_3y")
    ]

    budget = r.target("gen_budget_edu_spending_non_decrease")
    # 31284.60 <= 32017.25 <= 33546.80 万元: the 只增不减 rule holds, not due (horizon end 2025)
    assert (budget["status"], budget["due"], budget["actual"]) == ("on_track", False, 33546.8)
    assert [p["value"] for p in budget["trace"]["points"]] == [31284.6, 32017.25, 33546.8]


def test_baijiantan_standard(baijiantan: tuple[Plan, Observations, Report]) -> None:
    r = baijiantan[2]
    t = r.target("compulsory_quality_balance_pass_2023")
    assert (t["status"], t["due"], t["judged_from"], t["actual"]) == ("missed", True, "standard", 0.0)
    s = t["standard"]
    assert (s["id"], s["period"], s["passed"], s["units"]) == (
        "compulsory_quality_balance_2017",
        "2023",
        False,
        8,
    )
    # 5 primary + 3 junior schools; ps_5 meets 5 of 7 (< 6); the 初中 CV of sports ground 0.524 > 0.45
    assert [(x["code"], x["unit"], x["indicator"]) for x in s["reasons"]] == [
        ("unit_too_few_met", "ps_5", ""),
        ("cv_above_limit", "", "sports_space_per_student"),
    ]
    assert (s["reasons"][0]["value"], s["reasons"][0]["limit"]) == (5.0, 6.0)
    assert s["reasons"][1]["value"] == pytest.approx(0.524, abs=5e-4) and s["reasons"][1]["limit"] == 0.45
    assert t["trace"]["rule"] == "standard:compulsory_quality_balance_2017"
    # the school by its name (its id, ps_5, is in the reasons' unit field)
    assert "小学戊（示例）" in t["trace"]["sentence"]["zh"]
    # the phase-2 target (due 2024) references the same standard: the same failing 2023 data, not due
    p2 = r.target("phase2_compulsory_quality_balance")
    assert (p2["status"], p2["due"], p2["judged_from"]) == ("lagging", False, "standard")
    assert [x["code"] for x in p2["standard"]["reasons"]] == ["unit_too_few_met", "cv_above_limit"]


def test_baijiantan_no_data_and_not_due(baijiantan: tuple[Plan, Observations, Report]) -> None:
    r = baijiantan[2]
    # a numeric target without rows (自治区级文明校园 80% by 2025)
    none = r.target("region_civilized_campus_share_2025")
    assert (none["status"], none["actual"], none["trace"]["points"]) == ("no_data", None, [])
    # pass milestones due 2025: the preschool standard has no school data, so no result yet
    for id in ("preschool_universal_inclusive_region_pass_2025", "preschool_national_assessment_pass_2025"):
        t = r.target(id)
        assert (t["status"], t["deadline"], t["judged_from"]) == ("not_due", "2025-12-31", ""), id


def test_baijiantan_summary(baijiantan: tuple[Plan, Observations, Report]) -> None:
    plan, _, r = baijiantan
    # Every status appears. By the data design (README "What each part is designed to show"):
    #   met 1:            kindergarten_city_characteristic_all_2023 (the phase-1 milestones due 2022 are
    #                     qualitative and have no result)
    #   missed 1:         compulsory_quality_balance_pass_2023 (the standard fails)
    #   achieved 1:       t1_primary_backbone (82 >= 80)
    #   on_track 9:       7 表1 rows + gigabit_campus_network + gen_budget_edu_spending_non_decrease
    #   lagging 9:        6 表1 rows + smart_school_standard_all_2025 + phase2_compulsory_quality_balance
    #                     + party_member_teacher_share_2025 (derived from party-member and teacher counts)
    #   not_assessable 1: eye_protection_lighting_3y
    #   not_due 47:       the 48 pass milestones due after 2023, less phase2_compulsory_quality_balance
    #   no_data 73:       the 14 pass milestones due by 2023 without a result (15 due, less the standard one)
    #                     + 59 other targets without values (79 non-pass targets − 20 with a status above);
    #                     among them preschool_gross_enrolment_99_2025: 保持在99%以上 from 2021-01-01, and
    #                     the plan's only value (99, dated 2020) is before that
    assert r.summary == {
        "met": 1,
        "missed": 1,
        "breached": 0,  # the seed's hold goals have no data after their `from` in the illustrative data
        "achieved": 1,
        "on_track": 9,
        "lagging": 9,
        "not_due": 47,
        "no_data": 73,
        "not_assessable": 1,
    }
    assert all(n > 0 for status, n in r.summary.items() if status != "breached")
    targets = plan.targets
    assert sum(r.summary.values()) == len(targets) == 142
    passes = [t for t in targets if t.goal.comparator == "pass"]
    assert len(passes) == 63
    assert sum(t.goal.deadline > AS_OF for t in passes) == 48 == r.summary["not_due"] + 1
    assert sum(t.goal.deadline <= AS_OF for t in passes) == 15
    assert r.status("preschool_gross_enrolment_99_2025") == "no_data"
    assert "2021-01-01" in r.target("preschool_gross_enrolment_99_2025")["trace"]["sentence"]["en"]

    d = r.to_dict()
    # used: the rows entering a target's series, 表1 counts 129 + shares 91 + budget 3 + the 78 党员教师 and
    # 专任教师 counts the derived 党员教师占比 is computed from (13 campuses × 3 years × 2) = 301, and the
    # rows of the 优质均衡 standard's indicators read for the two targets judged by it (144 school rows of
    # the 6 per-school indicators given as values + 9 district rows + the 24 students rows that, with the
    # 表1 backbone counts already counted, derive the 7th, backbone teachers per 100 students):
    # 301 + 177 = 478, every row
    with BAIJIANTAN_CSV.open(encoding="utf-8", newline="") as f:
        indicators = [row["indicator"] for row in csv.DictReader(f)]
    standard = planeval.builtin_standard("compulsory_quality_balance_2017")
    assert sum(i in {x["id"] for x in standard.indicators} for i in indicators) == 144 + 9
    assert indicators.count("students") == 24
    assert d["rows"] == {"given": 478, "used": 478, "after_as_of": 0}
    assert r.current_phase == "phase2"
    phases = {p["phase"]: p for p in r.phases}
    # phase 1 (2021–2022): 14 qualitative milestones, all due and without a result
    assert (phases["phase1"]["targets"], phases["phase1"]["due"], phases["phase1"]["no_data"]) == (14, 14, 14)
    # phase 2: the two targets due 2023 (met, missed); the other 10 pending
    p2 = phases["phase2"]
    assert (p2["targets"], p2["due"], p2["met"], p2["missed"], p2["pending"]) == (12, 2, 1, 1, 10)
    assert phases["phase3"]["due"] == 0


def test_baijiantan_without_observations(baijiantan: tuple[Plan, Observations, Report]) -> None:
    plan = baijiantan[0]
    r = planeval.evaluate(plan, None, as_of=AS_OF)
    # without data no target is on track, lagging or achieved (the plan's only in-window candidate, 99%
    # in 2020, predates its goal's 2021 start); the 21 targets judged from data above (all but
    # phase2_compulsory_quality_balance, now a pass milestone without a result: not_due) have no
    # value: no_data 73 + 21 = 94, not_due 47 + 1 = 48
    assert r.summary == dict.fromkeys(ALL_STATUSES, 0) | {"not_due": 48, "no_data": 94}
    assert {t["judged_from"] for t in r.targets} == {""}
    assert r.status("compulsory_quality_balance_pass_2023") == "no_data"  # due, no result


# --- 5. threads and the GIL -----------------------------------------------------------------------


def test_threads_give_the_same_report(
    mini: tuple[Plan, Observations], baijiantan: tuple[Plan, Observations, Report]
) -> None:
    plan, obs = mini
    assert (
        planeval.evaluate(plan, obs, as_of=AS_OF, threads=2).to_dict()
        == planeval.evaluate(plan, obs, as_of=AS_OF, threads=1).to_dict()
    )
    bplan, bobs, one = baijiantan
    assert planeval.evaluate(bplan, bobs, as_of=AS_OF, threads=2).to_dict() == one.to_dict()


def test_concurrent_evaluations_and_borrowed_arrays(baijiantan: tuple[Plan, Observations, Report]) -> None:
    plan, obs, one = baijiantan
    expected: dict[str, Any] = one.to_dict()
    # owned columns: evaluated without the GIL, from four Python threads at once
    assert not obs.borrowed
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        dicts = list(pool.map(lambda _: planeval.evaluate(plan, obs, as_of=AS_OF).to_dict(), range(4)))
    assert all(d == expected for d in dicts)
    # the caller's writable arrays (borrowed): evaluated holding the GIL, the same report
    borrowed = Observations(
        obs.indicator.copy(),
        obs.entity.copy(),
        obs.start.copy(),
        obs.end.copy(),
        obs.value.copy(),
        None if obs.weight is None else obs.weight.copy(),
        obs.flags.copy(),
    )
    assert borrowed.borrowed
    assert planeval.evaluate(plan, borrowed, as_of=AS_OF).to_dict() == expected
