// Copyright (c) 2026 planeval developers. Distributed under the MIT License.
#pragma once
/// \file target.hpp
/// Targets: an indicator at a scope, a baseline, a goal with a deadline, interim milestones.

#include <planeval/calendar.hpp>
#include <planeval/comparator.hpp>
#include <planeval/detail/enum_names.hpp>
#include <planeval/detail/tolerance.hpp>
#include <planeval/indicator.hpp>
#include <planeval/text.hpp>
#include <planeval/value.hpp>

#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace planeval {

/// True if comparator `c` can be used with indicators of kind `k`.
constexpr bool comparator_valid_for(comparator c, value_kind k) noexcept {
  switch (k) {
  case value_kind::boolean: return c == comparator::pass;
  case value_kind::shares: return c == comparator::eq;
  default: return c != comparator::pass;
  }
}

/// Where a goal's deadline comes from.
enum class deadline_basis {
  stated,      ///< the source names the date
  phase,       ///< the end of the phase the goal is listed under
  plan_period, ///< "during the plan" (十四五期间)
  assumed      ///< not given: the horizon end
};
inline constexpr detail::name_table<deadline_basis, 4> deadline_basis_names{{
    {deadline_basis::stated, "stated"},
    {deadline_basis::phase, "phase"},
    {deadline_basis::plan_period, "plan_period"},
    {deadline_basis::assumed, "assumed"},
}};
inline std::string_view to_string(deadline_basis b) noexcept { return detail::name_of(deadline_basis_names, b); }

/// A dated value (baseline, milestone).
struct point {
  planeval::date date;
  planeval::value value;
  std::optional<source_ref> source;
  friend bool operator==(const point&, const point&) = default;
};

/// The other series a relative goal compares with (不低于全省平均: the province's value of the same
/// indicator in the same year).
struct relative_ref {
  std::string entity;    ///< entity id of the reference (a province, the nation ...)
  std::string indicator; ///< indicator id; empty: the target's own indicator
  std::uint32_t entity_index = 0;
  std::uint32_t indicator_index = 0; ///< filled in when the target is added to a plan
  friend bool operator==(const relative_ref&, const relative_ref&) = default;
};

/// What a target must reach, and by when.
struct goal {
  planeval::comparator comparator = comparator::ge;
  planeval::value value;           ///< number; [lo, hi] for between; shares vector; missing otherwise
  std::optional<double> tolerance; ///< for '=' (absolute) and shares (percentage points)
  date deadline;
  planeval::deadline_basis deadline_basis = deadline_basis::stated;
  std::optional<date> from; ///< the goal must hold at every observation from this date on
  /// The value judged is the running total of the indicator's yearly values from the horizon
  /// start (or `from`): 十四五期间新建幼儿园 200 所 (累计).
  bool cumulative = false;
  /// The goal value is another entity's value of the same period (不低于全省平均); `value` is then
  /// missing.
  std::optional<relative_ref> relative_to;
  friend bool operator==(const goal&, const goal&) = default;
};

