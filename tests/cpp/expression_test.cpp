// Tests of the formula language (planeval/expression.hpp): precedence and associativity, every
// function, the missing-value strategies, located errors, limits, and a fuzz test of the parser.
// Every expected number is computed by hand in a comment.

#include <planeval/error.hpp>
#include <planeval/expression.hpp>

#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

using planeval::evaluate;
using planeval::expression;
using planeval::expression_column;
using planeval::expression_error;
using planeval::expression_inputs;
using planeval::expression_type;
using planeval::rules::missing_policy;

namespace {

constexpr double inf = std::numeric_limits<double>::infinity();

struct col {
  std::string id;
  std::vector<double> v;
  std::vector<std::uint8_t> p; // empty: all present
};

expression_column run(std::string_view formula, const std::vector<col>& cols,
                      missing_policy policy = missing_policy::skip_if_any_missing,
                      const std::map<std::string, double>& constants = {}) {
  const std::size_t rows = cols.empty() ? 1 : cols.front().v.size();
  expression_inputs in(rows);
  for (const auto& c : cols) in.column(c.id, c.v, c.p);
  for (const auto& [k, v] : constants) in.constant(k, v);
  return evaluate(expression::parse(formula), in, policy);
}

/// The value of a formula without references; NaN if missing.
double eval1(std::string_view formula, const std::map<std::string, double>& constants = {}) {
  const auto r = run(formula, {}, missing_policy::skip_if_any_missing, constants);
  REQUIRE(r.value.size() == 1);
  return r.present[0] ? r.value[0] : std::numeric_limits<double>::quiet_NaN();
}

bool missing1(std::string_view formula) { return run(formula, {}).present[0] == 0; }

/// Values of a one-column formula over `a` (NaN = missing) as a vector with NaN for missing.
std::vector<double> over(std::string_view formula, const std::vector<std::optional<double>>& a,
                         const std::vector<std::optional<double>>& b = {},
                         missing_policy policy = missing_policy::skip_if_any_missing) {
  auto make = [](std::string id, const std::vector<std::optional<double>>& xs) {
    col c{std::move(id), {}, {}};
    for (auto x : xs) {
      c.v.push_back(x.value_or(0));
      c.p.push_back(x ? 1 : 0);
    }
    return c;
  };
  std::vector<col> cols{make("a", a)};
  if (!b.empty()) cols.push_back(make("b", b));
  const auto r = run(formula, cols, policy);
  std::vector<double> out;
  for (std::size_t i = 0; i < r.value.size(); ++i)
    out.push_back(r.present[i] ? r.value[i] : std::numeric_limits<double>::quiet_NaN());
  return out;
}

/// Element-wise equality with NaN == NaN (missing) and exact infinities.
bool same(const std::vector<double>& x, const std::vector<double>& y) {
  if (x.size() != y.size()) return false;
  for (std::size_t i = 0; i < x.size(); ++i) {
    if (std::isnan(x[i]) != std::isnan(y[i])) return false;
    if (!std::isnan(x[i]) && !(x[i] == y[i] || std::abs(x[i] - y[i]) < 1e-12)) return false;
  }
  return true;
}

/// The column of an expression_error thrown by parse(text); 0 if none.
std::size_t error_column(std::string_view text, std::string* message = nullptr,
                         const planeval::expression_names& known = {}) {
  try {
    (void)expression::parse(text, known);
  } catch (const expression_error& e) {
    if (message) *message = e.what();
    return e.column();
  }
  return 0;
}

const std::nullopt_t na = std::nullopt;

} // namespace

