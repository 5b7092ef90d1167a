"""Official standards through Python: the built-in files, located errors, and the hand-made county of
tests/cpp/standard_test.cpp built with the Python API (Plan, add_entity, add_standard_indicators,
observations_from_arrays with string ids).

The county: 4 小学 and 3 初中 schools, evaluated for 2023 with the 2017 优质均衡 standard (thresholds
小学 / 初中: 4.2/5.3, 1.0/1.0, 0.9/0.9, 4.5/5.8, 7.5/10.2, 2000/2500, 2.3/2.4; a school passes with >= 6
of 7 met and the rest >= 85% of the standard).

| school | students | 高学历 | 骨干 | 体艺 | 教学用房 | 运动场馆 | 仪器设备 | 多媒体 | met | verdict |
|---|---|---|---|---|---|---|---|---|---|---|
| p1 小学 | 800  | 5.0 | 1.2 | 1.0  | 5.0 | 8.0  | 2500 | 2.5 | 7 | pass |
| p2 小学 | 600  | 4.5 | 1.1 | 1.0  | 4.8 | 7.0* | 2200 | 2.4 | 6 | pass (7.0 = 93% of 7.5) |
| p3 小学 | 400  | 4.4 | 1.0 | 0.95 | 4.6 | 7.6  | 1600*| 2.3 | 6 | FAIL: 1600 < 85% × 2000 = 1700 |
| p4 小学 | 200  | 4.0*| 1.0 | 0.8* | 4.6 | 7.8  | 2100 | 2.4 | 5 | FAIL: 5 of 7 < 6 |
| j1 初中 | 1000 | 6.0 | 1.5 | 1.0  | 6.5 | 32.0 | 3000 | 2.6 | 7 | pass |
| j2 初中 | 600  | 5.5 | 1.0 | 0.9  | 6.0 | 10.5 | 2600 | 2.2*| 6 | pass (2.2 = 92% of 2.4) |
| j3 初中 | 400  | 5.3 | 1.2 | 1.1  | 5.9 | 10.2 | 2500 | 2.5 | 7 | pass (on the thresholds: >= holds) |

Student-weighted CVs, population form (P_i/P: 小学 0.4, 0.3, 0.2, 0.1; 初中 0.5, 0.3, 0.2):
  小学 仪器设备: x̄ = 0.4·2500 + 0.3·2200 + 0.2·1600 + 0.1·2100 = 2190;
    S² = 0.4·310² + 0.3·10² + 0.2·590² + 0.1·90² = 108900, S = 330; CV = 330 / 2190 = 0.150685.
  初中 运动场馆: x̄ = 0.5·32 + 0.3·10.5 + 0.2·10.2 = 21.19;
    S² = 0.5·10.81² + 0.3·10.69² + 0.2·10.99² = 116.8669, S = 10.81050; CV = 0.510170 > 0.45.
County values: 政府保障程度 1, 教育质量 1, 社会认可度 90 (>= 85).

Verdict: FAIL with exactly three reasons: p3 below the floor (1600 < 1700), p4 too few met (5 < 6),
初中 生均体育运动场馆面积 差异系数 0.51 > 0.45.

The passing county changes p3 仪器设备 to 1760 (88% of 2000: unmet but above the 85% floor, 6 of 7),
p4 体艺 to 0.9 (met: 6 of 7) and j1 运动场馆 to 12.0 (初中 CV 0.072979). With a provincial floor of
90% p3 fails again (1760 < 0.9 × 2000 = 1800).
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import pickle
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import planeval
from planeval import Entity, Error, Observations, Period, Plan, Standard, StandardError, StandardResult

Q2017 = "compulsory_quality_balance_2017"
B2012 = "basic_balance_2012"
P2020 = "preschool_universal_inclusive_2020"

RESOURCE_IDS = (
    "qualified_teachers_per_100",
    "backbone_teachers_per_100",
    "pe_arts_teachers_per_100",
    "teaching_space_per_student",
    "sports_space_per_student",
    "equipment_value_per_student",
    "multimedia_rooms_per_100",
)
DAY = dt.date(2023, 9, 30)


# --- the county --------------------------------------------------------------------------------


def county_plan(standard: Standard) -> Plan:
    """The county with its 小学 and 初中 stages and the standard's indicators."""
    plan = Plan("county", "某县教育规划", dt.date(2021, 1, 1), dt.date(2025, 12, 31))
    plan.add_entity(Entity("county", "某县", "district"))
    plan.add_entity(Entity("primary", "小学", "stage", "county", stage="小学"))
    plan.add_entity(Entity("junior", "初中", "stage", "county", stage="初中"))
    plan.add_standard_indicators(standard)
    return plan


