// Copyright (c) 2026 planeval developers. Distributed under the MIT License.
#pragma once
/// \file composite/analysis.hpp
/// Analysis tools for composite indices, reproducing COINr 1.1.14 (the JRC's toolkit):
/// effective weights (get_eff_weights), Cronbach's alpha (get_cronbach), the indicator statistics
/// table (get_stats), correlations with pairwise complete observations (stats::cor, get_corr) and
/// Pearson p-values (get_pvals, i.e. cor.test), the outranking matrix and Copeland scores
/// (outrankMatrix, a_copeland), and strengths and weaknesses per unit (get_str_weak).
///
/// Matrices are composite_data: units x columns, row-major, NaN missing (never zero). Header-only:
/// plain loops over columns, buffers allocated per call, never per element.
///
/// COINr's conventions kept (so results agree with COINr to the last bits or near them):
/// - effective weights: each weight divided by the sum of its siblings' weights (every child of
///   the same parent, indicators and nodes alike), then multiplied by the parent's effective weight,
///   from the root down (the root's is 1). A sibling group whose weights sum to 0 gives NaN.
/// - Cronbach's alpha: k columns, C their covariance matrix from pairwise complete observations
///   (a pair with fewer than 2 common values contributes nothing); alpha = k^2 s / S with S the sum
///   of all elements of C and s the mean of its off-diagonal elements, (S - trace)/(k(k-1)).
/// - statistics: the sample sd (n - 1; `sd_kind::population` on request), G1 skewness (needs 3
///   values) and G2 excess kurtosis (needs 4), e1071 type 2 as COINr's skew()/kurt() and
///   composite.hpp's sample_skew_kurtosis; the share of non-zeros, unique values and the most
///   frequent value are of the values present; COINr's flags: availability share < t_avail,
///   non-zeros / *all* units < t_zero, unique values / *all* units < t_unq (both as COINr divides),
///   and the outlier flag |skew| > t_skew and kurtosis > t_kurt (strict, unlike Treat's >=; NaN
///   statistics leave the outlier flag unknown).
/// - correlations: each pair of columns over the units where both are present (R's
///   use = "pairwise.complete.obs"); Spearman is Pearson on the average ranks of those units,
///   Kendall is tau-b over them. NaN when fewer than 2 common units or a constant column.
/// - p-values, two-sided, over the common units (R's cor.test, which COINr's get_pvals calls; 0 on
///   the diagonal as get_pvals). Pearson: t = r sqrt(df / (1 - r^2)) with df = n - 2,
///   p = I_{df/(df+t^2)}(df/2, 1/2) (the regularised incomplete beta); NaN with fewer than 3 common
///   units (where cor.test stops with an error). Kendall, as cor.test's default: below 50 units
///   without ties the exact null distribution of the number of concordant pairs (the distribution
///   of inversions of a random permutation), p = min(1, 2 P(T <= q)) or min(1, 2 P(T >= q)) on the
///   side of q = round((tau + 1) n (n - 1)/4); otherwise the normal approximation z = S / sqrt(var S)
///   with S = concordant - discordant pairs and Kendall's variance corrected for ties in x and y.
///   Spearman, as cor.test's default: without ties (and n <= 1290) AS 89 (Best and Roberts 1975:
///   exact up to 9 units, an Edgeworth series above), with ties the t approximation of Pearson's
///   formula on rho.
/// - outranking: weights divided by their sum; M[i][j] = sum of weights of the columns where unit
///   i's value is greater than j's plus half those where equal (columns where either is missing
///   count for neither), computed for i < j; M[j][i] = 1 - M[i][j] (so with missing values the
///   matrix is COINr's, not symmetric in the missing columns); diagonal 0. Dominant pairs: the
///   entries equal to 1, over n(n-1)/2 pairs. Copeland: the row sums of sign(M - 1/2).
/// - strengths and weaknesses: ranks per indicator (1 = highest, ties min, within the unit's group
///   if groups are given), values multiplied by their direction (+1 / -1) first if directions are
///   given (COINr does so for its Raw data set); the unit's missing ranks dropped, and (min_discard)
///   the indicators where the unit has the column's largest rank; sorted by rank, ties in column
///   order; strengths the first `top`, weaknesses the last `bottom` (in increasing rank order).

#include <planeval/composite.hpp>
#include <planeval/error.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <numeric>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace planeval {

