// Copyright (c) 2026 planeval developers. Distributed under the MIT License.
#pragma once
/// \file detail/cells.hpp
/// Reading the number cells of messy spreadsheets: missing-value marks, full-width digits,
/// thousands separators, a trailing percent sign, surrounding blanks (ASCII, U+3000, U+00A0).
///
/// Design notes: every cell of a value, weight or students column goes through these, millions
/// of times for a large file, so each starts with an ASCII fast path (plain "98.5", "", "NA")
/// that allocates nothing; the Unicode forms are normalised into a small stack buffer only when a
/// byte >= 0x80, a ',' or a '%' is present. Nothing here throws: callers word the messages.
///
/// What counts as missing (is_missing_cell): an empty or blank cell (spaces, tabs, U+3000
/// IDEOGRAPHIC SPACE, U+00A0 NO-BREAK SPACE), NA, N/A, NaN, nan, null, NULL, None, missing, and
/// the dash and slash marks of Chinese tables: - (a lone hyphen; "-5" is a number), — (U+2014),
/// – (U+2013), － (U+FF0D), /, 无, 空.
///
/// What counts as a number (parse_number_cell): an optional sign (+ - or full-width ＋ －, or
/// U+2212 −), digits (ASCII or full-width ０-９), an optional point (. or full-width ．) and
/// fraction, an optional exponent (ASCII only, as std::from_chars reads it), surrounded by
/// blanks; thousands separators (, or full-width ，) only in well-formed groups of three digits
/// before the point ("1,500", "12,345.6"; "1,50" and "1,5000" are not numbers); and a trailing %
/// or ％, possibly after blanks ("85%", "85.5 %", "８５％"), reported through `had_percent`:
/// whether a percentage sign is acceptable is the caller's decision (the indicator's unit).

#include <charconv>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <system_error>

namespace planeval::detail {

/// The code point at s[i] (valid UTF-8 assumed; a stray byte reads as itself) and its length.
inline char32_t cell_code_point(std::string_view s, std::size_t i, std::size_t& len) noexcept {
  const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = b(i);
  if (c < 0x80) {
    len = 1;
    return c;
  }
  if (c >= 0xC0 && c < 0xE0 && i + 1 < s.size()) {
    len = 2;
    return (char32_t(c & 0x1F) << 6) | (b(i + 1) & 0x3F);
  }
  if (c >= 0xE0 && c < 0xF0 && i + 2 < s.size()) {
    len = 3;
    return (char32_t(c & 0x0F) << 12) | (char32_t(b(i + 1) & 0x3F) << 6) | (b(i + 2) & 0x3F);
  }
  if (c >= 0xF0 && i + 3 < s.size()) {
    len = 4;
    return (char32_t(c & 0x07) << 18) | (char32_t(b(i + 1) & 0x3F) << 12) | (char32_t(b(i + 2) & 0x3F) << 6) |
           (b(i + 3) & 0x3F);
  }
  len = 1;
  return c;
}

/// An id, name or code cell without the ASCII blanks around it (spaces, tabs, a trailing CR): how
/// the readers compare ids (CSV, frames, Arrow alike).
inline std::string_view trim_id(std::string_view s) noexcept {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

/// A true/false cell as the readers take it: true, True, TRUE, 1, yes, 是 / false, False, FALSE,
/// 0, no, 否 and empty; anything else is not a boolean.
inline std::optional<bool> parse_bool_cell(std::string_view s) noexcept {
  s = trim_id(s);
  if (s == "true" || s == "True" || s == "TRUE" || s == "1" || s == "yes" || s == "是") return true;
  if (s == "false" || s == "False" || s == "FALSE" || s == "0" || s == "no" || s == "否" || s.empty()) return false;
  return std::nullopt;
}

/// True for the blanks trimmed around a cell: space, tab, CR, LF, U+3000, U+00A0.
inline bool is_blank_code_point(char32_t c) noexcept {
  return c == U' ' || c == U'\t' || c == U'\r' || c == U'\n' || c == 0x3000 || c == 0x00A0;
}

/// `s` without the blanks around it (space, tab, CR, LF, U+3000 "　", U+00A0 NBSP).
inline std::string_view trim_cell(std::string_view s) noexcept {
  for (;;) { // front
    if (s.empty()) return s;
    const auto c = static_cast<unsigned char>(s.front());
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      s.remove_prefix(1);
    } else if (c == 0xE3 && s.size() >= 3 && s[1] == '\x80' && s[2] == '\x80') { // U+3000
      s.remove_prefix(3);
    } else if (c == 0xC2 && s.size() >= 2 && s[1] == '\xA0') { // U+00A0
      s.remove_prefix(2);
    } else {
      break;
    }
  }
  for (;;) { // back
    if (s.empty()) return s;
    const auto c = static_cast<unsigned char>(s.back());
    const std::size_t n = s.size();
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      s.remove_suffix(1);
    } else if (c == 0x80 && n >= 3 && s[n - 3] == '\xE3' && s[n - 2] == '\x80') {
      s.remove_suffix(3);
    } else if (c == 0xA0 && n >= 2 && s[n - 2] == '\xC2') {
      s.remove_suffix(2);
    } else {
      break;
    }
  }
  return s;
}

/// True if the cell says "no value": see the file comment for the list.
inline bool is_missing_cell(std::string_view s) noexcept {
  if (!s.empty() && s.front() >= '0' && s.front() <= '9') return false; // the usual cell: a number
  s = trim_cell(s);
  switch (s.size()) {
  case 0:
    return true;
  case 1:
    return s[0] == '-' || s[0] == '/';
  case 2:
    return s == "NA";
  case 3: // also the three-byte marks: — – － 无 空
    return s == "N/A" || s == "NaN" || s == "nan" || s == "\xE2\x80\x94" || s == "\xE2\x80\x93" ||
           s == "\xEF\xBC\x8D" || s == "\xE6\x97\xA0" || s == "\xE7\xA9\xBA";
  case 4:
    return s == "null" || s == "NULL" || s == "None";
  case 7:
    return s == "missing";
  default:
    return false;
  }
}

