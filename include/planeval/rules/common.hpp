// Copyright (c) 2026 planeval developers. Distributed under the MIT License.
#pragma once
/// \file rules/common.hpp
/// What every aggregation rule shares: the missing-value policy, its bookkeeping, input checks.
///
/// Design notes: the missing-value strategies are DHIS2's (skip if any value is missing, skip if all
/// are missing, never skip = count a missing value as 0). Reported zero and not reported stay
/// distinct: a rule is told `missing(...)` explicitly, never sees a NaN (a NaN or infinite value
/// throws planeval::data_error, as do negative weights; invalid constructor arguments throw
/// planeval::error). The policy lives in one member, detail::presence, which every rule holds and merges;
/// the rule itself only decides what "observe 0" means (with which weight, denominator or date).

#include <planeval/comparator.hpp>
#include <planeval/detail/enum_names.hpp>
#include <planeval/detail/format_number.hpp>
#include <planeval/error.hpp>
#include <planeval/rules/missing_policy.hpp>

#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>

namespace planeval::detail {

/// "cannot merge <rule> with different <what> (<a> vs <b>)".
[[noreturn]] inline void throw_merge_mismatch(std::string_view rule, std::string_view what, std::string_view a = {},
                                              std::string_view b = {}) {
  std::string s = "cannot merge ";
  s += rule;
  s += " with different ";
  s += what;
  if (!a.empty() || !b.empty()) {
    s += " (";
    s += a;
    s += " vs ";
    s += b;
    s += ')';
  }
  throw error(s);
}

// The two checks below run once per observation: the test is inline, the message is built out of
// line in a cold function, so the hot loops stay small.
[[noreturn, gnu::cold, gnu::noinline]] inline void throw_not_finite(double x, std::string_view rule,
                                                                    std::string_view what) {
  throw data_error(std::string(rule) + ": " + std::string(what) + " must be finite, got " + format_number(x) +
                   (what == "value" ? " (use missing() for a missing value)" : ""));
}
[[noreturn, gnu::cold, gnu::noinline]] inline void throw_bad_weight(double w, std::string_view rule,
                                                                    std::string_view what) {
  throw data_error(std::string(rule) + ": " + std::string(what) + " must be finite and >= 0, got " + format_number(w));
}

/// Throws planeval::data_error unless the observed `x` is finite (a missing value is observed with
/// missing(), never as NaN).
inline void require_finite(double x, std::string_view rule, std::string_view what = "value") {
  if (!std::isfinite(x)) [[unlikely]]
    throw_not_finite(x, rule, what);
}

/// Throws planeval::data_error unless the observed weight `w` is finite and >= 0.
inline void require_weight(double w, std::string_view rule, std::string_view what = "weight") {
  if (!(std::isfinite(w) && w >= 0)) [[unlikely]]
    throw_bad_weight(w, rule, what);
}

/// Throws planeval::error unless the constructor argument `x` is finite (and >= 0 if `nonnegative`).
inline void require_parameter(double x, std::string_view rule, std::string_view what, bool nonnegative = false) {
  if (!std::isfinite(x) || (nonnegative && x < 0))
    throw error(std::string(rule) + ": " + std::string(what) + " must be finite" + (nonnegative ? " and >= 0" : "") +
                ", got " + format_number(x));
}

/// Throws on a value read from corrupt bytes.
inline void require_loaded(bool ok, std::string_view rule, std::string_view what) {
  if (!ok) throw error("corrupt " + std::string(rule) + " state: " + std::string(what));
}

/// True for the comparators that compare a value with one threshold: >=, >, <=, <, =.
constexpr bool is_threshold_comparator(comparator c) noexcept {
  return c == comparator::ge || c == comparator::gt || c == comparator::le || c == comparator::lt ||
         c == comparator::eq;
}

/// detail::meets (`x c t` up to rounding) is in comparator.hpp, shared with goals.

/// The merge rule for the identity: a state equal to the default-constructed one (no data, default
/// parameters) merges with any state of its type, whatever that state's parameters. Returns true if
/// one side was that identity (the merge is then done: `a` equals the other side).
template <class Rule>
bool merge_with_identity(Rule& a, const Rule& b) {
  const Rule identity{};
  if (b == identity) return true;
  if (a == identity) {
    a = b;
    return true;
  }
  return false;
}

/// Present/missing bookkeeping and the missing policy, shared by every rule.
class presence {
public:
  constexpr presence() noexcept = default;
  constexpr explicit presence(rules::missing_policy p) noexcept : policy_(p) {}

