// Copyright (c) 2026 planeval developers. Distributed under the MIT License.
// Exceptions: Error(ValueError) for planeval::error, PlanError(Error) carrying `.errors` (a list of
// Diagnostic), DataError(Error); and the Diagnostic type itself.

#include <exception>

#include "pybind_common.hpp"

namespace planeval::python {

namespace {

// The exception types live as long as the interpreter; gil_safe_call_once_and_store keeps them
// without a static py::object destructor running after Python has finalised.
PYBIND11_CONSTINIT py::gil_safe_call_once_and_store<py::object> error_type;
PYBIND11_CONSTINIT py::gil_safe_call_once_and_store<py::object> plan_error_type;
PYBIND11_CONSTINIT py::gil_safe_call_once_and_store<py::object> data_error_type;

void translate(std::exception_ptr p) {
  try {
    if (p) std::rethrow_exception(p);
  } catch (const plan_error& e) {
    // Build the instance ourselves so that it carries the located diagnostics.
    const py::object& type = plan_error_type.get_stored();
    py::object instance = type(py_text(e.what()));
    instance.attr("errors") = py::cast(py_diagnostics(e.errors()));
    PyErr_SetObject(type.ptr(), instance.ptr());
  } catch (const data_error& e) {
    py::set_error(data_error_type.get_stored(), py_text(e.what()).c_str());
  } catch (const error& e) {
    py::set_error(error_type.get_stored(), py_text(e.what()).c_str());
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
    t.attr("__doc__") = "Base of every planeval error (a ValueError).";
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
