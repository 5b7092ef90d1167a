// Copyright (c) 2026 planeval developers. Distributed under the MIT License.
#pragma once
/// \file phase.hpp
/// Phases: named, non-overlapping windows of the plan horizon (第一阶段 2021—2022 ...).

#include <planeval/calendar.hpp>
#include <planeval/text.hpp>

#include <optional>
#include <string>

namespace planeval {

/// A phase of the plan; `start` and `end` are both inclusive.
struct phase {
  std::string id;
  text name;
  date start;
  date end;
  std::optional<source_ref> source;

  bool contains(date d) const noexcept { return start <= d && d <= end; }
  planeval::period period() const { return {start, end, period_kind::custom}; }
  friend bool operator==(const phase&, const phase&) = default;
};

} // namespace planeval
