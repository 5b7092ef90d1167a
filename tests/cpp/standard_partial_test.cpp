// Official standards in parts (standard_partial.hpp): the rows split into consecutive chunks or by
// entity, each chunk's partial computed, merged in any tree shape and through bytes, finalise to
// exactly (every member equal, floats bit for bit) what evaluate_standard gives on all rows at once: the
// same rows reach the same code.
//
// Data: (1) the hand-made county of standard_test.cpp (4 小学 and 3 初中 schools, the 2017 优质均衡
// standard, 2023), with what makes the reduction interesting added: superseded and out-of-period
// rows, two rows with one end date in different chunks (the later counts), students read from
// the latest row among indicators with equal end dates, a value reported missing, a teaching point
// under 50 students and a special-education school (excluded), a school excluded by option, and a
// 一贯制 school whose facilities are split between its parts (split_combined); (2) the Baijiantan
// example plan with its illustrative school data, where the standards' per-student ratios are
// derived from counts (the derive() path), for the 2017 优质均衡 and the 2020 学前普及普惠 standards.
#include <planeval/derived.hpp>
#include <planeval/embedded.hpp>
#include <planeval/json.hpp>
#include <planeval/standard_partial.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <functional>
#include <numeric>
#include <set>
#include <tuple>

using namespace planeval;

namespace {

/// Two results are equal: every member (standard_result has no operator==; its parts do, defaulted,
/// so doubles compare bit for bit up to the sign of zero).
bool same(const standard_result& a, const standard_result& b) {
  return a.standard == b.standard && a.scope == b.scope && a.period == b.period && a.passed == b.passed &&
         a.groups == b.groups && a.units == b.units && a.cvs == b.cvs && a.composites == b.composites &&
         a.criteria == b.criteria && a.reasons == b.reasons;
}

day_number day(int y, int m, int d) {
  return to_day_number(
      date(static_cast<unsigned short>(y), static_cast<unsigned short>(m), static_cast<unsigned short>(d)));
}

const char* const county_plan = R"({
  "format": "planeval-plan", "format_version": 1, "id": "county",
  "title": {"zh": "某县教育规划"}, "horizon": {"start": "2021", "end": "2025"},
  "phases": [], "indicators": [],
  "entities": [
    {"id": "county", "name": {"zh": "某县"}, "kind": "district"},
    {"id": "primary", "name": {"zh": "小学"}, "kind": "stage", "parent": "county", "stage": "小学"},
    {"id": "junior", "name": {"zh": "初中"}, "kind": "stage", "parent": "county", "stage": "初中"},
    {"id": "other_county", "name": {"zh": "邻县"}, "kind": "district"},
    {"id": "o1", "name": {"zh": "邻县小学"}, "kind": "school", "parent": "other_county", "stage": "小学"}
  ],
  "targets": []
})";

/// The 7 resource indicators of the 2017 standard, in its order.
const std::array<const char*, 7> resource_ids{"qualified_teachers_per_100", "backbone_teachers_per_100",
                                              "pe_arts_teachers_per_100",   "teaching_space_per_student",
                                              "sports_space_per_student",   "equipment_value_per_student",
                                              "multimedia_rooms_per_100"};

/// The county of the header comment (standard_test.cpp's, with the additions listed there).
struct county {
  standard s = builtin_standard("compulsory_quality_balance_2017");
  plan p = parse_plan(county_plan);
  observation_table t;

