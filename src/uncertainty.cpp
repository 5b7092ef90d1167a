// Copyright (c) 2026 planeval developers. Distributed under the MIT License.
// Sobol' indices on Saltelli's design and the composite rank uncertainty engine of
// planeval/uncertainty.hpp: validation and preparation (children lists, evaluation order, log
// tables), one composite evaluation per run into per-thread buffers, ranking, the worker threads
// with progress and cancellation, and the rank statistics.

#include <planeval/detail/format_number.hpp>
#include <planeval/uncertainty.hpp>

#include <algorithm>
#include <array>
#include <bit>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <exception>
#include <limits>
#include <mutex>
#include <thread>

namespace planeval {

namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();
constexpr std::size_t none = static_cast<std::size_t>(-1);

std::string str(std::size_t i) { return std::to_string(i); }

std::string num(double x) { return detail::format_number(x); }

/// numpy's _lerp: a + (b − a)·t for t < 0.5, else b − (b − a)·(1 − t).
double numpy_lerp(double a, double b, double t) noexcept {
  const double d = b - a;
  return t >= 0.5 ? b - d * (1 - t) : a + d * t;
}

/// numpy.percentile(x, 100·q) (method "linear") of c values given by kth(i), the i-th smallest.
template <class Kth>
double percentile_of(std::size_t c, double q, Kth&& kth) {
  if (c == 0) return nan;
  const double h = static_cast<double>(c - 1) * q;
  const double lo = std::floor(h);
  const auto i = static_cast<std::size_t>(lo);
  const std::size_t j = (std::min)(i + 1, c - 1);
  return numpy_lerp(kth(i), kth(j), h - lo);
}

// --- Sobol' estimators ---------------------------------------------------------------------------

/// Indices over the rows rows[t] (t < n) of the outputs; rows empty: the identity.
void estimate(std::span<const double> ya, std::span<const double> yb, std::span<const double> yab, std::size_t n,
              std::size_t k, const std::vector<std::size_t>& rows, double* first, double* total, double* mean_out,
              double* var_out) {
  auto row = [&](std::size_t t) { return rows.empty() ? t : rows[t]; };
  double sum = 0;
  for (std::size_t t = 0; t < n; ++t) sum += ya[row(t)] + yb[row(t)];
  const double mean = sum / static_cast<double>(2 * n);
  double ss = 0;
  for (std::size_t t = 0; t < n; ++t) {
    const double da = ya[row(t)] - mean, db = yb[row(t)] - mean;
    ss += da * da + db * db;
  }
  const double var = ss / static_cast<double>(2 * n);
  if (mean_out) *mean_out = mean;
  if (var_out) *var_out = var;
  for (std::size_t i = 0; i < k; ++i) {
    const double* yi = yab.data() + i * n;
    double s1 = 0, st = 0;
    for (std::size_t t = 0; t < n; ++t) {
      const std::size_t r = row(t);
      s1 += (yb[r] - mean) * (yi[r] - ya[r]); // centred: same expectation, smaller variance
      const double d = ya[r] - yi[r];
      st += d * d;
    }
    const double nn = static_cast<double>(n);
    first[i] = var > 0 ? s1 / nn / var : nan;
    total[i] = var > 0 ? st / nn / 2 / var : nan;
  }
}

} // namespace

void uniform_draws(std::uint64_t seed, std::uint64_t first, std::span<double> out) noexcept {
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = uniform_draw(seed, first + i);
}

saltelli_sample make_saltelli_sample(std::size_t n, std::size_t k, std::uint64_t seed) {
  if (n < 2) throw error("make_saltelli_sample: n: expected at least 2 base samples, got " + str(n));
  if (k < 1) throw error("make_saltelli_sample: k: expected at least 1 input, got 0");
  if (k > (std::numeric_limits<std::size_t>::max)() / 4 / n / (k + 2))
    throw error("make_saltelli_sample: n·k too large");
  saltelli_sample s;
  s.n = n;
  s.k = k;
  s.a.resize(n * k);
  s.b.resize(n * k);
  s.ab.resize(k * n * k);
  for (std::size_t r = 0; r < n; ++r) {
    uniform_draws(seed, r * 2 * k, std::span<double>(s.a.data() + r * k, k));
    uniform_draws(seed, r * 2 * k + k, std::span<double>(s.b.data() + r * k, k));
  }
  for (std::size_t i = 0; i < k; ++i)
    for (std::size_t r = 0; r < n; ++r) {
      double* row = s.ab.data() + (i * n + r) * k;
      std::copy_n(s.a.data() + r * k, k, row);
      row[i] = s.b[r * k + i];
    }
  return s;
}

