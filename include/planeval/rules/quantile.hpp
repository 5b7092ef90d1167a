// Copyright (c) 2026 planeval developers. Distributed under the MIT License.
#pragma once
/// \file rules/quantile.hpp
/// median and percentile(q). Not mergeable: they keep every value and have no operator+=.
///
/// Design notes: the quantile is R. J. Hyndman and Y. Fan's type 7 ("Sample quantiles in
/// statistical packages", The American Statistician 50(4), 1996, pp. 361–365), the default of R
/// and numpy (numpy.quantile / numpy.percentile method='linear'): with the n values sorted,
/// h = (n − 1)q, and Q(q) = x[⌊h⌋] + (h − ⌊h⌋)(x[⌊h⌋+1] − x[⌊h⌋]); the interpolation is written as
/// numpy's _lerp so results match numpy bit for bit. numpy documents np.percentile([1, 2, 3, 4], 50)
/// = 2.5; q = 0.25 gives 1.75. Exact quantiles cannot be merged from bounded summaries, so these
/// rules are `mergeable = false`: partial states cannot be combined (ship the values instead).

#include <planeval/rules/common.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace planeval::detail {

/// Hyndman–Fan type 7 quantile of `v` (not empty; reordered), 0 <= q <= 1.
inline double quantile_type7(std::vector<double>& v, double q) {
  const double h = static_cast<double>(v.size() - 1) * q;
  const double lo = std::floor(h);
  const auto i = static_cast<std::size_t>(lo);
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(i), v.end());
  const double a = v[i];
  const double g = h - lo;
  if (i + 1 >= v.size() || g == 0) return a;
  const double b = *std::min_element(v.begin() + static_cast<std::ptrdiff_t>(i) + 1, v.end());
  const double diff = b - a;
  return g >= 0.5 ? b - diff * (1 - g) : a + diff * g; // numpy's _lerp
}

/// The values and the missing policy behind median and percentile.
class value_sample {
public:
  value_sample() = default;
  explicit value_sample(rules::missing_policy p) noexcept : presence_(p) {}

  void add(double x, std::string_view rule) {
    require_finite(x, rule);
    values_.push_back(x);
    presence_.add_present();
  }
  void add_missing() {
    if (presence_.add_missing()) values_.push_back(0.0);
  }
  std::optional<double> quantile(double q) const {
    if (!presence_.defined() || values_.empty()) return std::nullopt;
    std::vector<double> v = values_;
    return quantile_type7(v, q);
  }
  const std::vector<double>& values() const noexcept { return values_; }
  const presence& counts() const noexcept { return presence_; }

  template <class Archive>
  void serialize(Archive& ar, unsigned /* version */) {
    ar(presence_, values_);
    if constexpr (Archive::is_loading) {
      bool ok = values_.size() == presence_.aggregated();
      for (double x : values_) ok = ok && std::isfinite(x);
      require_loaded(ok, "quantile", "values do not match the counts");
    }
  }
  friend bool operator==(const value_sample&, const value_sample&) = default;

private:
  presence presence_;
  std::vector<double> values_;
};

} // namespace planeval::detail

namespace planeval::rules {

/// Quantile q (Hyndman–Fan type 7 = numpy 'linear'). **Not mergeable** (no operator+=): it stores
/// every value.
class percentile {
public:
  static constexpr std::string_view name = "percentile";
  static constexpr bool mergeable = false;

  /// Empty state, q = 0.5, missing policy skip_if_all_missing.
  percentile() = default;
  /// `q` in [0, 1] (0.25 is the first quartile; not 25).
  explicit percentile(double q, missing_policy p = missing_policy::skip_if_all_missing) : sample_(p), q_(q) { check(); }

  /// Observe a present value.
  void operator()(double x) { sample_.add(x, name); }
  /// Observe a missing value (0 under never_skip).
  void missing() { sample_.add_missing(); }

  /// The q-quantile; nullopt if there is no data or the missing policy says skip.
  std::optional<double> value() const { return sample_.quantile(q_); }
  double q() const noexcept { return q_; }
  /// The stored values, in observation order (with 0 for missing ones under never_skip).
  const std::vector<double>& values() const noexcept { return sample_.values(); }
  std::uint64_t count() const noexcept { return sample_.counts().present(); }
  std::uint64_t missing_count() const noexcept { return sample_.counts().missing(); }
  missing_policy policy() const noexcept { return sample_.counts().policy(); }

  template <class Archive>
  void serialize(Archive& ar, unsigned /* version */) {
    ar(q_, sample_);
    if constexpr (Archive::is_loading) check();
  }

  friend bool operator==(const percentile&, const percentile&) = default;

private:
  void check() const {
    if (!(q_ >= 0 && q_ <= 1)) throw error("percentile: q must be in [0, 1], got " + detail::format_number(q_));
  }

  detail::value_sample sample_;
  double q_ = 0.5;
};

/// The median: percentile(0.5), Hyndman–Fan type 7 (the mean of the two middle values for even n).
/// **Not mergeable** (no operator+=): it stores every value.
class median {
public:
  static constexpr std::string_view name = "median";
  static constexpr bool mergeable = false;

  /// Empty state, missing policy skip_if_all_missing.
  median() = default;
  explicit median(missing_policy p) noexcept : sample_(p) {}

  /// Observe a present value.
  void operator()(double x) { sample_.add(x, name); }
  /// Observe a missing value (0 under never_skip).
  void missing() { sample_.add_missing(); }

  /// The median; nullopt if there is no data or the missing policy says skip.
  std::optional<double> value() const { return sample_.quantile(0.5); }
  /// The stored values, in observation order (with 0 for missing ones under never_skip).
  const std::vector<double>& values() const noexcept { return sample_.values(); }
  std::uint64_t count() const noexcept { return sample_.counts().present(); }
  std::uint64_t missing_count() const noexcept { return sample_.counts().missing(); }
  missing_policy policy() const noexcept { return sample_.counts().policy(); }

  template <class Archive>
  void serialize(Archive& ar, unsigned /* version */) {
    ar(sample_);
  }

  friend bool operator==(const median&, const median&) = default;

private:
  detail::value_sample sample_;
};

} // namespace planeval::rules
