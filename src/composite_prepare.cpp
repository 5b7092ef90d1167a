// Copyright (c) 2026 planeval developers. Distributed under the MIT License.
// The checks and the order of the composite's steps 2-4 (planeval/composite.hpp).

#include "composite_detail.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

namespace planeval::composite_detail {

void check_data(const composite_data& data, const composite_spec& spec) {
  if (spec.indicators.size() != data.indicators)
    throw data_error("data: expected " + std::to_string(spec.indicators.size()) +
                     " columns (one per indicators[] entry), got " + std::to_string(data.indicators));
  if (data.values.size() != data.units * data.indicators)
    throw data_error("data: expected " + std::to_string(data.units) + " x " + std::to_string(data.indicators) + " = " +
                     std::to_string(data.units * data.indicators) + " values, got " +
                     std::to_string(data.values.size()));
  for (std::size_t u = 0; u < data.units; ++u)
    for (std::size_t j = 0; j < data.indicators; ++j) {
      const double x = data.values[u * data.indicators + j];
      if (std::isinf(x))
        throw data_error("data[" + std::to_string(u) + ", " + quoted(spec.indicators[j].id) +
                         "]: expected a finite number or NaN (missing), got " + number_text(x));
    }
  if (!std::isfinite(spec.range_lo) || !std::isfinite(spec.range_hi) || !(spec.range_lo < spec.range_hi))
    throw data_error("range: expected finite range_lo < range_hi, got [" + number_text(spec.range_lo) + ", " +
                     number_text(spec.range_hi) + "]");
  if (spec.impute == imputation::group_mean && spec.groups.size() != data.units)
    throw data_error("groups: group_mean imputation needs one group per unit (" + std::to_string(data.units) +
                     "), got " + std::to_string(spec.groups.size()));
  if (!spec.groups.empty() && spec.groups.size() != data.units)
    throw data_error("groups: expected one group per unit (" + std::to_string(data.units) + "), got " +
                     std::to_string(spec.groups.size()));
  for (std::size_t u = 0; u < spec.groups.size(); ++u)
    if (spec.groups[u] >= data.units)
      throw data_error("groups[" + std::to_string(u) + "]: expected a group code below the number of units (" +
                       std::to_string(data.units) + "), got " + std::to_string(spec.groups[u]));
  if (spec.normalise == normalisation::distance_to_reference && spec.reference_unit >= data.units)
    throw data_error("reference_unit: expected a unit index below " + std::to_string(data.units) + ", got " +
                     std::to_string(spec.reference_unit));
  for (const auto& [name, v] : {std::pair<const char*, const std::vector<double>*>{"unit_target", &spec.unit_target},
                                {"unit_baseline", &spec.unit_baseline},
                                {"unit_goal", &spec.unit_goal}}) {
    if (v->empty()) continue;
    if (v->size() != data.units * data.indicators)
      throw data_error(std::string(name) + ": expected " + std::to_string(data.units) + " x " +
                       std::to_string(data.indicators) + " values (like the data) or none, got " +
                       std::to_string(v->size()));
    for (std::size_t i = 0; i < v->size(); ++i)
      if (std::isinf((*v)[i]))
        throw data_error(std::string(name) + "[" + std::to_string(i / data.indicators) + ", " +
                         quoted(spec.indicators[i % data.indicators].id) +
                         "]: expected a finite number or NaN (the indicator's), got " + number_text((*v)[i]));
  }
  for (std::size_t j = 0; j < spec.indicators.size(); ++j) {
    const composite_indicator& ind = spec.indicators[j];
    // with per-unit values, each unit's is checked when it is used
    if (spec.normalise == normalisation::distance_to_target && spec.unit_target.empty() &&
        !(std::isfinite(ind.target) && ind.target > 0))
      throw data_error(indicator_place(spec, j) + ".target: distance_to_target needs a finite target > 0, got " +
                       number_text(ind.target));
    if (spec.normalise == normalisation::goalposts && spec.unit_baseline.empty() && spec.unit_goal.empty() &&
        (!std::isfinite(ind.baseline) || !std::isfinite(ind.goal) || ind.baseline == ind.goal))
      throw data_error(indicator_place(spec, j) + ": goalposts need a finite baseline and goal that differ, got " +
                       number_text(ind.baseline) + " and " + number_text(ind.goal));
  }
}

void prepare_columns(std::vector<double>& cols, std::size_t units, const composite_spec& spec, composite_record& rec,
                     std::vector<double>* treated) {
  const std::size_t k = spec.indicators.size();
  rec = composite_record{};
  rec.imputed.assign(k, 0);
  rec.present.assign(k, 0);
  rec.location.assign(k, nan);
  rec.scale.assign(k, nan);
  if (spec.outliers == outlier_treatment::coinr) rec.outliers.resize(k);
  std::vector<std::uint32_t> rows;
  column_scratch scratch;
  rows.reserve(units);
  scratch.pairs.reserve(units);
  for (std::size_t j = 0; j < k; ++j) {
    double* col = cols.data() + j * units;
    rows.clear();
    for (std::size_t u = 0; u < units; ++u)
      if (!std::isnan(col[u])) rows.push_back(static_cast<std::uint32_t>(u));
    rec.present[j] = static_cast<std::uint32_t>(rows.size());
    // 2. outliers
    if (spec.outliers == outlier_treatment::coinr) rec.outliers[j] = treat_column(col, rows, spec, j, scratch);
    // 3. imputation
    impute_column(col, units, rows, spec, j, rec, scratch);
    if (treated) std::copy(col, col + units, treated->data() + j * units);
    // 4. normalisation
    if (!rows.empty()) normalise_column(col, rows, spec, j, rec, scratch);
  }
}

} // namespace planeval::composite_detail
