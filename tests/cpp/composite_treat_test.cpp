// Tests of the composite's steps before normalisation (planeval/composite.hpp): treat, impute,
// screen, denominate and their order (composite_spec::steps). Values are worked out by hand in
// the comments or are COINr 1.1.14's (commit b968203), written by tests/data/coinr/make_treat.R.

#include "coinr_csv.hpp"

#include <planeval/composite.hpp>
#include <planeval/error.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

using namespace planeval;
using namespace coinr_test;

namespace {

/// One indicator "v" under a root "index", steps `steps`, nothing configured.
composite_spec one_indicator(std::vector<composite_step> steps) {
  composite_spec s;
  s.nodes = {composite_node{"index", ""}};
  composite_indicator v;
  v.id = "v";
  v.parent = "index";
  s.indicators = {v};
  s.steps = std::move(steps);
  s.normalise = normalisation::none;
  return s;
}

std::vector<double> run(const std::vector<double>& x, const composite_spec& s, composite_record& rec) {
  return normalised_matrix(composite_data{x, x.size() / s.indicators.size(), s.indicators.size()}, s, &rec);
}

bool same(double a, double b, double rel = 1e-12) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
  return std::abs(a - b) <= rel * std::abs(b) + 1e-14;
}

} // namespace

// --- treat ------------------------------------------------------------------------------------

TEST_CASE("treat: COINr's Treat on vectors (treat_vectors.csv, treat_details.csv of make_treat.R)") {
  const table vec("treat_vectors.csv"), dets("treat_details.csv");
  const std::map<std::string, treat_transform> transform{{"log_CT", treat_transform::log_CT},
                                                         {"log_CT_neg", treat_transform::log_CT},
                                                         {"log_CT_plus", treat_transform::log_CT_plus},
                                                         {"log_CT_plus_neg", treat_transform::log_CT_plus},
                                                         {"log_CT_orig", treat_transform::log_CT_orig},
                                                         {"boxcox", treat_transform::boxcox}};
  REQUIRE(dets.rows.size() == 9);
  for (std::size_t c = 0; c < dets.rows.size(); ++c) {
    const std::string name = dets.text(c, "case");
    CAPTURE(name);
    composite_spec s = one_indicator({composite_step::treat});
    s.outliers = outlier_treatment::coinr;
    if (transform.count(name)) {
      s.winmax = 1; // COINr: global_specs = list(f1_para = list(winmax = 1), f2 = ...)
      s.transform = transform.at(name);
      s.boxcox_lambda = 0.5;
    }
    std::vector<double> x, want;
    std::vector<std::string> marks;
    for (std::size_t r = 0; r < vec.rows.size(); ++r)
      if (vec.text(r, "case") == name) {
        x.push_back(vec.num(r, "x"));
        want.push_back(vec.num(r, "treated"));
        marks.push_back(vec.text(r, "point"));
      }
    composite_record rec;
    const auto got = run(x, s, rec);
    for (std::size_t i = 0; i < x.size(); ++i)
      CHECK_MESSAGE(same(got[i], want[i]), i << ": " << got[i] << " vs " << want[i]);
    const outlier_record& o = rec.outliers.at(0);
    CHECK(o.passed == (dets.text(c, "pass0") == "TRUE"));
    CHECK(same(o.skew, dets.num(c, "skew0"), 1e-12));
    CHECK(same(o.kurtosis, dets.num(c, "kurt0"), 1e-12));
    CHECK(o.nwin == static_cast<std::uint32_t>(dets.num(c, "nwin")));
    CHECK(o.passed_winsorised == (dets.text(c, "pass1") == "TRUE"));
    CHECK(same(o.skew_winsorised, dets.num(c, "skew1"), 1e-12));
    CHECK(same(o.kurtosis_winsorised, dets.num(c, "kurt1"), 1e-12));
    const bool fallback = !dets.text(c, "pass2").empty();
    CHECK(o.log_transformed == fallback);
    if (fallback) {
      CHECK(o.transform == transform.at(name));
      CHECK(same(o.skew_after, dets.num(c, "skew2"), 1e-12));
      CHECK(same(o.kurtosis_after, dets.num(c, "kurt2"), 1e-12));
    } else {
      CHECK(o.transform == treat_transform::none);
      CHECK(same(o.skew_after, dets.num(c, "skew1"), 1e-12));
    }
    // COINr's Treated_Points: "winhi" / "winlo" (and "winhi+log_CT" when the transform replaced them)
    for (std::size_t i = 0; i < x.size(); ++i) {
      const auto it =
          std::find_if(o.points.begin(), o.points.end(), [&](const winsorised_point& p) { return p.unit == i; });
      const bool marked = marks[i].rfind("win", 0) == 0;
      CHECK_MESSAGE(marked == (it != o.points.end()), i);
      if (marked && it != o.points.end()) {
        CHECK(marks[i].substr(0, 5) == (it->high ? "winhi" : "winlo"));
        CHECK(it->before == x[i]);
      }
    }
  }
}

