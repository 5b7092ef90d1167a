// Copyright (c) 2026 planeval developers. Distributed under the MIT License.
// Exceptions: Error(ValueError) for planeval::error, PlanError(Error) carrying `.errors` (a list of
// Diagnostic), DataError(Error); and the Diagnostic type itself. Every instance has the attributes
// path, file, row, column, sheet and cell (None when unknown; planeval::location) and message (what
// is wrong without the place, None unless the thrower gave it apart, as ExpressionError.message).

#include <exception>

#include "pybind_common.hpp"

namespace planeval::python {

namespace {

// The exception types live as long as the interpreter; gil_safe_call_once_and_store keeps them
// without a static py::object destructor running after Python has finalised.
PYBIND11_CONSTINIT py::gil_safe_call_once_and_store<py::object> error_type;
PYBIND11_CONSTINIT py::gil_safe_call_once_and_store<py::object> plan_error_type;
PYBIND11_CONSTINIT py::gil_safe_call_once_and_store<py::object> data_error_type;

/// The attributes every planeval exception has: the place, None where unknown.
constexpr const char* place_fields[] = {"path", "file", "row", "column", "sheet", "cell", "message"};

py::object text_or_none(const std::string& s) { return s.empty() ? py::none() : py::object(py::str(py_text(s))); }

/// An instance of `type` for `e`, its place set from e.where().
py::object located_instance(const py::object& type, const error& e) {
  py::object instance = type(py_text(e.what()));
  const location& w = e.where();
  instance.attr("path") = text_or_none(w.path);
  instance.attr("file") = text_or_none(w.file);
  instance.attr("row") = w.row ? py::object(py::int_(*w.row)) : py::none();
  instance.attr("column") = text_or_none(w.column);
  instance.attr("sheet") = text_or_none(w.sheet);
  instance.attr("cell") = text_or_none(w.cell);
  const std::string_view message = e.message();
  instance.attr("message") = message == std::string_view(e.what()) ? py::none() : text_or_none(std::string(message));
  return instance;
}

void raise_located(const py::object& type, const error& e) {
  py::object instance = located_instance(type, e);
  PyErr_SetObject(type.ptr(), instance.ptr());
}

void translate(std::exception_ptr p) {
  try {
    if (p) std::rethrow_exception(p);
  } catch (const plan_error& e) {
    // Build the instance ourselves so that it carries the located diagnostics.
    const py::object& type = plan_error_type.get_stored();
    py::object instance = located_instance(type, e);
    instance.attr("errors") = py::cast(py_diagnostics(e.errors()));
    PyErr_SetObject(type.ptr(), instance.ptr());
  } catch (const data_error& e) {
    raise_located(data_error_type.get_stored(), e);
  } catch (const error& e) {
    raise_located(error_type.get_stored(), e);
  } catch (const boost::gregorian::bad_year& e) {
    // Boost.Date_Time range errors derive from std::out_of_range (IndexError by default); for a
    // caller they are bad argument values: planeval.Error (a ValueError), like every bad input.
    py::set_error(error_type.get_stored(), py_text(e.what()).c_str());
  } catch (const boost::gregorian::bad_month& e) {
    py::set_error(error_type.get_stored(), py_text(e.what()).c_str());
  } catch (const boost::gregorian::bad_day_of_month& e) {
    py::set_error(error_type.get_stored(), py_text(e.what()).c_str());
  }
}

} // namespace

void register_errors(py::module_& m) {
  auto& err = error_type.call_once_and_store_result([&] {
    py::object t = py::exception<error>(m, "Error", PyExc_ValueError);
    t.attr("__doc__") =
        "Base of every planeval error (a ValueError). Every instance says where the problem is as attributes, "
        "None when unknown: path (JSON path in a plan or standard, 'targets[3].goal.deadline'), file, row (from 1: "
        "a text file's line, a sheet's row; for arrays and frames the position + 1), column (the column's name), "
        "sheet, cell ('B7'); and message, what is wrong without the place (None unless given apart).";
    for (const char* name : place_fields) t.attr(name) = py::none(); // defaults, for instances made in Python
    return t;
  });
  plan_error_type.call_once_and_store_result([&] {
    py::object t = py::exception<plan_error>(m, "PlanError", err.get_stored());
    t.attr("__doc__") = "An invalid plan. `errors` lists every problem found, as Diagnostic objects located by "
                        "JSON path; str(e) describes the first one.";
    return t;
  });
  data_error_type.call_once_and_store_result([&] {
    py::object t = py::exception<data_error>(m, "DataError", err.get_stored());
    t.attr("__doc__") = "Invalid observation data.";
    return t;
  });
  {
    // planeval.ArgumentTypeError: an argument of the wrong type (arg_type_error in C++). Both a
    // planeval.Error and a TypeError, so `except planeval.Error` catches every planeval exception
    // and `except TypeError` what Python code expects for a wrong type.
    py::dict ns;
    ns["__module__"] = m.attr("__name__");
    ns["__doc__"] = "An argument of the wrong type: a str where numbers go, a datetime with a time of day. Both a "
                    "planeval.Error and a TypeError (API conventions, item 8).";
    py::object t = py::module_::import("builtins")
                       .attr("type")("ArgumentTypeError", py::make_tuple(err.get_stored(), py::handle(PyExc_TypeError)), ns);
    m.attr("ArgumentTypeError") = t;
    argument_type_error_type() = t.release().ptr(); // kept for the module's lifetime
  }
  py::register_exception_translator(translate);

  value_class<diagnostic> d(m, "Diagnostic", "One located finding about a plan: an error or a warning.",
                            {"path", "message", "level"});
  d.def(py::init([](std::string path, std::string message, std::string_view level) {
          return diagnostic{parse_enum(severity_names, level, "level"), std::move(path), std::move(message)};
        }),
        py::arg("path"), py::arg("message"), py::arg("level") = "error");
  d.def_readonly("path", &diagnostic::path, "JSON path such as 'targets[3].goal.deadline' (or 'file:line:column')");
  d.def_readonly("message", &diagnostic::message, "What is wrong and what was expected");
  d.def_property_readonly(
      "level", [](const diagnostic& x) { return enum_name(severity_names, x.level); }, "'error' or 'warning'");
  d.def("__str__", &diagnostic::to_string);
}

} // namespace planeval::python
