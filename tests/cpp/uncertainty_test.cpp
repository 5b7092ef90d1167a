// Tests of planeval/uncertainty.hpp: the draws, Saltelli's design, the Sobol' estimators (by hand,
// on the Ishigami function and on a linear model), the aggregators, the rank uncertainty engine on
// a case computed by hand, against a naive reference implementation, independence of the thread
// count, cancellation and the errors. Every expected number is computed in a comment or cited.

#include <planeval/error.hpp>
#include <planeval/uncertainty.hpp>

#include <doctest/doctest.h>

#include <atomic>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numbers>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

using planeval::uncertainty_aggregator;
using planeval::uncertainty_hierarchy;
using planeval::uncertainty_mean;
using planeval::uncertainty_options;
using planeval::uncertainty_result;

namespace {

constexpr double NaN = std::numeric_limits<double>::quiet_NaN();
constexpr std::size_t root = uncertainty_hierarchy::no_parent;

uncertainty_result run(const std::vector<std::vector<double>>& variants, std::size_t units,
                       const uncertainty_hierarchy& h, const uncertainty_options& o) {
  std::vector<std::span<const double>> spans;
  for (const auto& v : variants) spans.emplace_back(v);
  return planeval::rank_uncertainty(spans, units, h, o);
}

/// Equal element by element, NaN equal to NaN.
bool same(const std::vector<double>& a, const std::vector<double>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (!(a[i] == b[i] || (std::isnan(a[i]) && std::isnan(b[i])))) return false;
  return true;
}

} // namespace

TEST_CASE("uniform_draw is splitmix64") {
  // splitmix64 seeded with 0: first output 0xE220A8397B1DCDAF (Vigna's splitmix64.c; also the first
  // value of java.util.SplittableRandom(0).nextLong()); (x >> 11)·2^-53 = 0.8833108082136426.
  CHECK(planeval::uniform_draw(0, 0) == 0.8833108082136426);
  // seed 42, index 3: mix(42 + 4·0x9E3779B97F4A7C15) = 0x581CE1FF0E4AE394 -> 0.34419071652363753
  CHECK(planeval::uniform_draw(42, 3) == 0.34419071652363753);
  std::vector<double> out(5);
  planeval::uniform_draws(42, 1, out);
  CHECK(out[2] == planeval::uniform_draw(42, 3));
  for (double u : out) CHECK((u >= 0 && u < 1));
}

TEST_CASE("Saltelli design: A, B and AB_i from one stream") {
  const auto s = planeval::make_saltelli_sample(3, 2, 7);
  REQUIRE(s.a.size() == 6);
  REQUIRE(s.ab.size() == 12);
  for (std::size_t r = 0; r < 3; ++r)
    for (std::size_t j = 0; j < 2; ++j) {
      CHECK(s.a[r * 2 + j] == planeval::uniform_draw(7, r * 4 + j));     // r·2k + j
      CHECK(s.b[r * 2 + j] == planeval::uniform_draw(7, r * 4 + 2 + j)); // r·2k + k + j
      for (std::size_t i = 0; i < 2; ++i)
        CHECK(s.ab[(i * 3 + r) * 2 + j] == (j == i ? s.b[r * 2 + j] : s.a[r * 2 + j]));
    }
  CHECK_THROWS_AS(planeval::make_saltelli_sample(1, 2, 0), planeval::error);
  CHECK_THROWS_AS(planeval::make_saltelli_sample(4, 0, 0), planeval::error);
}

TEST_CASE("Sobol' estimators by hand") {
  // ya = [1, 3], yb = [2, 4], yab = [2, 3] (k = 1).
  // mean of {1, 3, 2, 4} = 2.5; V = (2.25 + 0.25 + 0.25 + 2.25) / 4 = 1.25
  // S = mean((yb − 2.5)·(yab − ya)) / V = (−0.5·1 + 1.5·0) / 2 / 1.25 = −0.2 (the outputs centred)
  // ST = mean((ya − yab)²) / 2 / V = ((1 + 0) / 2) / 2 / 1.25 = 0.2
  const std::vector<double> ya{1, 3}, yb{2, 4}, yab{2, 3};
  const auto s = planeval::sobol_indices(ya, yb, yab);
  CHECK(s.mean == doctest::Approx(2.5));
  CHECK(s.variance == doctest::Approx(1.25));
  CHECK(s.first_order.at(0) == doctest::Approx(-0.2));
  CHECK(s.total.at(0) == doctest::Approx(0.2));
  CHECK(s.first_order_low.empty());

  // a constant output has no variance to apportion
  const std::vector<double> c{2, 2};
  const auto z = planeval::sobol_indices(c, c, c);
  CHECK(std::isnan(z.first_order[0]));

  CHECK_THROWS_AS(planeval::sobol_indices(ya, std::vector<double>{1}, yab), planeval::error);
  CHECK_THROWS_AS(planeval::sobol_indices(ya, yb, std::vector<double>{1, 2, 3}), planeval::error);
  CHECK_THROWS_AS(planeval::sobol_indices(std::vector<double>{1}, std::vector<double>{1}, std::vector<double>{1}),
                  planeval::error);
  CHECK_THROWS_AS(planeval::sobol_indices(ya, yb, yab, {10, 1.5, 0}), planeval::error);
}

TEST_CASE("Sobol' indices of the Ishigami function") {
  // f = sin x1 + a sin² x2 + b x3⁴ sin x1, x_i ~ U(−π, π), a = 7, b = 0.1 (Ishigami & Homma 1990).
  // Variances (Sobol' & Levitan 1999; Saltelli et al. 2000, "Sensitivity Analysis", §2.9):
  //   V1 = ½(1 + bπ⁴/5)² = ½(1 + 1.948182)² = 4.345888; V2 = a²/8 = 6.125; V3 = 0;
  //   V13 = b²π⁸(1/18 − 1/50) = 94.885·0.035556 = 3.373706; V = V1 + V2 + V13 = 13.844588
  //   S1 = 0.3139, S2 = 0.4424, S3 = 0; ST1 = (V1 + V13)/V = 0.5576, ST2 = 0.4424, ST3 = V13/V = 0.2437.
  // With n = 2^15 pseudo-random base samples the estimators' standard errors are about 0.005
  // (the bootstrap intervals' half-widths are about 0.01); tolerance 0.02, and each 95% interval
  // must contain the analytic value.
  constexpr double pi = std::numbers::pi;
  auto ishigami = [](std::span<const double> u) {
    const double x1 = -pi + 2 * pi * u[0], x2 = -pi + 2 * pi * u[1], x3 = -pi + 2 * pi * u[2];
    return std::sin(x1) + 7 * std::sin(x2) * std::sin(x2) + 0.1 * std::pow(x3, 4) * std::sin(x1);
  };
  const auto s = planeval::sobol_analysis(1u << 15, 3, 2026, ishigami, {200, 0.95, 1});
  const double s_true[] = {0.3139, 0.4424, 0.0}, st_true[] = {0.5576, 0.4424, 0.2437};
  for (std::size_t i = 0; i < 3; ++i) {
    CAPTURE(i);
    CHECK(std::abs(s.first_order[i] - s_true[i]) < 0.02);
    CHECK(std::abs(s.total[i] - st_true[i]) < 0.02);
    CHECK(s.first_order_low[i] <= s_true[i]);
    CHECK(s_true[i] <= s.first_order_high[i]);
    CHECK(s.total_low[i] <= st_true[i]);
    CHECK(st_true[i] <= s.total_high[i]);
    CHECK(s.first_order_low[i] < s.first_order[i]);
    CHECK(s.first_order[i] < s.first_order_high[i]);
    CHECK(s.total_low[i] < s.total[i]);
    CHECK(s.total[i] < s.total_high[i]);
    CHECK(s.total_high[i] - s.total_low[i] < 0.1);
  }
  CHECK(s.variance == doctest::Approx(13.8446).epsilon(0.02));
}

