// Copyright (c) 2026 planeval developers. Distributed under the MIT License.
// Progress of one indicator towards a target (planeval/assess.hpp has the formulas and sources).

#include <planeval/assess.hpp>
#include <planeval/detail/format_number.hpp>
#include <planeval/detail/tolerance.hpp>
#include <planeval/error.hpp>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <initializer_list>
#include <limits>
#include <string>
#include <string_view>

namespace planeval {
namespace {

constexpr double unset = std::numeric_limits<double>::quiet_NaN(); // "derived from the data"

// ---------------------------------------------------------------------------------------------
// Parameters
// ---------------------------------------------------------------------------------------------

struct param_spec {
  std::string_view name;
  bool is_flag = false;
  double number = 0;        // default of a number
  bool flag = false;        // default of a flag
  bool nan_allowed = false; // NaN means "derived from the data" (documented per parameter)
};

constexpr param_spec num(std::string_view name, double v, bool nan_allowed = false) {
  return {name, false, v, false, nan_allowed};
}
constexpr param_spec flag(std::string_view name, bool v) { return {name, true, 0, v, false}; }

constexpr std::array linear_specs{num("margin", 0)};
constexpr std::array statcan_specs{
    num("substantial_threshold", 0.95),
    num("moderate_threshold", 0.6),
    num("limited_threshold", 0),
    num("score_min_ratio", -0.6),
    num("score_max_ratio", 1.3),
    num("notarget_substantial_threshold", 0.015),
    num("notarget_moderate_threshold", 0.005),
    num("notarget_limited_threshold", 0),
    num("notarget_score_min_growth", -0.02),
    num("notarget_score_max_growth", 0.02),
    num("limit_exponent", 4.44),
    num("zero_substitute", 0.001),
    flag("inclusive", true),
};
constexpr std::array eurostat_specs{
    num("significant_threshold", 0.95),
    num("moderate_threshold", 0.6),
    num("insufficient_threshold", 0),
    flag("inclusive", true),
    num("notarget_significant_threshold", 0.01),
    num("notarget_moderate_threshold", 0),
    num("notarget_movement_threshold", -0.01),
    flag("notarget_inclusive", false),
};
constexpr std::array escap_csi_specs{num("expected_progress", unset, true), flag("inclusive", true)};
constexpr std::array escap_api_specs{
    num("weight_slope", 1),
    num("maintain_threshold", 0),
    num("reverse_threshold", 1),
    flag("inclusive", true),
};
constexpr std::array sdsn_specs{
    num("lower_bound", unset, true), num("upper_bound", unset, true), num("on_track_threshold", 1),
    num("moderate_threshold", 0.5),  num("stagnating_threshold", 0),  flag("inclusive", true),
};
constexpr std::array unsd_specs{
    num("on_track_threshold", 0.95),
    num("acceleration_threshold", 0.10),
    num("notarget_on_track_growth", 0.02),
    num("notarget_acceleration_growth", 0.005),
    flag("inclusive", true),
};
constexpr std::size_t max_params = 16;
static_assert(linear_specs.size() <= max_params && statcan_specs.size() <= max_params &&
              eurostat_specs.size() <= max_params && escap_csi_specs.size() <= max_params &&
              escap_api_specs.size() <= max_params && sdsn_specs.size() <= max_params &&
              unsd_specs.size() <= max_params);

std::span<const param_spec> specs_of(assess_method m) {
  switch (m) {
  case assess_method::linear: return linear_specs;
  case assess_method::statcan: return statcan_specs;
  case assess_method::eurostat: return eurostat_specs;
  case assess_method::escap_csi: return escap_csi_specs;
  case assess_method::escap_api: return escap_api_specs;
  case assess_method::sdsn: return sdsn_specs;
  case assess_method::unsd: return unsd_specs;
  }
  return {};
}

std::string accepted_list(std::span<const param_spec> specs) {
  std::string s;
  for (std::size_t i = 0; i < specs.size(); ++i) {
    if (i > 0) s += (i + 1 == specs.size()) ? " or " : ", ";
    s += '"';
    s += specs[i].name;
    s += '"';
  }
  return s;
}

/// The method's parameters after applying the caller's values. Construction checks names, types and
/// finiteness; validate() checks orders and ranges.
class resolved_params {
public:
  resolved_params(assess_method m, const assess_params& given) : method_(m), specs_(specs_of(m)) {
    for (std::size_t i = 0; i < specs_.size(); ++i) {
      numbers_[i] = specs_[i].number;
      flags_[i] = specs_[i].flag;
    }
    for (const auto& [name, value] : given.values) {
      const std::size_t i = index_of(name);
      if (i == specs_.size())
        fail("unknown parameter \"" + name + "\" for method \"" + std::string(to_string(m)) + "\"");
      const param_spec& s = specs_[i];
      if (s.is_flag) {
        if (!std::holds_alternative<bool>(value)) fail("parameter \"" + name + "\" must be a boolean, not a number");
        flags_[i] = std::get<bool>(value);
      } else {
        if (!std::holds_alternative<double>(value)) fail("parameter \"" + name + "\" must be a number, not a boolean");
        const double v = std::get<double>(value);
        if (!std::isfinite(v) && !(s.nan_allowed && std::isnan(v)))
          fail("parameter \"" + name + "\" must be a finite number" + (s.nan_allowed ? " or NaN" : ""));
        numbers_[i] = v;
      }
    }
  }

  double number(std::string_view name) const { return numbers_[checked_index(name)]; }
  bool flag(std::string_view name) const { return flags_[checked_index(name)]; }

