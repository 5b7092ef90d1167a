// Copyright (c) 2026 planeval developers. Distributed under the MIT License.
#pragma once
/// \file missing_policy.hpp
/// The missing-value strategies (DHIS2's) and their one parser, shared by the model (derived
/// indicators), the formula language, the aggregation rules, the roll-up, the readers and the
/// bindings. A low-level header: it includes nothing of the model or the rules.
///
/// Every place that reads a policy by name calls parse_missing_policy (nullopt for an unknown name)
/// or missing_policy_from (throws planeval::error naming the place and the allowed names): both
/// take planeval's names and DHIS2's (MissingValueStrategy: SKIP_IF_ANY_VALUE_MISSING,
/// SKIP_IF_ALL_VALUES_MISSING, NEVER_SKIP) in any letter case.

#include <planeval/detail/enum_names.hpp>
#include <planeval/error.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace planeval {

/// What a rule or a formula does with missing values (DHIS2's missing value strategies).
enum class missing_policy : std::uint8_t {
  skip_if_any_missing, ///< any missing observation makes the value undefined
  skip_if_all_missing, ///< missing observations are ignored; undefined only if nothing was present (default)
  never_skip           ///< a missing observation counts as 0 (with its weight / denominator / date)
};
/// planeval's names (what to_string gives and files are written with).
inline constexpr detail::name_table<missing_policy, 3> missing_policy_names{{
    {missing_policy::skip_if_any_missing, "skip_if_any_missing"},
    {missing_policy::skip_if_all_missing, "skip_if_all_missing"},
    {missing_policy::never_skip, "never_skip"},
}};
/// DHIS2's names (MissingValueStrategy), as DHIS2 writes them.
inline constexpr detail::name_table<missing_policy, 3> missing_policy_dhis2_names{{
    {missing_policy::skip_if_any_missing, "SKIP_IF_ANY_VALUE_MISSING"},
    {missing_policy::skip_if_all_missing, "SKIP_IF_ALL_VALUES_MISSING"},
    {missing_policy::never_skip, "NEVER_SKIP"},
}};
/// "skip_if_any_missing", "skip_if_all_missing" or "never_skip".
inline std::string_view to_string(missing_policy p) noexcept { return detail::name_of(missing_policy_names, p); }

namespace detail {
/// a == b ignoring ASCII letter case.
constexpr bool iequals_ascii(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const char x = (a[i] >= 'A' && a[i] <= 'Z') ? static_cast<char>(a[i] + 32) : a[i];
    const char y = (b[i] >= 'A' && b[i] <= 'Z') ? static_cast<char>(b[i] + 32) : b[i];
    if (x != y) return false;
  }
  return true;
}
} // namespace detail

/// The policy named by planeval's name or by DHIS2's, in any letter case ("skip_if_all_missing",
/// "SKIP_IF_ALL_VALUES_MISSING", "Never_Skip"); nullopt for anything else.
constexpr std::optional<missing_policy> parse_missing_policy(std::string_view s) noexcept {
  for (const auto& table : {missing_policy_names, missing_policy_dhis2_names})
    for (const auto& [value, name] : table)
      if (detail::iequals_ascii(s, name)) return value;
  return std::nullopt;
}

/// The names parse_missing_policy accepts, for messages: "skip_if_any_missing", ... or "never_skip"
/// (or DHIS2's "SKIP_IF_ANY_VALUE_MISSING", "SKIP_IF_ALL_VALUES_MISSING" or "NEVER_SKIP", in any
/// letter case).
inline std::string missing_policy_alternatives() {
  return detail::alternatives(missing_policy_names) + " (or DHIS2's " +
         detail::alternatives(missing_policy_dhis2_names) + ", in any letter case)";
}

/// The policy named `name`; throws planeval::error "WHERE: expected one of
/// "skip_if_any_missing", "skip_if_all_missing" or "never_skip", got "NAME" (or DHIS2's ...)"
/// for anything else. `where` names the argument or field ("missing", "rollup: missing",
/// "indicators[2].formula.missing").
inline missing_policy missing_policy_from(std::string_view name, std::string_view where) {
  if (const auto p = parse_missing_policy(name)) return *p;
  std::string m(where);
  m += ": expected one of ";
  m += detail::alternatives(missing_policy_names);
  m += ", got \"";
  m += name;
  m += "\" (or DHIS2's ";
  m += detail::alternatives(missing_policy_dhis2_names);
  m += ", in any letter case)";
  throw error(m);
}

namespace rules {
// The rules' historical spelling: rules::missing_policy and its helpers are these.
using planeval::missing_policy;
using planeval::missing_policy_alternatives;
using planeval::missing_policy_dhis2_names;
using planeval::missing_policy_from;
using planeval::missing_policy_names;
using planeval::parse_missing_policy;
using planeval::to_string; // rules::to_string(missing_policy)
} // namespace rules

} // namespace planeval
