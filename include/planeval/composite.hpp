// Copyright (c) 2026 planeval developers. Distributed under the MIT License.
#pragma once
/// \file composite.hpp
/// Composite indices (综合评价) in the manner of the JRC's COINr toolkit and the OECD/JRC Handbook
/// on Constructing Composite Indicators (2008), and value-added (增值评价).
///
/// Pipeline of build_composite (each step recorded in composite_record). After the check, the
/// steps run in the order of composite_spec::steps, by default COINr's (build_example_coin):
/// denominate, impute, screen, treat, normalise; aggregation and ranks always come last. A step
/// works on the output of the previous one. planeval's order before issue 15 was treat, impute,
/// normalise (list it in `steps` to get it). `steps` only orders: a step runs when it is
/// configured (its spec fields; by default only normalise is, the others are none), and a
/// configured step that `steps` does not list is a data_error. To reproduce build_example_coin():
/// denominators as in iMeta, impute = group_mean with groups = EurAsia_group, screen = by_na with
/// dat_thresh = 0.9, outliers = coinr, normalise = min_max (tests/cpp/coinr_asem_test.cpp).
/// 1. check: the data are a dense units x indicators matrix, row-major. **NaN means missing, never
///    zero**; any other non-finite value is a data_error.
/// - denominate (COINr's Denominate): an indicator with a denominator column d (composite_data::
///   denominators) becomes x / (d / denominator_scale) (COINr's ScaleFactor, default 1). Where d
///   is missing or 0 the value becomes missing (COINr gives NA or +-Inf/NaN; we never produce
///   inf) and is counted in record.denominator_missing.
/// - impute (COINr's Impute, see imputation for the formulas): column mean / median, group mean
///   / median (COINr's i_mean_grp, i_median_grp with use_group), or by row (impute_by = "row":
///   the unit's mean / median of its other min-max-normalised indicators, mapped back).
/// - screen (COINr's Screen, see unit_screen): drops units whose share of present indicators is
///   below dat_thresh (byNA; COINr's default 2/3) and/or whose share of non-zero present values
///   is below nonzero_thresh (byzeros; default 0.05); force_include / force_exclude override.
///   Later steps, the result and its ranks only have the kept units; composite_result::unit_rows
///   maps them to input rows, record.screen has the availability table of every input unit.
/// - treat (per indicator, on the present values; COINr's Treat with its defaults; every setting
///   spec-wide with a per-indicator override). Skewness is the adjusted Fisher-Pearson G1 and
///   kurtosis the *excess* kurtosis G2 (e1071 type 2, Excel's SKEW/KURT, COINr's skew()/kurt()):
///      g1 = m3 / m2^(3/2), G1 = g1 sqrt(n(n-1)) / (n-2);
///      g2 = m4 / m2^2 - 3,  G2 = ((n+1) g2 + 6)(n-1) / ((n-2)(n-3)),  m_k = sum (x - mean)^k / n.
///    The check (COINr's check_SkewKurt) passes when |G1| < skew_thresh (2) or G2 < kurt_thresh
///    (3.5); it is undefined with fewer than 4 present values or zero variance, and the indicator
///    is then left as it is (COINr: NA, untreated). A failing indicator is winsorised: while it
///    fails and nwin < winmax (5): if G1 >= 0, ALL the points equal to the maximum are replaced
///    by the largest value below it, else all the points equal to the minimum by the smallest
///    value above it (COINr's which(x == max(x))); nwin is the number of points at the last
///    high cap plus those at the last low cap (COINr's count; ties can take it past winmax).
///    If it still fails, the winsorisation is undone and `transform` (default log_CT:
///    ln(x - min + 0.01 (max - min))) is applied to the original values (see treat_transform).
///    With force_win, a failing indicator is winsorised until nwin >= winmax even once it passes.
///    Every value is in the record (outlier_record: COINr's Dets_Table and Treated_Points).
/// - normalise: see below.
/// 4. normalisation (COINr's Normalise; per indicator: composite_indicator::normalise and
///    normalise_params override composite_spec::normalise and normalise_params, as COINr's
///    indiv_specs override global_specs). Every statistic is over the unit's present values (n of
///    them; NaN stays missing and is never counted). The names in brackets are COINr 1.1.14's
///    (R/normalise.R); normalisation_coinr_names maps them to planeval's.
///    Polarity, COINr's convention: a lower-is-better indicator is multiplied by -1 BEFORE the
///    method (COINr's Normalise.numeric: x <- x * direction), so y = x (higher is better) or
///    y = -x (lower), and min, max, mean, sd, ranks and x_ref are those of y. A target is given in
///    the indicator's own units and negated with x (T = -target): what COINr's Normalise does with
///    f_n_para = "use_iMeta" (targ = Target * Direction); with indiv_specs COINr takes targ already
///    negated. Goalposts are not negated: the order of baseline and goal carries the direction.
///    [lo, hi] is normalisation_params' output range (default [0, 100]).
///    - min_max [n_minmax, l_u = c(lo, hi)]: (y - min) / (max - min) * (hi - lo) + lo. A constant
///      indicator gives (lo + hi) / 2 (COINr: NaN, with a warning).
///    - z_score [n_zscore, m_sd = c(z_mean, z_sd)]: (y - mean) / sd * z_sd + z_mean, where sd is
///      the sample sd (divide by n - 1; R's sd(), COINr's) or with sd = sd_kind::population the
///      population sd (divide by n). Defaults z_mean 0, z_sd 1, sd sample. **Changed in issue 15**:
///      planeval used the population sd before (set sd = population for the old values), to agree
///      with COINr and R. sd = 0, or n = 1 with the sample sd, gives z_mean (COINr: NaN).
///    - rank [n_rank]: the rank of y among the present units, ascending (1 = the lowest y = the
///      worst), ties by `ties` (R's rank() ties.method): min (default: COINr's, and planeval's own
///      ranking rule), average, max, first or last (first/last: by row order). **Changed in issue
///      15**: the default was average (set ties = average for the old values).
///    - percentile_rank [n_prank]: p = (rank - 1) / (n - 1), rank as above (default ties min,
///      COINr's; average before issue 15), output lo + (hi - lo) p (COINr's n_prank is [0, 1]:
///      lo = 0, hi = 1). n = 1 gives (lo + hi) / 2 (COINr: NaN).
///    - borda [n_borda]: rank - 1 (ties as above; with min, the number of units with a lower y).
///    - distance_to_target [n_dist2targ, targ = T, cap_max = cap]: r per unit, output
///      lo + (hi - lo) r (COINr's is [0, 1]: lo = 0, hi = 1).
///      anchor = zero (default, planeval's): r = x / target (higher is better), target / x (lower;
///      x must be > 0 unless capped, where x <= target gives 1); the target must be > 0.
///      anchor = min (COINr's): r = (y - min) / (T - min), min of y: higher is better
///      (x - min x) / (target - min x); lower (max x - x) / (max x - target). T = min is an error;
///      T below min gives negative r (COINr warns).
///      cap (default true; COINr's cap_max defaults to FALSE): anchor zero clamps r to [0, 1],
///      anchor min sets r > 1 to 1 (COINr's cap_max). Per-unit targets: composite_spec::unit_target.
///    - distance_to_reference [n_dist2ref, iref = reference_unit + 1, cap_max = cap]: y_ref the
///      reference unit's y; not scaled. anchor = zero (default, planeval's): r = x / x_ref (lower:
///      x_ref / x; a zero divisor is an error); anchor = min (COINr's):
///      r = 1 - (y_ref - y) / (y_ref - min) (y_ref = min, the reference being the worst, is an
///      error). cap (default false, COINr's): r > 1 set to 1.
///    - goalposts [n_goalposts, gposts = c(l, u, a), trunc2posts = cap]: p = (x - baseline) /
///      (goal - baseline), the share of the way from baseline to goal (a target's 完成进度); cap
///      (default true) clamps p to [0, 1]; output lo + (hi - lo) p. COINr's gposts = c(l, u, a)
///      is baseline l, goal u, lo 0, hi a; with Direction -1 (COINr's use_iMeta negates x and
///      the goalposts, swapped: (u - x) / (u - l)) it is baseline u, goal l. Per-unit baselines
///      and goals: composite_spec::unit_baseline, unit_goal.
///    - scaled [n_scaled, npara = c(l, u), scale_factor = f]: the goalposts formula with cap
///      default false: COINr's is baseline l, goal u, lo 0, hi f (Direction -1: baseline u,
///      goal l, as COINr's use_iMeta does).
///    - fraction_of_max [n_fracmax]: y / max y, not scaled; max y must be > 0 (for a
///      lower-is-better indicator of positive values COINr's -x / max(-x) = x / min x would rank
///      the worst unit highest: a data_error here).
///    - distance_to_max [n_dist2max]: 1 - (max - y) / (max - min), not scaled (min_max onto
///      [0, 1]); a constant indicator gives 0.5 (COINr: NaN).
///    - none: x as it is, not negated (for data already on a common scale; COINr's "none"
///      returns -x for Direction -1).
///    Targets, baselines and goals are per indicator, optionally overridden per unit (a school
///    measured against the target of its own stage). record.location / scale: min / max (min_max,
///    distance_to_max), mean / sd (z_score), - / max (fraction_of_max), min / target
///    (distance_to_target; location only with anchor min), x_ref / min (distance_to_reference;
///    scale only with anchor min), baseline / goal (goalposts, scaled).
/// 5. aggregation up the hierarchy by the one power-mean kernel of planeval/composite/mean.hpp
///    (aggregate_units; the uncertainty engine runs the same code): per node arithmetic, geometric,
///    harmonic or generalised mean with power p (p = 1, 0, -1 are the first three), over the
///    children with a value for the unit and a weight > 0, their weights renormalised to sum to 1
///    over those children. A node is missing for a unit when no such child is present, when their
///    weights sum to 0, or when the share of its children present (by count) is below its
///    `min_share`. Negative values are a data_error for every mean but the arithmetic one; a zero
///    under a geometric, harmonic or p < 0 mean follows composite_spec::zeros: zero_policy::error
///    (the default: a data_error naming node, unit and child; choose an output range such as
///    [1, 100] for such means, as the JRC does) or zero_policy::limit (the node is 0, the mean's
///    limit). Nothing is silently dropped.
/// 6. ranks per node by rank_min_descending (planeval/composite/rank.hpp): the highest score is
///    rank 1, ties take the minimum rank (1, 2, 2, 4); missing scores have no rank (0). Strongest /
///    weakest indicator per unit: the highest / lowest normalised score among the unit's present
///    indicators (first on ties).
///
/// Design notes:
/// - The hierarchy is given by ids (composite_node / composite_indicator with a parent id) and
///   compiled by make_composite_tree, the one validator, into composite_tree (composite/tree.hpp):
///   plain index vectors (parent per node, parent per indicator, weights, methods, a bottom-up
///   order, the zero policy), the one hierarchy type of the composite and its uncertainty engine.
/// - composite_spec is a value: copy it, change one field, run again. The result keeps the spec it
///   was built with, so `auto s = r.spec; s.normalise = normalisation::rank;` re-runs with one
///   choice changed.
/// - Work is columnar: the matrix is transposed once into indicator columns, each step is one pass
///   per column; aggregation then runs unit by unit over the row-major normalised matrix (all the
///   nodes of a unit in one bottom-up pass of aggregate_units, as the uncertainty engine does) and
///   ranks node by node; buffers are allocated per call, never per element.
/// - Value-added (增值评价) is actual - expected (times -1 for lower-is-better), expected from the
///   baseline (gain), the planned linear path to a target (序时进度), or an OLS regression on the
///   baseline and covariates across peer units (the residual), solved by Householder QR so that
///   an ill-conditioned design is detected rather than squared as in the normal equations.

