// Copyright (c) 2026 planeval developers. Distributed under the MIT License.
#pragma once
/// \file indicator.hpp
/// Indicators: what is measured, in which unit, of which kind, and which way is better.

#include <planeval/detail/enum_names.hpp>
#include <planeval/missing_policy.hpp>
#include <planeval/text.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace planeval {

/// What kind of value an indicator takes; decides which goal comparators make sense.
enum class value_kind {
  count,   ///< a number of people, schools, courses... (人, 所, 门)
  amount,  ///< money or area (亿元, 元, ㎡)
  rate,    ///< a percentage (%) or per-mille
  ratio,   ///< any other quotient (students per teacher)
  boolean, ///< a pass/fail milestone (通过督导评估)
  shares   ///< a structure: a vector of shares such as 3:4:3
};
inline constexpr detail::name_table<value_kind, 6> value_kind_names{{
    {value_kind::count, "count"},
    {value_kind::amount, "amount"},
    {value_kind::rate, "rate"},
    {value_kind::ratio, "ratio"},
    {value_kind::boolean, "boolean"},
    {value_kind::shares, "shares"},
}};

/// Which way is better.
enum class direction { increase, decrease, maintain, band };
inline constexpr detail::name_table<direction, 4> direction_names{{
    {direction::increase, "increase"},
    {direction::decrease, "decrease"},
    {direction::maintain, "maintain"},
    {direction::band, "band"},
}};

/// Whether the plan binds itself to an indicator (约束性) or states an expectation (预期性), as
/// Chinese five-year plans mark each row of their indicator tables (指标属性).
enum class obligation : std::uint8_t { unspecified, binding, expected };
inline constexpr detail::name_table<obligation, 2> obligation_names{{
    {obligation::binding, "binding"},
    {obligation::expected, "expected"},
}};
/// Every obligation, in the order summaries list them.
inline constexpr obligation obligations_in_order[] = {obligation::binding, obligation::expected,
                                                      obligation::unspecified};
/// The obligation named `name` ("binding", "expected"); unspecified for any other name.
inline obligation obligation_named(std::string_view name) noexcept {
  return detail::parse_name(obligation_names, name).value_or(obligation::unspecified);
}
/// 约束性 / binding, 预期性 / expected, 未注明 / unspecified.
inline text obligation_label(obligation o) {
  switch (o) {
  case obligation::binding: return {"约束性", "binding"};
  case obligation::expected: return {"预期性", "expected"};
  default: return {"未注明", "unspecified"};
  }
}

/// A domain of the plan (教育普及, 教师队伍 ...): the plan declares its own vocabulary, and every
/// indicator's `domain` must name one of them.
struct domain {
  std::string id; ///< identifier (is_valid_id: letters of any script, digits, _ . -)
  text name;      ///< 中文 name, English beside it
  friend bool operator==(const domain&, const domain&) = default;
};

/// School stages (学段).
enum class stage : std::uint8_t { kindergarten, primary, junior, senior };
inline constexpr detail::name_table<stage, 4> stage_names{{
    {stage::kindergarten, "幼儿园"},
    {stage::primary, "小学"},
    {stage::junior, "初中"},
    {stage::senior, "高中"},
}};
inline constexpr detail::name_table<stage, 4> stage_names_en{{
    {stage::kindergarten, "kindergarten"},
    {stage::primary, "primary"},
    {stage::junior, "junior secondary"},
    {stage::senior, "senior secondary"},
}};

/// How values combine across entities (schools -> stage -> district).
enum class entity_rule { unspecified, sum, mean, weighted_mean, ratio_of_sums, min, max, all, any, none };
inline constexpr detail::name_table<entity_rule, 9> entity_rule_names{{
    {entity_rule::sum, "sum"},
    {entity_rule::mean, "mean"},
    {entity_rule::weighted_mean, "weighted_mean"},
    {entity_rule::ratio_of_sums, "ratio_of_sums"},
    {entity_rule::min, "min"},
    {entity_rule::max, "max"},
    {entity_rule::all, "all"},
    {entity_rule::any, "any"},
    {entity_rule::none, "none"},
}};

/// How values combine across periods (a flow is summed, a stock takes its last value).
/// `mean` is the plain mean of the rows in a period; `mean_days` weights each row by the days it
/// covers (DHIS2's average over time); `first`/`last` take the row that starts first / ends last.
enum class time_rule { unspecified, sum, last, mean, min, max, none, first, mean_days };
inline constexpr detail::name_table<time_rule, 8> time_rule_names{{
    {time_rule::sum, "sum"},
    {time_rule::last, "last"},
    {time_rule::mean, "mean"},
    {time_rule::mean_days, "mean_days"},
    {time_rule::first, "first"},
    {time_rule::min, "min"},
    {time_rule::max, "max"},
    {time_rule::none, "none"},
}};

