// Copyright (c) 2026 planeval developers. Distributed under the MIT License.
#pragma once
/// \file rules/kind.hpp
/// The rule registry: one enum of the aggregation rules (rule_kind), one table of their names and
/// of what each observes, DHIS2's aggregation-type names as aliases, and one dispatch (visit) from
/// a kind and its parameters to a value of the rule's type.
///
/// Design notes: consumers are templates over the rule type, as Boost.Histogram's histogram is a
/// template over its storage (the accumulator type): `visit(kind, params, f)` calls `f(R{...})`
/// once with the rule built from `params`, and `f` is a generic lambda that instantiates its hot
/// loop for that R (no virtual call, no allocation per observation: the switch runs once per call,
/// not per row). aggregate() in the Python bindings and the roll-up engine (src/rollup.cpp) are
/// written this way; neither has a list of rules of its own.
///
/// Adding a rule: write its value type in its own header under rules/ (static `name`, `mergeable`,
/// operator() / missing() / value() / count() / missing_count() / policy(), serialize; see
/// rules.hpp), then in this header (1) include that header, (2) add an enumerator to rule_kind
/// (before `indicator`), (3) add its row to rule_table (name, what it observes, whether a roll-up
/// feeds it the weight column), (4) add its branch to make_rule (visit and visit_kind reach it from there), (5) add its DHIS2 name to
/// rule_aliases if DHIS2 has one. The tests in tests/cpp/rules_test.cpp check that every kind has
/// a row and is reached by visit. The Python classes (bindings/python/src/register_rules.cpp) are
/// the only other place that names rule types: a new rule gets a class there if Python should see
/// it; aggregate() and planeval.rule_names() pick it up from this table.

#include <planeval/detail/enum_names.hpp>
#include <planeval/error.hpp>
#include <planeval/missing_policy.hpp>
#include <planeval/rules/common.hpp>
#include <planeval/rules/cv.hpp>
#include <planeval/rules/extremum.hpp>
#include <planeval/rules/first_last.hpp>
#include <planeval/rules/k_of_n.hpp>
#include <planeval/rules/meeting.hpp>
#include <planeval/rules/quantile.hpp>
#include <planeval/rules/ratio.hpp>
#include <planeval/rules/structure_shares.hpp>
#include <planeval/rules/sum.hpp>
#include <planeval/rules/variance.hpp>
#include <planeval/rules/weighted_mean.hpp>
#include <planeval/rules/year_over_year.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace planeval::rule_kinds {

/// Every aggregation rule. `indicator` is not a rule: it says "each indicator's own rule" where a
/// rule may be chosen (planeval::rollup_rule is this enum); visit refuses it.
enum class rule_kind : std::uint8_t {
  sum,              ///< Σx (DHIS2 SUM)
  count,            ///< number of values (DHIS2 COUNT)
  mean,             ///< Σx / n (DHIS2 AVERAGE)
  min,              ///< smallest value (DHIS2 MIN)
  max,              ///< largest value (DHIS2 MAX)
  first,            ///< value on the earliest date (DHIS2 FIRST)
  last,             ///< value on the latest date (DHIS2 LAST)
  weighted_mean,    ///< Σwx / Σw
  ratio_of_sums,    ///< factor · Σnum / Σden
  mean_of_ratios,   ///< factor · mean(num / den)
  variance,         ///< M2 / (Σw − ddof) (DHIS2 VARIANCE)
  stddev,           ///< √variance (DHIS2 STDDEV)
  cv,               ///< 差异系数 S / x̄, weighted by the weights (students) when given
  cv_unweighted,    ///< coefficient of variation, every unit once
  share_meeting,    ///< share of units with x c threshold
  count_meeting,    ///< number of units with x c threshold
  year_over_year,   ///< 只增不减 (or strictly increasing)
  structure_shares, ///< largest deviation from target shares
  median,           ///< type 7 median
  percentile,       ///< type 7 quantile q
  k_of_n,           ///< share of units passing k of n criteria
  indicator         ///< not a rule: each indicator's declared rule (a roll-up's default)
};

} // namespace planeval::rule_kinds

