// Copyright (c) 2026 planeval developers. Distributed under the MIT License.
#include <planeval/embedded.hpp>
#include <planeval/json.hpp>

namespace planeval {

plan baijiantan_plan() { return parse_plan(baijiantan_plan_json(), "<embedded baijiantan plan>"); }

} // namespace planeval