  county() {
    add_standard_indicators(p, s);
    school("p1", "primary", 800, {5.0, 1.2, 1.0, 5.0, 8.0, 2500, 2.5});
    school("p2", "primary", 600, {4.5, 1.1, 1.0, 4.8, 7.0, 2200, 2.4});
    school("p3", "primary", 400, {4.4, 1.0, 0.95, 4.6, 7.6, 1600, 2.3});
    school("p4", "primary", 200, {4.0, 1.0, 0.8, 4.6, 7.8, 2100, 2.4});
    school("j1", "junior", 1000, {6.0, 1.5, 1.0, 6.5, 32.0, 3000, 2.6});
    school("j2", "junior", 600, {5.5, 1.0, 0.9, 6.0, 10.5, 2600, 2.2});
    school("j3", "junior", 400, {5.3, 1.2, 1.1, 5.9, 10.2, 2500, 2.5});
    county_value("government_guarantee_passed", 1);
    county_value("education_quality_passed", 1);
    county_value("compulsory_social_recognition_rate", 90);
    // p1: an earlier 2023 figure (5.0) and a 2022 one (1.0), superseded / outside the period
    row("sports_space_per_student", "p1", 5.0, 800, day(2023, 3, 31));
    row("sports_space_per_student", "p1", 1.0, 800, day(2022, 9, 30));
    // p2: a second row on the same day, later: it counts (2300, and 610 students for its CV weight)
    row("equipment_value_per_student", "p2", 2300, 610);
    // p3: a later row of another indicator on the same day: p3's students are 410 (its weight)
    row("multimedia_rooms_per_100", "p3", 2.3, 410);
    // j2: 体艺 reported missing on a later day (not zero)
    row("pe_arts_teachers_per_100", "j2", 0, 600, day(2023, 12, 1), flags::missing);
    // exclusions: a teaching point of 30, a special-education school by name, "j9" by option
    school("tp_small", "primary", 30, {1, 0.1, 0.1, 1, 1, 100, 0.1}, entity_kind::teaching_point);
    school("sped", "primary", 120, {1, 0.1, 0.1, 1, 1, 100, 0.1}, entity_kind::school, "某县特殊教育学校");
    school("j9", "junior", 300, {1, 0.1, 0.1, 1, 1, 100, 0.1});
    // a school of the neighbouring county: outside the scope
    row("equipment_value_per_student", "o1", 1, 10);
    // x9: a 一贯制 school; its parts x9p (小学, 166) and x9j (初中, 210) have their teachers, the
    // school its facilities per student over 376 (split by the weights 1 : 1.1)
    entity x9;
    x9.id = "x9";
    x9.name.zh = "某县九年一贯制学校";
    x9.parent = "county";
    p.add_entity(x9);
    for (auto [id, st, n] : {std::tuple{"x9p", stage::primary, 166.0}, std::tuple{"x9j", stage::junior, 210.0}}) {
      entity part;
      part.id = id;
      part.name.zh = id;
      part.kind = entity_kind::stage;
      part.parent = "x9";
      part.stage = st;
      part.students = n;
      p.add_entity(part);
    }
    for (std::size_t i = 0; i < 3; ++i) {
      row(resource_ids[i], "x9p", 6.0, 166);
      row(resource_ids[i], "x9j", 6.0, 210);
    }
    const std::array<double, 4> facilities{6.0, 10.0, 3000, 2.6};
    for (std::size_t i = 3; i < 7; ++i) row(resource_ids[i], "x9", facilities[i - 3], 376);
  }

  std::uint32_t ind(std::string_view id) const { return *p.find_indicator(id); }
  std::uint32_t ent(std::string_view id) const { return *p.find_entity(id); }

  void row(std::string_view indicator, std::string_view entity, double value, double weight,
           day_number end = day(2023, 9, 30), std::uint8_t f = 0) {
    t.push_back(ind(indicator), ent(entity), end, end, value, f);
    t.weight.push_back(weight);
  }

  void school(const std::string& id, const std::string& parent, double students, std::array<double, 7> values,
              entity_kind kind = entity_kind::school, const std::string& name = {}) {
    entity e;
    e.id = id;
    e.name.zh = name.empty() ? id : name;
    e.kind = kind;
    e.parent = parent;
    p.add_entity(e);
    for (std::size_t i = 0; i < 7; ++i) row(resource_ids[i], id, values[i], students);
  }

  void county_value(std::string_view indicator, double value) { row(indicator, "county", value, 0); }
};

standard_options options_2023() {
  standard_options o;
  o.period = period::calendar_year(2023);
  o.excluded["j9"] = "民办学校，另行评估";
  return o;
}

/// Rows [a, b) of `v`, as a table (weights and flags kept, so is the derived mark).
observation_table slice(const observation_view& v, std::size_t a, std::size_t b) {
  observation_table t;
  for (std::size_t r = a; r < b; ++r) {
    t.push_back(v.indicator[r], v.entity[r], v.start[r], v.end[r], v.value[r], v.flags.empty() ? 0 : v.flags[r]);
    if (v.has_weight()) t.weight.push_back(v.weight[r]);
  }
  t.derived = v.derived;
  t.plan = v.plan;
  return t;
}

