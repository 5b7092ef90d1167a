// Copyright (c) 2026 planeval developers. Distributed under the MIT License.
#pragma once
/// \file composite.hpp
/// Composite indices (综合评价) in the manner of the JRC's COINr toolkit and the OECD/JRC Handbook
/// on Constructing Composite Indicators (2008), and value-added (增值评价).
///
/// Pipeline of build_composite, in this order (each step recorded in composite_record):
/// 1. check: the data are a dense units x indicators matrix, row-major. **NaN means missing, never
///    zero**; any other non-finite value is a data_error.
/// 2. outliers (per indicator, on the present values): with outlier_treatment::coinr, COINr's
///    default rule. Skewness is the adjusted Fisher-Pearson G1 and kurtosis the *excess* kurtosis
///    G2 (the sample statistics of Excel's SKEW and KURT, e1071 type 2, COINr's skew()/kurt()):
///      g1 = m3 / m2^(3/2), G1 = g1 sqrt(n(n-1)) / (n-2);
///      g2 = m4 / m2^2 - 3,  G2 = ((n+1) g2 + 6)(n-1) / ((n-2)(n-3)),  m_k = sum (x - mean)^k / n.
///    An indicator fails when |G1| >= 2 and G2 >= 3.5 (needs n >= 4 present values and m2 > 0).
///    A failing indicator is winsorised: the most extreme value on the side of the skew (the first
///    such unit) is replaced by the next most extreme value among the other units (equal to it if
///    tied, as COINr's which.max / max(x[-imax]) do), and the check repeated, up to 5 points.
///    If it still fails after 5, the winsorisation is undone and the original values are log
///    transformed instead: log(x - min + 1) for a positive skew, -log(max - x + 1) for a negative
///    skew (COINr's log_CT, mirrored so the order of units is kept).
/// 3. imputation (per indicator, from the treated present values): none, mean, median, or the mean
///    of the unit's group (a group with no present value leaves its units missing).
/// 4. normalisation (per indicator; polarity applied first: a lower-is-better indicator is
///    negated, along with its target / goalposts where they are compared with x). Output range
///    [lo, hi] (default [0, 100]) where the method is bounded:
///    - min_max: lo + (hi - lo)(x - min)/(max - min); a constant indicator gives (lo + hi)/2.
///    - z_score: (x - mean)/sd with the *population* sd (divide by n); sd = 0 gives 0. Not scaled.
///    - rank: the *average* rank among present units, ascending (1 = worst, n = best). Not scaled.
///    - percentile_rank: (average rank - 1)/(n - 1), scaled to [lo, hi]; n = 1 gives (lo + hi)/2.
///    - distance_to_target: higher is better: x / target; lower is better: target / x (x <= target
///      gives 1); capped at 1 (and at 0 below), scaled to [lo, hi]. The target must be > 0.
///    - distance_to_reference: x / x_ref (lower is better: x_ref / x) with x_ref the reference
///      unit's value: 1 is the reference. Not scaled. A zero divisor is a data_error.
///    - borda: the number of present units with a strictly worse value (min rank - 1). Not scaled.
///    - goalposts: completion progress (x - baseline)/(goal - baseline) (a target's baseline and
///      goal: its 完成进度; either order works, so the polarity is implied), capped to [0, 1] when
///      `cap` is set, scaled to [lo, hi].
///    Targets, baselines and goals are per indicator, optionally overridden per unit (a school
///    measured against the target of its own stage).
///    - none: the values as they are (for data already on a common scale).
/// 5. aggregation up the hierarchy (per node: arithmetic, geometric, harmonic or generalised mean
///    with power p; p = 1, 0, -1 are the first three), over the children that have a value for the
///    unit, with their weights renormalised to sum to 1 over those children. A node is missing for
///    a unit when the share of its children present (by count) is below its `min_share`, when no
///    child is present, or when the weights of the present children sum to 0. Geometric, harmonic
///    and generalised means with p <= 0 need positive values, p > 0 (p != 1) non-negative ones: a
///    violating value is a data_error naming node, unit and child (choose an output range such as
///    [1, 100] for such means, as the JRC does); nothing is silently dropped.
/// 6. ranks per node: the highest score is rank 1, ties take the minimum rank (1, 2, 2, 4);
///    missing scores have no rank (0). Strongest / weakest indicator per unit: the highest /
///    lowest normalised score among the unit's present indicators (first on ties).
///
/// Design notes:
/// - The hierarchy is given by ids (composite_node / composite_indicator with a parent id) and
///   compiled into composite_tree, plain index vectors (parent per node, parent per indicator,
///   weights, methods, a bottom-up order) that the uncertainty engine can take as they are.
/// - composite_spec is a value: copy it, change one field, run again. The result keeps the spec it
///   was built with, so `auto s = r.spec; s.normalise = normalisation::rank;` re-runs with one
///   choice changed.
/// - Work is columnar: the matrix is transposed once into indicator columns, each step is one pass
///   per column, aggregation one pass per node over contiguous unit columns; buffers are allocated
///   per call, never per element.
/// - Value-added (增值评价) is actual - expected (times -1 for lower-is-better), expected from the
///   baseline (gain), the planned linear path to a target (序时进度), or an OLS regression on the
///   baseline and covariates across peer units (the residual), solved by Householder QR so that
///   an ill-conditioned design is detected rather than squared as in the normal equations.

