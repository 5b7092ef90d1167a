#include <planeval/json.hpp>
#include <planeval/rollup.hpp>

#include <doctest/doctest.h>

#include <random>

#include "test_plans.hpp"

using namespace planeval;

namespace {

day_number jan1(int y) { return to_day_number(date(static_cast<unsigned short>(y), 1, 1)); }
day_number dec31(int y) { return to_day_number(date(static_cast<unsigned short>(y), 12, 31)); }
day_number day(int y, int m, int d) {
  return to_day_number(
      date(static_cast<unsigned short>(y), static_cast<unsigned short>(m), static_cast<unsigned short>(d)));
}

// The mini plan (district d with its 小学 stage s1) plus a 初中 stage s2 and schools:
// a, b under s1; c under s2.
struct fixture {
  plan p = parse_plan(planeval_test::mini_plan);
  std::uint32_t teachers = *p.find_indicator("teachers"), rate = *p.find_indicator("rate"),
                passed = *p.find_indicator("passed");
  std::uint32_t d = *p.find_entity("d"), s1 = *p.find_entity("s1"), s2, a, b, c;
  fixture() {
    entity e;
    e.id = "s2";
    e.name.zh = "初中";
    e.kind = entity_kind::stage;
    e.parent = "d";
    e.stage = stage::junior;
    s2 = p.add_entity(e);
    for (auto [id, parent] : {std::pair{"a", "s1"}, std::pair{"b", "s1"}, std::pair{"c", "s2"}}) {
      entity s;
      s.id = id;
      s.name.zh = id;
      s.kind = entity_kind::school;
      s.parent = parent;
      const auto i = p.add_entity(s);
      if (s.id == "a") a = i;
      if (s.id == "b") b = i;
      if (s.id == "c") c = i;
    }
  }
};

/// The value of the result row for (indicator, entity, period starting on `start`, stage).
const double* find(const rollup_result& r, std::uint32_t ind, std::uint32_t ent, day_number start, int stage = -1) {
  for (std::size_t i = 0; i < r.size(); ++i)
    if (r.indicator[i] == ind && r.entity[i] == ent && r.start[i] == start && r.stage[i] == stage)
      return r.defined[i] ? &r.value[i] : nullptr;
  return nullptr;
}
std::size_t row_of(const rollup_result& r, std::uint32_t ind, std::uint32_t ent, day_number start) {
  for (std::size_t i = 0; i < r.size(); ++i)
    if (r.indicator[i] == ind && r.entity[i] == ent && r.start[i] == start) return i;
  return r.size();
}

} // namespace

TEST_CASE("sums of counts and student-weighted rates, to the district and to stages") {
  fixture f;
  observation_table t;
  t.push_back(f.teachers, f.a, jan1(2021), dec31(2021), 12);
  t.push_back(f.teachers, f.b, jan1(2021), dec31(2021), 8);
  t.push_back(f.teachers, f.c, jan1(2021), dec31(2021), 5);
  t.push_back(f.rate, f.a, jan1(2021), dec31(2021), 90);
  t.push_back(f.rate, f.b, jan1(2021), dec31(2021), 100);
  t.push_back(f.rate, f.c, jan1(2022), dec31(2022), 80);
  t.weight = {1, 1, 1, 100, 300, 50};
  rollup_options o;
  o.kind = entity_kind::district;
  const auto r = rollup(f.p, t.view(), o);
  // teachers: 12 + 8 + 5 = 25 (sum for a count)
  REQUIRE(find(r, f.teachers, f.d, jan1(2021)));
  CHECK(*find(r, f.teachers, f.d, jan1(2021)) == 25);
  // rate in 2021: (90·100 + 100·300) / (100 + 300) = 39000 / 400 = 97.5 (ratio of sums)
  CHECK(*find(r, f.rate, f.d, jan1(2021)) == doctest::Approx(97.5));
  CHECK(*find(r, f.rate, f.d, jan1(2022)) == doctest::Approx(80));
  CHECK(r.units[row_of(r, f.rate, f.d, jan1(2021))] == 2);
  CHECK(r.rows_used == 6);
  CHECK(r.size() == 3);

  o.kind = entity_kind::stage;
  const auto s = rollup(f.p, t.view(), o);
  CHECK(*find(s, f.teachers, f.s1, jan1(2021)) == 20); // a + b
  CHECK(*find(s, f.teachers, f.s2, jan1(2021)) == 5);
}

