// Copyright (c) 2026 planeval developers. Distributed under the MIT License.
#pragma once
/// \file composite/mean.hpp
/// The one weighted power-mean kernel of planeval: build_composite (every node of every unit) and
/// the uncertainty engine (every run) both call aggregate_units, so a composite's scores and the
/// engine's nominal scores are the same numbers, bit for bit.
///
/// For node c and one unit, over the children (indicators first, then nodes, each in index
/// order) with a weight w > 0 and a value x (not NaN):
/// - arithmetic Σw·x / Σw; geometric exp(Σw·ln x / Σw); harmonic Σw / Σ(w/x); generalised
///   (Σw·x^p / Σw)^(1/p). A generalised mean with p = 1, 0 or -1 is the arithmetic, geometric or
///   harmonic mean (computed as those).
/// - The weights are renormalised over the children present (NaN: missing; weight 0: left out).
///   The node is missing (NaN) when no child is present, when the present weights sum to 0, or
///   when the count of present children over the node's children is below its min_share.
/// - Negative values are refused by every mean but the arithmetic one. A zero under a mean that
///   needs positive values (geometric, harmonic, p < 0) follows the zero_policy: error, or limit
///   (the node's value is 0, the mean's limit as that child goes to 0).
/// - A geometric node under a geometric parent keeps its logarithm (log_only): the parent adds
///   w·ln x without an exp then ln between them. The node's own score is exp of it.
/// Errors are reported, not thrown: aggregate_units returns false with the aggregation_fault
/// (node, child, value) and the caller throws (aggregation_fault_message).

#include <planeval/composite/tree.hpp>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>