sensitivity_indices sobol_indices(std::span<const double> ya, std::span<const double> yb, std::span<const double> yab,
                                  const sobol_bootstrap& bootstrap) {
  const std::size_t n = ya.size();
  if (n < 2) throw error("sobol_indices: ya: expected f(A) for at least 2 rows, got " + str(n));
  if (yb.size() != n) throw error("sobol_indices: yb: expected " + str(n) + " values like ya, got " + str(yb.size()));
  if (yab.empty() || yab.size() % n != 0)
    throw error("sobol_indices: yab: expected k·" + str(n) + " values (f(AB_i) for i = 0..k-1), got " +
                str(yab.size()));
  if (bootstrap.resamples > 0 && !(bootstrap.confidence > 0 && bootstrap.confidence < 1))
    throw error("sobol_indices: bootstrap confidence: expected a level in (0, 1), got " + num(bootstrap.confidence));
  const std::size_t k = yab.size() / n;
  sensitivity_indices out;
  out.n = n;
  out.first_order.resize(k);
  out.total.resize(k);
  estimate(ya, yb, yab, n, k, {}, out.first_order.data(), out.total.data(), &out.mean, &out.variance);
  if (bootstrap.resamples == 0) return out;

  const std::size_t m = bootstrap.resamples;
  std::vector<double> s1(m * k), st(m * k); // [i·m + b]
  std::vector<std::size_t> rows(n);
  std::vector<double> f(k), t(k);
  for (std::size_t b = 0; b < m; ++b) {
    for (std::size_t r = 0; r < n; ++r) {
      const double u = uniform_draw(bootstrap.seed, static_cast<std::uint64_t>(b) * n + r);
      rows[r] = (std::min)(static_cast<std::size_t>(u * static_cast<double>(n)), n - 1);
    }
    estimate(ya, yb, yab, n, k, rows, f.data(), t.data(), nullptr, nullptr);
    for (std::size_t i = 0; i < k; ++i) {
      s1[i * m + b] = f[i];
      st[i * m + b] = t[i];
    }
  }
  const double lo_q = (1 - bootstrap.confidence) / 2, hi_q = (1 + bootstrap.confidence) / 2;
  auto interval = [&](std::vector<double>& v, std::size_t i, std::vector<double>& lo, std::vector<double>& hi) {
    auto first = v.begin() + static_cast<std::ptrdiff_t>(i * m), last = first + static_cast<std::ptrdiff_t>(m);
    if (std::any_of(first, last, [](double x) { return std::isnan(x); })) {
      lo.push_back(nan);
      hi.push_back(nan);
      return;
    }
    std::sort(first, last);
    auto kth = [&](std::size_t j) { return first[static_cast<std::ptrdiff_t>(j)]; };
    lo.push_back(percentile_of(m, lo_q, kth));
    hi.push_back(percentile_of(m, hi_q, kth));
  };
  for (std::size_t i = 0; i < k; ++i) {
    interval(s1, i, out.first_order_low, out.first_order_high);
    interval(st, i, out.total_low, out.total_high);
  }
  return out;
}

// --- the composite engine ------------------------------------------------------------------------

