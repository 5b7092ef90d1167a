#include <planeval/json.hpp>
#include <planeval/observations.hpp>

#include <doctest/doctest.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <limits>
#include <regex>

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

TEST_CASE("the data window is open before the plan and ends with the horizon") {
  // mini plan: horizon 2021–2025. History before the plan (the previous plan's figures, 2016–2019)
  // is data: the window starts 1900-01-01 whatever the baselines; nothing after 2025 is accepted.
  const auto w = data_window(mini());
  CHECK(w.start == date(1900, 1, 1));
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
  t.push_back(teachers, d, day(2019, 1, 1), day(2019, 12, 31), 1);             // 3 history before the plan, kept
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
  CHECK(r.accepted == 4); // rows 0, 3, 12, 13
  CHECK(r.duplicates == 1);
  CHECK(r.duplicate_rows == std::vector<std::size_t>{9});
  CHECK(r.missing == 1);
  CHECK(r.rejected.size() == 10);
  CHECK(r.rows == r.accepted + r.duplicates + r.rejected.size());
  CHECK(keep == std::vector<std::uint8_t>{1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0});
  CHECK(find_rejection(r, 1)->reason == rejection_reason::unknown_indicator);
  CHECK(find_rejection(r, 2)->reason == rejection_reason::unknown_entity);
  CHECK(find_rejection(r, 3) == nullptr);
  CHECK(find_rejection(r, 4)->reason == rejection_reason::outside_horizon);
  CHECK(find_rejection(r, 4)->message ==
        "expected a date within 1900-01-01..2025-12-31 (up to the end of the plan horizon), got 2026-01-01..2026-12-31");
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
  CHECK(kept.size() == 4);
  CHECK(kept.start[1] == day(2019, 1, 1));
  CHECK(kept.value[3] == 0.0);
  CHECK(kept.flags[2] == flags::missing);
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
                       "f.csv: line 2 has 3 cells, expected 2 (one per header column)", data_error);
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
      (path + ": line 3, column value: expected a count >= 0 for \"teachers\", got -1").c_str(), data_error);
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

namespace {

/// read_observations_csv of a file holding `bytes` (on_bad_row::collect), into `p`.
observation_table read_bytes(plan& p, const std::string& bytes, ingest_report& r,
                             on_bad_row mode = on_bad_row::collect) {
  const std::string path = "observations_test_bytes.csv";
  {
    std::ofstream f(path, std::ios::binary);
    f << bytes;
  }
  read_options opt;
  opt.mode = mode;
  try {
    auto t = read_observations_csv(p, path, r, opt);
    std::remove(path.c_str());
    return t;
  } catch (...) {
    std::remove(path.c_str());
    throw;
  }
}

const ingest_note* find_note(const ingest_report& r, std::string_view code) {
  for (const auto& n : r.notes)
    if (n.code == code) return &n;
  return nullptr;
}

} // namespace

TEST_CASE("CSV file: quoting, escapes, CRLF, a lone CR and a quoted line break, as parse_csv reads them") {
  plan p = mini();
  ingest_report r;
  // row 0: a quoted value with "" escapes around nothing special; row 1: a quoted entity with a
  // comma is an unknown entity, named exactly; row 2 ends with a lone CR; row 3 has a quoted line
  // break in an unknown indicator; the last row has no line break at the end
  const std::string text = "indicator,entity,year,value\r\n"
                           "\"rate\",d,2021,\"95\"\r\n"
                           "rate,\"d, the \"\"district\"\"\",2022,96\r\n"
                           "rate,d,2023,97\r"
                           "\"ra\nte\",d,2024,98\n"
                           "rate,d,2024,\"9\"\"8\"";
  const auto t = read_bytes(p, text, r);
  CHECK(r.rows == 5);
  REQUIRE(t.size() == 2);
  CHECK(t.value[0] == 95);
  CHECK(t.value[1] == 97);
  REQUIRE(r.rejected.size() == 3);
  CHECK(r.rejected[0].row == 1);
  CHECK(r.rejected[0].message == "unknown entity \"d, the \"district\"\" (add a \"parent\" column to add new entities)");
  CHECK(r.rejected[1].row == 3);
  CHECK(r.rejected[1].message == "unknown indicator \"ra\\x0Ate\"");
  CHECK(r.rejected[2].row == 4);
  CHECK(r.rejected[2].message == "expected a number, got \"9\"8\""); // quoted as is

  // the structural errors of parse_csv, word for word, before anything is read into the plan
  ingest_report r2;
  CHECK_THROWS_WITH_AS(read_bytes(p, "indicator,entity,year,value\nrate,d,2021,95\nrate,d,2022\n", r2),
                       "observations_test_bytes.csv: line 3 has 3 cells, expected 4 (one per header column)",
                       data_error);
  CHECK_THROWS_WITH_AS(read_bytes(p, "indicator,entity,year,value\nrate,d,2021,95\n\"rate,d,2022,96\n", r2),
                       "observations_test_bytes.csv: line 3: unbalanced quotes", data_error);
  CHECK_THROWS_WITH_AS(read_bytes(p, "\xEF\xBB\xBF", r2), "observations_test_bytes.csv: empty file (expected a header row)",
                       data_error);
}

