"""Report is a real class (issue 14): targets, phases, problems and conflicts are value objects
(TargetResult, PhaseSummary, Problem, ReportConflict) with attributes and mapping access to their
JSON form, class-name reprs, ==, and versioned pickles; a problem names its target ``id`` (the old
key ``target`` reads with a FutureWarning); ``as_of`` takes any date the API conventions allow.

The plan and rows are those of test_evaluate.py (the C++ evaluate test's plan): t_lag's worked
numbers (actual 70 = a 40 + b 30, goal 80, expected 72) are derived there."""

from __future__ import annotations

import datetime
import pickle
import warnings

import pytest
from test_evaluate import AS_OF, mini_data

import planeval
from planeval import PhaseSummary, Problem, Report, TargetResult
from planeval._report import ReportConflict


@pytest.fixture(scope="module")
def report() -> Report:
    plan, obs = mini_data()
    return planeval.evaluate(plan, obs, as_of=AS_OF)


def test_target_result_attributes_and_mapping(report: Report) -> None:
    lag = report.target("t_lag")
    assert isinstance(lag, TargetResult)
    # attributes, typed
    assert (lag.id, lag.indicator, lag.status) == ("t_lag", "teachers", "lagging")
    assert lag.actual == 70.0 and lag.goal == 80.0 and lag.expected == pytest.approx(72.0)
    assert lag.deadline == datetime.date(2025, 12, 31)
    assert lag.actual_date == datetime.date(2023, 12, 31)
    assert lag.due is False and lag.provisional is False and lag.judged_from == "data"
    assert lag.assessments[0]["method"] == "linear" and lag.trace["rule"] == "sum"
    # the mapping is the JSON form (dates as ISO text), the same as Report.to_dict()
    assert lag["status"] == "lagging" and lag["deadline"] == "2025-12-31"
    assert dict(lag) == next(t for t in report.to_dict()["targets"] if t["id"] == "t_lag")
    assert lag.to_dict() == dict(lag)
    assert lag == dict(lag)  # compares with the plain dict of its JSON form
    assert "id" in lag and "target" not in lag
    # what reading hands out is a copy: changing it leaves the report as it was
    lag["trace"]["rule"] = "changed"
    lag.assessments.clear()
    assert report.target("t_lag").trace["rule"] == "sum" and report.target("t_lag").assessments
    with pytest.raises(TypeError):
        lag["status"] = "met"  # type: ignore[index]
    assert repr(lag) == (
        f"TargetResult(id='t_lag', status='lagging', actual=70.0, expected={lag.expected!r}, "
        f"forecast={lag.forecast!r})"
    )


def test_phases_problems_conflicts_are_value_objects(report: Report) -> None:
    assert all(isinstance(p, PhaseSummary) for p in report.phases) and report.phases
    phase = report.phases[0]
    assert phase.id == phase["phase"] == phase.phase
    assert phase.targets == phase["targets"] and isinstance(phase.start, datetime.date)
    assert repr(phase).startswith(f"PhaseSummary(phase={phase.id!r}, targets={phase.targets}")

    # the problems of test_evaluate: rows after as_of (no target), and t_na's single point
    assert [(p.code, p.id) for p in report.problems] == [("after_as_of", ""), ("too_few_points", "t_na")]
    problem = report.problems[1]
    assert isinstance(problem, Problem) and problem["id"] == "t_na"
    assert repr(problem) == "Problem(code='too_few_points', id='t_na')"
    with pytest.warns(FutureWarning, match=r'Problem\["target"\] is renamed "id"'):
        assert problem["target"] == "t_na"
    with pytest.warns(FutureWarning):
        assert problem.target == "t_na"

    [conflict] = report.conflicts
    assert isinstance(conflict, ReportConflict)
    assert conflict == {
        "id": "c1",
        "items": ["t_on", "t_ach"],
        "description": {"zh": "两个目标值不同", "en": "two goals differ"},
    }
    assert conflict.items == ["t_on", "t_ach"] and repr(conflict) == "ReportConflict(id='c1')"


def test_one_key_for_the_target_id(report: Report) -> None:
    """Targets and problems name a target by `id`; the old key `target` is nowhere in what the
    report hands out (only read, with a warning, from a problem)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # reading by `id` never warns
        ids = [t.id for t in report.targets] + [p["id"] for p in report.problems]
    assert "t_lag" in ids and "t_na" in ids
    assert all("target" not in t for t in report.targets)
    assert all("target" not in p for p in report.problems)


def test_value_objects_compare_and_pickle(report: Report) -> None:
    lag, on = report.target("t_lag"), report.target("t_on")
    assert lag == report.target("t_lag") and lag != on
    for item in (lag, report.phases[0], report.problems[1], report.conflicts[0]):
        back = pickle.loads(pickle.dumps(item))
        assert type(back) is type(item) and back == item and repr(back) == repr(item)
        assert item.__getstate__()[0] == 1  # the version first
    # an unknown version is refused, naming the class
    with pytest.raises(planeval.Error, match=r"TargetResult: cannot unpickle state version 99"):
        TargetResult.__new__(TargetResult).__setstate__((99, {}))


def test_report_repr_eq_and_pickle(report: Report) -> None:
    assert repr(report).startswith("Report(plan='eval-mini', as_of=2023-12-31, ")
    plan, obs = mini_data()
    again = planeval.evaluate(plan, obs, as_of=AS_OF)
    assert again == report
    assert planeval.evaluate(plan, obs, as_of=datetime.date(2022, 12, 31)) != report

    back = pickle.loads(pickle.dumps(report))
    assert isinstance(back, Report) and back == report and repr(back) == repr(report)
    assert back.to_dict() == report.to_dict()
    # the texts come with it (an unpickled report has no C++ report to ask)
    assert back.to_text("en") == report.to_text("en") and back.to_text("zh") == report.to_text("zh")
    assert back.target("t_lag").status == "lagging" and back.plan == report.plan
    frame = back.to_frame()
    assert list(frame["status"]) == [t.status for t in report.targets]
    with pytest.raises(planeval.Error, match=r"Report: cannot unpickle state version 2"):
        Report.__new__(Report).__setstate__((2, {}, None, {}))


def test_as_of_takes_any_date_of_the_api_conventions() -> None:
    plan, obs = mini_data()
    by_date = planeval.evaluate(plan, obs, as_of=datetime.date(2023, 12, 31))
    # an int year is 31 December of that year; an ISO string is its date
    assert plan.evaluate(obs, as_of=2023) == by_date
    assert planeval.evaluate(plan, obs, as_of="2023-12-31") == by_date
    assert plan.evaluate(obs, as_of="2023-06-30").as_of == datetime.date(2023, 6, 30)
    with pytest.raises(TypeError, match=r"as_of"):
        planeval.evaluate(plan, obs, as_of=datetime.datetime(2023, 12, 31, 12, 0))