namespace planeval::rules {

// rule_kind is declared outside namespace rules (and brought in by a using-declaration) because
// GCC's -Wshadow takes its enumerators (sum, min...) for redeclarations of the rule types of the
// same names.
using planeval::rule_kinds::rule_kind;

/// What a rule observes (its operator()).
enum class rule_input : std::uint8_t {
  values,                 ///< (x)
  values_weights,         ///< (x) or (x, w): optional frequency weights (students for cv)
  values_weights_required, ///< (x, w)
  numerators_denominators, ///< (num, den)
  years_values,           ///< (year, x)
  categories_amounts,     ///< (category, x)
  dates_values,           ///< (x, day)
  unit_rows               ///< (unit, values, present): one row of criterion values per unit
};

/// One row of the registry.
struct rule_info {
  rule_kind kind;
  std::string_view name; ///< planeval's name (what to_string gives, what Python lists)
  rule_input input;
  /// True if a roll-up across entities observes (x, w) with the row's weight (students, or the
  /// denominator the indicator's definition names); false: it observes (x).
  bool weighted;
  /// The parameter a caller must give for the rule to mean anything ("threshold", "q", "target",
  /// "criteria"); empty if the defaults will do.
  std::string_view needs = {};
};

/// The registry: one row per rule, in the order of rule_kind.
inline constexpr std::array<rule_info, 21> rule_table{{
    {rule_kind::sum, "sum", rule_input::values, false},
    {rule_kind::count, "count", rule_input::values, false},
    {rule_kind::mean, "mean", rule_input::values, false},
    {rule_kind::min, "min", rule_input::values, false},
    {rule_kind::max, "max", rule_input::values, false},
    {rule_kind::first, "first", rule_input::dates_values, false},
    {rule_kind::last, "last", rule_input::dates_values, false},
    {rule_kind::weighted_mean, "weighted_mean", rule_input::values_weights_required, true},
    {rule_kind::ratio_of_sums, "ratio_of_sums", rule_input::numerators_denominators, false},
    {rule_kind::mean_of_ratios, "mean_of_ratios", rule_input::numerators_denominators, false},
    {rule_kind::variance, "variance", rule_input::values_weights, false},
    {rule_kind::stddev, "stddev", rule_input::values_weights, false},
    {rule_kind::cv, "cv", rule_input::values_weights, true},
    {rule_kind::cv_unweighted, "cv_unweighted", rule_input::values_weights, false},
    {rule_kind::share_meeting, "share_meeting", rule_input::values, false, "threshold"},
    {rule_kind::count_meeting, "count_meeting", rule_input::values, false, "threshold"},
    {rule_kind::year_over_year, "year_over_year", rule_input::years_values, false},
    {rule_kind::structure_shares, "structure_shares", rule_input::categories_amounts, false, "target"},
    {rule_kind::median, "median", rule_input::values, false},
    {rule_kind::percentile, "percentile", rule_input::values, false, "q"},
    {rule_kind::k_of_n, "k_of_n", rule_input::unit_rows, false, "criteria"},
}};
static_assert(rule_table.size() == static_cast<std::size_t>(rule_kind::indicator), "one row per rule_kind");
static_assert([] {
  for (std::size_t i = 0; i < rule_table.size(); ++i)
    if (static_cast<std::size_t>(rule_table[i].kind) != i) return false;
  return true;
}(), "rule_table rows in the order of rule_kind");

/// The row of `k` (k must not be rule_kind::indicator).
constexpr const rule_info& info(rule_kind k) noexcept { return rule_table[static_cast<std::size_t>(k)]; }

/// DHIS2's aggregation types (AggregationType) that have a planeval rule. The compound
/// `<time>_<org unit>_ORG_UNIT` types name the rule across organisation units second: that is the
/// rule across entities (the time part is the indicator's time rule), so AVERAGE_SUM_ORG_UNIT is
/// sum and LAST_AVERAGE_ORG_UNIT is mean. DHIS2's plain LAST and FIRST are the value on the latest
/// / earliest date (rules::last / rules::first). NONE, CUSTOM and DEFAULT have no rule.
inline constexpr std::array<std::pair<std::string_view, rule_kind>, 18> rule_aliases{{
    {"SUM", rule_kind::sum},
    {"AVERAGE", rule_kind::mean},
    {"AVERAGE_SUM_ORG_UNIT", rule_kind::sum},
    {"LAST", rule_kind::last},
    {"LAST_AVERAGE_ORG_UNIT", rule_kind::mean},
    {"LAST_LAST_ORG_UNIT", rule_kind::last},
    {"LAST_IN_PERIOD", rule_kind::last},
    {"LAST_IN_PERIOD_AVERAGE_ORG_UNIT", rule_kind::mean},
    {"FIRST", rule_kind::first},
    {"FIRST_AVERAGE_ORG_UNIT", rule_kind::mean},
    {"FIRST_FIRST_ORG_UNIT", rule_kind::first},
    {"COUNT", rule_kind::count},
    {"STDDEV", rule_kind::stddev},
    {"VARIANCE", rule_kind::variance},
    {"MIN", rule_kind::min},
    {"MAX", rule_kind::max},
    {"MIN_SUM_ORG_UNIT", rule_kind::sum},
    {"MAX_SUM_ORG_UNIT", rule_kind::sum},
}};

} // namespace planeval::rules