TEST_CASE("messy value cells: missing marks, full-width, thousands, percent") {
  plan p = mini();
  ingest_report r;
  // teachers is a count in 人, rate a percentage
  const std::string text = "indicator,entity,year,value\n"
                           "teachers,d,2016,—\n"                                 // 0 missing (U+2014)
                           "teachers,d,2017,-\n"                                 // 1 missing (a lone hyphen)
                           "teachers,d,2018,无\n"                                // 2 missing
                           "teachers,d,2019,\xE3\x80\x80\n"                      // 3 missing (U+3000 only)
                           "teachers,d,2020,\"1,500\"\n"                         // 4 1500
                           "teachers,d,2021,\xEF\xBC\x8D\xEF\xBC\x93\n"          // 5 －３: a count < 0, rejected
                           "rate,d,2021,８５％\n"                                // 6 85 (a % indicator)
                           "rate,d,2022, 85.5 % \n"                              // 7 85.5
                           "rate,d,2023,９８．５\n"                              // 8 98.5
                           "teachers,d,2022,85%\n"                               // 9 a % for a count: rejected
                           "teachers,d,2023,\"1,50\"\n"                          // 10 bad grouping: rejected
                           "teachers,d,2024,-5\n";                               // 11 a number: negative count
  const auto t = read_bytes(p, text, r);
  CHECK(r.rows == 12);
  CHECK(r.accepted == 8);
  CHECK(r.missing == 4);
  REQUIRE(t.size() == 8);
  for (std::size_t i = 0; i < 4; ++i) CHECK(t.flags[i] == flags::missing);
  CHECK(t.start[0] == day(2016, 1, 1)); // history before the plan is kept
  CHECK(t.value[4] == 1500);
  CHECK(t.value[5] == 85);
  CHECK(t.value[6] == 85.5);
  CHECK(t.value[7] == 98.5);
  REQUIRE(r.rejected.size() == 4);
  CHECK(r.rejected[0].row == 5);
  CHECK(r.rejected[0].reason == rejection_reason::negative_count);
  CHECK(r.rejected[1].row == 9);
  CHECK(r.rejected[1].message ==
        "expected a number in \"人\" (the unit of \"teachers\"), got \"85%\": a percent sign only for an indicator in %");
  CHECK(r.rejected[2].row == 10);
  CHECK(r.rejected[2].message ==
        "expected a number, got \"1,50\" (thousands separators group three digits: 1,500 or 12,345.6)");
  CHECK(r.rejected[3].row == 11);
  CHECK(r.rejected[3].reason == rejection_reason::negative_count);
}

TEST_CASE("blank rows are skipped, counted in a note and not in rows") {
  plan p = mini();
  ingest_report r;
  const std::string text = "indicator,entity,year,value\n"
                           "teachers,d,2021,5\n" // row 0 (line 2)
                           ",,,\n"               // row 1 (line 3): blank
                           " ,\xE3\x80\x80,,\n"  // row 2 (line 4): blank (a space, U+3000)
                           "teachers,d,2022,6\n"
                           "teachers,d,2023,x\n"; // row 4 (line 6): rejected, numbered as in the file
  const auto t = read_bytes(p, text, r);
  CHECK(t.size() == 2);
  CHECK(r.rows == 3); // 5 rows in the file, 2 of them blank
  CHECK(r.rows == r.accepted + r.duplicates + r.rejected.size());
  REQUIRE(r.rejected.size() == 1);
  CHECK(r.rejected[0].row == 4);
  const auto* n = find_note(r, "blank_rows");
  REQUIRE(n);
  CHECK(n->message == "observations_test_bytes.csv: 2 blank rows skipped: lines 3, 4");
  CHECK(n->message_zh == "observations_test_bytes.csv：跳过 2 个空行：第 3、4 行");
  CHECK(n->rows == std::vector<std::size_t>{1, 2});

  // the same from text columns (a data frame): rows, not lines
  plan q = mini();
  ingest_report r2;
  text_columns c{{"indicator", "entity", "year", "value"},
                 {{"teachers", "", "teachers"}, {"d", "", "d"}, {"2021", "", "2022"}, {"5", "", "6"}}};
  CHECK(read_observations(q, c, r2, {}, "frame").size() == 2);
  CHECK(r2.rows == 2);
  REQUIRE(find_note(r2, "blank_rows"));
  CHECK(find_note(r2, "blank_rows")->message == "frame: 1 blank row skipped: row 1");
}

