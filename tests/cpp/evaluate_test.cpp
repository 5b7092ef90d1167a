// Copyright (c) 2026 planeval developers. Distributed under the MIT License.
// evaluate(): a small hand-made plan in which every status appears (as of 2023-12-31).
//
// Entities: district d > stage s1 (小学) > schools a, b. Yearly data rows (start 1 Jan, end 31 Dec):
//   teachers (count, summed):  2023: a 40, b 30            -> s1 = d = 70
//   rate (%, ratio of sums):   2022: a 95 (w 100), b 85 (w 100) -> d = (9500 + 8500) / 200 = 90
//                              2023: a 96 (w 300), b 90 (w 100) -> d = (28800 + 9000) / 400 = 94.5
//   spend (万元, at d itself): 2021 100, 2022 110, 2023 105 (falls in 2023)
//   lib2 (count, at d):        2023 20
//   one teachers row in 2024 (after as_of: ignored and counted)
// Targets and the status each must get:
//   t_lag      teachers s1, baseline 2020 60, >= 80 by 2025: expected 60 + 20 × 0.6 = 72 > 70 -> lagging
//   t_on       teachers d,  baseline 2020 60, >= 75 by 2025: expected 60 + 15 × 0.6 = 69 <= 70 -> on_track
//   t_ach      teachers d,  >= 65 by 2025, no baseline: 70 >= 65                  -> achieved
//   t_met      rate d >= 90 by 2022-12-31: 90 >= 90                                 -> met
//   t_missed   rate d >= 95 by 2023-12-31: 94.5 < 95                                -> missed
//   t_pass     passed d, pass by 2022; the plan records passed = true for 2022      -> met
//   t_notdue   certified d, pass by 2025; no result                                   -> not_due
//   t_nodata   lib d >= 10 by 2025; no rows                                          -> no_data
//   t_yoy      spend d non_decreasing: 2023 (105) < 2022 (110)                      -> missed
//   t_na       lib2 d >= 50 by 2025: one value (20), no baseline                    -> not_assessable

#include <planeval/detail/format_number.hpp>
#include <planeval/evaluate.hpp>
#include <planeval/json.hpp>

#include <boost/json.hpp>
#include <doctest/doctest.h>

using namespace planeval;

