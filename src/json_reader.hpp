// Copyright (c) 2026 planeval developers. Distributed under the MIT License.
#pragma once
/// \file json_reader.hpp
/// Internal (not installed): the located-error JSON reading helpers shared by the plan reader
/// (json.cpp) and the standard reader (standard_read.cpp).
///
/// Design notes: a reader collects every problem it finds as a diagnostic located by JSON path
/// ("indicators[2].thresholds.小学: expected a number, got \"4,2\"") instead of stopping at the
/// first, so one run over a file reports everything. Callers check `errors.size()` before and
/// after reading an item to know whether the item is usable.

#include <planeval/calendar.hpp>
#include <planeval/detail/enum_names.hpp>
#include <planeval/detail/format_number.hpp>
#include <planeval/detail/utf8.hpp>
#include <planeval/error.hpp>
#include <planeval/plan.hpp>
#include <planeval/target.hpp>
#include <planeval/text.hpp>
#include <planeval/value.hpp>

#include <boost/json.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

namespace planeval::json_reading {

namespace json = boost::json;

inline std::string quoted(std::string_view s) { return "\"" + std::string(s) + "\""; }

/// A short description of a JSON value for "got ..." in messages.
inline std::string describe(const json::value& v) {
  switch (v.kind()) {
  case json::kind::null: return "null";
  case json::kind::bool_: return v.get_bool() ? "true" : "false";
  case json::kind::int64: return "the number " + std::to_string(v.get_int64());
  case json::kind::uint64: return "the number " + std::to_string(v.get_uint64());
  case json::kind::double_: return "the number " + detail::format_number(v.get_double());
  case json::kind::string: {
    std::string s(v.get_string());
    if (s.size() > 60) { // cut at a character boundary: messages stay valid UTF-8
      std::size_t cut = 57;
      while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
      s = s.substr(0, cut) + "...";
    }
    return quoted(s);
  }
  case json::kind::array: return "an array";
  case json::kind::object: return "an object";
  }
  return "?";
}

inline std::optional<double> as_number(const json::value& v) {
  switch (v.kind()) {
  case json::kind::int64: return static_cast<double>(v.get_int64());
  case json::kind::uint64: return static_cast<double>(v.get_uint64());
  case json::kind::double_: return v.get_double();
  default: return std::nullopt;
  }
}

class reader {
public:
  std::vector<diagnostic> errors;

  void fail(std::string path, std::string msg) { errors.push_back({severity::error, std::move(path), std::move(msg)}); }
  void absorb(const plan_error& e) {
    for (const auto& d : e.errors()) errors.push_back(d);
  }

