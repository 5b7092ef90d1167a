// Tests of the composite analysis tools (planeval/composite/analysis.hpp): small cases worked out
// by hand in the comments, and COINr 1.1.14's outputs on its ASEM example (COINr commit b968203,
// tests/data/coinr/make_analysis.R; inputs tests/data/coinr/ASEM_iMeta.csv, ASEM_iData.csv and
// asem_raw/normalised/aggregated.csv, the data sets of build_example_coin()).

#include <planeval/composite/analysis.hpp>
#include <planeval/error.hpp>

#include <doctest/doctest.h>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <fstream>
#include <limits>
#include <map>
#include <sstream>
#include <string>
#include <vector>

using namespace planeval;

namespace {

constexpr double NaN = std::numeric_limits<double>::quiet_NaN();

bool close(double a, double b, double rel = 1e-12, double abs = 1e-14) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
  return std::abs(a - b) <= abs + rel * std::abs(b);
}

/// A CSV file as written by R's write.csv: quoted fields, "" inside quotes, empty = missing.
struct csv {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;

  explicit csv(const std::string& name) {
    std::ifstream f(std::string(PLANEVAL_SOURCE_DIR) + "/tests/data/coinr/" + name, std::ios::binary);
    REQUIRE_MESSAGE(f.good(), name);
    std::stringstream ss;
    ss << f.rdbuf();
    const std::string text = ss.str();
    std::vector<std::string> row;
    std::string field;
    bool quoted = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
      const char c = text[i];
      if (quoted) {
        if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
          field += '"';
          ++i;
        } else if (c == '"') {
          quoted = false;
        } else {
          field += c;
        }
      } else if (c == '"') {
        quoted = true;
      } else if (c == ',') {
        row.push_back(field);
        field.clear();
      } else if (c == '\n') {
        row.push_back(field);
        field.clear();
        if (header.empty()) header = row;
        else rows.push_back(row);
        row.clear();
      } else if (c != '\r') {
        field += c;
      }
    }
  }
  std::size_t col(const std::string& name) const {
    for (std::size_t j = 0; j < header.size(); ++j)
      if (header[j] == name) return j;
    FAIL("no column " << name);
    return 0;
  }
  std::vector<std::string> text(const std::string& name) const {
    std::vector<std::string> out;
    const std::size_t j = col(name);
    for (const auto& r : rows) out.push_back(r[j]);
    return out;
  }
  static double number(const std::string& s) { return s.empty() || s == "NA" ? NaN : std::stod(s); }
  std::vector<double> num(const std::string& name) const {
    std::vector<double> out;
    for (const auto& s : text(name)) out.push_back(number(s));
    return out;
  }
  /// Units x the named columns, row-major.
  std::vector<double> matrix(const std::vector<std::string>& names) const {
    std::vector<double> out(rows.size() * names.size());
    for (std::size_t j = 0; j < names.size(); ++j) {
      const std::size_t c = col(names[j]);
      for (std::size_t u = 0; u < rows.size(); ++u) out[u * names.size() + j] = number(rows[u][c]);
    }
    return out;
  }
};

/// ASEM's hierarchy from ASEM_iMeta.csv.
struct asem_meta {
  std::vector<std::string> indicators, nodes;
  std::map<std::string, std::string> parent;
  std::map<std::string, double> weight, direction;
  asem_meta() {
    const csv m("ASEM_iMeta.csv");
    const auto code = m.text("iCode"), type = m.text("Type"), par = m.text("Parent");
    const auto w = m.num("Weight"), dir = m.num("Direction");
    for (std::size_t r = 0; r < code.size(); ++r) {
      if (type[r] == "Indicator") indicators.push_back(code[r]);
      else if (type[r] == "Aggregate") nodes.push_back(code[r]);
      else continue;
      parent[code[r]] = par[r];
      weight[code[r]] = w[r];
      direction[code[r]] = dir[r];
    }
  }
  std::vector<std::string> children(const std::string& node) const {
    std::vector<std::string> out;
    for (const auto& c : indicators)
      if (parent.at(c) == node) out.push_back(c);
    for (const auto& c : nodes)
      if (parent.at(c) == node) out.push_back(c);
    return out;
  }
  std::size_t node_index(const std::string& id) const {
    for (std::size_t c = 0; c < nodes.size(); ++c)
      if (nodes[c] == id) return c;
    FAIL("no node " << id);
    return 0;
  }
  composite_tree tree() const {
    composite_tree t;
    for (const auto& c : nodes) {
      const auto& p = parent.at(c);
      t.node_parent.push_back(p.empty() ? -1 : static_cast<std::int32_t>(node_index(p)));
      t.node_weight.push_back(weight.at(c));
    }
    for (const auto& i : indicators) {
      t.indicator_parent.push_back(static_cast<std::uint32_t>(node_index(parent.at(i))));
      t.indicator_weight.push_back(weight.at(i));
    }
    return t;
  }
};

} // namespace