/// The rows of `v` whose entity index modulo k is `part`, in order.
observation_table by_entity(const observation_view& v, std::uint32_t k, std::uint32_t part) {
  observation_table t;
  for (std::size_t r = 0; r < v.size(); ++r) {
    if (v.entity[r] % k != part) continue;
    t.push_back(v.indicator[r], v.entity[r], v.start[r], v.end[r], v.value[r], v.flags.empty() ? 0 : v.flags[r]);
    if (v.has_weight()) t.weight.push_back(v.weight[r]);
  }
  t.derived = v.derived;
  t.plan = v.plan;
  return t;
}

/// The cut points of `k` consecutive chunks of `n` rows: even ones, or (seed > 0) pseudo-random
/// ones (a linear congruential sequence), possibly with empty chunks.
std::vector<std::size_t> cuts(std::size_t n, std::size_t k, std::uint64_t seed) {
  std::vector<std::size_t> c{0};
  std::uint64_t x = seed;
  for (std::size_t i = 1; i < k; ++i) {
    if (seed == 0) {
      c.push_back(n * i / k);
    } else {
      x = x * 6364136223846793005ULL + 1442695040888963407ULL;
      c.push_back(static_cast<std::size_t>((x >> 33) % (n + 1)));
    }
  }
  std::sort(c.begin() + 1, c.end());
  c.push_back(n);
  return c;
}

/// The partials of consecutive chunks of `v`.
std::vector<standard_partial> chunk_partials(const standard& s, const plan& p, const observation_view& v,
                                             const standard_options& o, const std::vector<std::size_t>& c) {
  std::vector<standard_partial> parts;
  for (std::size_t i = 0; i + 1 < c.size(); ++i) {
    const auto t = slice(v, c[i], c[i + 1]);
    parts.push_back(standard_states(s, p, t.view(), o));
  }
  return parts;
}

/// Left fold: ((a + b) + c) + ...
standard_partial fold_left(const std::vector<standard_partial>& parts) {
  standard_partial acc;
  for (const auto& x : parts) acc += x;
  return acc;
}

/// A balanced tree over parts[a, b), each node's halves merged through bytes (the way a cluster
/// merges: from_bytes without the plan).
standard_partial tree(const std::vector<standard_partial>& parts, std::size_t a, std::size_t b) {
  if (b - a == 1) return standard_partial::from_bytes(parts[a].to_bytes());
  const std::size_t mid = (a + b) / 2;
  auto left = tree(parts, a, mid);
  left += standard_partial::from_bytes(tree(parts, mid, b).to_bytes());
  return left;
}

/// Right fold: a + (b + (c + ...)).
standard_partial fold_right(const std::vector<standard_partial>& parts) {
  standard_partial acc;
  for (std::size_t i = parts.size(); i-- > 0;) {
    standard_partial x = parts[i];
    x += acc;
    acc = std::move(x);
  }
  return acc;
}

/// Every split into 1..7 consecutive chunks (even and pseudo-random cuts), merged left, right, as a
/// tree through bytes, gives `expected`.
void check_chunkings(const standard& s, const plan& p, const observation_view& v, const standard_options& o,
                     const standard_result& expected) {
  for (std::size_t k = 1; k <= 7; ++k)
    for (std::uint64_t seed : {0ULL, 7ULL, 12345ULL}) {
      const auto c = cuts(v.size(), k, seed);
      const auto parts = chunk_partials(s, p, v, o, c);
      CAPTURE(k);
      CAPTURE(seed);
      CHECK(same(fold_left(parts).finalise(s, p), expected));
      CHECK(same(fold_right(parts).finalise(s, p), expected));
      const auto t = tree(parts, 0, parts.size());
      CHECK(same(standard_partial::from_bytes(p, t.to_bytes()).finalise(s, p), expected));
    }
}

/// Parts by entity (every entity's rows in one part), merged in reverse order, give `expected`.
void check_by_entity(const standard& s, const plan& p, const observation_view& v, const standard_options& o,
                     const standard_result& expected) {
  for (std::uint32_t k : {2u, 3u, 5u}) {
    std::vector<standard_partial> parts;
    for (std::uint32_t i = 0; i < k; ++i) parts.push_back(standard_states(s, p, by_entity(v, k, i).view(), o));
    std::reverse(parts.begin(), parts.end());
    CAPTURE(k);
    CHECK(same(fold_left(parts).finalise(s, p), expected));
    CHECK(same(tree(parts, 0, parts.size()).finalise(s, p), expected));
  }
}

