// Copyright (c) 2026 planeval developers. Distributed under the MIT License.
// Composite indices and value-added (planeval/composite.hpp), for planeval.composite:
// _composite_build, _composite_normalised, _composite_tree, _value_added, _skew_kurtosis and
// _composite_options (the names of every choice).
//
// Design notes:
// - These functions are private: planeval/composite.py builds the spec from DataFrames (ids,
//   hierarchy mapping, per-node choices) and turns the arrays back into DataFrames. The spec crosses
//   as a dict of plain values ({"nodes": [{"id", "parent", "weight", "method", "power",
//   "min_share"}], "indicators": [{"id", "parent", "weight", "direction", "target", "baseline",
//   "goal"}], "outliers", "imputation", "groups", "normalisation", "range", "reference_unit",
//   "cap", "unit_target", "unit_baseline", "unit_goal"}; the last three units x indicators, row-major,
//   or None), so the Python layer can record it and change one field. Since issue 15 "range",
//   "cap" and "reference_unit" are in "normalise_params" ({"lo", "hi", "z_mean", "z_sd", "sd",
//   "ties", "anchor", "cap" (None: the method's default), "reference_unit"}), spec-wide and per
//   indicator (with "normalisation"); "zeros" is the zero policy of the means. The steps before
//   normalisation add "steps", "denominators" (names), the treatment settings ("winmax",
//   "skew_thresh", "kurt_thresh", "transform", "boxcox_lambda", "force_win"; per indicator too, None
//   = the spec's), "impute_level", "screen", "dat_thresh", "nonzero_thresh", "force_include",
//   "force_exclude" (unit rows); an indicator's "denominator" is a column index (-1: none). A group
//   of None is no group. A key this build does not know is refused (planeval.Error), never ignored.
// - The denominator values cross as a separate units x denominators matrix (composite_data).
// - The data matrix (units x indicators, NaN missing) is copied into a C++ vector before the GIL
//   is released, so another Python thread writing to the caller's array cannot race with the
//   computation; everything read without the GIL is owned by the call.
// - Results come back as new numpy arrays (row-major, one row per unit).

#include <planeval/composite.hpp>

#include <pybind11/numpy.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "pybind_common.hpp"

