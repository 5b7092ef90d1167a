// Copyright (c) 2026 planeval developers. Distributed under the MIT License.
#pragma once
/// \file expression.hpp
/// Derived indicators: a small, safe formula language over indicators with DHIS2-compatible
/// semantics, parsed once into a typed tree and evaluated column-wise.
///
/// Language (DHIS2's indicator expression language, the subset that makes sense for a plan):
/// - `#{indicator_id}`: the indicator's value for the same entity and period (a column);
///   `C{constant_id}`: a plan constant; number literals (`12`, `0.5`, `.5`, `1e3`), string
///   literals (`"a"` or `'a'`; escapes: backslash followed by backslash, double quote, single quote,
///   n for a newline or t for a tab), `true`, `false`.
/// - Operators, tightest first (DHIS2's grammar, docs.dhis2.org "Expressions" and the ANTLR grammar
///   of github.com/dhis2/dhis2-antlr-expression-parser / dhis2/expression-parser):
///     `^` (right-associative; binds tighter than unary minus: `-2 ^ 2` is -4, `2 ^ -1` is 0.5),
///     unary `-` `+` `!` (also `not`), `*` `/` `%`, `+` `-`, `<` `<=` `>` `>=`, `==` `!=`,
///     `&&` (also `and`), `||` (also `or`). Binary operators other than `^` are left-associative.
///     `%` is the remainder with the sign of the dividend (std::fmod, Java's %): `-7 % 3` is -1.
/// - Functions (names are case-sensitive, as in DHIS2): `if(c, a, b)`, `isNull(x)`,
///   `isNotNull(x)`, `firstNonNull(x, ...)`, `greatest(x, ...)`, `least(x, ...)`, `log(x)`,
///   `log(x, base)`, `log10(x)`, `removeZeros(x)`.
/// - Types are checked at parse time: number, boolean, string (literals only). Arithmetic needs
///   numbers; `!`, `&&`, `||` and the condition of `if` need booleans; `<`... compare two numbers,
///   two strings or two booleans (as DHIS2: false 0, true 1, so `!true <= false` is true); `==` `!=`
///   compare two values of one type; `if` branches and `firstNonNull`
///   arguments share one type. A formula gives a number or a boolean (never a string).
/// - Errors are planeval::expression_error with a 1-based column counted in Unicode code points:
///   `unknown function "foo" at column 5`, `unknown indicator "teacher_cnt" at column 3` (when the
///   known ids are given). Limits: 10,000 characters, nesting depth 64, 4,096 nodes. No loops, no
///   I/O, no user-defined functions: evaluation always terminates in O(nodes x rows).
///
/// Missing values (DHIS2's ExpressionService.getExpressionValue and missing value strategies,
/// using planeval::missing_policy, whose names are planeval's or DHIS2's in any letter case):
/// - skip_if_any_missing: a row in which any referenced indicator is missing is missing.
/// - skip_if_all_missing: a row is missing only if every referenced indicator is missing
///   (a formula without references is never skipped); otherwise missing items count as 0.
/// - never_skip: never skipped; missing items count as 0.
///   (DHIS2 counts every item it visits; whether the check counts occurrences or distinct ids makes
///   no difference to "any" and "all".)
/// - Outside the null-aware functions a reference that is missing reads as 0 (DHIS2's
///   "replace nulls"); the strategy above has already removed the rows where that matters.
///   Inside the arguments of `isNull`, `isNotNull` and `firstNonNull` references keep their raw
///   missingness (DHIS2 evaluates those arguments without replacing nulls), so
///   `firstNonNull(#{a}, #{b}, 0)` works under skip_if_all_missing and never_skip. Under
///   skip_if_any_missing every row that survives has all its items present, so these functions
///   then only see missing values made by the formula itself.
/// - Missing values made inside a formula: `x / 0` and `x % 0` (DHIS2 analytics stores no
///   non-finite indicator value; the issue asks for missing, never infinity), `removeZeros(0)`,
///   `greatest`/`least`/`firstNonNull` when every argument is missing. They propagate through
///   arithmetic, functions and comparisons; `if` with a missing condition takes the else branch
///   (DHIS2's ifThenElse); `a && b` is missing if either side is; `a || b` is true if either side
///   is true, else missing if either is missing (DHIS2's BinaryOperator.or); `==`/`!=` treat two
///   missing values as equal and a missing and a present value as different (DHIS2's equal).
///   `greatest` and `least` ignore missing arguments (DHIS2's ExpressionFunctions).
/// - A missing formula result stays missing under every strategy. (Deviation, documented: DHIS2's
///   ExpressionService turns a null result into 0 under NEVER_SKIP; here never_skip only concerns
///   missing inputs, so `removeZeros` and division by zero still give missing.)
/// - `log(0)` is -infinity and `log(-1)` NaN, as in DHIS2 (Java Math.log); `log(x, b)` is
///   ln x / ln b. A NaN formula result is reported missing (DHIS2 drops NaN results); an infinite
///   result is a value. Inside a formula a NaN is a value (isNull(log(-1)) is false).
///
/// Evaluation is column-wise: the tree is compiled into a short program of column operations run
/// on a stack of reusable buffers (one pass per node over whole columns, no tree walk per row).