namespace {

const char* const plan_text = R"({
  "format": "planeval-plan", "format_version": 1, "id": "eval-mini",
  "title": {"zh": "评估小规划", "en": "Evaluation mini plan"},
  "horizon": {"start": "2021-01-01", "end": "2025-12-31"},
  "phases": [
    {"id": "p1", "name": {"zh": "第一阶段"}, "start": "2021-01-01", "end": "2022-12-31"},
    {"id": "p2", "name": {"zh": "第二阶段"}, "start": "2023-01-01", "end": "2025-12-31"}
  ],
  "domains": [{"id": "teachers", "name": {"zh": "教师队伍", "en": "teachers"}},
              {"id": "quality", "name": {"zh": "教育质量", "en": "quality"}}],
  "indicators": [
    {"id": "teachers", "name": {"zh": "骨干教师数", "en": "backbone teachers"}, "unit": "人", "kind": "count", "direction": "increase", "domain": "teachers"},
    {"id": "rate", "name": {"zh": "达标率", "en": "compliance rate"}, "unit": "%", "kind": "rate", "direction": "increase", "decimals": 1, "domain": "quality"},
    {"id": "passed", "name": {"zh": "通过评估", "en": "evaluation passed"}, "unit": "boolean", "kind": "boolean", "direction": "increase"},
    {"id": "spend", "name": {"zh": "教育支出", "en": "education spending"}, "unit": "万元", "kind": "amount", "direction": "increase"},
    {"id": "certified", "name": {"zh": "通过认定", "en": "certified"}, "unit": "boolean", "kind": "boolean", "direction": "increase"},
    {"id": "lib", "name": {"zh": "图书馆数", "en": "libraries"}, "unit": "个", "kind": "count", "direction": "increase"},
    {"id": "lib2", "name": {"zh": "阅览室数", "en": "reading rooms"}, "unit": "个", "kind": "count", "direction": "increase"}
  ],
  "entities": [
    {"id": "d", "name": {"zh": "区"}, "kind": "district"},
    {"id": "s1", "name": {"zh": "小学"}, "kind": "stage", "parent": "d", "stage": "小学"},
    {"id": "a", "name": {"zh": "甲校"}, "kind": "school", "parent": "s1", "stage": "小学"},
    {"id": "b", "name": {"zh": "乙校"}, "kind": "school", "parent": "s1", "stage": "小学"}
  ],
  "targets": [
    {"id": "t_lag", "indicator": "teachers", "scope": "s1", "baseline": {"date": "2020-12-31", "value": 60},
     "goal": {"comparator": ">=", "value": 80, "deadline": "2025-12-31"}, "phase": "p2", "source": {"phrase": "80"}},
    {"id": "t_on", "indicator": "teachers", "scope": "d", "baseline": {"date": "2020-12-31", "value": 60},
     "goal": {"comparator": ">=", "value": 75, "deadline": "2025-12-31"}, "phase": "p2", "source": {"phrase": "75"}},
    {"id": "t_ach", "indicator": "teachers", "scope": "d",
     "goal": {"comparator": ">=", "value": 65, "deadline": "2025-12-31"}, "phase": "p2", "source": {"phrase": "65"}},
    {"id": "t_met", "indicator": "rate", "scope": "d",
     "goal": {"comparator": ">=", "value": 90, "deadline": "2022-12-31"}, "phase": "p1", "source": {"phrase": "90%"}},
    {"id": "t_missed", "indicator": "rate", "scope": "d",
     "goal": {"comparator": ">=", "value": 95, "deadline": "2023-12-31"}, "phase": "p2", "source": {"phrase": "95%"}},
    {"id": "t_pass", "indicator": "passed", "scope": "d", "goal": {"comparator": "pass", "deadline": "2022-12-31"},
     "phase": "p1", "source": {"phrase": "2022年通过"}},
    {"id": "t_notdue", "indicator": "certified", "scope": "d", "goal": {"comparator": "pass", "deadline": "2025-12-31"},
     "phase": "p2", "source": {"phrase": "2025年通过"}},
    {"id": "t_nodata", "indicator": "lib", "scope": "d",
     "goal": {"comparator": ">=", "value": 10, "deadline": "2025-12-31"}, "phase": "p2", "source": {"phrase": "10"}},
    {"id": "t_yoy", "indicator": "spend", "scope": "d",
     "goal": {"comparator": "non_decreasing", "deadline": "2025-12-31"}, "source": {"phrase": "只增不减"}},
    {"id": "t_na", "indicator": "lib2", "scope": "d",
     "goal": {"comparator": ">=", "value": 50, "deadline": "2025-12-31"}, "source": {"phrase": "50"}}
  ],
  "observations": [
    {"id": "o_pass", "indicator": "passed", "entity": "d", "period": {"start": "2022-01-01", "end": "2022-12-31"}, "value": true}
  ],
  "conflicts": [{"id": "c1", "items": ["t_on", "t_ach"], "description": {"zh": "两个目标值不同", "en": "two goals differ"}}]
})";

struct data {
  plan p = parse_plan(plan_text);
  observation_table t;
  void row(const char* ind, const char* ent, int year, double x, double w = 1) {
    t.push_back(*p.find_indicator(ind), *p.find_entity(ent),
                to_day_number(date(static_cast<unsigned short>(year), 1, 1)),
                to_day_number(date(static_cast<unsigned short>(year), 12, 31)), x);
    t.weight.push_back(w);
  }
  data() {
    row("teachers", "a", 2023, 40);
    row("teachers", "b", 2023, 30);
    row("rate", "a", 2022, 95, 100);
    row("rate", "b", 2022, 85, 100);
    row("rate", "a", 2023, 96, 300);
    row("rate", "b", 2023, 90, 100);
    row("spend", "d", 2021, 100);
    row("spend", "d", 2022, 110);
    row("spend", "d", 2023, 105);
    row("lib2", "d", 2023, 20);
    row("teachers", "a", 2024, 99);
  }
};

