// Copyright (c) 2026 planeval developers. Distributed under the MIT License.
// Formulas (planeval/expression.hpp): ExpressionError(Error) with `.column`, the Expression type,
// parse_expression and evaluate_expression (numpy arrays in and out).
//
// Design notes:
// - In Python a missing input value is NaN or None (numpy.asarray(..., dtype=float64) turns None
//   into NaN); the C++ presence mask is built from it. The result is a float64 array with NaN where
//   the formula is missing; a boolean formula gives 1.0 / 0.0.
// - evaluate_expression parses a str with the keys of `values` (and of `constants`) as the known
//   ids, so a misspelt reference is an ExpressionError located at its column.
// - ExpressionError is created here, deriving from the module's Error, with its own translator;
//   pybind11 tries translators in reverse order of registration, so this one runs before the
//   generic planeval::error translator of register_errors.cpp.

#include <planeval/expression.hpp>

#include <pybind11/numpy.h>

#include <cmath>
#include <cstdint>
#include <exception>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "pybind_common.hpp"

namespace planeval::python {

namespace {

PYBIND11_CONSTINIT py::gil_safe_call_once_and_store<py::object> expression_error_type;

void translate_expression_error(std::exception_ptr p) {
  try {
    if (p) std::rethrow_exception(p);
  } catch (const expression_error& e) {
    const py::object& type = expression_error_type.get_stored();
    py::object instance = type(py_text(e.what()));
    instance.attr("column") = e.column();
    instance.attr("message") = py_text(e.message());
    PyErr_SetObject(type.ptr(), instance.ptr());
  }
}

/// A formula's UTF-8 text; a lone surrogate is an ExpressionError at its (1-based) column.
std::string formula_text(const py::object& text) {
  if (PyUnicode_Check(text.ptr())) {
    Py_ssize_t size = 0;
    if (const char* data = PyUnicode_AsUTF8AndSize(text.ptr(), &size)) return std::string(data, static_cast<std::size_t>(size));
    PyErr_Clear();
    const auto [at, what] = lone_surrogate(text);
    throw expression_error("not valid Unicode: " + what, at);
  }
  return utf8_arg(text, "formula");
}

/// planeval's or DHIS2's name of a missing-value policy, in any letter case (the one parser).
rules::missing_policy parse_missing(std::string_view s) { return missing_policy_from(s, "missing"); }

using id_set = std::set<std::string, std::less<>>;

/// None -> unchecked; any iterable of str -> the set of known ids.
std::optional<id_set> optional_ids(const py::object& ids, const char* what) {
  if (ids.is_none()) return std::nullopt;
  if (py::isinstance<py::str>(ids))
    throw arg_type_error(std::string(what) + ": expected an iterable of ids, got a str");
  id_set s;
  for (auto id : py::iter(ids)) s.insert(id.cast<std::string>());
  return s;
}

struct column_data {
  std::vector<double> values;
  std::vector<std::uint8_t> present;
};

py::object evaluate_expression(const py::object& formula, const py::object& values_mapping,
                                        const std::optional<std::map<std::string, double>>& constants,
                                        std::string_view missing) {
  const rules::missing_policy policy = parse_missing(missing);
  const py::dict values(values_mapping); // any Mapping
  std::optional<expression> parsed;
  if (py::isinstance<expression>(formula)) {
    parsed = formula.cast<expression>();
  } else if (py::isinstance<py::str>(formula)) {
    expression_names known;
    known.indicators.emplace();
    for (auto item : values) known.indicators->insert(py::str(item.first).cast<std::string>());
    known.constants.emplace();
    if (constants)
      for (const auto& kv : *constants) known.constants->insert(kv.first);
    parsed = expression::parse(formula_text(formula), known);
  } else {
    throw arg_type_error("formula must be a str or an Expression");
  }

  // numbers by the API conventions: NaN or None missing, ±inf DataError, text TypeError; a scalar
  // is one value for every row (numpy broadcasting), and all-scalar inputs give a scalar result
  std::vector<std::pair<std::string, py::array_t<double>>> arrays;
  std::optional<std::size_t> rows;
  bool all_scalars = true;
  for (auto item : values) {
    if (!py::isinstance<py::str>(item.first)) throw arg_type_error("values: keys must be indicator ids (str)");
    const std::string id = utf8_arg(item.first, "values key");
    const bool scalar = !py::isinstance<py::str>(item.second) && !item.second.is_none() &&
                        py::int_(py::module_::import("numpy").attr("ndim")(item.second)).cast<int>() == 0;
    all_scalars = all_scalars && scalar;
    py::array_t<double> arr;
    try {
      arr = values_arg(item.second, "values[\"" + id + "\"]");
    } catch (const data_error& e) {
      throw data_error(std::string(e.what()) + " (a present value must be finite)");
    }
    if (!scalar) {
      const auto n = static_cast<std::size_t>(arr.shape(0));
      if (rows && *rows != n)
        throw error("values[\"" + id + "\"]: expected " + std::to_string(*rows) +
                    " values like the other columns, got " + std::to_string(n));
      rows = n;
    }
    arrays.emplace_back(id, std::move(arr));
  }
  if (!rows && !arrays.empty()) rows = 1;
  std::map<std::string, column_data> columns;
  for (const auto& [id, arr] : arrays) {
    const std::size_t n = *rows;
    const bool broadcast = arr.shape(0) == 1 && n != 1;
    column_data c;
    c.values.resize(n);
    c.present.resize(n);
    const double* x = arr.data();
    for (std::size_t i = 0; i < n; ++i) {
      const double v = x[broadcast ? 0 : i];
      const bool present = !std::isnan(v);
      c.present[i] = present ? 1 : 0;
      c.values[i] = present ? v : 0.0;
    }
    columns.emplace(id, std::move(c));
  }

  expression_column result;
  {
    expression_inputs in(rows.value_or(1));
    for (const auto& [id, c] : columns) in.column(id, c.values, c.present);
    if (constants)
      for (const auto& [id, v] : *constants) in.constant(id, v);
    const py::gil_scoped_release release; // everything read below is owned by this function
    result = evaluate(*parsed, in, policy);
  }
  py::array_t<double> out(static_cast<py::ssize_t>(result.value.size()));
  double* o = out.mutable_data();
  for (std::size_t i = 0; i < result.value.size(); ++i)
    o[i] = result.present[i] ? result.value[i] : std::numeric_limits<double>::quiet_NaN();
  // every input a scalar: a scalar out (a formula without references gives one value too)
  if (all_scalars && !arrays.empty() && out.size() == 1) return py::float_(o[0]);
  return out;
}

} // namespace

void register_expression(py::module_& m) {
  expression_error_type.call_once_and_store_result([&] {
    py::object t = py::exception<expression_error>(m, "ExpressionError", m.attr("Error"));
    t.attr("__doc__") = "An invalid formula. `column` is the 1-based column (in characters) of the problem, "
                        "`message` the description without its location; str(e) is '<message> at column <n>'.";
    return t;
  });
  py::register_exception_translator(translate_expression_error);

  py::class_<expression> e(m, "Expression",
                           "A parsed, type-checked formula over indicators (#{id}) and constants (C{id}), with "
                           "DHIS2's operators and functions. Immutable; build it with parse_expression.");
  e.def_property_readonly("text", &expression::text, "The formula as given");
  e.def_property_readonly("references", &expression::references, "The #{...} ids, in order of first appearance");
  e.def_property_readonly("constants", &expression::constants, "The C{...} ids, in order of first appearance");
  e.def_property_readonly(
      "result_type", [](const expression& x) { return std::string(to_string(x.result_type())); },
      "'number' or 'boolean'");
  e.def_property_readonly("node_count", &expression::node_count, "Nodes of the parsed tree");
  e.def("__str__", &expression::to_string, "The canonical form");
  e.def("__repr__",
        [](const expression& x) { return "Expression(" + py::repr(py::str(x.to_string())).cast<std::string>() + ")"; });
  e.def(
      "substitute",
      [](const expression& x, const std::map<std::string, std::optional<double>>& values,
         const std::optional<std::map<std::string, double>>& constants) {
        const std::map<std::string, std::optional<double>, std::less<>> v(values.begin(), values.end());
        std::map<std::string, double, std::less<>> c;
        if (constants) c.insert(constants->begin(), constants->end());
        return x.substitute(v, c);
      },
      py::arg("values"), py::arg("constants") = py::none(),
      "The canonical form with references (None: 'missing') and constants replaced by numbers, for traces.");
  e.def(
      "__eq__", [](const expression& a, const expression& b) { return a.to_string() == b.to_string(); },
      py::is_operator());
  e.def("__hash__", [](const expression& x) { return py::hash(py::str(x.to_string())); });
  e.def("__copy__", [](const expression& x) { return x; });
  e.def(
      "__deepcopy__", [](const expression& x, const py::object&) { return x; }, py::arg("memo"));
  e.def(py::pickle([](const expression& x) { return py::make_tuple(x.text()); },
                   [](const py::tuple& t) {
                     if (t.size() != 1) throw error("Expression: invalid pickled state");
                     return expression::parse(t[0].cast<std::string>());
                   }));

  m.def(
      "parse_expression",
      [](const py::object& text, const py::object& indicators, const py::object& constants) {
        expression_names known{optional_ids(indicators, "indicators"), optional_ids(constants, "constants")};
        return expression::parse(formula_text(text), known);
      },
      py::arg("text"), py::kw_only(), py::arg("indicators") = py::none(), py::arg("constants") = py::none(),
      "Parses and type-checks a formula; raises ExpressionError (with .column). With `indicators` / "
      "`constants`, references to other ids are errors too.");
  m.def("evaluate_expression", &evaluate_expression, py::arg("formula"), py::arg("values"), py::kw_only(),
        py::arg("constants") = py::none(), py::arg("missing") = "skip_if_any_missing",
        "Evaluates a formula over columns: values maps each indicator id to a 1-D array (NaN or None = "
        "missing); returns a float64 array with NaN where the result is missing (booleans as 1.0/0.0). "
        "missing is 'skip_if_any_missing' (the default, as DHIS2's indicator formulas), 'skip_if_all_missing' "
        "or 'never_skip', or DHIS2's SKIP_IF_ANY_VALUE_MISSING, SKIP_IF_ALL_VALUES_MISSING, NEVER_SKIP, in any "
        "letter case.");
}

} // namespace planeval::python
