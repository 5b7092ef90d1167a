// Copyright (c) 2026 planeval developers. Distributed under the MIT License.
#pragma once
/// \file report.hpp
/// The report of evaluate(): where every target stands (target_evaluation, with its trace), the
/// summaries by phase, domain, stage and obligation, the data problems, and the report as plain
/// text. evaluate() itself is in evaluate.hpp; the report as JSON (to_json) is in the opt-in
/// json.hpp.
///
/// Design notes: targets are independent, so the report is a flat vector in plan order with
/// summaries computed from it (by phase, domain, stage). Nothing is hidden: data problems and the
/// plan's recorded conflicts are listed in the report.

#include <planeval/assess.hpp>
#include <planeval/calendar.hpp>
#include <planeval/detail/enum_names.hpp>
#include <planeval/plan.hpp>
#include <planeval/standard.hpp>
#include <planeval/text.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
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

/// A plain-text report for terminals: header, summary, phases, a table of targets, problems.
std::string to_text(const report& r, const plan& p, std::string_view lang = "zh");

} // namespace planeval
