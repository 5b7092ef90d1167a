// Copyright (c) 2026 planeval developers. Distributed under the MIT License.
#pragma once
/// \file rules/structure_shares.hpp
/// structure_shares: does a structure (高级:中级:初级 = 3:4:3) match its target within a tolerance?
///
/// Design notes: observations are (category, amount ≥ 0), summed per category; shares are
/// percentages of the total. The target is given in any proportional form ({3, 4, 3} or
/// {30, 40, 30}) and stored as percentages; the tolerance is in percentage points, and a component
/// holds if |share − target| <= tolerance + 1e-9 (the slack absorbs rounding, as planeval::satisfies
/// does). value() is the largest absolute deviation in percentage points. Totals are double sums:
/// merged in another order they may differ in the last bits.

#include <planeval/rules/common.hpp>

#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace planeval::rules {

/// Shares of categories against target shares, within a tolerance in percentage points.
class structure_shares {
public:
  static constexpr std::string_view name = "structure_shares";
  static constexpr bool mergeable = true;

  /// Empty state (the identity) with no categories.
  structure_shares() = default;
  /// `target`: one finite non-negative entry per category with a positive sum ({3, 4, 3});
  /// `tolerance`: percentage points, finite and >= 0.
  structure_shares(std::vector<double> target, double tolerance, missing_policy p = missing_policy::skip_if_all_missing)
      : presence_(p), target_(std::move(target)), tolerance_(tolerance) {
    double total = 0;
    for (double t : target_) {
      detail::require_parameter(t, name, "target share", true);
      total += t;
    }
    if (!(total > 0)) throw error("structure_shares: the target shares must have a positive sum");
    detail::require_parameter(tolerance_, name, "tolerance", true);
    for (double& t : target_) t = 100.0 * t / total;
    sums_.assign(target_.size(), 0.0);
  }

  /// Add `amount` (finite, >= 0) to category `category`.
  void operator()(std::size_t category, double amount) {
    check_category(category);
    detail::require_finite(amount, name);
    detail::require_weight(amount, name, "amount");
    presence_.add_present();
    sums_[category] += amount;
  }
  /// A missing amount of `category` (adds nothing; under never_skip it counts as an observed 0).
  void missing(std::size_t category) {
    check_category(category);
    presence_.add_missing();
  }

  /// Merge another partial state. Throws planeval::error if targets, tolerance or policies differ.
  structure_shares& operator+=(const structure_shares& o) {
    if (detail::merge_with_identity(*this, o)) return *this;
    if (target_ != o.target_) detail::throw_merge_mismatch(name, "target shares");
    if (tolerance_ != o.tolerance_)
      detail::throw_merge_mismatch(name, "tolerance", detail::format_number(tolerance_),
                                   detail::format_number(o.tolerance_));
    presence_.merge(o.presence_, name);
    for (std::size_t i = 0; i < sums_.size(); ++i) sums_[i] += o.sums_[i];
    return *this;
  }

  /// Shares in percent; nullopt if there is no data, the missing policy says skip, or the total is 0.
  std::optional<std::vector<double>> shares() const {
    const double total = this->total();
    if (!presence_.defined() || !(total > 0)) return std::nullopt;
    std::vector<double> out(sums_.size());
    for (std::size_t i = 0; i < sums_.size(); ++i) out[i] = 100.0 * sums_[i] / total;
    return out;
  }
  /// Every share within tolerance of its target; nullopt when shares() is.
  std::optional<bool> holds() const {
    const auto d = value();
    if (!d) return std::nullopt;
    return *d <= tolerance_ + 1e-9;
  }
  /// Largest |share − target| in percentage points; nullopt when shares() is.
  std::optional<double> value() const {
    const auto s = shares();
    if (!s) return std::nullopt;
    double worst = 0;
    for (std::size_t i = 0; i < s->size(); ++i) {
      const double d = std::abs((*s)[i] - target_[i]);
      if (d > worst) worst = d;
    }
    return worst;
  }
  /// Target shares in percent.
  const std::vector<double>& target() const noexcept { return target_; }
  /// Amount per category.
  const std::vector<double>& sums() const noexcept { return sums_; }
  double tolerance() const noexcept { return tolerance_; }
  double total() const noexcept {
    double t = 0;
    for (double x : sums_) t += x;
    return t;
  }
  std::uint64_t count() const noexcept { return presence_.present(); }
  std::uint64_t missing_count() const noexcept { return presence_.missing(); }
  missing_policy policy() const noexcept { return presence_.policy(); }

  template <class Archive>
  void serialize(Archive& ar, unsigned /* version */) {
    ar(presence_, target_, tolerance_, sums_);
    if constexpr (Archive::is_loading) {
      bool ok = sums_.size() == target_.size() && std::isfinite(tolerance_) && tolerance_ >= 0;
      for (double t : target_) ok = ok && std::isfinite(t) && t >= 0;
      detail::require_loaded(ok, name, "targets, tolerance or sums malformed");
    }
  }

  friend bool operator==(const structure_shares&, const structure_shares&) = default;

private:
  void check_category(std::size_t category) const {
    if (category >= sums_.size())
      throw data_error("structure_shares: category " + std::to_string(category) + " out of range (" +
                       std::to_string(sums_.size()) + " categories)");
  }

  detail::presence presence_;
  std::vector<double> target_; ///< percent
  double tolerance_ = 0;       ///< percentage points
  std::vector<double> sums_;
};

} // namespace planeval::rules