TEST_CASE("treat: ties at the extreme are replaced together and counted (COINr's which(x == max(x)))") {
  // x = 1..20, 100, 100: G1 = 2.817 >= 2 and G2 = 7.134 >= 3.5 (treat_details.csv, case ties):
  // one step replaces BOTH 100s by 20 (the largest value below them), nwin = 2, and it passes.
  std::vector<double> x;
  for (int i = 1; i <= 20; ++i) x.push_back(i);
  x.push_back(100);
  x.push_back(100);
  composite_spec s = one_indicator({composite_step::treat});
  s.outliers = outlier_treatment::coinr;
  composite_record rec;
  auto y = run(x, s, rec);
  CHECK(y[20] == 20);
  CHECK(y[21] == 20);
  CHECK(rec.outliers[0].nwin == 2);
  REQUIRE(rec.outliers[0].points.size() == 2);
  CHECK(rec.outliers[0].points[0].unit == 20);
  CHECK(rec.outliers[0].points[0].before == 100);
  CHECK(rec.outliers[0].points[0].after == 20);
  CHECK(rec.outliers[0].points[0].high);
  CHECK(rec.outliers[0].winsorised == std::vector<std::uint32_t>{20, 21});
  // force_win goes on to winmax = 5 though it passes, each step on the side of the current skew
  // (COINr 1.1.14: winsorise(c(1:20, 100, 100), force_win = TRUE) gives 3 3 3 4 ... 18 19 19 19 19,
  // nwin 5, winlo at units 0, 1 and winhi at 19, 20, 21):
  // step 1 (G1 > 0): 100, 100 -> 20, nwin 2; step 2 (G1 = -0.09 < 0): 1 -> 2, nwin 2 + 1;
  // step 3 (G1 < 0): the two 2s -> 3, nwin 2 + 2; step 4 (G1 > 0): the three 20s -> 19, nwin 3 + 2
  // (nwin counts the points at the last high cap plus those at the last low cap).
  s.force_win = true;
  y = run(x, s, rec);
  std::vector<double> want{3, 3, 3};
  for (int i = 4; i <= 18; ++i) want.push_back(i);
  for (int i = 0; i < 4; ++i) want.push_back(19);
  CHECK(y == want);
  const outlier_record& o = rec.outliers[0];
  CHECK(o.nwin == 5);
  CHECK(o.winsorised == std::vector<std::uint32_t>{20, 21, 0, 1, 19});
  REQUIRE(o.points.size() == 5);
  CHECK(o.points[0].high);
  CHECK(o.points[0].after == 19);
  CHECK_FALSE(o.points[2].high);
  CHECK(o.points[2].before == 1);
  CHECK(o.points[2].after == 3);
  CHECK(o.points[3].before == 2);
  CHECK(o.points[3].after == 3);
  CHECK(o.points[4].before == 20);
  CHECK(o.points[4].after == 19);
  CHECK(o.points[4].high);
}

