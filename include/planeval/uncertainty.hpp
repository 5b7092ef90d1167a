// Copyright (c) 2026 planeval developers. Distributed under the MIT License.
#pragma once
/// \file uncertainty.hpp
/// Monte Carlo uncertainty and variance-based sensitivity analysis: generic Sobol' indices from
/// Saltelli's sampling design, and the rank uncertainty of a composite index over the choices a
/// reviewer could contest (weights, normalisation/imputation variant, aggregation method,
/// dropping one indicator).
///
/// Design notes:
/// - Random numbers: splitmix64 (Steele, Lea & Flood 2014; Vigna's reference splitmix64.c), used
///   as a counter-based stream: draw i of seed s is the (i+1)-th output of splitmix64 seeded with s,
///   i.e. mix(s + (i+1)·0x9E3779B97F4A7C15), mapped to [0,1) by its top 53 bits ·2^-53
///   (uniform_draw). Any draw is computed from its index alone, so results are reproducible for a
///   seed and independent of the number of threads, and another implementation (numpy with
///   uint64 arithmetic) can regenerate them.
/// - Saltelli's design (Saltelli et al. 2010, Computer Physics Communications 181:259–270, §3):
///   row r of the n × k matrices A and B is draws r·2k … r·2k+k−1 (A) and r·2k+k … r·2k+2k−1 (B);
///   AB_i is A with column i taken from B. Pseudo-random points by default; with
///   sampling_method::sobol quasi-random ones, as Saltelli et al. (2010) recommend: row r of
///   [A | B] is the 2k-dimensional Sobol' point r + 1 (the origin skipped). The estimators are the
///   same; quasi-random points lower their variance for smooth outputs.
/// - Sobol' points (sobol_points): Bratley & Fox's construction with the primitive polynomials and
///   initial direction numbers of Joe & Kuo (2008, SIAM J. Sci. Comput. 30:2635–2654; the file
///   new-joe-kuo-6.21201, BSD-style licence of F. Y. Kuo and S. Joe) for up to 1024 dimensions,
///   generated from SciPy's copy (src/make_sobol_table.py); 30 bits and Gray code order, so the
///   points equal scipy.stats.qmc.Sobol(d, scramble=False)'s.
/// - Estimators (Saltelli et al. 2010, Table 2): first order (b) S_i = mean(f(B)·(f(AB_i) − f(A))) / V
///   (Saltelli 2010), total (f) S_Ti = mean((f(A) − f(AB_i))²) / 2 / V (Jansen 1999), with
///   V = the population variance (divisor 2n) of f(A) and f(B) together. The outputs are first
///   centred on the mean of f(A) and f(B) (as SALib's sobol.analyze does by standardising them):
///   the first-order estimate then reads mean((f(B) − f0)·(f(AB_i) − f(A))) / V, whose expectation
///   is unchanged and whose variance no longer grows with f0² (the total index is unaffected).
///   A constant output (V = 0) gives NaN.
///   Bootstrap confidence intervals resample the n rows with replacement (percentile intervals).
/// - Percentiles (of ranks, of bootstrap estimates) are numpy.percentile's default "linear" method
///   (Hyndman & Fan type 7): h = (c − 1)·q over the c sorted values x_0 ≤ … ≤ x_{c−1},
///   result = lerp(x_⌊h⌋, x_⌊h⌋+1, h − ⌊h⌋) with numpy's own lerp (a + (b − a)·t when t < 0.5,
///   b − (b − a)·(1 − t) otherwise), so the figures match numpy to the last bit.
/// - One engine with the composite (planeval/composite/): the hierarchy is a composite_tree
///   (composite/tree.hpp; validated by make_composite_tree), every run aggregates each unit with
///   aggregate_units, the one power-mean kernel of composite/mean.hpp (weights renormalised over
///   the children present with a weight > 0, min_share applied, the tree's zero_policy for a 0
///   under a geometric, harmonic or p < 0 mean, the log hand-up between geometric nodes; the search
///   for zeros and negative values is skipped for a variant whose values are all > 0), and
///   ranks with rank_min_descending (composite/rank.hpp). The nominal run of composite_uncertainty
///   therefore gives build_composite's index scores and ranks exactly (to the bit).
///   uncertainty_hierarchy (parents as indices) is kept for one release as an adapter: it is
///   converted by to_composite_tree and validated by make_composite_tree like any composite.
/// - rank_uncertainty works on data already normalised (and imputed) upstream: each *variant* is
///   one choice of (normalisation, imputation), a dense row-major units × indicators matrix
///   (value of unit u, indicator j at [u·indicators + j], numpy's C order), NaN = missing.
///   Negative values are refused up front when a non-arithmetic mean can be used; a 0 where a
///   mean needs positive values is a data_error naming the run, the variant, the node, the unit
///   and the child under zero_policy::error (the default), the mean's limit 0 under limit.
/// - Uncertain inputs (each optional) and their draw columns, in this order: "weights" (the
///   weight_noise shorthand, every level: one column per indicator, then one per non-root node in
///   node order), or per level "weights[level L]" for each entry of weight_noise_levels in its
///   order (COINr's SA_specs noise_specs: Level, NoiseFactor; levels are COINr's: indicators 1,
///   their parents 2, ... (composite/tree.hpp); one column per weight at that level: indicators in
///   column order, nodes in node order). Either way a weight is multiplied by 1 − x + 2x·u, i.e.
///   w + (2u − 1)·x·w with u uniform, as COINr's get_noisy_weights (no renormalisation there:
///   the means divide by the sum of the weights present, as COINr's a_amean / a_gmean do). Then
///   "variant" (one column: variant ⌊u·V⌋), "aggregation" (one column: alternative ⌊u·L⌋ applied
///   to every node) or, by depth, "aggregation[depth d]" for d = 0 (the root) … (one column each,
///   applied to the nodes at depth d), "drop_indicator" (one column: c = ⌊u·(m+1)⌋, 0 = none, else
///   indicator c − 1 gets weight 0). Sobol' indices are computed per input (a weights input as one
///   group: AB_i takes all of the group's columns from B), so per level with weight_noise_levels.
/// - Nominal (base) choices: the first variant, the hierarchy's weights and per-node methods, no
///   indicator dropped. Ranks: highest score = rank 1, ties share the smallest rank ("min"); a unit
///   whose index is missing in a replication has no rank there (excluded from that replication's
///   ranking, from its rank statistics and from the shift; `ranked` counts its replications).
/// - Replications: `replications` = n, the rows of A. The rank statistics are over the n runs of
///   A (independent draws); with `sensitivity`, B and the k matrices AB_i add (k + 1)·n runs, whose
///   scalar output is the mean absolute rank shift versus the nominal ranks (over units ranked in
///   both). Threads take blocks of runs from a shared counter; every run writes only its own slots,
///   so results are identical for any thread count. Each thread owns its buffers (no allocation per
///   run). Memory: 4 bytes × units × replications for the ranks of A.
/// - Progress and cancellation: the calling thread does not compute; it waits for the worker
///   threads and, every `progress_interval` seconds, calls `progress(done, total)` (on the calling
///   thread, so a binding can take its interpreter lock there) and reads `cancel`; workers read
///   `cancel` between runs. A cancelled run (or one whose progress callback threw) stops every
///   worker, joins them and throws cancelled_error (or rethrows the callback's exception): there is
///   no partial result.

