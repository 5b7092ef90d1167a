// Copyright (c) 2026 planeval developers. Distributed under the MIT License.
#pragma once
/// \file json.hpp
/// JSON I/O (opt-in: not included by planeval.hpp): reading and writing the planeval JSON plan
/// format (schema/plan.schema.json), and the report of evaluate() as JSON.
///
/// Design notes: JSON I/O is kept out of the core headers (and out of the umbrella header) so
/// that code which builds plans programmatically does not pay for Boost.JSON. Both to_json
/// overloads return the JSON text; to_json_value gives the report as a Boost.JSON document (the
/// only declaration here that needs Boost.JSON: its headers, and its library to use the value).
/// Reading collects every problem it can find (not just the first) into one plan_error, each
/// located by JSON path. Writing is canonical: fixed key order, full dates, shortest round-trip
/// numbers, UTF-8 unescaped, two-space indent, so load -> save -> load -> save is byte-identical.

#include <planeval/plan.hpp>

#include <boost/json/fwd.hpp>

#include <string>
#include <string_view>

namespace planeval {

/// Parse a plan from JSON text. `source_name` (a file name) prefixes the location of syntax
/// errors ("plan.json:12:5: ..."). Throws plan_error listing every problem found.
plan parse_plan(std::string_view json_text, std::string_view source_name = "<string>");

/// Read a plan file (UTF-8, with or without BOM). Throws plan_error (also when the file
/// cannot be read).
plan load_plan(const std::string& path);

/// The plan in canonical JSON.
std::string to_json(const plan& p);
/// The same, with the plan's standard files embedded (a self-contained text: pickles, copies).
std::string to_json(const plan& p, bool embed_standard_files);

/// Write the plan in canonical JSON to `path`. Throws planeval::error if it cannot be written.
void save_plan(const plan& p, const std::string& path);

struct report; // report.hpp

/// The report of evaluate() as JSON text (documented in the README: plan, as_of, summary, phases,
/// targets[], problems), compact.
std::string to_json(const report& r, const plan& p);
/// The same report as a Boost.JSON document (boost/json/value.hpp to use it).
boost::json::value to_json_value(const report& r, const plan& p);

} // namespace planeval
