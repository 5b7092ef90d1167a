// Copyright (c) 2026 planeval developers. Distributed under the MIT License.
#pragma once
/// \file pybind_common.hpp
/// Shared by the register_<concept>.cpp files of planeval._core: the register functions, the
/// type casters for dates and plan values, enum <-> string helpers and the generic value-type
/// registrar (__eq__, __repr__, copy, pickling guard).
///
/// Design notes:
/// - Dates cross as datetime.date. A datetime.datetime is a date subclass, so it would be
///   accepted silently with its time dropped; the caster refuses it with a TypeError instead.
/// - planeval::value crosses as None | float | bool | list[float]. bool is tested before the
///   number case because Python's bool is an int subclass: True must stay a boolean, not 1.0.
///   NaN and infinities pass through; plan validation reports them with a located error.
/// - Enums cross as their format strings ("count", ">=", "小学"), looked up in the name tables of
///   the C++ headers, so the bindings, the JSON format and the messages use one spelling. A bad
///   string raises plan_error naming the field and listing the allowed values.
/// - Properties that return plan contents return copies: a plan is valid by construction and
///   is changed only through its add_* methods.

#include <planeval/calendar.hpp>
#include <planeval/detail/enum_names.hpp>
#include <planeval/detail/utf8.hpp>
#include <planeval/error.hpp>
#include <planeval/text.hpp>
#include <planeval/value.hpp>

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <datetime.h>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

namespace planeval {
class plan; // complete where def_partial_protocol is instantiated (the partials' headers include it)
}

namespace planeval::python {

/// The Python type of arg_type_error: planeval.ArgumentTypeError, deriving from planeval.Error and
/// TypeError (set once by register_errors).
inline PyObject*& argument_type_error_type() noexcept {
  static PyObject* type = nullptr;
  return type;
}

/// An argument of the wrong type (a str where numbers go, a datetime with a time of day): raised in
/// Python as planeval.ArgumentTypeError, which is both a planeval.Error (every planeval exception
/// is) and a TypeError (API conventions, item 8). A py::type_error, so `catch (py::type_error&)`
/// sees it too.
class arg_type_error : public pybind11::type_error {
public:
  using pybind11::type_error::type_error;
  void set_error() const override {
    PyObject* type = argument_type_error_type();
    PyErr_SetString(type ? type : PyExc_TypeError, what());
  }
};

} // namespace planeval::python

namespace pybind11::detail {

/// boost::gregorian::date <-> datetime.date. A special date (not_a_date_time) becomes None.
template <>
struct type_caster<boost::gregorian::date> {
  PYBIND11_TYPE_CASTER(boost::gregorian::date, const_name("datetime.date"));

  bool load(handle src, bool /*convert*/) {
    if (!src || !import_datetime()) return false;
    if (PyDateTime_Check(src.ptr()))
      throw planeval::python::arg_type_error(
          "expected a datetime.date, got a datetime.datetime; pass a date (for example dt.date())");
    if (!PyDate_Check(src.ptr())) return false;
    const int y = PyDateTime_GET_YEAR(src.ptr());
    if (y < planeval::min_year || y > planeval::max_year)
      throw value_error("expected a date from " + std::to_string(planeval::min_year) + "-01-01 to " +
                        std::to_string(planeval::max_year) + "-12-31, got year " + std::to_string(y));
    value = boost::gregorian::date(static_cast<unsigned short>(y),
                                   static_cast<unsigned short>(PyDateTime_GET_MONTH(src.ptr())),
                                   static_cast<unsigned short>(PyDateTime_GET_DAY(src.ptr())));
    return true;
  }

  static handle cast(const boost::gregorian::date& d, return_value_policy, handle) {
    if (d.is_special()) return none().release();
    if (!import_datetime()) throw error_already_set();
    const auto ymd = d.year_month_day();
    return PyDate_FromDate(static_cast<int>(ymd.year), static_cast<int>(ymd.month), static_cast<int>(ymd.day));
  }

private:
  // datetime.h gives every translation unit its own PyDateTimeAPI pointer; fill it on first use.
  static bool import_datetime() {
    if (!PyDateTimeAPI) {
      PyDateTime_IMPORT;
    }
    return PyDateTimeAPI != nullptr;
  }
};

/// planeval::value <-> None (missing) | float | bool | list[float].
template <>
struct type_caster<planeval::value> {
  PYBIND11_TYPE_CASTER(planeval::value, const_name("float | bool | list[float] | None"));

  bool load(handle src, bool /*convert*/) {
    if (!src) return false;
    if (src.is_none()) {
      value = planeval::missing;
      return true;
    }
    if (is_boolean(src)) {
      const int truth = PyObject_IsTrue(src.ptr());
      if (truth < 0) throw error_already_set();
      value = truth != 0;
      return true;
    }
    if (auto x = number(src)) {
      value = *x;
      return true;
    }
    if (PySequence_Check(src.ptr()) && !PyUnicode_Check(src.ptr()) && !PyBytes_Check(src.ptr()) &&
        !PyByteArray_Check(src.ptr())) {
      std::vector<double> xs;
      for (handle item : reinterpret_borrow<sequence>(src)) {
        if (is_boolean(item)) return false; // [True, False] is not a share vector
        auto x = number(item);
        if (!x) return false;
        xs.push_back(*x);
      }
      value = std::move(xs);
      return true;
    }
    return false;
  }

