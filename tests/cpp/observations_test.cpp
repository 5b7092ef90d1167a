#include <planeval/json.hpp>
#include <planeval/observations.hpp>

#include <doctest/doctest.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <limits>

#include "test_plans.hpp"

using namespace planeval;

namespace {

plan mini() { return parse_plan(planeval_test::mini_plan); }

day_number day(int y, int m, int d) {
  return to_day_number(
      date(static_cast<unsigned short>(y), static_cast<unsigned short>(m), static_cast<unsigned short>(d)));
}

const rejection* find_rejection(const ingest_report& r, std::size_t row) {
  for (const auto& x : r.rejected)
    if (x.row == row) return &x;
  return nullptr;
}

} // namespace

TEST_CASE("day numbers") {
  CHECK(to_day_number(date(1970, 1, 1)) == 0);
  CHECK(to_day_number(date(1970, 2, 1)) == 31);
  CHECK(to_day_number(date(2021, 1, 1)) == 18628); // 51 years, 13 of them leap: 51*365 + 13
  CHECK(from_day_number(18628) == date(2021, 1, 1));
}

TEST_CASE("the data window starts with the earliest baseline year") {
  // mini plan: horizon 2021–2025, t1's baseline is 2020-12-31
  const auto w = data_window(mini());
  CHECK(w.start == date(2020, 1, 1));
  CHECK(w.end == date(2025, 12, 31));
}

TEST_CASE("every row is accounted for") {
  const plan p = mini();
  const std::uint32_t teachers = *p.find_indicator("teachers"), rate = *p.find_indicator("rate"),
                      passed = *p.find_indicator("passed");
  const std::uint32_t d = *p.find_entity("d"), s1 = *p.find_entity("s1");
  const double nan = std::numeric_limits<double>::quiet_NaN();
  observation_table t;
  const day_number y21 = day(2021, 1, 1), e21 = day(2021, 12, 31);
  t.push_back(teachers, s1, y21, e21, 70);                                     // 0 ok
  t.push_back(99, s1, y21, e21, 1);                                            // 1 unknown indicator
  t.push_back(teachers, 42, y21, e21, 1);                                      // 2 unknown entity
  t.push_back(teachers, d, day(2019, 1, 1), day(2019, 12, 31), 1);             // 3 before the window
  t.push_back(teachers, d, day(2026, 1, 1), day(2026, 12, 31), 1);             // 4 after the horizon
  t.push_back(teachers, d, y21, e21, nan);                                     // 5 non-finite
  t.push_back(teachers, d, day(2022, 1, 1), day(2022, 12, 31), -3);            // 6 negative count
  t.push_back(rate, d, y21, e21, 120);                                         // 7 percentage out of range
  t.push_back(passed, d, y21, e21, 2);                                         // 8 boolean not 0/1
  t.push_back(teachers, s1, y21, e21, 70);                                     // 9 identical repeat of row 0
  t.push_back(rate, s1, y21, e21, 50);                                         // 10 conflicts with row 11
  t.push_back(rate, s1, y21, e21, 51);                                         // 11
  t.push_back(rate, d, day(2022, 1, 1), day(2022, 12, 31), 0, flags::missing); // 12 missing, kept
  t.push_back(rate, d, day(2023, 1, 1), day(2023, 12, 31), 0);                 // 13 a reported zero, kept
  t.push_back(teachers, d, day(2021, 3, 1), day(2021, 2, 1), 5);               // 14 ends before it starts
  ingest_report r;
  const auto keep = check_observations(p, t.view(), r, on_bad_row::collect);
  CHECK(r.rows == 15);
  CHECK(r.accepted == 3); // rows 0, 12, 13
  CHECK(r.duplicates == 1);
  CHECK(r.duplicate_rows == std::vector<std::size_t>{9});
  CHECK(r.missing == 1);
  CHECK(r.rejected.size() == 11);
  CHECK(r.rows == r.accepted + r.duplicates + r.rejected.size());
  CHECK(keep == std::vector<std::uint8_t>{1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0});
  CHECK(find_rejection(r, 1)->reason == rejection_reason::unknown_indicator);
  CHECK(find_rejection(r, 2)->reason == rejection_reason::unknown_entity);
  CHECK(find_rejection(r, 3)->reason == rejection_reason::outside_horizon);
  CHECK(find_rejection(r, 3)->message.find("2020-01-01..2025-12-31") != std::string::npos);
  CHECK(find_rejection(r, 4)->reason == rejection_reason::outside_horizon);
  CHECK(find_rejection(r, 5)->reason == rejection_reason::non_finite);
  CHECK(find_rejection(r, 5)->column == "value");
  CHECK(find_rejection(r, 6)->reason == rejection_reason::negative_count);
  CHECK(find_rejection(r, 7)->reason == rejection_reason::out_of_range);
  CHECK(find_rejection(r, 8)->reason == rejection_reason::out_of_range);
  CHECK(find_rejection(r, 10)->reason == rejection_reason::duplicate_conflict);
  CHECK(find_rejection(r, 10)->message.find("as row 11") != std::string::npos);
  CHECK(find_rejection(r, 11)->reason == rejection_reason::duplicate_conflict);
  CHECK(find_rejection(r, 14)->reason == rejection_reason::bad_date);

  const auto kept = select_rows(t.view(), keep);
  CHECK(kept.size() == 3);
  CHECK(kept.value[2] == 0.0);
  CHECK(kept.flags[1] == flags::missing);
}

