// Copyright (c) 2026 planeval developers. Distributed under the MIT License.
// The formula language of planeval/expression.hpp: lexer, recursive-descent parser with type
// checks, canonical printer, and the column-wise evaluator (a stack machine over whole columns).

#include <planeval/detail/format_number.hpp>
#include <planeval/expression.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <utility>

namespace planeval {

namespace {

using op = detail::expression_op;
using fn = detail::expression_fn;

struct function_info {
  fn id;
  std::string_view name;
  std::size_t min_args;
  std::size_t max_args; // 0: unbounded
};

constexpr function_info functions[] = {
    {fn::if_, "if", 3, 3},
    {fn::is_null, "isNull", 1, 1},
    {fn::is_not_null, "isNotNull", 1, 1},
    {fn::first_non_null, "firstNonNull", 1, 0},
    {fn::greatest, "greatest", 1, 0},
    {fn::least, "least", 1, 0},
    {fn::log, "log", 1, 2},
    {fn::log10, "log10", 1, 1},
    {fn::remove_zeros, "removeZeros", 1, 1},
};

const function_info& info_of(fn f) {
  for (const auto& i : functions)
    if (i.id == f) return i;
  throw std::logic_error("expression: unknown function id");
}

} // namespace

namespace {

using node = detail::expression_node;

// --- text positions ------------------------------------------------------------------------

/// 1-based code-point column of byte offset `off` in valid UTF-8 `s`.
std::size_t column_of(std::string_view s, std::size_t off) {
  std::size_t col = 1;
  for (std::size_t i = 0; i < off && i < s.size(); ++i)
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) ++col;
  return col;
}

/// Byte offset of the first invalid UTF-8 sequence, or npos.
std::size_t invalid_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t len = 0;
    std::uint32_t cp = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      len = 2;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4;
      cp = c & 0x07;
    } else {
      return i;
    }
    if (i + len > s.size()) return i;
    for (std::size_t k = 1; k < len; ++k) {
      const auto d = static_cast<unsigned char>(s[i + k]);
      if ((d & 0xC0) != 0x80) return i;
      cp = (cp << 6) | (d & 0x3F);
    }
    const bool overlong = (len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000);
    if (overlong || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return i;
    i += len;
  }
  return std::string_view::npos;
}

std::string quoted(std::string_view s) { return "\"" + std::string(s) + "\""; }

// --- lexer ---------------------------------------------------------------------------------

enum class tok : std::uint8_t {
  end,
  number,
  string,
  name,
  reference,
  constant,
  lparen,
  rparen,
  comma,
  plus,
  minus,
  star,
  slash,
  percent,
  caret,
  bang,
  lt,
  le,
  gt,
  ge,
  eq,
  ne,
  and_,
  or_
};

struct token {
  tok kind = tok::end;
  std::size_t offset = 0;    // byte offset of the token's first character
  std::size_t id_offset = 0; // references: byte offset of the id (after "#{" / "C{")
  std::string text;          // name, string value, id, or the spelling of a number / operator
  double number = 0;
};

bool is_name_start(char c) { return std::isalpha(static_cast<unsigned char>(c)) != 0 || c == '_'; }
bool is_name_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
/// Characters allowed in an indicator or constant id: letters, digits, _ . - : and any non-ASCII.
bool is_id_char(char c) {
  return is_name_char(c) || c == '.' || c == '-' || c == ':' || (static_cast<unsigned char>(c) & 0x80) != 0;
}

class lexer {
public:
  explicit lexer(std::string_view s) : s_(s) {}

  [[noreturn]] void fail(const std::string& message, std::size_t offset) const {
    throw expression_error(message, column_of(s_, offset));
  }

  token next() {
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r')) ++pos_;
    token t;
    t.offset = pos_;
    if (pos_ >= s_.size()) return t;
    const char c = s_[pos_];
    const char d = pos_ + 1 < s_.size() ? s_[pos_ + 1] : '\0';
    auto simple = [&](tok k, std::size_t len) {
      t.kind = k;
      t.text = std::string(s_.substr(pos_, len));
      pos_ += len;
      return t;
    };
    if (is_digit(c) || (c == '.' && is_digit(d))) return lex_number(t);
    if (c == '"' || c == '\'') return lex_string(t, c);
    if (c == '#') {
      if (d != '{') fail("expected \"{\" after \"#\" (an indicator is written #{id})", pos_);
      return lex_id(t, tok::reference, "indicator");
    }
    if (c == 'C' && d == '{') return lex_id(t, tok::constant, "constant");
    if (is_name_start(c)) {
      std::size_t e = pos_;
      while (e < s_.size() && is_name_char(s_[e])) ++e;
      t.text = std::string(s_.substr(pos_, e - pos_));
      pos_ = e;
      if (t.text == "and")
        t.kind = tok::and_;
      else if (t.text == "or")
        t.kind = tok::or_;
      else if (t.text == "not")
        t.kind = tok::bang;
      else
        t.kind = tok::name;
      return t;
    }
    switch (c) {
    case '(': return simple(tok::lparen, 1);
    case ')': return simple(tok::rparen, 1);
    case ',': return simple(tok::comma, 1);
    case '+': return simple(tok::plus, 1);
    case '-': return simple(tok::minus, 1);
    case '*': return simple(tok::star, 1);
    case '/': return simple(tok::slash, 1);
    case '%': return simple(tok::percent, 1);
    case '^': return simple(tok::caret, 1);
    case '!': return d == '=' ? simple(tok::ne, 2) : simple(tok::bang, 1);
    case '<': return d == '=' ? simple(tok::le, 2) : simple(tok::lt, 1);
    case '>': return d == '=' ? simple(tok::ge, 2) : simple(tok::gt, 1);
    case '=':
      if (d == '=') return simple(tok::eq, 2);
      fail("unexpected \"=\" (equality is written \"==\")", pos_);
    case '&':
      if (d == '&') return simple(tok::and_, 2);
      fail("unexpected \"&\" (logical and is written \"&&\")", pos_);
    case '|':
      if (d == '|') return simple(tok::or_, 2);
      fail("unexpected \"|\" (logical or is written \"||\")", pos_);
    default: break;
    }
    std::size_t len = 1;
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0xF0)
      len = 4;
    else if (u >= 0xE0)
      len = 3;
    else if (u >= 0xC0)
      len = 2;
    if (u < 0x20 || u == 0x7F) fail("unexpected control character", pos_);
    fail("unexpected character " + quoted(s_.substr(pos_, len)), pos_);
  }