TEST_CASE("precedence and associativity (DHIS2's grammar)") {
  CHECK(eval1("2 ^ 3 ^ 2") == 512);            // right-assoc: 2^(3^2) = 2^9
  CHECK(eval1("(2 ^ 3) ^ 2") == 64);           // 8^2
  CHECK(eval1("-(2) ^ 2") == -4);              // ^ binds tighter than unary minus: -(2^2)
  CHECK(eval1("-2 ^ 2") == -4);                // same
  CHECK(eval1("(-2) ^ 2") == 4);               //
  CHECK(eval1("2 ^ -1") == 0.5);               // a signed exponent
  CHECK(eval1("2 ^ -1 ^ 2") == 0.5);           // 2^(-(1^2)) = 2^-1
  CHECK(eval1("2 * 3 % 4") == 2);              // (2*3) % 4 = 6 % 4
  CHECK(eval1("2 * (3 % 4)") == 6);            //
  CHECK(eval1("-7 % 3") == -1);                // sign of the dividend: (-7) % 3 = -1
  CHECK(eval1("7 % -3") == 1);                 // 7 - (-3)(-2) = 1
  CHECK(eval1("7.5 % 2") == 1.5);              //
  CHECK(eval1("10 - 4 - 3") == 3);             // left-assoc: (10-4)-3
  CHECK(eval1("64 / 4 / 2") == 8);             // (64/4)/2
  CHECK(eval1("1 + 2 * 3") == 7);              //
  CHECK(eval1("(1 + 2) * 3") == 9);            //
  CHECK(eval1("- - 3") == 3);                  //
  CHECK(eval1("+3 - -3") == 6);                //
  CHECK(eval1("2 * -3") == -6);                // unary binds tighter than *
  CHECK(eval1("1 + 2 < 4 == true") == 1);      // ((1+2) < 4) == true
  CHECK(eval1("!true || true") == 1);          // (!true) || true
  CHECK(eval1("!(true || true)") == 0);        //
  CHECK(eval1("true || false && false") == 1); // && binds tighter: true || (false && false)
  CHECK(eval1("(true || false) && false") == 0);
  CHECK(eval1("1 < 2 == 2 < 3") == 1);              // (1<2) == (2<3)
  CHECK(eval1("1 == 1 != false") == 1);             // (1==1) != false: true != false
  CHECK(eval1("not false and true or false") == 1); // keyword spellings
  CHECK(eval1("3 >= 3") == 1);
  CHECK(eval1("3 > 3") == 0);
  CHECK(eval1("2 <= 1") == 0);
  CHECK(eval1("\"abc\" < \"abd\"") == 1); // strings compare (literals only)
  CHECK(eval1("'a' == \"a\"") == 1);
  CHECK(eval1(".5 + 1. + 1e2 + 2.5E-1") == 101.75); // 0.5 + 1 + 100 + 0.25

  // Canonical forms keep the meaning and only the parentheses that are needed.
  CHECK(expression::parse("2^3^2").to_string() == "2 ^ 3 ^ 2");
  CHECK(expression::parse("(2^3)^2").to_string() == "(2 ^ 3) ^ 2");
  CHECK(expression::parse("-(2)^2").to_string() == "-2 ^ 2");
  CHECK(expression::parse("(-2)^2").to_string() == "(-2) ^ 2");
  CHECK(expression::parse("(1+2)*3").to_string() == "(1 + 2) * 3");
  CHECK(expression::parse("1-(2-3)").to_string() == "1 - (2 - 3)");
  CHECK(expression::parse("(1-2)-3").to_string() == "1 - 2 - 3");
  CHECK(expression::parse("!(true||false)").to_string() == "!(true || false)");
  CHECK(expression::parse("if(#{a}>0,#{a},C{k})").to_string() == "if(#{a} > 0, #{a}, C{k})");
  CHECK(expression::parse("'it\\'s'=='x'").to_string() == "\"it's\" == \"x\"");
}

TEST_CASE("functions") {
  CHECK(eval1("if(1 < 2, 10, 20)") == 10);
  CHECK(eval1("if(1 > 2, 10, 20)") == 20);
  CHECK(eval1("if(true, false, true) == false") == 1);
  CHECK(eval1("isNull(1)") == 0);
  CHECK(eval1("isNotNull(1)") == 1);
  CHECK(eval1("isNull(removeZeros(0))") == 1);
  CHECK(eval1("isNull('x')") == 0);
  CHECK(eval1("firstNonNull(removeZeros(0), 7, 8)") == 7);
  CHECK(std::isnan(eval1("firstNonNull(removeZeros(0))"))); // all missing: missing
  CHECK(eval1("greatest(3, 9, -1)") == 9);
  CHECK(eval1("least(3, 9, -1)") == -1);
  CHECK(eval1("greatest(removeZeros(0), 2)") == 2); // missing arguments are ignored (DHIS2)
  CHECK(eval1("least(removeZeros(0), 2)") == 2);
  CHECK(missing1("greatest(removeZeros(0), 1 / 0)")); // all missing: missing
  CHECK(eval1("greatest(5)") == 5);
  CHECK(eval1("log(1)") == 0);
  CHECK(std::abs(eval1("log(2.718281828459045)") - 1) < 1e-15);
  CHECK(eval1("log(0)") == -inf);                  // -infinity, as DHIS2 (Math.log)
  CHECK(missing1("log(-1)"));                      // NaN: a NaN result is reported missing
  CHECK(eval1("isNull(log(-1))") == 0);            // inside a formula a NaN is a value
  CHECK(std::abs(eval1("log(8, 2)") - 3) < 1e-15); // ln 8 / ln 2
  CHECK(std::abs(eval1("log(1000, 10)") - 3) < 1e-12);
  CHECK(eval1("log10(1000)") == 3);
  CHECK(eval1("log10(0)") == -inf);
  CHECK(missing1("removeZeros(0)"));
  CHECK(eval1("removeZeros(4)") == 4);
  CHECK(eval1("removeZeros(-4)") == -4);
  CHECK(eval1("C{k} * 2", {{"k", 21}}) == 42);
  CHECK(missing1("1 / 0")); // division by zero: missing, never infinity
  CHECK(missing1("0 / 0"));
  CHECK(missing1("5 % 0"));
  CHECK(missing1("1 / 0 + 1"));             // propagates
  CHECK(missing1("1 / 0 > 0"));             // comparisons with a missing operand
  CHECK(eval1("if(1 / 0 > 0, 1, 2)") == 2); // a missing condition takes the else branch
  CHECK(eval1("1 / 0 == 2 / 0") == 1);      // two missing values are equal (DHIS2)
  CHECK(eval1("1 / 0 == 2") == 0);
  CHECK(eval1("1 / 0 != 2") == 1);
  CHECK(eval1("1 / 0 > 0 || true") == 1); // true wins over missing (DHIS2's or)
  CHECK(missing1("1 / 0 > 0 || false"));
  CHECK(missing1("1 / 0 > 0 && false")); // DHIS2's and: missing if either side is
  CHECK(missing1("!(1 / 0 > 0)"));
  CHECK(eval1("(-8) ^ (1 / 3) == 1") == 0); // NaN compares unequal
  CHECK(missing1("(-8) ^ (1 / 3)"));        // pow of a negative base, fractional exponent: NaN
}