#include <planeval/composite/mean.hpp>
#include <planeval/composite/rank.hpp>
#include <planeval/composite/tree.hpp>
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

/// Normalisation methods (see the file comment, step 4, for the formulas).
enum class normalisation : std::uint8_t {
  none,
  min_max,
  z_score,
  rank,
  percentile_rank,
  distance_to_target,
  distance_to_reference,
  borda,
  goalposts,
  scaled,
  fraction_of_max,
  distance_to_max
};
/// Names as in the Python API ("min_max", "z_score", ...).
inline constexpr detail::name_table<normalisation, 12> normalisation_names{{
    {normalisation::none, "none"},
    {normalisation::min_max, "min_max"},
    {normalisation::z_score, "z_score"},
    {normalisation::rank, "rank"},
    {normalisation::percentile_rank, "percentile_rank"},
    {normalisation::distance_to_target, "distance_to_target"},
    {normalisation::distance_to_reference, "distance_to_reference"},
    {normalisation::borda, "borda"},
    {normalisation::goalposts, "goalposts"},
    {normalisation::scaled, "scaled"},
    {normalisation::fraction_of_max, "fraction_of_max"},
    {normalisation::distance_to_max, "distance_to_max"},
}};
/// The method's name.
inline std::string_view to_string(normalisation n) noexcept { return detail::name_of(normalisation_names, n); }
/// COINr 1.1.14's names of the same methods (its n_* functions), as aliases for the Python side:
/// parse_name(normalisation_coinr_names, "n_prank") is percentile_rank. COINr's own parameter
/// defaults differ in places (see the file comment): n_prank is [0, 1] (lo 0, hi 1), n_dist2targ
/// anchors on the minimum and does not cap (anchor min, cap false), n_dist2ref anchors on the
/// minimum. COINr's "none" is not listed: it negates lower-is-better indicators, planeval's does not.
inline constexpr detail::name_table<normalisation, 11> normalisation_coinr_names{{
    {normalisation::min_max, "n_minmax"},
    {normalisation::z_score, "n_zscore"},
    {normalisation::rank, "n_rank"},
    {normalisation::percentile_rank, "n_prank"},
    {normalisation::distance_to_target, "n_dist2targ"},
    {normalisation::distance_to_reference, "n_dist2ref"},
    {normalisation::borda, "n_borda"},
    {normalisation::goalposts, "n_goalposts"},
    {normalisation::scaled, "n_scaled"},
    {normalisation::fraction_of_max, "n_fracmax"},
    {normalisation::distance_to_max, "n_dist2max"},
}};

