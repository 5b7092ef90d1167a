// Copyright (c) 2026 planeval developers. Distributed under the MIT License.
// Step 4 of the composite, normalisation per indicator with parameters, against COINr 1.1.14
// (commit b968203): tests/data/coinr/make_normalise.R applies COINr's Normalise() and its n_*
// functions to hand vectors (normalise_vectors.csv) and to the ASEM Treated data set
// (asem_treated.csv -> normalise_asem_*.csv). Hand-computed cases in the comments.

#include "coinr_csv.hpp"

#include <planeval/composite.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <map>
#include <string>
#include <vector>

namespace {

using namespace planeval;
using coinr_test::NaN;
using coinr_test::table;

/// One indicator "x" under the root "index", only the normalise step.
composite_spec one(normalisation m, const normalisation_params& p = {}, polarity d = polarity::higher) {
  composite_spec s;
  s.nodes = {composite_node{"index", "", 1.0, aggregation::arithmetic, 1.0, 0.0}};
  composite_indicator ind;
  ind.id = "x";
  ind.parent = "index";
  ind.direction = d;
  s.indicators = {ind};
  s.steps = {composite_step::normalise};
  s.normalise = m;
  s.normalise_params = p;
  return s;
}

std::vector<double> norm1(const std::vector<double>& x, const composite_spec& s) {
  return normalised_matrix(composite_data{x, x.size(), 1}, s);
}

std::string error_of(const std::vector<double>& x, std::size_t k, const composite_spec& s) {
  try {
    (void)normalised_matrix(composite_data{x, x.size() / k, k}, s);
  } catch (const data_error& e) {
    return e.what();
  }
  return "(no error)";
}

void check_values(const std::vector<double>& got, const std::vector<double>& want) {
  REQUIRE(got.size() == want.size());
  for (std::size_t i = 0; i < got.size(); ++i) {
    if (std::isnan(want[i])) {
      CHECK_MESSAGE(std::isnan(got[i]), "value " << i);
    } else {
      CHECK_MESSAGE(got[i] == doctest::Approx(want[i]).epsilon(1e-12), "value " << i);
    }
  }
}

normalisation_params params(double lo, double hi) {
  normalisation_params p;
  p.lo = lo;
  p.hi = hi;
  return p;
}

const std::vector<double> v1{10, 20, 20, 5, NaN, 7}; // make_normalise.R's v1: ties, a missing value

} // namespace

TEST_CASE("normalisation_params: defaults and names") {
  const normalisation_params p;
  CHECK(p.lo == 0);
  CHECK(p.hi == 100);
  CHECK(p.z_mean == 0);
  CHECK(p.z_sd == 1);
  CHECK(p.sd == sd_kind::sample);
  CHECK(p.ties == rank_ties::min);
  CHECK(p.anchor == distance_anchor::zero);
  CHECK(!p.cap.has_value());
  CHECK(p.reference_unit == 0);
  CHECK(to_string(normalisation::fraction_of_max) == "fraction_of_max");
  CHECK(to_string(normalisation::distance_to_max) == "distance_to_max");
  CHECK(to_string(normalisation::scaled) == "scaled");
  CHECK(to_string(sd_kind::population) == "population");
  CHECK(to_string(rank_ties::average) == "average");
  CHECK(to_string(distance_anchor::min) == "min");
  // COINr's names are aliases in their own table
  CHECK(detail::parse_name(normalisation_coinr_names, "n_prank") == normalisation::percentile_rank);
  CHECK(detail::parse_name(normalisation_coinr_names, "n_dist2targ") == normalisation::distance_to_target);
  CHECK(detail::parse_name(normalisation_coinr_names, "n_fracmax") == normalisation::fraction_of_max);
  CHECK(detail::parse_name(normalisation_coinr_names, "n_scaled") == normalisation::scaled);
  CHECK(!detail::parse_name(normalisation_coinr_names, "none").has_value());
  CHECK(!detail::parse_name(normalisation_names, "n_minmax").has_value());
}

