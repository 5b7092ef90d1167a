// Copyright (c) 2026 planeval developers. Distributed under the MIT License.
// Tests of the evaluation in parts (evaluate_partial.hpp): on example plans with their data, rows
// split by entity, by year and at random (entity-grouped) into 1-7 parts, merged in different tree
// shapes and through bytes, give the report evaluate() gives on the parts' rows concatenated.
#include <planeval/embedded.hpp>
#include <planeval/evaluate.hpp>
#include <planeval/evaluate_partial.hpp>
#include <planeval/json.hpp>
#include <planeval/observations.hpp>
#include <planeval/standard.hpp>

#include <boost/json.hpp>
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <random>
#include <set>
#include <string>
#include <vector>

using namespace planeval;

namespace {

struct example {
  plan p;
  observation_table rows;
};

/// An example plan with its illustrative data (the standards' indicators added first, as
/// examples/cpp/evaluate_plan.cpp does).
example load_example(const std::string& dir) {
  example e{dir == "baijiantan" ? baijiantan_plan() : load_plan(PLANEVAL_SOURCE_DIR "/examples/" + dir + "/plan.json"), {}};
  std::set<std::string> ids;
  for (const auto& t : e.p.targets())
    if (!t.standard.empty()) ids.insert(t.standard);
  for (const auto& id : ids) add_standard_indicators(e.p, builtin_standard(id));
  ingest_report r;
  e.rows = read_observations_csv(e.p, PLANEVAL_SOURCE_DIR "/examples/" + dir + "/illustrative_observations.csv", r);
  return e;
}

/// The rows of `t` whose part (part_of(row)) is k, for k in 0..parts-1, in their order.
std::vector<observation_table> split(const observation_table& t, int parts, const std::function<int(std::size_t)>& part_of) {
  std::vector<observation_table> out(static_cast<std::size_t>(parts));
  for (std::size_t r = 0; r < t.size(); ++r) {
    auto& o = out[static_cast<std::size_t>(part_of(r))];
    o.push_back(t.indicator[r], t.entity[r], t.start[r], t.end[r], t.value[r], t.flags.empty() ? 0 : t.flags[r]);
    if (!t.weight.empty()) o.weight.push_back(t.weight[r]);
  }
  for (auto& o : out) {
    o.plan = t.plan;
    o.yearly_unique = t.yearly_unique; // a subset of rows, one per (indicator, entity, year) stays so
  }
  return out;
}

observation_table concatenate(const std::vector<observation_table>& parts) {
  observation_table all;
  for (const auto& o : parts)
    for (std::size_t r = 0; r < o.size(); ++r) {
      all.push_back(o.indicator[r], o.entity[r], o.start[r], o.end[r], o.value[r], o.flags[r]);
      if (!o.weight.empty()) all.weight.push_back(o.weight[r]);
    }
  if (!parts.empty()) {
    all.plan = parts.front().plan;
    all.yearly_unique = parts.front().yearly_unique;
  }
  return all;
}

/// Compares two JSON values: numbers to `rel` relative (also the numbers inside strings: the
/// report's sentences print figures), everything else exactly. Returns the path of the first
/// difference (empty if none) and records the largest relative difference of numbers.
struct json_compare {
  double rel = 1e-12;
  double max_rel = 0;

  static bool number_char(char c) { return (c >= '0' && c <= '9') || c == '.' || c == 'e' || c == '-' || c == '+'; }

  bool close(double a, double b) {
    if (a == b) return true;
    const double d = std::abs(a - b) / std::max({std::abs(a), std::abs(b), 1e-300});
    max_rel = std::max(max_rel, d);
    return d <= rel;
  }

