// Copyright (c) 2026 planeval developers. Distributed under the MIT License.
// Observations from any object exporting the Arrow C stream interface (__arrow_c_stream__: polars
// DataFrames, pyarrow Tables and RecordBatchReaders, DuckDB relations), read in C++ from the Arrow
// buffers: _observations_from_arrow_stream, behind planeval.observations_from_arrow.
//
// Design notes. The result must be what observations_from_frame gives for the same data as a
// pandas DataFrame, which reads every cell as the text a CSV file would hold (read_observations in
// src/observations.cpp). So each column is read as what its cells mean there, without making the
// text of every cell:
// - numbers (value, weight) are read straight from the buffers as doubles; a null or NaN is the
//   empty cell (a missing value; for weight a bad number);
// - dates (date32, date64, timestamp) are read as day numbers; a null is the empty cell;
// - every other column (ids, year, period, flags, the columns of new entities, and text, boolean
//   or integer cells anywhere) is dictionary-encoded: each row gets the code of its distinct
//   cell, and only the distinct cells become text (the text pandas would give: "2021" for 2021 or
//   2021.0, "true" for True), which is parsed and looked up in the plan once.
// Then one pass over the rows in input order applies read_observations' per-row rules in its
// order (indicator, entity - adding new ones under a known parent -, period, value, weight,
// flags), and check_observations does the rest. Rows rejected by the pass keep their place: their
// indicator is set to an index that check_observations rejects, and that rejection is replaced
// by the real one (as observations_from_arrays does), so row numbers are input rows and
// rows == accepted + duplicates + rejected. In raise mode the error raised is the one
// read_observations would raise: the first row the pass rejects, else the first row
// check_observations rejects (duplicates conflicting last).
//
// The GIL: the stream's callbacks (get_schema, get_next, release) are called holding it, since a
// producer may call into Python (a RecordBatchReader over a Python generator). Decoding the
// arrays runs without it: it reads only the arrays we own (producers guarantee exported data
// stays immutable while the consumer holds it) and touches no Python object and no plan. So does
// the fast pass over the rows (step 5: rows whose cells all read, from tables made beforehand). The
// checks run without it too, with the plan registered as read (plan_read_guard).

#include <planeval/detail/cells.hpp>
#include <planeval/detail/entity_cells.hpp>
#include <planeval/detail/format_number.hpp>
#include <planeval/detail/utf8.hpp>
#include <planeval/observations.hpp>
#include <planeval/plan.hpp>

#include <algorithm>
#include <bit>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <limits>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

#include "arrow_c.hpp"
#include "numpy_columns.hpp"

