// Copyright (c) 2026 planeval developers. Distributed under the MIT License.
// Step 4 of the composite: normalisation (planeval/composite.hpp).

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

/// (value, row) pairs of `col` at `rows`, sorted by value ascending, ties by row. Sorting the
/// pairs themselves (not row indices compared through the column) keeps the sort in cache.
void sorted_pairs(const double* col, const std::vector<std::uint32_t>& rows,
                  std::vector<std::pair<double, std::uint32_t>>& pairs) {
  pairs.resize(rows.size());
  for (std::size_t k = 0; k < rows.size(); ++k) pairs[k] = {col[rows[k]], rows[k]};
  std::sort(pairs.begin(), pairs.end());
}

} // namespace

void normalise_column(double* col, const std::vector<std::uint32_t>& rows, const composite_spec& spec, std::size_t j,
                      composite_record& rec, column_scratch& scratch) {
  const composite_indicator& ind = spec.indicators[j];
  const double s = ind.direction == polarity::lower ? -1.0 : 1.0;
  // a per-unit override (units x indicators), or the indicator's value
  auto per_unit = [&](const std::vector<double>& cells, double fallback, std::size_t u) {
    const double v = cells.empty() ? fallback : cells[u * spec.indicators.size() + j];
    return std::isnan(v) ? fallback : v;
  };
  const double lo = spec.range_lo, width = spec.range_hi - spec.range_lo;
  const double n = static_cast<double>(rows.size());
  switch (spec.normalise) {
  case normalisation::none: break;
  case normalisation::min_max: {
    double mn = std::numeric_limits<double>::infinity(), mx = -mn;
    for (auto u : rows) {
      mn = (std::min)(mn, s * col[u]);
      mx = (std::max)(mx, s * col[u]);
    }
    rec.location[j] = mn;
    rec.scale[j] = mx;
    for (auto u : rows) col[u] = mx > mn ? lo + width * (s * col[u] - mn) / (mx - mn) : lo + width / 2;
    break;
  }
  case normalisation::z_score: {
    double mean = 0;
    for (auto u : rows) mean += s * col[u];
    mean /= n;
    double ss = 0;
    for (auto u : rows) ss += (s * col[u] - mean) * (s * col[u] - mean);
    const double sd = std::sqrt(ss / n);
    rec.location[j] = mean;
    rec.scale[j] = sd;
    for (auto u : rows) col[u] = sd > 0 ? (s * col[u] - mean) / sd : 0.0;
    break;
  }
  case normalisation::rank:
  case normalisation::percentile_rank:
  case normalisation::borda: {
    for (auto u : rows) col[u] *= s;
    sorted_pairs(col, rows, scratch.pairs);
    // runs of equal values [a, b]: average rank (a + b)/2 + 1 (rank, percentile rank); a (borda)
    for (std::size_t a = 0; a < scratch.pairs.size();) {
      std::size_t b = a;
      while (b + 1 < scratch.pairs.size() && scratch.pairs[b + 1].first == scratch.pairs[a].first) ++b;
      const double avg = (static_cast<double>(a) + static_cast<double>(b)) / 2.0 + 1.0;
      double v = static_cast<double>(a); // borda: units strictly below
      if (spec.normalise == normalisation::rank)
        v = avg;
      else if (spec.normalise == normalisation::percentile_rank)
        v = scratch.pairs.size() > 1 ? lo + width * (avg - 1.0) / (n - 1.0) : lo + width / 2;
      for (std::size_t c = a; c <= b; ++c) col[scratch.pairs[c].second] = v;
      a = b + 1;
    }
    break;
  }
  case normalisation::distance_to_target: {
    rec.scale[j] = ind.target;
    for (auto u : rows) {
      const double t = per_unit(spec.unit_target, ind.target, u);
      if (!(std::isfinite(t) && t > 0))
        throw data_error(indicator_place(spec, j) +
                         ".target: distance_to_target needs a finite target > 0 for unit " + std::to_string(u) +
                         ", got " + number_text(t));
      const double x = col[u];
      const double r = s > 0 ? x / t : (x <= t ? 1.0 : t / x);
      col[u] = lo + width * (std::max)(0.0, (std::min)(1.0, r));
    }
    break;
  }
  case normalisation::distance_to_reference: {
    const double ref = col[spec.reference_unit];
    if (std::isnan(ref))
      throw data_error(indicator_place(spec, j) + ": the reference unit " + std::to_string(spec.reference_unit) +
                       " has no value for distance_to_reference");
    rec.location[j] = ref;
    for (auto u : rows) {
      const double num = s > 0 ? col[u] : ref, den = s > 0 ? ref : col[u];
      if (den == 0)
        throw data_error(indicator_place(spec, j) + ": distance_to_reference divides by " +
                         (s > 0 ? "the reference unit's value 0" : "unit " + std::to_string(u) + "'s value 0"));
      col[u] = num / den;
    }
    break;
  }
  case normalisation::goalposts: {
    rec.location[j] = ind.baseline;
    rec.scale[j] = ind.goal;
    for (auto u : rows) {
      const double b = per_unit(spec.unit_baseline, ind.baseline, u), g = per_unit(spec.unit_goal, ind.goal, u);
      if (!std::isfinite(b) || !std::isfinite(g) || b == g)
        throw data_error(indicator_place(spec, j) +
                         ": goalposts need a finite baseline and goal that differ for unit " + std::to_string(u) +
                         ", got " + number_text(b) + " and " + number_text(g));
      double p = (col[u] - b) / (g - b);
      if (spec.cap) p = (std::max)(0.0, (std::min)(1.0, p));
      col[u] = lo + width * p;
    }
    break;
  }
  }
}

} // namespace planeval::composite_detail