  bool same_text(const std::string& a, const std::string& b) {
    if (a == b) return true;
    // numbers (digits, one point) compared as numbers, the text between them exactly
    std::size_t i = 0, j = 0;
    while (i < a.size() && j < b.size()) {
      const bool da = a[i] >= '0' && a[i] <= '9', db = b[j] >= '0' && b[j] <= '9';
      if (da && db) {
        std::size_t i2 = i, j2 = j;
        while (i2 < a.size() && number_char(a[i2]) && a[i2] != '-' && a[i2] != '+') ++i2;
        while (j2 < b.size() && number_char(b[j2]) && b[j2] != '-' && b[j2] != '+') ++j2;
        const std::string na = a.substr(i, i2 - i), nb = b.substr(j, j2 - j);
        if (na != nb && !close(std::stod(na), std::stod(nb))) return false;
        i = i2;
        j = j2;
        continue;
      }
      if (a[i] != b[j]) return false;
      ++i;
      ++j;
    }
    return i == a.size() && j == b.size();
  }

  std::string diff(const boost::json::value& a, const boost::json::value& b, const std::string& path) {
    if (a.is_number() && b.is_number())
      return close(a.to_number<double>(), b.to_number<double>()) ? "" : path + ": " + boost::json::serialize(a) +
                                                                             " vs " + boost::json::serialize(b);
    if (a.kind() != b.kind()) return path + ": kinds differ";
    if (a.is_string())
      return same_text(std::string(a.as_string()), std::string(b.as_string()))
                 ? ""
                 : path + ": \"" + std::string(a.as_string()) + "\" vs \"" + std::string(b.as_string()) + "\"";
    if (a.is_array()) {
      if (a.as_array().size() != b.as_array().size()) return path + ": array sizes differ";
      for (std::size_t k = 0; k < a.as_array().size(); ++k)
        if (auto d = diff(a.as_array()[k], b.as_array()[k], path + "[" + std::to_string(k) + "]"); !d.empty()) return d;
      return "";
    }
    if (a.is_object()) {
      if (a.as_object().size() != b.as_object().size()) return path + ": object sizes differ";
      for (const auto& [k, v] : a.as_object()) {
        const auto* w = b.as_object().if_contains(k);
        if (!w) return path + "." + std::string(k) + ": missing";
        if (auto d = diff(v, *w, path + "." + std::string(k)); !d.empty()) return d;
      }
      return "";
    }
    return a == b ? "" : path + ": " + boost::json::serialize(a) + " vs " + boost::json::serialize(b);
  }
};

double max_rel_seen = 0; // over the whole file, printed at the end of the last case

/// Every field of the reports agrees (the JSON to 1e-12, then statuses and counters exactly).
void check_same(const plan& p, const report& got, const report& want) {
  json_compare c;
  const std::string d = c.diff(boost::json::parse(to_json(got, p)), boost::json::parse(to_json(want, p)), "report");
  max_rel_seen = std::max(max_rel_seen, c.max_rel);
  CHECK_MESSAGE(d.empty(), d);
  REQUIRE(got.targets.size() == want.targets.size());
  for (std::size_t k = 0; k < got.targets.size(); ++k) {
    CHECK(got.targets[k].status == want.targets[k].status);
    CHECK(got.targets[k].judged_from == want.targets[k].judged_from);
    CHECK(got.targets[k].trace.points.size() == want.targets[k].trace.points.size());
    CHECK(got.targets[k].assessments.size() == want.targets[k].assessments.size());
  }
  CHECK(got.rows == want.rows);
  CHECK(got.rows_used == want.rows_used);
  CHECK(got.rows_after_as_of == want.rows_after_as_of);
  CHECK(got.data_end == want.data_end);
  CHECK(got.problems.size() == want.problems.size());
}

/// Merges the parts' partials in part order as a left fold, a right fold and a balanced tree.
std::vector<evaluation_partial> merged_shapes(std::vector<evaluation_partial> parts) {
  std::vector<evaluation_partial> out;
  evaluation_partial left;
  for (const auto& x : parts) left += x;
  out.push_back(left);
  evaluation_partial right;
  for (std::size_t k = parts.size(); k-- > 0;) {
    evaluation_partial x = parts[k];
    x += right;
    right = std::move(x);
  }
  out.push_back(right);
  while (parts.size() > 1) {
    std::vector<evaluation_partial> next;
    for (std::size_t k = 0; k < parts.size(); k += 2) {
      next.push_back(parts[k]);
      if (k + 1 < parts.size()) next.back() += parts[k + 1];
    }
    parts = std::move(next);
  }
  out.push_back(parts.empty() ? evaluation_partial() : parts.front());
  return out;
}

/// Evaluates `parts` in parts (each partial through bytes, with and without the plan) and checks
/// every merge shape's report against evaluate() on the concatenated rows.
void check_parts(const plan& p, const std::vector<observation_table>& parts, const evaluate_options& o) {
  std::vector<evaluation_partial> partials;
  for (std::size_t k = 0; k < parts.size(); ++k) {
    const auto s = evaluate_states(p, parts[k].view(), o);
    partials.push_back(k % 2 ? evaluation_partial::from_bytes(s.to_bytes())
                             : evaluation_partial::from_bytes(p, s.to_bytes()));
  }
  const observation_table all = concatenate(parts);
  const report want = evaluate(p, all.view(), o);
  for (const auto& m : merged_shapes(partials)) {
    check_same(p, m.finalise(p, o), want);
    check_same(p, evaluation_partial::from_bytes(p, m.to_bytes()).finalise(p, o), want);
  }
}

evaluate_options options_at(date as_of) {
  evaluate_options o;
  o.as_of = as_of;
  o.methods = {assess_method::statcan, assess_method::eurostat};
  return o;
}

int year_of_row(const observation_table& t, std::size_t r) { return from_day_number(t.end[r]).year(); }

/// The splits of a test: by entity (k parts), by year, and random entity-grouped ones.
void check_splits(const plan& p, const observation_table& rows, const evaluate_options& o, std::uint64_t seed) {
  int y0 = 10000;
  for (std::size_t r = 0; r < rows.size(); ++r) y0 = std::min(y0, year_of_row(rows, r));
  for (int k = 1; k <= 7; ++k) {
    CAPTURE(k);
    check_parts(p, split(rows, k, [&](std::size_t r) { return static_cast<int>(rows.entity[r] % k); }), o);
    check_parts(p, split(rows, k, [&](std::size_t r) { return (year_of_row(rows, r) - y0) % k; }), o);
  }
  std::mt19937_64 rng(seed);
  for (int trial = 0; trial < 6; ++trial) {
    const int k = 1 + static_cast<int>(rng() % 7);
    std::vector<int> part_of_entity(p.entities().size());
    for (auto& x : part_of_entity) x = static_cast<int>(rng() % static_cast<std::uint64_t>(k));
    CAPTURE(trial);
    check_parts(p, split(rows, k, [&](std::size_t r) { return part_of_entity[rows.entity[r]]; }), o);
  }
}

std::string message_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "(no exception)";
}

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

} // namespace