TEST_CASE("treat: the check fails when |skew| >= skew_thresh AND kurtosis >= kurt_thresh (COINr's check_SkewKurt)") {
  std::vector<double> x;
  for (int i = 1; i <= 20; ++i) x.push_back(i);
  x.push_back(100);
  x.push_back(100);
  const skew_kurtosis sk = sample_skew_kurtosis(x);
  composite_spec s = one_indicator({composite_step::treat});
  s.outliers = outlier_treatment::coinr;
  composite_record rec;
  // thresholds exactly at the statistics: |skew| < thresh is false and kurt < thresh is false: fails
  s.skew_thresh = sk.skew;
  s.kurt_thresh = sk.kurtosis;
  run(x, s, rec);
  CHECK_FALSE(rec.outliers[0].passed);
  CHECK(rec.outliers[0].nwin == 2);
  // one ulp above either threshold: passes, untouched
  s.skew_thresh = std::nextafter(sk.skew, 10.0);
  auto y = run(x, s, rec);
  CHECK(rec.outliers[0].passed);
  CHECK(rec.outliers[0].nwin == 0);
  CHECK(y[21] == 100);
  s.skew_thresh = sk.skew;
  s.kurt_thresh = std::nextafter(sk.kurtosis, 10.0);
  run(x, s, rec);
  CHECK(rec.outliers[0].passed);
  // winmax = 0: no winsorisation at all, straight to the transform: log_CT of the original values,
  // ln(x - 1 + 0.99) (min 1, max 100, a = 0.01 * 99)
  s.kurt_thresh = 3.5;
  s.skew_thresh = 2;
  s.winmax = 0;
  y = run(x, s, rec);
  CHECK(rec.outliers[0].log_transformed);
  CHECK(y[0] == doctest::Approx(std::log(0.99)).epsilon(1e-15));
  CHECK(y[21] == doctest::Approx(std::log(99.99)).epsilon(1e-15));
  // transform none: the winsorised values stay even though they fail
  s.transform = treat_transform::none;
  y = run(x, s, rec);
  CHECK_FALSE(rec.outliers[0].log_transformed);
  CHECK(y[21] == 100); // winmax 0: nothing winsorised
}

TEST_CASE("treat: per-indicator overrides, and undefined statistics leave the indicator alone") {
  composite_spec s = one_indicator({composite_step::treat});
  s.indicators.push_back(s.indicators[0]);
  s.indicators[1].id = "w";
  s.outliers = outlier_treatment::coinr;
  s.indicators[1].outliers = outlier_treatment::none; // COINr's indiv_specs = list(w = "none")
  std::vector<double> x;
  for (int i = 1; i <= 20; ++i) {
    x.push_back(i);
    x.push_back(i);
  }
  for (double v : {100.0, 100.0}) {
    x.push_back(v);
    x.push_back(v);
  }
  composite_record rec;
  auto y = run(x, s, rec);
  CHECK(y[21 * 2] == 20);     // v treated
  CHECK(y[21 * 2 + 1] == 100); // w not
  CHECK(rec.outliers[0].treated);
  CHECK_FALSE(rec.outliers[1].treated);
  // per-indicator winmax 0 and transform log_CT_orig: ln(x - min + 1)
  s.indicators[1].outliers = std::nullopt;
  s.indicators[1].winmax = 0;
  s.indicators[1].transform = treat_transform::log_CT_orig;
  y = run(x, s, rec);
  CHECK(y[21 * 2] == 20);
  CHECK(y[21 * 2 + 1] == doctest::Approx(std::log(100.0)).epsilon(1e-15));
  CHECK(y[1] == 0.0); // ln(1 - 1 + 1)
  // three values: no kurtosis (COINr: NA): untouched, passed
  composite_spec t = one_indicator({composite_step::treat});
  t.outliers = outlier_treatment::coinr;
  y = run({1, 2, 1000}, t, rec);
  CHECK(y == std::vector<double>{1, 2, 1000});
  CHECK(std::isnan(rec.outliers[0].skew));
  CHECK(rec.outliers[0].passed);
}

// --- impute -----------------------------------------------------------------------------------