TEST_CASE("types, references and constants") {
  const auto e = expression::parse("#{b} / #{a} + C{x} * #{b} - C{y} + C{x}");
  CHECK(e.references() == std::vector<std::string>{"b", "a"});
  CHECK(e.constants() == std::vector<std::string>{"x", "y"});
  CHECK(e.result_type() == expression_type::number);
  CHECK(expression::parse("#{a} > 1").result_type() == expression_type::boolean);
  CHECK(expression::parse("if(#{a} > 1, true, false)").result_type() == expression_type::boolean);
  CHECK(expression::parse("#{学校.教师-数:2}").references() == std::vector<std::string>{"学校.教师-数:2"});
  CHECK(e.node_count() == 11);

  const auto r = expression::parse("#{a} / #{b} * 100");
  CHECK(r.substitute({{"a", 44.0}, {"b", 100.0}}) == "44 / 100 * 100");
  CHECK(r.substitute({{"a", std::nullopt}}) == "missing / #{b} * 100");
  CHECK(expression::parse("#{a} ^ 2 + C{k}").substitute({{"a", -2.0}}, {{"k", 0.5}}) == "(-2) ^ 2 + 0.5");

  // Booleans come out as 1/0.
  const auto b = run("#{a} >= 2", {{"a", {1, 2, 3}, {}}});
  CHECK(b.type == expression_type::boolean);
  CHECK(b.value == std::vector<double>{0, 1, 1});
}

TEST_CASE("missing-value strategies, including all-missing rows") {
  // Rows: (a, b) = (4, 2), (4, missing), (missing, missing), (missing, 2)
  const std::vector<std::optional<double>> a{4.0, 4.0, na, na};
  const std::vector<std::optional<double>> b{2.0, na, na, 2.0};
  const double m = std::numeric_limits<double>::quiet_NaN();

  // skip_if_any_missing: only row 0 (4 + 2 = 6).
  CHECK(same(over("#{a} + #{b}", a, b, missing_policy::skip_if_any_missing), {6, m, m, m}));
  // skip_if_all_missing: missing counts as 0 where something is present: 6, 4+0, -, 0+2.
  CHECK(same(over("#{a} + #{b}", a, b, missing_policy::skip_if_all_missing), {6, 4, m, 2}));
  // never_skip: missing counts as 0 always: 6, 4, 0, 2.
  CHECK(same(over("#{a} + #{b}", a, b, missing_policy::never_skip), {6, 4, 0, 2}));

  // Division: 4/2 = 2; 4/0 -> missing (division by zero); 0/0 missing; 0/2 = 0.
  CHECK(same(over("#{a} / #{b}", a, b, missing_policy::never_skip), {2, m, m, 0}));
  CHECK(same(over("#{a} / #{b}", a, b, missing_policy::skip_if_all_missing), {2, m, m, 0}));

  // Null-aware functions see the raw missingness (DHIS2 does not replace nulls in their arguments).
  CHECK(same(over("firstNonNull(#{a}, #{b}, -1)", a, b, missing_policy::never_skip), {4, 4, -1, 2}));
  CHECK(same(over("firstNonNull(#{b}, #{a})", a, b, missing_policy::skip_if_all_missing), {2, 4, m, 2}));
  CHECK(same(over("if(isNull(#{b}), 100, #{b})", a, b, missing_policy::never_skip), {2, 100, 100, 2}));
  CHECK(same(over("isNotNull(#{a}) && isNotNull(#{b})", a, b, missing_policy::never_skip), {1, 0, 0, 0}));
  // Under skip_if_any_missing the surviving rows have every item present.
  CHECK(same(over("isNull(#{a})", a, b, missing_policy::skip_if_any_missing), {0, 0, m, m})); // b not referenced
  // greatest ignores missing arguments when they are raw (inside firstNonNull)...
  CHECK(same(over("firstNonNull(greatest(#{a}, #{b}), 0)", a, b, missing_policy::never_skip), {4, 4, 0, 2}));
  // ...and outside, missing items already read as 0 under the lenient strategies.
  CHECK(same(over("greatest(#{a}, #{b})", a, b, missing_policy::skip_if_all_missing), {4, 4, m, 2}));
  // removeZeros: a missing result stays missing under never_skip (documented deviation).
  CHECK(same(over("removeZeros(#{a})", a, {}, missing_policy::never_skip), {4, 4, m, m}));

  // All rows missing, every strategy.
  const std::vector<std::optional<double>> none{na, na};
  CHECK(same(over("#{a} * 2 + 1", none, {}, missing_policy::skip_if_any_missing), {m, m}));
  CHECK(same(over("#{a} * 2 + 1", none, {}, missing_policy::skip_if_all_missing), {m, m}));
  CHECK(same(over("#{a} * 2 + 1", none, {}, missing_policy::never_skip), {1, 1}));
  CHECK(same(over("isNull(#{a})", none, {}, missing_policy::never_skip), {1, 1}));
  // A formula without references is never skipped.
  CHECK(same(over("1 + 1", none, {}, missing_policy::skip_if_all_missing), {2, 2}));

  // No mask means all present.
  CHECK(run("#{a} * 10", {{"a", {1.5, 2}, {}}}).value == std::vector<double>{15, 20});
  // Zero rows.
  CHECK(run("#{a} + 1", {{"a", {}, {}}}).value.empty());
}