// --- effective weights --------------------------------------------------------------------------

TEST_CASE("effective_weights: hand-computed tree") {
  // root R; A (weight 1) and B (weight 3) under R; a1, a2 (weight 1 each) under A, b1 (weight 2) under B.
  // A = 1/4, B = 3/4; a1 = a2 = (1/2)(1/4) = 0.125; b1 = (2/2)(3/4) = 0.75.
  composite_tree t;
  t.node_parent = {-1, 0, 0};
  t.node_weight = {1, 1, 3};
  t.indicator_parent = {1, 1, 2};
  t.indicator_weight = {1, 1, 2};
  const auto w = effective_weights(t);
  CHECK(w.node == std::vector<double>{1.0, 0.25, 0.75});
  CHECK(w.indicator == std::vector<double>{0.125, 0.125, 0.75});
}

TEST_CASE("effective_weights: errors name the entry") {
  composite_tree t;
  t.node_parent = {-1, 5};
  t.node_weight = {1, 1};
  t.indicator_parent = {1};
  t.indicator_weight = {1};
  CHECK_THROWS_WITH_AS(effective_weights(t), doctest::Contains("node_parent[1]"), data_error);
  t.node_parent = {1, 0}; // a cycle, no root
  CHECK_THROWS_AS(effective_weights(t), data_error);
  t.node_parent = {-1, 2, 1}; // nodes 1 and 2 parents of each other
  t.node_weight = {1, 1, 1};
  CHECK_THROWS_WITH_AS(effective_weights(t), doctest::Contains("cycle"), data_error);
}

TEST_CASE("effective_weights: COINr's get_eff_weights on ASEM") {
  const asem_meta meta;
  const auto w = effective_weights(meta.tree());
  const csv ref("analysis_eff_weights.csv");
  const auto code = ref.text("iCode");
  const auto eff = ref.num("EffWeight");
  REQUIRE(code.size() == meta.indicators.size() + meta.nodes.size());
  std::size_t checked = 0;
  for (std::size_t r = 0; r < code.size(); ++r) {
    double mine = NaN;
    for (std::size_t j = 0; j < meta.indicators.size(); ++j)
      if (meta.indicators[j] == code[r]) mine = w.indicator[j];
    for (std::size_t c = 0; c < meta.nodes.size(); ++c)
      if (meta.nodes[c] == code[r]) mine = w.node[c];
    CHECK_MESSAGE(mine == eff[r], code[r]); // the same operations in the same order: equal to the bit
    ++checked;
  }
  CHECK(checked == 60);
  // e.g. Goods: 1/5 in ConEcFin, ConEcFin 1/5 in Conn, Conn 1/2 in Index: 0.02
  CHECK(close(eff[0], 0.02));
}

// --- Cronbach's alpha ---------------------------------------------------------------------------

TEST_CASE("cronbach_alpha: hand-computed, pairwise complete") {
  // x1 = (1,2,3), x2 = (2,4,6): var 1 and 4, cov 2; S = 1 + 4 + 2*2 = 9, trace 5,
  // s = (9 - 5)/(2*1) = 2, alpha = 2^2 * 2 / 9 = 8/9.
  const std::vector<double> a{1, 2, 2, 4, 3, 6};
  CHECK(close(cronbach_alpha({a, 3, 2}), 8.0 / 9.0));
  // x1 = (1,2,3,NaN), x2 = (2,4,6,8): var1 = 1 (3 values), var2 = 20/3 (4 values: mean 5, SS 20),
  // cov = 2 over the 3 common rows; S = 1 + 20/3 + 4 = 35/3, trace 23/3, s = 2, alpha = 8/(35/3) = 24/35.
  const std::vector<double> b{1, 2, 2, 4, 3, 6, NaN, 8};
  CHECK(close(cronbach_alpha({b, 4, 2}), 24.0 / 35.0));
  CHECK_THROWS_WITH_AS(cronbach_alpha({std::vector<double>{1, 2}, 2, 1}), doctest::Contains("at least 2 columns"),
                       data_error);
  CHECK_THROWS_AS(cronbach_alpha({std::vector<double>{1, 2, 3}, 2, 2}), data_error); // size
}