class County:
    """The hand-made county as a plan and columns of rows (string ids, dates, values, weights)."""

    def __init__(self, passing: bool = False, standard: Standard | None = None) -> None:
        self.standard = standard or planeval.builtin_standard(Q2017)
        self.plan = county_plan(self.standard)
        self.indicator: list[str] = []
        self.entity: list[str] = []
        self.date: list[dt.date] = []
        self.value: list[float] = []
        self.weight: list[float] = []
        self.school("p1", "primary", 800, [5.0, 1.2, 1.0, 5.0, 8.0, 2500, 2.5])
        self.school("p2", "primary", 600, [4.5, 1.1, 1.0, 4.8, 7.0, 2200, 2.4])
        self.school("p3", "primary", 400, [4.4, 1.0, 0.95, 4.6, 7.6, 1760 if passing else 1600, 2.3])
        self.school("p4", "primary", 200, [4.0, 1.0, 0.9 if passing else 0.8, 4.6, 7.8, 2100, 2.4])
        self.school("j1", "junior", 1000, [6.0, 1.5, 1.0, 6.5, 12.0 if passing else 32.0, 3000, 2.6])
        self.school("j2", "junior", 600, [5.5, 1.0, 0.9, 6.0, 10.5, 2600, 2.2])
        self.school("j3", "junior", 400, [5.3, 1.2, 1.1, 5.9, 10.2, 2500, 2.5])
        self.row("government_guarantee_passed", "county", 1, 0)
        self.row("education_quality_passed", "county", 1, 0)
        self.row("compulsory_social_recognition_rate", "county", 90, 0)

    def row(self, indicator: str, entity: str, value: float, weight: float, day: dt.date = DAY) -> None:
        self.indicator.append(indicator)
        self.entity.append(entity)
        self.date.append(day)
        self.value.append(value)
        self.weight.append(weight)

    def school(
        self,
        id: str,
        parent: str,
        students: float,
        values: list[float],
        kind: str = "school",
        name: str = "",
    ) -> None:
        self.plan.add_entity(Entity(id, name or id, kind, parent))
        for indicator, v in zip(RESOURCE_IDS, values):
            self.row(indicator, id, v, students)

    def observations(self) -> Observations:
        obs, report = planeval.observations_from_arrays(
            self.plan,
            indicator=self.indicator,
            entity=self.entity,
            date=self.date,
            value=self.value,
            weight=self.weight,
        )
        assert report.accepted == report.rows == len(self.value)
        return obs

    def run(self, standard: Standard | None = None, **options: object) -> StandardResult:
        options.setdefault("period", 2023)
        return planeval.evaluate_standard(
            standard or self.standard,
            self.plan,
            self.observations(),
            **options,  # type: ignore[arg-type]
        )


def replace_once(text: str, old: str, new: str) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


def unit(result: StandardResult, id: str) -> dict[str, object]:
    [u] = [u for u in result.units if u["unit"] == id]
    return dict(u)


def cv(result: StandardResult, stage: str, indicator: str) -> float:
    [c] = [c for c in result.cvs if c["stage"] == stage and c["indicator"] == indicator]
    assert c["cv"] is not None
    return c["cv"]


# --- the built-in standards --------------------------------------------------------------------


def test_the_three_builtin_standards(repo_root: Path) -> None:
    assert planeval.builtin_standard_ids() == [B2012, Q2017, P2020]
    for id in planeval.builtin_standard_ids():
        s = planeval.builtin_standard(id)
        assert isinstance(s, Standard)
        assert s.id == id
        assert s.document["jurisdiction"] == "national"
        path = repo_root / "standards" / f"{id}.json"
        assert planeval.builtin_standard_json(id) == path.read_text(encoding="utf-8")
        assert planeval.load_standard(path) == s  # os.PathLike
        assert planeval.load_standard(str(path)) == s
        assert planeval.parse_standard(planeval.builtin_standard_json(id)) == s
        assert copy.copy(s) == s and copy.deepcopy(s) == s
    with pytest.raises(Error, match=r'unknown standard "quality_2017"; the built-in standards are: basic_'):
        planeval.builtin_standard("quality_2017")
    with pytest.raises(Error, match="unknown standard"):
        planeval.builtin_standard_json("quality_2017")


def test_2017_thresholds_rules_and_exclusions() -> None:
    s = planeval.builtin_standard(Q2017)
    assert repr(s) == "<Standard compulsory_quality_balance_2017: 7 unit indicators, 小学/初中>"
    assert s.title.zh == "县域义务教育优质均衡发展督导评估办法"
    assert s.document["number"] == "教督〔2017〕6号"
    assert s.document["issuer"] == "教育部"
    assert s.document["date"] == "2017"
    assert len(s.document["sources"]) == 2
    assert s.document["evidence"] == {"number": "F", "issuer": "F", "date": "F"}
    assert s.based_on == ""
    assert s.stages == ["小学", "初中"]
    assert s.units["level"] == "school"
    assert s.units["entity_kinds"] == ["school", "teaching_point"]
    assert [g["id"] for g in s.groups] == [
        "resource_allocation",
        "government_guarantee",
        "education_quality",
        "social_recognition",
    ]
    assert s.groups[0]["name"] == {"zh": "资源配置", "en": "resource allocation"}
    assert s.indicator_ids[:7] == list(RESOURCE_IDS)
    assert len(s.indicator_ids) == 10

    # the documented thresholds, 小学 / 初中
    expected = [(4.2, 5.3), (1.0, 1.0), (0.9, 0.9), (4.5, 5.8), (7.5, 10.2), (2000, 2500), (2.3, 2.4)]
    by_id = {i["id"]: i for i in s.indicators}
    for id, (primary, junior) in zip(RESOURCE_IDS, expected):
        ind = by_id[id]
        assert ind["level"] == "unit"
        assert ind["comparator"] == ">="
        assert ind["thresholds"] == {"小学": primary, "初中": junior}
        assert isinstance(ind["evidence"], dict) and ind["evidence"]["thresholds"] == "F"
    equipment = by_id["equipment_value_per_student"]
    assert equipment["name"]["zh"] == "生均教学仪器设备值"
    assert equipment["unit"] == "元/生"
    assert equipment["thresholds"]["小学"] == 2000 and equipment["thresholds"]["初中"] == 2500
    assert [by_id[i]["split_combined"] for i in RESOURCE_IDS] == [False] * 3 + [True] * 4
    assert by_id["government_guarantee_passed"]["comparator"] is None
    assert by_id["government_guarantee_passed"]["thresholds"] == {}

    rule = s.unit_rule
    assert (rule["kind"], rule["k"], rule["floor"], rule["required_share"]) == ("k_of_n", 6, 0.85, 1.0)
    assert rule["evidence"] == {"k": "F", "required_share": "F", "floor": "C"}
    assert rule["description"] is not None and "85%" in rule["description"]["zh"]

    [across] = s.across_units
    assert across["kind"] == "cv_each"
    assert across["weighting"] == "weighted"
    assert across["comparator"] == "<="
    assert across["limits"] == {"小学": 0.50, "初中": 0.45}

    assert [x["id"] for x in s.exclusions] == ["special_education", "small_teaching_point"]
    assert s.exclusions[0]["patterns"] == ["特殊教育", "特教"]
    assert "students" not in s.exclusions[0]
    assert s.exclusions[1]["students"] == 50
    assert s.exclusions[1]["entity_kinds"] == ["teaching_point"]

    nine_years = s.combined_schools[0]
    assert (nine_years["stages"], nine_years["weights"]) == (["小学", "初中"], [1.0, 1.1])
    assert [c["id"] for c in s.district_criteria] == [
        "government_guarantee",
        "education_quality",
        "social_recognition",
    ]
    assert s.district_criteria[0]["comparator"] == "pass" and s.district_criteria[0]["value"] is None
    assert s.district_criteria[2]["value"] == 85
    assert s.verdict["rule"] == "all"
    assert isinstance(s.notes, list)
    json.dumps([s.document, s.indicators, s.unit_rule, s.across_units, s.exclusions])  # plain data


