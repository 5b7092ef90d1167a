// Copyright (c) 2026 planeval developers. Distributed under the MIT License.
#pragma once
/// \file rules/year_over_year.hpp
/// year_over_year: "只增不减" (every year at least the year before) or strictly increasing.
///
/// Design notes: observations are (year, value); values of the same year are summed, because a flow
/// (spending, enrolment) may arrive in parts (per school, per quarter) and from several partial
/// states. The rule compares consecutive observed years; a year missing between the first and the
/// last is reported by gaps() and the comparison is made across it (2021 → 2023). Totals are double
/// sums, so parts merged in another order may differ in the last bits; with integral amounts (元,
/// 人) they are exact. The state keeps one total per year, sorted by year.

#include <planeval/rules/common.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace planeval::rules {

/// Whether yearly totals never decrease (strict = false, 只增不减) or always increase (strict = true).
class year_over_year {
public:
  static constexpr std::string_view name = "year_over_year";
  static constexpr bool mergeable = true;

  /// A year and the sum of its values.
  struct year_total {
    std::int32_t year = 0;
    double total = 0;
    template <class Archive>
    void serialize(Archive& ar, unsigned /* version */) {
      ar(year, total);
    }
    friend bool operator==(const year_total&, const year_total&) = default;
  };

  /// Empty state (the identity): non-decrease (只增不减), missing policy skip_if_all_missing.
  year_over_year() = default;
  /// `strict` = false: x_t >= x_{t-1} (只增不减); true: x_t > x_{t-1}.
  explicit year_over_year(bool strict, missing_policy p = missing_policy::skip_if_all_missing)
      : presence_(p), strict_(strict) {}
  /// x_t >= x_{t-1} every year (只增不减, 保持在…以上).
  static year_over_year non_decreasing(missing_policy p = missing_policy::skip_if_all_missing) {
    return year_over_year(false, p);
  }
  /// x_t > x_{t-1} every year (逐年增长).
  static year_over_year strictly_increasing(missing_policy p = missing_policy::skip_if_all_missing) {
    return year_over_year(true, p);
  }

  /// Add `x` to year `year`.
  void operator()(std::int32_t year, double x) {
    detail::require_finite(x, name);
    presence_.add_present();
    add(year, x);
  }
  /// A missing part of year `year`: ignored, except under never_skip where the year counts as
  /// observed (a 0 is added to it).
  void missing(std::int32_t year) {
    if (presence_.add_missing()) add(year, 0.0);
  }

  /// Merge another partial state (totals of a common year are added). Throws planeval::error if
  /// strictness or policies differ.
  year_over_year& operator+=(const year_over_year& o) {
    if (detail::merge_with_identity(*this, o)) return *this;
    if (strict_ != o.strict_)
      detail::throw_merge_mismatch(name, "strictness", strict_ ? "strict" : "non-strict",
                                   o.strict_ ? "strict" : "non-strict");
    presence_.check_mergeable(o.presence_, name);
    std::vector<year_total> merged;
    merged.reserve(years_.size() + o.years_.size());
    auto a = years_.begin();
    auto b = o.years_.begin();
    while (a != years_.end() || b != o.years_.end()) {
      if (b == o.years_.end() || (a != years_.end() && a->year < b->year)) {
        merged.push_back(*a++);
      } else if (a == years_.end() || b->year < a->year) {
        merged.push_back(*b++);
      } else {
        merged.push_back({a->year, a->total + b->total});
        ++a;
        ++b;
      }
    }
    years_ = std::move(merged);
    presence_.merge(o.presence_, name);
    return *this;
  }

  /// Whether the rule holds across the observed years; nullopt with fewer than two years or when
  /// the missing policy says skip.
  std::optional<bool> holds() const noexcept {
    if (!presence_.defined() || years_.size() < 2) return std::nullopt;
    for (std::size_t i = 1; i < years_.size(); ++i)
      if (broken(i)) return false;
    return true;
  }
  /// 1 if holds(), 0 if not, nullopt if undecided.
  std::optional<double> value() const noexcept {
    const auto h = holds();
    if (!h) return std::nullopt;
    return *h ? 1.0 : 0.0;
  }
  /// Years t whose total is below (strict: not above) the previous observed year's.
  std::vector<std::int32_t> breaks() const {
    std::vector<std::int32_t> out;
    for (std::size_t i = 1; i < years_.size(); ++i)
      if (broken(i)) out.push_back(years_[i].year);
    return out;
  }
  /// Years between the first and the last observed year with no observation.
  std::vector<std::int32_t> gaps() const {
    std::vector<std::int32_t> out;
    for (std::size_t i = 1; i < years_.size(); ++i)
      for (std::int64_t y = std::int64_t{years_[i - 1].year} + 1; y < years_[i].year; ++y)
        out.push_back(static_cast<std::int32_t>(y));
    return out;
  }
  /// Totals per observed year, sorted by year.
  const std::vector<year_total>& totals() const noexcept { return years_; }
  bool strict() const noexcept { return strict_; }
  std::uint64_t count() const noexcept { return presence_.present(); }
  std::uint64_t missing_count() const noexcept { return presence_.missing(); }
  missing_policy policy() const noexcept { return presence_.policy(); }

  template <class Archive>
  void serialize(Archive& ar, unsigned /* version */) {
    ar(presence_, strict_, years_);
    if constexpr (Archive::is_loading) check_loaded();
  }

  friend bool operator==(const year_over_year&, const year_over_year&) = default;

private:
  void check_loaded() const {
    bool ok = true;
    for (std::size_t i = 0; i < years_.size(); ++i)
      ok = ok && std::isfinite(years_[i].total) && (i == 0 || years_[i - 1].year < years_[i].year);
    detail::require_loaded(ok, name, "years not strictly increasing or a total not finite");
  }
  bool broken(std::size_t i) const noexcept {
    return strict_ ? years_[i].total <= years_[i - 1].total : years_[i].total < years_[i - 1].total;
  }
  void add(std::int32_t year, double x) {
    if (years_.empty() || years_.back().year < year) {
      years_.push_back({year, x});
      return;
    }
    auto pos = std::lower_bound(years_.begin(), years_.end(), year,
                                [](const year_total& t, std::int32_t y) { return t.year < y; });
    if (pos->year == year)
      pos->total += x;
    else
      years_.insert(pos, {year, x});
  }

  detail::presence presence_;
  bool strict_ = false;
  std::vector<year_total> years_;
};

} // namespace planeval::rules