#include <planeval/detail/enum_names.hpp>
#include <planeval/error.hpp>
#include <planeval/missing_policy.hpp>

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace planeval {

/// An invalid formula: what() is "<message> at column <column>".
class expression_error : public error {
public:
  expression_error(std::string message, std::size_t column)
      : error(message + " at column " + std::to_string(column)), message_(std::move(message)), column_(column) {}
  /// 1-based, in Unicode code points of the formula text.
  std::size_t column() const noexcept { return column_; }
  /// The message without its location.
  const std::string& message() const noexcept { return message_; }

private:
  std::string message_;
  std::size_t column_;
};

/// The type of a formula or sub-formula.
enum class expression_type : std::uint8_t { number, boolean, string };
inline constexpr detail::name_table<expression_type, 3> expression_type_names{{
    {expression_type::number, "number"},
    {expression_type::boolean, "boolean"},
    {expression_type::string, "string"},
}};
inline std::string_view to_string(expression_type t) noexcept { return detail::name_of(expression_type_names, t); }

/// Bounds checked by expression::parse (errors, never crashes).
struct expression_limits {
  static constexpr std::size_t max_length = 10'000; ///< characters (code points)
  static constexpr std::size_t max_depth = 64;      ///< nesting of parentheses, calls and operators
  static constexpr std::size_t max_nodes = 4'096;   ///< nodes of the tree
};

/// The ids a formula may reference; an unset set is not checked.
struct expression_names {
  std::optional<std::set<std::string, std::less<>>> indicators;
  std::optional<std::set<std::string, std::less<>>> constants;
};

namespace detail {

enum class expression_op : std::uint8_t {
  number,
  string,
  boolean,
  reference,
  constant,
  neg,
  pos,
  not_,
  add,
  sub,
  mul,
  div,
  mod,
  pow,
  lt,
  le,
  gt,
  ge,
  eq,
  ne,
  and_,
  or_,
  call
};
enum class expression_fn : std::uint8_t {
  if_,
  is_null,
  is_not_null,
  first_non_null,
  greatest,
  least,
  log,
  log10,
  remove_zeros
};

/// One node of a parsed formula; children by index into expression::impl::nodes.
struct expression_node {
  expression_op kind = expression_op::number;
  expression_fn func = expression_fn::if_;
  expression_type type = expression_type::number;
  double number = 0;               // number literal; boolean literal as 1/0
  std::string text;                // string literal, or the id of a reference / constant
  std::uint32_t slot = 0;          // reference / constant: index into references() / constants()
  std::vector<std::uint32_t> args; // children
  std::size_t column = 0;          // 1-based column of the node's token (operator, name, literal)
};

} // namespace detail

/// A parsed, type-checked formula. Immutable (a flat tree of at most 4,096 nodes, copied by value).
class expression {
public:
  /// Parses and checks `text`; throws expression_error. With `known`, references to ids outside
  /// its sets are errors too ("unknown indicator \"x\" at column 3", the column of the id).
  static expression parse(std::string_view text, const expression_names& known = {});

  /// The text as given.
  const std::string& text() const noexcept;
  /// number or boolean.
  expression_type result_type() const noexcept;
  /// The #{...} ids, in order of first appearance, each once.
  const std::vector<std::string>& references() const noexcept;
  /// The C{...} ids, in order of first appearance, each once.
  const std::vector<std::string>& constants() const noexcept;
  /// Nodes of the tree.
  std::size_t node_count() const noexcept;
  /// Canonical form: one space around binary operators, ", " between arguments, parentheses only
  /// where needed, shortest round-trip numbers. parse(to_string()) gives the same canonical form.
  std::string to_string() const;
  /// The canonical form with references and constants replaced by numbers, for traces:
  /// "44 / 100 * 100". A reference mapped to nullopt shows as "missing"; ids not in the maps stay.
  std::string substitute(const std::map<std::string, std::optional<double>, std::less<>>& values,
                         const std::map<std::string, double, std::less<>>& constants = {}) const;

  /// The parsed tree (for the evaluator and the plan integration).
  struct impl {
    std::string text;
    std::vector<detail::expression_node> nodes; // children before parents; the root is `root`
    std::uint32_t root = 0;
    std::vector<std::string> references;
    std::vector<std::string> constants;
  };
  const impl& internals() const noexcept { return impl_; }

private:
  explicit expression(impl p) : impl_(std::move(p)) {}
  impl impl_;
};

/// The #{...} ids of formula `text`, in order of first appearance, each once; empty when the text
/// does not parse (a caller that must report that error parses it itself).
std::vector<std::string> references_of(std::string_view text);

/// The columns a formula reads: every reference maps to a column of `rows` values with an optional
/// presence mask (empty: all present; else 1 present, 0 missing). A present value must be finite
/// (planeval::data_error otherwise): missing is said with the mask, never with NaN. The spans are
/// borrowed: they must outlive the evaluate() call.
class expression_inputs {
public:
  explicit expression_inputs(std::size_t rows) : rows_(rows) {}

  /// Adds (or replaces) the column of indicator `id`; throws planeval::error on a length mismatch.
  expression_inputs& column(std::string id, std::span<const double> values, std::span<const std::uint8_t> present = {});
  /// Adds (or replaces) the value of constant `id` (finite).
  expression_inputs& constant(std::string id, double value);

  std::size_t rows() const noexcept { return rows_; }

  struct column_view {
    std::span<const double> values;
    std::span<const std::uint8_t> present;
  };
  const column_view* find_column(std::string_view id) const;
  const double* find_constant(std::string_view id) const;

private:
  std::size_t rows_;
  std::map<std::string, column_view, std::less<>> columns_;
  std::map<std::string, double, std::less<>> constants_;
};

/// A formula's values: `value[i]` is meaningful where `present[i]` is 1 (booleans as 1/0);
/// missing rows hold NaN.
struct expression_column {
  expression_type type = expression_type::number;
  std::vector<double> value;
  std::vector<std::uint8_t> present;
};

/// Evaluates `e` over whole columns. Throws planeval::error if a reference or constant has no
/// input, planeval::data_error on a non-finite present input value.
expression_column evaluate(const expression& e, const expression_inputs& inputs,
                           rules::missing_policy policy = rules::missing_policy::skip_if_any_missing);

/// Ratio of sums: per group g (group[i] < groups), factor * Σ numerator / Σ denominator over the
/// group's rows, each side aggregated first under `policy` (skip_if_any_missing: any missing row
/// makes the side missing; skip_if_all_missing: missing rows are skipped, missing if none is
/// present; never_skip: missing rows count as 0, missing only for an empty group). A zero or
/// missing denominator gives a missing value, never infinity. Both columns must be numbers of
/// the same length as `group`.
expression_column aggregate_ratio(const expression_column& numerator, const expression_column& denominator,
                                  std::span<const std::uint32_t> group, std::size_t groups, double factor = 1.0,
                                  rules::missing_policy policy = rules::missing_policy::skip_if_all_missing);

} // namespace planeval
