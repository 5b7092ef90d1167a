// Copyright (c) 2026 planeval developers. Distributed under the MIT License.
// The checks and the order of the composite's steps before aggregation (composite_spec::steps,
// planeval/composite.hpp).

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
  check_steps(spec);
  check_denominators(data, spec);  // composite_denominate.cpp
  check_imputation(data.units, spec); // composite_impute.cpp
  check_screen(data.units, spec);     // composite_screen.cpp
  check_treatment(spec);              // composite_treat.cpp
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
  check_normalisation(data, spec); // composite_normalise.cpp
}

void prepare_columns(std::vector<double>& cols, const composite_data& data, const composite_spec& spec,
                     composite_record& rec, std::vector<double>* treated) {
  const std::size_t k = spec.indicators.size();
  std::size_t units = data.units;
  rec = composite_record{};
  rec.imputed.assign(k, 0);
  rec.present.assign(k, 0);
  rec.denominator_missing.assign(k, 0);
  rec.location.assign(k, nan);
  rec.scale.assign(k, nan);
  rec.unit_rows.resize(units);
  for (std::size_t u = 0; u < units; ++u) rec.unit_rows[u] = static_cast<std::uint32_t>(u);
  if (treatment_configured(spec)) rec.outliers.resize(k);
  for (std::size_t j = 0; j < k; ++j)
    for (std::size_t u = 0; u < units; ++u)
      if (!std::isnan(cols[j * units + u])) ++rec.present[j];
  std::vector<std::uint32_t> rows;
  column_scratch scratch;
  rows.reserve(units);
  scratch.pairs.reserve(units);
  const auto present_rows = [&](const double* col) {
    rows.clear();
    for (std::size_t u = 0; u < units; ++u)
      if (!std::isnan(col[u])) rows.push_back(static_cast<std::uint32_t>(u));
  };
  bool snapshot = false; // `treated` holds the values before normalisation
  for (const composite_step step : spec.steps) {
    switch (step) {
    case composite_step::denominate: denominate_columns(cols, units, data, spec, rec); break;
    case composite_step::impute:
      if (spec.impute == imputation::row_mean || spec.impute == imputation::row_median) {
        impute_rows(cols, units, spec, rec);
      } else if (spec.impute != imputation::none) {
        // group codes are per input row: after screening, a spec with the kept rows' groups
        composite_spec mapped;
        if (units != data.units) {
          mapped.impute = spec.impute; // impute_column reads only impute and groups
          mapped.groups.resize(spec.groups.empty() ? 0 : units);
          for (std::size_t u = 0; u < mapped.groups.size(); ++u) mapped.groups[u] = spec.groups[rec.unit_rows[u]];
        }
        for (std::size_t j = 0; j < k; ++j) {
          double* col = cols.data() + j * units;
          present_rows(col);
          impute_column(col, units, rows, units != data.units ? mapped : spec, j, rec, scratch);
        }
      }
      break;
    case composite_step::screen: {
      if (spec.screen == unit_screen::none && spec.force_exclude.empty()) break;
      rec.screen = screen_units(cols, units, k, spec);
      std::size_t kept = 0;
      for (std::size_t u = 0; u < units; ++u)
        if (rec.screen[u].included) rec.unit_rows[kept++] = rec.unit_rows[u];
      rec.unit_rows.resize(kept);
      if (kept == units) break;
      // compact every column (and the snapshot) to the kept rows, in place
      const auto compact = [&](std::vector<double>& m) {
        for (std::size_t j = 0; j < k; ++j) {
          std::size_t w = 0;
          for (std::size_t u = 0; u < units; ++u)
            if (rec.screen[u].included) m[j * kept + w++] = m[j * units + u];
        }
        m.resize(k * kept);
      };
      compact(cols);
      if (treated && snapshot) compact(*treated);
      units = kept;
      scratch.unit_rows = rec.unit_rows;
      break;
    }
    case composite_step::treat:
      for (std::size_t j = 0; j < k && !rec.outliers.empty(); ++j) {
        double* col = cols.data() + j * units;
        present_rows(col);
        rec.outliers[j] = treat_column(col, rows, spec, j, scratch);
        // the record's units are input rows
        if (units != data.units) {
          for (auto& u : rec.outliers[j].winsorised) u = rec.unit_rows[u];
          for (auto& p : rec.outliers[j].points) p.unit = rec.unit_rows[p.unit];
        }
      }
      break;
    case composite_step::normalise:
      if (treated) {
        treated->assign(cols.begin(), cols.end());
        snapshot = true;
      }
      for (std::size_t j = 0; j < k; ++j) {
        double* col = cols.data() + j * units;
        present_rows(col);
        if (!rows.empty()) normalise_column(col, rows, spec, j, rec, scratch);
      }
      break;
    }
  }
  if (treated && !snapshot) treated->assign(cols.begin(), cols.end());
}

void check_steps(const composite_spec& spec) {
  bool listed[5] = {false, false, false, false, false};
  for (std::size_t i = 0; i < spec.steps.size(); ++i) {
    const auto s = static_cast<std::size_t>(spec.steps[i]);
    if (s >= 5)
      throw data_error("steps[" + std::to_string(i) + "]: expected denominate, impute, screen, treat or normalise");
    if (listed[s])
      throw data_error("steps[" + std::to_string(i) + "]: " + std::string(to_string(spec.steps[i])) +
                       " is listed twice (each step runs at most once)");
    listed[s] = true;
  }
  bool normalised = false;
  for (std::size_t j = 0; j < spec.indicators.size(); ++j)
    if (method_of(spec, j) != normalisation::none) normalised = true;
  const std::pair<composite_step, bool> configured[] = {
      {composite_step::denominate, denomination_configured(spec)},
      {composite_step::impute, imputation_configured(spec)},
      {composite_step::screen, spec.screen != unit_screen::none || !spec.force_exclude.empty()},
      {composite_step::treat, treatment_configured(spec)},
      {composite_step::normalise, normalised}};
  for (const auto& [step, on] : configured)
    if (on && !listed[static_cast<std::size_t>(step)])
      throw data_error("steps: " + std::string(to_string(step)) +
                       " is configured in the spec but not listed in steps (list it, or set it to none)");
}

} // namespace planeval::composite_detail
