// Tests of derived indicators in plans (indicator::formula, plan constants) and in the data
// (planeval/derived.hpp): the plan format with located errors, cycles, the ratio of sums against
// hand-computed roll-ups, missing-value strategies, and the trace of a verdict.

#include <planeval/derived.hpp>
#include <planeval/evaluate.hpp>
#include <planeval/json.hpp>
#include <planeval/rollup.hpp>

#include <doctest/doctest.h>

#include <cmath>
#include <string>

using namespace planeval;

namespace {

// A district d with two schools a, b. Counts: party members (党员教师), teachers (专任教师),
// public and inclusive private kindergarten children, all children. Derived: share (ratio × 100),
// inclusive coverage (ratio × 100 over a sum), a formula over a constant.
std::string plan_text(const std::string& extra_indicators = "", const std::string& constants = "") {
  return R"({
  "format": "planeval-plan", "format_version": 1, "id": "derived",
  "title": {"zh": "派生指标", "en": "derived"},
  "horizon": {"start": "2021", "end": "2025"},
  "phases": [],)" +
         (constants.empty() ? std::string() : "\"constants\": [" + constants + "],") + R"(
  "indicators": [
    {"id": "share", "name": {"zh": "党员教师占比"}, "unit": "%", "kind": "rate", "direction": "increase",
     "numerator": "#{party}", "denominator": "#{teachers}", "factor": 100},
    {"id": "party", "name": {"zh": "党员教师数"}, "unit": "人", "kind": "count", "direction": "increase"},
    {"id": "teachers", "name": {"zh": "专任教师数"}, "unit": "人", "kind": "count", "direction": "increase"},
    {"id": "public_kids", "name": {"zh": "公办园在园幼儿数"}, "unit": "人", "kind": "count", "direction": "increase"},
    {"id": "inclusive_kids", "name": {"zh": "普惠性民办园在园幼儿数"}, "unit": "人", "kind": "count", "direction": "increase"},
    {"id": "kids", "name": {"zh": "在园幼儿数"}, "unit": "人", "kind": "count", "direction": "increase"},
    {"id": "coverage", "name": {"zh": "普惠性幼儿园覆盖率"}, "unit": "%", "kind": "rate", "direction": "increase",
     "numerator": "#{public_kids} + #{inclusive_kids}", "denominator": "#{kids}", "factor": 100,
     "missing": "skip_if_all_values_missing"})" +
         extra_indicators + R"(
  ],
  "entities": [
    {"id": "d", "name": {"zh": "白碱滩区"}, "kind": "district"},
    {"id": "a", "name": {"zh": "甲校"}, "kind": "school", "parent": "d", "stage": "小学"},
    {"id": "b", "name": {"zh": "乙校"}, "kind": "school", "parent": "d", "stage": "小学"}
  ],
  "targets": [
    {"id": "t_share", "indicator": "share", "scope": "d", "baseline": {"date": "2020", "value": 40},
     "goal": {"comparator": ">=", "value": 50, "deadline": "2025"}, "source": {"phrase": "党员教师占比达到50%"}}
  ]
})";
}

day_number jan1(int y) { return to_day_number(date(static_cast<unsigned short>(y), 1, 1)); }
day_number dec31(int y) { return to_day_number(date(static_cast<unsigned short>(y), 12, 31)); }

struct data {
  observation_table t;
  const plan& p;
  explicit data(const plan& pl) : p(pl) {}
  data& row(const char* ind, const char* ent, int year, double v, bool missing = false) {
    t.push_back(*p.find_indicator(ind), *p.find_entity(ent), jan1(year), dec31(year), v,
                missing ? flags::missing : std::uint8_t{0});
    return *this;
  }
};

std::string errors_of(const std::string& text) {
  try {
    (void)parse_plan(text);
  } catch (const plan_error& e) {
    std::string all;
    for (const auto& d : e.errors()) all += d.to_string() + "\n";
    return all;
  }
  return "";
}

} // namespace

