#include <planeval/plan.hpp>
#include <planeval/summary.hpp>

#include <doctest/doctest.h>

#include <algorithm>

using namespace planeval;

namespace {

plan small_plan() {
  plan p("mini", {"小规划", "Mini plan"}, {date(2021, 1, 1), date(2025, 12, 31)});
  p.add_phase({"p1", {"第一阶段", "Phase 1"}, date(2021, 1, 1), date(2022, 12, 31), {}});
  p.add_phase({"p2", {"第二阶段", "Phase 2"}, date(2023, 1, 1), date(2025, 12, 31), {}});
  indicator teachers;
  teachers.id = "teachers";
  teachers.name = {"县级以上骨干教师数", "backbone teachers"};
  teachers.unit = "人";
  teachers.kind = value_kind::count;
  p.add_indicator(teachers);
  indicator rate;
  rate.id = "rate";
  rate.name = {"毛入园率", "gross enrolment"};
  rate.unit = "%";
  rate.kind = value_kind::rate;
  p.add_indicator(rate);
  indicator passed;
  passed.id = "passed";
  passed.name = {"通过评估", "evaluation passed"};
  passed.unit = "boolean";
  passed.kind = value_kind::boolean;
  p.add_indicator(passed);
  indicator posts;
  posts.id = "posts";
  posts.name = {"岗位比例", "post structure"};
  posts.unit = "ratio";
  posts.kind = value_kind::shares;
  posts.share_labels = {"高级", "中级", "初级"};
  p.add_indicator(posts);
  entity d;
  d.id = "d";
  d.name = {"白碱滩区", "Baijiantan"};
  d.kind = entity_kind::district;
  p.add_entity(d);
  return p;
}

target make_target(std::string id, std::string ind, comparator c, value v, date deadline) {
  target t;
  t.id = std::move(id);
  t.indicator = std::move(ind);
  t.scope = "d";
  t.goal.comparator = c;
  t.goal.value = std::move(v);
  t.goal.deadline = deadline;
  t.source.phrase = "phrase";
  return t;
}

bool has_error(const plan_error& e, const std::string& path, const std::string& fragment) {
  return std::any_of(e.errors().begin(), e.errors().end(), [&](const diagnostic& d) {
    return d.path == path && d.message.find(fragment) != std::string::npos;
  });
}

} // namespace

TEST_CASE("phase_at and phase rules") {
  plan p = small_plan();
  CHECK(p.phase_at(date(2022, 12, 31))->id == "p1");
  CHECK(p.phase_at(date(2023, 1, 1))->id == "p2");
  CHECK(p.phase_at(date(2020, 6, 1)) == nullptr);
  CHECK(p.phase_index_at(date(2025, 12, 31)) == 1u);
  // overlapping phase
  try {
    p.add_phase({"p3", {"第三阶段", ""}, date(2025, 1, 1), date(2025, 6, 30), {}});
    FAIL("expected plan_error");
  } catch (const plan_error& e) {
    CHECK(has_error(e, "phases[2]", "overlaps phase \"p2\""));
  }
  plan q("q", {"规划", ""}, {date(2021, 1, 1), date(2025, 12, 31)});
  CHECK_THROWS_AS(q.add_phase({"late", {"阶段", ""}, date(2025, 6, 1), date(2026, 6, 1), {}}), plan_error);
  CHECK_THROWS_AS(q.add_phase({"rev", {"阶段", ""}, date(2024, 6, 1), date(2023, 6, 1), {}}), plan_error);
  CHECK(q.phases().empty());
  CHECK_THROWS_AS(plan("bad id", {"规划", ""}, {date(2021, 1, 1), date(2025, 12, 31)}), plan_error);
  CHECK_THROWS_AS(plan("x", {"", ""}, {date(2021, 1, 1), date(2025, 12, 31)}), plan_error);
}

TEST_CASE("targets resolve references and validate goals") {
  plan p = small_plan();
  auto t = make_target("t1", "teachers", comparator::ge, 80.0, date(2025, 12, 31));
  t.baseline = point{date(2020, 12, 31), 66.0, {}};
  t.milestones.push_back({date(2023, 12, 31), 72.0, {}});
  t.phase = "p2";
  const auto i = p.add_target(t);
  CHECK(p.targets()[i].indicator_index == 0);
  CHECK(p.targets()[i].phase_index == 1u);
  CHECK(p.find_target("t1") == i);

  // comparator invalid for kind
  try {
    p.add_target(make_target("t2", "passed", comparator::ge, 1.0, date(2023, 12, 31)));
    FAIL("expected plan_error");
  } catch (const plan_error& e) {
    CHECK(has_error(e, "targets[1].goal.comparator", "not valid for boolean indicator \"passed\"; expected \"pass\""));
  }
  // percentage out of range, dangling references, duplicate id
  try {
    auto bad = make_target("t1", "rate", comparator::ge, 120.0, date(2025, 12, 31));
    bad.scope = "ghost";
    bad.phase = "p9";
    p.add_target(bad);
    FAIL("expected plan_error");
  } catch (const plan_error& e) {
    CHECK(has_error(e, "targets[1].goal.value", "expected a percentage from 0 to 100"));
    CHECK(has_error(e, "targets[1].scope", "unknown entity \"ghost\""));
    CHECK(has_error(e, "targets[1].phase", "unknown phase \"p9\""));
    CHECK(has_error(e, "targets[1].id", "duplicate id \"t1\""));
    CHECK(e.errors().size() == 4);
  }
  // milestone outside baseline..deadline
  try {
    auto bad = make_target("t3", "teachers", comparator::ge, 80.0, date(2024, 12, 31));
    bad.baseline = point{date(2020, 12, 31), 66.0, {}};
    bad.milestones.push_back({date(2025, 6, 30), 72.0, {}});
    p.add_target(bad);
    FAIL("expected plan_error");
  } catch (const plan_error& e) {
    CHECK(has_error(e, "targets[1].milestones[0].date", "on or before the deadline 2024-12-31, got 2025-06-30"));
  }
  // NaN goal
  CHECK_THROWS_AS(p.add_target(make_target("t4", "teachers", comparator::ge, std::nan(""), date(2025, 12, 31))),
                  plan_error);
  // increase needs a baseline
  CHECK_THROWS_AS(p.add_target(make_target("t5", "teachers", comparator::increase, missing, date(2025, 12, 31))),
                  plan_error);
  CHECK(p.targets().size() == 1); // failed adds leave the plan unchanged
}