TEST_CASE("Sobol' indices of a linear model") {
  // y = x1 + 2 x2 + 3 x3, x_i ~ U(0, 1) independent: V_i = c_i²/12, no interactions, so
  // S_i = ST_i = c_i² / Σc² = 1/14 = 0.0714, 4/14 = 0.2857, 9/14 = 0.6429. n = 2^14, tolerance 0.02.
  auto linear = [](std::span<const double> u) { return u[0] + 2 * u[1] + 3 * u[2]; };
  const auto s = planeval::sobol_analysis(1u << 14, 3, 99, linear);
  const double expected[] = {1.0 / 14, 4.0 / 14, 9.0 / 14};
  for (std::size_t i = 0; i < 3; ++i) {
    CAPTURE(i);
    CHECK(std::abs(s.first_order[i] - expected[i]) < 0.02);
    CHECK(std::abs(s.total[i] - expected[i]) < 0.02);
  }
  CHECK(s.variance == doctest::Approx(14.0 / 12).epsilon(0.03)); // Σc²/12
}

TEST_CASE("aggregators: nominal scores by hand, missing values, zeros, ties") {
  // One node (the root) over 3 indicators with weights 1, 1, 2 (0.25, 0.25, 0.5).
  //   unit 0 [1, 4, 16]: arithmetic 0.25 + 1 + 8 = 9.25; geometric 1^¼·4^¼·16^½ = 4√2 = 5.656854;
  //     harmonic 1/(0.25/1 + 0.25/4 + 0.5/16) = 1/0.34375 = 2.909091; generalised p = 2:
  //     √(0.25 + 4 + 128) = 11.5
  //   unit 1 [NaN, 4, 16]: weights renormalised to 1/3, 2/3: arithmetic 4/3 + 32/3 = 12; geometric
  //     4^⅓·16^⅔ = 4^(5/3) = 10.079368; harmonic 1/(1/12 + 1/24) = 8; p = 2: √(16/3 + 512/3) = √176
  //   unit 2 [0, 4, 16]: arithmetic 0 + 1 + 8 = 9; geometric, harmonic: 0 (their limits, with
  //     zero_policy::limit; a data_error with the default zero_policy::error); p = 2: √(0 + 4 + 128) = √132
  //   unit 3 [NaN, NaN, NaN]: missing, no rank
  const std::vector<double> x{1, 4, 16, NaN, 4, 16, 0, 4, 16, NaN, NaN, NaN};
  struct expected_scores {
    uncertainty_aggregator agg;
    double s0, s1, s2;
    std::vector<double> ranks;
  };
  const expected_scores cases[] = {
      {{uncertainty_mean::arithmetic, 1}, 9.25, 12, 9, {2, 1, 3, NaN}},
      {{uncertainty_mean::geometric, 1}, 4 * std::sqrt(2.0), 10.079368399158986, 0, {2, 1, 3, NaN}},
      {{uncertainty_mean::harmonic, 1}, 1 / 0.34375, 8, 0, {2, 1, 3, NaN}},
      {{uncertainty_mean::generalised, 2}, 11.5, std::sqrt(176.0), std::sqrt(132.0), {2, 1, 3, NaN}},
      {{uncertainty_mean::generalised, 0},
       4 * std::sqrt(2.0),
       10.079368399158986,
       0,
       {2, 1, 3, NaN}}, // p = 0: geometric
  };
  for (const auto& c : cases) {
    CAPTURE(to_string(c.agg.method));
    uncertainty_hierarchy h;
    h.indicator_parent = {0, 0, 0};
    h.indicator_weight = {1, 1, 2};
    h.node_parent = {root};
    h.node_aggregator = {c.agg};
    h.zeros = planeval::zero_policy::limit;
    uncertainty_options o;
    o.drop_indicator = true;
    o.replications = 2;
    const auto r = run({x}, 4, h, o);
    if (c.s2 == 0) { // the default policy refuses the 0 of unit 2, indicator 0, naming them
      auto strict = h;
      strict.zeros = planeval::zero_policy::error;
      const std::string message = "the nominal run (variant 0): nodes[0] (\"node 0\"): the " +
                                  std::string(to_string(planeval::canonical_mean(c.agg.method, c.agg.power).method)) +
                                  " mean needs values > 0, unit 2 has 0 from indicator 0";
      CHECK_THROWS_WITH_AS(run({x}, 4, strict, o), doctest::Contains(message.c_str()), planeval::data_error);
    }
    CHECK(r.nominal_score[0] == doctest::Approx(c.s0));
    CHECK(r.nominal_score[1] == doctest::Approx(c.s1));
    CHECK(r.nominal_score[2] == doctest::Approx(c.s2));
    CHECK(std::isnan(r.nominal_score[3]));
    CHECK(same(r.nominal_rank, c.ranks));
    CHECK(r.ranked[3] == 0);
    CHECK(std::isnan(r.rank_mean[3]));
  }

  // ties share the smallest rank: scores 5, 7, 5, 1 -> ranks 2, 1, 2, 4
  uncertainty_hierarchy h;
  h.indicator_parent = {0};
  h.node_parent = {root};
  uncertainty_options o;
  o.weight_noise = 0.5; // one indicator: the weight cancels out, every replication is nominal
  o.replications = 3;
  const auto r = run({{5, 7, 5, 1}}, 4, h, o);
  CHECK(same(r.nominal_rank, {2, 1, 2, 4}));
  CHECK(same(r.rank_mean, {2, 1, 2, 4}));
  CHECK(r.shift_a == std::vector<double>{0, 0, 0});
  CHECK(std::isnan(r.first_order[0])); // a constant output: V = 0
}

TEST_CASE("three levels by hand: node weights, a missing dimension") {
  // indicators a, b -> dim 0 (arithmetic), c, d -> dim 1 (arithmetic); root geometric with node
  // weights 1 (dim 0) and 3 (dim 1). Nodes: 0 root, 1 dim 0, 2 dim 1.
  //   unit 0 [2, 4, 8, 8]: dims 3 and 8, root 3^¼·8^¾ = 1.316074·4.756828 = 6.260338
  //   unit 1 [2, 4, NaN, NaN]: dim 1 missing, the root renormalises over dim 0: 3
  //   unit 2 [10, 10, 1, 1]: dims 10 and 1, root 10^¼ = 1.778279
  // ranks: 1, 2, 3
  uncertainty_hierarchy h;
  h.indicator_parent = {1, 1, 2, 2};
  h.node_parent = {root, 0, 0};
  h.node_weight = {1, 1, 3};
  h.node_aggregator = {{uncertainty_mean::geometric, 1}, {}, {}};
  uncertainty_options o;
  o.aggregators = {{uncertainty_mean::arithmetic, 1}, {uncertainty_mean::harmonic, 1}};
  o.aggregation_by_level = true;
  o.replications = 4;
  const auto r = run({{2, 4, 8, 8, 2, 4, NaN, NaN, 10, 10, 1, 1}}, 3, h, o);
  CHECK(r.nominal_score[0] == doctest::Approx(6.260338320293148));
  CHECK(r.nominal_score[1] == doctest::Approx(3));
  CHECK(r.nominal_score[2] == doctest::Approx(std::pow(10.0, 0.25)));
  CHECK(same(r.nominal_rank, {1, 2, 3}));
  REQUIRE(r.layout.inputs == std::vector<std::string>{"aggregation[depth 0]", "aggregation[depth 1]"});
  CHECK(r.layout.columns == 2);
  CHECK(r.runs == 4 * 4); // (k + 2)·n
}