namespace {

enum class input_kind : std::uint8_t { weights, variant, aggregation, drop };

/// The validated hierarchy and options, in the form the hot loop reads.
struct prepared {
  std::size_t units = 0, m = 0, nodes = 0, root = 0, variants = 0, levels = 0;
  std::vector<std::size_t> order;                  // nodes, children before parents
  std::vector<std::size_t> depth;                  // of each node (root 0)
  std::vector<std::size_t> parent;                 // of each node (none for the root)
  std::vector<std::size_t> ind_begin, ind_child;   // indicator children of node c: [ind_begin[c], ind_begin[c+1])
  std::vector<std::size_t> node_begin, node_child; // node children
  std::vector<double> indicator_weight, node_weight;
  std::vector<uncertainty_aggregator> node_aggregator;
  std::vector<uncertainty_aggregator> alternatives;
  double noise = 0;
  bool by_level = false;
  // inputs
  uncertainty_layout layout;
  std::vector<input_kind> kinds;
  std::vector<std::size_t> weight_column_of_node; // none for the root
  std::size_t weight_column = none, variant_column = none, aggregation_column = none, drop_column = none;
  // data
  std::vector<std::span<const double>> data;
  std::vector<std::vector<double>> logs; // per variant ln x (empty when no geometric mean can occur)
};

/// Generalised with p = 0 is the geometric mean.
uncertainty_aggregator canonical(uncertainty_aggregator a) {
  if (a.method == uncertainty_mean::generalised && a.power == 0) return {uncertainty_mean::geometric, 1.0};
  if (a.method != uncertainty_mean::generalised) a.power = 1.0;
  return a;
}

void check_aggregator(const uncertainty_aggregator& a, const std::string& where) {
  if (static_cast<unsigned>(a.method) > 3) throw error(where + ": unknown aggregation method");
  if (a.method == uncertainty_mean::generalised && !std::isfinite(a.power))
    throw error(where + ": expected a finite power for the generalised mean, got " + num(a.power));
}

prepared prepare(const uncertainty_hierarchy& h, std::size_t variants, const uncertainty_options& o) {
  const std::string fn = "rank_uncertainty: ";
  prepared p;
  p.m = h.indicator_parent.size();
  p.nodes = h.node_parent.size();
  p.variants = variants;
  if (p.m == 0) throw error(fn + "hierarchy.indicator_parent: expected at least one indicator");
  if (p.nodes == 0) throw error(fn + "hierarchy.node_parent: expected at least one node (the root)");
  if (variants == 0) throw error(fn + "variants: expected at least one units × indicators matrix");
  auto weights = [&](const std::vector<double>& w, std::size_t count, const char* name) {
    if (w.empty()) return std::vector<double>(count, 1.0);
    if (w.size() != count)
      throw error(fn + "hierarchy." + name + ": expected " + str(count) + " weights, got " + str(w.size()));
    for (std::size_t i = 0; i < count; ++i)
      if (!std::isfinite(w[i]) || w[i] < 0)
        throw error(fn + "hierarchy." + name + "[" + str(i) + "]: expected a finite weight >= 0, got " + num(w[i]));
    return w;
  };
  p.indicator_weight = weights(h.indicator_weight, p.m, "indicator_weight");
  p.node_weight = weights(h.node_weight, p.nodes, "node_weight");
  if (h.node_aggregator.empty()) {
    p.node_aggregator.assign(p.nodes, {});
  } else {
    if (h.node_aggregator.size() != p.nodes)
      throw error(fn + "hierarchy.node_aggregator: expected " + str(p.nodes) + " methods, got " +
                  str(h.node_aggregator.size()));
    for (std::size_t c = 0; c < p.nodes; ++c) {
      check_aggregator(h.node_aggregator[c], fn + "hierarchy.node_aggregator[" + str(c) + "]");
      p.node_aggregator.push_back(canonical(h.node_aggregator[c]));
    }
  }

  // the tree: one root, no cycles, every node with a child
  p.root = none;
  for (std::size_t c = 0; c < p.nodes; ++c) {
    const std::size_t par = h.node_parent[c];
    if (par == uncertainty_hierarchy::no_parent) {
      if (p.root != none)
        throw error(fn + "hierarchy.node_parent: expected exactly one root, got nodes " + str(p.root) + " and " +
                    str(c));
      p.root = c;
    } else if (par >= p.nodes || par == c) {
      throw error(fn + "hierarchy.node_parent[" + str(c) + "]: expected a node index < " + str(p.nodes) +
                  " other than the node itself, got " + str(par));
    }
  }
  if (p.root == none) throw error(fn + "hierarchy.node_parent: expected one root (parent no_parent / -1), got none");
  p.depth.assign(p.nodes, none);
  p.parent.assign(h.node_parent.begin(), h.node_parent.end());
  p.parent[p.root] = none;
  p.depth[p.root] = 0;
  for (std::size_t c = 0; c < p.nodes; ++c) {
    // walk up to a node of known depth; more than `nodes` steps is a cycle
    std::size_t x = c, steps = 0;
    while (p.depth[x] == none) {
      x = h.node_parent[x];
      if (++steps > p.nodes) throw error(fn + "hierarchy.node_parent: node " + str(c) + " is on a cycle");
    }
    std::size_t d = p.depth[x] + steps;
    for (x = c; p.depth[x] == none; x = h.node_parent[x]) p.depth[x] = d--;
  }
  for (std::size_t j = 0; j < p.m; ++j)
    if (h.indicator_parent[j] >= p.nodes)
      throw error(fn + "hierarchy.indicator_parent[" + str(j) + "]: expected a node index < " + str(p.nodes) +
                  ", got " + str(h.indicator_parent[j]));
  p.levels = *std::max_element(p.depth.begin(), p.depth.end()) + 1;
  p.order.resize(p.nodes);
  for (std::size_t c = 0; c < p.nodes; ++c) p.order[c] = c;
  std::stable_sort(p.order.begin(), p.order.end(),
                   [&](std::size_t a, std::size_t b) { return p.depth[a] > p.depth[b]; });
  // children lists (CSR)
  p.ind_begin.assign(p.nodes + 1, 0);
  p.node_begin.assign(p.nodes + 1, 0);
  for (std::size_t j = 0; j < p.m; ++j) ++p.ind_begin[h.indicator_parent[j] + 1];
  for (std::size_t c = 0; c < p.nodes; ++c)
    if (c != p.root) ++p.node_begin[h.node_parent[c] + 1];
  for (std::size_t c = 0; c < p.nodes; ++c) {
    p.ind_begin[c + 1] += p.ind_begin[c];
    p.node_begin[c + 1] += p.node_begin[c];
  }
  for (std::size_t c = 0; c < p.nodes; ++c)
    if (p.ind_begin[c + 1] == p.ind_begin[c] && p.node_begin[c + 1] == p.node_begin[c])
      throw error(fn + "hierarchy: node " + str(c) + " has no child (indicator or node)");
  p.ind_child.resize(p.m);
  p.node_child.resize(p.nodes - 1);
  {
    std::vector<std::size_t> fill(p.ind_begin.begin(), p.ind_begin.end() - 1);
    for (std::size_t j = 0; j < p.m; ++j) p.ind_child[fill[h.indicator_parent[j]]++] = j;
    std::vector<std::size_t> fill2(p.node_begin.begin(), p.node_begin.end() - 1);
    for (std::size_t c = 0; c < p.nodes; ++c)
      if (c != p.root) p.node_child[fill2[h.node_parent[c]]++] = c;
  }

  // options and the inputs
  if (!(o.weight_noise >= 0 && o.weight_noise <= 1))
    throw error(fn + "weight_noise: expected a fraction in [0, 1], got " + num(o.weight_noise));
  if (o.vary_variant && variants < 2)
    throw error(fn + "vary_variant: expected at least 2 variants to choose from, got " + str(variants));
  if (o.aggregators.size() == 1)
    throw error(fn + "aggregators: expected at least 2 alternatives to choose from (or none), got 1");
  for (std::size_t a = 0; a < o.aggregators.size(); ++a) {
    check_aggregator(o.aggregators[a], fn + "aggregators[" + str(a) + "]");
    p.alternatives.push_back(canonical(o.aggregators[a]));
  }
  if (o.replications < 2) throw error(fn + "replications: expected at least 2, got " + str(o.replications));
  if (!(o.progress_interval > 0 && o.progress_interval < 3600))
    throw error(fn + "progress_interval: expected seconds in (0, 3600), got " + num(o.progress_interval));
  p.noise = o.weight_noise;
  p.by_level = o.aggregation_by_level;
  auto add = [&](std::string name, input_kind kind, std::size_t columns) {
    p.layout.inputs.push_back(std::move(name));
    p.layout.first_column.push_back(p.layout.columns);
    p.layout.column_count.push_back(columns);
    p.kinds.push_back(kind);
    p.layout.columns += columns;
    return p.layout.columns - columns;
  };
  p.weight_column_of_node.assign(p.nodes, none);
  if (o.weight_noise > 0) {
    p.weight_column = add("weights", input_kind::weights, p.m + p.nodes - 1);
    std::size_t col = p.weight_column + p.m;
    for (std::size_t c = 0; c < p.nodes; ++c)
      if (c != p.root) p.weight_column_of_node[c] = col++;
  }
  if (o.vary_variant) p.variant_column = add("variant", input_kind::variant, 1);
  if (!p.alternatives.empty()) {
    if (!o.aggregation_by_level) {
      p.aggregation_column = add("aggregation", input_kind::aggregation, 1);
    } else {
      for (std::size_t d = 0; d < p.levels; ++d) {
        const std::size_t col = add("aggregation[depth " + str(d) + "]", input_kind::aggregation, 1);
        if (d == 0) p.aggregation_column = col;
      }
    }
  }
  if (o.drop_indicator) p.drop_column = add("drop_indicator", input_kind::drop, 1);
  if (p.layout.inputs.empty())
    throw error(fn + "nothing to vary: expected weight_noise > 0, vary_variant, aggregators or drop_indicator");
  return p;
}

/// One thread's buffers: the choices of a run and the values it computes.
struct run_buffers {
  std::vector<double> row;    // D draws
  std::vector<double> iw, nw; // indicator and node weights of the run
  std::vector<uncertainty_aggregator> agg;
  std::vector<std::uint8_t> log_only; // geometric node under a geometric parent: val holds ln(value)
  std::vector<double> val;            // node values of one unit
  std::vector<double> score;
  std::vector<std::uint64_t> keys, keys2;   // radix sort of the scores
  std::vector<std::uint32_t> units, units2; // their units
  std::vector<std::uint32_t> rank;          // 0: no rank
  std::size_t variant = 0;