  /// Throws unless the named numbers increase strictly, in the order given.
  void require_increasing(std::initializer_list<std::string_view> names) const {
    const std::string_view* prev = nullptr;
    for (const std::string_view& n : names) {
      if (prev && !(number(*prev) < number(n)))
        fail("parameter \"" + std::string(n) + "\" must be greater than \"" + std::string(*prev) + "\"");
      prev = &n;
    }
  }
  void require_at_least(std::string_view name, double lowest, bool strictly) const {
    const double v = number(name);
    if (strictly ? !(v > lowest) : !(v >= lowest))
      fail("parameter \"" + std::string(name) + "\" must be " + (strictly ? "> " : ">= ") +
           detail::format_number(lowest));
  }

private:
  std::size_t index_of(std::string_view name) const {
    for (std::size_t i = 0; i < specs_.size(); ++i)
      if (specs_[i].name == name) return i;
    return specs_.size();
  }
  std::size_t checked_index(std::string_view name) const {
    const std::size_t i = index_of(name);
    if (i == specs_.size()) throw error("assess: internal error: no parameter \"" + std::string(name) + "\"");
    return i;
  }
  [[noreturn]] void fail(const std::string& what) const {
    throw error("assess (" + std::string(to_string(method_)) + "): " + what +
                "; accepted parameters: " + accepted_list(specs_));
  }

