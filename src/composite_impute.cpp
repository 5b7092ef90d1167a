// Copyright (c) 2026 planeval developers. Distributed under the MIT License.
// Step "impute" of the composite: imputation as COINr 1.1.14's Impute() does it (R/impute.R:
// i_mean, i_median, i_mean_grp, i_median_grp, impute_by = "row" with normalise_first), see
// planeval/composite.hpp.

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

/// Median of buf[first, last) (non-empty), reordering it (R's median: the mean of the two middle
/// values for an even count).
double median_of(double* first, double* last) {
  const auto n = static_cast<std::size_t>(last - first);
  double* mid = first + n / 2;
  std::nth_element(first, mid, last);
  const double upper = *mid;
  if (n % 2 == 1) return upper;
  const double lower = *std::max_element(first, mid);
  return (lower + upper) / 2;
}

bool is_row_method(imputation m) { return m == imputation::row_mean || m == imputation::row_median; }

} // namespace

void impute_column(double* col, std::size_t units, std::vector<std::uint32_t>& rows, const composite_spec& spec,
                   std::size_t j, composite_record& rec, column_scratch& scratch) {
  const imputation m = spec.impute;
  if (m == imputation::none || is_row_method(m) || rows.empty() || rows.size() == units) return;
  if (m == imputation::group_mean || m == imputation::group_median) {
    // (group, value) of the present units with a group, sorted by group: one run per group
    scratch.pairs.clear();
    for (auto u : rows)
      if (spec.groups[u] != no_group) scratch.pairs.emplace_back(col[u], spec.groups[u]);
    std::stable_sort(scratch.pairs.begin(), scratch.pairs.end(),
                     [](const auto& a, const auto& b) { return a.second < b.second; });
    std::uint32_t groups = 0;
    for (auto g : spec.groups)
      if (g != no_group) groups = (std::max)(groups, g + 1);
    scratch.gsum.assign(groups, nan); // the fill value per group (NaN: the group has no value)
    scratch.buf.resize(scratch.pairs.size());
    for (std::size_t a = 0; a < scratch.pairs.size();) {
      std::size_t b = a;
      const std::uint32_t g = scratch.pairs[a].second;
      while (b < scratch.pairs.size() && scratch.pairs[b].second == g) ++b;
      if (m == imputation::group_mean) {
        double sum = 0;
        for (std::size_t k = a; k < b; ++k) sum += scratch.pairs[k].first;
        scratch.gsum[g] = sum / static_cast<double>(b - a);
      } else {
        for (std::size_t k = a; k < b; ++k) scratch.buf[k] = scratch.pairs[k].first;
        scratch.gsum[g] = median_of(scratch.buf.data() + a, scratch.buf.data() + b);
      }
      a = b;
    }
    for (std::size_t u = 0; u < units; ++u)
      if (std::isnan(col[u]) && spec.groups[u] != no_group && !std::isnan(scratch.gsum[spec.groups[u]])) {
        col[u] = scratch.gsum[spec.groups[u]];
        ++rec.imputed[j];
      }
  } else {
    double fill = 0;
    if (m == imputation::mean) {
      for (auto u : rows) fill += col[u];
      fill /= static_cast<double>(rows.size());
    } else {
      scratch.buf.resize(rows.size());
      for (std::size_t k = 0; k < rows.size(); ++k) scratch.buf[k] = col[rows[k]];
      fill = median_of(scratch.buf.data(), scratch.buf.data() + scratch.buf.size());
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

void impute_rows(std::vector<double>& cols, std::size_t units, const composite_spec& spec, composite_record& rec) {
  const std::size_t k = spec.indicators.size();
  if (!is_row_method(spec.impute) || k == 0 || units == 0) return;
  // the row set of each indicator: its ancestor at COINr level impute_level (0: one set)
  std::vector<std::uint32_t> set(k, 0);
  if (spec.impute_level >= 2) {
    const composite_tree t = make_composite_tree(spec);
    for (std::size_t j = 0; j < k; ++j) {
      std::uint32_t node = t.indicator_parent[j];
      for (std::uint32_t level = 2; level < spec.impute_level && t.node_parent[node] >= 0; ++level)
        node = static_cast<std::uint32_t>(t.node_parent[node]);
      set[j] = node;
    }
  }
  // COINr's normalise_first: y = direction * x, s = (y - min y) / (max y - min y) per column
  std::vector<double> lo(k, nan), hi(k, nan), sign(k, 1.0);
  for (std::size_t j = 0; j < k; ++j) {
    if (spec.indicators[j].direction == polarity::lower) sign[j] = -1.0;
    const double* col = cols.data() + j * units;
    for (std::size_t u = 0; u < units; ++u) {
      if (std::isnan(col[u])) continue;
      const double y = sign[j] * col[u];
      if (std::isnan(lo[j]) || y < lo[j]) lo[j] = y;
      if (std::isnan(hi[j]) || y > hi[j]) hi[j] = y;
    }
  }
  // the members of each row set, contiguous: members[first[s], first[s + 1])
  std::vector<std::uint32_t> members(k);
  for (std::size_t j = 0; j < k; ++j) members[j] = static_cast<std::uint32_t>(j);
  std::stable_sort(members.begin(), members.end(), [&](std::uint32_t x, std::uint32_t y) { return set[x] < set[y]; });
  std::vector<std::size_t> first{0};
  for (std::size_t m = 1; m < k; ++m)
    if (set[members[m]] != set[members[m - 1]]) first.push_back(m);
  first.push_back(k);
  std::vector<double> buf;
  buf.reserve(k);
  for (std::size_t u = 0; u < units; ++u)
    for (std::size_t g = 0; g + 1 < first.size(); ++g) {
      bool any_missing = false;
      buf.clear();
      for (std::size_t m = first[g]; m < first[g + 1]; ++m) {
        const std::size_t j = members[m];
        const double x = cols[j * units + u];
        if (std::isnan(x)) {
          any_missing = true;
          continue;
        }
        // a constant column has no [0, 1] value (COINr: 0/0 = NaN, dropped by na.rm)
        if (hi[j] > lo[j]) buf.push_back((sign[j] * x - lo[j]) / (hi[j] - lo[j]));
      }
      if (!any_missing || buf.empty()) continue;
      double fill = 0;
      if (spec.impute == imputation::row_mean) {
        for (double v : buf) fill += v;
        fill /= static_cast<double>(buf.size());
      } else {
        fill = median_of(buf.data(), buf.data() + buf.size());
      }
      for (std::size_t m = first[g]; m < first[g + 1]; ++m) {
        const std::size_t j = members[m];
        double& x = cols[j * units + u];
        if (!std::isnan(x) || std::isnan(lo[j])) continue; // a column without data stays missing
        x = sign[j] * (fill * (hi[j] - lo[j]) + lo[j]);
        ++rec.imputed[j];
      }
    }
}

bool imputation_configured(const composite_spec& spec) { return spec.impute != imputation::none; }

void check_imputation(std::size_t units, const composite_spec& spec) {
  const bool grouped = spec.impute == imputation::group_mean || spec.impute == imputation::group_median;
  if (grouped && spec.groups.size() != units)
    throw data_error("groups: " + std::string(to_string(spec.impute)) + " imputation needs one group per unit (" +
                     std::to_string(units) + "), got " + std::to_string(spec.groups.size()));
  if (!spec.groups.empty() && spec.groups.size() != units)
    throw data_error("groups: expected one group per unit (" + std::to_string(units) + "), got " +
                     std::to_string(spec.groups.size()));
  for (std::size_t u = 0; u < spec.groups.size(); ++u)
    if (spec.groups[u] >= units && spec.groups[u] != no_group)
      throw data_error("groups[" + std::to_string(u) + "]: expected a group code below the number of units (" +
                       std::to_string(units) + "), got " + std::to_string(spec.groups[u]));
  if (is_row_method(spec.impute) && spec.impute_level == 1)
    throw data_error("impute_level: expected 0 (all indicators) or a COINr level >= 2 (2 = the indicator's parent), "
                     "got 1");
}

} // namespace planeval::composite_detail
