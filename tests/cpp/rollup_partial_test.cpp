#include <planeval/json.hpp>
#include <planeval/rollup_partial.hpp>

#include <doctest/doctest.h>

#include <cmath>
#include <random>
#include <map>
#include <numeric>

#include "test_plans.hpp"

using namespace planeval;

namespace {

day_number jan1(int y) { return to_day_number(date(static_cast<unsigned short>(y), 1, 1)); }
day_number dec31(int y) { return to_day_number(date(static_cast<unsigned short>(y), 12, 31)); }

// The mini plan (district d, its 小学 stage s1; horizon 2021-2025, baseline 2020) plus a 初中
// stage s2 and 40 schools under the two stages.
struct fixture {
  plan p = parse_plan(planeval_test::mini_plan);
  std::uint32_t teachers = *p.find_indicator("teachers"), rate = *p.find_indicator("rate"),
                passed = *p.find_indicator("passed");
  std::vector<std::uint32_t> schools;
  fixture() {
    entity e;
    e.id = "s2";
    e.name.zh = "初中";
    e.kind = entity_kind::stage;
    e.parent = "d";
    e.stage = stage::junior;
    p.add_entity(e);
    for (int k = 0; k < 40; ++k) {
      entity s;
      s.id = "x" + std::to_string(k);
      s.name.zh = s.id;
      s.kind = entity_kind::school;
      s.parent = k % 2 ? "s1" : "s2";
      schools.push_back(p.add_entity(s));
    }
  }
};

/// Rows for every school, indicator and year 2016-2024 (history before the plan's window, so parts
/// holding different years have different windows): integer teachers, rates with student weights,
/// 0/1 passed, some missing values, and for teachers three dated rows per year (combined in time:
/// teachers are a stock, their last present value counts).
observation_table rows(const fixture& f, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int> teach(0, 60), rate(300, 1000), coin(0, 9); // integers: exact sums
  observation_table t;
  for (auto e : f.schools)
    for (int y = 2016; y <= 2024; ++y) {
      for (int q = 0; q < 3; ++q) {
        const day_number d = jan1(y) + 100 * q;
        t.push_back(f.teachers, e, d, d, teach(rng), coin(rng) == 0 ? flags::missing : std::uint8_t{0});
        t.weight.push_back(1);
      }
      t.push_back(f.rate, e, jan1(y), dec31(y), static_cast<double>(rate(rng) / 10), coin(rng) == 0 ? flags::missing : std::uint8_t{0});
      t.weight.push_back(100 + teach(rng));
      t.push_back(f.passed, e, jan1(y), dec31(y), coin(rng) < 7 ? 1 : 0);
      t.weight.push_back(1);
    }
  return t;
}

/// The rows of `t` whose (entity, year of the end day) `keep` accepts.
template <class Keep>
observation_table select(const observation_table& t, Keep keep) {
  observation_table out;
  for (std::size_t i = 0; i < t.size(); ++i)
    if (keep(t.entity[i], from_day_number(t.end[i]).year())) {
      out.push_back(t.indicator[i], t.entity[i], t.start[i], t.end[i], t.value[i], t.flags[i]);
      out.weight.push_back(t.weight[i]);
    }
  return out;
}

/// a == b: the same rows and counters, values exactly equal (`exact`) or to 1e-12 relative.
void check_same(const rollup_result& a, const rollup_result& b, bool exact) {
  REQUIRE(a.size() == b.size());
  CHECK(a.rows_used == b.rows_used);
  CHECK(a.rows_outside_level == b.rows_outside_level);
  CHECK(a.rows_combined_in_time == b.rows_combined_in_time);
  CHECK(a.weight_assumed_entities == b.weight_assumed_entities);
  for (std::size_t i = 0; i < a.size(); ++i) {
    CAPTURE(i);
    REQUIRE(a.indicator[i] == b.indicator[i]);
    REQUIRE(a.entity[i] == b.entity[i]);
    REQUIRE(a.stage[i] == b.stage[i]);
    REQUIRE(a.start[i] == b.start[i]);
    REQUIRE(a.end[i] == b.end[i]);
    REQUIRE(a.defined[i] == b.defined[i]);
    CHECK(a.units[i] == b.units[i]);
    CHECK(a.missing_units[i] == b.missing_units[i]);
    CHECK(a.rule[i] == b.rule[i]);
    if (!a.defined[i]) continue;
    if (exact)
      CHECK(a.value[i] == b.value[i]);
    else
      CHECK(std::abs(a.value[i] - b.value[i]) <= 1e-12 * std::max(1.0, std::abs(b.value[i])));
  }
}

} // namespace