TEST_CASE("hand-computed: each method on v1 = 10, 20, 20, 5, NaN, 7") {
  // min_max: min 5, max 20: (x - 5) / 15 * 100
  check_values(norm1(v1, one(normalisation::min_max)), {100.0 / 3, 100, 100, 0, NaN, 200.0 / 15});
  // lower is better, [1, 10]: y = -x, min -20, max -5: (20 - x) / 15 * 9 + 1
  check_values(norm1(v1, one(normalisation::min_max, params(1, 10), polarity::lower)),
               {7, 1, 1, 10, NaN, 1 + 13.0 * 9 / 15});
  // z_score, v2 = 2 4 4 4 5 5 7 9: mean 5, squared deviations sum 32; sample sd sqrt(32 / 7)
  const std::vector<double> v2{2, 4, 4, 4, 5, 5, 7, 9};
  const double sd7 = std::sqrt(32.0 / 7);
  check_values(norm1(v2, one(normalisation::z_score)),
               {-3 / sd7, -1 / sd7, -1 / sd7, -1 / sd7, 0, 0, 2 / sd7, 4 / sd7});
  normalisation_params z;
  z.sd = sd_kind::population; // sqrt(32 / 8) = 2
  z.z_mean = 10;
  z.z_sd = 2; // COINr's m_sd = c(10, 2): (x - 5) / 2 * 2 + 10
  check_values(norm1(v2, one(normalisation::z_score, z)), {7, 9, 9, 9, 10, 10, 12, 14});
  // sd 0 gives the target mean; so does a single value with the sample sd
  check_values(norm1({3, 3, NaN}, one(normalisation::z_score, z)), {10, 10, NaN});
  check_values(norm1({3}, one(normalisation::z_score)), {0});
  // rank: ascending 5 (1), 7 (2), 10 (3), 20 and 20 (positions 4 and 5)
  normalisation_params r;
  check_values(norm1(v1, one(normalisation::rank, r)), {3, 4, 4, 1, NaN, 2}); // min (default)
  r.ties = rank_ties::average;
  check_values(norm1(v1, one(normalisation::rank, r)), {3, 4.5, 4.5, 1, NaN, 2});
  r.ties = rank_ties::max;
  check_values(norm1(v1, one(normalisation::rank, r)), {3, 5, 5, 1, NaN, 2});
  r.ties = rank_ties::first; // by row order: row 1 before row 2
  check_values(norm1(v1, one(normalisation::rank, r)), {3, 4, 5, 1, NaN, 2});
  r.ties = rank_ties::last;
  check_values(norm1(v1, one(normalisation::rank, r)), {3, 5, 4, 1, NaN, 2});
  // percentile_rank on [0, 1]: (min rank - 1) / (5 - 1)
  check_values(norm1(v1, one(normalisation::percentile_rank, params(0, 1))), {0.5, 0.75, 0.75, 0, NaN, 0.25});
  check_values(norm1({42}, one(normalisation::percentile_rank)), {50}); // n = 1: the middle of [0, 100]
  // borda: min rank - 1, the units with a lower value
  check_values(norm1(v1, one(normalisation::borda)), {2, 3, 3, 0, NaN, 1});
  // distance_to_target, COINr's anchor (min) on [0, 1], target 15: (x - 5) / (15 - 5)
  auto s = one(normalisation::distance_to_target, params(0, 1));
  s.indicators[0].target = 15;
  s.normalise_params.anchor = distance_anchor::min;
  s.normalise_params.cap = false;
  check_values(norm1(v1, s), {0.5, 1.5, 1.5, 0, NaN, 0.2});
  s.normalise_params.cap = true; // COINr's cap_max: above 1 -> 1
  check_values(norm1(v1, s), {0.5, 1, 1, 0, NaN, 0.2});
  // lower is better, target 8: y = -x, min y = -20, T = -8: (20 - x) / 12
  s.indicators[0].direction = polarity::lower;
  s.indicators[0].target = 8;
  s.normalise_params.cap = false;
  check_values(norm1(v1, s), {10.0 / 12, 0, 0, 15.0 / 12, NaN, 13.0 / 12});
  // planeval's anchor (zero), uncapped: x / 15
  s = one(normalisation::distance_to_target, params(0, 1));
  s.indicators[0].target = 15;
  s.normalise_params.cap = false;
  check_values(norm1(v1, s), {10.0 / 15, 20.0 / 15, 20.0 / 15, 5.0 / 15, NaN, 7.0 / 15});
  // lower is better, uncapped: 8 / x
  s.indicators[0].direction = polarity::lower;
  s.indicators[0].target = 8;
  check_values(norm1(v1, s), {0.8, 0.4, 0.4, 1.6, NaN, 8.0 / 7});
  // distance_to_reference, COINr's anchor: reference unit 0 (x_ref 10), min 5: 1 - (10 - x) / 5
  s = one(normalisation::distance_to_reference);
  s.normalise_params.anchor = distance_anchor::min;
  check_values(norm1(v1, s), {1, 3, 3, 0, NaN, 0.4});
  s.normalise_params.cap = true;
  check_values(norm1(v1, s), {1, 1, 1, 0, NaN, 0.4});
  // goalposts 6 -> 18 on [0, 1], capped: (x - 6) / 12
  s = one(normalisation::goalposts, params(0, 1));
  s.indicators[0].baseline = 6;
  s.indicators[0].goal = 18;
  check_values(norm1(v1, s), {4.0 / 12, 1, 1, 0, NaN, 1.0 / 12});
  // lower is better as COINr's gposts = c(6, 18) with Direction -1: baseline 18, goal 6: (18 - x) / 12
  s.indicators[0].baseline = 18;
  s.indicators[0].goal = 6;
  s.indicators[0].direction = polarity::lower;
  check_values(norm1(v1, s), {8.0 / 12, 0, 0, 1, NaN, 11.0 / 12});
  // scaled: 0 -> 20, times 100, not capped: x * 5
  s = one(normalisation::scaled);
  s.indicators[0].baseline = 0;
  s.indicators[0].goal = 20;
  check_values(norm1(v1, s), {50, 100, 100, 25, NaN, 35});
  check_values(norm1({30}, s), {150});
  // fraction_of_max: x / 20
  check_values(norm1(v1, one(normalisation::fraction_of_max)), {0.5, 1, 1, 0.25, NaN, 0.35});
  // distance_to_max: 1 - (20 - x) / 15; a constant indicator gives 0.5
  check_values(norm1(v1, one(normalisation::distance_to_max)), {1.0 / 3, 1, 1, 0, NaN, 2.0 / 15});
  check_values(norm1({4, 4}, one(normalisation::distance_to_max)), {0.5, 0.5});
  // none: not negated even when lower is better
  check_values(norm1(v1, one(normalisation::none, {}, polarity::lower)), v1);
}

