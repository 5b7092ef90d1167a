// The aggregation rules are header-only: this program includes <planeval/rules.hpp> and is built
// with planeval's include directory only, without linking planeval::planeval or a Boost library.
#include <planeval/rules.hpp>

#include <cstdint>
#include <iostream>

int main() {
  namespace rules = planeval::rules;
  // students-weighted mean of three schools' rates: (90×100 + 80×300 + 70×100) / 500 = 80
  rules::weighted_mean m;
  m(90, 100);
  m(80, 300);
  m(70, 100);
  // the value on the latest day (day numbers: no Boost.Date_Time needed)
  rules::last l;
  l(5, std::int64_t{2});
  l(7, std::int64_t{1});
  if (m.value() != 80.0 || l.value() != 5.0) {
    std::cerr << "unexpected rule values\n";
    return 1;
  }
  std::cout << "rules-only consumer ok: weighted mean " << *m.value() << ", last " << *l.value() << "\n";
  return 0;
}
