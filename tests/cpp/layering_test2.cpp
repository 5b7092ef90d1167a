// layering_test.cpp: the umbrella header, first and alone in its translation unit.
#include <planeval.hpp>

namespace layering {
bool umbrella_includes_json() {
#if defined(BOOST_JSON_DETAIL_CONFIG_HPP)
  return true;
#else
  return false;
#endif
}
bool umbrella_includes_date_time() {
#if defined(DATE_TIME_COMPILER_CONFIG_HPP___)
  return true;
#else
  return false;
#endif
}
} // namespace layering