TEST_CASE("inputs are checked") {
  std::vector<double> v{1, std::numeric_limits<double>::quiet_NaN()};
  std::vector<std::uint8_t> p{1, 1};
  expression_inputs in(2);
  CHECK_THROWS_AS(in.column("a", std::vector<double>{1.0}), planeval::error);
  in.column("a", v, p);
  CHECK_THROWS_AS(evaluate(expression::parse("#{a}"), in), planeval::data_error); // present NaN
  p[1] = 0;
  CHECK(evaluate(expression::parse("#{a} + 1"), in).value[0] == 2); // masked NaN is fine
  CHECK_THROWS_WITH_AS(evaluate(expression::parse("#{b}"), in), "evaluate: no values for indicator \"b\"",
                       planeval::error);
  CHECK_THROWS_WITH_AS(evaluate(expression::parse("C{k}"), in), "evaluate: no value for constant \"k\"",
                       planeval::error);
  CHECK_THROWS_AS(in.constant("k", inf), planeval::data_error);
}

TEST_CASE("located errors") {
  std::string msg;
  CHECK(error_column("1 + foo(2)", &msg) == 5);
  CHECK(msg == "unknown function \"foo\" at column 5");
  CHECK(error_column("IF(true, 1, 2)", &msg) == 1);
  CHECK(msg == "unknown function \"IF\" (did you mean \"if\"?) at column 1");
  planeval::expression_names known;
  known.indicators = std::set<std::string, std::less<>>{"teachers"};
  known.constants = std::set<std::string, std::less<>>{"k"};
  CHECK(error_column("#{teacher_cnt} / 2", &msg, known) == 3);
  CHECK(msg == "unknown indicator \"teacher_cnt\" at column 3");
  CHECK(error_column("#{teachers} * C{q}", &msg, known) == 17);
  CHECK(msg == "unknown constant \"q\" at column 17");
  CHECK(error_column("#{teachers} * C{k}", nullptr, known) == 0);

  CHECK(error_column("if(1, 2, 3)", &msg) == 4);
  CHECK(msg == "the condition of \"if\" must be a boolean, got number at column 4");
  CHECK(error_column("if(true, 2, false)", &msg) == 13);
  CHECK(msg == "the else branch of \"if\" must be a number, got boolean at column 13");
  CHECK(error_column("log(1, 2, 3)", &msg) == 1);
  CHECK(msg == "\"log\" takes 1 or 2 arguments, got 3 at column 1");
  CHECK(error_column("isNull()", &msg) == 1);
  CHECK(msg == "\"isNull\" takes 1 argument, got 0 at column 1");
  CHECK(error_column("greatest()", &msg) == 1);
  CHECK(msg == "\"greatest\" takes at least 1 argument, got 0 at column 1");
  CHECK(error_column("1 + true", &msg) == 3);
  CHECK(msg == "\"+\" needs numbers, got number and boolean at column 3");
  CHECK(error_column("!1", &msg) == 1);
  CHECK(msg == "\"!\" needs a boolean, got number at column 1");
  CHECK(error_column("-true") == 1);
  CHECK(error_column("1 < 2 < 3", &msg) == 7); // (1<2) < 3
  CHECK(msg == "\"<\" needs two numbers or two strings, got boolean and number at column 7");
  CHECK(error_column("1 == true") == 3);
  CHECK(error_column("1 && true") == 3);
  CHECK(error_column("'a' + 1") == 5);
  CHECK(error_column("\"abc\"", &msg) == 1);
  CHECK(msg == "a formula must give a number or a boolean, not a string at column 1");
  CHECK(error_column("greatest(1, true)", &msg) == 13);
  CHECK(error_column("firstNonNull(1, false)") == 17);

  CHECK(error_column("", &msg) == 1);
  CHECK(msg == "empty formula at column 1");
  CHECK(error_column("1 +", &msg) == 4);
  CHECK(msg == "expected a value, got the end of the formula at column 4");
  CHECK(error_column("(1 + 2", &msg) == 7);
  CHECK(error_column("1 + 2)", &msg) == 6);
  CHECK(msg == "unmatched \")\" at column 6");
  CHECK(error_column("1 2", &msg) == 3);
  CHECK(error_column("1 = 2", &msg) == 3);
  CHECK(msg == "unexpected \"=\" (equality is written \"==\") at column 3");
  CHECK(error_column("true & false") == 6);
  CHECK(error_column("#{a") == 1);
  CHECK(error_column("#{}") == 1);
  CHECK(error_column("#{a b}") == 4);
  CHECK(error_column("#a") == 1);
  CHECK(error_column("'abc") == 1);
  CHECK(error_column("'a\\qb' == 'x'") == 3);
  CHECK(error_column("teachers + 1", &msg) == 1);
  CHECK(msg == "unknown name \"teachers\" (an indicator is written #{teachers}) at column 1");
  CHECK(error_column("1 + @") == 5);
  CHECK(error_column("1e") == 2);
  CHECK(error_column("12abc") == 1);
  CHECK(error_column("1e999", &msg) == 1);
  CHECK(msg == "number 1e999 is out of range at column 1");
  CHECK(error_column("log(1,)") == 7);
  CHECK(error_column("log 1") == 5);
  // Columns count code points: "教育" is 2 columns, 6 bytes.
  CHECK(error_column("#{教育} + foo(1)", &msg) == 9);
  CHECK(error_column("#{教育} ÷ 2", &msg) == 7);
  CHECK(msg == "unexpected character \"÷\" at column 7");
  CHECK(error_column("1 + \xff", &msg) == 5);
  CHECK(msg == "invalid UTF-8 at column 5");
  CHECK(error_column("1 + \xe6\x95") == 5); // truncated sequence

  // An expression_error is a planeval::error.
  CHECK_THROWS_AS(expression::parse("1 +"), planeval::error);
}