#include <planeval/detail/enum_names.hpp>
#include <planeval/error.hpp>
#include <planeval/indicator.hpp>

#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace planeval {

/// Whether a higher or a lower value of an indicator is better (the polarity of the OECD/JRC
/// handbook).
enum class polarity : std::uint8_t { higher, lower };
/// Names: "higher", "lower".
inline constexpr detail::name_table<polarity, 2> polarity_names{
    {{polarity::higher, "higher"}, {polarity::lower, "lower"}}};
/// "higher" or "lower".
inline std::string_view to_string(polarity p) noexcept { return detail::name_of(polarity_names, p); }
/// The polarity of a plan indicator's direction: decrease is lower-is-better; increase and maintain
/// are higher-is-better; band has none (nullopt: say it explicitly).
inline std::optional<polarity> polarity_of(direction d) noexcept {
  switch (d) {
  case direction::increase:
  case direction::maintain: return polarity::higher;
  case direction::decrease: return polarity::lower;
  case direction::band: return std::nullopt;
  }
  return std::nullopt;
}

/// Normalisation methods (see the file comment for the formulas).
enum class normalisation : std::uint8_t {
  none,
  min_max,
  z_score,
  rank,
  percentile_rank,
  distance_to_target,
  distance_to_reference,
  borda,
  goalposts
};
/// Names as in the Python API ("min_max", "z_score", ...).
inline constexpr detail::name_table<normalisation, 9> normalisation_names{{
    {normalisation::none, "none"},
    {normalisation::min_max, "min_max"},
    {normalisation::z_score, "z_score"},
    {normalisation::rank, "rank"},
    {normalisation::percentile_rank, "percentile_rank"},
    {normalisation::distance_to_target, "distance_to_target"},
    {normalisation::distance_to_reference, "distance_to_reference"},
    {normalisation::borda, "borda"},
    {normalisation::goalposts, "goalposts"},
}};
/// The method's name.
inline std::string_view to_string(normalisation n) noexcept { return detail::name_of(normalisation_names, n); }

/// Imputation of missing values.
enum class imputation : std::uint8_t { none, mean, median, group_mean };
/// Names: "none", "mean", "median", "group_mean".
inline constexpr detail::name_table<imputation, 4> imputation_names{{
    {imputation::none, "none"},
    {imputation::mean, "mean"},
    {imputation::median, "median"},
    {imputation::group_mean, "group_mean"},
}};
/// The method's name.
inline std::string_view to_string(imputation i) noexcept { return detail::name_of(imputation_names, i); }

