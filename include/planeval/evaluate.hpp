// Copyright (c) 2026 planeval developers. Distributed under the MIT License.
#pragma once
/// \file evaluate.hpp
/// Evaluating a whole plan at a date: where every target stands, by which method, from which
/// observations, and why.
///
/// The flow for one target (see evaluate()):
/// 1. Its series: the target's baseline, the plan's recorded observations of its indicator at its
///    scope, and the observation rows rolled up to its scope per calendar year by the indicator's
///    own roll-up rule (sum of counts, ratio of sums for rates ...). A year's value is dated at
///    the end of that year. Points after `as_of` are left out (and counted).
/// 2. Its status, from a fixed vocabulary (target_status):
///    - due (deadline <= as_of): `met` / `missed` on the value of the deadline's own year; on an
///      older value the verdict is `provisional` and says what the data show (on_track, lagging,
///      achieved, with the forecast) instead; `no_data` if there is none;
///    - hold goals (a `from` date: 保持在…以上): every value from `from` on must satisfy the goal;
///      `breached` names the years it did not; held so far is `on_track` (`met` when due);
///    - cumulative goals: the running total of yearly values from the horizon start (or `from`),
///      with a zero baseline at the start; relative goals (不低于全省平均): each year against the
///      reference entity's value of the same year;
///    - not due: `achieved` if the latest value already meets the goal; else the primary method's
///      verdict (plan default: linear 序时进度) from the baseline (the target's, else its first
///      observation) to the goal: `on_track` when the verdict is favourable (linear: ahead or
///      on_track), `lagging` when not; `not_assessable` when the method cannot say (one
///      observation and no baseline, x_T = x_0 ...); `no_data` without any value;
///    - pass/fail milestones (通过, 建成): from a recorded or reported result (1 = passed), or, for a
///      target referencing an official standard, from the standard evaluated on the school data
///      for the scope and year when such data exist (with every reason it fails); a milestone not
///      yet due without a result is `not_due`;
///    - 只增不减 rules: `missed` as soon as a year falls below the previous one, else `on_track`;
///      `increase`/`decrease` goals: against the baseline.
/// 3. The other methods side by side (assess() for each), and a forecast at the deadline: the
///    time-weighted linear trend of the series (ESCAP's anticipated progress, escap_api's
///    predicted_value) and whether the goal is then met.
/// 4. A trace: the points used (date, value, where from, units), the roll-up rule, the primary
///    method's formula with its numbers and thresholds, and one sentence in Chinese and English.
///
/// Design notes: targets are independent, so the report is a flat vector in plan order with
/// summaries computed from it (by phase, domain, stage); the roll-up runs once per scope level for
/// all target indicators together. Nothing is hidden: data problems (values that disagree between
/// the plan and the data, years missing from a series, methods lacking points, rows after as_of)
/// and the plan's recorded conflicts are listed in the report.

#include <planeval/assess.hpp>
#include <planeval/calendar.hpp>
#include <planeval/detail/enum_names.hpp>
#include <planeval/observations.hpp>
#include <planeval/plan.hpp>
#include <planeval/report.hpp>
#include <planeval/standard.hpp>
#include <planeval/target.hpp>
#include <planeval/text.hpp>

#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace planeval {

/// Units in English for English text ("人" -> "persons", "万元" -> "10k yuan"); a unit not in the
/// table is returned as it is. english_unit_names() is the table (Chinese, English).
std::string_view unit_en(std::string_view unit);
/// The indicator's unit in English: the plan's `unit_en`, else unit_en(unit).
std::string_view unit_en(const indicator& ind);
std::span<const std::pair<std::string_view, std::string_view>> english_unit_names();

/// Whether a method's category counts as on track (linear: achieved, ahead, on_track; statcan:
/// target_achieved, substantial_progress; eurostat: significant_progress; escap_csi:
/// target_achieved, on_track; escap_api: maintain; sdsn and unsd: on_track).
bool favourable(assess_method m, std::string_view category);

struct evaluate_options {
  date as_of;
  assess_method primary = assess_method::linear;
  /// Methods reported side by side (the primary is always included, first).
  std::vector<assess_method> methods;
  /// Parameters per method (defaults: the published ones).
  std::vector<std::pair<assess_method, assess_params>> params;
  /// Standards to judge targets that reference them, in addition to the built-in ones.
  std::vector<standard> standards;
  unsigned threads = 1;
};

/// Evaluate every target of `p` at `options.as_of` (any date: before the horizon every target is
/// not yet due) from the plan's own values and `obs` (rows of the plan's indicators and entities).
/// Throws planeval::error for unknown or ill-typed method parameters (of any method in
/// options.params, run or not).
report evaluate(const plan& p, const observation_view& obs, const evaluate_options& options);

/// The time at the end of day `d` in years: (year − 1) + day of year / days in the year, so that
/// 31 December of year Y is exactly Y (a yearly value, dated at the year's end, sits at t = Y).
double fractional_year(date d);

} // namespace planeval
