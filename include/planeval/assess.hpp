// Copyright (c) 2026 planeval developers. Distributed under the MIT License.
#pragma once
/// \file assess.hpp
/// Progress of one indicator towards a target (完成进度 / 序时进度) by seven published methods:
/// the planned linear path, Statistics Canada / Open SDG, Eurostat, ESCAP (current status and
/// anticipated progress), SDSN and the UNSD progress chart. Domain notes §3 give the formulas.
///
/// Notation: x0 baseline value at t0, xt current value at t, xT target value at T (times in
/// possibly fractional years); d = +1 when higher is better (direction::increase), −1 when lower is
/// better (direction::decrease); τ = (t − t0)/(T − t0) (time progress, 时间进度);
/// CAGR(a→b) = (x_b/x_a)^(1/(t_b − t_a)) − 1.
///
/// Design notes:
/// - assess() never throws for data: whatever a method cannot judge (a non-finite number, t ≤ t0,
///   T ≤ t0, a missing target, a direction without progress — maintain or band —, values a growth
///   rate cannot use, too few observations) comes back with category "not_assessable", no value
///   and a bilingual reason. It throws planeval::error only for a bad parameter set: an unknown
///   name, a boolean where a number is expected (or the reverse), a non-finite number, or
///   thresholds out of order — the message names the parameter and lists the accepted ones.
/// - Every threshold and boundary rule is a parameter with the published default
///   (default_params()); a boolean "inclusive" says whether a value exactly on a threshold belongs
///   to the better category (the published "≥"). Thresholds are data, never literals in callers.
/// - A method with an "achieved" category (linear, statcan, escap_csi, sdsn, unsd; escap_api's
///   maintain when xT = x0) checks d(xt − xT) ≥ 0 first, as the published rules do, so a target
///   equal to the baseline (xT = x0) is "achieved" when met; when it is not met the ratio is
///   undefined and the result is not_assessable — except linear (lagging: its gap is defined) and
///   sdsn (decreasing: the normalised score fell from the green threshold), which have no value then.
/// - Ratios are direction-adjusted with |·| in the denominator, d·(…)/|…|, as Statistics Canada
///   does: identical to the plain published ratio when the target lies in the desired direction
///   from the baseline, and still meaningful (negative = moving away) when the baseline had
///   already passed the target and the current value fell back.
/// - A deadline already past (t > T) is assessed with the same formulas; the planned path stays at
///   xT after T, and τ is capped at 1 where it serves as an expectation (escap_csi).
/// - No allocation beyond the result itself (its category string, reason and details).
///
/// The methods (value = the method's primary number; details in this order):
///
/// linear — 序时进度 [F practice]. Needs a target. value = completion progress
///   P = (xt − x0)/(xT − x0) (none when xT = x0). Planned path: piecewise linear through
///   (t0, x0), the milestones (strictly between t0 and T, distinct times, any order) and (T, xT);
///   xT after T. Details: time_progress τ (not capped), expected_value (the path at t),
///   gap = d·(xt − expected), completion_rate (完成率 xt/xT; lower-better xT/xt; only when the
///   denominator is > 0 and the numerator ≥ 0). Categories: achieved if d(xt − xT) ≥ 0; else ahead
///   if gap > margin; on_track if gap ≥ −margin; else lagging.
///   Params: margin = 0 (absolute, in the indicator's units, e.g. percentage points; ≥ 0).
///
/// statcan — Statistics Canada progress measure as in Open SDG [F: open-sdg/open-sdg
///   docs/progress-methodology.md; reference code open-sdg/sdg-build sdg/ProgressMeasure.py].
///   A zero baseline or zero target is replaced by zero_substitute (0.001); s = −1 when the
///   (substituted) baseline is negative. Values of different signs (baseline vs current or target)
///   are not assessable; a zero current value is allowed (CAGR = −1).
///   With a target: target_achieved (score 5) if d(xt − xT) ≥ 0, whatever the trend; else
///   value R = s·d·CAGR(t0→t)/|CAGR(t0→T)|: ≥ substantial_threshold (0.95) substantial_progress,
///   ≥ moderate_threshold (0.6) moderate_progress, ≥ limited_threshold (0) limited_progress, else
///   deterioration. Score: piecewise linear through (score_min_ratio −0.6, −5), (0, −2.5),
///   (0.6, 0), (0.95, 2.5), (score_max_ratio 1.3, 5), clamped to [−5, 5] — the published lines
///   7.1429R − 4.2857 (R ≥ 0.6) and 4.1667R − 2.5 (R < 0.6), whose coefficients are these slopes
///   rounded to 4 decimals. Details: observed_cagr, required_cagr, sign.
///   Without a target: value v = s·d·CAGR(t0→t). With a natural limit L (input natural_limit),
///   the positive thresholds are multiplied by C = 1 − (|x0|/|L|)^a when |x0| ≤ |L|,
///   1 − ((2|L| − |x0|)/|L|)^a when |L| < |x0| < 2|L|, 1 when |x0| ≥ 2|L| (a = limit_exponent 4.44,
///   x0 before substitution), as sdg-build does. Categories: v ≥ 0.015·C substantial_progress,
///   ≥ 0.005·C moderate_progress, ≥ 0 limited_progress, else deterioration. Score: piecewise linear
///   through (−0.02, −5), (0, −2.5), (0.005C, 0), (0.015C, 2.5), (0.02C, 5), clamped; C = 0 and
///   v ≥ 0 gives 5. Details: cagr, sign, coefficient, substantial_threshold and moderate_threshold
///   (both after scaling). Params: substantial_threshold, moderate_threshold, limited_threshold,
///   score_min_ratio, score_max_ratio, notarget_substantial_threshold (0.015),
///   notarget_moderate_threshold (0.005), notarget_limited_threshold (0), notarget_score_min_growth
///   (−0.02), notarget_score_max_growth (0.02), limit_exponent, zero_substitute, inclusive (true).
///   statcan_multi() averages the scores of several series (series that cannot be assessed are
///   skipped, as in sdg-build); its category is target_achieved when every assessed series
///   achieved its target, else from the mean score: ≥ 2.5 substantial, ≥ 0 moderate, ≥ −2.5
///   limited, else deterioration.
///
/// eurostat — Eurostat SDG monitoring report [R]. All values used must be > 0.
///   With a target: value = d·CAGR(t0→t)/|CAGR(t0→T)| (actual over required growth):
///   ≥ significant_threshold (0.95) significant_progress, ≥ moderate_threshold (0.6)
///   moderate_progress, ≥ insufficient_threshold (0) insufficient_progress, else movement_away
///   (inclusive = true). Details: actual_cagr, required_cagr.
///   Without a target: value = d·CAGR(t0→t): > notarget_significant_threshold (0.01)
///   significant_progress, > notarget_moderate_threshold (0) moderate_progress,
///   > notarget_movement_threshold (−0.01) moderate_movement_away, else significant_movement_away
///   (notarget_inclusive = false: the published "> 1%"; so zero growth counts as moderate movement
///   away and exactly −1% as significant movement away). Details: cagr.
///
/// escap_csi — ESCAP Current Status Index [F: data.unescap.org/resource-guides/
///   progress-assessment-methodology]. Needs a target. CSI = d(xt − x0)/|xT − x0|;
///   value = min(CSI, 1). target_achieved if d(xt − xT) ≥ 0; else on_track if CSI ≥ expected;
///   below_expected if CSI ≥ 0; else regression. expected = expected_progress, or when that is NaN
///   (the default) τ capped to [0, 1]. Details: progress_ratio (CSI before the cap),
///   expected_progress, time_progress. Params: expected_progress (NaN), inclusive (true).
///
/// escap_api — ESCAP Anticipated Progress Index [F: ESCAP and UNECE technical notes; weighting:
///   planeval's choice, see below]. Needs a target. A straight line x = a + b·t is fitted to the
///   observations (baseline and current when none are given) by weighted least squares with the
///   weights w_i = 1 + weight_slope·(t_i − t_first) (the earliest observation weighs 1, each later
///   year one more with the default weight_slope = 1; 0 gives ordinary least squares). ESCAP
///   describes "a time-weighted linear regression that gives more importance to recent data"
///   (working paper SD/WP/04, March 2017); its exact weight function was not at hand.
///   Predicted x̂T = a + b·T; value G = d(xT − x̂T)/|xT − x0|: G ≤ maintain_threshold (0) maintain,
///   G ≤ reverse_threshold (1) accelerate, else reverse (inclusive = true: on a threshold is the
///   better category). Needs at least two observations at distinct times. Details:
///   predicted_value, slope, observations.
///
/// sdsn — SDSN SDG Trend Dashboards [R]. Needs a target. Normalise
///   x' = 100(x − lower_bound)/(upper_bound − lower_bound), clipped to [0, 100]; lower_bound is
///   the worst value (score 0), upper_bound the optimum (score 100), so for lower-better indicators
///   lower_bound > upper_bound. SDSN takes the 2.5th percentile across countries as lower bound;
///   one series has none, so by default (NaN) lower_bound is the worse of x0 and xt and upper_bound
///   is xT (the target is the green threshold). green = (xT)'.
///   r_req = (green − x0')/(T − t0), r_act = (xt' − x0')/(t − t0), value = r_act/r_req.
///   on_track if d(xt − xT) ≥ 0 or xt' ≥ green ("on track or maintaining achievement"); else
///   decreasing without a value when r_req ≤ 0 (the baseline was already at green); else
///   (value ≥ on_track_threshold 1) on_track, ≥ moderate_threshold (0.5) moderately_improving,
///   ≥ stagnating_threshold (0) stagnating, else decreasing. Details: normalised_baseline,
///   normalised_current, normalised_target, required_rate, actual_rate, lower_bound, upper_bound.
///
/// unsd — UN Statistics Division SDG Progress Chart [F: EUSTAT-DES/site _pages/en/metodologia.md,
///   after the UNSD Progress Chart Technical Note 2023]. Values used must be > 0.
///   With a target: on_track (score 3) if d(xt − xT) ≥ 0 (EUSTAT exception 1: reached, whatever
///   the trend); else projected v = xt(1 + CAGR(t0→t))^(T − t) (for t > T this is the value at T
///   on the same exponential path) and value = d(v − x0)/|xT − x0|: ≥ on_track_threshold (0.95)
///   on_track (3), ≥ acceleration_threshold (0.10) acceleration_needed (2), else
///   stagnation_or_regression (1). Details: cagr, projected_value.
///   Without a target: value = d·CAGR: ≥ notarget_on_track_growth (0.02) on_track (3),
///   ≥ notarget_acceleration_growth (0.005) acceleration_needed (2), else stagnation_or_regression
///   (1) — for lower-better indicators CAGR ≤ −2% and ≤ −0.5%, as published. Details: cagr.

