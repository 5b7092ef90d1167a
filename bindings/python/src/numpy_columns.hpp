// Copyright (c) 2026 planeval developers. Distributed under the MIT License.
#pragma once
/// \file numpy_columns.hpp
/// numpy arrays as C++ columns, and the Observations holder. Shared by register_observations.cpp,
/// register_rollup.cpp and register_rules.cpp.
///
/// Design notes:
/// - A column is a 1-D, C-contiguous, read-only numpy array of exactly the C++ type, held as a
///   py::object reference, so the memory lives as long as the column. An input array of that dtype
///   (native byte order, contiguous) is used in place: the column holds a read-only view of it, no
///   copy. Anything else is converted once into a std::vector owned by a capsule that is the base of
///   the column's array; integer narrowing is range-checked (DataError naming the column and the
///   first offending row) and nothing is cast silently (floats are not codes, bools are not flags).
/// - `borrowed` says that a column reads memory Python code elsewhere can still write: the caller's
///   writable array. numpy lets anyone holding an array that owns its data, or a writable array
///   in a view's base chain, make it writable again, so only memory whose base chain ends in a
///   non-writable non-array object (a capsule, bytes) counts as not borrowed. Long C++ loops release
///   the GIL only when no input column is borrowed; see Plan.rollup.
/// - Only views of a column's array are handed out. Their base is the column's read-only array
///   whose base is a capsule (or the caller's own memory), so Python code cannot make them writable
///   and change an Observations' own data behind its back.

#include <planeval/observations.hpp>

#include <pybind11/numpy.h>

#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "pybind_common.hpp"

namespace planeval::python {

/// numpy's name of T, for messages.
template <class T>
constexpr const char* numpy_name() noexcept {
  if constexpr (std::is_same_v<T, std::uint8_t>)
    return "uint8";
  else if constexpr (std::is_same_v<T, std::uint32_t>)
    return "uint32";
  else if constexpr (std::is_same_v<T, std::int32_t>)
    return "int32";
  else if constexpr (std::is_same_v<T, std::int64_t>)
    return "int64";
  else
    return "float64";
}

/// Marks `a` read-only.
inline void set_readonly(const py::array& a) { a.attr("setflags")(py::arg("write") = false); }

/// True if no Python code can write to the memory of `a` (see the file notes): every array in its
/// base chain is read-only and does not own its data, and the chain ends in an object without a
/// writable buffer.
inline bool frozen(const py::array& a) {
  py::object h = a;
  while (py::isinstance<py::array>(h)) {
    const auto arr = py::reinterpret_borrow<py::array>(h);
    if (arr.writeable() || arr.owndata()) return false;
    h = arr.base();
    if (!h) return false; // wraps memory of unknown origin
  }
  Py_buffer view;
  if (PyObject_GetBuffer(h.ptr(), &view, PyBUF_WRITABLE | PyBUF_SIMPLE) == 0) {
    PyBuffer_Release(&view);
    return false;
  }
  PyErr_Clear();
  return true;
}

/// A 1-D read-only numpy array over `v`, which a capsule (the array's base) now owns: no copy.
template <class T>
py::array_t<T> owned_array(std::vector<T>&& v) {
  auto heap = std::make_unique<std::vector<T>>(std::move(v));
  const auto n = static_cast<py::ssize_t>(heap->size());
  const T* data = heap->data();
  py::capsule owner(
      heap.get(), +[](void* p) { delete static_cast<std::vector<T>*>(p); });
  heap.release(); // the capsule deletes it
  py::array_t<T> a(n, data, owner);
  set_readonly(a);
  return a;
}

/// A column: see the file notes.
template <class T>
struct column {
  py::array_t<T> array;  ///< 1-D, C-contiguous, read-only; only views of it are handed out
  bool borrowed = false; ///< reads the caller's memory, which Python code may still write

  std::size_t size() const { return static_cast<std::size_t>(array.size()); }
  /// The data; read it only while this column (and so the array) is alive.
  std::span<const T> span() const { return {array.data(), size()}; }
  /// A new read-only view of the data.
  py::array view() const { return array.attr("view")(); }

