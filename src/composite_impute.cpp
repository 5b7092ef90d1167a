// Copyright (c) 2026 planeval developers. Distributed under the MIT License.
// Step 3 of the composite: imputation (planeval/composite.hpp).

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

namespace {

/// Median of the values of `col` at `rows` (non-empty); `buf` is scratch.
double median_at(const double* col, const std::vector<std::uint32_t>& rows, std::vector<double>& buf) {
  buf.resize(rows.size());
  for (std::size_t k = 0; k < rows.size(); ++k) buf[k] = col[rows[k]];
  const std::size_t mid = buf.size() / 2;
  std::nth_element(buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(mid), buf.end());
  const double upper = buf[mid];
  if (buf.size() % 2 == 1) return upper;
  const double lower = *std::max_element(buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(mid));
  return (lower + upper) / 2;
}

} // namespace

void impute_column(double* col, std::size_t units, std::vector<std::uint32_t>& rows, const composite_spec& spec,
                   std::size_t j, composite_record& rec, column_scratch& scratch) {
  if (spec.impute == imputation::group_mean) {
    std::uint32_t groups = 0;
    for (auto g : spec.groups) groups = (std::max)(groups, g + 1);
    scratch.gsum.resize(groups);
    scratch.gcount.resize(groups);
  }
  if (spec.impute != imputation::none && !rows.empty() && rows.size() < units) {
    if (spec.impute == imputation::group_mean) {
      std::fill(scratch.gsum.begin(), scratch.gsum.end(), 0.0);
      std::fill(scratch.gcount.begin(), scratch.gcount.end(), 0u);
      for (auto u : rows) {
        scratch.gsum[spec.groups[u]] += col[u];
        ++scratch.gcount[spec.groups[u]];
      }
      for (std::size_t u = 0; u < units; ++u)
        if (std::isnan(col[u]) && scratch.gcount[spec.groups[u]] > 0) {
          col[u] = scratch.gsum[spec.groups[u]] / scratch.gcount[spec.groups[u]];
          ++rec.imputed[j];
        }
    } else {
      double fill = 0;
      if (spec.impute == imputation::mean) {
        for (auto u : rows) fill += col[u];
        fill /= static_cast<double>(rows.size());
      } else {
        fill = median_at(col, rows, scratch.buf);
      }
      for (std::size_t u = 0; u < units; ++u)
        if (std::isnan(col[u])) {
          col[u] = fill;
          ++rec.imputed[j];
        }
    }
    rows.clear();
    for (std::size_t u = 0; u < units; ++u)
      if (!std::isnan(col[u])) rows.push_back(static_cast<std::uint32_t>(u));
  }
}

} // namespace planeval::composite_detail