TEST_CASE("rank uncertainty of 3 units × 2 indicators with fixed draws, by hand") {
  // Data: u0 [0.9, 0.1], u1 [0.4, 0.5], u2 [0.2, 0.6]; one root, arithmetic, weights 1, 1.
  // Nominal scores 0.5, 0.45, 0.4 -> ranks [1, 2, 3].
  // Inputs: weights (noise 0.5: factor 0.5 + u; columns 0, 1) and drop_indicator (column 2:
  // ⌊3u⌋ = 0 none, 1 drop indicator 0, 2 drop indicator 1). Draw rows [A | B]:
  //   r0: A [0.9, 0.1, 0.1] w 1.4, 0.6 (0.7, 0.3), none: 0.66, 0.43, 0.32 -> [1, 2, 3], shift 0
  //       B [0.1, 0.9, 0.5] drop 0: x1 = 0.1, 0.5, 0.6 -> [3, 2, 1], shift (2 + 0 + 2)/3 = 4/3
  //       AB_w (w 0.6, 1.4, none): 0.34, 0.47, 0.48 -> [3, 2, 1], 4/3; AB_d (w 1.4, 0.6, drop 0): 4/3
  //   r1: A [0.5, 0.5, 0.9] w 1, 1, drop 1: x0 -> [1, 2, 3], 0
  //       B [0.3, 0.7, 0.2] w 0.8, 1.2 (0.4, 0.6), none: 0.42, 0.46, 0.44 -> [3, 1, 2], 4/3
  //       AB_w (w 0.8, 1.2, drop 1): x0 -> 0; AB_d (w 1, 1, none): nominal -> 0
  //   r2: A [0.1, 0.9, 0.0] w 0.6, 1.4, none -> [3, 2, 1], 4/3
  //       B [0.5, 0.5, 0.0] nominal -> 0; AB_w (w 1, 1, none) -> 0; AB_d (w 0.6, 1.4, none) -> 4/3
  // yA = [0, 0, 4/3], yB = [4/3, 4/3, 0], yAB_w = [4/3, 0, 0], yAB_d = [4/3, 0, 4/3]
  // mean 2/3, V = 4/9 (every value 2/3 from the mean)
  // yB − mean = [2/3, 2/3, −2/3]; yAB_w − yA = [4/3, 0, −4/3]; yAB_d − yA = [4/3, 0, 0]
  // S_w = (8/9 + 0 + 8/9)/3 / V = (16/27)/(4/9) = 4/3; ST_w = ((16/9 + 0 + 16/9)/3/2) / V = 4/3
  // S_d = (8/9 + 0 + 0)/3 / V = (8/27)/(4/9) = 2/3; ST_d = ((16/9 + 0 + 0)/3/2) / V = 2/3
  // (three replications: the estimates are far from the true indices; this checks the arithmetic)
  // Ranks over A: u0 [1, 1, 3]: mean 5/3, median 1, p05 (h = 0.1) 1, p95 (h = 1.9) 3 − 2·0.1 = 2.8;
  //   u1 [2, 2, 2]; u2 [3, 3, 1] sorted [1, 3, 3]: mean 7/3, median 3, p05 1 + 2·0.1 = 1.2, p95 3.
  const std::vector<double> x{0.9, 0.1, 0.4, 0.5, 0.2, 0.6};
  const std::vector<double> draws{0.9, 0.1, 0.1, 0.1, 0.9, 0.5,  //
                                  0.5, 0.5, 0.9, 0.3, 0.7, 0.2,  //
                                  0.1, 0.9, 0.0, 0.5, 0.5, 0.0}; //
  uncertainty_hierarchy h;
  h.indicator_parent = {0, 0};
  h.node_parent = {root};
  uncertainty_options o;
  o.weight_noise = 0.5;
  o.drop_indicator = true;
  o.replications = 3;
  o.draws = draws;
  o.keep_ranks = true;
  for (unsigned threads : {1u, 2u}) {
    o.threads = threads;
    const auto r = run({x}, 3, h, o);
    CHECK(r.layout.inputs == std::vector<std::string>{"weights", "drop_indicator"});
    CHECK(r.layout.first_column == std::vector<std::size_t>{0, 2});
    CHECK(r.layout.column_count == std::vector<std::size_t>{2, 1});
    CHECK(r.runs == 12);
    CHECK(same(r.nominal_rank, {1, 2, 3}));
    CHECK(r.ranks == std::vector<std::uint32_t>{1, 2, 3, 1, 2, 3, 3, 2, 1});
    const double t = 4.0 / 3;
    CHECK(r.shift_a == std::vector<double>{0, 0, t});
    CHECK(r.shift_b == std::vector<double>{t, t, 0});
    CHECK(r.shift_ab == std::vector<double>{t, 0, 0, t, 0, t});
    CHECK(r.shift_mean == doctest::Approx(2.0 / 3));
    CHECK(r.shift_variance == doctest::Approx(4.0 / 9));
    CHECK(r.first_order[0] == doctest::Approx(4.0 / 3));
    CHECK(r.total[0] == doctest::Approx(4.0 / 3));
    CHECK(r.first_order[1] == doctest::Approx(2.0 / 3));
    CHECK(r.total[1] == doctest::Approx(2.0 / 3));
    CHECK(r.rank_mean[0] == doctest::Approx(5.0 / 3));
    CHECK(r.rank_median[0] == 1);
    CHECK(r.rank_p05[0] == 1);
    CHECK(r.rank_p95[0] == doctest::Approx(2.8));
    CHECK(r.rank_mean[1] == 2);
    CHECK(r.rank_p95[1] == 2);
    CHECK(r.rank_mean[2] == doctest::Approx(7.0 / 3));
    CHECK(r.rank_median[2] == 3);
    CHECK(r.rank_p05[2] == doctest::Approx(1.2));
    CHECK(r.rank_p95[2] == 3);
    CHECK(r.ranked == std::vector<std::size_t>{3, 3, 3});
  }
}

namespace {

// --- a naive reference implementation, written from the documented semantics ----------------

struct reference_model {
  std::vector<std::vector<double>> variants;
  std::size_t units = 0;
  uncertainty_hierarchy h;
  uncertainty_options o;