  static handle cast(const planeval::value& v, return_value_policy, handle) {
    if (v.is_missing()) return none().release();
    if (v.is_boolean()) return bool_(v.boolean()).release();
    if (v.is_number()) return float_(v.number()).release();
    list out(v.vector().size());
    for (std::size_t i = 0; i < v.vector().size(); ++i) out[i] = float_(v.vector()[i]);
    return out.release();
  }

private:
  /// bool, and numpy.bool_ (not an int subclass, but it must not become 1.0 either).
  static bool is_boolean(handle h) {
    if (PyBool_Check(h.ptr())) return true;
    const char* name = Py_TYPE(h.ptr())->tp_name;
    return std::strcmp(name, "numpy.bool_") == 0 || std::strcmp(name, "numpy.bool") == 0;
  }
  /// float, int and anything else with __float__ or __index__ (numpy scalars, Fraction...).
  static std::optional<double> number(handle h) {
    if (PyFloat_Check(h.ptr())) return PyFloat_AS_DOUBLE(h.ptr());
    const auto* nb = Py_TYPE(h.ptr())->tp_as_number;
    if (!PyLong_Check(h.ptr()) && !PyIndex_Check(h.ptr()) && !(nb && nb->nb_float)) return std::nullopt;
    const double x = PyLong_Check(h.ptr()) ? PyLong_AsDouble(h.ptr()) : PyFloat_AsDouble(h.ptr());
    if (x == -1.0 && PyErr_Occurred()) {
      PyErr_Clear(); // an int too large for a double: not a plan value
      return std::nullopt;
    }
    return x;
  }
};

} // namespace pybind11::detail

namespace planeval::python {

namespace py = pybind11;

void register_errors(py::module_& m);
void register_calendar(py::module_& m);
void register_model(py::module_& m);
void register_plan(py::module_& m);
void register_observations(py::module_& m);
void register_rollup(py::module_& m);
void register_rules(py::module_& m);
void register_standard(py::module_& m);
void register_assess(py::module_& m);
void register_evaluate(py::module_& m);
void register_expression(py::module_& m);
void register_composite(py::module_& m);
void register_uncertainty(py::module_& m);

// --- messages ----------------------------------------------------------------------------------

/// A message for Python: bytes of bad input quoted in it that are not UTF-8 become \xNN, so that
/// raising it never turns into a UnicodeDecodeError that loses the place.
/// NUL bytes become \x00 too (a C string would end there), and a message longer than 2,000
/// bytes is cut (it quotes some huge input), saying how much was left out.
inline std::string py_text(std::string_view s) {
  std::string out = detail::escape_invalid_utf8(s);
  for (std::size_t i = out.find('\0'); i != std::string::npos; i = out.find('\0', i + 4)) out.replace(i, 1, "\\x00");
  constexpr std::size_t limit = 1950; // with the note on what was cut: at most 2,000
  if (out.size() > limit) {
    std::size_t cut = limit;
    while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) --cut;
    const std::size_t left = out.size() - cut;
    out.resize(cut);
    out += "… (" + std::to_string(left) + " more bytes)";
  }
  return out;
}

/// The UTF-8 text of a str argument. A str that cannot be UTF-8 (a lone surrogate such as "\ud800",
/// from a bad decode) raises planeval.Error naming the argument and the character's position,
/// where pybind11's own conversion would raise a TypeError quoting the whole (maybe huge) input.
/// For a str that is not valid Unicode: the 1-based position of its first lone surrogate and a
/// description ("a lone surrogate U+D800"); {0, ""} for valid text.
inline std::pair<std::size_t, std::string> lone_surrogate(py::handle h) {
  const Py_ssize_t n = PyUnicode_GetLength(h.ptr());
  for (Py_ssize_t at = 0; at < n; ++at) {
    const Py_UCS4 ch = PyUnicode_ReadChar(h.ptr(), at);
    if (ch >= 0xD800 && ch <= 0xDFFF) {
      char code[16];
      std::snprintf(code, sizeof code, "U+%04X", static_cast<unsigned>(ch));
      return {static_cast<std::size_t>(at) + 1, std::string("a lone surrogate ") + code};
    }
  }
  return {0, ""};
}

inline std::string utf8_arg(py::handle h, const char* name) {
  if (!PyUnicode_Check(h.ptr()))
    throw arg_type_error(std::string(name) + ": expected str, got " + std::string(py::str(py::type::of(h).attr("__name__"))));
  Py_ssize_t size = 0;
  const char* data = PyUnicode_AsUTF8AndSize(h.ptr(), &size);
  if (data) return std::string(data, static_cast<std::size_t>(size));
  PyErr_Clear();
  const auto [at, what] = lone_surrogate(h);
  throw error(std::string(name) + ": not valid Unicode: " + what + " at character " + std::to_string(at) +
              " (text decoded with errors='surrogateescape'? decode it as what it is)");
}