/// Which standard deviation z_score divides by.
enum class sd_kind : std::uint8_t {
  sample,    ///< sqrt(sum (y - mean)^2 / (n - 1)): R's sd(), COINr's n_zscore (the default)
  population ///< sqrt(sum (y - mean)^2 / n): planeval's z_score before issue 15
};
/// Names: "sample", "population".
inline constexpr detail::name_table<sd_kind, 2> sd_kind_names{
    {{sd_kind::sample, "sample"}, {sd_kind::population, "population"}}};
/// The kind's name.
inline std::string_view to_string(sd_kind k) noexcept { return detail::name_of(sd_kind_names, k); }

/// How rank, percentile_rank and borda rank tied values (R's rank() ties.method, as COINr passes
/// it): with ascending sorted positions a..b (1-based) sharing one value, min gives a (COINr's
/// default), max b, average (a + b) / 2, first a, a+1, ... in row order, last the reverse.
enum class rank_ties : std::uint8_t { min, average, max, first, last };
/// Names (R's): "min", "average", "max", "first", "last".
inline constexpr detail::name_table<rank_ties, 5> rank_ties_names{{
    {rank_ties::min, "min"},
    {rank_ties::average, "average"},
    {rank_ties::max, "max"},
    {rank_ties::first, "first"},
    {rank_ties::last, "last"},
}};
/// The rule's name.
inline std::string_view to_string(rank_ties t) noexcept { return detail::name_of(rank_ties_names, t); }

