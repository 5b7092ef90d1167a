// Copyright (c) 2026 planeval developers. Distributed under the MIT License.
#pragma once
/// \file planeval.hpp
/// Umbrella header: the whole public API except JSON I/O. Reading and writing plan files and the
/// report as JSON (parse_plan, load_plan, save_plan, to_json, to_json_value) are in the opt-in
/// <planeval/json.hpp>, so that including this header does not include Boost.JSON.

#include <planeval/assess.hpp>
#include <planeval/calendar.hpp>
#include <planeval/comparator.hpp>
#include <planeval/composite.hpp>
#include <planeval/derived.hpp>
#include <planeval/embedded.hpp>
#include <planeval/entity.hpp>
#include <planeval/error.hpp>
#include <planeval/evaluate.hpp>
#include <planeval/expression.hpp>
#include <planeval/indicator.hpp>
#include <planeval/missing_policy.hpp>
#include <planeval/observations.hpp>
#include <planeval/phase.hpp>
#include <planeval/plan.hpp>
#include <planeval/report.hpp>
#include <planeval/rollup.hpp>
#include <planeval/rules.hpp>
#include <planeval/standard.hpp>
#include <planeval/summary.hpp>
#include <planeval/target.hpp>
#include <planeval/text.hpp>
#include <planeval/uncertainty.hpp>
#include <planeval/value.hpp>
#include <planeval/version.hpp>