  std::size_t nodes() const { return h.node_parent.size(); }
  std::size_t depth(std::size_t c) const {
    std::size_t d = 0;
    while (h.node_parent[c] != root) c = h.node_parent[c], ++d;
    return d;
  }
  /// The value of node c for unit u: children in index order, indicators first.
  double node_value(std::size_t c, std::size_t u, const std::vector<double>& x, const std::vector<double>& iw,
                    const std::vector<double>& nw, const std::vector<uncertainty_aggregator>& agg) const {
    std::vector<double> w, v;
    for (std::size_t j = 0; j < h.indicator_parent.size(); ++j)
      if (h.indicator_parent[j] == c && iw[j] > 0 && !std::isnan(x[u * iw.size() + j])) {
        w.push_back(iw[j]);
        v.push_back(x[u * iw.size() + j]);
      }
    for (std::size_t d = 0; d < nodes(); ++d)
      if (h.node_parent[d] == c && nw[d] > 0) {
        const double y = node_value(d, u, x, iw, nw, agg);
        if (!std::isnan(y)) {
          w.push_back(nw[d]);
          v.push_back(y);
        }
      }
    if (w.empty()) return NaN;
    double sw = 0, acc = 0;
    const auto a = agg[c];
    for (std::size_t i = 0; i < w.size(); ++i) {
      sw += w[i];
      if (a.method == uncertainty_mean::arithmetic) acc += w[i] * v[i];
      if (a.method == uncertainty_mean::geometric) acc += w[i] * std::log(v[i]);
    }
    if (a.method == uncertainty_mean::arithmetic) return acc / sw;
    if (a.method == uncertainty_mean::geometric) return std::exp(acc / sw);
    throw std::logic_error("reference: only arithmetic and geometric");
  }
  /// Ranks (0: none) for the draws `u` (D values), or the nominal choices when u is empty.
  std::vector<std::uint32_t> ranks(const std::vector<double>& u) const {
    const std::size_t m = h.indicator_parent.size();
    std::vector<double> iw = h.indicator_weight, nw = h.node_weight;
    std::vector<uncertainty_aggregator> agg = h.node_aggregator;
    std::size_t variant = 0, col = 0;
    if (!u.empty()) {
      const double x = o.weight_noise;
      std::size_t root_node = 0;
      for (std::size_t c = 0; c < nodes(); ++c)
        if (h.node_parent[c] == root) root_node = c;
      for (std::size_t j = 0; j < m; ++j) iw[j] *= 1 - x + 2 * x * u[col++];
      for (std::size_t c = 0; c < nodes(); ++c)
        if (c != root_node) nw[c] *= 1 - x + 2 * x * u[col++];
      variant = static_cast<std::size_t>(u[col++] * static_cast<double>(variants.size()));
      std::size_t levels = 0;
      for (std::size_t c = 0; c < nodes(); ++c) levels = std::max(levels, depth(c) + 1);
      for (std::size_t c = 0; c < nodes(); ++c) agg[c] = o.aggregators[static_cast<std::size_t>(u[col + depth(c)] * 2)];
      col += levels;
      const auto drop = static_cast<std::size_t>(u[col] * static_cast<double>(m + 1));
      if (drop > 0) iw[drop - 1] = 0;
    }
    std::vector<double> score(units);
    std::size_t root_node = 0;
    for (std::size_t c = 0; c < nodes(); ++c)
      if (h.node_parent[c] == root) root_node = c;
    for (std::size_t i = 0; i < units; ++i) score[i] = node_value(root_node, i, variants[variant], iw, nw, agg);
    std::vector<std::uint32_t> rank(units, 0);
    for (std::size_t i = 0; i < units; ++i) {
      if (std::isnan(score[i])) continue;
      std::uint32_t higher = 0;
      for (std::size_t j = 0; j < units; ++j)
        if (!std::isnan(score[j]) && score[j] > score[i]) ++higher;
      rank[i] = higher + 1; // ties: the smallest rank
    }
    return rank;
  }
};

} // namespace

TEST_CASE("rank uncertainty agrees with a naive reference, for any thread count") {
  // 40 units, 7 indicators under 3 dimensions (one dimension over a sub-dimension), 2 variants with
  // missing values; every input varied, aggregation by level.
  reference_model ref;
  ref.units = 40;
  ref.h.indicator_parent = {1, 1, 2, 2, 3, 4, 4};
  ref.h.indicator_weight = {1, 2, 1, 1, 3, 1, 0.5};
  ref.h.node_parent = {root, 0, 0, 0, 3};
  ref.h.node_weight = {1, 1, 2, 1, 1};
  ref.h.node_aggregator = {{uncertainty_mean::geometric, 1}, {}, {}, {uncertainty_mean::geometric, 1}, {}};
  ref.o.weight_noise = 0.3;
  ref.o.vary_variant = true;
  ref.o.aggregators = {{uncertainty_mean::arithmetic, 1}, {uncertainty_mean::geometric, 1}};
  ref.o.aggregation_by_level = true;
  ref.o.drop_indicator = true;
  ref.o.replications = 60;
  ref.o.seed = 5;
  for (std::size_t v = 0; v < 2; ++v) {
    std::vector<double> x(ref.units * 7);
    for (std::size_t i = 0; i < x.size(); ++i) {
      x[i] = 1 + 99 * planeval::uniform_draw(100 + v, i);
      if (planeval::uniform_draw(200 + v, i) < 0.1) x[i] = NaN;
    }
    ref.variants.push_back(x);
  }
  ref.variants[0][3 * 7 + 2] = ref.variants[0][3 * 7 + 3] = NaN;        // unit 3 without dimension 2
  for (std::size_t j = 0; j < 7; ++j) ref.variants[1][5 * 7 + j] = NaN; // unit 5 missing in variant 1

  const auto layout = planeval::make_uncertainty_layout(ref.h, 2, ref.o);
  // weights 7 + 4 non-root nodes, variant, aggregation at depths 0, 1, 2, drop
  REQUIRE(layout.inputs == std::vector<std::string>{"weights", "variant", "aggregation[depth 0]",
                                                    "aggregation[depth 1]", "aggregation[depth 2]", "drop_indicator"});
  const std::size_t d = layout.columns;
  REQUIRE(d == 16);
  const std::size_t n = ref.o.replications, k = layout.inputs.size();

  ref.o.threads = 1;
  const auto r1 = run(ref.variants, ref.units, ref.h, ref.o);
  // the reference, run by run
  const auto nominal = ref.ranks({});
  std::vector<double> ya(n), yb(n), yab(k * n);
  std::vector<std::vector<std::uint32_t>> ranks_a;
  auto shift = [&](const std::vector<std::uint32_t>& rank) {
    double s = 0;
    std::size_t c = 0;
    for (std::size_t i = 0; i < rank.size(); ++i)
      if (rank[i] && nominal[i]) {
        s += std::abs(static_cast<double>(rank[i]) - static_cast<double>(nominal[i]));
        ++c;
      }
    return s / static_cast<double>(c);
  };
  for (std::size_t r = 0; r < n; ++r) {
    std::vector<double> a(d), b(d);
    for (std::size_t j = 0; j < d; ++j) {
      a[j] = planeval::uniform_draw(5, r * 2 * d + j);
      b[j] = planeval::uniform_draw(5, r * 2 * d + d + j);
    }
    ranks_a.push_back(ref.ranks(a));
    ya[r] = shift(ranks_a.back());
    yb[r] = shift(ref.ranks(b));
    for (std::size_t i = 0; i < k; ++i) {
      std::vector<double> ab = a;
      for (std::size_t j = 0; j < layout.column_count[i]; ++j)
        ab[layout.first_column[i] + j] = b[layout.first_column[i] + j];
      yab[i * n + r] = shift(ref.ranks(ab));
    }
  }
  for (std::size_t i = 0; i < ref.units; ++i) {
    CAPTURE(i);
    CHECK(r1.nominal_rank[i] == (nominal[i] ? static_cast<double>(nominal[i]) : NaN));
    double sum = 0;
    std::size_t c = 0;
    for (const auto& ra : ranks_a)
      if (ra[i]) sum += ra[i], ++c;
    CHECK(r1.ranked[i] == c);
    CHECK(r1.rank_mean[i] == doctest::Approx(sum / static_cast<double>(c)));
  }
  CHECK(r1.ranked[5] < n); // unit 5 has no index when variant 1 is drawn
  CHECK(r1.shift_a == ya);
  CHECK(r1.shift_b == yb);
  CHECK(r1.shift_ab == yab);
  const auto s = planeval::sobol_indices(ya, yb, yab);
  CHECK(r1.first_order == s.first_order);
  CHECK(r1.total == s.total);

  for (unsigned threads : {2u, 3u, 0u}) {
    CAPTURE(threads);
    ref.o.threads = threads;
    const auto rt = run(ref.variants, ref.units, ref.h, ref.o);
    CHECK(same(rt.rank_mean, r1.rank_mean));
    CHECK(same(rt.rank_median, r1.rank_median));
    CHECK(same(rt.rank_p05, r1.rank_p05));
    CHECK(same(rt.rank_p95, r1.rank_p95));
    CHECK(rt.shift_a == r1.shift_a);
    CHECK(rt.shift_ab == r1.shift_ab);
    CHECK(same(rt.first_order, r1.first_order));
  }

  // the same draws given explicitly give the same result
  std::vector<double> draws(n * 2 * d);
  planeval::uniform_draws(5, 0, draws);
  ref.o.draws = draws;
  ref.o.seed = 12345; // ignored with draws
  const auto rd = run(ref.variants, ref.units, ref.h, ref.o);
  CHECK(rd.shift_ab == r1.shift_ab);
  CHECK(same(rd.rank_p95, r1.rank_p95));
}

