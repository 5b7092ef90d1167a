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
#include <planeval/standard.hpp>
#include <planeval/target.hpp>
#include <planeval/text.hpp>

#include <boost/json/fwd.hpp>

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace planeval {

/// Where a target stands at the evaluation date.
enum class target_status : std::uint8_t {
  met,           ///< due, and the goal was met
  missed,        ///< due, and the goal was not met (or a 只增不减 rule broke)
  breached,      ///< a goal that must hold from a date on (保持在…以上) failed in some year (未保持)
  achieved,      ///< not yet due, and the goal is already met
  on_track,      ///< not yet due, progress at least as planned (primary method favourable)
  lagging,       ///< not yet due, progress behind plan
  not_due,       ///< a milestone not yet due with no result yet
  no_data,       ///< no value to judge by
  not_assessable ///< values exist but the method cannot judge them (reason given)
};
inline constexpr std::size_t target_status_count = 9;
inline constexpr detail::name_table<target_status, target_status_count> target_status_names{{
    {target_status::met, "met"},
    {target_status::missed, "missed"},
    {target_status::breached, "breached"},
    {target_status::achieved, "achieved"},
    {target_status::on_track, "on_track"},
    {target_status::lagging, "lagging"},
    {target_status::not_due, "not_due"},
    {target_status::no_data, "no_data"},
    {target_status::not_assessable, "not_assessable"},
}};
inline std::string_view to_string(target_status s) noexcept { return detail::name_of(target_status_names, s); }
/// 已达成 / met ...
text status_label(target_status s);

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

/// One value of a target's series.
struct series_point {
  planeval::date date;
  double value = 0;
  std::string source;      ///< "baseline", "plan:<observation id>" or "data"
  std::uint64_t units = 0; ///< data: units (schools ...) whose values were rolled up
  std::uint64_t missing_units = 0;
  friend bool operator==(const series_point&, const series_point&) = default;
};

/// How a verdict was reached.
struct trace {
  std::vector<series_point> points; ///< the values used, by date (up to as_of)
  std::size_t ignored_after_as_of = 0;
  std::string rule;       ///< roll-up rule of the data, e.g. "sum", "weighted_mean" (empty: no data rows)
  std::string formula;    ///< the primary computation with its numbers
  std::string thresholds; ///< the thresholds applied
  /// For a derived indicator judged from data: its formula with the data year's numbers at the
  /// target's scope ("… = 100 × 22 / 50 = 44.0 (2023, 8 units)"); empty otherwise.
  text derivation;
  text sentence; ///< one sentence: "党员教师占比 2023 年为 44.0%，按序时进度应达 46.0%，滞后 2.0 个百分点。"
  friend bool operator==(const trace&, const trace&) = default;
};

/// One target at the evaluation date.
struct target_evaluation {
  std::string target; ///< target id
  std::uint32_t target_index = 0;
  target_status status = target_status::no_data;
  bool due = false;             ///< deadline <= as_of
  /// Due, but judged on data older than the deadline's own year: the status says what the data
  /// show (on_track, lagging ...), not a final met/missed.
  bool provisional = false;
  int decimals = 1;             ///< decimals that show this target's numbers without contradiction
  std::vector<int> breaches;    ///< years a hold goal (`from`) was not held
  std::optional<double> reference; ///< a relative goal: the reference's value in the year judged
  std::string reference_entity;    ///< a relative goal: the reference entity id
  std::string judged_from;      ///< "data", "plan", "standard" or "" (nothing)
  std::optional<double> actual; ///< the value judged (latest up to as_of, or up to the deadline when due)
  std::optional<planeval::date> actual_date;
  std::optional<double> expected;                    ///< on the planned path at actual_date
  std::optional<double> goal;                        ///< the goal's number, where it has one
  std::optional<assessment> primary;                 ///< the primary method's assessment (numeric targets in progress)
  std::vector<assessment> assessments;               ///< every requested method, the primary first
  std::optional<double> forecast;                    ///< the trend's value at the deadline
  std::optional<bool> likely_met;                    ///< the forecast meets the goal
  std::optional<planeval::standard_result> standard; ///< when judged by an official standard
  std::optional<std::uint32_t> phase_index;
  planeval::trace trace;
};

/// Counts of targets by status.
struct status_counts {
  std::array<std::uint32_t, target_status_count> n{};
  std::uint32_t total() const noexcept {
    std::uint32_t t = 0;
    for (auto x : n) t += x;
    return t;
  }
  std::uint32_t operator[](target_status s) const noexcept { return n[static_cast<std::size_t>(s)]; }
  void add(target_status s) noexcept { ++n[static_cast<std::size_t>(s)]; }
  friend bool operator==(const status_counts&, const status_counts&) = default;
};

struct phase_summary {
  std::string phase; ///< phase id
  period span;
  bool current = false;                                        ///< as_of falls in it
  std::uint32_t targets = 0;                                   ///< targets of the phase
  std::uint32_t due = 0;                                       ///< of which due
  std::uint32_t met = 0, missed = 0, pending = 0, no_data = 0; ///< pending: not yet due (missed: breached too)
  std::uint32_t provisional = 0;                               ///< due, but on data older than the deadline
  status_counts statuses;
};

/// Counts by a key (a domain such as "teachers", or a stage such as "小学", or "district").
struct group_summary {
  std::string key;
  status_counts statuses;
};

/// A problem with the data, listed rather than hidden.
struct data_problem {
  std::string code;   ///< "value_disagrees", "missing_years", "too_few_points", "after_as_of", "no_school_data",
                      ///< "cumulative_gap", "baseline_disagrees", "unstable_ratio", "provisional", "no_weights"
  std::string target; ///< target id, if about one target
  text message;
};

struct report {
  std::string plan;
  text title;
  planeval::date as_of;
  assess_method primary = assess_method::linear;
  std::vector<assess_method> methods;
  std::vector<target_evaluation> targets; ///< in plan order
  std::vector<phase_summary> phases;
  std::optional<std::string> current_phase;
  status_counts overall;
  std::vector<group_summary> by_domain, by_stage;
  std::vector<group_summary> by_obligation; ///< "binding", "expected", "unspecified"
  std::optional<date> data_end;             ///< the latest date of a value used (rows up to as_of, plan values)
  std::uint32_t provisional = 0;            ///< targets with a provisional verdict
  std::vector<data_problem> problems;
  std::vector<conflict> conflicts; ///< as recorded in the plan
  std::size_t rows = 0;            ///< observation rows given
  std::size_t rows_used = 0;       ///< rows that entered a target's series or a standard's evaluation
  std::size_t rows_after_as_of = 0;
  std::vector<text> notices; ///< e.g. which data are illustrative (set by the caller)

  const target_evaluation* find(std::string_view target_id) const noexcept {
    for (const auto& t : targets)
      if (t.target == target_id) return &t;
    return nullptr;
  }
};

/// Evaluate every target of `p` at `options.as_of` (any date: before the horizon every target is
/// not yet due) from the plan's own values and `obs` (rows of the plan's indicators and entities).
/// Throws planeval::error for unknown or ill-typed method parameters (of any method in
/// options.params, run or not).
report evaluate(const plan& p, const observation_view& obs, const evaluate_options& options);

/// The report as JSON (documented in the README: plan, as_of, summary, phases, targets[], problems).
boost::json::value to_json(const report& r, const plan& p);
/// A plain-text report for terminals: header, summary, phases, a table of targets, problems.
std::string to_text(const report& r, const plan& p, std::string_view lang = "zh");

/// The time at the end of day `d` in years: (year − 1) + day of year / days in the year, so that
/// 31 December of year Y is exactly Y (a yearly value, dated at the year's end, sits at t = Y).
double fractional_year(date d);

} // namespace planeval