TEST_CASE("record: the parameters each method used (location, scale)") {
  auto rec_of = [](const composite_spec& s) {
    composite_record rec;
    (void)normalised_matrix(composite_data{v1, v1.size(), 1}, s, &rec);
    return std::pair<double, double>{rec.location[0], rec.scale[0]};
  };
  // lower is better: min and max of -x (-20 and -5)
  auto r = rec_of(one(normalisation::min_max, {}, polarity::lower));
  CHECK(r.first == -20);
  CHECK(r.second == -5);
  // z_score of v1's present values 10 20 20 5 7: mean 62 / 5 = 12.4; squared deviations
  // 5.76 + 57.76 + 57.76 + 54.76 + 29.16 = 205.2; sample sd sqrt(205.2 / 4)
  r = rec_of(one(normalisation::z_score));
  CHECK(r.first == doctest::Approx(12.4));
  CHECK(r.second == doctest::Approx(std::sqrt(205.2 / 4)));
  r = rec_of(one(normalisation::fraction_of_max));
  CHECK(std::isnan(r.first));
  CHECK(r.second == 20);
  auto s = one(normalisation::distance_to_target);
  s.indicators[0].target = 15;
  s.normalise_params.anchor = distance_anchor::min;
  r = rec_of(s);
  CHECK(r.first == 5);
  CHECK(r.second == 15);
  s = one(normalisation::distance_to_reference);
  s.normalise_params.anchor = distance_anchor::min;
  s.normalise_params.reference_unit = 5; // x_ref 7
  r = rec_of(s);
  CHECK(r.first == 7);
  CHECK(r.second == 5);
}