private:
  token lex_number(token& t) {
    std::size_t e = pos_;
    while (e < s_.size() && is_digit(s_[e])) ++e;
    if (e < s_.size() && s_[e] == '.') {
      ++e;
      while (e < s_.size() && is_digit(s_[e])) ++e;
    }
    if (e < s_.size() && (s_[e] == 'e' || s_[e] == 'E')) {
      std::size_t x = e + 1;
      if (x < s_.size() && (s_[x] == '+' || s_[x] == '-')) ++x;
      if (x >= s_.size() || !is_digit(s_[x])) fail("malformed number exponent", e);
      while (x < s_.size() && is_digit(s_[x])) ++x;
      e = x;
    }
    if (e < s_.size() && is_name_char(s_[e])) fail("malformed number " + quoted(s_.substr(pos_, e - pos_ + 1)), pos_);
    // from_chars does not accept a leading '.' or a trailing '.': give it "0.5" / "1.0" forms.
    std::string spelled(s_.substr(pos_, e - pos_));
    std::string canon = spelled;
    if (canon.front() == '.') canon.insert(canon.begin(), '0');
    if (auto dot = canon.find('.'); dot != std::string::npos && (dot + 1 == canon.size() || !is_digit(canon[dot + 1])))
      canon.insert(dot + 1, "0");
    double x = 0;
    const auto [p, ec] = std::from_chars(canon.data(), canon.data() + canon.size(), x);
    if (ec == std::errc::result_out_of_range || (ec == std::errc() && !std::isfinite(x)))
      fail("number " + spelled + " is out of range", pos_);
    if (ec != std::errc() || p != canon.data() + canon.size()) fail("malformed number " + quoted(spelled), pos_);
    t.kind = tok::number;
    t.text = std::move(spelled);
    t.number = x;
    pos_ = e;
    return t;
  }

  token lex_string(token& t, char q) {
    std::string v;
    std::size_t i = pos_ + 1;
    for (;;) {
      if (i >= s_.size()) fail("unterminated string", pos_);
      const char c = s_[i];
      if (c == q) break;
      if (c == '\\') {
        if (i + 1 >= s_.size()) fail("unterminated string", pos_);
        const char e = s_[i + 1];
        switch (e) {
        case '\\': v += '\\'; break;
        case '"': v += '"'; break;
        case '\'': v += '\''; break;
        case 'n': v += '\n'; break;
        case 't': v += '\t'; break;
        default: fail("unknown escape \"\\" + std::string(1, e) + "\" in string", i);
        }
        i += 2;
        continue;
      }
      if (static_cast<unsigned char>(c) < 0x20) fail("control character in string", i);
      v += c;
      ++i;
    }
    t.kind = tok::string;
    t.text = std::move(v);
    pos_ = i + 1;
    return t;
  }

  token lex_id(token& t, tok kind, const char* what) {
    const std::size_t start = pos_ + 2;
    std::size_t e = start;
    while (e < s_.size() && s_[e] != '}') {
      if (!is_id_char(s_[e]))
        fail(std::string("invalid character in ") + what + " id (allowed: letters, digits, _ . - :)", e);
      ++e;
    }
    if (e >= s_.size()) fail(std::string("unterminated ") + what + " reference (missing \"}\")", pos_);
    if (e == start) fail(std::string("empty ") + what + " id", pos_);
    t.kind = kind;
    t.id_offset = start;
    t.text = std::string(s_.substr(start, e - start));
    pos_ = e + 1;
    return t;
  }

  std::string_view s_;
  std::size_t pos_ = 0;
};

// --- parser --------------------------------------------------------------------------------

constexpr int prec_or = 1, prec_and = 2, prec_eq = 3, prec_cmp = 4, prec_add = 5, prec_mul = 6, prec_unary = 7,
              prec_pow = 8, prec_atom = 9;

int precedence(const node& n) {
  switch (n.kind) {
  case op::or_: return prec_or;
  case op::and_: return prec_and;
  case op::eq:
  case op::ne: return prec_eq;
  case op::lt:
  case op::le:
  case op::gt:
  case op::ge: return prec_cmp;
  case op::add:
  case op::sub: return prec_add;
  case op::mul:
  case op::div:
  case op::mod: return prec_mul;
  case op::neg:
  case op::pos:
  case op::not_: return prec_unary;
  case op::pow: return prec_pow;
  default: return prec_atom;
  }
}

std::string_view symbol(op o) {
  switch (o) {
  case op::neg:
  case op::sub: return "-";
  case op::pos:
  case op::add: return "+";
  case op::not_: return "!";
  case op::mul: return "*";
  case op::div: return "/";
  case op::mod: return "%";
  case op::pow: return "^";
  case op::lt: return "<";
  case op::le: return "<=";
  case op::gt: return ">";
  case op::ge: return ">=";
  case op::eq: return "==";
  case op::ne: return "!=";
  case op::and_: return "&&";
  case op::or_: return "||";
  default: return "?";
  }
}

