// Copyright (c) 2026 planeval developers. Distributed under the MIT License.
#pragma once
/// \file detail/enum_names.hpp
/// String <-> enum tables shared by the JSON format, the bindings and messages.

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace planeval::detail {

template <class Enum, std::size_t N>
using name_table = std::array<std::pair<Enum, std::string_view>, N>;

template <class Enum, std::size_t N>
constexpr std::string_view name_of(const name_table<Enum, N>& table, Enum e) noexcept {
  for (const auto& [value, name] : table)
    if (value == e) return name;
  return "?";
}

template <class Enum, std::size_t N>
constexpr std::optional<Enum> parse_name(const name_table<Enum, N>& table, std::string_view s) noexcept {
  for (const auto& [value, name] : table)
    if (name == s) return value;
  return std::nullopt;
}

/// "a, b or c" — used in "expected one of ..." messages.
template <class Enum, std::size_t N>
std::string alternatives(const name_table<Enum, N>& table) {
  std::string s;
  for (std::size_t i = 0; i < N; ++i) {
    if (i > 0) s += (i + 1 == N) ? " or " : ", ";
    s += '"';
    s += table[i].second;
    s += '"';
  }
  return s;
}

} // namespace planeval::detail
