// Copyright (c) 2026 planeval developers. Distributed under the MIT License.
// planeval._core: wires the register_<concept> functions; the Python package re-exports the names.

#include <planeval/version.hpp>

#include "pybind_common.hpp"

namespace planeval::python { void register_arrow(pybind11::module_& m); } // register_arrow.cpp
namespace planeval::python { void register_composite_analysis(pybind11::module_& m); } // register_composite_analysis.cpp

PYBIND11_MODULE(_core, m) {
  m.doc() = "planeval C++ core (private; use the planeval package)";
  planeval::python::register_errors(m);
  planeval::python::register_calendar(m);
  planeval::python::register_model(m);
  planeval::python::register_plan(m);
  planeval::python::register_observations(m);
  planeval::python::register_arrow(m); // observations from Arrow streams (polars, pyarrow, DuckDB)
  planeval::python::register_rollup(m); // adds methods to Plan
  planeval::python::register_rules(m);
  planeval::python::register_standard(m);
  planeval::python::register_assess(m);
  planeval::python::register_evaluate(m);
  planeval::python::register_expression(m);
  planeval::python::register_composite(m);
  planeval::python::register_uncertainty(m);
  planeval::python::register_composite_analysis(m); // effective weights, statistics, correlations, Copeland
  m.attr("__version__") = planeval::version;
}