TEST_CASE("impute: COINr's Impute on ASEM's Denominated data (make_treat.R)") {
  const asem& a = example();
  composite_spec s = a.prefix(2);
  const auto check = [&](imputation m, std::uint32_t level, const char* file) {
    CAPTURE(file);
    s.impute = m;
    s.impute_level = level;
    composite_record rec;
    const auto got = normalised_matrix(a.data(), s, &rec);
    compare(got, rec.unit_rows, a.indicators, file);
  };
  check(imputation::mean, 0, "treat_impute_mean.csv");
  check(imputation::median, 0, "treat_impute_median.csv");
  check(imputation::group_median, 0, "treat_impute_median_grp.csv");
  check(imputation::row_mean, 0, "treat_impute_row_mean.csv");            // impute_by = "row"
  check(imputation::row_median, 2, "treat_impute_row_median_pillar.csv"); // group_level = 2 (the pillar)
}

TEST_CASE("impute: groups without data, units without a group, row imputation by hand") {
  // column (NaN, NaN, 1, 2, NaN, 7), groups (0, 0, 1, 1, no_group, 1): group 0 has no value, so its
  // units stay missing (COINr: mean of nothing is NaN); the unit without a group stays missing;
  // group 1's mean (1 + 2 + 7) / 3 = 10/3, its median 2. COINr 1.1.14 agrees:
  // i_mean_grp(c(NA, NA, 1, 2, NA, 7), f = c("a", "a", "b", "b", NA, "b")) is NaN NaN 1 2 NA 7 and
  // i_median_grp(c(NA, NA, 1, 2, NA, 7), f = c("a", "b", "b", "b", NA, "b")) is NA 2 1 2 NA 7.
  composite_spec s = one_indicator({composite_step::impute});
  s.impute = imputation::group_mean;
  s.groups = {0, 0, 1, 1, no_group, 1};
  composite_record rec;
  auto y = run({NaN, NaN, 1, 2, NaN, 7}, s, rec);
  CHECK(std::isnan(y[0]));
  CHECK(std::isnan(y[1]));
  CHECK(std::isnan(y[4]));
  CHECK(rec.imputed[0] == 0);
  s.groups = {0, 1, 1, 1, no_group, 1};
  y = run({NaN, NaN, 1, 2, NaN, 7}, s, rec);
  CHECK(y[1] == doctest::Approx(10.0 / 3).epsilon(1e-15));
  s.impute = imputation::group_median;
  y = run({NaN, NaN, 1, 2, NaN, 7}, s, rec);
  CHECK(y[1] == 2);
  CHECK(rec.imputed[0] == 1);
  // row mean: indicators a (higher), b (lower), c (higher); units
  //   u0: a 0, b 10, c 5    u1: a 10, b 0, c NaN    u2: a 5, b 5, c 15
  // [0, 1] per column (b negated first: -b in [-10, 0]): u1 has a 1, b 1 -> mean 1;
  // c's range [5, 15] -> 1 * 10 + 5 = 15
  composite_spec r = one_indicator({composite_step::impute});
  r.indicators.push_back(r.indicators[0]);
  r.indicators.push_back(r.indicators[0]);
  r.indicators[1].id = "b";
  r.indicators[1].direction = polarity::lower;
  r.indicators[2].id = "c";
  r.impute = imputation::row_mean;
  y = run({0, 10, 5, 10, 0, NaN, 5, 5, 15}, r, rec);
  CHECK(y[5] == 15);
  // u0 missing b instead (u1: a 10, b 0, c 10): a 0 -> 0, c 5 -> 0: mean 0; b's present values
  // 0 (u1), 5 (u2), so -b in [-5, 0]: -b = 0 * 5 + (-5) -> b = 5 (the worst b, as u0 is the
  // worst unit elsewhere)
  y = run({0, NaN, 5, 10, 0, 10, 5, 5, 15}, r, rec);
  CHECK(y[1] == 5);
}

// --- screen -----------------------------------------------------------------------------------

