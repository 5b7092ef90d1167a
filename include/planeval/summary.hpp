// Copyright (c) 2026 planeval developers. Distributed under the MIT License.
#pragma once
/// \file summary.hpp
/// Counting a plan's contents, and a plain-text summary for terminals.

#include <planeval/plan.hpp>

#include <map>
#include <string>
#include <string_view>

namespace planeval {

/// The broad kind of a target, for counting and grouping.
enum class target_kind {
  quantitative, ///< a numeric goal (>=, >, <=, <, =, between) on a count, amount, rate or ratio
  trend,        ///< increase/decrease versus the baseline, or a yearly rule (只增不减)
  milestone,    ///< a boolean pass/fail milestone
  structure     ///< a share vector such as 3:4:3
};
inline constexpr detail::name_table<target_kind, 4> target_kind_names{{
    {target_kind::quantitative, "quantitative"},
    {target_kind::trend, "trend"},
    {target_kind::milestone, "milestone"},
    {target_kind::structure, "structure"},
}};
inline std::string_view to_string(target_kind k) noexcept { return detail::name_of(target_kind_names, k); }

/// The kind of target `t` in plan `p`.
target_kind kind_of(const plan& p, const target& t);

/// Counts describing a plan.
struct plan_counts {
  std::map<std::string, std::size_t> targets_by_kind;   ///< by to_string(target_kind)
  std::map<std::string, std::size_t> targets_by_phase;  ///< by phase id ("" = none)
  std::map<std::string, std::size_t> targets_by_domain; ///< by indicator domain
  std::map<std::string, std::size_t> targets_by_obligation; ///< "binding", "expected", "unspecified"
  std::map<std::string, std::size_t> targets_by_deadline_basis;
  std::size_t qualitative = 0;
};

/// Count the plan's targets by kind, phase, domain and deadline basis.
plan_counts count(const plan& p);

/// A plain-text summary (title, horizon, phases, counts, conflicts, warnings) in "zh" or "en".
std::string summary(const plan& p, std::string_view lang = "zh");

} // namespace planeval
