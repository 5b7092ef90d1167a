// Copyright (c) 2026 planeval developers. Distributed under the MIT License.
#pragma once
/// \file rules/variance.hpp
/// variance and stddev, population or sample, unweighted or weighted; one numerically stable pass.
///
/// Design notes: the state is (Σw, mean, M2 = Σw(x − mean)²), updated by West's weighted form of
/// Welford's algorithm (D. H. D. West, "Updating mean and variance estimates: an improved method",
/// CACM 22(9), 1979) and merged by Chan, Golub & LeVeque's pairwise formula ("Updating formulae and
/// a pairwise algorithm for computing sample variances", 1979): δ = mean_b − mean_a,
/// mean = mean_a + δ·W_b/W, M2 = M2_a + M2_b + δ²·W_a·W_b/W. Neither forms Σx², so values such as
/// 1e9 + small offsets keep their precision; merges in another order may differ in the last bits.
/// The population/sample choice is explicit (DHIS2 documents its STDDEV as population and computes
/// the sample one): ddof::population divides M2 by Σw, ddof::sample by Σw − 1. Weights are frequency
/// weights — observing (x, w) is the same as observing x w times (for integer w) — so the sample
/// form uses Σw − 1, and unweighted observations have w = 1 (n − 1). A default-constructed variance
/// is the population one; say variance::population() or variance::sample() in code that cares.

#include <planeval/rules/common.hpp>

#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

namespace planeval::rules {

/// Delta degrees of freedom: the variance divides M2 by Σw − ddof.
enum class ddof : std::uint8_t {
  population = 0, ///< divide by Σw (n)
  sample = 1      ///< divide by Σw − 1 (n − 1, Bessel's correction)
};
inline constexpr detail::name_table<ddof, 2> ddof_names{{
    {ddof::population, "population"},
    {ddof::sample, "sample"},
}};
/// "population" or "sample".
inline std::string_view to_string(ddof d) noexcept { return detail::name_of(ddof_names, d); }

} // namespace planeval::rules

namespace planeval::detail {

/// Σw, weighted mean and M2 with West's update and Chan et al.'s merge.
class welford {
public:
  /// Add x with weight w >= 0 (a zero weight changes nothing).
  void add(double x, double w) noexcept {
    if (w == 0) return;
    const double w_new = sum_w_ + w;
    const double delta = x - mean_;
    const double r = delta * w / w_new;
    mean_ += r;
    m2_ += sum_w_ * delta * r;
    sum_w_ = w_new;
  }
  /// Merge another state; merging with an empty state on either side is exact.
  void merge(const welford& o) noexcept {
    if (o.sum_w_ == 0) return;
    if (sum_w_ == 0) {
      *this = o;
      return;
    }
    const double w_new = sum_w_ + o.sum_w_;
    const double delta = o.mean_ - mean_;
    mean_ += delta * (o.sum_w_ / w_new);
    m2_ += o.m2_ + delta * delta * (sum_w_ * o.sum_w_ / w_new);
    sum_w_ = w_new;
  }
  double sum_of_weights() const noexcept { return sum_w_; }
  double mean() const noexcept { return mean_; }
  /// Σw(x − mean)².
  double m2() const noexcept { return m2_; }

  template <class Archive>
  void serialize(Archive& ar, unsigned /* version */) {
    ar(sum_w_, mean_, m2_);
    if constexpr (Archive::is_loading)
      require_loaded(sum_w_ >= 0 && m2_ >= 0 && std::isfinite(mean_), "variance", "negative weight sum or M2");
  }

  friend bool operator==(const welford&, const welford&) = default;

private:
  double sum_w_ = 0;
  double mean_ = 0;
  double m2_ = 0;
};

struct variance_tag {
  static constexpr std::string_view name = "variance";
};
struct stddev_tag {
  static constexpr std::string_view name = "stddev";
};

} // namespace planeval::detail

namespace planeval::rules {

/// Variance (Kind = variance_tag) or standard deviation (stddev_tag) of the observed values.
template <class Kind>
class basic_variance {
public:
  static constexpr std::string_view name = Kind::name;
  static constexpr bool mergeable = true;