TEST_CASE("cronbach_alpha: COINr's get_cronbach on ASEM (children of every aggregate)") {
  const asem_meta meta;
  const csv raw("asem_raw.csv"), nrm("asem_normalised.csv"), agg("asem_aggregated.csv");
  const csv ref("analysis_cronbach.csv");
  const auto dset = ref.text("dset"), code = ref.text("iCode");
  const auto alpha = ref.num("alpha");
  REQUIRE(dset.size() == 19); // 8 pillars x (Raw, Normalised) + 2 sub-indices + the index
  for (std::size_t r = 0; r < dset.size(); ++r) {
    const csv& data = dset[r] == "Raw" ? raw : dset[r] == "Normalised" ? nrm : agg;
    const auto kids = meta.children(code[r]);
    const auto m = data.matrix(kids);
    const double a = cronbach_alpha({m, data.rows.size(), kids.size()});
    CHECK_MESSAGE(close(a, alpha[r], 1e-12), dset[r] << " " << code[r] << ": " << a << " vs " << alpha[r]);
  }
}

// --- statistics ---------------------------------------------------------------------------------

TEST_CASE("indicator_stats: hand-computed column") {
  // (1, 2, 2, 0, NaN): present 0, 1, 2, 2; mean 1.25, median 1.5; deviations -1.25, -0.25, 0.75,
  // 0.75, squares sum 2.75: sd = sqrt(2.75/3) = 0.9574271077563381 (population sqrt(2.75/4));
  // m3 = -1.125: G1 = sqrt(4)(-1.125)/2.75^1.5 * sqrt(12)/2 = -0.8545630383279712;
  // m4 = 3.078125: r = 4 m4/2.75^2 = 1.6280991735537190, G2 = (5(r - 3) + 6) 3/2 = -1.2892561983471085
  // (COINr's skew/kurt/get_stats print these). Non-zeros 3 (share 3/4), unique 3 (3/4), the most
  // frequent value (2) twice (1/2); availability 4/5 = 0.8 >= 0.65; non-zeros/units 3/5 >= 0.5;
  // unique/units 3/5 >= 0.5: no flag; outlier: |G1| < 2: no.
  const std::vector<double> x{1, 2, 2, 0, NaN};
  const auto s = indicator_stats({x, 5, 1}).at(0);
  CHECK(s.min == 0);
  CHECK(s.max == 2);
  CHECK(s.mean == 1.25);
  CHECK(s.median == 1.5);
  CHECK(close(s.sd, 0.9574271077563381));
  CHECK(close(s.skew, -0.8545630383279712));
  CHECK(close(s.kurtosis, -1.2892561983471085));
  CHECK(s.n_available == 4);
  CHECK(s.n_nonzero == 3);
  CHECK(s.n_unique == 3);
  CHECK(s.n_same == 2);
  CHECK(s.share_available == 0.8);
  CHECK(s.share_nonzero == 0.75);
  CHECK(s.share_unique == 0.75);
  CHECK(s.share_same == 0.5);
  CHECK(!s.low_available);
  CHECK(!s.low_nonzero);
  CHECK(!s.low_unique);
  REQUIRE(s.outlier.has_value());
  CHECK(!*s.outlier);
  stats_options pop;
  pop.sd = sd_kind::population;
  CHECK(close(indicator_stats({x, 5, 1}, pop).at(0).sd, std::sqrt(2.75 / 4)));
  // (0, 0, 0, 5, NaN, NaN): availability 4/6 = 0.667 ok; non-zeros 1/6 < 0.5 LOW; unique 2/6 < 0.5 LOW
  const std::vector<double> y{0, 0, 0, 5, NaN, NaN};
  const auto t = indicator_stats({y, 6, 1}).at(0);
  CHECK(!t.low_available);
  CHECK(t.low_nonzero);
  CHECK(t.low_unique);
  CHECK(t.n_same == 3);
  // all missing: no statistics, availability 0
  const auto e = indicator_stats({std::vector<double>{NaN, NaN}, 2, 1}).at(0);
  CHECK(std::isnan(e.mean));
  CHECK(e.n_available == 0);
  CHECK(e.low_available);
  CHECK(!e.outlier.has_value());
  CHECK_THROWS_WITH_AS(indicator_stats({std::vector<double>{1, INFINITY}, 2, 1}), doctest::Contains("[unit 1, column 0]"),
                       data_error);
}