TEST_CASE("evaluation in parts: Baijiantan (standard-judged targets) as evaluate() on all rows") {
  const example e = load_example("baijiantan");
  REQUIRE(e.rows.size() > 400);
  for (const date as_of : {date(2023, 12, 31), date(2022, 6, 30), date(2025, 12, 31)}) {
    CAPTURE(format_date(as_of));
    const auto o = options_at(as_of);
    check_splits(e.p, e.rows, o, 17);
  }
  // the standard-judged milestones have verdicts from the school data, also in parts: 2023's
  // 优质均衡 milestone is judged on 2023's rows (examples/baijiantan/README.md: missed there)
  const auto o = options_at(date(2023, 12, 31));
  const report want = evaluate(e.p, e.rows.view(), o);
  const auto parts = split(e.rows, 3, [&](std::size_t r) { return static_cast<int>(e.rows.entity[r] % 3); });
  evaluation_partial m;
  for (const auto& x : parts) m += evaluate_states(e.p, x.view(), o);
  const report got = m.finalise(e.p, o);
  int judged = 0;
  for (std::size_t k = 0; k < want.targets.size(); ++k)
    if (want.targets[k].judged_from == "standard") {
      ++judged;
      REQUIRE(got.targets[k].standard.has_value());
      CHECK(got.targets[k].standard->passed == want.targets[k].standard->passed);
      CHECK(got.targets[k].standard->reasons.size() == want.targets[k].standard->reasons.size());
      CHECK(got.targets[k].standard->units.size() == want.targets[k].standard->units.size());
      CHECK(got.targets[k].status == want.targets[k].status);
    }
  CHECK(judged >= 1);
  CHECK(got.rows == e.rows.size());
  CHECK(got.rows_used == want.rows_used);
  CHECK(got.rows_used > 0);
}