  explicit run_buffers(const prepared& p)
      : row(p.layout.columns), iw(p.m), nw(p.nodes), agg(p.nodes), log_only(p.nodes), val(p.nodes), score(p.units),
        keys(p.units), keys2(p.units), units(p.units), units2(p.units), rank(p.units) {}
};

std::size_t choose(double u, std::size_t count) {
  return (std::min)(static_cast<std::size_t>(u * static_cast<double>(count)), count - 1);
}

void mark_log_only(const prepared& p, run_buffers& b) {
  for (std::size_t c = 0; c < p.nodes; ++c)
    b.log_only[c] = c != p.root && b.agg[c].method == uncertainty_mean::geometric &&
                    b.agg[p.parent[c]].method == uncertainty_mean::geometric;
}

/// Sets the run's weights, methods and variant from its draws (nominal: the base choices).
void apply(const prepared& p, run_buffers& b, bool nominal) {
  b.iw = p.indicator_weight;
  b.nw = p.node_weight;
  b.agg = p.node_aggregator;
  b.variant = 0;
  if (nominal) return mark_log_only(p, b);
  const double* u = b.row.data();
  if (p.weight_column != none) {
    const double x = p.noise;
    for (std::size_t j = 0; j < p.m; ++j) b.iw[j] *= 1 - x + 2 * x * u[p.weight_column + j];
    for (std::size_t c = 0; c < p.nodes; ++c)
      if (c != p.root) b.nw[c] *= 1 - x + 2 * x * u[p.weight_column_of_node[c]];
  }
  if (p.variant_column != none) b.variant = choose(u[p.variant_column], p.variants);
  if (p.aggregation_column != none) {
    const std::size_t alts = p.alternatives.size();
    for (std::size_t c = 0; c < p.nodes; ++c) {
      const std::size_t col = p.aggregation_column + (p.by_level ? p.depth[c] : 0);
      b.agg[c] = p.alternatives[choose(u[col], alts)];
    }
  }
  if (p.drop_column != none) {
    const std::size_t d = choose(u[p.drop_column], p.m + 1);
    if (d > 0) b.iw[d - 1] = 0;
  }
  mark_log_only(p, b);
}

/// The composite index of every unit into b.score (NaN: missing).
void evaluate_scores(const prepared& p, run_buffers& b) {
  const std::span<const double> data = p.data[b.variant];
  const double* logs = p.logs.empty() ? nullptr : p.logs[b.variant].data();
  const std::size_t* ic = p.ind_child.data();
  const std::size_t* nc = p.node_child.data();
  for (std::size_t u = 0; u < p.units; ++u) {
    const double* x = data.data() + u * p.m;
    const double* lx = logs ? logs + u * p.m : nullptr;
    for (const std::size_t c : p.order) {
      const uncertainty_aggregator a = b.agg[c];
      const std::size_t i0 = p.ind_begin[c], i1 = p.ind_begin[c + 1];
      const std::size_t n0 = p.node_begin[c], n1 = p.node_begin[c + 1];
      double sw = 0, acc = 0;
      bool zero = false;
      switch (a.method) {
      case uncertainty_mean::arithmetic:
        for (std::size_t t = i0; t < i1; ++t) {
          const double w = b.iw[ic[t]], v = x[ic[t]];
          if (w > 0 && !std::isnan(v)) {
            sw += w;
            acc += w * v;
          }
        }
        for (std::size_t t = n0; t < n1; ++t) {
          const double w = b.nw[nc[t]], v = b.val[nc[t]];
          if (w > 0 && !std::isnan(v)) {
            sw += w;
            acc += w * v;
          }
        }
        b.val[c] = sw > 0 ? acc / sw : nan;
        break;
      case uncertainty_mean::geometric:
        // ln 0 = -inf makes the mean exp(-inf) = 0, the limit; values are >= 0 (checked). A child
        // marked log_only holds its logarithm already (no exp then ln between two geometric means).
        for (std::size_t t = i0; t < i1; ++t) {
          const double w = b.iw[ic[t]], v = x[ic[t]];
          if (w > 0 && !std::isnan(v)) {
            sw += w;
            acc += w * lx[ic[t]];
          }
        }
        for (std::size_t t = n0; t < n1; ++t) {
          const double w = b.nw[nc[t]], v = b.val[nc[t]];
          if (w > 0 && !std::isnan(v)) {
            sw += w;
            acc += w * (b.log_only[nc[t]] ? v : std::log(v));
          }
        }
        b.val[c] = sw > 0 ? (b.log_only[c] ? acc / sw : std::exp(acc / sw)) : nan;
        break;
      case uncertainty_mean::harmonic:
      case uncertainty_mean::generalised: {
        const bool harmonic = a.method == uncertainty_mean::harmonic;
        const double pw = a.power;
        auto term = [&](double w, double v) {
          sw += w;
          if (v == 0) {
            if (harmonic || pw < 0) zero = true; // the limit of the mean is 0
          } else {
            acc += harmonic ? w / v : w * std::pow(v, pw);
          }
        };
        for (std::size_t t = i0; t < i1; ++t) {
          const double w = b.iw[ic[t]], v = x[ic[t]];
          if (w > 0 && !std::isnan(v)) term(w, v);
        }
        for (std::size_t t = n0; t < n1; ++t) {
          const double w = b.nw[nc[t]], v = b.val[nc[t]];
          if (w > 0 && !std::isnan(v)) term(w, v);
        }
        if (!(sw > 0))
          b.val[c] = nan;
        else if (zero)
          b.val[c] = 0;
        else
          b.val[c] = harmonic ? sw / acc : std::pow(acc / sw, 1 / pw);
        break;
      }
      }
    }
    b.score[u] = b.val[p.root];
  }
}

/// Ranks b.score into b.rank (1 = highest, ties the smallest rank, 0 = missing): an LSD radix sort
/// (8 passes of 8 bits, passes whose digit is the same for every key skipped) of order-preserving
/// 64-bit keys, descending; equal keys are equal scores (−0 is made +0 first), so ties are found
/// by comparing neighbours and the order among them does not matter.
void rank_scores(run_buffers& b) {
  std::size_t count = 0;
  for (std::size_t u = 0; u < b.score.size(); ++u) {
    b.rank[u] = 0;
    if (std::isnan(b.score[u])) continue;
    const auto bits = std::bit_cast<std::uint64_t>(b.score[u] + 0.0);
    const std::uint64_t ascending = (bits >> 63) ? ~bits : bits | (std::uint64_t{1} << 63);
    b.keys[count] = ~ascending;
    b.units[count] = static_cast<std::uint32_t>(u);
    ++count;
  }
  std::array<std::array<std::uint32_t, 256>, 8> hist{};
  for (std::size_t i = 0; i < count; ++i)
    for (unsigned d = 0; d < 8; ++d) ++hist[d][(b.keys[i] >> (8 * d)) & 0xFF];
  for (unsigned d = 0; d < 8 && count > 1; ++d) {
    auto& h = hist[d];
    if (h[(b.keys[0] >> (8 * d)) & 0xFF] == count) continue; // one digit for all keys
    std::uint32_t sum = 0;
    for (auto& c : h) {
      const std::uint32_t x = c;
      c = sum;
      sum += x;
    }
    for (std::size_t i = 0; i < count; ++i) {
      const std::uint32_t to = h[(b.keys[i] >> (8 * d)) & 0xFF]++;
      b.keys2[to] = b.keys[i];
      b.units2[to] = b.units[i];
    }
    b.keys.swap(b.keys2);
    b.units.swap(b.units2);
  }
  std::uint32_t r = 0;
  for (std::size_t t = 0; t < count; ++t) {
    if (t == 0 || b.keys[t] != b.keys[t - 1]) r = static_cast<std::uint32_t>(t + 1);
    b.rank[b.units[t]] = r;
  }
}

/// Mean |rank − nominal rank| over the units ranked in both (NaN if none).
double shift(const std::vector<std::uint32_t>& rank, const std::vector<std::uint32_t>& nominal) {
  double sum = 0;
  std::size_t count = 0;
  for (std::size_t u = 0; u < rank.size(); ++u)
    if (rank[u] != 0 && nominal[u] != 0) {
      sum += rank[u] > nominal[u] ? rank[u] - nominal[u] : nominal[u] - rank[u];
      ++count;
    }
  return count ? sum / static_cast<double>(count) : nan;
}

} // namespace

