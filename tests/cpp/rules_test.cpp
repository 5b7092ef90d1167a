// Tests of the aggregation rules (planeval/rules.hpp) and their binary archive.
// Every expected number is computed by hand in a comment or taken from a cited source.

// The standard, Boost and doctest headers come first: libstdc++'s <bits/c++config.h> #undefs min
// and max, so if it were first included below the hostile macros it would silently disarm them.
#include <planeval/calendar.hpp>
#include <planeval/error.hpp>
#include <planeval/target.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cctype>
#include <cmath>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

// The rules headers under min/max macros as <windows.h> defines them.
#define min(a, b) planeval_hostile_min_macro
#define max(a, b) planeval_hostile_max_macro
#include <planeval/rules.hpp>
#undef min
#undef max

namespace r = planeval::rules;
using planeval::date;
using r::missing_policy;

namespace {

constexpr double rel_tol = 1e-12;

/// Both undefined, or equal within a relative tolerance.
bool close(std::optional<double> a, std::optional<double> b, double rel = rel_tol) {
  if (!a || !b) return !a && !b;
  if (*a == *b) return true;
  return std::abs(*a - *b) <= rel * (std::max)(std::abs(*a), std::abs(*b));
}

bool close(double a, double b, double rel = rel_tol) { return close(std::optional<double>(a), b, rel); }

constexpr missing_policy all_policies[] = {missing_policy::skip_if_any_missing, missing_policy::skip_if_all_missing,
                                           missing_policy::never_skip};

/// One generic observation: value, weight or denominator, a key (day, year, category), missing flag.
struct obs {
  double x = 0;
  double w = 1;
  std::int64_t key = 0;
  bool missing = false;
};

struct data_spec {
  double lo = 0, hi = 100;    ///< x uniform in [lo, hi)
  double wlo = 0, whi = 10;   ///< w uniform in [wlo, whi)
  std::int64_t kmax = 0;      ///< key uniform in [0, kmax]
  double missing_share = 0.1; ///< probability of a missing observation
  double zero_w_share = 0;    ///< probability that w is exactly 0
  bool integral = false;      ///< x rounded to an integer (exact sums)
};

std::vector<obs> make_data(std::mt19937_64& rng, std::size_t n, const data_spec& s) {
  std::uniform_real_distribution<double> x(s.lo, s.hi), w(s.wlo, s.whi), u(0, 1);
  std::uniform_int_distribution<std::int64_t> k(0, s.kmax);
  std::vector<obs> out(n);
  for (auto& o : out) {
    o.x = s.integral ? std::round(x(rng)) : x(rng);
    o.w = u(rng) < s.zero_w_share ? 0.0 : w(rng);
    o.key = k(rng);
    o.missing = u(rng) < s.missing_share;
  }
  return out;
}

/// The merge laws: one pass == any split into up to 8 partial states, each shipped through
/// to_bytes/from_bytes, merged in a random tree; merging with the identity on either side changes
/// nothing. `exact`: the merged state must equal the one-pass state (no floating sums involved).
template <class R, class Obs, class Feed, class Extra>
void check_laws(const R& empty, const std::vector<Obs>& data, Feed feed, std::mt19937_64& rng, bool exact,
                Extra extra) {
  R one = empty;
  for (const auto& o : data) feed(one, o);

  R left = empty;
  left += one;
  CHECK(left == one);
  R right = one;
  right += empty;
  CHECK(right == one);
  R both = empty;
  both += empty;
  CHECK(both == empty);
  // The default-constructed state is an identity too, whatever the parameters of the other side.
  R def{};
  def += one;
  CHECK(def == one);
  R def_right = one;
  def_right += R{};
  CHECK(def_right == one);
  CHECK(planeval::from_bytes<R>(planeval::to_bytes(one)) == one);

  for (int trial = 0; trial < 10; ++trial) {
    std::vector<std::size_t> cuts{0, data.size()};
    const int n_parts = std::uniform_int_distribution<int>(1, 8)(rng);
    for (int i = 1; i < n_parts; ++i) cuts.push_back(std::uniform_int_distribution<std::size_t>(0, data.size())(rng));
    std::sort(cuts.begin(), cuts.end());
    std::vector<R> parts;
    for (std::size_t i = 0; i + 1 < cuts.size(); ++i) {
      R p = empty;
      for (std::size_t j = cuts[i]; j < cuts[i + 1]; ++j) feed(p, data[j]);
      R shipped = planeval::from_bytes<R>(planeval::to_bytes(p)); // as if computed in another process
      CHECK(shipped == p);
      parts.push_back(std::move(shipped));
    }
    std::shuffle(parts.begin(), parts.end(), rng);
    while (parts.size() > 1) {
      const auto i = std::uniform_int_distribution<std::size_t>(0, parts.size() - 1)(rng);
      auto j = std::uniform_int_distribution<std::size_t>(0, parts.size() - 2)(rng);
      if (j >= i) ++j;
      parts[i] += parts[j];
      parts.erase(parts.begin() + static_cast<std::ptrdiff_t>(j));
    }
    const R& merged = parts.front();
    CHECK(close(merged.value(), one.value()));
    CHECK(merged.count() == one.count());
    CHECK(merged.missing_count() == one.missing_count());
    if (exact) CHECK(merged == one);
    extra(merged, one);
  }
}

template <class R, class Obs, class Feed>
void check_laws(const R& empty, const std::vector<Obs>& data, Feed feed, std::mt19937_64& rng, bool exact) {
  check_laws(empty, data, feed, rng, exact, [](const R&, const R&) {});
}

/// Runs `body(policy, missing_share)` for every policy, skip_if_any_missing also without missing data.
template <class Body>
void for_each_policy(Body body) {
  for (missing_policy p : all_policies) {
    CAPTURE(r::to_string(p));
    body(p, 0.1);
  }
  body(missing_policy::skip_if_any_missing, 0.0);
}

/// Recompute the to_bytes checksum after editing the bytes.
void fix_checksum(std::string& b) {
  const std::uint64_t h = planeval::detail::fnv1a64(std::string_view(b).substr(0, b.size() - 8));
  std::memcpy(b.data() + b.size() - 8, &h, 8);
}

/// Every proper prefix and every single-bit flip of `bytes` is rejected with planeval::error;
/// random edits with a recomputed checksum are rejected or give a usable state (never a crash).
template <class R>
void check_corruption(const R& state, std::mt19937_64& rng) {
  const std::string bytes = planeval::to_bytes(state);
  for (std::size_t n = 0; n < bytes.size(); ++n)
    CHECK_THROWS_AS(planeval::from_bytes<R>(std::string_view(bytes).substr(0, n)), planeval::error);
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    std::string b = bytes;
    b[i] = static_cast<char>(b[i] ^ (1 << (i % 8)));
    CHECK_THROWS_AS(planeval::from_bytes<R>(b), planeval::error);
  }
  std::uniform_int_distribution<std::size_t> pos(3 + 4, bytes.size() - 9);
  std::uniform_int_distribution<int> byte(0, 255), edits(1, 4);
  for (int trial = 0; trial < 300; ++trial) {
    std::string b = bytes;
    for (int e = edits(rng); e > 0; --e) b[pos(rng)] = static_cast<char>(byte(rng));
    fix_checksum(b);
    try {
      const R s = planeval::from_bytes<R>(b);
      (void)s.value(); // a loaded state must be safe to use
      (void)s.count();
    } catch (const planeval::error&) {
    }
  }
}

// The seven 资源配置 indicators for 小学 (教督〔2017〕6号; domain notes §2.1).
std::vector<r::criterion> primary_school_criteria() {
  using planeval::comparator;
  return {{comparator::ge, 4.2, "每百名学生拥有高于规定学历教师数"},
          {comparator::ge, 1.0, "每百名学生拥有县级以上骨干教师数"},
          {comparator::ge, 0.9, "每百名学生拥有体育、艺术专任教师数"},
          {comparator::ge, 4.5, "生均教学及辅助用房面积"},
          {comparator::ge, 7.5, "生均体育运动场馆面积"},
          {comparator::ge, 2000, "生均教学仪器设备值"},
          {comparator::ge, 2.3, "每百名学生拥有网络多媒体教室数"}};
}

template <class R>
concept has_merge = requires(R& a, const R& b) {
  a += b;
};

struct unit_obs {
  std::uint32_t id = 0;
  std::array<double, 7> values{};
  std::array<bool, 7> present{};
};

} // namespace

// ---------------------------------------------------------------------------------------------
TEST_CASE("rule names and mergeability") {
  CHECK(r::sum::name == "sum");
  CHECK(r::count::name == "count");
  CHECK(r::mean::name == "mean");
  CHECK(r::min::name == "min");
  CHECK(r::max::name == "max");
  CHECK(r::first::name == "first");
  CHECK(r::last::name == "last");
  CHECK(r::weighted_mean::name == "weighted_mean");
  CHECK(r::ratio_of_sums::name == "ratio_of_sums");
  CHECK(r::mean_of_ratios::name == "mean_of_ratios");
  CHECK(r::variance::name == "variance");
  CHECK(r::stddev::name == "stddev");
  CHECK(r::cv::name == "cv");
  CHECK(r::share_meeting::name == "share_meeting");
  CHECK(r::count_meeting::name == "count_meeting");
  CHECK(r::k_of_n::name == "k_of_n");
  CHECK(r::year_over_year::name == "year_over_year");
  CHECK(r::structure_shares::name == "structure_shares");
  CHECK(r::median::name == "median");
  CHECK(r::percentile::name == "percentile");

  static_assert(r::sum::mergeable && r::variance::mergeable && r::k_of_n::mergeable && r::cv::mergeable);
  static_assert(!r::median::mergeable && !r::percentile::mergeable);
  static_assert(!has_merge<r::median> && !has_merge<r::percentile>, "median and percentile have no +=");
  static_assert(has_merge<r::sum> && has_merge<r::k_of_n> && has_merge<r::year_over_year>);

  CHECK(r::to_string(missing_policy::skip_if_any_missing) == "skip_if_any_missing");
  CHECK(r::to_string(missing_policy::skip_if_all_missing) == "skip_if_all_missing");
  CHECK(r::to_string(missing_policy::never_skip) == "never_skip");
  CHECK(planeval::detail::parse_name(r::missing_policy_names, "never_skip") == missing_policy::never_skip);
  CHECK(r::to_string(r::ddof::population) == "population");
  CHECK(r::to_string(r::ddof::sample) == "sample");
  CHECK(r::to_string(r::cv_weighting::weighted) == "weighted");
}