/// Where distance_to_target and distance_to_reference put 0: at zero (x / target, planeval's
/// default) or at the indicator's minimum ((x - min) / (target - min), COINr's n_dist2targ and
/// n_dist2ref).
enum class distance_anchor : std::uint8_t { zero, min };
/// Names: "zero", "min".
inline constexpr detail::name_table<distance_anchor, 2> distance_anchor_names{
    {{distance_anchor::zero, "zero"}, {distance_anchor::min, "min"}}};
/// The anchor's name.
inline std::string_view to_string(distance_anchor a) noexcept { return detail::name_of(distance_anchor_names, a); }

/// The parameters of the normalisation methods (each method reads the ones it needs; see the file
/// comment, step 4). Spec-wide in composite_spec::normalise_params, per indicator in
/// composite_indicator::normalise_params (the whole set). Checked by build_composite: a bad value
/// is a data_error naming it (`indicators[3] ("Flights").normalise_params.z_sd: ...`).
struct normalisation_params {
  /// Output range [lo, hi] of min_max (COINr's n_minmax l_u), percentile_rank,
  /// distance_to_target, goalposts and scaled (finite, lo < hi).
  double lo = 0.0;
  double hi = 100.0; ///< see lo
  double z_mean = 0.0; ///< z_score: the mean of the result (COINr's m_sd[1]; finite)
  double z_sd = 1.0;   ///< z_score: the sd of the result (COINr's m_sd[2]; finite, > 0)
  sd_kind sd = sd_kind::sample; ///< z_score: which sd x is divided by (sample: COINr's, R's sd())
  rank_ties ties = rank_ties::min; ///< rank, percentile_rank, borda: tied values (COINr's default min)
  /// distance_to_target, distance_to_reference: zero (planeval's) or min (COINr's).
  distance_anchor anchor = distance_anchor::zero;
  /// Cap of distance_to_target (COINr's cap_max), distance_to_reference (cap_max), goalposts
  /// (trunc2posts) and scaled. nullopt: the method's default: true for goalposts and
  /// distance_to_target (planeval's; COINr's n_dist2targ defaults to false), false for
  /// distance_to_reference and scaled.
  std::optional<bool> cap;
  /// distance_to_reference: the reference unit, a row of the input data (COINr's iref - 1).
  std::size_t reference_unit = 0;
};

