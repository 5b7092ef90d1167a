// Copyright (c) 2026 planeval developers. Distributed under the MIT License.
// Step "screen" of the composite: COINr 1.1.14's Screen() (R/screen_units.R, get_data_avail),
// see planeval/composite.hpp.

#include "composite_detail.hpp"

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace planeval::composite_detail {

void check_screen(std::size_t units, const composite_spec& spec) {
  const auto share = [](double v, const char* name) {
    if (!(v >= 0 && v <= 1))
      throw data_error(std::string(name) + ": expected a share in [0, 1], got " + number_text(v));
  };
  share(spec.dat_thresh, "dat_thresh");
  share(spec.nonzero_thresh, "nonzero_thresh");
  for (const auto& [name, v] : {std::pair<const char*, const std::vector<std::uint32_t>*>{"force_include",
                                                                                          &spec.force_include},
                                {"force_exclude", &spec.force_exclude}})
    for (std::size_t i = 0; i < v->size(); ++i)
      if ((*v)[i] >= units)
        throw data_error(std::string(name) + "[" + std::to_string(i) + "]: expected a unit row below " +
                         std::to_string(units) + ", got " + std::to_string((*v)[i]));
}

std::vector<unit_availability> screen_units(const std::vector<double>& cols, std::size_t units, std::size_t k,
                                            const composite_spec& spec) {
  std::vector<unit_availability> table(units);
  for (std::size_t j = 0; j < k; ++j) {
    const double* col = cols.data() + j * units;
    for (std::size_t u = 0; u < units; ++u) {
      if (std::isnan(col[u]))
        ++table[u].missing;
      else if (col[u] == 0)
        ++table[u].zeros;
    }
  }
  const auto kd = static_cast<double>(k);
  for (unit_availability& a : table) {
    // COINr's get_data_avail: Dat_Avail = 1 - N_missing / n, Non_Zero = 1 - N_zero / (n - N_missing)
    a.data_share = k == 0 ? nan : 1.0 - static_cast<double>(a.missing) / kd;
    a.nonzero_share = a.missing == k ? nan : 1.0 - static_cast<double>(a.zeros) / static_cast<double>(k - a.missing);
    a.low_data = a.data_share < spec.dat_thresh;
    a.low_nonzero = std::isnan(a.nonzero_share) || a.nonzero_share < spec.nonzero_thresh;
    switch (spec.screen) {
    case unit_screen::none: a.included = true; break;
    case unit_screen::by_na: a.included = !a.low_data; break;
    case unit_screen::by_zeros: a.included = !a.low_nonzero; break;
    case unit_screen::by_na_and_zeros: a.included = !a.low_data && !a.low_nonzero; break;
    }
  }
  for (auto u : spec.force_include) table[u].included = true;
  for (auto u : spec.force_exclude) table[u].included = false;
  return table;
}

} // namespace planeval::composite_detail