/// Outlier treatment: none, or COINr's default (winsorise up to 5 points, else log).
enum class outlier_treatment : std::uint8_t { none, coinr };
/// Names: "none", "coinr".
inline constexpr detail::name_table<outlier_treatment, 2> outlier_treatment_names{
    {{outlier_treatment::none, "none"}, {outlier_treatment::coinr, "coinr"}}};
/// The treatment's name.
inline std::string_view to_string(outlier_treatment o) noexcept { return detail::name_of(outlier_treatment_names, o); }

/// Aggregation of a node's children.
enum class aggregation : std::uint8_t { arithmetic, geometric, harmonic, generalised };
/// Names: "arithmetic", "geometric", "harmonic", "generalised".
inline constexpr detail::name_table<aggregation, 4> aggregation_names{{
    {aggregation::arithmetic, "arithmetic"},
    {aggregation::geometric, "geometric"},
    {aggregation::harmonic, "harmonic"},
    {aggregation::generalised, "generalised"},
}};
/// The method's name.
inline std::string_view to_string(aggregation a) noexcept { return detail::name_of(aggregation_names, a); }

/// A node of the hierarchy (a dimension, a sub-index, the index).
struct composite_node {
  std::string id;                               ///< unique among nodes and indicators (UTF-8)
  std::string parent;                           ///< the parent node's id; empty for the root (exactly one)
  double weight = 1.0;                          ///< weight among its parent's children (>= 0)
  aggregation method = aggregation::arithmetic; ///< how this node combines its children
  double power = 1.0;                           ///< p of the generalised mean (finite)
  double min_share = 0.0; ///< data availability threshold: below this share of children present, missing
};

/// An indicator: one column of the data matrix, a leaf of the hierarchy.
struct composite_indicator {
  std::string id;                                             ///< unique among nodes and indicators (UTF-8)
  std::string parent;                                         ///< the node it belongs to (required)
  double weight = 1.0;                                        ///< weight among its parent's children (>= 0)
  polarity direction = polarity::higher;                      ///< higher or lower is better
  double target = std::numeric_limits<double>::quiet_NaN();   ///< for distance_to_target
  double baseline = std::numeric_limits<double>::quiet_NaN(); ///< goalposts: progress 0
  double goal = std::numeric_limits<double>::quiet_NaN();     ///< goalposts: progress 1
};

/// Every choice of a composite. A value: copy it, change one field, run again.
struct composite_spec {
  std::vector<composite_node> nodes;                    ///< the hierarchy's nodes (any order)
  std::vector<composite_indicator> indicators;          ///< one per column of the data, in column order
  outlier_treatment outliers = outlier_treatment::none; ///< step 2
  imputation impute = imputation::none;                 ///< step 3
  /// Group of each unit (for group_mean; e.g. the stage); one per unit, or empty.
  std::vector<std::uint32_t> groups;
  normalisation normalise = normalisation::min_max; ///< step 4 (one method for every indicator)
  double range_lo = 0.0;          ///< output range of min_max, percentile_rank, distance_to_target, goalposts
  double range_hi = 100.0;        ///< (range_lo < range_hi)
  std::size_t reference_unit = 0; ///< the unit of distance_to_reference (a row index)
  bool cap = true;                ///< goalposts: cap progress to [0, 1]
  /// Per-unit targets, baselines and goals overriding the indicator's (units x indicators,
  /// row-major like the data; empty: none; a NaN cell: the indicator's value), e.g. the target of
  /// each school's own stage.
  std::vector<double> unit_target, unit_baseline, unit_goal;
};

/// A dense units x indicators matrix, row-major, borrowed. NaN means missing (never zero).
struct composite_data {
  std::span<const double> values; ///< units * indicators values; values[u * indicators + i]
  std::size_t units = 0;          ///< rows
  std::size_t indicators = 0;     ///< columns (one per composite_spec::indicators entry)
};