TEST_CASE("evaluation in parts: a derived indicator's row and its inputs in different parts are refused") {
  // Baijiantan's data give derived indicators' values (equipment_value_per_student: a ratio the
  // plan derives from other indicators) in the first half of the file and their inputs later: cut
  // in two halves, the second part derives rows of keys the first part observed
  const example e = load_example("baijiantan");
  const auto o = options_at(date(2023, 12, 31));
  REQUIRE(e.p.indicators()[*e.p.find_indicator("equipment_value_per_student")].is_derived());
  const std::size_t n = e.rows.size();
  const auto halves = split(e.rows, 2, [&](std::size_t r) { return r < n / 2 ? 0 : 1; });
  auto first = evaluate_states(e.p, halves[0].view(), o);
  const auto second = evaluate_states(e.p, halves[1].view(), o);
  const std::string msg = message_of([&] { first += second; });
  CHECK(contains(msg, "must be in one part"));
  // the key named is a derived indicator's (the first in the roll-up's order)
  const std::string tag = "two parts hold rows of indicator #";
  REQUIRE(contains(msg, tag));
  const auto named = static_cast<std::size_t>(std::stoul(msg.substr(msg.find(tag) + tag.size())));
  REQUIRE(named < e.p.indicators().size());
  CHECK(e.p.indicators()[named].is_derived());
}

TEST_CASE("evaluation in parts: Jining and Healthy People 2030 as evaluate() on all rows") {
  for (const char* dir : {"jining", "healthy_people_2030", "unnamed_county"}) {
    CAPTURE(dir);
    const example e = load_example(dir);
    REQUIRE(e.rows.size() > 20);
    check_splits(e.p, e.rows, options_at(date(2023, 12, 31)), 5);
    check_splits(e.p, e.rows, options_at(date(2025, 12, 31)), 6);
  }
}

