// Copyright (c) 2026 planeval developers. Distributed under the MIT License.
#pragma once
/// \file rules/first_last.hpp
/// first and last: the value with the earliest / latest date (a stock's opening or closing value).
///
/// Design notes: an observation is (value, day). A planeval::date is stored as its day number
/// (Boost's Julian day number, date::day_number()); the overloads taking a std::int64_t day accept
/// any day numbering, so do not mix the two in one state. Ties on the day are broken by the value,
/// so that the result does not depend on the order of observations or merges: for `last` the larger
/// value wins, for `first` the smaller. The merge is exact.

#include <planeval/rules/common.hpp>

#include <concepts>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

// planeval::date (calendar.hpp: Boost.Date_Time's gregorian date) is only declared here, so that the
// rules do not include Boost.Date_Time: the overloads taking a date are templates, instantiated where
// a caller passes a date (and so has included calendar.hpp).
namespace boost::gregorian {
class date;
} // namespace boost::gregorian
namespace planeval {
using date = boost::gregorian::date;
} // namespace planeval

namespace planeval::detail {
struct first_tag {
  static constexpr std::string_view name = "first";
  /// True if (day, x) replaces (best_day, best).
  static constexpr bool better(std::int64_t day, double x, std::int64_t best_day, double best) noexcept {
    return day < best_day || (day == best_day && x < best);
  }
};
struct last_tag {
  static constexpr std::string_view name = "last";
  static constexpr bool better(std::int64_t day, double x, std::int64_t best_day, double best) noexcept {
    return day > best_day || (day == best_day && x > best);
  }
};
} // namespace planeval::detail

namespace planeval::rules {

/// The value observed on the earliest (first) or latest (last) day; ties: see the file notes.
template <class Kind>
class basic_dated {
public:
  static constexpr std::string_view name = Kind::name;
  static constexpr bool mergeable = true;

  /// Empty state (the identity), missing policy skip_if_all_missing.
  basic_dated() = default;
  explicit basic_dated(missing_policy p) noexcept : presence_(p) {}

  /// Observe value `x` on day `d` (throws on a special date such as not_a_date_time).
  template <std::same_as<planeval::date> Date>
  void operator()(double x, const Date& d) { (*this)(x, day_number(d)); }
  /// Observe value `x` on day number `day`.
  void operator()(double x, std::int64_t day) {
    detail::require_finite(x, name);
    presence_.add_present();
    add(x, day);
  }
  /// Observe a missing value on day `d` (0 on that day under never_skip).
  template <std::same_as<planeval::date> Date>
  void missing(const Date& d) { missing(day_number(d)); }
  void missing(std::int64_t day) noexcept {
    if (presence_.add_missing()) add(0.0, day);
  }

  /// Merge another partial state (exact). Throws planeval::error if the missing policies differ.
  basic_dated& operator+=(const basic_dated& o) {
    if (detail::merge_with_identity(*this, o)) return *this;
    presence_.merge(o.presence_, name);
    if (o.has_) add(o.x_, o.day_);
    return *this;
  }

  /// The value on the earliest / latest day; nullopt if there is no data or the policy says skip.
  std::optional<double> value() const noexcept {
    if (!presence_.defined() || !has_) return std::nullopt;
    return x_;
  }
  /// The day of value(), if any.
  std::optional<std::int64_t> day() const noexcept {
    if (!has_) return std::nullopt;
    return day_;
  }
  std::uint64_t count() const noexcept { return presence_.present(); }
  std::uint64_t missing_count() const noexcept { return presence_.missing(); }
  missing_policy policy() const noexcept { return presence_.policy(); }

  template <class Archive>
  void serialize(Archive& ar, unsigned /* version */) {
    ar(presence_, has_, day_, x_);
  }

  friend bool operator==(const basic_dated&, const basic_dated&) = default;

private:
  template <class Date>
  static std::int64_t day_number(const Date& d) {
    if (d.is_special()) throw error(std::string(name) + ": the date must be a calendar day");
    return static_cast<std::int64_t>(d.day_number());
  }
  void add(double x, std::int64_t day) noexcept {
    x += 0.0; // -0 -> +0, so ties between 0 and -0 leave the same bits in any order
    if (!has_ || Kind::better(day, x, day_, x_)) {
      has_ = true;
      day_ = day;
      x_ = x;
    }
  }

  detail::presence presence_;
  bool has_ = false;
  std::int64_t day_ = 0;
  double x_ = 0;
};

/// Value on the earliest day; on a tie the smaller value.
using first = basic_dated<detail::first_tag>;
/// Value on the latest day (DHIS2 LAST, a stock's closing value); on a tie the larger value.
using last = basic_dated<detail::last_tag>;

} // namespace planeval::rules