#include <planeval/composite.hpp>
#include <planeval/detail/enum_names.hpp>
#include <planeval/error.hpp>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace planeval {

/// A run stopped through its cancellation flag.
class cancelled_error : public error {
public:
  using error::error;
};

// --- random draws ------------------------------------------------------------------------------

/// Draw `index` of the stream `seed`: the (index+1)-th splitmix64 output seeded with `seed`, as
/// (output >> 11) · 2^-53, a double in [0, 1).
inline double uniform_draw(std::uint64_t seed, std::uint64_t index) noexcept {
  std::uint64_t z = seed + (index + 1) * 0x9E3779B97F4A7C15ULL;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  z ^= z >> 31;
  return static_cast<double>(z >> 11) * 0x1.0p-53;
}

/// out[i] = uniform_draw(seed, first + i).
void uniform_draws(std::uint64_t seed, std::uint64_t first, std::span<double> out) noexcept;

/// How Saltelli's design and the uncertainty engine sample the unit cube.
enum class sampling_method : std::uint8_t {
  pseudo, ///< splitmix64 draws (uniform_draw), the default
  sobol   ///< Sobol' low-discrepancy points (sobol_points), skipping the origin
};
/// Names: "pseudo", "sobol".
inline constexpr detail::name_table<sampling_method, 2> sampling_method_names{
    {{sampling_method::pseudo, "pseudo"}, {sampling_method::sobol, "sobol"}}};