TEST_CASE("by default the first bad row raises, naming row and column") {
  const plan p = mini();
  observation_table t;
  t.push_back(0, 0, day(2021, 1, 1), day(2021, 12, 31), 1);
  t.push_back(0, 0, day(2022, 1, 1), day(2022, 12, 31), std::numeric_limits<double>::infinity());
  ingest_report r;
  CHECK_THROWS_WITH_AS(check_observations(p, t.view(), r),
                       "row 1, column value: expected a finite number, got inf (mark a value not reported as missing)",
                       data_error);
}

TEST_CASE("weights must be finite and non-negative") {
  const plan p = mini();
  observation_table t;
  t.push_back(0, 0, day(2021, 1, 1), day(2021, 12, 31), 1);
  t.push_back(0, 1, day(2021, 1, 1), day(2021, 12, 31), 1);
  t.weight = {100, -1};
  ingest_report r;
  const auto keep = check_observations(p, t.view(), r, on_bad_row::collect);
  CHECK(keep == std::vector<std::uint8_t>{1, 0});
  CHECK(r.rejected.at(0).reason == rejection_reason::bad_weight);
}

TEST_CASE("CSV parsing: BOM, quotes, CRLF") {
  const auto c = parse_csv("\xEF\xBB\xBFindicator,entity,value\r\nrate,\"d, the district\",\"9\"\"5\"\r\nx,y,\n");
  REQUIRE(c.names == std::vector<std::string>{"indicator", "entity", "value"});
  CHECK(c.cells[1][0] == "d, the district");
  CHECK(c.cells[2][0] == "9\"5");
  CHECK(c.cells[2][1] == "");
  CHECK_THROWS_WITH_AS(parse_csv("a,b\n1,2,3\n", "f.csv"),
                       "f.csv: line 2 (row 0) has 3 cells, expected 2 (one per header column)", data_error);
  CHECK_THROWS_AS(parse_csv("a,b\n\"1,2\n", "f.csv"), data_error);
}