namespace analysis_detail {

inline constexpr double nan = std::numeric_limits<double>::quiet_NaN();

/// Throws data_error unless `data.values` holds units * indicators finite-or-NaN values.
inline void check_matrix(const composite_data& data, std::string_view where) {
  if (data.values.size() != data.units * data.indicators)
    throw data_error(std::string(where) + ": expected " + std::to_string(data.units) + " x " +
                     std::to_string(data.indicators) + " = " + std::to_string(data.units * data.indicators) +
                     " values, got " + std::to_string(data.values.size()));
  for (std::size_t k = 0; k < data.values.size(); ++k)
    if (std::isinf(data.values[k]))
      throw data_error(std::string(where) + "[unit " + std::to_string(k / data.indicators) + ", column " +
                       std::to_string(k % data.indicators) + "]: expected a finite number or NaN (missing), got " +
                       (data.values[k] > 0 ? "inf" : "-inf"));
}

/// Column `j` of `data` copied into `out` (resized).
inline void column(const composite_data& data, std::size_t j, std::vector<double>& out) {
  out.resize(data.units);
  for (std::size_t u = 0; u < data.units; ++u) out[u] = data.values[u * data.indicators + j];
}

/// Mean of `x` as R computes it: the long double sum / n, corrected by the mean residual.
inline double mean(std::span<const double> x) {
  long double s = 0;
  for (double v : x) s += v;
  const auto n = static_cast<long double>(x.size());
  long double m = s / n;
  long double t = 0;
  for (double v : x) t += static_cast<long double>(v) - m;
  m += t / n;
  return static_cast<double>(m);
}

/// Pearson correlation of two equally long complete vectors (two-pass, as R's cor); NaN for n < 2
/// or a constant vector.
inline double pearson(std::span<const double> x, std::span<const double> y) {
  const std::size_t n = x.size();
  if (n < 2) return nan;
  const double mx = mean(x), my = mean(y);
  long double sxy = 0, sxx = 0, syy = 0;
  for (std::size_t k = 0; k < n; ++k) {
    const long double dx = static_cast<long double>(x[k]) - mx, dy = static_cast<long double>(y[k]) - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  if (sxx == 0 || syy == 0) return nan;
  const double r = static_cast<double>(sxy / (std::sqrt(sxx) * std::sqrt(syy)));
  return std::clamp(r, -1.0, 1.0);
}

/// Average ranks (1 = smallest) of `x` into `out`.
inline void average_ranks(std::span<const double> x, std::vector<double>& out, std::vector<std::size_t>& order) {
  const std::size_t n = x.size();
  order.resize(n);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return x[a] < x[b]; });
  out.resize(n);
  for (std::size_t i = 0; i < n;) {
    std::size_t k = i;
    while (k + 1 < n && x[order[k + 1]] == x[order[i]]) ++k;
    const double r = (static_cast<double>(i + 1) + static_cast<double>(k + 1)) / 2.0;
    for (std::size_t t = i; t <= k; ++t) out[order[t]] = r;
    i = k + 1;
  }
}

/// Kendall's tau-b of two complete vectors; NaN for n < 2 or a constant vector.
inline double kendall(std::span<const double> x, std::span<const double> y) {
  const std::size_t n = x.size();
  if (n < 2) return nan;
  double s = 0, tx = 0, ty = 0;
  for (std::size_t a = 0; a < n; ++a)
    for (std::size_t b = a + 1; b < n; ++b) {
      const double sx = (x[a] > x[b]) - (x[a] < x[b]);
      const double sy = (y[a] > y[b]) - (y[a] < y[b]);
      s += sx * sy;
      tx += sx * sx;
      ty += sy * sy;
    }
  if (tx == 0 || ty == 0) return nan;
  return std::clamp(s / (std::sqrt(tx) * std::sqrt(ty)), -1.0, 1.0);
}

} // namespace analysis_detail

// --- effective weights (COINr get_eff_weights) -------------------------------------------------

/// Effective weights: of every node and every indicator, its weight's share among its siblings
/// times its parent's effective weight (the root: 1). What it contributes to the index under an
/// arithmetic mean.
struct effective_weights_result {
  std::vector<double> node;      ///< per node of the tree (tree.node_ids order); the root's is 1
  std::vector<double> indicator; ///< per indicator (column order)
};

/// Effective weights of `tree` (only node_parent, node_weight, indicator_parent, indicator_weight
/// are read, so a tree built from arrays works). Throws data_error naming the entry for a parent
/// index out of range, a cycle, or not exactly one root.
inline effective_weights_result effective_weights(const composite_tree& tree) {
  const std::size_t nodes = tree.node_parent.size(), inds = tree.indicator_parent.size();
  if (tree.node_weight.size() != nodes || tree.indicator_weight.size() != inds)
    throw data_error("effective_weights: expected one weight per node and per indicator");
  std::vector<double> sum(nodes, 0.0); // sum of the children's weights, per node
  std::size_t roots = 0;
  for (std::size_t c = 0; c < nodes; ++c) {
    const auto p = tree.node_parent[c];
    if (p < 0) {
      ++roots;
      continue;
    }
    if (static_cast<std::size_t>(p) >= nodes)
      throw data_error("effective_weights: node_parent[" + std::to_string(c) + "]: expected a node index < " +
                       std::to_string(nodes) + ", got " + std::to_string(p));
    sum[static_cast<std::size_t>(p)] += tree.node_weight[c];
  }
  if (roots != 1) throw data_error("effective_weights: expected exactly one root node, got " + std::to_string(roots));
  for (std::size_t j = 0; j < inds; ++j) {
    const auto p = tree.indicator_parent[j];
    if (p >= nodes)
      throw data_error("effective_weights: indicator_parent[" + std::to_string(j) + "]: expected a node index < " +
                       std::to_string(nodes) + ", got " + std::to_string(p));
    sum[p] += tree.indicator_weight[j];
  }
  effective_weights_result out;
  out.node.assign(nodes, analysis_detail::nan);
  std::vector<std::uint8_t> state(nodes, 0); // 0 unvisited, 1 on the path, 2 done
  std::vector<std::size_t> path;
  for (std::size_t c = 0; c < nodes; ++c) {
    // climb to the first node done (or the root), then fill the path top-down
    std::size_t at = c;
    path.clear();
    while (state[at] != 2) {
      if (state[at] == 1)
        throw data_error("effective_weights: node_parent: a cycle through node " + std::to_string(at));
      state[at] = 1;
      path.push_back(at);
      if (tree.node_parent[at] < 0) break;
      at = static_cast<std::size_t>(tree.node_parent[at]);
    }
    for (auto it = path.rbegin(); it != path.rend(); ++it) {
      const std::size_t v = *it;
      const auto p = tree.node_parent[v];
      out.node[v] = p < 0 ? 1.0
                          : (tree.node_weight[v] / sum[static_cast<std::size_t>(p)]) *
                                out.node[static_cast<std::size_t>(p)];
      state[v] = 2;
    }
  }
  out.indicator.resize(inds);
  for (std::size_t j = 0; j < inds; ++j) {
    const auto p = tree.indicator_parent[j];
    out.indicator[j] = (tree.indicator_weight[j] / sum[p]) * out.node[p];
  }
  return out;
}

