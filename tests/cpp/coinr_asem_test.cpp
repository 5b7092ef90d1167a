// End-to-end: planeval's composite reproduces COINr's default pipeline on COINr's ASEM example,
// build_example_coin() of COINr 1.1.14 (commit b968203, R/examples.R):
//   new_coin(ASEM_iData, ASEM_iMeta) -> Denominate(dset = "Raw") (by iMeta$Denominator)
//   -> Impute(f_i = "i_mean_grp", use_group = "EurAsia_group") -> Screen(dat_thresh = 0.9,
//   unit_screen = "byNA") -> Treat(defaults: winmax 5) -> Normalise(n_minmax, [0, 100])
//   -> Aggregate(a_amean, iMeta weights).
// Inputs tests/data/coinr/ASEM_iData.csv, ASEM_iMeta.csv; every data set of the coin and the
// treatment table written by tests/data/coinr/make_reference.R (17 significant digits). Every cell
// is compared to 1e-9 relative; the maximum differences measured are printed (MESSAGE).

#include "coinr_csv.hpp"

#include <planeval/composite.hpp>
#include <planeval/error.hpp>

#include <doctest/doctest.h>

#include <algorithm>
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
using namespace coinr_test;


TEST_CASE("COINr ASEM: the data sets of build_example_coin(), step by step, every cell to 1e-9") {
  const asem& a = example();
  REQUIRE(a.units.size() == 51);
  REQUIRE(a.indicators.size() == 49);
  SUBCASE("Denominated (Denominate by iMeta$Denominator)") {
    composite_record rec;
    const auto m = normalised_matrix(a.data(), a.prefix(1), &rec);
    compare(m, rec.unit_rows, a.indicators, "asem_denominated.csv");
  }
  SUBCASE("Imputed (i_mean_grp by EurAsia_group)") {
    composite_record rec;
    const auto m = normalised_matrix(a.data(), a.prefix(2), &rec);
    compare(m, rec.unit_rows, a.indicators, "asem_imputed.csv");
    std::uint32_t imputed = 0;
    for (auto c : rec.imputed) imputed += c;
    // every missing cell of the denominated data is filled: 0 NaN left in asem_imputed.csv
    std::uint32_t missing = 0;
    for (double x : m) missing += std::isnan(x) ? 1u : 0u;
    CHECK(missing == 0);
    CHECK(imputed > 0);
  }
  SUBCASE("Screened (byNA, dat_thresh 0.9: every unit kept after imputation)") {
    composite_record rec;
    const auto m = normalised_matrix(a.data(), a.prefix(3), &rec);
    CHECK(rec.unit_rows == all_rows());
    REQUIRE(rec.screen.size() == 51);
    for (const unit_availability& u : rec.screen) {
      CHECK(u.included);
      CHECK(u.data_share == 1.0);
    }
    compare(m, rec.unit_rows, a.indicators, "asem_screened.csv");
  }
  SUBCASE("Treated (winsorise up to 5 points, else log_CT) and Dets_Table") {
    composite_record rec;
    const auto m = normalised_matrix(a.data(), a.prefix(4), &rec);
    compare(m, rec.unit_rows, a.indicators, "asem_treated.csv");
    const table dets("asem_treat_details.csv");
    REQUIRE(dets.rows.size() == a.indicators.size());
    REQUIRE(rec.outliers.size() == a.indicators.size());
    std::size_t winsorised_indicators = 0;
    double max_rel = 0;
    for (std::size_t r = 0; r < dets.rows.size(); ++r) {
      const std::string code = dets.text(r, "iCode");
      const std::size_t j = static_cast<std::size_t>(
          std::find(a.indicators.begin(), a.indicators.end(), code) - a.indicators.begin());
      REQUIRE(j < a.indicators.size());
      const outlier_record& o = rec.outliers[j];
      CAPTURE(code);
      CHECK(o.passed == (dets.text(r, "check_SkewKurt0.Pass") == "TRUE"));
      const double skew = dets.num(r, "check_SkewKurt0.Skew"), kurt = dets.num(r, "check_SkewKurt0.Kurt");
      CHECK(o.skew == doctest::Approx(skew).epsilon(1e-9));
      CHECK(o.kurtosis == doctest::Approx(kurt).epsilon(1e-9));
      max_rel = (std::max)(
          {max_rel, std::abs(o.skew - skew) / std::abs(skew), std::abs(o.kurtosis - kurt) / std::abs(kurt)});
      const double nwin = dets.num(r, "winsorise.nwin");
      if (std::isnan(nwin)) {
        CHECK(o.nwin == 0);
        CHECK(o.points.empty());
        continue;
      }
      ++winsorised_indicators;
      CHECK(o.nwin == static_cast<std::uint32_t>(nwin));
      CHECK(o.points.size() == o.nwin); // no ties in ASEM: one point per step
      CHECK(o.passed_winsorised == (dets.text(r, "check_SkewKurt1.Pass") == "TRUE"));
      CHECK(o.skew_winsorised == doctest::Approx(dets.num(r, "check_SkewKurt1.Skew")).epsilon(1e-9));
      CHECK(o.kurtosis_winsorised == doctest::Approx(dets.num(r, "check_SkewKurt1.Kurt")).epsilon(1e-9));
      CHECK_FALSE(o.log_transformed); // COINr's table has no check_SkewKurt2: no log_CT on ASEM
    }
    // 15 indicators fail the check and are winsorised (asem_treat_details.csv)
    CHECK(winsorised_indicators == 15);
    MESSAGE("Dets_Table skew/kurtosis: max rel diff " << max_rel);
    // the treated points: COINr's Treated_Points marks "winhi" / "winlo"
    // Treated_Points has no uCode column: its rows are those of the Screened data set (by uCode)
    const table points("asem_treat_points.csv"), screened("asem_screened.csv");
    REQUIRE(points.rows.size() == screened.rows.size());
    for (std::size_t j = 0; j < a.indicators.size(); ++j)
      for (std::size_t pr = 0; pr < points.rows.size(); ++pr) {
        const std::size_t u = static_cast<std::size_t>(
            std::find(a.units.begin(), a.units.end(), screened.text(pr, "uCode")) - a.units.begin());
        REQUIRE(u < a.units.size());
        const std::string mark = points.rows[pr][points.col(a.indicators[j])];
        const auto& pts = rec.outliers[j].points;
        const auto it = std::find_if(pts.begin(), pts.end(), [&](const winsorised_point& p) { return p.unit == u; });
        CAPTURE(a.indicators[j]);
        CAPTURE(a.units[u]);
        if (mark.empty()) {
          CHECK(it == pts.end());
        } else {
          REQUIRE(it != pts.end());
          CHECK(mark == (it->high ? "winhi" : "winlo"));
        }
      }
  }
  SUBCASE("Normalised (n_minmax to [0, 100])") {
    composite_record rec;
    const auto m = normalised_matrix(a.data(), a.spec, &rec);
    compare(m, rec.unit_rows, a.indicators, "asem_normalised.csv");
  }
}