namespace planeval::rule_kinds {
/// planeval's name of a rule ("sum", "cv_unweighted"); "indicator" for rule_kind::indicator.
constexpr std::string_view to_string(rule_kind k) noexcept {
  return k == rule_kind::indicator ? std::string_view("indicator") : rules::info(k).name;
}
} // namespace planeval::rule_kinds

namespace planeval::rules {
using rule_kinds::to_string;

/// The rule named by planeval's name or a DHIS2 aggregation type (rule_aliases), in any letter
/// case ("weighted_mean", "AVERAGE", "Average_Sum_Org_Unit"); nullopt for anything else,
/// including "indicator" (not a rule).
constexpr std::optional<rule_kind> parse_rule_kind(std::string_view s) noexcept {
  for (const auto& r : rule_table)
    if (detail::iequals_ascii(s, r.name)) return r.kind;
  for (const auto& [alias, kind] : rule_aliases)
    if (detail::iequals_ascii(s, alias)) return kind;
  return std::nullopt;
}

/// "sum, count, ... or k_of_n": the rule names, for messages.
inline std::string rule_alternatives() {
  std::string s;
  for (std::size_t i = 0; i < rule_table.size(); ++i) {
    if (i > 0) s += (i + 1 == rule_table.size()) ? " or " : ", ";
    s += rule_table[i].name;
  }
  return s;
}

/// The rule named `name`; throws planeval::error "<where>: unknown rule "x"; expected one of sum,
/// count, ... or k_of_n (or a DHIS2 aggregation type such as AVERAGE, in any letter case)".
inline rule_kind rule_kind_from(std::string_view name, std::string_view where) {
  if (const auto k = parse_rule_kind(name)) return *k;
  std::string m(where);
  m += ": unknown rule \"";
  m += name;
  m += "\"; expected one of ";
  m += rule_alternatives();
  m += " (or a DHIS2 aggregation type with a planeval rule: SUM, AVERAGE, AVERAGE_SUM_ORG_UNIT, COUNT, MIN, MAX, "
       "STDDEV, VARIANCE, FIRST, LAST..., in any letter case)";
  throw error(m);
}

/// The parameters a rule is built from (each rule reads the ones it has; the others are ignored).
struct rule_params {
  planeval::missing_policy missing = planeval::missing_policy::skip_if_all_missing;
  rules::ddof ddof = rules::ddof::population;   ///< variance, stddev, cv, cv_unweighted
  /// cv only: weighted (default) or unweighted; cv_unweighted is always unweighted.
  cv_weighting weighting = cv_weighting::weighted;
  planeval::comparator comparator = planeval::comparator::ge; ///< share_meeting, count_meeting
  double threshold = 0;                                       ///< share_meeting, count_meeting
  double q = 0.5;                                             ///< percentile
  double factor = 1;                                          ///< ratio_of_sums, mean_of_ratios
  bool strict = false;                                        ///< year_over_year
  std::span<const double> target;  ///< structure_shares (empty: the empty identity)
  double tolerance = 0;            ///< structure_shares
  std::span<const criterion> criteria; ///< k_of_n (empty: the empty identity)
  std::optional<std::uint32_t> k;  ///< k_of_n (default: every criterion)
  double floor = 0.85;             ///< k_of_n
};

/// The rule of kind K built from `p`: its value type is rule_type<K> (rules::sum ... rules::k_of_n;
/// cv and cv_unweighted are both rules::cv). Whatever the rule's constructor throws for invalid
/// parameters propagates (planeval::error).
template <rule_kind K>
auto make_rule(const rule_params& p) {
  if constexpr (K == rule_kind::sum) return sum(p.missing);
  else if constexpr (K == rule_kind::count) return count(p.missing);
  else if constexpr (K == rule_kind::mean) return mean(p.missing);
  else if constexpr (K == rule_kind::min) return min{p.missing}; // braces: no min( for <windows.h>-style macros
  else if constexpr (K == rule_kind::max) return max{p.missing};
  else if constexpr (K == rule_kind::first) return first(p.missing);
  else if constexpr (K == rule_kind::last) return last(p.missing);
  else if constexpr (K == rule_kind::weighted_mean) return weighted_mean(p.missing);
  else if constexpr (K == rule_kind::ratio_of_sums) return ratio_of_sums(p.factor, p.missing);
  else if constexpr (K == rule_kind::mean_of_ratios) return mean_of_ratios(p.factor, p.missing);
  else if constexpr (K == rule_kind::variance) return variance(p.ddof, p.missing);
  else if constexpr (K == rule_kind::stddev) return stddev(p.ddof, p.missing);
  else if constexpr (K == rule_kind::cv) return cv(p.weighting, p.ddof, p.missing);
  else if constexpr (K == rule_kind::cv_unweighted) return cv(cv_weighting::unweighted, p.ddof, p.missing);
  else if constexpr (K == rule_kind::share_meeting) return share_meeting(p.comparator, p.threshold, p.missing);
  else if constexpr (K == rule_kind::count_meeting) return count_meeting(p.comparator, p.threshold, p.missing);
  else if constexpr (K == rule_kind::year_over_year) return year_over_year(p.strict, p.missing);
  else if constexpr (K == rule_kind::structure_shares)
    return p.target.empty()
               ? structure_shares()
               : structure_shares(std::vector<double>(p.target.begin(), p.target.end()), p.tolerance, p.missing);
  else if constexpr (K == rule_kind::median) return median(p.missing);
  else if constexpr (K == rule_kind::percentile) return percentile(p.q, p.missing);
  else if constexpr (K == rule_kind::k_of_n)
    return p.criteria.empty()
               ? k_of_n()
               : k_of_n(std::vector<criterion>(p.criteria.begin(), p.criteria.end()),
                        p.k.value_or(static_cast<std::uint32_t>(p.criteria.size())), p.floor, p.missing);
  else static_assert(K != K, "rule_kind without a make_rule branch (or rule_kind::indicator, not a rule)");
}

/// The value type of the rules of kind K.
template <rule_kind K>
using rule_type = decltype(make_rule<K>(std::declval<const rule_params&>()));

/// A kind known at compile time, as visit_kind passes it.
template <rule_kind K>
using kind_constant = std::integral_constant<rule_kind, K>;

} // namespace planeval::rules