def test_2012_and_preschool() -> None:
    s = planeval.builtin_standard(B2012)
    assert s.document["number"] == "教督〔2012〕3号"
    assert s.document["date"] == "2012-01-20"
    assert len(s.indicators) == 8
    assert all(i["thresholds"] == {} and i["comparator"] is None for i in s.indicators)
    assert s.unit_rule["kind"] == "none"
    [composite] = s.across_units
    assert composite["kind"] == "mean_of_cvs"
    assert composite["limits"] == {"小学": 0.65, "初中": 0.55}

    p = planeval.builtin_standard(P2020)
    assert repr(p) == "<Standard preschool_universal_inclusive_2020: 4 district indicators, 幼儿园>"
    assert p.units["level"] == "district"
    assert [(c["indicator"], c["comparator"], c["value"]) for c in p.district_criteria] == [
        ("preschool_gross_enrolment_rate", ">=", 85),
        ("inclusive_kindergarten_coverage_rate", ">=", 80),
        ("public_kindergarten_enrolment_share", ">=", 50),
        ("preschool_social_recognition_rate", ">=", 85),
    ]
    assert "90%" in p.district_criteria[0]["notes"]


def test_indicators_frame() -> None:
    frame = planeval.builtin_standard(Q2017).indicators_frame()
    assert list(frame.columns) == [
        "id",
        "name_zh",
        "name_en",
        "unit",
        "level",
        "comparator",
        "小学",
        "初中",
        "group",
    ]
    assert len(frame) == 10
    row = frame.set_index("id").loc["equipment_value_per_student"]
    assert (row["小学"], row["初中"], row["unit"], row["comparator"]) == (2000, 2500, "元/生", ">=")
    social = frame.set_index("id").loc["compulsory_social_recognition_rate"]
    assert social["level"] == "district" and social["comparator"] is None and np.isnan(social["小学"])
    pre = planeval.builtin_standard(P2020).indicators_frame()
    assert list(pre.columns)[6:] == ["幼儿园", "group"]


# --- located errors ----------------------------------------------------------------------------


def test_a_bad_standard_raises_standard_error_located_by_path(tmp_path: Path) -> None:
    good = planeval.builtin_standard_json(Q2017)
    # indicators[2] is 每百名学生拥有体育、艺术专任教师数 (0.9 / 0.9)
    bad = replace_once(
        good, '"thresholds": {"小学": 0.9, "初中": 0.9}', '"thresholds": {"小学": "4,2", "初中": 0.9}'
    )
    path = tmp_path / "x.json"
    path.write_text(bad, encoding="utf-8")
    with pytest.raises(StandardError) as info:
        planeval.load_standard(path)
    e = info.value
    assert isinstance(e, Error) and isinstance(e, ValueError)
    assert len(e.errors) == 1
    d = e.errors[0]
    assert d.path == f"{path}: indicators[2].thresholds.小学"
    assert d.message == 'expected a number, got "4,2"'
    assert d.level == "error"
    assert str(e) == f'{path}: indicators[2].thresholds.小学: expected a number, got "4,2"'

    # every problem is reported, and str() names the first and counts the others
    two = replace_once(
        good, '"limits": {"小学": 0.50, "初中": 0.45}', '"limits": {"小学": 0.50, "初中": 0.45, "高中": 0.4}'
    )
    two = replace_once(two, '"indicator": "government_guarantee_passed"', '"indicator": "no_such_indicator"')
    with pytest.raises(StandardError) as info:
        planeval.parse_standard(two, "standards/x.json")
    paths = sorted(d.path for d in info.value.errors)
    assert paths == [
        "standards/x.json: across_units[0].limits.高中",
        "standards/x.json: district_criteria[0].indicator",
    ]
    assert str(info.value).endswith("(and 1 more error)")

    # default source name, malformed JSON, a missing file, a directory
    with pytest.raises(StandardError, match=r"^<string>: indicators\[0\]\.comparator: expected one of"):
        planeval.parse_standard(replace_once(good, '"comparator": ">="', '"comparator": "=>"'))
    with pytest.raises(StandardError, match=r"^bad\.json:3:1: malformed JSON"):
        planeval.parse_standard('{\n  "format": \n}', "bad.json")
    with pytest.raises(StandardError, match="cannot open the standard file") as info:
        planeval.load_standard(tmp_path / "missing.json")
    assert info.value.errors[0].path == str(tmp_path / "missing.json")
    with pytest.raises(StandardError, match=r"cannot (open|read) the standard file"):
        planeval.load_standard(tmp_path)