// --- Cronbach's alpha (COINr get_cronbach) ------------------------------------------------------

/// Cronbach's alpha of the columns of `data` (see the file comment for the formula). NaN when no
/// pair has two common values. Throws data_error for fewer than 2 columns or bad values.
inline double cronbach_alpha(const composite_data& data) {
  analysis_detail::check_matrix(data, "cronbach_alpha: values");
  const std::size_t k = data.indicators;
  if (k < 2) throw data_error("cronbach_alpha: expected at least 2 columns, got " + std::to_string(k));
  std::vector<double> x, y, cx, cy;
  long double all = 0, trace = 0;
  bool any = false;
  for (std::size_t a = 0; a < k; ++a) {
    analysis_detail::column(data, a, x);
    for (std::size_t b = a; b < k; ++b) {
      analysis_detail::column(data, b, y);
      cx.clear();
      cy.clear();
      for (std::size_t u = 0; u < data.units; ++u)
        if (!std::isnan(x[u]) && !std::isnan(y[u])) {
          cx.push_back(x[u]);
          cy.push_back(y[u]);
        }
      const std::size_t n = cx.size();
      if (n < 2) continue;
      const double mx = analysis_detail::mean(cx), my = analysis_detail::mean(cy);
      long double s = 0;
      for (std::size_t t = 0; t < n; ++t) s += (static_cast<long double>(cx[t]) - mx) * (cy[t] - my);
      const double cov = static_cast<double>(s / static_cast<long double>(n - 1));
      any = true;
      if (a == b) {
        all += cov;
        trace += cov;
      } else {
        all += 2.0L * cov;
      }
    }
  }
  if (!any) return analysis_detail::nan;
  const auto kk = static_cast<double>(k);
  const double sigall = static_cast<double>(all);
  const double sigav = (sigall - static_cast<double>(trace)) / (kk * (kk - 1));
  return kk * kk * sigav / sigall;
}

// --- indicator statistics (COINr get_stats) -----------------------------------------------------

/// Thresholds of the flags (COINr's get_stats arguments and defaults).
struct stats_options {
  double t_skew = 2.0;          ///< outlier flag: |skew| > t_skew ...
  double t_kurt = 3.5;          ///< ... and kurtosis > t_kurt
  double t_avail = 0.65;        ///< low availability: share present < t_avail
  double t_zero = 0.5;          ///< many zeros: non-zeros / units < t_zero
  double t_unq = 0.5;           ///< few unique values: unique values / units < t_unq
  sd_kind sd = sd_kind::sample; ///< the sd reported (composite.hpp's sd_kind: sample n - 1, population n)
};

/// The statistics of one column (NaN where not computable: no value present, n < 3 for skew,
/// n < 4 for kurtosis, n < 2 for the sample sd).
struct column_stats {
  double min = analysis_detail::nan, max = analysis_detail::nan, mean = analysis_detail::nan;
  double median = analysis_detail::nan, sd = analysis_detail::nan;
  double skew = analysis_detail::nan, kurtosis = analysis_detail::nan; ///< G1, excess G2
  std::size_t n_available = 0; ///< values present
  std::size_t n_nonzero = 0;   ///< present values != 0
  std::size_t n_unique = 0;    ///< distinct present values
  std::size_t n_same = 0;      ///< occurrences of the most frequent present value
  double share_available = analysis_detail::nan; ///< n_available / units
  double share_nonzero = analysis_detail::nan;   ///< n_nonzero / n_available
  double share_unique = analysis_detail::nan;    ///< n_unique / n_available
  double share_same = analysis_detail::nan;      ///< n_same / n_available
  bool low_available = false;                    ///< share_available < t_avail
  bool low_nonzero = false;                      ///< n_nonzero / units < t_zero
  bool low_unique = false;                       ///< n_unique / units < t_unq
  std::optional<bool> outlier;                   ///< |skew| > t_skew and kurtosis > t_kurt; unknown if NaN
};