TEST_CASE("after screening, reference_unit and per-unit targets are rows of the input data") {
  auto s = one(normalisation::distance_to_reference);
  composite_indicator y = s.indicators[0];
  y.id = "y";
  s.indicators.push_back(y);
  s.steps = {composite_step::screen, composite_step::normalise};
  s.screen = unit_screen::by_na; // unit 0 has 1 of 2 values: data share 0.5 < 0.9, dropped
  s.dat_thresh = 0.9;
  s.normalise_params.reference_unit = 2; // input row 2 (the second kept unit): x_ref 4, y_ref 5
  // units x (x, y)
  const std::vector<double> data{1, NaN, 2, 3, 4, 5};
  composite_record rec;
  const auto n = normalised_matrix(composite_data{data, 3, 2}, s, &rec);
  REQUIRE(rec.unit_rows == std::vector<std::uint32_t>{1, 2});
  // kept units 1, 2: x / 4 = 0.5, 1; y / 5 = 0.6, 1
  check_values(n, {0.5, 0.6, 1, 1});
  // the reference unit dropped by screening
  s.normalise_params.reference_unit = 0;
  CHECK(error_of(data, 2, s) == "indicators[0] (\"x\"): the reference unit 0 has no value for distance_to_reference");
  // per-unit targets by input row: unit 1's 8 and unit 2's 2 (x / target, capped)
  s.normalise = normalisation::distance_to_target;
  s.normalise_params = params(0, 1);
  s.unit_target = {100, 100, 8, 9, 2, 10}; // units x (x, y)
  check_values(normalised_matrix(composite_data{data, 3, 2}, s), {0.25, 3.0 / 9, 1, 0.5});
}

TEST_CASE("per-indicator method and parameters override the spec's") {
  auto s = one(normalisation::min_max);
  composite_indicator y = s.indicators[0];
  y.id = "y";
  y.normalise = normalisation::rank;
  composite_indicator z = s.indicators[0];
  z.id = "z";
  z.normalise_params = params(1, 10); // the spec's method (min_max), its own range
  s.indicators = {s.indicators[0], y, z};
  // units x (x, y, z): x and z are 1, 2, 3; y is 30, 10, 20
  const std::vector<double> data{1, 30, 1, 2, 10, 2, 3, 20, 3};
  const auto n = normalised_matrix(composite_data{data, 3, 3}, s);
  // x: (x - 1) / 2 * 100; y: ranks 3, 1, 2; z: (x - 1) / 2 * 9 + 1
  check_values(n, {0, 3, 1, 50, 1, 5.5, 100, 2, 10});
}

