// Copyright (c) 2026 planeval developers. Distributed under the MIT License.
// Fuzz harness: standard files (planeval::parse_standard, planeval/standard.hpp).
//
// Properties, for any input bytes:
// - parse_standard returns a standard or throws planeval::error (standard_error), nothing else;
// - a standard that parses is valid (check_standard finds nothing) and parses the same again;
// - a plan takes it as its own standard (plan::add_standard accepts exactly what parse_standard
//   accepts), and the standard survives the plan's canonical round trip: to_json(plan) parses
//   again, is a fixed point, and the standard read back from it equals the one parsed;
// - evaluating it (evaluate_standard for 2023) for a small county with schools of every stage, a
//   kindergarten, a small teaching point, a 一贯制 school with two parts, and values for every
//   indicator of the standard at every unit and at the county, returns a result or throws
//   planeval::error, and then every failing verdict has a reason.
#include <planeval/json.hpp>
#include <planeval/observations.hpp>
#include <planeval/standard.hpp>

#include <optional>
#include <string>
#include <vector>

#include "fuzz_common.hpp"

namespace {

using planeval_fuzz::fail;

const char* const county_plan = R"({
  "format": "planeval-plan", "format_version": 1, "id": "county",
  "title": {"zh": "某县教育规划"}, "horizon": {"start": "2021", "end": "2025"},
  "phases": [], "indicators": [],
  "entities": [
    {"id": "county", "name": {"zh": "某县"}, "kind": "district"},
    {"id": "kg", "name": {"zh": "幼儿园"}, "kind": "stage", "parent": "county", "stage": "幼儿园"},
    {"id": "primary", "name": {"zh": "小学"}, "kind": "stage", "parent": "county", "stage": "小学"},
    {"id": "junior", "name": {"zh": "初中"}, "kind": "stage", "parent": "county", "stage": "初中"},
    {"id": "senior", "name": {"zh": "高中"}, "kind": "stage", "parent": "county", "stage": "高中"},
    {"id": "k1", "name": {"zh": "第一幼儿园"}, "kind": "kindergarten", "parent": "kg", "students": 300},
    {"id": "k2", "name": {"zh": "第二幼儿园"}, "kind": "kindergarten", "parent": "kg", "students": 120},
    {"id": "p1", "name": {"zh": "第一小学"}, "kind": "school", "parent": "primary", "students": 800},
    {"id": "p2", "name": {"zh": "第二小学"}, "kind": "school", "parent": "primary", "students": 400},
    {"id": "tp", "name": {"zh": "某教学点"}, "kind": "teaching_point", "parent": "primary", "students": 30},
    {"id": "j1", "name": {"zh": "第一中学"}, "kind": "school", "parent": "junior", "students": 1000},
    {"id": "sp", "name": {"zh": "特殊教育学校"}, "kind": "school", "parent": "junior", "students": 50},
    {"id": "h1", "name": {"zh": "高级中学"}, "kind": "school", "parent": "senior", "students": 900},
    {"id": "c1", "name": {"zh": "九年一贯制学校"}, "kind": "school", "parent": "county", "students": 700},
    {"id": "c1p", "name": {"zh": "九年一贯制学校小学部"}, "kind": "stage", "parent": "c1", "stage": "小学", "students": 450},
    {"id": "c1j", "name": {"zh": "九年一贯制学校初中部"}, "kind": "stage", "parent": "c1", "stage": "初中", "students": 250}
  ],
  "targets": []
})";

const planeval::plan& base_plan() {
  static const planeval::plan p = planeval::parse_plan(county_plan);
  return p;
}