/// The statistics of every column of `data`. Throws data_error for bad sizes or values.
inline std::vector<column_stats> indicator_stats(const composite_data& data, const stats_options& opt = {}) {
  analysis_detail::check_matrix(data, "indicator_stats: values");
  std::vector<column_stats> out(data.indicators);
  std::vector<double> x;
  const auto units = static_cast<double>(data.units);
  for (std::size_t j = 0; j < data.indicators; ++j) {
    x.clear();
    for (std::size_t u = 0; u < data.units; ++u) {
      const double v = data.values[u * data.indicators + j];
      if (!std::isnan(v)) x.push_back(v);
    }
    column_stats& s = out[j];
    const std::size_t n = x.size();
    const auto nd = static_cast<double>(n);
    s.n_available = n;
    s.share_available = nd / units;
    s.low_available = !(s.share_available >= opt.t_avail);
    for (double v : x) s.n_nonzero += v != 0;
    s.low_nonzero = !(static_cast<double>(s.n_nonzero) / units >= opt.t_zero);
    if (n == 0) {
      s.low_unique = !(0.0 >= opt.t_unq);
      continue;
    }
    s.mean = analysis_detail::mean(x);
    long double m2 = 0, m3 = 0, m4 = 0;
    for (double v : x) {
      const long double d = static_cast<long double>(v) - s.mean;
      m2 += d * d;
      m3 += d * d * d;
      m4 += d * d * d * d;
    }
    const double sxx = static_cast<double>(m2);
    if (opt.sd == sd_kind::population)
      s.sd = std::sqrt(sxx / nd);
    else if (n >= 2)
      s.sd = std::sqrt(sxx / (nd - 1));
    if (n >= 3 && sxx > 0)
      s.skew = std::sqrt(nd) * static_cast<double>(m3) / std::pow(sxx, 1.5) * std::sqrt(nd * (nd - 1)) / (nd - 2);
    if (n >= 4 && sxx > 0) {
      const double r = nd * static_cast<double>(m4) / (sxx * sxx);
      s.kurtosis = ((nd + 1) * (r - 3) + 6) * (nd - 1) / ((nd - 2) * (nd - 3));
    }
    std::sort(x.begin(), x.end());
    s.min = x.front();
    s.max = x.back();
    s.median = n % 2 ? x[n / 2] : (x[n / 2 - 1] + x[n / 2]) / 2;
    for (std::size_t i = 0; i < n;) {
      std::size_t k = i;
      while (k + 1 < n && x[k + 1] == x[i]) ++k;
      ++s.n_unique;
      s.n_same = std::max(s.n_same, k - i + 1);
      i = k + 1;
    }
    s.share_nonzero = static_cast<double>(s.n_nonzero) / nd;
    s.share_unique = static_cast<double>(s.n_unique) / nd;
    s.share_same = static_cast<double>(s.n_same) / nd;
    s.low_unique = !(static_cast<double>(s.n_unique) / units >= opt.t_unq);
    if (!std::isnan(s.skew) && !std::isnan(s.kurtosis))
      s.outlier = std::abs(s.skew) > opt.t_skew && s.kurtosis > opt.t_kurt;
    else if (!std::isnan(s.skew) && !(std::abs(s.skew) > opt.t_skew))
      s.outlier = false; // R: FALSE & NA is FALSE
  }
  return out;
}

// --- correlations and p-values (stats::cor, cor.test, COINr get_corr / get_pvals) ----------------

/// Correlation methods of R's cor.
enum class correlation_method : std::uint8_t { pearson, spearman, kendall };
/// Names: "pearson", "spearman", "kendall".
inline constexpr detail::name_table<correlation_method, 3> correlation_method_names{{
    {correlation_method::pearson, "pearson"},
    {correlation_method::spearman, "spearman"},
    {correlation_method::kendall, "kendall"},
}};

/// The correlation of two columns (same length, NaN missing) over the units where both are present.
inline double correlation(std::span<const double> x, std::span<const double> y,
                          correlation_method method = correlation_method::pearson) {
  if (x.size() != y.size())
    throw data_error("correlation: expected columns of equal length, got " + std::to_string(x.size()) + " and " +
                     std::to_string(y.size()));
  std::vector<double> cx, cy, rx, ry;
  std::vector<std::size_t> order;
  for (std::size_t u = 0; u < x.size(); ++u)
    if (!std::isnan(x[u]) && !std::isnan(y[u])) {
      cx.push_back(x[u]);
      cy.push_back(y[u]);
    }
  switch (method) {
  case correlation_method::pearson: return analysis_detail::pearson(cx, cy);
  case correlation_method::spearman:
    analysis_detail::average_ranks(cx, rx, order);
    analysis_detail::average_ranks(cy, ry, order);
    return analysis_detail::pearson(rx, ry);
  case correlation_method::kendall: return analysis_detail::kendall(cx, cy);
  }
  return analysis_detail::nan;
}

/// The correlation matrix of the columns of `data` (columns x columns, row-major; 1 on the
/// diagonal of a column with 2 or more values that is not constant, else NaN).
inline std::vector<double> correlation_matrix(const composite_data& data,
                                              correlation_method method = correlation_method::pearson) {
  analysis_detail::check_matrix(data, "correlation_matrix: values");
  const std::size_t k = data.indicators;
  std::vector<double> out(k * k, analysis_detail::nan), x, y;
  for (std::size_t a = 0; a < k; ++a) {
    analysis_detail::column(data, a, x);
    for (std::size_t b = a; b < k; ++b) {
      analysis_detail::column(data, b, y);
      out[a * k + b] = out[b * k + a] = correlation(x, y, method);
    }
  }
  return out;
}

