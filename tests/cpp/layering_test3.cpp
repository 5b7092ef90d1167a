// layering_test.cpp: the controls. calendar.hpp is checked before json.hpp is included.
#include <planeval/calendar.hpp>

namespace layering {
bool calendar_includes_date_time() {
#if defined(DATE_TIME_COMPILER_CONFIG_HPP___)
  return true;
#else
  return false;
#endif
}
bool calendar_includes_json() {
#if defined(BOOST_JSON_DETAIL_CONFIG_HPP)
  return true;
#else
  return false;
#endif
}
} // namespace layering

#include <planeval/json.hpp>

namespace layering {
bool json_header_includes_json() {
#if defined(BOOST_JSON_DETAIL_CONFIG_HPP)
  return true;
#else
  return false;
#endif
}
} // namespace layering
