// Copyright (c) 2026 planeval developers. Distributed under the MIT License.
// Observations as numpy columns: Observations, Rejection, IngestReport, observations_from_arrays,
// read_csv, and the text-column reader behind observations_from_frame (planeval/_frames.py).
//
// observations_from_arrays maps string ids to plan indices once per distinct string and checks the
// rows with check_observations (collect mode). Rows it cannot even encode (an unknown id, a bad
// year or date) are "pre-rejected": their indicator is set to an index that check_observations
// rejects, and the rejection is then replaced by the real reason, so every row keeps its input
// row number and is counted once (rows == accepted + duplicates + rejected). In raise mode the
// lowest bad row is raised with the message check_observations would give ("row 3, column value:
// ..."). None of this releases the GIL: it reads the caller's arrays, which Python may change.

#include <planeval/detail/format_number.hpp>
#include <planeval/derived.hpp>
#include <planeval/observations.hpp>
#include <planeval/plan.hpp>

#include <pybind11/stl/filesystem.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "numpy_columns.hpp"

namespace planeval::python {

namespace {

using namespace pybind11::literals;

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
constexpr std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) noexcept {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}
static_assert(days_from_civil(1970, 1, 1) == 0 && days_from_civil(2021, 1, 1) == 18628 &&
              days_from_civil(2020, 3, 1) == 18322);

on_bad_row parse_mode(std::string_view s) {
  if (s == "raise") return on_bad_row::raise;
  if (s == "collect") return on_bad_row::collect;
  throw error("on_bad_row: expected \"raise\" or \"collect\", got \"" + std::string(s) + "\"");
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

std::string in_quotes(std::string_view s) { return detail::quote_input(s); }

/// Rows rejected before check_observations sees them, by input row (the first reason found wins).
using pre_rejections = std::map<std::size_t, rejection>;

void pre_reject(pre_rejections& pre, std::size_t row, const std::string& column, rejection_reason reason,
                std::string message) {
  pre.try_emplace(row, rejection{row, column, reason, std::move(message)});
}

/// A short description of a Python object for messages ("None", "nan", "3.5").
std::string describe(py::handle h) {
  std::string s = py::repr(h);
  if (s.size() > 40) s = s.substr(0, 37) + "...";
  return s;
}

/// An object array (contiguous) with the elements of `a`.
py::array object_array(const py::array& a) {
  return py::module_::import("numpy").attr("ascontiguousarray")(a, "dtype"_a = "object");
}

/// Plan indices of the ids in `obj`: strings looked up in the plan (each distinct string once),
/// or integer indices (range-checked to uint32; an index the plan does not have is rejected by
/// check_observations). Unknown or non-string ids are pre-rejected.
std::vector<std::uint32_t> id_codes(const plan& p, py::handle obj, const std::string& name, bool indicators,
                                    pre_rejections& pre) {
  py::array a = as_1d(obj, name);
  const char kind = a.dtype().kind();
  if (kind == 'i' || kind == 'u') return checked_integers<std::uint32_t>(a, name);
  if (a.shape(0) == 0) return {};
  if (kind != 'U' && kind != 'S' && kind != 'O')
    throw data_error("column " + name + ": expected ids (strings) or plan indices (integers), got dtype " +
                     dtype_name(a));
  const py::array objects = object_array(a);
  const auto* items = static_cast<PyObject* const*>(objects.data());
  const auto n = static_cast<std::size_t>(objects.shape(0));
  constexpr std::uint32_t unknown = entity_tree::npos;
  // The object array holds a reference to every element, so their addresses are stable keys.
  std::unordered_map<PyObject*, std::uint32_t> by_object;
  std::unordered_map<std::string, std::uint32_t> by_text;
  id_or_name lookup(p, indicators ? name_index::items::indicators : name_index::items::entities);
  std::vector<std::uint32_t> codes(n, 0);
  const char* what = indicators ? "indicator" : "entity";
  const auto reason = indicators ? rejection_reason::unknown_indicator : rejection_reason::unknown_entity;
  for (std::size_t i = 0; i < n; ++i) {
    PyObject* h = items[i];
    std::uint32_t code = unknown;
    std::string_view text;
    if (auto it = by_object.find(h); it != by_object.end()) {
      code = it->second;
    } else {
      if (PyUnicode_Check(h)) {
        Py_ssize_t len = 0;
        const char* s = PyUnicode_AsUTF8AndSize(h, &len);
        if (!s) { // a lone surrogate: a row error with the place, not an exception from deep inside
          PyErr_Clear();
          const auto [at, bad] = lone_surrogate(h);
          pre_reject(pre, i, name, rejection_reason::wrong_type,
                     std::string("expected an ") + what + " id, got text that is not valid Unicode (" + bad +
                         " at character " + std::to_string(at) + ")");
          continue;
        }
        text = trim(std::string_view(s, static_cast<std::size_t>(len)));
      } else if (PyBytes_Check(h)) {
        text = trim(std::string_view(PyBytes_AS_STRING(h), static_cast<std::size_t>(PyBytes_GET_SIZE(h))));
      } else {
        pre_reject(pre, i, name, reason, std::string("expected an ") + what + " id (a string), got " + describe(h));
        continue;
      }
      const std::string key(text);
      if (auto t = by_text.find(key); t != by_text.end()) {
        code = t->second;
      } else {
        // an id, or a name only one indicator (entity) has
        const auto found = lookup.find(key);
        code = found ? *found : unknown;
        by_text.emplace(key, code);
      }
      by_object.emplace(h, code);
    }
    if (code == unknown) {
      const py::handle item(h);
      pre_reject(pre, i, name, reason, std::string("unknown ") + what + " " + in_quotes(std::string(py::str(item))));
      continue;
    }
    codes[i] = code;
  }
  return codes;
}

/// Calendar years (numbers; NaN is a missing year) as periods 1 January – 31 December.
void year_periods(py::handle obj, std::vector<day_number>& start, std::vector<day_number>& end, pre_rejections& pre) {
  const column<double> years = number_column(obj, "year");
  const auto y = years.span();
  start.assign(y.size(), 0);
  end.assign(y.size(), 0);
  for (std::size_t i = 0; i < y.size(); ++i) {
    if (!std::isfinite(y[i])) {
      pre_reject(pre, i, "year", rejection_reason::bad_date, "expected a year (YYYY), got a missing value");
    } else if (y[i] != std::floor(y[i]) || y[i] < min_year || y[i] > max_year) {
      pre_reject(pre, i, "year", rejection_reason::bad_date,
                 "expected a year from " + std::to_string(min_year) + " to " + std::to_string(max_year) + ", got " +
                     detail::format_number(y[i]));
    } else {
      const auto year = static_cast<std::int64_t>(y[i]);
      start[i] = static_cast<day_number>(days_from_civil(year, 1, 1));
      end[i] = static_cast<day_number>(days_from_civil(year, 12, 31));
    }
  }
}

/// Day numbers of dates: datetime64 (any unit, truncated to days), datetime.date / datetime /
/// pandas Timestamp objects, or strings "YYYY-MM-DD", "YYYY-MM", "YYYY" (a short form is its first
/// or last day by `role`, as in CSV files); integers are day numbers (`integers_allowed`). Missing
/// and malformed dates are pre-rejected as bad_date.
std::vector<day_number> date_days(py::handle obj, const std::string& name, date_role role, bool integers_allowed,
                                  pre_rejections& pre) {
  py::array a = as_1d(obj, name);
  const auto n = static_cast<std::size_t>(a.shape(0));
  std::vector<day_number> out(n, 0);
  if (n == 0) return out;
  const char kind = a.dtype().kind();
  const auto set_day = [&](std::size_t i, std::int64_t d) {
    if (!std::in_range<day_number>(d))
      pre_reject(pre, i, name, rejection_reason::bad_date, "the date is outside the supported range");
    else
      out[i] = static_cast<day_number>(d);
  };
  if (kind == 'i' || kind == 'u') {
    if (!integers_allowed)
      throw data_error("column " + name +
                       ": expected dates (datetime64, datetime.date or \"YYYY-MM-DD\" strings), got dtype " +
                       dtype_name(a) + "; give calendar years as year=");
    return checked_integers<day_number>(a, name);
  }
  if (kind == 'M') {
    const py::array days = a.attr("astype")("datetime64[D]").attr("view")("int64");
    visit_numbers(days, [&](std::size_t i, auto x) {
      if constexpr (std::is_same_v<decltype(x), std::int64_t>) {
        if (x == std::numeric_limits<std::int64_t>::min())
          pre_reject(pre, i, name, rejection_reason::bad_date, "expected a date, got NaT (a missing date)");
        else
          set_day(i, x);
      }
    });
    return out;
  }
  if (kind != 'U' && kind != 'S' && kind != 'O')
    throw data_error("column " + name +
                     ": expected dates (datetime64, datetime.date or \"YYYY-MM-DD\" strings), got dtype " +
                     dtype_name(a));
  if (!PyDateTimeAPI) {
    PyDateTime_IMPORT;
    if (!PyDateTimeAPI) throw py::error_already_set();
  }
  const py::array objects = object_array(a);
  const auto* items = static_cast<PyObject* const*>(objects.data());
  const py::object datetime64 = py::module_::import("numpy").attr("datetime64");
  for (std::size_t i = 0; i < n; ++i) {
    PyObject* h = items[i];
    const py::handle item(h);
    std::string_view text;
    bool is_text = false;
    if (PyUnicode_Check(h)) {
      Py_ssize_t len = 0;
      const char* s = PyUnicode_AsUTF8AndSize(h, &len);
      if (!s) {
        PyErr_Clear();
        const auto [at, bad] = lone_surrogate(item);
        pre_reject(pre, i, name, rejection_reason::bad_date,
                   "expected a date, got text that is not valid Unicode (" + bad + " at character " +
                       std::to_string(at) + ")");
        continue;
      }
      text = std::string_view(s, static_cast<std::size_t>(len));
      is_text = true;
    } else if (PyBytes_Check(h)) {
      text = std::string_view(PyBytes_AS_STRING(h), static_cast<std::size_t>(PyBytes_GET_SIZE(h)));
      is_text = true;
    }
    if (is_text) {
      if (auto d = parse_date(trim(text), role))
        set_day(i, to_day_number(*d));
      else
        pre_reject(pre, i, name, rejection_reason::bad_date,
                   "expected a date (YYYY-MM-DD, YYYY-MM or YYYY), got " + in_quotes(text));
      continue;
    }
    const bool nat = std::strcmp(Py_TYPE(h)->tp_name, "NaTType") == 0; // pandas.NaT is a datetime
    if (h == Py_None || nat || (PyFloat_Check(h) && std::isnan(PyFloat_AS_DOUBLE(h)))) {
      pre_reject(pre, i, name, rejection_reason::bad_date, "expected a date, got a missing value");
    } else if (PyDate_Check(h)) { // date, datetime, pandas.Timestamp: the calendar day
      set_day(i, days_from_civil(PyDateTime_GET_YEAR(h), static_cast<unsigned>(PyDateTime_GET_MONTH(h)),
                                 static_cast<unsigned>(PyDateTime_GET_DAY(h))));
    } else {
      std::int64_t d = 0;
      bool ok = false;
      try { // numpy.datetime64 scalars and anything else numpy reads as a date
        const py::object x = datetime64(item, "D");
        if (!py::module_::import("numpy").attr("isnat")(x).cast<bool>()) {
          d = x.attr("astype")("int64").cast<std::int64_t>();
          ok = true;
        }
      } catch (py::error_already_set&) {
      }
      if (ok)
        set_day(i, d);
      else
        pre_reject(pre, i, name, rejection_reason::bad_date, "expected a date, got " + describe(item));
    }
  }
  return out;
}

/// The rejection as check_observations words it in raise mode.
[[noreturn]] void raise_rejection(const rejection& r) {
  location where;
  where.row = r.row + 1; // location rows count from 1; Rejection.row is the 0-based position
  where.column = r.column;
  throw data_error("row " + std::to_string(r.row) + ", column " + r.column + ": " + r.message, std::move(where),
                   r.message);
}

py::tuple observations_from_arrays(const plan& p, py::handle indicator_col, py::handle entity_col, py::handle value_col,
                                   py::handle year_col, py::handle start_col, py::handle end_col, py::handle date_col,
                                   py::handle weight_col, py::handle missing_col, py::handle estimated_col,
                                   py::handle provisional_col, std::string_view on_bad) {
  const on_bad_row mode = parse_mode(on_bad);
  const bool has_start = !start_col.is_none(), has_end = !end_col.is_none();
  const int times = (year_col.is_none() ? 0 : 1) + (date_col.is_none() ? 0 : 1) + (has_start || has_end ? 1 : 0);
  if (times != 1)
    throw arg_type_error("observations_from_arrays: give the time as exactly one of year=, date= or start= and end=");
  if (has_start != has_end) throw arg_type_error("observations_from_arrays: give start= and end= together");

  const column<double> values = number_column(value_col, "value");
  const std::size_t n = values.size();
  pre_rejections pre;
  std::vector<std::uint32_t> ind = id_codes(p, indicator_col, "indicator", true, pre);
  require_rows(ind.size(), n, "indicator", "value");
  const std::vector<std::uint32_t> ent = id_codes(p, entity_col, "entity", false, pre);
  require_rows(ent.size(), n, "entity", "value");

  std::vector<day_number> s, e;
  std::string time_name;
  if (!year_col.is_none()) {
    time_name = "year";
    year_periods(year_col, s, e, pre);
  } else if (!date_col.is_none()) {
    time_name = "date";
    s = date_days(date_col, "date", date_role::end, false, pre);
    e = s;
  } else {
    time_name = "start";
    s = date_days(start_col, "start", date_role::start, true, pre);
    e = date_days(end_col, "end", date_role::end, true, pre);
    require_rows(e.size(), n, "end", "value");
  }
  require_rows(s.size(), n, time_name, "value");

  std::optional<column<double>> weights;
  if (!weight_col.is_none()) {
    weights = number_column(weight_col, "weight");
    require_rows(weights->size(), n, "weight", "value");
  }
  std::vector<std::uint8_t> flag_bits;
  for (auto [mask, bit, name] :
       {std::tuple{missing_col, flags::missing, "missing"}, std::tuple{estimated_col, flags::estimated, "estimated"},
        std::tuple{provisional_col, flags::provisional, "provisional"}}) {
    if (mask.is_none()) continue;
    const auto m = mask_values(mask, name);
    require_rows(m.size(), n, name, "value");
    flag_bits.resize(n, 0);
    for (std::size_t i = 0; i < n; ++i)
      if (m[i]) flag_bits[i] |= bit;
  }

  // Pre-rejected rows get an indicator index the plan does not have, so check_observations rejects
  // them first thing; their rejection is replaced below.
  for (const auto& [row, r] : pre) ind[row] = entity_tree::npos;
  observation_view view;
  view.indicator = ind;
  view.entity = ent;
  view.start = s;
  view.end = e;
  view.value = values.span();
  if (weights) view.weight = weights->span();
  view.flags = flag_bits;
  ingest_report report;
  const auto keep = check_observations(p, view, report, on_bad_row::collect);
  for (auto& r : report.rejected) {
    if (auto it = pre.find(r.row); it != pre.end())
      r = it->second;
    else if (r.column == "date")
      r.column = time_name; // check_observations names the period column "date"
  }
  if (mode == on_bad_row::raise && !report.rejected.empty()) raise_rejection(report.rejected.front());
  return py::make_tuple(py_observations::from_table(select_rows(view, keep, &report, &p), &p), std::move(report));
}

/// Bytes of `c` in a new owned column (for copies of borrowed columns).
template <class T>
column<T> owned_copy(const column<T>& c) {
  if (!c.borrowed) return c;
  const auto s = c.span();
  return column<T>::owned(std::vector<T>(s.begin(), s.end()));
}

py_observations copy_of(const py_observations& o) {
  std::optional<column<double>> w;
  if (o.weight) w = owned_copy(*o.weight);
  std::optional<column<std::uint8_t>> f;
  if (o.flags) f = owned_copy(*o.flags);
  py_observations c(owned_copy(o.indicator), owned_copy(o.entity), owned_copy(o.start), owned_copy(o.end),
                    owned_copy(o.value), std::move(w), std::move(f));
  c.yearly_checked = o.yearly_checked; // the same rows
  c.checked_plan = o.checked_plan;
  return c;
}

/// A new bool array: bit `bit` of each row's flags.
py::array_t<bool> flag_mask(const py_observations& o, std::uint8_t bit) {
  py::array_t<bool> out(static_cast<py::ssize_t>(o.size()));
  bool* dst = out.mutable_data();
  if (o.flags) {
    const auto f = o.flags->span();
    for (std::size_t i = 0; i < f.size(); ++i) dst[i] = (f[i] & bit) != 0;
  } else {
    std::fill(dst, dst + o.size(), false);
  }
  return out;
}

/// __reduce_ex__ for classes without __eq__ (value_class has the same): route every pickle
/// protocol through __getstate__/__setstate__ (protocols 0 and 1 would otherwise abort).
template <class C>
void route_pickle(C& cls) {
  cls.def(
      "__reduce_ex__",
      [](py::handle self, int /*protocol*/) -> py::object {
        const py::handle type = py::type::handle_of(self);
        return py::make_tuple(py::module_::import("copyreg").attr("__newobj__"), py::make_tuple(type),
                              self.attr("__getstate__")());
      },
      "protocol"_a);
}

constexpr int pickle_version = 1;

void require_pickle_version(const py::tuple& t, std::size_t size, const char* type) {
  if (t.size() != size || !py::isinstance<py::int_>(t[0]))
    throw error(std::string("invalid ") + type + " pickle state");
  const int version = t[0].cast<int>();
  if (version != pickle_version)
    throw error(std::string("unsupported ") + type + " pickle format version " + std::to_string(version) +
                "; this planeval reads version " + std::to_string(pickle_version));
}

void register_reports(py::module_& m) {
  value_class<rejection> r(m, "Rejection", "A rejected input row: where, why, and what was expected.",
                           {"row", "column", "reason", "message"});
  r.def(
      py::init([](std::size_t row, std::string col, std::string_view reason, std::string message) {
        return rejection{row, std::move(col), parse_enum(rejection_reason_names, reason, "reason"), std::move(message)};
      }),
      "row"_a, "column"_a, "reason"_a, "message"_a);
  r.def_readonly("row", &rejection::row, "0-based input row (a CSV file's line is row + 2)");
  r.def_readonly("column", &rejection::column, "The column at fault");
  r.def_property_readonly(
      "reason", [](const rejection& x) { return enum_name(rejection_reason_names, x.reason); },
      "'unknown_indicator', 'unknown_entity', 'bad_date', 'outside_horizon', 'non_finite', 'negative_count',\n"
      "'out_of_range', 'wrong_type', 'bad_weight', 'duplicate_conflict' or 'missing_parent'");
  r.def_readonly("message", &rejection::message, "What was expected and what was found");
  r.def(py::pickle(
      [](const rejection& x) {
        return py::make_tuple(pickle_version, x.row, x.column, enum_name(rejection_reason_names, x.reason), x.message);
      },
      [](const py::tuple& t) {
        require_pickle_version(t, 5, "Rejection");
        return rejection{t[1].cast<std::size_t>(), t[2].cast<std::string>(),
                         parse_enum(rejection_reason_names, t[3].cast<std::string>(), "reason"),
                         t[4].cast<std::string>()};
      }));

  value_class<ingest_note> n(m, "IngestNote",
                             "A warning or an account that rejects no row: what looks wrong and where.",
                             {"code", "message", "message_zh", "rows"});
  n.def(py::init([](std::string code, std::string message, std::string message_zh, std::vector<std::size_t> rows) {
          return ingest_note{std::move(code), std::move(message), std::move(message_zh), std::move(rows)};
        }),
        "code"_a, "message"_a, "message_zh"_a = "", "rows"_a = std::vector<std::size_t>{});
  n.def_readonly("code", &ingest_note::code,
                 "'implausible_scale', 'weight_assumed', 'likely_duplicate_entity', 'sheet_skipped', 'blank_rows', ...");
  n.def_readonly("message", &ingest_note::message, "What looks wrong and where (English)");
  n.def_readonly("message_zh", &ingest_note::message_zh, "The same in Chinese (empty when not given)");
  n.def_readonly("rows", &ingest_note::rows, "The input rows concerned (0-based, as Rejection.row; a copy)");
  n.def(py::pickle(
      [](const ingest_note& x) { return py::make_tuple(pickle_version, x.code, x.message, x.message_zh, x.rows); },
      [](const py::tuple& t) {
        require_pickle_version(t, 5, "IngestNote");
        return ingest_note{t[1].cast<std::string>(), t[2].cast<std::string>(), t[3].cast<std::string>(),
                           t[4].cast<std::vector<std::size_t>>()};
      }));

  py::class_<ingest_report> c(m, "IngestReport",
                              "What happened to every input row: rows == accepted + duplicates + len(rejected).");
  c.def_readonly("rows", &ingest_report::rows, "Rows read");
  c.def_readonly("accepted", &ingest_report::accepted, "Rows kept");
  c.def_readonly("duplicates", &ingest_report::duplicates,
                 "Exact repeats of an accepted row (reported, not double-counted)");
  c.def_readonly("missing", &ingest_report::missing, "Accepted rows whose value is explicitly missing");
  c.def_readonly("duplicate_rows", &ingest_report::duplicate_rows, "Which rows were identical repeats (a copy)");
  c.def_readonly("added_entities", &ingest_report::added_entities, "Entities added to the plan from the data (a copy)");
  c.def_readonly("rejected", &ingest_report::rejected, "Rejected rows, by row (a list of Rejection, a copy)");
  c.def_readonly("calendar_years", &ingest_report::calendar_years,
                 "Every accepted row covers exactly one calendar year (roll-ups of them skip a pass)");
  c.def_readonly("notes", &ingest_report::notes,
                 "Warnings and accounts that reject no row (a list of IngestNote, a copy): implausible scales,\n"
                 "assumed weights, entities that look like one, sheets or blank rows skipped");
  c.def(
      "add_note", [](ingest_report& x, ingest_note note) { x.notes.push_back(std::move(note)); }, "note"_a,
      "Append a note (readers built on planeval account for what they skip this way)");
  c.def("__repr__", [](const ingest_report& x) {
    return "IngestReport(rows=" + std::to_string(x.rows) + ", accepted=" + std::to_string(x.accepted) +
           ", duplicates=" + std::to_string(x.duplicates) + ", rejected=" + std::to_string(x.rejected.size()) +
           (x.notes.empty() ? std::string() : ", notes=" + std::to_string(x.notes.size())) + ")";
  });
  c.def(
      "__eq__",
      [](const ingest_report& a, const ingest_report& b) {
        return a.rows == b.rows && a.accepted == b.accepted && a.duplicates == b.duplicates && a.missing == b.missing &&
               a.rejected == b.rejected && a.duplicate_rows == b.duplicate_rows &&
               a.added_entities == b.added_entities && a.calendar_years == b.calendar_years && a.notes == b.notes;
      },
      py::is_operator());
  // to_frame (pandas) is defined in Python: planeval/_observations.py (the core never imports the package)
  c.def(py::pickle(
      [](const ingest_report& x) {
        return py::make_tuple(pickle_version, x.rows, x.accepted, x.duplicates, x.missing, x.rejected, x.duplicate_rows,
                              x.added_entities, x.calendar_years, x.notes);
      },
      [](const py::tuple& t) {
        require_pickle_version(t, 10, "IngestReport");
        ingest_report x;
        x.rows = t[1].cast<std::size_t>();
        x.accepted = t[2].cast<std::size_t>();
        x.duplicates = t[3].cast<std::size_t>();
        x.missing = t[4].cast<std::size_t>();
        x.rejected = t[5].cast<std::vector<rejection>>();
        x.duplicate_rows = t[6].cast<std::vector<std::size_t>>();
        x.added_entities = t[7].cast<std::vector<std::string>>();
        x.calendar_years = t[8].cast<bool>();
        x.notes = t[9].cast<std::vector<ingest_note>>();
        return x;
      }));
  route_pickle(c);
}

py_observations observations_from_columns(py::handle ind, py::handle ent, py::handle start, py::handle end,
                                          py::handle value, py::handle weight, py::handle flag_column) {
  std::optional<column<double>> w;
  if (!weight.is_none()) w = number_column(weight, "weight");
  std::optional<column<std::uint8_t>> f;
  if (!flag_column.is_none())
    f = integer_column<std::uint8_t>(flag_column, "flags", "flag bits (uint8: 1 missing, 2 estimated, 4 provisional)");
  return {integer_column<std::uint32_t>(ind, "indicator", "plan indicator indices (uint32)"),
          integer_column<std::uint32_t>(ent, "entity", "plan entity indices (uint32)"),
          day_column(start, "start"),
          day_column(end, "end"),
          number_column(value, "value"),
          std::move(w),
          std::move(f)};
}

void register_observations_class(py::module_& m) {
  py::class_<py_observations> c(
      m, "Observations",
      "Observations as columns: indicator and entity (plan indices, uint32), start and end (days since\n"
      "1970-01-01, int32), value (float64), optional weight (float64) and flags (uint8 bits: 1 missing,\n"
      "2 estimated, 4 provisional).\n\n"
      "Arrays of exactly these dtypes (1-D, C-contiguous, native byte order) are used without copying:\n"
      "the Observations keeps a reference to them and reads them in place, so treat them as read-only\n"
      "while it exists (changing them changes the observations). Other inputs are converted once, with\n"
      "range checks (DataError naming the column and the first offending row); copy=True always copies.\n"
      "The properties return read-only views. The constructor does not check rows against a plan: use\n"
      "observations_from_arrays, read_csv or observations_from_frame for that.");
  c.def(py::init([](py::handle ind, py::handle ent, py::handle start, py::handle end, py::handle value,
                    py::handle weight, py::handle flag_column, bool copy) {
          auto o = observations_from_columns(ind, ent, start, end, value, weight, flag_column);
          return copy ? copy_of(o) : o;
        }),
        "indicator"_a, "entity"_a, "start"_a, "end"_a, "value"_a, "weight"_a = py::none(), "flags"_a = py::none(),
        py::kw_only(), "copy"_a = false);
  c.def("__len__", &py_observations::size);
  c.def_property_readonly(
      "indicator", [](const py_observations& o) { return o.indicator.view(); }, "Plan indicator indices (read-only)");
  c.def_property_readonly(
      "entity", [](const py_observations& o) { return o.entity.view(); }, "Plan entity indices (read-only)");
  c.def_property_readonly(
      "start", [](const py_observations& o) { return o.start.view(); },
      "First day of each period, in days since 1970-01-01 (read-only)");
  c.def_property_readonly(
      "end", [](const py_observations& o) { return o.end.view(); },
      "Last day of each period, in days since 1970-01-01 (read-only)");
  c.def_property_readonly(
      "value", [](const py_observations& o) { return o.value.view(); },
      "Values (read-only); meaningful only where `missing` is False");
  c.def_property_readonly(
      "weight",
      [](const py_observations& o) -> py::object {
        if (!o.weight) return py::none();
        return o.weight->view();
      },
      "Weights (students) or denominators (read-only), or None");
  c.def_property_readonly(
      "flags",
      [](const py_observations& o) -> py::array {
        if (o.flags) return o.flags->view();
        return owned_array(std::vector<std::uint8_t>(o.size(), 0));
      },
      "Flag bits (read-only): 1 missing, 2 estimated, 4 provisional");
  c.def_property_readonly(
      "missing", [](const py_observations& o) { return flag_mask(o, flags::missing); },
      "True where the value was not reported (a new bool array)");
  c.def_property_readonly(
      "estimated", [](const py_observations& o) { return flag_mask(o, flags::estimated); },
      "True where the value is an estimate (a new bool array)");
  c.def_property_readonly(
      "provisional", [](const py_observations& o) { return flag_mask(o, flags::provisional); },
      "True where the value may still change (a new bool array)");
  c.def_property_readonly("borrowed", &py_observations::borrowed,
                          "True if a column reads the caller's array in place (memory Python code can still\n"
                          "write); Plan.rollup then keeps the GIL. copy() gives observations that own their data.");
  c.def("copy", &copy_of, "Observations owning all their columns (borrowed columns are copied)");
  // to_frame (pandas) is defined in Python: planeval/_observations.py
  c.def("__repr__", [](const py_observations& o) {
    return "Observations(rows=" + std::to_string(o.size()) + ", weight=" + (o.weight ? "True" : "False") +
           (o.borrowed() ? ", borrowed=True)" : ")");
  });
  c.def(py::pickle(
      [](const py_observations& o) {
        return py::make_tuple(pickle_version, o.indicator.view(), o.entity.view(), o.start.view(), o.end.view(),
                              o.value.view(), o.weight ? py::object(o.weight->view()) : py::object(py::none()),
                              o.flags ? py::object(o.flags->view()) : py::object(py::none()),
                              // the plan they were checked against travels with them (9th item)
                              o.checked_plan ? py::object(py::make_tuple(o.checked_plan->id, o.checked_plan->indicators,
                                                                         o.checked_plan->entities,
                                                                         o.checked_plan->indicator_hash,
                                                                         o.checked_plan->entity_hash))
                                             : py::object(py::none()));
      },
      [](const py::tuple& t) {
        // 8 items: pickles of planeval 0.1 without the plan's key
        if (t.size() != 8 && t.size() != 9) throw error("invalid Observations pickle state");
        require_pickle_version(t.size() == 8 ? t : py::tuple(t[py::slice(0, 8, 1)]), 8, "Observations");
        py_observations o = copy_of(observations_from_columns(t[1], t[2], t[3], t[4], t[5], t[6], t[7]));
        if (t.size() == 9 && !t[8].is_none()) {
          const auto k = t[8].cast<py::tuple>();
          if (k.size() != 5) throw error("invalid Observations pickle state");
          o.checked_plan = plan_key{k[0].cast<std::string>(), k[1].cast<std::uint32_t>(), k[2].cast<std::uint32_t>(),
                                    k[3].cast<std::uint64_t>(), k[4].cast<std::uint64_t>()};
        }
        return o;
      }));
  route_pickle(c);
}

} // namespace

void register_observations(py::module_& m) {
  register_reports(m);
  register_observations_class(m);

  m.def("observations_from_arrays", &observations_from_arrays, "plan"_a, py::kw_only(), "indicator"_a, "entity"_a,
        "value"_a, "year"_a = py::none(), "start"_a = py::none(), "end"_a = py::none(), "date"_a = py::none(),
        "weight"_a = py::none(), "missing"_a = py::none(), "estimated"_a = py::none(), "provisional"_a = py::none(),
        "on_bad_row"_a = "raise",
        "Observations from numpy arrays (or sequences), checked against the plan.\n\n"
        "indicator, entity: string ids (looked up once per distinct string; an unknown id rejects its row)\n"
        "  or plan indices (integers). value: numbers; where `missing` is True the value is ignored.\n"
        "Time: year= (calendar years), date= (datetime64, datetime.date or 'YYYY-MM-DD' strings; 'YYYY'\n"
        "  is the last day of the year) or start= and end= (dates, or day numbers since 1970-01-01).\n"
        "weight: students or denominators. missing, estimated, provisional: boolean masks.\n"
        "Rows are checked as by the C++ check_observations: indices, dates within the data window,\n"
        "finite values, counts >= 0, percentages within 0..100, weights >= 0, duplicates.\n"
        "on_bad_row='raise' raises DataError for the first bad row ('row 3, column value: ...');\n"
        "'collect' records it in the report. Returns (Observations of the kept rows, IngestReport).");
  m.def(
      "read_csv",
      [](plan& p, const std::filesystem::path& path, std::string_view on_bad, bool add_entities) {
        if (add_entities) require_plan_not_read(&p, "read_csv");
        ingest_report report;
        read_options options;
        options.mode = parse_mode(on_bad);
        options.add_entities = add_entities;
        auto table = read_observations_csv(p, path.string(), report, options);
        return py::make_tuple(py_observations::from_table(std::move(table), &p), std::move(report));
      },
      "plan"_a, "path"_a, py::kw_only(), "on_bad_row"_a = "raise", "add_entities"_a = true,
      "Read observations from a CSV file (RFC 4180 quoting, header row; UTF-8 with or without BOM;\n"
      "GB18030/GBK and UTF-16 with a BOM are decoded, with a note in IngestReport.notes).\n\n"
      "Columns: indicator, entity, value, one of date/period/year; optional weight, estimated,\n"
      "provisional, and for new entities parent, entity_name, entity_kind, stage, students. Empty\n"
      "cells, NA/null and the marks - — – － / 无 空 are missing values; full-width digits, 1,500 and\n"
      "85% (for a % indicator) are numbers; blank rows are skipped (a 'blank_rows' note).\n"
      "With add_entities=True an entity the plan does not know\n"
      "is added to the plan when its row names a known parent (also when a later row then raises).\n"
      "Returns (Observations, IngestReport); on_bad_row as for observations_from_arrays, with the\n"
      "file's line in the message ('data.csv: row 1 (line 3), column value: ...').");
  m.def(
      "_read_text_columns",
      [](plan& p, std::vector<std::string> names, std::vector<std::vector<std::string>> cells, std::string_view on_bad,
         bool add_entities, const std::string& source, std::vector<std::string> row_names) {
        if (add_entities) require_plan_not_read(&p, "observations_from_frame");
        ingest_report report;
        read_options options;
        options.mode = parse_mode(on_bad);
        options.add_entities = add_entities;
        options.row_names = std::move(row_names);
        auto table = read_observations(p, text_columns{std::move(names), std::move(cells)}, report, options, source);
        return py::make_tuple(py_observations::from_table(std::move(table), &p), std::move(report));
      },
      "plan"_a, "names"_a, "cells"_a, "on_bad_row"_a, "add_entities"_a, "source"_a,
      "row_names"_a = std::vector<std::string>{},
      "Observations from text columns (cells[column][row]); used by observations_from_frame and the workbook "
      "reader (row_names: how messages name each row, a sheet's cell)");
  m.def(
      "derive",
      [](const plan& p, const py_observations& obs, const std::vector<std::string>& indicators) {
        std::vector<std::uint32_t> wanted;
        for (const auto& id : indicators) {
          const auto i = p.find_indicator(id);
          if (!i) throw error("derive: unknown indicator \"" + id + "\"");
          wanted.push_back(*i);
        }
        const observation_view v = obs.view_for(p);
        derived_observations d;
        if (obs.borrowed()) {
          d = derive(p, v, wanted); // the caller's arrays could change meanwhile: keep the GIL
        } else {
          // safe without the GIL for the reasons given in register_rollup.cpp (run): the plan is
          // registered as read, so Plan.add_* from another thread raises instead of reallocating it
          const plan_read_guard reading(&p, "derive");
          const py::gil_scoped_release release;
          d = derive(p, v, wanted);
        }
        py::list summary;
        for (const auto& x : d.summary) {
          py::dict s;
          s["indicator"] = p.indicators()[x.indicator].id;
          s["rows"] = x.rows;
          s["values"] = x.values;
          s["missing"] = x.missing;
          s["observed"] = x.observed;
          s["zero_denominator"] = x.zero_denominator;
          summary.append(std::move(s));
        }
        return py::make_tuple(py_observations::from_table(std::move(d.table)), std::move(summary));
      },
      "plan"_a, "observations"_a, "indicators"_a = std::vector<std::string>{},
      "The observations with the values of the plan's derived indicators appended (those in\n"
      "`indicators` and what they need; all when empty): formulas over the same entity and period,\n"
      "ratios as factor x numerator / denominator with the denominator as weight (so a roll-up's\n"
      "weighted mean is the ratio of sums). Returns (Observations, summary): per derived indicator a\n"
      "dict of rows added, values, missing, observed (rows given for it directly, kept) and\n"
      "zero_denominator. Roll-ups and evaluations derive by themselves; this shows the values.");
  m.def(
      "_require_plan",
      [](const plan& p, const py_observations& obs, std::string_view operation) {
        require_plan(p, obs.view_for(p), operation);
      },
      "plan"_a, "observations"_a, "operation"_a,
      "Raises DataError if the observations were checked against a plan that `plan` does not extend");
  m.def(
      "_ids",
      [](const plan& p, std::string_view what) {
        std::vector<std::string> out;
        if (what == "indicator") {
          for (const auto& i : p.indicators()) out.push_back(i.id);
        } else if (what == "entity") {
          for (const auto& e : p.entities()) out.push_back(e.id);
        } else {
          throw error("_ids: expected \"indicator\" or \"entity\"");
        }
        return out;
      },
      "plan"_a, "what"_a, "The ids of the plan's indicators or entities, by index");
}

} // namespace planeval::python