TEST_CASE("CV: student-weighted by default, unweighted on request") {
  fixture f;
  observation_table t;
  // per-100-student values 4, 5, 6 with 100, 200, 700 students:
  // x̄ = (400 + 1000 + 4200) / 1000 = 5.6; S² = 0.1·1.6² + 0.2·0.6² + 0.7·0.4² = 0.44; CV = √0.44 / 5.6 = 0.118450
  t.push_back(f.rate, f.a, jan1(2021), dec31(2021), 4);
  t.push_back(f.rate, f.b, jan1(2021), dec31(2021), 5);
  t.push_back(f.rate, f.c, jan1(2021), dec31(2021), 6);
  t.weight = {100, 200, 700};
  rollup_options o;
  o.kind = entity_kind::district;
  o.rule = rollup_rule::cv;
  CHECK(*find(rollup(f.p, t.view(), o), f.rate, f.d, jan1(2021)) == doctest::Approx(0.118450).epsilon(1e-5));
  // unweighted: mean 5, population S² = (1 + 0 + 1)/3, CV = 0.816497 / 5 = 0.163299
  o.rule = rollup_rule::cv_unweighted;
  CHECK(*find(rollup(f.p, t.view(), o), f.rate, f.d, jan1(2021)) == doctest::Approx(0.163299).epsilon(1e-5));
  // by stage: a, b in 小学 (stage 1), c in 初中 (stage 2)
  o.by_stage = true;
  o.rule = rollup_rule::sum;
  const auto r = rollup(f.p, t.view(), o);
  CHECK(*find(r, f.rate, f.d, jan1(2021), static_cast<int>(stage::primary)) == 9);
  CHECK(*find(r, f.rate, f.d, jan1(2021), static_cast<int>(stage::junior)) == 6);
}

TEST_CASE("missing values: counted, and the policy decides") {
  fixture f;
  observation_table t;
  t.push_back(f.teachers, f.a, jan1(2021), dec31(2021), 12);
  t.push_back(f.teachers, f.b, jan1(2021), dec31(2021), 0, flags::missing);
  rollup_options o;
  o.kind = entity_kind::district;
  auto r = rollup(f.p, t.view(), o);
  CHECK(*find(r, f.teachers, f.d, jan1(2021)) == 12); // skip_if_all_missing: b is ignored
  CHECK(r.units[0] == 1);
  CHECK(r.missing_units[0] == 1);
  o.missing = rules::missing_policy::skip_if_any_missing;
  r = rollup(f.p, t.view(), o);
  CHECK(find(r, f.teachers, f.d, jan1(2021)) == nullptr); // undefined, not zero
  CHECK(r.defined[0] == 0);
  o.missing = rules::missing_policy::never_skip;
  o.rule = rollup_rule::mean;
  r = rollup(f.p, t.view(), o);
  CHECK(*find(r, f.teachers, f.d, jan1(2021)) == 6); // (12 + 0) / 2
}

TEST_CASE("across time first: a stock takes its last value, school years") {
  fixture f;
  observation_table t;
  t.push_back(f.teachers, f.a, day(2021, 3, 31), day(2021, 3, 31), 10);
  t.push_back(f.teachers, f.a, day(2021, 9, 30), day(2021, 9, 30), 12);
  t.push_back(f.teachers, f.b, day(2021, 6, 30), day(2021, 6, 30), 7);
  rollup_options o;
  o.kind = entity_kind::district;
  auto r = rollup(f.p, t.view(), o);
  CHECK(*find(r, f.teachers, f.d, jan1(2021)) == 19); // last of a (12) + b (7)
  CHECK(r.rows_combined_in_time == 1);
  // school years: 2021-03-31 and 2021-06-30 are in 2020/2021, 2021-09-30 in 2021/2022
  o.period = period_kind::school_year;
  r = rollup(f.p, t.view(), o);
  CHECK(*find(r, f.teachers, f.d, day(2020, 9, 1)) == 17); // a: 10, b: 7
  CHECK(*find(r, f.teachers, f.d, day(2021, 9, 1)) == 12);
}