TEST_CASE("any split of the rows, merged, gives rollup() on all rows, for every mergeable rule") {
  fixture f;
  const auto all = rows(f, 11);
  std::mt19937_64 rng(5);
  // splits: schools into 1..4 parts at random; years into parts (2016-2018 | 2019-2024 and single years)
  std::vector<std::vector<observation_table>> splits;
  for (int k : {1, 2, 4}) {
    std::vector<int> part_of(f.p.entities().size());
    for (auto& x : part_of) x = static_cast<int>(rng() % static_cast<std::uint64_t>(k));
    std::vector<observation_table> parts;
    for (int j = 0; j < k; ++j) parts.push_back(select(all, [&](std::uint32_t e, int) { return part_of[e] == j; }));
    splits.push_back(std::move(parts));
  }
  {
    std::vector<observation_table> parts;
    parts.push_back(select(all, [](std::uint32_t, int y) { return y >= 2019; })); // the later years first
    parts.push_back(select(all, [](std::uint32_t, int y) { return y < 2019; }));
    splits.push_back(std::move(parts));
    std::vector<observation_table> years;
    for (int y = 2024; y >= 2016; --y) years.push_back(select(all, [y](std::uint32_t, int z) { return z == y; }));
    splits.push_back(std::move(years));
  }
  const rollup_rule rules_to_check[] = {rollup_rule::indicator, rollup_rule::sum,           rollup_rule::count,
                                        rollup_rule::mean,      rollup_rule::min,           rollup_rule::max,
                                        rollup_rule::weighted_mean, rollup_rule::variance,  rollup_rule::stddev,
                                        rollup_rule::cv,        rollup_rule::cv_unweighted};
  for (auto rule : rules_to_check)
    for (auto per : {period_kind::calendar_year, period_kind::school_year, period_kind::custom})
      for (bool by_stage : {false, true}) {
        CAPTURE(to_string(rule));
        CAPTURE(static_cast<int>(per));
        CAPTURE(by_stage);
        rollup_options o;
        o.kind = entity_kind::stage;
        o.also = {entity_kind::district};
        o.rule = rule;
        o.period = per;
        o.by_stage = by_stage;
        o.missing = per == period_kind::custom ? rules::missing_policy::skip_if_any_missing
                                               : rules::missing_policy::skip_if_all_missing;
        const auto whole = rollup(f.p, all.view(), o);
        REQUIRE(whole.size() > 0);
        // sums, counts, min and max of integer data are exact whatever the order
        const bool exact = rule == rollup_rule::sum || rule == rollup_rule::count || rule == rollup_rule::min ||
                           rule == rollup_rule::max;
        for (std::size_t s = 0; s < splits.size(); ++s) {
          CAPTURE(s);
          const auto merge_all = [&] {
            rollup_partial merged;
            for (std::size_t j = 0; j < splits[s].size(); ++j) {
              o.threads = j % 2 ? 2 : 1;
              o.min_rows_per_thread = 50;
              const auto part = rollup_states(f.p, splits[s][j].view(), o);
              // every other part crosses a byte boundary, as it would between processes
              merged += j % 2 ? rollup_partial::from_bytes(f.p, part.to_bytes()) : part;
            }
            return merged;
          };
          if (per == period_kind::custom && s >= 3) {
            // one period for all years: parts by year share (indicator, entity, period) keys, whose
            // rows combine in time first: refused
            CHECK_THROWS_AS(merge_all(), data_error);
            continue;
          }
          check_same(merge_all().finalise(f.p), whole, exact);
        }
      }
  // the default rules by hand: teachers of the 小学 stage in 2016 are the sum over its schools of
  // each school's last present value of the year (teachers are a stock: the time rule takes the
  // last value; missing rows are skipped)
  rollup_options o;
  o.kind = entity_kind::stage;
  const std::uint32_t s1 = *f.p.find_entity("s1");
  std::map<std::uint32_t, double> last; // school of s1 -> its last present value in 2016
  for (std::size_t i = 0; i < all.size(); ++i)
    if (all.indicator[i] == f.teachers && from_day_number(all.end[i]).year() == 2016 &&
        f.p.entities().parent(all.entity[i]) == s1 && !(all.flags[i] & flags::missing))
      last[all.entity[i]] = all.value[i]; // rows are in date order
  double expected = 0;
  for (const auto& [e, v] : last) expected += v;
  rollup_partial merged = rollup_states(f.p, splits[4][8].view(), o); // 2016
  merged += rollup_states(f.p, splits[4][0].view(), o);              // 2024
  const auto r = merged.finalise(f.p);
  bool found = false;
  for (std::size_t i = 0; i < r.size(); ++i)
    if (r.indicator[i] == f.teachers && r.entity[i] == s1 && r.start[i] == jan1(2016)) {
      CHECK(r.value[i] == expected);
      CHECK(r.units[i] == last.size());
      found = true;
    }
  CHECK(found);
  CHECK(r.rows_used == 2 * 40 * 3);            // two years of 40 schools, 3 rows each after combining in time
  CHECK(r.rows_combined_in_time == 2 * 40 * 2); // the teachers' three dated rows became one
  CHECK(last.size() >= 15);                     // most of the 20 schools of s1 reported
}