TEST_CASE("normalisation errors name the indicator and the parameter") {
  auto s = one(normalisation::z_score);
  s.indicators[0].id = "Flights";
  s.indicators[0].normalise_params = normalisation_params{};
  s.indicators[0].normalise_params->z_sd = 0;
  CHECK(error_of({1, 2}, 1, s) == "indicators[0] (\"Flights\").normalise_params.z_sd: expected a finite sd > 0, got 0");
  s.indicators[0].normalise_params->z_sd = 1;
  s.indicators[0].normalise_params->hi = NaN;
  CHECK(error_of({1, 2}, 1, s) == "indicators[0] (\"Flights\").normalise_params: expected finite lo < hi, got [0, NaN]");
  s.indicators[0].normalise_params.reset();
  s.normalise_params.z_mean = NaN;
  CHECK(error_of({1, 2}, 1, s) == "normalise_params.z_mean: expected a finite number, got NaN");
  // a reference unit beyond the data
  s = one(normalisation::distance_to_reference);
  s.normalise_params.reference_unit = 5;
  CHECK(error_of({1, 2}, 1, s) == "normalise_params.reference_unit: expected a unit index below 2, got 5");
  // COINr's anchor: the reference unit must not be the worst (0 / 0)
  s.normalise_params.reference_unit = 0;
  s.normalise_params.anchor = distance_anchor::min;
  CHECK(error_of({1, 2}, 1, s) == "indicators[0] (\"x\"): distance_to_reference (anchor min) needs a reference unit "
                                  "(0) that is not the worst, got its value 1 = the minimum");
  // distance_to_target with COINr's anchor: a target equal to the minimum divides by 0
  s = one(normalisation::distance_to_target);
  s.normalise_params.anchor = distance_anchor::min;
  CHECK(error_of({1, 2}, 1, s) == "indicators[0] (\"x\").target: distance_to_target needs a finite target, got NaN");
  s.indicators[0].target = 1;
  CHECK(error_of({1, 2}, 1, s) == "indicators[0] (\"x\").target: distance_to_target (anchor min) needs a finite "
                                  "target other than the indicator's minimum 1 for unit 0, got 1");
  // planeval's anchor, lower is better, uncapped: target / x needs x > 0
  s = one(normalisation::distance_to_target, {}, polarity::lower);
  s.indicators[0].target = 4;
  s.normalise_params.cap = false;
  CHECK(error_of({2, 0}, 1, s) == "indicators[0] (\"x\"): distance_to_target (lower is better, target / x) needs "
                                  "x > 0 for unit 1, got 0");
  // fraction_of_max of a lower-is-better indicator of positive values would reverse the order
  s = one(normalisation::fraction_of_max, {}, polarity::lower);
  CHECK(error_of({2, 4}, 1, s) == "indicators[0] (\"x\"): fraction_of_max needs a maximum > 0 of the negated values "
                                  "(lower is better), got -2: for positive values -x / max(-x) would rank the worst "
                                  "unit highest; use min_max or distance_to_max");
  // scaled needs its two posts
  s = one(normalisation::scaled);
  s.indicators[0].baseline = 3;
  CHECK(error_of({2, 4}, 1, s) == "indicators[0] (\"x\"): scaled need a finite baseline and goal that differ, got 3 and NaN");
  // an override of another indicator's method does not ask the others for a target
  s = one(normalisation::min_max);
  s.indicators[0].normalise = normalisation::distance_to_target;
  CHECK(error_of({2, 4}, 1, s) == "indicators[0] (\"x\").target: distance_to_target needs a finite target > 0, got NaN");
  s.indicators[0].normalise.reset();
  CHECK(error_of({2, 4}, 1, s) == "(no error)");
}

