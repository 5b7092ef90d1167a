// Copyright (c) 2026 planeval developers. Distributed under the MIT License.
// Step 2 of the composite: outlier treatment (planeval/composite.hpp).

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

/// G1 and G2 of the values of `col` at `rows`.
skew_kurtosis skew_kurtosis_at(const double* col, const std::vector<std::uint32_t>& rows) {
  skew_kurtosis r;
  const auto n = static_cast<double>(rows.size());
  if (rows.size() < 4) return r;
  double mean = 0;
  for (auto u : rows) mean += col[u];
  mean /= n;
  double m2 = 0, m3 = 0, m4 = 0;
  for (auto u : rows) {
    const double d = col[u] - mean, d2 = d * d;
    m2 += d2;
    m3 += d2 * d;
    m4 += d2 * d2;
  }
  m2 /= n;
  m3 /= n;
  m4 /= n;
  if (!(m2 > 0)) return r;
  const double g1 = m3 / std::pow(m2, 1.5);
  const double g2 = m4 / (m2 * m2) - 3.0;
  r.skew = g1 * std::sqrt(n * (n - 1)) / (n - 2);
  r.kurtosis = ((n + 1) * g2 + 6) * (n - 1) / ((n - 2) * (n - 3));
  return r;
}

namespace {

bool fails_outlier_rule(const skew_kurtosis& s) {
  return !std::isnan(s.skew) && std::abs(s.skew) >= 2.0 && s.kurtosis >= 3.5;
}

/// COINr's default treatment of one column (present values at `rows`), in place.
outlier_record treat_outliers(double* col, const std::vector<std::uint32_t>& rows, std::vector<double>& saved) {
  outlier_record rec;
  skew_kurtosis s = skew_kurtosis_at(col, rows);
  rec.skew = s.skew;
  rec.kurtosis = s.kurtosis;
  if (fails_outlier_rule(s)) {
    saved.resize(rows.size());
    for (std::size_t k = 0; k < rows.size(); ++k) saved[k] = col[rows[k]];
    constexpr int max_points = 5;
    for (int point = 0; point < max_points && fails_outlier_rule(s); ++point) {
      const bool high = s.skew > 0;
      // the most extreme value on the side of the skew (first such unit), and the next one
      std::size_t extreme = 0;
      for (std::size_t k = 1; k < rows.size(); ++k) {
        const double x = col[rows[k]], e = col[rows[extreme]];
        if (high ? x > e : x < e) extreme = k;
      }
      double next = high ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity();
      for (std::size_t k = 0; k < rows.size(); ++k)
        if (k != extreme) next = high ? (std::max)(next, col[rows[k]]) : (std::min)(next, col[rows[k]]);
      col[rows[extreme]] = next;
      rec.winsorised.push_back(rows[extreme]);
      s = skew_kurtosis_at(col, rows);
    }
    if (fails_outlier_rule(s)) {
      // undo the winsorisation and log-transform the original values instead
      for (std::size_t k = 0; k < rows.size(); ++k) col[rows[k]] = saved[k];
      const bool high = rec.skew > 0;
      double lo = std::numeric_limits<double>::infinity(), hi = -lo;
      for (auto u : rows) {
        lo = (std::min)(lo, col[u]);
        hi = (std::max)(hi, col[u]);
      }
      for (auto u : rows) col[u] = high ? std::log(col[u] - lo + 1.0) : -std::log(hi - col[u] + 1.0);
      rec.winsorised.clear();
      rec.log_transformed = true;
      s = skew_kurtosis_at(col, rows);
    }
  }
  rec.skew_after = s.skew;
  rec.kurtosis_after = s.kurtosis;
  return rec;
}

} // namespace

outlier_record treat_column(double* col, const std::vector<std::uint32_t>& rows, const composite_spec& spec,
                            std::size_t /*j*/, column_scratch& scratch) {
  if (spec.outliers == outlier_treatment::coinr) return treat_outliers(col, rows, scratch.buf);
  return {};
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