std::vector<std::string> codes(const standard_result& r) {
  std::vector<std::string> out;
  for (const auto& x : r.reasons) out.push_back(x.code + (x.unit.empty() ? "" : ":" + x.unit));
  return out;
}

std::string thrown(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "(nothing thrown)";
}

} // namespace

TEST_CASE("the county in parts: every chunking and tree shape finalises to evaluate_standard's result") {
  const county c;
  const auto o = options_2023();
  const auto v = c.t.view();
  const auto expected = evaluate_standard(c.s, c.p, v, o);

  // what the data make of it (standard_test.cpp's county, worked by hand there, plus the additions):
  // p1 reads 8.0 (the 2023-09-30 row), p2 2300 (the later row of that day), p3 410 students, j2 体艺
  // missing, the teaching point and the special-education school excluded, j9 excluded by option,
  // x9's parts units with split facilities (10 × 376 / 397 per 小学 pupil)
  REQUIRE(expected.unit("p1"));
  CHECK(expected.unit("p1")->values[4].value == 8.0);
  CHECK(expected.unit("p2")->values[5].value == 2300.0);
  CHECK(expected.unit("p3")->students == 410.0);
  CHECK(expected.unit("j2")->values[2].missing);
  CHECK(expected.unit("tp_small")->exclusion == "small_teaching_point");
  CHECK(expected.unit("sped")->exclusion == "special_education");
  CHECK(expected.unit("j9")->exclusion == "option");
  CHECK(expected.unit("x9p")->values[4].split);
  CHECK(*expected.unit("x9p")->values[4].value == doctest::Approx(3760.0 / 397));
  CHECK(expected.unit("o1") == nullptr);
  const auto cs = codes(expected);
  CHECK(std::find(cs.begin(), cs.end(), "missing_values") != cs.end());
  CHECK(std::find(cs.begin(), cs.end(), "unit_below_floor:p3") != cs.end());
  CHECK_FALSE(expected.passed);

  // one part keeps only what evaluate_standard reads: the latest row per (indicator, entity) of
  // the entities under the county in 2023: 10 schools × 7, x9p and x9j × 3, x9 × 4, 3 county
  // values = 83 of the 89 rows (the p1 rows of March and 2022, p2's and p3's earlier rows of the
  // day, j2's 体艺 of September and o1's row are not kept)
  const auto whole = standard_states(c.s, c.p, v, o);
  CHECK(v.size() == 89);
  CHECK(whole.rows() == 83);
  CHECK(whole.standard_id() == "compulsory_quality_balance_2017");
  CHECK(same(whole.finalise(c.s, c.p), expected));

  check_chunkings(c.s, c.p, v, o, expected);
  check_by_entity(c.s, c.p, v, o, expected);

  // two rows of one (indicator, entity) and end date in different parts: the later part counts
  // (the row p2 2300 is in the second chunk when the cut falls just before it)
  std::size_t at = 0;
  for (std::size_t r = 0; r < v.size(); ++r)
    if (v.entity[r] == c.ent("p2") && v.indicator[r] == c.ind("equipment_value_per_student")) at = r;
  const auto parts = chunk_partials(c.s, c.p, v, o, {0, at, v.size()});
  CHECK(fold_left(parts).finalise(c.s, c.p).unit("p2")->values[5].value == 2300.0);
  // merged the other way round, the earlier row is "later": the result is evaluate_standard's on the
  // rows in that order
  auto swapped = parts[1];
  swapped += parts[0];
  CHECK(swapped.finalise(c.s, c.p).unit("p2")->values[5].value == 2200.0);
}