const target_evaluation& get(const report& r, const char* id) {
  const auto* t = r.find(id);
  REQUIRE(t != nullptr);
  return *t;
}

} // namespace

TEST_CASE("evaluate: every status on a hand-made plan") {
  data d;
  evaluate_options o;
  o.as_of = date(2023, 12, 31);
  const report r = evaluate(d.p, d.t.view(), o);
  REQUIRE(r.targets.size() == 10);

  const auto& lag = get(r, "t_lag");
  CHECK(lag.status == target_status::lagging);
  CHECK(lag.actual == doctest::Approx(70));
  CHECK(lag.expected.value() == doctest::Approx(72)); // 60 + (80 − 60) × 0.6
  REQUIRE(lag.primary);
  CHECK(lag.primary->category == "lagging");
  CHECK(lag.primary->value.value() == doctest::Approx(0.5)); // (70 − 60) / (80 − 60)
  // forecast: the line through (2020, 60) and (2023, 70) at 2025: 70 + 2 × 10/3 = 76.667 < 80
  CHECK(lag.forecast.value() == doctest::Approx(76.6666667));
  CHECK(lag.likely_met == false);
  CHECK(lag.trace.rule == "sum");
  REQUIRE(lag.trace.points.size() == 2);
  CHECK(lag.trace.points[1].units == 2);
  CHECK(lag.trace.sentence.zh.find("滞后") != std::string::npos);
  CHECK(lag.trace.sentence.zh.find("72.0人") != std::string::npos);
  CHECK(lag.trace.sentence.en.find("72.0 persons") != std::string::npos); // units in English
  CHECK(lag.trace.formula.find("0.600") != std::string::npos);

  const auto& on = get(r, "t_on");
  CHECK(on.status == target_status::on_track);
  CHECK(on.expected.value() == doctest::Approx(69)); // 60 + 15 × 0.6
  CHECK(on.likely_met == true);                      // 76.667 >= 75

  CHECK(get(r, "t_ach").status == target_status::achieved);

  const auto& met = get(r, "t_met");
  CHECK(met.status == target_status::met);
  CHECK(met.actual.value() == doctest::Approx(90));
  CHECK(met.trace.rule == "weighted_mean");

  const auto& missed = get(r, "t_missed");
  CHECK(missed.status == target_status::missed);
  CHECK(missed.actual.value() == doctest::Approx(94.5));
  CHECK(missed.due);

  const auto& pass = get(r, "t_pass");
  CHECK(pass.status == target_status::met);
  CHECK(pass.judged_from == "plan");
  CHECK(get(r, "t_notdue").status == target_status::not_due);
  CHECK(get(r, "t_nodata").status == target_status::no_data);
  const auto& yoy = get(r, "t_yoy");
  CHECK(yoy.status == target_status::missed);
  CHECK(yoy.trace.sentence.zh.find("2023") != std::string::npos);
  CHECK(get(r, "t_na").status == target_status::not_assessable);

  // summaries
  CHECK(r.overall[target_status::met] == 2);
  CHECK(r.overall[target_status::missed] == 2);
  CHECK(r.overall.total() == 10);
  CHECK(r.current_phase == "p2");
  REQUIRE(r.phases.size() == 2);
  CHECK(r.phases[0].targets == 2);
  CHECK(r.phases[0].due == 2);
  CHECK(r.phases[0].met == 2);
  CHECK(r.phases[1].pending == 5); // t_lag, t_on, t_ach, t_notdue, t_nodata (t_missed is due)
  CHECK(r.phases[1].missed == 1);
  // rows: 11 given, 1 after as_of, the other 10 all feed a target
  CHECK(r.rows == 11);
  CHECK(r.rows_after_as_of == 1);
  CHECK(r.rows_used == 10);
  bool after = false, too_few = false;
  for (const auto& pr : r.problems) {
    after = after || pr.code == "after_as_of";
    too_few = too_few || (pr.code == "too_few_points" && pr.target == "t_na");
  }
  CHECK(after);
  CHECK(too_few);
  CHECK(r.conflicts.size() == 1);
}

