// Test helpers for COINr's reference data (tests/data/coinr/): a reader of the CSV files R's
// write.csv writes, and COINr's ASEM example (ASEM_iData.csv, ASEM_iMeta.csv) as a composite spec
// and data set configured as COINr's default pipeline (build_example_coin, COINr 1.1.14).
#pragma once

#include <planeval/composite.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <fstream>
#include <limits>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace coinr_test {

using namespace planeval;

inline constexpr double NaN = std::numeric_limits<double>::quiet_NaN();

/// A CSV file as R's write.csv writes it: quoted fields ("" inside quotes), empty or NA = missing.
struct table {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;

  explicit table(const std::string& name) {
    std::ifstream f(std::string(PLANEVAL_SOURCE_DIR) + "/tests/data/coinr/" + name, std::ios::binary);
    REQUIRE_MESSAGE(f.good(), name);
    std::stringstream ss;
    ss << f.rdbuf();
    const std::string s = ss.str();
    std::vector<std::string> row;
    std::string field;
    bool in_quotes = false;
    for (std::size_t i = 0; i < s.size(); ++i) {
      const char c = s[i];
      if (in_quotes) {
        if (c == '"' && i + 1 < s.size() && s[i + 1] == '"') {
          field += '"';
          ++i;
        } else if (c == '"') {
          in_quotes = false;
        } else {
          field += c;
        }
      } else if (c == '"') {
        in_quotes = true;
      } else if (c == ',' || c == '\n') {
        row.push_back(field);
        field.clear();
        if (c == '\n') {
          (header.empty() ? header : rows.emplace_back()) = row;
          row.clear();
        }
      } else if (c != '\r') {
        field += c;
      }
    }
  }
  std::size_t col(const std::string& name) const {
    const auto it = std::find(header.begin(), header.end(), name);
    REQUIRE_MESSAGE(it != header.end(), "no column " << name);
    return static_cast<std::size_t>(it - header.begin());
  }
  std::string text(std::size_t r, const std::string& name) const { return rows[r][col(name)]; }
  static double number(const std::string& s) { return s.empty() || s == "NA" ? NaN : std::stod(s); }
  double num(std::size_t r, const std::string& name) const { return number(text(r, name)); }
};

/// ASEM's spec and data as COINr's default pipeline uses them.
struct asem {
  std::vector<std::string> units;        // uCode, in iData order
  std::vector<std::string> indicators;   // iCode of the indicators, in iMeta order
  std::vector<std::string> node_ids;     // iCode of the aggregates
  composite_spec spec;
  std::vector<double> values, denominators;
  composite_data data() const {
    composite_data d{values, units.size(), indicators.size()};
    d.denominators = denominators;
    return d;
  }

  asem() {
    const table meta("ASEM_iMeta.csv"), idata("ASEM_iData.csv");
    spec.denominators = {"Area", "Energy", "GDP", "Population"};
    for (std::size_t r = 0; r < meta.rows.size(); ++r) {
      const std::string type = meta.text(r, "Type"), code = meta.text(r, "iCode");
      if (type == "Indicator") {
        composite_indicator ind;
        ind.id = code;
        ind.parent = meta.text(r, "Parent");
        ind.weight = meta.num(r, "Weight");
        ind.direction = meta.num(r, "Direction") < 0 ? polarity::lower : polarity::higher;
        const std::string den = meta.text(r, "Denominator");
        if (!den.empty()) {
          const auto it = std::find(spec.denominators.begin(), spec.denominators.end(), den);
          REQUIRE(it != spec.denominators.end());
          ind.denominator = static_cast<std::int32_t>(it - spec.denominators.begin());
        }
        spec.indicators.push_back(ind);
        indicators.push_back(code);
      } else if (type == "Aggregate") {
        composite_node node;
        node.id = code;
        node.parent = meta.text(r, "Parent");
        node.weight = meta.num(r, "Weight");
        spec.nodes.push_back(node);
        node_ids.push_back(code);
      }
    }
    const std::size_t n = idata.rows.size(), k = indicators.size();
    values.resize(n * k);
    denominators.resize(n * spec.denominators.size());
    std::map<std::string, std::uint32_t> group_code;
    for (std::size_t u = 0; u < n; ++u) {
      units.push_back(idata.text(u, "uCode"));
      for (std::size_t j = 0; j < k; ++j) values[u * k + j] = idata.num(u, indicators[j]);
      for (std::size_t d = 0; d < spec.denominators.size(); ++d)
        denominators[u * spec.denominators.size() + d] = idata.num(u, spec.denominators[d]);
      const std::string g = idata.text(u, "EurAsia_group");
      if (g.empty()) {
        spec.groups.push_back(no_group);
      } else {
        const auto [it, fresh] = group_code.emplace(g, static_cast<std::uint32_t>(group_code.size()));
        spec.groups.push_back(it->second);
      }
    }
    // COINr's default pipeline
    spec.steps = {composite_step::denominate, composite_step::impute, composite_step::screen, composite_step::treat,
                  composite_step::normalise};
    spec.impute = imputation::group_mean; // i_mean_grp by EurAsia_group
    spec.screen = unit_screen::by_na;     // dat_thresh 0.9
    spec.dat_thresh = 0.9;
    spec.outliers = outlier_treatment::coinr; // Treat's defaults: winmax 5, skew 2, kurtosis 3.5, log_CT
    spec.normalise = normalisation::min_max;  // n_minmax to [0, 100] (the default range)
  }

