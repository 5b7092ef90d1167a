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

#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cstring>
#include <datetime.h>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace pybind11::detail {

/// boost::gregorian::date <-> datetime.date. A special date (not_a_date_time) becomes None.
template <>
struct type_caster<boost::gregorian::date> {
  PYBIND11_TYPE_CASTER(boost::gregorian::date, const_name("datetime.date"));

  bool load(handle src, bool /*convert*/) {
    if (!src || !import_datetime()) return false;
    if (PyDateTime_Check(src.ptr()))
      throw type_error("expected a datetime.date, got a datetime.datetime; pass a date (for example dt.date())");
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
    throw py::type_error(std::string(name) + ": expected str, got " + std::string(py::str(py::type::of(h).attr("__name__"))));
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
            throw py::type_error("cannot pickle '" + py::str(cls.attr("__name__")).cast<std::string>() + "' object");
          return py::make_tuple(py::module_::import("copyreg").attr("__newobj__"), py::make_tuple(cls),
                                self.attr("__getstate__")());
        },
        py::arg("protocol"));
    if (!shown.empty()) // else the caller defines its own __repr__
      this->def("__repr__",
                [s = std::move(shown), o = std::move(optional)](py::handle self) { return repr_fields(self, s, o); });
  }
};

} // namespace planeval::python
