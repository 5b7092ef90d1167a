// Copyright (c) 2026 planeval developers. Distributed under the MIT License.
#pragma once
/// \file detail/format_number.hpp
/// Shortest round-trip formatting of doubles (header-only; std::to_chars).

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

} // namespace planeval::detail
