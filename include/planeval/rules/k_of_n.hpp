// Copyright (c) 2026 planeval developers. Distributed under the MIT License.
#pragma once
/// \file rules/k_of_n.hpp
/// k_of_n: per-unit standards with a floor — the 优质均衡 school rule "at least 6 of the 7 resource
/// indicators met, and each one not met at least 85% of its standard" (教督〔2017〕6号; domain notes §2.1).
///
/// Design notes: a unit passes if at least k criteria are met and every criterion not met reaches
/// the floor: x >= floor × threshold for >= / > criteria, x <= threshold / floor for <= / <. The
/// thresholds, k and the floor are data (national and provincial bars differ), never literals here.
/// A missing criterion value counts as not met and below the floor and is flagged missing (a school
/// without the figure does not meet the standard). Under never_skip it is evaluated as 0 instead
/// (so a <= criterion is met), and still flagged. count() and missing_count() count criterion
/// values; units() counts units. The state keeps one unit_result per unit, sorted by unit id, so
/// merging (which concatenates) is exact and independent of order; a unit observed twice throws.

#include <planeval/rules/common.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace planeval::rules {

/// One standard of a k_of_n rule: `x comparator threshold`, with >=, >, <= or < and threshold > 0.
struct criterion {
  planeval::comparator comparator = planeval::comparator::ge;
  double threshold = 0;
  std::string label; ///< for reports, e.g. "生均教学仪器设备值"

  template <class Archive>
  void serialize(Archive& ar, unsigned /* version */) {
    ar(comparator, threshold, label);
  }
  friend bool operator==(const criterion&, const criterion&) = default;
};

/// How one unit fared against the criteria (index lists ascending).
struct unit_result {
  std::uint32_t unit = 0;
  bool passed = false;
  std::uint32_t met_count = 0;
  std::vector<std::uint32_t> failing;        ///< criteria not met (missing ones included)
  std::vector<std::uint32_t> below_floor;    ///< criteria not met and below the floor (missing included)
  std::vector<std::uint32_t> missing;        ///< criteria whose value was missing
  std::vector<std::optional<double>> ratios; ///< x / threshold per criterion; nullopt where missing

  /// Criterion i met.
  bool met(std::uint32_t i) const noexcept { return !std::binary_search(failing.begin(), failing.end(), i); }
  /// Criterion i met, or not met but reaching the floor.
  bool above_floor(std::uint32_t i) const noexcept {
    return !std::binary_search(below_floor.begin(), below_floor.end(), i);
  }
  /// Criterion i's value was missing.
  bool is_missing(std::uint32_t i) const noexcept { return std::binary_search(missing.begin(), missing.end(), i); }

  template <class Archive>
  void serialize(Archive& ar, unsigned /* version */) {
    ar(unit, passed, met_count, failing, below_floor, missing, ratios);
  }
  friend bool operator==(const unit_result&, const unit_result&) = default;
};

/// Share of units that meet at least k of n criteria with every unmet one above a floor.
class k_of_n {
public:
  static constexpr std::string_view name = "k_of_n";
  static constexpr bool mergeable = true;

  /// Empty state (the identity) with no criteria.
  k_of_n() = default;
  /// `criteria` (>=, >, <= or <, threshold finite and > 0), `k` in [0, n], `floor` in (0, 1].
  k_of_n(std::vector<criterion> criteria, std::uint32_t k, double floor = 0.85,
         missing_policy p = missing_policy::skip_if_all_missing)
      : presence_(p), criteria_(std::move(criteria)), k_(k), floor_(floor) {
    check();
  }

  /// Judge one unit without recording it. `values[i]` is used where `present[i]` is true; both
  /// spans have one entry per criterion (std::vector<bool> stores bits, not bools, so it cannot be
  /// viewed as a span: use std::array<bool, N> or bool[]). The unit id of the result is 0.
  unit_result check(std::span<const double> values, std::span<const bool> present) const {
    if (present.size() != criteria_.size()) throw error(size_message("present flags", present.size()));
    return evaluate(values, [&](std::size_t i) { return present[i]; });
  }
  /// Whether one unit passes, as check(values, present).passed but without building a result (no
  /// allocation): for judging many units in bulk.
  bool passes(std::span<const double> values, std::span<const bool> present) const {
    if (values.size() != criteria_.size()) throw error(size_message("values", values.size()));
    if (present.size() != criteria_.size()) throw error(size_message("present flags", present.size()));
    std::uint32_t met_count = 0;
    for (std::uint32_t i = 0; i < criteria_.size(); ++i) {
      const auto [met, above] = status(i, values[i], present[i]);
      if (!above) return false;
      met_count += met ? 1 : 0;
    }
    return met_count >= k_;
  }

