// Copyright (c) 2026 planeval developers. Distributed under the MIT License.
#pragma once
/// \file rules/extremum.hpp
/// min and max of the observed values.
///
/// Design notes: min and max are aliases of basic_extremum<Kind>, which keeps the headers free of
/// `min(` / `max(` tokens that <windows.h>-style macros would expand. The merge is exact.

#include <planeval/rules/common.hpp>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <optional>
#include <string_view>

namespace planeval::detail {
struct min_tag {
  static constexpr std::string_view name = "min";
  static constexpr double identity = std::numeric_limits<double>::infinity();
  static constexpr double pick(double a, double b) noexcept { return (std::min)(a, b); }
};
struct max_tag {
  static constexpr std::string_view name = "max";
  static constexpr double identity = -std::numeric_limits<double>::infinity();
  static constexpr double pick(double a, double b) noexcept { return (std::max)(a, b); }
};
} // namespace planeval::detail

namespace planeval::rules {

/// The smallest (min) or largest (max) value observed.
template <class Kind>
class basic_extremum {
public:
  static constexpr std::string_view name = Kind::name;
  static constexpr bool mergeable = true;

  /// Empty state (the identity), missing policy skip_if_all_missing.
  basic_extremum() = default;
  explicit basic_extremum(missing_policy p) noexcept : presence_(p) {}

  /// Observe a present value.
  void operator()(double x) {
    detail::require_finite(x, name);
    presence_.add_present();
    add(x);
  }
  /// Observe a missing value (0 under never_skip).
  void missing() noexcept {
    if (presence_.add_missing()) add(0.0);
  }

  /// Merge another partial state (exact). Throws planeval::error if the missing policies differ.
  basic_extremum& operator+=(const basic_extremum& o) {
    if (detail::merge_with_identity(*this, o)) return *this;
    presence_.merge(o.presence_, name);
    best_ = Kind::pick(best_, o.best_);
    return *this;
  }

  /// The extremum; nullopt if there is no data or the missing policy says skip.
  std::optional<double> value() const noexcept {
    if (!presence_.defined() || presence_.aggregated() == 0) return std::nullopt;
    return best_;
  }
  std::uint64_t count() const noexcept { return presence_.present(); }
  std::uint64_t missing_count() const noexcept { return presence_.missing(); }
  missing_policy policy() const noexcept { return presence_.policy(); }

  template <class Archive>
  void serialize(Archive& ar, unsigned /* version */) {
    ar(presence_, best_);
  }

  friend bool operator==(const basic_extremum&, const basic_extremum&) = default;

private:
  void add(double x) noexcept { best_ = Kind::pick(best_, x + 0.0); } // + 0.0 turns -0 into +0: order-free bits

  detail::presence presence_;
  double best_ = Kind::identity;
};

/// Smallest value (DHIS2 MIN).
using min = basic_extremum<detail::min_tag>;
/// Largest value (DHIS2 MAX).
using max = basic_extremum<detail::max_tag>;

} // namespace planeval::rules