  assess_method method_;
  std::span<const param_spec> specs_;
  std::array<double, max_params> numbers_{};
  std::array<bool, max_params> flags_{};
};

/// Validation of the orders and ranges a method needs (thresholds out of order throw).
void validate(assess_method m, const resolved_params& p) {
  switch (m) {
  case assess_method::linear: p.require_at_least("margin", 0, false); break;
  case assess_method::statcan:
    p.require_increasing(
        {"score_min_ratio", "limited_threshold", "moderate_threshold", "substantial_threshold", "score_max_ratio"});
    p.require_increasing({"notarget_score_min_growth", "notarget_limited_threshold", "notarget_moderate_threshold",
                          "notarget_substantial_threshold", "notarget_score_max_growth"});
    p.require_at_least("limit_exponent", 0, true);
    p.require_at_least("zero_substitute", 0, true);
    break;
  case assess_method::eurostat:
    p.require_increasing({"insufficient_threshold", "moderate_threshold", "significant_threshold"});
    p.require_increasing(
        {"notarget_movement_threshold", "notarget_moderate_threshold", "notarget_significant_threshold"});
    break;
  case assess_method::escap_csi: break;
  case assess_method::escap_api:
    p.require_at_least("weight_slope", 0, false);
    p.require_increasing({"maintain_threshold", "reverse_threshold"});
    break;
  case assess_method::sdsn:
    p.require_increasing({"stagnating_threshold", "moderate_threshold", "on_track_threshold"});
    break;
  case assess_method::unsd:
    p.require_increasing({"acceleration_threshold", "on_track_threshold"});
    p.require_increasing({"notarget_acceleration_growth", "notarget_on_track_growth"});
    break;
  }
}

// ---------------------------------------------------------------------------------------------
// Vocabulary
// ---------------------------------------------------------------------------------------------

constexpr std::array<std::string_view, 4> linear_categories{"achieved", "ahead", "on_track", "lagging"};
constexpr std::array<std::string_view, 5> statcan_categories{"target_achieved", "substantial_progress",
                                                             "moderate_progress", "limited_progress", "deterioration"};
constexpr std::array<std::string_view, 6> eurostat_categories{"significant_progress",   "moderate_progress",
                                                              "insufficient_progress",  "movement_away",
                                                              "moderate_movement_away", "significant_movement_away"};
constexpr std::array<std::string_view, 4> escap_csi_categories{"target_achieved", "on_track", "below_expected",
                                                               "regression"};
constexpr std::array<std::string_view, 3> escap_api_categories{"maintain", "accelerate", "reverse"};
constexpr std::array<std::string_view, 4> sdsn_categories{"on_track", "moderately_improving", "stagnating",
                                                          "decreasing"};
constexpr std::array<std::string_view, 3> unsd_categories{"on_track", "acceleration_needed",
                                                          "stagnation_or_regression"};

struct label {
  std::string_view category, zh, en;
};
constexpr std::array<label, 4> linear_labels{{
    {"achieved", "已达到目标", "target achieved"},
    {"ahead", "超前于序时进度", "ahead of the linear path"},
    {"on_track", "符合序时进度", "on track"},
    {"lagging", "滞后于序时进度", "lagging behind the linear path"},
}};
constexpr std::array<label, 5> statcan_labels{{
    {"target_achieved", "已达成目标", "target achieved"},
    {"substantial_progress", "进展显著（按期可达）", "on track (substantial progress)"},
    {"moderate_progress", "有进展但需加速", "progress made but acceleration needed"},
    {"limited_progress", "进展有限", "limited progress"},
    {"deterioration", "退步", "deterioration"},
}};
constexpr std::array<label, 6> eurostat_labels{{
    {"significant_progress", "显著进展", "significant progress"},
    {"moderate_progress", "中等进展", "moderate progress"},
    {"insufficient_progress", "进展不足", "insufficient progress"},
    {"movement_away", "偏离目标", "movement away from the target"},
    {"moderate_movement_away", "轻度偏离", "moderate movement away"},
    {"significant_movement_away", "显著偏离", "significant movement away"},
}};
constexpr std::array<label, 4> escap_csi_labels{{
    {"target_achieved", "已达成目标", "target achieved"},
    {"on_track", "达到预期进度", "on the expected path"},
    {"below_expected", "低于预期进度", "below the expected path"},
    {"regression", "倒退", "regression"},
}};
constexpr std::array<label, 3> escap_api_labels{{
    {"maintain", "保持当前进展即可达标", "maintain progress to achieve the target"},
    {"accelerate", "需加快进展", "accelerate progress to achieve the target"},
    {"reverse", "需扭转趋势", "reverse the trend to achieve the target"},
}};
constexpr std::array<label, 4> sdsn_labels{{
    {"on_track", "按期可达或保持达标", "on track or maintaining achievement"},
    {"moderately_improving", "温和改善", "moderately improving"},
    {"stagnating", "停滞", "stagnating"},
    {"decreasing", "下降", "decreasing"},
}};
constexpr std::array<label, 3> unsd_labels{{
    {"on_track", "已达成或有望达成", "target met or on track"},
    {"acceleration_needed", "有进展但需加速", "fair progress but acceleration needed"},
    {"stagnation_or_regression", "停滞或倒退", "stagnation or regression"},
}};

std::span<const label> labels_of(assess_method m) {
  switch (m) {
  case assess_method::linear: return linear_labels;
  case assess_method::statcan: return statcan_labels;
  case assess_method::eurostat: return eurostat_labels;
  case assess_method::escap_csi: return escap_csi_labels;
  case assess_method::escap_api: return escap_api_labels;
  case assess_method::sdsn: return sdsn_labels;
  case assess_method::unsd: return unsd_labels;
  }
  return {};
}

// ---------------------------------------------------------------------------------------------
// Reasons (why not assessable)
// ---------------------------------------------------------------------------------------------

struct reason_text {
  std::string_view zh, en;
};
constexpr reason_text r_direction{"方向为“保持”或“区间”的指标没有朝向目标的进度，不适用此评估",
                                  "an indicator to maintain or keep within a band has no progress towards a "
                                  "target to assess"};
constexpr reason_text r_non_finite{"输入中有非有限数值（NaN 或无穷大）",
                                   "an input value is not finite (NaN or infinity)"};
constexpr reason_text r_baseline_after{"基线时间晚于当前观测时间", "the baseline is after the current observation"};
constexpr reason_text r_no_time{"当前观测与基线同一时间，尚无进度可言",
                                "the current observation is at the baseline time: no time has elapsed"};
constexpr reason_text r_target_time{"目标时间不晚于基线时间", "the target time is not after the baseline time"};
constexpr reason_text r_needs_target{"该方法需要目标值", "this method needs a target"};
constexpr reason_text r_flat_target{"目标值等于基线值且当前尚未达到，进度比无定义",
                                    "the target equals the baseline and the current value does not meet it, so "
                                    "the progress ratio is undefined"};
constexpr reason_text r_positive{"复合年均增长率要求所用数值均大于 0",
                                 "a compound annual growth rate needs values greater than 0"};
constexpr reason_text r_signs{"基线值与当前值或目标值符号不同，复合年均增长率无定义",
                              "the baseline and the current or target value have different signs, so the "
                              "compound annual growth rate is undefined"};
constexpr reason_text r_milestones{"里程碑须在基线与目标时间之间，且时间互不相同",
                                   "milestones must lie strictly between the baseline and target times, at "
                                   "distinct times"};
constexpr reason_text r_observations{"观测不足：加权回归至少需要两个不同时间的观测",
                                     "not enough observations: the weighted regression needs at least two "
                                     "distinct times"};
constexpr reason_text r_bounds{"归一化上下界相同或与指标方向相反",
                               "the normalisation bounds are equal or reversed for the indicator's direction"};
constexpr reason_text r_overflow{"计算结果不是有限数值", "the result is not a finite number"};
constexpr reason_text r_no_series{"没有可评估的序列", "no series could be assessed"};

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

// Category thresholds are compared with a tolerance for floating-point rounding (detail/tolerance.hpp):
// a trend that reaches a boundary exactly lands on the published side of it.
bool at_least(double v, double threshold, bool inclusive) { return detail::ratio_at_least(v, threshold, inclusive); }
bool at_most(double v, double threshold, bool inclusive) { return detail::ratio_at_most(v, threshold, inclusive); }
/// d·(x − target) ≥ 0 up to rounding: x has reached the target in direction d.
bool reached(double d, double x, double target) { return detail::value_reached(d, x, target); }

double cagr(double from, double to, double years) { return std::pow(to / from, 1.0 / years) - 1.0; }

/// Piecewise-linear score through knots[i] ↦ −5, −2.5, 0, 2.5, 5, clamped to [−5, 5].
double knot_score(double v, const std::array<double, 5>& knots) {
  constexpr std::array<double, 5> scores{-5, -2.5, 0, 2.5, 5};
  if (v <= knots[0]) return -5;
  for (std::size_t i = 1; i < knots.size(); ++i)
    if (v < knots[i])
      return scores[i - 1] + (scores[i] - scores[i - 1]) * (v - knots[i - 1]) / (knots[i] - knots[i - 1]);
  return 5;
}

class builder {
public:
  builder(assess_method m, const assess_input& in) {
    a_.method = m;
    a_.current = in.current;
    a_.target = in.target;
  }
  builder& add(std::string_view name, double v) {
    a_.details.emplace_back(std::string(name), v);
    return *this;
  }
  assessment done(std::string_view category, std::optional<double> value, std::optional<double> score = {}) {
    if ((value && !std::isfinite(*value)) || (score && !std::isfinite(*score))) return fail(r_overflow);
    a_.category = category;
    a_.value = value;
    a_.score = score;
    return std::move(a_);
  }
  assessment fail(const reason_text& r) {
    a_.category = not_assessable_category;
    a_.value.reset();
    a_.score.reset();
    a_.reason = text{std::string(r.zh), std::string(r.en)};
    a_.details.clear();
    return std::move(a_);
  }

private:
  assessment a_;
};

bool finite(const time_point& p) { return std::isfinite(p.t) && std::isfinite(p.x); }

/// The checks every method shares; nullptr when the input can be assessed.
const reason_text* common_problem(const assess_input& in, bool needs_target) {
  if (in.dir != direction::increase && in.dir != direction::decrease) return &r_direction;
  if (!finite(in.baseline) || !finite(in.current) || (in.target && !finite(*in.target))) return &r_non_finite;
  if (in.current.t < in.baseline.t) return &r_baseline_after;
  if (in.current.t == in.baseline.t) return &r_no_time;
  if (needs_target && !in.target) return &r_needs_target;
  if (in.target && !(in.target->t > in.baseline.t)) return &r_target_time;
  return nullptr;
}

double sign_of(direction d) { return d == direction::decrease ? -1.0 : 1.0; }

// ---------------------------------------------------------------------------------------------
// The methods
// ---------------------------------------------------------------------------------------------

assessment assess_linear(const assess_input& in, const resolved_params& p) {
  builder b(assess_method::linear, in);
  if (const reason_text* r = common_problem(in, true)) return b.fail(*r);
  const time_point& base = in.baseline;
  const time_point& tgt = *in.target;
  for (const time_point& m : in.milestones) {
    if (!finite(m)) return b.fail(r_non_finite);
    if (!(m.t > base.t && m.t < tgt.t)) return b.fail(r_milestones);
  }
  for (std::size_t i = 0; i < in.milestones.size(); ++i)
    for (std::size_t j = i + 1; j < in.milestones.size(); ++j)
      if (in.milestones[i].t == in.milestones[j].t) return b.fail(r_milestones);

  const double d = sign_of(in.dir);
  const double t = in.current.t, xt = in.current.x;
  // The planned path at t: between the nearest knots on either side; xT from T on.
  double expected = tgt.x;
  if (t < tgt.t) {
    time_point left = base, right = tgt;
    for (const time_point& m : in.milestones) {
      if (m.t <= t && m.t > left.t) left = m;
      if (m.t > t && m.t < right.t) right = m;
    }
    expected = left.x + (right.x - left.x) * (t - left.t) / (right.t - left.t);
  }
  const double tau = (t - base.t) / (tgt.t - base.t);
  const double gap = d * (xt - expected);
  b.add("time_progress", tau).add("expected_value", expected).add("gap", gap);
  const double numerator = d > 0 ? xt : tgt.x, denominator = d > 0 ? tgt.x : xt;
  if (denominator > 0 && numerator >= 0) b.add("completion_rate", numerator / denominator);

  std::optional<double> progress;
  if (tgt.x != base.x) progress = (xt - base.x) / (tgt.x - base.x);
  const double margin = p.number("margin");
  std::string_view category = "lagging";
  if (reached(d, xt, tgt.x))
    category = "achieved";
  else if (at_least(gap, margin, false))
    category = "ahead";
  else if (at_least(gap, -margin, true))
    category = "on_track";
  return b.done(category, progress);
}

std::string_view statcan_category(double v, double high, double med, double low, bool inclusive) {
  if (at_least(v, high, inclusive)) return "substantial_progress";
  if (at_least(v, med, inclusive)) return "moderate_progress";
  if (at_least(v, low, inclusive)) return "limited_progress";
  return "deterioration";
}

assessment assess_statcan(const assess_input& in, const resolved_params& p) {
  builder b(assess_method::statcan, in);
  if (const reason_text* r = common_problem(in, false)) return b.fail(*r);
  const double d = sign_of(in.dir);
  const double zero_sub = p.number("zero_substitute");
  const bool inclusive = p.flag("inclusive");
  const double x0 = in.baseline.x == 0 ? zero_sub : in.baseline.x;
  const double xt = in.current.x;
  const double s = x0 < 0 ? -1.0 : 1.0;
  const double years = in.current.t - in.baseline.t;
  const bool mixed = (x0 > 0 && xt < 0) || (x0 < 0 && xt > 0);

  if (in.target) {
    const time_point& tgt = *in.target;
    // Target achieved: score 5 whatever the trend (sdg-build get_score / get_progress_status).
    const bool achieved = reached(d, xt, tgt.x);
    const double xT = tgt.x == 0 ? zero_sub : tgt.x;
    const bool target_mixed = (x0 > 0 && xT < 0) || (x0 < 0 && xT > 0);
    std::optional<double> ratio;
    if (!mixed && !target_mixed) {
      const double observed = cagr(x0, xt, years);
      const double required = cagr(x0, xT, tgt.t - in.baseline.t);
      b.add("observed_cagr", observed).add("required_cagr", required).add("sign", s);
      if (required != 0) ratio = s * d * observed / std::abs(required);
    }
    if (achieved) return b.done("target_achieved", ratio, 5.0);
    if (mixed || target_mixed) return b.fail(r_signs);
    if (!ratio) return b.fail(r_flat_target);
    const double r = *ratio;
    const std::array<double, 5> knots{p.number("score_min_ratio"), p.number("limited_threshold"),
                                      p.number("moderate_threshold"), p.number("substantial_threshold"),
                                      p.number("score_max_ratio")};
    return b.done(statcan_category(r, knots[3], knots[2], knots[1], inclusive), r, knot_score(r, knots));
  }

  // No target: the direction-adjusted growth rate against fixed thresholds, scaled near a limit.
  if (mixed) return b.fail(r_signs);
  double coefficient = 1;
  if (in.natural_limit) {
    if (!std::isfinite(*in.natural_limit)) return b.fail(r_non_finite);
    const double base = std::abs(in.baseline.x), limit = std::abs(*in.natural_limit);
    const double a = p.number("limit_exponent");
    if (base >= 2 * limit) // first, so that a zero limit and a zero base give 1 (as sdg-build)
      coefficient = 1;
    else if (base <= limit)
      coefficient = 1 - std::pow(base / limit, a);
    else
      coefficient = 1 - std::pow((2 * limit - base) / limit, a);
  }
  // Only thresholds above 0% are scaled (progress-methodology.md).
  const auto scaled = [&](double threshold) { return threshold > 0 ? threshold * coefficient : threshold; };
  const double v = s * d * cagr(x0, xt, years);
  const double low = scaled(p.number("notarget_limited_threshold"));
  const double med = scaled(p.number("notarget_moderate_threshold"));
  const double high = scaled(p.number("notarget_substantial_threshold"));
  const double top = scaled(p.number("notarget_score_max_growth"));
  b.add("cagr", v).add("sign", s).add("coefficient", coefficient);
  b.add("substantial_threshold", high).add("moderate_threshold", med);
  const double bottom = p.number("notarget_score_min_growth");
  double score = 0;
  if (v < low) // below the limited threshold: -2.5 at `low` down to -5 at `bottom` (125v - 2.5 by default)
    score = std::max(-5.0, -2.5 - 2.5 * (low - v) / (low - bottom));
  else if (coefficient == 0)
    score = 5; // the base sits on the limit and the value holds it (progress-methodology.md)
  else
    score = knot_score(v, {bottom, low, med, high, top});
  return b.done(statcan_category(v, high, med, low, p.flag("inclusive")), v, score);
}

assessment assess_eurostat(const assess_input& in, const resolved_params& p) {
  builder b(assess_method::eurostat, in);
  if (const reason_text* r = common_problem(in, false)) return b.fail(*r);
  const double d = sign_of(in.dir);
  const double x0 = in.baseline.x, xt = in.current.x;
  if (!(x0 > 0 && xt > 0) || (in.target && !(in.target->x > 0))) return b.fail(r_positive);
  const double actual = cagr(x0, xt, in.current.t - in.baseline.t);
  if (in.target) {
    const double required = cagr(x0, in.target->x, in.target->t - in.baseline.t);
    b.add("actual_cagr", actual).add("required_cagr", required);
    if (required == 0) return b.fail(r_flat_target);
    const double ratio = d * actual / std::abs(required);
    const bool inclusive = p.flag("inclusive");
    std::string_view category = "movement_away";
    if (at_least(ratio, p.number("significant_threshold"), inclusive))
      category = "significant_progress";
    else if (at_least(ratio, p.number("moderate_threshold"), inclusive))
      category = "moderate_progress";
    else if (at_least(ratio, p.number("insufficient_threshold"), inclusive))
      category = "insufficient_progress";
    return b.done(category, ratio);
  }
  const double v = d * actual;
  b.add("cagr", actual);
  const bool inclusive = p.flag("notarget_inclusive");
  std::string_view category = "significant_movement_away";
  if (at_least(v, p.number("notarget_significant_threshold"), inclusive))
    category = "significant_progress";
  else if (at_least(v, p.number("notarget_moderate_threshold"), inclusive))
    category = "moderate_progress";
  else if (at_least(v, p.number("notarget_movement_threshold"), inclusive))
    category = "moderate_movement_away";
  return b.done(category, v);
}

assessment assess_escap_csi(const assess_input& in, const resolved_params& p) {
  builder b(assess_method::escap_csi, in);
  if (const reason_text* r = common_problem(in, true)) return b.fail(*r);
  const double d = sign_of(in.dir);
  const time_point& tgt = *in.target;
  const double x0 = in.baseline.x, xt = in.current.x;
  const double tau = (in.current.t - in.baseline.t) / (tgt.t - in.baseline.t);
  const double given = p.number("expected_progress");
  const double expected = std::isnan(given) ? std::clamp(tau, 0.0, 1.0) : given;
  const bool achieved = reached(d, xt, tgt.x);
  if (tgt.x == x0) {
    if (achieved) return b.done("target_achieved", std::nullopt);
    return b.fail(r_flat_target);
  }
  const double csi = d * (xt - x0) / std::abs(tgt.x - x0);
  b.add("progress_ratio", csi).add("expected_progress", expected).add("time_progress", tau);
  const bool inclusive = p.flag("inclusive");
  std::string_view category = "regression";
  if (achieved)
    category = "target_achieved";
  else if (at_least(csi, expected, inclusive))
    category = "on_track";
  else if (at_least(csi, 0, inclusive))
    category = "below_expected";
  return b.done(category, std::min(csi, 1.0));
}

assessment assess_escap_api(const assess_input& in, const resolved_params& p) {
  builder b(assess_method::escap_api, in);
  if (const reason_text* r = common_problem(in, true)) return b.fail(*r);
  const double d = sign_of(in.dir);
  const time_point& tgt = *in.target;
  const double x0 = in.baseline.x;
  const std::array<time_point, 2> ends{in.baseline, in.current};
  const std::span<const time_point> obs =
      in.observations.empty() ? std::span<const time_point>(ends) : std::span<const time_point>(in.observations);
  double first = obs.front().t;
  for (const time_point& o : obs) {
    if (!finite(o)) return b.fail(r_non_finite);
    first = std::min(first, o.t);
  }
  // Weighted least squares: centre on the weighted means, then slope = Sxy / Sxx.
  const double slope_w = p.number("weight_slope");
  double sw = 0, st = 0, sx = 0;
  for (const time_point& o : obs) {
    const double w = 1 + slope_w * (o.t - first);
    sw += w;
    st += w * o.t;
    sx += w * o.x;
  }
  const double tm = st / sw, xm = sx / sw;
  double sxx = 0, sxy = 0;
  for (const time_point& o : obs) {
    const double w = 1 + slope_w * (o.t - first);
    sxx += w * (o.t - tm) * (o.t - tm);
    sxy += w * (o.t - tm) * (o.x - xm);
  }
  if (!(sxx > 0)) return b.fail(r_observations); // fewer than two distinct times
  const double slope = sxy / sxx;
  const double predicted = xm + slope * (tgt.t - tm);
  b.add("predicted_value", predicted).add("slope", slope).add("observations", static_cast<double>(obs.size()));
  if (tgt.x == x0) {
    if (reached(d, in.current.x, tgt.x)) return b.done("maintain", std::nullopt);
    return b.fail(r_flat_target);
  }
  const double gap = d * (tgt.x - predicted) / std::abs(tgt.x - x0);
  const bool inclusive = p.flag("inclusive");
  std::string_view category = "reverse";
  if (at_most(gap, p.number("maintain_threshold"), inclusive))
    category = "maintain";
  else if (at_most(gap, p.number("reverse_threshold"), inclusive))
    category = "accelerate";
  return b.done(category, gap);
}

assessment assess_sdsn(const assess_input& in, const resolved_params& p) {
  builder b(assess_method::sdsn, in);
  if (const reason_text* r = common_problem(in, true)) return b.fail(*r);
  const double d = sign_of(in.dir);
  const time_point& tgt = *in.target;
  const double x0 = in.baseline.x, xt = in.current.x;
  if (reached(d, xt, tgt.x)) return b.done("on_track", std::nullopt); // maintaining achievement
  double lb = p.number("lower_bound"), ub = p.number("upper_bound");
  if (std::isnan(lb)) lb = d > 0 ? std::min(x0, xt) : std::max(x0, xt);
  if (std::isnan(ub)) ub = tgt.x;
  if (!(d * (ub - lb) > 0)) return b.fail(r_bounds);
  const auto norm = [&](double x) { return std::clamp(100 * (x - lb) / (ub - lb), 0.0, 100.0); };
  const double n0 = norm(x0), nt = norm(xt), green = norm(tgt.x);
  const double required = (green - n0) / (tgt.t - in.baseline.t);
  const double actual = (nt - n0) / (in.current.t - in.baseline.t);
  b.add("normalised_baseline", n0).add("normalised_current", nt).add("normalised_target", green);
  b.add("required_rate", required).add("actual_rate", actual).add("lower_bound", lb).add("upper_bound", ub);
  if (at_least(nt, green, true)) return b.done("on_track", required > 0 ? std::optional<double>(actual / required) : std::nullopt);
  // The baseline was at or beyond green (xT = x0, or a baseline that had passed the target) and
  // the current value is below it: the score fell; the ratio is undefined.
  if (!(required > 0)) return b.done("decreasing", std::nullopt);
  const double ratio = actual / required;
  const bool inclusive = p.flag("inclusive");
  std::string_view category = "decreasing";
  if (at_least(ratio, p.number("on_track_threshold"), inclusive))
    category = "on_track";
  else if (at_least(ratio, p.number("moderate_threshold"), inclusive))
    category = "moderately_improving";
  else if (at_least(ratio, p.number("stagnating_threshold"), inclusive))
    category = "stagnating";
  return b.done(category, ratio);
}

assessment assess_unsd(const assess_input& in, const resolved_params& p) {
  builder b(assess_method::unsd, in);
  if (const reason_text* r = common_problem(in, false)) return b.fail(*r);
  const double d = sign_of(in.dir);
  const double x0 = in.baseline.x, xt = in.current.x;
  const bool inclusive = p.flag("inclusive");
  const bool positive = x0 > 0 && xt > 0 && (!in.target || in.target->x > 0);
  if (in.target) {
    const time_point& tgt = *in.target;
    const bool achieved = reached(d, xt, tgt.x);
    std::optional<double> ratio;
    if (positive) {
      const double growth = cagr(x0, xt, in.current.t - in.baseline.t);
      const double projected = xt * std::pow(1 + growth, tgt.t - in.current.t);
      b.add("cagr", growth).add("projected_value", projected);
      if (tgt.x != x0) ratio = d * (projected - x0) / std::abs(tgt.x - x0);
    }
    if (achieved) return b.done("on_track", ratio, 3.0); // EUSTAT exception 1
    if (!positive) return b.fail(r_positive);
    if (!ratio) return b.fail(r_flat_target);
    if (at_least(*ratio, p.number("on_track_threshold"), inclusive)) return b.done("on_track", ratio, 3.0);
    if (at_least(*ratio, p.number("acceleration_threshold"), inclusive))
      return b.done("acceleration_needed", ratio, 2.0);
    return b.done("stagnation_or_regression", ratio, 1.0);
  }
  if (!positive) return b.fail(r_positive);
  const double growth = cagr(x0, xt, in.current.t - in.baseline.t);
  const double v = d * growth;
  b.add("cagr", growth);
  if (at_least(v, p.number("notarget_on_track_growth"), inclusive)) return b.done("on_track", v, 3.0);
  if (at_least(v, p.number("notarget_acceleration_growth"), inclusive)) return b.done("acceleration_needed", v, 2.0);
  return b.done("stagnation_or_regression", v, 1.0);
}

// ---------------------------------------------------------------------------------------------
// Sentences
// ---------------------------------------------------------------------------------------------

/// x with `decimals` decimals (locale-independent; never "-0.0").

/// Up to two decimals, trailing zeros dropped: 0.55, 3, -0.19.
std::string short_number(double x) {
  std::string s = detail::format_fixed(x, 2);
  if (s.find('.') != std::string::npos) {
    while (s.back() == '0') s.pop_back();
    if (s.back() == '.') s.pop_back();
  }
  return s;
}

bool is_percent(const explain_context& c) { return c.unit == "%"; }

std::string with_unit(double x, const explain_context& c, bool en) {
  std::string s = detail::format_fixed(x, c.decimals);
  if (c.unit.empty()) return s;
  if (is_percent(c) || !en) return s + c.unit;
  return s + " " + c.unit;
}

/// A difference of two values: percentage points for a percentage.
std::string difference(double x, const explain_context& c, bool en) {
  std::string s = detail::format_fixed(x, c.decimals);
  if (is_percent(c)) return s + (en ? " percentage points" : " 个百分点");
  if (c.unit.empty()) return s;
  return en ? s + " " + c.unit : s + c.unit;
}

std::string percent(double x) { return detail::format_fixed(100 * x, 2) + "%"; }

} // namespace

// ---------------------------------------------------------------------------------------------
// Public functions
// ---------------------------------------------------------------------------------------------

namespace {
/// Times are years (2023, or 2023.5 for mid-2023): a time outside 1..9999 is a mistake (a day
/// number, a year typed −5), refused with the place, not assessed as if meaningful. NaN passes
/// here: a non-finite input is "not assessable" with its reason.
void check_times(const assess_input& in) {
  const auto check = [](double t, const std::string& where) {
    if (std::isfinite(t) && (t < 1 || t > 9999))
      throw error("assess: " + where + ": expected a time in years from 1 to 9999 (e.g. 2023 or 2023.5), got " +
                  detail::format_number(t));
  };
  check(in.baseline.t, "baseline");
  check(in.current.t, "current");
  if (in.target) check(in.target->t, "target");
  for (std::size_t i = 0; i < in.observations.size(); ++i)
    check(in.observations[i].t, "observations[" + std::to_string(i) + "]");
  for (std::size_t i = 0; i < in.milestones.size(); ++i)
    check(in.milestones[i].t, "milestones[" + std::to_string(i) + "]");
}
} // namespace

assessment assess(assess_method method, const assess_input& input, const assess_params& params) {
  const resolved_params p(method, params);
  validate(method, p);
  check_times(input);
  switch (method) {
  case assess_method::linear: return assess_linear(input, p);
  case assess_method::statcan: return assess_statcan(input, p);
  case assess_method::eurostat: return assess_eurostat(input, p);
  case assess_method::escap_csi: return assess_escap_csi(input, p);
  case assess_method::escap_api: return assess_escap_api(input, p);
  case assess_method::sdsn: return assess_sdsn(input, p);
  case assess_method::unsd: return assess_unsd(input, p);
  }
  throw error("assess: unknown method");
}

assessment statcan_multi(std::span<const assess_input> series, const assess_params& params) {
  const resolved_params p(assess_method::statcan, params);
  validate(assess_method::statcan, p);
  assessment out;
  out.method = assess_method::statcan;
  double sum = 0;
  std::size_t n = 0;
  bool all_achieved = true;
  out.details.reserve(series.size() + 2);
  for (std::size_t i = 0; i < series.size(); ++i) {
    check_times(series[i]);
    const assessment a = assess_statcan(series[i], p);
    if (!a.score) continue; // as sdg-build: a series without a score does not count
    sum += *a.score;
    ++n;
    all_achieved = all_achieved && a.category == "target_achieved";
    out.details.emplace_back("score[" + std::to_string(i) + "]", *a.score);
  }
  if (n == 0) {
    out.details.clear();
    out.category = not_assessable_category;
    out.reason = text{std::string(r_no_series.zh), std::string(r_no_series.en)};
    return out;
  }
  const double mean = sum / static_cast<double>(n);
  out.details.emplace_back("series", static_cast<double>(series.size()));
  out.details.emplace_back("assessed", static_cast<double>(n));
  out.value = mean;
  out.score = mean;
  // get_progress_status_from_score: [2.5, 5] substantial, [0, 2.5[ moderate, [-2.5, 0[ limited.
  out.category = all_achieved ? "target_achieved" : statcan_category(mean, 2.5, 0, -2.5, p.flag("inclusive"));
  return out;
}

std::span<const std::string_view> categories(assess_method method) {
  switch (method) {
  case assess_method::linear: return linear_categories;
  case assess_method::statcan: return statcan_categories;
  case assess_method::eurostat: return eurostat_categories;
  case assess_method::escap_csi: return escap_csi_categories;
  case assess_method::escap_api: return escap_api_categories;
  case assess_method::sdsn: return sdsn_categories;
  case assess_method::unsd: return unsd_categories;
  }
  return {};
}

std::vector<std::pair<std::string, param_value>> default_params(assess_method method) {
  std::vector<std::pair<std::string, param_value>> out;
  const auto specs = specs_of(method);
  out.reserve(specs.size());
  for (const param_spec& s : specs)
    out.emplace_back(std::string(s.name), s.is_flag ? param_value(s.flag) : param_value(s.number));
  return out;
}

text method_label(assess_method method) {
  switch (method) {
  case assess_method::linear: return {"序时进度", "linear path"};
  case assess_method::statcan: return {"加拿大统计局进度测度", "Statistics Canada progress measure"};
  case assess_method::eurostat: return {"欧盟统计局进度评估", "Eurostat progress assessment"};
  case assess_method::escap_csi: return {"亚太经社会现状指数", "ESCAP current status index"};
  case assess_method::escap_api: return {"亚太经社会预期进展指数", "ESCAP anticipated progress index"};
  case assess_method::sdsn: return {"可持续发展解决方案网络趋势评估", "SDSN trend assessment"};
  case assess_method::unsd: return {"联合国统计司进展图", "UNSD progress chart"};
  }
  return {std::string(to_string(method)), std::string(to_string(method))};
}

text category_label(assess_method method, std::string_view category) {
  if (category == not_assessable_category) return {"无法评估", "not assessable"};
  for (const label& l : labels_of(method))
    if (l.category == category) return {std::string(l.zh), std::string(l.en)};
  return {std::string(category), std::string(category)};
}

namespace {
/// A time in years for sentences: "2023" for a whole year, else two decimals ("2023.50").
std::string time_label(double t) {
  if (std::abs(t - std::round(t)) < 1e-6) return ::planeval::detail::format_number(std::round(t));
  return ::planeval::detail::format_fixed(t, 2);
}
} // namespace

std::string assessment::explain(std::string_view lang, const explain_context& context) const {
  const bool en = lang == "en";
  // enough decimals that a gap never reads as zero ("滞后 0.0 个百分点" for a gap of 0.02)
  explain_context ctx = context;
  if (const auto g = detail("gap"); g && std::isfinite(*g) && *g != 0 && (category == "lagging" || category == "ahead"))
    while (ctx.decimals < 6 && std::abs(*g) < 0.5 * std::pow(10.0, -ctx.decimals)) ++ctx.decimals;
  const std::string name = !ctx.name.empty() ? ctx.name : (en ? "The indicator" : "该指标");
  if (!assessable())
    return en ? name + ": not assessable (" + reason.in("en") + ")." : name + "：无法评估（" + reason.zh + "）。";

  // "<name> 2023 年为 44.0%" / "<name> in 2023 was 44.0%"
  std::string s = name;
  if (current) {
    const std::string year = !ctx.current_label.empty() ? ctx.current_label : time_label(current->t);
    explain_context value_ctx = ctx;
    if (ctx.current_decimals >= 0) value_ctx.decimals = ctx.current_decimals;
    const std::string value_text = with_unit(current->x, value_ctx, en);
    s += en ? " in " + year + " was " + value_text : " " + year + " 年为 " + value_text;
  }

  if (method == assess_method::linear && current && target) {
    const std::string target_text = with_unit(target->x, ctx, en);
    const std::string deadline = !ctx.target_label.empty() ? ctx.target_label : time_label(target->t);
    if (category == "achieved")
      return s + (en ? ", meeting the " + deadline + " target of " + target_text + "."
                     : "，已达到 " + deadline + " 年目标 " + target_text + "。");
    const double expected = detail("expected_value").value_or(0);
    const double gap = detail("gap").value_or(0);
    s += en ? "; on the linear path it should be " + with_unit(expected, ctx, en)
            : "，按序时进度应达 " + with_unit(expected, ctx, en);
    if (category == "lagging")
      return s + (en ? "; lagging by " : "，滞后 ") + difference(-gap, ctx, en) + (en ? "." : "。");
    if (category == "ahead") return s + (en ? "; ahead by " : "，超前 ") + difference(gap, ctx, en) + (en ? "." : "。");
    return s + (en ? "; on track." : "，符合序时进度。");
  }

  // Other methods: the category and the method's number.
  const text cat = category_label(method, category);
  const text how = method_label(method);
  std::string number;
  if (value) {
    const bool growth = !target && method != assess_method::linear && method != assess_method::escap_csi &&
                        method != assess_method::escap_api && method != assess_method::sdsn;
    if (!current)
      number = en ? "mean score " + short_number(*value) : "平均得分 " + short_number(*value);
    else if (growth)
      number = (en ? "direction-adjusted annual growth " : "方向调整后的年均增长率 ") + percent(*value);
    else {
      std::string_view label_zh = "比值", label_en = "ratio";
      switch (method) {
      case assess_method::linear:
        label_zh = "完成进度";
        label_en = "completion progress";
        break;
      case assess_method::statcan:
        label_zh = "实际与所需增长率之比 R";
        label_en = "growth ratio R";
        break;
      case assess_method::eurostat:
        label_zh = "实际与所需增长率之比";
        label_en = "actual/required growth";
        break;
      case assess_method::escap_csi:
        label_zh = "现状指数 CSI";
        label_en = "CSI";
        break;
      case assess_method::escap_api:
        label_zh = "预期差距比 G";
        label_en = "anticipated gap G";
        break;
      case assess_method::sdsn:
        label_zh = "实际与所需速度之比";
        label_en = "actual/required pace";
        break;
      case assess_method::unsd:
        label_zh = "预计完成比例";
        label_en = "projected share of the way";
        break;
      }
      number = std::string(en ? label_en : label_zh) + " " + short_number(*value);
    }
  }
  if (score && current)
    number += std::string(number.empty() ? "" : (en ? ", " : "，")) + (en ? "score " : "得分 ") + short_number(*score);
  if (en) {
    s += current ? ". " : ": ";
    s += how.en + ": " + cat.en;
    if (!number.empty()) s += " (" + number + ")";
    return s + ".";
  }
  s += current ? "；" : "：";
  s += how.zh + "：" + cat.zh;
  if (!number.empty()) s += "（" + number + "）";
  return s + "。";
}

} // namespace planeval