TEST_CASE("limits are errors, not crashes") {
  // Nesting: 64 parentheses parse, 65 do not (the error points at the token 65 levels deep).
  CHECK_NOTHROW(expression::parse(std::string(64, '(') + "1" + std::string(64, ')')));
  std::string msg;
  CHECK(error_column(std::string(65, '(') + "1" + std::string(65, ')'), &msg) == 66);
  CHECK(msg == "formula nested too deeply (more than 64 levels) at column 66");
  CHECK(error_column(std::string(100000, '-') + "1") > 0); // too long
  CHECK(error_column(std::string(1000, '(') + "1") == 66);
  CHECK_NOTHROW(expression::parse(std::string(64, '-') + "1"));
  CHECK(error_column(std::string(65, '-') + "1") == 66);
  std::string pow = "2";
  for (int i = 0; i < 100; ++i) pow += " ^ 2";
  CHECK(error_column(pow) > 0);
  CHECK(error_column(std::string(100, '!') + "true") > 0);
}

TEST_CASE("node and length limits") {
  // 2,048 ones joined by + make 4,095 nodes: fine; 2,049 make 4,097: too many.
  auto ones = [](int k) {
    std::string s = "1";
    for (int i = 1; i < k; ++i) s += "+1";
    return s;
  };
  CHECK(expression::parse(ones(2048)).node_count() == 4095);
  std::string msg;
  CHECK(error_column(ones(2049), &msg) > 0);
  CHECK(msg.starts_with("formula too large (more than 4096 nodes)"));
  // 10,000 characters: "1" followed by spaces is fine; 10,001 is not, counted in code points.
  CHECK_NOTHROW(expression::parse("1" + std::string(9'999, ' ')));
  CHECK(error_column("1" + std::string(10'000, ' '), &msg) == 10'001);
  CHECK(msg == "formula longer than 10000 characters at column 10001");
  std::string wide = "1 + #{";
  for (int i = 0; i < 3'000; ++i) wide += "教"; // 3,000 code points, 9,000 bytes
  wide += "}";
  CHECK_NOTHROW(expression::parse(wide));
}

TEST_CASE("column-wise evaluation agrees with row-by-row evaluation") {
  const std::vector<std::optional<double>> a{1.0, 0.0, -2.5, na, 8.0, na};
  const std::vector<std::optional<double>> b{2.0, 0.0, na, 3.0, -8.0, na};
  const char* formulas[] = {
      "#{a} / #{b} * 100",
      "if(#{a} > #{b}, #{a} % 3, -#{b} ^ 2)",
      "firstNonNull(removeZeros(#{a}), #{b}, 42) + least(#{a}, #{b})",
      "isNull(#{a}) || #{b} >= 0",
      "log(#{b} * #{b} + 1, 2) - log10(greatest(#{a}, 1))",
  };
  for (const char* f : formulas)
    for (auto policy :
         {missing_policy::skip_if_any_missing, missing_policy::skip_if_all_missing, missing_policy::never_skip}) {
      const auto whole = over(f, a, b, policy);
      for (std::size_t i = 0; i < a.size(); ++i) {
        const auto one = over(f, {a[i]}, {b[i]}, policy);
        INFO(f << " row " << i);
        CHECK(same({whole[i]}, one));
      }
    }
}

TEST_CASE("aggregate_ratio: ratio of sums, zero or missing denominators give missing") {
  using planeval::aggregate_ratio;
  expression_column num{expression_type::number, {3, 5, 1, 4, 0, 7}, {1, 1, 1, 0, 1, 0}};
  expression_column den{expression_type::number, {10, 30, 0, 5, 0, 2}, {1, 1, 1, 1, 1, 0}};
  const std::vector<std::uint32_t> g{0, 0, 1, 2, 3, 4};
  // group 0: (3+5)/(10+30)*100 = 20; group 1: 1/0 -> missing; group 2: numerator missing;
  // group 3: 0/0 -> missing; group 4: both missing; group 5: empty -> missing.
  auto r = aggregate_ratio(num, den, g, 6, 100, missing_policy::skip_if_all_missing);
  CHECK(r.present == std::vector<std::uint8_t>{1, 0, 0, 0, 0, 0});
  CHECK(r.value[0] == 20);
  // never_skip: group 2's numerator counts as 0 -> 0/5 = 0; group 4: den 0 -> missing.
  r = aggregate_ratio(num, den, g, 6, 100, missing_policy::never_skip);
  CHECK(r.present == std::vector<std::uint8_t>{1, 0, 1, 0, 0, 0});
  CHECK(r.value[2] == 0);
  // Ratio of sums, not mean of ratios: (3+5)/(10+30) = 0.2, not (0.3 + 0.1667)/2.
  CHECK(aggregate_ratio(num, den, std::vector<std::uint32_t>{0, 0, 1, 1, 1, 1}, 2, 1).value[0] == 0.2);
  CHECK_THROWS_AS(aggregate_ratio(num, den, std::vector<std::uint32_t>{0, 0, 9, 0, 0, 0}, 2, 1), planeval::error);
}

TEST_CASE("fuzz: random token strings parse or raise a located error, never crash") {
  const std::vector<std::string> alphabet{"1",        "0",     "2.5", ".5",     "1e3",         "1e",
                                          "#{a}",     "#{b}",  "#{",  "}",      "C{k}",        "C",
                                          "(",        ")",     ",",   "+",      "-",           "*",
                                          "/",        "%",     "^",   "!",      "<",           "<=",
                                          ">",        ">=",    "==",  "!=",     "=",           "&&",
                                          "||",       "&",     "|",   "and",    "or",          "not",
                                          "true",     "false", "if",  "isNull", "isNotNull",   "firstNonNull",
                                          "greatest", "least", "log", "log10",  "removeZeros", "foo",
                                          "'s'",      "\"t",   " ",   " ",      "\t",          "教",
                                          "\xff",     "@",     "..",  "((",     "))"};
  std::mt19937 rng(20260101);
  std::uniform_int_distribution<std::size_t> pick(0, alphabet.size() - 1), len(1, 24);
  const std::vector<double> av{1, 0, -3, 2.5};
  const std::vector<double> bv{0, 4, 2, -1};
  const std::vector<std::uint8_t> ap{1, 1, 0, 1}, bp{0, 1, 1, 1};
  expression_inputs in(4);
  in.column("a", av, ap).column("b", bv, bp).constant("k", 2);
  int parsed = 0, rejected = 0;
  for (int iter = 0; iter < 20'000; ++iter) {
    std::string s;
    for (std::size_t k = len(rng); k > 0; --k) s += alphabet[pick(rng)];
    try {
      const auto e = expression::parse(s);
      ++parsed;
      // The canonical form re-parses to itself (and is a fixed point).
      const std::string c = e.to_string();
      const auto e2 = expression::parse(c);
      INFO(s << " -> " << c);
      CHECK(e2.to_string() == c);
      for (auto policy : {missing_policy::skip_if_any_missing, missing_policy::never_skip}) {
        const auto r1 = evaluate(e, in, policy), r2 = evaluate(e2, in, policy);
        CHECK(r1.present == r2.present);
        for (std::size_t i = 0; i < 4; ++i)
          if (r1.present[i])
            CHECK((r1.value[i] == r2.value[i] || (std::isinf(r1.value[i]) && r1.value[i] == r2.value[i])));
      }
    } catch (const expression_error& err) {
      ++rejected;
      const std::size_t cps = [&] {
        std::size_t n = 0;
        for (char ch : s) n += (static_cast<unsigned char>(ch) & 0xC0) != 0x80;
        return n;
      }();
      INFO(s << ": " << err.what());
      CHECK(err.column() >= 1);
      CHECK(err.column() <= cps + 1);
    }
  }
  MESSAGE("fuzz: " << parsed << " parsed, " << rejected << " rejected");
  CHECK(parsed > 100);
  CHECK(rejected > 100);
}

namespace {

/// Random formulas from the grammar (mostly well-typed, with random parentheses and spacing).
struct formula_generator {
  std::mt19937& rng;
  int coin(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng); }
  std::string sp() { return coin(3) == 0 ? "" : " "; }
  std::string wrap(const std::string& s) { return coin(2) == 0 ? "(" + s + ")" : s; }

  std::string number(int depth) {
    if (depth <= 0 || coin(4) == 0) {
      static const char* atoms[] = {"1", "0", "2.5", "#{a}", "#{b}", "C{k}", "3", ".5", "1e1"};
      return atoms[coin(9)];
    }
    static const char* ops[] = {"+", "-", "*", "/", "%", "^"};
    switch (coin(9)) {
    case 0:
    case 1:
    case 2: return wrap(number(depth - 1)) + sp() + ops[coin(6)] + sp() + wrap(number(depth - 1));
    case 3: return "-" + wrap(number(depth - 1));
    case 4: return "if(" + boolean(depth - 1) + "," + sp() + number(depth - 1) + ", " + number(depth - 1) + ")";
    case 5: {
      static const char* fns[] = {"greatest", "least", "firstNonNull"};
      std::string s = std::string(fns[coin(3)]) + "(" + number(depth - 1);
      for (int k = coin(3); k > 0; --k) s += ", " + number(depth - 1);
      return s + ")";
    }
    case 6: return "log(" + number(depth - 1) + (coin(2) ? ", " + number(depth - 1) : "") + ")";
    case 7: return (coin(2) ? "log10(" : "removeZeros(") + number(depth - 1) + ")";
    default: return "(" + number(depth - 1) + ")";
    }
  }

  std::string boolean(int depth) {
    if (depth <= 0 || coin(4) == 0) return coin(2) ? "true" : "false";
    static const char* cmp[] = {"<", "<=", ">", ">=", "==", "!="};
    switch (coin(6)) {
    case 0:
    case 1: return wrap(number(depth - 1)) + sp() + cmp[coin(6)] + sp() + wrap(number(depth - 1));
    case 2: return wrap(boolean(depth - 1)) + (coin(2) ? " && " : " || ") + wrap(boolean(depth - 1));
    case 3: return "!" + wrap(boolean(depth - 1));
    case 4: return (coin(2) ? "isNull(" : "isNotNull(") + number(depth - 1) + ")";
    default: return "if(" + boolean(depth - 1) + ", " + boolean(depth - 1) + ", " + boolean(depth - 1) + ")";
    }
  }
};

} // namespace

TEST_CASE("fuzz: grammar-generated and mutated formulas; column-wise equals row-wise") {
  std::mt19937 rng(424242);
  formula_generator gen{rng};
  const std::vector<std::string> junk{"(", ")", ",", "+", "^", "!", "#{", "}", "'", "教", "==", "&&", "if", "1", " "};
  const std::vector<double> av{1, 0, -3, 2.5}, bv{0, 4, 2, -1};
  const std::vector<std::uint8_t> ap{1, 1, 0, 1}, bp{0, 1, 1, 1};
  expression_inputs in(4);
  in.column("a", av, ap).column("b", bv, bp).constant("k", 2);
  std::vector<expression_inputs> row_inputs;
  for (std::size_t i = 0; i < 4; ++i) {
    row_inputs.emplace_back(1);
    row_inputs.back()
        .column("a", std::span<const double>(av).subspan(i, 1), std::span<const std::uint8_t>(ap).subspan(i, 1))
        .column("b", std::span<const double>(bv).subspan(i, 1), std::span<const std::uint8_t>(bp).subspan(i, 1))
        .constant("k", 2);
  }
  planeval::expression_names known;
  known.indicators = std::set<std::string, std::less<>>{"a", "b"};
  known.constants = std::set<std::string, std::less<>>{"k"};
  int parsed = 0, rejected = 0;
  for (int iter = 0; iter < 10'000; ++iter) {
    std::string s = gen.coin(2) ? gen.number(5) : gen.boolean(5);
    for (int m = gen.coin(4) == 0 ? 1 + gen.coin(2) : 0; m > 0 && !s.empty(); --m) {
      const std::size_t at = std::uniform_int_distribution<std::size_t>(0, s.size() - 1)(rng);
      if (gen.coin(2))
        s.erase(at, 1);
      else
        s.insert(at, junk[static_cast<std::size_t>(gen.coin(static_cast<int>(junk.size())))]);
    }
    try {
      const auto e = expression::parse(s, known);
      ++parsed;
      const std::string c = e.to_string();
      INFO(s << " -> " << c);
      const auto e2 = expression::parse(c, known);
      CHECK(e2.to_string() == c);
      for (auto policy :
           {missing_policy::skip_if_any_missing, missing_policy::skip_if_all_missing, missing_policy::never_skip}) {
        const auto whole = evaluate(e, in, policy);
        const auto canon = evaluate(e2, in, policy);
        for (std::size_t i = 0; i < 4; ++i) {
          const auto one = evaluate(e, row_inputs[i], policy);
          CHECK(whole.present[i] == one.present[0]);
          CHECK(whole.present[i] == canon.present[i]);
          if (whole.present[i] && one.present[0]) CHECK(whole.value[i] == one.value[0]);
          if (whole.present[i] && canon.present[i]) CHECK(whole.value[i] == canon.value[i]);
        }
      }
    } catch (const expression_error& err) {
      ++rejected;
      INFO(s << ": " << err.what());
      CHECK(err.column() >= 1);
      CHECK(err.column() <= s.size() + 1);
    }
  }
  MESSAGE("grammar fuzz: " << parsed << " parsed, " << rejected << " rejected");
  CHECK(parsed > 2'500);
  CHECK(rejected > 500);
}

TEST_CASE("references_of: the ids a formula reads, once each; none when it does not parse") {
  CHECK(planeval::references_of("#{a} + #{b} * #{a} / C{k}") == std::vector<std::string>{"a", "b"});
  CHECK(planeval::references_of("if(isNull(#{x}), 0, #{y})") == std::vector<std::string>{"x", "y"});
  CHECK(planeval::references_of("#{a} +").empty()); // a syntax error: reported by whoever parses it
  CHECK(planeval::references_of("").empty());
  CHECK(planeval::references_of("1 + 2").empty());
}

TEST_CASE("canonical text: a unary exponent is printed without parentheses, so it never nests deeper") {
  // 2 ^ -1 ^ 3 is 2 ^ (-(1 ^ 3)): the exponent of ^ is a unary expression
  const expression e = expression::parse("2^-1^3");
  CHECK(e.to_string() == "2 ^ -1 ^ 3");
  CHECK(expression::parse(e.to_string()).to_string() == e.to_string());
  // found by the formula fuzzer: within the depth limit, its canonical text was beyond it
  const std::string deep = "2^-1^--1^-2^-0^3^-0^-3^-3^3^-0^1^-3^-0^2^-0^1^-0^2^-3^2^1^-3^2^-3^1^-1^3^-1^3^1";
  const expression d = expression::parse(deep);
  CHECK(expression::parse(d.to_string()).to_string() == d.to_string());
}

TEST_CASE("booleans compare as 0 and 1, as DHIS2 compares them") {
  // DHIS2's expression tests (dhis2/expression-parser, operator/CompareExpressionTest.kt):
  // "true > false" true, "true > true" false, "true >= false" true, "true < false" false,
  // "true <= false" false, "true <= true" true. `!` binds tighter than `<=` (DHIS2's grammar lists
  // the unary operators before the relational ones), so `!true <= false` is `false <= false`: true.
  CHECK(eval1("!true <= false") == 1);
  CHECK(eval1("true > false") == 1);
  CHECK(eval1("true > true") == 0);
  CHECK(eval1("true >= false") == 1);
  CHECK(eval1("true < false") == 0);
  CHECK(eval1("true <= false") == 0);
  CHECK(eval1("true <= true") == 1);
  CHECK(eval1("false < true") == 1);
  CHECK(expression::parse("!true <= false").result_type() == expression_type::boolean);
  // over rows: (a > 1) <= (a > 2) fails only where a > 1 holds and a > 2 does not: a = 2
  CHECK(same(over("(#{a} > 1) <= (#{a} > 2)", {1.0, 2.0, 3.0}), {1, 0, 1}));
  // a boolean with a number stays a type error (1 < 2 < 3 is (1 < 2) < 3)
  CHECK(error_column("true < 1") == 6);
}

TEST_CASE("evaluate takes the missing policy by planeval's or DHIS2's name") {
  // #{a} + #{b} with b missing in row 0: skip_if_any → missing; skip_if_all and never_skip → 1 + 0
  for (const auto& [ours, dhis2] : {std::pair{"skip_if_any_missing", "SKIP_IF_ANY_VALUE_MISSING"},
                                    std::pair{"skip_if_all_missing", "skip_if_all_values_missing"},
                                    std::pair{"never_skip", "Never_Skip"}}) {
    CAPTURE(ours);
    const auto a = planeval::missing_policy_from(ours, "missing");
    const auto b = planeval::missing_policy_from(dhis2, "missing");
    CHECK(a == b);
    CHECK(same(over("#{a} + #{b}", {1.0, 2.0}, {na, 3.0}, b), over("#{a} + #{b}", {1.0, 2.0}, {na, 3.0}, a)));
  }
  const std::vector<double> nan_row0{std::numeric_limits<double>::quiet_NaN(), 5.0};
  CHECK(same(over("#{a} + #{b}", {1.0, 2.0}, {na, 3.0}, planeval::missing_policy_from("SKIP_IF_ANY_VALUE_MISSING", "m")),
             nan_row0));
  CHECK(same(over("#{a} + #{b}", {1.0, 2.0}, {na, 3.0}, planeval::missing_policy_from("never_skip", "m")), {1.0, 5.0}));
}
