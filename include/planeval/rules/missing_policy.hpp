// Copyright (c) 2026 planeval developers. Distributed under the MIT License.
#pragma once
/// \file rules/missing_policy.hpp
/// The missing-value strategies (DHIS2's), shared by the aggregation rules and derived indicators.

#include <planeval/detail/enum_names.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace planeval::rules {

/// What a rule does with missing values (DHIS2's aggregation strategies).
enum class missing_policy : std::uint8_t {
  skip_if_any_missing, ///< any missing observation makes the value undefined
  skip_if_all_missing, ///< missing observations are ignored; undefined only if nothing was present (default)
  never_skip           ///< a missing observation counts as 0 (with its weight / denominator / date)
};
inline constexpr detail::name_table<missing_policy, 3> missing_policy_names{{
    {missing_policy::skip_if_any_missing, "skip_if_any_missing"},
    {missing_policy::skip_if_all_missing, "skip_if_all_missing"},
    {missing_policy::never_skip, "never_skip"},
}};
/// "skip_if_any_missing", "skip_if_all_missing" or "never_skip".
inline std::string_view to_string(missing_policy p) noexcept { return detail::name_of(missing_policy_names, p); }

/// The policy named by planeval's name or by DHIS2's (skip_if_any_value_missing,
/// skip_if_all_values_missing, never_skip), in any letter case (DHIS2 writes
/// SKIP_IF_ANY_VALUE_MISSING); nullopt for anything else.
inline std::optional<missing_policy> parse_missing_policy(std::string_view s) noexcept {
  static constexpr detail::name_table<missing_policy, 5> names{{
      {missing_policy::skip_if_any_missing, "skip_if_any_missing"},
      {missing_policy::skip_if_all_missing, "skip_if_all_missing"},
      {missing_policy::never_skip, "never_skip"},
      {missing_policy::skip_if_any_missing, "skip_if_any_value_missing"},
      {missing_policy::skip_if_all_missing, "skip_if_all_values_missing"},
  }};
  char lower[32] = {};
  if (s.size() >= sizeof lower) return std::nullopt;
  for (std::size_t i = 0; i < s.size(); ++i)
    lower[i] = (s[i] >= 'A' && s[i] <= 'Z') ? static_cast<char>(s[i] + 32) : s[i];
  return detail::parse_name(names, std::string_view(lower, s.size()));
}

} // namespace planeval::rules