/// Diagnostics with py_text paths and messages.
inline std::vector<diagnostic> py_diagnostics(std::vector<diagnostic> ds) {
  for (auto& d : ds) {
    d.path = py_text(d.path);
    d.message = py_text(d.message);
  }
  return ds;
}

// --- the argument conventions (README "API conventions") ------------------------------------------

/// The class name of a Python object ("datetime", "str", "Timestamp").
inline std::string py_type_name(py::handle h) { return py::str(py::type::handle_of(h).attr("__name__")); }

namespace args_detail {
inline bool import_datetime() {
  if (!PyDateTimeAPI) {
    PyDateTime_IMPORT;
  }
  return PyDateTimeAPI != nullptr;
}
inline std::string module_of(py::handle h) {
  const py::object m = py::getattr(py::type::handle_of(h), "__module__", py::none());
  return m.is_none() ? std::string() : std::string(py::str(m));
}
inline bool is_datetime64(py::handle h) {
  return py_type_name(h) == "datetime64" && module_of(h) == "numpy";
}
inline bool is_bool(py::handle h) {
  if (PyBool_Check(h.ptr())) return true;
  const char* name = Py_TYPE(h.ptr())->tp_name;
  return std::strcmp(name, "numpy.bool_") == 0 || std::strcmp(name, "numpy.bool") == 0;
}
/// An int (Python or numpy integer, not bool) as a year, or nullopt for other types; planeval::error
/// naming `where` for a year out of range.
inline std::optional<int> year_of_int(py::handle h, const std::string& where) {
  if (is_bool(h) || PyFloat_Check(h.ptr()) || !PyIndex_Check(h.ptr())) return std::nullopt;
  const py::object index = py::reinterpret_steal<py::object>(PyNumber_Index(h.ptr()));
  if (!index) throw py::error_already_set();
  int overflow = 0;
  const long long y = PyLong_AsLongLongAndOverflow(index.ptr(), &overflow);
  if (y == -1 && PyErr_Occurred()) throw py::error_already_set();
  if (overflow != 0 || y < min_year || y > max_year)
    throw error(where + ": a year must be from " + std::to_string(min_year) + " to " + std::to_string(max_year) +
                ", got " + std::string(py::str(h)));
  return static_cast<int>(y);
}
inline date checked_ymd(long long y, unsigned m, unsigned d, const std::string& where) {
  if (y < min_year || y > max_year)
    throw error(where + ": expected a date from " + std::to_string(min_year) + "-01-01 to " +
                std::to_string(max_year) + "-12-31, got year " + std::to_string(y));
  return date(static_cast<unsigned short>(y), static_cast<unsigned short>(m), static_cast<unsigned short>(d));
}
/// A numpy.datetime64 at midnight as a date; TypeError for one with a time of day, Error for NaT.
inline date date_of_datetime64(py::handle h, const std::string& where) {
  const py::module_ np = py::module_::import("numpy");
  if (np.attr("isnat")(h).cast<bool>()) throw error(where + ": expected a date, got NaT (a missing date)");
  const py::object day = h.attr("astype")("datetime64[D]");
  if (!py::bool_(day.attr("__eq__")(h)).cast<bool>())
    throw arg_type_error(where + ": expected a date, got a numpy.datetime64 with a time of day (" +
                         std::string(py::str(h)) + "); pass one at midnight or its .astype('datetime64[D]')");
  const long long days = day.attr("astype")("int64").cast<long long>();
  const date epoch(1970, 1, 1);
  if (days < (date(static_cast<unsigned short>(min_year), 1, 1) - epoch).days() ||
      days > (date(static_cast<unsigned short>(max_year), 12, 31) - epoch).days())
    throw error(where + ": expected a date from " + std::to_string(min_year) + "-01-01 to " +
                std::to_string(max_year) + "-12-31, got " + std::string(py::str(h)));
  const date d = epoch + boost::gregorian::days(days);
  return checked_ymd(d.year(), d.month(), d.day(), where);
}
} // namespace args_detail