TEST_CASE("a roll-up in parts refuses what it cannot merge") {
  fixture f;
  const auto all = rows(f, 3);
  rollup_options o;
  o.kind = entity_kind::district;
  // non-mergeable rules: named, with the indicators they were asked for
  o.rule = rollup_rule::median;
  o.indicators = {f.rate};
  try {
    (void)rollup_states(f.p, all.view(), o);
    FAIL("no error");
  } catch (const error& e) {
    CHECK(std::string(e.what()) ==
          "roll-up in parts: rule \"median\" (indicators \"rate\") is not mergeable (its state keeps every value), so "
          "it cannot be computed in parts and merged; expected one of \"sum\", \"count\", \"mean\", \"min\", \"max\", "
          "\"weighted_mean\", \"variance\", \"stddev\", \"cv\", \"cv_unweighted\"");
  }
  o.rule = rollup_rule::percentile;
  CHECK_THROWS_WITH_AS(rollup_states(f.p, all.view(), o), doctest::Contains("rule \"percentile\""), error);

  // one (indicator, entity, year) in two parts: the rows would combine in time first
  o.rule = rollup_rule::indicator;
  o.indicators.clear();
  const auto first = select(all, [](std::uint32_t, int y) { return y <= 2020; });
  const auto second = select(all, [](std::uint32_t, int y) { return y >= 2020; });
  rollup_partial a = rollup_states(f.p, first.view(), o);
  const rollup_partial before = a;
  CHECK_THROWS_WITH_AS(a += rollup_states(f.p, second.view(), o),
                       doctest::Contains("two parts hold rows of indicator #0, entity #"), data_error);
  check_same(a.finalise(f.p), before.finalise(f.p), true); // left as it was

  // other options, another plan, corrupt bytes
  rollup_options other = o;
  other.by_stage = true;
  const auto later = select(all, [](std::uint32_t, int y) { return y > 2020; });
  CHECK_THROWS_WITH_AS(a += rollup_states(f.p, later.view(), other), doctest::Contains("different options"), error);
  fixture g;
  entity extra;
  extra.id = "extra";
  extra.name.zh = "另一所";
  extra.kind = entity_kind::school;
  extra.parent = "s1";
  g.p.add_entity(extra);
  const std::string bytes = a.to_bytes();
  CHECK_THROWS_WITH_AS(rollup_partial::from_bytes(g.p, bytes), doctest::Contains("of plan \"mini\""), error);
  CHECK_THROWS_WITH_AS(a.finalise(g.p), doctest::Contains("finalise: the partial is of plan \"mini\""), error);
  std::string flipped = bytes;
  flipped[flipped.size() / 2] = static_cast<char>(flipped[flipped.size() / 2] ^ 1);
  CHECK_THROWS_WITH_AS(rollup_partial::from_bytes(f.p, flipped), doctest::Contains("checksum mismatch"), error);
  CHECK_THROWS_WITH_AS(rollup_partial::from_bytes(f.p, bytes.substr(0, 10)), doctest::Contains("truncated"), error);
  CHECK_THROWS_WITH_AS(rollup_partial::from_bytes(f.p, "xyz" + bytes.substr(3)), doctest::Contains("no \"pvp\""),
                       error);
  // read without the plan: merged and finalised as the checked one; the plan is checked at the end
  rollup_partial unchecked = rollup_partial::from_bytes(bytes);
  check_same(unchecked.finalise(f.p), before.finalise(f.p), true);
  CHECK_THROWS_WITH_AS(unchecked.finalise(g.p), doctest::Contains("of plan \"mini\""), error);
  CHECK_THROWS_WITH_AS(rollup_partial::from_bytes(flipped), doctest::Contains("checksum mismatch"), error);
  // the identity: an empty partial, also through bytes
  rollup_partial id = rollup_partial::from_bytes(f.p, rollup_partial{}.to_bytes());
  CHECK(id.empty());
  id += a;
  check_same(id.finalise(f.p), before.finalise(f.p), true);
  CHECK(rollup_partial{}.finalise(f.p).size() == 0);
}

