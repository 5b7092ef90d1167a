// Copyright (c) 2026 planeval developers. Distributed under the MIT License.
// Dates and periods: Period, school and calendar years, parse_date/format_date.

#include "pybind_common.hpp"

namespace planeval::python {

namespace {

// calendar.hpp has no name tables for these two enums; the bindings spell them here.

} // namespace

void register_calendar(py::module_& m) {
  value_class<period> p(m, "Period", "An inclusive range of days: a calendar year, a school year or a custom range.",
                        {"start", "end", "kind"});
  def_property_pickle(p);
  p.def(py::init([](date start, date end, std::string_view kind) {
          return period{start, end, parse_enum(period_kind_names, kind, "kind")};
        }),
        py::arg("start"), py::arg("end"), py::arg("kind") = "custom");
  p.def_readwrite("start", &period::start, "First day (inclusive)");
  p.def_readwrite("end", &period::end, "Last day (inclusive)");
  def_enum(p, "kind", &period::kind, period_kind_names, "'calendar_year', 'school_year' or 'custom'");
  p.def("contains", &period::contains, py::arg("day"), "True if the day lies in the period (both ends included)");
  p.def("overlaps", &period::overlaps, py::arg("other"), "True if the two periods share at least one day");
  p.def_property_readonly("days", &period::days, "Number of days, both ends included");
  p.def_static("calendar_year", &period::calendar_year, py::arg("year"), "Calendar year: 1 January – 31 December");
  p.def_static("school_year", &period::school_year, py::arg("year"),
               "School year starting in `year`: 1 September year – 31 August year+1");
  p.def("__str__", &format_period);

  m.def("calendar_year_of", &calendar_year_of, py::arg("day"), "The calendar year containing the day");
  m.def("school_year_of", &school_year_of, py::arg("day"), "The school year (1 Sep – 31 Aug) containing the day");
  m.def(
      "parse_date",
      [](std::string_view s, std::string_view role) {
        return parse_date(s, parse_enum(date_role_names, role, "role"));
      },
      py::arg("text"), py::arg("role") = "end",
      "Parse 'YYYY', 'YYYY-MM' or 'YYYY-MM-DD'. A short form is the first (role='start') or last\n"
      "(role='end') day it covers. Returns None for anything else, including impossible dates.");
  m.def("format_date", &format_date, py::arg("day"), "'YYYY-MM-DD'");
  m.def("parse_period", &parse_period, py::arg("text"),
        "Parse 'YYYY' (calendar year) or 'YYYY/YYYY+1' (school year); None for anything else");
  m.def("format_period", &format_period, py::arg("period"),
        "'2021' for a calendar year, '2021/2022' for a school year, 'start..end' otherwise");
}

} // namespace planeval::python