TEST_CASE("screen: COINr's Screen on ASEM's Denominated data (treat_screen.csv of make_treat.R)") {
  const asem& a = example();
  const table ref("treat_screen.csv");
  std::map<std::string, std::size_t> ref_row;
  for (std::size_t r = 0; r < ref.rows.size(); ++r) ref_row[ref.text(r, "uCode")] = r;
  const auto unit = [&](const char* code) {
    return static_cast<std::uint32_t>(std::find(a.units.begin(), a.units.end(), code) - a.units.begin());
  };
  composite_spec s = a.prefix(1);
  s.steps.push_back(composite_step::screen);
  struct setting {
    unit_screen rule;
    const char* column;
    bool force;
  };
  for (const setting& st : {setting{unit_screen::by_na, "byNA", false},
                            setting{unit_screen::by_zeros, "byzeros", false},
                            setting{unit_screen::by_na_and_zeros, "byNAandzeros_forced", true}}) {
    CAPTURE(st.column);
    s.screen = st.rule;
    s.dat_thresh = 0.9;
    s.nonzero_thresh = 0.9;
    s.force_include.clear();
    s.force_exclude.clear();
    if (st.force) {
      s.force_include = {unit("BRN")};
      s.force_exclude = {unit("CHE")};
    }
    composite_record rec;
    const auto got = normalised_matrix(a.data(), s, &rec);
    REQUIRE(rec.screen.size() == 51);
    std::vector<std::uint32_t> kept;
    for (std::size_t u = 0; u < 51; ++u) {
      const std::size_t r = ref_row.at(a.units[u]);
      const unit_availability& av = rec.screen[u];
      CAPTURE(a.units[u]);
      CHECK(av.missing == static_cast<std::uint32_t>(ref.num(r, "N_missing")));
      CHECK(av.zeros == static_cast<std::uint32_t>(ref.num(r, "N_zero")));
      CHECK(same(av.data_share, ref.num(r, "Dat_Avail"), 1e-15));
      CHECK(same(av.nonzero_share, ref.num(r, "Non_Zero"), 1e-15));
      CHECK(av.included == (ref.text(r, st.column) == "TRUE"));
      if (av.included) kept.push_back(static_cast<std::uint32_t>(u));
    }
    CHECK(rec.unit_rows == kept);
    CHECK(got.size() == kept.size() * a.indicators.size());
    if (st.rule == unit_screen::by_na) CHECK(kept.size() < 51); // some units have < 90% of the data
  }
}

TEST_CASE("screen: dropped units leave the result; unit_rows maps result rows to input rows") {
  // 3 units x 2 indicators; unit 1 has no data: byNA with dat_thresh 0.5 drops it. min_max over the
  // kept units: a (0, 10) -> (0, 100), b (4, 2) -> (100, 0); index = mean: 50, 50
  composite_spec s;
  s.nodes = {composite_node{"index", ""}};
  composite_indicator a, b;
  a.id = "a";
  a.parent = b.parent = "index";
  b.id = "b";
  s.indicators = {a, b};
  s.screen = unit_screen::by_na;
  s.dat_thresh = 0.5;
  const std::vector<double> x{0, 4, NaN, NaN, 10, 2};
  const composite_result r = build_composite(composite_data{x, 3, 2}, s);
  CHECK(r.units == 2);
  CHECK(r.unit_rows == std::vector<std::uint32_t>{0, 2});
  CHECK(r.normalised == std::vector<double>{0, 100, 100, 0});
  CHECK(r.treated == std::vector<double>{0, 4, 10, 2});
  REQUIRE(r.record.screen.size() == 3);
  CHECK_FALSE(r.record.screen[1].included);
  CHECK(r.record.screen[1].data_share == 0.0);
  CHECK(std::isnan(r.record.screen[1].nonzero_share));
  CHECK(r.score(0, 0) == 50);
  CHECK(r.rank(0, 0) == 1);
  CHECK(r.rank(1, 0) == 1);
}

// --- denominate -------------------------------------------------------------------------------