  /// Judge one unit whose values are all present.
  unit_result check(std::span<const double> values) const {
    return evaluate(values, [](std::size_t) { return true; });
  }

  /// Record unit `unit` (throws if it was recorded before).
  void operator()(std::uint32_t unit, std::span<const double> values, std::span<const bool> present) {
    record(unit, check(values, present));
  }
  /// Record unit `unit` whose values are all present.
  void operator()(std::uint32_t unit, std::span<const double> values) { record(unit, check(values)); }
  /// Record unit `unit` with every value missing.
  void missing(std::uint32_t unit) {
    const std::vector<double> zeros(criteria_.size(), 0.0);
    record(unit, evaluate(zeros, [](std::size_t) { return false; }));
  }

  /// Merge another partial state (exact; results stay sorted by unit). Throws planeval::error if
  /// the criteria, k, floor or policies differ, or if both states hold the same unit.
  k_of_n& operator+=(const k_of_n& o) {
    if (detail::merge_with_identity(*this, o)) return *this;
    if (criteria_ != o.criteria_) detail::throw_merge_mismatch(name, "criteria");
    if (k_ != o.k_) detail::throw_merge_mismatch(name, "k", std::to_string(k_), std::to_string(o.k_));
    if (floor_ != o.floor_)
      detail::throw_merge_mismatch(name, "floor", detail::format_number(floor_), detail::format_number(o.floor_));
    presence_.check_mergeable(o.presence_, name);
    std::vector<unit_result> merged;
    merged.reserve(results_.size() + o.results_.size());
    auto a = results_.begin();
    auto b = o.results_.begin();
    while (a != results_.end() || b != o.results_.end()) {
      if (b == o.results_.end() || (a != results_.end() && a->unit < b->unit)) {
        merged.push_back(*a++);
      } else if (a == results_.end() || b->unit < a->unit) {
        merged.push_back(*b++);
      } else {
        throw error("cannot merge k_of_n states that both hold unit " + std::to_string(a->unit));
      }
    }
    results_ = std::move(merged);
    presence_.merge(o.presence_, name);
    passed_ += o.passed_;
    return *this;
  }

  /// Share of units passing; nullopt if there is no unit, no criterion value at all, or
  /// skip_if_any_missing and a value was missing.
  std::optional<double> value() const noexcept {
    if (!presence_.defined() || results_.empty()) return std::nullopt;
    return static_cast<double>(passed_) / static_cast<double>(results_.size());
  }
  /// Units passing.
  std::uint64_t passed() const noexcept { return passed_; }
  /// Units recorded.
  std::uint64_t units() const noexcept { return results_.size(); }
  /// One result per unit, sorted by unit id.
  const std::vector<unit_result>& results() const noexcept { return results_; }
  const std::vector<criterion>& criteria() const noexcept { return criteria_; }
  std::uint32_t k() const noexcept { return k_; }
  double floor() const noexcept { return floor_; }
  /// Present criterion values.
  std::uint64_t count() const noexcept { return presence_.present(); }
  /// Missing criterion values.
  std::uint64_t missing_count() const noexcept { return presence_.missing(); }
  missing_policy policy() const noexcept { return presence_.policy(); }

  template <class Archive>
  void serialize(Archive& ar, unsigned /* version */) {
    ar(presence_, criteria_, k_, floor_, passed_, results_);
    if constexpr (Archive::is_loading) check_loaded();
  }

  friend bool operator==(const k_of_n&, const k_of_n&) = default;

private:
  std::string size_message(std::string_view what, std::size_t got) const {
    return "k_of_n: expected " + std::to_string(criteria_.size()) + " " + std::string(what) +
           " (one per criterion), got " + std::to_string(got);
  }

