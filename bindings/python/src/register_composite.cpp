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
//   or None), so the Python layer can record it and change one field.
// - The data matrix (units x indicators, NaN missing) is copied into a C++ vector before the GIL
//   is released, so another Python thread writing to the caller's array cannot race with the
//   computation; everything read without the GIL is owned by the call.
// - Results come back as new numpy arrays (row-major, one row per unit).

#include <planeval/composite.hpp>

#include <pybind11/numpy.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
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

composite_spec spec_from(const py::dict& d) {
  composite_spec s;
  if (d.contains("nodes"))
    for (auto item : d["nodes"]) {
      const auto n = item.cast<py::dict>();
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
      composite_indicator ind;
      ind.id = get<std::string>(n, "id", "");
      ind.parent = get<std::string>(n, "parent", "");
      ind.weight = get<double>(n, "weight", 1.0);
      ind.direction = option(polarity_names, get<std::string>(n, "direction", "higher"),
                             "indicators[" + std::to_string(s.indicators.size()) + "].direction");
      ind.target = get<double>(n, "target", nan);
      ind.baseline = get<double>(n, "baseline", nan);
      ind.goal = get<double>(n, "goal", nan);
      s.indicators.push_back(std::move(ind));
    }
  s.outliers = option(outlier_treatment_names, get<std::string>(d, "outliers", "none"), "outliers");
  s.impute = option(imputation_names, get<std::string>(d, "imputation", "none"), "imputation");
  s.normalise = option(normalisation_names, get<std::string>(d, "normalisation", "min_max"), "normalisation");
  if (d.contains("groups") && !d["groups"].is_none()) s.groups = d["groups"].cast<std::vector<std::uint32_t>>();
  if (d.contains("range") && !d["range"].is_none()) {
    const auto r = d["range"].cast<std::pair<double, double>>();
    s.normalise_params.lo = r.first;
    s.normalise_params.hi = r.second;
  }
  for (const auto& [key, cells] : {std::pair<const char*, std::vector<double>*>{"unit_target", &s.unit_target},
                                   {"unit_baseline", &s.unit_baseline},
                                   {"unit_goal", &s.unit_goal}})
    if (d.contains(key) && !d[key].is_none()) *cells = d[key].cast<std::vector<double>>();
  s.normalise_params.reference_unit = get<std::size_t>(d, "reference_unit", 0);
  // "cap" capped goalposts only before issue 15 (normalisation_params::cap)
  if (s.normalise == normalisation::goalposts) s.normalise_params.cap = get<bool>(d, "cap", true);
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
  return d;
}

py::dict record_dict(const composite_record& r) {
  py::dict d;
  py::list outliers;
  for (const auto& o : r.outliers) {
    py::dict x;
    x["skew"] = o.skew;
    x["kurtosis"] = o.kurtosis;
    x["skew_after"] = o.skew_after;
    x["kurtosis_after"] = o.kurtosis_after;
    x["winsorised"] = o.winsorised;
    x["log_transformed"] = o.log_transformed;
    outliers.append(x);
  }
  d["outliers"] = outliers;
  d["imputed"] = r.imputed;
  d["present"] = r.present;
  d["location"] = r.location;
  d["scale"] = r.scale;
  return d;
}

py::dict build(const py::object& data, const py::dict& spec_dict) {
  const composite_spec spec = spec_from(spec_dict);
  const matrix_copy m = matrix_from(data, "data");
  composite_result r;
  {
    const py::gil_scoped_release release; // spec and m are owned by this call
    r = build_composite(composite_data{m.values, m.rows, m.cols}, spec);
  }
  const std::size_t n = r.units, k = spec.indicators.size(), nodes = r.tree.node_ids.size();
  py::dict d;
  d["treated"] = array2(r.treated, n, k);
  d["normalised"] = array2(r.normalised, n, k);
  d["scores"] = array2(r.scores, n, nodes);
  d["ranks"] = array2(r.ranks, n, nodes);
  d["strongest"] = array1(r.strongest);
  d["weakest"] = array1(r.weakest);
  d["record"] = record_dict(r.record);
  d["tree"] = tree_dict(r.tree);
  return d;
}

py::tuple normalised(const py::object& data, const py::dict& spec_dict) {
  const composite_spec spec = spec_from(spec_dict);
  const matrix_copy m = matrix_from(data, "data");
  composite_record rec;
  std::vector<double> out;
  {
    const py::gil_scoped_release release; // spec and m are owned by this call
    out = normalised_matrix(composite_data{m.values, m.rows, m.cols}, spec, &rec);
  }
  return py::make_tuple(array2(out, m.rows, m.cols), record_dict(rec));
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
  m.def("_composite_build", &build, py::arg("data"), py::arg("spec"),
        "Builds a composite (planeval/composite.hpp) from a units x indicators float64 matrix (NaN missing) and "
        "a spec dict; returns a dict of arrays (treated, normalised, scores, ranks, strongest, weakest), the "
        "record and the compiled tree. Private: use planeval.composite.Composite.");
  m.def("_composite_normalised", &normalised, py::arg("data"), py::arg("spec"),
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
        return d;
      },
      "The names of every composite choice, from the C++ tables.");
}

} // namespace planeval::python