std::string describe(const token& t) {
  switch (t.kind) {
  case tok::end: return "the end of the formula";
  case tok::number: return "number " + t.text;
  case tok::string: return "a string";
  case tok::name: return "name " + quoted(t.text);
  case tok::reference: return "#{" + t.text + "}";
  case tok::constant: return "C{" + t.text + "}";
  default: return quoted(t.text);
  }
}

class parser {
public:
  parser(std::string_view text, const expression_names& known, expression::impl& out)
      : text_(text), lex_(text), known_(known), out_(out) {
    advance();
  }

  std::uint32_t parse_formula() {
    const std::uint32_t root = parse_binary(prec_or);
    if (cur_.kind != tok::end) {
      if (cur_.kind == tok::rparen) fail("unmatched \")\"", cur_.offset);
      fail("expected an operator or the end of the formula, got " + describe(cur_), cur_.offset);
    }
    return root;
  }

private:
  [[noreturn]] void fail(const std::string& message, std::size_t offset) const {
    throw expression_error(message, column_of(text_, offset));
  }
  void advance() { cur_ = lex_.next(); }
  std::size_t col(std::size_t offset) const { return column_of(text_, offset); }

  std::uint32_t add(node n) {
    if (out_.nodes.size() >= expression_limits::max_nodes)
      throw expression_error("formula too large (more than " + std::to_string(expression_limits::max_nodes) + " nodes)",
                             n.column);
    out_.nodes.push_back(std::move(n));
    return static_cast<std::uint32_t>(out_.nodes.size() - 1);
  }
  const node& at(std::uint32_t i) const { return out_.nodes[i]; }

  static std::optional<op> binary_op(tok k, int level) {
    switch (level) {
    case prec_or: return k == tok::or_ ? std::optional(op::or_) : std::nullopt;
    case prec_and: return k == tok::and_ ? std::optional(op::and_) : std::nullopt;
    case prec_eq:
      if (k == tok::eq) return op::eq;
      if (k == tok::ne) return op::ne;
      return std::nullopt;
    case prec_cmp:
      if (k == tok::lt) return op::lt;
      if (k == tok::le) return op::le;
      if (k == tok::gt) return op::gt;
      if (k == tok::ge) return op::ge;
      return std::nullopt;
    case prec_add:
      if (k == tok::plus) return op::add;
      if (k == tok::minus) return op::sub;
      return std::nullopt;
    case prec_mul:
      if (k == tok::star) return op::mul;
      if (k == tok::slash) return op::div;
      if (k == tok::percent) return op::mod;
      return std::nullopt;
    default: return std::nullopt;
    }
  }

  // Left-associative binary levels, loosest first; the level below prec_mul is unary.
  std::uint32_t parse_binary(int level) {
    if (level > prec_mul) return parse_unary();
    std::uint32_t lhs = parse_binary(level + 1);
    while (auto o = binary_op(cur_.kind, level)) {
      const std::size_t offset = cur_.offset;
      advance();
      const std::uint32_t rhs = parse_binary(level + 1);
      lhs = make_binary(*o, lhs, rhs, offset);
    }
    return lhs;
  }

  std::uint32_t parse_unary() {
    depth_guard guard(*this, cur_.offset);
    std::optional<op> o;
    if (cur_.kind == tok::minus)
      o = op::neg;
    else if (cur_.kind == tok::plus)
      o = op::pos;
    else if (cur_.kind == tok::bang)
      o = op::not_;
    if (!o) return parse_power();
    const std::size_t offset = cur_.offset;
    advance();
    const std::uint32_t operand = parse_unary();
    const expression_type t = at(operand).type;
    if (*o == op::not_ && t != expression_type::boolean)
      fail("\"!\" needs a boolean, got " + std::string(to_string(t)), offset);
    if (*o != op::not_ && t != expression_type::number)
      fail(quoted(symbol(*o)) + " needs a number, got " + std::string(to_string(t)), offset);
    node n;
    n.kind = *o;
    n.type = t;
    n.args = {operand};
    n.column = col(offset);
    return add(std::move(n));
  }

  // power := primary ['^' unary]: right-associative, and the exponent may carry a sign.
  std::uint32_t parse_power() {
    const std::uint32_t base = parse_primary();
    if (cur_.kind != tok::caret) return base;
    const std::size_t offset = cur_.offset;
    advance();
    const std::uint32_t exponent = parse_unary();
    return make_binary(op::pow, base, exponent, offset);
  }

  std::uint32_t parse_primary() {
    token t = cur_;
    switch (t.kind) {
    case tok::number: {
      advance();
      node n;
      n.kind = op::number;
      n.number = t.number;
      n.column = col(t.offset);
      return add(std::move(n));
    }
    case tok::string: {
      advance();
      node n;
      n.kind = op::string;
      n.type = expression_type::string;
      n.text = std::move(t.text);
      n.column = col(t.offset);
      return add(std::move(n));
    }
    case tok::reference:
    case tok::constant: {
      advance();
      const bool ref = t.kind == tok::reference;
      const auto& known = ref ? known_.indicators : known_.constants;
      if (known && !known->contains(t.text))
        fail(std::string(ref ? "unknown indicator " : "unknown constant ") + quoted(t.text), t.id_offset);
      auto& list = ref ? out_.references : out_.constants;
      auto it = std::find(list.begin(), list.end(), t.text);
      node n;
      n.kind = ref ? op::reference : op::constant;
      n.slot = static_cast<std::uint32_t>(it - list.begin());
      if (it == list.end()) list.push_back(t.text);
      n.text = std::move(t.text);
      n.column = col(t.offset);
      return add(std::move(n));
    }
    case tok::lparen: {
      advance();
      const std::uint32_t inner = parse_binary(prec_or);
      if (cur_.kind != tok::rparen)
        fail("expected \")\" to close the \"(\" at column " + std::to_string(col(t.offset)) + ", got " + describe(cur_),
             cur_.offset);
      advance();
      return inner;
    }
    case tok::name: return parse_name(t);
    default: break;
    }
    fail("expected a value, got " + describe(t), t.offset);
  }

