// Copyright (c) 2026 planeval developers. Distributed under the MIT License.
// Internals shared by the composite's source files (planeval/composite.hpp): the step functions
// build_composite calls per indicator column, and the text of its messages. Not installed.
//
// Files: composite_prepare.cpp (the checks and the order of the steps), composite_denominate.cpp,
// composite_screen.cpp, composite_treat.cpp (outliers), composite_impute.cpp (imputation),
// composite_normalise.cpp (normalisation),
// composite.cpp (the hierarchy, aggregation, ranks, value-added).
#pragma once

#include <planeval/composite.hpp>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

namespace planeval::composite_detail {

inline constexpr double nan = std::numeric_limits<double>::quiet_NaN();

inline std::string quoted(const std::string& s) { return "\"" + s + "\""; }

inline std::string number_text(double x) {
  if (std::isnan(x)) return "NaN";
  if (std::isinf(x)) return x > 0 ? "inf" : "-inf";
  std::string s = std::to_string(x);
  // trim trailing zeros of std::to_string's fixed 6 decimals
  if (s.find('.') != std::string::npos) {
    while (!s.empty() && s.back() == '0') s.pop_back();
    if (!s.empty() && s.back() == '.') s.pop_back();
  }
  return s;
}

inline std::string node_place(const composite_spec& spec, std::size_t i) {
  return "nodes[" + std::to_string(i) + "] (" + quoted(spec.nodes[i].id) + ")";
}
inline std::string indicator_place(const composite_spec& spec, std::size_t j) {
  return "indicators[" + std::to_string(j) + "] (" + quoted(spec.indicators[j].id) + ")";
}

inline void check_weight(double w, const std::string& place) {
  if (!std::isfinite(w) || w < 0)
    throw data_error(place + ".weight: expected a finite weight >= 0, got " + number_text(w));
}

/// Scratch buffers of the column steps, allocated once per call, reused for every column.
struct column_scratch {
  std::vector<double> buf;                             ///< values of one column
  std::vector<std::pair<double, std::uint32_t>> pairs; ///< (value, row), for ranks
  std::vector<double> gsum;                            ///< per group
  std::vector<std::uint32_t> gcount;                   ///< per group
  /// Per column row, its row in the input data (screening drops rows); empty: the same. Used by
  /// normalisation for reference_unit and the per-unit targets, baselines and goals.
  std::vector<std::uint32_t> unit_rows;
};

/// G1 and G2 of the values of `col` at `rows` (composite_treat.cpp).
skew_kurtosis skew_kurtosis_at(const double* col, const std::vector<std::uint32_t>& rows);

/// Step 2 on column `j` (present values at `rows`), in place (composite_treat.cpp).
outlier_record treat_column(double* col, const std::vector<std::uint32_t>& rows, const composite_spec& spec,
                            std::size_t j, column_scratch& scratch);

/// Step 3 on column `j` of `units` values, in place; counts into rec.imputed[j] and refreshes
/// `rows` to the present values after imputation (composite_impute.cpp).
void impute_column(double* col, std::size_t units, std::vector<std::uint32_t>& rows, const composite_spec& spec,
                   std::size_t j, composite_record& rec, column_scratch& scratch);

/// Step 4 on column `j` (present values at `rows`, non-empty), in place; records its parameters in
/// rec.location[j] and rec.scale[j] (composite_normalise.cpp).
void normalise_column(double* col, const std::vector<std::uint32_t>& rows, const composite_spec& spec, std::size_t j,
                      composite_record& rec, column_scratch& scratch);

/// The normalisation method of indicator `j`: its own, else the spec's.
inline normalisation method_of(const composite_spec& spec, std::size_t j) {
  return spec.indicators[j].normalise.value_or(spec.normalise);
}
/// The normalisation parameters of indicator `j`: its own, else the spec's.
inline const normalisation_params& params_of(const composite_spec& spec, std::size_t j) {
  const auto& own = spec.indicators[j].normalise_params;
  return own ? *own : spec.normalise_params;
}

/// Checks the normalisation methods and parameters of `spec` (composite_normalise.cpp).
void check_normalisation(const composite_data& data, const composite_spec& spec);

/// Checks sizes, values and parameters of `data` against `spec` (composite_prepare.cpp).
void check_data(const composite_data& data, const composite_spec& spec);

// --- the steps before normalisation (treat helper) ---
/// Checks composite_spec::steps: each at most once, every configured step listed (composite_prepare.cpp).
void check_steps(const composite_spec& spec);
/// Step "treat": checks the settings (composite_treat.cpp); whether any indicator is treated.
void check_treatment(const composite_spec& spec);
bool treatment_configured(const composite_spec& spec);
/// Step "impute": checks groups and level; whether configured; the row methods on column-major
/// `cols` (indicators x units), in place, counting into rec.imputed (composite_impute.cpp).
void check_imputation(std::size_t units, const composite_spec& spec);
bool imputation_configured(const composite_spec& spec);
void impute_rows(std::vector<double>& cols, std::size_t units, const composite_spec& spec, composite_record& rec);
/// Step "denominate" (composite_denominate.cpp): checks; whether any indicator has a
/// denominator; divides the columns of column-major `cols` (rows: rec.unit_rows of the input).
void check_denominators(const composite_data& data, const composite_spec& spec);
bool denomination_configured(const composite_spec& spec);
void denominate_columns(std::vector<double>& cols, std::size_t units, const composite_data& data,
                        const composite_spec& spec, composite_record& rec);
/// Step "screen" (composite_screen.cpp): checks; the availability table of the `units` rows of
/// column-major `cols` (k columns), with `included` decided.
void check_screen(std::size_t units, const composite_spec& spec);
std::vector<unit_availability> screen_units(const std::vector<double>& cols, std::size_t units, std::size_t k,
                                            const composite_spec& spec);

/// The steps of spec.steps on column-major `cols` (indicators x data.units), in place. Screening
/// drops rows: afterwards `cols` has indicators x rec.unit_rows.size() values and rec.unit_rows
/// the input row of each. `treated` receives the values just before normalisation (column-major,
/// the same rows) when not null (composite_prepare.cpp).
void prepare_columns(std::vector<double>& cols, const composite_data& data, const composite_spec& spec,
                     composite_record& rec, std::vector<double>* treated);

} // namespace planeval::composite_detail
