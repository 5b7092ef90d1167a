// Copyright (c) 2026 planeval developers. Distributed under the MIT License.
// Composite indices and value-added (planeval/composite.hpp).
//
// Layout: the input matrix is row-major (units x indicators); the working copy of the steps is
// column-major (one contiguous column per indicator), so each step is a pass over contiguous
// memory, transposed back to row-major once. Aggregation reads the row-major normalised matrix
// unit by unit with the kernel of planeval/composite/mean.hpp (the uncertainty engine's), and the
// hierarchy (make_composite_tree, the one validator) and ranks (composite/rank.hpp) live here too.

#include <planeval/composite.hpp>

#include "composite_detail.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <map>
#include <numeric>
#include <string>
#include <utility>
#include <vector>

namespace planeval {

using namespace composite_detail;

namespace {

// --- aggregation (the kernel of planeval/composite/mean.hpp) -------------------------------------

/// The canonical mean of every node of `t`.
std::vector<node_mean> node_means(const composite_tree& t) {
  std::vector<node_mean> m(t.node_ids.size());
  for (std::size_t c = 0; c < m.size(); ++c) m[c] = canonical_mean(t.node_method[c], t.node_power[c]);
  return m;
}

/// Aggregates row-major normalised values (`rows`: units x indicators) into row-major node scores
/// (units x nodes), unit by unit with aggregate_units.
std::vector<double> aggregate_rows(const double* rows, std::size_t units, const composite_tree& t) {
  const std::size_t nodes = t.node_ids.size(), k = t.indicator_parent.size();
  std::vector<double> scores(nodes * units);
  const aggregation_plan plan = make_aggregation_plan(t);
  const std::vector<node_mean> means = node_means(t);
  std::vector<std::uint8_t> log_only(nodes);
  mark_log_only(plan, means.data(), log_only.data());
  aggregation_fault fault;
  std::size_t at = 0;
  if (!aggregate_units(plan, t.indicator_weight.data(), t.node_weight.data(), means.data(), log_only.data(), t.zeros,
                       rows, nullptr, k, units, scores.data(), nodes, nullptr, fault, at))
    throw data_error(aggregation_fault_message(t, at, fault, means[fault.node].method, means[fault.node].power));
  for (std::size_t c = 0; c < nodes; ++c)
    if (log_only[c])
      for (std::size_t u = 0; u < units; ++u) scores[u * nodes + c] = std::exp(scores[u * nodes + c]);
  return scores;
}

// --- checks and steps 1-4 -----------------------------------------------------------------------

/// out[c * rows + r] = in[r * cols + c]: a transpose in 32 x 32 tiles (both sides stay in cache).
template <class T>
void transpose(const T* in, T* out, std::size_t rows, std::size_t cols) {
  constexpr std::size_t tile = 32;
  for (std::size_t r0 = 0; r0 < rows; r0 += tile) {
    const std::size_t r1 = (std::min)(rows, r0 + tile);
    for (std::size_t c0 = 0; c0 < cols; c0 += tile) {
      const std::size_t c1 = (std::min)(cols, c0 + tile);
      for (std::size_t r = r0; r < r1; ++r)
        for (std::size_t c = c0; c < c1; ++c) out[c * rows + r] = in[r * cols + c];
    }
  }
}

/// Column-major copy (indicators x units) of the row-major data.
std::vector<double> to_columns(const composite_data& data) {
  std::vector<double> cols(data.units * data.indicators);
  transpose(data.values.data(), cols.data(), data.units, data.indicators);
  return cols;
}

/// Row-major (rows x cols) copy of column-major data.
template <class T>
std::vector<T> to_rows(const std::vector<T>& columns, std::size_t rows, std::size_t cols) {
  std::vector<T> out(rows * cols);
  transpose(columns.data(), out.data(), cols, rows);
  return out;
}

// --- least squares ------------------------------------------------------------------------------

std::vector<double> solve_least_squares(std::span<const double> x, std::size_t rows, std::size_t cols,
                                        std::span<const double> y, const std::vector<std::string>& names,
                                        const std::string& what) {
  auto name = [&](std::size_t c) { return c < names.size() ? quoted(names[c]) : "column " + std::to_string(c); };
  if (x.size() != rows * cols || y.size() != rows)
    throw data_error(what + ": expected a " + std::to_string(rows) + " x " + std::to_string(cols) + " design and " +
                     std::to_string(rows) + " responses");
  if (cols == 0) throw data_error(what + ": expected at least one column");
  if (rows < cols)
    throw data_error(what + ": " + std::to_string(rows) + " units with every value present, expected at least " +
                     std::to_string(cols) + " (one per coefficient)");
  // column-major working copy
  std::vector<double> a(rows * cols), b(y.begin(), y.end());
  for (std::size_t r = 0; r < rows; ++r)
    for (std::size_t c = 0; c < cols; ++c) a[c * rows + r] = x[r * cols + c];
  std::vector<double> norms(cols), v(rows);
  for (std::size_t c = 0; c < cols; ++c) {
    double ss = 0;
    for (std::size_t r = 0; r < rows; ++r) ss += a[c * rows + r] * a[c * rows + r];
    norms[c] = std::sqrt(ss);
  }
  std::vector<double> diag(cols);
  for (std::size_t k = 0; k < cols; ++k) {
    double* ak = a.data() + k * rows;
    double ss = 0;
    for (std::size_t r = k; r < rows; ++r) ss += ak[r] * ak[r];
    const double norm = std::sqrt(ss);
    if (!(norm > 1e-10 * norms[k]) || norms[k] == 0)
      throw data_error(what + ": the design is singular: " + name(k) +
                       (norms[k] == 0 ? " is all zero"
                                      : " is a linear combination of the columns before it (constant like the "
                                        "intercept, or collinear)"));
    const double alpha = ak[k] > 0 ? -norm : norm;
    for (std::size_t r = k; r < rows; ++r) v[r] = ak[r];
    v[k] -= alpha;
    double vv = 0;
    for (std::size_t r = k; r < rows; ++r) vv += v[r] * v[r];
    auto reflect = [&](double* col) {
      double d = 0;
      for (std::size_t r = k; r < rows; ++r) d += v[r] * col[r];
      const double f = 2 * d / vv;
      for (std::size_t r = k; r < rows; ++r) col[r] -= f * v[r];
    };
    for (std::size_t c = k + 1; c < cols; ++c) reflect(a.data() + c * rows);
    reflect(b.data());
    diag[k] = alpha;
  }
  std::vector<double> coef(cols);
  for (std::size_t k = cols; k-- > 0;) {
    double s = b[k];
    for (std::size_t c = k + 1; c < cols; ++c) s -= a[c * rows + k] * coef[c];
    coef[k] = s / diag[k];
  }
  return coef;
}

/// Value i of a span that holds one value per unit or a single value.
double broadcast(std::span<const double> s, std::size_t i) { return s.size() == 1 ? s[0] : s[i]; }

void check_column(std::span<const double> s, std::size_t n, const std::string& name, bool allow_single) {
  if (s.size() != n && !(allow_single && s.size() == 1))
    throw data_error(name + ": expected " + std::to_string(n) + " values (one per unit)" +
                     (allow_single ? " or a single value" : "") + ", got " + std::to_string(s.size()));
  for (std::size_t i = 0; i < s.size(); ++i)
    if (std::isinf(s[i]))
      throw data_error(name + "[" + std::to_string(i) + "]: expected a finite number or NaN (missing), got " +
                       number_text(s[i]));
}

} // namespace

// --- public functions ---------------------------------------------------------------------------

std::string aggregation_fault_message(const composite_tree& t, std::size_t unit, const aggregation_fault& f,
                                      aggregation method, double power) {
  const bool positive = method == aggregation::geometric || method == aggregation::harmonic || power < 0;
  const std::string what = std::string(to_string(method)) + " mean" +
                           (method == aggregation::generalised ? " with power " + number_text(power) : "");
  return "nodes[" + std::to_string(f.node) + "] (" + quoted(t.node_ids[f.node]) + "): the " + what + " needs values " +
         (positive ? "> 0" : ">= 0") + ", unit " + std::to_string(unit) + " has " + number_text(f.value) + " from " +
         (f.indicator ? "indicator " : "node ") + std::to_string(f.child) +
         (f.value == 0 ? " (choose an output range above 0, e.g. lo = 1, the arithmetic mean, or zeros = "
                         "limit: the mean's limit 0)"
                       : " (choose an output range above 0, e.g. lo = 1, or the arithmetic mean)");
}

std::vector<std::uint32_t> rank_descending(std::span<const double> values, std::size_t n, std::size_t stride) {
  if (stride == 0 || (n > 0 && (n - 1) * stride >= values.size()))
    throw data_error("rank_descending: " + std::to_string(n) + " values with stride " + std::to_string(stride) +
                     " do not fit in " + std::to_string(values.size()));
  std::vector<std::uint32_t> ranks(n, 0);
  rank_workspace w;
  rank_min_descending(values.data(), stride, ranks, w);
  return ranks;
}

composite_tree make_composite_tree(const composite_spec& spec) {
  composite_tree t;
  t.zeros = spec.zeros;
  const std::size_t nodes = spec.nodes.size();
  if (nodes == 0) throw data_error("nodes: expected at least one node (the index)");
  // ids: one namespace for nodes and indicators
  std::map<std::string, std::string, std::less<>> seen; // id -> place
  std::map<std::string, std::uint32_t, std::less<>> node_index;
  for (std::size_t i = 0; i < nodes; ++i) {
    const std::string place = "nodes[" + std::to_string(i) + "]";
    const std::string& id = spec.nodes[i].id;
    if (id.empty()) throw data_error(place + ".id: expected a non-empty id");
    auto [it, fresh] = seen.emplace(id, place);
    if (!fresh) throw data_error(place + ".id: duplicate id " + quoted(id) + " (also " + it->second + ")");
    node_index.emplace(id, static_cast<std::uint32_t>(i));
  }
  for (std::size_t j = 0; j < spec.indicators.size(); ++j) {
    const std::string place = "indicators[" + std::to_string(j) + "]";
    const std::string& id = spec.indicators[j].id;
    if (id.empty()) throw data_error(place + ".id: expected a non-empty id");
    auto [it, fresh] = seen.emplace(id, place);
    if (!fresh) throw data_error(place + ".id: duplicate id " + quoted(id) + " (also " + it->second + ")");
  }
  auto parent_index = [&](const std::string& parent, const std::string& place) -> std::uint32_t {
    auto it = node_index.find(parent);
    if (it != node_index.end()) return it->second;
    auto other = seen.find(parent);
    if (other != seen.end())
      throw data_error(place + ".parent: " + quoted(parent) + " is an indicator (" + other->second +
                       "), expected a node");
    throw data_error(place + ".parent: unknown node " + quoted(parent));
  };
  t.node_ids.resize(nodes);
  t.node_parent.assign(nodes, -1);
  t.node_weight.resize(nodes);
  t.node_method.resize(nodes);
  t.node_power.resize(nodes);
  t.node_min_share.resize(nodes);
  t.children_count.assign(nodes, 0);
  std::optional<std::uint32_t> root;
  for (std::size_t i = 0; i < nodes; ++i) {
    const composite_node& n = spec.nodes[i];
    const std::string place = "nodes[" + std::to_string(i) + "]";
    t.node_ids[i] = n.id;
    check_weight(n.weight, place);
    if (!std::isfinite(n.power))
      throw data_error(place + ".power: expected a finite power, got " + number_text(n.power));
    if (!(n.min_share >= 0 && n.min_share <= 1))
      throw data_error(place + ".min_share: expected a share from 0 to 1, got " + number_text(n.min_share));
    t.node_weight[i] = n.weight;
    t.node_method[i] = n.method;
    t.node_power[i] = n.method == aggregation::generalised ? n.power
                      : n.method == aggregation::geometric ? 0.0
                      : n.method == aggregation::harmonic  ? -1.0
                                                           : 1.0;
    t.node_min_share[i] = n.min_share;
    if (n.parent.empty()) {
      if (root)
        throw data_error(place + ".parent: a second root (" + quoted(spec.nodes[*root].id) +
                         " is already the root); every node but one needs a parent");
      root = static_cast<std::uint32_t>(i);
    } else {
      const std::uint32_t p = parent_index(n.parent, place);
      t.node_parent[i] = static_cast<std::int32_t>(p);
      ++t.children_count[p];
    }
  }
  if (!root) throw data_error("nodes: no root (a node with an empty parent); the parents form a cycle");
  t.root = *root;
  t.indicator_parent.resize(spec.indicators.size());
  t.indicator_weight.resize(spec.indicators.size());
  for (std::size_t j = 0; j < spec.indicators.size(); ++j) {
    const composite_indicator& ind = spec.indicators[j];
    const std::string place = "indicators[" + std::to_string(j) + "]";
    if (ind.parent.empty()) throw data_error(place + ".parent: expected the id of a node");
    check_weight(ind.weight, place);
    const std::uint32_t p = parent_index(ind.parent, place);
    t.indicator_parent[j] = p;
    t.indicator_weight[j] = ind.weight;
    ++t.children_count[p];
  }
  // depths; a walk longer than the node count is a cycle
  std::vector<std::int32_t> depth(nodes, -1);
  for (std::size_t i = 0; i < nodes; ++i) {
    std::size_t steps = 0;
    std::int32_t cur = static_cast<std::int32_t>(i);
    while (cur >= 0 && depth[static_cast<std::size_t>(cur)] < 0 && steps <= nodes) {
      cur = t.node_parent[static_cast<std::size_t>(cur)];
      ++steps;
    }
    if (steps > nodes) {
      std::string path = quoted(spec.nodes[i].id);
      std::int32_t c = t.node_parent[i];
      for (std::size_t s = 0; s < nodes && c >= 0; ++s) {
        path += " -> " + quoted(spec.nodes[static_cast<std::size_t>(c)].id);
        if (static_cast<std::size_t>(c) == i) break;
        c = t.node_parent[static_cast<std::size_t>(c)];
      }
      throw data_error("nodes[" + std::to_string(i) + "].parent: cycle " + path);
    }
    // fill depths along the walk
    std::int32_t base = cur < 0 ? -1 : depth[static_cast<std::size_t>(cur)];
    std::vector<std::uint32_t> chain;
    for (std::int32_t c = static_cast<std::int32_t>(i); c != cur; c = t.node_parent[static_cast<std::size_t>(c)])
      chain.push_back(static_cast<std::uint32_t>(c));
    for (std::size_t s = chain.size(); s-- > 0;) depth[chain[s]] = ++base;
  }
  for (std::size_t i = 0; i < nodes; ++i)
    if (t.children_count[i] == 0)
      throw data_error(node_place(spec, i) + ": has no children (no indicator or node names it as parent)");
  t.bottom_up.resize(nodes);
  std::iota(t.bottom_up.begin(), t.bottom_up.end(), 0u);
  std::stable_sort(t.bottom_up.begin(), t.bottom_up.end(),
                   [&](std::uint32_t a, std::uint32_t b) { return depth[a] > depth[b]; });
  return t;
}

std::vector<double> normalised_matrix(const composite_data& data, const composite_spec& spec,
                                      composite_record* record) {
  check_data(data, spec);
  std::vector<double> cols = to_columns(data);
  composite_record rec;
  prepare_columns(cols, data, spec, rec, nullptr); // screening may drop rows (rec.unit_rows: treat helper)
  const std::size_t kept = rec.unit_rows.size();
  if (record) *record = std::move(rec);
  return to_rows(cols, kept, data.indicators);
}

std::vector<double> aggregate_tree(std::span<const double> normalised, std::size_t units, const composite_tree& t) {
  const std::size_t k = t.indicator_parent.size();
  if (normalised.size() != units * k)
    throw data_error("normalised: expected " + std::to_string(units) + " x " + std::to_string(k) + " values, got " +
                     std::to_string(normalised.size()));
  for (std::size_t i = 0; i < normalised.size(); ++i)
    if (std::isinf(normalised[i]))
      throw data_error("normalised[" + std::to_string(i / k) + ", " + std::to_string(i % k) +
                       "]: expected a finite number or NaN (missing), got " + number_text(normalised[i]));
  return aggregate_rows(normalised.data(), units, t);
}

composite_result build_composite(const composite_data& data, const composite_spec& spec) {
  composite_result r;
  r.tree = make_composite_tree(spec);
  check_data(data, spec);
  r.spec = spec;
  std::vector<double> cols = to_columns(data);
  std::vector<double> treated;
  // the steps before aggregation; screening may drop rows: the result has the kept units only,
  // unit_rows maps them to input rows (treat helper, composite_prepare.cpp)
  prepare_columns(cols, data, spec, r.record, &treated);
  r.unit_rows = r.record.unit_rows;
  r.units = r.unit_rows.size();
  const std::size_t n = r.units, k = data.indicators, nodes = r.tree.node_ids.size();
  r.treated = to_rows(treated, n, k);
  r.normalised = to_rows(cols, n, k);
  r.scores = aggregate_rows(r.normalised.data(), n, r.tree);
  std::vector<std::uint32_t> rank_cols(n * nodes);
  rank_workspace w;
  for (std::size_t i = 0; i < nodes; ++i)
    rank_min_descending(r.scores.data() + i, nodes, std::span<std::uint32_t>(rank_cols.data() + i * n, n), w);
  r.ranks = to_rows(rank_cols, n, nodes);
  r.strongest.assign(n, -1);
  r.weakest.assign(n, -1);
  for (std::size_t u = 0; u < n; ++u) {
    const double* row = r.normalised.data() + u * k;
    for (std::size_t j = 0; j < k; ++j) {
      if (std::isnan(row[j])) continue;
      if (r.strongest[u] < 0 || row[j] > row[r.strongest[u]]) r.strongest[u] = static_cast<std::int32_t>(j);
      if (r.weakest[u] < 0 || row[j] < row[r.weakest[u]]) r.weakest[u] = static_cast<std::int32_t>(j);
    }
  }
  return r;
}

std::vector<double> least_squares(std::span<const double> x, std::size_t rows, std::size_t cols,
                                  std::span<const double> y) {
  return solve_least_squares(x, rows, cols, y, {}, "least_squares");
}

value_added_result value_added(const value_added_input& in) {
  const std::size_t n = in.actual.size();
  check_column(in.actual, n, "actual", false);
  check_column(in.baseline, n, "baseline", false);
  value_added_result r;
  r.expected.assign(n, nan);
  switch (in.method) {
  case value_added_method::gain: std::copy(in.baseline.begin(), in.baseline.end(), r.expected.begin()); break;
  case value_added_method::planned_path: {
    check_column(in.baseline_year, n, "baseline_year", true);
    check_column(in.target_value, n, "target_value", true);
    check_column(in.target_year, n, "target_year", true);
    if (!std::isfinite(in.year)) throw data_error("year: expected the finite year of the actual values");
    for (std::size_t i = 0; i < n; ++i) {
      const double t0 = broadcast(in.baseline_year, i), t1 = broadcast(in.target_year, i);
      const double x0 = in.baseline[i], x1 = broadcast(in.target_value, i);
      if (t0 == t1)
        throw data_error("target_year[" + std::to_string(in.target_year.size() == 1 ? 0 : i) +
                         "]: equals the baseline year " + number_text(t0) + "; the planned path needs two years");
      r.expected[i] = x0 + (x1 - x0) * (in.year - t0) / (t1 - t0);
    }
    break;
  }
  case value_added_method::regression: {
    const std::size_t q = in.covariate_count;
    if (in.covariates.size() != n * q)
      throw data_error("covariates: expected " + std::to_string(n) + " x " + std::to_string(q) + " values, got " +
                       std::to_string(in.covariates.size()));
    for (std::size_t i = 0; i < in.covariates.size(); ++i)
      if (std::isinf(in.covariates[i]))
        throw data_error("covariates[" + std::to_string(i / (q ? q : 1)) + ", " + std::to_string(i % (q ? q : 1)) +
                         "]: expected a finite number or NaN (missing), got " + number_text(in.covariates[i]));
    const std::size_t p = (in.intercept ? 1 : 0) + 1 + q;
    std::vector<std::string> names;
    if (in.intercept) names.emplace_back("intercept");
    names.emplace_back("baseline");
    for (std::size_t c = 0; c < q; ++c) names.push_back("covariates[" + std::to_string(c) + "]");
    std::vector<double> design(n * p);
    std::vector<std::uint8_t> complete(n, 0);
    std::vector<double> x, y;
    x.reserve(n * p);
    y.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
      double* row = design.data() + i * p;
      std::size_t c = 0;
      if (in.intercept) row[c++] = 1.0;
      row[c++] = in.baseline[i];
      for (std::size_t j = 0; j < q; ++j) row[c++] = in.covariates[i * q + j];
      bool ok = true;
      for (std::size_t j = 0; j < p; ++j) ok = ok && !std::isnan(row[j]);
      complete[i] = ok ? 1 : 0;
      if (ok && !std::isnan(in.actual[i])) {
        x.insert(x.end(), row, row + p);
        y.push_back(in.actual[i]);
      }
    }
    r.fitted_units = y.size();
    r.coefficients = solve_least_squares(x, y.size(), p, y, names, "regression");
    for (std::size_t i = 0; i < n; ++i) {
      if (!complete[i]) continue;
      double e = 0;
      for (std::size_t j = 0; j < p; ++j) e += design[i * p + j] * r.coefficients[j];
      r.expected[i] = e;
    }
    double mean = 0;
    for (double v : y) mean += v;
    mean = in.intercept ? mean / static_cast<double>(y.size()) : 0.0;
    double ssr = 0, sst = 0;
    std::size_t row = 0;
    for (std::size_t i = 0; i < n; ++i)
      if (complete[i] && !std::isnan(in.actual[i])) {
        ssr += (in.actual[i] - r.expected[i]) * (in.actual[i] - r.expected[i]);
        sst += (y[row] - mean) * (y[row] - mean);
        ++row;
      }
    r.r_squared = sst > 0 ? 1.0 - ssr / sst : nan;
    break;
  }
  }
  const double s = in.direction == polarity::lower ? -1.0 : 1.0;
  r.value_added.resize(n);
  for (std::size_t i = 0; i < n; ++i) r.value_added[i] = s * (in.actual[i] - r.expected[i]);
  r.rank = rank_descending(r.value_added, n);
  return r;
}

} // namespace planeval
