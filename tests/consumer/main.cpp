// A program built against the installed planeval package (find_package(planeval CONFIG)).
#include <planeval.hpp>

#include <iostream>

int main() {
  const planeval::plan p = planeval::baijiantan_plan();
  // Phase 2 of the Baijiantan plan is 2023-01-01 .. 2024-12-31 (第二阶段（2023—2024年）).
  const auto* ph = p.phase_at(planeval::date(2023, 6, 1));
  if (!ph || ph->start != planeval::date(2023, 1, 1) || ph->end != planeval::date(2024, 12, 31)) {
    std::cerr << "unexpected phase\n";
    return 1;
  }
  std::cout << "consumer ok: " << p.id() << " " << p.targets().size() << " targets\n";
  return 0;
}