  /// Empty state (the identity): **population** form, missing policy skip_if_all_missing.
  basic_variance() = default;
  explicit basic_variance(rules::ddof d, missing_policy p = missing_policy::skip_if_all_missing)
      : presence_(p), ddof_(d) {
    check_ddof();
  }
  /// Population form: divide by Σw (n).
  static basic_variance population(missing_policy p = missing_policy::skip_if_all_missing) {
    return basic_variance(rules::ddof::population, p);
  }
  /// Sample form: divide by Σw − 1 (n − 1).
  static basic_variance sample(missing_policy p = missing_policy::skip_if_all_missing) {
    return basic_variance(rules::ddof::sample, p);
  }

  /// Observe a present value (weight 1).
  void operator()(double x) { (*this)(x, 1.0); }
  /// Observe a present value with frequency weight `w` >= 0.
  void operator()(double x, double w) {
    detail::require_finite(x, name);
    detail::require_weight(w, name);
    presence_.add_present();
    acc_.add(x, w);
  }
  /// Observe a missing value (0 under never_skip).
  void missing() { missing(1.0); }
  /// Observe a missing value of weight `w` (0 with weight w under never_skip).
  void missing(double w) {
    detail::require_weight(w, name);
    if (presence_.add_missing()) acc_.add(0.0, w);
  }

  /// Merge another partial state (Chan et al.). Throws planeval::error if ddof or policies differ.
  basic_variance& operator+=(const basic_variance& o) {
    if (detail::merge_with_identity(*this, o)) return *this;
    if (ddof_ != o.ddof_) detail::throw_merge_mismatch(name, "ddof", to_string(ddof_), to_string(o.ddof_));
    presence_.merge(o.presence_, name);
    acc_.merge(o.acc_);
    return *this;
  }

  /// M2 / (Σw − ddof), or its square root for stddev; nullopt if there is no data, the missing
  /// policy says skip, or Σw − ddof <= 0 (e.g. the sample form of a single value).
  std::optional<double> value() const noexcept {
    const auto v = variance();
    if constexpr (std::is_same_v<Kind, detail::stddev_tag>) {
      if (v) return std::sqrt(*v);
    }
    return v;
  }
  /// The variance (for stddev too).
  std::optional<double> variance() const noexcept {
    const double denominator = acc_.sum_of_weights() - static_cast<double>(ddof_);
    if (!presence_.defined() || !(denominator > 0)) return std::nullopt;
    return acc_.m2() / denominator;
  }
  /// The weighted mean of the aggregated values; nullopt if undefined or Σw = 0.
  std::optional<double> mean() const noexcept {
    if (!presence_.defined() || !(acc_.sum_of_weights() > 0)) return std::nullopt;
    return acc_.mean();
  }
  double sum_of_weights() const noexcept { return acc_.sum_of_weights(); }
  /// population or sample (named so as not to hide the type rules::ddof).
  rules::ddof correction() const noexcept { return ddof_; }
  std::uint64_t count() const noexcept { return presence_.present(); }
  std::uint64_t missing_count() const noexcept { return presence_.missing(); }
  missing_policy policy() const noexcept { return presence_.policy(); }

  template <class Archive>
  void serialize(Archive& ar, unsigned /* version */) {
    ar(presence_, ddof_, acc_);
    if constexpr (Archive::is_loading) check_ddof();
  }

  friend bool operator==(const basic_variance&, const basic_variance&) = default;

private:
  void check_ddof() const {
    if (ddof_ != rules::ddof::population && ddof_ != rules::ddof::sample)
      throw error(std::string(name) + ": ddof must be population (0) or sample (1)");
  }

  detail::presence presence_;
  rules::ddof ddof_ = rules::ddof::population;
  detail::welford acc_;
};

/// Variance; choose variance::population() or variance::sample() (default-constructed: population).
using variance = basic_variance<detail::variance_tag>;
/// Standard deviation √variance; stddev::population() or stddev::sample() (default: population).
using stddev = basic_variance<detail::stddev_tag>;

} // namespace planeval::rules