  std::uint32_t parse_name(const token& t) {
    advance();
    if (t.text == "true" || t.text == "false") {
      node n;
      n.kind = op::boolean;
      n.type = expression_type::boolean;
      n.number = t.text == "true" ? 1 : 0;
      n.column = col(t.offset);
      return add(std::move(n));
    }
    const function_info* f = nullptr;
    for (const auto& i : functions)
      if (i.name == t.text) f = &i;
    if (!f) {
      std::string hint;
      for (const auto& i : functions)
        if (i.name.size() == t.text.size() &&
            std::equal(i.name.begin(), i.name.end(), t.text.begin(), [](char a, char b) {
              return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
            }))
          hint = " (did you mean " + quoted(i.name) + "?)";
      if (cur_.kind == tok::lparen) fail("unknown function " + quoted(t.text) + hint, t.offset);
      if (hint.empty()) hint = " (an indicator is written #{" + t.text + "})";
      fail("unknown name " + quoted(t.text) + hint, t.offset);
    }
    if (cur_.kind != tok::lparen) fail("expected \"(\" after function " + quoted(t.text), cur_.offset);
    advance();
    std::vector<std::uint32_t> args;
    std::vector<std::size_t> arg_offsets;
    if (cur_.kind != tok::rparen) {
      for (;;) {
        arg_offsets.push_back(cur_.offset);
        args.push_back(parse_binary(prec_or));
        if (cur_.kind == tok::comma) {
          advance();
          continue;
        }
        if (cur_.kind == tok::rparen) break;
        fail("expected \",\" or \")\" in the arguments of " + quoted(t.text) + ", got " + describe(cur_), cur_.offset);
      }
    }
    advance(); // ')'
    check_arity(*f, args.size(), t.offset);
    node n;
    n.kind = op::call;
    n.func = f->id;
    n.column = col(t.offset);
    n.type = check_call(*f, args, arg_offsets);
    n.args = std::move(args);
    return add(std::move(n));
  }

  void check_arity(const function_info& f, std::size_t got, std::size_t offset) const {
    if (got >= f.min_args && (f.max_args == 0 || got <= f.max_args)) return;
    std::string want;
    if (f.max_args == 0)
      want = "at least " + std::to_string(f.min_args) + " argument" + (f.min_args > 1 ? "s" : "");
    else if (f.min_args == f.max_args)
      want = std::to_string(f.min_args) + " argument" + (f.min_args > 1 ? "s" : "");
    else
      want = std::to_string(f.min_args) + " or " + std::to_string(f.max_args) + " arguments";
    fail(quoted(f.name) + " takes " + want + ", got " + std::to_string(got), offset);
  }

  expression_type check_call(const function_info& f, const std::vector<std::uint32_t>& args,
                             const std::vector<std::size_t>& offsets) const {
    auto type = [&](std::size_t i) { return at(args[i]).type; };
    auto need = [&](std::size_t i, expression_type want, const std::string& what) {
      if (type(i) != want)
        fail(what + " of " + quoted(f.name) + " must be a " + std::string(to_string(want)) + ", got " +
                 std::string(to_string(type(i))),
             offsets[i]);
    };
    switch (f.id) {
    case fn::if_:
      need(0, expression_type::boolean, "the condition");
      if (type(1) == expression_type::string) fail("the branches of \"if\" must be numbers or booleans", offsets[1]);
      need(2, type(1), "the else branch");
      return type(1);
    case fn::is_null:
    case fn::is_not_null: return expression_type::boolean;
    case fn::first_non_null:
      if (type(0) == expression_type::string)
        fail("the arguments of \"firstNonNull\" must be numbers or booleans", offsets[0]);
      for (std::size_t i = 1; i < args.size(); ++i) need(i, type(0), "argument " + std::to_string(i + 1));
      return type(0);
    default:
      for (std::size_t i = 0; i < args.size(); ++i)
        need(i, expression_type::number, "argument " + std::to_string(i + 1));
      return expression_type::number;
    }
  }

  std::uint32_t make_binary(op o, std::uint32_t lhs, std::uint32_t rhs, std::size_t offset) {
    const expression_type a = at(lhs).type, b = at(rhs).type;
    auto mismatch = [&](const char* need) {
      fail(quoted(symbol(o)) + " needs " + need + ", got " + std::string(to_string(a)) + " and " +
               std::string(to_string(b)),
           offset);
    };
    expression_type result = expression_type::boolean;
    switch (o) {
    case op::and_:
    case op::or_:
      if (a != expression_type::boolean || b != expression_type::boolean) mismatch("booleans");
      break;
    case op::eq:
    case op::ne:
      if (a != b) mismatch("two values of the same type");
      break;
    case op::lt:
    case op::le:
    case op::gt:
    case op::ge:
      // Two booleans compare as numbers, false 0 and true 1, as DHIS2 compares them (its expression
      // tests, dhis2/expression-parser CompareExpressionTest: "true > false" and "true >= false" are
      // true, "true <= false" and "true < false" false), so `!true <= false` is true. A boolean with
      // a number stays an error here (`1 < 2 < 3` is a mistake more often than a count of truths).
      if (a != b) mismatch("two numbers or two strings");
      break;
    default:
      if (a != expression_type::number || b != expression_type::number) mismatch("numbers");
      result = expression_type::number;
    }
    node n;
    n.kind = o;
    n.type = result;
    n.args = {lhs, rhs};
    n.column = col(offset);
    return add(std::move(n));
  }