TEST_CASE("missing deadline is assumed from the horizon and warned about") {
  plan p = small_plan();
  auto t = make_target("posts", "posts", comparator::eq, std::vector<double>{3, 4, 3}, date());
  t.goal.tolerance = 2.0;
  p.add_target(t);
  CHECK(p.targets()[0].goal.deadline == date(2025, 12, 31));
  CHECK(p.targets()[0].goal.deadline_basis == deadline_basis::assumed);
  const auto w = p.warnings();
  REQUIRE(w.size() == 1);
  CHECK(w[0].path == "targets[0].goal.deadline");
  CHECK(w[0].level == severity::warning);
}

TEST_CASE("warnings: goal met at baseline, conflicting goals") {
  plan p = small_plan();
  auto a = make_target("a", "rate", comparator::ge, 99.0, date(2025, 12, 31));
  a.baseline = point{date(2020, 12, 31), 99.5, {}};
  p.add_target(a);
  p.add_target(make_target("b", "rate", comparator::ge, 95.0, date(2025, 12, 31)));
  const auto w = p.warnings();
  REQUIRE(w.size() == 2);
  CHECK(w[0].message.find("already met at the baseline (99.5") != std::string::npos);
  CHECK(w[1].message.find("different goals") != std::string::npos);
  CHECK(w[1].message.find("not recorded as a conflict") != std::string::npos);
  // a goal that must hold from a date on (保持在99%以上) is meant to be met at the baseline: no warning
  auto h = make_target("h", "rate", comparator::ge, 99.0, date(2025, 12, 31));
  h.baseline = point{date(2020, 12, 31), 99.5, {}};
  h.goal.from = date(2021, 1, 1);
  plan q = small_plan();
  q.add_target(h);
  CHECK(q.warnings().empty());
  note n{"n1", {"原文矛盾", ""}, {}};
  p.add_note(n);
  p.add_conflict({"c1", {"a", "b"}, {"两处目标不一致", "two goals differ"}});
  CHECK(p.warnings()[1].message.find("recorded as conflict \"c1\"") != std::string::npos);
  CHECK_THROWS_AS(p.add_conflict({"c2", {"a", "zzz"}, {"x", ""}}), plan_error);
  CHECK_THROWS_AS(p.add_conflict({"c3", {"a"}, {"x", ""}}), plan_error);
}

TEST_CASE("satisfies compares values with goals") {
  goal g;
  g.comparator = comparator::ge;
  g.value = 50.0;
  CHECK(satisfies(g, 50.0) == true);
  CHECK(satisfies(g, 49.9) == false);
  CHECK(!satisfies(g, missing));
  g.comparator = comparator::gt;
  CHECK(satisfies(g, 50.0) == false);
  g.comparator = comparator::between;
  g.value = std::vector<double>{1, 2};
  CHECK(satisfies(g, 1.5) == true);
  CHECK(satisfies(g, 2.5) == false);
  g.comparator = comparator::pass;
  g.value = missing;
  CHECK(satisfies(g, true) == true);
  CHECK(satisfies(g, false) == false);
  g.comparator = comparator::increase;
  CHECK(satisfies(g, 10.0, 9.0) == true);
  CHECK(!satisfies(g, 10.0));
  // 3:4:3 is 30/40/30 %. Actual 61:80:59 (200 posts) is 30.5/40/29.5 %: largest gap 0.5 points.
  g.comparator = comparator::eq;
  g.value = std::vector<double>{3, 4, 3};
  g.tolerance = 1.0;
  CHECK(satisfies(g, std::vector<double>{61, 80, 59}) == true);
  g.tolerance = 0.4;
  CHECK(satisfies(g, std::vector<double>{61, 80, 59}) == false);
}

TEST_CASE("count and summary") {
  plan p = small_plan();
  p.add_target(make_target("a", "teachers", comparator::ge, 80.0, date(2025, 12, 31)));
  p.add_target(make_target("b", "passed", comparator::pass, missing, date(2022, 12, 31)));
  auto t = make_target("c", "teachers", comparator::non_decreasing, missing, date(2025, 12, 31));
  t.goal.from = date(2021, 1, 1);
  p.add_target(t);
  const auto c = count(p);
  CHECK(c.targets_by_kind.at("quantitative") == 1);
  CHECK(c.targets_by_kind.at("milestone") == 1);
  CHECK(c.targets_by_kind.at("trend") == 1);
  const auto s = summary(p, "en");
  CHECK(s.find("Mini plan") != std::string::npos);
  CHECK(s.find("Targets: 3") != std::string::npos);
}
