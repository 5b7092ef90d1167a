"""The value types: construction, properties, repr, equality, copies and value conversions."""

from __future__ import annotations

import copy
import datetime as dt
import math
import pickle
from fractions import Fraction

import pytest

import planeval
from planeval import (
    Conflict,
    Diagnostic,
    Document,
    Entity,
    Goal,
    Indicator,
    Note,
    Observation,
    Period,
    Phase,
    Point,
    Source,
    Target,
    Text,
)

D = dt.date(2020, 12, 31)


# --- plan values --------------------------------------------------------------------------------


def test_true_stays_a_boolean() -> None:
    v = Point(D, True).value
    assert v is True  # not 1.0: bool is tested before int
    assert Point(D, False).value is False


def test_ints_become_floats() -> None:
    v = Point(D, 3).value
    assert v == 3.0 and type(v) is float
    assert Point(D, Fraction(1, 4)).value == 0.25  # type: ignore[arg-type]


def test_sequences_become_share_vectors() -> None:
    assert Point(D, [3, 4, 3]).value == [3.0, 4.0, 3.0]
    v = Point(D, (1.5, 2)).value
    assert v == [1.5, 2.0] and type(v) is list
    assert Point(D, []).value == []


def test_none_is_missing() -> None:
    assert Point(D, None).value is None
    assert Goal("pass").value is None


def test_non_finite_numbers_pass_through() -> None:
    # The bindings do not filter them: plan validation reports them with a located error.
    v = Point(D, float("nan")).value
    assert isinstance(v, float) and math.isnan(v)
    assert Point(D, float("inf")).value == math.inf
    assert Point(D, [1.0, -math.inf]).value == [1.0, -math.inf]


@pytest.mark.parametrize("bad", ["80", b"80", [True, False], [1, "2"], {"a": 1}, object()])
def test_other_values_are_refused(bad: object) -> None:
    with pytest.raises(TypeError):
        Point(D, bad)  # type: ignore[arg-type]


def test_value_property_is_writable() -> None:
    p = Point(D, 1)
    p.value = [1, 2]
    assert p.value == [1.0, 2.0]
    p.value = True
    assert p.value is True
    p.value = None
    assert p.value is None


# --- small types --------------------------------------------------------------------------------


def test_text() -> None:
    t = Text("小学", en="primary")
    assert (t.zh, t.en) == ("小学", "primary")
    assert repr(t) == "Text(zh='小学', en='primary')"
    assert repr(Text("小学")) == "Text(zh='小学')"  # empty English left out
    assert t == Text("小学", "primary")
    assert t != Text("小学")
    assert t.in_language("en") == "primary"
    assert Text("小学").in_language("en") == "小学"  # falls back to Chinese
    t.en = "primary school"
    assert t.en == "primary school"


def test_source_and_document() -> None:
    s = Source("99%以上", section="第一章")
    assert (s.phrase, s.section) == ("99%以上", "第一章")
    assert repr(s) == "Source(phrase='99%以上', section='第一章')"
    assert Source("x") == Source("x", "")
    d = Document("规划", url="https://example.org/plan.pdf")
    assert (d.title, d.file, d.issuer, d.url) == ("规划", "", "", "https://example.org/plan.pdf")
    assert repr(d) == "Document(title='规划', url='https://example.org/plan.pdf')"


def test_value_types_are_unhashable() -> None:
    # mutable values with __eq__: hashing them would break dictionaries
    with pytest.raises(TypeError):
        hash(Text("x"))


def test_equality_with_other_types_is_false() -> None:
    assert Text("x") != "x"
    assert Source("x") != Text("x")


def test_copies_are_independent() -> None:
    a = Indicator("rate", "毛入园率", "%", "rate", tags=["a"])
    b = copy.copy(a)
    c = copy.deepcopy(a)
    assert a == b == c
    b.name.zh = "改"
    c.unit = "‰"
    assert a.name.zh == "毛入园率" and a.unit == "%"


def test_diagnostic() -> None:
    d = Diagnostic("targets[0].goal", "expected a value")
    assert (d.path, d.message, d.level) == ("targets[0].goal", "expected a value", "error")
    assert str(d) == "targets[0].goal: expected a value"
    assert str(Diagnostic("", "no path")) == "no path"
    assert repr(d) == "Diagnostic(path='targets[0].goal', message='expected a value', level='error')"
    assert Diagnostic("p", "m", "warning").level == "warning"
    with pytest.raises(planeval.PlanError):
        Diagnostic("p", "m", "fatal")
    with pytest.raises(AttributeError):
        d.path = "x"  # type: ignore[misc]


# --- items --------------------------------------------------------------------------------------


