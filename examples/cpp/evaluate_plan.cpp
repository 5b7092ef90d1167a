// Copyright (c) 2026 planeval developers. Distributed under the MIT License.
// Evaluate a plan at a date from a CSV of observation rows and print the report — what district
// software embedding planeval does. Usage:
//   evaluate_plan OBSERVATIONS.csv [AS_OF=2023-12-31] [zh|en|json] [PLAN.json]
// Without PLAN the embedded Baijiantan plan is used. The indicators of the official standards the
// plan's targets reference are added first, so school data for them can be read.
#include <planeval.hpp>
#include <planeval/json.hpp>

#include <iostream>
#include <set>
#include <string>

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: evaluate_plan OBSERVATIONS.csv [AS_OF] [zh|en|json] [PLAN.json]\n";
    return 2;
  }
  try {
    planeval::plan p = argc > 4 ? planeval::load_plan(argv[4]) : planeval::baijiantan_plan();
    std::set<std::string> standards;
    for (const auto& t : p.targets())
      if (!t.standard.empty()) standards.insert(t.standard);
    for (const auto& id : standards) planeval::add_standard_indicators(p, planeval::builtin_standard(id));

    planeval::ingest_report ingest;
    const planeval::observation_table rows = planeval::read_observations_csv(p, argv[1], ingest);
    std::cerr << argv[1] << ": " << ingest.accepted << " rows accepted, " << ingest.rejected.size() << " rejected\n";

    planeval::evaluate_options options;
    const std::string as_of = argc > 2 ? argv[2] : "2023-12-31";
    const auto d = planeval::parse_date(as_of, planeval::date_role::end); // "2023" means 2023-12-31
    if (!d) throw planeval::error("as_of: expected a date (YYYY-MM-DD, YYYY-MM or YYYY), got \"" + as_of + "\"");
    options.as_of = *d;
    options.methods = {planeval::assess_method::statcan, planeval::assess_method::eurostat};
    const planeval::report r = planeval::evaluate(p, rows.view(), options);
    const std::string lang = argc > 3 ? argv[3] : "zh";
    if (lang == "json")
      std::cout << planeval::to_json(r, p) << "\n";
    else
      std::cout << planeval::to_text(r, p, lang);
    return 0;
  } catch (const planeval::plan_error& e) {
    for (const auto& d : e.errors()) std::cerr << "error: " << d.to_string() << "\n";
    return 1;
  } catch (const planeval::error& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
}