/// The regularised incomplete beta function I_x(a, b) for a, b > 0 and 0 <= x <= 1: the
/// continued fraction of I_x (its even and odd terms, evaluated by the modified Lentz method),
/// on the side x < (a + 1)/(a + b + 2) where it converges fast, using I_x(a, b) = 1 - I_{1-x}(b, a)
/// on the other. Relative accuracy about 1e-15. Throws error for arguments out of range.
inline double incomplete_beta(double x, double a, double b) {
  if (!(a > 0) || !(b > 0) || !std::isfinite(a) || !std::isfinite(b))
    throw error("incomplete_beta: expected a > 0 and b > 0, got a = " + std::to_string(a) + ", b = " + std::to_string(b));
  if (!(x >= 0 && x <= 1)) throw error("incomplete_beta: expected 0 <= x <= 1, got " + std::to_string(x));
  if (x == 0 || x == 1) return x;
  if (x > (a + 1) / (a + b + 2)) return 1.0 - incomplete_beta(1.0 - x, b, a);
  // front factor x^a (1-x)^b / (a B(a, b))
  const double log_front = a * std::log(x) + b * std::log1p(-x) - std::log(a) -
                           (std::lgamma(a) + std::lgamma(b) - std::lgamma(a + b));
  constexpr double tiny = 1e-300, eps = 1e-16;
  // continued fraction 1/(1+ d1/(1+ d2/(1+ ...))) with d_{2m+1} = -(a+m)(a+b+m)x / ((a+2m)(a+2m+1)),
  // d_{2m} = m(b-m)x / ((a+2m-1)(a+2m)); Lentz: f = product of C_j D_j
  double c = 1.0, d = 1.0 - (a + b) * x / (a + 1);
  if (std::abs(d) < tiny) d = tiny;
  d = 1.0 / d;
  double f = d;
  for (int m = 1; m <= 10000; ++m) {
    const double md = m;
    double num = md * (b - md) * x / ((a + 2 * md - 1) * (a + 2 * md));
    d = 1.0 + num * d;
    if (std::abs(d) < tiny) d = tiny;
    c = 1.0 + num / c;
    if (std::abs(c) < tiny) c = tiny;
    d = 1.0 / d;
    f *= d * c;
    num = -(a + md) * (a + b + md) * x / ((a + 2 * md) * (a + 2 * md + 1));
    d = 1.0 + num * d;
    if (std::abs(d) < tiny) d = tiny;
    c = 1.0 + num / c;
    if (std::abs(c) < tiny) c = tiny;
    d = 1.0 / d;
    const double delta = d * c;
    f *= delta;
    if (std::abs(delta - 1.0) < eps) break;
  }
  return std::exp(log_front) * f;
}

/// Two-sided p-value of a Pearson correlation r over n complete pairs (Student's t with n - 2
/// degrees of freedom, as R's cor.test): NaN if n < 3 or r is NaN.
inline double pearson_pvalue(double r, std::size_t n) {
  if (n < 3 || std::isnan(r)) return analysis_detail::nan;
  const double df = static_cast<double>(n - 2);
  if (std::abs(r) >= 1) return 0.0;
  const double t2 = df * r * r / (1 - r * r);
  return incomplete_beta(df / (df + t2), df / 2, 0.5);
}

/// Two-sided p-value of Kendall's tau of two complete vectors (see the file comment: exact below 50
/// values without ties, else the tie-corrected normal approximation); NaN when tau is NaN.
inline double kendall_pvalue(std::span<const double> x, std::span<const double> y) {
  const std::size_t n = x.size();
  if (n != y.size()) throw data_error("kendall_pvalue: expected vectors of equal length");
  if (n < 2) return analysis_detail::nan;
  double s = 0; // concordant - discordant pairs
  for (std::size_t a = 0; a < n; ++a)
    for (std::size_t b = a + 1; b < n; ++b)
      s += static_cast<double>(((x[a] > x[b]) - (x[a] < x[b])) * ((y[a] > y[b]) - (y[a] < y[b])));
  const double tau = analysis_detail::kendall(x, y);
  if (std::isnan(tau)) return analysis_detail::nan;
  // sizes of the groups of tied values
  auto tie_sums = [](std::span<const double> v, double& t2, double& t3, double& tv, bool& ties) {
    std::vector<double> sorted(v.begin(), v.end());
    std::sort(sorted.begin(), sorted.end());
    t2 = t3 = tv = 0;
    for (std::size_t i = 0; i < sorted.size();) {
      std::size_t j = i;
      while (j + 1 < sorted.size() && sorted[j + 1] == sorted[i]) ++j;
      const auto t = static_cast<double>(j - i + 1);
      if (t > 1) {
        ties = true;
        t2 += t * (t - 1);
        t3 += t * (t - 1) * (t - 2);
        tv += t * (t - 1) * (2 * t + 5);
      }
      i = j + 1;
    }
  };
  double x2 = 0, x3 = 0, xv = 0, y2 = 0, y3 = 0, yv = 0;
  bool ties = false;
  tie_sums(x, x2, x3, xv, ties);
  tie_sums(y, y2, y3, yv, ties);
  const auto nd = static_cast<double>(n);
  if (n < 50 && !ties) {
    // P(T = k) for T the number of concordant pairs (distributed as the inversions of a uniform
    // random permutation): p_m(k) = (1/m) sum_{j=0}^{m-1} p_{m-1}(k - j), built up to m = n by direct
    // sums of positive terms (no subtraction, so small tails keep their relative accuracy); kept per
    // n and thread. T is symmetric about n(n-1)/4: the upper tail P(T >= q) is P(T <= pairs - q).
    const std::size_t pairs = n * (n - 1) / 2;
    thread_local std::vector<std::vector<double>> by_n;
    if (by_n.size() <= n) by_n.resize(n + 1);
    std::vector<double>& p = by_n[n];
    if (p.empty()) {
      p.assign(pairs + 1, 0.0);
      std::vector<double> next(pairs + 1);
      p[0] = 1.0;
      for (std::size_t m = 2; m <= n; ++m) {
        const std::size_t top = m * (m - 1) / 2;
        for (std::size_t k = 0; k <= top; ++k) {
          double sum = 0;
          for (std::size_t j = 0; j < m && j <= k; ++j) sum += p[k - j];
          next[k] = sum / static_cast<double>(m);
        }
        std::copy(next.begin(), next.begin() + static_cast<std::ptrdiff_t>(top + 1), p.begin());
      }
    }
    const double q = std::round((tau + 1) * nd * (nd - 1) / 4);
    const double lower_q = q > nd * (nd - 1) / 4 ? static_cast<double>(pairs) - q : q;
    const auto qi = static_cast<std::size_t>(std::clamp(lower_q, 0.0, static_cast<double>(pairs)));
    double tail = 0;
    for (std::size_t k = 0; k <= qi; ++k) tail += p[k];
    return std::min(2 * tail, 1.0);
  }
  const double v0 = nd * (nd - 1) * (2 * nd + 5);
  const double var_s = (v0 - xv - yv) / 18 + x2 * y2 / (2 * nd * (nd - 1)) + x3 * y3 / (9 * nd * (nd - 1) * (nd - 2));
  if (!(var_s > 0)) return analysis_detail::nan;
  const double z = s / std::sqrt(var_s);
  return std::erfc(std::abs(z) / std::sqrt(2.0)); // 2 min(Phi(z), 1 - Phi(z))
}

