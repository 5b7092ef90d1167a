// Tests of composite indices and value-added (planeval/composite.hpp): every normalisation,
// imputation, the outlier rule, every aggregation, the hierarchy, ranks, value-added (gain,
// planned path, regression) and every error path. Every expected number is computed by hand in a
// comment next to the check.

#include <planeval/composite.hpp>
#include <planeval/error.hpp>

#include <doctest/doctest.h>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <vector>

using planeval::aggregation;
using planeval::build_composite;
using planeval::composite_data;
using planeval::composite_indicator;
using planeval::composite_node;
using planeval::composite_result;
using planeval::composite_spec;
using planeval::data_error;
using planeval::imputation;
using planeval::normalisation;
using planeval::rank_ties;
using planeval::sd_kind;
using planeval::polarity;

namespace {

constexpr double NaN = std::numeric_limits<double>::quiet_NaN();
constexpr double inf = std::numeric_limits<double>::infinity();

/// One root "index" over indicators x0, x1, ... (weight 1, higher is better).
composite_spec flat_spec(std::size_t indicators, normalisation n = normalisation::none) {
  composite_spec s;
  s.nodes.push_back({"index", "", 1.0, aggregation::arithmetic, 1.0, 0.0});
  for (std::size_t j = 0; j < indicators; ++j) {
    composite_indicator ind;
    ind.id = "x" + std::to_string(j);
    ind.parent = "index";
    s.indicators.push_back(ind);
  }
  s.normalise = n;
  return s;
}

composite_result run(const std::vector<double>& values, std::size_t indicators, const composite_spec& s) {
  return build_composite(composite_data{values, values.size() / indicators, indicators}, s);
}

/// The normalised column `j` of a result.
std::vector<double> column(const composite_result& r, std::size_t j) {
  const std::size_t k = r.spec.indicators.size();
  std::vector<double> c(r.units);
  for (std::size_t u = 0; u < r.units; ++u) c[u] = r.normalised[u * k + j];
  return c;
}

/// The normalised values of a one-indicator composite.
std::vector<double> normalise1(const std::vector<double>& x, const composite_spec& s) {
  return column(run(x, 1, s), 0);
}

void check_values(const std::vector<double>& got, const std::vector<double>& expected, double eps = 1e-9) {
  REQUIRE(got.size() == expected.size());
  for (std::size_t i = 0; i < got.size(); ++i) {
    CAPTURE(i);
    if (std::isnan(expected[i]))
      CHECK(std::isnan(got[i]));
    else
      CHECK(got[i] == doctest::Approx(expected[i]).epsilon(eps));
  }
}

std::string error_of(const std::vector<double>& values, std::size_t indicators, const composite_spec& s) {
  try {
    run(values, indicators, s);
  } catch (const data_error& e) {
    return e.what();
  }
  return "no error";
}

} // namespace

TEST_CASE("min-max normalisation, polarity and output range") {
  auto s = flat_spec(1, normalisation::min_max);
  // min 2, max 10: (x - 2) / 8 * 100
  check_values(normalise1({2, 4, 6, 10}, s), {0, 25, 50, 100});
  // NaN stays missing, and is not counted as zero (min stays 2)
  check_values(normalise1({2, NaN, 6, 10}, s), {0, NaN, 50, 100});
  // lower is better: y = -x, min -10, max -2: (10 - x) / 8 * 100
  s.indicators[0].direction = polarity::lower;
  check_values(normalise1({2, 4, 6, 10}, s), {100, 75, 50, 0});
  // range [1, 100], higher is better: 1 + 99 * (0, 0.25, 0.5, 1)
  s.indicators[0].direction = polarity::higher;
  s.normalise_params.lo = 1;
  check_values(normalise1({2, 4, 6, 10}, s), {1, 25.75, 50.5, 100});
  // a constant indicator takes the middle of the range: (1 + 100) / 2
  check_values(normalise1({3, 3}, s), {50.5, 50.5});
  const auto r = run({2, 4, 6, 10}, 1, s);
  CHECK(r.record.location[0] == 2); // min
  CHECK(r.record.scale[0] == 10);   // max
}

TEST_CASE("z-score with the population standard deviation") {
  auto s = flat_spec(1, normalisation::z_score);
  // the default is the sample sd since issue 15 (COINr's n_zscore, R's sd()): ask for the population one
  // (the sample sd is tested in composite_normalise_test.cpp)
  s.normalise_params.sd = sd_kind::population;
  // mean 40 / 8 = 5; squared deviations 9 1 1 1 0 0 4 16 = 32; population sd sqrt(32 / 8) = 2
  check_values(normalise1({2, 4, 4, 4, 5, 5, 7, 9}, s), {-1.5, -0.5, -0.5, -0.5, 0, 0, 1, 2});
  const auto r = run({2, 4, 4, 4, 5, 5, 7, 9}, 1, s);
  CHECK(r.record.location[0] == 5);
  CHECK(r.record.scale[0] == 2);
  // lower is better: z of -x, the signs flip
  s.indicators[0].direction = polarity::lower;
  check_values(normalise1({2, 4, 4, 4, 5, 5, 7, 9}, s), {1.5, 0.5, 0.5, 0.5, 0, 0, -1, -2});
  // sd 0: every z is 0
  check_values(normalise1({7, 7, NaN}, s), {0, 0, NaN});
}