namespace {

/// The fixture with two ratio indicators x1, x2 for k-of-n criteria (with teachers as the third).
struct k_of_n_fixture : fixture {
  std::uint32_t x1 = 0, x2 = 0;
  k_of_n_fixture() {
    for (const char* id : {"x1", "x2"}) {
      indicator i;
      i.id = id;
      i.name.zh = id;
      i.unit = "ratio";
      i.kind = value_kind::ratio;
      (id[1] == '1' ? x1 : x2) = p.add_indicator(i);
    }
  }
  /// 2 of (x1, x2, teachers) with every other one at 85% of its threshold; 小学 and 初中 criteria.
  k_of_n_spec spec() const {
    k_of_n_spec s;
    s.indicators = {x1, x2, teachers};
    s.k = 2;
    s.floor = 0.85;
    s.criteria = {{stage::primary, {{comparator::ge, 4.2, "x1"}, {comparator::ge, 1.0, "x2"}, {comparator::ge, 30, "t"}}},
                  {stage::junior, {{comparator::ge, 5.3, "x1"}, {comparator::ge, 1.0, "x2"}, {comparator::ge, 35, "t"}}}};
    return s;
  }
};

/// Rows for every school and year 2016-2024: x1 and x2 around their thresholds (some missing, some
/// absent), teachers as three dated rows a year (combined in time: the last present value).
observation_table k_of_n_rows_of(const k_of_n_fixture& f, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int> x1(35, 65), x2(7, 13), teach(20, 50), coin(0, 9);
  observation_table t;
  for (auto e : f.schools)
    for (int y = 2016; y <= 2024; ++y) {
      if (coin(rng) == 0) continue; // some schools do not report some years at all
      for (int q = 0; q < 3; ++q) {
        const day_number d = jan1(y) + 100 * q;
        t.push_back(f.teachers, e, d, d, teach(rng), coin(rng) == 0 ? flags::missing : std::uint8_t{0});
      }
      t.push_back(f.x1, e, jan1(y), dec31(y), x1(rng) / 10.0, coin(rng) == 0 ? flags::missing : std::uint8_t{0});
      if (coin(rng) != 0) t.push_back(f.x2, e, jan1(y), dec31(y), x2(rng) / 10.0); // x2 absent in some years
    }
  t.weight.assign(t.size(), 1.0); // (k-of-n reads no weights; select copies them)
  return t;
}

void check_same(const k_of_n_result& a, const k_of_n_result& b) {
  REQUIRE(a.size() == b.size());
  CHECK(a.entity == b.entity);
  CHECK(a.stage == b.stage);
  CHECK(a.start == b.start);
  CHECK(a.end == b.end);
  CHECK(a.units == b.units);
  CHECK(a.passed == b.passed);
  CHECK(a.incomplete == b.incomplete);
  CHECK(a.share == b.share); // passed / units of the same counts: bit for bit
}

} // namespace