  struct depth_guard {
    // The top level is depth 0; each enclosing parenthesis, call, operator adds one.
    depth_guard(parser& p, std::size_t offset) : p_(p) {
      if (p_.depth_++ > expression_limits::max_depth)
        p_.fail("formula nested too deeply (more than " + std::to_string(expression_limits::max_depth) + " levels)",
                offset);
    }
    ~depth_guard() { --p_.depth_; }
    depth_guard(const depth_guard&) = delete;
    depth_guard& operator=(const depth_guard&) = delete;
    parser& p_;
  };

  std::string_view text_;
  lexer lex_;
  const expression_names& known_;
  expression::impl& out_;
  token cur_;
  std::size_t depth_ = 0;
};

// --- printing ------------------------------------------------------------------------------

std::string escape_string(const std::string& s) {
  std::string r = "\"";
  for (char c : s) {
    switch (c) {
    case '"': r += "\\\""; break;
    case '\\': r += "\\\\"; break;
    case '\n': r += "\\n"; break;
    case '\t': r += "\\t"; break;
    default: r += c;
    }
  }
  return r + '"';
}

struct printer {
  const expression::impl& e;
  const std::map<std::string, std::optional<double>, std::less<>>* values = nullptr;
  const std::map<std::string, double, std::less<>>* constants = nullptr;

  static std::string number(double x) {
    std::string s = detail::format_number(x);
    return x < 0 ? "(" + s + ")" : s;
  }

  std::string wrap(std::uint32_t i, bool parens) const {
    std::string s = print(i);
    return parens ? "(" + s + ")" : s;
  }

  std::string print(std::uint32_t i) const {
    const node& n = e.nodes[i];
    const int p = precedence(n);
    switch (n.kind) {
    case op::number: return detail::format_number(n.number);
    case op::string: return escape_string(n.text);
    case op::boolean: return n.number != 0 ? "true" : "false";
    case op::reference:
      if (values)
        if (auto it = values->find(n.text); it != values->end())
          return it->second ? number(*it->second) : std::string("missing");
      return "#{" + n.text + "}";
    case op::constant:
      if (constants)
        if (auto it = constants->find(n.text); it != constants->end()) return number(it->second);
      return "C{" + n.text + "}";
    case op::neg:
    case op::pos:
    case op::not_: return std::string(symbol(n.kind)) + wrap(n.args[0], precedence(e.nodes[n.args[0]]) < p);
    case op::pow: {
      // the exponent is parsed as a unary expression (2 ^ -x ^ y is 2 ^ (-(x ^ y))): a unary
      // exponent needs no parentheses, and adding them would nest the text deeper than its tree,
      // so that a formula within the depth limit could print as one beyond it
      const node& rhs = e.nodes[n.args[1]];
      const bool unary = rhs.kind == op::neg || rhs.kind == op::pos || rhs.kind == op::not_;
      return wrap(n.args[0], precedence(e.nodes[n.args[0]]) <= p) + " ^ " +
             wrap(n.args[1], !unary && precedence(rhs) < p);
    }
    case op::call: {
      std::string s(info_of(n.func).name);
      s += '(';
      for (std::size_t k = 0; k < n.args.size(); ++k) {
        if (k) s += ", ";
        s += print(n.args[k]);
      }
      return s + ')';
    }
    default:
      return wrap(n.args[0], precedence(e.nodes[n.args[0]]) < p) + " " + std::string(symbol(n.kind)) + " " +
             wrap(n.args[1], precedence(e.nodes[n.args[1]]) <= p);
    }
  }
};

} // namespace

// --- expression ----------------------------------------------------------------------------

expression expression::parse(std::string_view text, const expression_names& known) {
  if (text.size() > 4 * expression_limits::max_length + 4)
    throw expression_error("formula longer than " + std::to_string(expression_limits::max_length) + " characters",
                           expression_limits::max_length + 1);
  if (const auto bad = invalid_utf8(text); bad != std::string_view::npos)
    throw expression_error("invalid UTF-8", column_of(text, bad));
  if (const auto len = column_of(text, text.size()) - 1; len > expression_limits::max_length)
    throw expression_error("formula longer than " + std::to_string(expression_limits::max_length) + " characters",
                           expression_limits::max_length + 1);
  if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) throw expression_error("empty formula", 1);
  impl p;
  p.text = std::string(text);
  parser ps(text, known, p);
  p.root = ps.parse_formula();
  if (p.nodes[p.root].type == expression_type::string)
    throw expression_error("a formula must give a number or a boolean, not a string", p.nodes[p.root].column);
  return expression(std::move(p));
}

const std::string& expression::text() const noexcept { return impl_.text; }
expression_type expression::result_type() const noexcept { return impl_.nodes[impl_.root].type; }
const std::vector<std::string>& expression::references() const noexcept { return impl_.references; }
const std::vector<std::string>& expression::constants() const noexcept { return impl_.constants; }
std::size_t expression::node_count() const noexcept { return impl_.nodes.size(); }
std::string expression::to_string() const { return printer{impl_}.print(impl_.root); }
std::string expression::substitute(const std::map<std::string, std::optional<double>, std::less<>>& values,
                                   const std::map<std::string, double, std::less<>>& constants) const {
  return printer{impl_, &values, &constants}.print(impl_.root);
}

// --- inputs --------------------------------------------------------------------------------

expression_inputs& expression_inputs::column(std::string id, std::span<const double> values,
                                             std::span<const std::uint8_t> present) {
  if (values.size() != rows_ || (!present.empty() && present.size() != rows_))
    throw error("expression inputs: column \"" + id + "\" has " + std::to_string(values.size()) + " values" +
                (present.empty() ? "" : " and " + std::to_string(present.size()) + " presence flags") + ", expected " +
                std::to_string(rows_));
  columns_[std::move(id)] = column_view{values, present};
  return *this;
}