TEST_CASE("progress and cancellation") {
  uncertainty_hierarchy h;
  h.indicator_parent = {0, 0, 0};
  h.node_parent = {root};
  std::vector<double> x(200 * 3);
  planeval::uniform_draws(1, 0, x);
  uncertainty_options o;
  o.weight_noise = 0.2;
  o.drop_indicator = true;
  o.replications = 400;
  o.threads = 2;

  SUBCASE("progress is called with the runs done, last with (total, total)") {
    std::vector<std::pair<std::size_t, std::size_t>> calls;
    auto progress = [&](std::size_t done, std::size_t total) { calls.emplace_back(done, total); };
    o.progress = progress;
    o.progress_interval = 1e-4;
    const auto r = run({x}, 200, h, o);
    REQUIRE(!calls.empty());
    CHECK(calls.back() == std::pair<std::size_t, std::size_t>{r.runs, r.runs});
    for (std::size_t i = 1; i < calls.size(); ++i) CHECK(calls[i - 1].first <= calls[i].first);
  }
  SUBCASE("a cancellation flag set before the run") {
    std::atomic<bool> cancel{true};
    o.cancel = &cancel;
    CHECK_THROWS_AS(run({x}, 200, h, o), planeval::cancelled_error);
  }
  SUBCASE("a cancellation flag set by the progress callback") {
    std::atomic<bool> cancel{false};
    auto progress = [&](std::size_t, std::size_t) { cancel = true; };
    o.progress = progress;
    o.progress_interval = 1e-6;
    o.replications = 20000; // far longer than the first progress call
    o.cancel = &cancel;
    CHECK_THROWS_WITH_AS(run({x}, 200, h, o), doctest::Contains("cancelled after"), planeval::cancelled_error);
  }
  SUBCASE("an exception from the progress callback stops the run and propagates") {
    auto progress = [](std::size_t, std::size_t) { throw std::runtime_error("stop here"); };
    o.progress = progress;
    CHECK_THROWS_WITH_AS(run({x}, 200, h, o), "stop here", std::runtime_error);
  }
}

TEST_CASE("rank_uncertainty errors name the place and what was expected") {
  uncertainty_hierarchy h;
  h.indicator_parent = {0, 0};
  h.node_parent = {root};
  uncertainty_options o;
  o.weight_noise = 0.1;
  o.replications = 4;
  const std::vector<double> x{1, 2, 3, 4};
  CHECK_NOTHROW(run({x}, 2, h, o));
  auto fails = [&](const uncertainty_hierarchy& hh, const uncertainty_options& oo, const std::string& message,
                   const std::vector<std::vector<double>>& data) {
    CAPTURE(message);
    CHECK_THROWS_WITH_AS(run(data, 2, hh, oo), doctest::Contains(message.c_str()), planeval::error);
  };
  {
    auto bad = h;
    bad.node_parent = {root, root};
    bad.indicator_parent = {0, 1};
    // checked by make_composite_tree, the one validator (node c is "node c")
    fails(bad, o, "hierarchy (checked as a composite_tree): nodes[1].parent: a second root (\"node 0\" is already",
          {x});
    bad.node_parent = {1, 0};
    fails(bad, o, "nodes: no root (a node with an empty parent); the parents form a cycle", {x});
    bad.node_parent = {root, 2, 1};
    bad.indicator_parent = {1, 2};
    fails(bad, o, "nodes[1].parent: cycle \"node 1\" -> \"node 2\" -> \"node 1\"", {x});
    bad.node_parent = {root, 0};
    bad.indicator_parent = {0, 0};
    fails(bad, o, "nodes[1] (\"node 1\"): has no children", {x});
    bad.indicator_parent = {0, 5};
    fails(bad, o, "hierarchy.indicator_parent[1]: expected a node index < 2, got 5", {x});
  }
  {
    auto bad = h;
    bad.indicator_weight = {1, -1};
    fails(bad, o, "indicators[1].weight: expected a finite weight >= 0, got -1", {x});
    bad.indicator_weight = {1};
    fails(bad, o, "hierarchy.indicator_weight: expected 2 weights, got 1", {x});
    bad = h;
    bad.node_aggregator = {{uncertainty_mean::generalised, std::numeric_limits<double>::infinity()}};
    fails(bad, o, "expected a finite power", {x});
  }
  fails(h, o, "variants[0]: expected units × indicators = 2 × 2 = 4 values, got 3", {{1, 2, 3}});
  fails(h, o, "variants[0]: unit 1, indicator 0: expected a finite value", {{1, 2, INFINITY, 4}});
  {
    auto geo = o;
    geo.aggregators = {{uncertainty_mean::arithmetic, 1}, {uncertainty_mean::geometric, 1}};
    fails(h, geo, "variants[0]: unit 0, indicator 1: expected a finite value >= 0", {{1, -2, 3, 4}});
    CHECK_NOTHROW(run({{1, -2, 3, 4}}, 2, h, o)); // arithmetic only: negative values are fine
  }
  {
    auto bad = o;
    bad.weight_noise = 0;
    fails(h, bad, "nothing to vary", {x});
    bad.weight_noise = 1.5;
    fails(h, bad, "weight_noise: expected a fraction in [0, 1], got 1.5", {x});
    bad = o;
    bad.vary_variant = true;
    fails(h, bad, "vary_variant: expected at least 2 variants", {x});
    bad = o;
    bad.aggregators = {{uncertainty_mean::geometric, 1}};
    fails(h, bad, "aggregators: expected at least 2 alternatives", {x});
    bad = o;
    bad.replications = 1;
    fails(h, bad, "replications: expected at least 2, got 1", {x});
    bad = o;
    const std::vector<double> draws(4 * 2 * 2, 0.5);
    bad.draws = std::span<const double>(draws).first(15);
    fails(h, bad, "draws: expected replications × 2D = 4 × 4 values, got 15", {x});
    std::vector<double> one(16, 0.5);
    one[5] = 1.0;
    bad.draws = one;
    fails(h, bad, "draws: row 1, column 1: expected a uniform in [0, 1), got 1", {x});
  }
  fails(h, o, "no unit has an index with the base choices", {{NaN, NaN, NaN, NaN}});
}

