// Copyright (c) 2026 planeval developers. Distributed under the MIT License.
#pragma once
/// \file rules/missing_policy.hpp
/// The missing-value strategies (DHIS2's), shared by the aggregation rules and derived indicators.

#include <planeval/detail/enum_names.hpp>

#include <cstdint>
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

} // namespace planeval::rules