TEST_CASE("k-of-n in parts: any split by entity or year, merged in any order, gives rollup_k_of_n") {
  k_of_n_fixture f;
  const auto all = k_of_n_rows_of(f, 7);
  const auto spec = f.spec();
  std::mt19937_64 rng(9);
  std::vector<std::vector<observation_table>> splits;
  for (int k : {1, 2, 4}) { // schools into k parts at random
    std::vector<int> part_of(f.p.entities().size());
    for (auto& x : part_of) x = static_cast<int>(rng() % static_cast<std::uint64_t>(k));
    std::vector<observation_table> parts;
    for (int j = 0; j < k; ++j) parts.push_back(select(all, [&](std::uint32_t e, int) { return part_of[e] == j; }));
    splits.push_back(std::move(parts));
  }
  {
    std::vector<observation_table> parts; // the later years first: the windows differ
    parts.push_back(select(all, [](std::uint32_t, int y) { return y >= 2019; }));
    parts.push_back(select(all, [](std::uint32_t, int y) { return y < 2019; }));
    splits.push_back(std::move(parts));
    std::vector<observation_table> years;
    for (int y = 2024; y >= 2016; --y) years.push_back(select(all, [y](std::uint32_t, int z) { return z == y; }));
    splits.push_back(std::move(years));
  }
  for (auto level : {entity_kind::stage, entity_kind::district})
    for (auto per : {period_kind::calendar_year, period_kind::school_year, period_kind::custom})
      for (bool by_stage : {false, true}) {
        CAPTURE(static_cast<int>(level));
        CAPTURE(static_cast<int>(per));
        CAPTURE(by_stage);
        rollup_options o;
        o.kind = level;
        o.period = per;
        o.by_stage = by_stage;
        const auto whole = rollup_k_of_n(f.p, all.view(), o, spec);
        REQUIRE(whole.size() > 0);
        for (std::size_t s = 0; s < splits.size(); ++s) {
          CAPTURE(s);
          std::vector<k_of_n_partial> parts;
          for (std::size_t j = 0; j < splits[s].size(); ++j) {
            o.threads = j % 2 ? 2 : 1;
            o.min_rows_per_thread = 50;
            parts.push_back(rollup_k_of_n_states(f.p, splits[s][j].view(), o, spec));
          }
          const auto forward = [&] {
            k_of_n_partial merged;
            for (std::size_t j = 0; j < parts.size(); ++j) // every other part through bytes, as between processes
              merged += j % 2 ? k_of_n_partial::from_bytes(f.p, parts[j].to_bytes()) : parts[j];
            return merged;
          };
          // a year split judges a unit in two parts when one period takes rows of two calendar
          // years: the custom period (all years), and school years (teachers' rows of January and
          // April count in the school year before, x1 and x2 of December in the one starting then)
          if (s >= 3 && per != period_kind::calendar_year) {
            CHECK_THROWS_WITH_AS(forward(), doctest::Contains("two parts judged entity #"), data_error);
            continue;
          }
          check_same(forward().finalise(f.p), whole);
          // backwards, and as a tree ((0 + 1) + (2 + 3)), read without the plan
          k_of_n_partial backward;
          for (std::size_t j = parts.size(); j-- > 0;) backward += k_of_n_partial::from_bytes(parts[j].to_bytes());
          check_same(backward.finalise(f.p), whole);
          k_of_n_partial left, right;
          for (std::size_t j = 0; j < parts.size(); ++j) (j < parts.size() / 2 ? left : right) += parts[j];
          check_same((left += right).finalise(f.p), whole);
          CHECK(left.units() == std::accumulate(whole.units.begin(), whole.units.end(), std::uint64_t{0}));
        }
      }
}

