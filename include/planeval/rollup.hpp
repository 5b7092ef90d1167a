// Copyright (c) 2026 planeval developers. Distributed under the MIT License.
#pragma once
/// \file rollup.hpp
/// Roll-up: observations per entity and period, aggregated to any level of the entity tree and to
/// calendar or school years, by each indicator's declared rules.
///
/// Design notes: two stages, as DHIS2 does. Across time first: the rows of one indicator, entity
/// and period combine by the indicator's time rule (a flow is summed, a stock takes its last
/// value). Then across entities: each entity's value goes to its ancestor at the requested level
/// (one array access: the ancestor map is computed once per entity, not per row), optionally split
/// by stage, and combines by the indicator's entity rule. The usual school data has one row per
/// school, indicator and year; that is detected in one pass and the first stage is skipped. The
/// second stage is a single pass over the columns into dense arrays of mergeable rule states (no
/// allocation or virtual call per row); with threads, each thread fills its own states over a
/// slice of the rows and the states are merged with +=, which gives the one-pass result.

#include <planeval/entity.hpp>
#include <planeval/indicator.hpp>
#include <planeval/observations.hpp>
#include <planeval/plan.hpp>
#include <planeval/rules/kind.hpp>

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace planeval {

/// The rule a roll-up applies across entities (overriding the indicators' own rules): a rule of
/// the registry (rules/kind.hpp), or rollup_rule::indicator for each indicator's declared rule.
/// A roll-up takes the mergeable rules that observe a unit's value, or its value and weight, and
/// need no parameter: sum, count, mean, min, max, weighted_mean (Σwx / Σw with the weight column:
/// a ratio of sums when w is the denominator), variance and stddev (population, unweighted over
/// units), cv (差异系数, weighted by the weight column: students; population form) and
/// cv_unweighted. Others raise planeval::error naming the ones it takes.
using rollup_rule = rules::rule_kind;

/// True if a roll-up across entities can apply rule `r` (see rollup_rule).
bool rollup_supports(rollup_rule r) noexcept;

/// The plan vocabulary (indicator::across_entities) as rules of the registry: the one table
/// default_rule reads. all(b) over 0/1 values is their minimum, any(b) their maximum; a ratio of
/// sums is the weighted mean of the units' ratios weighed by their denominators.
inline constexpr std::array<std::pair<entity_rule, rules::rule_kind>, 9> entity_rule_kinds{{
    {entity_rule::sum, rules::rule_kind::sum},
    {entity_rule::mean, rules::rule_kind::mean},
    {entity_rule::weighted_mean, rules::rule_kind::weighted_mean},
    {entity_rule::ratio_of_sums, rules::rule_kind::weighted_mean},
    {entity_rule::min, rules::rule_kind::min},
    {entity_rule::max, rules::rule_kind::max},
    {entity_rule::all, rules::rule_kind::min},
    {entity_rule::any, rules::rule_kind::max},
    {entity_rule::none, rules::rule_kind::indicator}, // no rule of its own: by the kind of value
}};

/// What to roll up to.
struct rollup_options {
  /// The level: entities of this kind (each row goes to its nearest ancestor-or-self of the kind).
  std::optional<entity_kind> kind;
  /// Or the level as a depth in the entity tree (0 = the roots). Used when `kind` is not set.
  std::size_t depth = 0;
  /// Split each group by the stage of the observed entity (幼儿园, 小学, 初中, 高中, or none).
  bool by_stage = false;
  /// calendar_year, school_year, or custom: the whole data window as one period.
  period_kind period = period_kind::calendar_year;
  /// Indicator indices to roll up (empty: all).
  std::vector<std::uint32_t> indicators;
  /// Rule across entities (default: each indicator's own).
  rollup_rule rule = rollup_rule::indicator;
  /// Missing values: skip_if_all_missing (default), skip_if_any_missing, never_skip.
  rules::missing_policy missing = rules::missing_policy::skip_if_all_missing;
  /// Threads for the passes over the rows (1 = this thread only; 0 = every core,
  /// std::thread::hardware_concurrency()).
  unsigned threads = 1;
  /// Rows a thread must have at least before another thread is started (starting one costs more
  /// than it saves on small inputs).
  std::size_t min_rows_per_thread = 100000;
  /// Coarser levels to report as well (e.g. province and nation after district). Their values
  /// come from merging the states of the main level's groups (exact: the rules are mergeable), so
  /// the rows are read once for all levels. Each must be an ancestor kind of the main level.
  std::vector<entity_kind> also;
};

/// The result, one row per (indicator, group entity, stage, period) that had any observation.
struct rollup_result {
  std::vector<std::uint32_t> indicator;
  std::vector<std::uint32_t> entity;
  std::vector<std::int8_t> stage; ///< static_cast<int>(planeval::stage), or -1 (none / not split)
  std::vector<day_number> start, end;
  std::vector<double> value;                ///< meaningful where defined[i]
  std::vector<std::uint8_t> defined;        ///< 0 when the rule has no value (no data, policy, zero weight...)
  std::vector<std::uint64_t> units;         ///< units whose value was used
  std::vector<std::uint64_t> missing_units; ///< units whose value was missing
  std::vector<rollup_rule> rule;            ///< the rule applied

  std::size_t rows_used = 0;             ///< input rows that entered a group
  std::size_t rows_outside_level = 0;    ///< rows of entities above the level or outside it
  std::size_t rows_combined_in_time = 0; ///< rows merged with others of the same entity and period
  /// Without a weight column: the entities whose rows were weighed 1 because the weight their
  /// indicator's definition names is not known (no students in the plan, no denominator row),
  /// sorted, each once. Empty when every weight was known or given.
  std::vector<std::uint32_t> weight_assumed_entities;

  std::size_t size() const noexcept { return indicator.size(); }
};

/// Per-stage k-of-n criteria over n indicators (the 优质均衡 per-school standard: 6 of 7, with
/// every other indicator at least 85% of its threshold).
struct k_of_n_spec {
  std::vector<std::uint32_t> indicators; ///< the n indicators, in criterion order
  /// Criteria per stage, in the order of `indicators`; units of other stages are not judged.
  std::vector<std::pair<stage, std::vector<rules::criterion>>> criteria;
  std::uint32_t k = 0;
  double floor = 0.85;
};

/// Share of units (the observed entities) passing a k_of_n_spec, per group at the level and
/// period: one row per (group entity, stage, period) with judged units.
struct k_of_n_result {
  std::vector<std::uint32_t> entity;
  std::vector<std::int8_t> stage; ///< -1 unless options.by_stage
  std::vector<day_number> start, end;
  std::vector<double> share;             ///< passed / units
  std::vector<std::uint64_t> units;      ///< units judged
  std::vector<std::uint64_t> passed;     ///< units passing
  std::vector<std::uint64_t> incomplete; ///< units judged with at least one value missing (they fail)
  std::size_t size() const noexcept { return entity.size(); }
};

/// Judge every unit (entity with observations of the spec's indicators in a period) against the
/// criteria of its stage and count the passing ones per group. Uses rules::k_of_n for each unit.
k_of_n_result rollup_k_of_n(const plan& p, const observation_view& obs, const rollup_options& options,
                            const k_of_n_spec& spec);

/// The rule used across entities for indicator `ind` when the options leave it to the indicator:
/// its across_entities rule through entity_rule_kinds, else by its kind of value (count and amount:
/// sum; rate and ratio: weighted_mean; boolean: min).
rollup_rule default_rule(const indicator& ind);

/// Weights of rows as their indicators' definitions say (see weights_by_definition).
struct definition_weights {
  std::vector<double> weight;       ///< one per row
  std::vector<std::size_t> assumed; ///< rows weighed 1 because their weight is not known
};

/// The weight of every row as its indicator's definition says (indicator::weight_by), for rows
/// without a weight column: "units" 1; "students" (or unset) the entity's students in the plan;
/// a count indicator's id: that indicator's value for the same entity and period in `obs`. Only
/// rows whose indicator has `need[indicator] != 0` are weighed (the others get 1). A needed weight
/// that is not known (an entity without students, no or a missing denominator) is taken as 1 and
/// the row listed in `assumed`: callers say so (rollup_result::weight_assumed_entities, the
/// evaluation's weight_assumed problem), never a silent 1.
definition_weights weights_by_definition(const plan& p, const observation_view& obs,
                                         std::span<const std::uint8_t> need);

/// Roll observations up. Rows without a weight column are weighed by weights_by_definition for
/// the rules that need weights (rollup_result::weight_assumed_entities lists where a weight was
/// not known). Throws planeval::error for an unusable request (an unknown level) and data_error
/// for bad rows.
rollup_result rollup(const plan& p, const observation_view& obs, const rollup_options& options = {});

/// Several roll-ups of the same observations, reading the rows once for all of them (each request
/// keeps its own states; requests whose rows must first be combined in time read those rows
/// separately). The results are those of rollup() called for each request, in order.
std::vector<rollup_result> rollup(const plan& p, const observation_view& obs, std::span<const rollup_options> requests);

} // namespace planeval