/// The hierarchy compiled to indices (validated): what the uncertainty engine takes.
struct composite_tree {
  std::vector<std::string> node_ids;           ///< as in the spec
  std::vector<std::int32_t> node_parent;       ///< parent node index; -1 for the root
  std::vector<double> node_weight;             ///< weight among the parent's children
  std::vector<aggregation> node_method;        ///< per node
  std::vector<double> node_power;              ///< per node: p (arithmetic 1, geometric 0, harmonic -1)
  std::vector<double> node_min_share;          ///< per node
  std::vector<std::uint32_t> indicator_parent; ///< node index of each indicator (column)
  std::vector<double> indicator_weight;        ///< weight of each indicator among its siblings
  std::vector<std::uint32_t> bottom_up;        ///< node indices, every child node before its parent
  std::vector<std::uint32_t> children_count;   ///< per node: indicators + nodes below it directly
  std::uint32_t root = 0;                      ///< the root node's index
};

/// Checks the hierarchy of `spec` and compiles it. Throws data_error naming the place:
/// `nodes[3].parent: unknown node "dim9"`, duplicate ids, cycles, several or no roots, a node
/// without children, negative or non-finite weights, min_share outside [0, 1].
composite_tree make_composite_tree(const composite_spec& spec);

/// What happened to one indicator in the outlier step.
struct outlier_record {
  double skew = std::numeric_limits<double>::quiet_NaN();     ///< G1 before treatment
  double kurtosis = std::numeric_limits<double>::quiet_NaN(); ///< excess G2 before treatment
  double skew_after = std::numeric_limits<double>::quiet_NaN();
  double kurtosis_after = std::numeric_limits<double>::quiet_NaN();
  std::vector<std::uint32_t> winsorised; ///< units whose value was replaced, in order
  bool log_transformed = false;          ///< winsorising 5 points did not pass: log instead
};

/// The parameters each step used, per indicator (NaN where not applicable). location / scale are
/// in the polarity-applied scale: for a lower-is-better indicator min_max records min and max of -x.
struct composite_record {
  std::vector<outlier_record> outliers; ///< per indicator (empty without treatment)
  std::vector<std::uint32_t> imputed;   ///< per indicator: values imputed
  std::vector<std::uint32_t> present;   ///< per indicator: values present in the data
  std::vector<double> location;         ///< per indicator: min (min_max), mean (z_score), x_ref, baseline
  std::vector<double> scale;            ///< per indicator: max (min_max), sd (z_score), target, goal
};

/// Everything build_composite computes; matrices are row-major with one row per unit.
struct composite_result {
  composite_spec spec;                 ///< the choices made (copy, change one, run again)
  composite_tree tree;                 ///< the compiled hierarchy
  composite_record record;             ///< what each step did
  std::size_t units = 0;               ///< rows
  std::vector<double> treated;         ///< units x indicators after outliers and imputation (NaN missing)
  std::vector<double> normalised;      ///< units x indicators after normalisation (NaN missing)
  std::vector<double> scores;          ///< units x nodes (NaN missing)
  std::vector<std::uint32_t> ranks;    ///< units x nodes: 1 = highest, ties min; 0 = no score
  std::vector<std::int32_t> strongest; ///< per unit: indicator index with the highest normalised score; -1 none
  std::vector<std::int32_t> weakest;   ///< per unit: indicator index with the lowest normalised score; -1 none

  /// The score of `unit` at node `node`.
  double score(std::size_t unit, std::size_t node) const { return scores[unit * tree.node_ids.size() + node]; }
  /// The rank of `unit` at node `node` (0: missing).
  std::uint32_t rank(std::size_t unit, std::size_t node) const { return ranks[unit * tree.node_ids.size() + node]; }
};

/// Builds the composite: outliers, imputation, normalisation, aggregation, ranks. Throws
/// data_error on bad input (sizes, non-finite values, the hierarchy, missing parameters).
composite_result build_composite(const composite_data& data, const composite_spec& spec);

/// Steps 1-4 only: the normalised (treated, imputed) units x indicators matrix, row-major, NaN
/// missing, as build_composite computes it. To feed the uncertainty engine. `record`, if given,
/// receives what each step did.
std::vector<double> normalised_matrix(const composite_data& data, const composite_spec& spec,
                                      composite_record* record = nullptr);

