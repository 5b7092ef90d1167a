// Copyright (c) 2026 planeval developers. Distributed under the MIT License.
#pragma once
/// \file rules/ratio.hpp
/// Two ways to aggregate a quotient over units. They differ, and both are wanted:
/// - ratio_of_sums: factor × Σnumerator / Σdenominator. DHIS2 indicators work this way (aggregate
///   each side, then divide); it is the county figure, e.g. county teachers ÷ county students × 100.
/// - mean_of_ratios: the mean over units of numerator / denominator; every unit counts equally,
///   whatever its size.
/// Units (1/1, 1/9): ratio of sums 2/10 = 0.2, mean of ratios (1 + 1/9)/2 = 0.5556.
///
/// Design notes: plain double sums; merged in another order they may differ in the last bits.

#include <planeval/rules/common.hpp>

#include <cmath>
#include <cstdint>
#include <optional>
#include <string_view>

namespace planeval::rules {

/// factor × Σnumerator / Σdenominator (aggregate each side, then divide).
class ratio_of_sums {
public:
  static constexpr std::string_view name = "ratio_of_sums";
  static constexpr bool mergeable = true;

  /// Empty state (the identity), factor 1, missing policy skip_if_all_missing.
  ratio_of_sums() = default;
  /// `factor` scales the quotient (100 for a percentage or "per hundred students"); finite.
  explicit ratio_of_sums(double factor, missing_policy p = missing_policy::skip_if_all_missing)
      : presence_(p), factor_(factor) {
    detail::require_parameter(factor, name, "factor");
  }

  /// Observe one unit's numerator and denominator.
  void operator()(double numerator, double denominator) {
    detail::require_finite(numerator, name, "numerator");
    detail::require_finite(denominator, name, "denominator");
    presence_.add_present();
    num_.add(numerator);
    den_.add(denominator);
  }
  /// Observe a unit whose numerator is missing. Under never_skip its numerator counts as 0 and
  /// `denominator` is added; otherwise the unit is left out entirely.
  void missing(double denominator) {
    detail::require_finite(denominator, name, "denominator");
    if (presence_.add_missing()) den_.add(denominator);
  }

  /// Merge another partial state. Throws planeval::error if the factors or missing policies differ.
  ratio_of_sums& operator+=(const ratio_of_sums& o) {
    if (detail::merge_with_identity(*this, o)) return *this;
    if (factor_ != o.factor_)
      detail::throw_merge_mismatch(name, "factor", detail::format_number(factor_), detail::format_number(o.factor_));
    presence_.merge(o.presence_, name);
    num_.merge(o.num_);
    den_.merge(o.den_);
    return *this;
  }

  /// factor × Σnum / Σden; nullopt if there is no data, the policy says skip, or Σden = 0.
  std::optional<double> value() const noexcept {
    if (!presence_.defined() || den_.sum == 0) return std::nullopt;
    return factor_ * num_.divided_by(den_); // no overflow where the ratio is representable
  }
  double numerator() const noexcept { return num_.value(); }
  double denominator() const noexcept { return den_.value(); }
  double factor() const noexcept { return factor_; }
  std::uint64_t count() const noexcept { return presence_.present(); }
  std::uint64_t missing_count() const noexcept { return presence_.missing(); }
  missing_policy policy() const noexcept { return presence_.policy(); }

  /// Class version 1 adds the sums' binary exponents (detail::wide_sum).
  static constexpr unsigned serialization_version = 1;
  template <class Archive>
  void serialize(Archive& ar, unsigned version) {
    ar(presence_, factor_, num_.sum, den_.sum);
    if (version >= 1) ar(num_.exp, den_.exp);
    if constexpr (Archive::is_loading)
      detail::require_loaded(std::isfinite(factor_) && std::isfinite(num_.sum) && std::isfinite(den_.sum) &&
                                 num_.exp >= 0 && den_.exp >= 0 && num_.exp % detail::wide_sum::step == 0 &&
                                 den_.exp % detail::wide_sum::step == 0,
                             name, "factor or sums not finite, or exponents invalid");
  }

  friend bool operator==(const ratio_of_sums&, const ratio_of_sums&) = default;

private:
  detail::presence presence_;
  double factor_ = 1;
  detail::wide_sum num_;
  detail::wide_sum den_;
};

/// factor × mean over units of numerator / denominator; units with denominator 0 are excluded
/// and counted in skipped_zero_denominator().
class mean_of_ratios {
public:
  static constexpr std::string_view name = "mean_of_ratios";
  static constexpr bool mergeable = true;

  /// Empty state (the identity), factor 1, missing policy skip_if_all_missing.
  mean_of_ratios() = default;
  /// `factor` scales each ratio (100 for percentages); finite.
  explicit mean_of_ratios(double factor, missing_policy p = missing_policy::skip_if_all_missing)
      : presence_(p), factor_(factor) {
    detail::require_parameter(factor, name, "factor");
  }

  /// Observe one unit's numerator and denominator.
  void operator()(double numerator, double denominator) {
    detail::require_finite(numerator, name, "numerator");
    detail::require_finite(denominator, name, "denominator");
    presence_.add_present();
    add(numerator, denominator);
  }
  /// Observe a unit whose numerator is missing (ratio 0 / denominator under never_skip).
  void missing(double denominator) {
    detail::require_finite(denominator, name, "denominator");
    if (presence_.add_missing()) add(0.0, denominator);
  }

  /// Merge another partial state. Throws planeval::error if the factors or missing policies differ.
  mean_of_ratios& operator+=(const mean_of_ratios& o) {
    if (detail::merge_with_identity(*this, o)) return *this;
    if (factor_ != o.factor_)
      detail::throw_merge_mismatch(name, "factor", detail::format_number(factor_), detail::format_number(o.factor_));
    presence_.merge(o.presence_, name);
    sum_ += o.sum_;
    units_ += o.units_;
    skipped_ += o.skipped_;
    return *this;
  }

  /// factor × Σ(num/den) / units; nullopt if no unit had a nonzero denominator or the policy says skip.
  std::optional<double> value() const noexcept {
    if (!presence_.defined() || units_ == 0) return std::nullopt;
    return factor_ * sum_ / static_cast<double>(units_);
  }
  /// Units in the mean (denominator != 0).
  std::uint64_t units() const noexcept { return units_; }
  /// Units left out because their denominator was 0.
  std::uint64_t skipped_zero_denominator() const noexcept { return skipped_; }
  double factor() const noexcept { return factor_; }
  std::uint64_t count() const noexcept { return presence_.present(); }
  std::uint64_t missing_count() const noexcept { return presence_.missing(); }
  missing_policy policy() const noexcept { return presence_.policy(); }

  template <class Archive>
  void serialize(Archive& ar, unsigned /* version */) {
    ar(presence_, factor_, sum_, units_, skipped_);
    if constexpr (Archive::is_loading)
      detail::require_loaded(std::isfinite(factor_) && units_ + skipped_ == presence_.aggregated(), name,
                             "factor not finite or unit counts inconsistent");
  }

  friend bool operator==(const mean_of_ratios&, const mean_of_ratios&) = default;

private:
  void add(double numerator, double denominator) noexcept {
    if (denominator == 0) {
      ++skipped_;
    } else {
      sum_ += numerator / denominator;
      ++units_;
    }
  }

  detail::presence presence_;
  double factor_ = 1;
  double sum_ = 0;
  std::uint64_t units_ = 0;
  std::uint64_t skipped_ = 0;
};

} // namespace planeval::rules