TEST_CASE("GBK/GB18030 files are decoded, with a note; bytes that are neither are refused") {
  plan p = mini();
  ingest_report r;
  // 第一小学 in GBK: 第 B5DA, 一 D2BB, 小 D0A1, 学 D1A7 (GB2312 row/cell + A0A0)
  const std::string text = "indicator,entity,year,value,parent,entity_name\n"
                           "teachers,x1,2021,3,s1,\xB5\xDA\xD2\xBB\xD0\xA1\xD1\xA7\n";
  const auto t = read_bytes(p, text, r);
  CHECK(t.size() == 1);
  CHECK(p.entity_by_id("x1").name.zh == "第一小学");
  const auto* n = find_note(r, "decoded_gb18030");
  REQUIRE(n);
  CHECK(n->message.find("read as GB18030 (GBK)") != std::string::npos);
  CHECK(n->message_zh.find("GB18030") != std::string::npos);

  // 0xFF starts no character in UTF-8 nor in GB18030: refused, naming the line and column
  plan q = mini();
  ingest_report r2;
  CHECK_THROWS_WITH_AS(read_bytes(q, "indicator,entity,year,value\nteachers,d,2021,3\xFF\n", r2),
                       "observations_test_bytes.csv: line 2, column value: not valid UTF-8 (\"3\\xFF\"); the "
                       "text is not UTF-8 (GBK/GB18030, as Chinese Windows and Excel write by default?): save it as "
                       "UTF-8",
                       data_error);
}

TEST_CASE("a name neutralised against spreadsheet formulas reads back as written (OWASP CSV escape)") {
  // planeval's CSV files write a text cell starting with = + - @ tab or CR with a leading
  // apostrophe; the reader takes it off names again. Other apostrophes stay.
  plan p = mini();
  ingest_report r;
  const std::string text = "indicator,entity,year,value,parent,entity_name\n"
                           "teachers,x1,2021,3,s1,\"'=HYPERLINK(\"\"http://e.example\"\")\"\n"
                           "teachers,x2,2021,3,s1,'-1+2\n"
                           "teachers,x3,2021,3,s1,'quoted'\n"
                           "teachers,x4,2021,3,s1,'\n";
  const auto t = read_bytes(p, text, r);
  CHECK(t.size() == 4);
  CHECK(p.entity_by_id("x1").name.zh == "=HYPERLINK(\"http://e.example\")");
  CHECK(p.entity_by_id("x2").name.zh == "-1+2");
  CHECK(p.entity_by_id("x3").name.zh == "'quoted'");
  CHECK(p.entity_by_id("x4").name.zh == "'");
}

TEST_CASE("UTF-16 files with a byte-order mark are decoded") {
  plan p = mini();
  ingest_report r;
  const std::string ascii = "indicator,entity,year,value\r\nrate,d,2021,95\r\n";
  std::string le = "\xFF\xFE";
  for (const char c : ascii) le += std::string{c, '\0'};
  const auto t = read_bytes(p, le, r);
  REQUIRE(t.size() == 1);
  CHECK(t.value[0] == 95);
  REQUIRE(find_note(r, "decoded_utf16"));
}

TEST_CASE("implausible_scale: fractions for percentages are noted, 0/1 and plain percentages are not") {
  {
    plan p = mini();
    ingest_report r;
    read_bytes(p, "indicator,entity,year,value\nrate,d,2021,0.989\nrate,d,2022,0.99\nrate,d,2023,1\n", r);
    const auto* n = find_note(r, "implausible_scale");
    REQUIRE(n);
    CHECK(n->message == "values of \"rate\" look like fractions (0.989 for 98.9%?): percentages are 0–100 (lines 2, 3, 4)");
    CHECK(n->rows == std::vector<std::size_t>{0, 1, 2});
  }
  {
    plan p = mini(); // booleans kept as a percentage: only 0 and 1
    ingest_report r;
    read_bytes(p, "indicator,entity,year,value\nrate,d,2021,0\nrate,d,2022,1\nrate,d,2023,1\n", r);
    CHECK_FALSE(find_note(r, "implausible_scale"));
  }
  {
    plan p = mini(); // one value above 1: a percentage scale
    ingest_report r;
    read_bytes(p, "indicator,entity,year,value\nrate,d,2021,0.5\nrate,d,2022,98.9\n", r);
    CHECK_FALSE(find_note(r, "implausible_scale"));
  }
}

