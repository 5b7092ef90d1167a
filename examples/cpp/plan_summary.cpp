// Copyright (c) 2026 planeval developers. Distributed under the MIT License.
// Load a plan (a file given on the command line, else the embedded Baijiantan plan) and print
// its summary and warnings. Usage: plan_summary [plan.json] [zh|en]
#include <planeval.hpp>
#include <planeval/json.hpp>

#include <iostream>
#include <string>

int main(int argc, char** argv) {
  try {
    const std::string lang = argc > 2 ? argv[2] : "zh";
    const planeval::plan p = argc > 1 ? planeval::load_plan(argv[1]) : planeval::baijiantan_plan();
    std::cout << planeval::summary(p, lang);
    for (const auto& w : p.warnings()) std::cout << "  warning: " << w.to_string() << "\n";
    return 0;
  } catch (const planeval::plan_error& e) {
    for (const auto& d : e.errors()) std::cerr << "error: " << d.to_string() << "\n";
    return 1;
  } catch (const planeval::error& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
}