TEST_CASE("evaluate: methods side by side, JSON and text") {
  data d;
  evaluate_options o;
  o.as_of = date(2023, 12, 31);
  o.methods = {assess_method::statcan, assess_method::eurostat, assess_method::linear};
  const report r = evaluate(d.p, d.t.view(), o);
  const auto& lag = get(r, "t_lag");
  REQUIRE(lag.assessments.size() == 3); // linear (primary) first, then statcan and eurostat
  CHECK(lag.assessments[0].method == assess_method::linear);
  CHECK(lag.assessments[1].method == assess_method::statcan);
  // eurostat: actual CAGR (70/60)^(1/3) − 1 = 0.052727; required (80/60)^(1/5) − 1 = 0.059224; ratio 0.8903
  CHECK(lag.assessments[2].value.value() == doctest::Approx(0.8903).epsilon(1e-4));
  CHECK(lag.assessments[2].category == "moderate_progress");

  const auto j = to_json_value(r, d.p);
  const auto& o2 = j.as_object();
  CHECK(o2.at("as_of").as_string() == "2023-12-31");
  CHECK(o2.at("summary").as_object().at("missed").to_number<std::int64_t>() == 2);
  CHECK(o2.at("targets").as_array().size() == 10);
  const auto& t0 = o2.at("targets").as_array()[0].as_object();
  CHECK(t0.at("status").as_string() == "lagging");
  CHECK(t0.at("assessments").as_array().size() == 3);

  const std::string zh = to_text(r, d.p, "zh");
  CHECK(zh.find("进度滞后") != std::string::npos);
  CHECK(zh.find("2023-12-31") != std::string::npos);
  const std::string en = to_text(r, d.p, "en");
  CHECK(en.find("lagging") != std::string::npos);
  CHECK(en.find("Conflicts in the plan text") != std::string::npos);
}

TEST_CASE("evaluate: as_of before any data; unknown parameters") {
  data d;
  evaluate_options o;
  o.as_of = date(2021, 6, 30);
  const report r = evaluate(d.p, d.t.view(), o);
  CHECK(get(r, "t_lag").status == target_status::no_data); // the baseline alone is not a current value
  CHECK(get(r, "t_met").status == target_status::no_data); // not due, no data
  CHECK(r.rows_after_as_of == 11);
  CHECK(r.current_phase == "p1");

  o.params = {{assess_method::linear, assess_params{}.set("no_such_parameter", 1.0)}};
  CHECK_THROWS_AS(evaluate(d.p, d.t.view(), o), error);
}