TEST_CASE("rows above the level are outside it; bad requests are errors") {
  fixture f;
  observation_table t;
  t.push_back(f.teachers, f.a, jan1(2021), dec31(2021), 12);
  t.push_back(f.teachers, f.d, jan1(2021), dec31(2021), 40); // a district total: not below a stage
  rollup_options o;
  o.kind = entity_kind::stage;
  const auto r = rollup(f.p, t.view(), o);
  CHECK(r.rows_outside_level == 1);
  CHECK(r.rows_used == 1);
  // no weight column: a student-weighted rate of a school without students is weighed 1, and said
  observation_table u;
  u.push_back(f.rate, f.a, jan1(2021), dec31(2021), 90);
  const auto ru = rollup(f.p, u.view(), o);
  CHECK(*find(ru, f.rate, f.s1, jan1(2021)) == 90);
  CHECK(ru.weight_assumed_entities == std::vector<std::uint32_t>{f.a});
  o.kind.reset();
  o.depth = 9;
  CHECK_THROWS_AS(rollup(f.p, t.view(), o), error);
}

TEST_CASE("without a weight column, rows are weighed as the indicator's definition says") {
  // a: 100 students, 90%; b: 300 students, 70%; both under s1
  auto with_weight = [](const char* w) {
    plan p = parse_plan(planeval_test::mini_plan);
    indicator share = p.indicator_by_id("rate");
    share.id = "share";
    share.weight_by = w;
    p.add_indicator(share);
    for (auto [id, n] : {std::pair{"a", 100.0}, std::pair{"b", 300.0}}) {
      entity s;
      s.id = id;
      s.name.zh = id;
      s.kind = entity_kind::school;
      s.parent = "s1";
      s.students = n;
      p.add_entity(s);
    }
    return p;
  };
  rollup_options o;
  o.kind = entity_kind::stage;
  for (auto [w, expected] : {std::pair{"students", (100 * 90.0 + 300 * 70.0) / 400}, // 75
                             std::pair{"units", (90.0 + 70.0) / 2},                 // 80: each school once
                             std::pair{"teachers", (10 * 90.0 + 30 * 70.0) / 40}}) { // 75: by teachers 10 and 30
    plan p = with_weight(w);
    const auto share = *p.find_indicator("share"), teachers = *p.find_indicator("teachers");
    const auto a = *p.find_entity("a"), b = *p.find_entity("b"), s1 = *p.find_entity("s1");
    observation_table t;
    t.push_back(share, a, jan1(2021), dec31(2021), 90);
    t.push_back(share, b, jan1(2021), dec31(2021), 70);
    t.push_back(teachers, a, jan1(2021), dec31(2021), 10);
    t.push_back(teachers, b, jan1(2021), dec31(2021), 30);
    const auto r = rollup(p, t.view(), o);
    CAPTURE(w);
    CHECK(*find(r, share, s1, jan1(2021)) == doctest::Approx(expected));
  }
  // the denominator missing for school b: weighed 1, and listed (a's 10 teachers weigh a):
  // (10 × 90 + 1 × 70) / 11 = 88.18...
  plan p = with_weight("teachers");
  observation_table t;
  const auto share = *p.find_indicator("share"), teachers = *p.find_indicator("teachers");
  t.push_back(share, *p.find_entity("a"), jan1(2021), dec31(2021), 90);
  t.push_back(share, *p.find_entity("b"), jan1(2021), dec31(2021), 70);
  t.push_back(teachers, *p.find_entity("a"), jan1(2021), dec31(2021), 10);
  const auto r = rollup(p, t.view(), o);
  CHECK(*find(r, share, *p.find_entity("s1"), jan1(2021)) == doctest::Approx((10 * 90.0 + 70) / 11));
  CHECK(r.weight_assumed_entities == std::vector<std::uint32_t>{*p.find_entity("b")});
  // every weight known: nothing listed
  t.push_back(teachers, *p.find_entity("b"), jan1(2021), dec31(2021), 30);
  CHECK(rollup(p, t.view(), o).weight_assumed_entities.empty());
}