TEST_CASE("denominate: COINr's ScaleFactor (treat_denominate_scale.csv of make_treat.R)") {
  // COINr: x / (d / ScaleFactor); Flights by Population with 1000, Goods by GDP with 0.001
  const asem& a = example();
  composite_spec s = a.prefix(1);
  for (auto& ind : s.indicators) ind.denominator = -1;
  const auto j_flights = static_cast<std::size_t>(std::find(a.indicators.begin(), a.indicators.end(), "Flights") -
                                                  a.indicators.begin());
  const auto j_goods =
      static_cast<std::size_t>(std::find(a.indicators.begin(), a.indicators.end(), "Goods") - a.indicators.begin());
  s.indicators[j_flights].denominator = 3; // Population
  s.indicators[j_flights].denominator_scale = 1000;
  s.indicators[j_goods].denominator = 2; // GDP
  s.indicators[j_goods].denominator_scale = 0.001;
  composite_record rec;
  const auto got = normalised_matrix(a.data(), s, &rec);
  std::vector<double> two(51 * 2);
  for (std::size_t u = 0; u < 51; ++u) {
    two[u * 2] = got[u * a.indicators.size() + j_flights];
    two[u * 2 + 1] = got[u * a.indicators.size() + j_goods];
  }
  compare(two, rec.unit_rows, {"Flights", "Goods"}, "treat_denominate_scale.csv");
}

TEST_CASE("denominate: a zero or missing denominator gives a missing value, never inf") {
  // x (10, 20, 30, NaN) / d (2, 0, NaN, 5) = (5, missing, missing, missing); 2 present values lost
  composite_spec s = one_indicator({composite_step::denominate});
  s.denominators = {"pop"};
  s.indicators[0].denominator = 0;
  const std::vector<double> x{10, 20, 30, NaN}, d{2, 0, NaN, 5};
  composite_data data{x, 4, 1};
  data.denominators = d;
  composite_record rec;
  const auto y = normalised_matrix(data, s, &rec);
  CHECK(y[0] == 5);
  CHECK(std::isnan(y[1]));
  CHECK(std::isnan(y[2]));
  CHECK(std::isnan(y[3]));
  CHECK(rec.denominator_missing[0] == 2);
  // errors name the place
  s.indicators[0].denominator = 1;
  CHECK_THROWS_WITH_AS(normalised_matrix(data, s), doctest::Contains("indicators[0] (\"v\").denominator"), data_error);
  s.indicators[0].denominator = 0;
  s.indicators[0].denominator_scale = 0;
  CHECK_THROWS_WITH_AS(normalised_matrix(data, s), doctest::Contains("indicators[0] (\"v\").denominator_scale"),
                       data_error);
  s.indicators[0].denominator_scale = 1;
  const std::vector<double> bad{2, 0, INFINITY, 5};
  data.denominators = bad;
  CHECK_THROWS_WITH_AS(normalised_matrix(data, s), doctest::Contains("denominators[2, \"pop\"]"), data_error);
  data.denominators = std::span<const double>(d.data(), 3);
  CHECK_THROWS_AS(normalised_matrix(data, s), data_error);
}

// --- the order of the steps -------------------------------------------------------------------

TEST_CASE("steps: the order matters; COINr's default imputes before treating") {
  // x = 1..20, 100, 100, NaN.
  // COINr's order (impute, treat): the mean (210 + 200) / 22 = 410/22 fills the gap, then the two
  // 100s are winsorised to 20 (a 23-value column, still failing: G1 > 2, G2 > 3.5).
  // planeval's old order (treat, impute): the 100s become 20 first, the mean is (210 + 40) / 22.
  std::vector<double> x;
  for (int i = 1; i <= 20; ++i) x.push_back(i);
  x.push_back(100);
  x.push_back(100);
  x.push_back(NaN);
  composite_spec s = one_indicator({composite_step::impute, composite_step::treat});
  s.impute = imputation::mean;
  s.outliers = outlier_treatment::coinr;
  composite_record rec;
  auto y = run(x, s, rec);
  CHECK(y[22] == doctest::Approx(410.0 / 22).epsilon(1e-15));
  CHECK(y[21] == 20);
  CHECK(rec.outliers[0].nwin == 2);
  s.steps = {composite_step::treat, composite_step::impute};
  y = run(x, s, rec);
  CHECK(y[22] == doctest::Approx(250.0 / 22).epsilon(1e-15));
  CHECK(y[21] == 20);
  // the default is COINr's order
  CHECK(composite_spec{}.steps == std::vector<composite_step>{composite_step::denominate, composite_step::impute,
                                                              composite_step::screen, composite_step::treat,
                                                              composite_step::normalise});
}

