"""Plans: parsing, counts, lookups, canonical JSON, pickling, building with add_*, located errors."""

from __future__ import annotations

import copy
import datetime as dt
import json
import pickle
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import planeval
from planeval import Entity, Goal, Indicator, Phase, Plan, PlanError, Point, Source, Target

# --- the small plan of the C++ tests ------------------------------------------------------------


def test_parse_the_small_plan(mini_text: str) -> None:
    p = planeval.parse_plan(mini_text)
    assert p.id == "mini"
    assert p.title == planeval.Text("小规划", "Mini plan")
    # "2021" as a start is 1 January, "2025" as an end is 31 December
    assert p.horizon == planeval.Period(dt.date(2021, 1, 1), dt.date(2025, 12, 31))
    assert p.source is None
    assert [x.id for x in p.phases] == ["p1", "p2"]
    assert [x.id for x in p.indicators] == ["teachers", "rate", "passed", "posts"]
    # s1 is listed before its parent d; entities are added parents first
    assert [x.id for x in p.entities] == ["d", "s1"]
    assert [x.id for x in p.targets] == ["t1", "t2", "t3"]
    assert [x.id for x in p.observations] == ["o1", "o2", "o3"]
    assert [x.id for x in p.conflicts] == ["c1"]
    assert [x.id for x in p.notes] == ["n1"]
    assert repr(p) == "Plan(id='mini', targets=3, indicators=4, phases=2)"


def test_counts(mini_text: str) -> None:
    p = planeval.parse_plan(mini_text)
    # t1: count indicator with ">=" -> quantitative; t2: boolean -> milestone; t3: shares -> structure.
    # t1 is in p2, t2 in p1, t3 in no phase; no indicator has a domain; t3 states no deadline.
    assert p.counts() == {
        "targets_by_kind": {"milestone": 1, "quantitative": 1, "structure": 1},
        "targets_by_phase": {"": 1, "p1": 1, "p2": 1},
        "targets_by_domain": {"": 3},
        "targets_by_obligation": {"unspecified": 3},  # no indicator or target says 约束性/预期性
        "targets_by_deadline_basis": {"assumed": 1, "stated": 2},
        "qualitative": 0,
    }
    assert [p.target_kind(t) for t in ("t1", "t2", "t3")] == ["quantitative", "milestone", "structure"]


def test_lookups(mini_text: str) -> None:
    p = planeval.parse_plan(mini_text)
    assert p.indicator("rate").decimals == 1
    assert p.indicator("posts").share_labels == ["高级", "中级", "初级"]
    assert p.entity("s1").parent == "d" and p.entity("s1").stage == "小学"
    assert p.phase("p2").start == dt.date(2023, 1, 1)
    t1 = p.target("t1")
    assert t1.baseline == Point(dt.date(2020, 12, 31), 66.0)  # "2020" as a baseline date: its last day
    assert t1.goal.value == 80.0 and t1.goal.deadline == dt.date(2025, 12, 31)
    assert t1.milestones[0].date == dt.date(2023, 12, 31)
    # dense indices: teachers is indicator 0, s1 entity 1 (after d), p2 phase 1
    assert (t1.indicator_index, t1.scope_index, t1.phase_index) == (0, 1, 1)
    t3 = p.target("t3")
    assert t3.phase_index is None
    assert t3.goal.deadline_basis == "assumed" and t3.goal.deadline_assumed
    assert t3.goal.deadline == dt.date(2025, 12, 31)  # the horizon end
    o1, o2, o3 = p.observations
    assert (o1.date, o1.qualifier, o1.value) == (dt.date(2020, 12, 31), ">=", 99.0)
    assert o2.period == planeval.Period(dt.date(2016, 1, 1), dt.date(2020, 12, 31))
    assert o3.period == planeval.Period.school_year(2021)
    assert o3.indicator_index == 0 and o3.entity_index == 0