/// The method's name.
inline std::string_view to_string(sampling_method s) noexcept { return detail::name_of(sampling_method_names, s); }

/// The dimensions sobol_points supports (Joe & Kuo's table as planeval carries it).
inline constexpr std::size_t sobol_max_dimension = 1024;

/// Points first … first + count − 1 of the `dims`-dimensional Sobol' sequence into out (count ×
/// dims, row-major): Joe & Kuo's (2008) direction numbers (new-joe-kuo-6.21201), 30 bits, Gray code
/// order, unscrambled: point i is scipy.stats.qmc.Sobol(dims, scramble=False)'s i-th point (point 0
/// is the origin). planeval::error unless 1 ≤ dims ≤ sobol_max_dimension and first + count ≤ 2^30.
void sobol_points(std::uint64_t first, std::size_t count, std::size_t dims, std::span<double> out);

// --- Sobol' indices ----------------------------------------------------------------------------

/// Saltelli's design on the unit cube: A, B (n × k, row-major) and the k matrices AB_i.
struct saltelli_sample {
  std::size_t n = 0;      ///< base sample size (rows of A)
  std::size_t k = 0;      ///< inputs (columns)
  std::vector<double> a;  ///< A[r][j] at a[r·k + j] = uniform_draw(seed, r·2k + j)
  std::vector<double> b;  ///< B[r][j] at b[r·k + j] = uniform_draw(seed, r·2k + k + j)
  std::vector<double> ab; ///< AB_i[r][j] at ab[(i·n + r)·k + j]: A[r][j], or B[r][j] when j = i
};

/// Builds Saltelli's design; planeval::error unless n ≥ 2 and k ≥ 1. With sampling_method::sobol
/// (the seed is then unused; 2k ≤ sobol_max_dimension): row r of A is the first k coordinates of
/// the 2k-dimensional Sobol' point r + 1 (the origin skipped) and row r of B its last k.
saltelli_sample make_saltelli_sample(std::size_t n, std::size_t k, std::uint64_t seed,
                                     sampling_method sampling = sampling_method::pseudo);

/// Bootstrap confidence intervals for sobol_indices (none when resamples is 0).
struct sobol_bootstrap {
  std::size_t resamples = 0; ///< bootstrap resamples of the n rows (e.g. 1000)
  double confidence = 0.95;  ///< level of the percentile intervals, in (0, 1)
  std::uint64_t seed = 0;    ///< resample b, row t is ⌊uniform_draw(seed, b·n + t)·n⌋
};

/// First-order and total Sobol' indices of k inputs, with optional bootstrap intervals.
struct sensitivity_indices {
  std::size_t n = 0;                                     ///< base sample size
  double mean = 0;                                       ///< mean of f(A) and f(B)
  double variance = 0;                                   ///< V: population variance of f(A) and f(B) together
  std::vector<double> first_order;                       ///< S_i (Saltelli 2010)
  std::vector<double> total;                             ///< S_Ti (Jansen 1999)
  std::vector<double> first_order_low, first_order_high; ///< bootstrap interval (empty: none)
  std::vector<double> total_low, total_high;             ///< bootstrap interval (empty: none)
};