TEST_CASE("k-of-n in parts, worked by hand") {
  k_of_n_fixture f;
  // 2022, 小学 criteria x1 >= 4.2, x2 >= 1.0, teachers >= 30 (2 of 3, others at 85%):
  //   x1 (小学): 4.5, 1.1, 31 -> 3 met: passes
  //   x3 (小学): 4.0, 0.8, 40 -> x1, teachers met (2), x2 0.8 < 0.85 x 1.0 = 0.85: fails
  // 初中 criteria x1 >= 5.3, x2 >= 1.0, teachers >= 35:
  //   x0 (初中): 5.0, 1.0, 30 -> x2 met (1): fails
  //   x2 (初中): 5.4, 1.0 (teachers missing) -> x1, x2 met (2), the missing one fails its floor: fails,
  //             incomplete
  // part A: x0 and x1; part B: x2 and x3. District d: 4 units, 1 passed, 1 incomplete, share 0.25;
  // by stage: 小学 2 units 1 passed (0.5), 初中 2 units 0 passed.
  observation_table a, b;
  const auto row = [&](observation_table& t, std::uint32_t ind, std::size_t school, double x, std::uint8_t fl = 0) {
    t.push_back(ind, f.schools[school], jan1(2022), dec31(2022), x, fl);
  };
  row(a, f.x1, 1, 4.5), row(a, f.x2, 1, 1.1), row(a, f.teachers, 1, 31);
  row(a, f.x1, 0, 5.0), row(a, f.x2, 0, 1.0), row(a, f.teachers, 0, 30);
  row(b, f.x1, 3, 4.0), row(b, f.x2, 3, 0.8), row(b, f.teachers, 3, 40);
  row(b, f.x1, 2, 5.4), row(b, f.x2, 2, 1.0), row(b, f.teachers, 2, 0, flags::missing);
  rollup_options o;
  o.kind = entity_kind::district;
  k_of_n_partial m = rollup_k_of_n_states(f.p, a.view(), o, f.spec());
  m += rollup_k_of_n_states(f.p, b.view(), o, f.spec());
  const auto r = m.finalise(f.p);
  REQUIRE(r.size() == 1);
  CHECK(r.entity[0] == *f.p.find_entity("d"));
  CHECK(r.stage[0] == -1);
  CHECK(r.start[0] == jan1(2022));
  CHECK(r.end[0] == dec31(2022));
  CHECK(r.units[0] == 4);
  CHECK(r.passed[0] == 1);
  CHECK(r.incomplete[0] == 1);
  CHECK(r.share[0] == 0.25);
  o.by_stage = true;
  k_of_n_partial s = rollup_k_of_n_states(f.p, b.view(), o, f.spec());
  s += rollup_k_of_n_states(f.p, a.view(), o, f.spec());
  const auto rs = s.finalise(f.p);
  REQUIRE(rs.size() == 2);
  CHECK(rs.stage[0] == static_cast<int>(stage::primary));
  CHECK(rs.units[0] == 2);
  CHECK(rs.passed[0] == 1);
  CHECK(rs.share[0] == 0.5);
  CHECK(rs.stage[1] == static_cast<int>(stage::junior));
  CHECK(rs.units[1] == 2);
  CHECK(rs.passed[1] == 0);
  CHECK(rs.incomplete[1] == 1);
  CHECK(rs.share[1] == 0.0);
}