/// How a derived indicator is computed from other indicators (DHIS2's indicator model; the formula
/// language is planeval/expression.hpp). Either `expression` (the value for the same entity and
/// period) or `numerator` and `denominator` (each side aggregated over entities and periods first,
/// then divided and multiplied by `factor`: a ratio of sums).
struct indicator_formula {
  std::string expression;  ///< e.g. "#{a} + #{b}"; empty for a ratio
  std::string numerator;   ///< e.g. "#{party_member_teachers}"; empty unless a ratio
  std::string denominator; ///< e.g. "#{full_time_teachers}"
  double factor = 1;       ///< 100 for percentages, 1000 per thousand
  /// Missing inputs (skip_if_any_missing: a missing input makes the value missing; the DHIS2
  /// names skip_if_any_value_missing, skip_if_all_values_missing, never_skip are accepted too).
  planeval::missing_policy missing = missing_policy::skip_if_any_missing;

  /// True for numerator / denominator formulas.
  bool is_ratio() const noexcept { return !numerator.empty() || !denominator.empty(); }
  friend bool operator==(const indicator_formula&, const indicator_formula&) = default;
};

/// A plan constant, referenced in formulas as C{id} (DHIS2's constants).
struct constant {
  std::string id; ///< identifier (is_valid_id: letters of any script, digits, _ . -)
  text name;      ///< 中文 name, English beside it
  double value = 0;
  std::optional<source_ref> source;
  friend bool operator==(const constant&, const constant&) = default;
};

/// An indicator of the plan.
struct indicator {
  std::string id;   ///< identifier (is_valid_id: letters of any script, digits, _ . -)
  text name;        ///< 中文 name verbatim from the source, English beside it
  std::string unit; ///< 人, %, 所, 门, 个, 亿元, ㎡, 元, ratio, boolean ...
  /// The unit in English when the plan gives it ("teachers" for 人); empty: planeval's own
  /// table of common units (english_unit_names()), else the unit as written.
  std::string unit_en;
  value_kind kind = value_kind::count;
  planeval::direction direction = direction::increase;
  std::optional<int> decimals;           ///< display precision
  std::vector<stage> stages;             ///< stages it concerns (empty: all / not stage-specific)
  std::string domain;                    ///< id of a domain the plan declares (plan::domains())
  planeval::obligation obligation = obligation::unspecified; ///< 约束性 / 预期性
  std::string parent;                    ///< id of the indicator this one is part of (其中); empty if none
  std::vector<std::string> tags;         ///< free tags
  std::optional<text> definition;        ///< numerator/denominator in words
  std::vector<std::string> share_labels; ///< for shares: component labels (高级, 中级, 初级)
  entity_rule across_entities = entity_rule::unspecified;
  time_rule across_time = time_rule::unspecified;
  /// What weighs each unit when a weighted rule (weighted_mean, ratio_of_sums) combines units:
  /// "students" (its students), "units" (each unit once: a share of campuses, 9 of 11 = 81.8%),
  /// or the id of a count indicator earlier in the plan (the denominator: teachers, classes).
  /// Empty: students. Readers that fill weights themselves (the Excel template) follow it.
  std::string weight_by;
  std::optional<source_ref> source;
  /// Set for a derived indicator: its values are computed from other indicators' values.
  std::optional<indicator_formula> formula;

  /// True for a derived indicator.
  bool is_derived() const noexcept { return formula.has_value(); }
  /// True for count, amount, rate and ratio indicators.
  bool is_numeric() const noexcept { return kind != value_kind::boolean && kind != value_kind::shares; }
  /// True when the unit is a percentage, so values must lie in [0, 100].
  bool is_percentage() const noexcept { return unit == "%"; }
  friend bool operator==(const indicator&, const indicator&) = default;
};

inline std::string_view to_string(obligation o) noexcept {
  return o == obligation::unspecified ? "unspecified" : detail::name_of(obligation_names, o);
}
inline std::string_view to_string(value_kind k) noexcept { return detail::name_of(value_kind_names, k); }
inline std::string_view to_string(direction d) noexcept { return detail::name_of(direction_names, d); }
inline std::string_view to_string(stage s) noexcept { return detail::name_of(stage_names, s); }
inline std::string_view to_string(entity_rule r) noexcept {
  return r == entity_rule::unspecified ? "unspecified" : detail::name_of(entity_rule_names, r);
}
inline std::string_view to_string(time_rule r) noexcept {
  return r == time_rule::unspecified ? "unspecified" : detail::name_of(time_rule_names, r);
}

} // namespace planeval