namespace {
void check_stats(const std::string& data_file, const std::string& ref_file) {
  const asem_meta meta;
  const csv data(data_file), ref(ref_file);
  const auto codes = ref.text("iCode");
  const auto m = data.matrix(codes);
  const auto st = indicator_stats({m, data.rows.size(), codes.size()});
  const auto mn = ref.num("Min"), mx = ref.num("Max"), mean = ref.num("Mean"), med = ref.num("Median"),
             sd = ref.num("Std"), sk = ref.num("Skew"), ku = ref.num("Kurt"), na = ref.num("N.Avail"),
             nz = ref.num("N.NonZero"), nu = ref.num("N.Unique"), ns = ref.num("N.Same"), fa = ref.num("Frc.Avail"),
             fz = ref.num("Frc.NonZero"), fu = ref.num("Frc.Unique"), fs = ref.num("Frc.Same");
  const auto flag_a = ref.text("Flag.Avail"), flag_z = ref.text("Flag.NonZero"), flag_u = ref.text("Flag.Unique"),
             flag_o = ref.text("Flag.SkewKurt");
  std::size_t outliers = 0;
  for (std::size_t j = 0; j < codes.size(); ++j) {
    INFO(ref_file << " " << codes[j]);
    const auto& s = st[j];
    CHECK(s.min == mn[j]);
    CHECK(s.max == mx[j]);
    CHECK(close(s.mean, mean[j], 1e-14));
    CHECK(s.median == med[j]);
    CHECK(close(s.sd, sd[j], 1e-13));
    CHECK(close(s.skew, sk[j], 1e-11));
    CHECK(close(s.kurtosis, ku[j], 1e-11));
    CHECK(static_cast<double>(s.n_available) == na[j]);
    CHECK(static_cast<double>(s.n_nonzero) == nz[j]);
    CHECK(static_cast<double>(s.n_unique) == nu[j]);
    CHECK(static_cast<double>(s.n_same) == ns[j]);
    CHECK(s.share_available == fa[j]);
    CHECK(s.share_nonzero == fz[j]);
    CHECK(s.share_unique == fu[j]);
    CHECK(s.share_same == fs[j]);
    CHECK(s.low_available == (flag_a[j] == "LOW"));
    CHECK(s.low_nonzero == (flag_z[j] == "LOW"));
    CHECK(s.low_unique == (flag_u[j] == "LOW"));
    REQUIRE(s.outlier.has_value());
    CHECK(*s.outlier == (flag_o[j] == "OUT"));
    outliers += *s.outlier;
  }
  CHECK(codes.size() == 49);
  CHECK(outliers == (data_file == "asem_raw.csv" ? 18u : 0u)); // COINr flags 18 raw indicators, no normalised one
}
} // namespace

TEST_CASE("indicator_stats: COINr's get_stats on ASEM (Raw and Normalised)") {
  check_stats("asem_raw.csv", "analysis_stats_raw.csv");
  check_stats("asem_normalised.csv", "analysis_stats_normalised.csv");
}

// --- correlations and p-values ------------------------------------------------------------------

TEST_CASE("correlation: hand-computed pearson, spearman, kendall, pairwise complete") {
  // x = 1..5, y = (2,1,4,3,5), plus a row where x is missing (ignored): sxy = 8, sxx = syy = 10,
  // r = 0.8; the values are their ranks, so Spearman = 0.8; Kendall: 2 discordant pairs of 10,
  // tau = (8 - 2)/10 = 0.6.
  const std::vector<double> x{1, 2, 3, 4, 5, NaN}, y{2, 1, 4, 3, 5, 7};
  CHECK(close(correlation(x, y), 0.8));
  CHECK(close(correlation(x, y, correlation_method::spearman), 0.8));
  CHECK(close(correlation(x, y, correlation_method::kendall), 0.6));
  // ties: x = (1,2,2,3), y = 1..4: ranks of x (1, 2.5, 2.5, 4); centred -1.5, 0, 0, 1.5 against
  // -1.5, -0.5, 0.5, 1.5: 4.5/sqrt(4.5 * 5) = 0.9486832980505138; tau-b: 5 concordant pairs, one tie
  // in x: 5/sqrt(5 * 6) = 0.9128709291752769.
  const std::vector<double> a{1, 2, 2, 3}, b{1, 2, 3, 4};
  CHECK(close(correlation(a, b, correlation_method::spearman), 0.9486832980505138));
  CHECK(close(correlation(a, b, correlation_method::kendall), 0.9128709291752769));
  // a constant column or fewer than 2 common values: NaN
  CHECK(std::isnan(correlation(std::vector<double>{1, 1, 1}, std::vector<double>{1, 2, 3})));
  CHECK(std::isnan(correlation(std::vector<double>{1, NaN}, std::vector<double>{NaN, 2})));
  CHECK_THROWS_AS(correlation(std::vector<double>{1}, std::vector<double>{1, 2}), data_error);
}

