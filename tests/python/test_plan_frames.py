"""Plan.indicators_frame and Plan.targets_frame, with id, Chinese or English column labels."""

from __future__ import annotations

import datetime

import pytest

import planeval


def test_targets_frame_of_the_example_plan() -> None:
    plan = planeval.example_plan()
    df = plan.targets_frame()
    assert len(df) == 142  # the plan's targets (examples/baijiantan/README.md)
    row = df.set_index("id").loc["t1_primary_backbone"]
    # 表1: 小学 县级以上骨干教师数 66 (2020) -> 80 (2025)
    assert row["baseline"] == 66.0
    assert row["goal"] == 80.0
    assert row["comparator"] == ">="
    assert row["deadline"] == datetime.date(2025, 12, 31)
    assert row["scope"] == "stage_primary"
    assert df["goal"].dtype == "float64"
    # pass milestones have no number
    assert df.set_index("id").loc["compulsory_quality_balance_pass_2023"]["standard"] == (
        "compulsory_quality_balance_2017"
    )
    zh = plan.targets_frame(labels="zh")
    assert list(zh.columns[:4]) == ["编号", "名称", "英文名称", "指标"]
    en = plan.targets_frame(labels="en")
    assert "deadline" in en.columns and "baseline" in en.columns


def test_indicators_frame_and_bad_labels() -> None:
    plan = planeval.example_plan()
    df = plan.indicators_frame()
    assert len(df) == len(plan.indicators)
    row = df.set_index("id").loc["region_civilized_campus_count"]
    assert row["name_zh"] == "自治区文明校园数"
    assert row["unit"] == "所"
    assert row["stages"] == "幼儿园、小学、初中、高中"
    assert plan.indicators_frame(labels="zh").columns[0] == "编号"
    with pytest.raises(planeval.Error, match="labels"):
        plan.indicators_frame(labels="fr")


def test_plan_repr_html() -> None:
    plan = planeval.example_plan()
    h = plan._repr_html_()  # type: ignore[attr-defined]
    assert "142 targets" in h and "3 conflicts" in h
    assert "第二阶段：稳中求进，优质均衡" in h
    assert "2023-01-01" in h and "2024-12-31" in h


def test_label_columns_on_report_and_rollup_frames() -> None:
    plan = planeval.example_plan()
    report = plan.evaluate(as_of=datetime.date(2023, 12, 31))
    zh = report.to_frame(labels="zh")
    assert list(zh.columns[:3]) == ["目标", "名称", "指标"]
    assert "序时应达值" in zh.columns and "状态" in zh.columns
    en = planeval.label_columns(report.to_frame(), "en")
    assert "likely met" in en.columns and "explanation" in en.columns
    with pytest.raises(planeval.Error, match="lang"):
        planeval.label_columns(en, "de")
