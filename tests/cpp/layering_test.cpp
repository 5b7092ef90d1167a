// Lower layers never include higher ones, and JSON I/O is opt-in. Which headers a translation
// unit has seen is told by their include guards: every Boost.Date_Time header includes
// boost/date_time/compiler_config.hpp (guard DATE_TIME_COMPILER_CONFIG_HPP___), every Boost.JSON
// header boost/json/detail/config.hpp (guard BOOST_JSON_DETAIL_CONFIG_HPP). Each check is made in
// a translation unit of its own that includes one planeval header before anything else:
// - this one: <planeval/rules.hpp> (the aggregation rules, header-only): neither Boost.Date_Time nor
//   Boost.JSON (the rules name comparators through comparator.hpp, not the model's target.hpp);
// - layering_test2.cpp: the umbrella <planeval.hpp>: no Boost.JSON (JSON I/O is <planeval/json.hpp>);
// - layering_test3.cpp: the controls, showing the guards are the right ones (the checks can fail):
//   <planeval/calendar.hpp> defines the Date_Time guard, <planeval/json.hpp> the JSON one.
#include <planeval/rules.hpp>

#if defined(DATE_TIME_COMPILER_CONFIG_HPP___) || defined(DATE_TIME_DATE_HPP___)
constexpr bool rules_include_date_time = true;
#else
constexpr bool rules_include_date_time = false;
#endif
#if defined(BOOST_JSON_DETAIL_CONFIG_HPP)
constexpr bool rules_include_json = true;
#else
constexpr bool rules_include_json = false;
#endif

#include <doctest/doctest.h>

namespace layering {
bool umbrella_includes_json();
bool umbrella_includes_date_time();
bool calendar_includes_date_time();
bool calendar_includes_json();
bool json_header_includes_json();
} // namespace layering

TEST_CASE("rules.hpp includes neither Boost.Date_Time nor Boost.JSON") {
  CHECK_FALSE(rules_include_date_time);
  CHECK_FALSE(rules_include_json);
  // the rules still work with day numbers (first/last) and comparators without them
  planeval::rules::last l;
  l(3.0, std::int64_t{20});
  l(5.0, std::int64_t{10});
  CHECK(l.value() == 3.0); // the value of the later day, 20
  CHECK(planeval::to_string(planeval::comparator::ge) == ">=");
}

TEST_CASE("the umbrella header does not include Boost.JSON") {
  CHECK_FALSE(layering::umbrella_includes_json());
  CHECK(layering::umbrella_includes_date_time()); // dates are Boost.Date_Time's: the model needs them
}

TEST_CASE("controls: the include guards tested are the ones these headers define") {
  CHECK(layering::calendar_includes_date_time());
  CHECK_FALSE(layering::calendar_includes_json());
  CHECK(layering::json_header_includes_json());
}