namespace planeval::python {

namespace {

using namespace pybind11::literals;

// --- text as read_observations reads it (the rules of src/observations.cpp and detail/cells.hpp) ---

std::string_view trim(std::string_view s) { return detail::trim_id(s); }
std::optional<bool> parse_bool(std::string_view s) { return detail::parse_bool_cell(s); }

std::string quoted(std::string_view s) { return detail::quote_input(s); }

/// The place of an error about a column (a table read from memory: no file, no row).
location in_column(std::string column) {
  location at;
  at.column = std::move(column);
  return at;
}
/// The place of a row's cell: its position + 1 (location::row counts from 1) and the column.
location at_row(std::size_t position, std::string column) {
  location at = in_column(std::move(column));
  at.row = position + 1;
  return at;
}

/// Python's repr of a float (shortest round trip; exponent form when the decimal point would be
/// more than 16 digits right or 4 left of the first digit: "1e-05", "1e+16", "0.0001").
std::string python_repr(double x) {
  if (std::isnan(x)) return "nan";
  if (std::isinf(x)) return x > 0 ? "inf" : "-inf";
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof buf, x, std::chars_format::scientific);
  std::string_view s(buf, static_cast<std::size_t>(r.ptr - buf));
  std::string out;
  if (s.front() == '-') {
    out += '-';
    s.remove_prefix(1);
  }
  const std::size_t e = s.find('e');
  std::string digits;
  for (char c : s.substr(0, e))
    if (c != '.') digits += c;
  std::string_view ex = s.substr(e + 1);
  if (!ex.empty() && ex.front() == '+') ex.remove_prefix(1);
  int exponent = 0;
  std::from_chars(ex.data(), ex.data() + ex.size(), exponent);
  const int point = exponent + 1; // digits before the decimal point
  const auto nd = static_cast<int>(digits.size());
  if (point > -4 && point <= 16) {
    if (point <= 0) {
      out += "0." + std::string(static_cast<std::size_t>(-point), '0') + digits;
    } else if (point >= nd) {
      out += digits + std::string(static_cast<std::size_t>(point - nd), '0') + ".0";
    } else {
      out += digits.substr(0, static_cast<std::size_t>(point)) + "." + digits.substr(static_cast<std::size_t>(point));
    }
  } else {
    out += digits.front();
    if (nd > 1) out += "." + digits.substr(1);
    const int shown = point - 1;
    out += shown < 0 ? "e-" : "e+";
    const int a = shown < 0 ? -shown : shown;
    if (a < 10) out += '0';
    out += std::to_string(a);
  }
  return out;
}

/// The text observations_from_frame makes of a float cell: whole numbers without ".0" (2021),
/// others as Python's repr, NaN as the empty cell.
std::string float_text(double x) {
  if (std::isnan(x)) return "";
  if (x == std::floor(x) && std::fabs(x) < 9007199254740992.0) return std::to_string(static_cast<std::int64_t>(x));
  return python_repr(x);
}

/// Proleptic Gregorian date of a day number (H. Hinnant's civil_from_days).
void civil_from_days(std::int64_t z, std::int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  y = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2 ? 1 : 0;
}

/// "YYYY-MM-DD" of a day number, as pandas writes a date cell.
std::string day_text(std::int64_t day) {
  std::int64_t y = 0;
  unsigned m = 0, d = 0;
  civil_from_days(day, y, m, d);
  char buf[48];
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02u", static_cast<long long>(y), m, d);
  return buf;
}

// --- Arrow types -------------------------------------------------------------------------------

enum class kind {
  null, boolean, sint, uint, floating, decimal, utf8, large_utf8, utf8_view, date32, date64, timestamp
};

struct arrow_type {
  kind k = kind::null;
  int bytes = 0;              ///< integers and floats: the width; decimals: the scale
  std::int64_t per_day = 0;   ///< date64 and timestamps: units per day
  std::int64_t offset = 0;    ///< timestamps: the time zone's offset from UTC, in units
  bool dictionary = false;    ///< dictionary-encoded: `k` is the values' type, index_* the indices'
  bool index_signed = true;
  int index_bytes = 0;
  bool is_number() const {
    return !dictionary && (k == kind::sint || k == kind::uint || k == kind::floating || k == kind::decimal);
  }
  bool is_date() const { return !dictionary && (k == kind::date32 || k == kind::date64 || k == kind::timestamp); }
  bool is_text() const { return k == kind::utf8 || k == kind::large_utf8 || k == kind::utf8_view; }
};

/// What an Arrow format string is, for messages ("+l" -> "a list").
std::string format_meaning(std::string_view f) {
  if (f.starts_with("+l") || f.starts_with("+L") || f.starts_with("+w") || f.starts_with("+vl") ||
      f.starts_with("+vL"))
    return "a list";
  if (f == "+s") return "a struct";
  if (f == "+m") return "a map";
  if (f.starts_with("+u")) return "a union";
  if (f.starts_with("+r")) return "run-end encoded";
  if (f.starts_with("d:")) return "a decimal";
  if (f == "z" || f == "Z" || f == "vz" || f.starts_with("w:")) return "binary";
  if (f == "e") return "a half float";
  if (f.starts_with("tt")) return "a time of day";
  if (f.starts_with("tD")) return "a duration";
  if (f.starts_with("ti")) return "an interval";
  return "not supported";
}

/// Seconds east of UTC of a timestamp's time zone: "" (none: the wall clock) and UTC are 0,
/// "+08:00" is 28800; named zones other than UTC are refused (their offsets need a time zone
/// database).
std::optional<std::int64_t> zone_seconds(std::string_view tz) {
  if (tz.empty() || tz == "UTC" || tz == "Etc/UTC" || tz == "Z" || tz == "utc" || tz == "GMT" || tz == "Etc/GMT")
    return 0;
  if (tz.size() == 6 && (tz[0] == '+' || tz[0] == '-') && tz[3] == ':') {
    int h = 0, m = 0;
    if (std::from_chars(tz.data() + 1, tz.data() + 3, h).ec != std::errc{} ||
        std::from_chars(tz.data() + 4, tz.data() + 6, m).ec != std::errc{} || h > 23 || m > 59)
      return std::nullopt;
    const std::int64_t s = h * 3600 + m * 60;
    return tz[0] == '+' ? s : -s;
  }
  return std::nullopt;
}

/// The type of a primitive format, or nullopt.
std::optional<arrow_type> primitive(std::string_view f, std::string& zone_error) {
  const auto of = [](kind k, int bytes = 0, std::int64_t per_day = 0) {
    arrow_type t;
    t.k = k;
    t.bytes = bytes;
    t.per_day = per_day;
    return t;
  };
  if (f == "n") return of(kind::null);
  if (f == "b") return of(kind::boolean);
  static constexpr std::pair<char, int> ints[] = {{'c', 1}, {'s', 2}, {'i', 4}, {'l', 8}};
  for (auto [c, w] : ints) {
    if (f.size() == 1 && f[0] == c) return of(kind::sint, w);
    if (f.size() == 1 && f[0] == c - 32) return of(kind::uint, w);
  }
  if (f == "f") return of(kind::floating, 4);
  if (f == "g") return of(kind::floating, 8);
  if (f == "u") return of(kind::utf8);
  if (f == "U") return of(kind::large_utf8);
  if (f == "vu") return of(kind::utf8_view);
  if (f.starts_with("d:")) { // decimal128 "d:precision,scale" (",128" optional); other widths are refused
    const auto comma = f.find(',');
    int precision = 0, scale = 0;
    if (comma == std::string_view::npos) return std::nullopt;
    const auto rest = f.substr(comma + 1);
    const auto end = rest.find(',');
    if (end != std::string_view::npos && rest.substr(end + 1) != "128") return std::nullopt;
    const auto sc = rest.substr(0, end);
    if (std::from_chars(f.data() + 2, f.data() + comma, precision).ec != std::errc{} ||
        std::from_chars(sc.data(), sc.data() + sc.size(), scale).ec != std::errc{} || scale < -300 || scale > 300)
      return std::nullopt;
    return of(kind::decimal, scale);
  }
  if (f == "tdD") return of(kind::date32);
  if (f == "tdm") return of(kind::date64, 0, 86'400'000);
  if (f.size() >= 4 && f.starts_with("ts") && f[3] == ':') {
    std::int64_t per_second = 0;
    switch (f[2]) {
    case 's': per_second = 1; break;
    case 'm': per_second = 1'000; break;
    case 'u': per_second = 1'000'000; break;
    case 'n': per_second = 1'000'000'000; break;
    default: return std::nullopt;
    }
    const auto zone = zone_seconds(f.substr(4));
    if (!zone) {
      zone_error = "a timestamp in time zone \"" + std::string(f.substr(4)) +
                   "\", whose calendar days need a time zone database: convert it to dates first (polars: "
                   ".dt.date(), pyarrow: .cast(pa.date32()) after converting to local time)";
      return std::nullopt;
    }
    arrow_type t = of(kind::timestamp, 0, per_second * 86'400);
    t.offset = *zone * per_second;
    return t;
  }
  return std::nullopt;
}

/// The type of column `name` from its schema; data_error naming the column and the format for
/// types that cannot hold observations.
arrow_type column_type(const ArrowSchema* s, const std::string& where, const std::string& column) {
  location at;
  at.column = column;
  const std::string_view f = s->format ? s->format : "";
  std::string zone_error;
  if (s->dictionary) {
    const auto index = primitive(f, zone_error);
    const std::string_view vf = s->dictionary->format ? s->dictionary->format : "";
    auto values = primitive(vf, zone_error);
    if (!index || (index->k != kind::sint && index->k != kind::uint) || !values || !values->is_text())
      throw data_error(where + ": expected dictionary-encoded text (a categorical), got a dictionary of Arrow format " +
                           quoted(vf) + " with indices of format " + quoted(f),
                       at);
    values->dictionary = true;
    values->index_signed = index->k == kind::sint;
    values->index_bytes = index->bytes;
    return *values;
  }
  if (auto t = primitive(f, zone_error)) return *t;
  if (!zone_error.empty()) throw data_error(where + ": expected dates, got " + zone_error, at);
  throw data_error(where + ": expected numbers, text, booleans or dates, got Arrow format " + quoted(f) + " (" +
                       format_meaning(f) + ")",
                   at);
}

// --- reading one column of one batch ---------------------------------------------------------------

/// A column of one batch: its array, the offset of its first row (the batch's and its own) and rows.
struct slice {
  const ArrowArray* a = nullptr;
  std::int64_t offset = 0;
  std::int64_t length = 0;
  std::string where; ///< "<source>: column <name>", for messages about malformed data
  std::string column; ///< the column's name (empty for a whole batch)

  /// The place of errors about this slice: its column.
  location place() const {
    location at;
    at.column = column;
    return at;
  }

  bool has_nulls() const { return a->null_count != 0 && a->n_buffers > 0 && a->buffers[0]; }
  bool valid(std::int64_t i) const {
    const auto* bits = static_cast<const std::uint8_t*>(a->buffers[0]);
    const std::int64_t j = offset + i;
    return (bits[j >> 3] >> (j & 7)) & 1;
  }
  /// Buffer `k` (null only where the column has no rows).
  template <class T>
  const T* buffer(std::int64_t k) const {
    if (k >= a->n_buffers)
      throw data_error(where + ": malformed Arrow array (buffer " + std::to_string(k) + " missing)", place());
    const void* p = a->buffers[k];
    if (!p && length > 0)
      throw data_error(where + ": malformed Arrow array (buffer " + std::to_string(k) + " is null)", place());
    return static_cast<const T*>(p);
  }
};

template <class T>
T load(const void* p) {
  T x;
  std::memcpy(&x, p, sizeof x);
  return x;
}

__extension__ typedef __int128 int128; // GCC and Clang; Arrow's decimal128 is a little-endian int128
__extension__ typedef unsigned __int128 uint128;

/// The double nearest to unscaled / 10^scale: exact division of exact doubles when the unscaled
/// value has at most 53 bits (IEEE division rounds correctly), else through its decimal text.
double decimal_value(const std::uint8_t* p, int scale) {
  const auto lo = load<std::uint64_t>(p);
  const auto hi = load<std::int64_t>(p + 8);
  const int128 v = static_cast<int128>((static_cast<uint128>(static_cast<std::uint64_t>(hi)) << 64) | lo);
  constexpr int128 exact = int128{1} << 53;
  if (v > -exact && v < exact && scale >= 0 && scale <= 22)
    return static_cast<double>(static_cast<std::int64_t>(v)) / std::pow(10.0, scale);
  std::string digits;
  uint128 u = v < 0 ? static_cast<uint128>(-(v + 1)) + 1 : static_cast<uint128>(v);
  do {
    digits += static_cast<char>('0' + static_cast<int>(u % 10));
    u /= 10;
  } while (u != 0);
  std::string text = v < 0 ? "-" : "";
  text.append(digits.rbegin(), digits.rend());
  text += "e" + std::to_string(-scale);
  double x = 0;
  std::from_chars(text.data(), text.data() + text.size(), x);
  return x;
}

/// Calls f(i, value) for each valid row of an integer or float column (value as the stored type),
/// and nul(i) for each null row.
template <class F, class N>
void visit_numbers(const slice& c, const arrow_type& t, F&& f, N&& nul) {
  const auto run = [&](const auto* data) {
    const bool nulls = c.has_nulls();
    for (std::int64_t i = 0; i < c.length; ++i) {
      if (nulls && !c.valid(i))
        nul(i);
      else
        f(i, data[c.offset + i]);
    }
  };
  if (t.k == kind::decimal) {
    const auto* data = c.buffer<std::uint8_t>(1);
    const bool nulls = c.has_nulls();
    for (std::int64_t i = 0; i < c.length; ++i) {
      if (nulls && !c.valid(i))
        nul(i);
      else
        f(i, decimal_value(data + 16 * (c.offset + i), t.bytes));
    }
  } else if (t.k == kind::floating) {
    if (t.bytes == 4)
      run(c.buffer<float>(1));
    else
      run(c.buffer<double>(1));
  } else if (t.k == kind::sint) {
    switch (t.bytes) {
    case 1: run(c.buffer<std::int8_t>(1)); break;
    case 2: run(c.buffer<std::int16_t>(1)); break;
    case 4: run(c.buffer<std::int32_t>(1)); break;
    default: run(c.buffer<std::int64_t>(1)); break;
    }
  } else {
    switch (t.bytes) {
    case 1: run(c.buffer<std::uint8_t>(1)); break;
    case 2: run(c.buffer<std::uint16_t>(1)); break;
    case 4: run(c.buffer<std::uint32_t>(1)); break;
    default: run(c.buffer<std::uint64_t>(1)); break;
    }
  }
}

/// An allocator that leaves the elements of resize() uninitialised: a column's cells are all
/// written once by the reading that sizes it, so filling them with zeros first only costs time.
template <class T>
struct uninitialized : std::allocator<T> {
  template <class U>
  struct rebind {
    using other = uninitialized<U>;
  };
  uninitialized() = default;
  template <class U>
  uninitialized(const uninitialized<U>&) noexcept {}
  template <class U>
  void construct(U* p) noexcept {
    ::new (static_cast<void*>(p)) U;
  }
  template <class U, class... A>
  void construct(U* p, A&&... a) {
    ::new (static_cast<void*>(p)) U(std::forward<A>(a)...);
  }
};
/// A column of cells, each written once after resize().
template <class T>
using cells = std::vector<T, uninitialized<T>>;

/// Numbers as doubles, NaN for nulls (the empty cell).
void append_numbers(cells<double>& out, const slice& c, const arrow_type& t) {
  const std::size_t base = out.size();
  out.resize(base + static_cast<std::size_t>(c.length));
  double* dst = out.data() + base;
  visit_numbers(
      c, t, [&](std::int64_t i, auto x) { dst[i] = static_cast<double>(x) + 0.0; }, // + 0.0: -0 is 0, as "0" reads
      [&](std::int64_t i) { dst[i] = std::numeric_limits<double>::quiet_NaN(); });
}

constexpr std::int64_t null_day = std::numeric_limits<std::int64_t>::min();

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  const std::int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/// Day numbers of a date or timestamp column (the calendar day in the column's time zone),
/// null_day for nulls.
void append_days(cells<std::int64_t>& out, const slice& c, const arrow_type& t) {
  const std::size_t base = out.size();
  out.resize(base + static_cast<std::size_t>(c.length));
  std::int64_t* dst = out.data() + base;
  const bool nulls = c.has_nulls();
  if (t.k == kind::date32) {
    const auto* d = c.buffer<std::int32_t>(1);
    for (std::int64_t i = 0; i < c.length; ++i) dst[i] = nulls && !c.valid(i) ? null_day : d[c.offset + i];
    return;
  }
  const auto* v = c.buffer<std::int64_t>(1);
  for (std::int64_t i = 0; i < c.length; ++i) {
    if (nulls && !c.valid(i)) {
      dst[i] = null_day;
      continue;
    }
    const std::int64_t x = v[c.offset + i];
    std::int64_t day = floor_div(x, t.per_day);
    const std::int64_t rest = x - day * t.per_day + t.offset; // within (-1, 2) days
    if (rest >= t.per_day) ++day;
    if (rest < 0) --day;
    dst[i] = day;
  }
}

/// A column dictionary-encoded: codes[row] indexes texts, the distinct cells as the text
/// observations_from_frame would give them; code 0 is the empty cell (also every null).
class text_codes {
public:
  cells<std::uint32_t> codes;
  std::vector<std::string> texts{""};

  void append(const slice& c, const arrow_type& t) {
    const std::size_t base = codes.size();
    codes.resize(base + static_cast<std::size_t>(c.length));
    std::uint32_t* dst = codes.data() + base;
    // the rows below leave a null (or a NaN) at code 0; without those, every row is written
    if (c.has_nulls() || t.k == kind::null || t.k == kind::floating || t.k == kind::decimal)
      std::fill_n(dst, c.length, std::uint32_t{0});
    if (t.k == kind::null) return;
    if (t.dictionary) {
      append_dictionary(c, t, dst);
      return;
    }
    if (t.is_text()) {
      const bool nulls = c.has_nulls();
      for_each_text(c, t.k, [&](std::int64_t i, std::string_view s) {
        if (!nulls || c.valid(i)) dst[i] = of_text(s);
      });
      return;
    }
    if (t.k == kind::boolean) {
      const auto* bits = c.buffer<std::uint8_t>(1);
      const bool nulls = c.has_nulls();
      for (std::int64_t i = 0; i < c.length; ++i) {
        if (nulls && !c.valid(i)) continue;
        const std::int64_t j = c.offset + i;
        const auto bit = static_cast<std::uint64_t>((bits[j >> 3] >> (j & 7)) & 1);
        dst[i] = of_number(bit, [](std::uint64_t b) { return std::string(b ? "true" : "false"); });
      }
      return;
    }
    if (t.is_date()) {
      cells<std::int64_t> days;
      append_days(days, c, t);
      for (std::size_t i = 0; i < days.size(); ++i)
        if (days[i] != null_day)
          dst[i] = of_number(static_cast<std::uint64_t>(days[i]),
                             [](std::uint64_t d) { return day_text(static_cast<std::int64_t>(d)); });
      return;
    }
    if (t.k == kind::sint || t.k == kind::uint) {
      switch ((t.k == kind::sint ? 0 : 8) + t.bytes) {
      case 1: append_integers(c, c.buffer<std::int8_t>(1), dst); break;
      case 2: append_integers(c, c.buffer<std::int16_t>(1), dst); break;
      case 4: append_integers(c, c.buffer<std::int32_t>(1), dst); break;
      case 8: append_integers(c, c.buffer<std::int64_t>(1), dst); break;
      case 9: append_integers(c, c.buffer<std::uint8_t>(1), dst); break;
      case 10: append_integers(c, c.buffer<std::uint16_t>(1), dst); break;
      case 12: append_integers(c, c.buffer<std::uint32_t>(1), dst); break;
      default: append_integers(c, c.buffer<std::uint64_t>(1), dst); break;
      }
      return;
    }
    visit_numbers(
        c, t,
        [&](std::int64_t i, auto x) {
          using X = decltype(x);
          if constexpr (std::is_floating_point_v<X>) {
            const double v = static_cast<double>(x) + 0.0;
            if (!std::isnan(v))
              dst[i] = of_number(std::bit_cast<std::uint64_t>(v), [v](std::uint64_t) { return float_text(v); });
          } else {
            dst[i] = of_number(static_cast<std::uint64_t>(x), [x](std::uint64_t) { return std::to_string(x); });
          }
        },
        [](std::int64_t) {});
  }

private:
  // keys are views of the Arrow buffers, which live until the read ends
  std::unordered_map<std::string_view, std::uint32_t> by_text_{{std::string_view(), 0}};
  std::unordered_map<std::uint64_t, std::uint32_t> by_number_;
  std::string_view last_;
  std::uint32_t last_code_ = 0;

  std::uint32_t of_text(std::string_view s) {
    if (s.size() == last_.size() && (s.empty() || std::memcmp(s.data(), last_.data(), s.size()) == 0))
      return last_code_;
    auto [it, added] = by_text_.try_emplace(s, static_cast<std::uint32_t>(texts.size()));
    if (added) texts.emplace_back(s);
    last_ = s;
    last_code_ = it->second;
    return it->second;
  }
  template <class Text>
  std::uint32_t of_number(std::uint64_t key, Text&& text) {
    auto [it, added] = by_number_.try_emplace(key, static_cast<std::uint32_t>(texts.size()));
    if (added) texts.emplace_back(text(key));
    return it->second;
  }

  /// The codes of an integer column (years, numbers as ids). When the batch's values span a
  /// small range (years: a few), a table indexed by value - min stands in for the hash map per row;
  /// each distinct value still gets its code (and text) from of_number, in order of first appearance.
  template <class X>
  void append_integers(const slice& c, const X* data, std::uint32_t* dst) {
    const bool nulls = c.has_nulls();
    bool any = false;
    X lo = 0, hi = 0;
    for (std::int64_t i = 0; i < c.length; ++i) {
      if (nulls && !c.valid(i)) continue;
      const X x = data[c.offset + i];
      if (!any || x < lo) lo = x;
      if (!any || x > hi) hi = x;
      any = true;
    }
    if (!any) return;
    const auto text = [](std::uint64_t key) { return std::to_string(static_cast<X>(key)); };
    constexpr std::uint64_t dense_max = 1 << 16;
    const std::uint64_t span = static_cast<std::uint64_t>(hi) - static_cast<std::uint64_t>(lo); // hi >= lo
    if (span >= dense_max) {
      for (std::int64_t i = 0; i < c.length; ++i)
        if (!nulls || c.valid(i)) dst[i] = of_number(static_cast<std::uint64_t>(data[c.offset + i]), text);
      return;
    }
    constexpr std::uint32_t unset = std::numeric_limits<std::uint32_t>::max();
    std::vector<std::uint32_t> code_of(static_cast<std::size_t>(span) + 1, unset);
    for (std::int64_t i = 0; i < c.length; ++i) {
      if (nulls && !c.valid(i)) continue;
      const std::uint64_t key = static_cast<std::uint64_t>(data[c.offset + i]);
      std::uint32_t& code = code_of[static_cast<std::size_t>(key - static_cast<std::uint64_t>(lo))];
      if (code == unset) code = of_number(key, text);
      dst[i] = code;
    }
  }

  template <class F>
  static void for_each_text(const slice& c, kind k, F&& f) {
    if (k == kind::utf8 || k == kind::large_utf8) {
      const auto run = [&](const auto* offsets) {
        const char* data = c.buffer<char>(2);
        for (std::int64_t i = 0; i < c.length; ++i) {
          const auto from = offsets[c.offset + i], to = offsets[c.offset + i + 1];
          if (to < from)
            throw data_error(c.where + ": malformed Arrow string array (offsets decrease)", c.place());
          f(i, to == from ? std::string_view() : std::string_view(data + from, static_cast<std::size_t>(to - from)));
        }
      };
      if (k == kind::utf8)
        run(c.buffer<std::int32_t>(1));
      else
        run(c.buffer<std::int64_t>(1));
      return;
    }
    // string_view: 16-byte views; up to 12 bytes inline, else prefix, buffer index and offset
    const auto* views = c.buffer<std::uint8_t>(1);
    const std::int64_t data_buffers = c.a->n_buffers - 3; // validity, views, ..., variadic sizes
    for (std::int64_t i = 0; i < c.length; ++i) {
      const std::uint8_t* v = views + 16 * (c.offset + i);
      const auto size = load<std::int32_t>(v);
      if (size <= 12) {
        f(i, std::string_view(reinterpret_cast<const char*>(v + 4), static_cast<std::size_t>(size < 0 ? 0 : size)));
        continue;
      }
      const auto index = load<std::int32_t>(v + 8), at = load<std::int32_t>(v + 12);
      if (index < 0 || index >= data_buffers || at < 0)
        throw data_error(c.where + ": malformed Arrow string view (buffer " + std::to_string(index) + ")", c.place());
      const char* data = static_cast<const char*>(c.a->buffers[2 + index]);
      f(i, std::string_view(data + at, static_cast<std::size_t>(size)));
    }
  }

  void append_dictionary(const slice& c, const arrow_type& t, std::uint32_t* dst) {
    const ArrowArray* d = c.a->dictionary;
    if (!d) throw data_error(c.where + ": malformed Arrow dictionary array (no dictionary)", c.place());
    slice values{d, d->offset, d->length, c.where, c.column};
    std::vector<std::uint32_t> code_of(static_cast<std::size_t>(d->length), 0);
    const bool value_nulls = values.has_nulls();
    for_each_text(values, t.k, [&](std::int64_t i, std::string_view s) {
      if (!value_nulls || values.valid(i)) code_of[static_cast<std::size_t>(i)] = of_text(s);
    });
    const auto n = static_cast<std::int64_t>(code_of.size());
    arrow_type index;
    index.k = t.index_signed ? kind::sint : kind::uint;
    index.bytes = t.index_bytes;
    visit_numbers(
        c, index,
        [&](std::int64_t i, auto k) {
          const auto j = static_cast<std::int64_t>(k);
          if (j < 0 || j >= n)
            throw data_error(c.where + ": malformed Arrow dictionary array (index " + std::to_string(j) + " of " +
                                 std::to_string(n) + " values)",
                             c.place());
          dst[i] = code_of[static_cast<std::size_t>(j)];
        },
        [](std::int64_t) {});
  }
};

// --- the columns of the input ------------------------------------------------------------------

/// One input column as read: numbers, days, or dictionary-encoded text.
struct input_column {
  enum class read_as { text, numbers, days };
  int index = -1; ///< in the schema; -1: absent
  std::string name;
  arrow_type type;
  read_as as = read_as::text;
  text_codes text;
  cells<double> numbers;
  cells<std::int64_t> days;

  bool present() const { return index >= 0; }
  void append(const slice& c) {
    if (as == read_as::numbers)
      append_numbers(numbers, c, type);
    else if (as == read_as::days)
      append_days(days, c, type);
    else
      text.append(c, type);
  }
};

on_bad_row parse_mode(std::string_view s) {
  if (s == "raise") return on_bad_row::raise;
  if (s == "collect") return on_bad_row::collect;
  throw error("on_bad_row: expected \"raise\" or \"collect\", got \"" + std::string(s) + "\"");
}

constexpr std::uint32_t npos = entity_tree::npos;

/// A time as parsed once per distinct cell.
struct parsed_time {
  bool ok = false;
  day_number start = 0, end = 0;
};

/// Days 1400-01-01 and 9999-12-31 (the dates a text cell can hold).
constexpr std::int64_t first_day = -208'657, last_day = 2'932'896;

py::tuple observations_from_arrow_stream(plan& p, py::object obj, std::string_view on_bad, bool add_entities,
                                         const std::string& source) {
  const on_bad_row mode = parse_mode(on_bad);
  if (add_entities) require_plan_not_read(&p, "observations_from_arrow");

  // 1. The stream (holding the GIL: its callbacks may call Python).
  const py::object capsule = obj.attr("__arrow_c_stream__")();
  if (!PyCapsule_IsValid(capsule.ptr(), "arrow_array_stream"))
    throw arg_type_error(source + ": __arrow_c_stream__() did not return an \"arrow_array_stream\" capsule");
  auto* raw = static_cast<ArrowArrayStream*>(PyCapsule_GetPointer(capsule.ptr(), "arrow_array_stream"));
  if (!raw || !raw->release) throw error(source + ": the Arrow stream was already consumed");
  arrow::stream stream(raw);
  const auto stream_error = [&](int code, const char* what) {
    const char* msg = stream->get_last_error ? stream->get_last_error(stream.get()) : nullptr;
    throw data_error(source + ": reading the Arrow stream failed (" + what + ", error " + std::to_string(code) +
                     (msg ? std::string("): ") + msg : std::string(")")));
  };
  arrow::schema schema;
  if (int rc = stream->get_schema(stream.get(), schema.out()); rc != 0) stream_error(rc, "get_schema");
  if (!schema->format || std::string_view(schema->format) != "+s")
    throw data_error(source + ": expected a table (an Arrow struct of columns), got Arrow format " +
                     quoted(schema->format ? schema->format : ""));

  static constexpr const char* names[] = {"indicator", "entity", "value", "date", "period", "year",
                                          "weight", "estimated", "provisional", "parent", "entity_name",
                                          "entity_kind", "stage", "students", "start", "end", "missing"};
  constexpr std::size_t n_names = std::size(names);
  std::vector<input_column> cols(n_names);
  std::string listed;
  for (std::int64_t k = 0; k < schema->n_children; ++k) {
    const ArrowSchema* child = schema->children[k];
    const std::string raw_name = child->name ? child->name : "";
    listed += (listed.empty() ? "" : ", ") + raw_name;
    const std::string_view name = trim(raw_name);
    for (std::size_t j = 0; j < n_names; ++j) {
      if (name != names[j]) continue;
      if (cols[j].present())
        throw data_error(source + ": column " + quoted(name) + " appears twice (columns " +
                             std::to_string(cols[j].index + 1) + " and " + std::to_string(k + 1) +
                             "): which one holds the data is ambiguous",
                         in_column(std::string(name)));
      cols[j].index = static_cast<int>(k);
      cols[j].name = names[j];
    }
  }
  enum { c_ind, c_ent, c_val, c_date, c_period, c_year, c_w, c_est, c_prov, c_parent, c_name, c_kind, c_stage,
         c_students, c_start, c_end, c_missing };
  for (int required : {c_ind, c_ent, c_val})
    if (!cols[required].present())
      throw data_error(source + ": missing column \"" + names[required] + "\" (columns are: " + listed + ")",
                       in_column(names[required]));
  const bool start_end = cols[c_start].present() && cols[c_end].present();
  const int n_time = (cols[c_date].present() ? 1 : 0) + (cols[c_period].present() ? 1 : 0) +
                     (cols[c_year].present() ? 1 : 0) + (start_end ? 1 : 0);
  if (n_time != 1)
    throw data_error(source + ": expected exactly one of the columns \"date\", \"period\" or \"year\" (columns are: " +
                     listed + ")");
  if (!start_end) cols[c_start].index = cols[c_end].index = -1; // a lone start or end column is just ignored
  const int c_time = cols[c_date].present() ? c_date : cols[c_period].present() ? c_period
                     : cols[c_year].present()  ? c_year
                                               : c_start;
  const std::string time_name = names[c_time];
  for (auto& c : cols) {
    if (!c.present()) continue;
    c.type = column_type(schema->children[c.index], source + ": column " + c.name, c.name);
    const bool dated = &c == &cols[c_date] || &c == &cols[c_start] || &c == &cols[c_end];
    if ((&c == &cols[c_val] || &c == &cols[c_w]) && c.type.is_number())
      c.as = input_column::read_as::numbers;
    else if (dated && c.type.is_date())
      c.as = input_column::read_as::days;
  }

  // 2. Every batch, still holding the GIL.
  std::vector<arrow::array> batches;
  std::size_t n = 0;
  for (;;) {
    arrow::array batch;
    if (int rc = stream->get_next(stream.get(), batch.out()); rc != 0) stream_error(rc, "get_next");
    if (!batch.live()) break;
    if (batch->n_children != schema->n_children || batch->length < 0)
      throw data_error(source + ": malformed Arrow batch (" + std::to_string(batch->n_children) +
                       " columns, the schema has " + std::to_string(schema->n_children) + ")");
    if (batch->null_count != 0 && batch->n_buffers > 0 && batch->buffers[0]) {
      const slice whole{batch.get(), batch->offset, batch->length, source, {}};
      for (std::int64_t i = 0; i < batch->length; ++i)
        if (!whole.valid(i))
          throw data_error(source + ": row " + std::to_string(n + static_cast<std::size_t>(i)) +
                               " is null as a whole (a null struct), not a row of cells",
                           at_row(n + static_cast<std::size_t>(i), {}));
    }
    n += static_cast<std::size_t>(batch->length);
    if (batch->length > 0) batches.push_back(std::move(batch));
  }
  if (n >= npos) throw data_error(source + ": too many rows (" + std::to_string(n) + ")");

  // 3. Decode the columns without the GIL: only our arrays are read (see the notes at the top).
  {
    const py::gil_scoped_release release;
    for (auto& c : cols) {
      if (!c.present()) continue;
      c.text.codes.reserve(c.as == input_column::read_as::text ? n : 0);
      c.numbers.reserve(c.as == input_column::read_as::numbers ? n : 0);
      c.days.reserve(c.as == input_column::read_as::days ? n : 0);
      const std::string where = source + ": column " + c.name;
      for (const auto& b : batches) {
        const ArrowArray* a = b->children[c.index];
        if (a->offset < 0 || a->length < b->offset + b->length)
          throw data_error(where + ": malformed Arrow batch (the column is shorter than the batch)", in_column(c.name));
        c.append(slice{a, a->offset + b->offset, b->length, where, c.name});
      }
    }
  }

  // 4. Distinct cells: ids looked up, times parsed, once each.
  id_or_name ind_lookup(p, name_index::items::indicators), ent_lookup(p, name_index::items::entities);
  const auto& ind_text = cols[c_ind].text;
  std::vector<std::uint32_t> ind_of(ind_text.texts.size(), npos);
  for (std::size_t k = 0; k < ind_of.size(); ++k)
    if (auto i = ind_lookup.find(trim(ind_text.texts[k]))) ind_of[k] = *i; // an id, or a name only one has
  const auto& ent_text = cols[c_ent].text;
  std::vector<std::uint32_t> ent_of(ent_text.texts.size(), npos);
  for (std::size_t k = 0; k < ent_of.size(); ++k)
    if (auto e = ent_lookup.find(trim(ent_text.texts[k]))) ent_of[k] = *e;

  const auto parse_times = [](const input_column& c, int which) {
    std::vector<parsed_time> out(c.text.texts.size());
    for (std::size_t k = 0; k < out.size(); ++k) {
      const std::string_view txt = trim(c.text.texts[k]);
      std::optional<period> per;
      if (which == c_date || which == c_start || which == c_end) {
        if (auto d = parse_date(txt, which == c_start ? date_role::start : date_role::end))
          per = period{*d, *d, period_kind::custom};
      } else if (which == c_period) {
        per = parse_period(txt);
      } else if (txt.size() == 4) {
        per = parse_period(txt);
      } else if (txt.size() == 6 && txt.substr(4) == ".0") {
        per = parse_period(txt.substr(0, 4));
      }
      if (per) out[k] = {true, to_day_number(per->start), to_day_number(per->end)};
    }
    return out;
  };
  std::vector<parsed_time> time_parsed, end_parsed;
  if (cols[c_time].as == input_column::read_as::text) time_parsed = parse_times(cols[c_time], c_time);
  if (start_end && cols[c_end].as == input_column::read_as::text) end_parsed = parse_times(cols[c_end], c_end);
  const std::string time_expected = c_time == c_period ? "expected a period (\"YYYY\" or school year \"YYYY/YYYY\")"
                                    : c_time == c_year ? "expected a year (YYYY)"
                                                       : "expected a date (YYYY-MM-DD, YYYY-MM or YYYY)";

  /// Per distinct text of a flag column: 0 false, 1 true, 2 not a boolean.
  const auto parse_flags = [](const input_column& c) {
    std::vector<std::uint8_t> out(c.text.texts.size(), 0);
    for (std::size_t k = 0; k < out.size(); ++k) {
      const auto b = parse_bool(c.text.texts[k]);
      out[k] = b ? (*b ? 1 : 0) : 2;
    }
    return out;
  };
  std::vector<std::uint8_t> est_of, prov_of, missing_of;
  if (cols[c_est].present()) est_of = parse_flags(cols[c_est]);
  if (cols[c_prov].present()) prov_of = parse_flags(cols[c_prov]);
  if (cols[c_missing].present()) missing_of = parse_flags(cols[c_missing]);

  // value and weight given as text (or booleans): parsed once per distinct cell
  struct parsed_number {
    bool missing = false, number_ok = false, percent = false;
    double number = 0;
    std::optional<bool> boolean;
  };
  const auto parse_numbers = [](const input_column& c) {
    std::vector<parsed_number> out(c.text.texts.size());
    for (std::size_t k = 0; k < out.size(); ++k) {
      const std::string& t = c.text.texts[k];
      out[k].missing = detail::is_missing_cell(t);
      out[k].number_ok = detail::parse_number_cell(t, out[k].number, out[k].percent);
      out[k].boolean = parse_bool(t);
    }
    return out;
  };
  const input_column& val = cols[c_val];
  const input_column& wcol = cols[c_w];
  const bool value_numbers = val.as == input_column::read_as::numbers;
  const bool has_weight = wcol.present(), weight_numbers = wcol.as == input_column::read_as::numbers;
  std::vector<parsed_number> value_parsed, weight_parsed;
  if (!value_numbers) value_parsed = parse_numbers(val);
  if (has_weight && !weight_numbers) weight_parsed = parse_numbers(wcol);

  // 5. The rows, in input order, by read_observations' rules: the common rows in a fast pass without
  // the GIL, the others after it holding the GIL (entities may be added).
  // The fast pass (below) applies when the value and weight are numbers and the time one column.
  const bool fast = value_numbers && (!has_weight || weight_numbers) && !start_end &&
                    (cols[c_time].as == input_column::read_as::days || cols[c_time].as == input_column::read_as::text);
  // The rows' cells. With the fast pass, a row's indicator, entity, value and weight are written over
  // its input cells (the codes and numbers, of the same types), which only that row reads, and
  // before it is written; every cell is written (rows left out get npos and zeros), so none is
  // filled first. Without it, as many new columns, filled with npos and zeros.
  std::vector<std::uint32_t> ind_own, ent_own;
  std::vector<double> value_own, weight_own;
  if (!fast) {
    ind_own.assign(n, npos);
    ent_own.assign(n, 0);
    value_own.assign(n, 0.0);
    weight_own.assign(has_weight ? n : 0, 0.0);
  }
  std::uint32_t* const ind = fast ? cols[c_ind].text.codes.data() : ind_own.data();
  std::uint32_t* const ent = fast ? cols[c_ent].text.codes.data() : ent_own.data();
  double* const value = fast ? cols[c_val].numbers.data() : value_own.data();
  double* const weight = !has_weight ? nullptr : fast ? cols[c_w].numbers.data() : weight_own.data();
  cells<day_number> start, end;
  cells<std::uint8_t> flag;
  start.resize(n);
  end.resize(n);
  flag.resize(n);
  if (!fast) {
    std::fill_n(start.data(), n, 0);
    std::fill_n(end.data(), n, 0);
    std::fill_n(flag.data(), n, 0);
  }
  std::vector<rejection> pre; // rows the pass rejects, by row
  ingest_report report;
  const auto text_of = [&](int c, std::size_t i) -> const std::string& {
    static const std::string none;
    return cols[c].present() ? cols[c].text.texts[cols[c].text.codes[i]] : none;
  };
  const auto reject = [&](std::size_t i, std::string column, rejection_reason reason, std::string message) {
    if (mode == on_bad_row::raise)
      throw data_error(source + ": row " + std::to_string(i) + ", column " + column + ": " + message,
                       at_row(i, column), message);
    pre.push_back({i, std::move(column), reason, std::move(message)});
  };
  const auto days_of = [&](int c, std::size_t i, const std::vector<parsed_time>& parsed, day_number& s,
                           day_number& e) {
    const input_column& col = cols[c];
    if (col.as == input_column::read_as::days) {
      const std::int64_t d = col.days[i];
      if (d == null_day || d < first_day || d > last_day) return false;
      s = e = static_cast<day_number>(d);
      return true;
    }
    const parsed_time& t = parsed[col.text.codes[i]];
    s = t.start;
    e = t.end;
    return t.ok;
  };
  const auto time_cell = [&](int c, std::size_t i) {
    const input_column& col = cols[c];
    if (col.as == input_column::read_as::days) {
      const std::int64_t d = col.days[i];
      return d == null_day ? std::string() : day_text(d);
    }
    return std::string(trim(col.text.texts[col.text.codes[i]]));
  };

  // A row with nothing in it (every cell read empty or blank) is skipped and counted in a note.
  std::vector<std::vector<std::uint8_t>> blank_of(n_names);
  for (std::size_t c = 0; c < n_names; ++c)
    if (cols[c].present() && cols[c].as == input_column::read_as::text) {
      blank_of[c].resize(cols[c].text.texts.size());
      for (std::size_t k = 0; k < blank_of[c].size(); ++k)
        blank_of[c][k] = detail::trim_cell(cols[c].text.texts[k]).empty() ? 1 : 0;
    }
  const auto blank_row = [&](std::size_t i) {
    for (std::size_t c = 0; c < n_names; ++c) {
      const input_column& col = cols[c];
      if (!col.present() || static_cast<int>(c) == c_missing) continue; // "missing" only qualifies the value
      const bool blank = col.as == input_column::read_as::numbers ? std::isnan(col.numbers[i])
                         : col.as == input_column::read_as::days  ? col.days[i] == null_day
                                                                  : blank_of[c][col.text.codes[i]] != 0;
      if (!blank) return false;
    }
    return true;
  };
  std::vector<std::size_t> blank_rows;

  // The exact rules, for one row (the rows the fast pass below leaves, or all of them).
  const auto exact_row = [&](std::size_t i) {
    // indicator
    const std::uint32_t ind_code = ind_text.codes[i];
    if (blank_of[c_ind][ind_code] && blank_row(i)) {
      blank_rows.push_back(i);
      return;
    }
    const std::uint32_t row_ind = ind_of[ind_code];
    if (row_ind == npos) {
      reject(i, "indicator", rejection_reason::unknown_indicator,
             "unknown indicator " + quoted(ind_text.texts[ind_code]));
      return;
    }
    // entity (possibly added under a known parent)
    const std::uint32_t ent_code = ent_text.codes[i];
    std::uint32_t row_ent = ent_of[ent_code];
    if (row_ent == npos) {
      const std::string& s = ent_text.texts[ent_code];
      const std::string parent(trim(text_of(c_parent, i)));
      if (auto k = ent_lookup.find(trim(s))) {
        row_ent = ent_of[ent_code] = *k;
      } else if (add_entities && cols[c_parent].present() && !parent.empty()) {
        const auto parent_index = ent_lookup.find(parent);
        if (!parent_index) {
          reject(i, "parent", rejection_reason::missing_parent,
                 "entity " + quoted(s) + " is new and its parent " + quoted(parent) + " is unknown");
          return;
        }
        auto made = detail::entity_from_cells(
            s, p.entities()[*parent_index].id, text_of(c_name, i), text_of(c_kind, i), text_of(c_stage, i),
            cols[c_students].present() ? std::string_view(text_of(c_students, i)) : std::string_view{});
        if (auto* bad = std::get_if<detail::entity_cell_problem>(&made)) {
          reject(i, bad->column, rejection_reason::wrong_type, std::move(bad->message));
          return;
        }
        try {
          row_ent = p.add_entity(std::get<entity>(std::move(made)));
        } catch (const plan_error& err) {
          reject(i, "entity", rejection_reason::unknown_entity, err.what());
          return;
        }
        ent_of[ent_code] = row_ent;
        report.added_entities.push_back(std::string(trim(s)));
      } else {
        reject(i, "entity", rejection_reason::unknown_entity,
               "unknown entity " + quoted(s) +
                   (cols[c_parent].present() ? " (give its parent in column \"parent\" to add it)"
                                             : " (add a \"parent\" column to add new entities)"));
        return;
      }
    }
    // period
    day_number s = 0, e = 0;
    if (!days_of(c_time, i, time_parsed, s, e)) {
      reject(i, time_name, rejection_reason::bad_date, time_expected + ", got " + quoted(time_cell(c_time, i)));
      return;
    }
    if (start_end) {
      day_number s2 = 0;
      if (!days_of(c_end, i, end_parsed, s2, e)) {
        reject(i, "end", rejection_reason::bad_date, time_expected + ", got " + quoted(time_cell(c_end, i)));
        return;
      }
    }
    // value
    double x = 0;
    std::uint8_t f = 0;
    const indicator& indic = p.indicators()[row_ind];
    const bool boolean = indic.kind == value_kind::boolean;
    if (!missing_of.empty() && missing_of[cols[c_missing].text.codes[i]] == 1) {
      f |= flags::missing;
    } else if (value_numbers) {
      const double v = val.numbers[i];
      if (std::isnan(v)) {
        f |= flags::missing;
      } else if (boolean && v != 0 && v != 1) {
        reject(i, "value", rejection_reason::wrong_type,
               "expected true or false for boolean " + quoted(indic.id) + ", got " + quoted(float_text(v)));
        return;
      } else {
        x = v;
      }
    } else {
      const std::uint32_t code = val.text.codes[i];
      const parsed_number& v = value_parsed[code];
      if (v.missing) {
        f |= flags::missing;
      } else if (boolean) {
        if (!v.boolean) {
          reject(i, "value", rejection_reason::wrong_type,
                 "expected true or false for boolean " + quoted(indic.id) + ", got " + quoted(val.text.texts[code]));
          return;
        }
        x = *v.boolean ? 1.0 : 0.0;
      } else if (!v.number_ok) {
        const std::string& txt = val.text.texts[code];
        reject(i, "value", rejection_reason::wrong_type,
               "expected a number, got " + quoted(txt) +
                   (txt.find(',') != std::string::npos || txt.find("\xEF\xBC\x8C") != std::string::npos
                        ? " (thousands separators group three digits: 1,500 or 12,345.6)"
                        : ""));
        return;
      } else if (v.percent && !indic.is_percentage()) {
        reject(i, "value", rejection_reason::wrong_type,
               "expected a number in " + quoted(indic.unit) + " (the unit of " + quoted(indic.id) + "), got " +
                   quoted(val.text.texts[code]) + ": a percent sign only for an indicator in %");
        return;
      } else {
        x = v.number;
      }
    }
    // weight
    double w = 0;
    if (has_weight) {
      if (weight_numbers) {
        w = wcol.numbers[i];
        if (std::isnan(w)) {
          reject(i, "weight", rejection_reason::bad_weight, "expected a number, got \"\"");
          return;
        }
      } else {
        const std::uint32_t code = wcol.text.codes[i];
        if (!weight_parsed[code].number_ok || weight_parsed[code].percent) {
          reject(i, "weight", rejection_reason::bad_weight, "expected a number, got " + quoted(wcol.text.texts[code]));
          return;
        }
        w = weight_parsed[code].number;
      }
    }
    // flags
    bool bad_flag = false;
    for (auto [c, parsed, bit] :
         {std::tuple{c_est, &est_of, flags::estimated}, std::tuple{c_prov, &prov_of, flags::provisional}}) {
      if (parsed->empty()) continue;
      const std::uint32_t code = cols[c].text.codes[i];
      const std::uint8_t b = (*parsed)[code];
      if (b == 2) {
        reject(i, names[c], rejection_reason::wrong_type,
               "expected true or false, got " + quoted(cols[c].text.texts[code]));
        bad_flag = true;
        break;
      }
      if (b) f |= bit;
    }
    if (bad_flag) return;
    ind[i] = row_ind;
    ent[i] = row_ent;
    start[i] = s;
    end[i] = e;
    value[i] = x;
    if (has_weight) weight[i] = w;
    flag[i] = f;
  };

  // The fast pass, without the GIL, for the common rows: a known indicator that is not blank, an
  // entity already known, a time that reads, a number or an empty value (a 0 or 1 for booleans),
  // a weight that is a number, flags that are booleans. Such a row passes every rule of exact_row
  // and gets the same cells; every other row is left to exact_row, in input order, after the pass.
  // That order is the input order among those rows, and the fast rows change nothing the others
  // read (ent_of only gains entries, in exact_row), so the result is the same as one exact pass.
  if (!fast) {
    for (std::size_t i = 0; i < n; ++i) exact_row(i);
  } else {
    // per distinct indicator cell: its index, or npos for a cell the fast pass leaves (unknown, blank)
    std::vector<std::uint32_t> ind_fast(ind_of.size(), npos);
    for (std::size_t k = 0; k < ind_fast.size(); ++k)
      if (!blank_of[c_ind][k]) ind_fast[k] = ind_of[k];
    std::vector<std::uint8_t> boolean_ind(p.indicators().size(), 0);
    for (std::size_t k = 0; k < boolean_ind.size(); ++k)
      boolean_ind[k] = p.indicators()[k].kind == value_kind::boolean ? 1 : 0;
    // per distinct flag cell: the bits it sets, or 0xFF when it is not a boolean (exact_row rejects it)
    const auto flag_bits = [](const std::vector<std::uint8_t>& parsed, std::uint8_t bit) {
      std::vector<std::uint8_t> out(parsed.size(), 0);
      for (std::size_t k = 0; k < out.size(); ++k) out[k] = parsed[k] == 2 ? 0xFF : parsed[k] == 1 ? bit : 0;
      return out;
    };
    const std::vector<std::uint8_t> est_bits = flag_bits(est_of, flags::estimated),
                                    prov_bits = flag_bits(prov_of, flags::provisional);
    const input_column& tcol = cols[c_time];
    const bool time_days = tcol.as == input_column::read_as::days;
    const std::uint32_t* ind_codes = ind_text.codes.data();
    const std::uint32_t* ent_codes = ent_text.codes.data();
    const std::uint32_t* time_codes = time_days ? nullptr : tcol.text.codes.data();
    const std::int64_t* time_days_of = time_days ? tcol.days.data() : nullptr;
    const std::uint32_t* missing_codes = missing_of.empty() ? nullptr : cols[c_missing].text.codes.data();
    const std::uint32_t* est_codes = est_bits.empty() ? nullptr : cols[c_est].text.codes.data();
    const std::uint32_t* prov_codes = prov_bits.empty() ? nullptr : cols[c_prov].text.codes.data();
    const double* values = val.numbers.data();
    const double* weights = has_weight ? wcol.numbers.data() : nullptr;
    std::vector<std::uint32_t> slow; // rows for exact_row, in input order
    {
      const py::gil_scoped_release release;
      for (std::size_t i = 0; i < n; ++i) {
        const std::uint32_t row_ind = ind_fast[ind_codes[i]];
        const std::uint32_t row_ent = ent_of[ent_codes[i]];
        day_number s = 0, e = 0;
        bool ok = row_ind != npos && row_ent != npos;
        if (time_days) {
          const std::int64_t d = time_days_of[i];
          ok = ok && d != null_day && d >= first_day && d <= last_day;
          s = e = static_cast<day_number>(d);
        } else {
          const parsed_time& t = time_parsed[time_codes[i]];
          ok = ok && t.ok;
          s = t.start;
          e = t.end;
        }
        double x = 0;
        std::uint8_t f = 0;
        if (missing_codes && missing_of[missing_codes[i]] == 1) {
          f = flags::missing;
        } else {
          const double v = values[i];
          if (std::isnan(v))
            f = flags::missing;
          else if (ok && boolean_ind[row_ind] && v != 0 && v != 1)
            ok = false;
          else
            x = v;
        }
        double w = 0;
        if (has_weight) {
          w = weights[i];
          ok = ok && !std::isnan(w);
        }
        if (est_codes) f |= est_bits[est_codes[i]];
        if (prov_codes) f |= prov_bits[prov_codes[i]];
        if (!ok || (f & 0x80) != 0) { // 0x80: a flag cell that is not a boolean (0xFF)
          slow.push_back(static_cast<std::uint32_t>(i));
          continue;
        }
        ind[i] = row_ind;
        ent[i] = row_ent;
        start[i] = s;
        end[i] = e;
        value[i] = x;
        if (has_weight) weight[i] = w;
        flag[i] = f;
      }
    }
    for (const std::uint32_t i : slow) {
      const std::size_t rejected = pre.size(), blank = blank_rows.size();
      exact_row(i);
      if (pre.size() != rejected || blank_rows.size() != blank) { // left out: the cells the columns start with
        ind[i] = npos;
        ent[i] = 0;
        start[i] = end[i] = 0;
        value[i] = 0;
        if (has_weight) weight[i] = 0;
        flag[i] = 0;
      }
    }
  }

  // 6. The checks of check_observations, without the GIL (the plan registered as read: a change from
  // another thread raises instead of reallocating it). Rows the pass rejected hold indicator npos.
  const observation_view view{std::span<const std::uint32_t>(ind, n),
                              std::span<const std::uint32_t>(ent, n),
                              std::span<const day_number>(start.data(), n),
                              std::span<const day_number>(end.data(), n),
                              std::span<const double>(value, n),
                              std::span<const double>(weight, has_weight ? n : 0),
                              std::span<const std::uint8_t>(flag.data(), n),
                              false,
                              false,
                              std::nullopt};
  std::vector<std::uint8_t> keep;
  observation_table table;
  {
    const plan_read_guard reading(&p, "observations_from_arrow");
    const py::gil_scoped_release release;
    keep = check_observations(p, view, report, on_bad_row::collect);
    if (!blank_rows.empty()) { // no data: neither rows read nor rejected (their note accounts for them)
      std::erase_if(report.rejected, [&](const rejection& r) {
        return std::binary_search(blank_rows.begin(), blank_rows.end(), r.row);
      });
      report.rows -= blank_rows.size();
    }
    for (auto& r : report.rejected) {
      const auto it = std::lower_bound(pre.begin(), pre.end(), r.row,
                                       [](const rejection& a, std::size_t row) { return a.row < row; });
      if (it != pre.end() && it->row == r.row)
        r = std::move(*it);
      else if (r.column == "date")
        r.column = time_name; // check_observations names the period column "date"
    }
    if (mode == on_bad_row::collect) table = select_rows(view, keep, &report, &p);
  }
  if (!blank_rows.empty()) { // first, as read_observations notes them before the checks' notes
    const auto places = [&](const char* word) {
      std::string s = std::string(word) + " ";
      const std::size_t shown = (std::min)(blank_rows.size(), std::size_t{10});
      for (std::size_t k = 0; k < shown; ++k) s += (k ? ", " : "") + std::to_string(blank_rows[k]);
      if (blank_rows.size() > shown) s += " … (" + std::to_string(blank_rows.size() - shown) + " more)";
      return s;
    };
    const std::string count = std::to_string(blank_rows.size());
    report.notes.insert(report.notes.begin(),
                        ingest_note{"blank_rows",
                                    source + ": " + count + " blank row" + (blank_rows.size() == 1 ? "" : "s") +
                                        " skipped: " + places("rows"),
                                    source + "：跳过 " + count + " 个空行：" + places("第") +
                                        " 行（数据行，从 0 起）",
                                    blank_rows});
  }
  if (mode == on_bad_row::raise && !report.rejected.empty()) {
    // as read_observations raises: the first row failing its own checks, conflicting duplicates last
    auto first = std::find_if(report.rejected.begin(), report.rejected.end(),
                              [](const rejection& r) { return r.reason != rejection_reason::duplicate_conflict; });
    if (first == report.rejected.end()) first = report.rejected.begin();
    throw data_error(source + ": row " + std::to_string(first->row) + ", column " + first->column + ": " +
                         first->message,
                     at_row(first->row, first->column), first->message);
  }
  if (mode == on_bad_row::raise) {
    const plan_read_guard reading(&p, "observations_from_arrow");
    const py::gil_scoped_release release;
    table = select_rows(view, keep, &report, &p);
  }
  return py::make_tuple(py_observations::from_table(std::move(table), &p), std::move(report));
}

} // namespace

void register_arrow(py::module_& m) {
  m.def("_observations_from_arrow_stream", &observations_from_arrow_stream, "plan"_a, "data"_a, "on_bad_row"_a,
        "add_entities"_a, "source"_a,
        "Observations from an object with __arrow_c_stream__ (polars, pyarrow, DuckDB), read from the Arrow\n"
        "buffers in C++; used by observations_from_arrow. Returns (Observations, IngestReport).");
}

} // namespace planeval::python
