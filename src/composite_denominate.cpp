// Copyright (c) 2026 planeval developers. Distributed under the MIT License.
// Step "denominate" of the composite: COINr 1.1.14's Denominate() (R/denominate.R), see
// planeval/composite.hpp.

#include "composite_detail.hpp"

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace planeval::composite_detail {

bool denomination_configured(const composite_spec& spec) {
  for (const composite_indicator& ind : spec.indicators)
    if (ind.denominator >= 0) return true;
  return false;
}

void check_denominators(const composite_data& data, const composite_spec& spec) {
  const std::size_t d = spec.denominators.size();
  if (data.denominators.size() != data.units * d)
    throw data_error("denominators: expected " + std::to_string(data.units) + " x " + std::to_string(d) + " = " +
                     std::to_string(data.units * d) + " values (units x composite_spec::denominators), got " +
                     std::to_string(data.denominators.size()));
  for (std::size_t i = 0; i < data.denominators.size(); ++i)
    if (std::isinf(data.denominators[i]))
      throw data_error("denominators[" + std::to_string(i / d) + ", " + quoted(spec.denominators[i % d]) +
                       "]: expected a finite number or NaN (missing), got " + number_text(data.denominators[i]));
  for (std::size_t j = 0; j < spec.indicators.size(); ++j) {
    const composite_indicator& ind = spec.indicators[j];
    if (ind.denominator < -1 || (ind.denominator >= 0 && static_cast<std::size_t>(ind.denominator) >= d))
      throw data_error(indicator_place(spec, j) + ".denominator: expected -1 (none) or an index below " +
                       std::to_string(d) + " (the denominators given), got " + std::to_string(ind.denominator));
    if (!std::isfinite(ind.denominator_scale) || ind.denominator_scale == 0)
      throw data_error(indicator_place(spec, j) + ".denominator_scale: expected a finite number other than 0, got " +
                       number_text(ind.denominator_scale));
  }
}

void denominate_columns(std::vector<double>& cols, std::size_t units, const composite_data& data,
                        const composite_spec& spec, composite_record& rec) {
  const std::size_t d = spec.denominators.size();
  for (std::size_t j = 0; j < spec.indicators.size(); ++j) {
    const composite_indicator& ind = spec.indicators[j];
    if (ind.denominator < 0) continue;
    const auto c = static_cast<std::size_t>(ind.denominator);
    double* col = cols.data() + j * units;
    // rows of `cols` are input rows here: denominate runs before screening or its rows are mapped
    for (std::size_t u = 0; u < units; ++u) {
      const std::size_t row = rec.unit_rows.empty() ? u : rec.unit_rows[u];
      const double den = data.denominators[row * d + c] / ind.denominator_scale; // COINr: x / (d / ScaleFactor)
      if (std::isnan(col[u])) continue;
      if (std::isnan(den) || den == 0) {
        col[u] = nan; // COINr: NA, or +-Inf / NaN for a zero denominator; missing here, never inf
        ++rec.denominator_missing[j];
      } else {
        col[u] = col[u] / den;
      }
    }
  }
}

} // namespace planeval::composite_detail