#include <planeval/detail/enum_names.hpp>
#include <planeval/indicator.hpp>
#include <planeval/text.hpp>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace planeval {

/// A method of assessing progress towards a target (see the file comment).
enum class assess_method : std::uint8_t { linear, statcan, eurostat, escap_csi, escap_api, sdsn, unsd };
inline constexpr detail::name_table<assess_method, 7> assess_method_names{{
    {assess_method::linear, "linear"},
    {assess_method::statcan, "statcan"},
    {assess_method::eurostat, "eurostat"},
    {assess_method::escap_csi, "escap_csi"},
    {assess_method::escap_api, "escap_api"},
    {assess_method::sdsn, "sdsn"},
    {assess_method::unsd, "unsd"},
}};
inline std::string_view to_string(assess_method m) noexcept { return detail::name_of(assess_method_names, m); }
inline std::optional<assess_method> parse_assess_method(std::string_view s) noexcept {
  return detail::parse_name(assess_method_names, s);
}

/// The category of every method when it cannot judge (never in categories()).
inline constexpr std::string_view not_assessable_category = "not_assessable";

/// A value at a time: t in (possibly fractional) years, e.g. 2023 or 2023.5.
struct time_point {
  double t = 0;
  double x = 0;
  friend bool operator==(const time_point&, const time_point&) = default;
};