/// P[S >= s] (or P[S < s] with `lower`) for Spearman's S = sum of squared rank differences of n
/// untied pairs under independence, by Best and Roberts' algorithm AS 89 (Applied Statistics 24,
/// 1975) as R's cor.test uses it: S takes even values only, so s is rounded up to even; up to 9
/// units by counting all n! permutations (kept per n and thread), above by AS 89's Edgeworth series
/// in x = (6 (s - 1) / (n (n^2 - 1)) - 1) sqrt(n - 1), clamped to [0, 1].
inline double spearman_tail(double s, std::size_t n, bool lower) {
  double upper = 0;
  const auto nd = static_cast<double>(n);
  const double smax = nd * (nd * nd - 1) / 3;
  double js = std::round(s);
  if (std::fmod(js, 2.0) != 0) js += 1;
  if (n <= 1 || js <= 0) upper = 1;
  else if (js > smax) upper = 0;
  else if (n <= 9) {
    // the distribution of S over the n! permutations of 1..n, by enumeration
    thread_local std::vector<std::vector<double>> counts_by_n(10);
    std::vector<double>& counts = counts_by_n[n];
    if (counts.empty()) {
      counts.assign(static_cast<std::size_t>(smax) + 1, 0.0);
      std::vector<int> perm(n);
      std::iota(perm.begin(), perm.end(), 1);
      do {
        std::size_t d2 = 0;
        for (std::size_t i = 0; i < n; ++i) {
          const int d = perm[i] - static_cast<int>(i + 1);
          d2 += static_cast<std::size_t>(d * d);
        }
        counts[d2] += 1;
      } while (std::next_permutation(perm.begin(), perm.end()));
    }
    double total = 0, at_least = 0;
    for (std::size_t v = 0; v < counts.size(); ++v) {
      total += counts[v];
      if (static_cast<double>(v) >= js) at_least += counts[v];
    }
    upper = at_least / total;
  } else {
    // AS 89's Edgeworth series coefficients
    constexpr double c1 = 0.2274, c2 = 0.2531, c3 = 0.1745, c4 = 0.0758, c5 = 0.1033, c6 = 0.3932, c7 = 0.0879,
                     c8 = 0.0151, c9 = 0.0072, c10 = 0.0831, c11 = 0.0131, c12 = 4.6e-4;
    const double b = 1 / nd;
    const double x = (6 * (js - 1) * b / (nd * nd - 1) - 1) * std::sqrt(1 / b - 1);
    const double y = x * x;
    const double u =
        x * b *
        (c1 + b * (c2 + c3 * b) +
         y * (-c4 + b * (c5 + c6 * b) - y * b * (c7 + c8 * b - y * (c9 - c10 * b + y * b * (c11 - c12 * y)))));
    upper = std::clamp(u / std::exp(y / 2) + 0.5 * std::erfc(x / std::sqrt(2.0)), 0.0, 1.0);
  }
  return lower ? 1 - upper : upper;
}

/// Two-sided p-value of Spearman's rho of two complete vectors as R's cor.test (exact = NULL):
/// AS 89 without ties (n <= 1290), else the t approximation of pearson_pvalue on rho.
inline double spearman_pvalue(std::span<const double> x, std::span<const double> y) {
  const std::size_t n = x.size();
  if (n != y.size()) throw data_error("spearman_pvalue: expected vectors of equal length");
  const double rho = correlation(x, y, correlation_method::spearman);
  if (std::isnan(rho) || n < 2) return analysis_detail::nan;
  auto tied = [](std::span<const double> v) {
    std::vector<double> sorted(v.begin(), v.end());
    std::sort(sorted.begin(), sorted.end());
    return std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end();
  };
  if (n > 1290 || tied(x) || tied(y)) return pearson_pvalue(rho, n);
  const auto nd = static_cast<double>(n);
  const double q = (nd * nd * nd - nd) * (1 - rho) / 6; // S
  const double p = q > (nd * nd * nd - nd) / 6 ? spearman_tail(q, n, false) : spearman_tail(std::round(q) + 2, n, true);
  return std::min(2 * p, 1.0);
}