TEST_CASE("likely_duplicate_entity: the same values under two codes, or the same name under one parent") {
  plan p = mini();
  ingest_report r;
  read_bytes(p,
             "indicator,entity,year,value,parent,entity_name\n"
             "teachers,ps_3,2021,31,s1,三小\n"
             "teachers,ps_3,2022,33,s1,三小\n"
             "teachers,ps_3,2023,35,s1,三小\n"
             "teachers,ps_3b,2021,31,s1,第三小学\n"
             "teachers,ps_3b,2022,33,s1,第三小学\n"
             "teachers,ps_3b,2023,35,s1,第三小学\n"
             "teachers,ps_4,2021,31,s1,四小\n"   // two of the three values only: not noted
             "teachers,ps_4,2022,33,s1,四小\n"
             "teachers,ps_4,2023,36,s1,四小\n"
             "teachers,ps_5,2021,1,s1,五小\n"    // the same name under the same parent
             "teachers,ps_5b,2021,2,s1,五小\n",
             r);
  std::vector<const ingest_note*> notes;
  for (const auto& n : r.notes)
    if (n.code == "likely_duplicate_entity") notes.push_back(&n);
  REQUIRE(notes.size() == 2);
  CHECK(notes[0]->message == "schools \"ps_3\" and \"ps_3b\" have the same 3 values (lines 2, 3, 4, 5, 6 … (1 more)): "
                             "the same "
                             "school under two codes? it would be counted twice");
  CHECK(notes[0]->rows == std::vector<std::size_t>{0, 1, 2, 3, 4, 5});
  CHECK(notes[1]->message == "schools \"ps_5\" and \"ps_5b\" have the same name \"五小\" (lines 11, 12): the same school "
                             "under two codes? it would be counted twice");
  CHECK(notes[1]->message_zh.find("五小") != std::string::npos);
}

TEST_CASE("the CSV file reader reads what parse_csv + read_observations read (random texts)") {
  // A differential test of the in-place tokenizer: random bodies from tokens that stress quoting,
  // line ends and cell counts; both readers must give the same rows, rejections and errors.
  const char* const tokens[] = {"teachers", "rate", "d", "s1", "2021", "2022", "5", "95", ",", ",", ",", "\"",
                                "\"\"", "\n", "\n", "\r\n", "\r", " ", "x", "-", "\xE2\x80\x94"};
  std::uint64_t state = 12345;
  const auto next = [&] {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<std::size_t>(state >> 33);
  };
  const std::string path = "observations_test_diff.csv";
  int compared_rows = 0, compared_errors = 0;
  for (int round = 0; round < 1500; ++round) {
    std::string text = "indicator,entity,year,value\n";
    if (round % 2 == 0) { // token soup: mostly structural errors
      const std::size_t n = next() % 40;
      for (std::size_t k = 0; k < n; ++k) text += tokens[next() % std::size(tokens)];
    } else { // rows of four cells, some quoted (with "" and line breaks inside), some blank
      const char* const cells[] = {"teachers", "rate", "d", "s1", "2021", "2022", "5", "95", "",  " ",
                                   "x",        "-",    "1,5", "a\"b", "\n", "\r\n", "\xE2\x80\x94"};
      const char* const ends[] = {"\n", "\r\n", "\r", "\n\n"};
      const std::size_t rows = next() % 6;
      for (std::size_t k = 0; k < rows; ++k) {
        for (int c = 0; c < 4; ++c) {
          std::string cell = cells[next() % std::size(cells)];
          const bool must_quote = cell.find_first_of(",\"\r\n") != std::string::npos;
          if (must_quote || next() % 4 == 0) {
            std::string q = "\"";
            for (const char ch : cell) q += ch == '"' ? std::string("\"\"") : std::string(1, ch);
            cell = q + "\"";
          }
          text += (c ? "," : "") + cell;
        }
        if (next() % 10 == 0) text += ",";
        if (k + 1 < rows || next() % 2) text += ends[next() % std::size(ends)];
      }
    }
    std::string err1, err2;
    plan p1 = mini(), p2 = mini();
    ingest_report r1, r2;
    read_options collect;
    collect.mode = on_bad_row::collect;
    observation_table t1, t2;
    try {
      t1 = read_observations(p1, parse_csv(text, path), r1, collect, path);
    } catch (const error& e) {
      err1 = e.what();
    }
    {
      std::ofstream f(path, std::ios::binary);
      f << text;
    }
    try {
      t2 = read_observations_csv(p2, path, r2, collect);
    } catch (const error& e) {
      err2 = e.what();
    }
    INFO("text: ", text);
    REQUIRE(err1 == err2);
    if (!err1.empty()) {
      ++compared_errors;
      continue;
    }
    ++compared_rows;
    CHECK(r1.rows == r2.rows);
    CHECK(r1.rejected == r2.rejected);
    CHECK(r1.duplicate_rows == r2.duplicate_rows);
    CHECK(t1.value == t2.value);
    CHECK(t1.flags == t2.flags);
    CHECK(t1.start == t2.start);
    REQUIRE(r1.notes.size() == r2.notes.size());
    for (std::size_t k = 0; k < r1.notes.size(); ++k) CHECK(r1.notes[k].rows == r2.notes[k].rows);
  }
  std::remove(path.c_str());
  // both kinds of outcome were met often enough to mean something
  CHECK(compared_rows > 200);
  CHECK(compared_errors > 200);
}

