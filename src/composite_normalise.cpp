// Copyright (c) 2026 planeval developers. Distributed under the MIT License.
// Step 4 of the composite: normalisation (planeval/composite.hpp, file comment step 4, where the
// formulas and their COINr 1.1.14 names are).

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

bool default_cap(normalisation m) {
  return m == normalisation::goalposts || m == normalisation::distance_to_target;
}

/// (value, row) pairs of `col` at `rows`, sorted by value ascending, ties by row. Sorting the
/// pairs themselves (not row indices compared through the column) keeps the sort in cache.
void sorted_pairs(const double* col, const std::vector<std::uint32_t>& rows,
                  std::vector<std::pair<double, std::uint32_t>>& pairs) {
  pairs.resize(rows.size());
  for (std::size_t k = 0; k < rows.size(); ++k) pairs[k] = {col[rows[k]], rows[k]};
  std::sort(pairs.begin(), pairs.end());
}

std::string params_place(const composite_spec& spec, std::size_t j) {
  return spec.indicators[j].normalise_params ? indicator_place(spec, j) + ".normalise_params" : "normalise_params";
}

void check_params(const normalisation_params& p, const std::string& place) {
  if (!std::isfinite(p.lo) || !std::isfinite(p.hi) || !(p.lo < p.hi))
    throw data_error(place + ": expected finite lo < hi, got [" + number_text(p.lo) + ", " + number_text(p.hi) + "]");
  if (!std::isfinite(p.z_mean))
    throw data_error(place + ".z_mean: expected a finite number, got " + number_text(p.z_mean));
  if (!std::isfinite(p.z_sd) || !(p.z_sd > 0))
    throw data_error(place + ".z_sd: expected a finite sd > 0, got " + number_text(p.z_sd));
}

} // namespace

void check_normalisation(const composite_data& data, const composite_spec& spec) {
  check_params(spec.normalise_params, "normalise_params");
  for (std::size_t j = 0; j < spec.indicators.size(); ++j) {
    const composite_indicator& ind = spec.indicators[j];
    const normalisation m = method_of(spec, j);
    const normalisation_params& p = params_of(spec, j);
    if (ind.normalise_params) check_params(p, params_place(spec, j));
    if (m == normalisation::distance_to_reference && p.reference_unit >= data.units)
      throw data_error(params_place(spec, j) + ".reference_unit: expected a unit index below " +
                       std::to_string(data.units) + ", got " + std::to_string(p.reference_unit));
    // with per-unit values, each unit's is checked when it is used
    if (m == normalisation::distance_to_target && spec.unit_target.empty()) {
      if (p.anchor == distance_anchor::zero && !(std::isfinite(ind.target) && ind.target > 0))
        throw data_error(indicator_place(spec, j) + ".target: distance_to_target needs a finite target > 0, got " +
                         number_text(ind.target));
      if (p.anchor == distance_anchor::min && !std::isfinite(ind.target))
        throw data_error(indicator_place(spec, j) + ".target: distance_to_target needs a finite target, got " +
                         number_text(ind.target));
    }
    if ((m == normalisation::goalposts || m == normalisation::scaled) && spec.unit_baseline.empty() &&
        spec.unit_goal.empty() && (!std::isfinite(ind.baseline) || !std::isfinite(ind.goal) || ind.baseline == ind.goal))
      throw data_error(indicator_place(spec, j) + ": " + std::string(to_string(m)) +
                       " need a finite baseline and goal that differ, got " + number_text(ind.baseline) + " and " +
                       number_text(ind.goal));
  }
}