/// Imputation of missing values (step "impute"; COINr's Impute()). Column methods fill a unit's
/// missing value of an indicator from the other units' present values of that indicator:
/// - mean, median (COINr's i_mean, i_median): over every present unit;
/// - group_mean, group_median (COINr's i_mean_grp, i_median_grp with use_group): over the present
///   units of the unit's group (composite_spec::groups). A group with no present value leaves its
///   units missing (COINr: the mean of nothing is NaN, i.e. still NA).
/// Row methods (COINr's impute_by = "row", whose default normalise_first = TRUE) fill a unit's
/// missing value from the unit's own other indicators: every indicator of the row set is first
/// put on [0, 1] by min-max over the present units (after applying its polarity: a lower-is-better
/// indicator is negated), the unit's missing cells get the mean / median of its present [0, 1]
/// values in the same row set, and the result is mapped back: x = s (max - min) + min (negated
/// again for lower-is-better). The row set is every indicator (impute_level = 0, COINr's default
/// group_level = NULL) or the indicators sharing the ancestor at COINr level `impute_level`
/// (2 = the indicator's parent, e.g. the pillar; 3 = the grandparent, ...).
enum class imputation : std::uint8_t { none, mean, median, group_mean, group_median, row_mean, row_median };
/// Names: "none", "mean", "median", "group_mean", "group_median", "row_mean", "row_median".
inline constexpr detail::name_table<imputation, 7> imputation_names{{
    {imputation::none, "none"},
    {imputation::mean, "mean"},
    {imputation::median, "median"},
    {imputation::group_mean, "group_mean"},
    {imputation::group_median, "group_median"},
    {imputation::row_mean, "row_mean"},
    {imputation::row_median, "row_median"},
}};
/// The method's name.
inline std::string_view to_string(imputation i) noexcept { return detail::name_of(imputation_names, i); }

/// Outlier treatment (step "treat"; COINr's Treat()): none, or COINr's default (winsorise up to
/// `winmax` points, else the fallback transform) with the settings of composite_spec (overridable
/// per indicator).
enum class outlier_treatment : std::uint8_t { none, coinr };
/// Names: "none", "coinr".
inline constexpr detail::name_table<outlier_treatment, 2> outlier_treatment_names{
    {{outlier_treatment::none, "none"}, {outlier_treatment::coinr, "coinr"}}};
/// The treatment's name.
inline std::string_view to_string(outlier_treatment o) noexcept { return detail::name_of(outlier_treatment_names, o); }

/// The transform applied (to the original values) when winsorising `winmax` points does not pass
/// COINr's skew/kurtosis check (COINr's f2; names and formulas as in COINr 1.1.14's R/treat.R;
/// min, max over the indicator's present values, a = 0.01 (max - min)):
/// - log_CT (COINr's default): ln(x - min + a), whatever the sign of the skew (COINr does not
///   mirror it: a negatively skewed indicator stays negatively skewed);
/// - log_CT_plus: ln(x - min + a) for skew > 0, else -ln(max + a - x) (mirrored, order kept);
/// - log_CT_orig: ln(x - min + 1);
/// - boxcox: ((x - min + 1)^lambda - 1) / lambda, ln(x - min + 1) for lambda = 0 (COINr's boxcox
///   with makepos = TRUE);
/// - none: keep the winsorised values even though they fail the check.
enum class treat_transform : std::uint8_t { log_CT, log_CT_plus, log_CT_orig, boxcox, none };
/// Names (COINr's): "log_CT", "log_CT_plus", "log_CT_orig", "boxcox", "none".
inline constexpr detail::name_table<treat_transform, 5> treat_transform_names{{
    {treat_transform::log_CT, "log_CT"},
    {treat_transform::log_CT_plus, "log_CT_plus"},
    {treat_transform::log_CT_orig, "log_CT_orig"},
    {treat_transform::boxcox, "boxcox"},
    {treat_transform::none, "none"},
}};
/// The transform's name.
inline std::string_view to_string(treat_transform t) noexcept { return detail::name_of(treat_transform_names, t); }

