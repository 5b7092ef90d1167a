// Copyright (c) 2026 planeval developers. Distributed under the MIT License.
// Uncertainty and sensitivity (planeval/uncertainty.hpp): the private functions behind
// planeval.sensitivity — _uniform_draws, _saltelli_sample, _sobol_indices, _uncertainty_layout,
// _rank_uncertainty — and the Python exception CancelledError(Error).
//
// Design notes:
// - Every input array is copied into C++-owned vectors (float64, C order) while the GIL is held,
//   then _rank_uncertainty releases the GIL for the run: another Python thread can then change the
//   caller's arrays without affecting (or racing with) the C++ threads. The copies are small next
//   to the run (units × indicators per variant, replications × 2D draws).
// - Ctrl-C: the C++ engine calls its progress callback on this (the calling) thread every 0.1 s;
//   the callback takes the GIL, runs PyErr_CheckSignals (Python's SIGINT handler raises
//   KeyboardInterrupt there) and the optional Python progress function. A Python exception from
//   either is kept, the cancellation flag set; the workers stop after their current replication,
//   are joined, and the kept exception (KeyboardInterrupt) is raised here with the GIL held.
// - A run cancelled otherwise raises CancelledError (a planeval.Error).

#include <planeval/uncertainty.hpp>

#include <pybind11/numpy.h>

#include <atomic>
#include <cstdint>
#include <exception>
#include <optional>
#include <span>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "pybind_common.hpp"

