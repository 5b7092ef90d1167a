// Copyright (c) 2026 planeval developers. Distributed under the MIT License.
// Sobol' indices on Saltelli's design and the composite rank uncertainty engine of
// planeval/uncertainty.hpp: preparation of a composite_tree (its aggregation_plan, the inputs and
// their draw columns, log tables), one composite evaluation per run into per-thread buffers with
// the kernel of planeval/composite/mean.hpp, ranking with composite/rank.hpp, the worker threads
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

saltelli_sample make_saltelli_sample(std::size_t n, std::size_t k, std::uint64_t seed, sampling_method sampling) {
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
  if (sampling == sampling_method::sobol) {
    if (2 * k > sobol_max_dimension)
      throw error("make_saltelli_sample: k: Sobol' points for at most " + str(sobol_max_dimension / 2) +
                  " inputs (2k dimensions), got " + str(k));
    std::vector<double> points(n * 2 * k);
    sobol_points(1, n, 2 * k, points);
    for (std::size_t r = 0; r < n; ++r) {
      std::copy_n(points.data() + r * 2 * k, k, s.a.data() + r * k);
      std::copy_n(points.data() + r * 2 * k + k, k, s.b.data() + r * k);
    }
  } else {
    for (std::size_t r = 0; r < n; ++r) {
      uniform_draws(seed, r * 2 * k, std::span<double>(s.a.data() + r * k, k));
      uniform_draws(seed, r * 2 * k + k, std::span<double>(s.b.data() + r * k, k));
    }
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

enum class input_kind : std::uint8_t { weights, level_weights, variant, aggregation, drop };

/// The validated tree and options, in the form the hot loop reads.
struct prepared {
  std::size_t units = 0, m = 0, nodes = 0, root = 0, variants = 0, levels = 0;
  const composite_tree* tree = nullptr; // for messages
  aggregation_plan plan;
  std::vector<double> indicator_weight, node_weight;
  std::vector<node_mean> node_means; // the base methods
  std::vector<node_mean> alternatives;
  zero_policy zeros = zero_policy::error;
  double noise = 0;
  bool by_level = false;
  // inputs
  uncertainty_layout layout;
  std::vector<input_kind> kinds;
  std::vector<std::size_t> weight_column_of_node; // "weights": none for the root
  std::size_t weight_column = none, variant_column = none, aggregation_column = none, drop_column = none;
  /// "weights[level L]": per input its level, noise and first column
  std::vector<std::size_t> level_of_input;
  std::vector<double> level_noise;
  std::vector<std::size_t> level_column;
  // data
  std::vector<std::span<const double>> data;
  std::vector<std::vector<double>> logs; // per variant ln x (empty when no geometric mean can occur)
  std::vector<std::uint8_t> positive;    // per variant: every value > 0 or NaN (the kernel need not check)
};

void check_aggregator(const uncertainty_aggregator& a, const std::string& where) {
  if (static_cast<unsigned>(a.method) > 3) throw error(where + ": unknown aggregation method");
  if (a.method == uncertainty_mean::generalised && !std::isfinite(a.power))
    throw error(where + ": expected a finite power for the generalised mean, got " + num(a.power));
}

prepared prepare(const composite_tree& t, std::size_t variants, const uncertainty_options& o) {
  const std::string fn = "rank_uncertainty: ";
  prepared p;
  p.tree = &t;
  p.m = t.indicator_parent.size();
  p.nodes = t.node_ids.size();
  p.variants = variants;
  if (p.m == 0) throw error(fn + "tree: expected at least one indicator");
  if (p.nodes == 0) throw error(fn + "tree: expected at least one node (the root)");
  if (variants == 0) throw error(fn + "variants: expected at least one units × indicators matrix");
  p.plan = make_aggregation_plan(t);
  p.root = p.plan.root;
  p.levels = p.plan.levels;
  p.indicator_weight = t.indicator_weight;
  p.node_weight = t.node_weight;
  p.zeros = t.zeros;
  p.node_means.resize(p.nodes);
  for (std::size_t c = 0; c < p.nodes; ++c) p.node_means[c] = canonical_mean(t.node_method[c], t.node_power[c]);

  // options and the inputs
  if (!(o.weight_noise >= 0 && o.weight_noise <= 1))
    throw error(fn + "weight_noise: expected a fraction in [0, 1], got " + num(o.weight_noise));
  if (o.weight_noise > 0 && !o.weight_noise_levels.empty())
    throw error(fn + "weight_noise_levels: expected either weight_noise (every level) or noise per level, not both");
  if (o.vary_variant && variants < 2)
    throw error(fn + "vary_variant: expected at least 2 variants to choose from, got " + str(variants));
  if (o.aggregators.size() == 1)
    throw error(fn + "aggregators: expected at least 2 alternatives to choose from (or none), got 1");
  for (std::size_t a = 0; a < o.aggregators.size(); ++a) {
    check_aggregator(o.aggregators[a], fn + "aggregators[" + str(a) + "]");
    p.alternatives.push_back(canonical_mean(o.aggregators[a].method, o.aggregators[a].power));
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
  for (std::size_t i = 0; i < o.weight_noise_levels.size(); ++i) {
    const level_noise& ln = o.weight_noise_levels[i];
    const std::string where = fn + "weight_noise_levels[" + str(i) + "]";
    if (ln.level < 1 || ln.level >= p.levels)
      throw error(where + ".level: expected a level from 1 (indicators) to " + str(p.levels - 1) +
                  " (below the root, level " + str(p.levels) + "), got " + str(ln.level));
    if (!(ln.noise > 0 && ln.noise <= 1))
      throw error(where + ".noise: expected a fraction in (0, 1], got " + num(ln.noise));
    for (std::size_t j = 0; j < i; ++j)
      if (o.weight_noise_levels[j].level == ln.level)
        throw error(where + ".level: level " + str(ln.level) + " is also weight_noise_levels[" + str(j) + "]");
    std::size_t count = ln.level == 1 ? p.m : 0;
    for (std::size_t c = 0; c < p.nodes; ++c)
      if (c != p.root && p.plan.level[c] == ln.level) ++count;
    if (count == 0) throw error(where + ".level: no weight at level " + str(ln.level));
    p.level_of_input.push_back(ln.level);
    p.level_noise.push_back(ln.noise);
    p.level_column.push_back(add("weights[level " + str(ln.level) + "]", input_kind::level_weights, count));
  }
  if (o.vary_variant) p.variant_column = add("variant", input_kind::variant, 1);
  if (!p.alternatives.empty()) {
    if (!o.aggregation_by_level) {
      p.aggregation_column = add("aggregation", input_kind::aggregation, 1);
    } else {
      std::size_t depths = 0;
      for (const std::uint32_t d : p.plan.depth) depths = (std::max)(depths, std::size_t{d} + 1);
      for (std::size_t d = 0; d < depths; ++d) {
        const std::size_t col = add("aggregation[depth " + str(d) + "]", input_kind::aggregation, 1);
        if (d == 0) p.aggregation_column = col;
      }
    }
  }
  if (o.drop_indicator) p.drop_column = add("drop_indicator", input_kind::drop, 1);
  if (p.layout.inputs.empty())
    throw error(fn +
                "nothing to vary: expected weight_noise > 0, weight_noise_levels, vary_variant, aggregators or "
                "drop_indicator");
  return p;
}

/// One thread's buffers: the choices of a run and the values it computes.
struct run_buffers {
  std::vector<double> row;    // D draws
  std::vector<double> iw, nw; // indicator and node weights of the run
  std::vector<node_mean> means;
  std::vector<std::uint8_t> log_only; // geometric node under a geometric parent: val holds ln(value)
  std::vector<double> val;            // node values of one unit
  std::vector<double> score;
  rank_workspace ranking;
  std::vector<std::uint32_t> rank; // 0: no rank
  std::size_t variant = 0;

  explicit run_buffers(const prepared& p)
      : row(p.layout.columns), iw(p.m), nw(p.nodes), means(p.nodes), log_only(p.nodes), val(p.nodes), score(p.units),
        rank(p.units) {
    ranking.keys.resize(p.units);
    ranking.keys2.resize(p.units);
    ranking.items.resize(p.units);
    ranking.items2.resize(p.units);
  }
};

std::size_t choose(double u, std::size_t count) {
  return (std::min)(static_cast<std::size_t>(u * static_cast<double>(count)), count - 1);
}

/// Sets the run's weights, methods and variant from its draws (nominal: the base choices).
void apply(const prepared& p, run_buffers& b, bool nominal) {
  b.iw = p.indicator_weight;
  b.nw = p.node_weight;
  b.means = p.node_means;
  b.variant = 0;
  if (!nominal) {
    const double* u = b.row.data();
    if (p.weight_column != none) {
      const double x = p.noise;
      for (std::size_t j = 0; j < p.m; ++j) b.iw[j] *= 1 - x + 2 * x * u[p.weight_column + j];
      for (std::size_t c = 0; c < p.nodes; ++c)
        if (c != p.root) b.nw[c] *= 1 - x + 2 * x * u[p.weight_column_of_node[c]];
    }
    for (std::size_t i = 0; i < p.level_of_input.size(); ++i) {
      const double x = p.level_noise[i];
      const std::size_t level = p.level_of_input[i];
      std::size_t col = p.level_column[i];
      if (level == 1)
        for (std::size_t j = 0; j < p.m; ++j) b.iw[j] *= 1 - x + 2 * x * u[col++];
      for (std::size_t c = 0; c < p.nodes; ++c)
        if (c != p.root && p.plan.level[c] == level) b.nw[c] *= 1 - x + 2 * x * u[col++];
    }
    if (p.variant_column != none) b.variant = choose(u[p.variant_column], p.variants);
    if (p.aggregation_column != none) {
      const std::size_t alts = p.alternatives.size();
      for (std::size_t c = 0; c < p.nodes; ++c) {
        const std::size_t col = p.aggregation_column + (p.by_level ? p.plan.depth[c] : 0);
        b.means[c] = p.alternatives[choose(u[col], alts)];
      }
    }
    if (p.drop_column != none) {
      const std::size_t d = choose(u[p.drop_column], p.m + 1);
      if (d > 0) b.iw[d - 1] = 0;
    }
  }
  mark_log_only(p.plan, b.means.data(), b.log_only.data());
}

/// The composite index of every unit into b.score (NaN: missing), by the kernel of
/// composite/mean.hpp; a value a mean cannot take is a data_error naming the run's choices.
void evaluate_scores(const prepared& p, run_buffers& b, std::size_t run) {
  const std::span<const double> data = p.data[b.variant];
  const double* logs = p.logs.empty() ? nullptr : p.logs[b.variant].data();
  aggregation_fault fault;
  std::size_t u = 0;
  if (!aggregate_units(p.plan, b.iw.data(), b.nw.data(), b.means.data(), b.log_only.data(), p.zeros, data.data(), logs,
                       p.m, p.units, b.val.data(), 0, b.score.data(), fault, u, !p.positive[b.variant]))
    throw data_error("rank_uncertainty: " + (run == none ? std::string("the nominal run") : "run " + str(run)) +
                     " (variant " + str(b.variant) + "): " +
                     aggregation_fault_message(*p.tree, u, fault, b.means[fault.node].method,
                                               b.means[fault.node].power));
}

/// Ranks b.score into b.rank (composite/rank.hpp).
void rank_scores(run_buffers& b) { rank_min_descending(b.score.data(), 1, b.rank, b.ranking); }

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

composite_tree to_composite_tree(const uncertainty_hierarchy& h) {
  const std::string fn = "rank_uncertainty: hierarchy.";
  const std::size_t nodes = h.node_parent.size(), m = h.indicator_parent.size();
  auto weights = [&](const std::vector<double>& w, std::size_t count, const char* name) {
    if (w.empty()) return std::vector<double>(count, 1.0);
    if (w.size() != count) throw error(fn + name + ": expected " + str(count) + " weights, got " + str(w.size()));
    return w;
  };
  const auto iw = weights(h.indicator_weight, m, "indicator_weight");
  const auto nw = weights(h.node_weight, nodes, "node_weight");
  if (!h.node_min_share.empty() && h.node_min_share.size() != nodes)
    throw error(fn + "node_min_share: expected " + str(nodes) + " shares, got " + str(h.node_min_share.size()));
  if (!h.node_aggregator.empty() && h.node_aggregator.size() != nodes)
    throw error(fn + "node_aggregator: expected " + str(nodes) + " methods, got " + str(h.node_aggregator.size()));
  composite_spec spec;
  spec.zeros = h.zeros;
  for (std::size_t c = 0; c < nodes; ++c) {
    composite_node n;
    n.id = "node " + str(c);
    const std::size_t par = h.node_parent[c];
    if (par != uncertainty_hierarchy::no_parent) {
      if (par >= nodes || par == c)
        throw error(fn + "node_parent[" + str(c) + "]: expected a node index < " + str(nodes) +
                    " other than the node itself, got " + str(par));
      n.parent = "node " + str(par);
    }
    n.weight = nw[c];
    if (!h.node_min_share.empty()) n.min_share = h.node_min_share[c];
    if (!h.node_aggregator.empty()) {
      check_aggregator(h.node_aggregator[c], fn + "node_aggregator[" + str(c) + "]");
      n.method = h.node_aggregator[c].method;
      n.power = h.node_aggregator[c].power;
    }
    spec.nodes.push_back(std::move(n));
  }
  for (std::size_t j = 0; j < m; ++j) {
    composite_indicator ind;
    ind.id = "indicator " + str(j);
    if (h.indicator_parent[j] >= nodes)
      throw error(fn + "indicator_parent[" + str(j) + "]: expected a node index < " + str(nodes) + ", got " +
                  str(h.indicator_parent[j]));
    ind.parent = "node " + str(h.indicator_parent[j]);
    ind.weight = iw[j];
    spec.indicators.push_back(std::move(ind));
  }
  if (m == 0) throw error(fn + "indicator_parent: expected at least one indicator");
  try {
    return make_composite_tree(spec);
  } catch (const data_error& e) {
    throw data_error("rank_uncertainty: hierarchy (checked as a composite_tree): " + std::string(e.what()));
  }
}

uncertainty_layout make_uncertainty_layout(const composite_tree& tree, std::size_t variants,
                                           const uncertainty_options& options) {
  return prepare(tree, variants, options).layout;
}

uncertainty_layout make_uncertainty_layout(const uncertainty_hierarchy& hierarchy, std::size_t variants,
                                           const uncertainty_options& options) {
  return make_uncertainty_layout(to_composite_tree(hierarchy), variants, options);
}

uncertainty_result rank_uncertainty(std::span<const std::span<const double>> variants, std::size_t units,
                                    const uncertainty_hierarchy& hierarchy, const uncertainty_options& options) {
  return rank_uncertainty(variants, units, to_composite_tree(hierarchy), options);
}

uncertainty_result rank_uncertainty(std::span<const std::span<const double>> variants, std::size_t units,
                                    const composite_tree& tree, const uncertainty_options& options) {
  const std::string fn = "rank_uncertainty: ";
  prepared p = prepare(tree, variants.size(), options);
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
  auto note = [&](const node_mean& a) {
    nonarithmetic = nonarithmetic || a.method != uncertainty_mean::arithmetic;
    geometric = geometric || a.method == uncertainty_mean::geometric;
  };
  for (const auto& a : p.node_means) note(a);
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
    p.positive.push_back(std::all_of(x.begin(), x.end(), [](double y) { return std::isnan(y) || y > 0; }) ? 1 : 0);
    if (geometric) {
      std::vector<double> l(x.size());
      for (std::size_t i = 0; i < x.size(); ++i) l[i] = std::isnan(x[i]) ? nan : std::log(x[i]);
      p.logs.push_back(std::move(l));
    }
  }
  std::vector<double> sobol_draws;
  if (options.draws.empty() && options.sampling == sampling_method::sobol) {
    if (2 * dcols > sobol_max_dimension)
      throw error(fn + "sampling: Sobol' points need 2D ≤ " + str(sobol_max_dimension) + " draw columns, got 2 × " +
                  str(dcols));
    sobol_draws.resize(n * 2 * dcols);
    sobol_points(1, n, 2 * dcols, sobol_draws);
  }
  const std::span<const double> draws = sobol_draws.empty() ? options.draws : std::span<const double>(sobol_draws);
  if (!options.draws.empty()) {
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
    evaluate_scores(p, b, none);
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
    evaluate_scores(p, b, t);
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
  h.node_min_share = tree.node_min_share;
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
  h.zeros = tree.zeros;
  return h;
}

uncertainty_result composite_uncertainty(const composite_data& data, const composite_spec& spec,
                                         std::span<const composite_spec> alternatives, uncertainty_options options) {
  const composite_tree tree = make_composite_tree(spec);
  std::vector<std::vector<double>> matrices;
  matrices.reserve(alternatives.size() + 1);
  composite_record base, other;
  matrices.push_back(normalised_matrix(data, spec, &base));
  for (std::size_t k = 0; k < alternatives.size(); ++k) {
    if (alternatives[k].indicators.size() != spec.indicators.size())
      throw error("composite uncertainty: alternatives[" + std::to_string(k) + "] has " +
                  std::to_string(alternatives[k].indicators.size()) + " indicators, expected " +
                  std::to_string(spec.indicators.size()) + " (the same composite with other choices)");
    matrices.push_back(normalised_matrix(data, alternatives[k], &other));
    // screening may keep other units under other choices: the variants must rank the same units
    if (other.unit_rows != base.unit_rows)
      throw error("composite uncertainty: alternatives[" + std::to_string(k) + "] keeps " +
                  std::to_string(other.unit_rows.size()) + " units after screening, the base " +
                  std::to_string(base.unit_rows.size()) + ": every variant must keep the same units");
  }
  std::vector<std::span<const double>> variants(matrices.begin(), matrices.end());
  if (!alternatives.empty()) options.vary_variant = true;
  // the units ranked are the kept ones (all without screening); result rows follow base.unit_rows
  return rank_uncertainty(variants, base.unit_rows.size(), tree, options);
}

} // namespace planeval