/// A date argument (`as_of`, `start`, `deadline`...): a datetime.date; a numpy.datetime64 or a
/// pandas.Timestamp at midnight; an ISO string "YYYY-MM-DD" ("YYYY-MM" and "YYYY" are the last day
/// they cover); an int year meaning 31 December of that year. A datetime.datetime (a date subclass
/// carrying a time of day) raises TypeError asking for .date(); any other type TypeError; a string
/// that is not a date, a NaT or a year outside 1400..9999 planeval::error. `where` names the
/// argument ("evaluate: as_of").
inline date date_arg(py::handle h, std::string_view where) {
  const std::string w(where);
  const std::string expected =
      "expected a date (datetime.date, numpy.datetime64, pandas.Timestamp at midnight, an ISO string "
      "\"YYYY-MM-DD\" or an int year meaning 31 December)";
  if (!h || h.is_none()) throw arg_type_error(w + ": " + expected + ", got None");
  if (!args_detail::import_datetime()) throw py::error_already_set();
  const std::string name = py_type_name(h);
  if (name == "NaTType") throw error(w + ": expected a date, got NaT (a missing date)");
  if (PyDateTime_Check(h.ptr())) {
    // pandas.Timestamp (a datetime subclass) at midnight and without a time zone is a calendar day
    const bool timestamp = name == "Timestamp" && args_detail::module_of(h).rfind("pandas", 0) == 0;
    if (timestamp && PyDateTime_DATE_GET_HOUR(h.ptr()) == 0 && PyDateTime_DATE_GET_MINUTE(h.ptr()) == 0 &&
        PyDateTime_DATE_GET_SECOND(h.ptr()) == 0 && PyDateTime_DATE_GET_MICROSECOND(h.ptr()) == 0 &&
        h.attr("nanosecond").cast<long>() == 0 && h.attr("tzinfo").is_none())
      return args_detail::checked_ymd(PyDateTime_GET_YEAR(h.ptr()), static_cast<unsigned>(PyDateTime_GET_MONTH(h.ptr())),
                                      static_cast<unsigned>(PyDateTime_GET_DAY(h.ptr())), w);
    const std::string module = args_detail::module_of(h);
    throw arg_type_error(w + ": expected a datetime.date, got " + (timestamp ? "pandas.Timestamp" : module.empty() ? name : module + "." + name) +
                         (timestamp ? " with a time of day or a time zone" : " (a date with a time of day)") +
                         "; pass a date (for example dt.date())");
  }
  if (PyDate_Check(h.ptr()))
    return args_detail::checked_ymd(PyDateTime_GET_YEAR(h.ptr()), static_cast<unsigned>(PyDateTime_GET_MONTH(h.ptr())),
                                    static_cast<unsigned>(PyDateTime_GET_DAY(h.ptr())), w);
  if (args_detail::is_datetime64(h)) return args_detail::date_of_datetime64(h, w);
  if (const auto y = args_detail::year_of_int(h, w)) return date(static_cast<unsigned short>(*y), 12, 31);
  if (PyUnicode_Check(h.ptr())) {
    Py_ssize_t size = 0;
    const char* data = PyUnicode_AsUTF8AndSize(h.ptr(), &size);
    if (!data) {
      PyErr_Clear();
      throw error(w + ": expected an ISO date \"YYYY-MM-DD\", got text that is not valid Unicode");
    }
    std::string_view s(data, static_cast<std::size_t>(size));
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    if (auto d = parse_date(s, date_role::end)) return *d;
    throw error(w + ": expected an ISO date \"YYYY-MM-DD\" (or a year \"YYYY\": its 31 December), got \"" +
                py_text(std::string(data, static_cast<std::size_t>(size)).substr(0, 100)) + "\"");
  }
  throw arg_type_error(w + ": " + expected + ", got " + name);
}

/// As date_arg; None gives nullopt.
inline std::optional<date> optional_date_arg(py::handle h, std::string_view where) {
  if (!h || h.is_none()) return std::nullopt;
  return date_arg(h, where);
}

