// Copyright (c) 2026 planeval developers. Distributed under the MIT License.
#pragma once
/// \file rules/sum.hpp
/// sum, count and mean: one accumulator (Σx and the counts), three readings.
///
/// Design notes: the three share basic_sum<Kind> and differ only in value() and name; they are
/// distinct types, so a sum cannot be merged into a mean by mistake. Sums are plain double sums:
/// merged in another order they may differ in the last bits (not in anything else). `count` is a
/// type alias because a class cannot have a member function with its own name (count()).

#include <planeval/rules/common.hpp>

#include <cstdint>
#include <optional>
#include <string_view>
#include <type_traits>

namespace planeval::detail {
struct sum_tag {
  static constexpr std::string_view name = "sum";
};
struct count_tag {
  static constexpr std::string_view name = "count";
};
struct mean_tag {
  static constexpr std::string_view name = "mean";
};
} // namespace planeval::detail

namespace planeval::rules {

/// Σx, counts and the missing policy; value() is the sum, the count or the mean according to Kind.
template <class Kind>
class basic_sum {
public:
  static constexpr std::string_view name = Kind::name;
  static constexpr bool mergeable = true;

  /// Empty state (the identity), missing policy skip_if_all_missing.
  basic_sum() = default;
  explicit basic_sum(missing_policy p) noexcept : presence_(p) {}

  /// Observe a present value.
  void operator()(double x) {
    detail::require_finite(x, name);
    presence_.add_present();
    if constexpr (!std::is_same_v<Kind, detail::count_tag>) sum_.add(x); // a count keeps Σx = 0: exact merges
  }
  /// Observe a missing value (0 under never_skip).
  void missing() noexcept { presence_.add_missing(); } // under never_skip the 0 adds nothing to Σx

  /// Merge another partial state. Throws planeval::error if the missing policies differ.
  basic_sum& operator+=(const basic_sum& o) {
    if (detail::merge_with_identity(*this, o)) return *this;
    presence_.merge(o.presence_, name);
    sum_.merge(o.sum_);
    return *this;
  }

  /// sum: Σx; count: number of values aggregated (present ones, plus missing ones under never_skip);
  /// mean: Σx / that number. nullopt if there is no data or the missing policy says skip.
  std::optional<double> value() const noexcept {
    if (!presence_.defined()) return std::nullopt;
    const auto n = presence_.aggregated();
    if constexpr (std::is_same_v<Kind, detail::sum_tag>) {
      return sum_.value();
    } else if constexpr (std::is_same_v<Kind, detail::count_tag>) {
      return static_cast<double>(n);
    } else {
      if (n == 0) return std::nullopt;
      return sum_.divided_by(static_cast<double>(n)); // no overflow where the mean is representable
    }
  }

  /// Σx over the aggregated values (0 for count).
  double sum() const noexcept { return sum_.value(); }
  /// Present values observed.
  std::uint64_t count() const noexcept { return presence_.present(); }
  /// Missing values observed.
  std::uint64_t missing_count() const noexcept { return presence_.missing(); }
  missing_policy policy() const noexcept { return presence_.policy(); }

  /// Class version 1 adds the sum's binary exponent (detail::wide_sum); version 0 states read as
  /// exponent 0.
  static constexpr unsigned serialization_version = 1;
  template <class Archive>
  void serialize(Archive& ar, unsigned version) {
    ar(presence_, sum_.sum);
    if (version >= 1) ar(sum_.exp);
    if constexpr (Archive::is_loading)
      detail::require_loaded(std::isfinite(sum_.sum) && sum_.exp >= 0 && sum_.exp % detail::wide_sum::step == 0,
                             name, "sum not finite or exponent invalid");
  }

  friend bool operator==(const basic_sum&, const basic_sum&) = default;

private:
  detail::presence presence_;
  detail::wide_sum sum_;
};

/// Σx of the present values (DHIS2 SUM).
using sum = basic_sum<detail::sum_tag>;
/// Number of values (DHIS2 COUNT); value() is a double like every rule's.
using count = basic_sum<detail::count_tag>;
/// Arithmetic mean Σx / n (DHIS2 AVERAGE).
using mean = basic_sum<detail::mean_tag>;

} // namespace planeval::rules
