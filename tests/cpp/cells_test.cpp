// The number cells of messy spreadsheets (detail/cells.hpp): missing marks, full-width forms,
// thousands separators, percent signs, blanks.
#include <planeval/detail/cells.hpp>

#include <doctest/doctest.h>

#include <charconv>
#include <string>
#include <system_error>

using namespace planeval::detail;

namespace {

/// The number `s` reads as, and whether it had a percent sign; fails the test if it is not one.
double number(std::string_view s, bool* percent = nullptr) {
  double x = -12345;
  bool pct = true;
  INFO("cell: ", std::string(s));
  REQUIRE(parse_number_cell(s, x, pct));
  if (percent) *percent = pct;
  return x;
}

bool is_number(std::string_view s) {
  double x = 0;
  bool pct = false;
  return parse_number_cell(s, x, pct);
}

} // namespace

TEST_CASE("missing marks") {
  // the list of before
  for (const char* s : {"", "NA", "N/A", "NaN", "nan", "null", "NULL", "None", "missing", "  NA \t"})
    CHECK_MESSAGE(is_missing_cell(s), s);
  // dashes and slashes of Chinese tables, 无 and 空, blanks of every kind
  CHECK(is_missing_cell("-"));
  CHECK(is_missing_cell(" - "));
  CHECK(is_missing_cell("/"));
  CHECK(is_missing_cell("\xE2\x80\x94")); // — U+2014 EM DASH
  CHECK(is_missing_cell("\xE2\x80\x93")); // – U+2013 EN DASH
  CHECK(is_missing_cell("\xEF\xBC\x8D")); // － U+FF0D FULLWIDTH HYPHEN-MINUS
  CHECK(is_missing_cell("无"));
  CHECK(is_missing_cell("空"));
  CHECK(is_missing_cell("\xE3\x80\x80"));                 // U+3000 IDEOGRAPHIC SPACE alone
  CHECK(is_missing_cell("\xC2\xA0"));                     // U+00A0 NO-BREAK SPACE alone
  CHECK(is_missing_cell("\xE3\x80\x80\xE2\x80\x94\xC2\xA0")); // — between the two
  CHECK(is_missing_cell(" \t\r"));
  // numbers and words are not missing
  CHECK_FALSE(is_missing_cell("-5"));
  CHECK_FALSE(is_missing_cell("0"));
  CHECK_FALSE(is_missing_cell("--"));
  CHECK_FALSE(is_missing_cell("无效"));
  CHECK_FALSE(is_missing_cell("n/a ok"));
}

TEST_CASE("plain numbers (the ASCII fast path)") {
  CHECK(number("98.5") == 98.5);
  CHECK(number(" 98.5\t") == 98.5);
  CHECK(number("+3") == 3);
  CHECK(number("-5") == -5);
  CHECK(number("1e3") == 1000);
  CHECK(number(".5") == 0.5);
  bool pct = true;
  CHECK(number("85", &pct) == 85);
  CHECK_FALSE(pct);
  CHECK_FALSE(is_number(""));
  CHECK_FALSE(is_number("-"));
  CHECK_FALSE(is_number("12a"));
  CHECK_FALSE(is_number("1 2"));
  CHECK_FALSE(is_number("0x10"));
}

TEST_CASE("full-width digits, signs and point") {
  CHECK(number("\xEF\xBC\x99\xEF\xBC\x98\xEF\xBC\x8E\xEF\xBC\x95") == 98.5); // ９８．５
  CHECK(number("\xEF\xBC\x99\xEF\xBC\x98.5") == 98.5);                     // ９８.5
  CHECK(number("\xEF\xBC\x8D\xEF\xBC\x93") == -3);                         // －３
  CHECK(number("\xEF\xBC\x8B\xEF\xBC\x97") == 7);                          // ＋７
  CHECK(number("\xE2\x88\x92" "2.5") == -2.5);                             // U+2212 MINUS SIGN
  CHECK(number("\xEF\xBC\x8E\xEF\xBC\x95") == 0.5);                        // ．５
  CHECK_FALSE(is_number("\xEF\xBC\x99\xE5\x85\x83"));                      // ９元: a unit is no number
}