/// Aggregates a normalised units x indicators matrix (row-major, NaN missing) up `tree`: the
/// scores, units x nodes row-major. Step 5 of build_composite.
std::vector<double> aggregate_tree(std::span<const double> normalised, std::size_t units, const composite_tree& tree);

/// Ranks of `values` (stride `stride`, `n` values): 1 = highest, ties take the minimum rank, NaN
/// gets 0.
std::vector<std::uint32_t> rank_descending(std::span<const double> values, std::size_t n, std::size_t stride = 1);

/// The sample statistics used by the outlier rule: adjusted Fisher-Pearson skewness G1 and
/// excess kurtosis G2 of the non-NaN values (NaN when fewer than 4 values or zero variance).
struct skew_kurtosis {
  double skew = std::numeric_limits<double>::quiet_NaN();
  double kurtosis = std::numeric_limits<double>::quiet_NaN();
};
/// G1 and G2 of the present (non-NaN) values of `x`.
skew_kurtosis sample_skew_kurtosis(std::span<const double> x);

// --- value-added (增值评价) ------------------------------------------------------------------

/// How the expected value of value-added is found.
enum class value_added_method : std::uint8_t { gain, planned_path, regression };
/// Names: "gain", "planned_path", "regression".
inline constexpr detail::name_table<value_added_method, 3> value_added_method_names{{
    {value_added_method::gain, "gain"},
    {value_added_method::planned_path, "planned_path"},
    {value_added_method::regression, "regression"},
}};
/// The method's name.
inline std::string_view to_string(value_added_method m) noexcept {
  return detail::name_of(value_added_method_names, m);
}

/// Inputs of value_added; per-unit spans have one value per unit (NaN missing); the planned-path
/// spans may instead hold a single value for every unit.
struct value_added_input {
  value_added_method method = value_added_method::gain; ///< how `expected` is found
  std::span<const double> actual;                       ///< the current value per unit
  std::span<const double> baseline;                     ///< the prior value per unit
  polarity direction = polarity::higher;                ///< lower: value added = expected - actual
  // planned_path: expected = baseline + (target - baseline)(year - baseline_year)/(target_year - baseline_year)
  std::span<const double> baseline_year;                  ///< per unit or one value
  std::span<const double> target_value;                   ///< per unit or one value
  std::span<const double> target_year;                    ///< per unit or one value
  double year = std::numeric_limits<double>::quiet_NaN(); ///< the year of `actual`
  // regression: actual ~ 1 + baseline + covariates (units x covariates, row-major)
  std::span<const double> covariates; ///< units x covariate_count, row-major (NaN: unit left out)
  std::size_t covariate_count = 0;    ///< columns of `covariates`
  bool intercept = true;              ///< fit an intercept (R² is then centred; else uncentred)
};

/// Value-added per unit, with its rank and (regression) the fit.
struct value_added_result {
  std::vector<double> expected;     ///< per unit (NaN where not computable)
  std::vector<double> value_added;  ///< per unit: actual - expected (lower-is-better: negated)
  std::vector<std::uint32_t> rank;  ///< 1 = the highest value added, ties min; 0 = missing
  std::vector<double> coefficients; ///< regression: intercept (if any), baseline, covariates
  double r_squared = std::numeric_limits<double>::quiet_NaN(); ///< regression: 1 - SSR/SST
  std::size_t fitted_units = 0; ///< regression: units used in the fit (all inputs present)
};

/// Computes value-added. Throws data_error on wrong sizes, non-finite values other than NaN,
/// target_year == baseline_year, or a singular regression design (naming the column at fault).
value_added_result value_added(const value_added_input& input);

/// Least squares: the coefficients b minimising |y - X b| (X rows x cols, row-major), by
/// Householder QR. Throws data_error if rows < cols or X is rank deficient (naming the column).
std::vector<double> least_squares(std::span<const double> x, std::size_t rows, std::size_t cols,
                                  std::span<const double> y);

} // namespace planeval