/// A period argument (`period=`): a planeval.Period as is; an int year or "2023" as the calendar
/// year; "2023-2024", "2023/2024" or "2023/24" as the school year 1 Sep 2023 – 31 Aug 2024; a date
/// (anything date_arg takes except a string or an int) as the calendar year containing it. TypeError
/// for other types (a bool, a float, None); planeval::error for a string that is no period or a year
/// outside 1400..9999.
inline period period_arg(py::handle h, std::string_view where) {
  const std::string w(where);
  const auto bad_type = [&] {
    return arg_type_error(w + " must be a datetime.date (its calendar year), a year (int or \"2023\"), a school year "
                              "(\"2023-2024\", \"2023/24\") or a Period (planeval.Period.calendar_year(2023), "
                              "Period.school_year(2022)...), got " +
                          (h ? py_type_name(h) : std::string("nothing")));
  };
  if (h && py::isinstance<period>(h)) return h.cast<period>();
  if (!h || h.is_none() || args_detail::is_bool(h) || PyFloat_Check(h.ptr())) throw bad_type();
  if (const auto y = args_detail::year_of_int(h, w)) return period::calendar_year(*y);
  if (PyUnicode_Check(h.ptr())) {
    Py_ssize_t size = 0;
    const char* data = PyUnicode_AsUTF8AndSize(h.ptr(), &size);
    if (!data) {
      PyErr_Clear();
      throw error(w + ": expected a period, got text that is not valid Unicode");
    }
    const std::string given(data, static_cast<std::size_t>(size));
    std::string s = given;
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.erase(0, 1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.pop_back();
    if (s.size() == 9 && s[4] == '-') s[4] = '/';
    const auto digits = [](std::string_view t) {
      return !t.empty() && std::all_of(t.begin(), t.end(), [](char c) { return c >= '0' && c <= '9'; });
    };
    if (s.size() == 7 && s[4] == '/' && digits(s.substr(0, 4)) && digits(s.substr(5, 2))) {
      // "2023/24": the second year's last two digits
      const int y = std::stoi(s.substr(0, 4));
      if ((y + 1) % 100 == std::stoi(s.substr(5, 2))) s = s.substr(0, 5) + std::to_string(y + 1);
    }
    if (auto p = parse_period(s)) return *p;
    throw error(w + ": expected a period: a year \"2023\" or a school year \"2023-2024\", \"2023/2024\" or " +
                "\"2023/24\", got \"" + py_text(given.substr(0, 100)) + "\"");
  }
  if (!args_detail::import_datetime()) throw py::error_already_set();
  if (PyDate_Check(h.ptr()) || args_detail::is_datetime64(h)) return calendar_year_of(date_arg(h, where));
  throw bad_type();
}

/// The largest `threads=` accepted.
inline constexpr long long max_threads = 1024;

/// The worker threads for `threads=`: 0 means every core (std::thread::hardware_concurrency(), at
/// least 1, at most max_threads); n from 1 to 1024 at most n; anything else planeval::error naming
/// `where`. Results never depend on it.
inline unsigned threads_arg(long long threads, std::string_view where) {
  if (threads < 0 || threads > max_threads)
    throw error(std::string(where) + ": threads must be 0 (all cores) or 1 to " + std::to_string(max_threads) +
                ", got " + std::to_string(threads));
  if (threads == 0)
    return static_cast<unsigned>(
        std::clamp<long long>(static_cast<long long>(std::thread::hardware_concurrency()), 1, max_threads));
  return static_cast<unsigned>(threads);
}

/// `lang=`: "zh" or "en"; planeval::error naming `where` and listing both otherwise.
inline std::string_view lang_arg(std::string_view lang, std::string_view where) {
  if (lang != "zh" && lang != "en")
    throw error(std::string(where) + ": expected lang 'zh' or 'en', got '" + py_text(std::string(lang)) + "'");
  return lang;
}

/// A number in numeric input: NaN is missing and passes; ±inf raises planeval::data_error
/// "values[3]: expected a finite number or NaN (missing), got inf".
inline double finite_or_missing(double x, std::string_view argument, std::size_t i) {
  if (std::isinf(x))
    throw data_error(std::string(argument) + "[" + std::to_string(i) +
                     "]: expected a finite number or NaN (missing), got " + (x > 0 ? "inf" : "-inf"));
  return x;
}

/// Numeric input (`values`, `weights`, a composite's columns): a 1-D array-like or a scalar (a
/// one-element array) of numbers as float64. None in a list or an object array is NaN (missing);
/// ±inf raises planeval::data_error naming the position; a str (the argument itself or an element)
/// raises TypeError naming the argument and the position: parsing text is the readers' job.
inline py::array_t<double> values_arg(py::handle h, std::string_view argument) {
  const std::string a(argument);
  if (!h || h.is_none()) throw arg_type_error(a + ": expected numbers (an array or a number), got None");
  if (PyUnicode_Check(h.ptr()) || PyBytes_Check(h.ptr()))
    throw arg_type_error(a + ": expected numbers (an array or a number), got " + py_type_name(h) +
                         "; text is parsed by the readers (read_csv, read_excel, observations_from_frame)");
  const py::module_ np = py::module_::import("numpy");
  py::array raw = np.attr("asarray")(h);
  if (raw.ndim() > 1) throw error(a + ": expected a 1-D array, got " + std::to_string(raw.ndim()) + " dimensions");
  if (raw.ndim() == 0) raw = np.attr("reshape")(raw, 1);
  const char kind = raw.dtype().kind();
  if (kind == 'U' || kind == 'S' || kind == 'O') {
    py::list items = raw.attr("tolist")();
    std::vector<double> xs(items.size());
    for (std::size_t i = 0; i < xs.size(); ++i) {
      py::handle item = items[i];
      if (item.is_none()) {
        xs[i] = std::nan("");
        continue;
      }
      if (PyUnicode_Check(item.ptr()) || PyBytes_Check(item.ptr()) || args_detail::is_bool(item) ||
          !(PyFloat_Check(item.ptr()) || PyIndex_Check(item.ptr()) || PyNumber_Check(item.ptr())))
        throw arg_type_error(a + "[" + std::to_string(i) + "]: expected a number or NaN/None (missing), got " +
                             py_type_name(item) +
                             (PyUnicode_Check(item.ptr()) ? " (text is parsed by the readers: read_csv, read_excel)" : ""));
      const double x = PyFloat_AsDouble(item.ptr());
      if (x == -1.0 && PyErr_Occurred()) throw py::error_already_set();
      xs[i] = finite_or_missing(x, a, i);
    }
    py::array_t<double> out(static_cast<py::ssize_t>(xs.size()));
    std::copy(xs.begin(), xs.end(), out.mutable_data());
    return out;
  }
  if (kind != 'f' && kind != 'i' && kind != 'u')
    throw arg_type_error(a + ": expected numbers, got an array of dtype " + std::string(py::str(raw.dtype())));
  py::array_t<double> out = np.attr("ascontiguousarray")(raw, py::arg("dtype") = "float64");
  const double* p = out.data();
  for (py::ssize_t i = 0; i < out.size(); ++i) finite_or_missing(p[i], a, static_cast<std::size_t>(i));
  return out;
}

// --- plans read without the GIL ----------------------------------------------------------------

/// Plans that C++ code is reading with the GIL released (evaluate, rollup, derive, standards), with
/// the operations reading each.
/// Code that changes a plan (adds entities) calls require_plan_not_read first, so a change from
/// another Python thread raises instead of reallocating what the roll-up is reading. The
/// registry has its own mutex; readers register before releasing the GIL and unregister after
/// taking it back, and writers check while holding the GIL, so a check cannot miss a reader.
class plan_readers {
public:
  static void add(const void* p, const char* what) {
    std::lock_guard<std::mutex> lock(mutex());
    counts()[p].push_back(what);
  }
  static void remove(const void* p, const char* what) {
    std::lock_guard<std::mutex> lock(mutex());
    auto it = counts().find(p);
    if (it == counts().end()) return;
    auto& ops = it->second;
    if (auto op = std::find(ops.begin(), ops.end(), what); op != ops.end()) ops.erase(op);
    if (ops.empty()) counts().erase(it);
  }
  /// The operation reading `p` (the first registered), or nullptr.
  static const char* reading(const void* p) {
    std::lock_guard<std::mutex> lock(mutex());
    auto it = counts().find(p);
    return it == counts().end() || it->second.empty() ? nullptr : it->second.front();
  }

private:
  static std::mutex& mutex() {
    static std::mutex m;
    return m;
  }
  static std::unordered_map<const void*, std::vector<const char*>>& counts() {
    static std::unordered_map<const void*, std::vector<const char*>> c;
    return c;
  }
};

/// Registers `p` as read without the GIL for the lifetime of the guard (construct and destroy it
/// while holding the GIL, around the py::gil_scoped_release).
class plan_read_guard {
public:
  /// `what` names the operation (a string literal) in the message a writer gets meanwhile.
  plan_read_guard(const void* p, const char* what) : p_(p), what_(what) { plan_readers::add(p_, what_); }
  ~plan_read_guard() { plan_readers::remove(p_, what_); }
  plan_read_guard(const plan_read_guard&) = delete;
  plan_read_guard& operator=(const plan_read_guard&) = delete;

private:
  const void* p_;
  const char* what_;
};

/// Throws planeval::error if another thread is reading `p` without the GIL (call before changing
/// a plan; `what` names the change in the message).
inline void require_plan_not_read(const void* p, const char* what) {
  if (const char* op = plan_readers::reading(p))
    throw error(std::string(what) + ": the plan is being read by " + op +
                " in another thread; change it only when no call reading it is running");
}

// --- enums as strings ------------------------------------------------------------------------

/// The enum named `s` in `table`; plan_error at `field` listing the allowed names otherwise.
template <class Enum, std::size_t N>
Enum parse_enum(const detail::name_table<Enum, N>& table, std::string_view s, const char* field) {
  if (auto e = detail::parse_name(table, s)) return *e;
  throw plan_error(field, "expected one of " + detail::alternatives(table) + ", got \"" + std::string(s) + "\"");
}

/// As parse_enum; None gives `fallback` (the "unspecified" member of enums that have one).
template <class Enum, std::size_t N>
Enum parse_enum_or(const detail::name_table<Enum, N>& table, const std::optional<std::string>& s, const char* field,
                   Enum fallback) {
  return s ? parse_enum(table, *s, field) : fallback;
}

/// As parse_enum for an optional field; None stays empty.
template <class Enum, std::size_t N>
std::optional<Enum> parse_optional_enum(const detail::name_table<Enum, N>& table, const std::optional<std::string>& s,
                                        const char* field) {
  if (!s) return std::nullopt;
  return parse_enum(table, *s, field);
}

template <class Enum, std::size_t N>
std::string enum_name(const detail::name_table<Enum, N>& table, Enum e) {
  return std::string(detail::name_of(table, e));
}

template <class Enum, std::size_t N>
std::optional<std::string> optional_enum_name(const detail::name_table<Enum, N>& table, const std::optional<Enum>& e) {
  if (!e) return std::nullopt;
  return enum_name(table, *e);
}

/// Read/write str property for an enum member.
template <class T, class Enum, std::size_t N>
void def_enum(py::class_<T>& cls, const char* name, Enum T::*member, const detail::name_table<Enum, N>& table,
              const char* doc) {
  cls.def_property(
      name, [member, &table](const T& self) { return enum_name(table, self.*member); },
      [member, &table, name](T& self, std::string_view s) { self.*member = parse_enum(table, s, name); }, doc);
}

/// Read/write `str | None` property for an optional enum member.
template <class T, class Enum, std::size_t N>
void def_enum(py::class_<T>& cls, const char* name, std::optional<Enum> T::*member,
              const detail::name_table<Enum, N>& table, const char* doc) {
  cls.def_property(
      name, [member, &table](const T& self) { return optional_enum_name(table, self.*member); },
      [member, &table, name](T& self, const std::optional<std::string>& s) {
        self.*member = parse_optional_enum(table, s, name);
      },
      doc);
}

/// Read/write `str | None` property for an enum member whose `unspecified` value reads as None.
template <class T, class Enum, std::size_t N>
void def_enum_or_none(py::class_<T>& cls, const char* name, Enum T::*member, const detail::name_table<Enum, N>& table,
                      Enum unspecified, const char* doc) {
  cls.def_property(
      name,
      [member, &table, unspecified](const T& self) -> std::optional<std::string> {
        if (self.*member == unspecified) return std::nullopt;
        return enum_name(table, self.*member);
      },
      [member, &table, name, unspecified](T& self, const std::optional<std::string>& s) {
        self.*member = parse_enum_or(table, s, name, unspecified);
      },
      doc);
}

/// A Text member `prefix` plus the shortcuts `prefix_zh` and `prefix_en`.
template <class T>
void def_text(py::class_<T>& cls, const std::string& prefix, text T::*member, const char* doc) {
  cls.def_readwrite(prefix.c_str(), member, doc);
  cls.def_property((prefix + "_zh").c_str(), [member](const T& self) { return (self.*member).zh; },
                   [member](T& self, std::string s) { (self.*member).zh = std::move(s); }, "Chinese text (shortcut)");
  cls.def_property((prefix + "_en").c_str(), [member](const T& self) { return (self.*member).en; },
                   [member](T& self, std::string s) { (self.*member).en = std::move(s); }, "English text (shortcut)");
}

// --- the generic value-type registrar --------------------------------------------------------

/// "TypeName(a=..., b=...)" from the object's own properties: `shown` always, `optional` only
/// when not None, not False and not empty, so defaults do not clutter the repr.
inline std::string repr_fields(py::handle self, const std::vector<const char*>& shown,
                               const std::vector<const char*>& optional = {}) {
  std::string s = py::str(py::type::handle_of(self).attr("__name__"));
  s += '(';
  bool first = true;
  auto add = [&](const char* field, bool skip_empty) {
    const py::object v = self.attr(field);
    if (skip_empty && (v.is_none() || (py::isinstance<py::bool_>(v) && !v.cast<bool>()) ||
                       ((py::isinstance<py::str>(v) || py::isinstance<py::list>(v)) && py::len(v) == 0)))
      return;
    if (!first) s += ", ";
    first = false;
    s += field;
    s += '=';
    s += py::repr(v).cast<std::string>();
  };
  for (const char* f : shown) add(f, false);
  for (const char* f : optional) add(f, true);
  return s + ')';
}

/// A value type: py::class_ with __eq__ (the C++ operator==), __copy__, __deepcopy__, a safe
/// __reduce_ex__ and, unless `shown` is empty, a __repr__ listing the given properties.
/// Defining __eq__ makes pybind11 set __hash__ to None: these are mutable values.
template <class T>
class value_class : public py::class_<T> {
public:
  value_class(py::handle scope, const char* name, const char* doc, std::vector<const char*> shown,
              std::vector<const char*> optional = {})
      : py::class_<T>(scope, name, doc) {
    this->def(
        "__eq__", [](const T& a, const T& b) { return a == b; }, py::is_operator());
    this->def("__copy__", [](const T& self) { return T(self); });
    this->def(
        "__deepcopy__", [](const T& self, const py::object&) { return T(self); }, py::arg("memo"));
    // pybind11 objects cannot go through copyreg's protocol 0/1 path (it calls the base type
    // pybind11_object(obj), which aborts the interpreter), so every protocol is routed here:
    // types with __getstate__/__setstate__ (py::pickle) are rebuilt the protocol-2 way, the
    // others raise the usual TypeError.
    this->def(
        "__reduce_ex__",
        [](py::handle self, int /*protocol*/) -> py::object {
          const py::handle cls = py::type::handle_of(self);
          if (!py::hasattr(cls, "__setstate__"))
            throw arg_type_error("cannot pickle '" + py::str(cls.attr("__name__")).cast<std::string>() + "' object");
          return py::make_tuple(py::module_::import("copyreg").attr("__newobj__"), py::make_tuple(cls),
                                self.attr("__getstate__")());
        },
        py::arg("protocol"));
    if (!shown.empty()) // else the caller defines its own __repr__
      this->def("__repr__",
                [s = std::move(shown), o = std::move(optional)](py::handle self) { return repr_fields(self, s, o); });
  }
};

/// Pickling of a value type through its read/write properties: the state is (version, {name:
/// value}) with version 1, the values being Python objects (nested value types pickle the same
/// way). Unpickling starts from the C++ default of T and sets every property that is not None,
/// through the setters, so a pickled value passes the same checks as one built in Python. The
/// `_zh`/`_en` shortcuts of a Text property are left out (the Text itself is kept). An unknown
/// version or a state of another shape raises planeval.Error.
/// `save_extra` / `load_extra` keep C++ fields that Python reads only (a target's resolved plan
/// indices) under their own keys.
template <class T>
void def_property_pickle(py::class_<T>& cls, std::type_identity_t<void (*)(const T&, py::dict&)> save_extra = nullptr,
                         std::type_identity_t<void (*)(T&, const py::dict&)> load_extra = nullptr) {
  static constexpr int version = 1;
  const auto fields = [](py::handle type) {
    std::vector<std::string> out;
    const py::object builtins_property = py::module_::import("builtins").attr("property");
    for (py::handle name : py::module_::import("builtins").attr("dir")(type)) {
      const std::string n = py::str(name);
      if (n.empty() || n[0] == '_') continue;
      const py::object attr = py::getattr(type, name, py::none());
      if (!py::isinstance(attr, builtins_property) || attr.attr("fset").is_none()) continue;
      if (n.size() > 3 && (n.ends_with("_zh") || n.ends_with("_en")) &&
          py::hasattr(type, py::str(n.substr(0, n.size() - 3))))
        continue;
      out.push_back(n);
    }
    return out;
  };
  cls.def(py::pickle(
      [fields, save_extra](py::handle self) {
        py::dict state;
        for (const auto& n : fields(py::type::handle_of(self))) state[py::str(n)] = self.attr(n.c_str());
        if (save_extra) save_extra(self.cast<const T&>(), state);
        return py::make_tuple(version, state);
      },
      [load_extra](const py::tuple& state) {
        const std::string name = py::str(py::type::of<T>().attr("__name__"));
        if (state.size() != 2 || !PyLong_Check(state[0].ptr()) || !py::isinstance<py::dict>(state[1]))
          throw error("invalid " + name + " pickle state: expected a tuple (version, dict of fields)");
        const long long v = state[0].cast<long long>();
        if (v != version)
          throw error("unsupported " + name + " pickle format version " + std::to_string(v) +
                      "; this planeval reads version " + std::to_string(version));
        py::object obj = py::cast(T{});
        const py::dict saved = state[1].cast<py::dict>();
        for (const auto& [k, value] : saved)
          if (!value.is_none() && !py::str(k).cast<std::string>().starts_with("_")) py::setattr(obj, k, value);
        T out = obj.cast<T>();
        if (load_extra) load_extra(out, saved);
        return out;
      }));
}

/// The protocol every partial of a computation in parts shares (RollupPartial, KOfNPartial,
/// StandardPartial, EvaluationPartial; C++ types with a default constructor as the empty partial,
/// +=, to_bytes, from_bytes(bytes), from_bytes(plan, bytes) and empty()): the empty partial,
/// += and + (without the GIL), to_bytes, the static from_bytes(plan or None, data) (None: read
/// without the plan, to merge on a worker; finalise checks it), the `empty` property, and pickling
/// as (version 1, bytes), read back without the plan. `name` is the Python class name (in
/// messages); `bytes_doc` documents to_bytes.
template <class T>
void def_partial_protocol(py::class_<T>& cls, const std::string& name, const char* bytes_doc) {
  cls.def(py::init<>(), "The empty partial (the identity of +=).")
      .def(
          "__iadd__",
          [](py::object self, const T& o) {
            auto& a = self.cast<T&>();
            const py::gil_scoped_release release;
            a += o;
            return self;
          },
          py::arg("other"))
      .def(
          "__add__",
          [](const T& a, const T& o) {
            const py::gil_scoped_release release;
            T r = a;
            r += o;
            return r;
          },
          py::arg("other"))
      .def(
          "to_bytes",
          [](const T& a) {
            std::string b;
            {
              const py::gil_scoped_release release;
              b = a.to_bytes();
            }
            return py::bytes(b);
          },
          bytes_doc)
      .def_static(
          "from_bytes",
          [what = name + ".from_bytes"](const plan* p, const py::bytes& b) { // None: without the plan
            const std::string bytes = b;
            if (!p) {
              const py::gil_scoped_release release;
              return T::from_bytes(bytes);
            }
            const plan_read_guard reading(p, what.c_str());
            const py::gil_scoped_release release;
            return T::from_bytes(*p, bytes);
          },
          py::arg("plan"), py::arg("data"),
          "Read a partial written by to_bytes; planeval.Error if the bytes are corrupt or of another plan.\n"
          "plan=None reads it without its plan (to merge on a worker): finalise checks the plan.")
      .def_property_readonly("empty", &T::empty, "True for the empty partial (nothing merged in).")
      .def(py::pickle([](const T& a) { return py::make_tuple(1, py::bytes(a.to_bytes())); },
                      [name](const py::tuple& t) {
                        if (t.size() != 2 || !py::isinstance<py::int_>(t[0]))
                          throw error(name + ": expected a pickled state (version, bytes)");
                        const int version = t[0].cast<int>();
                        if (version != 1)
                          throw error(name + ": pickle version " + std::to_string(version) +
                                      "; this planeval reads version 1");
                        return T::from_bytes(t[1].cast<std::string>()); // the plan is checked by finalise
                      }));
}

} // namespace planeval::python