TEST_CASE("composite_uncertainty: a composite's own choices, its nominal ranks, and the alternatives") {
  using planeval::aggregation;
  using planeval::composite_data;
  using planeval::composite_indicator;
  using planeval::composite_spec;
  using planeval::normalisation;
  // 3 units x 2 indicators under one arithmetic root, min-max to [1, 100]:
  //   x0: 1, 2, 4 -> 1, 34, 100;  x1: 30, 10, 20 -> 100, 1, 50.5
  //   index: (1 + 100)/2 = 50.5, (34 + 1)/2 = 17.5, (100 + 50.5)/2 = 75.25 -> ranks 2, 3, 1
  composite_spec spec;
  spec.nodes.push_back({"index", "", 1.0, aggregation::arithmetic, 1.0, 0.0});
  for (const char* id : {"x0", "x1"}) {
    composite_indicator ind;
    ind.id = id;
    ind.parent = "index";
    spec.indicators.push_back(ind);
  }
  spec.normalise_params.lo = 1;
  spec.normalise_params.hi = 100;
  const std::vector<double> values{1, 30, 2, 10, 4, 20};
  const composite_data data{values, 3, 2};
  planeval::uncertainty_options o;
  o.weight_noise = 0.2;
  o.replications = 64;
  o.seed = 3;
  const auto r = planeval::composite_uncertainty(data, spec, {}, o);
  REQUIRE(r.nominal_rank.size() == 3);
  CHECK(r.nominal_rank == std::vector<double>{2, 3, 1});
  CHECK(r.nominal_score[0] == doctest::Approx(50.5));
  CHECK(r.nominal_score[2] == doctest::Approx(75.25));
  // the same ranks as build_composite
  const auto built = planeval::build_composite(data, spec);
  for (std::size_t u = 0; u < 3; ++u) CHECK(built.rank(u, 0) == static_cast<std::uint32_t>(r.nominal_rank[u]));

  // an alternative (rank normalisation) becomes a second variant, and the variant is varied
  auto alt = spec;
  alt.normalise = normalisation::rank;
  const auto with_alt = planeval::composite_uncertainty(data, spec, std::vector<composite_spec>{alt}, o);
  CHECK(with_alt.nominal_rank == r.nominal_rank);
  CHECK(planeval::make_uncertainty_layout(planeval::to_uncertainty_hierarchy(planeval::make_composite_tree(spec)), 2,
                                          [&] {
                                            auto v = o;
                                            v.vary_variant = true;
                                            return v;
                                          }())
            .inputs.size() == 2); // weights, variant

  // min_share: the engine applies it (one kernel), and the deprecated index form carries it
  auto strict = spec;
  strict.nodes[0].min_share = 0.5;
  CHECK(planeval::composite_uncertainty(data, strict, {}, o).nominal_rank == r.nominal_rank);
  CHECK(planeval::to_uncertainty_hierarchy(planeval::make_composite_tree(strict)).node_min_share ==
        std::vector<double>{0.5});
  auto fewer = alt;
  fewer.indicators.pop_back();
  CHECK_THROWS_WITH_AS(planeval::composite_uncertainty(data, spec, std::vector<composite_spec>{fewer}, o),
                       doctest::Contains("alternatives[0] has 1 indicators, expected 2"), planeval::error);
}

TEST_CASE("one engine: composite_uncertainty's nominal run is build_composite's scores and ranks, bit for bit") {
  using planeval::aggregation;
  using planeval::composite_data;
  using planeval::composite_indicator;
  using planeval::composite_spec;
  using planeval::zero_policy;
  // 5 units x 4 indicators, min-max to [0, 100]: the lowest unit of each indicator gets 0.
  //   x0: 1, 2, 3, 4, 5 -> 0, 25, 50, 75, 100       x1: 5, 4, NaN, 2, 1 -> 100, 75, NaN, 25, 0
  //   x2: 2, 2, 4, 6, 10 -> 0, 0, 25, 50, 100       x3: 1, 3, 5, 7, 9 -> 0, 25, 50, 75, 100
  // dims: d0 geometric (x0, x1), d1 geometric (x2, x3) under a geometric root (d0 hands its
  // logarithm up), d1 weight 3; d0 min_share 0.75 (unit 2 has 1 of 2 children: d0 missing).
  // With zero_policy::limit: unit 0: d0 = 0 (x0 = 0), d1 = 0, index 0; unit 1: d0 = √(25·75) =
  // 43.30127, d1 = 0 (x2 = 0), index 0; unit 2: d0 missing, d1 = √(25·50) = 35.355339, index =
  // d1 alone = 35.355339; unit 3: d0 = √(75·25) = 43.30127, d1 = √(50·75) = 61.237244, index =
  // 43.30127^¼ · 61.237244^¾ = 56.0; unit 4: d0 = 0 (x1 = 0), index 0. Ranks 3, 3, 2, 1, 3.
  composite_spec spec;
  spec.nodes.push_back({"index", "", 1.0, aggregation::geometric, 1.0, 0.0});
  spec.nodes.push_back({"d0", "index", 1.0, aggregation::geometric, 1.0, 0.75});
  spec.nodes.push_back({"d1", "index", 3.0, aggregation::geometric, 1.0, 0.0});
  for (const char* id : {"x0", "x1", "x2", "x3"}) {
    composite_indicator ind;
    ind.id = id;
    ind.parent = std::string(id) < "x2" ? "d0" : "d1";
    spec.indicators.push_back(ind);
  }
  const std::vector<double> values{1, 5, 2, 1, 2, 4, 2, 3, 3, NaN, 4, 5, 4, 2, 6, 7, 5, 1, 10, 9};
  const composite_data data{values, 5, 4};
  planeval::uncertainty_options o;
  o.weight_noise = 0.25;
  o.aggregators = {{aggregation::arithmetic, 1}, {aggregation::geometric, 1}};
  o.replications = 16;
  o.seed = 5;
  // zero_policy::error (the default): both refuse the same 0 (unit 0, indicator 0 under d0)
  CHECK_THROWS_WITH_AS(planeval::build_composite(data, spec),
                       "nodes[1] (\"d0\"): the geometric mean needs values > 0, unit 0 has 0 from indicator 0 "
                       "(choose an output range above 0, e.g. lo = 1, the arithmetic mean, or zeros = limit: "
                       "the mean's limit 0)",
                       planeval::data_error);
  CHECK_THROWS_WITH_AS(planeval::composite_uncertainty(data, spec, {}, o),
                       doctest::Contains("the nominal run (variant 0): nodes[1] (\"d0\"): the geometric mean needs "
                                         "values > 0, unit 0 has 0 from indicator 0"),
                       planeval::data_error);
  auto check_same = [&](const composite_spec& s) {
    const auto built = planeval::build_composite(data, s);
    const auto u = planeval::composite_uncertainty(data, s, {}, o);
    for (std::size_t k = 0; k < 5; ++k) {
      CAPTURE(k);
      const double a = built.score(k, 0), b = u.nominal_score[k];
      CHECK((a == b || (std::isnan(a) && std::isnan(b)))); // exactly, not approximately
      CHECK(static_cast<double>(built.rank(k, 0)) == u.nominal_rank[k]);
    }
    return built;
  };
  spec.zeros = zero_policy::limit;
  const auto built = check_same(spec);
  CHECK(built.score(0, 0) == 0);
  CHECK(built.score(1, 0) == 0);
  CHECK(std::isnan(built.score(2, 1))); // d0 below its min_share
  CHECK(built.score(2, 0) == doctest::Approx(std::sqrt(25.0 * 50)));
  CHECK(built.score(3, 1) == doctest::Approx(std::sqrt(75.0 * 25)));
  CHECK(built.score(3, 0) == doctest::Approx(std::pow(std::sqrt(75.0 * 25), 0.25) * std::pow(std::sqrt(50.0 * 75), 0.75)));
  CHECK(built.score(4, 0) == 0);
  CHECK(std::vector<std::uint32_t>{built.rank(0, 0), built.rank(1, 0), built.rank(2, 0), built.rank(3, 0),
                                   built.rank(4, 0)} == std::vector<std::uint32_t>{3, 3, 2, 1, 3});
  // no zeros ([1, 100]): both policies give the same numbers, on both paths; other means too
  spec.normalise_params.lo = 1;
  for (const zero_policy z : {zero_policy::error, zero_policy::limit}) {
    spec.zeros = z;
    check_same(spec);
    auto mixed = spec;
    mixed.nodes[0].method = aggregation::harmonic;
    mixed.nodes[1].method = aggregation::arithmetic;
    mixed.nodes[2].method = aggregation::generalised;
    mixed.nodes[2].power = 0.5;
    check_same(mixed);
  }
}