# --- the hand-made county ----------------------------------------------------------------------


def test_add_standard_indicators() -> None:
    s = planeval.builtin_standard(Q2017)
    plan = Plan("p", "规划", dt.date(2021, 1, 1), dt.date(2025, 12, 31))
    assert plan.add_standard_indicators(s) == s.indicator_ids
    assert plan.add_standard_indicators(s) == []  # already there
    ind = plan.indicator("equipment_value_per_student")
    assert ind.unit == "元/生"
    assert ind.stages == ["小学", "初中"]
    assert ind.tags == ["standard:compulsory_quality_balance_2017"]


def test_the_failing_county_and_its_three_reasons() -> None:
    r = County().run()
    assert r.standard == Q2017
    assert r.scope == "county"  # the plan's first district
    assert r.period == Period.calendar_year(2023)
    assert r.passed is False
    assert repr(r) == "<StandardResult compulsory_quality_balance_2017: failed, 3 reasons>"

    # schools: (passed, met)
    verdicts = {u["unit"]: (u["passed"], u["met_count"]) for u in r.units}
    assert verdicts == {
        "p1": (True, 7),
        "p2": (True, 6),
        "p3": (False, 6),
        "p4": (False, 5),
        "j1": (True, 7),
        "j2": (True, 6),
        "j3": (True, 7),
    }
    p3 = unit(r, "p3")
    assert (p3["stage"], p3["students"], p3["excluded"]) == ("小学", 400, False)
    values = p3["values"]
    assert isinstance(values, list)
    equipment = values[5]
    assert equipment["indicator"] == "equipment_value_per_student"
    assert (equipment["value"], equipment["threshold"]) == (1600, 2000)
    assert equipment["ratio"] == pytest.approx(0.8)  # 1600 / 2000
    assert (equipment["met"], equipment["above_floor"], equipment["missing"]) == (False, False, False)

    # CVs (hand values in the module docstring)
    assert len(r.cvs) == 14  # 2 stages × 7 indicators
    assert cv(r, "小学", "equipment_value_per_student") == pytest.approx(0.150685, rel=1e-5)
    assert cv(r, "初中", "sports_space_per_student") == pytest.approx(0.510170, rel=1e-5)
    [junior_sports] = [
        c for c in r.cvs if c["stage"] == "初中" and c["indicator"] == "sports_space_per_student"
    ]
    assert junior_sports["mean"] == pytest.approx(21.19)
    assert (junior_sports["limit"], junior_sports["passed"], junior_sports["units"]) == (0.45, False, 3)
    assert sum(c["passed"] is False for c in r.cvs) == 1

    # the reasons, exactly
    a, b, c = r.reasons
    assert (a.code, a.unit, a.stage, a.indicator, a.value, a.group) == (
        "unit_below_floor",
        "p3",
        "小学",
        "equipment_value_per_student",
        1600,
        "resource_allocation",
    )
    assert a.limit == pytest.approx(1700)  # 0.85 × 2000
    assert a.message_zh == "小学 p3：生均教学仪器设备值 1600 低于标准 2000 的 85%（1700）"
    assert a.message_en == (
        "primary p3: teaching equipment value per student 1600 is below 85% of the standard 2000 (1700)"
    )
    assert (b.code, b.unit, b.value, b.limit) == ("unit_too_few_met", "p4", 5, 6)
    assert b.message_zh == "小学 p4：7 项指标中 5 项达标，少于 6 项"
    assert (c.code, c.stage, c.indicator, c.limit, c.unit) == (
        "cv_above_limit",
        "初中",
        "sports_space_per_student",
        0.45,
        "",
    )
    assert c.value == pytest.approx(0.510170, rel=1e-5)
    assert c.message_zh == "初中 生均体育运动场馆面积 差异系数 0.51 超过 0.45"
    assert c.message("en") == (
        "junior secondary sports ground and hall area per student: coefficient of variation 0.51 exceeds 0.45"
    )
    assert str(c) == c.message_zh
    assert repr(b) == "StandardReason(code='unit_too_few_met', stage='小学', unit='p4', value=5.0, limit=6.0)"
    assert r.explain() == "\n".join(x.message_zh for x in r.reasons)
    assert r.explain("en").splitlines()[1] == "primary p4: 5 of 7 indicators met, fewer than 6"
    with pytest.raises(ValueError, match="expected lang 'zh' or 'en'"):
        r.explain("fr")

    # county criteria and groups
    assert {x["id"]: (x["value"], x["passed"]) for x in r.criteria} == {
        "government_guarantee": (1, True),
        "education_quality": (1, True),
        "social_recognition": (90, True),
    }
    assert [(g["id"], g["passed"]) for g in r.groups] == [
        ("resource_allocation", False),
        ("government_guarantee", True),
        ("education_quality", True),
        ("social_recognition", True),
    ]

    html = r._repr_html_()
    assert "failed" in html and "#c62828" in html and "3 reasons" in html
    assert html.count("<tr>") == 1 + 3  # header and one row per reason
    assert "1700" in html and "0.51017" in html and "p3" in html