TEST_CASE("threads give the one-pass result") {
  fixture f;
  // add 300 schools under both stages, 4 years of data for 2 indicators
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> u(0, 100);
  observation_table t;
  for (int k = 0; k < 300; ++k) {
    entity s;
    s.id = "x" + std::to_string(k);
    s.name.zh = s.id;
    s.parent = k % 2 ? "s1" : "s2";
    const auto e = f.p.add_entity(s);
    for (int y = 2021; y <= 2024; ++y) {
      t.push_back(f.teachers, e, jan1(y), dec31(y), std::floor(u(rng)));
      t.push_back(f.rate, e, jan1(y), dec31(y), u(rng));
      t.weight.push_back(1);
      t.weight.push_back(100 + u(rng));
    }
  }
  // 50 copies of these 2400 rows, spread over days of the same years
  observation_table big;
  for (int rep = 0; rep < 50; ++rep)
    for (std::size_t i = 0; i < t.size(); ++i) {
      big.push_back(t.indicator[i], t.entity[i], t.start[i] - rep * 0, t.end[i], t.value[i]);
      big.weight.push_back(t.weight[i]);
    }
  // repeated keys would be combined in time; keep keys unique by spreading copies over days
  for (std::size_t i = 0; i < big.size(); ++i) {
    const auto rep = static_cast<day_number>(i / t.size());
    big.start[i] += rep;
    big.end[i] = big.start[i];
  }
  rollup_options o;
  o.kind = entity_kind::stage;
  o.rule = rollup_rule::cv;
  o.threads = 1;
  o.min_rows_per_thread = 100; // the 120000 rows combine in time to 2400: let two threads share them
  const auto one = rollup(f.p, big.view(), o);
  o.threads = 2;
  const auto two = rollup(f.p, big.view(), o);
  REQUIRE(one.size() == two.size());
  for (std::size_t i = 0; i < one.size(); ++i) CHECK(two.value[i] == doctest::Approx(one.value[i]).epsilon(1e-12));
  CHECK(one.rows_combined_in_time == 2400 * 49); // 50 dated rows per school, indicator and year
}

TEST_CASE("coarser levels from merged states equal a direct roll-up") {
  fixture f;
  observation_table t;
  t.push_back(f.rate, f.a, jan1(2021), dec31(2021), 4);
  t.push_back(f.rate, f.b, jan1(2021), dec31(2021), 5);
  t.push_back(f.rate, f.c, jan1(2021), dec31(2021), 6);
  t.weight = {100, 200, 700};
  rollup_options o;
  o.kind = entity_kind::stage;
  o.rule = rollup_rule::cv;
  o.also = {entity_kind::district};
  const auto r = rollup(f.p, t.view(), o);
  // the district row comes from merging the two stages' CV states: the same 0.118450 as above
  REQUIRE(find(r, f.rate, f.d, jan1(2021)));
  CHECK(*find(r, f.rate, f.d, jan1(2021)) == doctest::Approx(0.118450).epsilon(1e-5));
  // the 小学 stage alone: x = 4, 5 with 100, 200 students: x̄ = 14/3, S² = (1/3)(2/3)² + (2/3)(1/3)² = 2/9,
  // CV = 0.471405 / 4.666667 = 0.101015
  CHECK(*find(r, f.rate, f.s1, jan1(2021)) == doctest::Approx(0.101015).epsilon(1e-5));
  o.also = {entity_kind::school};
  CHECK_THROWS_AS(rollup(f.p, t.view(), o), error); // a school is not above a stage
}

TEST_CASE("share of units passing k of n with a floor") {
  fixture f;
  // 小学 criteria (2 of 3, floor 85%): x1 >= 4.2, x2 >= 1.0, x3 >= 0.9
  // a: 4.5, 1.1, 0.8  -> 2 met, 0.8 >= 0.85 * 0.9 = 0.765: passes
  // b: 4.0, 0.8, 1.0  -> 1 met: fails
  // c: a 初中 school: no 初中 criteria given, not judged
  std::vector<std::uint32_t> inds;
  for (const char* id : {"x1", "x2", "x3"}) {
    indicator i;
    i.id = id;
    i.name.zh = id;
    i.unit = "ratio";
    i.kind = value_kind::ratio;
    inds.push_back(f.p.add_indicator(i));
  }
  observation_table t;
  const double va[] = {4.5, 1.1, 0.8}, vb[] = {4.0, 0.8, 1.0}, vc[] = {1, 1, 1};
  for (int k = 0; k < 3; ++k) {
    t.push_back(inds[k], f.a, jan1(2022), dec31(2022), va[k]);
    t.push_back(inds[k], f.b, jan1(2022), dec31(2022), vb[k]);
    t.push_back(inds[k], f.c, jan1(2022), dec31(2022), vc[k]);
  }
  t.push_back(inds[0], f.a, jan1(2023), dec31(2023), 5.0); // 2023: a has only x1 -> incomplete, fails
  k_of_n_spec spec;
  spec.indicators = inds;
  spec.k = 2;
  spec.floor = 0.85;
  spec.criteria = {
      {stage::primary, {{comparator::ge, 4.2, "x1"}, {comparator::ge, 1.0, "x2"}, {comparator::ge, 0.9, "x3"}}}};
  rollup_options o;
  o.kind = entity_kind::district;
  const auto r = rollup_k_of_n(f.p, t.view(), o, spec);
  REQUIRE(r.size() == 2);
  CHECK(r.entity[0] == f.d);
  CHECK(r.start[0] == jan1(2022));
  CHECK(r.units[0] == 2);
  CHECK(r.passed[0] == 1);
  CHECK(r.share[0] == 0.5);
  CHECK(r.incomplete[0] == 0);
  CHECK(r.start[1] == jan1(2023));
  CHECK(r.units[1] == 1);
  CHECK(r.passed[1] == 0);
  CHECK(r.incomplete[1] == 1);
  spec.criteria[0].second.pop_back();
  CHECK_THROWS_AS(rollup_k_of_n(f.p, t.view(), o, spec), error);
}

