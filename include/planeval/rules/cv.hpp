// Copyright (c) 2026 planeval developers. Distributed under the MIT License.
#pragma once
/// \file rules/cv.hpp
/// cv: the coefficient of variation (差异系数) across units, student-weighted by default.
///
/// Design notes: the official form (2012 督导评估办法 note, reused in 2017; planeval domain notes
/// §2.2) weights each school by its students Pᵢ and uses the population form:
///   P = ΣPᵢ, x̄ = ΣPᵢxᵢ / P (the county total ÷ county students), S = √(Σ(Pᵢ/P)(xᵢ − x̄)²), CV = S / x̄.
/// Many implementations use an unweighted CV instead; cv::unweighted() computes that one from the
/// same observations (the weights are then ignored), so the two can be compared. The state is the
/// variance accumulator (West / Chan et al.), so merges are numerically stable and may differ from
/// one pass in the last bits only. CV is S / x̄ with its sign; undefined when x̄ = 0.

#include <planeval/rules/common.hpp>
#include <planeval/rules/variance.hpp>

#include <cmath>
#include <cstdint>
#include <optional>
#include <string_view>

namespace planeval::rules {

/// Whether cv weights units (by students) or counts each unit once.
enum class cv_weighting : std::uint8_t {
  weighted,  ///< x̄ and S weighted by Pᵢ (the official 差异系数; default)
  unweighted ///< every unit counts once; weights passed to operator() are ignored
};
inline constexpr detail::name_table<cv_weighting, 2> cv_weighting_names{{
    {cv_weighting::weighted, "weighted"},
    {cv_weighting::unweighted, "unweighted"},
}};
/// "weighted" or "unweighted".
inline std::string_view to_string(cv_weighting w) noexcept { return detail::name_of(cv_weighting_names, w); }

/// Coefficient of variation S / x̄ (差异系数); student-weighted population form by default.
class cv {
public:
  static constexpr std::string_view name = "cv";
  static constexpr bool mergeable = true;

  /// Empty state (the identity): weighted, population form, missing policy skip_if_all_missing.
  cv() = default;
  explicit cv(cv_weighting w, rules::ddof d = rules::ddof::population,
              missing_policy p = missing_policy::skip_if_all_missing)
      : weighting_(w), var_(d, p) {
    check_weighting();
  }
  /// The official form: weighted by students, population variance.
  static cv weighted(missing_policy p = missing_policy::skip_if_all_missing) {
    return cv(cv_weighting::weighted, rules::ddof::population, p);
  }
  /// Every unit counts once (population variance unless `d` says sample).
  static cv unweighted(rules::ddof d = rules::ddof::population,
                       missing_policy p = missing_policy::skip_if_all_missing) {
    return cv(cv_weighting::unweighted, d, p);
  }

  /// Observe unit value `x` (per student, per 100 students...) with weight `students` >= 0;
  /// an unweighted cv checks the weight and then ignores it.
  void operator()(double x, double students) {
    detail::require_finite(x, name);
    detail::require_weight(students, name, "weight (students)");
    var_(x, weighting_ == cv_weighting::weighted ? students : 1.0);
  }
  /// Observe unit value `x` with weight 1.
  void operator()(double x) {
    detail::require_finite(x, name);
    var_(x);
  }
  /// Observe a missing unit value (0 with its weight under never_skip).
  void missing(double students) {
    detail::require_weight(students, name, "weight (students)");
    var_.missing(weighting_ == cv_weighting::weighted ? students : 1.0);
  }
  void missing() { var_.missing(); }

  /// Merge another partial state. Throws planeval::error if weighting, ddof or policies differ.
  cv& operator+=(const cv& o) {
    if (detail::merge_with_identity(*this, o)) return *this;
    if (weighting_ != o.weighting_)
      detail::throw_merge_mismatch(name, "weighting", to_string(weighting_), to_string(o.weighting_));
    if (var_.correction() != o.var_.correction())
      detail::throw_merge_mismatch(name, "ddof", to_string(var_.correction()), to_string(o.var_.correction()));
    var_ += o.var_;
    return *this;
  }

  /// S / x̄; nullopt if there is no data, the missing policy says skip, x̄ = 0 or S is undefined.
  std::optional<double> value() const noexcept {
    const auto m = var_.mean();
    const auto v = var_.variance();
    if (!m || !v || *m == 0) return std::nullopt;
    return std::sqrt(*v) / *m;
  }
  /// x̄ (weighted unless unweighted).
  std::optional<double> mean() const noexcept { return var_.mean(); }
  /// S.
  std::optional<double> stddev() const noexcept {
    const auto v = var_.variance();
    if (!v) return std::nullopt;
    return std::sqrt(*v);
  }
  cv_weighting weighting() const noexcept { return weighting_; }
  rules::ddof correction() const noexcept { return var_.correction(); }
  std::uint64_t count() const noexcept { return var_.count(); }
  std::uint64_t missing_count() const noexcept { return var_.missing_count(); }
  missing_policy policy() const noexcept { return var_.policy(); }

  template <class Archive>
  void serialize(Archive& ar, unsigned /* version */) {
    ar(weighting_, var_);
    if constexpr (Archive::is_loading) check_weighting();
  }

  friend bool operator==(const cv&, const cv&) = default;

private:
  void check_weighting() const {
    if (weighting_ != cv_weighting::weighted && weighting_ != cv_weighting::unweighted)
      throw error("cv: weighting must be weighted or unweighted");
  }

  cv_weighting weighting_ = cv_weighting::weighted;
  variance var_;
};

} // namespace planeval::rules