TEST_CASE("rank, percentile rank and Borda (average ranks for ties)") {
  auto s = flat_spec(1, normalisation::rank);
  // the default ties are COINr's min since issue 15 (tested in composite_normalise_test.cpp)
  s.normalise_params.ties = rank_ties::average;
  // ascending: 5 -> 1, 10 -> 2, 20 and 20 share 3 and 4 -> 3.5
  check_values(normalise1({10, 20, 20, 5, NaN}, s), {2, 3.5, 3.5, 1, NaN});
  s.indicators[0].direction = polarity::lower;
  // y = -x: -20, -20 share 1 and 2 -> 1.5; -10 -> 3; -5 -> 4
  check_values(normalise1({10, 20, 20, 5}, s), {3, 1.5, 1.5, 4});

  s = flat_spec(1, normalisation::percentile_rank);
  s.normalise_params.ties = rank_ties::average;
  // (average rank - 1) / (n - 1) * 100 with n = 4: 1/3, 2.5/3, 2.5/3, 0
  check_values(normalise1({10, 20, 20, 5}, s), {100.0 / 3, 250.0 / 3, 250.0 / 3, 0});
  check_values(normalise1({42}, s), {50}); // a single unit: the middle of the range

  s = flat_spec(1, normalisation::borda);
  // units beaten (strictly lower): 10 beats 5; each 20 beats 10 and 5; 5 beats none
  check_values(normalise1({10, 20, 20, 5}, s), {1, 2, 2, 0});
}

TEST_CASE("distance to target and to a reference unit") {
  auto s = flat_spec(1, normalisation::distance_to_target);
  s.indicators[0].target = 8;
  // x / 8 = 0.25, 0.5, 1, 1.5 capped at 1; times 100
  check_values(normalise1({2, 4, 8, 12}, s), {25, 50, 100, 100});
  // lower is better with target 4: x <= 4 gives 1; 8 -> 4/8; 12 -> 4/12
  s.indicators[0].direction = polarity::lower;
  s.indicators[0].target = 4;
  check_values(normalise1({2, 4, 8, 12}, s), {100, 100, 50, 100.0 / 3});

  s = flat_spec(1, normalisation::distance_to_reference);
  s.normalise_params.reference_unit = 1; // x_ref = 4
  // x / 4
  check_values(normalise1({2, 4, 8, 12}, s), {0.5, 1, 2, 3});
  s.indicators[0].direction = polarity::lower;
  // 4 / x
  check_values(normalise1({2, 4, 8, 12}, s), {2, 1, 0.5, 1.0 / 3});
}

TEST_CASE("goalposts: completion progress from a target's baseline to its goal") {
  auto s = flat_spec(1, normalisation::goalposts);
  s.indicators[0].baseline = 66; // t1_primary_backbone: 66 -> 80
  s.indicators[0].goal = 80;
  // (x - 66) / 14 = -0.5, 0, 0.5, 1.5 capped to [0, 1]; times 100
  check_values(normalise1({59, 66, 73, 87}, s), {0, 0, 50, 100});
  s.normalise_params.cap = false;
  check_values(normalise1({59, 66, 73, 87}, s), {-50, 0, 50, 150});
  // a decrease: baseline 10, goal 5: (x - 10) / -5 = 0, 0.5, 1.2 capped to 1
  s.normalise_params.cap = true;
  s.indicators[0].baseline = 10;
  s.indicators[0].goal = 5;
  check_values(normalise1({10, 7.5, 4}, s), {0, 50, 100});
  // the same for a lower-is-better indicator (the order of the goalposts implies the polarity)
  s.indicators[0].direction = polarity::lower;
  check_values(normalise1({10, 7.5, 4}, s), {0, 50, 100});
}