TEST_CASE("the county in parts with other options: a group, a school year, another scope, no weights") {
  const county c;
  const auto v = c.t.view();
  standard_options o = options_2023();
  o.groups = {"resource_allocation"};
  check_chunkings(c.s, c.p, v, o, evaluate_standard(c.s, c.p, v, o));

  o = {};
  o.period = school_year_of(date(2023, 1, 15)); // the 2023-03-31 row is in, the September ones are not
  const auto sy = evaluate_standard(c.s, c.p, v, o);
  CHECK(sy.unit("p1")->values[4].value == 5.0);
  check_chunkings(c.s, c.p, v, o, sy);

  o = options_2023();
  o.excluded.clear();
  o.scope = "other_county";
  const auto other = evaluate_standard(c.s, c.p, v, o);
  REQUIRE(other.unit("o1"));
  CHECK(other.unit("o1")->values[5].value == 1.0);
  check_chunkings(c.s, c.p, v, o, other);

  // without a weight column: students come from the entities (none here: reported missing)
  observation_table unweighted = slice(v, 0, v.size());
  unweighted.weight.clear();
  o = options_2023();
  const auto nw = evaluate_standard(c.s, c.p, unweighted.view(), o);
  const auto ncs = codes(nw);
  CHECK(std::find(ncs.begin(), ncs.end(), "missing_students:p1") != ncs.end());
  check_chunkings(c.s, c.p, unweighted.view(), o, nw);
}

TEST_CASE("Baijiantan's school data in parts: derived per-student ratios, both standards, 2022 and 2023") {
  plan p = baijiantan_plan();
  for (const auto* id : {"compulsory_quality_balance_2017", "preschool_universal_inclusive_2020"})
    add_standard_indicators(p, builtin_standard(id));
  ingest_report rep;
  auto rows = read_observations_csv(p, PLANEVAL_SOURCE_DIR "/examples/baijiantan/illustrative_observations.csv", rep);
  REQUIRE(rows.size() == 478);
  // the 2017 standard's per-student ratios are formulas over counts in this plan
  std::vector<std::uint32_t> ratios;
  for (const auto& si : builtin_standard("compulsory_quality_balance_2017").indicators)
    if (const auto i = p.find_indicator(si.id); i && p.indicators()[*i].is_derived()) ratios.push_back(*i);
  CHECK(ratios.size() >= 1);
  // the example has no county figures for the preschool standard: three years of them, the social
  // recognition on the 幼儿园 stage row (read there since the district has none), two rows in 2023
  // for the coverage (the later, 83, counts)
  const auto district = *p.find_entity("baijiantan");
  const auto kg_stage = *p.find_entity("stage_kindergarten");
  auto county_row = [&](std::string_view ind, std::uint32_t ent, int year, double v) {
    const auto end = to_day_number(date(static_cast<unsigned short>(year), 12, 31));
    rows.push_back(*p.find_indicator(ind), ent, end - 364, end, v);
    rows.weight.push_back(1);
  };
  for (int y : {2021, 2022, 2023}) {
    county_row("preschool_gross_enrolment_rate", district, y, 90 + (y - 2021) * 1.25);
    county_row("inclusive_kindergarten_coverage_rate", district, y, 79 + (y - 2021));
    county_row("public_kindergarten_enrolment_share", district, y, 45);
    county_row("preschool_social_recognition_rate", kg_stage, y, 88);
  }
  county_row("inclusive_kindergarten_coverage_rate", district, 2023, 83);
  const auto v = rows.view();
  for (const auto* id : {"compulsory_quality_balance_2017", "preschool_universal_inclusive_2020"})
    for (int year : {2022, 2023}) {
      const standard s = standard_for(p, id);
      standard_options o;
      o.period = period::calendar_year(year);
      const auto expected = evaluate_standard(s, p, v, o);
      CAPTURE(id);
      CAPTURE(year);
      // the standards read values the plan derives from counts: the partial keeps those inputs
      const auto whole = standard_states(s, p, v, o);
      CHECK(whole.rows() > 0);
      CHECK(whole.rows() < v.size() / 4);
      CHECK(same(whole.finalise(s, p), expected));
      check_chunkings(s, p, v, o, expected);
      check_by_entity(s, p, v, o, expected);
      if (std::string_view(id) == "compulsory_quality_balance_2017") {
        // schools are judged (not everything missing): some value of some unit is present
        bool any = false;
        for (const auto& u : expected.units)
          for (const auto& x : u.values) any = any || x.value.has_value();
        CHECK(any);
        CHECK(expected.units.size() >= 4);
      } else {
        // the year's figures: 2023 enrolment 92.5 (>= 85), coverage 83 (the later row; >= 80),
        // public share 45 (< 50: fails), recognition 88 read on the stage row (>= 85); 2022: 91.25, 80
        REQUIRE(expected.criteria.size() == 4);
        CHECK(expected.criteria[0].value == (year == 2023 ? 92.5 : 91.25));
        CHECK(expected.criteria[1].value == (year == 2023 ? 83.0 : 80.0));
        CHECK(expected.criteria[2].passed == false);
        CHECK(expected.criteria[3].entity == "stage_kindergarten");
        CHECK(expected.criteria[3].value == 88.0);
        // one row per criterion; the coverage is a formula in this plan (derived from enrolments), so
        // of its two 2023 rows at one (entity, start, end) the first and the last are kept
        CHECK(whole.rows() == (year == 2023 ? 5u : 4u));
      }
    }
}