TEST_CASE("evaluation in parts: a derived ratio (the trace's derivation line) and rows after as_of") {
  // district d with schools a..f (小学); share = 100 × party / teachers, derived per school and
  // year; a target on share at d. Rows 2020-2024, as_of 2023-12-31: the 2024 rows are after it.
  const plan p = parse_plan(R"({
  "format": "planeval-plan", "format_version": 1, "id": "derived_parts",
  "title": {"zh": "派生指标", "en": "derived"},
  "horizon": {"start": "2021", "end": "2025"}, "phases": [],
  "indicators": [
    {"id": "share", "name": {"zh": "党员教师占比"}, "unit": "%", "kind": "rate", "direction": "increase",
     "numerator": "#{party}", "denominator": "#{teachers}", "factor": 100},
    {"id": "party", "name": {"zh": "党员教师数"}, "unit": "人", "kind": "count", "direction": "increase"},
    {"id": "teachers", "name": {"zh": "专任教师数"}, "unit": "人", "kind": "count", "direction": "increase"}
  ],
  "entities": [
    {"id": "d", "name": {"zh": "白碱滩区"}, "kind": "district"},
    {"id": "a", "name": {"zh": "甲校"}, "kind": "school", "parent": "d", "stage": "小学"},
    {"id": "b", "name": {"zh": "乙校"}, "kind": "school", "parent": "d", "stage": "小学"},
    {"id": "c", "name": {"zh": "丙校"}, "kind": "school", "parent": "d", "stage": "小学"},
    {"id": "e", "name": {"zh": "丁校"}, "kind": "school", "parent": "d", "stage": "小学"},
    {"id": "f", "name": {"zh": "戊校"}, "kind": "school", "parent": "d", "stage": "小学"}
  ],
  "targets": [
    {"id": "t_share", "indicator": "share", "scope": "d", "baseline": {"date": "2020", "value": 40},
     "goal": {"comparator": ">=", "value": 50, "deadline": "2025"}, "source": {"phrase": "党员教师占比达到50%"}},
    {"id": "t_teachers", "indicator": "teachers", "scope": "a", "baseline": {"date": "2020", "value": 30},
     "goal": {"comparator": ">=", "value": 40, "deadline": "2025"}, "source": {"phrase": "甲校教师40人"}}
  ]
})");
  observation_table t;
  std::mt19937_64 rng(3);
  for (const char* s : {"a", "b", "c", "e", "f"})
    for (int y = 2020; y <= 2024; ++y) {
      const auto ent = *p.find_entity(s);
      const day_number lo = to_day_number(date(static_cast<unsigned short>(y), 1, 1)),
                       hi = to_day_number(date(static_cast<unsigned short>(y), 12, 31));
      const double teachers = 20 + static_cast<double>(rng() % 30), party = 5 + static_cast<double>(rng() % 15);
      // school e's 2022 party count was not reported (missing, not zero)
      const bool missing = std::string(s) == "e" && y == 2022;
      t.push_back(*p.find_indicator("party"), ent, lo, hi, missing ? 0 : party,
                  missing ? flags::missing : std::uint8_t{0});
      t.push_back(*p.find_indicator("teachers"), ent, lo, hi, teachers);
    }
  const auto o = options_at(date(2023, 12, 31));
  const report want = evaluate(p, t.view(), o);
  // the 2023 value is derived: its trace names the sums (5 schools)
  REQUIRE(!want.targets.front().trace.derivation.en.empty());
  CHECK(contains(want.targets.front().trace.derivation.en, "5 units"));
  CHECK(want.rows_after_as_of == 10); // 5 schools × 2 indicators in 2024
  check_splits(p, t, o, 9);
  // the derivation line also in parts by school
  const auto parts = split(t, 5, [&](std::size_t r) { return static_cast<int>(t.entity[r] % 5); });
  evaluation_partial m;
  for (const auto& x : parts) m += evaluate_states(p, x.view(), o);
  const report got = m.finalise(p);
  CHECK(got.targets.front().trace.derivation.en == want.targets.front().trace.derivation.en);
  CHECK(got.targets.front().trace.derivation.zh == want.targets.front().trace.derivation.zh);
}