namespace {

/// Settings of one case of normalise_vectors.csv.
struct vector_case {
  normalisation method;
  normalisation_params p;
  polarity d = polarity::higher;
  double target = NaN, baseline = NaN, goal = NaN;
};

std::map<std::string, vector_case> vector_cases() {
  std::map<std::string, vector_case> c;
  auto with = [](normalisation m, normalisation_params p, polarity d = polarity::higher) {
    vector_case v{m, p, d};
    return v;
  };
  normalisation_params p;
  c["minmax"] = with(normalisation::min_max, p);
  c["minmax_1_10_neg"] = with(normalisation::min_max, params(1, 10), polarity::lower);
  c["zscore"] = with(normalisation::z_score, p);
  p.z_mean = 10;
  p.z_sd = 2;
  c["zscore_10_2_neg"] = with(normalisation::z_score, p, polarity::lower);
  for (auto [name, t] : {std::pair<const char*, rank_ties>{"min", rank_ties::min},
                         {"average", rank_ties::average},
                         {"max", rank_ties::max},
                         {"first", rank_ties::first},
                         {"last", rank_ties::last}}) {
    normalisation_params q;
    q.ties = t;
    c[std::string("rank_") + name] = with(normalisation::rank, q);
  }
  c["rank_min_neg"] = with(normalisation::rank, {}, polarity::lower);
  c["prank_min"] = with(normalisation::percentile_rank, params(0, 1));
  p = params(0, 1);
  p.ties = rank_ties::average;
  c["prank_average_neg"] = with(normalisation::percentile_rank, p, polarity::lower);
  c["borda_min"] = with(normalisation::borda, {});
  p = {};
  p.ties = rank_ties::average;
  c["borda_average"] = with(normalisation::borda, p);
  // COINr's n_dist2targ: anchor min, on [0, 1]
  p = params(0, 1);
  p.anchor = distance_anchor::min;
  p.cap = false;
  c["dist2targ_15"] = with(normalisation::distance_to_target, p);
  c["dist2targ_15"].target = 15;
  c["dist2targ_8_neg"] = with(normalisation::distance_to_target, p, polarity::lower);
  c["dist2targ_8_neg"].target = 8; // COINr's targ = -8 (negated with x)
  p.cap = true;
  c["dist2targ_15_cap"] = with(normalisation::distance_to_target, p);
  c["dist2targ_15_cap"].target = 15;
  c["dist2targ_8_neg_cap"] = with(normalisation::distance_to_target, p, polarity::lower);
  c["dist2targ_8_neg_cap"].target = 8;
  // COINr's n_dist2ref: iref is reference_unit + 1
  p = {};
  p.anchor = distance_anchor::min;
  p.cap = false;
  c["dist2ref_1"] = with(normalisation::distance_to_reference, p);
  p.reference_unit = 5;
  c["dist2ref_6_neg"] = with(normalisation::distance_to_reference, p, polarity::lower);
  p.reference_unit = 0;
  p.cap = true;
  c["dist2ref_1_cap"] = with(normalisation::distance_to_reference, p);
  // n_goalposts(gposts = c(6, 18, a)): baseline 6, goal 18, [0, a]; Direction -1: baseline 18, goal 6
  c["goalposts_6_18"] = with(normalisation::goalposts, params(0, 1));
  p = params(0, 100);
  p.cap = false;
  c["goalposts_6_18_notrunc"] = with(normalisation::goalposts, p);
  c["goalposts_6_18_neg"] = with(normalisation::goalposts, params(0, 100), polarity::lower);
  for (const char* k : {"goalposts_6_18", "goalposts_6_18_notrunc"}) {
    c[k].baseline = 6;
    c[k].goal = 18;
  }
  c["goalposts_6_18_neg"].baseline = 18;
  c["goalposts_6_18_neg"].goal = 6;
  // n_scaled(npara = c(0, 20), scale_factor f): baseline 0, goal 20, [0, f]
  c["scaled_0_20"] = with(normalisation::scaled, params(0, 100));
  c["scaled_0_20"].baseline = 0;
  c["scaled_0_20"].goal = 20;
  c["scaled_0_20_neg"] = with(normalisation::scaled, params(0, 10), polarity::lower);
  c["scaled_0_20_neg"].baseline = 20;
  c["scaled_0_20_neg"].goal = 0;
  c["fracmax"] = with(normalisation::fraction_of_max, {});
  c["dist2max"] = with(normalisation::distance_to_max, {});
  c["dist2max_neg"] = with(normalisation::distance_to_max, {}, polarity::lower);
  return c;
}

/// |a - b| <= 1e-12 (1 + |b|), NaN matching NaN; returns |a - b|.
double close(double got, double want, const std::string& what) {
  if (std::isnan(want) || std::isnan(got)) {
    CHECK_MESSAGE(std::isnan(want) == std::isnan(got), what << ": " << got << " vs COINr " << want);
    return 0;
  }
  const double d = std::abs(got - want);
  CHECK_MESSAGE(d <= 1e-12 * (1 + std::abs(want)), what << ": " << got << " vs COINr " << want);
  return d;
}

} // namespace

TEST_CASE("every n_* function on hand vectors (COINr 1.1.14, normalise_vectors.csv)") {
  const table ref("normalise_vectors.csv");
  const auto cases = vector_cases();
  std::map<std::string, std::vector<double>> x, want;
  for (std::size_t r = 0; r < ref.rows.size(); ++r) {
    x[ref.text(r, "case")].push_back(ref.num(r, "x"));
    want[ref.text(r, "case")].push_back(ref.num(r, "y"));
  }
  REQUIRE(x.size() == cases.size());
  std::map<std::string, double> max_diff;
  for (const auto& [name, c] : cases) {
    CAPTURE(name);
    REQUIRE(x.count(name) == 1);
    auto s = one(c.method, c.p, c.d);
    s.indicators[0].target = c.target;
    s.indicators[0].baseline = c.baseline;
    s.indicators[0].goal = c.goal;
    const auto got = norm1(x[name], s);
    double& m = max_diff[std::string(to_string(c.method))];
    for (std::size_t i = 0; i < got.size(); ++i)
      m = (std::max)(m, close(got[i], want[name][i], name + "[" + std::to_string(i) + "]"));
  }
  for (const auto& [method, d] : max_diff) MESSAGE("vectors: " << method << " max abs diff " << d);
}