  rules::missing_policy policy() const noexcept { return policy_; }
  /// Present observations.
  std::uint64_t present() const noexcept { return present_; }
  /// Missing observations.
  std::uint64_t missing() const noexcept { return missing_; }
  /// Observations that entered the value: the present ones, plus the missing ones under never_skip.
  std::uint64_t aggregated() const noexcept {
    return present_ + (policy_ == rules::missing_policy::never_skip ? missing_ : 0);
  }

  void add_present(std::uint64_t n = 1) noexcept { present_ += n; }
  /// Records missing observations; true if the rule must observe them as 0 (never_skip).
  bool add_missing(std::uint64_t n = 1) noexcept {
    missing_ += n;
    return policy_ == rules::missing_policy::never_skip;
  }

  /// Whether the policy lets the rule have a value (the rule may still have none, e.g. Σw = 0).
  bool defined() const noexcept {
    switch (policy_) {
    case rules::missing_policy::skip_if_any_missing: return missing_ == 0 && present_ > 0;
    case rules::missing_policy::never_skip: return present_ + missing_ > 0;
    default: return present_ > 0;
    }
  }

  /// Throws unless `o` has the same policy.
  void check_mergeable(const presence& o, std::string_view rule) const {
    if (policy_ != o.policy_) throw_merge_mismatch(rule, "missing policy", to_string(policy_), to_string(o.policy_));
  }
  /// Adds `o`'s counts (after check_mergeable).
  void merge(const presence& o, std::string_view rule) {
    check_mergeable(o, rule);
    present_ += o.present_;
    missing_ += o.missing_;
  }

  template <class Archive>
  void serialize(Archive& ar, unsigned /* version */) {
    ar(policy_, present_, missing_);
    if constexpr (Archive::is_loading)
      require_loaded(static_cast<unsigned>(policy_) <= static_cast<unsigned>(rules::missing_policy::never_skip), "rule",
                     "unknown missing policy");
  }

  friend bool operator==(const presence&, const presence&) = default;

private:
  rules::missing_policy policy_ = rules::missing_policy::skip_if_all_missing;
  std::uint64_t present_ = 0;
  std::uint64_t missing_ = 0;
};

/// A sum of finite doubles that does not overflow: the sum is `sum · 2^exp`. While the running sum
/// fits a double, exp is 0 and adding is one addition (and one check); when an addition would
/// overflow, sum is scaled down by 2^512 and exp grows, so a mean (sum / n) or a ratio of two
/// such sums is exact to double precision whenever the result itself is representable
/// (mean of 1e308 and 1e308 is 1e308, not inf). A sum kept as such (rules::sum) still becomes inf
/// when the total does not fit a double. Products w·x that overflow are added the same way.
struct wide_sum {
  static constexpr int step = 512;
  double sum = 0;
  int exp = 0;

  void add(double x) noexcept {
    const double s = sum + (exp ? std::ldexp(x, -exp) : x);
    if (std::isfinite(s)) [[likely]] {
      sum = s;
      return;
    }
    add_scaled(x, 0);
  }
  /// Adds w·x, also when the product itself overflows.
  void add_product(double w, double x) noexcept {
    const double p = w * x;
    if (std::isfinite(p)) [[likely]] {
      add(p);
      return;
    }
    int e = step; // w and x are finite, so w·2^-e·x is finite for some e
    double v = std::ldexp(w, -e) * x;
    while (!std::isfinite(v)) v = std::ldexp(w, -(e += step)) * x;
    add_scaled(v, e);
  }
  /// Adds v · 2^e (v finite; terminates since the term shrinks as exp grows).
  void add_scaled(double v, int e) noexcept {
    for (;;) {
      const double s = sum + std::ldexp(v, e - exp);
      if (std::isfinite(s)) {
        sum = s;
        return;
      }
      sum = std::ldexp(sum, -step);
      exp += step;
    }
  }
  void merge(const wide_sum& o) noexcept {
    if (o.exp == 0 && exp == 0) {
      const double s = sum + o.sum;
      if (std::isfinite(s)) [[likely]] {
        sum = s;
        return;
      }
    }
    add_scaled(o.sum, o.exp);
  }
  /// The sum as a double (inf when it does not fit).
  double value() const noexcept { return exp ? std::ldexp(sum, exp) : sum; }
  /// sum / d.
  double divided_by(double d) const noexcept { return exp ? std::ldexp(sum / d, exp) : sum / d; }
  /// sum / o (o's sum nonzero).
  double divided_by(const wide_sum& o) const noexcept {
    return exp == o.exp ? sum / o.sum : std::ldexp(sum / o.sum, exp - o.exp);
  }
  friend bool operator==(const wide_sum&, const wide_sum&) = default;
};

} // namespace planeval::detail