def test_the_passing_county_and_a_stricter_provincial_floor() -> None:
    county = County(passing=True)
    r = county.run()
    assert r.passed, r.explain("en")
    assert r.reasons == []
    assert all(u["passed"] is True for u in r.units)
    assert cv(r, "初中", "sports_space_per_student") == pytest.approx(0.072979, rel=1e-5)
    assert repr(r) == "<StandardResult compulsory_quality_balance_2017: passed>"
    assert r.explain() == "county 通过 compulsory_quality_balance_2017（2023）：评估的各项要求均已达到"
    assert (
        r.explain("en")
        == "county passes compulsory_quality_balance_2017 (2023): every requirement evaluated is met"
    )
    html = r._repr_html_()
    assert "passed" in html and "#2e7d32" in html and "<table" not in html

    # a provincial standard: the 2017 file with a 90% floor
    text = planeval.builtin_standard_json(Q2017)
    text = replace_once(
        text,
        f'"id": "{Q2017}"',
        f'"id": "xinjiang_quality_balance_strict", "based_on": "{Q2017}"',
    )
    text = replace_once(text, '"jurisdiction": "national"', '"jurisdiction": "新疆维吾尔自治区"')
    text = replace_once(text, '"floor": 0.85', '"floor": 0.9')
    strict = planeval.parse_standard(text, "xinjiang.json")
    assert strict.based_on == Q2017
    assert strict.unit_rule["floor"] == 0.9
    assert strict.document["jurisdiction"] == "新疆维吾尔自治区"
    assert strict != county.standard
    s = county.run(strict)
    assert not s.passed
    assert s.standard == "xinjiang_quality_balance_strict"
    [reason] = s.reasons
    assert (reason.code, reason.unit, reason.value) == ("unit_below_floor", "p3", 1760)
    assert reason.limit == pytest.approx(1800)  # 0.9 × 2000
    assert reason.message_zh == "小学 p3：生均教学仪器设备值 1760 低于标准 2000 的 90%（1800）"


def test_period_forms_and_options() -> None:
    county = County()
    obs = county.observations()
    s, plan = county.standard, county.plan

    def reasons(**options: object) -> list[str]:
        r = planeval.evaluate_standard(s, plan, obs, **options)  # type: ignore[arg-type]
        return [x.code + (":" + x.unit if x.unit else "") for x in r.reasons]

    three = ["unit_below_floor:p3", "unit_too_few_met:p4", "cv_above_limit"]
    # a year, a date (its calendar year), a Period, numpy ints
    for period in (2023, np.int64(2023), dt.date(2023, 1, 1), Period.calendar_year(2023)):
        assert reasons(period=period) == three
    # the school year 2022/2023 ends on 31 Aug 2023: the rows of 30 Sep 2023 are not in it
    r = planeval.evaluate_standard(s, plan, obs, period=planeval.school_year_of(dt.date(2023, 1, 15)))
    assert r.period == Period.school_year(2022)
    assert not r.passed and all(u["values"][0]["missing"] for u in r.units)
    assert "missing_values" in {x.code for x in r.reasons}
    assert planeval.evaluate_standard(s, plan, obs, period=Period.school_year(2023)).period.start == dt.date(
        2023, 9, 1
    )

    with pytest.raises(TypeError):  # period is required
        planeval.evaluate_standard(s, plan, obs)  # type: ignore[call-arg]
    assert reasons(period="2023") == three  # "2023" is the calendar year too (API conventions)
    for bad in (True, 2023.0, None):
        with pytest.raises(TypeError, match=r"period must be a datetime\.date"):
            planeval.evaluate_standard(s, plan, obs, period=bad)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"datetime\.datetime"):
        planeval.evaluate_standard(s, plan, obs, period=dt.datetime(2023, 1, 1))
    with pytest.raises(ValueError, match="a year must be from 1400 to 9999, got 20230"):
        planeval.evaluate_standard(s, plan, obs, period=20230)

    # scope, groups, excluded, indicators
    assert reasons(period=2023, scope="county") == three
    with pytest.raises(Error, match='evaluate_standard: unknown scope entity "nowhere"'):
        reasons(period=2023, scope="nowhere")
    with pytest.raises(Error, match=r'unknown group "resources" of standard compulsory_quality_balance_2017'):
        reasons(period=2023, groups=["resources"])
    assert reasons(period=2023, groups=["social_recognition", "government_guarantee"]) == []
    assert reasons(period=2023, excluded={"p3": "另行评估", "p4": "另行评估"}) == ["cv_above_limit"]
    r = planeval.evaluate_standard(s, plan, obs, period=2023, excluded={"p3": "民办学校，另行评估"})
    p3 = unit(r, "p3")
    assert (p3["excluded"], p3["exclusion"], p3["passed"]) == (True, "option", None)
    assert p3["excluded_because"]["zh"] == "民办学校，另行评估"  # type: ignore[index]
    with pytest.raises(Error):
        reasons(period=2023, indicators={"compulsory_social_recognition_rate": "no_such"})


def test_indicator_ids_mapped_to_the_plans_own() -> None:
    county = County(passing=True)
    county.plan.add_indicator(planeval.Indicator("satisfaction", "满意度", "%", "rate"))
    county.indicator = [
        "satisfaction" if i == "compulsory_social_recognition_rate" else i for i in county.indicator
    ]
    r = county.run()
    assert [x.code for x in r.reasons] == ["criterion_missing"]
    assert r.reasons[0].message_zh == "缺少“义务教育社会认可度”数据（某县，2023）"  # the area by name
    assert county.run(indicators={"compulsory_social_recognition_rate": "satisfaction"}).passed