TEST_CASE("COINr ASEM: Aggregated scores, the index ranks and vignette(\"results\")'s top six") {
  const asem& a = example();
  const composite_result r = build_composite(a.data(), a.spec);
  REQUIRE(r.units == 51);
  CHECK(r.unit_rows == all_rows());
  // scores of every aggregate (Pillar, Sub-index, Index levels), columns by iCode
  compare(r.scores, r.unit_rows, a.node_ids, "asem_aggregated.csv");
  // the indicator columns of the Aggregated data set are the normalised values
  compare(r.normalised, r.unit_rows, a.indicators, "asem_aggregated.csv");
  // all 51 ranks of the index: get_results(coin, dset = "Aggregated", tab_type = "Aggs")
  const std::size_t index = static_cast<std::size_t>(
      std::find(a.node_ids.begin(), a.node_ids.end(), "Index") - a.node_ids.begin());
  const table results("asem_results.csv");
  REQUIRE(results.rows.size() == 51);
  for (std::size_t row = 0; row < results.rows.size(); ++row) {
    const std::string code = results.text(row, "uCode");
    const std::size_t u = static_cast<std::size_t>(std::find(a.units.begin(), a.units.end(), code) - a.units.begin());
    REQUIRE(u < 51);
    CAPTURE(code);
    CHECK(r.rank(u, index) == static_cast<std::uint32_t>(results.num(row, "Rank")));
    CHECK(std::round(r.score(u, index) * 100) / 100 == doctest::Approx(results.num(row, "Index")).epsilon(1e-12));
  }
  // vignette("results") of COINr 1.1.14 prints the top six of the index:
  // CHE 68.38, NLD 64.82, DNK 64.80, NOR 64.47, BEL 63.54, SWE 63.00
  const std::pair<const char*, double> top[] = {{"CHE", 68.38}, {"NLD", 64.82}, {"DNK", 64.80},
                                                {"NOR", 64.47}, {"BEL", 63.54}, {"SWE", 63.00}};
  for (std::size_t i = 0; i < 6; ++i) {
    const std::size_t u =
        static_cast<std::size_t>(std::find(a.units.begin(), a.units.end(), top[i].first) - a.units.begin());
    REQUIRE(u < 51);
    CAPTURE(top[i].first);
    CHECK(r.rank(u, index) == i + 1);
    CHECK(std::round(r.score(u, index) * 100) / 100 == doctest::Approx(top[i].second).epsilon(1e-12));
  }
}