  /// The object at `path`, with unknown and missing keys reported. nullptr if not an object.
  const json::object* object(const json::value& v, const std::string& path,
                             std::initializer_list<std::string_view> allowed,
                             std::initializer_list<std::string_view> required) {
    const auto* o = v.if_object();
    if (!o) {
      fail(path, "expected an object, got " + describe(v));
      return nullptr;
    }
    for (const auto& kv : *o) {
      if (std::find(allowed.begin(), allowed.end(), std::string_view(kv.key())) == allowed.end()) {
        std::string list;
        for (auto a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
        fail(join(path, kv.key()), "unknown key " + quoted(kv.key()) + "; expected one of: " + list);
      }
    }
    for (auto r : required)
      if (!o->contains(r)) fail(join(path, r), "missing required key " + quoted(r));
    return o;
  }

  static std::string join(const std::string& path, std::string_view key) {
    return path.empty() ? std::string(key) : path + "." + std::string(key);
  }
  static std::string at(const std::string& path, std::size_t i) { return path + "[" + std::to_string(i) + "]"; }

  const json::value* field(const json::object& o, std::string_view key) {
    auto it = o.find(key);
    return it == o.end() ? nullptr : &it->value();
  }

  std::optional<std::string> string(const json::object& o, std::string_view key, const std::string& path) {
    const auto* v = field(o, key);
    if (!v) return std::nullopt;
    if (!v->is_string()) {
      fail(join(path, key), "expected a string, got " + describe(*v));
      return std::nullopt;
    }
    return std::string(v->get_string());
  }

  std::string id(const json::object& o, const std::string& path, std::string_view key = "id") {
    auto s = string(o, key, path);
    if (!s) return {};
    if (s->empty())
      fail(join(path, key), "expected a non-empty id");
    else if (!is_valid_id(*s))
      fail(join(path, key), "expected an id (" + std::string(id_rule) + "), got " + quoted(*s));
    return *s;
  }

  std::optional<double> number(const json::object& o, std::string_view key, const std::string& path) {
    const auto* v = field(o, key);
    if (!v) return std::nullopt;
    auto x = as_number(*v);
    if (!x) {
      fail(join(path, key), "expected a number, got " + describe(*v));
      return std::nullopt;
    }
    if (!std::isfinite(*x)) {
      fail(join(path, key), "expected a finite number, got " + describe(*v));
      return std::nullopt;
    }
    return x;
  }

  std::optional<bool> boolean(const json::object& o, std::string_view key, const std::string& path) {
    const auto* v = field(o, key);
    if (!v) return std::nullopt;
    if (!v->is_bool()) {
      fail(join(path, key), "expected true or false, got " + describe(*v));
      return std::nullopt;
    }
    return v->get_bool();
  }

  std::optional<date> date_field(const json::object& o, std::string_view key, const std::string& path, date_role role) {
    const auto* v = field(o, key);
    if (!v) return std::nullopt;
    return date_value(*v, join(path, key), role);
  }

  std::optional<date> date_value(const json::value& v, const std::string& path, date_role role) {
    if (v.is_string()) {
      if (auto d = parse_date(v.get_string(), role)) return d;
    }
    fail(path, "expected a date (YYYY-MM-DD, YYYY-MM or YYYY), got " + describe(v));
    return std::nullopt;
  }

  template <class Enum, std::size_t N>
  std::optional<Enum> enumeration(const json::object& o, std::string_view key, const std::string& path,
                                  const detail::name_table<Enum, N>& table) {
    const auto* v = field(o, key);
    if (!v) return std::nullopt;
    if (v->is_string())
      if (auto e = detail::parse_name(table, v->get_string())) return e;
    fail(join(path, key), "expected one of " + detail::alternatives(table) + ", got " + describe(*v));
    return std::nullopt;
  }

  /// A value: number, boolean, null (missing) or an array of numbers. `ok` is false on error.
  value value_of(const json::value& v, const std::string& path, bool& ok) {
    ok = true;
    if (v.is_null()) return missing;
    if (v.is_bool()) return v.get_bool();
    if (auto x = as_number(v)) {
      if (!std::isfinite(*x)) {
        fail(path, "expected a finite number, got " + describe(v));
        ok = false;
        return missing;
      }
      return *x;
    }
    if (const auto* a = v.if_array()) {
      std::vector<double> xs;
      for (std::size_t i = 0; i < a->size(); ++i) {
        auto x = as_number((*a)[i]);
        if (!x || !std::isfinite(*x)) {
          fail(at(path, i), "expected a finite number, got " + describe((*a)[i]));
          ok = false;
          continue;
        }
        xs.push_back(*x);
      }
      if (a->size() < 2) {
        fail(path, "expected an array of at least two numbers");
        ok = false;
      }
      return xs;
    }
    fail(path, "expected a number, true/false, null or an array of numbers, got " + describe(v));
    ok = false;
    return missing;
  }

  std::optional<text> text_field(const json::object& o, std::string_view key, const std::string& path) {
    const auto* v = field(o, key);
    if (!v) return std::nullopt;
    const auto p = join(path, key);
    const auto* t = object(*v, p, {"zh", "en"}, {"zh"});
    if (!t) return std::nullopt;
    text out;
    if (auto s = string(*t, "zh", p)) {
      out.zh = *s;
      if (s->empty()) fail(join(p, "zh"), "expected non-empty Chinese text");
    }
    if (auto s = string(*t, "en", p)) out.en = *s;
    return out;
  }

  std::optional<source_ref> source_field(const json::object& o, std::string_view key, const std::string& path) {
    const auto* v = field(o, key);
    if (!v) return std::nullopt;
    const auto p = join(path, key);
    const auto* s = object(*v, p, {"phrase", "section"}, {"phrase"});
    if (!s) return std::nullopt;
    source_ref r;
    if (auto x = string(*s, "phrase", p)) {
      r.phrase = *x;
      if (x->empty()) fail(join(p, "phrase"), "expected a non-empty phrase");
    }
    if (auto x = string(*s, "section", p)) r.section = *x;
    return r;
  }

  std::optional<point> point_value(const json::value& v, const std::string& path) {
    const auto* o = object(v, path, {"date", "value", "source"}, {"date", "value"});
    if (!o) return std::nullopt;
    const std::size_t before = errors.size();
    point pt;
    if (auto d = date_field(*o, "date", path, date_role::end)) pt.date = *d;
    if (const auto* x = field(*o, "value")) {
      bool ok = true;
      pt.value = value_of(*x, join(path, "value"), ok);
    }
    pt.source = source_field(*o, "source", path);
    if (errors.size() != before) return std::nullopt;
    return pt;
  }

  const json::array* array_field(const json::object& o, std::string_view key, const std::string& path) {
    const auto* v = field(o, key);
    if (!v) return nullptr;
    if (!v->is_array()) {
      fail(join(path, key), "expected an array, got " + describe(*v));
      return nullptr;
    }
    return &v->get_array();
  }

  /// The non-empty strings of array `key` appended to `out` (each other item an error at its index).
  void strings(const json::object& o, std::string_view key, const std::string& path, std::vector<std::string>& out) {
    if (const auto* a = array_field(o, key, path))
      for (std::size_t i = 0; i < a->size(); ++i) {
        const auto& s = (*a)[i];
        if (s.is_string() && !s.get_string().empty())
          out.emplace_back(s.get_string());
        else
          fail(at(join(path, key), i), "expected a non-empty string, got " + describe(s));
      }
  }
};

/// 1-based line and column of byte `offset` (columns count UTF-8 code points).
inline std::pair<std::size_t, std::size_t> line_column(std::string_view s, std::size_t offset) {
  std::size_t line = 1, col = 1;
  for (std::size_t i = 0; i < offset && i < s.size(); ++i) {
    if (s[i] == '\n') {
      ++line;
      col = 1;
    } else if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) {
      ++col;
    }
  }
  return {line, col};
}


/// A key that appears twice in one JSON object: where (byte offset of the second), in which object
/// (JSON path) and which key.
struct duplicate_key {
  std::size_t offset = 0;
  std::string path;
  std::string key;
};

/// The first duplicated key of well-formed JSON text `s` (the parser keeps the last value and would
/// silently drop the first), or nullopt. Keys are compared as written.
inline std::optional<duplicate_key> find_duplicate_key(std::string_view s) {
  struct frame {
    bool object = false;
    std::string path;
    std::unordered_set<std::string> keys;
    std::string pending; ///< the key whose value comes next (objects)
    std::size_t index = 0;
    bool expect_key = true;
  };
  std::vector<frame> stack;
  const auto child_path = [&]() -> std::string {
    if (stack.empty()) return "";
    const frame& f = stack.back();
    if (f.object) return f.path.empty() ? f.pending : f.path + "." + f.pending;
    return f.path + "[" + std::to_string(f.index) + "]";
  };
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '"') {
      const std::size_t start = i++;
      std::string str;
      while (i < s.size() && s[i] != '"') {
        if (s[i] == '\\' && i + 1 < s.size()) str += s[i++];
        str += s[i++];
      }
      if (!stack.empty() && stack.back().object && stack.back().expect_key) {
        frame& f = stack.back();
        if (!f.keys.insert(str).second) return duplicate_key{start, f.path, str};
        f.pending = std::move(str);
        f.expect_key = false;
      }
    } else if (c == '{' || c == '[') {
      frame f;
      f.object = c == '{';
      f.path = child_path();
      stack.push_back(std::move(f));
    } else if (c == '}' || c == ']') {
      if (!stack.empty()) stack.pop_back();
    } else if (c == ',' && !stack.empty()) {
      frame& f = stack.back();
      if (f.object)
        f.expect_key = true;
      else
        ++f.index;
    }
  }
  return std::nullopt;
}

