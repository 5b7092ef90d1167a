// Copyright (c) 2026 planeval developers. Distributed under the MIT License.
#pragma once
/// \file calendar.hpp
/// Dates, periods and the two period kinds plans use: calendar years and school years
/// (1 September – 31 August).
///
/// Design notes: plans write dates loosely ("2025", "2024-12", "2023-09-01"). A short date names a
/// period; whether it stands for the first or the last day depends on its role: a deadline
/// "2025" means the end of 2025, a phase starting "2023" starts on 1 January 2023. parse_date
/// takes that role explicitly so the rule lives in one place.

#include <planeval/detail/enum_names.hpp>
#include <planeval/error.hpp>

#include <boost/date_time/gregorian/gregorian_types.hpp>

#include <charconv>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>

namespace planeval {

/// A calendar day (Boost.Date_Time proleptic Gregorian date).
using date = boost::gregorian::date;

/// Whether a short date ("2025", "2025-06") stands for the first or the last day it covers.
enum class date_role { start, end };
inline constexpr detail::name_table<date_role, 2> date_role_names{
    {{date_role::start, "start"}, {date_role::end, "end"}}};

/// The kinds of period planeval aggregates over.
enum class period_kind { calendar_year, school_year, custom };
inline constexpr detail::name_table<period_kind, 3> period_kind_names{{
    {period_kind::calendar_year, "calendar_year"},
    {period_kind::school_year, "school_year"},
    {period_kind::custom, "custom"},
}};

/// An inclusive range of days.
struct period {
  date start;
  date end;
  period_kind kind = period_kind::custom;

  /// Calendar year `y`: 1 January – 31 December. Throws planeval::error outside 1400..9999.
  static period calendar_year(int y) {
    check_year(y, y);
    return {date(static_cast<unsigned short>(y), 1, 1), date(static_cast<unsigned short>(y), 12, 31),
            period_kind::calendar_year};
  }
  /// School year starting in `y`: 1 September y – 31 August y+1. Throws planeval::error
  /// unless both years lie in 1400..9999.
  static period school_year(int y) {
    check_year(y, y + 1);
    return {date(static_cast<unsigned short>(y), 9, 1), date(static_cast<unsigned short>(y + 1), 8, 31),
            period_kind::school_year};
  }
  bool contains(date d) const noexcept { return start <= d && d <= end; }
  bool overlaps(const period& o) const noexcept { return start <= o.end && o.start <= end; }
  /// Number of days, both ends included.
  long days() const { return (end - start).days() + 1; }
  static void check_year(int first, int last) {
    if (first < 1400 || last > 9999)
      throw error("year " + std::to_string(first < 1400 ? first : last) + " is outside the supported range 1400..9999");
  }
  friend bool operator==(const period& a, const period& b) noexcept {
    return a.start == b.start && a.end == b.end && a.kind == b.kind;
  }
};

/// The calendar year containing `d`.
inline period calendar_year_of(date d) { return period::calendar_year(d.year()); }

/// The school year (1 Sep – 31 Aug) containing `d`.
inline period school_year_of(date d) {
  const int y = d.year();
  return period::school_year(d.month() >= 9 ? y : y - 1);
}

/// Smallest and largest years accepted (Boost.Date_Time's range).
inline constexpr int min_year = 1400;
inline constexpr int max_year = 9999;

namespace detail {
inline bool parse_digits(std::string_view s, int& out) {
  if (s.empty()) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc{} && p == s.data() + s.size();
}
} // namespace detail

/// Parse "YYYY", "YYYY-MM" or "YYYY-MM-DD". A short form is the first or last day it covers,
/// according to `role`. Returns nullopt for anything else (including 2025-13-01 or 2023-02-29).
inline std::optional<date> parse_date(std::string_view s, date_role role) {
  int y = 0, m = 0, d = 0;
  if (s.size() != 4 && s.size() != 7 && s.size() != 10) return std::nullopt;
  if (!detail::parse_digits(s.substr(0, 4), y) || y < min_year || y > max_year) return std::nullopt;
  if (s.size() == 4) {
    m = role == date_role::start ? 1 : 12;
  } else {
    if (s[4] != '-' || !detail::parse_digits(s.substr(5, 2), m) || m < 1 || m > 12) return std::nullopt;
  }
  const int last = boost::gregorian::gregorian_calendar::end_of_month_day(static_cast<unsigned short>(y),
                                                                          static_cast<unsigned short>(m));
  if (s.size() == 10) {
    if (s[7] != '-' || !detail::parse_digits(s.substr(8, 2), d) || d < 1 || d > last) return std::nullopt;
  } else {
    d = role == date_role::start ? 1 : last;
  }
  return date(static_cast<unsigned short>(y), static_cast<unsigned short>(m), static_cast<unsigned short>(d));
}

/// "YYYY-MM-DD".
inline std::string format_date(date d) {
  if (d.is_special()) return "not-a-date";
  char buf[32]; // large enough for any int triple, so no truncation is possible
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", static_cast<int>(d.year()), static_cast<int>(d.month()),
                static_cast<int>(d.day()));
  return buf;
}

/// Parse a period: "YYYY" (calendar year) or "YYYY/YYYY+1" (school year).
inline std::optional<period> parse_period(std::string_view s) {
  int y = 0, y2 = 0;
  if (s.size() == 4 && detail::parse_digits(s, y) && y >= min_year && y <= max_year) return period::calendar_year(y);
  if (s.size() == 9 && s[4] == '/' && detail::parse_digits(s.substr(0, 4), y) &&
      detail::parse_digits(s.substr(5, 4), y2) && y2 == y + 1 && y >= min_year && y2 <= max_year)
    return period::school_year(y);
  return std::nullopt;
}

/// "2021" for a calendar year, "2021/2022" for a school year, "start..end" otherwise.
inline std::string format_period(const period& p) {
  if (p.kind == period_kind::calendar_year) return std::to_string(p.start.year());
  if (p.kind == period_kind::school_year) return std::to_string(p.start.year()) + "/" + std::to_string(p.end.year());
  return format_date(p.start) + ".." + format_date(p.end);
}

/// Position of `d` in decimal years: 2021-01-01 -> 2021.0, the last day of 2021 -> ~2021.997.
/// Used for time progress (序时进度) and trend lines.
inline double decimal_year(date d) {
  const int y = d.year();
  const date jan1(static_cast<unsigned short>(y), 1, 1);
  const double len = boost::gregorian::gregorian_calendar::is_leap_year(static_cast<unsigned short>(y)) ? 366.0 : 365.0;
  return y + static_cast<double>((d - jan1).days()) / len;
}

} // namespace planeval