TEST_CASE("incomplete_beta: known values") {
  // I_0.5(2, 3) = sum_{j=2}^{4} C(4,j)/16 = 11/16 (binomial identity)
  CHECK(close(incomplete_beta(0.5, 2, 3), 0.6875, 1e-15));
  // I_x(1/2, 1/2) = (2/pi) asin(sqrt(x)): x = 0.1 gives 0.20483276469913345
  CHECK(close(incomplete_beta(0.1, 0.5, 0.5), 2 / M_PI * std::asin(std::sqrt(0.1)), 1e-14));
  // I_x(1, 1) = x; I_x(1, 1/2) = 1 - sqrt(1 - x)
  CHECK(close(incomplete_beta(0.01, 1, 1), 0.01, 1e-14));
  CHECK(close(incomplete_beta(0.36, 1, 0.5), 0.2, 1e-14));
  // R 4.2's pbeta(x, a, b) (TOMS 708), printed with %.17g:
  CHECK(close(incomplete_beta(0.9, 10, 0.5), 0.15164090963470997, 1e-13));
  CHECK(close(incomplete_beta(0.3, 24.5, 0.5), 2.0795488269992367e-14, 1e-12));
  CHECK(close(incomplete_beta(0.999, 24.5, 0.5), 0.82564671866371486, 1e-13));
  CHECK(close(incomplete_beta(0.7, 100, 0.5), 3.2903699569020477e-17, 1e-12));
  CHECK(close(incomplete_beta(1e-5, 3, 0.5), 3.1250117188203268e-16, 1e-12));
  CHECK(close(incomplete_beta(0.2, 1000, 1000), 2.2479089280361154e-196, 1e-10, 0));
  // large a, b: the front factor's lgamma terms (about 5900) cancel, leaving about 1e-12 relative
  CHECK(close(incomplete_beta(0.5, 1000, 1000), 0.5, 1e-11));
  CHECK(incomplete_beta(0, 2, 3) == 0);
  CHECK(incomplete_beta(1, 2, 3) == 1);
  CHECK_THROWS_AS(incomplete_beta(1.5, 2, 3), error);
  CHECK_THROWS_AS(incomplete_beta(0.5, 0, 3), error);
}

TEST_CASE("pearson_pvalue: hand-computed") {
  // x = (1,2,3,4), y = (1,3,2,4): r = 0.8, df = 2, t^2 = 2 * 0.64/0.36 = 32/9,
  // p = I_{2/(2 + 32/9)}(1, 1/2) = I_0.36(1, 1/2) = 1 - sqrt(0.64) = 0.2 (R: cor.test 0.19999999999999979)
  CHECK(close(pearson_pvalue(0.8, 4), 0.2, 1e-13));
  // x = 1..5, y = (2,1,4,3,5): r = 0.8, df = 3: R's cor.test p-value 0.10408803866182798
  CHECK(close(pearson_pvalue(0.8, 5), 0.10408803866182798, 1e-13));
  CHECK(std::isnan(pearson_pvalue(0.8, 2)));
  CHECK(pearson_pvalue(1.0, 10) == 0.0);
}

TEST_CASE("kendall_pvalue: exact and normal approximation, hand-computed") {
  // x = 1..6, y = (2,1,4,3,6,5): 3 discordant pairs of 15, T = 12 concordant > 15/2:
  // p = 2 P(T >= 12) = 2 P(at most 3 inversions among 6! permutations) = 2 (1 + 5 + 14 + 29)/720
  // = 49/360 = 0.13611111111111111 (R's cor.test: 0.13611111111111107)
  const std::vector<double> x{1, 2, 3, 4, 5, 6}, y{2, 1, 4, 3, 6, 5};
  CHECK(close(kendall_pvalue(x, y), 49.0 / 360.0, 1e-14));
  CHECK(close(correlation_pvalue(x, y, correlation_method::kendall), 49.0 / 360.0, 1e-14));
  // perfect order, n = 4: T = 6 = all pairs: p = 2/4! = 1/12
  const std::vector<double> a{1, 2, 3, 4};
  CHECK(close(kendall_pvalue(a, a), 1.0 / 12.0, 1e-14));
  // a tie in x (2, 2): the normal approximation. S = 11 concordant - 3 discordant = 8 (one pair tied);
  // var S = (6*5*17 - 2*1*9)/18 = 27.333..., no ties in y: z = 8/sqrt(27.333) = 1.5301841113520118
  // (R's statistic), p = erfc(z/sqrt 2) = 0.12597116307723114 (R's cor.test)
  const std::vector<double> xt{1, 2, 2, 3, 4, 5};
  CHECK(close(kendall_pvalue(xt, y), std::erfc(8 / std::sqrt(492.0 / 18) / std::sqrt(2.0)), 1e-14));
  CHECK(close(kendall_pvalue(xt, y), 0.12597116307723114, 1e-13));
  CHECK(std::isnan(kendall_pvalue(std::vector<double>{1, 1, 1}, std::vector<double>{1, 2, 3})));
}