def test_indicator_defaults() -> None:
    i = Indicator("teachers", "骨干教师数", "人", "count")
    assert i.direction == "increase"
    assert (i.name_zh, i.name_en, i.name) == ("骨干教师数", "", Text("骨干教师数"))
    assert i.decimals is None and i.definition is None and i.source is None
    assert (i.stages, i.tags, i.share_labels, i.domain) == ([], [], [], "")
    assert i.across_entities is None and i.across_time is None
    assert i.is_numeric and not i.is_percentage
    assert (
        repr(i)
        == "Indicator(id='teachers', name_zh='骨干教师数', unit='人', kind='count', direction='increase')"
    )


def test_indicator_all_fields() -> None:
    i = Indicator(
        "posts",
        "岗位比例",
        "ratio",
        "shares",
        "band",
        name_en="post structure",
        decimals=1,
        stages=["小学", "初中"],
        domain="teachers",
        tags=["structure"],
        definition=Text("高级:中级:初级"),
        share_labels=["高级", "中级", "初级"],
        across_entities="sum",
        across_time="last",
        source=Source("3∶4∶3"),
    )
    assert (i.kind, i.direction, i.decimals) == ("shares", "band", 1)
    assert i.stages == ["小学", "初中"]
    assert i.share_labels == ["高级", "中级", "初级"]
    assert (i.across_entities, i.across_time) == ("sum", "last")
    assert i.definition == Text("高级:中级:初级")
    assert not i.is_numeric
    i.name_en = "posts"  # the shortcut writes into the Text
    assert i.name == Text("岗位比例", "posts")
    i.across_time = None
    assert i.across_time is None
    i.stages = ["高中"]
    assert i.stages == ["高中"]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"kind": "counts"}, "kind"),
        ({"kind": "count", "direction": "up"}, "direction"),
        ({"kind": "count", "stages": ["primary"]}, "stages"),
        ({"kind": "count", "across_entities": "median"}, "across_entities"),
        ({"kind": "count", "across_time": "median"}, "across_time"),
    ],
)
def test_indicator_bad_enum_names(kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(planeval.PlanError) as info:
        Indicator("x", "指标", "人", **kwargs)  # type: ignore[arg-type]
    assert info.value.errors[0].path == field
    assert info.value.errors[0].message.startswith("expected one of ")


def test_enum_setter_checks_the_name() -> None:
    i = Indicator("x", "指标", "人", "count")
    with pytest.raises(planeval.PlanError, match='kind: expected one of "count", "amount", "rate", "ratio"'):
        i.kind = "Count"
    assert i.kind == "count"  # unchanged


def test_entity() -> None:
    e = Entity("s1", "第一小学", "school", "d", stage="小学", ownership="公办", students=1200)
    assert (e.id, e.name_zh, e.kind, e.parent) == ("s1", "第一小学", "school", "d")
    assert (e.stage, e.ownership, e.students) == ("小学", "公办", 1200.0)
    assert repr(e) == (
        "Entity(id='s1', name_zh='第一小学', kind='school', parent='d', stage='小学', ownership='公办', "
        "students=1200.0)"
    )
    root = Entity("d", "白碱滩区", "district")
    assert (root.parent, root.stage, root.ownership, root.students) == ("", None, None, None)
    root.ownership = "民办"
    assert root.ownership == "民办"
    with pytest.raises(planeval.PlanError, match="ownership"):
        root.ownership = "public"
    with pytest.raises(planeval.PlanError, match='"nation", "province", "city", "prefecture", "county"'):
        Entity("x", "x", "township")
    assert Entity("x", "某县", "county").kind == "county"  # a county is not a district (全县, not 全区)


def test_phase() -> None:
    p = Phase("p1", "第一阶段", dt.date(2021, 1, 1), dt.date(2022, 12, 31), name_en="Phase 1")
    assert (p.id, p.name, p.start, p.end) == (
        "p1",
        Text("第一阶段", "Phase 1"),
        dt.date(2021, 1, 1),
        dt.date(2022, 12, 31),
    )
    assert p.contains(dt.date(2022, 12, 31)) and not p.contains(dt.date(2023, 1, 1))
    assert p.period == Period(dt.date(2021, 1, 1), dt.date(2022, 12, 31), "custom")
    assert repr(p) == (
        "Phase(id='p1', name_zh='第一阶段', start=datetime.date(2021, 1, 1), "
        "end=datetime.date(2022, 12, 31), name_en='Phase 1')"
    )


def test_goal() -> None:
    g = Goal(">=", 80, deadline=dt.date(2025, 12, 31))
    assert (g.comparator, g.value, g.deadline, g.deadline_basis) == (
        ">=",
        80.0,
        dt.date(2025, 12, 31),
        "stated",
    )
    assert g.tolerance is None and g.from_ is None and not g.deadline_assumed
    # no deadline yet: a plan will assume the horizon end
    g2 = Goal("=", [3, 4, 3], tolerance=2, from_=dt.date(2023, 1, 1))
    assert g2.deadline is None
    assert (g2.value, g2.tolerance, g2.from_) == ([3.0, 4.0, 3.0], 2.0, dt.date(2023, 1, 1))
    assert repr(g2) == (
        "Goal(comparator='=', value=[3.0, 4.0, 3.0], deadline_basis='stated', tolerance=2.0, "
        "from_=datetime.date(2023, 1, 1))"
    )
    assert Goal("between", (1, 2)).value == [1.0, 2.0]
    assert Goal("pass", deadline_basis="assumed").deadline_assumed
    g.deadline = None
    assert g.deadline is None
    with pytest.raises(planeval.PlanError) as info:
        Goal("≥", 80)
    assert info.value.errors[0].path == "comparator"
    with pytest.raises(planeval.PlanError, match="deadline_basis"):
        Goal(">=", 80, deadline_basis="soon")


def test_target() -> None:
    t = Target(
        "t1",
        "teachers",
        "s1",
        Goal(">=", 80, deadline=dt.date(2025, 12, 31)),
        Source("小学 县级以上骨干教师数 66 80"),
        baseline=Point(D, 66),
        milestones=[Point(dt.date(2023, 12, 31), 72)],
        phase="p2",
    )
    assert (t.id, t.indicator, t.scope, t.phase) == ("t1", "teachers", "s1", "p2")
    assert t.baseline == Point(D, 66.0)
    assert t.milestones == [Point(dt.date(2023, 12, 31), 72.0)]
    assert (t.standard, t.qualitative, t.name, t.notes) == ("", None, None, "")
    # indices are filled in by Plan.add_target
    assert (t.indicator_index, t.scope_index, t.phase_index) == (0, 0, None)
    with pytest.raises(AttributeError):
        t.indicator_index = 3  # type: ignore[misc]
    # nested values are edited in place
    t.goal.value = 90
    assert t.goal.value == 90.0
    assert repr(t).startswith("Target(id='t1', indicator='teachers', scope='s1', goal=Goal(comparator='>='")
    u = copy.deepcopy(t)
    assert u == t
    u.goal.value = 1
    assert u != t


def test_observation_dated_and_period() -> None:
    o = Observation("o1", "rate", "d", 99, date=D, qualifier=">=", source=Source("99%以上"))
    assert (o.date, o.period, o.dated) == (D, None, True)
    assert o.covered == Period(D, D)
    assert (o.value, o.qualifier) == (99.0, ">=")
    assert repr(o) == (
        "Observation(id='o1', indicator='rate', entity='d', value=99.0, date=datetime.date(2020, 12, 31), "
        "qualifier='>=', source=Source(phrase='99%以上'))"
    )
    p = Observation("o3", "teachers", "d", 40, period=Period.school_year(2021))
    assert (p.date, p.period, p.dated, p.qualifier) == (None, Period.school_year(2021), False, None)
    p.date = dt.date(2022, 8, 31)
    assert (p.date, p.period, p.dated) == (dt.date(2022, 8, 31), None, True)


def test_observation_needs_a_date_or_a_period() -> None:
    with pytest.raises(planeval.PlanError, match="either a date or a period"):
        Observation("o", "rate", "d", 1)
    with pytest.raises(planeval.PlanError, match="either a date or a period"):
        Observation("o", "rate", "d", 1, date=D, period=Period.calendar_year(2020))
    with pytest.raises(planeval.PlanError, match="qualifier"):
        Observation("o", "rate", "d", 1, date=D, qualifier="about")


def test_conflict_and_note() -> None:
    c = Conflict("c1", ["t1", "n1"], "矛盾", description_en="conflict")
    assert (c.items, c.description, c.description_zh) == (["t1", "n1"], Text("矛盾", "conflict"), "矛盾")
    assert (
        repr(c) == "Conflict(id='c1', items=['t1', 'n1'], description_zh='矛盾', description_en='conflict')"
    )
    n = Note("n1", "说明", source=Source("原文"))
    assert (n.text, n.text_en, n.source) == (Text("说明"), "", Source("原文"))
    n.text_en = "remark"
    assert n.text == Text("说明", "remark")
    assert repr(n) == "Note(id='n1', text_zh='说明', text_en='remark', source=Source(phrase='原文'))"


@pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
def test_value_types_pickle_on_every_protocol(protocol: int) -> None:
    # Every value type pickles, versioned (API conventions, item 10; tests/python/test_api_conventions.py
    # covers all of them); protocols 0 and 1 used to abort the interpreter inside pybind11.
    assert pickle.loads(pickle.dumps(Text("x", "y"), protocol=protocol)) == Text("x", "y")