/// Parse JSON text strictly, or return the problem as (location "source:line:column", message):
/// text that is not UTF-8 (with a hint at its encoding), malformed JSON, text after the value, a
/// duplicated key. On success `out` holds the value. `line_found` (if given) receives the problem's
/// line (from 1; 0 when the problem has none), for planeval::location::row.
inline std::optional<std::pair<std::string, std::string>> parse_strict(std::string_view input,
                                                                       std::string_view source_name,
                                                                       json::value& out,
                                                                       std::size_t* line_found = nullptr) {
  const std::string src(source_name.empty() ? "<string>" : source_name);
  const auto at_offset = [&](std::size_t offset) {
    auto [line, col] = line_column(input, offset);
    if (line_found) *line_found = static_cast<std::size_t>(line);
    return src + ":" + std::to_string(line) + ":" + std::to_string(col);
  };
  if (detail::looks_utf16(input)) return std::pair{src, "not UTF-8 text: " + detail::encoding_hint(input)};
  if (const auto bad = detail::invalid_utf8_at(input))
    return std::pair{at_offset(*bad), "not valid UTF-8 at this byte: " + detail::encoding_hint(input)};
  json::stream_parser p;
  boost::system::error_code ec;
  const std::size_t n = p.write_some(input.data(), input.size(), ec);
  if (!ec && n < input.size()) {
    // the value ended before the text did: anything but white space after it is an error
    const auto rest = input.substr(n);
    const auto k = rest.find_first_not_of(" \t\r\n");
    if (k != std::string_view::npos)
      return std::pair{at_offset(n + k), "malformed JSON: unexpected text after the end of the JSON value"};
  }
  if (!ec) p.finish(ec);
  if (ec) {
    std::string why = ec.message();
    // Chinese punctuation typed where JSON wants its ASCII form: say which character it is
    static constexpr std::array<std::array<std::string_view, 3>, 10> full_width{{
        {"，", "a full-width comma", ","},
        {"：", "a full-width colon", ":"},
        {"“", "a Chinese opening quote", "\""},
        {"”", "a Chinese closing quote", "\""},
        {"‘", "a Chinese single quote", "\""},
        {"’", "a Chinese single quote", "\""},
        {"｛", "a full-width brace", "{"},
        {"｝", "a full-width brace", "}"},
        {"［", "a full-width bracket", "["},
        {"］", "a full-width bracket", "]"},
    }};
    if (ec != json::error::incomplete && ec != json::error::extra_data) {
      // the parser stops at or just after the offending character: look at both
      for (std::size_t at : {std::min(n, input.size()), n > 0 ? n - 1 : n})
        for (const auto& [ch, name, ascii] : full_width)
          for (std::size_t back = 0; back < 3 && back <= at; ++back)
            if (input.substr(at - back).substr(0, ch.size()) == ch)
              return std::pair{at_offset(at - back), "malformed JSON: found \"" + std::string(ch) + "\" (" +
                                                        std::string(name) + "), expected \"" + std::string(ascii) +
                                                        "\" (JSON's punctuation is ASCII outside strings)"};
    }
    if (ec == json::error::incomplete) why = "the text ends before the JSON value does (incomplete JSON)";
    if (ec == json::error::extra_data) why = "unexpected text after the end of the JSON value";
    return std::pair{at_offset(std::min(n, input.size())), "malformed JSON: " + why};
  }
  out = p.release();
  if (const auto d = find_duplicate_key(input))
    return std::pair{at_offset(d->offset), "duplicate key " + quoted(d->key) + (d->path.empty() ? "" : " in " + d->path) +
                                        ": a second value would silently replace the first"};
  return std::nullopt;
}

} // namespace planeval::json_reading