TEST_CASE("per-unit targets and goalposts: each unit against its own stage's target") {
  auto s = flat_spec(1, normalisation::goalposts);
  // units ps (小学 66 -> 80), js (初中 65 -> 90), kg (幼儿园: NaN cell, the indicator's 10 -> 18)
  s.indicators[0].baseline = 10;
  s.indicators[0].goal = 18;
  s.unit_baseline = {66, 65, NaN};
  s.unit_goal = {80, 90, NaN};
  // (73 - 66) / 14 = 0.5; (77.5 - 65) / 25 = 0.5; (14 - 10) / 8 = 0.5
  check_values(normalise1({73, 77.5, 14}, s), {50, 50, 50});
  // without an indicator-level baseline, a unit without its own is an error naming it (goal 18 stays)
  s.indicators[0].baseline = NaN;
  CHECK(error_of({73, 77.5, 14}, 1, s) ==
        "indicators[0] (\"x0\"): goalposts need a finite baseline and goal that differ for unit 2, got NaN and 18");
  s.unit_goal = {80, 90};
  CHECK(error_of({73, 77.5, 14}, 1, s) == "unit_goal: expected 3 x 1 values (like the data) or none, got 2");
  s.unit_goal = {80, inf, NaN};
  CHECK(error_of({73, 77.5, 14}, 1, s) ==
        "unit_goal[1, \"x0\"]: expected a finite number or NaN (the indicator's), got inf");

  s = flat_spec(1, normalisation::distance_to_target);
  s.unit_target = {8, 4, NaN};
  s.indicators[0].target = 2;
  // 4 / 8; 4 / 4; 3 / 2 capped at 1
  check_values(normalise1({4, 4, 3}, s), {50, 100, 100});
  s.unit_target = {8, -4, NaN};
  CHECK(error_of({4, 4, 3}, 1, s) ==
        "indicators[0] (\"x0\").target: distance_to_target needs a finite target > 0 for unit 1, got -4");
}

TEST_CASE("imputation: none, mean, median, group mean") {
  auto s = flat_spec(1);
  check_values(normalise1({1, NaN, 3, 8}, s), {1, NaN, 3, 8});
  s.impute = imputation::mean; // (1 + 3 + 8) / 3 = 4
  check_values(normalise1({1, NaN, 3, 8}, s), {1, 4, 3, 8});
  s.impute = imputation::median; // median of 1 3 8 = 3
  check_values(normalise1({1, NaN, 3, 8}, s), {1, 3, 3, 8});
  check_values(normalise1({1, NaN, 3, 8, 10}, s), {1, 5.5, 3, 8, 10}); // (3 + 8) / 2
  s.impute = imputation::group_mean;
  s.groups = {0, 0, 1, 1, 1, 2};
  // group 0: 2 -> unit 1 gets 2; group 1: (4 + 6) / 2 = 5 -> unit 4; group 2 has no value: stays missing
  const auto r = run({2, NaN, 4, 6, NaN, NaN}, 1, s);
  check_values(column(r, 0), {2, 2, 4, 6, 5, NaN});
  CHECK(r.record.imputed[0] == 2);
  CHECK(r.record.present[0] == 3);
  // imputation happens before normalisation: min-max over 1 3 4 8 (4 imputed): (x - 1) / 7 * 100
  s = flat_spec(1, normalisation::min_max);
  s.impute = imputation::mean;
  check_values(normalise1({1, NaN, 3, 8}, s), {0, 300.0 / 7, 200.0 / 7, 100});
}

TEST_CASE("skewness G1 and excess kurtosis G2") {
  const std::vector<double> x{1, 2, 3, 4, 5, 6, 7, 8, 9, 100};
  // mean 14.5; m2 = 8182.5 / 10 = 818.25; m3 = (625026.375 - 9426.375) / 10 = 61560;
  // m4 = 5354625.8625. g1 = 61560 / 818.25^1.5 = 2.629991; G1 = g1 sqrt(10 * 9) / 8 = 3.118896.
  // g2 = 5354625.8625 / 818.25^2 - 3 = 4.997585; G2 = (11 g2 + 6) * 9 / (8 * 7) = 9.799245.
  const auto sk = planeval::sample_skew_kurtosis(x);
  CHECK(sk.skew == doctest::Approx(3.118896).epsilon(1e-6));
  CHECK(sk.kurtosis == doctest::Approx(9.799245).epsilon(1e-6));
  // too few values, or no spread: NaN (no rule applies)
  CHECK(std::isnan(planeval::sample_skew_kurtosis(std::vector<double>{1, 2, 30}).skew));
  CHECK(std::isnan(planeval::sample_skew_kurtosis(std::vector<double>{5, 5, 5, 5, NaN}).kurtosis));
  // NaN is skipped: same as without it
  const std::vector<double> y{1, 2, 3, 4, 5, 6, 7, 8, NaN, 9, 100};
  CHECK(planeval::sample_skew_kurtosis(y).skew == doctest::Approx(3.118896).epsilon(1e-6));
}