namespace {

/// ASEM's Treated data set (asem_treated.csv, COINr's order of units) with the ASEM hierarchy and
/// directions, only the normalise step.
struct asem_treated {
  std::vector<std::string> units, codes;
  std::vector<double> values;
  std::vector<double> targets; // iMeta's Target per indicator
  composite_spec spec;
  asem_treated() {
    const auto& a = coinr_test::example();
    spec = a.spec;
    spec.denominators.clear();
    for (auto& ind : spec.indicators) ind.denominator = -1;
    spec.groups.clear();
    spec.impute = imputation::none;
    spec.screen = unit_screen::none;
    spec.outliers = outlier_treatment::none;
    spec.steps = {composite_step::normalise};
    codes = a.indicators;
    const table t("asem_treated.csv"), meta("ASEM_iMeta.csv");
    for (std::size_t r = 0; r < t.rows.size(); ++r) {
      units.push_back(t.text(r, "uCode"));
      for (const auto& c : codes) values.push_back(t.num(r, c));
    }
    std::map<std::string, double> target;
    for (std::size_t r = 0; r < meta.rows.size(); ++r) target[meta.text(r, "iCode")] = meta.num(r, "Target");
    for (const auto& c : codes) targets.push_back(target[c]);
  }
  std::size_t col(const std::string& code) const {
    return static_cast<std::size_t>(std::find(codes.begin(), codes.end(), code) - codes.begin());
  }
  /// Runs `s` and compares every cell with COINr's file; the max abs diff per method.
  void compare(const composite_spec& s, const std::string& file, std::map<std::string, double>& max_diff) const {
    const auto got = normalised_matrix(composite_data{values, units.size(), codes.size()}, s);
    const table ref(file);
    REQUIRE(ref.rows.size() == units.size());
    for (std::size_t r = 0; r < units.size(); ++r) {
      REQUIRE(ref.text(r, "uCode") == units[r]);
      for (std::size_t j = 0; j < codes.size(); ++j) {
        const normalisation m = s.indicators[j].normalise.value_or(s.normalise);
        double& d = max_diff[std::string(to_string(m))];
        d = (std::max)(d, close(got[r * codes.size() + j], ref.num(r, codes[j]), file + " " + units[r] + " " + codes[j]));
      }
    }
  }
};

} // namespace

TEST_CASE("ASEM: one method for every indicator, against COINr's Normalise (normalise_asem_*.csv)") {
  const asem_treated a;
  REQUIRE(a.units.size() == 51);
  REQUIRE(a.codes.size() == 49);
  std::map<std::string, double> max_diff;
  auto with = [&](normalisation m, const normalisation_params& p) {
    composite_spec s = a.spec;
    s.normalise = m;
    s.normalise_params = p;
    return s;
  };
  a.compare(with(normalisation::min_max, params(1, 10)), "normalise_asem_minmax_1_10.csv", max_diff);
  normalisation_params p;
  p.z_mean = 10;
  p.z_sd = 2;
  a.compare(with(normalisation::z_score, p), "normalise_asem_zscore_10_2.csv", max_diff);
  a.compare(with(normalisation::rank, {}), "normalise_asem_rank.csv", max_diff);
  a.compare(with(normalisation::percentile_rank, params(0, 1)), "normalise_asem_prank.csv", max_diff);
  a.compare(with(normalisation::borda, {}), "normalise_asem_borda.csv", max_diff);
  // n_dist2targ with iMeta's targets (use_iMeta: Target * Direction), no cap
  p = params(0, 1);
  p.anchor = distance_anchor::min;
  p.cap = false;
  auto s = with(normalisation::distance_to_target, p);
  for (std::size_t j = 0; j < a.codes.size(); ++j) s.indicators[j].target = a.targets[j];
  a.compare(s, "normalise_asem_dist2targ.csv", max_diff);
  // n_dist2ref(iref = 5)
  p = {};
  p.anchor = distance_anchor::min;
  p.reference_unit = 4;
  a.compare(with(normalisation::distance_to_reference, p), "normalise_asem_dist2ref.csv", max_diff);
  // n_fracmax with every direction 1
  s = with(normalisation::fraction_of_max, {});
  for (auto& ind : s.indicators) ind.direction = polarity::higher;
  a.compare(s, "normalise_asem_fracmax.csv", max_diff);
  a.compare(with(normalisation::distance_to_max, {}), "normalise_asem_dist2max.csv", max_diff);
  // goalposts and scaled: lower / upper per indicator; Direction -1 as baseline upper, goal lower
  const table gp("normalise_asem_goalposts_table.csv");
  s = with(normalisation::goalposts, {});
  for (std::size_t r = 0; r < gp.rows.size(); ++r) {
    auto& ind = s.indicators[a.col(gp.text(r, "iCode"))];
    const bool lower = ind.direction == polarity::lower;
    ind.baseline = lower ? gp.num(r, "upper") : gp.num(r, "lower");
    ind.goal = lower ? gp.num(r, "lower") : gp.num(r, "upper");
  }
  a.compare(s, "normalise_asem_goalposts.csv", max_diff);
  s.normalise = normalisation::scaled;
  a.compare(s, "normalise_asem_scaled.csv", max_diff);
  for (const auto& [method, d] : max_diff) MESSAGE("ASEM: " << method << " max abs diff " << d);
}