namespace planeval::detail {
[[noreturn]] inline void throw_not_a_rule(rules::rule_kind k) {
  throw error("rule \"" + std::string(rule_kinds::to_string(k)) + "\" is not a rule: it stands for each indicator's own rule");
}
template <class F, std::size_t... I>
decltype(auto) visit_kind(rules::rule_kind k, F& f, std::index_sequence<I...>) {
  using rules::kind_constant;
  using rules::rule_kind;
  using result = decltype(f(kind_constant<rule_kind{}>{}));
  using call = result (*)(F&);
  // one entry per kind: a jump table, as a switch compiles to
  static constexpr call table[] = {+[](F& g) -> result { return g(kind_constant<static_cast<rule_kind>(I)>{}); }...};
  if (static_cast<std::size_t>(k) >= sizeof...(I)) throw_not_a_rule(k);
  return table[static_cast<std::size_t>(k)](f);
}
} // namespace planeval::detail

namespace planeval::rules {

/// Calls `f(kind_constant<K>{})` for the kind `k` (K == k, a compile-time constant), and returns
/// what f returns (the same type for every K). For code that needs the kind itself at compile
/// time (its row in rule_table, one array per kind); visit builds on it. Throws planeval::error for
/// rule_kind::indicator.
template <class F>
decltype(auto) visit_kind(rule_kind k, F&& f) {
  return detail::visit_kind(k, f, std::make_index_sequence<rule_table.size()>{});
}

/// Calls `f(R)` with the rule of kind `k` built from `p` (make_rule: R is the rule's value type)
/// and returns what f returns, which must be the same type for every R. The dispatch runs once per
/// call: `f` is a generic lambda whose loop is compiled for each rule type, so the loop itself has
/// no switch and no virtual call. Throws planeval::error for rule_kind::indicator, and whatever the
/// rule's constructor throws for invalid parameters.
template <class F>
decltype(auto) visit(rule_kind k, const rule_params& p, F&& f) {
  return visit_kind(k, [&](auto kind) -> decltype(auto) { return f(make_rule<decltype(kind)::value>(p)); });
}

} // namespace planeval::rules