uncertainty_layout make_uncertainty_layout(const uncertainty_hierarchy& hierarchy, std::size_t variants,
                                           const uncertainty_options& options) {
  return prepare(hierarchy, variants, options).layout;
}

uncertainty_result rank_uncertainty(std::span<const std::span<const double>> variants, std::size_t units,
                                    const uncertainty_hierarchy& hierarchy, const uncertainty_options& options) {
  const std::string fn = "rank_uncertainty: ";
  prepared p = prepare(hierarchy, variants.size(), options);
  if (units == 0) throw error(fn + "units: expected at least one unit");
  if (units >= (std::numeric_limits<std::uint32_t>::max)())
    throw error(fn + "units: expected fewer than 2^32 - 1 units, got " + str(units));
  p.units = units;
  const std::size_t n = options.replications;
  const std::size_t k = p.layout.inputs.size();
  const std::size_t dcols = p.layout.columns;
  if (units > (std::numeric_limits<std::size_t>::max)() / 8 / n / p.m)
    throw error(fn + "units × replications too large");

  // data: sizes, values >= 0 wherever a non-arithmetic mean can be used
  bool nonarithmetic = false, geometric = false;
  auto note = [&](const uncertainty_aggregator& a) {
    nonarithmetic = nonarithmetic || a.method != uncertainty_mean::arithmetic;
    geometric = geometric || a.method == uncertainty_mean::geometric;
  };
  for (const auto& a : p.node_aggregator) note(a);
  for (const auto& a : p.alternatives) note(a);
  for (std::size_t v = 0; v < variants.size(); ++v) {
    const auto& x = variants[v];
    if (x.size() != units * p.m)
      throw error(fn + "variants[" + str(v) + "]: expected units × indicators = " + str(units) + " × " + str(p.m) +
                  " = " + str(units * p.m) + " values, got " + str(x.size()));
    for (std::size_t i = 0; i < x.size(); ++i) {
      if (std::isnan(x[i])) continue;
      if (!std::isfinite(x[i]) || (nonarithmetic && x[i] < 0))
        throw error(fn + "variants[" + str(v) + "]: unit " + str(i / p.m) + ", indicator " + str(i % p.m) +
                    ": expected a finite value" +
                    (nonarithmetic ? " >= 0 (geometric, harmonic and generalised means)" : "") +
                    " or NaN (missing), got " + num(x[i]));
    }
    p.data.push_back(x);
    if (geometric) {
      std::vector<double> l(x.size());
      for (std::size_t i = 0; i < x.size(); ++i) l[i] = std::isnan(x[i]) ? nan : std::log(x[i]);
      p.logs.push_back(std::move(l));
    }
  }
  const std::span<const double> draws = options.draws;
  if (!draws.empty()) {
    if (draws.size() != n * 2 * dcols)
      throw error(fn + "draws: expected replications × 2D = " + str(n) + " × " + str(2 * dcols) + " values, got " +
                  str(draws.size()));
    for (std::size_t i = 0; i < draws.size(); ++i)
      if (!(draws[i] >= 0 && draws[i] < 1))
        throw error(fn + "draws: row " + str(i / (2 * dcols)) + ", column " + str(i % (2 * dcols)) +
                    ": expected a uniform in [0, 1), got " + num(draws[i]));
  }

  uncertainty_result res;
  res.units = units;
  res.replications = n;
  res.layout = p.layout;
  res.runs = options.sensitivity ? (k + 2) * n : n;

  // the nominal run
  std::vector<std::uint32_t> nominal(units);
  {
    run_buffers b(p);
    apply(p, b, true);
    evaluate_scores(p, b);
    rank_scores(b);
    nominal = b.rank;
    res.nominal_score = b.score;
    res.nominal_rank.resize(units);
    for (std::size_t u = 0; u < units; ++u) res.nominal_rank[u] = nominal[u] ? static_cast<double>(nominal[u]) : nan;
  }
  if (std::all_of(nominal.begin(), nominal.end(), [](std::uint32_t r) { return r == 0; }))
    throw error(fn + "no unit has an index with the base choices (every unit is missing)");

  std::vector<std::uint32_t> ranks(n * units);
  res.shift_a.assign(n, nan);
  if (options.sensitivity) {
    res.shift_b.assign(n, nan);
    res.shift_ab.assign(k * n, nan);
  }

  // run t: A row t (t < n), B row t − n (t < 2n), AB_i row r (t = 2n + i·n + r)
  auto one_run = [&](std::size_t t, run_buffers& b) {
    const std::size_t r = t % n, which = t / n; // 0 A, 1 B, 2 + i AB_i
    auto fill = [&](std::size_t offset, std::size_t first, std::size_t count) {
      if (draws.empty())
        uniform_draws(options.seed, static_cast<std::uint64_t>(r) * 2 * dcols + offset + first,
                      std::span<double>(b.row.data() + first, count));
      else
        std::copy_n(draws.data() + r * 2 * dcols + offset + first, count, b.row.data() + first);
    };
    if (which == 1) {
      fill(dcols, 0, dcols);
    } else {
      fill(0, 0, dcols);
      if (which >= 2) {
        const std::size_t i = which - 2;
        fill(dcols, p.layout.first_column[i], p.layout.column_count[i]);
      }
    }
    apply(p, b, false);
    evaluate_scores(p, b);
    rank_scores(b);
    const double y = shift(b.rank, nominal);
    if (which == 0) {
      res.shift_a[r] = y;
      std::copy(b.rank.begin(), b.rank.end(), ranks.begin() + static_cast<std::ptrdiff_t>(r * units));
    } else if (which == 1) {
      res.shift_b[r] = y;
    } else {
      res.shift_ab[(which - 2) * n + r] = y;
    }
  };

  // the workers
  const std::size_t total = res.runs;
  constexpr std::size_t block = 8;
  const std::size_t blocks = (total + block - 1) / block;
  unsigned threads = options.threads ? options.threads : (std::max)(1u, std::thread::hardware_concurrency());
  threads = static_cast<unsigned>((std::min)(static_cast<std::size_t>(threads), blocks));
  std::atomic<std::size_t> next{0}, done{0};
  std::atomic<bool> stop{false};
  std::mutex mutex;
  std::condition_variable finished_cv;
  unsigned finished = 0;
  std::exception_ptr failure;
  const std::atomic<bool>* cancel = options.cancel;
  auto worker = [&] {
    try {
      run_buffers b(p);
      while (!stop.load(std::memory_order_relaxed)) {
        const std::size_t t0 = next.fetch_add(block, std::memory_order_relaxed);
        if (t0 >= total) break;
        const std::size_t t1 = (std::min)(t0 + block, total);
        for (std::size_t t = t0; t < t1; ++t) {
          if ((cancel && cancel->load(std::memory_order_relaxed)) || stop.load(std::memory_order_relaxed)) {
            stop.store(true);
            break;
          }
          one_run(t, b);
          done.fetch_add(1, std::memory_order_relaxed);
        }
      }
    } catch (...) {
      std::lock_guard<std::mutex> lock(mutex);
      if (!failure) failure = std::current_exception();
      stop.store(true);
    }
    std::lock_guard<std::mutex> lock(mutex);
    ++finished;
    finished_cv.notify_all();
  };
  std::vector<std::thread> pool;
  pool.reserve(threads);
  try {
    for (unsigned i = 0; i < threads; ++i) pool.emplace_back(worker);
  } catch (...) {
    stop.store(true);
    for (auto& th : pool) th.join();
    throw;
  }
  {
    const auto interval = std::chrono::duration<double>(options.progress_interval);
    std::unique_lock<std::mutex> lock(mutex);
    while (finished < pool.size()) {
      finished_cv.wait_for(lock, interval, [&] { return finished == pool.size(); });
      if (finished == pool.size()) break;
      if (cancel && cancel->load()) stop.store(true);
      if (options.progress && !stop.load()) {
        lock.unlock();
        try {
          options.progress(done.load(), total);
        } catch (...) {
          std::lock_guard<std::mutex> g(mutex);
          if (!failure) failure = std::current_exception();
          stop.store(true);
        }
        lock.lock();
      }
    }
  }
  for (auto& th : pool) th.join();
  if (failure) std::rethrow_exception(failure);
  if (done.load() != total)
    throw cancelled_error(fn + "cancelled after " + str(done.load()) + " of " + str(total) + " runs");
  if (options.progress) options.progress(total, total);

  // rank statistics over A, per unit from a histogram of its ranks (ranks are 1..units)
  res.rank_mean.assign(units, nan);
  res.rank_median.assign(units, nan);
  res.rank_p05.assign(units, nan);
  res.rank_p95.assign(units, nan);
  res.ranked.assign(units, 0);
  std::vector<std::uint32_t> hist(units + 1);
  std::vector<std::size_t> cumulative(units + 1);
  for (std::size_t u = 0; u < units; ++u) {
    std::fill(hist.begin(), hist.end(), 0u);
    double sum = 0;
    std::size_t c = 0;
    for (std::size_t r = 0; r < n; ++r) {
      const std::uint32_t x = ranks[r * units + u];
      if (x == 0) continue;
      ++hist[x];
      sum += x;
      ++c;
    }
    res.ranked[u] = c;
    if (c == 0) continue;
    // cumulative[x] = ranks <= x; the i-th smallest (0-based) is the smallest x with cumulative > i
    std::size_t acc = 0;
    for (std::size_t x = 0; x <= units; ++x) cumulative[x] = acc += hist[x];
    auto kth = [&](std::size_t i) {
      return static_cast<double>(std::upper_bound(cumulative.begin(), cumulative.end(), i) - cumulative.begin());
    };
    res.rank_mean[u] = sum / static_cast<double>(c);
    res.rank_median[u] = percentile_of(c, 0.5, kth);
    res.rank_p05[u] = percentile_of(c, 0.05, kth);
    res.rank_p95[u] = percentile_of(c, 0.95, kth);
  }
  if (options.keep_ranks) res.ranks = std::move(ranks);

  if (options.sensitivity) {
    const sensitivity_indices s = sobol_indices(res.shift_a, res.shift_b, res.shift_ab);
    res.first_order = s.first_order;
    res.total = s.total;
    res.shift_mean = s.mean;
    res.shift_variance = s.variance;
  } else {
    double sum = 0, ss = 0;
    for (double y : res.shift_a) sum += y;
    const double mean = sum / static_cast<double>(n);
    for (double y : res.shift_a) ss += (y - mean) * (y - mean);
    res.shift_mean = mean;
    res.shift_variance = ss / static_cast<double>(n);
  }
  return res;
}