TEST_CASE("steps and settings: bad input is a data_error naming the place") {
  composite_spec s = one_indicator({composite_step::treat, composite_step::treat});
  const std::vector<double> x{1, 2, 3};
  const composite_data d{x, 3, 1};
  CHECK_THROWS_WITH_AS(normalised_matrix(d, s), doctest::Contains("steps[1]: treat is listed twice"), data_error);
  s.steps = {};
  s.impute = imputation::mean;
  CHECK_THROWS_WITH_AS(normalised_matrix(d, s), doctest::Contains("steps: impute is configured"), data_error);
  s.impute = imputation::none;
  s.normalise = normalisation::min_max;
  CHECK_THROWS_WITH_AS(normalised_matrix(d, s), doctest::Contains("steps: normalise is configured"), data_error);
  s = one_indicator({composite_step::treat});
  s.outliers = outlier_treatment::coinr;
  s.indicators[0].skew_thresh = NaN;
  CHECK_THROWS_WITH_AS(normalised_matrix(d, s), doctest::Contains("indicators[0] (\"v\").skew_thresh"), data_error);
  s = one_indicator({composite_step::screen});
  s.screen = unit_screen::by_na;
  s.dat_thresh = 1.5;
  CHECK_THROWS_WITH_AS(normalised_matrix(d, s), doctest::Contains("dat_thresh"), data_error);
  s.dat_thresh = 0.5;
  s.force_exclude = {3};
  CHECK_THROWS_WITH_AS(normalised_matrix(d, s), doctest::Contains("force_exclude[0]"), data_error);
  s = one_indicator({composite_step::impute});
  s.impute = imputation::row_mean;
  s.impute_level = 1;
  CHECK_THROWS_WITH_AS(normalised_matrix(d, s), doctest::Contains("impute_level"), data_error);
  s.impute = imputation::group_median;
  s.impute_level = 0;
  CHECK_THROWS_WITH_AS(normalised_matrix(d, s), doctest::Contains("groups: group_median imputation needs"),
                       data_error);
}

TEST_CASE("screen then treat: the treatment record names input rows") {
  // unit 0 has no data and is screened out (byNA, dat_thresh 0.5); the remaining column is
  // 1..20, 100, 100 (input rows 1..22): both 100s (input rows 21 and 22) are winsorised to 20
  composite_spec s = one_indicator({composite_step::screen, composite_step::treat});
  s.screen = unit_screen::by_na;
  s.dat_thresh = 0.5;
  s.outliers = outlier_treatment::coinr;
  std::vector<double> x{NaN};
  for (int i = 1; i <= 20; ++i) x.push_back(i);
  x.push_back(100);
  x.push_back(100);
  composite_record rec;
  const auto y = run(x, s, rec);
  REQUIRE(y.size() == 22);
  CHECK(rec.unit_rows.front() == 1);
  CHECK(y[21] == 20);
  CHECK(rec.outliers[0].winsorised == std::vector<std::uint32_t>{21, 22});
  CHECK(rec.outliers[0].points[1].unit == 22);
}

TEST_CASE("screen then normalise: per-unit targets follow the input rows of the kept units") {
  // unit 0 has no data and is dropped; units 1 and 2: x 5 and 8 against their own targets 10 and
  // 16 (unit_target is per input row): distance_to_target 5/10 = 8/16 = 0.5 -> 50 on [0, 100]
  composite_spec s = one_indicator({composite_step::screen, composite_step::normalise});
  s.screen = unit_screen::by_na;
  s.dat_thresh = 0.5;
  s.normalise = normalisation::distance_to_target;
  s.unit_target = {100, 10, 16};
  composite_record rec;
  const auto y = run({NaN, 5, 8}, s, rec);
  CHECK(rec.unit_rows == std::vector<std::uint32_t>{1, 2});
  CHECK(y == std::vector<double>{50, 50});
}