/// The two-sided p-value of the correlation of two columns (same length, NaN missing) over the
/// units where both are present (see the file comment for each method).
inline double correlation_pvalue(std::span<const double> x, std::span<const double> y,
                                 correlation_method method = correlation_method::pearson) {
  if (x.size() != y.size())
    throw data_error("correlation_pvalue: expected columns of equal length, got " + std::to_string(x.size()) +
                     " and " + std::to_string(y.size()));
  std::vector<double> cx, cy;
  for (std::size_t u = 0; u < x.size(); ++u)
    if (!std::isnan(x[u]) && !std::isnan(y[u])) {
      cx.push_back(x[u]);
      cy.push_back(y[u]);
    }
  if (method == correlation_method::kendall) return kendall_pvalue(cx, cy);
  if (method == correlation_method::spearman) return spearman_pvalue(cx, cy);
  return pearson_pvalue(correlation(cx, cy), cx.size());
}

/// The p-values of the correlations of every pair of columns (columns x columns, row-major; 0 on
/// the diagonal as COINr's get_pvals; NaN where not computable).
inline std::vector<double> correlation_pvalues(const composite_data& data,
                                               correlation_method method = correlation_method::pearson) {
  analysis_detail::check_matrix(data, "correlation_pvalues: values");
  const std::size_t k = data.indicators;
  std::vector<double> out(k * k, analysis_detail::nan), x, y;
  for (std::size_t a = 0; a < k; ++a) {
    out[a * k + a] = 0.0;
    analysis_detail::column(data, a, x);
    for (std::size_t b = a + 1; b < k; ++b) {
      analysis_detail::column(data, b, y);
      out[a * k + b] = out[b * k + a] = correlation_pvalue(x, y, method);
    }
  }
  return out;
}

// --- outranking and Copeland (COINr outrankMatrix, a_copeland) ----------------------------------

/// The outranking matrix (units x units, row-major) and its dominant pairs.
struct outranking_result {
  std::vector<double> matrix;   ///< M[i * units + j]: the weight of the columns where i beats j (ties half)
  std::size_t units = 0;        ///< rows and columns of the matrix
  std::size_t n_dominant = 0;   ///< entries equal to 1
  double frac_dominant = 0.0;   ///< n_dominant / (units (units - 1) / 2)
};

/// The outranking matrix of the units (rows) of `data` over its columns with `weights` (one per
/// column, >= 0, NaN ignored as COINr's sum(na.rm = TRUE); empty: equal weights). Throws
/// data_error for bad sizes, values, negative weights or weights summing to 0.
inline outranking_result outranking_matrix(const composite_data& data, std::span<const double> weights = {}) {
  analysis_detail::check_matrix(data, "outranking_matrix: values");
  const std::size_t n = data.units, k = data.indicators;
  std::vector<double> w(k, 1.0);
  if (!weights.empty()) {
    if (weights.size() != k)
      throw data_error("outranking_matrix: weights: expected " + std::to_string(k) + " weights, got " +
                       std::to_string(weights.size()));
    for (std::size_t j = 0; j < k; ++j) {
      if (weights[j] < 0 || std::isinf(weights[j]))
        throw data_error("outranking_matrix: weights[" + std::to_string(j) + "]: expected a finite weight >= 0, got " +
                         std::to_string(weights[j]));
      w[j] = weights[j];
    }
  }
  long double total = 0;
  for (double v : w)
    if (!std::isnan(v)) total += v;
  if (!(total > 0)) throw data_error("outranking_matrix: weights: expected a positive sum");
  const double sum = static_cast<double>(total);
  for (double& v : w) v /= sum;
  outranking_result out;
  out.units = n;
  out.matrix.assign(n * n, 0.0);
  for (std::size_t i = 0; i < n; ++i) {
    const double* xi = data.values.data() + i * k;
    for (std::size_t j = i + 1; j < n; ++j) {
      const double* xj = data.values.data() + j * k;
      long double greater = 0, equal = 0;
      for (std::size_t c = 0; c < k; ++c) {
        if (std::isnan(w[c])) continue;
        if (xi[c] > xj[c]) greater += w[c];
        else if (xi[c] == xj[c]) equal += w[c];
      }
      const double g = static_cast<double>(greater), e = static_cast<double>(equal) / 2;
      const double m = static_cast<double>(static_cast<long double>(g) + e);
      out.matrix[i * n + j] = m;
      out.matrix[j * n + i] = 1 - m;
    }
  }
  for (double v : out.matrix) out.n_dominant += v == 1.0;
  out.frac_dominant = static_cast<double>(out.n_dominant) / ((static_cast<double>(n) * n - static_cast<double>(n)) / 2);
  return out;
}

/// Copeland scores per unit from an outranking matrix: the row sums of +1 (M > 1/2), -1 (M < 1/2),
/// 0 (M = 1/2 and the diagonal).
inline std::vector<double> copeland_scores(const outranking_result& m) {
  std::vector<double> out(m.units, 0.0);
  for (std::size_t i = 0; i < m.units; ++i)
    for (std::size_t j = 0; j < m.units; ++j) {
      if (i == j) continue;
      const double v = m.matrix[i * m.units + j];
      out[i] += v > 0.5 ? 1.0 : v < 0.5 ? -1.0 : 0.0;
    }
  return out;
}

/// Copeland scores of the units of `data` over its columns with `weights` (COINr's a_copeland).
inline std::vector<double> copeland_scores(const composite_data& data, std::span<const double> weights = {}) {
  return copeland_scores(outranking_matrix(data, weights));
}