TEST_CASE("evaluate: a range goal not reached yet is lagging; parameters of methods not run are checked") {
  // skills (项) at d: baseline 2020 0.5, goal between 1 and 2 by 2025; data 2022 0.7, 2023 0.8:
  // 0.8 is not in [1, 2] and a range has no single goal for the linear path -> lagging
  const plan p = parse_plan(R"({
    "format": "planeval-plan", "format_version": 1, "id": "range", "title": {"zh": "区间"},
    "horizon": {"start": "2021-01-01", "end": "2025-12-31"}, "phases": [],
    "indicators": [{"id": "skills", "name": {"zh": "运动技能"}, "unit": "项", "kind": "count", "direction": "increase"}],
    "entities": [{"id": "d", "name": {"zh": "区"}, "kind": "district"}],
    "targets": [{"id": "t", "indicator": "skills", "scope": "d", "baseline": {"date": "2020-12-31", "value": 0.5},
                 "goal": {"comparator": "between", "value": [1, 2], "deadline": "2025-12-31"}, "source": {"phrase": "1—2项"}}]
  })");
  observation_table t;
  for (const auto& [y, x] : {std::pair{2022, 0.7}, std::pair{2023, 0.8}}) {
    t.push_back(0, 0, to_day_number(date(static_cast<unsigned short>(y), 1, 1)),
                to_day_number(date(static_cast<unsigned short>(y), 12, 31)), x);
    t.weight.push_back(1);
  }
  evaluate_options o;
  o.as_of = date(2023, 12, 31);
  const report r = evaluate(p, t.view(), o);
  CHECK(r.targets[0].status == target_status::lagging);
  CHECK(r.targets[0].actual.value() == doctest::Approx(0.8));
  CHECK(r.problems.empty());
  o.params = {{assess_method::eurostat, assess_params{}.set("bogus", 1.0)}}; // eurostat is not run
  CHECK_THROWS_AS(evaluate(p, t.view(), o), error);
}

TEST_CASE("fractional years, fixed decimals and English units") {
  // 31 December of Y is exactly Y; 1 July 2024 (day 183 of 366) is 2023 + 183/366 = 2023.5
  CHECK(fractional_year(date(2023, 12, 31)) == 2023.0);
  CHECK(fractional_year(date(2024, 7, 1)) == doctest::Approx(2023.5));
  CHECK(fractional_year(date(2021, 1, 1)) == doctest::Approx(2020 + 1.0 / 365));
  CHECK(detail::format_fixed(44.0, 1) == "44.0");
  CHECK(detail::format_fixed(2.25, 0) == "2");    // round half to even, as printf
  CHECK(detail::format_fixed(-0.04, 1) == "0.0"); // a rounded zero has no sign
  CHECK(detail::format_fixed(-1.25, 1) == "-1.2");
  CHECK(unit_en("人") == "persons");
  CHECK(unit_en("万元") == "10k yuan");
  CHECK(unit_en("%") == "%"); // not in the table: as written
  CHECK(favourable(assess_method::linear, "ahead"));
  CHECK_FALSE(favourable(assess_method::linear, "lagging"));
  CHECK(favourable(assess_method::escap_api, "maintain"));
}

TEST_CASE("goals are judged up to floating-point rounding") {
  // 0.1 + 0.2 = 0.30000000000000004 and 0.7 * 100 = 70.00000000000001: values a roll-up can produce
  // for an exact 0.3 or 70. A goal "≤ 0.3" or "< 70 … " must not turn on the last binary digit.
  goal g;
  g.comparator = comparator::le;
  g.value = value(0.3);
  CHECK(satisfies(g, value(0.1 + 0.2)) == true); // was false before the tolerance
  g.comparator = comparator::ge;
  g.value = value(70.0);
  CHECK(satisfies(g, value(0.7 * 100 - 2e-14)) == true); // 69.99999999999999 reaches 70
  CHECK(satisfies(g, value(69.9999)) == false);           // a real shortfall of 1e-4 does not
  g.comparator = comparator::gt;
  CHECK(satisfies(g, value(0.7 * 100)) == false); // 70.00000000000001 is 70, not above it
  g.comparator = comparator::eq;
  g.value = value(0.3);
  CHECK(satisfies(g, value(0.1 + 0.2)) == true); // '=' without a tolerance: equal up to rounding
  g.comparator = comparator::between;
  g.value = value(std::vector<double>{0.3, 0.5});
  CHECK(satisfies(g, value(0.1 + 0.2 - 1e-17)) == true);
  g.comparator = comparator::increase;
  CHECK(satisfies(g, value(0.1 + 0.2), value(0.3)) == false); // no increase, only rounding
  CHECK(satisfies(g, value(0.31), value(0.3)) == true);
}