TEST_CASE("ASEM: different methods for different indicators, against COINr's Normalise with indiv_specs") {
  const asem_treated a;
  composite_spec s = a.spec; // global: n_minmax to [0, 100] (the defaults)
  auto set = [&](const std::string& code, normalisation m, const normalisation_params& p) -> composite_indicator& {
    auto& ind = s.indicators[a.col(code)];
    REQUIRE(ind.id == code);
    ind.normalise = m;
    ind.normalise_params = p;
    return ind;
  };
  normalisation_params p;
  p.z_mean = 10;
  p.z_sd = 2;
  set("LPI", normalisation::z_score, p);
  set("Flights", normalisation::rank, {});
  set("Ship", normalisation::percentile_rank, params(0, 1));
  set("Bord", normalisation::borda, {});
  p = params(0, 1);
  p.anchor = distance_anchor::min;
  p.cap = true;
  set("Elec", normalisation::distance_to_target, p).target = a.targets[a.col("Elec")];
  p.cap = false;
  set("CostImpEx", normalisation::distance_to_target, p).target = a.targets[a.col("CostImpEx")]; // Direction -1
  p = {};
  p.anchor = distance_anchor::min;
  p.reference_unit = 2;
  p.cap = true;
  set("Gas", normalisation::distance_to_reference, p);
  const table gp("normalise_asem_goalposts_table.csv");
  std::map<std::string, std::pair<double, double>> posts;
  for (std::size_t r = 0; r < gp.rows.size(); ++r) posts[gp.text(r, "iCode")] = {gp.num(r, "lower"), gp.num(r, "upper")};
  auto& con = set("ConSpeed", normalisation::goalposts, {});
  con.baseline = posts["ConSpeed"].first;
  con.goal = posts["ConSpeed"].second;
  auto& tbt = set("TBTs", normalisation::goalposts, {}); // Direction -1: from the upper post to the lower
  tbt.baseline = posts["TBTs"].second;
  tbt.goal = posts["TBTs"].first;
  auto& cov = set("Cov4G", normalisation::scaled, {});
  cov.baseline = posts["Cov4G"].first;
  cov.goal = posts["Cov4G"].second;
  set("Goods", normalisation::fraction_of_max, {});
  set("Services", normalisation::distance_to_max, {});
  set("FDI", normalisation::min_max, params(1, 10));
  set("Tariff", normalisation::z_score, {}); // Direction -1
  p = params(0, 1);
  p.ties = rank_ties::average;
  set("CO2", normalisation::percentile_rank, p); // Direction -1
  std::map<std::string, double> max_diff;
  a.compare(s, "normalise_asem_mixed.csv", max_diff);
  for (const auto& [method, d] : max_diff) MESSAGE("ASEM mixed: " << method << " max abs diff " << d);
}