/// Unit screening by data availability (step "screen"; COINr's Screen() argument unit_screen).
/// A unit's data share is (present indicators) / (indicators) and its non-zero share is
/// (present non-zero values) / (present values) (NaN for a unit without data). The unit is kept
/// unless: by_na: data share < dat_thresh; by_zeros: non-zero share < nonzero_thresh (or NaN);
/// by_na_and_zeros: either. force_include / force_exclude then override (exclude wins).
enum class unit_screen : std::uint8_t { none, by_na, by_zeros, by_na_and_zeros };
/// Names (COINr's): "none", "byNA", "byzeros", "byNAandzeros".
inline constexpr detail::name_table<unit_screen, 4> unit_screen_names{{
    {unit_screen::none, "none"},
    {unit_screen::by_na, "byNA"},
    {unit_screen::by_zeros, "byzeros"},
    {unit_screen::by_na_and_zeros, "byNAandzeros"},
}};
/// The rule's name.
inline std::string_view to_string(unit_screen s) noexcept { return detail::name_of(unit_screen_names, s); }

/// The steps before aggregation, run in the order of composite_spec::steps (aggregation always
/// last). COINr's default order: denominate, impute, screen, treat, normalise.
enum class composite_step : std::uint8_t { denominate, impute, screen, treat, normalise };
/// Names: "denominate", "impute", "screen", "treat", "normalise".
inline constexpr detail::name_table<composite_step, 5> composite_step_names{{
    {composite_step::denominate, "denominate"},
    {composite_step::impute, "impute"},
    {composite_step::screen, "screen"},
    {composite_step::treat, "treat"},
    {composite_step::normalise, "normalise"},
}};
/// The step's name.
inline std::string_view to_string(composite_step s) noexcept { return detail::name_of(composite_step_names, s); }

// aggregation, aggregation_names and zero_policy: planeval/composite/tree.hpp

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
  /// Normalisation of this indicator (nullopt: composite_spec::normalise; COINr's indiv_specs f_n).
  std::optional<normalisation> normalise{};
  /// Its parameters, the whole set (nullopt: composite_spec::normalise_params; COINr's indiv_specs
  /// f_n_para).
  std::optional<normalisation_params> normalise_params{};
  // --- denomination and outlier treatment of this indicator (steps "denominate", "treat") ---
  /// Denominator column of composite_data::denominators (an index into composite_spec::denominators)
  /// this indicator is divided by; -1: none (COINr's iMeta$Denominator, NA for none).
  std::int32_t denominator = -1;
  /// x / (d / denominator_scale), COINr's denomby$ScaleFactor (default 1; finite, != 0).
  double denominator_scale = 1.0;
  /// Overrides of composite_spec's treatment settings for this indicator (nullopt: the spec's).
  /// outliers = none skips the indicator (COINr's indiv_specs = "none"). (Every new member has a
  /// default member initializer, so that brace-initialised indicators stay -Wextra clean.)
  std::optional<outlier_treatment> outliers{};
  std::optional<std::uint32_t> winmax{};       ///< see composite_spec::winmax
  std::optional<double> skew_thresh{};         ///< see composite_spec::skew_thresh
  std::optional<double> kurt_thresh{};         ///< see composite_spec::kurt_thresh
  std::optional<treat_transform> transform{};  ///< see composite_spec::transform
  std::optional<double> boxcox_lambda{};       ///< see composite_spec::boxcox_lambda
  std::optional<bool> force_win{};             ///< see composite_spec::force_win
};

/// composite_spec::groups: the unit has no group (COINr's NA in use_group).
inline constexpr std::uint32_t no_group = 0xFFFFFFFFu;

