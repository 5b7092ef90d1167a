// Copyright (c) 2026 planeval developers. Distributed under the MIT License.
#pragma once
/// \file detail/tolerance.hpp
/// Comparisons at a category or goal boundary that ignore floating-point rounding.
///
/// A trend that reaches a target exactly, or a roll-up whose exact value is on a threshold, is
/// computed with rounding errors of a few units in the last place (0.1 + 0.2 − 0.3 = 5.6e-17; a
/// regression predicting 97.85 gives 97.84999999999998). Without a tolerance such a value lands on
/// the wrong side of the published boundary (ESCAP's anticipated progress "accelerate" instead of
/// "maintain"). Values within `boundary_rel_tol` of the boundary count as on it:
/// - a *ratio* (dimensionless: progress ratios, gaps, growth rates) is on threshold t when
///   |v − t| ≤ 1e-9 · max(1, |t|);
/// - a *data value* (in the indicator's unit) is on goal value t when |v − t| ≤ 1e-9 · max(|v|, |t|).
/// 1e-9 is far below any published precision (official figures have at most 4 significant
/// decimals) and far above accumulated rounding of sums of up to 10^6 terms (~1e-10 relative).

#include <algorithm>
#include <cmath>

namespace planeval::detail {

inline constexpr double boundary_rel_tol = 1e-9;

/// The tolerance of a dimensionless quantity compared with threshold t.
inline double ratio_tol(double t) noexcept { return boundary_rel_tol * (std::max)(1.0, std::abs(t)); }
/// The tolerance of data values v and t (relative to the larger magnitude).
inline double value_tol(double v, double t) noexcept {
  return boundary_rel_tol * (std::max)(std::abs(v), std::abs(t));
}

/// v ≥ t (inclusive) or v > t (exclusive) for ratios, a value within ratio_tol(t) of t being t.
inline bool ratio_at_least(double v, double t, bool inclusive = true) noexcept {
  return inclusive ? v >= t - ratio_tol(t) : v > t + ratio_tol(t);
}
/// v ≤ t (inclusive) or v < t (exclusive) for ratios.
inline bool ratio_at_most(double v, double t, bool inclusive = true) noexcept {
  return inclusive ? v <= t + ratio_tol(t) : v < t - ratio_tol(t);
}
/// d·(v − t) ≥ 0 for data values: v has reached t in direction d (+1 higher is better, −1 lower),
/// a value within value_tol of t counting as t.
inline bool value_reached(double d, double v, double t) noexcept { return d * (v - t) >= -value_tol(v, t); }
/// v ≥ t, v > t, v ≤ t, v < t, |v − t| ≤ tol for data values.
inline bool value_ge(double v, double t) noexcept { return v >= t - value_tol(v, t); }
inline bool value_gt(double v, double t) noexcept { return v > t + value_tol(v, t); }
inline bool value_le(double v, double t) noexcept { return v <= t + value_tol(v, t); }
inline bool value_lt(double v, double t) noexcept { return v < t - value_tol(v, t); }
inline bool value_within(double v, double t, double tol) noexcept { return std::abs(v - t) <= tol + value_tol(v, t); }

} // namespace planeval::detail
