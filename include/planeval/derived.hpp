// Copyright (c) 2026 planeval developers. Distributed under the MIT License.
#pragma once
/// \file derived.hpp
/// Derived indicators in the data: the values of a plan's formula indicators (indicator::formula)
/// computed from the observations of the indicators they reference.
///
/// Design notes:
/// - A formula reads "the value for the same entity and period": rows are matched on (entity,
///   start, end). Each derived indicator is computed once over whole columns: the keys at which
///   any referenced indicator has a row are gathered in one pass, the referenced values are laid
///   out as columns over those keys, and planeval::evaluate runs the compiled formula over them.
///   Plans hold derived indicators after the indicators they reference (plan::add_indicator
///   refuses anything else), so one pass in plan order also serves formulas over formulas.
/// - A ratio (numerator / denominator × factor) gets, per entity and period, the value
///   factor × numerator / denominator and the weight `denominator`; the roll-up's weighted mean
///   (the rule of rates and ratios) then gives factor × Σ numerator / Σ denominator over any
///   group: the ratio of sums, each side aggregated first. A zero or missing denominator gives a
///   missing value, never infinity. Deviation, documented and counted (zero_denominator): a unit
///   whose denominator is 0 but whose numerator is not has no value, so its numerator is not in
///   its group's sum either (DHIS2 would add it to the numerator's sum).
/// - Rows observed for a derived indicator itself (a district that reports the rate directly)
///   are kept; the formula fills only the keys that have no observed row (counted as `observed`).
/// - Missing values follow the indicator's missing policy (expression.hpp); a missing result is a
///   row flagged missing, so a roll-up counts the unit as missing rather than losing it.
/// - Derived rows are estimated / provisional when any input row at the key is.

#include <planeval/observations.hpp>
#include <planeval/plan.hpp>

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace planeval {

/// What derive() did for one derived indicator.
struct derived_summary {
  std::uint32_t indicator = 0;      ///< plan indicator index
  std::size_t rows = 0;             ///< rows added (entity-period keys where an input has a row)
  std::size_t values = 0;           ///< of which with a value
  std::size_t missing = 0;          ///< of which missing (inputs missing, x / 0, removeZeros ...)
  std::size_t observed = 0;         ///< keys with an observed row of the indicator: kept, not computed
  std::size_t zero_denominator = 0; ///< ratio rows with a zero denominator (missing)
  friend bool operator==(const derived_summary&, const derived_summary&) = default;
};

/// The observations with the derived indicators' rows appended.
struct derived_observations {
  observation_table table; ///< rows [0, input_rows) are the input, in order; then the derived rows
  std::size_t input_rows = 0;
  /// For a derived ratio row r (r >= input_rows): its numerator and denominator at row
  /// r - input_rows (NaN where missing, and for rows of expression indicators); empty unless
  /// keep_sides.
  std::vector<double> numerator, denominator;
  std::vector<derived_summary> summary; ///< one per derived indicator computed, in plan order
};

/// Computes the plan's derived indicators (those in `indicators` and what they depend on; empty:
/// all) over `obs`. The table holds the input rows and then the derived rows, or with
/// `include_inputs` false only the input rows of the derived indicators themselves (observed
/// values, kept) and the derived rows: what a roll-up of derived indicators alone reads. It has a weight column when
/// `obs` has one or a ratio is derived (input rows without weights then get weight 1, which leaves unweighted means as
/// they were). Marks the table `derived`. Throws planeval::error for a row whose indicator or entity index is out of
/// range.
/// With `keep_sides` false the numerator and denominator vectors stay empty (a roll-up does not
/// need them; an evaluation's trace does).
derived_observations derive(const plan& p, const observation_view& obs, std::span<const std::uint32_t> indicators = {},
                            bool include_inputs = true, bool keep_sides = true);

/// True when `p` has a derived indicator among `indicators` (empty: any).
bool needs_derive(const plan& p, std::span<const std::uint32_t> indicators = {});

} // namespace planeval