// ---------------------------------------------------------------------------------------------
TEST_CASE("sum, count, mean, min, max on a small case") {
  // Values 2, 4, 9 and one missing value.
  auto feed = [](auto rule) {
    rule(2);
    rule(4);
    rule.missing();
    rule(9);
    return rule;
  };
  SUBCASE("skip_if_all_missing (default): the missing value is ignored") {
    // sum 2+4+9 = 15, count 3, mean 15/3 = 5, min 2, max 9
    const auto s = feed(r::sum{});
    CHECK(s.value() == 15);
    CHECK(s.count() == 3);
    CHECK(s.missing_count() == 1);
    CHECK(feed(r::count{}).value() == 3);
    CHECK(feed(r::mean{}).value() == 5);
    CHECK(feed(r::min{}).value() == 2);
    CHECK(feed(r::max{}).value() == 9);
  }
  SUBCASE("skip_if_any_missing: one missing value makes every value undefined") {
    const auto p = missing_policy::skip_if_any_missing;
    CHECK(!feed(r::sum(p)).value());
    CHECK(!feed(r::count(p)).value());
    CHECK(!feed(r::mean(p)).value());
    CHECK(!feed(r::min(p)).value());
    CHECK(!feed(r::max(p)).value());
    CHECK(feed(r::sum(p)).count() == 3);
  }
  SUBCASE("never_skip: the missing value counts as 0") {
    // sum 15, count 4, mean 15/4 = 3.75, min 0, max 9
    const auto p = missing_policy::never_skip;
    CHECK(feed(r::sum(p)).value() == 15);
    CHECK(feed(r::count(p)).value() == 4);
    CHECK(feed(r::count(p)).count() == 3);
    CHECK(feed(r::mean(p)).value() == 3.75);
    CHECK(feed(r::min(p)).value() == 0);
    CHECK(feed(r::max(p)).value() == 9);
  }
  SUBCASE("negative values") {
    // -3, 5: sum 2, mean 1, min -3, max 5
    r::mean m;
    r::min lo;
    r::max hi;
    for (double x : {-3.0, 5.0}) {
      m(x);
      lo(x);
      hi(x);
    }
    CHECK(m.value() == 1);
    CHECK(m.sum() == 2);
    CHECK(lo.value() == -3);
    CHECK(hi.value() == 5);
  }
}

TEST_CASE("sum family with no data and with only missing data") {
  // No observation: undefined under every policy.
  for (missing_policy p : all_policies) {
    CHECK(!r::sum(p).value());
    CHECK(!r::count(p).value());
    CHECK(!r::mean(p).value());
    CHECK(!r::min(p).value());
    CHECK(!r::max(p).value());
  }
  // Three missing values: undefined unless never_skip, where they are three zeros:
  // sum 0, count 3, mean 0, min 0, max 0.
  auto all_missing = [](auto rule) {
    for (int i = 0; i < 3; ++i) rule.missing();
    return rule;
  };
  for (missing_policy p : {missing_policy::skip_if_any_missing, missing_policy::skip_if_all_missing}) {
    CHECK(!all_missing(r::sum(p)).value());
    CHECK(!all_missing(r::count(p)).value());
    CHECK(!all_missing(r::mean(p)).value());
    CHECK(!all_missing(r::min(p)).value());
    CHECK(!all_missing(r::max(p)).value());
  }
  const auto ns = missing_policy::never_skip;
  CHECK(all_missing(r::sum(ns)).value() == 0);
  CHECK(all_missing(r::count(ns)).value() == 3);
  CHECK(all_missing(r::mean(ns)).value() == 0);
  CHECK(all_missing(r::min(ns)).value() == 0);
  CHECK(all_missing(r::max(ns)).value() == 0);
  CHECK(all_missing(r::max(ns)).missing_count() == 3);
  CHECK(all_missing(r::max(ns)).count() == 0);
}

TEST_CASE("non-finite values are rejected, not aggregated") {
  r::sum s;
  CHECK_THROWS_AS(s(std::nan("")), planeval::error);
  CHECK_THROWS_AS(s(std::numeric_limits<double>::infinity()), planeval::error);
  CHECK(s == r::sum{});
  CHECK_THROWS_WITH_AS(r::max{}(std::nan("")), doctest::Contains("use missing()"), planeval::error);
  // Bad observations are data errors; bad constructor arguments are plain planeval::error.
  CHECK_THROWS_AS(r::weighted_mean{}(1, -1), planeval::data_error);
  CHECK_THROWS_AS(r::ratio_of_sums{}(1, std::nan("")), planeval::data_error);
  CHECK_THROWS_AS(r::structure_shares({1, 1}, 0)(2, 1), planeval::data_error);
  r::k_of_n k({{planeval::comparator::ge, 1, "a"}}, 1);
  k(1, std::array<double, 1>{1});
  CHECK_THROWS_AS(k(1, std::array<double, 1>{1}), planeval::data_error);
  bool parameter_error_is_data_error = false;
  try {
    r::ratio_of_sums bad(std::numeric_limits<double>::infinity());
  } catch (const planeval::data_error&) {
    parameter_error_is_data_error = true;
  } catch (const planeval::error&) {
  }
  CHECK(!parameter_error_is_data_error);
}

// ---------------------------------------------------------------------------------------------
TEST_CASE("first and last by date, ties broken by value") {
  r::first f;
  r::last l;
  auto both = [&](double x, date d) {
    f(x, d);
    l(x, d);
  };
  both(5, date(2021, 3, 1));
  both(7, date(2021, 6, 30));
  both(6, date(2021, 6, 30)); // same day as 7: last keeps the larger, 7
  both(3, date(2020, 12, 31));
  CHECK(f.value() == 3); // earliest day 2020-12-31
  CHECK(f.day() == date(2020, 12, 31).day_number());
  CHECK(l.value() == 7);
  CHECK(l.day() == date(2021, 6, 30).day_number());

  // Ties on the first day: the smaller value wins, in either order.
  r::first a, b;
  a(1, std::int64_t{10});
  a(-1, std::int64_t{10});
  b(-1, std::int64_t{10});
  b(1, std::int64_t{10});
  CHECK(a.value() == -1);
  CHECK(a == b);

  CHECK_THROWS_AS(f(1, date()), planeval::error); // not_a_date_time
  CHECK(!r::first{}.value());
  CHECK(!r::last{}.day());
}

TEST_CASE("first and last with missing values") {
  // 4 on 2021-01-01, 8 on 2022-01-01, missing on 2023-01-01.
  auto feed = [](auto rule) {
    rule(4, date(2021, 1, 1));
    rule(8, date(2022, 1, 1));
    rule.missing(date(2023, 1, 1));
    return rule;
  };
  CHECK(feed(r::last{}).value() == 8);                                // missing ignored
  CHECK(!feed(r::last(missing_policy::skip_if_any_missing)).value()); // any missing -> undefined
  CHECK(feed(r::last(missing_policy::never_skip)).value() == 0);      // 0 on 2023-01-01 is the latest
  CHECK(feed(r::first(missing_policy::never_skip)).value() == 4);
  // Only missing values.
  r::last s, n(missing_policy::never_skip);
  s.missing(std::int64_t{5});
  n.missing(std::int64_t{5});
  CHECK(!s.value());
  CHECK(n.value() == 0);
  CHECK(n.day() == 5);
}

// ---------------------------------------------------------------------------------------------
TEST_CASE("weighted_mean") {
  // x = 4, 5, 6 with w = 100, 200, 700: (400 + 1000 + 4200) / 1000 = 5.6
  r::weighted_mean m;
  m(4, 100);
  m(5, 200);
  m(6, 700);
  CHECK(close(*m.value(), 5.6));
  CHECK(m.sum_of_weights() == 1000);

  CHECK_THROWS_AS(m(1, -1), planeval::error);
  CHECK_THROWS_AS(m(1, std::nan("")), planeval::error);
  CHECK_THROWS_AS(m(1, std::numeric_limits<double>::infinity()), planeval::error);
  CHECK_THROWS_AS(m.missing(-2), planeval::error);

  // Only zero weights: Σw = 0, undefined.
  r::weighted_mean z;
  z(3, 0);
  CHECK(!z.value());

  // never_skip: a missing value of weight 1000 adds 0 × 1000: 5600 / 2000 = 2.8
  r::weighted_mean ns(missing_policy::never_skip), any(missing_policy::skip_if_any_missing), all;
  for (auto* w : {&ns, &any, &all}) {
    (*w)(4, 100);
    (*w)(5, 200);
    (*w)(6, 700);
    w->missing(1000);
  }
  CHECK(close(*ns.value(), 2.8));
  CHECK(!any.value());
  CHECK(close(*all.value(), 5.6));
  r::weighted_mean only_missing;
  only_missing.missing(3);
  CHECK(!only_missing.value());
}

