// All headers in two translation units, with hostile min/max macros (as <windows.h> defines).
#define min(a, b) planeval_hostile_min_macro
#define max(a, b) planeval_hostile_max_macro
#include <planeval.hpp>
#undef min
#undef max

#include <doctest/doctest.h>

int odr_other_tu();

TEST_CASE("headers link from two translation units") {
  CHECK(odr_other_tu() == 4);
  CHECK(planeval::format_date(planeval::date(2021, 1, 1)) == "2021-01-01");
}
