// Copyright (c) 2026 planeval developers. Distributed under the MIT License.
#pragma once
/// \file embedded.hpp
/// The example plan compiled into the library: the Baijiantan District education plan for the
/// 14th five-year period (《白碱滩区（克拉玛依高新区）教育事业改革与发展“十四五”规划（2021-2025年）》).

#include <planeval/plan.hpp>

#include <string_view>

namespace planeval {

/// The JSON text of examples/baijiantan/plan.json as compiled in.
std::string_view baijiantan_plan_json() noexcept;

/// The Baijiantan plan, parsed.
plan baijiantan_plan();

} // namespace planeval
