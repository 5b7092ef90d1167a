#include <planeval.hpp>

#include <doctest/doctest.h>

TEST_CASE("embedded plan loads") {
  const auto p = planeval::baijiantan_plan();
  CHECK(p.id() == "baijiantan-education-14th-fyp");
}