TEST_CASE("reading a CSV file with string ids") {
  plan p = mini();
  const std::string path = "observations_test.csv";
  {
    std::ofstream f(path, std::ios::binary);
    f << "indicator,entity,year,value,weight,parent,entity_name,stage,estimated\n"
         "teachers,s1,2021,70,1,,,,\n"                       // row 0 ok
         "teachers,school_a,2021,12,300,s1,第一小学,小学,\n" // row 1: new school under s1
         "teachers,school_a,2022,,300,s1,第一小学,小学,\n"   // row 2: missing value, kept
         "teachers,school_b,2021,3,10,,,,\n"                 // row 3: unknown entity, no parent
         "ratee,d,2021,5,1,,,,\n"                            // row 4: unknown indicator
         "rate,d,20x1,5,1,,,,\n"                             // row 5: bad year
         "rate,d,2021,abc,1,,,,\n"                           // row 6: wrong type
         "rate,d,2021,95.5,1,,,,true\n"                      // row 7: ok, estimated
         "rate,d,2021,95.5,1,,,,true\n"                      // row 8: identical repeat of row 7
         "passed,d,2022,true,1,,,,\n"                        // row 9: boolean
         "teachers,school_a,2026,12,300,,,,\n";              // row 10: after the horizon
  }
  ingest_report r;
  read_options opt;
  opt.mode = on_bad_row::collect;
  const auto t = read_observations_csv(p, path, r, opt);
  std::remove(path.c_str());
  CHECK(r.rows == 11);
  CHECK(r.accepted == 5);
  CHECK(r.duplicates == 1);
  CHECK(r.duplicate_rows == std::vector<std::size_t>{8});
  CHECK(r.missing == 1);
  CHECK(r.rejected.size() == 5);
  CHECK(r.added_entities == std::vector<std::string>{"school_a"});
  REQUIRE(p.find_entity("school_a"));
  const auto& a = p.entity_by_id("school_a");
  CHECK(a.parent == "s1");
  CHECK(a.name.zh == "第一小学");
  CHECK(a.stage == stage::primary);
  CHECK(find_rejection(r, 3)->reason == rejection_reason::unknown_entity);
  CHECK(find_rejection(r, 4)->reason == rejection_reason::unknown_indicator);
  CHECK(find_rejection(r, 5)->reason == rejection_reason::bad_date);
  CHECK(find_rejection(r, 5)->column == "year");
  CHECK(find_rejection(r, 6)->reason == rejection_reason::wrong_type);
  CHECK(find_rejection(r, 10)->reason == rejection_reason::outside_horizon);
  CHECK(find_rejection(r, 10)->column == "year");
  REQUIRE(t.size() == 5);
  CHECK(t.value[1] == 12);
  CHECK(t.weight[1] == 300);
  CHECK(t.flags[2] == flags::missing);
  CHECK(t.flags[3] == flags::estimated);
  CHECK(t.value[4] == 1.0); // passed = true
  CHECK(t.start[0] == day(2021, 1, 1));
  CHECK(t.end[0] == day(2021, 12, 31));

  // the default mode raises on the first bad row, with its line in the file
  plan q = mini();
  {
    std::ofstream f(path, std::ios::binary);
    f << "indicator,entity,year,value\nteachers,d,2021,7\nteachers,d,2022,-1\n";
  }
  ingest_report r2;
  CHECK_THROWS_WITH_AS(
      read_observations_csv(q, path, r2),
      (path + ": row 1 (line 3), column value: expected a count >= 0 for \"teachers\", got -1").c_str(), data_error);
  std::remove(path.c_str());
  CHECK_THROWS_WITH_AS(read_observations_csv(q, "no/such.csv", r2), "no/such.csv: cannot open the data file",
                       data_error);
}

TEST_CASE("missing columns are named") {
  plan p = mini();
  ingest_report r;
  text_columns c{{"indicator", "entity", "value"}, {{"rate"}, {"d"}, {"1"}}};
  CHECK_THROWS_WITH_AS(read_observations(p, c, r, {}, "frame"),
                       "frame: expected exactly one of the columns \"date\", \"period\" or \"year\" (columns are: "
                       "indicator, entity, value)",
                       data_error);
  text_columns c2{{"indicator", "year"}, {{"rate"}, {"2021"}}};
  CHECK_THROWS_WITH_AS(read_observations(p, c2, r, {}, "frame"),
                       "frame: missing column \"entity\" (columns are: indicator, year)", data_error);
}