expression_inputs& expression_inputs::constant(std::string id, double value) {
  if (!std::isfinite(value))
    throw data_error("expression inputs: constant \"" + id + "\" must be finite, got " + detail::format_number(value));
  constants_[std::move(id)] = value;
  return *this;
}

const expression_inputs::column_view* expression_inputs::find_column(std::string_view id) const {
  auto it = columns_.find(id);
  return it == columns_.end() ? nullptr : &it->second;
}

const double* expression_inputs::find_constant(std::string_view id) const {
  auto it = constants_.find(id);
  return it == constants_.end() ? nullptr : &it->second;
}

// --- evaluation ----------------------------------------------------------------------------

namespace {

enum class code : std::uint8_t {
  fill,     // push a constant column (imm)
  load,     // push column `arg`, missing values read as 0 and present
  load_raw, // push column `arg` with its missingness
  neg,
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
  select, // if(c, a, b)
  is_null,
  is_not_null,
  first_non_null, // arg = number of arguments
  greatest,
  least,
  log,
  log_base,
  log10,
  remove_zeros
};

struct instruction {
  code c;
  std::uint32_t arg = 0;
  double imm = 0;
};

struct program {
  std::vector<instruction> code;
  std::size_t max_stack = 0;
};

struct compiler {
  const expression::impl& e;
  const expression_inputs& in;
  program out;
  std::size_t sp = 0;

  void emit(instruction i, std::size_t pops, std::size_t pushes = 1) {
    out.code.push_back(i);
    sp = sp - pops + pushes;
    out.max_stack = std::max(out.max_stack, sp);
  }
  void fill(double x) { emit({code::fill, 0, x}, 0); }

  // Comparison of two string literals, folded at compile time.
  static bool compare(op o, const std::string& a, const std::string& b) {
    switch (o) {
    case op::lt: return a < b;
    case op::le: return a <= b;
    case op::gt: return a > b;
    case op::ge: return a >= b;
    case op::eq: return a == b;
    default: return a != b;
    }
  }

  void compile(std::uint32_t i, bool raw) {
    const node& n = e.nodes[i];
    switch (n.kind) {
    case op::number:
    case op::boolean: fill(n.number); return;
    case op::string: throw std::logic_error("expression: a string cannot be a column");
    case op::reference: emit({raw ? code::load_raw : code::load, n.slot, 0}, 0); return;
    case op::constant: {
      const double* v = in.find_constant(n.text);
      if (!v) throw error("evaluate: no value for constant \"" + n.text + "\"");
      fill(*v);
      return;
    }
    case op::pos: compile(n.args[0], raw); return;
    case op::neg:
    case op::not_:
      compile(n.args[0], raw);
      emit({n.kind == op::neg ? code::neg : code::not_}, 1);
      return;
    case op::call: compile_call(n, raw); return;
    default: break;
    }
    if (e.nodes[n.args[0]].type == expression_type::string) {
      fill(compare(n.kind, e.nodes[n.args[0]].text, e.nodes[n.args[1]].text) ? 1 : 0);
      return;
    }
    compile(n.args[0], raw);
    compile(n.args[1], raw);
    code c = code::add;
    switch (n.kind) {
    case op::add: c = code::add; break;
    case op::sub: c = code::sub; break;
    case op::mul: c = code::mul; break;
    case op::div: c = code::div; break;
    case op::mod: c = code::mod; break;
    case op::pow: c = code::pow; break;
    case op::lt: c = code::lt; break;
    case op::le: c = code::le; break;
    case op::gt: c = code::gt; break;
    case op::ge: c = code::ge; break;
    case op::eq: c = code::eq; break;
    case op::ne: c = code::ne; break;
    case op::and_: c = code::and_; break;
    case op::or_: c = code::or_; break;
    default: throw std::logic_error("expression: unexpected node");
    }
    emit({c}, 2);
  }

  void compile_call(const node& n, bool raw) {
    const auto k = static_cast<std::uint32_t>(n.args.size());
    switch (n.func) {
    case fn::is_null:
    case fn::is_not_null:
      if (e.nodes[n.args[0]].type == expression_type::string) { // a literal is never null
        fill(n.func == fn::is_null ? 0 : 1);
        return;
      }
      compile(n.args[0], true);
      emit({n.func == fn::is_null ? code::is_null : code::is_not_null}, 1);
      return;
    case fn::first_non_null:
      for (auto a : n.args) compile(a, true);
      emit({code::first_non_null, k}, k);
      return;
    default: break;
    }
    for (auto a : n.args) compile(a, raw);
    switch (n.func) {
    case fn::if_: emit({code::select}, 3); return;
    case fn::greatest: emit({code::greatest, k}, k); return;
    case fn::least: emit({code::least, k}, k); return;
    case fn::log: emit({k == 2 ? code::log_base : code::log}, k); return;
    case fn::log10: emit({code::log10}, 1); return;
    case fn::remove_zeros: emit({code::remove_zeros}, 1); return;
    default: throw std::logic_error("expression: unexpected function");
    }
  }
};

struct slot {
  std::vector<double> v;
  std::vector<std::uint8_t> p;
};

template <class F>
void binary_numeric(slot& a, const slot& b, std::size_t n, F f) {
  for (std::size_t i = 0; i < n; ++i) {
    a.p[i] = a.p[i] & b.p[i];
    a.v[i] = f(a.v[i], b.v[i]);
  }
}

template <class F>
void compare_numeric(slot& a, const slot& b, std::size_t n, F f) {
  for (std::size_t i = 0; i < n; ++i) {
    a.p[i] = a.p[i] & b.p[i];
    a.v[i] = f(a.v[i], b.v[i]) ? 1.0 : 0.0;
  }
}

} // namespace