TEST_CASE("blanks around a number, ASCII and not") {
  CHECK(number("\xE3\x80\x80" "42\xE3\x80\x80") == 42); // U+3000 both sides
  CHECK(number("\xC2\xA0" "42 ") == 42);                 // NBSP before
  CHECK_FALSE(is_number("4\xE3\x80\x80" "2"));           // a blank inside is no number
}

TEST_CASE("thousands separators: groups of three only") {
  CHECK(number("1,500") == 1500);
  CHECK(number("12,345.6") == 12345.6);
  CHECK(number("1,234,567") == 1234567);
  CHECK(number("-1,500") == -1500);
  CHECK(number("\xEF\xBC\x91\xEF\xBC\x8C\xEF\xBC\x95\xEF\xBC\x90\xEF\xBC\x90") == 1500); // １，５００
  CHECK_FALSE(is_number("1,50"));
  CHECK_FALSE(is_number("1,5000"));
  CHECK_FALSE(is_number(",500"));
  CHECK_FALSE(is_number("1234,567")); // the first group has at most three digits
  CHECK_FALSE(is_number("1,500,"));
  CHECK_FALSE(is_number("1.5,00"));   // no separator after the point
  CHECK_FALSE(is_number("1,,500"));
}

TEST_CASE("a trailing percent sign is reported, not judged") {
  bool pct = false;
  CHECK(number("85%", &pct) == 85);
  CHECK(pct);
  pct = false;
  CHECK(number("85.5 %", &pct) == 85.5);
  CHECK(pct);
  pct = false;
  CHECK(number("\xEF\xBC\x98\xEF\xBC\x95\xEF\xBC\x85", &pct) == 85); // ８５％
  CHECK(pct);
  CHECK(number("\xE3\x80\x80" "99.1%\xE3\x80\x80", &pct) == 99.1);
  CHECK_FALSE(is_number("%"));
  CHECK_FALSE(is_number("85%%"));
  CHECK_FALSE(is_number("%85"));
}

TEST_CASE("trim_cell") {
  CHECK(trim_cell("\xE3\x80\x80 a b\xC2\xA0\r") == "a b");
  CHECK(trim_cell("\xE3\x80\x80") == "");
  CHECK(trim_cell("\xE3\x80") == "\xE3\x80"); // a cut-off sequence is left alone
}

TEST_CASE("the short-decimal fast path gives what std::from_chars gives") {
  // every value with up to 6 significant digits and 0..4 decimals in a sweep, and the edges
  for (const char* s : {"0", "-0", "0.1", "0.3", "98.9", "85.5", "1234567890.12345", "999999999999999", ".5", "5.",
                        "0.00000000000001", "123456.789012345"}) {
    double fast = 0, slow = 0;
    REQUIRE(parse_short_decimal(s, fast));
    const std::string_view v(s);
    REQUIRE(std::from_chars(v.data(), v.data() + v.size(), slow).ec == std::errc{});
    CHECK_MESSAGE(fast == slow, s);
  }
  for (int k = 0; k < 200000; k += 7) {
    const std::string s = std::to_string(k / 10000) + "." + std::to_string(10000 + k % 10000).substr(1);
    double fast = 0, slow = 0;
    REQUIRE(parse_short_decimal(s, fast));
    std::from_chars(s.data(), s.data() + s.size(), slow);
    REQUIRE_MESSAGE(fast == slow, s);
  }
  double x = 0;
  CHECK_FALSE(parse_short_decimal("1234567890123456", x)); // 16 digits: from_chars decides
  CHECK_FALSE(parse_short_decimal("1e3", x));
  CHECK_FALSE(parse_short_decimal(".", x));
  CHECK_FALSE(parse_short_decimal("-", x));
  CHECK_FALSE(parse_short_decimal("1.2.3", x));
  CHECK(number("1234567890123456") == 1234567890123456.0); // and the fallback reads it
}
