// Copyright (c) 2026 planeval developers. Distributed under the MIT License.
// Fuzz harness: the plan reader (planeval::parse_plan, planeval/json.hpp).
//
// Properties, for any input bytes:
// - parse_plan returns a plan or throws planeval::error (plan_error), nothing else, no crash;
// - a plan that parses is written canonically: to_json(plan) parses again, and to_json of that
//   plan is byte-identical (load -> save -> load -> save); the same with the standards embedded
//   (to_json(plan, true));
// - read-only uses of a parsed plan do not crash: summary (zh, en), warnings, counts, and an
//   evaluation without observations at 2023-12-31 with its JSON and text reports.
#include <planeval/evaluate.hpp>
#include <planeval/json.hpp>
#include <planeval/observations.hpp>
#include <planeval/summary.hpp>

#include <optional>
#include <string>

#include "fuzz_common.hpp"

namespace {

planeval::plan reparse(const std::string& canonical, const char* what) {
  try {
    return planeval::parse_plan(canonical, "canonical.json");
  } catch (const planeval::error& e) {
    planeval_fuzz::fail(what, e.what(), canonical);
  }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text = planeval_fuzz::as_text(data, size);
  std::optional<planeval::plan> p;
  try {
    p.emplace(planeval::parse_plan(text, "fuzz.json"));
  } catch (const planeval::error& e) {
    planeval_fuzz::trace("parse_plan refused", e.what());
    return 0; // an invalid plan, reported as such
  }

  // The canonical form is a fixed point.
  const std::string j1 = planeval::to_json(*p);
  const planeval::plan q = reparse(j1, "to_json(plan) does not parse again");
  const std::string j2 = planeval::to_json(q);
  if (j1 != j2) planeval_fuzz::fail("to_json(parse_plan(to_json(plan))) differs from to_json(plan)", j2, j1);

  const std::string e1 = planeval::to_json(*p, true);
  const planeval::plan qe = reparse(e1, "to_json(plan, embed_standard_files) does not parse again");
  const std::string e2 = planeval::to_json(qe, true);
  if (e1 != e2) planeval_fuzz::fail("to_json(plan, true) is not a fixed point", e2, e1);

  // Read-only uses of any valid plan.
  (void)planeval::summary(*p, "zh");
  (void)planeval::summary(*p, "en");
  (void)p->warnings();
  (void)planeval::count(*p);
  try {
    planeval::evaluate_options options;
    options.as_of = planeval::date(2023, 12, 31);
    const planeval::observation_table none;
    const planeval::report r = planeval::evaluate(*p, none.view(), options);
    (void)planeval::to_json(r, *p);
    (void)planeval::to_text(r, *p, "zh");
    (void)planeval::to_text(r, *p, "en");
  } catch (const planeval::error& e) {
    planeval_fuzz::trace("evaluate refused", e.what()); // e.g. a standard the plan names cannot be used
  }
  return 0;
}