@pytest.mark.parametrize(
    ("lookup", "fragment"),
    [("indicator", 'unknown indicator "nope"'), ("target", 'unknown target "nope"'),
     ("entity", 'unknown entity "nope"'), ("phase", 'unknown phase "nope"')],
)  # fmt: skip
def test_lookup_of_an_unknown_id(mini_text: str, lookup: str, fragment: str) -> None:
    p = planeval.parse_plan(mini_text)
    with pytest.raises(PlanError, match=fragment):
        getattr(p, lookup)("nope")
    with pytest.raises(PlanError):
        p.target_kind("nope")


def test_phase_at(mini_text: str) -> None:
    p = planeval.parse_plan(mini_text)
    assert p.phase_at(dt.date(2021, 1, 1)).id == "p1"  # type: ignore[union-attr]
    assert p.phase_at(dt.date(2022, 12, 31)).id == "p1"  # type: ignore[union-attr]
    assert p.phase_at(dt.date(2023, 1, 1)).id == "p2"  # type: ignore[union-attr]
    assert p.phase_at(dt.date(2020, 12, 31)) is None
    assert p.phase_at(dt.date(2026, 1, 1)) is None


def test_lists_are_copies(mini_text: str) -> None:
    p = planeval.parse_plan(mini_text)
    targets = p.targets
    targets.clear()
    p.targets[0].goal.value = 1.0
    p.indicators[0].unit = "x"
    assert len(p.targets) == 3
    assert p.targets[0].goal.value == 80.0
    assert p.indicators[0].unit == "人"


def test_warnings(mini_text: str) -> None:
    p = planeval.parse_plan(mini_text)
    (w,) = p.warnings()  # only t3 (targets[2]) lacks a stated deadline
    assert (w.level, w.path) == ("warning", "targets[2].goal.deadline")
    assert w.message == 'target "t3": the source states no deadline; assumed to be the horizon end 2025-12-31'


def test_summary(mini_text: str) -> None:
    p = planeval.parse_plan(mini_text)
    en = p.summary(lang="en")
    assert en.startswith("Mini plan\nPlan id: mini\nHorizon: 2021-01-01 .. 2025-12-31\n")
    assert "Targets by kind: milestone 1, quantitative 1, structure 1" in en
    assert p.summary().startswith("小规划\nMini plan\n规划编号: mini\n")
    with pytest.raises(ValueError, match="'zh' or 'en'"):
        p.summary(lang="fr")


# --- canonical JSON, files, pickles -------------------------------------------------------------


def test_round_trip_is_byte_identical(mini_text: str) -> None:
    first = planeval.parse_plan(mini_text).to_json()
    again = planeval.parse_plan(first)
    assert again.to_json() == first
    assert again == planeval.parse_plan(mini_text)
    # canonical form: full dates, the assumed deadline left out, UTF-8 unescaped
    assert '"deadline": "2025-12-31"' in first
    assert "县级以上骨干教师数" in first
    assert '"period": "2021/2022"' in first
    assert first.endswith("}\n")


def test_save_and_load(mini_text: str, tmp_path: Path) -> None:
    p = planeval.parse_plan(mini_text)
    path = tmp_path / "plan.json"
    p.save(path)  # a PathLike
    assert path.read_text(encoding="utf-8") == p.to_json()
    assert planeval.load_plan(path) == p
    assert planeval.load_plan(str(path)) == p


def test_load_errors(tmp_path: Path) -> None:
    missing = tmp_path / "no" / "plan.json"
    with pytest.raises(PlanError) as info:
        planeval.load_plan(missing)
    assert str(info.value) == f"{missing}: cannot open the plan file"
    with pytest.raises(PlanError, match="cannot read the plan file"):
        planeval.load_plan(tmp_path)  # a directory
    bad = tmp_path / "bad.json"
    bad.write_text('{\n  "id": "x",,\n}', encoding="utf-8")
    with pytest.raises(PlanError) as info:
        planeval.load_plan(bad)
    # the stray comma is at line 2, column 13; the file name prefixes the location
    assert info.value.errors[0].path == f"{bad}:2:13"
    assert info.value.errors[0].message.startswith("malformed JSON")