// ---------------------------------------------------------------------------------------------
TEST_CASE("ratio of sums versus mean of ratios") {
  // The classic example: units 1/1 and 1/9.
  // ratio of sums: (1 + 1) / (1 + 9) = 2/10 = 0.2; mean of ratios: (1/1 + 1/9) / 2 = 0.5555...
  r::ratio_of_sums rs;
  r::mean_of_ratios mr;
  for (auto [num, den] : {std::pair{1.0, 1.0}, std::pair{1.0, 9.0}}) {
    rs(num, den);
    mr(num, den);
  }
  CHECK(close(*rs.value(), 0.2));
  CHECK(close(*mr.value(), (1.0 + 1.0 / 9.0) / 2.0));
  CHECK(*mr.value() == doctest::Approx(0.5556).epsilon(1e-4));

  // Teachers per 100 students (factor 100): (3 + 5) / (150 + 100) × 100 = 3.2
  r::ratio_of_sums per100(100);
  per100(3, 150);
  per100(5, 100);
  CHECK(close(*per100.value(), 3.2));
  CHECK(per100.numerator() == 8);
  CHECK(per100.denominator() == 250);

  // Σden = 0: undefined.
  r::ratio_of_sums zero;
  zero(1, 0);
  CHECK(!zero.value());

  // mean of ratios: a unit with denominator 0 is skipped and counted.
  r::mean_of_ratios skip;
  skip(1, 2); // 0.5
  skip(3, 0); // skipped
  skip(3, 4); // 0.75  -> mean (0.5 + 0.75) / 2 = 0.625
  CHECK(skip.value() == 0.625);
  CHECK(skip.skipped_zero_denominator() == 1);
  CHECK(skip.units() == 2);
  CHECK(skip.count() == 3);
  r::mean_of_ratios only_zero;
  only_zero(1, 0);
  CHECK(!only_zero.value());

  CHECK_THROWS_AS(r::ratio_of_sums(std::nan("")), planeval::error);
  CHECK_THROWS_AS(rs(1, std::numeric_limits<double>::infinity()), planeval::error);
}

TEST_CASE("ratios with missing numerators") {
  // 1/1, 1/9 and a unit of denominator 10 whose numerator is missing.
  auto feed = [](auto rule) {
    rule(1, 1);
    rule(1, 9);
    rule.missing(10);
    return rule;
  };
  // ratio of sums: ignored -> 2/10 = 0.2; never_skip -> (1 + 1 + 0) / (1 + 9 + 10) = 0.1
  CHECK(close(*feed(r::ratio_of_sums{}).value(), 0.2));
  CHECK(!feed(r::ratio_of_sums(1, missing_policy::skip_if_any_missing)).value());
  CHECK(close(*feed(r::ratio_of_sums(1, missing_policy::never_skip)).value(), 0.1));
  // mean of ratios: never_skip -> (1 + 1/9 + 0) / 3 = 0.37037...
  CHECK(close(*feed(r::mean_of_ratios(1, missing_policy::never_skip)).value(), (1.0 + 1.0 / 9.0) / 3.0));
  CHECK(!feed(r::mean_of_ratios(1, missing_policy::skip_if_any_missing)).value());
  // Only missing: undefined unless never_skip (0 / 10 = 0).
  r::ratio_of_sums a, b(1, missing_policy::never_skip);
  a.missing(10);
  b.missing(10);
  CHECK(!a.value());
  CHECK(b.value() == 0);
}

// ---------------------------------------------------------------------------------------------
TEST_CASE("variance and stddev: population and sample") {
  // 2, 4, 4, 4, 5, 5, 7, 9: mean 5, squared deviations 9+1+1+1+0+0+4+16 = 32;
  // population variance 32/8 = 4 (σ = 2, the example of Wikipedia's "Standard deviation" article),
  // sample variance 32/7.
  const double xs[] = {2, 4, 4, 4, 5, 5, 7, 9};
  auto pop = r::variance::population();
  auto smp = r::variance::sample();
  auto sd_pop = r::stddev::population();
  auto sd_smp = r::stddev::sample();
  for (double x : xs) {
    pop(x);
    smp(x);
    sd_pop(x);
    sd_smp(x);
  }
  CHECK(close(*pop.value(), 4));
  CHECK(close(*pop.mean(), 5));
  CHECK(close(*smp.value(), 32.0 / 7.0));
  CHECK(close(*sd_pop.value(), 2));
  CHECK(close(*sd_smp.value(), std::sqrt(32.0 / 7.0)));
  CHECK(close(*sd_smp.variance(), 32.0 / 7.0));

  // The default is the population form, and says so.
  CHECK(r::variance{}.correction() == r::ddof::population);
  CHECK(r::stddev::sample().correction() == r::ddof::sample);
  CHECK(r::variance(r::ddof::sample) == r::variance::sample());

  // Frequency weights: (x, w) is x observed w times: 2×1, 4×3, 5×2, 7×1, 9×1 is the data above.
  auto wpop = r::variance::population();
  auto wsmp = r::variance::sample();
  for (auto [x, w] : {std::pair{2.0, 1.0}, {4.0, 3.0}, {5.0, 2.0}, {7.0, 1.0}, {9.0, 1.0}}) {
    wpop(x, w);
    wsmp(x, w);
  }
  CHECK(close(*wpop.value(), 4));
  CHECK(close(*wsmp.value(), 32.0 / 7.0));
  CHECK(wpop.sum_of_weights() == 8);

  // One value: population variance 0, sample variance undefined (n − 1 = 0).
  auto one_pop = r::variance::population();
  auto one_smp = r::variance::sample();
  one_pop(3);
  one_smp(3);
  CHECK(one_pop.value() == 0);
  CHECK(!one_smp.value());
  // Zero weights only: undefined; they change nothing else.
  auto zw = r::variance::population();
  zw(3, 0);
  CHECK(!zw.value());
  CHECK(!zw.mean());
  CHECK_THROWS_AS(zw(3, -1), planeval::error);
}

TEST_CASE("variance is stable for values around 1e9") {
  // 1e9 + {4, 7, 13, 16}: mean 1e9 + 10, deviations -6, -3, 3, 6, squares 36+9+9+36 = 90;
  // population variance 90/4 = 22.5, sample 90/3 = 30.
  const double xs[] = {1e9 + 4, 1e9 + 7, 1e9 + 13, 1e9 + 16};
  auto pop = r::variance::population();
  auto smp = r::variance::sample();
  double s = 0, s2 = 0;
  for (double x : xs) {
    pop(x);
    smp(x);
    s += x;
    s2 += x * x;
  }
  CHECK(close(*pop.value(), 22.5));
  CHECK(close(*smp.value(), 30));
  // The naive formula Σx²/n − x̄² loses everything: x² ≈ 1e18, where doubles are 128 apart.
  const double naive = s2 / 4 - (s / 4) * (s / 4);
  CHECK(std::abs(naive - 22.5) > 1);

  // Two halves merged (Chan et al.): {+4, +7}: mean +5.5, M2 4.5; {+13, +16}: mean +14.5, M2 4.5;
  // δ = 9, M2 = 4.5 + 4.5 + 81·2·2/4 = 90.
  auto a = r::variance::population();
  auto b = r::variance::population();
  a(xs[0]);
  a(xs[1]);
  b(xs[2]);
  b(xs[3]);
  a += b;
  CHECK(close(*a.value(), 22.5));

  // Weighted, around 1e9 with larger offsets: 1e9 + 0.5 (w 3) and 1e9 + 2.5 (w 1):
  // mean 1e9 + 1, M2 = 3·0.25 + 1·2.25 = 3, population variance 3/4 = 0.75.
  auto w = r::variance::population();
  w(1e9 + 0.5, 3);
  w(1e9 + 2.5, 1);
  CHECK(close(*w.value(), 0.75));
}

TEST_CASE("variance with missing values") {
  // 2, 4, missing: skip_if_all -> population variance of {2, 4} = 1;
  // never_skip -> {2, 4, 0}: mean 2, squared deviations 0+4+4 = 8, variance 8/3.
  auto feed = [](auto rule) {
    rule(2);
    rule(4);
    rule.missing();
    return rule;
  };
  CHECK(close(*feed(r::variance::population()).value(), 1));
  CHECK(!feed(r::variance::population(missing_policy::skip_if_any_missing)).value());
  CHECK(close(*feed(r::variance::population(missing_policy::never_skip)).value(), 8.0 / 3.0));
  CHECK(close(*feed(r::stddev::population(missing_policy::never_skip)).value(), std::sqrt(8.0 / 3.0)));
  auto only = r::variance::population(missing_policy::never_skip);
  only.missing();
  only.missing();
  CHECK(only.value() == 0); // two zeros
  auto skip = r::variance::population();
  skip.missing();
  CHECK(!skip.value());
}

// ---------------------------------------------------------------------------------------------
TEST_CASE("cv: student-weighted 差异系数 and the unweighted one") {
  // Three schools, x = 4, 5, 6 per 100 students, P = 100, 200, 700 students (P = 1000):
  // x̄ = (400 + 1000 + 4200)/1000 = 5.6;
  // S² = 0.1·(−1.6)² + 0.2·(−0.6)² + 0.7·(0.4)² = 0.256 + 0.072 + 0.112 = 0.44;
  // S = √0.44 = 0.663324958071080; CV = S/x̄ = 0.118450885369836.
  r::cv w;
  w(4, 100);
  w(5, 200);
  w(6, 700);
  CHECK(close(*w.mean(), 5.6));
  CHECK(close(*w.stddev(), std::sqrt(0.44)));
  CHECK(close(*w.value(), std::sqrt(0.44) / 5.6));
  CHECK(*w.value() == doctest::Approx(0.118450885369836).epsilon(1e-12));
  CHECK(w.weighting() == r::cv_weighting::weighted);
  CHECK(w == [] {
    auto c = r::cv::weighted();
    c(4, 100);
    c(5, 200);
    c(6, 700);
    return c;
  }());

  // Unweighted: x̄ = 5, S² = (1 + 0 + 1)/3 = 2/3, CV = √(2/3)/5 = 0.163299316185545.
  // The weights are accepted and ignored, so one data feed serves both forms.
  auto u = r::cv::unweighted();
  u(4, 100);
  u(5, 200);
  u(6, 700);
  CHECK(close(*u.value(), std::sqrt(2.0 / 3.0) / 5.0));
  CHECK(*u.value() == doctest::Approx(0.163299316185545).epsilon(1e-12));
  // Unweighted sample form: S² = 2/2 = 1, CV = 1/5 = 0.2.
  auto us = r::cv::unweighted(r::ddof::sample);
  for (double x : {4.0, 5.0, 6.0}) us(x);
  CHECK(close(*us.value(), 0.2));

  // x̄ = 0: undefined.
  r::cv zero;
  zero(-1, 10);
  zero(1, 10);
  CHECK(!zero.value());
  CHECK(!r::cv{}.value());
  CHECK_THROWS_AS(w(1, -5), planeval::error);
}