TEST_CASE("a large CSV file (read with a second thread ahead) reads as parse_csv + read_observations read it") {
  // 120,000 rows (over the threshold for the pre-parsing thread, 8 blocks of 16,384) with every
  // kind of cell the thread reads ahead, some of them bad; both readers must agree row for row.
  const char* const values[] = {"5", "95.5", "—", "", "85%", "1,500", "x", "true", "-3", "\xEF\xBC\x99\xEF\xBC\x98"};
  const char* const indicators[] = {"teachers", "rate", "passed"};
  const char* const years[] = {"2016", "2021", "2021.0", "20x1", "2026", "2025"};
  std::string text = "indicator,entity,year,value,weight,parent\n";
  std::uint64_t state = 99;
  const auto next = [&] {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<std::size_t>(state >> 33);
  };
  for (int r = 0; r < 120000; ++r) {
    text += indicators[next() % 3];
    text += ",e" + std::to_string(r / 3) + ","; // new schools, added under d
    text += years[next() % std::size(years)];
    const std::string v = values[next() % std::size(values)];
    text += "," + (v.find(',') != std::string::npos ? "\"" + v + "\"" : v);
    text += next() % 50 ? ",10,d\n" : ",abc,d\n";
  }
  const std::string path = "observations_test_large.csv";
  {
    std::ofstream f(path, std::ios::binary);
    f << text;
  }
  plan p1 = mini(), p2 = mini();
  ingest_report r1, r2;
  read_options collect;
  collect.mode = on_bad_row::collect;
  const auto t1 = read_observations(p1, parse_csv(text, path), r1, collect, path);
  const auto t2 = read_observations_csv(p2, path, r2, collect);
  CHECK(r2.rows == 120000);
  CHECK(r1.rows == r2.rows);
  CHECK(r1.accepted == r2.accepted);
  CHECK(r1.rejected.size() == r2.rejected.size());
  // the same rejections; the file reader names other rows by their lines (row + 2)
  const auto as_rows = [](std::vector<rejection> rs) {
    const std::regex lines("as lines? ([0-9, ]+) with");
    for (auto& x : rs) {
      std::smatch m;
      if (!std::regex_search(x.message, m, lines)) continue;
      std::string nums, list = m[1].str();
      std::size_t count = 0;
      for (std::size_t a = 0; a < list.size();) {
        std::size_t b = list.find(',', a);
        if (b == std::string::npos) b = list.size();
        nums += (count++ ? ", " : "") + std::to_string(std::stoul(list.substr(a, b - a)) - 2);
        a = b + 1;
      }
      x.message = m.prefix().str() + "as " + (count == 1 ? "row " : "rows ") + nums + " with" + m.suffix().str();
    }
    return rs;
  };
  CHECK(r1.rejected == as_rows(r2.rejected));
  CHECK(r1.duplicate_rows == r2.duplicate_rows);
  CHECK(t1.value == t2.value);
  CHECK(t1.weight == t2.weight);
  CHECK(t1.flags == t2.flags);
  CHECK(t1.start == t2.start);
  CHECK(t1.end == t2.end);
  CHECK(t1.entity == t2.entity);
  CHECK(r1.added_entities == r2.added_entities);
  CHECK(r2.accepted > 1000);
  CHECK(r2.rejected.size() > 1000);
  // raise mode: the same first error, and the thread is stopped when it is thrown
  plan p3 = mini(), p4 = mini();
  ingest_report r3, r4;
  std::string e1, e2;
  try {
    read_observations(p3, parse_csv(text, path), r3, {}, path);
  } catch (const data_error& e) {
    e1 = e.what();
  }
  try {
    read_observations_csv(p4, path, r4);
  } catch (const data_error& e) {
    e2 = e.what();
  }
  std::remove(path.c_str());
  CHECK_FALSE(e2.empty());
  // the text-column reader names the row (from 0), the file reader its line (row + 2)
  const auto tail = [](const std::string& e) { return e.substr(e.find(", column")); };
  const auto number_after = [](const std::string& e, const std::string& word) {
    const auto at = e.find(word) + word.size();
    return std::stoul(e.substr(at, e.find_first_of(" ,", at) - at));
  };
  CHECK(tail(e2) == tail(e1));
  CHECK(number_after(e2, ": line ") == number_after(e1, ": row ") + 2);
}