/// Indices from model outputs on Saltelli's design: ya = f(A), yb = f(B) (n each), yab = f(AB_i)
/// for i = 0 … k−1 concatenated (k·n). planeval::error on inconsistent lengths or n < 2; a
/// non-finite output gives NaN indices.
sensitivity_indices sobol_indices(std::span<const double> ya, std::span<const double> yb, std::span<const double> yab,
                                  const sobol_bootstrap& bootstrap = {});

/// Samples the unit cube with make_saltelli_sample (pseudo or Sobol' points), calls `model(x)` (x: a std::span<const double>
/// of k values in [0,1), returning a double) on every row of A, B and AB_i, and returns
/// sobol_indices. Scale the inputs inside the model.
template <class Model>
sensitivity_indices sobol_analysis(std::size_t n, std::size_t k, std::uint64_t seed, Model&& model,
                                   const sobol_bootstrap& bootstrap = {},
                                   sampling_method sampling = sampling_method::pseudo) {
  const saltelli_sample s = make_saltelli_sample(n, k, seed, sampling);
  std::vector<double> ya(n), yb(n), yab(n * k);
  for (std::size_t r = 0; r < n; ++r) {
    ya[r] = static_cast<double>(model(std::span<const double>(s.a.data() + r * k, k)));
    yb[r] = static_cast<double>(model(std::span<const double>(s.b.data() + r * k, k)));
  }
  for (std::size_t t = 0; t < n * k; ++t)
    yab[t] = static_cast<double>(model(std::span<const double>(s.ab.data() + t * k, k)));
  return sobol_indices(ya, yb, yab, bootstrap);
}

// --- composite rank uncertainty ----------------------------------------------------------------

namespace detail {

/// A non-owning reference to a callable (the referenced object must outlive every call).
template <class Signature>
class function_ref;

template <class R, class... Args>
class function_ref<R(Args...)> {
public:
  function_ref() noexcept = default;
  /// Refers to `f` (an lvalue: the callable is not copied).
  template <class F, class = std::enable_if_t<!std::is_same_v<std::remove_cv_t<F>, function_ref> &&
                                              std::is_invocable_r_v<R, F&, Args...>>>
  function_ref(F& f) noexcept // implicit by design, like std::function_ref
      : object_(const_cast<void*>(static_cast<const void*>(&f))), call_(&invoke<F>) {}
  /// True when it refers to a callable.
  explicit operator bool() const noexcept { return call_ != nullptr; }
  /// Calls the callable.
  R operator()(Args... args) const { return call_(object_, std::forward<Args>(args)...); }

private:
  template <class F>
  static R invoke(void* o, Args... args) {
    return (*static_cast<F*>(o))(std::forward<Args>(args)...);
  }
  void* object_ = nullptr;
  R (*call_)(void*, Args...) = nullptr;
};

} // namespace detail

/// The mean a hierarchy node takes of its children: planeval::aggregation of composite.hpp (one
/// enum and one set of names for the composite and its uncertainty analysis).
using uncertainty_mean = aggregation;
/// "arithmetic", "geometric", "harmonic" or "generalised" (composite.hpp's aggregation_names).
inline constexpr const auto& uncertainty_mean_names = aggregation_names;

/// An aggregation method: weighted arithmetic Σw·x/Σw, geometric exp(Σw·ln x/Σw), harmonic
/// Σw/Σ(w/x), generalised (Σw·x^p/Σw)^(1/p) (power p finite; p = 0 is geometric).
struct uncertainty_aggregator {
  uncertainty_mean method = uncertainty_mean::arithmetic;
  double power = 1.0; ///< p of the generalised mean (ignored by the other methods)
  friend bool operator==(const uncertainty_aggregator&, const uncertainty_aggregator&) = default;
};