/// [+-]digits[.digits] with at most 15 digits, exactly: the digits as an integer m < 10^15 < 2^53
/// and one division by an exact power of ten 10^k (k <= 15 <= 22) are each exact or correctly
/// rounded, so the result is the correctly rounded value that std::from_chars gives (Clinger's
/// fast path), several times faster. False for anything else (the caller falls back).
inline bool parse_short_decimal(std::string_view s, double& out) noexcept {
  static constexpr double pow10[] = {1e0, 1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                     1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
  std::size_t i = 0;
  bool negative = false;
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) negative = s[i++] == '-';
  std::uint64_t m = 0;
  int digits = 0, fraction = -1; // fraction: digits after the point, -1 before one
  for (; i < s.size(); ++i) {
    const char c = s[i];
    if (c >= '0' && c <= '9') {
      if (++digits > 15) return false;
      m = m * 10 + static_cast<std::uint64_t>(c - '0');
      if (fraction >= 0) ++fraction;
    } else if (c == '.' && fraction < 0) {
      fraction = 0;
    } else {
      return false;
    }
  }
  if (digits == 0) return false;
  double x = static_cast<double>(m);
  if (fraction > 0) x /= pow10[fraction];
  out = negative ? -x : x;
  return true;
}

/// std::from_chars over all of `s` (an optional leading '+' allowed, as people write it).
inline bool parse_plain_number(std::string_view s, double& out) noexcept {
  if (parse_short_decimal(s, out)) return true;
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  if (s.empty()) return false;
  const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc{} && p == s.data() + s.size();
}

/// True if `digits` (ASCII digits and ',') groups its digits by three: "1", "1,500", "12,345,678".
inline bool well_grouped(std::string_view digits) noexcept {
  const std::size_t first = digits.find(',');
  if (first == std::string_view::npos) return true;
  if (first == 0 || first > 3) return false;
  std::size_t i = first;
  while (i < digits.size()) { // at a ','
    if (digits[i] != ',' || i + 4 > digits.size()) return false;
    for (std::size_t k = 1; k <= 3; ++k)
      if (digits[i + k] < '0' || digits[i + k] > '9') return false;
    i += 4;
  }
  return true;
}

/// Parse a number cell (see the file comment for the forms). Returns false if `s` is not a
/// number (a missing mark is not a number either: test is_missing_cell first). On success `out`
/// is the number and `had_percent` says whether it ended in a percent sign (85% reads 85).
inline bool parse_number_cell(std::string_view s, double& out, bool& had_percent) noexcept {
  had_percent = false;
  // ASCII fast path: no byte >= 0x80, no ',' and no '%' (the plain numbers of a CSV export)
  bool plain = true;
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c >= 0x80 || c == ',' || c == '%') {
      plain = false;
      break;
    }
  }
  if (plain) {
    std::size_t a = 0, b = s.size();
    while (a < b && (s[a] == ' ' || s[a] == '\t' || s[a] == '\r' || s[a] == '\n')) ++a;
    while (b > a && (s[b - 1] == ' ' || s[b - 1] == '\t' || s[b - 1] == '\r' || s[b - 1] == '\n')) --b;
    return parse_plain_number(s.substr(a, b - a), out);
  }
  // Normalise into ASCII: full-width forms to their ASCII twins, blanks trimmed.
  s = trim_cell(s);
  char buf[96];
  std::size_t n = 0;
  for (std::size_t i = 0; i < s.size();) {
    std::size_t len = 1;
    const char32_t cp = cell_code_point(s, i, len);
    i += len;
    char c = 0;
    if (cp < 0x80) {
      c = static_cast<char>(cp);
    } else if (cp >= 0xFF10 && cp <= 0xFF19) {
      c = static_cast<char>('0' + (cp - 0xFF10));
    } else if (cp == 0xFF0B) {
      c = '+';
    } else if (cp == 0xFF0D || cp == 0x2212) {
      c = '-';
    } else if (cp == 0xFF0E) {
      c = '.';
    } else if (cp == 0xFF0C) {
      c = ',';
    } else if (cp == 0xFF05) {
      c = '%';
    } else if (is_blank_code_point(cp)) {
      c = ' ';
    } else {
      return false;
    }
    if (n == sizeof buf) return false; // no number is that long
    buf[n++] = c;
  }
  std::string_view t(buf, n);
  if (!t.empty() && t.back() == '%') {
    had_percent = true;
    t.remove_suffix(1);
    while (!t.empty() && t.back() == ' ') t.remove_suffix(1);
  }
  // sign, then the integer digits (with separators), then the rest
  std::size_t i = 0;
  if (i < t.size() && (t[i] == '+' || t[i] == '-')) ++i;
  std::size_t j = i;
  while (j < t.size() && ((t[j] >= '0' && t[j] <= '9') || t[j] == ',')) ++j;
  const std::string_view integer = t.substr(i, j - i);
  if (integer.find(',') != std::string_view::npos) {
    if (!well_grouped(integer)) return false;
    if (t.find(',', j) != std::string_view::npos) return false; // a comma after the point
    char digits[96];
    std::size_t m = 0;
    for (std::size_t k = 0; k < t.size(); ++k)
      if (t[k] != ',') digits[m++] = t[k];
    return parse_plain_number(std::string_view(digits, m), out);
  }
  if (t.find(',') != std::string_view::npos) return false;
  return parse_plain_number(t, out);
}

} // namespace planeval::detail