TEST_CASE("indicators, entities and parents named in words are read when one item has the name") {
  plan p = mini(); // teachers = 县级以上骨干教师数 (backbone teachers); d = 白碱滩区, s1 = 小学
  ingest_report r;
  const auto t = read_bytes(p,
                            "indicator,entity,year,value,parent\n"
                            "县级以上骨干教师数,白碱滩区,2021,5,\n"  // both by their Chinese names
                            "backbone teachers,小学,2022,6,\n"     // the English name of the indicator
                            "teachers,第一小学,2022,3,小学\n",      // a new school under a parent named in words
                            r);
  REQUIRE(r.rejected.empty());
  REQUIRE(t.size() == 3);
  CHECK(t.indicator[0] == *p.find_indicator("teachers"));
  CHECK(t.entity[0] == *p.find_entity("d"));
  CHECK(t.entity[1] == *p.find_entity("s1"));
  CHECK(p.entity_by_id("第一小学").parent == "s1"); // the parent's id, not its name
  // a name two indicators share is not guessed
  indicator twin = p.indicator_by_id("rate");
  twin.id = "rate_2";
  p.add_indicator(twin); // also 毛入园率
  ingest_report r2;
  read_bytes(p, "indicator,entity,year,value\n毛入园率,d,2021,95\n", r2);
  REQUIRE(r2.rejected.size() == 1);
  CHECK(r2.rejected[0].message == "indicator name \"毛入园率\" is shared by 2 indicators (rate, rate_2): use the id");
}