TEST_CASE("outliers: winsorise one point, or log when five do not pass") {
  auto s = flat_spec(1);
  s.outliers = planeval::outlier_treatment::coinr;
  // |G1| = 3.12 >= 2 and G2 = 9.80 >= 3.5: fails. Winsorise 100 -> 9 (the next highest). Then
  // 1..9, 9: mean 5.4, m2 = 7.44, m3 = -2.592: G1 = -0.151463, passes.
  auto r = run({1, 2, 3, 4, 5, 6, 7, 8, 9, 100}, 1, s);
  check_values(column(r, 0), {1, 2, 3, 4, 5, 6, 7, 8, 9, 9});
  REQUIRE(r.record.outliers.size() == 1);
  CHECK(r.record.outliers[0].winsorised == std::vector<std::uint32_t>{9});
  CHECK_FALSE(r.record.outliers[0].log_transformed);
  CHECK(r.record.outliers[0].skew == doctest::Approx(3.118896).epsilon(1e-6));
  CHECK(r.record.outliers[0].skew_after == doctest::Approx(-0.151463).epsilon(1e-5));

  // 20 zeros and 1 2 4 ... 128 (G1 = 3.78, G2 = 15.16). Each step replaces ALL the points at the
  // maximum (COINr's which(x == max(x))): 128 -> 64, then both 64s -> 32, then the three 32s -> 16,
  // which passes (G1 = 1.875, G2 = 1.904) with nwin 3. (Before issue 15 planeval replaced one point
  // per step and fell back to a log here.) COINr 1.1.14: Treat(data.frame(v = c(rep(0, 20),
  // 2^(0:7)))) gives ... 1 2 4 8 16 16 16 16, winsorise.nwin 3.
  std::vector<double> x(20, 0.0);
  for (double v = 1; v <= 128; v *= 2) x.push_back(v);
  r = run(x, 1, s);
  CHECK_FALSE(r.record.outliers[0].log_transformed);
  CHECK(r.record.outliers[0].nwin == 3);
  CHECK(r.record.outliers[0].winsorised == std::vector<std::uint32_t>{27, 26, 25});
  CHECK(r.record.outliers[0].skew_after == doctest::Approx(1.875351).epsilon(1e-6));
  const auto c = column(r, 0);
  CHECK(c[0] == 0);
  CHECK(c[20] == 1);
  CHECK(c[24] == 16);
  CHECK(c[27] == 16);

  // negative skew: 100 - x of the first case
  std::vector<double> m{99, 98, 97, 96, 95, 94, 93, 92, 91, 0};
  r = run(m, 1, s);
  // winsorise the lowest (0) to the next lowest (91)
  CHECK(column(r, 0)[9] == 91);
  CHECK(r.record.outliers[0].winsorised == std::vector<std::uint32_t>{9});

  // a normal-looking indicator is left alone
  r = run({1, 2, 3, 4, 5}, 1, s);
  CHECK(r.record.outliers[0].winsorised.empty());
  CHECK_FALSE(r.record.outliers[0].log_transformed);
}

TEST_CASE("aggregation: arithmetic, geometric, harmonic, generalised; renormalised weights") {
  // two indicators, weights 1 and 3; unit 0: (4, 1); unit 1: (1, missing)
  auto s = flat_spec(2);
  s.indicators[1].weight = 3;
  const std::vector<double> x{4, 1, 1, NaN};
  auto score = [&](aggregation a, double p, std::size_t unit) {
    s.nodes[0].method = a;
    s.nodes[0].power = p;
    return run(x, 2, s).score(unit, 0);
  };
  CHECK(score(aggregation::arithmetic, 1, 0) == doctest::Approx(1.75));          // (1*4 + 3*1) / 4
  CHECK(score(aggregation::arithmetic, 1, 1) == doctest::Approx(1.0));           // only x0: weight renormalised to 1
  CHECK(score(aggregation::geometric, 1, 0) == doctest::Approx(std::sqrt(2.0))); // 4^(1/4) * 1^(3/4)
  CHECK(score(aggregation::harmonic, 1, 0) == doctest::Approx(4.0 / 3.25));      // 4 / (1/4 + 3/1)
  CHECK(score(aggregation::generalised, 2, 0) == doctest::Approx(std::sqrt(19.0 / 4))); // sqrt((16 + 3) / 4)
  // p = 1, 0, -1 are the arithmetic, geometric and harmonic means
  CHECK(score(aggregation::generalised, 1, 0) == doctest::Approx(1.75));
  CHECK(score(aggregation::generalised, 0, 0) == doctest::Approx(std::sqrt(2.0)));
  CHECK(score(aggregation::generalised, -1, 0) == doctest::Approx(4.0 / 3.25));
  // p = -2: (1/4 * 4^-2 + 3/4 * 1)^(-1/2) = (1/64 + 48/64)^(-1/2) = (64/49)^(1/2) = 8/7
  CHECK(score(aggregation::generalised, -2, 0) == doctest::Approx(8.0 / 7));

  // data availability: unit 1 has 1 of 2 children = 0.5
  s.nodes[0].method = aggregation::arithmetic;
  s.nodes[0].min_share = 0.6;
  CHECK(std::isnan(run(x, 2, s).score(1, 0)));
  s.nodes[0].min_share = 0.5;
  CHECK(run(x, 2, s).score(1, 0) == 1.0);
  // present children whose weights are all 0: missing
  s.indicators[0].weight = 0;
  CHECK(std::isnan(run(x, 2, s).score(1, 0)));
}