TEST_CASE("refusals: other plans, standards and options; damaged bytes; bad rows named by row") {
  const county c;
  const auto o = options_2023();
  const auto v = c.t.view();
  const auto a = standard_states(c.s, c.p, slice(v, 0, 40).view(), o);

  // another standard, another version of it, other options, another plan
  const standard basic = builtin_standard("basic_balance_2012");
  plan pb = c.p;
  add_standard_indicators(pb, basic);
  {
    auto x = a;
    CHECK(thrown([&] { x += standard_states(basic, c.p, v, o); }) ==
          "standard_partial: cannot merge partials of different standards (compulsory_quality_balance_2017 and "
          "basic_balance_2012)");
  }
  standard stricter = c.s;
  stricter.unit_rule.floor = 0.9;
  {
    auto x = a;
    CHECK(thrown([&] { x += standard_states(stricter, c.p, v, o); }) ==
          "standard_partial: cannot merge partials of different standards (compulsory_quality_balance_2017 and "
          "another version of it)");
    CHECK(thrown([&] { (void)a.finalise(stricter, c.p); }) ==
          "standard_partial::finalise: the partial is of another version of standard compulsory_quality_balance_2017 "
          "(its indicators, rules or numbers differ)");
    CHECK(thrown([&] { (void)a.finalise(basic, c.p); }) ==
          "standard_partial::finalise: the partial is of standard compulsory_quality_balance_2017, not "
          "basic_balance_2012");
  }
  {
    auto o2 = o;
    o2.period = period::calendar_year(2022);
    auto x = a;
    CHECK(thrown([&] { x += standard_states(c.s, c.p, v, o2); }) ==
          "standard_partial: cannot merge partials computed with different options (scope, period, indicators, "
          "groups or exclusions)");
  }
  {
    auto x = a;
    CHECK(thrown([&] { x += standard_states(c.s, pb, v, o); }) ==
          "standard_partial: cannot merge partials of different plans (\"county\" and \"county\", or other "
          "indicators or entities)");
    CHECK(thrown([&] { (void)a.finalise(c.s, pb); }) ==
          "standard_partial::finalise: the partial is of plan \"county\" (or other indicators or entities), not "
          "\"county\"");
    CHECK(thrown([&] { (void)standard_partial::from_bytes(pb, a.to_bytes()); }) ==
          "standard_partial::from_bytes: the partial is of plan \"county\" (or other indicators or entities), not "
          "\"county\"");
  }
  // the same ids, another structure: x9 moved under the junior stage
  {
    const char* moved = R"({"format": "planeval-plan", "format_version": 1, "id": "county",
      "title": {"zh": "某县教育规划"}, "horizon": {"start": "2021", "end": "2025"}, "phases": [], "indicators": [],
      "entities": [{"id": "county", "name": {"zh": "某县"}, "kind": "district"},
        {"id": "primary", "name": {"zh": "小学"}, "kind": "stage", "parent": "county", "stage": "小学"},
        {"id": "junior", "name": {"zh": "初中"}, "kind": "stage", "parent": "county", "stage": "初中"},
        {"id": "other_county", "name": {"zh": "邻县"}, "kind": "district"},
        {"id": "o1", "name": {"zh": "邻县小学"}, "kind": "school", "parent": "other_county", "stage": "初中"}],
      "targets": []})";
    plan q = parse_plan(moved);
    add_standard_indicators(q, c.s);
    for (std::size_t e = 5; e < c.p.entities().size(); ++e) q.add_entity(c.p.entities()[e]);
    REQUIRE(q.key() == c.p.key());
    auto ox = o;
    ox.excluded.clear();
    ox.scope = "other_county";
    const auto x = standard_states(c.s, c.p, v, ox);
    CHECK(thrown([&] { (void)x.finalise(c.s, q); }) ==
          "standard_partial::finalise: the plan's entities differ in structure (parents, kinds or stages) from "
          "those the partial was computed with");
  }
  // rows with and without a weight column
  {
    auto unweighted = slice(v, 40, v.size());
    unweighted.weight.clear();
    auto x = a;
    CHECK(thrown([&] { x += standard_states(c.s, c.p, unweighted.view(), o); }) ==
          "standard_partial: cannot merge partials of rows with a weight column and rows without one (give every "
          "part the weight column)");
    // a part that keeps no row has no say: an empty table merges with either
    x += standard_states(c.s, c.p, observation_table{}.view(), o);
    CHECK(x.rows() == a.rows());
  }
  // the identity
  CHECK(thrown([&] { (void)standard_partial{}.finalise(c.s, c.p); }) ==
        "standard_partial::finalise: the partial is empty (no part was merged into it)");
  CHECK(standard_partial::from_bytes(c.p, standard_partial{}.to_bytes()).empty());

  // options refused as evaluate_standard refuses them
  {
    standard_options bad = o;
    bad.scope = "nowhere";
    CHECK(thrown([&] { (void)standard_states(c.s, c.p, v, bad); }) == "standard_states: unknown scope entity \"nowhere\"");
    bad = {};
    CHECK(thrown([&] { (void)standard_states(c.s, c.p, v, bad); }) ==
          "standard_states: standard_options.period is required (a calendar year, a school year, or "
          "calendar_year_of / school_year_of a date)");
    bad = o;
    bad.indicators["equipment_value_per_student"] = "no_such";
    CHECK(thrown([&] { (void)standard_states(c.s, c.p, v, bad); }) ==
          "standard_states: standard_options.indicators maps \"equipment_value_per_student\" to \"no_such\", which is "
          "not an indicator of the plan");
  }

  // damaged bytes
  const std::string bytes = a.to_bytes();
  CHECK(same(standard_partial::from_bytes(c.p, bytes).finalise(c.s, c.p), a.finalise(c.s, c.p)));
  {
    std::string flipped = bytes;
    flipped[bytes.size() / 2] = static_cast<char>(flipped[bytes.size() / 2] ^ 0x10);
    CHECK(thrown([&] { (void)standard_partial::from_bytes(flipped); }) ==
          "standard_partial::from_bytes: corrupt input (checksum mismatch)");
    CHECK(thrown([&] { (void)standard_partial::from_bytes(bytes.substr(0, 10)); }) ==
          "standard_partial::from_bytes: truncated input (10 bytes)");
    CHECK(thrown([&] { (void)standard_partial::from_bytes("pvp" + bytes.substr(3)); }) ==
          "standard_partial::from_bytes: not a planeval standard partial (no \"pvs\" magic)");
    std::string later = bytes;
    later[3] = 2; // the format version's low byte
    CHECK(thrown([&] { (void)standard_partial::from_bytes(later); }) ==
          "standard_partial::from_bytes: unsupported format version 2 (this build reads 1)");
  }

  // bad rows, named by their row in the part
  {
    auto t = slice(v, 0, 10);
    t.value[3] = std::numeric_limits<double>::quiet_NaN();
    CHECK(thrown([&] { (void)standard_states(c.s, c.p, t.view(), o); }) ==
          "row 3, column value: expected a finite number, got nan (mark a value not reported as missing)");
    t.flags[3] = flags::missing; // reported missing: fine
    CHECK(standard_states(c.s, c.p, t.view(), o).rows() == 10);
    t.weight[4] = -1;
    CHECK(thrown([&] { (void)standard_states(c.s, c.p, t.view(), o); }) ==
          "row 4, column weight: expected a finite weight >= 0, got -1");
    t.weight[4] = 1;
    t.entity[7] = 999;
    CHECK(thrown([&] { (void)standard_states(c.s, c.p, t.view(), o); }) ==
          "row 7, column entity: expected an entity index below " + std::to_string(c.p.entities().size()) +
              ", got 999");
    // evaluate_standard raises the same for those rows
    CHECK(thrown([&] { (void)evaluate_standard(c.s, c.p, t.view(), o); }) == thrown([&] {
            (void)standard_states(c.s, c.p, t.view(), o);
          }));
  }
}