expression_column evaluate(const expression& e, const expression_inputs& inputs, rules::missing_policy policy) {
  const auto& ex = e.internals();
  const std::size_t n = inputs.rows();

  // The referenced columns, checked.
  std::vector<const expression_inputs::column_view*> cols;
  for (const auto& id : ex.references) {
    const auto* c = inputs.find_column(id);
    if (!c) throw error("evaluate: no values for indicator \"" + id + "\"");
    for (std::size_t i = 0; i < n; ++i)
      if ((c->present.empty() || c->present[i]) && !std::isfinite(c->values[i]))
        throw data_error("evaluate: indicator \"" + id + "\" row " + std::to_string(i) +
                         ": a present value must be finite, got " + detail::format_number(c->values[i]) +
                         " (mark missing values in the presence mask)");
    cols.push_back(c);
  }

  compiler comp{ex, inputs, {}};
  comp.compile(ex.root, false);
  const program& prog = comp.out;

  std::vector<slot> stack(prog.max_stack);
  for (auto& s : stack) {
    s.v.resize(n);
    s.p.resize(n);
  }
  std::size_t sp = 0;
  constexpr double nan = std::numeric_limits<double>::quiet_NaN();

  for (const instruction& ins : prog.code) {
    switch (ins.c) {
    case code::fill: {
      slot& s = stack[sp++];
      std::fill(s.v.begin(), s.v.end(), ins.imm);
      std::fill(s.p.begin(), s.p.end(), std::uint8_t{1});
      break;
    }
    case code::load:
    case code::load_raw: {
      slot& s = stack[sp++];
      const auto& c = *cols[ins.arg];
      const bool raw = ins.c == code::load_raw;
      for (std::size_t i = 0; i < n; ++i) {
        const bool present = c.present.empty() || c.present[i] != 0;
        s.v[i] = present ? c.values[i] : 0.0;
        s.p[i] = (present || !raw) ? 1 : 0;
      }
      break;
    }
    case code::neg: {
      slot& s = stack[sp - 1];
      for (std::size_t i = 0; i < n; ++i) s.v[i] = -s.v[i];
      break;
    }
    case code::not_: {
      slot& s = stack[sp - 1];
      for (std::size_t i = 0; i < n; ++i) s.v[i] = s.v[i] != 0 ? 0.0 : 1.0;
      break;
    }
    case code::is_null:
    case code::is_not_null: {
      slot& s = stack[sp - 1];
      const std::uint8_t when_missing = ins.c == code::is_null ? 1 : 0;
      for (std::size_t i = 0; i < n; ++i) {
        s.v[i] = s.p[i] ? 1.0 - when_missing : when_missing;
        s.p[i] = 1;
      }
      break;
    }
    case code::remove_zeros: {
      slot& s = stack[sp - 1];
      for (std::size_t i = 0; i < n; ++i)
        if (s.v[i] == 0) s.p[i] = 0;
      break;
    }
    case code::log: {
      slot& s = stack[sp - 1];
      for (std::size_t i = 0; i < n; ++i) s.v[i] = std::log(s.v[i]);
      break;
    }
    case code::log10: {
      slot& s = stack[sp - 1];
      for (std::size_t i = 0; i < n; ++i) s.v[i] = std::log10(s.v[i]);
      break;
    }
    case code::log_base: {
      slot& a = stack[sp - 2];
      binary_numeric(a, stack[sp - 1], n, [](double x, double b) { return std::log(x) / std::log(b); });
      --sp;
      break;
    }
    case code::add:
      binary_numeric(stack[sp - 2], stack[sp - 1], n, [](double x, double y) { return x + y; }), --sp;
      break;
    case code::sub:
      binary_numeric(stack[sp - 2], stack[sp - 1], n, [](double x, double y) { return x - y; }), --sp;
      break;
    case code::mul:
      binary_numeric(stack[sp - 2], stack[sp - 1], n, [](double x, double y) { return x * y; }), --sp;
      break;
    case code::pow:
      binary_numeric(stack[sp - 2], stack[sp - 1], n, [](double x, double y) { return std::pow(x, y); }), --sp;
      break;
    case code::div:
    case code::mod: {
      slot& a = stack[sp - 2];
      const slot& b = stack[sp - 1];
      const bool is_div = ins.c == code::div;
      for (std::size_t i = 0; i < n; ++i) {
        if (b.v[i] == 0) { // division by zero: missing (never infinity)
          a.p[i] = 0;
          a.v[i] = 0;
          continue;
        }
        a.p[i] = a.p[i] & b.p[i];
        a.v[i] = is_div ? a.v[i] / b.v[i] : std::fmod(a.v[i], b.v[i]);
      }
      --sp;
      break;
    }
    case code::lt:
      compare_numeric(stack[sp - 2], stack[sp - 1], n, [](double x, double y) { return x < y; }), --sp;
      break;
    case code::le:
      compare_numeric(stack[sp - 2], stack[sp - 1], n, [](double x, double y) { return x <= y; }), --sp;
      break;
    case code::gt:
      compare_numeric(stack[sp - 2], stack[sp - 1], n, [](double x, double y) { return x > y; }), --sp;
      break;
    case code::ge:
      compare_numeric(stack[sp - 2], stack[sp - 1], n, [](double x, double y) { return x >= y; }), --sp;
      break;
    case code::eq:
    case code::ne: {
      slot& a = stack[sp - 2];
      const slot& b = stack[sp - 1];
      const bool want = ins.c == code::eq;
      for (std::size_t i = 0; i < n; ++i) {
        const bool equal = (a.p[i] && b.p[i]) ? a.v[i] == b.v[i] : a.p[i] == b.p[i];
        a.v[i] = equal == want ? 1.0 : 0.0;
        a.p[i] = 1;
      }
      --sp;
      break;
    }
    case code::and_: {
      slot& a = stack[sp - 2];
      const slot& b = stack[sp - 1];
      for (std::size_t i = 0; i < n; ++i) {
        a.p[i] = a.p[i] & b.p[i];
        a.v[i] = (a.v[i] != 0 && b.v[i] != 0) ? 1.0 : 0.0;
      }
      --sp;
      break;
    }
    case code::or_: {
      slot& a = stack[sp - 2];
      const slot& b = stack[sp - 1];
      for (std::size_t i = 0; i < n; ++i) {
        const bool ta = a.p[i] && a.v[i] != 0, tb = b.p[i] && b.v[i] != 0;
        a.v[i] = (ta || tb) ? 1.0 : 0.0;
        a.p[i] = (ta || tb || (a.p[i] && b.p[i])) ? 1 : 0;
      }
      --sp;
      break;
    }
    case code::select: {
      slot& c = stack[sp - 3];
      const slot& a = stack[sp - 2];
      const slot& b = stack[sp - 1];
      for (std::size_t i = 0; i < n; ++i) {
        const bool take_a = c.p[i] && c.v[i] != 0; // a missing condition takes the else branch
        c.v[i] = take_a ? a.v[i] : b.v[i];
        c.p[i] = take_a ? a.p[i] : b.p[i];
      }
      sp -= 2;
      break;
    }
    case code::first_non_null: {
      const std::size_t k = ins.arg;
      slot& r = stack[sp - k];
      for (std::size_t j = 1; j < k; ++j) {
        const slot& s = stack[sp - k + j];
        for (std::size_t i = 0; i < n; ++i)
          if (!r.p[i] && s.p[i]) {
            r.v[i] = s.v[i];
            r.p[i] = 1;
          }
      }
      sp -= k - 1;
      break;
    }
    case code::greatest:
    case code::least: {
      const std::size_t k = ins.arg;
      const bool greatest = ins.c == code::greatest;
      slot& r = stack[sp - k];
      for (std::size_t j = 1; j < k; ++j) {
        const slot& s = stack[sp - k + j];
        for (std::size_t i = 0; i < n; ++i) {
          if (!s.p[i]) continue; // missing arguments are ignored
          if (!r.p[i] || std::isnan(s.v[i]) || (greatest ? s.v[i] > r.v[i] : s.v[i] < r.v[i])) {
            if (r.p[i] && std::isnan(r.v[i])) continue; // a NaN argument stays the result
            r.v[i] = s.v[i];
            r.p[i] = 1;
          }
        }
      }
      sp -= k - 1;
      break;
    }
    }
  }

  slot& result = stack[0];
  // The missing-value strategy, from the referenced items' raw presence.
  if (!cols.empty() && policy != rules::missing_policy::never_skip) {
    const bool any = policy == rules::missing_policy::skip_if_any_missing;
    for (std::size_t i = 0; i < n; ++i) {
      std::size_t present = 0;
      for (const auto* c : cols) present += (c->present.empty() || c->present[i]) ? 1 : 0;
      if (any ? present < cols.size() : present == 0) result.p[i] = 0;
    }
  }
  expression_column out;
  out.type = ex.nodes[ex.root].type;
  for (std::size_t i = 0; i < n; ++i)
    if (!result.p[i] || std::isnan(result.v[i])) {
      result.p[i] = 0;
      result.v[i] = nan;
    }
  out.value = std::move(result.v);
  out.present = std::move(result.p);
  return out;
}

