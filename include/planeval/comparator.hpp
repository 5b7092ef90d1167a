// Copyright (c) 2026 planeval developers. Distributed under the MIT License.
#pragma once
/// \file comparator.hpp
/// How a goal or a threshold compares a value: the comparators, their names in plan files, and what
/// each needs.
///
/// Design notes: a low-level header (no model, no dates, no Boost), so that the aggregation rules
/// (rules/k_of_n.hpp) can name a comparator without pulling in targets, indicators and
/// Boost.Date_Time. target.hpp includes it.

#include <planeval/detail/enum_names.hpp>
#include <planeval/detail/tolerance.hpp>

#include <string_view>

namespace planeval {

/// How a goal compares a value with its goal value.
enum class comparator {
  ge,                 ///< >=  (以上, 不低于, 达到, 至少, 不少于)
  gt,                 ///< >   (X余个, 超过)
  le,                 ///< <=  (不超过, 以内)
  lt,                 ///< <   (低于, 少于)
  eq,                 ///< =   (within tolerance; for shares: every share within tolerance)
  between,            ///< lo <= x <= hi (1—2项)
  pass,               ///< boolean milestone passed (通过, 建成)
  increase,           ///< value at the deadline above the baseline (适当增加)
  decrease,           ///< value at the deadline below the baseline
  non_decreasing,     ///< every year >= the year before (只增不减)
  strictly_increasing ///< every year > the year before
};
inline constexpr detail::name_table<comparator, 11> comparator_names{{
    {comparator::ge, ">="},
    {comparator::gt, ">"},
    {comparator::le, "<="},
    {comparator::lt, "<"},
    {comparator::eq, "="},
    {comparator::between, "between"},
    {comparator::pass, "pass"},
    {comparator::increase, "increase"},
    {comparator::decrease, "decrease"},
    {comparator::non_decreasing, "non_decreasing"},
    {comparator::strictly_increasing, "strictly_increasing"},
}};
inline std::string_view to_string(comparator c) noexcept { return detail::name_of(comparator_names, c); }

/// True if `c` needs a goal value; false for pass, increase, decrease and the yearly rules.
constexpr bool needs_value(comparator c) noexcept {
  return c == comparator::ge || c == comparator::gt || c == comparator::le || c == comparator::lt ||
         c == comparator::eq || c == comparator::between;
}
/// True for the comparators judged year by year against the previous year.
constexpr bool is_yearly_rule(comparator c) noexcept {
  return c == comparator::non_decreasing || c == comparator::strictly_increasing;
}

namespace detail {
/// `x c t` for a threshold comparator (>=, >, <=, <, =), a value within rounding of t (1e-9
/// relative, detail/tolerance.hpp) counting as t; false for any other comparator. The one rule
/// goals (`satisfies`) and the rules and standards' criteria judge by.
inline bool meets(comparator c, double x, double t) noexcept {
  switch (c) {
  case comparator::ge: return value_ge(x, t);
  case comparator::gt: return value_gt(x, t);
  case comparator::le: return value_le(x, t);
  case comparator::lt: return value_lt(x, t);
  case comparator::eq: return value_within(x, t, 0.0);
  default: return false;
  }
}
} // namespace detail

} // namespace planeval
