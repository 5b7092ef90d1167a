// Copyright (c) 2026 planeval developers. Distributed under the MIT License.
#pragma once
// What the standard's reading (standard_read.cpp), checking (standard_check.cpp) and evaluation
// (standard_evaluate.cpp) share. Private to the library.

#include <planeval/standard.hpp>

#include <cstddef>
#include <initializer_list>
#include <string>
#include <vector>

#include "json_reader.hpp"

namespace planeval::detail {

/// `">=", ">" or "<"`: the comparators allowed, quoted, for messages.
inline std::string comparator_list(std::initializer_list<comparator> allowed) {
  std::string s;
  std::size_t i = 0;
  for (auto c : allowed) {
    if (i > 0) s += (i + 1 == allowed.size()) ? " or " : ", ";
    s += json_reading::quoted(to_string(c));
    ++i;
  }
  return s;
}

/// "小学, 初中": a standard's stages, for messages.
inline std::string stage_list(const std::vector<stage>& stages) {
  std::string s;
  for (std::size_t i = 0; i < stages.size(); ++i) s += (i ? ", " : "") + std::string(to_string(stages[i]));
  return s;
}

} // namespace planeval::detail