/// A value for indicator `i` of the standard at entity `e`: around the threshold (80% to 110%)
/// where the standard has one, else a small number; 0/1 for booleans, within 0–100 for percentages.
double value_for(const planeval::standard_indicator& ind, const planeval::indicator& plan_ind, std::size_t i,
                 std::size_t e) {
  const double step = static_cast<double>((i * 7 + e * 3) % 4);
  if (plan_ind.kind == planeval::value_kind::boolean) return (i + e) % 3 == 0 ? 0.0 : 1.0;
  double x = ind.thresholds.empty() ? 1.0 + step * 2.5 : ind.thresholds.front().second * (0.8 + 0.1 * step);
  if (!std::isfinite(x) || x < 0) x = step;
  if (plan_ind.is_percentage() && x > 100) x = 100;
  return x;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text = planeval_fuzz::as_text(data, size);
  std::optional<planeval::standard> s;
  try {
    s.emplace(planeval::parse_standard(text, "fuzz.json"));
  } catch (const planeval::error& e) {
    planeval_fuzz::trace("parse_standard refused", e.what());
    return 0;
  }
  if (const auto problems = planeval::check_standard(*s); !problems.empty())
    fail("check_standard finds problems in a standard that parsed", problems.front().to_string(), text);
  try {
    if (!(planeval::parse_standard(text, "fuzz.json") == *s)) fail("parse_standard is not deterministic", {}, text);
  } catch (const planeval::error& e) {
    fail("parse_standard refused what it accepted before", e.what(), text);
  }

  // The plan's own standard, through the plan's canonical round trip.
  planeval::plan p = base_plan();
  try {
    p.add_standard(planeval::plan_standard{"", "", std::string(text)});
  } catch (const planeval::error& e) {
    fail("plan::add_standard refuses a standard that parse_standard accepts", e.what(), text);
  }
  const std::string j1 = planeval::to_json(p);
  std::optional<planeval::plan> q;
  try {
    q.emplace(planeval::parse_plan(j1, "canonical.json"));
  } catch (const planeval::error& e) {
    fail("a plan with this standard does not parse again from to_json", e.what(), j1);
  }
  if (planeval::to_json(*q) != j1) fail("to_json of a plan with this standard is not a fixed point", {}, j1);
  try {
    if (!(planeval::standard_for(*q, s->id) == *s)) fail("the standard read back from the plan file differs", {}, j1);
  } catch (const planeval::error& e) {
    fail("the standard read back from the plan file does not parse", e.what(), j1);
  }

  // Evaluate it for the county.
  try {
    planeval::add_standard_indicators(p, *s);
  } catch (const planeval::error& e) {
    planeval_fuzz::trace("add_standard_indicators refused", e.what()); // indicators the plan cannot take
    return 0;
  }
  planeval::observation_table t;
  const auto day = planeval::to_day_number(planeval::date(2023, 9, 30));
  for (std::size_t i = 0; i < s->indicators.size(); ++i) {
    const auto& si = s->indicators[i];
    const auto pi = p.find_indicator(si.id);
    if (!pi) continue;
    const auto& ind = p.indicators()[*pi];
    for (std::uint32_t e = 0; e < p.entities().size(); ++e) {
      const auto& ent = p.entities()[e];
      const bool county = ent.id == "county";
      if ((si.level == planeval::indicator_level::district) != county) continue;
      t.push_back(*pi, e, day, day, value_for(si, ind, i, e));
      t.weight.push_back(ent.students ? *ent.students : 0.0);
    }
  }
  planeval::standard_options options;
  options.period = planeval::period::calendar_year(2023);
  options.excluded["sp"] = "特殊教育学校";
  try {
    const auto r = planeval::evaluate_standard(*s, p, t.view(), options);
    if (!r.passed && r.reasons.empty()) fail("a failing verdict without a reason", {}, text);
    if (r.passed && !r.reasons.empty()) fail("a passing verdict with reasons", r.reasons.front().message_en, text);
    if (!s->groups.empty()) {
      options.groups = {s->groups.front().id};
      (void)planeval::evaluate_standard(*s, p, t.view(), options);
    }
  } catch (const planeval::error& e) {
    planeval_fuzz::trace("evaluate_standard refused", e.what());
  }
  return 0;
}