// --- strengths and weaknesses (COINr get_str_weak) ----------------------------------------------

/// Options of strengths_weaknesses (COINr's get_str_weak arguments).
struct str_weak_options {
  std::size_t top = 5;                   ///< strengths reported (topN)
  std::size_t bottom = 5;                ///< weaknesses reported (bottomN)
  std::span<const double> directions;    ///< per column +1 / -1, multiplied in before ranking; empty: none
  std::span<const std::uint32_t> groups; ///< per unit: rank within the unit's group; empty: all units
  bool min_discard = true;               ///< drop indicators where the unit has the column's largest rank
  /// Keep only columns whose share of unique values (missing counted as one value, over all units)
  /// exceeds this; NaN: keep all (COINr's unq_discard = NULL).
  double unique_discard = analysis_detail::nan;
};

/// One entry of a strengths or weaknesses list.
struct str_weak_entry {
  std::size_t indicator = 0; ///< column index
  std::uint32_t rank = 0;    ///< the unit's rank in that column (1 = highest)
};

/// The strengths (best ranks first) and weaknesses (in increasing rank, the worst last) of a unit.
struct str_weak_result {
  std::vector<str_weak_entry> strengths;
  std::vector<str_weak_entry> weaknesses;
};

/// The strongest and weakest indicators of `unit` (a row of `data`) by rank. Throws data_error for
/// a unit out of range, bad sizes or values, top or bottom 0, a direction other than +1 / -1.
inline str_weak_result strengths_weaknesses(const composite_data& data, std::size_t unit,
                                            const str_weak_options& opt = {}) {
  analysis_detail::check_matrix(data, "strengths_weaknesses: values");
  const std::size_t n = data.units, k = data.indicators;
  if (unit >= n)
    throw data_error("strengths_weaknesses: unit: expected a row index < " + std::to_string(n) + ", got " +
                     std::to_string(unit));
  if (opt.top == 0 || opt.bottom == 0 || opt.top > k || opt.bottom > k)
    throw data_error("strengths_weaknesses: top and bottom: expected between 1 and " + std::to_string(k));
  if (!opt.directions.empty() && opt.directions.size() != k)
    throw data_error("strengths_weaknesses: directions: expected " + std::to_string(k) + ", got " +
                     std::to_string(opt.directions.size()));
  for (std::size_t j = 0; j < opt.directions.size(); ++j)
    if (opt.directions[j] != 1 && opt.directions[j] != -1)
      throw data_error("strengths_weaknesses: directions[" + std::to_string(j) + "]: expected 1 or -1, got " +
                       std::to_string(opt.directions[j]));
  if (!opt.groups.empty() && opt.groups.size() != n)
    throw data_error("strengths_weaknesses: groups: expected one per unit (" + std::to_string(n) + "), got " +
                     std::to_string(opt.groups.size()));
  std::vector<double> col(n), present;
  std::vector<std::size_t> order(n);
  std::vector<std::uint32_t> rank(n);
  std::vector<str_weak_entry> kept;
  for (std::size_t j = 0; j < k; ++j) {
    const double dir = opt.directions.empty() ? 1.0 : opt.directions[j];
    for (std::size_t u = 0; u < n; ++u) col[u] = data.values[u * k + j] * dir;
    if (!std::isnan(opt.unique_discard)) {
      present.clear();
      bool any_missing = false;
      for (double v : col) {
        if (std::isnan(v)) any_missing = true;
        else present.push_back(v);
      }
      std::sort(present.begin(), present.end());
      const auto distinct =
          static_cast<std::size_t>(std::unique(present.begin(), present.end()) - present.begin()) + any_missing;
      if (!(static_cast<double>(distinct) / static_cast<double>(n) > opt.unique_discard)) continue;
    }
    if (std::isnan(col[unit])) continue;
    // ranks within each group (all units one group without groups): sort the present units by
    // group, then value descending; the first of a run of equal values gives the run its (min) rank
    std::size_t m = 0;
    for (std::size_t u = 0; u < n; ++u)
      if (!std::isnan(col[u])) order[m++] = u;
    auto group = [&](std::size_t u) { return opt.groups.empty() ? 0u : opt.groups[u]; };
    std::sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(m), [&](std::size_t a, std::size_t b) {
      if (group(a) != group(b)) return group(a) < group(b);
      return col[a] > col[b];
    });
    std::uint32_t worst = 0;
    for (std::size_t t = 0, start = 0; t < m; ++t) {
      if (t == 0 || group(order[t]) != group(order[t - 1])) start = t;
      const bool tie = t > start && col[order[t]] == col[order[t - 1]];
      rank[order[t]] = tie ? rank[order[t - 1]] : static_cast<std::uint32_t>(t - start + 1);
      worst = std::max(worst, rank[order[t]]);
    }
    const std::uint32_t r = rank[unit];
    if (opt.min_discard && r == worst) continue; // the column's largest rank over all units
    kept.push_back({j, r});
  }
  std::stable_sort(kept.begin(), kept.end(), [](const str_weak_entry& a, const str_weak_entry& b) {
    return a.rank < b.rank;
  });
  str_weak_result out;
  const std::size_t top = std::min(opt.top, kept.size()), bottom = std::min(opt.bottom, kept.size());
  out.strengths.assign(kept.begin(), kept.begin() + static_cast<std::ptrdiff_t>(top));
  out.weaknesses.assign(kept.end() - static_cast<std::ptrdiff_t>(bottom), kept.end());
  return out;
}

} // namespace planeval
