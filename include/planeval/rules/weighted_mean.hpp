// Copyright (c) 2026 planeval developers. Distributed under the MIT License.
#pragma once
/// \file rules/weighted_mean.hpp
/// weighted_mean: Σwx / Σw.
///
/// Design notes: double sums that do not overflow (detail::wide_sum: huge weights give a finite
/// mean); merged in another order they may differ in the last bits.

#include <planeval/rules/common.hpp>

#include <cstdint>
#include <optional>
#include <string_view>

namespace planeval::rules {

/// Weighted mean Σwᵢxᵢ / Σwᵢ with weights wᵢ >= 0 (a negative or non-finite weight throws).
class weighted_mean {
public:
  static constexpr std::string_view name = "weighted_mean";
  static constexpr bool mergeable = true;

  /// Empty state (the identity), missing policy skip_if_all_missing.
  weighted_mean() = default;
  explicit weighted_mean(missing_policy p) noexcept : presence_(p) {}

  /// Observe value `x` with weight `w`.
  void operator()(double x, double w) {
    detail::require_finite(x, name);
    detail::require_weight(w, name);
    presence_.add_present();
    sum_w_.add(w);
    sum_wx_.add_product(w, x);
  }
  /// Observe a missing value of weight `w` (0 with weight w under never_skip).
  void missing(double w) {
    detail::require_weight(w, name);
    if (presence_.add_missing()) sum_w_.add(w);
  }

  /// Merge another partial state. Throws planeval::error if the missing policies differ.
  weighted_mean& operator+=(const weighted_mean& o) {
    if (detail::merge_with_identity(*this, o)) return *this;
    presence_.merge(o.presence_, name);
    sum_w_.merge(o.sum_w_);
    sum_wx_.merge(o.sum_wx_);
    return *this;
  }

  /// Σwx / Σw; nullopt if there is no data, the missing policy says skip, or Σw = 0.
  std::optional<double> value() const noexcept {
    if (!presence_.defined() || !(sum_w_.sum > 0)) return std::nullopt;
    return sum_wx_.divided_by(sum_w_);
  }
  double sum_of_weights() const noexcept { return sum_w_.value(); }
  std::uint64_t count() const noexcept { return presence_.present(); }
  std::uint64_t missing_count() const noexcept { return presence_.missing(); }
  missing_policy policy() const noexcept { return presence_.policy(); }

  /// Class version 1 adds the sums' binary exponents (detail::wide_sum).
  static constexpr unsigned serialization_version = 1;
  template <class Archive>
  void serialize(Archive& ar, unsigned version) {
    ar(presence_, sum_w_.sum, sum_wx_.sum);
    if (version >= 1) ar(sum_w_.exp, sum_wx_.exp);
    if constexpr (Archive::is_loading)
      detail::require_loaded(std::isfinite(sum_w_.sum) && std::isfinite(sum_wx_.sum) && sum_w_.exp >= 0 &&
                                 sum_wx_.exp >= 0 && sum_w_.exp % detail::wide_sum::step == 0 &&
                                 sum_wx_.exp % detail::wide_sum::step == 0,
                             name, "sums not finite or exponents invalid");
  }

  friend bool operator==(const weighted_mean&, const weighted_mean&) = default;

private:
  detail::presence presence_;
  detail::wide_sum sum_w_;
  detail::wide_sum sum_wx_;
};

} // namespace planeval::rules