TEST_CASE("cv with missing values") {
  // The three schools plus a fourth of 1000 students with no figure.
  auto feed = [](r::cv c) {
    c(4, 100);
    c(5, 200);
    c(6, 700);
    c.missing(1000);
    return c;
  };
  CHECK(close(*feed(r::cv{}).value(), std::sqrt(0.44) / 5.6));
  CHECK(!feed(r::cv::weighted(missing_policy::skip_if_any_missing)).value());
  // never_skip: the fourth school counts as 0 with P = 1000 (P = 2000):
  // x̄ = 5600/2000 = 2.8; S² = (100·1.2² + 200·2.2² + 700·3.2² + 1000·2.8²)/2000
  //    = (144 + 968 + 7168 + 7840)/2000 = 16120/2000 = 8.06; CV = √8.06 / 2.8.
  CHECK(close(*feed(r::cv::weighted(missing_policy::never_skip)).value(), std::sqrt(8.06) / 2.8));
  r::cv only;
  only.missing(10);
  CHECK(!only.value());
}

// ---------------------------------------------------------------------------------------------
TEST_CASE("share_meeting and count_meeting") {
  using planeval::comparator;
  // Values 80, 85, 90, 84.9 against 85.
  const double xs[] = {80, 85, 90, 84.9};
  auto run = [&](auto rule) {
    for (double x : xs) rule(x);
    return rule;
  };
  CHECK(run(r::share_meeting(comparator::ge, 85)).value() == 0.5); // 85, 90
  CHECK(run(r::count_meeting(comparator::ge, 85)).value() == 2);   // 85, 90
  CHECK(run(r::count_meeting(comparator::gt, 85)).value() == 1);   // 90
  CHECK(run(r::count_meeting(comparator::le, 85)).value() == 3);   // 80, 85, 84.9
  CHECK(run(r::share_meeting(comparator::lt, 85)).value() == 0.5); // 80, 84.9
  CHECK(run(r::count_meeting(comparator::eq, 85)).value() == 1);   // 85
  CHECK(run(r::share_meeting(comparator::ge, 85)).met() == 2);
  CHECK(run(r::share_meeting(comparator::ge, 85)).compared() == 4);

  for (comparator c : {comparator::between, comparator::pass, comparator::increase, comparator::decrease,
                       comparator::non_decreasing, comparator::strictly_increasing})
    CHECK_THROWS_AS(r::share_meeting(c, 1), planeval::error);
  CHECK_THROWS_AS(r::count_meeting(comparator::ge, std::nan("")), planeval::error);

  // Missing: never_skip compares a 0 (fails >= 85, meets <= 85).
  auto feed = [&](auto rule) {
    for (double x : xs) rule(x);
    rule.missing();
    return rule;
  };
  CHECK(feed(r::share_meeting(comparator::ge, 85)).value() == 0.5);
  CHECK(!feed(r::share_meeting(comparator::ge, 85, missing_policy::skip_if_any_missing)).value());
  CHECK(feed(r::share_meeting(comparator::ge, 85, missing_policy::never_skip)).value() == 0.4); // 2 of 5
  CHECK(feed(r::count_meeting(comparator::le, 85, missing_policy::never_skip)).value() == 4);
  r::share_meeting only(comparator::ge, 1);
  only.missing();
  CHECK(!only.value());
  CHECK(!r::count_meeting{}.value());
}

// ---------------------------------------------------------------------------------------------
TEST_CASE("k_of_n: 6 of 7 with a floor of 85% (优质均衡)") {
  r::k_of_n rule(primary_school_criteria(), 6, 0.85);
  constexpr std::array<bool, 7> all{true, true, true, true, true, true, true};
  // School 1: every indicator met except 生均教学及辅助用房面积 at 90% of 4.5 (4.05 >= 0.85 × 4.5 = 3.825):
  // 6 of 7 met, the seventh above the floor: passes.
  const std::array<double, 7> a{5.0, 1.2, 1.0, 4.05, 8.0, 2500, 2.5};
  // School 2: the same indicator at 80% (3.6 < 3.825): below the floor, fails.
  const std::array<double, 7> b{5.0, 1.2, 1.0, 3.6, 8.0, 2500, 2.5};
  // School 3: two indicators unmet but above the floor, 4.0 of 4.2 (95.2%) and 1900 of 2000 (95%): 5 of 7, fails.
  const std::array<double, 7> c{4.0, 1.2, 1.0, 5.0, 8.0, 1900, 2.5};
  // School 4: the last indicator missing: not met, below the floor, flagged: fails.
  const std::array<double, 7> d{5.0, 1.2, 1.0, 5.0, 8.0, 2500, 0.0};
  const std::array<bool, 7> d_present{true, true, true, true, true, true, false};

  const auto ra = rule.check(a, all);
  CHECK(ra.passed);
  CHECK(ra.met_count == 6);
  CHECK(ra.failing == std::vector<std::uint32_t>{3});
  CHECK(ra.below_floor.empty());
  CHECK(!ra.met(3));
  CHECK(ra.above_floor(3));
  CHECK(ra.met(0));
  CHECK(close(*ra.ratios[3], 0.9));
  CHECK(close(*ra.ratios[5], 1.25)); // 2500 / 2000

  const auto rb = rule.check(b);
  CHECK(!rb.passed);
  CHECK(rb.met_count == 6);
  CHECK(rb.below_floor == std::vector<std::uint32_t>{3});
  CHECK(close(*rb.ratios[3], 0.8));

  const auto rc = rule.check(c, all);
  CHECK(!rc.passed);
  CHECK(rc.met_count == 5);
  CHECK(rc.failing == std::vector<std::uint32_t>{0, 5});
  CHECK(rc.below_floor.empty());

  const auto rd = rule.check(d, d_present);
  CHECK(!rd.passed);
  CHECK(rd.missing == std::vector<std::uint32_t>{6});
  CHECK(rd.failing == std::vector<std::uint32_t>{6});
  CHECK(rd.below_floor == std::vector<std::uint32_t>{6});
  CHECK(rd.is_missing(6));
  CHECK(!rd.ratios[6]);

  // check() is pure; operator() records. Recorded out of order, results come back sorted.
  CHECK(rule.units() == 0);
  rule(40, d, d_present);
  rule(10, a, all);
  rule(30, c);
  rule(20, b, all);
  CHECK(rule.units() == 4);
  CHECK(rule.passed() == 1);
  CHECK(rule.value() == 0.25);
  CHECK(rule.count() == 27); // 4 × 7 values, one missing
  CHECK(rule.missing_count() == 1);
  std::vector<std::uint32_t> ids;
  for (const auto& u : rule.results()) ids.push_back(u.unit);
  CHECK(ids == std::vector<std::uint32_t>{10, 20, 30, 40});
  CHECK(rule.results()[0].passed);
  CHECK(rule.results()[1].below_floor == std::vector<std::uint32_t>{3});

  CHECK_THROWS_WITH_AS(rule(20, a), doctest::Contains("unit 20 observed twice"), planeval::error);
  CHECK(rule.units() == 4);
  CHECK_THROWS_AS(rule.check(std::array<double, 6>{}), planeval::error);
  CHECK_THROWS_AS(rule.check(a, std::array<bool, 6>{}), planeval::error);

  // Merge: the same four schools recorded in two states, merged either way round.
  r::k_of_n x(primary_school_criteria(), 6), y(primary_school_criteria(), 6);
  x(30, c);
  x(10, a);
  y(40, d, d_present);
  y(20, b);
  r::k_of_n xy = x, yx = y;
  xy += y;
  yx += x;
  CHECK(xy == rule);
  CHECK(yx == rule);
  CHECK_THROWS_WITH_AS(xy += x, doctest::Contains("both hold unit 10"), planeval::error);
  CHECK(xy == rule); // unchanged by the failed merge
}

TEST_CASE("k_of_n: <= criteria, k = n, invalid parameters, missing policies") {
  using planeval::comparator;
  // Class size <= 45 (floor 0.85: not met but above the floor up to 45/0.85 = 52.94) and
  // area >= 4.5.
  r::k_of_n rule({{comparator::le, 45, "班额"}, {comparator::ge, 4.5, "生均面积"}}, 1, 0.85);
  const auto r50 = rule.check(std::array<double, 2>{50, 5});
  CHECK(r50.passed); // 1 of 2 met, 50 <= 52.94
  CHECK(r50.above_floor(0));
  const auto r53 = rule.check(std::array<double, 2>{53, 5});
  CHECK(!r53.passed); // 53 > 52.94
  CHECK(r53.below_floor == std::vector<std::uint32_t>{0});

  // k = n: all required.
  r::k_of_n strict({{comparator::ge, 1, "a"}, {comparator::ge, 1, "b"}}, 2, 0.5);
  CHECK(!strict.check(std::array<double, 2>{1, 0.9}).passed);
  CHECK(strict.check(std::array<double, 2>{1, 1}).passed);

  CHECK_THROWS_AS(r::k_of_n({{comparator::eq, 1, "x"}}, 1), planeval::error);
  CHECK_THROWS_AS(r::k_of_n({{comparator::ge, 0, "x"}}, 1), planeval::error);
  CHECK_THROWS_AS(r::k_of_n({{comparator::ge, 1, "x"}}, 2), planeval::error);
  CHECK_THROWS_AS(r::k_of_n({{comparator::ge, 1, "x"}}, 1, 0.0), planeval::error);
  CHECK_THROWS_AS(r::k_of_n({{comparator::ge, 1, "x"}}, 1, 1.5), planeval::error);
  CHECK_THROWS_AS(rule.check(std::array<double, 2>{std::nan(""), 5}), planeval::error);

  // Missing policies on a unit with its class size missing.
  const std::array<double, 2> v{0, 5};
  const std::array<bool, 2> p{false, true};
  auto run = [&](missing_policy mp) {
    r::k_of_n k({{comparator::le, 45, "班额"}, {comparator::ge, 4.5, "生均面积"}}, 2, 0.85, mp);
    k(1, v, p);
    return k;
  };
  // Default: missing = not met and below the floor -> fails; value 0 of 1.
  CHECK(run(missing_policy::skip_if_all_missing).value() == 0);
  CHECK(!run(missing_policy::skip_if_any_missing).value());
  // never_skip: class size evaluated as 0 <= 45 -> met -> passes, still flagged missing.
  const auto ns = run(missing_policy::never_skip);
  CHECK(ns.value() == 1);
  CHECK(ns.results()[0].missing == std::vector<std::uint32_t>{0});
  // A unit with no data at all.
  r::k_of_n none({{comparator::ge, 1, "a"}}, 1);
  none.missing(7);
  CHECK(!none.value()); // skip_if_all_missing: nothing present
  CHECK(none.units() == 1);
  CHECK(none.results()[0].below_floor == std::vector<std::uint32_t>{0});
}