def test_save_error_is_an_error_not_a_plan_error(mini_text: str, tmp_path: Path) -> None:
    with pytest.raises(planeval.Error, match="cannot open for writing") as info:
        planeval.parse_plan(mini_text).save(tmp_path / "no" / "plan.json")
    assert not isinstance(info.value, PlanError)


def test_pickle_round_trip(mini_text: str) -> None:
    p = planeval.parse_plan(mini_text)
    assert p.__getstate__() == (1, p.to_json())  # format version 1, canonical JSON
    for protocol in range(pickle.HIGHEST_PROTOCOL + 1):
        q = pickle.loads(pickle.dumps(p, protocol=protocol))
        assert q == p and q.to_json() == p.to_json()
    assert copy.deepcopy(p) == p
    assert copy.copy(p) == p


def test_pickle_rejects_unknown_versions(mini_text: str) -> None:
    p = planeval.parse_plan(mini_text)
    blank = Plan.__new__(Plan)
    with pytest.raises(planeval.Error, match="unsupported Plan pickle format version 2"):
        blank.__setstate__((2, p.to_json()))
    with pytest.raises(planeval.Error, match="expected a tuple"):
        Plan.__new__(Plan).__setstate__(("1", p.to_json()))  # type: ignore[arg-type]


# --- building a plan in code --------------------------------------------------------------------


def build() -> Plan:
    p = Plan("demo", "示例规划", dt.date(2021, 1, 1), dt.date(2025, 12, 31), title_en="Demo")
    assert p.add_phase(Phase("p1", "第一阶段", dt.date(2021, 1, 1), dt.date(2022, 12, 31))) == 0
    assert p.add_phase(Phase("p2", "第二阶段", dt.date(2023, 1, 1), dt.date(2025, 12, 31))) == 1
    assert p.add_indicator(Indicator("teachers", "骨干教师数", "人", "count")) == 0
    assert p.add_indicator(Indicator("passed", "通过评估", "boolean", "boolean")) == 1
    assert p.add_entity(Entity("d", "白碱滩区", "district")) == 0
    assert p.add_entity(Entity("s1", "小学", "stage", "d", stage="小学")) == 1
    return p


def test_build_a_plan_in_code() -> None:
    p = build()
    t = Target(
        "t1",
        "teachers",
        "s1",
        Goal(">=", 80),  # no deadline: the plan assumes the horizon end
        Source("骨干教师 80"),
        baseline=Point(dt.date(2020, 12, 31), 66),
    )
    assert p.add_target(t) == 0
    assert t.goal.deadline is None  # the plan stored a copy
    stored = p.target("t1")
    assert stored.goal.deadline == dt.date(2025, 12, 31) and stored.goal.deadline_basis == "assumed"
    assert (stored.indicator_index, stored.scope_index, stored.phase_index) == (0, 1, None)
    t2 = Target("t2", "passed", "d", Goal("pass", deadline=dt.date(2022, 12, 31)), Source("通过"), phase="p1")
    assert p.add_target(t2) == 1
    assert p.target("t2").phase_index == 0
    assert p.add_note(planeval.Note("n1", "说明")) == 0
    assert p.add_observation(planeval.Observation("o1", "teachers", "d", 37, date=dt.date(2020, 12, 31))) == 0
    assert p.add_conflict(planeval.Conflict("c1", ["t1", "n1"], "矛盾")) == 0
    p.source = planeval.Document("示例规划")
    assert p.source == planeval.Document("示例规划")
    assert repr(p) == "Plan(id='demo', targets=2, indicators=2, phases=2)"
    assert [str(w) for w in p.warnings()] == [
        'targets[0].goal.deadline: target "t1": the source states no deadline; assumed to be the horizon end '
        "2025-12-31"
    ]
    # what was built in code survives the JSON round trip
    assert planeval.parse_plan(p.to_json()) == p