TEST_CASE("a three-level hierarchy, ranks with ties, strongest and weakest") {
  composite_spec s;
  s.nodes = {{"index", "", 1, aggregation::arithmetic, 1, 0},
             {"学校条件", "index", 2, aggregation::arithmetic, 1, 0},
             {"师资", "index", 1, aggregation::geometric, 0, 0}};
  s.indicators = {{"a", "学校条件", 1, polarity::higher, NaN, NaN, NaN},
                  {"b", "学校条件", 1, polarity::higher, NaN, NaN, NaN},
                  {"c", "师资", 1, polarity::higher, NaN, NaN, NaN},
                  {"d", "师资", 1, polarity::higher, NaN, NaN, NaN}};
  s.normalise = normalisation::none;
  // units x (a, b, c, d)
  const std::vector<double> x{
      2, 4, 1, 9, // 学校条件 3, 师资 sqrt(9) = 3, index (2*3 + 3)/3 = 3
      6, 6, 4, 4, // 6, 4, (12 + 4)/3 = 16/3
      6, 6, 2, 8, // 6, 4, 16/3 (a tie with unit 1)
      1, 1, 1, 1, // 1, 1, 1
  };
  const auto r = run(x, 4, s);
  CHECK(r.tree.root == 0);
  CHECK(r.tree.bottom_up.back() == 0); // the root last
  check_values({r.score(0, 1), r.score(0, 2), r.score(0, 0)}, {3, 3, 3});
  check_values({r.score(1, 0), r.score(2, 0), r.score(3, 0)}, {16.0 / 3, 16.0 / 3, 1});
  // index ranks: 16/3, 16/3 -> 1, 1; 3 -> 3; 1 -> 4
  CHECK(r.rank(1, 0) == 1);
  CHECK(r.rank(2, 0) == 1);
  CHECK(r.rank(0, 0) == 3);
  CHECK(r.rank(3, 0) == 4);
  // 学校条件 ranks: 3, 6, 6, 1 -> 3, 1, 1, 4
  CHECK(r.rank(0, 1) == 3);
  CHECK(r.rank(1, 1) == 1);
  // unit 0: strongest d (9), weakest c (1); unit 3: all 1 -> the first, a
  CHECK(r.strongest[0] == 3);
  CHECK(r.weakest[0] == 2);
  CHECK(r.strongest[3] == 0);
  CHECK(r.weakest[3] == 0);

  // re-run with one choice changed: the result carries its spec
  auto changed = r.spec;
  changed.nodes[0].method = aggregation::geometric;
  const auto r2 = run(x, 4, changed);
  // unit 1: 6^(2/3) * 4^(1/3) = (36 * 4)^(1/3) = 144^(1/3) = 5.241483
  CHECK(r2.score(1, 0) == doctest::Approx(5.241483).epsilon(1e-6));
  CHECK(r2.score(1, 1) == r.score(1, 1)); // everything else as before

  // normalised_matrix and aggregate_tree reproduce the pipeline's parts
  const auto nm = planeval::normalised_matrix(composite_data{x, 4, 4}, s);
  check_values(nm, r.normalised);
  const auto scores = planeval::aggregate_tree(nm, 4, r.tree);
  check_values(scores, r.scores);
  // a missing unit has no rank
  std::vector<double> y = x;
  for (std::size_t j = 0; j < 4; ++j) y[12 + j] = NaN;
  const auto r3 = run(y, 4, s);
  CHECK(std::isnan(r3.score(3, 0)));
  CHECK(r3.rank(3, 0) == 0);
  CHECK(r3.strongest[3] == -1);
}

TEST_CASE("rank_descending: highest 1, ties min, NaN 0, strides") {
  const std::vector<double> v{3, 5, 5, 1, NaN};
  CHECK(planeval::rank_descending(v, 5) == std::vector<std::uint32_t>{3, 1, 1, 4, 0});
  // every second value: 3, 5, NaN
  CHECK(planeval::rank_descending(v, 3, 2) == std::vector<std::uint32_t>{2, 1, 0});
  CHECK_THROWS_AS(planeval::rank_descending(v, 4, 2), data_error);
}