// ---------------------------------------------------------------------------------------------
TEST_CASE("year_over_year: 只增不减 and strictly increasing") {
  // 2019: 4 + 6 = 10 (two parts), 2020: 12, 2021: 12, 2022: 11, 2023 not observed, 2024: 15.
  auto feed = [](r::year_over_year y) {
    y(2019, 4);
    y(2020, 12);
    y(2019, 6);
    y(2022, 11);
    y(2021, 12);
    y(2024, 15);
    return y;
  };
  const auto nd = feed(r::year_over_year::non_decreasing());
  CHECK(nd.totals().front().total == 10);
  CHECK(nd.holds() == false);
  CHECK(nd.value() == 0);
  CHECK(nd.breaks() == std::vector<std::int32_t>{2022}); // 11 < 12
  CHECK(nd.gaps() == std::vector<std::int32_t>{2023});   // 2022 -> 2024 compared across the gap
  const auto si = feed(r::year_over_year::strictly_increasing());
  CHECK(si.breaks() == std::vector<std::int32_t>{2021, 2022}); // 12 <= 12, 11 <= 12
  CHECK(si.strict());

  r::year_over_year ok;
  for (auto [y, x] : {std::pair{2020, 10.0}, {2021, 12.0}, {2022, 12.0}, {2023, 14.0}}) ok(y, x);
  CHECK(ok.holds() == true);
  CHECK(ok.value() == 1);
  r::year_over_year ok_strict(true);
  for (auto [y, x] : {std::pair{2020, 10.0}, {2021, 12.0}, {2022, 12.0}, {2023, 14.0}}) ok_strict(y, x);
  CHECK(ok_strict.holds() == false);
  CHECK(ok_strict.breaks() == std::vector<std::int32_t>{2022});

  r::year_over_year single;
  single(2020, 1);
  single(2020, 2);
  CHECK(!single.holds()); // one year
  CHECK(!single.value());
}

TEST_CASE("year_over_year with missing values") {
  // 2021: 10, 2022: 11, 2023 missing, 2024: 15.
  auto feed = [](r::year_over_year y) {
    y(2021, 10);
    y(2022, 11);
    y.missing(2023);
    y(2024, 15);
    return y;
  };
  const auto all = feed(r::year_over_year{});
  CHECK(all.holds() == true); // 2023 ignored: a gap
  CHECK(all.gaps() == std::vector<std::int32_t>{2023});
  CHECK(all.missing_count() == 1);
  CHECK(!feed(r::year_over_year(false, missing_policy::skip_if_any_missing)).holds());
  // never_skip: 2023 is observed as 0 -> 0 < 11 breaks at 2023.
  const auto ns = feed(r::year_over_year(false, missing_policy::never_skip));
  CHECK(ns.breaks() == std::vector<std::int32_t>{2023});
  CHECK(ns.gaps().empty());
  // Only missing values.
  r::year_over_year a, b(false, missing_policy::never_skip);
  for (auto* y : {&a, &b}) {
    y->missing(2020);
    y->missing(2021);
  }
  CHECK(!a.holds());
  CHECK(b.holds() == true); // 0, 0: non-decreasing
}

// ---------------------------------------------------------------------------------------------
TEST_CASE("structure_shares: 3:4:3 within 2 percentage points") {
  // 高级 30 + 2 = 32, 中级 39, 初级 29: total 100, shares 32/39/29 %, target 30/40/30 %;
  // deviations 2, 1, 1 -> largest 2 pp: holds with tolerance 2, not with 1.5.
  r::structure_shares s({3, 4, 3}, 2);
  s(0, 30);
  s(1, 39);
  s(2, 29);
  s(0, 2);
  CHECK(s.target() == std::vector<double>{30, 40, 30});
  CHECK(s.total() == 100);
  const auto sh = *s.shares();
  CHECK(close(sh[0], 32));
  CHECK(close(sh[1], 39));
  CHECK(close(sh[2], 29));
  CHECK(close(*s.value(), 2));
  CHECK(s.holds() == true);
  r::structure_shares tight({30, 40, 30}, 1.5);
  tight(0, 32);
  tight(1, 39);
  tight(2, 29);
  CHECK(tight.holds() == false);

  // 62, 80, 58 of 200: 31, 40, 29 % -> largest deviation 1 pp.
  r::structure_shares t({3, 4, 3}, 1);
  t(0, 62);
  t(1, 80);
  t(2, 58);
  CHECK(close(*t.value(), 1));
  CHECK(t.holds() == true);

  CHECK_THROWS_AS(s(3, 1), planeval::error);
  CHECK_THROWS_AS(s(0, -1), planeval::error);
  CHECK_THROWS_AS(r::structure_shares({0, 0}, 1), planeval::error);
  CHECK_THROWS_AS(r::structure_shares({1, -1, 3}, 1), planeval::error);
  CHECK_THROWS_AS(r::structure_shares({1, 1}, -1), planeval::error);

  // No data, zero total, missing policies.
  r::structure_shares empty({1, 1}, 0);
  CHECK(!empty.value());
  CHECK(!empty.shares());
  empty(0, 0);
  CHECK(!empty.holds()); // total 0
  auto feed = [](r::structure_shares x) {
    x(0, 50);
    x(1, 50);
    x.missing(1);
    return x;
  };
  CHECK(feed(r::structure_shares({1, 1}, 0)).value() == 0);
  CHECK(!feed(r::structure_shares({1, 1}, 0, missing_policy::skip_if_any_missing)).value());
  CHECK(feed(r::structure_shares({1, 1}, 0, missing_policy::never_skip)).value() == 0); // a missing 0 adds nothing
  r::structure_shares only({1, 1}, 0, missing_policy::never_skip);
  only.missing(0);
  CHECK(!only.value()); // total 0
}

// ---------------------------------------------------------------------------------------------
TEST_CASE("median and percentile match numpy's default (Hyndman-Fan type 7)") {
  // numpy.percentile([1, 2, 3, 4], 50) = 2.5 and q = 0.25 gives 1 + 0.75·(2 − 1) = 1.75
  // (h = (n − 1)q = 0.75). The examples of numpy's documentation
  // (https://numpy.org/doc/stable/reference/generated/numpy.percentile.html), a = [[10, 7, 4], [3, 2, 1]]:
  // np.percentile(a, 50) = 3.5 (sorted 1 2 3 4 7 10, h = 2.5: 3 + 0.5·(4 − 3)); along axis 0
  // [6.5, 4.5, 2.5] (the medians of {10, 3}, {7, 2}, {4, 1}); along axis 1 [7, 2].
  auto p = [](double q, std::initializer_list<double> xs) {
    r::percentile rule(q);
    for (double x : xs) rule(x);
    return rule.value();
  };
  CHECK(p(0.5, {1, 2, 3, 4}) == 2.5);
  CHECK(p(0.25, {4, 3, 2, 1}) == 1.75);
  CHECK(p(0.5, {10, 7, 4, 3, 2, 1}) == 3.5);
  CHECK(p(0.5, {10, 3}) == 6.5);
  CHECK(p(0.5, {7, 2}) == 4.5);
  CHECK(p(0.5, {4, 1}) == 2.5);
  CHECK(p(0.5, {10, 7, 4}) == 7);
  CHECK(p(0.5, {3, 2, 1}) == 2);
  CHECK(p(0.0, {3, 1, 2}) == 1);
  CHECK(p(1.0, {3, 1, 2}) == 3);
  CHECK(p(0.75, {7}) == 7);
  // q = 0.9 of 1..10: h = 8.1, 9 + 0.1·(10 − 9) = 9.1 (numpy: 9.1)
  CHECK(close(*p(0.9, {10, 9, 8, 7, 6, 5, 4, 3, 2, 1}), 9.1));

  r::median m;
  for (double x : {5.0, 1.0, 3.0}) m(x);
  CHECK(m.value() == 3);
  m(4);
  CHECK(m.value() == 3.5); // 1 3 4 5: (3 + 4)/2
  CHECK(m.values().size() == 4);
  CHECK(!r::median{}.value());

  CHECK_THROWS_AS(r::percentile(25), planeval::error); // q is a fraction
  CHECK_THROWS_AS(r::percentile(-0.1), planeval::error);
  CHECK_THROWS_AS(r::percentile(std::nan("")), planeval::error);

  // Missing: never_skip stores a 0.
  auto feed = [](auto rule) {
    for (double x : {5.0, 1.0, 3.0}) rule(x);
    rule.missing();
    return rule;
  };
  CHECK(feed(r::median{}).value() == 3);
  CHECK(!feed(r::median(missing_policy::skip_if_any_missing)).value());
  CHECK(feed(r::median(missing_policy::never_skip)).value() == 2); // 0 1 3 5: (1 + 3)/2
  CHECK(feed(r::percentile(0, missing_policy::never_skip)).value() == 0);
  r::median only(missing_policy::skip_if_all_missing);
  only.missing();
  CHECK(!only.value());

  // Not mergeable, but serializable.
  CHECK(planeval::from_bytes<r::median>(planeval::to_bytes(m)) == m);
  CHECK(planeval::from_bytes<r::percentile>(planeval::to_bytes(r::percentile(0.3))).q() == 0.3);
}

