// Copyright (c) 2026 planeval developers. Distributed under the MIT License.
#pragma once
/// \file rules/meeting.hpp
/// share_meeting and count_meeting: how many units meet a standard "x c threshold".
///
/// Design notes: the comparator is planeval::comparator restricted to >=, >, <=, < and = (exact
/// equality; give a tolerance by widening the threshold or using two rules). The count is exact, so
/// merges are exact. DHIS2 took years to offer "share of units meeting a standard"; it is the
/// usual form of goals such as "90% of schools reach ...".

#include <planeval/rules/common.hpp>

#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

namespace planeval::detail {
struct share_meeting_tag {
  static constexpr std::string_view name = "share_meeting";
};
struct count_meeting_tag {
  static constexpr std::string_view name = "count_meeting";
};
} // namespace planeval::detail

namespace planeval::rules {

/// Units whose value satisfies `x c threshold`: their share (share_meeting) or number (count_meeting).
template <class Kind>
class basic_meeting {
public:
  static constexpr std::string_view name = Kind::name;
  static constexpr bool mergeable = true;

  /// Empty state (the identity) for the standard x >= 0, missing policy skip_if_all_missing.
  basic_meeting() = default;
  /// Standard `x c threshold`; `c` must be >=, >, <=, < or = and `threshold` finite.
  basic_meeting(planeval::comparator c, double threshold, missing_policy p = missing_policy::skip_if_all_missing)
      : presence_(p), comparator_(c), threshold_(threshold) {
    check();
  }

  /// Observe a unit's value.
  void operator()(double x) {
    detail::require_finite(x, name);
    presence_.add_present();
    add(x);
  }
  /// Observe a missing value (0, compared like any value, under never_skip).
  void missing() noexcept {
    if (presence_.add_missing()) add(0.0);
  }

  /// Merge another partial state (exact). Throws planeval::error if the standards or policies differ.
  basic_meeting& operator+=(const basic_meeting& o) {
    if (detail::merge_with_identity(*this, o)) return *this;
    if (comparator_ != o.comparator_)
      detail::throw_merge_mismatch(name, "comparator", to_string(comparator_), to_string(o.comparator_));
    if (threshold_ != o.threshold_)
      detail::throw_merge_mismatch(name, "threshold", detail::format_number(threshold_),
                                   detail::format_number(o.threshold_));
    presence_.merge(o.presence_, name);
    met_ += o.met_;
    return *this;
  }

  /// share_meeting: met / units compared, in [0, 1]; count_meeting: met. nullopt if there is no
  /// data or the missing policy says skip.
  std::optional<double> value() const noexcept {
    if (!presence_.defined() || presence_.aggregated() == 0) return std::nullopt;
    if constexpr (std::is_same_v<Kind, detail::count_meeting_tag>)
      return static_cast<double>(met_);
    else
      return static_cast<double>(met_) / static_cast<double>(presence_.aggregated());
  }
  /// Units meeting the standard.
  std::uint64_t met() const noexcept { return met_; }
  /// Units compared: the present ones, plus the missing ones under never_skip.
  std::uint64_t compared() const noexcept { return presence_.aggregated(); }
  planeval::comparator comparator() const noexcept { return comparator_; }
  double threshold() const noexcept { return threshold_; }
  std::uint64_t count() const noexcept { return presence_.present(); }
  std::uint64_t missing_count() const noexcept { return presence_.missing(); }
  missing_policy policy() const noexcept { return presence_.policy(); }

  template <class Archive>
  void serialize(Archive& ar, unsigned /* version */) {
    ar(presence_, comparator_, threshold_, met_);
    if constexpr (Archive::is_loading) {
      check();
      detail::require_loaded(met_ <= presence_.aggregated(), name, "more units met than compared");
    }
  }

  friend bool operator==(const basic_meeting&, const basic_meeting&) = default;

private:
  void check() const {
    if (!detail::is_threshold_comparator(comparator_))
      throw error(std::string(name) + ": comparator must be >=, >, <=, < or =, got " +
                  std::string(to_string(comparator_)));
    detail::require_parameter(threshold_, name, "threshold");
  }
  void add(double x) noexcept {
    if (detail::meets(comparator_, x, threshold_)) ++met_;
  }

  detail::presence presence_;
  planeval::comparator comparator_ = planeval::comparator::ge;
  double threshold_ = 0;
  std::uint64_t met_ = 0;
};

/// Share (0..1) of the units compared whose value meets the standard.
using share_meeting = basic_meeting<detail::share_meeting_tag>;
/// Number of units whose value meets the standard.
using count_meeting = basic_meeting<detail::count_meeting_tag>;

} // namespace planeval::rules
