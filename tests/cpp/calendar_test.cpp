#include <planeval/calendar.hpp>

#include <doctest/doctest.h>

using planeval::date;
using planeval::date_role;
using planeval::parse_date;

TEST_CASE("short dates resolve by role") {
  // "2025" as a deadline is the last day of 2025; as a start the first.
  CHECK(parse_date("2025", date_role::end) == date(2025, 12, 31));
  CHECK(parse_date("2025", date_role::start) == date(2025, 1, 1));
  // February of a leap year ends on the 29th, of other years on the 28th.
  CHECK(parse_date("2024-02", date_role::end) == date(2024, 2, 29));
  CHECK(parse_date("2023-02", date_role::end) == date(2023, 2, 28));
  CHECK(parse_date("2023-02", date_role::start) == date(2023, 2, 1));
  CHECK(parse_date("2023-09-01", date_role::end) == date(2023, 9, 1));
}

TEST_CASE("invalid dates are rejected, not thrown") {
  for (const char* s : {"2025-13-01", "2023-02-29", "2025-00-10", "2025-04-31", "25", "2025/01/01", "2025-1-1", "abcd",
                        "", "1399", "2025-12-32", " 2025", "2025 "})
    CHECK_MESSAGE(!parse_date(s, date_role::end), s);
  CHECK(parse_date("2024-02-29", date_role::end) == date(2024, 2, 29));
}

TEST_CASE("calendar and school years") {
  using planeval::period;
  const period y = period::calendar_year(2023);
  CHECK(y.start == date(2023, 1, 1));
  CHECK(y.end == date(2023, 12, 31));
  CHECK(y.days() == 365);
  CHECK(period::calendar_year(2024).days() == 366);
  // School year 2023/2024: 1 Sep 2023 .. 31 Aug 2024 (366 days: it contains 29 Feb 2024).
  const period s = period::school_year(2023);
  CHECK(s.start == date(2023, 9, 1));
  CHECK(s.end == date(2024, 8, 31));
  CHECK(s.days() == 366);
  CHECK(planeval::school_year_of(date(2023, 8, 31)) == period::school_year(2022));
  CHECK(planeval::school_year_of(date(2023, 9, 1)) == period::school_year(2023));
  CHECK(planeval::calendar_year_of(date(2023, 9, 1)) == period::calendar_year(2023));
}

TEST_CASE("period strings") {
  using planeval::parse_period;
  CHECK(parse_period("2021") == planeval::period::calendar_year(2021));
  CHECK(parse_period("2021/2022") == planeval::period::school_year(2021));
  CHECK(!parse_period("2021/2023"));
  CHECK(!parse_period("2021-2022"));
  CHECK(planeval::format_period(planeval::period::school_year(2021)) == "2021/2022");
  CHECK(planeval::format_period(planeval::period::calendar_year(2021)) == "2021");
}

TEST_CASE("formatting and decimal years") {
  CHECK(planeval::format_date(date(2025, 3, 7)) == "2025-03-07");
  CHECK(planeval::decimal_year(date(2021, 1, 1)) == 2021.0);
  // 2 July 2021 is day 182 (0-based) of a 365-day year: 2021 + 182/365
  CHECK(planeval::decimal_year(date(2021, 7, 2)) == doctest::Approx(2021.0 + 182.0 / 365.0));
}