TEST_CASE("weight noise per level (COINr's noise_specs): one input per level, by hand") {
  using planeval::aggregation;
  using planeval::composite_indicator;
  using planeval::composite_spec;
  // index (level 3, arithmetic) over d0, d1 (level 2, weights 1, 1), each over one indicator
  // (level 1): a -> d0, b -> d1. Units: u0 [4, 0], u1 [1, 2]: index 2 and 1.5, nominal ranks [1, 2].
  // Noise 0.5 at levels 1 and 2: a weight times 1 − 0.5 + 2·0.5·u = 0.5 + u (COINr's
  // get_noisy_weights: w + (2u − 1)·0.5·w). The level-1 weights cancel (one child per dimension).
  // With d0, d1 weights f0, f1: u0 = 4 f0/(f0 + f1), u1 = (f0 + 2 f1)/(f0 + f1): u1 is first when
  // 3 f0 < 2 f1, e.g. u = (0.0, 0.9): f = (0.5, 1.4): u0 1.0526, u1 1.7368 -> ranks [2, 1], shift 1.
  // Draw rows [A (4) | B (4)], columns: weights[level 1] (a, b), weights[level 2] (d0, d1):
  //   r0: A [0.3, 0.7, 0.0, 0.9] -> 1; B [0.1, 0.2, 0.5, 0.5] -> 0;
  //       AB_1 [0.1, 0.2, 0.0, 0.9] -> 1; AB_2 [0.3, 0.7, 0.5, 0.5] -> 0
  //   r1: A [0.5, 0.5, 0.5, 0.5] -> 0; B [0.9, 0.9, 0.0, 0.9] -> 1;
  //       AB_1 [0.9, 0.9, 0.5, 0.5] -> 0; AB_2 [0.5, 0.5, 0.0, 0.9] -> 1
  // yA [1, 0], yB [0, 1], yAB_1 [1, 0], yAB_2 [0, 1]; mean 0.5, V 0.25.
  // S_1 = mean((yB − 0.5)(yAB_1 − yA))/V = 0, ST_1 = 0; S_2 = mean(0.5, 0.5)/V = 2, ST_2 = mean(1, 1)/2/V = 2.
  composite_spec spec;
  spec.nodes.push_back({"index", "", 1.0, aggregation::arithmetic, 1.0, 0.0});
  spec.nodes.push_back({"d0", "index", 1.0, aggregation::arithmetic, 1.0, 0.0});
  spec.nodes.push_back({"d1", "index", 1.0, aggregation::arithmetic, 1.0, 0.0});
  for (const auto& [id, parent] : {std::pair{"a", "d0"}, std::pair{"b", "d1"}}) {
    composite_indicator ind;
    ind.id = id;
    ind.parent = parent;
    spec.indicators.push_back(ind);
  }
  const auto tree = planeval::make_composite_tree(spec);
  const auto plan = planeval::make_aggregation_plan(tree);
  CHECK(plan.levels == 3);
  CHECK(plan.level == std::vector<std::uint32_t>{3, 2, 2});
  const std::vector<double> x{4, 0, 1, 2};
  const std::vector<double> draws{0.3, 0.7, 0.0, 0.9, 0.1, 0.2, 0.5, 0.5, //
                                  0.5, 0.5, 0.5, 0.5, 0.9, 0.9, 0.0, 0.9};
  uncertainty_options o;
  o.weight_noise_levels = {{1, 0.5}, {2, 0.5}};
  o.replications = 2;
  o.draws = draws;
  const std::vector<std::span<const double>> variants{x};
  const auto r = planeval::rank_uncertainty(variants, 2, tree, o);
  CHECK(r.layout.inputs == std::vector<std::string>{"weights[level 1]", "weights[level 2]"});
  CHECK(r.layout.first_column == std::vector<std::size_t>{0, 2});
  CHECK(r.layout.column_count == std::vector<std::size_t>{2, 2});
  CHECK(same(r.nominal_rank, {1, 2}));
  CHECK(r.shift_a == std::vector<double>{1, 0});
  CHECK(r.shift_b == std::vector<double>{0, 1});
  CHECK(r.shift_ab == std::vector<double>{1, 0, 0, 1});
  CHECK(r.first_order == std::vector<double>{0, 2});
  CHECK(r.total == std::vector<double>{0, 2});

  // errors: the root's level has no weight, levels once each, not together with weight_noise
  auto fails = [&](const uncertainty_options& bad, const char* message) {
    CHECK_THROWS_WITH_AS(planeval::make_uncertainty_layout(tree, 1, bad), doctest::Contains(message), planeval::error);
  };
  uncertainty_options bad;
  bad.weight_noise_levels = {{3, 0.25}};
  fails(bad, "weight_noise_levels[0].level: expected a level from 1 (indicators) to 2 (below the root, level 3), got 3");
  bad.weight_noise_levels = {{2, 0.25}, {2, 0.1}};
  fails(bad, "weight_noise_levels[1].level: level 2 is also weight_noise_levels[0]");
  bad.weight_noise_levels = {{2, 0}};
  fails(bad, "weight_noise_levels[0].noise: expected a fraction in (0, 1], got 0");
  bad.weight_noise_levels = {{2, 0.25}};
  bad.weight_noise = 0.25;
  fails(bad, "expected either weight_noise (every level) or noise per level, not both");
}