TEST_CASE("errors carry their place as fields: file, row (from 1), column; message() without the place") {
  // an error built from a message alone has no place, and its message() is the whole message
  const data_error plain("something is wrong");
  CHECK(plain.where().empty());
  CHECK(plain.message() == "something is wrong");

  // arrays: position 1 is row 2 counted from 1 (the message keeps its "row 1", the position)
  {
    const plan p = mini();
    observation_table t;
    t.push_back(0, 0, day(2021, 1, 1), day(2021, 12, 31), 1);
    t.push_back(0, 0, day(2022, 1, 1), day(2022, 12, 31), std::numeric_limits<double>::infinity());
    ingest_report r;
    try {
      (void)check_observations(p, t.view(), r);
      FAIL("expected a data_error");
    } catch (const error& e) { // caught as the base: the place survives
      CHECK(e.where().file.empty());
      CHECK(e.where().row == std::optional<std::size_t>(2));
      CHECK(e.where().column == "value");
      CHECK(e.where().path.empty());
      CHECK(e.where().sheet.empty());
      CHECK(e.where().cell.empty());
      CHECK(e.message() == "expected a finite number, got inf (mark a value not reported as missing)");
      const error copy = e; // copies share the place
      CHECK(copy.where() == e.where());
    }
  }

  // a CSV file: the bad row is on line 3 (header line 1, then one good row)
  {
    plan q = mini();
    ingest_report r;
    try {
      (void)read_bytes(q, "indicator,entity,year,value\nteachers,d,2021,7\nteachers,d,2022,-1\n", r, on_bad_row::raise);
      FAIL("expected a data_error");
    } catch (const data_error& e) {
      CHECK(e.where().file == "observations_test_bytes.csv");
      CHECK(e.where().row == std::optional<std::size_t>(3));
      CHECK(e.where().column == "value");
      CHECK(e.message() == "expected a count >= 0 for \"teachers\", got -1");
    }
    // a bad year on line 2: the column is the time column's name
    try {
      (void)read_bytes(q, "indicator,entity,year,value\nteachers,d,20x1,7\n", r, on_bad_row::raise);
      FAIL("expected a data_error");
    } catch (const data_error& e) {
      CHECK(e.where().row == std::optional<std::size_t>(2));
      CHECK(e.where().column == "year");
    }
    // structural errors: the line; a missing column: the header's line 1 and the column missing
    try {
      (void)read_bytes(q, "indicator,entity,year,value\nrate,d,2021,95\nrate,d,2022\n", r);
      FAIL("expected a data_error");
    } catch (const data_error& e) {
      CHECK(e.where().file == "observations_test_bytes.csv");
      CHECK(e.where().row == std::optional<std::size_t>(3));
      CHECK(e.where().column.empty());
    }
    try {
      (void)read_bytes(q, "indicator,year,value\nrate,2021,95\n", r);
      FAIL("expected a data_error");
    } catch (const data_error& e) {
      CHECK(e.where().file == "observations_test_bytes.csv");
      CHECK(e.where().row == std::optional<std::size_t>(1));
      CHECK(e.where().column == "entity");
    }
    try {
      (void)read_observations_csv(q, "no/such.csv", r);
      FAIL("expected a data_error");
    } catch (const data_error& e) {
      CHECK(e.where().file == "no/such.csv");
      CHECK(!e.where().row);
    }
  }

  // text columns (a frame): no file; the row is the position + 1; a missing column has no row
  {
    plan p = mini();
    ingest_report r;
    text_columns c{{"indicator", "entity", "year", "value"}, {{"rate", "rate"}, {"d", "d"}, {"2021", "2022"}, {"95", "x"}}};
    try {
      (void)read_observations(p, c, r, {}, "DataFrame");
      FAIL("expected a data_error");
    } catch (const data_error& e) {
      CHECK(e.where().file.empty()); // "DataFrame" names the input, it is no file
      CHECK(e.where().row == std::optional<std::size_t>(2));
      CHECK(e.where().column == "value");
      CHECK(e.message() == "expected a number, got \"x\"");
    }
    text_columns c2{{"indicator", "year"}, {{"rate"}, {"2021"}}};
    try {
      (void)read_observations(p, c2, r, {}, "frame");
      FAIL("expected a data_error");
    } catch (const data_error& e) {
      CHECK(!e.where().row);
      CHECK(e.where().column == "entity");
    }
  }

  // parse_csv: the file named (not the "<csv>" placeholder) and the line
  try {
    (void)parse_csv("a,b\n1,2,3\n", "f.csv");
    FAIL("expected a data_error");
  } catch (const data_error& e) {
    CHECK(e.where().file == "f.csv");
    CHECK(e.where().row == std::optional<std::size_t>(2));
  }
  try {
    (void)parse_csv("a,b\n1,2,3\n");
    FAIL("expected a data_error");
  } catch (const data_error& e) {
    CHECK(e.where().file.empty());
    CHECK(e.where().row == std::optional<std::size_t>(2));
  }
}