def test_exclusions_by_kind_size_and_name() -> None:
    county = County(passing=True)
    poor = [1, 0.1, 0.1, 1, 1, 100, 0.1]
    county.school("tp_small", "primary", 30, poor, kind="teaching_point")
    county.school("tp_big", "primary", 60, [5.0, 1.2, 1.0, 5.0, 8.0, 2500, 2.5], kind="teaching_point")
    county.school("sped", "primary", 120, poor, name="某县特殊教育学校")
    r = county.run()
    assert r.passed, r.explain("en")
    small = unit(r, "tp_small")
    assert (small["excluded"], small["exclusion"], small["students"]) == (True, "small_teaching_point", 30)
    assert small["excluded_because"]["zh"] == "不足 50 人的教学点不参加资源配置评估（30 人）"  # type: ignore[index]
    assert unit(r, "sped")["exclusion"] == "special_education"
    assert unit(r, "tp_big")["passed"] is True
    frame = r.units_frame().set_index("unit")
    assert frame.loc["tp_small", "excluded_because"] == "不足 50 人的教学点不参加资源配置评估（30 人）"
    assert frame.loc["tp_small", "passed"] is pd.NA
    assert frame.loc["tp_small", "equipment_value_per_student_value"] == 100  # still reported


def test_a_combined_school_split_by_student_weights() -> None:
    # x9: a 九年一贯制 school without a stage; its parts x9p (小学, 166) and x9j (初中, 210). The
    # school's 10 ㎡ sports area per student over 376 students is 3760 ㎡; split 1 : 1.1, Σ w·P = 166 +
    # 1.1 × 210 = 397: 小学 3760 × 166 / 397 ㎡ = 9.4710 per pupil, 初中 3760 × 231 / 397 = 10.4181.
    county = County(passing=True)
    county.plan.add_entity(Entity("x9", "某县九年一贯制学校", "school", "county"))
    county.plan.add_entity(Entity("x9p", "x9p", "stage", "x9", stage="小学", students=166))
    county.plan.add_entity(Entity("x9j", "x9j", "stage", "x9", stage="初中", students=210))
    for indicator, v in (
        ("qualified_teachers_per_100", 6.0),
        ("backbone_teachers_per_100", 1.5),
        ("pe_arts_teachers_per_100", 1.0),
    ):
        county.row(indicator, "x9p", v, 166)
        county.row(indicator, "x9j", v, 210)
    for indicator, v in (
        ("teaching_space_per_student", 6.0),
        ("sports_space_per_student", 10.0),
        ("equipment_value_per_student", 3000),
        ("multimedia_rooms_per_100", 2.6),
    ):
        county.row(indicator, "x9", v, 376)
    r = county.run()
    assert r.passed, r.explain("en")
    assert "x9" not in {u["unit"] for u in r.units}
    p, j = unit(r, "x9p"), unit(r, "x9j")
    assert (p["combined_school"], p["stage"], p["students"]) == ("x9", "小学", 166)
    sports_p = p["values"][4]  # type: ignore[index]
    assert sports_p["split"] and sports_p["value"] == pytest.approx(3760 / 397)
    assert j["values"][4]["value"] == pytest.approx(10.41814, rel=1e-6)  # type: ignore[index]
    assert not p["values"][0]["split"]  # type: ignore[index]
    # the documented example of split_combined_school gives the same shares
    shares = planeval.split_combined_school(3760, [166, 210], [1, 1.1])
    assert shares[0] / 166 == pytest.approx(3760 / 397)


def test_preschool_boundaries_and_a_90_percent_province() -> None:
    s = planeval.builtin_standard(P2020)
    plan = Plan("county", "某县教育规划", dt.date(2021, 1, 1), dt.date(2025, 12, 31))
    plan.add_entity(Entity("county", "某县", "district"))
    assert len(plan.add_standard_indicators(s)) == 4
    ids = [c["indicator"] for c in s.district_criteria]

    def run(values: list[float], standard: Standard = s) -> StandardResult:
        obs, _ = planeval.observations_from_arrays(
            plan, indicator=ids, entity=["county"] * 4, date=[dt.date(2025, 9, 1)] * 4, value=values
        )
        return planeval.evaluate_standard(standard, plan, obs, period=2025)

    # exactly on every bar: >= is inclusive
    r = run([85.0, 80.0, 50.0, 85.0])
    assert r.passed and r.units == [] and all(c["passed"] for c in r.criteria)
    # 84.9 < 85 fails
    r = run([84.9, 92.0, 61.0, 97.0])
    assert not r.passed
    [reason] = r.reasons
    assert (reason.code, reason.indicator, reason.value, reason.limit) == (
        "criterion_not_met",
        "preschool_gross_enrolment_rate",
        84.9,
        85,
    )
    assert reason.message_zh == "学前三年毛入园率 84.9 低于 85.0"  # the indicator's one decimal
    assert reason.message_en == "gross preschool enrolment rate (3 years) 84.9 is below 85.0"

    # a province requiring 90%: 88 passes the national bar and fails the provincial one
    text = planeval.builtin_standard_json(P2020)
    text = replace_once(text, f'"id": "{P2020}"', '"id": "preschool_region_90"')
    text = replace_once(text, '"comparator": ">=", "value": 85,', '"comparator": ">=", "value": 90,')
    region = planeval.parse_standard(text, "region.json")
    assert run([88.0, 92.0, 61.0, 97.0]).passed
    r = run([88.0, 92.0, 61.0, 97.0], region)
    assert r.reasons[0].message_zh == "学前三年毛入园率 88.0 低于 90.0"