/// Every choice of a composite. A value: copy it, change one field, run again.
struct composite_spec {
  std::vector<composite_node> nodes;                    ///< the hierarchy's nodes (any order)
  std::vector<composite_indicator> indicators;          ///< one per column of the data, in column order
  /// Aggregation: a child's 0 under a geometric, harmonic or p < 0 mean: a data_error (error) or
  /// the mean's limit 0 (limit). See planeval/composite/mean.hpp.
  zero_policy zeros = zero_policy::error;
  // --- the steps before normalisation (see the file comment) ---
  /// The order of the steps (each at most once; aggregation always follows). A step that is
  /// configured (a denominator, impute != none, screen != none or force_exclude, outliers !=
  /// none, a normalisation other than none) but not listed is a data_error. planeval's order before issue 15 was
  /// {treat, impute, normalise}.
  std::vector<composite_step> steps{composite_step::denominate, composite_step::impute, composite_step::screen,
                                    composite_step::treat, composite_step::normalise};
  /// Names of the denominator columns of composite_data::denominators (e.g. "GDP", "Population";
  /// COINr's iData columns of type "Denominator"). Their count is the number of columns.
  std::vector<std::string> denominators;
  outlier_treatment outliers = outlier_treatment::none; ///< step "treat" (per indicator: composite_indicator::outliers)
  /// COINr's winmax: winsorise while nwin < winmax (nwin: COINr's count of the points at the
  /// last caps, see the file comment); 0: no winsorisation, a failing indicator goes to `transform`.
  std::uint32_t winmax = 5;
  double skew_thresh = 2.0; ///< an indicator fails when |skew| >= skew_thresh (finite, > 0) ...
  double kurt_thresh = 3.5; ///< ... and (excess) kurtosis >= kurt_thresh (COINr's check_SkewKurt)
  treat_transform transform = treat_transform::log_CT; ///< COINr's f2: applied when winsorising does not pass
  double boxcox_lambda = 1.0;   ///< lambda of treat_transform::boxcox (finite)
  /// COINr's force_win: once an indicator has failed the first check, keep winsorising until
  /// nwin >= winmax even after it passes (an indicator that passes the first check is never touched).
  bool force_win = false;
  imputation impute = imputation::none; ///< step "impute"
  /// Group of each unit (for group_mean, group_median; e.g. the stage or COINr's EurAsia_group);
  /// one per unit, or empty. A unit in group `no_group` has no group (COINr's NA in use_group):
  /// it is not imputed by the group methods and does not count for any group.
  std::vector<std::uint32_t> groups;
  /// Row imputation: the row set (0: all indicators; L >= 2: the indicators sharing their ancestor
  /// at COINr level L, 2 = the parent). See imputation.
  std::uint32_t impute_level = 0;
  unit_screen screen = unit_screen::none; ///< step "screen"
  double dat_thresh = 2.0 / 3.0;          ///< screen: minimum data share (COINr's default 2/3), in [0, 1]
  double nonzero_thresh = 0.05;           ///< screen: minimum non-zero share (COINr's default 0.05), in [0, 1]
  std::vector<std::uint32_t> force_include; ///< screen: unit rows always kept (COINr's Force, Include = TRUE)
  std::vector<std::uint32_t> force_exclude; ///< screen: unit rows always dropped (wins over force_include)
  /// Step "normalise": the method of every indicator without its own (composite_indicator::normalise;
  /// COINr's global_specs f_n). Default min_max (COINr's n_minmax).
  normalisation normalise = normalisation::min_max;
  /// The parameters of every indicator without its own (composite_indicator::normalise_params;
  /// COINr's global_specs f_n_para). Before issue 15 these were range_lo, range_hi, cap and
  /// reference_unit of composite_spec: now normalise_params.lo, .hi, .cap, .reference_unit.
  normalisation_params normalise_params;
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
  /// Denominator values, units x composite_spec::denominators.size(), row-major, NaN missing
  /// (empty when the spec has no denominators): denominators[u * spec.denominators.size() + d].
  std::span<const double> denominators{};
};

// composite_tree (the hierarchy compiled to indices, shared with the uncertainty engine):
// planeval/composite/tree.hpp.

/// Checks the hierarchy of `spec` and compiles it. Throws data_error naming the place:
/// `nodes[3].parent: unknown node "dim9"`, duplicate ids, cycles, several or no roots, a node
/// without children, negative or non-finite weights, min_share outside [0, 1].
composite_tree make_composite_tree(const composite_spec& spec);

/// A value replaced by winsorisation.
struct winsorised_point {
  std::uint32_t unit = 0; ///< the unit (row of the input data)
  double before = std::numeric_limits<double>::quiet_NaN(); ///< its value before treatment
  double after = std::numeric_limits<double>::quiet_NaN();  ///< its winsorised value
  bool high = true;       ///< replaced at the high end (COINr's "winhi"; false: "winlo")
};