/// What one assessment looks at.
struct assess_input {
  time_point baseline;                  ///< x0 at t0
  time_point current;                   ///< xt at t
  std::optional<time_point> target;     ///< xT at T; nullopt: the method's no-target variant
  direction dir = direction::increase;  ///< increase / decrease; maintain and band are not assessable
  std::vector<time_point> observations; ///< the series for escap_api (empty: baseline and current)
  std::vector<time_point> milestones;   ///< interim planned values for linear
  std::optional<double> natural_limit;  ///< statcan without a target: a natural maximum or minimum
};

/// A parameter value: a number or a flag.
using param_value = std::variant<double, bool>;

/// Parameters of a method by name (see default_params() for the names, defaults and meaning).
struct assess_params {
  std::vector<std::pair<std::string, param_value>> values;

  /// Sets (or replaces) a parameter.
  assess_params& set(std::string_view name, param_value v) {
    for (auto& [n, value] : values)
      if (n == name) {
        value = v;
        return *this;
      }
    values.emplace_back(std::string(name), v);
    return *this;
  }
  assess_params& set(std::string_view name, double v) { return set(name, param_value(v)); }
  assess_params& set(std::string_view name, bool v) { return set(name, param_value(v)); }
  assess_params& set(std::string_view name, int v) { return set(name, param_value(static_cast<double>(v))); }
  assess_params& set(std::string_view name, const char*) = delete; // would silently become a bool