def test_split_combined_school() -> None:
    # 166 primary and 210 junior pupils, 23226 library books, weights 1 : 1.1: Σ w·P = 166 + 231 = 397;
    # primary = 23226 × 166 / 397 = 9711.627..., junior = 23226 × 231 / 397 = 13514.372...
    primary, junior = planeval.split_combined_school(23226, [166, 210], [1, 1.1])
    assert primary == pytest.approx(9711.627, abs=1e-3)
    assert junior == pytest.approx(13514.373, abs=1e-3)
    assert primary + junior == pytest.approx(23226)
    # 100 / 200 / 300 pupils, 1 : 1.1 : 1.32: Σ = 100 + 220 + 396 = 716
    shares = planeval.split_combined_school(1000, np.array([100.0, 200.0, 300.0]), (1, 1.1, 1.32))
    assert shares == pytest.approx([1000 * 100 / 716, 1000 * 220 / 716, 1000 * 396 / 716])
    with pytest.raises(Error):
        planeval.split_combined_school(10, [0, 0], [1, 1.1])
    with pytest.raises(Error):
        planeval.split_combined_school(10, [166, 210], [1, 1.1, 1.32])


# --- frames and plain data ---------------------------------------------------------------------


def test_frames_have_the_documented_columns() -> None:
    r = County().run()
    units = r.units_frame()
    base = [
        "unit",
        "combined_school",
        "stage",
        "students",
        "excluded",
        "exclusion",
        "excluded_because",
        "passed",
        "met_count",
    ]
    per_indicator = [f"{i}_{part}" for i in RESOURCE_IDS for part in ("value", "ratio", "met")]
    assert list(units.columns) == base + per_indicator
    assert list(units["unit"]) == ["p1", "p2", "p3", "p4", "j1", "j2", "j3"]
    assert units["passed"].dtype == "boolean"
    assert list(units["passed"]) == [True, True, False, False, True, True, True]
    assert list(units["met_count"]) == [7, 6, 6, 5, 7, 6, 7]
    p3 = units.set_index("unit").loc["p3"]
    assert p3["equipment_value_per_student_value"] == 1600
    assert p3["equipment_value_per_student_ratio"] == pytest.approx(0.8)
    assert not p3["equipment_value_per_student_met"]

    cvs = r.cvs_frame()
    assert list(cvs.columns) == [
        "stage",
        "indicator",
        "cv",
        "limit",
        "passed",
        "units",
        "missing_units",
        "mean",
        "weighting",
        "rule",
    ]
    assert len(cvs) == 14
    failing = cvs[cvs["passed"] == False]  # noqa: E712 (nullable boolean)
    assert list(zip(failing["stage"], failing["indicator"])) == [("初中", "sports_space_per_student")]
    assert failing["cv"].iloc[0] == pytest.approx(0.510170, rel=1e-5)

    criteria = r.criteria_frame()
    assert list(criteria.columns) == ["id", "indicator", "comparator", "value", "limit", "passed", "entity"]
    assert list(criteria["comparator"]) == ["pass", "pass", ">="]
    assert set(criteria["entity"]) == {r.scope}  # the county's own values
    assert criteria["limit"].iloc[2] == 85 and np.isnan(criteria["limit"].iloc[0])

    groups = r.groups_frame()
    assert list(groups.columns) == ["id", "evaluated", "passed"]
    assert list(groups["passed"]) == [False, True, True, True]

    reasons = r.reasons_frame()
    assert list(reasons.columns) == [
        "code",
        "group",
        "stage",
        "indicator",
        "unit",
        "value",
        "limit",
        "message_zh",
        "message_en",
    ]
    assert list(reasons["code"]) == ["unit_below_floor", "unit_too_few_met", "cv_above_limit"]

    assert list(r.composites_frame().columns) == ["rule", "stage", "value", "limit", "passed"]
    assert len(r.composites_frame()) == 0

    # a result without units: the frames keep their columns
    empty = County().run(groups=["social_recognition"])
    assert empty.units == [] and list(empty.units_frame().columns) == base
    assert len(empty.cvs_frame()) == 0 and list(empty.cvs_frame().columns) == list(cvs.columns)

    # the lists of dicts are plain data
    json.dumps([r.units, r.cvs, r.composites, r.criteria, r.groups])


def test_without_pandas_the_lists_still_work(monkeypatch: pytest.MonkeyPatch) -> None:
    r = County().run()
    monkeypatch.setitem(sys.modules, "pandas", None)  # import pandas now raises ImportError
    assert len(r.units) == 7 and len(r.cvs) == 14
    with pytest.raises(ImportError):
        r.units_frame()
    with pytest.raises(ImportError):
        planeval.builtin_standard(Q2017).indicators_frame()