def test_plan_constructor_errors() -> None:
    with pytest.raises(PlanError) as info:
        Plan("bad id", "", dt.date(2025, 1, 1), dt.date(2021, 1, 1))
    assert [e.path for e in info.value.errors] == ["id", "title.zh", "horizon.end"]
    assert str(info.value).endswith("(and 2 more errors)")


def test_add_errors_are_located() -> None:
    p = build()
    with pytest.raises(PlanError) as info:
        p.add_phase(Phase("p3", "第三阶段", dt.date(2022, 6, 1), dt.date(2023, 6, 30)))
    paths = [e.path for e in info.value.errors]
    assert paths == ["phases[2]", "phases[2]"]  # overlaps p1 and p2
    assert 'overlaps phase "p1"' in info.value.errors[0].message
    with pytest.raises(PlanError) as info:
        p.add_target(Target("t9", "nope", "s9", Goal(">=", 1), Source("x"), phase="p9"))
    assert [e.path for e in info.value.errors] == [
        "targets[0].indicator",
        "targets[0].scope",
        "targets[0].phase",
    ]
    with pytest.raises(PlanError) as info:
        p.add_target(Target("t9", "teachers", "d", Goal(">=", -1), Source("x")))
    assert [str(e) for e in info.value.errors] == ["targets[0].goal.value: expected a count >= 0, got -1"]
    with pytest.raises(PlanError, match="expected a finite number, got nan"):
        p.add_target(Target("t9", "teachers", "d", Goal(">=", float("nan")), Source("x")))
    with pytest.raises(PlanError, match='duplicate entity id "d"'):
        p.add_entity(Entity("d", "重复", "district"))
    # nothing failed was added
    assert (len(p.phases), len(p.targets), len(p.entities)) == (2, 0, 2)


# --- located errors from plan files -------------------------------------------------------------


def errors_of(data: dict[str, Any]) -> list[tuple[str, str]]:
    with pytest.raises(PlanError) as info:
        planeval.parse_plan(json.dumps(data, ensure_ascii=False))
    return [(e.path, e.message) for e in info.value.errors]


def test_plan_error_is_a_value_error_with_located_errors(mini_json: dict[str, Any]) -> None:
    mini_json["targets"][0]["goal"]["deadline"] = "2025-13-01"
    with pytest.raises(ValueError) as info:  # PlanError -> Error -> ValueError
        planeval.parse_plan(json.dumps(mini_json))
    e = info.value
    assert isinstance(e, PlanError) and isinstance(e, planeval.Error)
    # t1 is rejected, so conflict c1 (which names it) is reported as well
    assert [d.path for d in e.errors] == ["targets[0].goal.deadline", "conflicts[0].items[0]"]
    assert e.errors[0].message == 'expected a date (YYYY-MM-DD, YYYY-MM or YYYY), got "2025-13-01"'
    assert e.errors[0].level == "error"
    assert str(e) == (
        "targets[0].goal.deadline: "
        'expected a date (YYYY-MM-DD, YYYY-MM or YYYY), got "2025-13-01" (and 1 more error)'
    )


def test_unknown_key(mini_json: dict[str, Any]) -> None:
    mini_json["targets"][0]["deadline"] = "2025"
    ((path, message),) = errors_of(mini_json)
    assert path == "targets[0].deadline"
    assert message.startswith('unknown key "deadline"; expected one of: id, name, indicator')


def test_dangling_reference(mini_json: dict[str, Any]) -> None:
    mini_json["targets"][1]["scope"] = "school9"
    mini_json["conflicts"][0]["items"] = ["t1", "zz"]
    assert errors_of(mini_json) == [
        ("targets[1].scope", 'unknown entity "school9"'),
        ("conflicts[0].items[1]", 'unknown target, observation or note "zz"'),
    ]


def test_overlapping_phases(mini_json: dict[str, Any]) -> None:
    mini_json["phases"][1]["start"] = "2022"  # p1 ends 2022-12-31
    errs = errors_of(mini_json)
    assert errs[0] == (
        "phases[1]",
        'phase 2022-01-01..2025-12-31 overlaps phase "p1" (2021-01-01..2022-12-31)',
    )