  static column owned(std::vector<T>&& v) { return {owned_array(std::move(v)), false}; }
  /// `a` in place (it must be 1-D, C-contiguous, of dtype T).
  static column borrow(const py::array& a) {
    py::array v = a.attr("view")();
    set_readonly(v);
    return {py::reinterpret_borrow<py::array_t<T>>(v), !frozen(a)};
  }
};

/// np.asarray(obj) as a 1-D array in native byte order; DataError naming `name` otherwise.
inline py::array as_1d(py::handle obj, const std::string& name) {
  py::array a = py::array::ensure(obj);
  if (!a)
    throw data_error("column " + name + ": expected a 1-D array (or a sequence), got " +
                     std::string(py::str(py::type::handle_of(obj).attr("__name__"))));
  if (a.ndim() != 1)
    throw data_error("column " + name + ": expected a 1-D array, got " + std::to_string(a.ndim()) + " dimensions");
  if (a.dtype().byteorder() == '>') a = a.attr("astype")(a.dtype().attr("newbyteorder")("="));
  return a;
}

/// "int64", "<U5", "object"...: the dtype of `a`, for messages.
inline std::string dtype_name(const py::array& a) { return py::str(a.dtype()); }

template <class S, class F>
void each_element(const py::array& a, F& f) {
  const auto* base = static_cast<const char*>(a.data());
  const py::ssize_t stride = a.strides(0), n = a.shape(0);
  for (py::ssize_t i = 0; i < n; ++i) {
    S x;
    std::memcpy(&x, base + i * stride, sizeof(S)); // strided and possibly unaligned
    f(static_cast<std::size_t>(i), x);
  }
}

/// Calls f(i, x) for every element of the 1-D array `a`, x of the array's own C++ type (bool,
/// std::intN_t, std::uintN_t, float or double). Returns false (calling nothing) for other dtypes.
template <class F>
bool visit_numbers(const py::array& a, F&& f) {
  const auto size = a.itemsize();
  switch (a.dtype().kind()) {
  case 'b': each_element<bool>(a, f); return true; // numpy bools are one byte, 0 or 1
  case 'i':
    if (size == 1)
      each_element<std::int8_t>(a, f);
    else if (size == 2)
      each_element<std::int16_t>(a, f);
    else if (size == 4)
      each_element<std::int32_t>(a, f);
    else if (size == 8)
      each_element<std::int64_t>(a, f);
    else
      return false;
    return true;
  case 'u':
    if (size == 1)
      each_element<std::uint8_t>(a, f);
    else if (size == 2)
      each_element<std::uint16_t>(a, f);
    else if (size == 4)
      each_element<std::uint32_t>(a, f);
    else if (size == 8)
      each_element<std::uint64_t>(a, f);
    else
      return false;
    return true;
  case 'f':
    if (size == 4)
      each_element<float>(a, f);
    else if (size == 8)
      each_element<double>(a, f);
    else
      return false;
    return true;
  default: return false;
  }
}

/// The integers of `a` (kind 'i' or 'u') as T, range-checked: DataError naming the column and the
/// first row outside T's range.
template <class T>
std::vector<T> checked_integers(const py::array& a, const std::string& name) {
  std::vector<T> out(static_cast<std::size_t>(a.shape(0)));
  visit_numbers(a, [&](std::size_t i, auto x) {
    using S = decltype(x);
    if constexpr (std::is_integral_v<S> && !std::is_same_v<S, bool>) {
      if (!std::in_range<T>(x))
        throw data_error("column " + name + ": row " + std::to_string(i) + " holds " + std::to_string(x) +
                         ", outside the range of " + numpy_name<T>() + " (" +
                         std::to_string(std::numeric_limits<T>::min()) + " to " +
                         std::to_string(std::numeric_limits<T>::max()) + ")");
      out[i] = static_cast<T>(x);
    }
  });
  return out;
}

/// Integer codes (plan indices) or flag bits: an integer array of dtype T is used in place; other
/// integer arrays are range-checked; floats, bools and anything else are refused.
template <class T>
column<T> integer_column(py::handle obj, const std::string& name, const char* expected) {
  py::array a = as_1d(obj, name);
  if (py::array_t<T, py::array::c_style>::check_(a)) return column<T>::borrow(a);
  const char kind = a.dtype().kind();
  if (kind == 'O' && a.shape(0) > 0) { // Python ints in an object array
    try {
      a = a.attr("astype")("int64");
    } catch (py::error_already_set&) {
      throw data_error("column " + name + ": expected " + expected + ", got objects that are not integers");
    }
  }
  if (a.dtype().kind() != 'i' && a.dtype().kind() != 'u' && a.shape(0) > 0)
    throw data_error("column " + name + ": expected " + expected + ", got dtype " + dtype_name(a));
  return column<T>::owned(checked_integers<T>(a, name));
}

/// Day numbers (days since 1970-01-01): int32 in place; other integers range-checked; datetime64
/// (any unit; truncated to days), datetime.date objects and ISO date strings converted. NaT and
/// dates beyond the int32 range are a DataError.
inline column<day_number> day_column(py::handle obj, const std::string& name) {
  py::array a = as_1d(obj, name);
  if (py::array_t<day_number, py::array::c_style>::check_(a)) return column<day_number>::borrow(a);
  const char kind = a.dtype().kind();
  if (kind == 'i' || kind == 'u' || a.shape(0) == 0)
    return column<day_number>::owned(checked_integers<day_number>(a, name));
  if (kind != 'M') {
    try {
      a = a.attr("astype")("datetime64[D]");
    } catch (py::error_already_set&) {
      throw data_error("column " + name + ": expected day numbers (int32) or dates, got dtype " + dtype_name(a));
    }
  }
  const py::array days = a.attr("astype")("datetime64[D]").attr("view")("int64");
  std::vector<day_number> out(static_cast<std::size_t>(days.shape(0)));
  visit_numbers(days, [&](std::size_t i, auto x) {
    if constexpr (std::is_same_v<decltype(x), std::int64_t>) {
      if (x == std::numeric_limits<std::int64_t>::min())
        throw data_error("column " + name + ": row " + std::to_string(i) + " is NaT (not a date)");
      if (!std::in_range<day_number>(x))
        throw data_error("column " + name + ": row " + std::to_string(i) + " is a date outside the int32 day range");
      out[i] = static_cast<day_number>(x);
    }
  });
  return column<day_number>::owned(std::move(out));
}

/// float64 in place; other numbers (bool, integers, float32) and numeric objects converted.
inline column<double> number_column(py::handle obj, const std::string& name) {
  py::array a = as_1d(obj, name);
  if (py::array_t<double, py::array::c_style>::check_(a)) return column<double>::borrow(a);
  const char kind = a.dtype().kind();
  if (kind != 'b' && kind != 'i' && kind != 'u' && kind != 'f') {
    if (kind != 'O' && a.shape(0) > 0)
      throw data_error("column " + name + ": expected numbers, got dtype " + dtype_name(a));
    try {
      a = a.attr("astype")("float64");
    } catch (py::error_already_set&) {
      throw data_error("column " + name + ": expected numbers, got objects that are not numbers");
    }
  }
  std::vector<double> out(static_cast<std::size_t>(a.shape(0)));
  if (!visit_numbers(a, [&](std::size_t i, auto x) { out[i] = static_cast<double>(x); })) {
    // float16 or long double: let numpy convert
    const py::array_t<double, py::array::c_style | py::array::forcecast> d(a);
    std::memcpy(out.data(), d.data(), out.size() * sizeof(double));
  }
  return column<double>::owned(std::move(out));
}

/// A boolean mask (bool array, or integers: nonzero is true) as bytes 0/1.
inline std::vector<std::uint8_t> mask_values(py::handle obj, const std::string& name) {
  const py::array a = as_1d(obj, name);
  const char kind = a.dtype().kind();
  if (kind != 'b' && kind != 'i' && kind != 'u' && a.shape(0) > 0)
    throw data_error("column " + name + ": expected a boolean mask, got dtype " + dtype_name(a));
  std::vector<std::uint8_t> out(static_cast<std::size_t>(a.shape(0)), 0);
  visit_numbers(a, [&](std::size_t i, auto x) { out[i] = x != 0 ? 1 : 0; });
  return out;
}

/// DataError unless column `name` has `n` rows.
inline void require_rows(std::size_t got, std::size_t n, const std::string& name, const char* reference) {
  if (got != n)
    throw data_error("column " + name + " has " + std::to_string(got) + " rows, expected " + std::to_string(n) +
                     " (the length of " + reference + ")");
}

/// Observations for Python: the columns of an observation_view, each held as a numpy array.
class py_observations {
public:
  py_observations(column<std::uint32_t> ind, column<std::uint32_t> ent, column<day_number> s, column<day_number> e,
                  column<double> v, std::optional<column<double>> w, std::optional<column<std::uint8_t>> f)
      : indicator(std::move(ind)), entity(std::move(ent)), start(std::move(s)), end(std::move(e)), value(std::move(v)),
        weight(std::move(w)), flags(std::move(f)) {
    const std::size_t n = indicator.size();
    require_rows(entity.size(), n, "entity", "indicator");
    require_rows(start.size(), n, "start", "indicator");
    require_rows(end.size(), n, "end", "indicator");
    require_rows(value.size(), n, "value", "indicator");
    if (weight) require_rows(weight->size(), n, "weight", "indicator");
    if (flags) require_rows(flags->size(), n, "flags", "indicator");
  }