TEST_CASE("time rules: sum of a flow, mean weighted by days") {
  fixture f;
  // a flow summed over time, and a stock averaged over time weighted by days
  indicator flow;
  flow.id = "spending";
  flow.name.zh = "教育支出";
  flow.unit = "万元";
  flow.kind = value_kind::amount;
  flow.across_time = time_rule::sum;
  const auto spending = f.p.add_indicator(flow);
  indicator avg;
  avg.id = "enrolment";
  avg.name.zh = "在校生数";
  avg.unit = "人";
  avg.kind = value_kind::count;
  avg.across_time = time_rule::mean_days;
  const auto enrolment = f.p.add_indicator(avg);
  observation_table t;
  t.push_back(spending, f.a, day(2021, 1, 1), day(2021, 6, 30), 100);
  t.push_back(spending, f.a, day(2021, 7, 1), day(2021, 12, 31), 50);
  // 300 students for Jan–Mar (90 days), 400 for Apr–Dec (275 days): (300·90 + 400·275) / 365 = 375.342
  t.push_back(enrolment, f.a, day(2021, 1, 1), day(2021, 3, 31), 300);
  t.push_back(enrolment, f.a, day(2021, 4, 1), day(2021, 12, 31), 400);
  rollup_options o;
  o.kind = entity_kind::district;
  const auto r = rollup(f.p, t.view(), o);
  CHECK(*find(r, spending, f.d, jan1(2021)) == 150);
  CHECK(*find(r, enrolment, f.d, jan1(2021)) == doctest::Approx((300.0 * 90 + 400.0 * 275) / 365));
}

TEST_CASE("history before the plan is rolled up; the periods reach back only as far as the data") {
  fixture f; // mini plan: horizon 2021-2025, baseline 2020
  observation_table t;
  t.push_back(f.teachers, f.a, jan1(2016), dec31(2016), 5); // 十三五 history
  t.push_back(f.teachers, f.b, jan1(2016), dec31(2016), 6);
  t.push_back(f.teachers, f.a, jan1(2022), dec31(2022), 9);
  rollup_options o;
  o.kind = entity_kind::district;
  auto r = rollup(f.p, t.view(), o);
  CHECK(*find(r, f.teachers, f.d, jan1(2016)) == 11); // 5 + 6
  CHECK(*find(r, f.teachers, f.d, jan1(2022)) == 9);
  // one period for everything: it starts with the earliest row's year
  o.period = period_kind::custom;
  r = rollup(f.p, t.view(), o);
  REQUIRE(r.size() == 1);
  CHECK(r.start[0] == jan1(2016));
  CHECK(r.value[0] == 15); // each school's last value (a: 9 in 2022, b: 6 in 2016), summed
  // without history the window is the plan's: the baseline year to the horizon end
  observation_table u;
  u.push_back(f.teachers, f.a, jan1(2022), dec31(2022), 9);
  r = rollup(f.p, u.view(), o);
  REQUIRE(r.size() == 1);
  CHECK(r.start[0] == jan1(2020));
}