TEST_CASE("plan_error: where().path is the first error's JSON path") {
  std::string text = planeval_test::mini_plan;
  const std::string good = "\"goal\": {\"comparator\": \"pass\", \"deadline\": \"2022\"}";
  const auto at = text.find(good);
  REQUIRE(at != std::string::npos);
  text.replace(at, good.size(), "\"goal\": {\"comparator\": \"pass\", \"deadline\": \"20x2\"}");
  try {
    (void)parse_plan(text);
    FAIL("expected a plan_error");
  } catch (const plan_error& e) {
    REQUIRE(!e.errors().empty());
    CHECK(e.where().path == "targets[1].goal.deadline"); // the second target (t2), its goal's deadline
    CHECK(e.where().path == e.errors().front().path);
    CHECK(e.where().file.empty());
    CHECK(!e.where().row);
  }
  // a plan file: the file apart, the JSON path without it (the diagnostics keep "file: path")
  const std::string path = "observations_test_plan.json";
  {
    std::ofstream f(path, std::ios::binary);
    f << text;
  }
  try {
    (void)load_plan(path);
    std::remove(path.c_str());
    FAIL("expected a plan_error");
  } catch (const plan_error& e) {
    std::remove(path.c_str());
    CHECK(e.where().file == path);
    CHECK(e.where().path == "targets[1].goal.deadline");
    CHECK(e.errors().front().path == path + ": targets[1].goal.deadline");
  }
  try {
    (void)load_plan("no/such/plan.json");
    FAIL("expected a plan_error");
  } catch (const plan_error& e) {
    CHECK(e.where().file == "no/such/plan.json");
    CHECK(e.where().path.empty());
    CHECK(std::string(e.what()) == "no/such/plan.json: cannot open the plan file");
  }
  // malformed JSON: no JSON path, the line of the problem (line 3: "oops" where a key belongs)
  const std::string broken = "{\n  \"format\": \"planeval-plan\",\n  oops\n}\n";
  try {
    (void)parse_plan(broken);
    FAIL("expected a plan_error");
  } catch (const plan_error& e) {
    CHECK(e.where().path.empty());
    CHECK(e.where().file.empty()); // "<string>" is no file
    CHECK(e.where().row == std::optional<std::size_t>(3));
  }
  {
    std::ofstream f(path, std::ios::binary);
    f << broken;
  }
  try {
    (void)load_plan(path);
    std::remove(path.c_str());
    FAIL("expected a plan_error");
  } catch (const plan_error& e) {
    std::remove(path.c_str());
    CHECK(e.where().path.empty());
    CHECK(e.where().file == path);
    CHECK(e.where().row == std::optional<std::size_t>(3));
    CHECK(e.errors().front().path.starts_with(path + ":3:")); // the diagnostic as before
  }
  const plan_error one("targets[3].goal.deadline", "expected a date");
  CHECK(one.where().path == "targets[3].goal.deadline");
  CHECK(std::string(one.what()) == "targets[3].goal.deadline: expected a date");
}

TEST_CASE("read_options::row_names: notes and conflicts name rows as the reader's cells") {
  plan p = mini();
  ingest_report r;
  // rows 0-2: fractions for a percentage (a note naming the three); rows 3 and 4: the same
  // indicator, entity and year with different values (each rejected, naming the other)
  text_columns c{{"indicator", "entity", "year", "value"},
                 {{"rate", "rate", "rate", "teachers", "teachers"},
                  {"d", "d", "d", "d", "d"},
                  {"2021", "2022", "2023", "2021", "2021"},
                  {"0.989", "0.99", "1", "7", "8"}}};
  read_options opt;
  opt.mode = on_bad_row::collect;
  opt.row_names = {"小学!E5", "小学!F5", "小学!G5", "小学!E6", "小学!E7"};
  (void)read_observations(p, c, r, opt, "book.xlsx");
  const auto* n = find_note(r, "implausible_scale");
  REQUIRE(n);
  CHECK(n->message ==
        "values of \"rate\" look like fractions (0.989 for 98.9%?): percentages are 0–100 (cells 小学!E5, 小学!F5, "
        "小学!G5)");
  CHECK(n->message_zh == "指标 \"rate\" 的数值像是小数比例（0.989 应为 98.9%？）：百分比应在 0–100 之间（单元格 "
                         "小学!E5、小学!F5、小学!G5）");
  CHECK(n->rows == std::vector<std::size_t>{0, 1, 2}); // the rows stay numbers
  REQUIRE(r.rejected.size() == 2);
  CHECK(r.rejected[0].row == 3);
  CHECK(r.rejected[0].message == "the same indicator, entity and period as 小学!E7 with a different value (7)");
  CHECK(r.rejected[1].message == "the same indicator, entity and period as 小学!E6 with a different value (8)");
  // raised: the error's row is still a number (position 4 + 1), its message() names the other cell
  plan q = mini();
  ingest_report r2;
  opt.mode = on_bad_row::raise;
  try {
    (void)read_observations(q, c, r2, opt, "book.xlsx");
    FAIL("expected a data_error");
  } catch (const data_error& e) {
    CHECK(e.where().row == std::optional<std::size_t>(4));
    CHECK(e.message() == "the same indicator, entity and period as 小学!E7 with a different value (7)");
  }
  // too few names: rows without one are named by number, as without names
  plan s = mini();
  ingest_report r3;
  opt.mode = on_bad_row::collect;
  opt.row_names = {"小学!E5"};
  (void)read_observations(s, c, r3, opt, "book.xlsx");
  REQUIRE(find_note(r3, "implausible_scale"));
  CHECK(find_note(r3, "implausible_scale")->message.ends_with("(rows 0, 1, 2)"));
}