namespace planeval::python {

namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();

/// The enum named `s`; planeval::error "<field>: expected one of ..., got ..." otherwise.
template <class Enum, std::size_t N>
Enum option(const detail::name_table<Enum, N>& table, std::string_view s, const std::string& field) {
  if (auto e = detail::parse_name(table, s)) return *e;
  throw error(field + ": expected one of " + detail::alternatives(table) + ", got \"" + std::string(s) + "\"");
}

template <class Enum, std::size_t N>
py::list names(const detail::name_table<Enum, N>& table) {
  py::list l;
  for (const auto& [value, name] : table) l.append(py::str(std::string(name)));
  return l;
}

template <class T>
T get(const py::dict& d, const char* key, T fallback) {
  if (!d.contains(key) || d[key].is_none()) return fallback;
  return d[key].cast<T>();
}

/// Refuses a key of `d` that is not in `known` (a choice this build does not have must not be
/// dropped silently).
void check_keys(const py::dict& d, std::initializer_list<std::string_view> known, const std::string& where) {
  for (auto item : d) {
    const auto key = item.first.cast<std::string>();
    if (std::find(known.begin(), known.end(), key) == known.end())
      throw error(where + ": unknown key \"" + key + "\"");
  }
}

/// Normalisation parameters from a dict ({"lo", "hi", "z_mean", "z_sd", "sd", "ties", "anchor",
/// "cap", "reference_unit"}; a key left out keeps `base`'s value, "cap" None is the method's default).
normalisation_params params_from(const py::dict& d, normalisation_params base, const std::string& where) {
  check_keys(d, {"lo", "hi", "z_mean", "z_sd", "sd", "ties", "anchor", "cap", "reference_unit"}, where);
  base.lo = get<double>(d, "lo", base.lo);
  base.hi = get<double>(d, "hi", base.hi);
  base.z_mean = get<double>(d, "z_mean", base.z_mean);
  base.z_sd = get<double>(d, "z_sd", base.z_sd);
  if (d.contains("sd") && !d["sd"].is_none()) base.sd = option(sd_kind_names, d["sd"].cast<std::string>(), where + ".sd");
  if (d.contains("ties") && !d["ties"].is_none())
    base.ties = option(rank_ties_names, d["ties"].cast<std::string>(), where + ".ties");
  if (d.contains("anchor") && !d["anchor"].is_none())
    base.anchor = option(distance_anchor_names, d["anchor"].cast<std::string>(), where + ".anchor");
  if (d.contains("cap")) base.cap = d["cap"].is_none() ? std::nullopt : std::optional<bool>(d["cap"].cast<bool>());
  base.reference_unit = get<std::size_t>(d, "reference_unit", base.reference_unit);
  return base;
}

composite_spec spec_from(const py::dict& d) {
  check_keys(d,
             {"nodes", "indicators", "outliers", "imputation", "groups", "normalisation", "normalise_params", "zeros",
              "unit_target", "unit_baseline", "unit_goal", "steps", "denominators", "winmax", "skew_thresh",
              "kurt_thresh", "transform", "boxcox_lambda", "force_win", "impute_level", "screen", "dat_thresh",
              "nonzero_thresh", "force_include", "force_exclude"},
             "spec");
  composite_spec s;
  if (d.contains("nodes"))
    for (auto item : d["nodes"]) {
      const auto n = item.cast<py::dict>();
      check_keys(n, {"id", "parent", "weight", "method", "power", "min_share"},
                 "nodes[" + std::to_string(s.nodes.size()) + "]");
      composite_node node;
      node.id = get<std::string>(n, "id", "");
      node.parent = get<std::string>(n, "parent", "");
      node.weight = get<double>(n, "weight", 1.0);
      node.method = option(aggregation_names, get<std::string>(n, "method", "arithmetic"),
                           "nodes[" + std::to_string(s.nodes.size()) + "].method");
      node.power = get<double>(n, "power", 1.0);
      node.min_share = get<double>(n, "min_share", 0.0);
      s.nodes.push_back(std::move(node));
    }
  if (d.contains("indicators"))
    for (auto item : d["indicators"]) {
      const auto n = item.cast<py::dict>();
      check_keys(n,
                 {"id", "parent", "weight", "direction", "target", "baseline", "goal", "normalisation",
                  "normalise_params", "denominator",
                  "denominator_scale", "outliers", "winmax", "skew_thresh", "kurt_thresh", "transform",
                  "boxcox_lambda", "force_win"},
                 "indicators[" + std::to_string(s.indicators.size()) + "]");
      composite_indicator ind;
      ind.id = get<std::string>(n, "id", "");
      ind.parent = get<std::string>(n, "parent", "");
      ind.weight = get<double>(n, "weight", 1.0);
      ind.direction = option(polarity_names, get<std::string>(n, "direction", "higher"),
                             "indicators[" + std::to_string(s.indicators.size()) + "].direction");
      ind.target = get<double>(n, "target", nan);
      ind.baseline = get<double>(n, "baseline", nan);
      ind.goal = get<double>(n, "goal", nan);
      const std::string where = "indicators[" + std::to_string(s.indicators.size()) + "]";
      ind.denominator = get<std::int32_t>(n, "denominator", -1);
      ind.denominator_scale = get<double>(n, "denominator_scale", 1.0);
      if (n.contains("outliers") && !n["outliers"].is_none())
        ind.outliers = option(outlier_treatment_names, n["outliers"].cast<std::string>(), where + ".outliers");
      ind.winmax = get<std::optional<std::uint32_t>>(n, "winmax", std::nullopt);
      ind.skew_thresh = get<std::optional<double>>(n, "skew_thresh", std::nullopt);
      ind.kurt_thresh = get<std::optional<double>>(n, "kurt_thresh", std::nullopt);
      if (n.contains("transform") && !n["transform"].is_none())
        ind.transform = option(treat_transform_names, n["transform"].cast<std::string>(), where + ".transform");
      ind.boxcox_lambda = get<std::optional<double>>(n, "boxcox_lambda", std::nullopt);
      ind.force_win = get<std::optional<bool>>(n, "force_win", std::nullopt);
      if (n.contains("normalisation") && !n["normalisation"].is_none())
        ind.normalise = option(normalisation_names, n["normalisation"].cast<std::string>(), where + ".normalisation");
      if (n.contains("normalise_params") && !n["normalise_params"].is_none())
        ind.normalise_params =
            params_from(n["normalise_params"].cast<py::dict>(), normalisation_params{}, where + ".normalise_params");
      s.indicators.push_back(std::move(ind));
    }
  s.outliers = option(outlier_treatment_names, get<std::string>(d, "outliers", "none"), "outliers");
  s.impute = option(imputation_names, get<std::string>(d, "imputation", "none"), "imputation");
  s.normalise = option(normalisation_names, get<std::string>(d, "normalisation", "min_max"), "normalisation");
  if (d.contains("groups") && !d["groups"].is_none())
    for (auto g : d["groups"]) s.groups.push_back(g.is_none() ? no_group : g.cast<std::uint32_t>());
  if (d.contains("steps") && !d["steps"].is_none()) {
    s.steps.clear();
    for (auto step : d["steps"])
      s.steps.push_back(option(composite_step_names, step.cast<std::string>(),
                               "steps[" + std::to_string(s.steps.size()) + "]"));
  }
  if (d.contains("denominators") && !d["denominators"].is_none())
    s.denominators = d["denominators"].cast<std::vector<std::string>>();
  s.winmax = get<std::uint32_t>(d, "winmax", s.winmax);
  s.skew_thresh = get<double>(d, "skew_thresh", s.skew_thresh);
  s.kurt_thresh = get<double>(d, "kurt_thresh", s.kurt_thresh);
  if (d.contains("transform") && !d["transform"].is_none())
    s.transform = option(treat_transform_names, d["transform"].cast<std::string>(), "transform");
  s.boxcox_lambda = get<double>(d, "boxcox_lambda", s.boxcox_lambda);
  s.force_win = get<bool>(d, "force_win", s.force_win);
  s.impute_level = get<std::uint32_t>(d, "impute_level", s.impute_level);
  s.screen = option(unit_screen_names, get<std::string>(d, "screen", "none"), "screen");
  s.dat_thresh = get<double>(d, "dat_thresh", s.dat_thresh);
  s.nonzero_thresh = get<double>(d, "nonzero_thresh", s.nonzero_thresh);
  s.force_include = get<std::vector<std::uint32_t>>(d, "force_include", {});
  s.force_exclude = get<std::vector<std::uint32_t>>(d, "force_exclude", {});
  if (d.contains("normalise_params") && !d["normalise_params"].is_none())
    s.normalise_params = params_from(d["normalise_params"].cast<py::dict>(), s.normalise_params, "normalise_params");
  s.zeros = option(zero_policy_names, get<std::string>(d, "zeros", "error"), "zeros");
  for (const auto& [key, cells] : {std::pair<const char*, std::vector<double>*>{"unit_target", &s.unit_target},
                                   {"unit_baseline", &s.unit_baseline},
                                   {"unit_goal", &s.unit_goal}})
    if (d.contains(key) && !d[key].is_none()) *cells = d[key].cast<std::vector<double>>();
  return s;
}

/// A C-contiguous float64 copy of a 2-D array-like: (values, rows, cols).
struct matrix_copy {
  std::vector<double> values;
  std::size_t rows = 0, cols = 0;
};
matrix_copy matrix_from(const py::object& obj, const char* what) {
  const auto arr = py::array_t<double, py::array::c_style | py::array::forcecast>::ensure(obj);
  if (!arr) throw py::error_already_set();
  if (arr.ndim() != 2)
    throw data_error(std::string(what) + ": expected a 2-D array (units x columns), got " + std::to_string(arr.ndim()) +
                     " dimensions");
  matrix_copy m;
  m.rows = static_cast<std::size_t>(arr.shape(0));
  m.cols = static_cast<std::size_t>(arr.shape(1));
  m.values.assign(arr.data(), arr.data() + m.rows * m.cols);
  return m;
}

/// A float64 copy of a 1-D array-like (None: empty).
std::vector<double> vector_from(const py::object& obj, const char* what) {
  if (obj.is_none()) return {};
  const auto arr = py::array_t<double, py::array::c_style | py::array::forcecast>::ensure(obj);
  if (!arr) throw py::error_already_set();
  if (arr.ndim() == 0) return {*arr.data()};
  if (arr.ndim() != 1)
    throw data_error(std::string(what) + ": expected a 1-D array, got " + std::to_string(arr.ndim()) + " dimensions");
  return {arr.data(), arr.data() + arr.shape(0)};
}

template <class T>
py::array_t<T> array2(const std::vector<T>& v, std::size_t rows, std::size_t cols) {
  py::array_t<T> a({static_cast<py::ssize_t>(rows), static_cast<py::ssize_t>(cols)});
  if (!v.empty()) std::memcpy(a.mutable_data(), v.data(), v.size() * sizeof(T));
  return a;
}

template <class T>
py::array_t<T> array1(const std::vector<T>& v) {
  py::array_t<T> a(static_cast<py::ssize_t>(v.size()));
  if (!v.empty()) std::memcpy(a.mutable_data(), v.data(), v.size() * sizeof(T));
  return a;
}

py::dict tree_dict(const composite_tree& t) {
  py::dict d;
  d["node_ids"] = t.node_ids;
  d["node_parent"] = array1(t.node_parent);
  d["node_weight"] = array1(t.node_weight);
  py::list methods;
  for (auto m : t.node_method) methods.append(py::str(std::string(to_string(m))));
  d["node_method"] = methods;
  d["node_power"] = array1(t.node_power);
  d["node_min_share"] = array1(t.node_min_share);
  d["indicator_parent"] = array1(t.indicator_parent);
  d["indicator_weight"] = array1(t.indicator_weight);
  d["bottom_up"] = array1(t.bottom_up);
  d["children_count"] = array1(t.children_count);
  d["root"] = t.root;
  d["zeros"] = std::string(to_string(t.zeros));
  return d;
}

py::dict record_dict(const composite_record& r) {
  py::dict d;
  py::list outliers;
  for (const auto& o : r.outliers) {
    py::dict x;
    x["treated"] = o.treated;
    x["skew"] = o.skew;
    x["kurtosis"] = o.kurtosis;
    x["passed"] = o.passed;
    x["nwin"] = o.nwin;
    x["skew_winsorised"] = o.skew_winsorised;
    x["kurtosis_winsorised"] = o.kurtosis_winsorised;
    x["passed_winsorised"] = o.passed_winsorised;
    x["skew_after"] = o.skew_after;
    x["kurtosis_after"] = o.kurtosis_after;
    x["winsorised"] = o.winsorised;
    py::list points;
    for (const auto& p : o.points) points.append(py::make_tuple(p.unit, p.before, p.after, p.high));
    x["points"] = points;
    x["log_transformed"] = o.log_transformed;
    x["transform"] = std::string(to_string(o.transform));
    outliers.append(x);
  }
  py::list screen;
  for (const auto& a : r.screen) {
    py::dict x;
    x["missing"] = a.missing;
    x["zeros"] = a.zeros;
    x["data_share"] = a.data_share;
    x["nonzero_share"] = a.nonzero_share;
    x["low_data"] = a.low_data;
    x["low_nonzero"] = a.low_nonzero;
    x["included"] = a.included;
    screen.append(x);
  }
  d["screen"] = screen;
  d["denominator_missing"] = r.denominator_missing;
  d["unit_rows"] = r.unit_rows;
  d["outliers"] = outliers;
  d["imputed"] = r.imputed;
  d["present"] = r.present;
  d["location"] = r.location;
  d["scale"] = r.scale;
  return d;
}

/// The denominators matrix (units x spec.denominators), or empty for None.
matrix_copy denominators_from(const py::object& obj, const matrix_copy& data, const composite_spec& spec) {
  if (obj.is_none()) return {};
  matrix_copy d = matrix_from(obj, "denominators");
  if (d.rows != data.rows || d.cols != spec.denominators.size())
    throw data_error("denominators: expected " + std::to_string(data.rows) + " x " +
                     std::to_string(spec.denominators.size()) + " values (units x denominator columns), got " +
                     std::to_string(d.rows) + " x " + std::to_string(d.cols));
  return d;
}

composite_data data_of(const matrix_copy& m, const matrix_copy& denominators) {
  composite_data data{m.values, m.rows, m.cols};
  data.denominators = denominators.values;
  return data;
}

py::dict build(const py::object& data, const py::dict& spec_dict, const py::object& denominators) {
  const composite_spec spec = spec_from(spec_dict);
  const matrix_copy m = matrix_from(data, "data");
  const matrix_copy den = denominators_from(denominators, m, spec);
  composite_result r;
  {
    const py::gil_scoped_release release; // spec, m and den are owned by this call
    r = build_composite(data_of(m, den), spec);
  }
  const std::size_t n = r.units, k = spec.indicators.size(), nodes = r.tree.node_ids.size();
  py::dict d;
  d["treated"] = array2(r.treated, n, k);
  d["normalised"] = array2(r.normalised, n, k);
  d["scores"] = array2(r.scores, n, nodes);
  d["ranks"] = array2(r.ranks, n, nodes);
  d["strongest"] = array1(r.strongest);
  d["weakest"] = array1(r.weakest);
  d["unit_rows"] = array1(r.unit_rows);
  d["record"] = record_dict(r.record);
  d["tree"] = tree_dict(r.tree);
  return d;
}

py::tuple normalised(const py::object& data, const py::dict& spec_dict, const py::object& denominators) {
  const composite_spec spec = spec_from(spec_dict);
  const matrix_copy m = matrix_from(data, "data");
  const matrix_copy den = denominators_from(denominators, m, spec);
  composite_record rec;
  std::vector<double> out;
  {
    const py::gil_scoped_release release; // spec, m and den are owned by this call
    out = normalised_matrix(data_of(m, den), spec, &rec);
  }
  const std::size_t rows = m.cols == 0 ? 0 : out.size() / m.cols; // screening keeps rec.unit_rows
  return py::make_tuple(array2(out, rows, m.cols), record_dict(rec));
}

py::dict value_added_arrays(std::string_view method, const py::object& actual, const py::object& baseline,
                            std::string_view direction, const py::object& baseline_year, const py::object& target_value,
                            const py::object& target_year, std::optional<double> year, const py::object& covariates,
                            bool intercept) {
  value_added_input in;
  in.method = option(value_added_method_names, method, "method");
  in.direction = option(polarity_names, direction, "direction");
  const std::vector<double> a = vector_from(actual, "actual"), b = vector_from(baseline, "baseline");
  const std::vector<double> y0 = vector_from(baseline_year, "baseline_year");
  const std::vector<double> tv = vector_from(target_value, "target_value");
  const std::vector<double> y1 = vector_from(target_year, "target_year");
  matrix_copy cov;
  if (!covariates.is_none()) cov = matrix_from(covariates, "covariates");
  if (!covariates.is_none() && cov.rows != a.size())
    throw data_error("covariates: expected " + std::to_string(a.size()) + " rows (one per unit), got " +
                     std::to_string(cov.rows));
  in.actual = a;
  in.baseline = b;
  in.baseline_year = y0;
  in.target_value = tv;
  in.target_year = y1;
  in.year = year.value_or(nan);
  in.covariates = cov.values;
  in.covariate_count = cov.cols;
  in.intercept = intercept;
  value_added_result r;
  {
    const py::gil_scoped_release release; // every input is a vector owned by this call
    r = planeval::value_added(in);
  }
  py::dict d;
  d["expected"] = array1(r.expected);
  d["value_added"] = array1(r.value_added);
  d["rank"] = array1(r.rank);
  d["coefficients"] = array1(r.coefficients);
  d["r_squared"] = r.r_squared;
  d["fitted_units"] = r.fitted_units;
  return d;
}

} // namespace