def test_2012_composite_cv() -> None:
    # Two schools per stage with 500 students each (no weight column: the entities' students):
    # CV = |a − b| / (a + b). 小学 pairs (9, 1) give 0.8 for four indicators and (4, 1) give 0.6 for
    # the other four: mean 0.7 > 0.65. 初中 pairs (3, 1) give 0.5 for all eight: 0.5 <= 0.55.
    s = planeval.builtin_standard(B2012)
    plan = county_plan(s)
    rows: dict[str, list[object]] = {"indicator": [], "entity": [], "value": []}
    for id, parent, values in (
        ("a", "primary", [9] * 4 + [4] * 4),
        ("b", "primary", [1] * 8),
        ("c", "junior", [3] * 8),
        ("d", "junior", [1] * 8),
    ):
        plan.add_entity(Entity(id, id, "school", parent, students=500))
        rows["indicator"] += s.indicator_ids
        rows["entity"] += [id] * 8
        rows["value"] += values
    obs, _ = planeval.observations_from_arrays(plan, year=[2023] * 32, **rows)  # type: ignore[arg-type]
    r = planeval.evaluate_standard(s, plan, obs, period=2023)
    assert [(c["stage"], c["value"], c["limit"], c["passed"]) for c in r.composites] == [
        ("小学", pytest.approx(0.7), 0.65, False),
        ("初中", pytest.approx(0.5), 0.55, True),
    ]
    assert all(u["passed"] is None for u in r.units)  # no per-school rule in 2012
    [reason] = r.reasons
    assert reason.message_zh == "小学 综合差异系数 0.70 超过 0.65"
    frame = r.composites_frame()
    assert list(frame["passed"]) == [False, True]


# --- threads, borrowed arrays, pickling --------------------------------------------------------


def test_borrowed_observations_and_threads() -> None:
    county = County()
    obs = county.observations()
    assert not obs.borrowed  # evaluated without the GIL
    expected = [x.message_en for x in county.run().reasons]
    borrowed = Observations(
        np.array(obs.indicator),
        np.array(obs.entity),
        np.array(obs.start),
        np.array(obs.end),
        np.array(obs.value),
        np.array(obs.weight),
    )
    assert borrowed.borrowed  # evaluated holding the GIL
    r = planeval.evaluate_standard(county.standard, county.plan, borrowed, period=2023)
    assert [x.message_en for x in r.reasons] == expected

    def evaluate(_: int) -> list[str]:
        return [
            x.message_en
            for x in planeval.evaluate_standard(county.standard, county.plan, obs, period=2023).reasons
        ]

    with ThreadPoolExecutor(4) as pool:
        assert list(pool.map(evaluate, range(16))) == [expected] * 16
    # rows of entities the plan does not have
    small = county_plan(county.standard)
    with pytest.raises(planeval.DataError):
        planeval.evaluate_standard(county.standard, small, obs, period=2023)


def test_standards_pickle_as_their_json_results_do_not() -> None:
    r = County().run()
    s = planeval.builtin_standard(Q2017)
    for protocol in (0, 2, pickle.HIGHEST_PROTOCOL):
        with pytest.raises(TypeError, match="cannot pickle 'StandardResult' object"):
            pickle.dumps(r, protocol=protocol)
        # a Standard travels as the JSON text of its properties, checked to read back equal
        back = pickle.loads(pickle.dumps(s, protocol=protocol))
        assert back == s and back is not s and back.id == Q2017
    # every built-in standard and the fuzz corpus's hand-written one (no unit rule, few keys)
    corpus = Path(__file__).resolve().parents[1] / "fuzz" / "corpus" / "standard" / "small.json"
    standards = [planeval.builtin_standard(i) for i in planeval.builtin_standard_ids()]
    standards.append(planeval.parse_standard(corpus.read_text(encoding="utf-8"), str(corpus)))
    for std in standards:
        text = planeval._standard.standard_json(std)
        assert planeval.parse_standard(text, "x") == std
        assert pickle.loads(pickle.dumps(std)) == std
    # a changed standard pickles with its change
    doc = {**json.loads(planeval._standard.standard_json(s)), "notes": ["改"]}
    changed = planeval.parse_standard(json.dumps(doc), "y")
    assert changed != s and pickle.loads(pickle.dumps(changed)).notes == ["改"]
    # a reason is a value: equal to its copy
    assert copy.copy(r.reasons[0]) == r.reasons[0] and r.reasons[0] != r.reasons[1]
    # the result's title and period are copies: changing them does not change the standard
    title = s.title
    title.zh = "x"
    assert s.title.zh == "县域义务教育优质均衡发展督导评估办法"
    period = r.period
    period.start = dt.date(2000, 1, 1)
    assert r.period == Period.calendar_year(2023)
    with pytest.raises(TypeError):
        Standard()
    with pytest.raises(AttributeError):
        s.id = "x"  # type: ignore[misc]


def test_the_plan_cannot_grow_while_an_evaluation_reads_it() -> None:
    # An evaluation without the GIL reads the plan; adding to it meanwhile would reallocate what it
    # reads, so Plan.add_standard_indicators raises instead (it succeeds between evaluations).
    county = County()
    for k in range(2000):  # more schools: a longer evaluation
        county.school(f"x{k}", "primary", 100, [5.0, 1.2, 1.0, 5.0, 8.0, 2500, 2.5])
    obs = county.observations()
    other = planeval.builtin_standard(P2020)
    stop = threading.Event()

    def evaluate_until_stopped() -> None:
        while not stop.is_set():
            planeval.evaluate_standard(county.standard, county.plan, obs, period=2023)

    worker = threading.Thread(target=evaluate_until_stopped)
    worker.start()
    refused = 0
    try:
        for _ in range(2000):
            try:
                county.plan.add_standard_indicators(other)
            except Error as e:
                message = "the plan is being read by evaluate_standard in another thread"
                assert str(e).startswith("Plan.add_standard_indicators: " + message)
                refused += 1
                if refused == 3:
                    break
    finally:
        stop.set()
        worker.join()
    if refused == 0:
        pytest.skip("no add_standard_indicators call happened during an evaluation")