  void check() const {
    for (std::size_t i = 0; i < criteria_.size(); ++i) {
      const criterion& c = criteria_[i];
      const std::string where = "k_of_n: criterion " + std::to_string(i) + " (\"" + c.label + "\"): ";
      if (c.comparator != planeval::comparator::ge && c.comparator != planeval::comparator::gt &&
          c.comparator != planeval::comparator::le && c.comparator != planeval::comparator::lt)
        throw error(where + "comparator must be >=, >, <= or <, got " + std::string(to_string(c.comparator)));
      if (!(std::isfinite(c.threshold) && c.threshold > 0))
        throw error(where + "threshold must be finite and > 0, got " + detail::format_number(c.threshold));
    }
    if (k_ > criteria_.size())
      throw error("k_of_n: k must be at most the number of criteria (" + std::to_string(criteria_.size()) + "), got " +
                  std::to_string(k_));
    if (!(floor_ > 0 && floor_ <= 1))
      throw error("k_of_n: floor must be in (0, 1], got " + detail::format_number(floor_));
  }

  void check_loaded() const {
    check();
    const auto n = criteria_.size();
    std::uint64_t n_passed = 0, n_present = 0, n_missing = 0;
    auto indices_ok = [n](const std::vector<std::uint32_t>& v) {
      return std::adjacent_find(v.begin(), v.end(), [](auto x, auto y) { return x >= y; }) == v.end() &&
             (v.empty() || v.back() < n);
    };
    for (std::size_t r = 0; r < results_.size(); ++r) {
      const unit_result& u = results_[r];
      const bool ok = (r == 0 || results_[r - 1].unit < u.unit) && u.ratios.size() == n && indices_ok(u.failing) &&
                      indices_ok(u.below_floor) && indices_ok(u.missing) && u.met_count == n - u.failing.size() &&
                      u.passed == (u.met_count >= k_ && u.below_floor.empty());
      detail::require_loaded(ok, name, "malformed unit result");
      n_passed += u.passed ? 1 : 0;
      n_missing += u.missing.size();
      n_present += n - u.missing.size();
    }
    detail::require_loaded(n_passed == passed_ && n_present == presence_.present() && n_missing == presence_.missing(),
                           name, "counts do not match the unit results");
  }

  /// Whether criterion i is met and whether it reaches the floor, for value x (present or not).
  std::pair<bool, bool> status(std::uint32_t i, double x, bool is_present) const {
    const criterion& c = criteria_[i];
    if (is_present) {
      detail::require_finite(x, name);
    } else if (presence_.policy() == missing_policy::never_skip) {
      x = 0.0;
    } else {
      return {false, false};
    }
    const bool met = detail::meets(c.comparator, x, c.threshold);
    return {met, met || reaches_floor(c, x)};
  }

  template <class Present>
  unit_result evaluate(std::span<const double> values, Present present) const {
    if (values.size() != criteria_.size()) throw error(size_message("values", values.size()));
    unit_result r;
    r.ratios.resize(criteria_.size());
    for (std::uint32_t i = 0; i < criteria_.size(); ++i) {
      const bool p = present(i);
      const auto [met, above] = status(i, p ? values[i] : 0.0, p);
      if (p)
        r.ratios[i] = values[i] / criteria_[i].threshold;
      else
        r.missing.push_back(i);
      if (met)
        ++r.met_count;
      else
        r.failing.push_back(i);
      if (!above) r.below_floor.push_back(i);
    }
    r.passed = r.met_count >= k_ && r.below_floor.empty();
    return r;
  }

  bool reaches_floor(const criterion& c, double x) const noexcept {
    const bool higher_better = c.comparator == planeval::comparator::ge || c.comparator == planeval::comparator::gt;
    // up to rounding: 85% of 5.9 is 5.015 exactly, but 0.85 * 5.9 = 5.0150000000000001 > 5.015
    return higher_better ? detail::value_ge(x, floor_ * c.threshold) : detail::value_le(x, c.threshold / floor_);
  }

  void record(std::uint32_t unit, unit_result r) {
    r.unit = unit;
    auto pos = results_.end();
    if (!results_.empty() && results_.back().unit >= unit) {
      pos = std::lower_bound(results_.begin(), results_.end(), unit,
                             [](const unit_result& u, std::uint32_t id) { return u.unit < id; });
      if (pos->unit == unit) throw data_error("k_of_n: unit " + std::to_string(unit) + " observed twice");
    }
    const auto n_missing = r.missing.size();
    const bool unit_passed = r.passed;
    results_.insert(pos, std::move(r));
    presence_.add_present(criteria_.size() - n_missing);
    presence_.add_missing(n_missing);
    if (unit_passed) ++passed_;
  }

  detail::presence presence_;
  std::vector<criterion> criteria_;
  std::uint32_t k_ = 0;
  double floor_ = 0.85;
  std::uint64_t passed_ = 0;
  std::vector<unit_result> results_; ///< sorted by unit id
};

} // namespace planeval::rules