uncertainty_hierarchy to_uncertainty_hierarchy(const composite_tree& tree) {
  uncertainty_hierarchy h;
  const std::size_t nodes = tree.node_ids.size();
  for (std::size_t k = 0; k < nodes; ++k)
    if (tree.node_min_share[k] > 0)
      throw error("composite uncertainty: node \"" + tree.node_ids[k] + "\" has min_share " +
                  detail::format_number(tree.node_min_share[k]) +
                  ", which the uncertainty engine does not apply (a node is missing there only without any "
                  "child); set it to 0");
  h.indicator_parent.assign(tree.indicator_parent.begin(), tree.indicator_parent.end());
  h.indicator_weight = tree.indicator_weight;
  h.node_parent.resize(nodes);
  for (std::size_t k = 0; k < nodes; ++k)
    h.node_parent[k] =
        tree.node_parent[k] < 0 ? uncertainty_hierarchy::no_parent : static_cast<std::size_t>(tree.node_parent[k]);
  h.node_weight = tree.node_weight;
  h.node_aggregator.resize(nodes);
  for (std::size_t k = 0; k < nodes; ++k)
    h.node_aggregator[k] = {tree.node_method[k],
                            tree.node_method[k] == aggregation::generalised ? tree.node_power[k] : 1.0};
  return h;
}

uncertainty_result composite_uncertainty(const composite_data& data, const composite_spec& spec,
                                         std::span<const composite_spec> alternatives, uncertainty_options options) {
  const auto hierarchy = to_uncertainty_hierarchy(make_composite_tree(spec));
  std::vector<std::vector<double>> matrices;
  matrices.reserve(alternatives.size() + 1);
  matrices.push_back(normalised_matrix(data, spec));
  for (std::size_t k = 0; k < alternatives.size(); ++k) {
    if (alternatives[k].indicators.size() != spec.indicators.size())
      throw error("composite uncertainty: alternatives[" + std::to_string(k) + "] has " +
                  std::to_string(alternatives[k].indicators.size()) + " indicators, expected " +
                  std::to_string(spec.indicators.size()) + " (the same composite with other choices)");
    matrices.push_back(normalised_matrix(data, alternatives[k]));
  }
  std::vector<std::span<const double>> variants(matrices.begin(), matrices.end());
  if (!alternatives.empty()) options.vary_variant = true;
  return rank_uncertainty(variants, data.units, hierarchy, options);
}

} // namespace planeval