std::vector<std::string> references_of(std::string_view text) {
  try {
    return expression::parse(text).references();
  } catch (const expression_error&) {
    return {};
  }
}

expression_column aggregate_ratio(const expression_column& numerator, const expression_column& denominator,
                                  std::span<const std::uint32_t> group, std::size_t groups, double factor,
                                  rules::missing_policy policy) {
  const std::size_t n = group.size();
  if (numerator.type != expression_type::number || denominator.type != expression_type::number)
    throw error("aggregate_ratio: the numerator and the denominator must be numbers");
  if (numerator.value.size() != n || denominator.value.size() != n || numerator.present.size() != n ||
      denominator.present.size() != n)
    throw error("aggregate_ratio: the numerator, denominator and group columns must have the same length");
  if (!std::isfinite(factor)) throw error("aggregate_ratio: factor must be finite");
  struct side {
    double sum = 0;
    std::size_t present = 0, missing = 0;
  };
  std::vector<side> num(groups), den(groups);
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint32_t g = group[i];
    if (g >= groups)
      throw error("aggregate_ratio: group " + std::to_string(g) + " at row " + std::to_string(i) + " is not below " +
                  std::to_string(groups));
    auto add = [&](side& s, const expression_column& c) {
      if (c.present[i]) {
        s.sum += c.value[i];
        ++s.present;
      } else {
        ++s.missing;
      }
    };
    add(num[g], numerator);
    add(den[g], denominator);
  }
  auto defined = [&](const side& s) {
    switch (policy) {
    case rules::missing_policy::skip_if_any_missing: return s.missing == 0 && s.present > 0;
    case rules::missing_policy::never_skip: return s.present + s.missing > 0;
    default: return s.present > 0;
    }
  };
  expression_column out;
  out.value.assign(groups, std::numeric_limits<double>::quiet_NaN());
  out.present.assign(groups, 0);
  for (std::size_t g = 0; g < groups; ++g) {
    if (!defined(num[g]) || !defined(den[g]) || den[g].sum == 0) continue;
    const double v = factor * num[g].sum / den[g].sum;
    if (!std::isfinite(v)) continue;
    out.value[g] = v;
    out.present[g] = 1;
  }
  return out;
}

} // namespace planeval