void register_composite(py::module_& m) {
  m.def("_composite_build", &build, py::arg("data"), py::arg("spec"), py::arg("denominators") = py::none(),
        "Builds a composite (planeval/composite.hpp) from a units x indicators float64 matrix (NaN missing) and "
        "a spec dict; returns a dict of arrays (treated, normalised, scores, ranks, strongest, weakest), the "
        "record and the compiled tree. Private: use planeval.composite.Composite.");
  m.def("_composite_normalised", &normalised, py::arg("data"), py::arg("spec"), py::arg("denominators") = py::none(),
        "The normalised (treated, imputed) units x indicators matrix of a spec, and the record of the steps.");
  m.def(
      "_composite_tree", [](const py::dict& spec) { return tree_dict(make_composite_tree(spec_from(spec))); },
      py::arg("spec"), "The hierarchy of a spec compiled to index arrays (node_parent, indicator_parent, ...).");
  m.def("_value_added", &value_added_arrays, py::arg("method"), py::arg("actual"), py::arg("baseline"), py::kw_only(),
        py::arg("direction") = "higher", py::arg("baseline_year") = py::none(), py::arg("target_value") = py::none(),
        py::arg("target_year") = py::none(), py::arg("year") = py::none(), py::arg("covariates") = py::none(),
        py::arg("intercept") = true,
        "Value-added arrays (expected, value_added, rank, coefficients, r_squared, fitted_units). Private: use "
        "planeval.composite.value_added.");
  m.def(
      "_skew_kurtosis",
      [](const py::object& x) {
        const std::vector<double> v = vector_from(x, "x");
        const skew_kurtosis s = sample_skew_kurtosis(v);
        return py::make_tuple(s.skew, s.kurtosis);
      },
      py::arg("x"), "Adjusted Fisher-Pearson skewness G1 and excess kurtosis G2 of the non-NaN values.");
  m.def(
      "_composite_options",
      [] {
        py::dict d;
        d["normalisation"] = names(normalisation_names);
        d["imputation"] = names(imputation_names);
        d["outliers"] = names(outlier_treatment_names);
        d["aggregation"] = names(aggregation_names);
        d["direction"] = names(polarity_names);
        d["value_added"] = names(value_added_method_names);
        d["transform"] = names(treat_transform_names);
        d["screening"] = names(unit_screen_names);
        d["steps"] = names(composite_step_names);
        d["sd"] = names(sd_kind_names);
        d["ties"] = names(rank_ties_names);
        d["anchor"] = names(distance_anchor_names);
        d["zeros"] = names(zero_policy_names);
        py::dict coinr; // COINr's n_* names -> planeval's (normalisation_coinr_names)
        for (const auto& [value, name] : normalisation_coinr_names)
          coinr[py::str(std::string(name))] = py::str(std::string(to_string(value)));
        d["normalisation_coinr"] = coinr;
        return d;
      },
      "The names of every composite choice, from the C++ tables (and normalisation_coinr: COINr's names of the "
      "normalisations).");
}

} // namespace planeval::python