/// The hierarchy by indices (kept for one release: prefer composite_tree). Converted by
/// to_composite_tree (node ids "node c", indicator ids "indicator j") and validated by
/// make_composite_tree; indicators are the leaves (the columns of the variants), nodes the
/// aggregates.
struct uncertainty_hierarchy {
  /// node_parent of the root.
  static constexpr std::size_t no_parent = static_cast<std::size_t>(-1);
  std::vector<std::size_t> indicator_parent;           ///< node of each indicator
  std::vector<double> indicator_weight;                ///< base weight (finite, ≥ 0) of each indicator; empty: all 1
  std::vector<std::size_t> node_parent;                ///< parent node of each node; exactly one no_parent (the root)
  std::vector<double> node_weight;                     ///< base weight of each node in its parent; empty: all 1
  std::vector<uncertainty_aggregator> node_aggregator; ///< base method of each node; empty: all arithmetic
  std::vector<double> node_min_share;                  ///< min_share of each node (see composite_node); empty: all 0
  zero_policy zeros = zero_policy::error;              ///< a 0 under a geometric, harmonic or p < 0 mean
};

/// The composite_tree of a hierarchy given by indices (planeval::error naming the index at fault,
/// or make_composite_tree's data_error).
composite_tree to_composite_tree(const uncertainty_hierarchy& hierarchy);

/// Weight noise at one level of the hierarchy (COINr's noise_specs row: Level, NoiseFactor).
struct level_noise {
  std::size_t level = 2; ///< COINr's level: 1 the indicators, 2 their parents, ... (below the root)
  double noise = 0.25;   ///< x in (0, 1]: each weight at that level times a factor uniform in [1 − x, 1 + x]
};

/// What to vary, how often, and how to run.
struct uncertainty_options {
  /// Weight noise x in [0, 1] at every level (one input "weights"): each weight times a factor
  /// uniform in [1 − x, 1 + x]; 0: not varied.
  double weight_noise = 0;
  /// Weight noise per level instead (one input "weights[level L]" per entry; levels distinct).
  std::vector<level_noise> weight_noise_levels;
  /// Vary the variant (needs at least two).
  bool vary_variant = false;
  /// Alternatives for the aggregation method of the nodes; empty: not varied (else at least two).
  std::vector<uncertainty_aggregator> aggregators;
  /// One draw per level (depth from the root) instead of one for every node.
  bool aggregation_by_level = false;
  /// Drop none or one of the indicators, uniformly.
  bool drop_indicator = false;
  /// n: runs of A (the rank statistics); ≥ 2.
  std::size_t replications = 1000;
  /// Seed of the draws (when `draws` is empty and sampling is pseudo).
  std::uint64_t seed = 0;
  /// The draws when `draws` is empty: pseudo (splitmix64 from `seed`), or sobol: row r = [A row r,
  /// B row r] is the 2D-dimensional Sobol' point r + 1 (2D ≤ sobol_max_dimension).
  sampling_method sampling = sampling_method::pseudo;
  /// Worker threads; 0: std::thread::hardware_concurrency().
  unsigned threads = 1;
  /// Also run B and AB_i for the Sobol' indices of the mean absolute rank shift.
  bool sensitivity = true;
  /// Keep every rank of A in the result (replications × units).
  bool keep_ranks = false;
  /// Optional draws: replications × 2D uniforms in [0,1), row-major, row r = [A row r, B row r]
  /// (D = uncertainty_layout::columns); replaces the seeded stream.
  std::span<const double> draws;
  /// Called as progress(done runs, total runs) on the calling thread every progress_interval
  /// seconds and once at the end; may throw to stop the run.
  detail::function_ref<void(std::size_t, std::size_t)> progress;
  /// Seconds between progress calls and cancellation checks by the calling thread.
  double progress_interval = 0.1;
  /// Set to true (from any thread) to cancel: rank_uncertainty throws cancelled_error.
  const std::atomic<bool>* cancel = nullptr;
};

