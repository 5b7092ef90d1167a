// Copyright (c) 2026 planeval developers. Distributed under the MIT License.
// Analysis tools for composites (planeval/composite/analysis.hpp): the private functions behind
// planeval._composite_analysis — _effective_weights, _cronbach_alpha, _indicator_stats,
// _correlation_matrix, _correlation_pvalues, _incomplete_beta, _outranking_matrix,
// _strengths_weaknesses. Arrays come in as float64 C-order copies (numpy.asarray semantics: a str
// raises TypeError there) and go out as numpy arrays.

#include <planeval/composite/analysis.hpp>

#include <pybind11/numpy.h>

#include <cmath>
#include <cstdint>
#include <string>
#include <tuple>
#include <vector>

#include "pybind_common.hpp"

namespace planeval::python {

namespace {

using farray = py::array_t<double, py::array::c_style | py::array::forcecast>;

/// A units x columns matrix copied from `obj` (2-D float64).
struct matrix_copy {
  std::vector<double> values;
  std::size_t rows = 0, cols = 0;
  composite_data data() const { return {values, rows, cols}; }
};

matrix_copy copy_matrix(const py::handle& obj, const std::string& what) {
  const py::object asarray = py::module_::import("numpy").attr("asarray");
  auto arr = farray::ensure(asarray(obj, py::arg("dtype") = "float64"));
  if (!arr) throw py::error_already_set();
  if (arr.ndim() != 2)
    throw error(what + ": expected a 2-D array, got " + std::to_string(arr.ndim()) + " dimensions");
  matrix_copy m;
  m.rows = static_cast<std::size_t>(arr.shape(0));
  m.cols = static_cast<std::size_t>(arr.shape(1));
  m.values.assign(arr.data(), arr.data() + arr.size());
  return m;
}

std::vector<double> copy_vector(const py::handle& obj) {
  const py::object asarray = py::module_::import("numpy").attr("asarray");
  auto arr = farray::ensure(asarray(obj, py::arg("dtype") = "float64"));
  if (!arr) throw py::error_already_set();
  return {arr.data(), arr.data() + arr.size()};
}

template <class T>
py::array_t<T> to_array(const std::vector<T>& v) {
  py::array_t<T> out(static_cast<py::ssize_t>(v.size()));
  std::copy(v.begin(), v.end(), out.mutable_data());
  return out;
}

py::array_t<double> square(const std::vector<double>& v, std::size_t k) {
  py::array_t<double> out({static_cast<py::ssize_t>(k), static_cast<py::ssize_t>(k)});
  std::copy(v.begin(), v.end(), out.mutable_data());
  return out;
}

correlation_method parse_method(const std::string& name) {
  auto m = detail::parse_name(correlation_method_names, name);
  if (!m)
    throw error("method: expected one of " + detail::alternatives(correlation_method_names) + ", got \"" + name +
                "\"");
  return *m;
}

py::tuple effective_weights_arrays(const std::vector<std::int64_t>& node_parent, const std::vector<double>& node_weight,
                                   const std::vector<std::int64_t>& indicator_parent,
                                   const std::vector<double>& indicator_weight) {
  composite_tree t;
  t.node_parent.reserve(node_parent.size());
  for (auto p : node_parent) t.node_parent.push_back(static_cast<std::int32_t>(p < 0 ? -1 : p));
  for (std::size_t j = 0; j < indicator_parent.size(); ++j) {
    if (indicator_parent[j] < 0)
      throw data_error("effective_weights: indicator_parent[" + std::to_string(j) + "]: expected a node index >= 0");
    t.indicator_parent.push_back(static_cast<std::uint32_t>(indicator_parent[j]));
  }
  t.node_weight = node_weight;
  t.indicator_weight = indicator_weight;
  const auto w = effective_weights(t);
  return py::make_tuple(to_array(w.node), to_array(w.indicator));
}

py::dict stats_arrays(const py::handle& values, double t_skew, double t_kurt, double t_avail, double t_zero,
                      double t_unq, const std::string& sd) {
  const auto m = copy_matrix(values, "values");
  stats_options opt;
  opt.t_skew = t_skew;
  opt.t_kurt = t_kurt;
  opt.t_avail = t_avail;
  opt.t_zero = t_zero;
  opt.t_unq = t_unq;
  auto kind = detail::parse_name(sd_kind_names, sd);
  if (!kind) throw error("sd: expected one of " + detail::alternatives(sd_kind_names) + ", got \"" + sd + "\"");
  opt.sd = *kind;
  const auto st = indicator_stats(m.data(), opt);
  const std::size_t k = st.size();
  std::vector<double> mn(k), mx(k), mean(k), med(k), sdv(k), sk(k), ku(k), fa(k), fn(k), fu(k), fs(k), out(k);
  std::vector<std::int64_t> na(k), nn(k), nu(k), ns(k);
  std::vector<std::uint8_t> la(k), ln(k), lu(k);
  for (std::size_t j = 0; j < k; ++j) {
    const auto& s = st[j];
    mn[j] = s.min, mx[j] = s.max, mean[j] = s.mean, med[j] = s.median, sdv[j] = s.sd, sk[j] = s.skew;
    ku[j] = s.kurtosis, fa[j] = s.share_available, fn[j] = s.share_nonzero, fu[j] = s.share_unique;
    fs[j] = s.share_same;
    na[j] = static_cast<std::int64_t>(s.n_available), nn[j] = static_cast<std::int64_t>(s.n_nonzero);
    nu[j] = static_cast<std::int64_t>(s.n_unique), ns[j] = static_cast<std::int64_t>(s.n_same);
    la[j] = s.low_available, ln[j] = s.low_nonzero, lu[j] = s.low_unique;
    out[j] = s.outlier ? (*s.outlier ? 1.0 : 0.0) : std::nan("");
  }
  py::dict d;
  d["min"] = to_array(mn), d["max"] = to_array(mx), d["mean"] = to_array(mean), d["median"] = to_array(med);
  d["sd"] = to_array(sdv), d["skew"] = to_array(sk), d["kurtosis"] = to_array(ku);
  d["n_available"] = to_array(na), d["n_nonzero"] = to_array(nn), d["n_unique"] = to_array(nu);
  d["n_same"] = to_array(ns), d["share_available"] = to_array(fa), d["share_nonzero"] = to_array(fn);
  d["share_unique"] = to_array(fu), d["share_same"] = to_array(fs);
  d["low_available"] = to_array(la), d["low_nonzero"] = to_array(ln), d["low_unique"] = to_array(lu);
  d["outlier"] = to_array(out);
  return d;
}

py::tuple outranking_arrays(const py::handle& values, const py::handle& weights) {
  const auto m = copy_matrix(values, "values");
  std::vector<double> w;
  if (!weights.is_none()) w = copy_vector(weights);
  const auto r = outranking_matrix(m.data(), w);
  const auto cop = copeland_scores(r);
  return py::make_tuple(square(r.matrix, r.units), to_array(cop), r.n_dominant, r.frac_dominant);
}

py::tuple str_weak_arrays(const py::handle& values, std::int64_t unit, std::int64_t top, std::int64_t bottom,
                          const py::handle& directions, const py::handle& groups, bool min_discard,
                          double unique_discard) {
  const auto m = copy_matrix(values, "values");
  if (unit < 0) throw data_error("strengths_weaknesses: unit: expected a row index >= 0");
  if (top < 1 || bottom < 1) throw error("top and bottom: expected at least 1");
  str_weak_options opt;
  opt.top = static_cast<std::size_t>(top);
  opt.bottom = static_cast<std::size_t>(bottom);
  std::vector<double> dirs;
  std::vector<std::uint32_t> grp;
  if (!directions.is_none()) dirs = copy_vector(directions);
  if (!groups.is_none())
    for (const auto& g : groups.cast<std::vector<std::int64_t>>()) grp.push_back(static_cast<std::uint32_t>(g));
  opt.directions = dirs;
  opt.groups = grp;
  opt.min_discard = min_discard;
  opt.unique_discard = unique_discard;
  const auto r = strengths_weaknesses(m.data(), static_cast<std::size_t>(unit), opt);
  auto pack = [](const std::vector<str_weak_entry>& e) {
    std::vector<std::int64_t> ind, rank;
    for (const auto& x : e) {
      ind.push_back(static_cast<std::int64_t>(x.indicator));
      rank.push_back(x.rank);
    }
    return py::make_tuple(to_array(ind), to_array(rank));
  };
  return py::make_tuple(pack(r.strengths), pack(r.weaknesses));
}

} // namespace

void register_composite_analysis(py::module_& m) {
  m.def("_effective_weights", &effective_weights_arrays, py::arg("node_parent"), py::arg("node_weight"),
        py::arg("indicator_parent"), py::arg("indicator_weight"),
        "(node effective weights, indicator effective weights), COINr's get_eff_weights. Private.");
  m.def(
      "_cronbach_alpha", [](const py::handle& values) { return cronbach_alpha(copy_matrix(values, "values").data()); },
      py::arg("values"), "Cronbach's alpha of the columns (pairwise complete covariances). Private.");
  m.def("_indicator_stats", &stats_arrays, py::arg("values"), py::kw_only(), py::arg("t_skew") = 2.0,
        py::arg("t_kurt") = 3.5, py::arg("t_avail") = 0.65, py::arg("t_zero") = 0.5, py::arg("t_unq") = 0.5,
        py::arg("sd") = "sample", "Per-column statistics (COINr's get_stats), as a dict of arrays. Private.");
  m.def(
      "_correlation_matrix",
      [](const py::handle& values, const std::string& method) {
        const auto mm = copy_matrix(values, "values");
        return square(correlation_matrix(mm.data(), parse_method(method)), mm.cols);
      },
      py::arg("values"), py::arg("method") = "pearson", "Correlations, pairwise complete observations. Private.");
  m.def(
      "_correlation_pvalues",
      [](const py::handle& values, const std::string& method) {
        const auto mm = copy_matrix(values, "values");
        return square(correlation_pvalues(mm.data(), parse_method(method)), mm.cols);
      },
      py::arg("values"), py::arg("method") = "pearson", "Two-sided p-values of the correlations. Private.");
  m.def("_incomplete_beta", &incomplete_beta, py::arg("x"), py::arg("a"), py::arg("b"),
        "The regularised incomplete beta function I_x(a, b). Private.");
  m.def("_outranking_matrix", &outranking_arrays, py::arg("values"), py::arg("weights") = py::none(),
        "(outranking matrix, Copeland scores, dominant pairs, their share). Private.");
  m.def("_strengths_weaknesses", &str_weak_arrays, py::arg("values"), py::arg("unit"), py::kw_only(),
        py::arg("top") = 5, py::arg("bottom") = 5, py::arg("directions") = py::none(), py::arg("groups") = py::none(),
        py::arg("min_discard") = true, py::arg("unique_discard") = std::nan(""),
        "((indicator indices, ranks) of the strengths, likewise the weaknesses). Private.");
}

} // namespace planeval::python