/// Compare `x` with a goal, a value within rounding of the goal value (detail::value_tol: 1e-9 relative)
/// counting as equal to it. Returns nullopt when it cannot be decided from these values
/// (missing value, a yearly rule, increase/decrease without a baseline value, type mismatch).
inline std::optional<bool> satisfies(const goal& g, const value& x, const value& baseline = {}) {
  if (x.is_missing()) return std::nullopt;
  if (g.comparator == comparator::pass) {
    if (!x.is_boolean()) return std::nullopt;
    return x.boolean();
  }
  if (g.comparator == comparator::eq && g.value.is_vector() && x.is_vector()) {
    // shares: normalise both to percentages, then compare component-wise within tolerance
    const auto& a = x.vector();
    const auto& b = g.value.vector();
    if (a.size() != b.size()) return std::nullopt;
    double sa = 0, sb = 0;
    for (double v : a) sa += v;
    for (double v : b) sb += v;
    if (sa <= 0 || sb <= 0) return std::nullopt;
    const double tol = g.tolerance.value_or(0.0);
    for (std::size_t i = 0; i < a.size(); ++i)
      if (std::abs(100.0 * a[i] / sa - 100.0 * b[i] / sb) > tol + 1e-9) return false;
    return true;
  }
  if (!x.is_number()) return std::nullopt;
  const double v = x.number();
  switch (g.comparator) {
  case comparator::increase:
  case comparator::decrease:
    if (!baseline.is_number()) return std::nullopt;
    return g.comparator == comparator::increase ? detail::value_gt(v, baseline.number())
                                                : detail::value_lt(v, baseline.number());
  case comparator::between:
    if (!g.value.is_vector() || g.value.vector().size() != 2) return std::nullopt;
    return detail::value_ge(v, g.value.vector()[0]) && detail::value_le(v, g.value.vector()[1]);
  default: break;
  }
  if (!g.value.is_number()) return std::nullopt;
  const double t = g.value.number();
  switch (g.comparator) {
  case comparator::ge:
  case comparator::gt:
  case comparator::le:
  case comparator::lt: return detail::meets(g.comparator, v, t);
  case comparator::eq: return detail::value_within(v, t, g.tolerance.value_or(0.0));
  default: return std::nullopt;
  }
}

/// A target of the plan. Ids name the indicator, scope entity and phase; the dense indices
/// beside them are filled in when the target is added to a plan.
struct target {
  std::string id;
  std::optional<text> name;
  std::string indicator; ///< indicator id
  std::string scope;     ///< entity id
  std::optional<point> baseline;
  planeval::goal goal;
  std::vector<point> milestones; ///< interim values, sorted by date
  std::string phase;             ///< phase id (may be empty)
  std::string standard;          ///< id of an official standard this milestone is judged by
  std::optional<bool> qualitative;
  planeval::obligation obligation = obligation::unspecified; ///< overrides the indicator's when set
  source_ref source;
  std::string notes;

  std::uint32_t indicator_index = 0;
  std::uint32_t scope_index = 0;
  std::optional<std::uint32_t> phase_index;

  friend bool operator==(const target&, const target&) = default;
};

/// The target's obligation (约束性/预期性): its own, else its indicator's.
inline obligation obligation_of(const target& t, const indicator& ind) noexcept {
  return t.obligation != obligation::unspecified ? t.obligation : ind.obligation;
}

/// A bound the source states instead of an exact figure ("99%以上" is >=, "856余" is >).
enum class qualifier { exact, ge, gt, le, lt, approx };
inline constexpr detail::name_table<qualifier, 6> qualifier_names{{
    {qualifier::exact, "="},
    {qualifier::ge, ">="},
    {qualifier::gt, ">"},
    {qualifier::le, "<="},
    {qualifier::lt, "<"},
    {qualifier::approx, "approx"},
}};
inline std::string_view to_string(qualifier q) noexcept { return detail::name_of(qualifier_names, q); }

/// An observation recorded in the plan itself (historical figures, such as the previous plan period's results).
struct recorded_observation {
  std::string id;
  std::string indicator;
  std::string entity;
  planeval::period period; ///< the day itself (start == end) for a dated value
  bool dated = true;       ///< written as "date" (true) or "period" (false)
  planeval::value value;
  std::optional<planeval::qualifier> qualifier;
  std::optional<source_ref> source;
  std::string notes;
  std::uint32_t indicator_index = 0;
  std::uint32_t entity_index = 0;
  friend bool operator==(const recorded_observation&, const recorded_observation&) = default;
};

/// A contradiction in the source, kept rather than silently resolved.
struct conflict {
  std::string id;
  std::vector<std::string> items; ///< ids of targets, observations or notes
  text description;
  friend bool operator==(const conflict&, const conflict&) = default;
};

/// A remark about the source that the format cannot express as a target.
struct note {
  std::string id;
  planeval::text text;
  std::optional<source_ref> source;
  friend bool operator==(const note&, const note&) = default;
};

} // namespace planeval