TEST_CASE("hierarchy errors name the place") {
  auto bad = [](composite_spec s) {
    try {
      planeval::make_composite_tree(s);
    } catch (const data_error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  composite_spec s = flat_spec(2);
  s.nodes.push_back({"dim1", "index", 1, aggregation::arithmetic, 1, 0});
  s.indicators[1].parent = "dim1";
  CHECK(bad(s) == "no error");

  auto t = s;
  t.nodes.clear();
  CHECK(bad(t) == "nodes: expected at least one node (the index)");
  t = s;
  t.nodes[1].parent = "dim9";
  CHECK(bad(t) == "nodes[1].parent: unknown node \"dim9\"");
  t = s;
  t.nodes[1].parent = "x0";
  CHECK(bad(t) == "nodes[1].parent: \"x0\" is an indicator (indicators[0]), expected a node");
  t = s;
  t.nodes[1].id = "index";
  CHECK(bad(t) == "nodes[1].id: duplicate id \"index\" (also nodes[0])");
  t = s;
  t.indicators[1].id = "dim1";
  CHECK(bad(t) == "indicators[1].id: duplicate id \"dim1\" (also nodes[1])");
  t = s;
  t.nodes[1].id = "";
  CHECK(bad(t) == "nodes[1].id: expected a non-empty id");
  t = s;
  t.nodes[1].parent = "";
  CHECK(bad(t) == "nodes[1].parent: a second root (\"index\" is already the root); every node but one needs a parent");
  t = s;
  t.nodes[0].parent = "dim1"; // index <-> dim1, no root
  CHECK(bad(t) == "nodes: no root (a node with an empty parent); the parents form a cycle");
  t = s; // a root plus a two-node cycle below nothing
  t.nodes.push_back({"a", "b", 1, aggregation::arithmetic, 1, 0});
  t.nodes.push_back({"b", "a", 1, aggregation::arithmetic, 1, 0});
  CHECK(bad(t) == "nodes[2].parent: cycle \"a\" -> \"b\" -> \"a\"");
  t = s;
  t.nodes.push_back({"empty", "index", 1, aggregation::arithmetic, 1, 0});
  CHECK(bad(t) == "nodes[2] (\"empty\"): has no children (no indicator or node names it as parent)");
  t = s;
  t.nodes[1].weight = -1;
  CHECK(bad(t) == "nodes[1].weight: expected a finite weight >= 0, got -1");
  t = s;
  t.indicators[0].weight = NaN;
  CHECK(bad(t) == "indicators[0].weight: expected a finite weight >= 0, got NaN");
  t = s;
  t.nodes[0].min_share = 1.5;
  CHECK(bad(t) == "nodes[0].min_share: expected a share from 0 to 1, got 1.5");
  t = s;
  t.nodes[0].power = inf;
  CHECK(bad(t) == "nodes[0].power: expected a finite power, got inf");
  t = s;
  t.indicators[0].parent = "";
  CHECK(bad(t) == "indicators[0].parent: expected the id of a node");
  t = s;
  t.indicators[0].id = "";
  CHECK(bad(t) == "indicators[0].id: expected a non-empty id");
  t = s;
  t.indicators[0].parent = "nowhere";
  CHECK(bad(t) == "indicators[0].parent: unknown node \"nowhere\"");
}

TEST_CASE("data errors name the place") {
  auto s = flat_spec(2, normalisation::min_max);
  CHECK(error_of({1, 2, 3}, 3, s) == "data: expected 2 columns (one per indicators[] entry), got 3");
  CHECK_THROWS_WITH_AS(build_composite(composite_data{std::vector<double>{1, 2, 3}, 2, 2}, s),
                       "data: expected 2 x 2 = 4 values, got 3", data_error);
  CHECK(error_of({1, inf, 3, 4}, 2, s) == "data[0, \"x1\"]: expected a finite number or NaN (missing), got inf");
  auto t = s;
  t.normalise_params.lo = 100;
  CHECK(error_of({1, 2, 3, 4}, 2, t) == "normalise_params: expected finite lo < hi, got [100, 100]");
  t = s;
  t.impute = imputation::group_mean;
  CHECK(error_of({1, 2, 3, 4}, 2, t) == "groups: group_mean imputation needs one group per unit (2), got 0");
  t.groups = {0, 7};
  CHECK(error_of({1, 2, 3, 4}, 2, t) == "groups[1]: expected a group code below the number of units (2), got 7");
  t = s;
  t.groups = {0};
  CHECK(error_of({1, 2, 3, 4}, 2, t) == "groups: expected one group per unit (2), got 1");
  t = s;
  t.normalise = normalisation::distance_to_target;
  t.indicators[0].target = 5;
  CHECK(error_of({1, 2, 3, 4}, 2, t) ==
        "indicators[1] (\"x1\").target: distance_to_target needs a finite target > 0, got NaN");
  t.indicators[1].target = -1;
  CHECK(error_of({1, 2, 3, 4}, 2, t) ==
        "indicators[1] (\"x1\").target: distance_to_target needs a finite target > 0, got -1");
  t = s;
  t.normalise = normalisation::goalposts;
  t.indicators[0].baseline = 1;
  t.indicators[0].goal = 1;
  CHECK(error_of({1, 2, 3, 4}, 2, t) ==
        "indicators[0] (\"x0\"): goalposts need a finite baseline and goal that differ, got 1 and 1");
  t = s;
  t.normalise = normalisation::distance_to_reference;
  t.normalise_params.reference_unit = 2;
  CHECK(error_of({1, 2, 3, 4}, 2, t) == "normalise_params.reference_unit: expected a unit index below 2, got 2");
  t.normalise_params.reference_unit = 0;
  CHECK(error_of({NaN, 2, 3, 4}, 2, t) ==
        "indicators[0] (\"x0\"): the reference unit 0 has no value for distance_to_reference");
  CHECK(error_of({0, 2, 3, 4}, 2, t) ==
        "indicators[0] (\"x0\"): distance_to_reference divides by the reference unit's value 0");
  t.indicators[1].direction = polarity::lower;
  CHECK(error_of({1, 2, 3, 0}, 2, t) == "indicators[1] (\"x1\"): distance_to_reference divides by unit 1's value 0");
  // geometric mean of a 0 (min-max gives 0 to the lowest unit)
  t = s;
  t.nodes[0].method = aggregation::geometric;
  CHECK(error_of({1, 2, 3, 4}, 2, t) ==
        "nodes[0] (\"index\"): the geometric mean needs values > 0, unit 0 has 0 from indicator 0 (choose an output "
        "range above 0, e.g. lo = 1, the arithmetic mean, or zeros = limit: the mean's limit 0)");
  t.normalise_params.lo = 1; // [1, 100]: now fine; (1 * 1)^(1/2) = 1 and (100 * 100)^(1/2) = 100
  auto r = run({1, 2, 3, 4}, 2, t);
  CHECK(r.score(0, 0) == doctest::Approx(1));
  CHECK(r.score(1, 0) == doctest::Approx(100));
  t = s;
  t.normalise = normalisation::none;
  t.nodes[0].method = aggregation::generalised;
  t.nodes[0].power = 2;
  CHECK(error_of({1, -2, 3, 4}, 2, t) ==
        "nodes[0] (\"index\"): the generalised mean with power 2 needs values >= 0, unit 0 has -2 from indicator 1 "
        "(choose an output range above 0, e.g. lo = 1, or the arithmetic mean)");
  CHECK_THROWS_AS(planeval::aggregate_tree(std::vector<double>{1, 2, 3}, 2, planeval::make_composite_tree(s)),
                  data_error);
}

TEST_CASE("polarity from a plan's direction") {
  CHECK(planeval::polarity_of(planeval::direction::increase) == polarity::higher);
  CHECK(planeval::polarity_of(planeval::direction::maintain) == polarity::higher);
  CHECK(planeval::polarity_of(planeval::direction::decrease) == polarity::lower);
  CHECK_FALSE(planeval::polarity_of(planeval::direction::band).has_value());
  CHECK(planeval::to_string(normalisation::percentile_rank) == "percentile_rank");
  CHECK(planeval::detail::parse_name(planeval::aggregation_names, "harmonic") == aggregation::harmonic);
}

TEST_CASE("value-added: gain, planned path, regression") {
  using planeval::value_added_input;
  using planeval::value_added_method;
  const std::vector<double> actual{70, 68, 80, NaN}, baseline{66, 60, 80, 50};
  value_added_input in;
  in.actual = actual;
  in.baseline = baseline;
  // gain: 70 - 66 = 4, 68 - 60 = 8, 0, missing
  auto r = planeval::value_added(in);
  check_values(r.value_added, {4, 8, 0, NaN});
  CHECK(r.rank == std::vector<std::uint32_t>{2, 1, 3, 0});
  in.direction = polarity::lower; // lower is better: expected - actual
  check_values(planeval::value_added(in).value_added, {-4, -8, 0, NaN});

  // planned path: 66 (2020) -> 80 (2025), in 2023: 66 + 14 * 3 / 5 = 74.4
  const std::vector<double> act2{70, 76, 74.4}, base2{66, 66, 66}, y0{2020}, goal{80}, y1{2025};
  value_added_input p;
  p.method = value_added_method::planned_path;
  p.actual = act2;
  p.baseline = base2;
  p.baseline_year = y0;
  p.target_value = goal;
  p.target_year = y1;
  p.year = 2023;
  r = planeval::value_added(p);
  check_values(r.expected, {74.4, 74.4, 74.4});
  check_values(r.value_added, {-4.4, 1.6, 0}, 1e-9);
  CHECK(r.rank == std::vector<std::uint32_t>{3, 1, 2});

  // regression on the baseline: x 1 2 3 4, y 2 3 5 6. x̄ 2.5, ȳ 4, Sxy = 3 + .5 + .5 + 3 = 7,
  // Sxx = 5: slope 1.4, intercept 4 - 3.5 = 0.5; fitted 1.9 3.3 4.7 6.1; residuals .1 -.3 .3 -.1;
  // SSR = .2, SST = 10, R² = 0.98.
  const std::vector<double> x{1, 2, 3, 4}, y{2, 3, 5, 6};
  value_added_input g;
  g.method = value_added_method::regression;
  g.actual = y;
  g.baseline = x;
  r = planeval::value_added(g);
  check_values(r.coefficients, {0.5, 1.4});
  check_values(r.value_added, {0.1, -0.3, 0.3, -0.1}, 1e-9);
  CHECK(r.rank == std::vector<std::uint32_t>{2, 4, 1, 3});
  CHECK(r.r_squared == doctest::Approx(0.98));
  CHECK(r.fitted_units == 4);

  // with a covariate (a stage dummy): x 1 2 1 2, d 0 0 1 1, y 3 5 7 10. A 2x2 design: grand mean
  // 6.25, x effect 7.5 - 5 = 2.5, d effect 8.5 - 4 = 4.5, intercept 2.75 - 2.5 = 0.25; fitted
  // 2.75 5.25 7.25 9.75; residuals .25 -.25 -.25 .25; SSR .25, SST 10.5625 + 1.5625 + .5625 +
  // 14.0625 = 26.75, R² = 1 - .25 / 26.75 = 0.990654
  const std::vector<double> x2{1, 2, 1, 2}, d{0, 0, 1, 1}, y2{3, 5, 7, 10};
  g.actual = y2;
  g.baseline = x2;
  g.covariates = d;
  g.covariate_count = 1;
  r = planeval::value_added(g);
  check_values(r.coefficients, {0.25, 2.5, 4.5});
  check_values(r.value_added, {0.25, -0.25, -0.25, 0.25});
  CHECK(r.r_squared == doctest::Approx(0.990654).epsilon(1e-6));
  // the residuals ±0.25 are equal only up to rounding: the positive ones rank 1-2, the negative 3-4
  CHECK(r.rank[0] <= 2);
  CHECK(r.rank[3] <= 2);
  CHECK(r.rank[1] >= 3);
  CHECK(r.rank[2] >= 3);

  // a unit with a missing baseline is left out of the fit and has no value added
  const std::vector<double> x3{1, 2, 3, 4, NaN}, y3{2, 3, 5, 6, 9};
  g.actual = y3;
  g.baseline = x3;
  g.covariates = {};
  g.covariate_count = 0;
  r = planeval::value_added(g);
  check_values(r.coefficients, {0.5, 1.4});
  CHECK(std::isnan(r.value_added[4]));
  CHECK(r.rank[4] == 0);
  CHECK(r.fitted_units == 4);

  // through the origin: y = b x with x 1 2, y 2 4: b = 2; uncentred R² = 1
  const std::vector<double> x4{1, 2}, y4{2, 4};
  g.actual = y4;
  g.baseline = x4;
  g.intercept = false;
  r = planeval::value_added(g);
  check_values(r.coefficients, {2});
  CHECK(r.r_squared == doctest::Approx(1));
}

TEST_CASE("value-added and least-squares errors") {
  using planeval::value_added_input;
  using planeval::value_added_method;
  auto message = [](const value_added_input& in) {
    try {
      planeval::value_added(in);
    } catch (const data_error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  const std::vector<double> a{1, 2, 3, 4}, b3{1, 2, 3}, binf{1, inf, 3, 4}, b{1, 2, 3, 5};
  value_added_input in;
  in.actual = a;
  in.baseline = b3;
  CHECK(message(in) == "baseline: expected 4 values (one per unit), got 3");
  in.baseline = binf;
  CHECK(message(in) == "baseline[1]: expected a finite number or NaN (missing), got inf");
  in.baseline = b;
  in.method = value_added_method::planned_path;
  const std::vector<double> y0{2020}, y1{2020}, goal{10}, two{1, 2};
  in.baseline_year = y0;
  in.target_year = y1;
  in.target_value = goal;
  CHECK(message(in) == "year: expected the finite year of the actual values");
  in.year = 2023;
  CHECK(message(in) == "target_year[0]: equals the baseline year 2020; the planned path needs two years");
  in.target_value = two;
  CHECK(message(in) == "target_value: expected 4 values (one per unit) or a single value, got 2");

  in = value_added_input{};
  in.method = value_added_method::regression;
  in.actual = a;
  in.baseline = b;
  const std::vector<double> doubled{2, 4, 6, 10}, constant{7, 7, 7, 7};
  in.covariates = doubled; // 2 x baseline
  in.covariate_count = 1;
  CHECK(message(in) == "regression: the design is singular: \"covariates[0]\" is a linear combination of the columns "
                       "before it (constant like the intercept, or collinear)");
  in.covariates = constant;
  CHECK(message(in) == "regression: the design is singular: \"covariates[0]\" is a linear combination of the columns "
                       "before it (constant like the intercept, or collinear)");
  in.covariates = b3;
  CHECK(message(in) == "covariates: expected 4 x 1 values, got 3");
  in.covariates = {};
  in.covariate_count = 0;
  const std::vector<double> one_present{1, NaN, NaN, NaN};
  in.baseline = one_present;
  CHECK(message(in) == "regression: 1 units with every value present, expected at least 2 (one per coefficient)");
  const std::vector<double> zeros{0, 0, 0, 0};
  in.baseline = zeros;
  in.intercept = false;
  CHECK(message(in) == "regression: the design is singular: \"baseline\" is all zero");
  CHECK_THROWS_WITH_AS(planeval::least_squares(std::vector<double>{1, 2}, 1, 2, std::vector<double>{1}),
                       "least_squares: 1 units with every value present, expected at least 2 (one per coefficient)",
                       data_error);
  // least_squares itself: y = 1 + 2x exactly
  const auto coef = planeval::least_squares(std::vector<double>{1, 0, 1, 1, 1, 2}, 3, 2, std::vector<double>{1, 3, 5});
  check_values(coef, {1, 2});
}