void normalise_column(double* col, const std::vector<std::uint32_t>& rows, const composite_spec& spec, std::size_t j,
                      composite_record& rec, column_scratch& scratch) {
  const composite_indicator& ind = spec.indicators[j];
  const normalisation method = method_of(spec, j);
  const normalisation_params& p = params_of(spec, j);
  const bool cap = p.cap.value_or(default_cap(method));
  const double s = ind.direction == polarity::lower ? -1.0 : 1.0;
  const std::vector<std::uint32_t>& input_rows = scratch.unit_rows;
  auto input_row = [&](std::size_t u) { return input_rows.empty() ? u : static_cast<std::size_t>(input_rows[u]); };
  // a per-unit override (units x indicators of the input data), or the indicator's value
  auto per_unit = [&](const std::vector<double>& cells, double fallback, std::size_t u) {
    const double v = cells.empty() ? fallback : cells[input_row(u) * spec.indicators.size() + j];
    return std::isnan(v) ? fallback : v;
  };
  auto unit_text = [&](std::size_t u) { return "unit " + std::to_string(input_row(u)); };
  const double lo = p.lo, width = p.hi - p.lo;
  const double n = static_cast<double>(rows.size());
  // min and max of y = s x over the present values
  auto min_max_of = [&](double& mn, double& mx) {
    mn = std::numeric_limits<double>::infinity();
    mx = -mn;
    for (auto u : rows) {
      mn = (std::min)(mn, s * col[u]);
      mx = (std::max)(mx, s * col[u]);
    }
  };
  switch (method) {
  case normalisation::none: break;
  case normalisation::min_max:
  case normalisation::distance_to_max: {
    double mn = 0, mx = 0;
    min_max_of(mn, mx);
    rec.location[j] = mn;
    rec.scale[j] = mx;
    if (method == normalisation::min_max)
      for (auto u : rows) col[u] = mx > mn ? (s * col[u] - mn) / (mx - mn) * width + lo : lo + width / 2;
    else
      for (auto u : rows) col[u] = mx > mn ? 1.0 - (mx - s * col[u]) / (mx - mn) : 0.5;
    break;
  }
  case normalisation::z_score: {
    double mean = 0;
    for (auto u : rows) mean += s * col[u];
    mean /= n;
    double ss = 0;
    for (auto u : rows) ss += (s * col[u] - mean) * (s * col[u] - mean);
    const double df = p.sd == sd_kind::sample ? n - 1.0 : n;
    const double sd = df > 0 ? std::sqrt(ss / df) : nan;
    rec.location[j] = mean;
    rec.scale[j] = sd;
    for (auto u : rows) col[u] = sd > 0 ? (s * col[u] - mean) / sd * p.z_sd + p.z_mean : p.z_mean;
    break;
  }
  case normalisation::rank:
  case normalisation::percentile_rank:
  case normalisation::borda: {
    for (auto u : rows) col[u] *= s;
    sorted_pairs(col, rows, scratch.pairs);
    const std::size_t count = scratch.pairs.size();
    // runs of equal values at sorted positions [a, b] (0-based): the rank of position c
    for (std::size_t a = 0; a < count;) {
      std::size_t b = a;
      while (b + 1 < count && scratch.pairs[b + 1].first == scratch.pairs[a].first) ++b;
      for (std::size_t c = a; c <= b; ++c) {
        double r = 0;
        switch (p.ties) {
        case rank_ties::min: r = static_cast<double>(a) + 1.0; break;
        case rank_ties::max: r = static_cast<double>(b) + 1.0; break;
        case rank_ties::average: r = (static_cast<double>(a) + static_cast<double>(b)) / 2.0 + 1.0; break;
        case rank_ties::first: r = static_cast<double>(c) + 1.0; break;
        case rank_ties::last: r = static_cast<double>(a + b - c) + 1.0; break;
        }
        double v = r;
        if (method == normalisation::borda)
          v = r - 1.0;
        else if (method == normalisation::percentile_rank)
          v = count > 1 ? lo + width * ((r - 1.0) / (n - 1.0)) : lo + width / 2;
        col[scratch.pairs[c].second] = v;
      }
      a = b + 1;
    }
    break;
  }
  case normalisation::distance_to_target: {
    rec.scale[j] = ind.target;
    double mn = 0, mx = 0;
    if (p.anchor == distance_anchor::min) {
      min_max_of(mn, mx);
      rec.location[j] = mn;
    }
    for (auto u : rows) {
      const double t = per_unit(spec.unit_target, ind.target, u);
      double r = 0;
      if (p.anchor == distance_anchor::zero) {
        if (!(std::isfinite(t) && t > 0))
          throw data_error(indicator_place(spec, j) + ".target: distance_to_target needs a finite target > 0 for " +
                           unit_text(u) + ", got " + number_text(t));
        const double x = col[u];
        if (s > 0)
          r = x / t;
        else if (cap && x <= t)
          r = 1.0;
        else if (x > 0)
          r = t / x;
        else
          throw data_error(indicator_place(spec, j) + ": distance_to_target (lower is better, target / x) needs x > 0 for " +
                           unit_text(u) + ", got " + number_text(x));
        if (cap) r = (std::max)(0.0, (std::min)(1.0, r));
      } else {
        const double tt = s * t;
        if (!std::isfinite(t) || tt == mn)
          throw data_error(indicator_place(spec, j) + ".target: distance_to_target (anchor min) needs a finite target other than the indicator's " +
                           (s > 0 ? "minimum " : "maximum ") + number_text(s * mn) + " for " + unit_text(u) + ", got " +
                           number_text(t));
        r = (s * col[u] - mn) / (tt - mn);
        if (cap && r > 1) r = 1.0;
      }
      col[u] = lo + width * r;
    }
    break;
  }
  case normalisation::distance_to_reference: {
    std::size_t ref_row = static_cast<std::size_t>(-1);
    if (input_rows.empty())
      ref_row = p.reference_unit;
    else
      for (std::size_t u = 0; u < input_rows.size(); ++u)
        if (input_rows[u] == p.reference_unit) ref_row = u;
    const double ref = ref_row == static_cast<std::size_t>(-1) ? nan : col[ref_row];
    if (std::isnan(ref))
      throw data_error(indicator_place(spec, j) + ": the reference unit " + std::to_string(p.reference_unit) +
                       " has no value for distance_to_reference");
    rec.location[j] = ref;
    if (p.anchor == distance_anchor::zero) {
      for (auto u : rows) {
        const double num = s > 0 ? col[u] : ref, den = s > 0 ? ref : col[u];
        if (den == 0)
          throw data_error(indicator_place(spec, j) + ": distance_to_reference divides by " +
                           (s > 0 ? "the reference unit's value 0" : unit_text(u) + "'s value 0"));
        col[u] = num / den;
        if (cap && col[u] > 1) col[u] = 1.0;
      }
    } else {
      double mn = 0, mx = 0;
      min_max_of(mn, mx);
      rec.scale[j] = mn;
      const double yref = s * ref;
      if (yref == mn)
        throw data_error(indicator_place(spec, j) + ": distance_to_reference (anchor min) needs a reference unit (" +
                         std::to_string(p.reference_unit) + ") that is not the worst, got its value " +
                         number_text(ref) + " = the " + (s > 0 ? "minimum" : "maximum"));
      for (auto u : rows) {
        double r = 1.0 - (yref - s * col[u]) / (yref - mn);
        if (cap && r > 1) r = 1.0;
        col[u] = r;
      }
    }
    break;
  }
  case normalisation::goalposts:
  case normalisation::scaled: {
    rec.location[j] = ind.baseline;
    rec.scale[j] = ind.goal;
    for (auto u : rows) {
      const double b = per_unit(spec.unit_baseline, ind.baseline, u), g = per_unit(spec.unit_goal, ind.goal, u);
      if (!std::isfinite(b) || !std::isfinite(g) || b == g)
        throw data_error(indicator_place(spec, j) + ": " + std::string(to_string(method)) +
                         " need a finite baseline and goal that differ for " + unit_text(u) + ", got " +
                         number_text(b) + " and " + number_text(g));
      double q = (col[u] - b) / (g - b);
      if (cap) q = (std::max)(0.0, (std::min)(1.0, q));
      col[u] = lo + width * q;
    }
    break;
  }
  case normalisation::fraction_of_max: {
    double mn = 0, mx = 0;
    min_max_of(mn, mx);
    rec.scale[j] = mx;
    if (!(mx > 0))
      throw data_error(indicator_place(spec, j) + ": fraction_of_max needs a maximum > 0 of the " +
                       (s > 0 ? "values, got " + number_text(mx)
                              : "negated values (lower is better), got " + number_text(mx) +
                                    ": for positive values -x / max(-x) would rank the worst unit highest; use "
                                    "min_max or distance_to_max"));
    for (auto u : rows) col[u] = s * col[u] / mx;
    break;
  }
  }
}

} // namespace planeval::composite_detail