// ---------------------------------------------------------------------------------------------
TEST_CASE("merge laws: sum, count, mean, min, max, first, last") {
  std::mt19937_64 rng(20260101);
  for_each_policy([&](missing_policy p, double ms) {
    const auto data = make_data(rng, 500, {.kmax = 20, .missing_share = ms});
    auto plain = [](auto& rule, const obs& o) {
      if (o.missing)
        rule.missing();
      else
        rule(o.x);
    };
    auto dated = [](auto& rule, const obs& o) {
      if (o.missing)
        rule.missing(o.key);
      else
        rule(o.x, o.key);
    };
    check_laws(r::sum(p), data, plain, rng, false);
    check_laws(r::count(p), data, plain, rng, true);
    check_laws(r::mean(p), data, plain, rng, false);
    check_laws(r::min(p), data, plain, rng, true);
    check_laws(r::max(p), data, plain, rng, true);
    check_laws(r::first(p), data, dated, rng, true);
    check_laws(r::last(p), data, dated, rng, true);
  });
}

TEST_CASE("merge laws: weighted_mean, ratio_of_sums, mean_of_ratios") {
  std::mt19937_64 rng(7);
  for_each_policy([&](missing_policy p, double ms) {
    const auto data = make_data(rng, 500, {.missing_share = ms, .zero_w_share = 0.05});
    auto weighted = [](auto& rule, const obs& o) {
      if (o.missing)
        rule.missing(o.w);
      else
        rule(o.x, o.w);
    };
    check_laws(r::weighted_mean(p), data, weighted, rng, false);
    check_laws(r::ratio_of_sums(100, p), data, weighted, rng, false);
    check_laws(r::mean_of_ratios(100, p), data, weighted, rng, false, [](const auto& a, const auto& b) {
      CHECK(a.skipped_zero_denominator() == b.skipped_zero_denominator());
      CHECK(a.units() == b.units());
    });
  });
}

TEST_CASE("merge laws: variance, stddev, cv") {
  std::mt19937_64 rng(11);
  for_each_policy([&](missing_policy p, double ms) {
    const auto data = make_data(rng, 500, {.missing_share = ms, .zero_w_share = 0.05});
    auto weighted = [](auto& rule, const obs& o) {
      if (o.missing)
        rule.missing(o.w);
      else
        rule(o.x, o.w);
    };
    // Unweighted observations, with the weight used as a switch between the two overloads.
    auto mixed = [](auto& rule, const obs& o) {
      if (o.missing)
        o.w < 5 ? rule.missing() : rule.missing(o.w);
      else
        o.w < 5 ? rule(o.x) : rule(o.x, o.w);
    };
    auto extra = [](const auto& a, const auto& b) {
      CHECK(close(a.mean(), b.mean()));
      CHECK(close(a.sum_of_weights(), b.sum_of_weights()));
    };
    check_laws(r::variance::population(p), data, weighted, rng, false, extra);
    check_laws(r::variance::sample(p), data, mixed, rng, false, extra);
    check_laws(r::stddev::sample(p), data, weighted, rng, false, extra);
    check_laws(r::stddev::population(p), data, mixed, rng, false, extra);
    check_laws(r::cv::weighted(p), data, weighted, rng, false);
    check_laws(r::cv::unweighted(r::ddof::sample, p), data, weighted, rng, false);
  });
}

TEST_CASE("merge laws: share_meeting, count_meeting, structure_shares, year_over_year") {
  using planeval::comparator;
  std::mt19937_64 rng(13);
  for_each_policy([&](missing_policy p, double ms) {
    const auto data = make_data(rng, 500, {.kmax = 2, .missing_share = ms, .integral = true});
    auto plain = [](auto& rule, const obs& o) {
      if (o.missing)
        rule.missing();
      else
        rule(o.x);
    };
    check_laws(r::share_meeting(comparator::ge, 50, p), data, plain, rng, true);
    check_laws(r::count_meeting(comparator::lt, 20, p), data, plain, rng, true);
    check_laws(r::share_meeting(comparator::eq, 42, p), data, plain, rng, true);

    auto by_key = [](auto& rule, const obs& o) {
      if (o.missing)
        rule.missing(o.key);
      else
        rule(o.key, o.x);
    };
    const auto cats = make_data(rng, 500, {.kmax = 2, .missing_share = ms});
    check_laws(r::structure_shares({3, 4, 3}, 2, p), cats, by_key, rng, false, [](const auto& a, const auto& b) {
      CHECK(close(a.total(), b.total()));
      CHECK(a.holds() == b.holds());
    });

    // Years 2010..2025 with 2017 never observed; integral amounts so the yearly totals are exact.
    auto years = make_data(rng, 400, {.kmax = 15, .missing_share = ms, .integral = true});
    for (auto& o : years) {
      o.key += 2010;
      if (o.key == 2017) o.key = 2016;
    }
    auto yearly = [](auto& rule, const obs& o) {
      if (o.missing)
        rule.missing(static_cast<std::int32_t>(o.key));
      else
        rule(static_cast<std::int32_t>(o.key), o.x);
    };
    auto yoy_extra = [](const r::year_over_year& a, const r::year_over_year& b) {
      CHECK(a.breaks() == b.breaks());
      CHECK(a.gaps() == b.gaps());
      CHECK(a.holds() == b.holds());
    };
    check_laws(r::year_over_year(false, p), years, yearly, rng, true, yoy_extra);
    check_laws(r::year_over_year(true, p), years, yearly, rng, true, yoy_extra);
  });
}

TEST_CASE("merge laws: k_of_n") {
  std::mt19937_64 rng(17);
  const auto criteria = primary_school_criteria();
  for_each_policy([&](missing_policy p, double ms) {
    std::vector<std::uint32_t> ids(300);
    for (std::uint32_t i = 0; i < ids.size(); ++i) ids[i] = 3 * i + 1;
    std::shuffle(ids.begin(), ids.end(), rng);
    std::uniform_real_distribution<double> level(0.75, 1.3), u(0, 1);
    std::vector<unit_obs> units;
    for (std::uint32_t id : ids) {
      unit_obs o;
      o.id = id;
      for (std::size_t i = 0; i < 7; ++i) {
        o.values[i] = criteria[i].threshold * level(rng);
        o.present[i] = u(rng) >= ms / 7;
      }
      units.push_back(o);
    }
    auto feed = [](r::k_of_n& rule, const unit_obs& o) { rule(o.id, o.values, o.present); };
    check_laws(r::k_of_n(criteria, 6, 0.85, p), units, feed, rng, true, [](const r::k_of_n& a, const r::k_of_n& b) {
      CHECK(a.results() == b.results());
      CHECK(a.passed() == b.passed());
    });
  });
}

// ---------------------------------------------------------------------------------------------
TEST_CASE("merging states with different parameters throws and changes nothing") {
  using planeval::comparator;
  auto mismatch = [](auto a, const auto& b, const char* what) {
    const auto before = a;
    CHECK_THROWS_WITH_AS(a += b, doctest::Contains(what), planeval::error);
    CHECK(a == before);
  };
  // States with one observation each (an empty default-constructed state would be the identity).
  auto seen = [](auto rule, auto... args) {
    rule(args...);
    return rule;
  };
  const auto never = missing_policy::never_skip;
  mismatch(seen(r::sum{}, 1.0), seen(r::sum(never), 2.0),
           "cannot merge sum with different missing policy (skip_if_all_missing vs never_skip)");
  mismatch(seen(r::variance::population(), 1.0), seen(r::variance::sample(), 2.0),
           "cannot merge variance with different ddof (population vs sample)");
  mismatch(seen(r::stddev::population(), 1.0), seen(r::stddev::sample(), 2.0), "different ddof");
  mismatch(seen(r::cv::weighted(), 1.0, 2.0), seen(r::cv::unweighted(), 1.0, 2.0),
           "cannot merge cv with different weighting (weighted vs unweighted)");
  mismatch(seen(r::cv::unweighted(), 1.0), seen(r::cv::unweighted(r::ddof::sample), 1.0),
           "cannot merge cv with different ddof");
  mismatch(seen(r::ratio_of_sums(100), 1.0, 2.0), seen(r::ratio_of_sums(1), 1.0, 2.0),
           "cannot merge ratio_of_sums with different factor (100 vs 1)");
  mismatch(seen(r::mean_of_ratios(100), 1.0, 2.0), seen(r::mean_of_ratios{}, 1.0, 2.0), "different factor");
  mismatch(r::share_meeting(comparator::ge, 1), r::share_meeting(comparator::gt, 1), "different comparator (>= vs >)");
  mismatch(r::count_meeting(comparator::ge, 1), r::count_meeting(comparator::ge, 2), "different threshold");
  mismatch(r::k_of_n(primary_school_criteria(), 6), r::k_of_n(primary_school_criteria(), 5), "different k");
  mismatch(r::k_of_n(primary_school_criteria(), 6), r::k_of_n(primary_school_criteria(), 6, 0.9), "different floor");
  auto other = primary_school_criteria();
  other[5].threshold = 2500; // the 初中 standard
  mismatch(r::k_of_n(primary_school_criteria(), 6), r::k_of_n(other, 6), "different criteria");
  mismatch(r::k_of_n(primary_school_criteria(), 6), r::k_of_n(primary_school_criteria(), 6, 0.85, never),
           "different missing policy");
  mismatch(seen(r::year_over_year(false), 2020, 1.0), seen(r::year_over_year(true), 2020, 1.0), "different strictness");
  mismatch(r::structure_shares({3, 4, 3}, 2), r::structure_shares({3, 4, 2}, 2), "different target shares");
  mismatch(r::structure_shares({3, 4, 3}, 2), r::structure_shares({30, 40, 30}, 1), "different tolerance");
  mismatch(seen(r::first(never), 1.0, std::int64_t{1}), seen(r::first{}, 1.0, std::int64_t{1}),
           "different missing policy");
  mismatch(seen(r::weighted_mean{}, 1.0, 1.0), seen(r::weighted_mean(missing_policy::skip_if_any_missing), 1.0, 1.0),
           "different missing policy");
  // Empty states built with explicit, different parameters refuse to merge too.
  mismatch(r::ratio_of_sums(100), r::ratio_of_sums(2), "different factor");

  // Same shares written differently are the same parameters.
  r::structure_shares a({3, 4, 3}, 2), b({30, 40, 30}, 2);
  CHECK_NOTHROW(a += b);
  // The default-constructed state is the identity for any parameters, on either side.
  const auto x = seen(r::ratio_of_sums(100), 1.0, 4.0);
  r::ratio_of_sums id;
  id += x;
  CHECK(id == x);
  CHECK(id.value() == 25);
  auto y = x;
  y += r::ratio_of_sums{};
  CHECK(y == x);
}

