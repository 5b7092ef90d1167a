// Copyright (c) 2026 planeval developers. Distributed under the MIT License.
#pragma once
/// \file detail/format_number.hpp
/// Formatting of doubles (header-only; std::to_chars): shortest round-trip, and fixed decimals for
/// reports.

#include <charconv>
#include <cmath>
#include <string>

namespace planeval::detail {

inline std::string format_number(double x) {
  if (std::isnan(x)) return "nan";
  if (std::isinf(x)) return x > 0 ? "inf" : "-inf";
  if (x == 0) return "0"; // also -0: a plan never needs the sign of zero
  char buf[32];
  auto [p, ec] = std::to_chars(buf, buf + sizeof buf, x);
  (void)ec; // 32 bytes always suffice for the shortest form of a double
  return std::string(buf, p);
}

/// `x` with `decimals` digits after the point (0 to 12; "44.0"); a result that rounds to zero has no
/// sign ("0.0", not "-0.0"); non-finite values as format_number.
inline std::string format_fixed(double x, int decimals) {
  if (!std::isfinite(x)) return format_number(x);
  decimals = decimals < 0 ? 0 : decimals > 12 ? 12 : decimals;
  char buf[400]; // the longest fixed form of a finite double: 309 digits, the point, 12 decimals
  auto [p, ec] = std::to_chars(buf, buf + sizeof buf, x, std::chars_format::fixed, decimals);
  (void)ec;
  std::string s(buf, p);
  if (s[0] == '-' && s.find_first_not_of("-0.") == std::string::npos) s.erase(0, 1);
  return s;
}

} // namespace planeval::detail