TEST_CASE("Sobol' points are scipy.stats.qmc.Sobol(d, scramble=False)'s") {
  // Expected values printed by SciPy 1.17.1: scipy.stats.qmc.Sobol(d, scramble=False).random(n)
  // (Joe & Kuo's new-joe-kuo-6.21201 direction numbers, 30 bits).
  std::vector<double> x(8 * 4);
  planeval::sobol_points(0, 8, 4, x);
  CHECK(x == std::vector<double>{0,     0,     0,     0,     0.5,   0.5,   0.5,   0.5,   //
                                 0.75,  0.25,  0.25,  0.25,  0.25,  0.75,  0.75,  0.75,  //
                                 0.375, 0.375, 0.625, 0.875, 0.875, 0.875, 0.125, 0.375, //
                                 0.625, 0.125, 0.875, 0.625, 0.125, 0.625, 0.375, 0.125});
  // Sobol(1024): point 5, dimensions 0-9; point 1000, dimensions 1015-1023 (the table's end);
  // point 1023, dimensions 0-5. Starting at `first` gives the same points as from 0.
  std::vector<double> p5(1024), p1000(1024), p1023(1024);
  planeval::sobol_points(5, 1, 1024, p5);
  planeval::sobol_points(1000, 1, 1024, p1000);
  planeval::sobol_points(1023, 1, 1024, p1023);
  CHECK(std::vector<double>(p5.begin(), p5.begin() + 10) ==
        std::vector<double>{0.875, 0.875, 0.125, 0.375, 0.875, 0.625, 0.875, 0.375, 0.375, 0.125});
  CHECK(std::vector<double>(p1000.begin() + 1015, p1000.end()) ==
        std::vector<double>{0.0771484375, 0.7275390625, 0.1728515625, 0.8583984375, 0.9326171875, 0.5751953125,
                            0.2939453125, 0.1376953125, 0.7138671875});
  CHECK(std::vector<double>(p1023.begin(), p1023.begin() + 6) ==
        std::vector<double>{0.0009765625, 0.7529296875, 0.6123046875, 0.1455078125, 0.1865234375, 0.4384765625});
  std::vector<double> three(1024 * 3);
  planeval::sobol_points(1021, 3, 1024, three);
  CHECK(std::vector<double>(three.begin() + 2048, three.end()) == p1023);
  CHECK_THROWS_WITH_AS(planeval::sobol_points(0, 1, 1025, p5), doctest::Contains("expected 1 to 1024 dimensions"),
                       planeval::error);

  // Saltelli's design with Sobol' points: row r of [A | B] is the 2k-dimensional point r + 1.
  // k = 2, n = 3: points 1-3 of Sobol(4): [0.5]*4, [0.75, 0.25, 0.25, 0.25], [0.25, 0.75, 0.75, 0.75]
  const auto s = planeval::make_saltelli_sample(3, 2, 99, planeval::sampling_method::sobol);
  CHECK(s.a == std::vector<double>{0.5, 0.5, 0.75, 0.25, 0.25, 0.75});
  CHECK(s.b == std::vector<double>{0.5, 0.5, 0.25, 0.25, 0.75, 0.75});
  CHECK(s.ab == std::vector<double>{0.5, 0.5, 0.25, 0.25, 0.75, 0.75,   // AB_0: column 0 from B
                                    0.5, 0.5, 0.75, 0.25, 0.25, 0.75}); // AB_1: column 1 from B
  // with Sobol' points the indices of y = x1 + 2 x2 (analytic S = ST = 1/5 and 4/5: the variances
  // 1/12 and 4/12) are within 1% at n = 1024
  auto model = [](std::span<const double> v) { return v[0] + 2 * v[1]; };
  const auto q = planeval::sobol_analysis(1024, 2, 0, model, {}, planeval::sampling_method::sobol);
  CHECK(q.first_order[0] == doctest::Approx(0.2).epsilon(0.01));
  CHECK(q.total[1] == doctest::Approx(0.8).epsilon(0.01));

  // the engine: with sampling sobol, its draws are the Sobol' points (the same run as draws = them)
  uncertainty_hierarchy h;
  h.indicator_parent = {0, 0};
  h.node_parent = {root};
  uncertainty_options o;
  o.weight_noise = 0.5;
  o.replications = 8;
  o.sampling = planeval::sampling_method::sobol;
  const std::vector<double> data{0.9, 0.1, 0.4, 0.5, 0.2, 0.6};
  const auto with_sobol = run({data}, 3, h, o);
  std::vector<double> points(8 * 4);
  planeval::sobol_points(1, 8, 4, points);
  o.sampling = planeval::sampling_method::pseudo;
  o.draws = points;
  const auto with_draws = run({data}, 3, h, o);
  CHECK(with_sobol.shift_a == with_draws.shift_a);
  CHECK(with_sobol.shift_ab == with_draws.shift_ab);
}

TEST_CASE("composite_uncertainty with screening ranks the kept units, as build_composite does") {
  using planeval::composite_data;
  using planeval::composite_indicator;
  using planeval::composite_spec;
  // 4 units x 3 indicators; unit 1 has 1 of 3 values (share 1/3 < dat_thresh 0.5): screened out.
  // Kept rows 0, 2, 3; min-max over the kept units: a: 1, 3, 4 -> 0, 66.67, 100;
  // b: 2, 1, 3 -> 50, 0, 100; c: 5, 6, 9 -> 0, 25, 100. index = mean: 16.67, 30.56, 100.
  composite_spec spec;
  spec.nodes.push_back({"index", "", 1.0, planeval::aggregation::arithmetic, 1.0, 0.0});
  for (const char* id : {"a", "b", "c"}) {
    composite_indicator ind;
    ind.id = id;
    ind.parent = "index";
    spec.indicators.push_back(ind);
  }
  spec.screen = planeval::unit_screen::by_na;
  spec.dat_thresh = 0.5;
  const std::vector<double> values{1, 2, 5, NaN, 7, NaN, 3, 1, 6, 4, 3, 9};
  const composite_data data{values, 4, 3};
  const auto built = planeval::build_composite(data, spec);
  REQUIRE(built.unit_rows == std::vector<std::uint32_t>{0, 2, 3});
  planeval::uncertainty_options o;
  o.weight_noise = 0.25;
  o.replications = 8;
  const auto r = planeval::composite_uncertainty(data, spec, {}, o);
  REQUIRE(r.units == 3);
  for (std::size_t u = 0; u < 3; ++u) CHECK(r.nominal_score[u] == built.score(u, 0));
  CHECK(r.nominal_score[0] == doctest::Approx(50.0 / 3));
  CHECK(r.nominal_score[2] == doctest::Approx(100.0));
  // an alternative that keeps another set of units is refused
  composite_spec keep_all = spec;
  keep_all.dat_thresh = 0.2;
  CHECK_THROWS_WITH_AS(planeval::composite_uncertainty(data, spec, std::vector<composite_spec>{keep_all}, o),
                       "composite uncertainty: alternatives[0] keeps 4 units after screening, the base 3: every "
                       "variant must keep the same units",
                       planeval::error);
}