/// The uncertain inputs of a run and their draw columns (see the design notes).
struct uncertainty_layout {
  /// "weights" / "weights[level L]", "variant", "aggregation" / "aggregation[depth d]", "drop_indicator"
  std::vector<std::string> inputs;
  std::vector<std::size_t> first_column; ///< first draw column of each input
  std::vector<std::size_t> column_count; ///< draw columns of each input
  std::size_t columns = 0;               ///< D: the draws of one matrix (A or B) per run
};

/// Per unit: the nominal rank and the rank distribution; per input: the sensitivity indices.
struct uncertainty_result {
  std::size_t units = 0;
  std::size_t replications = 0;      ///< n
  std::size_t runs = 0;              ///< composite evaluations, the nominal one excluded: n, or (k + 2)·n
  uncertainty_layout layout;         ///< the inputs, in the order of first_order / total
  std::vector<double> nominal_score; ///< the index with the base choices (NaN: missing)
  std::vector<double> nominal_rank;  ///< its rank (NaN: missing)
  std::vector<double> rank_mean, rank_median, rank_p05, rank_p95; ///< over A's replications (NaN: never ranked)
  std::vector<std::size_t> ranked;                                ///< replications of A in which the unit had a rank
  std::vector<double> first_order;                                ///< per input (empty without sensitivity)
  std::vector<double> total;                                      ///< per input (empty without sensitivity)
  double shift_mean = 0, shift_variance = 0;                      ///< of the output over A and B (V of the indices)
  std::vector<double> shift_a, shift_b, shift_ab; ///< mean absolute rank shift of every run (b, ab: with sensitivity)
  std::vector<std::uint32_t> ranks; ///< with keep_ranks: rank of unit u in replication r at [r·units + u] (0: none)
};

/// The layout of the draws for `variants` variants of `tree` under `options` (validated as by
/// rank_uncertainty, without the data).
uncertainty_layout make_uncertainty_layout(const composite_tree& tree, std::size_t variants,
                                           const uncertainty_options& options);
/// The same for a hierarchy by indices (to_composite_tree; kept for one release).
uncertainty_layout make_uncertainty_layout(const uncertainty_hierarchy& hierarchy, std::size_t variants,
                                           const uncertainty_options& options);

/// Monte Carlo rank uncertainty and sensitivity of a composite index. `variants` are row-major
/// units × indicators matrices (indicators = tree.indicator_parent.size()); the first is the
/// base; the base weights, methods, min_share and zero policy are the tree's. Throws
/// planeval::error on invalid input (naming the place and what was expected), data_error for a
/// value a mean cannot take, cancelled_error when cancelled.
uncertainty_result rank_uncertainty(std::span<const std::span<const double>> variants, std::size_t units,
                                    const composite_tree& tree, const uncertainty_options& options);
/// The same for a hierarchy by indices (to_composite_tree; kept for one release).
uncertainty_result rank_uncertainty(std::span<const std::span<const double>> variants, std::size_t units,
                                    const uncertainty_hierarchy& hierarchy, const uncertainty_options& options);

/// Deprecated (kept for one release; the engine takes composite_tree itself): the tree in the
/// index form (parents, weights, methods, min_share, zero policy).
uncertainty_hierarchy to_uncertainty_hierarchy(const composite_tree& tree);

/// Rank uncertainty of a composite as build_composite builds it: the variants are the normalised
/// matrices (normalised_matrix) of `spec` (the base) and of each of `alternatives` (the same
/// composite with another normalisation, imputation or outlier treatment: the indicators must be
/// the same), the hierarchy, weights, base methods, min_share and zero policy are `spec`'s
/// (make_composite_tree). `options.vary_variant` is set when alternatives are given. The nominal
/// scores and ranks are build_composite(data, spec)'s index scores and ranks, exactly. With
/// screening, the units are the kept ones (build_composite's unit_rows, in that order), and every
/// alternative must keep the same units (else planeval::error).
uncertainty_result composite_uncertainty(const composite_data& data, const composite_spec& spec,
                                         std::span<const composite_spec> alternatives, uncertainty_options options);

} // namespace planeval
