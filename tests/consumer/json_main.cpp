// JSON I/O from a consumer: <planeval/json.hpp> is opt-in (the umbrella header does not include
// it, nor Boost.JSON). The embedded plan is written and read back, and the report of an evaluation
// without data is written as JSON text; both to_json overloads return std::string.
#include <planeval.hpp>
#include <planeval/json.hpp>

#include <iostream>
#include <string>

int main() {
  const planeval::plan p = planeval::baijiantan_plan();
  const std::string text = planeval::to_json(p);
  const planeval::plan q = planeval::parse_plan(text, "baijiantan.json");
  if (planeval::to_json(q) != text) {
    std::cerr << "the plan's JSON does not read back to the same text\n";
    return 1;
  }
  planeval::evaluate_options o;
  o.as_of = planeval::date(2023, 12, 31);
  const planeval::observation_table none;
  const planeval::report r = planeval::evaluate(q, none.view(), o);
  const std::string j = planeval::to_json(r, q);
  // the report's JSON begins with its format and names the plan
  if (j.rfind(R"({"format":"planeval-report")", 0) != 0 || j.find(R"("plan":")" + q.id() + "\"") == std::string::npos) {
    std::cerr << "unexpected report JSON: " << j.substr(0, 200) << "\n";
    return 1;
  }
  std::cout << "json consumer ok: " << q.id() << ", report " << j.size() << " bytes\n";
  return 0;
}
