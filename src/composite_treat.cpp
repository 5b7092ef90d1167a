// Copyright (c) 2026 planeval developers. Distributed under the MIT License.
// Step "treat" of the composite: outlier treatment as COINr 1.1.14's Treat() does it with its
// defaults (R/treat.R: check_SkewKurt, winsorise, log_CT and friends), see planeval/composite.hpp.

#include "composite_detail.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

namespace planeval::composite_detail {

/// G1 and G2 of the values of `col` at `rows`. Written as COINr's skew() / kurt() (the e1071 type
/// 2 formulas on sums of powers of the deviations) so that the numbers agree to the last bits.
skew_kurtosis skew_kurtosis_at(const double* col, const std::vector<std::uint32_t>& rows) {
  skew_kurtosis r;
  const auto n = static_cast<double>(rows.size());
  if (rows.size() < 4) return r;
  double mean = 0;
  for (auto u : rows) mean += col[u];
  mean /= n;
  double s2 = 0, s3 = 0, s4 = 0;
  for (auto u : rows) {
    const double d = col[u] - mean, d2 = d * d;
    s2 += d2;
    s3 += d2 * d;
    s4 += d2 * d2;
  }
  if (!(s2 > 0)) return r;
  const double g1 = std::sqrt(n) * s3 / std::pow(s2, 1.5);
  const double b2 = n * s4 / (s2 * s2); // m4 / m2^2
  r.skew = g1 * std::sqrt(n * (n - 1)) / (n - 2);
  r.kurtosis = ((n + 1) * (b2 - 3) + 6) * (n - 1) / ((n - 2) * (n - 3));
  return r;
}

namespace {

/// The treatment settings of indicator `j`: its overrides, else the spec's.
struct treat_settings {
  outlier_treatment method;
  std::uint32_t winmax;
  double skew_thresh, kurt_thresh;
  treat_transform transform;
  double lambda;
  bool force_win;
};

treat_settings settings_of(const composite_spec& spec, std::size_t j) {
  const composite_indicator& ind = spec.indicators[j];
  return {ind.outliers.value_or(spec.outliers),       ind.winmax.value_or(spec.winmax),
          ind.skew_thresh.value_or(spec.skew_thresh), ind.kurt_thresh.value_or(spec.kurt_thresh),
          ind.transform.value_or(spec.transform),     ind.boxcox_lambda.value_or(spec.boxcox_lambda),
          ind.force_win.value_or(spec.force_win)};
}

/// COINr's check_SkewKurt: passes when |skew| < skew_thresh or kurtosis < kurt_thresh. nullopt
/// when undefined (fewer than 4 values or zero variance: COINr's NA).
std::optional<bool> passes(const skew_kurtosis& s, const treat_settings& t) {
  if (std::isnan(s.skew) || std::isnan(s.kurtosis)) return std::nullopt;
  return std::abs(s.skew) < t.skew_thresh || s.kurtosis < t.kurt_thresh;
}

/// The fallback transform of the (original) present values, in place.
void transform_column(double* col, const std::vector<std::uint32_t>& rows, const treat_settings& t, double skew) {
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  for (auto u : rows) {
    lo = (std::min)(lo, col[u]);
    hi = (std::max)(hi, col[u]);
  }
  const double a = 0.01 * (hi - lo);
  switch (t.transform) {
  case treat_transform::log_CT:
    for (auto u : rows) col[u] = std::log(col[u] - lo + a);
    break;
  case treat_transform::log_CT_plus:
    if (skew > 0)
      for (auto u : rows) col[u] = std::log(col[u] - lo + a);
    else
      for (auto u : rows) col[u] = -std::log(hi + a - col[u]);
    break;
  case treat_transform::log_CT_orig:
    for (auto u : rows) col[u] = std::log(col[u] - lo + 1.0);
    break;
  case treat_transform::boxcox:
    for (auto u : rows) {
      const double y = col[u] - lo + 1.0;
      col[u] = t.lambda == 0 ? std::log(y) : (std::pow(y, t.lambda) - 1.0) / t.lambda;
    }
    break;
  case treat_transform::none: break;
  }
}

/// Replaces every present value equal to the maximum (high) or minimum (low) by the next value
/// inside it, recording the points; returns how many were replaced.
std::uint32_t winsorise_step(double* col, const std::vector<std::uint32_t>& rows, bool high, outlier_record& rec) {
  double extreme = high ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity();
  for (auto u : rows) extreme = high ? (std::max)(extreme, col[u]) : (std::min)(extreme, col[u]);
  double next = high ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity();
  for (auto u : rows)
    if (col[u] != extreme) next = high ? (std::max)(next, col[u]) : (std::min)(next, col[u]);
  std::uint32_t count = 0;
  for (auto u : rows) {
    if (col[u] != extreme) continue;
    auto it =
        std::find_if(rec.points.begin(), rec.points.end(), [u](const winsorised_point& p) { return p.unit == u; });
    if (it == rec.points.end()) {
      rec.points.push_back({u, col[u], next, high});
      rec.winsorised.push_back(u);
    } else {
      it->after = next;
      it->high = high;
    }
    col[u] = next;
    ++count;
  }
  return count;
}

/// COINr's default treatment of one column (present values at `rows`), in place.
outlier_record treat_outliers(double* col, const std::vector<std::uint32_t>& rows, const treat_settings& t,
                              std::vector<double>& saved) {
  outlier_record rec;
  rec.treated = true;
  skew_kurtosis s = skew_kurtosis_at(col, rows);
  rec.skew = s.skew;
  rec.kurtosis = s.kurtosis;
  rec.skew_after = s.skew;
  rec.kurtosis_after = s.kurtosis;
  const std::optional<bool> pass0 = passes(s, t);
  rec.passed = pass0.value_or(true);
  if (!pass0 || *pass0) return rec; // undefined (COINr: NA, untreated) or passing
  saved.resize(rows.size());
  for (std::size_t k = 0; k < rows.size(); ++k) saved[k] = col[rows[k]];
  const auto restore = [&] {
    for (std::size_t k = 0; k < rows.size(); ++k) col[rows[k]] = saved[k];
  };
  // f1: winsorise while failing (or force_win) and fewer than winmax points are at the caps
  std::optional<bool> pass = false;
  std::uint32_t last_high = 0, last_low = 0;
  while ((!*pass || t.force_win) && rec.nwin < t.winmax) {
    if (s.skew >= 0)
      last_high = winsorise_step(col, rows, true, rec);
    else
      last_low = winsorise_step(col, rows, false, rec);
    rec.nwin = last_high + last_low;
    s = skew_kurtosis_at(col, rows);
    pass = passes(s, t);
    if (!pass) {
      // the statistics became undefined (every value equal): COINr's Treat catches the error and
      // returns the indicator untreated
      restore();
      rec.points.clear();
      rec.winsorised.clear();
      rec.nwin = 0;
      rec.treated = false;
      return rec;
    }
  }
  rec.skew_winsorised = s.skew;
  rec.kurtosis_winsorised = s.kurtosis;
  rec.passed_winsorised = *pass;
  if (!*pass && t.transform != treat_transform::none) {
    // f2 on the original values (COINr's combine_treat = FALSE)
    restore();
    transform_column(col, rows, t, rec.skew);
    rec.log_transformed = true;
    rec.transform = t.transform;
    s = skew_kurtosis_at(col, rows);
  }
  rec.skew_after = s.skew;
  rec.kurtosis_after = s.kurtosis;
  return rec;
}

} // namespace

outlier_record treat_column(double* col, const std::vector<std::uint32_t>& rows, const composite_spec& spec,
                            std::size_t j, column_scratch& scratch) {
  const treat_settings t = settings_of(spec, j);
  if (t.method == outlier_treatment::coinr) return treat_outliers(col, rows, t, scratch.buf);
  return {};
}

void check_treatment(const composite_spec& spec) {
  const auto check = [](double v, const std::string& place, bool positive) {
    if (!std::isfinite(v) || (positive && !(v > 0)))
      throw data_error(place + ": expected a finite number" + (positive ? " > 0" : "") + ", got " + number_text(v));
  };
  check(spec.skew_thresh, "skew_thresh", true);
  check(spec.kurt_thresh, "kurt_thresh", false);
  check(spec.boxcox_lambda, "boxcox_lambda", false);
  for (std::size_t j = 0; j < spec.indicators.size(); ++j) {
    const composite_indicator& ind = spec.indicators[j];
    if (ind.skew_thresh) check(*ind.skew_thresh, indicator_place(spec, j) + ".skew_thresh", true);
    if (ind.kurt_thresh) check(*ind.kurt_thresh, indicator_place(spec, j) + ".kurt_thresh", false);
    if (ind.boxcox_lambda) check(*ind.boxcox_lambda, indicator_place(spec, j) + ".boxcox_lambda", false);
  }
}

bool treatment_configured(const composite_spec& spec) {
  for (std::size_t j = 0; j < spec.indicators.size(); ++j)
    if (settings_of(spec, j).method != outlier_treatment::none) return true;
  return false;
}

} // namespace planeval::composite_detail

namespace planeval {

skew_kurtosis sample_skew_kurtosis(std::span<const double> x) {
  std::vector<std::uint32_t> rows;
  for (std::size_t i = 0; i < x.size(); ++i)
    if (!std::isnan(x[i])) rows.push_back(static_cast<std::uint32_t>(i));
  return composite_detail::skew_kurtosis_at(x.data(), rows);
}

} // namespace planeval