TEST_CASE("plan format: formulas and constants read, written and read back unchanged") {
  const plan p = parse_plan(plan_text(R"(,
    {"id": "scaled", "name": {"zh": "折算"}, "unit": "人", "kind": "count", "direction": "increase",
     "expression": "#{teachers} * C{k}", "missing": "never_skip"})",
                                      R"({"id": "k", "name": {"zh": "系数"}, "value": 1.5})"));
  // the derived indicators come after what they reference: share moved behind party and teachers
  const auto share = *p.find_indicator("share");
  CHECK(share > *p.find_indicator("teachers"));
  const auto& f = *p.indicators()[share].formula;
  CHECK(f.numerator == "#{party}");
  CHECK(f.denominator == "#{teachers}");
  CHECK(f.factor == 100);
  CHECK(f.missing == rules::missing_policy::skip_if_any_missing);
  CHECK(p.indicators()[*p.find_indicator("coverage")].formula->missing == rules::missing_policy::skip_if_all_missing);
  CHECK(p.indicators()[*p.find_indicator("scaled")].formula->missing == rules::missing_policy::never_skip);
  // DHIS2's names, in its upper case too
  CHECK(rules::parse_missing_policy("SKIP_IF_ALL_VALUES_MISSING") == rules::missing_policy::skip_if_all_missing);
  CHECK(rules::parse_missing_policy("skip_if_any_value_missing") == rules::missing_policy::skip_if_any_missing);
  CHECK(rules::parse_missing_policy("Never_Skip") == rules::missing_policy::never_skip);
  CHECK_FALSE(rules::parse_missing_policy("sometimes"));
  CHECK_FALSE(rules::parse_missing_policy(std::string(40, 'a')));
  REQUIRE(p.constants().size() == 1);
  CHECK(p.constants()[0].value == 1.5);
  const plan q = parse_plan(to_json(p));
  CHECK(q == p);
}