/// What happened to one indicator in the outlier step: the columns of COINr's Dets_Table
/// (check_SkewKurt0.Pass/Skew/Kurt, winsorise.nwin, check_SkewKurt1.*, check_SkewKurt2.*) and its
/// Treated_Points.
struct outlier_record {
  bool treated = false;  ///< the treatment ran (false: outliers none for it, or skipped)
  double skew = std::numeric_limits<double>::quiet_NaN();     ///< G1 before treatment (check_SkewKurt0.Skew)
  double kurtosis = std::numeric_limits<double>::quiet_NaN(); ///< excess G2 before treatment (check_SkewKurt0.Kurt)
  bool passed = true; ///< passed the check before treatment (check_SkewKurt0.Pass; NaN statistics: true, untouched)
  std::uint32_t nwin = 0; ///< COINr's winsorise.nwin: points at the final cap(s)
  double skew_winsorised = std::numeric_limits<double>::quiet_NaN();     ///< after winsorising (check_SkewKurt1.Skew)
  double kurtosis_winsorised = std::numeric_limits<double>::quiet_NaN(); ///< (check_SkewKurt1.Kurt)
  bool passed_winsorised = false; ///< winsorising passed the check (check_SkewKurt1.Pass)
  double skew_after = std::numeric_limits<double>::quiet_NaN();     ///< G1 of the final values
  double kurtosis_after = std::numeric_limits<double>::quiet_NaN(); ///< G2 of the final values
  std::vector<std::uint32_t> winsorised; ///< units whose value was replaced, in the order first replaced
  std::vector<winsorised_point> points;  ///< the same, with values (kept when the transform replaced them)
  bool log_transformed = false;          ///< winsorising did not pass: the transform ran on the original values
  treat_transform transform = treat_transform::none; ///< the transform that ran (none if none)
};

/// Data availability of one unit (a row of COINr's Screen DataSummary), in the data set the screen
/// step saw.
struct unit_availability {
  std::uint32_t missing = 0;  ///< N_missing
  std::uint32_t zeros = 0;    ///< N_zero (present values equal to 0)
  double data_share = std::numeric_limits<double>::quiet_NaN();    ///< Dat_Avail = 1 - missing / indicators
  double nonzero_share = std::numeric_limits<double>::quiet_NaN(); ///< Non_Zero = 1 - zeros / present (NaN: none)
  bool low_data = false;      ///< data_share < dat_thresh
  bool low_nonzero = false;   ///< nonzero_share < nonzero_thresh (or NaN)
  bool included = true;       ///< kept (after force_include / force_exclude)
};

/// The parameters each step used, per indicator (NaN where not applicable). location / scale are
/// in the polarity-applied scale: for a lower-is-better indicator min_max records min and max of -x.
struct composite_record {
  std::vector<outlier_record> outliers; ///< per indicator (empty without treatment)
  std::vector<std::uint32_t> imputed;   ///< per indicator: values imputed
  std::vector<std::uint32_t> present;   ///< per indicator: values present in the data
  /// per indicator: min (min_max, distance_to_max, distance_to_target with anchor min), mean (z_score),
  /// x_ref (distance_to_reference), baseline (goalposts, scaled); see the file comment, step 4
  std::vector<double> location;
  /// per indicator: max (min_max, distance_to_max, fraction_of_max), the sd divided by (z_score),
  /// target (distance_to_target), min (distance_to_reference with anchor min), goal (goalposts, scaled)
  std::vector<double> scale;
  /// per indicator: present values made missing by denomination (denominator missing or 0)
  std::vector<std::uint32_t> denominator_missing;
  std::vector<unit_availability> screen;  ///< per input unit (empty without screening)
  std::vector<std::uint32_t> unit_rows;   ///< the input rows kept (all without screening), in order
};

/// Everything build_composite computes; matrices are row-major with one row per unit.
struct composite_result {
  composite_spec spec;                 ///< the choices made (copy, change one, run again)
  composite_tree tree;                 ///< the compiled hierarchy
  composite_record record;             ///< what each step did
  std::size_t units = 0;               ///< rows (the units kept by screening)
  std::vector<std::uint32_t> unit_rows; ///< per result row: its row in the input data (screening drops rows)
  std::vector<double> treated;         ///< units x indicators before normalisation (after the other steps; NaN missing)
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

/// The steps before aggregation only: the normalised units x indicators matrix, row-major, NaN
/// missing, as build_composite computes it. To feed the uncertainty engine. With screening its
/// rows are the kept units (record->unit_rows). `record`, if given, receives what each step did.
std::vector<double> normalised_matrix(const composite_data& data, const composite_spec& spec,
                                      composite_record* record = nullptr);

/// Aggregates a normalised units x indicators matrix (row-major, NaN missing) up `tree` (with its
/// zero policy): the scores, units x nodes row-major. Step 5 of build_composite (the same kernel).
std::vector<double> aggregate_tree(std::span<const double> normalised, std::size_t units, const composite_tree& tree);

/// Ranks of `values` (stride `stride`, `n` values): 1 = highest, ties take the minimum rank, NaN
/// gets 0 (rank_min_descending of composite/rank.hpp, with bounds checked).
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