// ---------------------------------------------------------------------------------------------
namespace {
struct everything {
  static constexpr unsigned serialization_version = 2;
  bool b = true;
  std::int8_t i8 = -5;
  std::uint16_t u16 = 65000;
  std::int32_t i32 = -123456;
  std::uint64_t u64 = 0xfedcba9876543210ULL;
  float f = 1.5f;
  double d = -0.1;
  double neg_zero = -0.0;
  missing_policy e = missing_policy::never_skip;
  std::string s = "高级:中级:初级";
  std::vector<double> v{1, 2.5, -3};
  std::vector<bool> vb{true, false, true};
  std::vector<std::string> vs{"a", "", "ccc"};
  std::optional<double> some = 4.25;
  std::optional<std::string> none;
  std::vector<std::optional<std::int32_t>> vo{1, std::nullopt, 3};
  std::vector<r::criterion> nested{{planeval::comparator::le, 45, "班额"}};
  unsigned seen_version = 99;

  template <class Archive>
  void serialize(Archive& ar, unsigned version) {
    seen_version = version;
    ar(b, i8, u16, i32, u64, f, d, neg_zero, e, s, v, vb, vs, some, none, vo, nested);
  }
  friend bool operator==(const everything& x, const everything& y) {
    return x.b == y.b && x.i8 == y.i8 && x.u16 == y.u16 && x.i32 == y.i32 && x.u64 == y.u64 && x.f == y.f &&
           x.d == y.d && std::signbit(x.neg_zero) == std::signbit(y.neg_zero) && x.e == y.e && x.s == y.s &&
           x.v == y.v && x.vb == y.vb && x.vs == y.vs && x.some == y.some && x.none == y.none && x.vo == y.vo &&
           x.nested == y.nested;
  }
};
} // namespace

TEST_CASE("binary archive round trip and bounds") {
  using planeval::detail::binary_iarchive;
  using planeval::detail::binary_oarchive;
  std::string bytes;
  const everything x;
  binary_oarchive{bytes}(x);
  everything y;
  y.b = false;
  y.s.clear();
  y.v.clear();
  y.some.reset();
  y.none = "x";
  y.vo.clear();
  y.nested.clear();
  binary_iarchive in(bytes);
  in(y);
  CHECK(in.at_end());
  CHECK(y == x);
  CHECK(y.seen_version == 2);

  // Doubles keep their exact bits.
  const double odd = std::nextafter(0.1, 1.0);
  std::string db;
  binary_oarchive{db}(odd);
  CHECK(db.size() == 8);
  double back = 0;
  binary_iarchive{db}(back);
  CHECK(std::bit_cast<std::uint64_t>(back) == std::bit_cast<std::uint64_t>(odd));

  // Every truncation throws.
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    everything z;
    CHECK_THROWS_AS(binary_iarchive(std::string_view(bytes).substr(0, n))(z), planeval::error);
  }
  // A bool that is neither 0 nor 1.
  std::string bad_bool("\x02");
  bool flag = false;
  CHECK_THROWS_WITH_AS(binary_iarchive{bad_bool}(flag), doctest::Contains("bool"), planeval::error);
  // A huge length is rejected before anything is allocated.
  std::string huge;
  binary_oarchive{huge}(std::uint64_t{1} << 60);
  huge += "abc";
  std::vector<double> vd;
  std::string str;
  CHECK_THROWS_WITH_AS(binary_iarchive{huge}(vd), doctest::Contains("exceeds"), planeval::error);
  CHECK_THROWS_WITH_AS(binary_iarchive{huge}(str), doctest::Contains("exceeds"), planeval::error);
  // A class version newer than this build.
  std::string newer;
  binary_oarchive{newer}(std::uint32_t{3});
  everything v3;
  CHECK_THROWS_WITH_AS(binary_iarchive{newer}(v3), doctest::Contains("version 3"), planeval::error);
}

TEST_CASE("to_bytes / from_bytes: header, wrong rule, corruption") {
  r::sum s;
  s(1.5);
  s(2);
  const std::string b = planeval::to_bytes(s);
  CHECK(b.substr(0, 3) == "pvr");
  CHECK(b[3] == 1); // format version 1 (uint32, little-endian)
  CHECK(b.find("sum") != std::string::npos);
  CHECK(planeval::from_bytes<r::sum>(b) == s);

  // Another rule's bytes: the error names both.
  CHECK_THROWS_WITH_AS(planeval::from_bytes<r::mean>(b), doctest::Contains("\"sum\" state, not \"mean\""),
                       planeval::error);
  CHECK_THROWS_WITH_AS(planeval::from_bytes<r::sum>("nope, not a state at all"), doctest::Contains("magic"),
                       planeval::error);
  CHECK_THROWS_WITH_AS(planeval::from_bytes<r::sum>(""), doctest::Contains("truncated"), planeval::error);
  std::string v2 = b;
  v2[3] = 2;
  fix_checksum(v2);
  CHECK_THROWS_WITH_AS(planeval::from_bytes<r::sum>(v2), doctest::Contains("format version 2"), planeval::error);
  std::string flipped = b;
  flipped[b.size() - 9] ^= 1;
  CHECK_THROWS_WITH_AS(planeval::from_bytes<r::sum>(flipped), doctest::Contains("checksum"), planeval::error);
  std::string trailing = b.substr(0, b.size() - 8) + "x" + b.substr(b.size() - 8);
  fix_checksum(trailing);
  CHECK_THROWS_WITH_AS(planeval::from_bytes<r::sum>(trailing), doctest::Contains("trailing"), planeval::error);

  // A parameter that the constructor would reject, smuggled in with a valid checksum.
  std::string bad_q = planeval::to_bytes(r::percentile(0.5));
  const double q = 7;
  const auto at = bad_q.find(std::string_view("percentile")) + 10 + 4; // after the name and the class version
  std::memcpy(bad_q.data() + at, &q, 8);
  fix_checksum(bad_q);
  CHECK_THROWS_WITH_AS(planeval::from_bytes<r::percentile>(bad_q), doctest::Contains("q must be in [0, 1]"),
                       planeval::error);
}

TEST_CASE("from_bytes rejects truncated and corrupt bytes of every rule") {
  using planeval::comparator;
  std::mt19937_64 rng(23);
  r::sum s(missing_policy::never_skip);
  s(1);
  s.missing();
  check_corruption(s, rng);
  r::last l;
  l(3, date(2021, 5, 1));
  check_corruption(l, rng);
  auto v = r::variance::sample();
  v(1, 2);
  v(4, 1);
  check_corruption(v, rng);
  r::cv c;
  c(4, 100);
  c(5, 200);
  check_corruption(c, rng);
  r::share_meeting sm(comparator::ge, 85);
  sm(90);
  check_corruption(sm, rng);
  r::ratio_of_sums rs(100);
  rs(1, 2);
  check_corruption(rs, rng);
  r::k_of_n k(primary_school_criteria(), 6);
  k(1, std::array<double, 7>{5.0, 1.2, 1.0, 4.05, 8.0, 2500, 2.5});
  k(2, std::array<double, 7>{5.0, 1.2, 1.0, 3.6, 8.0, 2500, 2.5});
  check_corruption(k, rng);
  r::year_over_year y;
  y(2020, 1);
  y(2022, 3);
  check_corruption(y, rng);
  r::structure_shares sh({3, 4, 3}, 2);
  sh(0, 1);
  check_corruption(sh, rng);
  r::median m;
  m(1);
  m(2);
  check_corruption(m, rng);
}

TEST_CASE("k_of_n::passes agrees with check().passed") {
  using namespace planeval;
  const rules::k_of_n rule({{comparator::ge, 4.2, "a"}, {comparator::ge, 1.0, "b"}, {comparator::le, 2.0, "c"}}, 2,
                           0.85);
  std::mt19937_64 rng(11);
  std::uniform_real_distribution<double> u(0, 6);
  std::bernoulli_distribution here(0.9);
  for (int n = 0; n < 2000; ++n) {
    const double v[3] = {u(rng), u(rng) / 3, u(rng) / 2};
    const bool pr[3] = {here(rng), here(rng), here(rng)};
    CHECK(rule.passes(v, pr) == rule.check(v, pr).passed);
  }
}