TEST_CASE("k-of-n in parts refuses what it cannot merge") {
  k_of_n_fixture f;
  const auto all = k_of_n_rows_of(f, 3);
  const auto spec = f.spec();
  rollup_options o;
  o.kind = entity_kind::district;
  // one school's 2020 judged in two parts (its last row of 2020 in one, its other rows in the other)
  const std::uint32_t school = f.schools[5];
  observation_table first, second;
  for (std::size_t i = 0; i < all.size(); ++i) {
    // the school's last row of 2020 in the second part, every other row in the first
    const bool last = all.entity[i] == school && from_day_number(all.end[i]).year() == 2020 &&
                      (i + 1 == all.size() || all.entity[i + 1] != school ||
                       from_day_number(all.end[i + 1]).year() != 2020);
    (last ? second : first).push_back(all.indicator[i], all.entity[i], all.start[i], all.end[i], all.value[i],
                                      all.flags[i]);
  }
  REQUIRE(second.size() == 1);
  REQUIRE(first.size() == all.size() - 1);
  k_of_n_partial a = rollup_k_of_n_states(f.p, first.view(), o, spec);
  const k_of_n_partial before = a;
  CHECK_THROWS_WITH_AS(a += rollup_k_of_n_states(f.p, second.view(), o, spec),
                       ("k-of-n in parts: two parts judged entity #" + std::to_string(school) +
                        " in the period starting in 2020; a unit is judged on all its values, so its rows of one "
                        "period must be in one part: partition the rows by entity or by period")
                           .c_str(),
                       data_error);
  check_same(a.finalise(f.p), before.finalise(f.p)); // left as it was
  // other threads merge (they do not change the result); other options or specs do not
  const auto later = select(all, [](std::uint32_t, int y) { return y > 2024; }); // no rows: still a partial
  rollup_options threads = o;
  threads.threads = 2;
  CHECK_NOTHROW(a += rollup_k_of_n_states(f.p, later.view(), threads, spec));
  rollup_options other = o;
  other.by_stage = true;
  CHECK_THROWS_WITH_AS(a += rollup_k_of_n_states(f.p, later.view(), other, spec),
                       doctest::Contains("different options"), error);
  auto k3 = spec;
  k3.k = 3;
  CHECK_THROWS_WITH_AS(a += rollup_k_of_n_states(f.p, later.view(), o, k3), doctest::Contains("different k-of-n specs"),
                       error);
  // an unusable spec is refused as rollup_k_of_n refuses it
  auto short_spec = spec;
  short_spec.criteria[0].second.pop_back();
  CHECK_THROWS_WITH_AS(rollup_k_of_n_states(f.p, all.view(), o, short_spec),
                       "k-of-n: stage 小学 has 2 criteria, expected 3 (one per indicator)", error);
  // another plan, corrupt bytes, the bytes of a roll-up partial
  k_of_n_fixture g;
  entity extra;
  extra.id = "extra";
  extra.name.zh = "另一所";
  extra.kind = entity_kind::school;
  extra.parent = "s1";
  g.p.add_entity(extra);
  const std::string bytes = a.to_bytes();
  CHECK_THROWS_WITH_AS(k_of_n_partial::from_bytes(g.p, bytes), doctest::Contains("of plan \"mini\""), error);
  CHECK_THROWS_WITH_AS(a.finalise(g.p), doctest::Contains("finalise: the partial is of plan \"mini\""), error);
  std::string flipped = bytes;
  flipped[flipped.size() / 2] = static_cast<char>(flipped[flipped.size() / 2] ^ 1);
  CHECK_THROWS_WITH_AS(k_of_n_partial::from_bytes(f.p, flipped), doctest::Contains("checksum mismatch"), error);
  CHECK_THROWS_WITH_AS(k_of_n_partial::from_bytes(bytes.substr(0, 10)), doctest::Contains("truncated"), error);
  CHECK_THROWS_WITH_AS(k_of_n_partial::from_bytes(f.p, rollup_states(f.p, all.view(), o).to_bytes()),
                       doctest::Contains("no \"pvk\" magic"), error);
  // read without the plan: the same result; the plan is checked at finalise
  const k_of_n_partial unchecked = k_of_n_partial::from_bytes(bytes);
  check_same(unchecked.finalise(f.p), a.finalise(f.p));
  CHECK_THROWS_WITH_AS(unchecked.finalise(g.p), doctest::Contains("of plan \"mini\""), error);
  // the identity, also through bytes
  k_of_n_partial id = k_of_n_partial::from_bytes(f.p, k_of_n_partial{}.to_bytes());
  CHECK(id.empty());
  CHECK(id.units() == 0);
  CHECK(k_of_n_partial{}.finalise(f.p).size() == 0);
  id += a;
  check_same(id.finalise(f.p), a.finalise(f.p));
}