  /// The spec running only the first `steps` steps of COINr's order (no normalisation if it is not
  /// among them).
  composite_spec prefix(std::size_t steps) const {
    composite_spec s = spec;
    s.steps.resize(steps);
    const auto has = [&](composite_step st) { return std::find(s.steps.begin(), s.steps.end(), st) != s.steps.end(); };
    if (!has(composite_step::impute)) s.impute = imputation::none;
    if (!has(composite_step::screen)) s.screen = unit_screen::none;
    if (!has(composite_step::treat)) s.outliers = outlier_treatment::none;
    if (!has(composite_step::normalise)) s.normalise = normalisation::none;
    return s;
  }
};

/// The ASEM example, read once.
inline const asem& example() {
  static const asem a;
  return a;
}

struct agreement {
  double max_abs = 0, max_rel = 0;
  std::size_t cells = 0;
};

/// Compares `mine` (rows: `rows` of the input, columns: `cols`) with the reference file's columns
/// of the same names, unit by unit (uCode), every cell to 1e-9 relative (NaN must match NaN).
inline agreement compare(const std::vector<double>& mine, const std::vector<std::uint32_t>& rows,
                  const std::vector<std::string>& cols, const std::string& file) {
  const asem& a = example();
  const table ref(file);
  REQUIRE(ref.rows.size() == rows.size());
  // COINr orders the units of its data sets by uCode: match rows by uCode
  std::map<std::string, std::size_t> ref_row;
  for (std::size_t r = 0; r < ref.rows.size(); ++r) ref_row[ref.text(r, "uCode")] = r;
  agreement g;
  for (std::size_t r = 0; r < rows.size(); ++r) {
    const std::string& code = a.units[rows[r]];
    REQUIRE_MESSAGE(ref_row.count(code) == 1, file << ": no unit " << code);
    const std::size_t rr = ref_row[code];
    for (std::size_t j = 0; j < cols.size(); ++j) {
      const double want = ref.num(rr, cols[j]), got = mine[r * cols.size() + j];
      ++g.cells;
      if (std::isnan(want) || std::isnan(got)) {
        CHECK_MESSAGE(std::isnan(want) == std::isnan(got), file << " " << code << " " << cols[j]);
        continue;
      }
      const double d = std::abs(got - want), rel = d / (std::max)(std::abs(want), 1e-300);
      g.max_abs = (std::max)(g.max_abs, d);
      if (want != 0) g.max_rel = (std::max)(g.max_rel, rel);
      CHECK_MESSAGE(d <= 1e-9 * std::abs(want) + 1e-12, file << " " << code << " " << cols[j] << ": " << got
                                                              << " vs COINr " << want);
    }
  }
  MESSAGE(file << ": " << g.cells << " cells, max abs diff " << g.max_abs << ", max rel diff " << g.max_rel);
  return g;
}

inline std::vector<std::uint32_t> all_rows() {
  std::vector<std::uint32_t> r(example().units.size());
  for (std::size_t u = 0; u < r.size(); ++u) r[u] = static_cast<std::uint32_t>(u);
  return r;
}


} // namespace coinr_test