TEST_CASE("sums do not overflow where the result is representable") {
  // mean of 1e308 and 1e308 is 1e308 (Σ = 2e308 does not fit a double, the mean does)
  planeval::rules::mean m;
  m(1e308);
  m(1e308);
  CHECK(m.value().value() == doctest::Approx(1e308));
  planeval::rules::sum s; // a sum that does not fit is inf, as it should be
  s(1e308);
  s(1e308);
  CHECK(std::isinf(s.value().value()));
  // merged partial states agree: (1e308) += (1e308, 1e308) → mean 1e308
  planeval::rules::mean a, b;
  a(1e308);
  b(1e308);
  b(1e308);
  a += b;
  CHECK(a.value().value() == doctest::Approx(1e308));
  // weighted mean with huge weights: (1e300 · 1e10 + 1e300 · 2e10) / 2e300 = 1.5e10, not NaN
  planeval::rules::weighted_mean w;
  w(1e10, 1e300);
  w(2e10, 1e300);
  CHECK(w.value().value() == doctest::Approx(1.5e10));
  // weights whose sum overflows: (1·1e308 + 2·1e308) / 2e308 = 1.5
  planeval::rules::weighted_mean w2;
  w2(1, 1e308);
  w2(2, 1e308);
  CHECK(w2.value().value() == doctest::Approx(1.5));
  // ratio of sums: 100 × (1e308 + 1e308) / (2e308 + 2e308) = 50
  planeval::rules::ratio_of_sums r(100);
  r(1e308, 1.5e308);
  r(1e308, 1.5e308);
  CHECK(r.value().value() == doctest::Approx(100.0 * 2 / 3));
  // the scaled states round-trip through bytes
  const auto bytes = planeval::to_bytes(w);
  CHECK(planeval::from_bytes<planeval::rules::weighted_mean>(bytes) == w);
  CHECK(planeval::from_bytes<planeval::rules::mean>(planeval::to_bytes(a)).value().value() == doctest::Approx(1e308));
}

// --- the rule registry (rules/kind.hpp) ------------------------------------------------------------

TEST_CASE("registry: every kind's name round-trips and every row is in kind order") {
  std::size_t n = 0;
  for (const auto& row : r::rule_table) {
    CAPTURE(row.name);
    CHECK(static_cast<std::size_t>(row.kind) == n++);
    CHECK(r::to_string(row.kind) == row.name);
    REQUIRE(r::parse_rule_kind(row.name).has_value());
    CHECK(*r::parse_rule_kind(row.name) == row.kind);
    // any letter case: "weighted_mean", "WEIGHTED_MEAN", "Weighted_mean"
    std::string upper(row.name), mixed(row.name);
    for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    mixed[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(mixed[0])));
    CHECK(r::parse_rule_kind(upper) == row.kind);
    CHECK(r::parse_rule_kind(mixed) == row.kind);
  }
  CHECK(n == static_cast<std::size_t>(r::rule_kind::indicator));
  CHECK(r::to_string(r::rule_kind::indicator) == "indicator");
  CHECK_FALSE(r::parse_rule_kind("indicator").has_value()); // not a rule
}

TEST_CASE("registry: DHIS2 aggregation types parse in upper, lower and mixed case") {
  // DHIS2's AggregationType (org.hisp.dhis.analytics.AggregationType) with a planeval rule; the
  // compound <time>_<org unit>_ORG_UNIT types map to their rule across org units
  const std::pair<const char*, r::rule_kind> expected[] = {
      {"SUM", r::rule_kind::sum},
      {"AVERAGE", r::rule_kind::mean},
      {"AVERAGE_SUM_ORG_UNIT", r::rule_kind::sum},
      {"LAST", r::rule_kind::last},
      {"LAST_AVERAGE_ORG_UNIT", r::rule_kind::mean},
      {"LAST_LAST_ORG_UNIT", r::rule_kind::last},
      {"LAST_IN_PERIOD", r::rule_kind::last},
      {"LAST_IN_PERIOD_AVERAGE_ORG_UNIT", r::rule_kind::mean},
      {"FIRST", r::rule_kind::first},
      {"FIRST_AVERAGE_ORG_UNIT", r::rule_kind::mean},
      {"FIRST_FIRST_ORG_UNIT", r::rule_kind::first},
      {"COUNT", r::rule_kind::count},
      {"STDDEV", r::rule_kind::stddev},
      {"VARIANCE", r::rule_kind::variance},
      {"MIN", r::rule_kind::min},
      {"MAX", r::rule_kind::max},
      {"MIN_SUM_ORG_UNIT", r::rule_kind::sum},
      {"MAX_SUM_ORG_UNIT", r::rule_kind::sum},
  };
  CHECK(std::size(expected) == r::rule_aliases.size());
  for (const auto& [alias, kind] : r::rule_aliases) {
    const std::string upper(alias);
    std::string lower(upper), mixed(upper);
    for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    for (std::size_t i = 1; i < mixed.size(); i += 2)
      mixed[i] = static_cast<char>(std::tolower(static_cast<unsigned char>(mixed[i])));
    CAPTURE(upper);
    CAPTURE(mixed);
    const auto want = std::find_if(std::begin(expected), std::end(expected),
                                   [&](const auto& e) { return upper == e.first; });
    REQUIRE(want != std::end(expected));
    CHECK(kind == want->second);
    CHECK(r::parse_rule_kind(upper) == kind);
    CHECK(r::parse_rule_kind(lower) == kind);
    CHECK(r::parse_rule_kind(mixed) == kind);
  }
  // DHIS2 types without a planeval rule are unknown
  CHECK_FALSE(r::parse_rule_kind("NONE").has_value());
  CHECK_FALSE(r::parse_rule_kind("CUSTOM").has_value());
  CHECK_FALSE(r::parse_rule_kind("DEFAULT").has_value());
}

TEST_CASE("registry: visit reaches every kind with the rule's type") {
  for (const auto& row : r::rule_table) {
    CAPTURE(row.name);
    r::rule_params p;
    p.missing = missing_policy::never_skip;
    // the rule's own name (cv_unweighted is a cv), and the policy passed through
    const auto [name, policy] = r::visit(row.kind, p, [](const auto& rule) {
      return std::pair{std::string(std::decay_t<decltype(rule)>::name), rule.policy()};
    });
    CHECK(name == (row.kind == r::rule_kind::cv_unweighted ? std::string("cv") : std::string(row.name)));
    // structure_shares and k_of_n without target / criteria are the empty identity (default policy)
    const bool identity = row.kind == r::rule_kind::structure_shares || row.kind == r::rule_kind::k_of_n;
    CHECK(policy == (identity ? missing_policy::skip_if_all_missing : missing_policy::never_skip));
    // visit_kind gives the kind at compile time, whose rule_type is what visit built
    CHECK(r::visit_kind(row.kind, [&](auto k) {
      return std::string(r::rule_type<decltype(k)::value>::name) == name && decltype(k)::value == row.kind;
    }));
  }
  // parameters reach the rule: percentile q = 0.25 of 1, 2, 3, 4 is 1.75 (type 7: 1 + 0.25·3)
  r::rule_params p;
  p.q = 0.25;
  CHECK(r::visit(r::rule_kind::percentile, p, [](auto rule) -> double {
          if constexpr (std::is_same_v<decltype(rule), r::percentile>) {
            for (double x : {1.0, 2.0, 3.0, 4.0}) rule(x);
            return rule.value().value();
          } else {
            return -1;
          }
        }) == doctest::Approx(1.75));
  // cv_unweighted ignores weights: values 1 and 3 → mean 2, population S 1, CV 0.5
  CHECK(r::visit(r::rule_kind::cv_unweighted, {}, [](auto rule) -> double {
          if constexpr (std::is_same_v<decltype(rule), r::cv>) {
            rule(1.0, 100.0);
            rule(3.0, 1.0);
            return rule.value().value();
          } else {
            return -1;
          }
        }) == doctest::Approx(0.5));
  CHECK_THROWS_AS(r::visit(r::rule_kind::indicator, {}, [](const auto&) { return 0; }), planeval::error);
}

TEST_CASE("registry: an unknown name's error lists the names") {
  try {
    (void)r::rule_kind_from("avg", "aggregate");
    FAIL("no error");
  } catch (const planeval::error& e) {
    const std::string m = e.what();
    CHECK(m.rfind("aggregate: unknown rule \"avg\"; expected one of sum, count, mean, min, max, first, last, "
                  "weighted_mean, ratio_of_sums, mean_of_ratios, variance, stddev, cv, cv_unweighted, share_meeting, "
                  "count_meeting, year_over_year, structure_shares, median, percentile or k_of_n (",
                  0) == 0);
    for (const auto& row : r::rule_table) CHECK(m.find(std::string(row.name)) != std::string::npos);
    CHECK(m.find("AVERAGE") != std::string::npos);
  }
}

TEST_CASE("missing policies: one parser for planeval's and DHIS2's names in any case") {
  const std::pair<const char*, missing_policy> names[] = {
      {"skip_if_any_missing", missing_policy::skip_if_any_missing},
      {"SKIP_IF_ANY_VALUE_MISSING", missing_policy::skip_if_any_missing},
      {"skip_if_any_value_missing", missing_policy::skip_if_any_missing},
      {"Skip_If_All_Missing", missing_policy::skip_if_all_missing},
      {"SKIP_IF_ALL_VALUES_MISSING", missing_policy::skip_if_all_missing},
      {"never_skip", missing_policy::never_skip},
      {"NEVER_SKIP", missing_policy::never_skip},
      {"Never_Skip", missing_policy::never_skip},
  };
  for (const auto& [name, policy] : names) {
    CAPTURE(name);
    CHECK(planeval::parse_missing_policy(name) == policy);
    CHECK(r::parse_missing_policy(name) == policy); // the rules' spelling
    CHECK(planeval::missing_policy_from(name, "missing") == policy);
  }
  CHECK_FALSE(planeval::parse_missing_policy("skip").has_value());
  CHECK_FALSE(planeval::parse_missing_policy("").has_value());
  try {
    (void)planeval::missing_policy_from("sometimes", "rollup: missing");
    FAIL("no error");
  } catch (const planeval::error& e) {
    CHECK(std::string(e.what()) ==
          "rollup: missing: expected one of \"skip_if_any_missing\", \"skip_if_all_missing\" or \"never_skip\", got "
          "\"sometimes\" (or DHIS2's \"SKIP_IF_ANY_VALUE_MISSING\", \"SKIP_IF_ALL_VALUES_MISSING\" or "
          "\"NEVER_SKIP\", in any letter case)");
  }
}