  /// The columns of `t`, moved into capsules: no copy. `checked_by`: the plan `t` was checked
  /// against (check_observations + select_rows), whose bounds then vouch for t.yearly_unique.
  static py_observations from_table(observation_table&& t, const plan* checked_by = nullptr) {
    std::optional<column<double>> w;
    if (!t.weight.empty()) w = column<double>::owned(std::move(t.weight));
    const bool yearly = t.yearly_unique;
    std::optional<plan_key> key = std::move(t.plan);
    py_observations o(column<std::uint32_t>::owned(std::move(t.indicator)),
                      column<std::uint32_t>::owned(std::move(t.entity)), column<day_number>::owned(std::move(t.start)),
                      column<day_number>::owned(std::move(t.end)), column<double>::owned(std::move(t.value)),
                      std::move(w), column<std::uint8_t>::owned(std::move(t.flags)));
    if (yearly && checked_by) {
      const period window = data_window(*checked_by);
      o.yearly_checked = checked_bounds{checked_by->indicators().size(), checked_by->entities().size(),
                                        to_day_number(window.start), to_day_number(window.end)};
    }
    o.checked_plan = checked_by ? std::optional<plan_key>(checked_by->key()) : std::move(key);
    return o;
  }

  std::size_t size() const { return indicator.size(); }
  /// True if any column reads the caller's memory that Python code may still write.
  bool borrowed() const {
    return indicator.borrowed || entity.borrowed || start.borrowed || end.borrowed || value.borrowed ||
           (weight && weight->borrowed) || (flags && flags->borrowed);
  }
  /// A view of the columns; valid while this object is alive. Build it holding the GIL.
  observation_view view() const {
    observation_view v;
    v.indicator = indicator.span();
    v.entity = entity.span();
    v.start = start.span();
    v.end = end.span();
    v.value = value.span();
    if (weight) v.weight = weight->span();
    if (flags) v.flags = flags->span();
    return v;
  }
  /// view(), marked yearly_unique when the rows were found to be one per indicator, entity and
  /// calendar year by a check against a plan whose indices and data window `p` covers. A roll-up
  /// trusts that mark (it skips its pass over the rows that looks for rows to combine in time), so
  /// it is only given for a plan that holds every checked row.
  observation_view view_for(const plan& p) const {
    observation_view v = view();
    v.plan = checked_plan; // the plan functions refuse rows checked against another plan
    if (yearly_checked) {
      const period window = data_window(p);
      v.yearly_unique =
          p.indicators().size() >= yearly_checked->indicators && p.entities().size() >= yearly_checked->entities &&
          to_day_number(window.start) <= yearly_checked->lo && yearly_checked->hi <= to_day_number(window.end);
    }
    return v;
  }

  /// The bounds of the plan that checked the rows (see view_for).
  struct checked_bounds {
    std::size_t indicators, entities;
    day_number lo, hi;
  };

  column<std::uint32_t> indicator, entity;
  column<day_number> start, end;
  column<double> value;
  std::optional<column<double>> weight;
  std::optional<column<std::uint8_t>> flags;
  /// Set when the rows were checked yearly-unique against a plan (see view_for); copies keep it,
  /// pickles do not (a pickle is only data).
  std::optional<checked_bounds> yearly_checked;
  /// The plan the rows were checked against (read_csv, observations_from_*, derive); copies and
  /// pickles keep it, so observations are refused by a plan that does not extend it.
  std::optional<plan_key> checked_plan;
};

} // namespace planeval::python