TEST_CASE("evaluation in parts: refusals") {
  const example e = load_example("baijiantan");
  const auto o = options_at(date(2023, 12, 31));
  const plan& p = e.p;
  const auto& rows = e.rows;

  SUBCASE("the rows of one (indicator, entity, year) of a target's indicator in two parts") {
    // a second row of a school's target indicator in the same year, dated mid-year, in its own part
    std::set<std::uint32_t> target_inds;
    for (const auto& t : p.targets()) target_inds.insert(t.indicator_index);
    std::size_t r = 0;
    while (r < rows.size() && !(target_inds.count(rows.indicator[r]) && p.entities()[rows.entity[r]].kind == entity_kind::school))
      ++r;
    REQUIRE(r < rows.size());
    observation_table extra;
    const day_number mid = to_day_number(date(static_cast<unsigned short>(year_of_row(rows, r)), 7, 1));
    extra.push_back(rows.indicator[r], rows.entity[r], mid, mid, rows.value[r]);
    extra.weight.push_back(1);
    auto whole = evaluate_states(p, rows.view(), o);
    const auto one = evaluate_states(p, extra.view(), o);
    const std::string msg = message_of([&] { whole += one; });
    CHECK(contains(msg, "the rows of one indicator, entity and period must be in one part"));
    CHECK_THROWS_AS(whole += one, data_error);
    // nothing changed: the whole still finalises to evaluate()'s report
    check_same(p, whole.finalise(p, o), evaluate(p, rows.view(), o));
  }

  SUBCASE("another plan") {
    const example j = load_example("jining");
    auto a = evaluate_states(p, rows.view(), o);
    const auto b = evaluate_states(j.p, j.rows.view(), o);
    CHECK(contains(message_of([&] { a += b; }), "the partials are of different plans"));
    CHECK(contains(message_of([&] { (void)b.finalise(p, o); }), "evaluation_partial::finalise: the partial is of plan"));
    CHECK(contains(message_of([&] { (void)evaluation_partial::from_bytes(p, b.to_bytes()); }),
                   "evaluation_partial::from_bytes: the partial is of plan"));
  }

  SUBCASE("other options") {
    auto a = evaluate_states(p, rows.view(), o);
    const auto later = evaluate_states(p, rows.view(), options_at(date(2024, 12, 31)));
    CHECK(contains(message_of([&] { a += later; }), "computed with different options"));
    CHECK(contains(message_of([&] { (void)a.finalise(p, options_at(date(2024, 12, 31))); }),
                   "as_of 2024-12-31, the states were computed at 2023-12-31"));
    evaluate_options other = o;
    other.primary = assess_method::statcan;
    CHECK(contains(message_of([&] { (void)a.finalise(p, other); }), "other methods or parameters"));
    evaluate_options with_standard = o;
    with_standard.standards.push_back(builtin_standard("compulsory_quality_balance_2017"));
    const auto s = evaluate_states(p, rows.view(), with_standard);
    CHECK(contains(message_of([&] { (void)s.finalise(p); }), "pass them again with finalise(plan, options)"));
    CHECK(contains(message_of([&] { (void)s.finalise(p, o); }), "other standards"));
    check_same(p, s.finalise(p, with_standard), evaluate(p, rows.view(), with_standard));
    // a weight column in one part, none in the other
    const auto parts = split(rows, 2, [&](std::size_t r) { return static_cast<int>(r % 2); });
    observation_table bare = parts[1];
    bare.weight.clear();
    auto w = evaluate_states(p, parts[0].view(), o);
    CHECK(contains(message_of([&] { w += evaluate_states(p, bare.view(), o); }),
                   "one has a weight column, the other not"));
  }

  SUBCASE("damaged bytes") {
    const std::string good = evaluate_states(p, rows.view(), o).to_bytes();
    std::string flipped = good;
    flipped[flipped.size() / 2] = static_cast<char>(flipped[flipped.size() / 2] ^ 0x20);
    CHECK(message_of([&] { (void)evaluation_partial::from_bytes(flipped); }) ==
          "evaluation_partial::from_bytes: corrupt input (checksum mismatch)");
    CHECK(contains(message_of([&] { (void)evaluation_partial::from_bytes(p, good.substr(0, 10)); }),
                   "evaluation_partial::from_bytes: truncated input (10 bytes)"));
    CHECK(contains(message_of([&] { (void)evaluation_partial::from_bytes("pvp" + good.substr(3)); }),
                   "no \"pve\" magic"));
    std::string version = good;
    version[3] = 2; // the format version, little-endian uint32 after the magic
    CHECK(contains(message_of([&] { (void)evaluation_partial::from_bytes(version); }),
                   "unsupported format version 2 (this build reads 1)"));
    // an empty partial round-trips, and finalises as evaluate() on no rows
    const evaluation_partial none = evaluation_partial::from_bytes(p, evaluation_partial().to_bytes());
    CHECK(none.empty());
    check_same(p, none.finalise(p, o), evaluate(p, observation_view{}, o));
    CHECK(contains(message_of([&] { (void)none.finalise(p); }), "the empty partial carries no options"));
    MESSAGE("largest relative difference of a number in all reports compared: " << max_rel_seen);
  }
}