TEST_CASE("plan errors: located by JSON path and column") {
  // indicators[7] is the first extra indicator (7 before it)
  auto extra = [](const std::string& fields) {
    return plan_text(R"(,
    {"id": "x", "name": {"zh": "派生"}, "unit": "人", "kind": "count", "direction": "increase", )" +
                     fields + "}");
  };
  // unknown indicator: column 3 is where teacher_cnt starts in "#{teacher_cnt}"
  CHECK(errors_of(extra(R"("numerator": "#{teacher_cnt}", "denominator": "#{teachers}")"))
            .find("indicators[7].numerator: unknown indicator \"teacher_cnt\" at column 3") != std::string::npos);
  // unknown constant: column 17 is where nope starts in "#{teachers} * C{nope}"
  CHECK(errors_of(extra(R"("expression": "#{teachers} * C{nope}")"))
            .find("indicators[7].expression: unknown constant \"nope\" at column 17") != std::string::npos);
  // wrong arity: log takes 1 or 2 arguments
  CHECK(errors_of(extra(R"j("expression": "log(#{teachers}, 2, 3)")j")).find("indicators[7].expression:") !=
        std::string::npos);
  // type error: if on a number
  CHECK(errors_of(extra(R"j("expression": "if(#{teachers}, 1, 2)")j")).find("indicators[7].expression:") !=
        std::string::npos);
  // a boolean formula for a count indicator
  CHECK(errors_of(extra(R"("expression": "#{teachers} > 2")"))
            .find("indicators[7].expression: expected a formula giving a number for count indicator \"x\", got a "
                  "boolean") != std::string::npos);
  // both kinds of formula; a numerator alone; a factor without a ratio
  CHECK(errors_of(extra(R"("expression": "#{teachers}", "numerator": "#{party}", "denominator": "#{teachers}")"))
            .find("indicators[7].expression: expected either an expression or a numerator and a denominator") !=
        std::string::npos);
  CHECK(errors_of(extra(R"("numerator": "#{party}")"))
            .find("indicators[7].denominator: expected a denominator with the numerator") != std::string::npos);
  CHECK(errors_of(extra(R"("expression": "#{party}", "factor": 100)"))
            .find("indicators[7].factor: a factor applies to numerator / denominator formulas only") !=
        std::string::npos);
  CHECK(errors_of(extra(R"("numerator": "#{party}", "denominator": "#{teachers}", "factor": 0)"))
            .find("indicators[7].factor: expected a finite non-zero number") != std::string::npos);
  CHECK(errors_of(extra(R"("missing": "sometimes", "expression": "#{party}")")).find("indicators[7].missing:") !=
        std::string::npos);
  CHECK(errors_of(plan_text(R"(,
    {"id": "x", "name": {"zh": "非派生"}, "unit": "人", "kind": "count", "direction": "increase", "factor": 2})"))
            .find("indicators[7].factor: only a derived indicator") != std::string::npos);
  // a self-reference and a cycle of two, each reported at its own path
  CHECK(errors_of(extra(R"("expression": "#{x} + 1")"))
            .find("indicators[7].expression: cycle between derived indicators: x -> x") != std::string::npos);
  const auto two = errors_of(plan_text(R"(,
    {"id": "u", "name": {"zh": "甲"}, "unit": "人", "kind": "count", "direction": "increase", "expression": "#{v} + 1"},
    {"id": "v", "name": {"zh": "乙"}, "unit": "人", "kind": "count", "direction": "increase", "numerator": "#{party}", "denominator": "#{u}"})"));
  CHECK(two.find("indicators[7].expression: cycle between derived indicators: u -> v -> u") != std::string::npos);
  INFO(two);
  CHECK(two.find("indicators[8].denominator: cycle between derived indicators: v -> u -> v") != std::string::npos);
  // a ratio summed over time makes no sense
  CHECK(errors_of(extra(R"("numerator": "#{party}", "denominator": "#{teachers}", "aggregation": {"time": "sum"})"))
            .find("indicators[7].aggregation.time: a ratio cannot be combined over time by \"sum\"") !=
        std::string::npos);
  // constants: a non-finite value cannot be written in JSON; a duplicate id can
  CHECK(errors_of(
            plan_text(
                "", R"({"id": "k", "name": {"zh": "甲"}, "value": 1}, {"id": "k", "name": {"zh": "乙"}, "value": 2})"))
            .find("constants[1].id: duplicate constant id \"k\"") != std::string::npos);
}

TEST_CASE("ratio of sums: each side summed over the schools, then divided") {
  const plan p = parse_plan(plan_text());
  data d(p);
  // school a: 6 party members of 20 teachers (30%); school b: 16 of 40 (40%)
  d.row("party", "a", 2023, 6)
      .row("teachers", "a", 2023, 20)
      .row("party", "b", 2023, 16)
      .row("teachers", "b", 2023, 40);
  // share and coverage are derived; party is not
  CHECK(needs_derive(p));
  CHECK(needs_derive(p, std::vector<std::uint32_t>{*p.find_indicator("share")}));
  CHECK_FALSE(needs_derive(p, std::vector<std::uint32_t>{*p.find_indicator("party")}));
  const auto der = derive(p, d.t.view());
  REQUIRE(der.summary.size() == 2); // share and coverage, in plan order
  CHECK(der.summary[0].rows == 2);
  CHECK(der.summary[0].values == 2);
  CHECK(der.summary[1].rows == 0); // no kindergarten data
  rollup_options o;
  o.kind = entity_kind::district;
  o.indicators = {*p.find_indicator("share")};
  const auto r = rollup(p, d.t.view(), o); // derives by itself
  REQUIRE(r.size() == 1);
  // 100 × (6 + 16) / (20 + 40) = 2200 / 60 = 36.666…; the mean of the school ratios would be 35
  CHECK(r.value[0] == doctest::Approx(2200.0 / 60.0).epsilon(1e-12));
  CHECK(r.units[0] == 2);
  // per school: 30 and 40
  o.kind = entity_kind::school;
  const auto s = rollup(p, d.t.view(), o);
  REQUIRE(s.size() == 2);
  CHECK(s.value[0] == doctest::Approx(30.0));
  CHECK(s.value[1] == doctest::Approx(40.0));
}

TEST_CASE("ratio: zero and missing denominators give missing values, never infinity") {
  const plan p = parse_plan(plan_text());
  data d(p);
  d.row("party", "a", 2023, 0).row("teachers", "a", 2023, 0);                   // 0 / 0
  d.row("party", "b", 2023, 5).row("teachers", "b", 2023, 0, /*missing*/ true); // 5 / missing
  const auto der = derive(p, d.t.view());
  CHECK(der.summary[0].rows == 2);
  CHECK(der.summary[0].missing == 2);
  CHECK(der.summary[0].zero_denominator == 1);
  rollup_options o;
  o.kind = entity_kind::district;
  o.indicators = {*p.find_indicator("share")};
  const auto r = rollup(p, d.t.view(), o);
  REQUIRE(r.size() == 1);
  CHECK_FALSE(r.defined[0]);
  CHECK(r.missing_units[0] == 2);
}

TEST_CASE("missing-value strategies of a derived indicator") {
  const plan p = parse_plan(plan_text());
  const auto cov = *p.find_indicator("coverage");
  data d(p);
  // a: public 80 + inclusive missing, of 100 children; skip_if_all_values_missing counts the
  // missing item as 0 because another is present: 100 × 80 / 100 = 80
  d.row("public_kids", "a", 2023, 80).row("inclusive_kids", "a", 2023, 0, true).row("kids", "a", 2023, 100);
  // b: both items missing: the numerator is missing, so the value is
  d.row("public_kids", "b", 2023, 0, true).row("inclusive_kids", "b", 2023, 0, true).row("kids", "b", 2023, 50);
  const auto der = derive(p, d.t.view());
  const auto& t = der.table;
  int seen = 0;
  for (std::size_t r = der.input_rows; r < t.size(); ++r) {
    if (t.indicator[r] != cov) continue;
    ++seen;
    if (t.entity[r] == *p.find_entity("a")) {
      CHECK((t.flags[r] & flags::missing) == 0);
      CHECK(t.value[r] == doctest::Approx(80.0));
      CHECK(t.weight[r] == 100.0); // the denominator
    } else {
      CHECK((t.flags[r] & flags::missing) != 0);
    }
  }
  CHECK(seen == 2);

  // skip_if_any_missing (the default) on share: a missing party count makes the value missing
  data e(p);
  e.row("party", "a", 2023, 0, true).row("teachers", "a", 2023, 10);
  const auto de = derive(p, e.t.view());
  CHECK(de.summary[0].missing == 1);
}

TEST_CASE("formulas over formulas, constants, and observed rows of a derived indicator kept") {
  const plan p = parse_plan(plan_text(R"(,
    {"id": "scaled", "name": {"zh": "折算"}, "unit": "%", "kind": "rate", "direction": "increase",
     "expression": "#{share} * C{k}"})",
                                      R"({"id": "k", "name": {"zh": "系数"}, "value": 0.5})"));
  data d(p);
  d.row("party", "a", 2023, 6).row("teachers", "a", 2023, 20);
  d.row("share", "b", 2023, 44); // b reports its share directly
  d.row("party", "b", 2023, 1).row("teachers", "b", 2023, 2);
  const auto der = derive(p, d.t.view(), std::vector<std::uint32_t>{*p.find_indicator("scaled")});
  REQUIRE(der.summary.size() == 2);    // share (needed by scaled), then scaled
  CHECK(der.summary[0].rows == 1);     // a only
  CHECK(der.summary[0].observed == 1); // b's observed 44 kept
  CHECK(der.summary[1].rows == 2);     // scaled at a (30 × 0.5) and at b (44 × 0.5)
  const auto& t = der.table;
  for (std::size_t r = der.input_rows; r < t.size(); ++r)
    if (t.indicator[r] == *p.find_indicator("scaled"))
      CHECK(t.value[r] == doctest::Approx(t.entity[r] == *p.find_entity("a") ? 15.0 : 22.0));

  // a roll-up of the derived indicator alone reads only its rows, the observed one included:
  // per school a 100 × 6 / 20 = 30 (derived) and b 44 (observed, kept)
  rollup_options o;
  o.kind = entity_kind::school;
  o.indicators = {*p.find_indicator("share")};
  const auto r = rollup(p, d.t.view(), o);
  REQUIRE(r.size() == 2);
  for (std::size_t k = 0; k < r.size(); ++k)
    CHECK(r.value[k] == doctest::Approx(r.entity[k] == *p.find_entity("a") ? 30.0 : 44.0));
  const auto only = derive(p, d.t.view(), std::vector<std::uint32_t>{*p.find_indicator("share")}, false);
  CHECK(only.input_rows == 1); // b's observed share
  CHECK(only.table.size() == 2);
}

TEST_CASE("evaluation: a derived target judged from counts, with the formula's numbers in the trace") {
  const plan p = parse_plan(plan_text());
  data d(p);
  // 2023: a 10 of 25, b 12 of 25: 100 × 22 / 50 = 44.0; the linear path from 40 (2020) to 50
  // (2025) expects 40 + 10 × 3/5 = 46 at the end of 2023
  d.row("party", "a", 2023, 10)
      .row("teachers", "a", 2023, 25)
      .row("party", "b", 2023, 12)
      .row("teachers", "b", 2023, 25);
  evaluate_options o;
  o.as_of = date(2023, 12, 31);
  const auto rep = evaluate(p, d.t.view(), o);
  const auto* ev = rep.find("t_share");
  REQUIRE(ev != nullptr);
  REQUIRE(ev->actual);
  CHECK(*ev->actual == doctest::Approx(44.0));
  CHECK(ev->judged_from == "data");
  CHECK(ev->trace.derivation.en ==
        "share = 100 × Σ(#{party}) / Σ(#{teachers}) = 100 × 22 / 50 = 44.00 (2023, 2 units)");
  CHECK(ev->trace.derivation.zh.find("100 × 22 / 50 = 44.00（2023 年，2 个单位）") != std::string::npos);
  CHECK(rep.rows_used == 4); // the four count rows in scope
}