  /// The value set for `name`, if any (the last one when a name was pushed twice).
  std::optional<param_value> get(std::string_view name) const {
    for (auto it = values.rbegin(); it != values.rend(); ++it)
      if (it->first == name) return it->second;
    return std::nullopt;
  }
};

/// What explain() needs to know about the indicator to write a sentence.
struct explain_context {
  std::string name;          ///< e.g. "党员教师占比" (empty: "该指标" / "The indicator")
  std::string unit;          ///< e.g. "%" (differences then read 个百分点 / percentage points), "人"
  int decimals = 1;          ///< decimals of values in the indicator's unit
  std::string current_label; ///< how to name the current time, e.g. "2023" (empty: from current.t)
  std::string target_label;  ///< how to name the deadline, e.g. "2025" (empty: from target.t)
  int current_decimals = -1; ///< decimals of the current value (a count of 41 people: 0); −1: `decimals`
};

/// The result of one assessment.
struct assessment {
  assess_method method = assess_method::linear;
  std::optional<double> value;                         ///< the method's primary number
  std::optional<double> score;                         ///< statcan [−5, 5], unsd 3/2/1
  std::string category;                                ///< from categories(method), or "not_assessable"
  text reason;                                         ///< why not assessable (else empty)
  std::vector<std::pair<std::string, double>> details; ///< named intermediate numbers, in order
  std::optional<time_point> current;                   ///< the assessed current value (for explain)
  std::optional<time_point> target;                    ///< the target used, if any

  bool assessable() const noexcept { return category != not_assessable_category; }
  /// The detail called `name`, if present.
  std::optional<double> detail(std::string_view name) const {
    for (const auto& [n, v] : details)
      if (n == name) return v;
    return std::nullopt;
  }
  /// One or two sentences in Chinese ("zh") or English ("en"), e.g. "党员教师占比 2023 年为
  /// 44.0%，按序时进度应达 47.0%，滞后 3.0 个百分点。" / "党员教师占比 in 2023 was 44.0%; on the
  /// linear path it should be 47.0%; lagging by 3.0 percentage points."
  std::string explain(std::string_view lang = "zh", const explain_context& ctx = {}) const;
  friend bool operator==(const assessment&, const assessment&) = default;
};

/// Assesses one indicator by `method`. Throws planeval::error only for bad parameters.
assessment assess(assess_method method, const assess_input& input, const assess_params& params = {});

/// Statistics Canada's aggregate over several series: the mean of their scores (see the file
/// comment). Takes the statcan parameters.
assessment statcan_multi(std::span<const assess_input> series, const assess_params& params = {});

/// The method's categories, best first (without not_assessable).
std::span<const std::string_view> categories(assess_method method);

/// The method's parameters with their published defaults, in a fixed order.
std::vector<std::pair<std::string, param_value>> default_params(assess_method method);

/// The method's name for people, e.g. {"序时进度", "linear path"}.
text method_label(assess_method method);

/// A category's name for people, e.g. (linear, "lagging") → {"滞后", "lagging"}; the category
/// string itself (in both languages) when unknown.
text category_label(assess_method method, std::string_view category);

} // namespace planeval