TEST_CASE("spearman_pvalue: exact up to 9 units, Edgeworth above, t with ties") {
  // x = 1..7, y = (2,1,4,3,6,5,7): S = 6 (three swaps of 1), rho = 1 - 36/336; exact: P(S <= 6) is
  // 31 of the 7! = 5040 permutations, p = 2 * 31/5040 = 0.0123015873015873 (R's cor.test)
  const std::vector<double> x{1, 2, 3, 4, 5, 6, 7}, y{2, 1, 4, 3, 6, 5, 7};
  CHECK(close(spearman_pvalue(x, y), 62.0 / 5040.0, 1e-14));
  // perfect order, n = 4: S = 0 is one permutation of 24: p = 2/24
  const std::vector<double> a{1, 2, 3, 4};
  CHECK(close(spearman_pvalue(a, a), 1.0 / 12.0, 1e-14));
  // n = 12, six swaps: S = 12; AS 89's Edgeworth series goes below 0 this far in the tail and is
  // clamped: R's cor.test gives 0
  const std::vector<double> x12{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, y12{2, 1, 4, 3, 6, 5, 8, 7, 10, 9, 12, 11};
  CHECK(spearman_pvalue(x12, y12) == 0.0);
  // a tie: the t approximation, as pearson_pvalue on rho
  const std::vector<double> xt{1, 2, 2, 4, 5, 6, 7};
  CHECK(spearman_pvalue(xt, y) == pearson_pvalue(correlation(xt, y, correlation_method::spearman), 7));
}

namespace {
void check_matrix_csv(const std::vector<double>& mine, const std::vector<std::string>& codes, const std::string& file,
                      double rel, double abs = 1e-15) {
  const csv ref(file);
  REQUIRE(ref.rows.size() == codes.size());
  const std::size_t k = codes.size();
  std::size_t compared = 0;
  for (std::size_t a = 0; a < k; ++a) {
    REQUIRE(ref.rows[a][0] == codes[a]);
    for (std::size_t b = 0; b < k; ++b) {
      const double want = csv::number(ref.rows[a][b + 1]);
      if (!close(mine[a * k + b], want, rel, abs))
        FAIL_CHECK(file << " " << codes[a] << " x " << codes[b] << ": " << mine[a * k + b] << " vs " << want);
      ++compared;
    }
  }
  CHECK(compared == k * k);
}
} // namespace

TEST_CASE("correlation_matrix and correlation_pvalues: R's cor and COINr's get_pvals on the raw ASEM data") {
  const asem_meta meta;
  const csv raw("asem_raw.csv");
  const auto& codes = meta.indicators;
  const auto m = raw.matrix(codes);
  const composite_data d{m, raw.rows.size(), codes.size()};
  check_matrix_csv(correlation_matrix(d), codes, "analysis_corr_pearson.csv", 1e-12);
  check_matrix_csv(correlation_matrix(d, correlation_method::spearman), codes, "analysis_corr_spearman.csv", 1e-12);
  check_matrix_csv(correlation_matrix(d, correlation_method::kendall), codes, "analysis_corr_kendall.csv", 1e-12);
  check_matrix_csv(correlation_pvalues(d), codes, "analysis_pvals_pearson.csv", 1e-9);
  // get_pvals(method = "kendall"): exact below 50 common units without ties, else the normal approximation
  // (R's exact p-value is 1 - P(T <= q - 1) where q is in the upper tail: its cancellation leaves
  // errors up to about 1e-14 absolute, which planeval's direct tail sum does not have)
  check_matrix_csv(correlation_pvalues(d, correlation_method::kendall), codes, "analysis_pvals_kendall.csv", 1e-9,
                   2e-14);
  // get_pvals(method = "spearman"): AS 89 without ties, the t approximation with ties
  check_matrix_csv(correlation_pvalues(d, correlation_method::spearman), codes, "analysis_pvals_spearman.csv", 1e-9);
}

TEST_CASE("correlation: COINr's get_corr of indicators with their parent and with the index") {
  const asem_meta meta;
  const csv agg("asem_aggregated.csv");
  for (const char* file : {"analysis_corr_parent.csv", "analysis_corr_index.csv"}) {
    const csv ref(file);
    const auto v1 = ref.text("Var1"), v2 = ref.text("Var2");
    const auto r = ref.num("Correlation");
    REQUIRE(v1.size() == 49);
    for (std::size_t i = 0; i < v1.size(); ++i) {
      CHECK(correlation(agg.num(v1[i]), agg.num(v2[i])) == doctest::Approx(r[i]).epsilon(1e-12));
      if (std::string(file) == "analysis_corr_parent.csv") CHECK(meta.parent.at(v2[i]) == v1[i]);
    }
  }
}

// --- outranking and Copeland --------------------------------------------------------------------

TEST_CASE("outranking_matrix and copeland_scores: hand-computed, COINr's missing-value rule") {
  // weights (1, 3) -> (0.25, 0.75); u0 = (1, 5), u1 = (2, 5), u2 = (0, NaN).
  // M01: u0 < u1 in column 0, equal in column 1: 0.75/2 = 0.375; M10 = 0.625.
  // M02: u0 > u2 in column 0 (0.25), column 1 missing: 0.25; M20 = 1 - 0.25 = 0.75 (COINr).
  // M12: 0.25 likewise; M21 = 0.75. Copeland: u0 -1 -1 = -2; u1 +1 -1 = 0; u2 +1 +1 = 2.
  const std::vector<double> x{1, 5, 2, 5, 0, NaN};
  const std::vector<double> w{1, 3};
  const auto m = outranking_matrix({x, 3, 2}, w);
  CHECK(m.matrix == std::vector<double>{0, 0.375, 0.25, 0.625, 0, 0.25, 0.75, 0.75, 0});
  CHECK(m.n_dominant == 0);
  CHECK(copeland_scores(m) == std::vector<double>{-2, 0, 2});
  // a tie at 1/2 scores 0: u0 = (1, 2), u1 = (2, 1), equal weights
  const std::vector<double> tie{1, 2, 2, 1};
  CHECK(copeland_scores(composite_data{tie, 2, 2}) == std::vector<double>{0, 0});
  // dominance: (3, 3) beats (1, 1) in every column: M01 = 1, one dominant pair of 1
  const auto d = outranking_matrix({std::vector<double>{3, 3, 1, 1}, 2, 2});
  CHECK(d.n_dominant == 1);
  CHECK(d.frac_dominant == 1.0);
  CHECK_THROWS_WITH_AS(outranking_matrix({x, 3, 2}, std::vector<double>{1, -1}), doctest::Contains("weights[1]"),
                       data_error);
  CHECK_THROWS_AS(outranking_matrix({x, 3, 2}, std::vector<double>{1}), data_error);
  CHECK_THROWS_AS(outranking_matrix({x, 3, 2}, std::vector<double>{0, 0}), data_error);
}

TEST_CASE("outranking_matrix and copeland_scores: COINr's outrankMatrix and a_copeland on ASEM") {
  const asem_meta meta;
  { // the normalised indicators with the iMeta weights
    const csv nrm("asem_normalised.csv");
    const auto m = nrm.matrix(meta.indicators);
    std::vector<double> w;
    for (const auto& i : meta.indicators) w.push_back(meta.weight.at(i));
    const auto o = outranking_matrix({m, nrm.rows.size(), meta.indicators.size()}, w);
    check_matrix_csv(o.matrix, nrm.text("uCode"), "analysis_outrank_normalised.csv", 1e-15);
    const csv ref("analysis_copeland_normalised.csv");
    CHECK(copeland_scores(o) == ref.num("copeland"));
    CHECK(o.n_dominant == 0); // analysis_dominance.csv
  }
  { // a_copeland's example: ASEM_iData[12:16] (LPI, Flights, Ship, Bord, Elec; Ship has missing values)
    const csv idata("ASEM_iData.csv");
    const std::vector<std::string> cols{"LPI", "Flights", "Ship", "Bord", "Elec"};
    const auto m = idata.matrix(cols);
    const auto o = outranking_matrix({m, idata.rows.size(), cols.size()}, std::vector<double>(5, 1.0));
    check_matrix_csv(o.matrix, idata.text("uCode"), "analysis_outrank_idata12_16.csv", 1e-15);
    const csv ref("analysis_copeland_idata12_16.csv");
    CHECK(copeland_scores(o) == ref.num("copeland"));
    CHECK(o.n_dominant == 323);                       // analysis_dominance.csv
    CHECK(o.frac_dominant == 0.25333333333333335);    // 323 / (51 * 50 / 2)
  }
}

// --- strengths and weaknesses -------------------------------------------------------------------

TEST_CASE("strengths_weaknesses: hand-computed ranks, directions, groups, min_discard") {
  // u0 (10, 1, 5), u1 (20, 2, 5), u2 (30, 3, 1), u3 (NaN, 4, 2).
  // unit 1: column 0 rank 2 (worst 3), column 1 rank 3 (worst 4), column 2 rank 1 (tied with u0):
  // sorted col2 (1), col0 (2), col1 (3).
  const std::vector<double> x{10, 1, 5, 20, 2, 5, 30, 3, 1, NaN, 4, 2};
  const composite_data d{x, 4, 3};
  str_weak_options o;
  o.top = 1;
  o.bottom = 1;
  auto r = strengths_weaknesses(d, 1, o);
  REQUIRE(r.strengths.size() == 1);
  CHECK(r.strengths[0].indicator == 2);
  CHECK(r.strengths[0].rank == 1);
  CHECK(r.weaknesses[0].indicator == 1);
  CHECK(r.weaknesses[0].rank == 3);
  // directions (1, -1, 1): column 1 becomes (-1, -2, -3, -4), unit 1 rank 2; col0 and col1 tie at
  // rank 2, kept in column order: strengths col2, col0; the weakest col1.
  const std::vector<double> dirs{1, -1, 1};
  o.directions = dirs;
  o.top = 2;
  r = strengths_weaknesses(d, 1, o);
  REQUIRE(r.strengths.size() == 2);
  CHECK(r.strengths[0].indicator == 2);
  CHECK(r.strengths[1].indicator == 0);
  CHECK(r.weaknesses[0].indicator == 1);
  CHECK(r.weaknesses[0].rank == 2);
  o.directions = {};
  // unit 0: column 0 rank 3 = worst, column 1 rank 4 = worst: both dropped (min_discard); only col2 left
  r = strengths_weaknesses(d, 0, o);
  REQUIRE(r.strengths.size() == 1);
  CHECK(r.strengths[0].indicator == 2);
  CHECK(r.weaknesses[0].indicator == 2);
  o.min_discard = false;
  r = strengths_weaknesses(d, 0, o);
  CHECK(r.strengths.size() == 2);
  CHECK(r.weaknesses.back().indicator == 1); // rank 4
  // groups (0, 0, 1, 1): unit 1 ranks 1 in every column within its group: order col0, col1, col2
  o.min_discard = true;
  o.top = 1;
  const std::vector<std::uint32_t> g{0, 0, 1, 1};
  o.groups = g;
  r = strengths_weaknesses(d, 1, o);
  CHECK(r.strengths[0].indicator == 0);
  CHECK(r.weaknesses[0].indicator == 2);
  CHECK_THROWS_WITH_AS(strengths_weaknesses(d, 4, o), doctest::Contains("unit"), data_error);
  const std::vector<double> bad{1, 2, 1};
  o.directions = bad;
  CHECK_THROWS_WITH_AS(strengths_weaknesses(d, 1, o), doctest::Contains("directions[1]"), data_error);
}

TEST_CASE("strengths_weaknesses: COINr's get_str_weak on ASEM, every unit, Raw and Normalised") {
  const csv ref("analysis_str_weak.csv");
  const auto dset = ref.text("dset"), unit = ref.text("uCode"), type = ref.text("type"), code = ref.text("iCode");
  const auto rank = ref.num("Rank");
  // COINr keeps tied ranks in the order of coin$Meta$Ind (by level, then parent code), not of
  // ASEM_iMeta.csv: the columns are passed in that order (analysis_meta_ind.csv)
  const csv order("analysis_meta_ind.csv");
  const auto codes = order.text("iCode");
  const auto dirs = order.num("Direction");
  REQUIRE(codes.size() == 49);
  std::size_t compared = 0;
  for (const std::string which : {"Raw", "Normalised"}) {
    const csv data(which == "Raw" ? "asem_raw.csv" : "asem_normalised.csv");
    const auto units = data.text("uCode");
    const auto m = data.matrix(codes);
    str_weak_options o;
    if (which == "Raw") o.directions = dirs; // COINr adjusts by direction for its Raw data set
    for (std::size_t u = 0; u < units.size(); ++u) {
      const auto r = strengths_weaknesses({m, units.size(), codes.size()}, u, o);
      std::vector<std::string> want_s, want_w, got_s, got_w;
      std::vector<double> rank_s, rank_w, got_rs, got_rw;
      for (std::size_t i = 0; i < dset.size(); ++i) {
        if (dset[i] != which || unit[i] != units[u]) continue;
        (type[i] == "Strengths" ? want_s : want_w).push_back(code[i]);
        (type[i] == "Strengths" ? rank_s : rank_w).push_back(rank[i]);
      }
      for (const auto& e : r.strengths) {
        got_s.push_back(codes[e.indicator]);
        got_rs.push_back(e.rank);
      }
      for (const auto& e : r.weaknesses) {
        got_w.push_back(codes[e.indicator]);
        got_rw.push_back(e.rank);
      }
      INFO(which << " " << units[u]);
      CHECK(got_s == want_s);
      CHECK(got_w == want_w);
      CHECK(got_rs == rank_s);
      CHECK(got_rw == rank_w);
      ++compared;
    }
  }
  CHECK(compared == 102);
}