def test_comparator_invalid_for_kind(mini_json: dict[str, Any]) -> None:
    mini_json["targets"][1]["goal"]["comparator"] = ">="  # t2 is a boolean milestone
    mini_json["targets"][1]["goal"]["value"] = 1
    ((path, message),) = errors_of(mini_json)
    assert path == "targets[1].goal.comparator"
    assert message == 'comparator ">=" is not valid for boolean indicator "passed"; expected "pass"'


def test_duplicate_ids(mini_json: dict[str, Any]) -> None:
    mini_json["indicators"][1]["id"] = "teachers"
    mini_json["notes"][0]["id"] = "t2"  # targets, observations and notes share one id space
    errs = errors_of(mini_json)
    assert ("indicators[1].id", 'duplicate indicator id "teachers"') in errs
    assert ("notes[0].id", 'duplicate id "t2" (already used by a target)') in errs


def test_several_errors_at_once(mini_json: dict[str, Any]) -> None:
    mini_json["targets"][0]["goal"]["deadline"] = "2025-13-01"
    mini_json["indicators"][1]["decimals"] = 1.5
    with pytest.raises(PlanError) as info:
        planeval.parse_plan(json.dumps(mini_json), "mini.json")
    # the rejected target t1 also leaves c1 dangling; o1's reference to the rejected indicator "rate"
    # is not reported again (one error, not a cascade: the indicator's own error is the cause)
    assert [d.path for d in info.value.errors] == [
        "indicators[1].decimals",
        "targets[0].goal.deadline",
        "conflicts[0].items[0]",
    ]
    assert (
        str(info.value)
        == "indicators[1].decimals: expected an integer from 0 to 12, got the number 1.5 (and 2 more errors)"
    )


def test_malformed_json_names_the_source() -> None:
    with pytest.raises(PlanError) as info:
        planeval.parse_plan("[1, 2", "test.json")
    assert info.value.errors[0].path == "test.json:1:6"
    with pytest.raises(PlanError, match=r"^<string>:1:1: malformed JSON"):
        planeval.parse_plan("")


# --- the embedded example -----------------------------------------------------------------------


def test_example_plan() -> None:
    p = planeval.example_plan()
    assert p.id == "baijiantan-education-14th-fyp"
    assert len(p.phases) == 3
    assert p.phase_at(dt.date(2023, 6, 1)).id == "phase2"  # type: ignore[union-attr]
    assert planeval.parse_plan(planeval.example_plan_json()) == p


# --- dates survive the C++ side -----------------------------------------------------------------

valid_dates = st.dates(min_value=dt.date(1400, 1, 1), max_value=dt.date(9999, 12, 31))


@given(valid_dates)
def test_any_valid_date_survives_the_round_trip(d: dt.date) -> None:
    assert planeval.Period(d, d).start == d
    assert planeval.parse_date(planeval.format_date(d)) == d
    assert planeval.parse_date(planeval.format_date(d), "start") == d


@given(valid_dates, valid_dates)
def test_any_horizon_survives_json(a: dt.date, b: dt.date) -> None:
    start, end = min(a, b), max(a, b)
    p = Plan("h", "期", start, end)
    q = planeval.parse_plan(p.to_json())
    assert q.horizon == planeval.Period(start, end)


def test_units_in_english_come_from_the_plan_first(repo_root: Path) -> None:
    plan = planeval.load_plan(repo_root / "examples" / "healthy_people_2030" / "plan.json")
    homicide = plan.indicator("homicide_rate")
    assert (homicide.unit, homicide.unit_en) == ("每10万人", "per 100,000 population")
    report = plan.evaluate(None, as_of=dt.date(2024, 12, 31))
    english = report.to_text("en")
    assert "per 100,000 population" in english
    assert "每10万人" not in english  # the English report speaks English
    assert "每10万人" in report.to_text("zh")
    # an indicator made in Python, written to the plan file and read back
    ind = planeval.Indicator("x", "新增学位", "个", "count", unit_en="school places")
    assert ind.unit_en == "school places"