namespace planeval::python {

namespace {

PYBIND11_CONSTINIT py::gil_safe_call_once_and_store<py::object> cancelled_error_type;

void translate_cancelled(std::exception_ptr p) {
  try {
    if (p) std::rethrow_exception(p);
  } catch (const cancelled_error& e) {
    py::set_error(cancelled_error_type.get_stored(), e.what());
  }
}

using farray = py::array_t<double, py::array::c_style | py::array::forcecast>;

/// A float64 copy of `obj` with `ndim` dimensions (numpy.asarray semantics).
std::pair<std::vector<double>, std::vector<py::ssize_t>> copy_array(const py::handle& obj, int ndim,
                                                                    const std::string& what) {
  const py::object asarray = py::module_::import("numpy").attr("asarray");
  auto arr = farray::ensure(asarray(obj, py::arg("dtype") = "float64"));
  if (!arr) throw py::error_already_set();
  if (arr.ndim() != ndim)
    throw error(what + ": expected a " + std::to_string(ndim) + "-D array, got " + std::to_string(arr.ndim()) +
                " dimensions");
  std::vector<py::ssize_t> shape(arr.shape(), arr.shape() + arr.ndim());
  return {std::vector<double>(arr.data(), arr.data() + arr.size()), shape};
}

template <class T>
py::array_t<T> to_array(const std::vector<T>& v) {
  py::array_t<T> out(static_cast<py::ssize_t>(v.size()));
  std::copy(v.begin(), v.end(), out.mutable_data());
  return out;
}

sampling_method parse_sampling(const std::string& name) {
  const auto m = detail::parse_name(sampling_method_names, name);
  if (!m)
    throw error("sampling: expected one of " + detail::alternatives(sampling_method_names) + ", got \"" + name + "\"");
  return *m;
}

uncertainty_aggregator parse_aggregator(const std::string& method, double power, const std::string& where) {
  auto m = detail::parse_name(uncertainty_mean_names, method);
  if (!m)
    throw error(where + ": expected one of " + detail::alternatives(uncertainty_mean_names) + ", got \"" + method +
                "\"");
  return {*m, power};
}

/// The hierarchy and options from the arguments of _rank_uncertainty / _uncertainty_layout.
struct parsed_setup {
  uncertainty_hierarchy hierarchy;
  uncertainty_options options;
};

parsed_setup parse_setup(const std::vector<std::int64_t>& indicator_parent, const std::vector<double>& indicator_weight,
                         const std::vector<std::int64_t>& node_parent, const std::vector<double>& node_weight,
                         const std::vector<std::tuple<std::string, double>>& node_aggregation,
                         const std::vector<std::tuple<std::string, double>>& alternatives, bool by_level,
                         double weight_noise, bool vary_variant, bool drop_indicator, std::int64_t replications,
                         std::uint64_t seed, std::int64_t threads, bool sensitivity, bool keep_ranks,
                         const std::vector<std::tuple<std::int64_t, double>>& level_noise_specs,
                         const std::string& zeros, const std::vector<double>& node_min_share) {
  parsed_setup s;
  s.hierarchy.node_min_share = node_min_share;
  const auto z = detail::parse_name(zero_policy_names, zeros);
  if (!z) throw error("zeros: expected one of " + detail::alternatives(zero_policy_names) + ", got \"" + zeros + "\"");
  s.hierarchy.zeros = *z;
  for (std::size_t i = 0; i < level_noise_specs.size(); ++i) {
    const auto [level, noise] = level_noise_specs[i];
    if (level < 1)
      throw error("weight_noise_levels[" + std::to_string(i) + "]: expected a level >= 1, got " +
                  std::to_string(level));
    s.options.weight_noise_levels.push_back({static_cast<std::size_t>(level), noise});
  }
  auto index = [](std::int64_t i, const std::string& where) -> std::size_t {
    if (i < 0) throw error(where + ": expected a node index >= 0, got " + std::to_string(i));
    return static_cast<std::size_t>(i);
  };
  for (std::size_t j = 0; j < indicator_parent.size(); ++j)
    s.hierarchy.indicator_parent.push_back(index(indicator_parent[j], "indicator_parent[" + std::to_string(j) + "]"));
  for (std::size_t c = 0; c < node_parent.size(); ++c)
    s.hierarchy.node_parent.push_back(
        node_parent[c] == -1 ? uncertainty_hierarchy::no_parent
                             : index(node_parent[c], "node_parent[" + std::to_string(c) + "] (-1 for the root)"));
  s.hierarchy.indicator_weight = indicator_weight;
  s.hierarchy.node_weight = node_weight;
  for (std::size_t c = 0; c < node_aggregation.size(); ++c)
    s.hierarchy.node_aggregator.push_back(parse_aggregator(
        std::get<0>(node_aggregation[c]), std::get<1>(node_aggregation[c]), "aggregation[" + std::to_string(c) + "]"));
  for (std::size_t a = 0; a < alternatives.size(); ++a)
    s.options.aggregators.push_back(parse_aggregator(std::get<0>(alternatives[a]), std::get<1>(alternatives[a]),
                                                     "alternatives[" + std::to_string(a) + "]"));
  s.options.aggregation_by_level = by_level;
  s.options.weight_noise = weight_noise;
  s.options.vary_variant = vary_variant;
  s.options.drop_indicator = drop_indicator;
  if (replications < 2) throw error("replications: expected at least 2, got " + std::to_string(replications));
  s.options.replications = static_cast<std::size_t>(replications);
  s.options.seed = seed;
  s.options.threads = threads_arg(threads, "rank_uncertainty");
  s.options.sensitivity = sensitivity;
  s.options.keep_ranks = keep_ranks;
  return s;
}

py::dict layout_dict(const uncertainty_layout& l) {
  py::dict d;
  d["inputs"] = l.inputs;
  d["first_column"] = l.first_column;
  d["column_count"] = l.column_count;
  d["columns"] = l.columns;
  return d;
}

py::dict rank_uncertainty_py(const py::list& variants, const std::vector<std::int64_t>& indicator_parent,
                             const std::vector<double>& indicator_weight, const std::vector<std::int64_t>& node_parent,
                             const std::vector<double>& node_weight,
                             const std::vector<std::tuple<std::string, double>>& node_aggregation,
                             const std::vector<std::tuple<std::string, double>>& alternatives, bool by_level,
                             double weight_noise, bool vary_variant, bool drop_indicator, std::int64_t replications,
                             std::uint64_t seed, std::int64_t threads, bool sensitivity, bool keep_ranks,
                             const py::object& draws, const py::object& progress,
                             const std::vector<std::tuple<std::int64_t, double>>& weight_noise_levels,
                             const std::string& zeros, const std::string& sampling,
                             const std::vector<double>& node_min_share) {
  parsed_setup s = parse_setup(indicator_parent, indicator_weight, node_parent, node_weight, node_aggregation,
                               alternatives, by_level, weight_noise, vary_variant, drop_indicator, replications, seed,
                               threads, sensitivity, keep_ranks, weight_noise_levels, zeros, node_min_share);
  s.options.sampling = parse_sampling(sampling);
  // copies owned here (see the design notes)
  std::vector<std::vector<double>> data;
  std::size_t units = 0;
  for (std::size_t v = 0; v < variants.size(); ++v) {
    auto [values, shape] = copy_array(variants[v], 2, "variants[" + std::to_string(v) + "]");
    if (static_cast<std::size_t>(shape[1]) != indicator_parent.size())
      throw error("variants[" + std::to_string(v) + "]: expected " + std::to_string(indicator_parent.size()) +
                  " indicator columns, got " + std::to_string(shape[1]));
    if (v > 0 && static_cast<std::size_t>(shape[0]) != units)
      throw error("variants[" + std::to_string(v) + "]: expected " + std::to_string(units) +
                  " units (rows) like variants[0], got " + std::to_string(shape[0]));
    units = static_cast<std::size_t>(shape[0]);
    data.push_back(std::move(values));
  }
  std::vector<double> draw_values;
  if (!draws.is_none()) {
    auto [values, shape] = copy_array(draws, 2, "draws");
    const auto layout = make_uncertainty_layout(s.hierarchy, data.size(), s.options);
    if (static_cast<std::size_t>(shape[0]) != s.options.replications ||
        static_cast<std::size_t>(shape[1]) != 2 * layout.columns)
      throw error("draws: expected shape (replications, 2D) = (" + std::to_string(s.options.replications) + ", " +
                  std::to_string(2 * layout.columns) + "), got (" + std::to_string(shape[0]) + ", " +
                  std::to_string(shape[1]) + ")");
    draw_values = std::move(values);
    s.options.draws = draw_values;
  }
  std::vector<std::span<const double>> spans(data.begin(), data.end());

  std::atomic<bool> cancel{false};
  std::optional<py::error_already_set> python_error; // set and destroyed with the GIL held
  auto callback = [&](std::size_t done, std::size_t total) {
    const py::gil_scoped_acquire gil;
    if (python_error) return;
    try {
      if (PyErr_CheckSignals() != 0) throw py::error_already_set();
      if (!progress.is_none()) progress(done, total);
    } catch (py::error_already_set& e) {
      python_error.emplace(std::move(e));
      cancel = true;
    }
  };
  s.options.progress = callback;
  s.options.cancel = &cancel;
  uncertainty_result r;
  try {
    const py::gil_scoped_release release; // reads only the copies above
    r = rank_uncertainty(spans, units, s.hierarchy, s.options);
  } catch (const cancelled_error&) {
    if (python_error) {
      py::error_already_set e = std::move(*python_error);
      python_error.reset();
      throw e;
    }
    throw;
  }
  if (python_error) { // e.g. Ctrl-C during the last progress call
    py::error_already_set e = std::move(*python_error);
    python_error.reset();
    throw e;
  }

  py::dict d;
  d["units"] = r.units;
  d["replications"] = r.replications;
  d["runs"] = r.runs;
  d["layout"] = layout_dict(r.layout);
  d["nominal_score"] = to_array(r.nominal_score);
  d["nominal_rank"] = to_array(r.nominal_rank);
  d["rank_mean"] = to_array(r.rank_mean);
  d["rank_median"] = to_array(r.rank_median);
  d["rank_p05"] = to_array(r.rank_p05);
  d["rank_p95"] = to_array(r.rank_p95);
  std::vector<std::int64_t> ranked(r.ranked.begin(), r.ranked.end());
  d["ranked"] = to_array(ranked);
  d["first_order"] = to_array(r.first_order);
  d["total"] = to_array(r.total);
  d["shift_mean"] = r.shift_mean;
  d["shift_variance"] = r.shift_variance;
  d["shift_a"] = to_array(r.shift_a);
  d["shift_b"] = to_array(r.shift_b);
  py::array_t<double> ab = to_array(r.shift_ab);
  d["shift_ab"] = ab.reshape({static_cast<py::ssize_t>(r.first_order.size()),
                              static_cast<py::ssize_t>(r.first_order.empty() ? 0 : r.replications)});
  if (keep_ranks) {
    py::array_t<std::uint32_t> ranks = to_array(r.ranks);
    d["ranks"] = ranks.reshape({static_cast<py::ssize_t>(r.replications), static_cast<py::ssize_t>(r.units)});
  } else {
    d["ranks"] = py::none();
  }
  return d;
}

} // namespace

void register_uncertainty(py::module_& m) {
  cancelled_error_type.call_once_and_store_result([&] {
    py::object t = py::exception<cancelled_error>(m, "CancelledError", m.attr("Error"));
    t.attr("__doc__") = "A rank-uncertainty run stopped through its cancellation flag.";
    return t;
  });
  py::register_exception_translator(translate_cancelled);

  m.def(
      "_uniform_draws",
      [](std::int64_t rows, std::int64_t cols, std::uint64_t seed, std::uint64_t first) {
        if (rows < 0 || cols < 0) throw error("_uniform_draws: expected rows, cols >= 0");
        py::array_t<double> out({static_cast<py::ssize_t>(rows), static_cast<py::ssize_t>(cols)});
        uniform_draws(
            seed, first,
            std::span<double>(out.mutable_data(), static_cast<std::size_t>(rows) * static_cast<std::size_t>(cols)));
        return out;
      },
      py::arg("rows"), py::arg("cols"), py::arg("seed"), py::arg("first") = 0,
      "rows × cols uniforms in [0,1): element (i, j) is splitmix64 draw first + i·cols + j of the stream `seed`.");
  m.def(
      "_saltelli_sample",
      [](std::int64_t n, std::int64_t k, std::uint64_t seed, const std::string& sampling) {
        if (n < 0 || k < 0) throw error("_saltelli_sample: expected n, k >= 0");
        const auto s =
            make_saltelli_sample(static_cast<std::size_t>(n), static_cast<std::size_t>(k), seed, parse_sampling(sampling));
        py::array_t<double> a = to_array(s.a), b = to_array(s.b), ab = to_array(s.ab);
        return py::make_tuple(a.reshape({n, k}), b.reshape({n, k}), ab.reshape({k, n, k}));
      },
      py::arg("n"), py::arg("k"), py::arg("seed"), py::arg("sampling") = "pseudo",
      "Saltelli's design on the unit cube: (A (n, k), B (n, k), AB (k, n, k)), AB[i] = A with column i from B; "
      "sampling \"sobol\": row r of [A | B] is the 2k-dimensional Sobol' point r + 1.");
  m.def(
      "_sobol_points",
      [](std::int64_t first, std::int64_t count, std::int64_t dims) {
        if (first < 0 || count < 0 || dims < 1) throw error("_sobol_points: expected first, count >= 0 and dims >= 1");
        py::array_t<double> out({static_cast<py::ssize_t>(count), static_cast<py::ssize_t>(dims)});
        sobol_points(static_cast<std::uint64_t>(first), static_cast<std::size_t>(count),
                     static_cast<std::size_t>(dims),
                     std::span<double>(out.mutable_data(), static_cast<std::size_t>(count * dims)));
        return out;
      },
      py::arg("first"), py::arg("count"), py::arg("dims"),
      "Sobol' points first .. first + count - 1 (count, dims): scipy.stats.qmc.Sobol(dims, scramble=False)'s.");
  m.def(
      "_sobol_indices",
      [](const py::object& ya, const py::object& yb, const py::object& yab, std::int64_t resamples, double confidence,
         std::uint64_t seed) {
        const auto a = copy_array(ya, 1, "ya").first;
        const auto b = copy_array(yb, 1, "yb").first;
        const auto ab = copy_array(py::module_::import("numpy").attr("ravel")(yab), 1, "yab").first;
        if (resamples < 0) throw error("bootstrap: expected resamples >= 0, got " + std::to_string(resamples));
        sensitivity_indices s;
        {
          const py::gil_scoped_release release; // reads only the copies above
          s = sobol_indices(a, b, ab, {static_cast<std::size_t>(resamples), confidence, seed});
        }
        py::dict d;
        d["n"] = s.n;
        d["mean"] = s.mean;
        d["variance"] = s.variance;
        d["first_order"] = to_array(s.first_order);
        d["total"] = to_array(s.total);
        d["first_order_low"] = to_array(s.first_order_low);
        d["first_order_high"] = to_array(s.first_order_high);
        d["total_low"] = to_array(s.total_low);
        d["total_high"] = to_array(s.total_high);
        return d;
      },
      py::arg("ya"), py::arg("yb"), py::arg("yab"), py::arg("resamples") = 0, py::arg("confidence") = 0.95,
      py::arg("seed") = 0,
      "First-order (Saltelli 2010) and total (Jansen 1999) indices from f(A), f(B) and f(AB) (k, n); with "
      "resamples > 0, bootstrap percentile intervals.");
  m.def(
      "_uncertainty_layout",
      [](const std::vector<std::int64_t>& indicator_parent, const std::vector<double>& indicator_weight,
         const std::vector<std::int64_t>& node_parent, const std::vector<double>& node_weight,
         const std::vector<std::tuple<std::string, double>>& node_aggregation,
         const std::vector<std::tuple<std::string, double>>& alternatives, bool by_level, double weight_noise,
         bool vary_variant, bool drop_indicator, std::int64_t variants,
         const std::vector<std::tuple<std::int64_t, double>>& weight_noise_levels) {
        parsed_setup s =
            parse_setup(indicator_parent, indicator_weight, node_parent, node_weight, node_aggregation, alternatives,
                        by_level, weight_noise, vary_variant, drop_indicator, 2, 0, 1, true, false,
                        weight_noise_levels, "error", {});
        if (variants < 1) throw error("variants: expected at least 1");
        return layout_dict(make_uncertainty_layout(s.hierarchy, static_cast<std::size_t>(variants), s.options));
      },
      py::arg("indicator_parent"), py::arg("indicator_weight"), py::arg("node_parent"), py::arg("node_weight"),
      py::arg("node_aggregation"), py::arg("alternatives"), py::arg("by_level"), py::arg("weight_noise"),
      py::arg("vary_variant"), py::arg("drop_indicator"), py::arg("variants"),
      py::arg("weight_noise_levels") = std::vector<std::tuple<std::int64_t, double>>{},
      "The uncertain inputs and their draw columns (dict: inputs, first_column, column_count, columns).");
  m.def("_rank_uncertainty", &rank_uncertainty_py, py::arg("variants"), py::arg("indicator_parent"),
        py::arg("indicator_weight"), py::arg("node_parent"), py::arg("node_weight"), py::arg("node_aggregation"),
        py::arg("alternatives"), py::arg("by_level"), py::arg("weight_noise"), py::arg("vary_variant"),
        py::arg("drop_indicator"), py::arg("replications"), py::arg("seed"), py::arg("threads"), py::arg("sensitivity"),
        py::arg("keep_ranks"), py::arg("draws"), py::arg("progress"),
        py::arg("weight_noise_levels") = std::vector<std::tuple<std::int64_t, double>>{},
        py::arg("zeros") = "error", py::arg("sampling") = "pseudo",
        py::arg("node_min_share") = std::vector<double>{},
        "Monte Carlo rank uncertainty of a composite index (planeval.sensitivity.rank_uncertainty wraps it); "
        "releases the GIL, raises KeyboardInterrupt on Ctrl-C.");
}

} // namespace planeval::python
