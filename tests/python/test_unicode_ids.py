"""Ids a bureau actually uses: schools, targets and indicators keyed by their Chinese names."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

import planeval


def _plan(mini_json: dict[str, Any]) -> planeval.Plan:
    d = json.loads(json.dumps(mini_json))
    d["entities"] = [
        {"id": "白区", "name": {"zh": "某区"}, "kind": "district"},
        {"id": "小学段", "name": {"zh": "小学"}, "kind": "stage", "parent": "白区", "stage": "小学"},
    ]
    d["indicators"][0]["id"] = "骨干教师数"
    d["targets"] = [
        {
            "id": "骨干教师达80人",
            "indicator": "骨干教师数",
            "scope": "小学段",
            "baseline": {"date": "2020", "value": 66},
            "goal": {"comparator": ">=", "value": 80, "deadline": "2025"},
            "source": {"phrase": "66 80"},
        }
    ]
    d["observations"] = []
    d.pop("conflicts", None)
    return planeval.parse_plan(json.dumps(d, ensure_ascii=False))


def test_chinese_ids_from_plan_to_report(mini_json: dict[str, Any], tmp_path: Path) -> None:
    plan = _plan(mini_json)
    csv = tmp_path / "schools.csv"
    # two schools keyed by their names, added under the stage from the data
    csv.write_text(
        "indicator,entity,year,value,parent,entity_name\n"
        "骨干教师数,第一小学,2023,40,小学段,第一小学\n"
        "骨干教师数,实验小学,2023,34,小学段,实验小学\n",
        encoding="utf-8",
    )
    obs, report = planeval.read_csv(plan, csv)
    assert report.added_entities == ["第一小学", "实验小学"]
    r = plan.evaluate(obs, as_of=dt.date(2023, 12, 31))
    t = r.to_dict()["targets"][0]
    assert t["id"] == "骨干教师达80人"
    # 40 + 34 = 74 teachers; the path 66 + (80 - 66) × 3/5 = 74.4 at the end of 2023
    assert t["actual"] == 74
    assert t["expected"] == pytest.approx(74.4)
    html = r.to_html()
    assert "骨干教师达80人" in html or "骨干教师" in html
    # a formula names the indicator by its Chinese id
    twice = planeval.Indicator(
        "两倍", "两倍", "人", "count", expression="#{骨干教师数} * 2", across_entities="sum"
    )
    plan.add_indicator(twice)
    rolled = plan.rollup(obs, level="district", indicators=["两倍"])
    assert float(rolled["value"].iloc[0]) == 148  # (40 + 34) × 2


@pytest.mark.parametrize(
    ("bad", "why"),
    [
        ("第一 小学", "a space"),
        ("第一\u3000小学", "an ideographic space"),
        ("小学\u200b", "a zero-width space"),
    ],
)
def test_ids_with_invisible_characters_are_refused(
    mini_json: dict[str, Any], tmp_path: Path, bad: str, why: str
) -> None:
    plan = _plan(mini_json)
    csv = tmp_path / "schools.csv"
    csv.write_text(f"indicator,entity,year,value,parent\n骨干教师数,{bad},2023,40,小学段\n", encoding="utf-8")
    with pytest.raises(planeval.DataError, match=r": line 2, column entity: .*expected an id"):
        planeval.read_csv(plan, csv)


def test_indicators_and_schools_named_in_words(mini_text: str, tmp_path: Path) -> None:
    plan = planeval.parse_plan(mini_text)  # teachers = 县级以上骨干教师数; d = 白碱滩区, s1 = 小学
    csv = tmp_path / "by_name.csv"
    csv.write_text(
        "indicator,entity,year,value,parent\n县级以上骨干教师数,白碱滩区,2021,5,\nteachers,第一小学,2022,3,小学\n",
        encoding="utf-8",
    )
    obs, report = planeval.read_csv(plan, csv)
    assert report.accepted == 2 and not report.rejected
    frame = obs.to_frame(plan)
    assert list(frame["indicator"]) == ["teachers", "teachers"]
    assert list(frame["entity"]) == ["d", "第一小学"]
    assert plan.entity("第一小学").parent == "s1"
    # a name two indicators share is refused, in both languages
    plan.add_indicator(planeval.Indicator("rate_2", "毛入园率", "%", "rate"))
    csv.write_text("indicator,entity,year,value\n毛入园率,d,2021,95\n", encoding="utf-8")
    with pytest.raises(planeval.DataError) as e:
        planeval.read_csv(plan, csv)
    assert str(e.value).endswith(
        'indicator name "毛入园率" is shared by 2 indicators (rate, rate_2): use the id'
    )
    assert planeval.translate(str(e.value), "zh").endswith(
        '指标名称 "毛入园率" 为 2 个指标共用（rate, rate_2）：请填指标编号'
    )