namespace planeval {

/// The mean of one node: its method and power, canonical (see canonical_mean).
struct node_mean {
  aggregation method = aggregation::arithmetic;
  double power = 1.0; ///< 1 arithmetic, 0 geometric, -1 harmonic, p generalised
  friend bool operator==(const node_mean&, const node_mean&) = default;
};

/// `method` with power `p` (used by generalised only), canonical: generalised with p = 1, 0, -1
/// becomes arithmetic, geometric, harmonic; the power of the three named means is 1, 0, -1.
constexpr node_mean canonical_mean(aggregation method, double p) noexcept {
  if (method == aggregation::generalised) {
    if (p == 1.0) return {aggregation::arithmetic, 1.0};
    if (p == 0.0) return {aggregation::geometric, 0.0};
    if (p == -1.0) return {aggregation::harmonic, -1.0};
    return {method, p};
  }
  return {method, method == aggregation::geometric ? 0.0 : method == aggregation::harmonic ? -1.0 : 1.0};
}

/// log_only[c] = 1 when node c is geometric and so is its parent.
inline void mark_log_only(const aggregation_plan& p, const node_mean* means, std::uint8_t* log_only) noexcept {
  for (std::size_t c = 0; c < p.nodes; ++c)
    log_only[c] = p.parent[c] >= 0 && means[c].method == aggregation::geometric &&
                  means[static_cast<std::size_t>(p.parent[c])].method == aggregation::geometric;
}

namespace detail {

/// The node values of one unit (see aggregate_units), for one combination of: Shares (a node has
/// min_share > 0: count the children present), Checked (look for zeros and negative values), Logs
/// (lx given); false with `fault` set at a value a mean cannot take.
template <bool Shares, bool Checked, bool Logs>
bool aggregate_one(const aggregation_plan& p, const double* iw, const double* nw, const node_mean* means,
                   const std::uint8_t* log_only, bool limit_, const double* x, const double* lx, double* val,
                   aggregation_fault& fault) noexcept {
  constexpr double nan = std::numeric_limits<double>::quiet_NaN();
  const std::uint32_t* ic = p.ind_child.data();
  const std::uint32_t* nc = p.node_child.data();
  const std::uint32_t* order = p.order.data();
  const std::size_t nodes = p.order.size();
  [[maybe_unused]] const bool limit = limit_;
  for (std::size_t oi = 0; oi < nodes; ++oi) {
    const std::uint32_t c = order[oi];
    const node_mean a = means[c];
    const std::uint32_t i0 = p.ind_begin[c], i1 = p.ind_begin[c + 1];
    const std::uint32_t n0 = p.node_begin[c], n1 = p.node_begin[c + 1];
    double sw = 0, acc = 0;
    [[maybe_unused]] std::uint32_t count = 0;
    bool zero = false;
    [[maybe_unused]] auto fail = [&](std::uint32_t child, bool indicator, double v) {
      fault = {c, child, indicator, v};
      return false;
    };
    switch (a.method) {
    case aggregation::arithmetic:
      for (std::uint32_t t = i0; t < i1; ++t) {
        const double w = iw[ic[t]], v = x[ic[t]];
        if (w > 0 && !std::isnan(v)) {
          if constexpr (Shares) ++count;
          sw += w;
          acc += w * v;
        }
      }
      for (std::uint32_t t = n0; t < n1; ++t) {
        const double w = nw[nc[t]], v = val[nc[t]];
        if (w > 0 && !std::isnan(v)) {
          if constexpr (Shares) ++count;
          sw += w;
          acc += w * v;
        }
      }
      break;
    case aggregation::geometric:
      // ln 0 = -inf makes the mean exp(-inf) = 0, the limit (zero_policy::limit)
      for (std::uint32_t t = i0; t < i1; ++t) {
        const double w = iw[ic[t]], v = x[ic[t]];
        if (w > 0 && !std::isnan(v)) {
          if constexpr (Checked)
            if (!(v > 0) && (v < 0 || !limit)) return fail(ic[t], true, v);
          if constexpr (Shares) ++count;
          sw += w;
          if constexpr (Logs)
            acc += w * lx[ic[t]];
          else
            acc += w * std::log(v);
        }
      }
      for (std::uint32_t t = n0; t < n1; ++t) {
        const double w = nw[nc[t]], v = val[nc[t]];
        if (w > 0 && !std::isnan(v)) {
          const bool logged = log_only[nc[t]] != 0;
          if constexpr (Checked)
            if (!logged && !(v > 0) && (v < 0 || !limit)) return fail(nc[t], false, v);
          if constexpr (Shares) ++count;
          sw += w;
          acc += w * (logged ? v : std::log(v));
        }
      }
      break;
    case aggregation::harmonic:
    case aggregation::generalised: {
      const bool harmonic = a.method == aggregation::harmonic;
      const double pw = a.power;
      const bool positive = harmonic || pw < 0;
      auto term = [&](double w, double v) {
        if constexpr (Shares) ++count;
        sw += w;
        if (v == 0 && positive)
          zero = true; // the limit of the mean is 0
        else
          acc += harmonic ? w / v : w * std::pow(v, pw);
      };
      for (std::uint32_t t = i0; t < i1; ++t) {
        const double w = iw[ic[t]], v = x[ic[t]];
        if (w > 0 && !std::isnan(v)) {
          if constexpr (Checked)
            if (!(v > 0) && (v < 0 || (positive && !limit))) return fail(ic[t], true, v);
          term(w, v);
        }
      }
      for (std::uint32_t t = n0; t < n1; ++t) {
        const double w = nw[nc[t]], v = val[nc[t]];
        if (w > 0 && !std::isnan(v)) {
          if constexpr (Checked)
            if (!(v > 0) && (v < 0 || (positive && !limit))) return fail(nc[t], false, v);
          term(w, v);
        }
      }
      break;
    }
    }
    // without min_share, no child present <=> sw = 0 (only children with w > 0 count)
    bool missing = !(sw > 0);
    if constexpr (Shares)
      missing = missing || static_cast<double>(count) / static_cast<double>(p.children[c]) < p.min_share[c];
    if (missing) {
      val[c] = nan;
      continue;
    }
    switch (a.method) {
    case aggregation::arithmetic: val[c] = acc / sw; break;
    case aggregation::geometric: val[c] = log_only[c] ? acc / sw : std::exp(acc / sw); break;
    case aggregation::harmonic: val[c] = zero ? 0.0 : sw / acc; break;
    case aggregation::generalised: val[c] = zero ? 0.0 : std::pow(acc / sw, 1 / a.power); break;
    }
  }
  return true;
}

/// aggregate_one over `units` units.
template <bool Shares, bool Checked, bool Logs>
bool aggregate_units_impl(const aggregation_plan& p, const double* iw, const double* nw, const node_mean* means,
                          const std::uint8_t* log_only, zero_policy zeros, const double* x, const double* lx,
                          std::size_t m, std::size_t units, double* val, std::size_t val_stride, double* root_out,
                          aggregation_fault& fault, std::size_t& fault_unit) noexcept {
  const bool limit = zeros == zero_policy::limit;
  for (std::size_t u = 0; u < units; ++u, x += m, lx += Logs ? m : 0, val += val_stride) {
    if (!aggregate_one<Shares, Checked, Logs>(p, iw, nw, means, log_only, limit, x, lx, val, fault)) {
      fault_unit = u;
      return false;
    }
    if (root_out) root_out[u] = val[p.root];
  }
  return true;
}

} // namespace detail

/// Every node's value for `units` units (NaN: missing; log_only nodes hold ln of their value).
/// Unit u reads its indicator values at x + u·m (lx: their logarithms at lx + u·m, or null:
/// computed here) and writes its node values at val + u·val_stride (val_stride 0: one buffer
/// reused, for callers that only keep the root) and, when root_out is not null, its root value at
/// root_out[u]. iw, nw: the indicator and node weights; means: per node. Returns false at the first
/// value a mean cannot take, with `fault` and `fault_unit` set. check = false skips the search for
/// zeros and negative values: only when the caller knows every x is > 0 or NaN (a weighted power
/// mean lies between its smallest and largest child, so no node can then be 0 or negative).
inline bool aggregate_units(const aggregation_plan& p, const double* iw, const double* nw, const node_mean* means,
                            const std::uint8_t* log_only, zero_policy zeros, const double* x, const double* lx,
                            std::size_t m, std::size_t units, double* val, std::size_t val_stride, double* root_out,
                            aggregation_fault& fault, std::size_t& fault_unit, bool check = true) noexcept {
  const bool shares = p.any_min_share;
#define PLANEVAL_AGGREGATE(S, C, L)                                                                                   \
  return detail::aggregate_units_impl<S, C, L>(p, iw, nw, means, log_only, zeros, x, lx, m, units, val, val_stride,   \
                                               root_out, fault, fault_unit)
  if (lx) {
    if (shares) {
      if (check) PLANEVAL_AGGREGATE(true, true, true);
      PLANEVAL_AGGREGATE(true, false, true);
    }
    if (check) PLANEVAL_AGGREGATE(false, true, true);
    PLANEVAL_AGGREGATE(false, false, true);
  }
  if (shares) {
    if (check) PLANEVAL_AGGREGATE(true, true, false);
    PLANEVAL_AGGREGATE(true, false, false);
  }
  if (check) PLANEVAL_AGGREGATE(false, true, false);
  PLANEVAL_AGGREGATE(false, false, false);
#undef PLANEVAL_AGGREGATE
}

} // namespace planeval