TEST_CASE("registry rules: mixed declared rules in one pass, variance, refusals, threads 0") {
  fixture f;
  observation_table t;
  // teachers (count: sum), rate (rate: weighted mean by the weight column), passed (boolean: min)
  t.push_back(f.teachers, f.a, jan1(2021), dec31(2021), 12);
  t.push_back(f.rate, f.a, jan1(2021), dec31(2021), 80);
  t.push_back(f.passed, f.a, jan1(2021), dec31(2021), 1);
  t.push_back(f.teachers, f.b, jan1(2021), dec31(2021), 30);
  t.push_back(f.rate, f.b, jan1(2021), dec31(2021), 90);
  t.push_back(f.passed, f.b, jan1(2021), dec31(2021), 0);
  t.weight = {1, 100, 1, 1, 300, 1};
  rollup_options o;
  o.kind = entity_kind::district;
  for (unsigned threads : {1u, 0u}) {
    CAPTURE(threads);
    o.threads = threads;
    o.min_rows_per_thread = 1;
    const auto r = rollup(f.p, t.view(), o);
    CHECK(*find(r, f.teachers, f.d, jan1(2021)) == 42);                                  // 12 + 30
    CHECK(*find(r, f.rate, f.d, jan1(2021)) == doctest::Approx((80.0 * 100 + 90.0 * 300) / 400)); // 87.5
    CHECK(*find(r, f.passed, f.d, jan1(2021)) == 0);                                     // all(1, 0)
    CHECK(r.rule[row_of(r, f.teachers, f.d, jan1(2021))] == rollup_rule::sum);
    CHECK(r.rule[row_of(r, f.rate, f.d, jan1(2021))] == rollup_rule::weighted_mean);
    CHECK(r.rule[row_of(r, f.passed, f.d, jan1(2021))] == rollup_rule::min);
    CHECK(r.rows_used == 6);
  }
  // variance over units (population, unweighted): teachers 12 and 30, mean 21, ((9² + 9²) / 2) = 81
  o.rule = rollup_rule::variance;
  o.indicators = {f.teachers};
  CHECK(*find(rollup(f.p, t.view(), o), f.teachers, f.d, jan1(2021)) == doctest::Approx(81));
  // a DHIS2 name gives the same rule: AVERAGE_SUM_ORG_UNIT sums across entities
  o.rule = *rules::parse_rule_kind("average_sum_org_unit");
  CHECK(*find(rollup(f.p, t.view(), o), f.teachers, f.d, jan1(2021)) == 42);
  // rules that cannot combine entities are refused, naming the ones that can
  CHECK_FALSE(rollup_supports(rollup_rule::median));
  CHECK_FALSE(rollup_supports(rollup_rule::share_meeting)); // needs a threshold
  CHECK_FALSE(rollup_supports(rollup_rule::ratio_of_sums)); // needs numerators and denominators
  CHECK(rollup_supports(rollup_rule::cv_unweighted));
  o.rule = rollup_rule::median;
  try {
    (void)rollup(f.p, t.view(), o);
    FAIL("no error");
  } catch (const error& e) {
    CHECK(std::string(e.what()) == "roll-up: rule \"median\" cannot combine entities; expected one of \"sum\", "
                                   "\"count\", \"mean\", \"min\", \"max\", \"weighted_mean\", \"variance\", "
                                   "\"stddev\", \"cv\", \"cv_unweighted\"");
  }
}

TEST_CASE("default_rule: the plan vocabulary through entity_rule_kinds") {
  indicator ind;
  const std::pair<entity_rule, rollup_rule> expected[] = {
      {entity_rule::sum, rollup_rule::sum},         {entity_rule::mean, rollup_rule::mean},
      {entity_rule::weighted_mean, rollup_rule::weighted_mean}, {entity_rule::ratio_of_sums, rollup_rule::weighted_mean},
      {entity_rule::min, rollup_rule::min},         {entity_rule::max, rollup_rule::max},
      {entity_rule::all, rollup_rule::min},         {entity_rule::any, rollup_rule::max},
  };
  for (const auto& [declared, kind] : expected) {
    ind.across_entities = declared;
    CHECK(default_rule(ind) == kind);
  }
  // none / unspecified: by the kind of value (count: sum, rate: weighted mean, boolean: min)
  ind.across_entities = entity_rule::none;
  ind.kind = value_kind::count;
  CHECK(default_rule(ind) == rollup_rule::sum);
  ind.across_entities = entity_rule::unspecified;
  ind.kind = value_kind::rate;
  CHECK(default_rule(ind) == rollup_rule::weighted_mean);
  ind.kind = value_kind::boolean;
  CHECK(default_rule(ind) == rollup_rule::min);
}
